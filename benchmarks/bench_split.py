"""Where a day of the default scenario goes: market, DataCollector, organisation side.

    python benchmarks/bench_split.py [--repeats 3] [--scenario baseline]

Runs the scenario over its horizon ``--repeats`` times in this process (one thread) and
accumulates the CPU time (``time.process_time``) of ``model.market.step`` and of
``model.datacollector.collect``; the organisation side is the rest of ``model.step`` (brands'
planning, departments' decisions, agencies, phases, the event log). Prints milliseconds per
simulated day, min and median over the repeats, with the load average. Target (issue 16): the
whole day at most 0.8 ms.
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


def measure(scenario: str, seed: int) -> dict[str, float]:
    from simulation.model import SocialBusinessModel

    model = SocialBusinessModel(scenario, rng=seed)
    spent = {"market": 0.0, "datacollector": 0.0}

    def timed(name, fn):
        def wrapper(*args, **kwargs):
            t = time.process_time()
            try:
                return fn(*args, **kwargs)
            finally:
                spent[name] += time.process_time() - t
        return wrapper

    model.market.step = timed("market", model.market.step)
    model.datacollector.collect = timed("datacollector", model.datacollector.collect)
    days = model.horizon_days
    t = time.process_time()
    model.run(days)
    total = time.process_time() - t
    per_day = {k: v / days * 1000 for k, v in spent.items()}
    per_day["organisation"] = total / days * 1000 - sum(per_day.values())
    per_day["total"] = total / days * 1000
    return per_day


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--scenario", default="baseline")
    args = parser.parse_args(argv)
    rows = [measure(args.scenario, seed) for seed in range(args.repeats)]
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"{args.scenario}: CPU ms per simulated day, min / median of {args.repeats} runs "
          f"(load {load})")
    for part in ("market", "organisation", "datacollector", "total"):
        values = [r[part] for r in rows]
        print(f"  {part:<14} {min(values):6.3f} / {statistics.median(values):6.3f}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
