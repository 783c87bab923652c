"""MQTT source: paho-mqtt 2.x, MQTT v5, QoS 1, persistent session, manual acknowledgement.

The gateway subscribes to ``classlab/<site>/+/{meta,status,data}`` with QoS 1 under a fixed client id and
``clean_start=False`` with a session expiry, so the broker keeps queueing a board's frames while the
gateway is away. Every message goes to the pipeline together with its ``ack``; paho sends the PUBACK only
when the pipeline calls it, i.e. after the journal commit that holds the message. A message that arrives
but is never committed (crash, power loss) is redelivered by the broker; the pipeline drops the copy of
one it had committed (a duplicate ``seq`` with the same ``t_tx``).

The first connection must succeed (a wrong URL is reported at once); later outages are retried by paho
with backoff and counted (``reconnects``).
"""

from __future__ import annotations

import functools
import ssl
import threading
import time
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from . import topics
from .pipeline import Pipeline


class MqttError(Exception):
    """The broker cannot be reached or refused us; the message says what to check."""


@dataclass(frozen=True)
class BrokerUrl:
    host: str
    port: int
    tls: bool
    username: str | None = None
    password: str | None = None

    @classmethod
    def parse(cls, url: str) -> BrokerUrl:
        """``mqtt://[user:pass@]host[:1883]`` or ``mqtts://host[:8883]`` (TLS)."""
        u = urlsplit(url)
        if u.scheme not in ("mqtt", "mqtts", "tcp", "ssl") or not u.hostname:
            raise ValueError(f"broker URL {url!r} is not mqtt://host[:port] or mqtts://host[:port]")
        tls = u.scheme in ("mqtts", "ssl")
        try:
            port = u.port or (8883 if tls else 1883)
        except ValueError as exc:
            raise ValueError(f"broker URL {url!r}: {exc}") from None
        return cls(u.hostname, port, tls, unquote(u.username) if u.username else None,
                   unquote(u.password) if u.password else None)


def make_client(client_id: str, url: BrokerUrl, *, username: str | None = None, password: str | None = None,
                ca_file: str | None = None, tls: bool = False, manual_ack: bool = False) -> mqtt.Client:
    """A paho v2 client for MQTT v5 with credentials and TLS set from the URL and config."""
    c = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5,
                    manual_ack=manual_ack)
    user, pw = username or url.username, password or url.password
    if user:
        c.username_pw_set(user, pw)
    if url.tls or tls or ca_file:
        c.tls_set(ca_certs=ca_file, cert_reqs=ssl.CERT_REQUIRED)
    c.reconnect_delay_set(1, 30)
    return c


class MqttSource:
    def __init__(self, pipeline: Pipeline, url: str, site: str, *, client_id: str | None = None,
                 username: str | None = None, password: str | None = None, ca_file: str | None = None,
                 tls: bool = False, session_expiry_s: int = 7 * 24 * 3600, receive_maximum: int = 8192) -> None:
        self.pipeline = pipeline
        self.url = url
        self.broker = BrokerUrl.parse(url)
        self.site = topics.check_id(site, "site id")
        self.client_id = client_id or f"classlab-gateway-{site}"
        self.session_expiry_s = session_expiry_s
        self.receive_maximum = receive_maximum
        self.client = make_client(self.client_id, self.broker, username=username, password=password,
                                  ca_file=ca_file, tls=tls, manual_ack=True)
        self.client.on_connect = self._on_connect
        self.client.on_disconnect = self._on_disconnect
        self.client.on_message = self._on_message
        self.connected = threading.Event()
        self.connects = 0
        self.session_present = False
        self.messages = 0
        self._paused = False
        self._refused: str | None = None

    # --- paho callbacks (network thread) -------------------------------------------------------
    def _on_connect(self, client: mqtt.Client, _ud: object, flags: mqtt.ConnectFlags, rc: object,
                    _props: object) -> None:
        if getattr(rc, "is_failure", False):
            self._refused = str(rc)
            self.connected.set()
            return
        self.connects += 1
        self.session_present = bool(flags.session_present)
        client.subscribe([(t, 1) for t in topics.subscriptions(self.site)])
        self.connected.set()

    def _on_disconnect(self, *_args: object) -> None:
        self.connected.clear()

    def _on_message(self, client: mqtt.Client, _ud: object, msg: mqtt.MQTTMessage) -> None:
        arrival = time.time_ns()
        self.pipeline.send_acks(False)  # acks of committed messages go out from this thread while messages flow
        if self._paused:
            return  # not acked: the broker redelivers it to the next session
        self.messages += 1
        ack = functools.partial(client.ack, msg.mid, msg.qos) if msg.qos else None
        t = topics.parse(msg.topic)
        if t is None or t[0] != self.site or t[2] == "cmd":
            self.pipeline.reject("bad_topic", ack)
            return
        self.pipeline.submit(t[0], t[1], t[2], msg.payload, arrival, ack)

    # --- life cycle ----------------------------------------------------------------------------
    def start(self, timeout: float = 10.0) -> MqttSource:
        props = Properties(PacketTypes.CONNECT)
        props.SessionExpiryInterval = self.session_expiry_s
        props.ReceiveMaximum = self.receive_maximum
        try:
            self.client.connect(self.broker.host, self.broker.port, keepalive=30, clean_start=False,
                                properties=props)
        except OSError as exc:
            raise MqttError(f"cannot reach the MQTT broker at {self.url}: {exc} "
                            f"(is it running? check [mqtt] url) / 无法连接 MQTT 服务器") from exc
        self.client.loop_start()
        if not self.connected.wait(timeout) or self._refused:
            self.client.loop_stop()
            why = self._refused or f"no answer within {timeout:g} s"
            raise MqttError(f"the MQTT broker at {self.url} refused the connection: {why} "
                            f"(check [mqtt] username/password)")
        return self

    def pause(self) -> None:
        """Stop handing new messages to the pipeline (they stay unacked, so the broker keeps them)."""
        self._paused = True

    def stop(self) -> None:
        """Disconnect (after ``pipeline.flush()``, so the last acks go out first)."""
        self.pause()
        self.client.disconnect()
        self.client.loop_stop()

    def stats(self) -> dict[str, object]:
        return {"url": self.url, "client_id": self.client_id, "connected": self.connected.is_set(),
                "connects": self.connects, "session_present": self.session_present, "messages": self.messages}
