# The whole board application on the fake hardware: a shipped pin map (board_config.json given as
# argument) with fake devices, MQTT to the fake broker, commands in, frames out. Runs under
# MicroPython and CPython; prints one JSON line per case with the published messages (hex) for the
# pytest wrapper to decode with the gateway's decoder.
# usage: app_cases.py BOARD_CONFIG.json CMD_PACKET_HEX [CASE...]
import json
import sys
import time
from binascii import hexlify
from socket import Broker

import config
import machine
import network
import onewire
from app import App
from devices import BH1750Device, DS18B20Device, INA219Device, MPU6050Device
from frame import Framer
from mqtt_link import MqttLink

with open(sys.argv[1]) as f:
    CFG = json.load(f)
SITE = config.read_site(type("S", (), {"SITE_ID": "school-a", "BOARD_ID": "station-1", "WIFI_SSID": "lab",
                                      "WIFI_KEY": "pw", "MQTT_HOST": "broker.local", "FLUSH_MS": 100,
                                      "STATUS_S": 1}))
T = "classlab/school-a/station-1/"
ADC_SCRIPT = [(k * 97) % 60000 + 1000 for k in range(8000)]  # test_firmware_app.py recomputes it


def attach_all():
    machine.reset_all()
    onewire.OneWire.reset_all()
    network.WLAN.reset_all()
    Broker.reset_all()
    time.set_ticks(1 << 29)
    for s in CFG["sensor"]:
        d = s["driver"]
        pins = s.get("pins", {})
        if d == "ds18b20":
            onewire.OneWire.attach(pins["data"], DS18B20Device(7, [400, 401, 402, 403, 404, 405]))
        elif d == "bh1750":
            machine.I2C.attach(s["i2c"], s["address"], BH1750Device([120, 240]))
        elif d == "mpu6050":
            machine.I2C.attach(s["i2c"], s["address"], MPU6050Device([(1, 2, 16384, 0, 0, 0, 0)]))
        elif d == "ina219":
            machine.I2C.attach(s["i2c"], s["address"], INA219Device([5000 << 3], [100]))
        elif "adc" in pins:
            machine.ADC.script(pins["adc"], ADC_SCRIPT)


def hexs(topic):
    return [hexlify(p).decode() for p in Broker.topics(T + topic)]


