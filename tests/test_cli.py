"""The ``socbiz`` command line: a tiny end-to-end run and its files, one-line user errors with
exit status 2 (in a real subprocess), and the scenarios subcommands."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import mesa
import pandas as pd
import pytest

from simulation.cli import build_parser, main
from simulation.config import DEPARTMENTS
from simulation.scenario import list_scenarios, load_scenario

REPO = Path(__file__).resolve().parents[1]
DAYS = 20
N_CUSTOMERS = 2000
SEED = 11
TINY = ["--set", f"market.n_customers={N_CUSTOMERS}", "--days", str(DAYS)]
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def socbiz(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO), "MPLBACKEND": "Agg"}
    return subprocess.run([sys.executable, "-m", "simulation", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=180)


# --------------------------------------------------------------------------------------------
# All subprocesses of this module start together (two cores: this halves the wait).


@pytest.fixture(scope="module")
def work(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("cli")
    (root / "unknown_key.toml").write_text('[brands.acme]\nmarket_shar = 0.2\n')
    occupied = root / "occupied"
    occupied.mkdir()
    (occupied / "keep.txt").write_text("precious\n")
    return root


def _commands(work: Path) -> dict[str, list[str]]:
    return {
        "run": ["run", *TINY, "--seed", str(SEED), "--out", str(work / "out"), "--quiet"],
        "unknown_scenario": ["run", "no-such-scenario", *TINY],
        "bad_set_value": ["run", "--set", "market.n_customers=lots", "--days", "2"],
        "set_missing_brand": ["run", "--set", "brands.zed.budget=5", "--days", "2"],
        "unknown_key_file": ["run", str(work / "unknown_key.toml"), "--days", "2"],
        "out_not_empty": ["run", *TINY, "--out", str(work / "occupied")],
        "negative_days": ["run", "--days", "-3", "--set", "market.n_customers=1000"],
    }


@pytest.fixture(scope="module")
def results(work) -> dict[str, subprocess.CompletedProcess]:
    commands = _commands(work)
    with ThreadPoolExecutor(max_workers=4) as pool:
        futures = {name: pool.submit(socbiz, *args, cwd=work) for name, args in commands.items()}
        return {name: future.result() for name, future in futures.items()}


# --------------------------------------------------------------------------------------------
# socbiz run, end to end


@pytest.fixture(scope="module")
def out(results, work) -> Path:
    run = results["run"]
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr
    return work / "out"


def test_run_exits_zero_and_prints_the_output_folder(results, out):
    assert Path(results["run"].stdout.strip().splitlines()[-1]).resolve() == out.resolve()


def test_run_writes_every_output_file(out):
    for name in ("timeseries.parquet", "timeseries.csv", "events.csv", "complaints.csv",
                 "customers_sample.parquet", "metadata.json"):
        assert (out / name).is_file(), name
        assert (out / name).stat().st_size > 0, name


def test_timeseries_is_tidy_one_row_per_day_and_brand(out):
    frame = pd.read_parquet(out / "timeseries.parquet")
    brands = list(load_scenario("baseline").brands)
    assert frame.groupby(["day", "brand"]).size().eq(1).all()
    assert sorted(frame["day"].unique()) == list(range(DAYS + 1))
    assert set(frame["brand"]) == set(brands)
    assert len(frame) == (DAYS + 1) * len(brands)
    for column in ["phase", "maturity", "followers", "engagements", "negative_exposures",
                   *(f"adoption_{d}" for d in DEPARTMENTS)]:
        assert column in frame.columns, column


def test_timeseries_csv_matches_parquet(out):
    parquet = pd.read_parquet(out / "timeseries.parquet")
    csv = pd.read_csv(out / "timeseries.csv")
    assert list(csv.columns) == list(parquet.columns)
    pd.testing.assert_frame_equal(csv, parquet, check_dtype=False, rtol=1e-12)


def test_event_and_complaint_tables_have_their_columns(out):
    events = pd.read_csv(out / "events.csv")
    assert list(events.columns) == ["day", "brand", "kind", "cause", "text"]
    complaints = pd.read_csv(out / "complaints.csv")
    for column in ("brand", "complainant", "opened", "detected", "answered", "size", "origin",
                   "status"):
        assert column in complaints.columns, column


def test_customer_sample_has_one_row_per_day_and_sampled_customer(out):
    sample = pd.read_parquet(out / "customers_sample.parquet")
    per_day = sample.groupby("day")["customer"].nunique()
    assert list(per_day.index) == list(range(DAYS + 1))
    assert per_day.nunique() == 1
    assert per_day.iloc[0] == min(load_scenario("baseline").market.sample_size, N_CUSTOMERS)
    assert sample["customer"].between(0, N_CUSTOMERS - 1).all()
    assert {"follows_acme", "sentiment_acme", "customer_acme", "fatigue"} <= set(sample.columns)


def test_metadata_records_seed_hash_versions_time_status_and_scenario(out):
    meta = json.loads((out / "metadata.json").read_text())
    expected = load_scenario("baseline", {"market.n_customers": N_CUSTOMERS,
                                          "horizon_days": DAYS})
    assert meta["seed"] == SEED
    assert meta["config_hash"] == expected.config_hash()
    assert meta["status"] == "complete"
    assert meta["versions"]["mesa"] == mesa.__version__
    assert meta["versions"]["socbiz"]
    assert isinstance(meta["wall_time_s"], int | float) and meta["wall_time_s"] >= 0
    resolved = load_scenario(meta["resolved_scenario"])
    assert resolved == expected
    assert resolved.config_hash() == meta["config_hash"]


def test_plots_are_non_empty_png_files(out):
    plots = sorted((out / "plots").glob("*.png"))
    assert plots
    for plot in plots:
        data = plot.read_bytes()
        assert data.startswith(PNG_MAGIC), plot.name
        assert len(data) > 1000, plot.name


# --------------------------------------------------------------------------------------------
# User errors: exit 2, one line on stderr, no traceback


def assert_user_error(result: subprocess.CompletedProcess, *parts: str) -> None:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("socbiz: error:"), lines[0]
    for part in parts:
        assert part in lines[0], (part, lines[0])


def test_unknown_scenario_name_is_a_user_error(results):
    assert_user_error(results["unknown_scenario"], "no-such-scenario", "baseline")


def test_bad_set_value_is_a_user_error(results):
    assert_user_error(results["bad_set_value"], "market.n_customers = 'lots'", "an integer")


def test_set_on_a_missing_brand_is_a_user_error(results):
    assert_user_error(results["set_missing_brand"], "brands.zed", "acme")


def test_set_without_equals_is_a_user_error(capsys):
    # Same error path as the other --set mistakes; in process to save a subprocess.
    code = main(["run", "--set", "market.n_customers", "--days", "2"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("socbiz: error:")
    assert "market.n_customers" in err and "KEY=VALUE" in err


def test_scenario_file_with_unknown_key_is_a_user_error(results, work):
    assert_user_error(results["unknown_key_file"], str(work / "unknown_key.toml"),
                      "brands.acme.market_shar", "did you mean 'market_share'")


def test_non_empty_out_without_overwrite_is_a_user_error_and_leaves_files(results, work):
    assert_user_error(results["out_not_empty"], "--overwrite")
    occupied = work / "occupied"
    assert sorted(p.name for p in occupied.iterdir()) == ["keep.txt"]
    assert (occupied / "keep.txt").read_text() == "precious\n"


def test_negative_days_is_a_one_line_user_error(results):
    assert_user_error(results["negative_days"], "--days", "-3")


def test_negative_days_exits_two_without_traceback(results):
    result = results["negative_days"]
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "-3" in result.stderr


# --------------------------------------------------------------------------------------------
# scenarios list | show | validate, and --help (in process: no error path here)


def run_main(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_scenarios_list_lists_every_preset(capsys):
    code, out, _ = run_main(capsys, "scenarios", "list")
    assert code == 0
    names = [line.split()[0] for line in out.splitlines() if line.strip()]
    assert names == list(list_scenarios())
    baseline = next(line for line in out.splitlines() if line.startswith("baseline"))
    assert load_scenario("baseline").title in baseline
    assert "(default)" in baseline


def test_scenarios_show_prints_title_and_narrative(capsys):
    config = load_scenario("baseline")
    code, out, _ = run_main(capsys, "scenarios", "show", "baseline")
    assert code == 0
    assert config.title in out
    assert config.narrative
    for cue in config.narrative:
        assert cue.watch in out
        if cue.ask:
            assert cue.ask in out


def test_scenarios_show_toml_loads_back(capsys, tmp_path):
    code, out, _ = run_main(capsys, "scenarios", "show", "crisis-wakeup", "--format", "toml")
    assert code == 0
    file = tmp_path / "crisis-wakeup.toml"
    file.write_text(out)
    assert load_scenario(file) == load_scenario("crisis-wakeup")


def test_scenarios_show_json_with_set_loads_back(capsys):
    code, out, _ = run_main(capsys, "scenarios", "show", "baseline", "--format", "json",
                            "--set", "market.n_customers=1234")
    assert code == 0
    data = json.loads(out)
    assert load_scenario(data) == load_scenario("baseline", {"market.n_customers": 1234})


def test_scenarios_validate_accepts_every_preset(capsys):
    code, out, err = run_main(capsys, "scenarios", "validate",
                              *(str(p) for p in list_scenarios().values()))
    assert code == 0, err
    assert len([line for line in out.splitlines() if line.startswith("ok")]) == len(
        list_scenarios())


def test_scenarios_validate_fails_on_a_broken_file(capsys, tmp_path):
    broken = tmp_path / "broken.toml"
    broken.write_text('[market]\nnetwork = "smallworld"\n')
    code, out, err = run_main(capsys, "scenarios", "validate", "baseline", str(broken))
    assert code == 2
    assert str(broken) in err and "market.network" in err
    assert out.startswith("ok")


def _subcommand_paths() -> list[tuple[str, ...]]:
    paths = []

    def walk(parser: argparse.ArgumentParser, prefix: tuple[str, ...]) -> None:
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    paths.append((*prefix, name))
                    walk(sub, (*prefix, name))

    walk(build_parser(), ())
    return paths


SUBCOMMANDS = _subcommand_paths()


def test_core_subcommands_are_registered():
    for path in [("run",), ("scenarios",), ("scenarios", "list"), ("scenarios", "show"),
                 ("scenarios", "validate")]:
        assert path in SUBCOMMANDS


@pytest.mark.parametrize("path", [(), *SUBCOMMANDS], ids=lambda p: " ".join(p) or "socbiz")
def test_help_of_each_subcommand_works(capsys, path):
    with pytest.raises(SystemExit) as info:
        main([*path, "--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: socbiz" + "".join(f" {p}" for p in path))
