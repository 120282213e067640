"""How fast does the dashboard play? Simulated days per second with live charts.

Two measurements:

1. In process (default): the real page component is rendered with ``solara.render`` (no browser,
   no websocket), Play is pressed at a given speed, and the day counter is read over a window
   after a warm-up. Also reports the cost of one model day and of one frame (snapshot + redraw
   of the Live tab's charts).
2. ``--browser``: the real server (``socbiz dashboard``) is started, headless Chromium opens the
   page (every non-local request blocked), Play is pressed and the day counter shown on the page
   is read over the window. This includes the websocket and the browser drawing the charts:
   frames/s, days/s, ms per frame with the browser's and the server's CPU time per frame, the
   load average, min and median of the repeats.

    .venv/bin/python benchmarks/bench_dashboard.py                 # in process
    .venv/bin/python benchmarks/bench_dashboard.py --browser       # real page in Chromium

Targets (issue 11): at least 10 frames drawn per second on the page at every speed, a simulated
year in at most 5 s at the fastest setting. The frames are counted by the page's own charts
(each redraw), not read from the server. Below 10 days/s most frames are in-between frames
(the newest day's segment growing towards it, dashboards/livechart.vue): "with new days" counts
only the frames that brought new days.
"""

from __future__ import annotations

import argparse
import contextlib
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


FRAME_COUNTER = """() => { const e = document.querySelector('.socbiz-live-chart[data-chart=phases]');
    return [+e.dataset.frames, +e.dataset.day, +e.dataset.drawMs, +e.dataset.dayFrames]; }"""


def renderer_cpu_seconds() -> dict[int, float]:
    """CPU seconds (user + system) of each Chromium renderer process started by this one."""
    import psutil

    out = {}
    for proc in psutil.Process().children(recursive=True):
        try:
            if "--type=renderer" in proc.cmdline():
                out[proc.pid] = sum(proc.cpu_times()[:2])
        except psutil.Error:
            pass
    return out


def in_browser(speeds: list[str], warmup: float, window: float,
               repeats: int = 1, horizon_days: int = 0) -> list[dict]:
    """Frames drawn per second on the page (counted by the phases chart itself at each
    redraw), days per second, the browser's main-thread time per frame (Chrome's
    TaskDuration: wall time of its tasks, so it grows with the load), the renderer
    process's CPU time per frame (less sensitive to the load) and the server's CPU time per
    frame, for each speed."""
    from urllib.parse import urlparse

    import psutil
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
                for _ in range(repeats):
                    page = browser.new_page(viewport={"width": 1600, "height": 1000})
                    page.route("**/*", lambda r: r.continue_() if urlparse(r.request.url)
                               .hostname in ("127.0.0.1", "localhost") else r.abort())
                    cdp = page.context.new_cdp_session(page)
                    cdp.send("Performance.enable")
                    deadline = time.time() + 300
                    while True:
                        try:
                            page.goto(f"http://127.0.0.1:{port}/")
                            break
                        except Exception:
                            if time.time() > deadline:
                                raise
                            time.sleep(0.5)
                    page.get_by_text("Day 0 of").wait_for(timeout=90_000)
                    page.locator(".socbiz-live-phases canvas").first.wait_for(timeout=90_000)
                    if horizon_days:
                        # The default scenario run longer (a lever of the sidebar, applied at
                        # once at day 0), so that the fastest setting does not reach the end
                        # of the run before the window is over.
                        page.locator(".v-expansion-panel-header", has_text=re.compile(
                            r"^\s*Run")).first.click()
                        box = page.get_by_label(re.compile(r"^Days to simulate"))
                        box.fill(str(horizon_days))
                        box.press("Enter")
                        page.get_by_text(f"Day 0 of {horizon_days:,}").wait_for(timeout=90_000)
                    page.get_by_label("Speed").click(force=True)
                    page.get_by_role("option", name=speed, exact=True).click()
                    page.get_by_role("button", name="Play").click()
                    page.wait_for_timeout(warmup * 1000)
                    server_cpu = psutil.Process(server.pid)

                    def task_seconds(cdp=cdp):
                        metrics = cdp.send("Performance.getMetrics")["metrics"]
                        return next(m["value"] for m in metrics if m["name"] == "TaskDuration")

                    frames0, day0, _, day_frames0 = page.evaluate(FRAME_COUNTER)
                    cpu0, task0, wall0 = sum(server_cpu.cpu_times()[:2]), task_seconds(), \
                        time.perf_counter()
                    renderer0 = renderer_cpu_seconds()
                    # The window ends early if the run nears its horizon (it would stop).
                    horizon = int(page.locator(".socbiz-day").inner_text().split()[-1]
                                  .replace(",", "").replace("\u202f", "").replace("\xa0", ""))
                    while time.perf_counter() - wall0 < window:
                        page.wait_for_timeout(200)
                        if page.evaluate(FRAME_COUNTER)[1] >= horizon - 30:
                            break
                    frames1, day1, draw_ms, day_frames1 = page.evaluate(FRAME_COUNTER)
                    cpu1, task1, wall1 = sum(server_cpu.cpu_times()[:2]), task_seconds(), \
                        time.perf_counter()
                    renderer1 = renderer_cpu_seconds()
                    renderer = sum(t - renderer0.get(pid, 0.0) for pid, t in renderer1.items())
                    pause = page.get_by_role("button", name="Pause")
                    # a run that has just ended shows Play: nothing to pause
                    with contextlib.suppress(Exception):
                        pause.click(timeout=3000)
                    frames, wall = frames1 - frames0, wall1 - wall0
                    results.append({
                        "speed": speed, "frames_s": frames / wall, "days_s": (day1 - day0) / wall,
                        "day_frames_s": (day_frames1 - day_frames0) / wall,
                        "ms_per_frame": 1000 * wall / max(frames, 1),
                        "browser_cpu_ms_per_frame": 1000 * (task1 - task0) / max(frames, 1),
                        "renderer_cpu_ms_per_frame": 1000 * renderer / max(frames, 1),
                        "server_cpu_ms_per_frame": 1000 * (cpu1 - cpu0) / max(frames, 1),
                        "last_draw_ms": draw_ms, "load": os.getloadavg()[0],
                    })
                    page.close()
            browser.close()
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
    return results


