"""What the workshop's pages cost the server, in process: N participant pages and the console.

    python benchmarks/bench_workshop_pages.py [--participants 40] [--rounds 2]

No browser and no websocket: each page is rendered by Solara in its own virtual kernel, as the
server does, and messages to the browser are counted (and their JSON size) instead of sent.
Each round every team changes its form (the budget line) and submits, the round is locked,
simulated (a small market: 1,500 customers, 20-day rounds, the model is not what is measured
here) and released. Printed per page: CPU time and messages of a first render, of a
submission, of a lock and of a release (what a page pays when the round changes). CPU time is
the figure that counts on a shared machine; the load average is printed.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

cpu = time.process_time


def settle(timeout: float = 60.0) -> None:
    """Wait until the pages' watcher threads are done (under 2 % of a core over a second)."""
    end = time.time() + timeout
    time.sleep(0.3)
    while time.time() < end:
        before = cpu()
        time.sleep(1.0)
        if cpu() - before < 0.02:
            return


def find_form(token: str):
    """The decision form widget (decision_form.vue) of a team's page, in the current kernel."""
    import warnings

    import ipywidgets

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        widgets = list(ipywidgets.Widget.widgets.values())
    return next(w for w in widgets if "submit" in getattr(w, "_event_callbacks", {})
                and getattr(w, "generation", "").startswith(token + "-"))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args(argv)
    n = args.participants

    from test_workshop_support import write_workshop

    from simulation.workshop.config import load_workshop
    from simulation.workshop.engine import Workshop

    folder = Path(tempfile.mkdtemp(prefix="bench-workshop-pages-"))
    config, base = load_workshop(write_workshop(folder, teams=n, round_days=20,
                                                rounds=args.rounds + 1, customers=1500))
    ws = Workshop.create(folder / "w.sqlite", config, base)
    os.environ["SOCBIZ_WORKSHOP_FILE"] = str(folder / "w.sqlite")

    import comm
    import solara
    import solara.server.app  # noqa: F401 (patches threads and widgets as the server does)
    from solara.server import kernel, kernel_context

    import dashboards.workshop.shared as shared
    from dashboards.workshop import console, participant

    shared._workshop = ws
    sent = {"n": 0, "bytes": 0}

    def publish_msg(self, msg_type, data=None, metadata=None, buffers=None, **keys):
        sent["n"] += 1
        sent["bytes"] += len(json.dumps(data, default=str)) if data else 0

    comm.create_comm.publish_msg = publish_msg
    tokens = [ws.join(ws.room, f"Team {i:02d}").token for i in range(n)]

    @solara.component
    def Page(token):
        participant.TeamPage(token, shared.use_version(public=True))

    @solara.component
    def ConsolePanels():
        def act(action, *a):
            return lambda: action(*a)

        console.RoundControls(act)
        console.TeamsPanel(act)

    def context(name):
        return kernel_context.VirtualKernelContext(id=name, kernel=kernel.Kernel(),
                                                   session_id=name)

    def measure(what, action, per_page=True):
        before, messages, size = cpu(), sent["n"], sent["bytes"]
        action()
        settle()
        spent = cpu() - before
        div = n if per_page else 1
        print(f"{what}: {1000 * spent / div:.1f} ms CPU per page, "
              f"{(sent['n'] - messages) / div:.0f} messages, "
              f"{(sent['bytes'] - size) / div / 1000:.1f} kB per page", flush=True)

    pages = []

    def render_all():
        for i, token in enumerate(tokens):
            ctx = context(f"p{i}")
            with ctx:
                solara.render(Page(token), handle_error=False)
            pages.append(ctx)
        with context("console"):
            solara.render(ConsolePanels(), handle_error=False)

    print(f"{n} participant pages and the console; load average "
          f"{os.getloadavg()[0]:.1f} (2 cores)")
    measure("first render", render_all)
    for number in range(1, args.rounds + 1):
        def submit_all(number=number):
            for i, (ctx, token) in enumerate(zip(pages, tokens, strict=True)):
                with ctx:
                    form = find_form(token)
                    values = {**form.initial, "posts_per_day": str(number + 0.01 * i)}
                    form.vue_change(values)
                    form.vue_submit(values)

        measure(f"round {number}: a submission (change + submit)", submit_all)
        measure(f"round {number}: lock", ws.lock_round)
        started = cpu()
        ws.simulate()
        settle()
        print(f"round {number}: simulate {cpu() - started:.2f} s CPU (the model, a small "
              f"market)", flush=True)
        measure(f"round {number}: release", ws.release)
    stored = ws.store.decisions()
    wrong = sum(1 for number in range(1, args.rounds + 1)
                for i, token in enumerate(tokens)
                if stored[number][ws.team(token).brand]["data"]["posts_per_day"]
                != number + 0.01 * i)
    print(f"load average after {os.getloadavg()[0]:.1f}; decisions stored wrong: {wrong}")
    os._exit(0)  # the pages' watcher threads: no need to wait for them


if __name__ == "__main__":
    raise SystemExit(main())
