"""Every user-facing string of the dashboard, the CLI and the event log goes through the catalogue.

An AST scan of every module in SCOPE (the dashboard, the commands and what they print, the
modules that write the event log). A module fails when it holds:

- a string literal or f-string that reads like a sentence (two words or more) outside a
  translation call (``_``, ``ngettext``, ``pgettext``, ``_l``, ``msg``, ``nmsg``, ``N_``,
  ``param`` ...): ``print``, ``log.warning``, ``raise ...Error(...)``, argparse ``help=``,
  ``description=``, a label in a module-level table all count;
- in the dashboard, any word (even a single one, ``"Play"``) given as text to a Solara or
  ipyvuetify component: a positional argument or a ``label=``, ``title=``, ``children=``,
  ``text=``, ``placeholder=``, ``hint=``, ``tooltip=`` ... of a call on ``solara``/``v``/``rv``.

Not text (never flagged, each for a stated reason): docstrings; identifiers, which contain no
whitespace (command and option names, keys, column names, paths, URLs, CSS classes, icons);
the tags of HTML/SVG markup (``'<text x="{x}">{label}</text>'``: the text between tags
is judged, here a placeholder);
dictionary keys, subscripts and comparisons (they are identifiers); the ``metavar``, ``dest``,
``prog``, ``version``, ``source``, ``classes``, ``style``, ``icon_name``... keywords; the
messages of programming errors (TypeError, RuntimeError ...: for developers, in English); source
citations of ``param()`` ("verified: ..."); and the short list NOT_USER_FACING below.

Whether each wrapped string has its French is tests/test_i18n.py's job (every catalogue entry
translated, none fuzzy, the catalogue up to date with the code): together they are the issue's
"a test fails if any user-facing string is not in the catalogue or lacks its French".

NOT_YET_CONVERTED lists, explicitly, the modules whose strings are still English only, with
their owner; a listed module that has become clean fails too, so the list only shrinks.
"""

from __future__ import annotations

import ast
import functools
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# What the issue calls the dashboard, the CLI and the event log (folders are walked).
SCOPE = (
    "dashboards/",  # the dashboard and the workshop screens
    "simulation/cli.py",
    "simulation/dashboard_cli.py",
    "simulation/experiments/",  # sweep, sensitivity, sensitivity-lhs, sweep-plot, survival ...
    "simulation/validation/cli.py",
    "simulation/workshop/cli.py",
    "simulation/workshop/config.py",  # a refused decision's one-line reason, on the team's page
    "simulation/workshop/market.py",  # incidents as the console lists them
    "simulation/runner.py",  # socbiz run's messages and --out errors
    "simulation/config.py",  # one-line errors of a scenario
    "simulation/schema.py",
    "simulation/scenario.py",
    "simulation/data_dictionary.py",
    "simulation/i18n.py",
    "simulation/plots.py",  # titles and axis labels of socbiz run's PNG files
    "simulation/network.py",
    "simulation/vocabulary.py",  # labels and help of the domain's terms
    "simulation/views.py",  # what the dashboard reads
    # The event log: where its sentences are written.
    "simulation/events.py",
    "simulation/model.py",
    "simulation/complaints.py",
    "simulation/customers.py",
    "simulation/agents/",  # brands, departments, crises, listening ... (the event log)
    "simulation/metrics.py",
)

# Modules not yet converted (English only), with who converts them. Each entry is a file; a
# file listed here that has become clean fails test_not_yet_converted_list_is_not_stale.
NOT_YET_CONVERTED: dict[str, str] = {}

# Files of SCOPE that are tools, not interface (with why).
NOT_INTERFACE = {
    "dashboards/screenshots.py": "a developer's script that writes docs/ images (--lang en|fr)",
}

TRANSLATING_CALLS = {
    "_", "gettext", "ngettext", "pgettext", "npgettext", "_l", "lazy_gettext",
    "lazy_pgettext", "lazy_ngettext", "N_", "msg", "nmsg", "param", "t",
}

