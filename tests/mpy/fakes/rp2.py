# Fake `rp2` (DMA only) for the burst test, with the RP2040 ADC's FIFO/DREQ modelled in the fake
# machine.mem32: a DMA channel configured to read the ADC FIFO, paced by DREQ 36, with the ADC
# enabled in START_MANY mode and FCS.DREQ_EN set, fills its destination with the scripted values of
# the selected input (machine.ADC.script(26 + AINSEL, ...), 16-bit values >> 4 = 12-bit codes) and
# advances the fake clock by count × (1 + DIV.INT) / 48 MHz. Anything else misconfigured leaves the
# channel active forever, as a real DMA waiting for a DREQ that never comes.
import time

import machine

_FIFO = 0x4004C00C
_CS = 0x4004C000
_FCS = 0x4004C008
_DIV = 0x4004C010


class DMA:
    made = [0]
    last = [None]

    def __init__(self):
        DMA.made[0] += 1
        self.cfg = None
        self.closed = False
        DMA.last[0] = self

    def pack_ctrl(self, **kw):
        return dict(kw)

    def config(self, read=None, write=None, count=None, ctrl=None, trigger=False):
        self.cfg = {"read": read, "write": write, "count": count, "ctrl": ctrl, "trigger": trigger}
        self.done = False

    def active(self):
        if self.done or self.cfg is None or not self.cfg["trigger"]:
            return False
        m = machine.mem32
        c = self.cfg
        ctrl = c["ctrl"] or {}
        ready = (c["read"] == _FIFO and ctrl.get("treq_sel") == 36 and ctrl.get("size") == 1
                 and ctrl.get("inc_write") and not ctrl.get("inc_read")
                 and m[_CS] & 0x9 == 0x9 and m[_FCS] & 0x9 == 0x9)
        if not ready:
            return True  # waits for a DREQ that never comes
        gpio = 26 + ((m[_CS] >> 12) & 7)
        adc = machine.ADC(gpio)
        buf = c["write"]
        for i in range(c["count"]):
            buf[i] = adc.read_u16() >> 4
        cycles = ((m[_DIV] >> 8) & 0xFFFF) + 1
        time.sleep_us(c["count"] * max(cycles, 96) // 48)
        self.done = True
        return False

    def close(self):
        self.closed = True
