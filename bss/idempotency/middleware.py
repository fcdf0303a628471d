"""``Idempotency-Key`` on every POST of the TMF (/tmf-api/) and native (/api/v1/) APIs.

A client sends ``Idempotency-Key: <1-255 printable ASCII characters>`` with a POST:

- the first request claims the key and runs; a response a client should see again (2xx and
  4xx other than 401/403/408/409/425/429) is stored for ``BSS_IDEMPOTENCY_TTL_HOURS`` (24 h);
  any other (5xx, "not now" 4xx, a streamed body) releases the key, so a retry runs afresh;
- a replay (same credential, key, method, path and body) gets the stored status, body,
  Content-Type and Location, plus ``Idempotent-Replayed: true``; nothing runs again;
- the same key with another method, path or body: 422; while the first is still running: 409
  (with ``Retry-After``); a key longer than 255 characters, empty or not printable ASCII: 400.
  TMF Error bodies under /tmf-api/, ``{"detail", "code"}`` elsewhere.

Keys are scoped to the credential: the authenticated user (``user:<pk>``), whether the request
came with a session or an ``Authorization: Token`` header. Anonymous requests are not
idempotent (the header is ignored): there is no credential to scope a key to, and the only
anonymous POST is the token exchange, whose response is a secret and is never stored (nor for a
logged-in user: views with ``idempotency_exempt = True`` and DRF's ``ObtainAuthToken`` are skipped).

Why a middleware, and how it knows the credential: DRF authenticates inside the view, after every
middleware ran, so ``request.user`` here is only the session user. A DRF-level hook would have to
be mixed into every API view of every app (and would miss responses made outside the view, e.g.
by exception handling). So the middleware resolves the URL to its view and authenticates the way
that view will: its own ``authentication_classes`` in order (token first by default), the session
taken from Django's ``AuthenticationMiddleware``; an invalid token means no credential, and the view
answers 401 itself. This costs one token lookup, and only on POSTs that carry the header. A CSRF
failure of a session POST is the view's 403, which is not stored.
"""

import hashlib

from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponse, JsonResponse
from django.urls import Resolver404, resolve
from rest_framework import exceptions
from rest_framework.authentication import SessionAuthentication
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.request import Request
from rest_framework.views import APIView

from bss.tmf.errors import error_response

from .services import Outcome, idempotency_key_claim, idempotency_key_complete, idempotency_key_release

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
MAX_KEY_LENGTH = 255
PREFIXES = ("/tmf-api/", "/api/v1/")
TMF_PREFIX = "/tmf-api/"
# Headers of the first response that a replay repeats.
REPLAYED_HEADERS = ("Content-Type", "Location", "Content-Location", "ETag", "Last-Modified")
# 4xx that say "not done, try again (later, or with other credentials)": released, never replayed.
RETRYABLE_4XX = frozenset({401, 403, 408, 409, 425, 429})


def _error(request, status: int, message: str, code: str, **headers) -> HttpResponse:
    if request.path.startswith(TMF_PREFIX):
        response = error_response(status, message, code=code)
    else:
        response = JsonResponse({"detail": message, "code": code}, status=status)
    for name, value in headers.items():
        response[name] = value
    return response


def _valid_key(key: str) -> bool:
    return 0 < len(key) <= MAX_KEY_LENGTH and all(" " <= ch <= "~" for ch in key)


def _view(request):
    """(view function, DRF view class or None) for the request's path; (None, None) if no route."""
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return None, None
    func = match.func
    cls = getattr(func, "cls", None) or getattr(func, "view_class", None)
    return func, cls


def _exempt(func, cls) -> bool:
    if getattr(func, "idempotency_exempt", False) or getattr(cls, "idempotency_exempt", False):
        return True
    return cls is not None and issubclass(cls, ObtainAuthToken)


def credential(request, func=None, cls=None):
    """The user the view will authenticate for this request, or None (anonymous or invalid)."""
    forced = getattr(request, "_force_auth_user", None)  # DRF's APIClient.force_authenticate
    if forced is not None:
        return forced
    session_user = getattr(request, "user", None)
    if cls is None or not issubclass(cls, APIView):
        return session_user if session_user is not None and session_user.is_authenticated else None
    classes = (getattr(func, "initkwargs", None) or {}).get("authentication_classes", cls.authentication_classes)
    drf_request = Request(request)
    for auth_class in classes:
        if issubclass(auth_class, SessionAuthentication):
            if session_user is not None and session_user.is_authenticated and session_user.is_active:
                return session_user
            continue
        try:
            result = auth_class().authenticate(drf_request)
        except exceptions.APIException:
            return None
        if result is not None:
            return result[0]
    return None


def _storable(response) -> bool:
    if getattr(response, "streaming", False):
        return False
    status = response.status_code
    return 200 <= status < 300 or (400 <= status < 500 and status not in RETRYABLE_4XX)


def _replay(record) -> HttpResponse:
    response = HttpResponse(bytes(record.response_body or b""), status=record.response_status)
    if "Content-Type" not in record.response_headers:
        del response["Content-Type"]
    for name, value in record.response_headers.items():
        response[name] = value
    response[REPLAYED_HEADER] = "true"
    return response


class IdempotencyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        key = request.headers.get(HEADER)
        if key is None or request.method != "POST" or not request.path.startswith(PREFIXES):
            return self.get_response(request)
        if not _valid_key(key):
            return _error(request, 400, f"{HEADER} must be 1 to {MAX_KEY_LENGTH} printable ASCII characters",
                          "invalid_idempotency_key")
        func, cls = _view(request)
        if func is None or _exempt(func, cls):
            return self.get_response(request)
        user = credential(request, func, cls)
        if user is None:
            return self.get_response(request)
        try:
            body = request.body
        except RequestDataTooBig:
            return self.get_response(request)  # the view (or the body-limit middleware) answers

        claim = idempotency_key_claim(scope=f"user:{user.pk}", key=key, method=request.method,
                                      path=request.get_full_path(), fingerprint=hashlib.sha256(body).hexdigest())
        if claim.outcome is Outcome.REPLAY:
            return _replay(claim.record)
        if claim.outcome is Outcome.MISMATCH:
            return _error(request, 422, f"This {HEADER} was used for a different request (method, path or body)",
                          "idempotency_key_reused")
        if claim.outcome is Outcome.IN_PROGRESS:
            return _error(request, 409, f"A request with this {HEADER} is still in progress; retry later",
                          "idempotency_key_in_progress", **{"Retry-After": "1"})

        record = claim.record
        try:
            response = self.get_response(request)
        except BaseException:
            idempotency_key_release(record=record)
            raise
        if _storable(response):
            headers = {name: response[name] for name in REPLAYED_HEADERS if response.has_header(name)}
            idempotency_key_complete(record=record, status=response.status_code, headers=headers,
                                     body=response.content)
        else:
            idempotency_key_release(record=record)
        return response
