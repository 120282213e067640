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
    # centred, with a margin: a team reads it on a laptop or a phone
    with solara.Column(style={"max-width": "1200px", "width": "100%", "margin": "0 auto",
                              "align-self": "center", "padding": "12px 20px",
                              "box-sizing": "border-box"}):
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
    solara.HTML(tag="h2", unsafe_innerHTML=escape(f"{t('Team')} {team.name} — {t('brand')} "
                                                  f"{team.brand}"))
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
            DecisionForm(token, public["round"], public["status"], public["paused"])
        with solara.Column():
            OwnBrand(private, public)
    PublicMarket(public)


@solara.component_vue("decision_form.vue")
def DecisionFormView(texts: dict, fields: list, selects: list, departments: list, initial: dict,
                     generation: str, disabled: bool, budget: str, errors: dict, saved: str,
                     saved_kind: str, event_change=None, event_submit=None):
    """The form in the browser (decision_form.vue): one widget for the thirty controls."""


def _shown(value) -> str:
    return format_number(value, lang=session_language()).replace("\u202f", " ").replace(
        "\u00a0", " ")


def read_form(values, initial: dict) -> tuple[dict, dict[str, str]]:
    """What the browser sent, as decision data, and the numbers it could not read (name ->
    reason). Only the form's own keys are read; the server validates the decision anyway."""
    data = dict(initial)
    errors: dict[str, str] = {}
    values = values if isinstance(values, dict) else {}
    lang = session_language()
    for name, _label, _step in NUMBER_FIELDS:
        typed = values[name] if name in values else initial[name]
        if not isinstance(typed, str | int | float) or isinstance(typed, bool):
            typed = ""
        try:
            data[name] = parse_number(typed, lang=lang)
        except ValueError as problem:
            with speaking():
                errors[name] = (str(problem) if str(typed).strip()
                                else t(_l("a number is needed")))
    for name in ("mix", "agency"):
        if isinstance(values.get(name), str):
            data[name] = values[name]
    chosen = values.get("training_departments", initial["training_departments"])
    if isinstance(chosen, list) and all(isinstance(d, str) for d in chosen):
        data["training_departments"] = [d for d in DEPARTMENTS if d in chosen] + [
            d for d in chosen if d not in DEPARTMENTS]  # an unknown one: refused on submit
    return data, errors


@solara.component
def DecisionForm(token: str, round_: int, status: str, paused: bool):
    """One widget (decision_form.vue): the browser keeps what is typed, so a keystroke costs
    the server nothing, a change sets one property of it (the budget line), a submission a few
    (the "Saved" line), and locking or opening a round changes two of its properties.

    The server's answer to a change or a submission is written into the widget's properties
    directly, not through the component's state: a state change re-renders the component, and
    Reacton then walks the whole page, setting every property of its widgets again
    (measured: about 25 widgets and 140 properties per answer, most of a submission's server
    CPU). The answer is also kept in a ref, so that a later render (a lock, a release, a
    message) gives the widget the same values, not older ones."""
    ws = shared.workshop()

    def start():
        draft, was_submitted = ws.draft(token)
        saved = ((f"{t('Saved')} ({t('revision')} {ws.revision(token)})", "ok")
                 if was_submitted else ("", ""))
        return draft.as_dict(), saved, _budget_line(ws, token, draft.as_dict())

    initial, first_saved, first_budget = solara.use_memo(start, dependencies=[token, round_])
    # What the server answered last in this round: (round, saved text, kind, budget, errors).
    answer = solara.use_ref(None)

    def current():
        if answer.current is not None and answer.current[0] == round_:
            return answer.current[1:]
        return (*first_saved, first_budget, {})

    saved, kind, budget, errors = current()
    editable = status == "open" and not paused

    def texts():
        number_fields = [dict(name=name, label=field_label(name, label),
                              help=t(DECISION_FIELDS[name].metadata["help"]))
                         for name, label, _step in NUMBER_FIELDS]
        mixes = [dict(id=m, label=t(vocabulary.label_of(vocabulary.MIX_TERMS, m)))
                 for m in DECISION_FIELDS["mix"].metadata["choices"]]
        agencies = [dict(id=a, label=t(label)) for a, label in (
            (AGENCY_KEEP, _l("keep the current agency")), (AGENCY_NONE, _l("no agency")),
            *((a, a) for a in ws.scenario.agencies))]
        selects = [dict(name="mix", label=t("Content mix"), options=mixes),
                   dict(name="agency", label=t("Agency"), options=agencies)]
        departments = [dict(id=d, label=t(vocabulary.label_of(vocabulary.DEPARTMENT_TERMS, d)))
                       for d in DEPARTMENTS]
        words = dict(title=t("Your decisions for this round"), submit=t("Submit decisions"),
                     departments=t("Departments trained this round"))
        return words, number_fields, selects, departments

    words, number_fields, selects, departments = solara.use_memo(texts, dependencies=[])
    shown = solara.use_memo(lambda: {**initial, **{name: _shown(initial[name])
                                                   for name, _label, _step in NUMBER_FIELDS}},
                            dependencies=[token, round_])

    def answer_with(saved, kind, budget, errors):
        answer.current = (round_, saved, kind, budget, errors)
        widget = widget_ref.current
        if widget is None:  # not on screen yet: the next render shows the answer
            return
        with widget.hold_sync():  # one message to the browser
            widget.saved, widget.saved_kind, widget.budget, widget.errors = (
                saved, kind, budget, errors)

    def change(values):
        data, problems = read_form(values, initial)
        saved, kind, budget, _errors = current()
        answer_with(saved, kind, budget if problems else _budget_line(ws, token, data),
                    problems)

    def submit(values):
        data, problems = read_form(values, initial)
        if problems:
            answer_with(tf("{label}: {value}", label=t("Refused"),
                           value="; ".join(problems.values())), "error", current()[2],
                        problems)
            return
        try:
            with speaking():
                ws.submit(token, data)
        except WorkshopError as problem:
            answer_with(tf("{label}: {value}", label=t("Refused"), value=problem), "error",
                        _budget_line(ws, token, data), {})
            return
        answer_with(f"{t('Saved')} ({t('revision')} {ws.revision(token)}, "
                    f"{time.strftime('%H:%M:%S')})", "ok", _budget_line(ws, token, data), {})

    view = DecisionFormView(texts=words, fields=number_fields, selects=selects,
                            departments=departments, initial=shown,
                            generation=f"{token}-{round_}", disabled=not editable,
                            budget=budget, errors=errors, saved=saved, saved_kind=kind,
                            event_change=change, event_submit=submit)
    widget_ref = solara.use_ref(None)

    def remember_widget():
        widget_ref.current = solara.get_widget(view)

    solara.use_effect(remember_widget)  # after every render: the widget this page shows


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
    """The team's brand after its last released round: one HTML block (heading, cards,
    charts, event log), built once per release and language, so a page is a few widgets."""
    ws = shared.workshop()
    lang = session_language()
    html = solara.use_memo(lambda: own_brand_html(ws, private, public),
                           dependencies=[private["brand"], private["released"], lang])
    solara.HTML(tag="div", unsafe_innerHTML=html, classes=["workshop-own-brand"])


