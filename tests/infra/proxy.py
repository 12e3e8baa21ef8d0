"""Loopback TCP proxies for fault injection.

``SilentProxy`` can go silent: connections stay open but nothing is forwarded,
as after a laptop suspend or a network change.  New connections are forwarded again after
``resume()``; connections made during ``blackhole()`` are held silent too.

``FaultProxy`` forwards plain IMAP line by line and injects faults on cue: a connection reset
after so many bytes of a FETCH response or an APPEND upload, a server line that never arrives,
an ``NO``/``BAD`` answer to a chosen command, a rewritten line (a stripped STARTTLS capability).
"""

from __future__ import annotations

import contextlib
import re
import selectors
import socket
import struct
import threading
from dataclasses import dataclass


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


# --------------------------------------------------------------------------- fault injection


@dataclass
class Fault:
    """One armed fault.  ``pattern`` is searched in each whole line sent by ``side``
    ("client" or "server").  On a hit:

    * ``action="NO"``/``"BAD"`` (client lines only): the line is not forwarded; the proxy answers
      the command itself with ``<tag> NO|BAD <text>``, as a server refusing it would.
    * ``action="reset"``: ``after`` more bytes are forwarded in direction ``cut`` ("up": client to
      server, "down": server to client; the matching line itself counts when it travels that
      way), then both connections are reset (RST, not FIN).  ``after=0`` on a server line means
      that line never reaches the client.
    * ``action="rewrite"``: the line is forwarded with ``pattern`` replaced by ``replace``.

    ``times`` hits, then the fault is spent.
    """

    pattern: bytes
    side: str = "client"
    action: str = "reset"
    after: int = 0
    cut: str = "down"
    text: bytes = b"[UNAVAILABLE] Injected failure"
    replace: bytes = b""
    times: int = 1
    hits: int = 0

    @property
    def spent(self) -> bool:
        return self.hits >= self.times


class _Pair:
    def __init__(self, client: socket.socket, upstream: socket.socket) -> None:
        self.client, self.upstream = client, upstream
        self.budget: dict[str, int | None] = {"up": None, "down": None}
        self.closed = False
        self.lock = threading.Lock()

    def _first_close(self) -> bool:
        """True for the one caller that closes the pair (the pumps race to do it)."""
        with self.lock:
            first, self.closed = not self.closed, True
        return first

    def reset(self) -> None:
        if not self._first_close():
            return
        for s in (self.client, self.upstream):
            with contextlib.suppress(OSError):
                s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RD)  # wakes the pump blocked on it; sends nothing
            with contextlib.suppress(OSError):
                s.close()  # with a zero linger: RST

    def close(self) -> None:
        if not self._first_close():
            return
        for s in (self.client, self.upstream):
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
            with contextlib.suppress(OSError):
                s.close()


class FaultProxy:
    """A loopback proxy for plain IMAP (the account uses ``tls = "none"`` with
    ``allow_plaintext_loopback``) that forwards line by line and applies armed ``Fault``\\ s.
    Every line is recorded in ``lines`` as ``(side, bytes)``; ``events`` lists the faults fired.
    """

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.faults: list[Fault] = []
        self.lines: list[tuple[str, bytes]] = []
        self.events: list[str] = []
        self.connections = 0
        self.lock = threading.Lock()
        self.pairs: list[_Pair] = []
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._accept_loop, daemon=True)
        self.thread.start()

    def arm(self, fault: Fault) -> Fault:
        with self.lock:
            self.faults.append(fault)
        return fault

    def sent(self, side: str) -> list[bytes]:
        with self.lock:
            return [line for s, line in self.lines if s == side]

    def close(self) -> None:
        self.stopping.set()
        with contextlib.suppress(OSError):
            self.listener.close()
        self.thread.join(timeout=2)
        with self.lock:
            pairs, self.pairs = self.pairs, []
        for pair in pairs:
            pair.close()

    def __enter__(self) -> FaultProxy:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _accept_loop(self) -> None:
        self.listener.settimeout(0.2)
        while not self.stopping.is_set():
            try:
                client, _ = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            client.settimeout(None)
            upstream.settimeout(None)
            pair = _Pair(client, upstream)
            with self.lock:
                self.pairs.append(pair)
                self.connections += 1
            for side in ("client", "server"):
                threading.Thread(target=self._pump, args=(pair, side), daemon=True).start()

    def _match(self, side: str, line: bytes) -> Fault | None:
        with self.lock:
            self.lines.append((side, line))
            for fault in self.faults:
                if fault.side == side and not fault.spent and re.search(fault.pattern, line):
                    fault.hits += 1
                    self.events.append(f"{fault.action} on {side} line {line[:60]!r}")
                    return fault
        return None

    def _pump(self, pair: _Pair, side: str) -> None:
        src, dst = (pair.client, pair.upstream) if side == "client" else (pair.upstream,
                                                                          pair.client)
        direction = "up" if side == "client" else "down"
        pending = b""
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                pending += data
                while b"\n" in pending:
                    line, _, pending = pending.partition(b"\n")
                    line += b"\n"
                    fault = self._match(side, line)
                    if fault is not None and fault.action in ("NO", "BAD"):
                        tag = line.split(b" ", 1)[0]
                        pair.client.sendall(tag + b" " + fault.action.encode() + b" "
                                            + fault.text + b"\r\n")
                        continue
                    if fault is not None and fault.action == "rewrite":
                        line = re.sub(fault.pattern, fault.replace, line)
                    if fault is not None and fault.action == "reset":
                        pair.budget[fault.cut] = fault.after
                    if not self._send(pair, direction, dst, line):
                        return
        except OSError:
            pass
        if not pair.closed:
            pair.close()

    def _send(self, pair: _Pair, direction: str, dst: socket.socket, data: bytes) -> bool:
        budget = pair.budget[direction]
        if budget is not None and len(data) >= budget:
            with contextlib.suppress(OSError):
                if budget:
                    dst.sendall(data[:budget])
            pair.reset()
            return False
        dst.sendall(data)
        if budget is not None:
            pair.budget[direction] = budget - len(data)
        return True
