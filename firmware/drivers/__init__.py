"""Sensor drivers, one small module per pin-map driver name / 传感器驱动（每个驱动一个模块）.

Module names are the ``driver`` values of ``hardware/pinmaps/*.toml``: ``ds18b20``, ``ntc``,
``bh1750``, ``ldr``, ``hcsr04``, ``photogate``, ``mpu6050``, ``adc_divider``, ``adc_bipolar``,
``ina219``. On the board this folder is the package ``drivers``; on the host it is
``classlab.firmware.drivers`` (drivers import only each other, relatively, and ``machine`` /
``onewire`` lazily inside ``from_config``, so the conversion maths also runs on CPython).
Helpers: ``_adc`` (pin voltage in 0.1 mV from ``read_uv``/``read_u16`` without allocating),
``_table`` (integer lookup table for non-linear sensors), ``_config`` (machine objects from a pin-map
table). ``status_led`` drives the board's status LED (not a sensor; see ``firmware/README.md``).

Driver interface (the sampler in ``firmware/`` relies on it; see also ``firmware/INTERFACE.md``)
-------------------------------------------------------------------------------------------------
Every module has one driver class and a factory::

    from_config(sensor: dict, i2c: machine.I2C | None) -> driver

``sensor`` is one ``[[sensor]]`` table of the pin map (``board_config.json``); the factory makes the
Pin / ADC / OneWire objects, builds the driver and checks that the table lists exactly one channel
per value the driver writes. A bad table raises ``ValueError`` naming the sensor and the key.

The driver class's constructor takes bus / pin objects (never pin numbers), checks the device and
raises a short, clear error: ``OSError`` when the chip does not answer or is the wrong chip (I²C
address missing, MPU-6050 ``WHO_AM_I`` != 0x68, INA219 config after reset != 0x399F, no DS18B20 of
family 0x28 on the 1-Wire bus, NTC reading at a rail, HC-SR04 echo stuck high), ``ValueError`` for an
impossible argument (a divider that would put more than 3.3 V on the pin, an unknown range).

Attributes and methods:

``NAME``
    the pin-map driver name.
``KIND``
    ``"fast"``: ADC / GPIO (and the burst-read I²C chips MPU-6050, INA219): ``read_raw_into`` may
    be called at any time; the ADC drivers (ntc, ldr, adc_divider, adc_bipolar) allocate nothing
    and may run inside a hard timer IRQ; the I²C ones allocate nothing but need a soft context.
    ``"slow"``: ``start()`` begins a measurement and returns the milliseconds to wait, then
    ``read_raw_into()`` (ds18b20 750 ms at 12 bit, bh1750 180 ms, hcsr04 up to 31 ms).
    ``"event"``: the driver's own pin IRQ records edges (photogate).
``channels``
    tuple of ``(quantity, unit, scale, offset, dtype)``, one per value, in the order the driver
    writes them. Physical value = raw × scale + offset; ``dtype`` is an ``array`` type code
    (``h H i I``; ``B`` for event channels, which carry levels). Where the physics is non-linear
    the driver does the non-linear part on the board and reports a linear raw int:
    ntc = temperature in 0.01 °C (int16, −32768 = open/shorted probe), ldr = illuminance in 0.1 lx,
    hcsr04 = distance in 0.1 mm (0 = no echo), from the echo width with the speed of sound
    corrected for air temperature. Channel *ids* come from the pin map, not from the driver.
``read_raw_into(buf, i)``
    writes ``len(channels)`` ints at ``buf[i], buf[i+1], …``. The driver never owns timing or
    retries: a bus error raises ``OSError`` and the caller decides.
``start() -> ms``
    slow drivers only.
``take_events(ticks, idx, levels, n_max) -> n`` and ``take_dropped() -> int``
    event drivers only: move up to ``n_max`` oldest edges (raw ``ticks_us()``, channel index, pin
    level after the edge) into the caller's arrays; edges lost to a full ring are counted.
"""

# pin-map driver names (hardware/drivers.py); status_led.py (the board's status LED) is not a sensor
NAMES = ("ds18b20", "ntc", "bh1750", "ldr", "hcsr04", "photogate", "mpu6050", "adc_divider",
         "adc_bipolar", "ina219")
