"""A month of mail through `appealwatch run` with a simulated clock: the scenario, the run and
the checks shared by the soak test (tests/integration/test_soak.py) and its benchmark
(bench/bench_soak.py).

The scenario (seeded, so every run is the same) spreads over Monday 14 December 2026 to
Sunday 17 January 2027, with Christmas and New Year's Day inside (both on a Friday): provider
cases that follow one of a few stories (a notice in INBOX or Junk, the user's appeal in Sent,
an acknowledgement with a ticket, a question, the user's answer, a status update, a decision),
phishing imitations, and everyday mail to INBOX, Junk and Sent.  While it is generated, an
oracle written from the README's rules (not from the daemon's code) works out what must happen
to each case: its states, its drafts, its notifications and when each follow-up falls due
(3 business days after the last message, then 6; at most 2; weekends and US federal holidays
do not count; none while a question is open; 09:00 UTC).

No case message is scheduled from 24 h before a follow-up falls due to 72 h after it, so the
result does not depend on how quickly the daemon reacts (at ten simulated hours a second that
leaves it seconds); the run is stopped on Sunday 17 January, and no follow-up can fall due
between Friday 15 January 09:00 and Tuesday 19 January 09:00 (a weekend and Martin Luther King
Day), so what must exist at the stop is exact.

`run_soak` starts `appealwatch run --now ... --time-scale ...` against a Dovecot, reads the
simulated clock's anchor from its log, APPENDs each message when the simulated time reaches its
Date, samples the daemon's VmRSS, waits until everything delivered has been handled, and stops
it.  `verify` compares the server's Drafts, the state database and the notifications with the
oracle and returns the problems found.
"""

from __future__ import annotations

import json
import random
import re
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from typing import Any

from tests.mails import auth_fail, auth_pass, quick_mail

SIM_START = datetime(2026, 12, 14, 6, 0, tzinfo=UTC)  # a Monday
LAST_EVENT = datetime(2027, 1, 13, 20, 0, tzinfo=UTC)  # Wednesday: the last case message
LAST_DUE = datetime(2027, 1, 15, 9, 0, tzinfo=UTC)  # Friday: the last follow-up time before
SIM_STOP = datetime(2027, 1, 17, 9, 0, tzinfo=UTC)  # Sunday: the run is stopped after this
NEXT_DUE = datetime(2027, 1, 19, 9, 0, tzinfo=UTC)  # ... and before this (Monday is MLK Day)
# US federal holidays in the window (Christmas and New Year's Day on Fridays, MLK Day)
HOLIDAYS = frozenset({date(2026, 12, 25), date(2027, 1, 1), date(2027, 1, 18)})
AFTER_BUSINESS_DAYS = 3
MAX_FOLLOWUPS = 2
DUE_AT = dtime(9, 0)
QUIET = (dtime(22, 0), dtime(7, 0))
USER = "alex@example.net"
CRITICAL = frozenset({"new_notice", "phishing_warning"})
# the draft each state calls for (README: 'One draft per case, for the state it is in')
DRAFT_FOR = {"new": "appeal", "needs_reply": "answer", "appealed": "followup",
             "waiting": "followup"}
# no case message from CLEAR_BEFORE before a follow-up is due to CLEAR_AFTER after it
CLEAR_BEFORE = timedelta(hours=24)
CLEAR_AFTER = timedelta(hours=72)

PROVIDERS = {
    # id: (name, sender domain, support address, subject, notice body with {ident})
    "openai": ("OpenAI", "tm.openai.com", "support@openai.com",
               "Your OpenAI API organization has been deactivated",
               "Access for your organization {ident} has been deactivated because of repeated "
               "violations of our usage policies.\n\nIf you believe this is an error, reply to "
               "this message.\n"),
    "stripe": ("Stripe", "stripe.com", "support@stripe.com",
               "Your Stripe account has been suspended",
               "Your Stripe account {ident} has been suspended because several payments were "
               "declined and the invoice is overdue.\n"),
    "github": ("GitHub", "github.com", "support@github.com",
               "Your GitHub account has been suspended",
               "Your account (Account ID: {ident}) has been suspended for violating our terms "
               "of service.\n"),
}
IDENT = {"openai": "org-Soak{n:06d}XYZ", "stripe": "acct_Soak{n:06d}xyz",
         "github": "gh-soak-{n:06d}"}
