"""Lab-level analysis steps / 实验专用分析步骤, built from :mod:`classlab.experiments.analysis`."""

from __future__ import annotations

from classlab.experiments.steptypes import Step

STEPS: tuple[Step, ...] = ()
