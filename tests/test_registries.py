"""Every registry is walked: each entry must appear everywhere it has to, or a test fails.

Declare once, derive everywhere: an extension point (intervention kind, chart, lever, run
output, validation pattern) is declared in one registry, and every consumer derives from it.
This file holds one *walk* per registry: a list of entries and a set of named *checks*, each a
function ``check(entry_id, entry)`` that raises (an ``assert``) when the entry is missing from
one place it must appear. pytest runs every check on every entry, so a failure names the
registry, the entry and the place: ``test_registry[interventions-crisis-odd_table]``.

To add a walk (see the README's "contributing" section): write a
function returning ``{entry_id: entry}`` and the checks, then call :func:`register_walk` at
module level, next to the others below.
"""

from __future__ import annotations

import functools
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pytest
import tomli_w

Check = Callable[[str, Any], None]


@dataclass(frozen=True)
class Walk:
    """One registry: ``entries()`` gives ``{id: entry}``; each check must pass for each entry."""

    name: str
    entries: Callable[[], Mapping[str, Any]]
    checks: Mapping[str, Check] = field(default_factory=dict)


WALKS: dict[str, Walk] = {}


def register_walk(name: str, entries: Callable[[], Mapping[str, Any]],
                  checks: Mapping[str, Check]) -> Walk:
    """Add a registry walk; ``name`` appears in the test ids."""
    if name in WALKS:
        raise ValueError(f"a walk named {name!r} is already registered")
    if not checks:
        raise ValueError(f"walk {name!r}: give at least one check")
    walk = Walk(name, entries, dict(checks))
    WALKS[name] = walk
    return walk


def _cases():
    for walk in WALKS.values():
        entries = walk.entries()
        if not entries:
            yield pytest.param(walk, None, None, id=f"{walk.name}-EMPTY")
        for entry_id in entries:
            for check_name in walk.checks:
                yield pytest.param(walk, entry_id, check_name,
                                   id=f"{walk.name}-{entry_id}-{check_name}")


# ============================================================================================
# Interventions (simulation.events.REGISTRY)


def _interventions():
    from simulation.events import REGISTRY

    return REGISTRY


def _lab_scenario(timeline=()) -> dict:
    # Two agencies so that an agency switch has something to end and to sign; a tiny market.
    return {
        "name": "registry-walk",
        "horizon_days": 10,
        "market": {"n_customers": 200, "sample_size": 0, "mean_degree": 6},
        "brands": {"acme": {"agencies": ["old"]}},
        "agencies": {"old": {}, "new": {}},
        "timeline": list(timeline),
    }


def _example(entry) -> dict:
    data = entry.example(brand="acme", day=2)
    if entry.choices_from.get("agency") == "agencies":
        data["agency"] = "new"
    return data


def _check_loads_from_toml(kind, entry):
    from simulation import load_scenario

    text = tomli_w.dumps(_lab_scenario([_example(entry)]))
    config = load_scenario(tomllib.loads(text))
    (event,) = config.timeline
    assert type(event) is entry.cls, f"{kind}: a [[timeline]] entry loads as {type(event)}"
    assert event.day == 2 and event.brand == "acme"
    # and it writes back to the same table
    assert load_scenario(config.to_dict()).timeline == config.timeline


def _check_applies_on_a_model(kind, entry):
    from simulation import SocialBusinessModel

    model = SocialBusinessModel(_lab_scenario(), rng=3)
    model.step()
    before = len(model.log_book)
    data = {k: v for k, v in _example(entry).items() if k != "day"}
    text = model.apply(data)
    assert isinstance(text, str) and text.strip(), f"{kind}: the handler returned no sentence"
    logged = model.log_book.events[before:]
    assert [(e.kind, e.cause) for e in logged][:1] == [(entry.log_kind, kind)], logged
    assert type(model.applied[-1]) is entry.cls
    model.step()  # the model still runs after it


def _check_has_a_handler(kind, entry):
    from simulation.model import HANDLERS

    assert entry.cls in HANDLERS or entry.handler is not None, (
        f"{kind}: give handler= to its @intervention (or add {entry.cls.__name__} to "
        "simulation.model.HANDLERS)")


def _check_has_a_label(kind, entry):
    from simulation.vocabulary import INTERVENTION_TERMS

    assert kind in INTERVENTION_TERMS, f"{kind}: add a Term to vocabulary.INTERVENTION_TERMS"
    assert entry.label and entry.label != kind, f"{kind}: needs a human label"
    assert entry.help, f"{kind}: needs a help text"
    assert entry.cls.kind == kind and entry.cls.label == entry.label
    for f in entry.fields:
        assert f.help, f"{kind}.{f.name}: the param() needs a help text"


