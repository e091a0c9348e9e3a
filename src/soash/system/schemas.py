"""Job records as the API shows them."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from soash.schemas import OutModel
from soash.system.models import JobStatus, JobType


class JobOut(OutModel):
    id: uuid.UUID
    job_type: JobType
    status: JobStatus
    error_message: str | None
    result: dict[str, Any] | None
    started_at: datetime | None
    completed_at: datetime | None
    created_at: datetime
