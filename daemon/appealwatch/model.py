"""Plain values shared by the pure core and the edges: a case and a message as the state knows
them.  No I/O here."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

OPEN_STATES = ("possible", "new", "appealed", "needs_reply", "waiting")
CLOSED_STATES = ("restored", "denied", "withdrawn", "dismissed")
ALL_STATES = (*OPEN_STATES, *CLOSED_STATES, "suspicious")


@dataclass(frozen=True, slots=True)
class CaseRow:
    id: int
    account_id: int
    provider: str | None
    reason: str | None
    state: str
    lang: str
    ticket: str | None
    account_ids: tuple[str, ...]
    notice_message_id: str | None
    notice_subject: str | None
    opened_at: datetime
    last_activity: datetime
    user_last_at: datetime | None
    provider_last_at: datetime | None
    awaiting_user: bool
    followups: int
    next_followup_at: datetime | None
    outcome: str | None
    snoozed_until: datetime | None = None
    # how we know the user wrote to the provider: "sent" (their message in Sent), "ack" (the
    # provider acknowledged a request) or "you" (marked by hand); None: no evidence, so no
    # follow-up is ever drafted
    appealed_via: str | None = None
    last_followup_at: datetime | None = None  # when the last follow-up draft was planned
    message_ids: frozenset[str] = field(default=frozenset())
    tickets: frozenset[str] = field(default=frozenset())
    senders: frozenset[str] = field(default=frozenset())  # addresses the provider wrote from
    deadline_at: datetime | None = None  # the last moment to act, as the provider stated it
    deadline_kind: str | None = None  # appeal | payment | rectify | closure | deletion
    deadline_text: str | None = None  # the provider's sentence
    promised_until: datetime | None = None  # no follow-up before this: the promised answer time

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES


@dataclass(frozen=True, slots=True)
class MessageRow:
    id: int
    folder_id: int
    location: str
    message_id: str | None
    date: datetime | None
    direction: str
    from_addr: str | None
    reply_to: str | None
    to_addrs: tuple[str, ...]
    subject: str | None
    in_reply_to: str | None
    refs: tuple[str, ...]
    category: str | None
    reason: str | None
    decision: str | None
    provider: str | None
    ticket: str | None
    lang: str | None
    phishing: bool
    phishing_reasons: tuple[str, ...]
    confidence: float | None
    cues: tuple[str, ...]
    account_ids: tuple[str, ...]
    asks: bool
    facts: dict[str, Any]
    case_id: int | None
    processed: bool
    folder_role: str = ""


