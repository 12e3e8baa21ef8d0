#!/usr/bin/env python3
"""Generator for the appealwatch held-out evaluation set (standard library only).

    python3 make.py      # rewrites messages/*.eml and labels.json next to this file

All people, ids, amounts and addresses are invented. IPs come from the documentation
ranges. Every message text was written for this set; see labels.json for the ground truth.
"""
import base64
import datetime
import email.utils
import hashlib
import html
import json
import pathlib
import quopri
import re

HERE = pathlib.Path(__file__).resolve().parent
MX = "mx.example.net"
USERS = {
    "sam": ("Sam Rivera", "sam.rivera@example.com"),
    "li": ("Li Wei", "li.wei@example.cn"),
}
USER_ZH_NAME = {"li": "李伟"}
MSGS = []


def M(key, **kw):
    kw["key"] = key
    MSGS.append(kw)


def hx(s, n=8):
    return hashlib.sha256(s.encode()).hexdigest()[:n]


def b64s(s, n):
    raw = b"".join(hashlib.sha512(("%s/%d" % (s, i)).encode()).digest() for i in range(n // 80 + 1))
    return base64.b64encode(raw).decode()[:n]


# ---------------------------------------------------------------- headers
def _ew1(s, cs, mode):
    b = s.encode(cs)
    if mode == "B":
        p = base64.b64encode(b).decode()
    else:
        p = "".join(chr(c) if (48 <= c <= 57 or 65 <= c <= 90 or 97 <= c <= 122)
                    else "_" if c == 32 else "=%02X" % c for c in b)
    return "=?%s?%s?%s?=" % (cs.upper(), mode, p)


def ew(s, cs="utf-8", mode="B", maxlen=70):
    """RFC 2047 encode a whole phrase, splitting only on character boundaries."""
    if s.isascii():
        return s
    words, cur = [], ""
    for ch in s:
        if cur and len(_ew1(cur + ch, cs, mode)) > maxlen:
            words.append(_ew1(cur, cs, mode))
            cur = ch
        else:
            cur += ch
    words.append(_ew1(cur, cs, mode))
    return "\n ".join(words)


def addr(name, address, cs="utf-8", mode="B"):
    if not name:
        return address
    if not name.isascii():
        # one encoded word only: some parsers insert a space between adjacent words in a phrase
        word = _ew1(name, cs, mode)
        if len(word) > 75:
            word = _ew1(name, cs, "B")
        assert len(word) <= 75, name
        return "%s <%s>" % (word, address)
    if re.search(r'[()<>\[\]:;@\\,."]', name):
        return '"%s" <%s>' % (name.replace('"', '\\"'), address)
    return "%s <%s>" % (name, address)


def ip_for(dom, salt=""):
    n = int(hx(dom + salt, 6), 16)
    net = ["192.0.2", "198.51.100", "203.0.113"][n % 3]
    return "%s.%d" % (net, 10 + n % 240)


SPF_TXT = {
    "pass": "({serv}: domain of {mf} designates {ip} as permitted sender)",
    "fail": "({serv}: domain of {mf} does not designate {ip} as permitted sender)",
    "softfail": "({serv}: domain of transitioning {mf} does not designate {ip} as permitted sender)",
    "neutral": "({serv}: {ip} is neither permitted nor denied by domain of {mf})",
    "none": "({serv}: domain of {mf} has no SPF record)",
}


def ar_header(authserv, mf, ip, fromdom, spf, dkim, dmarc, dkim_d, sel, policy):
    parts = []
    if dkim == "none":
        parts.append("dkim=none (message not signed)")
    else:
        why = "2048-bit key; unprotected" if dkim == "pass" else "signature verification failed"
        parts.append("dkim=%s (%s) header.d=%s header.i=@%s header.s=%s header.b=%s"
                     % (dkim, why, dkim_d, dkim_d, sel, b64s(dkim_d + sel + mf, 8)))
    parts.append("spf=%s %s smtp.mailfrom=%s" % (spf, SPF_TXT[spf].format(mf=mf, ip=ip, serv=authserv), mf))
    if dmarc == "none":
        parts.append("dmarc=none (p=NONE dis=NONE) header.from=%s" % fromdom)
    else:
        parts.append("dmarc=%s (p=%s sp=%s dis=NONE) header.from=%s" % (dmarc, policy, policy, fromdom))
    return "Authentication-Results: %s;\n\t%s" % (authserv, ";\n\t".join(parts))


def dkim_sig(d, sel, ts, seed):
    b = b64s(seed + "b", 344)
    lines = [b[i:i + 64] for i in range(0, len(b), 64)]
    return ("DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=%s;\n\ts=%s; t=%d;\n"
            "\th=from:to:subject:date:message-id:mime-version:content-type;\n\tbh=%s;\n\tb=%s"
            % (d, sel, ts, b64s(seed + "bh", 43) + "=", "\n\t ".join(lines)))


# ---------------------------------------------------------------- bodies
BTN = re.compile(r"\[\[(.+?)\|(.+?)\]\]")
URL = re.compile(r"(https?://[^\s<>\"]+[^\s<>\".,;:)）。，])")


def plain_of(text):
    def r(m):
        label, url = m.group(1), m.group(2)
        return url if label == url else "%s: %s" % (label, url)
    return BTN.sub(r, text)


STYLES = {
    "card": ('<!DOCTYPE html>\n<html lang="{lang}">\n<head><meta charset="{cs}">'
             '<meta name="viewport" content="width=device-width, initial-scale=1"></head>\n'
             '<body style="margin:0;background:#f2f3f5">\n'
             '<table role="presentation" width="100%" cellpadding="0" cellspacing="0"><tr><td align="center" style="padding:24px 0">\n'
             '<table role="presentation" width="600" cellpadding="0" cellspacing="0" style="background:#ffffff;border-radius:6px;'
             'font-family:Helvetica,Arial,sans-serif;font-size:15px;line-height:1.55;color:#1f2328">\n'
             '{brand}<tr><td style="padding:8px 36px 28px">\n{body}\n</td></tr>\n</table>\n</td></tr></table>\n</body>\n</html>\n'),
    "simple": ('<html>\n<head>\n<meta http-equiv="Content-Type" content="text/html; charset={cs}">\n</head>\n'
               '<body>\n<div style="font-family:Segoe UI,Arial,sans-serif;font-size:14px;color:#222;max-width:640px">\n'
               '{brand}{body}\n</div>\n</body>\n</html>\n'),
    "bare": '<html><body>\n{brand}{body}\n</body></html>\n',
}
BRAND = {
    "card": '<tr><td style="padding:28px 36px 4px;font-size:19px;font-weight:600;letter-spacing:.5px">{b}</td></tr>\n',
    "simple": '<div style="font-size:22px;color:#555;margin:12px 0 18px">{b}</div>\n',
    "bare": "<h2>{b}</h2>\n",
}
BULLET = re.compile(r"^\s*(?:[-*\u2022]|\d+[.)]|[a-z]\))\s+")


def _inline(s, accent):
    btns = []

    def keep(m):
        btns.append((m.group(1), m.group(2)))
        return "\x00%d\x00" % (len(btns) - 1)
    s = BTN.sub(keep, s)
    s = html.escape(s, quote=False)
    s = URL.sub(lambda m: '<a href="%s">%s</a>' % (m.group(1), m.group(1)), s)

    def put(m):
        label, url = btns[int(m.group(1))]
        return ('<a href="%s" style="display:inline-block;background:%s;color:#ffffff;padding:10px 20px;'
                'border-radius:4px;text-decoration:none;font-weight:600">%s</a>'
                % (html.escape(url), accent, html.escape(label, quote=False)))
    return re.sub("\x00(\\d+)\x00", put, s)


def html_of(text, style="card", brand=None, cs="utf-8", lang="en", accent="#1a73e8"):
    out = []
    for blk in text.strip("\n").split("\n\n"):
        lines = blk.split("\n")
        if len(lines) > 1 and all(BULLET.match(l) for l in lines[1:]) and not BULLET.match(lines[0]):
            out.append("<p>%s</p>" % _inline(lines[0], accent))
            lines = lines[1:]
        if all(BULLET.match(l) for l in lines):
            tag = "ol" if re.match(r"^\s*\d", lines[0]) else "ul"
            out.append("<%s>%s</%s>" % (tag, "".join("<li>%s</li>" % _inline(BULLET.sub("", l), accent)
                                                    for l in lines), tag))
        else:
            out.append('<p style="margin:0 0 14px">%s</p>' % "<br>\n".join(_inline(l.strip(), accent) for l in lines))
    b = BRAND[style].format(b=html.escape(brand)) if brand else ""
    return STYLES[style].format(lang=lang, cs=cs, brand=b, body="\n".join(out))


def body_bytes(text, cs, cte):
    if not text.endswith("\n"):
        text += "\n"
    b = text.encode(cs)  # strict: fails loudly on unencodable characters
    if cte == "base64":
        e = base64.b64encode(b).decode()
        return ("\n".join(e[i:i + 76] for i in range(0, len(e), 76)) + "\n").encode()
    if cte == "quoted-printable":
        return quopri.encodestring(b)
    if cte == "7bit":
        assert b.isascii(), "7bit body with non-ASCII text"
    return b


def leaf(ctype, cs, cte, text):
    return ('Content-Type: %s; charset="%s"\nContent-Transfer-Encoding: %s\n\n' % (ctype, cs, cte)).encode() \
        + body_bytes(text, cs, cte)


def multipart(subtype, parts, boundary):
    head = ('Content-Type: multipart/%s;\n\tboundary="%s"\n\n' % (subtype, boundary)).encode()
    body = b"".join(b"--" + boundary.encode() + b"\n" + p for p in parts)
    return head, body + b"--" + boundary.encode() + b"--\n"


def fake_pdf(seed):
    txt = ("%%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
           "2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n%% receipt %s\ntrailer << /Root 1 0 R >>\n%%%%EOF\n" % seed)
    return txt.encode()


# ---------------------------------------------------------------- assembly
MIDS = {}


def parse_date(s):
    return datetime.datetime.strptime(s, "%Y-%m-%d %H:%M:%S %z")


def message_id(m):
    if "mid" in m:
        return m["mid"]
    dom = m["frm"][1].split("@")[1]
    k = m["key"]
    style = 3 if dom.endswith("amazon.com") else int(hx(k, 2), 16) % 3
    if style == 0:
        h = hx(k + "u", 32)
        return "<%s-%s-%s-%s-%s@%s>" % (h[:8], h[8:12], h[12:16], h[16:20], h[20:], dom)
    if style == 1:
        return "<%s.%s@%s>" % (hx(k + "a", 12), hx(k + "b", 6), dom)
    if style == 2:
        return "<%d.%s.JavaMail.app@%s>" % (int(hx(k, 10), 16), hx(k + "j", 6), dom)
    return "<0100%s-%s-000000@%s>" % (hx(k + "s", 16), hx(k + "t", 8), dom)


def resolve(refs):
    out = []
    for r in refs:
        out.append(r if r.startswith("<") else MIDS[r])
    return out


CJK = re.compile(r"[\u4e00-\u9fff]")


def build(m):
    uname, uaddr = USERS[m["to"]]
    to_addr = m.get("to_addr", uaddr)
    cs = m.get("cs", "utf-8")
    hcs = m.get("hcs", cs)
    hmode = m.get("hmode", "B")
    text = m["text"]
    zh = bool(CJK.search(text))
    to_name = m.get("to_name", USER_ZH_NAME.get(m["to"]) if zh else uname)
    dt = parse_date(m["date"])
    fname, faddr = m["frm"]
    fromdom = faddr.split("@")[1]
    mf = m.get("mailfrom") or ("bounce-%s@%s" % (hx(m["key"], 6), fromdom) if int(hx(m["key"], 1), 16) % 2
                                else faddr)
    mfdom = mf.split("@")[1]
    relay = m.get("relay") or "%s.%s" % (["out", "mta", "smtp-out", "o"][int(hx(fromdom, 1), 16) % 4]
                                         + str(int(hx(fromdom, 2), 16) % 40 + 1), mfdom)
    ip = m.get("ip") or ip_for(mfdom, m.get("ipsalt", ""))
    a = dict(spf="pass", dkim="pass", dmarc="pass", dkim_d=fromdom,
             sel=["s1", "selector2", "k1", "pp-dkim1", "20230601", "default", "mail"][int(hx(fromdom, 2), 16) % 7],
             policy="REJECT")
    a.update(m.get("auth", {}))
    rcv = dt.astimezone(datetime.timezone.utc) + datetime.timedelta(seconds=3 + int(hx(m["key"], 2), 16) % 50)
    qid = b64s(m["key"] + "q", 14).replace("/", "x").replace("+", "k")
    H = []
    H.append("Return-Path: <%s>" % mf)
    H.append("Delivered-To: %s" % uaddr)
    H.append("Received: from %s (%s [%s])\n\t(using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits))\n"
             "\tby %s (Postfix) with ESMTPS id %s\n\tfor <%s>; %s"
             % (relay, relay, ip, MX, qid, to_addr, email.utils.format_datetime(rcv)))
    H.append(ar_header(MX, mf, ip, fromdom, a["spf"], a["dkim"], a["dmarc"], a["dkim_d"], a["sel"], a["policy"]))
    if m.get("inner"):
        H.append("Received: from %s\n\tby %s; %s" % (m["inner"], relay, email.utils.format_datetime(dt)))
    if m.get("forged"):
        # written by the sender, therefore below the receiving server's own header
        H.append(ar_header(m["forged"], mf, ip, fromdom, "pass", "pass", "pass", fromdom, a["sel"], "REJECT"))
    if a["dkim"] != "none":
        H.append(dkim_sig(a["dkim_d"], a["sel"], int(dt.timestamp()), m["key"]))
    H.append("From: " + addr(fname, faddr, m.get("ncs", hcs), m.get("nmode", hmode)))
    if m.get("reply_to"):
        H.append("Reply-To: " + addr(*m["reply_to"]))
    H.append("To: " + addr(to_name, to_addr, hcs, hmode))
    H.append("Subject: " + ew(m["subject"], hcs, hmode))
    H.append("Date: " + email.utils.format_datetime(dt))
    H.append("Message-ID: " + MIDS[m["key"]])
    if m.get("irt"):
        H.append("In-Reply-To: " + " ".join(resolve(m["irt"])))
    if m.get("refs"):
        H.append("References: " + "\n\t".join(resolve(m["refs"])))
    if m.get("list_id"):
        H.append("List-Id: " + m["list_id"])
    for x in m.get("extra", []):
        H.append(x)
    if m["folder"] == "Junk":
        H.append("X-Spam-Flag: YES\nX-Spam-Status: Yes, score=%0.1f required=5.0" % (5.4 + int(hx(m["key"], 2), 16) % 40 / 10))
    else:
        H.append("X-Spam-Status: No, score=%0.1f required=5.0" % (-1.5 + int(hx(m["key"], 2), 16) % 45 / 10))
    H.append("MIME-Version: 1.0")

    form = m.get("form", "plain")
    cte = m.get("cte") or ("7bit" if text.isascii() else "quoted-printable")
    lang = "zh" if zh else "en"
    ptext = plain_of(text)

    def html_text():
        if "html" in m:
            return m["html"]
        return html_of(text, m.get("style", "card"), m.get("brand"), cs, lang, m.get("accent", "#1a73e8"))
    hcte = m.get("hcte", "quoted-printable")
    bnd = "----=_Part_%s_%s" % (int(hx(m["key"] + "p", 6), 16), hx(m["key"] + "x", 10))
    if form == "plain":
        head = ('Content-Type: text/plain; charset="%s"\nContent-Transfer-Encoding: %s\n\n' % (cs, cte)).encode()
        body = body_bytes(ptext, cs, cte)
    elif form == "html":
        head = ('Content-Type: text/html; charset="%s"\nContent-Transfer-Encoding: %s\n\n' % (cs, hcte)).encode()
        body = body_bytes(html_text(), cs, hcte)
    elif form == "alt":
        head, body = multipart("alternative", [leaf("text/plain", cs, cte, ptext),
                                               leaf("text/html", cs, hcte, html_text())], bnd)
    elif form == "mixed":
        att_name = m.get("attachment", "receipt.pdf")
        pdf = base64.b64encode(fake_pdf(m["key"])).decode()
        pdf = "\n".join(pdf[i:i + 76] for i in range(0, len(pdf), 76)) + "\n"
        att = ('Content-Type: application/pdf; name="%s"\nContent-Disposition: attachment; filename="%s"\n'
               'Content-Transfer-Encoding: base64\n\n%s' % (att_name, att_name, pdf)).encode()
        head, body = multipart("mixed", [leaf("text/plain", cs, cte, ptext), att], bnd)
        body = b"This is a multi-part message in MIME format.\n\n" + body
    else:
        raise ValueError(form)
    raw = "\n".join(H).encode() + b"\n" + head + body
    lab = dict(file=None, folder=m["folder"], category=m["cat"], reason=m.get("reason"),
               decision=m.get("decision"), provider=m.get("provider"), phishing=m.get("phishing", False),
               lang=lang, thread=m.get("thread"), cues=m["cues"], notes=m["notes"])
    return raw, lab


# =====================================================================================
# Incident threads H01-H10 (notice -> acknowledgement -> support reply -> decision)
# =====================================================================================

# ---- H01 openai / policy / Sam -- linked by In-Reply-To/References (incl. Sam's own mail)
SAM_H01_APPEAL = "<CAF3x9Lq2Rk7v+appeal.northgate@mail.example.com>"
SAM_H01_ANSWERS = "<CAF3x9Lq2Rk8w+answers.northgate@mail.example.com>"
M("H01-notice", date="2026-04-07 03:12:44 +0000", to="sam", folder="Junk",
  frm=("OpenAI", "noreply@tm.openai.com"), subject="Your OpenAI API organization has been deactivated",
  form="alt", style="card", brand="OpenAI", accent="#10a37f",
  text="""Hello Sam,

Following a review of recent traffic from your organization, Northgate Robotics (org-7TqLm2VbX9kRc4Hs), we have deactivated API access for the organization, effective immediately.

Our systems identified requests that appear to generate bulk marketing messages sent to people who had not opted in to receive them. This type of use is not permitted under our Usage Policies, in particular the restrictions on spam and deceptive communications.

What this means:
- All API keys belonging to the organization have stopped working.
- Fine-tuned models and stored files are retained but cannot be accessed.
- Organization owners can still sign in to view billing history.

Think this is a mistake? Appeals go through https://help.openai.com. Tell us your organization ID and explain what your application does with the API; a person on our Trust & Safety team will look at it.

The OpenAI team
""",
  cat="suspension", reason="policy", provider="openai", thread="H01",
  cues=["we have deactivated API access for the organization", "not permitted under our Usage Policies"],
  notes="Genuine OpenAI policy deactivation (unsolicited bulk marketing) that landed in Junk.")

M("H01-ack", date="2026-04-07 19:40:03 +0000", to="sam", folder="INBOX",
  frm=("OpenAI Support", "support@openai.com"),
  subject="Re: Appeal - Northgate Robotics org-7TqLm2VbX9kRc4Hs",
  irt=[SAM_H01_APPEAL], refs=[SAM_H01_APPEAL], cte="7bit",
  text="""Hi Sam,

We've got it. This automatic reply confirms that your message has reached our support team and that a conversation is now open for you.

Reference: #4418820

Someone from our team will look into your organization's status and reply in this thread. Replies typically take a few business days. Sending more messages about the same issue will not speed up the review, but you're welcome to add details here if something changes.

OpenAI Support
""",
  cat="ticket_ack", provider="openai", thread="H01",
  cues=["your message has reached our support team", "Reference: #4418820"],
  notes="Auto-acknowledgement replying to Sam's own appeal e-mail (not in the set).")

M("H01-question", date="2026-04-10 17:15:31 +0000", to="sam", folder="INBOX",
  frm=("Dana from OpenAI", "support@support.openai.com"),
  subject="Re: Appeal - Northgate Robotics org-7TqLm2VbX9kRc4Hs",
  irt=["H01-ack"], refs=[SAM_H01_APPEAL, "H01-ack"], cte="quoted-printable",
  text="""Hi Sam,

I'm picking up your appeal (reference #4418820). Before I can pass it to the policy team I need a bit more context on the traffic we flagged:

1. Where do the recipient lists for your outreach tool come from? Please describe how people consent to receiving the messages.
2. Roughly how many messages per day did the integration generate between March 28 and April 6?
3. Has anything changed in the product since the deactivation, for example rate limits, opt-in checks or human review?

You can reply directly to this email. Once I have your answers I'll forward the case with my notes.

Best,
Dana
OpenAI Support
""",
  cat="support_reply", provider="openai", thread="H01",
  cues=["I need a bit more context", "Please describe how people consent"],
  notes="Support agent asks three questions before escalating the appeal; sent from support.openai.com.")

M("H01-decision", date="2026-04-16 21:48:09 +0000", to="sam", folder="INBOX",
  frm=("OpenAI Trust & Safety", "trustandsafety@openai.com"),
  subject="Re: Appeal - Northgate Robotics org-7TqLm2VbX9kRc4Hs",
  irt=[SAM_H01_ANSWERS], refs=[SAM_H01_APPEAL, "H01-ack", "H01-question", SAM_H01_ANSWERS],
  cte="base64",
  text="""Hi Sam,

Thank you for the detailed answers and for the changes you described to the consent flow.

After a second review, we have reinstated API access for Northgate Robotics (org-7TqLm2VbX9kRc4Hs). Your existing keys work again; you don't need to create new ones.

Please keep in mind that messages generated with our models must only go to recipients who asked to receive them. Repeated violations may lead to permanent removal without a further appeal.

Reference: #4418820

Regards,
OpenAI Trust & Safety
""",
  cat="appeal_decision", decision="restored", provider="openai", thread="H01",
  cues=["we have reinstated API access for Northgate Robotics"],
  notes="Appeal granted; the chain references Sam's own reply with the requested answers.")

# ---- H02 aliyun / payment / Li (zh) -- linked by account id and ticket number only
M("H02-notice", date="2026-04-13 00:05:12 +0800", to="li", folder="INBOX",
  inner="localhost (mailfrom:no-reply@notice.aliyun.com fp:SMTPD_---.Xq81nRt)",
  frm=("阿里云", "no-reply@notice.aliyun.com"), cs="GBK", cte="base64", hmode="B",
  subject="【阿里云】您的账号已欠费，部分云产品已停止服务",
  text="""尊敬的用户 li.wei@example.cn（账号ID：1749203855612207）：

截至 2026年04月13日 00:00，您的阿里云账户可用余额为 -138.72 元，已处于欠费状态。根据按量付费产品的计费规则，欠费后相关资源将被停机保留：

  - 云服务器 ECS：i-uf6c3k0q8x2mz7b1（华东2 上海）已停机
  - 对象存储 OSS：Bucket liwei-assets 已禁止读写

停机期间数据为您保留 15 天。请在 2026年04月28日 前完成充值，充值到账后资源将自动恢复运行；逾期未结清的，相关实例及数据将被释放，无法找回。

充值路径：控制台 > 费用 > 充值。
如需帮助，可在控制台提交工单。

阿里云计算有限公司
""",
  cat="suspension", reason="payment", provider="aliyun", thread="H02",
  cues=["已处于欠费状态", "已停机"],
  notes="Aliyun overdue-balance notice: ECS stopped and OSS blocked; GBK base64 body and subject.")

M("H02-receipt", date="2026-04-14 09:21:07 +0800", to="li", folder="INBOX",
  frm=("阿里云费用中心", "billing@service.aliyun.com"), cs="utf-8", cte="quoted-printable", hmode="Q",
  subject="充值成功通知：您已成功充值 300.00 元",
  text="""您好，

您的阿里云账户（账号ID：1749203855612207）已于 2026-04-14 09:21:07 成功充值 300.00 元。

交易流水号：2026041420001138790412665
支付方式：支付宝
当前可用余额：161.28 元

如账户此前因欠费停机，资源将在余额转正后陆续自动恢复，通常需要几分钟。

本邮件由系统自动发送，请勿直接回复。
""",
  cat="irrelevant", provider="aliyun",
  cues=["成功充值 300.00 元", "交易流水号：2026041420001138790412665"],
  notes="Top-up receipt used as evidence in H02; mentions 欠费停机 but is only a receipt.")

M("H02-ack", date="2026-04-14 10:02:40 +0800", to="li", folder="INBOX",
  frm=("阿里云工单", "workorder@service.aliyun.com"), cs="gb2312", cte="quoted-printable", hmode="B",
  subject="您的工单 W2026041400573 已受理",
  text="""您好：

您提交的工单已受理。

工单编号：W2026041400573
问题分类：费用与账单 > 欠费停机
关联账号：1749203855612207
提交时间：2026-04-14 10:02

技术支持工程师会尽快与您联系，处理进展将通过站内信和邮件通知您。您也可以登录控制台，在“工单管理”中查看或补充信息。

阿里云客户服务
""",
  cat="ticket_ack", provider="aliyun", thread="H02",
  cues=["您提交的工单已受理", "W2026041400573"],
  notes="Ticket acknowledgement in GB2312 quoted-printable; links to the notice only via the account id.")

M("H02-status", date="2026-04-15 11:30:18 +0800", to="li", folder="INBOX",
  frm=("阿里云技术支持", "support@aliyun.com"), cs="gb18030", cte="8bit", hmode="B",
  subject="工单 W2026041400573 处理进展",
  text="""李先生您好，

关于您反馈的“充值后 ECS 实例 i-uf6c3k0q8x2mz7b1 仍处于停机状态”的问题，我们已确认您的账户余额已转正。

经排查，该实例在欠费期间被标记为“欠费锁定”，自动解锁任务在您充值时恰好执行失败，目前已由后台工程师人工重新触发。预计在 2 小时内完成解锁，届时您可以在控制台手动启动实例。OSS Bucket liwei-assets 的读写权限已恢复。

处理完毕后我们会再次通知您，期间无需重复提交工单。

阿里云售后技术支持 | 工单 W2026041400573
""",
  cat="support_reply", provider="aliyun", thread="H02",
  cues=["处理进展", "目前已由后台工程师人工重新触发"],
  notes="Status update (no question) in GB18030 8bit from a different aliyun sender address.")

M("H02-decision", date="2026-04-16 15:10:55 +0800", to="li", folder="INBOX",
  frm=("阿里云", "notify@service.aliyun.com"), cs="utf-8", cte="base64", hmode="B",
  subject="工单 W2026041400573 已完结：资源已恢复",
  text="""您好，

您的工单 W2026041400573 已处理完毕。

账号 1749203855612207 名下的云服务器 ECS 实例 i-uf6c3k0q8x2mz7b1 已解除欠费锁定并恢复正常，OSS 存储也已可以正常访问。

为避免再次因欠费停机，建议您开启“余额预警”并设置自动充值。如对本次处理结果满意，欢迎在控制台对工单进行评价。

阿里云
""",
  cat="appeal_decision", decision="restored", provider="aliyun", thread="H02",
  cues=["已解除欠费锁定并恢复正常"],
  notes="Final outcome of H02: resources restored after the top-up.")

# ---- H03 microsoft / security / Sam -- linked by case number and account address
M("H03-notice", date="2026-04-20 06:30:21 +0000", to="sam", folder="INBOX",
  frm=("Microsoft account team", "account-security-noreply@accountprotection.microsoft.com"),
  subject="We've locked your Microsoft account", cte="quoted-printable",
  text="""Microsoft account

Account locked

We noticed sign-ins to the Microsoft account sa*****@example.com from several countries within a short time: Brazil, Vietnam and the Netherlands, all on 19 April. To keep your files and email safe, we have temporarily locked the account.

While it's locked, you won't be able to sign in to Outlook, OneDrive, Xbox or any other Microsoft service with this account.

To unlock it, go to https://account.live.com/acsr and verify your identity with a security code. If the account can't be unlocked that way, you can open a recovery case with Microsoft Support.

Thanks,
The Microsoft account team
""",
  cat="suspension", reason="security", provider="microsoft", thread="H03",
  cues=["We noticed sign-ins", "we have temporarily locked the account"],
  notes="Security lock after sign-ins from three countries; reason stated indirectly.")

M("H03-ack", date="2026-04-20 15:12:47 +0000", to="sam", folder="INBOX",
  frm=("Microsoft Support", "noreply@support.microsoft.com"),
  subject="Case 2604201847 - We received your request", cte="7bit",
  text="""Hello Sam Rivera,

Thank you for contacting Microsoft Support. We have created case 2604201847 for your request about the Microsoft account sam.rivera@example.com.

Please keep this case number for future reference. A support engineer will contact you by email within 2 business days. Please don't create a new case for the same issue, as this may delay our response.

Case number: 2604201847
Product: Microsoft account - Sign-in and security
Severity: C

Microsoft Support
""",
  cat="ticket_ack", provider="microsoft", thread="H03",
  cues=["We have created case 2604201847"],
  notes="Case creation confirmation; different sender domain than the notice.")

M("H03-question", date="2026-04-22 10:40:02 +0000", to="sam", folder="INBOX",
  frm=("Priya N. (Microsoft Support)", "msftsupport@microsoft.com"),
  subject="RE: Case 2604201847 [Microsoft account locked]", form="alt", style="simple", cte="quoted-printable",
  text="""Hi Sam,

My name is Priya and I'll be handling case 2604201847.

The automatic unlock didn't work because the phone number on the account was changed on 19 April, a few minutes after the sign-in from Brazil. To confirm that you own the account, could you reply with the following?
- The phone number that was on the account before 19 April (the last four digits are enough)
- The approximate date you created the account
- Two or three subject lines of emails you recently sent from Outlook
- Whether you signed in from Brazil, Vietnam or the Netherlands yourself

Once I have this I can submit the account for a manual review.

Kind regards,
Priya
Microsoft Support - Account Recovery
""",
  cat="support_reply", provider="microsoft", thread="H03",
  cues=["could you reply with the following"],
  notes="Agent asks ownership-verification questions.")

M("H03-status", date="2026-04-27 09:00:36 +0000", to="sam", folder="INBOX",
  frm=("Microsoft Support", "noreply@support.microsoft.com"),
  subject="Update on case 2604201847", cte="7bit",
  text="""Hello Sam,

A quick update on case 2604201847: your answers have been sent to our account recovery team, who are reviewing the account now. This step usually takes up to 3 business days.

You don't need to do anything at the moment. We will write again as soon as there is a result.

Microsoft Support
""",
  cat="support_reply", provider="microsoft", thread="H03",
  cues=["your answers have been sent to our account recovery team"],
  notes="Pure status update, no action required.")

M("H03-decision", date="2026-04-29 13:25:50 +0000", to="sam", folder="INBOX",
  frm=("Microsoft account team", "account-security-noreply@accountprotection.microsoft.com"),
  subject="Your Microsoft account is unlocked", form="html", style="simple", brand="Microsoft account",
  text="""Hi Sam,

Good news. Following the review of case 2604201847, the lock on sam.rivera@example.com has been removed and you can sign in again.

We've removed the phone number that was added on 19 April and signed out every device that was connected to the account. When you next sign in, you'll be asked to create a new password.

We strongly recommend turning on two-step verification: https://account.microsoft.com/security

The Microsoft account team
""",
  cat="appeal_decision", decision="restored", provider="microsoft", thread="H03",
  cues=["the lock on sam.rivera@example.com has been removed"],
  notes="HTML-only unlock confirmation, linked by case number.")

# ---- H04 github / policy / Sam -- In-Reply-To chain, denied
SAM_H04_REPLY = "<20260402201455.GA1183@laptop.example.com>"
M("H04-notice", date="2026-04-02 16:20:09 +0000", to="sam", folder="INBOX",
  frm=("GitHub", "support@github.com"), subject="Your GitHub account has been restricted", cte="7bit",
  text="""Hi @samriv-dev,

We've restricted your GitHub account because it was used to publish repositories that appear to distribute credential-stealing software disguised as game modifications. Hosting or distributing malware is prohibited by GitHub's Acceptable Use Policies.

As a result:
* Your profile and repositories are hidden from other users.
* You can't push, open issues or comment.
* GitHub Actions workflows and Packages owned by your account are disabled.

The repositories that triggered this review are:

  samriv-dev/fps-unlocker
  samriv-dev/fps-unlocker-releases

If you think we made a mistake, reply to this email with any information that may help us reconsider.

Thanks,
GitHub Trust & Safety
""",
  cat="suspension", reason="policy", provider="github", thread="H04",
  cues=["We've restricted your GitHub account", "Hosting or distributing malware is prohibited"],
  notes="GitHub restriction for malware distribution.")

M("H04-ack", date="2026-04-03 09:05:33 +0000", to="sam", folder="INBOX",
  frm=("GitHub Support", "support@github.com"), subject="Re: Your GitHub account has been restricted",
  irt=[SAM_H04_REPLY], refs=["H04-notice", SAM_H04_REPLY], cte="7bit",
  text="""Hi there,

We've received your message and created ticket #2981563. Our team reads every request, and we'll get back to you as soon as possible.

Requests about restricted accounts are handled in the order they arrive. Sending more messages on the same ticket moves it to the back of the queue.

Thanks,
GitHub Support
""",
  cat="ticket_ack", provider="github", thread="H04",
  cues=["created ticket #2981563"],
  notes="Acknowledgement in reply to Sam's own answer to the notice.")

M("H04-question", date="2026-04-08 14:30:12 +0000", to="sam", folder="INBOX",
  frm=("Ines (GitHub Staff)", "support@github.com"), subject="Re: Your GitHub account has been restricted",
  irt=["H04-ack"], refs=["H04-notice", SAM_H04_REPLY, "H04-ack"], cte="7bit",
  text="""Hi Sam,

Thanks for your patience. I've looked at the two repositories you mentioned in your message.

You explained that fps-unlocker is a frame-rate tool and that the release archive was built by a contributor. Our analysis of the binary in v2.3.1 found code that reads saved browser passwords and uploads them to a remote server. Can you tell us:

- who built and uploaded the v2.3.1 release, and from which account;
- whether you still have the source the binary was built from;
- whether your own machine or tokens may have been compromised.

We'll continue the review once we hear back.

Cheers,
Ines
GitHub Support
""",
  cat="support_reply", provider="github", thread="H04",
  cues=["Can you tell us", "who built and uploaded the v2.3.1 release"],
  notes="Staff reply asking about the release binary.")

M("H04-decision", date="2026-04-21 18:02:44 +0000", to="sam", folder="INBOX",
  frm=("GitHub Trust & Safety", "noreply@github.com"), subject="Re: Your GitHub account has been restricted",
  irt=["H04-question"], refs=["H04-notice", SAM_H04_REPLY, "H04-ack", "H04-question"], cte="quoted-printable",
  text="""Hi Sam,

We've completed our review of your account and ticket #2981563.

The release binaries in samriv-dev/fps-unlocker-releases were uploaded from your account with a personal access token created from your usual IP address, and the build scripts in the main repository download the same payload. Because of this, we're unable to lift the restriction on your account. This decision is final, and we won't be able to respond to further requests about it.

You can still request an export of your data at https://github.com/settings/admin for the next 30 days.

Regards,
GitHub Trust & Safety
""",
  cat="appeal_decision", decision="denied", provider="github", thread="H04",
  cues=["we're unable to lift the restriction on your account", "This decision is final"],
  notes="Appeal denied; same mail thread, different GitHub sender address.")

# ---- H05 stripe / unknown / Sam -- linked only by the account id acct_...
M("H05-notice", date="2026-05-04 15:00:27 +0000", to="sam", folder="INBOX",
  frm=("Stripe", "notifications@stripe.com"), subject="Payments on your Stripe account are paused",
  form="html", style="card", brand="stripe", accent="#635bff",
  text="""Hi Sam,

This is to let you know that we've paused charges and payouts on your Stripe account for Rivera Ceramics (acct_1PzK8sLmN4qR2tVw).

From today, new payments on your website will be declined, and your balance of $4,812.55 will stay in your Stripe account until this is resolved.

If you have questions, you can contact us from the Dashboard.

[[View account status|https://dashboard.stripe.com/account/status]]

The Stripe team
""",
  cat="suspension", reason="unknown", provider="stripe", thread="H05",
  cues=["we've paused charges and payouts on your Stripe account"],
  notes="HTML-only Stripe pause that gives no reason at all.")

M("H05-ack", date="2026-05-05 10:11:05 +0000", to="sam", folder="INBOX",
  frm=("Stripe Support", "support@stripe.com"), subject="We've received your request [acct_1PzK8sLmN4qR2tVw]",
  cte="quoted-printable",
  text="""Hi Sam,

Thanks for writing in. Your message about account acct_1PzK8sLmN4qR2tVw is in our queue, and a specialist from our risk team will respond by email.

We usually reply within 1–2 business days. If you're asked for documents, please upload them through the Dashboard rather than attaching them to an email.

Stripe Support
""",
  cat="ticket_ack", provider="stripe", thread="H05",
  cues=["Your message about account acct_1PzK8sLmN4qR2tVw is in our queue"],
  notes="Acknowledgement linked to the notice only by the account id.")

M("H05-question", date="2026-05-07 19:47:30 +0000", to="sam", folder="INBOX",
  frm=("Marco at Stripe", "risk-operations@stripe.com"), subject="Additional information needed for your account",
  form="alt", style="simple", cte="quoted-printable",
  text="""Hello Sam,

We're reviewing your account acct_1PzK8sLmN4qR2tVw and need some information to continue:
• A description of the products you sell and the usual time between payment and delivery
• An explanation of the increase in volume during the week of April 27 (about eight times your usual weekly volume)
• A recent invoice from your supplier

Please upload these under Settings > Business details > Documents. Our review will continue once everything is received.

Thanks,
Marco
Stripe Risk Operations
""",
  cat="support_reply", provider="stripe", thread="H05",
  cues=["need some information to continue"],
  notes="Request for documents; subject has no ticket number, only the account id links it.")

M("H05-decision", date="2026-05-19 16:22:18 +0000", to="sam", folder="INBOX",
  frm=("Stripe", "notifications@stripe.com"), subject="Update on your Stripe account", cte="quoted-printable",
  text="""Hi Sam,

Thank you for sending the requested information for Rivera Ceramics (acct_1PzK8sLmN4qR2tVw).

After reviewing it, we've determined that we can no longer support your business and have closed your account. We weren't able to match the large pre-order volume against the supplier documents provided, which creates an unacceptable level of risk under our Services Agreement.

Your remaining balance will be paid out to your bank account ending in 0921 after 90 days, once the period for customer disputes has passed. This account can't be reopened.

The Stripe team
""",
  cat="appeal_decision", decision="denied", provider="stripe", thread="H05",
  cues=["we can no longer support your business and have closed your account"],
  notes="Final closure after review; denied.")

# ---- H06 anthropic / system / Sam -- organisation id + In-Reply-To to Sam's reply
SAM_H06_REPLY = "<CAK7lumen403e1+req@mail.example.com>"
M("H06-notice", date="2026-05-11 08:30:00 +0000", to="sam", folder="INBOX",
  frm=("Anthropic", "notifications@anthropic.com"), subject="Service interruption affecting your organization",
  reply_to=("Anthropic Support", "support@anthropic.com"), cte="quoted-printable",
  text="""Hello,

An issue in our account management system between 02:10 and 05:45 UTC on May 11 incorrectly set a small number of organizations to a disabled state. Your organization, Lumen Harbor (ID 3f9e2b71-8c05-4d1a-b6e4-90a2c7d31f58), was among them.

API requests from affected organizations return a 403 permission_error, and Console members may see an "organization disabled" banner.

This was not caused by anything you did, and no usage policy review is involved. Our engineers are restoring affected organizations now. If your API access has not returned by 18:00 UTC today, please reply to this message with a recent request ID so we can check your organization directly.

We're sorry for the disruption.

Anthropic
""",
  cat="suspension", reason="system", provider="anthropic", thread="H06",
  cues=["incorrectly set a small number of organizations to a disabled state", "This was not caused by anything you did"],
  notes="Provider-side error disabled the organisation; reason system.")

M("H06-ack", date="2026-05-11 14:02:19 +0000", to="sam", folder="INBOX",
  frm=("Anthropic Support", "support@anthropic.com"), subject="Re: Service interruption affecting your organization",
  irt=[SAM_H06_REPLY], refs=["H06-notice", SAM_H06_REPLY], cte="7bit",
  text="""Hi Sam,

Thanks, we've got your message and added it to conversation 215583. Someone from the team will follow up here shortly.

Anthropic Support
""",
  cat="ticket_ack", provider="anthropic", thread="H06",
  cues=["added it to conversation 215583"],
  notes="Terse acknowledgement of Sam's reply with the request id.")

M("H06-question", date="2026-05-12 16:20:41 +0000", to="sam", folder="INBOX",
  frm=("Jordan from Anthropic", "support@anthropic.com"), subject="Re: Service interruption affecting your organization",
  irt=["H06-ack"], refs=["H06-notice", SAM_H06_REPLY, "H06-ack"], cte="7bit",
  text="""Hi Sam,

I checked Lumen Harbor (3f9e2b71-8c05-4d1a-b6e4-90a2c7d31f58) and it's still flagged on our side, even though the incident has been resolved for most customers. To pass it to engineering I need two more things:

1. The full error message from a failing request (the JSON body, not just the status code).
2. Whether the failing requests use the workspace "prod-eu" or the default workspace.

A screenshot of the Console banner would also help.

Thanks,
Jordan
""",
  cat="support_reply", provider="anthropic", thread="H06",
  cues=["To pass it to engineering I need two more things"],
  notes="Agent asks for the exact error body and workspace.")

M("H06-decision", date="2026-05-14 19:05:12 +0000", to="sam", folder="INBOX",
  frm=("Anthropic Support", "support@anthropic.com"), subject="Re: Service interruption affecting your organization",
  irt=["H06-question"], refs=["H06-notice", SAM_H06_REPLY, "H06-ack", "H06-question"], cte="quoted-printable",
  text="""Hi Sam,

Engineering found that the workspace-level flag for prod-eu was not cleared by the automatic fix. They've corrected it, and I can confirm Lumen Harbor is fully re-enabled; test requests with your key are returning 200 again.

We've also applied a credit of $50.00 to the organization for the downtime. It will appear on your next invoice.

Thanks for the detailed error report — it made this much quicker to track down.

Jordan
Anthropic Support
""",
  cat="appeal_decision", decision="restored", provider="anthropic", thread="H06",
  cues=["Lumen Harbor is fully re-enabled"],
  notes="Access restored with a service credit.")

# ---- H07 tencent / security / Li (zh) -- ticket number, several tencent sender addresses
M("H07-notice", date="2026-05-18 02:00:14 +0800", to="li", folder="INBOX",
  frm=("腾讯云安全中心", "cloud_noreply@tencent.com"), cs="utf-8", cte="quoted-printable", hmode="B",
  form="alt", style="card", brand="腾讯云", accent="#006eff",
  subject="【腾讯云】账号安全提醒：您的账号已被临时冻结",
  text="""尊敬的腾讯云用户，您好！

您的账号（UIN：100038275516）于 2026-05-17 23:40 至 2026-05-18 01:15 期间，先后在新加坡、美国弗吉尼亚等多个地区登录，并在短时间内批量创建了 36 台竞价实例。该行为与您以往的使用习惯明显不符，系统判断账号可能已被盗用。

为保障您的资产安全，我们已临时冻结该账号。冻结期间无法登录控制台，也无法通过 API 创建或修改资源；已创建的竞价实例已被强制关机。

如确认上述操作非本人所为，请尽快：
1. 通过“账号找回”重置登录密码；
2. 删除所有 API 密钥（SecretId/SecretKey）并重新生成；
3. 提交工单申请解冻，并附上身份证明材料。

腾讯云安全团队
""",
  cat="suspension", reason="security", provider="tencent", thread="H07",
  cues=["我们已临时冻结该账号", "系统判断账号可能已被盗用"],
  notes="Tencent Cloud freezes the account after logins from several regions and a burst of instances.")

M("H07-ack", date="2026-05-18 09:30:52 +0800", to="li", folder="INBOX",
  frm=("腾讯云工单", "ticket@cloud.tencent.com"), cs="GBK", cte="quoted-printable", hmode="Q",
  subject="工单已提交：202605180093314",
  text="""您好，

您的工单已成功提交，工单号：202605180093314。
问题类型：账号与权限 > 账号冻结/解冻

我们将在 24 小时内安排工程师跟进，请留意邮件及站内信通知。

本邮件由系统自动发送，请勿回复。
腾讯云客服中心
""",
  cat="ticket_ack", provider="tencent", thread="H07",
  cues=["您的工单已成功提交，工单号：202605180093314"],
  notes="GBK quoted-printable ticket confirmation with a Q-encoded subject.")

M("H07-question", date="2026-05-19 14:00:08 +0800", to="li", folder="INBOX",
  frm=("腾讯云技术支持", "support@cloud.tencent.com"), cs="utf-8", cte="base64", hmode="B",
  subject="回复：工单 202605180093314 需要您补充材料",
  text="""李伟先生/女士您好，

您申请解冻的账号 100038275516 需要完成实名核验后才能进入解冻流程。请您在工单中补充以下材料：

一、手持身份证正面照片一张（五官与证件信息清晰可见）；
二、近一个月内您本人常用的登录地点及设备说明；
三、账号最近一次充值的订单号或付款截图。

材料补充后，我们会在 1-2 个工作日内完成审核。

腾讯云技术支持
""",
  cat="support_reply", provider="tencent", thread="H07",
  cues=["请您在工单中补充以下材料"],
  notes="Support asks for identity documents and login details.")

M("H07-status", date="2026-05-22 10:00:33 +0800", to="li", folder="INBOX",
  frm=("腾讯客服", "service@tencent.com"), cs="gb18030", cte="base64", hmode="B",
  subject="工单 202605180093314 进度更新",
  text="""您好，您在工单 202605180093314 中补充的材料已收到，目前正在由安全团队人工审核，审核期间账号仍保持冻结状态。预计 2026-05-26 前给出结果，请耐心等待，无需重复提交。

腾讯客服
""",
  cat="support_reply", provider="tencent", thread="H07",
  cues=["目前正在由安全团队人工审核"],
  notes="Short status update in GB18030 base64 from tencent.com.")

M("H07-decision", date="2026-05-26 10:35:27 +0800", to="li", folder="INBOX",
  frm=("腾讯云", "cloud_noreply@tencent.com"), cs="utf-8", cte="8bit", hmode="B",
  subject="【腾讯云】您的账号已解冻",
  text="""尊敬的用户：

经审核，您的账号（UIN：100038275516）已于 2026-05-26 10:30 解除冻结，现可正常登录控制台。

系统已为您撤销异常期间创建的 36 台竞价实例，相关费用 1,284.60 元已作减免处理。建议您立即开启 MFA 二次验证，并为子账号设置最小权限。

关联工单：202605180093314

腾讯云
""",
  cat="appeal_decision", decision="restored", provider="tencent", thread="H07",
  cues=["解除冻结，现可正常登录控制台"],
  notes="Unfrozen; UTF-8 8bit body.")

# ---- H08 paypal / payment / Sam -- case id PP-D-..., receipt as evidence
M("H08-notice", date="2026-05-25 13:44:02 +0000", to="sam", folder="INBOX",
  frm=("PayPal", "service@paypal.com"), subject="Your account access is limited",
  form="alt", style="card", brand="PayPal", accent="#0070ba", cte="quoted-printable",
  text="""Hello Sam Rivera,

Your PayPal balance is currently -$263.40 USD. This happened because a refund you issued on May 21 (transaction 7VX43902LC118245T) was larger than the funds in your account, and we were unable to charge the bank account linked to your PayPal account to cover the difference.

Until the balance is back to zero, we've limited what you can do with your account: you can't send money, withdraw funds or receive payments from buyers.

How to fix this
Log in to PayPal and select Add money, or link a different bank account or card. Once the balance is settled, the limitation is usually removed automatically within 24 hours.

Case ID: PP-D-77341259

Sincerely,
PayPal
""",
  cat="suspension", reason="payment", provider="paypal", thread="H08",
  cues=["we were unable to charge the bank account", "we've limited what you can do with your account"],
  notes="PayPal limitation caused by a negative balance that could not be collected.")

M("H08-receipt", date="2026-05-26 08:14:39 +0000", to="sam", folder="INBOX",
  frm=("PayPal", "service@paypal.com"), subject="You added $263.40 USD to your PayPal balance", cte="quoted-printable",
  text="""Hi Sam Rivera,

You added money to your PayPal balance.

Amount added: $263.40 USD
From: Debit card, Visa x-7718
Transaction ID: 3HT09552SD6671428
Date: May 26, 2026

It may take a few moments for this transaction to appear in your account.

PayPal
""",
  cat="irrelevant", provider="paypal",
  cues=["Amount added: $263.40 USD", "Transaction ID: 3HT09552SD6671428"],
  notes="Receipt that settles the H08 balance; evidence, not a case message.")

M("H08-ack", date="2026-05-26 09:02:11 +0000", to="sam", folder="INBOX",
  frm=("PayPal", "service@intl.paypal.com"), subject="We've received your message (Case ID: PP-D-77341259)",
  cte="7bit",
  text="""Dear Sam Rivera,

Thank you for contacting PayPal. This message confirms that we received your enquiry about case PP-D-77341259 on 26 May 2026.

Our Customer Solutions team is looking into it and will respond within 3 business days. You can follow the status of the case in the Resolution Centre.

Yours sincerely,
PayPal
""",
  cat="ticket_ack", provider="paypal", thread="H08",
  cues=["we received your enquiry about case PP-D-77341259"],
  notes="British-spelling acknowledgement from intl.paypal.com.")

M("H08-status", date="2026-05-28 17:36:45 +0000", to="sam", folder="INBOX",
  frm=("PayPal", "service@paypal.com"), subject="Update on Case ID: PP-D-77341259", cte="7bit",
  text="""Hello Sam,

We can see your payment of $263.40 (transaction 3HT09552SD6671428), and your balance is now $0.00 USD. However, the limitation on your account was not removed automatically because the bank account that failed is still set as your preferred funding source.

We've removed that bank account from your profile. The limitation is now under manual review, and you'll get an email as soon as it's complete, usually within 2 business days. There's nothing else you need to do right now.

PayPal Customer Solutions
""",
  cat="support_reply", provider="paypal", thread="H08",
  cues=["The limitation is now under manual review"],
  notes="Status update citing the receipt's transaction id.")

M("H08-decision", date="2026-06-01 12:03:58 +0000", to="sam", folder="INBOX",
  frm=("PayPal", "service@paypal.com"), subject="Good news: your account limitation has been lifted",
  form="html", style="card", brand="PayPal", accent="#0070ba",
  text="""Hi Sam Rivera,

We've finished reviewing case PP-D-77341259 and lifted the limitation on your account. You can send, receive and withdraw money as usual again.

To avoid this in the future, keep a valid bank account or card linked to PayPal so refunds can be covered when your balance is low.

[[Go to your account|https://www.paypal.com/myaccount/summary]]

Thanks for your patience,
PayPal
""",
  cat="appeal_decision", decision="restored", provider="paypal", thread="H08",
  cues=["lifted the limitation on your account"],
  notes="HTML-only decision; limitation lifted.")

# ---- H09 discord / policy / Sam -- ticket number in subject
M("H09-notice", date="2026-06-02 04:18:26 +0000", to="sam", folder="INBOX",
  frm=("Discord", "noreply@discord.com"), subject="Your account has been banned from Discord",
  form="html", style="card", brand="Discord", accent="#5865f2",
  text="""Hey samrivera_,

Your account has been permanently banned from Discord for violating our Community Guidelines.

Our Safety team found that your account took part in coordinated raids on other servers, including mass unsolicited messages and mentions sent to members of servers you were not part of.

What happens now?
You'll be logged out of all devices and can no longer access Discord with this account. Servers you own will be transferred or deleted after 14 days.

Think we got it wrong? You can appeal this decision within 30 days.

[[Submit an appeal|https://dis.gd/appeal]]

Discord Safety
""",
  cat="suspension", reason="policy", provider="discord", thread="H09",
  cues=["permanently banned from Discord", "coordinated raids"],
  notes="HTML-only Discord ban for raiding/spam.")

M("H09-ack", date="2026-06-03 07:55:13 +0000", to="sam", folder="Junk",
  frm=("Discord Support", "support@discord.com"), subject="[Discord] Request received: Ticket #38820451", cte="7bit",
  text="""Hello,

Your request (38820451) is in. Our Trust & Safety team will look at it.

To add comments, reply to this email. Please do not open multiple tickets for the same issue.

Discord Support
""",
  cat="ticket_ack", provider="discord", thread="H09",
  cues=["Your request (38820451) is in"],
  notes="Ticket confirmation that the spam filter moved to Junk.")

M("H09-question", date="2026-06-05 21:10:49 +0000", to="sam", folder="INBOX",
  frm=("Discord Trust & Safety", "safety@discord.com"), subject="[Discord] Re: Ticket #38820451", cte="7bit",
  text="""Hi samrivera_,

Thanks for your appeal. To help us review it, could you let us know:

- Whether anyone else has had access to your account or your login token in the past two months
- Whether you use any third-party clients, self-bots or automation tools with your account
- The name of the server where you believe the activity came from

Please reply to this ticket with the details.

Best,
Discord Trust & Safety
""",
  cat="support_reply", provider="discord", thread="H09",
  cues=["To help us review it, could you let us know"],
  notes="Questions about account sharing and automation tools.")

M("H09-decision", date="2026-06-12 15:27:31 +0000", to="sam", folder="INBOX",
  frm=("Discord", "noreply@discord.com"), subject="[Discord] Re: Ticket #38820451", cte="7bit",
  text="""Hi samrivera_,

We've reviewed your appeal carefully. The activity on your account was sent through an automation tool connected with your own login token, and we did not find evidence that your account was compromised.

The ban will remain in place. We won't be able to reconsider this case further.

Discord Trust & Safety
""",
  cat="appeal_decision", decision="denied", provider="discord", thread="H09",
  cues=["The ban will remain in place"],
  notes="Appeal rejected.")

# ---- H10 amazon (AWS) / payment / Sam -- case id, receipt with PDF attachment
M("H10-notice", date="2026-06-08 11:02:37 +0000", to="sam", folder="INBOX",
  frm=("Amazon Web Services", "no-reply-aws@amazon.com"), mailfrom="0100019a7c5e3f21@bounces.amazon.com",
  inner="e226-11.smtp-out.us-west-2.amazon.com (e226-11.smtp-out.us-west-2.amazon.com [10.20.7.31])",
  auth=dict(dkim_d="amazon.com"), extra=["X-SES-Outgoing: 2026.06.08-54.240.8.91"],
  subject="AWS account 4821-0937-5516 suspended - outstanding balance", cte="quoted-printable",
  text="""Greetings from Amazon Web Services,

This notice concerns AWS account 4821-0937-5516.

We were unable to process payment for the invoice listed below, despite several attempts and earlier reminders sent to the email address on file:

  Invoice 1794832017    Billing period: April 2026    Amount due: USD 1,046.19

In accordance with the AWS Customer Agreement, your account has been suspended. During the suspension the AWS Management Console and all AWS services are unavailable to you, and running resources may be stopped. If the balance remains unpaid 60 days after the suspension began, we may close the account and delete the content stored in it.

Paying the past-due amount in the Billing and Cost Management console, after checking your payment method, starts reactivation; allow up to a day for it to complete.

Already paid? Then no further action is needed.

Regards,
AWS Billing

Amazon Web Services, Inc., 410 Terry Ave. North, Seattle, WA 98109-5210. AWS is a trademark of Amazon.com, Inc. or its affiliates.
""",
  cat="suspension", reason="payment", provider="amazon", thread="H10",
  cues=["We were unable to process payment", "your account has been suspended"],
  notes="Long, legal-ish AWS suspension for an unpaid invoice; bounce domain and DKIM aligned to amazon.com.")

M("H10-receipt", date="2026-06-09 07:41:20 +0000", to="sam", folder="INBOX",
  frm=("Amazon Web Services", "no-reply-aws@amazon.com"), mailfrom="0100019a7d0b8c44@bounces.amazon.com",
  auth=dict(dkim_d="amazon.com"), form="mixed", attachment="AWS-PMT-66304915.pdf",
  subject="Payment received for AWS account 4821-0937-5516", cte="7bit",
  text="""Hello,

Thank you for your payment. We have received USD 1,046.19 for AWS account 4821-0937-5516.

Payment reference: AWS-PMT-66304915
Invoice paid: 1794832017
Payment method: Mastercard ending 3307
Date: June 9, 2026

A copy of the receipt is attached.

Amazon Web Services
""",
  cat="irrelevant", provider="amazon",
  cues=["Payment reference: AWS-PMT-66304915"],
  notes="AWS payment receipt with PDF attachment; evidence for H10.")

M("H10-ack", date="2026-06-09 08:05:02 +0000", to="sam", folder="INBOX",
  frm=("Amazon Web Services", "no-reply@support.aws.amazon.com"),
  subject="AWS Support [Case 17839204651] Account reactivation after payment", cte="7bit",
  text="""Dear AWS customer,

We've opened case 17839204651 in response to your request: "Account reactivation after payment".

Case details
Account: 4821-0937-5516
Service: Account and billing
Category: Account suspension
Severity: General guidance

An AWS Billing specialist will reply within 24 hours. Account and billing support is available to all customers at no charge.

Sincerely,
Amazon Web Services
""",
  cat="ticket_ack", provider="amazon", thread="H10",
  cues=["We've opened case 17839204651"],
  notes="Support case creation from support.aws.amazon.com.")

M("H10-status", date="2026-06-10 14:19:26 +0000", to="sam", folder="INBOX",
  frm=("Amazon Web Services", "no-reply@support.aws.amazon.com"),
  subject="RE: AWS Support [Case 17839204651] Account reactivation after payment", cte="7bit",
  text="""Hello,

Thanks for your patience. I've confirmed that payment AWS-PMT-66304915 was applied to invoice 1794832017 and that your account no longer has a past-due balance.

I've asked our internal team to reactivate account 4821-0937-5516. Most accounts are back within a few hours, though some services may need up to a day to respond again. I'll update this case once it's done.

Best regards,
Aisha K.
Amazon Web Services
""",
  cat="support_reply", provider="amazon", thread="H10",
  cues=["I've asked our internal team to reactivate account 4821-0937-5516"],
  notes="Status update from the billing specialist.")

M("H10-decision", date="2026-06-11 06:33:47 +0000", to="sam", folder="INBOX",
  frm=("Amazon Web Services", "aws-account-updates@amazon.com"), mailfrom="0100019a80e2d917@bounces.amazon.com",
  auth=dict(dkim_d="amazon.com"),
  subject="Your AWS account 4821-0937-5516 has been reactivated", cte="7bit",
  text="""Hello,

Your AWS account 4821-0937-5516 has been reactivated, and you can sign in to the AWS Management Console again.

Anything that was shut down while the account was suspended stays stopped, so please check your EC2 instances and RDS databases and start what you need.

Related case: 17839204651

Thank you for using Amazon Web Services.
""",
  cat="appeal_decision", decision="restored", provider="amazon", thread="H10",
  cues=["has been reactivated"],
  notes="Reactivation confirmation; linked by account and case number.")

# ---- H11 meta / policy / Sam -- notice + acknowledgement, still open (linked by ad account id)
M("H11-notice", date="2026-04-24 20:10:58 +0000", to="sam", folder="INBOX",
  frm=("Meta for Business", "advertise-noreply@support.facebook.com"), subject="Your ad account has been restricted",
  form="html", style="simple", brand="Meta", accent="#0866ff",
  text="""Your ad account Rivera Ceramics Ads (ID: 2093348812377) has been restricted from advertising.

We reviewed recent activity on this ad account and concluded that it goes against our Advertising Standards on misleading claims. Ads that promised "handmade" products while linking to a reseller page were repeatedly rejected, and the account continued to submit similar ads.

While your ad account is restricted, your ads won't run and you can't create new ones. People who manage this ad account also can't use it to advertise.

If you think this is a mistake, you can request another review in Account Quality.

[[Request review|https://www.facebook.com/accountquality/]]

Meta
""",
  cat="suspension", reason="policy", provider="meta", thread="H11",
  cues=["has been restricted from advertising", "goes against our Advertising Standards"],
  notes="HTML-only Meta ad-account restriction; open case.")

M("H11-ack", date="2026-04-25 08:00:21 +0000", to="sam", folder="INBOX",
  frm=("Meta", "notification@facebookmail.com"), subject="We received your request", cte="7bit",
  text="""Hi Sam,

We received your request to review the restriction on ad account 2093348812377. We'll review it as soon as we can and let you know our decision. Reviews usually take 24 hours, but some may take longer.

You can check the status of your request in Account Quality.

Thanks,
The Meta Business team
""",
  cat="ticket_ack", provider="meta", thread="H11",
  cues=["We received your request to review the restriction on ad account 2093348812377"],
  notes="Review request acknowledged; only the ad account id links it to the notice.")

# ---- H12 alipay / unknown / Li (zh) -- notice + acknowledgement, still open
M("H12-notice", date="2026-05-06 16:48:03 +0800", to="li", folder="INBOX",
  frm=("支付宝", "service@mail.alipay.com"), cs="GBK", cte="base64", hmode="B",
  subject="支付宝账户限制通知",
  text="""尊敬的支付宝用户：

您的支付宝账户 li.wei@example.cn 已被限制收款及转出功能，自 2026年05月06日 起生效。限制期间，您仍可查看账单、使用余额付款，但无法向银行卡提现或接收他人转账。

如您对本次限制有疑问，可在支付宝 App“我的 > 我的客服”中提交申诉，并提供相关交易凭证。

支付宝（中国）网络技术有限公司
""",
  cat="suspension", reason="unknown", provider="alipay", thread="H12",
  cues=["已被限制收款及转出功能"],
  notes="Alipay restriction that states no reason.")

M("H12-ack", date="2026-05-07 11:26:40 +0800", to="li", folder="INBOX",
  frm=("支付宝客服", "kefu@alipay.com"), cs="utf-8", cte="quoted-printable", hmode="Q",
  subject="您的申诉已受理（编号 SR20260507118804）",
  text="""您好，

您针对账户 li.wei@example.cn 收款限制提交的申诉已受理，申诉编号 SR20260507118804。

我们将在 3 个工作日内完成审核，审核结果将通过短信和邮件告知。审核期间请保持手机畅通，无需重复提交。

支付宝客户服务中心
""",
  cat="ticket_ack", provider="alipay", thread="H12",
  cues=["提交的申诉已受理"],
  notes="Appeal acknowledgement; Q-encoded UTF-8 subject.")


# =====================================================================================
# Stand-alone genuine notices (each opens its own case H13-H30)
# =====================================================================================
M("H13", date="2026-04-28 22:51:19 +0000", to="sam", folder="Junk",
  frm=("Google", "no-reply@accounts.google.com"), auth=dict(dkim_d="accounts.google.com"),
  subject="Access to your Google Account is temporarily blocked",
  form="alt", style="bare", cte="quoted-printable",
  text="""Your Google Account sam.rivera@example.com

We've temporarily blocked access to your account because someone may have used it without your permission. We saw a sign-in with the correct password from an unrecognised device in Jakarta, Indonesia, followed by an attempt to change your recovery email.

To get back in, go to https://accounts.google.com/signin/recovery and follow the steps. You'll need to confirm it's you and choose a new password.

We sent this security notice because it affects your Google Account.
© 2026 Google LLC, 1600 Amphitheatre Parkway, Mountain View, CA 94043, USA
""",
  cat="suspension", reason="security", provider="google", thread="H13",
  cues=["We've temporarily blocked access to your account", "someone may have used it without your permission"],
  notes="Genuine Google security block that was filed as spam.")

M("H14", date="2026-05-15 12:09:33 +0000", to="li", folder="INBOX",
  frm=("Apple", "appleid@id.apple.com"), auth=dict(dkim_d="id.apple.com"),
  subject="Your Apple Account has been locked for security reasons", cte="quoted-printable",
  text="""Dear Li Wei,

For your protection, your Apple Account (li.wei@example.cn) was locked because there were too many unsuccessful attempts to answer your security questions and enter your password.

To unlock your account, visit iforgot.apple.com and verify your identity with your trusted phone number. If you can't do that, you can start account recovery, which may take several days.

Apple Support
""",
  cat="suspension", reason="security", provider="apple", thread="H14",
  cues=["was locked because there were too many unsuccessful attempts"],
  notes="English Apple security lock sent to the Chinese-speaking user.")

M("H15", date="2026-05-03 09:12:50 +0800", to="li", folder="INBOX",
  frm=("腾讯客服", "10000@qq.com"), cs="gb2312", cte="base64", hmode="B",
  subject="QQ账号封停通知",
  text="""您好：

您的QQ号码 2874401935 近期被多名用户举报。经核实，该号码存在批量发送赌博类广告信息的行为，违反了《QQ号码规则》及相关法律法规。

根据规则，我们已对该号码进行封停处理，封停期限为 30 天（2026年05月03日 至 2026年06月02日）。封停期间无法登录，也无法发送消息。

如您认为处理有误，可前往腾讯客服“账号申诉”页面提交申诉。

腾讯公司
""",
  cat="suspension", reason="policy", provider="tencent", thread="H15",
  cues=["存在批量发送赌博类广告信息的行为", "对该号码进行封停处理"],
  notes="QQ number banned for 30 days for gambling spam; GB2312 base64.")

M("H16", date="2026-04-20 10:00:06 +0800", to="li", folder="INBOX",
  frm=("阿里云安全中心", "security@service.aliyun.com"), cs="GBK", cte="quoted-printable", hmode="B",
  subject="【阿里云】违规内容处置通知",
  text="""尊敬的阿里云用户（账号ID：1749203855612207）：

经核查，您名下的网站 shop.liwei.example.cn（解析至 ECS 实例 i-bp1f8w3n6t0yq4e9）存在销售仿冒品牌商品的内容，违反了《阿里云客户服务协议》及《阿里云安全违规处罚规则》。

我们已对该实例的公网访问进行封禁，同时暂停该域名的 CDN 加速服务。处置编号：WG-20260420-31852。

请在 7 个工作日内删除违规内容并完成整改。整改完成后，您可在“云安全中心 > 违规处置”中申请解封。若多次违规，账号可能被永久冻结。

阿里云安全团队
""",
  cat="suspension", reason="policy", provider="aliyun", thread="H16",
  cues=["存在销售仿冒品牌商品的内容", "对该实例的公网访问进行封禁"],
  notes="Policy action on the same aliyun account as H02 but a different incident (counterfeit goods).")

M("H17", date="2026-06-09 21:37:14 +0800", to="li", folder="INBOX",
  frm=("阿里云", "notice@service.aliyun.com"), cs="utf-8", cte="base64", hmode="B",
  subject="紧急：检测到您的 AccessKey 可能已泄露",
  text="""您好，

阿里云安全中心在公开代码仓库中检测到您账号（1749203855612207）下 RAM 用户 deploy-bot 的 AccessKey ID（LTAI5t8Q****Wm2k）。为防止资源被盗用，我们已自动禁用该 AccessKey，并将该 RAM 用户的控制台登录暂时锁定。

主账号不受影响。请您尽快：
  1）删除代码仓库中的密钥并轮换所有凭证；
  2）检查操作审计（ActionTrail）日志中是否有异常调用；
  3）确认安全后，在 RAM 控制台重新启用该用户。

阿里云安全中心
""",
  cat="suspension", reason="security", provider="aliyun", thread="H17",
  cues=["我们已自动禁用该 AccessKey", "控制台登录暂时锁定"],
  notes="Leaked AccessKey disabled and RAM user locked; security.")

M("H18", date="2026-06-12 10:20:41 +0800", to="li", folder="INBOX",
  frm=("支付宝", "service@mail.alipay.com"), cs="gb18030", cte="quoted-printable", hmode="B",
  subject="花呗逾期提醒：您的花呗额度已被冻结",
  text="""李伟您好：

您 2026年06月 的花呗账单 2,316.80 元已于 06月10日 到期，截至今日仍未还款，且绑定银行卡的自动扣款失败（余额不足）。

因账单逾期，您的花呗额度已被冻结，暂时无法使用花呗付款。逾期期间每日按未还金额的万分之五收取逾期费用，逾期记录可能上报征信。

请尽快打开支付宝 App，进入“花呗 > 还款”完成还款，还清后额度一般在 24 小时内恢复。

支付宝
""",
  cat="suspension", reason="payment", provider="alipay", thread="H18",
  cues=["您的花呗额度已被冻结", "自动扣款失败"],
  notes="Huabei credit frozen for an overdue bill; GB18030 quoted-printable.")

M("H19", date="2026-06-04 09:45:00 +0800", to="li", folder="INBOX",
  frm=("腾讯云", "cloud_noreply@tencent.com"), cs="GBK", cte="base64", hmode="B",
  subject="关于部分用户账户被误停服的说明",
  text="""尊敬的腾讯云用户：

2026年06月04日 03:00 至 07:20，因计费系统升级时出现数据同步故障，部分账户的余额被错误显示为负数，系统随之对这些账户下的云服务器、云数据库执行了欠费停服。您的账号（UIN：100038275516）在受影响范围内。

这一问题由我方系统故障导致，与您的实际余额和使用行为无关。目前故障已修复，工程师正在逐批恢复被误停的资源，预计今日 18:00 前全部完成。对于停服期间产生的影响，我们将按照服务等级协议（SLA）为您发放补偿代金券。

如资源在上述时间后仍未恢复，请提交工单并注明“0604 误停服”。

给您带来不便，我们深表歉意。

腾讯云
""",
  cat="suspension", reason="system", provider="tencent", thread="H19",
  cues=["由我方系统故障导致", "执行了欠费停服"],
  notes="Looks like a billing stop but Tencent blames its own billing sync fault: reason system.")

M("H20", date="2026-06-10 23:05:18 +0800", to="li", folder="Junk",
  frm=("微信团队", "weixinteam@qq.com"), cs="utf-8", cte="8bit", hmode="B",
  subject="微信帐号使用受限通知",
  text="""你好，

你的微信帐号（微信号：liwei_0727）已被限制登录，限制期间无法收发消息及使用微信支付。

你可以在微信登录页点击“解除限制”，按照页面提示进行操作。

微信团队
""",
  cat="suspension", reason="unknown", provider="tencent", thread="H20",
  cues=["已被限制登录"],
  notes="Very short WeChat restriction without any reason; found in Junk.")

M("H21", date="2026-06-08 17:30:22 +0000", to="sam", to_addr="sam.rivera+openai@example.com", folder="INBOX",
  frm=("OpenAI", "noreply@email.openai.com"), subject="Action needed: your card was declined", cte="7bit",
  text="""Hi Sam,

We tried to charge your Mastercard ending in 3307 for your ChatGPT Team subscription (workspace "Northgate Design", 6 seats) on June 1, 2026, but the payment was declined by your bank.

Because the invoice is now 7 days overdue, your workspace has been put on hold. Members can't start new chats, and shared GPTs are unavailable until the outstanding amount of $180.00 is paid. Your conversation history is not affected.

Update your payment method: https://chatgpt.com/#settings/Billing

As soon as the payment goes through, access is restored.

The OpenAI team
""",
  cat="suspension", reason="payment", provider="openai", thread="H21",
  cues=["the payment was declined by your bank", "your workspace has been put on hold"],
  notes="ChatGPT Team workspace on hold for a declined card; sent to a plus-address.")

M("H22", date="2026-05-31 06:14:55 +0000", to="sam", folder="INBOX",
  frm=("Apple", "no_reply@email.apple.com"), auth=dict(dkim_d="email.apple.com"),
  subject="There's a billing problem with a previous purchase",
  form="alt", style="simple", cte="quoted-printable",
  text="""Dear Sam Rivera,

We weren't able to collect payment for a recent purchase with your Apple Account. Order ML4T7QX2NB, dated 28 May 2026, for iCloud+ with 2 TB (£8.99), is still unpaid after several attempts to charge the card on file.

Until the balance is paid, purchases and downloads in the App Store, the Apple TV app and Apple Music are disabled for this Apple Account, including free apps and updates.

To pay the outstanding balance, go to Settings > [your name] > Media & Purchases > View Account > Purchase History on your iPhone, or update your payment method at https://account.apple.com.

Apple
""",
  cat="suspension", reason="payment", provider="apple", thread="H22",
  cues=["We weren't able to collect payment", "are disabled for this Apple Account"],
  notes="Apple media purchases disabled for an unpaid order; British pricing.")

M("H23", date="2026-06-03 02:26:40 +0000", to="sam", folder="Junk",
  frm=("Microsoft Azure", "azure-noreply@microsoft.com"), subject="Your Azure subscription has been disabled",
  form="html", style="card", brand="Microsoft Azure", accent="#0078d4",
  text="""Your subscription Pay-As-You-Go (ID 5c2d8a17-0e4b-4f92-a6d3-18be7f40c9a1) has been disabled because the latest invoice, G081234567 for $412.08, is past due.

What happens now:
• Virtual machines have been deallocated and other services are stopped.
• Your data is preserved for 90 days.
• You can still sign in to the Azure portal to pay the balance.

[[Pay now|https://portal.azure.com/#blade/Microsoft_Azure_Billing]]

Once the payment is processed, reactivate the subscription from the portal. Services can need as long as a day to come back.

Microsoft Corporation, One Microsoft Way, Redmond, WA 98052
""",
  cat="suspension", reason="payment", provider="microsoft", thread="H23",
  cues=["has been disabled because the latest invoice", "is past due"],
  notes="HTML-only Azure subscription disabled for an overdue invoice, in Junk.")

M("H24", date="2026-05-20 18:40:12 +0000", to="li", folder="INBOX",
  frm=("Anthropic", "no-reply@anthropic.com"), subject="Notice of account termination", cte="quoted-printable",
  text="""Hello,

We are writing to inform you that access to your Claude account (li.wei@example.cn) has been terminated, effective immediately.

Our automated and human review found that your account was used repeatedly to request content that violates our Usage Policy, including attempts to obtain step-by-step instructions for compromising third-party computer systems. These requests continued after warnings were displayed in the product.

As a result of this decision:
  (a) you will no longer be able to sign in to Claude.ai or use the Claude apps with this account;
  (b) any active Claude Pro subscription has been cancelled, and a prorated refund for the unused period will be issued to your original payment method;
  (c) creating new accounts to get around this action is itself a violation of our terms.

If you believe this was a mistake, you may submit an appeal using the form linked from our Help Center within 30 days. We cannot respond to appeals sent to this address.

Anthropic, PBC
""",
  cat="suspension", reason="policy", provider="anthropic", thread="H24",
  cues=["has been terminated, effective immediately", "violates our Usage Policy"],
  notes="Formal termination notice for Usage Policy violations.")

M("H25", date="2026-06-06 13:58:07 +0000", to="li", folder="INBOX",
  frm=("Discord", "noreply@discord.com"), subject="Your account was disabled due to suspicious activity", cte="7bit",
  text="""Hi liwei.dev,

We detected suspicious activity on your Discord account and have disabled it temporarily to protect you. It looks like your account may have been used to send links from an unfamiliar location.

To regain access, reset your password with the "Forgot your password?" link on the login page. We recommend turning on two-factor authentication once you're back in.

The Discord Team
""",
  cat="suspension", reason="security", provider="discord", thread="H25",
  cues=["We detected suspicious activity", "have disabled it temporarily"],
  notes="Discord security disable, password reset required.")

M("H26", date="2026-05-27 17:05:44 +0000", to="sam", folder="INBOX",
  frm=("GitHub", "noreply@github.com"), subject="[GitHub] Actions were blocked on your account by mistake",
  cte="7bit",
  text="""Hi @sam-northgate,

Between 14:02 and 16:40 UTC on May 27, a fault in the job that synchronises spending limits with our billing provider marked a number of accounts as having exceeded their GitHub Actions budget. Your account was one of them, so GitHub Actions and Codespaces were blocked even though you had not reached your limit.

This was a mistake on our side. Workflows queued during that window were cancelled and will not start again on their own; please re-run them from the Actions tab. No charges were applied for the affected period.

We're sorry for the interruption. If you still see "The job was not started because your account is locked due to a billing issue" after 18:00 UTC, contact GitHub Support and mention this email.

Thanks,
The GitHub Team
""",
  cat="suspension", reason="system", provider="github", thread="H26",
  cues=["This was a mistake on our side", "GitHub Actions and Codespaces were blocked"],
  notes="Billing-sync fault blocked Actions; provider blames itself, so system despite the billing words.")

M("H27", date="2026-05-06 11:52:30 +0000", to="sam", folder="INBOX",
  frm=("The Google Workspace Team", "workspace-noreply@google.com"),
  subject="Service interruption on your Google Workspace account", form="alt", style="card",
  brand="Google Workspace", cte="quoted-printable",
  text="""Hello Workspace administrator,

On 6 May 2026, an error in a Google Workspace provisioning process caused some customer accounts, including yours (riveraceramics.example, customer ID C03k9vx2p), to be suspended even though their subscriptions were paid and in good standing.

During this time, users on your domain were unable to sign in to Gmail, Drive and Calendar. Incoming email was queued and is being delivered now; no data has been lost.

We have identified the root cause and are lifting the suspension on all affected accounts. Most customers will regain access within the next hour, and you do not need to take any action. A detailed incident report will be published on the Google Workspace Status Dashboard.

We apologise for the inconvenience.

Google Workspace Customer Care
""",
  cat="suspension", reason="system", provider="google", thread="H27",
  cues=["an error in a Google Workspace provisioning process", "to be suspended even though their subscriptions were paid"],
  notes="Workspace suspended by a provisioning error; British spelling.")

M("H28", date="2026-06-11 20:14:09 +0000", to="li", folder="INBOX",
  frm=("Stripe", "notifications@stripe.com"), subject="Incorrect payout hold on your account", cte="7bit",
  text="""Hi Li,

Earlier today, a faulty update to one of our automated risk models placed payout holds on a group of accounts by mistake. Your account, Lantern Type Studio (acct_1NbH5cRt2Yw8eUq3), was affected: payouts scheduled for June 12 were paused, and the Dashboard showed "Payouts paused - action required".

You don't need to provide any documents or take any action. The model has been rolled back and we're releasing the holds. Your pending payout of $2,906.40 will be sent on the next business day.

Apologies for the confusion.

Stripe
""",
  cat="suspension", reason="system", provider="stripe", thread="H28",
  cues=["placed payout holds on a group of accounts by mistake"],
  notes="Stripe payout hold caused by a faulty risk model update; system.")

M("H29", date="2026-06-04 05:20:31 +0000", to="sam", folder="Junk",
  frm=("Amazon.com", "account-update@amazon.com"), subject="Your Amazon.com account is on hold", cte="7bit",
  text="""Hello,

Your Amazon.com account has been placed on hold, and any pending orders have been cancelled.

To remove the hold, please visit Your Account and follow the on-screen instructions. We'll respond within 2 business days of receiving the requested information.

We appreciate your patience.

Account Specialist
Amazon.com
www.amazon.com
""",
  cat="suspension", reason="unknown", provider="amazon", thread="H29",
  cues=["has been placed on hold"],
  notes="Genuine but phishing-looking Amazon hold with no reason; authentication passes; in Junk.")

M("H30", date="2026-06-13 03:47:56 +0000", to="li", folder="INBOX",
  frm=("PayPal", "service@intl.paypal.com"), subject="Important: a limitation has been placed on your account",
  form="html", style="simple", brand="PayPal", accent="#003087",
  text="""Hello Li Wei,

We've placed a limitation on your PayPal account. You can't send or withdraw money until you resolve it.

Log in to your account and go to the Resolution Centre to see what we need from you.

[[Log in to PayPal|https://www.paypal.com/signin]]

Reference number: PP-L-00493821

Thanks,
PayPal

Please do not reply to this email. This mailbox is not monitored.
""",
  cat="suspension", reason="unknown", provider="paypal", thread="H30",
  cues=["We've placed a limitation on your PayPal account"],
  notes="HTML-only PayPal limitation without a stated reason.")


# =====================================================================================
# Phishing imitations (category suspension, phishing true, thread null)
# =====================================================================================
M("P01", date="2026-05-27 02:33:18 +0000", to="sam", folder="Junk",
  frm=("PayPal", "service@paypa1-resolution.com"), relay="mail.paypa1-resolution.com",
  auth=dict(dkim="none", dmarc="none"), subject="Your account has been limited !!", cte="7bit",
  text="""Dear Customer,

We recently noticed one or more attempts to log in to your PayPal account from a foreign IP address and we have reasons to belive that your account was used by a third party without your authorization.

Your account access has been limited untill you confirm your information. If you dont verify within 24 hours your account will be permanently closed.

Click below to restore access:
https://paypa1-resolution.com/signin/restore?id=88231

Thank you,
PayPal Security Departement
""",
  cat="suspension", reason="security", provider="paypal", phishing=True,
  cues=["Your account access has been limited", "attempts to log in to your PayPal account"],
  notes="Digit-for-letter look-alike (paypa1) arriving while the real H08 PayPal case is open.")

M("P02", date="2026-05-21 07:12:45 +0000", to="li", folder="Junk",
  frm=("Microsoft Account Team", "no-reply@micros0ft-verify.com"), relay="smtp.micros0ft-verify.com",
  auth=dict(spf="neutral", dkim="none", dmarc="none"), subject="Microsoft account blocked - verify now",
  form="html",
  html="""<html><body style="font-family:Segoe UI,Tahoma,sans-serif;font-size:14px">
<p style="font-size:26px;color:#2672ec">Microsoft account</p>
<p style="font-size:34px;color:#2672ec">Unusual sign-in activity</p>
<p>We detected something unusual about a recent sign-in to the Microsoft account <b>li.wei@example.cn</b>. Your account has been blocked for security reasons.</p>
<p>Sign-in details<br>Country/region: Russia/Moscow<br>IP address: 203.0.113.77<br>Platform: Windows<br>Browser: Firefox</p>
<p>Please verify your account within 12 hours to avoid permanent deletion.</p>
<p><a href="http://micros0ft-verify.com/owa/login.php" style="background:#2672ec;color:#fff;padding:8px 16px;text-decoration:none">Verify account</a></p>
<p>Thanks,<br>The Microsoft account team</p>
</body></html>
""",
  text="Your account has been blocked for security reasons.",
  cat="suspension", reason="security", provider="microsoft", phishing=True,
  cues=["Your account has been blocked for security reasons", "Unusual sign-in activity"],
  notes="Classic micros0ft look-alike, HTML only, threatens deletion.")

M("P03", date="2026-04-09 11:20:05 +0000", to="sam", folder="INBOX",
  frm=("OpenAI Billing", "billing@openai-billing-support.com"), relay="o12.mail.openai-billing-support.com",
  subject="Your API access is paused - update your billing details", form="alt", style="card", brand="OpenAI",
  accent="#10a37f", cte="quoted-printable",
  text="""Hi Sam,

We were unable to process the most recent charge for your OpenAI API organization, so API access has been paused to prevent unpaid usage from accumulating.

Your usage data and API keys are safe. To resume service, confirm your billing details within the next 72 hours:

[[Confirm billing details|https://openai-billing-support.com/account/billing/resume]]

After that, any unpaid usage will be charged and the organization will be scheduled for deactivation.

Thanks,
The OpenAI Billing Team
""",
  cat="suspension", reason="payment", provider="openai", phishing=True,
  cues=["API access has been paused", "confirm your billing details within the next 72 hours"],
  notes="Subtle: clean grammar, SPF/DKIM/DMARC pass for the look-alike domain, arrives during the real H01 case.")

M("P04", date="2026-05-17 09:03:27 +0000", to="li", folder="INBOX",
  frm=("Apple", "noreply@id.apple.com.account-verify.example"), relay="mx1.account-verify.example",
  mailfrom="bounce@account-verify.example", auth=dict(dkim_d="account-verify.example", dmarc="none"),
  subject="Your Apple ID has been suspended", form="alt", style="simple", cte="quoted-printable",
  text="""Dear Customer,

Your Apple ID has been suspended because of an unauthorized purchase of "Clash Royale - 14000 Gems" (¥648.00) from a new device.

If you did not make this purchase, you must confirm your identity to cancel the order and restore your account.

[[Confirm now|https://id.apple.com.account-verify.example/cancel?case=AP-55120]]

Unconfirmed Apple IDs are permanently disabled after 48 hours.

Apple Support
""",
  cat="suspension", reason="security", provider="apple", phishing=True,
  cues=["Your Apple ID has been suspended", "unauthorized purchase"],
  notes="Provider name used as a subdomain of a foreign domain; two days after the genuine H14 Apple lock.")

M("P05", date="2026-04-30 14:40:51 +0000", to="sam", folder="INBOX",
  frm=("Google", "no-reply@accounts.google.com"), relay="vps-4471.cheaphost.example", ip="192.0.2.201",
  auth=dict(spf="fail", dkim="fail", dmarc="fail"), forged="mx.google.com",
  inner="[10.8.0.14] (helo=mailer.local)",
  subject="Your Google Account has been disabled", form="html",
  html="""<!DOCTYPE html>
<html><head><meta charset="utf-8"></head>
<body style="font-family:Roboto,Arial,sans-serif;background:#fff">
<div style="max-width:520px;margin:24px auto;border:1px solid #dadce0;border-radius:8px;padding:32px">
<div style="text-align:center;font-size:22px;color:#202124">Your Google Account has been disabled</div>
<div style="text-align:center;color:#5f6368;margin:8px 0 24px">sam.rivera@example.com</div>
<p>Your account was disabled because it appears to have been used in a way that violates Google's policies. Some of the content stored in your Google Drive was found to contain material that is not allowed.</p>
<p>If you think this is a mistake, you can ask us to restore your account. You must submit the request within 7 days; after that, the account and its data may be permanently deleted.</p>
<p style="text-align:center"><a href="https://accounts-google.signin-review.example/appeal?u=sam.rivera" style="background:#1a73e8;color:#fff;padding:10px 24px;border-radius:4px;text-decoration:none">Request review</a></p>
<p style="font-size:12px;color:#5f6368">Google LLC, 1600 Amphitheatre Parkway, Mountain View, CA 94043</p>
</div></body></html>
""",
  text="Your account was disabled because it appears",
  cat="suspension", reason="policy", provider="google", phishing=True,
  cues=["Your account was disabled because", "violates Google's policies"],
  notes="Subtle: exact Google From, clean text, but SPF/DKIM/DMARC fail, link goes elsewhere, forged lower pass header.")

M("P06", date="2026-04-10 06:45:33 +0000", to="sam", folder="INBOX",
  frm=("GitHub", "support@github.com"), relay="mail.relay-77.example", ip="203.0.113.199",
  auth=dict(spf="softfail", dkim="none", dmarc="fail"), forged="mx.example.net",
  inner="localhost (localhost [127.0.0.1])",
  subject="[GitHub] Action required: your repositories will be removed", cte="7bit",
  text="""Hi @samriv-dev,

Your account has been flagged for a violation of GitHub's Terms of Service: we received a DMCA takedown notice concerning the repository samriv-dev/fps-unlocker.

Your account is currently frozen. Unless you file a counter-notice within 48 hours, the repository and the account will be deleted.

File a counter-notice: https://github-dmca-review.example/counter-notice/samriv-dev

GitHub Legal
""",
  cat="suspension", reason="policy", provider="github", phishing=True,
  cues=["Your account is currently frozen", "DMCA takedown notice"],
  notes="Subtle: exact GitHub From naming the real H04 repository; DMARC fails, a lower forged header with authserv-id mx.example.net claims pass; must not join H04.")

M("P07", date="2026-06-09 19:18:40 +0000", to="sam", folder="Junk",
  frm=("Amazon", "account-update@arnazon.com"), relay="smtp.arnazon.com",
  auth=dict(dkim="none", dmarc="none"), subject="Your Amazon account is on hold - payment declined",
  form="alt", style="bare", cte="quoted-printable",
  text="""Hello,

We were unable to authorize the payment method for your recent order #113-4827719-2093384. As a result, your Amazon account has been put on hold and your Prime membership is suspended.

To keep using your account, please update your billing information:
[[Update billing information|http://arnazon-billing-update.example/ap/signin]]

If we don't hear from you within 3 days, the account will be closed.

Sincerely,
Amazon Customer Service
""",
  cat="suspension", reason="payment", provider="amazon", phishing=True,
  cues=["your Amazon account has been put on hold", "We were unable to authorize the payment method"],
  notes="rn-for-m homoglyph (arnazon.com) arriving during the real H10 AWS payment case.")

M("P08", date="2026-05-08 22:15:09 +0800", to="li", folder="Junk",
  frm=("支付宝安全中心", "service@alipay-kefu.com"), relay="mail.alipay-kefu.com", cs="GBK", cte="base64",
  auth=dict(spf="softfail", dkim="none", dmarc="none"),
  subject="紧急通知：您的支付宝账户已被冻结",
  text="""尊敬的用户：

系统检测到您的支付宝账户存在异常交易，涉嫌洗钱风险，您的账户已被冻结，余额将无法使用。

请您在24小时内点击以下链接完成身份验证并解冻账户，逾期将永久注销并上报公安机关：

http://alipay-kefu.com/jiedong/verify.html

验证时需提供：银行卡号、预留手机号、支付密码及短信验证码。

支付宝安全中心
""",
  cat="suspension", reason="policy", provider="alipay", phishing=True,
  cues=["您的账户已被冻结", "涉嫌洗钱风险"],
  notes="Chinese Alipay look-alike asking for card number, PIN and SMS code; two days after the genuine H12 notice.")

M("P09", date="2026-05-05 20:31:44 +0800", to="li", folder="INBOX",
  frm=("QQ安全中心", "safe@qq-anquan.com"), relay="smtp.qq-anquan.com", cs="gb2312", cte="quoted-printable",
  hmode="Q", auth=dict(dkim="none", dmarc="none"),
  subject="QQ账号违规封停预警",
  text="""您的QQ账号因涉嫌发布违规内容，已被系统列入封停名单，将于今日 23:59 起永久封停。

如非本人操作，请立即登录以下地址进行解封申诉：
http://qq-anquan.com/jiefeng/

腾讯安全中心
""",
  cat="suspension", reason="policy", provider="tencent", phishing=True,
  cues=["已被系统列入封停名单"],
  notes="Short QQ look-alike two days after the genuine H15 QQ ban; GB2312 quoted-printable.")

M("P10", date="2026-04-25 16:02:38 +0800", to="li", folder="INBOX",
  frm=("阿里云", "notice@service.aliyun.com"), relay="static-45.bulkmailer.example", ip="198.51.100.233",
  cs="utf-8", cte="base64", auth=dict(spf="fail", dkim="fail", dmarc="fail", policy="QUARANTINE"),
  forged="mx2.aliyun-inc.com", inner="unknown (HELO smtp.aliyun.com) (198.51.100.233)",
  subject="【阿里云】账户欠费停机通知", form="alt", style="card", brand="阿里云", accent="#ff6a00",
  text="""尊敬的阿里云用户：

您的账户已欠费 86.40 元，名下云服务器 ECS 及云数据库 RDS 已于今日停机。为避免数据被释放，请在 48 小时内通过以下专用通道完成续费：

[[立即续费|https://aliyun-renew.example/pay]]

续费成功后，实例将在 10 分钟内自动恢复。

阿里云计算有限公司
""",
  cat="suspension", reason="payment", provider="aliyun", phishing=True,
  cues=["已于今日停机", "专用通道完成续费"],
  notes="Subtle: exact aliyun From and clean Chinese text shortly after H02, but SPF/DKIM/DMARC fail, forged lower header, link to aliyun-renew.example.")

M("P11", date="2026-06-04 10:26:59 +0000", to="sam", folder="Junk",
  frm=("Discord", "noreply@dlscord.com"), relay="mail.dlscord.com",
  subject="Your Discord account will be disabled", cte="7bit",
  text="""Hello samrivera_,

Your account has been reported for violating Discord Terms of Service (spam / scam links). Our Trust & Safety team has temporarly disabled your account.

If you believe this was a mistake, please verify your account ownership here within 24h, otherwise your account will be permanantly banned:

https://dlscord.com/verify-appeal

Discord Trust & Safety Team
""",
  cat="suspension", reason="policy", provider="discord", phishing=True,
  cues=["has temporarly disabled your account"],
  notes="l-for-i look-alike (dlscord.com) with passing auth for its own domain, sent during the real H09 case.")

M("P12", date="2026-04-27 13:07:12 +0000", to="sam", folder="INBOX",
  frm=("Meta Business Support", "support@meta-business-appeals.com"), relay="mta2.meta-business-appeals.com",
  auth=dict(dmarc="none"), subject="Your Page has been scheduled for permanent deletion", form="html",
  html="""<html><head><meta charset="utf-8"></head><body style="font-family:Helvetica,Arial,sans-serif;color:#1c1e21">
<table width="100%" cellpadding="0" cellspacing="0"><tr><td style="background:#1877f2;color:#fff;padding:14px 20px;font-size:20px;font-weight:bold">Meta</td></tr>
<tr><td style="padding:20px">
<p>Hi,</p>
<p>Your Page was reported for infringing on the copyright of others. Due to repeated violations of our Community Standards, your Page and linked ad accounts have been restricted and are scheduled for permanent deletion.</p>
<p>If you think your Page was restricted in error, please submit an appeal using the link below. Failure to do so within 24 hours will result in permanent removal.</p>
<p>Submit appeal: <a href="https://meta-business-appeals.com/case/1000834726">https://www.facebook.com/help/appeal/1000834726</a></p>
<p>Thanks,<br>The Facebook Team</p>
<p style="font-size:11px;color:#8a8d91">Meta Platforms, Inc., Attention: Community Support, 1 Meta Way, Menlo Park, CA 94025</p>
</td></tr></table></body></html>
""",
  text="have been restricted and are scheduled for permanent deletion",
  cat="suspension", reason="policy", provider="meta", phishing=True,
  cues=["have been restricted and are scheduled for permanent deletion"],
  notes="Meta look-alike whose link text shows facebook.com while the href goes elsewhere; three days after the real H11 restriction.")


# =====================================================================================
# Irrelevant mail, including hard negatives
# =====================================================================================
M("I01", date="2026-04-08 07:30:00 +0000", to="sam", folder="Junk",
  frm=("TrackLine Performance", "deals@trackline-performance.example"), relay="mail.trackline-performance.example",
  auth=dict(dmarc="none"), subject="Spring sale: 20% off adjustable coilover suspension",
  form="alt", style="card", brand="TRACKLINE", accent="#d32f2f", cte="quoted-printable",
  extra=["List-Unsubscribe: <https://trackline-performance.example/u/8812>"],
  text="""Spring sale, this week only

Is your car wallowing through corners? Our adjustable coilover suspension kits let you set ride height and damping in 32 clicks, and they're 20% off until Sunday.

- Street-tuned kits for Golf, Civic and MX-5 from £849
- Free corner balancing with any full suspension install at our Leeds workshop
- Worn shocks? Trade in your old dampers for an extra £40 off

[[Shop the sale|https://trackline-performance.example/sale]]

You're receiving this because you bought rear anti-roll bar bushes from us in 2025. Unsubscribe: https://trackline-performance.example/u/8812
""",
  cat="irrelevant", provider=None,
  cues=["adjustable coilover suspension kits"],
  notes="Car suspension advert in Junk.")

M("I02", date="2026-04-13 14:00:41 +0000", to="sam", folder="INBOX",
  frm=("Ridgeback Cycle Works", "service@ridgebackcycles.example"), relay="smtp.ridgebackcycles.example",
  subject="Your fork service is booked", cte="quoted-printable",
  text="""Hi Sam,

Thanks for booking your bike in. Here are the details:

Service: Full suspension fork service (lowers + damper), Fox 34
Drop-off: Saturday 18 April, 9:00–11:00
Estimated turnaround: 3 working days
Price: $145 including seals and oil

Tip: if your lockout lever feels stiff or the fork sags more than usual, mention it at drop-off so we can check the air spring too.

See you Saturday,
Ridgeback Cycle Works
""",
  cat="irrelevant", provider=None,
  cues=["Full suspension fork service"],
  notes="Bicycle suspension service booking.")

M("I03", date="2026-04-23 18:20:00 +0800", to="li", folder="INBOX",
  frm=("骑士摩托改装", "promo@qishi-moto.example.cn"), relay="mail.qishi-moto.example.cn",
  auth=dict(dkim="none", dmarc="none"), cs="gb2312", cte="quoted-printable", hmode="B",
  subject="摩托车后避震升级，五一特惠",
  text="""李先生您好，

五一假期骑行季即将开始，您的摩托车悬挂系统是否需要升级？

本店新到一批可调阻尼后避震器，适配本田、雅马哈、春风等主流车型，支持预载、回弹双向调节，长途跑山更稳定。

活动期间（4月25日至5月5日）：
  后避震器整套八折，前叉油封更换免工时费；
  到店检测悬挂系统，赠送链条保养一次。

门店地址：杭州市拱墅区莫干山路 188 号
咨询电话：0571-5550-1234

退订请回复 TD
""",
  cat="irrelevant", provider=None,
  cues=["可调阻尼后避震器", "悬挂系统"],
  notes="Motorcycle suspension advert in GB2312.")

M("I04", date="2026-04-22 20:15:02 +0000", to="sam", folder="INBOX",
  frm=("Maple Grove Middle School", "office@maplegrove-ms.example"), relay="smtp.maplegrove-ms.example",
  subject="Notice of out-of-school suspension - Jordan Rivera", cte="7bit",
  text="""Dear Mr. or Ms. Rivera,

This letter is to inform you that your child, Jordan Rivera (Grade 7), has been given a two-day out-of-school suspension on April 23 and 24, 2026, following a physical altercation in the cafeteria on April 21.

Jordan may return to class on Monday, April 27. Schoolwork for the missed days will be posted on the class portal, and Jordan will be allowed to make up the science quiz.

A re-entry meeting with the assistant principal is required before Jordan returns. Please call the front office at (555) 014-2200 to schedule it. You have the right to appeal this suspension in writing to the principal within five school days.

Sincerely,
Dr. Angela Moss
Assistant Principal
""",
  cat="irrelevant", provider=None,
  cues=["two-day out-of-school suspension", "appeal this suspension"],
  notes="School suspension letter that even mentions an appeal.")

M("I05", date="2026-04-27 08:05:10 +0000", to="sam", folder="INBOX",
  frm=("Northside Sunday League", "news@northsideleague.example"), relay="mail.northsideleague.example",
  subject="Matchday 24 round-up and disciplinary update", cte="quoted-printable",
  text="""NORTHSIDE SUNDAY LEAGUE: MATCHDAY 24

Results
Harbour Athletic 2–1 Greenway Rovers
Eastfield United 0–0 Kingsmead FC
Old Bridge 4–2 Ferry Lane

Disciplinary
Following the red card shown against Greenway Rovers, their captain D. Okafor receives a three-match suspension for violent conduct. Kingsmead's appeal against last week's ban for their goalkeeper has been rejected by the league committee, so he also misses the next two fixtures.

Fixtures for next Sunday are on the website. Pitch 3 at Eastfield is closed for reseeding.

League Secretary
""",
  cat="irrelevant", provider=None,
  cues=["three-match suspension for violent conduct"],
  notes="Amateur football newsletter with suspensions and a rejected appeal.")

M("I06", date="2026-05-10 21:00:00 +0800", to="li", folder="INBOX",
  frm=("城市业余篮球联赛", "news@cityhoops.example.cn"), relay="smtp.cityhoops.example.cn",
  cs="utf-8", cte="base64", hmode="B",
  subject="联赛纪律通报：两名球员被禁赛",
  text="""各参赛队伍：

在 5 月 9 日进行的第六轮比赛中，星火队 7 号球员与裁判发生激烈冲突并推搡对方球员。经联赛纪律委员会研究决定，给予该球员停赛四场的处罚，并通报批评。

另，蓝鲸队 12 号球员因冒名顶替参赛，被取消本赛季参赛资格，该队第五轮比赛成绩按 0:20 负处理。

请各队引以为戒，遵守赛场纪律。申诉须在通报发布后 48 小时内以书面形式提交。

城市业余篮球联赛组委会
""",
  cat="irrelevant", provider=None,
  cues=["停赛四场", "取消本赛季参赛资格"],
  notes="Chinese basketball league ban notice.")

M("I07", date="2026-05-12 09:33:15 +0000", to="sam", folder="INBOX",
  frm=("Microsoft Azure", "azure-noreply@microsoft.com"),
  subject="Planned maintenance: Azure Database for PostgreSQL will be briefly unavailable",
  form="alt", style="simple", brand="Microsoft Azure", cte="7bit",
  text="""Planned maintenance notification

Tracking ID: 8MX2-TQ0

Your Azure Database for PostgreSQL flexible server "northgate-pg-01" in West Europe is scheduled for maintenance on 16 May 2026 between 01:00 and 05:00 UTC.

During the maintenance window the service will be briefly suspended while we apply platform updates. Expect one or two periods of unavailability of up to 60 seconds each. No action is required, and your subscription and billing are not affected.

You can change the preferred maintenance window in the Azure portal under Server parameters > Maintenance.

Microsoft Azure
""",
  cat="irrelevant", provider="microsoft",
  cues=["scheduled for maintenance", "the service will be briefly suspended"],
  notes="Scheduled maintenance from a provider that uses the word suspended.")

M("I08", date="2026-05-15 17:00:12 +0800", to="li", folder="INBOX",
  frm=("阿里云", "notice@service.aliyun.com"), cs="GBK", cte="8bit", hmode="B",
  subject="【阿里云】云数据库 RDS 计划内维护通知",
  text="""尊敬的阿里云用户：

为提升服务稳定性，我们将于 2026年05月20日 02:00-04:00 对华东2（上海）地域的云数据库 RDS MySQL 进行计划内升级维护。

维护期间，您的实例 rm-uf6x9k2j8 可能出现 1-2 次约 30 秒的闪断，服务将短暂暂停，请确保应用具备自动重连机制。本次维护不影响数据安全，不产生任何费用，账号状态亦不受影响。

如当前维护时间不便，可在控制台“可维护时间段”中调整。

阿里云
""",
  cat="irrelevant", provider="aliyun",
  cues=["计划内升级维护", "服务将短暂暂停"],
  notes="Aliyun maintenance notice, GBK 8bit, same sender address as genuine notices.")

M("I09", date="2026-04-29 16:00:00 +0100", to="sam", folder="INBOX",
  frm=("Harbourside Bank", "alerts@harbourside-bank.example"), relay="out.harbourside-bank.example",
  subject="Online banking unavailable Sunday 3 May, 01:00-04:00", cte="7bit",
  text="""Dear customer,

We're upgrading our systems. On Sunday 3 May between 01:00 and 04:00, online and mobile banking will be suspended. Card payments and cash machines will work as normal.

You don't need to do anything. We will never ask for your PIN or passcode by email.

Harbourside Bank
""",
  cat="irrelevant", provider=None,
  cues=["online and mobile banking will be suspended"],
  notes="Bank maintenance window.")

M("I10", date="2026-05-09 15:22:47 +0000", to="sam", folder="INBOX",
  frm=("Google Payments", "payments-noreply@google.com"), subject="Your YouTube Premium membership is paused",
  cte="7bit",
  text="""Hi Sam,

As you requested, your YouTube Premium membership is now paused. You won't be charged during the pause.

Pause starts: May 9, 2026
Membership resumes: August 9, 2026
Next charge: $13.99 on August 9, 2026

While your membership is paused you'll see ads, and downloads and background play won't be available. You can resume any time from youtube.com/paid_memberships.

Google Payments
""",
  cat="irrelevant", provider="google",
  cues=["As you requested, your YouTube Premium membership is now paused"],
  notes="Subscription paused by the user; provider google.")

M("I11", date="2026-05-24 10:41:00 +0000", to="li", folder="INBOX",
  frm=("Greenbox Kitchen", "hello@greenbox.example"), relay="mail.greenbox.example",
  subject="Your deliveries are on pause until 14 June", cte="quoted-printable",
  text="""Hi Li,

You're all set: we've skipped your boxes for the next three weeks, just as you asked. Your account is paused and you won't be billed until your next delivery.

Next delivery: Sunday 14 June
Plan: 3 recipes for 2 people

Changed your mind? Reactivate any time from Menu > Plan settings.

Enjoy the break,
The Greenbox team
""",
  cat="irrelevant", provider=None,
  cues=["Your account is paused and you won't be billed"],
  notes="Meal-kit account paused at the user's own request.")

M("I15", date="2026-04-21 12:00:30 +0000", to="sam", folder="INBOX",
  frm=("OpenAI", "noreply@tm.openai.com"), subject="Your receipt from OpenAI #2841-7730",
  form="alt", style="card", brand="OpenAI", cte="quoted-printable",
  text="""Receipt from OpenAI, LLC

Receipt number: 2841-7730
Date paid: April 21, 2026
Payment method: Mastercard - 3307

API credit purchase (prepaid): $250.00
Tax: $0.00
Amount paid: $250.00

Questions? Contact us at https://help.openai.com.

OpenAI, LLC · 1455 3rd Street · San Francisco, CA 94158
""",
  cat="irrelevant", provider="openai",
  cues=["Receipt number: 2841-7730", "Amount paid: $250.00"],
  notes="OpenAI credit receipt after the H01 restoration.")

M("I16", date="2026-05-01 06:00:04 +0000", to="sam", folder="INBOX",
  frm=("Anthropic", "billing@mail.anthropic.com"), subject="Your Anthropic invoice INV-58231044 is available",
  cte="7bit",
  text="""Hello,

Your invoice for Lumen Harbor for April 2026 is now available.

Invoice number: INV-58231044
Amount due: $1,382.16
Due date: May 15, 2026
Payment method: automatic charge to Visa ending 9054

You don't need to do anything. The card on file will be charged on the due date.

Anthropic, PBC
""",
  cat="irrelevant", provider="anthropic",
  cues=["Invoice number: INV-58231044"],
  notes="Routine invoice for the organisation later hit by H06.")

M("I17", date="2026-05-14 18:22:09 +0000", to="li", folder="INBOX",
  frm=("Riverside Yoga Studio", "receipts+acct_1Lx7Tq@stripe.com"), auth=dict(dkim_d="stripe.com"),
  subject="Your receipt from Riverside Yoga Studio #1093-4410", form="html", style="card", accent="#635bff",
  text="""Receipt from Riverside Yoga Studio

Amount paid: $72.00
Date paid: May 14, 2026
Payment method: Visa - 2211

10-class pass x 1: $72.00

Questions? Contact Riverside Yoga Studio at hello@riversideyoga.example.
""",
  cat="irrelevant", provider="stripe",
  cues=["Receipt from Riverside Yoga Studio", "Amount paid: $72.00"],
  notes="Merchant receipt delivered by Stripe.")

M("I18", date="2026-05-01 08:30:00 +0800", to="li", folder="INBOX",
  frm=("腾讯云", "billing@cloud.tencent.com"), cs="gb18030", cte="base64", hmode="B",
  subject="腾讯云 2026年04月 账单已出",
  text="""尊敬的用户（UIN：100038275516）：

您 2026年04月 的月度账单已生成：

  账单金额：438.25 元
  已抵扣代金券：50.00 元
  实际扣费：388.25 元
  扣费流水号：TC202605010338812745

扣费已从账户余额中完成，当前余额 1,203.70 元。电子发票可在“费用中心 > 发票管理”中申请开具。

腾讯云
""",
  cat="irrelevant", provider="tencent",
  cues=["扣费流水号：TC202605010338812745"],
  notes="Tencent Cloud monthly bill, GB18030 base64.")

M("I19", date="2026-06-13 09:12:00 +0000", to="sam", folder="INBOX",
  frm=("GitHub", "noreply@github.com"), subject="[GitHub] Password reset request", cte="7bit",
  text="""Hi @sam-northgate,

A password reset was requested for the GitHub account @sam-northgate. To pick a new password, open this link:

https://github.com/password_reset/3f0a9c2e71bd

It stays valid for 3 hours. Didn't request it? No action is needed, and your current password keeps working.

Thanks,
The GitHub Team
""",
  cat="irrelevant", provider="github",
  cues=["A password reset was requested for the GitHub account"],
  notes="Password reset, nothing is locked.")

M("I20", date="2026-06-03 21:14:36 +0800", to="li", folder="INBOX",
  frm=("QQ安全中心", "service@safe.qq.com"), cs="GBK", cte="quoted-printable", hmode="B",
  subject="QQ密码修改成功提醒",
  text="""亲爱的用户：

您的QQ号 2874401935 于 2026-06-03 21:14 成功修改了登录密码（操作地点：浙江杭州，设备：iPhone）。

如果这是您本人的操作，请忽略本邮件。如非本人操作，请立即通过安全中心找回密码并冻结账号。

QQ安全中心
""",
  cat="irrelevant", provider="tencent",
  cues=["成功修改了登录密码"],
  notes="Password-change confirmation that merely suggests freezing the account if it was not the user.")

M("I21", date="2026-05-02 19:45:12 +0000", to="sam", folder="INBOX",
  frm=("Google", "no-reply@accounts.google.com"), subject="Security alert: new sign-in on Mac",
  form="alt", style="bare", cte="quoted-printable",
  text="""A new sign-in on Mac

sam.rivera@example.com

We noticed a new sign-in to your Google Account on a Mac device. Was it you? Then there's nothing to do. Otherwise, review the activity and we'll walk you through securing the account.

[[Check activity|https://myaccount.google.com/notifications]]

You're getting this alert because of a security-relevant change to your Google Account.
""",
  cat="irrelevant", provider="google",
  cues=["new sign-in to your Google Account on a Mac device"],
  notes="Sign-in alert that locks nothing.")

M("I22", date="2026-06-02 12:41:30 +0000", to="li", folder="INBOX",
  frm=("Apple", "appleid@id.apple.com"), auth=dict(dkim_d="id.apple.com"),
  subject="New iCloud sign-in from a web browser", cte="7bit",
  text="""Dear Li Wei,

Your Apple Account (li.wei@example.cn) just signed in to iCloud.com from a web browser.

Date and time: 2 June 2026, 20:41 CST
Browser: Safari on macOS

If the information above looks familiar, you can ignore this message. If you have not signed in to iCloud recently and believe someone may have accessed your account, change your password as soon as possible at https://account.apple.com.

Apple Support
""",
  cat="irrelevant", provider="apple",
  cues=["just signed in to iCloud.com from a web browser"],
  notes="Apple sign-in notification, not a lock.")

M("I23", date="2026-05-30 19:02:55 +0800", to="li", folder="INBOX",
  frm=("支付宝", "service@mail.alipay.com"), cs="gb2312", cte="base64", hmode="B",
  subject="支付宝新设备登录提醒",
  text="""您好，

您的支付宝账户于 2026年05月30日 19:02 在新设备（HUAWEI Mate 60）上登录，登录地：浙江省杭州市。

如为本人操作，无需处理。若非本人操作，请立即修改登录密码。

支付宝
""",
  cat="irrelevant", provider="alipay",
  cues=["在新设备（HUAWEI Mate 60）上登录"],
  notes="Alipay new-device login alert.")

M("I24", date="2026-06-05 12:00:02 +0000", to="sam", folder="INBOX",
  frm=("", "llm-builders-request@lists.example.org"), relay="lists.example.org",
  list_id="LLM builders discussion <llm-builders.lists.example.org>",
  extra=["List-Post: <mailto:llm-builders@lists.example.org>", "Precedence: list"],
  subject="llm-builders Digest, Vol 42, Issue 7", cte="7bit",
  text="""Send llm-builders mailing list submissions to
	llm-builders@lists.example.org

Today's Topics:

   1. Re: API org deactivated overnight - anyone else? (Priya Natarajan)
   2. Re: API org deactivated overnight - anyone else? (Tom Beck)
   3. Rate limits for batch jobs (Helena Ruiz)

----------------------------------------------------------------------

Message: 1
From: Priya Natarajan <priya@example.org>
Subject: Re: API org deactivated overnight - anyone else?

Same thing happened to us in February. The email landed in spam and we only noticed when the dashboards went red. Our appeal took nine days; what helped was explaining exactly what the app does and linking the opt-in page.

------------------------------

Message: 2
From: Tom Beck <tom.beck@example.com>
Subject: Re: API org deactivated overnight - anyone else?

Check whether your card expired first. Ours was a billing suspension that looked like a policy ban because the notice was so vague.

------------------------------

Message: 3
From: Helena Ruiz <h.ruiz@example.net>
Subject: Rate limits for batch jobs

Does anyone know whether batch requests count against the per-minute token limit?

End of llm-builders Digest, Vol 42, Issue 7
*******************************************
_______________________________________________
llm-builders mailing list
https://lists.example.org/mailman/listinfo/llm-builders
""",
  cat="irrelevant", provider=None,
  cues=["API org deactivated overnight", "billing suspension that looked like a policy ban"],
  notes="Mailman digest (List-Id) where members discuss deactivations.")

M("I25", date="2026-05-20 08:00:00 +0800", to="li", folder="INBOX",
  frm=("cloud-ops-cn 邮件列表", "cloud-ops-cn-request@lists.example.cn"), relay="lists.example.cn",
  list_id="=?UTF-8?B?5LqR6L+Q57u05Lqk5rWB?= <cloud-ops-cn.lists.example.cn>",
  extra=["Precedence: list"], cs="utf-8", cte="quoted-printable", hmode="B",
  subject="[cloud-ops-cn] 每日摘要 第 118 期",
  text="""本期话题：
  1. 回复：阿里云账号被冻结怎么申诉？（王磊）
  2. 回复：阿里云账号被冻结怎么申诉？（陈晓）
  3. K8s 节点磁盘压力告警（赵敏）

----------------------------------------

1. 王磊：
我们上个月也遇到过，原因是有台机器被挖矿程序入侵，对外发起扫描，账号直接被冻结。工单里把入侵排查报告和修复措施写清楚，第三天就解封了。

2. 陈晓：
补充一点：先看站内信里写的具体原因，欠费停机和违规封禁走的是完全不同的流程，别提错工单类型。

3. 赵敏：
有人碰到过节点 DiskPressure 但 df 看空间还很多的情况吗？

----------------------------------------
退订：发送邮件至 cloud-ops-cn-leave@lists.example.cn
""",
  cat="irrelevant", provider=None,
  cues=["阿里云账号被冻结怎么申诉", "欠费停机和违规封禁"],
  notes="Chinese mailing-list digest (List-Id, encoded list name) discussing frozen accounts.")

M("I26", date="2026-06-06 22:47:03 +0000", to="sam", folder="INBOX",
  frm=("Marcus Bell", "marcus.bell@example.org"), relay="smtp.example.org",
  subject="lol guess who got banned", cte="7bit",
  text="""hey Sam,

so Discord finally banned me. apparently my "music bot" was sending too many DMs and someone reported it as spam. got the email saying the account was disabled permanently, and the appeal form gives you 500 characters lol

anyway that means game night moves to the Signal group. still on for Friday? I'll bring the dice.

also you were right about the API key in the repo, I rotated it.

M
""",
  cat="irrelevant", provider=None,
  cues=["so Discord finally banned me"],
  notes="A friend's personal mail about his own Discord ban.")

M("I27", date="2026-05-12 13:20:41 +0800", to="li", folder="INBOX",
  frm=("张晨", "zhang.chen@example.cn"), relay="smtp.example.cn", cs="GBK", cte="8bit", hmode="B",
  subject="我的微信号被封了，周末聚会改用QQ群",
  text="""伟哥：

跟你说个郁闷的事，我的微信号昨天被封了，说是“疑似使用外挂”，可能是我装的那个自动抢红包插件惹的祸。申诉已经提交了，客服说要等三到五个工作日。

所以周六聚会的事先在QQ群里说吧，群号 583312907。你记得提醒一下小刘。

晨
""",
  cat="irrelevant", provider=None,
  cues=["我的微信号昨天被封了"],
  notes="Friend's message about his WeChat ban, GBK 8bit, encoded display name.")

M("I28", date="2026-05-26 06:00:00 +0000", to="li", folder="Junk",
  frm=("The Stack Weekly", "newsletter@stackweekly.example"), relay="send.stackweekly.example",
  subject="The Stack Weekly #212: when your cloud account gets frozen", form="alt", style="simple",
  cte="7bit", extra=["List-Unsubscribe: <https://stackweekly.example/unsub>"],
  text="""THE STACK WEEKLY, Issue #212

In this issue
1. When your cloud account gets frozen: a post-mortem
2. SQLite at the edge, revisited
3. Five terminal tools we can't live without

When your cloud account gets frozen
A small analytics startup describes the 40 hours after their cloud provider suspended their account over an unpaid invoice that had been sent to a former employee. Their lessons: keep billing contacts current, add a second payment method, and don't open five support tickets for one problem.

SQLite at the edge, revisited
Two years after the hype, which teams still run SQLite replicas next to their users, and why.

Read online: https://stackweekly.example/212
Unsubscribe: https://stackweekly.example/unsub
""",
  cat="irrelevant", provider=None,
  cues=["When your cloud account gets frozen", "suspended their account over an unpaid invoice"],
  notes="Tech newsletter retelling a suspension story; in Junk.")

M("I29", date="2026-06-02 16:00:00 +0000", to="sam", folder="INBOX",
  frm=("Meta for Business", "business-noreply@facebookmail.com"), subject="What's new for advertisers in June",
  form="html", style="card", brand="Meta for Business", accent="#0866ff",
  text="""What's new for advertisers, June 2026

Updated Advertising Standards
We've clarified our rules on health claims in ads. Ads that break the rules may be rejected, and ad accounts with repeated violations may be restricted. Review the changes before you launch your summer campaigns.

Faster reviews
Most ads are now reviewed within a few hours.

Tip of the month: use Account Quality to see the status of your ad accounts and Pages in one place.

Meta Platforms, Inc., 1 Meta Way, Menlo Park, CA 94025
""",
  cat="irrelevant", provider="meta",
  cues=["We've clarified our rules on health claims in ads"],
  notes="Provider newsletter that mentions restrictions in general.")

M("I30", date="2026-05-19 15:10:26 +0000", to="sam", folder="INBOX",
  frm=("Amazon.com", "shipment-tracking@amazon.com"), subject="Your Amazon.com order #112-5583210-7749035 has shipped",
  form="alt", style="card", brand="amazon", accent="#ff9900", cte="7bit",
  text="""Hello Sam,

Your package is on its way.

Order #112-5583210-7749035
Arriving: Thursday, May 21
Carrier: UPS, tracking 1Z9W44E80391726558

Items: Bosch 12V cordless drill (1)

[[Track package|https://www.amazon.com/gp/your-account/order-history]]

Amazon.com
""",
  cat="irrelevant", provider="amazon",
  cues=["Your package is on its way"],
  notes="Shipping notice from Amazon.")

M("I31", date="2026-05-27 15:32:10 +0800", to="li", folder="INBOX",
  frm=("顺丰速运", "noreply@sf-express.example.cn"), relay="mail.sf-express.example.cn",
  cs="gb18030", cte="8bit", hmode="B",
  subject="您的快件已发出 SF1420857736021",
  text="""尊敬的客户：

您的快件 SF1420857736021 已于 05月27日 15:32 从深圳宝安发出，预计 05月28日 送达杭州。

寄件人：深圳市某某电子有限公司
物品：电子配件

如需改派或预约派送时间，请关注官方公众号。

顺丰速运
""",
  cat="irrelevant", provider=None,
  cues=["您的快件 SF1420857736021 已于"],
  notes="Courier shipping notice, GB18030 8bit.")

M("I32", date="2026-04-15 03:03:03 +0000", to="sam", folder="Junk",
  frm=("International Lottery Commission", "claims@intl-lotto-board.example"), relay="203-0-113-5.dsl.example",
  auth=dict(spf="none", dkim="none", dmarc="none"),
  subject="CONGRATULATIONS!!! You have won $1,500,000.00", cte="7bit",
  text="""ATTENTION WINNER,

Your e-mail address came out first in our yearly internet sweepstake and has WON the sum of ONE MILLION FIVE HUNDRED THOUSAND US DOLLARS ($1,500,000.00).

To claim your prize, send the following to our claims agent Mr. Robert Hale:
1. Full name
2. Home address
3. Phone number
4. Copy of passport

A processing fee of $250 is required to release the funds. Keep this notification confidential to avoid double claiming.

Yours faithfully,
Mrs. Grace Holloway
Promotions Manager
""",
  cat="irrelevant", provider=None,
  cues=["has WON the sum"],
  notes="Generic lottery scam; not phishing in the label's sense.")

M("I33", date="2026-04-30 11:11:11 +0800", to="li", folder="Junk",
  frm=("官方抽奖中心", "prize@zhongjiang-2026.example.cn"), relay="mail.zhongjiang-2026.example.cn",
  auth=dict(spf="softfail", dkim="none", dmarc="none"), cs="GBK", cte="base64", hmode="B",
  subject="恭喜您获得年度幸运大奖 iPhone 一台",
  text="""尊敬的会员：

恭喜您在本站年度回馈活动中被抽中二等奖，奖品为 iPhone 16 Pro Max 一台（价值 9999 元）。

请于 48 小时内添加客服微信 lingjiang888，并缴纳 199 元快递及保价费用，逾期视为自动放弃。

活动最终解释权归本公司所有。
""",
  cat="irrelevant", provider=None,
  cues=["被抽中二等奖"],
  notes="Chinese prize scam.")

M("I34", date="2026-05-28 10:02:17 +0000", to="sam", folder="INBOX",
  frm=("tkowalski", "notifications@github.com"), reply_to=("northgate/fleet-sync", "reply+AB3KQ88@reply.github.com"),
  list_id="northgate/fleet-sync <fleet-sync.northgate.github.com>",
  subject="Re: [northgate/fleet-sync] CI stopped after account suspension (Issue #88)", cte="quoted-printable",
  text="""@tkowalski commented on this issue.

Our CI broke on Tuesday because the maintainer's personal account was suspended for a few hours (turned out to be a false positive on GitHub's side). Since the deploy key belonged to that account, every workflow failed. Moving the key to an org-level secret should prevent this.

—
Reply to this email directly or view it on GitHub:
https://github.com/northgate/fleet-sync/issues/88#issuecomment-2230981
You are receiving this because you are subscribed to this thread.
""",
  cat="irrelevant", provider="github",
  cues=["the maintainer's personal account was suspended"],
  notes="GitHub issue notification that talks about someone else's suspension.")

M("I35", date="2026-06-04 18:00:00 +0800", to="li", folder="INBOX",
  frm=("绿城物业", "notice@lvcheng-wuye.example.cn"), relay="smtp.lvcheng-wuye.example.cn",
  cs="utf-8", cte="quoted-printable", hmode="Q",
  subject="停水通知：6月6日 8:00-16:00 暂停供水",
  text="""各位业主：

因小区二次供水设备年度检修，6月6日（周六）8:00 至 16:00 期间，3 号楼至 8 号楼将暂停供水。请提前做好储水准备。检修完成后恢复供水初期水质可能略显浑浊，放水片刻即可。

给您带来的不便，敬请谅解。

绿城物业服务中心
""",
  cat="irrelevant", provider=None,
  cues=["将暂停供水"],
  notes="Building water-supply suspension notice.")


# ---------------------------------------------------------------- main
def main():
    out = HERE / "messages"
    out.mkdir(exist_ok=True)
    for old in out.glob("*.eml"):
        old.unlink()
    keys = [m["key"] for m in MSGS]
    assert len(keys) == len(set(keys)), "duplicate keys"
    for m in MSGS:
        MIDS[m["key"]] = message_id(m)
    order = sorted(MSGS, key=lambda m: parse_date(m["date"]))
    labels = []
    for i, m in enumerate(order, 1):
        raw, lab = build(m)
        name = "%03d.eml" % i
        (out / name).write_bytes(raw)
        lab["file"] = name
        labels.append(lab)
    (HERE / "labels.json").write_text(json.dumps(labels, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print("wrote %d messages" % len(labels))


if __name__ == "__main__":
    main()
