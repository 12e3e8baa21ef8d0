"""Backfill of a large mailbox over IMAP: `appealwatch scan` on a fresh state file against a
Dovecot account holding BENCH_MESSAGES messages (default 20,000: ~95 % INBOX, ~5 % Junk).

Sizes: 60 % 4-16 KB, 30 % 30-120 KB (newsletters, HTML), 10 % 200-800 KB (a base64
attachment); dates within the last 60 days; half of the everyday mail is Chinese.  Ten genuine
suspension notices from services outside the provider registry (Porkbun, Hostinger, Kinsta,
PythonAnywhere, Bitstamp, Ghost, 豆瓣, 小鹅通, 得物, 网易云信; authentication passes) are hidden
among everyday mail from example.* senders, Chinese mail hosts, newsletters and spam.

The mailbox is written straight into the user's Maildir (cur/, owned by the mail uid) and
Dovecot is made to index it with one untimed pass over every message's headers.  Then, all
against the same server and the same (page-cached) files:

  (a) baseline: every full message with imapclient, BODY.PEEK[] in batches of 100;
  (b) baseline: only every message's header, BODY.PEEK[HEADER] in batches of 500
      (measured before and after (c); the faster of the two is used);
  (c) `appealwatch scan` on a fresh state file, as a subprocess, wall time;

and `appealwatch cases --json` must list every hidden notice.  Targets: (a)/(c) >= 5 and
(c)/(b) <= 2.  BENCH_MESSAGES=2000 gives a quick run; BENCH_SCAN_PREFIX="py-spy record
-f raw -o FILE --" runs the scan under a profiler.  Everything is removed at the end.
"""

from __future__ import annotations

import base64
import json
import os
import random
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from email.header import Header
from email.utils import format_datetime
from pathlib import Path

from _benchlib import EXE, Dovecot, auth_pass, exit_on_sigterm, make_mail, result, write_config

USER, PASSWORD = "bench", "pw-bench"
JUNK_SHARE = 0.05
LOOKBACK_DAYS = 60

FIRST = ["Anna", "Ben", "Chloe", "David", "Emma", "Felix", "Grace", "Hugo", "Ines", "Jonas",
         "Kira", "Liam", "Maya", "Noah", "Olga", "Paul", "Rosa", "Sam", "Tara", "Yuki"]
LAST = ["Meyer", "Okafor", "Lindqvist", "Garcia", "Novak", "Tanaka", "Dubois", "Rossi",
        "Kowalski", "Haddad", "Silva", "Murphy", "Chen", "Jensen", "Moreau", "Ivanova"]
DOMAINS = ["example.com", "example.org", "example.net", "mail.example.com", "corp.example.org",
           "shop.example.net", "news.example.com", "lists.example.org", "uni.example.edu"]
TOPICS = ["the quarterly report", "Saturday's hike", "the kitchen renovation", "budget 2026",
          "the conference trip", "our reading group", "project Falcon", "the new laptop",
          "dinner on Friday", "the school fair", "holiday photos", "the flat viewing",
          "migration to Postgres 17", "the team offsite", "your pull request", "tax documents",
          "the wedding playlist", "bike repair", "the garden plan", "release notes 4.2"]
SUBJECTS = ["Re: {t}", "Fwd: {t}", "Question about {t}", "Notes from {t}", "Update on {t}",
            "Your order #{n} has shipped", "Invoice {n} from Example Shop", "Receipt for {t}",
            "Meeting notes {d}", "Reminder: {t} tomorrow", "Photos from {t}",
            "[team] {t}", "Draft: {t}", "Thanks for {t}!", "Agenda for {d}",
            "Your booking confirmation {n}", "Delivery scheduled for {d}"]
NEWSLETTERS = [("Example Weekly", "weekly.example.com"), ("Gardening Digest", "garden.example.org"),
               ("Dev Roundup", "devroundup.example.net"), ("City Events", "events.example.org"),
               ("Recipe Box", "recipes.example.com"), ("Running Club", "run.example.net")]
NEWS_SUBJECTS = ["{nl} #{n}: {t}", "This week: {t}", "{nl}: 5 things about {t}",
                 "Your {nl} for {d}", "{nl} special: {t}"]
