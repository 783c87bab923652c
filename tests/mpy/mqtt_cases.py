# MQTT link cases against the fake socket's in-process broker (tests/mpy/fakes/socket.py).
# Runs under MicroPython and CPython; prints one JSON line per case; asserts what it can itself.
import json
import sys
import time
from socket import Broker

import machine
import network
from frame import Framer
from mqtt_link import LinkError, MqttLink

T = "classlab/school-a/esp32-1/"


def reset():
    machine.reset_all()
    network.WLAN.reset_all()
    Broker.reset_all()
    time.set_ticks(5000)


def make(queue_bytes=12288):
    wlan = network.WLAN(network.STA_IF)
    link = MqttLink("school-a", "esp32-1", "broker.local", ssid="lab", wifi_key="pw", wlan=wlan,
                    queue_bytes=queue_bytes)
    return link


def frames(n, seq0=0):
    fr = Framer(seq=seq0)
    out = []
    for i in range(n):
        out.append(bytes(fr.pack_status(i, i, ('{"i":%d,"pad":"%s"}' % (i, "x" * 60)).encode())))
    return out


def run_until(link, cond, ms, step_ms=100):
    cmds = []
    for _ in range(ms // step_ms):
        link.poll(cmds.append)
        if cond():
            return cmds
        time.sleep_ms(step_ms)
    link.poll(cmds.append)
    return cmds


def case_basic():
    reset()
    link = make()
    link.send_meta(b'{"fw":"0.1.0"}')
    link.start()
    assert Broker.retained[T + "meta"] == b'{"fw":"0.1.0"}'
    assert Broker.retained[T + "status"] == b'{"state":"online"}'
    fs = frames(5)
    for f in fs:
        link.send(f)
    link.poll(lambda c: None)
    data = [(p, q, r) for t, p, q, r in Broker.published if t == T + "data"]
    assert [d[0] for d in data] == fs, "frames arrive in order, unchanged"
    assert all(q == 1 and not r for _, q, r in data), "data is QoS 1, not retained"
    assert link.queue.count == 0
    # last will registered: an abrupt loss publishes "offline", retained
    Broker.cut()
    assert Broker.retained[T + "status"] == b"offline"
    return {"published": len(data), "client_id": Broker.client_ids[0]}


def case_outage():
    """Broker away: frames queue (bounded, oldest dropped and counted), backoff, then all flushed."""
    reset()
    link = make(queue_bytes=1024)  # ~11 frames of 91 bytes
    link.send_meta(b'{"fw":"0.1.0"}')
    link.start()
    fs = frames(40)
    for f in fs[:5]:
        link.send(f)
    link.poll(lambda c: None)
    Broker.cut()
    Broker.up = False
    attempts0 = Broker.attempts[0]
    for f in fs[5:]:
        link.send(f)
        link.poll(lambda c: None)
        time.sleep_ms(3000)  # 35 frames over 105 s of outage
    attempts = Broker.attempts[0] - attempts0
    assert not link.connected()
    queued = link.queue.count
    dropped = link.queue.dropped
    Broker.up = True
    run_until(link, lambda: link.queue.count == 0, 120000)
    data = Broker.topics(T + "data")
    assert data[:5] == fs[:5]
    assert data[5:] == fs[40 - queued:], "the newest frames survive, in order"
    assert dropped == 35 - queued and link.queue.dropped == dropped
    assert Broker.retained[T + "meta"] == b'{"fw":"0.1.0"}', "meta re-published after reconnect"
    assert Broker.retained[T + "status"] == b'{"state":"online"}'
    return {"attempts_during_105s": attempts, "queued": queued, "dropped": dropped,
            "connects": link.connects, "disconnects": link.disconnects, "stats": link.stats()}


def case_lost_puback():
    """No PUBACK: the publish times out, the link reconnects and sends the frame again (at least once)."""
    reset()
    link = make()
    link.start()
    fs = frames(3)
    Broker.ack = False
    link.send(fs[0])
    link.poll(lambda c: None)
    assert not link.connected() and link.queue.count == 1
    Broker.ack = True
    for f in fs[1:]:
        link.send(f)
    run_until(link, lambda: link.queue.count == 0, 10000)
    data = Broker.topics(T + "data")
    assert data == [fs[0], fs[0], fs[1], fs[2]], data
    return {"delivered": len(data)}


def case_cmd():
    reset()
    link = make()
    link.start()
    Broker.inject(T + "cmd", b'{"cmd":"rate","rate_hz":200}')
    Broker.inject("classlab/school-a/other/cmd", b'{"cmd":"stop"}')
    got = []
    link.poll(got.append)
    assert got == [b'{"cmd":"rate","rate_hz":200}'], got
    return {"cmds": len(got)}


def case_wifi():
    """Wi-Fi gone: no broker attempts, a clear error; back when the access point returns."""
    reset()
    link = make()
    network.WLAN.reachable = False
    try:
        link.start()
        raise AssertionError("first connect without Wi-Fi must fail loudly")
    except LinkError as e:
        msg = str(e)
    assert "Wi-Fi" in msg and "site_config.py" in msg, msg
    assert Broker.attempts[0] == 0
    network.WLAN.reachable = True
    run_until(link, link.connected, 30000)
    assert link.connected() and Broker.connects[0] == 1
    return {"error": msg}


def case_wifi_drop():
    """Wi-Fi lost while running: poll() never waits for the re-join (sampling must not stall)."""
    reset()
    link = make()
    link.start()
    network.WLAN.reachable = False
    Broker.cut()
    fs = frames(5)
    waited = 0
    for f in fs:
        link.send(f)
        t0 = time.now_us()
        link.poll(lambda c: None)
        waited = max(waited, time.now_us() - t0)
        time.sleep_ms(1000)
    assert not link.connected() and link.queue.count == 5
    network.WLAN.reachable = True
    run_until(link, lambda: link.queue.count == 0, 30000)
    assert Broker.topics(T + "data") == fs
    return {"max_poll_wait_us": waited, "connects": link.connects}


def case_broker_down_first():
    reset()
    Broker.up = False
    link = make()
    try:
        link.start()
        raise AssertionError("must fail")
    except LinkError as e:
        msg = str(e)
    assert "broker.local" in msg
    return {"error": msg}


CASES = {"wifi_drop": case_wifi_drop, "basic": case_basic, "outage": case_outage, "lost_puback": case_lost_puback, "cmd": case_cmd,
         "wifi": case_wifi, "broker_down_first": case_broker_down_first}
for name in sys.argv[1:] or list(CASES):
    r = CASES[name]()
    r["case"] = name
    print(json.dumps(r))
