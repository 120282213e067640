"""Scenario discovery on a sweep's results: which inputs lead to an outcome of interest.

``socbiz discover RESULTS --output NAME --condition "NAME >= 3"`` marks each run (of one brand)
as a *case of interest* when the condition holds, then:

- **PRIM** (Friedman and Fisher's patient rule induction, as implemented by EMA Workbench's
  ``ema_workbench.analysis.prim``): peels the input space to boxes of increasing density (share
  of cases inside the box) and decreasing coverage (share of all cases caught); the whole
  peeling trajectory is kept (``prim_trajectory.csv``, a coverage-density plot), and one box is
  chosen: the one with the highest coverage among those with density ≥ ``min_density``
  (default 0.8), or the densest when none reaches it. Its limits are reported with EMA's
  quasi-p-values (a binomial test of whether each restriction matters; a restriction with a
  quasi-p-value above 0.05 is weakly supported).
- **CART**: a shallow classification tree (scikit-learn, depth 3, leaves of ≥ 5% of the runs):
  readable rules and their training accuracy.
- **Feature scoring**: extra-trees importances (scikit-learn ``ExtraTreesClassifier``,
  impurity-based, averaged over 250 trees): which inputs matter at all, whatever the shape.

Rules:
- Every run is a row (replicates included): the outcome is stochastic, so a box's density is the
  share of *runs* in it that are cases. The inputs are the experiment's parameter columns; a
  ``values`` parameter of strings (e.g. ``variant``) is categorical.
- A time-to-event output's censored runs never satisfy a condition on the time (their time is
  only a lower bound): ``phase3_day <= 500`` means "the event happened by day 500".
- The condition may omit the output's name: ``--condition ">= 3"``.
- Results go to ``RESULTS/discovery/<output>/``: ``summary.md``, ``prim_trajectory.csv``,
  ``prim_box.csv``, ``cart_rules.txt``, ``feature_scores.csv`` and PNG plots.
"""

from __future__ import annotations

import os
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..i18n import _, format_number, format_percent, ngettext
from ..schema import ConfigError
from .outputs import OBSERVED_SUFFIX, condition_mask, parse_condition


class DiscoveryError(ValueError):
    """A discovery that cannot be done as asked (one-line message)."""


@dataclass
class Discovery:
    """What :func:`discover` found."""

    output: str
    condition: str
    brand: str
    n_runs: int
    n_cases: int
    trajectory: pd.DataFrame
    box_index: int
    box: pd.DataFrame  # one row per restricted input: min, max, qp_low, qp_high
    box_stats: dict[str, float]
    cart_rules: str
    cart_accuracy: float
    scores: pd.DataFrame
    files: list[Path] = field(default_factory=list)

    def summary(self) -> str:
        restricted = int(self.box_stats["res_dim"])
        lines = ["# " + _("Scenario discovery: {condition} ({brand})").format(
                     condition=self.condition, brand=self.brand), "",
                 ngettext("{cases} of {n} run is a case of interest ({share}).",
                          "{cases} of {n} runs are cases of interest ({share}).",
                          self.n_cases).format(cases=format_number(self.n_cases),
                                              n=format_number(self.n_runs),
                                              share=format_percent(
                                                  self.n_cases / self.n_runs, 0)), "",
                 "## " + _("PRIM box {index} (EMA Workbench)").format(index=self.box_index),
                 "",
                 ngettext("coverage {coverage}, density {density}, mass {mass}, {n} restricted "
                          "input", "coverage {coverage}, density {density}, mass {mass}, {n} "
                          "restricted inputs", restricted).format(
                     coverage=format_number(self.box_stats["coverage"], 2),
                     density=format_number(self.box_stats["density"], 2),
                     mass=format_number(self.box_stats["mass"], 2), n=restricted), ""]
        if len(self.box):
            lines += ["| " + " | ".join((_("input"), _("min"), _("max"), _("quasi-p (min)"),
                                         _("quasi-p (max)"))) + " |",
                      "|---|---|---|---|---|"]
            for name, row in self.box.iterrows():
                lines.append(f"| {name} | {_fmt(row['min'])} | {_fmt(row['max'])} | "
                             f"{_fmt(row['qp_low'])} | {_fmt(row['qp_high'])} |")
        else:
            lines.append(_("No restriction: the cases are spread over the whole input space."))
        lines += ["", "## " + _("CART (scikit-learn, depth 3)"), "",
                  _("training accuracy {accuracy}").format(
                      accuracy=format_number(self.cart_accuracy, 2)), "", "```",
                  self.cart_rules.rstrip(), "```", "",
                  "## " + _("Feature scores (extra-trees importances)"), "",
                  f"| {_('input')} | {_('importance')} |", "|---|---|"]
        lines += [f"| {r.input} | {format_number(r.importance, 3)} |"
                  for r in self.scores.itertuples()]
        return "\n".join(lines) + "\n"


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        return "—" if np.isnan(v) else _significant(v, 4)
    return str(v)


