"""Effect-model benchmark: how often planted effects are found, how many false discoveries
null accounts give, and whether the intervals hold the true effects, on many simulated accounts.

Each simulated account has one planted effect per dimension, all co-occurring: a content type
x1.8, a 2-4 hour posting window starting off the 3-hour grid x1.5, a weekday x1.5 and a hashtag
on a quarter of the posts x1.4, with log-normal noise (sd 0.4 by default) around the account's
typical post. "Found" = the planted group is the top significant group of its dimension (a
window counts when it overlaps the planted one by at least 2/3 of their hours; ``exact`` counts
only the very same hours). Coverage = share of tested groups whose interval holds the true
effect (what the same model gives on the noise-free outcomes); ``coverage_95`` for the 95%
intervals, ``coverage_shown`` for the intervals the pages show (matching the verdict).

    .venv/bin/python bench/effects.py [--accounts 100] [--nulls 200] [--noise 0.4]

Writes ``bench/results/effects.json``. Targets: recall >= 95% at 300 posts and >= 70% at 120
(over all planted effects), at most 1 significant group over 20 null accounts (i.e. <= 0.05
per account), coverage >= 93%.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.insights.simulate import NOISE, measure, null_discoveries

RESULTS = Path(__file__).parent / "results" / "effects.json"
SIZES = (60, 120, 300)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--accounts", type=int, default=100, help="planted accounts per size")
    parser.add_argument("--nulls", type=int, default=200, help="null accounts per size")
    parser.add_argument("--noise", type=float, default=NOISE, help="sd of log engagement")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    planted: list[dict[str, Any]] = []
    nulls: list[dict[str, Any]] = []
    for posts in SIZES:
        t0 = time.perf_counter()
        result = measure(range(args.accounts), posts, noise=args.noise)
        recall = result["recall"]
        result["overall"] = round(sum(recall.values()) / len(recall), 3)
        result["seconds_per_account"] = round((time.perf_counter() - t0) / args.accounts, 4)
        planted.append(result)
        print(json.dumps(result))
    for posts in SIZES:
        result = null_discoveries(range(10_000, 10_000 + args.nulls), posts)
        result["per_20_accounts"] = round(result["significant_groups"] * 20 / args.nulls, 2)
        nulls.append(result)
        print(json.dumps(result))
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "command": "python bench/effects.py " + " ".join(argv or sys.argv[1:]),
                "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "noise": args.noise,
                "machine": {"python": platform.python_version(), "platform": platform.platform()},
                "seconds": round(time.perf_counter() - started, 1),
                "planted": planted,
                "null": nulls,
            },
            indent=2,
        )
        + "\n"
    )
    print(f"Written to {RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
