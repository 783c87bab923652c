# Photoresistor (LDR) or photodiode front-end on an ADC pin: fast light level for light gates and
# flicker. Raw value = illuminance in 0.1 lx (u32), from a lookup table built at start-up from the
# LDR model R = r10 * (E / 10 lx)^-gamma; a rough absolute scale (+-30 % between parts, calibrate
# for better), but fast and monotonic, which is what gates and flicker need.
# Wiring (hardware/): 3.3 V -- LDR -- ADC pin -- R_fixed -- GND ("high", default) or LDR to GND ("low").
from ._adc import PinVolts, check_adc
from ._table import VoltTable

MAX_RAW = (1 << 22) - 1  # 419 430.3 lx, above full sunlight; keeps the table maths in small ints


def ldr_resistance(v, v_supply, r_fixed, position="high"):
    """LDR resistance in ohm from pin voltage v (V); 0 or inf on the rails."""
    dark = position == "high"
    if v <= 0.0:
        return float("inf") if dark else 0.0
    if v >= v_supply:
        return 0.0 if dark else float("inf")
    if position == "high":
        return r_fixed * (v_supply - v) / v
    return r_fixed * v / (v_supply - v)


def ldr_lux(r, r10=10000.0, gamma=0.7):
    """Illuminance in lx from LDR resistance r (ohm): E = 10 * (r10 / r)^(1/gamma)."""
    if r <= 0.0:
        return float("inf")
    return 10.0 * (r10 / r) ** (1.0 / gamma)


class LDR:
    """LDR light sensor; one channel: illuminance, raw in 0.1 lx.

    adc: machine.ADC at the divider mid-point. r_fixed: the fixed resistor (ohm). r10: LDR
    resistance at 10 lx (ohm, from its datasheet, e.g. 5528 type: 8-20 kohm). gamma: slope of
    log R vs log E (0.6-0.8).
    """

    NAME = "ldr"
    KIND = "fast"

    def __init__(self, adc, r_fixed=10000.0, r10=10000.0, gamma=0.7, position="high", v_supply=3.3,
                 vref=3.3):
        check_adc(adc, "ldr")
        if position not in ("low", "high"):
            raise ValueError("ldr: position must be 'high' (LDR to 3.3 V) or 'low' (LDR to GND)")
        if r_fixed <= 0 or r10 <= 0 or gamma <= 0:
            raise ValueError("ldr: r_fixed, r10 and gamma must be > 0")

        def raw(v):
            lux = ldr_lux(ldr_resistance(v, v_supply, r_fixed, position), r10, gamma)
            return MAX_RAW if lux * 10 >= MAX_RAW else int(round(lux * 10))

        self.pin = PinVolts(adc, vref)
        self.table = VoltTable(raw, v_supply, "I", MAX_RAW)
        self.channels = (("illuminance", "lx", 0.1, 0.0, "I"),)

    def read_raw_into(self, buf, i):
        """buf[i] = illuminance in 0.1 lx (saturates at MAX_RAW). Allocates nothing."""
        buf[i] = self.table.lookup(self.pin.read())

    def read(self):
        """The raw value (as read_raw_into writes it). Allocates nothing."""
        return self.table.lookup(self.pin.read())

    def readers(self):
        """Per-channel raw readers for the sampler's timer callback (see sampler.FastGroup)."""
        return (self.read,)


def from_config(sensor, i2c=None):
    """LDR from a pin-map [[sensor]] table: pins = {adc = GPIO}, ldr = {r_fixed} (LDR to 3.3 V)."""
    from ._config import adc, check_channels, need

    drv = LDR(adc(sensor), r_fixed=need(need(sensor, "ldr"), "r_fixed"))
    check_channels(sensor, drv)
    return drv
