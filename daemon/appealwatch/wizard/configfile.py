"""The config file `appealwatch init` writes: every section with short comments, checked by
loading it before it is put in place, mode 0600 in a 0700 folder."""

from __future__ import annotations

import os
import shlex
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from appealwatch.wizard.dialogue import EXIT_FAILURE, WizardError
from appealwatch.wizard.questions import Answers


def toml_str(value: str) -> str:
    """A TOML basic string."""
    out = []
    for ch in value:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _toml_list(values: Sequence[str]) -> str:
    return "[" + ", ".join(toml_str(v) for v in values) + "]"


def render_config(a: Answers, today: date | None = None) -> str:
    """The config file for ``a``: every section, with short comments."""
    day = (today or date.today()).isoformat()
    acct = [
        "# One [[accounts]] table per mailbox: `host` for IMAP or `maildir` for a local Maildir.",
        "# Add more tables for more mailboxes.",
        "[[accounts]]",
        "# A short name used on the command line and in logs.",
        f"name = {toml_str(a.account)}",
    ]
    if a.maildir:
        acct += [
            "# A Maildir++ tree kept by your sync tool: the root is INBOX; .Junk, .Sent, .Drafts",
            f"maildir = {toml_str(a.maildir)}",
        ]
    else:
        acct += [
            f"host = {toml_str(a.host or '')}",
            f"port = {a.port}",
            '# "ssl" (implicit TLS) or "starttls"; certificates are always verified.',
            f"tls = {toml_str(a.tls)}",
            f"username = {toml_str(a.username)}",
        ]
        q = shlex.quote(a.account)
        if a.login_via == "command":
            acct += ["# The password is what this command prints (it is never stored here).",
                     f"password_command = {toml_str(a.password_command or '')}"]
        elif a.login_via == "oauth2":
            acct += ["# An OAuth2 access token (XOAUTH2) is what this command prints.",
                     f"oauth2_token_command = {toml_str(a.oauth2_token_command or '')}"]
        else:
            acct += [f"# The password is in the OS keyring (`appealwatch login {q}` changes "
                     "it).", "# Or let a command print it:",
                     '# password_command = "pass show mail/' + a.account + '"']
        if a.ca_file:
            acct += ["# Also trust this private CA (PEM).", f"ca_file = {toml_str(a.ca_file)}"]
        else:
            acct += ['# ca_file = "/etc/ssl/private-ca.pem"   # a server with a private CA']
        acct += ["# How far back the first scan reads existing mail.", "lookback_days = 180"]
    acct += [
        "# The address you use on this account, when it differs from [user] email.",
        "# email = " + toml_str(a.email),
    ]
    if a.missing_folders:
        missing = ", ".join(a.missing_folders)
        hint = ", ".join(f'{r} = "..."' for r in a.missing_folders)
        acct += [f"# Not found when this file was written: {missing}.  Put the exact folder "
                 "names here"]
        if a.server_folders:
            acct += ["# (the server has: " + ", ".join(a.server_folders) + ")"]
        acct += ["# and remove the '#':", f"# folders = {{ {hint} }}"]
    else:
        acct += ["# Folders are found by their special-use flags or usual names; name one only if",
                 "# it is not found, e.g.:",
                 '# folders = { junk = "Spam" }']

    notify = [
        "[notify]",
        '# Where notifications go: "log" (stderr / the journal), "desktop" (the notification',
        '# service of your session), "inbox" (a short note in the INBOX, which your phone\'s mail',
        '# app shows), "ntfy" (a push to the ntfy app), "apprise" (Telegram, Matrix, Signal, ...;',
        "# pip install 'appealwatch[push]'), \"command\" (runs `command` with the event as JSON on",
        "# stdin).  `appealwatch doctor --notify` sends a test through each.",
        f"backends = {_toml_list(a.notify)}",
        "# The program the command backend runs, as a list: program and arguments.",
        f"command = {_toml_list(a.notify_command)}" if a.notify_command
        else '# command = ["notify-send-json"]',
        "# The ntfy topic (https://; subscribe to it in the ntfy app; anyone who knows it can",
        "# read it) and, for a protected topic, a command that prints the access token.",
        f"ntfy_url = {toml_str(a.ntfy_url)}" if a.ntfy_url
        else '# ntfy_url = "https://ntfy.sh/a-topic-only-you-know"',
        f"ntfy_token_command = {toml_str(a.ntfy_token_command)}" if a.ntfy_token_command
        else '# ntfy_token_command = "pass show ntfy-token"',
        "# A command that prints the apprise URLs, one per line (they carry tokens).",
        f"apprise_urls_command = {toml_str(a.apprise_urls_command)}" if a.apprise_urls_command
        else '# apprise_urls_command = "pass show appealwatch/apprise"',
    ]

    lines = [
        f"# appealwatch configuration, written by `appealwatch init` on {day}.",
        "#",
        "# Every key is described in appealwatch.example.toml (config/ in the source tree).  Keep",
        "# this file private (chmod 600).  Secrets never go in it: passwords live in the OS",
        "# keyring or come from a password_command.  `appealwatch doctor` checks it; after a",
        "# change, `systemctl --user reload appealwatch` makes the service read it again.",
        "",
        "[user]",
        "# Your name and address: drafts are written From this address and signed with this name.",
        f"name = {toml_str(a.name)}",
        f"email = {toml_str(a.email)}",
        '# Language of drafts: "auto" follows the notice\'s language; "en" or "zh" forces one.',
        'language = "auto"',
        "",
        "[mail]",
        "# Authentication-Results headers are trusted only from these authserv-ids (your",
        '# receiving server, e.g. "mx.google.com"); when empty, only the topmost one is read.',
        "trusted_authserv_ids = []",
        "",
        *acct,
        "",
        "[state]",
        "# The SQLite state file (mode 0600).  Default: $XDG_STATE_HOME/appealwatch/state.sqlite3",
        '# path = "~/.local/state/appealwatch/state.sqlite3"',
        "",
        "[followup]",
        "# A follow-up draft is due after this many business days without an answer.",
        "after_business_days = 3",
        "# At most this many follow-ups per case; the gaps grow (3, then 6 business days).",
        "max_followups = 2",
        "# Public holidays of this country (ISO 3166 code) are not business days.",
        f"country = {toml_str(a.country)}",
        '# A state or province for regional holidays, e.g. "CA" in the US.',
        '# subdivision = "CA"',
        "# Your time zone: business days and due times are counted in it.",
        f"timezone = {toml_str(a.timezone)}",
        "# The time of day at which a follow-up falls due.",
        'due_time = "09:00"',
        "",
        *notify,
        "",
        "# Teach it a provider the built-in rules do not know (see the README):",
        "# [providers.acme]",
        '# name = "Acme Cloud"',
        '# domains = ["acme.example"]          # genuine sender domains (sub-domains included)',
        '# support = "appeals@acme.example"    # where appeals go',
        "",
    ]
    return "\n".join(lines)


