# Voltage input +-10 V through the biased divider front-end in hardware/ (AC-like signals, coils,
# capacitor charge/discharge through zero). The front-end maps V_in linearly onto the pin:
# V_pin = gain * V_in + v_zero (v_zero = pin voltage at 0 V in, about mid-supply).
# Raw value = pin voltage in 0.1 mV (u16); V_in = raw * 1e-4 / gain - v_zero / gain (linear).
from ._adc import PinVolts, check_adc


def biased_divider(r_top, r_bottom, r_bias, v_bias=3.3):
    """(gain, v_zero) of V_in -- r_top -- pin, pin -- r_bottom -- GND, pin -- r_bias -- v_bias (ohm, V).

    Kirchhoff at the pin: V_pin = (V_in / r_top + v_bias / r_bias) / (1/r_top + 1/r_bottom + 1/r_bias).
    """
    g = 1.0 / (1.0 / r_top + 1.0 / r_bottom + 1.0 / r_bias)
    return g / r_top, g * v_bias / r_bias


class AdcBipolar:
    """adc: machine.ADC; gain (V at pin per V in) and v_zero (V at pin for 0 V in) of the front-end;
    input_range: (min, max) V at the terminal, checked to stay inside 0..v_pin_max at the pin."""

    NAME = "adc_bipolar"
    KIND = "fast"

    def __init__(self, adc, gain, v_zero, input_range=(-10.0, 10.0), vref=3.3, v_pin_max=3.3):
        check_adc(adc, "adc_bipolar")
        if not 0 < gain < 1:
            raise ValueError("adc_bipolar: front-end gain must be between 0 and 1")
        lo, hi = input_range
        p_lo = gain * lo + v_zero
        p_hi = gain * hi + v_zero
        if p_lo < 0 or p_hi > v_pin_max:
            raise ValueError("adc_bipolar: input %g..%g V gives %.2f..%.2f V at the pin (allowed 0..%.1f V)"
                             % (lo, hi, p_lo, p_hi, v_pin_max))
        self.gain = gain
        self.v_zero = v_zero
        self.pin = PinVolts(adc, vref)
        self.channels = (("voltage", "V", 1e-4 / gain, -v_zero / gain, "H"),)

    def read_raw_into(self, buf, i):
        """buf[i] = pin voltage in 0.1 mV. Allocates nothing."""
        buf[i] = self.pin.read()

    def readers(self):
        """Per-channel raw readers for the sampler's timer callback (see sampler.FastGroup)."""
        return (self.pin.read,)


def from_config(sensor, i2c=None):
    """+-10 V input from a pin-map [[sensor]] table: pins = {adc}, divider = {r_top, r_bottom, r_bias,
    v_bias}, input_range."""
    from ._config import adc, check_channels, need

    d = need(sensor, "divider")
    gain, v_zero = biased_divider(need(d, "r_top"), need(d, "r_bottom"), need(d, "r_bias"), need(d, "v_bias"))
    drv = AdcBipolar(adc(sensor), gain, v_zero, tuple(need(sensor, "input_range")))
    check_channels(sensor, drv)
    return drv
