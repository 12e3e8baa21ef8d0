"""Command line: parse arguments, call one function, print, map errors to exit codes.

Exit codes: 0 success; 1 a runtime problem (an unreadable file, a failed account); 2 a usage or
configuration error (systemd's RestartPreventExitStatus=2 stops a restart loop on a typo).
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from appealwatch import __version__, case_commands
from appealwatch.app import (
    EXIT_CONFIG,
    EXIT_FAILURE,
    EXIT_OK,
    UserError,
    imap_settings,
    make_engine,
    open_store,
    state_path,
)
from appealwatch.config import Config, ConfigError, load_config

log = logging.getLogger("appealwatch")


# --------------------------------------------------------------------------- commands


def cmd_classify(args: argparse.Namespace, config: Config) -> int:
    from appealwatch.classify import classify
    from appealwatch.parse import parse

    status = EXIT_OK
    trusted = tuple(config.model.mail.trusted_authserv_ids)
    for name in args.files:
        try:
            raw = Path(name).read_bytes()
        except OSError as exc:
            status = EXIT_FAILURE
            problem = exc.strerror or str(exc)
            if args.json:
                print(json.dumps({"file": name, "error": problem}, ensure_ascii=False))
            else:
                print(f"{name}: error: {problem}", file=sys.stderr)
            continue
        result = classify(parse(raw), args.folder, config.rules, trusted)
        if args.json:
            out = {"file": name, **result.as_dict()}
            if args.explain:
                out["explanation"] = list(result.explanation)
            print(json.dumps(out, ensure_ascii=False), flush=False)
            continue
        detail = result.reason or result.decision
        line = f"{name}: {result.category}" + (f" ({detail})" if detail else "")
        line += " (possible)" if result.possible else ""
        line += " (forwarded)" if result.forwarded else ""
        line += f"  provider={result.provider or '-'}  lang={result.lang}"
        line += f"  confidence={result.confidence:.2f}"
        if result.ticket:
            line += f"  ticket={result.ticket}"
        if result.phishing:
            line += "  PHISHING: " + "; ".join(result.phishing_reasons)
        print(line)
        if args.explain:
            for item in result.explanation:
                print(f"    {item}")
    return status


# --------------------------------------------------------------------------- the state


def _parse_now(text: str | None, config: Config) -> datetime | None:
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise UserError(f"--now {text!r} is not an ISO 8601 date or time, e.g. "
                        "2026-03-20T09:30+01:00") from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=ZoneInfo(config.model.followup.timezone))
    return value


def _time_scale(text: str) -> float:
    """``run --time-scale``: a finite number greater than 0 (argparse exits 2 otherwise)."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a number greater than 0 (simulated seconds per real second, "
            "e.g. 3600 for an hour a second)")
    return value


def cmd_scan(args: argparse.Namespace, config: Config) -> int:
    from appealwatch.imap import ImapError
    from appealwatch.store import StoreError

    now = _parse_now(args.now, config)
    with open_store(config, dry_run=args.dry_run) as store:
        engine = make_engine(config, store, now=now, dry_run=args.dry_run)
        try:
            report = engine.scan()
        except (ImapError, StoreError) as exc:
            raise UserError(str(exc)) from None
        finally:
            engine.close()
    for item in report.printed:
        print(item if item.startswith("notification:") else f"--- draft ---\n{item}")
    print(f"scan: {report.seen} new message(s), {report.relevant} about cases, "
          f"{report.cases_opened} case(s) opened, {report.transitions} change(s), "
          f"{report.drafts_written} draft(s) written, {report.notifications} notification(s)"
          + (" (dry run: nothing was written or sent)" if args.dry_run else ""),
          file=sys.stderr)
    return EXIT_OK


def cmd_run(args: argparse.Namespace, config: Config) -> int:
    from appealwatch.clock import Clock
    from appealwatch.imap import FolderWatcher
    from appealwatch.secrets import install_redactor
    from appealwatch.service import Service

    clock = Clock(_parse_now(args.now, config), args.time_scale)
    install_redactor()

    def build(cfg: Config):
        store = open_store(cfg)
        engine = make_engine(cfg, store, now=None, dry_run=False,
                             on_action=service.queue_action, clock=clock.now)
        engine.owns_store = True
        watchers = []
        accounts = {a.name: a for a in cfg.model.accounts}
        for source in engine.sources:
            if source.kind != "imap":
                continue
            acct = accounts[source.account]
            for role in ("inbox", "junk", "sent"):
                watchers.append(FolderWatcher(source.account, role, source.settings,
                                              dict(acct.folders), service.changed))
        return engine, watchers

    service = Service(args.config, build=build, clock=clock)
    return service.run()


def cmd_init(args: argparse.Namespace, config: Config | None) -> int:
    from appealwatch import wizard

    return wizard.run(args, Path(args.config).expanduser() if args.config else None)


