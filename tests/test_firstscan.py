"""A first scan over months of mail tells the present, not the past; follow-ups need evidence
that the user wrote.  Over a real Maildir, through the command line."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from grouping import write_config
from mails import auth_fail, auth_pass, make_mail
from test_scan import WANTED, cases_json, deliver, drafts_by_case, run_cli

NOW = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)  # a Tuesday
SUSPENDED = "Your account has been suspended"
BODIES = {
    "notice": "Your {name} account has been suspended because several payments were declined "
              "and the invoice is overdue.",
    "ack": "This is an automatic confirmation: we have received your request and a member of "
           "our team will review it.",
    "question": "Hi, could you please tell us the last four digits of your new card?",
    "update": "Hi, I'm still looking into this with our billing team.",
    "restored": "We have reviewed your appeal and your account is active again.",
    "denied": "After reviewing your appeal we are unable to reinstate the account; this "
              "decision is final.",
    "appeal": "Please look at my account; the card has been replaced.",
}
PROVIDERS = {"openai": ("OpenAI", "openai.com"), "github": ("GitHub", "github.com"),
             "stripe": ("Stripe", "stripe.com"), "discord": ("Discord", "discord.com"),
             "paypal": ("PayPal", "paypal.com"), "anthropic": ("Anthropic", "anthropic.com")}


class Mailbox:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.n = 0
        for folder in (root, root / ".Junk", root / ".Sent"):
            for sub in ("cur", "new", "tmp"):
                (folder / sub).mkdir(parents=True, exist_ok=True)

    def provider(self, provider: str, kind: str, date: datetime, reply_to: str | None = None,
                 folder: str = "INBOX") -> str:
        name, domain = PROVIDERS[provider]
        self.n += 1
        mid = f"<{provider}-{kind}-{self.n}@{domain}>"
        sender = f"{name} <support@{domain}>" if reply_to else f"{name} <noreply@{domain}>"
        deliver(self.root, folder, make_mail(
            sender=sender, subject=("Re: " if reply_to else "") + SUSPENDED,
            body=BODIES[kind].format(name=name), auth=[auth_pass(domain)], message_id=mid,
            headers={"In-Reply-To": reply_to, "References": reply_to} if reply_to else {},
            date=date), f"{self.n}.m{self.n}.test")
        return mid

    def sent(self, provider: str, date: datetime, reply_to: str) -> str:
        self.n += 1
        mid = f"<sent-{self.n}@example.net>"
        deliver(self.root, "Sent", make_mail(
            sender="Test User <user@example.net>", to=f"support@{PROVIDERS[provider][1]}",
            subject=f"Re: {SUSPENDED}", body=BODIES["appeal"], message_id=mid,
            headers={"In-Reply-To": reply_to, "References": reply_to}, date=date),
            f"{self.n}.m{self.n}.test")
        return mid

    def other(self, date: datetime, phishing: bool) -> None:
        self.n += 1
        if phishing:
            raw = make_mail(sender="PayPal <service@paypa1-secure.example>",
                            subject="Your account has been limited",
                            body="Your PayPal account has been limited. Verify now.",
                            auth=[auth_fail("paypa1-secure.example")],
                            message_id=f"<p{self.n}@paypa1-secure.example>", date=date)
        else:
            raw = make_mail(sender="Friend <f@example.org>", subject="dinner?",
                            body="My bike's suspension broke again, lol.",
                            message_id=f"<f{self.n}@example.org>", date=date)
        deliver(self.root, "Junk" if phishing else "INBOX", raw, f"{self.n}.m{self.n}.test")


def ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


def four_months(box: Mailbox) -> dict[str, str]:
    """Four months of mail: what each case's state is at the end of it."""
    # decided long ago: restored after a question and its answer
    n = box.provider("openai", "notice", ago(120), folder="Junk")
    s = box.sent("openai", ago(119), n)
    box.provider("openai", "ack", ago(119), s)
    q = box.provider("openai", "question", ago(110), n)
    a = box.sent("openai", ago(109), q)
    box.provider("openai", "restored", ago(100), a)
    # decided: denied
    n = box.provider("discord", "notice", ago(90))
    s = box.sent("discord", ago(89), n)
    box.provider("discord", "denied", ago(80), s)
    # appealed, a status update, then silence: a follow-up is due
    n = box.provider("github", "notice", ago(60))
    s = box.sent("github", ago(59), n)
    box.provider("github", "update", ago(50), s)
    # appealed, then asked something that is still unanswered
    n = box.provider("paypal", "notice", ago(40))
    s = box.sent("paypal", ago(39), n)
    box.provider("paypal", "question", ago(30), n)
    # a notice nobody answered
    box.provider("stripe", "notice", ago(20), folder="Junk")
    for days in (100, 70, 5):
        box.other(ago(days), phishing=True)
    for days in range(1, 120, 9):
        box.other(ago(days), phishing=False)
    return {"openai": "restored", "discord": "denied", "github": "waiting",
            "paypal": "needs_reply", "stripe": "new"}


