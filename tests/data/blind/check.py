#!/usr/bin/env python3
"""Validate the blind evaluation set for appealwatch (standard library only).

For every messages/NNN.eml this script
  * parses the file with email.message_from_binary_file(..., policy=email.policy.default),
  * checks the required RFC 5322 headers and that the topmost Authentication-Results
    header comes from authserv-id mx.example.org,
  * decodes every text/* part strictly with its declared charset,
  * strips HTML to text and checks that every cue in labels.json appears verbatim
    (whitespace runs collapsed to one space) in the decoded Subject or in the text,
  * checks that the labels are complete and consistent (schema of
    /work/shared/corpus/README.md), that sender domains and authentication agree with
    the phishing flag, and that threads are well formed.
It then prints counts. Exit status 1 on any error.

Usage:  python3 check.py [--quiet]
"""
import collections
import email
import html
import json
import re
import sys
from email import policy
from email.utils import getaddresses, parsedate_to_datetime
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent
MSG_DIR = ROOT / "messages"
LABELS = ROOT / "labels.json"

KEYS = ["file", "folder", "category", "reason", "decision", "provider",
        "phishing", "lang", "thread", "cues", "notes"]
FOLDERS = {"INBOX", "Junk"}
CATEGORIES = {"suspension", "ticket_ack", "support_reply", "appeal_decision", "irrelevant"}
REASONS = {"policy", "payment", "security", "system", "unknown"}
DECISIONS = {"restored", "denied"}
LANGS = {"en", "zh"}
OWNERS = {"kim.park@example.org", "zhang.min@example.com.cn"}
AUTHSERV_ID = "mx.example.org"
REQUIRED_HEADERS = ["Return-Path", "Received", "Authentication-Results", "From", "To",
                    "Subject", "Date", "Message-ID", "MIME-Version", "Content-Type"]
THREAD_RE = re.compile(r"^B\d\d$")

# Sender domains accepted for genuine mail from each provider (suffix match).
PROVIDER_DOMAINS = {
    "openai": ["openai.com"],
    "anthropic": ["anthropic.com"],
    "google": ["google.com"],
    "github": ["github.com"],
    "microsoft": ["microsoft.com"],
    "meta": ["facebookmail.com", "facebook.com", "meta.com"],
    "paypal": ["paypal.com"],
    "amazon": ["amazon.com"],
    "apple": ["apple.com"],
    "stripe": ["stripe.com"],
    "discord": ["discord.com"],
    "aliyun": ["aliyun.com"],
    "tencent": ["tencent.com", "qq.com"],
    "alipay": ["alipay.com"],
}
CJK = re.compile(r"[\u3400-\u9fff]")

errors = []


def err(where, text):
    errors.append("%s: %s" % (where, text))


def norm(text):
    return re.sub(r"\s+", " ", text).strip()


class _Stripper(HTMLParser):
    BLOCK = {"p", "br", "div", "tr", "td", "th", "li", "ul", "ol", "table", "h1", "h2", "h3",
             "blockquote", "pre", "title"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "head"):
            self.skip += 1
        elif tag in self.BLOCK:
            self.out.append("\n")

    def handle_endtag(self, tag):
        if tag in ("script", "style", "head"):
            self.skip = max(0, self.skip - 1)
        elif tag in self.BLOCK:
            self.out.append("\n")

    def handle_data(self, data):
        if not self.skip:
            self.out.append(data)


def strip_html(markup):
    p = _Stripper()
    p.feed(markup)
    p.close()
    return html.unescape("".join(p.out))


def domain_of(address):
    return address.rsplit("@", 1)[-1].lower().strip(">") if "@" in address else ""


def domain_matches(domain, allowed):
    return any(domain == d or domain.endswith("." + d) for d in allowed)


def top_auth(msg):
    """Results of the topmost Authentication-Results header (the receiving MX)."""
    values = msg.get_all("Authentication-Results") or []
    if not values:
        return None, {}
    top = str(values[0])
    authserv = top.split(";", 1)[0].strip()
    res = {}
    for method in ("spf", "dkim", "dmarc"):
        m = re.search(r"\b%s=(\w+)" % method, top)
        res[method] = m.group(1).lower() if m else None
    return authserv, res


def text_of(msg, where):
    """Concatenated decoded text of all text/* parts, HTML stripped; plus part summary."""
    chunks, kinds = [], []
    for part in msg.walk():
        if part.is_multipart():
            continue
        ctype = part.get_content_type()
        cte = str(part.get("Content-Transfer-Encoding", "7bit")).lower()
        if not ctype.startswith("text/"):
            kinds.append((ctype, None, cte))
            continue
        charset = part.get_content_charset() or "us-ascii"
        raw = part.get_payload(decode=True) or b""
        try:
            raw.decode(charset, errors="strict")
        except (UnicodeDecodeError, LookupError) as exc:
            err(where, "part %s does not decode strictly as %s: %s" % (ctype, charset, exc))
        try:
            content = part.get_content()
        except Exception as exc:  # noqa: BLE001 - report any decoding failure
            err(where, "cannot decode %s part: %s" % (ctype, exc))
            continue
        kinds.append((ctype, charset.lower(), cte))
        chunks.append(strip_html(content) if ctype == "text/html" else content)
    return "\n".join(chunks), kinds


