"""The X client against a real HTTP fake of API v2 and its OAuth 2.0 + PKCE token endpoint."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from soash.content.models import ContentType
from soash.social.models import Platform
from soash.social.platforms import x
from soash.social.platforms.base import RemotePost
from soash.social.platforms.errors import (
    PlatformRequestError,
    RateLimited,
    TokenInvalid,
)
from soash.social.platforms.x import XClient
from tests.fakes.support import client_fixtures, client_http, fault_tests, s256
from tests.fakes.x import XFake

REDIRECT = "https://soash.example/api/v1/social-accounts/callback/twitter"
VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
NOW = datetime.now(UTC).replace(microsecond=0)


server, fake, sleeps, client = client_fixtures(XFake, XClient)
test_500_retried, test_hang_transient, test_malformed_json, test_token_expired = fault_tests(
    lambda client, fake: client.fetch_post_metrics(fake.token(), [RemotePost("1", NOW, None)])
)


def _connect(client: XClient, fake: XFake) -> tuple[str, str | None]:
    code = fake.authorize(REDIRECT, s256(VERIFIER))
    tokens = client.exchange_code(code=code, redirect_uri=REDIRECT, code_verifier=VERIFIER)
    return tokens.access_token, tokens.refresh_token


def test_authorize_url_has_pkce_s256(client: XClient) -> None:
    assert client.platform is Platform.twitter and client.uses_pkce
    url = client.authorize_url(state="st", redirect_uri=REDIRECT, code_challenge="ch4ll")
    split = urlsplit(url)
    assert f"{split.scheme}://{split.netloc}{split.path}" == "https://x.com/i/oauth2/authorize"
    assert "scope=tweet.read%20users.read%20offline.access" in split.query
    assert {k: v[0] for k, v in parse_qs(split.query).items()} == {
        "response_type": "code",
        "client_id": "x-client-id",
        "redirect_uri": REDIRECT,
        "scope": "tweet.read users.read offline.access",
        "state": "st",
        "code_challenge": "ch4ll",
        "code_challenge_method": "S256",
    }
    with pytest.raises(ValueError, match="PKCE"):
        client.authorize_url(state="st", redirect_uri=REDIRECT, code_challenge=None)


def test_exchange_code_with_basic_auth_and_verifier(client: XClient, fake: XFake) -> None:
    access, refresh = _connect(client, fake)
    assert fake.grants.user(access) is not None and refresh
    request = fake.requests[-1]
    basic = base64.b64encode(b"x-client-id:x-client-secret").decode()
    assert request.headers["authorization"] == f"Basic {basic}"
    assert request.form["code_verifier"] == VERIFIER
    assert request.form["client_id"] == "x-client-id"


def test_a_wrong_verifier_is_refused(client: XClient, fake: XFake) -> None:
    code = fake.authorize(REDIRECT, s256(VERIFIER))
    with pytest.raises(TokenInvalid, match="Value passed for the token was invalid"):
        client.exchange_code(code=code, redirect_uri=REDIRECT, code_verifier="not-the-verifier")


def test_wrong_client_credentials_are_a_configuration_error(
    fake: XFake, sleeps: list[float]
) -> None:
    settings = fake.settings().model_copy(update={"client_id": "someone-else"})
    client = XClient(settings, http=client_http(fake.url, x.classify, sleeps))
    code = fake.authorize(REDIRECT, s256(VERIFIER))
    with pytest.raises(PlatformRequestError, match="unauthorized_client"):
        client.exchange_code(code=code, redirect_uri=REDIRECT, code_verifier=VERIFIER)


def test_refresh_rotates_the_refresh_token(client: XClient, fake: XFake) -> None:
    code = fake.authorize(REDIRECT, s256(VERIFIER))
    first = client.exchange_code(code=code, redirect_uri=REDIRECT, code_verifier=VERIFIER)
    second = client.refresh(first)
    assert second.refresh_token not in (None, first.refresh_token)
    assert second.scopes == ("tweet.read", "users.read", "offline.access")
    assert fake.requests[-1].form["grant_type"] == "refresh_token"
    with pytest.raises(TokenInvalid):
        client.refresh(first)
    fake.grants.send_refresh = False
    third = client.refresh(second)
    assert third.refresh_token == second.refresh_token  # none sent: the old one is kept


def test_profile(client: XClient, fake: XFake) -> None:
    profile = client.fetch_profile(fake.token())
    assert (profile.platform_user_id, profile.username) == ("2244994945", "XDevelopers")
    assert profile.display_name == "X Developers"
    assert profile.avatar_url and profile.avatar_url.endswith("_normal.jpg")
    assert (profile.followers, profile.following, profile.post_count) == (583423, 2048, 14052)
    assert "public_metrics" in fake.requests[-1].query["user.fields"]


def test_list_posts_pages_with_start_time(client: XClient, fake: XFake) -> None:
    for hour in range(260):
        fake.add_post(f"15{hour:06d}", created=NOW - timedelta(hours=hour, minutes=1))
    since = NOW - timedelta(hours=230)
    pages = list(client.list_posts(fake.token(), platform_user_id="2244994945", since=since))
    assert [len(p) for p in pages] == [100, 100, 30]
    assert all(p.posted_at >= since for page in pages for p in page)
    calls = [r.query for r in fake.requests if r.path.endswith("/tweets")]
    assert calls[0]["start_time"] == since.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert "pagination_token" not in calls[0]
    assert all(c["pagination_token"] and c["max_results"] == "100" for c in calls[1:])
    assert calls[0]["exclude"] == "retweets,replies"


def test_an_empty_timeline(client: XClient, fake: XFake) -> None:
    assert list(client.list_posts(fake.token(), platform_user_id="1", since=NOW)) == []


@pytest.mark.parametrize(
    ("media", "expected"),
    [
        ((), None),
        (("photo",), ContentType.image),
        (("photo", "photo", "photo"), ContentType.carousel),
        (("video",), ContentType.video),
        (("animated_gif",), ContentType.video),
    ],
)
def test_content_type(
    client: XClient, fake: XFake, media: tuple[str, ...], expected: ContentType | None
) -> None:
    fake.add_post(
        "1", created=NOW - timedelta(hours=1), text="Launch day #buildinpublic", media=media
    )
    [[post]] = client.list_posts(fake.token(), platform_user_id="1", since=NOW - timedelta(1))
    assert post.content_type is expected
    assert post.caption == "Launch day #buildinpublic"
    assert len(post.media_urls) == len(media)


def test_post_metrics_map_and_batch(client: XClient, fake: XFake) -> None:
    posts = []
    for i in range(150):
        created = NOW - timedelta(days=2 if i < 120 else 60)
        fake.add_post(
            str(i),
            created=created,
            likes=40,
            replies=1,
            retweets=3,
            quotes=2,
            bookmarks=5,
            impressions=1800,
        )
        posts.append(RemotePost(str(i), created, None))
    metrics = client.fetch_post_metrics(fake.token(), [*posts, RemotePost("gone", NOW, None)])
    assert len(metrics) == 150
    m = metrics["7"]
    assert (m.likes, m.comments, m.shares, m.saves, m.impressions) == (40, 1, 5, 5, 1800)
    assert (m.reach, m.unavailable) == (None, set())
    # Past 30 days only public metrics are asked: X lists impressions and bookmarks there.
    old = metrics["130"]
    assert (old.impressions, old.saves, old.unavailable) == (1800, 5, set())
    lookups = [r.query for r in fake.requests if r.path == "/2/tweets"]
    assert [len(q["ids"].split(",")) for q in lookups] == [100, 21, 30]
    assert ["non_public_metrics" in q["tweet.fields"] for q in lookups] == [True, True, False]


def test_refused_non_public_metrics_are_dropped_not_fatal(client: XClient, fake: XFake) -> None:
    created = NOW - timedelta(days=3)
    fake.add_post("a", created=created, likes=4, impressions=900, public_impressions=False)
    fake.add_post("b", created=created, likes=6, impressions=700)
    fake.private_refused |= {"a", "b"}
    posts = [RemotePost("a", created, None), RemotePost("b", created, None)]
    metrics = client.fetch_post_metrics(fake.token(), posts)
    assert (metrics["a"].likes, metrics["a"].impressions) == (4, None)
    assert metrics["a"].unavailable == {"impressions"}
    assert (metrics["b"].impressions, metrics["b"].unavailable) == (700, set())


def test_account_day_is_a_profile_snapshot(client: XClient, fake: XFake) -> None:
    day = client.fetch_account_day(fake.token(), platform_user_id="1", day=NOW.date())
    assert (day.followers, day.following, day.total_posts) == (583423, 2048, 14052)
    assert (day.reach, day.impressions, day.engagement) == (None, None, None)


def test_a_short_rate_limit_is_slept_through(
    client: XClient, fake: XFake, sleeps: list[float]
) -> None:
    fake.fail_next("rate_limit", retry_after=3)
    assert client.fetch_profile(fake.token()).username == "XDevelopers"
    assert len(sleeps) == 1 and 1 <= sleeps[0] <= 4


def test_a_long_rate_limit_raises_until_the_reset(client: XClient, fake: XFake) -> None:
    fake.fail_next("rate_limit", retry_after=600)
    with pytest.raises(RateLimited) as caught:
        client.fetch_profile(fake.token())
    assert 595 <= caught.value.retry_after <= 601


def test_the_usage_cap_is_a_long_wait(client: XClient, fake: XFake) -> None:
    fake.fail_next("usage_capped")
    with pytest.raises(RateLimited, match="usage cap") as caught:
        client.fetch_profile(fake.token())
    assert caught.value.retry_after >= 3600


def test_a_revoked_token(client: XClient, fake: XFake) -> None:
    token = fake.token()
    fake.grants.revoke(token)
    with pytest.raises(TokenInvalid, match="Unauthorized"):
        list(client.list_posts(token, platform_user_id="1", since=NOW))