# Literals that look like sentences but are data, with why.
NOT_USER_FACING = {
    "interrupted at day ": "the status stored in metadata.json, parsed back (cli.status_text)",
    "exported from the dashboard at day ": "the status stored in an exported metadata.json "
                                           "(a data file: stable English, as socbiz run's)",
    " seeds per arm": "validation settings stored in raw/*.json for the (English) report",
    " points ×  seeds,  customers": "validation settings stored for the (English) report",
    " seeds, sizes ": "validation settings stored for the (English) report",
    "stopped (no end recorded: killed?)": "a session status stored in experiment.json",
    "The market's  for the brand today.": "a reporter's __doc__, for developers (metrics.py)",
    "Adoption of social media by .": "a reporter's __doc__, for developers (metrics.py)",
    "failure injected by  for run ": "a test hook's error (SOCBIZ_SWEEP_FAIL_RUNS)",
    "pid  on \n": "the lock file's content, read by a program",
    "at day  of ": "the run status stored in metadata.json (views.run_metadata)",
    "; other patterns kept from an earlier run": "validation settings stored for the report",
    "Coverage of the listening tool bought.": "a property's docstring (agents/brands.py)",
    "freed %d closed tab(s); %d session(s) left": "the dashboard server's log, for its operator",
    "could not free a session": "the dashboard server's log (with the traceback), for its "
                                "operator",
    # The dashboard server's log (log.warning / log.exception), for its operator, in English.
    "cannot load %s: %s; using the default scenario": "the dashboard server's log",
    "could not restore the tab's session": "the dashboard server's log",
    "frame of %s failed": "the dashboard server's log",
    "dashboard action failed": "the dashboard server's log",
    "play loop stopped": "the dashboard server's log",
    "could not publish the last frame": "the dashboard server's log",
    "chart failed": "the dashboard server's log",
    "settle failed": "the dashboard server's log",
    "export failed": "the dashboard server's log",
    "Mesa view: data of day %s not readable yet": "the dashboard server's log",
    "mean (censored at the horizon: biased low)": "a value of the summary tables' statistic "
                                                  "column (data, read by scripts)",
    "t over seed means": "a value of the summary tables' interval column (data)",
    "share at ": "a value of the summary tables' statistic column (data, parsed back)",
    "unknown key": "the English opening of the schema's key errors, matched in their text "
                   "(experiments/spec/checks.py)",
    "no such": "the English opening of the scenario's key errors, matched in their text",
}
# Module-level names whose value is code, not text (a style sheet given to solara.Style).
CODE_NAMES = re.compile(r"(^|_)CSS$")

PROGRAMMING_ERRORS = {"TypeError", "NotImplementedError", "RuntimeError", "AssertionError",
                      "KeyError", "IndexError"}
# Registration mistakes (a developer declaring an extension wrongly) are not user-facing.
REGISTRATION_ERRORS = ("is not in simulation.", "unknown surfaces",
                       "is already a vocabulary term", "is declared twice",
                       "figure cannot be shown on /mesa")
# Keywords whose value is never text shown to people.
IDENTIFIER_KEYWORDS = {"metavar", "dest", "prog", "version", "source", "classes", "class_",
                       "style", "icon_name", "color", "href", "target", "key", "type", "tag",
                       "encoding", "mode", "format", "backend", "loc", "marker", "linestyle",
                       "ls", "cmap", "path", "name", "id", "ref", "v_model", "css", "unit",
                       "kind", "status", "doc"}  # doc=: a property's docstring
# Keywords of a Solara / ipyvuetify call that are text on the page.
UI_TEXT_KEYWORDS = {"label", "title", "children", "text", "placeholder", "hint", "tooltip",
                    "subtitle", "description", "help", "messages", "suffix", "prefix",
                    "error_messages", "content"}
UI_ROOTS = {"solara", "v", "rv", "vuetify", "ipyvuetify", "w", "widgets"}
# Solara calls whose string arguments are code or identifiers, not text.
UI_NOT_TEXT = {"Style", "Route", "reactive", "use_reactive", "use_state", "use_memo",
               "use_effect", "component_vue", "HTML", "Head", "Title", "Meta", "Link"}

CITATION = re.compile(r"(verified|assumed)\b")
SENTENCE = re.compile(r"[A-Za-z]{2,}[ ,;:'-]+[A-Za-z]{2,}")
WORD = re.compile(r"[A-Za-zÀ-ÿ]{2,}")
# HTML or SVG markup written as a literal (its words are tags and attributes; the text it
# carries comes from placeholders, which the scan judges where they are built).
TAG = re.compile(r"<[^<>]*>")


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


def _call_root(node: ast.Call) -> str:
    func = node.func
    while isinstance(func, ast.Attribute):
        func = func.value
    return func.id if isinstance(func, ast.Name) else ""


@functools.cache
def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"))


def _is_identifier(text: str) -> bool:
    """No whitespace: a name, a key, an option, a path, a URL, a CSS class, an icon."""
    return not re.search(r"\s", text.strip()) if text.strip() else True


