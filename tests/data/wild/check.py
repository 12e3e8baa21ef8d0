#!/usr/bin/env python3
"""Validate the independent evaluation set tests/data/wild/ (standard library only).

Reads every labels*.json in this folder (one JSON array of objects per file) and
checks that:
- every messages/*.eml has exactly one label, and every label names an existing file;
- each message parses with email.policy.default without MIME defects, has the
  headers real mail has, a Date with a time zone, a unique Message-ID, and every
  text part (also inside attached message/rfc822 parts) decodes strictly in its
  declared charset;
- an Authentication-Results header, where present, comes from mx.example.net;
- every label has exactly the expected keys and consistent values;
- every cue occurs verbatim in the decoded Subject or text (whitespace folded,
  HTML tags stripped and entities unescaped);
- every source id is defined in a SOURCES*.md table of this folder.

Usage:  python3 tests/data/wild/check.py [--quiet]
Exit status 0 when the set is valid, 1 otherwise.
"""
import collections
import email
import html
import json
import re
import sys
from email import policy
from email.utils import getaddresses, parsedate_to_datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent
MSG_DIR = ROOT / "messages"

KEYS = {"file", "folder", "category", "reason", "decision", "provider", "provider_domain",
        "phishing", "lang", "forwarded", "thread", "cues", "source", "notes"}
FOLDERS = {"INBOX", "Junk"}
CATEGORIES = {"suspension", "ticket_ack", "support_reply", "appeal_decision", "irrelevant"}
REASONS = {"policy", "payment", "security", "system", "unknown"}
DECISIONS = {"restored", "denied"}
LANGS = {"en", "zh"}
AUTHSERV_ID = "mx.example.net"
REQUIRED_HEADERS = ["From", "To", "Subject", "Date", "Message-ID", "MIME-Version",
                    "Content-Type", "Received"]
CJK = re.compile(r"[\u3400-\u9fff]")
SOURCE_ID = re.compile(r"^\|\s*([A-Z]-S\d{2,3})\s*\|", re.M)

errors = []
warnings = []


def err(where, text):
    errors.append("%s: %s" % (where, text))


def warn(where, text):
    warnings.append("%s: %s" % (where, text))


def fold(text):
    return re.sub(r"\s+", " ", text).strip()


def strip_html(text):
    text = re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", text)
    return html.unescape(re.sub(r"<[^>]+>", " ", text))


def decode_part(where, part):
    """Decode one text part strictly; return its text or None."""
    charset = part.get_content_charset() or "us-ascii"
    payload = part.get_payload(decode=True)
    if payload is None:
        err(where, "text part %s has no payload" % part.get_content_type())
        return None
    try:
        text = payload.decode(charset, errors="strict")
    except (LookupError, UnicodeDecodeError) as exc:
        err(where, "text part %s does not decode as %s: %s" % (part.get_content_type(), charset, exc))
        return None
    if not text.strip():
        err(where, "empty %s part" % part.get_content_type())
    return text


