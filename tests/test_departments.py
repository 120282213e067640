"""Department rules on hand-built states (simulation/agents/departments.py) and the internal
networks of the five organisational models (simulation/agents/brands.py).

Each rule test sets a department's and its brand's state by hand, calls ``decide()`` and
``commit()``, and compares the new adoption with the formula of the module docstring to 1e-12;
the direction tests compare two such states that differ in one input only.
"""

from __future__ import annotations

import numpy as np
import pytest

from simulation import SocialBusinessModel
from simulation.agents.brands import internal_network
from simulation.config import DEPARTMENTS, ORGANISATIONAL_MODELS

TOL = 1e-12
IDX = {d: i for i, d in enumerate(DEPARTMENTS)}


def lab(brand: dict | None = None, agencies: dict | None = None,
        overrides: dict | None = None) -> SocialBusinessModel:
    scenario = {
        "name": "lab",
        "market": {"n_customers": 200, "sample_size": 0},
        "word_of_mouth": {"exogenous_crises_per_year": 0.0},
        "brands": {"acme": brand or {}},
        "agencies": agencies or {},
    }
    # The formula and direction tests read the mean-field rule: day-to-day noise and turnover
    # off unless asked for (the formula test turns turnover on).
    return SocialBusinessModel(scenario, rng=1, overrides={
        "organisation.adoption_noise": 0.0, "organisation.staff_turnover_per_year": 0.0,
        **(overrides or {})})


def set_state(model, kind="hr", *, others=0.1, sponsorship=0.3, results=0.2, in_house=1.0,
              proactive=1.0, **dep_state):
    """A neutral hand-built state: every other department at adoption ``others``."""
    brand = model.brands["acme"]
    for name, other in brand.departments.items():
        if name != kind:
            other.adoption = others
    brand.state.sponsorship = sponsorship
    brand.state.results = results
    brand.state.in_house_share = in_house
    brand.state.proactive_share = proactive
    dep = brand.departments[kind]
    state = {"adoption": 0.2, "awareness": 0.4, "trained_share": 0.3, "capacity_hours": 100.0,
             "headcount": 20, "resistance": 0.4, **dep_state}
    for key, value in state.items():
        setattr(dep, key, value)
        if key == "awareness":
            dep.baseline_awareness = value
    return dep


def expected_next(dep) -> float:
    """The departments' docstring, written out independently of the code."""
    cfg = dep.model.config
    o = cfg.organisation
    brand = dep.brand
    a = dep.adoption
    adopting = np.array([d.adoption >= o.adopted_threshold for d in brand.departments.values()],
                        dtype=float)
    peer = 1.0 if brand.peer_weights[IDX[dep.kind]] @ adopting >= o.peer_threshold else 0.0
    drive = (o.weight_sponsorship * brand.sponsorship + o.weight_awareness * dep.awareness
             + o.weight_results * brand.results + o.weight_peers * peer
             + (o.champion_drive if dep.champion else 0.0))
    skill = o.untrained_skill + (1 - o.untrained_skill) * dep.trained_share
    in_house = dep.kind in ("marketing", "communication")
    doing = brand.in_house_share if in_house else 1.0
    hours = dep.capacity_hours * (brand.proactive_share if dep.kind == "customer_service" else 1)
    capacity_factor = min(1.0, hours / (o.practice_hours_per_employee * dep.headcount))
    culture = brand.config.culture
    resistance = min(1.0, dep.resistance * (o.culture_resistance_floor
                                            + o.culture_resistance_slope * culture.resistance))
    turf = 1.0
    if in_house:
        gap = abs(brand.departments["marketing"].adoption
                  - brand.departments["communication"].adoption)
        turf = 1 - culture.turf_war * (1 - gap)
    growth = ((1 - resistance) * skill * doing * (o.adoption_p * drive + o.adoption_q * a)
              * (1 - a) * capacity_factor * turf)
    erosion = o.erosion_rate * a * (1 - brand.sponsorship)
    turnover = o.staff_turnover_per_year / 365 * a
    return float(np.clip(a + growth - erosion - turnover, 0.0, 1.0))


def step_one(dep) -> float:
    """decide() and commit() for this department alone; its new adoption."""
    dep.decide()
    dep.commit()
    return dep.adoption


