"""The participant page: join with the room code, then steer one brand.

Rules:
- The page's identity is the team token in its URL (``/?team=TOKEN``), given once at join: a
  reload, a lost Wi-Fi connection or another device with the same link comes back to the same
  team, its submitted decisions and its results. A page without a valid token only shows the
  join form.
- Everything shown comes from the server's views for this token: the team's own private view
  and the public view every participant gets (public indicators, news of crises, leaderboard).
  Nothing of another team's decisions or private series reaches this page.
- The form is built from the Decision declarations (label, unit, range, help); the server
  validates what is sent (a refused decision shows the one-line reason and is not saved).
"""

from __future__ import annotations

import time

import solara

from simulation.config import DEPARTMENTS
from simulation.metrics import PHASE_NAMES
from simulation.workshop.config import AGENCY_KEEP, AGENCY_NONE, DECISION_FIELDS, decision_cost
from simulation.workshop.engine import WorkshopError

from . import shared
from .charts import brand_figure
from .texts import t

NUMBER_FIELDS = (
    ("posts_per_day", "Posts per day", 0.5),
    ("push_share", "Push share", 0.05),
    ("service_hours", "Customer-service hours hired per day", 1),
    ("training_coverage", "Training coverage", 0.05),
    ("listening_coverage", "Listening coverage", 0.05),
    ("crm_integration", "Social CRM integration", 0.05),
    ("sponsorship", "Executive sponsorship", 0.1),
)


def field_label(name: str, label: str) -> str:
    meta = DECISION_FIELDS[name].metadata
    unit = f"{meta['unit']}, " if meta["unit"] else ""
    return f"{t(label)} ({unit}{meta['lo']:g}–{meta['hi']:g})"


@solara.component
def Participant():
    ws = shared.workshop()
    params = shared.query()
    router = solara.use_router()
    version = shared.use_version(public=True)
    token = params.get("team", "")
    team = ws.team(token) if token else None
    with solara.Column(style={"max-width": "1200px", "margin": "0 auto"}):
        if team is None:
            JoinForm(params.get("room", ""), bool(token), router)
        else:
            TeamPage(team.token, version)


@solara.component
def JoinForm(room: str, bad_token: bool, router):
    ws = shared.workshop()
    code, set_code = solara.use_state(room)
    name, set_name = solara.use_state("")
    error, set_error = solara.use_state("")

    def join():
        try:
            team = ws.join(code, name)
        except WorkshopError as problem:
            set_error(str(problem))
            return
        router.push(f"/?team={team.token}")

    solara.Markdown(f"## {t('Join the workshop')}: {ws.config.title}")
    if bad_token:
        solara.Warning(t("Unknown team link: join again with the room code."))
    solara.InputText(t("Room code"), value=code, on_value=set_code, continuous_update=True)
    solara.InputText(t("Team name"), value=name, on_value=set_name, continuous_update=True)
    solara.Button(t("Join"), on_click=join, color="primary")
    if error:
        solara.Error(error)


@solara.component
def TeamPage(token: str, version: int):
    ws = shared.workshop()
    public = ws.public_view()
    private = ws.private_view(token)
    team = ws.team(token)
    brief = (ws.config.briefs[public["round"] - 1]
             if public["round"] <= len(ws.config.briefs) else None)
    status = t(public["status"])
    solara.Markdown(f"## {t('Team')} {team.name} — {t('brand')} {team.brand}")
    solara.Text(f"{t('Round')} {public['round']} {t('of')} {public['total_rounds']}: {status}",
                classes=["workshop-round"])
    if public["paused"]:
        solara.Warning(t("Paused by the facilitator"))
    if brief is not None and public["status"] in ("open", "locked"):
        solara.Info(f"{brief.title}: {brief.brief}")
    for message in public["messages"][-3:]:
        solara.Info(f"{t('Messages')}: {message}")
    with solara.Columns([5, 7]):
        with solara.Column():
            DecisionForm(token, public["round"], public["status"], public["paused"]).key(
                f"form-{public['round']}-{public['status']}")
        with solara.Column():
            OwnBrand(private, public)
    PublicMarket(public)


