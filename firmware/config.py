# Board configuration: pin map (board_config.json) + site config (site_config.py) -> drivers,
# sampler groups and the meta message.
#
# board_config.json is the pin map of hardware/pinmaps/<board>.toml as JSON (written by
# `classlab firmware deploy`): [board] id/type, [[i2c]] buses, [[sensor]] tables. Keys the firmware
# does not need are ignored; an unknown driver name or an impossible setting stops start-up with a
# message naming the sensor. site_config.py (untracked; see site_config_example.py) holds Wi-Fi,
# broker and site/board ids.
#
# Grouping (see sampler.py):
#   fast sensors on ADC/GPIO      one FastGroup, hard timer where the port allows it (rp2), at the
#                                 highest rate_hz among them (the board rate; `rate` command)
#   fast sensors on I²C           one FastGroup on a soft timer (I²C cannot run in a hard IRQ)
#   slow sensors (1-Wire, I²C)    one SlowGroup each, at the sensor's rate_hz
#   event sensors (photogate)     one EventGroup each
import json

try:
    from . import sampler as _sampler
    from . import ticks as _ticks
except ImportError:
    import sampler as _sampler
    import ticks as _ticks

try:
    from classlab_version import VERSION as FW_VERSION  # pyright: ignore[reportMissingImports]  (written by `classlab firmware build`)
except ImportError:
    FW_VERSION = "0.1.0+dev"
BOARD_TYPES = ("esp32", "pico", "pico_w")
ESP32_ADC2 = (0, 2, 4, 12, 13, 14, 15, 25, 26, 27)  # unusable while Wi-Fi is on
MAX_FAST_RATE = {"esp32": 1000, "pico": 5000, "pico_w": 5000}  # soft timer on ESP32, hard IRQ on rp2
MAX_I2C_RATE = 200
DEFAULTS = {"SITE_ID": "school", "BOARD_ID": None, "WIFI_SSID": None, "WIFI_KEY": None, "MQTT_HOST": None,
            "MQTT_PORT": 1883, "MQTT_USER": None, "MQTT_PASSWORD": None, "TRANSPORT": None,
            "QUEUE_BYTES": 8192, "FLUSH_MS": 100, "STATUS_S": 10, "RING_S": 3.0, "RING_INSTANTS": 1024, "WDT_MS": None}


class ConfigError(ValueError):
    """A board or site setting that cannot work; the message names it and says how to fix it."""


def load_driver(name):
    """The driver module for a pin-map driver name (drivers.<name> on the board)."""
    try:
        from .drivers import NAMES
    except ImportError:
        from drivers import NAMES
    if name not in NAMES:
        raise ConfigError("unknown driver %r; known drivers: %s / 未知传感器驱动" % (name, ", ".join(NAMES)))
    if "." in __name__:  # host: classlab.firmware.config
        import importlib

        return importlib.import_module(__name__.rpartition(".")[0] + ".drivers." + name)
    pkg = __import__("drivers." + name)
    return getattr(pkg, name)


def read_board(path="board_config.json"):
    try:
        with open(path) as f:
            return json.load(f)
    except OSError:
        raise ConfigError("%s is missing: deploy the board with `classlab firmware deploy` / 缺少板卡配置" % path) from None
    except ValueError as e:
        raise ConfigError("%s is not valid JSON: %s" % (path, e)) from None


def read_site(module=None):
    """Site settings as a dict with defaults filled in, from `module` (default: import site_config)."""
    if module is None:
        try:
            import site_config as module  # pyright: ignore[reportMissingImports]
        except ImportError:
            raise ConfigError("site_config.py is missing: copy site_config_example.py to site_config.py, fill "
                              "in Wi-Fi, broker and ids, and deploy again / 缺少 site_config.py") from None
    site = dict(DEFAULTS)
    for k in DEFAULTS:
        if hasattr(module, k):
            site[k] = getattr(module, k)
    check_id(site["SITE_ID"], "SITE_ID")
    if site["BOARD_ID"] is not None:
        check_id(site["BOARD_ID"], "BOARD_ID")
    return site