def cmd_login(args: argparse.Namespace, config: Config) -> int:
    import getpass

    from appealwatch import secrets
    from appealwatch.imap import ImapError, connect

    acct = next((a for a in config.model.accounts if a.name == args.account), None)
    if acct is None or not acct.host:
        raise UserError(f"there is no IMAP account {args.account!r} in the configuration")
    if acct.password_command or acct.oauth2_token_command:
        raise UserError(f"account {acct.name} gets its secret from a command; nothing to store")
    plaintext = None if args.allow_plaintext_keyring else secrets.unencrypted_keyring()
    if plaintext:  # said before the password is typed
        advice = (secrets.PLAINTEXT_ADVICE.format(keyring=plaintext)
                  + f"; set it as password_command of account {acct.name} in the config")
        if args.password_stdin or not sys.stdin.isatty():
            error = UserError(f"not storing the password: {advice}, or give "
                              "--allow-plaintext-keyring to store it there anyway")
            error.exit_code = EXIT_CONFIG
            raise error
        print(f"note: {advice}.")
        if not input("Store the password there anyway? [y/N] ").strip().lower().startswith("y"):
            print("nothing stored")
            return EXIT_FAILURE
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass(f"Password for {acct.username} at {acct.host}: ")
    if not password:
        raise UserError("no password given")
    try:
        backend = secrets.store_password(acct.name, acct.username or "", password)
    except secrets.SecretError as exc:
        raise UserError(str(exc)) from None
    print(f"stored the password of {acct.name} in the keyring ({backend})")
    if not args.no_check:
        try:
            client = connect(imap_settings(config, acct))
            client.logout()
        except ImapError as exc:
            raise UserError(f"stored, but the login failed: {exc}") from None
        print(f"login to {acct.host} works")
    return EXIT_OK


def cmd_doctor(args: argparse.Namespace, config: Config) -> int:
    from appealwatch.doctor import run_checks

    failures = 0
    for ok, line in run_checks(config, state_path(config), imap_settings,
                               send_test=args.notify):
        failures += not ok
        print(f"{'PASS' if ok else 'FAIL'}  {line}")
    print(f"\n{failures} problem(s) found" if failures else "\nall checks passed")
    return EXIT_FAILURE if failures else EXIT_OK


def cmd_service(args: argparse.Namespace, config: Config) -> int:
    import shutil

    from appealwatch.systemd import enable_command, install_unit

    exe = shutil.which("appealwatch") or str(Path(sys.argv[0]).resolve())
    if not Path(exe).is_absolute() or not Path(exe).exists():
        raise UserError("cannot find the appealwatch command; install it with ./install.sh")
    try:
        path = install_unit(exe)
    except (ValueError, OSError) as exc:
        raise UserError(f"cannot install the service unit: {exc}") from None
    print(f"installed {path}\nstart it now and at every login with:\n  {enable_command()}")
    return EXIT_OK


def cmd_demo(args: argparse.Namespace, config: Config) -> int:
    from appealwatch.demo import run_demo

    return run_demo(keep=args.keep)


