"""Take the screenshots of docs/dashboard.md from the real dashboard in headless Chromium.

    .venv/bin/python -m dashboards.screenshots            # writes docs/img/dashboard-*.png

The story: the default scenario, a week stepped, then the executive committee sponsors the
transformation and every department is trained; the run plays to day 300, then the what-if is
compared with the scenario as loaded. Every non-local request is blocked, as in the tests.
"""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "img"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]


def main() -> int:
    from playwright.sync_api import sync_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen([str(Path(sys.executable).parent / "socbiz"), "dashboard",
                               "--port", str(port)], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/"
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(url, timeout=2)
                break
            except OSError:
                time.sleep(0.3)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
            page = browser.new_page(viewport={"width": 1500, "height": 940})
            page.set_default_timeout(120_000)
            page.route("**/*", lambda r: r.continue_() if urlparse(r.request.url).hostname in (
                "127.0.0.1", "localhost") else r.abort())
            page.goto(url)
            page.get_by_text("Day 0 of").wait_for()
            page.locator(".socbiz-live-phases canvas").first.wait_for()
            page.get_by_role("button", name="+7 days").click()
            page.get_by_text("Day 7 of").wait_for()
            page.get_by_role("button", name="Executive sponsorship").click()
            page.locator(".socbiz-event.intervention").first.wait_for()
            page.get_by_role("button", name="Train all departments").click()
            page.locator(".socbiz-event.intervention").nth(1).wait_for()
            page.get_by_label("Speed").click(force=True)
            page.get_by_role("option", name="As fast as possible", exact=True).click()
            page.get_by_role("button", name="Play").click()
            page.wait_for_function("() => { const m = /Day (\\d+) of/.exec(document."
                                   "querySelector('.socbiz-day').innerText); "
                                   "return m && +m[1] >= 200; }")
            page.get_by_role("button", name="Pause").click()
            page.get_by_role("button", name="Play").wait_for()
            page.get_by_role("button", name="Inject a crisis").click()
            page.wait_for_timeout(500)
            for _ in range(4):
                page.get_by_role("button", name="+7 days").click()
                page.wait_for_timeout(1200)
            page.wait_for_timeout(1500)
            page.get_by_role("tab", name="Live").scroll_into_view_if_needed()
            page.wait_for_timeout(300)
            page.screenshot(path=str(OUT / "dashboard-live.png"))
            chart = page.locator(".socbiz-live-audience canvas").first
            chart.scroll_into_view_if_needed()
            page.wait_for_timeout(500)
            box = chart.bounding_box()  # hover the followers panel: the values of that day
            page.mouse.move(box["x"] + 0.2 * box["width"], box["y"] + 0.3 * box["height"])
            page.wait_for_timeout(1000)
            page.screenshot(path=str(OUT / "dashboard-live-charts.png"))
            page.get_by_role("tab", name="Network & organisation").click()
            page.locator(".socbiz-chart-network-large img").wait_for()
            page.wait_for_timeout(1000)
            page.screenshot(path=str(OUT / "dashboard-network.png"))
            page.get_by_role("tab", name="Compare").click()
            page.get_by_label("Run to day").fill("365")
            page.get_by_role("button", name="Run comparison").click()
            page.get_by_text(re.compile("Differences on day")).wait_for()
            page.wait_for_timeout(1500)
            page.screenshot(path=str(OUT / "dashboard-compare.png"))
            page.get_by_role("tab", name="Export").click()
            page.get_by_text("Show the TOML").click()
            page.wait_for_timeout(1000)
            page.screenshot(path=str(OUT / "dashboard-export.png"))
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=20)
    for path in sorted(OUT.glob("dashboard-*.png")):
        print(path.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    sys.exit(main())