BODIES = {
    "ack": "This is an automatic confirmation: we have received your request and a member of "
           "our team will review it. Your request number is {ticket}.",
    "question": "Hi, could you please tell us the last four digits of the card you used?",
    "update": "Hi, I'm still looking into this with our team and will update you soon.",
    "restored": "We have reviewed your appeal and your account is active again.",
    "denied": "After reviewing your appeal we are unable to reinstate the account; this "
              "decision is final.",
}
# the stories a case can follow after its notice, and how often
STORIES = (
    (10, ()),  # ignored: stays new
    (15, ("appeal",)),  # appealed, then silence: follow-ups
    (10, ("ack",)),  # acknowledged, then silence
    (20, ("appeal", "ack", "question", "answer", "update", "decision")),
    (10, ("appeal", "question")),  # a question left open: no follow-ups
    (15, ("appeal", "decision")),
    (20, ("ack", "question", "answer")),  # answered, then silence: follow-ups
)
EVERYDAY = (
    ("INBOX", "Friend <friend{k}@example.org>", "dinner on {day}?",
     "Shall we meet at eight? My bike's suspension broke again, so I'll walk."),
    ("INBOX", "News Weekly <news@news.example>", "This week's digest #{n}",
     "Ten stories you may have missed, and a crossword."),
    ("INBOX", "Shop <orders@shop.example>", "Your order {n} has shipped",
     "Your parcel is on its way and should arrive within three days."),
    ("INBOX", "Team <team@work.example>", "Minutes of the meeting on {day}",
     "Attached are the minutes. Action items are listed at the end."),
    ("Junk", "Prize Desk <win@prizes.example>", "You have won a voucher {n}",
     "Click to claim your voucher before it expires."),
    ("Junk", "Pharmacy <deals@pills.example>", "Cheap offers {n}",
     "Best prices on everything, no prescription."),
    ("Sent", f"Alex Chen <{USER}>", "Re: dinner on {day}?", "Eight is fine, see you then."),
)


# --------------------------------------------------------------------------- the oracle's calendar


def due_time(ref: datetime, number: int, holidays: frozenset[date] = HOLIDAYS) -> datetime:
    day, left = ref.astimezone(UTC).date(), AFTER_BUSINESS_DAYS * number
    while left:
        day += timedelta(days=1)
        left -= day.weekday() < 5 and day not in holidays
    return datetime.combine(day, DUE_AT, tzinfo=UTC)


def quiet(at: datetime) -> bool:
    t = at.astimezone(UTC).time()
    return t >= QUIET[0] or t < QUIET[1]


# --------------------------------------------------------------------------- the scenario


@dataclass
class Mail:
    at: datetime
    folder: str
    raw: bytes
    message_id: str
    kind: str
    case: int | None = None