def _check_odd_table(kind, entry):
    from simulation.docs import ODD_PATH

    if "odd" not in entry.surfaces:
        return
    text = ODD_PATH.read_text(encoding="utf-8")
    assert f"| `{kind}` | {entry.label} |" in text, (
        f"{kind} is not in the ODD's intervention-kind table: run `python -m simulation.docs`")
    for f in entry.fields:
        assert f"| `timeline.{kind}.{f.name}` |" in text, f"timeline.{kind}.{f.name} not in ODD"


def _check_cli_help(kind, entry):
    from simulation.cli import build_parser

    if "cli" not in entry.surfaces:
        return
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    assert f"\n  {kind} ({entry.label}):" in sub.choices["scenarios"].format_help()


def _check_dashboard_form(kind, entry):
    pytest.importorskip("solara")
    from dashboards.levers import build_request, intervention_defaults, intervention_specs

    if "live" not in entry.surfaces:
        return
    specs = intervention_specs(kind, ("old", "new"))
    assert [s.name for s in specs] == [f.name for f in entry.fields]
    values = {name: (value if isinstance(value, list) else
                     "" if value is None else str(value))
              for name, value in intervention_defaults(kind).items()}
    request = build_request(kind, "acme", values, ("old", "new"))
    assert request["kind"] == kind


def _check_choices(kind, entry):
    for f in entry.fields:
        if f.choices_from is None:
            continue
        choices = entry.choices(f.name, ("old",))
        assert choices, f"{kind}.{f.name}: no choices from {f.choices_from!r}"
        for value in choices:
            if value:
                assert entry.choice_label(f.name, value), (kind, f.name, value)


register_walk("interventions", _interventions, {
    "loads_from_toml": _check_loads_from_toml,
    "applies": _check_applies_on_a_model,
    "handler": _check_has_a_handler,
    "label": _check_has_a_label,
    "odd_table": _check_odd_table,
    "cli_help": _check_cli_help,
    "dashboard_form": _check_dashboard_form,
    "choices": _check_choices,
})


# ============================================================================================
# Vocabulary: every term has a label that is not its id, and a help text where users see it.


def _vocabulary():
    from simulation.vocabulary import VOCABULARY

    return {f"{table}.{term_id}": term for table, terms in VOCABULARY.items()
            for term_id, term in terms.items()}


def _check_term_label(term_id, term):
    assert term.label.strip(), f"{term_id}: empty label"
    assert "_" not in term.label, f"{term_id}: the label {term.label!r} looks like an id"


def _check_crisis_cause(term_id, term):
    from simulation.vocabulary import SEEDING_RULES, CrisisCause

    if isinstance(term, CrisisCause):
        assert term.sentence, f"{term_id}: needs the sentence of its log line"
        assert term.seeding in SEEDING_RULES, f"{term_id}: unknown seeding rule {term.seeding}"


def _check_intervention_term_is_declared(term_id, term):
    from simulation.events import REGISTRY

    table, _, kind = term_id.partition(".")
    if table == "intervention":
        assert kind in REGISTRY, (f"{kind}: a vocabulary term with no intervention class; "
                                  "declare it with @intervention in simulation/events.py")


register_walk("vocabulary", _vocabulary, {
    "label": _check_term_label,
    "crisis_cause": _check_crisis_cause,
    "intervention_declared": _check_intervention_term_is_declared,
})


# ============================================================================================
# Dashboard levers (dashboards.levers.LEVERS): the main page's panels and /mesa derive from it.


def _levers():
    pytest.importorskip("solara")
    from dashboards.levers import LEVERS

    return {lever.key: lever for lever in LEVERS}


def _lever_field(lever):
    from simulation import load_scenario

    config = load_scenario(_lab_scenario())
    brand, agency = next(iter(config.brands)), next(iter(config.agencies))
    return lever.field(config, brand=brand, department="hr", agency=agency)


def _check_lever_is_a_declared_param(key, lever):
    from dashboards.levers import resolve

    _kind, meta = resolve(key)  # raises if the key is not a field of the scenario
    assert meta.get("help"), f"{key}: its param() has no help text to show"


def _check_lever_label(key, lever):
    assert lever.label.strip() and "_" not in lever.label, f"{key}: label {lever.label!r}"


