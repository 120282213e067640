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

from ..metrics import PHASE_NAMES
from .config import Decision, initial_decision
from .market import MarketRun
from .scoring import score_round

CHANGES = {
    "no_training": "no training",
    "no_hiring": "no customer-service hiring",
    "no_sponsorship": "no executive sponsorship",
    "no_listening": "no change to listening and social CRM",
    "previous": "the previous round's strategy, no one-off actions",
    "initial": "the starting strategy",
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
            raise WorkshopError(f"--counterfactual {text!r} (expected BRAND:ROUND:CHANGE, e.g. "
                                f"{workshop.brands[0]}:2:no_training)")
        brand, number, change = parts
        return cls.checked(workshop, brand, number, change)

    @classmethod
    def checked(cls, workshop, brand: Any, number: Any, change: Any) -> Counterfactual:
        from .engine import WorkshopError

        if brand not in workshop.brands:
            raise WorkshopError(f"counterfactual brand {brand!r} (must be one of "
                                + ", ".join(workshop.brands) + ")")
        try:
            number = int(number)
        except (TypeError, ValueError):
            raise WorkshopError(f"counterfactual round {number!r} (must be a round number)"
                                ) from None
        if number not in workshop.outcomes:
            raise WorkshopError(f"counterfactual round {number} (simulated rounds: "
                                + (", ".join(map(str, sorted(workshop.outcomes))) or "none")
                                + ")")
        if change not in CHANGES:
            raise WorkshopError(f"counterfactual change {change!r} (must be one of "
                                + ", ".join(CHANGES) + ")")
        return cls(brand, number, change)

    def describe(self, team: str) -> str:
        return (f"the same market, with {team}'s round-{self.round} decisions replaced by "
                f"{CHANGES[self.change]}")


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
    buffer = io.StringIO()
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
    ax.set_xlabel("day", fontsize=8)
    ax.set_ylabel(ylabel, fontsize=8)
    ax.tick_params(labelsize=7)
    if len(series) <= 12:
        ax.legend(fontsize=7, ncols=min(4, len(series)), frameon=False)
    return _svg(fig)


# --------------------------------------------------------------------------------------------
# Lessons


def market_lessons(workshop, frame) -> list[tuple[str, str]]:
    """(pattern, what this session showed), computed from the data."""
    lessons = []
    brands = list(workshop.brands)
    teams = frame[frame["brand"].isin(brands)]
    by_brand = teams.groupby("brand")
    posts = by_brand["posts"].mean()
    per_post = by_brand["engagement_per_post"].mean()
    if len(posts) >= 2:
        high = posts >= posts.median()
        lessons.append((
            "Saturation: more posts do not buy more attention",
            f"Teams posting most (mean {posts[high].mean():.1f} posts/day) got "
            f"{per_post[high].mean():.3g} engagements per post, the others "
            f"({posts[~high].mean():.1f} posts/day) {per_post[~high].mean():.3g}. Attention is "
            "shared: each extra story competes with every brand's stories in the same feeds."))
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
        parts = [f"{mix}: {', '.join(bs)} (mean engagement "
                 f"{sum(summary[b]['engagement'] for b in bs) / len(bs):,.0f} in the last round)"
                 for mix, bs in sorted(by_mix.items())]
        lessons.append((
            "Perception gap: brands post what they believe, customers want discounts",
            "Final content mixes: " + "; ".join(parts) + ". IBM 2011: brands believe customers "
            "come to feel connected; customers say they come for discounts and purchases."))
    trapped = sorted(set(teams.loc[teams["help_desk"].astype(bool), "brand"]))
    hired = {b: sum(r["service_hours"] for r in rows if r["brand"] == b) for b in brands}
    lessons.append((
        "The help-desk trap",
        (f"{', '.join(trapped)} fell into it (customer service swamped, no proactive time); "
         if trapped else "No team fell into it this session; ")
        + "hours hired per day over the session: "
        + ", ".join(f"{b} {h:g}" for b, h in hired.items()) + "."))
    woken = []
    for b in brands:
        crises = [e for n in workshop.outcomes for e in workshop.outcomes[n]["events"]
                  if e["brand"] == b and e["kind"] == "crisis_start"]
        if crises:
            day = crises[0]["day"]
            rows_b = teams[teams["brand"] == b].set_index("day")["sponsorship"]
            before = float(rows_b.get(max(0, day - 1), rows_b.iloc[0]))
            after = float(rows_b.iloc[-1])
            woken.append(f"{b} (crisis day {day}: sponsorship {before:.2f} → {after:.2f})")
    lessons.append((
        "Crises wake executives up",
        ("; ".join(woken) if woken else "No crisis reached the news this session")
        + ". In the article, a cataclysm is what accelerates awareness at the top."))
    return lessons


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

            raise WorkshopError("no round has been simulated yet: nothing to debrief")
        last = numbers[-1]
        last_day = workshop.outcomes[last]["last_day"]
        frame = workshop.frame
        frame = frame[frame["day"] <= last_day]
        frame_teams = frame[frame["brand"].isin(workshop.brands)].reset_index(drop=True)
        decisions = [r for r in decision_rows(workshop) if r["round"] <= last]
        board = [r for r in leaderboard_rows(workshop) if r["round"] <= last]
        events = [dict(round=n, **e) for n in numbers for e in workshop.outcomes[n]["events"]]
        teams = {b: (t.name if (t := workshop.team_of_brand(b)) else "(autopilot)")
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

    e = html.escape
    parts = [f"<h1>{e(workshop.config.title)}</h1>",
             f"<p class='meta'>Debrief after round {last} of {workshop.config.rounds} · "
             f"{len(workshop.brands)} brands · {workshop.config.round_days} days per round · "
             f"seed {workshop.seed} (one market run, the same random numbers for every team)"
             "</p>"]
    # Leaderboard table per round.
    parts.append("<h2>Leaderboard</h2><table><tr><th>round</th>"
                 + "".join(f"<th>{i}</th>" for i in range(1, len(workshop.brands) + 1))
                 + "</tr>")
    for n in numbers:
        cells = "".join(f"<td>{e(teams[r['brand']])}<br><small>{r['score']:.0f}</small></td>"
                        for r in workshop.outcomes[n]["leaderboard"])
        parts.append(f"<tr><td>{n}</td>{cells}</tr>")
    parts.append("</table>")
    # Market charts.
    def series(column, brands):
        return {f"{b} ({teams[b]})": (frame_teams.loc[frame_teams['brand'] == b, 'day'].tolist(),
                                      frame_teams.loc[frame_teams['brand'] == b, column].tolist())
                for b in brands}
    parts.append("<h2>The market</h2><div class='charts'>")
    parts.append(line_chart(series("followers", workshop.brands), "Followers", "people",
                            boundaries))
    parts.append(line_chart(series("maturity", workshop.brands), "Maturity index",
                            "mean adoption", boundaries))
    parts.append(line_chart(series("net_sentiment", workshop.brands), "Net sentiment", "",
                            boundaries))
    parts.append("</div><h2>Lessons: the article's patterns in this session</h2><ul>")
    for pattern, text in market_lessons(workshop, frame_teams):
        parts.append(f"<li><b>{e(pattern)}.</b> {e(text)}</li>")
    parts.append("</ul>")
    if counterfactual is not None:
        b = counterfactual.brand
        parts.append(f"<h2 id='counterfactual'>Counterfactual: "
                     f"{e(counterfactual.describe(teams[b]))}</h2>")
        parts.append("<table><tr><th>indicator</th><th>what happened</th><th>counterfactual"
                     "</th></tr>")
        for row in cf_rows:
            parts.append(f"<tr><td>{row['indicator']}</td><td>{_fmt(row['actual'])}</td>"
                         f"<td>{_fmt(row['counterfactual'])}</td></tr>")
        parts.append("</table><div class='charts'>")
        actual = frame_teams[frame_teams["brand"] == b]
        other = cf_frame[cf_frame["brand"] == b]
        for column, title in (("followers", "Followers"), ("maturity", "Maturity index")):
            parts.append(line_chart({"what happened": (actual["day"].tolist(),
                                                       actual[column].tolist()),
                                     "counterfactual": (other["day"].tolist(),
                                                        other[column].tolist())},
                                    f"{title}: {b}", "", boundaries))
        parts.append("</div>")
    # Per team.
    for b in workshop.brands:
        rows = [r for r in decisions if r["brand"] == b]
        parts.append(f"<h2 class='team' id='team-{e(b)}'>{e(teams[b])} — brand {e(b)}</h2>")
        parts.append("<h3>Decisions and outcomes</h3><table><tr><th>round</th><th>posts/day"
                     "</th><th>mix</th><th>push</th><th>service hours</th><th>training</th>"
                     "<th>listening / CRM</th><th>agency</th><th>sponsorship</th>"
                     "<th>followers</th><th>engagement</th><th>sentiment</th><th>maturity</th>"
                     "<th>phase</th><th>score (rank)</th></tr>")
        for r in rows:
            n = r["round"]
            s = workshop.outcomes[n]["summary"][b]
            rank = next(x for x in workshop.outcomes[n]["leaderboard"] if x["brand"] == b)
            training = (f"{r['training_departments']} ({r['training_coverage']:.0%})"
                        if r["training_departments"] else "—")
            parts.append(
                f"<tr><td>{n}{' (carried)' if r['carried'] else ''}</td>"
                f"<td>{r['posts_per_day']:g}</td><td>{e(r['mix'])}</td>"
                f"<td>{r['push_share']:.0%}</td><td>{r['service_hours']:g}</td>"
                f"<td>{e(training)}</td><td>{r['listening_coverage']:.0%} / "
                f"{r['crm_integration']:.0%}</td><td>{e(r['agency'])}</td>"
                f"<td>{r['sponsorship']:g}</td><td>{s['followers']:,.0f}</td>"
                f"<td>{s['engagement']:,.0f}</td><td>{s['sentiment']:+.2f}</td>"
                f"<td>{s['maturity']:.2f}</td><td>{PHASE_NAMES[int(s['phase'])]}</td>"
                f"<td>{rank['score']:.0f} ({rank['rank']})</td></tr>")
        parts.append("</table><h3>Key moments</h3><ul>")
        moments = [ev for ev in events if ev["brand"] == b and ev["kind"] in KEY_KINDS]
        for ev in moments[:30]:
            parts.append(f"<li>round {ev['round']}, day {ev['day']}: {e(ev['text'])}</li>")
        if not moments:
            parts.append("<li>No phase change, crisis or help-desk alert.</li>")
        parts.append("</ul><div class='charts'>")
        parts.append(line_chart(series("followers", workshop.brands), "Followers", "people",
                                boundaries, highlight=f"{b} ({teams[b]})"))
        parts.append(line_chart(series("capacity_use", [b]), "Customer service: share of "
                                "time spent answering", "", boundaries))
        parts.append("</div>")
    parts.append("<h2>Data</h2><p>" + " · ".join(
        f"<a download='{name}' href='data:text/csv;base64,"
        f"{base64.b64encode(text.encode()).decode()}'>{name}</a>"
        for name, text in csvs.items()) + "</p>")
    page = ("<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
            f"<title>Debrief — {e(workshop.config.title)}</title><style>{STYLE}</style></head>"
            "<body>" + "\n".join(parts) + "</body></html>")
    return page, csvs


def _fmt(value) -> str:
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.3g}" if abs(value) < 10 else f"{value:,.0f}"
    return f"{value:,.0f}" if isinstance(value, int | float) else str(value)


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
