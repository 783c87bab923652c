# ADC divider (0-12 V), biased divider (+-10 V) and INA219 drivers. Prints "ok N" or raises.
from array import array

import machine
from devices import INA219Device
from drivers.adc_bipolar import AdcBipolar, biased_divider
from drivers.adc_divider import AdcDivider
from drivers.ina219 import INA219
from drivers_common import U16Adc, UvAdc, check, done, near, no_alloc, raises, reset

buf = array("H", [0])

# --- 0..12 V divider, 39 k / 10 k (shipped ESP32 pin map): V_in = V_pin * 49 / 10 ---
reset()
for v_in in (0.0, 1.5, 5.0, 9.0, 12.0):
    uv = int(round(v_in * 10000 / 49000 * 1e6))
    div = AdcDivider(UvAdc([uv]), 39000, 10000)
    q = div.channels[0]
    check(q[:2] == ("voltage", "V") and q[4] == "H", "divider channel")
    div.read_raw_into(buf, 0)
    # 0.1 mV resolution at the pin = 0.49 mV at the input
    near(buf[0] * q[2] + q[3], v_in, 0.5e-3, "divider at %g V" % v_in)
# the read_u16 path (rp2): 33 k / 10 k, 12 V -> 2.79 V -> code 55 412
machine.ADC.script(26, [int(round(12.0 * 10 / 43 / 3.3 * 65535))])
div = AdcDivider(U16Adc(machine.ADC(machine.Pin(26))), 33000, 10000)
no_alloc(div.read_raw_into, buf, 0)
# 12-bit ADC: 0.806 mV at the pin = 3.5 mV at the input
near(buf[0] * div.channels[0][2], 12.0, 3.5e-3, "divider read_u16 path, heap locked")
# the fake machine.ADC's own read_uv path (ESP32-style), heap locked as in a hard timer IRQ
machine.ADC.script(34, [int(round(2.45 / 3.3 * 65535))])
div = AdcDivider(machine.ADC(machine.Pin(34)), 39000, 10000)
check(div.pin.use_uv, "fake ADC has read_uv: the calibrated path is used")
no_alloc(div.read_raw_into, buf, 0)
near(buf[0] * div.channels[0][2], 2.45 * 4.9, 3e-3, "divider read_uv path, heap locked")
raises(ValueError, "at the pin", AdcDivider, UvAdc([0]), 10000, 10000, (0.0, 12.0))
raises(ValueError, "adc_bipolar", AdcDivider, UvAdc([0]), 39000, 10000, (-5.0, 5.0))
raises(ValueError, "machine.ADC", AdcDivider, object(), 39000, 10000)

# --- +-10 V front-end: V_in -100k- pin, pin -22k- GND, pin -27k- 3.3 V (hardware/frontend.md) ---
# Kirchhoff at the pin, written out here: V_pin = (V_in/100k + 3.3/27k) / (1/100k + 1/22k + 1/27k)
G = 1 / 100000 + 1 / 22000 + 1 / 27000
gain, v_zero = biased_divider(100000, 22000, 27000, 3.3)
near(gain, (1 / 100000) / G, 1e-12, "front-end gain")
near(v_zero, (3.3 / 27000) / G, 1e-12, "front-end zero")
for v_in in (-10.0, -2.5, 0.0, 4.0, 10.0):
    v_pin = (v_in / 100000 + 3.3 / 27000) / G
    bp = AdcBipolar(UvAdc([int(round(v_pin * 1e6))]), gain, v_zero)
    q = bp.channels[0]
    no_alloc(bp.read_raw_into, buf, 0)
    # 0.1 mV at the pin / gain (0.108) = 0.93 mV at the input
    near(buf[0] * q[2] + q[3], v_in, 1.0e-3, "bipolar at %g V" % v_in)
raises(ValueError, "at the pin", AdcBipolar, UvAdc([0]), gain, v_zero, (-30.0, 30.0))

# --- INA219: bus LSB 4 mV (register bits 15..3), shunt LSB 10 uV (datasheet 8.6.3) ---
reset()
# datasheet table 7 (PGA /8): shunt register 0x7D00 = +320 mV, 0x8300 = -320 mV, 0x0000 = 0
# bus register: 12.000 V = 3000 counts << 3; 26.000 V = 6500 << 3; bit 1 (CNVR) set must be ignored
dev = INA219Device(bus=[(3000 << 3) | 2, 6500 << 3, 0], shunt=[0x7D00, -32000, 0])
machine.I2C.attach(0, 0x40, dev)
i2c = machine.I2C(0)
ina = INA219(i2c, 0x40, shunt_ohm=0.1, max_current_a=3.2)
check(dev.regs[0] == 0x399F, "32 V, PGA /8, 12-bit, continuous = 0x399F, got 0x%04x" % dev.regs[0])
check(ina.channels[0][:2] == ("voltage", "V") and ina.channels[1][:2] == ("current", "A"), "ina channels")
ib = array("h", [0, 0])
for v_want, i_want in ((12.0, 3.2), (26.0, -3.2), (0.0, 0.0)):
    ina.read_raw_into(ib, 0)
    near(ib[0] * ina.channels[0][2], v_want, 1e-9, "bus voltage")
    near(ib[1] * ina.channels[1][2], i_want, 1e-9, "current = V_shunt / R")
# 0.4 A through 0.1 ohm fits the most sensitive +-40 mV range: PGA /1 -> config 0x219F
dev2 = INA219Device(bus=[0], shunt=[4000])
machine.I2C.attach(0, 0x41, dev2)
small = INA219(i2c, 0x41, shunt_ohm=0.1, max_current_a=0.4, bus_32v=False, quantities=("current",))
check(dev2.regs[0] == 0x019F, "16 V, PGA /1 = 0x019F, got 0x%04x" % dev2.regs[0])
check(len(small.channels) == 1, "current only")
small.read_raw_into(ib, 0)
near(ib[0] * small.channels[0][2], 0.4, 1e-9, "40 mV over 0.1 ohm = 0.4 A")
machine.I2C.attach(1, 0x40, INA219Device([0], [0], config_after_reset=0x0000))
raises(OSError, "not an INA219", INA219, machine.I2C(1))
raises(OSError, "0x44", INA219, i2c, 0x44)
raises(ValueError, "320 mV", INA219, i2c, 0x40, 0.1, 5.0)
done()
