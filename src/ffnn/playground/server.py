"""The playground's HTTP server: the standard library's ``ThreadingHTTPServer`` and JSON.

Safe by default: it listens on a loopback address only; every request must carry the session's
random token (``?token=`` or the ``X-FFNN-Token`` header, else 403) and a ``Host`` header naming
this server (``127.0.0.1:PORT`` or ``localhost:PORT``, else 403: DNS rebinding); request bodies
are limited (an upload to :data:`~ffnn.playground.upload.MAX_UPLOAD_BYTES`, others to
:data:`MAX_BODY_BYTES`: 413); every answer says ``Cache-Control: no-store``,
``X-Content-Type-Options: nosniff`` and a Content-Security-Policy of ``default-src 'self'``.
Static files come only from the package's ``static/`` folder. Errors are JSON
``{"error": message, "code": code}``, never a traceback; nothing sent is evaluated as code.
"""

from __future__ import annotations

import ipaddress
import json
import secrets
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from ffnn.csvdata import DataError
from ffnn.playground.config import ConfigError
from ffnn.playground.session import Session
from ffnn.playground.upload import MAX_UPLOAD_BYTES

__all__ = ["MAX_BODY_BYTES", "STATIC", "PlaygroundServer", "check_host"]

MAX_BODY_BYTES = 64 * 1024
#: a body too large but at most this large is read before the 413 is sent
DRAIN_BYTES = 64 * 1024 * 1024
STATIC = Path(__file__).resolve().parent / "static"
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".json": "application/json",
    ".txt": "text/plain; charset=utf-8",
    ".woff2": "font/woff2",
}
SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'self'",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}


def check_host(host: str) -> str:
    """``host`` if it is a loopback address (or ``localhost``); else ``ValueError``."""
    if host == "localhost":
        return "127.0.0.1"
    try:
        if ipaddress.ip_address(host).is_loopback:
            return host
    except ValueError:
        pass
    raise ValueError(
        f"the playground listens on a loopback address only (127.0.0.1, ::1), got {host!r}"
    )


def _refuse_constant(name: str) -> None:
    """JSON has no NaN or Infinity (Python's reader would take them)."""
    raise ValueError(f"{name} is not JSON")


class HttpError(Exception):
    def __init__(self, status: int, message: str, code: str) -> None:
        super().__init__(message)
        self.status, self.code = status, code


