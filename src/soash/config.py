"""Settings: every knob is an environment variable prefixed ``SOASH_``.

Groups (SMTP, security, rate limits) are their own settings classes with their own prefix, so
``SOASH_SMTP_HOST`` sets ``settings.smtp.host``. Outside ``env=dev`` the secrets must be set;
in dev, missing secrets are generated once and kept in ``<data_dir>/dev-secrets.json``.
"""

from __future__ import annotations

import base64
import ipaddress
import json
import os
import secrets
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


class SmtpSettings(BaseSettings):
    """Outgoing mail. With no host, messages are written to ``<data_dir>/outbox``."""

    model_config = SettingsConfigDict(env_prefix="SOASH_SMTP_", extra="ignore")

    host: str | None = None
    port: int = 587
    username: str | None = None
    password: SecretStr | None = None
    starttls: bool = True
    ssl: bool = False
    timeout_seconds: float = 10.0
    sender: str = "Soash <no-reply@soash.local>"
    # Mail is sent by a job: a refused or unreachable server is tried again after
    # retry_seconds, doubled each time, up to this many tries in all.
    attempts: int = Field(default=8, ge=1, le=100)
    retry_seconds: float = Field(default=30.0, gt=0)


class SecuritySettings(BaseSettings):
    """Secrets. ``encryption_keys``: comma-separated ``kid:base64(32 bytes)``, newest first."""

    model_config = SettingsConfigDict(env_prefix="SOASH_SECURITY_", extra="ignore")

    session_secret: SecretStr | None = None
    encryption_keys: SecretStr | None = None
    session_days: int = 30
    # argon2id cost (argon2-cffi's RFC 9106 low-memory profile by default; tests lower it).
    argon2_time_cost: int = Field(default=3, ge=1)
    argon2_memory_kib: int = Field(default=65536, ge=8)
    verification_hours: int = 24
    password_reset_minutes: int = 60


class RateLimitSettings(BaseSettings):
    """Attempts allowed per window on sign-in, sign-up, password reset and re-entering the
    password: per client IP, per (email, client IP), and per email from everywhere. The last
    is a ceiling far above the second, so that guessing from a few addresses does not lock
    the owner out of their account."""

    model_config = SettingsConfigDict(env_prefix="SOASH_RATE_LIMIT_", extra="ignore")

    window_seconds: int = Field(default=900, ge=1)
    per_ip: int = Field(default=30, ge=1)
    per_email_and_ip: int = Field(default=10, ge=1)
    per_email: int = Field(default=300, ge=1)


class PlatformSettings(BaseSettings):
    """One platform's OAuth app and endpoints. Every URL is a setting, so tests (and anyone
    behind a proxy) can point Soash at another server speaking the same contract."""

    client_id: str = ""
    client_secret: SecretStr = SecretStr("")
    authorize_url: str
    token_url: str
    api_base: str
    api_version: str = ""
    scopes: str

    @property
    def configured(self) -> bool:
        return bool(self.client_id and self.client_secret.get_secret_value())


class InstagramSettings(PlatformSettings):
    model_config = SettingsConfigDict(env_prefix="SOASH_INSTAGRAM_", extra="ignore")
    authorize_url: str = "https://www.instagram.com/oauth/authorize"
    token_url: str = "https://api.instagram.com/oauth/access_token"
    api_base: str = "https://graph.instagram.com"
    api_version: str = "v23.0"
    scopes: str = "instagram_business_basic,instagram_business_manage_insights"


class FacebookSettings(PlatformSettings):
    model_config = SettingsConfigDict(env_prefix="SOASH_FACEBOOK_", extra="ignore")
    authorize_url: str = "https://www.facebook.com/v23.0/dialog/oauth"
    token_url: str = "https://graph.facebook.com/v23.0/oauth/access_token"
    api_base: str = "https://graph.facebook.com"
    api_version: str = "v23.0"
    scopes: str = "pages_show_list,pages_read_engagement,read_insights"


class TikTokSettings(PlatformSettings):
    model_config = SettingsConfigDict(env_prefix="SOASH_TIKTOK_", extra="ignore")
    authorize_url: str = "https://www.tiktok.com/v2/auth/authorize/"
    token_url: str = "https://open.tiktokapis.com/v2/oauth/token/"
    api_base: str = "https://open.tiktokapis.com"
    api_version: str = "v2"
    scopes: str = "user.info.basic,user.info.profile,user.info.stats,video.list"


class XSettings(PlatformSettings):
    model_config = SettingsConfigDict(env_prefix="SOASH_X_", extra="ignore")
    authorize_url: str = "https://x.com/i/oauth2/authorize"
    token_url: str = "https://api.x.com/2/oauth2/token"
    api_base: str = "https://api.x.com"
    api_version: str = "2"
    scopes: str = "tweet.read users.read offline.access"


class LinkedInSettings(PlatformSettings):
    model_config = SettingsConfigDict(env_prefix="SOASH_LINKEDIN_", extra="ignore")
    authorize_url: str = "https://www.linkedin.com/oauth/v2/authorization"
    token_url: str = "https://www.linkedin.com/oauth/v2/accessToken"
    api_base: str = "https://api.linkedin.com"
    api_version: str = "202510"
    scopes: str = "openid profile email r_member_postAnalytics r_member_profileAnalytics"


