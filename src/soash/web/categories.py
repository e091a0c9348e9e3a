"""Content categories: create, rename and recolour inline (htmx), delete; tag a post."""

from __future__ import annotations

import uuid

from fastapi import Request, Response

from soash.content import service
from soash.content.schemas import CategoryIn, CategoryPatch, PostCategoriesIn
from soash.deps import DB, Auth
from soash.web import forms
from soash.web.core import error_page, is_htmx, redirect, render, web_router
from soash.web.session import Actor, Form, Viewer

router = web_router()
PALETTE = ("#4F46E5", "#0EA5E9", "#10B981", "#F59E0B", "#EF4444", "#EC4899", "#8B5CF6", "#64748B")


def _list(
    request: Request, db: DB, auth: Auth, *, status: int = 200, **context: object
) -> Response:
    template = "categories/_list.html" if is_htmx(request) else "categories/page.html"
    categories = service.list_categories(db, auth.user)
    return render(
        request,
        template,
        status=status,
        page_title="Categories",
        categories=categories,
        next_color=PALETTE[len(categories) % len(PALETTE)],
        **context,
    )


@router.get("/categories")
def categories_page(request: Request, db: DB, auth: Viewer) -> Response:
    return _list(request, db, auth)


@router.post("/categories")
def create(request: Request, db: DB, auth: Actor, form: Form) -> Response:
    values = forms.fields(form, "name", "color_code")
    outcome = forms.submit(
        db,
        CategoryIn,
        forms.without_blanks(values),
        lambda body: service.create_category(
            db, auth.user, name=body.name, color_code=body.color_code
        ),
        default_field="name",
    )
    if not outcome.ok:  # 422: htmx swaps it in, with the message next to the field
        return _list(request, db, auth, status=422, values=values, errors=outcome.errors)
    if is_htmx(request):
        return _list(request, db, auth)
    return redirect(request, "/categories", message=f"Category “{values['name']}” created.")


@router.post("/categories/{category_id}")
def update(request: Request, db: DB, auth: Actor, form: Form, category_id: uuid.UUID) -> Response:
    """Rename and/or recolour."""
    values = forms.without_blanks(forms.fields(form, "name", "color_code"))
    outcome = forms.submit(
        db,
        CategoryPatch,
        values,
        lambda body: service.update_category(
            db, auth.user, category_id, values=body.model_dump(exclude_unset=True)
        ),
        default_field="name",
    )
    if is_htmx(request):
        category = outcome.value or service.read_category(db, auth.user, category_id)
        return render(
            request,
            "categories/_row.html",
            status=200 if outcome.ok else 422,
            category=category,
            values=values,
            errors=outcome.errors,
        )
    if not outcome.ok:
        return redirect(
            request, "/categories", message=next(iter(outcome.errors.values())), kind="error"
        )
    return redirect(request, "/categories", message="Category saved.")


@router.post("/categories/{category_id}/delete")
def delete(request: Request, db: DB, auth: Actor, category_id: uuid.UUID) -> Response:
    service.delete_category(db, auth.user, category_id)
    if is_htmx(request):
        return _list(request, db, auth)
    return redirect(request, "/categories", message="Category deleted; its posts stay.")


@router.post("/posts/{post_id}/categories")
def tag_post(request: Request, db: DB, auth: Actor, form: Form, post_id: uuid.UUID) -> Response:
    """Replace the post's categories with the ticked ones."""
    values = forms.fields(form, "category_ids", lists=("category_ids",))
    outcome = forms.submit(
        db,
        PostCategoriesIn,
        values,
        lambda body: service.set_post_categories(
            db, auth.user, post_id, category_ids=body.category_ids
        ),
    )
    if not outcome.ok:
        return error_page(request, outcome.status, next(iter(outcome.errors.values())))
    if is_htmx(request):
        return render(
            request,
            "posts/_categories.html",
            post_id=post_id,
            tagged=outcome.value or [],
            categories=service.list_categories(db, auth.user),
            saved=True,
        )
    return redirect(request, f"/posts/{post_id}", message="Categories saved.")
