"""Bad input of every class gets the one-line error (exit 2, no traceback), caps hold, and no
computed result is lost to a folder that cannot take it (issue #14).

Most cases run ``simulation.cli.main`` in this process (fast); a few run the real command in a
subprocess to check what a user's terminal shows. The property-based tests (Hypothesis) generate
malformed scenario and experiment files: random bytes, random encodings, random nesting, and
random keys and values of random types in every table.
"""

from __future__ import annotations

import contextlib
import errno
import io
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from simulation import cli as cli_module
from simulation import runner
from simulation.cli import build_parser, main
from simulation.config import MAX_BRANDS, MAX_HORIZON_DAYS
from simulation.schema import MAX_NESTING_DEPTH

REPO = Path(__file__).resolve().parents[1]
TINY = ["--set", "market.n_customers=300", "--days", "3", "--no-plots", "--quiet"]
EXPERIMENT = """scenario = "baseline"
days = 2
[overrides]
market.n_customers = 300
[[parameters]]
key = "brands.acme.content.posts_per_day"
values = [0.5, 1]
"""


def call(*argv: str) -> tuple[int, str, str]:
    """``socbiz ARGV`` in this process: exit status, stdout, stderr."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(list(argv))
        except SystemExit as exit_:
            code = exit_.code if isinstance(exit_.code, int) else 2
    return code, out.getvalue(), err.getvalue()


def assert_one_line(err: str, *parts: str, prefix: str = "socbiz: error:") -> str:
    assert "Traceback" not in err, err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith(prefix), lines[0]
    for part in parts:
        assert part in lines[0], (part, lines[0])
    return lines[0]


def user_error(*argv: str, parts: tuple[str, ...] = ()) -> str:
    code, _out, err = call(*argv)
    assert code == 2, err
    return assert_one_line(err, *parts)


def write(folder: Path, name: str, content: str | bytes) -> str:
    path = folder / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return str(path)


# --------------------------------------------------------------------------------------------
# 1. Encodings and structure


SCENARIO = 'title = "Pâtisserie Élysée"\n[market]\nn_customers = 500\n'


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-32", "latin-1", "cp1252"])
def test_a_file_not_in_utf8_is_one_line_saying_so(tmp_path, encoding):
    path = write(tmp_path, "enc.toml", SCENARIO.encode(encoding))
    line = user_error("scenarios", "validate", path, parts=(path,))
    assert "UTF-8" in line or "not valid TOML" in line  # UTF-16 LE without BOM is not text


def test_a_utf8_byte_order_mark_is_accepted(tmp_path):
    path = write(tmp_path, "bom.toml", b"\xef\xbb\xbf" + SCENARIO.encode())
    code, out, err = call("scenarios", "validate", path)
    assert code == 0, err
    assert "Pâtisserie" in out


def test_binary_data_is_one_line_saying_it_is_not_text(tmp_path):
    path = write(tmp_path, "bin.toml", bytes(range(256)) * 4)
    user_error("scenarios", "validate", path, parts=(path, "not a text file"))
    user_error("sweep", path, "--dry-run", parts=(path,))


@pytest.mark.parametrize("depth", [MAX_NESTING_DEPTH + 1, 300, 5000, 100_000])
@pytest.mark.parametrize("shape", ["[", "{a = "])
def test_deep_nesting_is_one_line_at_any_depth(tmp_path, depth, shape):
    close = "]" if shape == "[" else "}"
    text = "title = " + shape * depth + "1" + close * depth + "\n"
    path = write(tmp_path, "deep.toml", text)
    line = user_error("scenarios", "validate", path, parts=(path, "nested"))
    assert len(line) < 500
    experiment = write(tmp_path, "deep_exp.toml", EXPERIMENT + text.replace("title", "x"))
    user_error("sweep", experiment, "--dry-run", parts=("nested",))


def test_deep_nesting_in_a_set_value_is_one_line():
    user_error("scenarios", "show", "baseline", "--set", "title=" + "[" * 3000 + "]" * 3000,
               parts=("--set title", "nest"))


def test_file_size_is_capped_before_reading_it_all(tmp_path, monkeypatch):
    import simulation.scenario as scenario

    monkeypatch.setattr(scenario, "MAX_FILE_BYTES", 1000)
    path = write(tmp_path, "big.toml", SCENARIO + "#" * 2000 + "\n")
    user_error("scenarios", "validate", path, parts=("too large", "1,000 bytes"))


def test_odd_paths_are_one_line(tmp_path):
    user_error("run", "x" * 300 + ".toml", *TINY, parts=("no such scenario file",))
    user_error("run", "/".join(["abc"] * 1500) + ".toml", *TINY)
    folder = tmp_path / "folder.toml"
    folder.mkdir()
    user_error("sweep", str(folder), "--dry-run", parts=("no such experiment file",))


def test_real_subprocess_shows_one_line_for_binary_and_deep_files(tmp_path):
    binary = write(tmp_path, "bin.toml", b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    deep = write(tmp_path, "deep.toml", "x = " + "[" * 20_000 + "]" * 20_000 + "\n")
    env = {**os.environ, "PYTHONPATH": str(REPO), "MPLBACKEND": "Agg"}
    done = subprocess.run([sys.executable, "-m", "simulation", "scenarios", "validate", binary,
                           deep], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 2, done.stderr  # one line per bad file
    assert lines[0].startswith(f"socbiz: error: {binary}: is not a text file")
    assert lines[1].startswith(f"socbiz: error: {deep}: arrays or tables nested")


# --------------------------------------------------------------------------------------------
# 2. Outputs that cannot be written: checked before the work, rescued after it


@pytest.fixture
def no_simulation(monkeypatch):
    """Fail the test if a run starts: the folder must be refused before any work."""

    def refuse(*args, **kwargs):
        raise AssertionError("the simulation ran before the output folder was checked")

    monkeypatch.setattr(runner, "run_scenario", refuse)


def test_out_that_is_a_file_or_under_a_file_is_refused_before_the_run(tmp_path, no_simulation):
    a_file = tmp_path / "a_file"
    a_file.write_text("x")
    user_error("run", *TINY, "--out", str(a_file), parts=("is a file, not a folder",))
    user_error("run", *TINY, "--out", str(a_file / "sub" / "dir"),
               parts=("cannot be created", "is a file"))


def test_unwritable_out_is_refused_before_the_run(tmp_path, no_simulation, monkeypatch):
    real = Path.write_bytes

    def denied(self, data):
        if self.name.startswith(".socbiz-write-test"):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(self))
        return real(self, data)

    monkeypatch.setattr(Path, "write_bytes", denied)
    user_error("run", *TINY, "--out", str(tmp_path / "new" / "out"),
               parts=("not writable", "Permission denied"))


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only-mode folders")
def test_read_only_folder_is_refused_before_the_run(tmp_path, no_simulation):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        user_error("run", *TINY, "--out", str(locked / "out"), parts=("not writable",))
    finally:
        locked.chmod(0o700)


def test_a_disk_without_room_for_the_estimate_is_refused_before_the_run(tmp_path,
                                                                        no_simulation,
                                                                        monkeypatch):
    import shutil

    usage = shutil.disk_usage(tmp_path)
    monkeypatch.setattr(shutil, "disk_usage",
                        lambda path: usage._replace(free=10_000))
    user_error("run", *TINY, "--out", str(tmp_path / "out"), parts=("not enough free space",))


def test_a_disk_that_fills_up_during_the_run_loses_nothing(tmp_path, monkeypatch):
    out = tmp_path / "out"
    real = runner.write_outputs
    calls = []

    def full_disk_for_out(result, folder, plots=True):
        calls.append(Path(folder))
        if Path(folder) == out:
            (out / "timeseries.parquet").parent.mkdir(parents=True, exist_ok=True)
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(result, folder, plots=plots)

    monkeypatch.setattr(runner, "write_outputs", full_disk_for_out)
    code, stdout, err = call("run", *TINY, "--seed", "5", "--out", str(out))
    assert code == 1
    line = assert_one_line(err, str(out), "No space left on device", "nothing is lost")
    rescue = calls[-1]
    assert rescue != out and str(rescue) in line
    frame = pd.read_parquet(rescue / "timeseries.parquet")
    assert sorted(frame["day"].unique()) == list(range(4))
    assert json.loads((rescue / "metadata.json").read_text())["seed"] == 5


def test_rescue_failing_too_is_still_one_line(tmp_path, monkeypatch):
    def always_full(result, folder, plots=True):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(runner, "write_outputs", always_full)
    code, _out, err = call("run", *TINY, "--out", str(tmp_path / "out"))
    assert code == 1
    assert_one_line(err, "could not write the results", "temporary folder")


def test_sweep_into_an_unwritable_folder_is_one_line_before_any_run(tmp_path, monkeypatch):
    import simulation.experiments.worker as worker

    monkeypatch.setattr(worker, "execute_run", lambda *a, **k: pytest.fail("a run started"))
    experiment = write(tmp_path, "exp.toml", EXPERIMENT)
    a_file = tmp_path / "a_file"
    a_file.write_text("x")
    for out in (a_file, a_file / "sub"):
        user_error("sweep", experiment, "--workers", "0", "--quiet", "--out", str(out),
                   parts=("--out",))
    real = Path.write_bytes

    def denied(self, data):
        if self.name.startswith(".socbiz-write-test"):
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(self))
        return real(self, data)

    monkeypatch.setattr(Path, "write_bytes", denied)
    user_error("sweep", experiment, "--workers", "0", "--quiet", "--out",
               str(tmp_path / "ro"), parts=("Read-only file system",))


def test_sweep_survives_a_full_disk_for_its_bookkeeping_and_resumes(tmp_path, monkeypatch):
    experiment = write(tmp_path, "exp.toml", EXPERIMENT)
    out = tmp_path / "results"
    real = Path.write_text
    writes = []

    def fills_after_first(self, data, *args, **kwargs):
        if self.name.startswith(".experiment.json"):
            writes.append(self)
            if len(writes) > 1:  # the first write (before any run) succeeds; the last fails
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(self, data, *args, **kwargs)

    monkeypatch.setattr(Path, "write_text", fills_after_first)
    code, stdout, err = call("sweep", experiment, "--workers", "0", "--quiet", "--out",
                             str(out))
    assert "Traceback" not in err
    assert "socbiz: warning: could not update" in err and "--resume" in err
    assert code == 0, err  # every run was recorded; only the session log is stale
    assert len(list((out / "runs").glob("part-*.parquet"))) == 2
    assert json.loads((out / "experiment.json").read_text())["status"] == "running"
    monkeypatch.setattr(Path, "write_text", real)
    code, stdout, err = call("sweep", experiment, "--workers", "0", "--quiet", "--out",
                             str(out), "--resume")
    assert code == 0, err
    info = json.loads((out / "experiment.json").read_text())
    assert info["status"] == "complete"
    assert info["sessions"][0]["status"].startswith("stopped")
    assert "2 already done" in err


# --------------------------------------------------------------------------------------------
# 3. Caps


def _grid(levels: int, n_params: int) -> str:
    text = 'scenario = "baseline"\ndays = 2\n'
    for i in range(n_params):
        key = ("brands.acme.budget", "brands.acme.training_budget", "brands.acme.ads_per_day",
               "brands.brio.budget", "brands.brio.training_budget", "brands.brio.ads_per_day",
               "brands.cerise.budget")[i]
        text += f'[[parameters]]\nkey = "{key}"\nlow = 0\nhigh = 1000\nn_levels = {levels}\n'
    return text


def test_a_huge_grid_is_refused_at_once_without_building_it(tmp_path):
    path = write(tmp_path, "grid.toml", _grid(1000, 7))
    started = time.process_time()
    user_error("sweep", path, "--dry-run", parts=("1,000,000,000,000,000,000,000 points",
                                                  "at most 1,000,000"))
    assert time.process_time() - started < 5  # counted, not built


def test_a_large_design_is_checked_on_its_extremes_and_a_sample(tmp_path, monkeypatch):
    """Above FULL_CHECK_POINTS the points are not all applied one by one; a rule between two
    values (share_active <= share_engaging) that only the corner of the grid breaks is still
    found, and a valid design is accepted."""
    from simulation.experiments.spec import checks

    monkeypatch.setattr(checks, "FULL_CHECK_POINTS", 50)
    monkeypatch.setattr(checks, "SAMPLE_CHECK_POINTS", 5)
    grid = ('scenario = "baseline"\ndays = 2\n[overrides]\nmarket.n_customers = 300\n'
            '[[parameters]]\nkey = "market.share_engaging"\nlow = {lo}\nhigh = 0.9\n'
            'n_levels = 20\n[[parameters]]\nkey = "market.share_active"\nlow = 0.01\n'
            'high = 0.2\nn_levels = 20\n')
    # Only share_engaging's lowest levels with share_active's highest break the rule.
    user_error("sweep", write(tmp_path, "bad.toml", grid.format(lo=0.15)), "--dry-run",
               parts=("design point", "share_active"))
    code, _, err = call("sweep", write(tmp_path, "good.toml", grid.format(lo=0.2)),
                        "--dry-run")
    assert code == 0, err
    assert len(checks.points_to_check(_design_of(tmp_path / "good.toml"))) < 400


def _design_of(path):
    from simulation.experiments.spec import load_experiment

    return load_experiment(str(path)).design


def test_too_many_runs_is_refused(tmp_path):
    text = EXPERIMENT.replace("days = 2", "days = 2\nreplicates = 1000000").replace(
        "values = [0.5, 1]", "low = 0\nhigh = 4\nn_levels = 100")
    user_error("sweep", write(tmp_path, "runs.toml", text), "--dry-run",
               parts=("replicates", "runs (at most 10,000,000)"))


def test_a_huge_sensitivity_sample_is_refused(tmp_path):
    text = ('scenario = "baseline"\nmethod = "sobol"\nn = 16777216\n' + "".join(
        f'[[parameters]]\nkey = "brands.acme.departments.{d}.adoption"\nlow = 0\nhigh = 1\n'
        for d in ("hr", "crm", "pr")))
    user_error("sensitivity", write(tmp_path, "sens.toml", text), "--dry-run",
               parts=("points",))


def test_brand_and_agency_counts_are_capped(tmp_path):
    brands = "".join(f"[brands.b{i}]\nmarket_share = 0.01\n" for i in range(MAX_BRANDS + 1))
    user_error("scenarios", "validate", write(tmp_path, "brands.toml", brands),
               parts=("brands", f"at most {MAX_BRANDS}"))
    agencies = "".join(f"[agencies.a{i}]\n" for i in range(51))
    user_error("scenarios", "validate", write(tmp_path, "agencies.toml", agencies),
               parts=("agencies", "at most 50"))


def test_text_and_list_sizes_are_capped(tmp_path):
    user_error("scenarios", "validate", write(tmp_path, "t.toml", f'title = "{"t" * 5000}"\n'),
               parts=("title", "at most 200 characters"))
    from simulation.scenario import ScenarioError, load_scenario

    # Long lists through the loader directly (parsing 10,000 TOML tables is what costs time;
    # the cap itself is checked before any item is converted).
    with pytest.raises(ScenarioError, match=r"references: 200,000 items \(at most 1,000\)"):
        load_scenario({"references": ["r"] * 200_000})
    entry = {"kind": "sponsorship", "brand": "acme"}
    with pytest.raises(ScenarioError, match=r"timeline: 10,001 items \(at most 10,000\)"):
        load_scenario({"timeline": [entry] * 10_001})
    values = EXPERIMENT.replace("[0.5, 1]", "[" + ", ".join(str(i) for i in range(20_000)) + "]")
    user_error("sweep", write(tmp_path, "v.toml", values), "--dry-run",
               parts=("values", "at most 10,000"))


def test_name_length_is_capped(tmp_path):
    user_error("scenarios", "validate", write(tmp_path, "n.toml", f"[brands.{'b' * 10_000}]\n"),
               parts=("at most 64 characters",))


def test_customer_cap_is_one_documented_constant():
    from simulation.config import MAX_CUSTOMERS, MarketConfig
    from simulation.schema import LIMITS

    assert LIMITS["MAX_CUSTOMERS"].value == MAX_CUSTOMERS
    field = next(f for f in MarketConfig.__dataclass_fields__.values()
                 if f.name == "n_customers")
    assert field.metadata["hi"] == MAX_CUSTOMERS
    user_error("run", "--set", f"market.n_customers={MAX_CUSTOMERS + 1}", "--days", "1",
               parts=("market.n_customers", f"{MAX_CUSTOMERS:,}"))


def test_every_limit_is_in_the_odd_table():
    from simulation.docs import ODD_PATH, limit_parameters

    text = ODD_PATH.read_text(encoding="utf-8")
    rows = limit_parameters()
    assert len(rows) >= 15
    for row in rows:
        assert f"`{row.path}`" in text


# --------------------------------------------------------------------------------------------
# 4. Cross-field constraints: each refused with the key path


CROSS_FIELD = {
    "crisis_l1_above_l2": ("[word_of_mouth]\ncrisis_l1 = 0.2\ncrisis_l2 = 0.1\n",
                           "word_of_mouth.crisis_l2"),
    "crisis_l2_above_l3": ("[word_of_mouth]\ncrisis_l2 = 0.4\ncrisis_l3 = 0.3\n",
                           "word_of_mouth.crisis_l3"),
    "alert_above_l1": ("[word_of_mouth]\ncrisis_alert_share = 0.2\ncrisis_l1 = 0.1\n",
                       "word_of_mouth.crisis_alert_share"),
    "department_twice": ('[[timeline]]\nkind = "training"\nbrand = "acme"\n'
                         'departments = ["hr", "marketing", "hr"]\n',
                         "timeline[0].departments[2]"),
    "brand_names_by_case": ("[brands.acme]\n[brands.ACME]\n", "brands.ACME"),
    "agency_names_by_case": ("[agencies.Push]\n[agencies.push]\n", "agencies.push"),
    "name_with_newline": ('[brands."ac\\nme"]\n', "printable"),
    "name_with_nul": ('[brands."ac\\u0000me"]\n', "printable"),
    "name_with_bidi_override": ('[brands."ac\\u202eme"]\n', "printable"),
    "title_with_nul": ('title = "a\\u0000b"\n', "title"),
    "title_on_two_lines": ('title = "a\\nb"\n', "one line"),
    "crisis_seeds_above_population": ("[market]\nn_customers = 100\n[[timeline]]\n"
                                      'kind = "crisis"\nbrand = "acme"\nn_seeds = 100000\n',
                                      "timeline[0].n_seeds"),
    "ngo_activists_above_population": ("[market]\nn_customers = 100\n[[timeline]]\n"
                                       'kind = "crisis"\nbrand = "acme"\ncause = "ngo_attack"\n'
                                       "n_seeds = 30\n", "activists"),
    "exogenous_seeds_above_population": ("[market]\nn_customers = 100\n[word_of_mouth]\n"
                                         "exogenous_seeds = 5000\n",
                                         "word_of_mouth.exogenous_seeds"),
    "timeline_day_1e20": ('[[timeline]]\nkind = "sponsorship"\nbrand = "acme"\nday = 1e20\n',
                          "timeline[0].day"),
    "cue_day_1e20": ('[[narrative]]\nday = 1e20\nwatch = "x"\n', "narrative[0].day"),
}


@pytest.mark.parametrize("name", list(CROSS_FIELD))
def test_cross_field_constraint_is_a_one_line_error_with_its_key_path(tmp_path, name):
    text, key = CROSS_FIELD[name]
    path = write(tmp_path, f"{name}.toml", text)
    user_error("scenarios", "validate", path, parts=(path, key))


def test_market_shares_may_add_up_above_one_because_people_buy_several_brands():
    from simulation.scenario import load_scenario

    config = load_scenario("saturation")
    assert sum(b.market_share for b in config.brands.values()) > 1


def test_window_longer_than_the_run_is_refused(tmp_path):
    path = write(tmp_path, "w.toml", "window_days = 50\n" + EXPERIMENT)
    user_error("sweep", path, "--dry-run", parts=("window_days = 50", "2 days"))


@pytest.mark.parametrize("output", ["phase", "phase:mean", "help_desk", "help_desk:max"])
def test_sensitivity_on_a_categorical_output_is_refused(tmp_path, output):
    text = ('scenario = "baseline"\ndays = 2\nmethod = "morris"\nn = 2\n'
            f'outputs = ["maturity", "{output}"]\n[overrides]\nmarket.n_customers = 300\n'
            '[[parameters]]\nkey = "brands.acme.content.posts_per_day"\nlow = 0.5\nhigh = 2\n')
    user_error("sensitivity", write(tmp_path, "s.toml", text), "--dry-run",
               parts=("outputs[1]", "a category"))


def test_sensitivity_on_the_share_of_help_desk_days_is_allowed(tmp_path):
    text = ('scenario = "baseline"\ndays = 2\nmethod = "morris"\nn = 2\n'
            'outputs = ["help_desk:mean"]\n[overrides]\nmarket.n_customers = 300\n'
            '[[parameters]]\nkey = "brands.acme.content.posts_per_day"\nlow = 0.5\nhigh = 2\n')
    code, _out, err = call("sensitivity", write(tmp_path, "s.toml", text), "--dry-run")
    assert code == 0, err


# --------------------------------------------------------------------------------------------
# 5. Command-line consistency


@pytest.mark.parametrize("address,part", [
    ("not a url", "tcp://HOST:PORT"),
    ("http://127.0.0.1:8787", "dashboard"),
    ("tcp://127.0.0.1:99999", "port"),
    ("tcp://127.0.0.1:1", "cannot reach"),
    ("tcp://no-such-host.invalid:8786", "cannot reach"),
    ("", "tcp://HOST:PORT"),
])
def test_a_bad_scheduler_address_is_one_line_at_once(tmp_path, address, part):
    started = time.perf_counter()
    user_error("sweep", write(tmp_path, "e.toml", EXPERIMENT), "--scheduler", address,
               parts=("--scheduler", part))
    assert time.perf_counter() - started < 8


def test_a_port_that_is_not_a_dask_scheduler_is_one_line_without_the_connect_timeout(tmp_path):
    """A listening port that never sends Dask's handshake (a web server, a database) is refused
    after the probe's few seconds, not after the client's whole connect timeout."""
    import socket
    import threading

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    accepted = []
    threading.Thread(target=lambda: accepted.append(listener.accept()), daemon=True).start()
    address = f"tcp://127.0.0.1:{listener.getsockname()[1]}"
    started = time.perf_counter()
    try:
        user_error("sweep", write(tmp_path, "e.toml", EXPERIMENT), "--scheduler", address,
                   parts=("--scheduler", "not a Dask scheduler"))
    finally:
        listener.close()
    assert time.perf_counter() - started < 8


def test_seed_has_the_same_bound_on_the_command_line_as_in_files():
    from simulation.config import ScenarioConfig

    hi = ScenarioConfig.__dataclass_fields__["seed"].metadata["hi"]
    assert build_parser().parse_args(["run", "--seed", str(hi)]).seed == hi
    for bad in (str(hi + 1), str(2**64), "-1", "1.5", "1" + "0" * 5000):
        user_error("run", "--seed", bad, parts=("--seed",))


def test_days_are_bounded_like_horizon_days():
    assert build_parser().parse_args(["run", "--days", str(MAX_HORIZON_DAYS)]).days
    user_error("run", "--days", str(MAX_HORIZON_DAYS + 1), parts=("--days",))


@pytest.mark.parametrize("level", ["7", "0", "1", "-1", "nan", "inf", "x"])
def test_conf_level_must_be_between_0_and_1(tmp_path, level):
    user_error("sweep-plot", str(tmp_path), "followers", "--conf-level", level,
               parts=("--conf-level",))


def test_workers_are_capped():
    user_error("sweep", "x.toml", "--workers", "1000000", parts=("--workers", "1,024"))
    user_error("validate", "--seeds", "1000000000", parts=("--seeds",))


def test_scenarios_validate_uses_the_documented_error_form(tmp_path):
    broken = write(tmp_path, "broken.toml", '[market]\nnetwork = "smallworld"\n')
    code, out, err = call("scenarios", "validate", "baseline", broken)
    assert code == 2
    assert out.startswith("ok")
    assert_one_line(err, broken, "market.network")


# --------------------------------------------------------------------------------------------
# 6. An unexpected internal error: one line pointing at the full traceback


def test_an_internal_error_is_one_line_with_the_traceback_in_a_file(monkeypatch):
    def crash():
        raise ZeroDivisionError("a bug, not a user mistake")

    monkeypatch.setattr(cli_module, "list_scenarios", crash)
    code, _out, err = call("scenarios", "list")
    assert code == 1
    line = assert_one_line(err, "ZeroDivisionError", prefix="socbiz: internal error:")
    report = Path(line.split("full traceback in ")[1].split(";")[0])
    assert report.is_file()
    text = report.read_text()
    assert "Traceback" in text and "a bug, not a user mistake" in text
    report.unlink()


# --------------------------------------------------------------------------------------------
# 7. Property-based: malformed files of every kind, every table


SCENARIO_TABLES = ["", "market", "behaviour", "word_of_mouth", "organisation", "classifier",
                   "brands.acme", "brands.acme.content", "brands.acme.culture",
                   "brands.acme.departments.marketing", "agencies.pushpin", "timeline",
                   "narrative"]
EXPERIMENT_TABLES = ["", "overrides", "parameters"]
KNOWN_KEYS: dict[str, list[str]] = {}


def _known_keys(kind: str, table: str) -> list[str]:
    """Real keys of a table (so that values of wrong types hit real fields too)."""
    key = f"{kind}:{table}"
    if key not in KNOWN_KEYS:
        from simulation.experiments.spec import ExperimentSpec, Parameter
        from simulation.scenario import load_scenario

        if kind in ("sweep", "sensitivity"):
            from simulation.experiments.sensitivity import SensitivitySpec

            top = ExperimentSpec if kind == "sweep" else SensitivitySpec
            cls = {"": top, "parameters": Parameter}.get(table)
            names = [f.name for f in cls.__dataclass_fields__.values()] if cls else [
                "market.n_customers", "brands.acme.budget", "horizon_days"]
        else:
            node = load_scenario("baseline").to_dict()
            for part in [p for p in table.split(".") if p]:
                node = node.get(part, {}) if isinstance(node, dict) else {}
            if isinstance(node, list):
                node = node[0] if node else {"kind": "training", "day": 1, "brand": "acme"}
            names = list(node) if isinstance(node, dict) else []
            if table == "timeline":
                names += ["kind", "day", "brand", "departments", "n_seeds", "cause"]
        KNOWN_KEYS[key] = names or ["x"]
    return KNOWN_KEYS[key]


text_values = st.text(st.characters(codec="utf-8"), max_size=80)
scalars = st.one_of(
    st.booleans(), st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True), text_values,
    st.sampled_from(["acme", "brio", "marketing", "hr", "training", "crisis", "grid", "lhs",
                     "followers", "phase", "small_world", "beliefs", "", " ", "ACME"]),
    st.datetimes(), st.dates())
values = st.recursive(scalars, lambda children: st.one_of(
    st.lists(children, max_size=4), st.dictionaries(text_values, children, max_size=3)),
    max_leaves=12)


def _set_in(data: dict, table: str, key: str, value) -> None:
    node = data
    for part in [p for p in table.split(".") if p]:
        nxt = node.get(part)
        if isinstance(nxt, list):
            if not nxt:
                nxt.append({})
            nxt = nxt[0]
        if not isinstance(nxt, dict):
            nxt = node[part] = {}
        node = nxt
    node[key] = value


@st.composite
def malformed_scenarios(draw) -> bytes:
    import tomli_w

    from simulation.scenario import load_scenario

    how = draw(st.sampled_from(["bytes", "encoding", "nesting", "fields"]))
    if how == "bytes":
        return draw(st.binary(max_size=2000))
    base = load_scenario("baseline").to_dict()
    base.pop("name", None)
    if how == "encoding":
        base["title"] = draw(st.text(min_size=1, max_size=30))
        text = tomli_w.dumps(base)
        encoding = draw(st.sampled_from(["utf-16", "utf-16-le", "utf-16-be", "utf-32",
                                         "latin-1", "cp1252", "utf-8-sig", "utf-8"]))
        return text.encode(encoding, errors="replace")
    if how == "nesting":
        depth = draw(st.integers(1, 3000))
        opener = draw(st.sampled_from(["[", "{a = ", "[{a = "]))
        closer = {"[": "]", "{a = ": "}", "[{a = ": "}]"}[opener]
        table = draw(st.sampled_from(["", "[market]\n", "[brands.acme]\n"]))
        key = draw(st.sampled_from(["x", "title", "n_customers", "budget"]))
        return (table + f"{key} = " + opener * depth + "1" + closer * depth + "\n").encode()
    for _ in range(draw(st.integers(1, 4))):
        table = draw(st.sampled_from(SCENARIO_TABLES))
        key = draw(st.one_of(st.sampled_from(_known_keys("scenario", table)), text_values))
        _set_in(base, table, key, draw(values))
    return tomli_w.dumps(base).encode()


@st.composite
def malformed_experiments(draw) -> tuple[str, bytes]:
    """(command, file): a sweep or a sensitivity spec, broken in one of several ways."""
    import tomli_w

    command = draw(st.sampled_from(["sweep", "sensitivity"]))
    data = {"scenario": "baseline", "days": 2, "overrides": {"market.n_customers": 300},
            "parameters": [{"key": "brands.acme.content.posts_per_day", "values": [0.5, 1]}]}
    if command == "sensitivity":
        data.update(method="morris", n=2)
        data["parameters"] = [{"key": "brands.acme.content.posts_per_day", "low": 0.5,
                               "high": 2}]
    how = draw(st.sampled_from(["bytes", "fields", "fields", "nesting"]))
    if how == "bytes":
        return command, draw(st.binary(max_size=2000))
    if how == "nesting":
        depth = draw(st.integers(1, 3000))
        return command, ("title = " + "[" * depth + "]" * depth + "\n" + EXPERIMENT).encode()
    for _ in range(draw(st.integers(1, 3))):
        table = draw(st.sampled_from(EXPERIMENT_TABLES))
        key = draw(st.one_of(st.sampled_from(_known_keys(command, table)), text_values))
        _set_in(data, table, key, draw(values))
    return command, tomli_w.dumps(data).encode()


def _check_outcome(code: int, err: str) -> None:
    event(f"exit {code}")
    assert "Traceback" not in err, err
    if code == 0:
        return
    assert code == 2, err
    assert_one_line(err)


EXAMPLES = {"scenario": 80, "experiment": 50}


@settings(max_examples=EXAMPLES["scenario"], deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(content=malformed_scenarios())
def test_property_malformed_scenario_files_get_one_line_or_load(content):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzz.toml"
        path.write_bytes(content)
        code, _out, err = call("scenarios", "validate", str(path))
    _check_outcome(code, err)


@settings(max_examples=EXAMPLES["experiment"], deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(case=malformed_experiments())
def test_property_malformed_experiment_files_get_one_line_or_load(case):
    command, content = case
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzz.toml"
        path.write_bytes(content)
        code, _out, err = call(command, str(path), "--dry-run")
    _check_outcome(code, err)


@pytest.mark.parametrize("host", ["not a host", "", "exa mple", "300.1.2.3.4.nowhere.invalid"])
def test_a_dashboard_host_that_is_not_an_address_is_one_line(host):
    # Refused by the argument parser, before Solara is started or a port is probed (a bad
    # host used to be reported as "port already in use").
    user_error("dashboard", "--host", host, parts=("--host",))


# --------------------------------------------------------------------------------------------
# Places to write to, and workshop files, checked before any work


@pytest.fixture
def results_folder(tmp_path):
    """A folder that passes for a results folder until its runs are read."""
    folder = tmp_path / "results"
    folder.mkdir()
    (folder / "experiment.json").write_text(json.dumps({"design": {"parameters": []}}))
    return folder


def test_an_output_place_that_cannot_take_the_outputs_is_refused_before_the_work(
        tmp_path, results_folder):
    """validate, export, discover, sweep-plot and survival name the option and the place in
    one line, exit 2, before running or reading anything (validate would otherwise lose its
    patterns' runs at the end)."""
    a_file = tmp_path / "a-file"
    a_file.write_text("")
    (tmp_path / "a-folder").mkdir()
    started = time.perf_counter()
    user_error("validate", "--out", str(a_file), "--seeds", "2", "--only", "P1",
               parts=("--out", "is a file, not a folder"))
    assert time.perf_counter() - started < 20  # refused, not run (a pattern takes a minute)
    user_error("export", str(results_folder), "--csv", "--out", str(a_file / "x"),
               parts=("--out",))
    user_error("discover", str(results_folder), "--output", "x", "--condition", ">= 1",
               "--out", str(a_file), parts=("--out",))
    user_error("sweep-plot", str(results_folder), "followers", "--png",
               str(tmp_path / "f.txt"), parts=("--png", "'.txt' is not a figure format"))
    user_error("survival", str(results_folder), "x", "--png", str(tmp_path / "a-folder"),
               parts=("--png", "is a folder"))


def test_a_file_that_is_not_a_workshop_file_is_refused_and_left_as_it_was(tmp_path):
    """replay, debrief and --resume refuse a text file, random bytes, an empty file and
    another program's SQLite database in one line, without writing a byte to any of them."""
    import sqlite3

    text = tmp_path / "notes.sqlite"
    text.write_text("not a database")
    noise = tmp_path / "noise.sqlite"
    noise.write_bytes(os.urandom(4096))
    empty = tmp_path / "empty.sqlite"
    empty.write_bytes(b"")
    other = tmp_path / "other.sqlite"
    with contextlib.closing(sqlite3.connect(other)) as db:
        db.execute("CREATE TABLE t (x)")
        db.commit()
    for path in (text, noise, empty, other):
        before = path.read_bytes()
        for argv in (["workshop", "replay", str(path)], ["workshop", "debrief", str(path)],
                     ["workshop", "--resume", str(path), "--port", "0"]):
            user_error(*argv, parts=(path.name, "not a socbiz workshop file"))
        assert path.read_bytes() == before, path.name
        assert sorted(p.name for p in tmp_path.glob(path.name + "*")) == [path.name]


def test_a_damaged_workshop_file_is_one_line(tmp_path):
    """A workshop file whose rows were edited (a settings row that is not JSON) is one line
    naming the file, not a traceback."""
    import sqlite3

    from simulation.workshop.config import load_workshop
    from simulation.workshop.engine import Workshop

    config, base = load_workshop("launch", {"customers": 1500, "round_days": 5, "teams": 2})
    Workshop.create(tmp_path / "w.sqlite", config, base).close()
    with contextlib.closing(sqlite3.connect(tmp_path / "w.sqlite")) as db:
        db.execute("UPDATE meta SET value = '{broken' WHERE key = 'config'")
        db.commit()
    user_error("workshop", "replay", str(tmp_path / "w.sqlite"),
               parts=("w.sqlite", "damaged workshop file"))


def test_french_numbers_keep_their_narrow_spaces_in_one_line_errors():
    """A French range reads "10 000 000" (narrow no-break spaces), not an escaped
    "\\u202f"; control characters are still shown escaped."""
    code, _out, err = call("run", "--lang", "fr", "--set", "market.n_customers=5", *TINY[2:])
    assert code == 2 and "10\u202f000\u202f000" in err and "\\u202f" not in err, err
    from simulation.schema import one_line

    assert one_line("a\nb\u00a0c\u202fd") == "a\\nb\u00a0c\u202fd"


def test_a_damaged_run_file_is_named_in_one_line_and_resume_runs_it_again(tmp_path):
    """A runs partition that cannot be read (overwritten, truncated) is one line naming it in
    export and sweep-plot, and `sweep --resume` runs that run again instead of counting it
    done; afterwards the folder reads whole."""
    from simulation.experiments import load_runs

    exp = write(tmp_path, "exp.toml", EXPERIMENT)
    out = tmp_path / "out"
    code, _out, err = call("sweep", exp, "--workers", "0", "--out", str(out), "--quiet")
    assert code == 0, err
    part = sorted((out / "runs").glob("part-*.parquet"))[0]
    part.write_bytes(b"junk!")
    user_error("export", str(out), "--csv", parts=(part.name, "damaged results file"))
    user_error("sweep-plot", str(out), "followers", parts=(part.name, "damaged"))
    code, _out, err = call("sweep", exp, "--workers", "0", "--out", str(out), "--quiet",
                           "--resume")
    assert code == 0, err
    assert "cannot be read" in err and "will run again" in err, err
    assert len(load_runs(out)) == 2 * 3  # both runs, three brands each


def test_a_number_that_is_not_whole_is_refused_as_a_number_not_as_an_integer(tmp_path):
    """In a field that takes an integer or a float (a parameter's values), nan is refused as
    a number that must be finite, not as "must be an integer"."""
    exp = write(tmp_path, "nan.toml", EXPERIMENT.replace("values = [0.5, 1]",
                                                         "values = [nan, 1]"))
    line = user_error("sweep", exp, "--dry-run", parts=("values[0] = nan", "finite"))
    assert "integer" not in line
