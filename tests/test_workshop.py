"""Workshop logic without a browser: validation, persistence and resume, exact replay, the
scorecard, the debrief pack of a recorded 4-round workshop, and the command line.

A small market (2,000 customers, 30-day rounds) keeps each test to a few seconds; the rules do
not depend on the size (the model counts money for market_size real people).
"""

from __future__ import annotations

import csv
import re
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from simulation import SocialBusinessModel
from simulation.workshop.config import Decision, Scorecard, load_workshop
from simulation.workshop.debrief import Counterfactual, write_pack
from simulation.workshop.engine import Workshop, WorkshopError
from simulation.workshop.scoring import score_round

ROOT = Path(__file__).resolve().parents[1]
SMALL = {"customers": 1500, "round_days": 30, "teams": 3, "rounds": 4, "seed": 5}


def make(tmp_path, name="w.sqlite", **overrides) -> Workshop:
    config, base = load_workshop("launch", {**SMALL, **overrides})
    return Workshop.create(tmp_path / name, config, base)


def joined(ws: Workshop, n: int = 3):
    return [ws.join(ws.room, f"Team {i}") for i in range(n)]


PLAYS = [
    # round 1: team 0 trains and sponsors, team 1 hires and listens, team 2 pushes campaigns
    [{"training_departments": ["marketing", "customer_service"], "training_coverage": 0.8,
      "sponsorship": 0.8, "mix": "motivations"},
     {"service_hours": 16, "listening_coverage": 0.6, "crm_integration": 0.5},
     {"posts_per_day": 4, "push_share": 0.9, "mix": "campaign"}],
    [{"training_departments": ["crm", "quality"], "training_coverage": 0.6,
      "sponsorship": 0.8, "mix": "motivations"},
     {"service_hours": 8, "listening_coverage": 0.6, "crm_integration": 0.5, "agency": "none"},
     None],  # team 2 stays silent: its strategy is carried
    [{"training_departments": ["rnd", "hr"], "sponsorship": 0.9, "mix": "motivations"},
     {"listening_coverage": 0.9, "crm_integration": 0.9},
     {"posts_per_day": 2, "push_share": 0.3, "mix": "balanced"}],
    [{"sponsorship": 0.9, "mix": "motivations", "listening_coverage": 0.7,
      "crm_integration": 0.6},
     {"listening_coverage": 0.9, "crm_integration": 0.9, "sponsorship": 0.5},
     {"posts_per_day": 2, "push_share": 0.3, "mix": "balanced"}],
]


def play(ws: Workshop, teams, rounds=4, incidents=True):
    for number in range(rounds):
        for team, data in zip(teams, PLAYS[number], strict=True):
            if data is not None:
                ws.submit(team.token, data)
        if incidents and number == 1:
            ws.add_incident({"kind": "crisis", "brand": teams[2].brand,
                             "cause": "employee_video", "virality": 20, "day_in_round": 10})
        if incidents and number == 2:  # the platform cuts organic reach from round 3 on
            ws.add_incident({"kind": "platform", "factor": 0.7})
        if incidents and number == 3:  # and a competitor's contest draws attention in round 4
            ws.add_incident({"kind": "contest", "factor": 0.8})
        ws.simulate()
        ws.release()


# --------------------------------------------------------------------------------------------
# Validation


@pytest.mark.parametrize("data, fragment", [
    ({"posts_per_day": 11}, "decision.posts_per_day = 11.0 (must be a number between 0 and 10)"),
    ({"push_share": -0.1}, "decision.push_share"),
    ({"posts_per_day": "many"}, "must be a number"),
    ({"mix": "cats"}, "decision.mix = 'cats' (must be one of"),
    ({"budget": 1}, "unknown key"),
    ({"training_departments": ["legal"]}, "training_departments[0] = 'legal'"),
    ({"training_departments": ["hr", "hr"]}, "named twice"),
    ({"agency": "madmen"}, "decision.agency = 'madmen'"),
    ({"service_hours": 80, "training_departments": ["hr", "pr"], "training_coverage": 1},
     "within the round's budget"),
    ("posts=3", "must be a table"),
])
def test_a_bad_decision_is_refused_with_its_reason_and_not_saved(tmp_path, data, fragment):
    ws = make(tmp_path)
    team = joined(ws, 1)[0]
    with pytest.raises(WorkshopError) as error:
        ws.submit(team.token, data)
    assert fragment in str(error.value)
    assert "\n" not in str(error.value)
    assert ws.store.decisions() == {}
    assert ws.draft(team.token) == (Decision(mix="beliefs", posts_per_day=1.0, push_share=0.5,
                                             listening_coverage=0.1), False)


