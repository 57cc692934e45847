"""The local web page of ``autoclass label``: a standard-library HTTP server on 127.0.0.1.

It serves the page (plain HTML, CSS and JavaScript shipped in
``autoclass/labeling/static``) and a small JSON API over a
:class:`~autoclass.labeling.session.LabelSession`:

=============== ===== ==============================================================
``/``           GET   the labeling page
``/static/...`` GET   its script and style sheet
``/api/state``  GET   the current page, the event types and their keys, the counts
``/api/accept`` POST  ``{"article_id", "labels": [{"relevant", "event", "body"}]}``
``/api/skip``   POST  ``{"article_id"}``
=============== ===== ==============================================================

The server listens on the loopback interface only.  Requests must name it
in their ``Host`` header (no DNS rebinding), and API calls must carry the
session's random token, which only the URL printed at start holds (no other
web page can post labels).  Every response forbids loading anything from
elsewhere (``Content-Security-Policy``).
"""

from __future__ import annotations

import json
import secrets
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from typing import Any

from autoclass.labeling.session import LabelSession

HOST = "127.0.0.1"
TOKEN_HEADER = "X-Autoclass-Token"
MAX_BODY = 1 << 20
STATIC = {
    "/": ("index.html", "text/html; charset=utf-8"),
    "/static/label.js": ("label.js", "text/javascript; charset=utf-8"),
    "/static/label.css": ("label.css", "text/css; charset=utf-8"),
}
HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
        "img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


def static_file(name: str) -> bytes:
    """A file of the labeling page, from the installed package."""
    return (resources.files("autoclass.labeling") / "static" / name).read_bytes()


class LabelServer(ThreadingHTTPServer):
    """An HTTP server for one labeling session, on 127.0.0.1.

    Parameters
    ----------
    session : LabelSession
        What the page labels.
    port : int
        Port to listen on; 0 picks a free one.
    """

    daemon_threads = True

    def __init__(self, session: LabelSession, *, port: int = 0) -> None:
        super().__init__((HOST, port), _Handler)
        self.session = session
        self.token = secrets.token_urlsafe(18)
        self.port = self.server_address[1]
        self.hosts = {f"{HOST}:{self.port}", f"localhost:{self.port}"}

    @property
    def url(self) -> str:
        """The page's address, with the session's token (after ``#``, so it is never sent or logged)."""
        return f"http://{HOST}:{self.port}/#token={self.token}"


class _Handler(BaseHTTPRequestHandler):
    server: LabelServer
    server_version = "autoclass-label"
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        pass  # the command reports what matters; no request log on the terminal

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in HEADERS.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def _json(self, status: int, value: Any) -> None:
        self._send(status, json.dumps(value, ensure_ascii=False).encode("utf-8"), "application/json")

    def _allowed(self, *, api: bool) -> bool:
        if self.headers.get("Host") not in self.server.hosts:
            self._json(HTTPStatus.FORBIDDEN, {"error": "unknown Host"})
            return False
        token = self.headers.get(TOKEN_HEADER, "")
        if api and not secrets.compare_digest(token.encode(), self.server.token.encode()):
            self._json(
                HTTPStatus.FORBIDDEN, {"error": "missing or wrong token: open the URL autoclass printed"}
            )
            return False
        return True

    def do_GET(self) -> None:  # noqa: N802 - the base class's name
        path = self.path.split("?", 1)[0]
        if path == "/api/state":
            if self._allowed(api=True):
                self._json(HTTPStatus.OK, self.server.session.state())
        elif path in STATIC:
            if self._allowed(api=False):
                name, content_type = STATIC[path]
                self._send(HTTPStatus.OK, static_file(name), content_type)
        else:
            self._json(HTTPStatus.NOT_FOUND, {"error": f"no such page: {path}"})

    def do_POST(self) -> None:  # noqa: N802 - the base class's name
        path = self.path.split("?", 1)[0]
        if path not in ("/api/accept", "/api/skip"):
            self._json(HTTPStatus.NOT_FOUND, {"error": f"no such page: {path}"})
            return
        if not self._allowed(api=True):
            return
        try:
            length = int(self.headers.get("Content-Length", ""))
        except ValueError:
            self._json(HTTPStatus.LENGTH_REQUIRED, {"error": "Content-Length required"})
            return
        if not 0 <= length <= MAX_BODY:
            self.close_connection = True
            self._json(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, {"error": f"more than {MAX_BODY:,} bytes"})
            return
        # A request that is not a JSON object is the client's fault (400); labels
        # the session refuses (a page done already, a line against the guide) are 409.
        try:
            body = json.loads(self.rfile.read(length))
        except ValueError as exc:  # UnicodeDecodeError too
            self._json(HTTPStatus.BAD_REQUEST, {"error": f"the request is not JSON: {exc}"})
            return
        if not isinstance(body, dict):
            self._json(HTTPStatus.BAD_REQUEST, {"error": f"send a JSON object, not {type(body).__name__}"})
            return
        try:
            session = self.server.session
            if path == "/api/accept":
                state = session.accept(body.get("article_id"), body.get("labels"))
            else:
                state = session.skip(body.get("article_id"))
        except ValueError as exc:  # LabelingError too
            self._json(HTTPStatus.CONFLICT, {"error": str(exc), "state": self.server.session.state()})
            return
        except OSError as exc:
            self._json(HTTPStatus.INTERNAL_SERVER_ERROR, {"error": f"cannot write the output: {exc}"})
            return
        self._json(HTTPStatus.OK, state)
