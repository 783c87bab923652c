# Bounded RAM queue of frames for transport outages: one preallocated byte ring, no allocation
# per frame. When a new frame does not fit, the OLDEST frames are dropped and counted (the newest
# data is the most useful after an outage, and `dropped` tells what is missing).
#
# Each frame is stored contiguously after a u16 length, so the transport publishes straight from
# the queue (peek() is a memoryview, no copy). A frame that does not fit before the end of the
# buffer goes to the start; the unused tail is marked with length 0xFFFF.
try:
    from micropython import const  # pyright: ignore[reportAssignmentType]  (CPython shim below)
except ImportError:  # CPython

    def const(x):  # type: ignore[no-redef]
        return x

_LEN = const(2)  # u16 little-endian length before each frame
_SKIP = const(0xFFFF)  # "the rest of the buffer is unused, continue at 0"


class FrameQueue:
    def __init__(self, nbytes=8192):
        self.buf = bytearray(nbytes)
        self.mv = memoryview(self.buf)
        self.cap = nbytes
        self.head = 0  # write offset
        self.tail = 0  # read offset
        self.count = 0  # frames queued
        self.dropped = 0  # frames dropped since start-up (oldest first)
        self.pushed = 0

    def _fits(self, need):
        """Offset where `need` contiguous bytes can go without touching queued data, or -1."""
        h, t = self.head, self.tail
        if not self.count:
            return 0 if need <= self.cap else -1
        if h > t:
            if self.cap - h >= need:
                return h
            return 0 if t >= need else -1
        return h if t - h >= need else -1

    def push(self, frame):
        """Queue a copy of frame (bytes-like). Returns False if it can never fit (counted as dropped)."""
        n = len(frame)
        need = n + _LEN
        if need > self.cap:
            self.dropped += 1
            return False
        pos = self._fits(need)
        while pos < 0:
            self.pop()
            self.dropped += 1
            pos = self._fits(need)
        if not self.count:
            self.tail = pos
        elif pos < self.head:  # wrapped: mark the unused end
            if self.cap - self.head >= _LEN:
                self.buf[self.head] = 0xFF
                self.buf[self.head + 1] = 0xFF
        self.buf[pos] = n & 0xFF
        self.buf[pos + 1] = n >> 8
        self.mv[pos + _LEN:pos + need] = frame
        self.head = pos + need
        self.count += 1
        self.pushed += 1
        return True

    def _skip(self):
        t = self.tail
        if self.cap - t < _LEN or (self.buf[t] | (self.buf[t + 1] << 8)) == _SKIP:
            self.tail = 0

    def peek(self):
        """The oldest frame as a memoryview into the queue (valid until the next push/pop), or None."""
        if not self.count:
            return None
        self._skip()
        t = self.tail
        n = self.buf[t] | (self.buf[t + 1] << 8)
        return self.mv[t + _LEN:t + _LEN + n]

    def pop(self):
        """Forget the oldest frame."""
        if not self.count:
            return
        self._skip()
        t = self.tail
        n = self.buf[t] | (self.buf[t + 1] << 8)
        self.tail = t + _LEN + n
        self.count -= 1
        if not self.count:
            self.head = self.tail = 0
