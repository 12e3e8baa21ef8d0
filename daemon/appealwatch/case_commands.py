"""The commands about cases and messages: `cases`, `show`, `draft`, `resolve`, `appealed`,
`confirm` / `dismiss` and `teach`.  Each parses nothing (``cli`` did), calls the core and prints;
errors are :class:`~appealwatch.app.UserError`."""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import re
import sys
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from appealwatch import views
from appealwatch.app import EXIT_OK, UserError, get_case, make_engine, open_store
from appealwatch.config import Config, load_config


def cmd_cases(args: argparse.Namespace, config: Config) -> int:
    with open_store(config) as store:
        rows = [views.case_dict(store, c) for c in store.cases()]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=None))
        return EXIT_OK
    color = sys.stdout.isatty() and not os.environ.get("NO_COLOR")
    print("\n".join(views.cases_table(rows, color=bool(color))))
    return EXIT_OK


def cmd_show(args: argparse.Namespace, config: Config) -> int:
    with open_store(config) as store:
        case = get_case(store, args.case)
        if args.json:
            print(json.dumps(views.case_story(store, case), ensure_ascii=False))
            return EXIT_OK
        lines = views.case_timeline(store, case)
    print("\n".join(lines))
    return EXIT_OK


def cmd_draft(args: argparse.Namespace, config: Config) -> int:
    with open_store(config) as store:
        case = get_case(store, args.case)
        raw = views.current_draft(config, store, case)
    if raw is None:
        raise UserError(f"case {case.id} has no draft")
    sys.stdout.write(raw.decode("utf-8", "replace"))
    return EXIT_OK


def cmd_resolve(args: argparse.Namespace, config: Config) -> int:
    from appealwatch.cases import plan_resolve
    from appealwatch.engine import Report

    with open_store(config) as store:
        case = get_case(store, args.case)
        plan = plan_resolve(case, args.outcome, datetime.now(UTC))
        if plan.transition is None:
            raise UserError(f"case {case.id} is already closed ({case.state})")
        engine = make_engine(config, store, now=None, dry_run=False)
        source = engine.sources[0] if engine.sources else None
        engine.apply(source, case.account_id, plan, None, Report())
    print(f"case {case.id}: {case.state} → {args.outcome}")
    return EXIT_OK


def cmd_teach(args: argparse.Namespace, config: Config) -> int:
    """Record the user's verdict on a message and learn rules from it (see ``learned``)."""
    from appealwatch import learned
    from appealwatch.classify import classify, forwarded_notice
    from appealwatch.classify.sender import genuine_provider
    from appealwatch.config import load_learned
    from appealwatch.parse import parse

    if args.as_ == "appeal_decision" and args.reason not in ("restored", "denied"):
        raise UserError("--as appeal_decision needs --reason restored or --reason denied")
    if args.as_ == "suspension" and args.reason not in (None, *learned.REASONS):
        raise UserError(f"--reason for a suspension is one of {', '.join(learned.REASONS)}")
    if args.as_ in ("ticket_ack", "support_reply", "irrelevant") and args.reason:
        raise UserError(f"--reason does not apply to {args.as_}")
    if args.provider and not re.fullmatch(r"[a-z0-9_-]+", args.provider):
        raise UserError(f"--provider {args.provider!r}: ids are lower-case letters, digits, - or _")
    today = datetime.now(UTC).date().isoformat()
    stored = None
    path = Path(args.message)
    if path.is_file():
        try:
            msg = parse(path.read_bytes())
        except OSError as exc:
            raise UserError(f"{path}: {exc.strerror or exc}") from None
        result = classify(msg, "INBOX", config.rules, tuple(config.model.mail.trusted_authserv_ids))
        found = forwarded_notice(msg)  # a forward teaches what its notice's sender says
        notice = found.inner if found is not None else msg
        addr = notice.from_
        taught = learned.Taught(
            args.as_, args.reason, notice.subject or "", addr.domain if addr else "",
            addr.name if addr else "", result.category, args.provider or result.provider,
            path.name, today)
    else:
        with open_store(config) as store:
            rows = store.messages_with_id(args.message)
            if not rows:
                raise UserError(f"{args.message}: no such file, and no stored message has this "
                                "Message-ID (see appealwatch show ID)")
            stored = rows[0]
            store.record_verdict(stored.id, {"as": args.as_, "reason": args.reason, "at": today})
        # a forward the scan did not read as a notice teaches its notice's sender and subject
        domain = (stored.facts.get("forward_of") or stored.from_addr or "").rpartition("@")[2]
        taught = learned.Taught(
            args.as_, args.reason, stored.facts.get("forward_subject") or stored.subject or "",
            domain.lower(), "",
            stored.category or "irrelevant", args.provider or stored.provider,
            stored.message_id or args.message, today)
    owner = genuine_provider(taught.sender_domain, config.rules) if taught.sender_domain else None
    if owner is not None and args.provider in (None, owner.id):
        taught = dataclasses.replace(taught, known_sender=True)
    target = learned.path_beside(config.config_dir)
    known = load_learned(config.config_dir)
    entry, said = learned.correction(taught, config.rules.freemail)
    added = learned.append(target, entry, known.learned if known else [])
    print(f"{args.message}: taught as {args.as_}" + (f" ({args.reason})" if args.reason else "")
          + f", read as {taught.was} before" + ("; recorded in the state" if stored else ""))
    for line in said:
        print(f"  learned: {line}")
    if not entry.get("phrase") and not entry.get("provider"):
        print("  nothing new could be learned from it: no phrase from its subject, and its "
              "sender is a known provider already or a person")
    print(f"  {'written to' if added else 'already in'} {target}; the running service reads it "
          "on SIGHUP (systemctl --user reload appealwatch)")
    if stored is None:
        now = classify(msg, "INBOX", load_config(args.config).rules).category
        if now != args.as_ and not (args.as_ == "appeal_decision" and now == args.as_):
            print(f"  note: with what was learned it still reads as {now}", file=sys.stderr)
    return EXIT_OK


