"""Crisis reaction: how a crisis seen in the market wakes the organisation up.

Rules: each crisis level gained today raises executive awareness by crisis_awareness_boost x
the levels gained (other departments by crisis_boost_other_departments of it), and leaves
crisis_lesson_share of that as a lasting lesson (the baseline awareness rises too). The start,
each escalation, the brand's public response (calming, or backfiring as heavy-handed
moderation) and the end of a crisis are logged in words.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from ..i18n import msg, nmsg

if TYPE_CHECKING:
    from ..config import ScenarioConfig
    from ..exchange import MarketDay
    from .departments import Department
    from .state import Note


def react_to_crisis(departments: Mapping[str, Department], day: MarketDay,
                    cfg: ScenarioConfig, name: str) -> list[Note]:
    o = cfg.organisation
    wom = cfg.word_of_mouth
    notes: list[Note] = []
    if day.crisis_escalation:
        boost = wom.crisis_awareness_boost * day.crisis_escalation
        for kind, dep in departments.items():
            share = 1.0 if kind == "executive" else o.crisis_boost_other_departments
            dep.raise_awareness(boost * share, lasting=boost * share * o.crisis_lesson_share)
        level = day.crisis_level
        if day.crisis_started:
            text = nmsg("Crisis level {level} for {brand}: {n} person saw complaints "
                        "today. Executives wake up.",
                        "Crisis level {level} for {brand}: {n} people saw complaints "
                        "today. Executives wake up.", day.negative_exposures,
                        level=level, brand=name)
            notes.append(("crisis_start", f"L{level}", text))
        else:
            notes.append(("crisis_escalation", f"L{level}",
                          msg("The crisis at {brand} escalates to level {level}.",
                              brand=name, level=level)))
    if day.crisis_response:
        text = (msg("{brand} responds publicly to the crisis: the response backfires "
                    "(heavy-handed moderation).", brand=name)
                if day.crisis_response == "backfire" else
                msg("{brand} responds publicly to the crisis, which calms the spread.",
                    brand=name))
        notes.append(("crisis_response", day.crisis_response, text))
    if day.crisis_ended:
        notes.append(("crisis_end", "", msg("The crisis at {brand} is over.", brand=name)))
    return notes
