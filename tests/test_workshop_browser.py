"""End to end: a real ``socbiz workshop`` server, five participants and a facilitator, each in
its own Chromium context, offline (every non-local request aborted and counted as a failure).

One scenario, in order, because each step needs the state the previous one left: join, decide,
reconnect after a reload, refusals (another team's panel, the console), an incident, lock,
simulate, release, leaderboard, then a server killed with SIGKILL and restarted with
``--resume``: every team comes back to its own decisions and nothing submitted is lost.
Screenshots go to ``test-artifacts/workshop/``.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect
from test_workshop_support import (
    CHROMIUM,
    CHROMIUM_ARGS,
    Offline,
    Participant,
    Server,
    write_workshop,
)

from simulation.workshop.engine import Workshop

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts" / "workshop"
N_TEAMS = 5


@pytest.fixture(scope="module")
def chromium_browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def assert_no_server_file_is_served(server):
    """Paths a curious participant might try: none returns the workshop file or the code."""
    import urllib.error
    import urllib.request

    secret = server.file.read_bytes()[:16]  # "SQLite format 3"
    for path in ("/w.sqlite", "/../w.sqlite", "/static/../w.sqlite", "/static/public/w.sqlite",
                 "/static/public/../../w.sqlite", "/static/%2e%2e/%2e%2e/w.sqlite",
                 "/_solara/../w.sqlite", "/static/app.py", "/static/public/app.py",
                 "/static/public/../app.py", f"/static/{server.file}",
                 "/static/public/%2e%2e/shared.py"):
        try:
            with urllib.request.urlopen(server.url + path, timeout=30) as response:
                body = response.read()
        except urllib.error.HTTPError as error:
            body = error.read()
        assert secret not in body and b"SOCBIZ_WORKSHOP_FILE" not in body, path


# The budget line, once it is shown (a form the server cannot price has none, for a moment).
BUDGET_IS = """(text) => { const line = document.querySelector(".workshop-budget");
  return line !== null && line.innerText === text; }"""
NO_TRANSITION = """() => [...document.querySelectorAll("*")].every((element) =>
  getComputedStyle(element).transitionDuration.split(",").every((d) => parseFloat(d) === 0))"""


def shot(page, name):
    page.wait_for_timeout(200)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_a_workshop_round_trip_with_five_teams_a_facilitator_and_a_crash(chromium_browser, tmp_path):
    browser = chromium_browser
    started = time.perf_counter()

    def mark(what):
        print(f"{time.perf_counter() - started:6.1f} s  {what}", flush=True)

    server = Server(tmp_path, write_workshop(tmp_path, teams=N_TEAMS + 1))
    server.start()
    teams = [Participant(browser, server, f"Team {i}") for i in range(N_TEAMS)]
    facilitator = Offline(browser)
    spy = Offline(browser, locale="fr-FR")  # a French browser: participants' pages in French
    try:
        # Join and decide: each team a distinctive posting frequency.
        for team in teams:
            team.join()
        mark('joined')
        for i, team in enumerate(teams):
            team.submit({"Posts per day": 1 + 0.25 * i})
        mark('submitted round 1')
        console = facilitator.page(f"{server.url}/console?token={server.token}")
        console.get_by_text("Facilitator console").wait_for()
        for team in teams:
            console.get_by_text(f"{team.name} — submitted").wait_for()
        console.get_by_text("(autopilot) — waiting").wait_for()  # the sixth brand
        shot(teams[0].page, "participant-round1")

        mark('console sees everyone')
        # Reconnect after a reload: same team, same saved decision.
        teams[1].reload()
        teams[1].page.get_by_text("Team Team 1 —").wait_for()
        teams[1].page.get_by_text("Saved (revision 1)").wait_for()
        value = teams[1].page.get_by_label(re.compile("^Posts per day")).input_value()
        assert float(value) == 1.25

        mark('reloaded')
        # The server's answers land in the form (written into its widget, not re-rendered): a
        # change moves the budget line, a value out of its range is refused with the reason,
        # and putting the hours back gives back the budget line of the saved decision.
        form = teams[0].page
        budget = form.locator(".workshop-budget")
        saved_budget = budget.inner_text()
        teams[0].fill("Customer-service hours hired per day", 3)
        form.wait_for_function(BUDGET_IS.replace("===", "!=="), arg=saved_budget)
        teams[0].fill("Posts per day", 50)
        form.get_by_role("button", name="Submit decisions").click()
        form.get_by_text(re.compile(r"^Refused: ")).wait_for()
        teams[0].fill("Posts per day", 1)
        teams[0].fill("Customer-service hours hired per day", 0)
        form.wait_for_function(BUDGET_IS, arg=saved_budget)

        mark('answers in the form')
        # No CSS transitions on the workshop's pages (dashboards.workshop.app): a lock or a
        # release repaints a page once, not for the thirty frames of Vuetify's easing.
        for page in (form, console):
            assert page.evaluate(NO_TRANSITION), page.url
        # Refusals: another team's panel (a guessed token), the console with a team token.
        other = spy.page(f"{server.url}/?team=not-{teams[2].token}")
        other.get_by_text("Lien d'équipe inconnu").wait_for()  # in the browser's language
        assert "Team 2" not in other.content()
        refused = spy.page(f"{server.url}/console?token={teams[0].token}")
        refused.get_by_text("Access refused").wait_for()
        assert server.room not in refused.content() and "Lock" not in refused.inner_text("body")
        projector = spy.page(f"{server.url}/projector")
        projector.get_by_text("Access refused").wait_for()
        assert_no_server_file_is_served(server)

        mark('refusals')
        # An incident for team 3's brand, then lock and simulate.
        brand3 = Workshop.open(server.file, verify=False)
        target = brand3.team(teams[3].token).brand
        brand3.close()
        console.get_by_label("Target").click(force=True)
        console.get_by_role("option", name=target, exact=True).click()
        console.get_by_role("button", name="Add incident").click()
        console.get_by_text(f"crisis (employee video) for {target}").wait_for()
        console.get_by_role("button", name="Lock", exact=True).click()
        console.get_by_text("Round 1 of 3: locked").wait_for()
        refused_submit = teams[4].page.get_by_role("button", name="Submit decisions")
        expect(refused_submit).to_be_disabled(timeout=90_000)
        console.get_by_role("button", name="Simulate", exact=True).click()
        console.get_by_text("Round simulated in").wait_for()
        mark('simulated')
        console.get_by_role("button", name="Release results").click()
        console.get_by_text("Leaderboard — Round 1 (released)").wait_for()
        for team in teams:
            team.page.get_by_text("Engagements this round").wait_for()
            team.page.get_by_text("Leaderboard").wait_for()
        assert "Team 4" in teams[0].page.inner_text("body")  # public: names on the board
        shot(console, "console-round1")
        shot(teams[3].page, "participant-after-round1")

        mark('released')
        # Round 2 decisions, then the server dies without warning.
        for i, team in enumerate(teams):
            team.revision = 0
            team.submit({"Posts per day": 2 + 0.5 * i, "Push share": 0.1 * i})
        mark('round 2 submitted')
        server.kill()
        server.start(resume=True)
        mark('resumed')
        # Two teams reload (the file is checked for all five below).
        for i, team in list(enumerate(teams))[::2][:2]:
            team.reload()
            team.page.get_by_text(f"Team {team.name} —").wait_for()
            team.page.get_by_text("Saved (revision 1)").wait_for()
            posts = team.page.get_by_label(re.compile("^Posts per day")).input_value()
            assert float(posts) == 2 + 0.5 * i
        mark('teams reconnected')
        console.reload()
        console.get_by_text("Round 2 of 3: open").wait_for()
        console.get_by_role("button", name="Simulate", exact=True).click()
        console.get_by_text("Round simulated in").wait_for()
    finally:
        server.stop()
        for team in teams:
            team.close()
    stored = Workshop.open(server.file)
    decisions = stored.store.decisions()
    for i, team in enumerate(teams):
        brand = stored.team(team.token).brand
        assert decisions[1][brand]["data"]["posts_per_day"] == 1 + 0.25 * i
        assert decisions[2][brand]["data"]["posts_per_day"] == 2 + 0.5 * i
        assert decisions[2][brand]["data"]["push_share"] == pytest.approx(0.1 * i)
    assert sorted(stored.outcomes) == [1, 2]
    contexts = [t.offline for t in teams] + [facilitator, spy]
    assert not [u for c in contexts for u in c.blocked], "non-local requests were attempted"
    # solara.Markdown asks the server for KaTeX, which solara-assets does not bundle: a local
    # 404 with no effect (shared/docs/platform-notes.md). Any other failed request fails here.
    failed = [u for c in contexts for u in c.failed if "/katex@" not in u]
    assert not failed, f"local requests failed: {failed}"
