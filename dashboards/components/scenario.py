"""Scenario picker (presets or a TOML file) and what the scenario is about (title, description,
trainer's narrative, references)."""

from __future__ import annotations

import functools
import tomllib

import solara

from simulation import list_scenarios
from simulation.i18n import Localized, _, format_number, format_percent, msg, ngettext

from .. import labels
from ..controller import Controller
from ..filepick import ScenarioFile, read_upload
from .common import Paragraphs, escape, html_table
from .frame import FrameHtml

UPLOADED = "(a file)"  # the select's value for a scenario that is not a preset


@functools.cache
def preset_title(name: str) -> Localized:
    """A preset's title as its file says it (both languages), read without loading it; the
    name if the file has none or cannot be read."""
    path = list_scenarios().get(name)
    try:
        with open(path, "rb") as handle:
            title = tomllib.load(handle).get("title")
    except (OSError, TypeError, tomllib.TOMLDecodeError):
        title = None
    return Localized(title) if title else Localized(name)


@solara.component
def ScenarioPicker(ctl: Controller):
    setup = ctl.setup.value
    presets = solara.use_memo(lambda: list(list_scenarios()), [])
    preset = getattr(setup.source, "kind", "") == "preset"
    current = setup.config.name if preset else UPLOADED
    path, set_path = solara.use_state("")

    def choose(name):
        if name in (UPLOADED, current):
            return
        ctl.pause()

        def action():
            ctl.session.load(name)
            ctl.publish()
        ctl.attempt(action, msg("Loaded the preset '{name}'.", name=preset_title(name)))

    def on_file(info):
        ctl.pause()
        name = str(info.get("name") or "")

        def action():
            ctl.session.load_toml_bytes(name, read_upload(info))
            ctl.publish()
        ctl.attempt(action, msg("Loaded {name}.", name=name))

    def open_path(text):
        set_path(text)
        if not text.strip():
            return
        ctl.pause()

        def action():
            ctl.session.load_path(text)
            ctl.publish()
        ctl.attempt(action, msg("Loaded {name}.", name=text.strip()))

    values = presets + ([UPLOADED] if current == UPLOADED else [])
    words = {UPLOADED: _("(a file)")}
    # A fixed largest width: the sidebar is as wide as its widest content, and a preset's title
    # (longer in French) would otherwise widen it over the charts; the title is ellipsed here.
    solara.Select(_("Scenario"), value=current, on_value=choose, values=labels.choices(
        values, lambda name: words.get(name) or preset_title(name)),
        style={"max-width": "340px"})
    with solara.Details(_("Open a scenario file (.toml)")):
        ScenarioFile(on_file, label=_("Drop a .toml scenario file here, or"),
                     pick_label=_("Choose a file…"))
        solara.InputText(_("…or type its path in a scenario folder of the server"), value=path,
                         on_value=open_path)


@solara.component
def ScenarioSummary(ctl: Controller):
    """Title, short description and size of the scenario (sidebar)."""
    setup = ctl.setup.value
    config = setup.config
    solara.HTML(tag="div", unsafe_innerHTML=f"<b>{escape(config.title or config.name)}</b>")
    if config.description:
        solara.Text(first_sentences(config.description, 320), classes=["socbiz-help"])
    parts = [ngettext("{n} brand", "{n} brands", len(config.brands)).format(
        n=len(config.brands))]
    if config.agencies:
        parts.append(ngettext("{n} agency", "{n} agencies", len(config.agencies)).format(
            n=len(config.agencies)))
    parts.append(ngettext("{n} customer", "{n} customers", config.market.n_customers).format(
        n=format_count(config.market.n_customers)))
    parts.append(ngettext("{n} day", "{n} days", config.horizon_days).format(
        n=format_number(config.horizon_days)))
    solara.Text(_("{parts}. Source: {source}.").format(parts=", ".join(parts),
                                                       source=setup.source),
                classes=["socbiz-help"])


def first_sentences(text: str, limit: int) -> str:
    """As many whole sentences as fit in ``limit`` characters (at least the first one): a
    description is never cut mid-sentence; the Scenario tab has the rest."""
    import re

    flat = " ".join(str(text).split())
    sentences = re.split(r"(?<=[.!?…])\s+", flat)
    kept = sentences[0]
    for sentence in sentences[1:]:
        if len(kept) + 1 + len(sentence) > limit:
            break
        kept += " " + sentence
    return kept


def format_count(n: int) -> str:
    from simulation.i18n import format_number

    return format_number(n)


def current_cue(config, day: int):
    """The latest narrative cue reached by ``day`` (or None)."""
    reached = [cue for cue in config.narrative if cue.day <= day]
    return reached[-1] if reached else None


