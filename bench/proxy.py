"""A tiny HTTP CONNECT proxy that pipes every ``CONNECT <host>:443`` to one local port (the emulator).

Programs with Google's URLs built in (rclone) reach the emulator through it: ``HTTPS_PROXY=http://127.0.0.1:P``.
Anything but CONNECT, or CONNECT to a port other than 443, is refused; the only place it ever connects to
is ``127.0.0.1:<target_port>``. Each tunnel is two daemon threads copying bytes until either side closes.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from types import TracebackType

_MAX_HEADER = 16 * 1024
_BUFFER = 256 * 1024


class ConnectProxy:
    """Listen on 127.0.0.1 (a free port) and tunnel CONNECT requests to ``127.0.0.1:target_port``."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.hosts: set[str] = set()  # every host a client asked for
        self.refused = 0
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.2)
        self.port: int = self._listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._stopping = threading.Event()
        self._sockets: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._serve, name=f"connect-proxy-{self.port}", daemon=True)
        self._thread.start()

    def _track(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.add(sock)

    def _serve(self) -> None:
        while not self._stopping.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self._track(client)
            threading.Thread(target=self._tunnel, args=(client,), daemon=True).start()

    def _tunnel(self, client: socket.socket) -> None:
        client.settimeout(30)
        try:
            head = _read_head(client)
            upstream = self._open(client, head)
        except OSError:
            with contextlib.suppress(OSError):
                client.close()
            return
        if upstream is None:
            return
        client.settimeout(None)
        client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
        pump = threading.Thread(target=_pipe, args=(upstream, client), daemon=True)
        pump.start()
        _pipe(client, upstream)
        pump.join(timeout=60)
        for sock in (client, upstream):
            with contextlib.suppress(OSError):
                sock.close()
            with self._lock:
                self._sockets.discard(sock)

    def _open(self, client: socket.socket, head: bytes) -> socket.socket | None:
        """The upstream socket for an acceptable CONNECT; otherwise answer with an error and close."""
        line = head.split(b"\r\n", 1)[0].decode("latin-1")
        parts = line.split()
        if len(parts) != 3 or parts[0].upper() != "CONNECT":
            self._refuse(client, b"405 Method Not Allowed", b"Allow: CONNECT\r\n")
            return None
        host, _, port = parts[1].rpartition(":")
        if port != "443" or not host:
            self._refuse(client, b"403 Forbidden", b"")
            return None
        self.hosts.add(host)
        upstream = socket.create_connection(("127.0.0.1", self.target_port), timeout=30)
        upstream.settimeout(None)
        upstream.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._track(upstream)
        return upstream

    def _refuse(self, client: socket.socket, status: bytes, extra: bytes) -> None:
        self.refused += 1
        with contextlib.suppress(OSError):
            client.sendall(b"HTTP/1.1 " + status + b"\r\n" + extra + b"Content-Length: 0\r\n\r\n")
            client.close()
        return None

    def stop(self) -> None:
        self._stopping.set()
        with contextlib.suppress(OSError):
            self._listener.close()
        with self._lock:
            for sock in list(self._sockets):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                with contextlib.suppress(OSError):
                    sock.close()
            self._sockets.clear()
        self._thread.join(timeout=5)

    def __enter__(self) -> ConnectProxy:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def _read_head(sock: socket.socket) -> bytes:
    """The request line and headers (up to the blank line); nothing after them is read."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(1)  # byte by byte: the TLS handshake that follows must stay in the socket
        if not chunk or len(data) > _MAX_HEADER:
            raise OSError("incomplete proxy request")
        data += chunk
    return data


def _pipe(source: socket.socket, sink: socket.socket) -> None:
    """Copy until ``source`` closes, then half-close ``sink``."""
    try:
        while chunk := source.recv(_BUFFER):
            sink.sendall(chunk)
    except OSError:
        pass
    with contextlib.suppress(OSError):
        sink.shutdown(socket.SHUT_WR)
