"""Analysis primitives / 分析基础函数 (numpy only).

Small modules, each on plain numpy arrays (time in s, values in the buffer's unit); they raise
:class:`classlab.experiments.quantity.AnalysisIssue` instead of returning a doubtful number.
The named steps that templates call are built from these in :mod:`classlab.experiments.steps`.

- ``fit``: weighted/unweighted linear fit, exponential approach/decay, inverse-square law
- ``plateau``: longest flat stretch, its level ± standard error
- ``period``: period from mean crossings (autocorrelation fallback) and from photogate edges
- ``gates``: photogate edges, picket fence g, flag-width velocities
- ``derivative``: Savitzky–Golay smoothed derivative
- ``peaks``: peaks with prominence
- ``clean``: sort/merge/NaN/gaps/start of action/saturation for real recordings
- ``stats``: mean ± standard error, RMS, trapezoid integral

scipy is not used: the only non-linear fits have one non-linear parameter, which a bracketed 1-D search
with the other parameters solved linearly ("variable projection") finds reliably in numpy.
"""
