"""``socbiz validate``: run the pattern-oriented validation suite and write its report."""

from __future__ import annotations

import argparse
import sys
import time

from ..schema import limit

MAX_VALIDATION_SEEDS = limit("MAX_VALIDATION_SEEDS", 10_000, "Most seeds per pattern and arm "
                             "of socbiz validate --seeds (the default is 20).", "seeds")


def parse_only(text: str) -> list[int]:
    try:
        numbers = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} (expected pattern numbers like 1,5,12)"
                                         ) from None
    bad = [n for n in numbers if not 1 <= n <= 12]
    if bad or not numbers:
        raise argparse.ArgumentTypeError(f"{text!r} (pattern numbers go from 1 to 12)")
    return numbers


def cmd_validate(args: argparse.Namespace) -> int:
    from . import run_suite, write_report

    started = time.perf_counter()

    def show(result) -> None:
        o = result.outcome
        verdict = "pass" if o.passed else "FAIL"
        print(f"{verdict:4}  {result.pattern.number:2}. {result.pattern.title} "
              f"({result.seconds:.0f} s)\n      {o.statement}", file=sys.stderr, flush=True)

    results = run_suite(args.seeds, args.workers, args.only, progress=show)
    wall = time.perf_counter() - started
    passed = sum(r.outcome.passed for r in results)
    print(f"{passed} of {len(results)} patterns reproduced in {wall / 60:.1f} min",
          file=sys.stderr)
    if args.out:
        report = write_report(results, args.out, args.seeds, wall)
        print(report)
    return 0 if passed == len(results) else 1


def add_commands(subparsers) -> None:
    from ..cli import MAX_LOCAL_WORKERS, int_at_least

    parser = subparsers.add_parser(
        "validate", help="check the model against the 12 patterns of the domain brief",
        description="Run the pattern-oriented validation suite: each pattern of the domain "
                    "brief over many seeds, with effect sizes, confidence intervals and "
                    "thresholds. Exit status 1 if a pattern is not reproduced.")
    parser.add_argument("--seeds", type=int_at_least(2, MAX_VALIDATION_SEEDS), default=20,
                        help=f"seeds per pattern and arm, 2 to {MAX_VALIDATION_SEEDS:,} "
                             "(default 20)")
    parser.add_argument("--workers", type=int_at_least(1, MAX_LOCAL_WORKERS), default=None,
                        help="worker processes (default: number of cores)")
    parser.add_argument("--only", type=parse_only, help="pattern numbers, e.g. 1,5,12")
    parser.add_argument("--out", help="folder for report.md and the figures")
    parser.set_defaults(func=cmd_validate)
