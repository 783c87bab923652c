# The board's application: sampler -> frames -> transport, commands in, status out.
#
# main.py calls main(). The loop is cooperative and short: every FLUSH_MS the sampler's rings are
# packed into frames and handed to the transport (MQTT queue or USB serial); the transport is
# polled (reconnects, publishes, commands); every STATUS_S a status message goes out. Sampling
# itself runs in timer callbacks and never waits for this loop.
#
# Commands (JSON on …/cmd, or a serial command packet):
#   {"cmd": "start", "rate_hz": 200}     start sampling (rate optional)
#   {"cmd": "stop"}                      stop sampling; buffered data is still sent
#   {"cmd": "rate", "rate_hz": 500}      change the fast ADC group's rate (restarts sampling)
#   {"cmd": "channels", "ids": [0, 4]}   sample only these channel ids (null: all); meta is re-sent
#   {"cmd": "burst", "id": 4, "n": 10000, "rate_hz": 500000}
#                                        rp2 only: n samples of that ADC channel at up to 500 kS/s by
#                                        DMA (burst.py); sampling pauses meanwhile; the samples go out
#                                        on channel id + 32, described in a re-sent meta
#   {"cmd": "status"}                    send a status message now
# A bad command changes nothing; the next status carries "error" with the reason.
import gc
import json

try:
    from . import config as _config
    from . import frame as _frame
    from . import ticks as _ticks
except ImportError:
    import config as _config
    import frame as _frame
    import ticks as _ticks

_IDLE_MS = 5


def heap():
    """(used, free) heap bytes, or (None, None) where the port cannot tell (CPython)."""
    try:
        return gc.mem_alloc(), gc.mem_free()
    except AttributeError:
        return None, None


class App:
    def __init__(self, cfg, site, link, framer=None, led=None, board_path=None):
        """cfg: the pin map dict (board_config.json); site: config.read_site() dict; link: an MqttLink
        or SerialLink (send, send_meta, send_status, poll); led: a drivers.status_led.StatusLed or None;
        board_path: the file cfg was read from (main()): rebuilds read it again instead of keeping a
        copy in RAM."""
        self.led = led
        self._board_path = board_path
        # without a file: the pin map for rebuilds as compact JSON (a quarter of the dict's RAM)
        self._cfg = None if board_path else json.dumps(cfg, separators=(",", ":"))
        self.site = site
        self.link = link
        self.framer = framer or _frame.Framer()
        self.board = _config.build(cfg, site)
        self.enabled = None
        self.state = "stopped"
        self.error = None
        self.clock = _ticks.ExtTicks()
        self.flush_ms = site.get("FLUSH_MS", 100)
        self.status_ms = site.get("STATUS_S", 10) * 1000
        now = _ticks.ticks_ms()
        self._next_flush = now
        self._next_status = now
        self.frames = 0
        self.dropped_before = 0  # dropped by samplers replaced on a rate/channel change
        self._send = self._count_send  # bound once: the loop does not allocate a method per flush
        self._on_cmd = self.on_cmd

    @property
    def cfg(self):
        """The pin map dict (decoded afresh: for commands, not for the sampling path)."""
        if self._board_path:
            return _config.read_board(self._board_path)
        return json.loads(self._cfg or "{}")

    def _count_send(self, f):
        self.frames += 1
        return self.link.send(f)

    # ---- life cycle ----
    def start(self, sample=True):
        self.link.send_meta(self.board.meta_json())
        if sample:
            self.board.sampler.start()
            self.state = "running"
        gc.collect()
        self.send_status()

    def step(self):
        """One pass of the main loop (never blocks for long)."""
        self.clock.update()
        now = _ticks.ticks_ms()
        led = self.led
        if led is not None:
            self._show(led)
            led.update(now)
        if _ticks.ticks_diff(now, self._next_flush) >= 0:
            self._next_flush = _ticks.ticks_add(now, self.flush_ms)
            self.board.sampler.flush(self.framer, self._send)
        self.link.poll(self._on_cmd)
        if _ticks.ticks_diff(now, self._next_status) >= 0:
            self.send_status()

    def _show(self, led):
        if self.state == "running" and not self.link.connected():
            state = "offline"
        else:
            state = "error" if self.error and self.state != "running" else self.state
        if state != led.state:
            led.set(state)

    def run(self, wdt=None):
        while True:
            self.step()
            if wdt is not None:
                wdt.feed()
            _ticks.sleep_ms(_IDLE_MS)

    def stop(self):
        self.board.sampler.stop()
        self.board.sampler.flush(self.framer, self._send)
        self.state = "stopped"

    # ---- status and commands ----
    def status(self):
        used, free = heap()
        link = self.link.stats()
        smp = self.board.sampler
        return {"state": self.state, "rate_hz": smp.rate_hz(), "uptime_s": self.clock.elapsed_s(),
                "heap_used": used, "heap_free": free, "dropped": self.dropped_before + smp.dropped(), "backlog": smp.backlog(),
                "frames": self.frames, "tx_dropped": link.get("tx_dropped", 0), "queued": link.get("queued", 0),
                "channels": self.enabled, "error": self.error}

    def send_status(self):
        self._next_status = _ticks.ticks_add(_ticks.ticks_ms(), self.status_ms)
        self.link.send_status(json.dumps(self.status()).encode())

    def on_cmd(self, payload):
        try:
            c = json.loads(payload)
            name = c["cmd"]
            if name == "start":
                self._restart(c.get("rate_hz"), self.enabled, force=True)
            elif name == "stop":
                self.stop()
            elif name == "rate":
                self._restart(c["rate_hz"], self.enabled)
            elif name == "channels":
                ids = c.get("ids")
                self._restart(None, None if ids is None else [int(i) for i in ids], rebuild=True)
            elif name == "burst":
                self.burst(int(c["id"]), int(c.get("n", 10000)), int(c.get("rate_hz", 500000)))
            elif name != "status":
                raise ValueError("unknown command %r (start, stop, rate, channels, burst, status)" % name)
            self.error = None
        except (ValueError, KeyError, TypeError, OSError) as e:
            self.error = "bad command %s: %s / 命令无效" % (payload[:80], e)
        self.send_status()

    def burst(self, ch_id, n, rate_hz):
        """Capture a DMA burst of channel ch_id and send it (burst.py, imported only when used)."""
        try:
            from . import burst as _burst
        except ImportError:
            import burst as _burst
        _burst.app_burst(self, ch_id, n, rate_hz)

    def _restart(self, rate_hz, enabled, force=False, rebuild=False):
        if rate_hz is not None:
            if not 0 < rate_hz <= self.board.max_rate:
                raise ValueError("rate_hz must be in (0, %d]" % self.board.max_rate)
            _sampler_period(rate_hz)
        was = self.state == "running"
        smp = self.board.sampler
        if was:
            self.stop()
        if rebuild or rate_hz is not None:  # rings are sized for the rate: rebuild them
            rate = rate_hz or smp.rate_hz() or None
            try:
                board = _config.build(self.cfg, self.site, enabled=enabled, rate_hz=rate)
            except (ValueError, OSError):
                if was:  # keep sampling as before; the status reports the error
                    smp.start()
                    self.state = "running"
                raise
            self.dropped_before += smp.dropped()
            self.board = board
            self.enabled = enabled
            self.link.send_meta(self.board.meta_json())
            gc.collect()
        if was or force:
            self.board.sampler.start()
            self.state = "running"


