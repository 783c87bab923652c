# Bounded RAM queue of frames for transport outages: one preallocated byte ring, no allocation
# per frame. When a new frame does not fit, the OLDEST frames are dropped and counted (the newest
# data is the most useful after an outage, and `dropped` tells the gateway what is missing).
try:
    from micropython import const
except ImportError:  # CPython

    def const(x):  # type: ignore[no-redef]
        return x

_LEN = const(2)  # u16 little-endian length before each frame


class FrameQueue:
    def __init__(self, nbytes=12288):
        self.buf = bytearray(nbytes)
        self.mv = memoryview(self.buf)
        self.cap = nbytes
        self.head = 0  # write offset
        self.tail = 0  # read offset
        self.used = 0  # bytes in use
        self.count = 0  # frames queued
        self.dropped = 0  # frames dropped since start-up (oldest first)
        self.pushed = 0

    def _put(self, pos, data, n):
        first = self.cap - pos
        mv = self.mv
        if n <= first:
            mv[pos:pos + n] = data[0:n]
        else:
            mv[pos:self.cap] = data[0:first]
            mv[0:n - first] = data[first:n]
        return (pos + n) % self.cap

    def _get(self, pos, out, n):
        first = self.cap - pos
        mv = self.mv
        if n <= first:
            out[0:n] = mv[pos:pos + n]
        else:
            out[0:first] = mv[pos:self.cap]
            out[first:n] = mv[0:n - first]

    def _len_at(self, pos):
        return self.buf[pos] | (self.buf[(pos + 1) % self.cap] << 8)

    def push(self, frame):
        """Queue a copy of frame (bytes-like). Returns False if it can never fit (counted as dropped)."""
        n = len(frame)
        need = n + _LEN
        if need > self.cap:
            self.dropped += 1
            return False
        while self.cap - self.used < need:
            self.pop()
            self.dropped += 1
        self.buf[self.head] = n & 0xFF
        self.buf[(self.head + 1) % self.cap] = n >> 8
        self.head = self._put((self.head + _LEN) % self.cap, frame, n)
        self.used += need
        self.count += 1
        self.pushed += 1
        return True

    def peek_into(self, out):
        """Copy the oldest frame into out (a memoryview of >= MAX_FRAME bytes); its length, or -1."""
        if not self.count:
            return -1
        n = self._len_at(self.tail)
        self._get((self.tail + _LEN) % self.cap, out, n)
        return n

    def pop(self):
        """Forget the oldest frame."""
        if not self.count:
            return
        n = self._len_at(self.tail)
        self.tail = (self.tail + _LEN + n) % self.cap
        self.used -= n + _LEN
        self.count -= 1
