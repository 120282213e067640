"""Interventions (simulation/events.py): scheduled in a timeline and applied live, each changes
what it should, lands in the event log with its day and a readable sentence, and is recorded in
``model.applied``; bad live interventions raise an error naming the field."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from simulation import SocialBusinessModel
from simulation.config import CONTENT_TYPES, DEPARTMENTS
from simulation.events import Hiring, Training
from simulation.schema import ConfigError
from simulation.vocabulary import (
    CRISIS_CAUSE_TERMS,
    CRISIS_CAUSES,
    SEED_ACTIVISTS,
    SEED_CUSTOMERS,
    SEED_INFLUENCERS,
)

TOL = 1e-12


def lab(timeline=(), brand=None, n_customers=300, seed=5, overrides=None, **extra):
    scenario = {
        "name": "lab",
        "market": {"n_customers": n_customers, "sample_size": 0},
        "word_of_mouth": {"exogenous_crises_per_year": 0.0},
        "brands": {"acme": {"incident_rate": 0.0, "agencies": ["old"], **(brand or {})},
                   "brio": {"incident_rate": 0.0, "market_share": 0.1}},
        "agencies": {"old": {}, "new": {"push_orientation": 0.2}},
        "timeline": list(timeline),
        **extra,
    }
    # Intervention rules are read without staff turnover (which erodes trained shares).
    return SocialBusinessModel(scenario, rng=seed, overrides={
        "organisation.staff_turnover_per_year": 0.0, **(overrides or {})})


def run_to(model, day: int) -> None:
    model.run(days=day - model.time_day)
    assert model.time_day == day


def logged(model, cause: str):
    return [e for e in model.log_book if e.cause == cause]


# --------------------------------------------------------------------------------------------
# Training


TRAINING = {"kind": "training", "brand": "acme", "departments": ["hr", "pr"], "coverage": 0.6,
            "duration_days": 10}


def _trained(model):
    return {k: d.trained_share for k, d in model.brands["acme"].departments.items()}


def _expected_cost(model, departments, coverage) -> float:
    deps = model.brands["acme"].departments
    per = model.config.organisation.cost_per_trainee
    return sum((coverage - deps[k].trained_share) * deps[k].headcount for k in departments) * per


def test_scheduled_training_raises_exactly_the_named_departments_to_coverage():
    start, duration = 3, TRAINING["duration_days"]
    model = lab([{**TRAINING, "day": start}])
    before = _trained(model)
    run_to(model, start - 1)
    assert _trained(model) == before
    history = []
    for _ in range(duration + 2):
        model.step()
        history.append(_trained(model))
    for kind in DEPARTMENTS:
        series = [h[kind] for h in history]
        if kind in ("hr", "pr"):
            assert np.all(np.diff(series[:duration]) > 0), kind
            assert series[duration - 1] == pytest.approx(0.6, abs=TOL)  # day start + D - 1
            assert series[-1] == pytest.approx(0.6, abs=TOL)
        else:
            assert series == [before[kind]] * len(series), kind


def test_training_pays_from_the_training_budget():
    model = lab()
    run_to(model, 2)
    budget = model.brands["acme"].training_budget_left
    cost = _expected_cost(model, ["hr", "pr"], 0.6)
    assert 0 < cost < budget
    text = model.apply(TRAINING)
    assert model.brands["acme"].training_budget_left == pytest.approx(budget - cost, abs=1e-6)
    assert f"€{cost:,.0f}" in text
    model.step()
    assert model.brands["acme"].cost_today >= cost  # charged with the day's spending


def test_training_raises_awareness_of_trained_departments():
    model = lab([{**TRAINING, "day": 1}])
    aware = {k: d.awareness for k, d in model.brands["acme"].departments.items()}
    model.step()
    after = {k: d.awareness for k, d in model.brands["acme"].departments.items()}
    assert after["hr"] > aware["hr"] and after["pr"] > aware["pr"]
    assert after["crm"] == aware["crm"]


def test_live_training_reaches_coverage_by_the_end_of_the_programme():
    model = lab()
    run_to(model, 4)
    text = model.apply({**TRAINING, "departments": ["customer_service"], "coverage": 0.9})
    (event,) = logged(model, "training")
    # Day 4 is over: a live intervention counts from the start of day 5.
    assert event.day == 5 and event.kind == "intervention" and event.brand == "acme"
    assert event.text == text
    assert "acme" in text and "customer service" in text and "90%" in text and "10-day" in text
    run_to(model, 4 + TRAINING["duration_days"])
    deps = model.brands["acme"].departments
    assert deps["customer_service"].trained_share == pytest.approx(0.9, abs=TOL)
    assert deps["hr"].trained_share == model.config.brands["acme"].departments["hr"].trained_share


def test_training_budget_too_small_cuts_coverage_and_says_so():
    model = lab(brand={"training_budget": 1.0})
    deps = model.brands["acme"].departments
    before = {k: deps[k].trained_share for k in ("hr", "pr")}
    full_cost = _expected_cost(model, ["hr", "pr"], 0.6)
    budget = full_cost / 4
    model.brands["acme"].state.training_budget_left = budget
    text = model.apply(TRAINING)
    assert "only pays for 25%" in text
    assert model.brands["acme"].training_budget_left == pytest.approx(0.0, abs=1e-9)
    run_to(model, TRAINING["duration_days"])
    for kind, start in before.items():
        assert deps[kind].trained_share == pytest.approx(start + 0.25 * (0.6 - start), abs=TOL)


def test_training_never_lowers_a_trained_share_above_coverage():
    model = lab(brand={"departments": {"hr": {"trained_share": 0.8}}})
    cost_before = model.brands["acme"].training_budget_left
    model.apply({**TRAINING, "departments": ["hr"], "coverage": 0.5})
    run_to(model, TRAINING["duration_days"])
    assert model.brands["acme"].departments["hr"].trained_share == 0.8
    assert model.brands["acme"].training_budget_left == cost_before


# --------------------------------------------------------------------------------------------
# Sponsorship


def test_sponsorship_raises_commitment_now_and_sponsorship_over_the_following_days():
    level, day = 0.8, 2
    model = lab([{"kind": "sponsorship", "brand": "acme", "level": level, "day": day}])
    run_to(model, day - 1)
    brand = model.brands["acme"]
    s_before = brand.sponsorship
    assert s_before < level
    model.step()
    assert brand.commitment == level
    assert brand.departments["executive"].awareness <= level
    assert brand.departments["executive"].awareness > model.config.brands[
        "acme"].departments["executive"].awareness
    days = model.config.organisation.sponsorship_days
    sponsorship = []
    for _ in range(30):
        sponsorship.append(brand.sponsorship)
        model.step()
    assert np.all(np.diff(sponsorship) > 0)
    assert max(sponsorship) < level
    # Closing 1 / sponsorship_days of the gap a day toward the commitment.
    k = np.arange(1, len(sponsorship) + 1)
    expected = level - (level - s_before) * (1 - 1 / days) ** k
    np.testing.assert_allclose(sponsorship, expected, rtol=0, atol=1e-12)
    (event,) = logged(model, "sponsorship")
    assert event.day == day and "acme" in event.text and "0.8" in event.text


# --------------------------------------------------------------------------------------------
# Hiring, content, listening


def test_hiring_adds_capacity_to_the_department():
    model = lab([{"kind": "hiring", "brand": "acme", "department": "crm", "hours": 6.0,
                  "day": 1}])
    hours = {k: d.capacity_hours for k, d in model.brands["acme"].departments.items()}
    model.step()
    after = {k: d.capacity_hours for k, d in model.brands["acme"].departments.items()}
    assert after["crm"] == hours["crm"] + 6.0
    assert all(after[k] == hours[k] for k in DEPARTMENTS if k != "crm")
    (event,) = logged(model, "hiring")
    assert event.day == 1 and "6 hours" in event.text and "crm" in event.text


def test_hiring_more_customer_service_raises_answering_capacity():
    model = lab()
    model.step()
    capacity = model.brands["acme"].output.answer_capacity
    model.apply(Hiring(brand="acme", department="customer_service", hours=24.0))
    model.step()
    assert model.brands["acme"].output.answer_capacity > capacity


def test_content_change_updates_only_the_given_fields():
    model = lab(overrides={"organisation.contribution_posts_per_day": 0.0})
    brand = model.brands["acme"]
    mix, push = brand.mix, brand.push_share
    model.apply({"kind": "content", "brand": "acme", "posts_per_day": 3.0})
    assert (brand.posts_per_day, brand.mix, brand.push_share) == (3.0, mix, push)
    model.apply({"kind": "content", "brand": "acme", "mix": {"discounts": 1.0}})
    assert (brand.posts_per_day, brand.mix, brand.push_share) == (3.0, {"discounts": 1.0}, push)
    model.apply({"kind": "content", "brand": "acme", "push_share": 0.1})
    assert (brand.posts_per_day, brand.mix, brand.push_share) == (3.0, {"discounts": 1.0}, 0.1)
    model.step()
    posts = brand.output.posts_by_type
    campaign = sum(a.campaign_posts(brand) for a in brand.agencies)
    own = posts - campaign
    assert own[CONTENT_TYPES.index("discounts")] == pytest.approx(3.0, abs=TOL)
    assert np.sum(np.delete(own, CONTENT_TYPES.index("discounts"))) == pytest.approx(0, abs=TOL)
    texts = [e.text for e in logged(model, "content")]
    assert len(texts) == 3 and all(e.day == 1 for e in logged(model, "content"))
    assert "3 posts a day" in texts[0] and "10% push" in texts[2]


def test_listening_sets_coverage_and_crm_integration():
    model = lab([{"kind": "listening", "brand": "acme", "coverage": 0.7,
                  "crm_integration": 0.4, "day": 2}])
    run_to(model, 2)
    brand = model.brands["acme"]
    # The intervention sets the tool's coverage and lifts integration to its level; then one
    # day of practice-driven integration growth (below 1e-3) has been added.
    assert brand.listening_coverage == 0.7
    assert 0.4 <= brand.crm_integration <= 0.401
    assert brand.integration == pytest.approx(0.7 * brand.crm_integration, abs=TOL)
    assert brand.output.listening_coverage == 0.7
    assert model.brands["brio"].listening_tool == model.config.brands["brio"].listening_coverage
    (event,) = logged(model, "listening")
    assert event.day == 2 and "70%" in event.text and "40%" in event.text


# --------------------------------------------------------------------------------------------
# Agencies


def test_switch_agency_ends_and_signs_contracts():
    model = lab([{"kind": "switch_agency", "brand": "acme", "agency": "new", "replaces": "old",
                  "day": 1}])
    acme, old, new = model.brands["acme"], model.agencies["old"], model.agencies["new"]
    assert acme.agencies == [old] and old.clients == [acme] and new.clients == []
    model.step()
    assert acme.agencies == [new]
    assert old.clients == [] and new.clients == [acme]
    (event,) = logged(model, "switch_agency")
    assert event.day == 1 and "old" in event.text and "signs with new" in event.text


def test_switch_agency_without_names_ends_every_contract():
    model = lab()
    model.apply({"kind": "switch_agency", "brand": "acme", "agency": "new"})
    model.apply({"kind": "switch_agency", "brand": "acme"})
    acme = model.brands["acme"]
    assert acme.agencies == []
    assert model.agencies["old"].clients == [] and model.agencies["new"].clients == []
    model.step()
    assert acme.output.agency_posts == 0.0


def test_ended_contract_stops_campaign_posts():
    model = lab()
    acme, old = model.brands["acme"], model.agencies["old"]
    old.campaign_until["acme"] = 10**6
    model.step()
    assert acme.output.agency_posts > 0
    model.apply({"kind": "switch_agency", "brand": "acme", "replaces": "old"})
    model.step()
    assert acme.output.agency_posts == 0.0


# --------------------------------------------------------------------------------------------
# Crises


@pytest.mark.parametrize("cause", ["employee_video", "ngo_attack", "product_defect"])
def test_scheduled_crisis_creates_a_complaint_and_exposes_people(cause):
    model = lab([{"kind": "crisis", "brand": "acme", "cause": cause, "day": 3, "n_seeds": 4}],
                n_customers=1000)
    run_to(model, 4)
    table = model.market.complaints.table.to_frame()
    crisis = table[table["origin"] == cause]
    assert len(crisis) >= 4
    assert set(crisis["brand"]) == {0} and set(crisis["opened"]) == {3}
    frame = model.brand_frame()
    acme = frame[frame["brand"] == "acme"].set_index("day")
    assert acme.loc[3:4, "negative_exposures"].sum() > 0
    (event,) = [e for e in model.log_book if e.kind == "crisis_injected"]
    assert event.day == 3 and event.cause == "crisis" and event.brand == "acme"
    posters = 20 if cause == "ngo_attack" else 4  # an NGO mobilises 5 x n_seeds activists
    assert f"first posted by {posters} people" in event.text


def test_live_crisis_exposes_people_the_same_or_next_day():
    model = lab(n_customers=1000)
    run_to(model, 5)
    text = model.apply({"kind": "crisis", "brand": "brio", "cause": "employee_video",
                        "virality": 10.0})
    assert "employee video" in text.lower() and "virality 10" in text
    table = model.market.complaints.table.to_frame()
    assert (table["origin"] == "employee_video").sum() == 5
    model.step()
    frame = model.brand_frame()
    brio = frame[frame["brand"] == "brio"].set_index("day")
    assert brio.loc[5:6, "negative_exposures"].sum() > 0


def _incidents_after(defect: bool, seed: int) -> int:
    timeline = [{"kind": "crisis", "brand": "acme", "cause": "product_defect", "day": 1,
                 "virality": 0.0}] if defect else []
    model = lab(timeline, brand={"incident_rate": 0.01, "market_share": 0.5, "awareness": 0.8},
                n_customers=2000, seed=seed)
    run_to(model, 10)
    frame = model.brand_frame()
    return int(frame[(frame["brand"] == "acme") & (frame["day"] >= 1)]["incidents"].sum())


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_product_defect_multiplies_incidents(seed):
    # About 1000 customers x 0.01 = 10 incidents a day, x 5 during the defect: ~100 against
    # ~500 in ten days. A ratio above 3 leaves more than 5 Poisson standard deviations on each
    # side (sd ~10 and ~22).
    assert _incidents_after(True, seed) > 3 * _incidents_after(False, seed)


# --------------------------------------------------------------------------------------------
# Records and errors


def test_applied_records_scheduled_and_live_interventions_in_order():
    model = lab([{"kind": "hiring", "brand": "acme", "day": 2},
                 {"kind": "listening", "brand": "brio", "day": 1}])
    run_to(model, 3)
    live = model.apply(Training(brand="brio", departments=("hr",), day=999))
    assert [(i.kind, i.brand, i.day) for i in model.applied] == [
        ("listening", "brio", 1), ("hiring", "acme", 2), ("training", "brio", 4)]
    assert model.log_book.events[-1].text == live
    assert model.log_book.events[-1].day == 4


@pytest.mark.parametrize(
    ("mapping", "field"),
    [
        ({"kind": "training", "brand": "zed"}, "intervention.brand"),
        ({"kind": "hiring", "brand": "acme", "hours": -1.0}, "intervention.hours"),
        ({"kind": "hiring", "brand": "acme", "hrs": 5.0}, "intervention.hrs"),
        ({"kind": "training", "brand": "acme", "departments": ["sales"]},
         "intervention.departments[0]"),
        ({"kind": "switch_agency", "brand": "acme", "agency": "ghost"}, "intervention.agency"),
        ({"kind": "crisis", "brand": "acme", "cause": "meteor"}, "intervention.cause"),
        ({"kind": "promotion", "brand": "acme"}, "intervention.kind"),
        ({"kind": "sponsorship", "brand": "acme", "level": "high"}, "intervention.level"),
    ],
    ids=["brand", "range", "unknown-field", "department", "agency", "choice", "kind", "type"],
)
def test_bad_live_intervention_raises_an_error_naming_the_field(mapping, field):
    model = lab()
    with pytest.raises(ConfigError) as info:
        model.apply(mapping)
    assert field in str(info.value)
    assert model.applied == []
    assert len(model.log_book) == 0


def test_live_intervention_object_with_unknown_brand_is_rejected():
    model = lab()
    with pytest.raises(ConfigError, match="intervention.brand"):
        model.apply(Hiring(brand="nobody"))
    assert model.applied == []


def test_ngo_attack_with_few_engaging_customers_uses_all_of_them():
    model = lab(n_customers=1000, market={"n_customers": 1000, "share_engaging": 0.01,
                                          "share_active": 0.0, "sample_size": 0})
    assert model.market.n_engaging == 10
    model.apply({"kind": "crisis", "brand": "acme", "cause": "ngo_attack", "n_seeds": 5})
    frame = model.market.complaints.table.to_frame()
    assert (frame["origin"] == "ngo_attack").sum() == 10
    assert frame["complainant"].max() < 10


@pytest.mark.parametrize("cause", CRISIS_CAUSES)
def test_each_crisis_cause_logs_its_sentence_and_seeds_by_its_rule(cause):
    term = CRISIS_CAUSE_TERMS[cause]
    model = lab(n_customers=1000)
    config = model.config.word_of_mouth
    text = model.apply({"kind": "crisis", "brand": "acme", "cause": cause, "n_seeds": 4})
    assert text.startswith(term.sentence + " (")
    frame = model.market.complaints.table.to_frame()
    seeded = frame[frame["origin"] == cause]
    posters = config.activists_per_seed * 4 if term.seeding == SEED_ACTIVISTS else 4
    assert len(seeded) == posters and f"first posted by {posters} people" in text
    degree = model.market.network.degree
    if term.seeding == SEED_INFLUENCERS:
        top = np.sort(degree)[-max(4, int(1000 * config.influencer_share))]
        assert (degree[seeded["complainant"]] >= top).all()
    if term.seeding == SEED_CUSTOMERS:
        assert model.market.customer_bn[0, seeded["complainant"]].all()
    logged = model.log_book.of_kind("crisis_injected")
    assert [(e.cause, e.text) for e in logged] == [("crisis", text)]  # cause column: the kind


def test_interventions_are_pure_data():
    import simulation.events as events

    for entry in events.REGISTRY.values():
        assert not hasattr(entry.cls, "apply"), entry.kind
        assert dataclasses.is_dataclass(entry.cls) and entry.cls.__dataclass_params__.frozen
