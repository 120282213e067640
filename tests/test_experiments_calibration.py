"""socbiz calibrate: spec validation, an ABC-SMC fit through the sweep machinery, its
posterior predictive check and held-out targets, resume after a kill, executor independence.

The fit's test uses a model-free property: a target the parameter moves monotonically
(organic reach falls as attention... rises) must end with a posterior narrower than the prior,
inside it, and with the fitted target's predictive interval covering the figure; thresholds
are set before looking at results and are loose (a 5-particle, 2-generation fit).
"""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pandas as pd
import pytest
from experiments_support import PYTHON, ROOT, socbiz, tiny_experiment

from simulation.experiments.calibration import load_calibration, run_calibration
from simulation.scenario import ScenarioError

EXAMPLE = ROOT / "scenarios" / "experiments" / "market_calibration.toml"

TINY_CALIBRATION = """
scenario = "tiny.toml"
days = 10
seed = 3
brand = "acme"
population_size = 4
generations = 2
posterior_predictive = 3
outputs = ["organic_reach:mean", "ever_engaged_share"]

[overrides]
"market.n_customers" = 200

[[parameters]]
key = "market.attention_posts_per_day"
name = "attention"
low = 1
high = 20
scale = "log"

[[targets]]
output = "organic_reach_mean"
value = 0.16
scale = 0.02
source = "Ogilvy 2014"

[[targets]]
metric = "followers"
days = [5, 10]
values = [30, 32]
scale = 50

[[targets]]
output = "ever_engaged_share_final"
value = 0.45
scale = 0.05
holdout = true
"""


def error_of(tmp_path: Path, text: str) -> str:
    path = tiny_experiment(tmp_path, text, "cal.toml")
    with pytest.raises(ScenarioError) as caught:
        load_calibration(path)
    message = str(caught.value)
    assert "\n" not in message and message.startswith(f"{path}: ")
    return message[len(f"{path}: "):]


def test_the_shipped_calibration_loads_with_fitted_and_held_out_targets():
    calibration = load_calibration(EXAMPLE)
    assert calibration.fitted and calibration.held_out
    assert {t.output for t in calibration.targets} >= {
        "organic_reach_mean", "weekly_engaged_share_mean", "ever_engaged_share_final"}
    assert all(t.source for t in calibration.targets)
    assert "held out" in calibration.describe()


@pytest.mark.parametrize(("change", "expected"), [
    (('value = 0.16', 'value = "x"'), "targets[0].value"),
    (('output = "organic_reach_mean"', 'output = "organic_reach_mena"'),
     "targets[0].output = 'organic_reach_mena' (unknown key; did you mean 'organic_reach_mean'"),
    (('holdout = true', 'holdout = true\n[[targets]]\noutput = "organic_reach_mean"\nvalue = 1'),
     "targets[3].name = 'organic_reach_mean' (names a target twice)"),
    (('low = 1\nhigh = 20\nscale = "log"', 'values = [1, 2]'), "parameters[0].values = [1, 2] "
     "(calibrated parameters are ranges"),
    (('brand = "acme"', 'brand = "acmee"'), "brand = 'acmee' (no such brand in the scenario"),
    (('days = [5, 10]', 'days = [5, 99]'), "targets[1].days = [5, 99] (past the horizon"),
    (('population_size = 4', 'population_sise = 4'), "population_sise: unknown key; did you "
     "mean 'population_size'?"),
])
def test_bad_specs_are_one_line_errors_naming_the_key(tmp_path, change, expected):
    old, new = change
    assert old in TINY_CALIBRATION
    assert expected in error_of(tmp_path, TINY_CALIBRATION.replace(old, new, 1))


def test_every_target_held_out_is_refused(tmp_path):
    text = TINY_CALIBRATION.replace("scale = 0.02\n", "scale = 0.02\nholdout = true\n").replace(
        "scale = 50\n", "scale = 50\nholdout = true\n")
    assert "every target is held out" in error_of(tmp_path, text)


