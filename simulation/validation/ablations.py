"""Null models: every pattern again with one mechanism of the model removed.

Rules:
- An ablation is a set of scenario overrides applied to every judged arm of every pattern (the
  arm's own design wins where both set a key). It removes one mechanism and nothing else:
  ``mixed``: the social network becomes full mixing (friends drawn at random, the same mean
  degree), so neither hubs nor clustering carry word of mouth or following;
  ``no-fatigue``: fatigue never builds (saturation_ratio at its maximum, so the over-solicitation
  drive is 0, and no push-fatigue drive);
  ``frozen-organisation``: departments' adoption never changes (no external push, no
  learning-by-doing, no erosion), while sponsorship, listening and the market still move.
- Each pattern declares, before any result, the ablations that remove the mechanism it claims
  (``Pattern.mechanism``). A pattern whose mechanism is removed should die; one that survives
  its own ablation is reported as "survives: the claimed mechanism is not what produces it".
- The same criterion is judged as in the main suite, over ``seeds`` seeds (10 by default:
  intervals are wider than in the main suite, so a pattern that barely passes there may fail
  here for lack of power; the table gives the estimate beside the verdict).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any


@dataclass(frozen=True)
class Ablation:
    id: str
    title: str
    removes: str
    overrides: dict[str, Any]


ABLATIONS = (
    Ablation("mixed", "network replaced by full mixing",
             "network structure (hubs, clustering, who hears whom)",
             {"market.network": "fully_mixed"}),
    Ablation("no-fatigue", "fatigue off", "over-solicitation fatigue",
             {"behaviour.saturation_ratio": 1000.0, "behaviour.push_fatigue_weight": 0.0}),
    Ablation("frozen-organisation", "organisation frozen (no adoption change)",
             "departments' adoption dynamics",
             {"organisation.adoption_p": 0.0, "organisation.adoption_q": 0.0,
              "organisation.erosion_rate": 0.0}),
)


def ablated(pattern):
    """The pattern with only its judged arms (decomposition arms are not rerun)."""
    from .patterns import judged_arms

    return replace(pattern, arms=judged_arms(pattern))


def run_ablations(patterns, seeds, pool, progress=None, save=None
                  ) -> dict[str, dict[str, Any]]:
    """Raw runs per ablation and pattern id: {ablation: {pattern id: runs}}."""
    from . import collect_runs

    raw: dict[str, dict[str, Any]] = {}
    for ablation in ABLATIONS:
        raw[ablation.id] = {}
        for pattern in patterns:
            try:
                runs = collect_runs(ablated(pattern), seeds, pool, extra=ablation.overrides)
            except Exception as error:  # reported as an error of that cell
                runs = {"_error": f"{type(error).__name__}: {error}"}
            raw[ablation.id][pattern.id] = runs
            if save:
                save(raw)
            if progress:
                progress(f"ablation {ablation.id}: {pattern.id} done")
    return raw
