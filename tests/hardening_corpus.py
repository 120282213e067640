"""A corpus of malformed inputs and bad command lines, generated on the fly, run through the CLI.

Usage::

    .venv/bin/python tests/hardening_corpus.py [FOLDER] [--only CLASS] [--show-failures]

Each case writes its files into FOLDER (default /work/coord/hardening-corpus, kept outside the
repository so that it measures what users send, not what the tests were tuned on), runs
``simulation.cli.main(argv)`` in this process (fast: no interpreter start per case) with a time
limit (CPU seconds), and checks the documented form of a user mistake: exit status 2, exactly one line on
stderr starting ``socbiz: error:``, no traceback. A few cases expect another status (a result
rescued after a failed write: exit 1, one line, files in the rescue folder).

It prints, per class, the number of cases tried and handled; the table is what the hardening
issue (#14) reports. Not collected by pytest (the file name does not start with ``test_``);
tests/test_hardening.py holds the fast tests of each class.
"""

from __future__ import annotations

import contextlib
import errno
import io
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import traceback
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from unittest import mock

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

TINY = ["--set", "market.n_customers=200", "--days", "2", "--no-plots", "--quiet"]
SCENARIO = """title = "Corpus"
horizon_days = 30
[market]
n_customers = 200
[brands.acme]
market_share = 0.2
[brands.brio]
market_share = 0.1
"""
EXPERIMENT = """title = "Corpus"
scenario = "baseline"
days = 2
[overrides]
market.n_customers = 200
[[parameters]]
key = "brands.acme.content.posts_per_day"
values = [0.5, 1]
"""
SENSITIVITY = """scenario = "baseline"
days = 2
method = "morris"
n = 2
[overrides]
market.n_customers = 200
[[parameters]]
key = "brands.acme.content.posts_per_day"
low = 0.5
high = 2
"""


@dataclass
class Case:
    klass: str
    name: str
    argv: list[str]
    expect: int = 2
    patch: Callable[[], contextlib.AbstractContextManager] | None = None
    check: Callable[[str, str], bool] | None = None  # extra check on (stdout, stderr)
    timeout: int = 60


@dataclass
class Outcome:
    code: int | str
    out: str
    err: str
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)


class Timeout(Exception):
    pass


def run_case(case: Case) -> Outcome:
    from simulation.cli import main

    out, err = io.StringIO(), io.StringIO()

    def on_alarm(signum, frame):
        raise Timeout

    # CPU time of this process (SIGPROF), not wall time: the machine may be shared and loaded.
    # A case that blocks without computing (a network wait) is bounded by its own timeouts.
    previous = signal.signal(signal.SIGPROF, on_alarm)
    signal.setitimer(signal.ITIMER_PROF, case.timeout)
    code: int | str
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), (
                case.patch() if case.patch else contextlib.nullcontext()):
            try:
                code = main(list(case.argv))
            except SystemExit as exit_:
                code = exit_.code if isinstance(exit_.code, int) else 2
    except Timeout:
        code = f"timeout after {case.timeout} s"
    except BaseException as error:  # what a user would see as a traceback
        code = f"exception {type(error).__name__}"
        err.write(traceback.format_exc(limit=3))
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGPROF, previous)
    outcome = Outcome(code, out.getvalue(), err.getvalue())
    lines = [line for line in outcome.err.splitlines() if line.strip()]
    if code != case.expect:
        outcome.problems.append(f"exit {code} (expected {case.expect})")
    if case.expect == 0:  # valid by design (and documented so): success, no traceback
        if "Traceback" in outcome.err:
            outcome.problems.append("traceback")
        return outcome
    if len(lines) != 1:
        outcome.problems.append(f"{len(lines)} lines on stderr")
    elif not lines[0].startswith("socbiz: error:"):
        outcome.problems.append("not the 'socbiz: error:' form")
    if "Traceback" in outcome.err:
        outcome.problems.append("traceback")
    if case.check and not case.check(outcome.out, outcome.err):
        outcome.problems.append("extra check failed")
    return outcome


# --------------------------------------------------------------------------------------------
# The cases, by class


