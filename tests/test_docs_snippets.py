"""Every code block of README.md and docs/*.md runs as written (or says why it cannot here).

Blocks are extracted from the Markdown (fenced with a language: ``bash``/``sh``/``shell``,
``python``, ``toml``; unlabelled fences are sample output or layouts, not code) and run in
document order, each file in its own scratch folder (with ``scenarios/`` linked in, the
virtualenv's ``bin`` first on PATH), exactly as written:

- fast (every test run): every TOML block parses, and a complete experiment, sensitivity or
  calibration file among them loads with its validation; every Python block compiles; shell
  blocks made only of quick commands (``socbiz scenarios ...``, ``--help``, ``--dry-run``) run.
- ``validation`` marker (``make validate``): the other shell and Python blocks, which sweep,
  run or calibrate at the sizes the docs give.
- A shell command that cannot run on a test machine (a server, a cluster daemon, a placeholder
  host, the environment's own build) is listed in ``NOT_RUN`` with the reason; every other
  command runs. A new block needs no registration: it runs.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
BIN = Path(sys.executable).parent
FENCE = re.compile(r"^(?P<indent> *)```(?P<lang>[A-Za-z]*)\s*$")

#: Shell commands (by prefix) that are not run here, and why.
NOT_RUN = {
    "make ": "builds the environment or runs the test suite itself",
    "source .venv/bin/activate": "the tests already run in the virtualenv",
    "pip install": "installs packages",
    "pybabel ": "`make translations`, checked by tests/test_i18n.py",
    "socbiz dashboard": "a server (tests/test_dashboard_browser.py starts one)",
    "socbiz workshop": "a server (tests/test_workshop_browser.py starts one)",
    "dask scheduler": "a cluster daemon (tests/test_experiments_dask.py starts one)",
    "dask worker": "a cluster daemon (tests/test_experiments_dask.py starts one)",
    "socbiz validate": "the validation report itself: `make validate` runs it",
}
#: Python blocks (by a string they contain) that are not run here, and why.
PYTHON_NOT_RUN = {
    "SLURMCluster(": "needs a SLURM cluster (tests/test_experiments_hpc.py builds the job script "
                     "of this recipe and checks its worker command)",
}
#: Shell commands that address a machine that is not there.
PLACEHOLDERS = ("SCHEDULER_HOST", "$SCRATCH", "/shared/", "/scratch/")
FAST = re.compile(r"^socbiz (scenarios (list|show|validate)\b|.*(--help|--dry-run)\b)")


@dataclass(frozen=True)
class Block:
    file: Path
    line: int
    lang: str
    text: str

    @property
    def id(self) -> str:
        return f"{self.file.name}:{self.line}"


def blocks_of(path: Path) -> list[Block]:
    found, lang, start, lines, indent = [], None, 0, [], 0
    for number, line in enumerate(path.read_text().splitlines(), 1):
        match = FENCE.match(line)
        if lang is None and match:
            lang, start, lines, indent = match["lang"].lower(), number, [], len(match["indent"])
        elif lang is not None and match and len(match["indent"]) == indent and not match["lang"]:
            if lang:
                found.append(Block(path, start, lang, "\n".join(lines) + "\n"))
            lang = None
        elif lang is not None:
            lines.append(line[indent:] if line.startswith(" " * indent) else line)
    return found


BLOCKS = [b for path in DOCS for b in blocks_of(path)]


def commands(text: str) -> list[str]:
    """The block's shell commands: continuation lines joined, comments and blanks dropped."""
    joined = re.sub(r"\\\n\s*", " ", text)
    out = []
    for line in joined.splitlines():
        line = line.strip()
        if line.startswith("#") or not line:
            continue
        line = re.sub(r"\s+#.*$", "", line)  # a trailing comment
        out.append(line)
    return out


def why_not_run(command: str) -> str | None:
    for prefix, why in NOT_RUN.items():
        if command.startswith(prefix):
            return why
    if any(p in command for p in PLACEHOLDERS):
        return "addresses a machine or shared folder that is not here"
    return None