def events_config(tmp_path: Path, maildir: Path) -> tuple[Path, Path]:
    events = tmp_path / "events.jsonl"
    cfg = write_config(tmp_path, maildir, extra=(
        '[followup]\nafter_business_days = 3\nmax_followups = 2\ncountry = "US"\n'
        f'[notify]\nbackends = ["command"]\ncommand = ["sh", "-c", "(cat; echo) >> {events}"]\n'))
    return cfg, events


def read_events(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(x) for x in path.read_text().splitlines() if x.strip()]


def test_a_first_scan_tells_what_needs_the_user_now_and_one_summary(tmp_path, capsys):
    box = Mailbox(tmp_path / "Maildir")
    expected = four_months(box)
    cfg, events = events_config(tmp_path, box.root)
    assert run_cli(cfg, "scan", "--now", NOW.isoformat()) == 0
    cases = cases_json(cfg, capsys)
    state = {c["id"]: c["state"] for c in cases}
    by_provider = {c["provider"]: c["state"] for c in cases if c["state"] != "suspicious"}
    assert by_provider == expected
    sent = read_events(events)
    per_case = Counter(e["case_id"] for e in sent if e["case_id"] is not None)
    # at most one notification per case, and only for the ones that need the user now
    assert max(per_case.values()) == 1
    assert {state[i] for i in per_case} == {"new", "needs_reply", "waiting"}
    assert {e["event"] for e in sent if e["case_id"]} == {"new_notice", "needs_reply",
                                                          "followup_due"}
    followup = next(e for e in sent if e["event"] == "followup_due")
    assert "(no. 1)" in followup["summary"]
    # ... and one summary of all it found
    (summary,) = [e for e in sent if e["event"] == "summary"]
    assert "Found 5 cases in the last 120 days: 3 need you, 2 closed, 3 phishing warnings" in (
        summary["summary"])
    # a draft only for the state each case is in now, one per case, none for phishing
    drafted = drafts_by_case(box.root)
    assert {i: kinds for i, kinds in drafted.items()} == {
        i: [WANTED[s]] for i, s in state.items() if s in ("new", "needs_reply", "waiting")}
    # everything is still in each case's story
    restored = next(c for c in cases if c["provider"] == "openai")
    assert run_cli(cfg, "show", str(restored["id"]), "--json") == 0
    story = json.loads(capsys.readouterr().out)
    assert [(t["from"], t["to"]) for t in story["transitions"]] == [
        (None, "new"), ("new", "appealed"), ("appealed", "needs_reply"),
        ("needs_reply", "waiting"), ("waiting", "restored")]
    assert story["messages"] == 6 and story["drafts"] == [] and story["notifications"] == []
    # a second scan sends nothing and writes nothing
    drafts_before = drafts_by_case(box.root)
    assert run_cli(cfg, "scan", "--now", (NOW + timedelta(minutes=5)).isoformat()) == 0
    assert read_events(events) == sent
    assert drafts_by_case(box.root) == drafts_before


