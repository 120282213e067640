"""Throughput of the market: scaling, the default scenario, and per-agent vs vectorised.

    python benchmarks/bench_market.py [--sizes 10000 100000 1000000] [--days 365]
                                      [--peragent-days 60] [--skip scaling default peragent]

Prints three tables, each measurement in a fresh child process pinned to one thread
(``OMP_NUM_THREADS``, ``OPENBLAS_NUM_THREADS``, ``MKL_NUM_THREADS`` = 1, set before numpy is
imported), with the machine as it is (``OPENBLAS_CORETYPE`` is left alone):

(a) scaling: the full model (organisation side included) on a five-brand scenario made from the
    baseline (its three brands plus two with the default brand settings) for 10k, 100k and 1M
    customers and 365 days: construction time, run time, total, seconds per simulated day,
    customer-days per second and the child's peak resident memory (``ru_maxrss``). Target for
    1M customers: total < 60 s and peak < 4 GiB.
(b) the default scenario (``baseline`` as shipped) over its horizon: milliseconds per simulated
    day (mean, median, 95th percentile, worst). Target: mean < 20 ms.
(c) the per-agent Mesa reference (:mod:`benchmarks.peragent`) beside the vectorised market at
    10k customers on the same five-brand scenario: time per simulated day of the market alone
    and of the whole model, and the speed ratio.

This is a benchmark that prints numbers, not a timed test: nothing fails when a target is
missed (the table says MISS).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ONE_CORE = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
TARGET_1M_SECONDS = 60.0
TARGET_1M_GIB = 4.0
TARGET_DEFAULT_MS = 20.0
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


def child_scaling(n_customers: int, days: int) -> dict:
    from simulation.model import SocialBusinessModel

    config = five_brand_scenario(n_customers, days)
    start = time.perf_counter()
    model = SocialBusinessModel(config)
    built = time.perf_counter()
    model.run(days)
    done = time.perf_counter()
    return {"n": n_customers, "brands": len(config.brands), "days": days,
            "build_s": built - start, "run_s": done - built, "total_s": done - start,
            "peak_gib": _peak_gib()}


def child_default() -> dict:
    import numpy as np

    from simulation.model import SocialBusinessModel

    start = time.perf_counter()
    model = SocialBusinessModel("baseline")
    built = time.perf_counter()
    steps = []
    for _ in range(model.horizon_days):
        t = time.perf_counter()
        model.step()
        steps.append(time.perf_counter() - t)
    ms = np.array(steps) * 1000
    return {"n": model.config.market.n_customers, "brands": len(model.config.brands),
            "days": len(steps), "build_s": built - start, "mean_ms": float(ms.mean()),
            "median_ms": float(np.median(ms)), "p95_ms": float(np.percentile(ms, 95)),
            "max_ms": float(ms.max()), "peak_gib": _peak_gib()}


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


CHILDREN = {"scaling": child_scaling, "default": child_default, "peragent": child_peragent}


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
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
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
        rows = [run_child("scaling", n, args.days) for n in args.sizes]
        raw["scaling"] = rows
        print(f"(a) Scaling: full model, {rows[0]['brands']} brands, {args.days} days")
        print(f"{'customers':>10} {'build s':>8} {'run s':>8} {'total s':>8} {'s/day':>8} "
              f"{'cust-days/s':>12} {'peak GiB':>9} {'growth':>7}  target")
        previous = None
        for r in rows:
            per_day = r["run_s"] / r["days"]
            throughput = r["n"] * r["days"] / r["run_s"]
            growth = f"{r['total_s'] / previous['total_s']:.1f}x" if previous else ""
            target = ""
            if r["n"] == 1_000_000:
                target = (f"< {TARGET_1M_SECONDS:.0f} s: {verdict(r['total_s'] < TARGET_1M_SECONDS)}"
                          f"; < {TARGET_1M_GIB:.0f} GiB: {verdict(r['peak_gib'] < TARGET_1M_GIB)}")
            print(f"{r['n']:>10,} {r['build_s']:>8.2f} {r['run_s']:>8.2f} {r['total_s']:>8.2f} "
                  f"{per_day:>8.4f} {throughput:>12,.0f} {r['peak_gib']:>9.2f} {growth:>7}  "
                  f"{target}")
            previous = r
        print()
    if "default" not in args.skip:
        r = run_child("default")
        raw["default"] = r
        print(f"(b) Default scenario (baseline as shipped: {r['n']:,} customers, {r['brands']} "
              f"brands, {r['days']} days)")
        print(f"    build {r['build_s'] * 1000:.0f} ms; per simulated day: mean "
              f"{r['mean_ms']:.2f} ms, median {r['median_ms']:.2f}, p95 {r['p95_ms']:.2f}, "
              f"worst {r['max_ms']:.2f}; target mean < {TARGET_DEFAULT_MS:.0f} ms: "
              f"{verdict(r['mean_ms'] < TARGET_DEFAULT_MS)}\n")
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
