"""Helpers shared by the emulator tests: instant client backoff, small xlsx workbooks."""

from __future__ import annotations

import io
import select
import socket
import threading
from typing import Any

import openpyxl


def fast_retries(request: Any) -> Any:
    """Make the client's exponential backoff instant (it sleeps random() * 2**n seconds)."""
    request._rand = lambda: 0.0
    request._sleep = lambda seconds: None
    return request


def make_xlsx(rows: list[list[Any]], second_sheet: list[list[Any]] | None = None) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Data"
    for row in rows:
        sheet.append(row)
    if second_sheet is not None:
        other = book.create_sheet("Other")
        for row in second_sheet:
            other.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


class LoopbackConnectProxy:
    """An HTTPS (CONNECT) proxy that tunnels every request to one loopback port, whatever host was asked.

    It lets a client with Google's URLs built in (rclone) reach the emulator without touching DNS.
    """

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._tunnel, args=(client,), daemon=True).start()

    def _tunnel(self, client: socket.socket) -> None:
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = client.recv(4096)
            if not chunk:
                client.close()
                return
            head += chunk
        if not head.startswith(b"CONNECT "):
            client.sendall(b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")
            client.close()
            return
        upstream = socket.create_connection(("127.0.0.1", self.target_port))
        client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
        sockets = [client, upstream]
        try:
            while True:
                ready, _, _ = select.select(sockets, [], [], 30)
                if not ready:
                    return
                for sock in ready:
                    data = sock.recv(65536)
                    if not data:
                        return
                    (upstream if sock is client else client).sendall(data)
        except OSError:
            return
        finally:
            client.close()
            upstream.close()

    def close(self) -> None:
        self._listener.close()
