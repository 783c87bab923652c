"""Running a template's analysis / 运行模板分析.

``analyze(template, table, params)`` runs once over a whole table (a session CSV, or the live window at
stop); :class:`LiveRun` keeps one ring buffer per template buffer and re-runs the ``live = true`` steps
(and what they depend on) as data arrives, e.g. the current slope while the cart rolls.

Run forgivingly: each problem becomes a reason ``{"code", "en", "zh", "step"}``; a failing step is
reported and the steps that do not depend on it still run; a result depending on a failed step is
absent and ``valid`` is false. Nothing here raises on bad data.

Binding a buffer to a table: the exact column ``<quantity>_<unit>`` first, else a column of the same
quantity in a unit of the same dimension (converted: ``distance_cm`` → metres), else the buffer is
missing (``missing_channel``), or ``wrong_units`` when the quantity is there in an incompatible unit.
Rows where the column is empty (a gap in that channel) are left out of its series.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from classlab.experiments.quantity import AnalysisIssue, Quantity, compatible, convert, unit_info
from classlab.experiments.steptypes import Series
from classlab.experiments.template import Buffer, Template, load

__all__ = ["SYNONYMS", "LiveRun", "Reason", "RunResult", "analyze", "bind_buffer", "export_table", "resolve_params"]


@dataclass(frozen=True)
class Reason:
    code: str
    en: str
    zh: str
    step: str = ""
    absent: bool = False  # the data were not recorded at all (a column missing or empty)

    def to_json(self) -> dict[str, str]:
        return {"code": self.code, "en": self.en, "zh": self.zh, "step": self.step}


@dataclass
class RunResult:
    """Outcome of one analysis run (``to_json`` is the ⚑ shape that ``analyze --json`` prints)."""

    experiment: str
    results: dict[str, Quantity] = field(default_factory=dict)
    reasons: list[Reason] = field(default_factory=list)
    steps: list[dict[str, Any]] = field(default_factory=list)
    values: dict[str, Any] = field(default_factory=dict)  # every named buffer/output (Series or Quantity)
    partial: bool = False  # a live run over part of the steps

    @property
    def valid(self) -> bool:
        return not self.reasons and not self.partial

    def to_json(self) -> dict[str, Any]:
        return {
            "experiment": self.experiment,
            "results": {k: q.to_json() for k, q in self.results.items()},
            "valid": self.valid,
            "reasons": [r.to_json() for r in self.reasons],
            "steps": self.steps,
        }


def resolve_params(template: Template, given: Mapping[str, Any]) -> tuple[dict[str, Quantity], list[Reason]]:
    """Template params as Quantities (given value, else the default); reasons for unknown/missing/bad ones."""
    reasons: list[Reason] = []
    out: dict[str, Quantity] = {}
    for name in given:
        if name not in template.params:
            known = ", ".join(template.params) or "none"
            reasons.append(Reason("bad_param", f"unknown parameter {name!r}; {template.id} takes: {known}",
                                  f"未知参数 {name!r}；{template.id} 可用参数：{known}"))
    for p in template.params.values():
        raw = given.get(p.name, p.default)
        if raw is None and p.optional:
            continue  # the steps that need it are skipped; optional results are simply absent
        if raw is None:
            reasons.append(Reason(
                "missing_param",
                f"parameter {p.name} ({p.label_en}, in {p.unit}) is required: add --param {p.name}=VALUE",
                f"缺少参数 {p.name}（{p.label_zh}，单位 {p.unit}）：请加 --param {p.name}=数值"))
            continue
        try:
            value = float(raw)
        except (TypeError, ValueError):
            reasons.append(Reason("bad_param", f"parameter {p.name} must be a number in {p.unit}, got {raw!r}",
                                  f"参数 {p.name} 应为以 {p.unit} 为单位的数值，得到 {raw!r}"))
            continue
        if not math.isfinite(value) or (p.min is not None and value < p.min) or (p.max is not None and value > p.max):
            reasons.append(Reason(
                "bad_param", f"parameter {p.name} = {raw} {p.unit} is outside the range {p.min}–{p.max} {p.unit}",
                f"参数 {p.name} = {raw} {p.unit} 超出范围 {p.min}–{p.max} {p.unit}"))
            continue
        out[p.name] = Quantity(value, p.uncertainty, p.unit)
    return out, reasons


def bind_buffer(buffer: Buffer, table: Mapping[str, np.ndarray], time_column: str) -> Series:
    """The buffer's series from a table; AnalysisIssue ``missing_channel`` / ``wrong_units``."""
    t = np.asarray(table[time_column], dtype=np.float64)
    column, unit = _find_column(buffer, table)
    y = np.asarray(table[column], dtype=np.float64)
    if y.shape != t.shape:
        raise AnalysisIssue("bad_shape", f"column {column!r} has {y.size} rows but {time_column} has {t.size}",
                            f"列 {column!r} 行数与 {time_column} 不一致")
    if buffer.unit == "level":
        y = _hold_levels(y)
    ok = np.isfinite(y) & np.isfinite(t)
    values = convert(y[ok], unit, buffer.unit) if unit != buffer.unit else y[ok]
    return Series(t[ok], values, buffer.unit, buffer.quantity)


