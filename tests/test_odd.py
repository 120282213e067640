"""The ODD description stays true to the code: its parameter table is the generated one."""

from simulation.docs import END, ODD_PATH, START, parameter_table, scenario_parameters
from simulation.schema import format_value


def odd_text() -> str:
    return ODD_PATH.read_text(encoding="utf-8")


def test_odd_parameter_table_is_up_to_date():
    text = odd_text()
    table = text.split(START, 1)[1].split(END, 1)[0].strip()
    assert table == parameter_table().strip(), "run `python -m simulation.docs` to refresh docs/ODD.md"


def test_every_scenario_parameter_is_in_the_odd_table_with_its_default():
    text = odd_text()
    params = scenario_parameters()
    assert len(params) > 100
    for p in params:
        row = next((line for line in text.splitlines() if line.startswith(f"| `{p.path}` |")), None)
        assert row is not None, f"{p.path} missing from docs/ODD.md"
        assert format_value(p.default).replace("|", "\\|") in row, f"{p.path}: default not shown"


def test_every_parameter_row_says_whether_its_value_is_published_or_assumed():
    for p in scenario_parameters():
        assert p.source, p.path
        assert p.help, f"{p.path} has no help text"


def test_odd_covers_the_protocol_sections():
    text = odd_text()
    for heading in ("Purpose and patterns", "Entities, state variables and scales",
                    "Process overview and scheduling", "Design concepts", "Initialisation",
                    "Input data", "Submodels", "Parameters"):
        assert heading in text
