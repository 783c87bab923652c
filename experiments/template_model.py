"""Experiment template model / 实验模板的数据结构: the dataclasses a parsed template is made of.

See ``template.py`` (loading), ``template_parse.py`` (the strict parser) and ``docs/templates.md``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from classlab.experiments import catalogue

__all__ = [
    "FORMAT",
    "SENSORS",
    "STAGES",
    "TIME_COLUMN",
    "TRIAL_COLUMN",
    "Analysis",
    "Buffer",
    "Check",
    "Input",
    "Result",
    "Template",
    "TemplateError",
    "TemplateParam",
    "View",
]

FORMAT = 1
SENSORS = frozenset(
    {"temperature", "light", "motion:ultrasonic", "motion:photogate", "motion:accelerometer", "voltage", "current"}
)
STAGES = frozenset({"primary", "junior", "senior"})
TIME_COLUMN = "time_s"
TRIAL_COLUMN = "trial"


class TemplateError(ValueError):
    """A template file is wrong: ``file:line: message`` (line 0 = whole file)."""

    def __init__(self, file: str, line: int, message: str) -> None:
        super().__init__(f"{file}:{line}: {message}")
        self.file = file
        self.line = line
        self.message = message


@dataclass(frozen=True)
class Buffer:
    """A named data buffer bound to the column ``<quantity>_<unit>`` (also the live channel)."""

    name: str
    quantity: str
    unit: str
    label_zh: str
    label_en: str

    @property
    def column(self) -> str:
        return f"{self.quantity}_{self.unit}"


@dataclass(frozen=True)
class Input:
    """A sensor routed to a buffer: ``sensor`` from the kit list, sampled at ``rate_hz``."""

    sensor: str
    buffer: str
    rate_hz: float
    duration_s: float


@dataclass(frozen=True)
class TemplateParam:
    """The template's own input (``--param NAME=VALUE``), e.g. a pendulum's ``length_m``."""

    name: str
    unit: str
    default: float | None
    uncertainty: float
    min: float | None
    max: float | None
    label_zh: str
    label_en: str
    optional: bool = False  # without a value (and no default) the steps using it are skipped, not invalid


@dataclass(frozen=True)
class Analysis:
    """One analysis step: ``inputs`` slot → name, ``outputs`` slot → name, ``params`` (``$p`` = template param)."""

    name: str
    step: str
    inputs: dict[str, str]
    outputs: dict[str, str]
    params: dict[str, Any]
    live: bool


@dataclass(frozen=True)
class Result:
    """A lab result: the output named ``value``, shown in ``unit`` with bilingual labels."""

    name: str
    value: str
    unit: str
    label_zh: str
    label_en: str
    optional: bool = False  # absent without invalidating the run when its data were not recorded


@dataclass(frozen=True)
class Check:
    """A quality check on an output quantity: ``min <= value <= max`` else reason ``code``."""

    value: str
    min: float | None
    max: float | None
    code: str
    en: str
    zh: str


@dataclass(frozen=True)
class View:
    """``graph`` (x, y = buffers/series outputs; x ``t`` = time), ``value`` (a result), ``table`` (columns)."""

    type: str
    title_zh: str
    title_en: str
    x: str = "t"
    y: tuple[str, ...] = ()
    value: str = ""
    columns: tuple[str, ...] = ()
    rows: int = 0


@dataclass(frozen=True)
class Template:
    id: str
    version: int
    kind: str  # sensor | manual
    stage: str
    grades: tuple[int, ...]
    title_zh: str
    title_en: str
    method_zh: str
    method_en: str
    safety_zh: str
    safety_en: str
    buffers: dict[str, Buffer]
    inputs: tuple[Input, ...]
    params: dict[str, TemplateParam]
    analysis: tuple[Analysis, ...]
    results: dict[str, Result]
    min_samples: int
    checks: tuple[Check, ...]
    views: tuple[View, ...]
    export: tuple[str, ...]
    source: str = field(default="", compare=False)

    @property
    def time_column(self) -> str:
        """``time_s`` for sensor labs, ``trial`` for manual tables."""
        return TIME_COLUMN if self.kind == "sensor" else TRIAL_COLUMN

    def sources(self, name: str) -> set[str]:
        """Every buffer, param and output that ``name`` is computed from (``name`` included)."""
        producer = {out: a for a in self.analysis for out in a.outputs.values()}
        seen: set[str] = set()
        todo = [name]
        while todo:
            n = todo.pop()
            if n in seen:
                continue
            seen.add(n)
            step = producer.get(n)
            if step is not None:
                seen.add(f"step:{step.name}")
                todo.extend(step.inputs.values())
                todo.extend(v[1:] for v in step.params.values() if isinstance(v, str) and v[:1] in "@$")
        return seen

    @property
    def entry(self) -> catalogue.Entry:
        return catalogue.get(self.id)

    def to_json(self) -> dict[str, Any]:
        """A description for ``experiments show --json`` and the dashboard."""
        return {
            "id": self.id,
            "version": self.version,
            "kind": self.kind,
            "stage": self.stage,
            "grades": list(self.grades),
            "title": {"zh": self.title_zh, "en": self.title_en},
            "method": {"zh": self.method_zh, "en": self.method_en},
            "safety": {"zh": self.safety_zh, "en": self.safety_en},
            "time_column": self.time_column,
            "buffers": {
                b.name: {"column": b.column, "quantity": b.quantity, "unit": b.unit,
                         "label": {"zh": b.label_zh, "en": b.label_en}}
                for b in self.buffers.values()
            },
            "inputs": [{"sensor": i.sensor, "buffer": i.buffer, "rate_hz": i.rate_hz, "duration_s": i.duration_s}
                       for i in self.inputs],
            "params": {
                p.name: {"unit": p.unit, "default": p.default, "uncertainty": p.uncertainty, "min": p.min,
                         "max": p.max, "optional": p.optional, "label": {"zh": p.label_zh, "en": p.label_en}}
                for p in self.params.values()
            },
            "analysis": [{"name": a.name, "step": a.step, "in": a.inputs, "out": a.outputs, "params": a.params,
                          "live": a.live} for a in self.analysis],
            "results": {r.name: {"value": r.value, "unit": r.unit, "optional": r.optional,
                                 "label": {"zh": r.label_zh, "en": r.label_en}}
                        for r in self.results.values()},
            "views": [_view_json(v) for v in self.views],
            "export": list(self.export),
        }


def _view_json(v: View) -> dict[str, Any]:
    out: dict[str, Any] = {"type": v.type, "title": {"zh": v.title_zh, "en": v.title_en}}
    if v.type == "graph":
        out.update(x=v.x, y=list(v.y))
    elif v.type == "value":
        out["value"] = v.value
    else:
        out.update(columns=list(v.columns), rows=v.rows)
    return out
