"""The Instagram client against the Instagram fake: real HTTP on 127.0.0.1, no mocks.
The last section tests Meta's error classification (meta.py), shared with Facebook."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from soash.content.models import ContentType
from soash.social.platforms import instagram
from soash.social.platforms.base import RemotePost, TokenSet
from soash.social.platforms.errors import (
    MalformedResponse,
    PlatformRequestError,
    RateLimited,
    TokenInvalid,
    TransientError,
)
from soash.social.platforms.instagram import InstagramClient
from soash.social.platforms.meta import (
    ALMOST_REGAINED_WAIT,
    DEFAULT_RATE_LIMIT_WAIT,
    MetricRejected,
    NoInsightsData,
    ObjectGone,
    rate_limit_wait,
)
from tests.fakes.instagram import CLIENT_ID, IG_USER_ID, InstagramFake
from tests.fakes.support import client_fixtures

NOW = datetime.now(UTC).replace(microsecond=0)
TODAY = NOW.date()


server, fake, sleeps, client = client_fixtures(InstagramFake, InstagramClient)


@pytest.fixture
def token(fake: InstagramFake) -> str:
    return fake.issue_token(IG_USER_ID)


def post_of(fake: InstagramFake, **fields: object) -> RemotePost:
    media = fake.add_post(timestamp=NOW - timedelta(hours=1), **fields)
    return instagram._remote_post(media.graph())


def calls_to(fake: InstagramFake, path_end: str) -> list[dict[str, str]]:
    return [r.query for r in fake.requests if r.path.endswith(path_end)]


# -- OAuth ------------------------------------------------------------------------------------
def test_authorize_url_carries_the_documented_parameters(
    client: InstagramClient, fake: InstagramFake
) -> None:
    url = client.authorize_url(
        state="st4te", redirect_uri="https://soash.example/cb", code_challenge=None
    )
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == f"{fake.url}/oauth/authorize"
    assert {k: v[0] for k, v in parse_qs(parts.query).items()} == {
        "client_id": CLIENT_ID,
        "redirect_uri": "https://soash.example/cb",
        "response_type": "code",
        "scope": "instagram_business_basic,instagram_business_manage_insights",
        "state": "st4te",
    }


@pytest.mark.parametrize("wrapped", [False, True], ids=["flat", "data-wrapped"])
def test_code_is_exchanged_for_a_long_lived_token(
    client: InstagramClient, fake: InstagramFake, wrapped: bool
) -> None:
    fake.wrap_code_response = wrapped
    tokens = client.exchange_code(
        code="ig-code#_", redirect_uri="https://soash.example/cb", code_verifier=None
    )

    form = fake.requests[0].form
    assert fake.requests[0].method == "POST"
    assert form["code"] == "ig-code" and form["grant_type"] == "authorization_code"
    assert form["redirect_uri"] == "https://soash.example/cb"
    exchange = calls_to(fake, "/access_token")[-1]
    assert exchange["grant_type"] == "ig_exchange_token" and exchange["access_token"].startswith(
        "IGAAshort"
    )
    assert tokens.access_token.startswith("IGAAlong")
    assert tokens.refresh_token is None
    assert tokens.platform_user_id == IG_USER_ID
    assert tokens.scopes == ("instagram_business_basic", "instagram_business_manage_insights")
    assert tokens.expires_at is not None
    assert abs((tokens.expires_at - datetime.now(UTC)).total_seconds() - 5183944) < 120
    assert client.fetch_profile(tokens.access_token).username == "acme"


def test_a_used_or_wrong_code_is_refused(client: InstagramClient) -> None:
    client.exchange_code(code="ig-code", redirect_uri="https://x/cb", code_verifier=None)
    with pytest.raises(PlatformRequestError, match="Invalid authorization code") as caught:
        client.exchange_code(code="ig-code", redirect_uri="https://x/cb", code_verifier=None)
    assert not isinstance(caught.value, TokenInvalid)


def test_refresh_gives_a_new_token_and_keeps_the_account(
    client: InstagramClient, token: str
) -> None:
    old = TokenSet(
        access_token=token, expires_at=NOW + timedelta(days=3), platform_user_id=IG_USER_ID
    )
    new = client.refresh(old)
    assert new.access_token != token and new.access_token.startswith("IGAAlong")
    assert new.refresh_token is None and new.platform_user_id == IG_USER_ID
    assert new.expires_at is not None and new.expires_at > NOW + timedelta(days=59)
    assert client.fetch_profile(new.access_token).platform_user_id == IG_USER_ID


def test_refresh_of_a_revoked_token_asks_for_a_reconnect(
    client: InstagramClient, fake: InstagramFake, token: str
) -> None:
    fake.revoke(token)
    with pytest.raises(TokenInvalid, match="reconnect"):
        client.refresh(TokenSet(access_token=token))


# -- profile and posts ------------------------------------------------------------------------
def test_profile(client: InstagramClient, fake: InstagramFake, token: str) -> None:
    profile = client.fetch_profile(token)
    assert profile.platform_user_id == IG_USER_ID  # user_id, not the app-scoped id
    assert (profile.username, profile.display_name) == ("acme", "Acme Co")
    assert profile.avatar_url == "https://scontent.cdninstagram.com/acme.jpg"
    assert (profile.followers, profile.following, profile.post_count) == (1520, 210, 342)
    fields = calls_to(fake, "/me")[0]["fields"].split(",")
    assert {"user_id", "followers_count", "follows_count", "media_count"} <= set(fields)


def test_posts_are_listed_page_by_page_until_older_than_since(
    client: InstagramClient, fake: InstagramFake, token: str
) -> None:
    for n in range(200):  # one an hour, newest first: the 105 newest are since's side
        fake.add_post(timestamp=NOW - timedelta(hours=n), caption=f"post {n} #Bread")
    fake.add_post(
        timestamp=NOW - timedelta(hours=2), media_product_type="STORY", media_type="VIDEO"
    )
    since = NOW - timedelta(hours=104)

    pages = list(client.list_posts(token, platform_user_id=IG_USER_ID, since=since))

    assert [len(page) for page in pages] == [50, 50, 5, 1]
    posts = [p for page in pages for p in page]
    assert all(p.posted_at >= since for p in posts)
    assert posts[0].caption == "post 0 #Bread" and posts[0].posted_at == NOW
    assert posts[-1].content_type is ContentType.story and posts[-1].kind == "STORY"
    media_calls = calls_to(fake, "/media")
    assert len(media_calls) == 3  # stopped: the 4th page would be all older than since
    assert media_calls[0]["limit"] == "50" and media_calls[0]["since"] == str(
        int(since.timestamp())
    )
    assert "after" in media_calls[1] and "children{" in media_calls[0]["fields"]


def test_posts_carry_type_caption_and_media(
    client: InstagramClient, fake: InstagramFake, token: str
) -> None:
    children = [
        {"id": "1", "media_type": "IMAGE", "media_url": "https://cdn/1.jpg"},
        {"id": "2", "media_type": "VIDEO", "media_url": "https://cdn/2.mp4"},
    ]
    fake.add_post(
        timestamp=NOW - timedelta(hours=1), media_type="CAROUSEL_ALBUM", children=children
    )
    fake.add_post(
        timestamp=NOW - timedelta(hours=2),
        media_type="VIDEO",
        media_product_type="REELS",
        media_url="https://cdn/r.mp4",
        thumbnail_url="https://cdn/r.jpg",
        caption="Launch day",
    )
    pages = client.list_posts(token, platform_user_id=IG_USER_ID, since=NOW - timedelta(days=1))
    carousel, reel = next(iter(pages))
    assert carousel.content_type is ContentType.carousel and carousel.caption is None
    assert carousel.media_urls == ("https://cdn/1.jpg", "https://cdn/2.mp4")
    assert (reel.content_type, reel.kind, reel.caption) == (ContentType.reel, "REELS", "Launch day")
    assert reel.media_urls == ("https://cdn/r.mp4", "https://cdn/r.jpg")


@pytest.mark.parametrize(
    ("media_type", "product_type", "expected"),
    [
        ("IMAGE", "FEED", ContentType.image),
        ("VIDEO", "FEED", ContentType.video),
        ("CAROUSEL_ALBUM", "FEED", ContentType.carousel),
        ("VIDEO", "REELS", ContentType.reel),
        ("IMAGE", "STORY", ContentType.story),
        ("VIDEO", "STORY", ContentType.story),
        ("IMAGE", "AD", ContentType.image),
        ("SOMETHING_NEW", "FEED", None),
        (None, None, None),
    ],
)
def test_content_type_mapping(
    media_type: str | None, product_type: str | None, expected: ContentType | None
) -> None:
    assert instagram.content_type(media_type, product_type) is expected


# -- metrics ----------------------------------------------------------------------------------
def test_feed_post_metrics(client: InstagramClient, fake: InstagramFake, token: str) -> None:
    post = post_of(
        fake, like_count=120, comments_count=8, insights={"reach": 157, "views": 2048, "saved": 9}
    )
    metrics = client.fetch_post_metrics(token, [post])[post.platform_post_id]
    assert (metrics.likes, metrics.comments, metrics.saves) == (120, 8, 9)
    assert (metrics.reach, metrics.impressions) == (157, 2048)  # impressions <- views
    # Meta refuses `shares` on feed media: dropped, reported, never 0.
    assert metrics.shares is None and metrics.unavailable == {"shares"}


def test_a_retired_metric_is_retried_without_and_remembered(
    client: InstagramClient, fake: InstagramFake, token: str
) -> None:
    fake.retired_metrics.add("saved")
    first = post_of(fake, like_count=1, insights={"reach": 10, "views": 20, "saved": 3})
    second = post_of(fake, like_count=2, insights={"reach": 11, "views": 21})

    result = client.fetch_post_metrics(token, [first, second])

    asked = [
        metrics for object_id, metrics in fake.insight_calls if object_id == first.platform_post_id
    ]
    assert asked == [
        ["reach", "views", "saved", "shares"],
        ["reach", "views", "shares"],
        ["reach", "views"],
    ]
    assert result[first.platform_post_id].saves is None
    assert result[first.platform_post_id].reach == 10
    assert result[first.platform_post_id].unavailable == {"saves", "shares"}
    # The second post of the same kind does not pay for the refusals again.
    assert [m for i, m in fake.insight_calls if i == second.platform_post_id] == [
        ["reach", "views"]
    ]
    assert result[second.platform_post_id].unavailable == {"saves", "shares"}
    assert result[second.platform_post_id].likes == 2


def test_reel_and_story_metrics(client: InstagramClient, fake: InstagramFake, token: str) -> None:
    reel = post_of(
        fake,
        media_type="VIDEO",
        media_product_type="REELS",
        like_count=900,
        comments_count=41,
        insights={"reach": 5000, "views": 9000, "saved": 30, "shares": 12},
    )
    story = post_of(fake, media_product_type="STORY", insights={"reach": 70, "views": 95})
    result = client.fetch_post_metrics(token, [reel, story])
    got = result[reel.platform_post_id]
    assert (got.likes, got.comments, got.shares, got.saves, got.reach, got.impressions) == (
        900,
        41,
        12,
        30,
        5000,
        9000,
    )
    assert got.unavailable == set()
    got = result[story.platform_post_id]
    assert (got.likes, got.comments, got.saves, got.shares) == (None, None, None, None)
    assert (got.reach, got.impressions, got.unavailable) == (70, 95, {"shares"})
    assert not calls_to(fake, f"/{story.platform_post_id}")  # no like/comment fields for stories


def test_metrics_not_reported_yet_are_none_not_zero(
    client: InstagramClient, fake: InstagramFake, token: str
) -> None:
    post = post_of(fake, media_product_type="REELS", media_type="VIDEO")
    metrics = client.fetch_post_metrics(token, [post])[post.platform_post_id]
    assert (metrics.likes, metrics.reach, metrics.impressions, metrics.saves) == (
        None,
        None,
        None,
        None,
    )


def test_a_post_that_is_gone_is_left_out(
    client: InstagramClient, fake: InstagramFake, token: str
) -> None:
    kept = post_of(fake, like_count=5)
    gone = RemotePost("17999999999999999", NOW, ContentType.image, kind="FEED")
    assert list(client.fetch_post_metrics(token, [gone, kept])) == [kept.platform_post_id]


def test_account_day(client: InstagramClient, fake: InstagramFake, token: str) -> None:
    day = TODAY - timedelta(days=2)
    fake.set_account_day(day, reach=90, views=300, total_interactions=12)
    fake.set_account_day(day + timedelta(days=1), reach=1, views=1, total_interactions=1)

    account = client.fetch_account_day(token, platform_user_id=IG_USER_ID, day=day)

    assert (account.day, account.reach, account.impressions, account.engagement) == (
        day,
        90,
        300,
        12,
    )
    assert account.followers is None and account.unavailable == set()
    series, totals = calls_to(fake, f"{IG_USER_ID}/insights")
    assert series["metric"] == "reach" and "metric_type" not in series
    assert totals["metric"] == "views,total_interactions" and totals["metric_type"] == "total_value"
    start = int(datetime.combine(day, datetime.min.time(), UTC).timestamp())
    assert (series["period"], series["since"], series["until"]) == (
        "day",
        str(start),
        str(start + 86400),
    )


def test_account_day_survives_a_retired_metric(
    client: InstagramClient, fake: InstagramFake, token: str
) -> None:
    day = TODAY - timedelta(days=1)
    fake.set_account_day(day, reach=5, views=7, total_interactions=2)
    fake.retired_metrics.add("views")
    account = client.fetch_account_day(token, platform_user_id=IG_USER_ID, day=day)
    assert (account.reach, account.impressions, account.engagement) == (5, None, 2)
    assert account.unavailable == {"impressions"}  # Soash's name, not Meta's


# -- faults -----------------------------------------------------------------------------------
def test_a_short_rate_limit_is_slept_through(
    client: InstagramClient, fake: InstagramFake, token: str, sleeps: list[float]
) -> None:
    fake.fail_next("rate_limit", retry_after=20)  # BUC: 0 whole minutes left
    assert client.fetch_profile(token).username == "acme"
    assert sleeps == [ALMOST_REGAINED_WAIT]


def test_a_long_rate_limit_raises_with_metas_estimate(
    client: InstagramClient, fake: InstagramFake, token: str, sleeps: list[float]
) -> None:
    fake.rate_limit_code = 80002
    fake.fail_next("rate_limit", retry_after=1200)
    with pytest.raises(RateLimited, match="80002") as caught:
        client.fetch_profile(token)
    assert caught.value.retry_after == 1200  # estimated_time_to_regain_access: 20 minutes
    assert sleeps == []


def test_server_errors_are_retried(
    client: InstagramClient, fake: InstagramFake, token: str, sleeps: list[float]
) -> None:
    fake.fail_next("server_error", times=2)
    assert client.fetch_profile(token).followers == 1520
    assert len(calls_to(fake, "/me")) == 3 and sleeps == [0.5, 1.0]


def test_a_hang_beyond_the_timeout_fails_after_bounded_retries(
    client: InstagramClient, fake: InstagramFake, token: str
) -> None:
    fake.fail_next("hang", seconds=4, times=3)
    started = time.monotonic()
    with pytest.raises(TransientError):
        client.fetch_profile(token)
    assert time.monotonic() - started < 6  # three 1 s timeouts, not three 4 s hangs
    assert len(calls_to(fake, "/me")) == 3  # the first try and 2 retries


def test_malformed_json_is_reported(
    client: InstagramClient, fake: InstagramFake, token: str
) -> None:
    fake.fail_next("malformed")
    with pytest.raises(MalformedResponse, match="not JSON"):
        client.fetch_profile(token)


@pytest.mark.parametrize("how", ["expired", "revoked", "unknown"])
def test_a_dead_token_asks_for_a_reconnect(
    client: InstagramClient, fake: InstagramFake, token: str, how: str
) -> None:
    token = fake.dead_token(token, how, subcode=458)  # 458: the user removed the app
    with pytest.raises(TokenInvalid, match="code 190"):
        list(client.list_posts(token, platform_user_id=IG_USER_ID, since=NOW - timedelta(days=1)))


# -- Meta error classification (meta.py, shared with Facebook) ------------------------------
def graph_response(
    code: int,
    message: str = "x",
    *,
    status: int = 400,
    subcode: int | None = None,
    metric: str = "",
) -> httpx.Response:
    error: dict[str, object] = {"message": message, "type": "OAuthException", "code": code}
    if subcode is not None:
        error["error_subcode"] = subcode
    request = httpx.Request(
        "GET", "https://graph.instagram.com/v23.0/1/insights", params={"metric": metric}
    )
    return httpx.Response(status, json={"error": error}, request=request)


@pytest.mark.parametrize(
    ("response", "expected"),
    [
        (graph_response(4, "(#4) Application request limit reached"), RateLimited),
        (graph_response(17), RateLimited),
        (graph_response(613), RateLimited),
        (graph_response(190, subcode=463), TokenInvalid),
        (graph_response(102), TokenInvalid),
        (graph_response(100, "x", subcode=460), TokenInvalid),
        (
            graph_response(10, "(#10) Application does not have permission for this action"),
            TokenInvalid,
        ),
        (
            graph_response(10, "(#10) Not enough viewers for the media to show insights"),
            NoInsightsData,
        ),
        (graph_response(2, "Service temporarily unavailable"), TransientError),
        (
            graph_response(
                100, "Unsupported get request. Object with ID '1' does not exist", subcode=33
            ),
            ObjectGone,
        ),
        (
            graph_response(100, "(#100) Tried accessing nonexisting field (insights)"),
            PlatformRequestError,
        ),
        (
            graph_response(
                100,
                "(#100) The metric shares is not supported for this media type",
                metric="reach,shares",
            ),
            MetricRejected,
        ),
        (
            httpx.Response(429, request=httpx.Request("GET", "https://graph.instagram.com/me")),
            RateLimited,
        ),
        (
            httpx.Response(200, json={"id": "1"}, request=httpx.Request("GET", "https://g/me")),
            type(None),
        ),
    ],
)
def test_meta_errors_are_classified(response: httpx.Response, expected: type) -> None:
    assert type(instagram.classify(response)) is expected


@pytest.mark.parametrize(
    ("message", "requested", "rejected"),
    [
        (
            "(#100) Starting from version 22 and above, the impressions metric is no longer "
            "supported for the queried user.",
            "reach,impressions",
            {"impressions"},
        ),
        (
            "(#100) The Media Insights API does not support the views metric for this media "
            "product type.",
            "reach,views",
            {"views"},
        ),
        (
            "(#100) metric[1] must be one of the following values: reach, views, saved",
            "reach,plays,views",
            {"plays"},
        ),
        (
            "(#100) metric must be one of the following values: reach, views",
            "reach,plays,views",
            {"plays"},
        ),
        ("(#100) The value must be a valid insights metric", "post_media_view,post_clicks", set()),
    ],
)
def test_the_refused_metric_is_read_from_the_message(
    message: str, requested: str, rejected: set[str]
) -> None:
    error = instagram.classify(graph_response(100, message, metric=requested))
    assert isinstance(error, MetricRejected) and error.metrics == rejected


def test_metric_type_errors_are_not_mistaken_for_retired_metrics() -> None:
    message = (
        "(#100) The following metrics (views) should be specified with parameter "
        "metric_type=total_value"
    )
    error = instagram.classify(graph_response(100, message, metric="views"))
    assert type(error) is PlatformRequestError


@pytest.mark.parametrize(
    ("headers", "wait"),
    [
        ({"Retry-After": "7"}, 7.0),
        (
            {
                "X-Business-Use-Case-Usage": '{"1":[{"type":"pages",'
                '"estimated_time_to_regain_access":19}]}'
            },
            19 * 60.0,
        ),
        (
            {"X-Business-Use-Case-Usage": '{"1":[{"estimated_time_to_regain_access":0}]}'},
            ALMOST_REGAINED_WAIT,
        ),
        (
            {"X-App-Usage": '{"call_count":100,"total_time":25,"total_cputime":25}'},
            DEFAULT_RATE_LIMIT_WAIT,
        ),
        (
            {"X-Page-Usage": '{"call_count":200,"total_time":25,"total_cputime":25}'},
            2 * DEFAULT_RATE_LIMIT_WAIT,
        ),
        ({"X-App-Usage": "not json"}, DEFAULT_RATE_LIMIT_WAIT),
        ({}, DEFAULT_RATE_LIMIT_WAIT),
    ],
)
def test_rate_limit_wait_follows_metas_headers(headers: dict[str, str], wait: float) -> None:
    assert rate_limit_wait(httpx.Headers(headers)) == wait


def test_media_insights_carrying_values_and_total_value_together(
    client: InstagramClient, fake: InstagramFake, token: str
) -> None:
    post = post_of(fake, like_count=3, insights={"reach": 41, "views": 77, "saved": 2})
    answer = httpx.get(
        f"{fake.url}/v23.0/{post.platform_post_id}/insights",
        params={"metric": "reach,views", "access_token": token},
    ).json()
    assert answer["data"][0]["values"] == [{"value": 41}]
    assert answer["data"][0]["total_value"] == {"value": 41}
    got = client.fetch_post_metrics(token, [post])[post.platform_post_id]
    assert (got.reach, got.impressions, got.saves, got.likes) == (41, 77, 2, 3)
