"""Compare up to four arms with replicates: mean ± band on every chart, and a differences table.

What a user sees: two to four *arms* (the scenario as loaded, the what-if of this tab, or a
preset; the first is the baseline), each run with the same N seeds (default 8: common random
numbers). The runs go to a worker process in the background (:mod:`dashboards.replicates`),
with a progress bar and a Cancel button; the page stays responsive, and switching tabs does not
lose the comparison (it is kept per session). The chart shows, for one brand at a time, either
each arm's mean over seeds with the 95 % t interval of that mean (*levels*), or each arm's
per-seed difference from the baseline with its paired 95 % t interval (*differences*: the
right view when the seeds are shared). The table gives, per brand and outcome, the baseline's
mean and each arm's mean paired difference with its interval; a difference whose interval
contains 0 is written "not distinguishable from noise".
"""

from __future__ import annotations

import weakref

import solara

from simulation import list_scenarios, load_scenario
from simulation.i18n import _, babel_locale, current_language, format_number, ngettext

from .. import replicates as rep
from ..controller import Controller, page_watcher
from ..labels import choices as choice_items
from ..livechart import LiveChart, chart_words, panel_spec
from ..registry import Panel
from ..state import Session, check_seed, to_csv_bytes
from .common import escape
from .scenario import preset_title

CURRENT = "whatif"
AS_LOADED = "loaded"
PRESET = "preset:"
ARM_COLOURS = ("#1d3557", "#e76f51", "#2a9d8f", "#8e44ad")
ARM_LETTERS = ("A", "B", "C", "D")

# One comparison per session (tab), kept while the Compare tab is not shown.
_JOBS: weakref.WeakKeyDictionary[Session, rep.CompareJob] = weakref.WeakKeyDictionary()


def option_labels() -> dict[str, str]:
    """Arm choices, key → label (scenario titles, never file names)."""
    labels = {AS_LOADED: _("The scenario as loaded (no lever changed)"),
              CURRENT: _("Your what-if (levers and interventions so far)")}
    for name in list_scenarios():
        labels[PRESET + name] = _("Preset: {title}").format(title=preset_title(name))
    return labels


def resolve_option(ctl: Controller, option: str):
    if option == CURRENT:
        return ctl.session.whatif_config()
    if option == AS_LOADED:
        return ctl.session.base
    return load_scenario(option.removeprefix(PRESET))


def parse_count(text: str, name: str, low: int, high: int) -> int:
    """A whole number typed in a box, within [low, high], or a one-line ValueError."""
    try:
        value = int(str(text).strip())
    except ValueError:
        raise ValueError(_("{name}: '{value}' is not a whole number").format(
            name=name, value=str(text).strip())) from None
    if not low <= value <= high:
        raise ValueError(_("{name}: {value} (must be from {low} to {high})").format(
            name=name, value=value, low=low, high=high))
    return value


def compare_executor():
    """A local worker process (one core of two is left to the page and the live run)."""
    from simulation.experiments.executors import LocalExecutor, default_workers

    return LocalExecutor(max(1, default_workers() - 1))


# ----------------------------------------------------------------------------------------------
# The chart


def band_caption(result: rep.Replicates, mode: str) -> str:
    n = len(result.seeds)
    level = format_number(round(100 * result.conf_level))
    if mode == "levels":
        return ngettext(
            "Lines: the mean over {n} seed of each arm. Shaded band: the {level} % t-interval "
            "of that mean over seeds.",
            "Lines: the mean over {n} seeds of each arm. Shaded band: the {level} % t-interval "
            "of that mean over seeds.", n).format(n=n, level=level) + " " + _(
            "Runs in social business: the share of seeds in phase 3 that day, with its "
            "{level} % Wilson interval.").format(level=level)
    return ngettext(
        "Lines: each arm minus the baseline, seed by seed (same seeds), averaged over {n} seed. "
        "Shaded band: the {level} % paired t-interval. A band that crosses the 0 line: not "
        "distinguishable from noise.",
        "Lines: each arm minus the baseline, seed by seed (same seeds), averaged over {n} seeds. "
        "Shaded band: the {level} % paired t-interval. A band that crosses the 0 line: not "
        "distinguishable from noise.", n).format(n=n, level=level)