class PlaygroundServer(ThreadingHTTPServer):
    """The server of one :class:`Session`; ``url`` is the address with its token."""

    daemon_threads = True

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        host = check_host(host)
        if ":" in host:
            self.address_family = socket.AF_INET6
        super().__init__((host, port), Handler)
        self.token = secrets.token_urlsafe(32)
        self.session = Session()
        self.port = int(self.server_address[1])
        shown = f"[{host}]" if ":" in host else host
        self.hosts = {f"{shown}:{self.port}", f"localhost:{self.port}"}
        self.url = f"http://{shown}:{self.port}/?token={self.token}"
        self._thread: threading.Thread | None = None

    def start(self) -> PlaygroundServer:
        """Serve in a background thread (tests, notebooks); :meth:`shutdown` ends it."""
        # a short poll: shutdown() returns within 50 ms
        self._thread = threading.Thread(target=self.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()
        return self

    def shutdown(self) -> None:
        """Stop serving, end the training thread and close the socket."""
        if self._thread is not None:
            super().shutdown()
            self._thread.join()
            self._thread = None
        self.session.close()
        self.server_close()


class Handler(BaseHTTPRequestHandler):
    server: PlaygroundServer
    protocol_version = "HTTP/1.1"
    timeout = 120  # seconds: an idle kept-alive connection is closed, its thread ends
    # keep-alive answers go out in two writes (headers, body): without TCP_NODELAY, Nagle and
    # the delayed ACK hold each body back ~40 ms (the page then draws ~15 frames a second)
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        """Quiet: the terminal shows the address, not every request."""

    # -- answers ------------------------------------------------------------------------
    def _send(self, status: int, body: bytes, content_type: str, extra: dict[str, str]) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in {**SECURITY_HEADERS, **extra}.items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _json(self, status: int, value: Any) -> None:
        body = json.dumps(value, allow_nan=False, separators=(",", ":")).encode()
        self._send(status, body, "application/json", {})

    def _error(self, status: int, message: str, code: str) -> None:
        self._json(status, {"error": message, "code": code})

    # -- checks -------------------------------------------------------------------------
    def _check(self) -> dict[str, list[str]]:
        """The query of an allowed request; :class:`HttpError` 403 for a wrong host/token."""
        if self.headers.get("Host", "") not in self.server.hosts:
            raise HttpError(
                403, "wrong Host header (the playground answers its own address)", "bad_host"
            )
        query = parse_qs(urlsplit(self.path).query)
        token = self.headers.get("X-FFNN-Token") or (query.get("token") or [""])[0]
        if not secrets.compare_digest(token.encode(), self.server.token.encode()):
            raise HttpError(
                403, "missing or wrong token: open the address the command printed", "bad_token"
            )
        return query

    def _body(self, limit: int) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            raise HttpError(411, "send the body with a Content-Length", "no_length")
        try:
            length = int(self.headers.get("Content-Length", "0"))
        except ValueError:
            raise HttpError(400, "Content-Length is not a number", "bad_length") from None
        if length < 0:
            raise HttpError(400, "Content-Length is negative", "bad_length")
        if length > limit:
            # read (and drop) a body of a few times the limit, so that the client, still
            # sending, gets the answer rather than a broken connection
            self.close_connection = True
            left = length if length <= DRAIN_BYTES else 0
            while left > 0:
                left -= len(self.rfile.read(min(left, 1 << 16))) or left
            raise HttpError(413, f"the request body is larger than {limit} bytes", "too_large")
        return self.rfile.read(length)

    def _json_body(self) -> dict[str, Any]:
        raw = self._body(MAX_BODY_BYTES)
        try:
            value = json.loads(raw or b"{}", parse_constant=_refuse_constant)
        except (ValueError, UnicodeDecodeError):
            raise HttpError(400, "the request body is not JSON", "bad_json") from None
        if not isinstance(value, dict):
            raise HttpError(400, "the request body must be a JSON object", "bad_json")
        return value

    # -- routes -------------------------------------------------------------------------
    def _handle(self, method: str) -> None:
        try:
            query = self._check()
            path = urlsplit(self.path).path
            if path.startswith("/api/"):
                self._api(method, path, query)
            elif method == "GET":
                self._static(path)
            else:
                raise HttpError(405, f"{method} {path} is not allowed", "bad_method")
        except HttpError as error:
            self._error(error.status, str(error), error.code)
        except ConfigError as error:
            self._error(400, str(error), error.code)
        except DataError as error:
            self._error(400, str(error), "bad_data")
        except Exception as error:  # noqa: BLE001 - a bug: a message, never a traceback
            self._error(500, f"internal error: {type(error).__name__}: {error}", "internal")

    def do_GET(self) -> None:  # noqa: N802
        self._handle("GET")

    def do_HEAD(self) -> None:  # noqa: N802
        self._handle("GET")

    def do_POST(self) -> None:  # noqa: N802
        self._handle("POST")

    def do_PUT(self) -> None:  # noqa: N802
        self._handle("PUT")

    def do_DELETE(self) -> None:  # noqa: N802
        self._handle("DELETE")

    def _static(self, path: str) -> None:
        name = "index.html" if path in ("/", "/index.html") else path.removeprefix("/static/")
        if name == path or not name:
            raise HttpError(404, f"no page {path}", "not_found")
        root = STATIC.resolve()
        file = (root / name).resolve()
        if ".." in name.split("/") or "\\" in name or not file.is_relative_to(root):
            raise HttpError(404, f"no file {path}", "not_found")
        if not file.is_file() or file.suffix not in CONTENT_TYPES:
            raise HttpError(404, f"no file {path}", "not_found")
        body = file.read_bytes()
        if name == "index.html":  # the page's own script and style URLs carry the token
            body = body.replace(b"__FFNN_TOKEN__", self.server.token.encode())
        self._send(200, body, CONTENT_TYPES[file.suffix], {})

    def _api(self, method: str, path: str, query: dict[str, list[str]]) -> None:
        session = self.server.session
        if method == "GET" and path == "/api/frame":
            with session.stepping_aside():
                self._json(200, session.frame())
            return
        gets = {"/api/state": session.state, "/api/frame": session.frame}
        posts = {
            "/api/config": lambda body: session.set_config(body),
            "/api/preset": lambda body: session.preset(body.get("name")),
            "/api/run": lambda body: session.run(body.get("action")),
            "/api/explain": lambda body: session.explain(),
        }
        if method == "GET" and path in gets:
            self._json(200, gets[path]())
        elif method == "POST" and path in posts:
            self._json(200, posts[path](self._json_body()))
        elif method == "POST" and path == "/api/upload":
            data = self._body(MAX_UPLOAD_BYTES)
            name = self.headers.get("X-FFNN-Filename") or (query.get("name") or ["upload.csv"])[0]
            self._json(200, session.upload(data, name))
        elif method == "GET" and path == "/api/export/script":
            body = session.export_script().encode()
            disposition = {"Content-Disposition": 'attachment; filename="playground_run.py"'}
            self._send(200, body, "text/x-python; charset=utf-8", disposition)
        elif method == "GET" and path == "/api/export/model":
            disposition = {"Content-Disposition": 'attachment; filename="playground.ffnn"'}
            self._send(200, session.export_model(), "application/octet-stream", disposition)
        elif (
            path in gets
            or path in posts
            or path.startswith("/api/export/")
            or path == "/api/upload"
        ):
            raise HttpError(405, f"{method} {path} is not allowed", "bad_method")
        else:
            raise HttpError(404, f"no API {path}", "not_found")
