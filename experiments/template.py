"""Experiment templates: the format and its strict parser / 实验模板：格式与严格解析器.

A template is one TOML file per curriculum id in ``experiments/templates/`` (format in
``docs/templates.md``). Parsing is strict — every problem is a :class:`TemplateError` naming the file and
line: unknown keys, missing bilingual text, undefined buffers/outputs/params, unknown analysis steps or
slots, units a step cannot take. Running is forgiving (see ``runtime.py``).

Name spaces: **buffers** (bound to a CSV column / live channel ``<quantity>_<unit>``), **params** (the
template's own inputs, given with ``--param``), and **outputs** of earlier analysis steps. ``in`` of a step
refers to any of these; a step ``params`` value ``"$name"`` takes a template param's value and
``"@name"`` the value of an earlier step's output (e.g. ``t_start = "@t_peak"``).
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from classlab.experiments import catalogue
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
from classlab.experiments.template_parse import parse

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
    "load",
    "load_all",
    "parse",
    "parse_file",
    "template_ids",
]


# --- loading the shipped templates -----------------------------------------------------------------

def parse_file(path: str | Path) -> Template:
    p = Path(path)
    return parse(p.read_text(encoding="utf-8"), str(p))


def _dir() -> Any:
    return resources.files("classlab.experiments").joinpath("templates")


def template_ids() -> list[str]:
    """Ids of the shipped templates, in catalogue order."""
    have = {f.name[:-5] for f in _dir().iterdir() if f.name.endswith(".toml")}
    return [i for i in catalogue.ids() if i in have]


@cache
def load(exp_id: str) -> Template:
    """The shipped template for a catalogue id (KeyError if none; TemplateError if it is broken)."""
    catalogue.get(exp_id)
    f = _dir().joinpath(f"{exp_id}.toml")
    if not f.is_file():
        raise KeyError(f"no template for {exp_id!r}")
    return parse(f.read_text(encoding="utf-8"), f"experiments/templates/{exp_id}.toml")


def load_all() -> list[Template]:
    return [load(i) for i in template_ids()]
