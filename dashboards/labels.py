"""Human labels for what the dashboard shows (no internal ids on screen).

The words come from :mod:`simulation.vocabulary` when it is there (the one table of names of
the domain); until then, the id made readable. Every user-facing label of the dashboard passes
through here, which is also the hook for the language switch (issue 15): a translation only has
to replace these functions' tables.
"""

from __future__ import annotations

from typing import Any

try:  # the vocabulary module (arch helper, issue 9)
    from simulation import vocabulary as _vocabulary
except ImportError:  # pragma: no cover - before it lands
    _vocabulary = None


def _label(table_name: str, term_id: str) -> str:
    table = getattr(_vocabulary, table_name, None) if _vocabulary is not None else None
    if table is not None:
        return _vocabulary.label_of(table, term_id)
    return str(term_id).replace("_", " ")


def department(kind: str) -> str:
    return _label("DEPARTMENT_TERMS", kind)


def organisational_model(model_id: str) -> str:
    return _label("ORGANISATIONAL_MODEL_TERMS", model_id)


def network(network_id: str) -> str:
    return _label("NETWORK_TERMS", network_id)


def intervention(kind: str) -> str:
    return _label("INTERVENTION_TERMS", kind)


# The vocabulary tables a set of choices can come from, tried in this order (an id such as
# customer_service is both a department and a content type, with the same label).
CHOICE_TABLES = ("DEPARTMENT_TERMS", "ORGANISATIONAL_MODEL_TERMS", "NETWORK_TERMS", "MIX_TERMS",
                 "CRISIS_CAUSE_TERMS", "INTERVENTION_TERMS", "CONTENT_TYPE_TERMS",
                 "PHASE_TERMS")


def choice_labels(choices) -> dict[str, str]:
    """Id → label for the values of a select: from the vocabulary table that holds the most
    of the choices (the first one on a tie); values that are not terms there (brands,
    agencies, "custom") stay as they are."""
    wanted = [str(c) for c in choices if str(c)]
    best, covered = None, 0
    for name in CHOICE_TABLES if _vocabulary is not None else ():
        table = getattr(_vocabulary, name, None)
        n = sum(c in table for c in wanted) if table is not None else 0
        if n > covered:
            best, covered = table, n
    return {c: str(_vocabulary.label_of(best, c)) if best is not None and c in best else c
            for c in wanted}


def plural(count: int, one: str, many: str | None = None) -> str:
    """'1 lever change', '2 lever changes' (``many`` for irregular plurals: agency/agencies)."""
    return f"{count:,} {one if count == 1 else (many or one + 's')}"


def event_text(event: Any) -> str:
    """One logged event as a line for a hover box: who, then what."""
    who = f"{event.brand}: " if getattr(event, "brand", "") else ""
    return f"{who}{event.text}"
