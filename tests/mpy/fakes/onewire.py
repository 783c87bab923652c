# Fake `onewire` (the micropython-lib OneWire API) for firmware tests. Devices attach to a pin with
# OneWire.attach(pin_no, device); a device has `rom` (8 bytes: family, serial, crc8) and gets the
# bytes written after it was selected (MATCH_ROM + its ROM, or SKIP_ROM) through `write(data)`, and
# answers reads through `read(n) -> bytes`. API: README.md.
_MATCH_ROM = 0x55
_SKIP_ROM = 0xCC
_SEARCH_ROM = 0xF0


class OneWireError(Exception):
    pass


class OneWire:
    SEARCH_ROM = _SEARCH_ROM
    MATCH_ROM = _MATCH_ROM
    SKIP_ROM = _SKIP_ROM

    _buses = {}  # pin number -> [devices]

    def __init__(self, pin):
        self.pin = pin
        self.pin_no = pin if isinstance(pin, int) else pin.id
        self._state = "idle"  # idle -> rom (after reset) -> match (collecting ROM) -> selected
        self._rom = bytearray()
        self._selected = []

    def _devices(self):
        return OneWire._buses.get(self.pin_no, [])

    def reset(self, required=False):
        present = bool(self._devices())
        if required and not present:
            raise OneWireError("no presence pulse")
        self._state = "rom"
        self._selected = []
        return present

    def writebyte(self, value):
        value &= 0xFF
        if self._state == "rom":
            if value == _SKIP_ROM:
                self._selected = list(self._devices())
                self._state = "selected"
            elif value == _MATCH_ROM:
                self._rom = bytearray()
                self._state = "match"
            else:
                self._state = "idle"
        elif self._state == "match":
            self._rom.append(value)
            if len(self._rom) == 8:
                self._selected = [d for d in self._devices() if bytes(d.rom) == bytes(self._rom)]
                self._state = "selected"
        elif self._state == "selected":
            for d in self._selected:
                d.write(bytes([value]))

    def write(self, buf):
        for b in buf:
            self.writebyte(b)

    def writebit(self, value):
        pass

    def readbit(self):
        return 1

    def readbyte(self):
        buf = bytearray(1)
        self.readinto(buf)
        return buf[0]

    def readinto(self, buf):
        if self._state != "selected" or len(self._selected) != 1:
            for i in range(len(buf)):
                buf[i] = 0xFF  # nobody (or a collision) drives the bus: reads as all ones
            return
        data = self._selected[0].read(len(buf))
        for i in range(len(buf)):
            buf[i] = data[i]

    def select_rom(self, rom):
        self.reset()
        self.writebyte(_MATCH_ROM)
        self.write(rom)

    def scan(self):
        return [bytearray(d.rom) for d in self._devices()]

    def crc8(self, data):
        return crc8(data)

    # ---- test control ----
    @staticmethod
    def attach(pin_no, device):
        OneWire._buses.setdefault(pin_no, []).append(device)

    @staticmethod
    def reset_all():
        OneWire._buses.clear()


def crc8(data):
    """Dallas/Maxim CRC-8 (poly x^8+x^5+x^4+1, reflected 0x8C, init 0)."""
    crc = 0
    for b in data:
        for _ in range(8):
            mix = (crc ^ b) & 1
            crc >>= 1
            if mix:
                crc ^= 0x8C
            b >>= 1
    return crc
