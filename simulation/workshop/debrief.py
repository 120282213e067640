"""The debrief pack: one self-contained HTML file and its data as CSV.

Rules:
- The HTML file makes no external request: charts are inline SVG (matplotlib, built with
  ``matplotlib.figure.Figure``), styles are inline, the CSV files are also embedded as data
  links. It reads offline on a projector.
- Per team: its decisions round by round beside its outcomes (followers, engagement, sentiment,
  maturity, phase, score and rank), its key moments (phase changes, crises, help desk, budget)
  and charts of its brand against the market.
- The counterfactual re-plays the whole session in the same market with the same seed, with one
  team's decision of one round replaced (no training, no hiring, no sponsorship, no listening
  change, the previous round's strategy, or the starting strategy). The other teams' decisions
  and the incidents are unchanged, so the difference is that decision.
- Market-wide lessons are computed from the session's data and tied to the article's patterns:
  saturation of posting, the perception gap in content, the help-desk trap, crises waking
  executives up.
- The pack speaks the language of the moment (``with language(...)``: the workshop's, or the
  one ``socbiz workshop debrief --lang`` or the console's page chose): headings, lessons, chart
  titles and axis labels, table headers and numbers (``20 000``, ``1,5``, ``60 %`` in French).
  The CSV files keep stable English column names and ids (scripts read them); their meaning is
  in ``data_dictionary.csv`` (every language) and in the pack's own "data dictionary" table.
- The numbers are the market run's own (``model.brand_frame()``), which equal a plain
  ``SocialBusinessModel`` run of the same interventions as a scenario timeline.
"""

from __future__ import annotations

import base64
import html
import io
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from .. import vocabulary
from ..data_dictionary import describe as describe_run_column
from ..i18n import (
    LANGUAGES,
    LazyString,
    _,
    _l,
    current_language,
    format_number,
    format_percent,
    language,
)
from .config import DECISION_FIELDS, Decision, initial_decision
from .market import MarketRun
from .scoring import score_round

CHANGES = {
    "no_training": _l("no training"),
    "no_hiring": _l("no customer-service hiring"),
    "no_sponsorship": _l("no executive sponsorship"),
    "no_listening": _l("no change to listening and social CRM"),
    "previous": _l("the previous round's strategy, no one-off actions"),
    "initial": _l("the starting strategy"),
}
KEY_KINDS = ("phase", "crisis_start", "crisis_escalation", "crisis_response", "crisis_end",
             "help_desk", "budget", "agency", "crisis_injected")


@dataclass(frozen=True)
class Counterfactual:
    brand: str
    round: int
    change: str

    @classmethod
    def parse(cls, text: str, workshop) -> Counterfactual:
        from .engine import WorkshopError

        parts = str(text).split(":")
        if len(parts) != 3:
            raise WorkshopError(_("--counterfactual {text} (expected BRAND:ROUND:CHANGE, e.g. "
                                  "{example})").format(
                text=repr(text), example=f"{workshop.brands[0]}:2:no_training"))
        brand, number, change = parts
        return cls.checked(workshop, brand, number, change)

    @classmethod
    def checked(cls, workshop, brand: Any, number: Any, change: Any) -> Counterfactual:
        from .engine import WorkshopError

        if brand not in workshop.brands:
            raise WorkshopError(_("counterfactual brand {brand} (must be one of {choices})")
                                .format(brand=repr(brand), choices=", ".join(workshop.brands)))
        try:
            number = int(number)
        except (TypeError, ValueError):
            raise WorkshopError(_("counterfactual round {number} (must be a round number)")
                                .format(number=repr(number))) from None
        if number not in workshop.outcomes:
            raise WorkshopError(_("counterfactual round {number} (simulated rounds: {rounds})")
                                .format(number=number, rounds=", ".join(
                                    map(str, sorted(workshop.outcomes))) or _("none")))
        if change not in CHANGES:
            raise WorkshopError(_("counterfactual change {change} (must be one of {choices})")
                                .format(change=repr(change), choices=", ".join(CHANGES)))
        return cls(brand, number, change)

    def describe(self, team: str) -> str:
        return _("the same market, with {team}'s round-{number} decisions replaced by "
                 "{change}").format(team=team, number=self.round, change=CHANGES[self.change])


