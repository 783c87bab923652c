"""Gateway stages on their own: topics, config, clock, sequence check, journal bound, live bus."""

from __future__ import annotations

import json
import sqlite3

import numpy as np
import pytest

from classlab.gateway import topics
from classlab.gateway.bus import LiveBus
from classlab.gateway.clock import BoardClock
from classlab.gateway.config import ConfigError, load
from classlab.gateway.journal import Journal
from classlab.gateway.validate import DUPLICATE, GAP, LATE, OK, RESTART, SeqTracker

P30 = 1 << 30


def test_topics_round_trip_and_reject_bad_ids() -> None:
    assert topics.parse(topics.topic("school-a", "b-07", "data")) == ("school-a", "b-07", "data")
    for bad in ("classlab/School/b1/data", "classlab/s/b1/other", "x/s/b1/data", "classlab/s/b1/data/x",
                f"classlab/{'a' * 33}/b/data"):
        assert topics.parse(bad) is None, bad
    with pytest.raises(ValueError, match="a-z, 0-9"):
        topics.check_id("Room 1", "site id")


EXAMPLE = """
[site]
id = "school-a"
[mqtt]
url = "mqtt://127.0.0.1:1883"
[journal]
path = "data/j.db"
max_bytes = 10485760
[http]
port = 8080
"""


def test_config_loads_the_shipped_example_and_a_minimal_file(tmp_path) -> None:
    from importlib import resources

    example = tmp_path / "example.toml"
    example.write_text(resources.files("classlab.gateway").joinpath("classlab.example.toml").read_text())
    cfg = load(example)
    assert cfg.site == "school-a" and cfg.http_port == 8000 and cfg.influxdb is None
    f = tmp_path / "c.toml"
    f.write_text(EXAMPLE)
    cfg = load(f)
    assert cfg.journal_path == (tmp_path / "data" / "j.db").resolve()
    assert cfg.max_bytes == 10485760 and cfg.http_port == 8080


@pytest.mark.parametrize("edit, message", [
    (("port = 8080", "port = \"8080\""), r"c\.toml:10: \[http\] port must be an integer"),
    (("max_bytes = 10485760", "max_bytes = 10485760\nmax_size = 1"), r"c\.toml:9: unknown key \[journal\] 'max_size'"),
    (("[http]", "[htpp]"), r"c\.toml:9: unknown table or key 'htpp'"),
    (("id = \"school-a\"", "id = \"School A\""), r"c\.toml:3: .*site\] id"),
    (("url = \"mqtt://127.0.0.1:1883\"", "url = \"http://x\""), r"c\.toml:5: \[mqtt\] url"),
    (("[journal]\npath = \"data/j.db\"\nmax_bytes = 10485760\n", ""), r"\[journal\] is missing"),
    (("port = 8080", "port = true"), r"port must be an integer, got bool"),
    (("port = 8080", "port = 8080\n[influxdb]\nurl = \"ftp://x\""), r"c\.toml:12: \[influxdb\] url"),
    (("id = \"school-a\"", "id = "), r"not valid TOML"),
])
def test_config_errors_name_key_and_line(tmp_path, edit, message) -> None:
    f = tmp_path / "c.toml"
    f.write_text(EXAMPLE.replace(*edit))
    with pytest.raises(ConfigError, match=message):
        load(f)


def test_clock_unwraps_ticks_and_ignores_network_delay() -> None:
    """A board 40 ppm fast, ticks wrapping every 2^30 µs; arrivals delayed by 1–80 ms of jitter."""
    rng = np.random.default_rng(3)
    true_offset = 1_700_000_000_000_000_000
    drift = 40e-6
    clock = BoardClock(P30)
    tick0 = P30 - 5_000_000  # wraps 5 s in
    worst = 0.0
    for k in range(4000):  # one frame every 0.5 s: 2000 s, almost two wraps
        t_true_s = k * 0.5
        board_us = int(t_true_s * 1e6 * (1 + drift))
        arrival = true_offset + int(t_true_s * 1e9) + int(rng.uniform(1e6, 80e6) if k % 7 else 1e6)
        obs = clock.observe((tick0 + board_us) % P30, arrival)
        assert not obs.fallback or k == 0
        assert obs.utx == tick0 + board_us
        if k > 200:
            err = clock.to_ns(obs.utx) - (true_offset + t_true_s * 1e9)
            worst = max(worst, abs(err))
    assert worst < 2e6  # within 2 ms of the truth despite up to 80 ms of delay
    assert abs(clock.drift_ppm - 40) < 5
    assert clock.before((tick0 + 10) % P30, tick0 + 20) == tick0 + 10


