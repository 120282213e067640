"""The package is built in floors, and imports only go down (or sideways) at run time.

An AST reading of every module of ``simulation/`` and ``dashboards/`` (nothing is imported):
an import counts at run time wherever it is, module level or inside a function, unless it sits
under ``if TYPE_CHECKING:`` (type-only). Two properties:

1. no import circle among modules at run time (a circle through a type-only import is fine);
2. no run-time import from a lower floor to a higher one. The floors, lowest first:

   0. ``i18n``, ``vocabulary``, ``schema``: words (catalogues), names and the validation
      machinery, importing nothing else of ours; ``kernels`` and ``compiled_rules``: the
      compiled passes (plain arrays in, arrays out);
   1. ``events``: interventions as pure data (a scenario holds a timeline of them, so they sit
      below ``config``; they name the scenario they are checked against for type checkers only);
   2. ``config``: the scenario's frozen configuration;
   3. ``exchange``, ``scenario``, ``population``: what the two sides of the model exchange; the
      scenario loader; the customers' state that the market and complaint rules share;
   4. ``network``, ``customers``, ``complaints``, ``agents``: the rules;
   5. ``metrics``, ``plots``, ``data_dictionary``: measurement, drawing, what columns mean;
   6. ``model``, ``views``: the wiring, and the read-only views of it;
   7. ``runner``, ``cli``, ``docs``, ``dashboard_cli``, ``experiments``, ``validation`` and the
      ``dashboards`` package: the users of the model.

Imports of the package itself (``from . import __version__``) are left out: the package's
``__init__`` is the public facade on top of everything, and such imports run inside functions,
once the package is loaded.

``ALLOWED`` lists the run-time edges that break a rule today, in files whose owners have not
fixed them yet, each with the reason. It must shrink: an entry that no longer exists fails the
test too, so that it is removed from the list when it is fixed.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("simulation", "dashboards")

FLOORS: tuple[tuple[str, ...], ...] = (
    ("simulation.i18n", "simulation.vocabulary", "simulation.schema", "simulation.kernels",
     "simulation.compiled_rules"),
    ("simulation.events",),
    ("simulation.config",),
    ("simulation.exchange", "simulation.scenario", "simulation.population"),
    ("simulation.network", "simulation.customers", "simulation.complaints",
     "simulation.agents", "simulation.classifier"),
    ("simulation.metrics", "simulation.plots", "simulation.data_dictionary"),
    ("simulation.model", "simulation.views"),
    ("simulation.runner", "simulation.cli", "simulation.docs", "simulation.dashboard_cli",
     "simulation.__main__", "simulation.experiments", "simulation.validation",
     "simulation.workshop", "dashboards"),
)

# (importer, imported): why it is still there. Remove an entry when you fix it.
ALLOWED: dict[tuple[str, str], str] = {}


def _modules() -> dict[str, Path]:
    mods = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            rel = path.relative_to(ROOT).with_suffix("")
            parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
            mods[".".join(parts)] = path
    return mods


MODULES = _modules()


def _type_only(tree: ast.AST) -> set[int]:
    skip = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skip |= {id(n) for n in ast.walk(node)}
    return skip


def _targets(module: str, node: ast.Import | ast.ImportFrom) -> list[str]:
    if isinstance(node, ast.Import):
        return [a.name for a in node.names]
    base = module.split(".")
    if MODULES[module].name != "__init__.py":
        base = base[:-1]
    if node.level:
        base = base[: len(base) - (node.level - 1)]
        target = ".".join(base + ([node.module] if node.module else []))
    else:
        target = node.module or ""
    return [target, *(f"{target}.{a.name}" for a in node.names)]


def _known(name: str) -> str | None:
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def run_time_edges() -> dict[tuple[str, str], list[str]]:
    """(importer, imported) -> where (file:line), for every run-time import between modules."""
    edges: dict[tuple[str, str], list[str]] = {}
    for module, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        skip = _type_only(tree)
        for node in ast.walk(tree):
            if not isinstance(node, ast.Import | ast.ImportFrom) or id(node) in skip:
                continue
            for target in _targets(module, node):
                target = _known(target)
                if (target is None or target == module or target in PACKAGES
                        or module.startswith(target + ".")):
                    continue
                where = f"{path.relative_to(ROOT)}:{node.lineno}"
                places = edges.setdefault((module, target), [])
                if where not in places:
                    places.append(where)
    return edges


def floor_of(module: str) -> int:
    if module in PACKAGES:  # the packages' __init__: the public facade, on top
        return len(FLOORS) - 1
    for level, names in enumerate(FLOORS):
        if any(module == n or module.startswith(n + ".") for n in names):
            return level
    raise AssertionError(f"{module} has no floor: add it to FLOORS in tests/test_imports.py")


def circles(edges) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    graph: dict[str, set[str]] = {m: set() for m in MODULES}
    for a, b in edges:
        graph[a].add(b)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


# --------------------------------------------------------------------------------------------


def test_every_module_has_a_floor():
    for module in MODULES:
        floor_of(module)


def test_no_run_time_import_circle():
    edges = {e: w for e, w in run_time_edges().items() if e not in ALLOWED}
    found = circles(edges)
    details = []
    for component in found:
        inside = [f"{a} -> {b} ({', '.join(w)})" for (a, b), w in edges.items()
                  if a in component and b in component]
        details.append(" <-> ".join(component) + "\n    " + "\n    ".join(inside))
    assert not found, "run-time import circles:\n" + "\n".join(details)


def test_no_run_time_import_from_a_lower_floor_to_a_higher_one():
    wrong = []
    for (a, b), where in sorted(run_time_edges().items()):
        if (a, b) in ALLOWED:
            continue
        if floor_of(a) < floor_of(b):
            wrong.append(f"{a} (floor {floor_of(a)}) imports {b} (floor {floor_of(b)}) at "
                         f"{', '.join(where)}")
    assert not wrong, "imports going up:\n" + "\n".join(wrong)


def test_the_allow_list_only_holds_edges_that_still_exist():
    edges = run_time_edges()
    gone = [edge for edge in ALLOWED if edge not in edges]
    assert not gone, f"fixed, remove from ALLOWED in tests/test_imports.py: {gone}"


def test_the_model_core_never_imports_the_dashboard():
    for (a, b), where in run_time_edges().items():
        if a.startswith("simulation.") and b.startswith("dashboards"):
            raise AssertionError(f"{a} imports {b} at {where}")


def test_events_do_not_know_the_model():
    # Interventions are pure data: not even a type-only import of the model.
    text = MODULES["simulation.events"].read_text(encoding="utf-8")
    tree = ast.parse(text)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            for target in _targets("simulation.events", node):
                assert _known(target) not in ("simulation.model", "simulation.agents",
                                              "simulation.customers"), ast.unparse(node)
    assert "def apply" not in text


def test_the_vocabulary_imports_nothing_of_the_package():
    # Only the ground-floor translator (its labels and sentences are translatable), which
    # itself imports nothing of the package.
    edges = run_time_edges()
    assert not [b for (a, b) in edges if a == "simulation.vocabulary" and b != "simulation.i18n"]
    assert not [b for (a, b) in edges if a == "simulation.i18n"]


def _module_level_and_local_edges():
    module_level, local = set(), []
    for module, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        skip = _type_only(tree)
        inside = set()
        for fn in ast.walk(tree):
            if isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
                inside |= {id(n) for n in ast.walk(fn)}
        for node in ast.walk(tree):
            if not isinstance(node, ast.Import | ast.ImportFrom) or id(node) in skip:
                continue
            for target in _targets(module, node):
                target = _known(target)
                if (target is None or target == module or target in PACKAGES
                        or module.startswith(target + ".")):
                    continue
                entry = (module, target, f"{path.relative_to(ROOT)}:{node.lineno}")
                if id(node) in inside and entry not in local:
                    local.append(entry)
                else:
                    module_level.add((module, target))
    return module_level, local


def test_no_function_local_import_dodges_a_circle():
    # An import inside a function is fine to keep a command fast (matplotlib, Dask, the
    # runner behind `socbiz --help`), not to hide a circle: moved to the top of its module,
    # none of them may close one. (``from . import __version__`` is left out, as above.)
    module_level, local = _module_level_and_local_edges()
    graph: dict[str, set[str]] = {}
    for a, b in module_level:
        graph.setdefault(a, set()).add(b)

    def reaches(start, goal):
        seen, todo = set(), [start]
        while todo:
            node = todo.pop()
            if node == goal:
                return True
            if node not in seen:
                seen.add(node)
                todo.extend(graph.get(node, ()))
        return False

    dodging = [f"{where}: {a} -> {b}" for a, b, where in local
               if (a, b) not in ALLOWED and reaches(b, a)]
    assert not dodging, "function-local imports that hide a circle:\n" + "\n".join(dodging)
