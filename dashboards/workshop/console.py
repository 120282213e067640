"""The facilitator console and the projector view, both behind the facilitator token.

Rules:
- ``/console?token=T`` and ``/projector?token=T`` render nothing of the workshop unless ``T``
  is the facilitator token printed at start (compared in constant time); a participant's team
  token does not open them.
- The console shows who joined and who submitted, and drives the round (lock, unlock, simulate,
  release, undo), incidents, broadcasts, pause, team removal and reassignment, the debrief pack
  (with a same-seed counterfactual) and the join details (URL, room code, QR code).
- The projector view is what the room sees: round, leaderboard, market-wide charts, the round's
  key events; before the first round, the join details in large print.
- Cheap while teams submit: the console's heavy parts (results, charts, debrief) follow only
  the changes participants see; the round controls follow the round's state only; the teams
  panel follows every change (joins, submissions), at most once per 0.3 s, so forty
  submissions within a second re-render one small component a few times, not the page forty
  times.
- Both pages speak the workshop's language (``--lang``, or the workshop file's), or the one
  chosen with the page's EN | FR switch.
"""

from __future__ import annotations

import solara

from simulation import vocabulary
from simulation.i18n import _l, format_number
from simulation.workshop.debrief import CHANGES, Counterfactual, build_pack
from simulation.workshop.engine import WorkshopError

from . import shared
from .charts import market_svg
from .participant import NumberBox
from .texts import (
    LabelledSelect,
    LanguageSwitch,
    phase_label,
    speaking,
    t,
    tf,
    use_page_language,
)

# The incident kinds of the console, labelled with the vocabulary's words (the intervention
# each one is in the model: a crisis, a change of the platform's reach).
INCIDENT_KINDS = (
    ("crisis", vocabulary.INTERVENTION_TERMS["crisis"].label),
    ("platform", vocabulary.INTERVENTION_TERMS["reach"].label),
    ("contest", _l("Competitor's viral contest")),
)
# The team list shows a submission at most this late: a burst of submissions re-renders it a
# few times, not once per team (dashboards.workshop.shared.use_version).
TEAMS_COALESCE_SECONDS = 0.3
KEY_KINDS = ("phase", "crisis_start", "crisis_injected", "help_desk", "budget", "agency")
INCIDENT_HELP = {
    "crisis": _l("A crisis for one brand or for every brand, on the day of the round you pick."),
    "platform": _l("The platform changes organic reach: brand stories get this factor times the "
                   "attention they had, from this round on (0.7 for a third less, roughly)."),
    "contest": _l("A competitor outside the market runs a viral contest: attention to brand "
                  "stories times this factor, for this round only."),
}


def qr_png(url: str) -> bytes:
    import io

    import segno

    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="png", scale=6, border=2)
    return buffer.getvalue()


@solara.component
def Refused():
    solara.Error(t("Access refused: this page needs the facilitator's link."))


@solara.component
def JoinDetails(large: bool = False):
    ws = shared.workshop()
    url = shared.join_url()
    png = solara.use_memo(lambda: qr_png(url) if url else b"", dependencies=[url])
    size = "2.2em" if large else "1.1em"
    with solara.Row():
        if png:
            solara.Image(png, width="220px" if large else "140px")
        with solara.Column():
            solara.Text(f"{t('Participants join at')} {url}", style={"font-size": size})
            solara.Text(tf("{label}: {value}", label=t("Room code"), value=ws.room),
                        style={"font-size": size, "font-weight": "bold"},
                        classes=["workshop-room"])


@solara.component
def Console():
    ws = shared.workshop()
    params = shared.query()
    use_page_language(params.get("lang"), participant=False)
    version = shared.use_version(public=True)
    message, set_message = solara.use_state(("", ""))
    if not ws.check_facilitator(params.get("token", "")):
        Refused()
        return
    view = ws.console_view()

    def act(action, *args):
        def run():
            try:
                with speaking():
                    result = action(*args)
            except WorkshopError as problem:
                set_message((str(problem), "error"))
                return
            set_message((_done(action.__name__, result), "ok"))
        return run

    LanguageSwitch(params)
    solara.Markdown("## " + tf("{label}: {value}", label=t("Facilitator console"),
                               value=t(ws.config.title)))
    JoinDetails()
    token = params.get("token", "")
    solara.Button(t("Projector view"), href=f"/projector?token={token}", target="_blank",
                  text=True)
    RoundControls(act)
    text, kind = message
    if kind == "ok":
        solara.Success(text)
    elif kind == "error":
        solara.Error(text)
    with solara.Columns([6, 6]):
        with solara.Column():
            TeamsPanel(act)
            IncidentPanel(view, act)
            BroadcastPanel(act)
        with solara.Column():
            Results(view)
            DebriefPanel(view)
    _ = version


def _round_state():
    """What the round controls show: (round, status, paused, simulating, any round played)."""
    ws = shared.workshop()
    with ws.lock:
        return ws.round, ws.status, ws.paused, ws.simulating, bool(ws.outcomes)


