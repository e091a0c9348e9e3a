"""Automatic categories on the web: rules (hashtag or keyword -> category), suggestions from
frequent hashtags, and deleting a rule. Same services as the API."""

from __future__ import annotations

import uuid

from fastapi import Request, Response

from soash.content import rules, service
from soash.content.schemas import CategoryRuleIn
from soash.deps import DB, Auth
from soash.web import forms
from soash.web.core import redirect, render, web_router
from soash.web.session import Actor, Form, Viewer

router = web_router()


def _page(
    request: Request, db: DB, auth: Auth, *, status: int = 200, **context: object
) -> Response:
    categories = service.list_categories(db, auth.user)
    names = {c.id: c.name for c in categories}
    return render(
        request,
        "categories/rules.html",
        status=status,
        page_title="Category rules",
        categories=categories,
        rules=[(r, names.get(r.category_id, "?")) for r in rules.list_rules(db, auth.user)],
        suggestions=rules.suggest_rules(db, auth.user),
        values=context.pop("values", {}),
        errors=context.pop("errors", {}),
        **context,
    )


@router.get("/category-rules")
def rules_page(request: Request, db: DB, auth: Viewer) -> Response:
    return _page(request, db, auth)


@router.post("/category-rules")
def create(request: Request, db: DB, auth: Actor, form: Form) -> Response:
    values = forms.fields(form, "category_id", "kind", "pattern")
    outcome = forms.submit(
        db,
        CategoryRuleIn,
        values,
        lambda body: rules.create_rule(
            db, auth.user, category_id=body.category_id, kind=body.kind, pattern=body.pattern
        ),
        default_field="pattern",
    )
    if not outcome.ok or outcome.value is None:
        return _page(request, db, auth, status=outcome.status, values=values, errors=outcome.errors)
    _, tagged = outcome.value
    return redirect(
        request, "/category-rules", message=f"Rule saved; it tagged {tagged} of your posts."
    )


@router.post("/category-rules/{rule_id}/delete")
def delete(request: Request, db: DB, auth: Actor, rule_id: uuid.UUID) -> Response:
    rules.delete_rule(db, auth.user, rule_id)
    return redirect(request, "/category-rules", message="Rule deleted; tagged posts keep it.")