def next_adoption(kind="hr", brand=None, agencies=None, overrides=None, **state) -> float:
    model = lab(brand, agencies, overrides)
    dep = set_state(model, kind, **state)
    want = expected_next(dep)
    got = step_one(dep)
    assert got == pytest.approx(want, abs=TOL)
    return got


# --------------------------------------------------------------------------------------------
# The formula on hand-built states


@pytest.mark.parametrize("kind", DEPARTMENTS)
def test_next_adoption_follows_the_documented_formula(kind):
    model = lab({"culture": {"resistance": 0.4, "turf_war": 0.3}},
                overrides={"organisation.staff_turnover_per_year": 0.5})
    dep = set_state(model, kind, others=0.3, sponsorship=0.45, results=0.35, in_house=0.7,
                    proactive=0.6, adoption=0.37, awareness=0.55, trained_share=0.4,
                    capacity_hours=0.9, headcount=25, resistance=0.35)
    want = expected_next(dep)
    assert want != dep.adoption
    assert step_one(dep) == pytest.approx(want, abs=TOL)


def test_all_departments_decide_from_yesterday_whatever_the_order():
    forward, backward = lab(), lab()
    for model in (forward, backward):
        for i, dep in enumerate(model.brands["acme"].departments.values()):
            dep.adoption = 0.3 + 0.05 * i
    deps_f = list(forward.brands["acme"].departments.values())
    deps_b = list(backward.brands["acme"].departments.values())
    for dep in deps_f:
        dep.decide()
    for dep in reversed(deps_b):
        dep.decide()
    for dep in deps_f + deps_b:
        dep.commit()
    assert [d.adoption for d in deps_f] == [d.adoption for d in deps_b]


# --------------------------------------------------------------------------------------------
# Drive: sponsorship, awareness, results, skill


@pytest.mark.parametrize(
    ("field", "low", "high"),
    [("sponsorship", 0.1, 0.8), ("awareness", 0.1, 0.8), ("results", 0.0, 0.7),
     ("trained_share", 0.0, 0.9)],
)
def test_growth_rises_with_each_driver(field, low, high):
    assert next_adoption(**{field: high}) > next_adoption(**{field: low})


def test_training_multiplies_growth_by_skill():
    # With no erosion (full sponsorship) the whole change is growth, proportional to skill.
    model = lab()
    untrained = model.config.organisation.untrained_skill
    base = {"sponsorship": 1.0, "adoption": 0.2}
    g0 = next_adoption(trained_share=0.0, **base) - 0.2
    g1 = next_adoption(trained_share=1.0, **base) - 0.2
    assert g1 == pytest.approx(g0 / untrained, rel=1e-12)


# --------------------------------------------------------------------------------------------
# Peers: complex contagion


def _with_adopting_neighbours(n: int, kind="hr", model_name="holistic", threshold=None) -> float:
    overrides = {"brands.acme.organisational_model": model_name,
                 "brands.acme.culture.turf_war": 0.0}
    if threshold is not None:
        overrides["organisation.peer_threshold"] = threshold
    model = lab(overrides=overrides)
    dep = set_state(model, kind, others=0.1)
    adopted = model.config.organisation.adopted_threshold
    chosen = [d for d in DEPARTMENTS if d != kind][:n]
    for name in chosen:
        model.brands["acme"].departments[name].adoption = adopted  # exactly at the threshold
    want = expected_next(dep)
    got = step_one(dep)
    assert got == pytest.approx(want, abs=TOL)
    return got


def test_one_adopting_neighbour_adds_no_peer_term():
    assert _with_adopting_neighbours(1) == _with_adopting_neighbours(0)


def test_two_adopting_neighbours_add_the_peer_term():
    model = lab()
    o = model.config.organisation
    assert o.peer_threshold == 2
    none, two = _with_adopting_neighbours(0), _with_adopting_neighbours(2)
    assert two > none
    # The difference is exactly the peer weight through the drive.
    dep = set_state(lab(), "hr")
    skill = o.untrained_skill + (1 - o.untrained_skill) * dep.trained_share
    resistance = dep.resistance * (0.5 + 1.5 * model.config.brands["acme"].culture.resistance)
    peer_growth = (1 - resistance) * skill * o.adoption_p * o.weight_peers * (1 - 0.2)
    assert two - none == pytest.approx(peer_growth, abs=TOL)


