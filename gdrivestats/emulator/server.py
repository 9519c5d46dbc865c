"""HTTP plumbing of the emulator: the threaded server, dispatch, auth, faults, latency, log, TLS."""

from __future__ import annotations

import contextlib
import importlib
import json
import logging
import socket
import ssl
import struct
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import ModuleType, TracebackType
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from gdrivestats.emulator.batch import handle_batch
from gdrivestats.emulator.drive_api import DriveApi, classify
from gdrivestats.emulator.faults import Fault, FaultInjector
from gdrivestats.emulator.messages import Request, Response, error_response, fault_error, json_response
from gdrivestats.emulator.query import QueryError, parent_ids, parse_query
from gdrivestats.emulator.requestlog import LogEntry, RequestLog
from gdrivestats.emulator.store import DriveStateError, Store
from gdrivestats.emulator.uploads import keep_whole_blocks, parse_content_range

logger = logging.getLogger(__name__)

# Paths the Drive routes own; every other path is offered to the OAuth hook first (it answers /o/oauth2/...,
# /token, /revoke, userinfo, tokeninfo and returns None for the rest).
_DRIVE_PREFIXES = ("/drive/", "/upload/", "/resumable/", "/batch")


def load_oauth_module() -> ModuleType | None:
    """``gdrivestats.emulator.oauth`` if it exists (written separately), else None."""
    name = "gdrivestats.emulator.oauth"
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name == name:
            return None
        raise