def test_clock_falls_back_to_arrival_time_when_the_board_clock_jumps() -> None:
    clock = BoardClock(P30)
    base = 1_700_000_000_000_000_000
    for k in range(100):
        clock.observe(k * 500_000, base + k * 500_000_000 + 2_000_000)
    obs = clock.observe(100 * 500_000 + 60_000_000, base + 100 * 500_000_000)  # ticks jumped a minute ahead
    assert obs.fallback and clock.resets == 1
    assert clock.to_ns(obs.utx) == base + 100 * 500_000_000
    assert clock.observe(0, base).fallback  # t_tx = 0: no transmit tick


def test_clock_state_survives_a_restart() -> None:
    a, c = BoardClock(P30), BoardClock(P30)
    base = 1_700_000_000_000_000_000
    for k in range(50):
        a.observe(k * 1_000_000, base + k * 1_000_000_000 + 3_000_000)
        c.observe(k * 1_000_000, base + k * 1_000_000_000 + 3_000_000)
    b = BoardClock(P30)
    b.load(json.loads(json.dumps(a.state())))  # as the journal keeps it
    obs = b.observe(50 * 1_000_000, base + 50 * 1_000_000_000 + 9_000_000)
    c.observe(50 * 1_000_000, base + 50 * 1_000_000_000 + 9_000_000)
    assert not obs.fallback and obs.utx == 50_000_000
    assert b.to_ns(obs.utx) == c.to_ns(50_000_000) == base + 50 * 1_000_000_000 + 3_000_000


def test_sequence_gaps_duplicates_late_and_restart() -> None:
    s = SeqTracker(P30)
    assert s.check(10, 1000) == (OK, 0)
    assert s.check(11, 2000) == (OK, 0)
    assert s.check(11, 2000) == (DUPLICATE, 0)
    assert s.check(15, 6000) == (GAP, 3)
    assert s.check(13, 4000) == (LATE, 0)
    assert s.check(2**32 - 1, 7000)[0] == RESTART  # far behind, never seen: the board restarted
    assert s.check(0, 8000) == (OK, 0)  # u32 wrap
    assert s.check(0, 8000) == (DUPLICATE, 0)


