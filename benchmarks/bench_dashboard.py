"""How fast does the dashboard play? Simulated days per second with live charts.

Two measurements:

1. In process (default): the real page component is rendered with ``solara.render`` (no browser,
   no websocket), Play is pressed at a given speed, and the day counter is read over a window
   after a warm-up. Also reports the cost of one model day and of one frame (snapshot + redraw
   of the Live tab's charts).
2. ``--browser``: the real server (``socbiz dashboard``) is started, headless Chromium opens the
   page (every non-local request blocked), Play is pressed and the day counter shown on the page
   is read over the window. This includes the websocket and the browser decoding the PNGs.

    .venv/bin/python benchmarks/bench_dashboard.py                 # in process
    .venv/bin/python benchmarks/bench_dashboard.py --browser       # real page in Chromium

The issue asks for at least 10 simulated days per second with the default scenario.
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "False")


def model_day_seconds(days: int = 200) -> float:
    from simulation import SocialBusinessModel

    model = SocialBusinessModel()
    started = time.perf_counter()
    for _ in range(days):
        model.step()
    return (time.perf_counter() - started) / days


def in_process(speeds: list[str], warmup: float, window: float) -> list[tuple[str, float, float]]:
    import ipyvuetify as v
    import solara

    from dashboards.components.page import Dashboard
    from dashboards.state import Session

    results = []
    for speed in speeds:
        session = Session()
        box, rc = solara.render(solara.AppLayout(children=[Dashboard(session)]),
                                handle_error=False)
        speed_select = next(w for w in rc.find(v.Select).widgets if w.label == "Speed")
        speed_select.v_model = speed
        button(rc, "Play").click()
        time.sleep(warmup)
        rate = measure(lambda session=session: session.day, window)
        if session.running:
            button(rc, "Pause").click()
        else:
            button(rc, "Reset").click()
        deadline = time.time() + 10
        while button(rc, "Step").disabled and time.time() < deadline:
            time.sleep(0.1)  # the play loop finishes its last frame
        results.append((speed, rate, float("nan")))
        rc.close()
    return results


def measure(read_day, window: float) -> float:
    """Days per second over ``window`` seconds (or until the day stops moving: the horizon)."""
    first_day, first_time = read_day(), time.perf_counter()
    last_day, last_time = first_day, first_time
    while time.perf_counter() - first_time < window:
        time.sleep(0.2)
        day = read_day()
        if day != last_day:
            last_day, last_time = day, time.perf_counter()
        elif time.perf_counter() - last_time > 3:  # stopped (horizon reached)
            break
    return (last_day - first_day) / max(last_time - first_time, 1e-9)


def frame_costs() -> dict[int, float]:
    """Seconds for one Step with the Live tab's redraw, early in a run and after a year."""
    import solara

    from dashboards.components.page import Dashboard
    from dashboards.state import Session

    costs = {}
    session = Session()
    box, rc = solara.render(solara.AppLayout(children=[Dashboard(session)]), handle_error=False)
    costs[0] = frame_seconds(rc, session)
    session.step(360)
    costs[365] = frame_seconds(rc, session)
    rc.close()
    return costs


def frame_seconds(rc, session) -> float:
    """Average cost of one Step: a day, a snapshot and the Live tab's redraw."""
    steps, day = 5, session.day
    started = time.perf_counter()
    for _ in range(steps):
        button(rc, "Step").click()
    elapsed = time.perf_counter() - started
    if session.day != day + steps:
        return float("nan")  # the Step button was not usable
    return elapsed / steps


def button(rc, label: str):
    import ipyvuetify as v

    deadline = time.time() + 10
    while True:
        for widget in rc.find(v.Btn).widgets:
            if label in [c for c in widget.children if isinstance(c, str)]:
                return widget
        if time.time() > deadline:
            raise LookupError(f"no button {label!r}")
        time.sleep(0.1)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def in_browser(speeds: list[str], warmup: float, window: float) -> list[tuple[str, float, float]]:
    from urllib.parse import urlparse

    from playwright.sync_api import sync_playwright

    port = free_port()
    server = subprocess.Popen([str(Path(sys.executable).parent / "socbiz"), "dashboard",
                               "--port", str(port)], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    results = []
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=[
                "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--disable-background-networking", "--disable-component-update",
                "--disable-sync"])
            for speed in speeds:
                page = browser.new_page(viewport={"width": 1600, "height": 1000})
                page.route("**/*", lambda r: r.continue_() if urlparse(r.request.url).hostname
                           in ("127.0.0.1", "localhost") else r.abort())
                deadline = time.time() + 60
                while True:
                    try:
                        page.goto(f"http://127.0.0.1:{port}/")
                        break
                    except Exception:
                        if time.time() > deadline:
                            raise
                        time.sleep(0.5)
                page.get_by_text("Day 0 of").wait_for(timeout=60_000)
                page.get_by_label("Speed").click(force=True)
                page.get_by_role("option", name=speed, exact=True).click()
                page.get_by_role("button", name="Play").click()
                page.wait_for_timeout(warmup * 1000)
                rate = measure(lambda page=page: shown_day(page), window)
                results.append((speed, rate, float("nan")))
                page.close()
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=20)
    return results


def shown_day(page) -> int:
    text = page.locator(".socbiz-day").inner_text()
    return int(re.search(r"Day (\d+)", text).group(1))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--browser", action="store_true", help="drive the real page in Chromium")
    parser.add_argument("--speeds", nargs="+", default=["10 days/s", "20 days/s",
                                                        "As fast as possible"])
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument("--window", type=float, default=10.0)
    args = parser.parse_args()
    print(f"one model day (default scenario): {1000 * model_day_seconds():.1f} ms")
    for day, cost in frame_costs().items():
        print(f"one Step with the Live tab redrawn, around day {day}: {1000 * cost:.0f} ms")
    runner = in_browser if args.browser else in_process
    where = "browser (Chromium, real server)" if args.browser else "in process (solara.render)"
    for speed, rate, _frame in runner(args.speeds, args.warmup, args.window):
        print(f"{where}: speed '{speed}': {rate:.1f} simulated days/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
