"""An IMAP account as a mail source for the engine: one connection for fetching and appending.

* New mail by UID above the folder's checkpoint; a changed UIDVALIDITY re-matches messages by
  Message-ID, so nothing is notified or drafted twice.
* Backfill decides from headers which messages can matter and fetches only those bodies.
* Drafts are APPENDed with ``\\Draft`` and ``\\Seen``; before any append the Drafts folder is
  searched for the draft's Message-ID, so a lost connection never leaves two copies.
"""

from __future__ import annotations

import contextlib
import email.utils
import hashlib
import logging
import re
import socket
import sys
import time
from collections import deque
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError
from imapclient.imapclient import DELETED, DRAFT, FLAGGED, SEEN

from appealwatch.imap.answers import FetchPipeline, arrival_day, fetch_literals
from appealwatch.imap.connection import (
    NETWORK_ERRORS,
    ImapError,
    ImapSettings,
    close_client,
    connect,
    discover_folders,
    drop_client,
    error_text,
    is_abort,
)
from appealwatch.parse import MAX_PARSE_BYTES
from appealwatch.sources import Fetched, SyncState

log = logging.getLogger("appealwatch.imap")
_BOOT = getattr(time, "CLOCK_BOOTTIME", None)


def _uptime() -> float:
    """Seconds on a clock that also counts time asleep (CLOCK_BOOTTIME where there is one)."""
    return time.clock_gettime(_BOOT) if _BOOT is not None else time.monotonic()


HEADER_BATCH = 500
# What the backfill needs to decide whether to fetch a message (a full header block with its
# Received, DKIM and ARC lines is ten times larger).  The server repeats the field list in every
# answer, and imapclient reads it a character at a time: keep it short.  The user's own mail in
# Sent is recorded from its headers alone, so it needs what threading reads as well.
HEADER_FIELDS = "BODY.PEEK[HEADER.FIELDS (FROM REPLY-TO SUBJECT LIST-ID MESSAGE-ID)]"
SENT_HEADER_FIELDS = ("BODY.PEEK[HEADER.FIELDS (FROM REPLY-TO TO SUBJECT DATE MESSAGE-ID "
                      "IN-REPLY-TO REFERENCES)]")