def test_journal_bound_evicts_oldest_and_warns_before_unforwarded(tmp_path) -> None:
    j = Journal(tmp_path / "j.db", max_bytes=1 << 20, forwarder="influxdb", check_every=1)
    bid = j.board_id("s", "b")
    blob = bytes(4000)
    row = (bid, 1, 0, 0, 1000.0, 2000, 1, b"\x00", "h", 2000, 0, 0, 0, 0, 0, blob)
    for _ in range(200):
        j.append([row] * 5)
    st = j.stats()
    assert st["live_bytes"] <= 1 << 20
    assert st["evicted"] > 0 and st["evicted_unforwarded"] == st["evicted"]  # nothing was forwarded
    assert st["warning"] and "not yet forwarded" in st["warning"]
    # once the forwarder has caught up, forwarded frames go first and nothing unforwarded is lost
    (last,) = j.db.execute("SELECT max(id) FROM frames").fetchone()
    j.db.execute("UPDATE cursors SET last_id=?", (last,))
    before = st["evicted_unforwarded"]
    (held,) = j.db.execute("SELECT count(*) FROM frames").fetchone()  # what the bound holds (page size)
    assert held >= 50
    for _ in range(held // 10):  # half as many new frames: the forwarded ones make room
        j.append([row] * 5)
    assert j.stats()["evicted_unforwarded"] == before and j.stats()["evicted"] > st["evicted"]
    j.close()
    db = sqlite3.connect(tmp_path / "j.db")
    assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_live_bus_fans_out_and_drops_oldest_for_slow_consumers() -> None:
    bus = LiveBus(history_s=0)
    woke = []
    a = bus.subscribe(maxlen=3, notify=lambda: woke.append(1))
    b = bus.subscribe(maxlen=100)
    for i in range(5):
        bus.publish(i)
    assert a.drain() == [2, 3, 4] and a.dropped == 2 and len(woke) == 1
    assert b.drain() == [0, 1, 2, 3, 4]
    a.close()
    bus.publish(9)
    assert a.drain() == [] and b.drain() == [9]


def test_live_bus_replays_recent_batches_to_a_new_subscriber() -> None:
    bus = LiveBus(history_s=60)
    for i in range(3):
        bus.publish(i)
    assert bus.subscribe(replay=True).drain() == [0, 1, 2]
    assert bus.subscribe().drain() == []


def test_config_accepts_an_influxdb_table_and_the_journal_counts_the_backlog(tmp_path) -> None:
    f = tmp_path / "c.toml"
    f.write_text(EXAMPLE + '[influxdb]\nurl = "http://127.0.0.1:8086"\ndatabase = "classlab"\n')
    cfg = load(f)
    assert cfg.influxdb == {"url": "http://127.0.0.1:8086", "database": "classlab"}
    j = Journal(tmp_path / "j.db", forwarder="influxdb", check_every=1)
    bid = j.board_id("s", "b")
    j.append([(bid, 1, 0, 0, 1000.0, 1, 1, b"\x00", "h", 1, 0, 0, 0, 0, 0, b"\x00\x00")] * 7)
    assert j.stats()["backlog"] == 7
    j.close()


SERIAL = EXAMPLE + """
[[serial]]
port = "/dev/ttyACM0"
board = "pico-1"

[[serial]]
board = "esp-2"
port = "COM3"
baud = 921600
"""


def test_config_reads_serial_boards_with_their_lines(tmp_path) -> None:
    f = tmp_path / "c.toml"
    f.write_text(SERIAL)
    cfg = load(f)
    assert [(s.port, s.board, s.baud, s.line) for s in cfg.serial] == [
        ("/dev/ttyACM0", "pico-1", 115200, 12), ("COM3", "esp-2", 921600, 16)]
    f.write_text(EXAMPLE)
    assert load(f).serial == []


def test_the_example_serial_table_works_when_uncommented(tmp_path) -> None:
    from importlib import resources

    text = resources.files("classlab.gateway").joinpath("classlab.example.toml").read_text()
    lines = text.splitlines()
    start = lines.index("# [[serial]]")
    for i in range(start, start + 4):
        lines[i] = lines[i][2:]
    f = tmp_path / "example.toml"
    f.write_text("\n".join(lines))
    assert [(s.port, s.board, s.baud) for s in load(f).serial] == [("/dev/ttyACM0", "pico-1", 115200)]


@pytest.mark.parametrize("edit, message", [
    (("baud = 921600", "baud = 921600\nbits = 8"), r"c\.toml:20: unknown key \[\[serial\]\] 'bits'"),
    (("baud = 921600", "baud = \"fast\""), r"c\.toml:19: \[\[serial\]\] baud must be an integer, got str"),
    (("baud = 921600", "baud = 12"), r"c\.toml:19: \[\[serial\]\] baud must be 300–4000000, got 12"),
    (("board = \"esp-2\"", "board = \"ESP 2\""), r"c\.toml:17: .*\[\[serial\]\] board"),
    (("board = \"esp-2\"", "board = \"pico-1\""),
     r"c\.toml:17: \[\[serial\]\] board 'pico-1' is already used by the \[\[serial\]\] entry on line 12"),
    (("port = \"COM3\"", "port = \"/dev/ttyACM0\""), r"c\.toml:18: \[\[serial\]\] port '/dev/ttyACM0' is already"),
    (("board = \"esp-2\"\n", ""), r"c\.toml:16: \[\[serial\]\] needs 'board'"),
    (("port = \"/dev/ttyACM0\"", "port = \"  \""), r"c\.toml:13: \[\[serial\]\] port is empty"),
    (("[[serial]]\nboard = \"esp-2\"\nport = \"COM3\"\nbaud = 921600\n", "[serial]\nport = \"COM3\"\n"),
     r"c\.toml:13: 'serial' must be written \[\[serial\]\]"),
])
def test_serial_config_errors_name_key_and_line(tmp_path, edit, message) -> None:
    f = tmp_path / "c.toml"
    text = SERIAL.replace(*edit)
    if "[serial]\n" in text:  # only a plain [serial] table in the file (mixing both is not valid TOML)
        text = text.replace('[[serial]]\nport = "/dev/ttyACM0"\nboard = "pico-1"\n', "")
    f.write_text(text)
    with pytest.raises(ConfigError, match=message):
        load(f)


def test_journal_append_stores_every_row_in_order_whatever_the_batch_size(tmp_path) -> None:
    j = Journal(tmp_path / "j.db")
    bid = j.board_id("s", "b")
    seq = 0
    for n in (0, 1, 63, 64, 65, 130, 7):
        rows = [(bid, 1, seq + i, 1000 + seq + i, 1000.0, 2, 1, b"\x00", "h", 2, 0, seq + i, seq + i, 0, 0,
                 memoryview(np.array([seq + i, -(seq + i)], "<i2").tobytes())) for i in range(n)]
        j.append(rows)
        seq += n
    got = j.db.execute("SELECT seq, t0_ns, data FROM frames ORDER BY id").fetchall()
    j.close()
    assert [s for s, _, _ in got] == list(range(seq)) and [t for _, t, _ in got] == [1000 + i for i in range(seq)]
    assert all(np.frombuffer(d, "<i2").tolist() == [i, -i] for i, (_, _, d) in enumerate(got))
