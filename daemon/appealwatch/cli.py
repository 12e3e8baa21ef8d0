"""Command line: parse arguments, call one function, print, map errors to exit codes.

Exit codes: 0 success; 1 a runtime problem (an unreadable file, a failed account); 2 a usage or
configuration error (systemd's RestartPreventExitStatus=2 stops a restart loop on a typo).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from appealwatch import __version__
from appealwatch.config import Config, ConfigError, load_config

EXIT_OK, EXIT_FAILURE, EXIT_CONFIG = 0, 1, 2
log = logging.getLogger("appealwatch")


class UserError(Exception):
    """A problem the user can fix; printed as one sentence, without a traceback."""

    exit_code = EXIT_FAILURE


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


def cmd_demo(args: argparse.Namespace, config: Config) -> int:
    """Classify the bundled sample mailbox and show what appealwatch makes of each message."""
    from appealwatch import resources
    from appealwatch.classify import classify
    from appealwatch.parse import parse

    root = resources.samples_dir()
    print(f"appealwatch demo: the sample mailbox in {root}\n")
    for folder in ("INBOX", "Junk"):
        for path in sorted((root / folder).glob("*.eml")):
            result = classify(parse(path.read_bytes()), folder, config.rules)
            detail = result.reason or result.decision
            what = result.category + (f" ({detail})" if detail else "")
            flag = "  PHISHING" if result.phishing else ""
            print(f"  {folder:<6} {path.name:<38} {what:<28} {result.provider or '-'}{flag}")
    return EXIT_OK


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
        "demo",
        help="show appealwatch at work on a bundled sample mailbox (no account needed)",
        description="Runs appealwatch over a sample mailbox shipped with it: a suspension "
        "notice in Junk, a phishing imitation, a ticket acknowledgement, a support question, "
        "a decision and everyday mail.  Needs no account and no network.",
    )
    p.set_defaults(func=cmd_demo)
    return parser




def _setup_logging(debug: bool) -> None:
    logging.basicConfig(
        level=logging.DEBUG if debug else logging.INFO,
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    # third-party libraries are noisy at DEBUG and mail-parser logs raw header text
    for noisy in ("mailparser", "imapclient", "apscheduler"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    _setup_logging(args.debug)
    try:
        config = load_config(args.config)
        return int(args.func(args, config))
    except ConfigError as exc:
        print(f"appealwatch: configuration error in {exc.describe()}", file=sys.stderr)
        return EXIT_CONFIG
    except UserError as exc:
        print(f"appealwatch: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:
        if args.debug:
            raise
        print(
            f"appealwatch: unexpected error: {type(exc).__name__}: {exc} "
            "(run with --debug for the traceback, and please report it)",
            file=sys.stderr,
        )
        return EXIT_FAILURE


if __name__ == "__main__":
    sys.exit(main())