def _significant(value: float, figures: int) -> str:
    """``value`` with ``figures`` significant digits, in the language's number format."""
    import math

    if value == 0 or not math.isfinite(value):
        return format_number(value)
    digits = max(0, figures - 1 - math.floor(math.log10(abs(value))))
    if abs(value) >= 10 ** 15:
        return f"{value:.{figures - 1}e}"
    return format_number(round(value, digits), digits)


def _case_mask(runs: pd.DataFrame, output: str, condition: str) -> tuple[np.ndarray, str]:
    text = condition.strip()
    if re.match(r"^(>=|<=|==|!=|>|<)", text):
        text = f"{output} {text}"
    numeric = [c for c in runs.columns if runs[c].dtype.kind in "fiub"]
    try:
        clauses = parse_condition(text, numeric, "--condition")
    except ConfigError as error:
        raise DiscoveryError(f"--condition {condition!r}: {error.allowed}") from None
    columns = {c.metric: runs[c.metric].to_numpy(dtype=float) for c in clauses}
    mask = condition_mask(columns, clauses)
    for c in clauses:  # a censored time satisfies no condition on the time
        flag = c.metric + OBSERVED_SUFFIX
        if flag in runs:
            mask &= runs[flag].to_numpy(dtype=float) > 0.5
    return np.asarray(mask, dtype=bool), text


def discover(results: str | os.PathLike, output: str, condition: str, *,
             brand: str | None = None, min_density: float = 0.8, peel_alpha: float = 0.05,
             mass_min: float = 0.05, seed: int = 0, out: str | os.PathLike | None = None,
             write: bool = True) -> Discovery:
    """PRIM, CART and feature scores of ``condition`` over a sweep's parameters."""
    from .analysis import load_runs, parameter_columns, read_experiment

    results = Path(results)
    info = read_experiment(results)
    params = parameter_columns(results)
    if not params:
        raise DiscoveryError(_("{results}: the experiment varies no parameter: nothing to "
                               "discover").format(results=results))
    runs = load_runs(results, status="ok")
    brands = list(info["scenario"].get("brands", {}))
    brand = brand or brands[0]
    if brand not in brands:
        raise DiscoveryError(_(
            "--brand {brand}: unknown brand in {results} (brands: {brands})").format(
                               brand=brand, results=results, brands=', '.join(brands)))
    runs = runs[runs["brand"] == brand].reset_index(drop=True)
    if output not in runs:
        outputs = [o["column"] for o in info["outputs"]]
        raise DiscoveryError(_("--output {output}: not an output of {results} (outputs: "
                               "{outputs})").format(
                               output=output, results=results, outputs=', '.join(outputs)))
    y, text = _case_mask(runs, output, condition)
    if len(runs) < 10:
        raise DiscoveryError(_("{results}: {runs} runs of {brand}: too few for scenario "
                               "discovery (use at least a few dozen)").format(
                               results=results, runs=len(runs), brand=brand))
    if y.all() or not y.any():
        template = (_("{text}: every run of {brand} is a case of interest: nothing to tell "
                      "apart (change the condition)") if y.all() else
                    _("{text}: no run of {brand} is a case of interest: nothing to tell apart "
                      "(change the condition)"))
        raise DiscoveryError(template.format(text=text, brand=brand))
    x = runs[params].copy()
    for c in params:
        if x[c].dtype.kind not in "fiu":
            x[c] = x[c].astype(str).astype("category")
        elif x[c].dtype.kind in "iu":
            x[c] = x[c].astype(float)
    trajectory, box_index, box, stats = _prim(x, y, min_density, peel_alpha, mass_min)
    rules, accuracy = _cart(x, y, seed)
    scores = _feature_scores(x, y, seed)
    found = Discovery(output, text, brand, len(runs), int(y.sum()), trajectory, box_index,
                      box, stats, rules, accuracy, scores)
    if write:
        folder = Path(out) if out else results / "discovery" / output
        found.files = _write(found, folder)
    return found


def _prim(x: pd.DataFrame, y: np.ndarray, min_density: float, peel_alpha: float,
          mass_min: float):
    import logging

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        logging.getLogger("EMA").setLevel(logging.WARNING)
        from ema_workbench.analysis import prim

        algorithm = prim.Prim(x, y.astype(int), peel_alpha=peel_alpha, mass_min=mass_min)
        found = algorithm.find_box()
    trajectory = found.peeling_trajectory.reset_index(drop=True).copy()
    ok = trajectory.index[trajectory["density"] >= min_density]
    if len(ok):
        index = int(trajectory.loc[ok, "coverage"].idxmax())
    else:
        index = int(trajectory["density"].idxmax())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        box_lims = found.box_lims[index]
        initial = found.box_lims[0]
        qps = found.p_values[index]
    rows = []
    for name in x.columns:
        lo, hi = box_lims[name].iloc[0], box_lims[name].iloc[1]
        lo0, hi0 = initial[name].iloc[0], initial[name].iloc[1]
        if isinstance(lo, set) or isinstance(lo0, set):  # categorical: a set of levels
            if box_lims[name].iloc[0] == initial[name].iloc[0]:
                continue
            levels = ", ".join(sorted(map(str, box_lims[name].iloc[0])))
            qp = qps.get(name, [np.nan, np.nan])
            rows.append({"input": name, "min": levels, "max": levels,
                         "qp_low": _qp(qp[0]), "qp_high": _qp(qp[1])})
            continue
        if lo == lo0 and hi == hi0:
            continue
        qp = qps.get(name, [np.nan, np.nan])
        rows.append({"input": name, "min": float(lo), "max": float(hi),
                     "qp_low": _qp(qp[0]), "qp_high": _qp(qp[1])})
    box = pd.DataFrame(rows, columns=["input", "min", "max", "qp_low", "qp_high"]).set_index(
        "input")
    row = trajectory.loc[index]
    stats = {k: float(row[k]) for k in ("coverage", "density", "mass", "res_dim")}
    return trajectory, index, box, stats


