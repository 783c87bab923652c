"""Quantities with uncertainty, units, and the data-quality exception / 带不确定度的量、单位与数据质量异常.

- :class:`Quantity` — a result: value ± standard uncertainty (1 sigma), in one unit.
- :class:`AnalysisIssue` — raised by every analysis step that cannot give a trustworthy number
  (``too_short``, ``no_plateau``, ``saturated``, ``wrong_units``, ``missing_channel``, ``poor_fit``,
  ``no_period``, ``bad_param`` ...). It carries a machine code and a message in English and zh-CN.
- Units: a small table of the units the kit and other loggers use, each with its SI dimension
  (exponents of m, kg, s, A, K, cd, mol), scale and offset. ``convert`` changes unit within one
  dimension (``mV`` → ``V``, ``C`` → ``K``, ``cm`` → ``m``); ``compatible`` tells a template parser
  whether a buffer may feed a step slot; ``div_unit``/``mul_unit`` name the unit of a slope or product.

Temperature: ``C`` is degree Celsius (the session CSV writes ``temperature_C``); electric charge is
written ``As`` or ``mAs`` (coulomb would clash with Celsius). ``degF`` is Fahrenheit.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = [
    "AnalysisIssue",
    "Quantity",
    "UnitInfo",
    "compatible",
    "convert",
    "dimension",
    "div_unit",
    "known_units",
    "mul_unit",
    "unit_info",
]


class AnalysisIssue(Exception):
    """The data cannot give a trustworthy result / 数据无法给出可信结果.

    ``code`` is a short machine name (``too_short``, ``no_plateau``, ``saturated``, ``wrong_units``,
    ``missing_channel``, ``poor_fit``, ``no_period``, ``bad_param``, ``gaps``); ``en`` and ``zh`` are
    one-line messages for the teacher saying what was wrong and, where possible, what to do.
    """

    def __init__(self, code: str, en: str, zh: str) -> None:
        super().__init__(f"{code}: {en}")
        self.code = code
        self.en = en
        self.zh = zh

    def to_json(self) -> dict[str, str]:
        return {"code": self.code, "en": self.en, "zh": self.zh}


@dataclass(frozen=True)
class Quantity:
    """A measured or derived value with its standard uncertainty (1 sigma) in the same unit."""

    value: float
    uncertainty: float
    unit: str

    def __post_init__(self) -> None:
        if not math.isfinite(self.value) or not (math.isfinite(self.uncertainty) and self.uncertainty >= 0):
            raise AnalysisIssue(
                "not_finite",
                f"result is not a finite number ({self.value} ± {self.uncertainty} {self.unit})",
                f"结果不是有限数值（{self.value} ± {self.uncertainty} {self.unit}）",
            )

    def to_json(self) -> dict[str, Any]:
        return {"value": float(self.value), "uncertainty": float(self.uncertainty), "unit": self.unit}

    @property
    def relative(self) -> float:
        """Relative standard uncertainty (dimensionless); inf for a zero value."""
        return self.uncertainty / abs(self.value) if self.value else math.inf

    def to(self, unit: str) -> Quantity:
        """The same quantity in another unit of the same dimension (offsets apply to the value only)."""
        value = float(convert(np.asarray(self.value), self.unit, unit))
        scale = unit_info(self.unit).scale / unit_info(unit).scale
        return Quantity(value, self.uncertainty * abs(scale), unit)

    def __str__(self) -> str:
        return f"{self.value:.6g} ± {self.uncertainty:.2g} {self.unit}"


# --- units -----------------------------------------------------------------------------------------

_BASE = ("m", "kg", "s", "A", "K", "cd", "mol")
Dim = tuple[int, int, int, int, int, int, int]


@dataclass(frozen=True)
class UnitInfo:
    """A unit: SI dimension exponents over (m, kg, s, A, K, cd, mol), scale and offset to SI.

    ``si_value = value * scale + offset``. ``kind`` separates dimensionless units that must not be
    mixed (``level`` of a photogate, ``%`` humidity, ``pH``, ``dB``) from plain numbers (``1``).
    """

    name: str
    dim: Dim
    scale: float = 1.0
    offset: float = 0.0
    kind: str = ""


def _d(m: int = 0, kg: int = 0, s: int = 0, a: int = 0, k: int = 0, cd: int = 0, mol: int = 0) -> Dim:
    return (m, kg, s, a, k, cd, mol)


_TABLE: dict[str, UnitInfo] = {}


def _add(names: str, dim: Dim, scale: float = 1.0, offset: float = 0.0, kind: str = "") -> None:
    for name in names.split():
        _TABLE[name] = UnitInfo(name, dim, scale, offset, kind)


_add("1 count", _d())
_add("level", _d(), kind="level")
_add("%", _d(), 0.01, kind="percent")
_add("pH", _d(), kind="pH")
_add("dB", _d(), kind="dB")
_add("ppm", _d(), 1e-6, kind="fraction")
_add("rad", _d(), kind="angle")
_add("rad/s", _d(s=-1), kind="angle")
_add("deg", _d(), math.pi / 180, kind="angle")
_add("m", _d(m=1))
_add("cm", _d(m=1), 1e-2)
_add("mm", _d(m=1), 1e-3)
_add("km", _d(m=1), 1e3)
_add("um", _d(m=1), 1e-6)
_add("nm", _d(m=1), 1e-9)
_add("m2", _d(m=2))
_add("cm2", _d(m=2), 1e-4)
_add("m3", _d(m=3))
_add("cm3 mL", _d(m=3), 1e-6)
_add("L", _d(m=3), 1e-3)
_add("s", _d(s=1))
_add("ms", _d(s=1), 1e-3)
_add("us", _d(s=1), 1e-6)
_add("min", _d(s=1), 60.0)
_add("h", _d(s=1), 3600.0)
_add("Hz", _d(s=-1))
_add("kg", _d(kg=1))
_add("g", _d(kg=1), 1e-3)
_add("mg", _d(kg=1), 1e-6)
_add("m/s", _d(m=1, s=-1))
_add("cm/s", _d(m=1, s=-1), 1e-2)
_add("m/s^2 m/s2", _d(m=1, s=-2))
_add("N", _d(m=1, kg=1, s=-2))
_add("mN", _d(m=1, kg=1, s=-2), 1e-3)
_add("kN", _d(m=1, kg=1, s=-2), 1e3)
_add("N/m", _d(kg=1, s=-2))
_add("kg*m/s", _d(m=1, kg=1, s=-1))
_add("Pa", _d(m=-1, kg=1, s=-2))
_add("hPa", _d(m=-1, kg=1, s=-2), 1e2)
_add("kPa", _d(m=-1, kg=1, s=-2), 1e3)
_add("J", _d(m=2, kg=1, s=-2))
_add("kJ", _d(m=2, kg=1, s=-2), 1e3)
_add("J/g", _d(m=2, s=-2), 1e3)
_add("W", _d(m=2, kg=1, s=-3))
_add("mW", _d(m=2, kg=1, s=-3), 1e-3)
_add("A", _d(a=1))
_add("mA", _d(a=1), 1e-3)
_add("uA", _d(a=1), 1e-6)
_add("As", _d(a=1, s=1))
_add("mAs", _d(a=1, s=1), 1e-3)
_add("V", _d(m=2, kg=1, s=-3, a=-1))
_add("mV", _d(m=2, kg=1, s=-3, a=-1), 1e-3)
_add("ohm Ω", _d(m=2, kg=1, s=-3, a=-2))
_add("S", _d(m=-2, kg=-1, s=3, a=2))
_add("mS", _d(m=-2, kg=-1, s=3, a=2), 1e-3)
_add("ohm*m", _d(m=3, kg=1, s=-3, a=-2))
_add("kohm kΩ", _d(m=2, kg=1, s=-3, a=-2), 1e3)
_add("F", _d(m=-2, kg=-1, s=4, a=2))
_add("uF", _d(m=-2, kg=-1, s=4, a=2), 1e-6)
_add("T", _d(kg=1, s=-2, a=-1))
_add("mT", _d(kg=1, s=-2, a=-1), 1e-3)
_add("K", _d(k=1))
_add("C °C degC", _d(k=1), 1.0, 273.15)
_add("degF °F", _d(k=1), 5.0 / 9.0, 273.15 - 32.0 * 5.0 / 9.0)
_add("lx", _d(m=-2, cd=1))
_add("g/cm3", _d(m=-3, kg=1), 1e3)
_add("kg/m3", _d(m=-3, kg=1))
_add("C/s K/s", _d(k=1, s=-1))
_add("K/W", _d(m=-2, kg=-1, s=3, k=1))
_add("1/s", _d(s=-1))
_add("m2/s2", _d(m=2, s=-2))
_add("s2", _d(s=2))
_add("s2/m", _d(m=-1, s=2))
_add("lx*m2", _d(cd=1))

# preferred names for a derived dimension at scale 1
_PREFERRED = ["m/s", "m/s^2", "N", "N/m", "Pa", "J", "W", "V", "ohm", "S", "F", "As", "Hz", "lx", "kg/m3", "T", "1"]


def known_units() -> list[str]:
    """All unit strings this module understands."""
    return sorted(_TABLE)


def unit_info(unit: str) -> UnitInfo:
    """The :class:`UnitInfo` of a unit string, or AnalysisIssue ``wrong_units`` if it is unknown.

    Besides the table, ``a/b`` and ``a*b`` of known units are understood (e.g. ``V/A``, ``C/min``).
    """
    u = unit.strip()
    if u in _TABLE:
        return _TABLE[u]
    for sep in ("/", "*"):
        if sep in u:
            left, right = u.rsplit(sep, 1)
            a, b = unit_info(left), unit_info(right)
            sign = -1 if sep == "/" else 1
            dim = tuple(x + sign * y for x, y in zip(a.dim, b.dim, strict=True))
            scale = a.scale / b.scale if sep == "/" else a.scale * b.scale
            return UnitInfo(u, dim, scale, 0.0, a.kind or b.kind)  # type: ignore[arg-type]
    raise AnalysisIssue(
        "wrong_units",
        f"unknown unit {unit!r}; known units: {', '.join(known_units())}",
        f"未知单位 {unit!r}；可用单位：{', '.join(known_units())}",
    )


def dimension(unit: str) -> str:
    """A readable SI dimension, e.g. ``dimension('mV') == 'm2 kg s-3 A-1'``; ``'1'`` for pure numbers."""
    info = unit_info(unit)
    parts = [f"{b}{'' if e == 1 else e}" for b, e in zip(_BASE, info.dim, strict=True) if e]
    base = " ".join(parts) or "1"
    return f"{base} [{info.kind}]" if info.kind else base


def compatible(unit: str, required: str | None) -> bool:
    """True if a buffer in ``unit`` may feed a slot that needs ``required`` (None = any unit)."""
    if required is None:
        return True
    try:
        a, b = unit_info(unit), unit_info(required)
    except AnalysisIssue:
        return False
    return a.dim == b.dim and a.kind == b.kind


def convert(values: Any, from_unit: str, to_unit: str) -> np.ndarray:
    """Values (array-like) from one unit to another of the same dimension; AnalysisIssue otherwise."""
    arr = np.asarray(values, dtype=np.float64)
    if from_unit == to_unit:
        return arr
    a, b = unit_info(from_unit), unit_info(to_unit)
    if a.dim != b.dim or a.kind != b.kind:
        raise AnalysisIssue(
            "wrong_units",
            f"cannot use {from_unit!r} ({dimension(from_unit)}) where {to_unit!r} ({dimension(to_unit)}) is needed",
            f"单位不符：需要 {to_unit!r}，得到 {from_unit!r}",
        )
    return (arr * a.scale + a.offset - b.offset) / b.scale


def _named(dim: tuple[int, ...], scale: float, fallback: str) -> str:
    if math.isclose(scale, 1.0):
        for name in _PREFERRED:
            if _TABLE[name].dim == dim:
                return name
    return fallback


def _plain(u: UnitInfo) -> bool:
    """Units that combine by dimension: no temperature offset, and no kind except angle (rad drops out
    of ω²·r, as in SI)."""
    return u.kind in ("", "angle") and u.dim[4] == 0 and u.offset == 0


def div_unit(num: str, den: str) -> str:
    """Unit of ``num / den`` (e.g. slope of V against A → ``ohm``; m against s → ``m/s``)."""
    if den in ("1", ""):
        return num
    if num == den:
        return "1"
    a, b = unit_info(num), unit_info(den)
    if _plain(a) and _plain(b):
        dim = tuple(x - y for x, y in zip(a.dim, b.dim, strict=True))
        return _named(dim, a.scale / b.scale, f"{num}/{den}")
    return f"{num}/{den}"


def mul_unit(a_unit: str, b_unit: str) -> str:
    """Unit of ``a * b`` (e.g. V times A → ``W``; A times s → ``As``)."""
    if a_unit in ("1", ""):
        return b_unit
    if b_unit in ("1", ""):
        return a_unit
    a, b = unit_info(a_unit), unit_info(b_unit)
    if _plain(a) and _plain(b):
        dim = tuple(x + y for x, y in zip(a.dim, b.dim, strict=True))
        return _named(dim, a.scale * b.scale, f"{a_unit}*{b_unit}")
    return f"{a_unit}*{b_unit}"
