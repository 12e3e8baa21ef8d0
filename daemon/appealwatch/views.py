"""What `cases`, `show` and `draft` print, as text or JSON-ready values, for the command line
and the demo alike."""

from __future__ import annotations

from appealwatch.app import make_engine
from appealwatch.config import Config
from appealwatch.model import OPEN_STATES

STATE_COLORS = {"possible": "33", "new": "33", "needs_reply": "1;31", "appealed": "36",
                "waiting": "36", "restored": "32", "denied": "31", "withdrawn": "2",
                "dismissed": "2", "suspicious": "35"}


def case_dict(store, case) -> dict:
    messages = store.case_messages(case.id)
    return {
        "id": case.id, "provider": case.provider, "state": case.state, "reason": case.reason,
        "opened": case.opened_at.isoformat(), "last_activity": case.last_activity.isoformat(),
        "next_followup": case.next_followup_at.isoformat() if case.next_followup_at else None,
        "messages": len(messages), "ticket": case.ticket, "account_ids": list(case.account_ids),
        "followups": case.followups,
        "message_ids": [m.message_id for m in messages if m.message_id],
        "deadline": case.deadline_at.isoformat() if case.deadline_at else None,
        "deadline_kind": case.deadline_kind, "deadline_text": case.deadline_text,
        "promised_until": case.promised_until.isoformat() if case.promised_until else None,
    }


def cases_table(rows: list[dict], *, color: bool) -> list[str]:
    """The lines of the `cases` table for ``rows`` (from :func:`case_dict`)."""
    if not rows:
        return ["no cases yet"]
    header = ("ID", "PROVIDER", "STATE", "REASON", "OPENED", "LAST ACTIVITY", "NEXT FOLLOW-UP",
              "DEADLINE", "MSGS")
    table = [header] + [(
        str(r["id"]), r["provider"] or "-", r["state"], r["reason"] or "-", r["opened"][:10],
        r["last_activity"][:16].replace("T", " "),
        (r["next_followup"] or "-")[:16].replace("T", " "),
        (r["deadline"] or "-")[:16].replace("T", " ") if r["state"] in OPEN_STATES else "-",
        str(r["messages"]),
    ) for r in rows]
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    lines = []
    for n, row in enumerate(table):
        line = "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        if color:
            code = "1" if n == 0 else STATE_COLORS.get(row[2], "0")
            line = f"\033[{code}m{line}\033[0m"
        lines.append(line)
    return lines


def case_story(store, case) -> dict:
    """`show --json`: the case, its transitions, drafts and notifications."""
    return {
        **case_dict(store, case),
        "transitions": [{"at": t["at"], "from": t["from_state"], "to": t["to_state"],
                         "cause": t["cause"], "message_id": t["message_id"]}
                        for t in store.transitions(case.id)],
        "drafts": [{"kind": d["kind"], "number": d["number"], "state": d["state"],
                    "message_id": d["message_id"], "created": d["created_at"]}
                   for d in store.drafts(case_id=case.id)],
        "notifications": [{"event": n["event"], "state": n["state"], "created": n["created_at"]}
                          for n in store.notifications() if n["case_id"] == case.id],
    }


def case_timeline(store, case) -> list[str]:
    """`show`: a heading, the case's facts, then its messages, changes, drafts and
    notifications in time order."""
    lines = [f"Case {case.id}: {case.provider or 'unknown provider'} — {case.state}"
             + (f" ({case.reason})" if case.reason else "")]
    if case.ticket:
        lines.append(f"  ticket {case.ticket}")
    if case.account_ids:
        lines.append(f"  account ids: {', '.join(case.account_ids)}")
    if case.next_followup_at and case.is_open:
        lines.append(f"  next follow-up due {case.next_followup_at.isoformat()}")
    if case.deadline_at and case.is_open:
        lines.append(f"  deadline ({case.deadline_kind}) {case.deadline_at.isoformat()}: "
                     f"{case.deadline_text}")
    if case.promised_until and case.is_open:
        lines.append("  the provider promised an answer; no follow-up before "
                     f"{case.promised_until.isoformat()}")
    events = []
    for t in store.transitions(case.id):
        arrow = f"{t['from_state'] or '∅'} → {t['to_state']}"
        events.append((t["at"], 0, f"{arrow}: {t['cause']}"))
    for m in store.case_messages(case.id):
        who = "you →" if m.direction == "out" else f"← {m.from_addr or '?'}"
        what = m.category if m.direction == "in" else "sent"
        folder = f" [{m.folder_role}]" if m.folder_role in ("junk",) else ""
        events.append((m.date.isoformat() if m.date else "", 1,
                       f"{who} {what}{folder}: {m.subject or '(no subject)'}"))
    for d in store.drafts(case_id=case.id):
        events.append((d["created_at"], 2, f"draft {d['kind']}"
                       + (f" {d['number']}" if d["number"] else "")
                       + f" {d['state']}: {d['message_id']}"))
    for n in store.notifications():
        if n["case_id"] == case.id:
            events.append((n["created_at"], 3, f"notification {n['event']} {n['state']}"))
    lines.append("")
    for at, _, text in sorted(events):
        lines.append(f"  {at[:16].replace('T', ' ')}  {text}")
    return lines


def current_draft(config: Config, store, case) -> bytes | None:
    """The case's latest draft as it is in the Drafts folder (rendered again if it is gone);
    None when the case has none."""
    drafts = [d for d in store.drafts(case_id=case.id) if d["state"] in ("written", "pending")]
    if not drafts:
        return None
    latest = drafts[-1]
    engine = make_engine(config, store, now=None, dry_run=True)
    try:
        source = next((s for s in engine.sources), None)
        raw = None
        if source is not None and latest["location"]:
            raw = source.read_draft(latest["location"])
        if raw is None and source is not None:
            raw = engine.render(source, case, latest["kind"], latest["number"],
                                latest["answers"], latest["message_id"]).raw
    finally:
        engine.close()  # the IMAP connection read_draft opened
    return raw or b""
