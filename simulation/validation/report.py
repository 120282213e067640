"""The validation report: ``report.md`` and one PNG per pattern, built from the raw results.

Rules:
- Everything in the report is derived from the registries (patterns, targets, ablations, scale
  metrics) and the raw per-run measurements in ``<out>/raw/*.json``; a section whose raw file is
  missing is reported as not run. Verdicts are recomputed from the raw runs by the registry's
  judges, so the report can be rebuilt (``socbiz validate --report-only``) without rerunning.
- The raw files record the settings they were produced with (seeds, points, sizes, population)
  and the wall and CPU time of each section; the report prints them.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np

SECTIONS = ("patterns", "targets", "ablations", "robustness", "scale")


def _json_default(value):
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    raise TypeError(type(value))


def save_raw(out: Path, section: str, data: dict[str, Any]) -> Path:
    folder = Path(out) / "raw"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{section}.json"
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, default=_json_default), encoding="utf-8")
    tmp.replace(path)
    return path


def load_raw(out: Path) -> dict[str, dict[str, Any]]:
    folder = Path(out) / "raw"
    raw = {}
    for section in SECTIONS:
        path = folder / f"{section}.json"
        if path.exists():
            raw[section] = json.loads(path.read_text(encoding="utf-8"))
    return raw


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def _minutes(seconds: float) -> str:
    return f"{seconds / 60:.1f} min"


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


# --------------------------------------------------------------------------------------------


def build_report(out: str | Path) -> Path:
    from matplotlib.figure import Figure

    from ..runner import versions
    from . import judge
    from .ablations import ABLATIONS
    from .patterns import PATTERNS
    from .robustness import assumed_parameters, excluded_parameters
    from .robustness import summarise as summarise_robustness
    from .scale import SCALE_METRICS
    from .scale import summarise as summarise_scale
    from .targets import TARGETS

    out = Path(out)
    raw = load_raw(out)
    for stale in out.glob("pattern*.png"):  # only the figures of this report remain
        stale.unlink()
    by_id = {p.id: p for p in PATTERNS}
    lines: list[str] = ["# Validation report", ""]

    # ---- verdicts
    pattern_raw = raw.get("patterns", {}).get("results", {})
    outcomes = {pid: _safe_judge(lambda p=by_id[pid], r=r: judge(p, r["runs"]), r)
                for pid, r in pattern_raw.items() if pid in by_id}
    target_raw = raw.get("targets", {}).get("results", {})
    target_outcomes = {t.id: _safe_judge(lambda t=t: t.judge(target_raw.get(t.id, {})),
                                         target_raw.get(t.id, {}))
                       for t in TARGETS if t.id in target_raw or not t.testable}

    # ---- summary
    def count(kind):
        chosen = [pid for pid in outcomes if by_id[pid].kind == kind]
        return sum(outcomes[p].passed for p in chosen), len(chosen)

    e_pass, e_n = count("emergent")
    c_pass, c_n = count("calibrated")
    testable = [t for t in TARGETS if t.testable and t.id in target_outcomes]
    t_pass = sum(target_outcomes[t.id].passed for t in testable)
    lines += [
        f"**Emergent patterns reproduced: {e_pass} of {e_n}. Calibrated patterns (verifications, "
        f"not evidence): {c_pass} of {c_n}. Out-of-sample targets met: {t_pass} of "
        f"{len(testable)} testable and run ({sum(not t.testable for t in TARGETS)} not "
        "testable).**",
        "",
        "Software: " + ", ".join(f"{k} {v}" for k, v in versions().items()) + ".",
        "",
        "Regenerate with `socbiz validate --out docs/validation` (all sections) or `make "
        "validate`; rebuild this file from the raw results with `socbiz validate --out "
        "docs/validation --report-only`. The registries are in `simulation/validation/` "
        "(`patterns.py`, `targets.py`, `ablations.py`, `robustness.py`, `scale.py`).",
        "",
        "**How to read the intervals.** Every interval is a 95% interval *over seeds*: a t "
        "interval of the mean of one value per seed, or a Wilson interval of a share of seeds. "
        "All arms of a pattern use the same seeds (common random numbers); differences and "
        "ratios are taken per seed. The organisation is stochastic (heterogeneous staff, "
        "noisy adoption), so organisation patterns' intervals include organisational "
        "uncertainty, not only market noise.",
        "",
        "**Thresholds** are part of each pattern's declaration, with their justification, and "
        "were written before the results in this report; a pattern that fails is reported as "
        "failing, with the measured value.",
        "",
        "## Settings and time",
        "",
        "| section | settings | model commit | wall time | CPU time |",
        "|---|---|---|---|---|",
    ]
    for section in SECTIONS:
        if section in raw:
            meta = raw[section].get("meta", {})
            lines.append(f"| {section} | {_cell(meta.get('settings', ''))} | "
                         f"{meta.get('commit', 'unknown')} | "
                         f"{_minutes(meta.get('wall_s', 0))} | "
                         f"{_minutes(meta.get('cpu_s', 0))} |")
        else:
            lines.append(f"| {section} | not run | | | |")
    lines += ["", "CPU time is the sum over runs of the simulation's process time; on a "
              "dedicated machine with W cores the wall time is about CPU time / W.", ""]

    # ---- pattern tables
    for kind, heading, blurb in (
        ("emergent", "Emergent patterns",
         "The effect is produced by a mechanism of the model; no single rule or input states it."),
        ("calibrated", "Calibrated patterns",
         "The effect restates an input figure, a calibration target or the arithmetic of one "
         "rule: these check that the code does what the ODD says, they are not evidence that "
         "the model explains the pattern."),
    ):
        chosen = [p for p in PATTERNS if p.kind == kind and p.id in outcomes]
        lines += [f"## {heading}", "", blurb, "",
                  "| id | pattern | inputs it rests on | measured (95% CI over seeds) | "
                  "threshold | seeds, model commit | verdict |",
                  "|---|---|---|---|---|---|---|"]
        for p in chosen:
            o = outcomes[p.id]
            lines.append(f"| {p.id} | {_cell(p.title)} | {_cell('; '.join(p.inputs))} | "
                         f"{_cell(o.statement)} | {_cell(p.threshold.split('. ')[0])} | "
                         f"{_provenance(pattern_raw[p.id], raw['patterns'])} | "
                         f"{'pass' if o.passed else '**FAIL**'} |")
        lines.append("")

    # ---- targets
    lines += ["## Out-of-sample targets", "",
              "Published figures no parameter was tuned to (the calibration record is in "
              "[docs/ODD.md](../ODD.md#calibration)). Tolerances were fixed with the target's "
              "declaration (`simulation/validation/targets.py`), before its first run.", ""]
    if "targets" in raw or target_outcomes:
        lines += ["| id | target | published | model (95% CI over seeds) | tolerance | verdict |",
                  "|---|---|---|---|---|---|"]
        for t in TARGETS:
            if t.id not in target_outcomes:
                lines.append(f"| {t.id} | {_cell(t.title)} | {_cell(t.published)} | not run "
                             f"in this report | {_cell(t.tolerance)} | not run |")
                continue
            o = target_outcomes[t.id]
            verdict = ("not testable" if not t.testable else
                       "pass" if o.passed else "**FAIL**")
            lines.append(f"| {t.id} | {_cell(t.title)} | {_cell(t.published)} | "
                         f"{_cell(o.statement)} | {_cell(t.tolerance)} | {verdict} |")
        lines += ["", "What each target measures and the inputs it rests on:", ""]
        for t in TARGETS:
            lines.append(f"- **{t.id}** ({t.source}): {t.quantity}. Inputs: "
                         f"{'; '.join(t.inputs)}.")
        lines.append("")
    else:
        lines += ["Not run.", ""]

    # ---- ablations
    lines += ["## Null models", "",
              "Each null model removes one mechanism and reruns every judged arm of every "
              "pattern with the same criterion. Before any result, each pattern declared the "
              "null models that remove the mechanism it claims (marked *claimed*): there it "
              "should die.", ""]
    ab_raw = raw.get("ablations")
    if ab_raw:
        lines += ["| null model | removes | overrides |", "|---|---|---|"]
        for a in ABLATIONS:
            text = ", ".join(f"`{k} = {v}`" for k, v in a.overrides.items())
            lines.append(f"| {a.id} | {a.removes} | {text} |")
        lines += ["", "A pattern *survives* a null model when its criterion holds on the point "
                  "estimates (intervals collapsed onto the estimates: the question is whether "
                  "the effect is still there, and the null models run fewer seeds than the "
                  "main suite); the full model's column is judged the same way, from the main "
                  "suite's runs.", "",
                  "| pattern | full model | " + " | ".join(a.id for a in ABLATIONS) + " |",
                  "|---|---|" + "---|" * len(ABLATIONS)]
        survival: dict[str, dict[str, bool]] = {}
        for p in PATTERNS:
            full = (_safe_judge(lambda p=p: judge(p, pattern_raw[p.id]["runs"], point=True),
                                pattern_raw[p.id]) if p.id in pattern_raw else None)
            row = [p.id, "not run" if full is None else
                   "holds" if full.passed else "fails"]
            for a in ABLATIONS:
                runs = ab_raw.get("results", {}).get(a.id, {}).get(p.id)
                if runs is None:
                    row.append("not run")
                    continue
                o = _safe_judge(lambda p=p, runs=runs: judge(p, runs, point=True), runs)
                survival.setdefault(p.id, {})[a.id] = o.passed
                word = "survives" if o.passed else "dies"
                if a.id in p.mechanism:
                    word += " (claimed: " + ("as expected" if not o.passed else
                                             "**mechanism not needed**") + ")"
                row.append(f"{word}: {_cell(o.statement)[:160]}")
            lines.append("| " + " | ".join(row) + " |")
        lines.append("")
        claimed = [(p, a) for p in PATTERNS for a in p.mechanism
                   if a in survival.get(p.id, {})]
        died = sum(not survival[p.id][a] for p, a in claimed)
        lines += [f"Of {len(claimed)} claimed mechanism removals, {died} kill their pattern.",
                  ""]
        meta = ab_raw.get("meta", {})
        lines += [f"Settings: {meta.get('settings', '')}.", ""]
    else:
        lines += ["Not run.", ""]

    # ---- robustness
    lines += ["## Robustness over the assumed parameters", ""]
    rb = raw.get("robustness")
    params = assumed_parameters()
    if rb:
        d = rb["design"]
        lines += [f"A Latin hypercube of {len(d)} points over the {len(params)} parameters "
                  f"whose source is 'assumed' (each from half to twice its default, log "
                  f"scale, clipped to its declared range), {len(rb['seeds'])} seeds per point "
                  f"and arm, {rb['n_customers']:,} customers. At a point a pattern holds when "
                  "its criterion holds on the point estimates (two seeds give no useful "
                  "interval). Sensitivity: Spearman's ρ between a parameter and the pattern's "
                  "main estimate across points.", "",
                  "| pattern | kind | holds in (share of points, Wilson 95%) | valid points | "
                  "most influential parameters (ρ) |", "|---|---|---|---|---|"]
        for p in PATTERNS:
            per_point = rb["runs"].get(p.id)
            if per_point is None:
                continue
            s = summarise_robustness(p, per_point, d)
            h = s["holds"]
            top = ", ".join(f"`{k}` {rho:+.2f}" for k, rho in s["top"]) or "—"
            lines.append(f"| {p.id} | {p.kind} | {h[0]:.0%} [{h[1]:.0%}, {h[2]:.0%}] | "
                         f"{s['n_valid']} ({s['n_invalid']} invalid) | {top} |")
        critical = 1.96 / math.sqrt(max(len(d) - 1, 1))
        lines += ["", f"With {len(d)} points a |ρ| below about {min(critical, 1):.2f} is not "
                  "distinguishable from 0 (5% level); the ranking is a screening, not a "
                  "variance decomposition. A pattern judged on few complaints or few seeds "
                  "per point (P5's tail test) can fail for lack of data rather than of effect.",
                  ""]
    else:
        lines += ["Not run.", ""]
    lines += ["<details><summary>The parameters varied and those left out</summary>", "",
              "| parameter | default | range |", "|---|---|---|"]
    lines += [f"| `{p['key']}` | {_fmt(p['default'])} | {_fmt(p['low'])} – {_fmt(p['high'])} |"
              for p in params]
    lines += ["", "Left out:", ""]
    lines += [f"- `{k}`: {why}" for k, why in excluded_parameters().items()]
    lines += ["", "</details>", ""]

    # ---- scale
    lines += ["## Scale convergence", "",
              "The same presets at several population sizes (the real population the "
              "customers stand for is unchanged), the same seeds at each size. A metric agrees "
              "when its mean at every size is within the tolerance of the mean at the largest "
              "size; tolerances were written with the metrics (`simulation/validation/"
              "scale.py`).", ""]
    sc = raw.get("scale")
    if sc:
        rows = summarise_scale(sc["results"])
        sizes = sorted({s for by in sc["results"].values() for s in by}, key=int)
        lines += ["| scenario | metric | " + " | ".join(f"{int(s):,}" for s in sizes)
                  + " | largest gap | tolerance | verdict |",
                  "|---|---|" + "---|" * len(sizes) + "---|---|---|"]
        for r in rows:
            m = r["metric"]
            cells = " | ".join(
                f"{r['cells'][s][0]:.4g} [{r['cells'][s][1]:.4g}, {r['cells'][s][2]:.4g}]"
                if s in r["cells"] else "—" for s in sizes)
            tol = f"{m.tolerance:.0%} relative" if m.relative else f"± {m.tolerance:g}"
            gap = f"{r['gap']:.1%}" if m.relative else f"{r['gap']:.3g}"
            lines.append(f"| {r['scenario']} | {m.title} | {cells} | {gap} | {tol} | "
                         f"{'agrees' if r['agrees'] else '**differs**'} |")
        agree = sum(r["agrees"] for r in rows)
        lines += ["", f"{agree} of {len(rows)} scenario × metric pairs agree across sizes. "
                  f"Settings: {sc.get('meta', {}).get('settings', '')}.", "",
                  "Why these tolerances: "
                  + "; ".join(f"{m.title}: {m.why}" for m in SCALE_METRICS) + ".", ""]
    else:
        lines += ["Not run.", ""]

    # ---- per pattern
    lines += ["## The patterns one by one", ""]
    for p in PATTERNS:
        if p.id not in outcomes:
            lines += [f"### {p.id}. {p.title}", "", "*Not run in this report.*", ""]
            continue
        o, r = outcomes[p.id], pattern_raw[p.id]
        if "runs" not in r:
            lines += [f"### {p.id}. {p.title}", "", f"*Verdict.* NOT reproduced: {o.statement}.",
                      ""]
            continue
        lines += [f"### {p.id}. {p.title}", "", f"*Claim.* {p.claim}", "",
                  f"*Kind.* {p.kind}. *Inputs.* {'; '.join(p.inputs)}.", "",
                  f"*Statistic.* {p.statistic}.", "",
                  f"*Threshold (fixed before results).* {p.threshold}.", "",
                  f"*Measured.* {o.statement}.", "",
                  f"*Verdict.* {'reproduced' if o.passed else 'NOT reproduced'} "
                  f"({_provenance(r, raw['patterns'])}).", ""]
        if p.mechanism:
            lines += [f"*Mechanism removed by:* {', '.join(p.mechanism)}.", ""]
        if p.note:
            lines += [f"*Changed in this version.* {p.note}.", ""]
        if o.details:
            lines += ["| quantity | value |", "|---|---|"]
            lines += [f"| {_cell(k)} | {_cell(_fmt(v))} |" for k, v in o.details.items()]
            lines.append("")
        if p.figure is not None:
            fig = Figure(figsize=(7, 3.6), layout="constrained")
            p.figure(r["runs"], fig)
            name = f"pattern{p.number:02d}.png"
            fig.savefig(out / name, dpi=100)
            lines += [f"![pattern {p.number}]({name})", ""]

    # ---- closing note
    lines += ["## Closing note", ""]
    if target_outcomes:
        met = [t.id for t in testable if target_outcomes[t.id].passed]
        missed = [t.id for t in testable if not target_outcomes[t.id].passed]
        lines.append(f"Out-of-sample targets met: {', '.join(met) or 'none'}; not met: "
                     f"{', '.join(missed) or 'none'}; not testable: "
                     f"{', '.join(t.id for t in TARGETS if not t.testable) or 'none'}.")
    failing = [p for p in PATTERNS if p.id in outcomes and not outcomes[p.id].passed]
    lines.append("Patterns not reproduced: " + (", ".join(
        f"{p.id} ({p.kind}: {outcomes[p.id].statement})" for p in failing) or "none") + ".")
    lines.append("")
    path = out / "report.md"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _provenance(entry: dict[str, Any], section: dict[str, Any]) -> str:
    """'N seeds, commit C' of one pattern's runs (a pattern may come from an earlier run)."""
    commit = entry.get("commit") or section.get("meta", {}).get("commit", "unknown")
    return f"{len(entry.get('seeds', []))} seeds, {commit}"


def _safe_judge(verdict, raw: dict[str, Any]):
    """The judge's outcome, or a failing outcome saying what went wrong."""
    from . import Outcome

    error = raw.get("error") or raw.get("_error")
    if not error:
        try:
            return verdict()
        except Exception as exc:  # a judge that cannot read the runs fails its pattern
            error = f"{type(exc).__name__}: {exc}"
    return Outcome(math.nan, math.nan, math.nan, passed=False, statement=f"error: {error}")


def write_report(out: str | Path) -> Path:
    return build_report(out)


