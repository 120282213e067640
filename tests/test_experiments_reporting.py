"""Honest summaries and reporting: ordinal outputs as proportions, intervals over seed means
when pooled design points share seeds, ``sweep-plot --by a b``, an unknown brand named as such,
CSV export and the reproducibility record."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from experiments_support import GRID_EXPERIMENT, tiny_experiment

from simulation.cli import main
from simulation.experiments import load_runs, run_sweep, summarise

EXPERIMENT = GRID_EXPERIMENT.replace(
    "replicates = 2", 'replicates = 3\noutputs = ["followers", "phase", "phase:max"]')


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    folder = tmp_path_factory.mktemp("reporting")
    path = tiny_experiment(folder, EXPERIMENT)
    run_sweep(path, folder / "out", workers=0, progress=False)
    return folder / "out"


def test_ordinal_outputs_are_proportions(results):
    table = summarise(results, ["phase_final"], by=["frequency", "push"])
    assert set(table["statistic"].str.startswith("share at")) == {True}
    assert (table["interval"] == "Wilson").all()
    assert table["low"].between(0, 1).all() and table["high"].between(0, 1).all()
    shares = table.groupby(["brand", "frequency", "push"])["mean"].sum()
    assert np.allclose(shares, 1.0)  # the levels' shares add up to 1 per group


def test_pooled_points_sharing_seeds_get_intervals_over_seed_means(results):
    runs = load_runs(results, status="ok")
    table = summarise(results, ["followers_final"], by=["frequency"])
    assert (table["interval"] == "t over seed means").all()
    assert (table["n"] == 3).all() and (table["n_runs"] == 6).all()
    # By hand: the mean per seed of the pooled points, then a t interval over the 3 seeds.
    from scipy import stats

    row = table[(table.brand == "acme") & (table.frequency == 3)].iloc[0]
    g = runs[(runs.brand == "acme") & (runs.frequency == 3)]
    means = g.groupby("seed")["followers_final"].mean()
    half = stats.t.ppf(0.975, 2) * means.std(ddof=1) / np.sqrt(3)
    assert row["mean"] == pytest.approx(means.mean())
    assert row["high"] - row["mean"] == pytest.approx(half)
    per_point = summarise(results, ["followers_final"])
    assert (per_point["interval"] == "t").all() and (per_point["n"] == 3).all()


def test_sweep_plot_by_two_columns_and_unknown_brand(results, capsys):
    assert main(["sweep-plot", str(results), "followers_final", "--x", "frequency", "--by",
                 "push", "frequency", "--brand", "acme"]) == 0
    png = capsys.readouterr().out.strip()
    assert png.endswith("followers_final-by-frequency-push-frequency.png")
    assert main(["sweep-plot", str(results), "phase", "--by", "frequency", "push"]) == 0
    capsys.readouterr()
    assert main(["sweep-plot", str(results), "followers", "--brand", "acmee"]) == 2
    err = capsys.readouterr().err
    assert "--brand acmee: unknown brand" in err and "brands: acme, rival" in err


def test_export_csv_and_reproducibility_record(results, tmp_path, capsys):
    assert main(["export", str(results), "--csv", "--tables", "runs", "design",
                 "--out", str(tmp_path / "csv")]) == 0
    runs = pd.read_csv(tmp_path / "csv" / "runs.csv")
    assert len(runs) == 4 * 3 * 2 and "followers_final" in runs
    assert len(pd.read_csv(tmp_path / "csv" / "design.csv")) == 12
    info = json.loads((results / "experiment.json").read_text())
    for library in ("socbiz", "mesa", "numpy", "scipy", "pandas", "pyarrow", "SALib"):
        assert info["versions"].get(library), library
    env = info["environment"]
    assert env["platform"] and env["cpu_count"] >= 1
    if (__import__("pathlib").Path(__file__).parents[1] / ".git").exists():
        assert len(env["git_commit"]) == 40 and isinstance(env["git_dirty"], bool)