def replaced_decision(decision: Decision, previous: Decision, start: Decision,
                      change: str) -> Decision:
    if change == "no_training":
        return replace(decision, training_departments=())
    if change == "no_hiring":
        return replace(decision, service_hours=0.0)
    if change == "no_sponsorship":
        return replace(decision, sponsorship=0.0)
    if change == "no_listening":
        return replace(decision, listening_coverage=previous.listening_coverage,
                       crm_integration=previous.crm_integration)
    if change == "previous":
        return previous.carried()
    return start.carried()


def replay(workshop, counterfactual: Counterfactual | None = None) -> MarketRun:
    """The session re-played from its file, with the counterfactual change if given."""
    market = MarketRun(workshop.scenario, workshop.seed, workshop.config.round_days,
                       workshop.brands)
    for number in sorted(workshop.outcomes):
        decisions = workshop.played_decisions(number)
        if counterfactual and number == counterfactual.round:
            b = counterfactual.brand
            decisions[b] = replaced_decision(decisions[b], market.strategies[b],
                                             initial_decision(workshop.scenario, b),
                                             counterfactual.change)
        market.play_round(decisions, workshop.round_incidents(number))
    return market


# --------------------------------------------------------------------------------------------
# Tables


def decision_rows(workshop) -> list[dict[str, Any]]:
    rows = []
    stored = workshop.store.decisions()
    for number in sorted(workshop.outcomes):
        for brand in workshop.brands:
            row = stored.get(number, {}).get(brand)
            if row is None:
                continue
            team = workshop.team_of_brand(brand)
            data = dict(row["data"])
            data["training_departments"] = " ".join(data["training_departments"])
            rows.append({"round": number, "brand": brand, "team": team.name if team else "",
                         "carried": row["carried"], **data})
    return rows


def leaderboard_rows(workshop) -> list[dict[str, Any]]:
    rows = []
    for number, outcome in sorted(workshop.outcomes.items()):
        for row in outcome["leaderboard"]:
            team = workshop.team_of_brand(row["brand"])
            summary = outcome["summary"][row["brand"]]
            rows.append({"round": number, "rank": row["rank"], "brand": row["brand"],
                         "team": team.name if team else "", "score": row["score"],
                         **{k: summary[k] for k in summary}})
    return rows


def _csv(rows: list[dict[str, Any]]) -> str:
    import csv

    if not rows:
        return ""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


# --------------------------------------------------------------------------------------------
# Charts (inline SVG)


def _svg(fig) -> str:
    import matplotlib

    buffer = io.StringIO()
    # Text as <text> elements, not glyph outlines: the chart's words are searchable, read by
    # screen readers, and a few kB lighter (the browser's own sans-serif draws them).
    with matplotlib.rc_context({"svg.fonttype": "none"}):
        fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    text = buffer.getvalue()
    text = re.sub(r"<metadata>.*?</metadata>", "", text[text.find("<svg"):], flags=re.S)
    return text


def line_chart(series: dict[str, tuple[list, list]], title: str, ylabel: str,
               boundaries: list[int], highlight: str | None = None) -> str:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6.4, 2.6), dpi=100)
    ax = fig.add_subplot()
    for name, (x, y) in series.items():
        strong = highlight is None or name == highlight
        ax.plot(x, y, label=name, linewidth=2.2 if strong else 1.0,
                alpha=1.0 if strong else 0.55)
    for day in boundaries:
        ax.axvline(day, color="#999", linewidth=0.6, linestyle=":")
    ax.set_title(title, fontsize=10)
    ax.set_xlabel(_("day"), fontsize=8)
    # Tick labels in the language's number format (20 000 / 20,000; 0,5 / 0.5).
    from matplotlib.ticker import FuncFormatter

    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: format_number(v)))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: format_number(v)))
    ax.set_ylabel(ylabel, fontsize=8)
    ax.tick_params(labelsize=7)
    if len(series) <= 12:
        ax.legend(fontsize=7, ncols=min(4, len(series)), frameon=False)
    return _svg(fig)


