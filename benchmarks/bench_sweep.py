"""Benchmark of the sweep machinery (a benchmark, not a timed test).

Measures, on this machine:

1. Throughput: runs per minute of a fixed experiment with 1 and 2 local worker processes, and
   the scaling ratio (target >= 1.8x on 2 cores).
2. Per-run overhead of the machinery: sweep wall time per run minus the bare ``run_scenario``
   time per run (the same runs, in a plain loop, results discarded). Given for the in-process
   executor (reductions + Parquet writes only) and for 1 worker process (plus inter-process
   traffic, with and without the pool's start-up amortised over the runs).
3. Driver memory: peak RSS of the driver process (psutil, sampled every 5 ms, in a fresh
   process each time) for sweeps of 50 and 400 (and 2,000) tiny runs on 2 workers.

    .venv/bin/python benchmarks/bench_sweep.py            # about 6 minutes
    .venv/bin/python benchmarks/bench_sweep.py --quick    # smaller, for a smoke test

Throughput is measured with pools started from scratch (what one short sweep costs) and with
pools already started (the steady state of a long sweep), in interleaved repetitions whose best
is reported; the machine's load average is printed before and after: other work on the same
cores skews every number here.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# The throughput experiment: one year of a 5,000-customer market, three brands (the baseline
# preset), 10 design points x 4 replicates.
THROUGHPUT = {
    "title": "benchmark: throughput",
    "scenario": "baseline",
    "days": 365,
    "replicates": 4,
    "base_seed": 1,
    "overrides": {"market.n_customers": 5000},
    "parameters": [{"key": "brands.acme.content.posts_per_day", "name": "frequency",
                    "values": [0.25, 0.5, 0.75, 1, 1.5, 2, 2.5, 3, 4, 5]}],
}

# The memory experiment: tiny runs (200 customers, 5 days), so the driver's bookkeeping per run
# dominates.
def tiny(n_runs: int) -> dict:
    return {
        "title": "benchmark: driver memory",
        "scenario": "baseline",
        "days": 5,
        "replicates": n_runs // 10,
        "base_seed": 2,
        "overrides": {"market.n_customers": 200, "market.sample_size": 0},
        "parameters": [{"key": "brands.acme.content.posts_per_day", "name": "frequency",
                        "values": [0.5 + 0.25 * i for i in range(10)]}],
    }


def bare_seconds_per_run(experiment) -> float:
    from simulation import run_scenario

    base = experiment.scenario.to_dict()
    run_scenario(base, seed=0, days=5)  # warm imports and caches
    started = time.perf_counter()
    n = 0
    for run in experiment.runs():
        run_scenario(base, seed=run.seed, overrides=experiment.design.overrides(run.point))
        n += 1
    return (time.perf_counter() - started) / n


def sweep_seconds(experiment, workers: int, warm: bool = False) -> float:
    """Wall time of a sweep. ``warm``: on a pool whose processes are already started (the
    steady state of a long sweep); otherwise the pool's start-up is included."""
    from simulation.experiments import LocalExecutor, run_sweep

    pool = LocalExecutor(workers) if warm and workers else None
    if pool is not None:
        pool.map(time.sleep, [2.0] * workers)  # every process started and imported
    try:
        with tempfile.TemporaryDirectory() as folder:
            started = time.perf_counter()
            summary = run_sweep(experiment, Path(folder) / "out", workers=workers,
                                executor=pool, progress=False)
            wall = time.perf_counter() - started
    finally:
        if pool is not None:
            pool.shutdown()
    assert summary.ok == experiment.n_runs, summary
    return wall


def rss_probe(n_runs: int) -> None:
    """In a fresh process: a sweep of n tiny runs on 2 workers; print the driver's RSS."""
    import psutil

    from simulation.experiments import load_experiment, run_sweep

    me = psutil.Process()
    experiment = load_experiment(tiny(n_runs))
    samples = []
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            samples.append(me.memory_info().rss)
            time.sleep(0.005)

    before = me.memory_info().rss
    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        summary = run_sweep(experiment, Path(folder) / "out", workers=2, progress=False)
        wall = time.perf_counter() - started
    stop.set()
    thread.join()
    assert summary.ok == n_runs
    print(json.dumps({"n_runs": n_runs, "rss_before_mb": before / 2**20,
                      "rss_peak_mb": max(samples) / 2**20,
                      "rss_after_mb": me.memory_info().rss / 2**20, "wall_s": wall}))


