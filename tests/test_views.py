"""Read-only views (simulation/views.py): they copy, they cannot change the run, and looking at a
run does not change it."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from simulation import SocialBusinessModel, views
from simulation.vocabulary import DEPARTMENT_TERMS, DEPARTMENTS


def small(seed=4):
    return SocialBusinessModel("baseline", rng=seed,
                               overrides={"market.n_customers": 600, "horizon_days": 20})


def test_the_organisation_view_is_frozen_and_does_not_follow_the_run():
    model = small()
    model.run(days=3)
    org = views.organisation(model)
    acme = org["acme"]
    before = acme.departments["marketing"].adoption
    with pytest.raises(dataclasses.FrozenInstanceError):
        acme.phase = 3
    with pytest.raises(TypeError):
        acme.departments["hr"] = None
    with pytest.raises(ValueError):
        acme.peer_weights[0, 0] = 1.0
    with pytest.raises(ValueError):
        acme.adoption[0] = 1.0
    model.brands["acme"].departments["marketing"].adoption = 0.99
    model.run(days=5)
    assert acme.departments["marketing"].adoption == before
    assert org.day == 3 and views.organisation(model).day == 8


def test_the_organisation_view_says_what_the_agents_hold():
    model = small()
    model.run(days=5)
    brand = model.brands["brio"]
    view = views.organisation(model)["brio"]
    assert tuple(view.departments) == DEPARTMENTS
    for d in DEPARTMENTS:
        dep = view.departments[d]
        assert dep.label == DEPARTMENT_TERMS[d].label
        assert dep.adoption == brand.departments[d].adoption
        assert dep.trained_share == brand.departments[d].trained_share
        assert dep.capacity_hours == brand.departments[d].capacity_hours
    assert view.sponsorship == brand.sponsorship and view.phase == brand.phase
    assert view.help_desk == brand.help_desk and view.backlog == brand.mean_backlog
    np.testing.assert_array_equal(view.adoption,
                                  [brand.departments[d].adoption for d in DEPARTMENTS])


def test_looking_at_a_run_does_not_change_it():
    watched, alone = small(9), small(9)
    for _ in range(6):
        watched.step()
        alone.step()
        views.run_view(watched, network=views.network_sample(watched, size=40))
    a, b = watched.brand_frame(), alone.brand_frame()
    assert a.equals(b)


def test_network_sample_and_customer_states_are_read_only_and_reproducible():
    model = small()
    model.run(days=2)
    first = views.network_sample(model, size=80)
    again = views.network_sample(model, size=80)
    np.testing.assert_array_equal(first.nodes, again.nodes)
    np.testing.assert_array_equal(first.positions, again.positions)
    assert len(first.nodes) == 80 and first.edges.shape[1] == 2
    assert first.edges.max() < 80
    with pytest.raises(ValueError):
        first.nodes[0] = 1
    states = views.customer_states(model, first.nodes)
    for brand in model.brands:
        codes = states[brand]
        assert codes.shape == (80,) and codes.max() < len(views.CUSTOMER_STATES)
        with pytest.raises(ValueError):
            codes[0] = 0


def test_metadata_carries_the_measured_wall_time_and_the_scenario():
    model = small()
    model.run(days=4)
    meta = views.metadata(model)
    assert meta["wall_time_s"] > 0
    assert meta["days_simulated"] == 4 and meta["status"] == "at day 4 of 20"
    assert meta["config_hash"] == model.config.config_hash()
    run = views.run_view(model)
    assert run.metadata["seed"] == model.seed
    assert len(run.events) == len(model.log_book)
    assert list(run.event_frame().columns) == ["day", "brand", "kind", "cause", "text"]
    assert run.series.equals(model.brand_frame())


def test_records_since_gives_each_day_and_event_once_and_does_not_follow_the_run():
    model = small()
    model.run(days=3)
    first = views.records_since(model, 0, 0)
    assert len(first.brand_rows) == 4  # day 0 and three steps
    assert all(len(values) == 4 for values in first.model_values.values())
    model.run(days=5)
    assert len(first.brand_rows) == 4  # a view does not grow with the run
    rest = views.records_since(model, 4, len(first.events))
    assert len(rest.brand_rows) == 5
    assert first.events + rest.events == views.event_log(model)
    brands, market = views.reporter_columns(model)
    rows = [row for day in first.brand_rows + rest.brand_rows for row in day]
    frame = model.brand_frame()
    assert len(rows) == len(frame)
    assert [row[2 + brands.index("followers")] for row in rows] == frame["followers"].tolist()
    assert set(market) <= set(frame.columns)
    with pytest.raises(TypeError):
        rest.model_values[market[0]] = ()
