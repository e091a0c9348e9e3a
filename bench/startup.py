"""Startup benchmark: how long Soash takes to start, beside a bare interpreter.

Each case is a fresh process (as a service manager, a web worker or a test's subprocess starts
it), run several times in turns; the table shows the median, the fastest and the slowest run.

    .venv/bin/python bench/startup.py              # 7 runs of each case
    .venv/bin/python bench/startup.py --repeat 15

Writes ``bench/results/startup.json``. Targets on the 2-core development machine: ``soash
--help`` at most 0.6 s and ``import soash.app`` at most 2 s (medians).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

SOASH = str(Path(sys.executable).with_name("soash"))
CASES: dict[str, list[str]] = {
    "python -c pass": [sys.executable, "-c", "pass"],
    "soash --help": [SOASH, "--help"],
    "import soash.cli": [sys.executable, "-c", "import soash.cli"],
    "import soash.app": [sys.executable, "-c", "import soash.app"],
    "create_app() (a web worker's boot)": [
        sys.executable,
        "-c",
        "from soash.app import create_app; create_app()",
    ],
}
TARGETS = {"soash --help": 0.6, "import soash.app": 2.0}
RESULTS = Path(__file__).parent / "results" / "startup.json"


def _env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOASH_")}
    env.update(
        SOASH_ENV="test",
        SOASH_DATA_DIR=str(data_dir),
        SOASH_SECURITY_SESSION_SECRET="bench-" + uuid.uuid4().hex * 2,
        SOASH_SECURITY_ENCRYPTION_KEYS="b1:" + "B" * 43,
        COLUMNS="100",
    )
    return env


def _time(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL)  # noqa: S603
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="soash-bench-startup-") as tmp:
        env = _env(Path(tmp))
        for command in CASES.values():  # warm the file cache and the bytecode once
            _time(command, env)
        runs: dict[str, list[float]] = {name: [] for name in CASES}
        for _ in range(args.repeat):
            for name, command in CASES.items():
                runs[name].append(_time(command, env))
    rows = []
    print(f"{'case':<38} {'median s':>9} {'min s':>7} {'max s':>7} {'target':>8}")
    for name, seconds in runs.items():
        median = statistics.median(seconds)
        target = TARGETS.get(name)
        verdict = "" if target is None else f"{'ok' if median <= target else 'MISS'} {target}"
        print(f"{name:<38} {median:>9.3f} {min(seconds):>7.3f} {max(seconds):>7.3f} {verdict:>8}")
        rows.append(
            {
                "case": name,
                "median_s": round(median, 4),
                "min_s": round(min(seconds), 4),
                "max_s": round(max(seconds), 4),
                "target_s": target,
                "runs_s": [round(s, 4) for s in seconds],
            }
        )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "when": datetime.now(UTC).isoformat(timespec="seconds"),
                "python": platform.python_version(),
                "cpus": os.cpu_count(),
                "load_average": os.getloadavg(),
                "repeat": args.repeat,
                "cases": rows,
            },
            indent=2,
        )
    )
    print(f"written to {RESULTS}")


if __name__ == "__main__":
    main()
