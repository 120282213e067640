"""The phase classifier and the help-desk flag: how a brand's state is read as a maturity phase.

Phase classifier (thresholds in the scenario's ``[classifier]`` section):
- phase 1, experimentation: neither marketing nor communication has an adoption of at least
  phase2_adoption;
- phase 3, social business: at least phase3_breadth of the eight non-executive departments are
  adopting (adoption >= organisation.adopted_threshold), executive sponsorship is at least
  phase3_sponsorship, and listening coverage x CRM integration is at least phase3_integration;
- phase 2, social marketing: otherwise.
A brand's recorded phase (and help-desk flag) changes only after the new value has held
confirm_days days in a row.

Hysteresis (a Schmitt trigger): a brand leaves the phase it is recorded in only when it fails
that phase's test with every threshold moved by exit_margin (relative) in its favour: a brand in
phase 3 counts a department as adopting down to (1 - exit_margin) x adopted_threshold, and keeps
phase 3 down to (1 - exit_margin) x the sponsorship and integration thresholds; a brand in phase
2 keeps it down to (1 - exit_margin) x phase2_adoption. Likewise the help-desk flag, once on,
goes off only when the backlog falls below (1 - exit_margin) x its threshold or the proactive
share rises above its threshold / (1 - exit_margin). Why: a phase describes a durable state of
the organisation; with heterogeneous staff, turnover and noisy adoption, a department hovering at
0.49-0.51 is noise, not a change of phase, and the confirmation delay alone let such brands flap
(3 -> 2 -> 3 within a month). Entries are not affected, so the day a phase is first reached does
not change; these are readings, no rule of the model depends on them.

Help-desk flag: customer service's backlog exceeds help_desk_backlog_days of its answering
capacity and its proactive share is below help_desk_proactive_share (both as moving averages
over help_desk_memory_days).

Maturity index: the mean adoption of the nine departments (0-1).

These functions sit on the agents' floor (brands call them every day); :mod:`simulation.metrics`
re-exports them for the reporters and for users.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .i18n import term
from .vocabulary import PHASES

if TYPE_CHECKING:
    from .agents.brands import Brand
    from .config import ClassifierConfig, OrganisationConfig

# Mid-sentence names ("social marketing"), translated where shown (simulation.i18n.TERMS).
PHASE_NAMES = {number: term("phase", number) for number in PHASES}


def classify_phase(brand: Brand, thresholds: ClassifierConfig,
                   organisation: OrganisationConfig) -> int:
    a = brand.adoption_by_department()
    recorded = int(getattr(brand, "phase", 1))  # 1 while the brand is being built
    keep = 1.0 - thresholds.exit_margin  # thresholds of the recorded phase, in its favour
    entry2 = thresholds.phase2_adoption * (keep if recorded >= 2 else 1.0)
    if max(a["marketing"], a["communication"]) < entry2:
        return 1
    ease3 = keep if recorded >= 3 else 1.0
    adopted = organisation.adopted_threshold * ease3
    others = [value for kind, value in a.items() if kind != "executive"]
    breadth = sum(value >= adopted for value in others) / len(others)
    if (breadth >= thresholds.phase3_breadth - 1e-9
            and brand.sponsorship >= thresholds.phase3_sponsorship * ease3
            and brand.integration >= thresholds.phase3_integration * ease3):
        return 3
    return 2


def is_help_desk(brand: Brand, thresholds: ClassifierConfig) -> bool:
    capacity = brand.output.answer_capacity if brand.output else 0.0
    keep = 1.0 - thresholds.exit_margin if getattr(brand, "help_desk", False) else 1.0
    swamped = brand.mean_backlog > thresholds.help_desk_backlog_days * keep * max(capacity, 1e-9)
    return bool(swamped and brand.proactive_share < thresholds.help_desk_proactive_share / keep)


def maturity_index(brand: Brand) -> float:
    return float(np.mean(list(brand.adoption_by_department().values())))