def _make_private_dirs(directory: Path) -> None:
    missing = []
    while not directory.exists():
        missing.append(directory)
        directory = directory.parent
    for d in reversed(missing):
        d.mkdir(mode=0o700, exist_ok=True)


def _write_private(path: Path, data: bytes, *, exclusive: bool) -> None:
    flags = os.O_WRONLY | os.O_CREAT | (os.O_EXCL if exclusive else os.O_TRUNC)
    fd = os.open(path, flags | getattr(os, "O_CLOEXEC", 0), 0o600)
    with os.fdopen(fd, "wb") as fh:
        os.fchmod(fh.fileno(), 0o600)
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def write_config(path: Path, text: str, *, force: bool) -> Any:
    """Write ``text`` to ``path`` (0600, parents 0700) once it loads; return the Config.

    An existing file is replaced only with ``force`` and kept as ``<name>.bak``.
    """
    from appealwatch.config import ConfigError, load_config

    _make_private_dirs(path.parent)
    tmp = path.with_name(f".{path.name}.init-{os.getpid()}")
    _write_private(tmp, text.encode("utf-8"), exclusive=False)
    try:
        try:
            load_config(tmp)
        except ConfigError as exc:
            raise WizardError("the configuration built from your answers is refused:\n"
                              + "\n".join(f"  {p}" for p in exc.problems)) from None
        if path.exists():
            if not force:
                raise exists_error(path)
            _write_private(path.with_name(path.name + ".bak"), path.read_bytes(),
                           exclusive=False)
            os.replace(tmp, path)
        else:
            try:
                os.link(tmp, path)  # fails if someone created the file meanwhile
            except FileExistsError:
                raise exists_error(path) from None
            except OSError:  # a file system without hard links
                os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    try:
        return load_config(path)
    except ConfigError as exc:
        raise WizardError(f"the written configuration does not load: {exc.describe()}",
                          EXIT_FAILURE) from None


def exists_error(path: Path) -> WizardError:
    return WizardError(f"{path} already exists; not replacing it (run init again with --force "
                       f"to replace it; the old file is then kept as {path.name}.bak)",
                       EXIT_FAILURE)


def target_path(config_path: Path | None) -> Path:
    """Where the config goes: the given path, $APPEALWATCH_CONFIG, else the XDG default."""
    from appealwatch.config import default_config_path

    if config_path is not None:
        return Path(config_path).expanduser()
    env = os.environ.get("APPEALWATCH_CONFIG")
    return Path(env).expanduser() if env else default_config_path()
