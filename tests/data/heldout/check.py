#!/usr/bin/env python3
"""Validate the held-out evaluation set (standard library only).

    python3 check.py        # exit status 1 on any error

Parses every messages/*.eml with email.policy.default, decodes all text parts, checks
labels.json against the schema and verifies that every cue appears verbatim (whitespace
collapsed) in the decoded Subject or in a decoded text part (HTML parts after tag stripping).
"""
import collections
import email
import email.policy
import email.utils
import html.parser
import json
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent
OWNERS = {"sam.rivera@example.com", "li.wei@example.cn"}
CATEGORIES = {"suspension", "ticket_ack", "support_reply", "appeal_decision", "irrelevant"}
REASONS = {"policy", "payment", "security", "system", "unknown"}
DECISIONS = {"restored", "denied"}
FOLDERS = {"INBOX", "Junk"}
KEYS = ["file", "folder", "category", "reason", "decision", "provider", "phishing", "lang", "thread", "cues", "notes"]
PROVIDER_DOMAINS = {
    "openai": ["openai.com"],
    "anthropic": ["anthropic.com"],
    "google": ["google.com"],
    "github": ["github.com"],
    "microsoft": ["microsoft.com"],
    "meta": ["facebookmail.com", "facebook.com", "meta.com"],
    "paypal": ["paypal.com"],
    "amazon": ["amazon.com", "amazonaws.com"],
    "apple": ["apple.com"],
    "stripe": ["stripe.com"],
    "discord": ["discord.com"],
    "aliyun": ["aliyun.com", "alibabacloud.com"],
    "tencent": ["tencent.com", "qq.com"],
    "alipay": ["alipay.com"],
}
REQUIRED_HEADERS = ["Return-Path", "Delivered-To", "Received", "Authentication-Results", "From", "To",
                    "Subject", "Date", "Message-ID", "MIME-Version", "Content-Type"]


def domain_of(address):
    return address.rsplit("@", 1)[-1].lower().strip(">")


def under(dom, parents):
    return any(dom == p or dom.endswith("." + p) for p in parents)


def provider_of(dom):
    for prov, doms in PROVIDER_DOMAINS.items():
        if under(dom, doms):
            return prov
    return None


