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

DEFAULT_PORT = 8810
REPOSITORY = Path(__file__).resolve().parents[2]
APP = REPOSITORY / "dashboards" / "workshop" / "app.py"


def add_commands(subparsers) -> None:
    from ..cli import int_at_least
    from ..dashboard_cli import port_number

    parser = subparsers.add_parser(
        "workshop",
        help="run a multi-team workshop (a shared market, a facilitator console), or replay "
             "or debrief a workshop file",
        description="Serve a workshop: teams each steer a brand of one shared market from "
                    "their own browser, round by round; a facilitator console locks, simulates "
                    "and releases rounds. 'socbiz workshop replay FILE' re-simulates a workshop "
                    "file and checks every round; 'socbiz workshop debrief FILE' writes its "
                    "debrief pack. Works offline; sends no telemetry.",
    )
    parser.add_argument("target", nargs="*", metavar="WORKSHOP",
                        help="workshop file or name in scenarios/workshops (default: launch), "
                             "or a scenario played with default settings; or 'replay FILE' / "
                             "'debrief FILE'")
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to listen on (default: 127.0.0.1, this computer only; "
                             "0.0.0.0 lets phones and laptops on your network join)")
    parser.add_argument("--port", type=port_number, default=DEFAULT_PORT,
                        help=f"port (default: {DEFAULT_PORT}; 0 picks a free one)")
    parser.add_argument("--teams", type=int_at_least(1), help="number of teams")
    parser.add_argument("--round-days", type=int_at_least(1),
                        help="days per round (default: the workshop file's, 90)")
    parser.add_argument("--rounds", type=int_at_least(1), help="number of rounds")
    parser.add_argument("--seed", type=int_at_least(0), help="market seed")
    parser.add_argument("--lang", choices=("en", "fr"),
                        help="language of every screen (default: each participant's browser "
                             "language; the console in the workshop file's language)")
    parser.add_argument("--file", help="workshop file to create (default: "
                        "workshops/NAME-YYYYmmdd-HHMMSS.sqlite)")
    parser.add_argument("--resume", metavar="FILE", help="continue the workshop in FILE "
                        "(after a stop or a crash)")
    parser.add_argument("--out", help="debrief: output folder (default: next to the file)")
    parser.add_argument("--counterfactual", metavar="BRAND:ROUND:CHANGE", help="debrief: the "
                        "same-seed counterfactual, e.g. aurora:2:no_training")
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
            return cmd_debrief(_one_file(args.target, "debrief"), args.out, args.counterfactual)
        if len(args.target) > 1:
            raise UserError("workshop: give one workshop or scenario (got "
                            + " ".join(args.target) + ")")
        return serve(args)
    except (WorkshopError, ScenarioError) as error:
        raise UserError(str(error)) from None


def _one_file(target: list[str], action: str) -> Path:
    from ..cli import UserError

    if len(target) != 2:
        raise UserError(f"workshop {action}: give one workshop file (socbiz workshop {action} "
                        "FILE)")
    path = Path(target[1])
    if not path.is_file():
        raise UserError(f"workshop {action}: {path}: no such file")
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
        print(f"round {number}: stored {stored}, re-simulated {replayed}: "
              + ("identical" if same else "DIFFERENT"))
    print(f"socbiz: {len(rows)} round(s) re-simulated in {time.perf_counter() - started:.1f} s: "
          + ("all identical" if not bad else f"{bad} differ"), file=sys.stderr)
    workshop.close()
    return 1 if bad else 0


def cmd_debrief(path: Path, out: str | None, counterfactual: str | None) -> int:
    from .debrief import Counterfactual, write_pack
    from .engine import Workshop

    workshop = Workshop.open(path)
    change = Counterfactual.parse(counterfactual, workshop) if counterfactual else None
    folder = Path(out) if out else path.with_suffix("").parent / (path.stem + "-debrief")
    html = write_pack(workshop, folder, counterfactual=change)
    print(f"socbiz: debrief pack in {folder} ({html.name} and CSV files)", file=sys.stderr)
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
    from ..dashboard_cli import (
        LOCAL_HOSTS,
        OFFLINE_CDN,
        free_port,
        port_is_free,
    )
    from .config import load_workshop
    from .engine import Workshop

    try:
        import segno  # noqa: F401
        import solara  # noqa: F401
    except ImportError:
        raise UserError("the workshop needs Solara and segno: pip install -e "
                        "'.[dashboard]'") from None
    port = args.port or free_port(args.host)
    if not port_is_free(args.host, port):
        raise UserError(f"--port {port}: already in use on {args.host} (choose another port, "
                        "or --port 0 for any free one)")
    if args.resume:
        if args.file or args.target:
            raise UserError("--resume FILE continues a workshop: give no workshop and no --file")
        path = Path(args.resume)
        workshop = Workshop.open(path)
    else:
        overrides = {"teams": args.teams, "round_days": args.round_days,
                     "rounds": args.rounds, "seed": args.seed, "lang": args.lang}
        config, base_dir = load_workshop(args.target[0] if args.target else None, overrides)
        name = Path(args.target[0]).stem if args.target else "launch"
        path = Path(args.file) if args.file else Path("workshops") / (
            f"{name}-{time.strftime('%Y%m%d-%H%M%S')}.sqlite")
        if path.exists():
            raise UserError(f"--file {path}: exists (use --resume {path} to continue it)")
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
    print(f"socbiz: workshop file {path} (round {workshop.round} {workshop.status}, "
          f"{rounds_done} round(s) simulated, {len(workshop.teams)} team(s) joined)")
    print(f"socbiz: participants join at {join_url}")
    print(f"socbiz: room code {workshop.room}")
    print(f"socbiz: facilitator console {console_url}")
    print(f"socbiz: QR code of the join URL in {qr_path}")
    if args.host not in LOCAL_HOSTS:
        print(f"socbiz: warning: listening on {args.host}: anyone on your network can open the "
              "join page (the console needs its token)", file=sys.stderr)
    sys.stdout.flush()
    if args.no_serve:
        return 0
    env = dict(os.environ)
    env.update({
        "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False",
        "SOLARA_ASSETS_CDN": env.get("SOCBIZ_ASSETS_CDN", OFFLINE_CDN),
        "SOLARA_THEME_SHOW_BANNER": "False",
        "SOLARA_THEME_TITLE": "socbiz workshop",
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