class EmulatorApp:
    """Everything a request handler needs, shared by all handler threads."""

    def __init__(self, store: Store, faults: FaultInjector, log: RequestLog, latency_ms: int) -> None:
        self.store = store
        self.faults = faults
        self.log = log
        self.latency_ms = latency_ms
        self.api = DriveApi(store)
        self.oauth = load_oauth_module()

    def run_batch_part(self, request: Request) -> Response:
        """One inner request of a batch: auth, status faults, dispatch, log."""
        kind, kinds = classify(request.method, request.path, request.query)
        fault = None
        try:
            auth_error = self.api.authorize(request)
            if auth_error is not None:
                raise auth_error
            fault = self.faults.pick(kinds, streaming=False, multi_parent=multi_parent(kind, request.query))
            if fault is not None and fault.action == "delay":
                time.sleep(fault.delay_ms / 1000)
            if fault is not None and fault.status is not None:
                raise fault_error(fault.status, fault.reason)
            self.api.check_scope_and_rate(request, kind)
            request.empty_result = fault is not None and fault.action == "empty"
            request.partial_result = fault is not None and fault.action == "partial"
            response = self.api.dispatch(request)
        except DriveStateError as exc:
            response = error_response(exc)
        self.log.add(
            LogEntry(
                time.time(),
                request.method,
                request.path,
                kind,
                response.status,
                len(request.body),
                len(response.body),
                fault.action if fault else None,
                batch=True,
            )
        )
        return response


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128  # rclone and thread pools open many connections at once

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Connection-level failures (resets, failed TLS handshakes) are routine here: log, do not print."""
        logger.debug("connection from %s failed", client_address, exc_info=True)

    def __init__(self, address: tuple[str, int], app: EmulatorApp, context: ssl.SSLContext | None) -> None:
        super().__init__(address, _Handler)
        self.app = app
        self.context = context
        self.connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()
        self.accepted = 0  # connections accepted since the start

    def get_request(self) -> tuple[socket.socket, Any]:
        sock, addr = super().get_request()
        # Headers and body go out in separate writes; without this, Nagle's algorithm and the client's
        # delayed ACK add ~40 ms to every response.
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if self.context is not None:
            sock = self.context.wrap_socket(sock, server_side=True, do_handshake_on_connect=False)
        with self.connections_lock:
            self.connections.add(sock)
            self.accepted += 1
        return sock, addr

    def shutdown_request(self, request: Any) -> None:
        with self.connections_lock:
            self.connections.discard(request)
        super().shutdown_request(request)

    def close_all_connections(self) -> None:
        with self.connections_lock:
            for sock in list(self.connections):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
            self.connections.clear()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "ESF"
    sys_version = ""
    timeout = 120
    server: _Server

    def setup(self) -> None:
        super().setup()
        if isinstance(self.connection, ssl.SSLSocket):
            self.connection.do_handshake()

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("%s - %s", self.address_string(), format % args)

    def do_GET(self) -> None:
        self._handle()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_GET

    # ----- body I/O -------------------------------------------------------------------------------
    def _read_body(self, limit: int | None = None) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks: list[bytes] = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        if limit is not None:
            length = min(length, limit)
        return self.rfile.read(length) if length else b""

    def _reset(self) -> None:
        """Close the connection with a TCP reset, as a dropped connection looks to the client."""
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.wfile.flush()
        with contextlib.suppress(OSError):
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        with contextlib.suppress(OSError):
            self.connection.close()

    def _send(self, response: Response, drop: bool = False, drip_ms: int = 0) -> int:
        headers = dict(response.headers)
        body = response.body
        headers.setdefault("Content-Length", str(len(body)))
        if response.status == 204:
            headers.pop("Content-Type", None)
        self.send_response(response.status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        if drop:
            self.wfile.write(body[: len(body) // 2])
            self._reset()
            return len(body) // 2
        if drip_ms and body:
            for index in range(len(body)):
                self.wfile.write(body[index : index + 1])
                self.wfile.flush()
                time.sleep(drip_ms / 1000)
            return len(body)
        if body:
            self.wfile.write(body)
        return len(body)

    # ----- dispatch ----------------------------------------------------------------------------------
    def _handle(self) -> None:
        app = self.server.app
        url = urlsplit(self.path)
        path = url.path
        query = dict(parse_qsl(url.query, keep_blank_values=True))
        headers = {k.lower(): v for k, v in self.headers.items()}
        scheme = "https" if self.server.context is not None else "http"
        host = headers.get("host") or f"127.0.0.1:{self.server.server_address[1]}"
        base_url = f"{scheme}://{host}/"
        method = self.command
        if path.startswith("/_emulator/"):
            self._send(self._control(method, path, self._read_body()))
            return
        if app.oauth is not None and not path.startswith(_DRIVE_PREFIXES):
            oauth_body = self._read_body()
            try:
                answer = app.oauth.handle(app.store, method, path, query, self.headers, oauth_body)
            except Exception:
                logger.exception("the OAuth hook failed on %s %s", method, path)
                payload = {"error": "server_error", "error_description": "the OAuth hook raised"}
                answer = (500, {"Content-Type": "application/json"}, json.dumps(payload).encode())
            if answer is not None:
                status, out_headers, out_body = answer
                app.log.add(
                    LogEntry(time.time(), method, path, "oauth", status, len(oauth_body), len(out_body))
                )
                self._send(Response(status, dict(out_headers), out_body))
                return
            self._finish(Request(method, path, query, headers, oauth_body, base_url), "other", None, None)
            return
        body: bytes | None = None
        override = headers.get("x-http-method-override")
        if method == "POST" and override:
            body = self._read_body()
            method = override.upper()
            if headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
                query.update(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
        kind, kinds = classify(method, path, query)
        request = Request(method, path, query, headers, b"", base_url, override=override if body else None)
        auth_error = app.api.authorize(request)
        fault = None
        if auth_error is None:
            fault = app.faults.pick(
                kinds,
                final_chunk=kind == "upload-chunk" and _is_final_chunk(headers),
                multi_parent=multi_parent(kind, query),
            )
        delay = app.latency_ms + (fault.delay_ms if fault is not None and fault.action == "delay" else 0)
        if delay:
            time.sleep(delay / 1000)
        if fault is not None and fault.action == "drop" and kind == "upload-chunk" and body is None:
            self._drop_upload(request)
            return
        request.body = self._read_body() if body is None else body
        self._finish(request, kind, fault, auth_error)

    def _finish(
        self, request: Request, kind: str, fault: Fault | None, auth_error: DriveStateError | None
    ) -> None:
        app = self.server.app
        try:
            if auth_error is not None:
                raise auth_error
            if fault is not None and fault.status is not None:
                raise fault_error(fault.status, fault.reason)
            if kind not in {"batch", "other"}:
                app.api.check_scope_and_rate(request, kind)
            request.empty_result = fault is not None and fault.action == "empty"
            request.partial_result = fault is not None and fault.action == "partial"
            if fault is not None and fault.action == "expire-session":
                with app.store.lock:
                    app.store.uploads.pop(request.query.get("upload_id", ""), None)
            if kind == "batch":
                response = handle_batch(request, app.run_batch_part, f"batch_{uuid.uuid4().hex}")
            else:
                lose = fault is not None and fault.action == "lose-last-chunk"
                response = app.api.dispatch(request, lose_last_chunk=lose)
        except DriveStateError as exc:
            extra = {}
            if exc.code == 401:
                extra["WWW-Authenticate"] = (
                    'Bearer realm="https://accounts.google.com/", error="invalid_token"'
                )
            if exc.code in (429, 503) and fault is not None:
                extra["Retry-After"] = str(fault.retry_after)
            response = error_response(exc, extra)
        except Exception:
            logger.exception("emulator failed on %s %s", request.method, request.path)
            response = json_response({"error": {"code": 500, "message": "Internal Error", "errors": []}}, 500)
        drop = fault is not None and fault.action == "drop"
        # Log before answering, so a client that reads the log right after its call sees this entry.
        app.log.add(
            LogEntry(
                time.time(),
                "POST" if request.override else request.method,
                request.path,
                kind,
                response.status,
                len(request.body),
                len(response.body) // 2 if drop else len(response.body),
                fault.action if fault else None,
                override=request.override,
            )
        )
        drip = fault.delay_ms if fault is not None and fault.action == "drip" else 0
        if fault is not None and fault.action == "no-reply":
            self.close_connection = True  # the work is done; the connection closes with no answer
            return
        try:
            self._send(response, drop=drop, drip_ms=drip)
        except OSError:
            self.close_connection = True

    def _drop_upload(self, request: Request) -> None:
        """Read half of an upload chunk, keep its whole 256 KiB blocks, then reset the connection."""
        app = self.server.app
        length = int(self.headers.get("Content-Length") or 0)
        partial = self._read_body(limit=length // 2)
        try:
            content_range = parse_content_range(request.header("content-range"))
            with app.store.lock:
                session = app.store.uploads.get(request.query.get("upload_id", ""))
                if session is not None and session.result is None:
                    keep_whole_blocks(session, content_range, partial)
        except DriveStateError:
            pass
        app.log.add(
            LogEntry(time.time(), request.method, request.path, "upload-chunk", 0, len(partial), 0, "drop")
        )
        self._reset()

    def _control(self, method: str, path: str, body: bytes) -> Response:
        app = self.server.app
        if path == "/_emulator/log" and method == "GET":
            return json_response(app.log.to_json())
        if path == "/_emulator/log/clear" and method == "POST":
            app.log.clear()
            return Response(204)
        if path == "/_emulator/faults" and method == "POST":
            try:
                app.faults.set_spec(body.decode("utf-8").strip() or None)
            except ValueError as exc:
                return json_response({"error": {"code": 400, "message": str(exc)}}, 400)
            return Response(204)
        if path == "/_emulator/faults" and method == "GET":
            return json_response({"spec": app.faults.spec})
        if path == "/_emulator/health":
            return json_response({"ok": True})
        return json_response({"error": {"code": 404, "message": f"Unknown control path {path}"}}, 404)


def multi_parent(kind: str, query: dict[str, str]) -> bool:
    """Whether a request is a files.list whose ``q`` names two or more parents."""
    if kind != "list" or "parents" not in query.get("q", ""):
        return False
    try:
        return len(parent_ids(parse_query(query["q"]))) >= 2
    except QueryError:
        return False


def _is_final_chunk(headers: dict[str, str]) -> bool:
    value = headers.get("content-range")
    if value is None:
        return True
    try:
        parsed = parse_content_range(value)
    except DriveStateError:
        return False
    return (
        parsed is not None
        and parsed.last is not None
        and parsed.total is not None
        and parsed.last + 1 >= parsed.total
    )


class Emulator:
    """A running emulator: ``url``, ``state``, ``log``, ``set_faults``, ``stop``; a context manager."""

    def __init__(self, server: _Server, thread: threading.Thread) -> None:
        self._server = server
        self._thread = thread
        self.state: Store = server.app.store
        self.log: RequestLog = server.app.log
        scheme = "https" if server.context is not None else "http"
        self.port: int = server.server_address[1]
        self.url = f"{scheme}://127.0.0.1:{self.port}/"

    @property
    def latency_ms(self) -> int:
        return self._server.app.latency_ms

    @latency_ms.setter
    def latency_ms(self, value: int) -> None:
        self._server.app.latency_ms = value

    @property
    def connections_accepted(self) -> int:
        """How many TCP connections clients have opened to this emulator so far."""
        return self._server.accepted

    def set_faults(self, spec: str | None) -> None:
        """Replace the fault rules (see ``gdrivestats.emulator.faults``); None disables faults."""
        self._server.app.faults.set_spec(spec)

    def service(self, token: str = "test-token", **kwargs: Any) -> Any:
        """A Drive v3 service object for this emulator (see ``client.build_service``)."""
        from gdrivestats.emulator.client import build_service

        return build_service(self.url, token, **kwargs)

    def stop(self) -> None:
        self._server.shutdown()
        self._server.close_all_connections()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> Emulator:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def make_server(
    seed: Path | None = None,
    latency_ms: int = 0,
    faults: str | None = None,
    port: int = 0,
    certfile: str | Path | None = None,
    keyfile: str | Path | None = None,
    host: str = "127.0.0.1",
    write_rate: float | None = None,
    listing_lag: float = 0.0,
) -> _Server:
    """Build (but do not start) the HTTP server around a fresh store (see ``start_emulator``)."""
    store = Store()
    store.write_rate = write_rate
    store.listing_lag = listing_lag
    if seed is not None:
        from gdrivestats.emulator.seed import load_tree

        load_tree(store, Path(seed))
    app = EmulatorApp(store, FaultInjector(faults), RequestLog(), latency_ms)
    context = None
    if certfile is not None:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(str(certfile), str(keyfile) if keyfile is not None else None)
    return _Server((host, port), app, context)


def start_emulator(
    seed: Path | None = None,
    latency_ms: int = 0,
    faults: str | None = None,
    port: int = 0,
    certfile: str | Path | None = None,
    keyfile: str | Path | None = None,
    *,
    write_rate: float | None = None,
    listing_lag: float = 0.0,
) -> Emulator:
    """Start a Drive v3 emulator on 127.0.0.1 in a daemon thread (port 0 picks a free port).

    ``latency_ms`` delays every answer; ``faults`` is a fault SPEC (``gdrivestats.emulator.faults``);
    ``certfile``/``keyfile`` serve HTTPS. ``write_rate`` models Drive's per-user write limit (writes a
    second; beyond it 403 userRateLimitExceeded; None: off); ``listing_lag`` keeps new items out of
    files.list for that many seconds. Both, and the other knobs (``upload_session_lifetime``,
    ``token_scopes``, per-file download blocks), can be changed later on ``Emulator.state`` (a ``Store``).
    """
    server = make_server(
        seed, latency_ms, faults, port, certfile, keyfile, write_rate=write_rate, listing_lag=listing_lag
    )
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.name = f"drive-emulator-{server.server_address[1]}"
    thread.start()
    return Emulator(server, thread)
