"""Session CSV in and out / 会话 CSV 的读写.

**Reading** (``read_csv``) accepts the project's session CSV and other loggers' exports:

- UTF-8 with or without BOM, also UTF-16 (Excel "Unicode text") and GB18030 (older zh-CN Excel);
- delimiter ``,`` ``;`` or tab (sniffed); an Excel ``sep=;`` first line; decimal commas with ``;``;
- header ``time_s`` / ``trial`` + ``<quantity>_<unit>``, or ``Name (unit)`` / ``Name [unit]`` / ``Name/unit``
  (``Temperature (°C)`` → ``temperature_C``; ``Time (ms)`` is converted to ``time_s``);
- empty cells (gaps in one channel) become NaN; rows are sorted by time; repeated timestamps are merged
  (values averaged), with counts kept in ``Table.notes``;
- cells neutralised on export (``'=...``) are read back without the quote.

**Writing** (``write_csv``) follows the ⚑ session-CSV contract: UTF-8 with BOM, ``time_s`` first, one
column per channel; a text cell starting with ``= + - @`` gets a leading ``'`` (CSV injection); numbers
are written as numbers (``-0.5`` stays a number).
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from classlab.experiments.quantity import AnalysisIssue, convert, unit_info

__all__ = ["CsvError", "Table", "normalise_header", "read_csv", "write_csv"]

TIME_NAMES = ("time", "t", "timestamp", "zeit", "时间")
TRIAL_NAMES = ("trial", "run", "row", "n", "no", "次数", "序号")
_UNIT_ALIASES = {
    "°c": "C", "℃": "C", "degc": "C", "c": "C", "celsius": "C", "k": "K", "°f": "degF", "f": "degF",
    "lux": "lx", "lx": "lx", "ω": "ohm", "ohm": "ohm", "ohms": "ohm", "kω": "kohm",
    "m/s²": "m/s^2", "m/s2": "m/s^2", "m/s^2": "m/s^2", "m s^-2": "m/s^2", "m/s": "m/s", "sec": "s",
    "seconds": "s", "s": "s", "ms": "ms", "min": "min", "µs": "us", "μs": "us", "us": "us", "h": "h",
    "v": "V", "mv": "mV", "a": "A", "ma": "mA", "µa": "uA", "μa": "uA", "m": "m", "cm": "cm", "mm": "mm",
    "g": "g", "kg": "kg", "n": "N", "pa": "Pa", "kpa": "kPa", "hpa": "hPa", "ml": "mL", "cm³": "cm3",
    "cm3": "cm3", "l": "L", "g/cm³": "g/cm3", "g/cm3": "g/cm3", "kg/m³": "kg/m3", "hz": "Hz", "w": "W",
    "j": "J", "%": "%", "deg": "deg", "°": "deg", "rad": "rad", "level": "level", "1": "1", "count": "count",
}
# names only; English synonyms (position ~ distance, light ~ illuminance) are resolved when a template
# binds its buffers (runtime.SYNONYMS), so a template's own `position_m` is never renamed
_QUANTITY_ALIASES = {
    "temp": "temperature", "photogate": "gate",
    "温度": "temperature", "电压": "voltage", "电流": "current", "距离": "distance", "位置": "distance",
    "光照": "illuminance", "光照度": "illuminance", "加速度": "acceleration",
}


class CsvError(ValueError):
    """The file cannot be read as a table: the message says what and how to fix it."""


@dataclass
class Table:
    """Columns by normalised name (``time_s`` or ``trial`` first), all float64 of equal length."""

    columns: dict[str, np.ndarray]
    time_column: str
    notes: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return int(self.columns[self.time_column].size)


def _canon_unit(unit: str) -> str | None:
    u = unit.strip()
    alias = _UNIT_ALIASES.get(u.lower())
    if alias:
        return alias
    try:
        unit_info(u)
        return u
    except AnalysisIssue:
        return None


def _canon_quantity(name: str) -> str:
    q = re.sub(r"[^0-9a-z_\u4e00-\u9fff]+", "_", name.strip().lower()).strip("_")
    return _QUANTITY_ALIASES.get(q, q)


def normalise_header(header: str) -> tuple[str, str | None]:
    """``(quantity, unit)`` of a column header; unit None if the header names none.

    ``temperature_C`` → (temperature, C); ``Temperature (°C)`` → (temperature, C);
    ``Distance [cm]`` → (distance, cm); ``voltage/V`` → (voltage, V); ``trial`` → (trial, None).
    """
    h = header.strip().strip("\ufeff").strip()
    # logger prefixes: "Latest: Time (s)" (Logger Pro), "Run #1 Time (s)" / "Run 1: ..." (PASCO, SPARKvue)
    h = re.sub(r"^(?:run\s*#?\s*\d+\s*:?\s*|latest\s*:\s*|data\s*set\s*\d*\s*:\s*)", "", h, flags=re.I)
    m = re.fullmatch(r"(.+?)\s*[(\[（](.+?)[)\]）]\s*", h)
    if m:
        return _canon_quantity(m.group(1)), _canon_unit(m.group(2))
    if "_" in h:
        # the unit is everything after the first "_" that parses as a unit (units may contain "/" and "^")
        parts = h.split("_")
        for i in range(1, len(parts)):
            unit = "_".join(parts[i:])
            cu = _canon_unit(unit)
            if cu:
                return _canon_quantity("_".join(parts[:i])), cu
    if "/" in h and not h.startswith("/"):
        name, unit = h.split("/", 1)
        cu = _canon_unit(unit)
        if cu and name.strip():
            return _canon_quantity(name), cu
    return _canon_quantity(h), None


def _decode(data: bytes) -> str:
    if data.startswith(b"\xff\xfe") or data.startswith(b"\xfe\xff"):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            return data.decode("gb18030")
        except UnicodeDecodeError:
            raise CsvError("the file is neither UTF-8, UTF-16 nor GB18030 text; save it as CSV UTF-8") from None


def _to_float(cell: str, decimal_comma: bool) -> float:
    c = cell.strip().strip('"').strip()
    if c.startswith("'"):
        c = c[1:]
    if not c:
        return math.nan
    if decimal_comma:
        c = c.replace(".", "").replace(",", ".") if c.count(",") == 1 else c
    try:
        return float(c)
    except ValueError:
        return math.nan


def read_csv(source: str | Path | bytes) -> Table:
    """Read a session CSV or another logger's CSV (see the module docstring). Raises :class:`CsvError`."""
    if isinstance(source, bytes):
        data, name = source, "<bytes>"
    else:
        try:
            data, name = Path(source).read_bytes(), str(source)
        except OSError as exc:
            raise CsvError(f"cannot read {source}: {exc.strerror}") from None
    text = _decode(data).replace("\r\n", "\n").replace("\r", "\n")
    lines = [ln for ln in text.split("\n") if ln.strip() and not ln.lstrip().startswith("#")]
    delimiter = None
    if lines and lines[0].lower().startswith("sep="):
        delimiter = lines[0][4:5] or ","
        lines = lines[1:]
    if not lines:
        raise CsvError(f"{name}: the file has no header row")
    if delimiter is None:
        head = lines[0]
        delimiter = max((",", ";", "\t"), key=head.count)
        if head.count(delimiter) == 0:
            delimiter = ","
    rows = list(csv.reader(io.StringIO("\n".join(lines)), delimiter=delimiter))
    header = rows[0]
    while header and not header[-1].strip():  # Excel's trailing empty columns
        header = header[:-1]
    if len(header) < 2:
        raise CsvError(f"{name}: need a time (or trial) column and at least one data column; header is {rows[0]!r}")
    body = rows[1:]
    decimal_comma = delimiter == ";" and any("," in c for r in body[:20] for c in r)
    notes: list[str] = []
    names: list[str] = []
    units: list[str | None] = []
    for h in header:
        q, u = normalise_header(h)
        names.append(q)
        units.append(u)
    matrix = np.full((len(body), len(header)), np.nan)
    for i, r in enumerate(body):
        for j in range(min(len(header), len(r))):
            matrix[i, j] = _to_float(r[j], decimal_comma)
    bad = int(np.sum(np.isnan(matrix[:, 0])))
    if bad:
        notes.append(f"{bad} row(s) without a time/trial value were dropped")
        matrix = matrix[~np.isnan(matrix[:, 0])]
    if matrix.shape[0] == 0:
        raise CsvError(f"{name}: no data rows with a numeric first column")

    first, first_unit = names[0], units[0]
    if first in TRIAL_NAMES:
        time_column = "trial"
        t = matrix[:, 0]
    elif first in TIME_NAMES or first_unit in ("s", "ms", "us", "min", "h"):
        time_column = "time_s"
        t = convert(matrix[:, 0], first_unit or "s", "s")
    else:
        raise CsvError(f"{name}: the first column {header[0]!r} must be time in seconds (time_s) or trial")
    columns: dict[str, np.ndarray] = {}
    for j in range(1, len(header)):
        if names[j] == "" and np.all(np.isnan(matrix[:, j])):
            continue
        key = f"{names[j]}_{units[j]}" if units[j] else names[j]
        if key in columns:
            notes.append(f"column {header[j]!r} repeats {key!r}; the first one is used")
            continue
        columns[key] = matrix[:, j]
    order = np.argsort(t, kind="stable")
    if np.any(order != np.arange(t.size)):
        notes.append("rows were not in time order; sorted")
        t = t[order]
        columns = {k: v[order] for k, v in columns.items()}
    if time_column == "time_s":
        t, columns, merged = _merge_repeats(t, columns)
        if merged:
            notes.append(f"{merged} repeated timestamp(s) merged (values averaged)")
        if t.size > 2:
            dt = np.diff(t)
            med = float(np.median(dt))
            if med > 0 and np.any(dt > 5 * med):
                notes.append(f"{int(np.sum(dt > 5 * med))} gap(s) longer than 5 sampling intervals")
    return Table({time_column: t, **columns}, time_column, notes)


