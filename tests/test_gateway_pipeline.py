"""The pipeline in-process, fed with real v1 frames from simulated boards: accounting, clock, bad input."""

from __future__ import annotations

import sqlite3
import threading

import numpy as np
import pytest

from classlab.gateway.journal import FLAG_AFTER_GAP, Journal
from classlab.gateway.pipeline import Pipeline
from classlab.gateway.protocol import HEADER, HEADER_SIZE, FrameError, decode
from classlab.gateway.simboard import make_boards

BASE_NS = 1_790_000_000_000_000_000


class Recorder:
    """A transport that keeps what the boards publish, stamped with the (simulated) wall time."""

    def __init__(self) -> None:
        self.now = 0.0
        self.messages: list[tuple[str, bytes, float]] = []

    def publish(self, topic: str, payload: bytes, retain: bool = False) -> None:
        self.messages.append((topic, payload, self.now))


def run_boards(n: int, seconds: float, experiment: str | None = None, rate: float | None = None, step: float = 0.05,
               seed: int = 5):
    rec = Recorder()
    boards = make_boards("lab-1", n, lambda _b: rec.publish, experiment=experiment, rate_hz=rate, seed=seed)
    for b in boards:
        b.announce()
    t = 0.0
    while t < seconds:
        rec.now = t
        for b in boards:
            b.step(t)
        t += step
    return boards, rec.messages


def feed(pipeline: Pipeline, messages, skip=lambda i, topic, payload: False, delay_ms: float = 3.0) -> None:
    rng = np.random.default_rng(0)
    for i, (topic, payload, wall) in enumerate(messages):
        if skip(i, topic, payload):
            continue
        _, site, board, kind = topic.split("/")
        arrival = BASE_NS + int(wall * 1e9) + int(rng.uniform(0.5, delay_ms) * 1e6)
        pipeline.submit(site, board, kind, payload, arrival)
    assert pipeline.flush()


def sample_times(db: sqlite3.Connection, board: str):
    rows = db.execute("SELECT t0_ns, dt_ns, count FROM frames JOIN boards ON boards.id = board_id "
                      "WHERE board=? AND kind=1 ORDER BY frames.id", (board,)).fetchall()
    return np.concatenate([t0 + np.floor(np.arange(c) * dt).astype(np.int64) for t0, dt, c in rows])


@pytest.fixture
def journal(tmp_path):
    j = Journal(tmp_path / "j.db")
    yield j
    j.close()


def test_every_sample_stored_with_board_clock_times(journal) -> None:
    boards, messages = run_boards(3, 30.0, rate=50)
    p = Pipeline(journal).start()
    feed(p, messages)
    h = p.health()
    p.stop()
    sent = sum(b.sent.samples for b in boards)
    assert h["samples"] == sent > 4000 and h["frames"] == sum(b.sent.frames for b in boards)
    assert h["gaps"] == h["lost_samples"] == h["duplicates"] == h["rejected_total"] == 0
    db = sqlite3.connect(journal.path)
    for b in boards:
        t = sample_times(db, b.board)
        assert len(t) * 1 == b.sent.samples // len(b.model.channels)
        assert np.all(np.diff(t) > 0)
        # sample k was taken k·period after the first, on a board up to 50 ppm off: times follow suit
        # error bound: drift is only fitted after 30 s, so up to 50 ppm × 30 s = 1.5 ms, plus the
        # 0.5–3 ms spread of network delay the minimum filter has to see through
        span_true = (len(t) - 1) * b.period_us * 1e3 / (1 + b.drift)
        assert abs((t[-1] - t[0]) - span_true) < 4.5e6
        # and the first sample sits within the network delay of when it was really taken
        assert 0 <= BASE_NS - t[0] + 3e6 < 6e6
    stored = db.execute("SELECT sum(n_values) FROM frames").fetchone()[0]
    assert stored == sent


