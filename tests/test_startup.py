"""Starting Soash is cheap and clear: the command line and the web app import no statistics,
migration or PDF library, `soash --help` imports no domain, and `soash serve` without a
reachable database says so in one line."""

from __future__ import annotations

import json
import os
import subprocess
import sys

HEAVY = {"scipy", "statsmodels", "alembic", "weasyprint"}


def _modules_after(code: str, env: dict[str, str] | None = None) -> set[str]:
    script = f"import json, sys\n{code}\nprint(json.dumps(sorted(sys.modules)))"
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path), **(env or {})},
    )
    return set(json.loads(done.stdout.splitlines()[-1]))


def test_the_command_line_imports_nothing_heavy() -> None:
    assert _modules_after("import soash.cli") & HEAVY == set()


def test_help_imports_no_domain_and_no_database_layer() -> None:
    code = "from soash.cli import app\ntry:\n    app(['--help'])\nexcept SystemExit:\n    pass"
    loaded = _modules_after(code, env={"COLUMNS": "100"})
    assert not {"sqlalchemy", "pydantic_settings", "rich"} & loaded
    assert {m for m in loaded if m.startswith("soash.")} <= {"soash.cli", "soash.lazycli"}


def test_the_web_app_imports_nothing_heavy() -> None:
    assert _modules_after("import soash.app") & HEAVY == set()


def test_serve_without_a_database_says_so_in_one_line() -> None:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(sys.path),
        "SOASH_DATABASE_URL": "postgresql://soash@127.0.0.1:9/soash",  # nothing listens on 9
    }
    done = subprocess.run(
        [sys.executable, "-m", "soash", "serve"],
        capture_output=True,
        text=True,
        env=env,
        stdin=subprocess.DEVNULL,
        timeout=120,
        check=False,
    )
    lines = [line for line in (done.stdout + done.stderr).splitlines() if line.strip()]
    assert done.returncode == 1
    assert len(lines) == 1, lines
    assert lines[0].startswith("Error: cannot reach the database (postgresql://soash@127.0.0.1:9")
