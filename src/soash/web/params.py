"""Query parameters from GET forms: a field left empty ("All accounts", no date) means none."""

from __future__ import annotations

from typing import Any

from pydantic import BeforeValidator


def _none_if_blank(value: Any) -> Any:
    return None if isinstance(value, str) and not value.strip() else value


Blank = BeforeValidator(_none_if_blank)
