"""Checks against the base scenario, run when an experiment is loaded, before anything runs.

The experiment's own keys (unknown keys with a did-you-mean, types, ranges) are checked by its
schema (:mod:`.study`). Then, here: every fixed override and ``days`` applied to the base
scenario (``resolve_base``), every parameter's key path and every value of it, both ends of a
range (``check_parameters``), then every design point (``check_points``), because some scenario
rules link two values, e.g. ``share_active <= share_engaging``: a value refused alone may be
allowed beside another parameter's value. A design of more than FULL_CHECK_POINTS points is
checked on the points most likely to break a rule between two values (each parameter's lowest
and highest point, and for up to PAIR_CHECK_PARAMETERS parameters the points at the four corners
of every pair, by rank) plus a seeded sample of SAMPLE_CHECK_POINTS points: checking a million
points one by one would take about an hour. A point that is still invalid fails on its own
when it runs (recorded in the sweep's failures, the other runs go on). Errors are one line
naming the experiment file:
``scenarios/experiments/x.toml: parameters[2].values = [] (must list at least one value)``.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ...config import ScenarioConfig
from ...i18n import N_, _
from ...scenario import ScenarioError
from ...schema import _NO_VALUE, ConfigError, format_value
from .files import base_scenario
from .overrides import VARIANT_KEY, apply_overrides
from .parameters import Parameter
from .study import StudySpec

if TYPE_CHECKING:
    from .design import Design

FULL_CHECK_POINTS = 20_000  # designs up to this size are checked point by point
SAMPLE_CHECK_POINTS = 5_000
PAIR_CHECK_PARAMETERS = 20


def points_to_check(design: Design) -> list[int]:
    """Indices of the design points :func:`check_points` applies (all, or extremes + sample)."""
    import numpy as np

    n = len(design)
    if n <= FULL_CHECK_POINTS:
        return list(range(n))
    ranks = []
    for j in range(len(design.keys)):
        column = [point[j] for point in design.points]
        try:
            values = np.asarray(column, dtype=float)
        except (TypeError, ValueError):  # categories: their order of first appearance
            codes: dict[Any, int] = {}
            values = np.array([codes.setdefault(v, len(codes)) for v in column], dtype=float)
        ranks.append(values)
    chosen = set()
    for values in ranks:
        chosen.update((int(np.argmin(values)), int(np.argmax(values))))
    if len(ranks) <= PAIR_CHECK_PARAMETERS:
        scaled = [(v - v.min()) / max(v.max() - v.min(), 1e-300) for v in ranks]
        for a in range(len(scaled)):
            for b in range(a + 1, len(scaled)):
                for sign in (1.0, -1.0):
                    total = scaled[a] + sign * scaled[b]
                    chosen.update((int(np.argmin(total)), int(np.argmax(total))))
    sample = np.random.default_rng(0x43484B).choice(n, size=SAMPLE_CHECK_POINTS, replace=False)
    chosen.update(int(i) for i in sample)
    return sorted(chosen)

def check_variant_parameters(spec: StudySpec) -> None:
    """A ``key = "variant"`` parameter lists names of ``[variants.NAME]`` tables."""
    self = spec
    for i, p in enumerate(self.parameters):
        if p.key != VARIANT_KEY:
            continue
        if not self.variants:
            raise ConfigError(f"parameters[{i}].key", p.key, _("picks among [variants.NAME] "
                                                               "tables, and the file has none"))
        if p.values is None:
            raise ConfigError(f"parameters[{i}]", {"low": p.low, "high": p.high},
                              _("a variant parameter lists variant names: values = {names}")
                              .format(names=format_value(list(self.variants))))
        for v in p.values:
            if v not in self.variants:
                raise ConfigError(f"parameters[{i}].values", list(p.values),
                                  _("{value} is not a variant; variants: {variants}").format(
                                      value=format_value(v), variants=", ".join(self.variants)))


def resolve_base(spec: StudySpec, source: str, folder: Path) -> tuple[ScenarioConfig, str]:
    """The base scenario with the fixed overrides and ``days`` applied, validated."""
    data, scenario_source = base_scenario(spec, source, folder)
    fixed = dict(spec.overrides)
    if spec.days is not None:
        if "horizon_days" in fixed:
            raise ScenarioError(_("{source}: days = {days} and overrides.horizon_days = "
                                  "{horizon_days} (give one of them)").format(
                                  source=source, days=spec.days,
                                  horizon_days=fixed['horizon_days']))
        fixed["horizon_days"] = spec.days
    try:
        base = apply_overrides(data, fixed)
    except ConfigError as error:
        where = next((k for k in fixed if error.path == k or error.path.startswith(k + ".")
                      or k.startswith(error.path + ".")), None)
        label = ("days" if where == "horizon_days" and spec.days is not None
                 else f"overrides.{where}" if where else "overrides")
        raise ScenarioError(f"{source}: {label} = {format_value(fixed.get(where, _NO_VALUE))}"
                            f" ({_scenario_problem(error, where)})") from None
    if spec.window_days is not None and spec.window_days > base.horizon_days:
        raise ScenarioError(_("{source}: window_days = {window_days} (must be ≤ the run's "
                              "length, {horizon_days} days)").format(
                              source=source, window_days=spec.window_days,
                              horizon_days=base.horizon_days))
    return base, scenario_source


def _scenario_problem(error: ConfigError, key: str | None = None) -> str:
    """What the scenario's validation said, without repeating the value just shown."""
    if error.path == key or error.path == "":
        return error.allowed
    if error.value is _NO_VALUE:
        return f"{error.path}: {error.allowed}"
    return f"{error.path} = {format_value(error.value)}: {error.allowed}"


