"""Run every benchmark in turn (``make bench``); each prints its own table and targets."""

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHMARKS = ("bench_network.py", "bench_market.py", "bench_split.py", "bench_instructions.py",
              "bench_plots.py", "bench_sweep.py", "bench_sobol.py", "bench_dashboard.py")

if __name__ == "__main__":
    failed = []
    for name in BENCHMARKS:
        if not (HERE / name).exists():
            continue
        print(f"\n===== {name} =====", flush=True)
        if subprocess.call([sys.executable, str(HERE / name)], cwd=HERE.parent) != 0:
            failed.append(name)
    if failed:
        sys.exit("benchmarks that failed to run: " + ", ".join(failed))