@dataclass
class Case:
    index: int
    provider: str
    notice_id: str
    phishing: bool = False
    state: str | None = None
    states: list[str] = field(default_factory=list)
    awaiting: bool = False
    user_last: datetime | None = None
    provider_last: datetime | None = None
    followups: list[tuple[int, datetime]] = field(default_factory=list)
    events: list[tuple[str, datetime, str]] = field(default_factory=list)  # event, at, message
    questions: int = 0
    holiday_shifted: int = 0  # follow-ups that a holiday put off by a day
    user_wrote: bool = False  # the appeal in Sent or an acknowledgement: follow-ups need it
    draft: tuple[str, int] | None = None  # the one draft waiting in Drafts: kind, number

    def _to(self, state: str) -> None:
        if state != self.state:
            self.state = state
            self.states.append(state)
            # README: one draft per case, for the state it is in (the appeal while new, the
            # answer while needs_reply, a follow-up while appealed/waiting, once one is due); an
            # untouched draft the new state does not call for is removed, and a follow-up
            # removed by a question does not come back when the question is answered
            wanted = DRAFT_FOR.get(state)
            if self.draft is not None and self.draft[0] != wanted:
                self.draft = None
            if wanted in ("appeal", "answer"):
                self.draft = (wanted, 0)

    def next_due(self) -> tuple[int, datetime] | None:
        """The oracle's next follow-up (README: 'Cases, drafts and follow-ups')."""
        if self.state not in ("appealed", "waiting") or self.awaiting or not self.user_wrote:
            return None
        if len(self.followups) >= MAX_FOLLOWUPS:
            return None
        number = len(self.followups) + 1
        return number, due_time(self._since(), number)

    def _since(self) -> datetime:
        """Follow-ups wait from the last message on the case, or the last follow-up."""
        return max(t for t in (self.user_last, self.provider_last,
                               *(d for _, d in self.followups[-1:])) if t is not None)

    def follow_up(self, number: int, due: datetime) -> None:
        ref = self._since()
        self.holiday_shifted += due != due_time(ref, number, frozenset())
        self.followups.append((number, due))
        self.events.append(("followup_due", due, ""))
        self.draft = ("followup", number)  # it replaces an older follow-up

    def apply(self, kind: str, at: datetime, message_id: str) -> None:
        """The README's state table, message by message."""
        if kind in ("appeal", "answer"):
            self.user_last = at
            self.user_wrote = True
            if self.state == "new":
                self._to("appealed")
            elif self.state == "needs_reply":
                self._to("waiting")
                self.awaiting = False
            return
        self.provider_last = at
        if kind == "notice":
            self._to("new")
            self.events.append(("new_notice", at, message_id))
        elif kind == "phishing":
            self._to("suspicious")
            self.events.append(("phishing_warning", at, message_id))
        elif kind == "ack":
            self.user_wrote = True
            if self.state == "new":
                self._to("appealed")
        elif kind == "question":
            self._to("needs_reply")
            self.awaiting = True
            self.questions += 1
            self.events.append(("needs_reply", at, message_id))
        elif kind == "update":
            self._to("appealed" if self.state == "new" else "waiting")
            self.events.append(("provider_reply", at, message_id))
        elif kind in ("restored", "denied"):
            self._to(kind)
            self.events.append(("decision", at, message_id))

    def expected_drafts(self) -> set[tuple[str, int]]:
        """What stays in Drafts: the one draft the case's last state called for, if no later
        state removed it (an untouched draft goes when its state does)."""
        return {self.draft} if self.draft is not None else set()


@dataclass
class Scenario:
    mails: list[Mail]
    cases: list[Case]

    @property
    def days(self) -> float:
        return (SIM_STOP - SIM_START).total_seconds() / 86400

    def counts(self) -> Counter[str]:
        return Counter(m.kind for m in self.mails)


def _random_time(rng: random.Random, start: datetime, end: datetime) -> datetime:
    span = (end - start).total_seconds()
    return (start + timedelta(seconds=rng.uniform(0, span))).replace(microsecond=0)


