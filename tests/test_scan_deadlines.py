"""The provider's own words set the clock: deadlines become the case's, with reminders, and a
promised response time postpones the first follow-up.  Through the command line over a real
Maildir, with the clock set by ``--now``."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from appealwatch.cli import main
from grouping import write_config
from mails import auth_pass, make_mail

SH = ZoneInfo("Asia/Shanghai")
NY = ZoneInfo("America/New_York")


def deliver(maildir: Path, folder: str, raw: bytes, name: str) -> None:
    target = maildir if folder == "INBOX" else maildir / f".{folder}"
    for sub in ("cur", "new", "tmp"):
        (target / sub).mkdir(parents=True, exist_ok=True)
    (target / "new" / name).write_bytes(raw)


def scan(cfg: Path, now: datetime) -> None:
    assert main(["--config", str(cfg), "scan", "--now", now.isoformat()]) == 0


def case_json(cfg: Path, capsys) -> dict:
    capsys.readouterr()
    assert main(["--config", str(cfg), "cases", "--json"]) == 0
    (case,) = json.loads(capsys.readouterr().out)
    return case


def events(path: Path, kind: str) -> list[dict]:
    if not path.exists():
        return []
    rows = [json.loads(x) for x in path.read_text().splitlines() if x.strip()]
    return [r for r in rows if r["event"] == kind]


def notify_config(tmp_path: Path, followup: str) -> tuple[str, Path]:
    out = tmp_path / "events.jsonl"
    return (f"[followup]\n{followup}\n[notify]\nbackends = [\"command\"]\n"
            f"command = [\"sh\", \"-c\", \"cat >> {out}; echo >> {out}\"]\n"), out


def test_a_chinese_rectification_deadline_is_reminded_across_national_day(tmp_path, capsys):
    maildir = tmp_path / "Maildir"
    sent = datetime(2026, 9, 28, 10, 0, tzinfo=SH)  # a Monday
    deliver(maildir, "INBOX", make_mail(
        sender="阿里云 <noreply@notice.aliyun.com>", to="用户 <user@example.net>",
        subject="【阿里云】您的账号因违规已被限制",
        body="尊敬的阿里云用户：\n\n经核查，您的账号下的云服务器存在违规内容，您的账号已被限制使用。"
             "请于2026年10月9日前完成整改，否则将关停服务。\n\n阿里云",
        auth=[auth_pass("notice.aliyun.com")], message_id="<n1@notice.aliyun.com>", date=sent),
        "1.n1.x")
    extra, out = notify_config(tmp_path, 'country = "CN"\ntimezone = "Asia/Shanghai"\n'
                                         "deadline_reminder_days = 2")
    cfg = write_config(tmp_path, maildir, extra=extra)

    scan(cfg, sent + timedelta(hours=1))
    case = case_json(cfg, capsys)
    assert case["state"] == "new"
    # "before 9 October": the last moment is the end of 8 October, in the user's time zone
    assert datetime.fromisoformat(case["deadline"]) == datetime(2026, 10, 8, 23, 59, tzinfo=SH)
    assert case["deadline_kind"] == "rectify"
    assert events(out, "deadline_near") == []
    # two business days before Thursday 8 October: 1-7 October are public holidays (and the
    # weekend), so the reminder is due on Tuesday 29 September at 09:00
    scan(cfg, datetime(2026, 9, 29, 8, 0, tzinfo=SH))
    assert events(out, "deadline_near") == []
    scan(cfg, datetime(2026, 9, 29, 9, 30, tzinfo=SH))
    (near,) = events(out, "deadline_near")
    assert near["urgency"] == "normal" and "2026" in near["summary"]
    scan(cfg, datetime(2026, 10, 5, 9, 30, tzinfo=SH))  # no second reminder before the day
    assert len(events(out, "deadline_near")) == 1 and events(out, "deadline_today") == []
    scan(cfg, datetime(2026, 10, 8, 9, 30, tzinfo=SH))
    (today,) = events(out, "deadline_today")
    assert today["urgency"] == "critical"
    scan(cfg, datetime(2026, 10, 8, 12, 0, tzinfo=SH))
    assert len(events(out, "deadline_today")) == 1
    scan(cfg, datetime(2026, 10, 12, 9, 30, tzinfo=SH))  # past: nothing more
    assert len(events(out, "deadline_near")) + len(events(out, "deadline_today")) == 2


def test_an_acknowledged_response_time_postpones_the_first_follow_up(tmp_path, capsys):
    maildir = tmp_path / "Maildir"
    auth = [auth_pass("github.com")]
    start = datetime(2026, 6, 1, 10, 0, tzinfo=NY)  # a Monday
    deliver(maildir, "INBOX", make_mail(
        sender="GitHub <support@github.com>", subject="Your account has been suspended",
        body="Your account has been suspended for automated activity that violates our terms "
        "of service.", auth=auth, message_id="<n1@github.com>", date=start), "1.n1.x")
    deliver(maildir, "Sent", make_mail(
        sender="User <user@example.net>", to="support@github.com",
        subject="Re: Your account has been suspended", body="Please review my account.",
        headers={"In-Reply-To": "<n1@github.com>", "References": "<n1@github.com>"},
        message_id="<s1@example.net>", date=start + timedelta(hours=2)), "2.s1.x")
    deliver(maildir, "INBOX", make_mail(
        sender="GitHub Support <support@github.com>",
        subject="Re: Your account has been suspended [Ticket #4417123]", auth=auth,
        body="Hello,\n\nThanks for reaching out. We have received your request and a member "
             "of our team will get back to you within 10 business days.\n\nGitHub Support",
        headers={"In-Reply-To": "<s1@example.net>"}, message_id="<a1@github.com>",
        date=start + timedelta(hours=3)), "3.a1.x")
    extra, out = notify_config(tmp_path, 'country = "US"\ntimezone = "America/New_York"\n'
                                         "after_business_days = 3")
    cfg = write_config(tmp_path, maildir, extra=extra)
    scan(cfg, start + timedelta(hours=4))
    case = case_json(cfg, capsys)
    assert case["state"] in ("appealed", "waiting")
    # 10 business days from Monday 1 June: Monday 15 June; plus one business day: 16 June
    # (without the promise the follow-up would be due on Thursday 4 June)
    promised = datetime(2026, 6, 16, 9, 0, tzinfo=NY)
    assert datetime.fromisoformat(case["promised_until"]) == promised
    assert datetime.fromisoformat(case["next_followup"]) == promised
    scan(cfg, datetime(2026, 6, 8, 12, 0, tzinfo=NY))
    assert events(out, "followup_due") == []
    scan(cfg, datetime(2026, 6, 16, 9, 30, tzinfo=NY))
    assert len(events(out, "followup_due")) == 1


def test_a_first_scan_tells_a_near_deadline_in_the_notice_itself(tmp_path, capsys):
    """History read on a first scan: the case needs the user now and its deadline is two days
    away; one notification tells both (not a notice and a reminder)."""
    maildir = tmp_path / "Maildir"
    sent = datetime(2026, 9, 25, 10, 0, tzinfo=SH)  # a Friday
    deliver(maildir, "INBOX", make_mail(
        sender="阿里云 <noreply@notice.aliyun.com>", to="用户 <user@example.net>",
        subject="【阿里云】您的账号因违规已被限制",
        body="尊敬的阿里云用户：\n\n经核查，您的账号下的云服务器存在违规内容，您的账号已被限制使用。"
             "请于2026年9月30日前完成整改，否则将关停服务。\n\n阿里云",
        auth=[auth_pass("notice.aliyun.com")], message_id="<n2@notice.aliyun.com>", date=sent),
        "1.n2.x")
    extra, out = notify_config(tmp_path, 'country = "CN"\ntimezone = "Asia/Shanghai"\n'
                                         "deadline_reminder_days = 2")
    cfg = write_config(tmp_path, maildir, extra=extra)
    scan(cfg, datetime(2026, 9, 28, 10, 0, tzinfo=SH))  # the first scan, three days later
    told = [json.loads(x) for x in out.read_text().splitlines() if x.strip()]
    about_case = [e for e in told if e.get("case_id") is not None]
    assert len(about_case) == 1, told
    assert "Deadline" in about_case[0]["summary"]
    assert datetime.fromisoformat(about_case[0]["deadline"]) == datetime(2026, 9, 29, 23, 59,
                                                                         tzinfo=SH)
    scan(cfg, datetime(2026, 9, 28, 12, 0, tzinfo=SH))  # the folded reminder is not given later
    assert events(out, "deadline_near") == []
    scan(cfg, datetime(2026, 9, 29, 9, 30, tzinfo=SH))  # the day itself still is
    assert len(events(out, "deadline_today")) == 1
