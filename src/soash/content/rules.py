"""Automatic categories: rules a user writes once ("#recipe -> Recipes", "caption says 'sale'
-> Offers") that tag past posts when written and new posts at every insight run; bulk tagging;
and suggestions for new rules from frequent hashtags no rule covers yet.

Rules only ever add a category to a post; removing a rule leaves the tags it made."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Sequence

from sqlalchemy import Select, insert, select
from sqlalchemy.orm import Session

from soash.content.models import CategoryRule, Post, RuleKind, post_categories
from soash.content.service import get_category
from soash.errors import Conflict, NotFound
from soash.ownership import owned_by, owner_id
from soash.social.models import SocialAccount
from soash.users.models import User

SUGGEST_MIN_POSTS = 5


def normal(kind: RuleKind, pattern: str) -> str:
    """Hashtags without '#', both kinds compared case-insensitively."""
    text = pattern.strip().lower()
    return text.lstrip("#") if kind is RuleKind.hashtag else text


def matches(rule: CategoryRule, hashtags: Sequence[str], caption: str | None) -> bool:
    if rule.kind is RuleKind.hashtag:
        return rule.pattern in {normal(RuleKind.hashtag, h) for h in hashtags}
    return rule.pattern in (caption or "").lower()


def list_rules(db: Session, user: User) -> list[CategoryRule]:
    return list(
        db.scalars(
            select(CategoryRule)
            .where(owned_by(CategoryRule.user_id, user))
            .order_by(CategoryRule.created_at)
        )
    )


def create_rule(
    db: Session, user: User, *, category_id: uuid.UUID, kind: RuleKind, pattern: str
) -> tuple[CategoryRule, int]:
    """The rule, and how many past posts it tagged."""
    get_category(db, user, category_id)
    text = normal(kind, pattern)
    exists = db.scalar(
        select(CategoryRule.id).where(
            owned_by(CategoryRule.user_id, user),
            CategoryRule.category_id == category_id,
            CategoryRule.kind == kind,
            CategoryRule.pattern == text,
        )
    )
    if exists is not None:
        raise Conflict(f"You already have this rule ({kind.value} '{text}' for that category).")
    rule = CategoryRule(user_id=owner_id(user), category_id=category_id, kind=kind, pattern=text)
    db.add(rule)
    db.flush()
    return rule, apply_rules(db, user, rules=[rule])


def delete_rule(db: Session, user: User, rule_id: uuid.UUID) -> None:
    rule = db.scalar(
        select(CategoryRule).where(CategoryRule.id == rule_id, owned_by(CategoryRule.user_id, user))
    )
    if rule is None:
        raise NotFound(f"You have no category rule with id {rule_id}.")
    db.delete(rule)
    db.flush()


def _owned_posts(user: User) -> Select[uuid.UUID, list[str], str | None]:
    return (
        select(Post.id, Post.hashtags, Post.caption)
        .join(SocialAccount, SocialAccount.id == Post.social_account_id)
        .where(owned_by(SocialAccount.user_id, user))
    )


def _add_tags(db: Session, pairs: set[tuple[uuid.UUID, uuid.UUID]]) -> int:
    """Insert the (post, category) pairs not there yet; how many were new."""
    if not pairs:
        return 0
    categories = {c for _, c in pairs}
    rows = db.execute(
        select(post_categories.c.post_id, post_categories.c.category_id).where(
            post_categories.c.category_id.in_(categories)
        )
    )
    existing = {(post_id, category_id) for post_id, category_id in rows}
    new = sorted(pairs - existing)
    if new:
        db.execute(insert(post_categories), [{"post_id": p, "category_id": c} for p, c in new])
    return len(new)


def apply_rules(db: Session, user: User, *, rules: Sequence[CategoryRule] | None = None) -> int:
    """Tag every post of the user that a rule matches; how many tags were added."""
    rules = list_rules(db, user) if rules is None else list(rules)
    if not rules:
        return 0
    pairs = {
        (post_id, rule.category_id)
        for post_id, hashtags, caption in db.execute(_owned_posts(user))
        for rule in rules
        if matches(rule, hashtags or (), caption)
    }
    return _add_tags(db, pairs)


def tag_posts(
    db: Session, user: User, category_id: uuid.UUID, *, post_ids: Sequence[uuid.UUID]
) -> int:
    """Add the category to many posts at once (all must be the user's); how many were new."""
    get_category(db, user, category_id)
    wanted = set(post_ids)
    found = set(
        db.scalars(
            select(Post.id)
            .join(SocialAccount, SocialAccount.id == Post.social_account_id)
            .where(owned_by(SocialAccount.user_id, user), Post.id.in_(wanted))
        )
    )
    missing = sorted(str(p) for p in wanted - found)
    if missing:
        raise NotFound(f"You have no post with id {', '.join(missing)}.", missing=missing)
    return _add_tags(db, {(p, category_id) for p in found})


def suggest_rules(db: Session, user: User, *, limit: int = 10) -> list[tuple[str, int]]:
    """Frequent hashtags (on at least SUGGEST_MIN_POSTS posts) that no hashtag rule covers,
    most used first: (hashtag, posts)."""
    covered = {r.pattern for r in list_rules(db, user) if r.kind is RuleKind.hashtag}
    counts = Counter(
        tag
        for _, hashtags, _ in db.execute(_owned_posts(user))
        for tag in {normal(RuleKind.hashtag, h) for h in hashtags or ()}
    )
    return [
        (tag, n)
        for tag, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        if n >= SUGGEST_MIN_POSTS and tag not in covered
    ][:limit]
