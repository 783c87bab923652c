# DS18B20 and NTC drivers against fake devices. Prints "ok N" (N checks) or raises.
import math
from array import array

import machine
import onewire
from devices import DS18B20Device
from drivers.ds18b20 import DS18B20, to_celsius
from drivers.ntc import NTC
from drivers_common import U16Adc, UvAdc, check, done, near, no_alloc, raises, reset

# --- DS18B20: datasheet table 1 (temperature/data relationship) ---
TABLE = [(0x07D0, 125.0), (0x0550, 85.0), (0x0191, 25.0625), (0x00A2, 10.125), (0x0008, 0.5),
         (0x0000, 0.0), (0xFFF8, -0.5), (0xFF5E, -10.125), (0xFE6F, -25.0625), (0xFC90, -55.0)]
for reg, c in TABLE:
    near(to_celsius(reg & 0xFF, reg >> 8), c, 0, "to_celsius(0x%04x)" % reg)

reset()
dev = DS18B20Device(0x1234, [reg for reg, _ in TABLE])
onewire.OneWire.attach(4, dev)
ow = onewire.OneWire(machine.Pin(4))
probe = DS18B20(ow)
qty, unit, scale, offset, dtype = probe.channels[0]
check((qty, unit, dtype) == ("temperature", "C", "h") and len(probe.channels) == 1, "ds18b20 channel")
buf = array("h", [0] * 4)
for reg, c in TABLE:
    check(probe.start() == 750, "12-bit conversion takes 750 ms")
    probe.read_raw_into(buf, 1)
    near(buf[1] * scale + offset, c, 0, "ds18b20 reading 0x%04x" % reg)
check(dev.converts == len(TABLE), "one CONVERT T per start()")

# two probes -> two channels, sorted by ROM
reset()
a = DS18B20Device(0x0202, [0x0191])
b = DS18B20Device(0x0101, [0xFF5E])
onewire.OneWire.attach(4, a)
onewire.OneWire.attach(4, b)
two = DS18B20(onewire.OneWire(machine.Pin(4)))
check(len(two.channels) == 2 and two.roms[0] == b.rom, "two probes sorted by ROM")
two.start()
two.read_raw_into(buf, 0)
near(buf[0] * 0.0625, -10.125, 0, "probe 1")
near(buf[1] * 0.0625, 25.0625, 0, "probe 2")

# 10-bit resolution: config byte written, shorter conversion, undefined low bits masked
reset()
d10 = DS18B20Device(0x33, [0x0197])
onewire.OneWire.attach(4, d10)
p10 = DS18B20(onewire.OneWire(machine.Pin(4)), resolution=10)
check(d10.config == 0x3F, "10-bit config byte 0x3F, got 0x%02x" % d10.config)
check(p10.start() == 188, "10-bit conversion 187.5 ms")
p10.read_raw_into(buf, 0)
near(buf[0] * 0.0625, 25.25, 0, "10-bit reading drops the two undefined bits")

# errors: nothing on the bus, wrong family, CRC
reset()
raises(OSError, "no probe", DS18B20, onewire.OneWire(machine.Pin(4)))
onewire.OneWire.attach(4, DS18B20Device(0x44, [0], family=0x10))  # DS18S20
raises(OSError, "none is a DS18B20", DS18B20, onewire.OneWire(machine.Pin(4)))
reset()
onewire.OneWire.attach(4, DS18B20Device(0x45, [0x0191], corrupt=True))
bad = DS18B20(onewire.OneWire(machine.Pin(4)))
bad.start()
raises(OSError, "CRC", bad.read_raw_into, buf, 0)
raises(ValueError, "resolution", DS18B20, onewire.OneWire(machine.Pin(4)), None, 13)
# probe unplugged after start-up: an OSError (what the sampler counts), not a OneWireError
onewire.OneWire.reset_all()
raises(OSError, "no presence pulse", bad.start)
raises(OSError, "no presence pulse", bad.read_raw_into, buf, 0)

# --- NTC: beta equation, independent of the driver's code ---
R_FIXED, R_NOM, BETA, VS = 10000.0, 10000.0, 3950.0, 3.3


def code_for(t_c, beta=BETA):
    """ADC read_u16 code of the divider 3.3 V - R_fixed - pin - NTC - GND at t_c."""
    r = R_NOM * math.exp(beta * (1 / (t_c + 273.15) - 1 / 298.15))
    return int(round(r / (r + R_FIXED) * 65535))


reset()
temps = [-20.0, 0.0, 25.0, 37.0, 50.0, 75.0, 100.0, 120.0]
machine.ADC.script(32, [code_for(25.0)] + [code_for(t) for t in temps])
ntc = NTC(machine.ADC(machine.Pin(32)), r_fixed=R_FIXED, r_nominal=R_NOM, beta=BETA)
q = ntc.channels[0]
check(q[:2] == ("temperature", "C") and q[4] == "h", "ntc channel")
nbuf = array("h", [0])
for t in temps:
    ntc.read_raw_into(nbuf, 0)
    # ADC quantisation (1 LSB of 16 bit, 12-bit maths in PinVolts) + table interpolation
    near(nbuf[0] * q[2] + q[3], t, 0.05 if t < 110 else 0.12, "ntc at %g degC" % t)

# monotonic: colder probe -> higher resistance -> higher pin voltage -> lower reading
machine.ADC.script(32, [code_for(30.0), code_for(31.0)])
ntc.read_raw_into(nbuf, 0)
t30 = nbuf[0]
ntc.read_raw_into(nbuf, 0)
check(nbuf[0] > t30, "ntc rises with temperature")

# no allocation in the fast path (runs inside a hard timer IRQ): read_u16 path (rp2) and the
# calibrated read_uv path (ESP32)
machine.ADC.script(32, [code_for(42.0)])
fast = NTC(U16Adc(machine.ADC(machine.Pin(32))))
no_alloc(fast.read_raw_into, nbuf, 0)
near(nbuf[0] / 100, 42.0, 0.05, "ntc read_u16 path with the heap locked")
uv42 = code_for(42.0) * 3300000 // 65535
fast = NTC(UvAdc([uv42]))
no_alloc(fast.read_raw_into, nbuf, 0)
near(nbuf[0] / 100, 42.0, 0.05, "ntc read_uv path with the heap locked")

# open / shorted probe
machine.ADC.script(32, [65535])
raises(OSError, "rail", NTC, machine.ADC(machine.Pin(32)))
machine.ADC.script(32, [code_for(25.0), 0])
ntc2 = NTC(machine.ADC(machine.Pin(32)))
ntc2.read_raw_into(nbuf, 0)
check(nbuf[0] == -32768, "shorted probe reads the fault code, got %d" % nbuf[0])

# Steinhart-Hart (typical 10 kohm coefficients): driver vs. the equation evaluated here
A, B, C = 1.009249522e-3, 2.378405444e-4, 2.019202697e-7
machine.ADC.script(32, [32768])
sh = NTC(machine.ADC(machine.Pin(32)), steinhart=(A, B, C))
for code in (20000, 32768, 45000):
    machine.ADC.script(32, [code])
    sh.read_raw_into(nbuf, 0)
    v = code * 3300000 // 65535 // 100 / 10000  # the fake ADC's read_uv, in the driver's 0.1 mV steps
    r = R_FIXED * v / (VS - v)
    lr = math.log(r)
    want = 1 / (A + B * lr + C * lr ** 3) - 273.15
    near(nbuf[0] / 100, want, 0.03, "steinhart-hart at code %d" % code)
done()
