"""`classlab simulate` against a real Mosquitto: what it reports is what the broker delivered."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from classlab.gateway.protocol import decode
from tests.servers import free_port, mosquitto  # noqa: F401  (the fixture)

pytestmark = pytest.mark.slow
CLI = [str(Path(sys.executable).with_name("classlab"))]


class Listener:
    """A bare subscriber that keeps every message of a site (retained ones included)."""

    def __init__(self, port: int, site: str) -> None:
        self.messages: list[tuple[str, bytes, bool]] = []
        self.ready = threading.Event()
        self.c = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"listener-{site}", protocol=mqtt.MQTTv5)
        self.c.on_connect = lambda c, *_: c.subscribe(f"classlab/{site}/#", qos=1)
        self.c.on_subscribe = lambda *_: self.ready.set()
        self.c.on_message = lambda c, u, m: self.messages.append((m.topic, m.payload, bool(m.retain)))
        self.c.connect("127.0.0.1", port)
        self.c.loop_start()
        assert self.ready.wait(10)

    def close(self) -> None:
        self.c.disconnect()
        self.c.loop_stop()


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, "simulate", *args], capture_output=True, text=True, timeout=120)


def test_simulate_json_reports_what_the_broker_delivered(mosquitto) -> None:  # noqa: F811
    site = "sim-check"
    listener = Listener(mosquitto.port, site)
    out = run("--broker", mosquitto.url, "--site", site, "--boards", "4", "--duration", "3", "--json")
    assert out.returncode == 0, out.stderr
    rep = json.loads(out.stdout)
    # the subscriber got the last PUBACKed message before simulate exited? wait for the final statuses
    done = threading.Event()

    def check() -> None:
        if sum(1 for t, p, _ in listener.messages if t.endswith("/status") and b"stopped" in p) == 4:
            done.set()
    for _ in range(200):
        check()
        if done.wait(0.05):
            break
    listener.close()
    assert rep["boards"] == 4 and len(rep["per_board"]) == 4
    data = [decode(p) for t, p, _ in listener.messages if t.endswith("/data")]
    assert len(data) == rep["frames"] > 0
    assert sum(f.n_values for f in data) == rep["samples"] == sum(b["samples"] for b in rep["per_board"])
    metas = {t.split("/")[2]: json.loads(p) for t, p, _ in listener.messages if t.endswith("/meta")}
    assert set(metas) == {"sim-01", "sim-02", "sim-03", "sim-04"}
    assert metas["sim-01"]["experiment"] == "PHY-J-10" and metas["sim-04"]["experiment"] == "PHY-J-10"
    for m in metas.values():
        assert m["tick_period"] == 1 << 30
        for ch in m["channels"]:
            assert {"id", "quantity", "unit", "scale", "offset"} <= set(ch)
    # per board, sequence numbers count up by one (the gateway relies on it)
    by_board: dict[str, list[int]] = {}
    for t, p, _ in listener.messages:
        if t.endswith("/data"):
            by_board.setdefault(t.split("/")[2], []).append(decode(p).seq)
    for seqs in by_board.values():
        assert seqs == list(range(seqs[0], seqs[0] + len(seqs)))


def test_simulate_rate_and_experiment(mosquitto) -> None:  # noqa: F811
    site = "rate-check"
    listener = Listener(mosquitto.port, site)
    out = run("--broker", mosquitto.url, "--site", site, "--boards", "1", "--experiment", "PHY-S-08",
              "--rate", "500", "--duration", "2", "--json")
    assert out.returncode == 0, out.stderr
    rep = json.loads(out.stdout)
    listener.close()
    frames = [decode(p) for t, p, _ in listener.messages if t.endswith("/data")]
    assert {f.period_us for f in frames} == {2000}
    assert rep["per_board"][0]["experiment"] == "PHY-S-08"
    # two channels (voltage, current) at 500 Hz for about 2 s
    assert 1800 <= rep["samples"] <= 2 * 500 * 2 + 4


@pytest.mark.parametrize("args, code, message", [
    (("--site", "s", "--boards", "1", "--duration", "1", "--experiment", "NOPE-1"), 2, "no simulator for experiment"),
    (("--site", "Bad Site", "--boards", "1", "--duration", "1"), 2, "a-z, 0-9"),
    (("--site", "s", "--boards", "0", "--duration", "1"), 2, "--boards must be"),
])
def test_simulate_usage_errors(mosquitto, args, code, message) -> None:  # noqa: F811
    out = run("--broker", mosquitto.url, *args)
    assert out.returncode == code and message in out.stderr and out.stderr.count("\n") == 1, out.stderr


def test_simulate_unreachable_broker_is_one_line() -> None:
    out = run("--broker", f"mqtt://127.0.0.1:{free_port()}", "--site", "s", "--boards", "1", "--duration", "1")
    assert out.returncode == 1 and "cannot reach the MQTT broker" in out.stderr and out.stderr.count("\n") == 1
