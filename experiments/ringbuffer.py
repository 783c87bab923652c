"""Host ring buffer for live analysis / 上位机环形缓冲区（实时分析用）.

One :class:`RingBuffer` per template buffer group: a preallocated float64 time array (s) and a
preallocated float64 value block of ``capacity`` rows × one column per channel. Each channel's data
is a column of that block, so a decoded frame (``(count, nch)``, sample-major, as
``gateway.protocol.decode`` gives it) goes in with **one slice copy for the values and one for the
times** — two of each when the block crosses the end of the storage. Nothing is allocated per append.

Layout decision — **a (first, second) pair of views**, not the mirrored "double-write" layout:
the mirror writes every byte twice (halving append throughput, measured in ``bench/ringbuffer.py``)
to make every window contiguous. Here ``window(n)`` / ``since(t)`` return a :class:`Window` holding
one or two zero-copy views (older part first); ``Window.times()`` / ``Window.column(name)`` give one
contiguous array — the view itself when the window does not cross the wrap, otherwise a concatenation
(a copy of just the window, which an analysis step would make anyway). Building a window is O(1) in the
buffer size (``since`` is a binary search, O(log n)).

Views alias the storage: a later append overwrites the oldest samples in place. ``Window.valid()``
tells whether a window's samples are still all there. Counters: ``total`` (samples appended ever),
``overwritten`` (samples lost to the wrap). Time must not go backwards between blocks (equal stamps
are allowed); ordering inside a block is checked only at its ends, to keep small appends cheap.
Not thread-safe: one writer and its readers on one thread (the runtime's event loop).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

__all__ = ["RingBuffer", "Window"]


@dataclass(frozen=True)
class Window:
    """The samples ``[start, start + len)`` (absolute sample numbers) of a buffer, as 1–2 view parts."""

    buffer: RingBuffer
    start: int
    t_parts: tuple[np.ndarray, ...]
    v_parts: tuple[np.ndarray, ...]

    def __len__(self) -> int:
        return sum(p.size for p in self.t_parts)

    @property
    def wrapped(self) -> bool:
        """True if the window crosses the end of the storage (two parts)."""
        return len(self.t_parts) == 2

    def times(self) -> np.ndarray:
        """Times (s), contiguous: a view unless the window is wrapped."""
        return _join(self.t_parts)

    def column(self, channel: str | int) -> np.ndarray:
        """One channel's values, contiguous: a view unless the window is wrapped."""
        j = self.buffer.index(channel)
        return _join(tuple(p[:, j] for p in self.v_parts))

    def column_parts(self, channel: str | int) -> tuple[np.ndarray, ...]:
        """One channel's values as zero-copy views (older part first)."""
        j = self.buffer.index(channel)
        return tuple(p[:, j] for p in self.v_parts)

    def valid(self) -> bool:
        """False once a later append has overwritten some of this window's samples."""
        return self.start >= self.buffer.total - self.buffer.capacity


def _join(parts: tuple[np.ndarray, ...]) -> np.ndarray:
    if len(parts) == 1:
        return parts[0]
    if not parts:
        return np.zeros(0)
    return np.concatenate(parts)