def test_joining_and_acting_need_the_right_code_token_and_state(tmp_path):
    ws = make(tmp_path)
    with pytest.raises(WorkshopError, match="wrong room code"):
        ws.join("XXXXXX", "Intruders")
    for name, reason in (("", "empty"), ("x" * 41, "at most 40"), ("a\x00b", "control")):
        with pytest.raises(WorkshopError, match=reason):
            ws.join(ws.room, name)
    a, b, c = joined(ws)
    with pytest.raises(WorkshopError, match="taken"):
        ws.join(ws.room.lower(), "team 0")
    with pytest.raises(WorkshopError, match="every brand"):
        ws.join(ws.room, "Fourth")
    with pytest.raises(WorkshopError, match="unknown team"):
        ws.submit("not-a-token", {})
    assert not ws.check_facilitator(a.token) and ws.check_facilitator(ws.facilitator_token)
    ws.lock_round()
    with pytest.raises(WorkshopError, match="locked"):
        ws.submit(a.token, {"posts_per_day": 2})
    ws.unlock_round()
    ws.set_paused(True)
    with pytest.raises(WorkshopError, match="paused"):
        ws.submit(a.token, {"posts_per_day": 2})
    ws.set_paused(False)
    with pytest.raises(WorkshopError, match="incident.brand"):
        ws.add_incident({"kind": "crisis", "brand": "nobody"})
    with pytest.raises(WorkshopError, match="day_in_round"):
        ws.add_incident({"kind": "crisis", "day_in_round": 31})
    ws.remove_team(c.brand)
    assert ws.team(c.token) is None
    with pytest.raises(WorkshopError, match="unknown team"):
        ws.submit(c.token, {})


def test_a_team_sees_only_its_own_private_view(tmp_path):
    ws = make(tmp_path)
    a, b, _c = joined(ws)
    ws.submit(a.token, {"posts_per_day": 3.25})
    ws.submit(b.token, {"posts_per_day": 1.75})
    ws.simulate()
    mine = ws.private_view(b.token)
    assert mine["summary"] is None and set(mine["frame"]["day"]) == {0}  # not released
    ws.release()
    mine = ws.private_view(b.token)
    assert set(mine["frame"]["brand"]) == {b.brand}
    assert {e["brand"] for e in mine["events"]} <= {b.brand}
    assert mine["decisions"][1]["posts_per_day"] == 1.75
    public = ws.public_view()
    assert "3.25" not in repr(public) and "decisions" not in public
    assert set(public["brands"][0]) == {"brand", "team", "followers", "sentiment", "crises"}


# --------------------------------------------------------------------------------------------
# Persistence, resume, replay


