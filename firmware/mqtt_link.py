# MQTT transport: the robustness layer over mqtt_client.MQTTClient.
#
# Topics (docs/architecture.md): classlab/<site>/<board>/data (frames, QoS 1), …/meta (retained
# JSON), …/status (retained JSON; last will "offline", retained), …/cmd (gateway -> board).
# The app hands every frame to send(); it is copied into a bounded FrameQueue and published from
# there by poll(), oldest first, QoS 1: a frame leaves the queue only after its PUBACK, so an outage
# loses nothing until the queue is full, and then the oldest frames go, counted (`tx_dropped`).
# Connection loss is handled here only: Wi-Fi and broker are retried with exponential backoff
# (1 s doubling to 60 s, with jitter); after each reconnect meta and status are re-published
# (retained) and the cmd topic re-subscribed. The first connect may fail loudly (start() raises);
# later outages heal themselves.
try:
    from . import frame_queue as _fq
    from . import mqtt_client as _mc
    from . import ticks as _ticks
except ImportError:
    import frame_queue as _fq
    import mqtt_client as _mc
    import ticks as _ticks

try:
    from micropython import const  # pyright: ignore[reportAssignmentType]  (CPython shim below)
except ImportError:  # CPython

    def const(x):  # type: ignore[no-redef]
        return x

_BACKOFF_MIN_MS = const(1000)
_BACKOFF_MAX_MS = const(60000)
_FRAMES_PER_POLL = const(8)
_JOIN_WAIT_MS = const(15000)  # start() waits this long for Wi-Fi
_JOIN_POLL_MS = const(500)  # while joining, poll() looks again this often
_JOIN_RESTART_MS = const(20000)  # a join that has not succeeded by then is started again


class LinkError(Exception):
    """The first connection failed; the message says what to check (Wi-Fi, broker address)."""