class SyncSettings(BaseSettings):
    """When and how the daily sync runs."""

    model_config = SettingsConfigDict(env_prefix="SOASH_SYNC_", extra="ignore")

    hour_utc: int = Field(default=3, ge=0, le=23)
    first_sync_days: int = Field(default=90, ge=1)
    refresh_before_expiry_hours: int = Field(default=24, ge=1)
    http_timeout_seconds: float = 20.0
    http_retries: int = Field(default=3, ge=0)


class JobSettings(BaseSettings):
    """The durable job record: a running job holds a lease its worker renews; the sweep
    (every minute, in ``soash worker``) re-queues jobs whose lease expired or whose wake-up
    message the queue lost."""

    model_config = SettingsConfigDict(env_prefix="SOASH_JOBS_", extra="ignore")

    lease_seconds: int = Field(default=60, ge=2, le=3600)
    # A pending job whose wake-up was sent this long ago and has not started is sent again.
    resend_after_seconds: int = Field(default=120, ge=10)
    # A job whose worker died this many times is failed instead of re-queued.
    max_attempts: int = Field(default=5, ge=1, le=100)
    # The queue's name (the Redis key prefix): installations sharing one Redis need their own.
    queue_name: str = Field(default="soash", pattern=r"^[A-Za-z0-9_.-]{1,64}$")


class BillingSettings(BaseSettings):
    """Subscriptions and the referral commission. ``provider``: ``manual`` (``soash users
    set-tier``) or ``stripe`` (webhooks at ``/api/v1/billing/stripe/webhook``)."""

    model_config = SettingsConfigDict(env_prefix="SOASH_BILLING_", extra="ignore")

    provider: Literal["manual", "stripe"] = "manual"
    stripe_webhook_secret: SecretStr | None = None
    stripe_webhook_tolerance_seconds: int = Field(default=300, ge=1)
    # Stripe price id -> tier, as JSON: {"price_123": "pro"}. Prices not listed here are read
    # from the price's metadata.soash_tier or its lookup_key ("pro", "enterprise").
    stripe_price_tiers: dict[str, str] = Field(default_factory=dict)
    commission_rate: Decimal = Field(default=Decimal("0.20"), ge=0, le=1)
    currency: str = Field(default="USD", pattern=r"^[A-Za-z]{3}$")
    refund_window_days: int = Field(default=30, ge=0)

    @model_validator(mode="after")
    def _stripe_needs_a_secret(self) -> BillingSettings:
        secret = self.stripe_webhook_secret
        if self.provider == "stripe" and not (secret and secret.get_secret_value()):
            raise ValueError(
                "SOASH_BILLING_PROVIDER=stripe needs SOASH_BILLING_STRIPE_WEBHOOK_SECRET: the "
                "endpoint's signing secret (whsec_...) from the Stripe dashboard."
            )
        self.currency = self.currency.upper()
        return self


class RetentionSettings(BaseSettings):
    """How long data is kept before the daily purge (or ``soash retention purge``) deletes it."""

    model_config = SettingsConfigDict(env_prefix="SOASH_RETENTION_", extra="ignore")

    system_jobs_days: int = Field(default=30, ge=1)
    metrics_days: int = Field(default=365, ge=1)
    insights_days: int = Field(default=365, ge=1)
    batch_size: int = Field(default=5000, ge=1, le=100_000)
    hour_utc: int = Field(default=4, ge=0, le=23)


class DatabaseSettings(BaseSettings):
    """How long to wait for the database before answering 503 (``Retry-After``) instead of
    hanging: a new connection, one statement (PostgreSQL; 0 = no limit), a free pooled
    connection, and the readiness probe as a whole."""

    model_config = SettingsConfigDict(env_prefix="SOASH_DB_", extra="ignore")

    connect_timeout_seconds: int = Field(default=5, ge=2, le=300)
    statement_timeout_seconds: int = Field(default=60, ge=0, le=86_400)
    pool_timeout_seconds: float = Field(default=10.0, gt=0, le=300)
    ready_timeout_seconds: float = Field(default=2.0, gt=0, le=60)
    retry_after_seconds: int = Field(default=5, ge=1, le=3600)


class LlmSettings(BaseSettings):
    """Optional: an OpenAI-compatible chat-completions server writes content ideas and briefs.
    Without a base URL, a deterministic writer does. Numbers always come from the statistics."""

    model_config = SettingsConfigDict(env_prefix="SOASH_LLM_", extra="ignore")

    base_url: str | None = None
    model: str = "gpt-4o-mini"
    api_key: SecretStr | None = None
    timeout_seconds: float = Field(default=20.0, gt=0)


class ServeSettings(BaseSettings):
    """The web server run by ``soash serve``."""

    model_config = SettingsConfigDict(env_prefix="SOASH_SERVE_", extra="ignore")

    # How long an idle HTTP keep-alive connection stays open (behind a proxy: above its own).
    keep_alive_seconds: int = Field(default=5, ge=1)
    # With --workers N: how long a web worker may take to answer its supervisor's health
    # check (and to start) before it is replaced.
    worker_healthcheck_seconds: int = Field(default=30, ge=1)


