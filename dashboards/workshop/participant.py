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
- Cheap when many teams play: a page re-renders only when something participants see changes
  (the workshop's public version) or when its own team acts; its views come from the server's
  shared per-change caches, and its charts are inline SVG (no matplotlib per page).
- The page speaks its session's language (:mod:`dashboards.workshop.texts`): browser language
  by default, the EN | FR switch to change it.
"""

from __future__ import annotations

import time
from html import escape

import solara

from simulation import vocabulary
from simulation.config import DEPARTMENTS
from simulation.i18n import _l, format_currency, format_number, parse_integer, parse_number
from simulation.workshop.config import AGENCY_KEEP, AGENCY_NONE, DECISION_FIELDS, decision_cost
from simulation.workshop.engine import WorkshopError

from . import shared
from .charts import svg_chart
from .texts import (
    LabelledSelect,
    LanguageSwitch,
    phase_label,
    session_language,
    speaking,
    t,
    tf,
    use_page_language,
)

NUMBER_FIELDS = (
    ("posts_per_day", _l("Posts per day"), 0.5),
    ("push_share", _l("Push share"), 0.05),
    ("service_hours", _l("Customer-service hours hired per day"), 1),
    ("training_coverage", _l("Training coverage"), 0.05),
    ("listening_coverage", _l("Listening coverage"), 0.05),
    ("crm_integration", _l("Social CRM integration"), 0.05),
    ("sponsorship", _l("Executive sponsorship"), 0.1),
)


def field_label(name: str, label: str) -> str:
    meta = DECISION_FIELDS[name].metadata
    unit = f"{t(meta['unit'])}, " if meta["unit"] else ""
    return f"{t(label)} ({unit}{format_number(meta['lo'])}–{format_number(meta['hi'])})"


@solara.component
def Participant():
    ws = shared.workshop()
    params = shared.query()
    router = solara.use_router()
    version = shared.use_version(public=True)
    token = params.get("team", "")
    use_page_language(params.get("lang"), participant=True)
    team = ws.team(token) if token else None
    with solara.Column(style={"max-width": "1200px", "margin": "0 auto"}):
        LanguageSwitch(params)
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
            with speaking():
                team = ws.join(code, name)
        except WorkshopError as problem:
            set_error(str(problem))
            return
        router.push(f"/?team={team.token}")

    solara.Markdown("## " + tf("{label}: {value}", label=t("Join the workshop"),
                               value=t(ws.config.title)))
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
    solara.Markdown(f"## {t('Team')} {_md(team.name)} — {t('brand')} {team.brand}")
    solara.Text(tf("Round {number} of {total}: {status}", number=public["round"],
                   total=public["total_rounds"], status=status), classes=["workshop-round"])
    if public["paused"]:
        solara.Warning(t("Paused by the facilitator"))
    if brief is not None and public["status"] in ("open", "locked"):
        solara.Info(tf("{label}: {value}", label=t(brief.title), value=t(brief.brief)))
    for message in public["messages"][-3:]:
        solara.Info(tf("{label}: {value}", label=t("Messages"), value=message))
    with solara.Columns([5, 7]):
        with solara.Column():
            DecisionForm(token, public["round"], public["status"], public["paused"]).key(
                f"form-{public['round']}-{public['status']}")
        with solara.Column():
            OwnBrand(private, public)
    PublicMarket(public)


@solara.component
def DecisionForm(token: str, round_: int, status: str, paused: bool):
    """The form is uncontrolled: typed values go to a ref, not to the form's state, so a
    keystroke or a submission re-renders only the budget line or the "Saved" line, not the
    thirty widgets of the form (a cheap submission path with many teams at once)."""
    ws = shared.workshop()

    def start():
        draft, was_submitted = ws.draft(token)
        saved = ((f"{t('Saved')} ({t('revision')} {ws.revision(token)})", "ok")
                 if was_submitted else ("", ""))
        return draft.as_dict(), saved

    initial, saved = solara.use_memo(start, dependencies=[token, round_, status])
    values = solara.use_ref(dict(initial))
    message = solara.use_reactive(saved)
    budget_line = solara.use_reactive(_budget_line(ws, token, initial))
    editable = status == "open" and not paused

    def store(name, value):
        values.current = {**values.current, name: value}
        budget_line.value = _budget_line(ws, token, values.current)

    def setter(name):
        return lambda value: store(name, value)

    def toggle(department):
        def set_checked(checked):
            chosen = [d for d in values.current["training_departments"] if d != department]
            if checked:
                chosen.append(department)
            store("training_departments", chosen)
        return set_checked

    def submit():
        try:
            with speaking():
                ws.submit(token, values.current)
        except WorkshopError as problem:
            message.value = (tf("{label}: {value}", label=t("Refused"), value=problem), "error")
            return
        message.value = (f"{t('Saved')} ({t('revision')} {ws.revision(token)}, "
                         f"{time.strftime('%H:%M:%S')})", "ok")

    solara.Markdown(f"### {t('Your decisions for this round')}")
    for name, label, _step in NUMBER_FIELDS:
        NumberBox(field_label(name, label), initial[name], setter(name), not editable)
        solara.Text(t(DECISION_FIELDS[name].metadata["help"]),
                    style={"font-size": "0.75em", "color": "#666"})
    mixes = [(m, vocabulary.label_of(vocabulary.MIX_TERMS, m))
             for m in DECISION_FIELDS["mix"].metadata["choices"]]
    LabelledSelect(t("Content mix"), mixes, initial["mix"], setter("mix"),
                   disabled=not editable)
    agencies = [(AGENCY_KEEP, _l("keep the current agency")), (AGENCY_NONE, _l("no agency")),
                *((a, a) for a in ws.scenario.agencies)]
    LabelledSelect(t("Agency"), agencies, initial["agency"], setter("agency"),
                   disabled=not editable)
    solara.Text(t("Departments trained this round"))
    with solara.Row(style={"flex-wrap": "wrap"}):
        for department in DEPARTMENTS:
            solara.Checkbox(label=t(vocabulary.label_of(vocabulary.DEPARTMENT_TERMS,
                                                        department)),
                            value=department in initial["training_departments"],
                            on_value=toggle(department), disabled=not editable)
    Line(budget_line)
    solara.Button(t("Submit decisions"), on_click=submit, color="primary",
                  disabled=not editable)
    SaveStatus(message)


@solara.component
def NumberBox(label: str, initial: float, on_value, disabled: bool = False,
              whole: bool = False):
    """A number typed the French or the English way (``1,5``, ``20 000``, ``1.5``).

    What is typed is read with simulation.i18n.parse_number (parse_integer if ``whole``); a
    text that is not a number shows why under the box and is not sent (the server validates
    the range on submit)."""
    lang = session_language()
    text, set_text = solara.use_state(format_number(initial, lang=lang).replace(
        "\u202f", " ").replace("\u00a0", " "))
    error, set_error = solara.use_state("")

    def typed(value: str):
        set_text(value)
        try:
            number = (parse_integer if whole else parse_number)(value, lang=lang)
        except ValueError as problem:
            with speaking():
                set_error(str(problem) if str(value).strip() else t(_l("a number is needed")))
            return
        set_error("")
        on_value(number)

    solara.InputText(label, value=text, on_value=typed, continuous_update=True,
                     disabled=disabled, error=error or False)


@solara.component
def Line(text):
    if text.value:
        solara.Text(text.value)


@solara.component
def SaveStatus(message):
    text, kind = message.value
    if kind == "ok":
        solara.Success(text)
    elif kind == "error":
        solara.Error(text)


def _budget_line(ws, token, values) -> str:
    try:
        cost = decision_cost(ws_decision(values), ws.scenario, ws.brand_of(token),
                             ws.config.round_days)
    except Exception:  # an incomplete form: the server check on submit gives the reason
        return ""
    with speaking():
        used = format_currency(cost, digits=0)
        budget = format_currency(ws.config.budget_per_round, digits=0)
    return tf("{label}: {value}", label=t("Budget used"), value=f"{used} / {budget}")


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
    with speaking():
        cards = [
            (t("Followers"), format_number(summary["followers"], 0)),
            (t("Engagements this round"), format_number(summary["engagement"], 0)),
            (t("Net sentiment"), format_number(summary["sentiment"], 2, signed=True)),
            (t("Maturity"), format_number(summary["maturity"], 2)),
            (t("Phase"), phase_label(summary["phase"])),
            (t("Score"), f"{format_number(mine.get('score', 0), 0)} "
                         f"({t('Rank')} {mine.get('rank', '-')})"),
        ]
    # One HTML block for the cards and one for the log: a page after a release is a few
    # widgets, not fifty (each widget costs the server a render and a message).
    solara.HTML(tag="div", unsafe_innerHTML="".join(
        f'<div class="workshop-card-box" style="display:inline-block;min-width:130px;'
        f'margin:4px;padding:6px 10px;border:1px solid #ddd;border-radius:6px">'
        f'<div style="font-size:0.8em;color:#555">{escape(title)}</div>'
        f'<div class="workshop-card" style="font-size:1.3em">{escape(value)}</div></div>'
        for title, value in cards))
    BrandChart(private, public)
    solara.Markdown(f"#### {t('Event log')}")
    ws = shared.workshop()
    with speaking():  # the events told again in this page's language
        lines = [tf("Day {day}: {text}", day=event["day"], text=ws.event_text(event))
                 for event in private["events"][-12:][::-1]]
    solara.HTML(tag="div", unsafe_innerHTML="<br>".join(escape(line) for line in lines),
                style={"font-size": "0.85em"})


@solara.component
def BrandChart(private, public):
    frame = private["frame"]
    boundaries = public["boundaries"]
    lang = t("Followers")  # the charts' words follow the page's language

    def charts():
        days = frame["day"].tolist()
        followers = svg_chart([(t("Followers"), "#3a6ea5", days, frame["followers"].tolist())],
                              t("Followers"), boundaries)
        adoption = svg_chart([(t("Maturity"), "#2a9d8f", days, frame["maturity"].tolist()),
                              (t("Net sentiment"), "#e76f51", days,
                               frame["net_sentiment"].tolist())],
                             f"{t('Maturity')}, {t('Net sentiment')}", boundaries)
        return followers + adoption

    svg = solara.use_memo(charts, dependencies=[len(frame), private["brand"], lang])
    solara.HTML(tag="div", unsafe_innerHTML=svg, classes=["workshop-charts"])


@solara.component
def PublicMarket(public):
    solara.Markdown(f"### {t('The market (public indicators)')}")
    if not public["brands"]:
        solara.Text(t("No results yet: the first round has not been released."))
        return
    with speaking():
        rows = [f"| {t('brand')} | {t('team')} | {t('followers')} | {t('net sentiment')} | "
                f"{t('crises')} |", "|---|---|---|---|---|"]
        for row in public["brands"]:
            team = row["team"] if row["team"] != "(autopilot)" else f"({t('autopilot')})"
            rows.append(f"| {row['brand']} | {_md(team)} | "
                        f"{format_number(row['followers'], 0)} | "
                        f"{format_number(row['sentiment'], 2, signed=True)} | "
                        f"{format_number(row['crises'], 0)} |")
        solara.Markdown("\n".join(rows))
        solara.Markdown(f"#### {t('Leaderboard')}")
        names = {r["brand"]: (r["team"] if r["team"] != "(autopilot)" else
                              f"({t('autopilot')})") for r in public["brands"]}
        board = [f"| # | {t('team')} | {t('score')} |", "|---|---|---|"]
        for row in public["leaderboard"]:
            board.append(f"| {row['rank']} | {_md(names.get(row['brand'], row['brand']))} | "
                         f"{format_number(row['score'], 0)} |")
        solara.Markdown("\n".join(board))
    if public["news"]:
        solara.Markdown(f"#### {t('Crises in the news')}")
        ws = shared.workshop()
        with speaking():
            lines = [tf("Round {number}, day {day}: {text}", number=item["round"],
                        day=item["day"], text=ws.event_text(item))
                     for item in public["news"][-8:]]
        solara.HTML(tag="div", unsafe_innerHTML="<br>".join(escape(line) for line in lines))


def _md(text: str) -> str:
    """A team name inside a Markdown table: no markup, no HTML."""
    import html

    return html.escape(text).replace("|", "/").replace("*", "").replace("_", " ").replace(
        "[", "(").replace("]", ")").replace("`", "'")