def shown_day(page) -> int:
    text = page.locator(".socbiz-day").inner_text()
    return int(re.search(r"Day (\d+)", text).group(1))


def main() -> int:
    import statistics

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--browser", action="store_true", help="drive the real page in Chromium")
    parser.add_argument("--speeds", nargs="+", default=["1 day/s", "10 days/s", "20 days/s",
                                                        "50 days/s", "As fast as possible"])
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument("--window", type=float, default=8.0)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--horizon", type=int, default=3650,
                        help="days to simulate, set in the page before Play (default 3650: at "
                             "the fastest setting the default 730 days end inside the window; "
                             "0 keeps the scenario's)")
    parser.add_argument("--skip-costs", action="store_true",
                        help="skip the in-process cost of a model day and of a Step")
    args = parser.parse_args()
    cores = os.cpu_count()
    print(f"load average at start: {os.getloadavg()[0]:.1f} on {cores} cores")
    if not args.skip_costs:
        cpu = time.process_time()
        day = model_day_seconds()
        print(f"one model day (default scenario): {1000 * day:.1f} ms wall "
              f"(CPU {1000 * (time.process_time() - cpu) / 200:.1f} ms)")
        for at, cost in frame_costs().items():
            print(f"one Step with the page rendered, around day {at}: {1000 * cost:.0f} ms wall")
    if not args.browser:
        for speed, rate, _frame in in_process(args.speeds, args.warmup, args.window):
            print(f"in process (solara.render): speed '{speed}': {rate:.1f} simulated days/s")
        return 0
    rows = in_browser(args.speeds, args.warmup, args.window, args.repeats, args.horizon)
    print("browser (Chromium, real server, every non-local request blocked); "
          f"{args.window:.0f} s windows, {args.repeats} repeats: min / median")
    for speed in args.speeds:
        mine = [r for r in rows if r["speed"] == speed]

        def both(key, fmt="{:.1f}", mine=mine):
            values = [r[key] for r in mine]
            return f"{fmt.format(min(values))} / {fmt.format(statistics.median(values))}"

        print(f"  '{speed}': frames/s {both('frames_s')} (with new days "
              f"{both('day_frames_s')}) · days/s {both('days_s')} · "
              f"ms per frame {both('ms_per_frame', '{:.0f}')} (browser main thread busy "
              f"{both('browser_cpu_ms_per_frame', '{:.0f}')}, renderer CPU "
              f"{both('renderer_cpu_ms_per_frame', '{:.0f}')}, server CPU "
              f"{both('server_cpu_ms_per_frame', '{:.0f}')}) · load {both('load')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
