"""Host ring buffer: vectorised appends, zero-copy windows across the wrap, overwrite counts."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from classlab.experiments.ringbuffer import RingBuffer
from tests.conftest import ROOT


def block(start: int, k: int, nch: int = 2) -> tuple[np.ndarray, np.ndarray]:
    idx = np.arange(start, start + k, dtype=np.float64)
    return idx * 0.01, np.column_stack([idx * (j + 1) for j in range(nch)])


def test_append_and_window_without_wrap_are_views() -> None:
    rb = RingBuffer(["v", "i"], 100)
    rb.append(*block(0, 30))
    w = rb.window(10)
    assert len(w) == 10 and not w.wrapped and w.valid()
    assert np.array_equal(w.column("v"), np.arange(20, 30.0))
    assert np.array_equal(w.column("i"), 2 * np.arange(20, 30.0))
    assert np.shares_memory(w.times(), rb._t) and np.shares_memory(w.column("v"), rb._v)
    assert len(rb) == 30 and rb.overwritten == 0 and rb.last_time == pytest.approx(0.29)


def test_window_across_the_wrap_is_two_zero_copy_parts() -> None:
    rb = RingBuffer(["v", "i"], 50)
    for s in range(0, 130, 13):  # blocks straddle the end of the storage
        rb.append(*block(s, 13))
    assert rb.total == 130 and len(rb) == 50 and rb.overwritten == 80
    w = rb.window(40)
    assert w.wrapped
    for part in (*w.t_parts, *w.column_parts("v")):
        assert np.shares_memory(part, rb._t) or np.shares_memory(part, rb._v)
    assert np.array_equal(w.column("v"), np.arange(90, 130.0))
    assert np.array_equal(w.times(), np.arange(90, 130.0) * 0.01)
    assert np.array_equal(rb.window().column(1), 2 * np.arange(80, 130.0))
    assert len(rb.window(10_000)) == 50 and len(rb.window(0)) == 0


def test_since_uses_time_across_the_wrap() -> None:
    rb = RingBuffer(["x"], 64)
    for s in range(0, 200, 25):
        t, v = block(s, 25, 1)
        rb.append(t, v[:, 0])
    w = rb.since(1.5)
    assert np.array_equal(w.column("x"), np.arange(150, 200.0))
    assert np.allclose(rb.since(-1).times(), np.arange(136, 200) * 0.01)  # only held samples
    assert len(rb.since(99.0)) == 0


def test_block_larger_than_capacity_keeps_the_newest() -> None:
    rb = RingBuffer(["x"], 10)
    rb.append(*block(0, 3, 1))
    rb.append(*block(3, 25, 1))
    assert rb.total == 28 and rb.overwritten == 18
    assert np.array_equal(rb.window().column("x"), np.arange(18, 28.0))


def test_window_validity_and_hook() -> None:
    seen = []
    rb = RingBuffer(["x"], 10, on_append=lambda buf, k: seen.append((buf.total, k)))
    rb.append(*block(0, 8, 1))
    w = rb.window(8)
    rb.append(*block(8, 2, 1))
    assert w.valid()  # sample 0 is still held (10 of 10)
    rb.append(*block(10, 1, 1))
    assert not w.valid()  # sample 0 was overwritten in place
    assert seen == [(8, 8), (10, 2), (11, 1)]


def test_mapping_input_and_errors() -> None:
    rb = RingBuffer(["v", "i"], 10)
    rb.append(np.array([0.0, 0.1]), {"v": np.array([1.0, 2.0]), "i": np.array([3.0, 4.0])})
    assert np.array_equal(rb.window().column("i"), [3.0, 4.0])
    with pytest.raises(ValueError, match="backwards"):
        rb.append(np.array([0.05]), np.array([[1.0, 1.0]]))
    with pytest.raises(ValueError, match="backwards"):
        rb.append(np.array([0.3, 0.2]), np.ones((2, 2)))
    with pytest.raises(ValueError, match="expected"):
        rb.append(np.array([0.3]), np.ones((1, 3)))
    with pytest.raises(ValueError, match="missing"):
        rb.append(np.array([0.3]), {"v": np.ones(1)})
    with pytest.raises(KeyError, match="channels"):
        rb.window().column("x")
    with pytest.raises(ValueError):
        RingBuffer(["a", "a"], 5)
    with pytest.raises(ValueError):
        RingBuffer(["a"], 0)
    rb.append(np.array([0.1]), np.array([[5.0, 6.0]]))  # an equal time stamp is allowed
    rb.clear()
    assert len(rb) == 0 and len(rb.window()) == 0


@settings(max_examples=60, deadline=None, derandomize=True, database=None)
@given(cap=st.integers(1, 40), sizes=st.lists(st.integers(0, 60), min_size=1, max_size=12), n=st.integers(0, 50))
def test_matches_a_plain_list_model(cap: int, sizes: list[int], n: int) -> None:
    rb = RingBuffer(["a", "b"], cap)
    model: list[float] = []
    start = 0
    for k in sizes:
        t, v = block(start, k)
        rb.append(t, v)
        model.extend(v[:, 0])
        start += k
    held = model[-cap:] if model else []
    assert rb.total == len(model) and len(rb) == len(held) and rb.overwritten == len(model) - len(held)
    want = held[len(held) - min(n, len(held)):]
    w = rb.window(n)
    assert list(w.column("a")) == want
    assert list(w.column("b")) == [2 * x for x in want]
    assert list(w.times()) == [x * 0.01 for x in want]


def test_bench_prints_json_of_the_right_shape() -> None:
    out = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "ringbuffer.py"), "--json", "--quick"],
        capture_output=True, text=True, check=True, timeout=120,
    )
    data = json.loads(out.stdout)
    assert data["bench"] == "ringbuffer"
    assert {r["block"] for r in data["append"]} == {64, 512, 4096}
    for r in data["append"]:
        assert {"samples_per_s", "bytes_per_s", "baseline_bytes_per_s", "ratio", "channels"} <= set(r)
        assert r["samples_per_s"] > 0 and r["ratio"] > 0
    sizes = [r["capacity"] for r in data["window"]]
    assert sizes == sorted(sizes) and len(sizes) >= 3
    for r in data["window"]:
        assert r["window_us"] > 0 and r["since_us"] > 0
    assert "goal_ratio" in data and "window_cost_spread" in data and "window_cost_slope" in data
