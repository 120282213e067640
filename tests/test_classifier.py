"""The maturity-phase classifier, its hysteresis, the help-desk flag and the maturity index
(simulation/metrics.py, simulation/agents/brands.py: Confirmed), on hand-set brand states."""

from __future__ import annotations

import numpy as np
import pytest

from simulation import SocialBusinessModel
from simulation.agents.brands import Confirmed
from simulation.config import DEPARTMENTS
from simulation.exchange import DailyOutput
from simulation.metrics import PHASE_NAMES, classify_phase, is_help_desk, maturity_index
from simulation.metrics import phase as phase_reporter

NON_EXECUTIVE = [d for d in DEPARTMENTS if d != "executive"]
EPS = 1e-9


def lab(overrides: dict | None = None) -> SocialBusinessModel:
    scenario = {"name": "lab", "market": {"n_customers": 200, "sample_size": 0},
                "word_of_mouth": {"exogenous_crises_per_year": 0.0}, "brands": {"acme": {}}}
    # Listening is read from the tool alone here (no practice-based listening), so that
    # ``coverage`` below is the listening coverage the classifier sees.
    # The boundary tests read the entry thresholds: hysteresis (exit_margin) is off here and
    # tested on its own below.
    return SocialBusinessModel(scenario, rng=3, overrides={
        "organisation.practice_listening_coverage": 0.0, "classifier.exit_margin": 0.0,
        **(overrides or {})})


@pytest.fixture
def model():
    return lab()


def phase_of(model) -> int:
    brand = model.brands["acme"]
    return classify_phase(brand, model.config.classifier, model.config.organisation)


def set_phase3_state(model, *, adopting=8, sponsorship=None, coverage=1.0, integration=None):
    """A brand meeting every phase-3 condition exactly at its threshold unless told."""
    c, o = model.config.classifier, model.config.organisation
    brand = model.brands["acme"]
    for i, kind in enumerate(NON_EXECUTIVE):
        brand.departments[kind].adoption = o.adopted_threshold if i < adopting else 0.0
    brand.departments["marketing"].adoption = max(brand.departments["marketing"].adoption,
                                                  c.phase2_adoption)
    brand.state.sponsorship = c.phase3_sponsorship if sponsorship is None else sponsorship
    brand.state.listening_tool = coverage
    brand.state.crm_integration = c.phase3_integration if integration is None else integration


# --------------------------------------------------------------------------------------------
# Phase boundaries


def set_in_house(model, marketing: float, communication: float) -> None:
    brand = model.brands["acme"]
    brand.departments["marketing"].adoption = marketing
    brand.departments["communication"].adoption = communication


def test_phase_one_just_below_phase2_adoption(model):
    threshold = model.config.classifier.phase2_adoption
    set_in_house(model, threshold - EPS, threshold - EPS)
    assert phase_of(model) == 1


@pytest.mark.parametrize("who", ["marketing", "communication"])
def test_phase_two_at_phase2_adoption_of_either_department(model, who):
    threshold = model.config.classifier.phase2_adoption
    set_in_house(model, 0.0, 0.0)
    model.brands["acme"].departments[who].adoption = threshold
    assert phase_of(model) == 2


def test_other_departments_do_not_make_phase_two(model):
    set_in_house(model, 0.0, 0.0)
    for kind in ("executive", "customer_service", "crm", "pr", "hr", "quality", "rnd"):
        model.brands["acme"].departments[kind].adoption = 1.0
    assert phase_of(model) == 1


def test_phase_three_with_every_condition_exactly_at_its_threshold(model):
    set_phase3_state(model)
    assert phase_of(model) == 3


def test_phase_three_breadth_boundary_is_inclusive():
    # 5 of 8 = 0.625 exactly; 4 of 8 falls short.
    model = lab({"classifier.phase3_breadth": 0.625})
    set_phase3_state(model, adopting=5)
    assert phase_of(model) == 3
    set_phase3_state(model, adopting=4)
    assert phase_of(model) == 2


def test_default_breadth_needs_five_of_eight_departments(model):
    assert model.config.classifier.phase3_breadth == 0.6
    set_phase3_state(model, adopting=5)
    assert phase_of(model) == 3
    set_phase3_state(model, adopting=4)
    assert phase_of(model) == 2


def test_executive_adoption_does_not_count_toward_breadth():
    model = lab({"classifier.phase3_breadth": 0.625})
    set_phase3_state(model, adopting=4)
    model.brands["acme"].departments["executive"].adoption = 1.0
    assert phase_of(model) == 2


