# Helpers for the drivers' from_config(sensor, i2c) factories: build machine objects from one
# pin-map [[sensor]] table (hardware/README.md) and fail with the sensor's name on a bad table.
# machine / onewire are imported here, lazily, so the conversion maths stays importable on CPython.


def _name(sensor):
    return sensor.get("name", sensor.get("driver", "?"))


def need(sensor, key):
    """sensor[key], or ValueError naming the sensor and the key."""
    if key not in sensor:
        raise ValueError("sensor %r (%s): missing key %r" % (_name(sensor), sensor.get("driver"), key))
    return sensor[key]


def pin_no(sensor, role):
    """GPIO number of a pin role, e.g. pin_no(s, "adc")."""
    pins = need(sensor, "pins")
    if role not in pins:
        raise ValueError("sensor %r: pins has no %r" % (_name(sensor), role))
    return pins[role]


def pin_in(sensor, role):
    import machine

    return machine.Pin(pin_no(sensor, role), machine.Pin.IN)


def pin_out(sensor, role):
    import machine

    return machine.Pin(pin_no(sensor, role), machine.Pin.OUT, value=0)


def adc(sensor, role="adc"):
    """machine.ADC on the role's pin, set to the full 0..3.3 V range where the port has attenuation."""
    import machine

    a = machine.ADC(machine.Pin(pin_no(sensor, role)))
    atten = getattr(machine.ADC, "ATTN_11DB", None)
    if atten is not None and hasattr(a, "atten"):
        a.atten(atten)  # ESP32: 0..~3.1 V; rp2 has no attenuation
    return a


def need_i2c(sensor, i2c):
    if i2c is None:
        raise ValueError("sensor %r: needs an I2C bus (set i2c = <bus id> and add an [[i2c]] table)" % _name(sensor))
    return i2c


def quantities(sensor):
    """Channel quantities listed in the pin map, in order."""
    return [c["quantity"] for c in need(sensor, "channels")]


def check_channels(sensor, drv):
    """The pin map must list exactly one channel per value the driver writes."""
    n = len(need(sensor, "channels"))
    if n != len(drv.channels):
        raise ValueError("sensor %r: lists %d channels, driver %s gives %d"
                         % (_name(sensor), n, drv.NAME, len(drv.channels)))
