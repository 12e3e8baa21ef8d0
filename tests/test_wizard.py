"""`appealwatch init` without a server: the provider table, the defaults, the file it writes, and
whole dialogues over a local Maildir or with the login skipped.  The runs against a real IMAP
server are in tests/integration/test_init.py."""

from __future__ import annotations

import argparse
import io
import os
import stat
import sys
import tomllib
from pathlib import Path

import keyring
import keyring.backend
import pytest
from tests.infra.keyrings import MemoryKeyring

from appealwatch import wizard
from appealwatch.config import load_config
from appealwatch.wizard import configfile, place, servers
from appealwatch.wizard.questions import Answers

NOTIFY_PROMPT = "Notifications: log, desktop, inbox, ntfy, apprise, command (several with commas)"


def init(argv: list[str], config_path: Path | None = None, **kw) -> int:
    parser = argparse.ArgumentParser(prog="appealwatch init")
    wizard.add_arguments(parser)
    return wizard.run(parser.parse_args(argv), config_path, **kw)


@pytest.fixture(autouse=True)
def _no_session(monkeypatch):
    """Defaults that depend on the desktop session or the locale are fixed here."""
    for var in ("DBUS_SESSION_BUS_ADDRESS", "DISPLAY", "WAYLAND_DISPLAY", "LC_ALL", "LC_TIME",
                "LC_MESSAGES"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
    monkeypatch.setenv("TZ", "UTC")  # whatever /etc/localtime says on this machine


@pytest.fixture(autouse=True)
def memory_keyring():
    """An encrypted keyring, as far as the wizard can tell, whatever this machine has."""
    backend = MemoryKeyring()
    old = keyring.get_keyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(old)


@pytest.mark.parametrize(("address", "host", "username"), [
    ("alex@gmail.com", "imap.gmail.com", "alex@gmail.com"),
    ("Alex.Chen@GoogleMail.com", "imap.gmail.com", "Alex.Chen@GoogleMail.com"),
    ("alex@outlook.com", "outlook.office365.com", "alex@outlook.com"),
    ("alex@hotmail.com", "outlook.office365.com", "alex@hotmail.com"),
    ("alex@live.com", "outlook.office365.com", "alex@live.com"),
    ("alex@msn.com", "outlook.office365.com", "alex@msn.com"),
    ("alex@hotmail.co.uk", "outlook.office365.com", "alex@hotmail.co.uk"),
    ("alex@outlook.de", "outlook.office365.com", "alex@outlook.de"),
    ("alex@fastmail.com", "imap.fastmail.com", "alex@fastmail.com"),
    ("alex@fastmail.fm", "imap.fastmail.com", "alex@fastmail.fm"),
    ("alex@icloud.com", "imap.mail.me.com", "alex"),
    ("alex.chen@me.com", "imap.mail.me.com", "alex.chen"),
    ("alex@mac.com", "imap.mail.me.com", "alex"),
    ("alex@yahoo.com", "imap.mail.yahoo.com", "alex@yahoo.com"),
    ("123456@qq.com", "imap.qq.com", "123456@qq.com"),
    ("alex@foxmail.com", "imap.qq.com", "alex@foxmail.com"),
    ("alex@163.com", "imap.163.com", "alex@163.com"),
    ("alex@126.com", "imap.126.com", "alex@126.com"),
])
def test_the_common_providers_are_known(address, host, username):
    guess = servers.guess_server(address)
    assert guess.known
    assert (guess.host, guess.port, guess.tls) == (host, 993, "ssl")
    assert guess.username_for(address) == username
    assert servers.default_account_name(address) == "personal"


@pytest.mark.parametrize(("address", "words"), [
    ("a@gmail.com", ("app password", "OAuth2", "https://mail.google.com/")),
    ("a@outlook.com", ("app password", "OAuth2", "IMAP.AccessAsUser.All")),
    ("a@icloud.com", ("app-specific password", "before the @")),
    ("a@qq.com", ("授权码", "not your QQ password")),
    ("a@163.com", ("授权码",)),
    ("a@fastmail.com", ("app password",)),
    ("a@yahoo.com", ("app password",)),
])
def test_providers_come_with_their_login_advice(address, words):
    advice = servers.guess_server(address).advice
    for word in words:
        assert word in advice


def test_other_domains_get_only_a_suggestion_and_the_microsoft_365_hint():
    guess = servers.guess_server("alex@contoso.com")
    assert not guess.known
    assert (guess.host, guess.port, guess.tls) == ("imap.contoso.com", 993, "ssl")
    assert "outlook.office365.com" in guess.advice and "Microsoft 365" in guess.advice
    assert not servers.guess_server("a@outlook.example.org").known
    assert not servers.guess_server("a@mail.gmail.com.evil.example").known


@pytest.mark.parametrize(("address", "name"), [
    ("alex@example.net", "example"),
    ("alex@mail.example.org", "example"),
    ("alex@example.co.uk", "example"),
    ("alex@Big-Corp.COM", "big-corp"),
    ("alex@bücher.example", "xn--bcher-kva"),
])
def test_account_name_is_the_domains_name(address, name):
    assert servers.default_account_name(address) == name


@pytest.mark.parametrize(("env", "country"), [
    ({"LANG": "de_DE.UTF-8"}, "DE"),
    ({"LANG": "en_GB.UTF-8", "LC_TIME": "zh_CN.UTF-8"}, "CN"),
    ({"LC_ALL": "fr_FR@euro", "LANG": "de_DE.UTF-8"}, "FR"),
    ({"LC_ALL": "C", "LANG": "de_DE.UTF-8"}, "US"),
    ({"LANG": "C.UTF-8"}, "US"),
    ({"LANG": "xx_QQ.UTF-8"}, "US"),
    ({}, "US"),
])
def test_default_country_comes_from_the_locale(env, country):
    assert place.default_country(env) == country


def test_default_timezone_from_tz_then_etc_localtime_then_etc_timezone(tmp_path):
    link = tmp_path / "localtime"
    link.symlink_to("/usr/share/zoneinfo/Asia/Shanghai")
    debian = tmp_path / "timezone"
    debian.write_text("Europe/Paris\n")
    missing = tmp_path / "missing"
    assert place.default_timezone({}, link, debian) == "Asia/Shanghai"
    assert place.default_timezone({"TZ": ":Europe/Berlin"}, link, debian) == "Europe/Berlin"
    assert place.default_timezone({"TZ": "/usr/share/zoneinfo/America/New_York"},
                                  link, debian) == "America/New_York"
    assert place.default_timezone({"TZ": "no such zone"}, link, debian) == "Asia/Shanghai"
    assert place.default_timezone({}, missing, debian) == "Europe/Paris"  # a copied localtime
    assert place.default_timezone({}, missing, missing) == "UTC"
    assert place.system_timezone({}, missing, missing) is None
    utc = tmp_path / "utc"
    utc.symlink_to("../usr/share/zoneinfo/Etc/UTC")
    assert place.default_timezone({}, utc, debian) == "UTC"


@pytest.mark.parametrize("text", ['say "hi"', "back\\slash", "two\nlines", "tab\there",
                                  "bell\x07 del\x7f", "中文 Ünïcode", "", "'single'"])
def test_toml_strings_round_trip(text):
    assert tomllib.loads(f"x = {configfile.toml_str(text)}")["x"] == text


def test_the_written_file_loads_with_every_section(tmp_path):
    ca = tmp_path / "ca.pem"
    ca.write_text("not really a CA\n")
    answers = Answers(
        email="alex@example.net", name='Alex "AC" Chen\\', account="work",
        host="imap.example.net", port=143, tls="starttls", username="alex",
        login_via="command", password_command="sh -c 'printf %s \"$(cat ~/.pw)\"'",
        ca_file=str(ca), country="DE", timezone="Europe/Berlin", notify=["log", "command"],
        notify_command=["notify-send", "--app-name", "it's \"me\""],
        missing_folders=["junk", "drafts"], server_folders=["INBOX", "Müll", "Entwürfe"])
    text = configfile.render_config(answers)
    path = tmp_path / "config.toml"
    path.write_text(text)
    path.chmod(0o600)
    model = load_config(path).model
    acct = model.accounts[0]
    assert model.user.name == 'Alex "AC" Chen\\'
    assert (acct.host, acct.port, acct.tls, acct.username) == ("imap.example.net", 143,
                                                               "starttls", "alex")
    assert acct.password_command == answers.password_command
    assert acct.folders == {}
    assert model.notify.command == answers.notify_command
    assert (model.followup.country, model.followup.timezone) == ("DE", "Europe/Berlin")
    for section in ("[user]", "[mail]", "[[accounts]]", "[state]", "[followup]", "[notify]"):
        assert f"\n{section}\n" in text
    assert '# folders = { junk = "...", drafts = "..." }' in text
    assert "Müll, Entwürfe" in text


# --------------------------------------------------------------------------- dialogues


def make_maildir(root: Path, folders=(".Junk", ".Sent", ".Drafts")) -> Path:
    for folder in ("", *folders):
        for sub in ("cur", "new", "tmp"):
            (root / folder / sub).mkdir(parents=True, exist_ok=True)
    return root


def test_an_interactive_run_over_a_maildir(tmp_path, monkeypatch, capsys):
    maildir = make_maildir(tmp_path / "Mail")
    monkeypatch.setenv("LANG", "de_DE.UTF-8")
    monkeypatch.setenv("TZ", "Europe/Berlin")
    answers = [
        "alex@gmail.com",  # e-mail
        "Alex Chen",  # name
        "maildir",  # IMAP or Maildir
        "",  # account name: the default, "personal"
        str(maildir),  # the Maildir
        "",  # country: the default from LANG
        "",  # time zone: the default from TZ
        "",  # notifications: the default (no desktop here: log and a note in the INBOX)
        "n",  # no service
    ]
    monkeypatch.setattr(sys, "stdin", io.StringIO("".join(f"{a}\n" for a in answers)))
    target = tmp_path / "new" / "dir" / "config.toml"
    assert init([], target) == 0
    out = capsys.readouterr().out
    assert "FAIL" not in out and "all checks passed" in out
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert stat.S_IMODE(target.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(target.parent.parent.stat().st_mode) == 0o700
    model = load_config(target).model
    assert (model.user.name, model.user.email) == ("Alex Chen", "alex@gmail.com")
    (acct,) = model.accounts
    assert (acct.name, acct.maildir, acct.host) == ("personal", str(maildir), None)
    assert (model.followup.country, model.followup.timezone) == ("DE", "Europe/Berlin")
    assert model.notify.backends == ["log", "inbox"]
    assert not (Path(os.environ["XDG_CONFIG_HOME"]) / "systemd").exists()


def test_every_question_goes_through_ask(tmp_path):
    secret_file = tmp_path / "pw"
    secret_file.write_text("pw\n")
    answers = iter(["alex@icloud.com", "", "imap", "y", "", "", "command",
                    f"cat {secret_file}", "", "", "", "n"])
    asked: list[tuple[str, str | None]] = []

    def ask(prompt: str, default: str | None) -> str:
        asked.append((prompt, default))
        return next(answers) or (default or "")

    def no_secret(prompt: str) -> str:
        raise AssertionError("no password is typed when a command prints it")

    target = tmp_path / "config.toml"
    assert init(["--skip-check"], target, ask=ask, read_secret=no_secret) == 0
    prompts = dict(asked)
    assert prompts["A short name for this account"] == "personal"
    assert prompts["Use imap.mail.me.com:993? (y/n)"] == "y"
    assert prompts["Username"] == "alex"  # iCloud: the part before the @
    assert prompts["Country whose public holidays are not business days"] == "US"
    # no desktop session: the note in the INBOX reaches a phone and needs nothing
    assert prompts[NOTIFY_PROMPT] == "log, inbox"
    assert asked[-1][0].strip().startswith("Install the systemd user service")
    acct = load_config(target).model.accounts[0]
    assert (acct.host, acct.port, acct.tls, acct.username) == ("imap.mail.me.com", 993, "ssl",
                                                               "alex")
    assert acct.password_command == f"cat {secret_file}"


def test_a_bad_answer_is_asked_again(tmp_path, capsys):
    answers = iter(["not an address", "alex@example.org", "", "imap", "imap.example.org",
                    "starttls", "", "", "mine!", "mine", "oauth2", "no-such-program-xyz",
                    "true", "XX", "DE", "Mars/Base", "UTC", "log, pager", "log", "n"])

    def ask(prompt: str, default: str | None) -> str:
        return next(answers) or (default or "")

    target = tmp_path / "config.toml"
    assert init(["--skip-check"], target, ask=ask) == 0
    out = capsys.readouterr().out
    for problem in ("is not an e-mail address", "use letters, digits", "is not found",
                    "not a country", "not a time zone", "unknown: pager"):
        assert problem in out
    model = load_config(target).model
    acct = model.accounts[0]
    assert (acct.name, acct.host, acct.port, acct.tls) == ("mine", "imap.example.org", 143,
                                                           "starttls")
    assert acct.oauth2_token_command == "true" and acct.password_command is None
    assert (model.followup.country, model.followup.timezone) == ("DE", "UTC")


def test_stdin_ending_early_names_the_option_and_writes_nothing(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.StringIO("alex@example.org\n"))
    target = tmp_path / "config.toml"
    assert init([], target) == 2
    err = capsys.readouterr().err
    assert "standard input ended" in err and "--name" in err
    assert not target.exists() and list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(("argv", "words"), [
    (["--email", "alex"], ("--email", "not an e-mail address")),
    (["--email", "a@example.org", "--maildir", "/x", "--host", "h"], ("--maildir", "--host")),
    (["--email", "a@example.org", "--maildir", "/x", "--country", "XX"], ("--country",)),
    (["--email", "a@example.org", "--maildir", "/x", "--timezone", "Mars/Base"],
     ("--timezone",)),
    (["--email", "a@example.org", "--maildir", "/x", "--notify", "command"],
     ("--notify-command",)),
    (["--email", "a@example.org", "--maildir", "/x", "--account-name", "a b"],
     ("--account-name",)),
    (["--email", "a@example.org", "--host", "h", "--password-command", "no-such-prog-xyz"],
     ("--password-command", "not found")),
    (["--email", "a@example.org", "--host", "h", "--password-command", "x", "--ca-file",
      "/nonexistent/ca.pem"], ("--ca-file", "no such file")),
])
def test_bad_options_exit_2_naming_the_option(tmp_path, capsys, argv, words):
    target = tmp_path / "config.toml"
    assert init(["--non-interactive", "--skip-check", *argv], target) == 2
    err = capsys.readouterr().err
    for word in words:
        assert word in err
    assert not target.exists()


# --------------------------------------------------------------------------- country and zone


@pytest.fixture
def system(tmp_path):
    """Where the system's time zone is read: a /etc/localtime link and no /etc/timezone."""
    def zone(name: str | None) -> tuple[Path, Path]:
        link = tmp_path / f"localtime-{(name or 'none').replace('/', '-')}"
        if name is not None and not link.is_symlink():
            link.symlink_to(f"/usr/share/zoneinfo/{name}")
        return link, tmp_path / "no-etc-timezone"
    return zone


@pytest.mark.parametrize(("address", "zone", "lang", "country", "timezone", "because"), [
    # the case: a 163.com address on a machine left on UTC
    ("alex@163.com", "Etc/UTC", "en_US.UTF-8", "CN", "Asia/Shanghai", "your address (163.com)"),
    ("alex@qq.com", None, "C.UTF-8", "CN", "Asia/Shanghai", "your address (qq.com)"),
    ("alex@foxmail.com", "UTC", "C.UTF-8", "CN", "Asia/Shanghai", "your address"),
    ("alex@aliyun.com", "Etc/UTC", "C.UTF-8", "CN", "Asia/Shanghai", "your address"),
    ("alex@126.com", "Etc/UTC", "de_DE.UTF-8", "CN", "Asia/Shanghai", "your address"),
    # a zone someone chose says the most
    ("alex@gmail.com", "Asia/Shanghai", "en_US.UTF-8", "CN", "Asia/Shanghai", "time zone"),
    ("alex@163.com", "America/New_York", "C.UTF-8", "US", "America/New_York", "time zone"),
    ("alex@gmail.com", "Europe/Berlin", "C.UTF-8", "DE", "Europe/Berlin", "time zone"),
    ("alex@gmail.com", "PRC", "C.UTF-8", "CN", "PRC", "time zone PRC"),  # a link
    ("alex@gmail.com", "US/Eastern", "C.UTF-8", "US", "US/Eastern", "time zone"),
    # a country-code domain, then the locale
    ("alex@firma.de", "Etc/UTC", "C.UTF-8", "DE", "Europe/Berlin", "your address"),
    ("alex@example.co.uk", "Etc/UTC", "C.UTF-8", "GB", "Europe/London", "your address"),
    ("alex@yahoo.co.jp", "Etc/UTC", "C.UTF-8", "JP", "Asia/Tokyo", "your address"),
    ("alex@startup.io", "Etc/UTC", "C.UTF-8", "US", "UTC", ""),
    ("alex@gmail.com", "Etc/UTC", "de_DE.UTF-8", "DE", "Europe/Berlin", "the locale"),
    ("alex@example.com.br", "Etc/UTC", "C.UTF-8", "BR", "UTC", "your address"),  # many zones
    ("alex@gmail.com", "Etc/UTC", "C.UTF-8", "US", "UTC", ""),
])
def test_country_and_zone_from_the_system_zone_the_address_and_the_locale(
        system, address, zone, lang, country, timezone, because):
    guess = place.guess_place(address, {"LANG": lang}, *system(zone))
    assert (guess.country, guess.timezone) == (country, timezone)
    assert because in guess.country_from and bool(because) == bool(guess.country_from)


def test_tz_overrides_the_system_files(system):
    guess = place.guess_place("alex@163.com", {"TZ": "Europe/Paris"}, *system("Asia/Shanghai"))
    assert (guess.country, guess.timezone) == ("FR", "Europe/Paris")


def test_zone_country_reads_the_tz_database():
    assert place.zone_country("Asia/Shanghai") == "CN"
    assert place.zone_country("Asia/Chongqing") == "CN"  # a link to Asia/Shanghai
    assert place.zone_country("Europe/Busingen") == "DE"
    assert place.zone_country("UTC") is None and place.zone_country("Etc/GMT+5") is None
    assert place.country_zone("JP") == "Asia/Tokyo" and place.country_zone("CN") == "Asia/Shanghai"
    assert place.country_zone("US") is None and place.country_zone("RU") is None


def test_a_163_address_on_a_utc_server_is_asked_with_china_as_the_default(tmp_path, capsys):
    maildir = make_maildir(tmp_path / "Mail")
    asked: dict[str, str | None] = {}

    def ask(prompt: str, default: str | None) -> str:
        asked[prompt] = default
        return {"Your e-mail address": "lin@163.com",
                "Read mail from an IMAP server or from a local Maildir (imap/maildir)": "maildir",
                "The Maildir's folder": str(maildir),
                "Install the systemd user service (runs appealwatch whenever you are logged "
                "in)? (y/n)": "n"}.get(prompt.strip(), default or "")

    target = tmp_path / "config.toml"
    assert init(["--skip-check"], target, ask=ask) == 0
    assert asked["Country whose public holidays are not business days"] == "CN"
    assert asked["Your time zone"] == "Asia/Shanghai"
    out = capsys.readouterr().out
    assert "country CN: from your address (163.com)" in out
    assert "time zone Asia/Shanghai: from your address (163.com)" in out
    model = load_config(target).model
    assert (model.followup.country, model.followup.timezone) == ("CN", "Asia/Shanghai")
