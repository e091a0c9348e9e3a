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
