"""⚑ Gateway config (TOML): ``classlab gateway --config FILE``. Sample: ``gateway/classlab.example.toml``.

Validated at start-up, before any I/O: unknown tables or keys and wrong types are rejected with the
key's name and its line in the file (``ConfigError``). Relative paths are relative to the file.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from . import topics
from .mqtt_source import BrokerUrl


class ConfigError(ValueError):
    """The config file is wrong; the message names the file, line and key, and what is expected."""


# table -> key -> (type(s), required). int excludes bool.
SCHEMA: dict[str, dict[str, tuple[tuple[type, ...], bool]]] = {
    "site": {"id": ((str,), True), "room": ((str,), False), "name": ((str,), False)},
    "mqtt": {"url": ((str,), True), "username": ((str,), False), "password": ((str,), False),
             "tls": ((bool,), False), "ca_file": ((str,), False), "client_id": ((str,), False),
             "session_expiry_s": ((int,), False)},
    "journal": {"path": ((str,), True), "max_bytes": ((int,), False)},
    "influxdb": {"url": ((str,), True), "database": ((str,), False), "org": ((str,), False),
                 "bucket": ((str,), False), "token": ((str,), False), "username": ((str,), False),
                 "password": ((str,), False)},
    "http": {"port": ((int,), False), "host": ((str,), False)},
}
REQUIRED_TABLES = ("site", "mqtt", "journal")
_TYPE_NAMES = {str: "a string", int: "an integer", bool: "true or false"}


@dataclass
class GatewayConfig:
    path: Path
    site: str
    mqtt: dict[str, Any]
    journal_path: Path
    max_bytes: int | None = None
    influxdb: dict[str, Any] | None = None
    http_port: int = 8000
    http_host: str = "127.0.0.1"
    site_info: dict[str, Any] = field(default_factory=dict)


def _line_of(text: str, table: str, key: str | None = None) -> int:
    """1-based line of ``[table]`` (or of ``key =`` inside it); 0 if not found."""
    current = None
    header = re.compile(r"^\s*\[\s*([A-Za-z0-9_.\-\"']+)\s*\]")
    for i, line in enumerate(text.splitlines(), 1):
        m = header.match(line)
        if m:
            current = m.group(1).strip("\"'")
            if key is None and current == table:
                return i
            continue
        if key is not None and current == table and re.match(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*=", line):
            return i
    return 0


def load(path: str | Path) -> GatewayConfig:
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read the config file {p}: {exc.strerror or exc}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{p}: not valid TOML: {exc}") from None
    return parse(data, text, p)


def parse(data: dict[str, Any], text: str, p: Path) -> GatewayConfig:
    def where(table: str, key: str | None = None) -> str:
        line = _line_of(text, table, key)
        return f"{p}:{line}" if line else str(p)

    for name, value in data.items():
        if name not in SCHEMA:
            line = _line_of(text, name) or next(
                (i for i, ln in enumerate(text.splitlines(), 1) if re.match(rf"^\s*{re.escape(name)}\s*=", ln)), 0)
            raise ConfigError(f"{p}:{line}: unknown table or key {name!r} (known tables: "
                              f"{', '.join(f'[{t}]' for t in SCHEMA)})")
        if not isinstance(value, dict):
            raise ConfigError(f"{where(name)}: {name!r} must be a table [{name}]")
        for key, val in value.items():
            spec = SCHEMA[name].get(key)
            if spec is None:
                raise ConfigError(f"{where(name, key)}: unknown key [{name}] {key!r} (known: "
                                  f"{', '.join(SCHEMA[name])})")
            types = spec[0]
            if isinstance(val, bool) and bool not in types or not isinstance(val, types):
                raise ConfigError(f"{where(name, key)}: [{name}] {key} must be {_TYPE_NAMES[types[0]]}, "
                                  f"got {type(val).__name__} {val!r}")
        for key, (_types, required) in SCHEMA[name].items():
            if required and key not in value:
                raise ConfigError(f"{where(name)}: [{name}] needs {key!r}")
    for name in REQUIRED_TABLES:
        if name not in data:
            raise ConfigError(f"{p}: the table [{name}] is missing (see gateway/classlab.example.toml)")

    site = data["site"]
    try:
        topics.check_id(site["id"], "[site] id")
    except ValueError as exc:
        raise ConfigError(f"{where('site', 'id')}: {exc}") from None
    mqtt = dict(data["mqtt"])
    try:
        BrokerUrl.parse(mqtt["url"])
    except ValueError as exc:
        raise ConfigError(f"{where('mqtt', 'url')}: [mqtt] url: {exc}") from None
    if "ca_file" in mqtt:
        mqtt["ca_file"] = str((p.parent / mqtt["ca_file"]).resolve())
    journal = data["journal"]
    max_bytes = journal.get("max_bytes")
    if max_bytes is not None and max_bytes < 1 << 20:
        raise ConfigError(f"{where('journal', 'max_bytes')}: [journal] max_bytes must be at least 1048576 "
                          f"(1 MiB), got {max_bytes}")
    influx = data.get("influxdb")
    if influx is not None:
        u = urlsplit(influx["url"])
        if u.scheme not in ("http", "https") or not u.hostname:
            raise ConfigError(f"{where('influxdb', 'url')}: [influxdb] url must be http(s)://host[:port], "
                              f"got {influx['url']!r}")
        if "database" not in influx and "bucket" not in influx:
            raise ConfigError(f"{where('influxdb')}: [influxdb] needs database (1.x) or bucket (2.x, 3.x)")
    http = data.get("http", {})
    port = http.get("port", 8000)
    if not 0 <= port <= 65535:
        raise ConfigError(f"{where('http', 'port')}: [http] port must be 0–65535, got {port}")
    return GatewayConfig(path=p, site=site["id"], mqtt=mqtt, journal_path=(p.parent / journal["path"]).resolve(),
                         max_bytes=max_bytes, influxdb=dict(influx) if influx else None, http_port=port,
                         http_host=http.get("host", "127.0.0.1"), site_info=dict(site))
