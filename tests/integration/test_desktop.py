"""Desktop notifications read back from a real notification daemon (dunst under Xvfb, on a
private D-Bus session bus)."""

from __future__ import annotations

import contextlib
import json
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from tests.infra import stop_process

from mails import auth_pass, make_mail

pytest_plugins = ("tests.infra.fixtures",)
pytestmark = pytest.mark.integration

EXE = [sys.executable, "-m", "appealwatch.cli"]
NOW = datetime.now(UTC)


def empty_maildir(root: Path) -> None:
    for folder in (root, root / ".Junk", root / ".Sent"):
        for sub in ("cur", "new", "tmp"):
            (folder / sub).mkdir(parents=True, exist_ok=True)


def maildir_with_case(root: Path) -> None:
    empty_maildir(root)
    (root / ".Junk" / "new" / "1.notice.x").write_bytes(make_mail(
        sender="OpenAI <noreply@tm.openai.com>",
        subject="Your OpenAI API organization has been deactivated",
        body="Access for your organization org-Desk12345678 has been deactivated because "
        "several charges to your card were declined and the invoice is overdue.",
        auth=[auth_pass("tm.openai.com")], message_id="<n@tm.openai.com>",
        date=NOW - timedelta(hours=2)))


def question(root: Path) -> None:
    (root / "new" / "2.question.x").write_bytes(make_mail(
        sender="Priya from OpenAI <support@openai.com>",
        subject="Re: Your OpenAI API organization has been deactivated",
        body="Hi, could you please tell us the last four digits of the new card?",
        auth=[auth_pass("openai.com")], message_id="<q@openai.com>",
        headers={"In-Reply-To": "<n@tm.openai.com>"}, date=NOW - timedelta(hours=1)))


def config(tmp: Path, backends: str, extra: str = "") -> Path:
    cfg = tmp / "config.toml"
    cfg.write_text(
        '[user]\nname = "Alex Chen"\nemail = "alex@example.net"\n'
        f'[[accounts]]\nname = "local"\nmaildir = "{tmp / "Maildir"}"\n'
        f'[state]\npath = "{tmp / "state.sqlite3"}"\n'
        f'[notify]\nbackends = {backends}\n'
        f'command = ["sh", "-c", "(cat; echo) >> {tmp / "events"}"]\n' + extra,
        encoding="utf-8")
    return cfg


def test_notices_replies_urgency_and_replacement(tmp_path, notifications):
    maildir_with_case(tmp_path / "Maildir")
    cfg = config(tmp_path, '["desktop"]')
    env = notifications.environ()
    subprocess.run([*EXE, "--config", str(cfg), "scan"], env=env, check=True,
                   capture_output=True)
    (first,) = notifications.wait_for_calls(1)
    assert first.app == "appealwatch"
    assert first.urgency == 2  # a new notice is critical
    assert first.summary == "OpenAI: account suspended"
    assert "payment problem" in first.body and "spam folder" in first.body
    assert "Drafts" in first.body
    assert [k for k, _ in first.action_pairs] == ["default", "appealed", "snooze"]
    assert first.replaces_id == 0
    question(tmp_path / "Maildir")
    subprocess.run([*EXE, "--config", str(cfg), "scan"], env=env, check=True,
                   capture_output=True)
    calls = notifications.wait_for_calls(2)
    second = calls[1]
    assert second.urgency == 1 and "asked you something" in second.body
    # shown by another process: the state database kept the first bubble's id, so the case's
    # second bubble replaces it instead of stacking beside it
    assert first.id is not None and second.replaces_id == first.id
    history = notifications.history()
    assert [h["summary"] for h in history] == ["OpenAI: support asked you something"]


@contextlib.contextmanager
def service(tmp_path: Path, cfg: Path, notifications) -> Iterator[subprocess.Popen]:
    """`appealwatch run` on the test's notification session, logging to run.log."""
    log = open(tmp_path / "run.log", "wb")  # noqa: SIM115 - closed below
    proc = subprocess.Popen([*EXE, "--config", str(cfg), "run"], env=notifications.environ(),
                            stdout=log, stderr=log)
    try:
        yield proc
    finally:
        stop_process(proc, timeout=10)
        log.close()


