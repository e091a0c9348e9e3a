"""Lower layers never import higher ones: the user's calendar (``soash.timewindow``) sits below
content and analytics, and content (which analytics reads) never imports analytics."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "soash"


def _soash_imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return {n for n in names if n.startswith("soash.")}


def test_content_never_imports_analytics() -> None:
    offenders = {
        f"{path.relative_to(SRC)} imports {name}"
        for path in sorted((SRC / "content").rglob("*.py"))
        for name in _soash_imports(path)
        if name.startswith("soash.analytics")
    }
    assert not offenders


def test_the_calendar_uses_no_domain_above_users() -> None:
    above = ("soash.content", "soash.analytics", "soash.insights", "soash.social", "soash.web")
    imports = _soash_imports(SRC / "timewindow.py")
    assert imports  # the check sees the module
    assert not {name for name in imports if name.startswith(above)}
