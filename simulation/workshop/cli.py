"""``socbiz workshop``: serve a workshop, replay its file, write its debrief pack.

- ``socbiz workshop [WORKSHOP_OR_SCENARIO] [--host H] [--port P] [--teams N] [--round-days D]
  [--lang fr|en] [--file F | --resume F]`` creates the workshop file (or, with ``--resume``,
  continues one), prints the join URL, the room code, the facilitator URL with its token and
  writes a QR code of the join URL, then becomes the Solara server
  (``dashboards/workshop/app.py``), offline and without telemetry like the dashboard.
- ``socbiz workshop replay FILE`` re-simulates every round from the file and checks each
  round's stored result (exit 1 if one differs).
- ``socbiz workshop debrief FILE [--out DIR] [--counterfactual BRAND:ROUND:CHANGE]`` writes the
  debrief pack (HTML and CSV).

Bad input is a one-line error and exit status 2, like every socbiz command.
"""

from __future__ import annotations

import argparse
import os
import socket
import sys
import time
from pathlib import Path

from ..i18n import _, format_number, language, ngettext

DEFAULT_PORT = 8810
REPOSITORY = Path(__file__).resolve().parents[2]
APP = REPOSITORY / "dashboards" / "workshop" / "app.py"


def add_commands(subparsers) -> None:
    from ..cli import int_at_least
    from ..dashboard_cli import host_address, port_number

    parser = subparsers.add_parser(
        "workshop",
        help=_("run a multi-team workshop (a shared market, a facilitator console), or replay "
               "or debrief a workshop file"),
        description=_("Serve a workshop: teams each steer a brand of one shared market from "
                      "their own browser, round by round; a facilitator console locks, "
                      "simulates and releases rounds. 'socbiz workshop replay FILE' re-simulates "
                      "a workshop file and checks every round; 'socbiz workshop debrief FILE' "
                      "writes its debrief pack. Works offline; sends no telemetry."),
    )
    parser.add_argument("target", nargs="*", metavar="WORKSHOP",
                        help=_("workshop file or name in scenarios/workshops (default: "
                               "launch), or a scenario played with default settings; or "
                               "'replay FILE' / 'debrief FILE'"))
    parser.add_argument("--host", type=host_address, default="127.0.0.1",
                        help=_("address to listen on (default: 127.0.0.1, this computer only; "
                               "0.0.0.0 lets phones and laptops on your network join)"))
    parser.add_argument("--port", type=port_number, default=DEFAULT_PORT,
                        help=_("port (default: {port}; 0 picks a free one)").format(port=DEFAULT_PORT))
    parser.add_argument("--teams", type=int_at_least(1), help=_("number of teams"))
    parser.add_argument("--round-days", type=int_at_least(1),
                        help=_("days per round (default: the workshop file's, 90)"))
    parser.add_argument("--rounds", type=int_at_least(1), help=_("number of rounds"))
    parser.add_argument("--seed", type=int_at_least(0), help=_("market seed"))
    parser.add_argument("--lang", choices=("en", "fr"),
                        help=_("language of every screen and of the debrief pack (default: "
                               "each participant's browser language; the console and the "
                               "debrief pack in the workshop file's language)"))
    parser.add_argument("--file", help=_("workshop file to create (default: "
                                         "workshops/NAME-YYYYmmdd-HHMMSS.sqlite)"))
    parser.add_argument("--resume", metavar="FILE", help=_("continue the workshop in FILE "
                                                           "(after a stop or a crash)"))
    parser.add_argument("--out", help=_("debrief: output folder (default: next to the file)"))
    parser.add_argument("--counterfactual", metavar="BRAND:ROUND:CHANGE",
                        help=_("debrief: the same-seed counterfactual, e.g. "
                               "aurora:2:no_training"))
    parser.add_argument("--no-serve", action="store_true", help=argparse.SUPPRESS)
    parser.set_defaults(func=cmd_workshop)