def check_id(value, key):
    """Site and board ids become MQTT topic levels: [a-z0-9-]{1,32}."""
    ok = isinstance(value, str) and 1 <= len(value) <= 32
    if ok:
        for c in value:
            if not ("a" <= c <= "z" or "0" <= c <= "9" or c == "-"):
                ok = False
                break
    if not ok:
        raise ConfigError("%s = %r in site_config.py: use 1-32 characters of a-z, 0-9 and '-' "
                          "/ 只能用小写字母、数字和 '-'" % (key, value))
    return value


def _ids(sensor):
    return [c["id"] for c in sensor.get("channels", ())]


def apply_calibration(channels, calibration):
    """Compose board_config.json's "calibration" list (hardware/README.md) into the meta channels:
    physical = raw × (scale·s) + (offset·s + o), and a "calibration" entry so the gateway does not
    apply it again. Entries with method "none" (identity) are skipped."""
    by_id = {}
    for c in calibration:
        by_id[c["id"]] = c
    for ch in channels:
        c = by_id.get(ch["id"])
        if c is None or c.get("method") == "none":
            continue
        s, o = float(c["scale"]), float(c["offset"])
        ch["scale"] = float(ch["scale"]) * s
        ch["offset"] = float(ch["offset"]) * s + o
        ch["calibration"] = {"scale": s, "offset": o, "date": c.get("date"), "by": c.get("by"),
                             "method": c.get("method")}


def ring_size(rate_hz, site):
    """Instants a fast ring holds: RING_S seconds at rate_hz (so a transport stall that long, e.g. a
    2 s MQTT connect timeout, loses nothing), at least 64, at most RING_INSTANTS."""
    n = int(rate_hz * site.get("RING_S", 3.0))
    return max(64, min(n, site.get("RING_INSTANTS", 1024)))


class Board:
    """Everything config builds: sampler, drivers by sensor name, meta JSON and limits.

    The meta is kept as its JSON bytes only (what the link publishes, shared with it): the dict
    form costs ~4x the RAM (10 KB for a full station). `meta` decodes a fresh dict; change it with
    set_meta()."""

    def __init__(self, board_type, board_id, sampler, sensors, meta, max_rate):
        self.type = board_type
        self.id = board_id
        self.sampler = sampler
        self.sensors = sensors  # [(name, driver, channel ids, group kind)]
        self.max_rate = max_rate
        self.set_meta(meta)

    @property
    def meta(self):
        return json.loads(self._meta)

    def set_meta(self, meta):
        self._meta = json.dumps(meta, separators=(",", ":")).encode()

    def meta_json(self):
        return self._meta


