"""``socbiz validate``: run the validation (patterns, targets, null models, robustness, scale)
and write its report."""

from __future__ import annotations

import argparse
import sys
import time

from ..i18n import _, _l, format_number
from ..schema import limit
from .report import SECTIONS

MAX_VALIDATION_SEEDS = limit("MAX_VALIDATION_SEEDS", 10_000, _l(
    "Most seeds per pattern and arm of socbiz validate --seeds (the default is 20)."), "seeds")


# The verdict printed before each pattern and target (the report itself is in English).
PASS = _l("pass")
FAIL = _l("FAIL")


def pattern_ids() -> list[str]:
    from .patterns import PATTERNS

    return [p.id for p in PATTERNS]


def parse_only(text: str) -> list[str]:
    """Pattern ids from the registry: ``P1,P5`` (``1,5`` is accepted too)."""
    known = pattern_ids()
    chosen = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        pid = f"P{part}" if part.isdigit() else part.upper()
        if pid not in known:
            raise argparse.ArgumentTypeError(
                _("{value} is not a pattern (known: {known})").format(
                    value=repr(part), known=", ".join(known)))
        chosen.append(pid)
    if not chosen:
        raise argparse.ArgumentTypeError(_("{value} (expected pattern ids like P1,P5)").format(
            value=repr(text)))
    return chosen


def parse_sections(text: str) -> list[str]:
    chosen = [p.strip() for p in text.split(",") if p.strip()]
    bad = [s for s in chosen if s not in SECTIONS]
    if bad or not chosen:
        raise argparse.ArgumentTypeError(
            _("{value} (sections: {sections})").format(value=repr(text),
                                                        sections=", ".join(SECTIONS)))
    return chosen


def parse_scenarios(text: str) -> list[str]:
    from ..scenario import list_scenarios

    known = list(list_scenarios())
    chosen = [p.strip() for p in text.split(",") if p.strip()]
    bad = [c for c in chosen if c not in known]
    if bad or not chosen:
        raise argparse.ArgumentTypeError(_("{value} (presets: {presets})").format(
            value=repr(text), presets=", ".join(known)))
    return chosen


def parse_sizes(text: str) -> list[int]:
    try:
        sizes = sorted({int(p) for p in text.split(",") if p.strip()})
    except ValueError:
        raise argparse.ArgumentTypeError(_("{value} (expected sizes like 10000,100000)").format(
            value=repr(text))) from None
    if len(sizes) < 2 or sizes[0] < 100:
        raise argparse.ArgumentTypeError(_("{value} (at least two sizes, each ≥ 100)").format(
            value=repr(text)))
    return sizes


def model_commit() -> str:
    """The git commit of the code that produced the results (with '+changes' if dirty)."""
    import os
    import subprocess
    from pathlib import Path

    if os.environ.get("SOCBIZ_MODEL_COMMIT"):  # a run from an exported copy of the code
        return os.environ["SOCBIZ_MODEL_COMMIT"]
    root = Path(__file__).resolve().parents[2]
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=root, text=True,
                              capture_output=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "simulation"],
                               cwd=root, text=True, capture_output=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + ("+changes" if dirty else "")


