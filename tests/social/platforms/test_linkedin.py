"""The LinkedIn client against a real HTTP fake of its OAuth, OIDC and versioned REST API."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, time, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from soash.content.models import ContentType
from soash.social.platforms import linkedin
from soash.social.platforms.base import RemotePost, TargetLister, TokenSet
from soash.social.platforms.errors import (
    PlatformRequestError,
    RateLimited,
    TokenInvalid,
)
from soash.social.platforms.linkedin import LinkedInClient
from tests.fakes.linkedin import MEMBER_SCOPES, MEMBER_URN, ORG_SCOPES, LinkedInFake
from tests.fakes.support import client_fixtures, client_http, fault_tests

REDIRECT = "https://soash.example/api/v1/social-accounts/callback/linkedin"
NOW = datetime.now(UTC).replace(microsecond=0)
ORG = "urn:li:organization:10002687"
ALL = (*MEMBER_SCOPES, *ORG_SCOPES, "r_member_social")


server, fake, sleeps, client = client_fixtures(LinkedInFake, LinkedInClient)
test_500_retried, test_hang_transient, test_malformed_json, test_token_expired = fault_tests(
    lambda client, fake: client.fetch_profile(fake.token())
)


def _posts(
    client: LinkedInClient, token: str, author: str, since: datetime
) -> list[list[RemotePost]]:
    return list(client.list_posts(token, platform_user_id=author, since=since))


def test_authorize_url(client: LinkedInClient) -> None:
    url = client.authorize_url(state="st", redirect_uri=REDIRECT, code_challenge=None)
    split = urlsplit(url)
    assert split.path == "/oauth/v2/authorization" and not client.uses_pkce
    assert {k: v[0] for k, v in parse_qs(split.query).items()} == {
        "response_type": "code",
        "client_id": "linkedin-client-id",
        "redirect_uri": REDIRECT,
        "state": "st",
        "scope": "openid profile email r_member_postAnalytics r_member_profileAnalytics",
    }


def test_exchange_code_without_refresh_token(client: LinkedInClient, fake: LinkedInFake) -> None:
    tokens = client.exchange_code(
        code=fake.authorize(REDIRECT), redirect_uri=REDIRECT, code_verifier=None
    )
    assert fake.grants.user(tokens.access_token) is not None
    assert tokens.refresh_token is None
    assert tokens.scopes == MEMBER_SCOPES  # LinkedIn answers them comma-separated
    assert tokens.expires_at and tokens.expires_at - NOW > timedelta(days=59)
    assert fake.requests[-1].form["client_secret"] == "linkedin-client-secret"
    with pytest.raises(TokenInvalid, match="no refresh token"):
        client.refresh(tokens)


def test_a_partner_app_refreshes_and_keeps_its_refresh_token(
    client: LinkedInClient, fake: LinkedInFake
) -> None:
    fake.grants.send_refresh = True
    first = client.exchange_code(
        code=fake.authorize(REDIRECT), redirect_uri=REDIRECT, code_verifier=None
    )
    second = client.refresh(first)
    assert second.access_token != first.access_token
    assert second.refresh_token == first.refresh_token
    with pytest.raises(TokenInvalid, match="invalid_grant"):
        client.refresh(TokenSet(access_token="x", refresh_token="AQrt.revoked"))


def test_profile_is_the_member_with_followers(client: LinkedInClient, fake: LinkedInFake) -> None:
    profile = client.fetch_profile(fake.token())
    assert (profile.platform_user_id, profile.display_name) == ("782bbtaQ", "Jane Doe")
    assert profile.avatar_url == fake.member["picture"]
    assert (profile.username, profile.followers, profile.following) == (None, 100, None)
    rest = fake.requests[-1]
    assert rest.path == "/rest/memberFollowersCount" and rest.query == {"q": "me"}
    assert rest.headers["linkedin-version"] == "202510"
    assert rest.headers["x-restli-protocol-version"] == "2.0.0"


def test_profile_without_the_analytics_scope(client: LinkedInClient, fake: LinkedInFake) -> None:
    profile = client.fetch_profile(fake.token(scopes=("openid", "profile")))
    assert (profile.display_name, profile.followers) == ("Jane Doe", None)


def test_organization_posts_page_by_start_until_since(
    client: LinkedInClient, fake: LinkedInFake
) -> None:
    for day in range(120):
        created = NOW - timedelta(days=day, hours=1)
        fake.add_post(f"urn:li:share:70{day:04d}", created=created, author=ORG)
    fake.add_post("urn:li:share:draft", created=NOW, author=ORG, state="DRAFT")
    pages = _posts(client, fake.token(scopes=ALL), ORG, NOW - timedelta(days=105))
    assert [len(p) for p in pages] == [49, 50, 6]  # the draft is skipped
    assert {p.kind for page in pages for p in page} == {"org:10002687"}
    calls = [r.query for r in fake.requests if r.path == "/rest/posts"]
    assert [c["start"] for c in calls] == ["0", "50", "100"]
    assert calls[0] == {
        "q": "author",
        "author": ORG,
        "count": "50",
        "start": "0",
        "sortBy": "CREATED",
    }


def test_member_posts_cannot_be_listed_without_r_member_social(
    client: LinkedInClient, fake: LinkedInFake, caplog: pytest.LogCaptureFixture
) -> None:
    fake.add_post("urn:li:share:1", created=NOW)
    with caplog.at_level(logging.WARNING):
        assert _posts(client, fake.token(), "782bbtaQ", NOW - timedelta(1)) == []
    assert "list a member's posts" in caplog.text
    [[post]] = _posts(client, fake.token(scopes=ALL), "782bbtaQ", NOW - timedelta(1))
    assert (post.platform_post_id, post.kind) == ("urn:li:share:1", "member")


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, None),
        (
            {"multiImage": {"images": [{"id": "urn:li:image:C4E"}, {"id": "urn:li:image:C4F"}]}},
            ContentType.carousel,
        ),
        ({"media": {"id": "urn:li:document:D1", "title": "deck.pdf"}}, ContentType.carousel),
        ({"media": {"id": "urn:li:video:V1"}}, ContentType.video),
        ({"media": {"id": "urn:li:image:I1"}}, ContentType.image),
        ({"article": {"source": "https://soash.example", "title": "Blog"}}, None),
        ({"poll": {"question": "Which?", "options": []}}, None),
    ],
)
def test_content_type(
    client: LinkedInClient,
    fake: LinkedInFake,
    content: dict[str, Any] | None,
    expected: ContentType | None,
) -> None:
    commentary = "Exciting news! {hashtag|\\#|Launch} today"
    fake.add_post(
        "urn:li:share:1",
        created=NOW - timedelta(hours=1),
        author=ORG,
        commentary=commentary,
        content=content,
    )
    [[post]] = _posts(client, fake.token(scopes=ALL), ORG, NOW - timedelta(1))
    assert post.content_type is expected
    assert post.caption == "Exciting news! #Launch today"
    assert post.posted_at == NOW - timedelta(hours=1)


def test_member_post_metrics_one_query_type_at_a_time(
    client: LinkedInClient, fake: LinkedInFake
) -> None:
    fake.add_post(
        "urn:li:share:1",
        created=NOW,
        IMPRESSION=1834,
        MEMBERS_REACHED=900,
        REACTION=40,
        COMMENT=5,
        RESHARE=2,
    )
    fake.add_post("urn:li:ugcPost:2", created=NOW, IMPRESSION=10)
    fake.rejected.add(("POST_SAVE", "TOTAL"))  # not offered by this version
    posts = [
        RemotePost(u, NOW, None, kind="member")
        for u in ("urn:li:share:1", "urn:li:ugcPost:2", "urn:li:share:gone")
    ]
    metrics = client.fetch_post_metrics(fake.token(), posts)
    assert set(metrics) == {"urn:li:share:1", "urn:li:ugcPost:2"}  # a deleted post is skipped
    m = metrics["urn:li:share:1"]
    assert (m.impressions, m.reach, m.likes, m.comments, m.shares) == (1834, 900, 40, 5, 2)
    assert (m.saves, m.unavailable) == (None, {"saves"})
    ugc = metrics["urn:li:ugcPost:2"]
    assert (ugc.impressions, ugc.likes) == (10, None)  # no elements: no data, not zero
    entities = {r.query["entity"] for r in fake.requests if "entity" in r.query}
    assert entities >= {"(share:urn:li:share:1)", "(ugc:urn:li:ugcPost:2)"}


def test_organization_post_metrics_from_share_statistics(
    client: LinkedInClient, fake: LinkedInFake
) -> None:
    fake.add_post(
        "urn:li:share:1",
        created=NOW,
        author=ORG,
        IMPRESSION=15000,
        MEMBERS_REACHED=9000,
        REACTION=250,
        COMMENT=45,
        RESHARE=30,
    )
    fake.add_post("urn:li:ugcPost:2", created=NOW, author=ORG, IMPRESSION=7)
    posts = [
        RemotePost(u, NOW, None, kind="org:10002687")
        for u in ("urn:li:share:1", "urn:li:ugcPost:2")
    ]
    metrics = client.fetch_post_metrics(fake.token(scopes=ALL), posts)
    m = metrics["urn:li:share:1"]
    assert (m.impressions, m.reach, m.likes, m.comments, m.shares, m.saves) == (
        15000,
        9000,
        250,
        45,
        30,
        None,
    )
    assert metrics["urn:li:ugcPost:2"].impressions == 7
    calls = [r.query for r in fake.requests]
    assert (
        calls[0]["shares"] == "List(urn:li:share:1)"
        and calls[1]["ugcPosts"] == "List(urn:li:ugcPost:2)"
    )


def test_member_account_day(client: LinkedInClient, fake: LinkedInFake) -> None:
    today = NOW.date()
    fake.daily[(MEMBER_URN, today)] = {
        "IMPRESSION": 500,
        "REACTION": 20,
        "COMMENT": 3,
        "RESHARE": 1,
    }
    fake.daily[(MEMBER_URN, today - timedelta(days=1))] = {"IMPRESSION": 999}
    fake.rejected.add(("MEMBERS_REACHED", "DAILY"))
    day = client.fetch_account_day(fake.token(), platform_user_id="782bbtaQ", day=today)
    assert (day.followers, day.impressions, day.engagement, day.reach) == (100, 500, 24, None)
    assert day.unavailable == {"reach"}
    ranges = {r.query["dateRange"] for r in fake.requests if "dateRange" in r.query}
    tomorrow = today + timedelta(days=1)
    assert ranges == {
        f"(start:(day:{today.day},month:{today.month},year:{today.year}),"
        f"end:(day:{tomorrow.day},month:{tomorrow.month},year:{tomorrow.year}))"
    }


def test_organization_account_day(client: LinkedInClient, fake: LinkedInFake) -> None:
    today = NOW.date()
    fake.org_followers[ORG] = 4200
    fake.daily[(ORG, today)] = {
        "IMPRESSION": 800,
        "MEMBERS_REACHED": 600,
        "REACTION": 10,
        "COMMENT": 2,
        "RESHARE": 1,
    }
    day = client.fetch_account_day(fake.token(scopes=ALL), platform_user_id=ORG, day=today)
    assert (day.followers, day.impressions, day.reach, day.engagement) == (4200, 800, 600, 13)


def test_a_429_waits_until_midnight_utc(client: LinkedInClient, fake: LinkedInFake) -> None:
    fake.fail_next("rate_limit", times=2)
    now = datetime.now(UTC)
    midnight = datetime.combine(now.date() + timedelta(days=1), time(), UTC)
    with pytest.raises(RateLimited, match="daily limit") as caught:
        client.fetch_profile(fake.token())
    assert abs(caught.value.retry_after - (midnight - now).total_seconds()) < 5


def test_a_sunset_version_says_which_setting_to_change(
    fake: LinkedInFake, sleeps: list[float]
) -> None:
    settings = fake.settings().model_copy(update={"api_version": "202301"})
    client = LinkedInClient(settings, http=client_http(fake.url, linkedin.classify, sleeps))
    with pytest.raises(PlatformRequestError, match="SOASH_LINKEDIN_API_VERSION"):
        client.fetch_profile(fake.token())


def test_revoked_or_invalid_token(client: LinkedInClient, fake: LinkedInFake) -> None:
    token = fake.token()
    fake.fail_next("token_expired", path="/rest/")  # serviceErrorCode 65601
    with pytest.raises(TokenInvalid, match="revoked"):
        client.fetch_profile(token)
    fake.grants.revoke(token)  # 65600
    with pytest.raises(TokenInvalid, match="Invalid access token"):
        client.fetch_post_metrics(token, [RemotePost("urn:li:share:1", NOW, None)])


# -- one refused post, a missing scope, and the accounts a grant administers ------------------
def test_a_403_on_share_statistics_degrades_only_that_post(
    client: LinkedInClient, fake: LinkedInFake
) -> None:
    for n in (1, 2, 3):
        fake.add_post(f"urn:li:share:{n}", created=NOW, author=ORG, IMPRESSION=100 * n, REACTION=n)
    fake.forbidden_stats.add("urn:li:share:2")
    posts = [RemotePost(f"urn:li:share:{n}", NOW, None, kind="org:10002687") for n in (1, 2, 3)]

    metrics = client.fetch_post_metrics(fake.token(scopes=ALL), posts)

    assert set(metrics) == {"urn:li:share:1", "urn:li:share:2", "urn:li:share:3"}
    assert [(metrics[p.platform_post_id].impressions) for p in posts] == [100, None, 300]
    refused = metrics["urn:li:share:2"]
    assert (refused.likes, refused.comments, refused.shares, refused.reach) == (None,) * 4
    assert refused.unavailable == {"likes", "comments", "shares", "reach", "impressions"}
    assert metrics["urn:li:share:1"].unavailable == set()
    assert [r.query["shares"] for r in fake.requests] == [
        "List(urn:li:share:1,urn:li:share:2,urn:li:share:3)",
        "List(urn:li:share:1)",
        "List(urn:li:share:2)",
        "List(urn:li:share:3)",
    ]


def test_a_member_metric_refused_with_403_is_unavailable_not_fatal(
    client: LinkedInClient, fake: LinkedInFake
) -> None:
    fake.add_post("urn:li:share:1", created=NOW, IMPRESSION=5, REACTION=1)
    scopes = tuple(s for s in MEMBER_SCOPES if s != "r_member_postAnalytics")
    metrics = client.fetch_post_metrics(
        fake.token(scopes=scopes), [RemotePost("urn:li:share:1", NOW, None, kind="member")]
    )
    assert metrics["urn:li:share:1"].unavailable == set(linkedin.POST_QUERY_TYPES.values())


def test_userinfo_without_its_scope_asks_to_reconnect_with_it(
    client: LinkedInClient, fake: LinkedInFake
) -> None:
    token = fake.token(scopes=("r_member_postAnalytics",))  # no openid/profile
    with pytest.raises(TokenInvalid, match="reconnect the account and grant every permission"):
        client.fetch_profile(token)
    assert fake.requests[-1].path == "/v2/userinfo"


def test_targets_are_the_member_and_the_organizations_they_administer(
    client: LinkedInClient, fake: LinkedInFake
) -> None:
    acme = fake.add_organization(10002687, name="Acme Corp", vanity="acme", followers=4200)
    fake.add_organization(3, name="Only an analyst", vanity="analyst", role="ANALYST")
    fake.add_organization(4, name="Asked, not approved", vanity="asked", state="REQUESTED")
    beta = fake.add_organization(5, name="Beta", vanity="beta", followers=7)
    tokens = TokenSet(access_token=fake.token(scopes=ALL), platform_user_id="782bbtaQ")

    assert isinstance(client, TargetLister)
    targets = client.list_targets(tokens)

    assert [t.profile.platform_user_id for t in targets] == ["782bbtaQ", acme, beta]
    member, org, _ = targets
    assert (member.profile.display_name, member.tokens.platform_user_id) == ("Jane Doe", "782bbtaQ")
    assert (org.profile.display_name, org.profile.username, org.profile.followers) == (
        "Acme Corp",
        "acme",
        4200,
    )
    assert org.tokens.access_token == tokens.access_token and org.tokens.platform_user_id == acme
    acl = next(r.query for r in fake.requests if r.path == "/rest/organizationAcls")
    assert (acl["q"], acl["role"], acl["state"]) == ("roleAssignee", "ADMINISTRATOR", "APPROVED")
    assert client.fetch_target_profile(tokens.access_token, platform_user_id=acme) == org.profile


def test_organization_acls_are_read_page_by_page(
    client: LinkedInClient, fake: LinkedInFake, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(linkedin, "PAGE_SIZE", 2)
    orgs = [fake.add_organization(n, name=f"Org {n}", vanity=f"org{n}") for n in range(1, 6)]
    targets = client.list_targets(TokenSet(access_token=fake.token(scopes=ALL)))
    assert [t.profile.platform_user_id for t in targets[1:]] == orgs
    starts = [r.query["start"] for r in fake.requests if r.path == "/rest/organizationAcls"]
    assert starts == ["0", "2", "4"]


def test_without_an_organization_scope_the_member_is_the_only_target(
    client: LinkedInClient, fake: LinkedInFake
) -> None:
    fake.add_organization(10002687, name="Acme Corp", vanity="acme")
    targets = client.list_targets(TokenSet(access_token=fake.token()))
    assert [t.profile.platform_user_id for t in targets] == ["782bbtaQ"]


def test_a_total_with_a_union_metric_type_and_an_empty_date_range(
    client: LinkedInClient, fake: LinkedInFake
) -> None:
    fake.add_post("urn:li:share:9", created=NOW, COMMENT=2)
    token = fake.token()
    answer = httpx.get(
        f"{fake.url}/rest/memberCreatorPostAnalytics",
        params={
            "q": "entity",
            "entity": "(share:urn:li:share:9)",
            "queryType": "COMMENT",
            "aggregation": "TOTAL",
        },
        headers={
            "Authorization": f"Bearer {token}",
            "LinkedIn-Version": "202510",
            "X-Restli-Protocol-Version": "2.0.0",
        },
    ).json()
    (element,) = answer["elements"]
    assert element["dateRange"] == {} and isinstance(element["metricType"], dict)
    posts = [RemotePost("urn:li:share:9", NOW, None, kind="member")]
    assert client.fetch_post_metrics(token, posts)["urn:li:share:9"].comments == 2
