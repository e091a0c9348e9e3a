"""The demo platform: a deterministic, realistic account history without any network.

Everything derives from the account's seed and the calendar day, so the same account always
has the same posts and figures, whenever it is asked. The data has real-looking effects for
the insights to find: reels and carousels beat single images, evening posts (18-21h in the
account's timezone) beat the rest, and #sourdough / #behindthescenes lift a post.
"""

from __future__ import annotations

import hashlib
import math
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from soash.content.models import ContentType
from soash.social.models import Platform
from soash.social.platforms.base import AccountDay, PostMetrics, Profile, RemotePost, TokenSet

DEMO_PREFIX = "demo-"
HISTORY_DAYS = 365
PAGE_SIZE = 25

TYPE_WEIGHTS = {
    ContentType.image: (0.34, 1.0),
    ContentType.carousel: (0.22, 1.35),
    ContentType.reel: (0.24, 1.8),
    ContentType.video: (0.12, 1.15),
    ContentType.story: (0.08, 0.6),
}
HASHTAG_EFFECTS = {
    "sourdough": 1.45,
    "behindthescenes": 1.3,
    "bakery": 1.0,
    "bread": 1.0,
    "foodie": 0.95,
    "breakfast": 1.0,
    "weekend": 1.0,
    "recipe": 1.1,
    "instafood": 0.9,
    "local": 1.0,
}
CAPTIONS = [
    "Fresh out of the oven this morning",
    "How we shape our country loaf, step by step",
    "Meet the team behind the counter",
    "This week's seasonal special is here",
    "Crumb shot! 36 hours of fermentation",
    "Your questions about starters, answered",
    "Saturday queue, thank you for coming",
    "New class dates for the bread workshop",
]


def is_demo(platform_user_id: str | None) -> bool:
    return bool(platform_user_id and platform_user_id.startswith(DEMO_PREFIX))


def _rng(*parts: object) -> random.Random:
    digest = hashlib.sha256(":".join(map(str, parts)).encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))  # noqa: S311 - demo data


@dataclass(frozen=True)
class _DemoPost:
    post: RemotePost
    quality: float


