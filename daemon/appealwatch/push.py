"""Notifications that reach a phone: ntfy (its publish API, over the standard library's HTTP
client) and, as an optional extra, apprise (one URL each for Telegram, Matrix, Signal, Slack,
Pushover, e-mail, …).  Part of the notification edge: ``notify.Notifier`` owns these backends.

Secrets stay out of the config file: an ntfy access token and apprise URLs (which carry their
services' tokens) come from a command or from the keyring, and are registered with the log
redactor as soon as they are read.
"""

from __future__ import annotations

import hashlib
import json
import logging
import ssl
import urllib.error
import urllib.request
import warnings
from collections.abc import Callable
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit, urlunsplit

log = logging.getLogger("appealwatch.notify")

HTTP_TIMEOUT = 10.0
# ntfy priorities: 5 max/urgent (bypasses Do Not Disturb on Android), 4 high, 3 default
_PRIORITY = {"critical": 5, "action": 4, "normal": 3}
_NEEDS_ACTION = frozenset({"needs_reply", "followup_due", "deadline_near", "possible_notice"})
_TAGS = {"new_notice": "rotating_light", "phishing_warning": "warning",
         "deadline_today": "alarm_clock", "deadline_near": "hourglass",
         "needs_reply": "question", "decision": "scales", "followup_due": "envelope"}


def priority(event: dict[str, Any]) -> int:
    if event.get("urgency") == "critical":
        return _PRIORITY["critical"]
    return _PRIORITY["action" if event.get("event") in _NEEDS_ACTION else "normal"]


def links(event: dict[str, Any]) -> list[tuple[str, str]]:
    """The event's links as (label, https URL): only links can be buttons on a phone."""
    found = []
    for label, key in (("Open appeal form", "appeal_url"), ("Open", "url")):
        url = event.get(key)
        if isinstance(url, str) and url.startswith("https://"):
            found.append((label, url))
    return found[:3]


def ntfy_topic(url: str) -> tuple[str, str]:
    """``https://ntfy.example/base/topic`` -> (server URL to publish JSON to, topic)."""
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.netloc:
        raise ValueError(f"not an http(s) topic URL: {url!r}")
    path, _, topic = parts.path.rstrip("/").rpartition("/")
    if not topic:
        raise ValueError(f"the URL names no topic: {url!r}")
    return urlunsplit((parts.scheme, parts.netloc, path + "/", "", "")), topic


def event_tag(event: dict[str, Any]) -> str:
    """A tag that names the event: a retry looks for it on the topic, since two events can be
    worded alike (two notices of one provider, a provider's two replies)."""
    return "aw-" + hashlib.sha256(str(event.get("id", "")).encode()).hexdigest()[:10]


def ntfy_message(event: dict[str, Any], topic: str, title: str) -> dict[str, Any]:
    """The JSON body of ntfy's publish API for one event (pure)."""
    body: dict[str, Any] = {
        "topic": topic, "title": title[:250], "message": str(event.get("summary", ""))[:3500],
        "priority": priority(event),
        "tags": [_TAGS.get(str(event.get("event")), "mailbox"), event_tag(event)],
    }
    buttons = links(event)
    if buttons:
        body["actions"] = [{"action": "view", "label": label, "url": url, "clear": True}
                           for label, url in buttons]
        body["click"] = buttons[0][1]
    return body


class NtfyBackend:
    def __init__(self, url: str, token: Callable[[], str | None],
                 ca_file: str | None = None) -> None:
        self.server, self.topic = ntfy_topic(url)
        self.token = token
        self.context = ssl.create_default_context(cafile=ca_file)

    def _open(self, url: str, data: bytes | None = None) -> Any:
        """A request to the ntfy server (POST with ``data``), with the token if there is one."""
        request = urllib.request.Request(  # noqa: S310 (ntfy_topic allows http(s) only)
            url, data=data, method="POST" if data is not None else "GET",
            headers={"Content-Type": "application/json", "User-Agent": "appealwatch"})
        token = self.token()
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        return urllib.request.urlopen(request, timeout=HTTP_TIMEOUT,  # noqa: S310
                                      context=self.context)

    def send(self, event: dict[str, Any], title: str) -> bool:
        message = ntfy_message(event, self.topic, title)
        if event.get("retry_since") and self.published(message, str(event["retry_since"])):
            return True  # an earlier try got through before the process was killed
        data = json.dumps(message, ensure_ascii=False).encode()
        try:
            with self._open(self.server, data) as answer:
                answer.read(65536)
                return 200 <= answer.status < 300
        except urllib.error.HTTPError as exc:
            log.error("ntfy refused the notification: HTTP %d %s", exc.code, exc.reason)
        except (urllib.error.URLError, OSError, TimeoutError) as exc:
            log.error("ntfy is not reachable: %s", getattr(exc, "reason", exc))
        return False

    def published(self, message: dict[str, Any], since: str) -> bool:
        """Does the topic already hold this event's message (sent since ``since``, an ISO
        time; known by its tag)?  ntfy keeps recent messages and answers a poll with them, one
        JSON object a line."""
        try:
            start = int(datetime.fromisoformat(since).timestamp()) - 60
        except ValueError:
            start = 0
        try:
            with self._open(f"{self.server}{self.topic}/json?poll=1&since={max(start, 0)}"
                            ) as answer:
                lines = answer.read(4 * 1024 * 1024).decode("utf-8", "replace").splitlines()
        except (urllib.error.URLError, OSError, TimeoutError) as exc:
            log.info("ntfy: cannot look for an earlier delivery (%s); sending", exc)
            return False
        for line in lines:
            try:
                seen = json.loads(line)
            except ValueError:
                continue
            if (seen.get("event", "message") == "message"
                    and message["tags"][-1] in seen.get("tags", ())):
                return True
        return False


class AppriseBackend:
    """apprise, imported only when configured (it adds ~19 MB and warns on import)."""

    def __init__(self, urls: Callable[[], list[str]]) -> None:
        self.urls = urls
        self._apprise: Any = None

    def _instance(self) -> Any:
        if self._apprise is None:
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", DeprecationWarning)  # imghdr, on import
                    import apprise
            except ImportError:
                raise RuntimeError("apprise is not installed; install it with "
                                   "pip install 'appealwatch[push]'") from None
            instance = apprise.Apprise()
            for url in self.urls():
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", DeprecationWarning)
                    added = instance.add(url)
                if not added:
                    raise RuntimeError("apprise does not understand one of the configured "
                                       "URLs (check apprise_urls_command's output)")
            self._apprise = (apprise, instance)
        return self._apprise

    def send(self, event: dict[str, Any], title: str) -> bool:
        apprise, instance = self._instance()
        kind = apprise.NotifyType.FAILURE if event.get("urgency") == "critical" else \
            apprise.NotifyType.INFO
        body = str(event.get("summary", ""))
        for label, url in links(event):
            body += f"\n{label}: {url}"
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # imghdr, loaded with plugins
            return bool(instance.notify(title=title, body=body, notify_type=kind))
