"""CPU and wall time of the PNG charts that ``socbiz run`` writes (simulation/plots.py).

    python benchmarks/bench_plots.py [--repeats 5] [--days 730]

Runs the default scenario once, then draws and saves its charts ``--repeats`` times into a
temporary folder, and prints CPU time (``time.process_time``) beside wall time, min and median,
with the load average. The CPU time is the figure to compare: the wall time on a shared machine
mostly measures the other processes.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--days", type=int, default=None, help="horizon (default: the scenario's)")
    args = parser.parse_args(argv)

    from simulation.plots import save_run_plots
    from simulation.runner import run_scenario

    result = run_scenario("baseline", days=args.days)
    cpu, wall = [], []
    with tempfile.TemporaryDirectory() as folder:
        save_run_plots(result.timeseries, result.events, folder)  # fonts cached, imports done
        for _ in range(args.repeats):
            c, w = time.process_time(), time.perf_counter()
            written = save_run_plots(result.timeseries, result.events, folder)
            cpu.append(time.process_time() - c)
            wall.append(time.perf_counter() - w)
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"socbiz run charts: {len(written)} PNG files, baseline, "
          f"{result.timeseries['day'].nunique()} days")
    print(f"CPU s  min {min(cpu):.2f}  median {statistics.median(cpu):.2f}")
    print(f"wall s min {min(wall):.2f}  median {statistics.median(wall):.2f}   load {load}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