def make_scenario(cases: int = 300, everyday: int = 2500, phishing: int = 30,
                  seed: int = 7) -> Scenario:
    rng = random.Random(seed)
    mails: list[Mail] = []
    all_cases: list[Case] = []
    weights = [w for w, _ in STORIES]
    ticket_base = 5_000_000
    for index in range(cases):
        provider = ("openai", "stripe", "github")[index % 3]
        name, domain, support, subject, body = PROVIDERS[provider]
        ident = IDENT[provider].format(n=index)
        notice_id = f"<soak-notice-{index}@{domain}>"
        case = Case(index, provider, notice_id)
        all_cases.append(case)
        at = _random_time(rng, SIM_START + timedelta(hours=2), LAST_EVENT - timedelta(days=3))
        folder = "Junk" if rng.random() < 0.4 else "INBOX"
        mails.append(Mail(at, folder, quick_mail(
            sender=f"{name} <noreply@{domain}>", subject=subject, body=body.format(ident=ident),
            auth=[auth_pass(domain)], message_id=notice_id, date=at), notice_id, "notice", index))
        case.apply("notice", at, notice_id)
        last_provider = notice_id
        story = rng.choices([s for _, s in STORIES], weights)[0]
        for step, planned in enumerate(story):
            at += timedelta(seconds=rng.uniform(0.3, 7.0) * 86400)
            at = at.replace(microsecond=0)
            # keep clear of follow-up times, so the outcome does not hang on reaction times
            while (nxt := case.next_due()) is not None and nxt[1] <= at + CLEAR_BEFORE:
                if nxt[1] > LAST_DUE:
                    break  # after the run (and then ``at`` is after LAST_EVENT too)
                if at < nxt[1] + CLEAR_AFTER:
                    at = nxt[1] + CLEAR_AFTER + timedelta(minutes=rng.randint(0, 600))
                case.follow_up(*nxt)
            if at > LAST_EVENT:
                break
            kind = rng.choice(("restored", "denied")) if planned == "decision" else planned
            host = "example.net" if kind in ("appeal", "answer") else domain
            mid = f"<soak-{kind}-{index}-{step}@{host}>"
            if kind in ("appeal", "answer"):
                raw = quick_mail(
                    sender=f"Alex Chen <{USER}>", to=support, subject=f"Re: {subject}",
                    body="Please review my account; the details are below.\n" if kind == "appeal"
                    else "1. The last four digits are 4242.\n",
                    message_id=mid, date=at, headers={"In-Reply-To": last_provider,
                                                      "References": f"{notice_id} {last_provider}"
                                                      if last_provider != notice_id
                                                      else notice_id})
                mails.append(Mail(at, "Sent", raw, mid, kind, index))
            else:
                ticket = str(ticket_base + index)
                raw = quick_mail(
                    sender=f"{name} Support <{support}>", subject=f"Re: {subject}",
                    body=BODIES[kind].format(ticket=ticket), auth=[auth_pass(domain)],
                    message_id=mid, date=at, headers={"In-Reply-To": notice_id,
                                                      "References": notice_id})
                mails.append(Mail(at, "INBOX", raw, mid, kind, index))
                last_provider = mid
            case.apply(kind, at, mid)
        while (nxt := case.next_due()) is not None and nxt[1] <= LAST_DUE:
            case.follow_up(*nxt)
    for n in range(phishing):
        at = _random_time(rng, SIM_START + timedelta(hours=2), LAST_EVENT)
        mid = f"<soak-phish-{n}@paypa1-secure.example>"
        index = len(all_cases)
        case = Case(index, "paypal", mid, phishing=True)
        all_cases.append(case)
        mails.append(Mail(at, "Junk" if n % 3 else "INBOX", quick_mail(
            sender="PayPal <service@paypa1-secure.example>",
            subject="Your account has been limited",
            body="Your PayPal account has been limited. Verify now at "
                 "http://paypa1-secure.example/login to restore access.",
            auth=[auth_fail("paypa1-secure.example")], message_id=mid, date=at),
            mid, "phishing", index))
        case.apply("phishing", at, mid)
    for n in range(everyday):
        at = _random_time(rng, SIM_START + timedelta(hours=1), SIM_STOP - timedelta(hours=6))
        folder, sender, subject, body = EVERYDAY[n % len(EVERYDAY)]
        k = rng.randint(1, 40)
        mid = f"<soak-everyday-{n}@mail.example>"
        fields = {"n": n, "k": k, "day": f"{at:%A %d %B}"}
        to = f"friend{k}@example.org" if folder == "Sent" else f"Alex Chen <{USER}>"
        mails.append(Mail(at, folder, quick_mail(
            sender=sender.format(**fields), to=to, subject=subject.format(**fields), body=body,
            message_id=mid, date=at), mid, "everyday"))
    mails.sort(key=lambda m: m.at)
    return Scenario(mails, all_cases)


# --------------------------------------------------------------------------- the run


