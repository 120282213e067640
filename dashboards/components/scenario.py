"""Scenario picker (presets or a TOML file) and what the scenario is about (title, description,
trainer's narrative, references)."""

from __future__ import annotations

import solara

from simulation import list_scenarios
from simulation.i18n import _, ngettext

from ..controller import Controller
from ..filepick import ScenarioFile, read_upload
from .choices import ChoiceSelect, preset_titles
from .common import Paragraphs, escape, html_table

UPLOADED = "(a file)"


@solara.component
def ScenarioPicker(ctl: Controller):
    setup = ctl.setup.value
    presets = solara.use_memo(lambda: list(list_scenarios()), [])
    titles = solara.use_memo(lambda: preset_titles(presets), [])
    current = setup.config.name if setup.source.startswith("preset") else UPLOADED
    path, set_path = solara.use_state("")

    def choose(name):
        if name in (UPLOADED, current):
            return
        ctl.pause()

        def action():
            ctl.session.load(name)
            ctl.publish()
        ctl.attempt(action, _("Loaded the preset '{name}'.").format(name=name))

    def on_file(info):
        ctl.pause()
        name = str(info.get("name") or "")

        def action():
            ctl.session.load_toml_bytes(name, read_upload(info))
            ctl.publish()
        ctl.attempt(action, _("Loaded {name}.").format(name=name))

    def open_path(text):
        set_path(text)
        if not text.strip():
            return
        ctl.pause()

        def action():
            ctl.session.load_path(text)
            ctl.publish()
        ctl.attempt(action, _("Loaded {name}.").format(name=text.strip()))

    values = presets + ([UPLOADED] if current == UPLOADED else [])
    ChoiceSelect("Scenario", value=current, choices=values, on_value=choose,
                 names={**titles, UPLOADED: UPLOADED})
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
        n=config.horizon_days))
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
    nxt = f" Next cue on day {upcoming[0].day}." if upcoming else ""
    ask = f" <b>Ask the room:</b> {escape(cue.ask)}" if cue.ask else ""
    return (f"<div class='socbiz-cue'><b>Trainer's cue (day {cue.day}).</b> Watch: "
            f"{escape(cue.watch)}{ask}<span class='socbiz-help'>{nxt}</span></div>")


@solara.component
def CueBanner(ctl: Controller):
    """The trainer's cue for where the run is now (follows every frame)."""
    from .live import FrameHtml

    FrameHtml(ctl, "cue", cue_html)


@solara.component
def ScenarioDetails(ctl: Controller):
    """Everything about the scenario: description, narrative, timeline, brands, references."""
    snap = ctl.snap.value
    config = snap.config
    solara.HTML(tag="h2", unsafe_innerHTML=escape(config.title or config.name))
    solara.Text(f"Source: {snap.source}. Seed {snap.seed}.", classes=["socbiz-help"])
    if config.description:
        Paragraphs(config.description)
    if config.narrative:
        solara.HTML(tag="h3", unsafe_innerHTML="Narrative for trainers")
        rows = [[f"{cue.day}{' ✔' if cue.day <= snap.day else ''}", cue.watch, cue.ask]
                for cue in config.narrative]
        solara.HTML(tag="div", unsafe_innerHTML=html_table(
            ["day", "what to watch", "ask the room"], rows, ("socbiz-narrative",), (0,)))
    solara.HTML(tag="h3", unsafe_innerHTML="Brands")
    rows = []
    for name, brand in config.brands.items():
        mix = brand.content.mix if isinstance(brand.content.mix, str) else "custom"
        rows.append([name, f"{brand.market_share:.0%}", f"{brand.content.posts_per_day:g}", mix,
                     f"{brand.content.push_share:.0%}",
                     brand.organisational_model.replace("_", " "),
                     ", ".join(brand.agencies) or "—", f"{brand.listening_coverage:.0%}",
                     f"{brand.crm_integration:.0%}"])
    solara.HTML(tag="div", unsafe_innerHTML=html_table(
        ["brand", "market share", "posts/day", "content mix", "push share", "organisation",
         "agencies", "listening", "social CRM"], rows, numeric=(1, 2, 4, 7, 8)))
    if config.timeline:
        solara.HTML(tag="h3", unsafe_innerHTML="Scheduled events")
        solara.HTML(tag="div", unsafe_innerHTML=html_table(
            ["day", "brand", "event", "details"],
            [[e.day, e.brand, e.label or e.kind, event_details(e)] for e in config.timeline],
            numeric=(0,)))
    if snap.overrides:
        solara.HTML(tag="h3", unsafe_innerHTML="Levers you changed")
        solara.HTML(tag="div", unsafe_innerHTML=html_table(
            ["scenario value", "now"], [[k, v] for k, v in sorted(snap.overrides.items())]))
    if config.references:
        solara.HTML(tag="h3", unsafe_innerHTML="References")
        solara.HTML(tag="ul", unsafe_innerHTML="".join(
            f"<li>{escape(ref)}</li>" for ref in config.references))


def event_details(event) -> str:
    """The parameters of a scheduled event, in words: 'departments hr, pr; coverage 0.6'."""
    import dataclasses

    parts = []
    for spec in dataclasses.fields(event):
        value = getattr(event, spec.name)
        if spec.name in ("day", "brand") or value in (None, "", ()):
            continue
        if isinstance(value, tuple | list):
            value = ", ".join(str(v).replace("_", " ") for v in value)
        elif isinstance(value, dict):
            value = ", ".join(f"{k} {v:g}" for k, v in value.items())
        elif isinstance(value, str):
            value = value.replace("_", " ")
        parts.append(f"{spec.name.replace('_', ' ')} {value}")
    return "; ".join(parts)