def encodings(root: Path) -> list[Case]:
    d = root / "encodings"
    d.mkdir(parents=True, exist_ok=True)
    rng = random.Random(14)
    cases: list[Case] = []

    def scen(name: str, data: bytes) -> Path:
        path = d / f"{name}.toml"
        path.write_bytes(data)
        return path

    def exp(name: str, data: bytes) -> Path:
        path = d / f"exp_{name}.toml"
        path.write_bytes(data)
        return path

    latin = SCENARIO.replace("Corpus", "Pâtisserie Élysée").encode("latin-1")
    blobs = {
        "utf16_bom": SCENARIO.encode("utf-16"),
        "utf16_le": SCENARIO.encode("utf-16-le"),
        "utf16_be": SCENARIO.encode("utf-16-be"),
        "utf32": SCENARIO.encode("utf-32"),
        "latin1": latin,
        "cp1252": SCENARIO.replace("Corpus", "“Crème” – brûlée").encode("cp1252"),
        "utf8_bom": b"\xef\xbb\xbf" + SCENARIO.encode(),
        "nul_bytes": SCENARIO.encode().replace(b"Corpus", b"Cor\x00pus"),
        "lone_surrogate": SCENARIO.encode().replace(b"Corpus", b"\xed\xa0\x80"),
        "overlong_utf8": SCENARIO.encode().replace(b"Corpus", b"\xc0\xaf"),
        "gzip_magic": b"\x1f\x8b\x08\x00" + bytes(rng.randrange(256) for _ in range(500)),
        "png_magic": b"\x89PNG\r\n\x1a\n" + bytes(rng.randrange(256) for _ in range(500)),
        "zip_magic": b"PK\x03\x04" + bytes(rng.randrange(256) for _ in range(500)),
        "elf_magic": b"\x7fELF" + bytes(rng.randrange(256) for _ in range(500)),
    }
    for i in range(12):
        blobs[f"random_bytes_{i}"] = bytes(rng.randrange(256) for _ in range(rng.randrange(1,
                                                                                           4000)))
    valid = {"utf8_bom"}  # accepted by design: Windows editors add the mark
    for name, blob in blobs.items():
        expect = 0 if name in valid else 2
        cases.append(Case("encodings", f"validate {name}",
                          ["scenarios", "validate", str(scen(name, blob))], expect=expect))
        cases.append(Case("encodings", f"run {name}", ["run", str(scen(name, blob)), *TINY],
                          expect=expect))
        exp_blob = blob if "random" in name or "magic" in name else (
            EXPERIMENT.encode("utf-16") if "utf16" in name else
            EXPERIMENT.replace("Corpus", "Été").encode("latin-1"))
        cases.append(Case("encodings", f"sweep {name}",
                          ["sweep", str(exp(name, exp_blob)), "--dry-run"]))
    # Deep nesting: inline arrays and tables, thousands deep, in scenario and experiment files.
    for depth in (50, 300, 1000, 5000, 50_000):
        arrays = "x = " + "[" * depth + "1" + "]" * depth + "\n"
        tables = "x = " + "{a = " * depth + "1" + "}" * depth + "\n"
        mixed = "x = " + "[{a = " * (depth // 2) + "1" + "}]" * (depth // 2) + "\n"
        for kind, text in (("arrays", arrays), ("tables", tables), ("mixed", mixed)):
            path = scen(f"deep_{kind}_{depth}", text.encode())
            cases.append(Case("encodings", f"validate deep {kind} {depth}",
                              ["scenarios", "validate", str(path)]))
            path = scen(f"deep_title_{kind}_{depth}", text.replace("x = ", "title = ").encode())
            cases.append(Case("encodings", f"validate deep title {kind} {depth}",
                              ["scenarios", "validate", str(path)]))
            path = exp(f"deep_{kind}_{depth}", (EXPERIMENT + "\n[overrides2]\n").replace(
                "[overrides2]\n", "").encode() + b"\n" + text.replace("x = ", "title = ")
                       .encode())
            cases.append(Case("encodings", f"sweep deep {kind} {depth}",
                              ["sweep", str(path), "--dry-run"]))
        # Deep dotted headers: [a.a.a.a...]
        header = "[brands." + ".".join(["a"] * depth) + "]\nx = 1\n"
        path = scen(f"deep_header_{depth}", header.encode())
        cases.append(Case("encodings", f"validate deep header {depth}",
                          ["scenarios", "validate", str(path)]))
        cases.append(Case("encodings", f"--set deep array {depth}",
                          ["scenarios", "show", "baseline", "--set",
                           "title=" + "[" * depth + "]" * depth]))
    # Sizes of the file itself.
    big = d / "huge.toml"
    with open(big, "wb") as handle:
        handle.write(SCENARIO.encode())
        chunk = b"# " + b"x" * 1021 + b"\n"
        for _ in range(40 * 1024):  # 40 MB of comments
            handle.write(chunk)
    cases.append(Case("encodings", "validate 40 MB file", ["scenarios", "validate", str(big)]))
    bigexp = d / "exp_huge.toml"
    bigexp.write_bytes(EXPERIMENT.encode() + b"# " + b"y" * 30_000_000 + b"\n")
    cases.append(Case("encodings", "sweep 30 MB file", ["sweep", str(bigexp), "--dry-run"]))
    # Things that are not regular files.
    cases.append(Case("encodings", "validate a folder", ["scenarios", "validate", str(d) + "/"]))
    folder_toml = d / "folder.toml"
    folder_toml.mkdir(exist_ok=True)
    cases.append(Case("encodings", "validate folder.toml", ["scenarios", "validate",
                                                            str(folder_toml)]))
    cases.append(Case("encodings", "sweep a folder", ["sweep", str(folder_toml), "--dry-run"]))
    cases.append(Case("encodings", "run /dev/null.toml-like", ["run", "/dev/null", *TINY]))
    long_name = "x" * 300 + ".toml"
    cases.append(Case("encodings", "run a 300-character file name", ["run", long_name, *TINY]))
    cases.append(Case("encodings", "sweep a 300-character file name", ["sweep", long_name,
                                                                       "--dry-run"]))
    cases.append(Case("encodings", "validate a 5000-character path",
                      ["scenarios", "validate", "/".join(["abc"] * 1250) + ".toml"]))
    return cases


def _tmpfs(size: str, options: str = "") -> contextlib.AbstractContextManager:
    """A tiny filesystem (root only): a full disk, or a read-only one."""

    @contextlib.contextmanager
    def mounted():
        where = Path(tempfile.mkdtemp(prefix="socbiz-corpus-mnt-"))
        opts = f"size={size}" + (f",{options}" if options else "")
        subprocess.run(["mount", "-t", "tmpfs", "-o", opts, "tmpfs", str(where)], check=True)
        try:
            yield where
        finally:
            subprocess.run(["umount", "-l", str(where)], check=False)
            with contextlib.suppress(OSError):
                where.rmdir()

    return mounted()


def _can_mount() -> bool:
    if os.geteuid() != 0:
        return False
    try:
        with _tmpfs("64k"):
            return True
    except (OSError, subprocess.CalledProcessError):
        return False


class _Mounts:
    """Filesystems mounted for the whole corpus run (unmounted at the end)."""

    def __init__(self):
        self.stack = contextlib.ExitStack()

    def get(self, size: str, options: str = "") -> Path:
        return self.stack.enter_context(_tmpfs(size, options))


def _enospc_after(n_bytes: int, under: Path):
    """Every file write under ``under`` fails with ENOSPC once ``n_bytes`` have been written
    there (that disk filling up while the run computes; other disks keep working)."""
    import builtins

    real_open = builtins.open
    written = {"n": 0}

    class Full(io.RawIOBase):
        pass

    def fake_open(file, mode="r", *args, **kwargs):
        handle = real_open(file, mode, *args, **kwargs)
        if any(m in mode for m in "wax+") and str(file).startswith(str(under)):
            real_write = handle.write

            def write(data):
                written["n"] += len(data)
                if written["n"] > n_bytes:
                    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
                return real_write(data)

            handle.write = write
        return handle

    return mock.patch("builtins.open", fake_open)


def outputs(root: Path, mounts: _Mounts | None) -> list[Case]:
    d = root / "outputs"
    d.mkdir(parents=True, exist_ok=True)
    a_file = d / "a_file"
    a_file.write_text("not a folder\n")
    exp = d / "exp.toml"
    exp.write_text(EXPERIMENT)
    sens = d / "sens.toml"
    sens.write_text(SENSITIVITY)
    cases = [
        Case("outputs", "run --out is a file", ["run", *TINY, "--out", str(a_file)]),
        Case("outputs", "run --out under a file", ["run", *TINY, "--out", str(a_file / "x")]),
        Case("outputs", "run --out deep under a file",
             ["run", *TINY, "--out", str(a_file / "x" / "y" / "z")]),
        Case("outputs", "run --out in /proc", ["run", *TINY, "--out", "/proc/socbiz-out"]),
        Case("outputs", "run --out empty string", ["run", *TINY, "--out", ""]),
        Case("outputs", "run --out 300-character name", ["run", *TINY, "--out",
                                                           str(d / ("o" * 300))]),
        Case("outputs", "sweep --out is a file", ["sweep", str(exp), "--workers", "0",
                                                  "--quiet", "--out", str(a_file)]),
        Case("outputs", "sweep --out under a file", ["sweep", str(exp), "--workers", "0",
                                                     "--quiet", "--out", str(a_file / "x")]),
        Case("outputs", "sweep --out in /proc", ["sweep", str(exp), "--workers", "0", "--quiet",
                                                 "--out", "/proc/socbiz-sweep"]),
        Case("outputs", "sensitivity --out under a file",
             ["sensitivity", str(sens), "--workers", "0", "--quiet", "--out",
              str(a_file / "x")]),
        Case("outputs", "sweep-plot --png under a file",
             ["sweep-plot", str(d), "followers", "--png", str(a_file / "x.png")]),
    ]
    # A disk filling up while a run computes: the results must be rescued.
    def rescue_ok(out: str, err: str) -> bool:
        return "rescue" in err.lower() or "nothing is lost" in err
    fills_up = Path(tempfile.mkdtemp(prefix="fills_up-", dir=d)) / "out"
    cases.append(Case("outputs", "run: disk full at the end (ENOSPC on write)",
                      ["run", *TINY, "--out", str(fills_up)], expect=1,
                      patch=lambda: _enospc_after(1000, fills_up), check=rescue_ok))
    if mounts is not None:
        ro = mounts.get("1m", "ro")
        full = mounts.get("32k")
        (full / "filler").write_bytes(b"\0" * 28_000)
        cases += [
            Case("outputs", "run --out read-only fs", ["run", *TINY, "--out", str(ro / "o")]),
            Case("outputs", "run --out read-only fs root", ["run", *TINY, "--out", str(ro)]),
            Case("outputs", "run --out on a full fs", ["run", *TINY, "--out", str(full / "o")]),
            Case("outputs", "sweep --out read-only fs", ["sweep", str(exp), "--workers", "0",
                                                         "--quiet", "--out", str(ro / "s")]),
            Case("outputs", "sweep --out on a full fs", ["sweep", str(exp), "--workers", "0",
                                                         "--quiet", "--out", str(full / "s")]),
            Case("outputs", "sensitivity --out read-only fs",
                 ["sensitivity", str(sens), "--workers", "0", "--quiet", "--out",
                  str(ro / "t")]),
            Case("outputs", "sweep-plot --png on read-only fs",
                 ["sweep-plot", str(d), "followers", "--png", str(ro / "x.png")]),
        ]
    return cases


def _write(d: Path, name: str, text: str) -> str:
    path = d / f"{name}.toml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def caps(root: Path) -> list[Case]:
    d = root / "caps"
    d.mkdir(parents=True, exist_ok=True)
    cases = []

    def grid(levels: int, n_params: int) -> str:
        text = 'scenario = "baseline"\ndays = 2\n[overrides]\nmarket.n_customers = 200\n'
        keys = ["brands.acme.content.posts_per_day", "brands.acme.content.push_share",
                "brands.acme.budget", "brands.acme.training_budget", "brands.acme.ads_per_day",
                "brands.acme.listening_coverage", "brands.acme.crm_integration",
                "brands.acme.incident_rate"]
        for key in keys[:n_params]:
            high = 1 if "share" in key or "coverage" in key or "integration" in key or (
                "rate" in key) else 1000
            text += f"[[parameters]]\nkey = \"{key}\"\nlow = 0\nhigh = {high}\n"
            text += f"n_levels = {levels}\n"
        return text

    for levels, n in ((1000, 7), (100_000, 3), (10_000, 2), (2000, 4)):
        path = _write(d, f"grid_{levels}x{n}", grid(levels, n))
        cases.append(Case("caps", f"sweep --dry-run grid {levels}^{n}",
                          ["sweep", path, "--dry-run"], timeout=60))
    lhs = ('scenario = "baseline"\ndays = 2\ndesign = "lhs"\nn_samples = 10000000\n'
           '[[parameters]]\nkey = "brands.acme.content.posts_per_day"\nlow = 0\nhigh = 5\n')
    cases.append(Case("caps", "sweep --dry-run lhs 10M samples",
                      ["sweep", _write(d, "lhs_10m", lhs), "--dry-run"], timeout=60))
    reps = EXPERIMENT.replace("days = 2", "days = 2\nreplicates = 1000000")
    reps = reps.replace("values = [0.5, 1]", "low = 0\nhigh = 4\nn_levels = 100000")
    cases.append(Case("caps", "sweep --dry-run 1e11 runs",
                      ["sweep", _write(d, "runs_1e11", reps), "--dry-run"], timeout=60))
    values = EXPERIMENT.replace("values = [0.5, 1]", "values = [" + ", ".join(
        str(i / 1000) for i in range(200_000)) + "]")
    cases.append(Case("caps", "sweep values list of 200,000",
                      ["sweep", _write(d, "values_200k", values), "--dry-run"], timeout=60))
    many_params = EXPERIMENT + "".join(
        f"[[parameters]]\nkey = \"brands.acme.departments.marketing.adoption{i}\"\n"
        f"values = [0.1]\n" for i in range(3000))
    cases.append(Case("caps", "sweep 3000 parameters",
                      ["sweep", _write(d, "params_3000", many_params), "--dry-run"]))
    outputs_long = "outputs = [" + ", ".join(['"followers"'] * 100_000) + "]\n" + EXPERIMENT
    cases.append(Case("caps", "sweep 100,000 outputs",
                      ["sweep", _write(d, "outputs_100k", outputs_long), "--dry-run"]))
    # Scenario sizes.
    brands = "[market]\nn_customers = 200\n" + "".join(
        f"[brands.b{i}]\nmarket_share = 0.0001\n" for i in range(2000))
    cases.append(Case("caps", "2000 brands", ["scenarios", "validate",
                                              _write(d, "brands_2000", brands)]))
    cases.append(Case("caps", "run 2000 brands", ["run", _write(d, "brands_2000_run", brands),
                                                  *TINY], timeout=60))
    agencies = "[market]\nn_customers = 200\n" + "".join(
        f"[agencies.a{i}]\n" for i in range(5000))
    cases.append(Case("caps", "5000 agencies", ["scenarios", "validate",
                                                _write(d, "agencies_5000", agencies)]))
    timeline = "".join(f'[[timeline]]\nkind = "sponsorship"\nday = {i}\nbrand = "acme"\n'
                       for i in range(200_000))
    cases.append(Case("caps", "200,000 timeline entries",
                      ["scenarios", "validate", _write(d, "timeline_200k", timeline)],
                      timeout=60))
    narrative = "".join(f'[[narrative]]\nday = {i}\nwatch = "x"\n' for i in range(100_000))
    cases.append(Case("caps", "100,000 narrative cues",
                      ["scenarios", "validate", _write(d, "narrative_100k", narrative)]))
    cases.append(Case("caps", "5 MB title", ["scenarios", "validate", _write(
        d, "title_5mb", 'title = "' + "t" * 5_000_000 + '"\n')]))
    cases.append(Case("caps", "1 MB description", ["scenarios", "validate", _write(
        d, "description_1mb", 'description = "' + "d" * 1_000_000 + '"\n')]))
    cases.append(Case("caps", "200,000 references", ["scenarios", "validate", _write(
        d, "refs_200k", "references = [" + ", ".join(['"r"'] * 200_000) + "]\n")]))
    cases.append(Case("caps", "100 KB reference", ["scenarios", "validate", _write(
        d, "ref_100k", 'references = ["' + "r" * 100_000 + '"]\n')]))
    cases.append(Case("caps", "10,000-character brand name", ["scenarios", "validate", _write(
        d, "brand_name_10k", f'[brands.{"b" * 10_000}]\nmarket_share = 0.1\n')]))
    cases.append(Case("caps", "5000-character agency name", ["scenarios", "validate", _write(
        d, "agency_name_5k", f'[agencies.{"a" * 5000}]\n')]))
    cases.append(Case("caps", "long narrative text", ["scenarios", "validate", _write(
        d, "cue_long", '[[narrative]]\nday = 1\nwatch = "' + "w" * 200_000 + '"\n')]))
    cases.append(Case("caps", "agencies list of 100,000 in a brand", ["scenarios", "validate",
                      _write(d, "brand_agencies_100k", "[brands.acme]\nagencies = [" + ", ".join(
                          f'"a{i}"' for i in range(100_000)) + "]\n")]))
    cases.append(Case("caps", "training departments list of 100,000", ["scenarios", "validate",
                      _write(d, "training_depts_100k", '[[timeline]]\nkind = "training"\n'
                             'brand = "acme"\ndepartments = [' + ", ".join(
                                 ['"hr"'] * 100_000) + "]\n")]))
    cases.append(Case("caps", "n_customers 10^9", ["run", "--set", "market.n_customers=10**9",
                                                   "--days", "1", "--quiet"]))
    cases.append(Case("caps", "n_customers 1e9 via --set", ["run", "--set",
                                                            "market.n_customers=1000000000",
                                                            "--days", "1", "--quiet"]))
    cases.append(Case("caps", "--set value of 5 MB",
                      ["scenarios", "show", "baseline", "--set", "title=" + "x" * 5_000_000]))
    cases.append(Case("caps", "--set key of 100,000 parts",
                      ["scenarios", "show", "baseline", "--set",
                       ".".join(["a"] * 100_000) + "=1"]))
    cases.append(Case("caps", "run --workers 10^6 (sweep)",
                      ["sweep", _write(d, "exp", EXPERIMENT), "--workers", "1000000",
                       "--quiet", "--out", str(d / "w")]))
    cases.append(Case("caps", "validate --seeds 10^9", ["validate", "--seeds", "1000000000",
                                                        "--only", "1"], timeout=20))
    cases.append(Case("caps", "sensitivity n = 2^24 with 50 parameters", ["sensitivity",
                      _write(d, "sens_huge", SENSITIVITY.replace("n = 2", "n = 16777216")
                             .replace("method = \"morris\"", "method = \"sobol\"") + "".join(
                          f"[[parameters]]\nkey = \"brands.acme.departments.{dep}.adoption\"\n"
                          "low = 0\nhigh = 1\n" for dep in ("hr", "crm", "pr", "rnd"))),
                      "--dry-run"], timeout=60))
    return cases


def cross_field(root: Path) -> list[Case]:
    d = root / "cross"
    d.mkdir(parents=True, exist_ok=True)
    texts = {
        "crisis_l1_above_l2": "[word_of_mouth]\ncrisis_l1 = 0.2\ncrisis_l2 = 0.1\n",
        "crisis_l2_above_l3": "[word_of_mouth]\ncrisis_l2 = 0.4\ncrisis_l3 = 0.3\n",
        "crisis_l1_equals_l3": "[word_of_mouth]\ncrisis_l1 = 0.3\ncrisis_l2 = 0.3\n"
                               "crisis_l3 = 0.3\n",
        "alert_above_l1": "[word_of_mouth]\ncrisis_alert_share = 0.2\ncrisis_l1 = 0.1\n",
        "shares_above_one": "[brands.a]\nmarket_share = 0.7\nawareness = 0.8\n"
                            "[brands.b]\nmarket_share = 0.6\nawareness = 0.8\n",
        "training_department_twice": '[[timeline]]\nkind = "training"\nbrand = "acme"\n'
                                     'departments = ["hr", "marketing", "hr"]\n',
        "brand_names_case": "[brands.acme]\n[brands.ACME]\n",
        "agency_names_case": "[agencies.Push]\n[agencies.push]\n",
        "brand_name_newline": '[brands."ac\\nme"]\n',
        "brand_name_nul": '[brands."ac\\u0000me"]\n',
        "brand_name_tab": '[brands."ac\\tme"]\n',
        "brand_name_escape": '[brands."ac\\u001bme"]\n',
        "brand_name_bidi": '[brands."ac\\u202eme"]\n',
        "agency_name_newline": '[agencies."pu\\nsh"]\n',
        "title_newline_nul": 'title = "a\\u0000b"\n',
        "crisis_seeds_above_population": "[market]\nn_customers = 100\n[[timeline]]\n"
                                         'kind = "crisis"\nbrand = "acme"\nn_seeds = 100000\n',
        "exogenous_seeds_above_population": "[market]\nn_customers = 100\n[word_of_mouth]\n"
                                            "exogenous_seeds = 5000\n",
        "activists_above_population": "[market]\nn_customers = 100\n[word_of_mouth]\n"
                                      "activists_per_seed = 1000\nexogenous_seeds = 10\n",
        "timeline_day_1e20": '[[timeline]]\nkind = "sponsorship"\nbrand = "acme"\nday = 1e20\n',
        "timeline_day_huge_int": '[[timeline]]\nkind = "sponsorship"\nbrand = "acme"\n'
                                 "day = 9223372036854775807\n",
        "narrative_day_1e20": '[[narrative]]\nday = 1e20\nwatch = "x"\n',
        "timeline_after_max_horizon": '[[timeline]]\nkind = "sponsorship"\nbrand = "acme"\n'
                                      "day = 100000\n",
        "sample_above_population": "[market]\nn_customers = 100\nsample_size = 5000\n",
        "hub_without_department": '[brands.acme]\nhub_department = "marketing"\n'
                                  "[brands.acme.departments.marketing]\nheadcount = 0\n",
        "switch_agency_same": '[agencies.x]\n[brands.acme]\nagencies = ["x"]\n[[timeline]]\n'
                              'kind = "switch_agency"\nbrand = "acme"\nagency = "x"\n'
                              'replaces = "x"\n',
        "phase_thresholds_open": "[classifier]\nphase2_adoption = 0\n",
    }
    # Looked for, and valid by design (documented): several brands per customer (shares may add
    # up above 1), a sample larger than the market (clipped), renewing a contract, phase 2 from
    # the start.
    valid = {"shares_above_one", "sample_above_population", "switch_agency_same",
             "phase_thresholds_open"}
    cases = [Case("cross-field", name, ["scenarios", "validate", _write(d, name, text)],
                  expect=0 if name in valid else 2)
             for name, text in texts.items()]
    experiments = {
        "window_longer_than_run": "window_days = 50\n" + EXPERIMENT,
        "window_longer_than_horizon": "window_days = 100000\n" + EXPERIMENT.replace(
            "days = 2\n", ""),
        "sensitivity_on_phase": 'outputs = ["phase"]\n' + SENSITIVITY,
        "sensitivity_on_phase_max": 'outputs = ["maturity", "phase:max"]\n' + SENSITIVITY,
        "sensitivity_on_help_desk": 'outputs = ["help_desk"]\n' + SENSITIVITY,
        "parameter_low_equals_high": EXPERIMENT.replace("values = [0.5, 1]",
                                                        "low = 1\nhigh = 1\nn_levels = 2"),
        "parameter_name_case": EXPERIMENT + '[[parameters]]\nkey = "brands.acme.budget"\n'
                                            'name = "BRANDS.ACME.CONTENT.POSTS_PER_DAY"\n'
                                            "values = [1]\n",
        "timeseries_columns_twice": 'timeseries_columns = ["followers", "followers"]\n'
                                    + EXPERIMENT,
        "parameter_name_newline": EXPERIMENT.replace('values = [0.5, 1]',
                                                     'name = "a\\nb"\nvalues = [0.5, 1]'),
        "brand_not_in_scenario": 'brand = "nosuch"\n' + SENSITIVITY,
    }
    for name, text in experiments.items():
        command = "sensitivity" if "sensitivity" in name or "brand_not" in name else "sweep"
        cases.append(Case("cross-field", f"{command} {name}",
                          [command, _write(d, f"exp_{name}", text), "--dry-run"]))
    return cases


def cli(root: Path) -> list[Case]:
    d = root / "cli"
    d.mkdir(parents=True, exist_ok=True)
    exp = _write(d, "exp", EXPERIMENT)
    broken = _write(d, "broken", '[market]\nnetwork = "smallworld"\n')
    results = d / "results"
    results.mkdir(exist_ok=True)
    (results / "experiment.json").write_text(json.dumps({"design": {"parameters": []}}))
    a_file = d / "a-file"
    a_file.write_text("")
    a_folder = d / "a-folder"
    a_folder.mkdir(exist_ok=True)
    garbage = d / "garbage.sqlite"
    garbage.write_text("not a database")

    def one_line(out: str, err: str) -> bool:
        return err.startswith("socbiz: error:")

    sweep = ["sweep", exp, "--quiet", "--out", str(d / "s")]
    cases = [
        Case("cli", "--scheduler not a url", [*sweep, "--scheduler", "not a url"], timeout=15),
        Case("cli", "--scheduler http://", [*sweep, "--scheduler", "http://127.0.0.1:1"],
             timeout=15),
        Case("cli", "--scheduler tcp:// closed port", [*sweep, "--scheduler",
                                                       "tcp://127.0.0.1:1"], timeout=15),
        Case("cli", "--scheduler tcp://host:99999", [*sweep, "--scheduler",
                                                     "tcp://127.0.0.1:99999"], timeout=15),
        Case("cli", "--scheduler empty", [*sweep, "--scheduler", ""], timeout=15),
        Case("cli", "--scheduler unresolvable host", [*sweep, "--scheduler",
                                                      "tcp://no-such-host.invalid:8786"],
             timeout=15),
        Case("cli", "sensitivity --scheduler not a url",
             ["sensitivity", _write(d, "sens", SENSITIVITY), "--quiet", "--scheduler", "x y",
              "--out", str(d / "t")], timeout=15),
        Case("cli", "run --seed 2^64", ["run", *TINY, "--seed", str(2**64)]),
        Case("cli", "run --seed 2^63", ["run", *TINY, "--seed", str(2**63)]),
        Case("cli", "run --seed -1", ["run", *TINY, "--seed", "-1"]),
        Case("cli", "run --seed 1.5", ["run", *TINY, "--seed", "1.5"]),
        Case("cli", "run --seed 10^4000", ["run", *TINY, "--seed", "1" + "0" * 4000]),
        Case("cli", "run --days 10^30", ["run", "--days", str(10**30), "--quiet"]),
        Case("cli", "run --days 100000", ["run", "--days", "100000", "--quiet"]),
        Case("cli", "run --days abc", ["run", "--days", "abc"]),
        Case("cli", "sweep-plot --conf-level 7", ["sweep-plot", str(results), "followers",
                                                  "--conf-level", "7"]),
        Case("cli", "sweep-plot --conf-level nan", ["sweep-plot", str(results), "followers",
                                                    "--conf-level", "nan"]),
        Case("cli", "sweep-plot --conf-level -1", ["sweep-plot", str(results), "followers",
                                                   "--conf-level", "-1"]),
        Case("cli", "sweep-plot --conf-level 1", ["sweep-plot", str(results), "followers",
                                                  "--conf-level", "1"]),
        Case("cli", "sweep-plot --conf-level inf", ["sweep-plot", str(results), "followers",
                                                    "--conf-level", "inf"]),
        Case("cli", "sweep-plot missing folder", ["sweep-plot", str(d / "nope"), "followers"]),
        Case("cli", "sweep-plot broken experiment.json", ["sweep-plot", str(results),
                                                          "followers"]),
        Case("cli", "scenarios validate broken", ["scenarios", "validate", broken],
             check=one_line),
        Case("cli", "scenarios validate missing", ["scenarios", "validate", str(d / "no.toml")],
             check=one_line),
        Case("cli", "scenarios validate unknown preset", ["scenarios", "validate", "nosuch"],
             check=one_line),
        Case("cli", "scenarios show unknown", ["scenarios", "show", "nosuch"]),
        Case("cli", "scenarios show --format xml", ["scenarios", "show", "baseline", "--format",
                                                    "xml"]),
        Case("cli", "no command", []),
        Case("cli", "unknown command", ["frobnicate"]),
        Case("cli", "unknown option", ["run", "--frobnicate"]),
        Case("cli", "--set without =", ["run", "--set", "title", "--days", "1"]),
        Case("cli", "--set empty key", ["run", "--set", "=3", "--days", "1"]),
        Case("cli", "--set a..b", ["run", "--set", "a..b=3", "--days", "1"]),
        Case("cli", "--set on a scalar", ["run", "--set", "title.x=3", "--days", "1"]),
        Case("cli", "--set horizon_days 1e20", ["run", "--set", "horizon_days=1e20"]),
        Case("cli", "--set seed 2^64", ["run", "--set", f"seed={2**64}", "--days", "1"]),
        Case("cli", "--set inf", ["run", "--set", "market.mean_degree=inf", "--days", "1"]),
        Case("cli", "--set nan", ["run", "--set", "market.mean_degree=nan", "--days", "1"]),
        Case("cli", "sweep --workers -1", ["sweep", exp, "--workers", "-1"]),
        Case("cli", "sweep --workers x", ["sweep", exp, "--workers", "x"]),
        Case("cli", "sweep --workers and --scheduler", ["sweep", exp, "--workers", "1",
                                                        "--scheduler", "tcp://a:1"]),
        Case("cli", "sweep --retry-failed without --resume", [*sweep, "--retry-failed",
                                                              "--workers", "0"]),
        Case("cli", "sweep missing file", ["sweep", str(d / "nope.toml"), "--dry-run"]),
        Case("cli", "sensitivity --method bad", ["sensitivity", exp, "--method", "bad"]),
        Case("cli", "validate --only 13", ["validate", "--only", "13"]),
        Case("cli", "validate --only x", ["validate", "--only", "x"]),
        Case("cli", "validate --seeds 1", ["validate", "--seeds", "1"]),
        Case("cli", "validate --seeds huge", ["validate", "--seeds", "1" + "0" * 5000]),
        Case("cli", "validate --workers 0", ["validate", "--workers", "0"]),
        Case("cli", "run scenario with NUL", ["run", "a\x00b", *TINY]),
        Case("cli", "sweep file with NUL", ["sweep", "a\x00b.toml", "--dry-run"]),
        Case("cli", "run --out with NUL", ["run", *TINY, "--out", "o\x00ut"]),
        # Output places refused before any work (nothing computed is then lost).
        Case("cli", "validate --out a file", ["validate", "--out", str(a_file), "--seeds", "2",
                                              "--only", "P1"], timeout=30),
        Case("cli", "export --out a file", ["export", str(results), "--csv", "--out",
                                            str(a_file)]),
        Case("cli", "export --out under a file", ["export", str(results), "--csv", "--out",
                                                  str(a_file / "x")]),
        Case("cli", "discover --out a file", ["discover", str(results), "--output", "x",
                                              "--condition", ">= 1", "--out", str(a_file)]),
        Case("cli", "sweep-plot --png .txt", ["sweep-plot", str(results), "followers",
                                              "--png", str(d / "figure.txt")]),
        Case("cli", "survival --png .txt", ["survival", str(results), "x", "--png",
                                            str(d / "figure.txt")]),
        Case("cli", "survival --png a folder", ["survival", str(results), "x", "--png",
                                                str(a_folder)]),
        # Workshop files: anything but a socbiz workshop file is refused, unchanged.
        Case("cli", "workshop replay not SQLite", ["workshop", "replay", str(garbage)]),
        Case("cli", "workshop debrief not SQLite", ["workshop", "debrief", str(garbage)]),
        Case("cli", "workshop --resume not SQLite", ["workshop", "--resume", str(garbage),
                                                     "--port", "0"]),
        Case("cli", "workshop --resume with --teams", ["workshop", "--resume", str(garbage),
                                                       "--teams", "5", "--port", "0"]),
        Case("cli", "workshop --file a folder", ["workshop", "--file", str(a_folder),
                                                 "--port", "0"]),
        Case("cli", "workshop --file under a file", ["workshop", "--file",
                                                     str(a_file / "w.sqlite"), "--port", "0"]),
        Case("cli", "workshop --host not this computer", ["workshop", "--host", "192.0.2.1",
                                                          "--port", "0"]),
        Case("cli", "dashboard --host not this computer", ["dashboard", "--host", "192.0.2.1",
                                                           "--port", "0"]),
    ]
    return cases


CLASSES = {
    "encodings": encodings,
    "outputs": outputs,
    "caps": caps,
    "cross-field": cross_field,
    "cli": cli,
}


def main(argv: list[str] | None = None) -> int:
    import argparse
    import time

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", default="/work/coord/hardening-corpus")
    parser.add_argument("--only", action="append", choices=list(CLASSES))
    parser.add_argument("--show-failures", action="store_true")
    parser.add_argument("--json", help="write the per-case outcomes here")
    args = parser.parse_args(argv)
    os.environ.setdefault("MPLBACKEND", "Agg")
    import resource

    # A shared machine: a case that tries to build a huge plan fails with MemoryError (counted
    # as not handled) instead of taking every gigabyte from the others.
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    resource.setrlimit(resource.RLIMIT_AS, (6 << 30, hard))
    root = Path(args.folder)
    root.mkdir(parents=True, exist_ok=True)
    mounts = _Mounts() if _can_mount() else None
    tally: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    records = []
    try:
        for klass in args.only or list(CLASSES):
            maker = CLASSES[klass]
            cases = maker(root, mounts) if klass == "outputs" else maker(root)
            for case in cases:
                started = time.perf_counter()
                outcome = run_case(case)
                seconds = time.perf_counter() - started
                tally[klass][0] += 1
                ok = not outcome.problems
                tally[klass][1] += ok
                records.append({"class": klass, "case": case.name, "ok": ok,
                                "code": outcome.code, "problems": outcome.problems,
                                "seconds": round(seconds, 2),
                                "stderr": outcome.err[-600:]})
                if args.show_failures and not ok:
                    last = (outcome.err.strip().splitlines() or [""])[-1][:200]
                    print(f"  FAIL {klass}: {case.name}: {'; '.join(outcome.problems)} | "
                          f"{last}", file=sys.stderr, flush=True)
    finally:
        if mounts is not None:
            mounts.stack.close()
    total = [0, 0]
    print(f"{'class':<12} {'tried':>6} {'handled':>8}")
    for klass, (tried, handled) in tally.items():
        print(f"{klass:<12} {tried:>6} {handled:>8}")
        total[0] += tried
        total[1] += handled
    print(f"{'total':<12} {total[0]:>6} {total[1]:>8}")
    if args.json:
        Path(args.json).write_text(json.dumps(records, indent=1))
    return 0 if total[0] == total[1] else 1


if __name__ == "__main__":
    sys.exit(main())
