"""Outputs as data: the reducer registry, declared outputs (first_day with censoring,
time_above, auc, user-defined module:function reducers), their validation, and the
Kaplan-Meier summary of time-to-event outputs."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from experiments_support import socbiz, tiny_experiment

from simulation.experiments import load_experiment, load_runs, run_sweep
from simulation.experiments.analysis import survival_summary
from simulation.experiments.outputs import (
    REDUCERS,
    Output,
    kaplan_meier,
    km_median,
    parse_condition,
    reduce_outputs,
)
from simulation.experiments.spec import METRICS
from simulation.scenario import ScenarioError

DECLARED = """
scenario = "tiny.toml"
replicates = 2
base_seed = 4
outputs = ["followers", "phase:max"]
timeseries = true
events = false

[[parameters]]
key = "brands.acme.content.posts_per_day"
name = "frequency"
values = [0.5, 3]

[[output_definitions]]
name = "followers_500_day"
reduce = "first_day"
condition = "followers >= 500"
help = "First day with 500 followers"

[[output_definitions]]
name = "days_backlogged"
reduce = "time_above"
condition = "backlog > 0"

[[output_definitions]]
name = "followers_auc"
metric = "followers"
reduce = "auc"

[[output_definitions]]
name = "followers_peak_day"
metric = "followers"
reduce = "experiments_support:peak_day"
"""


def series_of(**columns) -> pd.DataFrame:
    n = len(next(iter(columns.values())))
    return pd.DataFrame({"day": np.arange(n), "brand": "a", **columns})


def test_registry_walk_every_reducer_is_documented_and_computes():
    """Every registered reducer has help, and computes a finite value on a series."""
    series = series_of(phase=[1, 1, 2, 3, 3, 2], followers=[0, 5, 10, 20, 40, 30.0])
    for name, reducer in REDUCERS.items():
        assert reducer.help, name
        condition = "phase >= 3" if reducer.needs_condition else ""
        out = Output("followers" if not condition else "phase", name, name=f"x_{name}",
                     condition=condition)
        value = reduce_outputs(series, [out], None)["a"][out.column]
        assert math.isfinite(value), name


def test_reducers_by_hand():
    series = series_of(phase=[1, 1, 2, 3, 3, 2], followers=[0, 5, 10, 20, 40, 30.0])
    outs = [Output("phase", "first_day", "p3", "phase >= 3"),
            Output("phase", "time_above", "t3", "phase >= 3"),
            Output("followers", "auc", "auc"),
            Output("phase", "first_day", "never", "phase >= 4"),
            Output("followers", "time_above", "both", "followers > 5 and phase < 3")]
    got = reduce_outputs(series, outs, None)["a"]
    assert got["p3"] == 3 and got["p3_observed"] == 1
    assert got["t3"] == 2
    assert got["auc"] == 105  # days 1..5, day 0 (the initial state) left out
    assert got["never"] == 5 and got["never_observed"] == 0  # censored at the last day
    assert got["both"] == 2  # days 2 and 5
    # window_days: auc and time_above over the last 2 days, first_day still from day 1
    got = reduce_outputs(series, outs, 2)["a"]
    assert got["auc"] == 70 and got["t3"] == 1 and got["p3"] == 3


def test_output_kinds_derive_from_metric_and_reducer():
    assert Output("phase", "final").result_kind == "ordinal"
    assert Output("phase", "max").result_kind == "ordinal"
    assert Output("phase", "mean").result_kind == "numeric"
    assert Output("phase", "first_day", "d", "phase >= 3").result_kind == "time-to-event"
    assert Output("phase", "first_day", "d", "phase >= 3").columns == ("d", "d_observed")


@pytest.mark.parametrize("text, fragment", [
    ("phase >= three", "is not a number"),
    ("phse >= 3", "unknown metric"),
    ("phase => 3", "cannot read"),
    ("import os", "cannot read"),
])
def test_bad_conditions_are_refused(text, fragment):
    from simulation.schema import ConfigError

    with pytest.raises(ConfigError, match=fragment):
        parse_condition(text, METRICS)


@pytest.mark.parametrize("definition, fragment", [
    ('reduce = "first_day"\nmetric = "phase"', "needs a condition"),
    ('reduce = "mean"\nmetric = "phase"\ncondition = "phase >= 3"', "takes no condition"),
    ('reduce = "median"\nmetric = "phase"', "must be one of"),
    ('reduce = "./mine.py:f"', "file paths are not allowed"),
    ('reduce = "/tmp/x:f"', "file paths are not allowed"),
    ('reduce = "no_such_module_xyz:f"', "is not importable here"),
    ('reduce = "experiments_support:no_such_function"', "has no function"),
    ('reduce = "final"\nmetric = "folowers"', "followers"),
])
def test_bad_definitions_are_one_line_errors_exit_2(tmp_path, definition, fragment):
    text = ('scenario = "tiny.toml"\n\n[[output_definitions]]\nname = "x"\n' + definition
            + "\n")
    path = tiny_experiment(tmp_path, text, "bad.toml")
    with pytest.raises(ScenarioError, match=fragment) as info:
        load_experiment(path)
    message = str(info.value)
    assert message.startswith(str(path)) and "output_definitions[0]" in message
    assert "\n" not in message
    if "importable" in fragment:
        done = socbiz("sweep", path, "--dry-run")
        assert done.returncode == 2 and "Traceback" not in done.stderr
        assert len(done.stderr.strip().splitlines()) == 1, done.stderr


def test_string_outputs_refuse_condition_reducers(tmp_path):
    path = tiny_experiment(tmp_path, 'scenario = "tiny.toml"\noutputs = ["phase:first_day"]\n')
    with pytest.raises(ScenarioError, match="needs a condition"):
        load_experiment(path)


def test_declared_outputs_in_a_sweep_match_the_daily_series(tmp_path):
    """The runs table's declared outputs equal the same reductions done by hand on the kept
    daily series, for every run and brand (workers=2: the user reducer is imported there)."""
    path = tiny_experiment(tmp_path, DECLARED, "declared.toml")
    exp = load_experiment(path)
    assert [o.column for o in exp.outputs][-4:] == ["followers_500_day", "days_backlogged",
                                                   "followers_auc", "followers_peak_day"]
    run_sweep(exp, tmp_path / "out", workers=2, progress=False)
    runs = load_runs(tmp_path / "out", status="ok")
    assert len(runs) == exp.n_runs * 2
    ts = pd.read_parquet(tmp_path / "out" / "timeseries")
    for row in runs.itertuples():
        s = ts[(ts.run_id == row.run_id) & (ts.brand == row.brand) & (ts.day >= 1)]
        hit = s[s.followers >= 500]
        if len(hit):
            assert row.followers_500_day == hit.day.iloc[0] and row.followers_500_day_observed
        else:
            assert row.followers_500_day == 40 and row.followers_500_day_observed == 0
        assert row.days_backlogged == (s.backlog > 0).sum()
        assert row.followers_auc == pytest.approx(s.followers.sum())
        assert row.followers_peak_day == s.day.iloc[int(s.followers.to_numpy().argmax())]
    info = __import__("json").loads((tmp_path / "out" / "experiment.json").read_text())
    kinds = {o["column"]: o["kind"] for o in info["outputs"]}
    assert kinds["followers_500_day"] == "time-to-event" and kinds["phase_max"] == "ordinal"


# --------------------------------------------------------------------------------------------
# Kaplan-Meier


def test_kaplan_meier_by_hand():
    """A small textbook example worked by hand: times 1,2+,3,3,4+,5 (+ censored)."""
    frame = kaplan_meier([1, 2, 3, 3, 4, 5], [1, 0, 1, 1, 0, 1]).set_index("time")
    s1, s3, s5 = 5 / 6, 5 / 6 * (1 - 2 / 4), 5 / 6 * (1 - 2 / 4) * 0
    assert frame.loc[1, "survival"] == pytest.approx(s1)
    assert frame.loc[2, "survival"] == pytest.approx(s1)  # a censoring does not drop S
    assert frame.loc[3, "survival"] == pytest.approx(s3)
    assert frame.loc[5, "survival"] == pytest.approx(s5)
    # Greenwood at t = 3 and the log-log band, by hand
    var_sum = 1 / (6 * 5) + 2 / (4 * 2)
    se = math.sqrt(var_sum) / abs(math.log(s3))
    assert frame.loc[3, "low"] == pytest.approx(s3 ** math.exp(1.959964 * se), rel=1e-5)
    assert frame.loc[3, "high"] == pytest.approx(s3 ** math.exp(-1.959964 * se), rel=1e-5)
    median, low, high = km_median(frame.reset_index())
    assert median == 3 and low <= median <= high


def test_kaplan_meier_without_censoring_is_the_empirical_survival():
    rng = np.random.default_rng(1)
    t = rng.integers(1, 50, 200)
    frame = kaplan_meier(t, np.ones_like(t))
    for row in frame.iloc[1:].itertuples():
        assert row.survival == pytest.approx((t > row.time).mean())


def test_kaplan_meier_median_interval_covers_the_true_median():
    """Exponential times (median ln2/λ), 30% censored at random: over 300 data sets the 95%
    interval of the median covers the truth between 90% and 99% of the time (binomial sd at
    0.95 with 300 draws is 1.3 points; the log-log interval is known to be a little
    conservative on small samples)."""
    rng = np.random.default_rng(20261201)
    lam, covered = 0.1, 0
    for _ in range(300):
        t = rng.exponential(1 / lam, 60)
        c = rng.exponential(1 / (lam * 0.43), 60)  # P(censored) = 0.43 / 1.43 ≈ 0.3
        median, low, high = km_median(kaplan_meier(np.minimum(t, c), t <= c))
        covered += low <= math.log(2) / lam <= high
    assert 0.90 <= covered / 300 <= 0.99


def test_survival_summary_of_a_sweep(tmp_path):
    path = tiny_experiment(tmp_path, DECLARED.replace('"experiments_support:peak_day"',
                                                      '"max"'), "km.toml")
    run_sweep(path, tmp_path / "out", workers=0, progress=False)
    table = survival_summary(tmp_path / "out", "followers_500_day", by=["frequency"])
    assert list(table.columns[:2]) == ["brand", "frequency"]
    assert (table["n"] == 2).all()
    assert (table["events"] + table["censored"] == table["n"]).all()
    with pytest.raises(ValueError, match="not a time-to-event"):
        survival_summary(tmp_path / "out", "followers_final")


def test_registry_walk_every_reducer_is_in_the_docs_and_the_help():
    """Declared once, derived everywhere: each reducer is in docs/experiments.md's table and in
    the help of output_definitions' reduce key (standalone walk until tests/test_registries.py
    lands on main)."""
    from experiments_support import ROOT

    from simulation.experiments.outputs import OutputDefinition

    docs = (ROOT / "docs" / "experiments.md").read_text()
    help_text = str(next(f for f in __import__("dataclasses").fields(OutputDefinition)
                         if f.name == "reduce").metadata["help"])
    for name in REDUCERS:
        assert f"| `{name}` |" in docs or f"| `{name}`, " in docs or f", `{name}` |" in docs, name
        assert name in help_text, name


# --------------------------------------------------------------------------------------------
# What a run collects


KEPT = """
scenario = "tiny.toml"
replicates = 2
base_seed = 4
outputs = ["followers", "phase:max", "complaints_total"]
timeseries = false