def test_cli_error_exits_2_with_one_line(tmp_path):
    path = tiny_experiment(tmp_path, TINY_CALIBRATION.replace("generations = 2",
                                                              "generations = 0"), "cal.toml")
    done = socbiz("calibrate", path, "--dry-run")
    assert done.returncode == 2, done.stderr
    assert done.stderr.count("\n") == 1 and "generations" in done.stderr


def test_a_small_fit_writes_posterior_checks_and_held_out_report(tmp_path):
    path = tiny_experiment(tmp_path, TINY_CALIBRATION, "cal.toml")
    out = tmp_path / "cal"
    result = run_calibration(path, out, workers=0, progress=False)
    for name in ("abc.db", "calibration.json", "posterior.csv", "posterior_summary.csv",
                 "generations.csv", "checks.csv", "ppc.csv", "summary.md",
                 "calibrated_overrides.toml", "plots/posterior.png", "plots/ppc.png"):
        assert (out / name).is_file(), name
    assert list(result.generations["t"]) == [0, 1]
    assert result.generations["epsilon"].iloc[1] <= result.generations["epsilon"].iloc[0]
    # every particle is a run of the sweep worker, in the same runs-table format
    runs = pd.read_parquet(out / "abc" / "runs")
    assert len(runs) == 2 * result.generations["simulations"].sum() + 2 * 4  # + prior sample
    assert set(runs["status"]) == {"ok"}
    posterior = result.posterior
    assert len(posterior) == 4 and posterior["weight"].sum() == pytest.approx(1.0)
    assert posterior["attention"].between(1, 20).all()
    checks = result.checks.set_index("target")
    assert set(checks.index) == {"organic_reach_mean", "followers@5", "followers@10",
                                 "ever_engaged_share_final"}
    assert checks.loc["ever_engaged_share_final", "holdout"]
    assert not checks.loc["organic_reach_mean", "holdout"]
    assert len(pd.read_csv(out / "ppc.csv")) == 3
    assert (out / "ppc" / "experiment.json").is_file()  # the check ran as a sweep
    assert "market.attention_posts_per_day = " in (out / "calibrated_overrides.toml").read_text()
    # a second run into the same folder is refused; --resume with everything done reruns nothing
    with pytest.raises(Exception, match="not empty"):
        run_calibration(path, out, workers=0, progress=False)
    again = run_calibration(path, out, workers=0, progress=False, resume=True)
    assert again.resumed_from == 2
    pd.testing.assert_frame_equal(again.posterior, result.posterior)


# About 3 minutes at a load average of 8 on 2 cores (three fits, pyabc imported in each
# process): with the slow checks, in `make validate`.
@pytest.mark.validation
def test_a_killed_calibration_resumes_to_the_same_posterior_on_any_executor(tmp_path):
    path = tiny_experiment(tmp_path, TINY_CALIBRATION.replace("generations = 2",
                                                              "generations = 3"), "cal.toml")
    clean = run_calibration(path, tmp_path / "clean", workers=0, progress=False)
    out = tmp_path / "killed"
    process = subprocess.Popen([PYTHON, "-m", "simulation", "calibrate", str(path), "--workers",
                                "2", "--out", str(out), "--quiet"], cwd=ROOT,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline, recorded = time.monotonic() + 600, 0
    while time.monotonic() < deadline and not recorded:  # kill -9 once generation 0 is recorded
        time.sleep(0.1)
        try:
            with sqlite3.connect(out / "abc.db") as db:
                recorded = db.execute("select count(*) from populations where t >= 0"
                                      ).fetchone()[0]
        except sqlite3.Error:
            continue
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert recorded, "the first generation was never recorded"
    with sqlite3.connect(out / "abc.db") as db:  # the kill did cut the fit short
        assert db.execute("select max(t) from populations").fetchone()[0] < 2
    assert not (out / "posterior.csv").exists()
    resumed = socbiz("calibrate", path, "--workers", "2", "--out", out, "--resume", "--quiet",
                     timeout=1200)
    assert resumed.returncode == 0, resumed.stderr
    posterior = pd.read_csv(out / "posterior.csv")
    pd.testing.assert_frame_equal(posterior, pd.read_csv(tmp_path / "clean" / "posterior.csv"),
                                  check_exact=False, rtol=1e-9)
    assert len(clean.generations) == 3
