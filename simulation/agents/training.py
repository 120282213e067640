"""Training: programmes that raise departments' trained share, paid from a training budget.

Rules:

- Starting a programme (the training intervention) sets, for each department it names, a
  target trained share of at least the programme's coverage. Its cost is the trainees
  (target - trained share) x headcount x cost_per_trainee; when the training budget left cannot
  pay for all of it, the targets are cut to the share it pays for, and the budget is spent.
  The cost is booked with the day's other costs (:mod:`.money`).
- Each day of a programme, each department's trained share closes the gap to its target over
  the days left (so it arrives on the programme's last day), and its awareness rises by
  training_awareness_gain x the day's step. A programme ends after duration_days.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from ..i18n import Join, Money, Percent, msg, term

if TYPE_CHECKING:
    from ..config import OrganisationConfig
    from ..events import Training
    from .departments import Department
    from .state import BrandState


def start_training(state: BrandState, departments: Mapping[str, Department],
                   programme: Training, o: OrganisationConfig, name: str) -> str:
    wanted = {k: max(departments[k].trained_share, programme.coverage)
              for k in programme.departments}
    trainees = sum((wanted[k] - departments[k].trained_share)
                   * departments[k].headcount for k in wanted)
    cost = trainees * o.cost_per_trainee
    note = ""
    if cost > state.training_budget_left and cost > 0:
        fraction = state.training_budget_left / cost
        wanted = {k: departments[k].trained_share
                  + fraction * (v - departments[k].trained_share)
                  for k, v in wanted.items()}
        note = msg(" The training budget only pays for {share} of it ({left} left).",
                   share=Percent(fraction), left=Money(state.training_budget_left))
        cost = state.training_budget_left
    state.training_budget_left -= cost
    state.training_cost_today += cost
    state.trainings.append((programme, programme.day, wanted))
    return msg("{brand} starts a {days}-day training programme for {departments} (target "
               "{coverage} of staff, {cost}).{note}", brand=name,
               days=programme.duration_days, coverage=Percent(programme.coverage),
               departments=Join(term("department", k) for k in programme.departments),
               cost=Money(cost), note=note)


def progress_training(state: BrandState, departments: Mapping[str, Department],
                      o: OrganisationConfig, day: int) -> None:
    gain = o.training_awareness_gain
    still = []
    for programme, start, targets in state.trainings:
        for kind, target in targets.items():
            dep = departments[kind]
            step = max(0.0, (target - dep.trained_share)) / max(
                1, start + programme.duration_days - day)
            dep.trained_share = min(1.0, dep.trained_share + step)
            dep.raise_awareness(gain * step)
        if day < start + programme.duration_days:
            still.append((programme, start, targets))
    state.trainings = still
