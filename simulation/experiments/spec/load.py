"""Loading an experiment: read, build the spec, check it on the base scenario, design, seed.

``load_experiment`` is the one entry point of a sweep (a sensitivity analysis reuses
``build_spec`` and the checks with its own spec class). The steps, in order: read the file
(:mod:`.files`), build the spec with its ``[overrides]`` and ``[variants]`` (:mod:`.study`,
:mod:`.overrides`), resolve the base scenario and check the parameters (:mod:`.checks`), draw the
design (:mod:`.design`), check every design point, and resolve the seeds (:mod:`.seeds`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import fields, replace
from pathlib import Path
from typing import Any

from ...i18n import _
from ...scenario import ScenarioError
from ...schema import ConfigError, build, format_value, to_mapping
from .checks import check_parameters, check_points, check_variant_parameters, resolve_base
from .columns import outputs_of
from .design import make_design
from .experiment import Experiment
from .files import read_spec_file
from .overrides import VARIANT_KEY, flatten_overrides
from .study import ExperimentSpec, StudySpec


def build_spec(cls: type[StudySpec], data: dict[str, Any], source: str) -> StudySpec:
    data = dict(data)
    overrides = flatten_overrides(data.pop("overrides", {}), source)
    variants_table = data.pop("variants", {})
    if not isinstance(variants_table, Mapping):
        raise ScenarioError(_("{source}: variants = {variants_table} (must be tables "
                              "[variants.NAME] of scenario keys)").format(
                              source=source, variants_table=format_value(variants_table)))
    variants = {str(name): flatten_overrides(table, source, f"variants.{name}")
                for name, table in variants_table.items()}
    for name, bundle in variants.items():
        if VARIANT_KEY in bundle:
            raise ScenarioError(_("{source}: variants.{name}.{variant_key} (a variant cannot "
                                  "pick another variant)").format(
                                  source=source, name=name, variant_key=VARIANT_KEY))
    try:
        spec = build(cls, data)
        spec = replace(spec, overrides=overrides, variants=variants)
        check_variant_parameters(spec)
    except ConfigError as error:
        raise ScenarioError(error.with_source(source).message()) from None
    return spec


def load_experiment(source: str | os.PathLike | Mapping[str, Any] | ExperimentSpec,
                    ) -> Experiment:
    """Load and validate an experiment: a TOML path, a mapping or an :class:`ExperimentSpec`.

    >>> exp = load_experiment({"scenario": "baseline", "days": 90,
    ...                        "overrides": {"market.n_customers": 3000},
    ...                        "parameters": [{"key": "brands.acme.content.posts_per_day",
    ...                                        "values": [0.5, 1, 2]}],
    ...                        "replicates": 5, "base_seed": 1})
    >>> exp.n_runs
    15
    """
    data, where, folder = read_spec_file(source)
    spec = build_spec(ExperimentSpec, data, where)
    base, scenario_source = resolve_base(spec, where, folder)
    refused = check_parameters(spec, base, where)
    base_seed = spec.base_seed if spec.base_seed is not None else base.seed
    design_seed = spec.design_seed if spec.design_seed is not None else base_seed
    try:
        design = make_design(spec, design_seed)
    except ConfigError as error:  # a range without n_levels in a grid
        raise ScenarioError(error.with_source(where).message()) from None
    check_points(design, base, where, spec.parameters, refused, spec.variants)
    return Experiment(
        name=Path(where).stem if where != "experiment" else (spec.title or "experiment"),
        title=spec.title,
        source=where,
        kind="sweep",
        spec=spec_json(spec, base_seed),
        scenario=base,
        scenario_source=scenario_source,
        design=design,
        replicates=spec.replicates,
        base_seed=base_seed,
        common_random_numbers=spec.common_random_numbers,
        outputs=outputs_of(spec),
        window_days=spec.window_days,
        timeseries=spec.timeseries,
        timeseries_columns=spec.timeseries_columns,
        events=spec.events,
        variants={k: dict(v) for k, v in spec.variants.items()},
    )


def spec_json(spec: StudySpec, base_seed: int | None = None) -> dict[str, Any]:
    """The spec as resolved (defaults filled in), JSON-ready."""
    data = to_mapping(spec)
    data["overrides"] = dict(spec.overrides)
    if spec.variants:
        data["variants"] = {k: dict(v) for k, v in spec.variants.items()}
    if base_seed is not None and "base_seed" in {f.name for f in fields(spec)}:
        data["base_seed"] = base_seed
    return data
