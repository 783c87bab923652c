"""Frame protocol v1: decoder (numpy, no per-sample Python loop). Spec: docs/protocol.md.

Errors::

    FrameError            a payload that is not a valid v1 frame; .reason is a short code
                          counted in /api/health ("bad_magic", "bad_version", ...)
"""

from __future__ import annotations

import json
import struct
from dataclasses import dataclass, field
from typing import Any

import numpy as np

MAGIC = b"CL"
VERSION = 1
KIND_SAMPLES, KIND_EVENTS, KIND_STATUS = 1, 2, 3
KIND_NAMES = {KIND_SAMPLES: "samples", KIND_EVENTS: "events", KIND_STATUS: "status"}
HEADER = struct.Struct("<2sBBIIIIIBBH")
HEADER_SIZE = HEADER.size  # 28
MAX_FRAME = 4096
MAX_CHANNELS = 32
DTYPES: dict[int, np.dtype[Any]] = {ord("h"): np.dtype("<i2"), ord("H"): np.dtype("<u2"), ord("i"): np.dtype("<i4"), ord("I"): np.dtype("<u4")}
EVENT_DTYPE = np.dtype([("dt_us", "<u4"), ("channel", "u1"), ("level", "u1")])
REASONS = (
    "too_short", "bad_magic", "bad_version", "bad_kind", "too_large", "bad_length", "bad_dtype",
    "too_many_channels", "duplicate_channel", "bad_period", "bad_event_channel", "bad_status_json",
)


