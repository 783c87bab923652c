"""Firmware MQTT link: reconnect/backoff, bounded queue, last will, retained meta/status, QoS 1 and
commands — under real MicroPython and CPython against the fake socket broker, and under CPython
against a real Mosquitto that is stopped and restarted mid-run."""

from __future__ import annotations

import json
import threading
import time

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from classlab.firmware.frame import Framer
from classlab.firmware.mqtt_link import LinkError, MqttLink
from classlab.gateway.protocol import decode
from tests.firmware_harness import run_cases
from tests.servers import Mosquitto


@pytest.fixture(scope="module", params=["micropython", "cpython"])
def cases(request, micropython) -> tuple[str, dict[str, dict]]:
    return request.param, run_cases(request.param, micropython, "mqtt_cases.py")


def test_frames_in_order_with_will_and_retained_state(cases) -> None:
    _, res = cases
    assert res["basic"]["published"] == 5
    assert res["basic"]["client_id"] == "classlab-esp32-1"
    assert res["cmd"]["cmds"] == 1


def test_outage_queue_drops_oldest_counts_and_backs_off(cases) -> None:
    _, res = cases
    r = res["outage"]
    assert r["queued"] + r["dropped"] == 35 and r["dropped"] > 0 and r["queued"] > 0
    # exponential backoff: 1+2+4+8+16+32+60 s covers the 105 s outage in ~7 tries, not 100
    assert 5 <= r["attempts_during_105s"] <= 8
    assert r["connects"] == 2 and r["disconnects"] == 1
    assert r["stats"]["tx_dropped"] == r["dropped"] and r["stats"]["queued"] == 0


def test_wifi_loss_never_blocks_the_loop(cases) -> None:
    _, res = cases
    r = res["wifi_drop"]
    assert r["max_poll_wait_us"] == 0  # on the fake clock: poll() did not sleep while Wi-Fi re-joined
    assert r["connects"] == 2


def test_lost_puback_resends_and_failures_are_loud(cases) -> None:
    _, res = cases
    assert res["lost_puback"]["delivered"] == 4
    assert "Wi-Fi" in res["wifi"]["error"] and "无法连接" in res["wifi"]["error"]
    assert "broker.local" in res["broker_down_first"]["error"]


class Listener:
    """A paho subscriber to classlab/<site>/<board>/# that records everything it gets."""

    def __init__(self, port: int, topic: str) -> None:
        self.msgs: list[tuple[str, bytes, bool]] = []
        self.cond = threading.Condition()
        self.c = mqtt.Client(CallbackAPIVersion.VERSION2)
        self.c.on_message = self._on_message
        self.c.connect("127.0.0.1", port)
        self.c.subscribe(topic, qos=1)
        self.c.loop_start()

    def _on_message(self, _c: object, _u: object, m: mqtt.MQTTMessage) -> None:
        with self.cond:
            self.msgs.append((m.topic, bytes(m.payload), bool(m.retain)))
            self.cond.notify_all()

    def wait(self, pred, timeout: float = 10.0) -> list[tuple[str, bytes, bool]]:
        with self.cond:
            assert self.cond.wait_for(lambda: pred(self.msgs), timeout), self.msgs[-5:]
            return list(self.msgs)

    def close(self) -> None:
        self.c.loop_stop()
        self.c.disconnect()


def poll_until(link: MqttLink, cond, timeout: float, cmds: list[bytes] | None = None) -> None:
    deadline = time.monotonic() + timeout
    while not cond():
        assert time.monotonic() < deadline, link.stats()
        link.poll((cmds if cmds is not None else []).append)


