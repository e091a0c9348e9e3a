"""The TikTok client against a real HTTP fake of Login Kit v2 and the Display API v2."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from soash.content.models import ContentType
from soash.social.platforms import tiktok
from soash.social.platforms.base import RemotePost, TokenSet
from soash.social.platforms.errors import (
    RateLimited,
    TokenInvalid,
)
from soash.social.platforms.tiktok import TikTokClient
from tests.fakes.support import client_fixtures, fault_tests
from tests.fakes.tiktok import TikTokFake

REDIRECT = "https://soash.example/api/v1/social-accounts/callback/tiktok"
NOW = datetime.now(UTC).replace(microsecond=0)


server, fake, sleeps, client = client_fixtures(TikTokFake, TikTokClient)
test_500_retried, test_hang_transient, test_malformed_json, test_token_expired = fault_tests(
    lambda client, fake: client.fetch_profile(fake.token())
)


def test_authorize_url_uses_client_key_and_comma_scopes(client: TikTokClient) -> None:
    url = client.authorize_url(state="s1", redirect_uri=REDIRECT, code_challenge=None)
    split = urlsplit(url)
    assert f"{split.scheme}://{split.netloc}{split.path}" == (
        "https://www.tiktok.com/v2/auth/authorize/"
    )
    assert {k: v[0] for k, v in parse_qs(split.query).items()} == {
        "client_key": "tiktok-client-key",
        "response_type": "code",
        "scope": "user.info.basic,user.info.profile,user.info.stats,video.list",
        "redirect_uri": REDIRECT,
        "state": "s1",
    }
    assert not client.uses_pkce


def test_exchange_code_returns_tokens_and_open_id(client: TikTokClient, fake: TikTokFake) -> None:
    code = fake.authorize(REDIRECT)
    tokens = client.exchange_code(code=code, redirect_uri=REDIRECT, code_verifier=None)
    assert fake.grants.user(tokens.access_token) is not None
    assert tokens.refresh_token and tokens.refresh_token.startswith("act.rt.")
    assert tokens.platform_user_id == fake.user["open_id"]
    assert "video.list" in tokens.scopes
    assert tokens.expires_at is not None
    assert abs((tokens.expires_at - datetime.now(UTC)).total_seconds() - 86400) < 60
    form = fake.requests[-1].form
    assert form["client_secret"] == "tiktok-client-secret"
    assert form["grant_type"] == "authorization_code"
    # A code is single use: replaying it is a dead grant.
    with pytest.raises(TokenInvalid, match="invalid_grant"):
        client.exchange_code(code=code, redirect_uri=REDIRECT, code_verifier=None)


def test_refresh_rotates_both_tokens(client: TikTokClient, fake: TikTokFake) -> None:
    first = client.exchange_code(
        code=fake.authorize(REDIRECT), redirect_uri=REDIRECT, code_verifier=None
    )
    second = client.refresh(first)
    assert second.access_token != first.access_token
    assert second.refresh_token != first.refresh_token
    assert second.platform_user_id == first.platform_user_id
    with pytest.raises(TokenInvalid):  # the old refresh token died with the rotation
        client.refresh(first)


def test_refresh_keeps_the_old_refresh_token_when_none_is_sent(
    client: TikTokClient, fake: TikTokFake
) -> None:
    first = client.exchange_code(
        code=fake.authorize(REDIRECT), redirect_uri=REDIRECT, code_verifier=None
    )
    fake.grants.send_refresh = False
    second = client.refresh(first)
    assert second.refresh_token == first.refresh_token
    assert client.refresh(second).access_token  # and it still works


def test_refresh_without_a_refresh_token_is_a_dead_grant(client: TikTokClient) -> None:
    with pytest.raises(TokenInvalid):
        client.refresh(TokenSet(access_token="act.x"))


def test_profile(client: TikTokClient, fake: TikTokFake) -> None:
    profile = client.fetch_profile(fake.token())
    assert profile.platform_user_id == "6784563321783754498"
    assert (profile.username, profile.display_name) == ("techcreator", "Tech Creator")
    assert (profile.followers, profile.following, profile.post_count) == (15234, 312, 87)
    assert fake.requests[-1].headers["authorization"].startswith("Bearer act.at.")


def test_profile_with_only_basic_scope_has_no_counts(
    client: TikTokClient, fake: TikTokFake
) -> None:
    profile = client.fetch_profile(fake.token(scopes=("user.info.basic", "video.list")))
    assert profile.platform_user_id == fake.user["open_id"]
    assert profile.display_name == "Tech Creator"
    assert (profile.username, profile.followers, profile.post_count) == (None, None, None)


def test_list_posts_pages_by_cursor_until_since(client: TikTokClient, fake: TikTokFake) -> None:
    for day in range(50):
        fake.add_post(f"73800{day:05d}", created=NOW - timedelta(days=day, hours=1))
    since = NOW - timedelta(days=45)
    pages = list(client.list_posts(fake.token(), platform_user_id="x", since=since))
    assert [len(p) for p in pages] == [20, 20, 5]
    posts = [p for page in pages for p in page]
    assert [p.platform_post_id for p in posts] == [f"73800{d:05d}" for d in range(45)]
    assert all(p.posted_at >= since and p.content_type is ContentType.video for p in posts)
    calls = [r for r in fake.requests if r.path == "/v2/video/list/"]
    assert "cursor" not in calls[0].json
    assert all(r.json["max_count"] == 20 and r.json.get("cursor") for r in calls[1:])
    assert "create_time" in calls[0].query["fields"].split(",")


def test_list_posts_reads_the_caption(client: TikTokClient, fake: TikTokFake) -> None:
    fake.add_post("1", created=NOW - timedelta(hours=2), description="New setup #desk #tech")
    [[post]] = client.list_posts(fake.token(), platform_user_id="x", since=NOW - timedelta(1))
    assert post.caption == "New setup #desk #tech"
    assert post.posted_at == NOW - timedelta(hours=2)


def test_post_metrics_in_batches_of_20(client: TikTokClient, fake: TikTokFake) -> None:
    posts = []
    for i in range(25):
        fake.add_post(f"v{i}", created=NOW, likes=i, comments=2, shares=3, views=100 + i)
        posts.append(RemotePost(f"v{i}", NOW, ContentType.video))
    posts.append(RemotePost("deleted", NOW, ContentType.video))
    metrics = client.fetch_post_metrics(fake.token(), posts)
    assert len(metrics) == 25
    m = metrics["v7"]
    assert (m.likes, m.comments, m.shares, m.impressions) == (7, 2, 3, 107)
    assert (m.saves, m.reach, m.unavailable) == (None, None, set())  # TikTok has neither
    assert [len(r.json["filters"]["video_ids"]) for r in fake.requests] == [20, 6]


def test_an_unknown_metric_field_is_dropped_and_recorded(
    client: TikTokClient, fake: TikTokFake
) -> None:
    fake.add_post("v1", created=NOW, likes=5, shares=9, views=50)
    fake.retired_fields.add("share_count")
    metrics = client.fetch_post_metrics(fake.token(), [RemotePost("v1", NOW, ContentType.video)])
    assert (metrics["v1"].likes, metrics["v1"].shares, metrics["v1"].impressions) == (5, None, 50)
    assert metrics["v1"].unavailable == {"shares"}
    assert "share_count" not in fake.requests[-1].query["fields"]


def test_account_day_is_a_profile_snapshot(client: TikTokClient, fake: TikTokFake) -> None:
    day = client.fetch_account_day(fake.token(), platform_user_id="x", day=NOW.date())
    assert (day.day, day.followers, day.following, day.total_posts) == (NOW.date(), 15234, 312, 87)
    assert (day.reach, day.impressions, day.engagement) == (None, None, None)


def test_rate_limit_waits_about_a_minute(client: TikTokClient, fake: TikTokFake) -> None:
    fake.fail_next("rate_limit")
    with pytest.raises(RateLimited) as caught:
        client.fetch_profile(fake.token())
    assert caught.value.retry_after == 60


def test_a_revoked_token(client: TikTokClient, fake: TikTokFake) -> None:
    token = fake.token()
    fake.grants.revoke(token)
    with pytest.raises(TokenInvalid, match="access token is invalid"):
        list(client.list_posts(token, platform_user_id="x", since=NOW))


@pytest.mark.parametrize("wrapped", [False, True])
def test_a_token_body_flat_or_wrapped_in_data_is_read(
    client: TikTokClient, fake: TikTokFake, wrapped: bool
) -> None:
    fake.wrap_token_body = wrapped
    code = fake.authorize(REDIRECT)
    tokens = client.exchange_code(code=code, redirect_uri=REDIRECT, code_verifier=None)
    assert fake.grants.user(tokens.access_token) is not None
    assert tokens.platform_user_id == fake.user["open_id"] and "video.list" in tokens.scopes
    refreshed = client.refresh(tokens)
    assert fake.grants.user(refreshed.access_token) is not None
    assert refreshed.refresh_token != tokens.refresh_token


def test_scope_errors_come_as_tiktok_documents_them(client: TikTokClient, fake: TikTokFake) -> None:
    """A field needing one more scope: 400 ``scope_permission_missed`` (the profile falls back
    to the basic fields); an endpoint whose scope is missing: 401 ``scope_not_authorized``."""
    token = fake.token(scopes=("user.info.basic",))
    answer = httpx.get(
        f"{fake.url}/v2/user/info/",
        params={"fields": "open_id,follower_count"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert (answer.status_code, answer.json()["error"]["code"]) == (
        400,
        "scope_permission_missed",
    )
    assert isinstance(tiktok.classify(answer), tiktok.ScopeMissing)
    assert client.fetch_profile(token).followers is None
    with pytest.raises(TokenInvalid, match="permission was not granted"):
        list(client.list_posts(token, platform_user_id="x", since=NOW))
    assert fake.requests[-1].path == "/v2/video/list/"