class MqttLink:
    """site/board: ids for the topics. wlan: a network.WLAN (None on CPython / wired). client: an
    MQTTClient (made from `server` if None)."""

    def __init__(self, site, board, server, port=1883, user=None, password=None, ssid=None, wifi_key=None,
                 wlan=None, client=None, queue_bytes=8192, keepalive=30, timeout_s=2, sock_mod=None):
        base = "classlab/%s/%s/" % (site, board)
        self.t_data = (base + "data").encode()
        self.t_meta = (base + "meta").encode()
        self.t_status = (base + "status").encode()
        self.t_cmd = (base + "cmd").encode()
        self.server = server
        self.ssid = ssid
        self.wifi_key = wifi_key
        self.wlan = wlan
        self.client = client or _mc.MQTTClient("classlab-" + board, server, port, user, password,
                                               keepalive=keepalive, timeout_s=timeout_s, sock_mod=sock_mod)
        self.client.set_callback(self._on_msg)
        self.keepalive_ms = keepalive * 1000
        self.queue = _fq.FrameQueue(queue_bytes)
        self.up = False
        self.meta = None
        self.status = b'{"state":"online"}'
        self.backoff_ms = _BACKOFF_MIN_MS
        self.next_try = _ticks.ticks_ms()
        self.connects = 0
        self.disconnects = 0
        self.failures = 0
        self.published = 0
        self.last_error = ""
        self._cmds = []
        self._joining = False
        self._join_t = 0

    # ---- what the app calls ----
    def connected(self):
        return self.up

    def send(self, frame):
        """Queue one data frame (copied). Never blocks; publishing happens in poll()."""
        return self.queue.push(frame)

    def send_meta(self, meta_json):
        """Retained …/meta; re-published after every reconnect."""
        self.meta = bytes(meta_json)
        if self.up:
            self._guard(self.client.publish, self.t_meta, self.meta, True, 1)

    def send_status(self, status_json, retain=True):
        self.status = bytes(status_json)
        if self.up:
            self._guard(self.client.publish, self.t_status, self.status, retain, 1)

    def start(self):
        """First connection: raises LinkError with what to check if it fails (later ones retry)."""
        if not self._connect(_JOIN_WAIT_MS):
            raise LinkError("cannot reach MQTT broker %s: %s (check WIFI_SSID / MQTT_HOST in site_config.py) "
                            "/ 无法连接 MQTT 服务器，请检查 site_config.py" % (self.server, self.last_error))

    def poll(self, on_cmd):
        """Keep the link up and move queued frames out. on_cmd(payload) for each …/cmd message."""
        now = _ticks.ticks_ms()
        if not self.up:
            if _ticks.ticks_diff(now, self.next_try) < 0 or not self._connect():
                return
        try:
            while self.client.check_msg():
                pass
            for _ in range(_FRAMES_PER_POLL):
                f = self.queue.peek()  # a view into the queue: published without a copy
                if f is None:
                    break
                self.client.publish(self.t_data, f, False, 1)
                self.queue.pop()  # only after the PUBACK
                self.published += 1
            if _ticks.ticks_diff(_ticks.ticks_ms(), self.client.last_tx) > self.keepalive_ms // 2:
                self.client.ping()
        except (OSError, _mc.MQTTError) as e:
            self._lost(e)
        while self._cmds:
            on_cmd(self._cmds.pop(0))

    def close(self):
        """Clean stop: status "offline" (retained), DISCONNECT (so no will)."""
        if self.up:
            try:
                self.client.publish(self.t_status, b'{"state":"offline"}', True, 1)
                self.client.disconnect()
            except (OSError, _mc.MQTTError):
                self.client.close()
        self.up = False

    def stats(self):
        return {"connected": self.up, "connects": self.connects, "disconnects": self.disconnects,
                "queued": self.queue.count, "tx_dropped": self.queue.dropped, "published": self.published}

    # ---- internals ----
    def _on_msg(self, topic, payload):
        if topic == self.t_cmd:
            self._cmds.append(bytes(payload))

    def _guard(self, f, *args):
        try:
            f(*args)
        except (OSError, _mc.MQTTError) as e:
            self._lost(e)

    def _wifi(self, wait_ms):
        """True when the station is connected. Joining runs in the background: poll() never waits
        for it (wait_ms = 0, sampling frames keep queueing); start() waits up to wait_ms."""
        w = self.wlan
        if w is None or w.isconnected():
            self._joining = False
            return True
        now = _ticks.ticks_ms()
        if not self._joining or _ticks.ticks_diff(now, self._join_t) > _JOIN_RESTART_MS:
            w.active(True)
            w.connect(self.ssid, self.wifi_key)
            self._joining = True
            self._join_t = now
        while wait_ms > 0 and not w.isconnected():
            _ticks.sleep_ms(100)
            wait_ms -= 100
        if w.isconnected():
            self._joining = False
            return True
        self.last_error = "Wi-Fi %r not connected (status %s)" % (self.ssid, w.status())
        return False

    def _connect(self, wait_ms=0):
        try:
            if not self._wifi(wait_ms):
                self.failures += 1
                self.next_try = _ticks.ticks_add(_ticks.ticks_ms(), _JOIN_POLL_MS)  # joining: look again soon
                return False
            self.client.connect(clean_session=True, will=(self.t_status, b"offline", True, 1))
            self.client.subscribe(self.t_cmd, 1)
            if self.meta is not None:
                self.client.publish(self.t_meta, self.meta, True, 1)
            self.client.publish(self.t_status, self.status, True, 1)
        except (OSError, _mc.MQTTError) as e:
            self.client.close()
            self.last_error = repr(e)
            self._retry_later()
            return False
        self.up = True
        self.connects += 1
        self.backoff_ms = _BACKOFF_MIN_MS
        return True

    def _lost(self, e):
        self.last_error = repr(e)
        self.client.close()
        if self.up:
            self.disconnects += 1
        self.up = False
        self.next_try = _ticks.ticks_ms()  # retry at once, then back off
        self.backoff_ms = _BACKOFF_MIN_MS

    def _retry_later(self):
        self.failures += 1
        jitter = _ticks.ticks_us() % (self.backoff_ms // 4 + 1)
        self.next_try = _ticks.ticks_add(_ticks.ticks_ms(), self.backoff_ms + jitter)
        self.backoff_ms = min(self.backoff_ms * 2, _BACKOFF_MAX_MS)
