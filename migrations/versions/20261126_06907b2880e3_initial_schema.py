"""initial schema

Revision ID: 06907b2880e3
Revises:
Create Date: 2026-11-26 06:05:45.747880
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import soash.db

revision: str = "06907b2880e3"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "users",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("first_name", sa.String(length=100), nullable=True),
        sa.Column("last_name", sa.String(length=100), nullable=True),
        sa.Column("is_verified", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("verification_token", sa.String(length=64), nullable=True),
        sa.Column("verification_expires_at", soash.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column(
            "subscription_tier",
            sa.Enum(
                "free",
                "pro",
                "enterprise",
                name="subscriptiontier",
                native_enum=False,
                create_constraint=True,
            ),
            server_default="free",
            nullable=False,
        ),
        sa.Column(
            "subscription_status",
            sa.Enum(
                "active",
                "cancelled",
                "expired",
                name="subscriptionstatus",
                native_enum=False,
                create_constraint=True,
            ),
            server_default="active",
            nullable=False,
        ),
        sa.Column("last_login_at", soash.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", soash.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", soash.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("email", name=op.f("uq_users_email")),
        sa.UniqueConstraint("verification_token", name=op.f("uq_users_verification_token")),
    )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.create_index("idx_users_subscription_tier", ["subscription_tier"], unique=False)

    op.create_table(
        "ai_insights",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column(
            "insight_type",
            sa.Enum(
                "performance",
                "trend",
                "recommendation",
                name="insighttype",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column(
            "priority",
            sa.Enum(
                "low", "medium", "high", name="priority", native_enum=False, create_constraint=True
            ),
            nullable=False,
        ),
        sa.Column("is_read", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("created_at", soash.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", soash.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_ai_insights_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ai_insights")),
    )
    with op.batch_alter_table("ai_insights", schema=None) as batch_op:
        batch_op.create_index(
            "idx_ai_insights_user_created", ["user_id", "created_at"], unique=False
        )

    op.create_table(
        "content_categories",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("color_code", sa.String(length=7), nullable=True),
        sa.Column("created_at", soash.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", soash.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_content_categories_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_content_categories")),
        sa.UniqueConstraint("user_id", "name", name=op.f("uq_content_categories_user_id_name")),
    )
    op.create_table(
        "content_recommendations",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column(
            "recommendation_type",
            sa.Enum(
                "content_idea",
                "posting_time",
                "hashtag",
                name="recommendationtype",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("content_brief", sa.Text(), nullable=True),
        sa.Column("is_used", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("feedback_score", sa.Integer(), nullable=True),
        sa.Column("created_at", soash.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", soash.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "feedback_score BETWEEN 1 AND 5",
            name=op.f("ck_content_recommendations_feedback_score_1_5"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_content_recommendations_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_content_recommendations")),
    )
    with op.batch_alter_table("content_recommendations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_content_recommendations_user_id"), ["user_id"], unique=False
        )

    op.create_table(
        "custom_reports",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("report_name", sa.String(length=200), nullable=False),
        sa.Column(
            "report_config",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("created_at", soash.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", soash.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_custom_reports_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_custom_reports")),
    )
    with op.batch_alter_table("custom_reports", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_custom_reports_user_id"), ["user_id"], unique=False)

    op.create_table(
        "password_resets",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", soash.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", soash.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("used_at", soash.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_password_resets_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_password_resets")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_password_resets_token_hash")),
    )
    with op.batch_alter_table("password_resets", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_password_resets_user_id"), ["user_id"], unique=False)

    op.create_table(
        "performance_patterns",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column(
            "pattern_type",
            sa.Enum(
                "content_type",
                "posting_time",
                "hashtag",
                name="patterntype",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("pattern_name", sa.String(length=200), nullable=False),
        sa.Column("success_rate", sa.Numeric(precision=5, scale=4), nullable=True),
        sa.Column("sample_size", sa.Integer(), nullable=False),
        sa.Column("created_at", soash.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", soash.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "success_rate BETWEEN 0 AND 1", name=op.f("ck_performance_patterns_success_rate_0_1")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_performance_patterns_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_performance_patterns")),
    )
    with op.batch_alter_table("performance_patterns", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_performance_patterns_user_id"), ["user_id"], unique=False
        )

    op.create_table(
        "referral_codes",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("is_active", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("created_at", soash.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", soash.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_referral_codes_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referral_codes")),
        sa.UniqueConstraint("code", name=op.f("uq_referral_codes_code")),
    )
    with op.batch_alter_table("referral_codes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_referral_codes_user_id"), ["user_id"], unique=False)

    op.create_table(
        "social_accounts",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column(
            "platform",
            sa.Enum(
                "instagram",
                "facebook",
                "tiktok",
                "twitter",
                "linkedin",
                name="platform",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("platform_user_id", sa.String(length=128), nullable=False),
        sa.Column("username", sa.String(length=255), nullable=True),
        sa.Column("display_name", sa.String(length=255), nullable=True),
        sa.Column("avatar_url", sa.String(length=2048), nullable=True),
        sa.Column("follower_count", sa.BigInteger(), nullable=True),
        sa.Column("following_count", sa.BigInteger(), nullable=True),
        sa.Column("access_token", sa.Text(), nullable=True),
        sa.Column("refresh_token", sa.Text(), nullable=True),
        sa.Column("token_expires_at", soash.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("is_active", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("last_synced_at", soash.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", soash.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", soash.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_social_accounts_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_social_accounts")),
        sa.UniqueConstraint(
            "platform",
            "platform_user_id",
            name=op.f("uq_social_accounts_platform_platform_user_id"),
        ),
    )
    with op.batch_alter_table("social_accounts", schema=None) as batch_op:
        batch_op.create_index("idx_social_accounts_platform", ["platform"], unique=False)
        batch_op.create_index(batch_op.f("ix_social_accounts_user_id"), ["user_id"], unique=False)

    op.create_table(
        "system_jobs",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "job_type",
            sa.Enum(
                "sync_metrics",
                "generate_insights",
                "import_data",
                "seed_demo",
                "retention_purge",
                "referral_payout",
                name="jobtype",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column("subject", sa.String(length=64), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "running",
                "completed",
                "failed",
                name="jobstatus",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("error_message", sa.Text(), nullable=True),
        sa.Column(
            "result",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("started_at", soash.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("completed_at", soash.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", soash.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", soash.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_system_jobs_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_system_jobs")),
    )
    with op.batch_alter_table("system_jobs", schema=None) as batch_op:
        batch_op.create_index(
            "idx_system_jobs_user_created", ["user_id", "created_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_system_jobs_subject"), ["subject"], unique=False)

    op.create_table(
        "team_members",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("member_user_id", sa.Uuid(), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "admin",
                "editor",
                "viewer",
                name="teamrole",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("is_active", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("created_at", soash.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", soash.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_user_id"],
            ["users.id"],
            name=op.f("fk_team_members_member_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_team_members_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_team_members")),
        sa.UniqueConstraint(
            "user_id", "member_user_id", name=op.f("uq_team_members_user_id_member_user_id")
        ),
    )
    with op.batch_alter_table("team_members", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_team_members_member_user_id"), ["member_user_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_team_members_user_id"), ["user_id"], unique=False)

    op.create_table(
        "user_profiles",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("brand_name", sa.String(length=200), nullable=True),
        sa.Column("brand_description", sa.Text(), nullable=True),
        sa.Column("industry", sa.String(length=100), nullable=True),
        sa.Column("target_audience", sa.Text(), nullable=True),
        sa.Column(
            "brand_values",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "business_goals",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("timezone", sa.String(length=64), server_default="UTC", nullable=False),
        sa.Column("avatar_url", sa.String(length=2048), nullable=True),
        sa.Column("onboarding_completed", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("created_at", soash.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", soash.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_user_profiles_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_profiles")),
        sa.UniqueConstraint("user_id", name=op.f("uq_user_profiles_user_id")),
    )
    op.create_table(
        "user_sessions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", soash.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", soash.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", soash.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("user_agent", sa.String(length=300), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_user_sessions_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_sessions")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_user_sessions_token_hash")),
    )
    with op.batch_alter_table("user_sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_user_sessions_user_id"), ["user_id"], unique=False)

    op.create_table(
        "platform_metrics",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("social_account_id", sa.Uuid(), nullable=False),
        sa.Column("metric_date", sa.Date(), nullable=False),
        sa.Column("follower_count", sa.BigInteger(), nullable=True),
        sa.Column("following_count", sa.BigInteger(), nullable=True),
        sa.Column("total_posts", sa.BigInteger(), nullable=True),
        sa.Column("total_reach", sa.BigInteger(), nullable=True),
        sa.Column("total_impressions", sa.BigInteger(), nullable=True),
        sa.Column("total_engagement", sa.BigInteger(), nullable=True),
        sa.Column("engagement_rate", sa.Numeric(precision=10, scale=6), nullable=True),
        sa.Column("created_at", soash.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", soash.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["social_account_id"],
            ["social_accounts.id"],
            name=op.f("fk_platform_metrics_social_account_id_social_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_platform_metrics")),
        sa.UniqueConstraint(
            "social_account_id",
            "metric_date",
            name=op.f("uq_platform_metrics_social_account_id_metric_date"),
        ),
    )
    with op.batch_alter_table("platform_metrics", schema=None) as batch_op:
        batch_op.create_index(
            "idx_platform_metrics_account_date", ["social_account_id", "metric_date"], unique=False
        )

    op.create_table(
        "posts",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("social_account_id", sa.Uuid(), nullable=False),
        sa.Column("platform_post_id", sa.String(length=128), nullable=False),
        sa.Column(
            "content_type",
            sa.Enum(
                "image",
                "video",
                "carousel",
                "story",
                "reel",
                name="contenttype",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=True,
        ),
        sa.Column("caption", sa.Text(), nullable=True),
        sa.Column(
            "media_urls",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "hashtags",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("posted_at", soash.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("is_published", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("is_scheduled", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("scheduled_for", soash.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", soash.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", soash.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["social_account_id"],
            ["social_accounts.id"],
            name=op.f("fk_posts_social_account_id_social_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_posts")),
        sa.UniqueConstraint(
            "social_account_id",
            "platform_post_id",
            name=op.f("uq_posts_social_account_id_platform_post_id"),
        ),
    )
    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.create_index("idx_posts_content_type", ["content_type"], unique=False)
        batch_op.create_index(
            "idx_posts_social_account_posted_at", ["social_account_id", "posted_at"], unique=False
        )

    op.create_table(
        "referral_signups",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("referral_code_id", sa.Uuid(), nullable=False),
        sa.Column("referee_user_id", sa.Uuid(), nullable=False),
        sa.Column("signup_date", soash.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column(
            "conversion_status",
            sa.Enum(
                "pending",
                "converted",
                "paid",
                name="conversionstatus",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("commission_amount", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("created_at", soash.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", soash.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["referee_user_id"],
            ["users.id"],
            name=op.f("fk_referral_signups_referee_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["referral_code_id"],
            ["referral_codes.id"],
            name=op.f("fk_referral_signups_referral_code_id_referral_codes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referral_signups")),
        sa.UniqueConstraint("referee_user_id", name=op.f("uq_referral_signups_referee_user_id")),
    )
    with op.batch_alter_table("referral_signups", schema=None) as batch_op:
        batch_op.create_index("idx_referral_signups_code", ["referral_code_id"], unique=False)

    op.create_table(
        "scheduled_posts",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("social_account_id", sa.Uuid(), nullable=False),
        sa.Column(
            "content_type",
            sa.Enum(
                "image",
                "video",
                "carousel",
                "story",
                name="scheduledcontenttype",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("caption", sa.Text(), nullable=True),
        sa.Column(
            "media_urls",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "hashtags",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("scheduled_for", soash.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "scheduled",
                "published",
                "failed",
                name="scheduledstatus",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("created_at", soash.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", soash.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["social_account_id"],
            ["social_accounts.id"],
            name=op.f("fk_scheduled_posts_social_account_id_social_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_scheduled_posts_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scheduled_posts")),
    )
    with op.batch_alter_table("scheduled_posts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_scheduled_posts_social_account_id"), ["social_account_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_scheduled_posts_user_id"), ["user_id"], unique=False)

    op.create_table(
        "post_categories",
        sa.Column("post_id", sa.Uuid(), nullable=False),
        sa.Column("category_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["content_categories.id"],
            name=op.f("fk_post_categories_category_id_content_categories"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["post_id"],
            ["posts.id"],
            name=op.f("fk_post_categories_post_id_posts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("post_id", "category_id", name=op.f("pk_post_categories")),
    )
    with op.batch_alter_table("post_categories", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_post_categories_category_id"), ["category_id"], unique=False
        )

    op.create_table(
        "post_metrics",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("post_id", sa.Uuid(), nullable=False),
        sa.Column("metric_date", sa.Date(), nullable=False),
        sa.Column("likes_count", sa.BigInteger(), nullable=True),
        sa.Column("comments_count", sa.BigInteger(), nullable=True),
        sa.Column("shares_count", sa.BigInteger(), nullable=True),
        sa.Column("saves_count", sa.BigInteger(), nullable=True),
        sa.Column("reach", sa.BigInteger(), nullable=True),
        sa.Column("impressions", sa.BigInteger(), nullable=True),
        sa.Column("engagement_rate", sa.Numeric(precision=10, scale=6), nullable=True),
        sa.Column("created_at", soash.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", soash.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["post_id"],
            ["posts.id"],
            name=op.f("fk_post_metrics_post_id_posts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_post_metrics")),
        sa.UniqueConstraint(
            "post_id", "metric_date", name=op.f("uq_post_metrics_post_id_metric_date")
        ),
    )
    with op.batch_alter_table("post_metrics", schema=None) as batch_op:
        batch_op.create_index(
            "idx_post_metrics_post_date", ["post_id", "metric_date"], unique=False
        )


def downgrade() -> None:

    with op.batch_alter_table("post_metrics", schema=None) as batch_op:
        batch_op.drop_index("idx_post_metrics_post_date")

    op.drop_table("post_metrics")
    with op.batch_alter_table("post_categories", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_post_categories_category_id"))

    op.drop_table("post_categories")
    with op.batch_alter_table("scheduled_posts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_scheduled_posts_user_id"))
        batch_op.drop_index(batch_op.f("ix_scheduled_posts_social_account_id"))

    op.drop_table("scheduled_posts")
    with op.batch_alter_table("referral_signups", schema=None) as batch_op:
        batch_op.drop_index("idx_referral_signups_code")

    op.drop_table("referral_signups")
    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.drop_index("idx_posts_social_account_posted_at")
        batch_op.drop_index("idx_posts_content_type")

    op.drop_table("posts")
    with op.batch_alter_table("platform_metrics", schema=None) as batch_op:
        batch_op.drop_index("idx_platform_metrics_account_date")

    op.drop_table("platform_metrics")
    with op.batch_alter_table("user_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_sessions_user_id"))

    op.drop_table("user_sessions")
    op.drop_table("user_profiles")
    with op.batch_alter_table("team_members", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_team_members_user_id"))
        batch_op.drop_index(batch_op.f("ix_team_members_member_user_id"))

    op.drop_table("team_members")
    with op.batch_alter_table("system_jobs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_system_jobs_subject"))
        batch_op.drop_index("idx_system_jobs_user_created")

    op.drop_table("system_jobs")
    with op.batch_alter_table("social_accounts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_social_accounts_user_id"))
        batch_op.drop_index("idx_social_accounts_platform")

    op.drop_table("social_accounts")
    with op.batch_alter_table("referral_codes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_referral_codes_user_id"))

    op.drop_table("referral_codes")
    with op.batch_alter_table("performance_patterns", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_performance_patterns_user_id"))

    op.drop_table("performance_patterns")
    with op.batch_alter_table("password_resets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_password_resets_user_id"))

    op.drop_table("password_resets")
    with op.batch_alter_table("custom_reports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_custom_reports_user_id"))

    op.drop_table("custom_reports")
    with op.batch_alter_table("content_recommendations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_content_recommendations_user_id"))

    op.drop_table("content_recommendations")
    op.drop_table("content_categories")
    with op.batch_alter_table("ai_insights", schema=None) as batch_op:
        batch_op.drop_index("idx_ai_insights_user_created")

    op.drop_table("ai_insights")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_index("idx_users_subscription_tier")

    op.drop_table("users")
