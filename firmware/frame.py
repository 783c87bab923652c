# classlab frame protocol v1: encoder (MicroPython and CPython). Spec: docs/protocol.md.
#
# Nothing here allocates after a Framer is made: frames are packed into one preallocated
# bytearray and handed out as a memoryview of it (valid until the next pack_* call).
# Sample data is passed as a *byte view* of the caller's array (see byte_view), so the
# sampler's ring buffer is copied once, straight into the frame.
import struct

try:
    from micropython import const  # pyright: ignore[reportAssignmentType]  (CPython shim below)
except ImportError:  # CPython

    def const(x):  # type: ignore[no-redef]
        return x


MAGIC0 = const(0x43)  # 'C'
MAGIC1 = const(0x4C)  # 'L'
VERSION = const(1)
KIND_SAMPLES = const(1)
KIND_EVENTS = const(2)
KIND_STATUS = const(3)
HEADER_SIZE = const(28)
MAX_FRAME = const(4096)
MAX_CHANNELS = const(32)
EVENT_SIZE = const(6)
HEADER_FMT = "<BBBBIIIIIBBH"
EVENT_FMT = "<IBB"
# type code -> bytes per sample
DTYPE_SIZE = {"h": 2, "H": 2, "i": 4, "I": 4}
_U32 = const(0xFFFFFFFF)


def byte_view(arr):
    """Bytes view of an array.array without copying (uctypes on MicroPython, cast on CPython).

    Make it once at start-up; slicing a memoryview of it later does not allocate the data.
    """
    try:
        return memoryview(arr).cast("B")
    except AttributeError:  # MicroPython memoryview has no cast()
        import uctypes

        return memoryview(uctypes.bytearray_at(uctypes.addressof(arr), len(arr) * _itemsize(arr)))


def _itemsize(arr):
    try:
        return arr.itemsize
    except AttributeError:  # MicroPython array has no itemsize
        return len(bytes(arr[0:1])) if len(arr) else 1


def max_instants(nch, dtype):
    """How many sampling instants of nch channels fit in one frame."""
    return (MAX_FRAME - HEADER_SIZE - nch) // (nch * DTYPE_SIZE[dtype])


class Framer:
    """Packs frames into one preallocated buffer and keeps the board's sequence number."""

    def __init__(self, seq=0):
        self.buf = bytearray(MAX_FRAME)
        self.mv = memoryview(self.buf)
        self.seq = seq & _U32

    def _header(self, kind, t_first, t_tx, period_us, dropped, channels, dtype_code, count):
        nch = len(channels)
        if nch > MAX_CHANNELS:
            raise ValueError("too many channels (max 32)")
        struct.pack_into(
            HEADER_FMT, self.buf, 0, MAGIC0, MAGIC1, VERSION, kind, self.seq,
            t_first & _U32, t_tx & _U32, period_us, dropped & _U32, nch, dtype_code, count,
        )
        for i in range(nch):
            self.buf[HEADER_SIZE + i] = channels[i]
        self.seq = (self.seq + 1) & _U32
        return HEADER_SIZE + nch

    def pack_samples(self, t_first, t_tx, period_us, dropped, channels, dtype, data, count):
        """Sample block: count instants of len(channels) interleaved raw ints.

        data: byte view (see byte_view) holding at least count*nch samples of type dtype,
        or a slice of one. Returns a memoryview of the frame.
        """
        nbytes = count * len(channels) * DTYPE_SIZE[dtype]
        if HEADER_SIZE + len(channels) + nbytes > MAX_FRAME:
            raise ValueError("frame too large: use max_instants()")
        if period_us < 1 and count > 1:
            raise ValueError("period_us must be >= 1")
        off = self._header(KIND_SAMPLES, t_first, t_tx, period_us, dropped, channels, ord(dtype), count)
        if nbytes:
            self.mv[off:off + nbytes] = data[0:nbytes]
        return self.mv[0:off + nbytes]

    def pack_events(self, t_first, t_tx, dropped, channels, dts, chans, levels, count):
        """Event block: count edges; dts[i] µs after t_first, on channel chans[i], new level levels[i]."""
        nbytes = count * EVENT_SIZE
        if HEADER_SIZE + len(channels) + nbytes > MAX_FRAME:
            raise ValueError("frame too large: at most 673 events per frame")
        off = self._header(KIND_EVENTS, t_first, t_tx, 0, dropped, channels, 0, count)
        for i in range(count):
            struct.pack_into(EVENT_FMT, self.buf, off, dts[i], chans[i], levels[i])
            off += EVENT_SIZE
        return self.mv[0:off]

    def pack_status(self, t_now, t_tx, payload):
        """Status frame: payload is UTF-8 JSON bytes."""
        n = len(payload)
        if HEADER_SIZE + n > MAX_FRAME:
            raise ValueError("status payload too large")
        off = self._header(KIND_STATUS, t_now, t_tx, 0, 0, b"", 0, n)
        self.mv[off:off + n] = payload
        return self.mv[0:off + n]
