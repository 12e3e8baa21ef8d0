"""`appealwatch init`: ask a few questions, check the login, write a commented config.

Every answer can also be given as an option, so the same path runs unattended
(``--non-interactive``: a missing answer is an error naming its option).  All questions go
through one ``ask(prompt, default) -> answer`` function and the password through one
``read_secret(prompt) -> str``, so tests (and other front ends) can drive the dialogue.

The order: the e-mail address, the server (guessed from the address for the common providers),
the secret, a login that lists the folders, the config file (0600, verified with
:func:`appealwatch.config.load_config` before it is put in place), the doctor's checks, and the
systemd user unit if wanted.  The password goes only to the OS keyring, never into the file.

Exit status: 0 done; 1 the config was written but something does not work yet (the login, a
doctor check, the keyring, the service unit) or an existing config was not replaced; 2 a bad or
missing answer.
"""

from __future__ import annotations

import argparse
import getpass
import os
import pwd
import re
import shlex
import shutil
import sys
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2
MAX_ATTEMPTS = 3  # a question asked again after a bad answer, at most this often
ROLES = ("inbox", "junk", "sent", "drafts")
NOTIFY_BACKENDS = ("log", "command", "desktop")

Ask = Callable[[str, str | None], str]
ReadSecret = Callable[[str], str]


