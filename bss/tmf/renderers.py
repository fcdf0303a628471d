from datetime import UTC, date, datetime

from rest_framework.renderers import JSONRenderer


def tmf_datetime(value: datetime | None) -> str | None:
    """UTC with a 'Z', millisecond precision: 2026-11-22T03:23:00.000Z."""
    if value is None:
        return None
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC)
        return value.replace(tzinfo=None).isoformat(timespec="milliseconds") + "Z"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


class TmfJSONRenderer(JSONRenderer):
    """JSON on every response, including 204 and errors."""

    media_type = "application/json"
    charset = "utf-8"
