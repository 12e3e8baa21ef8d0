"""The mailbox model the stateful property tests share, whatever the source (a Maildir, a real
Dovecot): random sequences of provider mail in English and Chinese (some stating a deadline or
a response time), the user's own messages in Sent, irrelevant mail, phishing, daemon restarts,
kills at the engine's crash points (notification delivery's included), a notification backend
that fails for a pass, and clock jumps across weekends and holidays.  After every step: no
duplicate draft, no lost message or case, every notification delivered at most once by each
backend (command, ntfy, an INBOX note), no follow-up early or beyond the maximum or before a
promised response time, no deadline reminder late, stale or for a closed case, and case states
only along allowed transitions.  After a complete pass also: every planned draft is in Drafts,
every notification reached ntfy and INBOX exactly once and the command at most once (exactly
once unless the kill fell between trying it and its success), every backend but a failing one
has every event, each case's deadline is the one its provider's latest word stated, its
reminder has come, and every follow-up that is due was drafted.

A subclass says what its account looks like in the config (``ACCOUNT_TOML``, with
``account_fields`` for what differs per example), how mail reaches the mailbox (``deliver``),
what the Drafts folder holds (``draft_ids``), which sources the daemon reads (``make_sources``)
how a killed daemon's connections end (``abandon``) and which notes INBOX holds
(``note_ids``)."""

from __future__ import annotations

import contextlib
import dataclasses
import itertools
import os
import shutil
import tempfile
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from appealwatch import engine as engine_module
from appealwatch.cases import transition_allowed
from appealwatch.catchup import WANTED_DRAFT
from appealwatch.config import Config, load_config
from appealwatch.engine import Engine, Report, policy_of
from appealwatch.followup import followup_due_now, next_followup
from appealwatch.sources import MailSource
from appealwatch.store import Store
from mails import auth_pass, make_mail
from stateful_notify import Desk, dead_pid
from stateful_telling import REMINDERS, TellingInvariants
from stateful_words import (
    DEADLINE_FORMS,
    DUE_HOUR,
    SPANS,
    Said,
    business_days_before,
    deadline,
    promise,
    text,
)

PROVIDERS = {  # name, domain, support address, language
    "openai": ("OpenAI", "tm.openai.com", "support@openai.com", "en"),
    "github": ("GitHub", "github.com", "support@github.com", "en"),
    "stripe": ("Stripe", "stripe.com", "support@stripe.com", "en"),
    "aliyun": ("阿里云", "aliyun.com", "support@aliyun.com", "zh"),
}
START = datetime(2026, 11, 16, 10, 0, tzinfo=UTC)  # a Monday; Thanksgiving falls inside
USER_TOML = '[user]\nname = "U"\nemail = "u@example.net"\n'
FOLLOWUP_TOML = '[followup]\nafter_business_days = 2\nmax_followups = 2\ncountry = "US"\n'
_CONFIGS: dict[str, Config] = {}
ENGINE_CRASH_POINTS = ("after-ingest-batch", "after-decision", "after-draft-append")
NOTIFY_CRASH_POINTS = ("after-claim", "trying-command", "sent-command", "trying-ntfy",
                       "sent-ntfy", "after-note-append", "after-notify")
CRASH_POINTS = ENGINE_CRASH_POINTS + NOTIFY_CRASH_POINTS
# how a daemon's run ends: kills at the engine's crash points and at notification delivery's
# are each drawn as often as the other endings together (they are where a duplicate draft or a
# lost or repeated notification would come from); a kill at the nth time a point is reached
ENDINGS = st.one_of(
    st.sampled_from(["complete", "complete", "restart", "killed after ingest",
                     "killed after decide", "killed after followups"]),
    st.sampled_from(ENGINE_CRASH_POINTS), st.sampled_from(NOTIFY_CRASH_POINTS))
NTH = st.sampled_from([1, 1, 2, 3])
# what a provider adds to a notice or an answer: nothing, or a deadline / response time
SAID = st.one_of(st.none(), st.tuples(st.sampled_from(DEADLINE_FORMS), st.sampled_from(SPANS)))


# How far a case had come in the mail a first scan reads, and the state that leaves it in.
HISTORY_STAGES = {"notice": "new", "appealed": "appealed", "acked": "appealed",
                  "asked": "needs_reply", "answered": "waiting", "restored": "restored",
                  "denied": "denied"}