def test_lost_frames_are_counted_and_their_samples_estimated(journal) -> None:
    boards, messages = run_boards(2, 20.0, experiment="PHY-S-08", rate=200)
    data_idx = [i for i, (t, _, _) in enumerate(messages) if t.endswith("sim-01/data")]  # two gaps on one board
    lost = set(data_idx[10:13]) | {data_idx[40]}
    lost_samples = sum(decode(messages[i][1]).n_values for i in lost)
    p = Pipeline(journal).start()
    feed(p, messages, skip=lambda i, t, pl: i in lost)
    h = p.health()
    p.stop()
    sent = sum(b.sent.samples for b in boards)
    assert h["gaps"] == 4
    assert h["lost_samples"] == lost_samples
    assert h["samples"] + h["lost_samples"] == sent
    db = sqlite3.connect(journal.path)
    assert db.execute("SELECT count(*) FROM frames WHERE flags & ?", (FLAG_AFTER_GAP,)).fetchone()[0] == 2


def test_redelivered_frames_are_dropped_as_duplicates(journal) -> None:
    boards, messages = run_boards(1, 10.0, experiment="PHY-S-04")
    again = [m for m in messages if m[0].endswith("/data")][5:25]
    p = Pipeline(journal).start()
    feed(p, messages[:60] + again + messages[60:])
    h = p.health()
    p.stop()
    assert h["duplicates"] == 20 and h["samples"] == boards[0].sent.samples


def test_duplicates_are_recognised_after_a_gateway_restart(tmp_path) -> None:
    """A frame committed but not acked before a crash comes back from the broker: still a duplicate."""
    boards, messages = run_boards(1, 10.0, experiment="PHY-S-04")
    j = Journal(tmp_path / "j.db")
    p = Pipeline(j).start()
    feed(p, messages)
    p.stop()
    j.close()
    j = Journal(tmp_path / "j.db")
    p = Pipeline(j).start()
    data = [m for m in messages if m[0].endswith("/data")]
    feed(p, data[-5:])
    h = p.health()
    p.stop()
    j.close()
    assert h["duplicates"] == 5 and h["frames"] == 0


def test_malformed_payloads_are_counted_by_reason_and_the_rest_goes_on(journal) -> None:
    boards, messages = run_boards(1, 5.0, experiment="PHY-S-08", rate=100)
    good = next(pl for t, pl, _ in messages if t.endswith("/data"))
    bad = {
        "too_short": good[:20],
        "bad_magic": b"XL" + good[2:],
        "bad_version": good[:2] + b"\x02" + good[3:],
        "bad_length": good[:-3],
        "too_large": good + bytes(5000),
        "too_many_channels": good[:24] + b"\x40" + good[25:],
        "bad_kind": good[:3] + b"\x09" + good[4:],
        "random": bytes(np.random.default_rng(1).integers(0, 256, 300, dtype=np.uint8)),
    }
    p = Pipeline(journal).start()
    for payload in bad.values():
        p.submit("lab-1", "sim-01", "data", payload, BASE_NS)
    p.submit("lab-1", "sim-01", "meta", b"{not json", BASE_NS)
    feed(p, messages)
    h = p.health()
    p.stop()
    assert h["rejected_total"] == len(bad) + 1
    for reason in ("too_short", "bad_magic", "bad_version", "bad_length", "too_large", "too_many_channels",
                   "bad_kind", "bad_meta"):
        assert h["rejected"].get(reason, 0) >= 1, reason
    assert h["samples"] == boards[0].sent.samples  # every good frame still stored
    assert len(good) > HEADER_SIZE


def test_board_restart_resets_sequence_and_clock(journal) -> None:
    _, first = run_boards(1, 5.0, experiment="PHY-S-04")
    _, second = run_boards(1, 5.0, experiment="PHY-S-04", seed=6)  # same board id; seq and ticks start anew
    second = [(t, pl, w + 10.0) for t, pl, w in second]
    p = Pipeline(journal).start()
    feed(p, first + second)
    h = p.health()
    p.stop()
    assert h["restarts"] == 1 and h["duplicates"] == 0 and h["gaps"] == 0
    db = sqlite3.connect(journal.path)
    t = sample_times(db, "sim-01")
    assert np.all(np.diff(t) > 0)


