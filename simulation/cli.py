"""The ``socbiz`` command line.

User mistakes (bad scenario files, bad overrides, an output folder that would be overwritten
or cannot be written, an option out of range) end with one line on stderr, ``socbiz: error:
...``, and exit status 2; never a traceback. Output folders are checked before any work. An
unexpected internal error prints one line saying where its full traceback was written (a file
in the temporary folder, ``socbiz_logs/``) and exits with status 1.
Subcommands of other modules register themselves through ``PLUGINS``: each module named there
has ``add_commands(subparsers)`` that adds its parsers and sets ``func`` on them.
"""

from __future__ import annotations

import argparse
import importlib
import json
import math
import os
import sys
import tempfile
import time
import traceback
from datetime import datetime
from pathlib import Path

from .events import kinds_help
from .i18n import (
    ENV_VARIABLE,
    LANGUAGES,
    LanguageError,
    _,
    _l,
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
from .schema import limit, one_line

# Modules that add subcommands (sweep, sensitivity, validate, dashboard ...).
PLUGINS: tuple[str, ...] = (
    "simulation.validation.cli",
    "simulation.experiments.cli",
    "simulation.dashboard_cli",
    "simulation.workshop.cli",
)


class UserError(Exception):
    """A mistake in what the user asked for: one line, exit status 2."""


class RunFailed(Exception):
    """Work done but not delivered as asked (e.g. written to a rescue folder): one line, exit
    status 1."""


class Parser(argparse.ArgumentParser):
    """argparse with one-line errors (``socbiz: error: ...``), like every other user mistake."""

    def error(self, message: str):
        command = self.prog.removeprefix("socbiz").strip()
        where = f"{command}: " if command else ""
        self.exit(2, error_line(_("{where}{message} (see: {prog} --help)").format(
            where=where, message=one_line(message), prog=self.prog)) + "\n")


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
    from .runner import (
        OutputError,
        check_output_folder,
        estimate_output_bytes,
        run_scenario,
        write_outputs_or_rescue,
    )

    overrides = overrides_from(args.overrides)
    config = load_scenario(args.scenario, {**overrides, **(
        {"horizon_days": args.days} if args.days is not None else {})})
    seed = args.seed if args.seed is not None else config.seed
    out = Path(args.out) if args.out is not None else Path("runs") / (
        f"{config.name}-seed{seed}-{datetime.now():%Y%m%d-%H%M%S}")
    # Before any work: a folder that cannot take the outputs is refused now, not after the run.
    try:
        check_output_folder(out, estimate_output_bytes(config, plots=not args.no_plots))
    except OutputError as error:
        raise UserError(str(error)) from None
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
    try:
        written, failure = write_outputs_or_rescue(result, out, plots=not args.no_plots)
    except OutputError as error:
        raise RunFailed(str(error)) from None
    if failure is not None:
        from .runner import _describe_os_error

        raise RunFailed(_("could not write the results to {out} ({error}); nothing is lost: "
                          "they were written to {rescue}").format(
            out=out, error=_describe_os_error(failure), rescue=written))
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
    """``ok FILE (title)`` on stdout for each good file; the usual one-line error on stderr for
    each bad one (so a single bad file gives exactly the one line of any user mistake)."""
    failed = 0
    for path in args.files:
        try:
            config = load_scenario(resolve_scenario_path(path))
            print(_("ok    {path}  ({title})").format(path=path, title=config.title or config.name))
        except ScenarioError as error:
            failed += 1
            print(error_line(one_line(error)), file=sys.stderr)
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
    run.add_argument("--days", type=days_int, help=_("days to simulate (default: the "
                                                     "scenario's horizon)"))
    run.add_argument("--seed", type=seed_int, help=_("random seed (default: the "
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


def int_at_least(minimum: int, maximum: int | None = None):
    """An argparse type: an integer ≥ ``minimum`` (and ≤ ``maximum``), with a one-line error
    otherwise."""
    from .schema import format_value

    def parse(text: str) -> int:
        shown = format_value(text)
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(_("{text} (must be an integer)").format(
                text=shown)) from None
        if value < minimum:
            raise argparse.ArgumentTypeError(_("{text} (must be an integer ≥ {minimum})").format(
                text=shown, minimum=minimum))
        if maximum is not None and value > maximum:
            raise argparse.ArgumentTypeError(_("{text} (must be an integer between {minimum} "
                                               "and {maximum})").format(
                text=shown, minimum=format_number(minimum), maximum=format_number(maximum)))
        return value

    return parse


def probability_open(text: str) -> float:
    """An argparse type: a number strictly between 0 and 1 (a confidence level)."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not 0 < value < 1:
        from .schema import format_value

        raise argparse.ArgumentTypeError(_("{text} (must be a number between 0 and 1, "
                                           "exclusive, e.g. 0.95)").format(
            text=format_value(text)))
    return value


SCHEDULER_SCHEMES = ("tcp", "tls", "ws", "wss", "ucx", "inproc")


def scheduler_address(text: str) -> str:
    """An argparse type: a Dask scheduler address, ``tcp://HOST:PORT`` (or ``HOST:PORT``).

    The format is checked here, and the host is tried with a short TCP connection (2 s), so a
    wrong address is one line at once instead of a long wait for the Dask client's timeout.
    """
    from urllib.parse import urlsplit

    from .schema import format_value

    shown = format_value(text)
    expected = _("{text} (expected tcp://HOST:PORT, e.g. tcp://127.0.0.1:8786)").format(
        text=shown)
    address = text.strip()
    if not address or any(c.isspace() for c in address) or not address.isprintable():
        raise argparse.ArgumentTypeError(expected)
    if "://" not in address:
        address = f"tcp://{address}"
    parts = urlsplit(address)
    if parts.scheme in ("http", "https"):
        raise argparse.ArgumentTypeError(_(
            "{text} (a web address: Dask schedulers listen on tcp://HOST:8786; port 8787 is "
            "the dashboard, not the scheduler)").format(text=shown))
    if parts.scheme not in SCHEDULER_SCHEMES:
        raise argparse.ArgumentTypeError(expected)
    if parts.scheme == "inproc":
        return address
    try:
        port = parts.port
    except ValueError:
        raise argparse.ArgumentTypeError(_("{text} (the port must be 1 to 65535)").format(
            text=shown)) from None
    if not parts.hostname or port is None or parts.path not in ("", "/") or parts.query:
        raise argparse.ArgumentTypeError(expected)
    if parts.scheme in ("tcp", "tls"):
        import socket

        try:
            connection = socket.create_connection((parts.hostname, port), timeout=2)
        except OSError as error:
            why = (_("unknown host") if isinstance(error, socket.gaierror)
                   else _("no answer within 2 s") if isinstance(error, TimeoutError)
                   else error.strerror or str(error))
            raise argparse.ArgumentTypeError(_("{text} (cannot reach a scheduler there: "
                                               "{why})").format(text=shown, why=why)) from None
        with connection:
            # A Dask listener greets first (its handshake); a silent port is something else.
            greeted = True
            if parts.scheme == "tcp":
                connection.settimeout(3)
                try:
                    greeted = bool(connection.recv(1))
                except OSError:
                    greeted = False
        if not greeted:
            raise argparse.ArgumentTypeError(_(
                "{text} (something listens there but it is not a Dask scheduler: no Dask "
                "handshake within 3 s)").format(text=shown))
    return address




def _horizon_cap() -> int:
    from .config import MAX_HORIZON_DAYS

    return MAX_HORIZON_DAYS


def _seed_cap() -> int:
    from .schema import MAX_SEED

    return MAX_SEED


MAX_HORIZON_DAYS = _horizon_cap()
MAX_LOCAL_WORKERS = limit("MAX_LOCAL_WORKERS", 1024, _l(
    "Most local worker processes (--workers): far above any machine's cores, so a typo cannot "
    "fork thousands."), "processes")
positive_int = int_at_least(1)
non_negative_int = int_at_least(0)
days_int = int_at_least(1, MAX_HORIZON_DAYS)
seed_int = int_at_least(0, _seed_cap())
workers_int = int_at_least(0, MAX_LOCAL_WORKERS)


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
        print(error_line(one_line(error)), file=sys.stderr)
        return 2
    except RunFailed as error:
        print(error_line(one_line(error)), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(_("socbiz: interrupted after {seconds} s").format(
            seconds=format_number(time.perf_counter() - started, 0)), file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except PATH_ERRORS as error:
        if not error.filename:
            return _internal_error(error, argv)
        # A place the user named that cannot be read or written, found past the early checks
        # of each command: the path and the reason, one line.
        print(error_line(one_line(f"{error.filename}: {error.strerror}")), file=sys.stderr)
        return 2
    except Exception as error:
        from .runner import OutputError  # loaded already if it was raised (pandas: not at start)

        if isinstance(error, OutputError):  # a place the outputs cannot go, refused before
            print(error_line(one_line(error)), file=sys.stderr)  # any work: a user mistake
            return 2
        return _internal_error(error, argv)
    return code


# Errors about a path (a user's file or folder), as opposed to a bug.
PATH_ERRORS = (FileNotFoundError, NotADirectoryError, FileExistsError, IsADirectoryError,
               PermissionError)


def _internal_error(error: Exception, argv: list[str]) -> int:
    """A bug, not a user mistake: a short message, the traceback kept in a file."""
    print(_("socbiz: internal error: {error} (full traceback in {file}; please report it)")
          .format(error=one_line(f"{type(error).__name__}: {error}", 300),
                  file=write_crash_report(argv)), file=sys.stderr)
    return 1


CRASH_FOLDER = "socbiz_logs"  # in the temporary folder


def write_crash_report(argv: list[str] | None) -> str:
    """Write the current exception's traceback, the command line and versions to a file in
    ``<temp>/socbiz_logs/``; return its path (or a note if even that cannot be written)."""
    from . import __version__

    text = (f"socbiz_version: {__version__}\npython: {sys.version.split()[0]}\n"
            f"command: {sys.argv[0] if argv is None else 'socbiz'} "
            f"{' '.join(sys.argv[1:] if argv is None else argv)[:5000]}\n"
            f"time: {datetime.now().isoformat(timespec='seconds')}\n\n"
            + traceback.format_exc())
    folder = Path(tempfile.gettempdir()) / CRASH_FOLDER
    try:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"crash-{datetime.now():%Y%m%d-%H%M%S}-{os.getpid()}.txt"
        path.write_text(text, encoding="utf-8")
        return str(path)
    except OSError:
        return _("nowhere: the temporary folder is not writable")


if __name__ == "__main__":
    sys.exit(main())
