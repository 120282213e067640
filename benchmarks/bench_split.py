"""Where a day of the default scenario goes: market, organisation side, DataCollector.

    python benchmarks/bench_split.py [--repeats 3] [--scenario baseline]

Runs the scenario over its horizon ``--repeats`` times in this process (one thread) and
accumulates the CPU time (``time.process_time``) of ``model.market.step``, of
``model.datacollector.collect``, of the brands' planning (``Brand.plan_day``) and of the
departments' day (``model.workforce.decide`` and ``commit``); the rest of the organisation side
is the remainder of ``model.step`` (agencies, training, reading the market's answer, social CRM,
sponsorship, phases, the event log, Mesa's step). The cost of the clock reads themselves
(measured, see :func:`clock_cost`) is taken out. Prints CPU milliseconds per simulated day, min
and median over the repeats, the whole day's wall time beside it, and the load average.
Target (issue 16): the whole day at most 0.8 ms; the organisation side (planning, departments,
rest) and the DataCollector are this benchmark's own part, the market that of bench_market.py.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

ROOT = Path(__file__).resolve().parents[1]


def clock_cost(samples: int = 2000) -> float:
    """CPU seconds one ``time.process_time()`` call costs (median of back-to-back pairs): on
    this machine's virtual clock about 20 microseconds under load, so a day timed in seven
    sections pays about 0.3 ms of clock reads unless they are taken out."""
    deltas = []
    for _ in range(samples):
        t = time.process_time()
        deltas.append(time.process_time() - t)
    return statistics.median(deltas)


def measure(scenario: str, seed: int) -> dict[str, float]:
    from simulation.model import SocialBusinessModel

    model = SocialBusinessModel(scenario, rng=seed)
    spent = {"market": 0.0, "datacollector": 0.0, "planning": 0.0, "departments": 0.0}
    calls = dict.fromkeys(spent, 0)
    cost = clock_cost()

    def timed(name, fn):
        def wrapper(*args, **kwargs):
            t = time.process_time()
            try:
                return fn(*args, **kwargs)
            finally:
                spent[name] += time.process_time() - t - cost  # one clock read is inside
                calls[name] += 1
        return wrapper

    model.market.step = timed("market", model.market.step)
    model.datacollector.collect = timed("datacollector", model.datacollector.collect)
    model.workforce.decide = timed("departments", model.workforce.decide)
    model.workforce.commit = timed("departments", model.workforce.commit)
    for brand in model.brands.values():
        brand.plan_day = timed("planning", brand.plan_day)
    days = model.horizon_days
    t, w = time.process_time(), time.perf_counter()
    model.run(days)
    total, wall = time.process_time() - t, time.perf_counter() - w
    total -= 2 * cost * sum(calls.values())  # the wrappers' clock reads, in and around them
    per_day = {k: v / days * 1000 for k, v in spent.items()}
    per_day["rest"] = total / days * 1000 - sum(per_day.values())
    per_day["organisation"] = per_day["planning"] + per_day["departments"] + per_day["rest"]
    per_day["total"] = total / days * 1000
    per_day["wall"] = wall / days * 1000
    return per_day


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--scenario", default="baseline")
    args = parser.parse_args(argv)
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    rows = [measure(args.scenario, seed) for seed in range(args.repeats)]
    print(f"{args.scenario}: CPU ms per simulated day, min / median of {args.repeats} runs "
          f"(load before {load})")
    parts = {"market": "market", "organisation": "organisation side",
             "planning": "  planning", "departments": "  departments", "rest": "  rest",
             "datacollector": "DataCollector", "total": "total (CPU)", "wall": "total (wall)"}
    for part, label in parts.items():
        values = [r[part] for r in rows]
        print(f"  {label:<18} {min(values):6.3f} / {statistics.median(values):6.3f}")
    mine = [r["organisation"] + r["datacollector"] for r in rows]
    print(f"  {'organisation + DataCollector':<28} {min(mine):6.3f} / {statistics.median(mine):6.3f}")
    print(f"load after: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
