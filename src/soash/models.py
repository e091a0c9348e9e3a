"""Imports every domain's tables so that ``Base.metadata`` is complete (Alembic, tests)."""

from soash.analytics.models import CustomReport
from soash.billing.models import BillingEvent
from soash.content.models import ContentCategory, Post, PostMetric, post_categories
from soash.db import Base
from soash.insights.models import AiInsight, ContentRecommendation, PerformancePattern
from soash.publishing.models import ScheduledPost
from soash.referrals.models import ReferralCode, ReferralSignup
from soash.retention.models import RETENTION_INDEXES
from soash.social.models import OAuthState, PlatformMetric, SocialAccount
from soash.system.models import SystemJob
from soash.users.models import PasswordReset, TeamMember, User, UserProfile, UserSession

__all__ = [
    "RETENTION_INDEXES",
    "AiInsight",
    "Base",
    "BillingEvent",
    "ContentCategory",
    "ContentRecommendation",
    "CustomReport",
    "OAuthState",
    "PasswordReset",
    "PerformancePattern",
    "PlatformMetric",
    "Post",
    "PostMetric",
    "ReferralCode",
    "ReferralSignup",
    "ScheduledPost",
    "SocialAccount",
    "SystemJob",
    "TeamMember",
    "User",
    "UserProfile",
    "UserSession",
    "post_categories",
]
