"""IMAP as a mail source, and IDLE watchers: the only module that imports imapclient.

* TLS by default (implicit TLS or STARTTLS), certificates and host names verified; a ``ca_file``
  adds a private CA; a plain connection only to a loopback host, and only when the config says so.
* Folders by RFC 6154 special-use flags, then by the usual names, then the config's overrides.
* New mail by UID above the folder's checkpoint; a changed UIDVALIDITY re-matches messages by
  Message-ID, so nothing is notified or drafted twice.
* Backfill decides from headers which messages can matter and fetches only those bodies.
* Drafts are APPENDed with ``\\Draft`` and ``\\Seen``; before any append the Drafts folder is
  searched for the draft's Message-ID, so a lost connection never leaves two copies.
* One connection per IDLE watcher; one for fetching and appending.  imapclient is not thread-safe.
"""

from __future__ import annotations

import contextlib
import dataclasses
import email.utils
import functools
import hashlib
import ipaddress
import logging
import os
import random
import re
import socket
import ssl
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from imapclient import IMAPClient
from imapclient.exceptions import (
    CapabilityError,
    IMAPClientAbortError,
    IMAPClientError,
    LoginError,
)
from imapclient.imapclient import DELETED, DRAFT, DRAFTS, JUNK, SEEN, SENT

from appealwatch import __version__
from appealwatch.parse import MAX_PARSE_BYTES
from appealwatch.sources import Fetched, SyncState

log = logging.getLogger("appealwatch.imap")

HEADER_BATCH = 500
# What the backfill needs to decide whether to fetch a message (a full header block with its
# Received, DKIM and ARC lines is ten times larger).  The server repeats the field list in every
# answer, and imapclient reads it a character at a time: keep it short.  The user's own mail in
# Sent is recorded from its headers alone, so it needs what threading reads as well.
HEADER_FIELDS = "BODY.PEEK[HEADER.FIELDS (FROM REPLY-TO SUBJECT LIST-ID MESSAGE-ID)]"
SENT_HEADER_FIELDS = ("BODY.PEEK[HEADER.FIELDS (FROM REPLY-TO TO SUBJECT DATE MESSAGE-ID "
                      "IN-REPLY-TO REFERENCES)]")
BODY_BATCH = 25
NETWORK_ERRORS = (OSError, TimeoutError, ssl.SSLError, IMAPClientError, EOFError)

JUNK_NAMES = ("Junk", "Spam", "[Gmail]/Spam", "[Google Mail]/Spam", "Junk E-mail", "Junk Email",
              "Bulk Mail", "Bulk", "INBOX.Junk", "INBOX.Spam", "INBOX/Junk", "INBOX/Spam",
              "垃圾邮件", "Spamverdacht", "Courrier indésirable", "Correo no deseado",
              "Posta indesiderata", "Ongewenste e-mail", "Skräppost", "Lixo Eletrônico")
SENT_NAMES = ("Sent", "Sent Items", "Sent Messages", "Sent Mail", "[Gmail]/Sent Mail",
              "[Google Mail]/Sent Mail", "INBOX.Sent", "INBOX/Sent", "已发送", "Gesendet",
              "Gesendete Elemente", "Envoyés", "Elementos enviados", "Posta inviata")
DRAFT_NAMES = ("Drafts", "[Gmail]/Drafts", "[Google Mail]/Drafts", "INBOX.Drafts",
               "INBOX/Drafts", "草稿箱", "Entwürfe", "Brouillons", "Borradores", "Bozze")
SPECIAL_USE = {"junk": JUNK, "sent": SENT, "drafts": DRAFTS}
NAMES = {"junk": JUNK_NAMES, "sent": SENT_NAMES, "drafts": DRAFT_NAMES}


class ImapError(Exception):
    """A connection problem, said in one sentence with what to do."""


class AuthError(ImapError):
    pass


@dataclass(frozen=True)
class ImapSettings:
    host: str
    port: int | None
    tls: str  # ssl | starttls | none
    username: str
    secret: Callable[[], tuple[str, str]] = field(repr=False)  # -> ("password"|"oauth2", value)
    ca_file: str | None = None
    allow_plaintext_loopback: bool = False
    timeout: float = 30.0

    @property
    def effective_port(self) -> int:
        return self.port or (993 if self.tls == "ssl" else 143)


