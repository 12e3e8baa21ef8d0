"""Case logic: one case per incident.  Pure: a message and the known cases in, a plan out.

A message joins a case by its threading headers (In-Reply-To/References against every message
and draft of the case), by a ticket/case number, or by provider + account identifiers; otherwise
a genuine suspension notice opens a new case, and so does an acknowledgement, reply or decision
that answers something the user sent that appealwatch has not seen.  Phishing opens a case of its
own in state ``suspicious`` and never joins another.

States: new -> appealed -> (needs_reply <-> waiting) -> restored | denied | withdrawn.  A
*possible* notice (mixed evidence) waits in ``possible`` for the user: confirmed, it becomes
``new`` with its appeal draft; dismissed, ``dismissed`` (closed: it never notifies again).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from appealwatch.classify.unwrap import is_forward_subject
from appealwatch.model import ALL_STATES, CLOSED_STATES, CaseRow, MessageRow

# Which state changes are allowed; anything else is a bug (checked by the tests).
ALLOWED = {
    None: {"possible", "new", "appealed", "needs_reply", "waiting", "restored", "denied",
           "suspicious"},
    "possible": {"new", "appealed", "needs_reply", "waiting", "restored", "denied", "withdrawn",
                 "dismissed"},
    "new": {"appealed", "needs_reply", "waiting", "restored", "denied", "withdrawn"},
    "appealed": {"needs_reply", "waiting", "restored", "denied", "withdrawn"},
    "needs_reply": {"waiting", "appealed", "restored", "denied", "withdrawn"},
    "waiting": {"needs_reply", "restored", "denied", "withdrawn"},
    "restored": set(),
    "denied": set(),
    "withdrawn": set(),
    "dismissed": set(),
    "suspicious": set(),
}
assert set(ALLOWED) - {None} == set(ALL_STATES)


@dataclass(frozen=True, slots=True)
class DraftIntent:
    kind: str  # appeal | answer | followup
    number: int  # the follow-up's number; 0 otherwise
    answers: str | None  # Message-ID of the message the draft replies to


@dataclass(frozen=True, slots=True)
class NoticeIntent:
    event: str  # one of notify.EVENTS
    summary: str
    folder: str | None
    with_draft: bool = False


@dataclass(frozen=True, slots=True)
class Plan:
    case_id: int | None = None  # the existing case the message joins
    new_case: dict[str, Any] | None = None  # or the values of a case it opens
    changes: dict[str, Any] = field(default_factory=dict)
    transition: tuple[str | None, str, str] | None = None  # from, to, cause
    drafts: tuple[DraftIntent, ...] = ()
    notices: tuple[NoticeIntent, ...] = ()
    why: str = ""


def transition_allowed(from_state: str | None, to_state: str) -> bool:
    return to_state in ALLOWED.get(from_state, set())


def forwarded_by(msg: MessageRow) -> str | None:
    """Who forwarded a message that stands for the notice inside it (None if not a forward)."""
    by = msg.facts.get("forwarded_by") if msg.facts else None
    return str(by) if by else None


def _refs(msg: MessageRow) -> set[str]:
    return {r for r in (msg.in_reply_to, *msg.refs) if r}


# Help-desk platforms providers answer through: a reply from acme.zendesk.com is Acme's.
HELP_DESKS = ("zendesk.com", "freshdesk.com", "salesforce.com", "force.com", "helpscout.net",
              "helpscoutapp.com", "intercom.io", "intercom-mail.com", "intercom.com",
              "zohodesk.com", "kayako.com", "happyfox.com", "gorgias.com")
_GENERIC_LABELS = frozenset({
    "support", "help", "helpdesk", "desk", "my", "mail", "email", "e", "noreply", "no-reply",
    "donotreply", "notifications", "notification", "team", "service", "services", "customer",
    "customers", "care", "ticket", "tickets", "info", "reply", "replies", "hello", "contact",
    "cases", "case", "success", "www", "in", "eu", "us", "na"})
# A notice from the address a provider wrote about an open case from, this soon after the
# case's last message, is part of the same incident (a warning, then the restriction; a
# reminder; an escalation), unless it names an account the case does not.  (A large provider writes
# about its different products from different addresses.)
SAME_INCIDENT = timedelta(days=30)


def desk_names(address: str | None) -> frozenset[str]:
    """The names a help-desk address gives for the organisation it answers for: the labels
    before the platform's domain and the mailbox name (acme.zendesk.com, acme@intercom-mail.com,
    acme.my.salesforce.com: acme); empty for any other address."""
    if not address or "@" not in address:
        return frozenset()
    local, _, host = address.lower().rpartition("@")
    desk = next((d for d in HELP_DESKS if host == d or host.endswith("." + d)), None)
    if desk is None:
        return frozenset()
    labels = [*host[: -len(desk)].strip(".").split("."), *local.replace("_", "-").split("+")]
    return frozenset(x for x in labels if x and x not in _GENERIC_LABELS)


def _same_provider(msg: MessageRow, case: CaseRow, desk: frozenset[str]) -> bool:
    """Whether a message may be from a case's provider: the same one, one of them unknown, or
    a help desk answering in the provider's name."""
    return (msg.provider is None or case.provider is None or case.provider == msg.provider
            or case.provider in desk)