def chart_data(result: rep.Replicates, brand: str, mode: str, font_size: int = 12
               ) -> tuple[dict, dict]:
    """(spec, initial) of the comparison chart for one brand: one panel per chart metric, one
    line per arm (levels) or per arm other than the baseline (differences), each with its band.
    """
    if mode == "levels":
        stats, arms = result.levels(), list(result.arms)
    else:
        stats, arms = result.daily_differences(), list(result.arms[1:])
    stats = stats[stats["brand"] == brand]
    days = list(range(result.day + 1))
    panels, series, values, ranges = [], [], [], []
    for p, column in enumerate(rep.CHART_COLUMNS):
        panel = rep.panel_of(column)
        if mode != "levels":
            panel = Panel(f"{column}_difference", panel.title,  # no phase ticks 1-3
                          _("{unit}, arm − baseline").format(unit=panel.unit),
                          floor=False, step=panel.step)
        panels.append(panel_spec(panel))
        rows = stats[stats["metric"] == column]
        for arm in arms:
            index = result.arms.index(arm)
            line = rows[rows["arm"] == arm].set_index("day").reindex(days)
            series.append({"name": arm,
                           "color": ARM_COLOURS[index], "panel": p})
            values.append([_number(v) for v in line["mean"]])
            ranges.append([[d, _number(lo), _number(hi)]
                           for d, lo, hi in zip(days, line["low"], line["high"], strict=True)])
    legend = list(dict.fromkeys(s["name"] for s in series))
    spec = {"id": "compare", "columns": 3, "fontSize": font_size, "legendHeight": 30,
            "crisisBands": False, "height": 30 + 26 + 2 * 220, "panels": panels,
            "series": series, "legend": legend, "zeroLine": mode != "levels",
            "originalLabel": "",
            # numbers, toolbox and hover words in the tab's language, as the Live tab's charts
            "locale": babel_locale().replace("_", "-"), "words": chart_words()}
    initial = {"days": days, "values": values, "ranges": ranges, "events": [], "bands": [],
               "xmax": max(result.day, 1), "ghosts": None}
    return spec, initial


def _number(value):
    return round(float(value), 6) if rep.finite(value) else None


# ----------------------------------------------------------------------------------------------
# The table


def format_value(value: float, outcome: rep.Outcome, signed: bool = False) -> str:
    if not rep.finite(value):
        return "—"
    value = float(value)
    magnitude = abs(value)
    digits = 0 if magnitude >= 100 or magnitude == 0 else 1 if magnitude >= 1 else 3
    if round(value, digits) == 0:
        text = "0"
    else:
        text = format_number(round(value, digits), digits, signed=signed)
    unit = str(outcome.unit)
    return f"{text} {unit}" if unit in ("%", "€") else text


def interval_text(low: float, high: float, outcome: rep.Outcome, signed: bool = False) -> str:
    if not (rep.finite(low) and rep.finite(high)):
        return ""
    return ("[" + format_value(low, outcome, signed) + " ; " + format_value(high, outcome, signed)
            + "]")


def differences_html(result: rep.Replicates) -> str:
    """Per brand, one row per outcome: the baseline's mean [interval], then each arm's mean
    paired difference [interval], green better, red worse, grey not distinguishable."""
    table = result.table()
    arms = list(result.arms[1:])
    head = [f"<th>{escape(_('outcome'))}</th>",
            f"<th class='num'>{escape(result.baseline)}<br><small>"
            f"{escape(_('mean [interval at 95%]'))}</small></th>"]
    for i, arm in enumerate(arms, start=1):
        head.append(f"<th class='num'>{ARM_LETTERS[i]} − A<br><small>{escape(arm)}</small></th>")
    rows = []
    for brand in result.brands:
        rows.append(f"<tr class='group'><td colspan='{len(arms) + 2}'><b>{escape(brand)}</b>"
                    "</td></tr>")
        of_brand = table[table["brand"] == brand]
        for outcome in rep.OUTCOMES:
            lines = of_brand[of_brand["outcome"] == outcome.key]
            if lines.empty:
                continue
            first = lines.iloc[0]
            unit = str(outcome.unit)
            label = escape(str(outcome.label)) + (
                f" <small>({escape(unit)})</small>" if unit and unit not in ("%", "€") else "")
            cells = [f"<td>{label}</td>",
                     f"<td class='num'>{format_value(first['baseline'], outcome)} <small>"
                     f"{interval_text(first['baseline_low'], first['baseline_high'], outcome)}"
                     "</small></td>"]
            for arm in arms:
                line = lines[lines["arm"] == arm]
                if line.empty:
                    cells.append("<td class='num'>—</td>")
                    continue
                line = line.iloc[0]
                if line["distinguishable"]:
                    better = (line["difference"] > 0) == outcome.higher_is_better
                    css, note = ("socbiz-better" if better else "socbiz-worse"), ""
                else:
                    css = "socbiz-noise"
                    note = f"<br><small>{escape(_('not distinguishable from noise'))}</small>"
                cells.append(
                    f"<td class='num {css}' data-distinguishable="
                    f"'{str(bool(line['distinguishable'])).lower()}'>"
                    f"{format_value(line['difference'], outcome, True)} <small>"
                    f"{interval_text(line['low'], line['high'], outcome, True)}</small>{note}</td>")
            rows.append("<tr>" + "".join(cells) + "</tr>")
    return ("<div class='socbiz-table socbiz-differences'><table><thead><tr>" + "".join(head)
            + "</tr></thead><tbody>" + "".join(rows) + "</tbody></table></div>")