def test_adoption_just_below_adopted_threshold_does_not_count():
    model = lab({"classifier.phase3_breadth": 1.0})
    set_phase3_state(model, adopting=8)
    assert phase_of(model) == 3
    threshold = model.config.organisation.adopted_threshold
    model.brands["acme"].departments["rnd"].adoption = threshold - EPS
    assert phase_of(model) == 2


def test_missing_sponsorship_keeps_phase_two(model):
    set_phase3_state(model, sponsorship=model.config.classifier.phase3_sponsorship - EPS)
    assert phase_of(model) == 2


def test_missing_integration_keeps_phase_two(model):
    set_phase3_state(model, integration=model.config.classifier.phase3_integration - EPS)
    assert phase_of(model) == 2


def test_integration_is_listening_times_crm(model):
    # coverage 0.5 x integration 0.4 = 0.2: at the threshold; coverage alone is not enough.
    set_phase3_state(model, coverage=0.5, integration=0.4)
    assert model.brands["acme"].integration == model.config.classifier.phase3_integration
    assert phase_of(model) == 3
    set_phase3_state(model, coverage=1.0, integration=0.0)
    assert phase_of(model) == 2


def test_phase_three_needs_phase_two_first(model):
    set_phase3_state(model)
    set_in_house(model, 0.0, 0.0)
    assert phase_of(model) == 1


# --------------------------------------------------------------------------------------------
# Hysteresis


def test_confirmed_changes_only_after_confirm_days_in_a_row():
    state = Confirmed(2, 7)
    assert [state.update(3) for _ in range(6)] == [False] * 6
    assert state.value == 2
    assert state.update(3) is True
    assert state.value == 3
    assert state.update(3) is False


def test_confirmed_blip_resets_the_count():
    state = Confirmed(2, 7)
    for _ in range(6):
        state.update(3)
    state.update(2)  # one day back: the count starts again
    assert [state.update(3) for _ in range(6)] == [False] * 6
    assert state.value == 2
    assert state.update(3) is True


def test_confirmed_switching_candidate_restarts_the_count():
    state = Confirmed(1, 3)
    state.update(2)
    state.update(2)
    state.update(3)  # a different candidate: held 1 day, not 3
    assert state.value == 1
    assert state.update(3) is False
    assert state.update(3) is True
    assert state.value == 3


def test_recorded_phase_changes_after_confirm_days_and_is_logged(model):
    brand = model.brands["acme"]
    confirm = model.config.classifier.confirm_days
    start = brand.phase
    assert start == 2
    set_phase3_state(model)
    for _ in range(confirm - 1):
        brand.update_phase()
    assert brand.phase == start
    assert not model.log_book.of_kind("phase_change")
    brand.update_phase()
    assert brand.phase == 3
    (event,) = model.log_book.of_kind("phase_change")
    assert event.brand == "acme"
    assert event.cause == "2->3"
    assert event.day == model.time_day
    assert "acme" in event.text
    assert f"phase 2 ({PHASE_NAMES[2]})" in event.text
    assert f"phase 3 ({PHASE_NAMES[3]})" in event.text


def test_phase_blip_is_not_recorded(model):
    brand = model.brands["acme"]
    confirm = model.config.classifier.confirm_days
    set_phase3_state(model)
    for _ in range(confirm - 1):
        brand.update_phase()
    brand.state.sponsorship = 0.0  # back to phase 2 for one day
    brand.update_phase()
    set_phase3_state(model)
    for _ in range(confirm - 1):
        brand.update_phase()
    assert brand.phase == 2
    assert not model.log_book.of_kind("phase_change")
    brand.update_phase()
    assert brand.phase == 3


def test_phase_reporter_is_the_recorded_phase(model):
    brand = model.brands["acme"]
    set_phase3_state(model)
    brand.update_phase()
    assert phase_reporter(brand) == brand.phase == 2
    assert phase_of(model) == 3


# --------------------------------------------------------------------------------------------
# Help-desk flag


def with_capacity(model, capacity: float):
    brand = model.brands["acme"]
    brand.output = DailyOutput(posts_by_type=np.zeros(8), push_share=0.0, agency_posts=0.0,
                               recruitment_p=0.0, answer_capacity=capacity,
                               listening_coverage=0.0, conversion=0.0, incident_rate=0.0,
                               preparedness=0.0)
    return brand


