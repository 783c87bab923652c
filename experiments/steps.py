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

__all__ = ["STEPS", "AnalysisIssue", "Param", "Quantity", "Series", "Step", "get_step", "reference_markdown", "step_names"]


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


def reference_markdown() -> str:
    """The step reference for template authors (``docs/steps.md`` is this text; a test keeps it in step)."""
    lines = [
        "# Analysis steps / 分析步骤",
        "",
        "Generated from the registry by `python -m classlab.experiments.steps > docs/steps.md`; do not edit.",
        "Inputs are slot → required unit (`any` = no requirement; a compatible unit is converted, e.g. mV → V).",
        "Every step raises an `AnalysisIssue` (code, en, zh) instead of returning a doubtful number.",
        "",
    ]
    for name in step_names():
        st = STEPS[name]
        ins = ", ".join(f"`{k}`: {v or 'any'}{' (optional)' if k in st.optional else ''}" for k, v in st.inputs.items())
        lines += [f"## `{name}`", "", f"{st.doc_en}  ", f"{st.doc_zh}", "", f"- inputs: {ins}",
                  f"- outputs: {', '.join(f'`{o}`' for o in st.outputs)}"]
        for prm in st.params:
            default = "required" if prm.default is None else f"default `{prm.default}`"
            unit = f" [{prm.unit}]" if prm.unit else ""
            lines.append(f"- param `{prm.name}`{unit}, {default}: {prm.doc_en} / {prm.doc_zh}")
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    print(reference_markdown(), end="")
