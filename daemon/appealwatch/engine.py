"""One pass over the mail: ingest, decide, then act.

1. **Ingest**: every message not seen before is parsed and classified (pure) and recorded with
   its classification (never its body).  Malformed mail is recorded with its defects and skipped.
2. **Decide**: unprocessed messages, oldest first, go through the case logic (pure); each plan is
   recorded in one transaction together with its intents (drafts, notifications).  History (old
   mail read late: a first scan, a downtime; see catchup.py) changes its cases without intents,
   and the cases it touched are then *settled*: what each needs now, and one summary.
   Follow-ups that have fallen due are planned the same way.
3. **Act**: drafts a case no longer needs are dropped (or removed from Drafts if the user has not
   touched them); pending drafts are rendered and written (after checking they are not there
   already); pending notifications are delivered at most once.

Every step can be interrupted (SIGKILL included) and the next run completes what was left.
"""

from __future__ import annotations

import json
import logging
import os
import re
import signal
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from appealwatch import cases as caselogic
from appealwatch import catchup, deadlines, followup
from appealwatch.classify import (
    asks_user,
    classify,
    extract_questions,
    find_account_ids,
    find_ticket,
    forward_row,
    forwarded_notice,
    own_text,
    payment_facts,
)
from appealwatch.config import Config, Rules
from appealwatch.model import CaseRow, MessageRow
from appealwatch.notify import Notifier, title, urgency
from appealwatch.parse import parse, parse_headers
from appealwatch.render import (
    build_message,
    build_note,
    draft_message_id,
    make_environment,
    note_message_id,
    paste_note,
    quoted_lines,
    render_body,
    reply_subject,
)
from appealwatch.sources import MailSource, SyncState
from appealwatch.store import Store

log = logging.getLogger("appealwatch.engine")
_CRASH_AT = os.environ.get("APPEALWATCH_CRASH_AT", "")


def crash_point(name: str) -> None:
    """Fault injection for the tests: die here, as SIGKILL would, when asked to."""
    if name == _CRASH_AT:
        os.kill(os.getpid(), signal.SIGKILL)


INCOMING_ROLES = ("inbox", "junk")
# backends that can find out whether they already hold an event (the INBOX note, by its
# Message-ID): after a crash while sending they are tried again; the others are not
IDEMPOTENT_BACKENDS = frozenset({"inbox", "ntfy"})
MAX_ATTEMPTS = 5
_MESSAGE_ID = re.compile(rb"(?im)^message-id:[ \t]*(?:\r?\n[ \t]+)?(<[^>\r\n]{1,500}>)")
_OWN_NOTE = re.compile(rb"(?im)^x-appealwatch-notification:")


def in_quiet_hours(now: datetime, config: Config) -> bool:
    span = config.model.notify.quiet_hours
    if not span:
        return False
    start, end = (time(int(t[:2]), int(t[3:])) for t in span.split("-"))
    local = now.astimezone(ZoneInfo(config.model.followup.timezone)).time()
    if start <= end:
        return start <= local < end
    return local >= start or local < end
BATCH = 1000


@dataclass
class Report:
    seen: int = 0
    relevant: int = 0
    malformed: int = 0
    cases_opened: int = 0
    transitions: int = 0
    drafts_written: int = 0
    notifications: int = 0
    printed: list[str] = field(default_factory=list)


def policy_of(config: Config) -> followup.FollowupPolicy:
    f = config.model.followup
    hour, minute = (int(x) for x in f.due_time.split(":"))
    return followup.FollowupPolicy(f.after_business_days, f.max_followups, f.country,
                                   f.subdivision, f.timezone, time(hour, minute),
                                   f.deadline_reminder_days)