def _merge_repeats(t: np.ndarray, columns: dict[str, np.ndarray]) -> tuple[np.ndarray, dict[str, np.ndarray], int]:
    """Average rows that share a timestamp (NaN-aware), so time is strictly increasing."""
    if t.size < 2 or np.all(np.diff(t) > 0):
        return t, columns, 0
    uniq, inverse, counts = np.unique(t, return_inverse=True, return_counts=True)
    out = {}
    for k, v in columns.items():
        ok = np.isfinite(v)
        sums = np.bincount(inverse, weights=np.where(ok, v, 0.0), minlength=uniq.size)
        n = np.bincount(inverse, weights=ok.astype(float), minlength=uniq.size)
        with np.errstate(invalid="ignore", divide="ignore"):
            out[k] = np.where(n > 0, sums / np.maximum(n, 1), np.nan)
    return uniq, out, int(t.size - uniq.size)


def _cell(value: object) -> str:
    if isinstance(value, float | np.floating):
        return "" if not math.isfinite(float(value)) else repr(float(value))
    if isinstance(value, int | np.integer):
        return str(int(value))
    text = str(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


def write_csv(path: str | Path | None, columns: Mapping[str, Sequence[object] | np.ndarray]) -> bytes:
    """Write the session CSV (UTF-8 BOM, first column ``time_s`` or ``trial``); returns the bytes.

    Numbers are written with full precision, NaN as an empty cell; text cells starting with
    ``= + - @`` are neutralised with a leading ``'``. ``path`` None only returns the bytes.
    """
    names = list(columns)
    if not names or names[0] not in ("time_s", "trial"):
        raise ValueError(f"the first column must be time_s or trial, got {names[:1]}")
    n = len(columns[names[0]])
    for k in names:
        if len(columns[k]) != n:
            raise ValueError(f"column {k!r} has {len(columns[k])} rows, expected {n}")
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow([_cell(h) for h in names])
    cols = [columns[k] for k in names]
    for i in range(n):
        w.writerow([_cell(c[i]) for c in cols])
    data = "\ufeff".encode() + buf.getvalue().encode("utf-8")
    if path is not None:
        Path(path).write_bytes(data)
    return data
