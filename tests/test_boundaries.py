"""The layout rules of DESIGN.md, checked on the import graph: services never import FastAPI,
routes are only wired in by the app, and no domain reaches into another's routes or pages."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "soash"
MODULES = sorted(SRC.rglob("*.py"))


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def _rel(path: Path) -> str:
    return str(path.relative_to(SRC))


@pytest.mark.parametrize("path", [p for p in MODULES if p.name == "service.py"], ids=_rel)
def test_services_never_import_fastapi(path: Path) -> None:
    assert not any(
        m == "fastapi" or m.startswith(("fastapi.", "starlette")) for m in _imports(path)
    )


@pytest.mark.parametrize("path", MODULES, ids=_rel)
def test_routes_and_pages_are_only_wired_in_by_the_app(path: Path) -> None:
    if _rel(path) == "app.py" or _rel(path).startswith("web/"):
        return
    own_domain = _rel(path).split("/")[0]
    for module in _imports(path):
        parts = module.split(".")
        if parts[0] != "soash" or len(parts) < 2:
            continue
        assert parts[1] != "web", f"{_rel(path)} imports the web pages ({module})"
        if parts[-1] == "api" and len(parts) == 3:
            assert parts[1] == own_domain, f"{_rel(path)} imports another domain's routes"


def test_the_check_sees_the_code() -> None:
    assert len(MODULES) > 50
    assert any(p.name == "service.py" for p in MODULES)


# -- the import graph: no cycles, task modules are leaves ------------------------------------


def _module_name(path: Path) -> str:
    parts = ["soash", *path.relative_to(SRC).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


NAMES = {_module_name(p): p for p in MODULES}


def _runtime_imports(path: Path) -> set[str]:
    """Every soash module ``path`` imports, at module level or inside a function (a lazy
    import only hides a cycle), leaving out ``if TYPE_CHECKING:`` blocks."""
    tree = ast.parse(path.read_text())
    skipped = {
        id(node)
        for block in ast.walk(tree)
        if isinstance(block, ast.If) and "TYPE_CHECKING" in ast.unparse(block.test)
        for node in ast.walk(block)
    }
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                found.add(sub if sub in NAMES else node.module)
    return {name for name in found if name in NAMES and NAMES[name].name != "__init__.py"}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_there_are_no_import_cycles() -> None:
    graph = {_module_name(p): _runtime_imports(p) for p in MODULES}
    assert _cycles(graph) == []


def test_the_cycle_check_finds_a_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


@pytest.mark.parametrize("path", MODULES, ids=_rel)
def test_task_modules_are_leaves(path: Path) -> None:
    """Tasks import services, never the reverse: nothing imports a tasks module (the worker
    loads them by name, see soash.jobs.TASK_MODULES)."""
    imported = {m for m in _runtime_imports(path) if m.endswith(".tasks")}
    if path.name == "cli.py":  # a command may run a task's work by hand
        return
    assert not imported, f"{_rel(path)} imports {imported}"


@pytest.mark.parametrize("path", MODULES, ids=_rel)
def test_only_the_session_owner_commits(path: Path) -> None:
    """Services never commit or roll back the caller's session: only db.session_scope does."""
    if _rel(path) == "db.py":
        return
    calls = [
        node.func.attr
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in ("commit", "rollback")
    ]
    assert not calls, f"{_rel(path)} calls {calls}"
