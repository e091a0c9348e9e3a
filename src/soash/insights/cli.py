"""``soash insights generate`` and ``soash patterns``."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from soash.db import session_scope
from soash.insights.generate import generate_insights
from soash.insights.patterns import stored_patterns
from soash.users import service as users
from soash.users.models import User

console = Console()
insights_app = typer.Typer(help="AI insights and content recommendations.", no_args_is_help=True)


def _user(db: object, email: str) -> User:
    from sqlalchemy.orm import Session

    assert isinstance(db, Session)
    user = users.get_by_email(db, email)
    if user is None:
        console.print(f"[red]Error:[/red] no user {email}")
        raise typer.Exit(1)
    return user


@insights_app.command("generate")
def generate(user: Annotated[str, typer.Option(help="The user's email.")]) -> None:
    """Recompute patterns, insights and recommendations for one user now."""
    with session_scope() as db:
        user_id = _user(db, user).id
    with console.status("Generating insights"):
        report = generate_insights(user_id)
    console.print(
        f"{report['posts']} posts analysed: {report['significant']} of {report['patterns']} "
        f"patterns hold up; {report['insights']} insights, "
        f"{report['recommendations']} recommendations."
    )


def patterns(
    user: Annotated[str, typer.Option(help="The user's email.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Print the user's ranked performance patterns (from the last insight run)."""
    with session_scope() as db:
        rows = stored_patterns(db, _user(db, user))
        data = [
            {
                "scope": r.scope,
                "type": r.pattern_type.value,
                "name": r.pattern_name,
                "posts": r.sample_size,
                "success_rate": float(r.success_rate) if r.success_rate is not None else None,
                "lift": float(r.lift) if r.lift is not None else None,
                "raw_lift": float(r.raw_lift) if r.raw_lift is not None else None,
                # The interval that matches the verdict: it excludes 1 exactly when the group
                # holds up (its level allows for every group tested).
                "interval": [float(r.ci_low), float(r.ci_high)]
                if r.ci_low is not None and r.ci_high is not None
                else None,
                "interval_level": float(r.ci_level) if r.ci_level is not None else None,
                "p_value": float(r.p_value) if r.p_value is not None else None,
                "q_value": float(r.q_value) if r.q_value is not None else None,
                "significant": r.significant,
            }
            for r in rows
        ]
    if as_json:
        print(json.dumps(data, indent=2))
        return
    several = len({d["scope"] for d in data}) > 1
    table = Table(
        *(["scope"] if several else []), "type", "pattern", "n", "lift", "raw", "interval"
    )
    table.add_column("q")
    table.add_column("holds up")
    for d in data:
        ci = d["interval"]
        level = d["interval_level"]
        table.add_row(
            *([str(d["scope"])] if several else []),
            str(d["type"]),
            str(d["name"]),
            str(d["posts"]),
            f"{d['lift']:.2f}×" if d["lift"] is not None else "too few posts",
            f"{d['raw_lift']:.2f}×" if d["raw_lift"] is not None else "",
            f"{ci[0]:.2f}–{ci[1]:.2f} at {level:.1%}"
            if isinstance(ci, list) and isinstance(level, float)
            else "",
            f"{d['q_value']:.3f}" if d["q_value"] is not None else "",
            "yes" if d["significant"] else "",
        )
    console.print(table)