class WizardError(Exception):
    """A problem stated in one sentence; ``exit_code`` 2 for a bad or missing answer."""

    def __init__(self, message: str, exit_code: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.exit_code = exit_code


# --------------------------------------------------------------------------- server guesses


@dataclass(frozen=True)
class ServerGuess:
    """Where a mail address's IMAP server probably is.

    ``provider`` is None when the host is only ``imap.<domain>``, a guess to be confirmed.
    ``username`` is "address" (the whole address) or "local" (the part before the @).
    """

    provider: str | None
    host: str
    port: int = 993
    tls: str = "ssl"
    username: str = "address"
    advice: str = ""

    @property
    def known(self) -> bool:
        return self.provider is not None

    def username_for(self, email: str) -> str:
        return email.partition("@")[0] if self.username == "local" else email


_GMAIL = ServerGuess(
    "Gmail", "imap.gmail.com",
    advice="With 2-Step Verification turned on, create an app password (Google Account → "
    "Security → App passwords) and give it instead of your normal password; or use OAuth2 with "
    "--oauth2-token-command, a program that prints an access token for the scope "
    "https://mail.google.com/ (for example oama).")
_OUTLOOK = ServerGuess(
    "Outlook.com", "outlook.office365.com",
    advice="With two-step verification, create an app password (Microsoft account → "
    "Security → Advanced security options). Where Microsoft has turned password logins off "
    "(work accounts, and more and more personal ones), use OAuth2: --oauth2-token-command with "
    "a program that prints a token for the scope "
    "https://outlook.office.com/IMAP.AccessAsUser.All (for example oama or mutt_oauth2.py).")
_FASTMAIL = ServerGuess(
    "Fastmail", "imap.fastmail.com",
    advice="Create an app password with IMAP access (Settings → Privacy & Security → "
    "Manage app passwords).")
_ICLOUD = ServerGuess(
    "iCloud Mail", "imap.mail.me.com", username="local",
    advice="Create an app-specific password at appleid.apple.com (Sign-In and Security → "
    "App-Specific Passwords); the username is the part of your address before the @.")
_YAHOO = ServerGuess(
    "Yahoo Mail", "imap.mail.yahoo.com",
    advice="Generate an app password (Account Info → Account Security → Generate app "
    "password); your normal password does not work over IMAP.")
_QQ = ServerGuess(
    "QQ Mail", "imap.qq.com",
    advice="Turn on the IMAP service (Settings → Account → POP3/IMAP/SMTP service) and "
    "give the authorisation code (授权码) it shows, not your QQ password.")


def _netease(host: str) -> ServerGuess:
    return ServerGuess(
        "NetEase Mail", host,
        advice="Turn on IMAP/SMTP in the web mail's settings and give the client "
        "authorisation code (客户端授权码) it shows, not your password.")


PROVIDERS: dict[str, ServerGuess] = {
    "gmail.com": _GMAIL, "googlemail.com": _GMAIL,
    "outlook.com": _OUTLOOK, "hotmail.com": _OUTLOOK, "live.com": _OUTLOOK, "msn.com": _OUTLOOK,
    "fastmail.com": _FASTMAIL, "fastmail.fm": _FASTMAIL,
    "icloud.com": _ICLOUD, "me.com": _ICLOUD, "mac.com": _ICLOUD,
    "yahoo.com": _YAHOO, "ymail.com": _YAHOO, "rocketmail.com": _YAHOO,
    "qq.com": _QQ, "vip.qq.com": _QQ, "foxmail.com": _QQ,
    "163.com": _netease("imap.163.com"), "126.com": _netease("imap.126.com"),
    "yeah.net": _netease("imap.yeah.net"),
}
# Microsoft's consumer domains exist under many country suffixes (hotmail.co.uk, outlook.de, ...)
_MICROSOFT_BRANDS = ("hotmail", "outlook", "live")
_SHORT_SUFFIX = re.compile(r"[a-z]{2,3}(\.[a-z]{2,3})?")

_UNKNOWN_ADVICE = (
    "{domain} is not a provider appealwatch knows, so imap.{domain} is only a guess. Mail hosted "
    "by Microsoft 365 (Exchange Online) uses outlook.office365.com (usually with OAuth2: "
    "--oauth2-token-command); Google Workspace uses imap.gmail.com. Your provider's help pages "
    "name the IMAP server.")


def email_domain(email: str) -> str:
    return email.rpartition("@")[2].strip().lower().rstrip(".")


def guess_server(email: str) -> ServerGuess:
    """The IMAP server for ``email``: a known provider's, else ``imap.<domain>`` (unconfirmed)."""
    domain = email_domain(email)
    if domain in PROVIDERS:
        return PROVIDERS[domain]
    brand, _, suffix = domain.partition(".")
    if brand in _MICROSOFT_BRANDS and _SHORT_SUFFIX.fullmatch(suffix):
        return _OUTLOOK
    return ServerGuess(None, f"imap.{domain}", advice=_UNKNOWN_ADVICE.format(domain=domain))


def is_email(text: str) -> bool:
    return bool(re.fullmatch(r"[^@\s]+@[^@\s.]+(\.[^@\s.]+)+\.?", text))


_SECOND_LEVEL = frozenset({"co", "com", "net", "org", "ac", "edu", "gov", "ne", "or"})


def default_account_name(email: str) -> str:
    """"personal" for a provider's own address (gmail.com, qq.com, ...), else the name of the
    domain (alex@mail.example.co.uk -> "example")."""
    domain = email_domain(email)
    if guess_server(email).known:
        return "personal"
    labels = [x for x in domain.split(".") if x]
    if len(labels) >= 3 and labels[-2] in _SECOND_LEVEL and len(labels[-1]) == 2:
        labels = labels[:-1]
    label = labels[-2] if len(labels) >= 2 else (labels[0] if labels else "")
    try:
        label = label.encode("idna").decode("ascii")
    except UnicodeError:
        label = ""
    label = re.sub(r"[^a-z0-9_.+-]", "-", label.lower()).strip("-")
    return label or "mail"


# --------------------------------------------------------------------------- other defaults


def _supported_countries() -> dict[str, Any]:
    import holidays  # deferred: large

    return holidays.list_supported_countries()


def default_country(environ: os._Environ[str] | dict[str, str] | None = None) -> str:
    """The country of the locale (LC_ALL, LC_TIME, LC_MESSAGES, LANG: de_DE.UTF-8 -> DE), if
    the holidays library knows it; else US."""
    env = os.environ if environ is None else environ
    for var in ("LC_ALL", "LC_TIME", "LC_MESSAGES", "LANG"):
        value = env.get(var, "")
        if not value:
            continue
        m = re.match(r"[a-z]{2,3}_([A-Za-z]{2})(?:[.@]|$)", value)
        if m and m.group(1).upper() in _supported_countries():
            return m.group(1).upper()
        if m or value.split(".")[0] in ("C", "POSIX"):
            break  # the locale that is in force names no usable country
    return "US"


def _zone_ok(name: str) -> bool:
    from zoneinfo import ZoneInfo

    if not name or name.startswith("/") or ".." in name:
        return False
    try:
        ZoneInfo(name)
    except Exception:
        return False
    return True


_UTC_ALIASES = frozenset({"Etc/UTC", "Etc/Universal", "Etc/Zulu", "Etc/UCT", "Universal", "Zulu",
                          "UCT", "Etc/GMT", "GMT", "Etc/Greenwich", "Greenwich", "Etc/GMT0",
                          "GMT0", "Etc/GMT+0", "Etc/GMT-0", "GMT+0", "GMT-0"})


def default_timezone(environ: os._Environ[str] | dict[str, str] | None = None,
                     localtime: Path = Path("/etc/localtime")) -> str:
    """$TZ when it names a zone, else the zone /etc/localtime links to, else UTC."""
    env = os.environ if environ is None else environ
    candidates = []
    tz = env.get("TZ", "").removeprefix(":")
    if "/zoneinfo/" in tz:
        tz = tz.split("/zoneinfo/", 1)[1]
    candidates.append(tz)
    try:
        target = os.readlink(localtime)
    except OSError:
        target = ""
    if "zoneinfo/" in target:
        candidates.append(target.split("zoneinfo/", 1)[1])
    for name in candidates:
        if _zone_ok(name):
            return "UTC" if name in _UTC_ALIASES else name
    return "UTC"


def default_name() -> str:
    """The full name in the password database, if there is one."""
    try:
        entry = pwd.getpwuid(os.getuid())
    except KeyError:
        return ""
    name = entry.pw_gecos.split(",")[0].strip()
    return "" if name in (entry.pw_name, "root") else name


def default_notify() -> list[str]:
    graphical = os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    if os.environ.get("DBUS_SESSION_BUS_ADDRESS") and graphical:
        return ["log", "desktop"]
    return ["log"]


# --------------------------------------------------------------------------- arguments


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 1 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"a port is between 1 and 65535, not {value}")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of `appealwatch init`: one for every question it can ask."""
    who = parser.add_argument_group("you")
    who.add_argument("--email", metavar="ADDRESS",
                     help="your e-mail address (drafts are written from it)")
    who.add_argument("--name", help="your name, to sign drafts with")

    imap = parser.add_argument_group("IMAP account (the server is guessed from the address for "
                                     "Gmail, Outlook.com, Fastmail, iCloud, Yahoo, QQ, 163, 126)")
    imap.add_argument("--host", help="the IMAP server, e.g. imap.example.org")
    imap.add_argument("--port", type=_port,
                      help="its port (default: 993 with --tls ssl, 143 with --tls starttls)")
    imap.add_argument("--tls", choices=("ssl", "starttls"),
                      help="implicit TLS (ssl, the default) or STARTTLS")
    imap.add_argument("--username", help="the login name (default: the address; for iCloud the "
                      "part before the @)")
    secret = imap.add_mutually_exclusive_group()
    secret.add_argument("--password-stdin", action="store_true",
                        help="read the password from the first line of standard input and "
                        "store it in the OS keyring")
    secret.add_argument("--password-command", metavar="CMD",
                        help="a command that prints the password (written into the config), "
                        "e.g. 'pass show mail/work'")
    secret.add_argument("--oauth2-token-command", metavar="CMD",
                        help="a command that prints an OAuth2 access token (XOAUTH2)")
    imap.add_argument("--ca-file", metavar="PATH",
                      help="also trust this private CA (PEM), for a self-hosted server")

    where = parser.add_argument_group("account")
    where.add_argument("--account-name", metavar="NAME",
                       help='a short name for the account (default: "personal" for a '
                       "provider's address, else the domain's name)")
    where.add_argument("--maildir", metavar="PATH",
                       help="read a local Maildir (kept by mbsync/offlineimap) instead of IMAP")

    prefs = parser.add_argument_group("follow-ups and notifications")
    prefs.add_argument("--country", metavar="CC",
                       help="whose public holidays are not business days (ISO 3166 code; "
                       "default: from the locale, else US)")
    prefs.add_argument("--timezone", metavar="TZ",
                       help="your time zone, e.g. Europe/Berlin (default: the system's)")
    prefs.add_argument("--notify", action="append", choices=NOTIFY_BACKENDS,
                       help="where notifications go; repeat for several (default: log, and "
                       "desktop in a graphical session)")
    prefs.add_argument("--notify-command", metavar="CMD",
                       help="the program the 'command' backend runs with each event as JSON on "
                       "stdin, e.g. '/usr/local/bin/my-alert --urgent'")

    run_group = parser.add_argument_group("what to do")
    run_group.add_argument("--install-service", action=argparse.BooleanOptionalAction,
                           help="install the systemd user unit (default: ask; not with "
                           "--non-interactive)")
    run_group.add_argument("--force", action="store_true",
                           help="replace an existing config file (the old one is kept as .bak)")
    run_group.add_argument("--non-interactive", action="store_true",
                           help="never ask: a missing answer is an error naming its option")
    run_group.add_argument("--skip-check", action="store_true",
                           help="do not log in and do not run the doctor's checks")


# --------------------------------------------------------------------------- the dialogue


def ask_stdin(prompt: str, default: str | None) -> str:
    """Ask on stdout, read one line from stdin; an empty answer takes the default."""
    shown = f"{prompt} [{default}]: " if default else f"{prompt}: "
    if sys.stdin.isatty():
        answer = input(shown)
    else:
        sys.stdout.write(shown)
        sys.stdout.flush()
        line = sys.stdin.readline()
        if not line:
            raise EOFError
        sys.stdout.write("\n")
        answer = line
    return answer.strip() or (default or "")


def read_secret_stdin(prompt: str) -> str:
    """A password: from the terminal without echo, or the next line of a piped stdin."""
    if sys.stdin.isatty():
        return getpass.getpass(f"{prompt}: ")
    sys.stdout.write(f"{prompt}: \n")
    sys.stdout.flush()
    line = sys.stdin.readline()
    if not line:
        raise EOFError
    return line.rstrip("\r\n")


class Dialogue:
    """The answers: from an option, else asked (with a default), else an error."""

    def __init__(self, interactive: bool, ask: Ask, read_secret: ReadSecret) -> None:
        self.interactive = interactive
        self._ask = ask
        self._read_secret = read_secret

    def ask(self, prompt: str, default: str | None, flag: str) -> str:
        try:
            return self._ask(prompt, default)
        except EOFError:
            raise WizardError(f"standard input ended before the question {prompt!r} was "
                              f"answered; give {flag} or answer every question") from None

    def value(self, given: Any, flag: str, prompt: str, default: str | None, *,
              check: Callable[[str], str | None] | None = None, required: bool = True,
              what: str | None = None) -> str:
        """``given`` if set (checked), else the answer to ``prompt``; with --non-interactive
        the default, or an error naming ``flag`` when there is none."""
        if given is not None:
            text = str(given)
            problem = check(text) if check else None
            if problem:
                raise WizardError(f"{flag}: {problem}")
            return text
        if not self.interactive:
            if default is None and required:
                what = what or prompt[:1].lower() + prompt[1:]
                raise WizardError(f"{flag} is required with --non-interactive ({what})")
            return default or ""
        for _ in range(MAX_ATTEMPTS):
            answer = self.ask(prompt, default, flag).strip()
            if not answer and required:
                print("  an answer is needed")
                continue
            problem = check(answer) if check and answer else None
            if problem:
                print(f"  {problem}")
                continue
            return answer
        raise WizardError(f"no usable answer to {prompt!r}; give {flag}")

    def choose(self, prompt: str, options: Sequence[str], default: str, flag: str) -> str:
        def check(answer: str) -> str | None:
            return None if answer.lower() in options else f"answer one of {', '.join(options)}"

        return self.value(None, flag, f"{prompt} ({'/'.join(options)})", default,
                          check=check).lower()

    def confirm(self, prompt: str, default: bool, flag: str) -> bool:
        def check(answer: str) -> str | None:
            return None if answer.lower() in ("y", "yes", "n", "no") else "answer y or n"

        answer = self.value(None, flag, f"{prompt} (y/n)", "y" if default else "n", check=check)
        return answer.lower().startswith("y")

    def secret(self, prompt: str, flag: str) -> str:
        try:
            return self._read_secret(prompt)
        except EOFError:
            raise WizardError(f"standard input ended before the password was given; use "
                              f"{flag}") from None


# --------------------------------------------------------------------------- the answers


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
    missing_folders: list[str] = field(default_factory=list)
    server_folders: list[str] = field(default_factory=list)


def _check_email(text: str) -> str | None:
    return None if is_email(text) else f"{text!r} is not an e-mail address"


def _check_account(text: str) -> str | None:
    if re.fullmatch(r"[A-Za-z0-9_.@+-]+", text):
        return None
    return f"{text!r}: use letters, digits and . _ @ + - only"


def _check_host(text: str) -> str | None:
    if re.fullmatch(r"[A-Za-z0-9._:-]+|\[[0-9A-Fa-f:.]+\]", text):
        return None
    return f"{text!r} is not a host name"


def _check_port(text: str) -> str | None:
    try:
        _port(text)
    except argparse.ArgumentTypeError as exc:
        return str(exc)
    return None


def _check_command(text: str) -> str | None:
    try:
        argv = shlex.split(text)
    except ValueError as exc:
        return f"cannot be split into words ({exc}); check the quoting"
    if not argv:
        return "an empty command"
    if shutil.which(argv[0]) is None:
        return f"the program {argv[0]!r} is not found"
    return None


def _check_country(text: str) -> str | None:
    if text.upper() in _supported_countries():
        return None
    return (f"{text!r} is not a country the holidays library knows (an ISO 3166 code such "
            "as US, GB, DE, CN)")


def _check_zone(text: str) -> str | None:
    return None if _zone_ok(text) else f"{text!r} is not a time zone (e.g. Europe/Berlin, UTC)"


def _check_file(text: str) -> str | None:
    return None if Path(text).expanduser().is_file() else f"no such file: {text}"


def _absolute(path: str) -> str:
    return path if path.startswith("~") else os.path.abspath(path)


def _collect(args: argparse.Namespace, d: Dialogue, password: str | None) -> Answers:
    a = Answers()
    a.email = d.value(args.email, "--email", "Your e-mail address", None, check=_check_email,
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
                        check=_check_account)
    if kind == "maildir":
        a.maildir = _absolute(d.value(args.maildir, "--maildir", "The Maildir's folder",
                                      f"~/Mail/{a.account}"))
    else:
        _secret(args, d, a, password)
    return a


def _preferences(args: argparse.Namespace, d: Dialogue, a: Answers) -> None:
    a.country = d.value(args.country, "--country", "Country whose public holidays are not "
                        "business days", default_country(), check=_check_country).upper()
    a.timezone = d.value(args.timezone, "--timezone", "Your time zone", default_timezone(),
                         check=_check_zone)
    _notify(args, d, a)


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
                         guess.host if d.interactive else None, check=_check_host,
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
        a.port = int(d.value(args.port, "--port", "Port", str(default_port), check=_check_port))
    a.username = d.value(args.username, "--username", "Username",
                         guess.username_for(a.email) if a.host == guess.host else a.email)
    if args.ca_file is not None:
        a.ca_file = _absolute(d.value(args.ca_file, "--ca-file", "", None, check=_check_file))


def _secret(args: argparse.Namespace, d: Dialogue, a: Answers, password: str | None) -> None:
    flags = "--password-stdin, --password-command or --oauth2-token-command"
    if args.password_command is not None:
        a.login_via = "command"
        a.password_command = d.value(args.password_command, "--password-command", "", None,
                                     check=_check_command)
    elif args.oauth2_token_command is not None:
        a.login_via = "oauth2"
        a.oauth2_token_command = d.value(args.oauth2_token_command, "--oauth2-token-command",
                                         "", None, check=_check_command)
    elif password is not None:
        a.login_via, a.password = "keyring", password
    elif not d.interactive:
        raise WizardError(f"{flags} is required with --non-interactive (how to get the password)")
    else:
        print("The password: keyring  you type it now; it is kept in your OS keyring\n"
              "              command  a command prints it (e.g. pass show mail/work)\n"
              "              oauth2   a command prints an OAuth2 access token")
        a.login_via = d.choose("How should appealwatch get the password",
                               ("keyring", "command", "oauth2"), "keyring", flags)
        if a.login_via == "command":
            a.password_command = d.value(None, "--password-command",
                                         "Command that prints the password", None,
                                         check=_check_command)
        elif a.login_via == "oauth2":
            a.oauth2_token_command = d.value(None, "--oauth2-token-command",
                                             "Command that prints an access token", None,
                                             check=_check_command)
        else:
            a.password = _ask_password(d, a)


def _ask_password(d: Dialogue, a: Answers) -> str:
    for _ in range(MAX_ATTEMPTS):
        password = d.secret(f"Password for {a.username} at {a.host}", "--password-stdin")
        if password:
            return password
        print("  an empty password cannot be stored")
    raise WizardError("no password given")


def _notify(args: argparse.Namespace, d: Dialogue, a: Answers) -> None:
    if args.notify:
        a.notify = list(dict.fromkeys(args.notify))
    else:
        def check(answer: str) -> str | None:
            bad = [x for x in _split_list(answer) if x not in NOTIFY_BACKENDS]
            return f"unknown: {', '.join(bad)} (choose from log, command, desktop)" if bad else None

        answer = d.value(None, "--notify", "Notifications: log, command, desktop "
                         "(several with commas)", ", ".join(default_notify()), check=check)
        a.notify = list(dict.fromkeys(_split_list(answer))) or ["log"]
    if "command" in a.notify:
        text = d.value(args.notify_command, "--notify-command",
                       "Command to run for each notification (the event is on its stdin)", None,
                       check=_check_command)
        a.notify_command = shlex.split(text)


def _split_list(text: str) -> list[str]:
    return [x.strip().lower() for x in re.split(r"[,\s]+", text) if x.strip()]


# --------------------------------------------------------------------------- the login


def _settings(a: Answers) -> Any:
    from appealwatch import secrets
    from appealwatch.imap import AuthError, ImapSettings

    def secret() -> tuple[str, str]:
        try:
            if a.oauth2_token_command:
                return "oauth2", secrets.get_oauth2_token(a.account, a.oauth2_token_command)
            if a.password_command:
                return "password", secrets.get_password(a.account, a.username,
                                                        a.password_command)
        except secrets.SecretError as exc:
            raise AuthError(str(exc)) from None
        secrets.Redactor.register(a.password)
        return "password", a.password or ""

    return ImapSettings(host=a.host or "", port=a.port, tls=a.tls, username=a.username,
                        secret=secret, ca_file=str(Path(a.ca_file).expanduser())
                        if a.ca_file else None)


def _login(a: Answers) -> Exception | None:
    """Log in and look at the folders; None when it works, else the ImapError."""
    from appealwatch.imap import ImapError, connect, discover_folders

    try:
        client = connect(_settings(a))
    except ImapError as exc:
        return exc
    try:
        print(f"logged in to {a.host}:{a.port} as {a.username}")
        listing = client.list_folders()
        flags_of = {name: {f.decode().lower() for f in flags} for flags, _d, name in listing}
        found = discover_folders(client, {})
    except Exception as exc:  # a server that logs in but cannot list: report, do not crash
        return ImapError(f"{a.host}: logged in, but listing the folders failed: {exc}")
    finally:
        try:
            client.logout()
        except Exception:
            client.shutdown()
    a.server_folders = sorted(flags_of)
    print("folders:")
    for role in ROLES:
        name = found.get(role)
        if name is None:
            a.missing_folders.append(role)
            print(f"  {role:7} not found")
            continue
        flags = flags_of.get(name, set())
        special = f"\\{role}" in flags or (role == "junk" and "\\spam" in flags)
        print(f"  {role:7} {name}" + ("" if role == "inbox" else
                                     " (special-use)" if special else " (by name)"))
    if a.missing_folders:
        print(f"  the server's folders: {', '.join(a.server_folders)}")
        print("  a commented `folders = { ... }` line in the config says where to put the "
              "exact names")
    return None


def _untrusted(exc: Exception) -> bool:
    # imap.connect says so in its message; there is no separate exception class for it
    return "certificate" in str(exc) and "could not be verified" in str(exc)


def _login_until_it_works(args: argparse.Namespace, d: Dialogue, a: Answers) -> Exception | None:
    """Log in; in a dialogue, ask again for what can be fixed here: a refused password, or the
    private CA of a server whose certificate is not trusted."""
    from appealwatch.imap import AuthError

    problem = _login(a)
    for _ in range(MAX_ATTEMPTS):
        if problem is None or not d.interactive:
            break
        if (isinstance(problem, AuthError) and a.login_via == "keyring"
                and not args.password_stdin):
            print(f"  {problem}")
            a.password = _ask_password(d, a)
        elif _untrusted(problem) and args.ca_file is None:
            print(f"  {problem}")
            ca = d.value(None, "--ca-file", "If the server uses a private CA, the CA's PEM file "
                         "(empty: skip)", None, check=_check_file, required=False)
            if not ca:
                break
            a.ca_file = _absolute(ca)
        else:
            break
        problem = _login(a)
    return problem


def _maildir_folders(a: Answers) -> str | None:
    from appealwatch.maildir import MaildirError, MaildirSource

    try:
        source = MaildirSource(a.account, a.maildir or "", {}, create_drafts=False)
    except MaildirError as exc:
        return str(exc)
    found = source.folders()
    print(f"Maildir {source.root}:")
    for role in ROLES:
        if role in found:
            print(f"  {role:7} {found[role]}")
        else:
            a.missing_folders.append(role)
            print(f"  {role:7} not found" + (" (it will be created)" if role == "drafts" else ""))
    a.missing_folders = [r for r in a.missing_folders if r != "drafts"]
    return None


# --------------------------------------------------------------------------- the file


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
        '# Where notifications go: "log" (stderr / the journal), "command" (runs `command` with '
        "the",
        '# event as JSON on stdin), "desktop" (the notification service of your session).',
        f"backends = {_toml_list(a.notify)}",
        "# The program the command backend runs, as a list: program and arguments.",
    ]
    if a.notify_command:
        notify.append(f"command = {_toml_list(a.notify_command)}")
    else:
        notify.append('# command = ["notify-send-json"]')

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
                raise _exists(path)
            _write_private(path.with_name(path.name + ".bak"), path.read_bytes(),
                           exclusive=False)
            os.replace(tmp, path)
        else:
            try:
                os.link(tmp, path)  # fails if someone created the file meanwhile
            except FileExistsError:
                raise _exists(path) from None
            except OSError:  # a file system without hard links
                os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    try:
        return load_config(path)
    except ConfigError as exc:
        raise WizardError(f"the written configuration does not load: {exc.describe()}",
                          EXIT_FAILURE) from None


def _exists(path: Path) -> WizardError:
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


# --------------------------------------------------------------------------- the whole run


def run(args: argparse.Namespace, config_path: Path | None, *, ask: Ask | None = None,
        read_secret: ReadSecret | None = None) -> int:
    """`appealwatch init`; see the module docstring.  Returns the exit status."""
    try:
        return _run(args, target_path(config_path), ask or ask_stdin,
                    read_secret or read_secret_stdin)
    except WizardError as exc:
        print(f"appealwatch init: {exc}", file=sys.stderr)
        return exc.exit_code


def _run(args: argparse.Namespace, path: Path, ask: Ask, read_secret: ReadSecret) -> int:
    from appealwatch import secrets

    if path.is_dir():
        raise WizardError(f"{path} is a directory; give --config a file name")
    if path.exists() and not args.force:
        raise _exists(path)
    password = None
    if args.password_stdin:  # the first line, before any question reads stdin
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise WizardError("--password-stdin: the first line of standard input is empty")
        secrets.Redactor.register(password)
    d = Dialogue(not args.non_interactive, ask, read_secret)
    a = _collect(args, d, password)
    status = EXIT_OK

    # the login, and the folders it finds
    if a.maildir:
        problem = _maildir_folders(a)
        if problem:
            print(f"the Maildir is not usable yet: {problem}", file=sys.stderr)
            status = EXIT_FAILURE
    elif args.skip_check:
        print("not logging in (--skip-check)")
    else:
        failure = _login_until_it_works(args, d, a)
        if failure:
            print(f"the login does not work yet: {failure}", file=sys.stderr)
            status = EXIT_FAILURE
    if a.login_via == "keyring" and not a.maildir:
        try:
            backend = secrets.store_password(a.account, a.username, a.password or "")
            print(f"stored the password of {a.account} in the keyring ({backend})")
        except secrets.SecretError as exc:
            print(f"appealwatch init: {exc}", file=sys.stderr)
            status = EXIT_FAILURE

    _preferences(args, d, a)
    config = write_config(path, render_config(a), force=args.force)
    print(f"wrote {path}")

    if args.skip_check:
        print("skipped the checks (--skip-check); run `appealwatch doctor` when ready")
    else:
        status = max(status, _doctor(config))

    status = max(status, _service(args, d, path))
    _next_steps(path, a)
    return status


def _doctor(config: Any) -> int:
    from appealwatch.app import imap_settings, state_path
    from appealwatch.doctor import run_checks

    print("\nchecks:")
    failures = 0
    for ok, line in run_checks(config, state_path(config), imap_settings):
        failures += not ok
        print(f"{'PASS' if ok else 'FAIL'}  {line}")
    print(f"{failures} problem(s) found" if failures else "all checks passed")
    return EXIT_FAILURE if failures else EXIT_OK


def _default_path() -> Path:
    from appealwatch.config import default_config_path

    return default_config_path()


def _service(args: argparse.Namespace, d: Dialogue, path: Path) -> int:
    from appealwatch.systemd import enable_command, install_unit

    wanted = args.install_service
    if wanted is None:
        wanted = d.interactive and d.confirm("\nInstall the systemd user service (runs "
                                             "appealwatch whenever you are logged in)?", False,
                                             "--install-service")
    if not wanted:
        return EXIT_OK
    exe = shutil.which("appealwatch") or str(Path(sys.argv[0]).resolve())
    if not (os.path.isabs(exe) and os.path.isfile(exe) and os.access(exe, os.X_OK)):
        print("appealwatch init: cannot find the appealwatch command to run as a service; "
              "install it with ./install.sh, then run `appealwatch service install`",
              file=sys.stderr)
        return EXIT_FAILURE
    try:
        unit = install_unit(exe)
    except (ValueError, OSError) as exc:
        print(f"appealwatch init: cannot install the service unit: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    print(f"installed {unit} (runs {exe})\nstart it now and at every login with:\n"
          f"  {enable_command()}")
    if path != _default_path():
        print(f"note: the service reads {_default_path()}; for {path} add "
              f"Environment=APPEALWATCH_CONFIG={path} with `systemctl --user edit appealwatch`")
    return EXIT_OK


def _next_steps(path: Path, a: Answers) -> None:
    env = os.environ.get("APPEALWATCH_CONFIG")
    default = Path(env).expanduser() if env else _default_path()
    cfg = "" if path == default else f" --config {shlex.quote(str(path))}"
    print(f"\nnext: `appealwatch{cfg} scan` reads the mail of the last 180 days once"
          + ("" if a.maildir else f"; `appealwatch{cfg} login {shlex.quote(a.account)}` "
             "changes the stored password"))
