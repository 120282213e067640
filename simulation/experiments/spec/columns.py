"""What an experiment keeps per run and brand: the metrics, their reductions, the columns.

``outputs`` lists the metrics kept per run and brand in the runs table, each ``"metric"`` or
``"metric:reduce"`` (final, mean, max or min over the run, or over its last ``window_days``);
reducers with a condition (time to an event, days above a threshold) and user-defined ones are
declared in ``[[output_definitions]]`` (:mod:`simulation.experiments.outputs`). The metrics are
the numeric columns of the daily series, derived from the reporters of
:mod:`simulation.metrics` (never listed by hand). The runs table's own columns
(``RESERVED_COLUMNS``) cannot be used as parameter or output names.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...i18n import _, _l
from ...metrics import BRAND_REPORTERS, MODEL_REPORTERS
from ...schema import ConfigError
from ..outputs import REDUCERS as REDUCER_REGISTRY
from ..outputs import SIMPLE_REDUCERS, Output, build_output, unknown_metric

if TYPE_CHECKING:
    from .study import StudySpec

REDUCERS = tuple(REDUCER_REGISTRY)  # every reducer; a string output may use SIMPLE_REDUCERS

#: Numeric columns of the daily time series that can be reduced to one value per run and brand.
METRICS = tuple(k for k in BRAND_REPORTERS if k != "brand") + tuple(MODEL_REPORTERS)
TIMESERIES_COLUMNS = ("day", "brand", *METRICS)

DEFAULT_OUTPUTS = (
    "phase", "maturity", "sponsorship", "followers", "weekly_engaged_share:mean",
    "engagement_per_post:mean", "net_sentiment", "customers", "cumulative_cost", "roi",
    "crisis_level:max", "complaints_total",
)

#: Columns of the runs table that are not parameters or outputs.
RESERVED_COLUMNS = (
    "run_id", "point", "replicate", "seed", "brand", "status", "error", "days_simulated",
    "n_events", "wall_time_s", "started", "host", "pid", "traceback",
)

#: Daily metrics that are categories, not quantities: a sensitivity index of them (or of
#: their final, max or min) means nothing. ``help_desk:mean`` (share of days) is a quantity.
CATEGORICAL_METRICS = {
    "phase": _l("maturity (a continuous score) or phase counts from a sweep"),
    "help_desk": _l("help_desk:mean (the share of days in the help-desk trap)")}


def parse_output(text: str, default_reduce: str = "final", path: str = "outputs") -> Output:
    metric, _sep, how = text.partition(":")
    metric, how = metric.strip(), (how.strip() or default_reduce)
    if metric not in METRICS:
        raise ConfigError(path, text, unknown_metric(metric, METRICS))
    if how not in SIMPLE_REDUCERS:
        choices = ", ".join(SIMPLE_REDUCERS)
        if how in REDUCER_REGISTRY:
            problem = _("reduce must be one of {choices}; {reduce} needs a condition: declare "
                        "it in [[output_definitions]]").format(choices=choices, reduce=how)
        else:
            problem = _("reduce must be one of {choices}; reducers with a condition and "
                        "user-defined ones are declared in [[output_definitions]]").format(
                            choices=choices)
        raise ConfigError(path, text, problem)
    return Output(metric, how)


def outputs_of(spec: StudySpec) -> tuple[Output, ...]:
    """The outputs kept: those named in ``outputs``, then the declared ones."""
    outs = [parse_output(t, spec.reduce) for t in spec.outputs]
    outs += [build_output(d, METRICS) for d in spec.output_definitions]
    return tuple(dict.fromkeys(outs))  # a metric named twice is kept once
