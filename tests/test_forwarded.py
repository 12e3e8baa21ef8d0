"""A forwarded notice is classified by its own sender and date, and opens or joins a case like
the original would, with its draft to the provider (never to the colleague who forwarded it)."""

from __future__ import annotations

import email
import email.policy
import json
import tomllib
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

import forwards as F
from appealwatch.classify import classify
from appealwatch.cli import main
from appealwatch.config import load_config
from appealwatch.parse import parse
from grouping import write_config
from mails import auth_fail, auth_pass, make_mail

RULES = load_config(None).rules
NOW = "2026-12-03T00:00+00:00"


@pytest.mark.parametrize("body", ["gmail", "outlook", "apple", "thunderbird", "outlook_classic"])
def test_a_forwarded_notice_is_read_as_the_notice(body):
    raw = F.forwarded(getattr(F, body)(F.GITHUB), subject=f"Fwd: {F.GITHUB.subject}",
                      headers={"Authentication-Results": auth_pass("corp.example")})
    c = classify(parse(raw), "INBOX", RULES)
    assert (c.category, c.provider, c.phishing, c.forwarded) == (
        "suspension", "github", False, True)
    assert "58211973" in c.account_ids
    assert any("forwarded by Bob Li <bob.li@corp.example>" in line for line in c.explanation)
    assert any("cannot be checked" in line and "github.com" in line for line in c.explanation)


@pytest.mark.parametrize("body", ["qq", "netease", "outlook_zh", "gmail_zh"])
def test_a_forwarded_chinese_notice_is_read_as_the_notice(body):
    raw = F.forwarded(getattr(F, body)(F.ALIYUN), subject=f"转发：{F.ALIYUN.subject}")
    c = classify(parse(raw), "INBOX", RULES)
    assert (c.category, c.provider, c.forwarded, c.lang) == ("suspension", "aliyun", True, "zh")
    assert "1874562390123456" in c.account_ids


@pytest.mark.parametrize("html", ["qq_html", "outlook_zh_html", "netease_html"])
def test_a_forwarded_chinese_notice_in_html(html):
    c = classify(parse(F.html_only(getattr(F, html)(F.ALIYUN), subject="转发：x")), "INBOX", RULES)
    assert (c.category, c.provider, c.forwarded) == ("suspension", "aliyun", True)


def test_an_attached_notice_is_read_as_the_notice():
    c = classify(parse(F.attached(F.STRIPE, subject="please help!!")), "INBOX", RULES)
    assert (c.category, c.provider, c.forwarded) == ("suspension", "stripe", True)


def test_without_the_forward_the_same_message_is_not_a_notice():
    """The verdict comes from the unwrapped notice: the forward alone is irrelevant."""
    raw = F.forwarded(F.gmail(F.GITHUB), subject=f"Fwd: {F.GITHUB.subject}")
    c = classify(replace(parse(raw), text="FYI, see below."), "INBOX", RULES)
    assert (c.category, c.forwarded) == ("irrelevant", False)


def test_a_forwarded_fake_is_phishing_by_its_domain_and_links():
    fake = replace(F.GITHUB, address="support@github-account-review.com",
                   body=F.GITHUB.body.replace(F.GITHUB.link, "https://github-account-review.com/"
                                              "verify"))
    # a copy's authentication cannot be checked: the forwarder's passing DMARC proves nothing
    raw = F.forwarded(F.outlook(fake), subject=f"FW: {fake.subject}",
                      headers={"Authentication-Results": auth_pass("corp.example")})
    c = classify(parse(raw), "INBOX", RULES)
    assert (c.category, c.phishing, c.forwarded) == ("suspension", True, True)
    assert any("github-account-review.com" in r for r in c.phishing_reasons)


def test_a_fake_forward_from_an_impostor_stays_phishing():
    """A phisher wraps a genuine-looking notice in a "forward" from a look-alike sender."""
    raw = F.forwarded(F.gmail(F.GITHUB), subject=f"Fwd: {F.GITHUB.subject}",
                      sender="GitHub Security <security@github-alerts.example>")
    c = classify(parse(raw), "INBOX", RULES)
    assert (c.category, c.phishing, c.forwarded) == ("suspension", True, True)
    assert any("github-alerts.example, which imitates" in r for r in c.phishing_reasons)
    # a colleague whose subject names the provider is no impostor
    raw = F.forwarded(F.gmail(F.GITHUB), subject=f"Fwd: {F.GITHUB.subject}")
    assert classify(parse(raw), "INBOX", RULES).phishing is False