def message_row(raw: bytes, folder_id: int, role: str, location: str, rules: Rules,
                trusted: tuple[str, ...], own_addresses: frozenset[str],
                headers_only: bool = False,
                policy: followup.FollowupPolicy | None = None) -> dict[str, Any]:
    """Parse and classify one message into the row the store keeps.  Never raises.  With
    ``headers_only`` the source decided from the headers that it cannot matter."""
    if _own_note(raw):
        # a notification message of the inbox backend: our own words, never a case
        m = _MESSAGE_ID.search(raw)
        return {"folder_id": folder_id, "location": location,
                "message_id": m.group(1).decode("ascii", "replace") if m else None,
                "direction": "in", "category": "irrelevant", "processed": True}
    if headers_only and role != "sent":
        # everyday mail the source did not fetch: the location and Message-ID are enough
        m = _MESSAGE_ID.search(raw)
        return {"folder_id": folder_id, "location": location,
                "message_id": m.group(1).decode("ascii", "replace") if m else None,
                "direction": "in", "category": "irrelevant", "processed": True}
    parsed = parse_headers(raw) if headers_only else parse(raw)
    row: dict[str, Any] = {
        "folder_id": folder_id, "location": location, "message_id": parsed.message_id,
        "date": parsed.date, "from_addr": parsed.from_.address if parsed.from_ else None,
        "reply_to": parsed.reply_to[0].address if parsed.reply_to else None,
        "to_addrs": [a.address for a in parsed.to], "subject": parsed.subject,
        "in_reply_to": parsed.in_reply_to, "refs": list(parsed.references),
        "defects": list(parsed.defects),
    }
    outgoing = role == "sent" or (row["from_addr"] in own_addresses and role not in
                                  INCOMING_ROLES)
    if outgoing:
        row.update(direction="out", category="own", ticket=find_ticket(parsed.subject),
                   account_ids=list(find_account_ids(parsed.text[:20000])))
        return row
    if headers_only:
        row.update(direction="in", category="irrelevant", processed=True)
        return row
    try:
        result = classify(parsed, role, rules, trusted)
    except Exception as exc:  # a classifier bug must not stop the scan: record and skip
        log.error("could not classify message %s: %s", location, type(exc).__name__)
        row.update(direction="in", category=None, defects=[*row["defects"], "classify failed"],
                   processed=True)
        return row
    row.update(
        direction="in", category=result.category, reason=result.reason,
        decision=result.decision, provider=result.provider, ticket=result.ticket,
        lang=result.lang, phishing=result.phishing, phishing_reasons=result.phishing_reasons,
        confidence=result.confidence, cues=result.cues, account_ids=result.account_ids,
    )
    if result.possible:  # mixed evidence: the user is asked to check it, no draft is written
        row["facts"] = {"possible": True}
    content, forward = parsed, forward_row(parsed) if result.forwarded else None
    if forward is not None:
        # a forwarded notice stands for the original: its sender (whom drafts answer), date
        # and subject; the forward itself is remembered in the facts
        content, forward_fields = forward
        row.update({**forward_fields, "facts": {**row.get("facts", {}),
                                                **forward_fields["facts"]}})
    if result.category == "support_reply":
        row["asks"] = asks_user(content.text)
    if result.category in deadlines.TIMED_CATEGORIES and not result.phishing and policy:
        # what the provider says about time: a deadline, or when it will answer
        facts = deadlines.message_facts(own_text(content.text),
                                        content.date or datetime.now(UTC), policy)
        if facts:
            row["facts"] = {**row.get("facts", {}), **facts}
    if result.category == "irrelevant":
        # a provider's mail that points at a case (its ticket number, a reply in a thread) is
        # decided like the rest: it may be about an open case whatever its wording
        row["processed"] = not (result.provider and (result.ticket or parsed.in_reply_to
                                                     or parsed.references))
        if result.provider:
            row["facts"] = payment_facts(parsed.subject, parsed.text)
        elif (found := forwarded_notice(parsed)) is not None and found.sender is not None:
            # what `teach` learns from if the user says it is a notice after all
            row["facts"] = {"forward_of": found.sender.address, "forward_subject": found.subject}
    return row


