# Shared helper for drivers that read a voltage through the board's ADC.
#
# Raw unit: 0.1 mV at the ADC pin (int, 0..33000 for 0..3.3 V). With read_uv() (ESP32: uses the
# chip's eFuse calibration) the value is calibrated; without it (rp2) it is read_u16() * vref.


def check_adc(adc, who):
    """Raise a short error if adc does not look like a machine.ADC."""
    if not hasattr(adc, "read_u16"):
        raise ValueError("%s: needs a machine.ADC, got %r" % (who, adc))


class PinVolts:
    """Reads the pin voltage in 0.1 mV units without allocating (small ints only).

    vref: full-scale voltage of read_u16() in V (3.3 on ESP32 at 11 dB attenuation and on rp2);
    used only when the ADC has no read_uv().
    """

    def __init__(self, adc, vref=3.3):
        self.adc = adc
        self.use_uv = hasattr(adc, "read_uv")
        # read_u16 -> 0.1 mV as (code >> 4) * vref >> 12: the ADCs are 12-bit, and the product stays
        # below 2**30 so it is a small int (no heap allocation) on 32-bit ports
        if not 0 < vref <= 6.5:
            raise ValueError("vref must be in (0, 6.5] V")
        self._vref = int(vref * 10000 + 0.5)
        self.read = self._read_uv if self.use_uv else self._read_u16  # bound once: no branch per read

    def _read_uv(self):
        return self.adc.read_uv() // 100

    def _read_u16(self):
        return ((self.adc.read_u16() >> 4) * self._vref) >> 12
