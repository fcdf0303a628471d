"""The request parsers every API uses (TMF and native): REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"].

On top of DRF's parsers they refuse, before any view sees the body:
- a malformed Content-Type (``application/json;;;``, ``application/json;charset``): 415;
- JSON nested deeper than ``BSS_MAX_JSON_DEPTH`` (objects and arrays; the top level is depth 1): 400.
  Deeper documents would reach Python's recursion limit in the serializers, the renderers, the
  history writer or the admin, and nothing in a TMF or native resource needs more than a few levels;
- a NUL character (``\\u0000``) in any string or key: 400. No text we store may hold one
  (PostgreSQL refuses it in text and JSON columns), and bodies kept verbatim (TMF679 requests,
  unmodelled TMF attributes) would otherwise fail at the database as a 500.
The body size is limited before parsing by bss.api.middleware.ApiBodyLimitMiddleware.
"""

import re

from django.conf import settings
from rest_framework import parsers
from rest_framework.exceptions import ParseError, UnsupportedMediaType

_TOKEN = r"[!#$%&'*+.^_`|~0-9A-Za-z-]+"
_QUOTED = r'"(?:[^"\\\r\n]|\\.)*"'
# RFC 9110 section 8.3.1: type "/" subtype *( OWS ";" OWS parameter ), parameter = token "=" value.
MEDIA_TYPE_RE = re.compile(rf"^[ \t]*{_TOKEN}/{_TOKEN}(?:[ \t]*;[ \t]*{_TOKEN}=(?:{_TOKEN}|{_QUOTED}))*[ \t]*$")


def is_well_formed_media_type(value: str) -> bool:
    return bool(MEDIA_TYPE_RE.match(value or ""))


def max_json_depth() -> int:
    return getattr(settings, "BSS_MAX_JSON_DEPTH", 32)


def json_depth_exceeds(data, limit: int) -> bool:
    """True when ``data`` nests objects/arrays deeper than ``limit`` (iterative: no recursion)."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            children = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return False


def json_contains_nul(data) -> bool:
    """True when a string or an object key anywhere in ``data`` holds U+0000 (iterative)."""
    stack = [data]
    while stack:
        value = stack.pop()
        if isinstance(value, str):
            if "\x00" in value:
                return True
        elif isinstance(value, dict):
            if any("\x00" in k for k in value):
                return True
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return False


class StrictMediaTypeMixin:
    def check_media_type(self, media_type):
        if not is_well_formed_media_type(media_type):
            raise UnsupportedMediaType(media_type, detail=f'Malformed media type "{media_type}" in request.')


class JSONParser(StrictMediaTypeMixin, parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        self.check_media_type(media_type)
        limit = max_json_depth()
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(f"JSON parse error - nested deeper than {limit} levels")
        if json_depth_exceeds(data, limit):
            raise ParseError(f"JSON parse error - nested deeper than {limit} levels")
        if json_contains_nul(data):
            raise ParseError("JSON parse error - text may not contain the NUL character (\\u0000)")
        return data


class MergePatchJSONParser(JSONParser):
    """PATCH bodies as TMF specifies them (RFC 7386 JSON merge patch)."""

    media_type = "application/merge-patch+json"


class FormParser(StrictMediaTypeMixin, parsers.FormParser):
    def parse(self, stream, media_type=None, parser_context=None):
        self.check_media_type(media_type)
        return super().parse(stream, media_type, parser_context)


class MultiPartParser(StrictMediaTypeMixin, parsers.MultiPartParser):
    def parse(self, stream, media_type=None, parser_context=None):
        self.check_media_type(media_type)
        return super().parse(stream, media_type, parser_context)


API_PARSER_CLASSES = [JSONParser, MergePatchJSONParser, FormParser, MultiPartParser]