def test_peer_threshold_of_one_is_simple_contagion():
    assert _with_adopting_neighbours(1, threshold=1.0) > _with_adopting_neighbours(0,
                                                                                   threshold=1.0)


def test_centralised_spokes_never_get_peer_influence():
    # A spoke's only neighbour is the hub: all eight others adopting still count as one.
    assert _with_adopting_neighbours(8, model_name="centralised") == _with_adopting_neighbours(
        0, model_name="centralised")


# --------------------------------------------------------------------------------------------
# Resistance, erosion, capacity


def test_resistance_reduces_growth():
    assert next_adoption(resistance=0.8) < next_adoption(resistance=0.2)


def test_culture_resistance_reduces_growth():
    low = next_adoption(brand={"culture": {"resistance": 0.0}})
    high = next_adoption(brand={"culture": {"resistance": 0.9}})
    assert high < low


def test_full_resistance_stops_growth_and_only_erosion_remains():
    model = lab({"culture": {"resistance": 1.0}})
    rate = model.config.organisation.erosion_rate
    dep = set_state(model, sponsorship=0.0, resistance=1.0, adoption=0.4)
    assert step_one(dep) == pytest.approx(0.4 * (1 - rate), abs=TOL)


def test_erosion_without_sponsorship_and_none_with_full_sponsorship():
    eroded = next_adoption(brand={"culture": {"resistance": 1.0}}, sponsorship=0.0,
                           resistance=1.0, adoption=0.6)
    kept = next_adoption(brand={"culture": {"resistance": 1.0}}, sponsorship=1.0,
                         resistance=1.0, adoption=0.6)
    assert eroded < 0.6
    assert kept == 0.6


@pytest.mark.parametrize(("hours", "factor"), [(0.25, 0.25), (0.5, 0.5), (1.0, 1.0), (5.0, 1.0)])
def test_capacity_factor_is_practice_hours_over_headcount_need(hours, factor):
    # headcount 20 x practice_hours_per_employee 0.05 = 1 hour a day needed at full pace.
    model = lab()
    assert model.config.organisation.practice_hours_per_employee * 20 == 1.0
    base = {"sponsorship": 1.0, "adoption": 0.2, "headcount": 20}
    full = next_adoption(capacity_hours=10.0, **base) - 0.2
    assert next_adoption(capacity_hours=hours, **base) - 0.2 == pytest.approx(full * factor,
                                                                              rel=1e-12)


def test_customer_service_practice_is_limited_by_its_proactive_share():
    # 3 hours for 120 people (6 hours needed): factor 0.5 x proactive share.
    base = {"sponsorship": 1.0, "adoption": 0.2, "capacity_hours": 3.0, "headcount": 120}
    full = next_adoption("customer_service", proactive=1.0, **base) - 0.2
    half = next_adoption("customer_service", proactive=0.5, **base) - 0.2
    zero = next_adoption("customer_service", proactive=0.0, **base) - 0.2
    assert half == pytest.approx(full / 2, rel=1e-12)
    assert zero == 0.0
    # Other departments do not answer the queue: the proactive share does not touch them.
    assert next_adoption("crm", proactive=0.0, **base) == next_adoption("crm", proactive=1.0,
                                                                        **base)


# --------------------------------------------------------------------------------------------
# Turf war


def _turf(kind: str, communication: float, turf_war=0.6) -> float:
    """Next adoption of ``kind`` (at 0.5) when communication (and every other department) is at
    ``communication``; no peer term, so this moves only the turf factor."""
    return next_adoption(kind, brand={"culture": {"turf_war": turf_war}},
                         overrides={"organisation.weight_peers": 0.0}, sponsorship=1.0,
                         adoption=0.5, others=communication)


def test_turf_war_is_strongest_when_marketing_and_communication_are_neck_and_neck():
    neck_and_neck = _turf("marketing", 0.5)
    ahead = _turf("marketing", 0.1)
    behind = _turf("marketing", 0.9)
    assert neck_and_neck < ahead
    assert neck_and_neck < behind


def test_turf_factor_is_one_minus_turf_war_at_equal_adoption():
    calm = _turf("marketing", 0.5, turf_war=0.0) - 0.5
    war = _turf("marketing", 0.5, turf_war=0.6) - 0.5
    assert war == pytest.approx(calm * (1 - 0.6), rel=1e-12)


