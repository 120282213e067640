"""Growable, diagnosable sensitivity: a Sobol study grown from N to 2N reuses the first N's runs
(same hash, same run ids, nothing rerun) and gives the indices of a fresh 2N study; the
convergence table and plot; the share of variance due to seeds; delta, PAWN and RBD-FAST from an
existing LHS sweep."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from experiments_support import lhs_sweep, ranges, tiny_experiment

from simulation.cli import main
from simulation.experiments import run_sweep
from simulation.experiments.sensitivity import (
    analyze_sweep,
    load_sensitivity,
    run_sensitivity,
    seed_variance_share,
)
from simulation.scenario import ScenarioError

SOBOL = """
scenario = "tiny.toml"
days = 10
seed = 4
brand = "acme"
method = "sobol"
n = 8
outputs = ["followers", "posts:mean"]
num_resamples = 100

[overrides]
market.n_customers = 600
""" + ranges("frequency", "push")

LHS = lhs_sweep(40, 2, 6, ["posts:mean", "followers"], "frequency", "rival_push", days=10,
                customers=600)


# Over 20 s on a loaded 2-core machine (160 runs): with the slow checks, in `make validate`.
@pytest.mark.validation
def test_a_sobol_study_grows_reusing_its_runs(tmp_path):
    spec = tiny_experiment(tmp_path, SOBOL, "sobol.toml")
    small, big = load_sensitivity(spec), load_sensitivity(spec, n=16)
    assert small.experiment.hash == big.experiment.hash
    assert np.array_equal(big.X[: len(small.X)], small.X)  # Sobol' sequences are extensible
    out = tmp_path / "grown"
    first = run_sensitivity(small, out, workers=0, progress=False)
    assert first.sweep.ok == small.experiment.n_runs == 32
    mtimes = {p.name: p.stat().st_mtime_ns for p in (out / "runs").iterdir()}
    grown = run_sensitivity(big, out, workers=0, progress=False, resume=True)
    assert grown.sweep.skipped == 32 and grown.sweep.ok == 32
    for p in (out / "runs").iterdir():  # the first N's runs were not redone
        if p.name in mtimes:
            assert p.stat().st_mtime_ns == mtimes[p.name]
    info = json.loads((out / "experiment.json").read_text())
    assert info["design"]["n_runs"] == 64 and info["spec"]["n"] == 16
    assert len(pd.read_parquet(out / "design.parquet")) == 64
    fresh = run_sensitivity(big, tmp_path / "fresh", workers=0, progress=False)
    pd.testing.assert_frame_equal(grown.indices, fresh.indices)
    # Convergence: the indices at N = 8 and 16, the plot per output
    conv = pd.read_csv(out / "convergence.csv")
    assert sorted(conv["N"].unique()) == [8, 16]
    at16 = conv[conv["N"] == 16].set_index(["output", "parameter"])["ST"]
    full = grown.indices.set_index(["output", "parameter"])["ST"]
    assert np.allclose(at16.sort_index(), full.sort_index(), atol=0.25)  # fewer resamples
    assert (out / "plots" / "convergence_acme_followers_final.png").is_file()


@pytest.mark.validation
def test_a_grown_study_refuses_a_folder_of_another_sample(tmp_path):
    spec = tiny_experiment(tmp_path, SOBOL, "sobol.toml")
    out = tmp_path / "out"
    run_sensitivity(load_sensitivity(spec), out, workers=0, progress=False)
    other = tiny_experiment(tmp_path, SOBOL.replace("seed = 4", "seed = 5"), "other.toml")
    with pytest.raises(Exception, match="holds another experiment"):
        run_sensitivity(load_sensitivity(other, n=16), out, workers=0, progress=False,
                        resume=True)


def test_seed_variance_share():
    rng = np.random.default_rng(3)
    signal = np.repeat(rng.normal(0, 1, (200, 1)), 4, axis=1)
    noise = rng.normal(0, 1, (200, 4))
    # Var(signal) = Var(noise) = 1: half the variance is due to the seeds (± 0.06 at n = 800).
    assert seed_variance_share(signal + noise) == pytest.approx(0.5, abs=0.06)
    assert seed_variance_share(signal) == 0
    assert np.isnan(seed_variance_share(signal[:, :1]))


# 80 runs: 501 s of wall time at a load average of 12 on 2 cores (about 136 s at a load of 4,
# with the rest of this file): with the slow checks, in `make validate`.
@pytest.mark.validation
def test_delta_pawn_rbd_fast_from_an_lhs_sweep(tmp_path, capsys):
    """acme's posts per day depend on its posting frequency, not on the rival's push share:
    every method must rank frequency far above rival_push for acme's posts_mean."""
    path = tiny_experiment(tmp_path, LHS, "lhs.toml")
    run_sweep(path, tmp_path / "out", workers=0, progress=False)
    table = analyze_sweep(tmp_path / "out", brand="acme")
    assert set(table["method"]) == {"delta", "pawn", "rbd_fast"}
    posts = table[table["output"] == "posts_mean"].set_index(["method", "parameter"])
    assert posts.loc[("delta", "frequency"), "delta"] > 3 * posts.loc[("delta", "rival_push"),
                                                                      "delta"]
    assert posts.loc[("rbd_fast", "frequency"), "S1"] > 0.8
    assert posts.loc[("pawn", "frequency"), "pawn_median"] > 2 * posts.loc[
        ("pawn", "rival_push"), "pawn_median"]
    assert table["seed_variance_share"].between(0, 1).all()
    assert (tmp_path / "out" / "sensitivity" / "indices.csv").is_file()
    assert main(["sensitivity-lhs", str(tmp_path / "out"), "--method", "delta",
                 "--output", "posts_mean"]) == 0
    assert main(["sensitivity-lhs", str(tmp_path / "out"), "--output", "nope"]) == 2
    assert "--output nope: not an output" in capsys.readouterr().err
    with pytest.raises(ScenarioError, match="no parameter is a range"):
        grid = tiny_experiment(tmp_path, 'scenario = "tiny.toml"\ndays = 5\n[[parameters]]\n'
                               'key = "brands.acme.content.posts_per_day"\nvalues = [1, 2]\n',
                               "grid.toml")
        run_sweep(grid, tmp_path / "grid", workers=0, progress=False)
        analyze_sweep(tmp_path / "grid")
