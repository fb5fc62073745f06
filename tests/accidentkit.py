"""Recording accidents in tests through the service, and a drawn signature as the page's canvas sends it."""

from __future__ import annotations

import base64
import datetime as dt

from django.utils import timezone

from processes import services
from processes.models import AccidentKind

# The smallest real PNG (1x1): what the tablet's canvas would post, in miniature.
PNG_1X1 = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)
SIGNATURE = "data:image/png;base64," + base64.b64encode(PNG_1X1).decode()


def accident(child, by, *, hours_ago: float = 1, kind=AccidentKind.ACCIDENT, **extra):
    fields = {"body_part": "Left knee", "what_happened": "Tripped on the mat", "first_aid": "Cold compress",
              "witnesses": "Sam (room leader)"} | extra
    return services.accident_record(child=child, by=by.user, kind=kind,
                                    occurred_at=timezone.now() - dt.timedelta(hours=hours_ago), **fields)