def build(cfg, site=None, enabled=None, rate_hz=None, i2c_factory=None):
    """Build the board from its pin map dict `cfg`.

    site: dict from read_site() (None: defaults). enabled: channel ids to sample (None: all); a
    sensor is on if any of its channels is enabled. rate_hz: the fast ADC group's rate
    (None: the highest rate_hz among those sensors, default 100 Hz).
    """
    import machine

    site = site or dict(DEFAULTS)
    b = cfg.get("board") or {}
    btype = b.get("type")
    if btype not in BOARD_TYPES:
        raise ConfigError("board.type %r is not one of %s" % (btype, ", ".join(BOARD_TYPES)))
    board_id = site.get("BOARD_ID") or b.get("id") or "board"
    wifi = bool(site.get("WIFI_SSID")) and btype != "pico"
    esp = btype == "esp32"
    buses = {}
    for bus in cfg.get("i2c", ()):
        try:
            if i2c_factory is not None:
                buses[bus["id"]] = i2c_factory(bus)
            else:
                buses[bus["id"]] = machine.I2C(bus["id"], scl=machine.Pin(bus["scl"]), sda=machine.Pin(bus["sda"]),
                                               freq=bus.get("freq", 400000))
        except KeyError as e:
            raise ConfigError("[[i2c]] table is missing key %s" % e) from None
    if enabled is not None:
        known = [i for s in cfg.get("sensor", ()) for i in _ids(s)]
        unknown = [i for i in enabled if i not in known]
        if unknown or not enabled:
            raise ConfigError("channel ids %s are not on this board (it has %s) / 通道编号不存在"
                              % (unknown or "[]", sorted(known)))
    adc_fast, adc_ids, adc_rate = [], [], 0
    i2c_fast, i2c_ids, i2c_rate = [], [], 0
    slow, events, sensors = [], [], []
    meta_ch = []
    seen = {}
    for s in cfg.get("sensor", ()):
        name = s.get("name", "?")
        ids = _ids(s)
        if enabled is not None and not any(i in enabled for i in ids):
            continue
        for i in ids:
            if i in seen:
                raise ConfigError("sensor %r: channel id %d is already used by %r" % (name, i, seen[i]))
            seen[i] = name
        if esp and wifi:
            pin = (s.get("pins") or {}).get("adc")
            if pin in ESP32_ADC2:
                raise ConfigError("sensor %r: GPIO%d is on ESP32 ADC2, which cannot be read while Wi-Fi is on; "
                                  "use GPIO32-39 (ADC1) / ESP32 的 ADC2 引脚在 Wi-Fi 开启时不可用" % (name, pin))
        drv_name = s.get("driver")
        mod = load_driver(drv_name)
        bus = None
        if "i2c" in s:
            if s["i2c"] not in buses:
                raise ConfigError("sensor %r: i2c = %r but there is no [[i2c]] table with that id" % (name, s["i2c"]))
            bus = buses[s["i2c"]]
        try:
            drv = mod.from_config(s, bus)
        except OSError as e:
            raise ConfigError("sensor %r (%s) does not answer: %r; check its wiring / 传感器无响应，请检查接线"
                              % (name, drv_name, e)) from None
        rate = s.get("rate_hz") or (1.0 if drv.KIND == "slow" else 100.0)
        if drv.KIND == "fast" and bus is None:
            adc_fast.append(drv)
            adc_ids += ids
            adc_rate = max(adc_rate, rate)
            kind = "fast"
        elif drv.KIND == "fast":
            i2c_fast.append(drv)
            i2c_ids += ids
            i2c_rate = max(i2c_rate, rate)
            kind = "fast_i2c"
        elif drv.KIND == "slow":
            slow.append(_sampler.SlowGroup(drv, ids, rate))
            kind = "slow"
        elif drv.KIND == "event":
            events.append(_sampler.EventGroup(drv, ids))
            kind = "event"
        else:
            raise ConfigError("sensor %r: driver %s has unknown KIND %r" % (name, drv_name, drv.KIND))
        sensors.append((name, drv, ids, kind))
        for k in range(len(ids)):
            q, unit, scale, offset, dtype = drv.channels[k]
            meta_ch.append({"id": ids[k], "sensor": name, "driver": drv_name, "quantity": q, "unit": unit,
                            "scale": scale, "offset": offset, "dtype": dtype, "kind": kind,
                            "max_rate": None if kind == "event" else rate})
    apply_calibration(meta_ch, cfg.get("calibration", ()))
    max_rate = MAX_FAST_RATE[btype]
    rate_hz = rate_hz or adc_rate or 100
    if rate_hz > max_rate:
        raise ConfigError("rate %s Hz is above this board's limit of %d Hz" % (rate_hz, max_rate))
    fast = None
    if adc_fast:
        fast = _sampler.FastGroup(adc_fast, adc_ids, rate_hz, capacity=ring_size(rate_hz, site),
                                  timer_id=0 if esp else -1, hard=not esp)
    if i2c_fast:
        # sampled by a soft timer: a second "slow" group whose service is its own timer
        rate = min(i2c_rate, MAX_I2C_RATE)
        slow.insert(0, _sampler.FastGroup(i2c_fast, i2c_ids, rate, capacity=ring_size(rate, site),
                                          timer_id=1 if esp else -1, hard=False))
    smp = _sampler.Sampler(fast=fast, slow=[g for g in slow if isinstance(g, _sampler.SlowGroup)],
                           events=events, slow_timer_id=2 if esp else -1,
                           extra=[g for g in slow if isinstance(g, _sampler.FastGroup)])
    for ch in meta_ch:
        if ch["kind"] == "fast":
            ch["max_rate"] = rate_hz
    meta = {"fw": FW_VERSION, "board": btype, "board_id": board_id, "tick_period": _ticks.TICKS_PERIOD,
            "rate_hz": rate_hz, "max_rate_hz": max_rate, "channels": meta_ch}
    return Board(btype, board_id, smp, sensors, meta, max_rate)