SPAM_SUBJECTS = ["You have won a {n} USD gift card", "Cheap meds, no prescription",
                 "Re: your invoice {n} (urgent)", "Hot singles near {t}", "Crypto doubling {n}%",
                 "Last chance: 90% off {t}", "Work from home, earn {n}/week",
                 "Your parcel could not be delivered", "Exclusive offer for {t}"]
# ~1 % of everyday mail has a subject word appealwatch's header filter looks at more closely
TELLING = ["Appeal for the parking ticket", "Road blocked on Main Street", "Re: ticket {n} for "
           "the plumber", "Library card locked?", "Our order is on hold until Monday",
           "School suspended the field trip", "Restored photos from the old disk"]
WORDS = [
    "the", "a", "to", "of", "and", "in", "for", "on", "with", "about", "that", "this", "we",
    "you", "it", "is", "was", "be", "have", "will", "can", "project", "meeting", "report",
    "garden", "weekend", "photos", "team", "plan", "budget", "review", "notes", "agenda",
    "travel", "dinner", "book", "music", "schedule", "update", "question", "thanks", "please",
    "attached", "draft", "version", "release", "server", "client", "office", "coffee",
    "train", "ticket", "hotel", "flight", "museum", "city", "river", "mountain", "bike",
    "run", "recipe", "kitchen", "window", "paint", "table", "chair", "friend", "family",
    "morning", "evening", "tomorrow", "yesterday", "today", "Monday", "Tuesday", "Friday",
    "Saturday", "soon", "later", "maybe", "definitely", "great", "good", "fine", "happy",
    "sorry", "sure", "idea", "issue", "change", "list", "share"
]

# Ten genuine notices from services outside the provider registry (authentication passes for
# their domains): the open-world screen must find them by what any notice has.
NOTICES = [
    ("Junk", "Porkbun <support@porkbun.com>", "porkbun.com",
     "Your domain bench-builder.dev has been suspended",
     "Hello,\n\nThe domain bench-builder.dev in your account has been suspended after reports "
     "that it hosted a phishing page. DNS for the domain no longer resolves.\n\nIf you believe "
     "this was in error, reply to this message with details of the site's content.\n\n"
     "Porkbun Trust & Safety\n"),
    ("INBOX", "Hostinger <noreply@hostinger.com>", "hostinger.com",
     "Action required: hosting plan deactivated",
     "Hi Alex,\n\nWe have deactivated the hosting plan for bench-builder.dev because the "
     "renewal payment failed and the invoice is now 14 days past due.\n\nPay the outstanding "
     "invoice in hPanel to reactivate the plan.\n\nHostinger Billing\n"),
    ("INBOX", "Kinsta <notifications@kinsta.com>", "kinsta.com",
     "Site paused: bench-shop",
     "Hello,\n\nYour site bench-shop has been paused because it was sending spam through our "
     "mail relay, which violates our acceptable use policy.\n\nReply to this email to request "
     "a review.\n\nKinsta Support\n"),
    ("Junk", "PythonAnywhere <support@pythonanywhere.com>", "pythonanywhere.com",
     "Your account has been disabled",
     "Hi benchuser,\n\nWe've disabled your account because we saw many sign-in attempts from "
     "different countries and believe it may be compromised. Reset your password to unlock "
     "it.\n\nThe PythonAnywhere team\n"),
    ("INBOX", "Bitstamp <no-reply@bitstamp.net>", "bitstamp.net",
     "Account restricted pending review",
     "Dear customer,\n\nWithdrawals from your Bitstamp account have been restricted while our "
     "compliance team reviews recent deposits. Please upload proof of the source of funds in "
     "your account settings.\n\nBitstamp Compliance\n"),
    ("Junk", "豆瓣 <noreply@douban.com>", "douban.com", "豆瓣账号封禁通知",
     "你好，\n\n你的豆瓣账号因多次发布违规广告内容，已被封禁。"
     "如有异议，可在30天内提交申诉。\n\n豆瓣\n"),
    ("INBOX", "小鹅通 <service@xiaoe-tech.com>", "xiaoe-tech.com", "【小鹅通】店铺停用提醒",
     "尊敬的商家：\n\n您的店铺因服务已到期且未续费，已于今日被停用，"
     "学员将无法访问课程。请尽快续费以恢复店铺。\n\n小鹅通\n"),
    ("Junk", "得物 <notice@dewu.com>", "dewu.com", "关于您的商家账号被限制的通知",
     "尊敬的商家：\n\n经平台核查，您的店铺存在售假行为，商家账号已被限制提现，相关商品已下架。"
     "如有异议请在7日内提交申诉材料。\n\n得物商家服务中心\n"),
    ("INBOX", "网易云信 <service@yunxin.netease.im>", "yunxin.netease.im",
     "【网易云信】应用停用通知",
     "尊敬的用户：\n\n您的应用因账户余额不足，已被暂停服务，接口调用将返回错误。"
     "充值后服务将自动恢复。\n\n网易云信\n"),
    ("INBOX", "Ghost(Pro) <support@ghost.org>", "ghost.org",
     "Your Ghost(Pro) site has been suspended",
     "Hi Alex,\n\nYour publication at bench.ghost.io has been suspended for a breach of our "
     "terms of service: it was used to send unsolicited bulk email.\n\nYou can appeal this "
     "decision by replying to this email.\n\nGhost Support\n"),
]
# Half of the everyday mail is Chinese: colleagues at a company, friends on Chinese mail hosts,
# newsletters and spam, with encoded subjects.
ZH_NAMES = [("张伟", "zhang.wei"), ("王芳", "wang.fang"), ("李娜", "li.na"),
            ("刘洋", "liu.yang"), ("陈静", "chen.jing"), ("杨磊", "yang.lei"),
            ("赵敏", "zhao.min"), ("黄晓", "huang.xiao")]
