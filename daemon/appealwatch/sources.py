"""The contract every mail source (Maildir, IMAP) fulfils for the engine."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True, slots=True)
class Fetched:
    """One message found by a sync."""

    location: str
    raw: bytes  # the whole message, or only its header block when headers_only
    headers_only: bool = False  # the headers showed it cannot matter; the body was not fetched
    relocate_message_id: str | None = None  # a known message that now lives at ``location``


@dataclass
class SyncState:
    """What the state database knows about a folder."""

    known: set[str] = field(default_factory=set)  # locations already recorded
    uidvalidity: int | None = None
    checkpoint: str | None = None
    known_message_id: Callable[[str], bool] = lambda _mid: False


class MailSource(Protocol):
    account: str
    kind: str
    last_sync: dict[str, tuple[int, str]]  # role -> (uidvalidity, checkpoint) after sync()

    def folders(self) -> dict[str, str]: ...
    def sync(self, role: str, state: SyncState) -> Iterator[Fetched]: ...
    def read(self, role: str, location: str) -> bytes | None: ...
    def find_draft(self, message_id: str) -> str | None: ...
    def append_draft(self, raw: bytes) -> str: ...
    def read_draft(self, location: str) -> bytes | None: ...
    def remove_draft(self, location: str) -> None: ...
    def content_hash(self, raw: bytes) -> str: ...
    # notification messages in INBOX (the "inbox" notification backend)
    def find_note(self, message_id: str) -> str | None: ...
    def append_note(self, raw: bytes, message_id: str) -> str: ...
    def note_state(self, location: str) -> str | None: ...  # untouched | flagged | None (gone)
    def remove_note(self, location: str) -> None: ...
    def close(self) -> None: ...
