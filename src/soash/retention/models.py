"""Indexes the retention purge relies on, on other domains' tables.

The purge finds expired rows by date alone (``metric_date``, ``created_at``); without these
indexes every batch would scan the whole table. They live here, with the one job that needs
them, so that the purge's cost is visible in one place.
"""

from __future__ import annotations

from sqlalchemy import Index

from soash.content.models import PostMetric
from soash.insights.models import AiInsight, ContentRecommendation
from soash.social.models import PlatformMetric
from soash.system.models import SystemJob

RETENTION_INDEXES = (
    Index("idx_system_jobs_created", SystemJob.__table__.c.created_at),
    Index("idx_platform_metrics_date", PlatformMetric.__table__.c.metric_date),
    Index("idx_post_metrics_date", PostMetric.__table__.c.metric_date),
    Index("idx_ai_insights_created", AiInsight.__table__.c.created_at),
    Index("idx_content_recommendations_created", ContentRecommendation.__table__.c.created_at),
)
