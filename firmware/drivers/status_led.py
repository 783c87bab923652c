# Board status LED: one blink pattern per state, stepped by the app's loop (no timer, no sleep,
# no allocation). Patterns repeat every 2 s in 100 ms slots; bit k of the mask = LED on in slot k.
#
#   starting    on, steady                     reading config, starting drivers
#   connecting  fast blink, 5 Hz               joining Wi-Fi / the MQTT broker
#   stopped     one short blink every 2 s      connected, not sampling (waiting for "start")
#   running     slow blink, 1 Hz               sampling and sending
#   offline     two short blinks every 2 s     sampling, link down: frames queue in RAM
#   error       three short blinks every 2 s   config or sensor error: see the status "error"
try:
    from micropython import const  # pyright: ignore[reportAssignmentType]  (CPython shim below)
except ImportError:  # CPython

    def const(x):  # type: ignore[no-redef]
        return x


_SLOT_MS = const(100)
_SLOTS = const(20)
PATTERNS = {
    "starting": 0xFFFFF,
    "connecting": 0x55555,  # on, off, on, off ...
    "stopped": 0x00001,
    "running": 0x7C1F,  # slots 0-4 and 10-14: on 500 ms, off 500 ms
    "offline": 0x00005,
    "error": 0x00015,
}
# on-board LED of each board type (ESP32 DevKitC: GPIO2; Pico: GP25; Pico W: the wireless chip's "LED")
LED_PIN = {"esp32": 2, "pico": 25, "pico_w": "LED"}


class StatusLed:
    """pin: output Pin of the LED; active_high: False if the LED is wired to 3.3 V (on when low)."""

    NAME = "status_led"

    def __init__(self, pin, active_high=True):
        self.pin = pin
        self.on = 1 if active_high else 0
        self.mask = PATTERNS["starting"]
        self.state = "starting"
        self._slot = -1

    def set(self, state):
        """Choose the pattern for state (one of PATTERNS); unknown states show "error"."""
        self.state = state if state in PATTERNS else "error"
        self.mask = PATTERNS[self.state]
        self._slot = -1

    def update(self, now_ms):
        """Drive the LED for time now_ms (time.ticks_ms()); call as often as the loop runs."""
        slot = (now_ms // _SLOT_MS) % _SLOTS
        if slot != self._slot:
            self._slot = slot
            lit = (self.mask >> slot) & 1
            self.pin.value(self.on if lit else 1 - self.on)


def for_board(board_type, active_high=True):
    """StatusLed on the board type's on-board LED (esp32, pico, pico_w)."""
    import machine

    if board_type not in LED_PIN:
        raise ValueError("status_led: no on-board LED known for board type %r" % board_type)
    return StatusLed(machine.Pin(LED_PIN[board_type], machine.Pin.OUT), active_high)
