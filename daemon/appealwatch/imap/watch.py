"""IDLE watchers: one connection per watched folder, each in IDLE, flagging its account as
changed."""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import random
import select
import socket
import ssl
import threading
import time
from collections.abc import Callable

from imapclient import IMAPClient

from appealwatch.imap.connection import (
    NETWORK_ERRORS,
    AuthError,
    ImapError,
    ImapSettings,
    connect,
    discover_folders,
    drop_client,
    error_text,
)

log = logging.getLogger("appealwatch.imap")

# how long a connection gets to answer a NOOP after a sleep before it is replaced
PROOF_SECONDS = 5.0
# a wait that ends this much later than asked means the process was stopped: a sleep too
OVERRUN_SECONDS = 10.0


class Backoff:
    """Exponential backoff with jitter, capped."""

    def __init__(self, base: float = 1.0, cap: float = 300.0, rng: random.Random | None = None):
        self.base, self.cap, self.attempt = base, cap, 0
        self.rng = rng or random.Random()  # noqa: S311 - jitter, not cryptography

    def next_delay(self) -> float:
        delay = min(self.cap, self.base * 2 ** self.attempt)
        self.attempt += 1
        return delay * self.rng.uniform(0.5, 1.0)

    def reset(self) -> None:
        self.attempt = 0