@solara.component
def RoundControls(act):
    """Status line and round buttons: they follow the round's state (lock, simulation,
    release, pause, undo), not the teams' submissions, which re-render only the team list."""
    ws = shared.workshop()
    number, status, paused, simulating, played = shared.use_watched(_round_state)
    line = tf("Round {number} of {total}: {status}", number=number,
              total=ws.config.rounds, status=t(status))
    if paused:
        line += f" — {t('Paused by the facilitator')}"
    if simulating:
        line += f" — {t('Being simulated…')}"
    solara.Text(line, classes=["console-status"])
    with solara.Row(style={"flex-wrap": "wrap"}):
        solara.Button(t("Lock"), on_click=act(ws.lock_round), disabled=status != "open")
        solara.Button(t("Unlock"), on_click=act(ws.unlock_round), disabled=status != "locked")
        solara.Button(t("Simulate"), on_click=act(ws.simulate), color="primary",
                      disabled=status not in ("open", "locked"))
        solara.Button(t("Release results"), on_click=act(ws.release), color="primary",
                      disabled=status != "simulated")
        solara.Button(t("Undo last round"), on_click=act(ws.undo), disabled=not played)
        solara.Button(t("Resume") if paused else t("Pause"),
                      on_click=act(ws.set_paused, not paused))


def _done(name: str, result) -> str:
    if name == "simulate":
        with speaking():
            seconds = format_number(result.get("seconds", 0), 1)
        return f"{t('Round simulated in')} {seconds} s"
    if name == "undo":
        return f"{t('Round')} {result}: {t('open')}"
    return "OK"


@solara.component
def TeamsPanel(act):
    """Who joined and who submitted: follows every change (coalesced over
    TEAMS_COALESCE_SECONDS), so it is one HTML block (a re-render sets one widget, not forty
    rows of buttons)."""
    from html import escape

    ws = shared.workshop()
    shared.use_version(coalesce=TEAMS_COALESCE_SECONDS)
    view = ws.console_view()
    solara.Markdown(f"### {t('Teams')}")
    lines = []
    for row in view["teams"]:
        mark = t("submitted") if row["submitted"] else t("waiting")
        team = row["team"] or "(" + t("autopilot") + ")"
        lines.append(f'<div class="console-team">'
                     f'{escape(tf("{label}: {value}", label=row["brand"], value=f"{team} — {mark}"))}'
                     f"</div>")
    solara.HTML(tag="div", unsafe_innerHTML="".join(lines))
    TeamActions(act)


def _roster():
    ws = shared.workshop()
    with ws.lock:
        return (tuple((b, tm.name if (tm := ws.team_of_brand(b)) else "") for b in ws.brands),
                bool(ws.outcomes))


@solara.component
def TeamActions(act):
    """Remove a team, or move it to a free brand (before round 1): follows the roster only."""
    ws = shared.workshop()
    roster, played = shared.use_watched(_roster)
    free = [b for b, name in roster if not name]
    for brand, name in roster:
        if not name:
            continue
        with solara.Row(classes=["console-team-actions"]):
            solara.Text(tf("{label}: {value}", label=brand, value=name),
                        style={"font-size": "0.85em"})
            solara.Button(t("Remove"), on_click=act(ws.remove_team, brand), small=True,
                          text=True)
            if not played:
                for other in free[:3]:
                    solara.Button(f"{t('Move to')} {other}", small=True, text=True,
                                  on_click=act(ws.reassign, brand, other))


@solara.component
def IncidentPanel(view, act):
    ws = shared.workshop()
    kind, set_kind = solara.use_state("crisis")
    target, set_target = solara.use_state("*")
    cause, set_cause = solara.use_state("employee_video")
    factor, set_factor = solara.use_state(0.7)
    day, set_day = solara.use_state(1)
    solara.Markdown(f"### {t('Incident')}")
    LabelledSelect(t("Kind"), INCIDENT_KINDS, kind, set_kind)
    solara.Text(t(INCIDENT_HELP[kind]), style={"font-size": "0.8em", "color": "#666"})
    if kind == "crisis":
        LabelledSelect(t("Target"), [("*", _l("all brands")), *((b, b) for b in ws.brands)],
                       target, set_target)
        LabelledSelect(t("Cause"), [(c, term.label) for c, term in
                                    vocabulary.CRISIS_CAUSE_TERMS.items()], cause, set_cause)
    else:
        NumberBox(t("Factor"), factor, set_factor)  # 0,7 or 0.7
    NumberBox(t("Day of the round"), day, set_day, whole=True)
    data = {"kind": kind, "brand": target, "cause": cause, "factor": factor,
            "day_in_round": day}
    solara.Button(t("Add incident"), on_click=act(ws.add_incident, data))
    for text in view["incidents"]:
        solara.Text(f"• {text}")


@solara.component
def BroadcastPanel(act):
    ws = shared.workshop()
    text, set_text = solara.use_state("")
    solara.Markdown(f"### {t('Broadcast')}")
    solara.InputText(t("Message to every team"), value=text, on_value=set_text,
                     continuous_update=True)
    solara.Button(t("Send"), on_click=act(ws.broadcast, text))


