"""The first-party import graph: acyclic, and pointing only downward through the rings.

Rings, top to bottom: the interface (`interface`: the command line, console output,
the HTML report) → the Prefect flow (`flows`: the flow, serving it, its settings) → the
plain-Python pipeline (`pipeline`) → the generator (`synth`), the gate (`expectations`)
and storage (`warehouse`) → the parsers (`transforms`) and the pages' stylesheet and
templates (`pages`). Every import counts, also those inside functions (deferred for
start-up time, they are still dependencies). Prefect belongs to the flow and what is
above it: nothing below `flows` imports it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
RINGS = {
    "interface": 5, "flows": 4, "pipeline": 3, "synth": 2, "expectations": 2, "warehouse": 2,
    "transforms": 1, "pages": 1,
}  # fmt: skip


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def first_party_modules() -> dict[str, Path]:
    return {module_name(path): path for package in RINGS for path in (ROOT / package).rglob("*.py")}


def all_imports(path: Path) -> set[str]:
    """Every module name `path` imports, first-party or not (absolute imports)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def imports_of(path: Path, modules: dict[str, Path]) -> set[str]:
    """The first-party modules `path` imports (`from a.b import c` → a.b.c when that is
    a module, else a.b)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            submodules = [f"{node.module}.{alias.name}" for alias in node.names]
            names = [name for name in submodules if name in modules]
            if len(names) < len(submodules):  # some names are the module's own attributes
                names.append(node.module)
        else:
            continue
        found.update(name for name in names if name in modules)
    # a module's own packages are imported before it anyway: not a dependency of it
    own = module_name(path)
    return {name for name in found if not own.startswith(name + ".")}


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    modules = first_party_modules()
    return {name: imports_of(path, modules) - {name} for name, path in modules.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle, as a path of modules, or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for target in sorted(graph.get(node, ())):
            if state.get(target) == 1:
                return stack[stack.index(target) :] + [target]
            if target not in state and (cycle := visit(target)):
                return cycle
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_the_graph_is_read(graph: dict[str, set[str]]) -> None:
    assert "transforms.walk" in graph["transforms.table"]
    assert len(graph) > 50


def test_no_import_cycles(graph: dict[str, set[str]]) -> None:
    assert find_cycle(graph) is None, " → ".join(find_cycle(graph) or [])


def test_the_cycle_finder_finds_one() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_imports_point_only_downward(graph: dict[str, set[str]]) -> None:
    upward = [
        f"{source} → {target}"
        for source, targets in graph.items()
        for target in targets
        if source.split(".")[0] != target.split(".")[0]
        and RINGS[target.split(".")[0]] >= RINGS[source.split(".")[0]]
    ]
    assert upward == []


def test_nothing_below_the_flow_imports_prefect() -> None:
    below = [package for package in RINGS if package not in ("interface", "flows", "synth")]
    assert set(below) == {"pipeline", "expectations", "warehouse", "transforms", "pages"}
    prefect = sorted(
        module
        for module, path in first_party_modules().items()
        if module.split(".")[0] in below
        and any(name == "prefect" or name.startswith("prefect.") for name in all_imports(path))
    )
    assert prefect == []
    # and the check sees an import of prefect where there is one
    assert "prefect" in all_imports(ROOT / "flows" / "nightly.py")


def load_time_imports(path: Path) -> set[str]:
    """The modules `path` imports when it loads: the imports of its body (also inside
    top-level `try`/`if`/`with`), not those in functions, classes or `if TYPE_CHECKING`."""
    found: set[str] = set()
    body = list(ast.parse(path.read_text(encoding="utf-8")).body)
    while body:
        node = body.pop()
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            body.extend(node.orelse)
        elif isinstance(node, ast.If | ast.Try | ast.With):
            for field in ("body", "orelse", "finalbody", "handlers"):
                body.extend(getattr(node, field, []))
        elif isinstance(node, ast.ExceptHandler):
            body.extend(node.body)
    return found


def loaded_with(start: list[str]) -> set[str]:
    """Every module, first-party or not, that loading `start` loads (first-party ones
    followed transitively, with their packages; third-party ones by their top name)."""
    modules = first_party_modules()
    seen: set[str] = set()
    third_party: set[str] = set()
    todo = list(start)
    while todo:
        name = todo.pop()
        parts = name.split(".")
        for package in (".".join(parts[:i]) for i in range(1, len(parts) + 1)):
            if package in modules and package not in seen:
                seen.add(package)
                todo.extend(load_time_imports(modules[package]))
        if parts[0] not in RINGS:
            third_party.add(parts[0])
    return seen | third_party


# `bpw status` (the entry point, then the quick path and what it calls) loads none of
# these: typer builds pydantic validators, the others are the pipeline's (0.05–3 s each)
NOT_ON_STATUS = {
    "typer", "click", "pydantic", "prefect", "great_expectations", "duckdb", "polars",
    "pandas", "pyarrow", "numpy", "jinja2", "interface.commands", "pipeline.run",
}  # fmt: skip
STATUS_PATH = ["interface.cli", "interface.quick", "interface.render", "interface.status"]


def test_the_status_path_loads_nothing_heavy() -> None:
    loaded = loaded_with(STATUS_PATH)
    assert {"rich", "flows.settings", "warehouse.status_summary"} <= loaded
    assert sorted(loaded & NOT_ON_STATUS) == []
    # and the walk sees such a load where there is one
    assert {"typer", "interface.commands"} <= loaded_with(["interface.commands"])
    assert "polars" in loaded_with(["pipeline.datahome"])
