"""Take the screenshots of docs/dashboard.md and docs/workshop.md from the real servers in
headless Chromium, in English or in French.

    .venv/bin/python -m dashboards.screenshots                  # English: docs/img/dashboard-*.png
    .venv/bin/python -m dashboards.screenshots --lang fr        # French: docs/img/*-fr.png
    .venv/bin/python -m dashboards.screenshots --lang fr --only workshop --port 8820

The dashboard's story: the default scenario, a week stepped, then the executive committee
sponsors the transformation and every department is trained; the run plays to day 200, an
employee video goes viral, four more weeks; then the what-if is compared with the scenario as
loaded, and the Export tab shows its TOML. In French the browser asks for French
(``locale="fr-FR"``: ``Accept-Language: fr-FR,fr;q=0.9``), so the page opens in French with
nothing chosen (dashboards/components/language.py).

The workshop's story (``socbiz workshop launch --teams 3 --round-days 30 --lang``): three teams
join from their own browser and submit decisions (typed the language's way: ``1,5`` in
French), the facilitator locks, simulates and releases round 1, then the debrief pack of that
round (with a same-seed counterfactual) is opened from its file.

Buttons, tabs and fields are found by their words in the chosen language, looked up in the
project's catalogue (simulation.i18n), or by their English words, so the script also works
while a screen is being translated. Every non-local request is blocked, as in the tests; the
servers and the browser are stopped at the end, whatever happens.
"""

from __future__ import annotations

import argparse
import contextlib
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "img"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
LOCALES = {"en": "en-GB", "fr": "fr-FR"}
SOCBIZ = str(Path(sys.executable).parent / "socbiz")


class Words:
    """The screens' words in one language: ``words("Play")`` matches the translated text and
    the English one (a text not yet in the catalogue is still English on the page)."""

    def __init__(self, lang: str):
        self.lang = lang

    def text(self, english: str, context: str | None = None) -> str:
        from simulation.i18n import gettext, language, pgettext

        with language(self.lang):
            return pgettext(context, english) if context else gettext(english)

    def __call__(self, english: str, context: str | None = None, *, whole: bool = True):
        """``"Differences on day {day}"``: a template matches by its words before the first
        placeholder (``Écarts au jour``)."""
        texts = {english, self.text(english, context)}
        if "{" in english:
            texts, whole = {t.split("{")[0].strip() for t in texts}, False
        choices = {re.escape(t) for t in texts}
        body = "|".join(sorted(choices, key=len, reverse=True))
        return re.compile(f"^({body})$" if whole else f"({body})", re.I)


