"""The event log in plain language, newest first, with the day of each line."""

from __future__ import annotations

import pandas as pd
import solara

from .common import escape

# Event kinds -> the family used for colours and filters.
FAMILIES = {
    "intervention": "intervention",
    "crisis_injected": "crisis",
    "crisis_start": "crisis",
    "crisis_escalation": "crisis",
    "crisis_response": "crisis",
    "crisis_end": "crisis",
    "phase_change": "phase",
    "help_desk": "notice",
    "budget_exhausted": "notice",
    "agency_dropped": "notice",
}
FILTERS = {
    "Everything": None,
    "Interventions": {"intervention"},
    "Crises": {"crisis"},
    "Phase changes": {"phase"},
}
MAX_LINES = 300


def family_of(kind: str) -> str:
    if kind in FAMILIES:
        return FAMILIES[kind]
    return "crisis" if kind.startswith("crisis") else "other"


def log_lines(events, families: set[str] | None = None, brand: str | None = None,
              limit: int = MAX_LINES) -> list[tuple[int, str, str, str]]:
    """(day, brand, family, text) newest first, filtered. ``events``: a data frame of the log,
    or a sequence of logged events."""
    if events is None or not len(events):
        return []
    if isinstance(events, pd.DataFrame):
        rows = events.iloc[::-1]
        items = zip(rows["day"], rows["brand"], rows["kind"], rows["text"], strict=True)
    else:
        items = ((e.day, e.brand, e.kind, e.text) for e in reversed(events))
    out = []
    for day, who, kind, text in items:
        family = family_of(str(kind))
        if families is not None and family not in families:
            continue
        if brand and who != brand:
            continue
        out.append((int(day), str(who), family, str(text)))
        if len(out) >= limit:
            break
    return out


def log_html(lines) -> str:
    return "".join(
        f"<div class='socbiz-event {family}'><span class='when'>Day {day}</span>"
        + (f"<span class='who'>{escape(brand)}</span> · " if brand else "")
        + f"{escape(text)}</div>"
        for day, brand, family, text in lines)


def log_panel_html(snap, families, brand) -> str:
    total = snap.n_events
    if not total:
        return ("<div class='socbiz-help'>Nothing has happened yet: press Play or Step, or make "
                "an intervention.</div>")
    lines = log_lines(snap.history.events[:total], families, brand)
    count = f"{total:,} event{'s' if total != 1 else ''} so far, newest first."
    return (f"<div class='socbiz-help'>{count}</div>"
            f"<div class='socbiz-log'>{log_html(lines)}</div>")


@solara.component
def EventLog(events: pd.DataFrame, brands: list[str], version: int = 0):
    """Newest first; filter by kind and brand (a static log, e.g. on the /mesa page)."""
    chosen, set_chosen = solara.use_state("Everything")
    brand, set_brand = solara.use_state("All brands")
    lines = solara.use_memo(
        lambda: log_lines(events, FILTERS.get(chosen), None if brand == "All brands" else brand),
        [version, chosen, brand, len(events)])
    with solara.Row(gap="6px"):
        solara.Select("Show", value=chosen, values=list(FILTERS), on_value=set_chosen,
                      dense=True)
        solara.Select("Brand", value=brand, values=["All brands", *brands], on_value=set_brand,
                      dense=True)
    total = len(events) if events is not None else 0
    solara.Text(f"{total:,} event{'s' if total != 1 else ''} so far, newest first." if total
                else "Nothing has happened yet: press Play or Step, or make an intervention.",
                classes=["socbiz-help"])
    if lines:
        solara.HTML(tag="div", classes=["socbiz-log"], unsafe_innerHTML=log_html(lines))


@solara.component
def LiveEventLog(ctl, brands: list[str]):
    """Newest first; filter by kind and brand. A trainer can read it aloud. Follows every
    frame while playing (no page render)."""
    from .live import FrameHtml

    chosen, set_chosen = solara.use_state("Everything")
    brand, set_brand = solara.use_state("All brands")
    with solara.Row(gap="6px"):
        solara.Select("Show", value=chosen, values=list(FILTERS), on_value=set_chosen,
                      dense=True)
        solara.Select("Brand", value=brand, values=["All brands", *brands], on_value=set_brand,
                      dense=True)
    families = FILTERS.get(chosen)
    who = None if brand == "All brands" else brand
    cache = {}

    def html(snap):
        key = (id(snap.history), snap.n_events)
        if key not in cache:
            cache.clear()
            cache[key] = log_panel_html(snap, families, who)
        return cache[key]

    FrameHtml(ctl, f"log-{chosen}-{brand}", html)