ZH_HOSTS = ["qq.com", "163.com", "126.com", "foxmail.com", "example.cn", "corp.example.cn"]
ZH_TOPICS = ["季度报告", "周末爬山", "厨房装修", "2026年预算", "会议出差", "读书会",
             "新笔记本", "周五聚餐", "学校开放日", "旅行照片", "看房安排", "团队建设",
             "发票报销", "版本发布说明"]
ZH_SUBJECTS = ["回复：{t}", "转发：{t}", "关于{t}的问题", "{t}会议纪要", "{t}进展", "提醒：明天{t}",
               "{t}照片", "草稿：{t}", "谢谢你的{t}", "{d}议程", "您的订单 {n} 已发货",
               "{t}的安排"]
ZH_NEWSLETTERS = [("每周精选", "weekly.example.cn"), ("技术周刊", "tech.example.cn"),
                  ("城市活动", "events.example.cn")]
ZH_SPAM = ["恭喜您获得 {n} 元红包", "低价代开发票", "限时特惠：{t} 一折起", "兼职日赚 {n} 元"]
ZH_TELLING = ["停车罚单申诉", "主街道路封闭通知", "借书卡被锁定了？", "学校暂停了春游",
              "旧硬盘照片已恢复"]


def encoded(subject: str) -> str:
    """An RFC 2047 encoded word for a subject that is not ASCII, as mail clients send it."""
    return subject if subject.isascii() else Header(subject, "utf-8").encode()


