"""One request-body limit for every API door (/api/ and /tmf-api/), checked before anything parses.

- Content-Length above the limit: 413 at once (TMF Error body under /tmf-api/, DRF shape elsewhere).
- No Content-Length but a chunked body: read at most limit + 1 bytes; more is a 413, otherwise the
  body is handed on with its length (Django alone would read a chunked body as empty).
- An unreadable Content-Length: 400.
Portal and admin forms are bounded by DATA_UPLOAD_MAX_MEMORY_SIZE (the same number).
"""

import io

from django.conf import settings
from django.http import JsonResponse

from bss.tmf.errors import error_response

API_PREFIXES = ("/api/", "/tmf-api/")
TMF_PREFIX = "/tmf-api/"


def body_limit(path: str) -> int:
    if path.startswith(TMF_PREFIX):
        return min(settings.BSS_MAX_BODY_BYTES, settings.TMF_MAX_BODY_BYTES)
    return settings.BSS_MAX_BODY_BYTES


def _error(path: str, status: int, message: str, code: str):
    if path.startswith(TMF_PREFIX):
        return error_response(status, message, code=code)
    return JsonResponse({"detail": message, "code": code}, status=status)


class ApiBodyLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith(API_PREFIXES):
            refused = self._check(request)
            if refused is not None:
                return refused
        return self.get_response(request)

    def _check(self, request):
        limit = body_limit(request.path)
        too_large = f"Request body larger than {limit} bytes"
        raw_length = request.META.get("CONTENT_LENGTH")
        if raw_length not in (None, ""):
            try:
                length = int(raw_length)
            except ValueError:
                length = -1
            if length < 0:
                return _error(request.path, 400, "Invalid Content-Length header", "invalid_content_length")
            if length > limit:
                return _error(request.path, 413, too_large, "payload_too_large")
            return None
        if "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower():
            stream = request.META.get("wsgi.input")
            data = stream.read(limit + 1) if stream is not None else b""
            if len(data) > limit:
                return _error(request.path, 413, too_large, "payload_too_large")
            request._stream = io.BytesIO(data)
            request._read_started = False
            request.META["CONTENT_LENGTH"] = str(len(data))
        return None