class DemoClient:
    """A PlatformClient over generated data; ``now`` fixes "today" (for history backfills)."""

    uses_pkce = False

    def __init__(
        self,
        platform: Platform,
        seed: str,
        *,
        timezone: str = "Europe/Berlin",
        now: datetime | None = None,
    ) -> None:
        self.platform = platform
        self.seed = seed
        self.tz = ZoneInfo(timezone)
        self.now = now
        self.base_followers = _rng(seed, "size").randint(1200, 6000)
        self._days: dict[date, list[_DemoPost]] = {}

    def _now(self) -> datetime:
        return self.now or datetime.now(UTC)

    @property
    def _start(self) -> date:
        return (self._now() - timedelta(days=HISTORY_DAYS)).date()

    # -- generated world ---------------------------------------------------------------------
    def followers_on(self, day: date) -> int:
        t = (day - date(2024, 1, 1)).days
        growth = self.base_followers * (1 + 0.0025 * t + 0.00000035 * t * t)
        wobble = 1 + 0.01 * math.sin(t / 6.0) + _rng(self.seed, "f", day).uniform(-0.004, 0.004)
        return max(1, int(growth * wobble))

    def _posts_on(self, day: date) -> list[_DemoPost]:
        if day not in self._days:
            self._days[day] = self._generate_day(day)
        return self._days[day]

    def _generate_day(self, day: date) -> list[_DemoPost]:
        rng = _rng(self.seed, "p", day)
        count = rng.choices([0, 1, 2], weights=[0.3, 0.55, 0.15])[0]
        posts = []
        for n in range(count):
            hour = rng.choices(
                range(7, 23), weights=[1, 2, 2, 2, 2, 3, 2, 2, 2, 2, 2, 3, 3, 3, 2, 1]
            )[0]
            local = datetime(day.year, day.month, day.day, hour, rng.randrange(60), tzinfo=self.tz)
            kinds = list(TYPE_WEIGHTS)
            kind = rng.choices(kinds, weights=[TYPE_WEIGHTS[k][0] for k in kinds])[0]
            tags = rng.sample(list(HASHTAG_EFFECTS), k=rng.randint(1, 4))
            quality = TYPE_WEIGHTS[kind][1] * (1.5 if 18 <= hour <= 21 else 1.0)
            for tag in tags:
                quality *= HASHTAG_EFFECTS[tag]
            quality *= math.exp(rng.gauss(0, 0.35))
            caption = f"{rng.choice(CAPTIONS)} " + " ".join(f"#{t}" for t in tags)
            post_id = f"{self.seed}-{day:%Y%m%d}-{n}"
            remote = RemotePost(
                platform_post_id=post_id,
                posted_at=local.astimezone(UTC),
                content_type=kind,
                caption=caption,
                media_urls=(f"https://picsum.photos/seed/{post_id}/640/640",),
                kind=kind.value,
            )
            posts.append(_DemoPost(remote, quality))
        return posts

    def posts_between(self, start: datetime, end: datetime) -> list[RemotePost]:
        """Every post published in [start, end), oldest first."""
        day = max(start.astimezone(self.tz).date(), self._start)
        out: list[RemotePost] = []
        while day <= end.astimezone(self.tz).date():
            out.extend(p.post for p in self._posts_on(day) if start <= p.post.posted_at < end)
            day += timedelta(days=1)
        return out

    def metrics_at(self, post: RemotePost, when: datetime) -> PostMetrics:
        day = post.posted_at.astimezone(self.tz).date()
        quality = next(
            (
                p.quality
                for p in self._posts_on(day)
                if p.post.platform_post_id == post.platform_post_id
            ),
            1.0,
        )
        age_hours = max(0.0, (when - post.posted_at).total_seconds() / 3600)
        grown = 1 - math.exp(-age_hours / 20)
        reach = int(self.followers_on(day) * 0.32 * quality * grown)
        rate = 0.045 * quality**0.6
        return PostMetrics(
            likes=int(reach * rate * 0.8),
            comments=int(reach * rate * 0.08),
            shares=int(reach * rate * 0.07),
            saves=int(reach * rate * 0.05),
            reach=reach,
            impressions=int(reach * 1.35),
        )

    # -- the PlatformClient interface --------------------------------------------------------
    def authorize_url(self, *, state: str, redirect_uri: str, code_challenge: str | None) -> str:
        return f"{redirect_uri}?code=demo&state={state}"

    def exchange_code(self, *, code: str, redirect_uri: str, code_verifier: str | None) -> TokenSet:
        return TokenSet(access_token=f"demo-token-{self.seed}", platform_user_id=self.seed)

    def refresh(self, tokens: TokenSet) -> TokenSet:
        return tokens

    def fetch_profile(self, access_token: str) -> Profile:
        today = self._now().date()
        return Profile(
            platform_user_id=self.seed,
            username=f"fernandfig.{self.platform.value}",
            display_name="Fern & Fig Bakery",
            avatar_url=f"https://picsum.photos/seed/{self.seed}/200/200",
            followers=self.followers_on(today),
            following=180 + len(self.seed),
            post_count=len(self.posts_between(datetime(1970, 1, 1, tzinfo=UTC), self._now())),
        )

    def list_posts(
        self, access_token: str, *, platform_user_id: str, since: datetime
    ) -> Iterator[list[RemotePost]]:
        posts = list(reversed(self.posts_between(since, self._now())))  # newest first
        for i in range(0, len(posts), PAGE_SIZE):
            yield posts[i : i + PAGE_SIZE]

    def fetch_post_metrics(
        self, access_token: str, posts: list[RemotePost]
    ) -> dict[str, PostMetrics]:
        now = self._now()
        return {p.platform_post_id: self.metrics_at(p, now) for p in posts}

    def fetch_account_day(
        self, access_token: str, *, platform_user_id: str, day: date
    ) -> AccountDay:
        followers = self.followers_on(day)
        start = datetime(day.year, day.month, day.day, tzinfo=self.tz)
        posted = self.posts_between(start - timedelta(days=7), start + timedelta(days=1))
        reach = int(followers * 0.18 * (1 + 0.15 * len(posted)))
        return AccountDay(
            day=day,
            followers=followers,
            following=180 + len(self.seed),
            total_posts=len(self.posts_between(datetime(1970, 1, 1, tzinfo=UTC), start)),
            reach=reach,
            impressions=int(reach * 1.4),
            engagement=int(reach * 0.05),
        )
