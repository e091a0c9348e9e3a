"""Which client talks to which platform."""

from __future__ import annotations

from soash.config import PlatformSettings, get_settings
from soash.social.models import Platform
from soash.social.platforms.base import PlatformClient
from soash.social.platforms.demo import DemoClient, is_demo


def client_for(platform: Platform, platform_user_id: str | None = None) -> PlatformClient:
    if is_demo(platform_user_id):
        assert platform_user_id is not None
        return DemoClient(platform, platform_user_id)
    raise NotImplementedError(f"no client for {platform.value} yet")


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