def test_mail_arriving_while_the_daemon_runs_is_news(tmp_path, capsys):
    box = Mailbox(tmp_path / "Maildir")
    cfg, events = events_config(tmp_path, box.root)
    # the daemon has read the (empty) account before: what comes now is news
    assert run_cli(cfg, "scan", "--now", ago(10).isoformat()) == 0
    n = box.provider("stripe", "notice", ago(3), folder="Junk")
    assert run_cli(cfg, "scan", "--now", (ago(3) + timedelta(minutes=1)).isoformat()) == 0
    s = box.sent("stripe", ago(2), n)
    box.provider("stripe", "ack", ago(2) + timedelta(hours=1), s)
    assert run_cli(cfg, "scan", "--now", (ago(2) + timedelta(hours=1, minutes=1)).isoformat()) == 0
    box.provider("stripe", "restored", ago(1), s)
    assert run_cli(cfg, "scan", "--now", (ago(1) + timedelta(minutes=1)).isoformat()) == 0
    assert [e["event"] for e in read_events(events)] == ["new_notice", "decision"]
    # the appeal draft went with the state it was for (the user had not touched it)
    assert drafts_by_case(box.root) == {}


def test_after_a_long_downtime_the_backlog_is_history(tmp_path, capsys):
    box = Mailbox(tmp_path / "Maildir")
    cfg, events = events_config(tmp_path, box.root)
    assert run_cli(cfg, "scan", "--now", ago(31).isoformat()) == 0  # set up, nothing there yet
    n = box.provider("github", "notice", ago(30))
    assert run_cli(cfg, "scan", "--now", (ago(30) + timedelta(minutes=1)).isoformat()) == 0
    assert [e["event"] for e in read_events(events)] == ["new_notice"]
    assert [k for kinds in drafts_by_case(box.root).values() for k in kinds] == ["appeal"]
    # the daemon is off for three weeks: the user appeals, is asked something, answers...
    s = box.sent("github", ago(29), n)
    q = box.provider("github", "question", ago(20), n)
    box.sent("github", ago(19), q)
    # ... and is asked again, today
    box.provider("github", "question", NOW - timedelta(hours=2), n)
    assert run_cli(cfg, "scan", "--now", NOW.isoformat()) == 0
    new = read_events(events)[1:]
    assert [e["event"] for e in new] == ["needs_reply"], new  # no summary: it says it all
    # one draft: the answer to today's question; the untouched appeal draft is gone
    (kinds,) = drafts_by_case(box.root).values()
    assert kinds == ["answer"]
    assert s


def test_a_followup_needs_evidence_that_the_user_wrote(tmp_path, capsys):
    """A provider's status update with no appeal behind it (a notice misread as a reply opens
    the case as appealed): no follow-up however long the silence, until the user says they
    appealed; then the first one is number 1."""
    box = Mailbox(tmp_path / "Maildir")
    cfg, events = events_config(tmp_path, box.root)
    box.provider("anthropic", "update", ago(80), "<unknown@example.net>", folder="Junk")
    assert run_cli(cfg, "scan", "--now", NOW.isoformat()) == 0
    (case,) = cases_json(cfg, capsys)
    assert case["state"] == "appealed" and case["next_followup"] is None
    assert [e["event"] for e in read_events(events)] == ["summary"]
    assert drafts_by_case(box.root) == {}
    # the user appealed through the provider's web form 10 days ago
    assert run_cli(cfg, "appealed", str(case["id"]), "--on",
                   (NOW - timedelta(days=10)).date().isoformat()) == 0
    assert run_cli(cfg, "scan", "--now", NOW.isoformat()) == 0
    (due,) = [e for e in read_events(events) if e["event"] == "followup_due"]
    assert "(no. 1)" in due["summary"]
    assert drafts_by_case(box.root) == {case["id"]: ["followup"]}
    assert run_cli(cfg, "show", str(case["id"])) == 0
    assert "appealed outside mail" not in capsys.readouterr().out  # no state change to tell
    assert run_cli(cfg, "appealed", "999") == 1


POSSIBLE = Path(__file__).parent / "data" / "heldout" / "messages" / "045.eml"  # mixed evidence


