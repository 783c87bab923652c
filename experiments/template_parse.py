"""The strict template parser / 严格的模板解析器.

Every problem is a :class:`TemplateError` naming the file and line: unknown keys, missing bilingual
text, undefined buffers/outputs/params, unknown analysis steps or slots, units a step cannot take.
Line numbers come from :mod:`classlab.experiments.tomlpos` (``tomllib`` keeps none).
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from classlab.experiments import catalogue
from classlab.experiments.quantity import AnalysisIssue, compatible, unit_info
from classlab.experiments.template_model import (
    FORMAT,
    SENSORS,
    STAGES,
    TIME_COLUMN,
    TRIAL_COLUMN,
    Analysis,
    Buffer,
    Check,
    Input,
    Result,
    Template,
    TemplateError,
    TemplateParam,
    View,
)
from classlab.experiments.tomlpos import key_lines, line_of

__all__ = ["parse"]

_TOP = {
    "format": True, "id": True, "version": True, "kind": True, "stage": True, "grades": True,
    "title_zh": True, "title_en": True, "method_zh": True, "method_en": True, "safety_zh": False,
    "safety_en": False, "export": False, "buffers": True, "inputs": False, "params": False, "analysis": False,
    "results": False, "quality": False, "views": True,
}
_BUFFER = {"quantity": True, "unit": True, "label_zh": True, "label_en": True}
_INPUT = {"sensor": True, "buffer": True, "rate_hz": True, "duration_s": True}
_PARAM = {"unit": True, "default": False, "uncertainty": False, "min": False, "max": False, "optional": False,
          "label_zh": True, "label_en": True}
_ANALYSIS = {"name": True, "step": True, "in": True, "out": True, "params": False, "live": False}
_RESULT = {"value": True, "unit": True, "label_zh": True, "label_en": True, "optional": False}
_QUALITY = {"min_samples": False, "checks": False}
_CHECK = {"value": True, "min": False, "max": False, "code": True, "en": True, "zh": True}
_VIEW = {"graph": {"type": True, "title_zh": True, "title_en": True, "x": False, "y": True},
         "value": {"type": True, "title_zh": True, "title_en": True, "value": True},
         "table": {"type": True, "title_zh": True, "title_en": True, "columns": True, "rows": False}}


class _Ctx:
    """Error helper: knows the file name and the key → line map."""

    def __init__(self, file: str, text: str) -> None:
        self.file = file
        self.lines = key_lines(text)

    def error(self, path: tuple[str | int, ...], message: str) -> TemplateError:
        return TemplateError(self.file, line_of(self.lines, path), message)

    def table(self, raw: Any, path: tuple[str | int, ...], allowed: dict[str, bool], what: str) -> dict[str, Any]:
        if not isinstance(raw, dict):
            raise self.error(path, f"{what} must be a table")
        for key in raw:
            if key not in allowed:
                raise self.error((*path, key), f"unknown key {key!r} in {what} (allowed: {', '.join(sorted(allowed))})")
        for key, required in allowed.items():
            if required and key not in raw:
                raise self.error(path, f"{what} lacks required key {key!r}")
        return raw

    def text(self, raw: dict[str, Any], path: tuple[str | int, ...], key: str) -> str:
        value = raw.get(key, "")
        if not isinstance(value, str) or (key in raw and not value.strip()):
            raise self.error((*path, key), f"{key!r} must be non-empty text")
        return value.strip()

    def number(self, raw: dict[str, Any], path: tuple[str | int, ...], key: str, positive: bool = False) -> float | None:
        if key not in raw:
            return None
        value = raw[key]
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.error((*path, key), f"{key!r} must be a number, got {value!r}")
        if positive and value <= 0:
            raise self.error((*path, key), f"{key!r} must be > 0, got {value!r}")
        return float(value)

    def unit(self, raw: dict[str, Any], path: tuple[str | int, ...], key: str = "unit") -> str:
        unit = self.text(raw, path, key)
        try:
            unit_info(unit)
        except AnalysisIssue as exc:
            raise self.error((*path, key), f"unknown unit {unit!r} ({exc.en.split(';')[0]})") from None
        return unit


def parse(text: str, file: str = "<template>", *, check_file_name: bool = True) -> Template:
    """Parse and validate one template; :class:`TemplateError` with file and line on any problem."""
    ctx = _Ctx(file, text)
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = _decode_line(str(exc))
        raise TemplateError(file, line, f"not valid TOML: {exc}") from None
    ctx.table(raw, (), _TOP, "template")
    if raw["format"] != FORMAT:
        raise ctx.error(("format",), f"format {raw['format']!r} is not supported (this classlab reads format {FORMAT})")
    exp_id = ctx.text(raw, (), "id")
    try:
        entry = catalogue.get(exp_id)
    except KeyError as exc:
        raise ctx.error(("id",), str(exc.args[0])) from None
    if check_file_name and file.endswith(".toml") and Path(file).stem != exp_id:
        raise ctx.error(("id",), f"id {exp_id!r} does not match the file name {Path(file).name!r}")
    version = raw["version"]
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ctx.error(("version",), "version must be an integer >= 1")
    kind = raw["kind"]
    if kind not in ("sensor", "manual"):
        raise ctx.error(("kind",), f"kind must be 'sensor' or 'manual', got {kind!r}")
    stage = raw["stage"]
    if stage not in STAGES:
        raise ctx.error(("stage",), f"stage must be one of {sorted(STAGES)}, got {stage!r}")
    grades = raw["grades"]
    if not isinstance(grades, list) or not grades or not all(isinstance(g, int) and 1 <= g <= 12 for g in grades):
        raise ctx.error(("grades",), "grades must be a non-empty list of school grades 1–12")
    texts = {k: ctx.text(raw, (), k) for k in ("title_zh", "title_en", "method_zh", "method_en")}
    if ("safety_zh" in raw) != ("safety_en" in raw):
        raise ctx.error(("safety_zh" if "safety_zh" in raw else "safety_en",), "safety text needs both _zh and _en")
    safety = {k: ctx.text(raw, (), k) if k in raw else "" for k in ("safety_zh", "safety_en")}

    buffers = _buffers(ctx, raw["buffers"])
    inputs = _inputs(ctx, raw.get("inputs", []), buffers)
    if kind == "sensor" and not inputs:
        raise ctx.error(("kind",), "a sensor template needs at least one [[inputs]] entry")
    if inputs and not any(inp.sensor in entry.sensors for inp in inputs):
        raise ctx.error(("inputs", 0, "sensor"),
                        f"no input uses a sensor the catalogue lists for {exp_id} ({', '.join(entry.sensors)})")
    params = _params(ctx, raw.get("params", {}))
    names: dict[str, str | None] = {n: b.unit for n, b in buffers.items()}  # name -> unit (None = unknown)
    for p in params.values():
        if p.name in names:
            raise ctx.error(("params", p.name), f"param {p.name!r} has the same name as a buffer")
        names[p.name] = p.unit
    analysis = _analysis(ctx, raw.get("analysis", []), names, params)
    results = _results(ctx, raw.get("results", {}), names, buffers)
    min_samples, checks = _quality(ctx, raw.get("quality", {}), names)
    views = _views(ctx, raw["views"], names, buffers, results)
    if kind == "manual" and not any(v.type == "table" for v in views):
        raise ctx.error(("views",), "a manual template needs a view of type 'table' (the data-entry table)")
    export = raw.get("export", [])
    if not isinstance(export, list) or not all(isinstance(e, str) for e in export):
        raise ctx.error(("export",), "export must be a list of buffer/output names")
    for e in export:
        if e not in names or e in params:
            raise ctx.error(("export",), f"export names {e!r}, which is not a buffer or a series output")
    return Template(
        id=exp_id, version=version, kind=kind, stage=stage, grades=tuple(grades), **texts, **safety,
        buffers=buffers, inputs=tuple(inputs), params=params, analysis=tuple(analysis), results=results,
        min_samples=min_samples, checks=tuple(checks), views=tuple(views), export=tuple(export), source=file,
    )


def _decode_line(message: str) -> int:
    m = re.search(r"line (\d+)", message)
    return int(m.group(1)) if m else 0


def _buffers(ctx: _Ctx, raw: Any) -> dict[str, Buffer]:
    if not isinstance(raw, dict) or not raw:
        raise ctx.error(("buffers",), "[buffers] must define at least one buffer")
    out: dict[str, Buffer] = {}
    for name, b in raw.items():
        path = ("buffers", name)
        _check_name(ctx, path, name)
        ctx.table(b, path, _BUFFER, f"buffer {name!r}")
        quantity = ctx.text(b, path, "quantity")
        if not quantity.replace("_", "").isalnum() or not quantity.islower():
            raise ctx.error((*path, "quantity"), f"quantity {quantity!r} must be lower-case letters/digits/_")
        out[name] = Buffer(name, quantity, ctx.unit(b, path), ctx.text(b, path, "label_zh"), ctx.text(b, path, "label_en"))
    columns = [b.column for b in out.values()]
    for b in out.values():
        if columns.count(b.column) > 1:
            raise ctx.error(("buffers", b.name), f"two buffers bind the same column {b.column!r}")
    return out


def _check_name(ctx: _Ctx, path: tuple[str | int, ...], name: str) -> None:
    if not name.replace("_", "").isalnum() or name[0].isdigit() or name in ("t", TIME_COLUMN, TRIAL_COLUMN):
        raise ctx.error(path, f"name {name!r} must be letters/digits/_ (not starting with a digit, not 't')")


def _inputs(ctx: _Ctx, raw: Any, buffers: dict[str, Buffer]) -> list[Input]:
    if not isinstance(raw, list):
        raise ctx.error(("inputs",), "inputs must be an array of tables [[inputs]]")
    out = []
    for i, item in enumerate(raw):
        path = ("inputs", i)
        ctx.table(item, path, _INPUT, "[[inputs]]")
        sensor = ctx.text(item, path, "sensor")
        if sensor not in SENSORS:
            raise ctx.error((*path, "sensor"), f"unknown sensor {sensor!r} (kit sensors: {', '.join(sorted(SENSORS))})")
        buffer = ctx.text(item, path, "buffer")
        if buffer not in buffers:
            raise ctx.error((*path, "buffer"), f"undefined buffer {buffer!r} (defined: {', '.join(buffers)})")
        rate = ctx.number(item, path, "rate_hz", positive=True)
        duration = ctx.number(item, path, "duration_s", positive=True)
        out.append(Input(sensor, buffer, float(rate or 0), float(duration or 0)))
    return out


def _params(ctx: _Ctx, raw: Any) -> dict[str, TemplateParam]:
    if not isinstance(raw, dict):
        raise ctx.error(("params",), "params must be a table of [params.NAME] tables")
    out = {}
    for name, p in raw.items():
        path = ("params", name)
        _check_name(ctx, path, name)
        ctx.table(p, path, _PARAM, f"param {name!r}")
        lo, hi = ctx.number(p, path, "min"), ctx.number(p, path, "max")
        default = ctx.number(p, path, "default")
        if default is not None and ((lo is not None and default < lo) or (hi is not None and default > hi)):
            raise ctx.error((*path, "default"), f"default {default} is outside [{lo}, {hi}]")
        optional = p.get("optional", False)
        if not isinstance(optional, bool):
            raise ctx.error((*path, "optional"), "optional must be true or false")
        out[name] = TemplateParam(name, ctx.unit(p, path), default, ctx.number(p, path, "uncertainty") or 0.0,
                                  lo, hi, ctx.text(p, path, "label_zh"), ctx.text(p, path, "label_en"), optional)
    return out


def _registry() -> dict[str, Any]:
    from classlab.experiments.steps import STEPS

    return STEPS


def _analysis(ctx: _Ctx, raw: Any, names: dict[str, str | None], params: dict[str, TemplateParam]) -> list[Analysis]:
    if not isinstance(raw, list):
        raise ctx.error(("analysis",), "analysis must be an array of tables [[analysis]]")
    steps = _registry()
    out: list[Analysis] = []
    seen: set[str] = set()
    made: set[str] = set()  # outputs of earlier steps
    for i, item in enumerate(raw):
        path = ("analysis", i)
        ctx.table(item, path, _ANALYSIS, "[[analysis]]")
        name = ctx.text(item, path, "name")
        if name in seen:
            raise ctx.error((*path, "name"), f"two analysis steps are named {name!r}")
        seen.add(name)
        step_name = ctx.text(item, path, "step")
        step = steps.get(step_name)
        if step is None:
            raise ctx.error((*path, "step"), f"unknown analysis step {step_name!r} (known: {', '.join(sorted(steps))})")
        ins, outs = item["in"], item["out"]
        if not isinstance(ins, dict) or not all(isinstance(v, str) for v in ins.values()):
            raise ctx.error((*path, "in"), "in must be an inline table slot = \"name\"")
        if not isinstance(outs, dict) or not all(isinstance(v, str) for v in outs.values()):
            raise ctx.error((*path, "out"), "out must be an inline table slot = \"name\"")
        for slot, source in ins.items():
            if slot not in step.inputs:
                raise ctx.error((*path, "in", slot), f"step {step_name!r} has no input {slot!r} (inputs: {', '.join(step.inputs)})")
            if source not in names:
                raise ctx.error((*path, "in", slot), f"undefined buffer or output {source!r} (defined so far: {', '.join(names)})")
            need, have = step.inputs[slot], names[source]
            if need is not None and have is not None and not compatible(have, need):
                raise ctx.error((*path, "in", slot),
                                f"incompatible units: {source!r} is in {have!r} but {step_name}.{slot} needs {need!r}")
        missing = [s for s in step.inputs if s not in ins and s not in getattr(step, "optional", ())]
        if missing:
            raise ctx.error((*path, "in"), f"step {step_name!r} needs input(s) {', '.join(missing)}")
        for slot, target in outs.items():
            if slot not in step.outputs:
                raise ctx.error((*path, "out", slot), f"step {step_name!r} has no output {slot!r} (outputs: {', '.join(step.outputs)})")
            _check_name(ctx, (*path, "out", slot), target)
            if target in names:
                raise ctx.error((*path, "out", slot), f"output name {target!r} is already used")
            names[target] = None
        made.update(outs.values())
        step_params = item.get("params", {})
        if not isinstance(step_params, dict):
            raise ctx.error((*path, "params"), "params must be an inline table")
        known = {p.name: p for p in step.params}
        for key, value in step_params.items():
            if key not in known:
                raise ctx.error((*path, "params", key), f"step {step_name!r} has no parameter {key!r} (parameters: {', '.join(known) or 'none'})")
            if isinstance(value, str) and value.startswith("@"):
                if value[1:] not in made:
                    raise ctx.error((*path, "params", key), f"undefined output {value[1:]!r} (a step parameter \"@name\" "
                                                            "takes the value of an earlier step's output)")
            if isinstance(value, str) and value.startswith("$"):
                ref = params.get(value[1:])
                if ref is None:
                    raise ctx.error((*path, "params", key), f"undefined template param {value[1:]!r}")
                if known[key].unit is not None and not compatible(ref.unit, known[key].unit):
                    raise ctx.error((*path, "params", key),
                                    f"incompatible units: param {ref.name!r} is in {ref.unit!r} but {step_name}.{key} needs {known[key].unit!r}")
        live = item.get("live", False)
        if not isinstance(live, bool):
            raise ctx.error((*path, "live"), "live must be true or false")
        out.append(Analysis(name, step_name, dict(ins), dict(outs), dict(step_params), live))
    return out


def _results(ctx: _Ctx, raw: Any, names: dict[str, str | None], buffers: dict[str, Buffer]) -> dict[str, Result]:
    if not isinstance(raw, dict):
        raise ctx.error(("results",), "results must be a table of [results.NAME] tables")
    out = {}
    for name, r in raw.items():
        path = ("results", name)
        ctx.table(r, path, _RESULT, f"result {name!r}")
        value = ctx.text(r, path, "value")
        if value not in names or value in buffers:
            raise ctx.error((*path, "value"), f"result {name!r} names {value!r}, which is not an analysis output")
        optional = r.get("optional", False)
        if not isinstance(optional, bool):
            raise ctx.error((*path, "optional"), "optional must be true or false")
        out[name] = Result(name, value, ctx.unit(r, path), ctx.text(r, path, "label_zh"), ctx.text(r, path, "label_en"),
                           optional)
    return out


def _quality(ctx: _Ctx, raw: Any, names: dict[str, str | None]) -> tuple[int, list[Check]]:
    ctx.table(raw, ("quality",), _QUALITY, "[quality]")
    min_samples = raw.get("min_samples", 2)
    if not isinstance(min_samples, int) or min_samples < 1:
        raise ctx.error(("quality", "min_samples"), "min_samples must be a positive integer")
    checks = []
    for i, c in enumerate(raw.get("checks", [])):
        path = ("quality", "checks", i)
        ctx.table(c, path, _CHECK, "[[quality.checks]]")
        value = ctx.text(c, path, "value")
        if value not in names:
            raise ctx.error((*path, "value"), f"check names {value!r}, which is not defined")
        lo, hi = ctx.number(c, path, "min"), ctx.number(c, path, "max")
        if lo is None and hi is None:
            raise ctx.error(path, "a check needs min and/or max")
        checks.append(Check(value, lo, hi, ctx.text(c, path, "code"), ctx.text(c, path, "en"), ctx.text(c, path, "zh")))
    return min_samples, checks


def _views(ctx: _Ctx, raw: Any, names: dict[str, str | None], buffers: dict[str, Buffer],
           results: dict[str, Result]) -> list[View]:
    if not isinstance(raw, list) or not raw:
        raise ctx.error(("views",), "views must be a non-empty array of tables [[views]]")
    out = []
    for i, v in enumerate(raw):
        path = ("views", i)
        kind = v.get("type") if isinstance(v, dict) else None
        if kind not in _VIEW:
            raise ctx.error((*path, "type"), f"view type must be one of {', '.join(_VIEW)}, got {kind!r}")
        ctx.table(v, path, _VIEW[kind], f"view {kind!r}")
        titles = {k: ctx.text(v, path, k) for k in ("title_zh", "title_en")}
        if kind == "graph":
            ys = v["y"]
            if not isinstance(ys, list) or not ys:
                raise ctx.error((*path, "y"), "y must be a non-empty list of buffer/output names")
            x = v.get("x", "t")
            for ref in [x, *ys]:
                if ref != "t" and ref not in names:
                    raise ctx.error((*path, "y" if ref in ys else "x"), f"undefined buffer or output {ref!r}")
            out.append(View("graph", **titles, x=x, y=tuple(ys)))
        elif kind == "value":
            if v["value"] not in results:
                raise ctx.error((*path, "value"), f"value view names {v['value']!r}, which is not a result")
            out.append(View("value", **titles, value=v["value"]))
        else:
            cols = v["columns"]
            if not isinstance(cols, list) or not cols:
                raise ctx.error((*path, "columns"), "columns must be a non-empty list of buffer names")
            for c in cols:
                if c not in buffers:
                    raise ctx.error((*path, "columns"), f"undefined buffer {c!r} in table columns")
            rows = v.get("rows", 5)
            if not isinstance(rows, int) or rows < 1:
                raise ctx.error((*path, "rows"), "rows must be a positive integer")
            out.append(View("table", **titles, columns=tuple(cols), rows=rows))
    return out
