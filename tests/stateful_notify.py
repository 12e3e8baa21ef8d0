"""The notification backends the stateful machine's daemon is configured with: the command
backend (its run recorded in-process, so a failing command is one switch away), ntfy against a
server on loopback that speaks ntfy's publish and poll API (tests/infra/httpsink.py, one for the
whole test run, a topic per example), and the inbox backend, which is the engine's own (a note in
the account's INBOX).  What each of them received is read back from the outside: the recorded
command runs, the server's requests, the notes in INBOX."""

from __future__ import annotations

import itertools
import os
import subprocess
from collections import Counter
from collections.abc import Callable
from functools import cache
from typing import Any

from appealwatch.notify import Notifier
from appealwatch.push import NtfyBackend
from infra.httpsink import Sink

BACKENDS = ("command", "ntfy", "inbox")
_topics = itertools.count(1)


@cache
def sink() -> Sink:
    """The ntfy server of this test run, started when first needed (stopping one waits for its
    poll interval, so it lives as long as the process)."""
    return Sink().__enter__()


@cache
def dead_pid() -> int:
    """The process id of a process that has ended: what a SIGKILLed daemon's id is to the next
    one.  (The machine runs every daemon in this process, so its claims carry this process's
    id; a killed daemon's claims are handed this one, as the kernel would have.)"""
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


class Desk(Notifier):
    """command, ntfy and inbox, as the engine drives them.  ``witness(event)`` is told of every
    delivery the engine starts, whichever backends are left for it."""

    def __init__(self, witness: Callable[[dict[str, Any]], None]) -> None:
        super().__init__(list(BACKENDS), command=["recorded-in-process"])
        self.topic = f"st{os.getpid()}-{next(_topics)}"
        self.push["ntfy"] = NtfyBackend(f"http://127.0.0.1:{sink().port}/{self.topic}",
                                        lambda: None)
        sink().fail_with = None
        self.witness = witness
        self.sent: list[str] = []  # the event ids the command ran for, in order
        self.events: list[dict[str, Any]] = []  # and the events themselves
        self.command_fails = False
        self.in_flight: dict[str, Any] | None = None

    def send(self, event, skip=(), record=None):
        self.in_flight = event
        self.witness(event)
        return super().send(event, skip, record)

    def _command(self, event: dict[str, Any]) -> bool:
        if self.command_fails:
            return False
        self.sent.append(event["id"])
        self.events.append(event)
        return True

    def fail(self, backend: str | None) -> None:
        """``backend`` fails from now on (ntfy answers 503, the command exits non-zero); None:
        both work again."""
        self.command_fails = backend == "command"
        sink().fail_with = 503 if backend == "ntfy" else None

    def published(self) -> Counter[str]:
        """How often each event was published to this example's topic (by the tag that names
        the event)."""
        return Counter(tag for r in sink().received() if r["json"].get("topic") == self.topic
                       for tag in r["json"].get("tags", ()) if tag.startswith("aw-"))