def ssl_context(ca_file: str | None) -> ssl.SSLContext:
    """Loading the system's CA store costs about 0.1 s of CPU, so every connection (each
    reconnect, each IDLE watcher) shares one context; an edited ``ca_file`` is read again."""
    stamp = None
    if ca_file:
        with contextlib.suppress(OSError):
            st = os.stat(ca_file)
            stamp = (st.st_mtime_ns, st.st_size)
    return _ssl_context(ca_file, stamp)


@functools.lru_cache(maxsize=8)
def _ssl_context(ca_file: str | None, _stamp: tuple[int, int] | None) -> ssl.SSLContext:
    ctx = ssl.create_default_context()
    if ca_file:
        ctx.load_verify_locations(cafile=ca_file)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    return ctx


def _is_loopback(host: str) -> bool:
    try:
        infos = socket.getaddrinfo(host, None)
    except OSError:
        return False
    return bool(infos) and all(ipaddress.ip_address(i[4][0]).is_loopback for i in infos)


def _quiet(client: IMAPClient) -> None:
    """imapclient turns imaplib's protocol trace on and sends it to its DEBUG log, so imaplib
    formats every line it reads and the repr of every literal (whole messages) even when that log
    is off.  Switch the trace off unless the log is really wanted."""
    imap = getattr(client, "_imap", None)
    if imap is not None and not logging.getLogger("imapclient.imaplib").isEnabledFor(
            logging.DEBUG):
        imap.debug = 0


def _keepalive(client: IMAPClient) -> None:
    try:
        sock = client.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
        for opt, value in (("TCP_KEEPIDLE", 60), ("TCP_KEEPINTVL", 20), ("TCP_KEEPCNT", 3)):
            if hasattr(socket, opt):
                sock.setsockopt(socket.IPPROTO_TCP, getattr(socket, opt), value)
    except OSError:
        pass


# NetEase (163.com, 126.com, yeah.net) refuses SELECT with "Unsafe Login" to a client that has
# not said who it is with the IMAP ID command (RFC 2971)
_ID_REQUIRED = ("163.com", "126.com", "yeah.net", "188.com")


def _identify(client: IMAPClient, host: str) -> None:
    if not host.lower().rstrip(".").endswith(_ID_REQUIRED):
        return
    try:
        if client.has_capability("ID"):
            client.id_({"name": "appealwatch", "version": __version__})
    except IMAPClientError as exc:
        log.info("%s did not take the IMAP ID command: %s", host, _text(exc))


def connect(settings: ImapSettings) -> IMAPClient:
    """A logged-in client, or ImapError/AuthError saying what went wrong."""
    where = f"{settings.host}:{settings.effective_port}"
    if settings.tls == "none" and not (settings.allow_plaintext_loopback
                                       and _is_loopback(settings.host)):
        raise ImapError(f"refusing an unencrypted connection to {where}: use tls = \"ssl\" or "
                        "\"starttls\" (plain IMAP is only allowed to a loopback host)")
    ctx = ssl_context(settings.ca_file)
    client = None
    try:
        client = IMAPClient(settings.host, port=settings.effective_port,
                            ssl=settings.tls == "ssl", ssl_context=ctx,
                            timeout=settings.timeout)
        if settings.tls == "starttls":
            try:
                client.starttls(ctx)
            except IMAPClientError as exc:  # stripped or refused: never log in without TLS
                raise ImapError(f"{where} did not start TLS (STARTTLS: {_text(exc)}); "
                                "appealwatch never logs in without encryption") from None
        kind, secret = settings.secret()
        if kind == "oauth2":
            client.oauth2_login(settings.username, secret)
        else:
            client.login(settings.username, secret)
        _keepalive(client)
        _quiet(client)
        _identify(client, settings.host)
        return client
    except ssl.SSLCertVerificationError as exc:
        _close(client)
        raise ImapError(f"the TLS certificate of {where} could not be verified "
                        f"({exc.verify_message}); if the server uses a private CA, set "
                        "ca_file for this account") from None
    except ImapError:
        _close(client)
        raise
    except LoginError as exc:
        _close(client)
        raise AuthError(f"{where} refused the login of {settings.username} ({_text(exc)}); "
                        f"check the password (`appealwatch login`) or app password") from None
    except (ssl.SSLError, OSError, TimeoutError) as exc:
        _close(client)
        raise ImapError(f"cannot connect to {where}: {exc}") from None
    except IMAPClientError as exc:
        _close(client)
        raise ImapError(f"{where}: {_text(exc)}") from None


