# NTC thermistor in a voltage divider on an ADC pin (fast response: cooling curves, mixing).
#
# Raw value = temperature in 0.01 degC (int16), computed on the board from a lookup table built at
# start-up from the beta equation or Steinhart-Hart; -32768 means open or shorted probe.
# Wiring (hardware/): 3.3 V -- R_fixed -- ADC pin -- NTC -- GND ("low", default) or NTC on top ("high").
import math

from ._adc import PinVolts, check_adc
from ._table import FAULT, VoltTable

KELVIN = 273.15
T_MIN_C = -55.0  # readings outside this range are reported as faults
T_MAX_C = 150.0


def ntc_resistance(v, v_supply, r_fixed, position="low"):
    """Thermistor resistance in ohm from pin voltage v (V); None on the rails (open/short)."""
    if not 0.0 < v < v_supply:
        return None
    if position == "low":
        return r_fixed * v / (v_supply - v)
    return r_fixed * (v_supply - v) / v


def beta_celsius(r, r_nominal=10000.0, t_nominal=25.0, beta=3950.0):
    """Beta equation: 1/T = 1/T_nominal + ln(R/R_nominal)/beta; r in ohm -> degC."""
    return 1.0 / (1.0 / (t_nominal + KELVIN) + math.log(r / r_nominal) / beta) - KELVIN


def steinhart_celsius(r, a, b, c):
    """Steinhart-Hart: 1/T = A + B ln R + C (ln R)^3; r in ohm -> degC."""
    ln_r = math.log(r)
    return 1.0 / (a + b * ln_r + c * ln_r ** 3) - KELVIN


class NTC:
    """NTC thermistor; one channel: temperature, raw in 0.01 degC.

    adc: machine.ADC on the divider's mid-point. r_fixed: series resistor (ohm). r_nominal, t_nominal, beta:
    thermistor at the reference temperature (10 kohm at 25 degC, B = 3950 for the kit's probe), or
    steinhart=(A, B, C) instead of beta. v_supply: divider supply (V). vref: read_u16 full scale (V).
    """

    NAME = "ntc"
    KIND = "fast"

    def __init__(self, adc, r_fixed=10000.0, r_nominal=10000.0, t_nominal=25.0, beta=3950.0, steinhart=None,
                 position="low", v_supply=3.3, vref=3.3):
        check_adc(adc, "ntc")
        if position not in ("low", "high"):
            raise ValueError("ntc: position must be 'low' (NTC to GND) or 'high' (NTC to 3.3 V)")
        if r_fixed <= 0 or r_nominal <= 0 or beta <= 0:
            raise ValueError("ntc: r_fixed, r_nominal and beta must be > 0")
        def raw(v):
            r = ntc_resistance(v, v_supply, r_fixed, position)
            if r is None:
                return None
            if steinhart is not None:
                t = steinhart_celsius(r, steinhart[0], steinhart[1], steinhart[2])
            else:
                t = beta_celsius(r, r_nominal, t_nominal, beta)
            if not T_MIN_C <= t <= T_MAX_C:
                return None
            return int(round(t * 100))

        self.pin = PinVolts(adc, vref)
        self.table = VoltTable(raw, v_supply)
        self.channels = (("temperature", "C", 0.01, 0.0, "h"),)
        if self.table.lookup(self.pin.read()) == FAULT:
            raise OSError("ntc: reading at the rail or out of -55..150 degC (probe unplugged or shorted?)")

    def read_raw_into(self, buf, i):
        """buf[i] = temperature in 0.01 degC (FAULT = -32768 if open/short). Allocates nothing."""
        buf[i] = self.table.lookup(self.pin.read())

    def read(self):
        """The raw value (as read_raw_into writes it). Allocates nothing."""
        return self.table.lookup(self.pin.read())

    def readers(self):
        """Per-channel raw readers for the sampler's timer callback (see sampler.FastGroup)."""
        return (self.read,)


def from_config(sensor, i2c=None):
    """NTC from a pin-map [[sensor]] table: pins = {adc = GPIO}, ntc = {r_nominal, beta, r_fixed, t_nominal?}."""
    from ._config import adc, check_channels, need

    p = need(sensor, "ntc")
    drv = NTC(adc(sensor), r_fixed=need(p, "r_fixed"), r_nominal=need(p, "r_nominal"),
              t_nominal=p.get("t_nominal", 25.0), beta=need(p, "beta"))
    check_channels(sensor, drv)
    return drv