@pytest.mark.parametrize("experiment", ["PHY-S-07", "PHY-S-14"])
def test_photogate_edges_are_stored_at_their_board_time(journal, experiment) -> None:
    """Event blocks (pack_events) → journal: every edge, at the time the model made it (± delay and drift)."""
    from classlab.experiments.sim import get_model

    boards, messages = run_boards(1, 30.0, experiment=experiment)
    b = boards[0]
    p = Pipeline(journal).start()
    feed(p, messages)
    h = p.health()
    p.stop()
    assert h["events"] == b.sent.events > 0 and h["samples"] == b.sent.samples
    db = sqlite3.connect(journal.path)
    stored = []
    for t0, dt, data in db.execute("SELECT t0_ns, dt_ns, data FROM frames WHERE kind=2 ORDER BY id"):
        ev = np.frombuffer(data, dtype=[("dt_us", "<u4"), ("channel", "u1"), ("level", "u1")])
        stored += [(t0 + int(e["dt_us"] * dt), int(e["channel"]), int(e["level"])) for e in ev]
    times = np.array([s[0] for s in stored])
    assert np.all(np.diff(times) >= 0)
    # the board loops the model: run r uses seed 5 + r and starts at the first sampling instant after
    # the previous run's end; its edges are shifted by that start
    want, start, seed, period_s = [], 0.0, 5, b.period_us * 1e-6
    while start < 30.0:
        m = get_model(experiment, seed=seed)
        want += [(start + t, c, lv) for t, c, lv in m.events(0.0, m.duration_s) if start + t < 30.0]
        start = np.ceil((start + m.duration_s) / period_s) * period_s
        seed += 1
    assert len(want) - 3 <= len(stored) <= len(want)  # the last ~0.1 s may not have been sent yet
    want = want[: len(stored)]
    assert [(c, lv) for _, c, lv in stored] == [(c, lv) for _, c, lv in want]
    err = [(t - BASE_NS) / 1e9 - w[0] for (t, _, _), w in zip(stored, want, strict=True)]
    assert max(abs(e) for e in err) < 0.006  # network delay (≤ 3 ms) + 50 ppm over 30 s (1.5 ms)


def test_a_full_disk_is_reported_and_nothing_is_acked(journal) -> None:
    """SQLite refuses the write (here: a page limit, as on a full disk): status error, no ack, no crash."""
    _, messages = run_boards(1, 80.0, experiment="PHY-S-08", rate=200)
    (pages,) = journal.db.execute("PRAGMA page_count").fetchone()
    (page_size,) = journal.db.execute("PRAGMA page_size").fetchone()
    assert sum(len(pl) for _, pl, _ in messages) > page_size  # more than the empty frames table holds
    journal.db.execute(f"PRAGMA max_page_count={pages}")  # the file may not grow
    acked: list[int] = []
    p = Pipeline(journal).start()
    for i, (topic, payload, wall) in enumerate(messages):
        _, site, board, kind = topic.split("/")
        p.submit(site, board, kind, payload, BASE_NS + int(wall * 1e9), ack=lambda i=i: acked.append(i))
    assert p.flush()
    h = p.health()
    p.stop()
    assert h["status"] == "error" and "journal write failed" in h["warnings"][0]
    assert h["frames"] == 0 and acked == []  # the broker keeps every message for a later session


def _frame(seq: int, *, nch: int = 1, code: str = "h", count: int = 3, period: int = 50, channels=None,
           extra: int = 0, magic: bytes = b"CL", version: int = 1, kind: int = 1) -> bytes:
    chans = bytes(channels if channels is not None else range(nch))
    body = np.arange(count * nch, dtype=np.int64).astype(f"<{code if code in 'hHiI' else 'h'}").tobytes()
    body = body + bytes(extra) if extra >= 0 else body[:extra]
    return HEADER.pack(magic, version, kind, seq, 1000 + seq, 2000 + seq * 200, period, 0, nch, ord(code),
                       count) + chans + body


