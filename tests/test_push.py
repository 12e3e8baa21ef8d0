"""Notifications that reach a phone: ntfy's publish API and apprise, delivered by the engine to
a real HTTP server on loopback (tests.infra.httpsink), next to the other backends."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from appealwatch.cli import main
from appealwatch.config import ConfigError, load_config
from appealwatch.push import NtfyBackend, links, ntfy_message, ntfy_topic, priority
from grouping import write_config
from infra.httpsink import Sink
from mails import auth_pass, make_mail

NOW = "2026-06-02T10:00+00:00"


def notice_maildir(root: Path) -> Path:
    maildir = root / "Maildir"
    for sub in ("cur", "new", "tmp"):
        (maildir / sub).mkdir(parents=True, exist_ok=True)
    (maildir / "new" / "1.n1.x").write_bytes(make_mail(
        sender="GitHub <support@github.com>", subject="Your account has been suspended",
        body="Your account has been suspended for automated activity that violates our terms "
        "of service.", auth=[auth_pass("github.com")], message_id="<n1@github.com>",
        date=datetime(2026, 6, 2, 9, 0, tzinfo=UTC)))
    return maildir


def command_log(tmp: Path) -> tuple[str, Path]:
    out = tmp / "events.jsonl"
    return f'command = ["sh", "-c", "cat >> {out}; echo >> {out}"]\n', out


def test_ntfy_topic_urls():
    assert ntfy_topic("https://ntfy.sh/aw-k3j2") == ("https://ntfy.sh/", "aw-k3j2")
    assert ntfy_topic("https://push.example.org/ntfy/alerts/") == (
        "https://push.example.org/ntfy/", "alerts")
    for bad in ("ftp://ntfy.sh/x", "https://ntfy.sh/", "ntfy.sh/x"):
        with pytest.raises(ValueError):
            ntfy_topic(bad)


def test_priority_and_buttons_follow_the_event():
    notice = {"event": "new_notice", "urgency": "critical", "summary": "s",
              "appeal_url": "https://help.example.com/appeal", "url": "javascript:alert(1)"}
    body = ntfy_message(notice, "t", "GitHub: account suspended")
    assert body["priority"] == 5
    assert body["actions"] == [{"action": "view", "label": "Open appeal form",
                                "url": "https://help.example.com/appeal", "clear": True}]
    assert priority({"event": "needs_reply", "urgency": "normal"}) == 4
    assert priority({"event": "decision", "urgency": "normal"}) == 3
    assert links({"url": "http://plain.example.com"}) == []  # only https links become buttons
    assert "actions" not in ntfy_message({"event": "decision", "summary": "s"}, "t", "x")


def test_config_names_every_push_problem(tmp_path):
    cfg = tmp_path / "c.toml"
    cfg.write_text('[notify]\nbackends = ["ntfy", "apprise"]\n'
                   'ntfy_url = "http://ntfy.example.com/topic"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_config(cfg)
    text = str(err.value)
    assert "notify.ntfy_url: must be an https:// URL" in text
    assert "notify.apprise_urls_command: required" in text
    cfg.write_text('[notify]\nbackends = ["ntfy"]\nntfy_url = "https://u:p@ntfy.sh/t"\n',
                   encoding="utf-8")
    with pytest.raises(ConfigError, match="no credentials in the URL"):
        load_config(cfg)


def test_ntfy_gets_each_event_once_with_the_token_from_a_command(tmp_path, capsys):
    maildir = notice_maildir(tmp_path)
    command, _ = command_log(tmp_path)
    with Sink() as sink:
        cfg = write_config(tmp_path, maildir, extra=(
            f'[notify]\nbackends = ["ntfy", "command"]\n{command}'
            f'ntfy_url = "http://127.0.0.1:{sink.port}/appealwatch-test"\n'
            'ntfy_token_command = "printf tk_s3cr3t_v4lue"\n'))
        cfg.chmod(0o600)
        assert main(["--config", str(cfg), "scan", "--now", NOW]) == 0
        assert main(["--config", str(cfg), "scan", "--now", NOW]) == 0
        got = sink.received()
    assert len(got) == 1, got
    (req,) = got
    assert req["json"]["topic"] == "appealwatch-test"
    assert req["json"]["priority"] == 5
    assert req["json"]["title"].lower().startswith("github")
    assert "suspend" in req["json"]["message"]
    assert req["headers"]["Authorization"] == "Bearer tk_s3cr3t_v4lue"
    assert "tk_s3cr3t_v4lue" not in capsys.readouterr().err


def test_a_failing_ntfy_never_holds_up_the_others_and_is_tried_again(tmp_path):
    maildir = notice_maildir(tmp_path)
    command, out = command_log(tmp_path)
    with Sink() as sink:
        sink.fail_with = 503
        cfg = write_config(tmp_path, maildir, extra=(
            f'[notify]\nbackends = ["ntfy", "command"]\n{command}'
            f'ntfy_url = "http://127.0.0.1:{sink.port}/t"\n'))
        assert main(["--config", str(cfg), "scan", "--now", NOW]) == 0
        assert sink.received() == []
        delivered = [json.loads(x) for x in out.read_text().splitlines() if x.strip()]
        assert [e["event"] for e in delivered] == ["new_notice"]
        sink.fail_with = None
        assert main(["--config", str(cfg), "scan", "--now", NOW]) == 0
        assert len(sink.received()) == 1
        # the command backend had delivered already: it is not given the event again
        assert len([x for x in out.read_text().splitlines() if x.strip()]) == 1


def test_apprise_delivers_to_a_local_json_endpoint(tmp_path):
    maildir = notice_maildir(tmp_path)
    with Sink() as sink:
        urls = tmp_path / "urls.sh"
        urls.write_text(f"#!/bin/sh\necho json://127.0.0.1:{sink.port}/hook\n")
        urls.chmod(0o700)
        cfg = write_config(tmp_path, maildir, extra=(
            f'[notify]\nbackends = ["apprise"]\napprise_urls_command = "{urls}"\n'))
        cfg.chmod(0o600)
        assert main(["--config", str(cfg), "scan", "--now", NOW]) == 0
        got = sink.received()
    assert len(got) == 1
    assert got[0]["path"] == "/hook"
    assert got[0]["json"]["title"].lower().startswith("github")
    assert "suspend" in got[0]["json"]["message"]


def test_doctor_sends_a_test_through_each_backend_and_names_a_failing_one(tmp_path, capsys):
    maildir = notice_maildir(tmp_path)
    command, out = command_log(tmp_path)
    with Sink() as sink:
        cfg = write_config(tmp_path, maildir, extra=(
            f'[notify]\nbackends = ["ntfy", "command"]\n{command}'
            f'ntfy_url = "http://127.0.0.1:{sink.port}/t"\n'))
        cfg.chmod(0o600)
        capsys.readouterr()
        assert main(["--config", str(cfg), "doctor", "--notify"]) == 0
        lines = capsys.readouterr().out.splitlines()
        assert "PASS  notifications: test sent through ntfy" in lines
        assert "PASS  notifications: test sent through command" in lines
        assert len(sink.received()) == 1 and sink.received()[0]["json"]["title"].endswith(
            "test notification")
        assert [json.loads(x)["event"] for x in out.read_text().splitlines() if x.strip()] == [
            "test"]
        sink.fail_with = 500
        assert main(["--config", str(cfg), "doctor", "--notify"]) == 1
        lines = capsys.readouterr().out.splitlines()
        assert any(ln.startswith("FAIL  notifications: test through ntfy failed") for ln in lines)
        assert "PASS  notifications: test sent through command" in lines
        # without --notify nothing is sent
        assert main(["--config", str(cfg), "doctor"]) == 0
        assert len(out.read_text().split("\n\n")) <= 3


def killed(cfg: Path, point: str) -> None:
    env = {**os.environ, "APPEALWATCH_CRASH_AT": point}
    proc = subprocess.run([sys.executable, "-m", "appealwatch.cli", "--config", str(cfg), "scan",
                           "--now", NOW], env=env, capture_output=True, check=False)
    assert proc.returncode == -9, proc.stderr.decode()


@pytest.mark.parametrize("point", [
    "after-claim", "trying-command", "sent-command", "trying-ntfy", "sent-ntfy", "after-notify"])
def test_a_kill_at_any_point_of_sending_gives_each_backend_the_event_once(tmp_path, point):
    """command first, then ntfy: whichever was being tried when the process died, ntfy (which
    can poll its topic) gets the event exactly once, and so does the command unless it was the
    one caught in the middle (then at most once: it is never shown twice)."""
    maildir = notice_maildir(tmp_path)
    command, out = command_log(tmp_path)
    with Sink() as sink:
        cfg = write_config(tmp_path, maildir, extra=(
            f'[notify]\nbackends = ["command", "ntfy"]\n{command}'
            f'ntfy_url = "http://127.0.0.1:{sink.port}/t"\n'))
        killed(cfg, point)
        assert main(["--config", str(cfg), "scan", "--now", NOW]) == 0
        assert main(["--config", str(cfg), "scan", "--now", NOW]) == 0
        assert len(sink.received()) == 1
        commands = [x for x in (out.read_text() if out.exists() else "").splitlines() if x.strip()]
        # a command caught between "about to run" and "ran" cannot be asked: it is not run again
        assert len(commands) == (0 if point == "trying-command" else 1)


def test_a_retry_tells_its_event_from_an_earlier_one_worded_alike():
    """Two notices of one provider read the same on a phone; the second, tried again after a
    kill, must not take the first's message on the topic for its own."""
    first = {"id": "new_notice:m:1:<n1@x>", "event": "new_notice", "urgency": "critical",
             "summary": "GitHub suspended your account."}
    second = {**first, "id": "new_notice:m:2:<n2@x>", "retry_since": "2026-06-01T10:00:00+00:00"}
    title = "GitHub: account suspended"
    with Sink() as sink:
        backend = NtfyBackend(f"http://127.0.0.1:{sink.port}/t", lambda: None)
        assert backend.send(first, title)
        assert backend.send(second, title)
        assert backend.send({**first, "retry_since": second["retry_since"]}, title)  # has it
        assert len(sink.received()) == 2
        assert sink.polls == 2