def untranslated_sentences(path: Path, *, ui: bool | None = None) -> list[tuple[int, str]]:
    """(line, text) of the user-facing literals of ``path`` not in a translation call.

    ``ui``: also flag single words given to Solara/ipyvuetify components (default: for the
    files under dashboards/).
    """
    if ui is None:
        ui = "dashboards" in path.resolve().relative_to(ROOT).parts if path.resolve(
            ).is_relative_to(ROOT) else False
    tree = _tree(path)
    docstrings, inside_translation, quiet, ui_text = set(), set(), set(), set()
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
        if isinstance(node, ast.keyword) and node.arg in IDENTIFIER_KEYWORDS:
            quiet.update(id(s) for s in ast.walk(node.value))
        if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and CODE_NAMES.search(t.id) for t in node.targets):
            quiet.update(id(s) for s in ast.walk(node.value))  # a style sheet is code
        if isinstance(node, ast.Dict):
            quiet.update(id(s) for k in node.keys if k is not None for s in ast.walk(k))
        # Programming errors are for developers, in English.
        if isinstance(node, ast.Call) and _call_name(node) in PROGRAMMING_ERRORS:
            quiet.update(id(s) for a in node.args for s in ast.walk(a))
        if isinstance(node, ast.JoinedStr):  # its pieces are judged with the whole f-string
            quiet.update(id(v) for v in node.values)
        if isinstance(node, ast.Call) and _call_root(node) in UI_ROOTS and (
                _call_name(node) in UI_NOT_TEXT):  # CSS, routes, state: code, not text
            quiet.update(id(s) for a in node.args for s in ast.walk(a))
        if ui and isinstance(node, ast.Call) and _call_root(node) in UI_ROOTS and (
                _call_name(node) not in UI_NOT_TEXT):
            texts = [*node.args, *(k.value for k in node.keywords if k.arg in UI_TEXT_KEYWORDS)]
            for arg in texts:
                elements = arg.elts if isinstance(arg, ast.List | ast.Tuple) else [arg]
                ui_text.update(id(e) for e in elements)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FormattedValue):
            continue
        text = _literal_text(node)
        if text is None or id(node) in docstrings | inside_translation | quiet:
            continue
        if CITATION.match(text) or any(r in text for r in REGISTRATION_ERRORS):
            continue  # a source citation (kept as written, like param source=)
        if text in NOT_USER_FACING:
            continue
        if id(node) in ui_text and WORD.search(text) and not (
                isinstance(node, ast.Constant) and _is_identifier(text) and not
                text[:1].isupper()):
            found.append((node.lineno, text))  # a word on the page
        elif SENTENCE.search(TAG.sub(" ", text)) and not _is_identifier(text):
            found.append((node.lineno, text))
    return sorted(set(found))


def scope_files() -> list[str]:
    files = []
    for entry in SCOPE:
        path = ROOT / entry
        if entry.endswith("/"):
            files += sorted(str(p.relative_to(ROOT)) for p in path.rglob("*.py"))
        elif path.is_file():
            files.append(entry)
    return [f for f in files if f not in NOT_INTERFACE]


CONVERTED = [f for f in scope_files() if f not in NOT_YET_CONVERTED]


@pytest.mark.parametrize("module", CONVERTED)
def test_converted_modules_have_no_untranslated_text(module):
    found = untranslated_sentences(ROOT / module)
    assert not found, (f"{module}: user-facing text not in the catalogue (wrap it in _() or "
                       f"msg(), see simulation/i18n.py; then `make translations` and write the "
                       f"French): {found[:8]}")


def test_not_yet_converted_list_is_not_stale():
    """Every listed module exists, is in scope and still has English-only text."""
    in_scope = set(scope_files())
    stale = [m for m in NOT_YET_CONVERTED
             if m in in_scope and not untranslated_sentences(ROOT / m)]
    unknown = [m for m in NOT_YET_CONVERTED if m not in in_scope]
    assert not unknown, f"listed but not a module of the scope: {unknown}"
    assert not stale, f"converted now: remove them from NOT_YET_CONVERTED: {stale}"


def test_the_scan_catches_an_unwrapped_sentence(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text('def f(x):\n    """Doc string is fine."""\n'
                      '    print(_("wrapped sentence here"))\n'
                      '    raise ValueError(f"{x} is not allowed here")\n'
                      '    return {"some key": 1}["some key"]\n')
    assert untranslated_sentences(sample, ui=False) == [(4, " is not allowed here")]


def test_the_scan_catches_an_option_error_and_spares_identifiers(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text('def f(parser, out):\n'
                      '    parser.add_parser("sweep-plot", help=_("plot a sweep"))\n'
                      '    parser.add_argument("--out", metavar="FOLDER/SUB")\n'
                      '    raise ValueError(f"--out {out}: is a file, not a folder")\n')
    assert untranslated_sentences(sample, ui=False) == [(4, "--out : is a file, not a folder")]


def test_the_scan_catches_a_single_word_on_a_dashboard_page(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text('import solara\n'
                      'def Page():\n'
                      '    solara.Button("Play", icon_name="mdi-play", classes=["x-y"])\n'
                      '    solara.Button(_("Pause"))\n'
                      '    solara.InputText(label="Seed", value="")\n'
                      '    with solara.Card(title="Run"):\n'
                      '        solara.Style(".a { color: red }")\n')
    assert untranslated_sentences(sample, ui=True) == [(3, "Play"), (5, "Seed"), (6, "Run")]


def test_the_scan_reads_the_text_between_tags(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("def f(x, y):\n"
                      "    a = f'<text x=\"{x}\" font-weight=\"bold\">{y}</text>'\n"
                      "    return f'<b>Trainer cue</b> {x}'\n")
    assert untranslated_sentences(sample, ui=False) == [(3, "<b>Trainer cue</b> ")]