def main():
    quiet = "--quiet" in sys.argv
    labels = json.loads(LABELS.read_text(encoding="utf-8"))
    files = sorted(p.name for p in MSG_DIR.glob("*.eml"))
    by_file = {}
    for lab in labels:
        f = lab.get("file")
        if f in by_file:
            err(f, "duplicate label")
        by_file[f] = lab
    for f in files:
        if f not in by_file:
            err(f, "no label")
    for f in by_file:
        if f not in files:
            err(f, "label without message file")
    expected_names = ["%03d.eml" % i for i in range(1, len(files) + 1)]
    if files != expected_names:
        err("messages", "files are not numbered 001..%03d contiguously" % len(files))

    info = {}
    id_to_file = {}
    stats = collections.defaultdict(collections.Counter)
    prev_date = None
    for f in files:
        where = f
        with open(MSG_DIR / f, "rb") as fh:
            msg = email.message_from_binary_file(fh, policy=policy.default)
        for h in REQUIRED_HEADERS:
            if msg[h] is None:
                err(where, "missing header %s" % h)
        delivered = str(msg.get("Delivered-To", "")).lower()
        if delivered not in OWNERS:
            err(where, "Delivered-To %r is not a mailbox owner" % delivered)
        authserv, auth = top_auth(msg)
        if authserv != AUTHSERV_ID:
            err(where, "topmost Authentication-Results authserv-id is %r" % authserv)
        try:
            date = parsedate_to_datetime(str(msg["Date"]))
        except (TypeError, ValueError):
            err(where, "bad Date header")
            date = None
        if date is not None and prev_date is not None and date < prev_date:
            err(where, "not in date order (earlier than the previous file)")
        prev_date = date or prev_date
        subject = str(msg.get("Subject", ""))
        text, kinds = text_of(msg, where)
        mid = str(msg.get("Message-ID", "")).strip()
        if mid in id_to_file:
            err(where, "duplicate Message-ID (also in %s)" % id_to_file[mid])
        id_to_file[mid] = f
        refs = re.findall(r"<[^<>]+>", " ".join(str(msg.get(h, "")) for h in ("In-Reply-To", "References")))
        from_addr = getaddresses([str(msg.get("From", ""))])[0][1]
        info[f] = dict(msg=msg, subject=subject, text=text, auth=auth, date=date, refs=refs,
                       from_dom=domain_of(from_addr), kinds=kinds, owner=delivered,
                       ar_count=len(msg.get_all("Authentication-Results") or []))
        stats["content_type"][msg.get_content_type()] += 1
        for ctype, charset, cte in kinds:
            if charset:
                stats["charset"][charset] += 1
            stats["transfer_encoding"][cte] += 1
        raw_subject = (MSG_DIR / f).read_bytes().split(b"\n\n", 1)[0]
        if re.search(rb"^Subject:\s*=\?", raw_subject, re.M | re.I):
            stats["rfc2047_subject"]["yes"] += 1
        stats["owner"][delivered] += 1

    for f in files:
        lab = by_file.get(f)
        if lab is None:
            continue
        i = info[f]
        where = f
        if list(lab.keys()) != KEYS:
            err(where, "label keys %s differ from schema %s" % (list(lab.keys()), KEYS))
        cat = lab.get("category")
        if lab.get("folder") not in FOLDERS:
            err(where, "bad folder %r" % lab.get("folder"))
        if cat not in CATEGORIES:
            err(where, "bad category %r" % cat)
        if lab.get("lang") not in LANGS:
            err(where, "bad lang %r" % lab.get("lang"))
        if (cat == "suspension") != (lab.get("reason") in REASONS):
            err(where, "reason %r inconsistent with category %s" % (lab.get("reason"), cat))
        if cat != "suspension" and lab.get("reason") is not None:
            err(where, "reason must be null outside suspension")
        if (cat == "appeal_decision") != (lab.get("decision") in DECISIONS):
            err(where, "decision %r inconsistent with category %s" % (lab.get("decision"), cat))
        if cat != "appeal_decision" and lab.get("decision") is not None:
            err(where, "decision must be null outside appeal_decision")
        if not isinstance(lab.get("phishing"), bool):
            err(where, "phishing must be a boolean")
        prov = lab.get("provider")
        if prov is not None and prov not in PROVIDER_DOMAINS:
            err(where, "unknown provider %r" % prov)
        if prov is None and cat != "irrelevant":
            err(where, "provider may be null only for irrelevant mail")
        thread = lab.get("thread")
        if lab.get("phishing"):
            if cat != "suspension":
                err(where, "phishing must have category suspension")
            if thread is not None:
                err(where, "phishing must have thread null")
        elif cat == "irrelevant":
            if thread is not None:
                err(where, "irrelevant mail must have thread null")
        elif not (isinstance(thread, str) and THREAD_RE.match(thread)):
            err(where, "genuine case mail needs a thread id like B01, got %r" % thread)
        # language
        cjk = len(CJK.findall(i["subject"] + i["text"]))
        if lab.get("lang") == "zh" and cjk < 10:
            err(where, "lang zh but only %d CJK characters" % cjk)
        if lab.get("lang") == "en" and CJK.search(i["text"]):
            err(where, "lang en but the text contains CJK characters")
        # folder vs spam headers
        flagged = str(i["msg"].get("X-Spam-Flag", "")).upper() == "YES"
        if flagged != (lab.get("folder") == "Junk"):
            err(where, "X-Spam-Flag does not match folder %s" % lab.get("folder"))
        # cues
        cues = lab.get("cues")
        if not isinstance(cues, list) or not cues:
            err(where, "cues must be a non-empty list")
            cues = []
        hay = norm(i["subject"]) + "\n" + norm(i["text"])
        for cue in cues:
            if norm(cue) not in hay:
                err(where, "cue not found in decoded subject/text: %r" % cue)
        if not isinstance(lab.get("notes"), str) or not lab["notes"].strip():
            err(where, "notes missing")
        # sender domain and authentication
        dom, dmarc = i["from_dom"], i["auth"].get("dmarc")
        if prov in PROVIDER_DOMAINS:
            legit = domain_matches(dom, PROVIDER_DOMAINS[prov])
            if lab.get("phishing"):
                if legit and dmarc == "pass":
                    err(where, "phishing but From %s is the provider's and DMARC passes" % dom)
            elif cat != "irrelevant":
                if not legit:
                    err(where, "genuine %s mail from unexpected domain %s" % (prov, dom))
                elif dmarc != "pass":
                    err(where, "genuine provider mail with dmarc=%s" % dmarc)
            elif legit and dmarc != "pass":
                err(where, "provider mail (irrelevant) with dmarc=%s" % dmarc)
        # reply headers stay within one thread; irrelevant/phishing never point into a case
        for ref in i["refs"]:
            other = id_to_file.get(ref)
            if other is None:
                continue
            olab = by_file.get(other, {})
            if thread is None or olab.get("thread") != thread:
                err(where, "References/In-Reply-To point at %s (thread %r) from thread %r"
                    % (other, olab.get("thread"), thread))
            if other >= f:
                err(where, "refers to a later message %s" % other)

    # thread structure: one suspension notice per thread, and it comes first
    threads = collections.defaultdict(list)
    for f in files:
        lab = by_file.get(f)
        if lab and lab.get("thread"):
            threads[lab["thread"]].append(f)
    for t, members in sorted(threads.items()):
        cats = [by_file[f]["category"] for f in members]
        if cats.count("suspension") != 1:
            err(t, "thread must contain exactly one suspension notice, has %d" % cats.count("suspension"))
        elif cats[0] != "suspension":
            err(t, "thread does not start with its suspension notice")
        if cats.count("appeal_decision") > 1:
            err(t, "more than one appeal decision")
        if "appeal_decision" in cats and cats[-1] != "appeal_decision":
            err(t, "messages after the final decision")
        provs = {by_file[f]["provider"] for f in members}
        if len(provs) != 1:
            err(t, "thread mixes providers %s" % provs)
        owners = {info[f]["owner"] for f in members}
        if len(owners) != 1:
            err(t, "thread spans mailboxes %s" % owners)

    # ---------------------------------------------------------------- report
    if not quiet:
        c = collections.Counter
        labs = [by_file[f] for f in files if f in by_file]
        print("messages: %d" % len(files))
        for key in ("category", "reason", "decision", "lang", "folder", "phishing", "provider"):
            print("%-10s %s" % (key + ":", dict(sorted(c(str(l.get(key)) for l in labs).items()))))
        print("category x lang:", dict(sorted(c("%s/%s" % (l["category"], l["lang"]) for l in labs).items())))
        print("phishing x lang:", dict(sorted(c(l["lang"] for l in labs if l["phishing"]).items())))
        print("genuine notices in Junk:", sum(1 for l in labs if l["category"] == "suspension"
                                               and not l["phishing"] and l["folder"] == "Junk"))
        for key in ("owner", "content_type", "charset", "transfer_encoding", "rfc2047_subject"):
            print("%-18s %s" % (key + ":", dict(sorted(stats[key].items()))))
        print("threads: %d" % len(threads))
        for t, members in sorted(threads.items()):
            shape = " -> ".join("%s:%s" % (f[:3], by_file[f]["category"].replace("appeal_decision", "decision")
                                          .replace("support_reply", "reply").replace("ticket_ack", "ack")
                                          .replace("suspension", "notice")) for f in members)
            lab0 = by_file[members[0]]
            dec = [by_file[f]["decision"] for f in members if by_file[f]["decision"]]
            print("  %s %-9s %-8s %s  [%s]" % (t, lab0["provider"], lab0["reason"], shape,
                                              dec[0] if dec else "open"))
    if errors:
        print("\n%d error(s):" % len(errors))
        for e in errors:
            print("  " + e)
        return 1
    print("\nOK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
