"""The validation registries are complete and every consumer derives from them (fast).

Walks the pattern registry (simulation.validation.patterns.PATTERNS), the out-of-sample targets,
the null models, the scale metrics and the robustness study's parameter list.
"""

import argparse
import dataclasses

import pytest

from simulation.config import ScenarioConfig
from simulation.validation import KINDS
from simulation.validation.ablations import ABLATIONS
from simulation.validation.cli import parse_only
from simulation.validation.patterns import DECOMPOSITION, PATTERNS, judged_arms
from simulation.validation.robustness import (
    EXCLUDED,
    SECTIONS,
    assumed_parameters,
    design,
    excluded_parameters,
)
from simulation.validation.scale import SCALE_METRICS
from simulation.validation.targets import TARGETS


@pytest.mark.parametrize("pattern", PATTERNS, ids=[p.id for p in PATTERNS])
def test_pattern_is_fully_declared(pattern):
    assert pattern.kind in KINDS
    for text in (pattern.title, pattern.claim, pattern.statistic, pattern.threshold):
        assert text.strip()
    assert pattern.inputs and all(i.strip() for i in pattern.inputs)
    names = [a.name for a in pattern.arms]
    assert len(names) == len(set(names)), "arm names must be unique"
    assert judged_arms(pattern), "a pattern needs at least one judged arm"
    assert set(pattern.mechanism) <= {a.id for a in ABLATIONS}


def test_ids_unique_and_numbered_in_order():
    ids = [p.id for p in PATTERNS]
    assert len(ids) == len(set(ids))
    assert [p.number for p in PATTERNS] == sorted(p.number for p in PATTERNS)


def test_both_kinds_are_used():
    assert {p.kind for p in PATTERNS} == set(KINDS)


def test_only_derives_from_the_registry():
    for p in PATTERNS:
        assert parse_only(p.id) == [p.id]
        assert parse_only(str(p.number)) == [p.id]
    with pytest.raises(argparse.ArgumentTypeError, match="not a pattern"):
        parse_only("P99")


def test_decomposition_arms_are_not_judged():
    for p in PATTERNS:
        for arm in judged_arms(p):
            assert not arm.name.startswith(DECOMPOSITION)


def test_targets_registry():
    ids = [t.id for t in TARGETS]
    assert len(ids) == len(set(ids))
    testable = [t for t in TARGETS if t.testable]
    assert len(testable) >= 4
    for t in TARGETS:
        assert t.published and t.source and t.quantity and t.tolerance and t.inputs
        assert t.arms or not t.testable


def test_ablations_override_existing_parameters():
    defaults = ScenarioConfig().to_dict()
    for a in ABLATIONS:
        for key in a.overrides:
            section, name = key.split(".")
            assert name in defaults[section], key


def test_scale_metrics_unique_with_reasons():
    keys = [m.key for m in SCALE_METRICS]
    assert len(keys) == len(set(keys))
    assert all(m.tolerance > 0 and m.why for m in SCALE_METRICS)


def test_robustness_covers_every_assumed_parameter():
    varied = {p["key"] for p in assumed_parameters()}
    left_out = excluded_parameters()
    defaults = ScenarioConfig()
    for section in SECTIONS:
        for f in dataclasses.fields(getattr(defaults, section)):
            key = f"{section}.{f.name}"
            if str(f.metadata.get("source", "")).startswith("assumed"):
                assert key in varied or key in left_out, key
    assert set(EXCLUDED) <= set(left_out)


def test_robustness_design_stays_in_range():
    params = {p["key"]: p for p in assumed_parameters()}
    lhs = design(8)
    assert len(lhs) == 8
    for i in range(len(lhs)):
        for key, value in lhs.overrides(i).items():
            assert params[key]["low"] <= value <= params[key]["high"], key
