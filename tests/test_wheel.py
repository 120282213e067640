"""The built wheel is a package that works on its own, from any folder.

The test builds the wheel (``pip wheel --no-deps``: setuptools comes from the pip cache or PyPI,
nothing else is fetched), installs it into a fresh virtualenv and, from an unrelated temporary
folder, runs ``socbiz scenarios list``, ``socbiz run --days 5`` and ``socbiz dashboard``
(checking an HTTP 200 from the page). It would fail if the presets, the experiment examples or
the dashboard app were found through the source tree rather than inside the installed package.

How the fresh venv gets its dependencies: it is created *without* system site packages and the
wheel is installed with ``--no-deps``; a ``.pth`` file then appends the test venv's
site-packages to its path, after its own. So the installed ``simulation`` and ``dashboards`` are
the wheel's (checked below: they live in the fresh venv), while numpy, Mesa, Solara ... are the
ones already installed, which keeps the test to well under a minute once the wheel is cached,
with no network. (``--system-site-packages`` would not do: it exposes the base interpreter's
packages, not the test venv's, and would need every dependency installed again.) A ``.pth``
path line does not run the test venv's own ``.pth`` files, so its editable install of socbiz
stays out.

The wheel and the venv are cached under ``build/wheel-test/<hash of the packaged files>``: a
second run only repeats the three commands.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import site
import subprocess
import sys
import time
import urllib.request
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "build" / "wheel-test"
PORT = 8611  # the arch helper's range; the test picks the next free one if taken
PACKAGED = ("pyproject.toml", "README.md", "LICENSE", "simulation", "dashboards", "scenarios")


def _fingerprint() -> str:
    digest = hashlib.sha256()
    for name in PACKAGED:
        path = ROOT / name
        files = [path] if path.is_file() else sorted(
            p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
        for file in files:
            digest.update(str(file.relative_to(ROOT)).encode())
            digest.update(file.read_bytes())
    return digest.hexdigest()[:16]


def _run(command, **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run(command, capture_output=True, text=True, timeout=600, **kwargs)
    assert result.returncode == 0, (
        f"{' '.join(map(str, command))} exited {result.returncode}\n{result.stdout[-3000:]}\n"
        f"{result.stderr[-3000:]}")
    return result


def _source_packages() -> set[str]:
    out = set()
    for top in ("simulation", "dashboards"):
        for init in (ROOT / top).rglob("__init__.py"):
            out.add(".".join(init.parent.relative_to(ROOT).parts))
    return out | {"simulation.presets"}


@pytest.fixture(scope="module")
def installed() -> Path:
    """The fresh venv with the wheel installed (built and cached on first use)."""
    here = CACHE / _fingerprint()
    venv = here / "venv"
    ready = here / "ready"
    if not ready.exists():
        if CACHE.exists():
            shutil.rmtree(CACHE)  # older fingerprints
        wheels = here / "wheel"
        _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(wheels),
              str(ROOT)])
        (wheel,) = wheels.glob("socbiz-*.whl")
        _run([sys.executable, "-m", "venv", "--without-pip", str(venv)])
        python = venv / "bin" / "python"
        _run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps",
              "--quiet", str(wheel)])
        inner = Path(_run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()"
                                              "['purelib'])"]).stdout.strip())
        outer = [p for p in site.getsitepackages() if Path(p).is_dir()]
        (inner / "zz_socbiz_test_deps.pth").write_text("\n".join(outer) + "\n")
        # Data files the dependencies installed beside their code (Jupyter widget configs that
        # Solara reads from sys.prefix), as a real install of them would have put there.
        for data in ("etc/jupyter", "share/jupyter"):
            source = Path(sys.prefix) / data
            if source.is_dir():
                (venv / data).parent.mkdir(parents=True, exist_ok=True)
                (venv / data).symlink_to(source, target_is_directory=True)
        ready.write_text(wheel.name)
    return venv


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "SOCBIZ_SCENARIOS", "VIRTUAL_ENV")}
    env["HOME"] = str(tmp_path)
    env["MPLBACKEND"] = "Agg"
    env["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] = "False"
    return env


@pytest.mark.wheel
def test_the_wheel_ships_every_package_presets_examples_and_the_dashboard(installed):
    wheel = next((installed.parent / "wheel").glob("socbiz-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    packages = {".".join(Path(n).parent.parts) for n in names if n.endswith("__init__.py")}
    assert _source_packages() <= packages, f"missing from the wheel: {_source_packages() - packages}"
    for preset in (ROOT / "scenarios").glob("*.toml"):
        assert f"simulation/presets/{preset.name}" in names
    for example in (ROOT / "scenarios" / "experiments").glob("*.toml"):
        assert f"simulation/presets/experiments/{example.name}" in names
    assert "dashboards/app.py" in names
    # every file of the two packages (code, catalogues, front-end files), nothing left behind
    for top in ("simulation", "dashboards"):
        for file in (ROOT / top).rglob("*"):
            if file.is_file() and "__pycache__" not in file.parts:
                assert str(file.relative_to(ROOT)) in names, f"{file} is not in the wheel"


@pytest.mark.wheel
def test_installed_socbiz_works_from_an_unrelated_folder(installed, tmp_path):
    socbiz = installed / "bin" / "socbiz"
    python = installed / "bin" / "python"
    env = _env(tmp_path)
    work = tmp_path / "elsewhere"
    work.mkdir()

    where = _run([str(python), "-c", "import simulation, dashboards, importlib.resources as r;"
                  "print(simulation.__file__); print(dashboards.__file__);"
                  "print(r.files('simulation.presets') / 'experiments' / 'content_grid.toml')"],
                 cwd=work, env=env).stdout.split()
    for path in where:
        assert Path(path).resolve().is_relative_to(installed.resolve()), path
        assert not Path(path).resolve().is_relative_to(ROOT / "simulation"), path
    assert Path(where[2]).is_file()

    listed = _run([str(socbiz), "scenarios", "list"], cwd=work, env=env).stdout
    for preset in (ROOT / "scenarios").glob("*.toml"):
        assert preset.stem in listed

    out = work / "out"
    _run([str(socbiz), "run", "--days", "5", "--set", "market.n_customers=2000", "--out",
          str(out), "--quiet", "--no-plots"], cwd=work, env=env)
    assert (out / "timeseries.parquet").is_file() and (out / "metadata.json").is_file()
    _run([str(python), "-c", "from simulation import load_scenario;"
          "assert load_scenario('baseline').name == 'baseline'"], cwd=work, env=env)


def _free_port(start: int) -> int:
    import socket

    for port in range(start, 8620):
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
                return port
            except OSError:
                continue
    pytest.skip("no free port in 8611-8619")


@pytest.mark.wheel
def test_installed_dashboard_serves_its_page(installed, tmp_path):
    port = _free_port(PORT)
    work = tmp_path / "elsewhere"
    work.mkdir()
    log = tmp_path / "dashboard.log"
    with log.open("w") as sink:
        server = subprocess.Popen([str(installed / "bin" / "socbiz"), "dashboard", "--port",
                                   str(port)], cwd=work, env=_env(tmp_path), stdout=sink,
                                  stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        status = None
        while time.monotonic() < deadline and server.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as reply:
                    status = reply.status
                    break
            except OSError:
                time.sleep(0.5)
        assert status == 200, f"no page (exit {server.poll()}):\n{log.read_text()[-3000:]}"
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def test_pyproject_declares_every_package_once():
    # Fast, no build: a merge that adds a second [tool.setuptools.package-data] table makes the
    # file invalid TOML; a package added to the tree but not to the list would be left out.
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    declared = set(config["tool"]["setuptools"]["packages"])
    assert _source_packages() <= declared, _source_packages() - declared
