"""The questions of `appealwatch init` about the user and the account: the address, the
server, how the password is found, the country and the time zone."""

from __future__ import annotations

import argparse
import os
import pwd
import re
import shlex
import shutil
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

from appealwatch.initoptions import port
from appealwatch.wizard.dialogue import MAX_ATTEMPTS, Dialogue, WizardError
from appealwatch.wizard.place import guess_place, supported_countries, zone_ok
from appealwatch.wizard.servers import (
    ServerGuess,
    default_account_name,
    email_domain,
    guess_server,
    is_email,
)


def default_name() -> str:
    """The full name in the password database, if there is one."""
    try:
        entry = pwd.getpwuid(os.getuid())
    except KeyError:
        return ""
    name = entry.pw_gecos.split(",")[0].strip()
    return "" if name in (entry.pw_name, "root") else name


@dataclass
class Answers:
    email: str = ""
    name: str = ""
    account: str = ""
    maildir: str | None = None
    host: str | None = None
    port: int | None = None
    tls: str = "ssl"
    username: str = ""
    login_via: str = "keyring"  # keyring | command | oauth2
    password: str | None = field(default=None, repr=False)
    password_command: str | None = None
    oauth2_token_command: str | None = None
    ca_file: str | None = None
    country: str = "US"
    timezone: str = "UTC"
    notify: list[str] = field(default_factory=lambda: ["log"])
    notify_command: list[str] | None = None
    ntfy_url: str | None = None
    ntfy_token_command: str | None = None
    apprise_urls_command: str | None = None
    missing_folders: list[str] = field(default_factory=list)
    server_folders: list[str] = field(default_factory=list)


def check_email(text: str) -> str | None:
    return None if is_email(text) else f"{text!r} is not an e-mail address"


def check_account(text: str) -> str | None:
    if re.fullmatch(r"[A-Za-z0-9_.@+-]+", text):
        return None
    return f"{text!r}: use letters, digits and . _ @ + - only"


def check_host(text: str) -> str | None:
    if re.fullmatch(r"[A-Za-z0-9._:-]+|\[[0-9A-Fa-f:.]+\]", text):
        return None
    return f"{text!r} is not a host name"


def check_port(text: str) -> str | None:
    try:
        port(text)
    except argparse.ArgumentTypeError as exc:
        return str(exc)
    return None


def check_command(text: str) -> str | None:
    try:
        argv = shlex.split(text)
    except ValueError as exc:
        return f"cannot be split into words ({exc}); check the quoting"
    if not argv:
        return "an empty command"
    if shutil.which(argv[0]) is None:
        return f"the program {argv[0]!r} is not found"
    return None


def check_country(text: str) -> str | None:
    if text.upper() in supported_countries():
        return None
    return (f"{text!r} is not a country the holidays library knows (an ISO 3166 code such "
            "as US, GB, DE, CN)")


def check_zone(text: str) -> str | None:
    return None if zone_ok(text) else f"{text!r} is not a time zone (e.g. Europe/Berlin, UTC)"


def check_file(text: str) -> str | None:
    return None if Path(text).expanduser().is_file() else f"no such file: {text}"


def absolute(path: str) -> str:
    return path if path.startswith("~") else os.path.abspath(path)


def collect(args: argparse.Namespace, d: Dialogue, password: str | None) -> Answers:
    a = Answers()
    a.email = d.value(args.email, "--email", "Your e-mail address", None, check=check_email,
                      what="your e-mail address")
    a.name = d.value(args.name, "--name", "Your name (drafts are signed with it)",
                     default_name() or None, required=False)
    imap_given = [f for f, v in (("--host", args.host), ("--port", args.port),
                                 ("--tls", args.tls), ("--username", args.username),
                                 ("--password-stdin", args.password_stdin or None),
                                 ("--password-command", args.password_command),
                                 ("--oauth2-token-command", args.oauth2_token_command),
                                 ("--ca-file", args.ca_file)) if v is not None]
    if args.maildir is not None and imap_given:
        raise WizardError(f"--maildir reads a local Maildir; {', '.join(imap_given)} "
                          "belong to an IMAP account: give one or the other")
    if args.maildir is not None or imap_given:
        kind = "maildir" if args.maildir is not None else "imap"
    elif d.interactive:
        kind = d.choose("Read mail from an IMAP server or from a local Maildir",
                        ("imap", "maildir"), "imap", "--host or --maildir")
    else:
        kind = "imap"
    if kind == "imap":
        _server(args, d, a, guess_server(a.email))
    a.account = d.value(args.account_name, "--account-name",
                        "A short name for this account", default_account_name(a.email),
                        check=check_account)
    if kind == "maildir":
        a.maildir = absolute(d.value(args.maildir, "--maildir", "The Maildir's folder",
                                     f"~/Mail/{a.account}"))
    else:
        _secret(args, d, a, password)
    return a


