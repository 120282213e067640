"""Same scenario and seed, same results: time series, event logs, complaint tables and the CLI's
files; different seeds differ; a scenario and its TOML text give the same run."""

from __future__ import annotations

import pandas as pd
import pytest

from simulation import SocialBusinessModel
from simulation.cli import main
from simulation.scenario import load_scenario, scenario_to_toml

DAYS = 40
# Small, but busy: a crisis, a training, a content change, two brands and an agency, so that
# every part of the model draws random numbers.
BUSY = {
    "market.n_customers": 1500,
    "word_of_mouth.exogenous_crises_per_year": 20.0,
    "brands.acme.incident_rate": 0.01,
}


def run(seed: int | None = 7, scenario="crisis-wakeup", overrides=None, days=DAYS):
    model = SocialBusinessModel(scenario, rng=seed, overrides={**BUSY, **(overrides or {})})
    model.run(days=days)
    return model


@pytest.fixture(scope="module")
def twins():
    return run(), run()


def test_same_seed_same_trajectory(twins):
    a, b = twins
    frame = a.brand_frame()
    assert len(frame) == (DAYS + 1) * len(a.brands)
    pd.testing.assert_frame_equal(frame, b.brand_frame(), check_exact=True)


def test_same_seed_same_event_log(twins):
    a, b = twins
    assert len(a.log_book) > 0
    pd.testing.assert_frame_equal(a.log_book.to_frame(), b.log_book.to_frame(), check_exact=True)


def test_same_seed_same_complaints(twins):
    a, b = twins
    complaints = a.market.complaints.table.to_frame()
    assert len(complaints) > 0
    pd.testing.assert_frame_equal(complaints, b.market.complaints.table.to_frame(),
                                  check_exact=True)


def test_same_seed_same_customer_sample(twins):
    a, b = twins
    pd.testing.assert_frame_equal(a.market.sample_frame(), b.market.sample_frame(),
                                  check_exact=True)


def test_different_seeds_differ(twins):
    a, _ = twins
    c = run(seed=8)
    columns = ["followers", "engagements", "negative_exposures", "customers"]
    assert not a.brand_frame()[columns].equals(c.brand_frame()[columns])


def test_scenario_seed_is_the_default_seed():
    config = load_scenario("crisis-wakeup")
    assert run(seed=None, days=5).seed == config.seed
    pd.testing.assert_frame_equal(run(seed=None, days=5).brand_frame(),
                                  run(seed=config.seed, days=5).brand_frame(), check_exact=True)


def test_numeric_string_seed_equals_integer_seed():
    pd.testing.assert_frame_equal(run(seed="7", days=5).brand_frame(),
                                  run(seed=7, days=5).brand_frame(), check_exact=True)


def test_live_interventions_are_reproducible():
    def with_live():
        model = SocialBusinessModel("baseline", rng=3, overrides={"market.n_customers": 1000})
        model.run(days=5)
        model.apply({"kind": "crisis", "brand": "acme", "virality": 20.0})
        model.apply({"kind": "training", "brand": "brio", "departments": ["hr"]})
        model.run(days=10)
        return model

    a, b = with_live(), with_live()
    pd.testing.assert_frame_equal(a.brand_frame(), b.brand_frame(), check_exact=True)
    pd.testing.assert_frame_equal(a.log_book.to_frame(), b.log_book.to_frame(), check_exact=True)


def test_scenario_and_its_toml_text_give_identical_results(tmp_path):
    config = load_scenario("crisis-wakeup", BUSY)
    file = tmp_path / "crisis-wakeup.toml"
    file.write_text(scenario_to_toml(config))
    from_text = SocialBusinessModel(file, rng=7)
    from_config = SocialBusinessModel(config, rng=7)
    from_text.run(days=DAYS)
    from_config.run(days=DAYS)
    pd.testing.assert_frame_equal(from_text.brand_frame(), from_config.brand_frame(),
                                  check_exact=True)
    pd.testing.assert_frame_equal(from_text.log_book.to_frame(),
                                  from_config.log_book.to_frame(), check_exact=True)


def test_cli_run_twice_with_same_seed_writes_identical_timeseries(tmp_path, capsys):
    args = ["run", "crisis-wakeup", "--days", "30", "--seed", "5", "--quiet", "--no-plots",
            *[x for key, value in BUSY.items() for x in ("--set", f"{key}={value}")]]
    assert main([*args, "--out", str(tmp_path / "a")]) == 0
    first = (tmp_path / "a" / "timeseries.csv").read_bytes()
    events = (tmp_path / "a" / "events.csv").read_bytes()
    complaints = (tmp_path / "a" / "complaints.csv").read_bytes()
    # The second run overwrites the same folder (and so also checks --overwrite).
    assert main([*args, "--out", str(tmp_path / "a"), "--overwrite"]) == 0
    capsys.readouterr()
    assert (tmp_path / "a" / "timeseries.csv").read_bytes() == first
    assert (tmp_path / "a" / "events.csv").read_bytes() == events
    assert (tmp_path / "a" / "complaints.csv").read_bytes() == complaints
    assert len(first.splitlines()) == 31 * len(load_scenario("crisis-wakeup").brands) + 1


def test_live_interventions_replay_exactly_from_the_timeline():
    """What a user does live (dashboard, script) can be rerun as a scenario: the applied
    interventions, put into the timeline with their days, give the very same run."""
    from dataclasses import replace

    from simulation import SocialBusinessModel, load_scenario

    config = load_scenario("baseline", {"market.n_customers": 2000, "horizon_days": 40})
    live = SocialBusinessModel(config, rng=5)
    live.run(days=10)
    live.apply({"kind": "training", "brand": "acme", "departments": ["hr", "crm"]})
    live.run(days=5)
    live.apply({"kind": "crisis", "brand": "brio", "cause": "employee_video", "virality": 9})
    live.apply({"kind": "content", "brand": "acme", "posts_per_day": 3.0})
    live.run()
    replay_config = replace(config, timeline=config.timeline + tuple(live.applied))
    replay = SocialBusinessModel(replay_config, rng=5)
    replay.run()
    assert live.brand_frame().equals(replay.brand_frame())
    assert list(live.log_book) == list(replay.log_book)


def test_a_sweep_run_without_the_customer_sample_has_the_same_results():
    """A sweep's worker skips the daily rows of the sampled customers (it never writes them):
    that must change no draw, so the series and the event log are those of a full run."""
    from simulation.runner import run_model

    kept, _ = run_model("crisis-wakeup", seed=7, days=DAYS, overrides=BUSY)
    skipped, _ = run_model("crisis-wakeup", seed=7, days=DAYS, overrides=BUSY,
                           customer_sample=False)
    pd.testing.assert_frame_equal(kept.brand_frame(), skipped.brand_frame())
    pd.testing.assert_frame_equal(kept.log_book.to_frame(), skipped.log_book.to_frame())
    assert kept.market.sample_frame()["day"].max() == DAYS
    assert set(skipped.market.sample_frame()["day"]) == {0}  # the build's day only
