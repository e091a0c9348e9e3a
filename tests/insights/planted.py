"""Synthetic post figures with known effects, for checking that the statistics find them."""

from __future__ import annotations

import math
import random
import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from soash.content.models import ContentType
from soash.insights.figures import PostFigure
from soash.social.models import Platform

TYPES = [ContentType.image, ContentType.carousel, ContentType.reel, ContentType.video]
TAGS = ["coffee", "morning", "latte", "beans", "cafe", "barista"]


def planted_figures(
    *,
    seed: int,
    accounts: int = 3,
    posts_per_account: int = 150,
    timezone: str = "Asia/Tokyo",
    effects: bool = True,
    noise: float = 0.4,
) -> list[PostFigure]:
    """Reels x1.8, posts at 18:00-21:00 local x1.5 and #latte x1.4 when ``effects``; accounts
    of very different sizes (base rates 1%-8%)."""
    rng = random.Random(seed)
    tz = ZoneInfo(timezone)
    start = datetime(2026, 1, 5, tzinfo=tz)
    figures = []
    for a in range(accounts):
        account_id = uuid.UUID(int=a + 1)
        base = [0.01, 0.03, 0.08][a % 3]
        for i in range(posts_per_account):
            local = start + timedelta(days=i * 1.9, hours=rng.randrange(7, 23))
            kind = rng.choice(TYPES)
            tags = tuple(rng.sample(TAGS, k=rng.randint(1, 3)))
            factor = 1.0
            if effects:
                factor *= 1.8 if kind is ContentType.reel else 1.0
                factor *= 1.5 if 18 <= local.hour < 21 else 1.0
                factor *= 1.4 if "latte" in tags else 1.0
            rate = base * factor * math.exp(rng.gauss(0, noise))
            figures.append(
                PostFigure(
                    post_id=uuid.uuid4(),
                    platform=Platform.instagram,
                    account_id=account_id,
                    content_type=kind,
                    hashtags=tags,
                    posted_at=local.astimezone(UTC),
                    rate=rate,
                )
            )
    return figures