class Killed(BaseException):
    """The daemon died here (SIGKILL): nothing after this point runs, nothing is cleaned up."""


class MailboxMachine(TellingInvariants, RuleBasedStateMachine):
    ACCOUNT = "m"
    ACCOUNT_TOML = ""  # the [[accounts]] table, without its name


    def __init__(self) -> None:
        super().__init__()
        self.tmp = Path(tempfile.mkdtemp(prefix="aw-stateful-"))
        self.state_path = self.tmp / "s.sqlite3"
        self.config = self.make_config()
        self.now = START
        self.counter = itertools.count(1)
        self.recorder = Desk(self.witness)  # command, ntfy and inbox, across daemon restarts
        self.store = Store(self.state_path)
        self._engine: Engine | None = None
        self.open: dict[str, str] = {}  # provider -> Message-ID of its open notice
        self.delivered: set[str] = set()  # Message-IDs of all mail delivered
        self.genuine_notices: set[str] = set()
        self.cases_seen: set[int] = set()
        self.settled = False  # a complete pass ran since the last change
        self._draft_ids: list[str] | None = None  # what Drafts held when last looked at
        # notifications
        self.lost_command: set[str] = set()  # events a kill hit between trying and running it
        self.down: set[str] = set()  # the backend that failed during the last pass
        self.troubles = 0  # kills and failing passes: each may cost a pending event an attempt
        self.notes: dict[str, object] = {}  # Message-ID of a note in INBOX -> which message
        self.notes_gone: set[str] = set()  # notes seen in INBOX that have left it
        self.deliveries: list[tuple[dict, datetime, bool | None, datetime | None]] = []
        # time: the model's cases are named by the Message-ID of the notice that opened them
        self.case_deadline: dict[str, datetime | None] = {}  # as its provider's words set it
        self.stated: dict[str, set[datetime]] = defaultdict(set)  # every deadline stated
        self.promises: list[tuple[str, str, datetime]] = []  # (case, message, follow-up due)
        self.processed_at: dict[str, datetime] = {}  # promise message -> pass that read it

    # -------------------------------------------------------------- what a subclass provides

    def account_fields(self) -> dict[str, object]:
        """The account's settings that differ per example."""
        raise NotImplementedError

    def make_config(self) -> Config:
        """The config file, loaded once per process (the rules take a while to load), with
        this example's account."""
        text = (USER_TOML + f'[[accounts]]\nname = "{self.ACCOUNT}"\n{self.ACCOUNT_TOML}'
                + FOLLOWUP_TOML)
        if text not in _CONFIGS:
            path = self.tmp / "config.toml"
            path.write_text(text, encoding="utf-8")
            path.chmod(0o600)
            _CONFIGS[text] = load_config(path)
        base = _CONFIGS[text]
        account = base.model.accounts[0].model_copy(update=self.account_fields())
        return dataclasses.replace(base, path=self.tmp / "config.toml",
                                   model=base.model.model_copy(update={"accounts": [account]}))

    def make_sources(self) -> list[MailSource]:
        raise NotImplementedError

    def deliver(self, folder: str, raw: bytes) -> None:
        """Put a message into INBOX, Junk or Sent."""
        raise NotImplementedError

    def draft_ids(self) -> list[str]:
        """The Message-IDs of the messages in the Drafts folder, one per message."""
        raise NotImplementedError

    def note_ids(self) -> list[tuple[str, object]]:
        """(Message-ID, identity) of every appealwatch note in INBOX: the identity tells one
        message from another with the same Message-ID (an inode, a UID)."""
        raise NotImplementedError

    def abandon(self, source: MailSource) -> None:
        """A killed daemon's source: its connections just end."""
        source.close()

    def teardown(self) -> None:
        if self._engine is not None:
            for source in self._engine.sources:
                source.close()
        self.store.close()
        shutil.rmtree(self.tmp, ignore_errors=True)

    # -------------------------------------------------------------- the daemon

    def engine(self) -> Engine:
        """The running daemon's engine: its sources (and connections) live until it stops."""
        self._draft_ids = None  # it may write to Drafts: look again at the next check
        if self._engine is None:
            self._engine = Engine(self.config, self.store, self.make_sources(), self.recorder,
                                  now=lambda: self.now)
        return self._engine

    def account_id(self) -> int:
        return self.store.account_id(self.ACCOUNT, self.engine().sources[0].kind)

    def stop_daemon(self, killed: bool) -> None:
        """The daemon ends (cleanly, or killed), and a new one starts on the same state file."""
        if self._engine is not None:
            for source in self._engine.sources:
                if killed:
                    self.abandon(source)
                else:
                    source.close()
            self._engine = None
        self.store.close()  # a killed process's open transaction is rolled back
        self.store = Store(self.state_path)
        if killed:
            self.troubles += 1
            with self.store.transaction():  # its claims are a dead process's now
                self.store.db.execute(
                    "UPDATE notifications SET claimed_by = ? WHERE claimed_by = ?",
                    (dead_pid(), os.getpid()))

    def full_pass(self) -> None:
        self.engine().scan()
        self.settled = True
        self.down = set()

    def witness(self, event: dict) -> None:
        """The engine starts delivering an event: for a deadline reminder, note when, and
        whether its case was still open, with which deadline."""
        if event["event"] in REMINDERS:
            case = self.store.case(event["case_id"])
            self.deliveries.append((event, self.now, case.is_open if case else None,
                                    case.deadline_at if case else None))

    def put(self, folder: str, raw: bytes, message_id: str) -> None:
        self.deliver(folder, raw)
        self.delivered.add(message_id)
        self.settled = False

    def provider_mail(self, provider: str, subject: str, body: str, reply_to: str | None,
                      folder: str = "INBOX", date: datetime | None = None) -> str:
        name, domain, support, _lang = PROVIDERS[provider]
        mid = f"<{provider}-{next(self.counter)}@{domain}>"
        headers = {"In-Reply-To": reply_to} if reply_to else {}
        if date is None:
            self.now += timedelta(minutes=1)  # a provider's words come one after another
        self.put(folder, make_mail(
            sender=f"{name} <{support if reply_to else 'noreply@' + domain}>", subject=subject,
            body=body, auth=[auth_pass(domain)], message_id=mid, headers=headers,
            date=date or self.now), mid)
        return mid

    def says(self, provider: str, kind: str, said: tuple[str, int] | None) -> Said | None:
        """What a provider adds about time to a message of ``kind`` sent now."""
        lang = PROVIDERS[provider][3]
        sent = self.now + timedelta(minutes=1)  # the date provider_mail will give it
        if said is None or kind in ("restored", "denied"):
            return None
        if kind == "ack":
            return promise(lang, said[1], sent)
        return deadline(lang, *said, sent)

    def heard(self, case: str, mid: str, said: Said | None, decision: bool = False) -> None:
        """The model's case after its provider's message: a decision ends its deadline, a
        stated deadline becomes its deadline, a stated response time is a promise."""
        if decision:
            self.case_deadline[case] = None
        elif said is not None and said.deadline is not None:
            self.case_deadline[case] = said.deadline
            self.stated[case].add(said.deadline)
        elif said is not None and said.promise_due is not None:
            self.promises.append((case, mid, said.promise_due))

    # -------------------------------------------------------------- rules: mail arrives

    @initialize(provider=st.sampled_from(sorted(PROVIDERS)), junk=st.booleans(),
                history=st.one_of(st.none(), st.lists(
                    st.tuples(st.sampled_from(sorted(PROVIDERS)),
                              st.sampled_from(sorted(HISTORY_STAGES)), st.booleans()),
                    min_size=1, max_size=3, unique_by=lambda t: t[0])),
                phishing=st.integers(0, 2), said=SAID)
    def first_notice(self, provider: str, junk: bool, history=None, phishing: int = 0,
                     said: tuple[str, int] | None = None) -> None:
        """Every example has a case from the start: the rest is what happens to it.  Either a
        notice arrives while the daemon runs, or the daemon's first scan reads months of mail."""
        if history is None:
            self.notice(provider, junk, said)
            self.full_pass()
        else:
            self.first_scan_over_history(history, phishing)

    def first_scan_over_history(self, history, phishing: int) -> None:
        """Months of mail before the daemon first runs: cases at every stage, phishing, everyday
        mail.  The first scan tells the present: at most one notification per case that needs
        the user now plus one summary, none about decided cases or old phishing; drafts only for
        the state each case is in, one per case at most; and a second scan sends nothing."""
        day = self.now - timedelta(days=120)
        for provider, stage, junk in history:
            day += timedelta(days=7)
            name, _domain, _support, lang = PROVIDERS[provider]
            reply = text(lang, "reply_subject", name)
            notice = self.provider_mail(
                provider, text(lang, "notice_subject", name),
                text(lang, "notice", name, 48213000 + next(self.counter)), None,
                "Junk" if junk else "INBOX", date=day)
            self.genuine_notices.add(notice)
            self.case_deadline[notice] = None  # none was stated
            if stage in ("appealed", "asked", "answered", "restored", "denied"):
                self.sent_mail(provider, notice, day + timedelta(days=1))
            if stage == "acked":
                self.provider_mail(provider, reply, text(lang, "ack", name), notice,
                                   date=day + timedelta(days=1))
            if stage in ("asked", "answered"):
                question = self.provider_mail(provider, reply, text(lang, "question", name),
                                              notice, date=day + timedelta(days=3))
                if stage == "answered":
                    self.sent_mail(provider, question, day + timedelta(days=4))
            if stage in ("restored", "denied"):
                self.provider_mail(provider, reply, text(lang, stage, name), notice,
                                   date=day + timedelta(days=5))
            else:
                self.open[provider] = notice
        for n in range(phishing):
            mid = f"<p-{next(self.counter)}@paypa1-secure.example>"
            self.put("Junk", make_mail(sender="PayPal <service@paypa1-secure.example>",
                                       subject="Your account has been limited",
                                       body="Your PayPal account has been limited. Verify now.",
                                       message_id=mid, date=day - timedelta(days=n)), mid)
        self.full_pass()
        states = {c.id: c.state for c in self.store.cases()}
        wanted = {p: HISTORY_STAGES[stage] for p, stage, _ in history}
        assert sorted(wanted.values()) == sorted(s for s in states.values() if s != "suspicious")
        told = [e for e in self.recorder.events if e["case_id"] is not None]
        per_case = Counter(e["case_id"] for e in told)
        assert max(per_case.values(), default=1) == 1, per_case
        assert {states[c] for c in per_case} <= {"new", "needs_reply", "appealed", "waiting"}
        assert {e["event"] for e in told} <= {"new_notice", "needs_reply", "followup_due"}
        assert len([e for e in self.recorder.events if e["event"] == "summary"]) <= 1
        ids = self.draft_ids()
        rows = [r for r in self.store.drafts() if r["message_id"] in ids]
        assert len(rows) == len({r["case_id"] for r in rows}), "two drafts for a case"
        assert all(WANTED_DRAFT.get(states[r["case_id"]]) == r["kind"] for r in rows)
        before = (list(self.recorder.sent), sorted(ids))
        self.stop_daemon(killed=False)
        self.full_pass()
        assert (self.recorder.sent, sorted(self.draft_ids())) == before, "a second scan acted"

    def sent_mail(self, provider: str, reply_to: str, date: datetime) -> None:
        mid = f"<sent-{next(self.counter)}@example.net>"
        self.put("Sent", make_mail(
            sender="U <u@example.net>", to=PROVIDERS[provider][2],
            subject=text(PROVIDERS[provider][3], "reply_subject", PROVIDERS[provider][0]),
            body="Please look at my account.", headers={"In-Reply-To": reply_to},
            message_id=mid, date=date), mid)

    @rule(provider=st.sampled_from(sorted(PROVIDERS)), junk=st.booleans(), said=SAID)
    def notice(self, provider: str, junk: bool, said: tuple[str, int] | None = None) -> None:
        """A notice, perhaps with a deadline; every notice names an account of its own, so it
        opens a case of its own; the provider's answers go to its first open one."""
        name, _domain, _support, lang = PROVIDERS[provider]
        timed = self.says(provider, "notice", said)
        mid = self.provider_mail(
            provider, text(lang, "notice_subject", name),
            text(lang, "notice", name, 48213000 + next(self.counter))
            + (timed.text if timed else ""), None,
            "Junk" if junk else "INBOX")
        self.open.setdefault(provider, mid)
        self.genuine_notices.add(mid)
        self.case_deadline[mid] = None
        self.heard(mid, mid, timed)

    @precondition(lambda self: self.open)
    @rule(data=st.data(), kind=st.sampled_from(["ack", "question", "update", "restored",
                                                 "denied"]), said=SAID)
    def provider_answers(self, data, kind: str, said: tuple[str, int] | None) -> None:
        """An answer on the provider's open case; an acknowledgement may promise a response
        time, a question or an update state a deadline."""
        provider = data.draw(st.sampled_from(sorted(self.open)))
        name, _domain, _support, lang = PROVIDERS[provider]
        notice = self.open[provider]
        timed = self.says(provider, kind, said)
        body = text(lang, kind, name)
        if timed is not None:
            body = timed.text if kind == "ack" else f"{body} {timed.text}"
        mid = self.provider_mail(provider, text(lang, "reply_subject", name), body, notice)
        self.heard(notice, mid, timed, decision=kind in ("restored", "denied"))
        if kind in ("restored", "denied"):
            del self.open[provider]

    @precondition(lambda self: self.open)
    @rule(data=st.data())
    def user_writes(self, data) -> None:
        """The user's own appeal or answer, as their mail client files it in Sent."""
        provider = data.draw(st.sampled_from(sorted(self.open)))
        self.sent_mail(provider, self.open[provider], self.now)

    @rule(phishing=st.booleans())
    def other_mail(self, phishing: bool) -> None:
        """Everyday mail that mentions a suspension, or a phishing imitation of a notice."""
        if phishing:
            mid = f"<p-{next(self.counter)}@paypa1-secure.example>"
            raw = make_mail(sender="PayPal <service@paypa1-secure.example>",
                            subject="Your account has been limited",
                            body="Your PayPal account has been limited. Verify now.",
                            message_id=mid, date=self.now)
        else:
            mid = f"<f-{next(self.counter)}@example.org>"
            raw = make_mail(sender="Friend <f@example.org>", subject="dinner?",
                            body="My bike's suspension broke again, lol.", message_id=mid,
                            date=self.now)
        self.put("Junk" if phishing else "INBOX", raw, mid)

    # -------------------------------------------------------------- rules: time and failures

    @rule(days=st.integers(min_value=0, max_value=9), hours=st.integers(0, 23))
    def time_passes(self, days: int, hours: int) -> None:
        self.now += timedelta(days=days, hours=hours)
        self.settled = False

    def moments(self) -> list[datetime]:
        """The times the providers' words made matter, still ahead: the mornings a deadline's
        reminders fall due, just past the deadline, and either side of a promised response
        time."""
        found = set()
        for due in self.case_deadline.values():
            if due is not None:
                found |= {datetime.combine(day, DUE_HOUR, tzinfo=UTC) + timedelta(minutes=30)
                          for day in (business_days_before(due.date(), 2), due.date())}
                found.add(due + timedelta(minutes=30))
        for _case, _mid, due in self.promises:
            found |= {due - timedelta(hours=1), due + timedelta(minutes=30)}
        return sorted(t for t in found if t > self.now)

    @precondition(lambda self: self.moments())
    @rule(data=st.data(), end=ENDINGS, nth=NTH)
    def time_reaches_a_moment(self, data, end: str, nth: int) -> None:
        """The clock moves to a moment a deadline or a promise made matter, and the daemon
        runs (and ends as ``daemon_runs`` may)."""
        self.now = data.draw(st.sampled_from(self.moments()))
        self.daemon_runs(end, nth)

    @rule(end=ENDINGS, nth=NTH)
    def daemon_runs(self, end: str, nth: int) -> None:
        """A pass, which completes; or the daemon is restarted cleanly (and scans at once); or
        it is SIGKILLed after a step of its pass, or the ``nth`` time its pass reaches one of
        the engine's crash points (or after the pass, if it never gets there that often).  A
        new daemon then starts on the same state; its next pass completes what was left."""
        if end == "complete":
            self.full_pass()
            return
        if end == "restart":
            self.stop_daemon(killed=False)
            self.full_pass()
            return
        self.settled = False
        if end.startswith("killed after "):
            self.partial_pass(end.removeprefix("killed after "))
        else:
            hits = itertools.count(1)

            def crash_point(name: str) -> None:
                if name == end and next(hits) == nth:
                    if name == "trying-command" and self.recorder.in_flight:
                        # marked as being tried, not yet run: counted as done, never run
                        self.lost_command.add(self.recorder.in_flight["id"])
                    raise Killed

            real, engine_module.crash_point = engine_module.crash_point, crash_point
            try:
                with contextlib.suppress(Killed):
                    self.engine().scan()
            finally:
                engine_module.crash_point = real
        self.stop_daemon(killed=True)

    @rule(provider=st.sampled_from(sorted(PROVIDERS)), junk=st.booleans(),
          point=st.sampled_from(CRASH_POINTS))
    def notice_then_killed(self, provider: str, junk: bool, point: str) -> None:
        """A notice arrives and the daemon is killed at a crash point of the pass that handles
        it: the interleaving a duplicate draft or a lost notification would come from, drawn as
        one step so that short examples reach it."""
        self.notice(provider, junk)
        self.daemon_runs(point, 1)

    @rule(backend=st.sampled_from(["ntfy", "command"]))
    def backend_fails_for_a_pass(self, backend: str) -> None:
        """A pass during which one backend fails (ntfy answers 503, the command exits
        non-zero): the others deliver as usual, and a later pass gives it what it missed."""
        self.recorder.fail(backend)
        try:
            self.full_pass()
        finally:
            self.recorder.fail(None)
        self.down = {backend}
        self.troubles += 1

    def partial_pass(self, last_step: str) -> None:
        engine = self.engine()
        source = engine.sources[0]
        account = self.account_id()
        engine.ingest(source, account, Report())
        if last_step in ("decide", "followups"):
            engine.decide(source, account, Report())
        if last_step == "followups":
            engine.plan_followups(source, account, Report())

    # -------------------------------------------------------------- invariants

    @invariant()
    def drafts_unique_and_accounted_for(self) -> None:
        if self._draft_ids is None:
            self._draft_ids = self.draft_ids()
        ids = self._draft_ids
        assert len(ids) == len(set(ids)), Counter(ids).most_common(2)
        rows = self.store.drafts()
        per_slot = Counter((r["case_id"], r["kind"], r["number"], r["answers"]) for r in rows)
        assert max(per_slot.values(), default=1) == 1
        planned = {r["message_id"]: r for r in rows}
        assert set(ids) <= set(planned), "a draft in Drafts the state knows nothing of"
        if self.settled:
            # nobody edits drafts here: every one is written, or gone with the state it was for
            for r in rows:
                assert r["state"] in ("written", "superseded", "gone"), dict(r)
                assert (r["message_id"] in ids) == (r["state"] == "written"), dict(r)
            waiting = Counter(r["case_id"] for r in rows if r["state"] == "written")
            assert max(waiting.values(), default=1) == 1, "two drafts of a case in Drafts"
            states = {c.id: c.state for c in self.store.cases()}
            for r in rows:
                if r["state"] == "written":
                    assert WANTED_DRAFT.get(states[r["case_id"]]) == r["kind"], (
                        f"a {r['kind']} draft for a case that is {states[r['case_id']]}")

    @invariant()
    def nothing_lost(self) -> None:
        rows = [r for r in self.store.db.execute(
            "SELECT message_id, case_id, processed FROM messages")
            if not (r[0] or "").startswith("<appealwatch.note.")]  # our own notes in INBOX
        assert len(rows) <= len(self.delivered)
        for mid, case_id, done in rows:
            if done and mid in self.genuine_notices:
                assert case_id is not None, f"notice {mid} is in no case"
        if self.settled:
            assert sorted(mid for mid, _c, _d in rows) == sorted(self.delivered)
            assert all(done for _m, _c, done in rows)
        cases = {c.id for c in self.store.cases()}
        assert self.cases_seen <= cases, f"cases lost: {self.cases_seen - cases}"
        self.cases_seen = cases

    @invariant()
    def states_move_along_allowed_transitions(self) -> None:
        for case in self.store.cases():
            previous = None
            for t in self.store.transitions(case.id):
                assert t["from_state"] == previous or previous is None
                assert transition_allowed(t["from_state"], t["to_state"])
                previous = t["to_state"]
            if previous is not None:
                assert case.state == previous

    @invariant()
    def followups_never_early_nor_too_many_nor_missed(self) -> None:
        policy = policy_of(self.config)
        for case in self.store.cases():
            assert case.followups <= policy.max_followups
            kinds = [r for r in self.store.drafts(case_id=case.id) if r["kind"] == "followup"]
            assert len(kinds) <= policy.max_followups
            if self.settled:
                assert followup_due_now(case, self.now, policy) is None, "a due follow-up missed"
            if case.state in ("suspicious", "restored", "denied", "withdrawn", "new"):
                continue
            nxt = next_followup(case, policy)
            if nxt is not None and self.now < nxt[1]:
                # nothing for the next follow-up number exists yet
                assert not [r for r in kinds if r["number"] >= nxt[0]]