def table_csv(result: rep.Replicates) -> bytes:
    table = result.table().copy()
    table["outcome"] = [str(rep.BY_KEY[k].label) for k in table["outcome"]]
    table.insert(0, "level", result.conf_level)
    return to_csv_bytes(table)


# ----------------------------------------------------------------------------------------------
# Components


@solara.component
def CompareChart(result: rep.Replicates, brand: str, mode: str):
    def build():
        spec, initial = chart_data(result, brand, mode)
        return LiveChart(spec=spec, initial=initial)

    # Its words are written when it is built: a switch of language builds it again.
    widget = solara.use_memo(build, [id(result), brand, mode, current_language()])
    solara.use_effect(lambda: widget.close, [widget])
    solara.Div(classes=["socbiz-compare-chart"], children=[widget])


@solara.component
def CompareResult(result: rep.Replicates):
    brand, set_brand = solara.use_state(result.brands[0])
    modes = {"levels": _("Each arm: mean and band"),
             "differences": _("Difference from the baseline (paired by seed)")}
    mode, set_mode = solara.use_state("levels")
    if brand not in result.brands:
        brand = result.brands[0]
    seeds = result.seeds
    seed_text = (_("seeds {first} to {last}").format(first=seeds[0], last=seeds[-1])
                 if len(seeds) > 1 else _("seed {seed}").format(seed=seeds[0]))
    solara.HTML(tag="div", classes=["socbiz-compare-what"], unsafe_innerHTML=escape(
        ngettext("{arms} arms, {n} run each ({seeds}, the same in every arm), up to day {day}.",
                 "{arms} arms, {n} runs each ({seeds}, the same in every arm), up to day {day}.",
                 len(seeds)).format(arms=len(result.arms), n=len(seeds), seeds=seed_text,
                                    day=result.day)))
    with solara.Row(gap="10px", style={"flex-wrap": "wrap", "align-items": "center"}):
        solara.Select(_("Brand"), value=brand, values=list(result.brands), on_value=set_brand,
                      style={"max-width": "220px"})
        labels = list(modes.values())
        solara.ToggleButtonsSingle(value=modes[mode], values=labels,
                                   on_value=lambda label: set_mode(
                                       next(k for k, v in modes.items() if v == label)))
    solara.HTML(tag="div", classes=["socbiz-help", "socbiz-band-caption"],
                unsafe_innerHTML=escape(band_caption(result, mode)))
    CompareChart(result, brand, mode)
    solara.HTML(tag="h3", unsafe_innerHTML=escape(
        _("Differences on day {day}").format(day=result.day)))
    solara.HTML(tag="div", unsafe_innerHTML=differences_html(result))
    solara.Text(_("Each difference is taken seed by seed (the arms share their seeds), then "
                  "averaged; the interval is the 95 % t-interval of that mean. Green: better "
                  "for the brand; red: worse; grey: the interval contains 0, so the difference "
                  "is not distinguishable from noise with this many seeds."),
                classes=["socbiz-help"])
    download = solara.use_memo(lambda: (lambda: table_csv(result)), [id(result)])
    solara.FileDownload(download, filename="comparison.csv",
                        label=_("Download the differences (CSV)"))