class Generator:
    """Raw RFC 5322 messages of the wanted sizes, fast (no email package on the hot path)."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        lines, line = [], []
        while len(lines) < 40_000:  # ~2.5 MB of text to take slices from
            line.append(rng.choice(WORDS))
            if sum(len(w) + 1 for w in line) > 66:
                lines.append(" ".join(line).capitalize() + ".")
                line = []
                if rng.random() < 0.15:
                    lines.append("")
        self.text = ("\n".join(lines) + "\n").encode()
        blob = rng.randbytes(1_100_000)
        self.b64 = base64.encodebytes(blob)  # 76-character lines
        self.dkim = base64.b64encode(rng.randbytes(256)).decode()

    def chunk(self, size: int) -> bytes:
        start = self.text.find(b"\n", self.rng.randrange(len(self.text) - size - 200)) + 1
        end = self.text.rfind(b"\n", start, start + size) + 1
        return self.text[start:end if end > start else start + size]

    def b64chunk(self, size: int) -> bytes:
        line = 77
        count = max(1, size // line)
        first = self.rng.randrange(len(self.b64) // line - count)
        return self.b64[first * line:(first + count) * line]

    def headers(self, sender: str, subject: str, date: datetime, mid: str,
                extra: list[str]) -> list[str]:
        domain = sender.rsplit("@", 1)[1].rstrip(">")
        hops = [f"Received: from mx{self.rng.randrange(1, 9)}.{domain} "
                f"(mx.{domain} [192.0.2.{self.rng.randrange(1, 250)}])\n\tby mx.example.net "
                f"(Postfix) with ESMTPS id {self.rng.randrange(16**10):010X}\n\tfor "
                f"<alex@example.net>; {format_datetime(date)}"]
        return [
            f"Return-Path: <bounce-{self.rng.randrange(10**6)}@{domain}>",
            *hops,
            f"Authentication-Results: mx.example.net; dkim=pass header.d={domain}; "
            f"spf=pass smtp.mailfrom={domain}; dmarc=pass header.from={domain}",
            f"DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d={domain}; s=s1;\n"
            f"\th=from:to:subject:date:message-id; bh={self.dkim[:44]};\n"
            f"\tb={self.dkim[:76]}\n\t {self.dkim[76:152]}\n\t {self.dkim[152:228]}",
            f"From: {sender}",
            "To: Alex Chen <alex@example.net>",
            f"Subject: {subject}",
            f"Date: {format_datetime(date)}",
            f"Message-ID: {mid}",
            "MIME-Version: 1.0",
            *extra,
        ]

    def message(self, kind: str, size: int, sender: str, subject: str, date: datetime,
                mid: str, extra: list[str]) -> bytes:
        boundary = f"=_bench_{self.rng.randrange(16**12):012x}"
        if kind == "plain":
            head = self.headers(sender, subject, date, mid, [
                *extra, 'Content-Type: text/plain; charset="utf-8"',
                "Content-Transfer-Encoding: 7bit"])
            top = ("\n".join(head) + "\n\n").encode()
            return top + self.chunk(max(200, size - len(top)))
        if kind == "html":
            head = self.headers(sender, subject, date, mid, [
                *extra, f'Content-Type: multipart/alternative; boundary="{boundary}"'])
            top = ("\n".join(head) + "\n\nThis is a multi-part message in MIME format.\n").encode()
            room = max(400, size - len(top) - 300)
            text = self.chunk(room // 3)
            html = (b"<html><body><div style=\"font-family:sans-serif\"><p>"
                    + self.chunk(room - len(text) - 80).replace(b"\n\n", b"</p>\n<p>")
                    + b"</p></div></body></html>\n")
            return (top + f"--{boundary}\nContent-Type: text/plain; charset=\"utf-8\"\n\n".encode()
                    + text + f"\n--{boundary}\nContent-Type: text/html; charset=\"utf-8\"\n\n"
                    .encode() + html + f"--{boundary}--\n".encode())
        # "attachment": a short text and a base64 file
        head = self.headers(sender, subject, date, mid, [
            *extra, f'Content-Type: multipart/mixed; boundary="{boundary}"'])
        top = ("\n".join(head) + "\n\nThis is a multi-part message in MIME format.\n").encode()
        text = self.chunk(self.rng.randrange(600, 3000))
        name, ctype = self.rng.choice([("report.pdf", "application/pdf"),
                                       ("IMG_2041.jpg", "image/jpeg"),
                                       ("slides.pptx", "application/vnd.openxmlformats-"
                                        "officedocument.presentationml.presentation"),
                                       ("archive.zip", "application/zip")])
        data = self.b64chunk(size - len(top) - len(text) - 400)
        return (top + f"--{boundary}\nContent-Type: text/plain; charset=\"utf-8\"\n\n".encode()
                + text + f"\n--{boundary}\nContent-Type: {ctype}; name=\"{name}\"\n"
                f"Content-Disposition: attachment; filename=\"{name}\"\n"
                "Content-Transfer-Encoding: base64\n\n".encode()
                + data + f"--{boundary}--\n".encode())


def everyday(gen: Generator, rng: random.Random, i: int, folder: str, now: datetime
             ) -> tuple[bytes, datetime]:
    date = now - timedelta(seconds=rng.randrange(LOOKBACK_DAYS * 86400 - 3600))
    r = rng.random()
    size = (rng.randrange(4_000, 16_000) if r < 0.6 else
            rng.randrange(30_000, 120_000) if r < 0.9 else rng.randrange(200_000, 800_000))
    fill = {"t": rng.choice(TOPICS), "n": rng.randrange(1000, 99999),
            "d": date.strftime("%d %b")}
    extra: list[str] = []
    if rng.random() < 0.5:
        sender, subject, extra = chinese_everyday(rng, i, folder, fill)
    elif folder == "Junk":
        shop = rng.choice(["deals", "win", "offers", "promo"])
        tld = rng.choice(["biz", "info", "top"])
        sender = f"{rng.choice(FIRST)} <promo{rng.randrange(999)}@{shop}.example.{tld}>"
        subject = rng.choice(SPAM_SUBJECTS).format(**fill)
    elif rng.random() < 0.25:  # newsletter
        nl, dom = rng.choice(NEWSLETTERS)
        sender = f"{nl} <newsletter@{dom}>"
        subject = rng.choice(NEWS_SUBJECTS).format(nl=nl, **fill)
        extra = [f"List-Id: {nl} <{dom.split('.')[0]}.{dom}>",
                 f"List-Unsubscribe: <https://{dom}/unsubscribe?u={i}>",
                 "Precedence: bulk"]
    else:
        first, last = rng.choice(FIRST), rng.choice(LAST)
        sender = f"{first} {last} <{first.lower()}.{last.lower()}@{rng.choice(DOMAINS)}>"
        subject = (rng.choice(TELLING) if rng.random() < 0.01 else
                   rng.choice(SUBJECTS)).format(**fill)
    kind = ("attachment" if size >= 200_000 else
            "html" if size >= 30_000 or rng.random() < 0.4 else "plain")
    mid = f"<bench.{i}.{rng.randrange(16**8):08x}@{sender.rsplit('@', 1)[1].rstrip('>')}>"
    return gen.message(kind, size, sender, subject, date, mid, extra), date


def chinese_everyday(rng: random.Random, i: int, folder: str, fill: dict
                     ) -> tuple[str, str, list[str]]:
    zh = {"t": rng.choice(ZH_TOPICS), "n": fill["n"], "d": fill["d"]}
    if folder == "Junk":
        host = rng.choice(["cuxiao.example.top", "hongbao.example.biz"])
        return (f"{encoded('优惠中心')} <promo{rng.randrange(999)}@{host}>",
                encoded(rng.choice(ZH_SPAM).format(**zh)), [])
    if rng.random() < 0.25:
        nl, dom = rng.choice(ZH_NEWSLETTERS)
        return (f"{encoded(nl)} <newsletter@{dom}>", encoded(f"{nl}：{zh['t']}"),
                [f"List-Id: <{dom.split('.')[0]}.{dom}>",
                 f"List-Unsubscribe: <https://{dom}/unsubscribe?u={i}>", "Precedence: bulk"])
    name, local = rng.choice(ZH_NAMES)
    subject = (rng.choice(ZH_TELLING) if rng.random() < 0.01 else
               rng.choice(ZH_SUBJECTS).format(**zh))
    return f"{encoded(name)} <{local}@{rng.choice(ZH_HOSTS)}>", encoded(subject), []


def hidden_notices(now: datetime, rng: random.Random) -> list[tuple[str, bytes, datetime, str]]:
    out = []
    for k, (folder, sender, domain, subject, body) in enumerate(NOTICES):
        date = now - timedelta(days=rng.randrange(1, LOOKBACK_DAYS - 2),
                               seconds=rng.randrange(86400))
        mid = f"<hidden-notice-{k}.{rng.randrange(16**8):08x}@{domain}>"
        raw = make_mail(sender=sender, subject=subject, body=body, auth=[auth_pass(domain)],
                        to="Alex Chen <alex@example.net>", message_id=mid, date=date)
        out.append((folder, raw, date, mid))
    return out


def fill_maildir(server: Dovecot, total: int, seed: int = 20_000) -> tuple[list[str], dict]:
    """Write ``total`` messages into the user's Maildir; return the hidden notices'
    Message-IDs and some statistics."""
    rng = random.Random(seed)
    gen = Generator(rng)
    uid, gid, _ = server._mail_owner()
    home = server.maildir / USER / "Maildir"
    dirs = {"INBOX": home / "cur", "Junk": home / ".Junk" / "cur"}
    for d in dirs.values():
        for path in (home, d.parent, *(d.parent / sub for sub in ("cur", "new", "tmp"))):
            if not path.is_dir():  # normally Dovecot made them at the first login
                path.mkdir(mode=0o700)
                os.chown(path, uid, gid)
    now = datetime.now(UTC)
    notices = hidden_notices(now, rng)
    n_notices = min(len(notices), max(1, total // 200))
    notices = notices[:n_notices]
    slots = dict(zip(rng.sample(range(total), n_notices), notices, strict=True))
    stats = {"INBOX": 0, "Junk": 0, "bytes": 0, "small": 0, "medium": 0, "large": 0}
    host = "benchhost"
    t0 = int(time.time())
    for i in range(total):
        if i in slots:
            folder, raw, date, _mid = slots[i]
        else:
            folder = "Junk" if rng.random() < JUNK_SHARE else "INBOX"
            raw, date = everyday(gen, rng, i, folder, now)
        seen = "S" if rng.random() < 0.8 else ""
        name = f"{t0}.M{i:06d}P{os.getpid()}.{host},S={len(raw)}:2,{seen}"
        path = dirs[folder] / name
        with open(path, "wb") as f:
            f.write(raw)
        os.chown(path, uid, gid)
        ts = date.timestamp()
        os.utime(path, (ts, ts))  # Maildir INTERNALDATE is the file's mtime
        stats[folder] += 1
        stats["bytes"] += len(raw)
        size = len(raw)
        stats["small" if size < 25_000 else "medium" if size < 150_000 else "large"] += 1
    return [mid for _f, _r, _d, mid in notices], stats


def uids_of(client, folder: str) -> list[int]:
    client.select_folder(folder, readonly=True)
    return sorted(client.search("ALL"))


def fetch_all(server: Dovecot, item: str, key: bytes, batch: int) -> tuple[float, int, int]:
    """Fetch ``item`` of every message of INBOX and Junk; (seconds, messages, bytes)."""
    t0 = time.perf_counter()
    count = size = 0
    with server.client(USER, timeout=300) as c:
        for folder in ("INBOX", "Junk"):
            uids = uids_of(c, folder)
            for start in range(0, len(uids), batch):
                resp = c.fetch(uids[start:start + batch], [item])
                for data in resp.values():
                    count += 1
                    size += len(data.get(key) or b"")
    return time.perf_counter() - t0, count, size


def main() -> int:
    exit_on_sigterm()
    total = int(os.environ.get("BENCH_MESSAGES", "20000"))
    tmp = Path(tempfile.mkdtemp(prefix="aw-bench-backfill."))
    server = Dovecot(tmp / "imapd", users={USER: PASSWORD})
    try:
        server.start()
        with server.client(USER) as c:  # Dovecot creates the Maildir and its folders
            c.list_folders()
            c.select_folder("Junk", readonly=True)
            c.select_folder("INBOX", readonly=True)
        t0 = time.perf_counter()
        expected, stats = fill_maildir(server, total)
        t_fill = time.perf_counter() - t0
        print(f"mailbox: {total} messages ({stats['INBOX']} INBOX, {stats['Junk']} Junk), "
              f"{stats['bytes'] / 1e9:.2f} GB, mean {stats['bytes'] / total / 1e3:.1f} KB; "
              f"{stats['small']} < 25 KB, {stats['medium']} 25-150 KB, {stats['large']} > 150 KB; "
              f"{len(expected)} hidden notices; written in {t_fill:.1f} s", flush=True)
        t0 = time.perf_counter()
        server.doveadm("force-resync", "-u", USER, "*")
        t_sync = time.perf_counter() - t0
        t_warm, n_warm, _ = fetch_all(server, "BODY.PEEK[HEADER]", b"BODY[HEADER]", 500)
        print(f"Dovecot indexing: force-resync {t_sync:.1f} s, first header pass "
              f"{t_warm:.1f} s ({n_warm} messages; untimed warm-up)", flush=True)
        if n_warm != total:
            raise RuntimeError(f"Dovecot shows {n_warm} messages, {total} were written")

        t_full, n_full, b_full = fetch_all(server, "BODY.PEEK[]", b"BODY[]", 100)
        print(f"(a) baseline full fetch   BODY.PEEK[] x100:       {t_full:7.2f} s  "
              f"({n_full} messages, {b_full / 1e6:.0f} MB)", flush=True)
        t_hdr1, n_hdr, b_hdr = fetch_all(server, "BODY.PEEK[HEADER]", b"BODY[HEADER]", 500)
        print(f"(b) baseline header fetch BODY.PEEK[HEADER] x500: {t_hdr1:7.2f} s  "
              f"({n_hdr} messages, {b_hdr / 1e6:.1f} MB)", flush=True)

        run_dir = tmp / "aw"
        run_dir.mkdir()
        events = run_dir / "events.jsonl"
        cfg = write_config(run_dir, server, USER, notify_command=[
            "sh", "-c", f"(cat; echo) >> {events}"])
        # a profiler to run the scan under, e.g. "py-spy record -f speedscope -o FILE --"
        exe = [*shlex.split(os.environ.get("BENCH_SCAN_PREFIX", "")), *EXE]
        t0 = time.perf_counter()
        scan = subprocess.run([*exe, "--config", str(cfg), "scan"], capture_output=True,
                              text=True, timeout=3600, check=False, stdin=subprocess.DEVNULL)
        t_scan = time.perf_counter() - t0
        summary = [x for x in scan.stderr.splitlines() if x.startswith("scan:")]
        print(f"(c) appealwatch scan (fresh state, subprocess):  {t_scan:7.2f} s  "
              f"exit {scan.returncode}; {summary[-1] if summary else '(no summary line)'}",
              flush=True)
        if scan.returncode != 0 or not summary:
            print("appealwatch scan stderr (tail):\n" + scan.stderr[-3000:], flush=True)
        t_hdr2, _, _ = fetch_all(server, "BODY.PEEK[HEADER]", b"BODY[HEADER]", 500)
        t_hdr = min(t_hdr1, t_hdr2)
        print(f"(b) header fetch again after (c):                 {t_hdr2:7.2f} s  "
              f"(using the faster, {t_hdr:.2f} s)", flush=True)

        cases = subprocess.run([*EXE, "--config", str(cfg), "cases", "--json"],
                               capture_output=True, text=True, timeout=120, check=False)
        rows = json.loads(cases.stdout) if cases.returncode == 0 else []
        listed = {mid for row in rows for mid in row.get("message_ids", [])}
        found = [m for m in expected if m in listed]
        extra_cases = [r for r in rows if not set(r.get("message_ids", [])) & set(expected)]
        n_events = len(events.read_text().splitlines()) if events.exists() else 0
        print(f"hidden notices found: {len(found)}/{len(expected)}; cases: {len(rows)} "
              f"({len(extra_cases)} not about a hidden notice); notifications: {n_events}")
        for m in expected:
            if m not in found:
                print(f"  MISSED {m}")
        for r in extra_cases[:10]:
            print(f"  extra case {r['id']}: {r['provider']} {r['state']} "
                  f"{r.get('message_ids')}")
        if cases.returncode != 0:
            print(f"appealwatch cases failed ({cases.returncode}): {cases.stderr[-1000:]}")
    finally:
        server.close()
        shutil.rmtree(tmp, ignore_errors=True)

    r_full = t_full / t_scan
    r_hdr = t_scan / t_hdr
    ok_full, ok_hdr = r_full >= 5, r_hdr <= 2
    ok_found = len(found) == len(expected) and scan.returncode == 0
    print(f"full/appealwatch = {r_full:.2f} (target >= 5: {'met' if ok_full else 'NOT met'}); "
          f"appealwatch/headers = {r_hdr:.2f} (target <= 2: {'met' if ok_hdr else 'NOT met'}); "
          f"notices found {len(found)}/{len(expected)} ({'met' if ok_found else 'NOT met'})")
    result("backfill_scan_s", t_scan, baseline=t_full, ratio=r_full,
           target="full/scan>=5", met=ok_full)
    result("backfill_scan_vs_headers_s", t_scan, baseline=t_hdr, ratio=r_hdr,
           target="scan/headers<=2", met=ok_hdr)
    result("backfill_notices_found", len(found), baseline=len(expected),
           ratio=len(found) / max(1, len(expected)), target="all", met=ok_found, digits=0)
    return 0 if ok_full and ok_hdr and ok_found else 1


if __name__ == "__main__":
    sys.exit(main())