def _text(exc: BaseException) -> str:
    text = str(exc)
    return text.removeprefix("b'").removesuffix("'")[:200]


def _close(client: IMAPClient | None) -> None:
    if client is None:
        return
    try:
        client.logout()
    except Exception:
        with contextlib.suppress(Exception):
            client.shutdown()


def discover_folders(client: IMAPClient, overrides: dict[str, str]) -> dict[str, str]:
    """role -> mailbox name: special-use flags first, then common names; overrides win."""
    listing = client.list_folders()
    names = {name: flags for flags, _delim, name in listing}
    lower = {name.lower(): name for name in names}
    found = {"inbox": "INBOX"}
    for role, flag in SPECIAL_USE.items():
        by_flag = next((n for n, flags in names.items() if flag in flags), None)
        by_name = next((lower[c.lower()] for c in NAMES[role] if c.lower() in lower), None)
        if by_flag or by_name:
            found[role] = by_flag or by_name  # type: ignore[assignment]
    for role, name in overrides.items():
        found[role] = name
    return found


def _date_of(raw: bytes) -> datetime | None:
    m = re.search(rb"^Date:[ \t]*(.+(?:\r?\n[ \t].+)*)", raw, re.M | re.I)
    if not m:
        return None
    try:
        dt = email.utils.parsedate_to_datetime(m.group(1).decode("ascii", "replace").strip())
    except (TypeError, ValueError):
        return None
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def crlf(raw: bytes) -> bytes:
    return re.sub(rb"\r?\n", b"\r\n", raw)