@pytest.mark.parametrize(
    ("backlog", "proactive", "flag"),
    [
        (20.0, 0.1, False),  # backlog exactly 2 days of capacity: not above it
        (20.0 + 1e-6, 0.1, True),
        (100.0, 0.2, False),  # proactive share exactly at the threshold: not below it
        (100.0, 0.2 - 1e-9, True),
        (5.0, 0.0, False),  # no time left but no backlog: busy, not swamped
        (100.0, 0.9, False),  # a backlog with time for proactive work
    ],
)
def test_help_desk_needs_both_backlog_and_little_proactive_time(model, backlog, proactive, flag):
    c = model.config.classifier
    assert (c.help_desk_backlog_days, c.help_desk_proactive_share) == (2.0, 0.2)
    brand = with_capacity(model, 10.0)
    brand.state.mean_backlog = backlog
    brand.state.proactive_share = proactive
    assert is_help_desk(brand, c) is flag


def test_help_desk_flag_is_confirmed_and_logged(model):
    brand = with_capacity(model, 10.0)
    brand.state.mean_backlog, brand.state.proactive_share = 100.0, 0.05
    for _ in range(model.config.classifier.confirm_days - 1):
        brand.update_phase()
    assert brand.help_desk is False
    brand.update_phase()
    assert brand.help_desk is True
    (event,) = model.log_book.of_kind("help_desk")
    assert event.cause == "entered"
    assert "help desk" in event.text and "acme" in event.text


# --------------------------------------------------------------------------------------------
# Maturity index


def test_maturity_index_is_the_mean_adoption(model):
    brand = model.brands["acme"]
    values = np.linspace(0.05, 0.85, len(DEPARTMENTS))
    for dep, value in zip(brand.departments.values(), values, strict=True):
        dep.adoption = float(value)
    assert maturity_index(brand) == pytest.approx(values.mean(), abs=1e-15)
    assert brand.maturity == maturity_index(brand)


def test_maturity_index_bounds(model):
    brand = model.brands["acme"]
    for value in (0.0, 1.0):
        for dep in brand.departments.values():
            dep.adoption = value
        assert maturity_index(brand) == value


# --------------------------------------------------------------------------------------------
# Hysteresis: leaving the recorded phase (or help desk) needs a margin below its thresholds


def record_phase(model, phase: int) -> None:
    brand = model.brands["acme"]
    brand.state.phase.value = phase


@pytest.mark.parametrize("margin", [0.1, 0.25])
def test_phase_three_kept_within_the_exit_margin_and_left_below_it(margin):
    model = lab({"classifier.exit_margin": margin})
    o = model.config.organisation
    set_phase3_state(model, adopting=8)
    record_phase(model, 3)
    brand = model.brands["acme"]
    keep = o.adopted_threshold * (1 - margin)
    for kind in NON_EXECUTIVE:  # every department just inside the margin: still phase 3
        brand.departments[kind].adoption = keep + 1e-6
    assert phase_of(model) == 3
    record_phase(model, 2)  # the same state seen from phase 2: not adopting, not phase 3
    assert phase_of(model) == 2
    record_phase(model, 3)
    for kind in NON_EXECUTIVE:  # just outside the margin: phase 3 is left
        brand.departments[kind].adoption = keep - 1e-6
    assert phase_of(model) == 2


def test_phase_two_kept_within_the_margin_of_phase2_adoption():
    model = lab({"classifier.exit_margin": 0.1})
    threshold = model.config.classifier.phase2_adoption
    set_in_house(model, threshold * 0.9 + 1e-6, 0.0)
    record_phase(model, 2)
    assert phase_of(model) == 2
    record_phase(model, 1)
    assert phase_of(model) == 1


def test_help_desk_flag_goes_off_only_past_the_margin():
    model = lab({"classifier.exit_margin": 0.1})
    c = model.config.classifier
    brand = model.brands["acme"]
    capacity = brand.output.answer_capacity if brand.output else 0.0
    brand.state.mean_backlog = c.help_desk_backlog_days * max(capacity, 1e-9) * 0.95
    brand.state.proactive_share = c.help_desk_proactive_share * 0.5
    assert not is_help_desk(brand, c)  # off: below the entry threshold
    brand.state.help_desk.value = True
    assert is_help_desk(brand, c)  # on: within the margin it stays on
    brand.state.mean_backlog = c.help_desk_backlog_days * max(capacity, 1e-9) * 0.85
    assert not is_help_desk(brand, c)
