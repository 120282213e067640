"""The Mesa SolaraViz view (``/mesa``) without a browser: ``solara.render`` of the real page,
Mesa's own Step/Play/Reset buttons and parameter widgets, and the model SolaraViz rebuilds.

As for the main page, these tests check what the page does (the day moved, Reset built the
model the widgets describe, a bad seed is a message), never model outputs.
"""

from __future__ import annotations

import html
import os
import sys
import time
from pathlib import Path

import ipyvuetify as v
import pytest
import solara

from simulation import list_scenarios, load_scenario
from simulation.scenario import DEFAULT_SCENARIO

try:  # Mesa's visualisation imports altair
    from mesa.visualization.solara_viz import _build_model_init_kwargs, _check_model_params
except ImportError as error:  # pragma: no cover - depends on the installation
    if os.environ.get("CI"):
        raise
    pytest.skip(f"Mesa's visualisation is not installed ({error})", allow_module_level=True)

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from widget_support import button, commit, images, wait_for, walk  # noqa: E402

from dashboards import mesa_view  # noqa: E402
from dashboards.mesa_view import (  # noqa: E402
    KEEP,
    MesaDashboardModel,
    MesaPage,
    MesaView,
    default_model,
    model_params,
)

SMALL = "5,000"  # customers: quick to build and step


def small_params(**values) -> dict:
    params = model_params()
    params["n_customers"]["value"] = SMALL
    for name, value in values.items():
        params[name]["value"] = value
    return params


def render_view(params=None, render_interval: int = 1):
    """MesaView with a model the test can see; returns (render context, reactive model)."""
    params = params or small_params()
    model = solara.reactive(default_model(params))
    _box, rc = solara.render(
        solara.AppLayout(children=[MesaView(params, render_interval=render_interval,
                                            model=model)]),
        handle_error=False)
    return rc, model




def texts(rc) -> str:
    parts = []
    for widget in walk(rc):
        if isinstance(widget, v.Html):
            parts += [c for c in widget.children if isinstance(c, str)]
        block = getattr(widget, "unsafe_innerHTML", None)
        if isinstance(block, str):
            parts.append(block)
        if isinstance(widget, v.Alert):
            parts += [c for c in widget.children if isinstance(c, str)]
    return html.unescape("\n".join(parts))




def widget_labelled(rc, cls, label: str):
    for widget in walk(rc):
        if isinstance(widget, cls) and str(widget.label).startswith(label):
            return widget
    raise LookupError(f"no {cls.__name__} {label!r}")








# ----------------------------------------------------------------------------------------------
# The page


def test_page_renders_solaraviz_with_the_default_scenario(monkeypatch):
    monkeypatch.delenv("SOCBIZ_DASHBOARD_SCENARIO", raising=False)
    monkeypatch.delenv("SOCBIZ_DASHBOARD_SEED", raising=False)
    _box, rc = solara.render(solara.AppLayout(children=[MesaPage()]), handle_error=False)
    for label in ("Reset", "Step", "▶"):  # Mesa's ModelController
        button(rc, label)
    shown = texts(rc)
    assert "Day 0 of" in shown
    assert load_scenario(DEFAULT_SCENARIO).title in shown
    assert widget_labelled(rc, v.Select, "Scenario").v_model == DEFAULT_SCENARIO
    assert len(images(rc)) == 2  # page 0: phases and adoption


def test_page_starts_on_the_scenario_and_seed_given_to_the_command(monkeypatch):
    monkeypatch.setenv("SOCBIZ_DASHBOARD_SCENARIO", "crisis-wakeup")
    monkeypatch.setenv("SOCBIZ_DASHBOARD_SEED", "7")
    assert mesa_view.initial_values() == {"scenario_name": "crisis-wakeup", "rng": "7"}
    _box, rc = solara.render(solara.AppLayout(children=[MesaPage()]), handle_error=False)
    shown = texts(rc)
    assert load_scenario("crisis-wakeup").title in shown and "seed 7" in shown
    assert widget_labelled(rc, v.Select, "Scenario").v_model == "crisis-wakeup"
    assert widget_labelled(rc, v.TextField, "Seed").v_model == "7"


def test_step_advances_the_day_and_redraws():
    rc, model = render_view(render_interval=1)
    before = images(rc)
    button(rc, "Step").click()
    assert model.value.time_day == 1
    assert "Day 1 of" in texts(rc)
    assert images(rc) != before


def test_step_moves_by_the_render_interval():
    rc, model = render_view(render_interval=3)
    button(rc, "Step").click()
    assert model.value.time_day == 3


def test_play_runs_and_pause_stops():
    rc, model = render_view(render_interval=5)
    button(rc, "▶").click()
    wait_for(lambda: model.value.time_day >= 10)
    button(rc, "❚❚").click()
    wait_for(lambda: not button(rc, "Step").disabled)
    stopped = model.value.time_day
    time.sleep(0.5)
    assert model.value.time_day == stopped


def test_reset_builds_a_new_model_from_the_widgets():
    rc, model = render_view()
    button(rc, "Step").click()
    first = model.value
    other = next(name for name in list_scenarios() if name != DEFAULT_SCENARIO)
    widget_labelled(rc, v.Select, "Scenario").v_model = other
    widget_labelled(rc, v.Select, "Customers simulated").v_model = "10,000"
    widget_labelled(rc, v.Select, "Push share").v_model = "0.9"
    commit(widget_labelled(rc, v.TextField, "Seed"), "7")
    button(rc, "Reset").click()
    rebuilt = model.value
    assert rebuilt is not first and isinstance(rebuilt, MesaDashboardModel)
    assert rebuilt.time_day == 0
    assert rebuilt.config.name == other
    assert rebuilt.config.market.n_customers == 10_000
    brand = next(iter(rebuilt.config.brands))
    assert rebuilt.config.brands[brand].content.push_share == 0.9
    assert rebuilt.seed == 7
    shown = texts(rc)
    assert "Day 0 of" in shown and load_scenario(other).title in shown
    button(rc, "Step").click()
    assert rebuilt.time_day == 1


