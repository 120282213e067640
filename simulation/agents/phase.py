"""Phase and help-desk flag: how a brand's confirmed phase follows its daily reading.

Rules: the raw phase is :func:`simulation.classifier.classify_phase` and the raw flag
:func:`simulation.classifier.is_help_desk`, read every day; a new phase, or a change of the
flag, is recorded (and logged) once it has held confirm_days days in a row (:class:`Confirmed`),
so a brand hovering at a threshold does not flicker between two phases.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..classifier import classify_phase, is_help_desk
from ..i18n import Number, Percent, msg, term

if TYPE_CHECKING:
    from ..config import ScenarioConfig
    from .brands import Brand
    from .state import BrandState, Note


class Confirmed:
    """A state that changes only after its new value has held ``days`` days in a row."""

    def __init__(self, value, days: int):
        self.value = value
        self.days = days
        self._candidate = value
        self._held = 0

    def update(self, candidate) -> bool:
        """Feed today's raw value; True when the confirmed value changes today."""
        if candidate == self.value:
            self._held = 0
            return False
        self._held = self._held + 1 if candidate == self._candidate else 1
        self._candidate = candidate
        if self._held >= self.days:
            self.value, self._held = candidate, 0
            return True
        return False


def start_phase(state: BrandState, brand: Brand, cfg: ScenarioConfig) -> None:
    """The confirmed phase and flag of day 0: the brand's raw reading, not yet a help desk."""
    confirm = cfg.classifier.confirm_days
    state.phase = Confirmed(classify_phase(brand, cfg.classifier, cfg.organisation), confirm)
    state.help_desk = Confirmed(False, confirm)


def update_phase(state: BrandState, brand: Brand, cfg: ScenarioConfig) -> list[Note]:
    """Feed today's raw phase and flag (``brand`` is read as the classifier's view of it)."""
    notes: list[Note] = []
    old = state.phase.value
    if state.phase.update(classify_phase(brand, cfg.classifier, cfg.organisation)):
        new = state.phase.value
        notes.append(("phase_change", f"{old}->{new}",
                      msg("{brand} moves from phase {old} ({old_name}) to phase {new} "
                          "({new_name}).", brand=brand.name, old=old,
                          old_name=term("phase", old), new=new,
                          new_name=term("phase", new))))
    if state.help_desk.update(is_help_desk(brand, cfg.classifier)):
        if state.help_desk.value:
            waiting = state.mean_backlog * cfg.market.people_per_customer
            text = msg("{brand}'s customer service has become a help desk: about "
                       "{waiting} requests wait and only {share} of its time is left for "
                       "proactive work.", brand=brand.name, waiting=Number(waiting, 0),
                       share=Percent(state.proactive_share))
        else:
            text = msg("{brand}'s customer service has time for proactive work again.",
                       brand=brand.name)
        notes.append(("help_desk", "entered" if state.help_desk.value else "left", text))
    return notes