# The scenario's "no such key" messages (simulation.schema, simulation.scenario): an error is
# worded in the language of the moment, so their openings are looked up in it, and in English.
_KEY_ERRORS = (N_("unknown key; allowed keys: {keys}"), N_("unknown key; did you mean '{key}'?"),
               N_("no such brand in the scenario; known: {known}"),
               N_("no such agency in the scenario; known: {known}"),
               N_("no such agency; known: {known}"))


ENGLISH_OPENINGS = ("unknown key", "no such")


def _is_key_error(error: ConfigError) -> bool:
    allowed = str(error.allowed)
    openings = {*ENGLISH_OPENINGS} | {
        _(template).split(";")[0].strip() for template in _KEY_ERRORS}
    return (error.value is _NO_VALUE or any(o in allowed for o in openings)
            or allowed in ("is not a table", _("is not a table")))


def check_parameters(spec: StudySpec, base: ScenarioConfig, source: str
                     ) -> dict[tuple[int, Any], tuple[str, ConfigError]]:
    """Every parameter's key path, and every value (both ends of a range) on the base.

    A wrong key path is an error at once. A value the base scenario refuses is only returned:
    it may be allowed together with another parameter's value (``share_active`` with a larger
    ``share_engaging``), which :func:`check_points` decides.
    """
    data = base.to_dict()
    refused: dict[tuple[int, Any], tuple[str, ConfigError]] = {}
    for i, p in enumerate(spec.parameters):
        if p.is_range:
            probes = [("low", p.typed(p.low)), ("high", p.typed(p.high))]
        else:
            probes = [(f"values[{j}]", p.typed(v)) for j, v in enumerate(p.values)]
        for label, value in probes:
            try:
                apply_overrides(data, {p.key: value}, spec.variants)
            except ConfigError as error:
                if p.key == VARIANT_KEY:
                    raise ScenarioError(_("{source}: variants.{value} is not a valid scenario "
                                          "({why})").format(
                                          source=source, value=value, why=_why(error))) from None
                if _is_key_error(error):
                    raise ScenarioError(f"{source}: parameters[{i}].key = {format_value(p.key)}"
                                        f" ({error.path}: {error.allowed})") from None
                refused[(i, value)] = (label, error)
    return refused


def check_points(design: Design, base: ScenarioConfig, source: str,
                 parameters: tuple[Parameter, ...] = (),
                 refused: dict[tuple[int, Any], tuple[str, ConfigError]] | None = None,
                 variants: Mapping[str, Mapping[str, Any]] | None = None) -> None:
    """Every design point applied to the base scenario. The first invalid point is reported as
    the parameter value at fault when that value alone is refused for the same reason."""
    if not design.keys:
        return
    data = base.to_dict()
    refused = refused or {}
    seen: set[tuple] = set()
    for i in points_to_check(design):
        point = design.points[i]
        if point in seen:
            continue
        seen.add(point)
        try:
            apply_overrides(data, design.overrides(i), variants)
        except ConfigError as error:
            why = _why(error)
            for j, value in enumerate(point):
                label, alone = refused.get((j, value), (None, None))
                if alone is not None and (alone.path, alone.allowed) == (error.path,
                                                                         error.allowed):
                    raise ScenarioError(f"{source}: parameters[{j}].{label} = "
                                        f"{format_value(value)} ({why})") from None
            values = ", ".join(f"{k} = {format_value(v)}" for k, v in zip(
                design.keys, point, strict=True))
            hint = ""
            if "must be an integer" in error.allowed and error.path in design.keys:
                j = design.keys.index(error.path)
                if j < len(parameters) and parameters[j].is_range:
                    hint = _("; add integer = true to parameters[{j}]").format(j=j)
            raise ScenarioError(_("{source}: design point {i} ({values}) is not a valid "
                                  "scenario ({why}){hint}").format(
                                  source=source, i=i, values=values, why=why, hint=hint)) from None


def _why(error: ConfigError) -> str:
    """'brands.acme.content.push_share must be a number between 0 and 1'."""
    if error.value is _NO_VALUE or not error.allowed.startswith("must"):
        return f"{error.path}: {error.allowed}"
    return f"{error.path} {error.allowed}"
