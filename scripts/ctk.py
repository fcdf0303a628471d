#!/usr/bin/env python3
"""Run the official TM Forum CTKs (newman) against a BSS server, through a token-adding reverse proxy.

The kits send no credentials (only ``Accept`` and ``Content-Type``), and every BSS API needs an authenticated
caller. A real integrator reaches us through their API gateway, which holds their token and adds it to every
call; ``TokenProxy`` stands in for that gateway: a small loopback HTTP proxy (standard library only) that
forwards each request to the server with ``Authorization: Token <key>`` added, and returns the answer as it is.
The kits themselves run unmodified. docs/ctk.md describes the whole arrangement.

    python scripts/ctk.py --server http://127.0.0.1:8000 --token <integrator token> TMF622 TMF641

runs each kit, prints newman's summary and exits non-zero when an assertion failed (``--report-dir`` keeps
newman's JSON reports). tests/ctk runs the same code against a live test server.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import subprocess
import sys
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
HOP_BY_HOP = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailers",
              "transfer-encoding", "upgrade", "host", "content-length"}


def ctk_dir() -> Path:
    """The official kits: ``BSS_CTK_DIR``, else the unmodified copies vendored in ``bss/tmf/ctk`` (so a clean clone
    runs them)."""
    return Path(os.environ.get("BSS_CTK_DIR") or ROOT / "bss" / "tmf" / "ctk")


def newman_command() -> list[str] | None:
    """``npx newman`` from this repository's node_modules (``npm ci``), or None when it is not installed: npx is
    told not to fetch it from the registry."""
    if shutil.which("npx") is None or not (ROOT / "node_modules" / ".bin" / "newman").exists():
        return None
    return ["npx", "--no-install", "newman"]


# --- the stand-in for the integrator's API gateway ------------------------------------------------------------

class TokenProxy:
    """A loopback reverse proxy on a free port that adds ``Authorization: Token <token>`` to every request it
    forwards to ``upstream`` (``http://host:port``). Use as a context manager; ``url`` is its base URL."""

    def __init__(self, upstream: str, token: str, host: str = "127.0.0.1"):
        parts = urlsplit(upstream)
        self.upstream_host, self.upstream_port = parts.hostname, parts.port or 80
        self.token = token
        self.requests: list[tuple[str, str, int]] = []  # (method, path, status) as forwarded
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _forward(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP
                           and k.lower() != "authorization"}
                headers["Authorization"] = f"Token {proxy.token}"
                headers["Host"] = f"{proxy.upstream_host}:{proxy.upstream_port}"
                headers["X-Forwarded-For"] = self.client_address[0]
                conn = http.client.HTTPConnection(proxy.upstream_host, proxy.upstream_port, timeout=60)
                try:
                    conn.request(self.command, self.path, body=body, headers=headers)
                    resp = conn.getresponse()
                    data = resp.read()
                    self.send_response(resp.status, resp.reason)
                    for k, v in resp.getheaders():
                        if k.lower() not in HOP_BY_HOP:
                            self.send_header(k, v)
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    if self.command != "HEAD":
                        self.wfile.write(data)
                    proxy.requests.append((self.command, self.path, resp.status))
                finally:
                    conn.close()

            do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = do_HEAD = do_OPTIONS = _forward

            def log_message(self, format, *args):  # quiet: newman reports every call
                pass

        self.server = ThreadingHTTPServer((host, 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://{host}:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, name="ctk-token-proxy", daemon=True)

    def __enter__(self) -> TokenProxy:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(timeout=5)


# --- the kits ----------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Kit:
    name: str
    collection: str  # relative to ctk_dir()
    environment: str
    variables: tuple[tuple[str, str], ...]  # (variable, value with {base} for the proxy's base URL)

    def env_vars(self, base: str) -> list[tuple[str, str]]:
        return [(k, v.format(base=base)) for k, v in self.variables]


KITS = {
    # {{Product_Ordering}}productOrder: the API root with its trailing slash
    "TMF622": Kit("TMF622", "TMF622/TMF622-ProductOrdering-v4.0.0.testkit.json",
                  "TMF622/TMFENV-V4.0.0.postman_environment.json",
                  (("Product_Ordering", "{base}/tmf-api/productOrderingManagement/v4/"),)),
    # {{ServiceOrderingAPI}}/serviceOrder (no trailing slash); E1-E3 use {{Service_Ordering}} as the host and
    # hard-code /tmf-api/serviceOrdering/v3/serviceOrder
    "TMF641": Kit("TMF641", "TMF641/CTK-TMF641-ServiceOrdering-R18-5.postman_collection.json",
                  "TMF641/CTK-TMFENV-V3.0.0.postman_environment.json",
                  (("ServiceOrderingAPI", "{base}/tmf-api/serviceOrdering/v3"), ("Service_Ordering", "{base}"))),
}


@dataclass
class KitResult:
    kit: str
    returncode: int
    report: dict
    output: str

    @property
    def stats(self) -> dict:
        return self.report.get("run", {}).get("stats", {})

    @property
    def failures(self) -> list[tuple[str, str, str]]:
        """(request name, test name, error name) of every failure: failed assertions, and scripts that threw."""
        out = []
        for f in self.report.get("run", {}).get("failures", []):
            error = f.get("error") or {}
            source = f.get("source") or {}
            out.append((source.get("name", ""), error.get("test") or error.get("message", ""), error.get("name", "")))
        return out

    def summary(self) -> str:
        rows = [f"{self.kit}: newman exit {self.returncode}"]
        for what in ("requests", "testScripts", "prerequestScripts", "assertions"):
            s = self.stats.get(what, {})
            rows.append(f"  {what:18} total {s.get('total', 0):4}  failed {s.get('failed', 0):3}")
        rows += [f"  FAILED {r} :: {t} ({e})" for r, t, e in self.failures]
        return "\n".join(rows)


def run_kit(kit: Kit, base: str, report_path: Path, *, timeout: int = 300) -> KitResult:
    """Run one kit with newman against ``base`` (the proxy's URL); newman's JSON report is written to
    ``report_path`` and returned parsed."""
    command = newman_command()
    if command is None:
        raise RuntimeError("newman is not installed: run `npm ci` in the repository")
    root = ctk_dir()
    args = [*command, "run", str(root / kit.collection), "--environment", str(root / kit.environment)]
    for key, value in kit.env_vars(base):
        args += ["--env-var", f"{key}={value}"]
    args += ["--reporters", "cli,json", "--reporter-json-export", str(report_path), "--disable-unicode",
             "--color", "off", "--timeout-request", "30000"]
    proc = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    report = json.loads(report_path.read_text()) if report_path.exists() else {}
    return KitResult(kit.name, proc.returncode, report, proc.stdout + proc.stderr)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("kits", nargs="*", default=sorted(KITS), help=f"kits to run (default: all of {sorted(KITS)})")
    parser.add_argument("--server", default="http://127.0.0.1:8000", help="the BSS server's base URL")
    parser.add_argument("--token", default=os.environ.get("BSS_CTK_TOKEN"),
                        help="an integrator's API token (default: $BSS_CTK_TOKEN)")
    parser.add_argument("--report-dir", type=Path, default=ROOT / "var" / "ctk")
    args = parser.parse_args(argv)
    if not args.token:
        parser.error("give an integrator's token (--token or BSS_CTK_TOKEN)")
    if set(args.kits) - set(KITS):
        parser.error(f"unknown kit: {', '.join(sorted(set(args.kits) - set(KITS)))}")
    args.report_dir.mkdir(parents=True, exist_ok=True)
    failed = 0
    with TokenProxy(args.server, args.token) as proxy:
        for name in args.kits:
            result = run_kit(KITS[name], proxy.url, args.report_dir / f"{name}.json")
            print(result.output if result.returncode else "", end="")
            print(result.summary())
            failed += len(result.failures) or result.returncode != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
