"""The CKAN client without CKAN: which failures are retried, which stop at once, and that the token
never leaves in a message or goes to another host. Real sockets: small local HTTP servers that
answer as scripted, and a port nothing listens on. These run even when the CKAN stack is down."""

from __future__ import annotations

import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from reportpub.ckan import CkanAuthError, CkanRejected, CkanUnavailable
from reportpub.ckan.client import Client

TOKEN = "tok-" + "s3cret" * 8


class _Server:
    """A local HTTP server answering with a scripted list of (status, body); records the requests."""

    def __init__(self, answers):
        self.answers, self.requests = list(answers), []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                outer.requests.append(self.headers.get("Authorization"))
                status, body = outer.answers.pop(0) if len(outer.answers) > 1 else outer.answers[0]
                data = body.replace("{auth}", self.headers.get("Authorization", "")).encode()
                self.send_response(status)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_port}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def client(self):
        return Client(self.url, TOKEN, retry_delays=(0.01, 0.01, 0.01))


@pytest.fixture
def server(request):
    srv = _Server(request.param)
    yield srv
    srv.httpd.shutdown()


OK = (200, '{"success": true, "result": "ok"}')


@pytest.mark.parametrize("server", [[(503, "busy"), (502, "<html>bad gateway</html>"), OK]], indirect=True)
def test_5xx_is_retried_until_it_works(server):
    c = server.client()
    assert c.retry(lambda: c.call("status_show"), "status") == "ok"
    assert server.requests == [TOKEN] * 3


@pytest.mark.parametrize("server", [[(500, "down")]], indirect=True)
def test_5xx_gives_up_after_four_tries(server):
    c = server.client()
    with pytest.raises(CkanUnavailable, match="HTTP 500.*4 tries") as failure:
        c.retry(lambda: c.call("status_show"), "status")
    assert len(server.requests) == 4 and failure.value.exit_code == 3


@pytest.mark.parametrize("server", [[(401, "who are you, {auth}?"), OK]], indirect=True)
def test_401_stops_at_once_and_never_shows_the_token(server):
    c = server.client()
    with pytest.raises(CkanAuthError, match="401") as failure:
        c.retry(lambda: c.call("package_create", name="x"), "create")
    assert len(server.requests) == 1 and failure.value.exit_code == 2
    assert TOKEN not in str(failure.value) and failure.value.__context__ is None


@pytest.mark.parametrize("server", [[(409, '{"success": false, "error": {"__type": "Validation Error", '
                                           '"name": ["That URL is already in use: {auth}"]}}')]], indirect=True)
def test_a_validation_error_is_permanent_and_scrubbed(server):
    c = server.client()
    with pytest.raises(CkanRejected, match="ValidationError.*already in use") as failure:
        c.retry(lambda: c.call("package_create", name="x"), "create")
    assert len(server.requests) == 1 and TOKEN not in str(failure.value) and "***" in str(failure.value)


def test_a_refused_connection_is_retried_then_reported():
    with socket.socket() as s:  # a port that nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    c = Client(f"http://127.0.0.1:{port}", TOKEN, retry_delays=(0.01, 0.01, 0.01))
    with pytest.raises(CkanUnavailable, match="cannot connect.*Connection refused.*4 tries") as failure:
        c.retry(lambda: c.call("status_show"), "status")
    assert TOKEN not in str(failure.value)


def test_downloads_send_the_token_to_ckan_only():
    seen = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            seen.append(self.headers.get("Authorization"))
            self.send_response(200)
            self.send_header("Content-Length", "3")
            self.end_headers()
            self.wfile.write(b"abc")

        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{httpd.server_port}"
    try:
        assert Client(url, TOKEN).download(f"{url}/a.csv")[1] == 3
        assert Client("http://127.0.0.1:1", TOKEN).download(f"{url}/a.csv")[1] == 3
    finally:
        httpd.shutdown()
    assert seen == [TOKEN, None]
