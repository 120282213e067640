"""Experiment files: what to vary, how to sample it, how many replicates, what to keep.

An experiment is data (a TOML file, or the same mapping in Python), never code. This package
reads and validates one, by job, one module each (the rules of each are at its top):

- :mod:`.parameters`: one varied input (``[[parameters]]``: a key with values or a range);
- :mod:`.columns`: the metrics that can be kept, their reductions, the runs table's columns;
- :mod:`.design`: the design points (grid, Latin hypercube, zip) and the caps on a plan;
- :mod:`.seeds`: the run seeds, derived from ``base_seed`` (seeds are data);
- :mod:`.study`: the file's schema (``StudySpec``, shared with sensitivity analyses, and
  ``ExperimentSpec``, a sweep);
- :mod:`.overrides`: dotted key paths applied to the base scenario, and named variants;
- :mod:`.files`: reading the file and the base scenario it names;
- :mod:`.checks`: the checks against the base scenario, before anything runs;
- :mod:`.experiment`: the resolved :class:`Experiment` and its plan of runs;
- :mod:`.load`: ``load_experiment``, the steps above in order.

Every public name stays importable from ``simulation.experiments.spec``.

>>> exp = load_experiment({"scenario": "baseline", "days": 90,
...                        "parameters": [{"key": "brands.acme.content.posts_per_day",
...                                        "values": [0.5, 1, 2]}],
...                        "replicates": 5, "base_seed": 1})
>>> exp.n_runs
15
"""

from __future__ import annotations

from .checks import check_parameters, check_points, check_variant_parameters, resolve_base
from .columns import (
    CATEGORICAL_METRICS,
    DEFAULT_OUTPUTS,
    METRICS,
    REDUCERS,
    RESERVED_COLUMNS,
    TIMESERIES_COLUMNS,
    outputs_of,
    parse_output,
)
from .design import (
    DESIGNS,
    MAX_DESIGN_POINTS,
    MAX_RUNS,
    Design,
    check_plan_size,
    lhs_unit,
    make_design,
)
from .experiment import Experiment, RunSpec
from .files import base_scenario, read_spec_file
from .load import build_spec, load_experiment, spec_json
from .overrides import (
    VARIANT_KEY,
    apply_overrides,
    expand_variants,
    flatten_overrides,
    key_segments,
    set_key,
)
from .parameters import FORBIDDEN_KEYS, SCALES, Parameter
from .seeds import SEED_BITS_SHIFT, seed_of
from .study import MAX_PARAMETERS, ExperimentSpec, StudySpec

__all__ = [
    "CATEGORICAL_METRICS", "DEFAULT_OUTPUTS", "DESIGNS", "FORBIDDEN_KEYS", "MAX_DESIGN_POINTS",
    "MAX_PARAMETERS", "MAX_RUNS", "METRICS", "REDUCERS", "RESERVED_COLUMNS", "SCALES",
    "SEED_BITS_SHIFT", "TIMESERIES_COLUMNS", "VARIANT_KEY", "Design", "Experiment",
    "ExperimentSpec", "Parameter", "RunSpec", "StudySpec", "apply_overrides", "base_scenario",
    "build_spec", "check_parameters", "check_plan_size", "check_points",
    "check_variant_parameters", "expand_variants", "flatten_overrides", "key_segments",
    "lhs_unit", "load_experiment", "make_design", "outputs_of", "parse_output",
    "read_spec_file", "resolve_base", "seed_of", "set_key", "spec_json",
]
