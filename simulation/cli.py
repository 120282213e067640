"""The ``socbiz`` command line.

User mistakes (bad scenario files, bad overrides, an output folder that would be overwritten)
end with one line on stderr, ``socbiz: error: ...``, and exit status 2; never a traceback.
Subcommands of other modules register themselves through ``PLUGINS``: each module named there
has ``add_commands(subparsers)`` that adds its parsers and sets ``func`` on them.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import time
from datetime import datetime
from pathlib import Path

from .scenario import (
    DEFAULT_SCENARIO,
    ScenarioError,
    list_scenarios,
    load_scenario,
    parse_override,
    resolve_scenario_path,
    scenario_to_toml,
)

# Modules that add subcommands (sweep, sensitivity, validate, dashboard ...).
PLUGINS: tuple[str, ...] = (
    "simulation.validation.cli",
    "simulation.experiments.cli",
    "simulation.dashboard_cli",
    "simulation.workshop.cli",
)


class UserError(Exception):
    """A mistake in what the user asked for: one line, exit status 2."""


class Parser(argparse.ArgumentParser):
    """argparse with one-line errors (``socbiz: error: ...``), like every other user mistake."""

    def error(self, message: str):
        command = self.prog.removeprefix("socbiz").strip()
        where = f"{command}: " if command else ""
        self.exit(2, f"socbiz: error: {where}{message} (see: {self.prog} --help)\n")


def overrides_from(pairs: list[str] | None) -> dict:
    return dict(parse_override(p) for p in pairs or [])


def add_override_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--set", dest="overrides", action="append", metavar="KEY=VALUE",
        help="change one scenario value, e.g. --set market.n_customers=5000 or "
             "--set brands.acme.training_budget=200000 (repeatable)",
    )


def cmd_run(args: argparse.Namespace) -> int:
    from .runner import run_scenario, write_outputs

    overrides = overrides_from(args.overrides)
    config = load_scenario(args.scenario, {**overrides, **(
        {"horizon_days": args.days} if args.days is not None else {})})
    seed = args.seed if args.seed is not None else config.seed
    out = Path(args.out) if args.out else Path("runs") / (
        f"{config.name}-seed{seed}-{datetime.now():%Y%m%d-%H%M%S}")
    if out.exists() and any(out.iterdir()) and not args.overwrite:
        raise UserError(f"--out {out}: folder exists and is not empty (choose another folder or "
                        "add --overwrite)")
    if not args.quiet:
        print(f"socbiz: running '{config.name}' for {config.horizon_days} days, seed {seed}, "
              f"{config.market.n_customers:,} customers, {len(config.brands)} brand(s)",
              file=sys.stderr)
    result = run_scenario(config, seed=seed, progress=not args.quiet)
    write_outputs(result, out, plots=not args.no_plots)
    status = result.metadata["status"]
    if not args.quiet:
        print(summary(result), file=sys.stderr)
    print(out)
    return 0 if status == "complete" else 130


def summary(result) -> str:
    frame = result.timeseries
    last = frame[frame["day"] == frame["day"].max()]
    lines = [f"{result.metadata['status']} in {result.metadata['wall_time_s']:.1f} s; "
             f"{len(result.events)} events logged"]
    for _, row in last.iterrows():
        lines.append(
            f"  {row['brand']}: phase {row['phase']}, maturity {row['maturity']:.2f}, "
            f"followers {row['followers']:,}, weekly engaged {row['weekly_engaged_share']:.1%},"
            f" net sentiment {row['net_sentiment']:+.2f}"
        )
    return "\n".join(lines)


def cmd_scenarios_list(args: argparse.Namespace) -> int:
    presets = list_scenarios()
    if not presets:
        print("no scenarios found")
        return 0
    width = max(len(n) for n in presets)
    for name, path in presets.items():
        config = load_scenario(path)
        default = " (default)" if name == DEFAULT_SCENARIO else ""
        print(f"{name:<{width}}  {config.title}{default}")
    return 0


def cmd_scenarios_show(args: argparse.Namespace) -> int:
    config = load_scenario(args.name, overrides_from(args.overrides))
    if args.format == "json":
        print(json.dumps(config.to_dict(), indent=2))
    elif args.format == "toml":
        print(scenario_to_toml(config))
    else:
        print(describe(config))
    return 0


def describe(config) -> str:
    lines = [f"{config.name}: {config.title}", "", config.description.strip(), ""]
    lines.append(f"horizon {config.horizon_days} days, seed {config.seed}; market "
                 f"{config.market.n_customers:,} customers on a {config.market.network} "
                 f"network (mean degree {config.market.mean_degree:g})")
    for name, brand in config.brands.items():
        agencies = ", ".join(brand.agencies) or "no agency"
        lines.append(f"  brand {name}: {brand.organisational_model}, "
                     f"{brand.content.posts_per_day:g} posts/day, mix "
                     f"{brand.content.mix if isinstance(brand.content.mix, str) else 'custom'}, "
                     f"{agencies}")
    for event in config.timeline:
        lines.append(f"  day {event.day}: {event.kind} ({event.brand})")
    if config.narrative:
        lines += ["", "Narrative for trainers:"]
        for cue in config.narrative:
            ask = f"  Ask: {cue.ask}" if cue.ask else ""
            lines.append(f"  day {cue.day}: {cue.watch}{ask}")
    if config.references:
        lines += ["", "References:"] + [f"  - {r}" for r in config.references]
    return "\n".join(lines)


def cmd_scenarios_validate(args: argparse.Namespace) -> int:
    failed = 0
    for path in args.files:
        try:
            config = load_scenario(resolve_scenario_path(path))
            print(f"ok    {path}  ({config.title or config.name})")
        except ScenarioError as error:
            failed += 1
            print(f"error {error}", file=sys.stderr)
    return 2 if failed else 0


def build_parser() -> argparse.ArgumentParser:
    from . import __version__

    parser = Parser(
        prog="socbiz",
        description="Simulate how brands transform themselves on social media: "
                    "experimentation, social marketing, social business.",
    )
    parser.add_argument("--version", action="version", version=f"socbiz {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    run = sub.add_parser("run", help="run a scenario and write its outputs",
                         description="Run a scenario to its horizon; write time series (Parquet "
                                     "and CSV), the event log, metadata and PNG plots.")
    run.add_argument("scenario", nargs="?", default=DEFAULT_SCENARIO,
                     help=f"preset name or TOML file (default: {DEFAULT_SCENARIO})")
    run.add_argument("--days", type=positive_int, help="days to simulate (default: the "
                     "scenario's horizon)")
    run.add_argument("--seed", type=non_negative_int, help="random seed (default: the "
                     "scenario's seed)")
    run.add_argument("--out", help="output folder (default: runs/NAME-seedS-TIMESTAMP)")
    add_override_option(run)
    run.add_argument("--overwrite", action="store_true", help="write into a non-empty folder")
    run.add_argument("--no-plots", action="store_true", help="skip the PNG plots")
    run.add_argument("--quiet", action="store_true", help="no progress bar or summary")
    run.set_defaults(func=cmd_run)

    scenarios = sub.add_parser("scenarios", help="list, show and validate scenario files")
    ssub = scenarios.add_subparsers(dest="action", metavar="ACTION")
    ssub.required = True
    ssub.add_parser("list", help="list the presets").set_defaults(func=cmd_scenarios_list)
    show = ssub.add_parser("show", help="describe a scenario (or print it as TOML/JSON)")
    show.add_argument("name", help="preset name or TOML file")
    show.add_argument("--format", choices=("text", "toml", "json"), default="text")
    add_override_option(show)
    show.set_defaults(func=cmd_scenarios_show)
    validate = ssub.add_parser("validate", help="check scenario files without running them")
    validate.add_argument("files", nargs="+", help="TOML files or preset names")
    validate.set_defaults(func=cmd_scenarios_validate)

    for module_name in PLUGINS:
        importlib.import_module(module_name).add_commands(sub)
    return parser


def int_at_least(minimum: int):
    """An argparse type: an integer ≥ ``minimum``, with a one-line error otherwise."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} (must be an integer)") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"{text!r} (must be an integer ≥ {minimum})")
        return value

    return parse


positive_int = int_at_least(1)
non_negative_int = int_at_least(0)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    started = time.perf_counter()
    try:
        code = args.func(args)
    except (ScenarioError, UserError) as error:
        print(f"socbiz: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"socbiz: interrupted after {time.perf_counter() - started:.0f} s",
              file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    return code


if __name__ == "__main__":
    sys.exit(main())
