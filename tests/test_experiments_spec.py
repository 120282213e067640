"""Experiment files: validation errors (one line, naming the file and the key), designs (grid,
LHS, zip), seeds and run ids. No model runs here except through the CLI error path."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest
from experiments_support import GRID_EXPERIMENT, ROOT, socbiz, tiny_experiment
from hypothesis import given, settings
from hypothesis import strategies as st

from simulation import ScenarioError
from simulation.experiments import load_experiment
from simulation.experiments.calibration import load_calibration
from simulation.experiments.sensitivity import load_sensitivity
from simulation.experiments.spec import Parameter, lhs_unit, seed_of

EXAMPLES = sorted((ROOT / "scenarios" / "experiments").glob("*.toml"))


def error_of(tmp_path: Path, text: str) -> str:
    path = tiny_experiment(tmp_path, text, "bad.toml")
    with pytest.raises(ScenarioError) as caught:
        load_experiment(path)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"{path}: ")
    return message[len(f"{path}: "):]


# --------------------------------------------------------------------------------------------
# Validation


def test_example_experiments_are_valid():
    assert len(EXAMPLES) >= 2
    kinds = set()
    for path in EXAMPLES:
        if path.stem.endswith("_calibration"):
            assert load_calibration(path).fitted
            kinds.add("calibration")
        elif path.stem.endswith("_sensitivity"):
            study = load_sensitivity(path)
            assert study.experiment.n_runs > 0
            kinds.add("sensitivity")
        else:
            experiment = load_experiment(path)
            assert experiment.n_runs == experiment.n_points * experiment.replicates > 1
            kinds.add(experiment.design.kind)
    assert {"grid", "sensitivity"} <= kinds


def test_unknown_key_suggests_the_right_one(tmp_path):
    message = error_of(tmp_path, 'scenario = "tiny.toml"\nreplicatse = 3\n')
    assert message == "replicatse: unknown key; did you mean 'replicates'?"


def test_unknown_parameter_field_names_its_index(tmp_path):
    message = error_of(tmp_path, 'scenario = "tiny.toml"\n[[parameters]]\nkey = "market.n_customers"'
                                 '\nvalues = [2000]\n[[parameters]]\nkey = "brands.acme.budget"'
                                 '\nvalue = [1]\n')
    assert message == "parameters[1].value: unknown key; did you mean 'values'?"


def test_bad_parameter_key_path_names_the_parameter_and_suggests(tmp_path):
    message = error_of(tmp_path, 'scenario = "tiny.toml"\n[[parameters]]\n'
                                 'key = "market.n_customer"\nvalues = [1000, 2000]\n')
    assert message.startswith("parameters[0].key = 'market.n_customer' (")
    assert "did you mean 'n_customers'?" in message


def test_parameter_key_with_unknown_brand_lists_the_brands(tmp_path):
    message = error_of(tmp_path, 'scenario = "tiny.toml"\n[[parameters]]\n'
                                 'key = "brands.acmee.training_budget"\nvalues = [1, 2]\n')
    assert message == ("parameters[0].key = 'brands.acmee.training_budget' (brands.acmee: no "
                       "such brand in the scenario; known: acme, rival)")


def test_empty_values_refused(tmp_path):
    message = error_of(tmp_path, 'scenario = "tiny.toml"\n[[parameters]]\nkey = "seed_x"\n'
                                 'values = []\n[[parameters]]\nkey = "brands.acme.budget"\n'
                                 'values = []\n')
    assert message == "parameters[0].values = [] (must list at least one value)"


def test_low_above_high_refused(tmp_path):
    message = error_of(tmp_path, 'scenario = "tiny.toml"\ndesign = "lhs"\nn_samples = 4\n'
                                 '[[parameters]]\nkey = "brands.acme.budget"\nlow = 10\nhigh = 5\n')
    assert message == "parameters[0].low = 10.0 (must be below high = 5.0)"


def test_unknown_design_refused_with_the_choices(tmp_path):
    message = error_of(tmp_path, 'scenario = "tiny.toml"\ndesign = "latin"\n')
    assert message == "design = 'latin' (must be one of 'grid', 'lhs', 'zip')"


def test_value_out_of_range_names_the_value_and_the_rule(tmp_path):
    message = error_of(tmp_path, 'scenario = "tiny.toml"\n[[parameters]]\n'
                                 'key = "brands.acme.content.push_share"\nvalues = [0.2, 1.7]\n')
    assert message == ("parameters[0].values[1] = 1.7 (brands.acme.content.push_share must be a "
                       "number between 0 and 1)")


def test_values_allowed_only_together_are_checked_per_design_point(tmp_path):
    # share_active must stay below share_engaging: 0.5 is fine with 0.6, not with 0.4.
    ok = ('scenario = "tiny.toml"\ndesign = "zip"\n[[parameters]]\nkey = "market.share_active"'
          '\nvalues = [0.5, 0.1]\n[[parameters]]\nkey = "market.share_engaging"\n'
          'values = [0.6, 0.4]\n')
    assert load_experiment(tiny_experiment(tmp_path, ok, "ok.toml")).n_points == 2
    message = error_of(tmp_path, ok.replace("design = \"zip\"", "design = \"grid\""))
    assert message.startswith("design point 1 (market.share_active = 0.5, "
                              "market.share_engaging = 0.4) is not a valid scenario (")
    assert "must be ≤ share_engaging = 0.4" in message


def test_range_in_a_grid_needs_n_levels(tmp_path):
    message = error_of(tmp_path, 'scenario = "tiny.toml"\n[[parameters]]\n'
                                 'key = "brands.acme.budget"\nlow = 0\nhigh = 10\n')
    assert "add n_levels, or use design = 'lhs'" in message


def test_lhs_on_an_integer_field_asks_for_integer_flag(tmp_path):
    message = error_of(tmp_path, 'scenario = "tiny.toml"\ndesign = "lhs"\nn_samples = 3\n'
                                 '[[parameters]]\nkey = "market.n_customers"\nlow = 500\n'
                                 'high = 3000\n')
    assert message.endswith("add integer = true to parameters[0]")


def test_lhs_needs_n_samples(tmp_path):
    message = error_of(tmp_path, 'scenario = "tiny.toml"\ndesign = "lhs"\n')
    assert message == "n_samples: missing: design = 'lhs' needs n_samples"


def test_seed_cannot_be_varied(tmp_path):
    message = error_of(tmp_path, 'scenario = "tiny.toml"\n[[parameters]]\nkey = "seed"\n'
                                 'values = [1, 2]\n')
    assert "run seeds come from base_seed and replicates" in message


def test_unknown_output_metric_suggests_one(tmp_path):
    message = error_of(tmp_path, 'scenario = "tiny.toml"\noutputs = ["folowers"]\n')
    assert message == "outputs[0] = 'folowers' (unknown metric; did you mean 'followers'?)"


def test_unknown_reduction_lists_the_allowed_ones(tmp_path):
    message = error_of(tmp_path, 'scenario = "tiny.toml"\noutputs = ["roi:median"]\n')
    assert message == ("outputs[0] = 'roi:median' (reduce must be one of final, mean, max, min,"
                       " auc; reducers with a condition and user-defined ones are declared in "
                       "[[output_definitions]])")


def test_fixed_override_validated_against_the_scenario(tmp_path):
    message = error_of(tmp_path, 'scenario = "tiny.toml"\n[overrides]\nmarket.n_customers = 5\n')
    assert message == "overrides.market.n_customers = 5 (must be an integer between 10 and 10,000,000)"


def test_unknown_scenario_suggests_a_preset(tmp_path):
    message = error_of(tmp_path, 'scenario = "basline"\n')
    assert message.startswith("scenario = 'basline' (") and "did you mean 'baseline'?" in message


def test_cli_error_is_one_line_exit_2_without_traceback(tmp_path):
    path = tiny_experiment(tmp_path, 'scenario = "tiny.toml"\ndesign = "latin"\n', "bad.toml")
    result = socbiz("sweep", path, "--out", tmp_path / "out")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert lines == [f"socbiz: error: {path}: design = 'latin' (must be one of 'grid', 'lhs', "
                     "'zip')"]
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()


# --------------------------------------------------------------------------------------------
# Designs


def test_grid_size_is_the_product_of_the_value_counts(tmp_path):
    text = ('scenario = "tiny.toml"\nreplicates = 3\n'
            '[[parameters]]\nkey = "brands.acme.content.posts_per_day"\nvalues = [0.5, 1, 2]\n'
            '[[parameters]]\nkey = "brands.acme.content.push_share"\nvalues = [0.1, 0.5]\n'
            '[[parameters]]\nkey = "brands.acme.budget"\nlow = 0\nhigh = 1e6\nn_levels = 4\n')
    experiment = load_experiment(tiny_experiment(tmp_path, text))
    assert experiment.n_points == 3 * 2 * 4
    assert experiment.n_runs == 3 * 2 * 4 * 3
    assert len(set(experiment.design.points)) == experiment.n_points
    assert experiment.design.points[0] == (0.5, 0.1, 0.0)
    assert experiment.design.points[1] == pytest.approx((0.5, 0.1, 1e6 / 3), rel=1e-11)


@settings(max_examples=60, deadline=None)
@given(n=st.integers(1, 300), d=st.integers(1, 6), seed=st.integers(0, 2**32))
def test_lhs_hits_each_stratum_exactly_once_per_dimension(n, d, seed):
    u = lhs_unit(n, d, np.random.default_rng(seed))
    assert u.shape == (n, d)
    assert np.all((u >= 0) & (u < 1))
    for j in range(d):
        assert sorted(np.floor(u[:, j] * n).astype(int)) == list(range(n))


@settings(max_examples=40, deadline=None)
@given(n=st.integers(1, 200), seed=st.integers(0, 2**32),
       low=st.floats(1e-3, 1e3), span=st.floats(1e-2, 1e3))
def test_lhs_values_stay_in_bounds_on_every_scale(n, seed, low, span):
    u = lhs_unit(n, 1, np.random.default_rng(seed))[:, 0]
    for p in (Parameter("k", low=low, high=low + span),
              Parameter("k", low=low, high=low + span, scale="log"),
              Parameter("k", low=float(int(low)), high=float(int(low + span) + 1),
                        integer=True)):
        values = np.array(p.from_unit(u))
        assert np.all((values >= p.low) & (values <= p.high))
    # Linear: one value per stratum of [low, high].
    linear = np.array(Parameter("k", low=low, high=low + span).from_unit(u))
    strata = np.floor((linear - low) / span * n).clip(0, n - 1).astype(int)
    assert sorted(strata) == list(range(n))


def test_lhs_categories_and_integers_are_balanced():
    u = lhs_unit(120, 2, np.random.default_rng(1))
    categories = Parameter("k", values=("a", "b", "c")).from_unit(u[:, 0])
    assert {c: categories.count(c) for c in "abc"} == {"a": 40, "b": 40, "c": 40}
    integers = Parameter("k", low=1, high=4, integer=True).from_unit(u[:, 1])
    assert {i: integers.count(i) for i in range(1, 5)} == {1: 30, 2: 30, 3: 30, 4: 30}


def test_lhs_design_is_stable_for_a_seed_and_changes_with_it(tmp_path):
    text = ('scenario = "tiny.toml"\ndesign = "lhs"\nn_samples = 8\nbase_seed = 4\n'
            '[[parameters]]\nkey = "brands.acme.budget"\nlow = 0\nhigh = 1e6\n'
            '[[parameters]]\nkey = "brands.acme.content.mix"\n'
            'values = ["beliefs", "motivations"]\n')
    first = load_experiment(tiny_experiment(tmp_path, text)).design.points
    again = load_experiment(tiny_experiment(tmp_path, text)).design.points
    other = load_experiment(tiny_experiment(tmp_path, text.replace("base_seed = 4",
                                                                   "base_seed = 5"))).design
    assert first == again
    assert first != other.points
    assert {type(v) for point in first for v in point} == {float, str}


def test_zip_pairs_the_ith_values(tmp_path):
    text = ('scenario = "tiny.toml"\ndesign = "zip"\n'
            '[[parameters]]\nkey = "brands.acme.content.posts_per_day"\nvalues = [1, 2, 3]\n'
            '[[parameters]]\nkey = "brands.acme.content.push_share"\nvalues = [0.1, 0.2, 0.3]\n')
    design = load_experiment(tiny_experiment(tmp_path, text)).design
    assert design.points == ((1, 0.1), (2, 0.2), (3, 0.3))


# --------------------------------------------------------------------------------------------
# Seeds and run ids


def test_common_random_number_seeds_come_from_seedsequence_spawn(tmp_path):
    experiment = load_experiment(tiny_experiment(tmp_path))
    children = np.random.SeedSequence(3).spawn(experiment.replicates)
    expected = [int(c.generate_state(1, np.uint64)[0] >> np.uint64(1)) for c in children]
    runs = list(experiment.runs())
    assert [r.run_id for r in runs] == list(range(experiment.n_runs))
    for run in runs:
        assert run.run_id == run.point * experiment.replicates + run.replicate
        assert run.seed == expected[run.replicate]
        assert 0 <= run.seed < 2**63


def test_independent_seeds_are_distinct_and_follow_the_spawn_tree(tmp_path):
    text = GRID_EXPERIMENT.replace("base_seed = 3", "base_seed = 3\ncommon_random_numbers = false")
    experiment = load_experiment(tiny_experiment(tmp_path, text))
    seeds = [r.seed for r in experiment.runs()]
    assert len(set(seeds)) == len(seeds) == experiment.n_runs
    # spawn() is stateful: spawn each node once.
    tree = [node.spawn(experiment.replicates)
            for node in np.random.SeedSequence(3).spawn(experiment.n_points)]
    for run in experiment.runs():
        child = tree[run.point][run.replicate]
        assert run.seed == int(child.generate_state(1, np.uint64)[0] >> np.uint64(1))
    assert seeds == [seed_of(3, p, r, False) for p, r in itertools.product(
        range(experiment.n_points), range(experiment.replicates))]


def test_seeds_and_hash_stable_across_loads_and_python_api(tmp_path):
    path = tiny_experiment(tmp_path)
    a, b = load_experiment(path), load_experiment(path)
    assert [r.seed for r in a.runs()] == [r.seed for r in b.runs()]
    assert a.hash == b.hash
    mapping = {"scenario": str(tmp_path / "tiny.toml"), "replicates": 2, "base_seed": 3,
               "overrides": {"brands.rival.content.posts_per_day": 2},
               "parameters": [{"key": "brands.acme.content.posts_per_day", "name": "frequency",
                               "values": [0.5, 3]},
                              {"key": "brands.acme.content.push_share", "name": "push",
                               "values": [0.2, 0.8]}]}
    assert load_experiment(mapping).hash == a.hash


def test_hash_changes_with_what_changes_results_only(tmp_path):
    base = load_experiment(tiny_experiment(tmp_path)).hash
    titled = load_experiment(tiny_experiment(tmp_path, 'title = "x"\n' + GRID_EXPERIMENT)).hash
    more = load_experiment(tiny_experiment(tmp_path, GRID_EXPERIMENT.replace(
        "replicates = 2", "replicates = 3"))).hash
    assert titled == base
    assert more != base


def test_every_key_of_the_files_is_documented():
    from dataclasses import fields

    from simulation.experiments.sensitivity import SensitivitySpec
    from simulation.experiments.spec import ExperimentSpec

    text = (ROOT / "docs" / "experiments.md").read_text()
    for cls in (ExperimentSpec, Parameter, SensitivitySpec):
        for f in fields(cls):
            name = "[overrides]" if f.name == "overrides" else f.name
            assert f"`{name}`" in text or f"{name} =" in text, f"{cls.__name__}.{f.name}"


def test_the_examples_in_the_documentation_are_valid(tmp_path):
    import re

    text = (ROOT / "docs" / "experiments.md").read_text()
    blocks = re.findall(r"```toml\n(.*?)```", text, flags=re.S)
    sweep = next(b for b in blocks if 'design = "grid"' in b)
    sensitivity = next(b for b in blocks if 'method = "morris"' in b)
    (tmp_path / "sweep.toml").write_text(sweep)
    (tmp_path / "sensitivity.toml").write_text(sensitivity)
    assert load_experiment(tmp_path / "sweep.toml").n_runs == 4 * 3 * 5 * 5
    study = load_sensitivity(tmp_path / "sensitivity.toml")
    assert study.experiment.n_runs == 10 * (2 + 1)