def test_a_possible_notice_is_checked_by_the_user_then_confirmed(tmp_path, capsys):
    from appealwatch.classify import classify
    from appealwatch.config import load_config
    from appealwatch.parse import parse

    assert classify(parse(POSSIBLE.read_bytes()), "junk", load_config(None).rules, ()).possible
    box = Mailbox(tmp_path / "Maildir")
    cfg, events = events_config(tmp_path, box.root)
    assert run_cli(cfg, "scan", "--now", "2026-05-01T09:00+00:00") == 0  # set up before it
    deliver(box.root, "Junk", POSSIBLE.read_bytes(), "1.possible.x")
    assert run_cli(cfg, "scan", "--now", "2026-05-06T12:00+00:00") == 0
    (told,) = read_events(events)
    assert told["event"] == "possible_notice" and told["urgency"] == "normal"
    assert "may be a suspension notice from Google" in told["summary"]
    assert "spam folder" in told["summary"] and told["draft"] is None
    assert drafts_by_case(box.root) == {}
    (case,) = cases_json(cfg, capsys)
    assert case["state"] == "possible"
    assert run_cli(cfg, "dismiss", "99") == 1
    assert run_cli(cfg, "confirm", str(case["id"])) == 0
    assert "appeal draft is in your Drafts folder" in capsys.readouterr().out
    assert drafts_by_case(box.root) == {case["id"]: ["appeal"]}
    assert run_cli(cfg, "show", str(case["id"]), "--json") == 0
    story = json.loads(capsys.readouterr().out)
    assert [(t["from"], t["to"]) for t in story["transitions"]] == [
        (None, "possible"), ("possible", "new")]
    assert "you confirmed it is a suspension notice" in story["transitions"][1]["cause"]
    assert run_cli(cfg, "confirm", str(case["id"])) == 1  # it is a notice now, not a possible one
    assert run_cli(cfg, "scan", "--now", "2026-05-06T12:05+00:00") == 0
    assert len(read_events(events)) == 1 and len(drafts_by_case(box.root)) == 1


def test_a_dismissed_possible_notice_never_notifies_again(tmp_path, capsys):
    box = Mailbox(tmp_path / "Maildir")
    cfg, events = events_config(tmp_path, box.root)
    deliver(box.root, "Junk", POSSIBLE.read_bytes(), "1.possible.x")
    # a first scan: the possible notice needs the user now, so it is told, without a draft
    assert run_cli(cfg, "scan", "--now", "2026-06-01T09:00+00:00") == 0
    assert [e["event"] for e in read_events(events)] == ["possible_notice"]
    (case,) = cases_json(cfg, capsys)
    assert run_cli(cfg, "dismiss", str(case["id"])) == 0
    assert "not a notice" in capsys.readouterr().out
    # the user moves it to INBOX (a copy with the same Message-ID): nothing new, no new case
    (box.root / ".Junk" / "new" / "1.possible.x").rename(box.root / "new" / "2.possible.x")
    assert run_cli(cfg, "scan", "--now", "2026-06-01T09:10+00:00") == 0
    assert run_cli(cfg, "scan", "--now", "2026-06-09T09:10+00:00") == 0
    assert [e["event"] for e in read_events(events)] == ["possible_notice"]
    (after,) = cases_json(cfg, capsys)
    assert after["id"] == case["id"] and after["state"] == "dismissed"
    assert drafts_by_case(box.root) == {}


def test_a_ticket_notice_that_reads_as_everyday_mail_joins_its_case(tmp_path, capsys):
    """A real thread (Tencent Cloud: notice, ticket created, "your ticket has a new reply"),
    where the last reads as no reply or decision: its ticket number puts it in the case."""
    wild = Path(__file__).parent / "data" / "wild" / "messages"
    box = Mailbox(tmp_path / "Maildir")
    cfg, _events = events_config(tmp_path, box.root)
    for n, name in enumerate(("b061", "b062", "b023")):
        deliver(box.root, "INBOX", (wild / f"{name}.eml").read_bytes(), f"{n}.{name}.x")
    assert run_cli(cfg, "scan", "--now", "2025-10-14T12:00+08:00") == 0
    cases = [c for c in cases_json(cfg, capsys) if c["provider"] == "tencent"]
    assert [c["messages"] for c in cases] == [3]