def _hold_levels(y: np.ndarray) -> np.ndarray:
    """A gate level holds between edges: empty cells take the last level; those before the first edge take
    the level the first edge left (1 − first), as a logger that writes the gate only at its edges implies."""
    ok = np.isfinite(y)
    if ok.all() or not ok.any():
        return y
    idx = np.where(ok, np.arange(y.size), -1)
    np.maximum.accumulate(idx, out=idx)
    first = int(np.argmax(ok))
    held = np.where(idx >= 0, y[np.clip(idx, 0, None)], 1.0 - y[first])
    return held


# other loggers' names for a quantity, tried after the buffer's own (Logger Pro "Potential", phyphox "Position")
SYNONYMS: dict[str, tuple[str, ...]] = {
    "distance": ("position", "displacement"),
    "position": ("distance", "displacement"),
    "illuminance": ("light", "illumination", "light_intensity", "brightness"),
    "voltage": ("potential", "potential_difference"),
    "acceleration": ("accel",),
    "temperature": ("temp",),
    "current": ("electric_current",),
}


def _find_column(buffer: Buffer, table: Mapping[str, np.ndarray]) -> tuple[str, str]:
    if buffer.column in table:
        return buffer.column, buffer.unit
    same_quantity: list[tuple[str, str]] = []
    for quantity in (buffer.quantity, *SYNONYMS.get(buffer.quantity, ())):
        same_quantity = [
            (name, name[i + 1:])
            for name in table
            for i, ch in enumerate(name)
            if ch == "_" and name[:i] == quantity
        ]
        if same_quantity:
            break
    for name, unit in same_quantity:
        if compatible(unit, buffer.unit):
            return name, unit
    if same_quantity:
        name, unit = same_quantity[0]
        try:
            info = unit_info(unit).name
        except AnalysisIssue:
            info = unit
        raise AnalysisIssue(
            "wrong_units",
            f"column {name!r} is in {info!r}, which cannot be converted to {buffer.unit!r} for {buffer.label_en}",
            f"列 {name!r} 的单位 {info!r} 不能换算为 {buffer.label_zh} 所需的 {buffer.unit!r}")
    have = ", ".join(k for k in table if k not in ("time_s", "trial")) or "none"
    raise AnalysisIssue(
        "missing_channel",
        f"no column {buffer.column!r} ({buffer.label_en}) in the data; columns present: {have}",
        f"数据中没有 {buffer.column!r} 列（{buffer.label_zh}）；现有列：{have}")