class ImapSource:
    """An IMAP account for the engine: one connection for fetching and appending."""

    kind = "imap"

    def __init__(self, account: str, settings: ImapSettings, overrides: dict[str, str] | None,
                 *, lookback_days: int = 180,
                 may_matter: Callable[[bytes, str], bool] | None = None,
                 progress: bool | None = None) -> None:
        self.account = account
        self.settings = settings
        self.overrides = dict(overrides or {})
        self.lookback_days = lookback_days
        self.may_matter = may_matter or (lambda _headers, _role: True)
        self.progress = sys.stderr.isatty() if progress is None else progress
        self._client: IMAPClient | None = None
        self._last_used = time.monotonic()
        self._folders: dict[str, str] | None = None
        self._selected: tuple[str, bool] | None = None
        self.capabilities: frozenset[bytes] = frozenset()
        self.last_sync: dict[str, tuple[int, str]] = {}

    # -------------------------------------------------------------- connection

    def client(self) -> IMAPClient:
        if self._client is not None and time.monotonic() - self._last_used > 30:
            # an idle connection may have died silently (suspend, network change): prove it
            # alive quickly rather than wait for the full read timeout later
            try:
                self._client.socket().settimeout(5)
                self._client.noop()
                self._client.socket().settimeout(self.settings.timeout)
            except (*NETWORK_ERRORS, Exception):
                log.info("account %s: the connection went silent; reconnecting", self.account)
                self.close()
        if self._client is None:
            self._client = connect(self.settings)
            self.capabilities = frozenset(self._client.capabilities())
            self._selected = None
        self._last_used = time.monotonic()
        return self._client

    def close(self) -> None:
        _close(self._client)
        self._client = None
        self._selected = None

    def _select(self, name: str, readonly: bool) -> dict:
        client = self.client()
        info = client.select_folder(name, readonly=readonly)
        self._selected = (name, readonly)
        return info

    def _call(self, fn: Callable[[IMAPClient], object], *, retry: bool = True) -> object:
        """Run an idempotent operation; on a dropped connection reconnect once and retry.
        What still fails is an ImapError naming the account and the problem."""
        try:
            try:
                return fn(self.client())
            except NETWORK_ERRORS as exc:
                if isinstance(exc, IMAPClientError) and not _is_abort(exc):
                    raise
                self.close()
                if not retry:
                    raise
                log.info("account %s: connection lost (%s), reconnecting", self.account,
                         type(exc).__name__)
                return fn(self.client())
        except NETWORK_ERRORS as exc:
            raise self._failure(exc) from None

    def _failure(self, exc: BaseException) -> ImapError:
        where = f"{self.settings.host}:{self.settings.effective_port}"
        if isinstance(exc, IMAPClientError) and not _is_abort(exc):
            what = f"the server {where} refused a command ({_text(exc)})"
        else:
            self.close()
            what = f"the connection to {where} was lost ({type(exc).__name__}: {_text(exc)})"
        return ImapError(f"account {self.account}: {what}; nothing was lost, the next scan "
                         "tries again")

    def folders(self) -> dict[str, str]:
        if self._folders is None:
            self._folders = self._call(  # type: ignore[assignment]
                lambda c: discover_folders(c, self.overrides))
            missing = [r for r in ("junk", "sent", "drafts") if r not in self._folders]
            if missing:
                log.warning("account %s: no %s folder found; set folders = { %s } for this "
                            "account", self.account, "/".join(missing),
                            ", ".join(f'{r} = "..."' for r in missing))
        return dict(self._folders)

    # -------------------------------------------------------------- reading

    def sync(self, role: str, state: SyncState) -> Iterator[Fetched]:
        """New messages of a folder; records (uidvalidity, highest uid) in ``last_sync``."""
        name = self.folders().get(role)
        if name is None:
            return
        info = self._call(lambda c: c.select_folder(name, readonly=True))
        self._selected = (name, True)
        uidvalidity = int(info[b"UIDVALIDITY"])  # type: ignore[index]
        relocating = state.uidvalidity is not None and state.uidvalidity != uidvalidity
        checkpoint = int(state.checkpoint) if state.checkpoint and not relocating else 0
        since: date | None = None
        if checkpoint:
            uids = [u for u in self._in(name, lambda c: c.search(["UID", f"{checkpoint + 1}:*"]))
                    if u > checkpoint]  # type: ignore[attr-defined]
        else:
            uids, since = self._lookback(name)
        uids = sorted(u for u in uids if str(u) not in state.known or relocating)
        if relocating:
            log.warning("account %s: %s was recreated on the server (UIDVALIDITY %s -> %s); "
                        "matching its messages again by Message-ID", self.account, name,
                        state.uidvalidity, uidvalidity)
        highest = max(uids, default=checkpoint)
        self.last_sync[role] = (uidvalidity, str(highest))
        yield from self._fetch(role, name, uids, state, relocating, since)
        self.last_sync[role] = (uidvalidity, str(highest))

    def _lookback(self, name: str) -> tuple[list[int], date | None]:
        """The UIDs of a first scan: the messages of the last ``lookback_days``.  When even the
        folder's first message is that recent (a young account, a spam folder that empties
        itself), that is all of them, taken from SEARCH ALL, and the day each arrived is
        checked as its headers come in: the returned date says so.  Otherwise SEARCH SINCE,
        which makes some servers (Dovecot with Maildir) look up every message's arrival before
        they answer.  Either way the same messages, as SINCE compares them (RFC 3501 6.4.4:
        the day of the INTERNALDATE, time and zone disregarded)."""
        since = date.today() - timedelta(days=self.lookback_days)
        every = sorted(self._in(name, lambda c: c.search("ALL")))  # type: ignore[call-overload]
        if not every:
            return [], None
        dates: dict[int, bytes] = {}
        self._in(name, lambda c: fetch_literals(c, every[:1], "INTERNALDATE", dates))
        arrived = _arrival_day(dates.get(every[0]), {})
        if arrived is not None and arrived >= since:
            return every, since
        found = self._in(name, lambda c: c.search(["SINCE", since]))
        return sorted(found), None  # type: ignore[call-overload]

    def _in(self, name: str, fn: Callable[[IMAPClient], object], *,
            retry: bool = True) -> object:
        """``_call`` with ``name`` selected (read-only): a reconnection selects it again."""
        def run(client: IMAPClient) -> object:
            self._reading(client, name)
            return fn(client)
        return self._call(run, retry=retry)

    def _reading(self, client: IMAPClient, name: str) -> None:
        """Select ``name`` read-only unless it already is."""
        if self._selected != (name, True):
            client.select_folder(name, readonly=True)
            self._selected = (name, True)

    def _fetch(self, role: str, name: str, uids: list[int], state: SyncState,
               relocating: bool, since: date | None = None) -> Iterator[Fetched]:
        """Headers first; the bodies of the messages they show may matter are asked for as soon
        as their header batch is read, ahead of the next header batches, so that they arrive
        while the headers are still being decided on.  With ``since``, the arrival day comes
        with the headers and older messages are passed over."""
        fields = SENT_HEADER_FIELDS if role == "sent" else HEADER_FIELDS
        dates: dict[int, bytes] | None = None
        days: dict[bytes, date | None] = {}
        if since is not None:
            fields, dates = f"INTERNALDATE {fields}", {}
        # the parser reads the first MAX_PARSE_BYTES anyway: large attachments stay on the server
        partial = f"BODY.PEEK[]<0.{MAX_PARSE_BYTES + MAX_PARSE_BYTES // 4}>"
        header_jobs = deque(uids[i:i + HEADER_BATCH] for i in range(0, len(uids), HEADER_BATCH))
        body_jobs: deque[list[int]] = deque()
        done = wanted = bodies = 0
        for item, batch, resp in self._fetch_batches(name, [(body_jobs, partial),
                                                            (header_jobs, fields)], dates):
            if item == partial:
                for uid in batch:
                    raw = resp.get(uid)
                    if raw is not None:
                        yield Fetched(str(uid), raw)
                bodies += len(batch)
                self._progress(done, len(uids), bodies, wanted)
                continue
            candidates = []
            for uid in batch:
                if dates is not None and since is not None:
                    day = _arrival_day(dates.pop(uid, None), days)
                    if day is not None and day < since:
                        continue  # older than the lookback (not known: kept)
                headers = resp.get(uid, b"")
                if relocating:
                    mid = _message_id(headers)
                    if mid and state.known_message_id(mid):
                        yield Fetched(str(uid), headers, relocate_message_id=mid)
                        continue
                if role == "sent" or not self.may_matter(headers, role):
                    yield Fetched(str(uid), headers, headers_only=True)
                else:
                    candidates.append(uid)
            body_jobs.extend(candidates[i:i + BODY_BATCH]
                             for i in range(0, len(candidates), BODY_BATCH))
            done += len(batch)
            wanted += len(candidates)
            self._progress(done, len(uids), bodies, wanted)
        if uids:
            log.debug("account %s: %s: %d of %d new messages may matter, their bodies were "
                      "fetched", self.account, name, wanted, len(uids))

    def _fetch_batches(self, name: str, queues: list[tuple[deque[list[int]], str]],
                       dates: dict[int, bytes] | None = None, window: int = 2,
                       ) -> Iterator[tuple[str, list[int], dict[int, bytes]]]:
        """Batches of UIDs, each with the body section its queue names, taken from the first
        of ``queues`` that holds one (the caller may add batches while this runs); the
        INTERNALDATEs answered go to ``dates``.  Up to
        ``window`` UID FETCH commands are on the wire (RFC 3501 5.5), so that the server
        prepares the next answer while the caller works on this one.  On any trouble the rest
        is fetched one batch at a time through ``_call``, which reconnects."""

        def take() -> tuple[list[int], str] | None:
            return next(((q.popleft(), item) for q, item in queues if q), None)

        in_flight: deque[tuple[list[int], str]] = deque()
        pipeline: FetchPipeline | None = None
        try:
            client = self.client()
            self._reading(client, name)
            pipeline = FetchPipeline(client)
            while True:
                while len(in_flight) < window and (job := take()) is not None:
                    pipeline.send(*job)
                    in_flight.append(job)
                if not in_flight:
                    return
                batch, item = in_flight[0]
                resp = pipeline.receive(batch, item, dates)
                in_flight.popleft()
                yield item, batch, resp
        except NETWORK_ERRORS as exc:
            pipeline = None
            self.close()  # unread answers may be on the wire: go on on a new connection
            if isinstance(exc, IMAPClientError) and not _is_abort(exc):
                raise self._failure(exc) from None  # refused (NO, BAD): asking again won't help
            log.info("account %s: fetching again one batch at a time (%s)", self.account,
                     type(exc).__name__)
            retry = False  # the batch that failed is tried once more, like any other call
            while (job := in_flight.popleft() if in_flight else take()) is not None:
                batch, item = job
                resp = self._in(
                    name, lambda c, b=batch, i=item: fetch_literals(c, b, i, dates), retry=retry)
                retry = True
                yield item, batch, resp  # type: ignore[misc]
        finally:
            if pipeline is not None and pipeline.tags:
                self.close()  # left early (the caller stopped): answers are still on the wire

    def _progress(self, done: int, total: int, bodies: int, wanted: int) -> None:
        if not self.progress or total < 200:
            return
        width = 30
        filled = int(width * done / max(total, 1))
        sys.stderr.write(f"\r{self.account}: headers [{'#' * filled}{'.' * (width - filled)}] "
                         f"{done}/{total}, bodies {bodies}/{wanted}")
        if done >= total and bodies >= wanted:
            sys.stderr.write("\n")
        sys.stderr.flush()

    def read(self, role: str, location: str) -> bytes | None:
        name = self.folders().get(role)
        if name is None:
            return None
        uid = int(location)
        resp = self._in(name, lambda c: fetch_literals(c, [uid], "BODY.PEEK[]"))
        return resp.get(uid)  # type: ignore[union-attr]

    # -------------------------------------------------------------- drafts

    def _drafts(self) -> str:
        name = self.folders().get("drafts")
        if name is None:
            raise ImapError(f"account {self.account}: no Drafts folder; set folders = "
                            "{ drafts = \"...\" } for this account")
        return name

    def _select_drafts(self, client: IMAPClient) -> None:
        name = self._drafts()
        if self._selected != (name, False):
            try:
                client.select_folder(name, readonly=False)
            except IMAPClientError as exc:
                self._recreate_drafts(client, name, exc)
                client.select_folder(name, readonly=False)
            self._selected = (name, False)

    def _recreate_drafts(self, client: IMAPClient, name: str, exc: IMAPClientError) -> None:
        """After a refused SELECT or APPEND: create the Drafts folder again if it was deleted;
        any other failure (a lost connection, a folder that is there) is raised again."""
        if _is_abort(exc) or client.folder_exists(name):
            raise exc
        log.warning("account %s: the Drafts folder %r is gone; creating it again",
                    self.account, name)
        client.create_folder(name)
        self._selected = None

    def find_draft(self, message_id: str) -> str | None:
        def search(c: IMAPClient) -> list[int]:
            self._select_drafts(c)
            return c.search(["HEADER", "Message-ID", message_id])
        found = self._call(search)
        return str(max(found)) if found else None  # type: ignore[type-var, arg-type]

    def append_draft(self, raw: bytes) -> str:
        """APPEND once, never retried here: after a failure the engine searches first."""
        name = self._drafts()
        when = _date_of(raw) or datetime.now(UTC)
        client = self.client()
        try:
            try:
                resp = client.append(name, crlf(raw), flags=(DRAFT, SEEN), msg_time=when)
            except IMAPClientError as exc:
                self._recreate_drafts(client, name, exc)
                resp = client.append(name, crlf(raw), flags=(DRAFT, SEEN), msg_time=when)
        except NETWORK_ERRORS as exc:
            self.close()
            raise self._failure(exc) from None
        m = re.search(rb"\[APPENDUID \d+ (\d+)\]", resp or b"")
        if m:
            return m.group(1).decode()
        mid = _message_id(raw)
        found = self.find_draft(mid) if mid else None
        if found is None:
            raise ImapError(f"account {self.account}: the server accepted the draft but it "
                            "cannot be found in Drafts")
        return found

    def read_draft(self, location: str) -> bytes | None:
        uid = int(location)

        def fetch(c: IMAPClient) -> bytes | None:
            self._select_drafts(c)
            data = c.fetch([uid], ["BODY.PEEK[]"]).get(uid, {})
            return data.get(b"BODY[]")
        return self._call(fetch)  # type: ignore[return-value]

    def remove_draft(self, location: str) -> None:
        uid = int(location)

        def remove(c: IMAPClient) -> None:
            self._select_drafts(c)
            c.add_flags([uid], [DELETED])
            if c.has_capability("UIDPLUS"):
                c.uid_expunge([uid])
            else:
                c.expunge()
        self._call(remove)

    @staticmethod
    def content_hash(raw: bytes) -> str:
        return hashlib.sha256(raw.replace(b"\r\n", b"\n")).hexdigest()


