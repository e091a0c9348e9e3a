"""The category rules page: add a rule (it tags past posts), make one from a suggestion,
see a clear error for bad input, delete a rule."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient

from soash.content import rules, service
from soash.db import session_scope
from soash.users.models import User
from tests.analytics.data import account, post
from tests.factories import make_user
from tests.web.test_csrf import signed_in


def test_rules_tag_posts_and_suggestions_become_rules(client: TestClient) -> None:
    user_id = make_user("ana@example.com")
    account_id = account(user_id)
    now = datetime.now(UTC)
    for i in range(5):
        post(account_id, now - timedelta(days=i + 1), hashtags=("sourdough", "recipe"))
    with session_scope() as db:
        service.create_category(db, db.get_one(User, user_id), name="Recipes", color_code=None)
        [category] = service.list_categories(db, db.get_one(User, user_id))
    token = signed_in(client, "ana@example.com")
    form = {"csrf_token": token, "kind": "hashtag", "category_id": str(category.id)}
    page = client.get("/category-rules").text
    assert "#sourdough" in page and "on 5 posts" in page  # suggestions
    saved = client.post(
        "/category-rules",
        data={
            "csrf_token": token,
            "kind": "hashtag",
            "pattern": "#Recipe",
            "category_id": category.id,
        },
    )
    assert "it tagged 5 of your posts" in saved.text
    assert "Posts with #recipe go in" in saved.text
    bad = client.post(
        "/category-rules",
        data={**form, "pattern": ""},
    )
    assert bad.status_code == 422 and 'role="alert"' in bad.text
    twice = client.post(
        "/category-rules",
        data={
            "csrf_token": token,
            "kind": "hashtag",
            "pattern": "recipe",
            "category_id": category.id,
        },
    )
    assert twice.status_code == 409 and "already have this rule" in twice.text
    with session_scope() as db:
        [rule] = rules.list_rules(db, db.get_one(User, user_id))
    deleted = client.post(f"/category-rules/{rule.id}/delete", data={"csrf_token": token})
    assert "Rule deleted" in deleted.text and "No rules yet" in deleted.text
