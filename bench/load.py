"""Concurrent load from loopback: a gunicorn server as in production, and wrk against it.

wrk (Debian package ``wrk``) is used when it is installed; otherwise a threaded http.client
generator with the same number of connections stands in (it is slower than wrk, so it is a
floor on the server's throughput; the ratios between twins stay meaningful because both sides
of a pair get the same generator).
"""

from __future__ import annotations

import http.client
import itertools
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# One unique body per request: {n} is replaced by a counter (per wrk thread, with the thread's id).
WRK_SCRIPT = """
local counter = 0
local threads = {}
function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end
function request()
  counter = counter + 1
  local body = string.gsub(wrk.body, "{n}", tostring(tid) .. "-" .. tostring(counter))
  return wrk.format(nil, nil, nil, body)
end
"""


@dataclass
class LoadResult:
    rps: float
    requests: int
    errors: int  # non-2xx responses and socket errors

    @property
    def note(self) -> str:
        return f"{self.errors} of {self.requests} requests failed" if self.errors else ""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """gunicorn with 4 sync workers on 127.0.0.1, DEBUG off, the bench settings (product + twins)."""

    def __init__(self, *, workers: int = 4, env: dict | None = None):
        self.port = free_port()
        self.workers = workers
        self.env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings", **(env or {})}
        self.proc: subprocess.Popen | None = None
        self.log = tempfile.NamedTemporaryFile(prefix="bench-gunicorn-", suffix=".log", delete=False)

    def __enter__(self) -> Server:
        gunicorn = Path(sys.executable).with_name("gunicorn")
        self.proc = subprocess.Popen(
            [str(gunicorn), "bss.wsgi:application", "--workers", str(self.workers), "--worker-class", "sync",
             "--bind", f"127.0.0.1:{self.port}", "--log-level", "warning"],
            cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited; see {self.log.name}")
            try:
                status, _ = self.request("GET", "/healthz")
                if status == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer /healthz in 30 s; see {self.log.name}")

    def __exit__(self, *exc):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.log.close()
        if os.path.getsize(self.log.name):
            print(f"gunicorn logged something: see {self.log.name}", file=sys.stderr)
        else:
            os.unlink(self.log.name)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def request(self, method: str, path: str, *, headers: dict | None = None, body: str | None = None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            response = conn.getresponse()
            return response.status, response.read()
        finally:
            conn.close()


def load(server: Server, method: str, path: str, *, headers: dict, body: str | None = None,
         connections: int = 16, seconds: float = 10, warmup: float = 2) -> LoadResult:
    """Warm up, then measure ``seconds`` of load with ``connections`` concurrent connections."""
    run = _wrk if shutil.which("wrk") else _threaded
    if warmup:
        run(server, method, path, headers=headers, body=body, connections=connections, seconds=warmup)
    return run(server, method, path, headers=headers, body=body, connections=connections, seconds=seconds)


def generator_name() -> str:
    return "wrk" if shutil.which("wrk") else "threaded http.client (wrk not installed)"


def _wrk(server, method, path, *, headers, body, connections, seconds) -> LoadResult:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(f"wrk.method = {json.dumps(method)}\n")
        if body is not None:
            f.write(f"wrk.body = {json.dumps(body)}\n")
        for k, v in headers.items():
            f.write(f"wrk.headers[{json.dumps(k)}] = {json.dumps(v)}\n")
        f.write(WRK_SCRIPT if body is not None else "")
        script = f.name
    try:
        out = subprocess.run(
            ["wrk", "-t", "2", "-c", str(connections), "-d", f"{max(1, round(seconds))}s", "--timeout", "30s",
             "-s", script, server.base + path],
            capture_output=True, text=True, check=True).stdout
    finally:
        os.unlink(script)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    total = int(re.search(r"(\d+) requests in", out).group(1))
    errors = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", out))
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    errors += sum(int(n) for n in sock.groups()) if sock else 0
    return LoadResult(rps=rps, requests=total, errors=errors)


def _threaded(server, method, path, *, headers, body, connections, seconds) -> LoadResult:
    counter = itertools.count()
    done, failed = [0] * connections, [0] * connections
    stop_at = time.monotonic() + seconds

    def worker(i):
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        while time.monotonic() < stop_at:
            payload = None if body is None else body.replace("{n}", f"{i}-{next(counter)}")
            try:
                conn.request(method, path, body=payload, headers=headers)
                response = conn.getresponse()
                response.read()
                ok = 200 <= response.status < 400
            except OSError:
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
                ok = False
            done[i] += 1
            failed[i] += not ok
        conn.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(connections)]
    t0 = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - t0
    return LoadResult(rps=sum(done) / elapsed, requests=sum(done), errors=sum(failed))