def config_text(directory: Path, *, port: int, user: str, password: str, ca: Path) -> Path:
    """An appealwatch config for ``user`` on a test Dovecot, with the command notification
    backend appending each event to ``events.jsonl``."""
    secret = directory / "secret"
    secret.write_text(password)
    secret.chmod(0o600)
    events = directory / "events.jsonl"
    cfg = directory / "config.toml"
    cfg.write_text(
        f'[user]\nname = "Alex Chen"\nemail = "{USER}"\n'
        '[[accounts]]\nname = "soak"\nhost = "localhost"\n'
        f'port = {port}\ntls = "ssl"\nusername = "{user}"\n'
        f'password_command = "cat {secret}"\nca_file = "{ca}"\n'
        f'[state]\npath = "{directory / "state.sqlite3"}"\n'
        f'[notify]\nbackends = ["command"]\ncommand = ["sh", "-c", "(cat; echo) >> {events}"]\n'
        f'quiet_hours = "{QUIET[0]:%H:%M}-{QUIET[1]:%H:%M}"\n'
        f'[followup]\nafter_business_days = {AFTER_BUSINESS_DAYS}\n'
        f'max_followups = {MAX_FOLLOWUPS}\ncountry = "US"\ntimezone = "UTC"\n'
        f'due_time = "{DUE_AT:%H:%M}"\n', encoding="utf-8")
    cfg.chmod(0o600)
    return cfg


def rss_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"no VmRSS for {pid}")


_ANCHOR = re.compile(r"simulated clock: (\S+) at Unix time ([0-9.]+), ([0-9.e+]+) simulated")


@dataclass
class SoakRun:
    directory: Path
    scale: float
    delivered: int = 0
    rss: dict[str, int] = field(default_factory=dict)  # start, warm-up, end
    rss_by_day: list[tuple[float, int]] = field(default_factory=list)
    wall_seconds: float = 0.0
    stopped_at: datetime | None = None  # the simulated time when the run was stopped
    exit_status: int | None = None
    max_delivery_lag: float = 0.0  # simulated seconds a message was APPENDed after its Date
    max_lag_at: datetime | None = None

    @property
    def log(self) -> str:
        return (self.directory / "run.log").read_text(errors="replace")

    @property
    def state(self) -> Path:
        return self.directory / "state.sqlite3"

    def events(self) -> list[dict[str, Any]]:
        path = self.directory / "events.jsonl"
        if not path.exists():
            return []
        return [json.loads(x) for x in path.read_text().splitlines() if x.strip()]


def _db_settled(path: Path, delivered: int) -> bool:
    """Everything delivered is recorded and no draft or notification is still to be done."""
    if not path.exists():
        return False
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
    try:
        seen = db.execute("SELECT COUNT(*) FROM messages").fetchone()[0]
        pending = db.execute("SELECT COUNT(*) FROM drafts WHERE state = 'pending'").fetchone()[0]
        unsent = db.execute("SELECT COUNT(*) FROM notifications WHERE state NOT IN "
                            "('delivered', 'failed')").fetchone()[0]
    except sqlite3.OperationalError:
        return False
    finally:
        db.close()
    return seen >= delivered and pending == 0 and unsent == 0