_UID_ITEM = re.compile(rb"\bUID (\d+)")
_DATE_ITEM = re.compile(rb'\bINTERNALDATE "([^"]*)"')
_MONTHS = {m: n for n, m in enumerate((b"jan", b"feb", b"mar", b"apr", b"may", b"jun", b"jul",
                                       b"aug", b"sep", b"oct", b"nov", b"dec"), 1)}


def _arrival_day(internaldate: bytes | None, seen: dict[bytes, date | None]) -> date | None:
    """The day of an INTERNALDATE (`` 4-Dec-2026 17:00:00 +0000``) as written, which is the
    day SEARCH SINCE compares; None when there is none or it cannot be read.  ``seen`` caches
    the days already read (a mailbox has few distinct ones)."""
    if internaldate is None:
        return None
    key = internaldate.strip()[:11]
    if key not in seen:
        try:
            day, month, year = key.split(b"-")
            seen[key] = date(int(year), _MONTHS[month.lower()], int(day))
        except (ValueError, KeyError):
            seen[key] = None
    return seen[key]


def fetch_literals(client: IMAPClient, uids: list[int], item: str,
                   dates: dict[int, bytes] | None = None) -> dict[int, bytes]:
    """UID -> the one body section ``item`` asks for (BODY.PEEK[...]), for many messages: a
    pipeline of one command.  INTERNALDATEs, where ``item`` asks for them, go to ``dates``."""
    if not uids:
        return {}
    pipeline = FetchPipeline(client)
    pipeline.send(uids, item)
    return pipeline.receive(uids, item, dates)


