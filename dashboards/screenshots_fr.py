"""Take the French screenshots of docs/dashboard.md ("En français") in headless Chromium.

    .venv/bin/python -m dashboards.screenshots_fr [PORT]   # writes docs/img/dashboard-fr-*.png

The browser asks for French (``locale="fr-FR"``: its Accept-Language header is
``fr-FR,fr;q=0.9``), so the page opens in French with nothing chosen: the default the
language switch starts from (dashboards/components/language.py). The story: play the default
scenario to about day 150 with the Space shortcut, show the Live tab, then run the comparison
on the Compare tab. Buttons are found by the words of either language, so the script works
before and after each dashboard text is translated. Every non-local request is blocked.
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
DAY = re.compile(r"(Day|Jour) (\d+)")


def _day(page) -> int:
    text = page.locator(".socbiz-day").first.inner_text()
    match = DAY.search(text)
    return int(match.group(2)) if match else -1


def main() -> int:
    from playwright.sync_api import sync_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    if not port:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
    server = subprocess.Popen([str(Path(sys.executable).parent / "socbiz"), "dashboard",
                               "--port", str(port)], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/"
    written = []
    try:
        deadline = time.monotonic() + 600  # a loaded machine takes minutes to start Solara
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(url, timeout=5)
                break
            except OSError:
                time.sleep(1)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
            context = browser.new_context(locale="fr-FR",
                                          viewport={"width": 1500, "height": 940})
            page = context.new_page()
            page.set_default_timeout(180_000)
            page.route("**/*", lambda r: r.continue_() if urlparse(r.request.url).hostname in (
                "127.0.0.1", "localhost") else r.abort())
            page.goto(url)
            page.locator(".socbiz-day").first.wait_for()
            page.locator(".socbiz-language").first.wait_for()
            page.wait_for_timeout(2000)
            page.locator("body").click(position={"x": 700, "y": 300})
            page.keyboard.press("Space")  # play (dashboards/keys.py)
            deadline = time.monotonic() + 300
            while _day(page) < 150 and time.monotonic() < deadline:
                page.wait_for_timeout(1000)
            page.keyboard.press("Space")  # pause
            page.wait_for_timeout(3000)
            page.get_by_role("tab").first.scroll_into_view_if_needed()
            path = OUT / "dashboard-fr-live.png"
            page.screenshot(path=str(path))
            written.append(path)
            page.get_by_role("tab").nth(2).click()  # Compare / Comparer
            page.get_by_label(re.compile(r"Run to day|jusqu", re.I)).first.fill("365")
            page.get_by_role("button", name=re.compile(
                r"Run comparison|Lancer la comparaison|Comparer", re.I)).first.click()
            page.get_by_text(re.compile(r"Differences on day|(É|é)carts|Diff(é|e)rences",
                                        re.I)).first.wait_for()
            page.wait_for_timeout(4000)
            path = OUT / "dashboard-fr-compare.png"
            page.screenshot(path=str(path))
            written.append(path)
            browser.close()
    finally:
        server.terminate()
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    for path in written:
        print(path.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    sys.exit(main())