# --------------------------------------------------------------------------- parser


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="appealwatch",
        description=(
            "Watches your mailboxes (spam folder included) for account suspension notices, keeps "
            "one case per incident, writes appeal and follow-up drafts into your Drafts folder, "
            "and tells you when something needs you.  It never sends mail itself."
        ),
        epilog="Run 'appealwatch COMMAND --help' for the options of one command.",
    )
    parser.add_argument("--version", action="version", version=f"appealwatch {__version__}")
    parser.add_argument(
        "--config",
        metavar="PATH",
        help="configuration file (default: $APPEALWATCH_CONFIG, else "
        "~/.config/appealwatch/config.toml if it exists, else built-in defaults)",
    )
    parser.add_argument("--debug", action="store_true", help="verbose logs and full tracebacks")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = sub.add_parser(
        "classify",
        help="classify e-mail files (.eml) and print what each one is",
        description="Classify raw e-mail files: suspension notice, ticket acknowledgement, "
        "support reply, appeal decision or irrelevant; with the reason, provider, ticket number, "
        "language and a phishing check.  Nothing is stored.",
    )
    p.add_argument("files", nargs="+", metavar="FILE", help="raw RFC 5322 message files")
    p.add_argument(
        "--folder",
        default="INBOX",
        help="the folder the messages were found in, e.g. INBOX or Junk (default: INBOX)",
    )
    p.add_argument("--json", action="store_true", help="one JSON object per file, one per line")
    p.add_argument("--explain", action="store_true", help="show the cues and scores behind it")
    p.set_defaults(func=cmd_classify)

    p = sub.add_parser(
        "scan",
        help="one pass over every configured account: new mail, cases, drafts, follow-ups",
        description="Reads new mail in each account's INBOX, spam and Sent folders, updates the "
        "cases, writes drafts into the Drafts folder, plans follow-ups that are due and sends "
        "notifications, then exits.  Running it again changes nothing.",
    )
    p.add_argument("--now", metavar="ISO8601",
                   help="act as if it were this time (see what happens on a given date)")
    p.add_argument("--dry-run", action="store_true",
                   help="show the drafts and notifications it would create; change nothing")
    p.set_defaults(func=cmd_scan)

    p = sub.add_parser("cases", help="list the cases", description="Lists the cases: id, "
                       "provider, state, reason, opened, last activity, next follow-up and the "
                       "number of messages.")
    p.add_argument("--json", action="store_true",
                   help="a JSON array, with the Message-IDs of each case's messages")
    p.set_defaults(func=case_commands.cmd_cases)

    p = sub.add_parser("show", help="tell a case's story",
                       description="Shows a case's timeline: messages, state changes with their "
                       "causes, drafts and notifications.")
    p.add_argument("case", type=int, metavar="ID")
    p.add_argument("--json", action="store_true",
                   help="the case, its transitions, drafts and notifications as JSON")
    p.set_defaults(func=case_commands.cmd_show)

    p = sub.add_parser("draft", help="print a case's current draft",
                       description="Prints the case's latest draft as it is in the Drafts folder.")
    p.add_argument("case", type=int, metavar="ID")
    p.set_defaults(func=case_commands.cmd_draft)

    p = sub.add_parser("resolve", help="close a case by hand",
                       description="Closes a case with an outcome, e.g. when the provider told "
                       "you by phone or in a web form.")
    p.add_argument("case", type=int, metavar="ID")
    p.add_argument("--outcome", required=True, choices=("restored", "denied", "withdrawn"))
    p.set_defaults(func=case_commands.cmd_resolve)

    from appealwatch.learned import TAUGHT

    p = sub.add_parser(
        "teach", help="correct a verdict, so that such mail is read right from now on",
        description="Records what a message really is and learns from it, in learned.toml "
        "beside your config (mode 0600, readable, yours to edit): a phrase from its subject as "
        "a cue of that reading (for irrelevant mail, a phrase that makes such mail from its "
        "sender irrelevant), and for a notice from an organisation outside the registry, its "
        "domain as a provider.  A stored message (by its Message-ID) keeps the verdict in the "
        "state.")
    p.add_argument("message", metavar="FILE|MESSAGE-ID",
                   help="a raw e-mail file, or the Message-ID of a message appealwatch has seen")
    p.add_argument("--as", dest="as_", required=True, metavar="CATEGORY",
                   choices=TAUGHT,
                   help="what it is: suspension, ticket_ack, support_reply, appeal_decision or "
                   "irrelevant")
    p.add_argument("--reason", metavar="R",
                   help="a suspension's reason (policy, payment, security, system, unknown), or "
                   "an appeal_decision's outcome (restored, denied)")
    p.add_argument("--provider", metavar="ID",
                   help="the provider it comes from (default: the one its sender's domain "
                   "gives)")
    p.set_defaults(func=case_commands.cmd_teach)


    for name, text in (
            ("confirm", "a possible notice is one: it becomes a case with its appeal draft"),
            ("dismiss", "a possible notice is not one: it is closed and never notified again")):
        p = sub.add_parser(name, help=text.split(":", 1)[0].replace("a possible notice is",
                                                                     "say a possible notice is"),
                           description=f"A possible notice (mixed evidence, case state "
                           f"'possible'): {text.split(': ', 1)[1]}.  Recorded in the case's "
                           "story; the desktop notification's actions do the same.")
        p.add_argument("case", type=int, metavar="ID")
        p.set_defaults(func=case_commands.cmd_verdict)

    p = sub.add_parser("appealed", help="record an appeal sent outside mail (a web form)",
                       description="Records that you wrote to the provider about a case "
                       "outside mail (a web form, a chat), so follow-ups are timed from then. "
                       "Follow-ups are only ever drafted when there is such evidence: your "
                       "message in Sent, the provider's acknowledgement, or this.")
    p.add_argument("case", type=int, metavar="ID")
    p.add_argument("--on", metavar="DATE",
                   help="when you sent it, e.g. 2026-11-20 or 2026-11-20T15:30 (default: now)")
    p.set_defaults(func=case_commands.cmd_appealed)

    p = sub.add_parser(
        "run",
        help="the service: watch the mailboxes and act on new mail as it arrives",
        description="Runs until stopped: watches INBOX, the spam folder and Sent of every "
        "account (IMAP IDLE, or polling a Maildir), handles new mail within seconds, drafts "
        "follow-ups when they fall due.  Logs to stderr (the journal under systemd).  SIGTERM "
        "stops it, SIGHUP reloads the configuration.",
    )
    p.add_argument("--now", metavar="ISO8601",
                   help="time travel: start the service's clock at this time instead of the "
                   "real one (follow-ups, quiet hours, snoozes and drafts' dates follow it)")
    p.add_argument("--time-scale", type=_time_scale, default=1.0, metavar="N",
                   help="let the clock run N times as fast as real time (simulated seconds per "
                   "second, e.g. 3600 for an hour a second; default 1)")
    p.set_defaults(func=cmd_run)

    # the options alone: the wizard itself is loaded only when `init` runs
    from appealwatch.initoptions import add_arguments as init_arguments

    p = sub.add_parser(
        "init", help="set up: ask a few questions, check the login, write the config",
        description="Asks for your address and mail account (the server is guessed for Gmail, "
        "Outlook.com, Fastmail, iCloud, Yahoo, QQ, 163 and 126), stores the password in the OS "
        "keyring (or, where that keyring is an unencrypted file, suggests a password command), "
        "checks the login and folders, asks your country and time zone (guessed from the "
        "system's time zone and your address), where notifications go (without a desktop "
        "session: a note in your INBOX, ntfy or apprise, which reach a phone), writes a "
        "commented config (mode 0600), runs the doctor's checks and can install the systemd "
        "user service.  Every question has an option; --non-interactive never asks.")
    init_arguments(p)
    p.set_defaults(func=cmd_init, needs_config=False)

    p = sub.add_parser("login", help="store an IMAP account's password in the OS keyring",
                       description="Asks for the password (an app password for Gmail or "
                       "Outlook) and stores it in the keyring, then checks the login.  Where the "
                       "only keyring keeps passwords unencrypted (keyrings.alt's plain file), it "
                       "says so first and suggests password_command instead.")
    p.add_argument("account", metavar="ACCOUNT", help="the account's name in the config")
    p.add_argument("--password-stdin", action="store_true",
                   help="read the password from the first line of standard input")
    p.add_argument("--no-check", action="store_true", help="do not try to log in afterwards")
    p.add_argument("--allow-plaintext-keyring", action="store_true",
                   help="store it even where the only keyring keeps it unencrypted "
                   "(keyrings.alt's PlaintextKeyring); without it, login asks first, or with "
                   "--password-stdin refuses")
    p.set_defaults(func=cmd_login)

    p = sub.add_parser("doctor", help="check the setup, one PASS/FAIL line per item",
                       description="Checks the configuration, the keyring, each account's "
                       "login and folders, the notification backends and the state file.")
    p.add_argument("--notify", action="store_true",
                   help="also send a test notification through each configured backend")
    p.set_defaults(func=cmd_doctor)

    p = sub.add_parser("service", help="install the systemd user service",
                       description="Writes ~/.config/systemd/user/appealwatch.service and prints "
                       "the command that enables and starts it.")
    p.add_argument("action", choices=("install",))
    p.set_defaults(func=cmd_service)

    p = sub.add_parser(
        "demo",
        help="show appealwatch at work on a bundled sample mailbox (no account needed)",
        description="Runs appealwatch over a sample mailbox shipped with it: a suspension "
        "notice in Junk, a phishing imitation, a ticket acknowledgement, a support question, "
        "a decision and everyday mail.  Needs no account and no network.",
    )
    p.add_argument("--keep", action="store_true",
                   help="keep the demo's Maildir, config and state folder and print its path")
    p.set_defaults(func=cmd_demo)
    return parser




