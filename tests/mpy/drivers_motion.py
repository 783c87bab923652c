# HC-SR04, photogate and MPU-6050 drivers against fake pins / devices. Prints "ok N" or raises.
import math
import time
from array import array

import machine
from devices import HCSR04Echo, MPU6050Device
from drivers.hcsr04 import HCSR04, echo_to_m
from drivers.mpu6050 import MPU6050
from drivers.photogate import Photogate
from drivers_common import check, done, near, raises, reset

Pin = machine.Pin

# --- HC-SR04: d = t * c / 2 with reference speeds of sound in dry air (CRC handbook / ISO 9613):
# 331.3 m/s at 0 degC, 343.2 m/s at 20 degC, 349.0 m/s at 30 degC
SPEED = {0.0: 331.3, 20.0: 343.2, 30.0: 349.0}
near(echo_to_m(5828, 20.0), 5828e-6 * 343.2 / 2, 2e-4, "echo_to_m")
reset()
trig = Pin(26, Pin.OUT, value=0)
echo = Pin(25, Pin.IN)
sonar = HCSR04(trig, echo)
model = HCSR04Echo(26, 25)
q = sonar.channels[0]
check(q[:2] == ("distance", "m") and q[4] == "H", "hcsr04 channel")
buf = array("H", [0])
for t_c, c in SPEED.items():
    sonar.set_air_temperature(t_c)
    for d in (0.05, 0.25, 1.0, 2.5, 4.0):
        width = int(round(2 * d / c * 1e6))
        w0 = Pin._writes.get(26, 0)
        wait = sonar.start()
        check(Pin._writes[26] == w0 + 2 and Pin._levels[26] == 0, "10 us trigger pulse")
        check(wait == 31, "wait for the echo: 31 ms, got %r" % wait)
        model.echo(width)
        sonar.read_raw_into(buf, 0)
        # 1 us echo quantisation + 0.05 % for the reference speed's rounding
        near(buf[0] * q[2] + q[3], d, c / 2 * 1e-6 + 5e-4 * d + 1e-4, "distance %g m at %g degC" % (d, t_c))

# same echo, colder air -> slower sound -> shorter distance, in the ratio of the speeds
sonar.set_air_temperature(0.0)
sonar.start()
model.echo(5000)
sonar.read_raw_into(buf, 0)
d0 = buf[0]
sonar.set_air_temperature(30.0)
sonar.start()
model.echo(5000)
sonar.read_raw_into(buf, 0)
near(buf[0] / d0, 349.0 / 331.3, 0.002, "temperature correction ratio")

# ticks_us wraps every 2**30 us: an echo across the wrap still measures right
time.set_ticks(time.TICKS_PERIOD - 3000)
sonar.set_air_temperature(20.0)
sonar.start()
model.echo(5831)
sonar.read_raw_into(buf, 0)
near(buf[0] / 10000, 5831e-6 * 343.2 / 2, 2e-4, "echo across the tick wrap")
check(time.ticks_us() < 10000, "the clock did wrap")

# no echo / too long an echo -> 0 (never a stale distance)
sonar.start()
sonar.read_raw_into(buf, 0)
check(buf[0] == 0, "no echo reads 0")
sonar.start()
model.echo(35000)
sonar.read_raw_into(buf, 0)
check(buf[0] == 0, "echo past the 30 ms timeout reads 0")
Pin.drive(25, 1)
raises(OSError, "echo pin is high", HCSR04, trig, echo)
Pin.drive(25, 0)
raises(ValueError, "air temperature", sonar.set_air_temperature, 90.0)

# --- photogate: picket fence (alternating 1 cm bars and gaps) falling through one gate ---
reset()
gate = Photogate([Pin(16, Pin.IN), Pin(17, Pin.IN)], capacity=64)
check(gate.channels == (("gate", "level", 1.0, 0.0, "B"),) * 2, "photogate channels")
g = 9.80665
edges = []  # times (s) when the fence's edges (every 1 cm) cross the gate, starting 5 cm above
for k in range(10):
    edges.append(math.sqrt(2 * (0.05 + 0.01 * k) / g))
time.set_ticks(time.TICKS_PERIOD - 20000)  # and the fall crosses the tick wrap
t0 = time.now_us()
for k, t in enumerate(edges):
    time.sleep_us(int(round(t0 + t * 1e6)) - time.now_us())
    Pin.drive(16, 1 if k % 2 == 0 else 0)  # blocked on even edges