def test_sample_blocks_are_accepted_and_rejected_exactly_as_decode_says(journal) -> None:
    """The pipeline's fast path for sample blocks must agree with protocol.decode() on every edge."""
    cases = [
        _frame(1), _frame(1, nch=3, code="I", count=5), _frame(1, nch=2, code="H"), _frame(1, code="i", count=0),
        _frame(1, period=0, count=1), _frame(1, nch=0, count=0), _frame(1, nch=32, count=1),
        _frame(1, nch=2, channels=[4, 4]), _frame(1, code="q"), _frame(1, extra=1), _frame(1, extra=-1),
        _frame(1, period=0, count=2), _frame(1, nch=0, count=3), _frame(1, nch=33, count=0),
        _frame(1, magic=b"CX"), _frame(1, version=2), _frame(1, kind=7), _frame(1, count=2100),
        _frame(1)[:27], bytearray(_frame(1, nch=2, channels=[7, 3])),
    ]
    expected: dict[str, int] = {}
    accepted = {}
    for i, payload in enumerate(cases):
        try:
            accepted[f"b{i:02d}"] = decode(bytes(payload))
        except FrameError as exc:
            expected[exc.reason] = expected.get(exc.reason, 0) + 1
    assert len(accepted) >= 6 and len(expected) >= 8  # both sides of every check are exercised
    p = Pipeline(journal).start()
    for i, payload in enumerate(cases):
        p.submit("lab-1", f"b{i:02d}", "data", payload, BASE_NS + i)
    assert p.flush()
    h = p.health()
    p.stop()
    assert h["rejected"] == expected
    rows = journal.db.execute("SELECT board, kind, seq, count, nch, channels, dtype, n_values, data FROM frames "
                              "JOIN boards ON boards.id = board_id ORDER BY board").fetchall()
    assert [r[0] for r in rows] == sorted(accepted)
    for board, kind, seq, count, nch, channels, dtype, n_values, data in rows:
        f = accepted[board]
        assert (kind, seq, count, nch, tuple(channels)) == (f.kind, f.seq, f.count, len(f.channels), f.channels)
        assert dtype == {"<i2": "h", "<u2": "H", "<i4": "i", "<u4": "I"}[f.dtype.str] and n_values == f.n_values
        assert np.array_equal(np.frombuffer(data, f.samples.dtype).reshape(f.count, nch), f.samples)


def test_live_bus_carries_committed_frames_as_decoded(journal) -> None:
    _, messages = run_boards(1, 3.0, experiment="PHY-S-08", rate=100)
    p = Pipeline(journal).start()
    sub = p.bus.subscribe(maxlen=10_000)
    feed(p, messages)
    p.stop()
    live = [f for batch in sub.drain() for f in batch]
    sent = [decode(pl) for t, pl, _ in messages if t.endswith("/data")]
    sent = [f for f in sent if f.kind != 3]  # status frames are not on the live bus
    assert len(live) == len(sent) > 10
    t0s = [t for (t,) in journal.db.execute("SELECT t0_ns FROM frames WHERE kind != 3 ORDER BY id")]
    for lf, f, t0 in zip(live, sent, t0s, strict=True):
        assert (lf.key, lf.kind, lf.channels, lf.t0_ns) == ("lab-1/sim-01", f.kind, f.channels, t0)
        assert np.array_equal(lf.samples, f.samples) and np.array_equal(lf.events, f.events)
        assert lf.meta is not None and lf.meta.get("channels")
    assert [f for batch in p.bus.subscribe(replay=True).drain() for f in batch][-1].t0_ns == t0s[-1]


def test_acks_follow_the_commit_in_order_from_either_thread(journal) -> None:
    """Acks go out after the commit that holds the message, in arrival order, whether the source's thread
    sends them (send_acks at its next message) or the writer does (nobody else did within the grace)."""
    _, messages = run_boards(1, 30.0, experiment="PHY-S-08", rate=200)
    acked: list[int] = []
    early: list[int] = []
    committed = [0]  # messages committed so far (batches hold messages in arrival order)
    all_acked = threading.Event()
    senders: set[str] = set()
    p = Pipeline(journal, linger_s=0.001, max_batch=8)
    commit, append, in_batch = p._commit, journal.append, [0]

    def commit_and_count(batch) -> None:
        in_batch[0] = batch.messages
        commit(batch)

    def append_and_count(rows, boards=()) -> None:
        append(rows, boards)
        committed[0] += in_batch[0]  # the commit returned: its messages may be acked from now on

    journal.append = append_and_count

    def ack(i: int) -> None:
        if i >= committed[0]:
            early.append(i)
        senders.add(threading.current_thread().name)
        acked.append(i)
        if len(acked) == len(messages):
            all_acked.set()

    p._commit = commit_and_count
    p.start()
    for i, (topic, payload, wall) in enumerate(messages):
        _, site, board, kind = topic.split("/")
        p.send_acks(False)  # as MqttSource does at each message
        p.submit(site, board, kind, payload, BASE_NS + int(wall * 1e9), ack=lambda i=i: ack(i))
    assert all_acked.wait(10)  # no flush: the writer sends the last acks after the grace
    p.stop()
    assert early == [] and acked == list(range(len(messages)))
    assert "classlab-journal" in senders