def measure_rss(n_runs: int) -> dict:
    out = subprocess.run([sys.executable, __file__, "--rss-probe", str(n_runs)],
                         capture_output=True, text=True, check=True, cwd=ROOT)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer and shorter runs")
    parser.add_argument("--rss-probe", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--repeat", type=int, default=3, help="interleaved repetitions "
                        "(the best of each is reported; default 3)")
    parser.add_argument("--json", help="also write the results to this file")
    args = parser.parse_args()
    if args.rss_probe:
        rss_probe(args.rss_probe)
        return

    from simulation.experiments import load_experiment

    spec = dict(THROUGHPUT)
    if args.quick:
        spec.update(days=120, replicates=2)
        args.repeat = 1
    experiment = load_experiment(spec)
    print(f"load average before: {os.getloadavg()}; {os.cpu_count()} cores")
    print(f"throughput experiment: {experiment.n_runs} runs of {experiment.scenario.horizon_days}"
          f" days, {experiment.scenario.market.n_customers:,} customers, "
          f"{len(experiment.brands)} brands")

    # Interleaved repetitions; the minimum of each is the least disturbed by other work.
    times: dict[str, list[float]] = {k: [] for k in
                                     ("bare", "serial", "1", "2", "1 warm", "2 warm")}
    for _ in range(args.repeat):
        times["bare"].append(bare_seconds_per_run(experiment) * experiment.n_runs)
        times["serial"].append(sweep_seconds(experiment, 0))
        for workers in (1, 2):
            times[str(workers)].append(sweep_seconds(experiment, workers))
            times[f"{workers} warm"].append(sweep_seconds(experiment, workers, warm=True))
    n = experiment.n_runs
    best = {k: min(v) for k, v in times.items()}
    bare = best["bare"] / n
    results = {
        "n_runs": n, "repeat": args.repeat, "times_s": times,
        "bare_run_scenario_s_per_run": bare,
        "overhead_in_process_ms_per_run": 1000 * (best["serial"] / n - bare),
        "overhead_one_worker_ms_per_run": 1000 * (best["1"] / n - bare),
        "overhead_one_warm_worker_ms_per_run": 1000 * (best["1 warm"] / n - bare),
        "runs_per_minute_1_worker": 60 * n / best["1"],
        "runs_per_minute_2_workers": 60 * n / best["2"],
        "scaling_2_vs_1": best["1"] / best["2"],
        "runs_per_minute_1_warm_worker": 60 * n / best["1 warm"],
        "runs_per_minute_2_warm_workers": 60 * n / best["2 warm"],
        "scaling_2_vs_1_warm": best["1 warm"] / best["2 warm"],
    }
    print(f"(best of {args.repeat} interleaved repetitions)")
    print(f"bare run_scenario:          {bare:.3f} s per run")
    print(f"sweep in-process:           {best['serial'] / n:.3f} s per run -> machinery overhead"
          f" {results['overhead_in_process_ms_per_run']:.1f} ms per run (validation of the "
          "run's config, reductions, Parquet writes)")
    print(f"sweep, 1 worker process:    {best['1'] / n:.3f} s per run -> overhead "
          f"{results['overhead_one_worker_ms_per_run']:.1f} ms per run including the pool's "
          f"start-up amortised over {n} runs, "
          f"{results['overhead_one_warm_worker_ms_per_run']:.1f} ms on a started pool")
    print(f"runs per minute, pool start-up included: 1 worker "
          f"{results['runs_per_minute_1_worker']:.1f}, 2 workers "
          f"{results['runs_per_minute_2_workers']:.1f}: scaling {results['scaling_2_vs_1']:.2f}x")
    print(f"runs per minute, started pools:          1 worker "
          f"{results['runs_per_minute_1_warm_worker']:.1f}, 2 workers "
          f"{results['runs_per_minute_2_warm_workers']:.1f}: scaling "
          f"{results['scaling_2_vs_1_warm']:.2f}x (target >= 1.8x)")

    sizes = (50, 400) if args.quick else (50, 400, 2000)
    memory = [measure_rss(size) for size in sizes]
    results["driver_rss"] = memory
    for m in memory:
        print(f"driver RSS, {m['n_runs']:>5} tiny runs on 2 workers: peak "
              f"{m['rss_peak_mb']:.1f} MB (before the sweep {m['rss_before_mb']:.1f} MB, "
              f"{m['wall_s']:.1f} s)")
    growth = memory[-1]["rss_peak_mb"] - memory[0]["rss_peak_mb"]
    print(f"peak RSS growth from {memory[0]['n_runs']} to {memory[-1]['n_runs']} runs: "
          f"{growth:+.1f} MB")
    print(f"load average after: {os.getloadavg()}")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
