"""Scenario discovery: PRIM (EMA Workbench), CART and feature scores recover a planted box,
and ``socbiz discover`` works on a real sweep with one-line errors for bad requests."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from experiments_support import lhs_sweep, tiny_experiment

from simulation.cli import main
from simulation.experiments import run_sweep
from simulation.experiments.discovery import _cart, _feature_scores, _prim

LHS = lhs_sweep(24, 1, 8, ["followers", "phase"], "frequency", "push")


# Importing EMA Workbench costs about 10 s of CPU: with the slow checks, in `make validate`.
@pytest.mark.validation
def test_prim_cart_and_scores_recover_a_planted_box():
    """Cases are budget > 60 and hours > 4 (95% of them; 2% noise outside). Thresholds for the
    check, fixed before looking: the box's lower limits within 8% of each input's range of the
    truth, density ≥ 0.9 (asked for: the planted box's density is about 0.95), coverage ≥ 0.8;
    the noise input unrestricted or with a quasi-p above
    0.01; the two real inputs ranked first by the feature scores."""
    rng = np.random.default_rng(0)
    n = 400
    x = pd.DataFrame({"budget": rng.uniform(0, 100, n), "hours": rng.uniform(0, 10, n),
                      "noise": rng.uniform(0, 1, n),
                      "variant": pd.Categorical(rng.choice(["a", "b"], n))})
    inside = (x.budget > 60) & (x.hours > 4)
    y = np.where(inside, rng.random(n) < 0.95, rng.random(n) < 0.02)
    trajectory, index, box, stats = _prim(x, y, 0.9, 0.05, 0.05)
    assert {"coverage", "density", "res_dim"} <= set(trajectory.columns)
    assert stats["density"] >= 0.9 and stats["coverage"] >= 0.8
    assert abs(box.loc["budget", "min"] - 60) <= 8 and abs(box.loc["hours", "min"] - 4) <= 0.8
    assert box.loc["budget", "qp_low"] < 1e-6
    if "noise" in box.index:
        assert box.loc["noise"][["qp_low", "qp_high"]].min() > 0.01
    scores = _feature_scores(x, y, 0)
    assert set(scores["input"].iloc[:2]) == {"budget", "hours"}
    assert scores["importance"].sum() == pytest.approx(1.0)
    rules, accuracy = _cart(x, y, 0)
    assert accuracy >= 0.9 and "budget" in rules


@pytest.mark.validation
def test_discover_command_on_a_sweep(tmp_path, capsys):
    path = tiny_experiment(tmp_path, LHS, "lhs.toml")
    run_sweep(path, tmp_path / "out", workers=0, progress=False)
    runs = pd.read_parquet(tmp_path / "out" / "runs")
    threshold = float(runs[runs.brand == "acme"]["followers_final"].median())
    code = main(["discover", str(tmp_path / "out"), "--output", "followers_final",
                 "--condition", f">= {threshold}"])
    out = capsys.readouterr().out
    assert code == 0, out
    folder = tmp_path / "out" / "discovery" / "followers_final"
    for name in ("summary.md", "prim_trajectory.csv", "prim_box.csv", "cart_rules.txt",
                 "feature_scores.csv", "discovery.png"):
        assert (folder / name).is_file(), name
    summary = (folder / "summary.md").read_text()
    assert "## PRIM box" in summary and "quasi-p" in summary or "No restriction" in summary
    n_cases = int((runs[runs.brand == "acme"]["followers_final"] >= threshold).sum())
    assert f"{n_cases} of 24 runs" in summary
    scores = pd.read_csv(folder / "feature_scores.csv")
    assert set(scores["input"]) == {"frequency", "push"}

    for args, fragment in [
        (["--output", "nope", "--condition", ">= 1"], "--output nope: not an output"),
        (["--output", "followers_final", "--condition", "followers_final >= 1e12"],
         "no run of acme is a case"),
        (["--output", "followers_final", "--condition", "followers_final >> 3"],
         "--condition"),
        (["--output", "followers_final", "--condition", ">= 1", "--brand", "acmee"],
         "--brand acmee: unknown brand"),
    ]:
        assert main(["discover", str(tmp_path / "out"), *args]) == 2
        err = capsys.readouterr().err
        assert fragment in err and len(err.strip().splitlines()) == 1, err


@pytest.mark.parametrize("value", ["1.5", "-0.1", "nan", "high"])
def test_min_density_outside_zero_one_is_a_one_line_error(tmp_path, capsys, value):
    # checked when the command line is read: nothing is loaded or computed first
    with pytest.raises(SystemExit) as exit_:
        main(["discover", str(tmp_path), "--output", "phase_final", "--condition", ">= 3",
              "--min-density", value])
    err = capsys.readouterr().err
    assert exit_.value.code == 2 and len(err.strip().splitlines()) == 1, err
    assert f"--min-density: '{value}' (must be a number between 0 and 1, inclusive" in err


def test_min_density_bounds_are_allowed():
    from simulation.experiments.cli import share_closed

    assert share_closed("0") == 0.0 and share_closed("1") == 1.0 and share_closed(".8") == 0.8
