"""A small stub network element the generic HTTP adapter (adapters/http.py) drives in the demo and the tests.

``POST /<anything>`` with a JSON body configures one thing and keeps a record of it, once per Idempotency-Key
(a retried request gets the same ticket and configures nothing again). With an ``X-Callback-URL`` header it
behaves like an asynchronous element: it answers ``202 {"id": ticket, "accepted": true}`` at once and, after
``delay`` seconds, POSTs ``{"id": ticket, "status": "done"|"failed", "detail": ...}`` to the callback URL.
Without one it answers ``200 {"id": ticket, "result": "ok"}`` (or 409 for a failing step). A step whose
``step`` value is in ``fail_steps`` fails. ``GET /configured`` lists the record. Loopback only by default.
Standard library only: no Django in here, so it can run beside any BSS process."""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class StubNetworkElement:
    def __init__(self, *, host: str = "127.0.0.1", port: int = 0, delay: float = 0.2, fail_steps=()):
        self.delay, self.fail_steps = delay, set(fail_steps)
        self.configured: dict[str, dict] = {}   # idempotency key -> what was configured
        self.requests: list[dict] = []          # every request, as received
        self.callbacks: list[dict] = []         # every callback sent: {"url", "body", "status"}
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []
        element = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                if self.path.rstrip("/") != "/configured":
                    return self._answer(404, {"error": "no such resource"})
                with element._lock:
                    return self._answer(200, {"configured": list(element.configured.values())})

            def do_POST(self):
                try:
                    body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
                except ValueError:
                    return self._answer(400, {"error": "the body is not JSON"})
                key = self.headers.get("Idempotency-Key") or ""
                callback = self.headers.get("X-Callback-URL") or (body.get("callback") if isinstance(
                    body, dict) else None)
                failed = isinstance(body, dict) and body.get("step") in element.fail_steps
                with element._lock:
                    element.requests.append({"path": self.path, "key": key, "body": body})
                    known = element.configured.get(key) if key else None
                    if known is None:
                        known = {"ticket": f"T{len(element.configured) + 1:05d}", "key": key, "body": body,
                                 "failed": failed}
                        if key:
                            element.configured[key] = known
                        repeated = False
                    else:
                        repeated = True
                if callback:
                    self._answer(202, {"id": known["ticket"], "accepted": True, "repeated": repeated})
                    if not repeated:
                        element._call_back(callback, known)
                    return None
                if known["failed"]:
                    return self._answer(409, {"id": known["ticket"], "result": "refused"})
                return self._answer(200, {"id": known["ticket"], "result": "ok", "repeated": repeated})

            def _answer(self, status, payload):
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer((host, port), Handler)
        self.server.daemon_threads = True
        self.host, self.port = self.server.server_address[:2]
        self.url = f"http://{self.host}:{self.port}"
        self._thread = None

    def _call_back(self, url: str, known: dict) -> None:
        def run():
            time.sleep(self.delay)
            step = known["body"].get("step", "") if isinstance(known["body"], dict) else ""
            body = {"id": known["ticket"], "status": "failed" if known["failed"] else "done",
                    "detail": f"{'refused' if known['failed'] else 'configured'} {step}".strip()}
            status = None
            for attempt in range(5):  # the BSS may be briefly busy: try again, like a real element would
                try:
                    req = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                                 headers={"Content-Type": "application/json"})
                    with urllib.request.urlopen(req, timeout=10) as resp:
                        status = resp.status
                    break
                except urllib.error.HTTPError as e:
                    status = e.code
                    if e.code < 500:
                        break
                except OSError:
                    status = None
                time.sleep(0.2 * (attempt + 1))
            with self._lock:
                self.callbacks.append({"url": url, "body": body, "status": status})

        t = threading.Thread(target=run, daemon=True)
        self._threads.append(t)
        t.start()

    def start(self) -> StubNetworkElement:
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self.server.serve_forever()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
