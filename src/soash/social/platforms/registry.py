"""Which client talks to which platform."""

from __future__ import annotations

from soash.config import PlatformSettings, get_settings
from soash.social.models import Platform
from soash.social.platforms.base import PlatformClient
from soash.social.platforms.demo import DemoClient, is_demo
from soash.social.platforms.facebook import FacebookClient
from soash.social.platforms.instagram import InstagramClient
from soash.social.platforms.linkedin import LinkedInClient
from soash.social.platforms.tiktok import TikTokClient
from soash.social.platforms.x import XClient


def client_for(platform: Platform, platform_user_id: str | None = None) -> PlatformClient:
    """A client for the platform (the demo one for demo accounts), built from the settings,
    so every base URL can point at the real API or at a stand-in."""
    if is_demo(platform_user_id):
        assert platform_user_id is not None
        return DemoClient(platform, platform_user_id)
    settings = get_settings()
    if platform is Platform.instagram:
        return InstagramClient(settings.instagram, sync=settings.sync)
    if platform is Platform.facebook:
        return FacebookClient(settings.facebook, sync=settings.sync)
    if platform is Platform.tiktok:
        return TikTokClient(settings.tiktok, sync=settings.sync)
    if platform is Platform.twitter:
        return XClient(settings.x, sync=settings.sync)
    return LinkedInClient(settings.linkedin, sync=settings.sync)


def platform_settings(platform: Platform) -> PlatformSettings:
    settings = get_settings()
    return {
        Platform.instagram: settings.instagram,
        Platform.facebook: settings.facebook,
        Platform.tiktok: settings.tiktok,
        Platform.twitter: settings.x,
        Platform.linkedin: settings.linkedin,
    }[platform]


def is_configured(platform: Platform) -> bool:
    return platform_settings(platform).configured
