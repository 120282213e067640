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
import os
import sys
import time
from datetime import datetime
from pathlib import Path

from .events import kinds_help
from .i18n import (
    ENV_VARIABLE,
    LANGUAGES,
    LanguageError,
    _,
    format_number,
    format_percent,
    install_argparse,
    ngettext,
    process_language,
    resolve_language,
)
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
        self.exit(2, error_line(_("{where}{message} (see: {prog} --help)").format(
            where=where, message=message, prog=self.prog)) + "\n")


def error_line(message: object) -> str:
    """The one line every user mistake ends with: ``socbiz: error: ...``."""
    return _("socbiz: error: {message}").format(message=message)


def add_language_option(parser: argparse.ArgumentParser) -> None:
    """``--lang fr|en`` (read before the parsers are built, so ``--help`` is translated too)."""
    if any("--lang" in action.option_strings for action in parser._actions):
        return
    parser.add_argument("--lang", metavar="{" + ",".join(LANGUAGES) + "}",
                        default=argparse.SUPPRESS,
                        help=_("language of messages, help and outputs (default: $SOCBIZ_LANG, "
                               "else en)"))
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for subparser in action.choices.values():
                add_language_option(subparser)


def language_option(argv: list[str]) -> str | None:
    """The value of the last ``--lang X`` / ``--lang=X`` in ``argv`` (None if absent)."""
    chosen = None
    for i, arg in enumerate(argv):
        if arg == "--":
            break
        if arg == "--lang" and i + 1 < len(argv):
            chosen = argv[i + 1]
        elif arg.startswith("--lang="):
            chosen = arg.split("=", 1)[1]
    return chosen


def overrides_from(pairs: list[str] | None) -> dict:
    return dict(parse_override(p) for p in pairs or [])


