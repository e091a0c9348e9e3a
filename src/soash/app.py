"""The FastAPI application."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI

from soash import __version__, observability, openapi, problems, web
from soash.analytics.api import router as analytics
from soash.billing.api import billing
from soash.config import get_settings
from soash.content.api import categories, category_rules, imports, posts, upload_limit
from soash.insights.api import router as insights
from soash.logs import install_filter
from soash.middleware import BodyLimit, RefuseNul, SecurityHeaders
from soash.publishing.api import router as scheduled_posts
from soash.referrals.api import referrals
from soash.social.api import router as social_accounts
from soash.system.api import health, jobs
from soash.users.api import auth, me

API_PREFIX = "/api/v1"


def create_app() -> FastAPI:
    settings = get_settings()
    install_filter()
    app = FastAPI(
        title="Soash API",
        version=__version__,
        description="Social media analytics and content assistant. Errors are RFC 9457 "
        "problem details (application/problem+json).",
    )
    api = APIRouter(prefix=API_PREFIX)
    for router in (
        auth,
        me,
        jobs,
        social_accounts,
        referrals,
        billing,
        imports,
        insights,
        analytics,
        posts,
        categories,
        category_rules,
        scheduled_posts,
    ):
        api.include_router(router)
    app.include_router(api)
    app.include_router(health)
    problems.install(app)
    web.install(app)  # the pages at /, after the API's error handlers
    openapi.install(app)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(RefuseNul)  # inside BodyLimit: it reads form bodies already capped
    app.add_middleware(
        BodyLimit,
        default=settings.max_body_bytes,
        overrides={f"{API_PREFIX}{imports.prefix}": upload_limit(settings)},
    )
    observability.install(app, settings)  # request ids and metrics: outermost, keep last
    return app