def ask_place(args: argparse.Namespace, d: Dialogue, a: Answers) -> None:
    """The country and the time zone, asked with the guesses of :mod:`.place` as defaults."""
    guess = guess_place(a.email)
    if args.country is None and guess.country_from:
        print(f"country {guess.country}: from {guess.country_from}")
    a.country = d.value(args.country, "--country", "Country whose public holidays are not "
                        "business days", guess.country, check=check_country).upper()
    if args.timezone is None and guess.timezone_from and guess.timezone_from != "the system's":
        print(f"time zone {guess.timezone}: from {guess.timezone_from}")
    a.timezone = d.value(args.timezone, "--timezone", "Your time zone", guess.timezone,
                         check=check_zone)


def _server(args: argparse.Namespace, d: Dialogue, a: Answers, guess: ServerGuess) -> None:
    if guess.known:
        print(f"{guess.provider}: IMAP server {guess.host}, port {guess.port}, TLS ({guess.tls})")
    if guess.advice:
        print(textwrap.fill(guess.advice, width=98, initial_indent="  ",
                            subsequent_indent="  ", break_on_hyphens=False,
                            break_long_words=False))
    use_guess = False
    if args.host is None and guess.known and args.port is None and args.tls is None:
        use_guess = not d.interactive or d.confirm(f"Use {guess.host}:{guess.port}?", True,
                                                   "--host")
    if use_guess:
        a.host, a.port, a.tls = guess.host, guess.port, guess.tls
    else:
        a.host = d.value(args.host, "--host", "IMAP server",
                         guess.host if d.interactive else None, check=check_host,
                         what=f"the IMAP server of {email_domain(a.email)} cannot be guessed")
        same = a.host == guess.host
        if args.tls is not None:
            a.tls = args.tls
        elif args.port is None and d.interactive:
            a.tls = d.choose("Encryption: ssl (implicit TLS, port 993) or starttls (port 143)",
                             ("ssl", "starttls"), guess.tls if same else "ssl", "--tls")
        else:
            a.tls = guess.tls if same else ("starttls" if args.port == 143 else "ssl")
        default_port = guess.port if same and a.tls == guess.tls else (
            993 if a.tls == "ssl" else 143)
        a.port = int(d.value(args.port, "--port", "Port", str(default_port), check=check_port))
    a.username = d.value(args.username, "--username", "Username",
                         guess.username_for(a.email) if a.host == guess.host else a.email)
    if args.ca_file is not None:
        a.ca_file = absolute(d.value(args.ca_file, "--ca-file", "", None, check=check_file))


def _secret(args: argparse.Namespace, d: Dialogue, a: Answers, password: str | None) -> None:
    from appealwatch.secrets import PLAINTEXT_ADVICE, unencrypted_keyring

    flags = "--password-stdin, --password-command or --oauth2-token-command"
    if args.password_command is not None:
        a.login_via = "command"
        a.password_command = d.value(args.password_command, "--password-command", "", None,
                                     check=check_command)
        return
    if args.oauth2_token_command is not None:
        a.login_via = "oauth2"
        a.oauth2_token_command = d.value(args.oauth2_token_command, "--oauth2-token-command",
                                         "", None, check=check_command)
        return
    if password is None and not d.interactive:
        raise WizardError(f"{flags} is required with --non-interactive (how to get the password)")
    plaintext = None if args.allow_plaintext_keyring else unencrypted_keyring()
    if password is not None and plaintext is None:
        a.login_via, a.password = "keyring", password
        return
    if password is not None and not d.interactive:
        raise WizardError(f"--password-stdin: {PLAINTEXT_ADVICE.format(keyring=plaintext)}. "
                          "Give --password-command instead, or add --allow-plaintext-keyring "
                          "to store it there anyway")
    if plaintext:
        print(textwrap.fill("Note: " + PLAINTEXT_ADVICE.format(keyring=plaintext) + ".",
                            width=98, break_on_hyphens=False, break_long_words=False))
    if password is not None:  # --password-stdin in a dialogue, and the keyring is a plain file
        via = "keyring" if d.confirm("Store the password there anyway?", False,
                                     "--allow-plaintext-keyring") else "command"
    else:
        print("The password: keyring  you type it now; it is kept in your OS keyring\n"
              "              command  a command prints it (e.g. pass show mail/work)\n"
              "              oauth2   a command prints an OAuth2 access token")
        via = d.choose("How should appealwatch get the password",
                       ("keyring", "command", "oauth2"), "command" if plaintext else "keyring",
                       flags)
        if via == "keyring" and plaintext and not d.confirm(
                "Store it unencrypted anyway?", False, "--allow-plaintext-keyring"):
            via = "command"
    a.login_via = via
    if via == "command":
        a.password_command = d.value(None, "--password-command",
                                     "Command that prints the password", None,
                                     check=check_command)
    elif via == "oauth2":
        a.oauth2_token_command = d.value(None, "--oauth2-token-command",
                                         "Command that prints an access token", None,
                                         check=check_command)
    else:
        a.password = password if password is not None else ask_password(d, a)


def ask_password(d: Dialogue, a: Answers) -> str:
    for _ in range(MAX_ATTEMPTS):
        password = d.secret(f"Password for {a.username} at {a.host}", "--password-stdin")
        if password:
            return password
        print("  an empty password cannot be stored")
    raise WizardError("no password given")