@solara.component
def CompareView(ctl: Controller):
    snap = ctl.snap.value
    labels = solara.use_memo(option_labels, [])
    choices, set_choices = solara.use_state([AS_LOADED, CURRENT])
    first_seed, set_first_seed = solara.use_state(str(snap.seed))
    n_seeds, set_n_seeds = solara.use_state(str(rep.DEFAULT_SEEDS))
    days_text, set_days_text = solara.use_state(str(snap.horizon))
    problem, set_problem = solara.use_state("")
    tick = solara.use_reactive(0)
    job = _JOBS.get(ctl.session)

    def listen():
        if job is None:
            return None

        def changed():
            tick.set(tick.value + 1)
        job.listener = changed
        if not job.running:
            changed()

        def stop():
            if job.listener is changed:
                job.listener = None
        return stop

    solara.use_effect(listen, [job])
    tick.value  # noqa: B018 (re-render on every progress report)

    def start():
        set_problem("")
        try:
            seed = check_seed(first_seed)
            n = parse_count(n_seeds, _("Seeds per arm"), rep.MIN_SEEDS, rep.MAX_SEEDS)
            days = parse_count(days_text, _("Run to day"), 1, 100_000)
            arms = [rep.Arm(f"{ARM_LETTERS[i]} · {labels[key]}", resolve_option(ctl, key))
                    for i, key in enumerate(choices)]
        except Exception as error:
            set_problem(str(error))
            return
        old = _JOBS.get(ctl.session)
        if old is not None:
            old.cancel()
        _JOBS[ctl.session] = rep.CompareJob(
            arms, rep.seeds_for(seed, n), days, make_executor=compare_executor,
            gone=page_watcher()).start()
        tick.set(tick.value + 1)

    def set_choice(index: int, key: str):
        updated = list(choices)
        updated[index] = key
        set_choices(updated)

    running = job is not None and job.running
    solara.Style("""
        .socbiz-differences td.socbiz-noise { color: #777; }
        .socbiz-differences td small { color: #666; white-space: nowrap; }
        .socbiz-differences th small { font-weight: normal; }
        .socbiz-band-caption { margin: 4px 0 2px 0; }
""")
    solara.HTML(tag="div", unsafe_innerHTML=escape(_(
        "Run two to four arms with the same seeds and see what differs beyond the run-to-run "
        "noise. The first arm is the baseline. Your what-if includes the levers you changed and "
        "the interventions made so far, on the days they acted.")))
    with solara.Row(gap="10px", style={"flex-wrap": "wrap"}):
        for index, key in enumerate(choices):
            with solara.Row(gap="0px", style={"align-items": "center"}):
                solara.Select(
                    _("Arm {letter} (baseline)").format(letter=ARM_LETTERS[index]) if index == 0
                    else _("Arm {letter}").format(letter=ARM_LETTERS[index]),
                    value=key if key in labels else AS_LOADED,
                    values=choice_items(list(labels), labels.get),
                    on_value=lambda chosen, i=index: set_choice(i, chosen),
                    style={"min-width": "300px"})
                if index >= 2:
                    solara.Button(icon_name="mdi-close", icon=True, disabled=running,
                                  on_click=lambda i=index: set_choices(
                                      [c for k, c in enumerate(choices) if k != i]),
                                  classes=["socbiz-remove-arm"])
        if len(choices) < rep.MAX_ARMS:
            solara.Button(_("Add an arm"), icon_name="mdi-plus", text=True, disabled=running,
                          on_click=lambda: set_choices([*choices, AS_LOADED]))
    with solara.Row(gap="10px", style={"flex-wrap": "wrap"}):
        solara.InputText(_("Seeds per arm"), value=n_seeds, on_value=set_n_seeds,
                         continuous_update=True, style={"max-width": "130px"})
        solara.InputText(_("First seed"), value=first_seed, on_value=set_first_seed,
                         continuous_update=True, style={"max-width": "130px"})
        solara.InputText(_("Run to day"), value=days_text, on_value=set_days_text,
                         continuous_update=True, style={"max-width": "130px"})
    with solara.Row(gap="6px"):
        solara.Button(_("Run comparison"), icon_name="mdi-compare", color="primary",
                      on_click=start, disabled=running)
        if running:
            solara.Button(_("Cancel"), on_click=job.cancel, outlined=True)
    if problem:
        solara.Error(problem, dense=True)
    if job is None:
        return
    if running:
        solara.ProgressLinear(value=100 * job.done / max(job.total, 1))
        left = job.seconds_left()
        text = ngettext("Simulating… {done} of {total} run done.",
                        "Simulating… {done} of {total} runs done.", job.total).format(
                            done=job.done, total=job.total)
        if left is not None:
            text += " " + _("About {seconds} s left.").format(seconds=format_number(round(left)))
        solara.Text(text, classes=["socbiz-help", "socbiz-compare-progress"])
    elif job.error:
        solara.Error(_("The comparison failed: {error}").format(error=job.error), dense=True)
    elif job.was_cancelled or job.result is None:
        solara.Info(_("Comparison cancelled."), dense=True)
    else:
        CompareResult(job.result)
