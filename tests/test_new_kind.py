"""Adding an intervention kind touches one file: a throwaway kind declared here, alone.

The kind (its class, its label and help, its handler) is declared in this file only, with
``@intervention(..., label=, help=, handler=)``; the test then checks that every consumer
derived it: it loads from a scenario's TOML timeline, the model applies it and logs its sentence,
the CLI help and the ODD's tables describe it, and the dashboard's form offers its fields. The
kind is removed afterwards, so the other tests see the built-in registry.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass

import pytest
import tomli_w

from simulation.events import REGISTRY, Intervention, intervention, kinds_help, unregister
from simulation.schema import param


def _press_release(model, event) -> str:
    """What the kind does: the brand's PR department becomes more aware (a visible effect)."""
    model.brands[event.brand].departments["pr"].raise_awareness(event.boost)
    return f"{event.brand} issues a press release (awareness +{event.boost:g})."


@pytest.fixture
def press_release():
    @intervention("press_release", label="Press release",
                  help="The brand issues a press release: its PR department wakes up.",
                  handler=_press_release)
    @dataclass(frozen=True)
    class PressRelease(Intervention):
        boost: float = param(0.2, "Awareness gained by PR.", lo=0, hi=1)

    yield PressRelease
    unregister("press_release")


def _scenario(timeline) -> dict:
    return {"name": "new-kind", "horizon_days": 5,
            "market": {"n_customers": 200, "sample_size": 0, "mean_degree": 6},
            "timeline": timeline}


def test_a_kind_declared_in_one_file_loads_applies_and_is_described(press_release):
    from simulation import SocialBusinessModel, load_scenario
    from simulation.docs import intervention_parameters, intervention_table

    entry = {"kind": "press_release", "day": 2, "brand": "acme", "boost": 0.3}
    text = tomli_w.dumps(_scenario([entry]))
    config = load_scenario(tomllib.loads(text))
    (event,) = config.timeline
    assert type(event) is press_release and event.boost == 0.3

    model = SocialBusinessModel(config, rng=1)
    before = model.brands["acme"].departments["pr"].awareness
    model.run(3)
    assert model.brands["acme"].departments["pr"].awareness > before
    logged = [e for e in model.log_book.events if e.cause == "press_release"]
    assert logged and "press release" in str(logged[0].text)
    assert "press release" in model.apply({"kind": "press_release", "brand": "acme"})

    assert "press_release (Press release): boost" in kinds_help("cli")
    assert "| `press_release` | Press release |" in intervention_table()
    assert "timeline.press_release.boost" in {p.path for p in intervention_parameters()}


def test_the_dashboard_form_offers_the_new_kind(press_release):
    pytest.importorskip("solara")
    from dashboards.levers import build_request, intervention_specs

    assert [s.name for s in intervention_specs("press_release")] == ["boost"]
    assert build_request("press_release", "acme", {"boost": "0,5"}) == {
        "kind": "press_release", "brand": "acme", "boost": 0.5}


def test_the_throwaway_kind_is_gone_afterwards():
    assert "press_release" not in REGISTRY
