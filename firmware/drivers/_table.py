# Lookup table for sensors whose physical value is a non-linear function of the pin voltage
# (NTC thermistor, LDR). Built once from floats at start-up; read with small-int maths only, so a
# timer callback can use it without allocating.
from array import array

STEP_SHIFT = 6  # one entry per 2**6 = 64 units of 0.1 mV (6.4 mV, 8 LSB of a 12-bit ADC)
_MASK = 63
FAULT = -32768  # marks pin voltages the sensor cannot produce (open or short circuit)


class VoltTable:
    """value(v) for v = pin voltage in 0.1 mV, linearly interpolated between table entries.

    func(volts) -> int (the raw value the driver reports) or None where the reading is impossible.
    Entries next to a None give FAULT (the caller's fault code), so an open or shorted sensor is
    reported, never turned into a plausible number. A None is stored as the fault code itself
    (one array, no separate validity map): where func can return None, it must not also return the
    fault code as a value (ntc: -32768 is below -55 degC; ldr's func never returns None).
    """

    def __init__(self, func, v_max, typecode="h", fault=FAULT):
        n = (int(v_max * 10000) >> STEP_SHIFT) + 2
        self.fault = fault
        self.tab = tab = array(typecode, bytes(n * (2 if typecode in "hH" else 4)))
        holes = False
        for k in range(n):
            y = func((k << STEP_SHIFT) / 10000)
            if y is None:
                y = fault
                holes = True
            tab[k] = y
        self.holes = holes  # some voltages are impossible: check both neighbours on lookup
        self.n = n

    def lookup(self, v):
        """Interpolated raw value at pin voltage v (0.1 mV units), or the fault code."""
        k = v >> STEP_SHIFT
        if v < 0 or k + 1 >= self.n:
            return self.fault
        tab = self.tab
        a = tab[k]
        b = tab[k + 1]
        if self.holes and (a == self.fault or b == self.fault):
            return self.fault
        return a + (((b - a) * (v & _MASK)) >> STEP_SHIFT)