def test_turf_war_does_not_touch_other_departments():
    assert _turf("hr", 0.5, turf_war=0.0) == _turf("hr", 0.5, turf_war=0.9)


# --------------------------------------------------------------------------------------------
# Agencies that push practise instead of the brand's teams


AGENCY = {"campaign_posts_per_day": 2.0, "campaigns_per_year": 0.0}


def _agency_brand(push_orientation: float):
    model = lab({"agencies": ["ag"]},
                {"ag": {**AGENCY, "push_orientation": push_orientation}})
    brand = model.brands["acme"]
    model.agencies["ag"].campaign_until["acme"] = 10**6  # a campaign running all along
    output = brand.plan_day()
    return model, brand, output


def test_pushing_agency_lowers_the_in_house_share_of_practice():
    _, brand, output = _agency_brand(0.8)
    pushed = AGENCY["campaign_posts_per_day"] * 0.8
    assert output.agency_posts == pytest.approx(AGENCY["campaign_posts_per_day"], rel=1e-12)
    assert brand.in_house_share == pytest.approx(1 - pushed / output.posts, abs=TOL)
    assert brand.in_house_share < 1


def test_conversing_agency_leaves_practice_in_house():
    _, brand, _ = _agency_brand(0.0)
    assert brand.in_house_share == 1.0


@pytest.mark.parametrize("kind", ["marketing", "communication"])
def test_pushing_agency_slows_marketing_and_communication_only(kind):
    grown = {}
    for push in (0.0, 1.0):
        model, brand, _ = _agency_brand(push)
        dep, hr = brand.departments[kind], brand.departments["hr"]
        dep.decide()
        hr.decide()
        want = expected_next(dep)
        dep.commit()
        hr.commit()
        assert dep.adoption == pytest.approx(want, abs=TOL)
        grown[push] = (dep.adoption, hr.adoption)
    assert grown[1.0][0] < grown[0.0][0]
    assert grown[1.0][1] == grown[0.0][1]


# --------------------------------------------------------------------------------------------
# Internal networks


def neighbours(w: np.ndarray, kind: str) -> set[str]:
    return {DEPARTMENTS[j] for j in np.flatnonzero(w[IDX[kind]] > 0)}


@pytest.mark.parametrize("model_name", ORGANISATIONAL_MODELS)
@pytest.mark.parametrize("turf_war", [0.0, 0.4, 1.0])
def test_internal_network_is_symmetric_with_zero_diagonal(model_name, turf_war):
    w = internal_network(model_name, "marketing", turf_war)
    assert w.shape == (len(DEPARTMENTS), len(DEPARTMENTS))
    assert np.array_equal(w, w.T)
    assert np.all(np.diag(w) == 0)
    assert np.all((w >= 0) & (w <= 1))


@pytest.mark.parametrize("hub", ["marketing", "communication", "customer_service"])
def test_centralised_spokes_have_only_the_hub(hub):
    w = internal_network("centralised", hub, 0.0)
    for kind in DEPARTMENTS:
        if kind == hub:
            assert neighbours(w, kind) == set(DEPARTMENTS) - {hub}
        else:
            assert neighbours(w, kind) == {hub}, kind


def test_holistic_is_complete():
    w = internal_network("holistic", "marketing", 0.0)
    assert np.array_equal(w, 1 - np.eye(len(DEPARTMENTS)))


def test_decentralised_is_a_ring():
    w = internal_network("decentralised", "marketing", 0.0)
    assert np.all((w > 0).sum(axis=1) == 2)
    # One cycle through all nine departments.
    seen, previous, current = {0}, None, 0
    while True:
        step = next(j for j in np.flatnonzero(w[current]) if j != previous)
        if step == 0:
            break
        seen.add(step)
        previous, current = current, step
    assert seen == set(range(len(DEPARTMENTS)))


@pytest.mark.parametrize("hub", ["marketing", "hr"])
def test_hub_and_spoke_links_the_hub_to_all(hub):
    w = internal_network("hub_and_spoke", hub, 0.0)
    assert np.all(np.delete(w[IDX[hub]], IDX[hub]) == 1.0)
    # Spokes also have their natural affinities, at half weight.
    assert w[IDX["quality"], IDX["rnd"]] == 0.5