class FrameError(ValueError):
    """Not a valid v1 frame. ``reason`` is one of REASONS; the message says what and how to fix."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class Frame:
    kind: int
    seq: int
    t_first: int  # board tick (µs, wrapped) of the first sample / event reference
    t_tx: int  # board tick at transmission
    period_us: int
    dropped: int
    channels: tuple[int, ...]
    dtype: np.dtype | None
    count: int
    samples: np.ndarray = field(repr=False)  # (count, nch) raw ints, a view of the payload
    events: np.ndarray = field(repr=False)  # structured EVENT_DTYPE, a view of the payload
    status: dict[str, Any] | None = None

    @property
    def kind_name(self) -> str:
        return KIND_NAMES[self.kind]

    @property
    def n_values(self) -> int:
        """Samples carried: one per channel per instant, or one per event."""
        if self.kind == KIND_SAMPLES:
            return self.count * len(self.channels)
        if self.kind == KIND_EVENTS:
            return self.count
        return 0


_EMPTY_SAMPLES = np.zeros((0, 0), dtype="<i2")
_EMPTY_EVENTS = np.zeros(0, dtype=EVENT_DTYPE)


def decode(payload: bytes | bytearray | memoryview) -> Frame:
    """Decode one frame. Raises FrameError with a reason code and a one-line explanation."""
    n = len(payload)
    if n > MAX_FRAME:
        raise FrameError("too_large", f"frame of {n} bytes exceeds the 4096-byte limit of protocol v1")
    if n < HEADER_SIZE:
        raise FrameError("too_short", f"frame of {n} bytes is shorter than the 28-byte v1 header (truncated?)")
    magic, version, kind, seq, t_first, t_tx, period_us, dropped, nch, dtype_code, count = HEADER.unpack_from(payload, 0)
    if magic != MAGIC:
        raise FrameError("bad_magic", f"payload does not start with b'CL' (got {bytes(magic)!r}): not a classlab frame")
    if version != VERSION:
        raise FrameError(
            "bad_version", f"unknown frame version {version}; this gateway speaks v1: update the gateway or the firmware"
        )
    if kind not in KIND_NAMES:
        raise FrameError("bad_kind", f"unknown frame kind {kind} (1 samples, 2 events, 3 status)")
    if nch > MAX_CHANNELS:
        raise FrameError("too_many_channels", f"frame lists {nch} channels; v1 allows at most {MAX_CHANNELS}")
    off = HEADER_SIZE + nch
    if n < off:
        raise FrameError("bad_length", f"frame of {n} bytes is too short for its {nch} channel ids (truncated?)")
    channels = tuple(payload[HEADER_SIZE:off])
    if len(set(channels)) != nch:
        raise FrameError("duplicate_channel", f"channel ids repeat in the frame header: {channels}")
    body = memoryview(payload)[off:]
    if kind == KIND_SAMPLES:
        dt = DTYPES.get(dtype_code)
        if dt is None:
            raise FrameError("bad_dtype", f"unknown sample type code {dtype_code} (expected h, H, i or I)")
        want = count * nch * dt.itemsize
        if len(body) != want:
            raise FrameError(
                "bad_length", f"sample block says {count} instants x {nch} channels = {want} bytes, has {len(body)}"
            )
        if period_us == 0 and count > 1:
            raise FrameError("bad_period", "sample block with several instants has period_us = 0")
        if count and not nch:
            raise FrameError("bad_length", f"sample block has {count} instants but no channels")
        samples = np.frombuffer(body, dtype=dt).reshape(count, nch) if count else np.zeros((0, nch), dtype=dt)
        return Frame(kind, seq, t_first, t_tx, period_us, dropped, channels, dt, count, samples, _EMPTY_EVENTS)
    if kind == KIND_EVENTS:
        want = count * EVENT_DTYPE.itemsize
        if len(body) != want:
            raise FrameError("bad_length", f"event block says {count} events = {want} bytes, has {len(body)}")
        events = np.frombuffer(body, dtype=EVENT_DTYPE)
        if count and not np.isin(events["channel"], np.asarray(channels, dtype=np.uint8)).all():
            raise FrameError("bad_event_channel", "an event names a channel not listed in the frame header")
        return Frame(kind, seq, t_first, t_tx, 0, dropped, channels, None, count, _EMPTY_SAMPLES, events)
    if len(body) != count:
        raise FrameError("bad_length", f"status frame says {count} payload bytes, has {len(body)}")
    try:
        status = json.loads(bytes(body).decode("utf-8"))
        if not isinstance(status, dict):
            raise ValueError("not an object")
    except (UnicodeDecodeError, ValueError) as exc:
        raise FrameError("bad_status_json", f"status payload is not a UTF-8 JSON object: {exc}") from None
    return Frame(kind, seq, t_first, t_tx, 0, dropped, channels, None, count, _EMPTY_SAMPLES, _EMPTY_EVENTS, status)


_ITEMSIZE = {code: dt.itemsize for code, dt in DTYPES.items()}
_unpack_header = HEADER.unpack_from


def valid_sample_header(payload: bytes) -> tuple[int, ...] | None:
    """Header fields of a valid sample block with channels, without building a Frame; else None.

    The gateway's hot path: (kind, seq, t_first, t_tx, period_us, dropped, nch, dtype, count). It accepts
    exactly what decode() accepts for sample blocks with at least one channel (tests/test_gateway_units.py
    checks that on edge cases); for None, call decode(), which has the last word and the reasons.
    """
    n = len(payload)
    if not HEADER_SIZE <= n <= MAX_FRAME:
        return None
    magic, version, kind, seq, t_first, t_tx, period_us, dropped, nch, code, count = _unpack_header(payload)
    if kind != KIND_SAMPLES or magic != MAGIC or version != VERSION or not 0 < nch <= MAX_CHANNELS:
        return None
    off = HEADER_SIZE + nch
    size = _ITEMSIZE.get(code)
    if size is None or n - off != count * nch * size or not (period_us or count <= 1):
        return None
    if nch > 1 and len(set(payload[HEADER_SIZE:off])) != nch:
        return None
    return kind, seq, t_first, t_tx, period_us, dropped, nch, code, count


def sample_ticks(frame: Frame, tick_period: int) -> np.ndarray:
    """Board ticks (wrapped to tick_period) of each instant of a sample block, as int64."""
    i = np.arange(frame.count, dtype=np.int64)
    return (frame.t_first + i * frame.period_us) % tick_period
