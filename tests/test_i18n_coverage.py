"""Every user-facing sentence of the converted modules goes through the catalogue.

An AST scan: in each module of CONVERTED, a string literal (or f-string) that reads like a
sentence (two words or more) must sit inside a translation call (``_``, ``ngettext``,
``pgettext``, ``_l``, ``msg``, ``nmsg``, ``param`` help ...), be a docstring, or be listed in
NOT_USER_FACING with the reason it is data rather than text. A module joins CONVERTED once all
its strings are wrapped; the modules not yet converted are listed in NOT_YET_CONVERTED so the
gap stays visible (tests/test_i18n_coverage.py is where to look).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

CONVERTED = (
    "simulation/cli.py",
    "simulation/schema.py",
    "simulation/i18n.py",
    "simulation/data_dictionary.py",
    "simulation/config.py",
    "simulation/scenario.py",
    "simulation/events.py",
    "simulation/agents/brands.py",
    "simulation/complaints.py",
    "simulation/customers.py",
    "simulation/model.py",
)

# Modules with user-facing text still in English only (owners convert them with the helpers
# of simulation/i18n.py; each moves to CONVERTED when done).
NOT_YET_CONVERTED = (
    "dashboards/",  # every module (owner: dashboard)
    "simulation/workshop/",  # (owner: workshop)
    "simulation/dashboard_cli.py",
    "simulation/experiments/",  # cli, spec, sensitivity, sweep, analysis, store, executors
    "simulation/validation/",  # cli, patterns (the validation report)
    "simulation/docs.py",  # ODD table header (its cells are translated: help, units, allowed)
    "simulation/metrics.py",  # phase names and generated docstrings (the event log uses TERMS)
    "simulation/network.py",
    "simulation/plots.py",  # titles and axis labels of the PNG plots
    "simulation/vocabulary.py",  # labels and help of the terms (crisis sentences are wrapped)
)

TRANSLATING_CALLS = {
    "_", "gettext", "ngettext", "pgettext", "npgettext", "_l", "lazy_gettext",
    "lazy_pgettext", "lazy_ngettext", "N_", "msg", "nmsg", "param",
}

# Literals that look like sentences but are data, with why.
NOT_USER_FACING = {
    "interrupted at day ": "the status stored in metadata.json, parsed back (cli.status_text)",
}

PROGRAMMING_ERRORS = {"TypeError", "NotImplementedError", "RuntimeError", "AssertionError",
                      "KeyError", "IndexError"}
# Registration mistakes (a developer declaring an extension wrongly) are not user-facing.
REGISTRATION_ERRORS = ("is not in simulation.", "unknown surfaces")

CITATION = re.compile(r"(verified|assumed)\b")
SENTENCE = re.compile(r"[A-Za-z]{2,}[ ,;:'-]+[A-Za-z]{2,}")


def _literal_text(node: ast.AST) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value for v in node.values
                       if isinstance(v, ast.Constant) and isinstance(v.value, str))
    return None


def _call_name(node: ast.Call) -> str:
    func = node.func
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(
        func, ast.Attribute) else ""


def untranslated_sentences(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings, inside_translation, quiet = set(), set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and _literal_text(body[0].value):
                docstrings.add(id(body[0].value))
        if isinstance(node, ast.Call) and _call_name(node) in TRANSLATING_CALLS:
            for arg in [*node.args, *(k.value for k in node.keywords)]:
                for sub in ast.walk(arg):
                    inside_translation.add(id(sub))
        # Dictionary keys, subscripts and comparisons are identifiers, not sentences.
        if isinstance(node, ast.Subscript):
            quiet.update(id(s) for s in ast.walk(node.slice))
        if isinstance(node, ast.Compare):
            quiet.update(id(s) for s in ast.walk(node))
        if isinstance(node, ast.keyword) and node.arg in ("metavar", "dest", "prog", "version",
                                                          "source"):
            quiet.update(id(s) for s in ast.walk(node.value))
        if isinstance(node, ast.Dict):
            quiet.update(id(s) for k in node.keys if k is not None for s in ast.walk(k))
        # Programming errors are for developers, in English.
        if isinstance(node, ast.Call) and _call_name(node) in PROGRAMMING_ERRORS:
            quiet.update(id(s) for a in node.args for s in ast.walk(a))
        if isinstance(node, ast.JoinedStr):  # its pieces are judged with the whole f-string
            quiet.update(id(v) for v in node.values)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FormattedValue):
            continue
        text = _literal_text(node)
        if text is None or id(node) in docstrings | inside_translation | quiet:
            continue
        if text.startswith("--") or CITATION.match(text) or any(
                r in text for r in REGISTRATION_ERRORS):
            continue  # an option name, or a source citation (kept as written, like param source=)
        if SENTENCE.search(text) and text not in NOT_USER_FACING:
            found.append((node.lineno, text))
    return found


@pytest.mark.parametrize("module", CONVERTED)
def test_converted_modules_have_no_untranslated_sentence(module):
    found = untranslated_sentences(ROOT / module)
    assert not found, (f"{module}: user-facing text not in the catalogue (wrap it in _() or "
                       f"msg(), see simulation/i18n.py): {found[:8]}")


def test_the_scan_catches_an_unwrapped_sentence(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text('def f(x):\n    """Doc string is fine."""\n'
                      '    print(_("wrapped sentence here"))\n'
                      '    raise ValueError(f"{x} is not allowed here")\n'
                      '    return {"some key": 1}["some key"]\n')
    assert untranslated_sentences(sample) == [(4, " is not allowed here")]


def test_converted_modules_exist():
    for module in CONVERTED:
        assert (ROOT / module).is_file(), module
