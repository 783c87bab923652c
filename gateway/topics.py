"""⚑ MQTT topics: ``classlab/<site>/<board>/data|meta|status|cmd``; site and board ids ``[a-z0-9-]{1,32}``.

``data`` carries v1 frames (QoS 1); ``meta`` retained JSON (channels' scale/offset/unit, ``tick_period``);
``status`` retained JSON (last will ``offline``); ``cmd`` goes from the gateway to the board.
"""

from __future__ import annotations

import functools
import re

PREFIX = "classlab"
KINDS = ("data", "meta", "status", "cmd")
ID_RE = re.compile(r"[a-z0-9-]{1,32}\Z")


def check_id(value: str, what: str = "id") -> str:
    """Return ``value`` if it is a valid site/board id, else raise ValueError saying how to fix it."""
    if not isinstance(value, str) or not ID_RE.match(value):
        raise ValueError(f"{what} {value!r} is not valid: use 1–32 characters of a-z, 0-9 and '-' "
                         f"/ 只能用小写字母、数字和 '-'，1–32 个字符")
    return value


def topic(site: str, board: str, kind: str) -> str:
    if kind not in KINDS:
        raise ValueError(f"unknown topic kind {kind!r} (one of {', '.join(KINDS)})")
    return f"{PREFIX}/{site}/{board}/{kind}"


@functools.lru_cache(maxsize=4096)  # a gateway sees a few topics per board, once per message each
def parse(name: str) -> tuple[str, str, str] | None:
    """``classlab/<site>/<board>/<kind>`` → (site, board, kind); None for any other topic."""
    parts = name.split("/")
    if len(parts) != 4 or parts[0] != PREFIX or parts[3] not in KINDS:
        return None
    if not ID_RE.match(parts[1]) or not ID_RE.match(parts[2]):
        return None
    return parts[1], parts[2], parts[3]


def subscriptions(site: str) -> list[str]:
    """Topic filters the gateway subscribes to for one site (all boards)."""
    return [f"{PREFIX}/{site}/+/{kind}" for kind in ("meta", "status", "data")]
