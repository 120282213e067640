"""Sweepable timeline entries (``timeline[i].day``) and whole-scenario variants (a categorical
parameter picking among named bundles of overrides)."""

from __future__ import annotations

import pytest
from experiments_support import tiny_experiment, write

from simulation.cli import main
from simulation.experiments import load_experiment, load_runs, run_sweep
from simulation.experiments.spec import apply_overrides, key_segments
from simulation.scenario import ScenarioError

TIMELINE_SCENARIO = """
title = "Tiny market with a timeline"
horizon_days = 30
seed = 5

[market]
n_customers = 1500
sample_size = 0

[brands.acme]
market_share = 0.2
awareness = 0.6

[[timeline]]
kind = "listening"
day = 10
brand = "acme"
coverage = 0.7
crm_integration = 0.5
"""

TIMELINE_SWEEP = """
scenario = "timeline.toml"
replicates = 1
base_seed = 2
outputs = ["listening_coverage"]

[[parameters]]
key = "timeline[0].day"
name = "listening_day"
values = [5, 20]

[[parameters]]
key = "timeline.0.coverage"
name = "coverage"
values = [0.3, 0.9]
"""

VARIANTS = """
scenario = "timeline.toml"
replicates = 1
base_seed = 2
outputs = ["listening_coverage", "followers"]

[variants.early]
"timeline[0].day" = 3
"timeline[0].coverage" = 0.9

[variants.late]
"timeline[0].day" = 25

[variants.small_market]
market.n_customers = 800

[[parameters]]
key = "variant"
values = ["early", "late", "small_market"]
"""


def test_key_segments():
    assert key_segments("timeline[1].day") == ["timeline", 1, "day"]
    assert key_segments("timeline.1.day") == ["timeline", 1, "day"]
    assert key_segments("brands.acme.content.posts_per_day") == ["brands", "acme", "content",
                                                                 "posts_per_day"]


def test_timeline_entries_are_sweepable(tmp_path):
    write(tmp_path, "timeline.toml", TIMELINE_SCENARIO)
    path = write(tmp_path, "sweep.toml", TIMELINE_SWEEP)
    exp = load_experiment(path)
    assert exp.n_points == 4
    base = exp.scenario.to_dict()
    config = apply_overrides(base, exp.design.overrides(1))
    assert config.timeline[0].day == 5 and config.timeline[0].coverage == 0.9
    run_sweep(exp, tmp_path / "out", workers=0, progress=False)
    runs = load_runs(tmp_path / "out", status="ok")
    assert len(runs) == 4
    ts = __import__("pandas").read_parquet(tmp_path / "out" / "timeseries")
    # The listening deployment happens on the swept day, at the swept coverage.
    for row in runs.itertuples():
        s = ts[ts.run_id == row.run_id].set_index("day")["listening_coverage"]
        assert s.loc[row.listening_day] == pytest.approx(row.coverage)
        assert s.loc[row.listening_day - 1] < row.coverage - 0.1
        assert row.listening_coverage_final == pytest.approx(row.coverage)


@pytest.mark.parametrize("key, fragment", [
    ("timeline[3].day", "timeline[3]: no such entry (the list has 1 entry"),
    ("timeline.day", "timeline: is a list: write timeline[0].day"),
    ("market[0].n_customers", "is not a list"),
])
def test_bad_timeline_keys_are_one_line_errors(tmp_path, capsys, key, fragment):
    write(tmp_path, "timeline.toml", TIMELINE_SCENARIO)
    path = write(tmp_path, "bad.toml", f'scenario = "timeline.toml"\n[[parameters]]\nkey = '
                 f'"{key}"\nvalues = [5, 20]\n')
    with pytest.raises(ScenarioError) as info:
        load_experiment(path)
    assert fragment in str(info.value) and str(info.value).startswith(str(path))
    assert main(["sweep", str(path), "--dry-run"]) == 2
    err = capsys.readouterr().err
    assert fragment in err and len(err.strip().splitlines()) == 1


def test_a_swept_day_outside_the_horizon_is_refused(tmp_path):
    write(tmp_path, "timeline.toml", TIMELINE_SCENARIO)
    path = write(tmp_path, "bad.toml", 'scenario = "timeline.toml"\n[[parameters]]\nkey = '
                 '"timeline[0].coverage"\nvalues = [0.5, 1.5]\n')
    with pytest.raises(ScenarioError, match=r"parameters\[0\]\.values\[1\] = 1\.5"):
        load_experiment(path)


def test_variants_pick_bundles_of_overrides(tmp_path):
    write(tmp_path, "timeline.toml", TIMELINE_SCENARIO)
    path = write(tmp_path, "variants.toml", VARIANTS)
    exp = load_experiment(path)
    assert exp.design.points == (("early",), ("late",), ("small_market",))
    assert exp.design.dtypes == ("string",)
    run_sweep(exp, tmp_path / "out", workers=0, progress=False)
    runs = load_runs(tmp_path / "out", status="ok").set_index("variant")
    assert runs.loc["early", "listening_coverage_final"] == pytest.approx(0.9)
    assert runs.loc["late", "listening_coverage_final"] == pytest.approx(0.7)
    assert runs.loc["small_market", "listening_coverage_final"] == pytest.approx(0.7)
    info = __import__("json").loads((tmp_path / "out" / "experiment.json").read_text())
    assert info["spec"]["variants"]["early"] == {"timeline[0].day": 3,
                                                 "timeline[0].coverage": 0.9}
    # The variants' contents are part of the experiment's identity.
    changed = load_experiment(write(tmp_path, "variants2.toml", VARIANTS.replace("= 25",
                                                                                "= 26")))
    assert changed.hash != exp.hash and changed.hash_parts()["design"] != exp.hash_parts()[
        "design"]


@pytest.mark.parametrize("text, fragment", [
    ('[[parameters]]\nkey = "variant"\nvalues = ["a"]\n', "the file has none"),
    ('[variants.a]\nmarket.n_customers = 900\n[[parameters]]\nkey = "variant"\nvalues = '
     '["a", "b"]\n', "'b' is not a variant; variants: a"),
    ('[variants.a]\nmarket.n_customers = -3\n[[parameters]]\nkey = "variant"\nvalues = '
     '["a"]\n', "variants.a is not a valid scenario"),
    ('[variants.a]\nvariant = "b"\n', "cannot pick another variant"),
])
def test_bad_variants(tmp_path, text, fragment):
    path = tiny_experiment(tmp_path, 'scenario = "tiny.toml"\n' + text, "bad.toml")
    with pytest.raises(ScenarioError, match=fragment.replace("[", r"\[")) as info:
        load_experiment(path)
    assert "\n" not in str(info.value)
