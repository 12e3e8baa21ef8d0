"""`appealwatch init` against a real Dovecot on loopback (TLS through a generated CA): the config
it writes passes `appealwatch doctor`, the password goes only to the keyring, and the systemd unit
it installs passes `systemd-analyze --user verify`.

cli.py wires the command in; these tests call appealwatch.wizard directly with the same parser
options, and check the result through appealwatch.cli.main like a user would."""

from __future__ import annotations

import argparse
import io
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import keyring
import keyring.backend
import keyring.errors
import pytest
from tests.infra.keyrings import MemoryKeyring

from appealwatch import wizard
from appealwatch.cli import main
from appealwatch.config import load_config

pytest_plugins = ("tests.infra.fixtures",)
pytestmark = pytest.mark.integration


@pytest.fixture
def mem_keyring():
    backend = MemoryKeyring()
    old = keyring.get_keyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(old)


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    """A private HOME and XDG folders, a desktop-less session, and an `appealwatch` on PATH."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_STATE_HOME", str(home / ".local" / "state"))
    monkeypatch.delenv("APPEALWATCH_CONFIG", raising=False)
    for var in ("DBUS_SESSION_BUS_ADDRESS", "DISPLAY", "WAYLAND_DISPLAY", "TZ", "LC_ALL"):
        monkeypatch.delenv(var, raising=False)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    exe = bin_dir / "appealwatch"
    exe.write_text(f"#!/bin/sh\nexec '{sys.executable}' -m appealwatch.cli \"$@\"\n")
    exe.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")
    return home


def init(argv: list[str], config_path: Path | None = None, **kw) -> int:
    parser = argparse.ArgumentParser(prog="appealwatch init")
    wizard.add_arguments(parser)
    return wizard.run(parser.parse_args(argv), config_path, **kw)


def server_args(account) -> list[str]:
    return ["--host", "localhost", "--port", str(account.tls_port), "--tls", "ssl",
            "--username", account.user, "--ca-file", str(account.ca)]


def doctor(config: Path, capsys) -> str:
    capsys.readouterr()
    code = main(["--config", str(config), "doctor"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "FAIL" not in out and "all checks passed" in out
    return out


def verify_unit(unit: Path, tmp_path: Path) -> subprocess.CompletedProcess:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.fail("systemd-analyze is missing: ./tests/run installs it (Debian package "
                    "`systemd`)")
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700, exist_ok=True)
    env = dict(os.environ, XDG_RUNTIME_DIR=str(runtime), SYSTEMD_LOG_LEVEL="info")
    return subprocess.run([analyze, "--user", "verify", str(unit)], capture_output=True,
                          text=True, env=env, timeout=60, check=False)


def test_non_interactive_with_a_password_command_and_the_service(tmp_path, home, fresh_account,
                                                                  capsys):
    secret = tmp_path / "secret"
    secret.write_text(fresh_account.password + "\n")
    secret.chmod(0o600)
    code = init(["--non-interactive", "--email", f"{fresh_account.user}@example.net",
                 *server_args(fresh_account), "--password-command", f"cat {secret}",
                 "--country", "US", "--timezone", "UTC", "--notify", "log",
                 "--install-service"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "all checks passed" in out and "FAIL" not in out
    assert "systemctl --user daemon-reload && systemctl --user enable --now" in out

    config = home / ".config" / "appealwatch" / "config.toml"
    assert stat.S_IMODE(config.stat().st_mode) == 0o600
    assert stat.S_IMODE(config.parent.stat().st_mode) == 0o700
    model = load_config(config).model
    assert model.user.email == f"{fresh_account.user}@example.net"
    (acct,) = model.accounts
    assert (acct.name, acct.host, acct.port, acct.tls, acct.username) == (
        "example", "localhost", fresh_account.tls_port, "ssl", fresh_account.user)
    assert acct.password_command == f"cat {secret}" and acct.ca_file == str(fresh_account.ca)
    assert (model.followup.country, model.followup.timezone) == ("US", "UTC")
    assert model.notify.backends == ["log"]
    assert fresh_account.password not in config.read_text()

    out = doctor(config, capsys)
    assert "junk folder 'Junk' (special-use \\Junk)" in out
    assert fresh_account.password not in out

    unit = home / ".config" / "systemd" / "user" / "appealwatch.service"
    assert f"ExecStart={tmp_path / 'bin' / 'appealwatch'} run" in unit.read_text()
    result = verify_unit(unit, tmp_path)
    assert (result.returncode, result.stderr) == (0, "")


def test_password_from_stdin_goes_to_the_keyring_only(tmp_path, home, fresh_account, mem_keyring,
                                                      monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.StringIO(fresh_account.password + "\n"))
    config = tmp_path / "conf" / "config.toml"
    code = init(["--non-interactive", "--email", f"{fresh_account.user}@example.net",
                 *server_args(fresh_account), "--password-stdin", "--account-name", "work",
                 "--country", "US", "--timezone", "UTC", "--notify", "log",
                 "--no-install-service"], config)
    out = capsys.readouterr().out
    assert code == 0, out
    assert "stored the password of work in the keyring" in out
    assert mem_keyring.data == {("appealwatch", f"work:{fresh_account.user}"):
                                fresh_account.password}
    text = config.read_text()
    assert fresh_account.password not in text
    (acct,) = load_config(config).model.accounts
    assert acct.password_command is None and acct.oauth2_token_command is None
    out = doctor(config, capsys)
    assert "PASS  keyring: " in out and "MemoryKeyring" in out
    assert fresh_account.password not in out
    assert not (home / ".config" / "systemd").exists()


def test_an_existing_config_is_only_replaced_with_force(tmp_path, home, fresh_account, capsys):
    secret = tmp_path / "secret"
    secret.write_text(fresh_account.password)
    config = tmp_path / "config.toml"
    config.write_text("# mine\n")
    argv = ["--non-interactive", "--email", "alex@example.net", *server_args(fresh_account),
            "--password-command", f"cat {secret}", "--notify", "log"]
    assert init(argv, config) == 1
    err = capsys.readouterr().err
    assert f"{config} already exists" in err and "--force" in err
    assert config.read_text() == "# mine\n"

    assert init([*argv, "--force"], config) == 0
    assert load_config(config).model.accounts[0].host == "localhost"
    backup = tmp_path / "config.toml.bak"
    assert backup.read_text() == "# mine\n"
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600


@pytest.mark.parametrize(("argv", "flag"), [
    ([], "--email"),
    (["--email", "alex@example.net", "--password-command", "true"], "--host"),
    (["--email", "alex@example.net", "--host", "localhost"],
     "--password-stdin, --password-command or --oauth2-token-command"),
    (["--email", "alex@example.net", "--maildir", "/m", "--notify", "command"],
     "--notify-command"),
])
def test_a_missing_answer_without_a_dialogue_names_the_option(tmp_path, home, capsys, argv,
                                                              flag):
    config = tmp_path / "config.toml"
    assert init(["--non-interactive", *argv], config) == 2
    err = capsys.readouterr().err
    assert f"{flag} is required with --non-interactive" in err
    assert not config.exists()


def test_the_dialogue_asks_again_for_the_ca_and_a_refused_password(tmp_path, home, fresh_account,
                                                                   mem_keyring, monkeypatch,
                                                                   capsys):
    answers = [
        f"{fresh_account.user}@example.net",  # e-mail
        "Alex Chen",  # name
        "",  # IMAP (the default)
        "localhost",  # server (the suggestion would be imap.example.net)
        "ssl",  # encryption
        str(fresh_account.tls_port),  # port
        fresh_account.user,  # username
        "work",  # account name
        "",  # the password goes to the keyring (the default)
        "wrong-password",  # the password ...
        str(fresh_account.ca),  # ... the certificate is not trusted: the private CA
        fresh_account.password,  # ... refused: asked again
        "de",  # country
        "Europe/Berlin",  # time zone
        "",  # notifications: log
        "y",  # install the service
    ]
    monkeypatch.setattr(sys, "stdin", io.StringIO("".join(f"{a}\n" for a in answers)))
    config = tmp_path / "config.toml"
    code = init([], config)
    captured = capsys.readouterr()
    assert code == 0, captured.out + captured.err
    assert "could not be verified" in captured.out and "refused the login" in captured.out
    for line in ("inbox   INBOX", "junk    Junk (special-use)", "sent    Sent (special-use)",
                 "drafts  Drafts (special-use)", "all checks passed"):
        assert line in captured.out
    assert "wrong-password" not in captured.out + captured.err

    model = load_config(config).model
    assert (model.user.name, model.user.email) == ("Alex Chen",
                                                   f"{fresh_account.user}@example.net")
    (acct,) = model.accounts
    assert (acct.name, acct.host, acct.port, acct.tls, acct.username, acct.ca_file) == (
        "work", "localhost", fresh_account.tls_port, "ssl", fresh_account.user,
        str(fresh_account.ca))
    assert (model.followup.country, model.followup.timezone) == ("DE", "Europe/Berlin")
    assert mem_keyring.data == {("appealwatch", f"work:{fresh_account.user}"):
                                fresh_account.password}
    assert fresh_account.password not in config.read_text()
    unit = home / ".config" / "systemd" / "user" / "appealwatch.service"
    assert unit.exists()
    # a config outside the default place: the service needs to be told
    assert "APPEALWATCH_CONFIG" in captured.out
    doctor(config, capsys)


def test_missing_folders_leave_a_hint_in_the_config(tmp_path, home, fresh_account, dovecot,
                                                    monkeypatch, capsys):
    from appealwatch import imap

    real = imap.discover_folders

    def no_junk(client, overrides):
        found = real(client, overrides)
        found.pop("junk", None)
        return found

    monkeypatch.setattr(imap, "discover_folders", no_junk)
    secret = tmp_path / "secret"
    secret.write_text(fresh_account.password)
    config = tmp_path / "config.toml"
    code = init(["--non-interactive", "--email", "alex@example.net", *server_args(fresh_account),
                 "--password-command", f"cat {secret}", "--notify", "log"], config)
    out = capsys.readouterr().out
    assert code == 1  # the doctor does not find the spam folder either
    assert "junk    not found" in out and "FAIL  account example: no junk folder found" in out
    text = config.read_text()
    assert '# folders = { junk = "..." }' in text
    assert "Junk" in text.split("# folders =")[0].rsplit("(the server has:", 1)[1]
    assert load_config(config).model.accounts[0].folders == {}


def test_starttls_on_the_plain_port(tmp_path, home, fresh_account, capsys):
    secret = tmp_path / "secret"
    secret.write_text(fresh_account.password)
    config = tmp_path / "config.toml"
    code = init(["--non-interactive", "--email", "alex@example.net", "--host", "localhost",
                 "--tls", "starttls", "--port", str(fresh_account.port), "--username",
                 fresh_account.user, "--ca-file", str(fresh_account.ca), "--password-command",
                 f"cat {secret}", "--notify", "log"], config)
    out = capsys.readouterr().out
    assert code == 0, out
    (acct,) = load_config(config).model.accounts
    assert (acct.tls, acct.port) == ("starttls", fresh_account.port)
    assert f"logged in to localhost:{fresh_account.port} (starttls)" in doctor(config, capsys)


# --------------------------------------------------------------------------- the real keyrings

INIT_CODE = r"""
import json, sys
import keyring
from appealwatch import secrets
from appealwatch.cli import main
code = main(sys.argv[1:])
try:
    got = secrets.get_password("work", "alex@example.org", None)