def free_port(preferred: int = 0) -> int:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", preferred))
        except OSError:
            sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, process: subprocess.Popen, seconds: float = 600) -> None:
    """Until ``url`` answers (a loaded machine takes minutes to start Solara)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server stopped (exit {process.returncode})")
        try:
            urllib.request.urlopen(url, timeout=5)
            return
        except OSError:
            time.sleep(1)
    raise RuntimeError(f"{url} did not answer in {seconds:.0f} s")


def stop(process: subprocess.Popen | None) -> None:
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def offline_context(browser, lang: str, width: int = 1500, height: int = 940):
    context = browser.new_context(locale=LOCALES[lang], viewport={"width": width,
                                                                   "height": height})
    context.route("**/*", lambda r: r.continue_() if (
        urlparse(r.request.url).hostname in ("127.0.0.1", "localhost")
        or r.request.url.startswith(("data:", "blob:", "file:"))) else r.abort())
    return context


def _day(page) -> int:
    match = re.search(r"\d+", page.locator(".socbiz-day").first.inner_text())
    return int(match.group()) if match else -1


# --------------------------------------------------------------------------------------------
# The dashboard


def dashboard(browser, lang: str, port: int) -> list[Path]:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    words = Words(lang)
    suffix = "" if lang == "en" else f"-{lang}"
    written: list[Path] = []

    def shot(page, name: str) -> None:
        path = OUT / f"dashboard{suffix}-{name}.png"
        page.screenshot(path=str(path))
        written.append(path)

    server = subprocess.Popen([SOCBIZ, "dashboard", "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/"
    try:
        wait_for(url, server)
        context = offline_context(browser, lang)
        page = context.new_page()
        page.set_default_timeout(180_000)
        page.goto(url)
        page.locator(".socbiz-day").first.wait_for()
        page.locator(".socbiz-live-phases canvas").first.wait_for()
        page.get_by_role("button", name=words("+7 days")).click()
        page.wait_for_function("() => { const m = /\\d+/.exec(document.querySelector("
                               "'.socbiz-day').innerText); return m && +m[0] >= 7; }")
        page.get_by_role("button", name=words("Executive sponsorship")).click()
        page.locator(".socbiz-event.intervention").first.wait_for()
        page.get_by_role("button", name=words("Train all departments")).click()
        page.locator(".socbiz-event.intervention").nth(1).wait_for()
        page.get_by_label(words("Speed")).click(force=True)
        page.get_by_role("option", name=words("As fast as possible")).click()
        # "Play to day" stops on day 200 exactly (a Pause clicked when the page shows day 200
        # lands tens of days later at the fastest speed: Playwright's own latency)
        box = page.get_by_label(words("Play to day"))
        box.fill("200")
        box.press("Enter")  # the field's value plays to that day (as Go does)
        page.wait_for_function("() => { const m = /\\d+/.exec(document.querySelector("
                               "'.socbiz-day').innerText); return m && +m[0] >= 200; }")
        page.get_by_role("button", name=words("Play")).wait_for()
        page.get_by_role("button", name=words("Inject a crisis")).click()
        page.wait_for_timeout(500)
        paused_at = _day(page)
        for _ in range(4):
            page.get_by_role("button", name=words("+7 days")).click()
            page.wait_for_timeout(1200)
        back = page.get_by_role("button", name=re.compile(
            "|".join({words.text("Back to day {day}").split("{")[0], "Back to day"}), re.I))
        with contextlib.suppress(PlaywrightTimeout):  # the four weeks are stepped
            page.wait_for_function("(target) => { const m = /\\d+/.exec(document."
                                   "querySelector('.socbiz-day').innerText); "
                                   "return m && +m[0] >= target; }", arg=paused_at + 28,
                                   timeout=60_000)
        if back.count():  # a replayed day on screen (a click landed on the timeline)
            back.first.click()
        page.wait_for_timeout(1500)
        page.get_by_role("tab", name=words("Live")).scroll_into_view_if_needed()
        page.wait_for_timeout(300)
        shot(page, "live")
        chart = page.locator(".socbiz-live-audience canvas").first
        chart.scroll_into_view_if_needed()
        page.wait_for_timeout(500)
        box = chart.bounding_box()  # hover the followers panel: the values of that day
        page.mouse.move(box["x"] + 0.2 * box["width"], box["y"] + 0.3 * box["height"])
        page.wait_for_timeout(1000)
        shot(page, "live-charts")
        page.get_by_role("tab", name=words("Network & organisation")).click()
        page.locator(".socbiz-chart-network-large img, .socbiz-chart-network img").first.wait_for()
        page.wait_for_timeout(1000)
        shot(page, "network")
        page.get_by_role("tab", name=words("Compare")).click()
        page.get_by_label(words("Run to day")).fill("365")
        page.get_by_role("button", name=words("Run comparison")).click()
        page.get_by_text(words("Differences on day {day}")).first.wait_for()
        page.wait_for_timeout(1500)
        shot(page, "compare")
        page.get_by_role("tab", name=words("Export")).click()
        page.get_by_text(words("Show the TOML")).click()
        page.wait_for_timeout(1000)
        shot(page, "export")
        context.close()
    finally:
        stop(server)
    return written


# --------------------------------------------------------------------------------------------
# The workshop

TEAMS = {"en": ("The Listeners", "Push & Pray", "Help Desk Heroes"),
         "fr": ("Les Écoutants", "Pousse-Toujours", "Les As du SAV")}
DECISIONS = ({"Posts per day": 1.5, "Listening coverage": 0.6, "Social CRM integration": 0.4},
             {"Posts per day": 4, "Push share": 0.9},
             {"Customer-service hours hired per day": 16})


def workshop(browser, lang: str, port: int) -> list[Path]:
    from simulation.i18n import format_number

    words = Words(lang)
    suffix = "" if lang == "en" else f"-{lang}"
    written: list[Path] = []
    folder = Path(tempfile.mkdtemp(prefix="socbiz-screenshots-"))
    file = folder / "w.sqlite"
    log = folder / "server.log"
    with log.open("wb") as handle:
        server = subprocess.Popen([SOCBIZ, "workshop", "launch", "--teams", "3",
                                   "--round-days", "30", "--port", str(port), "--file",
                                   str(file), "--lang", lang], cwd=folder, stdout=handle,
                                  stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"

    def shot(page, name: str) -> None:
        path = OUT / f"workshop-{name}{suffix}.png"
        page.wait_for_timeout(800)
        # Solara scrolls inside its layout, not the document: back to the top of every box.
        page.evaluate("() => document.querySelectorAll('*').forEach(e => { e.scrollTop = 0; })")
        page.wait_for_timeout(300)
        page.screenshot(path=str(path))
        written.append(path)

    try:
        wait_for(base + "/", server)
        text = log.read_text(errors="replace")
        room = re.findall(r"\?room=([A-Z0-9]+)", text)[-1]
        token = re.findall(r"console\?token=(\S+)", text)[-1]
        pages = []
        for name, decision in zip(TEAMS[lang], DECISIONS, strict=True):
            context = offline_context(browser, lang, 1400, 1500)
            page = context.new_page()
            page.set_default_timeout(180_000)
            page.goto(f"{base}/?room={room}")
            page.get_by_label(words("Team name")).fill(name)
            page.get_by_role("button", name=words("Join")).click()
            page.get_by_text(words("Your decisions for this round")).wait_for()
            for label, value in decision.items():
                box = page.get_by_label(words(label, whole=False))
                box.fill(format_number(value, lang=lang))  # 1,5 in French
                box.press("Tab")
            page.get_by_role("button", name=words("Submit decisions")).click()
            page.get_by_text(words("Saved", whole=False)).first.wait_for()
            pages.append(page)
        facilitator = offline_context(browser, lang, 1400, 1300)
        console = facilitator.new_page()
        console.set_default_timeout(180_000)
        console.goto(f"{base}/console?token={token}")
        console.get_by_text(words("Facilitator console", whole=False)).first.wait_for()
        console.get_by_role("button", name=words("Lock")).click()
        console.get_by_role("button", name=words("Simulate")).click()
        console.get_by_text(words("Round simulated in", whole=False)).first.wait_for()
        console.get_by_role("button", name=words("Release results")).click()
        console.locator(".workshop-market-charts svg[role=img]").nth(1).wait_for()  # charts
        shot(console, "console")
        pages[0].get_by_text(words("Engagements this round")).wait_for()
        shot(pages[0], "participant")
        projector = facilitator.new_page()
        projector.set_default_timeout(180_000)
        projector.goto(f"{base}/projector?token={token}")
        projector.locator("table").first.wait_for()  # the leaderboard
        projector.locator(".workshop-market-charts svg[role=img]").nth(1).wait_for()  # charts
        shot(projector, "projector")
        for page in pages:
            page.context.close()
        facilitator.close()
        stop(server)
        from simulation.workshop.engine import Workshop

        opened = Workshop.open(file, verify=False)
        brand = opened.brands[0]
        opened.close()
        pack = folder / "pack"
        subprocess.run([SOCBIZ, "workshop", "debrief", str(file), "--out", str(pack),
                        "--counterfactual", f"{brand}:1:no_listening", "--lang", lang],
                       check=True, cwd=folder, stdout=subprocess.DEVNULL)
        reader = offline_context(browser, lang, 1200, 1500)
        page = reader.new_page()
        page.goto((pack / "debrief.html").as_uri())
        page.locator("svg").first.wait_for()
        shot(page, "debrief")
        reader.close()
    finally:
        stop(server)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dashboards.screenshots",
                                     description="Retake the screenshots of docs/ in one "
                                                 "language (headless Chromium, offline).")
    parser.add_argument("--lang", choices=("en", "fr"), default="en",
                        help="language of the pages (French: docs/img/*-fr.png)")
    parser.add_argument("--port", type=int, default=0,
                        help="first port to use (the workshop takes the next one); default: "
                             "any free port")
    parser.add_argument("--only", choices=("dashboard", "workshop"),
                        help="take only these screenshots")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        try:
            if args.only in (None, "dashboard"):
                written += dashboard(browser, args.lang, free_port(args.port))
            if args.only in (None, "workshop"):
                written += workshop(browser, args.lang,
                                    free_port(args.port + 1 if args.port else 0))
        finally:
            browser.close()
    for path in written:
        print(path.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    sys.exit(main())