def match_case(msg: MessageRow, cases: list[CaseRow]) -> tuple[CaseRow | None, str]:
    """The case a message belongs to, and how it was linked."""
    candidates = [c for c in cases if c.state != "suspicious"]
    desk = desk_names(msg.from_addr) | desk_names(msg.reply_to)
    if msg.message_id:
        # the same message again: a copy in another folder, or moved there by the user
        linked = [c for c in candidates if msg.message_id in c.message_ids]
        if linked:
            return _prefer_open(linked), SAME_MESSAGE
    refs = _refs(msg)
    if refs:
        linked = [c for c in candidates if c.message_ids & refs]
        if linked:
            return _prefer_open(linked), "threading headers"
    if msg.ticket:
        # an answer quoting a long ticket number of an open case is about it, whichever of the
        # provider's addresses or help desks it comes from
        distinctive = msg.category in RESPONSES and len(msg.ticket) >= 6
        linked = [c for c in candidates if msg.ticket in c.tickets
                  and (_same_provider(msg, c, desk) or (distinctive and c.is_open))]
        if linked:
            return _prefer_open(linked), f"ticket {msg.ticket}"
    if msg.account_ids and (msg.provider or desk):
        ids = set(msg.account_ids)
        linked = [c for c in candidates if c.provider and _same_provider(msg, c, desk)
                  and ids & set(c.account_ids)]
        # a new notice on an account whose earlier incident is closed is a new incident
        if msg.category == "suspension":
            linked = [c for c in linked if c.is_open]
        if linked:
            return _prefer_open(linked), "provider and account id"
    if msg.category == "suspension" and msg.provider and msg.date and msg.subject:
        # the same notice seen twice (forwarded by someone, or a copy sent to another of the
        # user's addresses): the same provider and subject within a day, no other account
        linked = [c for c in candidates if c.provider == msg.provider and c.is_open
                  and c.notice_subject == msg.subject
                  and abs(c.opened_at - msg.date) <= timedelta(days=1)
                  and not (msg.account_ids and c.account_ids
                           and set(msg.account_ids).isdisjoint(c.account_ids))]
        if linked:
            return _prefer_open(linked), "another copy of its notice"
    if msg.category == "suspension" and msg.provider and msg.date:
        sender = (msg.from_addr or "").lower()
        linked = [c for c in candidates if c.provider == msg.provider and c.is_open
                  and sender in c.senders
                  and c.opened_at <= msg.date <= c.last_activity + SAME_INCIDENT
                  and set(msg.account_ids) <= set(c.account_ids)]
        if linked:
            return _prefer_open(linked), f"the open {msg.provider} case of the same incident"
    if (msg.provider or desk) and msg.category in RESPONSES:
        # Providers often answer from another address, quoting only the user's own message:
        # an answer from a provider belongs to the open case with that provider.
        linked = [c for c in candidates if c.provider and c.provider in {msg.provider, *desk}
                  and c.is_open and (msg.date is None or c.opened_at <= msg.date)]
        if linked:
            found = _prefer_open(linked)
            return found, f"the open {found.provider} case"
    return None, ""


RESPONSES = ("ticket_ack", "support_reply", "appeal_decision")
SAME_MESSAGE = "the same message"


def _prefer_open(cases: list[CaseRow]) -> CaseRow:
    return max(cases, key=lambda c: (c.is_open, c.last_activity, c.id))


def _name(providers: dict[str, str], pid: str | None) -> str:
    return providers.get(pid or "", pid or "an unknown provider")


REASON_WORDS = {
    "policy": "a policy violation",
    "payment": "a payment problem",
    "security": "a security check",
    "system": "an error on the provider's side",
    "unknown": "no stated reason",
}


def _identifier(msg: MessageRow) -> str:
    return f" {msg.account_ids[0]}" if msg.account_ids else " your account"


