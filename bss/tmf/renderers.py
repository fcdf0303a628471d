from datetime import UTC, date, datetime

import simplejson
from rest_framework.renderers import INDENT_SEPARATORS, LONG_SEPARATORS, SHORT_SEPARATORS, JSONRenderer


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
    """JSON on every response, including 204 and errors.

    A ``Decimal`` in the data (e.g. ``bss.money.Money.to_tmf()["value"]``) is written as an exact
    JSON number (``12.3450``), never through float: DRF's encoder would turn it into a float, so the
    body is written by simplejson (``use_decimal``), with DRF's encoder for everything else.
    """

    media_type = "application/json"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        indent = self.get_indent(accepted_media_type, renderer_context or {})
        if indent is None:
            separators = SHORT_SEPARATORS if self.compact else LONG_SEPARATORS
        else:
            separators = INDENT_SEPARATORS
        text = simplejson.dumps(
            data, default=self.encoder_class().default, use_decimal=True, namedtuple_as_object=False,
            indent=indent, ensure_ascii=self.ensure_ascii, allow_nan=not self.strict, separators=separators,
        )
        # As DRF does: \u2028/\u2029 escaped so the output is a strict JavaScript subset.
        return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029").encode()