except secrets.SecretError as exc:
    got = f"error: {exc}"
print(json.dumps({"code": code, "got": got,
                  "keyring": secrets.backend_name(keyring.get_keyring())}))
"""


def init_in_a_session(tmp_path: Path, password: str, *, session: bool) -> tuple[dict, Path]:
    """`appealwatch init --password-stdin` in a process of its own, with the keyring keyring
    picks by itself: in a D-Bus session with an unlocked gnome-keyring, or with no session
    (where only keyrings.alt's plain file is left)."""
    from tests.test_secrets import SESSION_SH, keyring_env, parse_result

    env = keyring_env(tmp_path, "", password)
    del env["PYTHON_KEYRING_BACKEND"]
    env.update(AW_CODE=INIT_CODE, AW_UNLOCK="1" if session else "")
    config = tmp_path / "home" / "config.toml"
    args = ["--config", str(config), "init", "--non-interactive", "--skip-check", "--email",
            "alex@example.org", "--host", "imap.example.org", "--account-name", "work",
            "--password-stdin", "--notify", "log", "--no-install-service"]
    command = ["bash", "-c", SESSION_SH, "bash", *args]
    if session:
        missing = [t for t in ("dbus-run-session", "gnome-keyring-daemon") if not shutil.which(t)]
        assert not missing, f"{missing} not found: ./tests/run installs dbus and gnome-keyring"
        command = ["dbus-run-session", "--", *command]
    proc = subprocess.run(command, env=env, input=password + "\n", capture_output=True,
                          text=True, timeout=120, check=False)
    result = parse_result(proc)
    result["stdout"], result["stderr"] = proc.stdout, proc.stderr
    return result, config


def test_the_password_goes_only_to_the_real_secret_service(tmp_path):
    from tests.test_secrets import assert_not_on_disk, new_secret

    password = new_secret()
    result, config = init_in_a_session(tmp_path, password, session=True)
    assert result["code"] == 0, result["stderr"]
    # keyrings.alt is installed too: the chain holds both, and stores in the first
    assert result["keyring"] == ("chainer ChainerBackend (SecretService Keyring, "
                                 "file PlaintextKeyring)")
    assert "stored the password of work in the keyring (chainer" in result["stdout"]
    assert "unencrypted" not in result["stdout"] + result["stderr"]
    assert result["got"] == password
    assert config.is_file() and (tmp_path / "home/.local/share/keyrings").is_dir()
    assert not (tmp_path / "home/.local/share/python_keyring").exists()
    assert_not_on_disk(tmp_path / "home", password)


def test_without_a_secret_service_the_plain_file_keyring_is_refused(tmp_path):
    from tests.test_secrets import new_secret

    password = new_secret()
    result, config = init_in_a_session(tmp_path, password, session=False)
    assert result["code"] == 2
    assert "PlaintextKeyring" in result["keyring"]
    assert "keeps passwords unencrypted" in result["stderr"]
    assert "--allow-plaintext-keyring" in result["stderr"]
    assert result["got"].startswith("error: no password stored for account work")
    assert not config.exists()
    assert not (tmp_path / "home/.local/share/python_keyring").exists()