def run_soak(directory: Path, scenario: Scenario, *, client: Callable[[], Any], port: int,
             user: str, password: str, ca: Path, scale: float,
             warmup_days: float = 3.0, progress: Callable[[str], None] | None = None) -> SoakRun:
    """Run the daemon through the scenario.  ``client()`` gives a logged-in IMAPClient for
    delivering (a context manager)."""
    cfg = config_text(directory, port=port, user=user, password=password, ca=ca)
    run = SoakRun(directory, scale)
    log = (directory / "run.log").open("wb")
    t0 = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, "-m", "appealwatch.cli", "--config", str(cfg), "run", "--now",
         SIM_START.isoformat(), "--time-scale", f"{scale:g}"],
        stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
    try:
        anchor = _wait_for_anchor(run, proc)

        def sim_now() -> datetime:
            return SIM_START + timedelta(seconds=(time.time() - anchor) * scale)

        def wait_until(at: datetime) -> None:
            while (ahead := (at - sim_now()).total_seconds()) > 0:
                if proc.poll() is not None:
                    raise RuntimeError(f"appealwatch run exited ({proc.returncode}):\n"
                                       + run.log[-3000:])
                time.sleep(min(ahead / scale, 0.05))

        marks = [("start", SIM_START + timedelta(hours=6)),
                 ("warm-up", SIM_START + timedelta(days=warmup_days))]
        next_day = 1
        with client() as imap:
            for mail in scenario.mails:
                wait_until(mail.at)
                now = sim_now()
                while marks and marks[0][1] <= now:
                    run.rss[marks.pop(0)[0]] = rss_bytes(proc.pid)
                if (now - SIM_START).total_seconds() >= next_day * 86400:
                    run.rss_by_day.append((next_day, rss_bytes(proc.pid)))
                    if progress:
                        progress(f"day {next_day}: {run.delivered} delivered, RSS "
                                 f"{run.rss_by_day[-1][1] / 1e6:.1f} MB")
                    next_day += 1
                imap.append(mail.folder, _crlf(mail.raw),
                            flags=(b"\\Seen",) if mail.folder == "Sent" else ())
                run.delivered += 1
                lag = (sim_now() - mail.at).total_seconds()
                if lag > run.max_delivery_lag:
                    run.max_delivery_lag, run.max_lag_at = lag, mail.at
        wait_until(SIM_STOP)
        deadline = time.monotonic() + 60
        while not _db_settled(run.state, run.delivered):
            if time.monotonic() > deadline or proc.poll() is not None:
                raise RuntimeError("appealwatch did not handle everything delivered:\n"
                                   + run.log[-3000:])
            time.sleep(0.1)
        run.stopped_at = sim_now()
        run.rss["end"] = rss_bytes(proc.pid)
        proc.send_signal(signal.SIGTERM)
        run.exit_status = proc.wait(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
        log.close()
        run.wall_seconds = time.monotonic() - t0
    return run


def _wait_for_anchor(run: SoakRun, proc: subprocess.Popen[bytes]) -> float:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        m = _ANCHOR.search(run.log)
        if m:
            if datetime.fromisoformat(m.group(1)) != SIM_START or float(m.group(3)) != run.scale:
                raise RuntimeError(f"unexpected clock: {m.group(0)}")
            return float(m.group(2))
        if proc.poll() is not None:
            break
        time.sleep(0.05)
    raise RuntimeError("appealwatch run did not report its simulated clock:\n" + run.log[-3000:])


def _crlf(raw: bytes) -> bytes:
    return raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


# --------------------------------------------------------------------------- the checks


_DRAFT_ID = re.compile(r"<appealwatch\.(\d+)\.(appeal|answer|followup)(\d*)\.")


def verify(run: SoakRun, scenario: Scenario, drafts_on_server: list[str]) -> dict[str, list[str]]:
    """Problems found, by check (every list empty: all is well).  ``drafts_on_server``: the
    Message-ID of every message in the account's Drafts folder."""
    problems: dict[str, list[str]] = {k: [] for k in (
        "run", "cases", "drafts", "followups", "notifications")}
    if run.exit_status != 0:
        problems["run"].append(f"exit status {run.exit_status}")
    if run.stopped_at is None or not (LAST_DUE < run.stopped_at < NEXT_DUE):
        problems["run"].append(f"stopped at {run.stopped_at}, outside {LAST_DUE}..{NEXT_DUE}: "
                               "the daemon lagged too far behind the clock")
    db = sqlite3.connect(f"file:{run.state}?mode=ro", uri=True)
    db.row_factory = sqlite3.Row
    try:
        rows = db.execute("SELECT id, state, notice_message_id FROM cases").fetchall()
        transitions = db.execute("SELECT case_id, to_state FROM transitions ORDER BY id").fetchall()
        draft_rows = db.execute("SELECT case_id, kind, number, created_at FROM drafts").fetchall()
    finally:
        db.close()

    # cases: one per notice and per phishing message, in the right state, by the right steps
    by_notice = {c.notice_id: c for c in scenario.cases}
    ours: dict[int, Case] = {}
    for row in rows:
        case = by_notice.get(row["notice_message_id"])
        if case is None:
            problems["cases"].append(f"case {row['id']} opened by {row['notice_message_id']}, "
                                     "which opens no case in the scenario")
            continue
        if case.index in {c.index for c in ours.values()}:
            problems["cases"].append(f"two cases for {case.notice_id}")
        ours[row["id"]] = case
    missing = set(by_notice) - {c.notice_id for c in ours.values()}
    problems["cases"] += [f"no case for {mid}" for mid in sorted(missing)]
    steps: dict[int, list[str]] = {}
    for t in transitions:
        steps.setdefault(t["case_id"], []).append(t["to_state"])
    for cid, case in ours.items():
        if steps.get(cid, []) != case.states:
            problems["cases"].append(f"case {cid} ({case.notice_id}) went {steps.get(cid)}, "
                                     f"expected {case.states}")

    # drafts on the server: no Message-ID twice, exactly the expected ones per case and kind
    dupes = [mid for mid, n in Counter(drafts_on_server).items() if n > 1]
    problems["drafts"] += [f"{mid} is in Drafts more than once" for mid in dupes]
    found: dict[int, set[tuple[str, int]]] = {}
    for mid in drafts_on_server:
        m = _DRAFT_ID.match(mid)
        if m is None:
            problems["drafts"].append(f"unexpected draft {mid}")
            continue
        found.setdefault(int(m.group(1)), set()).add((m.group(2), int(m.group(3) or 0)))
    for cid, case in ours.items():
        if found.get(cid, set()) != case.expected_drafts():
            problems["drafts"].append(f"case {cid} ({case.notice_id}): Drafts hold "
                                      f"{sorted(found.get(cid, set()))}, expected "
                                      f"{sorted(case.expected_drafts())}")

    # follow-ups: the expected numbers, each written at or after its due time
    written: dict[int, list[tuple[int, datetime]]] = {}
    for d in draft_rows:
        if d["kind"] == "followup":
            written.setdefault(d["case_id"], []).append(
                (d["number"], datetime.fromisoformat(d["created_at"])))
    for cid, case in ours.items():
        got = sorted(written.get(cid, []))
        if [n for n, _ in got] != [n for n, _ in case.followups]:
            problems["followups"].append(
                f"case {cid} ({case.notice_id}): follow-ups {[n for n, _ in got]}, expected "
                f"{[(n, f'{d:%a %d %b %H:%M}') for n, d in case.followups]}")
            continue
        for (n, at), (_, due) in zip(got, case.followups, strict=True):
            if at < due:
                problems["followups"].append(f"case {cid}: follow-up {n} written {at}, due "
                                             f"{due}")

    # notifications: each at most once, exactly the expected ones, quiet hours respected
    direct, digested = [], []
    for e in run.events():
        if e["event"] == "digest":
            digested += e["events"]
        else:
            direct.append(e)
    ids = Counter(e["id"] for e in direct + digested)
    problems["notifications"] += [f"{i} delivered {n} times" for i, n in ids.items() if n > 1]
    got_events = Counter((ours.get(e["case_id"]).index if e["case_id"] in ours else None,
                          e["event"]) for e in direct + digested)
    want_events = Counter((c.index, ev) for c in ours.values() for ev, _, _ in c.events)
    for key in sorted(set(got_events) | set(want_events), key=str):
        if got_events[key] != want_events[key]:
            problems["notifications"].append(f"case {key[0]} {key[1]}: {got_events[key]} "
                                             f"notification(s), expected {want_events[key]}")
    problems["notifications"] += [f"critical {e['id']} held back for quiet hours"
                                  for e in digested if e["event"] in CRITICAL]
    # replies in the small hours wait for the morning's summary (at ten simulated hours a
    # second which ones is a matter of reaction time, but some must)
    if not digested and any(not quiet(at) or ev in CRITICAL for c in ours.values()
                            for ev, at, _ in c.events):
        problems["notifications"].append("no summary after quiet hours: are they kept by the "
                                         "simulated clock?")
    return problems