def analyze(template: Template | str, table: Mapping[str, np.ndarray], params: Mapping[str, Any] | None = None,
            *, only_live: bool = False) -> RunResult:
    """Run the template's analysis over ``table`` (column → array, with ``time_s`` or ``trial``)."""
    from classlab.experiments.steps import STEPS

    tpl = load(template) if isinstance(template, str) else template
    run = RunResult(tpl.id, partial=only_live)
    time_column = tpl.time_column
    if time_column not in table:
        other = "trial" if time_column == "time_s" else "time_s"
        if other in table:
            time_column = other
        else:
            run.reasons.append(Reason(
                "missing_channel", f"the data has no {tpl.time_column!r} column (first column must be time in s or trial)",
                f"数据缺少 {tpl.time_column!r} 列（第一列应为以秒计的时间或次数）"))
            return run
    param_values, reasons = resolve_params(tpl, params or {})
    run.reasons.extend(reasons)
    values: dict[str, Any] = dict(param_values)
    failed: set[str] = {p for p in tpl.params if p not in param_values}
    for b in tpl.buffers.values():
        try:
            series = bind_buffer(b, table, time_column)
        except AnalysisIssue as exc:
            run.reasons.append(Reason(exc.code, exc.en, exc.zh, f"buffer:{b.name}", exc.code == "missing_channel"))
            failed.add(b.name)
            continue
        if len(series) < tpl.min_samples:
            run.reasons.append(Reason(
                "too_short", f"{b.label_en}: {len(series)} sample(s), at least {tpl.min_samples} needed",
                f"{b.label_zh}：只有 {len(series)} 个数据，至少需要 {tpl.min_samples} 个", f"buffer:{b.name}", len(series) == 0))
            failed.add(b.name)
            continue
        values[b.name] = series
    steps = tpl.analysis
    if only_live:
        steps = _live_closure(tpl)
    for a in steps:
        record: dict[str, Any] = {"name": a.name, "step": a.step}
        refs = [v[1:] for v in a.params.values() if isinstance(v, str) and v[:1] in "@$"]
        blocked = sorted(src for src in [*a.inputs.values(), *refs] if src in failed)
        if blocked:
            record.update(status="skipped", because=blocked)
            failed.update(a.outputs.values())
            run.steps.append(record)
            continue
        try:
            inputs = {slot: values[src] for slot, src in a.inputs.items()}
            step_params = {k: _param_value(STEPS[a.step], k, v, values) for k, v in a.params.items()}
            out = STEPS[a.step].run(inputs, step_params)
        except AnalysisIssue as exc:
            run.reasons.append(Reason(exc.code, exc.en, exc.zh, a.name))
            record.update(status="failed", code=exc.code)
            failed.update(a.outputs.values())
        except Exception as exc:  # a bug in a step must not end the lesson: report it as a reason
            run.reasons.append(Reason("step_error", f"step {a.step} failed: {type(exc).__name__}: {exc}",
                                      f"步骤 {a.step} 出错：{type(exc).__name__}: {exc}", a.name))
            record.update(status="failed", code="step_error")
            failed.update(a.outputs.values())
        else:
            record["status"] = "ok"
            outputs: dict[str, Any] = {}
            for slot, name in a.outputs.items():
                values[name] = out[slot]
                if isinstance(out[slot], Quantity):
                    outputs[name] = out[slot].to_json()
                else:
                    outputs[name] = {"samples": len(out[slot]), "unit": getattr(out[slot], "unit", "")}
            record["outputs"] = outputs
        run.steps.append(record)
    run.values = values
    for r in tpl.results.values():  # live: the results the live steps already give (the readouts)
        q = values.get(r.value)
        if r.value in failed or q is None:
            continue
        if not isinstance(q, Quantity):
            run.reasons.append(Reason("step_error", f"result {r.name} is not a single value", f"结果 {r.name} 不是单个数值"))
            continue
        try:
            run.results[r.name] = q.to(r.unit) if q.unit != r.unit else q
        except AnalysisIssue as exc:
            run.reasons.append(Reason("wrong_units", exc.en, exc.zh, f"result:{r.name}"))
    if only_live:  # report only what the live steps touch
        used = {a.name for a in steps} | {src for a in steps for src in a.inputs.values()}
        run.reasons = [r for r in run.reasons if not r.step or r.step.split(":", 1)[-1] in used]
        return run
    for c in tpl.checks:
        q = values.get(c.value)
        if c.value in failed or not isinstance(q, Quantity):
            continue
        if (c.min is not None and q.value < c.min) or (c.max is not None and q.value > c.max):
            run.reasons.append(Reason(c.code, f"{c.en} ({c.value} = {q.value:.4g})", f"{c.zh}（{c.value} = {q.value:.4g}）",
                                      "quality"))
    if run.results or not tpl.results:  # with nothing to report, every reason stays
        run.reasons = [r for r in run.reasons if _matters(tpl, r)]
    for r in tpl.results.values():
        if r.name not in run.results and not r.optional and not run.reasons:
            run.reasons.append(Reason("no_result", f"{r.label_en} could not be computed", f"无法得到{r.label_zh}"))
    return run


