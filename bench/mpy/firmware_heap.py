# Heap in use after start-up with every driver configured (run by bench/firmware.py under real
# MicroPython v1.27 with the fake hardware on the path, through bench/mpy_phases.mjs: each phase is
# a top-level call, where the WebAssembly port collects garbage).
# usage: firmware_heap.py BOARD_CONFIG.json ; prints one JSON line. The fakes and fake devices are
# imported BEFORE the baseline, so only what the firmware keeps (module code, drivers, rings,
# queue, frame buffers) counts.
import gc
import json
import sys
from socket import Broker

import machine
import network
import onewire
from devices import BH1750Device, DS18B20Device, INA219Device, MPU6050Device

with open(sys.argv[1]) as f:
    CFG = json.load(f)
for s in CFG["sensor"]:
    d = s["driver"]
    pins = s.get("pins", {})
    if d == "ds18b20":
        onewire.OneWire.attach(pins["data"], DS18B20Device(7, [400]))
    elif d == "bh1750":
        machine.I2C.attach(s["i2c"], s["address"], BH1750Device([120]))
    elif d == "mpu6050":
        machine.I2C.attach(s["i2c"], s["address"], MPU6050Device([(1, 2, 16384, 0, 0, 0, 0)]))
    elif d == "ina219":
        machine.I2C.attach(s["i2c"], s["address"], INA219Device([5000 << 3], [100]))
    elif "adc" in pins:
        machine.ADC.script(pins["adc"], [30000])
wlan = network.WLAN(network.STA_IF)
# ---- phase: baseline (garbage was collected on entry)
gc.collect()
base = gc.mem_alloc()
# ---- phase: firmware code

import app  # noqa: E402
import config  # noqa: E402
import frame  # noqa: E402
import mqtt_link  # noqa: E402

for _d in ("ds18b20", "ntc", "bh1750", "ldr", "hcsr04", "photogate", "mpu6050", "adc_divider", "adc_bipolar",
           "ina219"):
    config.load_driver(_d)
del _d
# ---- phase: measure code
gc.collect()
code = gc.mem_alloc() - base
core_code = code
# ---- phase: start-up

site = config.read_site(type("S", (), {"SITE_ID": "school-a", "BOARD_ID": "b1", "WIFI_SSID": "lab",
                                      "MQTT_HOST": "broker.local"}))
framer = frame.Framer()
link = mqtt_link.MqttLink("school-a", "b1", "broker.local", wlan=wlan, ssid="lab", wifi_key="pw",
                          queue_bytes=site["QUEUE_BYTES"])
a = app.App(CFG, site, link, framer, board_path=sys.argv[1])
del CFG  # as app.main() does: the app reads board_config.json again when it rebuilds
link.start()
a.start()
for _ in range(100):  # 0.5 s of running, so every lazy buffer exists
    a.step()
    machine.Timer.advance(5000)
n_published = len(Broker.published)
# the fake broker's record of messages, its retained copies (meta, status) and client ids live on
# the broker, not on the board
Broker.published.clear()
Broker.retained.clear()
Broker.client_ids.clear()
# ---- phase: measure
gc.collect()
used = gc.mem_alloc() - base
drivers = sorted(set(s[1].NAME for s in a.board.sensors))
print(json.dumps({"heap_used_bytes": used, "code_bytes": code, "drivers": drivers, "sensors": len(a.board.sensors),
                  "queue_bytes": site["QUEUE_BYTES"],
                  "published": n_published}))
