"""Sensitivity analysis: SALib's Morris and Sobol through the executor seam on functions with
known answers, then ``socbiz sensitivity`` on a tiny model spec.

Known answers:
- Ishigami (a = 7, b = 0.1, inputs uniform on [-pi, pi]): first-order Sobol indices
  S1 = (0.3139, 0.4424, 0), total indices ST = (0.5576, 0.4424, 0.2437) (Saltelli et al. 2008,
  the Primer; SALib's test_functions.Ishigami). With Saltelli's scheme and N = 1024 the
  estimation error is a few hundredths: tolerance 0.05, and the truth must lie within the
  reported confidence interval plus 0.02.
- A linear function f = 2 x1 - 3 x2 + 0 x3 on [0, 1]^3: every elementary effect of x_i is
  exactly its coefficient, so Morris gives mu = (2, -3, 0), mu* = (2, 3, 0), sigma = 0.
- Morris on Ishigami with 4 levels: the effects of x2 are exactly +-7.875 (see the test), those
  of x1 all positive, those of x3 of both signs (it acts only through its interaction with x1).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from experiments_support import ranges, socbiz, tiny_experiment
from SALib.test_functions import Ishigami

from simulation import ScenarioError
from simulation.experiments.executors import LocalExecutor
from simulation.experiments.sensitivity import (
    analyze,
    analyze_function,
    load_sensitivity,
    run_sensitivity,
)

ISHIGAMI = {"num_vars": 3, "names": ["x1", "x2", "x3"], "bounds": [[-np.pi, np.pi]] * 3}
S1_TRUE = np.array([0.3139, 0.4424, 0.0])
ST_TRUE = np.array([0.5576, 0.4424, 0.2437])

MODEL_SPEC = """
scenario = "tiny.toml"
days = 30
seed = 4
brand = "acme"
outputs = ["followers", "weekly_engaged_share:mean"]
num_resamples = 200
""" + ranges("frequency", "push")


def linear(X: np.ndarray) -> np.ndarray:
    return 2.0 * X[:, 0] - 3.0 * X[:, 1] + 0.0 * X[:, 2]


@pytest.fixture(scope="module")
def pool():
    """Two local worker processes shared by the function evaluations."""
    with LocalExecutor(2) as executor:
        yield executor


def test_sobol_on_ishigami_recovers_the_analytic_indices(pool):
    indices = analyze_function(Ishigami.evaluate, ISHIGAMI, "sobol", 1024, seed=12,
                               executor=pool, num_resamples=500)
    np.testing.assert_allclose(indices["S1"], S1_TRUE, atol=0.05)
    np.testing.assert_allclose(indices["ST"], ST_TRUE, atol=0.05)
    assert np.all(np.abs(indices["S1"] - S1_TRUE) <= indices["S1_conf"] + 0.02)
    assert np.all(np.abs(indices["ST"] - ST_TRUE) <= indices["ST_conf"] + 0.02)
    assert np.all(indices[["S1_conf", "ST_conf"]] > 0)


def test_indices_do_not_depend_on_the_executor(pool):
    a = analyze_function(Ishigami.evaluate, ISHIGAMI, "sobol", 128, seed=1, executor=pool)
    b = analyze_function(Ishigami.evaluate, ISHIGAMI, "sobol", 128, seed=1, workers=0)
    pd.testing.assert_frame_equal(a, b)


def test_morris_on_a_linear_function_gives_its_coefficients(pool):
    problem = {"num_vars": 3, "names": ["a", "b", "c"], "bounds": [[0, 1]] * 3}
    indices = analyze_function(linear, problem, "morris", 20, seed=3, executor=pool)
    np.testing.assert_allclose(indices["mu"], [2, -3, 0], atol=1e-9)
    np.testing.assert_allclose(indices["mu_star"], [2, 3, 0], atol=1e-9)
    np.testing.assert_allclose(indices["sigma"], [0, 0, 0], atol=1e-9)


def test_morris_on_ishigami_matches_its_elementary_effects_on_the_grid(pool):
    indices = analyze_function(Ishigami.evaluate, ISHIGAMI, "morris", 100, seed=5,
                               executor=pool).set_index("parameter")
    # x2 moves two levels of the 4-level grid {-pi, -pi/3, pi/3, pi}: sin^2 goes 0 <-> 3/4,
    # so every effect is +-7 x 3/4 / (2/3) = +-7.875: mu* exactly that, with no spread.
    assert indices.loc["x2", "mu_star"] == pytest.approx(7.875, rel=1e-12)
    assert indices.loc["x2", "mu_star_conf"] == pytest.approx(0, abs=1e-12)
    assert abs(indices.loc["x2", "mu"]) < 0.1 * indices.loc["x2", "mu_star"]
    # x1: sin rises on both level pairs, so every effect is positive (mu = mu*).
    assert indices.loc["x1", "mu"] == pytest.approx(indices.loc["x1", "mu_star"], rel=1e-12)
    # x3 acts only with x1 (b x3^4 sin x1): effects of both signs, spread above their mean.
    assert indices.loc["x3", "sigma"] > indices.loc["x3", "mu_star"]


def test_constant_output_has_zero_sobol_indices():
    X = np.zeros((8 * 5, 3))
    frame, _ = analyze(ISHIGAMI, X, np.ones(len(X)), "sobol", seed=1)
    assert (frame[["S1", "ST"]] == 0).all().all() and (frame["output_sd"] == 0).all()


def test_sobol_sample_size_must_be_a_power_of_two(tmp_path):
    path = tiny_experiment(tmp_path, "n = 12\n" + MODEL_SPEC, "s.toml")
    with pytest.raises(ScenarioError) as caught:
        load_sensitivity(path, method="sobol")
    assert str(caught.value) == (f"{path}: n = 12 (must be a power of 2 for method = 'sobol' "
                                 "(e.g. 64, 128, 256))")


def test_sensitivity_parameters_must_be_ranges(tmp_path):
    text = MODEL_SPEC.replace("low = 0.1\nhigh = 0.9", "values = [0.1, 0.9]")
    with pytest.raises(ScenarioError, match=r"parameters\[1\]\.values = \[0\.1, 0\.9\] "
                                            r"\(sensitivity parameters are ranges"):
        load_sensitivity(tiny_experiment(tmp_path, text, "s.toml"))


INDEX_COLUMNS = {"morris": ["mu", "mu_star", "mu_star_conf", "sigma"],
                 "sobol": ["S1", "S1_conf", "ST", "ST_conf"]}


def check_indices(out, method: str, runs: int) -> pd.DataFrame:
    """indices.csv, the plots and samples.csv of a finished analysis of MODEL_SPEC."""
    indices = pd.read_csv(out / "indices.csv")
    columns = INDEX_COLUMNS[method]
    assert indices.columns.tolist() == ["method", "brand", "output", "parameter", *columns,
                                        "output_mean", "output_sd", "replicates",
                                        "seed_variance_share"]
    assert len(indices) == 2 * 2  # 2 outputs x 2 parameters, brand acme only
    assert set(indices["output"]) == {"followers_final", "weekly_engaged_share_mean"}
    assert np.isfinite(indices[columns].to_numpy()).all()
    assert (indices["output_sd"] > 0).all()
    pngs = sorted(p.name for p in (out / "plots").glob("*.png"))
    convergence = (["convergence_acme_followers_final.png",
                    "convergence_acme_weekly_engaged_share_mean.png"] if method == "sobol"
                   else [])
    assert pngs == sorted([f"{method}_acme_followers_final.png",
                           f"{method}_acme_weekly_engaged_share_mean.png", *convergence])
    assert all((out / "plots" / p).read_bytes()[:4] == b"\x89PNG" for p in pngs)
    assert len(pd.read_csv(out / "samples.csv")) == runs
    return indices


def test_sensitivity_command_writes_finite_morris_indices_and_plots(tmp_path):
    spec = tiny_experiment(tmp_path, "n = 4\n" + MODEL_SPEC, "spec.toml")
    out = tmp_path / "out"
    result = socbiz("sensitivity", spec, "--method", "morris", "--workers", "2", "--out", out,
                    "--quiet")
    assert result.returncode == 0, result.stderr
    assert "12 run(s) ok" in result.stderr  # 4 trajectories x (2 parameters + 1)
    assert "morris indices in" in result.stderr
    indices = check_indices(out, "morris", 12)
    # Resuming a finished analysis reruns nothing and recomputes the same indices.
    again = run_sensitivity(load_sensitivity(spec, method="morris"), out, workers=0,
                            resume=True, progress=False)
    assert (again.sweep.ok, again.sweep.skipped) == (0, 12)
    pd.testing.assert_frame_equal(pd.read_csv(out / "indices.csv"), indices)


def test_sobol_on_the_model_writes_finite_indices_and_plots(tmp_path):
    spec = tiny_experiment(tmp_path, "n = 8\n" + MODEL_SPEC, "spec.toml")
    result = run_sensitivity(spec, tmp_path / "out", method="sobol", workers=0, progress=False)
    assert result.sweep.ok == 8 * (2 + 2)
    check_indices(tmp_path / "out", "sobol", 32)
    assert "sobol indices in" in result.report()
