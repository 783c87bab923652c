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
    # [[serial]]: an array of tables, one per board on a USB serial port (gateway/serial_source.py)
    "serial": {"port": ((str,), True), "board": ((str,), True), "baud": ((int,), False)},
}
ARRAY_TABLES = ("serial",)  # written [[name]], any number of times
REQUIRED_TABLES = ("site", "mqtt", "journal")
DEFAULT_BAUD = 115200  # USB CDC ignores it; a USB-UART bridge (CH340, CP2102) needs the board's rate
BAUD_RANGE = (300, 4_000_000)
_TYPE_NAMES = {str: "a string", int: "an integer", bool: "true or false"}


@dataclass(frozen=True)
class SerialPortConfig:
    """One ``[[serial]]`` entry: a board on a serial port (``/dev/ttyACM0``, ``COM3``, a pyserial URL)."""

    port: str
    board: str
    baud: int = DEFAULT_BAUD
    line: int = 0  # where it is in the config file (for messages)


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
    serial: list[SerialPortConfig] = field(default_factory=list)


def _line_of(text: str, table: str, key: str | None = None) -> int:
    """1-based line of ``[table]`` (or of ``key =`` inside it); 0 if not found."""
    return _line_in(text, table, key, 0)


_HEADER = re.compile(r"^\s*\[\[?\s*([A-Za-z0-9_.\-\"']+)\s*\]\]?")


def _line_in(text: str, table: str, key: str | None, index: int) -> int:
    """Like ``_line_of`` in the ``index``-th (0-based) ``[table]`` / ``[[table]]`` of the file."""
    current, seen = None, -1
    for i, line in enumerate(text.splitlines(), 1):
        m = _HEADER.match(line)
        if m:
            current = m.group(1).strip("\"'")
            if current == table:
                seen += 1
                if key is None and seen == index:
                    return i
            continue
        if (key is not None and current == table and seen == index
                and re.match(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*=", line)):
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
    def where(table: str, key: str | None = None, index: int = 0) -> str:
        line = _line_in(text, table, key, index)
        return f"{p}:{line}" if line else str(p)

    for name, value in data.items():
        if name not in SCHEMA:
            line = _line_of(text, name) or next(
                (i for i, ln in enumerate(text.splitlines(), 1) if re.match(rf"^\s*{re.escape(name)}\s*=", ln)), 0)
            known = ", ".join(f"[[{t}]]" if t in ARRAY_TABLES else f"[{t}]" for t in SCHEMA)
            raise ConfigError(f"{p}:{line}: unknown table or key {name!r} (known tables: {known})")
        if name in ARRAY_TABLES:
            if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
                raise ConfigError(f"{where(name)}: {name!r} must be written [[{name}]] (one table per entry)")
            entries = value
        elif not isinstance(value, dict):
            raise ConfigError(f"{where(name)}: {name!r} must be a table [{name}]")
        else:
            entries = [value]
        label = f"[[{name}]]" if name in ARRAY_TABLES else f"[{name}]"
        for index, entry in enumerate(entries):
            for key, val in entry.items():
                spec = SCHEMA[name].get(key)
                if spec is None:
                    raise ConfigError(f"{where(name, key, index)}: unknown key {label} {key!r} (known: "
                                      f"{', '.join(SCHEMA[name])})")
                types = spec[0]
                if isinstance(val, bool) and bool not in types or not isinstance(val, types):
                    raise ConfigError(f"{where(name, key, index)}: {label} {key} must be {_TYPE_NAMES[types[0]]}, "
                                      f"got {type(val).__name__} {val!r}")
            for key, (_types, required) in SCHEMA[name].items():
                if required and key not in entry:
                    raise ConfigError(f"{where(name, None, index)}: {label} needs {key!r}")
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
    serial = []
    ports: dict[str, int] = {}
    boards: dict[str, int] = {}
    for index, entry in enumerate(data.get("serial", [])):
        line = _line_in(text, "serial", None, index)
        try:
            board = topics.check_id(entry["board"], "[[serial]] board")
        except ValueError as exc:
            raise ConfigError(f"{where('serial', 'board', index)}: {exc}") from None
        if not entry["port"].strip():
            raise ConfigError(f"{where('serial', 'port', index)}: [[serial]] port is empty (e.g. \"/dev/ttyACM0\" "
                              f"or \"COM3\")")
        baud = entry.get("baud", DEFAULT_BAUD)
        if not BAUD_RANGE[0] <= baud <= BAUD_RANGE[1]:
            raise ConfigError(f"{where('serial', 'baud', index)}: [[serial]] baud must be {BAUD_RANGE[0]}–"
                              f"{BAUD_RANGE[1]}, got {baud}")
        for what, seen, value in (("port", ports, entry["port"]), ("board", boards, board)):
            if value in seen:
                raise ConfigError(f"{where('serial', what, index)}: [[serial]] {what} {value!r} is already used by "
                                  f"the [[serial]] entry on line {seen[value]} (one entry per {what})")
            seen[value] = line
        serial.append(SerialPortConfig(entry["port"], board, baud, line))
    return GatewayConfig(path=p, site=site["id"], mqtt=mqtt, journal_path=(p.parent / journal["path"]).resolve(),
                         max_bytes=max_bytes, influxdb=dict(influx) if influx else None, http_port=port,
                         http_host=http.get("host", "127.0.0.1"), site_info=dict(site), serial=serial)
