"""`appealwatch init` and `login` where the only keyring is an unencrypted file, and `init`'s
notifications for a machine without a desktop session (ntfy, apprise, a note in the INBOX)."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import keyring
import keyring.backend
import pytest
from keyring.backends import chainer
from keyrings.alt.file import PlaintextKeyring
from tests.infra.keyrings import MemoryKeyring
from tests.test_wizard import NOTIFY_PROMPT, _no_session, init, make_maildir  # noqa: F401

from appealwatch import secrets
from appealwatch.cli import main
from appealwatch.config import load_config
from appealwatch.wizard.notify import random_topic_url

PASSWORD = "correct-horse-battery"


@pytest.fixture
def use_keyring():
    old = keyring.get_keyring()
    yield keyring.set_keyring
    keyring.set_keyring(old)


@pytest.fixture
def plaintext(use_keyring, tmp_path) -> PlaintextKeyring:
    backend = PlaintextKeyring()
    backend.file_path = str(tmp_path / "keyring" / "keyring_pass.cfg")
    use_keyring(backend)
    return backend


@pytest.fixture
def memory(use_keyring) -> MemoryKeyring:
    backend = MemoryKeyring()
    use_keyring(backend)
    return backend


def imap_args(*extra: str) -> list[str]:
    return ["--non-interactive", "--skip-check", "--email", "alex@example.org", "--host",
            "imap.example.org", "--account-name", "work", "--notify", "log", *extra]


# --------------------------------------------------------------------------- the keyring


class _OnlyPlaintext(chainer.ChainerBackend):
    backends = (PlaintextKeyring(),)  # what the chainer stores in comes first


class _SecretFirst(chainer.ChainerBackend):
    backends = (MemoryKeyring(), PlaintextKeyring())


@pytest.mark.parametrize(("backend", "unencrypted"), [
    (PlaintextKeyring(), True), (_OnlyPlaintext(), True),
    (_SecretFirst(), False), (MemoryKeyring(), False),
])
def test_which_keyrings_keep_passwords_unencrypted(use_keyring, backend, unencrypted):
    use_keyring(backend)
    found = secrets.unencrypted_keyring()
    assert bool(found) == unencrypted
    if unencrypted:
        assert "PlaintextKeyring" in found and "keyring_pass.cfg" in found


def test_init_without_a_dialogue_refuses_a_plaintext_keyring(tmp_path, plaintext, monkeypatch,
                                                             capsys):
    monkeypatch.setattr(sys, "stdin", io.StringIO(PASSWORD + "\n"))
    target = tmp_path / "config.toml"
    assert init(imap_args("--password-stdin"), target) == 2
    err = capsys.readouterr().err
    for words in ("unencrypted", plaintext.file_path, "--password-command",
                  "--allow-plaintext-keyring"):
        assert words in err
    assert not target.exists() and not Path(plaintext.file_path).exists()


def test_init_stores_in_a_plaintext_keyring_only_when_allowed(tmp_path, plaintext, monkeypatch,
                                                              capsys):
    monkeypatch.setattr(sys, "stdin", io.StringIO(PASSWORD + "\n"))
    target = tmp_path / "config.toml"
    assert init(imap_args("--password-stdin", "--allow-plaintext-keyring"), target) == 0
    assert "stored the password of work in the keyring (file PlaintextKeyring)" in (
        capsys.readouterr().out)
    assert plaintext.get_password("appealwatch", "work:alex@example.org") == PASSWORD
    assert PASSWORD not in target.read_text()


@pytest.mark.parametrize("keep_it", ["n", "y"])
def test_the_dialogue_says_so_before_storing_and_suggests_a_command(tmp_path, plaintext, capsys,
                                                                    keep_it):
    secret_file = tmp_path / "pw"
    secret_file.write_text(PASSWORD)
    asked: dict[str, str | None] = {}
    answers = {"How should appealwatch get the password (keyring/command/oauth2)": "keyring",
               "Store it unencrypted anyway? (y/n)": keep_it,
               "Command that prints the password": f"cat {secret_file}"}

    def ask(prompt: str, default: str | None) -> str:
        asked[prompt] = default
        return answers.get(prompt.strip(), default or "")

    target = tmp_path / "config.toml"
    code = init(["--skip-check", "--email", "alex@example.org", "--host", "imap.example.org",
                 "--account-name", "work", "--notify", "log", "--no-install-service"], target,
                ask=ask, read_secret=lambda prompt: PASSWORD)
    assert code == 0
    out = " ".join(capsys.readouterr().out.split())
    note = out.index("keeps passwords unencrypted")
    assert note < out.index("The password: keyring")  # said before anything is stored
    assert plaintext.file_path in out
    assert asked["How should appealwatch get the password (keyring/command/oauth2)"] == "command"
    assert asked["Store it unencrypted anyway? (y/n)"] == "n"
    acct = load_config(target).model.accounts[0]
    stored = plaintext.get_password("appealwatch", "work:alex@example.org")
    if keep_it == "y":
        assert stored == PASSWORD and acct.password_command is None
    else:
        assert stored is None and acct.password_command == f"cat {secret_file}"
        assert "Command that prints the password" in asked


def test_an_encrypted_keyring_is_the_default_without_a_note(tmp_path, memory, capsys):
    asked: dict[str, str | None] = {}

    def ask(prompt: str, default: str | None) -> str:
        asked[prompt] = default
        return default or ""

    assert init(["--skip-check", "--email", "alex@example.org", "--host", "imap.example.org",
                 "--account-name", "work", "--notify", "log", "--no-install-service"],
                tmp_path / "config.toml", ask=ask, read_secret=lambda prompt: PASSWORD) == 0
    assert "unencrypted" not in capsys.readouterr().out
    assert asked["How should appealwatch get the password (keyring/command/oauth2)"] == "keyring"
    assert memory.data == {("appealwatch", "work:alex@example.org"): PASSWORD}


def login_config(tmp_path: Path) -> Path:
    config = tmp_path / "config.toml"
    config.write_text('[user]\nemail = "alex@example.org"\n\n[[accounts]]\nname = "work"\n'
                      'host = "imap.example.org"\nusername = "alex@example.org"\n')
    config.chmod(0o600)
    return config


def test_login_refuses_a_plaintext_keyring_unless_allowed(tmp_path, plaintext, monkeypatch,
                                                          capsys):
    config = login_config(tmp_path)
    monkeypatch.setattr(sys, "stdin", io.StringIO(PASSWORD + "\n"))
    assert main(["--config", str(config), "login", "work", "--password-stdin"]) == 2
    err = capsys.readouterr().err
    assert "not storing the password" in err and "unencrypted" in err
    assert "password_command" in err and "--allow-plaintext-keyring" in err
    assert not Path(plaintext.file_path).exists()

    monkeypatch.setattr(sys, "stdin", io.StringIO(PASSWORD + "\n"))
    assert main(["--config", str(config), "login", "work", "--password-stdin", "--no-check",
                 "--allow-plaintext-keyring"]) == 0
    assert plaintext.get_password("appealwatch", "work:alex@example.org") == PASSWORD


def test_login_stores_in_an_encrypted_keyring_without_asking(tmp_path, memory, monkeypatch,
                                                             capsys):
    monkeypatch.setattr(sys, "stdin", io.StringIO(PASSWORD + "\n"))
    assert main(["--config", str(login_config(tmp_path)), "login", "work", "--password-stdin",
                 "--no-check"]) == 0
    assert memory.data == {("appealwatch", "work:alex@example.org"): PASSWORD}


# --------------------------------------------------------------------------- notifications


def maildir_dialogue(tmp_path: Path, replies: dict[str, str]):
    maildir = make_maildir(tmp_path / "Mail")
    asked: dict[str, str | None] = {}

    def ask(prompt: str, default: str | None) -> str:
        asked[prompt] = default
        return replies.get(prompt.strip()) or default or ""

    argv = ["--skip-check", "--email", "alex@example.org", "--maildir", str(maildir),
            "--no-install-service", "--country", "DE", "--timezone", "Europe/Berlin"]
    return argv, ask, asked


NTFY_PROMPT = "ntfy topic URL (the suggestion is a new random topic on ntfy.sh)"


def test_without_a_desktop_init_offers_what_reaches_a_phone(tmp_path, capsys):
    argv, ask, asked = maildir_dialogue(tmp_path, {NTFY_PROMPT: "", NOTIFY_PROMPT: "inbox, ntfy"})
    target = tmp_path / "config.toml"
    assert init(argv, target, ask=ask) == 0
    out = capsys.readouterr().out
    assert "No desktop session here" in out and "ntfy" in out and "apprise" in out
    assert asked[NOTIFY_PROMPT] == "log, inbox"
    suggested = asked[NTFY_PROMPT]
    assert suggested.startswith("https://ntfy.sh/appealwatch-") and len(suggested) > 40
    topic = suggested.rpartition("/")[2]
    assert f"subscribe to the topic {topic}" in out
    assert "doctor --notify` sends a test notification through each of inbox, ntfy" in out
    notify = load_config(target).model.notify
    assert notify.backends == ["inbox", "ntfy"]
    assert (notify.ntfy_url, notify.ntfy_token_command) == (suggested, None)


def test_every_suggested_topic_is_new():
    assert len({random_topic_url() for _ in range(50)}) == 50


def test_a_desktop_session_gets_the_desktop_and_no_phone_advice(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent")
    monkeypatch.setenv("WAYLAND_DISPLAY", "wayland-0")
    argv, ask, asked = maildir_dialogue(tmp_path, {})
    target = tmp_path / "config.toml"
    assert init(argv, target, ask=ask) == 0
    assert "No desktop session" not in capsys.readouterr().out
    assert asked[NOTIFY_PROMPT] == "log, desktop"
    assert load_config(target).model.notify.backends == ["log", "desktop"]


def test_an_ntfy_url_that_is_not_https_is_asked_again(tmp_path, capsys):
    token = tmp_path / "token"
    token.write_text("tk_secret")
    urls = iter(["http://ntfy.example.org/alerts", "https://ntfy.example.org/alerts"])
    argv, ask, _ = maildir_dialogue(tmp_path, {})

    def ask_url(prompt: str, default: str | None) -> str:
        if prompt == NTFY_PROMPT:
            return next(urls)
        if prompt.startswith("Command that prints an access token"):
            return f"cat {token}"
        return ask(prompt, default)

    target = tmp_path / "config.toml"
    assert init([*argv, "--notify", "ntfy"], target, ask=ask_url) == 0
    assert "must be an https:// URL" in capsys.readouterr().out
    notify = load_config(target).model.notify
    assert (notify.ntfy_url, notify.ntfy_token_command) == ("https://ntfy.example.org/alerts",
                                                            f"cat {token}")


def test_phone_backends_without_a_dialogue(tmp_path, capsys):
    maildir = make_maildir(tmp_path / "Mail")
    base = ["--non-interactive", "--skip-check", "--email", "alex@example.org", "--maildir",
            str(maildir)]
    target = tmp_path / "config.toml"
    assert init([*base, "--notify", "apprise"], target) == 2
    assert "--apprise-urls-command is required" in capsys.readouterr().err
    assert not target.exists()

    assert init([*base, "--notify", "ntfy", "--notify", "apprise", "--notify", "inbox",
                 "--apprise-urls-command", "true"], target) == 0
    out = capsys.readouterr().out
    notify = load_config(target).model.notify
    assert notify.backends == ["ntfy", "apprise", "inbox"]
    assert notify.apprise_urls_command == "true"
    assert notify.ntfy_url.startswith("https://ntfy.sh/appealwatch-")
    assert f"subscribe to the topic {notify.ntfy_url.rpartition('/')[2]}" in out

    assert init([*base, "--force"], target) == 0  # the default without a desktop
    assert load_config(target).model.notify.backends == ["log", "inbox"]


@pytest.mark.parametrize("keep_it", ["", "y"])
def test_login_at_a_terminal_says_so_before_asking_for_the_password(tmp_path, plaintext,
                                                                    monkeypatch, capsys, keep_it):
    config = login_config(tmp_path)
    said: list[str] = []

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    def ask(prompt: str) -> str:
        said.append(capsys.readouterr().out)  # what was printed before the question
        return keep_it

    def password(prompt: str) -> str:
        said.append(prompt)
        return PASSWORD

    monkeypatch.setattr(sys, "stdin", Terminal())
    monkeypatch.setattr("builtins.input", ask)
    monkeypatch.setattr("getpass.getpass", password)
    code = main(["--config", str(config), "login", "work", "--no-check"])
    assert "keeps passwords unencrypted" in said[0] and "password_command" in said[0]
    stored = plaintext.get_password("appealwatch", "work:alex@example.org")
    if keep_it:
        assert code == 0 and stored == PASSWORD
        assert said[1].startswith("Password for alex@example.org")  # asked after the note
    else:
        assert code == 1 and stored is None and len(said) == 1  # the password was not asked
        assert "nothing stored" in capsys.readouterr().out
