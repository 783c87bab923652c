"""The curriculum catalogue shipped with classlab / 随软件发布的课程实验目录.

``catalogue.json`` is the project's copy of ``../shared/curriculum.json`` (117 labs from China's national
curriculum standards; fields explained in ``docs/templates.md``). An installed classlab reads only this
copy, never ``../shared``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

__all__ = ["Entry", "entries", "get", "ids", "required_ids"]


@dataclass(frozen=True)
class Entry:
    """One curriculum experiment: ``id`` like ``PHY-J-07``; ``sensors`` from the kit or ``manual``."""

    id: str
    subject: str
    stage: str
    name_zh: str
    name_en: str
    category: str
    required: bool
    list: str
    sensors: tuple[str, ...]
    instrumentation: str  # primary | assistive | none
    quantity: str
    analysis: str
    verified: bool

    @property
    def manual(self) -> bool:
        """True for labs no kit sensor helps with (a manual data table only)."""
        return self.instrumentation == "none"

    def to_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "subject": self.subject,
            "stage": self.stage,
            "name_zh": self.name_zh,
            "name_en": self.name_en,
            "category": self.category,
            "required": self.required,
            "list": self.list,
            "sensors": list(self.sensors),
            "instrumentation": self.instrumentation,
            "quantity": self.quantity,
            "analysis": self.analysis,
            "verified": self.verified,
        }


@lru_cache(maxsize=1)
def _load() -> dict[str, Entry]:
    text = resources.files("classlab.experiments").joinpath("catalogue.json").read_text(encoding="utf-8")
    out: dict[str, Entry] = {}
    for raw in json.loads(text):
        out[raw["id"]] = Entry(
            id=raw["id"],
            subject=raw["subject"],
            stage=raw["stage"],
            name_zh=raw["name_zh"],
            name_en=raw["name_en"],
            category=raw["category"],
            required=bool(raw["required"]),
            list=raw["list"],
            sensors=tuple(raw["sensors"]),
            instrumentation=raw["instrumentation"],
            quantity=raw.get("quantity", ""),
            analysis=raw.get("analysis", ""),
            verified=bool(raw.get("verified", False)),
        )
    return out


def entries() -> list[Entry]:
    """All catalogue entries in catalogue order."""
    return list(_load().values())


def ids() -> list[str]:
    return list(_load())


def required_ids() -> list[str]:
    """Ids of the national required student experiments (学生必做实验)."""
    return [e.id for e in _load().values() if e.required]


def get(exp_id: str) -> Entry:
    """The entry for ``exp_id``; KeyError naming close ids if it is unknown."""
    try:
        return _load()[exp_id]
    except KeyError:
        prefix = exp_id[:5].upper()
        near = [i for i in _load() if i.startswith(prefix)] or ids()[:10]
        raise KeyError(f"unknown experiment {exp_id!r}; e.g. {', '.join(near[:12])}") from None
