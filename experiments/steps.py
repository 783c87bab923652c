"""The registry of named analysis steps that templates call / 模板调用的分析步骤注册表.

``STEPS`` maps a step name to its :class:`Step` (inputs with required units, outputs, parameters,
bilingual docs). Generic steps (fits, plateau, period, derivative, peaks, statistics, cleaning) are
defined in :mod:`classlab.experiments.steps_generic` and :mod:`classlab.experiments.steps_signal`; x–y relations in
:mod:`classlab.experiments.steps_xy`; switch/gate events in :mod:`classlab.experiments.steps_events`; lab-level steps (``pendulum_g``,
``boiling_point``, ``rc_time_constant``...) in :mod:`classlab.experiments.steps_labs`.

Calling a step: ``get_step(name).run(inputs, params)`` — ``inputs`` maps slot → :class:`Series` or
:class:`Quantity`; ``run`` converts units to what the slot declares, fills parameter defaults and
raises :class:`AnalysisIssue` for bad data (never returns NaN). A template's runtime catches the issue,
reports it with the step's name, and goes on with the steps that do not depend on it.
"""

from __future__ import annotations

from classlab.experiments import steps_events, steps_generic, steps_labs, steps_signal, steps_xy
from classlab.experiments.quantity import AnalysisIssue, Quantity
from classlab.experiments.steptypes import Param, Series, Step

__all__ = ["STEPS", "AnalysisIssue", "Param", "Quantity", "Series", "Step", "get_step", "step_names"]


def _build() -> dict[str, Step]:
    registry: dict[str, Step] = {}
    for step in (*steps_generic.STEPS, *steps_signal.STEPS, *steps_labs.STEPS, *steps_xy.STEPS, *steps_events.STEPS):
        if step.name in registry:
            raise RuntimeError(f"analysis step {step.name!r} is defined twice")
        registry[step.name] = step
    return registry


STEPS: dict[str, Step] = _build()


def step_names() -> list[str]:
    return sorted(STEPS)


def get_step(name: str) -> Step:
    """The step called ``name``; KeyError listing the known names otherwise."""
    try:
        return STEPS[name]
    except KeyError:
        raise KeyError(f"unknown analysis step {name!r}; known steps: {', '.join(step_names())}") from None