def test_a_forwarded_copy_linking_to_a_look_alike_is_phishing():
    """The inner From names github.com, but a copy's authentication proves nothing; its plain
    link to a look-alike host gives it away."""
    bait = replace(F.GITHUB, body=F.GITHUB.body.replace(F.GITHUB.link,
                                                        "https://github-reinstate.example/form"))
    c = classify(parse(F.forwarded(F.gmail(bait), subject=f"Fwd: {bait.subject}")), "INBOX",
                 RULES)
    assert (c.category, c.phishing, c.forwarded) == ("suspension", True, True)
    assert any("github-reinstate.example" in r for r in c.phishing_reasons)
    # the provider's own link domains are no look-alikes
    genuine = replace(F.GITHUB, body=F.GITHUB.body + "\nLogs: https://raw.githubusercontent.com/x\n")
    c = classify(parse(F.forwarded(F.gmail(genuine), subject="Fwd: x")), "INBOX", RULES)
    assert (c.category, c.phishing) == ("suspension", False)


def test_the_forwarders_failing_authentication_does_not_make_a_genuine_notice_phishing():
    raw = F.forwarded(F.gmail(F.GITHUB), subject=f"Fwd: {F.GITHUB.subject}",
                      headers={"Authentication-Results": auth_fail("corp.example")})
    c = classify(parse(raw), "INBOX", RULES)
    assert (c.category, c.phishing, c.forwarded) == ("suspension", False, True)


def test_a_forward_of_ordinary_mail_is_irrelevant():
    ordinary = F.Notice("Carol", "carol@example.org", "Lunch on Friday?",
                        "Hi all,\n\nShall we have lunch on Friday?\n", F.GITHUB.date, "")
    c = classify(parse(F.forwarded(F.gmail(ordinary), subject="Fwd: Lunch")), "INBOX", RULES)
    assert (c.category, c.forwarded) == ("irrelevant", False)


def test_the_users_own_mail_quoted_back_is_not_a_forwarded_notice():
    mine = F.Notice("Alex Chen", "alex.chen@example.net", "My GitHub account",
                    "Your GitHub account has been suspended, they say. Account ID: 58211973.",
                    F.GITHUB.date, "")
    raw = F.forwarded(F.outlook(mine), subject="About your mail", sender="Bob <bob@example.org>")
    assert classify(parse(raw), "INBOX", RULES).forwarded is False


# --------------------------------------------------------------------------- the engine


def run(cfg: Path, *args: str) -> int:
    return main(["--config", str(cfg), *args])


def deliver(maildir: Path, folder: str, raw: bytes, name: str) -> None:
    target = maildir if folder == "INBOX" else maildir / f".{folder}"
    for sub in ("cur", "new", "tmp"):
        (target / sub).mkdir(parents=True, exist_ok=True)
    (target / "new" / name).write_bytes(raw)


def drafts(maildir: Path) -> list[email.message.Message]:
    return [email.message_from_bytes(p.read_bytes(), policy=email.policy.compat32)
            for sub in ("cur", "new") for p in sorted((maildir / ".Drafts" / sub).glob("*"))]


def scan(tmp_path: Path, capsys) -> tuple[Path, list[dict]]:
    maildir = tmp_path / "Maildir"
    cfg = write_config(tmp_path, maildir)
    assert run(cfg, "scan", "--now", NOW) == 0
    capsys.readouterr()
    assert run(cfg, "cases", "--json") == 0
    return cfg, json.loads(capsys.readouterr().out)


def test_a_forwarded_notice_opens_a_case_with_one_draft_to_the_provider(tmp_path, capsys):
    maildir = tmp_path / "Maildir"
    deliver(maildir, "INBOX", make_mail(sender="Carol <carol@example.org>", subject="Lunch",
                                        body="Lunch on Friday?"), "1.a.x")
    deliver(maildir, "INBOX", F.forwarded(F.gmail(F.GITHUB), subject=f"Fwd: {F.GITHUB.subject}",
                                          headers={"Reply-To": F.COLLEAGUE}), "2.b.x")
    cfg, cases = scan(tmp_path, capsys)
    assert [(c["provider"], c["state"]) for c in cases] == [("github", "new")]
    case = cases[0]
    assert "58211973" in case["account_ids"]
    assert case["opened"].startswith("2026-12-02T09:15")  # the notice's date, not the forward's
    written = drafts(maildir)
    assert len(written) == 1
    draft = written[0]
    assert draft["To"] == "support@github.com"
    assert draft["In-Reply-To"] is None  # the provider never saw the colleague's message
    assert draft["Subject"] == f"Re: {F.GITHUB.subject}"
    body = draft.get_payload(decode=True).decode()
    assert "> Your GitHub account has been suspended" in body  # the notice is quoted
    assert "FYI" not in body and "bob.li" not in body
    assert run(cfg, "show", str(case["id"])) == 0
    assert "forwarded by Bob Li <bob.li@corp.example>" in capsys.readouterr().out
    # a second pass changes nothing
    assert run(cfg, "scan", "--now", NOW) == 0
    assert len(drafts(maildir)) == 1


