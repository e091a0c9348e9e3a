"""The Facebook Pages client against the Facebook fake: real HTTP on 127.0.0.1, no mocks.
Retries, timeouts and Meta's error classification are shared with Instagram (meta.py) and
tested in test_instagram.py; here the Facebook shapes of them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from soash.content.models import ContentType
from soash.social.platforms import facebook
from soash.social.platforms.base import RemotePost, TargetLister, TokenSet
from soash.social.platforms.errors import (
    MalformedResponse,
    PlatformRequestError,
    RateLimited,
    TokenInvalid,
)
from soash.social.platforms.facebook import FacebookClient
from soash.social.platforms.meta import next_page
from tests.fakes.facebook import CLIENT_ID, PAGE_ID, FacebookFake
from tests.fakes.support import client_fixtures

NOW = datetime.now(UTC).replace(microsecond=0)
PHOTO = [{"media_type": "photo", "type": "photo", "media": {"image": {"src": "https://cdn/p.jpg"}}}]


server, fake, sleeps, client = client_fixtures(FacebookFake, FacebookClient)


def post_of(fake: FacebookFake, **fields: Any) -> RemotePost:
    post = fake.add_post(created_time=NOW - timedelta(hours=1), **fields)
    return facebook._remote_post(post.graph())


# -- OAuth ------------------------------------------------------------------------------------
def test_authorize_url(client: FacebookClient, fake: FacebookFake) -> None:
    """The parameters are Meta's, shared with Instagram (tested there); these are Facebook's."""
    url = client.authorize_url(state="s", redirect_uri="https://x/cb", code_challenge=None)
    assert url.startswith(f"{fake.url}/v23.0/dialog/oauth?client_id={CLIENT_ID}&")
    assert "&scope=pages_show_list%2Cpages_read_engagement%2Cread_insights&state=s" in url


def test_code_becomes_the_first_pages_token(client: FacebookClient, fake: FacebookFake) -> None:
    fake.add_page("2222222222", name="Second page")
    tokens = client.exchange_code(code="fb-code", redirect_uri="https://x/cb", code_verifier=None)

    assert tokens == TokenSet(access_token=fake.page_token, platform_user_id=PAGE_ID)
    assert tokens.expires_at is None and tokens.refresh_token is None
    code_call, exchange_call, accounts_call = [r.query for r in fake.requests]
    assert code_call["code"] == "fb-code" and code_call["redirect_uri"] == "https://x/cb"
    assert exchange_call["grant_type"] == "fb_exchange_token"
    assert exchange_call["fb_exchange_token"].startswith("EAAshort")
    assert accounts_call["access_token"].startswith("EAAlong")
    assert client.fetch_profile(tokens.access_token).platform_user_id == PAGE_ID


def test_targets_are_every_page_the_login_granted_each_with_its_token(
    client: FacebookClient, fake: FacebookFake
) -> None:
    second = fake.add_page("2222222222", name="Second page", username="second", followers=12)
    for n in range(3, 103):  # more Pages than one page of /me/accounts holds
        fake.add_page(str(3_000_000_000 + n), name=f"Page {n}")
    tokens = client.exchange_code(code="fb-code", redirect_uri="https://x/cb", code_verifier=None)

    assert isinstance(client, TargetLister)
    targets = client.list_targets(tokens)

    assert len(targets) == 102
    first, other = targets[0], targets[1]
    assert first.tokens == tokens and first.profile == client.fetch_profile(fake.page_token)
    assert (other.profile.platform_user_id, other.profile.display_name) == (
        "2222222222",
        "Second page",
    )
    assert (other.profile.username, other.profile.followers) == ("second", 12)
    assert other.tokens == TokenSet(access_token=second, platform_user_id="2222222222")
    assert client.fetch_target_profile(second, platform_user_id="2222222222") == other.profile
    accounts = [r.query for r in fake.requests if r.path.endswith("/me/accounts")]
    assert all(q["access_token"].startswith("EAAlong") for q in accounts)  # the user token
    assert "access_token" in accounts[-1]["fields"] and len(accounts) == 4  # 2 per listing
    assert "EAAlong" not in repr(tokens)


def test_a_login_without_pages_is_refused_clearly(
    client: FacebookClient, fake: FacebookFake
) -> None:
    fake.pages.clear()
    with pytest.raises(PlatformRequestError, match="manages no Page"):
        client.exchange_code(code="fb-code", redirect_uri="https://x/cb", code_verifier=None)


def test_a_used_code_is_refused(client: FacebookClient) -> None:
    client.exchange_code(code="fb-code", redirect_uri="https://x/cb", code_verifier=None)
    with pytest.raises(PlatformRequestError, match="has been used"):
        client.exchange_code(code="fb-code", redirect_uri="https://x/cb", code_verifier=None)


def test_refresh_keeps_a_live_page_token_and_rejects_a_dead_one(
    client: FacebookClient, fake: FacebookFake
) -> None:
    tokens = TokenSet(access_token=fake.page_token, platform_user_id=PAGE_ID)
    assert client.refresh(tokens) == tokens
    fake.revoke(fake.page_token, subcode=492)  # the user lost their role on the Page
    with pytest.raises(TokenInvalid, match="subcode 492"):
        client.refresh(tokens)


# -- profile and posts ------------------------------------------------------------------------
def test_profile(client: FacebookClient, fake: FacebookFake) -> None:
    profile = client.fetch_profile(fake.page_token)
    assert (profile.platform_user_id, profile.username, profile.display_name) == (
        PAGE_ID,
        "acme",
        "Acme",
    )
    assert profile.avatar_url == f"https://scontent.xx.fbcdn.net/{PAGE_ID}.jpg"
    assert (profile.followers, profile.following, profile.post_count) == (8450, None, None)


def test_posts_are_listed_page_by_page_since_a_date(
    client: FacebookClient, fake: FacebookFake
) -> None:
    for n in range(230):
        fake.add_post(created_time=NOW - timedelta(hours=n), message=f"post {n}")
    since = NOW - timedelta(hours=149)

    pages = list(client.list_posts(fake.page_token, platform_user_id=PAGE_ID, since=since))

    assert [len(page) for page in pages] == [100, 50]
    assert [p.caption for p in pages[0][:2]] == ["post 0", "post 1"]
    calls = [r.query for r in fake.requests if r.path.endswith("/posts")]
    assert calls[0]["since"] == str(int(since.timestamp())) and calls[0]["limit"] == "100"
    assert "after" in calls[1]


def test_a_malformed_page_fails_after_the_earlier_pages(
    client: FacebookClient, fake: FacebookFake
) -> None:
    for n in range(150):
        fake.add_post(created_time=NOW - timedelta(hours=n))
    pages = client.list_posts(
        fake.page_token, platform_user_id=PAGE_ID, since=NOW - timedelta(days=30)
    )
    assert len(next(pages)) == 100
    fake.fail_next("malformed", path="/posts")
    with pytest.raises(MalformedResponse):
        next(pages)


@pytest.mark.parametrize("paging", ["cursor", "time"])
def test_every_post_of_a_multi_page_window_is_fetched_with_its_fields(
    client: FacebookClient, fake: FacebookFake, paging: str
) -> None:
    """``paging.next`` is followed with its whole query (a client that drops it re-reads page
    1 with Meta's default fields and never sees page 2)."""
    fake.posts_paging = paging
    fake.public_base = fake.url  # here `next` names the configured host itself
    for n in range(230):
        attachments = album("photo", "photo") if n % 2 else PHOTO
        fake.add_post(
            created_time=NOW - timedelta(hours=n), message=f"post {n}", attachments=attachments
        )
    since = NOW - timedelta(hours=149)

    pages = list(client.list_posts(fake.page_token, platform_user_id=PAGE_ID, since=since))

    posts = [post for page in pages for post in page]
    assert [p.caption for p in posts] == [f"post {n}" for n in range(150)]
    assert len({p.platform_post_id for p in posts}) == 150
    assert {p.content_type for p in posts[100:]} == {ContentType.image, ContentType.carousel}
    assert all(p.media_urls for p in posts)
    calls = [r.query for r in fake.requests if r.path.endswith("/posts")]
    assert len(calls) == 2
    for call in calls:
        assert (call["fields"], call["limit"]) == (facebook.POST_FIELDS, "100")
        assert call["since"] == str(int(since.timestamp()))
    if paging == "time":
        assert {"until", "__paging_token"} <= calls[1].keys() and "after" not in calls[1]
    else:
        assert "after" in calls[1]


@pytest.mark.parametrize("paging", ["cursor", "time"])
def test_page_two_goes_to_the_configured_api_base(
    client: FacebookClient, fake: FacebookFake, paging: str
) -> None:
    """Meta's ``next`` names graph.facebook.com; a proxy or stand-in configured as the API
    base must get page 2 as well, and the token must not leave for another host."""
    fake.posts_paging = paging
    for n in range(120):
        fake.add_post(created_time=NOW - timedelta(hours=n), message=f"post {n}")
    since = NOW - timedelta(days=30)

    pages = list(client.list_posts(fake.page_token, platform_user_id=PAGE_ID, since=since))

    assert [len(page) for page in pages] == [100, 20]
    calls = [r for r in fake.requests if r.path.endswith("/posts")]
    assert [r.path for r in calls] == [f"/v23.0/{PAGE_ID}/posts"] * 2
    assert calls[1].query["access_token"] == fake.page_token


def test_a_next_without_a_token_gets_ours() -> None:
    """The paging example in Meta's docs carries no ``access_token``: it is added, not lost."""
    assert (
        next_page("https://graph.facebook.com/1/albums?limit=25&after=MTAx", "EAAtoken")
        == "/1/albums?limit=25&after=MTAx&access_token=EAAtoken"
    )


def album(*kinds: str) -> list[dict[str, Any]]:
    subs = [
        {"media_type": k, "type": k, "media": {"image": {"src": f"https://cdn/{i}.jpg"}}}
        for i, k in enumerate(kinds)
    ]
    return [{"media_type": "album", "type": "album", "subattachments": {"data": subs}}]


@pytest.mark.parametrize(
    ("post", "expected"),
    [
        ({"attachments": {"data": album("photo", "photo")}}, ContentType.carousel),
        (
            {"attachments": {"data": [{"type": "photo", "subattachments": {"data": [{}, {}]}}]}},
            ContentType.carousel,
        ),
        ({"attachments": {"data": PHOTO}}, ContentType.image),
        (
            {"attachments": {"data": [{"media_type": "video", "type": "video_inline"}]}},
            ContentType.video,
        ),
        (
            {"attachments": {"data": [{"media_type": "video", "type": "video_autoplay"}]}},
            ContentType.video,
        ),
        (
            {
                "attachments": {"data": [{"media_type": "video", "type": "video_inline"}]},
                "permalink_url": "https://www.facebook.com/reel/123",
            },
            ContentType.reel,
        ),
        (
            {"attachments": {"data": [{"media_type": "video", "type": "video_reels"}]}},
            ContentType.reel,
        ),
        ({"status_type": "added_video"}, ContentType.video),
        ({"status_type": "added_photos"}, ContentType.image),
        (
            {
                "attachments": {"data": [{"media_type": "link", "type": "share"}]},
                "status_type": "shared_story",
            },
            None,
        ),
        ({"message": "Just text", "status_type": "mobile_status_update"}, None),
    ],
)
def test_content_type_mapping(post: dict[str, Any], expected: ContentType | None) -> None:
    assert facebook.content_type(post) is expected


def test_posts_carry_caption_and_media(client: FacebookClient, fake: FacebookFake) -> None:
    fake.add_post(
        created_time=NOW - timedelta(hours=1), attachments=album("photo", "photo"), message="Two"
    )
    fake.add_post(
        created_time=NOW - timedelta(hours=2), attachments=PHOTO, status_type="added_photos"
    )
    fake.add_post(
        created_time=NOW - timedelta(hours=3),
        full_picture="https://cdn/link.jpg",
        attachments=[{"media_type": "link", "type": "share"}],
    )
    pages = client.list_posts(
        fake.page_token, platform_user_id=PAGE_ID, since=NOW - timedelta(days=1)
    )
    carousel, photo, link = next(iter(pages))
    assert (carousel.content_type, carousel.caption) == (ContentType.carousel, "Two")
    assert carousel.media_urls == ("https://cdn/0.jpg", "https://cdn/1.jpg")
    assert (photo.content_type, photo.kind, photo.media_urls) == (
        ContentType.image,
        "added_photos",
        ("https://cdn/p.jpg",),
    )
    assert (link.content_type, link.media_urls) == (None, ("https://cdn/link.jpg",))


# -- metrics ----------------------------------------------------------------------------------
def test_post_metrics(client: FacebookClient, fake: FacebookFake) -> None:
    post = post_of(
        fake,
        reactions=42,
        comments=5,
        shares=3,
        insights={"post_media_view": 900, "post_total_media_view_unique": 800},
    )
    metrics = client.fetch_post_metrics(fake.page_token, [post])[post.platform_post_id]
    assert (metrics.likes, metrics.comments, metrics.shares) == (42, 5, 3)
    assert (metrics.impressions, metrics.reach, metrics.saves) == (900, 800, None)
    assert metrics.unavailable == set()


def test_an_unnamed_retired_metric_is_isolated_and_remembered(
    client: FacebookClient, fake: FacebookFake
) -> None:
    fake.retired_metrics.add("post_media_view")  # Meta's error names no metric
    first = post_of(
        fake, reactions=1, insights={"post_media_view": 9, "post_total_media_view_unique": 8}
    )
    second = post_of(fake, reactions=2, insights={"post_total_media_view_unique": 7})

    result = client.fetch_post_metrics(fake.page_token, [first, second])

    assert [m for i, m in fake.insight_calls if i == first.platform_post_id] == [
        ["post_media_view", "post_total_media_view_unique"],
        ["post_media_view"],
        ["post_total_media_view_unique"],
    ]
    assert [m for i, m in fake.insight_calls if i == second.platform_post_id] == [
        ["post_total_media_view_unique"]
    ]
    for post, reach in ((first, 8), (second, 7)):
        got = result[post.platform_post_id]
        assert (got.impressions, got.reach, got.unavailable) == (None, reach, {"impressions"})


def test_a_video_uses_video_insights(client: FacebookClient, fake: FacebookFake) -> None:
    video = post_of(
        fake,
        id="555000111",
        reactions=4,
        insights={"total_video_impressions": 60, "total_video_impressions_unique": 50},
    )
    metrics = client.fetch_post_metrics(fake.page_token, [video])[video.platform_post_id]
    assert (metrics.likes, metrics.impressions, metrics.reach) == (4, 60, 50)
    assert fake.requests[-1].path.endswith("/555000111/video_insights")


def test_counts_facebook_leaves_out_are_none(client: FacebookClient, fake: FacebookFake) -> None:
    post = post_of(fake)
    metrics = client.fetch_post_metrics(fake.page_token, [post])[post.platform_post_id]
    assert (metrics.likes, metrics.comments, metrics.shares, metrics.reach) == (
        None,
        None,
        None,
        None,
    )


def test_account_day(client: FacebookClient, fake: FacebookFake) -> None:
    day = NOW.date() - timedelta(days=3)
    fake.set_account_day(
        day,
        page_media_view={"is_from_ads": 40, "organic": 960},
        page_follows=8450,
        page_total_media_view_unique=700,
        page_post_engagements=55,
    )
    fake.set_account_day(day - timedelta(days=1), page_media_view=1, page_follows=1)

    account = client.fetch_account_day(fake.page_token, platform_user_id=PAGE_ID, day=day)

    assert (account.impressions, account.reach, account.engagement, account.followers) == (
        1000,
        700,
        55,
        8450,
    )
    assert account.unavailable == set()
    call = next(r.query for r in fake.requests if r.path.endswith(f"{PAGE_ID}/insights"))
    assert call["period"] == "day"


def test_account_day_survives_a_retired_metric(client: FacebookClient, fake: FacebookFake) -> None:
    day = NOW.date() - timedelta(days=1)
    fake.set_account_day(day, page_media_view=10, page_follows=20, page_post_engagements=3)
    fake.retired_metrics.add("page_follows")
    account = client.fetch_account_day(fake.page_token, platform_user_id=PAGE_ID, day=day)
    assert (account.impressions, account.followers, account.engagement, account.reach) == (
        10,
        None,
        3,
        None,
    )
    assert account.unavailable == {"followers"}  # Soash's name, not Meta's


# -- Facebook's shapes of the shared faults ---------------------------------------------------
def test_page_level_throttling_raises_with_the_buc_estimate(
    client: FacebookClient, fake: FacebookFake
) -> None:
    fake.fail_next("rate_limit", retry_after=3600)  # code 32, BUC type "pages": 60 minutes
    with pytest.raises(RateLimited, match="code 32") as caught:
        client.fetch_profile(fake.page_token)
    assert caught.value.retry_after == 3600


def test_a_short_throttle_on_http_429_is_slept_through(
    client: FacebookClient, fake: FacebookFake, sleeps: list[float]
) -> None:
    fake.rate_limit_code, fake.rate_limit_status = 80001, 429
    fake.fail_next("rate_limit", retry_after=0)
    assert client.fetch_profile(fake.page_token).followers == 8450
    assert len(sleeps) == 1


def test_server_errors_are_retried(
    client: FacebookClient, fake: FacebookFake, sleeps: list[float]
) -> None:
    fake.fail_next("server_error", times=2)
    assert client.fetch_profile(fake.page_token).display_name == "Acme"
    assert len(sleeps) == 2


@pytest.mark.parametrize("how", ["expired", "revoked", "unknown"])
def test_a_dead_page_token_asks_for_a_reconnect(
    client: FacebookClient, fake: FacebookFake, how: str
) -> None:
    token = fake.dead_token(fake.page_token, how)
    with pytest.raises(TokenInvalid, match="reconnect"):
        client.fetch_account_day(token, platform_user_id=PAGE_ID, day=NOW.date())
