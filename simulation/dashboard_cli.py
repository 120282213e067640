"""``socbiz dashboard [SCENARIO] [--port P] [--host H] [--scenarios-dir D]``: the Solara dashboard.

Rules:
- The dashboard is served by ``solara run dashboards/app.py --production``; the app is found
  with importlib.resources (the ``dashboards`` package, installed beside ``simulation``),
  whatever the current directory.
- Private by default: it listens on 127.0.0.1 only (another host is the user's explicit choice,
  and we say so), Solara's usage telemetry and its version check are turned off, and its
  front-end files come from the bundled ``solara-assets`` (no CDN): the page works with no
  internet access. Misses in the asset cache are pointed at a local address that refuses at once
  rather than at a public CDN.
- The scenario (a preset name or a TOML file, checked before the server starts), the seed and
  the ``--scenarios-dir`` folders (the only places, with the scenario folders, whose ``.toml``
  files the page's path box may open) reach the page through environment variables.
- Sessions are freed within a minute of their tab closing (Solara's kernel cull timeout is set
  short, see ``KERNEL_CULL_TIMEOUT``).
"""

from __future__ import annotations

import argparse
import importlib.resources
import os
import socket
import subprocess
import sys
from pathlib import Path

from .i18n import _
from .scenario import DEFAULT_SCENARIO, load_scenario, presets_dir, resolve_scenario_path

REPOSITORY = Path(__file__).resolve().parent.parent


def _app_path() -> Path:
    try:
        return Path(str(importlib.resources.files("dashboards") / "app.py"))
    except ModuleNotFoundError:  # an editable install made before dashboards was packaged
        return REPOSITORY / "dashboards" / "app.py"


APP = _app_path()
DEFAULT_PORT = 8765
LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")
# Where Solara's asset proxy looks for files missing from the bundled cache: a closed local port,
# so a miss fails at once instead of reaching out to the internet.
OFFLINE_CDN = "http://127.0.0.1:9/socbiz-offline-cdn/"


def add_commands(subparsers) -> None:
    from .cli import seed_int

    parser = subparsers.add_parser(
        "dashboard",
        help=_("open the interactive dashboard in the browser (what-if, live demos)"),
        description=_("Serve the socbiz dashboard (Solara) on this computer. Every browser tab "
                    "runs its own simulation. Works offline; sends no telemetry."),
    )
    parser.add_argument("scenario", nargs="?", default=DEFAULT_SCENARIO,
                        help=_("preset name or TOML file shown first (default: {name})").format(
                            name=DEFAULT_SCENARIO))
    parser.add_argument("--port", type=port_number, default=DEFAULT_PORT,
                        help=_("port to listen on (default: {port}; 0 picks a free one)").format(
                            port=DEFAULT_PORT))
    parser.add_argument("--host", type=host_address, default="127.0.0.1",
                        help=_("address to listen on (default: 127.0.0.1, this computer only; "
                             "0.0.0.0 exposes the dashboard to your network)"))
    parser.add_argument("--seed", type=seed_int,
                        help=_("random seed (default: the scenario's seed)"))
    parser.add_argument("--scenarios-dir", action="append", default=[], type=scenarios_folder,
                        metavar="FOLDER",
                        help=_("a folder whose .toml files the page's path box may open, "
                               "besides the scenario folders (repeat for several)"))
    parser.add_argument("--open", action="store_true", help=_("open a browser window"))
    parser.set_defaults(func=cmd_dashboard)


def host_address(text: str) -> str:
    """An argparse type: an address of this computer to listen on (an IP, or a name that
    resolves to one); anything else is one line at once, not a misleading 'port in use'."""
    from .schema import format_value

    host = text.strip()
    if not host or not host.isprintable() or any(c.isspace() for c in host) or len(host) > 253:
        raise argparse.ArgumentTypeError(_("{value} (expected an address such as 127.0.0.1 or "
                                           "0.0.0.0)").format(value=format_value(text)))
    try:
        socket.getaddrinfo(host, None)
    except (OSError, UnicodeError):
        raise argparse.ArgumentTypeError(_("{value} (not an address of this computer: use "
                                           "127.0.0.1, 0.0.0.0 or a local interface's "
                                           "address)").format(value=format_value(text))
                                         ) from None
    return host


def scenarios_folder(text: str) -> Path:
    """An argparse type: an existing folder (the path box of the page may open its .toml
    files)."""
    from .schema import format_value

    folder = Path(text).expanduser()
    if not folder.is_dir():
        raise argparse.ArgumentTypeError(f"{format_value(text)} (not a folder)")
    return folder.resolve()