class FolderWatcher(threading.Thread):
    """Keeps one connection in IDLE on one folder and calls ``on_change`` when it changes.

    IDLE is renewed every ``renew`` seconds (under the 29 minutes RFC 2177 allows), and every
    ``check`` seconds the connection is proven alive with DONE + NOOP, so a connection that went
    silent (suspend, a network change) is noticed within ``check + timeout`` seconds and
    replaced.  ``nudge()`` (after a sleep) asks for that proof at once, with a ``proof`` second
    timeout, and cuts a wait between two connection attempts short.  A server without IDLE is
    polled every ``poll`` seconds instead.
    """

    def __init__(self, account: str, role: str, settings: ImapSettings,
                 overrides: dict[str, str], on_change: Callable[[str, str], None], *,
                 check: float = 60.0, renew: float = 540.0, poll: float = 60.0,
                 cap: float = 300.0, proof: float = PROOF_SECONDS) -> None:
        super().__init__(name=f"watch-{account}-{role}", daemon=True)
        self.account, self.role, self.folder = account, role, role
        self.overrides = overrides
        # a short read timeout: a dead connection shows itself at the next check
        self.settings = dataclasses.replace(settings, timeout=min(settings.timeout, 15.0))
        self.on_change = on_change
        self.check, self.renew, self.poll, self.proof = check, renew, poll, proof
        self.stopping = threading.Event()
        self.backoff = Backoff(cap=cap)
        self.state = "starting"
        self.client: IMAPClient | None = None
        self.last_alive = time.monotonic()
        # nudge() writes a byte here; the thread waits on it beside its connection
        self._bell, self._ear = socket.socketpair()
        self._ear.setblocking(False)

    def _set_state(self, state: str, detail: str = "") -> None:
        if state != self.state:  # each change once, not in a loop
            level = logging.WARNING if state in ("disconnected", "failing") else logging.INFO
            log.log(level, "account %s, %s: %s%s", self.account, self.folder, state,
                    f" ({detail})" if detail else "")
            self.state = state

    def nudge(self) -> None:
        """From any thread: prove the connection alive now (or replace it), and stop waiting
        to reconnect."""
        with contextlib.suppress(OSError):
            self._bell.send(b"!")

    def stop(self) -> None:
        self.stopping.set()
        self.nudge()
        client = self.client
        if client is not None:
            with contextlib.suppress(OSError):
                client.socket().shutdown(socket.SHUT_RDWR)  # wakes a blocked read at once

    def run(self) -> None:
        try:
            self._run()
        finally:
            self._bell.close()
            self._ear.close()

    def _run(self) -> None:
        while not self.stopping.is_set():
            try:
                self.client = connect(self.settings)
                folder = discover_folders(self.client, self.overrides).get(self.role)
                if folder is None:
                    log.info("account %s: no %s folder to watch", self.account, self.role)
                    return
                self.folder = folder
                self.client.select_folder(folder, readonly=True)
                self._set_state("watching" if self.client.has_capability("IDLE") else "polling")
                self.backoff.reset()
                self.on_change(self.account, self.role)  # catch up on what came meanwhile
                if self.client.has_capability("IDLE"):
                    self._idle_loop(self.client)
                else:
                    self._poll_loop(self.client)
            except AuthError as exc:
                self._set_state("failing", str(exc))
                self._sleep(self.backoff.next_delay() * 10)
            except (ImapError, *NETWORK_ERRORS) as exc:
                if self.stopping.is_set():
                    break
                self._set_state("disconnected", f"{type(exc).__name__}: {error_text(exc)}")
                self._sleep(self.backoff.next_delay())
            finally:
                client, self.client = self.client, None
                drop_client(client)

    def _sleep(self, seconds: float) -> None:
        """Wait ``seconds``, or less when nudged or stopped."""
        self._wait(None, seconds)

    def _wait(self, client: IMAPClient | None, seconds: float) -> str | None:
        """Wait up to ``seconds`` for the server to say something ("server") or for a nudge
        ("nudged"); None when the time ran out."""
        sock = client.socket() if client is not None else None
        if isinstance(sock, ssl.SSLSocket) and sock.pending():
            return "server"  # already decrypted, waiting to be read
        poller = select.poll()
        poller.register(self._ear, select.POLLIN)
        if sock is not None:
            poller.register(sock, select.POLLIN)
        events = dict(poller.poll(max(0.0, seconds) * 1000))
        if self._ear.fileno() in events:
            with contextlib.suppress(OSError):
                while self._ear.recv(64):
                    pass
            return "nudged"
        return "server" if events else None

    def _idle_loop(self, client: IMAPClient) -> None:
        while not self.stopping.is_set():
            client.idle()
            started = time.monotonic()
            nudged = False
            while not self.stopping.is_set():
                slice_start = time.monotonic()
                wait = min(self.check, self.renew) - (slice_start - started)
                if wait <= 0:
                    break
                asked = min(wait, 30.0)
                what = self._wait(client, asked)
                if what == "nudged" or (what is None and time.monotonic() - slice_start
                                        > asked + OVERRUN_SECONDS):
                    nudged = True  # nudged, or this thread itself was not run for long
                    break
                responses = client.idle_check(timeout=0) if what == "server" else []
                self.last_alive = time.monotonic()
                if any(len(r) >= 2 and r[1] == b"EXISTS" for r in responses):
                    # new mail: said at once, and the connection stays in IDLE as a bare
                    # client's would (DONE + IDLE would make the server start its wait before
                    # the next announcement afresh)
                    self.on_change(self.account, self.role)
                if responses:
                    continue
                if what == "server":
                    break  # readable with nothing to read: the server closed the connection
            # after a sleep (a nudge may have come while this thread was busy) a dead
            # connection must not hold us up for long
            nudged = nudged or self._wait(None, 0) == "nudged"
            if nudged:
                client.socket().settimeout(self.proof)
            client.idle_done()  # raises when the connection is dead
            client.noop()
            client.socket().settimeout(self.settings.timeout)
            self.last_alive = time.monotonic()
            if nudged:
                log.info("account %s, %s: the connection is alive after waking",
                         self.account, self.folder)
            if nudged or time.monotonic() - started >= self.renew:
                self.on_change(self.account, self.role)

    def _poll_loop(self, client: IMAPClient) -> None:
        while not self.stopping.is_set():
            if self._wait(None, self.poll) == "nudged":
                client.socket().settimeout(self.proof)
            if self.stopping.is_set():
                return
            client.noop()
            client.socket().settimeout(self.settings.timeout)
            self.on_change(self.account, self.role)