def test_every_submission_is_on_disk_before_it_is_confirmed_even_after_a_kill(tmp_path):
    ws = make(tmp_path)
    teams = joined(ws)
    ws.submit(teams[0].token, PLAYS[0][0])
    ws.simulate()
    ws.release()
    path, token = ws.store.path, teams[1].token
    ws.close()
    # Another process submits, then is killed without any cleanup.
    script = (f"from simulation.workshop.engine import Workshop\n"
              f"import os, signal\nws = Workshop.open({str(path)!r})\n"
              f"ws.submit({token!r}, {{'posts_per_day': 2.5, 'service_hours': 4}})\n"
              f"print('saved', flush=True)\nos.kill(os.getpid(), signal.SIGKILL)\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          cwd=ROOT, timeout=120)
    assert done.stdout.strip() == "saved" and done.returncode == -signal.SIGKILL
    resumed = Workshop.open(path)
    assert resumed.round == 2 and resumed.status == "open"
    assert [t.name for t in resumed.teams.values()] == ["Team 0", "Team 1", "Team 2"]
    draft, submitted = resumed.draft(token)
    assert submitted and draft.posts_per_day == 2.5 and draft.service_hours == 4
    assert resumed.outcomes[1]["digest"] == resumed.store.rounds()[1]["digest"]


def test_replay_is_exact_and_undo_resimulates_from_stored_decisions(tmp_path):
    ws = make(tmp_path)
    teams = joined(ws)
    play(ws, teams, rounds=3)
    digests = {n: o["digest"] for n, o in ws.outcomes.items()}
    assert [(n, a == b) for n, a, b in ws.verify()] == [(1, True), (2, True), (3, True)]
    assert ws.undo() == 3 and ws.round == 3 and ws.status == "open" and 3 not in ws.outcomes
    assert ws.draft(teams[0].token)[1]  # the teams' round-3 submissions are kept
    ws.simulate()
    assert ws.outcomes[3]["digest"] == digests[3]
    # A different seed gives a different market: the digest does see the trajectory.
    other = make(tmp_path, "other.sqlite", seed=6)
    play(other, joined(other), rounds=1)
    assert other.outcomes[1]["digest"] != digests[1]


def test_a_silent_team_plays_its_strategy_without_one_off_actions(tmp_path):
    ws = make(tmp_path)
    teams = joined(ws)
    play(ws, teams, rounds=2, incidents=False)
    stored = ws.store.decisions()
    assert stored[2][teams[2].brand]["carried"]
    carried = stored[2][teams[2].brand]["data"]
    assert carried["posts_per_day"] == 4 and carried["mix"] == "campaign"
    assert carried["service_hours"] == 0 and carried["training_departments"] == []


# --------------------------------------------------------------------------------------------
# Scorecard


def test_the_scorecard_ranks_by_its_weights():
    summary = {
        "a": dict(followers=100, engagement=5, sentiment=0.1, social_revenue=10, cost=50,
                  maturity=0.2, crises=0),
        "b": dict(followers=300, engagement=5, sentiment=0.3, social_revenue=30, cost=90,
                  maturity=0.4, crises=2),
        "c": dict(followers=200, engagement=5, sentiment=0.2, social_revenue=20, cost=70,
                  maturity=0.3, crises=1),
    }
    only = {k: 0.0 for k in Scorecard().weights()}
    by_followers = score_round(summary, ("a", "b", "c"), Scorecard(**{**only, "followers": 1}))
    assert [r["brand"] for r in by_followers] == ["b", "c", "a"]
    assert [r["score"] for r in by_followers] == [100, 50, 0]
    by_cost = score_round(summary, ("a", "b", "c"), Scorecard(**{**only, "cost": 1}))
    assert [r["brand"] for r in by_cost] == ["a", "c", "b"]  # cheaper is better
    equal = score_round(summary, ("a", "b", "c"), Scorecard(**{**only, "engagement": 1}))
    assert {r["score"] for r in equal} == {50}
    mixed = score_round(summary, ("a", "b", "c"),
                        Scorecard(**{**only, "followers": 1, "crises": 3}))
    assert [r["brand"] for r in mixed] == ["a", "c", "b"]  # crises weigh three times more
    assert [r["rank"] for r in mixed] == [1, 2, 3]


# --------------------------------------------------------------------------------------------
# The debrief pack of a recorded 4-round workshop


@pytest.fixture(scope="module")
def recorded(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("recorded")
    ws = make(tmp_path)
    teams = joined(ws)
    play(ws, teams)
    change = Counterfactual(teams[0].brand, 2, "no_training")
    html = write_pack(ws, tmp_path / "pack", counterfactual=change)
    return ws, teams, html


def test_the_debrief_pack_holds_every_team_its_decisions_and_the_counterfactual(recorded):
    ws, teams, html = recorded
    page = html.read_text()
    assert ws.status == "finished" and sorted(ws.outcomes) == [1, 2, 3, 4]
    for team in teams:
        assert f"id='team-{team.brand}'" in page and team.name in page
    decisions = list(csv.DictReader((html.parent / "decisions.csv").read_text().splitlines()))
    assert len(decisions) == 4 * 3
    row = next(r for r in decisions if r["round"] == "2" and r["brand"] == teams[0].brand)
    assert row["training_departments"] == "crm quality" and row["team"] == "Team 0"
    assert "CRM, Quality (60%)" in page  # the timeline of decisions is in the HTML
    assert "round-2 decisions replaced by no training" in page
    cf_text = (html.parent / "counterfactual.csv").read_text().splitlines()
    cf = {r["indicator"]: r for r in csv.DictReader(cf_text)}
    # Training crm and quality raises their adoption: without it, maturity is lower.
    assert float(cf["maturity"]["counterfactual"]) < float(cf["maturity"]["actual"])
    # Self-contained: no external request from the page.
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//|url\((?!#)|<link|<script|@import""",
                         page)
    assert page.count("<svg") >= 3 + 2 + 2 * len(teams)


def test_the_french_debrief_pack_has_french_headings_and_french_numbers(recorded):
    """In the workshop's language: headings, lessons, table headers, axis labels, numbers
    (20 000 with a narrow no-break space, 0,85 with a comma); the CSV files keep English
    column names and the same values, with a data dictionary in both languages."""
    from simulation.i18n import format_number, language
    from simulation.workshop.debrief import build_pack

    ws, teams, english_html = recorded
    change = Counterfactual(teams[0].brand, 2, "no_training")
    with language("fr"):
        page, csvs = build_pack(ws, change)
    assert "<html lang='fr'>" in page
    for heading in ("Classement", "Le marché", "Leçons : les schémas de l&#x27;article",
                    "Contrefactuel : le même marché",
                    "Décisions et résultats", "Moments clés", "Dictionnaire des données",
                    "Contrefactuel", "Le piège du help desk", "Saturation : publier plus"):
        assert heading in page, heading
    for english in ("Leaderboard", "The market", "Lessons:", "Decisions and outcomes",
                    "Key moments", "what happened", "Followers", "posts/day", "> day <",
                    "Maturity index", "the same random numbers"):
        assert english not in page, english
    assert "<th>abonnés</th>" in page  # a table header
    assert re.search(r"<text[^>]*>jour</text>", page)  # the charts' x axis label
    last = max(ws.outcomes)
    cost = ws.outcomes[last]["summary"][teams[0].brand]["cost"]  # in the counterfactual table
    assert cost >= 1000  # so the French grouping shows
    french = format_number(cost, 0, lang="fr")
    assert "\u202f" in french and f"<td>{french}</td>" in page
    assert format_number(cost, 0, lang="en") not in page  # no 1,234 left
    assert re.search(r"<td>[+-]0,\d\d</td>", page)  # net sentiment, decimal comma
    assert re.search(r"\d\u00a0%", page) and not re.search(r"\d%", page)  # 60 %, not 60%
    # Data: the same English column names and values as the English pack.
    english_csv = (english_html.parent / "decisions.csv").read_text()
    assert csvs["decisions.csv"] == english_csv
    dictionary = list(csv.DictReader(csvs["data_dictionary.csv"].splitlines()))
    described = {(r["file"], r["column"]): r for r in dictionary}
    assert set(described) >= {(name, column) for name, text in csvs.items()
                              if name != "data_dictionary.csv"
                              for column in text.splitlines()[0].split(",")}
    assert all(r["description_en"] and r["description_fr"] for r in dictionary), [
        r for r in dictionary if not (r["description_en"] and r["description_fr"])][:3]
    assert described[("decisions.csv", "carried")]["description_fr"].startswith("Vrai si")


def test_the_debrief_numbers_equal_a_plain_model_run_of_the_same_timeline(recorded):
    ws, _teams, html = recorded
    data = ws.scenario.to_dict()
    data["timeline"] = ws.market.timeline()
    model = SocialBusinessModel(data, rng=ws.seed)
    model.run(ws.config.round_days * ws.config.rounds)
    expected = model.brand_frame()
    expected = expected[expected["brand"].isin(ws.brands)].reset_index(drop=True)
    rows = list(csv.DictReader((html.parent / "daily.csv").read_text().splitlines()))
    assert len(rows) == len(expected)
    for column in ("followers", "engagements", "net_sentiment", "maturity", "cost",
                   "sponsorship", "phase"):
        got = np.array([float(r[column]) for r in rows])
        assert np.allclose(got, expected[column].astype(float).to_numpy(), rtol=1e-12,
                           atol=1e-12), column
    assert len(model.applied) == len(ws.market.model.applied) > 10
    # Every incident went through the model's intervention registry, reach changes included.
    kinds = [e.kind for e in model.applied]
    assert kinds.count("crisis") == 1 and kinds.count("reach") == 2


def test_every_incident_is_a_registered_intervention_kind_with_a_model_handler():
    from simulation.events import REGISTRY, ReachChange
    from simulation.model import HANDLERS
    from simulation.workshop.market import Incident, incident_interventions

    # A crisis for all is the model's crisis for each brand; platform and contest incidents
    # are the market-wide ``reach`` kind (MarketRun.play_round combines them per round).
    crises = incident_interventions(Incident(kind="crisis", brand="*"), ("a", "b"))
    assert [(c.kind, c.brand) for c in crises] == [("crisis", "a"), ("crisis", "b")]
    for cls in {type(c) for c in crises} | {ReachChange}:
        assert REGISTRY[cls.kind].cls is cls and cls in HANDLERS


def test_a_reach_change_scales_attention_from_its_start_and_one_restores_it():
    from simulation.events import ReachChange

    model = SocialBusinessModel("baseline", rng=4, overrides={"market.n_customers": 500})
    start = model.market.attention.copy()
    model.run(2)
    model.apply(ReachChange(factor=0.5))
    assert np.allclose(model.market.attention, start * 0.5, rtol=1e-6)
    model.apply(ReachChange(factor=0.25))  # relative to the start, not compounded
    assert np.allclose(model.market.attention, start * 0.25, rtol=1e-6)
    model.apply(ReachChange(factor=1.0))
    assert np.array_equal(model.market.attention, start)
    assert [e.cause for e in model.log_book.events[-3:]] == ["reach"] * 3


# --------------------------------------------------------------------------------------------
# Command line


class Done:
    def __init__(self, returncode, stdout, stderr):
        self.returncode, self.stdout, self.stderr = returncode, stdout, stderr


def socbiz(*args, cwd, capsys, monkeypatch):
    """The real command line, in this process (a subprocess would re-import everything)."""
    from simulation.cli import main

    monkeypatch.chdir(cwd)
    capsys.readouterr()
    try:
        code = main(list(args))
    except SystemExit as stop:
        code = stop.code
    out = capsys.readouterr()
    return Done(code, out.out, out.err)


@pytest.mark.parametrize("args, fragment", [
    (["workshop", "--teams", "0"], "--teams"),
    (["workshop", "nosuch"], "nosuch"),
    (["workshop", "replay"], "give one workshop file"),
    (["workshop", "replay", "missing.sqlite"], "no such file"),
    (["workshop", "--resume", "missing.sqlite", "--no-serve"], "no such workshop file"),
    (["workshop", "--lang", "de"], "--lang"),
    # a valid workshop file, an option out of range: the option is named, not the file
    (["workshop", "launch", "--teams", "1000", "--no-serve"], "--teams 1000 (must be"),
    (["workshop", "launch", "--round-days", "100000", "--no-serve"], "--round-days 100000"),
])
def test_bad_command_lines_end_with_one_line_and_status_2(tmp_path, args, fragment, capsys,
                                                          monkeypatch):
    done = socbiz(*args, cwd=tmp_path, capsys=capsys, monkeypatch=monkeypatch)
    assert done.returncode == 2, done.stderr
    assert fragment in done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_the_command_prints_the_join_details_and_replay_checks_the_file(tmp_path, recorded,
                                                                        capsys, monkeypatch):
    done = socbiz("workshop", "--no-serve", "--file", "w.sqlite", "--teams", "5",
                  "--round-days", "10", cwd=tmp_path, capsys=capsys, monkeypatch=monkeypatch)
    assert done.returncode == 0, done.stderr
    ws = Workshop.open(tmp_path / "w.sqlite")
    assert len(ws.brands) == 5
    assert f"/?room={ws.room}" in done.stdout and f"room code {ws.room}" in done.stdout
    assert f"/console?token={ws.facilitator_token}" in done.stdout
    assert (tmp_path / "w.qr.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    recorded_ws = recorded[0]
    done = socbiz("workshop", "replay", str(recorded_ws.store.path), cwd=tmp_path,
                  capsys=capsys, monkeypatch=monkeypatch)
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("identical") == 4
    brand = recorded_ws.brands[1]
    done = socbiz("workshop", "debrief", str(recorded_ws.store.path), "--out", "pack",
                  "--counterfactual", f"{brand}:2:no_hiring", cwd=tmp_path, capsys=capsys,
                  monkeypatch=monkeypatch)
    assert done.returncode == 0, done.stderr
    assert "no customer-service hiring" in (tmp_path / "pack" / "debrief.html").read_text()
    done = socbiz("workshop", "debrief", str(recorded_ws.store.path), "--counterfactual",
                  f"{brand}:9:no_hiring", cwd=tmp_path, capsys=capsys, monkeypatch=monkeypatch)
    assert done.returncode == 2 and "counterfactual round 9" in done.stderr


# --------------------------------------------------------------------------------------------
# Languages


def test_a_page_language_comes_from_its_switch_then_lang_then_the_browser(monkeypatch):
    pytest.importorskip("solara")
    from dashboards.workshop.texts import choose_language

    monkeypatch.delenv("SOCBIZ_WORKSHOP_LANG_FIXED", raising=False)
    monkeypatch.setenv("SOCBIZ_LANG", "en")
    assert choose_language(None, "fr-FR,fr;q=0.9,en;q=0.8", participant=True) == "fr"
    assert choose_language(None, "de-DE,en;q=0.5", participant=True) == "en"
    assert choose_language(None, "de-DE", participant=True) == "en"  # neither: the workshop's
    assert choose_language(None, "fr-FR", participant=False) == "en"  # console: the workshop's
    assert choose_language("en", "fr-FR", participant=True) == "en"  # the page's switch
    monkeypatch.setenv("SOCBIZ_WORKSHOP_LANG_FIXED", "fr")  # socbiz workshop --lang fr
    assert choose_language(None, "en-US", participant=True) == "fr"
    assert choose_language(None, "", participant=False) == "fr"
    assert choose_language("en", "", participant=False) == "en"
    assert choose_language("xx", "en-US", participant=True) == "fr"  # a bad switch is ignored


def test_refusals_speak_the_language_of_the_page_that_asked(tmp_path):
    from simulation.i18n import language

    ws = make(tmp_path)
    with language("fr"), pytest.raises(WorkshopError, match="code de salle erroné"):
        ws.join("NOPE", "Team")
    team = ws.join(ws.room, "Les Bleus")
    with language("fr"), pytest.raises(WorkshopError, match="est déjà pris"):
        ws.join(ws.room, "les bleus")
    ws.lock_round()
    with language("fr"), pytest.raises(WorkshopError, match="manche 1 est verrouillée"):
        ws.submit(team.token, {})


def test_every_workshop_file_is_written_in_english_and_french():
    """A workshop preset missing one language fails: its title, description and round briefs
    are shown on French and English screens alike."""
    from simulation.workshop.config import WORKSHOP_DIR

    files = sorted(WORKSHOP_DIR.glob("*.toml"))
    assert files
    for path in files:
        config, _base = load_workshop(path.stem)
        texts = [config.title, config.description,
                 *(text for b in config.briefs for text in (b.title, b.brief, b.ask))]
        missing = [t.texts for t in texts if not t.is_translated]
        assert not missing, f"{path.name}: {missing[:2]}"


def test_a_coalescing_page_watcher_delivers_a_burst_in_few_updates_and_misses_none(tmp_path):
    """The console's team list follows every submission, but a burst in a few re-renders: at
    most one per coalescing window (dashboards.workshop.shared.follow_changes), ending on the
    last change; a watcher without a window delivers each change."""
    import threading
    import time

    from dashboards.workshop.shared import follow_changes

    ws = make(tmp_path)
    teams = joined(ws)

    def start(coalesce):
        delivered, cancel = [], threading.Event()
        thread = threading.Thread(target=follow_changes, daemon=True, args=(
            lambda: ws.version, lambda seen: ws.wait_change(seen, timeout=1.0),
            delivered.append, cancel, coalesce))
        thread.start()
        return delivered, cancel, thread

    def until_delivered(delivered):
        deadline = time.time() + 30
        while not (delivered and delivered[-1] == ws.version):
            assert time.time() < deadline, "the last change was never delivered"
            time.sleep(0.02)

    window = 0.3
    delivered, cancel, thread = start(window)
    began = time.perf_counter()
    for k in range(10):
        for team in teams:
            ws.submit(team.token, {"posts_per_day": 1 + 0.1 * k})
    burst = time.perf_counter() - began
    until_delivered(delivered)
    cancel.set()
    thread.join(5)
    assert len(delivered) <= 1 + burst / window + 1, (len(delivered), burst)
    assert delivered == sorted(set(delivered))

    delivered, cancel, thread = start(0.0)
    versions = []
    for k in range(5):
        ws.submit(teams[0].token, {"posts_per_day": 2 + 0.1 * k})
        versions.append(ws.version)
        until_delivered(delivered)
    cancel.set()
    thread.join(5)
    assert delivered == versions
