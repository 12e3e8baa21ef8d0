"""The security review (docs/SECURITY.md), tested against the real Dovecot: remote content is
never fetched, suspicious links stay text, a readable config holding a secret command is
refused before any connection, STARTTLS cannot be stripped, a secret echoed by the server never
reaches the output."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import threading
from datetime import UTC, datetime

import pytest
from tests.infra.proxy import Fault, FaultProxy

from appealwatch.cli import main
from mails import auth_pass, make_mail

pytest_plugins = ("tests.infra.fixtures",)
pytestmark = pytest.mark.integration

EXE = [sys.executable, "-m", "appealwatch.cli"]


def write_config(tmp, account, server: str) -> object:
    secret = tmp / "secret"
    secret.write_text(account.password)
    secret.chmod(0o600)
    cfg = tmp / "config.toml"
    cfg.write_text(
        '[user]\nname = "Alex Chen"\nemail = "alex@example.net"\n'
        f'[[accounts]]\nname = "work"\n{server}username = "{account.user}"\n'
        f'password_command = "cat {secret}"\n[state]\npath = "{tmp / "state.sqlite3"}"\n'
        f'[notify]\nbackends = ["command"]\n'
        f'command = ["sh", "-c", "(cat; echo) >> {tmp / "events.jsonl"}"]\n', encoding="utf-8")
    cfg.chmod(0o600)
    return cfg


def tls(account) -> str:
    return (f'host = "localhost"\nport = {account.tls_port}\ntls = "ssl"\n'
            f'ca_file = "{account.ca}"\n')


class Listener:
    """A TCP port that records every connection made to it."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.accepted = 0
        self.sock.settimeout(0.2)
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self.stopping.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.accepted += 1
            conn.close()

    def close(self) -> None:
        self.stopping.set()
        self.thread.join(2)
        self.sock.close()


def test_html_is_never_rendered_and_remote_content_never_fetched(tmp_path, fresh_account,
                                                                 capsys):
    spy = Listener()
    url = f"http://127.0.0.1:{spy.port}"
    html = (f'<html><head><link rel="stylesheet" href="{url}/s.css">'
            f'<script src="{url}/x.js"></script></head><body style="background:url({url}/b)">'
            f'<img src="{url}/pixel.gif"><iframe src="{url}/frame"></iframe>'
            "<p>Access for your organization org-Remote0001XYZ has been deactivated because of "
            "repeated violations of our usage policies. {{ 7*7 }}</p></body></html>")
    genuine = make_mail(sender="OpenAI <noreply@tm.openai.com>", html=html,
                        subject="Your OpenAI API organization has been deactivated {{ 7*7 }}",
                        body="", auth=[auth_pass("tm.openai.com")],
                        message_id="<remote-1@tm.openai.com>", date=datetime.now(UTC))
    phish = make_mail(
        sender="OpenAI Support <support@openai-accounts-verify.example>",
        subject="Your OpenAI API organization has been deactivated",
        body="Access for your organization has been deactivated. Restore it at "
        f"{url}/login?session=1 within 24 hours.",
        html=f'<p>Your organization has been deactivated. <a href="{url}/login">Restore '
        f'access</a><img src="{url}/track.gif"></p>', message_id="<phish-1@example>",
        date=datetime.now(UTC))
    fresh_account.deliver("INBOX", genuine)
    fresh_account.deliver("Junk", phish)
    cfg = write_config(tmp_path, fresh_account, tls(fresh_account))
    try:
        assert main(["--config", str(cfg), "scan"]) == 0
        for args in (["cases"], ["show", "1"], ["show", "2"], ["draft", "1"]):
            assert main(["--config", str(cfg), *args]) == 0
        out = capsys.readouterr().out
        events = (tmp_path / "events.jsonl").read_text()
    finally:
        spy.close()
    assert spy.accepted == 0  # nothing was loaded from the network, at any step
    # provider text is data, not a template: rendered, {{ 7*7 }} would read 49 (a bare "49"
    # may be in a port number or a time)
    assert "{{ 7*7 }}" in out and not re.search(r"(deactivated|policies\.) 49\b", out), out
    warning = [x for x in events.splitlines() if "phishing" in x]
    assert warning, events
    # the suspicious mail's links are named as text at most, never as something to open
    for text in (events, out):
        assert f"127.0.0.1:{spy.port}/login" not in text
        assert "http://" not in text and "https://" not in text and "<a " not in text


def test_a_readable_config_with_a_password_command_is_refused_before_connecting(
        tmp_path, fresh_account):
    with FaultProxy(fresh_account.host, fresh_account.port) as proxy:
        cfg = write_config(tmp_path, fresh_account,
                           f'host = "127.0.0.1"\nport = {proxy.port}\ntls = "none"\n'
                           "allow_plaintext_loopback = true\n")
        cfg.chmod(0o644)
        for command in ("scan", "run", "doctor"):
            proc = subprocess.run([*EXE, "--config", str(cfg), command], capture_output=True,
                                  text=True, timeout=60, check=False)
            assert proc.returncode == 2, (command, proc.stderr)
            assert "chmod 600" in proc.stderr and "Traceback" not in proc.stderr
        assert proxy.connections == 0


@pytest.mark.parametrize("attack", ["strip-capability", "refuse-starttls"])
def test_starttls_cannot_be_downgraded_silently(tmp_path, fresh_account, capsys, attack):
    with FaultProxy(fresh_account.host, fresh_account.port) as proxy:
        if attack == "strip-capability":  # a man in the middle hides STARTTLS
            proxy.arm(Fault(rb" STARTTLS", side="server", action="rewrite", times=100))
        else:  # ... or answers it with NO
            proxy.arm(Fault(rb"^\S+ STARTTLS", action="NO"))
        cfg = write_config(tmp_path, fresh_account,
                           f'host = "localhost"\nport = {proxy.port}\ntls = "starttls"\n'
                           f'ca_file = "{fresh_account.ca}"\n')
        assert main(["--config", str(cfg), "scan"]) == 1
        err = capsys.readouterr().err
        sent = b"".join(proxy.sent("client"))
    assert "STARTTLS" in err.upper() and "Traceback" not in err, err
    assert b"LOGIN" not in sent.upper() and fresh_account.password.encode() not in sent


@pytest.mark.parametrize("debug", [False, True])
def test_a_secret_echoed_by_the_server_never_reaches_the_output(tmp_path, fresh_account,
                                                                capsys, debug):
    with FaultProxy(fresh_account.host, fresh_account.port) as proxy:
        echo = b"[AUTHENTICATIONFAILED] wrong password " + fresh_account.password.encode()
        proxy.arm(Fault(rb"^\S+ LOGIN ", action="NO", text=echo))
        cfg = write_config(tmp_path, fresh_account,
                           f'host = "127.0.0.1"\nport = {proxy.port}\ntls = "none"\n'
                           "allow_plaintext_loopback = true\n")
        proc = subprocess.run([*EXE, "--config", str(cfg), *(["--debug"] * debug), "scan"],
                              capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 1
    assert "refused the login" in proc.stderr, proc.stderr
    assert fresh_account.password not in proc.stderr + proc.stdout