class RingBuffer:
    """Preallocated ring of ``capacity`` samples of ``channels`` (see the module docstring).

    ``on_append(buffer, count)`` is called after each append (a hook for the live runtime).
    """

    def __init__(self, channels: Sequence[str], capacity: int,
                 on_append: Callable[[RingBuffer, int], None] | None = None) -> None:
        if capacity < 1:
            raise ValueError(f"capacity must be at least 1, got {capacity}")
        if not channels or len(set(channels)) != len(channels):
            raise ValueError(f"channels must be distinct names, got {list(channels)}")
        self.channels = tuple(channels)
        self.capacity = int(capacity)
        self._t = np.zeros(self.capacity, dtype=np.float64)
        self._v = np.zeros((self.capacity, len(self.channels)), dtype=np.float64)
        self._index = {name: j for j, name in enumerate(self.channels)}
        self._nch = len(self.channels)
        self._last = -math.inf  # newest time appended (s)
        self.total = 0  # samples appended since creation (or clear)
        self.on_append = on_append

    def __len__(self) -> int:
        return min(self.total, self.capacity)

    @property
    def overwritten(self) -> int:
        """Samples lost to the wrap (appended but no longer held)."""
        return max(0, self.total - self.capacity)

    def index(self, channel: str | int) -> int:
        if isinstance(channel, int):
            if not 0 <= channel < len(self.channels):
                raise IndexError(f"channel {channel} out of range 0..{len(self.channels) - 1}")
            return channel
        try:
            return self._index[channel]
        except KeyError:
            raise KeyError(f"no channel {channel!r}; channels: {list(self.channels)}") from None

    @property
    def last_time(self) -> float | None:
        return None if self.total == 0 else float(self._t[(self.total - 1) % self.capacity])

    def clear(self) -> None:
        self.total = 0
        self._last = -math.inf

    def append(self, t: np.ndarray, values: np.ndarray | Mapping[str, np.ndarray]) -> None:
        """Append ``k`` samples: ``t`` (k,) in s, ``values`` (k, nch) sample-major, (k,) for one
        channel, or a mapping channel → (k,) (stacked first, which copies). Vectorised: at most two
        slice copies each for times and values. Raises ValueError for wrong shapes or for time going
        back across blocks (``t[0]`` before the newest held time, or ``t[-1] < t[0]``); order *inside*
        a block is the sender's promise (the gateway's validate stage, the CSV reader's sort).
        """
        if type(values) is not np.ndarray or type(t) is not np.ndarray or values.ndim != 2:
            t, values = self._coerce(t, values)
        k = t.shape[0]
        shape = values.shape
        if shape[0] != k or shape[1] != self._nch or t.ndim != 1:
            raise ValueError(f"append: expected t ({k},) and values ({k}, {self._nch}), got {t.shape} and {shape}")
        if k == 0:
            return
        t_first, t_last = t.item(0), t.item(k - 1)  # Python floats: cheaper to compare than numpy scalars
        if t_first < self._last or t_last < t_first:
            raise ValueError("append: time went backwards (sort the block or reset the buffer)")
        cap = self.capacity
        total = self.total
        if k > cap:  # only the newest `cap` samples can be kept
            total += k - cap
            t, values, k = t[-cap:], values[-cap:], cap
        w = total % cap
        end = w + k
        if end <= cap:
            self._t[w:end] = t
            self._v[w:end] = values
        else:
            first = cap - w
            self._t[w:] = t[:first]
            self._v[w:] = values[:first]
            self._t[: k - first] = t[first:]
            self._v[: k - first] = values[first:]
        self.total = total + k
        self._last = t_last
        if self.on_append is not None:
            self.on_append(self, k)

    def _coerce(self, t: object, values: object) -> tuple[np.ndarray, np.ndarray]:
        t = np.asarray(t, dtype=np.float64)
        if t.ndim != 1:
            raise ValueError(f"append: t must be 1-D, got shape {t.shape}")
        if isinstance(values, Mapping):
            missing = set(self.channels) - set(values)
            if missing:
                raise ValueError(f"append: missing channels {sorted(missing)}")
            return t, np.column_stack([np.asarray(values[c], dtype=np.float64) for c in self.channels])
        v = np.asarray(values, dtype=np.float64)
        if v.ndim == 1 and self._nch == 1:
            v = v[:, None]
        return t, v

    def _window(self, start: int) -> Window:
        """Samples from absolute number ``start`` to the newest."""
        end = self.total
        start = max(start, end - self.capacity, 0)
        if start >= end:
            return Window(self, end, (self._t[:0],), (self._v[:0],))
        a, b = start % self.capacity, end % self.capacity
        if a < b or b == 0:
            stop = b if b else self.capacity
            return Window(self, start, (self._t[a:stop],), (self._v[a:stop],))
        return Window(self, start, (self._t[a:], self._t[:b]), (self._v[a:], self._v[:b]))

    def window(self, n: int | None = None) -> Window:
        """The newest ``n`` samples (all held samples if None), as zero-copy views."""
        held = len(self)
        n = held if n is None else min(max(int(n), 0), held)
        return self._window(self.total - n)

    def since(self, t0: float) -> Window:
        """Held samples with time ≥ ``t0`` (s), found by binary search over the two parts."""
        whole = self._window(self.total - len(self))
        offset = 0
        for part in whole.t_parts:
            i = int(np.searchsorted(part, t0, side="left"))
            if i < part.size:
                return self._window(whole.start + offset + i)
            offset += part.size
        return self._window(self.total)