def analyse(path):
    where = path.name
    try:
        msg = email.message_from_bytes(path.read_bytes(), policy=policy.default)
    except Exception as exc:  # reported, not raised
        err(where, "does not parse: %r" % exc)
        return None
    raw = path.read_bytes()
    if b"\r\n" in raw:
        err(where, "CRLF line endings (LF expected)")
    for h in REQUIRED_HEADERS:
        if msg.get(h) is None:
            err(where, "missing header %s" % h)
    info = {"msg": msg, "texts": []}
    try:
        dt = parsedate_to_datetime(str(msg["Date"]))
        if dt.tzinfo is None or dt.year not in (2025, 2026):
            err(where, "Date must be in 2025-2026 with a time zone: %s" % msg["Date"])
    except Exception as exc:
        err(where, "unparseable Date %r (%r)" % (msg.get("Date"), exc))
    ar = msg.get_all("Authentication-Results") or []
    for value in ar:
        if str(value).split(";", 1)[0].strip() != AUTHSERV_ID:
            err(where, "Authentication-Results not from %s: %s" % (AUTHSERV_ID, value))
    info["auth"] = str(ar[0]) if ar else ""
    addrs = getaddresses([str(msg.get("From", ""))])
    if not addrs or "@" not in addrs[0][1]:
        err(where, "From has no address")
    info["subject"] = str(msg.get("Subject", ""))
    if not info["subject"].strip():
        err(where, "empty Subject")
    for part in msg.walk():
        for defect in part.defects:
            err(where, "MIME defect in %s: %s" % (part.get_content_type(), type(defect).__name__))
        if part.is_multipart():
            continue
        if part.get_content_type() == "message/rfc822":
            continue
        if part.get_content_maintype() == "text":
            text = decode_part(where, part)
            if text is None:
                continue
            if part.get_content_subtype() == "html":
                text = strip_html(text)
            info["texts"].append(text)
    # headers of attached messages count as text too (a forwarded notice's Subject)
    for part in msg.walk():
        if part.get_content_type() == "message/rfc822":
            inner = part.get_payload(0) if part.is_multipart() else None
            if inner is not None:
                info["texts"].append("Subject: %s" % inner.get("Subject", ""))
    if not info["texts"]:
        err(where, "no text part")
    info["search"] = fold("\n".join([info["subject"], *info["texts"]]))
    info["message_id"] = str(msg.get("Message-ID", "")).strip()
    return info


def load_sources():
    ids = set()
    for md in sorted(ROOT.glob("SOURCES*.md")):
        ids.update(SOURCE_ID.findall(md.read_text(encoding="utf-8")))
    return ids


def check_label(lab, where, infos, source_ids):
    if set(lab) != KEYS:
        err(where, "keys differ: missing %s, extra %s" % (sorted(KEYS - set(lab)), sorted(set(lab) - KEYS)))
        return
    if lab["folder"] not in FOLDERS:
        err(where, "bad folder %r" % lab["folder"])
    if lab["category"] not in CATEGORIES:
        err(where, "bad category %r" % lab["category"])
    if lab["lang"] not in LANGS:
        err(where, "bad lang %r" % lab["lang"])
    for key in ("phishing", "forwarded"):
        if not isinstance(lab[key], bool):
            err(where, "%s must be true/false" % key)
    if lab["category"] == "suspension":
        if lab["reason"] not in REASONS:
            err(where, "suspension needs a reason from %s" % sorted(REASONS))
    elif lab["reason"] is not None:
        err(where, "reason must be null unless category is suspension")
    if lab["category"] == "appeal_decision":
        if lab["decision"] not in DECISIONS:
            err(where, "appeal_decision needs decision restored/denied")
    elif lab["decision"] is not None:
        err(where, "decision must be null unless category is appeal_decision")
    if lab["phishing"] is True and lab["category"] != "suspension":
        err(where, "phishing messages imitate a notice: category must be suspension")
    prov, dom = lab["provider"], lab["provider_domain"]
    if prov is None:
        if lab["category"] != "irrelevant":
            err(where, "provider may only be null for irrelevant mail")
        if dom is not None:
            err(where, "provider_domain must be null when provider is null")
    else:
        if not (isinstance(prov, str) and re.fullmatch(r"[a-z0-9][a-z0-9-]*", prov)):
            err(where, "provider must be a lowercase id, got %r" % prov)
        if not (isinstance(dom, str) and re.fullmatch(r"[a-z0-9-]+(\.[a-z0-9-]+)+", dom)):
            err(where, "provider_domain must be a domain, got %r" % dom)
    th = lab["thread"]
    if th is not None and not (isinstance(th, str) and re.fullmatch(r"[A-Z]\d{2}", th)):
        err(where, "thread must be null or like A01, got %r" % th)
    if not (isinstance(lab["cues"], list) and lab["cues"]
            and all(isinstance(c, str) and c.strip() for c in lab["cues"])):
        err(where, "cues must be a non-empty list of strings")
    if not (isinstance(lab["notes"], str) and lab["notes"].strip()):
        err(where, "notes must be a non-empty string")
    if lab["source"] not in source_ids:
        err(where, "source %r is not defined in a SOURCES*.md" % lab["source"])
    info = infos.get(lab["file"])
    if info is None:
        return
    for cue in lab["cues"] if isinstance(lab["cues"], list) else []:
        if isinstance(cue, str) and fold(cue) not in info["search"]:
            err(where, "cue not found verbatim: %r" % cue)
    cjk = len(CJK.findall(info["search"]))
    if lab["lang"] == "zh" and cjk < 20:
        err(where, "lang zh but only %d CJK characters" % cjk)
    if lab["lang"] == "en" and CJK.search(info["subject"]):
        warn(where, "lang en but the Subject has CJK characters")


