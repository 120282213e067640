"""Throughput of the market: scaling, the default scenario, and per-agent vs vectorised.

    python benchmarks/bench_market.py [--sizes 1000000 3000000] [--ten-million] [--repeats 3]
                                      [--days 365] [--skip scaling default peragent]

Prints three tables, each measurement in a fresh child process pinned to one thread
(``OMP_NUM_THREADS``, ``OPENBLAS_NUM_THREADS``, ``MKL_NUM_THREADS`` = 1, set before numpy is
imported), with the machine as it is (``OPENBLAS_CORETYPE`` is left alone). CPU time
(``time.process_time``) is printed beside wall time: on a shared machine the wall time mostly
measures the other processes. The load average is printed with every row.

(a) scaling: the full model (organisation side included) on a five-brand scenario made from the
    baseline (its three brands plus two with the default brand settings) for 1M and 3M
    customers (10M with ``--ten-million``) and 365 days, each size ``--repeats`` times (min /
    median): construction and run CPU time, run wall time, customer-days per CPU second, the
    ratio to the memory-bandwidth limit (reading and writing the steady state once a day at the
    single-core copy bandwidth measured in the same run, a large numpy copy), bytes per
    customer at steady state (RSS after the run minus RSS after imports) and at the build peak
    (``ru_maxrss`` minus the same; the baseline is read after the imports, numba's included),
    nanoseconds per customer-day. Targets (issue 16): 1M >= 60 M
    customer-days per CPU second; 10M: <= 120 B per customer, build peak <= 2x steady, a
    365-day run < 4 CPU minutes, cost per customer-day within 1.3x of that at 1M.
(b) the default scenario (``baseline`` as shipped) over its horizon, ``--repeats`` runs:
    CPU and wall milliseconds per simulated day (mean; min / median over the runs), the first
    run's median, 95th percentile and worst day. Target (issue 16): at most 0.8 CPU ms a day.
(c) the per-agent Mesa reference (:mod:`benchmarks.peragent`) beside the vectorised market at
    10k customers on the same five-brand scenario: time per simulated day of the market alone
    and of the whole model, and the speed ratio.

This is a benchmark that prints numbers, not a timed test: nothing fails when a target is
missed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ONE_CORE = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
TARGET_DEFAULT_CPU_MS = 0.8  # issue 16: the whole model's day (both sides), CPU time
EXTRA_BRANDS = ("delta", "echo")  # added to the baseline's three, with default brand settings


def five_brand_scenario(n_customers: int, days: int):
    """The baseline scenario with two more brands (BrandConfig defaults) and n customers."""
    from simulation.scenario import load_scenario, read_toml, resolve_scenario_path

    data = read_toml(resolve_scenario_path("baseline"))
    data["brands"] = {**data["brands"], **{name: {} for name in EXTRA_BRANDS}}
    data["name"] = "baseline-5-brands"
    return load_scenario(data, {"market.n_customers": n_customers, "horizon_days": days})


def _peak_gib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20  # KiB on Linux


# ----------------------------------------------------------------------------------------
# Child measurements (run in a fresh process each)


def _rss_bytes() -> int:
    """Current resident set size (Linux /proc), for the steady-state memory."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE")


def child_scaling(n_customers: int, days: int) -> dict:
    import gc

    from simulation import kernels
    from simulation.model import SocialBusinessModel

    config = five_brand_scenario(n_customers, days)
    kernels.numba_enabled()  # numba imported (when installed) before the baseline is read
    base_rss = _rss_bytes()  # imports done, nothing built
    start, cpu0 = time.perf_counter(), time.process_time()
    model = SocialBusinessModel(config)
    built, cpu1 = time.perf_counter(), time.process_time()
    build_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 - base_rss
    model.run(days)
    done, cpu2 = time.perf_counter(), time.process_time()
    gc.collect()
    steady = _rss_bytes() - base_rss  # the state after the run (history included)
    return {"n": n_customers, "brands": len(config.brands), "days": days,
            "build_s": built - start, "run_s": done - built, "total_s": done - start,
            "build_cpu_s": cpu1 - cpu0, "run_cpu_s": cpu2 - cpu1,
            "build_peak_b_per_customer": build_peak / n_customers,
            "steady_b_per_customer": steady / n_customers,
            "peak_gib": _peak_gib(), "load": os.getloadavg()[0]}