def _parse_on(text: str | None, config: Config) -> datetime:
    """``--on``: a day (noon in the user's time zone) or a time; not in the future."""
    zone = ZoneInfo(config.model.followup.timezone)
    now = datetime.now(UTC)
    if not text:
        return now
    try:
        when = datetime.combine(date.fromisoformat(text), time(12, 0), tzinfo=zone)
    except ValueError:
        try:
            when = datetime.fromisoformat(text)
        except ValueError:
            raise UserError(f"--on {text!r} is not a date or time, e.g. 2026-11-20 or "
                            "2026-11-20T15:30") from None
        if when.tzinfo is None:
            when = when.replace(tzinfo=zone)
    if when > now + timedelta(minutes=5):
        raise UserError(f"--on {text} is in the future")
    return min(when, now)


def cmd_appealed(args: argparse.Namespace, config: Config) -> int:
    from appealwatch.cases import plan_appealed
    from appealwatch.engine import Report

    when = _parse_on(args.on, config)
    with open_store(config) as store:
        case = get_case(store, args.case)
        plan = plan_appealed(case, when, f"you appealed outside mail on {when:%Y-%m-%d} "
                             "(appealwatch appealed)")
        if plan is None:
            raise UserError(f"case {case.id} is {case.state}: there is nothing to follow up")
        engine = make_engine(config, store, now=None, dry_run=False)
        try:
            engine.apply(engine.sources[0], case.account_id, plan, None, Report())
            after = store.case(case.id)
        finally:
            engine.close()
    state = f"{case.state} → {after.state}" if after and after.state != case.state else (
        case.state)
    print(f"case {case.id}: {state}; follow-ups are timed from {when:%Y-%m-%d}")
    return EXIT_OK


def cmd_verdict(args: argparse.Namespace, config: Config) -> int:
    """``confirm`` / ``dismiss``: the user's word on a possible notice."""
    from appealwatch.engine import Report

    with open_store(config) as store:
        case = get_case(store, args.case)
        if case.state != "possible":
            raise UserError(f"case {case.id} is {case.state}, not a possible notice")
        engine = make_engine(config, store, now=None, dry_run=False)
        try:
            print(engine.verdict(case, args.command, f"appealwatch {args.command}"))
            if args.command == "confirm":
                for source in engine.sources:
                    if store.account_id(source.account, source.kind) == case.account_id:
                        report = Report()
                        engine.write_drafts(source, case.account_id, report)
                        if report.drafts_written:
                            print(f"case {case.id}: the appeal draft is in your Drafts folder")
        finally:
            engine.close()
    return EXIT_OK