class MetricsSettings(BaseSettings):
    """The Prometheus endpoint: off unless a port is set; served by ``soash serve`` on its own
    port (keep it off the public network)."""

    model_config = SettingsConfigDict(env_prefix="SOASH_METRICS_", extra="ignore")

    port: int | None = Field(default=None, ge=1, le=65535)
    host: str = "127.0.0.1"


class InsightSettings(BaseSettings):
    """What counts as worth acting on: an effect must be significant (q < 0.05) and move
    engagement by at least this share (0.10: a lift of at least 1.10x or at most 0.90x)."""

    model_config = SettingsConfigDict(env_prefix="SOASH_INSIGHTS_", extra="ignore")

    practical_lift: float = Field(default=0.10, gt=0, lt=1)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SOASH_", extra="ignore")

    env: Literal["dev", "test", "prod"] = "dev"
    data_dir: Path = Path("data")
    database_url: str | None = None
    redis_url: str | None = None
    base_url: str = "http://127.0.0.1:8000"
    log_level: str = "INFO"
    log_format: Literal["text", "json"] = "text"
    # Reverse proxies whose X-Forwarded-For is believed (IPs or CIDRs, comma-separated); none
    # by default, so the client's address is the connection's peer (see deps.client_ip).
    trusted_proxies: str = ""
    max_body_bytes: int = 1_048_576
    max_import_bytes: int = Field(default=52_428_800, ge=1)  # CSV imports (50 MiB)
    smtp: SmtpSettings = Field(default_factory=SmtpSettings)
    security: SecuritySettings = Field(default_factory=SecuritySettings)
    rate_limit: RateLimitSettings = Field(default_factory=RateLimitSettings)
    sync: SyncSettings = Field(default_factory=SyncSettings)
    jobs: JobSettings = Field(default_factory=JobSettings)
    llm: LlmSettings = Field(default_factory=LlmSettings)
    insights: InsightSettings = Field(default_factory=InsightSettings)
    instagram: InstagramSettings = Field(default_factory=InstagramSettings)
    facebook: FacebookSettings = Field(default_factory=FacebookSettings)
    tiktok: TikTokSettings = Field(default_factory=TikTokSettings)
    x: XSettings = Field(default_factory=XSettings)
    linkedin: LinkedInSettings = Field(default_factory=LinkedInSettings)
    billing: BillingSettings = Field(default_factory=BillingSettings)
    retention: RetentionSettings = Field(default_factory=RetentionSettings)
    serve: ServeSettings = Field(default_factory=ServeSettings)
    metrics: MetricsSettings = Field(default_factory=MetricsSettings)
    db: DatabaseSettings = Field(default_factory=DatabaseSettings)

    @model_validator(mode="after")
    def _secrets_present(self) -> Settings:
        sec = self.security
        if sec.session_secret is not None and sec.encryption_keys is not None:
            return self
        if self.env != "dev":
            raise ValueError(
                "SOASH_SECURITY_SESSION_SECRET and SOASH_SECURITY_ENCRYPTION_KEYS must be set "
                f"when SOASH_ENV={self.env}; generate them with `soash keys generate`."
            )
        stored = _dev_secrets(self.data_dir)
        sec.session_secret = sec.session_secret or SecretStr(stored["session_secret"])
        sec.encryption_keys = sec.encryption_keys or SecretStr(stored["encryption_keys"])
        return self

    @field_validator("trusted_proxies")
    @classmethod
    def _proxies_parse(cls, value: str) -> str:
        _networks(value)
        return value

    @property
    def trusted_proxy_networks(self) -> tuple[IPNetwork, ...]:
        return _networks(self.trusted_proxies)

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / 'soash.db').resolve()}"

    @property
    def outbox_dir(self) -> Path:
        return self.data_dir / "outbox"


def _networks(spec: str) -> tuple[IPNetwork, ...]:
    try:
        return tuple(
            ipaddress.ip_network(p.strip(), strict=False) for p in spec.split(",") if p.strip()
        )
    except ValueError as exc:
        raise ValueError(
            f"SOASH_TRUSTED_PROXIES: {exc} (give IPs or CIDRs, comma-separated)"
        ) from exc


def new_encryption_key_spec(kid: str) -> str:
    return f"{kid}:{base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()}"


def _dev_secrets(data_dir: Path) -> dict[str, str]:
    path = data_dir / "dev-secrets.json"
    if path.exists():
        loaded: dict[str, str] = json.loads(path.read_text())
        return loaded
    data_dir.mkdir(parents=True, exist_ok=True)
    values = {
        "session_secret": secrets.token_urlsafe(48),
        "encryption_keys": new_encryption_key_spec("k1"),
    }
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process won the race: use its secrets
        return _dev_secrets(data_dir)
    with os.fdopen(fd, "w") as fh:
        json.dump(values, fh)
    return values


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