def child_bandwidth(mib: int) -> dict:
    """Single-core copy bandwidth: a large numpy copy into a preallocated, touched array."""
    import numpy as np

    a = np.ones(mib * 2**20 // 8)
    b = np.empty_like(a)
    b[:] = 0  # page faults outside the timing
    best = best_wall = float("inf")
    for _ in range(5):
        t, w = time.process_time(), time.perf_counter()
        np.copyto(b, a)
        best = min(best, time.process_time() - t)  # CPU time, like the runs it is compared to
        best_wall = min(best_wall, time.perf_counter() - w)
    return {"bytes_per_s": 2 * a.nbytes / best,  # read + write
            "bytes_per_wall_s": 2 * a.nbytes / best_wall}


def child_default() -> dict:
    import numpy as np

    from simulation.model import SocialBusinessModel

    start, cpu0 = time.perf_counter(), time.process_time()
    model = SocialBusinessModel("baseline")
    built, cpu1 = time.perf_counter(), time.process_time()
    steps, cpu = [], []
    for _ in range(model.horizon_days):
        t, c = time.perf_counter(), time.process_time()
        model.step()
        steps.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    ms = np.array(steps) * 1000
    return {"n": model.config.market.n_customers, "brands": len(model.config.brands),
            "days": len(steps), "build_s": built - start, "build_cpu_s": cpu1 - cpu0,
            "mean_ms": float(ms.mean()), "cpu_mean_ms": float(np.mean(cpu) * 1000),
            "median_ms": float(np.median(ms)), "p95_ms": float(np.percentile(ms, 95)),
            "max_ms": float(ms.max()), "peak_gib": _peak_gib(), "load": os.getloadavg()[0]}


def child_peragent(implementation: str, n_customers: int, days: int) -> dict:
    from simulation.model import SocialBusinessModel

    factory = None
    if implementation == "peragent":
        from benchmarks.peragent import PerAgentMarket

        factory = PerAgentMarket
    config = five_brand_scenario(n_customers, days)
    start = time.perf_counter()
    model = SocialBusinessModel(config, market_factory=factory)
    built = time.perf_counter()
    market_step = model.market.step
    spent = [0.0]

    def timed(day, outputs):
        t = time.perf_counter()
        out = market_step(day, outputs)
        spent[0] += time.perf_counter() - t
        return out

    model.market.step = timed  # time the customer side alone
    model.run(days)
    done = time.perf_counter()
    return {"implementation": implementation, "n": n_customers, "days": days,
            "build_s": built - start, "run_s": done - built, "market_s": spent[0],
            "peak_gib": _peak_gib()}


CHILDREN = {"scaling": child_scaling, "default": child_default, "peragent": child_peragent,
            "bandwidth": child_bandwidth}


def run_child(kind: str, *args) -> dict:
    env = {**os.environ, **ONE_CORE}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    command = [sys.executable, str(Path(__file__).resolve()), "--child", kind,
               *map(str, args)]
    out = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if out.returncode != 0:
        raise RuntimeError(f"{kind} {args} failed:\n{out.stderr[-4000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


# ----------------------------------------------------------------------------------------
# Report


def machine() -> str:
    cpu = platform.processor() or "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import numpy

    core = os.environ.get("OPENBLAS_CORETYPE", "unset")
    return (f"{cpu}, {os.cpu_count()} cores; Python {platform.python_version()}, numpy "
            f"{numpy.__version__}; OPENBLAS_CORETYPE={core}; one thread per measurement")


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[1_000_000, 3_000_000])
    parser.add_argument("--ten-million", action="store_true",
                        help="also run 10M customers (about 10 GB and several CPU minutes)")
    parser.add_argument("--repeats", type=int, default=3, help="runs per size (min / median)")
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--peragent-customers", type=int, default=10_000)
    parser.add_argument("--peragent-days", type=int, default=60)
    parser.add_argument("--skip", nargs="*", default=[], choices=sorted(CHILDREN))
    parser.add_argument("--json", type=Path, help="also write the raw measurements here")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        kind, *rest = args.child
        values = [v if not v.lstrip("-").isdigit() else int(v) for v in rest]
        print(json.dumps(CHILDREN[kind](*values)))
        return 0

    print(f"# Market benchmark, {time.strftime('%Y-%m-%d %H:%M')}\n# {machine()}\n"
          f"# load average before: {load()} (other work on the two cores slows every number)\n")
    raw: dict[str, object] = {}
    if "scaling" not in args.skip:
        sizes = list(args.sizes) + ([10_000_000] if args.ten_million else [])
        bandwidth = max(run_child("bandwidth", 512)["bytes_per_s"] for _ in range(3))
        raw["bandwidth_bytes_per_s"] = bandwidth
        # The memory-bandwidth limit: reading and writing the steady state once per simulated
        # day at the measured copy bandwidth (half of it each way).
        print(f"(a) Scaling: full model, 5 brands, {args.days} days, {args.repeats} repeats "
              f"(min / median); copy bandwidth {bandwidth / 1e9:.1f} GB/s (read + write)")
        print(f"{'customers':>10} {'build cpu s':>12} {'run cpu s':>14} {'run wall s':>14} "
              f"{'M cust-days/cpu s':>18} {'of BW limit':>11} {'B/cust':>7} {'peak B/cust':>11} "
              f"{'ns/cust-day':>11} {'load':>5}")
        rows_by_size = {}
        for n in sizes:
            rows = [run_child("scaling", n, args.days) for _ in range(args.repeats)]
            rows_by_size[n] = rows
            build = sorted(r["build_cpu_s"] for r in rows)
            run = sorted(r["run_cpu_s"] for r in rows)
            wall = sorted(r["run_s"] for r in rows)
            steady = statistics.median(r["steady_b_per_customer"] for r in rows)
            peak = statistics.median(r["build_peak_b_per_customer"] for r in rows)
            best = n * args.days / run[0]
            limit = bandwidth / 2 / max(steady, 1.0)  # customer-days per second at the limit
            print(f"{n:>10,} {build[0]:>5.2f} /{statistics.median(build):>5.2f} "
                  f"{run[0]:>6.2f} /{statistics.median(run):>6.2f} "
                  f"{wall[0]:>6.2f} /{statistics.median(wall):>6.2f} "
                  f"{best / 1e6:>8.1f} /{n * args.days / statistics.median(run) / 1e6:>7.1f} "
                  f"{best / limit:>10.0%} {steady:>7.0f} {peak:>11.0f} "
                  f"{1e9 / best:>11.1f} {statistics.median(r['load'] for r in rows):>5.1f}")
        raw["scaling"] = rows_by_size
        if 1_000_000 in rows_by_size and 10_000_000 in rows_by_size:
            per = {n: min(r["run_cpu_s"] for r in rows_by_size[n]) / n for n in (1_000_000,
                                                                              10_000_000)}
            print(f"    cost per customer-day at 10M / at 1M: "
                  f"{per[10_000_000] / per[1_000_000]:.2f} (target <= 1.3)")
        print()
    if "default" not in args.skip:
        rows = [run_child("default") for _ in range(args.repeats)]
        raw["default"] = rows
        r = rows[0]
        cpu = sorted(x["cpu_mean_ms"] for x in rows)
        wall = sorted(x["mean_ms"] for x in rows)
        print(f"(b) Default scenario (baseline as shipped: {r['n']:,} customers, {r['brands']} "
              f"brands, {r['days']} days), {len(rows)} runs (min / median)")
        print(f"    build cpu {min(x['build_cpu_s'] for x in rows) * 1000:.0f} ms; per simulated "
              f"day: CPU mean {cpu[0]:.2f} / {statistics.median(cpu):.2f} ms (target <= "
              f"{TARGET_DEFAULT_CPU_MS} ms: {verdict(cpu[0] <= TARGET_DEFAULT_CPU_MS)}), wall mean "
              f"{wall[0]:.2f} / {statistics.median(wall):.2f}, median {r['median_ms']:.2f}, p95 "
              f"{r['p95_ms']:.2f}, worst {r['max_ms']:.2f}; load "
              f"{statistics.median(x['load'] for x in rows):.1f}\n")
    if "peragent" not in args.skip:
        n, days = args.peragent_customers, args.peragent_days
        pair = {impl: run_child("peragent", impl, n, days) for impl in ("vectorised", "peragent")}
        raw["peragent"] = pair
        print(f"(c) Per-agent Mesa reference vs vectorised: {n:,} customers, "
              f"{len(five_brand_scenario(n, days).brands)} brands, {days} days")
        print(f"{'implementation':>15} {'build s':>8} {'market ms/day':>14} {'model ms/day':>13} "
              f"{'cust-days/s':>12} {'peak GiB':>9}")
        for impl, r in pair.items():
            print(f"{impl:>15} {r['build_s']:>8.2f} {r['market_s'] / days * 1000:>14.2f} "
                  f"{r['run_s'] / days * 1000:>13.2f} {n * days / r['market_s']:>12,.0f} "
                  f"{r['peak_gib']:>9.2f}")
        v, p = pair["vectorised"], pair["peragent"]
        print(f"    speed ratio (per-agent / vectorised): market {p['market_s'] / v['market_s']:.0f}x,"
              f" whole model {p['run_s'] / v['run_s']:.0f}x, construction "
              f"{p['build_s'] / v['build_s']:.0f}x\n")
    print(f"# load average after: {load()}")
    if args.json:
        args.json.write_text(json.dumps(raw, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
