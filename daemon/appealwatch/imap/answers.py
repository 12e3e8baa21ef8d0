"""FETCH answers read straight off the wire: the hot path of a scan (see ``FetchPipeline``)."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientAbortError, IMAPClientError

_UID_ITEM = re.compile(rb"\bUID (\d+)")
_DATE_ITEM = re.compile(rb'\bINTERNALDATE "([^"]*)"')
_MONTHS = {m: n for n, m in enumerate((b"jan", b"feb", b"mar", b"apr", b"may", b"jun", b"jul",
                                       b"aug", b"sep", b"oct", b"nov", b"dec"), 1)}


def arrival_day(internaldate: bytes | None, seen: dict[bytes, date | None]) -> date | None:
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
