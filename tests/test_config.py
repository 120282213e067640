"""Scenario configuration: every validation error path gives one line naming the file, the key
path, the bad value and what is allowed; defaults, presets, round trips and overrides."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from simulation.config import DEFAULT_DEPARTMENTS, DEPARTMENTS, MarketConfig, ScenarioConfig
from simulation.scenario import (
    ScenarioError,
    list_scenarios,
    load_scenario,
    parse_override,
    scenario_to_toml,
)
from simulation.schema import ConfigError, build, param

REPO = Path(__file__).resolve().parents[1]
PRESET_FILES = sorted((REPO / "scenarios").glob("*.toml"))
MINIMAL = '[brands.acme]\nmarket_share = 0.1\n'


def write(tmp_path: Path, text: str, name: str = "scenario") -> Path:
    path = tmp_path / f"{name}.toml"
    path.write_text(text, encoding="utf-8")
    return path


def load_error(path: Path, overrides=None) -> str:
    with pytest.raises(ScenarioError) as info:
        load_scenario(path, overrides=overrides)
    return str(info.value)


def assert_message(message: str, *parts: str) -> None:
    """One line that contains every part (file, key path, value, what is allowed)."""
    assert "\n" not in message, f"message is not one line: {message!r}"
    for part in parts:
        assert part in message, f"{part!r} missing from {message!r}"


# --------------------------------------------------------------------------------------------
# Unknown keys, with a did-you-mean


@pytest.mark.parametrize(
    ("text", "path", "suggestion"),
    [
        ("horizn_days = 10\n", "horizn_days", "horizon_days"),
        ("[markt]\nn_customers = 100\n", "markt", "market"),
        ("[market]\nn_customer = 100\n", "market.n_customer", "n_customers"),
        ("[behaviour]\np_shar = 0.1\n", "behaviour.p_shar", "p_share"),
        ("[brands.acme]\nmarket_shar = 0.2\n", "brands.acme.market_shar", "market_share"),
        ("[brands.acme.content]\npost_per_day = 2.0\n", "brands.acme.content.post_per_day",
         "posts_per_day"),
        ("[brands.acme.departments.marketing]\nadoptoin = 0.2\n",
         "brands.acme.departments.marketing.adoptoin", "adoption"),
        ("[brands.acme.departments.marketting]\nadoption = 0.2\n",
         "brands.acme.departments.marketting", "marketing"),
        ("[agencies.ag]\npush_orientaton = 0.5\n", "agencies.ag.push_orientaton",
         "push_orientation"),
    ],
    ids=["top", "section-name", "market", "behaviour", "brand", "content", "department",
         "department-name", "agency"],
)
def test_unknown_key_names_file_path_and_suggestion(tmp_path, text, path, suggestion):
    file = write(tmp_path, text)
    message = load_error(file)
    assert_message(message, str(file), path, "unknown key", f"did you mean '{suggestion}'")


def test_unknown_key_without_close_match_lists_allowed_keys(tmp_path):
    file = write(tmp_path, "[market]\nzzzzzz = 1\n")
    message = load_error(file)
    assert_message(message, str(file), "market.zzzzzz", "allowed keys", "n_customers",
                   "mean_degree")


# --------------------------------------------------------------------------------------------
# Wrong types


@pytest.mark.parametrize(
    ("text", "path", "shown", "allowed"),
    [
        ('[market]\nn_customers = "lots"\n', "market.n_customers", "'lots'", "an integer"),
        ("[market]\nn_customers = 1000.5\n", "market.n_customers", "1000.5", "an integer"),
        ('[brands.acme.content]\npush_share = "half"\n', "brands.acme.content.push_share",
         "'half'", "a number between 0 and 1"),
        ("[brands.acme.content]\npush_share = true\n", "brands.acme.content.push_share",
         "true", "a number between 0 and 1"),
        ("seed = true\n", "seed", "true", "an integer"),
        ("title = 5\n", "title", "5", "must be a string"),
        ('[brands.acme]\nagencies = "ag"\n', "brands.acme.agencies", "'ag'", "must be a list"),
        ("market = 3\n", "market", "3", "must be a table"),
    ],
    ids=["string-for-int", "float-for-int", "string-for-float", "bool-for-float",
         "bool-for-int", "number-for-string", "string-for-list", "number-for-table"],
)
def test_wrong_type_names_file_path_value_and_type(tmp_path, text, path, shown, allowed):
    file = write(tmp_path, text)
    message = load_error(file)
    assert_message(message, str(file), f"{path} = {shown}", allowed)


def test_integral_float_is_accepted_for_an_integer():
    config = load_scenario({"market": {"n_customers": 1000.0}})
    assert config.market.n_customers == 1000
    assert isinstance(config.market.n_customers, int)


@dataclass(frozen=True)
class _Flagged:
    enabled: bool = param(False, "A switch.")


@pytest.mark.parametrize("value", [1, 0, 1.0, "true"])
def test_number_or_string_for_a_boolean_is_rejected(value):
    # No scenario field is a boolean today; the schema's rule is checked on its own.
    with pytest.raises(ConfigError) as info:
        build(_Flagged, {"enabled": value})
    error = info.value.with_source("flags.toml")
    assert_message(str(error), "flags.toml", "enabled = ", "must be true or false")
    assert build(_Flagged, {"enabled": True}).enabled is True


# --------------------------------------------------------------------------------------------
# Out of range and invalid choices


@pytest.mark.parametrize(
    ("text", "path", "shown", "allowed"),
    [
        ("[brands.acme.departments.marketing]\nadoption = 1.7\n",
         "brands.acme.departments.marketing.adoption", "1.7", "between 0 and 1"),
        ("[brands.acme]\nbudget = -5.0\n", "brands.acme.budget", "-5.0", "between 0 and"),
        ("[market]\nn_customers = 5\n", "market.n_customers", "5", "between 10 and"),
        ("horizon_days = 0\n", "horizon_days", "0", "between 1 and"),
        ("[behaviour]\np_share = 1.5\n", "behaviour.p_share", "1.5", "between 0 and 1"),
        ("[word_of_mouth]\npatience_days = 0\n", "word_of_mouth.patience_days", "0",
         "between 1 and"),
        ("[market]\nmean_degree = inf\n", "market.mean_degree", "inf", "finite"),
        ("[market]\nmean_degree = nan\n", "market.mean_degree", "nan", "finite"),
    ],
    ids=["adoption", "budget", "n_customers", "horizon", "p_share", "patience", "inf", "nan"],
)
def test_out_of_range_names_file_path_value_and_range(tmp_path, text, path, shown, allowed):
    file = write(tmp_path, text)
    message = load_error(file)
    assert_message(message, str(file), f"{path} = {shown}", allowed)


def test_invalid_choice_lists_choices_and_suggests_closest(tmp_path):
    file = write(tmp_path, '[market]\nnetwork = "smallworld"\n')
    message = load_error(file)
    assert_message(message, str(file), "market.network = 'smallworld'", "'small_world'",
                   "'scale_free'", "'fully_mixed'", "did you mean 'small_world'")


def test_invalid_organisational_model_lists_the_models(tmp_path):
    file = write(tmp_path, '[brands.acme]\norganisational_model = "hub-and-spoke"\n')
    message = load_error(file)
    assert_message(message, str(file), "brands.acme.organisational_model = 'hub-and-spoke'",
                   "'hub_and_spoke'", "'holistic'", "did you mean 'hub_and_spoke'")


def test_dependent_limits_are_checked(tmp_path):
    file = write(tmp_path, "[market]\nn_customers = 100\nmean_degree = 150.0\n")
    assert_message(load_error(file), str(file), "market.mean_degree = 150.0",
                   "below n_customers = 100")
    file = write(tmp_path, "[market]\nshare_engaging = 0.1\nshare_active = 0.2\n", "active")
    assert_message(load_error(file), str(file), "market.share_active = 0.2",
                   "share_engaging = 0.1")


def test_awareness_below_market_share_is_rejected(tmp_path):
    file = write(tmp_path, "[brands.acme]\nmarket_share = 0.5\nawareness = 0.3\n")
    message = load_error(file)
    assert_message(message, str(file), "brands.acme.awareness = 0.3", "market_share = 0.5")


def test_awareness_equal_to_market_share_is_allowed():
    config = load_scenario({"brands": {"acme": {"market_share": 0.4, "awareness": 0.4}}})
    assert config.brands["acme"].awareness == config.brands["acme"].market_share == 0.4


# --------------------------------------------------------------------------------------------
# Content mixes


def test_mix_with_unknown_type_suggests_the_type(tmp_path):
    file = write(tmp_path, "[brands.acme.content.mix]\ndiscount = 1.0\n")
    message = load_error(file)
    assert_message(message, str(file), "brands.acme.content.mix.discount = 1.0",
                   "did you mean 'discounts'")


def test_mix_of_all_zeros_is_rejected(tmp_path):
    file = write(tmp_path, "[brands.acme.content.mix]\ndiscounts = 0.0\npurchase = 0.0\n")
    message = load_error(file)
    assert_message(message, str(file), "brands.acme.content.mix = {discounts = 0.0",
                   "share > 0")


def test_mix_with_negative_share_names_the_share_and_its_range(tmp_path):
    file = write(tmp_path, "[brands.acme.content.mix]\ndiscounts = -0.5\npurchase = 1.0\n")
    message = load_error(file)
    assert_message(message, str(file), "brands.acme.content.mix.discounts = -0.5", "≥ 0")


def test_unknown_named_mix_lists_the_names(tmp_path):
    file = write(tmp_path, '[brands.acme.content]\nmix = "motivation"\n')
    message = load_error(file)
    assert_message(message, str(file), "brands.acme.content.mix = 'motivation'",
                   "'motivations'", "'beliefs'", "'balanced'", "'campaign'")


def test_unknown_agency_campaign_mix_is_rejected(tmp_path):
    file = write(tmp_path, '[agencies.ag]\ncampaign_mix = "viral"\n')
    message = load_error(file)
    assert_message(message, str(file), "agencies.ag.campaign_mix = 'viral'", "'campaign'")


# --------------------------------------------------------------------------------------------
# References to brands, departments and agencies that do not exist


def test_brand_agency_that_does_not_exist(tmp_path):
    file = write(tmp_path, '[agencies.pushpin]\n[brands.acme]\nagencies = ["ghost"]\n')
    message = load_error(file)
    assert_message(message, str(file), "brands.acme.agencies[0] = 'ghost'", "no such agency",
                   "pushpin")


def test_brand_agency_when_no_agency_is_defined(tmp_path):
    file = write(tmp_path, '[brands.acme]\nagencies = ["ghost"]\n')
    message = load_error(file)
    assert_message(message, str(file), "brands.acme.agencies[0] = 'ghost'",
                   "no agency is defined")


def test_agency_named_twice_by_a_brand(tmp_path):
    file = write(tmp_path, '[agencies.ag]\n[brands.acme]\nagencies = ["ag", "ag"]\n')
    message = load_error(file)
    assert_message(message, str(file), "brands.acme.agencies = ['ag', 'ag']", "twice")


@pytest.mark.parametrize(
    ("entry", "path", "shown", "allowed"),
    [
        ('kind = "sponsorship"\nbrand = "nobody"\n', "timeline[0].brand", "'nobody'",
         "no such brand; known: acme"),
        ('kind = "training"\nbrand = "acme"\ndepartments = ["hr", "marketting"]\n',
         "timeline[0].departments[1]", "'marketting'", "did you mean 'marketing'"),
        ('kind = "training"\nbrand = "acme"\ndepartments = []\n', "timeline[0].departments",
         "[]", "at least one department"),
        ('kind = "switch_agency"\nbrand = "acme"\nagency = "ghost"\n', "timeline[0].agency",
         "'ghost'", "no such agency; known: ag"),
        ('kind = "switch_agency"\nbrand = "acme"\nagency = "ag"\nreplaces = "ghost"\n',
         "timeline[0].replaces", "'ghost'", "no such agency; known: ag"),
        ('kind = "crisis"\nbrand = "acme"\ncause = "fire"\n', "timeline[0].cause", "'fire'",
         "'employee_video'"),
        ('kind = "training"\nbrand = "acme"\ncoverage = 2.0\n', "timeline[0].coverage", "2.0",
         "between 0 and 1"),
        ('kind = "hiring"\nbrand = "acme"\nhrs = 8.0\n', "timeline[0].hrs", None,
         "did you mean 'hours'"),
    ],
    ids=["brand", "departments", "no-departments", "agency", "replaces", "cause", "coverage",
         "unknown-field"],
)
def test_timeline_entry_errors_name_the_entry(tmp_path, entry, path, shown, allowed):
    file = write(tmp_path, "[agencies.ag]\n[brands.acme]\n[[timeline]]\n" + entry)
    message = load_error(file)
    assert_message(message, str(file), path if shown is None else f"{path} = {shown}", allowed)


def test_hiring_unknown_department_names_the_department_key(tmp_path):
    file = write(tmp_path, '[brands.acme]\n[[timeline]]\nkind = "hiring"\nbrand = "acme"\n'
                           'department = "sales"\n')
    message = load_error(file)
    assert_message(message, str(file), "timeline[0].department = 'sales'", "customer_service")


def test_unknown_timeline_kind_suggests_a_kind(tmp_path):
    file = write(tmp_path, '[[timeline]]\nkind = "trainning"\nbrand = "acme"\n')
    message = load_error(file)
    assert_message(message, str(file), "timeline[0].kind = 'trainning'", "'training'",
                   "'crisis'", "did you mean 'training'")


def test_timeline_entry_without_kind(tmp_path):
    file = write(tmp_path, '[[timeline]]\nbrand = "acme"\n')
    message = load_error(file)
    assert_message(message, str(file), "timeline[0].kind", "must be one of", "'training'")


def test_second_timeline_entry_is_indexed(tmp_path):
    file = write(tmp_path, '[[timeline]]\nkind = "hiring"\nbrand = "acme"\n'
                           '[[timeline]]\nkind = "listening"\nbrand = "acme"\ncoverage = -1.0\n')
    assert_message(load_error(file), str(file), "timeline[1].coverage = -1.0", "between 0 and 1")


# --------------------------------------------------------------------------------------------
# Names


@pytest.mark.parametrize("name", ["", "  ", " acme", "a.b"])
def test_bad_brand_name_is_rejected(tmp_path, name):
    file = write(tmp_path, f'[brands."{name}"]\nmarket_share = 0.1\n')
    message = load_error(file)
    assert_message(message, str(file), f"brands.{name} = {name!r}", "names")


def test_empty_agency_name_is_rejected(tmp_path):
    file = write(tmp_path, '[agencies.""]\n')
    assert_message(load_error(file), str(file), "agencies. = ''", "non-empty")


def test_no_brand_at_all_is_rejected(tmp_path):
    file = write(tmp_path, "brands = {}\n")
    assert_message(load_error(file), str(file), "brands = {}", "at least one brand")


def test_duplicated_table_is_a_toml_parse_error_naming_the_file(tmp_path):
    file = write(tmp_path, "[brands.acme]\nmarket_share = 0.1\n[brands.acme]\nawareness = 0.5\n")
    message = load_error(file)
    assert_message(message, str(file), "not valid TOML", "acme")


def test_duplicated_key_is_a_toml_parse_error_naming_the_file(tmp_path):
    file = write(tmp_path, "horizon_days = 10\nhorizon_days = 20\n")
    assert_message(load_error(file), str(file), "not valid TOML")


def test_invalid_toml_syntax_names_the_file_and_line(tmp_path):
    file = write(tmp_path, "[market\nn_customers = 5\n")
    assert_message(load_error(file), str(file), "not valid TOML", "line 1")


def test_name_not_matching_file_name_is_rejected(tmp_path):
    file = write(tmp_path, 'name = "other"\n', name="mine")
    message = load_error(file)
    assert_message(message, str(file), "name = 'other'", "'mine'")


def test_name_matching_file_name_is_accepted_and_missing_name_is_the_file_name(tmp_path):
    assert load_scenario(write(tmp_path, 'name = "mine"\n', name="mine")).name == "mine"
    assert load_scenario(write(tmp_path, MINIMAL, name="other")).name == "other"


def test_missing_file_and_unknown_preset_are_one_line_errors(tmp_path):
    missing = tmp_path / "nope.toml"
    assert_message(load_error(missing), str(missing), "no such scenario file")
    with pytest.raises(ScenarioError) as info:
        load_scenario("baselin")
    assert_message(str(info.value), "'baselin'", "not found", "did you mean 'baseline'")


# --------------------------------------------------------------------------------------------
# Overrides


def test_override_with_bad_value_names_file_path_and_range(tmp_path):
    file = write(tmp_path, MINIMAL)
    message = load_error(file, {"market.n_customers": "many"})
    assert_message(message, str(file), "market.n_customers = 'many'", "an integer")


def test_override_on_missing_brand_names_the_brand_and_the_known_ones(tmp_path):
    file = write(tmp_path, MINIMAL)
    message = load_error(file, {"brands.zed.budget": 5.0})
    assert_message(message, "brands.zed", "no such brand", "known: acme")


def test_override_on_missing_agency_says_agency(tmp_path):
    file = write(tmp_path, MINIMAL + "[agencies.ag]\n")
    message = load_error(file, {"agencies.nope.monthly_fee": 1.0})
    assert_message(message, "agencies.nope", "no such agency", "known: ag")


def test_override_through_a_value_that_is_not_a_table(tmp_path):
    file = write(tmp_path, "[market]\nn_customers = 100\n" + MINIMAL)
    message = load_error(file, {"market.n_customers.x": 5})
    assert_message(message, "market.n_customers", "100", "not a table")
    # Through a default (not in the file): the made-up table is rejected by type.
    message = load_error(file, {"brands.acme.budget.x": 5})
    assert_message(message, str(file), "brands.acme.budget = {x = 5}", "a number")


@pytest.mark.parametrize(
    "overrides",
    [
        {"market.n_customers": 1},
        {"brands.zed.budget": 5.0},
        {"market.n_customers.x": 5},
        {"market..n_customers": 5},
    ],
    ids=["bad-value", "missing-brand", "non-table", "empty-key"],
)
def test_every_override_error_names_the_scenario_file(tmp_path, overrides):
    file = write(tmp_path, "[market]\nn_customers = 100\n" + MINIMAL)
    assert_message(load_error(file, overrides), str(file))


def test_overrides_change_only_what_they_name(tmp_path):
    file = write(tmp_path, MINIMAL)
    base = load_scenario(file)
    changed = load_scenario(file, {"brands.acme.departments.hr.adoption": 0.9,
                                   "market.n_customers": 1234})
    assert changed.market.n_customers == 1234
    assert changed.brands["acme"].departments["hr"].adoption == 0.9
    hr_before = base.brands["acme"].departments["hr"]
    hr_after = changed.brands["acme"].departments["hr"]
    assert hr_after.trained_share == hr_before.trained_share
    assert hr_after.headcount == hr_before.headcount
    assert changed.brands["acme"].departments["pr"] == base.brands["acme"].departments["pr"]
    assert changed.behaviour == base.behaviour


def test_overrides_apply_to_a_loaded_config():
    config = load_scenario({"brands": {"acme": {}}})
    assert load_scenario(config) is config
    changed = load_scenario(config, {"brands.acme.budget": 10.0})
    assert changed.brands["acme"].budget == 10.0
    assert config.brands["acme"].budget != 10.0


# --------------------------------------------------------------------------------------------
# parse_override


def test_parse_override_without_equals_sign_is_an_error():
    with pytest.raises(ScenarioError) as info:
        parse_override("market.n_customers")
    assert_message(str(info.value), "market.n_customers", "KEY=VALUE")


@pytest.mark.parametrize(
    ("text", "value", "kind"),
    [
        ("market.n_customers=5000", 5000, int),
        ("brands.acme.content.push_share=0.5", 0.5, float),
        ("x=1e3", 1000.0, float),
        ("x=true", True, bool),
        ("x=false", False, bool),
        ('x="hello"', "hello", str),
        ("x=word", "word", str),
        ("x=two words", "two words", str),
        ("x=", "", str),
        ("x=a=b", "a=b", str),
        (" x = 7 ", 7, int),
    ],
)
def test_parse_override_reads_toml_values_else_strings(text, value, kind):
    key, parsed = parse_override(text)
    assert key == text.split("=", 1)[0].strip()
    assert parsed == value
    assert type(parsed) is kind


def test_parse_override_reads_toml_lists():
    assert parse_override('brands.acme.agencies=["a", "b"]') == ("brands.acme.agencies",
                                                                  ["a", "b"])


def test_parsed_override_loads_into_the_config():
    key, value = parse_override("market.n_customers=5000")
    assert load_scenario({"brands": {"acme": {}}}, {key: value}).market.n_customers == 5000


# --------------------------------------------------------------------------------------------
# Defaults and partial tables


def test_partial_department_table_keeps_the_other_defaults(tmp_path):
    file = write(tmp_path, "[brands.acme.departments.marketing]\nadoption = 0.2\n")
    config = load_scenario(file)
    departments = config.brands["acme"].departments
    assert tuple(departments) == DEPARTMENTS
    default = DEFAULT_DEPARTMENTS["marketing"]
    marketing = departments["marketing"]
    assert marketing.adoption == 0.2
    for key in ("trained_share", "capacity_hours", "awareness", "resistance", "headcount"):
        assert getattr(marketing, key) == getattr(default, key), key
    for kind in DEPARTMENTS:
        if kind != "marketing":
            assert departments[kind] == DEFAULT_DEPARTMENTS[kind], kind


def test_inline_department_table_keeps_the_other_defaults():
    config = load_scenario({"brands": {"acme": {"departments": {
        "customer_service": {"capacity_hours": 6.0}}}}})
    service = config.brands["acme"].departments["customer_service"]
    assert service.capacity_hours == 6.0
    assert service.headcount == DEFAULT_DEPARTMENTS["customer_service"].headcount
    assert service.adoption == DEFAULT_DEPARTMENTS["customer_service"].adoption


def test_partial_section_keeps_the_other_defaults(tmp_path):
    config = load_scenario(write(tmp_path, "[market]\nn_customers = 123\n"))
    defaults = MarketConfig()
    assert config.market.n_customers == 123
    assert config.market.network == defaults.network
    assert config.market.motivations == defaults.motivations
    assert config.behaviour == ScenarioConfig().behaviour


def test_empty_file_gives_the_default_config(tmp_path):
    config = load_scenario(write(tmp_path, "", name="custom"))
    assert config == ScenarioConfig()


# --------------------------------------------------------------------------------------------
# Presets and round trips


def test_preset_list_is_the_scenario_files():
    presets = list_scenarios()
    assert set(presets) == {p.stem for p in PRESET_FILES}
    assert "baseline" in presets


@pytest.mark.parametrize("path", PRESET_FILES, ids=lambda p: p.stem)
def test_every_preset_loads_by_name_and_by_path(path):
    by_name = load_scenario(path.stem)
    by_path = load_scenario(path)
    assert by_name == by_path
    assert by_name.name == path.stem
    assert by_name.title
    assert by_name.brands


def test_default_scenario_is_baseline():
    assert load_scenario().name == "baseline"


def _rich_scenario() -> ScenarioConfig:
    return load_scenario({
        "name": "rich",
        "market": {"n_customers": 500, "network": "small_world"},
        "brands": {
            "a": {"agencies": ["ag"], "content": {"mix": {"discounts": 2, "reviews": 1}}},
            "b": {"market_share": 0.05, "organisational_model": "holistic"},
        },
        "agencies": {"ag": {"campaign_mix": "balanced"}},
        "narrative": [{"day": 3, "watch": "something", "ask": "why?"}],
        "timeline": [
            {"kind": "content", "brand": "a", "day": 5, "push_share": 0.1},
            {"kind": "training", "brand": "b", "departments": ["hr", "pr"]},
            {"kind": "crisis", "brand": "a", "day": 9, "cause": "ngo_attack"},
            {"kind": "switch_agency", "brand": "b", "agency": "ag"},
        ],
    })


@pytest.mark.parametrize("name", [p.stem for p in PRESET_FILES] + ["rich"])
def test_toml_round_trip_gives_an_equal_config_and_hash(tmp_path, name):
    config = _rich_scenario() if name == "rich" else load_scenario(name)
    file = write(tmp_path, scenario_to_toml(config), name=config.name)
    again = load_scenario(file)
    assert again == config
    assert again.config_hash() == config.config_hash()
    assert load_scenario(config.to_dict()) == config


def test_config_hash_ignores_texts_and_seed_but_not_parameters():
    config = load_scenario("baseline")
    same = load_scenario("baseline", {"seed": 7, "title": "another", "description": "x"})
    other = load_scenario("baseline", {"market.n_customers": 1000})
    assert same.config_hash() == config.config_hash()
    assert other.config_hash() != config.config_hash()


# --------------------------------------------------------------------------------------------
# Nothing in a scenario is executed


PAYLOAD = "__import__('os').system('touch {marker}')"


def test_code_in_a_string_value_stays_a_string(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    marker = tmp_path / "PWNED"
    payload = PAYLOAD.format(marker=marker)
    file = write(tmp_path, f'title = "{payload}"\ndescription = """{payload}"""\n')
    config = load_scenario(file)
    assert config.title == payload
    assert config.description == payload
    scenario_to_toml(config)
    config.config_hash()
    assert not marker.exists()


@pytest.mark.parametrize("key", ["market.n_customers", "brands.acme.budget", "market.network",
                                 "brands.acme.content.mix"])
def test_code_in_a_typed_value_is_rejected_not_run(tmp_path, monkeypatch, key):
    monkeypatch.chdir(tmp_path)
    marker = tmp_path / "PWNED"
    payload = PAYLOAD.format(marker=marker)
    file = write(tmp_path, MINIMAL)
    key_, value = parse_override(f"{key}={payload}")
    assert value == payload
    message = load_error(file, {key_: value})
    assert_message(message, key)
    assert not marker.exists()
