"""appealwatch against a real Dovecot on loopback, over TLS through a generated CA."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import ssl
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from tests.infra import events, stop_process
from tests.infra import poll as wait_for
from tests.infra.mbsync import fetch_folder

from appealwatch.cli import main
from mails import auth_pass, make_mail

pytest_plugins = ("tests.infra.fixtures",)
pytestmark = pytest.mark.integration

EXE = [sys.executable, "-m", "appealwatch.cli"]


def write_config(tmp: Path, account, *, extra: str = "", password: str | None = None) -> Path:
    secret = tmp / "secret"
    secret.write_text(password if password is not None else account.password)
    secret.chmod(0o600)
    events = tmp / "events.jsonl"
    cfg = tmp / "config.toml"
    cfg.write_text(
        '[user]\nname = "Alex Chen"\nemail = "alex@example.net"\n'
        '[[accounts]]\nname = "work"\nhost = "localhost"\n'
        f'port = {account.tls_port}\ntls = "ssl"\nusername = "{account.user}"\n'
        f'password_command = "cat {secret}"\nca_file = "{account.ca}"\n'
        f'[state]\npath = "{tmp / "state.sqlite3"}"\n'
        f'[notify]\nbackends = ["command"]\ncommand = ["sh", "-c", "(cat; echo) >> {events}"]\n'
        + extra, encoding="utf-8")
    cfg.chmod(0o600)
    return cfg



def notice(n: int = 1, folder_hint: str = "") -> bytes:
    return make_mail(
        sender="OpenAI <noreply@tm.openai.com>",
        subject=f"Your OpenAI API organization has been deactivated {folder_hint}".strip(),
        body=f"Access for your organization org-Abcdefgh{n:04d}XYZ has been deactivated because "
        "of repeated violations of our usage policies.\n\nIf you believe this is an error, "
        "reply to this message.\n",
        auth=[auth_pass("tm.openai.com")], message_id=f"<notice-{n}@tm.openai.com>",
        date=datetime.now(UTC))


def test_scan_over_imap_drafts_threaded_replies_a_real_client_sees(tmp_path, fresh_account,
                                                                   capsys):
    fresh_account.deliver("Junk", notice(1))
    fresh_account.deliver("INBOX", make_mail(sender="Friend <f@example.org>", subject="lunch?",
                                             body="See you at noon.", message_id="<f1@x>"))
    cfg = write_config(tmp_path, fresh_account)
    assert main(["--config", str(cfg), "scan"]) == 0
    drafts = fetch_folder("localhost", fresh_account.tls_port, fresh_account.user,
                          fresh_account.password, fresh_account.ca, "Drafts",
                          workdir=tmp_path / "mbsync")
    assert len(drafts) == 1
    (draft,) = drafts
    assert "D" in draft.flags and "S" in draft.flags
    assert draft.in_reply_to == "<notice-1@tm.openai.com>"
    assert draft.subject == "Re: Your OpenAI API organization has been deactivated"
    assert [e["event"] for e in events(tmp_path)] == ["new_notice"]
    assert "spam folder" in events(tmp_path)[0]["summary"]
    # the user sends the appeal: it shows up in Sent
    fresh_account.deliver("Sent", make_mail(
        sender="Alex Chen <alex@example.net>", to="support@openai.com",
        subject="Re: Your OpenAI API organization has been deactivated",
        body="Please review.", message_id="<appeal-1@example.net>", date=datetime.now(UTC),
        headers={"In-Reply-To": "<notice-1@tm.openai.com>"}), flags=("\\Seen",))
    assert main(["--config", str(cfg), "scan"]) == 0
    capsys.readouterr()
    assert main(["--config", str(cfg), "cases", "--json"]) == 0
    (case,) = json.loads(capsys.readouterr().out)
    assert case["state"] == "appealed" and case["provider"] == "openai"
    # the untouched appeal draft went with the state it was for; nothing twice
    assert main(["--config", str(cfg), "scan"]) == 0
    stored = fresh_account.fetch_headers("Drafts")
    assert len(stored) == 0, [(m.uid, m.headers["Message-ID"], m.headers["X-Appealwatch-Case"],
                               m.headers["In-Reply-To"]) for m in stored]
    assert len(events(tmp_path)) == 1


def test_a_lost_connection_mid_append_never_leaves_two_drafts(tmp_path, fresh_account,
                                                              monkeypatch):
    from appealwatch import imap

    fresh_account.deliver("INBOX", notice(2))
    cfg = write_config(tmp_path, fresh_account)
    real_append = imap.ImapSource.append_draft

    def append_then_drop(self, raw):
        real_append(self, raw)  # the server stored it ...
        raise ConnectionResetError("connection reset")  # ... but the answer never came

    monkeypatch.setattr(imap.ImapSource, "append_draft", append_then_drop)
    assert main(["--config", str(cfg), "scan"]) == 1
    monkeypatch.setattr(imap.ImapSource, "append_draft", real_append)
    assert main(["--config", str(cfg), "scan"]) == 0
    assert main(["--config", str(cfg), "scan"]) == 0
    assert len(fresh_account.fetch_headers("Drafts")) == 1


def test_uidvalidity_change_rescans_without_repeating(tmp_path, fresh_account, dovecot):
    fresh_account.deliver("INBOX", notice(3))
    cfg = write_config(tmp_path, fresh_account)
    assert main(["--config", str(cfg), "scan"]) == 0
    dovecot.set_uidvalidity(fresh_account.user, "INBOX")
    fresh_account.deliver("INBOX", notice(4))
    assert main(["--config", str(cfg), "scan"]) == 0
    assert sorted(e["event"] for e in events(tmp_path)) == ["new_notice", "new_notice"]
    assert len(fresh_account.fetch_headers("Drafts")) == 2
    db = sqlite3.connect(tmp_path / "state.sqlite3")
    try:
        assert db.execute("SELECT COUNT(*) FROM messages").fetchone()[0] == 2
    finally:
        db.close()


def test_a_first_scan_reads_the_lookback_by_arrival_whichever_message_is_oldest(
        tmp_path, fresh_account, capsys):
    """Both ways to a first scan's messages: a folder whose first message arrived within the
    lookback (taken whole, each message's arrival checked as its headers come), and one whose
    first message is older (SEARCH SINCE).  Either way only what arrived in the last 180 days
    is read, whatever its Date header says."""
    now = datetime.now(UTC)
    old = now - timedelta(days=400)
    fresh_account.deliver("INBOX", notice(21), when=now - timedelta(days=3))
    fresh_account.deliver("INBOX", notice(22), when=old)  # imported later, arrived long ago
    fresh_account.deliver("INBOX", notice(23), when=now - timedelta(days=179))
    fresh_account.deliver("Junk", notice(24), when=old)
    fresh_account.deliver("Junk", notice(25), when=now)
    cfg = write_config(tmp_path, fresh_account)
    assert main(["--config", str(cfg), "scan"]) == 0
    capsys.readouterr()
    assert main(["--config", str(cfg), "cases", "--json"]) == 0
    read = {mid for case in json.loads(capsys.readouterr().out) for mid in case["message_ids"]}
    assert read == {"<notice-21@tm.openai.com>", "<notice-23@tm.openai.com>",
                    "<notice-25@tm.openai.com>"}
    assert len(events(tmp_path)) == 3


def test_wrong_password_is_one_clear_sentence(tmp_path, fresh_account, capsys):
    cfg = write_config(tmp_path, fresh_account, password="not-the-password")
    assert main(["--config", str(cfg), "scan"]) == 1
    err = capsys.readouterr().err
    assert "refused the login" in err and "Traceback" not in err
    assert "not-the-password" not in err


def test_expired_certificate_is_refused(tmp_path, dovecot_factory, capsys):
    server = dovecot_factory(expired_cert=True)
    server.add_user("carol", "pw-carol")

    class Acct:
        user, password, tls_port, ca = "carol", "pw-carol", server.tls_port, server.ca

    cfg = write_config(tmp_path, Acct)
    assert main(["--config", str(cfg), "scan"]) == 1
    err = capsys.readouterr().err
    assert "could not be verified" in err and "expired" in err


def test_doctor_passes_and_prints_no_secret(tmp_path, fresh_account, capsys):
    cfg = write_config(tmp_path, fresh_account)
    assert main(["--config", str(cfg), "doctor"]) == 0
    out = capsys.readouterr().out
    assert "FAIL" not in out
    assert "logged in" in out and "junk folder 'Junk' (special-use \\Junk)" in out
    assert fresh_account.password not in out



def test_run_notices_new_mail_in_junk_and_survives_a_server_crash(tmp_path, dovecot_factory):
    server = dovecot_factory()
    server.add_user("dave", "pw-dave")

    class Acct:
        user, password, tls_port, ca = "dave", "pw-dave", server.tls_port, server.ca

    cfg = write_config(tmp_path, Acct)
    log = open(tmp_path / "run.log", "wb")  # noqa: SIM115 - closed below
    proc = subprocess.Popen([*EXE, "--config", str(cfg), "run"], stdout=log, stderr=log)
    try:
        time.sleep(2.0)  # connected and idling
        t0 = time.monotonic()
        server.deliver("dave", "Junk", notice(5))
        assert wait_for(lambda: events(tmp_path), 10), (tmp_path / "run.log").read_text()
        latency = time.monotonic() - t0
        assert latency < 5, latency
        # the server crashes and comes back; mail delivered afterwards is noticed
        server.kill()
        time.sleep(1.0)
        server.restart()
        server.deliver("dave", "INBOX", notice(6))
        assert wait_for(lambda: len(events(tmp_path)) >= 2, 30), (
            tmp_path / "run.log").read_text()
        assert len(events(tmp_path)) == 2
        # SIGTERM stops it cleanly within 5 seconds
        t0 = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=5) == 0
        assert time.monotonic() - t0 < 5
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        log.close()
    text = (tmp_path / "run.log").read_text()
    assert "pw-dave" not in text
    db = (tmp_path / "state.sqlite3").read_bytes()
    assert b"pw-dave" not in db and b"repeated violations" not in db  # no secrets, no bodies


def test_run_with_a_bad_config_exits_2(tmp_path):
    cfg = tmp_path / "c.toml"
    cfg.write_text("[[accounts]]\nname = 'x'\nhost = 'h'\nbogus = 1\n")
    proc = subprocess.run([*EXE, "--config", str(cfg), "run"], capture_output=True, text=True,
                          timeout=30, check=False, env={**os.environ})
    assert proc.returncode == 2 and "accounts[0].bogus: unknown key" in proc.stderr


def test_a_silent_connection_is_replaced_and_what_came_meanwhile_noticed(tmp_path,
                                                                          dovecot_factory):
    from tests.infra.proxy import SilentProxy

    server = dovecot_factory()
    server.add_user("erin", "pw-erin")
    proxy = SilentProxy("127.0.0.1", server.tls_port)

    class Acct:
        user, password, tls_port, ca = "erin", "pw-erin", proxy.port, server.ca

    cfg = write_config(tmp_path, Acct)
    log = open(tmp_path / "run.log", "wb")  # noqa: SIM115 - closed below
    proc = subprocess.Popen([*EXE, "--config", str(cfg), "run"], stdout=log, stderr=log)
    try:
        time.sleep(3.0)
        server.deliver("erin", "Junk", notice(7))
        assert wait_for(lambda: events(tmp_path), 10), (tmp_path / "run.log").read_text()
        proxy.blackhole()  # every open connection goes silent, none is closed
        proxy.resume()  # but new connections work (the network is back)
        t0 = time.monotonic()
        server.deliver("erin", "INBOX", notice(8))
        assert wait_for(lambda: len(events(tmp_path)) >= 2, 150, step=1.0), (
            tmp_path / "run.log").read_text()
        assert time.monotonic() - t0 < 120
    finally:
        stop_process(proc, timeout=10)
        log.close()
        proxy.close()


def test_stopped_for_a_minute_then_resumed_catches_up(tmp_path, dovecot_factory):
    """SIGSTOP for a minute (a laptop asleep), then SIGCONT: mail delivered meanwhile is
    noticed within 10 s, and a follow-up that fell due meanwhile is delivered on waking."""
    server = dovecot_factory()
    server.add_user("fred", "pw-fred")

    class Acct:
        user, password, tls_port, ca = "fred", "pw-fred", server.tls_port, server.ca

    # a case waiting for the provider whose first follow-up falls due 30 s after the stop; the
    # daemon's clock runs at real speed from a Wednesday at this time of day, so that the test
    # does not depend on the weekday (or a public holiday) it runs on
    real = datetime.now(UTC)
    now = datetime.combine(date(2026, 9, 16), real.time(), tzinfo=UTC)
    due = (now + timedelta(seconds=90)).replace(second=0, microsecond=0)
    if (due - now).total_seconds() < 45:
        due += timedelta(minutes=1)
    last = due - timedelta(days=1)
    if last.date() != date(2026, 9, 15):  # the minute crossed midnight: still a business day
        last = datetime.combine(date(2026, 9, 15), last.time(), tzinfo=UTC)
    github = [auth_pass("github.com")]
    server.deliver("fred", "INBOX", make_mail(
        sender="GitHub <support@github.com>", subject="Your account has been suspended",
        body="Your account has been suspended for violating our terms of service.",
        auth=github, message_id="<gh-n@github.com>", date=last - timedelta(hours=1)))
    server.deliver("fred", "Sent", make_mail(
        sender="Alex Chen <alex@example.net>", to="support@github.com",
        subject="Re: Your account has been suspended", body="Please review my account.",
        headers={"In-Reply-To": "<gh-n@github.com>"}, message_id="<gh-s@example.net>",
        date=last - timedelta(minutes=30)))
    server.deliver("fred", "INBOX", make_mail(
        sender="GitHub Support <support@github.com>",
        subject="Re: Your account has been suspended", auth=github,
        body="Hi, I'm still looking into this with the team and will update you soon.",
        headers={"In-Reply-To": "<gh-s@example.net>"}, message_id="<gh-r@github.com>",
        date=last))
    cfg = write_config(tmp_path, Acct, extra=(
        f'[followup]\nafter_business_days = 1\ncountry = "US"\ntimezone = "UTC"\n'
        f'due_time = "{due:%H:%M}"\n'))
    log = open(tmp_path / "run.log", "wb")  # noqa: SIM115 - closed below
    proc = subprocess.Popen([*EXE, "--config", str(cfg), "run", "--now", now.isoformat()],
                            stdout=log, stderr=log)
    try:
        assert wait_for(lambda: events(tmp_path), 15), (tmp_path / "run.log").read_text()
        assert not [e for e in events(tmp_path) if e["event"] == "followup_due"]
        proc.send_signal(signal.SIGSTOP)
        server.deliver("fred", "Junk", notice(9))
        while datetime.now(UTC) - real < due - now + timedelta(seconds=5):
            time.sleep(1)
        time.sleep(max(0.0, 60 - (datetime.now(UTC) - real).total_seconds()))
        proc.send_signal(signal.SIGCONT)
        t0 = time.monotonic()
        assert wait_for(lambda: {"new_notice", "followup_due"} <= {
            e["event"] for e in events(tmp_path)}, 30), (
            tmp_path / "run.log").read_text()
        assert time.monotonic() - t0 < 10
    finally:
        proc.send_signal(signal.SIGCONT)
        stop_process(proc, timeout=10)
        log.close()


def test_a_deleted_drafts_folder_is_created_again(tmp_path, dovecot_factory, caplog):
    from tests.infra.imapd import Account

    # a server that leaves a deleted Drafts folder deleted (the fixture's re-creates it)
    server = dovecot_factory(users={"hana": "pw-hana"}, auto_create_drafts=False)
    account = Account(server, "hana", "pw-hana")
    with account.client() as client:
        client.create_folder("Drafts")
    account.deliver("INBOX", notice(10))
    cfg = write_config(tmp_path, account)
    assert main(["--config", str(cfg), "scan"]) == 0
    with account.client() as client:
        client.delete_folder("Drafts")
        assert not client.folder_exists("Drafts")
    with account.client() as client:  # a new session does not bring it back either
        assert not client.folder_exists("Drafts")
    account.deliver("INBOX", make_mail(
        sender="GitHub <noreply@github.com>", subject="Your account has been suspended",
        body="Your account has been suspended for violating our terms of service.",
        auth=[auth_pass("github.com")], message_id="<gh-del@github.com>",
        date=datetime.now(UTC)))
    assert main(["--config", str(cfg), "scan"]) == 0
    drafts = account.fetch_headers("Drafts")
    assert [m.headers["In-Reply-To"] for m in drafts] == ["<gh-del@github.com>"]
    assert "the Drafts folder 'Drafts' is gone; creating it again" in caplog.text


def test_a_read_only_state_directory_is_one_clear_error(tmp_path, fresh_account, capsys):
    import os

    cfg = write_config(tmp_path, fresh_account)
    text = cfg.read_text().replace(str(tmp_path / "state.sqlite3"), "/proc/appealwatch/s.db")
    cfg.write_text(text)
    assert main(["--config", str(cfg), "scan"]) == 1
    err = capsys.readouterr().err
    assert "cannot create the state file" in err and "Traceback" not in err
    assert os.path.exists(cfg)


def test_netease_servers_alone_are_sent_the_imap_id_command(fresh_account):
    """163.com and its siblings refuse SELECT from a client that has not identified itself."""
    from appealwatch.imap.connection import _identify

    server = fresh_account.server
    with server.client(fresh_account.user) as client:
        _identify(client, "imap.fastmail.com")
        client.noop()
        assert "name=appealwatch" not in server.log_tail(500)
        _identify(client, "imap.163.com")
        client.select_folder("INBOX")
    deadline = time.monotonic() + 10
    while "name=appealwatch" not in server.log_tail(500) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert "name=appealwatch" in server.log_tail(500)


def test_connections_share_one_tls_context_until_the_ca_file_changes(tmp_path):
    import shutil

    from tests.infra.certs import make_ca_and_server

    from appealwatch.imap import ssl_context

    old, new = make_ca_and_server(tmp_path / "old"), make_ca_and_server(tmp_path / "new")
    ca_file = tmp_path / "ca.crt"
    shutil.copy(old.ca, ca_file)
    first = ssl_context(str(ca_file))
    assert ssl_context(str(ca_file)) is first
    shutil.copy(new.ca, ca_file)  # the user renews the private CA
    stat = ca_file.stat()
    os.utime(ca_file, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    renewed = ssl_context(str(ca_file))
    assert renewed is not first

    def subjects(ctx):
        return {c["serialNumber"] for c in ctx.get_ca_certs()}

    fresh = ssl.create_default_context(cafile=str(new.ca))
    assert subjects(fresh) <= subjects(renewed)
    assert not subjects(fresh) <= subjects(first)
