"""v2: saved custom reports."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from soash.db import Base, IdMixin, JSONType, TimestampMixin


class CustomReport(IdMixin, TimestampMixin, Base):
    __tablename__ = "custom_reports"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    report_name: Mapped[str] = mapped_column(String(200))
    report_config: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