def is_fast(block: Block) -> bool:
    if block.lang == "toml":
        return True
    if block.lang == "python":
        return False
    runnable = [c for c in commands(block.text) if why_not_run(c) is None]
    return all(FAST.match(c) for c in runnable)


def scratch(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    link = folder / "scenarios"
    if not link.exists():
        link.symlink_to(ROOT / "scenarios")
    return folder


def env() -> dict[str, str]:
    return {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
            "PYTHONPATH": str(ROOT), "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False",
            "MPLBACKEND": "Agg"}


def run_shell(block: Block, cwd: Path, timeout: float) -> None:
    for command in commands(block.text):
        if why_not_run(command):
            continue
        done = subprocess.run(["bash", "-c", command], cwd=cwd, env=env(), capture_output=True,
                              text=True, timeout=timeout)
        assert done.returncode == 0, (f"{block.id}: `{command}` exited {done.returncode}:\n"
                                      f"{done.stderr[-3000:]}")


def run_python(block: Block, cwd: Path, timeout: float) -> None:
    script = cwd / f"snippet_{block.file.stem}_{block.line}.py"
    script.write_text(block.text)
    done = subprocess.run([sys.executable, script.name], cwd=cwd, env=env(),
                          capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"{block.id} exited {done.returncode}:\n{done.stderr[-3000:]}"


def check_toml(block: Block) -> None:
    data = tomllib.loads(block.text)  # every TOML block parses
    if "targets" in data and "scenario" in data:
        from simulation.experiments.calibration import load_calibration

        load_calibration(data)
    elif "method" in data and "scenario" in data:
        from simulation.experiments.sensitivity import load_sensitivity

        load_sensitivity(data)
    elif "scenario" in data and "parameters" in data and "outputs" in data:
        from simulation.experiments import load_experiment

        load_experiment(data)


def test_blocks_are_found_and_every_not_run_command_has_a_reason():
    assert len(BLOCKS) > 20
    assert {"bash", "python", "toml"} <= {b.lang for b in BLOCKS}
    for b in BLOCKS:
        assert b.lang in ("bash", "sh", "shell", "python", "toml", "console", "text"), b.id


@pytest.mark.parametrize("block", [b for b in BLOCKS if b.lang == "toml"], ids=lambda b: b.id)
def test_toml_block_parses_and_loads(block, monkeypatch):
    monkeypatch.chdir(ROOT)
    check_toml(block)


@pytest.mark.parametrize("block", [b for b in BLOCKS if b.lang == "python"], ids=lambda b: b.id)
def test_python_block_compiles_and_guards_its_workers(block):
    compile(block.text, block.id, "exec")
    if re.search(r"\b(run_(sweep|sensitivity|calibration)|LocalCluster)\(", block.text):
        # local workers are spawned: a script that starts them needs the guard (a SLURM
        # cluster's workers are batch jobs, but the guard costs nothing there either)
        assert '__name__ == "__main__"' in block.text, f"{block.id}: add the spawn guard"


FAST_SHELL = [b for b in BLOCKS if b.lang in ("bash", "sh", "shell") and is_fast(b)]


@pytest.mark.parametrize("block", FAST_SHELL, ids=lambda b: b.id)
def test_quick_shell_block_runs(block, tmp_path):
    run_shell(block, scratch(tmp_path), timeout=120)


SLOW = [b for b in BLOCKS if b.lang in ("bash", "sh", "shell", "python") and not is_fast(b)]


@pytest.mark.validation
@pytest.mark.parametrize("block", SLOW, ids=lambda b: b.id)
def test_block_runs_as_written(block, tmp_path_factory):
    # blocks of one file share a folder and run in document order (a later block reads the
    # results of an earlier one)
    base = tmp_path_factory.getbasetemp() / "docs" / block.file.stem
    cwd = scratch(base)
    if block.lang == "python":
        why = next((w for k, w in PYTHON_NOT_RUN.items() if k in block.text), None)
        if why:
            pytest.skip(why)
        run_python(block, cwd, timeout=1800)
    else:
        run_shell(block, cwd, timeout=1800)
