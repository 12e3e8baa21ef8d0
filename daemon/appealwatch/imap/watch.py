"""IDLE watchers: one connection per watched folder, each in IDLE, flagging its account as
changed."""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import random
import socket
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
    replaced.  A server without IDLE is polled every ``poll`` seconds instead.
    """

    def __init__(self, account: str, role: str, settings: ImapSettings,
                 overrides: dict[str, str], on_change: Callable[[str, str], None], *,
                 check: float = 60.0, renew: float = 540.0, poll: float = 60.0,
                 cap: float = 300.0) -> None:
        super().__init__(name=f"watch-{account}-{role}", daemon=True)
        self.account, self.role, self.folder = account, role, role
        self.overrides = overrides
        # a short read timeout: a dead connection shows itself at the next check
        self.settings = dataclasses.replace(settings, timeout=min(settings.timeout, 15.0))
        self.on_change = on_change
        self.check, self.renew, self.poll = check, renew, poll
        self.stopping = threading.Event()
        self.backoff = Backoff(cap=cap)
        self.state = "starting"
        self.client: IMAPClient | None = None
        self.last_alive = time.monotonic()

    def _set_state(self, state: str, detail: str = "") -> None:
        if state != self.state:  # each change once, not in a loop
            level = logging.WARNING if state in ("disconnected", "failing") else logging.INFO
            log.log(level, "account %s, %s: %s%s", self.account, self.folder, state,
                    f" ({detail})" if detail else "")
            self.state = state

    def stop(self) -> None:
        self.stopping.set()
        client = self.client
        if client is not None:
            with contextlib.suppress(OSError):
                client.socket().shutdown(socket.SHUT_RDWR)  # wakes a blocked read at once

    def run(self) -> None:
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
        self.stopping.wait(seconds)

    def _idle_loop(self, client: IMAPClient) -> None:
        while not self.stopping.is_set():
            client.idle()
            started = time.monotonic()
            changed: list = []
            while not self.stopping.is_set():
                slice_start = time.monotonic()
                wait = min(self.check, self.renew) - (slice_start - started)
                if wait <= 0:
                    break
                responses = client.idle_check(timeout=min(wait, 30.0))
                self.last_alive = time.monotonic()
                if responses:
                    changed = responses
                    break
                if time.monotonic() - slice_start < min(wait, 30.0) * 0.5:
                    break  # woke early with nothing: the server closed the connection
            client.idle_done()  # raises when the connection is dead
            client.noop()
            self.last_alive = time.monotonic()
            if changed or time.monotonic() - started >= self.renew:
                self.on_change(self.account, self.role)

    def _poll_loop(self, client: IMAPClient) -> None:
        while not self.stopping.wait(self.poll):
            client.noop()
            self.on_change(self.account, self.role)