@pytest.mark.parametrize("seconds", [0, 41], ids=["original-first", "forward-first"])
def test_the_original_and_its_forward_make_one_case(tmp_path, capsys, seconds):
    """The forward prints the time to the minute: with seconds, it sorts before the original."""
    maildir = tmp_path / "Maildir"
    notice = F.original(replace(F.STRIPE, date=F.STRIPE.date.replace(second=seconds)),
                        "<n-stripe@stripe.com>")
    notice.replace_header("To", F.ME)
    notice["Authentication-Results"] = auth_pass("stripe.com")
    deliver(maildir, "INBOX", bytes(notice), "1.a.x")
    deliver(maildir, "INBOX", F.forwarded(F.outlook(replace(F.STRIPE, body=F.STRIPE.body.replace(
        "(acct_1PqRsT2uVwXyZ987) ", ""))), subject=f"FW: {F.STRIPE.subject}",
        date=datetime(2026, 12, 2, 8, 0, tzinfo=UTC)), "2.b.x")
    _cfg, cases = scan(tmp_path, capsys)
    assert len(cases) == 1 and cases[0]["provider"] == "stripe"
    assert len(cases[0]["message_ids"]) == 2
    assert len(drafts(maildir)) == 1


def test_a_notice_the_user_forwarded_from_sent_is_not_an_appeal(tmp_path, capsys):
    maildir = tmp_path / "Maildir"
    deliver(maildir, "INBOX", make_mail(
        sender=f"{F.GITHUB.name} <{F.GITHUB.address}>", subject="[Case #4471823] suspended",
        body=F.GITHUB.body, auth=[auth_pass("github.com")], message_id="<n@github.com>",
        date=F.GITHUB.date), "1.a.x")
    deliver(maildir, "Sent", make_mail(
        sender="Test User <user@example.net>", to=F.COLLEAGUE,
        subject="Fwd: [Case #4471823] suspended", body=F.gmail(F.GITHUB, note="Can you look?"),
        message_id="<f@example.net>", date=datetime(2026, 12, 2, 12, 0, tzinfo=UTC)), "2.b.x")
    _cfg, cases = scan(tmp_path, capsys)
    assert [c["state"] for c in cases] == ["new"]


QUIET = F.Notice("Kiln Hosting", "ops@kilnhost.example", "Service status for instance 4411",
                     "Hello,\n\nInstance 4411 is now in maintenance mode pending a review of the "
                     "billing record.\n\nKiln ops\n", F.GITHUB.date, "")


def test_teaching_a_forward_teaches_its_notices_sender(tmp_path, capsys):
    """A forward of a notice nothing recognises, taught as a suspension: the notice's sender
    becomes the provider, never the colleague's company."""
    quiet = QUIET
    cfg = write_config(tmp_path, tmp_path / "Maildir")
    eml = tmp_path / "forward.eml"
    eml.write_bytes(F.forwarded(F.outlook(quiet), subject=f"FW: {quiet.subject}"))

    def verdict() -> dict:
        capsys.readouterr()
        assert run(cfg, "classify", "--json", str(eml)) == 0
        return json.loads(capsys.readouterr().out)

    assert verdict()["category"] == "irrelevant"
    assert run(cfg, "teach", str(eml), "--as", "suspension") == 0
    (entry,) = tomllib.loads((tmp_path / "learned.toml").read_text(encoding="utf-8"))["learned"]
    assert entry["domains"] == ["kilnhost.example"]  # never the colleague's corp.example
    got = verdict()
    assert (got["category"], got["provider"], got["forwarded"]) == (
        "suspension", "kilnhost", True)


def test_teaching_a_stored_forward_by_its_message_id(tmp_path, capsys):
    maildir = tmp_path / "Maildir"
    deliver(maildir, "INBOX", F.forwarded(F.qq(QUIET), subject=f"转发：{QUIET.subject}"), "1.a.x")
    cfg, cases = scan(tmp_path, capsys)
    assert cases == []
    assert run(cfg, "teach", "fwd-1@corp.example", "--as", "suspension") == 0
    (entry,) = tomllib.loads((tmp_path / "learned.toml").read_text(encoding="utf-8"))["learned"]
    assert entry["domains"] == ["kilnhost.example"]  # never the colleague's corp.example
