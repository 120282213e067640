"""Reducers for calibration targets that no single daily metric gives (user-defined reducers of
the output registry, named in experiment files as ``simulation.experiments.targets:NAME``).

Each receives one brand's daily series (the window's days, day 0 left out) and the output's
definition, and returns a float.
"""

from __future__ import annotations


def answered_share(series, definition) -> float:
    """Complaints answered over complaints posted during the run (NaN without complaints).
    Counts by day, so a complaint posted near the end may be answered after the horizon: a
    slight underestimate for short runs."""
    posted = float(series["complaints_new"].sum())
    return float(series["complaints_answered"].sum()) / posted if posted > 0 else float("nan")
