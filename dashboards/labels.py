"""Human labels for what the dashboard shows (no internal ids on screen).

The words come from :mod:`simulation.vocabulary` (the one table of names of the domain, whose
labels are lazy strings of the catalogue, so they read in the tab's language); an id it does not
know is shown made readable. Every select of the dashboard that chooses an id (a department, an
organisational model, a content mix ...) shows these labels and keeps the id as its value
(:func:`choices`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from simulation import vocabulary as _vocabulary


def _label(table_name: str, term_id: str) -> str:
    table = getattr(_vocabulary, table_name, None)
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


def mix(name: str) -> str:
    return _label("MIX_TERMS", name)


def content_type(type_id: str) -> str:
    return _label("CONTENT_TYPE_TERMS", type_id)


def crisis_cause(cause: str) -> str:
    return _label("CRISIS_CAUSE_TERMS", cause)


def phase(number: int) -> str:
    return _label("PHASE_TERMS", str(number))


# What a select offers for the ids of a field (the field's name: its table of labels).
FIELD_TERMS: dict[str, Callable[[str], Any]] = {
    "department": department, "departments": department, "hub_department": department,
    "organisational_model": organisational_model, "network": network, "mix": mix,
    "cause": crisis_cause,
}


def choices(ids: Iterable[str], label: Callable[[str], Any] | None = None) -> list[dict]:
    """Items of a select: each id as its value, its label (in the tab's language) as its text.

    (``solara.Select`` hands ``values`` to Vuetify as its items: ``{"text", "value"}`` pairs show
    the text and keep the value.) An empty id is shown as an em dash.
    """
    items = []
    for term_id in ids:
        text = str(label(term_id)) if label is not None and term_id else (term_id or "—")
        items.append({"text": text, "value": term_id})
    return items


def event_text(event: Any) -> str:
    """One logged event as a line for a hover box: who, then what."""
    who = f"{event.brand}: " if getattr(event, "brand", "") else ""
    return f"{who}{event.text}"