# --------------------------------------------------------------------------------------------
# Lessons


def _significant(value: float, figures: int = 3) -> str:
    """``value`` with ``figures`` significant digits, in the language's format (0,0456)."""
    import math

    value = float(value)
    if not math.isfinite(value) or value == 0:
        return format_number(0 if not math.isfinite(value) else value, 0)
    digits = max(0, figures - 1 - math.floor(math.log10(abs(value))))
    return format_number(round(value, digits), digits)


def mix_label(mix: str) -> str:
    return str(vocabulary.label_of(vocabulary.MIX_TERMS, mix))


def departments_label(ids) -> str:
    return ", ".join(str(vocabulary.label_of(vocabulary.DEPARTMENT_TERMS, d)) for d in ids)


def market_lessons(workshop, frame) -> list[tuple[str, str]]:
    """(pattern, what this session showed), computed from the data, in the current language."""
    lessons = []
    brands = list(workshop.brands)
    teams = frame[frame["brand"].isin(brands)]
    by_brand = teams.groupby("brand")
    posts = by_brand["posts"].mean()
    per_post = by_brand["engagement_per_post"].mean()
    if len(posts) >= 2:
        high = posts >= posts.median()
        lessons.append((
            _("Saturation: more posts do not buy more attention"),
            _("Teams posting most (mean {high_posts} posts/day) got {high_engagement} "
              "engagements per post, the others ({low_posts} posts/day) {low_engagement}. "
              "Attention is shared: each extra story competes with every brand's stories in "
              "the same feeds.").format(
                high_posts=format_number(posts[high].mean(), 1),
                high_engagement=_significant(per_post[high].mean()),
                low_posts=format_number(posts[~high].mean(), 1),
                low_engagement=_significant(per_post[~high].mean()))))
    rows = decision_rows(workshop)
    by_mix: dict[str, list[str]] = {}
    last = {}
    for row in rows:
        last[row["brand"]] = row["mix"]
    for brand, mix in last.items():
        by_mix.setdefault(mix, []).append(brand)
    if by_mix:
        final = max(workshop.outcomes)
        summary = workshop.outcomes[final]["summary"]
        parts = [_("{mix}: {brands} (mean engagement {engagement} in the last round)").format(
                     mix=mix_label(mix), brands=", ".join(bs),
                     engagement=format_number(
                         sum(summary[b]["engagement"] for b in bs) / len(bs), 0))
                 for mix, bs in sorted(by_mix.items())]
        lessons.append((
            _("Perception gap: brands post what they believe, customers want discounts"),
            _("Final content mixes: {mixes}. IBM 2011: brands believe customers come to feel "
              "connected; customers say they come for discounts and purchases.").format(
                mixes="; ".join(parts))))
    trapped = sorted(set(teams.loc[teams["help_desk"].astype(bool), "brand"]))
    hired = {b: sum(r["service_hours"] for r in rows if r["brand"] == b) for b in brands}
    hours = ", ".join(f"{b} {format_number(h)}" for b, h in hired.items())
    if trapped:
        text = _("{brands} fell into it (customer service swamped, no proactive time); hours "
                 "hired per day over the session: {hours}.").format(brands=", ".join(trapped),
                                                                   hours=hours)
    else:
        text = _("No team fell into it this session; hours hired per day over the session: "
                 "{hours}.").format(hours=hours)
    lessons.append((_("The help-desk trap"), text))
    woken = []
    for b in brands:
        crises = [e for n in workshop.outcomes for e in workshop.outcomes[n]["events"]
                  if e["brand"] == b and e["kind"] == "crisis_start"]
        if crises:
            day = crises[0]["day"]
            rows_b = teams[teams["brand"] == b].set_index("day")["sponsorship"]
            before = float(rows_b.get(max(0, day - 1), rows_b.iloc[0]))
            after = float(rows_b.iloc[-1])
            woken.append(_("{brand} (crisis day {day}: sponsorship {before} → {after})").format(
                brand=b, day=day, before=format_number(before, 2),
                after=format_number(after, 2)))
    lessons.append((
        _("Crises wake executives up"),
        _("{what}. In the article, a cataclysm is what accelerates awareness at the top.").format(
            what="; ".join(woken) if woken else _("No crisis reached the news this session"))))
    return lessons


