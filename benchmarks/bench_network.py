"""Time and memory of building each kind of social network.

    python benchmarks/bench_network.py [--sizes 10000 100000 1000000] [--mean-degree 10]

Each (kind, size) runs in a fresh child process so that its peak resident memory is its own:
the reported growth is the peak RSS during the build minus the RSS after imports. Also reported:
the first neighbour_sum over all nodes (which builds the cached sparse matrix), a second one, and
one gather of 10% of the nodes: the per-tick operations.
"""

from __future__ import annotations

import argparse
import json
import resource
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

    from simulation.network import build_network

    warm = build_network(kind, 1000, mean_degree, np.random.default_rng(seed))
    warm.neighbour_sum(np.ones(1000))  # imports scipy outside the timings
    before = _rss_mib()
    start = time.perf_counter()
    net = build_network(kind, n_nodes, mean_degree, np.random.default_rng(seed))
    build_s = time.perf_counter() - start
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
    parser.add_argument("--child", nargs=2, metavar=("KIND", "N"), help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        kind, n = args.child
        print(json.dumps(measure(kind, int(n), args.mean_degree, args.seed)))
        return

    header = (
        f"{'kind':<12} {'nodes':>9} {'edges':>10} {'<k>':>6} {'build s':>8} "
        f"{'edges/s':>11} {'RSS +MiB':>9} {'sum1 s':>7} {'sum s':>7} {'gather s':>8}"
    )
    print(header)
    print("-" * len(header))
    for n in args.sizes:
        for kind in args.kinds:
            cmd = [sys.executable, __file__, "--child", kind, str(n)]
            cmd += ["--mean-degree", str(args.mean_degree), "--seed", str(args.seed)]
            out = subprocess.run(cmd, check=True, capture_output=True, text=True, cwd=ROOT)
            r = json.loads(out.stdout)
            print(
                f"{r['kind']:<12} {r['n_nodes']:>9,} {r['edges']:>10,} {r['mean_degree']:>6.2f} "
                f"{r['build_s']:>8.2f} {r['edges_per_s']:>11,.0f} {r['rss_growth_mib']:>9.0f} "
                f"{r['first_neighbour_sum_s']:>7.3f} {r['neighbour_sum_s']:>7.3f} "
                f"{r['gather_s']:>8.3f}",
                flush=True,
            )


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
