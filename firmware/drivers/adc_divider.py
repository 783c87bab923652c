# Voltage input 0..12 V through a resistor divider on an ADC pin (cells, solar panels, RC circuits).
#
# V_pin = V_in * r_bottom / (r_top + r_bottom). Raw value = pin voltage in 0.1 mV (u16), so
# V_in = raw * 1e-4 * (r_top + r_bottom) / r_bottom: linear, scale in the channel tuple.
from ._adc import PinVolts, check_adc


def divider_ratio(r_top, r_bottom):
    """V_in / V_pin for a divider of r_top (to the input) over r_bottom (to GND), ohm."""
    return (r_top + r_bottom) / r_bottom


class AdcDivider:
    """adc: machine.ADC; r_top, r_bottom: divider (ohm); input_range: (min, max) V at the terminal.

    v_pin_max: the ADC pin's limit (V); the constructor refuses a divider that would let
    input_range reach past it.
    """

    NAME = "adc_divider"
    KIND = "fast"

    def __init__(self, adc, r_top, r_bottom, input_range=(0.0, 12.0), vref=3.3, v_pin_max=3.3):
        check_adc(adc, "adc_divider")
        if r_top < 0 or r_bottom <= 0:
            raise ValueError("adc_divider: r_top must be >= 0 and r_bottom > 0 (ohm)")
        lo, hi = input_range
        if lo < 0 or hi <= lo:
            raise ValueError("adc_divider: input_range must be (min >= 0, max > min) V; use adc_bipolar for negative inputs")
        ratio = divider_ratio(r_top, r_bottom)
        if hi / ratio > v_pin_max:
            raise ValueError("adc_divider: %g V in gives %.2f V at the pin (max %.1f V): increase r_top"
                             % (hi, hi / ratio, v_pin_max))
        self.ratio = ratio
        self.pin = PinVolts(adc, vref)
        self.channels = (("voltage", "V", ratio * 1e-4, 0.0, "H"),)

    def read_raw_into(self, buf, i):
        """buf[i] = pin voltage in 0.1 mV. Allocates nothing."""
        buf[i] = self.pin.read()

    def readers(self):
        """Per-channel raw readers for the sampler's timer callback (see sampler.FastGroup)."""
        return (self.pin.read,)


def from_config(sensor, i2c=None):
    """Divider input from a pin-map [[sensor]] table: pins = {adc}, divider = {r_top, r_bottom}, input_range."""
    from ._config import adc, check_channels, need

    d = need(sensor, "divider")
    drv = AdcDivider(adc(sensor), need(d, "r_top"), need(d, "r_bottom"), tuple(need(sensor, "input_range")))
    check_channels(sensor, drv)
    return drv