@solara.component
def Results(view):
    ws = shared.workshop()
    if not view["outcomes"]:
        return
    last = max(view["outcomes"])
    outcome = view["outcomes"][last]
    solara.Markdown(f"### {t('Leaderboard')} — {t('Round')} {last} ({t(outcome['status'])})")
    Leaderboard(outcome)
    MarketCharts(last)
    KeyEvents(outcome)
    _ = ws


@solara.component
def Leaderboard(outcome, large: bool = False):
    ws = shared.workshop()
    rows = [f"| # | {t('team')} | {t('brand')} | {t('score')} | {t('followers')} | "
            f"{t('phase')} |", "|---|---|---|---|---|---|"]
    with speaking():
        for row in outcome["leaderboard"]:
            team = ws.team_of_brand(row["brand"])
            name = team.name if team else t("autopilot")
            s = outcome["summary"][row["brand"]]
            rows.append(f"| {row['rank']} | {_md(name)} | {row['brand']} | "
                        f"{format_number(row['score'], 0)} | "
                        f"{format_number(s['followers'], 0)} | {phase_label(s['phase'])} |")
    solara.Markdown("\n".join(rows), style={"font-size": "1.6em"} if large else None)


@solara.component
def MarketCharts(last: int):
    ws = shared.workshop()
    last_day = ws.outcomes[last]["last_day"]
    names = {b: (tm.name if (tm := ws.team_of_brand(b)) else b) for b in ws.brands}
    boundaries = [ws.outcomes[n]["last_day"] for n in sorted(ws.outcomes)]

    def figures():
        frame = ws.frame
        frame = frame[frame["day"] <= last_day]
        with speaking():  # tick labels in the page's number format
            return (market_svg(frame, ws.brands, names, "followers", t("Followers"),
                               boundaries)
                    + market_svg(frame, ws.brands, names, "maturity", t("Maturity"),
                                 boundaries))

    svg = solara.use_memo(figures, dependencies=[last, last_day, tuple(names.values()),
                                                 t("Followers")])
    solara.HTML(tag="div", unsafe_innerHTML=svg, classes=["workshop-market-charts"])


@solara.component
def KeyEvents(outcome):
    solara.Markdown(f"#### {t('Key events of the round')}")
    ws = shared.workshop()
    events = [e for e in outcome["events"] if e["kind"] in KEY_KINDS]
    for e in events[:15]:
        with speaking():  # told again in this page's language
            text = ws.event_text(e)
        solara.Text(tf("Day {day}: {text}", day=e["day"], text=text),
                    style={"font-size": "0.9em"})


@solara.component
def DebriefPanel(view):
    ws = shared.workshop()
    brand, set_brand = solara.use_state(ws.brands[0])
    number, set_number = solara.use_state(1)
    change, set_change = solara.use_state("(none)")
    if not view["outcomes"]:
        return
    if number not in view["outcomes"]:
        number = min(view["outcomes"])
    solara.Markdown(f"### {t('Debrief pack')}")
    teams = [(b, f"{tm.name} ({b})" if (tm := ws.team_of_brand(b)) else
              f"({t('autopilot')}) {b}") for b in ws.brands]
    LabelledSelect(t("team"), teams, brand, set_brand)
    solara.Select(t("Round"), values=[str(n) for n in sorted(view["outcomes"])],
                  value=str(number), on_value=lambda v: set_number(int(v)))
    LabelledSelect(t("Counterfactual"), [("(none)", _l("none")), *CHANGES.items()], change,
                   set_change)

    def data():
        with speaking():  # the pack in the console's language
            cf = (None if change == "(none)" else
                  Counterfactual.checked(ws, brand, number, change))
            page, _csvs = build_pack(ws, cf)
        return page.encode("utf-8")

    solara.FileDownload(data, filename="debrief.html", label=t("Download the debrief pack"),
                        mime_type="text/html")


@solara.component
def Projector():
    ws = shared.workshop()
    params = shared.query()
    use_page_language(params.get("lang"), participant=False)
    version = shared.use_version(public=True)
    if not ws.check_facilitator(params.get("token", "")):
        Refused()
        return
    public = ws.public_view()
    LanguageSwitch(params)
    solara.Markdown(f"# {t(ws.config.title)}")
    solara.Text(tf("Round {number} of {total}: {status}", number=public["round"],
                   total=public["total_rounds"], status=t(public["status"])),
                style={"font-size": "1.8em"})
    if not public["released"]:
        JoinDetails(large=True)
        return
    last = public["released"][-1]
    Leaderboard(ws.outcomes[last], large=True)
    MarketCharts(last)
    KeyEvents(ws.outcomes[last])
    _ = version


def _md(text: str) -> str:
    import html

    return html.escape(text).replace("|", "/").replace("*", "").replace("_", " ").replace(
        "[", "(").replace("]", ")").replace("`", "'")