class Engine:
    def __init__(self, config: Config, store: Store, sources: list[MailSource],
                 notifier: Notifier, *, now: Callable[[], datetime] | None = None,
                 dry_run: bool = False) -> None:
        self.config = config
        self.store = store
        self.sources = sources
        self.notifier = notifier
        self._now = now or (lambda: datetime.now(UTC))
        self.dry_run = dry_run
        self.policy = policy_of(config)
        self._env: Any = None  # the templates' environment, made when a draft is first rendered
        self.providers = {p.id: p.name for p in config.rules.providers}
        self.forms = {p.id: p.appeal_form for p in config.rules.providers if p.appeal_form}
        self.next_due: dict[str, datetime | None] = {}
        self.owns_store = False
        self.provider_domains = {p.id: p.domains for p in config.rules.providers}
        # the messages this pass found about cases, as fetched: the drafts quote them, and
        # fetching them again would cost a round trip (and a SELECT) each
        self.fetched: dict[tuple[int, str], bytes] = {}
        self._pass_started = datetime.min.replace(tzinfo=UTC)  # when the current pass began

    def now(self) -> datetime:
        return self._now()

    # -------------------------------------------------------------- the pass

    def scan(self, accounts: set[str] | None = None,
             hints: dict[str, set[str]] | None = None) -> Report:
        """One pass over ``accounts`` (all by default).  ``hints`` names, per account, the
        folders (roles) a watcher saw change: their new mail is read, decided on and notified
        first, and the rest of the pass (every folder, follow-ups, drafts) follows, so that a
        notice is announced without waiting for the draft to be written."""
        report = Report()
        self._pass_started = self.now()
        self.fetched.clear()
        for source in self.sources:
            roles = (hints or {}).get(source.account)
            if not roles or self.dry_run or (accounts is not None and
                                             source.account not in accounts):
                continue
            account_id = self.store.account_id(source.account, source.kind)
            if self.store.scanned_at(account_id) is not None:  # a first pass is history
                self.ingest(source, account_id, report, roles)
                self.decide(source, account_id, report)
                self.deliver(report)
        for source in self.sources:
            if accounts is not None and source.account not in accounts:
                continue
            account_id = self.store.account_id(source.account, source.kind)
            first_pass = self.store.scanned_at(account_id) is None
            self.ingest(source, account_id, report)
            self.decide(source, account_id, report, first_pass=first_pass)
            self.settle(source, account_id, report)
            self.plan_followups(source, account_id, report)
            self.plan_reminders(source, account_id)
            self.write_drafts(source, account_id, report)
            self.store.set_scanned_at(account_id, self.now())
            self.fetched.clear()
            self.next_due[source.account] = self._next_wakeup(account_id)
        self.deliver(report)
        return report

    def store_due_accounts(self, now: datetime) -> list[str]:
        """Accounts with a follow-up due by ``now`` (read from memory: safe from any thread)."""
        return [a for a, due in dict(self.next_due).items() if due is not None and due <= now]

    def close(self) -> None:
        self.notifier.close()
        if self.owns_store:
            self.store.close()
        for source in self.sources:
            try:
                source.close()
            except Exception as exc:
                log.debug("closing %s: %s", source.account, exc)

    # -------------------------------------------------------------- 1. ingest

    def _own_addresses(self, source: MailSource) -> frozenset[str]:
        addrs = {self.config.model.user.email.lower()}
        for acct in self.config.model.accounts:
            if acct.name == source.account and acct.email:
                addrs.add(acct.email.lower())
        return frozenset(a for a in addrs if a)

    def ingest(self, source: MailSource, account_id: int, report: Report,
               roles: set[str] | None = None) -> None:
        """New mail of every folder but Drafts (of ``roles`` only, when given)."""
        rules = self.config.rules
        trusted = tuple(self.config.model.mail.trusted_authserv_ids)
        own = self._own_addresses(source)
        for role, name in source.folders().items():
            if role == "drafts" or (roles is not None and role not in roles):
                continue
            folder_id = self.store.folder_id(account_id, role, name)
            uidvalidity, checkpoint = self.store.folder_checkpoint(folder_id)
            state = SyncState(
                known=self.store.known_locations(folder_id), uidvalidity=uidvalidity,
                checkpoint=checkpoint,
                known_message_id=lambda mid, f=folder_id: self.store.has_message_id(f, mid),
            )
            batch: list[dict[str, Any]] = []
            for item in source.sync(role, state):
                if item.relocate_message_id:
                    self.store.relocate_message(folder_id, item.relocate_message_id,
                                                item.location)
                    continue
                row = message_row(item.raw, folder_id, role, item.location, rules, trusted,
                                  own, headers_only=item.headers_only, policy=self.policy)
                if not item.headers_only and row.get("category") not in (None, "irrelevant"):
                    self.fetched[folder_id, item.location] = item.raw
                batch.append(row)
                if len(batch) >= BATCH:
                    self._record(batch, report)
                    batch = []
            self._record(batch, report)
            if role in source.last_sync:
                # only after the messages are recorded: a crash before this re-reads, never skips
                self.store.set_folder_checkpoint(folder_id, *source.last_sync[role])

    def _record(self, rows: list[dict[str, Any]], report: Report) -> None:
        if not rows:
            return
        for row in rows:
            report.seen += 1
            report.malformed += bool(row.get("defects")) and row.get("category") is None
            report.relevant += row.get("category") not in (None, "irrelevant", "own")
        self.store.add_messages(rows)
        crash_point("after-ingest-batch")

    # -------------------------------------------------------------- 2. decide

    def decide(self, source: MailSource, account_id: int, report: Report, *,
               first_pass: bool = False) -> None:
        # The cases are read once per pass and only the one a decision touched is read again:
        # reading all of them for every message made a pass quadratic (the soak test found it).
        known: dict[int, CaseRow] | None = None
        now = self.now()
        for msg in self.store.unprocessed(account_id):
            if known is None:
                known = {c.id: c for c in self.store.cases(account_id)}
            cases = list(known.values())
            if msg.direction == "out":
                plan = caselogic.plan_outgoing(msg, cases, self.now(), self.provider_domains)
            else:
                plan = caselogic.plan_incoming(msg, cases, self.now(), self.providers,
                                               self.forms)
            history = catchup.is_history(msg.date, first_pass, now)
            case_id = self.apply(source, account_id, plan, msg, report, history=history)
            if case_id is not None and (changed := self.store.case(case_id)) is not None:
                known[case_id] = changed
            crash_point("after-decision")

    def apply(self, source: MailSource, account_id: int, plan: caselogic.Plan,
              msg: MessageRow | None, report: Report, *, history: bool = False) -> int | None:
        """Record a plan and its intents in one transaction.  A plan for ``history`` records the
        change only, and marks the case to be settled at the end of the pass."""
        now = self.now()
        with self.store.transaction():
            case_id = plan.case_id
            if plan.new_case is not None:
                case_id = self.store.insert_case({**plan.new_case, "account_id": account_id})
                report.cases_opened += 1
            if case_id is not None:
                self.store.update_case(case_id, plan.changes)
                if msg is not None and msg.direction == "in" and not msg.phishing:
                    self.store.update_case(case_id, deadlines.case_changes(
                        msg.category, msg.decision, msg.facts))
                if plan.transition:
                    from_state, to_state, cause = plan.transition
                    if not caselogic.transition_allowed(from_state, to_state):
                        raise AssertionError(f"bad transition {from_state} -> {to_state}")
                    if from_state is not None:
                        self.store.update_case(case_id, {"state": to_state})
                    when = msg.date if msg and msg.date else now
                    self.store.add_transition(case_id, when, from_state, to_state, cause,
                                              msg.message_id if msg else None)
                    report.transitions += 1
            if msg is not None:
                self.store.mark_processed(msg.id, case_id)
            if case_id is None:
                return None
            if history:
                if plan.new_case or plan.transition or plan.drafts or plan.notices:
                    self.store.update_case(case_id, {"settle": True})
            else:
                self._record_intents(source, case_id, plan, msg, now)
        return case_id

    def _record_intents(self, source: MailSource, case_id: int, plan: caselogic.Plan,
                        msg: MessageRow | None, now: datetime) -> None:
        """A plan's drafts and notifications (inside the caller's transaction).  Their keys come
        from the case and the message that caused them, so planning the same need twice (news,
        then the settling of history) records it once."""
        domain = (self.config.model.user.email or "appealwatch.invalid").rsplit("@", 1)[-1]
        draft_ids: list[str] = []
        for d in plan.drafts:
            mid = draft_message_id(source.account, case_id, d.kind, d.number, domain,
                                   d.answers)
            self.store.add_draft(case_id, d.kind, d.number, mid, d.answers, now)
            draft_ids.append(mid)
        case = self.store.case(case_id)
        for n in plan.notices:
            cause = (msg.message_id or f"message{msg.id}") if msg else (
                f"followup{case.followups if case else 0}")
            key = f"{n.event}:{source.account}:{case_id}:{cause}"
            provider = case.provider if case else None
            payload = {
                "id": key, "event": n.event, "case_id": case_id, "provider": provider,
                "provider_name": self.providers.get(provider or "", provider),
                "summary": n.summary,
                "folder": n.folder, "urgency": urgency(n.event),
                "draft": f"Drafts {draft_ids[-1]}" if n.with_draft and draft_ids else None,
                "account": source.account,
            }
            if n.event == "new_notice" and self.forms.get(provider or ""):
                payload["appeal_url"] = self.forms[provider or ""]  # where the draft goes
            self.store.add_notification(key, case_id, n.event, payload, now)

    # -------------------------------------------------------------- settling history

    def settle(self, source: MailSource, account_id: int, report: Report) -> None:
        """The cases history touched get what their state needs now, and the user one summary
        of them; in one transaction, so a crash leaves them all to the next pass."""
        cases = self.store.cases_to_settle(account_id)
        if not cases:
            return
        now = self.now()
        needing: set[int] = set()
        with self.store.transaction():
            for case in cases:
                plan, msg = catchup.present_plan(case, self.store.case_messages(case.id), now,
                                                 self.providers, self.forms)
                self._record_intents(source, case.id, plan, msg, now)
                if plan.notices or followup.followup_due_now(case, now, self.policy):
                    needing.add(case.id)
                self.store.update_case(case.id, {"settle": False})
            if needing >= {c.id for c in cases}:
                return  # each case it found says so itself
            text = catchup.summary(cases, lambda c: c.id in needing,
                                   min(c.opened_at for c in cases), now)
            key = f"summary:{source.account}:{cases[0].id}:{now.isoformat(timespec='seconds')}"
            self.store.add_notification(key, None, "summary", {
                "id": key, "event": "summary", "case_id": None, "provider": None,
                "provider_name": "appealwatch", "summary": text, "folder": None,
                "urgency": urgency("summary"), "draft": None, "account": source.account,
                "cases": [c.id for c in cases]}, now)
        crash_point("after-decision")

    # -------------------------------------------------------------- follow-ups

    def plan_followups(self, source: MailSource, account_id: int, report: Report) -> None:
        now = self.now()
        for case in self.store.cases(account_id):
            nxt = followup.next_followup(case, self.policy)
            due_at = nxt[1] if nxt else None
            if due_at != case.next_followup_at:
                with self.store.transaction():
                    self.store.update_case(case.id, {"next_followup_at": due_at})
            due = followup.followup_due_now(case, now, self.policy)
            if due is None:
                continue
            number = due[0]
            waiting = followup.business_days_waiting(case, now, self.policy)
            answers = self._last_provider_message(case)
            plan = caselogic.plan_followup(case, number, answers, waiting, self.providers, now)
            self.apply(source, account_id, plan, None, report)
            with self.store.transaction():
                refreshed = self.store.case(case.id)
                if refreshed is not None:
                    nxt2 = followup.next_followup(refreshed, self.policy)
                    self.store.update_case(case.id, {"next_followup_at": nxt2[1] if nxt2
                                                     else None})

    # -------------------------------------------------------------- deadlines

    def plan_reminders(self, source: MailSource, account_id: int) -> None:
        """A reminder of each open case's deadline, some business days before it and again on
        its day (critical).  The event key names the deadline and the stage, so each reminder
        is given once, and a new deadline gets its own."""
        now = self.now()
        days = self.policy.deadline_reminder_days
        for case in self.store.cases(account_id):
            if not case.is_open or case.deadline_at is None:
                continue
            due = deadlines.due_reminder(case.deadline_at, now, self.policy, days)
            if due is None:
                continue
            event = "deadline_today" if due[1] == "critical" else "deadline_near"
            key = (f"deadline:{source.account}:{case.id}:{case.deadline_at.isoformat()}:"
                   f"{due[1]}")
            name = self.providers.get(case.provider or "", case.provider) or "The provider"
            local = case.deadline_at.astimezone(ZoneInfo(self.policy.timezone))
            when = "today" if event == "deadline_today" else f"on {local:%a %d %b %Y}"
            summary = (f"{name}: the {case.deadline_kind or 'action'} deadline is {when} "
                       f"({local:%H:%M} {local.tzname()}): \"{(case.deadline_text or '')[:160]}\"")
            payload = {
                "id": key, "event": event, "case_id": case.id, "provider": case.provider,
                "provider_name": name, "summary": summary, "folder": None,
                "urgency": urgency(event), "draft": None, "account": source.account,
                "deadline": case.deadline_at.isoformat(),
            }
            told = self.store.pending_since(case.id, self._pass_started)
            if told is not None and told["event"] not in ("deadline_near", "deadline_today"):
                # the user is being told about this case in this very pass (a first scan, a
                # new notice): the deadline goes into that notification, not one of its own
                carrier = json.loads(told["payload"])
                carrier["summary"] += (f" Deadline {when} ({local:%H:%M} {local.tzname()}) to "
                                       f"{case.deadline_kind or 'act'}.")
                carrier["deadline"] = case.deadline_at.isoformat()
                self.store.set_payload(told["id"], carrier)
                with self.store.transaction():
                    self.store.add_notification(key, case.id, event, payload, now, "folded")
                continue
            with self.store.transaction():
                self.store.add_notification(key, case.id, event, payload, now)

    def _next_wakeup(self, account_id: int) -> datetime | None:
        """The next follow-up or deadline reminder of this account's open cases."""
        now = self.now()
        times = []
        for case in self.store.cases(account_id):
            if not case.is_open:
                continue
            if case.next_followup_at:
                times.append(case.next_followup_at)
            if case.deadline_at:
                nxt = deadlines.next_reminder(case.deadline_at, now, self.policy,
                                              self.policy.deadline_reminder_days)
                if nxt:
                    times.append(nxt)
        return min(times, default=None)

    def _last_provider_message(self, case: CaseRow) -> str | None:
        incoming = [m for m in self.store.case_messages(case.id) if m.direction == "in"]
        return incoming[-1].message_id if incoming else case.notice_message_id

    # -------------------------------------------------------------- 3. act: drafts

    def write_drafts(self, source: MailSource, account_id: int, report: Report) -> None:
        self._drop_stale_drafts(source, account_id)
        for row in self.store.drafts(state="pending"):
            case = self.store.case(row["case_id"])
            if case is None or case.account_id != account_id:
                continue
            draft = self.render(source, case, row["kind"], row["number"], row["answers"],
                                row["message_id"])
            if self.dry_run:
                report.printed.append(draft.raw.decode("utf-8", "replace"))
                continue
            location = source.find_draft(row["message_id"])
            if location is None:
                location = source.append_draft(draft.raw)
                crash_point("after-draft-append")
                report.drafts_written += 1
            written = source.read_draft(location) or draft.raw
            self.store.set_draft_state(row["id"], "written", location,
                                       source.content_hash(written))

    def _drop_stale_drafts(self, source: MailSource, account_id: int) -> None:
        """At most one draft waiting per case, and only for the state the case is in: a stale
        draft not written yet is dropped; one in Drafts the user has not touched is removed
        ("superseded"); one they edited is theirs ("kept"); one gone was sent or deleted."""
        by_case: dict[int, list[Any]] = {}
        for row in self.store.live_drafts(account_id):
            by_case.setdefault(row["case_id"], []).append(row)
        for rows in by_case.values():
            stale = set(catchup.stale_drafts(rows[0]["case_state"],
                                             [(r["id"], r["kind"]) for r in rows]))
            for row in rows:
                if row["id"] not in stale:
                    continue
                if self.dry_run:
                    continue
                if row["state"] == "pending":
                    # a run killed right after appending it may have left it in Drafts
                    location = source.find_draft(row["message_id"])
                    if location is not None:
                        source.remove_draft(location)
                    self.store.set_draft_state(row["id"], "superseded")
                    continue
                raw = source.read_draft(row["location"])
                if raw is None:
                    self.store.set_draft_state(row["id"], "gone")
                elif source.content_hash(raw) == row["content_hash"]:
                    source.remove_draft(row["location"])
                    self.store.set_draft_state(row["id"], "superseded")
                else:
                    self.store.set_draft_state(row["id"], "kept")

    def render(self, source: MailSource, case: CaseRow, kind: str, number: int,
               answers: str | None, message_id: str):
        """Build the draft for a case (deterministic apart from its Date)."""
        messages = self.store.case_messages(case.id)
        answered = next((m for m in messages if m.message_id == answers), None)
        if answered is None and messages:
            answered = next((m for m in reversed(messages) if m.direction == "in"), None)
        text = self._read_text(source, answered) if answered else ""
        user = self.config.model.user
        lang = case.lang if user.language == "auto" else user.language
        provider = self.config.rules.provider(case.provider)
        context = self.context(case, kind, number, answered, text, lang)
        if self._env is None:
            self._env = make_environment(self.config.config_dir / "templates")
        body = render_body(self._env, kind, case.reason, lang, context)
        form = provider.appeal_form if provider is not None and kind == "appeal" else None
        if form:  # the text to paste into the provider's form, addressed to no one
            body = paste_note(form, provider.name_in(lang), lang) + body
        to_addr = "" if form else self._recipient(provider, answered, kind)
        from_addr = self._from_address(source)
        refs = [*(answered.refs if answered else ()), *(
            [answered.message_id] if answered and answered.message_id else [])]
        # the provider never saw a forward: the draft to a forwarded notice starts a thread
        forward = answered is not None and bool(answered.facts.get("forwarded_by"))
        if forward:
            refs = []
        subject_src = (answered.subject if answered else None) or case.notice_subject
        return build_message(
            body=body, from_name=user.name, from_addr=from_addr, to_addr=to_addr,
            subject=reply_subject(subject_src, lang),
            in_reply_to=answered.message_id if answered and not forward else None,
            references=refs,
            message_id=message_id, date=self.now(), case_id=case.id,
        )

    def _from_address(self, source: MailSource) -> str:
        for acct in self.config.model.accounts:
            if acct.name == source.account and acct.email:
                return acct.email
        return self.config.model.user.email or f"{source.account}@localhost"

    def _recipient(self, provider: Any, answered: MessageRow | None, kind: str) -> str:
        if provider is not None and provider.support and provider.configured:
            return str(provider.support)
        if answered is not None and answered.reply_to:
            return answered.reply_to
        if kind == "appeal" and provider is not None and provider.channel == "email" and (
                provider.support):
            return str(provider.support)  # the provider asks for appeals at this address
        sender = answered.from_addr if answered else None
        if sender and not _no_reply(sender):
            return sender
        if provider is not None and provider.support:
            return str(provider.support)
        return sender or "support@invalid"

    def _read_text(self, source: MailSource, msg: MessageRow) -> str:
        role = msg.folder_role
        raw = self.fetched.get((msg.folder_id, msg.location))
        if raw is None and role:
            raw = source.read(role, msg.location)
        if not raw:
            return ""
        parsed = parse(raw)
        if msg.facts.get("forwarded_by"):
            forward = forward_row(parsed)
            if forward is not None:
                return forward[0].text  # the notice, not the forwarder's note above it
        return parsed.text

    def context(self, case: CaseRow, kind: str, number: int, answered: MessageRow | None,
                text: str, lang: str) -> dict[str, Any]:
        user = self.config.model.user
        provider = self.config.rules.provider(case.provider)
        evidence = []
        if case.provider and (case.reason == "payment" or kind != "appeal"):
            for m in self.store.evidence(case.account_id, case.provider):
                evidence.append({
                    "date": m.date.date().isoformat() if m.date else "",
                    "subject": m.subject or "",
                    "amounts": list(m.facts.get("amounts", [])),
                    "transaction_ids": list(m.facts.get("transaction_ids", [])),
                })
        quoted = quoted_lines(own_text(text)) if text else []
        questions = extract_questions(text) if kind == "answer" and text else []
        followup_ctx = None
        if kind == "followup":
            followup_ctx = {
                "number": number, "max": self.policy.max_followups,
                "business_days_waiting": followup.business_days_waiting(case, self.now(),
                                                                         self.policy),
                "last_sent": (case.user_last_at or case.provider_last_at or case.opened_at)
                .date().isoformat(),
            }
        return {
            "lang": lang,
            "user": {"name": user.name or "[FILL IN: your name]", "email": self._user_email()},
            "provider": {"id": case.provider or "", "name": provider.name_in(lang) if provider
                         else (case.provider or "Support")},
            "case": {
                "id": case.id, "reason": case.reason or "unknown", "ticket": case.ticket,
                "account_ids": list(case.account_ids),
                "opened": case.opened_at.date().isoformat(),
                "notice_date": case.opened_at.date().isoformat(),
                "notice_subject": case.notice_subject or "",
            },
            "evidence": evidence if case.reason == "payment" or kind == "answer" else [],
            "quoted": quoted,
            "questions": questions,
            "followup": followup_ctx,
            "quote_date": answered.date.date().isoformat() if answered and answered.date else "",
        }

    def _user_email(self) -> str:
        return self.config.model.user.email or "[FILL IN: your account e-mail]"

    # -------------------------------------------------------------- 3. act: notifications

    def deliver(self, report: Report) -> None:
        """Pending events to every backend, at most once each; a backend that failed is tried
        again on later passes (up to MAX_ATTEMPTS).  During quiet hours only critical events go
        out; the others are deferred and delivered as one summary afterwards.  A deadline
        reminder held back (by a crash, a failing backend, quiet hours) expires once its moment
        has gone."""
        now = self.now()
        quiet = in_quiet_hours(now, self.config)
        backends = set(self.notifier.backends)
        if not self.dry_run:
            self.store.recover_claims(IDEMPOTENT_BACKENDS)
        for row in self.store.notifications(state="pending"):
            event = json.loads(row["payload"])
            if self.dry_run:
                report.printed.append(f"notification: {json.dumps(event, ensure_ascii=False)}")
                continue
            if self._outdated(event, now):
                self.store.finish_notification(row["id"], "expired")
                continue
            if quiet and urgency(event["event"]) != "critical":
                self.store.defer_notification(row["id"])
                continue
            if not self.store.claim_notification(row["id"]):
                continue
            crash_point("after-claim")
            before = json.loads(row["done_backends"])
            if row["attempts"]:
                event["retry_since"] = row["created_at"]  # a backend may look before resending
            done = before + self.notifier.send(
                event, skip=[*before, "inbox"],
                record=lambda b, ok, nid=row["id"]: self._mark(nid, b, ok))
            if "inbox" in backends and "inbox" not in before and self._note(event):
                done.append("inbox")
            crash_point("after-notify")
            if backends <= set(done):
                state = "delivered"
            elif row["attempts"] + 1 >= MAX_ATTEMPTS:
                state = "failed"
                log.error("gave up delivering %s to %s", event["event"],
                          ", ".join(sorted(backends - set(done))))
            else:
                state = "pending"
            self.store.finish_notification(row["id"], state, done)
            report.notifications += len(done) > len(before)
        if not quiet and not self.dry_run:
            self._deliver_digest(report)

    def _outdated(self, event: dict[str, Any], now: datetime) -> bool:
        """A deadline reminder whose moment is gone (see deadlines.reminder_outdated)."""
        if event["event"] not in ("deadline_near", "deadline_today"):
            return False
        case = self.store.case(event["case_id"])
        return case is None or deadlines.reminder_outdated(
            datetime.fromisoformat(event["deadline"]), case.deadline_at, case.is_open, now)

    def _mark(self, notification_id: int, backend: str, done: bool) -> None:
        if done:
            crash_point(f"sent-{backend}")  # delivered, not yet recorded
        self.store.mark_backend(notification_id, backend, done)
        if not done:
            crash_point(f"trying-{backend}")  # in doubt, not yet sent

    # -------------------------------------------------------------- 3. act: INBOX notes

    def _note(self, event: dict[str, Any]) -> bool:
        """The inbox backend: a short notification message appended to the account's INBOX
        as unseen, so a phone's mail app shows it.  Looked up by its Message-ID first (the
        same for the same event), so a retry after a crash never appends it twice; an older
        untouched note of the same case is removed (one the user flagged or moved stays)."""
        account = event.get("account") or next(
            (e.get("account") for e in event.get("events", []) if e.get("account")), None)
        source = next((s for s in self.sources if s.account == account), None) or (
            self.sources[0] if self.sources else None)
        if source is None:
            return False
        domain = (self.config.model.user.email or "appealwatch.invalid").rsplit("@", 1)[-1]
        mid = note_message_id(str(event["id"]), domain)
        try:
            if source.find_note(mid) is None:
                raw = build_note(event, title=title(event), to_addr=self._from_address(source),
                                 message_id=mid, date=self.now(),
                                 thread=self._thread_of(event.get("case_id")))
                source.append_note(raw, mid)
                crash_point("after-note-append")
            self._supersede_notes(source, event, domain)
        except Exception as exc:  # one failing backend never holds up the others
            log.error("inbox notification for %s failed: %s", source.account,
                      f"{type(exc).__name__}: {exc}"[:200])
            return False
        return True

    def _thread_of(self, case_id: object) -> list[str]:
        if not isinstance(case_id, int):
            return []
        case = self.store.case(case_id)
        ids = [m.message_id for m in self.store.case_messages(case_id) if m.message_id]
        if case is not None and case.notice_message_id and case.notice_message_id not in ids:
            ids.insert(0, case.notice_message_id)
        return ids[-20:]

    def _supersede_notes(self, source: MailSource, event: dict[str, Any], domain: str) -> None:
        case_id = event.get("case_id")
        if not isinstance(case_id, int):
            return
        for row in self.store.notifications():
            if row["case_id"] != case_id or "inbox" not in json.loads(row["done_backends"]):
                continue
            old_id = json.loads(row["payload"]).get("id")
            if not old_id or old_id == event["id"]:
                continue
            location = source.find_note(note_message_id(str(old_id), domain))
            if location is not None and source.note_state(location) == "untouched":
                source.remove_note(location)

    def _deliver_digest(self, report: Report) -> None:
        now = self.now()
        deferred = []
        for row in self.store.notifications(state="deferred"):
            if self._outdated(json.loads(row["payload"]), now):
                self.store.finish_notification(row["id"], "expired")
            else:
                deferred.append(row)
        if not deferred:
            return
        claimed = [r for r in deferred if self.store.claim_notification(r["id"], "deferred")]
        if not claimed:
            return
        events = [json.loads(r["payload"]) for r in claimed]
        lines = [f"• {e['summary']}" for e in events]
        digest = {
            "id": "digest:" + ",".join(e["id"] for e in events)[:200], "event": "digest",
            "case_id": None, "provider": None, "urgency": "normal", "folder": None,
            "draft": None, "summary": f"{len(events)} update(s) during quiet hours:\n"
            + "\n".join(lines), "events": events,
        }
        done = self.notifier.send(digest, skip=["inbox"])
        if "inbox" in self.notifier.backends and self._note(digest):
            done.append("inbox")
        for r in claimed:
            self.store.finish_notification(r["id"], "delivered" if done else "failed", done)
        report.notifications += bool(done)

    # -------------------------------------------------------------- notification actions

    def handle_action(self, case_id: int, key: str) -> str:
        """A click on a desktop notification's action.  Returns what was done."""
        case = self.store.case(case_id)
        if case is None:
            return f"case {case_id} no longer exists"
        now = self.now()
        source = next((s for s in self.sources if self.store.account_id(s.account, s.kind)
                       == case.account_id), None)
        if key == "appealed":
            if case.state != "new":
                return f"case {case_id} is already {case.state}"
            plan = caselogic.plan_appealed(case, now, "marked as appealed from the desktop "
                                           "notification")
            self.apply(source, case.account_id, plan, None, Report())  # type: ignore[arg-type]
            return f"case {case_id} marked as appealed"
        if key in ("confirm", "dismiss"):
            return self.verdict(case, key, "from the desktop notification")
        if key == "snooze":
            until = followup.snooze_until(case, now, self.policy)
            with self.store.transaction():
                self.store.update_case(case_id, {"snoozed_until": until,
                                                 "next_followup_at": until})
            return f"case {case_id}: follow-up snoozed until {until:%Y-%m-%d %H:%M}"
        return self.open_draft(case_id, source)

    def verdict(self, case: CaseRow, key: str, where: str) -> str:
        """The user's word on a possible notice (``key``: confirm | dismiss): a notice, whose
        appeal draft the next pass writes, or not one, closed for good."""
        now = self.now()
        if key == "confirm":
            plan = caselogic.plan_confirm(case, now, "you confirmed it is a suspension notice "
                                          f"({where})")
        else:
            plan = caselogic.plan_dismiss(case, now, "you said it is not a suspension notice "
                                          f"({where})")
        if plan is None:
            return f"case {case.id} is {case.state}, not a possible notice"
        source = next((s for s in self.sources if self.store.account_id(s.account, s.kind)
                       == case.account_id), None)
        self.apply(source, case.account_id, plan, None, Report())  # type: ignore[arg-type]
        return (f"case {case.id}: a suspension notice, its appeal draft planned" if key ==
                "confirm" else f"case {case.id}: not a notice, dismissed")

    def open_draft(self, case_id: int, source: MailSource | None) -> str:
        command = self.config.model.notify.open_command
        drafts = [d for d in self.store.drafts(case_id=case_id) if d["state"] == "written"]
        if not command or not drafts:
            return "no open_command configured" if not command else "no draft to open"
        target = drafts[-1]["message_id"]
        root = getattr(source, "paths", {}).get("drafts")
        if root is not None:
            for sub in ("cur", "new"):
                found = list((root / sub).glob(f"{drafts[-1]['location']}*"))
                if found:
                    target = str(found[0])
        argv = [part.replace("{draft}", target) for part in command]
        try:
            subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             start_new_session=True)
        except OSError as exc:
            return f"cannot run {argv[0]}: {exc}"
        return f"opened the draft of case {case_id}"


def _own_note(raw: bytes) -> bool:
    end = raw.find(b"\n\n")
    return bool(_OWN_NOTE.search(raw[: end if end >= 0 else 8192]))


def _no_reply(address: str) -> bool:
    local = address.split("@", 1)[0].lower()
    return any(w in local for w in ("noreply", "no-reply", "donotreply", "do-not-reply",
                                    "notifications", "mailer-daemon"))
