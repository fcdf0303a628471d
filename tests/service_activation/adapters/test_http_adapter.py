"""The generic HTTP adapter (1.1.2.2.4): configured per step (URL, request template, success condition), the
idempotency key in the Idempotency-Key header, a 5xx or an unreachable element retryable, a 4xx or a false
success field a failure; driven against a local stub element."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from service_activation.adapters import AdapterError, StepRequest, get_adapter


class Stub:
    def __init__(self, answers):
        self.answers = list(answers)
        self.requests = []
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                stub.requests.append((dict(self.headers), body))
                status, payload = stub.answers.pop(0)
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/provision"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()


@pytest.fixture
def stub():
    made = []

    def make(*answers):
        made.append(Stub(answers))
        return made[-1]

    yield make
    for s in made:
        s.close()


def _request(url, **config):
    return StepRequest(idempotency_key="wo-7", operation="activate", element="olt", step_code="olt-port",
                       service_ref="service:3", characteristics={"vlan": 120},
                       config={"url": url, "template": {"svc": "{service}", "vlan": "{vlan}", "op": "{operation}"},
                               **config})


def test_the_request_is_built_from_the_template_with_the_idempotency_key(stub):
    element = stub((200, {"result": "ok"}))
    result = get_adapter("http").apply(_request(element.url, success_field="result", success_value="ok"))
    assert result.ok and result.detail == "HTTP 200"
    headers, body = element.requests[0]
    assert body == {"svc": "service:3", "vlan": "120", "op": "activate"}
    assert headers["Idempotency-Key"] == "wo-7"


def test_a_false_success_field_or_a_4xx_is_a_failure_not_a_retry(stub):
    element = stub((200, {"result": "busy"}), (409, {"error": "port in use"}))
    assert not get_adapter("http").apply(_request(element.url, success_field="result", success_value="ok")).ok
    assert not get_adapter("http").apply(_request(element.url)).ok


def test_a_5xx_or_an_unreachable_element_is_retryable(stub):
    element = stub((503, {}))
    with pytest.raises(AdapterError) as e:
        get_adapter("http").apply(_request(element.url))
    assert e.value.retryable
    with pytest.raises(AdapterError) as e:
        get_adapter("http").apply(_request("http://127.0.0.1:9/nothing", timeout=1))
    assert e.value.retryable
    with pytest.raises(AdapterError) as e:
        get_adapter("http").apply(StepRequest(idempotency_key="k", operation="activate", element="x",
                                              step_code="s", service_ref="service:1"))
    assert not e.value.retryable  # no URL configured: a configuration error, retrying will not help