_LITERAL_AT_END = re.compile(rb"\{(\d+)\}\r?\n\Z")
_UNTAGGED = re.compile(rb"\* (?:(\d+) )?([A-Z-]+) ?")


class FetchPipeline:
    """UID FETCH commands sent ahead of reading their answers, on imapclient's imaplib
    connection, and the answers read here.

    imapclient lexes every response a character at a time (about 100 us a message), and
    imaplib, under it, runs several regular expressions and a dictionary update on every line
    (about 12 us a message, three times the cost of reading it).  A FETCH answer has a simple
    shape, so this reads the lines and literals itself: the literal of each answer goes to its
    UID (read from the text around it, before or after), as does its INTERNALDATE where one is
    asked for.  Other untagged answers (EXISTS, EXPUNGE, OK ...) are handed to imaplib as it
    would have kept them; BYE or the end of the stream is a lost connection; a NO or BAD
    completion is a refusal.  Answers are matched by UID, not by order, so a server that
    interleaves the answers of two commands loses nothing, and completions are kept by tag.  A
    UID without a literal (the section as NIL or a quoted string) goes through imapclient's
    parser instead."""

    def __init__(self, client: IMAPClient) -> None:
        self.client = client
        self.imap = getattr(client, "_imap", None)
        self.tags: list[bytes] = []
        self.found: dict[int, bytes] = {}
        self.completed: dict[bytes, bytes] = {}

    def send(self, uids: list[int], item: str) -> None:
        if self.imap is None:
            return
        self.tags.append(self.imap._command("UID", "FETCH", ",".join(map(str, uids)),
                                            f"({item})"))

    def receive(self, uids: list[int], item: str,
                dates: dict[int, bytes] | None = None) -> dict[int, bytes]:
        if self.imap is None:
            return _sections(self.client.fetch(uids, [item]))
        tag = self.tags.pop(0)
        status = read_answers(self.imap, tag, self.found, self.completed, dates)
        if not status.startswith(b"OK"):
            raise IMAPClientError(f"UID FETCH failed: {status.strip()!r}")
        out = {u: self.found.pop(u) for u in uids if u in self.found}
        missing = [u for u in uids if u not in out]
        if missing and "BODY" in item:
            # answered in another shape (NIL, a quoted string): imapclient's parser
            self.found.update(_sections(self.client.fetch(missing, [item])))
            out.update((u, self.found.pop(u)) for u in missing if u in self.found)
        return out


