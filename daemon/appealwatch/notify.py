"""Notification delivery: the only module that talks to notification backends.

An event is a small JSON object with a stable shape::

    {"event": "new_notice" | "phishing_warning" | "provider_reply" | "needs_reply"
              | "followup_due" | "decision" | "summary",
     "case_id": 3, "provider": "openai", "summary": "…", "folder": "junk" | null,
     "draft": "Drafts/<message-id>" | null, "urgency": "critical" | "normal", "id": "<event key>"}

Backends: ``log`` (a line in the log) and ``command`` (runs a program with the event as JSON on
stdin).  A failing backend is logged and never stops the others.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import subprocess
import threading
from collections.abc import Callable, Mapping, Sequence
from typing import Any

log = logging.getLogger("appealwatch.notify")

EVENTS = ("new_notice", "possible_notice", "phishing_warning", "provider_reply", "needs_reply",
          "followup_due", "decision", "deadline_near", "deadline_today", "summary")
CRITICAL = frozenset({"new_notice", "phishing_warning", "deadline_today"})
COMMAND_TIMEOUT = 20.0


def default_backends(configured: Sequence[str] | None) -> list[str]:
    """The configured backends, or the desktop (with the log) when a session bus is present."""
    if configured is not None:
        return list(configured)
    return ["desktop", "log"] if os.environ.get("DBUS_SESSION_BUS_ADDRESS") else ["log"]


def urgency(event: str) -> str:
    return "critical" if event in CRITICAL else "normal"


HEADLINES = {
    "new_notice": "account suspended",
    "possible_notice": "maybe a suspension notice",
    "phishing_warning": "phishing warning",
    "provider_reply": "support replied",
    "needs_reply": "support asked you something",
    "followup_due": "time for a follow-up",
    "decision": "decision",
    "deadline_near": "deadline ahead",
    "deadline_today": "deadline today",
    "summary": "what it found in your mail",
    "digest": "updates",
    "test": "test notification",
}
ACTIONS = ("default", "Open draft", "appealed", "Mark as appealed", "snooze",
           "Snooze 1 business day")
VERDICTS = ("confirm", "It's a notice", "dismiss", "Not a notice")  # on a possible notice


_SHOWN_FOR_CASE: dict[int, int] = {}  # case id -> notification id shown for it
_CASE_OF_SHOWN: dict[int, int] = {}  # notification id -> case id


class DesktopBackend:
    """freedesktop notifications over D-Bus with jeepney (pure Python, no GUI toolkit).

    Urgency follows the event; a case's notifications replace each other (``replaces_id``),
    across restarts too: ``shown`` (case id -> notification id) is what an earlier run showed,
    and ``remember(case_id, notification_id)`` keeps each new one (in the state database);
    where the server supports actions, clicking one calls ``on_action(case_id, key)`` from a
    listener thread (``key``: default | appealed | snooze).
    """

    def __init__(self, on_action: Callable[[int, str], None] | None = None,
                 bus: str = "SESSION", *, shown: Mapping[int, int] | None = None,
                 remember: Callable[[int, int], None] | None = None) -> None:
        self.on_action = on_action
        self.bus = bus
        self._conn: Any = None
        self._caps: frozenset[str] = frozenset()
        self._lock = threading.Lock()
        # shared by every instance, so a configuration reload keeps replacing the same bubbles
        self._by_case = _SHOWN_FOR_CASE
        self._by_id = _CASE_OF_SHOWN
        for case_id, nid in (shown or {}).items():
            self._by_case.setdefault(case_id, nid)
            self._by_id.setdefault(nid, case_id)
        self.remember = remember
        self._listener: threading.Thread | None = None
        self._stopping = threading.Event()
        self._warned = False

    def _connection(self) -> Any:
        # One router (a connection with its own receiving thread): notification servers send
        # ActionInvoked to the connection that created the notification, so the same
        # connection must both send and listen.
        from jeepney.io.threading import DBusRouter, open_dbus_connection

        if self._conn is None:
            if self.bus == "SESSION" and not os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
                raise ConnectionError("no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is unset)")
            self._conn = DBusRouter(open_dbus_connection(bus=self.bus))
            caps = self._call("GetCapabilities", "", ())
            self._caps = frozenset(caps[0]) if caps else frozenset()
        return self._conn

    def _call(self, method: str, signature: str, args: tuple) -> tuple:
        from jeepney import DBusAddress, new_method_call
        from jeepney.wrappers import unwrap_msg

        address = DBusAddress("/org/freedesktop/Notifications",
                              bus_name="org.freedesktop.Notifications",
                              interface="org.freedesktop.Notifications")
        msg = new_method_call(address, method, signature, args) if signature else \
            new_method_call(address, method)
        return tuple(unwrap_msg(self._conn.send_and_get_reply(msg, timeout=5)))

    def send(self, event: dict[str, Any]) -> bool:
        with self._lock:
            try:
                self._connection()
                nid = self._notify(event)
            except Exception as exc:
                self._drop()
                if not self._warned:
                    log.warning("desktop notifications are not available (%s); the other "
                                "backends still deliver", _short(exc))
                    self._warned = True
                return False
            self._warned = False
            case_id = event.get("case_id")
            if isinstance(case_id, int):
                known = self._by_case.get(case_id)
                self._by_case[case_id] = nid
                self._by_id[nid] = case_id
                if known != nid and self.remember is not None:
                    try:
                        self.remember(case_id, nid)
                    except Exception as exc:  # shown all the same; only the next restart forgets
                        log.warning("could not keep the id of case %s's notification: %s",
                                    case_id, _short(exc))
        if self.on_action is not None and "actions" in self._caps:
            self._start_listener()
        return True

    def _notify(self, event: dict[str, Any]) -> int:
        actions: list[str] = []
        case_id = event.get("case_id")
        if "actions" in self._caps and isinstance(case_id, int):
            if event["event"] == "phishing_warning":
                actions = []
            elif event["event"] == "possible_notice":
                actions = list(VERDICTS)
            elif event["event"] in ("new_notice", "needs_reply", "followup_due"):
                actions = list(ACTIONS) if event["event"] == "new_notice" else [
                    *ACTIONS[:2], *ACTIONS[4:]]
            else:
                actions = list(ACTIONS[:2])
        level = 2 if urgency(event["event"]) == "critical" else 1
        hints = {"urgency": ("y", level), "category": ("s", "email.arrived"),
                 "desktop-entry": ("s", "appealwatch")}
        replaces = self._by_case.get(case_id, 0) if isinstance(case_id, int) else 0
        (nid,) = self._call("Notify", "susssasa{sv}i", (
            "appealwatch", replaces, "mail-unread", title(event), event["summary"], actions, hints,
            0 if level == 2 else -1))
        return int(nid)

    def _drop(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(Exception):
                conn.close()

    def _start_listener(self) -> None:
        if self._listener is not None and self._listener.is_alive():
            return
        self._listener = threading.Thread(target=self._listen, name="notify-actions",
                                          daemon=True)
        self._listener.start()

    def _listen(self) -> None:
        import queue

        from jeepney import HeaderFields, MatchRule
        from jeepney.bus_messages import message_bus
        from jeepney.io.threading import Proxy

        router = self._conn
        if router is None:
            return
        rule = MatchRule(type="signal", interface="org.freedesktop.Notifications",
                         path="/org/freedesktop/Notifications")
        try:
            Proxy(message_bus, router).AddMatch(rule)
            with router.filter(rule, bufsize=64) as signals:
                while not self._stopping.is_set() and self._conn is router:
                    try:
                        msg = signals.get(timeout=1.0)
                    except queue.Empty:
                        continue
                    if msg.header.fields.get(HeaderFields.member) != "ActionInvoked":
                        continue
                    nid, key = msg.body
                    case_id = self._by_id.get(int(nid))
                    if case_id is not None and self.on_action is not None:
                        self.on_action(case_id, str(key))
        except Exception as exc:
            if not self._stopping.is_set():
                log.warning("notification action listener stopped: %s", _short(exc))

    def close(self) -> None:
        self._stopping.set()
        self._drop()


def _push_backends(backends: Sequence[str], settings: Any) -> dict[str, Any]:
    """The phone backends that are configured (ntfy, apprise); their secrets are read when
    first needed, from a command or the keyring."""
    found: dict[str, Any] = {}
    if settings is None or not ({"ntfy", "apprise"} & set(backends)):
        return found
    from appealwatch import push
    from appealwatch.secrets import notify_secret

    if "ntfy" in backends and settings.ntfy_url:
        url = settings.ntfy_url
        host = url.split("/")[2] if url.count("/") >= 2 else url
        found["ntfy"] = push.NtfyBackend(
            url, lambda: notify_secret(f"ntfy:{host}", settings.ntfy_token_command,
                                       "ntfy_token_command", required=False),
            ca_file=settings.ntfy_ca_file)
    if "apprise" in backends and settings.apprise_urls_command:
        def apprise_urls() -> list[str]:
            urls = notify_secret("apprise:urls", settings.apprise_urls_command,
                                 "apprise_urls_command")
            return (urls or "").split()

        found["apprise"] = push.AppriseBackend(apprise_urls)
    return found


def _short(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:200]


def title(event: dict[str, Any]) -> str:
    name = event.get("provider_name") or event.get("provider") or "appealwatch"
    return f"{name}: {HEADLINES.get(event['event'], event['event'])}"


class Notifier:
    """Delivers events to every configured backend.  A backend that fails is reported, so the
    engine can try it again later; it never stops the others."""

    def __init__(self, backends: Sequence[str], command: Sequence[str] | None = None,
                 on_action: Callable[[int, str], None] | None = None,
                 settings: Any = None, *, shown: Mapping[int, int] | None = None,
                 remember: Callable[[int, int], None] | None = None) -> None:
        """``shown``/``remember``: see DesktopBackend."""
        self.backends = list(backends)
        self.command = list(command or [])
        self.desktop = (DesktopBackend(on_action, shown=shown, remember=remember)
                        if "desktop" in self.backends else None)
        self.push = _push_backends(self.backends, settings)

    def send(self, event: dict[str, Any], skip: Sequence[str] = (),
             record: Callable[[str, bool], None] | None = None) -> list[str]:
        """Deliver to every backend not in ``skip``; returns the backends that delivered.
        ``record(backend, done)`` is told before each backend is tried and after it delivered,
        so a crash leaves at most one backend in doubt."""
        done: list[str] = []
        for backend in self.backends:
            if backend in skip or backend == "inbox":  # the engine writes INBOX notes
                continue
            if record is not None:
                record(backend, False)
            try:
                if backend == "log":
                    log.warning("[%s] case %s: %s", event["event"], event.get("case_id"),
                                event["summary"])
                    ok = True
                elif backend == "stdout":  # the demo shows what it would send
                    print(f"  [{event['event']}, {urgency(event['event'])}] case "
                          f"{event.get('case_id')}: {event['summary']}")
                    ok = True
                elif backend == "command":
                    ok = self._command(event)
                elif backend == "desktop" and self.desktop is not None:
                    ok = self.desktop.send(event)
                elif backend in self.push:
                    ok = self.push[backend].send(event, title(event))
                else:
                    log.error("notification backend %r is not available", backend)
                    ok = False
            except Exception as exc:  # one broken backend must not stop the others
                log.error("notification backend %s failed: %s", backend, _short(exc))
                ok = False
            if ok:
                done.append(backend)
                if record is not None:
                    record(backend, True)
        return done

    def close(self) -> None:
        if self.desktop is not None:
            self.desktop.close()

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