def own_brand_html(ws, private, public) -> str:
    head = f"<h3>{escape(t('Your brand'))}</h3>"
    summary = private["summary"]
    if summary is None:
        return head + f"<p>{escape(t('No results yet: the first round has not been released.'))}</p>"
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
        lines = [tf("Day {day}: {text}", day=event["day"], text=ws.event_text(event))
                 for event in private["events"][-12:][::-1]]  # told in this page's language
    cards_html = "".join(
        f'<div class="workshop-card-box" style="display:inline-block;min-width:130px;'
        f'margin:4px;padding:6px 10px;border:1px solid #ddd;border-radius:6px">'
        f'<div style="font-size:0.8em;color:#555">{escape(title)}</div>'
        f'<div class="workshop-card" style="font-size:1.3em">{escape(value)}</div></div>'
        for title, value in cards)
    frame, boundaries = private["frame"], public["boundaries"]
    days = frame["day"].tolist()
    charts = (svg_chart([(t("Followers"), "#3a6ea5", days, frame["followers"].tolist())],
                        t("Followers"), boundaries)
              + svg_chart([(t("Maturity"), "#2a9d8f", days, frame["maturity"].tolist()),
                           (t("Net sentiment"), "#e76f51", days,
                            frame["net_sentiment"].tolist())],
                          f"{t('Maturity')}, {t('Net sentiment')}", boundaries))
    log = "<br>".join(escape(line) for line in lines)
    return (f"{head}<div>{cards_html}</div><div class=\"workshop-charts\">{charts}</div>"
            f"<h4>{escape(t('Event log'))}</h4><div style=\"font-size:0.85em\">{log}</div>")


@solara.component
def PublicMarket(public):
    """Public indicators, leaderboard and news: the same for every page of a language, so
    built once per public change and language and shared by every page."""
    ws = shared.workshop()
    lang = session_language()
    html = ws.shared_memo(("market-html", lang), lambda: public_market_html(ws, public))
    solara.HTML(tag="div", unsafe_innerHTML=html, classes=["workshop-market"])


def _table(header: list[str], rows: list[list[str]]) -> str:
    head = "".join('<th style="padding:2px 10px;border-bottom:1px solid #ddd;text-align:left">'
                   f"{escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(
        '<td style="padding:2px 10px;border-bottom:1px solid #ddd;text-align:left">'
        f"{escape(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f'<table style="border-collapse:collapse"><tr>{head}</tr>{body}</table>'


def public_market_html(ws, public) -> str:
    head = f"<h3>{escape(t('The market (public indicators)'))}</h3>"
    if not public["brands"]:
        return head + f"<p>{escape(t('No results yet: the first round has not been released.'))}</p>"
    with speaking():
        def name(team):
            return team if team != "(autopilot)" else f"({t('autopilot')})"

        market = _table([t("brand"), t("team"), t("followers"), t("net sentiment"), t("crises")],
                        [[row["brand"], name(row["team"]),
                          format_number(row["followers"], 0),
                          format_number(row["sentiment"], 2, signed=True),
                          format_number(row["crises"], 0)] for row in public["brands"]])
        names = {r["brand"]: name(r["team"]) for r in public["brands"]}
        board = _table(["#", t("team"), t("score")],
                       [[str(row["rank"]), names.get(row["brand"], row["brand"]),
                         format_number(row["score"], 0)] for row in public["leaderboard"]])
        news = ""
        if public["news"]:
            lines = [tf("Round {number}, day {day}: {text}", number=item["round"],
                        day=item["day"], text=ws.event_text(item))
                     for item in public["news"][-8:]]
            news = (f"<h4>{escape(t('Crises in the news'))}</h4>"
                    + "<br>".join(escape(line) for line in lines))
    return f"{head}{market}<h4>{escape(t('Leaderboard'))}</h4>{board}{news}"
