"""Content ideas written by any OpenAI-compatible chat-completions server.

The model writes titles and briefs only; the evidence (numbers) is passed in and repeated
verbatim. Any failure — timeout, HTTP error, unusable answer — falls back to the
deterministic writer, so insight generation never fails because of the model.
"""

from __future__ import annotations

import json
import logging

import httpx

from soash.config import LlmSettings
from soash.db import no_open_write
from soash.insights.writer import Idea, IdeaContext, TemplateWriter, choose_angles

log = logging.getLogger(__name__)

SYSTEM = (
    "You write short, concrete social media content briefs for small brands. Answer with JSON "
    'only: {"ideas": [{"angle": str, "title": str, "brief": str}]}. Keep each brief under '
    "120 words, practical, in the brand's voice. Do not invent statistics."
)


class LlmWriter:
    def __init__(self, settings: LlmSettings, *, fallback: TemplateWriter | None = None) -> None:
        assert settings.base_url, "LlmWriter needs SOASH_LLM_BASE_URL"
        self.url = f"{settings.base_url.rstrip('/')}/chat/completions"
        self.settings = settings
        self.fallback = fallback or TemplateWriter()

    def ideas(self, context: IdeaContext, *, count: int) -> list[Idea]:
        angles = [a for a, _ in choose_angles(context, count)]
        try:
            ideas = self._ask(context, angles)
        except (httpx.HTTPError, ValueError, KeyError, TypeError) as exc:
            log.warning("the language model failed (%s); using the template writer", exc)
            return self.fallback.ideas(context, count=count)
        return ideas[:count] if len(ideas) >= count else self.fallback.ideas(context, count=count)

    def _ask(self, context: IdeaContext, angles: list[str]) -> list[Idea]:
        prompt = {
            "brand": context.brand_name,
            "industry": context.industry,
            "description": context.description,
            "audience": context.audience,
            "values": list(context.values),
            "goals": list(context.goals),
            "best_format": context.content_type,
            "hashtags_that_work": list(context.hashtags),
            "best_time": context.best_slot,
            "angles": angles,
        }
        no_open_write("a language-model call")
        headers = {}
        if self.settings.api_key:
            headers["Authorization"] = f"Bearer {self.settings.api_key.get_secret_value()}"
        response = httpx.post(
            self.url,
            json={
                "model": self.settings.model,
                "temperature": 0.7,
                "messages": [
                    {"role": "system", "content": SYSTEM},
                    {
                        "role": "user",
                        "content": "Write one idea per angle for this brand:\n"
                        + json.dumps(prompt),
                    },
                ],
            },
            headers=headers,
            timeout=self.settings.timeout_seconds,
        )
        response.raise_for_status()
        content = response.json()["choices"][0]["message"]["content"]
        text = content.strip().removeprefix("```json").removeprefix("```").removesuffix("```")
        items = json.loads(text)["ideas"]
        ideas = []
        for angle, item in zip(angles, items, strict=False):
            title, brief = str(item["title"]).strip(), str(item["brief"]).strip()
            if not title or not brief:
                raise ValueError("empty title or brief")
            ideas.append(
                Idea(angle=angle, title=title[:200], brief=f"{brief}\n\n{context.evidence}")
            )
        return ideas