def plan_incoming(
    msg: MessageRow,
    cases: list[CaseRow],
    now: datetime,
    providers: dict[str, str],
    forms: dict[str, str] | None = None,
) -> Plan:
    """What a message from the outside (INBOX or spam folder) changes.  ``forms``: the appeal
    form of each provider whose appeals go through one (provider id -> URL)."""
    when = msg.date or now
    folder_note = " — found in your spam folder" if msg.folder_role == "junk" else ""
    if forwarded_by(msg):
        folder_note = f" (forwarded by {forwarded_by(msg)}){folder_note}"
    name = _name(providers, msg.provider)
    if msg.category == "irrelevant" and msg.provider:
        return _about_a_case(msg, cases, when, name, folder_note)
    if msg.category in (None, "irrelevant"):
        return Plan(why="irrelevant")
    if msg.phishing:
        reasons = "; ".join(msg.phishing_reasons) or "it does not come from the provider"
        return _told_only(msg, "suspicious", when, f"phishing imitating {name}: {reasons}",
                          "phishing_warning", f"Phishing: a fake {name} suspension notice"
                          f"{folder_note}. Do not click its links or reply. ({reasons})")
    case, link = match_case(msg, cases)
    if case is None:
        return _open_case(msg, when, name, folder_note, (forms or {}).get(msg.provider or ""))
    if link == SAME_MESSAGE:
        return Plan(case_id=case.id, why=f"{SAME_MESSAGE} as case {case.id}'s, seen before")
    return _advance_from(case, msg, when, name, folder_note, f"linked by {link}")


def _about_a_case(msg: MessageRow, cases: list[CaseRow], when: datetime, name: str,
                  folder_note: str) -> Plan:
    """A provider's mail that reads as no notice, reply or decision but points at an open case
    by its thread or its ticket number ("your ticket 2025… has a new reply") is the case's: it
    is kept with it, and the user is asked to read it."""
    refs = _refs(msg)
    linked = [c for c in cases if c.is_open and (
        c.message_ids & refs or (msg.ticket and msg.ticket in c.tickets
                                 and c.provider in (None, msg.provider)))]
    if not linked:
        return Plan(why="irrelevant")
    case = _prefer_open(linked)
    return Plan(
        case_id=case.id,
        changes={"last_activity": max(when, case.last_activity),
                 "provider_last_at": max(when, case.provider_last_at or when)},
        notices=(NoticeIntent(
            "provider_reply", f"{name} wrote about this case{folder_note} "
            f"({msg.subject or 'no subject'}); it reads as neither a question nor a decision: "
            "please read it.", msg.folder_role),),
        why="a message about an open case")


def _told_only(msg: MessageRow, state: str, when: datetime, cause: str, event: str,
               summary: str) -> Plan:
    """A case the user is only told about: no draft (phishing, a possible notice)."""
    return Plan(new_case=_case_values(msg, state, when), transition=(None, state, cause),
                notices=(NoticeIntent(event, summary, msg.folder_role),),
                why="phishing" if event == "phishing_warning" else event.replace("_", " "))


def _case_values(msg: MessageRow, state: str, when: datetime) -> dict[str, Any]:
    return {
        "provider": msg.provider,
        "reason": msg.reason,
        "state": state,
        "lang": msg.lang or "en",
        "ticket": msg.ticket,
        "account_ids": list(msg.account_ids),
        "notice_message_id": msg.message_id,
        "notice_subject": msg.subject,
        "opened_at": when,
        "last_activity": when,
        "provider_last_at": when,
        "awaiting_user": state == "needs_reply",
        "outcome": msg.decision if state in CLOSED_STATES else None,
        # an acknowledgement is the provider's word that the user wrote
        "appealed_via": "ack" if msg.category == "ticket_ack" else None,
    }


def _open_case(msg: MessageRow, when: datetime, name: str, folder_note: str,
               form: str | None = None) -> Plan:
    if msg.category == "suspension" and msg.facts.get("possible"):
        return _told_only(msg, "possible", when, f"possible {name} suspension notice{folder_note}",
                          "possible_notice", f"This may be a suspension notice from {name}"
                          f"{folder_note}: please check it ({msg.subject or 'no subject'}). "
                          "No draft was written.")
    if msg.category == "suspension":
        reason = REASON_WORDS.get(msg.reason or "unknown", "no stated reason")
        where = (f"{name} takes appeals through a form at {form}: the text to paste there is in "
                 "your Drafts folder." if form else "An appeal draft is in your Drafts folder.")
        return Plan(
            new_case=_case_values(msg, "new", when),
            transition=(None, "new", f"{name} suspension notice ({reason}){folder_note}"),
            drafts=(DraftIntent("appeal", 0, msg.message_id),),
            notices=(NoticeIntent(
                "new_notice",
                f"{name} suspended{_identifier(msg)} for {reason}{folder_note}. {where}",
                msg.folder_role, with_draft=True,
            ),),
            why="new notice",
        )
    # An answer to something the user sent that we have not seen: the case exists already.
    return _advance_from(None, msg, when, name, folder_note, "opened by a provider message")


