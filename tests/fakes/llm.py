"""A fake OpenAI-compatible chat-completions server."""

from __future__ import annotations

import json
from typing import Any

from tests.fakes.server import FakeServer, Request, Response


class FakeLlm(FakeServer):
    def __init__(self) -> None:
        super().__init__()
        self.prompts: list[Any] = []
        self.route("POST", "/v1/chat/completions", self._complete)

    def _complete(self, request: Request) -> Response:
        body = request.json
        self.prompts.append(body)
        brand = json.loads(body["messages"][-1]["content"].split("\n", 1)[1])
        ideas = [
            {
                "angle": angle,
                "title": f"LLM idea: {angle} for {brand['brand']}",
                "brief": f"A model-written brief about {angle} for {brand['audience']}.",
            }
            for angle in brand["angles"]
        ]
        content = json.dumps({"ideas": ideas})
        return Response(
            200,
            {
                "id": "chatcmpl-1",
                "object": "chat.completion",
                "model": body["model"],
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": content},
                        "finish_reason": "stop",
                    }
                ],
            },
        )