def test_an_action_clicked_changes_the_case_and_the_same_case_replaces(tmp_path,
                                                                       notifications):
    maildir_with_case(tmp_path / "Maildir")
    cfg = config(tmp_path, '["desktop"]')
    with service(tmp_path, cfg, notifications) as proc:
        (call,) = notifications.wait_for_calls(1, timeout=15)
        nid = call.id
        assert nid is not None
        notifications.invoke_action(nid, "appealed")
        db_path = tmp_path / "state.sqlite3"

        def state() -> str | None:
            db = sqlite3.connect(db_path)
            try:
                row = db.execute("SELECT state FROM cases").fetchone()
                return row[0] if row else None
            finally:
                db.close()

        deadline = time.monotonic() + 15
        while state() != "appealed" and time.monotonic() < deadline:
            time.sleep(0.2)
        assert state() == "appealed", (tmp_path / "run.log").read_text()
        db = sqlite3.connect(db_path)
        try:
            cause = db.execute("SELECT cause FROM transitions ORDER BY id DESC").fetchone()[0]
        finally:
            db.close()
        assert "desktop notification" in cause
        # the provider asks something: the case's notification is replaced, not added
        question(tmp_path / "Maildir")
        proc.send_signal(signal.SIGHUP)  # a reload rescans at once (no need to wait a minute)
        calls = notifications.wait_for_calls(2, timeout=20)
        assert calls[1].replaces_id == nid


def test_without_a_session_bus_the_command_backend_still_delivers(tmp_path):
    import os

    maildir_with_case(tmp_path / "Maildir")
    cfg = config(tmp_path, '["desktop", "command"]')
    env = {k: v for k, v in os.environ.items() if k != "DBUS_SESSION_BUS_ADDRESS"}
    proc = subprocess.run([*EXE, "--config", str(cfg), "scan"], env=env, check=True,
                          capture_output=True, text=True)
    events = [json.loads(x) for x in (tmp_path / "events").read_text().splitlines() if x]
    assert [e["event"] for e in events] == ["new_notice"]
    warnings = [line for line in proc.stderr.splitlines() if "desktop notifications" in line]
    assert len(warnings) == 1 and "session bus" in warnings[0]


def test_quiet_hours_show_only_critical_events_and_summarise_the_rest(tmp_path):
    now = datetime.now(UTC)
    quiet = f"{(now - timedelta(hours=1)):%H}:00-{(now + timedelta(hours=2)):%H}:00"
    cfg = config(tmp_path, '["command"]', extra=f'quiet_hours = "{quiet}"\n')
    # set up before the mail comes: what arrives afterwards is news, told as it comes
    empty_maildir(tmp_path / "Maildir")
    subprocess.run([*EXE, "--config", str(cfg), "scan", "--now", (now - timedelta(
        hours=3)).isoformat()], check=True, capture_output=True)
    maildir_with_case(tmp_path / "Maildir")
    question(tmp_path / "Maildir")
    subprocess.run([*EXE, "--config", str(cfg), "scan"], check=True, capture_output=True)
    events = [json.loads(x) for x in (tmp_path / "events").read_text().splitlines() if x]
    assert [e["event"] for e in events] == ["new_notice"]  # critical only
    later = (now + timedelta(hours=3)).isoformat()
    subprocess.run([*EXE, "--config", str(cfg), "scan", "--now", later], check=True,
                   capture_output=True)
    subprocess.run([*EXE, "--config", str(cfg), "scan", "--now", later], check=True,
                   capture_output=True)
    events = [json.loads(x) for x in (tmp_path / "events").read_text().splitlines() if x]
    assert [e["event"] for e in events] == ["new_notice", "digest"]
    assert [e["event"] for e in events[1]["events"]] == ["needs_reply"]


def test_a_possible_notice_is_confirmed_from_its_notification(tmp_path, notifications):
    """'It's a notice' on a possible notice's bubble makes it a case with its appeal draft."""
    root = tmp_path / "Maildir"
    empty_maildir(root)
    possible = Path(__file__).parents[1] / "data" / "heldout" / "messages" / "045.eml"
    (root / ".Junk" / "new" / "1.possible.x").write_bytes(possible.read_bytes())
    cfg = config(tmp_path, '["desktop"]')
    with service(tmp_path, cfg, notifications):
        (call,) = notifications.wait_for_calls(1, timeout=15)
        assert call.urgency == 1 and "may be a suspension notice" in call.body
        assert call.action_pairs == [("confirm", "It's a notice"), ("dismiss", "Not a notice")]
        notifications.invoke_action(call.id, "confirm")
        drafts = root / ".Drafts"

        def drafted() -> list[Path]:
            return [p for sub in ("cur", "new") for p in (drafts / sub).glob("*")]

        deadline = time.monotonic() + 20
        while not drafted() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert len(drafted()) == 1, (tmp_path / "run.log").read_text()
        db = sqlite3.connect(tmp_path / "state.sqlite3")
        try:
            (state,) = db.execute("SELECT state FROM cases").fetchone()
            (cause,) = db.execute("SELECT cause FROM transitions ORDER BY id DESC").fetchone()
        finally:
            db.close()
        assert state == "new" and "confirmed" in cause and "desktop notification" in cause