def _qp(value: Any) -> float:
    v = float(value) if value is not None else np.nan
    return np.nan if v < 0 else v


def _encoded(x: pd.DataFrame) -> pd.DataFrame:
    return pd.get_dummies(x, dtype=float) if any(
        x[c].dtype.name == "category" for c in x) else x


def _cart(x: pd.DataFrame, y: np.ndarray, seed: int) -> tuple[str, float]:
    from sklearn.tree import DecisionTreeClassifier, export_text

    xe = _encoded(x)
    tree = DecisionTreeClassifier(max_depth=3, min_samples_leaf=max(5, len(x) // 20),
                                  random_state=seed).fit(xe, y)
    rules = export_text(tree, feature_names=list(xe.columns), class_names=["other", "case"],
                        show_weights=True)
    return rules, float(tree.score(xe, y))


def _feature_scores(x: pd.DataFrame, y: np.ndarray, seed: int) -> pd.DataFrame:
    from sklearn.ensemble import ExtraTreesClassifier

    xe = _encoded(x)
    forest = ExtraTreesClassifier(n_estimators=250, max_features=0.6, random_state=seed,
                                  n_jobs=1).fit(xe, y)
    imp = pd.Series(forest.feature_importances_, index=xe.columns)
    # A categorical input's dummy columns add up to the input's importance.
    merged = {c: float(imp[[k for k in xe.columns if k == c or k.startswith(c + "_")]].sum())
              for c in x.columns}
    frame = pd.DataFrame({"input": list(merged), "importance": list(merged.values())})
    return frame.sort_values("importance", ascending=False, kind="stable").reset_index(drop=True)


def _write(found: Discovery, folder: Path) -> list[Path]:
    from matplotlib.figure import Figure

    folder.mkdir(parents=True, exist_ok=True)
    files = []
    path = folder / "prim_trajectory.csv"
    found.trajectory.to_csv(path, index_label="box")
    files.append(path)
    path = folder / "prim_box.csv"
    found.box.to_csv(path)
    files.append(path)
    path = folder / "cart_rules.txt"
    path.write_text(found.cart_rules)
    files.append(path)
    path = folder / "feature_scores.csv"
    found.scores.to_csv(path, index=False)
    files.append(path)

    fig = Figure(figsize=(10, 4), layout="constrained")
    left, right = fig.subplots(1, 2)
    t = found.trajectory
    points = left.scatter(t["coverage"], t["density"], c=t["res_dim"], cmap="viridis", s=18)
    chosen = t.loc[found.box_index]
    left.scatter([chosen["coverage"]], [chosen["density"]], s=120, facecolor="none",
                 edgecolor="red", lw=1.5,
                 label=_("chosen box {index}").format(index=found.box_index))
    fig.colorbar(points, ax=left, label=_("restricted inputs"))
    left.set_xlabel(_("coverage (share of all cases inside the box)"))
    left.set_ylabel(_("density (share of runs in the box that are cases)"))
    left.set_title(_("PRIM peeling trajectory"), fontsize=10)
    left.legend(fontsize=8)
    left.grid(alpha=0.3)
    s = found.scores.iloc[::-1]
    right.barh(np.arange(len(s)), s["importance"], color="#2a9d8f")
    right.set_yticks(np.arange(len(s)), s["input"], fontsize=8)
    right.set_xlabel(_("extra-trees importance (impurity decrease, sums to 1)"))
    right.set_title(_("Feature scores"), fontsize=10)
    right.grid(axis="x", alpha=0.3)
    from matplotlib.ticker import FuncFormatter

    numbers = FuncFormatter(lambda value, _pos: format_number(value))  # 0,5 in French
    for axis in (left.xaxis, left.yaxis, right.xaxis):
        axis.set_major_formatter(numbers)
    fig.suptitle(ngettext("{condition} for {brand}: {cases} of {n} run",
                          "{condition} for {brand}: {cases} of {n} runs", found.n_runs).format(
        condition=found.condition, brand=found.brand, cases=format_number(found.n_cases),
        n=format_number(found.n_runs)), fontsize=10)
    path = folder / "discovery.png"
    fig.savefig(path, dpi=120)
    files.append(path)
    path = folder / "summary.md"
    path.write_text(found.summary())
    files.append(path)
    return files