def test_multiple_hub_and_spoke_has_three_hubs_linked_to_all():
    w = internal_network("multiple_hub_and_spoke", "marketing", 0.0)
    for hub in ("marketing", "communication", "customer_service"):
        assert np.all(np.delete(w[IDX[hub]], IDX[hub]) == 1.0), hub
    assert w[IDX["quality"], IDX["rnd"]] == 1.0
    assert w[IDX["hr"], IDX["rnd"]] == 0.0


@pytest.mark.parametrize("model_name", ORGANISATIONAL_MODELS)
@pytest.mark.parametrize("turf_war", [0.25, 0.7])
def test_turf_war_weakens_only_the_marketing_communication_link(model_name, turf_war):
    calm = internal_network(model_name, "marketing", 0.0)
    war = internal_network(model_name, "marketing", turf_war)
    m, c = IDX["marketing"], IDX["communication"]
    assert war[m, c] == pytest.approx(calm[m, c] * (1 - turf_war), abs=TOL)
    mask = np.ones_like(calm, bool)
    mask[m, c] = mask[c, m] = False
    assert np.array_equal(war[mask], calm[mask])


def test_brand_uses_the_network_of_its_organisational_model():
    model = lab({"organisational_model": "centralised", "hub_department": "pr",
                 "culture": {"turf_war": 0.3}})
    assert np.array_equal(model.brands["acme"].peer_weights,
                          internal_network("centralised", "pr", 0.3))


# --------------------------------------------------------------------------------------------
# Heterogeneity, noise and turnover


def test_adoption_noise_has_the_binomial_variance_among_staff():
    # The day's change is the mean-field change plus a normal draw of variance
    # (growth + erosion + turnover x a) / headcount: over 4,000 draws the sample mean is within
    # 4 standard errors of the mean-field value and the sample variance within 10% (the
    # relative standard error of a variance over 4,000 normal draws is sqrt(2/4000) = 2.2%).
    deterministic = lab(overrides={"organisation.adoption_noise": 0.0})
    dep0 = set_state(deterministic, "crm", headcount=10, adoption=0.3, sponsorship=0.2)
    mean_change = step_one(dep0) - 0.3
    noisy = lab(overrides={"organisation.adoption_noise": 1.0})
    changes = []
    for _ in range(4000):
        dep = set_state(noisy, "crm", headcount=10, adoption=0.3, sponsorship=0.2)
        changes.append(step_one(dep) - 0.3)
    changes = np.array(changes)
    o = noisy.config.organisation
    erosion = o.erosion_rate * 0.3 * (1 - 0.2)
    turnover = o.staff_turnover_per_year / 365 * 0.3
    growth = mean_change + erosion + turnover
    variance = (growth + erosion + turnover) / 10
    assert abs(changes.mean() - mean_change) <= 4 * np.sqrt(variance / len(changes))
    assert changes.var() == pytest.approx(variance, rel=0.10)


def test_resistance_is_drawn_around_its_configured_mean_and_champions_are_rare():
    # Over 40 runs x 9 departments (360 draws) the mean resistance of each kind's draws is
    # within 4 standard errors of the configured mean (Beta variance m (1 - m) / (k + 1)); the
    # share of departments with a champion is within 4 binomial standard errors of p_champion.
    draws, champions = {kind: [] for kind in DEPARTMENTS}, []
    for seed in range(40):
        model = SocialBusinessModel({"name": "lab", "market": {"n_customers": 200,
                                                               "sample_size": 0}},
                                    rng=seed)
        for brand in model.brands.values():
            for kind, dep in brand.departments.items():
                draws[kind].append(dep.resistance)
                champions.append(dep.champion)
    o = model.config.organisation
    for kind, values in draws.items():
        m = next(iter(model.config.brands.values())).departments[kind].resistance
        se = np.sqrt(m * (1 - m) / (o.resistance_concentration + 1) / len(values))
        assert abs(np.mean(values) - m) <= 4 * se, kind
        assert np.std(values) > 0.05, kind  # they really differ
    p = o.p_champion
    assert abs(np.mean(champions) - p) <= 4 * np.sqrt(p * (1 - p) / len(champions))


def test_turnover_erodes_the_trained_share():
    model = lab(overrides={"organisation.staff_turnover_per_year": 0.365})
    dep = set_state(model, "hr", trained_share=0.5)
    step_one(dep)
    assert dep.trained_share == pytest.approx(0.5 * (1 - 0.001), abs=TOL)