def _check_lever_on_the_main_page(key, lever):
    from dashboards.levers import GROUPS, LEVER_GROUPS

    assert lever.group in dict(GROUPS), f"{key}: unknown group {lever.group!r}"
    panel = next(keys for group, _d, keys in LEVER_GROUPS if group == lever.group)
    assert key in panel, f"{key}: missing from the {lever.group!r} panel"
    field = _lever_field(lever)
    assert field.label == lever.label and field.help, key
    if field.kind in ("int", "float"):
        assert field.allowed, f"{key}: a number with no allowed range shown"


def _check_lever_value_round_trips(key, lever):
    """The value the main page shows is read back as the same number, in French too."""
    from dashboards.levers import format_value, parse_number
    from simulation import load_scenario

    field = _lever_field(lever)
    if field.kind not in ("int", "float"):
        return
    value: Any = load_scenario(_lab_scenario()).to_dict()
    for part in field.key.split("."):
        value = value[part]
    for lang in ("en", "fr"):
        assert parse_number(format_value(value), field, lang=lang) == pytest.approx(value)


def _check_lever_on_mesa(key, lever):
    from dashboards.levers import check_range

    if not lever.mesa:
        assert not lever.mesa_choices, f"{key}: choices for /mesa but no widget name"
        return
    import inspect

    from dashboards.mesa_view import MesaDashboardModel, format_choice, model_params, parse_choice

    params = model_params()
    assert lever.mesa in params, f"{key}: /mesa offers no widget {lever.mesa!r}"
    assert lever.mesa in inspect.signature(MesaDashboardModel).parameters, (
        f"{key}: Reset could not pass {lever.mesa!r} to the model")
    assert lever.mesa_choices, f"{key}: /mesa needs the values to offer"
    field = _lever_field(lever)
    # The select's items: {"text": shown in the tab's language, "value": what Reset passes}.
    offered = [item["value"] if isinstance(item, dict) else item
               for item in params[lever.mesa]["values"]]
    for choice in lever.mesa_choices:
        assert format_choice(choice) in offered
        number = parse_choice(format_choice(choice), lever)
        assert number == pytest.approx(choice)
        check_range(number, field)  # raises if /mesa offers a value the scenario refuses


register_walk("levers", _levers, {
    "declared_param": _check_lever_is_a_declared_param,
    "label": _check_lever_label,
    "main_page": _check_lever_on_the_main_page,
    "round_trip": _check_lever_value_round_trips,
    "mesa": _check_lever_on_mesa,
})


# ============================================================================================
# Run outputs: the reducers of a run (simulation.experiments.outputs.REDUCERS) and the daily
# reporters (simulation.metrics) they reduce.


def _reducers():
    from simulation.experiments.outputs import REDUCERS

    return REDUCERS


def _check_reducer_reduces_a_run(name, reducer):
    import numpy as np
    import pandas as pd

    from simulation.experiments.outputs import OutputDefinition, build_output, reduce_outputs

    series = pd.DataFrame({"day": [0, 1, 2, 3], "brand": ["acme"] * 4,
                           "followers": [1.0, 2.0, 3.0, 5.0]})
    definition = OutputDefinition(name="x", metric="followers", reduce=name,
                                  condition="followers >= 3" if reducer.needs_condition else "")
    output = build_output(definition, ["followers"])
    value = reduce_outputs(series, [output], None)["acme"]["x"]
    assert np.isfinite(value), f"{name}: reduced to {value}"


def _check_reducer_documented(name, reducer):
    from simulation.docs import ODD_PATH

    guide = (ODD_PATH.parent / "experiments.md").read_text(encoding="utf-8")
    first_cells = [line.split("|")[1] for line in guide.splitlines()
                   if line.startswith("| `")]  # a row may name two reducers: `max`, `min`
    assert any(f"`{name}`" in cell for cell in first_cells), (
        f"{name}: add its row to docs/experiments.md's table of reducers")
    assert reducer.help.strip(), name


register_walk("reducers", _reducers, {
    "reduces": _check_reducer_reduces_a_run, "documented": _check_reducer_documented})


def _reporters():
    from simulation.metrics import BRAND_REPORTERS, MODEL_REPORTERS

    return {**{k: v for k, v in BRAND_REPORTERS.items() if k != "brand"}, **MODEL_REPORTERS}


def _check_reporter_described(name, reporter):
    from simulation.data_dictionary import describe

    assert describe("timeseries", name), (
        f"{name}: describe the column in simulation/data_dictionary.py (COLUMNS['timeseries'])")