def port_number(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(_("{value} (must be a port number)").format(
            value=repr(text))) from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(_("{value} (must be between 0 and 65535)").format(
            value=text))
    return value


def cmd_dashboard(args: argparse.Namespace) -> int:
    from .cli import UserError

    scenario = scenario_argument(args.scenario)
    if args.seed is not None and args.seed < 0:
        raise UserError(_("--seed {seed} (must be an integer ≥ 0)").format(seed=args.seed))
    if not APP.is_file():
        raise UserError(_("{path}: the dashboard is missing (is this a full socbiz "
                          "checkout?)").format(path=APP))
    try:
        import solara  # noqa: F401
    except ImportError:
        raise UserError(_("the dashboard needs Solara: pip install -e '.[dashboard]'")) from None
    port = listening_port(args.host, args.port)
    command = solara_command(args.host, port, open_browser=args.open)
    env = dashboard_environment(scenario, args.seed, getattr(args, "scenarios_dir", []))
    if getattr(args, "lang", None):  # an explicit --lang beats the browser's language
        env["SOCBIZ_DASHBOARD_LANG"] = args.lang
    shown = "localhost" if args.host in LOCAL_HOSTS else args.host
    print(_("socbiz: dashboard on {url} (scenario {scenario}); Ctrl-C to stop").format(
        url=f"http://{shown}:{port}", scenario=args.scenario), file=sys.stderr)
    if args.host not in LOCAL_HOSTS:
        print(_("socbiz: warning: listening on {host}: anyone who can reach this computer can "
                "open the dashboard and run simulations on it").format(host=args.host),
              file=sys.stderr)
    sys.stderr.flush()
    if os.name == "posix":
        # Become the server: Ctrl-C and a parent's kill reach it directly.
        os.execve(command[0], command, env)
    try:
        return subprocess.call(command, env=env)
    except KeyboardInterrupt:
        return 130


def scenario_argument(text: str) -> str:
    """The scenario as the page will load it: a preset name, or an absolute file path."""
    path = resolve_scenario_path(text)
    load_scenario(path)  # a ScenarioError here ends the command with its one-line message
    if path.resolve().parent == presets_dir().resolve() and path.suffix == ".toml" and (
            text == path.stem):
        return text
    return str(path.resolve())


def solara_command(host: str, port: int, open_browser: bool = False) -> list[str]:
    return [sys.executable, "-m", "solara", "run", str(APP), "--host", host, "--port", str(port), "--production",
            "--no-check-version", "--open" if open_browser else "--no-open",
            "--log-level", "warning"]


# A tab whose page went away without saying goodbye (a crashed browser, a lost network) is
# culled by Solara after this; a closed or reloaded tab is kept for SESSION_KEEP_SECONDS by
# the page itself (dashboards/sessions.py) so a reload finds it. Both add up to under a minute.
KERNEL_CULL_TIMEOUT = "20s"


def dashboard_environment(scenario: str, seed: int | None,
                          scenarios_dirs=()) -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("SOLARA_KERNEL_CULL_TIMEOUT", KERNEL_CULL_TIMEOUT)
    # glibc's malloc: two arenas rather than one per thread (Solara's threads each kept the
    # memory of the tabs they served) and a fixed mmap threshold (large arrays go back to the
    # system when freed): measured 261 -> 342 MB after 10 closed tabs without, 261 -> 290 with.
    env.setdefault("MALLOC_ARENA_MAX", "2")
    env.setdefault("MALLOC_MMAP_THRESHOLD_", "131072")
    if scenarios_dirs:
        env["SOCBIZ_DASHBOARD_SCENARIOS_DIRS"] = os.pathsep.join(str(d) for d in scenarios_dirs)
    else:
        env.pop("SOCBIZ_DASHBOARD_SCENARIOS_DIRS", None)
    env.update({
        "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False",
        "SOLARA_ASSETS_CDN": env.get("SOCBIZ_ASSETS_CDN", OFFLINE_CDN),
        "SOLARA_THEME_SHOW_BANNER": "False",
        "SOLARA_THEME_TITLE": "socbiz",
        "SOCBIZ_DASHBOARD_SCENARIO": scenario,
        "PYTHONPATH": os.pathsep.join(
            [str(REPOSITORY), *filter(None, [env.get("PYTHONPATH")])]),
    })
    if seed is not None:
        env["SOCBIZ_DASHBOARD_SEED"] = str(seed)
    else:
        env.pop("SOCBIZ_DASHBOARD_SEED", None)
    return env


def listening_port(host: str, port: int) -> int:
    """``port`` (0: any free one) if this computer can listen there; one line otherwise,
    naming the host when it is not one of this computer's addresses (8.8.8.8, say) rather
    than calling its port busy."""
    from .cli import UserError

    try:
        free = free_port(host)
    except OSError:
        raise UserError(_("--host {host}: not an address of this computer (use 127.0.0.1, "
                          "0.0.0.0 or a local interface's address)").format(host=host)) from None
    if port and not port_is_free(host, port):
        raise UserError(_("--port {port}: already in use on {host} (choose another port, or "
                          "--port 0 for any free one)").format(port=port, host=host))
    return port or free


def free_port(host: str) -> int:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def port_is_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True