Pin.drive(17, 1)  # the second gate sees one rising edge
check(gate.pending() == 11, "11 edges recorded, got %d" % gate.pending())
ticks = array("I", [0] * 8)
idx = bytearray(8)
lv = bytearray(8)
n = gate.take_events(ticks, idx, lv, 8)
check(n == 8 and gate.pending() == 3, "take_events moves at most n_max")
got = [ticks[i] for i in range(n)]
n2 = gate.take_events(ticks, idx, lv, 8)
got += [ticks[i] for i in range(n2)]
check(n2 == 3 and list(idx[:n2]) == [0, 0, 1], "channel index per edge")
check(lv[n2 - 1] == 1, "second gate rose")
for k in range(1, 10):
    dt = time.ticks_diff(got[k], got[0])
    near(dt, (edges[k] - edges[0]) * 1e6, 1, "edge %d time" % k)
# the known answer: g from the first and last bar intervals of the picket fence
v1 = 0.01 / ((time.ticks_diff(got[1], got[0])) * 1e-6)
v2 = 0.01 / ((time.ticks_diff(got[9], got[8])) * 1e-6)
tm = (time.ticks_diff(got[9], got[8]) / 2 + time.ticks_diff(got[8], got[0]) - time.ticks_diff(got[1], got[0]) / 2) * 1e-6
near((v2 - v1) / tm, g, 0.1, "g from the picket fence")

# ring full: further edges are dropped and counted, none lost silently
reset()
small = Photogate([Pin(16, Pin.IN)], capacity=4)
for k in range(7):
    Pin.drive(16, (k + 1) % 2)
check(small.pending() == 4 and small.take_dropped() == 3 and small.take_dropped() == 0, "dropped counted")
raises(ValueError, "at least one", Photogate, [])

# --- MPU-6050: 16384 LSB/g at +-2 g, 131 LSB/(deg/s) at +-250 deg/s (register map 4.17, 4.19) ---
reset()
samples = [(16384, 0, -16384, 0, 131, -131, 0), (8192, -4096, 0, 0, 0, 0, 32767)]
dev = MPU6050Device(samples)
machine.I2C.attach(0, 0x68, dev)
i2c = machine.I2C(0)
imu = MPU6050(i2c, axes=("ax", "ay", "az", "gx", "gy", "gz"))
check(dev.regs[0x6B] == 0x01 and dev.regs[0x1C] == 0 and dev.regs[0x1B] == 0, "woken, +-2 g, +-250 deg/s")
check([c[0] for c in imu.channels] == ["acceleration"] * 3 + ["angular_velocity"] * 3, "mpu channels")
check(imu.channels[0][1] == "m/s2" and imu.channels[3][1] == "rad/s", "mpu units")
b = array("h", [0] * 6)
imu.read_raw_into(b, 0)
phys = [b[k] * imu.channels[k][2] + imu.channels[k][3] for k in range(6)]
near(phys[0], 9.80665, 1e-6, "1 g on x")
near(phys[2], -9.80665, 1e-6, "-1 g on z")
# 131 LSB per deg/s is the datasheet's rounding of 32768 / 250 = 131.072: 0.06 % apart
near(phys[3], math.radians(1.0), 1e-5, "1 deg/s on x gyro")
near(phys[4], -math.radians(1.0), 1e-5, "-1 deg/s on y gyro")
check(phys[5] == 0 and phys[1] == 0, "zero axes read zero")
imu.read_raw_into(b, 0)
near(b[0] * imu.channels[0][2], 9.80665 / 2, 1e-6, "0.5 g")
near(b[1] * imu.channels[1][2], -9.80665 / 4, 1e-6, "-0.25 g")
near(b[5] * imu.channels[5][2], math.radians(250 * 32767 / 32768), 1e-6, "gyro full scale")
# +-16 g: 2048 LSB/g, ACCEL_CONFIG = 3 << 3
dev2 = MPU6050Device([(2048, 0, 0, 0, 0, 0, 0)])
machine.I2C.attach(0, 0x69, dev2)
imu16 = MPU6050(i2c, 0x69, axes=("ax",), accel_range=16)
check(dev2.regs[0x1C] == 0x18, "ACCEL_CONFIG for 16 g")
imu16.read_raw_into(b, 0)
near(b[0] * imu16.channels[0][2], 9.80665, 1e-6, "1 g at +-16 g")
machine.I2C.attach(1, 0x68, MPU6050Device([], who=0x70))
raises(OSError, "0x70", MPU6050, machine.I2C(1))
raises(OSError, "0x68", MPU6050, machine.I2C(2))
raises(ValueError, "accel_range", MPU6050, i2c, 0x68, ("ax",), 3)
done()