def export_table(template: Template | str, table: Mapping[str, np.ndarray], result: RunResult | None = None
                 ) -> dict[str, np.ndarray]:
    """The template's ``export`` columns as a session-CSV table (``time_s``/``trial`` first, then
    ``<quantity>_<unit>``): buffers from ``table`` (converted to the buffer's unit), series outputs of
    ``result`` interpolated onto the table's time (NaN outside their span). Missing ones are left out."""
    tpl = load(template) if isinstance(template, str) else template
    time_column = tpl.time_column if tpl.time_column in table else next(
        (c for c in ("time_s", "trial") if c in table), tpl.time_column)
    t = np.asarray(table.get(time_column, np.zeros(0)), dtype=np.float64)
    out: dict[str, np.ndarray] = {time_column: t}
    values = result.values if result is not None else {}
    for name in tpl.export:
        if name in tpl.buffers:
            b = tpl.buffers[name]
            try:
                column, unit = _find_column(b, table)
            except AnalysisIssue:
                continue
            y = np.asarray(table[column], dtype=np.float64)
            out[b.column] = convert(y, unit, b.unit) if unit != b.unit else y
        elif isinstance(values.get(name), Series) and len(values[name]) > 1:
            s = values[name]
            col = np.interp(t, s.t, s.y, left=np.nan, right=np.nan)
            out[f"{s.quantity or name}_{s.unit}".replace(" ", "_")] = col
    return out


def _matters(tpl: Template, reason: Reason) -> bool:
    """Whether a problem touches the lab's verdict: it feeds a result or a quality check. Missing data
    that only optional results need (a table part not filled in) does not count."""
    if not reason.step or reason.step == "quality" or reason.step.startswith("result:"):
        return True
    key = reason.step.split(":", 1)[1] if reason.step.startswith("buffer:") else f"step:{reason.step}"
    if any(key in tpl.sources(c.value) for c in tpl.checks):
        return True
    dependents = [r for r in tpl.results.values() if key in tpl.sources(r.value)]
    if not dependents:
        return False  # an auxiliary buffer or step (a live rate, an unused channel)
    return not reason.absent or any(not r.optional for r in dependents)


def _param_value(step: Any, key: str, value: Any, values: Mapping[str, Any]) -> Any:
    """A literal, or ``$param`` / ``@output``: that Quantity's value in the step parameter's unit."""
    if not (isinstance(value, str) and value[:1] in "$@"):
        return value
    q = values[value[1:]]
    if not isinstance(q, Quantity):
        raise AnalysisIssue("wrong_kind", f"{value[1:]} is a data series, not a single value for parameter {key}",
                            f"{value[1:]} 是数据序列，不能作为参数 {key} 的值")
    unit = next((p.unit for p in step.params if p.name == key), None)
    return q.to(unit).value if unit not in (None, "1", "count", q.unit) else q.value


def _live_closure(tpl: Template) -> tuple[Any, ...]:
    """The ``live`` steps plus every earlier step whose outputs they need."""
    need: set[str] = set()
    keep = []
    for a in reversed(tpl.analysis):
        if a.live or need & set(a.outputs.values()):
            keep.append(a)
            need.update(a.inputs.values())
    return tuple(reversed(keep))