def cmd_workshop(args: argparse.Namespace) -> int:
    from ..cli import UserError
    from ..scenario import ScenarioError
    from .engine import WorkshopError

    try:
        if args.target and args.target[0] == "replay":
            return cmd_replay(_one_file(args.target, "replay"))
        if args.target and args.target[0] == "debrief":
            return cmd_debrief(_one_file(args.target, "debrief"), args.out, args.counterfactual,
                               args.lang)
        if len(args.target) > 1:
            raise UserError(_("workshop: give one workshop or scenario (got {targets})")
                            .format(targets=" ".join(args.target)))
        return serve(args)
    except (WorkshopError, ScenarioError) as error:
        raise UserError(str(error)) from None


def _one_file(target: list[str], action: str) -> Path:
    from ..cli import UserError

    if len(target) != 2:
        raise UserError(_("workshop {action}: give one workshop file (socbiz workshop "
                          "{action} FILE)").format(action=action))
    path = Path(target[1])
    if not path.is_file():
        raise UserError(_("workshop {action}: {path}: no such file").format(action=action,
                                                                               path=path))
    return path


def cmd_replay(path: Path) -> int:
    from .engine import Workshop

    workshop = Workshop.open(path, verify=False)
    started = time.perf_counter()
    rows = workshop.verify()
    bad = 0
    for number, stored, replayed in rows:
        same = stored == replayed
        bad += not same
        print(_("round {number}: stored {stored}, re-simulated {replayed}: {verdict}").format(
            number=number, stored=stored, replayed=replayed,
            verdict=_("identical") if same else _("DIFFERENT")))
    verdict = _("all identical") if not bad else ngettext("{n} differs", "{n} differ",
                                                          bad).format(n=bad)
    print(ngettext("socbiz: {n} round re-simulated in {seconds} s: {verdict}",
                   "socbiz: {n} rounds re-simulated in {seconds} s: {verdict}", len(rows)).format(
        n=len(rows), seconds=format_number(time.perf_counter() - started, 1), verdict=verdict),
        file=sys.stderr)
    workshop.close()
    return 1 if bad else 0


def cmd_debrief(path: Path, out: str | None, counterfactual: str | None,
                lang: str | None = None) -> int:
    from ..runner import check_output_folder
    from .debrief import Counterfactual, write_pack
    from .engine import Workshop

    folder = Path(out) if out else path.with_suffix("").parent / (path.stem + "-debrief")
    check_output_folder(folder)  # before the session is re-played
    workshop = Workshop.open(path)
    change = Counterfactual.parse(counterfactual, workshop) if counterfactual else None
    # The pack speaks the workshop's language unless --lang (or SOCBIZ_LANG) chose one.
    with language(lang or workshop.config.lang):
        html = write_pack(workshop, folder, counterfactual=change)
        print(_("socbiz: debrief pack in {folder} ({name} and CSV files)").format(
            folder=folder, name=html.name), file=sys.stderr)
    workshop.close()
    return 0


