"""A real HTTP proxy on 127.0.0.1 in front of the real CKAN, which injects faults into chosen requests.

Every request is forwarded to CKAN unless a rule says otherwise; a rule matches a method and a path
(regular expression), lets `skip` matching requests through first, then applies its fault `times`
times (None: every time):
  ("status", 500)       answer 500 without forwarding: CKAN never saw the request
  ("lost", 500)         forward, then answer 500: CKAN did the work, the answer is lost
  ("silent", seconds)   read the request, never answer, close after `seconds`: a timeout
  ("cut", None)         read half of the request body, then reset the connection: cut mid-upload
Answers of the Action API (/api/...) have CKAN's address replaced by the proxy's, and JSON requests
the other way round, so that the client sees one site (as behind a real reverse proxy) and CKAN
never stores the proxy's address. Downloads pass through byte for byte.
"""

from __future__ import annotations

import http.client
import re
import socket
import struct
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

HOP_BY_HOP = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailers",
              "transfer-encoding", "upgrade", "content-length", "host"}


@dataclass
class Rule:
    method: str
    path: str  # regular expression, searched in the request path
    fault: tuple
    skip: int = 0
    times: int | None = None
    seen: int = 0
    applied: int = 0

    def take(self, method: str, path: str) -> tuple | None:
        if method != self.method or not re.search(self.path, path):
            return None
        self.seen += 1
        if self.seen <= self.skip or (self.times is not None and self.applied >= self.times):
            return None
        self.applied += 1
        return self.fault


@dataclass
class FaultProxy:
    target: str  # CKAN base URL
    rules: list[Rule] = field(default_factory=list)
    log: list[tuple[str, str, str]] = field(default_factory=list)

    def __post_init__(self):
        self._lock = threading.Lock()
        self._stop = threading.Event()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # quiet
                pass

            def _any(self):
                proxy._handle(self)

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = _any

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FaultProxy:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self.server.shutdown()
        self.server.server_close()

    def faults(self) -> list[tuple[str, str, str]]:
        return [entry for entry in self.log if entry[2] != "forwarded"]

    # --- one request ----------------------------------------------------------------------------

    def _handle(self, h: BaseHTTPRequestHandler) -> None:
        with self._lock:
            fault = next((f for rule in self.rules if (f := rule.take(h.command, h.path))), None)
            self.log.append((h.command, h.path, fault[0] if fault else "forwarded"))
        length = int(h.headers.get("Content-Length") or 0)
        if fault and fault[0] == "cut":
            h.rfile.read(length // 2)
            h.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            h.connection.close()  # RST: the client's upload dies half-way
            h.close_connection = True
            return
        body = h.rfile.read(length) if length else b""
        if fault and fault[0] == "silent":
            self._stop.wait(fault[1])
            h.close_connection = True
            return
        if fault and fault[0] == "status":
            self._answer(h, fault[1], b'{"success": false, "error": {"message": "injected fault"}}',
                         {"Content-Type": "application/json"})
            return
        status, headers, payload = self._forward(h, body)
        if fault and fault[0] == "lost":
            self._answer(h, fault[1], b'{"success": false, "error": {"message": "injected fault (work done)"}}',
                         {"Content-Type": "application/json"})
            return
        self._answer(h, status, payload, headers)

    def _forward(self, h: BaseHTTPRequestHandler, body: bytes) -> tuple[int, dict, bytes]:
        if body and "json" in (h.headers.get("Content-Type") or ""):
            body = body.replace(self.url.encode(), self.target.encode())
        target = urlsplit(self.target)
        conn = http.client.HTTPConnection(target.hostname, target.port, timeout=120)
        headers = {k: v for k, v in h.headers.items() if k.lower() not in HOP_BY_HOP}
        headers["Host"] = target.netloc
        headers["Content-Length"] = str(len(body))
        conn.request(h.command, h.path, body=body, headers=headers)
        response = conn.getresponse()
        payload = response.read()
        out = {k: v for k, v in response.getheaders() if k.lower() not in HOP_BY_HOP}
        conn.close()
        if h.path.startswith("/api/"):
            payload = payload.replace(self.target.encode(), self.url.encode())
        if "Location" in out:
            out["Location"] = out["Location"].replace(self.target, self.url)
        return response.status, out, payload

    @staticmethod
    def _answer(h: BaseHTTPRequestHandler, status: int, payload: bytes, headers: dict) -> None:
        try:
            h.send_response(status)
            for k, v in headers.items():
                h.send_header(k, v)
            h.send_header("Content-Length", str(len(payload)))
            h.send_header("Connection", "close")
            h.end_headers()
            if h.command != "HEAD":
                h.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass
        h.close_connection = True