def main():
    quiet = "--quiet" in sys.argv
    files = sorted(MSG_DIR.glob("*.eml"))
    if not files:
        err("messages", "no .eml files found")
    infos = {}
    for p in files:
        info = analyse(p)
        if info:
            infos[p.name] = info
    seen_ids = {}
    for name, info in sorted(infos.items()):
        mid = info["message_id"]
        if not re.fullmatch(r"<[^<>\s@]+@[^<>\s@]+>", mid):
            err(name, "malformed Message-ID %r" % mid)
        elif mid in seen_ids:
            err(name, "Message-ID duplicates %s" % seen_ids[mid])
        seen_ids[mid] = name
    source_ids = load_sources()
    if not source_ids:
        err("SOURCES", "no source ids found in SOURCES*.md")
    labelled = {}
    all_labels = []
    label_files = sorted(ROOT.glob("labels*.json"))
    if not label_files:
        err("labels", "no labels*.json found")
    for lf in label_files:
        try:
            labels = json.loads(lf.read_text(encoding="utf-8"))
        except Exception as exc:
            err(lf.name, "cannot be read: %r" % exc)
            continue
        if not isinstance(labels, list):
            err(lf.name, "must be a JSON array")
            continue
        for i, lab in enumerate(labels):
            where = "%s[%d]" % (lf.name, i)
            if not isinstance(lab, dict) or "file" not in lab:
                err(where, "entry is not an object with a file")
                continue
            where = "%s %s" % (lf.name, lab["file"])
            if lab["file"] in labelled:
                err(where, "also labelled in %s" % labelled[lab["file"]])
            labelled[lab["file"]] = lf.name
            if not (MSG_DIR / lab["file"]).exists():
                err(where, "file does not exist")
            check_label(lab, where, infos, source_ids)
            all_labels.append(lab)
    for name in infos:
        if name not in labelled:
            err(name, "no label in any labels*.json")
    if not quiet:
        good = [lab for lab in all_labels if isinstance(lab, dict) and set(lab) == KEYS]

        def show(title, counter):
            print("%s:" % title)
            for k, v in sorted(counter.items(), key=lambda kv: (-kv[1], str(kv[0]))):
                print("  %-26s %3d" % (k, v))

        print("messages: %d   labels: %d" % (len(infos), len(all_labels)))
        show("category", collections.Counter(lab["category"] for lab in good))
        show("reason (suspension)", collections.Counter(
            lab["reason"] for lab in good if lab["category"] == "suspension"))
        show("decision", collections.Counter(
            lab["decision"] for lab in good if lab["category"] == "appeal_decision"))
        show("lang", collections.Counter(lab["lang"] for lab in good))
        show("folder", collections.Counter(lab["folder"] for lab in good))
        print("phishing: %d   forwarded: %d" % (sum(lab["phishing"] is True for lab in good),
                                                  sum(lab["forwarded"] is True for lab in good)))
        provs = collections.Counter(lab["provider"] for lab in good if lab["provider"])
        print("distinct providers: %d" % len(provs))
        show("provider", provs)
    for w in warnings:
        print("WARNING " + w)
    if errors:
        for e in errors:
            print("ERROR " + e)
        print("FAILED: %d error(s)" % len(errors))
        return 1
    print("OK: %d messages valid" % len(infos))
    return 0


if __name__ == "__main__":
    sys.exit(main())