# --------------------------------------------------------------------------------------------
# The data dictionary of the pack's CSV files (column names stay English identifiers)


PACK_COLUMNS: dict[str, dict[str, LazyString]] = {
    "decisions": {
        "round": _l("Round number (1 is the first)."),
        "brand": _l("Brand the team steers (as in the scenario)."),
        "team": _l("Team name as typed at join (empty: no team, the brand is on autopilot)."),
        "carried": _l("True if the team did not submit: its previous strategy was played, "
                      "without one-off actions."),
    },
    "leaderboard": {
        "round": _l("Round number (1 is the first)."),
        "rank": _l("Rank of the brand on the scorecard after the round (1 is the best)."),
        "brand": _l("Brand the team steers (as in the scenario)."),
        "team": _l("Team name as typed at join (empty: no team, the brand is on autopilot)."),
        "score": _l("Score of the round on the workshop's scorecard (0-100)."),
        "followers": _l("Followers at the end of the round."),
        "engagement": _l("Engagements during the round."),
        "sentiment": _l("Net sentiment at the end of the round (-1 to 1)."),
        "social_revenue": _l("Social revenue since the start (€)."),
        "cost": _l("Social-media spending since the start (€)."),
        "maturity": _l("Maturity index: mean adoption of the nine departments (0-1)."),
        "crises": _l("Crises since the start."),
        "phase": _l("Maturity phase: 1 experimentation, 2 social marketing, 3 social "
                    "business."),
        "help_desk": _l("1 while customer service is stuck as a help desk, else 0."),
        "sponsorship": _l("Executive sponsorship (0-1)."),
        "crisis_level": _l("Crisis level at the end of the round: 0 none, 1 to 3."),
    },
    "events": {
        "round": _l("Round the event happened in."),
    },
    "counterfactual": {
        "indicator": _l("Indicator compared (a column of leaderboard.csv, or rank)."),
        "actual": _l("Its value at the end of the last round, as played."),
        "counterfactual": _l("Its value in the same market with the chosen decision replaced."),
    },
}


def describe_column(file: str, column: str) -> str:
    """What ``column`` of the pack's ``file``.csv means, in the current language."""
    entry = PACK_COLUMNS.get(file, {}).get(column)
    if entry is not None:
        return str(entry)
    if file == "decisions" and column in DECISION_FIELDS:
        return str(DECISION_FIELDS[column].metadata["help"])
    run_file = {"daily": "timeseries", "events": "events"}.get(file)
    found = describe_run_column(run_file, column) if run_file else None
    return found or ""


def dictionary_csv(csvs: dict[str, str]) -> str:
    """``data_dictionary.csv`` of the pack: file, column, a description in every language."""
    rows = []
    for name, text in csvs.items():
        file = name.removesuffix(".csv")
        header = text.splitlines()[0].split(",") if text else []
        for column in header:
            descriptions = {}
            for lang in LANGUAGES:
                with language(lang):
                    descriptions[f"description_{lang}"] = describe_column(file, column)
            rows.append({"file": name, "column": column, **descriptions})
    return _csv(rows)


# --------------------------------------------------------------------------------------------
# The pack