def run(app, ms):
    for _ in range(ms // 5):
        app.step()
        time.sleep_ms(5)


def case_run():
    attach_all()
    framer = Framer()
    link = MqttLink(SITE["SITE_ID"], SITE["BOARD_ID"], SITE["MQTT_HOST"], wlan=network.WLAN(network.STA_IF),
                    ssid="lab", wifi_key="pw")
    from drivers import status_led

    led = status_led.for_board(CFG["board"]["type"])
    app = App(CFG, SITE, link, framer, led)
    link.start()
    app.start()
    run(app, 2000)
    leds = [led.state]
    n_before = len(Broker.topics(T + "data"))
    Broker.inject(T + "cmd", b'{"cmd":"rate","rate_hz":200}')
    run(app, 1000)
    n_rate = len(Broker.topics(T + "data"))
    Broker.inject(T + "cmd", b'{"cmd":"rate","rate_hz":7000}')
    run(app, 200)
    Broker.inject(T + "cmd", b'{"cmd":"fly"}')
    run(app, 200)
    volt = [c["id"] for s in CFG["sensor"] if s["driver"] == "adc_divider" for c in s["channels"]][0]
    Broker.inject(T + "cmd", ('{"cmd":"burst","id":%d,"n":3000,"rate_hz":250000}' % volt).encode())
    run(app, 200)
    Broker.inject(T + "cmd", b'{"cmd":"channels","ids":[99]}')  # no such channel: nothing to sample
    run(app, 200)
    still = app.state
    Broker.inject(T + "cmd", b'{"cmd":"channels","ids":[4]}')
    run(app, 500)
    Broker.cut()  # Wi-Fi/broker outage while sampling: frames queue, the LED says "offline"
    Broker.up = False
    run(app, 500)
    leds.append(led.state)
    Broker.up = True
    for _ in range(200):
        if link.connected() and link.queue.count == 0:
            break
        run(app, 100)
    leds.append(led.state)
    Broker.inject(T + "cmd", b'{"cmd":"stop"}')
    run(app, 300)
    leds.append(led.state)
    app.send_status()
    link.poll(lambda c: None)
    return {"data": hexs("data"), "meta": [m.decode() for m in Broker.topics(T + "meta")],
            "status": [s.decode() for s in Broker.topics(T + "status")], "n_before": n_before,
            "n_rate": n_rate, "hard": app.board.sampler.fast.hard, "leds": leds,
            "reconnects": link.connects,
            "state_after_bad_channels": still}


def case_unknown_driver():
    attach_all()
    bad = json.loads(json.dumps(CFG))
    bad["sensor"][0]["driver"] = "flux_capacitor"
    try:
        config.build(bad, SITE)
    except config.ConfigError as e:
        return {"error": str(e)}
    raise AssertionError("unknown driver accepted")


def case_adc2_with_wifi():
    attach_all()
    esp = json.loads(json.dumps(CFG))
    esp["board"]["type"] = "esp32"
    for s in esp["sensor"]:
        if "adc" in s.get("pins", {}):
            s["pins"]["adc"] = 26
    try:
        config.build(esp, SITE)
    except config.ConfigError as e:
        return {"error": str(e)}
    raise AssertionError("ADC2 pin with Wi-Fi accepted")


class UsbStream:
    """What SerialLink sees of the USB CDC port: writes are recorded, reads come from `inbox`."""

    def __init__(self):
        self.out = bytearray()
        self.inbox = bytearray()

    def write(self, b):
        self.out.extend(b)
        return len(b)

    def any(self):
        return len(self.inbox)

    def read(self, n):
        d = bytes(self.inbox[:n])
        self.inbox = self.inbox[n:]
        return d


def case_serial():
    """A board without Wi-Fi: the same app over USB serial (COBS + CRC); commands come back in."""
    attach_all()
    from serial_link import SerialLink

    stream = UsbStream()
    framer = Framer()
    site = dict(SITE)
    site["WIFI_SSID"] = None
    app = App(CFG, site, SerialLink(stream, framer, time.ticks_us), framer)
    app.start()
    run(app, 1000)
    # the host's command packet for {"cmd":"rate","rate_hz":50} (gateway/serial_source.command_packet)
    stream.inbox.extend(bytes.fromhex(sys.argv[2]))
    run(app, 1000)
    return {"stream": hexlify(bytes(stream.out)).decode(), "rate_after": app.board.sampler.rate_hz()}


def case_calibration():
    """board_config.json's calibration list is composed into the meta the board publishes."""
    attach_all()
    cal = json.loads(json.dumps(CFG))
    ids = [c["id"] for s in CFG["sensor"] if s["driver"] == "adc_divider" for c in s["channels"]]
    cal["calibration"] = [{"id": ids[0], "scale": 1.02, "offset": -0.05, "date": "2026-09-01", "by": "T. Wang",
                           "method": "two-point"}]
    plain = config.build(CFG, SITE).meta
    calibrated = config.build(cal, SITE).meta
    return {"plain": plain, "calibrated": calibrated}


def case_main():
    """app.main() as main.py runs it: board_config.json + site_config.py (the example, with the
    fake broker's host) -> MQTT link, status LED, sampling; the endless loop cut after 2 s."""
    attach_all()
    import app as app_mod

    seen = {}

    def run_2s(self, wdt=None):
        for _ in range(400):
            self.step()
            time.sleep_ms(5)
        seen["led"] = self.led.state if self.led is not None else None

    app_mod.App.run = run_2s
    app_mod.main(sys.argv[1])
    meta = json.loads(Broker.topics("classlab/school-a/station-1/meta")[0])
    return {"meta_board": meta["board"], "data_frames": len(Broker.topics("classlab/school-a/station-1/data")),
            "client_id": Broker.client_ids[0], "led": seen["led"]}


def case_bad_ids():
    errors = []
    for kw in ({"SITE_ID": "School A"}, {"SITE_ID": "ok", "BOARD_ID": "x" * 33}):
        try:
            config.read_site(type("S", (), kw))
        except config.ConfigError as e:
            errors.append(str(e))
    return {"errors": errors}


CASES = {"main": case_main, "calibration": case_calibration, "bad_ids": case_bad_ids, "serial": case_serial, "run": case_run, "unknown_driver": case_unknown_driver, "adc2_with_wifi": case_adc2_with_wifi}
for name in sys.argv[3:] or list(CASES):
    r = CASES[name]()
    r["case"] = name
    for h in r.pop("data", ()):  # one line per frame: the runtime's stdout splits very long lines
        print("F", name, h)
    print(json.dumps(r))
