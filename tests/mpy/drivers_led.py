# Status LED patterns (firmware/drivers/status_led.py). Prints "ok N" or raises.
import machine
from drivers.status_led import PATTERNS, StatusLed, for_board
from drivers_common import check, done, no_alloc, raises, reset

Pin = machine.Pin


def trace(led, pin_no, start_ms=0, ms=2000, step=10):
    """LED level every `step` ms over `ms` ms."""
    out = []
    for t in range(start_ms, start_ms + ms, step):
        led.update(t)
        out.append(Pin._levels[pin_no])
    return out


def runs(levels, on=1):
    """Lengths (in samples) of the lit stretches, counting a run that wraps round the cycle once."""
    out, n = [], 0
    for v in levels + levels[:1]:
        if v == on:
            n += 1
        elif n:
            out.append(n)
            n = 0
    return out


reset()
led = StatusLed(Pin(2, Pin.OUT))
want = {"starting": None, "connecting": [10] * 10, "stopped": [10], "running": [50, 50],
        "offline": [10, 10], "error": [10, 10, 10]}
for state, r in want.items():
    led.set(state)
    lv = trace(led, 2, start_ms=123456 * 2000)
    if r is None:
        check(all(lv), "starting: steady on")
    else:
        check(runs(lv) == r, "%s: lit runs %r, want %r (10 ms samples)" % (state, runs(lv), r))
    check(trace(led, 2, start_ms=2000) == lv, "%s repeats every 2 s" % state)
check(sorted(PATTERNS) == sorted(want), "every pattern tested")

led.set("no-such-state")
check(led.state == "error", "unknown state shows error")
led.set("running")
no_alloc(led.update, 50)  # called from the app loop: must not allocate
check(Pin._levels[2] == 1, "running: on in the first half second")
no_alloc(led.update, 650)
check(Pin._levels[2] == 0, "running: off in the second half second")

low = StatusLed(Pin(5, Pin.OUT), active_high=False)
low.set("stopped")
lv = trace(low, 5)
check(runs(lv, on=0) == [10] and lv.count(1) == 190, "active-low LED inverted")

check(for_board("esp32").pin.id == 2 and for_board("pico").pin.id == 25, "on-board LED pins")
raises(ValueError, "no on-board LED", for_board, "esp8266")
done()
