# DS18B20 1-Wire temperature probe(s) (waterproof probe: boiling, melting, cooling labs).
#
# Slow sensor: start() starts a conversion on every probe of the bus (SKIP ROM + CONVERT T) and
# returns how long to wait; read_raw_into() then reads each probe's scratchpad. Raw value = the
# chip's signed 16-bit temperature register, 1/16 degC per count (datasheet: 0x0191 = +25.0625 degC).
# The driver never waits and never retries: a bad CRC raises OSError and the caller decides.
try:
    from micropython import const  # pyright: ignore[reportAssignmentType]  (CPython shim below)
except ImportError:  # CPython

    def const(x):  # type: ignore[no-redef]
        return x


FAMILY = const(0x28)
_SKIP_ROM = const(0xCC)
_CONVERT_T = const(0x44)
_READ_SCRATCH = const(0xBE)
_WRITE_SCRATCH = const(0x4E)
# conversion time in ms for 9..12-bit resolution (datasheet table 2, max)
CONVERT_MS = (94, 188, 375, 750)
SCALE_C = 0.0625  # degC per count of the temperature register


def to_celsius(lsb, msb):
    """Temperature register bytes (LSB, MSB) -> degC (two's complement, 1/16 degC)."""
    raw = lsb | (msb << 8)
    if raw & 0x8000:
        raw -= 0x10000
    return raw * SCALE_C


class DS18B20:
    """All DS18B20 probes on one 1-Wire bus; one temperature channel per probe (sorted by ROM).

    ow: an ``onewire.OneWire`` on the data pin (4.7 kohm pull-up to 3.3 V).
    roms: ROM codes to use (8 bytes each); default every DS18B20 found on the bus.
    resolution: 9..12 bits (0.5 .. 0.0625 degC steps; 94 .. 750 ms per conversion).
    """

    NAME = "ds18b20"
    KIND = "slow"

    def __init__(self, ow, roms=None, resolution=12):
        if resolution not in (9, 10, 11, 12):
            raise ValueError("ds18b20: resolution must be 9, 10, 11 or 12 bits")
        found = [bytes(r) for r in ow.scan()]
        probes = [r for r in found if r[0] == FAMILY]
        if roms is None:
            roms = sorted(probes)
        else:
            roms = [bytes(r) for r in roms]
            for r in roms:
                if r not in probes:
                    raise OSError("ds18b20: probe %s not on the bus" % r.hex())
        if not roms:
            if found:
                raise OSError("ds18b20: 1-Wire devices found but none is a DS18B20 (family 0x28)")
            raise OSError("ds18b20: no probe answers on the 1-Wire pin (check wiring and the 4.7 kohm pull-up)")
        self.ow = ow
        self.roms = roms
        self.resolution = resolution
        self._mask = 0xFFFF << (12 - resolution) & 0xFFFF  # undefined low bits at < 12 bits
        self._buf = bytearray(9)
        self._cfg = bytearray(4)
        self.channels = tuple(("temperature", "C", SCALE_C, 0.0, "h") for _ in roms)
        if resolution != 12:
            self._configure(resolution)

    def _configure(self, bits):
        cfg = self._cfg
        cfg[0] = _WRITE_SCRATCH
        cfg[1] = 0x4B  # TH alarm (unused, power-on default)
        cfg[2] = 0x46  # TL alarm
        cfg[3] = ((bits - 9) << 5) | 0x1F
        for rom in self.roms:
            self._reset()
            self.ow.select_rom(rom)
            self.ow.write(cfg)

    def _reset(self):
        # reset(False) returns the presence pulse; reset(True) would raise onewire.OneWireError,
        # which is not an OSError, and the sampler handles bus errors as OSError
        if not self.ow.reset():
            raise OSError("ds18b20: no presence pulse on the 1-Wire bus (probe unplugged?)")

    def start(self):
        """Start a conversion on every probe; returns ms to wait before read_raw_into()."""
        self._reset()
        self.ow.writebyte(_SKIP_ROM)
        self.ow.writebyte(_CONVERT_T)
        return CONVERT_MS[self.resolution - 9]

    def read_raw_into(self, buf, i):
        """Put one raw temperature (int16, 1/16 degC) per probe into buf[i], buf[i+1], ..."""
        ow = self.ow
        b = self._buf
        for k in range(len(self.roms)):
            self._reset()
            ow.select_rom(self.roms[k])
            ow.writebyte(_READ_SCRATCH)
            ow.readinto(b)
            if ow.crc8(b):
                raise OSError("ds18b20: CRC error reading probe %d (loose wire?)" % k)
            raw = (b[0] | (b[1] << 8)) & self._mask
            if raw & 0x8000:
                raw -= 0x10000
            buf[i + k] = raw


def from_config(sensor, i2c=None):
    """DS18B20 probes from a pin-map [[sensor]] table: pins = {data = GPIO}; one channel per probe."""
    import machine
    import onewire

    from ._config import check_channels, pin_no

    drv = DS18B20(onewire.OneWire(machine.Pin(pin_no(sensor, "data"))))
    check_channels(sensor, drv)
    return drv