class Stripper(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out, self.hrefs, self.skip = [], [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "head"):
            self.skip += 1
        if tag == "a":
            self.hrefs.extend(v for k, v in attrs if k == "href" and v)
        self.out.append(" ")

    def handle_endtag(self, tag):
        if tag in ("script", "style", "head"):
            self.skip = max(0, self.skip - 1)
        self.out.append(" ")

    def handle_data(self, data):
        if not self.skip:
            self.out.append(data)


def norm(s):
    return re.sub(r"\s+", " ", s).strip()


def auth_results(msg):
    """Return (authserv-id, {method: result}) of the topmost Authentication-Results header."""
    values = msg.get_all("Authentication-Results") or []
    if not values:
        return None, {}
    top = str(values[0])
    serv = top.split(";", 1)[0].strip()
    res = {k.lower(): v.lower() for k, v in re.findall(r"\b(spf|dkim|dmarc)=(\w+)", top)}
    return serv, res


def main():
    errors = []

    def err(name, text):
        errors.append("%s: %s" % (name, text))

    labels = json.loads((ROOT / "labels.json").read_text(encoding="utf-8"))
    by_file = {}
    for lab in labels:
        if list(lab.keys()) != KEYS:
            err(lab.get("file"), "label keys %s" % list(lab.keys()))
        if lab["file"] in by_file:
            err(lab["file"], "duplicate label")
        by_file[lab["file"]] = lab
    files = sorted(p.name for p in (ROOT / "messages").glob("*.eml"))
    for name in files:
        if name not in by_file:
            err(name, "no label")
    for name in by_file:
        if name not in files:
            err(name, "label without message file")
    if files != ["%03d.eml" % i for i in range(1, len(files) + 1)]:
        err("messages", "files are not numbered 001..%03d without gaps" % len(files))

    threads = collections.defaultdict(list)
    last_date = None
    for name in files:
        lab = by_file.get(name)
        if lab is None:
            continue
        raw = (ROOT / "messages" / name).read_bytes()
        if b"\r" in raw:
            err(name, "CR characters (expected LF line endings)")
        with open(ROOT / "messages" / name, "rb") as fh:
            msg = email.message_from_binary_file(fh, policy=email.policy.default)
        for h in REQUIRED_HEADERS:
            if msg[h] is None:
                err(name, "missing header %s" % h)
        for d in msg.defects:
            err(name, "defect %r" % d)
        date = email.utils.parsedate_to_datetime(str(msg["Date"]))
        if last_date and date < last_date:
            err(name, "not in date order")
        last_date = date
        delivered = str(msg["Delivered-To"]).strip().lower()
        if delivered not in OWNERS:
            err(name, "Delivered-To %s is not a mailbox owner" % delivered)
        serv, ar = auth_results(msg)
        if serv != "mx.example.net":
            err(name, "topmost Authentication-Results authserv-id is %r" % serv)

        # ---- decode subject and text parts
        subject = str(msg["Subject"] or "")
        texts, hrefs = [subject], []
        for part in msg.walk():
            if part.is_multipart():
                continue
            ctype = part.get_content_type()
            if part.get_content_maintype() != "text":
                continue
            try:
                content = part.get_content()
            except Exception as exc:  # noqa: BLE001 - report any decode failure
                err(name, "cannot decode %s part: %s" % (ctype, exc))
                continue
            for d in part.defects:
                err(name, "part defect %r" % d)
            if ctype == "text/html":
                s = Stripper()
                s.feed(content)
                texts.append("".join(s.out))
                hrefs.extend(s.hrefs)
            else:
                texts.append(content)
                hrefs.extend(re.findall(r"https?://[^\s<>\"]+", content))
        haystack = norm("\n".join(texts))
        if len(haystack) < 20:
            err(name, "decoded text is (almost) empty")

        # ---- label schema
        cat = lab["category"]
        if lab["folder"] not in FOLDERS:
            err(name, "folder %r" % lab["folder"])
        if cat not in CATEGORIES:
            err(name, "category %r" % cat)
        if (cat == "suspension") != (lab["reason"] is not None) or (lab["reason"] and lab["reason"] not in REASONS):
            err(name, "reason %r for category %s" % (lab["reason"], cat))
        if (cat == "appeal_decision") != (lab["decision"] is not None) or (
                lab["decision"] and lab["decision"] not in DECISIONS):
            err(name, "decision %r for category %s" % (lab["decision"], cat))
        if lab["provider"] is not None and lab["provider"] not in PROVIDER_DOMAINS:
            err(name, "unknown provider %r" % lab["provider"])
        if lab["provider"] is None and cat != "irrelevant":
            err(name, "provider null outside irrelevant")
        if not isinstance(lab["phishing"], bool):
            err(name, "phishing must be boolean")
        if lab["phishing"] and cat != "suspension":
            err(name, "phishing must have category suspension")
        if lab["lang"] not in ("en", "zh"):
            err(name, "lang %r" % lab["lang"])
        has_cjk = bool(re.search(r"[\u4e00-\u9fff]", haystack))
        if has_cjk != (lab["lang"] == "zh"):
            err(name, "lang %s does not match text" % lab["lang"])
        if cat == "irrelevant" or lab["phishing"]:
            if lab["thread"] is not None:
                err(name, "thread must be null for irrelevant/phishing")
        elif not (isinstance(lab["thread"], str) and re.fullmatch(r"H\d\d", lab["thread"])):
            err(name, "thread %r" % lab["thread"])
        if lab["thread"]:
            threads[lab["thread"]].append((name, lab))
        if not (1 <= len(lab["cues"]) <= 3):
            err(name, "expected 1-3 cues, got %d" % len(lab["cues"]))
        for cue in lab["cues"]:
            if norm(cue) not in haystack:
                err(name, "cue not found: %r" % cue)
        if not lab["notes"]:
            err(name, "empty notes")

        # ---- sender authenticity
        from_addr = email.utils.parseaddr(str(msg["From"]))[1]
        fdom = domain_of(from_addr)
        fprov = provider_of(fdom)
        passes = ar.get("spf") == "pass" and ar.get("dkim") == "pass" and ar.get("dmarc") == "pass"
        if lab["phishing"]:
            foreign_links = [u for u in hrefs if lab["provider"] and provider_of(
                re.sub(r"^https?://([^/:?#]+).*", r"\1", u).lower()) != lab["provider"]]
            if fprov == lab["provider"] and passes and not foreign_links:
                err(name, "phishing label but nothing betrays it (domain, auth, links)")
        elif lab["provider"] is not None and fprov is not None:
            if fprov != lab["provider"]:
                err(name, "From domain %s belongs to %s, label says %s" % (fdom, fprov, lab["provider"]))
            if not passes:
                err(name, "genuine provider mail without spf/dkim/dmarc=pass: %s" % ar)
            d_dom = re.search(r"dmarc=\w+.*?header\.from=([\w.-]+)", str(msg.get_all("Authentication-Results")[0]))
            if d_dom and not under(d_dom.group(1).lower(), PROVIDER_DOMAINS[fprov]):
                err(name, "dmarc header.from %s not aligned with %s" % (d_dom.group(1), fprov))
        elif lab["provider"] is not None and cat != "irrelevant":
            err(name, "genuine %s mail from non-provider domain %s" % (lab["provider"], fdom))

    # ---- thread consistency
    for tid, items in sorted(threads.items()):
        provs = {lab["provider"] for _, lab in items}
        if len(provs) != 1:
            err(tid, "mixed providers %s" % provs)
        cats = [lab["category"] for _, lab in items]
        if cats.count("suspension") > 1:
            err(tid, "more than one notice")
        if cats.count("appeal_decision") > 1:
            err(tid, "more than one decision")

    # ---- report
    def show(title, counter):
        print("%-10s %s" % (title + ":", ", ".join("%s=%d" % (k, v) for k, v in sorted(counter.items(), key=str))))
    print("messages:  %d" % len(files))
    show("category", collections.Counter(l["category"] for l in labels))
    show("lang", collections.Counter(l["lang"] for l in labels))
    show("cat/lang", collections.Counter("%s/%s" % (l["category"], l["lang"]) for l in labels))
    show("folder", collections.Counter(l["folder"] for l in labels))
    show("phishing", collections.Counter(l["phishing"] for l in labels))
    show("reason", collections.Counter(l["reason"] for l in labels
                                       if l["category"] == "suspension" and not l["phishing"]))
    show("decision", collections.Counter(l["decision"] for l in labels if l["decision"]))
    show("provider", collections.Counter(l["provider"] for l in labels))
    print("threads:")
    for tid, items in sorted(threads.items()):
        lab0 = items[0][1]
        outcome = next((l["decision"] for _, l in items if l["decision"]), "open")
        reason = next((l["reason"] for _, l in items if l["reason"]), "-")
        print("  %s %-9s %-8s %s  [%s]" % (tid, lab0["provider"], reason,
                                          " -> ".join("%s(%s)" % (n[:3], l["category"][:5]) for n, l in items),
                                          outcome))
    if errors:
        print("\n%d error(s):" % len(errors))
        for e in errors:
            print("  " + e)
        return 1
    print("\nOK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