def build_pack(workshop, counterfactual: Counterfactual | None = None,
               until_round: int | None = None) -> tuple[str, dict[str, str]]:
    """(HTML text, {csv file name: text})."""
    with workshop.lock:
        numbers = sorted(workshop.outcomes)
        if until_round is not None:
            numbers = [n for n in numbers if n <= until_round]
        if not numbers:
            from .engine import WorkshopError

            raise WorkshopError(_("no round has been simulated yet: nothing to debrief"))
        last = numbers[-1]
        last_day = workshop.outcomes[last]["last_day"]
        frame = workshop.frame
        frame = frame[frame["day"] <= last_day]
        frame_teams = frame[frame["brand"].isin(workshop.brands)].reset_index(drop=True)
        decisions = [r for r in decision_rows(workshop) if r["round"] <= last]
        board = [r for r in leaderboard_rows(workshop) if r["round"] <= last]
        events = [{"round": n, **{k: v for k, v in e.items() if k != "index"},
                   "text": workshop.event_text(e)}
                  for n in numbers for e in workshop.outcomes[n]["events"]]
        autopilot = "(" + _("autopilot") + ")"
        teams = {b: (t.name if (t := workshop.team_of_brand(b)) else autopilot)
                 for b in workshop.brands}
        boundaries = [workshop.outcomes[n]["last_day"] for n in numbers]
    cf_market = cf_rows = None
    if counterfactual is not None:
        cf_market = replay(workshop, counterfactual)
        cf_frame = cf_market.model.brand_frame()
        cf_frame = cf_frame[cf_frame["day"] <= last_day]
        cf_summary = cf_market.summary()
        cf_board = score_round(cf_summary, workshop.brands, workshop.config.scorecard)
        actual_summary = workshop.outcomes[last]["summary"][counterfactual.brand]
        cf_rows = []
        for key in ("followers", "engagement", "sentiment", "social_revenue", "cost",
                    "maturity", "crises", "phase"):
            cf_rows.append({"indicator": key, "actual": actual_summary[key],
                            "counterfactual": cf_summary[counterfactual.brand][key]})
        actual_rank = next(r["rank"] for r in workshop.outcomes[last]["leaderboard"]
                           if r["brand"] == counterfactual.brand)
        cf_rank = next(r["rank"] for r in cf_board if r["brand"] == counterfactual.brand)
        cf_rows.append({"indicator": "rank", "actual": actual_rank, "counterfactual": cf_rank})

    csvs = {
        "daily.csv": _csv(frame_teams.to_dict("records")),
        "decisions.csv": _csv(decisions),
        "leaderboard.csv": _csv(board),
        "events.csv": _csv(events),
    }
    if cf_rows is not None:
        csvs["counterfactual.csv"] = _csv(cf_rows)

    csvs["data_dictionary.csv"] = dictionary_csv(csvs)

    e = html.escape
    num = format_number
    title = str(workshop.config.title)  # in the pack's language (str() picks it)
    parts = [f"<h1>{e(title)}</h1>",
             "<p class='meta'>" + e(_(
                 "Debrief after round {number} of {total} · {brands} brands · {days} days per "
                 "round · seed {seed} (one market run, the same random numbers for every team)"
             ).format(number=last, total=workshop.config.rounds, brands=len(workshop.brands),
                      days=workshop.config.round_days, seed=workshop.seed)) + "</p>"]
    # Leaderboard table per round.
    parts.append(f"<h2>{e(_('Leaderboard'))}</h2><table><tr><th>{e(_('round'))}</th>"
                 + "".join(f"<th>{i}</th>" for i in range(1, len(workshop.brands) + 1))
                 + "</tr>")
    for n in numbers:
        cells = "".join(f"<td>{e(teams[r['brand']])}<br><small>{num(r['score'], 0)}</small></td>"
                        for r in workshop.outcomes[n]["leaderboard"])
        parts.append(f"<tr><td>{n}</td>{cells}</tr>")
    parts.append("</table>")
    # Market charts.
    def series(column, brands):
        return {f"{b} ({teams[b]})": (frame_teams.loc[frame_teams['brand'] == b, 'day'].tolist(),
                                      frame_teams.loc[frame_teams['brand'] == b, column].tolist())
                for b in brands}
    parts.append(f"<h2>{e(_('The market'))}</h2><div class='charts'>")
    parts.append(line_chart(series("followers", workshop.brands), _("Followers"), _("people"),
                            boundaries))
    parts.append(line_chart(series("maturity", workshop.brands), _("Maturity index"),
                            _("mean adoption"), boundaries))
    parts.append(line_chart(series("net_sentiment", workshop.brands), _("Net sentiment"), "",
                            boundaries))
    parts.append("</div><h2>" + e(_("Lessons: the article's patterns in this session"))
                 + "</h2><ul>")
    for pattern, text in market_lessons(workshop, frame_teams):
        parts.append(f"<li><b>{e(pattern)}.</b> {e(text)}</li>")
    parts.append("</ul>")
    if counterfactual is not None:
        b = counterfactual.brand
        heading = _("{label}: {value}").format(label=_("Counterfactual"),
                                               value=counterfactual.describe(teams[b]))
        parts.append(f"<h2 id='counterfactual'>{e(heading)}</h2>")
        parts.append(f"<table><tr><th>{e(_('indicator'))}</th><th>{e(_('what happened'))}</th>"
                     f"<th>{e(_('counterfactual'))}</th></tr>")
        for row in cf_rows:
            parts.append(f"<tr><td>{e(indicator_label(row['indicator']))}</td>"
                         f"<td>{_fmt(row['actual'])}</td>"
                         f"<td>{_fmt(row['counterfactual'])}</td></tr>")
        parts.append("</table><div class='charts'>")
        actual = frame_teams[frame_teams["brand"] == b]
        other = cf_frame[cf_frame["brand"] == b]
        for column, title in (("followers", _("Followers")), ("maturity", _("Maturity index"))):
            parts.append(line_chart({_("what happened"): (actual["day"].tolist(),
                                                          actual[column].tolist()),
                                     _("counterfactual"): (other["day"].tolist(),
                                                           other[column].tolist())},
                                    f"{title}: {b}", "", boundaries))
        parts.append("</div>")
    # Per team.
    headers = (_("round"), _("posts/day"), _("mix"), _("push"), _("service hours"),
               _("training"), _("listening / CRM"), _("agency"), _("sponsorship"),
               _("followers"), _("engagement"), _("sentiment"), _("maturity"), _("phase"),
               _("score (rank)"))
    for b in workshop.brands:
        rows = [r for r in decisions if r["brand"] == b]
        parts.append(f"<h2 class='team' id='team-{e(b)}'>"
                     + e(_("{team} — brand {brand}").format(team=teams[b], brand=b)) + "</h2>")
        parts.append(f"<h3>{e(_('Decisions and outcomes'))}</h3><table><tr>"
                     + "".join(f"<th>{e(h)}</th>" for h in headers) + "</tr>")
        for r in rows:
            n = r["round"]
            s = workshop.outcomes[n]["summary"][b]
            rank = next(x for x in workshop.outcomes[n]["leaderboard"] if x["brand"] == b)
            trained = r["training_departments"].split()
            training = (f"{departments_label(trained)} "
                        f"({format_percent(r['training_coverage'], 0)})" if trained else "—")
            carried = f" ({_('carried')})" if r["carried"] else ""
            parts.append(
                f"<tr><td>{n}{e(carried)}</td>"
                f"<td>{num(r['posts_per_day'])}</td><td>{e(mix_label(r['mix']))}</td>"
                f"<td>{format_percent(r['push_share'], 0)}</td>"
                f"<td>{num(r['service_hours'])}</td>"
                f"<td>{e(training)}</td><td>{format_percent(r['listening_coverage'], 0)} / "
                f"{format_percent(r['crm_integration'], 0)}</td>"
                f"<td>{e(agency_label(r['agency']))}</td>"
                f"<td>{num(r['sponsorship'])}</td><td>{num(s['followers'], 0)}</td>"
                f"<td>{num(s['engagement'], 0)}</td><td>{num(s['sentiment'], 2, signed=True)}"
                f"</td><td>{num(s['maturity'], 2)}</td>"
                f"<td>{e(str(vocabulary.PHASES[int(s["phase"])]))}</td>"
                f"<td>{num(rank['score'], 0)} ({rank['rank']})</td></tr>")
        parts.append(f"</table><h3>{e(_('Key moments'))}</h3><ul>")
        moments = [ev for ev in events if ev["brand"] == b and ev["kind"] in KEY_KINDS]
        for ev in moments[:30]:
            parts.append("<li>" + e(_("round {number}, day {day}: {text}").format(
                number=ev["round"], day=ev["day"], text=ev["text"])) + "</li>")
        if not moments:
            parts.append(f"<li>{e(_('No phase change, crisis or help-desk alert.'))}</li>")
        parts.append("</ul><div class='charts'>")
        parts.append(line_chart(series("followers", workshop.brands), _("Followers"),
                                _("people"), boundaries, highlight=f"{b} ({teams[b]})"))
        parts.append(line_chart(series("capacity_use", [b]),
                                _("Customer service: share of time spent answering"), "",
                                boundaries))
        parts.append("</div>")
    parts.append(f"<h2>{e(_('Data'))}</h2><p>" + " · ".join(
        f"<a download='{name}' href='data:text/csv;base64,"
        f"{base64.b64encode(text.encode()).decode()}'>{name}</a>"
        for name, text in csvs.items()) + "</p>")
    parts.append(f"<h3>{e(_('Data dictionary'))}</h3><p class='meta'>"
                 + e(_("Column names stay English identifiers, so scripts keep working; what "
                       "each one means:")) + "</p>"
                 f"<table><tr><th>{e(_('file'))}</th><th>{e(_('column'))}</th>"
                 f"<th>{e(_('meaning'))}</th></tr>")
    for name, text in csvs.items():
        if name == "data_dictionary.csv" or not text:
            continue
        for column in text.splitlines()[0].split(","):
            parts.append(f"<tr><td>{e(name)}</td><td><code>{e(column)}</code></td>"
                         f"<td>{e(describe_column(name.removesuffix('.csv'), column))}</td></tr>")
    parts.append("</table>")
    lang = current_language()
    page = (f"<!DOCTYPE html><html lang='{lang}'><head><meta charset='utf-8'>"
            f"<title>{e(_('Debrief'))} — {e(title)}</title>"
            f"<style>{STYLE}</style></head>"
            "<body>" + "\n".join(parts) + "</body></html>")
    return page, csvs


