"""Types of the analysis-step registry / 分析步骤注册表的类型: Series, Param, Step.

A template's analysis is an ordered list of named steps. Each :class:`Step` declares its input slots
(slot → required unit, ``None`` = any), its output names, and its parameters; ``Step.run`` checks
and converts the inputs (a ``Series`` in ``mV`` fed to a slot needing ``V`` is converted; ``A`` fed to
a ``V`` slot is ``wrong_units``), fills parameter defaults, calls ``fn`` and checks that every declared
output came back. A step never returns NaN: bad data raises :class:`AnalysisIssue`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from classlab.experiments.quantity import AnalysisIssue, Quantity, compatible, convert

__all__ = ["AnalysisIssue", "Param", "Quantity", "Series", "Step", "StepFn"]


@dataclass(frozen=True)
class Series:
    """A buffer: time ``t`` in s (1-D float array) and values ``y`` in ``unit`` of a named ``quantity``.

    For a manual-entry table column, ``t`` is the row number (0, 1, 2...).
    """

    t: np.ndarray
    y: np.ndarray
    unit: str
    quantity: str = ""

    def __post_init__(self) -> None:
        t = np.asarray(self.t, dtype=np.float64)
        y = np.asarray(self.y, dtype=np.float64)
        if t.ndim != 1 or y.shape != t.shape:
            raise AnalysisIssue(
                "bad_shape",
                f"series {self.quantity!r}: time and values must be 1-D of equal length ({t.shape} vs {y.shape})",
                f"数据序列 {self.quantity!r}：时间与数值长度不一致",
            )
        object.__setattr__(self, "t", t)
        object.__setattr__(self, "y", y)

    def __len__(self) -> int:
        return int(self.t.size)

    def to(self, unit: str) -> Series:
        """The same series in another unit of the same dimension (AnalysisIssue ``wrong_units``)."""
        if unit == self.unit:
            return self
        return Series(self.t, convert(self.y, self.unit, unit), unit, self.quantity)

    def between(self, t0: float | None, t1: float | None) -> Series:
        """Samples with ``t0 <= t <= t1`` (None = open end)."""
        mask = np.ones(self.t.size, dtype=bool)
        if t0 is not None:
            mask &= self.t >= t0
        if t1 is not None:
            mask &= self.t <= t1
        return Series(self.t[mask], self.y[mask], self.unit, self.quantity)


@dataclass(frozen=True)
class Param:
    """A step parameter. ``default`` None means the template (or ``--param``) must give it."""

    name: str
    unit: str | None
    default: float | str | None
    doc_en: str
    doc_zh: str


StepFn = Callable[[dict[str, Any], dict[str, Any]], dict[str, Any]]


@dataclass(frozen=True)
class Step:
    """A named analysis step. See the module docstring for what ``run`` checks."""

    name: str
    inputs: dict[str, str | None]
    outputs: tuple[str, ...]
    params: tuple[Param, ...]
    fn: StepFn
    doc_en: str
    doc_zh: str
    optional: tuple[str, ...] = field(default=())  # input slots that may be left unbound

    def param(self, name: str) -> Param:
        for p in self.params:
            if p.name == name:
                return p
        raise KeyError(f"step {self.name!r} has no parameter {name!r}; it has {[p.name for p in self.params]}")

    def resolve_params(self, given: Mapping[str, Any]) -> dict[str, Any]:
        """Defaults filled in; unknown names → KeyError; a missing required one → AnalysisIssue."""
        names = {p.name for p in self.params}
        unknown = sorted(set(given) - names)
        if unknown:
            raise KeyError(f"step {self.name!r}: unknown parameter(s) {unknown}; known: {sorted(names)}")
        out: dict[str, Any] = {}
        for p in self.params:
            value = given.get(p.name, p.default)
            if value is None:
                raise AnalysisIssue(
                    "missing_param",
                    f"step {self.name}: parameter {p.name} ({p.doc_en}) is required; give it with --param {p.name}=VALUE",
                    f"步骤 {self.name}：缺少参数 {p.name}（{p.doc_zh}），请用 --param {p.name}=数值 提供",
                )
            if p.unit is not None and isinstance(value, str) and value != "":
                try:
                    value = float(value)
                except ValueError:
                    raise AnalysisIssue(
                        "bad_param",
                        f"step {self.name}: parameter {p.name} must be a number in {p.unit}, got {value!r}",
                        f"步骤 {self.name}：参数 {p.name} 应为以 {p.unit} 为单位的数值，得到 {value!r}",
                    ) from None
            out[p.name] = value
        return out

    def run(self, inputs: Mapping[str, Any], params: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Check/convert inputs, fill params, call ``fn``, check outputs. Raises AnalysisIssue."""
        ready: dict[str, Any] = {}
        for slot, unit in self.inputs.items():
            value = inputs.get(slot)
            if value is None:
                if slot in self.optional:
                    continue
                raise AnalysisIssue(
                    "missing_channel",
                    f"step {self.name}: input {slot!r} has no data (is the sensor channel connected and named?)",
                    f"步骤 {self.name}：输入 {slot!r} 没有数据（传感器通道是否连接并命名正确？）",
                )
            if unit is not None and isinstance(value, Series | Quantity):
                if not compatible(value.unit, unit):
                    raise AnalysisIssue(
                        "wrong_units",
                        f"step {self.name}: input {slot!r} needs a unit like {unit!r}, got {value.unit!r}",
                        f"步骤 {self.name}：输入 {slot!r} 需要 {unit!r} 类单位，得到 {value.unit!r}",
                    )
                value = value.to(unit)
            ready[slot] = value
        out = self.fn(ready, self.resolve_params(params or {}))
        missing = [o for o in self.outputs if o not in out]
        if missing:  # a programming error, not a data problem
            raise RuntimeError(f"step {self.name} did not produce {missing}")
        return out
