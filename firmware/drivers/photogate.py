# IR photogate (slotted interrupter): edge timestamps for picket-fence free fall, pendulum periods
# and cart gates. Event sensor: each gate pin's hard IRQ writes (ticks_us, gate index, level) into
# a preallocated ring; the sampler drains it with take_events() into event frames
# (docs/protocol.md, kind 2). The IRQ handler allocates nothing and never blocks; when the ring is
# full new edges are dropped and counted (take_dropped()).
import time
from array import array

from ._config import check_channels, pin_in


class Photogate:
    """pins: input Pins, one per gate (channel k of this driver = pins[k]).

    capacity: ring size in edges (6 bytes of RAM each). Levels are the pin level after the edge:
    1 rising, 0 falling (on the kit's gates 1 = beam blocked).
    """

    NAME = "photogate"
    KIND = "event"

    def __init__(self, pins, capacity=256):
        if not pins:
            raise ValueError("photogate: needs at least one gate pin")
        if not 2 <= capacity <= 65535:
            raise ValueError("photogate: capacity must be 2..65535")
        self.pins = pins
        self.capacity = capacity
        n = capacity + 1  # one slot stays free so that head == tail means empty
        self._n = n
        self._t = array("I", [0] * n)
        self._ix = bytearray(n)
        self._lv = bytearray(n)
        self._head = 0  # written only by the IRQ
        self._tail = 0  # written only by take_events
        self._dropped = 0
        self.channels = tuple(("gate", "level", 1.0, 0.0, "B") for _ in pins)
        for k in range(len(pins)):
            p = pins[k]
            p.irq(handler=self._handler(k), trigger=p.IRQ_RISING | p.IRQ_FALLING, hard=True)

    def _handler(self, k):
        def edge(pin):
            t = time.ticks_us()
            n = self._head
            nxt = n + 1
            if nxt == self._n:
                nxt = 0
            if nxt == self._tail:
                self._dropped += 1
                return
            self._t[n] = t
            self._ix[n] = k
            self._lv[n] = pin.value()
            self._head = nxt

        return edge

    def pending(self):
        """Number of edges waiting in the ring."""
        n = self._head - self._tail
        return n + self._n if n < 0 else n

    def take_events(self, ticks, idx, levels, n_max):
        """Move up to n_max oldest edges into the caller's arrays; returns how many.

        ticks[k] = raw ticks_us() of the edge, idx[k] = channel index, levels[k] = level after it.
        Allocates nothing.
        """
        k = 0
        j = self._tail
        head = self._head
        while k < n_max and j != head:
            ticks[k] = self._t[j]
            idx[k] = self._ix[j]
            levels[k] = self._lv[j]
            k += 1
            j += 1
            if j == self._n:
                j = 0
        self._tail = j
        return k

    def take_dropped(self):
        """Edges lost since the last call because the ring was full."""
        d = self._dropped
        self._dropped -= d
        return d


def from_config(sensor, i2c=None):
    """Photogate from a pin-map [[sensor]] table: pins = {gate = GPIO}."""
    drv = Photogate([pin_in(sensor, "gate")])
    check_channels(sensor, drv)
    return drv