def cue_html(snap) -> str:
    cue = current_cue(snap.config, snap.day)
    if cue is None:
        return ""
    upcoming = [c for c in snap.config.narrative if c.day > snap.day]
    nxt = (" " + escape(_("Next cue on day {day}.").format(day=upcoming[0].day))
           if upcoming else "")
    ask = (f" <b>{escape(_('Ask the room:'))}</b> {escape(cue.ask)}" if cue.ask else "")
    heading = escape(_("Trainer's cue (day {day}).").format(day=cue.day))
    watch = escape(_("Watch: {watch}").format(watch=cue.watch))
    return (f"<div class='socbiz-cue'><b>{heading}</b> {watch}{ask}"
            f"<span class='socbiz-help'>{nxt}</span></div>")


@solara.component
def CueBanner(ctl: Controller):
    """The trainer's cue for where the run is now (follows every frame)."""
    FrameHtml(ctl, "cue", cue_html)


@solara.component
def ScenarioDetails(ctl: Controller):
    """Everything about the scenario: description, narrative, timeline, brands, references."""
    snap = ctl.snap.value
    config = snap.config
    solara.HTML(tag="h2", unsafe_innerHTML=escape(config.title or config.name))
    solara.Text(_("Source: {source}. Seed {seed}.").format(source=snap.source, seed=snap.seed),
                classes=["socbiz-help"])
    if config.description:
        Paragraphs(config.description)
    if config.narrative:
        solara.HTML(tag="h3", unsafe_innerHTML=escape(_("Narrative for trainers")))
        rows = [[f"{cue.day}{' ✔' if cue.day <= snap.day else ''}", cue.watch, cue.ask]
                for cue in config.narrative]
        solara.HTML(tag="div", unsafe_innerHTML=html_table(
            [_("day"), _("what to watch"), _("ask the room")], rows, ("socbiz-narrative",),
            (0,)))
    solara.HTML(tag="h3", unsafe_innerHTML=escape(_("Brands")))
    rows = []
    for name, brand in config.brands.items():
        mix = (labels.mix(brand.content.mix) if isinstance(brand.content.mix, str)
               else _("custom"))
        rows.append([name, format_percent(brand.market_share, 0),
                     format_number(brand.content.posts_per_day), mix,
                     format_percent(brand.content.push_share, 0),
                     labels.organisational_model(brand.organisational_model),
                     ", ".join(brand.agencies) or "—",
                     format_percent(brand.listening_coverage, 0),
                     format_percent(brand.crm_integration, 0)])
    solara.HTML(tag="div", unsafe_innerHTML=html_table(
        [_("brand"), _("market share"), _("posts/day"), _("content mix"), _("push share"),
         _("organisation"), _("agencies"), _("listening"), _("social CRM")], rows,
        numeric=(1, 2, 4, 7, 8)))
    if config.timeline:
        solara.HTML(tag="h3", unsafe_innerHTML=escape(_("Scheduled events")))
        solara.HTML(tag="div", unsafe_innerHTML=html_table(
            [_("day"), _("brand"), _("event"), _("details")],
            [[e.day, e.brand, labels.intervention(e.kind), event_details(e)]
             for e in config.timeline],
            numeric=(0,)))
    if snap.overrides:
        solara.HTML(tag="h3", unsafe_innerHTML=escape(_("Levers you changed")))
        solara.HTML(tag="div", unsafe_innerHTML=html_table(
            [_("scenario value"), _("now")],
            [[k, v] for k, v in sorted(snap.overrides.items())]))
    if config.references:
        solara.HTML(tag="h3", unsafe_innerHTML=escape(_("References")))
        solara.HTML(tag="ul", unsafe_innerHTML="".join(
            f"<li>{escape(ref)}</li>" for ref in config.references))


def event_details(event) -> str:
    """The parameters of a scheduled event, in words: 'Departments HR, PR; Coverage 0.6' (the
    fields' labels of the intervention form, the values' labels of the vocabulary)."""
    import dataclasses

    from ..levers import label_of

    parts = []
    for spec in dataclasses.fields(event):
        value = getattr(event, spec.name)
        if spec.name in ("day", "brand") or value in (None, "", ()):
            continue
        term = labels.FIELD_TERMS.get(spec.name)

        def word(v, term=term):
            if isinstance(v, bool):
                return _("yes") if v else _("no")
            if isinstance(v, int | float):
                return format_number(v)
            return str(term(v)) if term else str(v)

        if isinstance(value, tuple | list):
            value = ", ".join(word(v) for v in value)
        elif isinstance(value, dict):
            value = ", ".join(f"{labels.content_type(k)} {word(v)}"
                              for k, v in value.items())
        else:
            value = word(value)
        parts.append(_("{field} {value}").format(field=label_of(spec.name), value=value))
    return "; ".join(parts)
