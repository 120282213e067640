"""The event log in plain language, newest first, with the day of each line."""

from __future__ import annotations

import pandas as pd
import solara

from simulation.i18n import _, _l, current_language, format_number, ngettext

from .. import labels
from .common import escape
from .frame import FrameHtml

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
FILTERS = {  # filter id -> the families it shows (None: all)
    "all": None,
    "interventions": {"intervention"},
    "crises": {"crisis"},
    "phases": {"phase"},
}
FILTER_LABELS = {
    "all": _l("Everything"),
    "interventions": _l("Interventions"),
    "crises": _l("Crises"),
    "phases": _l("Phase changes"),
}
ALL_BRANDS = ""  # the brand select's value for every brand
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
        f"<div class='socbiz-event {family}'>"
        f"<span class='when'>{escape(_('Day {day}').format(day=day))}</span>"
        + (f"<span class='who'>{escape(brand)}</span> · " if brand else "")
        + f"{escape(text)}</div>"
        for day, brand, family, text in lines)


def log_panel_html(snap, families, brand) -> str:
    total = snap.n_events
    if not total:
        return f"<div class='socbiz-help'>{escape(nothing_yet())}</div>"
    lines = log_lines(snap.history.events[:total], families, brand)
    return (f"<div class='socbiz-help'>{escape(count_text(total))}</div>"
            f"<div class='socbiz-log'>{log_html(lines)}</div>")


def count_text(total: int) -> str:
    return ngettext("{n} event so far, newest first.", "{n} events so far, newest first.",
                    total).format(n=format_number(total))


def nothing_yet() -> str:
    return _("Nothing has happened yet: press Play or Step, or make an intervention.")


@solara.component
def Filters(chosen: str, set_chosen, brand: str, set_brand, brands: list[str]):
    """The two selects above a log: which events, which brand (ids kept, labels shown)."""
    with solara.Row(gap="6px"):
        solara.Select(_("Show"), value=chosen, on_value=set_chosen, dense=True,
                      values=labels.choices(FILTERS, FILTER_LABELS.get))
        brand_items = [{"text": _("All brands"), "value": ALL_BRANDS},
                       *labels.choices(brands)]
        solara.Select(_("Brand"), value=brand, values=brand_items, on_value=set_brand,
                      dense=True)


@solara.component
def EventLog(events: pd.DataFrame, brands: list[str], version: int = 0):
    """Newest first; filter by kind and brand (a static log, e.g. on the /mesa page)."""
    chosen, set_chosen = solara.use_state("all")
    brand, set_brand = solara.use_state(ALL_BRANDS)
    lines = solara.use_memo(
        lambda: log_lines(events, FILTERS.get(chosen), brand or None),
        [version, chosen, brand, len(events)])
    Filters(chosen, set_chosen, brand, set_brand, brands)
    total = len(events) if events is not None else 0
    solara.Text(count_text(total) if total else nothing_yet(), classes=["socbiz-help"])
    if lines:
        solara.HTML(tag="div", classes=["socbiz-log"], unsafe_innerHTML=log_html(lines))


@solara.component
def LiveEventLog(ctl, brands: list[str]):
    """Newest first; filter by kind and brand. A trainer can read it aloud. Follows every
    frame while playing (no page render)."""

    chosen, set_chosen = solara.use_state("all")
    brand, set_brand = solara.use_state(ALL_BRANDS)
    Filters(chosen, set_chosen, brand, set_brand, brands)
    families = FILTERS.get(chosen)
    who = brand or None
    lang = current_language()  # the lines are written in the tab's language: a switch redraws
    cache = {}

    def html(snap):
        key = (id(snap.history), snap.n_events, lang)
        if key not in cache:
            cache.clear()
            cache[key] = log_panel_html(snap, families, who)
        return cache[key]

    FrameHtml(ctl, f"log-{chosen}-{brand}-{lang}", html)