def _sampler_period(rate_hz):
    try:
        from . import sampler as _s
    except ImportError:
        import sampler as _s
    return _s.period_for(rate_hz)


def make_link(site, framer, board_type):
    """The transport the site config asks for: MQTT over Wi-Fi, or USB serial."""
    kind = site.get("TRANSPORT") or ("mqtt" if site.get("WIFI_SSID") else "serial")
    if kind == "serial":
        try:
            from . import serial_link as _sl
        except ImportError:
            import serial_link as _sl
        return _sl.SerialLink(_sl.UsbCdc(), framer, _ticks.ticks_us)
    if kind != "mqtt":
        raise _config.ConfigError("TRANSPORT must be \"mqtt\" or \"serial\", not %r" % kind)
    if board_type == "pico":
        raise _config.ConfigError("a plain Pico has no Wi-Fi: set TRANSPORT = \"serial\" / 普通 Pico 没有 Wi-Fi")
    if not site.get("MQTT_HOST"):
        raise _config.ConfigError("MQTT_HOST is not set in site_config.py / 请在 site_config.py 设置 MQTT_HOST")
    import network  # pyright: ignore[reportMissingImports]

    try:
        from . import mqtt_link as _ml
    except ImportError:
        import mqtt_link as _ml
    return _ml.MqttLink(site["SITE_ID"], site.get("BOARD_ID") or "board", site["MQTT_HOST"], site["MQTT_PORT"],
                        site["MQTT_USER"], site["MQTT_PASSWORD"], site["WIFI_SSID"], site["WIFI_KEY"],
                        wlan=network.WLAN(network.STA_IF), queue_bytes=site["QUEUE_BYTES"])


def _status_led(board_type):
    try:
        try:
            from .drivers import status_led
        except ImportError:
            from drivers import status_led
        return status_led.for_board(board_type)
    except (ImportError, ValueError):
        return None


def main(board_path="board_config.json"):
    """Board entry point (main.py): load config, connect, sample forever."""
    cfg = _config.read_board(board_path)
    site = _config.read_site()
    if not site.get("BOARD_ID"):
        site["BOARD_ID"] = (cfg.get("board") or {}).get("id")
    btype = (cfg.get("board") or {}).get("type")
    led = _status_led(btype)
    framer = _frame.Framer()
    try:
        link = make_link(site, framer, btype)
        app = App(cfg, site, link, framer, led, board_path)
        cfg = None  # the app keeps its own compact copy; this frame lives as long as the board runs
    except Exception as e:  # config or sensor error: say it on the console, blink "error"
        print("classlab:", e)
        if led is not None:
            led.set("error")
            while True:
                led.update(_ticks.ticks_ms())
                _ticks.sleep_ms(20)
        raise
    if led is not None:
        led.set("connecting")
        led.update(_ticks.ticks_ms())
    first_connect = getattr(link, "start", None)  # MqttLink: the first connect may fail loudly
    if first_connect is not None:
        try:
            first_connect()
        except Exception as e:  # the first failure is loud; the link keeps retrying in poll()
            print("classlab:", e)
    app.start()
    wdt = None
    if site.get("WDT_MS"):
        import machine

        wdt = machine.WDT(timeout=site["WDT_MS"])
    app.run(wdt)
