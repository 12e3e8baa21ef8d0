"""A pass over old mail tells the present, not the past.  Pure: plain values in, plans out.

Mail is *history* when the daemon reads it long after it arrived: every message of an account's
first completed pass (the first scan, a newly added account), and any message dated more than
``HISTORY_AGE`` before the pass (mail read after a long downtime, or moved in from elsewhere).
Mail that arrives while the daemon runs is read within minutes and is news.

A history message changes its case as any message does (each case's story stays complete), but
plans no draft and no notification of its own: the case is marked to be *settled*.  At the end
of the pass each such case gets what its state needs now (``present_plan``): an appeal draft for a
notice nobody answered, an answer draft for an open question, a "please check" for a possible
notice, a phishing warning only for a recent fake; nothing for cases already appealed, answered
or decided.  The user gets one ``summary`` of what was found.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime, timedelta

from appealwatch.cases import Plan, plan_incoming
from appealwatch.model import CaseRow, MessageRow

HISTORY_AGE = timedelta(days=1)

# The draft each state calls for; any other draft of the case belongs to a state it has left.
WANTED_DRAFT = {"new": "appeal", "needs_reply": "answer", "appealed": "followup",
                "waiting": "followup"}


def is_history(date: datetime | None, first_pass: bool, now: datetime) -> bool:
    """Whether a message read now is history rather than news."""
    return first_pass or (date is not None and date < now - HISTORY_AGE)


def needing_message(case: CaseRow, messages: Sequence[MessageRow],
                    now: datetime) -> MessageRow | None:
    """The message whose need is still open on this case, if any: the notice of a case nobody
    has answered, the provider's latest question while it is unanswered, a phishing mail of the
    last day."""
    incoming = [m for m in messages if m.direction == "in"]
    if case.state in ("new", "possible"):
        return next((m for m in incoming if m.message_id == case.notice_message_id),
                    next((m for m in incoming if m.category == "suspension"), None))
    if case.state == "needs_reply":
        return next((m for m in reversed(incoming) if m.asks), None)
    if case.state == "suspicious":
        recent = [m for m in incoming if m.date is not None and m.date >= now - HISTORY_AGE]
        return recent[-1] if recent else None
    return None


def present_plan(case: CaseRow, messages: Sequence[MessageRow], now: datetime,
                 providers: dict[str, str], forms: dict[str, str] | None = None,
                 ) -> tuple[Plan, MessageRow | None]:
    """The drafts and notifications a case needs at the end of a pass over history (the same
    ones the message that opened the need would have planned), and that message."""
    msg = needing_message(case, messages, now)
    if msg is None:
        return Plan(case_id=case.id, why="nothing needed now"), None
    as_news = plan_incoming(msg, [], now, providers, forms)
    return replace(as_news, new_case=None, case_id=case.id, changes={}, transition=None,
                   why="needed now"), msg


def stale_drafts(state: str, drafts: Sequence[tuple[int, str]]) -> list[int]:
    """The drafts (id, kind; oldest first) a case in ``state`` no longer needs: every one of a
    kind its state does not call for, and every one but the newest."""
    wanted = WANTED_DRAFT.get(state)
    keep = next((i for i, kind in reversed(drafts) if kind == wanted), None)
    return [i for i, _ in drafts if i != keep]


def summary(cases: Sequence[CaseRow], needs_you: Callable[[CaseRow], bool], since: datetime,
            now: datetime) -> str:
    """One line on what a pass over history found."""
    found = [c for c in cases if c.state != "suspicious"]
    phishing = len(cases) - len(found)
    days = max(1, (now - since).days)
    need = sum(1 for c in found if needs_you(c))
    closed = sum(1 for c in found if not c.is_open)
    parts = [f"{need} need{'s' if need == 1 else ''} you"]
    if closed:
        parts.append(f"{closed} closed")
    if phishing:
        parts.append(f"{phishing} phishing warning{'s' if phishing != 1 else ''}")
    what = f"{len(found)} case{'s' if len(found) != 1 else ''}"
    return (f"Found {what} in the last {days} day{'s' if days != 1 else ''}: "
            f"{', '.join(parts)}; `appealwatch cases` lists them.")
