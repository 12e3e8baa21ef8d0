"""Notification delivery: the only module that talks to notification backends.

An event is a small JSON object with a stable shape::

    {"event": "new_notice" | "phishing_warning" | "provider_reply" | "needs_reply"
              | "followup_due" | "decision",
     "case_id": 3, "provider": "openai", "summary": "…", "folder": "junk" | null,
     "draft": "Drafts/<message-id>" | null, "urgency": "critical" | "normal", "id": "<event key>"}

Backends: ``log`` (a line in the log) and ``command`` (runs a program with the event as JSON on
stdin).  A failing backend is logged and never stops the others.
"""

from __future__ import annotations

import json
import logging
import subprocess
from collections.abc import Sequence
from typing import Any

log = logging.getLogger("appealwatch.notify")

EVENTS = ("new_notice", "phishing_warning", "provider_reply", "needs_reply", "followup_due",
          "decision")
CRITICAL = frozenset({"new_notice", "phishing_warning"})
COMMAND_TIMEOUT = 20.0


def urgency(event: str) -> str:
    return "critical" if event in CRITICAL else "normal"


class Notifier:
    def __init__(self, backends: Sequence[str], command: Sequence[str] | None = None) -> None:
        self.backends = list(backends)
        self.command = list(command or [])

    def send(self, event: dict[str, Any]) -> bool:
        """Deliver to every backend; True if at least one delivered it."""
        delivered = False
        for backend in self.backends:
            try:
                if backend == "log":
                    log.warning("[%s] case %s: %s", event["event"], event.get("case_id"),
                                event["summary"])
                    delivered = True
                elif backend == "stdout":  # the demo shows what it would send
                    print(f"  [{event['event']}, {urgency(event['event'])}] case "
                          f"{event.get('case_id')}: {event['summary']}")
                    delivered = True
                elif backend == "command":
                    delivered = self._command(event) or delivered
                else:
                    log.error("notification backend %r is not available", backend)
            except Exception as exc:  # one broken backend must not stop the others
                log.error("notification backend %s failed: %s", backend, exc)
        return delivered

    def _command(self, event: dict[str, Any]) -> bool:
        if not self.command:
            log.error("the command backend has no [notify] command configured")
            return False
        try:
            proc = subprocess.run(
                self.command, input=json.dumps(event, ensure_ascii=False).encode(),
                capture_output=True, timeout=COMMAND_TIMEOUT, check=False,
            )
        except FileNotFoundError:
            log.error("notification command %r not found", self.command[0])
            return False
        except subprocess.TimeoutExpired:
            log.error("notification command %r took longer than %.0f s", self.command[0],
                      COMMAND_TIMEOUT)
            return False
        if proc.returncode != 0:
            log.error("notification command %r exited with status %d: %s", self.command[0],
                      proc.returncode, proc.stderr.decode(errors="replace").strip()[:200])
            return False
        return True