def cmd_validate(args: argparse.Namespace) -> int:
    from pathlib import Path

    from . import cpu_seconds, make_pool, run_pattern, select_patterns
    from .report import build_report, load_raw, save_raw

    out = Path(args.out or "docs/validation")
    from ..runner import check_output_folder

    check_output_folder(out)  # before any pattern runs: a folder that cannot take them
    if args.report_only:
        if not load_raw(out):
            print(_("socbiz validate: {folder}: no raw results to build a report from (run "
                    "without --report-only first)").format(folder=out / "raw"), file=sys.stderr)
            return 2
        print(build_report(out))
        return 0

    def say(text: str) -> None:
        print(text, file=sys.stderr, flush=True)

    started = time.perf_counter()
    commit = model_commit()
    patterns = select_patterns(args.only)
    seeds = list(range(1, args.seeds + 1))
    failed = 0
    with make_pool(args.workers) as pool:
        # With --only, the other patterns' raw results are kept (each row of the report says
        # its own seeds and model commit): rerunning two patterns does not throw away the rest.
        earlier = load_raw(out) if args.only else {}
        kept = "; other patterns kept from an earlier run" if args.only else ""
        if "patterns" in args.sections:
            t0 = time.perf_counter()
            results = {k: v for k, v in earlier.get("patterns", {}).get("results", {}).items()
                       if k not in {p.id for p in patterns}}
            cpu = 0.0
            for pattern in patterns:
                try:
                    result = run_pattern(pattern, seeds, pool)
                except Exception as error:  # a broken measure fails its pattern, not the run
                    failed += 1
                    results[pattern.id] = {"error": f"{type(error).__name__}: {error}",
                                           "seeds": seeds}
                    say(f"{FAIL:4}  {pattern.id:3} {pattern.title}: "
                        f"{results[pattern.id]['error']}")
                    continue
                o = result.outcome
                failed += not o.passed
                say(f"{PASS if o.passed else FAIL:4}  {pattern.id:3} {pattern.title} "
                    f"({result.seconds:.0f} s)\n      {o.statement}")
                results[pattern.id] = {"runs": result.runs, "seeds": seeds, "commit": commit}
                cpu += cpu_seconds(result.runs)
                # Saved after every pattern: an interrupted run keeps what it computed.
                save_raw(out, "patterns", {"results": results, "meta": {
                    "settings": f"{len(seeds)} seeds per arm{kept}",
                    "wall_s": time.perf_counter() - t0, "cpu_s": cpu, "commit": commit}})
        if "targets" in args.sections:
            from . import collect_runs
            from .targets import TARGETS

            t0 = time.perf_counter()
            results, cpu = {}, 0.0
            for target in TARGETS:
                if not target.testable:
                    continue
                try:
                    runs = collect_runs(target, seeds, pool)
                    o = target.judge(runs)
                except Exception as error:
                    results[target.id] = {"_error": f"{type(error).__name__}: {error}"}
                    say(f"{FAIL:4}  {target.id:3} {target.title}: "
                        f"{results[target.id]['_error']}")
                    continue
                say(f"{PASS if o.passed else FAIL:4}  {target.id:3} {target.title}\n"
                    f"      {o.statement}")
                results[target.id] = runs
                cpu += cpu_seconds(runs)
                save_raw(out, "targets", {"results": results, "meta": {
                    "settings": f"{len(seeds)} seeds per arm",
                    "wall_s": time.perf_counter() - t0, "cpu_s": cpu, "commit": commit}})
        if "ablations" in args.sections:
            from .ablations import run_ablations

            t0 = time.perf_counter()
            ab_seeds = list(range(1, args.ablation_seeds + 1))

            previous = earlier.get("ablations", {}).get("results", {})

            def save_ablations(raw):
                raw = {ablation: {**previous.get(ablation, {}), **per}
                       for ablation, per in raw.items()}
                cpu = sum(cpu_seconds(r) for per in raw.values() for r in per.values()
                          if "_error" not in r)
                save_raw(out, "ablations", {"results": raw, "meta": {
                    "settings": f"{len(ab_seeds)} seeds per arm{kept}",
                    "wall_s": time.perf_counter() - t0, "cpu_s": cpu, "commit": commit}})

            save_ablations(run_ablations(patterns, ab_seeds, pool, progress=say,
                                         save=save_ablations))
        if "robustness" in args.sections:
            from .robustness import run_robustness

            t0 = time.perf_counter()
            lhs_seeds = list(range(1, args.lhs_seeds + 1))

            def save_robustness(raw):
                cpu = sum(cpu_seconds(r) for per in raw["runs"].values() for r in per
                          if "_invalid" not in r)
                raw["meta"] = {"settings": f"{args.lhs_points} points × {len(lhs_seeds)} "
                                           f"seeds, {args.lhs_customers:,} customers",
                               "wall_s": time.perf_counter() - t0, "cpu_s": cpu,
                               "commit": commit}
                save_raw(out, "robustness", raw)

            save_robustness(run_robustness(patterns, args.lhs_points, lhs_seeds, pool,
                                           args.lhs_customers, progress=say,
                                           save=save_robustness))
        if "scale" in args.sections:
            from .scale import run_scale

            t0 = time.perf_counter()
            sc_seeds = list(range(1, args.scale_seeds + 1))

            def save_scale(raw):
                cpu = sum(cpu_seconds({"x": runs}) for by in raw.values()
                          for runs in by.values())
                save_raw(out, "scale", {"results": raw, "meta": {
                    "settings": f"{len(sc_seeds)} seeds, sizes "
                                + ", ".join(f"{s:,}" for s in args.scale_sizes),
                    "wall_s": time.perf_counter() - t0, "cpu_s": cpu, "commit": commit}})

            save_scale(run_scale(sc_seeds, pool, args.scale_sizes, args.scale_scenarios,
                                 progress=say, save=save_scale))
    wall = time.perf_counter() - started
    say(_("validation sections {sections} done in {minutes} min").format(
        sections=", ".join(args.sections), minutes=format_number(wall / 60, 1)))
    print(build_report(out))
    return 0 if failed == 0 else 1


