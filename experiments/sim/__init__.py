"""Physics simulators of the curriculum's sensor labs / 传感器实验的物理模拟器.

Used by the simulated boards (``classlab demo``, ``classlab simulate``), and by the science tests,
which run a template's analysis on simulated data with a known answer. Contract:
``docs/contracts/README.md``; table shape and conventions: ``experiments/sim/README.md``.

>>> m = get_model("PHY-J-10", seed=1)
>>> m.channels[0].column, round(m.truth["boiling_point_C"], 1) > 90
('temperature_C', True)
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import chemistry, electrical, electromagnetism, environment, gates, light, motion, thermal
from .base import Event, FirstOrderLag, Param, SimChannel, SimModel

_FAMILIES = (thermal, motion, gates, electrical, electromagnetism, environment, light, chemistry)


def _registry() -> dict[str, type[SimModel]]:
    reg: dict[str, type[SimModel]] = {}
    for fam in _FAMILIES:
        for exp_id, cls in fam.MODELS.items():
            if exp_id in reg:
                raise RuntimeError(f"two simulators for {exp_id}")
            reg[exp_id] = cls
    return reg


MODELS: dict[str, type[SimModel]] = _registry()


def simulated_experiments() -> list[str]:
    """Catalogue ids that have a physics model, sorted."""
    return sorted(MODELS)


def get_model(experiment: str, seed: int = 0, **params: Any) -> SimModel:
    """A fresh model of ``experiment``; ``noise`` (multiple of nominal sensor noise) and the model's
    own parameters are keyword arguments. Unknown id or parameter → ValueError naming what exists."""
    try:
        cls = MODELS[experiment]
    except KeyError:
        raise ValueError(
            f"no simulator for experiment {experiment!r}; simulated: {', '.join(simulated_experiments())}"
        ) from None
    return cls(seed=seed, **params)


def event_level_columns(model: SimModel, t: np.ndarray, events: list[Event]) -> dict[str, np.ndarray]:
    """Gate levels at times ``t`` (held between edges) per event channel, column ``<quantity>_level``."""
    cols: dict[str, np.ndarray] = {}
    for ch in model.event_channels:
        et = np.array([e[0] for e in events if e[1] == ch.id], dtype=float)
        lv = np.array([e[2] for e in events if e[1] == ch.id], dtype=float)
        idx = np.searchsorted(et, t, side="right") - 1
        first = 1.0 - lv[0] if lv.size else 0.0  # the level before the first edge
        cols[ch.column] = np.where(idx >= 0, lv[np.clip(idx, 0, None)] if lv.size else first, first)
    return cols


def simulate_table(
    experiment: str,
    seed: int = 0,
    noise: float = 1.0,
    rate_hz: float | None = None,
    duration_s: float | None = None,
    **params: Any,
) -> tuple[dict[str, np.ndarray], dict[str, float], dict[str, float]]:
    """One run as a session-CSV-shaped table: ``(columns, truth, params_for_analysis)``.

    ``columns`` maps ``time_s`` and ``<quantity>_<unit>`` to equal-length float arrays. Sampled
    channels are read at ``rate_hz`` (the model's own rate by default). Photogate edges are rows of
    their own at the exact edge time, and each gate channel is a ``<quantity>_level`` column holding
    the level after the most recent edge (so an analysis finds edges where the level changes); a lab
    with gates only starts with a row at t = 0 holding every gate's idle level, as a timer's log does.
    ``params_for_analysis`` are the template inputs (``--param``) a student would type in.
    """
    model = get_model(experiment, seed=seed, noise=noise, **params)
    rate = float(rate_hz or model.rate_hz)
    dur = float(duration_s or model.duration_s)
    t_s = np.arange(0.0, dur, 1.0 / rate) if model.channels else np.zeros(0)
    events = model.events(0.0, dur)
    t_e = np.array([e[0] for e in events], dtype=float)
    if model.event_channels and not model.channels:  # the logger's first row: all gates idle at t = 0
        t_s = np.zeros(1) if not (t_e.size and t_e[0] == 0.0) else np.zeros(0)
    t = np.concatenate([t_s, t_e])
    order = np.argsort(t, kind="stable")
    t = t[order]
    table: dict[str, np.ndarray] = {"time_s": t}
    if model.channels:
        vals = model.values(t_s)
        for j, ch in enumerate(model.channels):
            col = np.concatenate([vals[:, j], np.full(t_e.size, np.nan)])[order]
            if t_e.size:  # an edge row carries the last sampled value (as loggers fill down)
                col = _fill_down(col)
            table[ch.column] = col
    table.update(event_level_columns(model, t, events))
    return table, dict(model.truth), model.analysis_params()


def _fill_down(col: np.ndarray) -> np.ndarray:
    ok = ~np.isnan(col)
    idx = np.where(ok, np.arange(col.size), 0)
    np.maximum.accumulate(idx, out=idx)
    out = col[idx]
    first = np.argmax(ok) if ok.any() else col.size
    out[:first] = col[first] if ok.any() else np.nan
    return out


__all__ = [
    "MODELS",
    "Event",
    "FirstOrderLag",
    "Param",
    "SimChannel",
    "SimModel",
    "event_level_columns",
    "get_model",
    "simulate_table",
    "simulated_experiments",
]
