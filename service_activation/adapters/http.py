"""A generic HTTP adapter configured per step (``adapter_config``): ``url``, ``method`` (POST), a request
``template`` (a JSON object whose string values may use {service}, {step}, {key} and {characteristic names}),
``success`` (a status list, default 2xx) and ``success_field``/``success_value`` read from the JSON answer.
The idempotency key goes in the Idempotency-Key header so the element can configure once.

Asynchronous elements (``async: true``): the element accepts the request (``accepted``, default [202]) and
reports the outcome later by calling back. The callback URL (``{callback}`` in the template, and always the
X-Callback-URL header) carries a signed token of the step's idempotency key: that signature is the callback's
credential and its correlation. ``correlation_field`` (default ``id``) names the element's own reference in
the immediate answer; when the callback body carries it too, it must match. The callback's outcome:
``callback_success_field`` (default ``status``) equal to ``callback_success_value`` (default ``done``);
``callback_detail_field`` (default ``detail``) says why. services/http_callbacks.py receives it."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

from django.conf import settings
from django.core import signing

from .base import Adapter, AdapterError, AdapterResult, StepRequest


def _fill(value, names: dict):
    if isinstance(value, str):
        try:
            return value.format(**names)
        except (KeyError, IndexError, ValueError):
            return value
    if isinstance(value, dict):
        return {k: _fill(v, names) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, names) for v in value]
    return value


CALLBACK_SALT = "service-activation:http-adapter:callback"
CALLBACK_PATH = "/api/v1/adapter-callbacks/"


def callback_url(idempotency_key: str) -> str:
    """Where the element reports an asynchronous outcome (settings.BSS_ADAPTER_CALLBACK_BASE_URL)."""
    base = getattr(settings, "BSS_ADAPTER_CALLBACK_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
    return f"{base}{CALLBACK_PATH}{signing.dumps(idempotency_key, salt=CALLBACK_SALT, compress=True)}/"


def callback_key(token: str) -> str | None:
    """The idempotency key a callback token was signed for; None when it is forged or damaged."""
    try:
        return signing.loads(token, salt=CALLBACK_SALT)
    except signing.BadSignature:
        return None


def callback_outcome(config: dict, body: dict, *, correlation: str | None) -> tuple[bool | None, str]:
    """(ok, detail) of a callback body; ok None when the body names another correlation than the step's."""
    if not isinstance(body, dict):
        return False, "the callback body is not a JSON object"
    field_name = config.get("correlation_field", "id")
    if correlation not in (None, "") and body.get(field_name) not in (None, "") and str(body.get(
            field_name)) != str(correlation):
        return None, f"{field_name} {body.get(field_name)} is not {correlation}"
    ok = body.get(config.get("callback_success_field", "status")) == config.get("callback_success_value", "done")
    detail = str(body.get(config.get("callback_detail_field", "detail")) or "")
    return ok, detail or ("reported done" if ok else "reported failed")


class HttpAdapter(Adapter):
    def apply(self, request: StepRequest) -> AdapterResult:
        conf = request.config
        url = conf.get("url")
        if not url:
            raise AdapterError(f"step {request.step_code}: the http adapter needs a url", retryable=False)
        names = {**{k: v for k, v in request.characteristics.items() if isinstance(k, str)},
                 "service": request.service_ref, "step": request.step_code, "key": request.idempotency_key,
                 "operation": request.operation}
        headers = {"Content-Type": "application/json", "Idempotency-Key": request.idempotency_key}
        if conf.get("async"):
            names["callback"] = headers["X-Callback-URL"] = callback_url(request.idempotency_key)
        body = json.dumps(_fill(conf.get("template", {"service": "{service}", "step": "{step}",
                                                      "operation": "{operation}"}), names)).encode()
        req = urllib.request.Request(url, data=body, method=conf.get("method", "POST"), headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=float(conf.get("timeout", 10))) as resp:
                status, text = resp.status, resp.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as e:
            status, text = e.code, e.read().decode("utf-8", "replace")
        except (urllib.error.URLError, TimeoutError, OSError) as e:
            raise AdapterError(f"{url}: {e}") from e
        ok_statuses = conf.get("success", list(range(200, 300)))
        if status >= 500:
            raise AdapterError(f"{url} answered {status}")
        data = {}
        try:
            data = json.loads(text) if text else {}
        except ValueError:
            pass
        if conf.get("async") and status in conf.get("accepted", [202]):
            correlation = data.get(conf.get("correlation_field", "id")) if isinstance(data, dict) else None
            return AdapterResult(ok=True, pending=True, detail=f"HTTP {status}: accepted, waiting for the callback",
                                 data={"correlation": "" if correlation is None else str(correlation)})
        ok = status in ok_statuses
        if ok and conf.get("success_field"):
            ok = isinstance(data, dict) and data.get(conf["success_field"]) == conf.get("success_value", True)
        return AdapterResult(ok=ok, detail=f"HTTP {status}", data=data if isinstance(data, dict) else {})