def test_a_bad_seed_is_a_message_not_a_crash():
    rc, model = render_view()
    commit(widget_labelled(rc, v.TextField, "Seed"), "twelve")
    button(rc, "Reset").click()
    scenario_seed = load_scenario(DEFAULT_SCENARIO).seed
    assert model.value.seed == scenario_seed
    assert "Seed 'twelve' is not a whole number" in texts(rc)
    button(rc, "Step").click()
    assert model.value.time_day == 1


def test_every_page_draws():
    rc, model = render_view(render_interval=5)
    button(rc, "Step").click()
    tabs = [w for w in walk(rc) if isinstance(w, v.Tabs) and any(
        isinstance(t, v.Tab) and t.children == ["Page 3"] for t in w.children)]
    assert len(tabs) == 1
    expected = {0: 2, 1: 6, 2: 4, 3: 0}
    for page, count in expected.items():
        tabs[0].v_model = page
        shown = images(rc)
        assert len(shown) == count, page
        assert "could not be drawn" not in texts(rc)
    assert "Brand levers act on" in texts(rc)  # page 3: the run's summary and the event log


# ----------------------------------------------------------------------------------------------
# The model SolaraViz rebuilds on Reset


def test_widget_names_are_accepted_by_mesa():
    params = small_params()
    model = default_model(params)
    _check_model_params(model, params)  # what ModelCreator checks; raises if a name is unknown


def test_mesa_reset_keeps_the_chosen_scenario():
    """Mesa's Reset replaces a ``scenario`` keyword with its own Scenario object: the widget is
    ``scenario_name``, which Reset passes through."""
    model = default_model(small_params())
    values = {name: spec["value"] for name, spec in small_params().items()}
    values["scenario_name"] = "turf-war"
    kwargs = _build_model_init_kwargs(model, values, add_scenario_when_empty=True,
                                      require_model_accepts_scenario=True)
    rebuilt = type(model)(**kwargs)
    assert rebuilt.config.name == "turf-war"


def test_levers_act_on_the_first_brand_and_keep_the_scenario_values_by_default():
    turf = load_scenario("turf-war")
    brand = next(iter(turf.brands))
    kept = MesaDashboardModel("turf-war", n_customers=SMALL)
    assert kept.config.brands[brand].culture.turf_war == turf.brands[brand].culture.turf_war
    changed = MesaDashboardModel("perception-gap", n_customers=SMALL, posts_per_day="3",
                                 listening=0.5, crm="0.25", turf_war=KEEP)
    first = next(iter(load_scenario("perception-gap").brands))
    assert changed.first_brand == first
    assert changed.config.brands[first].content.posts_per_day == 3
    assert changed.config.brands[first].listening_coverage == 0.5
    assert changed.config.brands[first].crm_integration == 0.25
    assert changed.levers == {"market.n_customers": 5000,
                              f"brands.{first}.content.posts_per_day": 3.0,
                              f"brands.{first}.listening_coverage": 0.5,
                              f"brands.{first}.crm_integration": 0.25}


@pytest.mark.parametrize("seed", ["abc", "-1", "1.5", "   ", None, "", 12, "12 "])
def test_any_seed_builds_a_model(seed):
    model = MesaDashboardModel(n_customers=SMALL, rng=seed)
    scenario_seed = load_scenario(DEFAULT_SCENARIO).seed
    if seed in ("abc", "-1", "1.5"):
        assert model.seed == scenario_seed and "Seed" in model.notices[0]
    elif seed in (None, "", "   "):
        assert model.seed == scenario_seed and not model.notices
    else:
        assert model.seed == 12 and not model.notices


def test_bad_values_fall_back_with_a_notice():
    missing = MesaDashboardModel("/no/such/scenario.toml", n_customers=SMALL)
    assert missing.config.name == DEFAULT_SCENARIO
    assert "could not be loaded" in missing.notices[0]
    refused = MesaDashboardModel(n_customers="5", push_share="lots", posts_per_day="500")
    assert any("lots" in notice for notice in refused.notices)
    assert any("Refused" in notice for notice in refused.notices)
    base = load_scenario(DEFAULT_SCENARIO)
    brand = next(iter(base.brands))
    assert refused.config.brands[brand].content.posts_per_day == \
        base.brands[brand].content.posts_per_day
    refused.step()
    assert refused.time_day == 1


def test_same_widgets_same_run():
    params = small_params(rng="3", posts_per_day="2")
    a, b = default_model(params), default_model(params)
    for _ in range(5):
        a.step()
        b.step()
    frame_a, _ = a.view_data()
    frame_b, _ = b.view_data()
    assert frame_a.equals(frame_b)


def test_the_app_serves_both_routes():
    import runpy

    namespace = runpy.run_path(str(Path(__file__).resolve().parents[1] / "dashboards" / "app.py"))
    paths = {route.path: route for route in namespace["routes"]}
    assert set(paths) == {"/", "mesa"}
    assert paths["mesa"].component is MesaPage
    assert "Page" not in namespace  # a module-level Page next to routes confuses Solara
