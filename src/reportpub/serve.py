"""Serve: a portal folder -> a local HTTP server, to look at the portal as a web host would show it.

Python's http.server sends `text/html` without a charset, which makes browsers guess and show
Chinese as mojibake; this handler names UTF-8 for every text type. `latest` is a symlink inside the
portal and is followed; a symlink that leads outside the portal folder is not.

The portal is served at the path of its public address (`/open-data/` for
https://data.example.org/open-data/), and its pages and catalogues are rendered, in memory, for
the address it is served at (its own, http://127.0.0.1:PORT/, unless one is given): every absolute
URL in them then answers here, and the folder on disk is never changed. It is a local
preview: a path that cannot name a file (a NUL byte in it) is answered 404, and a browser that
closes the connection early is not an error.
"""

from __future__ import annotations

import io
import os
import sys
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar
from urllib.parse import unquote, urlsplit

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
    ".xml": "application/xml; charset=utf-8",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class PortalHandler(SimpleHTTPRequestHandler):
    """Static files of one folder, UTF-8 declared, no symlink escaping the folder, quiet log."""

    extensions_map: ClassVar[dict[str, str]] = {**SimpleHTTPRequestHandler.extensions_map, **TYPES}

    def translate_path(self, path: str) -> str:
        prefix = getattr(self.server, "site_prefix", "/")
        if not path.startswith(prefix) and path != prefix.rstrip("/"):
            return os.path.join(self.directory, ".forbidden-outside-portal")  # answers 404
        local = super().translate_path("/" + path[len(prefix):])
        root = os.path.realpath(self.directory)
        if "\x00" in local:  # %00: no file has that name (realpath would raise)
            return os.path.join(root, ".forbidden-outside-portal")
        real = os.path.realpath(local)
        if real != root and not real.startswith(root + os.sep):
            return os.path.join(root, ".forbidden-outside-portal")  # answers 404
        return local

    def send_head(self):
        """A page rendered for this server's address, from memory; any other file from disk."""
        files = getattr(self.server, "site_files", {})
        prefix = getattr(self.server, "site_prefix", "/")
        path = unquote(urlsplit(self.path).path)
        rel = path[len(prefix):] if path.startswith(prefix) else None
        if rel is not None and (rel == "" or rel.endswith("/")):
            rel += "index.html"
        if rel not in files:
            return super().send_head()
        body = files[rel]
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(rel))
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)

    def end_headers(self) -> None:
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Cache-Control", "no-cache")
        super().end_headers()

    def log_message(self, format: str, *args) -> None:
        if os.environ.get("REPORTPUB_SERVE_LOG"):
            super().log_message(format, *args)


class PortalServer(ThreadingHTTPServer):
    """The threading server, quiet about clients that went away (BrokenPipe, reset)."""

    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


def make_server(portal: str | os.PathLike, port: int = 8000, host: str = "127.0.0.1",
                base_url: str | None = None) -> ThreadingHTTPServer:
    """(portal folder, port, host, public address) -> a bound server, not yet serving; port 0 picks a
    free port. Without `base_url` the portal is shown at the server's own address; `server.url` is it."""
    root = Path(portal)
    if not root.is_dir():
        raise FileNotFoundError(f"{root}: no such portal folder (publish a package first)")
    handler = partial(PortalHandler, directory=str(root))
    server = PortalServer((host, port), handler)
    server.url = base_url or f"http://{host}:{server.server_address[1]}/"
    server.site_prefix = urlsplit(server.url).path or "/"
    server.site_files = _rendered_for(root, server.url)
    return server


def _rendered_for(portal: Path, base_url: str) -> dict[str, bytes]:
    """Portal folder -> its pages and catalogues as they read at `base_url` (nothing is written)."""
    from .portal import site_files

    if not (portal / "datasets").is_dir():
        return {}
    return {path: text.encode("utf-8") for path, text in site_files(portal, base_url=base_url).items()}


def serve(portal: str | os.PathLike, port: int = 8000, host: str = "127.0.0.1", base_url: str | None = None) -> None:
    """Serve the portal folder on http://host:port/ until interrupted (Ctrl-C)."""
    serve_forever(make_server(portal, port, host, base_url))


def serve_forever(server: ThreadingHTTPServer) -> None:
    """Serve a bound server until interrupted (Ctrl-C), then close it."""
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