INDICATORS = {
    "followers": _l("followers"),
    "engagement": _l("engagement"),
    "sentiment": _l("net sentiment"),
    "social_revenue": _l("social revenue"),
    "cost": _l("cost"),
    "maturity": _l("maturity"),
    "crises": _l("crises"),
    "phase": _l("phase"),
    "rank": _l("rank"),
}


def indicator_label(key: str) -> str:
    return str(INDICATORS.get(key, key))


def agency_label(agency: str) -> str:
    from .config import AGENCY_KEEP, AGENCY_NONE

    if agency == AGENCY_KEEP:
        return _("keep the current agency")
    if agency == AGENCY_NONE:
        return _("no agency")
    return agency


def _fmt(value) -> str:
    if isinstance(value, float) and not value.is_integer():
        return _significant(value) if abs(value) < 10 else format_number(value, 0)
    return format_number(value, 0) if isinstance(value, int | float) else str(value)


STYLE = """
body{font-family:system-ui,sans-serif;margin:2em auto;max-width:1100px;color:#222}
h1{font-size:1.6em} h2{border-bottom:2px solid #3a6ea5;padding-bottom:.2em;margin-top:1.6em}
table{border-collapse:collapse;font-size:.85em;margin:.5em 0}
td,th{border:1px solid #ccc;padding:.25em .5em;text-align:left;vertical-align:top}
th{background:#eef3f8} .meta{color:#555} .charts{display:flex;flex-wrap:wrap;gap:.5em}
.charts svg{max-width:540px;height:auto}
"""


def write_pack(workshop, folder: str | Path, counterfactual: Counterfactual | None = None,
               until_round: int | None = None) -> Path:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    page, csvs = build_pack(workshop, counterfactual, until_round)
    path = folder / "debrief.html"
    path.write_text(page, encoding="utf-8")
    for name, text in csvs.items():
        (folder / name).write_text(text, encoding="utf-8")
    return path


def pack_zip(workshop, counterfactual: Counterfactual | None = None,
             until_round: int | None = None) -> bytes:
    import zipfile

    page, csvs = build_pack(workshop, counterfactual, until_round)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("debrief.html", page)
        for name, text in csvs.items():
            archive.writestr(name, text)
    return buffer.getvalue()