def read_answers(imap: Any, tag: bytes, found: dict[int, bytes], completed: dict[bytes, bytes],
                 dates: dict[int, bytes] | None = None) -> bytes:
    """Read the server's answers up to the completion of command ``tag`` and return its
    status text (``OK ...``).  Each FETCH answer's first literal goes to ``found`` under its
    UID, its INTERNALDATE to ``dates``; completions of other commands go to ``completed``."""
    while tag not in completed:
        line = imap.readline()
        if not line.endswith(b"\n"):
            raise IMAPClientAbortError("the connection closed in the middle of an answer")
        if line.startswith(b"* "):
            text, literal = line, None
            while (m := _LITERAL_AT_END.search(line)) is not None:
                size = int(m.group(1))
                data = imap.read(size)
                if len(data) != size:
                    raise IMAPClientAbortError("the connection closed in a literal")
                if literal is None:
                    literal = data
                line = imap.readline()  # what follows the literal, to the end of the answer
                if not line.endswith(b"\n"):
                    raise IMAPClientAbortError("the connection closed after a literal")
                text += line
            _untagged(imap, text, literal, found, dates)
        elif line.startswith(b"+"):
            raise IMAPClientAbortError(f"unexpected continuation request: {line[:60]!r}")
        else:
            done, _, status = line.partition(b" ")
            completed[done] = status
            imap.tagged_commands.pop(done, None)
    return completed.pop(tag)