[[parameters]]
key = "brands.acme.content.posts_per_day"
name = "frequency"
values = [0.5, 3]

[[output_definitions]]
name = "days_backlogged"
reduce = "time_above"
condition = "backlog > 0 and crisis_level < 1"
"""


def test_a_run_collects_only_what_its_experiment_keeps_and_the_outputs_do_not_change(tmp_path):
    """A sweep's run collects the columns its outputs read (conditions included), not the
    fifty others; the runs table holds the same outputs as the full daily series of a plain
    run of the same scenario, seed and parameters. Keeping the whole series, or a
    user-defined reducer, collects everything."""
    from simulation.experiments.sweep import reporters_kept
    from simulation.runner import run_model

    exp = load_experiment(tiny_experiment(tmp_path, KEPT, "kept.toml"))
    assert reporters_kept(exp) == ("backlog", "complaints_total", "crisis_level", "followers",
                                   "phase")
    run_sweep(exp, tmp_path / "out", workers=2, progress=False)
    runs = load_runs(tmp_path / "out", status="ok")
    assert len(runs) == exp.n_runs * 2
    for (seed, frequency), rows in runs.groupby(["seed", "frequency"]):
        model, _status = run_model(tmp_path / "tiny.toml", seed=int(seed), customer_sample=False,
                                   overrides={"brands.acme.content.posts_per_day": frequency})
        expected = reduce_outputs(model.brand_frame(), exp.outputs, exp.window_days)
        for row in rows.itertuples():
            for column in ("followers_final", "phase_max", "complaints_total_final",
                           "days_backlogged"):
                assert getattr(row, column) == expected[row.brand][column], (column, seed)
    whole = load_experiment(tiny_experiment(tmp_path, DECLARED, "declared.toml"))
    assert reporters_kept(whole) is None  # timeseries = true, and a user-defined reducer


def test_a_model_collecting_some_columns_has_the_same_numbers_in_them():
    """Reporters only read the state: with a subset collected, the subset's columns are those
    of the full series bit for bit (a preset with crises, so that every rule acts)."""
    from simulation import SocialBusinessModel

    overrides = {"market.n_customers": 2000, "horizon_days": 120,
                 "word_of_mouth.exogenous_crises_per_year": 20}
    full = SocialBusinessModel("crisis-wakeup", rng=3, overrides=overrides)
    full.run()
    some = ("followers", "maturity", "backlog", "roi", "complaints_total")
    part = SocialBusinessModel("crisis-wakeup", rng=3, overrides=overrides, reporters=some)
    part.run()
    frame, expected = part.brand_frame(), full.brand_frame()
    assert set(frame.columns) == {"day", "brand", *some, "ever_engaged_share",
                                  "mean_fatigue_engaging"}
    assert frame.equals(expected[list(frame.columns)])
    assert part.log_book.to_frame().equals(full.log_book.to_frame())
    with pytest.raises(ValueError, match="unknown reporters folowers"):
        SocialBusinessModel("crisis-wakeup", rng=3, overrides=overrides, reporters=["folowers"])