@solara.component
def DecisionForm(token: str, round_: int, status: str, paused: bool):
    ws = shared.workshop()
    draft, was_submitted = ws.draft(token)
    values, set_values = solara.use_state(draft.as_dict())
    message, set_message = solara.use_state(
        (f"{t('Saved')} ({t('revision')} {ws.revision(token)})", "ok") if was_submitted
        else ("", ""))
    brand = ws.brand_of(token)
    editable = status == "open" and not paused

    def setter(name):
        def set_value(value):
            set_values({**values, name: value})
        return set_value

    def toggle(department):
        def set_checked(checked):
            chosen = [d for d in values["training_departments"] if d != department]
            if checked:
                chosen.append(department)
            set_values({**values, "training_departments": chosen})
        return set_checked

    def submit():
        try:
            ws.submit(token, values)
        except WorkshopError as problem:
            set_message((f"{t('Refused')}: {problem}", "error"))
            return
        set_message((f"{t('Saved')} ({t('revision')} {ws.revision(token)}, "
                     f"{time.strftime('%H:%M:%S')})", "ok"))

    solara.Markdown(f"### {t('Your decisions for this round')}")
    for name, label, _step in NUMBER_FIELDS:
        solara.InputFloat(field_label(name, label), value=values[name],
                          on_value=setter(name), disabled=not editable)
        solara.Text(str(DECISION_FIELDS[name].metadata["help"]),
                    style={"font-size": "0.75em", "color": "#666"})
    solara.Select(t("Content mix"), values=list(DECISION_FIELDS["mix"].metadata["choices"]),
                  value=values["mix"], on_value=setter("mix"), disabled=not editable)
    solara.Select(t("Agency"), values=[AGENCY_KEEP, AGENCY_NONE, *ws.scenario.agencies],
                  value=values["agency"], on_value=setter("agency"), disabled=not editable)
    solara.Text(t("Departments trained this round"))
    with solara.Row(style={"flex-wrap": "wrap"}):
        for department in DEPARTMENTS:
            solara.Checkbox(label=department, value=department in values["training_departments"],
                            on_value=toggle(department), disabled=not editable)
    try:
        cost = decision_cost(ws_decision(values), ws.scenario, brand, ws.config.round_days)
        solara.Text(f"{t('Budget used')}: €{cost:,.0f} / €{ws.config.budget_per_round:,.0f}")
    except Exception:  # an incomplete form: the server check on submit gives the reason
        pass
    solara.Button(t("Submit decisions"), on_click=submit, color="primary",
                  disabled=not editable)
    text, kind = message
    if kind == "ok":
        solara.Success(text)
    elif kind == "error":
        solara.Error(text)


def ws_decision(values):
    from simulation.schema import build
    from simulation.workshop.config import Decision

    return build(Decision, values)


@solara.component
def OwnBrand(private, public):
    solara.Markdown(f"### {t('Your brand')}")
    summary = private["summary"]
    if summary is None:
        solara.Text(t("No results yet: the first round has not been released."))
        return
    board = {r["brand"]: r for r in public["leaderboard"]}
    mine = board.get(private["brand"], {})
    cards = [
        (t("Followers"), f"{summary['followers']:,.0f}"),
        (t("Engagements this round"), f"{summary['engagement']:,.0f}"),
        (t("Net sentiment"), f"{summary['sentiment']:+.2f}"),
        (t("Maturity"), f"{summary['maturity']:.2f}"),
        (t("Phase"), PHASE_NAMES[int(summary["phase"])]),
        (t("Score"), f"{mine.get('score', 0):.0f} ({t('Rank')} {mine.get('rank', '-')})"),
    ]
    with solara.Row(style={"flex-wrap": "wrap"}):
        for title, value in cards:
            with solara.Card(title, style={"min-width": "130px"}):
                solara.Text(value, classes=["workshop-card"])
    BrandChart(private, public)
    solara.Markdown(f"#### {t('Event log')}")
    for event in private["events"][-12:][::-1]:
        solara.Text(f"day {event['day']}: {event['text']}", style={"font-size": "0.85em"})


@solara.component
def BrandChart(private, public):
    ws = shared.workshop()
    frame = private["frame"]
    boundaries = [ws.outcomes[n]["last_day"] for n in public["released"]]
    figure = solara.use_memo(
        lambda: brand_figure(frame, boundaries, {"followers": t("Followers"),
                                                 "maturity": t("Maturity"),
                                                 "sentiment": t("Net sentiment")}),
        dependencies=[len(frame), private["brand"]])
    solara.FigureMatplotlib(figure, format="png")


@solara.component
def PublicMarket(public):
    solara.Markdown(f"### {t('The market (public indicators)')}")
    if not public["brands"]:
        solara.Text(t("No results yet: the first round has not been released."))
        return
    rows = ["| brand | team | followers | net sentiment | crises |", "|---|---|---|---|---|"]
    for row in public["brands"]:
        rows.append(f"| {row['brand']} | {_md(row['team'])} | {row['followers']:,.0f} | "
                    f"{row['sentiment']:+.2f} | {row['crises']:.0f} |")
    solara.Markdown("\n".join(rows))
    solara.Markdown(f"#### {t('Leaderboard')}")
    names = {r["brand"]: r["team"] for r in public["brands"]}
    board = ["| # | team | score |", "|---|---|---|"]
    for row in public["leaderboard"]:
        board.append(f"| {row['rank']} | {_md(names.get(row['brand'], row['brand']))} | "
                     f"{row['score']:.0f} |")
    solara.Markdown("\n".join(board))
    if public["news"]:
        solara.Markdown(f"#### {t('Crises in the news')}")
        for item in public["news"][-8:]:
            solara.Text(f"{t('Round')} {item['round']}, day {item['day']}: {item['text']}")


def _md(text: str) -> str:
    """A team name inside a Markdown table: no markup, no HTML."""
    import html

    return html.escape(text).replace("|", "/").replace("*", "").replace("_", " ").replace(
        "[", "(").replace("]", ")").replace("`", "'")
