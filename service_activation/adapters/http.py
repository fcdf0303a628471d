"""A generic HTTP adapter configured per step (``adapter_config``): ``url``, ``method`` (POST), a request
``template`` (a JSON object whose string values may use {service}, {step}, {key} and {characteristic names}),
``success`` (a status list, default 2xx) and ``success_field``/``success_value`` read from the JSON answer.
The idempotency key goes in the Idempotency-Key header so the element can configure once."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

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


class HttpAdapter(Adapter):
    def apply(self, request: StepRequest) -> AdapterResult:
        conf = request.config
        url = conf.get("url")
        if not url:
            raise AdapterError(f"step {request.step_code}: the http adapter needs a url", retryable=False)
        names = {**{k: v for k, v in request.characteristics.items() if isinstance(k, str)},
                 "service": request.service_ref, "step": request.step_code, "key": request.idempotency_key,
                 "operation": request.operation}
        body = json.dumps(_fill(conf.get("template", {"service": "{service}", "step": "{step}",
                                                      "operation": "{operation}"}), names)).encode()
        req = urllib.request.Request(url, data=body, method=conf.get("method", "POST"), headers={
            "Content-Type": "application/json", "Idempotency-Key": request.idempotency_key})
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
        ok = status in ok_statuses
        if ok and conf.get("success_field"):
            ok = isinstance(data, dict) and data.get(conf["success_field"]) == conf.get("success_value", True)
        return AdapterResult(ok=ok, detail=f"HTTP {status}", data=data if isinstance(data, dict) else {})
