"""Time and memory of building each kind of social network.

    python benchmarks/bench_network.py [--sizes 10000 100000 1000000] [--mean-degree 10]

Each (kind, size) runs in a fresh child process so that its peak resident memory is its own:
the reported growth is the peak RSS during the build minus the RSS after imports. Also reported:
the first neighbour_sum over all nodes (which builds the cached sparse matrix), a second one, and
one gather of 10% of the nodes: the per-tick operations.

    python benchmarks/bench_network.py --kinds scale_free --sizes 1000000 --repeats 3

Build times are given as CPU time (``time.process_time``, the honest figure on a shared machine)
beside wall time, min / median over ``--repeats`` fresh child processes, with the load average.
The compiled kernels (:mod:`simulation.kernels`) are loaded before the timed build and their
one-time load (numba import and cached machine code, once per process) is printed apart as
"jit s". Target (issue 16): a 1M-node Holme-Kim (``scale_free``) build in under 1 s.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _rss_mib() -> float:
    # ru_maxrss is in KiB on Linux; this script is meant for the Linux CI/dev machines.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(kind: str, n_nodes: int, mean_degree: float, seed: int) -> dict:
    import numpy as np

    from simulation import kernels
    from simulation.network import build_network

    warm = build_network(kind, 1000, mean_degree, np.random.default_rng(seed))
    warm.neighbour_sum(np.ones(1000))  # imports scipy outside the timings
    jit_start = time.process_time()
    if kernels.numba_enabled():  # load the compiled kernels once (as a long process would)
        threshold, kernels.MIN_EDGES_FOR_NUMBA = kernels.MIN_EDGES_FOR_NUMBA, 0
        build_network(kind, 1000, mean_degree, np.random.default_rng(seed))
        kernels.MIN_EDGES_FOR_NUMBA = threshold
    jit_s = time.process_time() - jit_start
    before = _rss_mib()
    start, cpu_start = time.perf_counter(), time.process_time()
    net = build_network(kind, n_nodes, mean_degree, np.random.default_rng(seed))
    build_s = time.perf_counter() - start
    build_cpu_s = time.process_time() - cpu_start
    peak = _rss_mib()

    rng = np.random.default_rng(seed + 1)
    values = rng.random(n_nodes)
    start = time.perf_counter()
    net.neighbour_sum(values)
    first_sum_s = time.perf_counter() - start
    start = time.perf_counter()
    net.neighbour_sum(values)
    sum_s = time.perf_counter() - start
    nodes = rng.integers(0, n_nodes, size=n_nodes // 10)
    start = time.perf_counter()
    net.gather(nodes, rng)
    gather_s = time.perf_counter() - start
    return {
        "kind": kind,
        "n_nodes": n_nodes,
        "edges": net.n_edges,
        "mean_degree": float(net.degree.mean()),
        "build_s": build_s,
        "build_cpu_s": build_cpu_s,
        "jit_s": jit_s,
        "edges_per_s": net.n_edges / build_s if net.n_edges else float("nan"),
        "rss_growth_mib": peak - before,
        "first_neighbour_sum_s": first_sum_s,
        "neighbour_sum_s": sum_s,
        "gather_s": gather_s,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--kinds", nargs="+", default=["small_world", "scale_free", "fully_mixed"])
    parser.add_argument("--mean-degree", type=float, default=10.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeats", type=int, default=1, help="fresh processes per (kind, size)")
    parser.add_argument("--child", nargs=2, metavar=("KIND", "N"), help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        kind, n = args.child
        print(json.dumps(measure(kind, int(n), args.mean_degree, args.seed)))
        return

    header = (
        f"{'kind':<12} {'nodes':>9} {'edges':>10} {'<k>':>6} {'build CPU s':>13} "
        f"{'build wall s':>13} {'jit s':>5} {'edges/CPU s':>12} {'RSS +MiB':>9} {'sum1 s':>7} "
        f"{'sum s':>7} {'gather s':>8} {'load':>5}"
    )
    print(f"min / median of {args.repeats} fresh process(es) each")
    print(header)
    print("-" * len(header))
    for n in args.sizes:
        for kind in args.kinds:
            cmd = [sys.executable, __file__, "--child", kind, str(n)]
            cmd += ["--mean-degree", str(args.mean_degree), "--seed", str(args.seed)]
            runs = []
            for _ in range(args.repeats):
                out = subprocess.run(cmd, check=True, capture_output=True, text=True, cwd=ROOT)
                runs.append(json.loads(out.stdout))
            r = runs[0]

            def span(key, fmt=".2f", runs=runs):
                values = [x[key] for x in runs]
                return f"{min(values):{fmt}}/{statistics.median(values):{fmt}}"

            cpu = min(x["build_cpu_s"] for x in runs)
            print(
                f"{r['kind']:<12} {r['n_nodes']:>9,} {r['edges']:>10,} {r['mean_degree']:>6.2f} "
                f"{span('build_cpu_s'):>13} {span('build_s'):>13} {r['jit_s']:>5.2f} "
                f"{r['edges'] / cpu if r['edges'] else float('nan'):>12,.0f} "
                f"{r['rss_growth_mib']:>9.0f} {r['first_neighbour_sum_s']:>7.3f} "
                f"{r['neighbour_sum_s']:>7.3f} {r['gather_s']:>8.3f} {os.getloadavg()[0]:>5.1f}",
                flush=True,
            )
            if kind == "scale_free" and n == 1_000_000:
                verdict = "MET" if cpu < 1.0 else f"MISSED by {cpu:.2f}x"
                print(f"  target: 1M-node Holme-Kim build < 1 CPU s: {verdict}")

if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