def _check_reporter_is_an_experiment_metric(name, reporter):
    from simulation.experiments.spec import METRICS, parse_output

    assert name in METRICS
    assert parse_output(f"{name}:final").metric == name


@functools.cache
def _run_for_reporters():
    from simulation import SocialBusinessModel

    model = SocialBusinessModel("baseline", rng=3, overrides={"market.n_customers": 2000})
    model.run(40)
    return model


def _check_reporter_batch_gives_each_brands_value(name, reporter):
    # A reporter's batch (simulation.metrics) gives what the reporter gives brand by brand,
    # value and type, for all brands and for any list of them.
    batch = getattr(reporter, "batch", None)
    if batch is None:
        return
    brands = list(_run_for_reporters().brands.values())
    for chosen in (brands, brands[::-1], brands[1:2], []):
        got, want = batch(chosen), [reporter(b) for b in chosen]
        assert got == want, name
        assert [type(v) for v in got] == [type(v) for v in want], name


register_walk("reporters", _reporters, {
    "described": _check_reporter_described,
    "experiment_metric": _check_reporter_is_an_experiment_metric,
    "batch": _check_reporter_batch_gives_each_brands_value})


# ============================================================================================
# Charts (dashboards.registry.FIGURES): every view of the dashboard derives its charts from it


@functools.cache
def _chart_session():
    """A short run of the lab scenario, shared by the chart checks (drawn, never changed)."""
    from dashboards.state import Session

    session = Session(_lab_scenario())
    session.step(4)
    return session


def _charts():
    from dashboards import registry

    return {figure.id: figure for figure in registry.FIGURES}


def _check_chart_declared(figure_id, figure):
    from dashboards import registry

    assert figure.kind in registry.KINDS, f"{figure_id}: unknown kind {figure.kind!r}"
    assert figure.tab in ("live", "network"), f"{figure_id}: unknown tab {figure.tab!r}"
    assert figure.title.strip(), figure_id
    assert bool(figure.panels) == (figure.kind in ("lines", "phase_bands")), (
        f"{figure_id}: a {figure.kind} figure has {len(figure.panels)} panels")
    for panel in figure.panels:
        assert panel.title.strip() and panel.unit.strip(), (figure_id, panel.column)
    if figure.of_one_brand and figure.export:
        assert "{brand}" in figure.export, f"{figure_id}: one file per brand needs {{brand}}"


def _check_chart_columns_are_reported(figure_id, figure):
    frame = _chart_session().snapshot().frame
    for panel in figure.panels:
        assert panel.column in frame, (
            f"{figure_id}: {panel.column!r} is not a reported column (simulation/metrics.py)")


def _check_chart_draws_as_png(figure_id, figure):
    from dashboards import charts

    session = _chart_session()
    run = session.run_view()
    brand = run.brands[0] if figure.of_one_brand else None
    drawn = charts.draw(figure, run.series, run.event_frame(), 10, brand, run=run)
    shown = [ax for ax in drawn.axes if ax.get_visible()]
    if figure.kind == "lines" and figure.per == "brand":
        assert len(shown) == len(figure.panels), f"{figure_id}: {len(shown)} panels drawn"
    assert shown, f"{figure_id}: nothing drawn"
    assert charts.png_bytes(drawn).startswith(b"\x89PNG")


def _check_chart_on_its_tab(figure_id, figure):
    """The Live tab draws it in the browser (a chart fed with every panel's series); the
    Network tab draws it from the snapshot the tab takes."""
    from dashboards import charts, registry
    from dashboards.livechart import ChartFeed

    session = _chart_session()
    if figure.tab == "network":
        snap = session.snapshot(network=True)
        drawn = charts.draw(figure, snap.frame, snap.events, 10, snap.brands[0], run=snap)
        assert drawn.axes, figure_id
        return
    assert figure in registry.live_figures()
    snap = session.snapshot()
    feed = ChartFeed(figure, snap.brands, snap.brands[0])
    widget = feed.make_widget(snap.history, snap.n_days, 10)
    shown = {line[1] for line in feed.lines}
    assert {p.column for p in figure.panels} <= shown, f"{figure_id}: a panel has no line"
    assert len(widget.initial["values"]) == len(feed.lines)
    assert all(len(values) == snap.n_days for values in widget.initial["values"])


@functools.cache
def _exported_pngs(figures: tuple) -> dict[str, bytes]:
    """The Export tab's PNG files for a registry (keyed by the registry, drawn once)."""
    from dashboards.components.export import chart_pngs

    return chart_pngs(_chart_session())


