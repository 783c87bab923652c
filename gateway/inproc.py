"""In-process transport for ``classlab demo``: simulated boards publish straight into the pipeline.

Same path as MQTT from the decoder on: each message is routed by its topic
(``classlab/<site>/<board>/<kind>``) and submitted with its arrival time. There is no broker to
acknowledge, so ``ack`` is None. Chosen over an embedded broker so that the demo needs nothing but
Python (no port 1883, no extra dependency) — the MQTT path is exercised by ``classlab gateway`` and
``classlab simulate`` against a real broker.
"""

from __future__ import annotations

import time

from . import topics
from .pipeline import Pipeline


class InProcessTransport:
    def __init__(self, pipeline: Pipeline) -> None:
        self.pipeline = pipeline
        self.messages = 0

    def publish(self, topic: str, payload: bytes, retain: bool = False) -> None:
        self.messages += 1
        t = topics.parse(topic)
        if t is None:
            self.pipeline.reject("bad_topic")
            return
        self.pipeline.submit(t[0], t[1], t[2], payload, time.time_ns())
