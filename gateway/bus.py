"""The live bus: committed frames fanned out to later consumers (dashboard WebSockets, experiment runtime).

The journal writer ``publish``-es each committed batch once; every subscriber has its own bounded queue.
A slow consumer never holds the pipeline up: when its queue is full the oldest batch is dropped and
counted (``Subscription.dropped``). ``notify`` (optional) is called when a queue goes from empty to
non-empty, e.g. ``loop.call_soon_threadsafe(event.set)`` for an asyncio consumer.

The bus also keeps the last ``history_s`` seconds of batches, so a page opened now starts with a
full graph (``subscribe(replay=True)``).
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any


class Subscription:
    def __init__(self, bus: LiveBus, maxlen: int, notify: Callable[[], object] | None) -> None:
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
    def __init__(self, history_s: float = 60.0) -> None:
        self._subs: tuple[Subscription, ...] = ()
        self._lock = threading.Lock()
        self.published = 0
        self.history_s = history_s
        self._recent: deque[tuple[float, Any]] = deque()

    def subscribe(self, maxlen: int = 256, notify: Callable[[], object] | None = None,
                  replay: bool = False) -> Subscription:
        sub = Subscription(self, maxlen, notify)
        with self._lock:
            if replay:
                for _, item in list(self._recent):
                    sub._put(item)
            self._subs = (*self._subs, sub)
        return sub

    def _remove(self, sub: Subscription) -> None:
        with self._lock:
            self._subs = tuple(s for s in self._subs if s is not sub)

    @property
    def active(self) -> bool:
        """Whether anything would see a batch published now (a subscriber, or the history)."""
        return bool(self._subs) or self.history_s > 0

    def publish(self, item: Any) -> None:
        self.published += 1
        if self.history_s > 0:
            now = time.monotonic()
            with self._lock:
                recent = self._recent
                recent.append((now, item))
                while recent and recent[0][0] < now - self.history_s:
                    recent.popleft()
        for sub in self._subs:
            sub._put(item)

    def dropped(self) -> int:
        return sum(s.dropped for s in self._subs)
