"""The inbox notification backend over a real Maildir: a short, clearly marked message in INBOX,
unseen, threaded to the case; never twice; replaced by the case's next event unless flagged."""

from __future__ import annotations

import email
import email.policy
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from appealwatch.cli import main
from grouping import write_config
from mails import auth_pass, make_mail

AUTH = [auth_pass("github.com")]


def deliver(maildir: Path, folder: str, raw: bytes, name: str) -> None:
    target = maildir if folder == "INBOX" else maildir / f".{folder}"
    for sub in ("cur", "new", "tmp"):
        (target / sub).mkdir(parents=True, exist_ok=True)
    (target / "new" / name).write_bytes(raw)


def notes(maildir: Path) -> list[tuple[Path, email.message.EmailMessage]]:
    found = []
    for sub in ("new", "cur"):
        for path in sorted((maildir / sub).glob("appealwatch-note-*")):
            found.append((path, email.message_from_bytes(path.read_bytes(),
                                                         policy=email.policy.default)))
    return found


def setup(tmp_path: Path) -> tuple[Path, Path]:
    maildir = tmp_path / "Maildir"
    deliver(maildir, "INBOX", make_mail(
        sender="GitHub <support@github.com>", subject="Your account has been suspended",
        body="Your account has been suspended for automated activity that violates our terms "
        "of service.", auth=AUTH, message_id="<n1@github.com>",
        date=datetime(2026, 6, 1, 9, 0, tzinfo=UTC)), "1.n1.x")
    cfg = write_config(tmp_path, maildir, extra='[notify]\nbackends = ["inbox"]\n')
    return maildir, cfg


def scan(cfg: Path, now: str = "2026-06-01T10:00+00:00") -> None:
    assert main(["--config", str(cfg), "scan", "--now", now]) == 0


def test_a_notice_gives_one_unseen_note_threaded_to_it(tmp_path, capsys):
    maildir, cfg = setup(tmp_path)
    scan(cfg)
    scan(cfg)  # the note itself is read back as our own words: no case, no second note
    (path, note), = notes(maildir)
    assert path.parent.name == "new"  # unseen
    assert note["From"].addresses[0].username == "appealwatch"
    assert note["Subject"].startswith("[appealwatch] GitHub")
    assert note["In-Reply-To"] == "<n1@github.com>"
    body = note.get_body().get_content()
    assert "suspended" in body and "Next step" in body
    capsys.readouterr()
    assert main(["--config", str(cfg), "cases", "--json"]) == 0
    assert capsys.readouterr().out.count('"id"') == 1


def test_the_next_event_replaces_an_untouched_note_but_not_a_flagged_one(tmp_path):
    maildir, cfg = setup(tmp_path)
    scan(cfg)
    (_, first), = notes(maildir)
    deliver(maildir, "Sent", make_mail(
        sender="User <user@example.net>", to="support@github.com",
        subject="Re: Your account has been suspended", body="Please review my account.",
        headers={"In-Reply-To": "<n1@github.com>"}, message_id="<s1@example.net>",
        date=datetime(2026, 6, 1, 11, 0, tzinfo=UTC)), "2.s1.x")
    deliver(maildir, "INBOX", make_mail(
        sender="GitHub Support <support@github.com>", auth=AUTH,
        subject="Re: Your account has been suspended",
        body="Hi, could you please confirm which repositories you own and what the automation "
             "you ran does?", headers={"In-Reply-To": "<s1@example.net>"},
        message_id="<r1@github.com>", date=datetime(2026, 6, 2, 9, 0, tzinfo=UTC)), "3.r1.x")
    scan(cfg, "2026-06-02T10:00+00:00")
    (second_path, second), = notes(maildir)
    assert second["Message-ID"] != first["Message-ID"]
    assert "<r1@github.com>" in second["References"]
    # the user flags this one: the next event leaves it where it is
    flagged = second_path.parent.parent / "cur" / f"{second_path.name}:2,F"
    second_path.rename(flagged)
    deliver(maildir, "INBOX", make_mail(
        sender="GitHub Support <support@github.com>", auth=AUTH,
        subject="Re: Your account has been suspended",
        body="We have reinstated your account. Thanks for your patience.",
        headers={"In-Reply-To": "<r1@github.com>"}, message_id="<d1@github.com>",
        date=datetime(2026, 6, 3, 9, 0, tzinfo=UTC)), "4.d1.x")
    scan(cfg, "2026-06-03T10:00+00:00")
    kept = notes(maildir)
    assert len(kept) == 2 and flagged in [p for p, _ in kept]


def killed_at(cfg: Path, point: str) -> None:
    env = {**os.environ, "APPEALWATCH_CRASH_AT": point}
    proc = subprocess.run([sys.executable, "-m", "appealwatch.cli", "--config", str(cfg), "scan",
                           "--now", "2026-06-01T10:00+00:00"], env=env, capture_output=True,
                          check=False)
    assert proc.returncode == -9, proc.stderr


def test_a_kill_right_after_appending_never_gives_a_second_note(tmp_path):
    maildir, cfg = setup(tmp_path)
    killed_at(cfg, "after-note-append")
    assert len(notes(maildir)) == 1
    scan(cfg)
    assert len(notes(maildir)) == 1


def test_a_kill_before_appending_loses_no_note(tmp_path):
    maildir, cfg = setup(tmp_path)
    killed_at(cfg, "after-claim")
    assert notes(maildir) == []
    scan(cfg)
    assert len(notes(maildir)) == 1