def _untagged(imap: Any, text: bytes, literal: bytes | None, found: dict[int, bytes],
              dates: dict[int, bytes] | None) -> None:
    m = _UNTAGGED.match(text)
    if m is None:
        return
    number, kind = m.groups()
    if kind == b"FETCH":
        uid = _UID_ITEM.search(text)
        if uid is None:
            return  # a flag change another client made: not asked for
        if literal is not None:
            found[int(uid.group(1))] = literal
        if dates is not None and (d := _DATE_ITEM.search(text)):
            dates[int(uid.group(1))] = d.group(1)
    elif kind == b"BYE":
        raise IMAPClientAbortError(f"the server closed the connection: {text.strip()!r}")
    else:  # EXISTS, EXPUNGE, OK [...]: kept the way imaplib keeps them
        imap._append_untagged(kind.decode("ascii"), number or text[m.end():].rstrip(b"\r\n"))


def _sections(resp: dict) -> dict[int, bytes]:
    """imapclient's fetch result -> UID -> the body section's bytes."""
    out = {}
    for uid, data in resp.items():
        value = next((v for k, v in data.items()
                      if isinstance(k, bytes) and k.startswith(b"BODY[")), None)
        if isinstance(value, bytes):
            out[uid] = value
        elif isinstance(value, str):
            out[uid] = value.encode("utf-8", "surrogateescape")
    return out


def _message_id(raw: bytes) -> str | None:
    m = re.search(rb"^Message-ID:[ \t]*(?:\r?\n[ \t]+)?(<[^>\r\n]+>)", raw, re.M | re.I)
    return m.group(1).decode("ascii", "replace") if m else None


def _is_abort(exc: BaseException) -> bool:
    return isinstance(exc, IMAPClientAbortError)


# ------------------------------------------------------------------ IDLE watchers


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
                self._set_state("disconnected", f"{type(exc).__name__}: {_text(exc)}")
                self._sleep(self.backoff.next_delay())
            finally:
                client, self.client = self.client, None
                _close_quietly(client)

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


def _close_quietly(client: IMAPClient | None) -> None:
    if client is None:
        return
    with contextlib.suppress(Exception):
        client.shutdown()


def server_has_idle(client: IMAPClient) -> bool:
    try:
        return bool(client.has_capability("IDLE"))
    except CapabilityError:
        return False