BODY_BATCH = 25
DEFAULT_DRAFTS = "Drafts"  # where drafts go on a server without a Drafts folder (it is created)


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
        self._last_used = _uptime()
        self._folders: dict[str, str] | None = None
        self._selected: tuple[str, bool] | None = None
        self.capabilities: frozenset[bytes] = frozenset()
        self.last_sync: dict[str, tuple[int, str]] = {}

    # -------------------------------------------------------------- connection

    def client(self) -> IMAPClient:
        if self._client is not None and _uptime() - self._last_used > 30:
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
        self._last_used = _uptime()
        return self._client

    def close(self) -> None:
        close_client(self._client)
        self._client = None
        self._selected = None

    def interrupt(self) -> None:
        """From another thread, after a sleep: a read waiting on a
        connection that may have died ends at once (the operation fails over to a new
        connection) instead of after the full timeout."""
        client = self._client
        if client is not None:
            with contextlib.suppress(OSError):
                client.socket().shutdown(socket.SHUT_RDWR)

    def drop_connection(self) -> None:
        """After a sleep: the connection is replaced before its next use, without a goodbye
        (waiting for the answer of a dead one would cost the full timeout)."""
        drop_client(self._client)
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
                if isinstance(exc, IMAPClientError) and not is_abort(exc):
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
        if isinstance(exc, IMAPClientError) and not is_abort(exc):
            what = f"the server {where} refused a command ({error_text(exc)})"
        else:
            self.close()
            what = f"the connection to {where} was lost ({type(exc).__name__}: {error_text(exc)})"
        return ImapError(f"account {self.account}: {what}; nothing was lost, the next scan "
                         "tries again")

    def folders(self) -> dict[str, str]:
        if self._folders is None:
            self._folders = self._call(  # type: ignore[assignment]
                lambda c: discover_folders(c, self.overrides))
            if "drafts" not in self._folders:  # deleted, or never made: made when needed
                log.warning("account %s: no Drafts folder found; drafts go to a new folder %r "
                            "(or set folders = { drafts = \"...\" } for this account)",
                            self.account, DEFAULT_DRAFTS)
                self._folders["drafts"] = DEFAULT_DRAFTS
            missing = [r for r in ("junk", "sent") if r not in self._folders]
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
        arrived = arrival_day(dates.get(every[0]), {})
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
                    day = arrival_day(dates.pop(uid, None), days)
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
            if isinstance(exc, IMAPClientError) and not is_abort(exc):
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
        return self.folders()["drafts"]

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
        if is_abort(exc) or client.folder_exists(name):
            raise exc
        log.warning("account %s: the Drafts folder %r is gone; creating it again",
                    self.account, name)
        client.create_folder(name)
        self._selected = None

    def _find(self, select: Callable[[IMAPClient], None], message_id: str) -> str | None:
        """The UID of the message with this Message-ID in the folder ``select`` selects."""
        def search(c: IMAPClient) -> list[int]:
            select(c)
            return c.search(["HEADER", "Message-ID", message_id])
        found = self._call(search)
        return str(max(found)) if found else None  # type: ignore[type-var, arg-type]

    def _appended(self, resp: bytes | None, found: Callable[[], str | None], what: str) -> str:
        """The UID an APPEND gave (APPENDUID), else the one a search finds."""
        m = re.search(rb"\[APPENDUID \d+ (\d+)\]", resp or b"")
        if m:
            return m.group(1).decode()
        uid = found()
        if uid is None:
            raise ImapError(f"account {self.account}: the server accepted the {what} but it "
                            "cannot be found")
        return uid

    def _remove(self, select: Callable[[IMAPClient], None], location: str, *,
                expunge_folder: bool) -> None:
        """Delete one message.  Without UIDPLUS only a folder-wide EXPUNGE can remove it:
        done in Drafts (``expunge_folder``), never in INBOX, where it would take the user's."""
        uid = int(location)

        def remove(c: IMAPClient) -> None:
            select(c)
            c.add_flags([uid], [DELETED])
            if c.has_capability("UIDPLUS"):
                c.uid_expunge([uid])
            elif expunge_folder:
                c.expunge()
        self._call(remove)

    def find_draft(self, message_id: str) -> str | None:
        return self._find(self._select_drafts, message_id)

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
        mid = _message_id(raw)
        return self._appended(resp, lambda: self.find_draft(mid) if mid else None, "draft")

    def read_draft(self, location: str) -> bytes | None:
        uid = int(location)

        def fetch(c: IMAPClient) -> bytes | None:
            self._select_drafts(c)
            data = c.fetch([uid], ["BODY.PEEK[]"]).get(uid, {})
            return data.get(b"BODY[]")
        return self._call(fetch)  # type: ignore[return-value]

    def remove_draft(self, location: str) -> None:
        self._remove(self._select_drafts, location, expunge_folder=True)

    # -------------------------------------------------------------- notification messages

    def _select_inbox(self, client: IMAPClient) -> None:
        name = self.folders().get("inbox", "INBOX")
        if self._selected != (name, False):
            client.select_folder(name, readonly=False)
            self._selected = (name, False)

    def find_note(self, message_id: str) -> str | None:
        return self._find(self._select_inbox, message_id)

    def append_note(self, raw: bytes, message_id: str) -> str:
        """APPEND to INBOX as unseen, once: after a failure the engine searches first."""
        name = self.folders().get("inbox", "INBOX")
        client = self.client()
        try:
            resp = client.append(name, crlf(raw), flags=(), msg_time=datetime.now(UTC))
        except NETWORK_ERRORS as exc:
            self.close()
            raise self._failure(exc) from None
        return self._appended(resp, lambda: self.find_note(message_id), "notification message")

    def note_state(self, location: str) -> str | None:
        uid = int(location)

        def flags(c: IMAPClient) -> str | None:
            self._select_inbox(c)
            got = c.get_flags([uid]).get(uid)
            if got is None:
                return None
            return "flagged" if FLAGGED in got else "untouched"
        return self._call(flags)  # type: ignore[return-value]

    def remove_note(self, location: str) -> None:
        self._remove(self._select_inbox, location, expunge_folder=False)

    @staticmethod
    def content_hash(raw: bytes) -> str:
        return hashlib.sha256(raw.replace(b"\r\n", b"\n")).hexdigest()


def _message_id(raw: bytes) -> str | None:
    m = re.search(rb"^Message-ID:[ \t]*(?:\r?\n[ \t]+)?(<[^>\r\n]+>)", raw, re.M | re.I)
    return m.group(1).decode("ascii", "replace") if m else None
