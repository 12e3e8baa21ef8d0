"""A loopback TCP proxy that can go silent: connections stay open but nothing is forwarded,
as after a laptop suspend or a network change.  New connections are forwarded again after
``resume()``; connections made during ``blackhole()`` are held silent too."""

from __future__ import annotations

import contextlib
import selectors
import socket
import threading


class SilentProxy:
    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.silent = threading.Event()
        self.stopping = threading.Event()
        self.pairs: list[tuple[socket.socket, socket.socket, bool]] = []
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def blackhole(self) -> None:
        """From now on nothing is forwarded on the connections that exist."""
        self.silent.set()
        with self.lock:
            self.pairs = [(a, b, True) for a, b, _ in self.pairs]

    def resume(self) -> None:
        """New connections are forwarded again; the silenced ones stay silent."""
        self.silent.clear()

    def close(self) -> None:
        self.stopping.set()
        with contextlib.suppress(OSError):
            self.listener.close()
        self.thread.join(timeout=2)
        with self.lock:
            for a, b, _ in self.pairs:
                a.close()
                b.close()
            self.pairs = []

    def _serve(self) -> None:
        sel = selectors.DefaultSelector()
        self.listener.setblocking(False)
        sel.register(self.listener, selectors.EVENT_READ)
        while not self.stopping.is_set():
            try:
                events = sel.select(timeout=0.2)
            except (OSError, ValueError):
                break
            for key, _ in events:
                sock = key.fileobj
                if sock is self.listener:
                    self._accept(sel)
                    continue
                self._forward(sel, sock)  # type: ignore[arg-type]
        sel.close()

    def _accept(self, sel: selectors.BaseSelector) -> None:
        try:
            client, _ = self.listener.accept()
        except OSError:
            return
        try:
            upstream = socket.create_connection(self.target, timeout=5)
        except OSError:
            client.close()
            return
        for s in (client, upstream):
            s.setblocking(False)
            sel.register(s, selectors.EVENT_READ)
        with self.lock:
            self.pairs.append((client, upstream, self.silent.is_set()))

    def _forward(self, sel: selectors.BaseSelector, sock: socket.socket) -> None:
        with self.lock:
            pair = next((p for p in self.pairs if sock in p[:2]), None)
        if pair is None:
            return
        a, b, muted = pair
        other = b if sock is a else a
        try:
            data = sock.recv(65536)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if not data:
            for s in (a, b):
                with contextlib.suppress(KeyError, ValueError):
                    sel.unregister(s)
                s.close()
            with self.lock:
                self.pairs = [p for p in self.pairs if p[0] is not a]
            return
        if muted:
            return  # swallowed: the peer hears nothing
        try:
            other.setblocking(True)
            other.sendall(data)
            other.setblocking(False)
        except OSError:
            pass
