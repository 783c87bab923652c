# Every driver built by its from_config() from real pin maps (board_config.json files given as
# arguments), with fake devices where the pin map puts them. Prints "ok N" or raises.
import json
import sys
from array import array

import machine
import onewire
from devices import BH1750Device, DS18B20Device, INA219Device, MPU6050Device
from drivers_common import check, done, raises, reset


def driver_module(name):
    pkg = __import__("drivers." + name)
    return getattr(pkg, name)


def attach(sensor):
    d = sensor["driver"]
    pins = sensor.get("pins", {})
    if d == "ds18b20":
        onewire.OneWire.attach(pins["data"], DS18B20Device(7, [0x0191]))
    elif d == "bh1750":
        machine.I2C.attach(sensor["i2c"], sensor["address"], BH1750Device([120]))
    elif d == "mpu6050":
        machine.I2C.attach(sensor["i2c"], sensor["address"], MPU6050Device([(0, 0, 16384, 0, 0, 0, 0)]))
    elif d == "ina219":
        machine.I2C.attach(sensor["i2c"], sensor["address"], INA219Device([5000 << 3], [100]))
    elif "adc" in pins:
        machine.ADC.script(pins["adc"], [30000])


def build(cfg):
    buses = {}
    for b in cfg.get("i2c", []):
        buses[b["id"]] = machine.I2C(b["id"], scl=machine.Pin(b["scl"]), sda=machine.Pin(b["sda"]), freq=b["freq"])
    out = []
    for s in cfg["sensor"]:
        drv = driver_module(s["driver"]).from_config(s, buses.get(s.get("i2c")))
        check(drv.NAME == s["driver"], "driver name")
        want = [(c["quantity"], c["unit"]) for c in s["channels"]]
        got = [(c[0], c[1]) for c in drv.channels]
        check(got == want, "%s: channels %r, pin map says %r" % (s["name"], got, want))
        out.append(drv)
    return out


n_boards = 0
for path in sys.argv[1:]:
    with open(path) as f:
        cfg = json.load(f)
    reset()
    for s in cfg["sensor"]:
        attach(s)
    drivers = build(cfg)
    kinds = {}
    for drv in drivers:
        kinds[drv.NAME] = drv.KIND
        buf = array("i", [0] * len(drv.channels))
        if drv.KIND == "slow":
            check(drv.start() > 0, "slow driver returns a wait")
        if drv.KIND != "event":
            drv.read_raw_into(buf, 0)
        if drv.NAME == "ds18b20":
            check(buf[0] == 0x0191, "ds18b20 via from_config")
        if drv.NAME == "ina219":
            check(buf[0] == 5000 and buf[1] == 100, "ina219 via from_config")
    check(kinds.get("photogate", "event") == "event" and kinds.get("ds18b20", "slow") == "slow", "kinds")
    n_boards += 1
check(n_boards == len(sys.argv) - 1 and n_boards > 0, "every board config built")

# an NTC entry (the schema's ntc table) and the errors a bad table gives
reset()
machine.ADC.script(32, [32768])
ntc_cfg = {"name": "probe2", "driver": "ntc", "pins": {"adc": 32},
           "ntc": {"r_nominal": 10000, "beta": 3950, "r_fixed": 10000},
           "channels": [{"id": 9, "quantity": "temperature", "unit": "C"}]}
ntc = driver_module("ntc").from_config(ntc_cfg, None)
b = array("h", [0])
ntc.read_raw_into(b, 0)
check(abs(b[0] - 2500) <= 5, "NTC at mid-scale = 25 degC, got %d" % b[0])
bad = dict(ntc_cfg)
del bad["ntc"]
raises(ValueError, "probe2", driver_module("ntc").from_config, bad, None)
bad = dict(ntc_cfg)
bad["channels"] = ntc_cfg["channels"] * 2
raises(ValueError, "lists 2 channels", driver_module("ntc").from_config, bad, None)
# MPU-6050 with gyro channels too: the pin map lists x, y, z acceleration then x, y, z angular velocity
machine.I2C.attach(0, 0x68, MPU6050Device([(1, 2, 3, 99, 4, 5, 6)]))
imu_cfg = {"name": "imu", "driver": "mpu6050", "i2c": 0, "address": 0x68,
           "channels": [{"id": 10 + k, "quantity": q, "unit": u} for k, (q, u) in
                        enumerate([("acceleration", "m/s2")] * 3 + [("angular_velocity", "rad/s")] * 3)]}
imu = driver_module("mpu6050").from_config(imu_cfg, machine.I2C(0))
ib = array("h", [0] * 6)
imu.read_raw_into(ib, 0)
check(list(ib) == [1, 2, 3, 4, 5, 6], "mpu6050 accel xyz then gyro xyz (temperature skipped), got %r" % list(ib))
raises(ValueError, "needs an I2C bus", driver_module("bh1750").from_config,
       {"name": "light", "driver": "bh1750", "address": 0x23, "channels": []}, None)
done()
