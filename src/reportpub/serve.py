"""Serve: a portal folder -> a local HTTP server, to look at the portal as a web host would show it.

Python's http.server sends `text/html` without a charset, which makes browsers guess and show
Chinese as mojibake; this handler names UTF-8 for every text type. `latest` is a symlink inside the
portal and is followed; a symlink that leads outside the portal folder is not.
"""

from __future__ import annotations

import os
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

TYPES = {
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".json": "application/json; charset=utf-8",
    ".jsonld": "application/ld+json; charset=utf-8",
    ".csv": "text/csv; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".sha256": "text/plain; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".svg": "image/svg+xml; charset=utf-8",
    ".parquet": "application/vnd.apache.parquet",
    ".zip": "application/zip",
}


class PortalHandler(SimpleHTTPRequestHandler):
    """Static files of one folder, UTF-8 declared, no symlink escaping the folder, quiet log."""

    extensions_map: ClassVar[dict[str, str]] = {**SimpleHTTPRequestHandler.extensions_map, **TYPES}

    def translate_path(self, path: str) -> str:
        local = super().translate_path(path)
        root = os.path.realpath(self.directory)
        real = os.path.realpath(local)
        if real != root and not real.startswith(root + os.sep):
            return os.path.join(root, ".forbidden-outside-portal")  # answers 404
        return local

    def end_headers(self) -> None:
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Cache-Control", "no-cache")
        super().end_headers()

    def log_message(self, format: str, *args) -> None:
        if os.environ.get("REPORTPUB_SERVE_LOG"):
            super().log_message(format, *args)


def make_server(portal: str | os.PathLike, port: int = 8000, host: str = "127.0.0.1") -> ThreadingHTTPServer:
    """(portal folder, port, host) -> a bound server, not yet serving; port 0 picks a free port."""
    root = Path(portal)
    if not root.is_dir():
        raise FileNotFoundError(f"{root}: no such portal folder (publish a package first)")
    handler = partial(PortalHandler, directory=str(root))
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    return server


def serve(portal: str | os.PathLike, port: int = 8000, host: str = "127.0.0.1") -> None:
    """Serve the portal folder on http://host:port/ until interrupted (Ctrl-C)."""
    server = make_server(portal, port, host)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
