"""A slice of a Sobol study of the default scenario through ``socbiz sensitivity``, extrapolated
to 10,000 runs (issue 16: within one hour on this machine's two cores).

    .venv/bin/python benchmarks/bench_sobol.py                 # n = 16: 16 x (5 + 2) = 112 runs
    .venv/bin/python benchmarks/bench_sobol.py --n 64          # 448 runs, the 500-run slice
    .venv/bin/python benchmarks/bench_sobol.py --n 2 8 --repeats 2   # two sizes: fixed + per-run cost

The study is ``scenarios/experiments/organisation_sensitivity.toml`` (five levers of acme, four
outputs) on the default scenario as shipped: ``baseline``, its 30,000 customers and its full
horizon (730 days), instead of the spec's 5,000-customer shortcut. Each repeat runs
``socbiz sensitivity SPEC --method sobol --n N --workers W`` as a fresh child process into a
fresh folder, so every figure includes what a user pays: start-up, the worker pool, the runs,
the Parquet writes, SALib's analysis and the plots.

Printed per repeat and as min / median: wall time, CPU time of the command and all its worker
processes (``RUSAGE_CHILDREN``: the workers are reaped by the command, and the command by this
script), runs, and the load average before and after. The extrapolation to 10,000 runs is
stated twice, since other work on the same cores inflates wall time:

* from wall time: 10,000 x (wall time per run of the slice), i.e. at the slice's load;
* from CPU time: 10,000 x (CPU seconds per run) / 2 cores, what the two cores would take if the
  study had them to itself (the per-run cost is a fixed run of the same scenario, so it scales
  linearly with the number of runs; the fixed costs of the command are included in the
  per-run figure, which overstates them for a larger study).

With two or more ``--n`` values the CPU time is also split into the command's fixed cost
(start-up, worker pool, analysis, plots) and the marginal cost of one more run, by a straight
line through the smallest and the largest slice (min over repeats), and the 10,000-run figure
is fixed + 10,000 x marginal, over 2 cores.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "scenarios" / "experiments" / "organisation_sensitivity.toml"
TARGET_RUNS = 10_000
TARGET_SECONDS = 3600.0
CORES = 2


def _toml_value(value) -> str:
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return repr(value)


def default_scenario_spec(folder: Path) -> Path:
    """The shipped sensitivity spec on the default scenario at its own size and horizon."""
    from simulation.scenario import load_scenario

    spec = tomllib.loads(SPEC.read_text(encoding="utf-8"))
    config = load_scenario(spec["scenario"])
    spec["days"] = int(config.horizon_days)
    spec["method"] = "sobol"
    spec.pop("overrides", None)  # the shipped spec shrinks the market to 5,000 customers
    lines = [f"{k} = {_toml_value(v)}" for k, v in spec.items() if k != "parameters"]
    for parameter in spec["parameters"]:
        lines.append("\n[[parameters]]")
        lines += [f"{k} = {_toml_value(v)}" for k, v in parameter.items()]
    path = folder / "default_sobol.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run_slice(spec: Path, n: int, workers: int, out: Path) -> dict:
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
    command = [str(ROOT / ".venv" / "bin" / "socbiz"), "sensitivity", str(spec), "--method",
               "sobol", "--n", str(n), "--workers", str(workers), "--out", str(out), "--quiet"]
    load_before = os.getloadavg()[0]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        sys.exit(f"socbiz sensitivity failed ({done.returncode}):\n{done.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    n_params = len(tomllib.loads(spec.read_text(encoding="utf-8"))["parameters"])
    return {"runs": n * (n_params + 2), "wall": wall, "cpu": cpu, "load_before": load_before,
            "load_after": os.getloadavg()[0]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, nargs="+", default=[16],
                        help="Sobol base sample(s) (powers of 2)")
    parser.add_argument("--workers", type=int, default=CORES)
    parser.add_argument("--repeats", type=int, default=1)
    args = parser.parse_args(argv)
    by_n: dict[int, list[dict]] = {}
    with tempfile.TemporaryDirectory(prefix="bench_sobol_") as tmp:
        spec = default_scenario_spec(Path(tmp))
        for n in args.n:
            for repeat in range(args.repeats):
                row = run_slice(spec, n, args.workers, Path(tmp) / f"out{n}_{repeat}")
                by_n.setdefault(n, []).append(row)
                print(f"n = {n}, repeat {repeat + 1}: {row['runs']} runs, wall {row['wall']:.1f} s, "
                      f"CPU {row['cpu']:.1f} s ({row['cpu'] / row['runs']:.2f} CPU s per run), "
                      f"load {row['load_before']:.1f} -> {row['load_after']:.1f}", flush=True)
    print("\nSobol slices of the default scenario (baseline, 30,000 customers, full horizon), "
          f"{args.workers} workers, {args.repeats} repeat(s) each")
    for n, rows in by_n.items():
        wall = [r["wall"] / r["runs"] for r in rows]
        cpu = [r["cpu"] / r["runs"] for r in rows]
        print(f"  n = {n:>4} ({rows[0]['runs']} runs): wall s per run min {min(wall):.3f} median "
              f"{statistics.median(wall):.3f}; CPU s per run min {min(cpu):.3f} median "
              f"{statistics.median(cpu):.3f}")
    largest = by_n[max(by_n)]
    wall_per_run = min(r["wall"] / r["runs"] for r in largest)
    cpu_per_run = min(r["cpu"] / r["runs"] for r in largest)
    print(f"  10,000 runs from the largest slice's wall time (at its load): "
          f"{TARGET_RUNS * wall_per_run / 3600:.2f} h")
    estimates = {"CPU s per run of the largest slice": TARGET_RUNS * cpu_per_run / CORES}
    if len(by_n) > 1:
        small, big = min(by_n), max(by_n)
        cpu_small = min(r["cpu"] for r in by_n[small])
        cpu_big = min(r["cpu"] for r in by_n[big])
        runs_small, runs_big = by_n[small][0]["runs"], by_n[big][0]["runs"]
        marginal = (cpu_big - cpu_small) / (runs_big - runs_small)
        fixed = cpu_small - marginal * runs_small
        print(f"  CPU split: fixed {fixed:.1f} s per command + {marginal:.3f} s per run")
        estimates["fixed + marginal CPU"] = (fixed + TARGET_RUNS * marginal) / CORES
    for how, seconds in estimates.items():
        verdict = "MET" if seconds <= TARGET_SECONDS else (
            f"MISSED by {seconds / TARGET_SECONDS:.2f}x")
        print(f"  10,000 runs on {CORES} free cores, from {how}: {seconds / 3600:.2f} h "
              f"(target 1 h: {verdict})")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