def add_commands(subparsers) -> None:
    from ..cli import MAX_LOCAL_WORKERS, int_at_least

    parser = subparsers.add_parser(
        "validate", help=_("validate the model: patterns, out-of-sample targets, null models, "
                         "robustness, scale"),
        description=_("Run the validation: the patterns of the domain brief over many seeds "
                    "(effect sizes, intervals over seeds, thresholds fixed in the registry), "
                    "out-of-sample targets, null models, a Latin hypercube over the assumed "
                    "parameters and a scale-convergence study; write report.md and the "
                    "figures. Exit status 1 if a pattern is not reproduced."))
    parser.add_argument("--seeds", type=int_at_least(2, MAX_VALIDATION_SEEDS), default=20,
                        help=_("seeds per arm for patterns and targets, 2 to {most} (default "
                               "20)").format(most=format_number(MAX_VALIDATION_SEEDS)))
    parser.add_argument("--workers", type=int_at_least(1, MAX_LOCAL_WORKERS), default=None,
                        help=_("worker processes (default: number of cores)"))
    parser.add_argument("--only", type=parse_only,
                        help=_("pattern ids from the registry, e.g. P1,P5 (patterns, null models "
                             "and robustness)"))
    parser.add_argument("--sections", type=parse_sections, default=list(SECTIONS),
                        help=_("comma-separated sections to run (default all: {sections}); "
                               "the others keep their raw results").format(
                                   sections=", ".join(SECTIONS)))
    parser.add_argument("--ablation-seeds", type=int_at_least(2), default=6,
                        help=_("seeds per arm in the null models (default 6)"))
    parser.add_argument("--lhs-points", type=int_at_least(4), default=32,
                        help=_("Latin hypercube points over the assumed parameters (default 32)"))
    parser.add_argument("--lhs-seeds", type=int_at_least(1), default=2,
                        help=_("seeds per point and arm (default 2)"))
    parser.add_argument("--lhs-customers", type=int_at_least(500), default=3000,
                        help=_("customers per run in the robustness study (default 3000)"))
    parser.add_argument("--scale-seeds", type=int_at_least(2), default=4,
                        help=_("seeds per size in the scale study (default 4)"))
    parser.add_argument("--scale-sizes", type=parse_sizes, default=[10_000, 30_000, 100_000],
                        help=_("population sizes of the scale study (default 10000,30000,100000)"))
    parser.add_argument("--scale-scenarios", type=parse_scenarios,
                        default=["help-desk-trap", "baseline", "social-business"],
                        help=_("presets of the scale study (default help-desk-trap,baseline,"
                             "social-business)"))
    parser.add_argument("--out", help=_("folder for report.md, the figures and raw/ "
                                      "(default docs/validation)"))
    parser.add_argument("--report-only", action="store_true",
                        help=_("rebuild report.md from the raw results in OUT/raw, run nothing"))
    parser.set_defaults(func=cmd_validate)
