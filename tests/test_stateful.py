"""Stateful property test over the Maildir source: random sequences of provider mail, the
user's own messages, irrelevant mail, phishing, restarts, crashes between the steps of a pass
and clock jumps.  After every step: no duplicate draft, no lost message or case, every
notification delivered at most once, no follow-up early or beyond the maximum, and case states
only along allowed transitions."""

from __future__ import annotations

import contextlib
import itertools
import shutil
import tempfile
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from appealwatch.cases import transition_allowed
from appealwatch.config import load_config
from appealwatch.engine import Engine, Report
from appealwatch.followup import next_followup
from appealwatch.maildir import MaildirSource
from appealwatch.notify import Notifier
from appealwatch.store import Store
from mails import auth_pass, make_mail

PROVIDERS = {
    "openai": ("OpenAI", "tm.openai.com", "support@openai.com"),
    "github": ("GitHub", "github.com", "support@github.com"),
    "stripe": ("Stripe", "stripe.com", "support@stripe.com"),
}
START = datetime(2026, 11, 16, 10, 0, tzinfo=UTC)  # a Monday; Thanksgiving falls inside


class Recorder(Notifier):
    def __init__(self) -> None:
        super().__init__(["record"])
        self.sent: list[str] = []

    def send(self, event, skip=()):
        self.sent.append(event["id"])
        return ["record"]


