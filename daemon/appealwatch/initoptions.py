"""The options of `appealwatch init`: one for every question it can ask.  Outside the wizard
package, so that the command line is built without loading the wizard."""

from __future__ import annotations

import argparse

NOTIFY_BACKENDS = ("log", "desktop", "inbox", "ntfy", "apprise", "command")


def port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 1 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"a port is between 1 and 65535, not {value}")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of `appealwatch init`: one for every question it can ask.  Outside the wizard
package, so that the command line is built without loading the wizard."""
    who = parser.add_argument_group("you")
    who.add_argument("--email", metavar="ADDRESS",
                     help="your e-mail address (drafts are written from it)")
    who.add_argument("--name", help="your name, to sign drafts with")

    imap = parser.add_argument_group("IMAP account (the server is guessed from the address for "
                                     "Gmail, Outlook.com, Fastmail, iCloud, Yahoo, QQ, 163, 126)")
    imap.add_argument("--host", help="the IMAP server, e.g. imap.example.org")
    imap.add_argument("--port", type=port,
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
    imap.add_argument("--allow-plaintext-keyring", action="store_true",
                      help="store the password even where the only keyring keeps it "
                      "unencrypted (keyrings.alt's PlaintextKeyring); without it, init asks, "
                      "or with --non-interactive refuses")
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
                       "default: the country of the system's time zone, else of your address's "
                       "provider or domain (163.com, qq.com: CN), else of the locale, else US)")
    prefs.add_argument("--timezone", metavar="TZ",
                       help="your time zone, e.g. Europe/Berlin (default: the system's; on a "
                       "system on UTC, the zone of the country your address points to)")
    prefs.add_argument("--notify", action="append", choices=NOTIFY_BACKENDS,
                       help="where notifications go; repeat for several (default: log and "
                       "desktop in a graphical session, else log and inbox)")
    prefs.add_argument("--notify-command", metavar="CMD",
                       help="the program the 'command' backend runs with each event as JSON on "
                       "stdin, e.g. '/usr/local/bin/my-alert --urgent'")
    prefs.add_argument("--ntfy-url", metavar="URL",
                       help="the ntfy topic the 'ntfy' backend publishes to (default: a new "
                       "random topic on https://ntfy.sh)")
    prefs.add_argument("--ntfy-token-command", metavar="CMD",
                       help="a command that prints the access token of a protected ntfy topic")
    prefs.add_argument("--apprise-urls-command", metavar="CMD",
                       help="a command that prints the 'apprise' backend's URLs, one per line "
                       "(they carry tokens, so they are never written into the config)")

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
