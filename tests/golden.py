"""Golden trajectories: pinned values of short runs at a fixed seed, and how to regenerate them.

Each case is a preset run for a few weeks at a fixed seed and size; a handful of outcomes
(followers, weekly engaged share, adoption of two departments, phase, backlog, complaints,
sales, fatigue) are read on a few days for each brand and stored in ``tests/golden/<case>.json``.
``tests/test_golden.py`` reruns the cases and compares: integers exactly, floats with
``RTOL``/``ATOL``. So a change of a rule or of the order of random draws, which moves these
numbers, is seen by the fast suite, and the values change only on purpose:

    python -m tests.golden --regenerate        # rewrite every case (say why in the commit)
    python -m tests.golden --regenerate baseline

Tolerances: the runs are deterministic (one seed, spawned streams), so the only legitimate
differences are floating-point ones across numpy/BLAS builds or summation orders: relative
1e-7 on floats covers those (they are far below 1e-7 in practice) and is far below what any
rule or draw change produces (counts move by whole people, shares by > 1e-4).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent / "golden"
RTOL = 1e-7
ATOL = 1e-12
DAYS = (0, 15, 30, 45, 60)
COLUMNS = {
    # column: integer-valued (compared exactly)
    "followers": True,
    "phase": True,
    "backlog": True,
    "complaints_total": True,
    "sales": True,
    "weekly_engaged_share": False,
    "adoption_marketing": False,
    "adoption_customer_service": False,
    "mean_fatigue": False,
    "net_sentiment": False,
}
CASES = {
    "baseline": {"scenario": "baseline", "seed": 42, "days": 60,
                 "overrides": {"market.n_customers": 5000}},
    "help-desk-trap": {"scenario": "help-desk-trap", "seed": 7, "days": 60,
                       "overrides": {"market.n_customers": 5000}},
}


def compute(case: str) -> dict:
    """Run one case and read its pinned values: {"case": ..., "values": {brand: {col: [...]}}}."""
    from simulation import SocialBusinessModel

    spec = CASES[case]
    model = SocialBusinessModel(spec["scenario"], rng=spec["seed"],
                                overrides={**spec["overrides"], "horizon_days": spec["days"]})
    model.run()
    frame = model.brand_frame().set_index(["brand", "day"])
    values = {}
    for brand in model.brands:
        rows = frame.loc[brand].loc[list(DAYS)]
        values[brand] = {col: [int(v) if exact else float(v) for v in rows[col]]
                         for col, exact in COLUMNS.items()}
    return {"case": case, **spec, "read_on_days": list(DAYS), "values": values}


def path_of(case: str) -> Path:
    return HERE / f"{case}.json"


def load(case: str) -> dict:
    return json.loads(path_of(case).read_text(encoding="utf-8"))


def regenerate(cases) -> None:
    HERE.mkdir(exist_ok=True)
    for case in cases:
        data = compute(case)
        text = json.dumps(data, indent=1)
        # one line per list of numbers, so that a diff shows which series moved
        text = re.sub(r"\[\s+([^\[\]{}]*?)\s+\]",
                      lambda m: "[" + " ".join(m.group(1).split()) + "]", text)
        path_of(case).write_text(text + "\n", encoding="utf-8")
        print(f"wrote {path_of(case)}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.golden", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--regenerate", action="store_true", help="rewrite the golden files")
    parser.add_argument("cases", nargs="*", help=f"cases (default: all: {', '.join(CASES)})")
    args = parser.parse_args(argv)
    unknown = [c for c in args.cases if c not in CASES]
    if unknown:
        parser.error(f"unknown case(s) {unknown}; known: {', '.join(CASES)}")
    if not args.regenerate:
        parser.print_help()
        return 0
    regenerate(args.cases or list(CASES))
    return 0


if __name__ == "__main__":
    sys.exit(main())