def _check_chart_exported(figure_id, figure):
    from dashboards import registry

    session = _chart_session()
    names = [name for name, f, _b in registry.exports(session.config.brands) if f is figure]
    assert bool(names) == bool(figure.export), figure_id
    files = _exported_pngs(registry.FIGURES)
    for name in names:
        assert files[name].startswith(b"\x89PNG"), name


def _check_chart_on_mesa(figure_id, figure):
    from dashboards import mesa_view, registry

    if not figure.mesa:
        return
    page = list(registry.mesa_pages()).index(figure.mesa)
    names = {component.__name__ for component, on in mesa_view.components() if on == page}
    if figure.kind == "phase_bands":
        expected = {"PhasesView"}
    elif figure.per == "department":
        expected = {"AdoptionView"}
    else:
        expected = {f"Panel_{p.column}" for p in figure.panels}
    assert expected <= names, f"{figure_id}: /mesa page {figure.mesa!r} lacks {expected - names}"
    assert mesa_view.pages()[page] == str(figure.mesa)


register_walk("charts", _charts, {
    "declared": _check_chart_declared,
    "columns_reported": _check_chart_columns_are_reported,
    "draws_as_png": _check_chart_draws_as_png,
    "on_its_tab": _check_chart_on_its_tab,
    "exported": _check_chart_exported,
    "mesa": _check_chart_on_mesa,
})


# ============================================================================================
# (Other registries add their walk here.)


# ============================================================================================
# Validation patterns and out-of-sample targets (simulation.validation: validation helper)


def _validation_patterns():
    from simulation.validation.patterns import PATTERNS

    return {p.id: p for p in PATTERNS}


def _check_pattern_declared(pattern_id, pattern):
    from simulation.validation import KINDS
    from simulation.validation.ablations import ABLATIONS
    from simulation.validation.patterns import judged_arms

    assert pattern.kind in KINDS, pattern.kind
    assert pattern.threshold.strip() and pattern.statistic.strip() and pattern.inputs
    assert judged_arms(pattern), "no judged arm"
    assert set(pattern.mechanism) <= {a.id for a in ABLATIONS}, pattern.mechanism


def _check_pattern_offered_by_only(pattern_id, pattern):
    from simulation.validation.cli import parse_only

    assert parse_only(pattern_id) == [pattern_id]


def _check_pattern_in_odd(pattern_id, pattern):
    from simulation.docs import ODD_PATH

    purpose = ODD_PATH.read_text(encoding="utf-8").split("## 2.", 1)[0]
    assert f"\n{pattern.number}. " in purpose, "missing from the ODD's list of patterns"


def _check_pattern_in_report(pattern_id, pattern):
    from simulation.docs import ODD_PATH

    report = (ODD_PATH.parent / "validation" / "report.md").read_text(encoding="utf-8")
    assert f"### {pattern_id}. " in report, "regenerate docs/validation (socbiz validate)"


register_walk("validation-patterns", _validation_patterns, {
    "declared": _check_pattern_declared, "offered_by_only": _check_pattern_offered_by_only,
    "in_odd": _check_pattern_in_odd, "in_report": _check_pattern_in_report})


def _validation_targets():
    from simulation.validation.targets import TARGETS

    return {t.id: t for t in TARGETS}


def _check_target_declared(target_id, target):
    assert target.published and target.source and target.tolerance and target.quantity
    assert target.arms or not target.testable


def _check_target_in_report(target_id, target):
    from simulation.docs import ODD_PATH

    report = (ODD_PATH.parent / "validation" / "report.md").read_text(encoding="utf-8")
    assert f"| {target_id} | " in report, "regenerate docs/validation (socbiz validate)"


register_walk("validation-targets", _validation_targets, {
    "declared": _check_target_declared, "in_report": _check_target_in_report})


# ============================================================================================
# The test


@pytest.mark.parametrize(("walk", "entry_id", "check_name"), list(_cases()))
def test_registry(walk: Walk, entry_id: str | None, check_name: str | None):
    entries = walk.entries()
    assert entries, f"registry {walk.name!r} is empty"
    walk.checks[check_name](entry_id, entries[entry_id])


def test_every_walk_has_entries_and_checks():
    assert {"interventions", "vocabulary", "levers", "reducers", "reporters",
            "charts"} <= set(WALKS)
    for walk in WALKS.values():
        assert walk.checks and walk.entries(), walk.name