def _setup_logging(debug: bool) -> None:
    logging.basicConfig(
        level=logging.DEBUG if debug else logging.INFO,
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    # third-party libraries are noisy at DEBUG and mail-parser logs raw header text
    for noisy in ("mailparser", "imapclient"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def _redact(text: str) -> str:
    """A server may echo a secret into an error message: mask every secret handed out."""
    from appealwatch.secrets import Redactor

    return Redactor.redact(text)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    _setup_logging(args.debug)
    try:
        config = load_config(args.config) if getattr(args, "needs_config", True) else None
        return int(args.func(args, config))
    except ConfigError as exc:
        print(f"appealwatch: configuration error in {exc.describe()}", file=sys.stderr)
        return EXIT_CONFIG
    except UserError as exc:
        print(f"appealwatch: {_redact(str(exc))}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:
        if args.debug:  # the traceback, with any secret the error carries masked
            import traceback

            sys.stderr.write(_redact("".join(traceback.format_exception(exc))))
            return EXIT_FAILURE
        print(
            f"appealwatch: unexpected error: {type(exc).__name__}: {_redact(str(exc))} "
            "(run with --debug for the traceback, and please report it)",
            file=sys.stderr,
        )
        return EXIT_FAILURE


if __name__ == "__main__":
    sys.exit(main())