def add_override_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--set", dest="overrides", action="append", metavar="KEY=VALUE",
        help=_("change one scenario value, e.g. --set market.n_customers=5000 or "
               "--set brands.acme.training_budget=200000 (repeatable)"),
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
        raise UserError(_("--out {out}: folder exists and is not empty (choose another folder "
                          "or add --overwrite)").format(out=out))
    if not args.quiet:
        print(_("socbiz: running '{name}' for {days} days, seed {seed}, {customers}, {brands}")
              .format(name=config.name, days=config.horizon_days, seed=seed,
                      customers=ngettext("{n} customer", "{n} customers",
                                         config.market.n_customers).format(
                          n=format_number(config.market.n_customers)),
                      brands=ngettext("{n} brand", "{n} brands", len(config.brands)).format(
                          n=len(config.brands))),
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
    lines = [_("{status} in {seconds} s; {events}").format(
        status=status_text(result.metadata["status"]),
        seconds=format_number(result.metadata["wall_time_s"], 1),
        events=ngettext("{n} event logged", "{n} events logged", len(result.events)).format(
            n=format_number(len(result.events))))]
    for _index, row in last.iterrows():
        lines.append(_("  {brand}: phase {phase}, maturity {maturity}, followers {followers}, "
                       "weekly engaged {engaged}, net sentiment {sentiment}").format(
            brand=row["brand"], phase=row["phase"], maturity=format_number(row["maturity"], 2),
            followers=format_number(row["followers"]),
            engaged=format_percent(row["weekly_engaged_share"], 1),
            sentiment=format_number(row["net_sentiment"], 2, signed=True)))
    return "\n".join(lines)


def status_text(status: str) -> str:
    """A run's status ("complete", "interrupted at day 12": data in metadata.json), in words."""
    if status == "complete":
        return _("complete")
    day = status.removeprefix("interrupted at day ")
    return _("interrupted at day {day}").format(day=day) if day.isdigit() else status


def cmd_scenarios_list(args: argparse.Namespace) -> int:
    presets = list_scenarios()
    if not presets:
        print(_("no scenarios found"))
        return 0
    width = max(len(n) for n in presets)
    for name, path in presets.items():
        config = load_scenario(path)
        default = _(" (default)") if name == DEFAULT_SCENARIO else ""
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
    lines = [f"{config.name}: {config.title}", "", str(config.description).strip(), ""]
    lines.append(_("horizon {days} days, seed {seed}; market {customers} customers on a "
                   "{network} network (mean degree {degree})").format(
        days=config.horizon_days, seed=config.seed,
        customers=format_number(config.market.n_customers), network=config.market.network,
        degree=format_number(config.market.mean_degree)))
    for name, brand in config.brands.items():
        agencies = ", ".join(brand.agencies) or _("no agency")
        mix = brand.content.mix if isinstance(brand.content.mix, str) else _("custom")
        lines.append(_("  brand {name}: {model}, {posts} posts/day, mix {mix}, {agencies}")
                     .format(name=name, model=brand.organisational_model,
                             posts=format_number(brand.content.posts_per_day), mix=mix,
                             agencies=agencies))
    for event in config.timeline:
        lines.append(_("  day {day}: {kind} ({brand})").format(day=event.day, kind=event.kind,
                                                               brand=event.brand))
    if config.narrative:
        lines += ["", _("Narrative for trainers:")]
        for cue in config.narrative:
            ask = _("  Ask: {question}").format(question=cue.ask) if cue.ask else ""
            lines.append(_("  day {day}: {watch}{ask}").format(day=cue.day, watch=cue.watch,
                                                               ask=ask))
    if config.references:
        lines += ["", _("References:")] + [f"  - {r}" for r in config.references]
    return "\n".join(lines)


def cmd_scenarios_validate(args: argparse.Namespace) -> int:
    failed = 0
    for path in args.files:
        try:
            config = load_scenario(resolve_scenario_path(path))
            print(_("ok    {path}  ({title})").format(path=path, title=config.title or config.name))
        except ScenarioError as error:
            failed += 1
            print(_("error {message}").format(message=error), file=sys.stderr)
    return 2 if failed else 0


def build_parser() -> argparse.ArgumentParser:
    from . import __version__

    parser = Parser(
        prog="socbiz",
        description=_("Simulate how brands transform themselves on social media: "
                      "experimentation, social marketing, social business."),
    )
    parser.add_argument("--version", action="version", version=f"socbiz {__version__}",
                        help=_("show program's version number and exit"))
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    run = sub.add_parser("run", help=_("run a scenario and write its outputs"),
                         description=_("Run a scenario to its horizon; write time series "
                                       "(Parquet and CSV), the event log, metadata and PNG "
                                       "plots."))
    run.add_argument("scenario", nargs="?", default=DEFAULT_SCENARIO,
                     help=_("preset name or TOML file (default: {name})").format(
                         name=DEFAULT_SCENARIO))
    run.add_argument("--days", type=positive_int, help=_("days to simulate (default: the "
                                                         "scenario's horizon)"))
    run.add_argument("--seed", type=non_negative_int, help=_("random seed (default: the "
                                                             "scenario's seed)"))
    run.add_argument("--out", help=_("output folder (default: runs/NAME-seedS-TIMESTAMP)"))
    add_override_option(run)
    run.add_argument("--overwrite", action="store_true",
                     help=_("write into a non-empty folder"))
    run.add_argument("--no-plots", action="store_true", help=_("skip the PNG plots"))
    run.add_argument("--quiet", action="store_true", help=_("no progress bar or summary"))
    run.set_defaults(func=cmd_run)

    scenarios = sub.add_parser(
        "scenarios", help=_("list, show and validate scenario files"),
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=_("kinds of [[timeline]] entries (kind: fields):") + "\n  "
               + kinds_help("cli").replace("\n", "\n  "))
    ssub = scenarios.add_subparsers(dest="action", metavar="ACTION")
    ssub.required = True
    ssub.add_parser("list", help=_("list the presets")).set_defaults(func=cmd_scenarios_list)
    show = ssub.add_parser("show", help=_("describe a scenario (or print it as TOML/JSON)"))
    show.add_argument("name", help=_("preset name or TOML file"))
    show.add_argument("--format", choices=("text", "toml", "json"), default="text",
                      help=_("text (default), or the resolved scenario as TOML or JSON"))
    add_override_option(show)
    show.set_defaults(func=cmd_scenarios_show)
    validate = ssub.add_parser("validate", help=_("check scenario files without running them"))
    validate.add_argument("files", nargs="+", help=_("TOML files or preset names"))
    validate.set_defaults(func=cmd_scenarios_validate)

    for module_name in PLUGINS:
        importlib.import_module(module_name).add_commands(sub)
    add_language_option(parser)
    return parser


def int_at_least(minimum: int):
    """An argparse type: an integer ≥ ``minimum``, with a one-line error otherwise."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(_("{text} (must be an integer)").format(
                text=repr(text))) from None
        if value < minimum:
            raise argparse.ArgumentTypeError(_("{text} (must be an integer ≥ {minimum})").format(
                text=repr(text), minimum=minimum))
        return value

    return parse


positive_int = int_at_least(1)
non_negative_int = int_at_least(0)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    try:
        lang = resolve_language(language_option(argv))
    except LanguageError as error:
        print(error_line(f"--lang: {error}" if language_option(argv) else error),
              file=sys.stderr)
        return 2
    previous_env = os.environ.get(ENV_VARIABLE)
    os.environ[ENV_VARIABLE] = lang  # worker processes (sweeps, Dask) speak it too
    try:
        with process_language(lang):
            return _run_command(argv)
    finally:
        if previous_env is None:
            os.environ.pop(ENV_VARIABLE, None)
        else:
            os.environ[ENV_VARIABLE] = previous_env


def _run_command(argv: list[str]) -> int:
    install_argparse()
    parser = build_parser()
    args = parser.parse_args(argv)
    started = time.perf_counter()
    try:
        code = args.func(args)
    except (ScenarioError, UserError) as error:
        print(error_line(error), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(_("socbiz: interrupted after {seconds} s").format(
            seconds=format_number(time.perf_counter() - started, 0)), file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    return code


if __name__ == "__main__":
    sys.exit(main())
