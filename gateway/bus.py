"""The live bus: committed frames fanned out to later consumers (dashboard WebSockets, experiment runtime).

The journal writer ``publish``-es each committed batch once; every subscriber has its own bounded queue.
A slow consumer never holds the pipeline up: when its queue is full the oldest batch is dropped and
counted (``Subscription.dropped``). ``notify`` (optional) is called when a queue goes from empty to
non-empty, e.g. ``loop.call_soon_threadsafe(event.set)`` for an asyncio consumer.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from typing import Any


class Subscription:
    def __init__(self, bus: LiveBus, maxlen: int, notify: Callable[[], None] | None) -> None:
        self._bus = bus
        self._q: deque[Any] = deque()
        self.maxlen = maxlen
        self.notify = notify
        self.dropped = 0

    def _put(self, item: Any) -> None:
        q = self._q
        was_empty = not q
        if len(q) >= self.maxlen:
            q.popleft()
            self.dropped += 1
        q.append(item)
        if was_empty and self.notify is not None:
            self.notify()

    def drain(self) -> list[Any]:
        """Everything queued, oldest first."""
        out = []
        q = self._q
        while q:
            out.append(q.popleft())
        return out

    def close(self) -> None:
        self._bus._remove(self)


class LiveBus:
    def __init__(self) -> None:
        self._subs: tuple[Subscription, ...] = ()
        self._lock = threading.Lock()
        self.published = 0

    def subscribe(self, maxlen: int = 256, notify: Callable[[], None] | None = None) -> Subscription:
        sub = Subscription(self, maxlen, notify)
        with self._lock:
            self._subs = (*self._subs, sub)
        return sub

    def _remove(self, sub: Subscription) -> None:
        with self._lock:
            self._subs = tuple(s for s in self._subs if s is not sub)

    @property
    def active(self) -> bool:
        return bool(self._subs)

    def publish(self, item: Any) -> None:
        self.published += 1
        for sub in self._subs:
            sub._put(item)

    def dropped(self) -> int:
        return sum(s.dropped for s in self._subs)