def _advance_from(case: CaseRow | None, msg: MessageRow, when: datetime, name: str,
                  folder_note: str, link: str) -> Plan:
    state = case.state if case else None
    changes: dict[str, Any] = {"last_activity": when, "provider_last_at": when}
    if case is not None:
        if case.last_activity > when:
            changes["last_activity"] = case.last_activity
        if case.provider_last_at and case.provider_last_at > when:
            changes["provider_last_at"] = case.provider_last_at
        new_ids = [a for a in msg.account_ids if a not in case.account_ids]
        if new_ids:
            changes["account_ids"] = [*case.account_ids, *new_ids]
        if msg.ticket and not case.ticket:
            changes["ticket"] = msg.ticket
        if not case.provider and msg.provider:
            changes["provider"] = msg.provider
    target: str | None = None
    cause = ""
    drafts: tuple[DraftIntent, ...] = ()
    notices: tuple[NoticeIntent, ...] = ()
    category = msg.category
    if category == "appeal_decision":
        target = msg.decision or "restored"
        cause = f"{name} decided: access {'restored' if target == 'restored' else 'denied'}"
        changes.update({"outcome": target, "awaiting_user": False, "next_followup_at": None})
        advice = (" Keep your e-mail and payment details current and turn on two-factor "
                  "authentication." if target == "restored"
                  else " Read the explanation; appeal again only with new facts.")
        notices = (NoticeIntent(
            "decision",
            f"{name} {'restored your access' if target == 'restored' else 'denied the appeal'}"
            f"{folder_note}.{advice}", msg.folder_role),)
    elif category == "ticket_ack":
        if case is not None and not case.appealed_via:
            changes["appealed_via"] = "ack"
        if state in (None, "new", "possible"):
            target = "appealed"
            cause = f"{name} acknowledged the request" + (f" (ticket {msg.ticket})"
                                                          if msg.ticket else "")
    elif category == "support_reply":
        if msg.asks:
            target = "needs_reply"
            cause = f"{name} support asked something"
            changes["awaiting_user"] = True
            drafts = (DraftIntent("answer", 0, msg.message_id),)
            notices = (NoticeIntent(
                "needs_reply",
                f"{name} support asked you something{folder_note}. An answer draft is in your "
                "Drafts folder; fill in the marked places and send it.",
                msg.folder_role, with_draft=True),)
        else:
            target = "waiting" if state not in (None, "new", "possible") else "appealed"
            cause = f"{name} support sent a status update"
            notices = (NoticeIntent(
                "provider_reply",
                f"{name} support replied with a status update{folder_note}. Nothing to do "
                "for now.", msg.folder_role),)
    elif category == "suspension" and state == "possible" and not msg.facts.get("possible"):
        # a clear notice about what was only a possible one: it was a notice after all
        target, cause = "new", f"{name} sent a clear suspension notice"
        drafts = (DraftIntent("appeal", 0, msg.message_id),)
        notices = (NoticeIntent(
            "new_notice", f"{name} suspended{_identifier(msg)}{folder_note}. An appeal draft is "
            "in your Drafts folder.", msg.folder_role, with_draft=True),)
    elif category == "suspension":
        # another notice about the same incident (a reminder, an escalation)
        notices = (NoticeIntent(
            "provider_reply",
            f"{name} wrote again about{_identifier(msg)}{folder_note}.", msg.folder_role),)
        if case is not None and case.reason in (None, "unknown") and msg.reason:
            changes["reason"] = msg.reason
    if case is None:
        opened = target or "appealed"
        values = _case_values(msg, opened, when)
        values["awaiting_user"] = opened == "needs_reply"
        return Plan(new_case=values, transition=(None, opened, f"{cause or 'provider wrote'}; "
                                                  f"{link}"),
                    drafts=drafts, notices=notices, why=link)
    if target == state or (target and not transition_allowed(state, target)):
        target = None
    return Plan(
        case_id=case.id,
        changes=changes,
        transition=(state, target, f"{cause}; {link}") if target else None,
        drafts=drafts if case.is_open else (),
        notices=notices if case.is_open or category == "appeal_decision" else (),
        why=link,
    )


