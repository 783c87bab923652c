# BH1750 and LDR drivers against fake devices. Prints "ok N" (N checks) or raises.
from array import array

import machine
from devices import BH1750Device
from drivers.bh1750 import BH1750, lux
from drivers.ldr import LDR
from drivers_common import U16Adc, check, done, near, no_alloc, raises, reset

# --- BH1750: datasheet p.7 example: high byte 1000_0011, low byte 1001_0000 -> 28067 lx ---
near(lux(0x8390), 28067, 0.5, "datasheet example")
reset()
counts = [0x8390, 0, 1, 12, 65535]
dev = BH1750Device(counts)
machine.I2C.attach(0, 0x23, dev)
i2c = machine.I2C(0, scl=machine.Pin(22), sda=machine.Pin(21))
bh = BH1750(i2c)
check(dev.powered and dev.commands[:2] == [0x01, 0x07], "power on + reset sent, got %r" % dev.commands)
qty, unit, scale, offset, dtype = bh.channels[0]
check((qty, unit, dtype) == ("illuminance", "lx", "H"), "bh1750 channel")
buf = array("H", [0, 0])
for c in counts:
    check(bh.start() == 180, "one-time H-resolution mode: 180 ms max")
    check(dev.commands[-1] == 0x20, "one-time H-resolution command 0x20")
    bh.read_raw_into(buf, 1)
    check(buf[1] == c, "raw count %d, got %d" % (c, buf[1]))
    near(buf[1] * scale + offset, c / 1.2, 1e-6 * c + 1e-9, "lx = count / 1.2")

# MTreg 138 doubles the sensitivity: half the lx per count, twice the wait
dev2 = BH1750Device([1000])
machine.I2C.attach(0, 0x5C, dev2)
bh2 = BH1750(i2c, 0x5C, mtreg=138)
check(dev2.mtreg == 138, "MTreg written as 0x44 0x6A, chip has %d" % dev2.mtreg)
check(bh2.start() == 360, "wait scales with MTreg")
bh2.read_raw_into(buf, 0)
near(buf[0] * bh2.channels[0][2], 1000 / 1.2 * 69 / 138, 1e-6, "lx at MTreg 138")

raises(OSError, "0x23", BH1750, machine.I2C(1))
raises(ValueError, "0x23", BH1750, i2c, 0x24)
raises(ValueError, "mtreg", BH1750, i2c, 0x23, 300)

# --- LDR: model E = 10 lx * (r10 / R)^(1/gamma), LDR from 3.3 V to the pin, 10 kohm to GND ---
R_FIXED, R10, GAMMA = 10000.0, 10000.0, 0.7


def code_for(e_lx):
    r = R10 * (e_lx / 10.0) ** -GAMMA
    return int(round(R_FIXED / (R_FIXED + r) * 65535))


reset()
levels = [1.0, 10.0, 100.0, 500.0, 2000.0, 10000.0]
machine.ADC.script(33, [code_for(e) for e in levels])
ldr = LDR(machine.ADC(machine.Pin(33)), r_fixed=R_FIXED, r10=R10, gamma=GAMMA)
q = ldr.channels[0]
check(q[:2] == ("illuminance", "lx") and q[4] == "I", "ldr channel")
lb = array("I", [0])
prev = -1
for e in levels:
    ldr.read_raw_into(lb, 0)
    got = lb[0] * q[2] + q[3]
    # tolerance: 1 % for the table, plus what one LSB of a 12-bit ADC (0.8 mV) means at this point:
    # d(ln E) = (dV/V + dV/(3.3 V - V)) / gamma (the LDR's own part-to-part spread is +-30 %)
    v = code_for(e) / 65535 * 3.3
    lsb = (0.8e-3 / v + 0.8e-3 / (3.3 - v)) / GAMMA
    near(got, e, (0.01 + lsb) * e + 0.1, "ldr at %g lx" % e)
    check(lb[0] > prev, "ldr monotonic")
    prev = lb[0]
machine.ADC.script(33, [0, 65535])
ldr.read_raw_into(lb, 0)
check(lb[0] == 0, "LDR open (pin at 0 V) reads 0 lx, got %d" % lb[0])
ldr.read_raw_into(lb, 0)
check(1000000 <= lb[0] <= (1 << 22) - 1, "pin at 3.3 V (LDR shorted) reads >= 100 klx, got %d" % lb[0])
machine.ADC.script(33, [code_for(300.0)])
fast = LDR(U16Adc(machine.ADC(machine.Pin(33))))
no_alloc(fast.read_raw_into, lb, 0)
near(lb[0] / 10, 300.0, 6.0, "ldr read with the heap locked")
raises(ValueError, "position", LDR, machine.ADC(machine.Pin(33)), position="middle")
done()