def test_real_mosquitto_outage_restart_will_and_commands() -> None:
    base = "classlab/school-a/pico-w-1/"
    broker = Mosquitto().start()
    port = broker.port
    listener = Listener(port, base + "#")
    link = MqttLink("school-a", "pico-w-1", "127.0.0.1", port, queue_bytes=2048, timeout_s=2)
    broker2 = None
    try:
        link.send_meta(b'{"fw":"0.1.0","tick_period":1073741824,"channels":[]}')
        link.start()
        fr = Framer()
        sent = [bytes(fr.pack_status(i, i, b'{"state":"running","i":%d}' % i)) for i in range(60)]
        for f in sent[:10]:
            link.send(f)
        poll_until(link, lambda: link.queue.count == 0, 10)
        got = listener.wait(lambda m: sum(t == base + "data" for t, _, _ in m) >= 10)
        assert [p for t, p, _ in got if t == base + "data"] == sent[:10]
        assert json.loads([p for t, p, _ in got if t == base + "meta"][0])["fw"] == "0.1.0"

        # commands from the gateway side
        cmds: list[bytes] = []
        listener.c.publish(base + "cmd", b'{"cmd":"rate","rate_hz":50}', qos=1)
        poll_until(link, lambda: bool(cmds), 10, cmds)
        assert cmds == [b'{"cmd":"rate","rate_hz":50}']

        # broker goes away: frames queue (2 KB: the oldest drop), then the broker comes back on the same port
        listener.close()
        broker.proc.terminate()
        broker.proc.wait(10)
        for f in sent[10:60]:
            link.send(f)
            link.poll(lambda c: None)
        assert not link.connected()
        queued, dropped = link.queue.count, link.queue.dropped
        assert queued + dropped == 50 and dropped > 0
        broker2 = Mosquitto()
        broker2.conf.write_text(broker2.conf.read_text().replace(f"listener {broker2.port} ", f"listener {port} "))
        broker2.port = port
        broker2.start()
        listener = Listener(port, base + "#")
        poll_until(link, lambda: link.connected() and link.queue.count == 0, 30)
        got = listener.wait(lambda m: sum(t == base + "data" for t, _, _ in m) >= queued)
        data = [p for t, p, _ in got if t == base + "data"]
        assert data == sent[60 - queued:]  # the newest survive, in order, exactly once
        assert [decode(p).seq for p in data] == list(range(60 - queued, 60))
        late = Listener(port, base + "#")  # a subscriber arriving now gets meta and status, retained
        try:
            kept = late.wait(lambda m: {t for t, _, r in m if r} >= {base + "meta", base + "status"})
        finally:
            late.close()
        retained = {t: p for t, p, r in kept if r}
        assert json.loads(retained[base + "meta"])["fw"] == "0.1.0"
        assert retained[base + "status"] == b'{"state":"online"}'

        # abrupt loss (no DISCONNECT): the broker publishes the retained will
        link.client.sock.close()
        got = listener.wait(lambda m: any(t == base + "status" and p == b"offline" for t, p, _ in m))
    finally:
        listener.close()
        link.client.close()
        broker.stop()
        if broker2 is not None:
            broker2.stop()


def test_first_connect_to_nothing_fails_loudly() -> None:
    from tests.servers import free_port

    link = MqttLink("school-a", "pico-w-1", "127.0.0.1", free_port(), timeout_s=1)
    with pytest.raises(LinkError, match="cannot reach MQTT broker 127.0.0.1"):
        link.start()


def test_frame_queue_is_fifo_and_drops_only_the_oldest() -> None:
    import random

    from classlab.firmware.frame_queue import FrameQueue

    rng = random.Random(7)
    dropped_total = 0
    for _ in range(200):
        q = FrameQueue(rng.choice([100, 257, 1000, 4096]))
        ref: list[bytes] = []
        for seq in range(300):
            if rng.random() < 0.6:
                data = bytes((seq + i) % 251 + 1 for i in range(rng.randint(1, q.cap // 3)))
                before = q.dropped
                assert q.push(data)
                d = q.dropped - before
                dropped_total += d
                del ref[:d]  # exactly the oldest ones went
                ref.append(data)
            elif ref:
                assert bytes(q.peek()) == ref.pop(0)  # a view into the queue, no copy
                q.pop()
            else:
                assert q.peek() is None
            assert q.count == len(ref)
    assert dropped_total > 1000  # the overflow path ran a lot
    q = FrameQueue(64)
    assert not q.push(bytes(63)) and q.dropped == 1  # can never fit: refused and counted