def plan_outgoing(msg: MessageRow, cases: list[CaseRow], now: datetime,
                  provider_domains: dict[str, tuple[str, ...]]) -> Plan:
    """What a message the user sent (found in Sent) changes."""
    when = msg.date or now
    # a notice the user forwarded (to a colleague, to another address of their own) is not an
    # appeal, unless it went to the provider
    forward = is_forward_subject(msg.subject or "")
    case, link = (None, "") if forward else match_case(msg, cases)
    if case is None:
        case, link = _match_by_recipient(msg, cases, provider_domains)
    if case is None:
        return Plan(why="not about a case")
    changes: dict[str, Any] = {"user_last_at": max(when, case.user_last_at or when),
                               "appealed_via": case.appealed_via or "sent"}
    if when > case.last_activity:
        changes["last_activity"] = when
    target = None
    cause = ""
    if case.state == "new":
        target, cause = "appealed", "your appeal was sent (found in Sent)"
    elif case.state == "needs_reply":
        target, cause = "waiting", "you answered the provider's question (found in Sent)"
        changes["awaiting_user"] = False
    if case.state in ("appealed", "waiting") and case.provider_last_at and when > (
            case.provider_last_at):
        cause = "you wrote again (found in Sent)"
    return Plan(
        case_id=case.id,
        changes=changes,
        transition=(case.state, target, f"{cause}; linked by {link}") if target else None,
        why=link or "recipient",
    )


def _match_by_recipient(msg: MessageRow, cases: list[CaseRow],
                        provider_domains: dict[str, tuple[str, ...]]) -> tuple[CaseRow | None, str]:
    domains = {a.rsplit("@", 1)[-1] for a in msg.to_addrs}
    open_cases = [c for c in cases if c.is_open and c.provider]
    for case in sorted(open_cases, key=lambda c: c.last_activity, reverse=True):
        own = provider_domains.get(case.provider or "", ())
        if any(d == o or d.endswith("." + o) for d in domains for o in own):
            return case, f"a message to {case.provider}"
    return None, ""


def plan_followup(case: CaseRow, number: int, answers: str | None, days_waiting: int,
                  providers: dict[str, str], now: datetime) -> Plan:
    name = _name(providers, case.provider)
    return Plan(
        case_id=case.id,
        changes={"followups": number, "last_followup_at": now},
        drafts=(DraftIntent("followup", number, answers),),
        notices=(NoticeIntent(
            "followup_due",
            f"No answer from {name} for {days_waiting} business days. A polite follow-up "
            f"(no. {number}) is in your Drafts folder.", None, with_draft=True),),
        why=f"follow-up {number} due",
    )


def plan_appealed(case: CaseRow, when: datetime, how: str) -> Plan | None:
    """The user says they wrote to the provider outside mail (a web form, a chat), at ``when``:
    that is the evidence follow-ups need, and their timing starts from it.  None for a case
    that is closed or not a case (phishing)."""
    if not case.is_open:
        return None
    changes: dict[str, Any] = {"appealed_via": "you",
                               "user_last_at": max(when, case.user_last_at or when),
                               "last_activity": max(when, case.last_activity)}
    target = {"new": "appealed", "needs_reply": "waiting"}.get(case.state)
    if case.state == "needs_reply":
        changes["awaiting_user"] = False
    return Plan(case_id=case.id, changes=changes,
                transition=(case.state, target, how) if target else None, why=how)


def plan_confirm(case: CaseRow, now: datetime, how: str) -> Plan | None:
    """The user says a possible notice is one: the case is ``new`` and gets its appeal draft,
    as a certain notice would have.  None unless the case is a possible notice."""
    if case.state != "possible":
        return None
    return Plan(case_id=case.id, changes={"last_activity": max(now, case.last_activity)},
                transition=("possible", "new", how),
                drafts=(DraftIntent("appeal", 0, case.notice_message_id),), why=how)


def plan_dismiss(case: CaseRow, now: datetime, how: str) -> Plan | None:
    """The user says a possible notice is not one: the case is closed and never heard of
    again (a copy of the message joins it by its Message-ID).  None unless it is possible."""
    if case.state != "possible":
        return None
    return Plan(case_id=case.id, changes={"last_activity": max(now, case.last_activity),
                                          "next_followup_at": None},
                transition=("possible", "dismissed", how), why=how)


def plan_resolve(case: CaseRow, outcome: str, now: datetime) -> Plan:
    if not case.is_open:
        return Plan(case_id=case.id, why=f"already {case.state}")
    return Plan(
        case_id=case.id,
        changes={"outcome": outcome, "last_activity": now, "awaiting_user": False,
                 "next_followup_at": None},
        transition=(case.state, outcome, "closed by hand (appealwatch resolve)"),
        why="resolved by hand",
    )