class Mailbox(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.tmp = Path(tempfile.mkdtemp(prefix="aw-stateful-"))
        self.root = self.tmp / "Maildir"
        for folder in (self.root, self.root / ".Junk", self.root / ".Sent"):
            for sub in ("cur", "new", "tmp"):
                (folder / sub).mkdir(parents=True)
        cfg = self.tmp / "config.toml"
        cfg.write_text(
            '[user]\nname = "U"\nemail = "u@example.net"\n'
            f'[[accounts]]\nname = "m"\nmaildir = "{self.root}"\n'
            f'[state]\npath = "{self.tmp / "s.sqlite3"}"\n'
            '[followup]\nafter_business_days = 2\nmax_followups = 2\ncountry = "US"\n',
            encoding="utf-8")
        self.config = load_config(cfg)
        self.now = START
        self.counter = itertools.count(1)
        self.recorder = Recorder()
        self.store = Store(self.tmp / "s.sqlite3")
        self.open: dict[str, str] = {}  # provider -> Message-ID of its open notice
        self.delivered_messages = 0
        self.genuine_notices: set[str] = set()

    def teardown(self) -> None:
        self.store.close()
        shutil.rmtree(self.tmp, ignore_errors=True)

    # -------------------------------------------------------------- helpers

    def engine(self) -> Engine:
        source = MaildirSource("m", self.root, {})
        return Engine(self.config, self.store, [source], self.recorder, now=lambda: self.now)

    def deliver(self, folder: str, raw: bytes) -> None:
        target = self.root if folder == "INBOX" else self.root / f".{folder}"
        n = next(self.counter)
        (target / "new" / f"{n}.m{n}.test").write_bytes(raw)
        self.delivered_messages += 1

    def provider_mail(self, provider: str, subject: str, body: str, reply_to: str | None,
                      folder: str = "INBOX") -> str:
        name, domain, support = PROVIDERS[provider]
        mid = f"<{provider}-{next(self.counter)}@{domain}>"
        headers = {"In-Reply-To": reply_to} if reply_to else {}
        self.deliver(folder, make_mail(
            sender=f"{name} <{support if reply_to else 'noreply@' + domain}>", subject=subject,
            body=body, auth=[auth_pass(domain)], message_id=mid, headers=headers,
            date=self.now))
        return mid

    # -------------------------------------------------------------- rules: mail arrives

    @initialize()
    def first_scan(self) -> None:
        self.engine().scan()

    @rule(provider=st.sampled_from(sorted(PROVIDERS)), junk=st.booleans())
    def notice(self, provider: str, junk: bool) -> None:
        mid = self.provider_mail(
            provider, "Your account has been suspended",
            f"Your {PROVIDERS[provider][0]} account has been suspended because several "
            "payments were declined and the invoice is overdue.", None,
            "Junk" if junk else "INBOX")
        self.open.setdefault(provider, mid)
        self.genuine_notices.add(mid)

    @precondition(lambda self: self.open)
    @rule(data=st.data(), kind=st.sampled_from(["ack", "question", "update", "restored",
                                                 "denied"]))
    def provider_answers(self, data, kind: str) -> None:
        provider = data.draw(st.sampled_from(sorted(self.open)))
        notice = self.open[provider]
        body = {
            "ack": "This is an automatic confirmation: we have received your request and a "
                   "member of our team will review it.",
            "question": "Hi, could you please tell us the last four digits of your new card?",
            "update": "Hi, I'm still looking into this with our billing team.",
            "restored": "We have reviewed your appeal and your account is active again.",
            "denied": "After reviewing your appeal we are unable to reinstate the account; "
                      "this decision is final.",
        }[kind]
        self.provider_mail(provider, "Re: Your account has been suspended", body, notice)
        if kind in ("restored", "denied"):
            del self.open[provider]

    @precondition(lambda self: self.open)
    @rule(data=st.data())
    def user_writes(self, data) -> None:
        provider = data.draw(st.sampled_from(sorted(self.open)))
        self.deliver("Sent", make_mail(
            sender="U <u@example.net>", to=PROVIDERS[provider][2],
            subject="Re: Your account has been suspended", body="Please look at my account.",
            headers={"In-Reply-To": self.open[provider]},
            message_id=f"<sent-{next(self.counter)}@example.net>", date=self.now))

    @rule()
    def irrelevant(self) -> None:
        self.deliver("INBOX", make_mail(sender="Friend <f@example.org>", subject="dinner?",
                                        body="My bike's suspension broke again, lol.",
                                        message_id=f"<f-{next(self.counter)}@example.org>",
                                        date=self.now))

    @rule()
    def phishing(self) -> None:
        self.deliver("Junk", make_mail(
            sender="PayPal <service@paypa1-secure.example>",
            subject="Your account has been limited",
            body="Your PayPal account has been limited. Verify now.",
            message_id=f"<p-{next(self.counter)}@paypa1-secure.example>", date=self.now))

    # -------------------------------------------------------------- rules: time and failures

    @rule(days=st.integers(min_value=0, max_value=9), hours=st.integers(0, 23))
    def time_passes(self, days: int, hours: int) -> None:
        self.now += timedelta(days=days, hours=hours)

    @rule()
    def scan(self) -> None:
        self.engine().scan()

    @rule(step=st.sampled_from(["ingest", "decide", "followups"]))
    def crash_during_a_pass(self, step: str) -> None:
        """The pass stops after a step, as a SIGKILL would; the next pass completes it."""
        engine = self.engine()
        source = engine.sources[0]
        account = self.store.account_id("m", "maildir")
        engine.ingest(source, account, Report())
        if step in ("decide", "followups"):
            engine.decide(source, account, Report())
        if step == "followups":
            engine.plan_followups(source, account, Report())

    @rule()
    def crash_while_writing_a_draft(self) -> None:
        """The draft reaches the Drafts folder but the run dies before recording it."""
        engine = self.engine()
        source = engine.sources[0]
        account = self.store.account_id("m", "maildir")
        engine.ingest(source, account, Report())
        engine.decide(source, account, Report())
        engine.plan_followups(source, account, Report())
        real = source.append_draft

        def append_then_die(raw: bytes) -> str:
            real(raw)
            raise ConnectionResetError("died after writing")

        source.append_draft = append_then_die  # type: ignore[method-assign]
        with contextlib.suppress(ConnectionResetError):
            engine.write_drafts(source, account, Report())

    @rule()
    def restart(self) -> None:
        self.store.close()
        self.store = Store(self.tmp / "s.sqlite3")
        self.engine().scan()

    # -------------------------------------------------------------- invariants

    def drafts_on_disk(self) -> list[str]:
        ids = []
        for sub in ("cur", "new"):
            for path in (self.root / ".Drafts" / sub).glob("*"):
                head = path.read_bytes().split(b"\n\n", 1)[0].decode()
                ids += [line.split(":", 1)[1].strip() for line in head.splitlines()
                        if line.lower().startswith("message-id:")]
        return ids

    @invariant()
    def no_duplicate_draft(self) -> None:
        ids = self.drafts_on_disk()
        assert len(ids) == len(set(ids)), Counter(ids).most_common(2)
        rows = self.store.drafts()
        per_slot = Counter((r["case_id"], r["kind"], r["number"]) for r in rows)
        assert max(per_slot.values(), default=1) == 1

    @invariant()
    def notifications_at_most_once(self) -> None:
        assert len(self.recorder.sent) == len(set(self.recorder.sent))

    @invariant()
    def nothing_lost(self) -> None:
        rows = self.store.db.execute("SELECT COUNT(*) FROM messages").fetchone()[0]
        assert rows <= self.delivered_messages
        processed = self.store.db.execute(
            "SELECT message_id, case_id, processed FROM messages").fetchall()
        for mid, case_id, done in processed:
            if done and mid in self.genuine_notices:
                assert case_id is not None, f"notice {mid} is in no case"

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
    def followups_never_early_nor_too_many(self) -> None:
        policy_max = self.config.model.followup.max_followups
        for case in self.store.cases():
            assert case.followups <= policy_max
            kinds = [r for r in self.store.drafts(case_id=case.id) if r["kind"] == "followup"]
            assert len(kinds) <= policy_max
            if case.state in ("suspicious", "restored", "denied", "withdrawn", "new"):
                continue
            nxt = next_followup(case, self.engine().policy)
            if nxt is not None and self.now < nxt[1]:
                # nothing for the next follow-up number exists yet
                assert not [r for r in kinds if r["number"] >= nxt[0]]


Mailbox.TestCase.settings = settings(
    max_examples=200, stateful_step_count=12, deadline=None, database=None,
    suppress_health_check=list(HealthCheck))
test_mailbox_invariants = Mailbox.TestCase