def lan_address() -> str:
    """This computer's address on the local network (no packet is sent)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        try:
            sock.connect(("10.255.255.255", 1))
            return sock.getsockname()[0]
        except OSError:
            return "127.0.0.1"


def serve(args: argparse.Namespace) -> int:
    from ..cli import UserError
    from ..dashboard_cli import LOCAL_HOSTS, OFFLINE_CDN, listening_port
    from ..runner import check_output_folder
    from .config import load_workshop
    from .engine import Workshop

    try:
        import segno  # noqa: F401
        import solara  # noqa: F401
    except ImportError:
        raise UserError(_("the workshop needs Solara and segno: pip install -e "
                          "'.[dashboard]'")) from None
    port = listening_port(args.host, args.port)
    if args.resume:
        if args.file or args.target:
            raise UserError(_("--resume FILE continues a workshop: give no workshop and no "
                              "--file"))
        fixed = [option for option, value in (
            ("--teams", args.teams), ("--round-days", args.round_days),
            ("--rounds", args.rounds), ("--seed", args.seed)) if value is not None]
        if fixed:
            raise UserError(_("--resume FILE continues the workshop as it was created: "
                              "{options} cannot change it").format(options=", ".join(fixed)))
        path = Path(args.resume)
        workshop = Workshop.open(path)
    else:
        overrides = {"teams": args.teams, "round_days": args.round_days,
                     "rounds": args.rounds, "seed": args.seed, "lang": args.lang}
        config, base_dir = load_workshop(args.target[0] if args.target else None, overrides)
        name = Path(args.target[0]).stem if args.target else "launch"
        path = Path(args.file) if args.file else Path("workshops") / (
            f"{name}-{time.strftime('%Y%m%d-%H%M%S')}.sqlite")
        if path.is_dir():
            raise UserError(_("--file {path}: is a folder, not a file").format(path=path))
        if path.exists():
            raise UserError(_("--file {path}: exists (use --resume {path} to continue it)")
                            .format(path=path))
        check_output_folder(path.parent, option="--file")  # before the market is built
        path.parent.mkdir(parents=True, exist_ok=True)
        workshop = Workshop.create(path, config, base_dir)
    lang = args.lang or workshop.config.lang
    shown = args.host if args.host not in LOCAL_HOSTS else "127.0.0.1"
    if args.host in ("0.0.0.0", "::"):
        shown = lan_address()
    base = f"http://{shown}:{port}"
    join_url = f"{base}/?room={workshop.room}"
    console_url = f"{base}/console?token={workshop.facilitator_token}"
    qr_path = path.with_suffix(".qr.png")
    import segno

    qr = segno.make(join_url, error="m")
    qr.save(str(qr_path), scale=8, border=2)
    rounds_done = len(workshop.outcomes)
    workshop.close()
    print(_("socbiz: workshop file {path} (round {number} {status}, {simulated}, {joined})")
          .format(path=path, number=workshop.round, status=_(workshop.status),
                  simulated=ngettext("{n} round simulated", "{n} rounds simulated",
                                     rounds_done).format(n=rounds_done),
                  joined=ngettext("{n} team joined", "{n} teams joined",
                                  len(workshop.teams)).format(n=len(workshop.teams))))
    print(_("socbiz: participants join at {url}").format(url=join_url))
    print(_("socbiz: room code {room}").format(room=workshop.room))
    print(_("socbiz: facilitator console {url}").format(url=console_url))
    print(_("socbiz: QR code of the join URL in {path}").format(path=qr_path))
    if args.host not in LOCAL_HOSTS:
        print(_("socbiz: warning: listening on {host}: anyone on your network can open the "
                "join page (the console needs its token)").format(host=args.host),
              file=sys.stderr)
    sys.stdout.flush()
    if args.no_serve:
        return 0
    env = dict(os.environ)
    env.update({
        "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False",
        "SOLARA_ASSETS_CDN": env.get("SOCBIZ_ASSETS_CDN", OFFLINE_CDN),
        "SOLARA_THEME_SHOW_BANNER": "False",
        "SOLARA_THEME_TITLE": _("socbiz workshop"),
        # A page gone for two minutes (tab closed, phone asleep) frees its session: its kernel,
        # widgets and watcher thread. Nothing is lost: the state is the workshop's, and the
        # team link opens a new session on the same team.
        "SOLARA_KERNEL_CULL_TIMEOUT": env.get("SOLARA_KERNEL_CULL_TIMEOUT", "2m"),
        "SOCBIZ_WORKSHOP_FILE": str(path.resolve()),
        "SOCBIZ_WORKSHOP_JOIN_URL": join_url,
        "SOCBIZ_WORKSHOP_CONSOLE_URL": console_url,
        "SOCBIZ_WORKSHOP_LANG": lang,
        # --lang on the command line: every screen in it (each page's EN | FR switch still
        # works); without it, participants' pages follow their browser's language.
        "SOCBIZ_WORKSHOP_LANG_FIXED": args.lang or "",
        "SOCBIZ_LANG": lang,
        "PYTHONPATH": os.pathsep.join([str(REPOSITORY), *filter(None, [env.get("PYTHONPATH")])]),
    })
    command = [sys.executable, "-m", "solara", "run", str(APP), "--host", args.host, "--port",
               str(port), "--production", "--no-check-version", "--no-open", "--log-level",
               "warning"]
    if os.name == "posix":
        os.execve(command[0], command, env)
    import subprocess

    try:
        return subprocess.call(command, env=env)
    except KeyboardInterrupt:
        return 130
