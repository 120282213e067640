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


def plural(count: int, one: str, many: str | None = None) -> str:
    """'1 lever change', '2 lever changes' (``many`` for irregular plurals: agency/agencies)."""
    return f"{count:,} {one if count == 1 else (many or one + 's')}"


def event_text(event: Any) -> str:
    """One logged event as a line for a hover box: who, then what."""
    who = f"{event.brand}: " if getattr(event, "brand", "") else ""
    return f"{who}{event.text}"