class LiveRun:
    """Live analysis over ring buffers: ``append`` samples as they arrive, ``update`` for the live steps,
    ``stop`` for the full analysis over the held window.

    One :class:`classlab.experiments.ringbuffer.RingBuffer` per template buffer (one channel named like
    the buffer), sized from the template's input rate × duration (×2 headroom) unless ``capacity`` is
    given. Reads are the ring's zero-copy window views; only the analysis makes copies.
    """

    def __init__(self, template: Template | str, params: Mapping[str, Any] | None = None,
                 capacity: int | None = None) -> None:
        from classlab.experiments.ringbuffer import RingBuffer

        self.template = load(template) if isinstance(template, str) else template
        self.params = dict(params or {})
        self.rings: dict[str, Any] = {
            b.name: RingBuffer((b.name,), capacity or self._capacity(b.name)) for b in self.template.buffers.values()
        }

    def _capacity(self, buffer: str) -> int:
        for i in self.template.inputs:
            if i.buffer == buffer:
                return max(256, int(i.rate_hz * i.duration_s * 2))
        return 4096

    def append(self, buffer: str, t: np.ndarray, y: np.ndarray) -> None:
        """Add samples (time in s from the session start, values in the buffer's unit) to one buffer."""
        if buffer not in self.rings:
            raise KeyError(f"{self.template.id} has no buffer {buffer!r}; buffers: {', '.join(self.rings)}")
        t = np.asarray(t, dtype=np.float64)
        y = np.asarray(y, dtype=np.float64)
        ring = self.rings[buffer]
        if ring.total == 0 and y.size and self.template.buffers[buffer].unit == "level" and y[0] == 1.0:
            # a gate reports edges: the first one, to "blocked", means the beam was clear just before it
            t, y = np.concatenate([[t[0] - 1e-6], t]), np.concatenate([[0.0], y])
        ring.append(t, y)

    def buffer_for(self, column: str) -> tuple[str, str] | None:
        """The template buffer a live channel ``<quantity>_<unit>`` feeds, and the channel's unit; None if
        the template has no buffer for it (the channel is then simply not analysed)."""
        for b in self.template.buffers.values():
            if column == b.column:
                return b.name, b.unit
            prefix = f"{b.quantity}_"
            if column.startswith(prefix) and compatible(column[len(prefix):], b.unit):
                return b.name, column[len(prefix):]
        return None

    def append_column(self, column: str, t: np.ndarray, y: np.ndarray) -> bool:
        """Append a channel named ``<quantity>_<unit>`` (as the board's meta names it), converting its unit
        to the buffer's. Returns False if the template does not use that channel."""
        found = self.buffer_for(column)
        if found is None:
            return False
        name, unit = found
        values = np.asarray(y, dtype=np.float64)
        if unit != self.template.buffers[name].unit:
            values = convert(values, unit, self.template.buffers[name].unit)
        self.append(name, t, values)
        return True

    def table(self) -> dict[str, np.ndarray]:
        """The held window as a table on the union of timestamps (NaN where a buffer has no sample)."""
        # a buffer that never got a sample is left out, as a CSV without that column would be: the
        # runtime then reports it as a missing channel (optional inputs stay optional), not "too short"
        windows = {name: ring.window() for name, ring in self.rings.items() if ring.total}
        stamps = [w.times() for w in windows.values() if len(w)]
        times = np.unique(np.concatenate(stamps)) if stamps else np.zeros(0)
        table: dict[str, np.ndarray] = {self.template.time_column: times}
        for name, w in windows.items():
            col = np.full(times.size, np.nan)
            if len(w):
                col[np.searchsorted(times, w.times())] = w.column(name)
            table[self.template.buffers[name].column] = col
        return table

    def update(self) -> RunResult:
        """Run the live steps on the current window: ``results`` holds the readouts they give so far (a
        partial result: ``valid`` is false until stop)."""
        return analyze(self.template, self.table(), self.params, only_live=True)

    def stop(self) -> RunResult:
        """The full analysis once more over everything held."""
        return analyze(self.template, self.table(), self.params)
