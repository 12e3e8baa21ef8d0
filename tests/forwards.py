"""Forwarded notices as the mail clients people use write them (plain text and HTML), for the
unwrapping tests.  The layouts follow what each client puts above the forwarded text: Gmail,
Outlook (English and Chinese), Apple Mail, Thunderbird, QQ Mail/Foxmail and NetEase 163/126."""

from __future__ import annotations

import html as htmllib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from email.message import EmailMessage
from email.utils import format_datetime

from mails import make_mail

CST = timezone(timedelta(hours=8))


@dataclass(frozen=True)
class Notice:
    """The message that was forwarded."""

    name: str
    address: str
    subject: str
    body: str
    date: datetime
    link: str

    @property
    def domain(self) -> str:
        return self.address.rsplit("@", 1)[1]


GITHUB = Notice(
    "GitHub", "support@github.com", "Your GitHub account has been suspended",
    "Hi octo-ops,\n\n"
    "Your GitHub account has been suspended due to a violation of our Terms of Service. "
    "Account ID: 58211973.\n\n"
    "While suspended, your repositories and packages are not accessible. If you believe this "
    "is a mistake, you can appeal here: https://support.github.com/contact/reinstatement\n\n"
    "Thanks,\nGitHub Trust & Safety\n",
    datetime(2026, 12, 2, 9, 15, 22, tzinfo=UTC), "https://support.github.com/contact/reinstatement",
)
STRIPE = Notice(
    "Stripe", "notifications@stripe.com", "Your Stripe account has been closed",
    "Hello,\n\n"
    "We have closed your Stripe account (acct_1PqRsT2uVwXyZ987) because of the level of risk "
    "associated with your business. Payouts to your bank account have been paused.\n\n"
    "You can review your account in the Dashboard: https://dashboard.stripe.com/account\n\n"
    "The Stripe team\n",
    datetime(2026, 12, 1, 22, 2, tzinfo=UTC), "https://dashboard.stripe.com/account",
)
ALIYUN = Notice(
    "阿里云", "noreply@notice.aliyun.com", "【阿里云】您的账号已被冻结",
    "尊敬的阿里云用户：\n\n"
    "您好！您的账号（账号ID：1874562390123456）因存在违反《阿里云服务协议》的行为，已被冻结，"
    "账号下的云服务器实例已停机。\n\n"
    "如您对处理结果有异议，请通过工单提交申诉：https://selfservice.console.aliyun.com/ticket\n\n"
    "阿里云计算有限公司\n",
    datetime(2026, 12, 2, 9, 15, tzinfo=CST), "https://selfservice.console.aliyun.com/ticket",
)

COLLEAGUE = "Bob Li <bob.li@corp.example>"
ME = "Alex Chen <alex.chen@example.net>"
WORK = "ops@corp.example"


def lines(text: str) -> str:
    """Plain text as a mail client's HTML part writes it: one <div> per line."""
    return "".join(f"<div>{htmllib.escape(line) or '<br>'}</div>" for line in text.splitlines())


# --------------------------------------------------------------------------- plain text bodies


def gmail(n: Notice, note: str = "FYI, see below.") -> str:
    return (f"{note}\n\n---------- Forwarded message ---------\n"
            f"From: {n.name} <{n.address}>\n"
            f"Date: {n.date:%a, %b} {n.date.day}, {n.date:%Y at %I:%M %p}\n"
            f"Subject: {n.subject}\nTo: <{WORK}>\n\n\n{n.body}")


def gmail_zh(n: Notice, note: str = "请看下面的邮件") -> str:
    """Gmail in Chinese: the marker and most field names stay English."""
    return (f"{note}\n\n---------- Forwarded message ---------\n"
            f"发件人： {n.name} <{n.address}>\n"
            f"Date: {n.date:%Y}年{n.date.month}月{n.date.day}日周三 上午{n.date:%H:%M}\n"
            f"Subject: {n.subject}\nTo: <{WORK}>\n\n\n{n.body}")


def outlook(n: Notice, note: str = "Please take a look at this.") -> str:
    return (f"{note}\n\nBob\n\n________________________________\n"
            f"From: {n.name} <{n.address}>\n"
            f"Sent: Tuesday, December {n.date.day}, 2026 {n.date:%I:%M %p}\n"
            f"To: Ops <{WORK}>\nSubject: {n.subject}\n\n{n.body}")


def outlook_zh(n: Notice, note: str = "请处理一下，谢谢。") -> str:
    return (f"{note}\n\n________________________________\n"
            f"发件人: {n.name} <{n.address}>\n"
            f"发送时间: {n.date:%Y}年{n.date.month}月{n.date.day}日 {n.date:%H:%M}\n"
            f"收件人: 运维 <{WORK}>\n抄送: 李博 <bob.li@corp.example>\n主题: {n.subject}\n\n"
            f"{n.body}")


def outlook_classic(n: Notice, note: str = "See below") -> str:
    """Outlook's older plain-text forward, with the address in brackets."""
    return (f"{note}\n\n-----Original Message-----\n"
            f"From: {n.name} [mailto:{n.address}]\n"
            f"Sent: Wednesday, December 02, 2026 9:15 AM\nTo: {WORK}\n"
            f"Subject: {n.subject}\n\n{n.body}")


def apple(n: Notice, note: str = "") -> str:
    return (f"{note}\n\nBegin forwarded message:\n\n"
            f"From: {n.name} <{n.address}>\nSubject: {n.subject}\n"
            f"Date: {n.date.day} December 2026 at {n.date:%H:%M:%S} GMT\nTo: {WORK}\n\n"
            f"{n.body}")


def thunderbird(n: Notice, note: str = "Forwarding this.") -> str:
    return (f"{note}\n\n\n-------- Forwarded Message --------\n"
            f"Subject: \t{n.subject}\nDate: \t{format_datetime(n.date)}\n"
            f"From: \t{n.name} <{n.address}>\nTo: \t{WORK}\n\n\n\n{n.body}")


def qq(n: Notice, note: str = "转发给你看看") -> str:
    """QQ Mail and Foxmail: the 原始邮件 block, with QQ's quotes and semicolons."""
    return (f"{note}\n\n\n------------------\u00a0原始邮件\u00a0------------------\n"
            f"发件人: \"{n.name}\"<{n.address}>;\n"
            f"发送时间: {n.date:%Y}年{n.date.month}月{n.date.day}日(星期三) 上午{n.date:%H:%M}\n"
            f"收件人: \"张三\"<zhangsan@qq.com>;\n\n主题: {n.subject}\n\n\n\n{n.body}")


def foxmail_en(n: Notice, note: str = "fyi") -> str:
    return (f"{note}\n\n------------------ Original ------------------\n"
            f"From:  \"{n.name}\"<{n.address}>;\nDate:  Wed, Dec 2, 2026 09:15 AM\n"
            f"To:  \"ops\"<{WORK}>;\n\nSubject:  {n.subject}\n\n\n\n{n.body}")


def netease(n: Notice, note: str = "帮忙看一下这封邮件") -> str:
    return (f"{note}\n\n\n\n-------- 转发邮件信息 --------\n"
            f"发件人：\"{n.name}\" <{n.address}>\n"
            f"发送日期：{n.date:%Y-%m-%d %H:%M:%S}\n收件人：zhangsan@163.com\n"
            f"主题：{n.subject}\n\n{n.body}")


# --------------------------------------------------------------------------- HTML bodies


def gmail_html(n: Notice, note: str = "FYI, see below.") -> str:
    body = lines(n.body).replace(
        htmllib.escape(n.link), f'<a href="{n.link}">{htmllib.escape(n.link)}</a>')
    return (f'<div dir="ltr">{htmllib.escape(note)}<br><br><div class="gmail_quote">'
            '<div dir="ltr" class="gmail_attr">---------- Forwarded message ---------<br>'
            f'From: <strong class="gmail_sendername" dir="auto">{htmllib.escape(n.name)}'
            f'</strong> <span dir="auto">&lt;<a href="mailto:{n.address}">{n.address}</a>'
            f'&gt;</span><br>Date: {n.date:%a, %b} {n.date.day}, {n.date:%Y at %I:%M %p}<br>'
            f'Subject: {htmllib.escape(n.subject)}<br>To: &lt;<a href="mailto:{WORK}">{WORK}'
            f'</a>&gt;<br></div><br><br>{body}</div></div>'
            '<div>-- <br><a href="https://corp.example/">Corp Example Ltd.</a></div>')


def outlook_html(n: Notice, note: str = "Please take a look at this.") -> str:
    return ('<html><body><div class="WordSection1"><p class="MsoNormal">'
            f'{htmllib.escape(note)}</p><p class="MsoNormal">&nbsp;</p>'
            '<div style="border:none;border-top:solid #E1E1E1 1.0pt;padding:3.0pt 0in 0in 0in">'
            f'<p class="MsoNormal"><b>From:</b> {htmllib.escape(n.name)} '
            f'&lt;{n.address}&gt; <br><b>Sent:</b> Tuesday, December {n.date.day}, 2026 '
            f'{n.date:%I:%M %p}<br><b>To:</b> Ops &lt;{WORK}&gt;<br><b>Subject:</b> '
            f'{htmllib.escape(n.subject)}</p></div><p class="MsoNormal">&nbsp;</p>'
            f'{lines(n.body)}<p><a href="{n.link}">Review your account</a></p>'
            '</div></body></html>')


def outlook_zh_html(n: Notice, note: str = "请处理") -> str:
    return (f'<html><body><p>{htmllib.escape(note)}</p>'
            '<div style="border:none;border-top:solid #E1E1E1 1.0pt;padding:3.0pt 0cm 0cm 0cm">'
            f'<p><b>发件人:</b> {htmllib.escape(n.name)} &lt;{n.address}&gt;<br>'
            f'<b>发送时间:</b> {n.date:%Y}年{n.date.month}月{n.date.day}日 {n.date:%H:%M}<br>'
            f'<b>收件人:</b> 运维 &lt;{WORK}&gt;<br><b>主题:</b> {htmllib.escape(n.subject)}'
            f'</p></div>{lines(n.body)}</body></html>')


def apple_html(n: Notice, note: str = "") -> str:
    return (f'<html><body><div>{htmllib.escape(note)}<br><div><br>'
            '<blockquote type="cite"><div>Begin forwarded message:</div><br>'
            f'<div style="margin:0"><b>From: </b>{htmllib.escape(n.name)} &lt;<a href="mailto:'
            f'{n.address}">{n.address}</a>&gt;<br></div>'
            f'<div style="margin:0"><b>Subject: </b><b>{htmllib.escape(n.subject)}</b><br></div>'
            f'<div style="margin:0"><b>Date: </b>{n.date.day} December 2026 at '
            f'{n.date:%H:%M:%S} GMT<br></div>'
            f'<div style="margin:0"><b>To: </b>{WORK}<br></div><br>'
            f'<div>{lines(n.body)}</div></blockquote></div><br></div></body></html>')


def qq_html(n: Notice, note: str = "转发给你看看") -> str:
    return (f'<div>{htmllib.escape(note)}</div><div><br></div><div><br></div>'
            '<div style="font-size: 12px;font-family: Arial Narrow;padding:2px 0 2px 0;">'
            '------------------&nbsp;原始邮件&nbsp;------------------</div>'
            '<div style="font-size: 12px;background:#efefef;padding:8px;">'
            f'<div><b>发件人:</b>&nbsp;"{htmllib.escape(n.name)}"&lt;{n.address}&gt;;</div>'
            f'<div><b>发送时间:</b>&nbsp;{n.date:%Y}年{n.date.month}月{n.date.day}日(星期三) '
            f'上午{n.date:%H:%M}</div>'
            '<div><b>收件人:</b>&nbsp;"张三"&lt;zhangsan@qq.com&gt;;<wbr></div><div></div>'
            f'<div><b>主题:</b>&nbsp;{htmllib.escape(n.subject)}</div></div><div><br></div>'
            f'{lines(n.body)}')


def netease_html(n: Notice, note: str = "帮忙看一下") -> str:
    return (f'<div style="line-height:1.7;font-size:14px">{htmllib.escape(note)}<br><br>'
            '<div style="position:relative;zoom:1">-------- 转发邮件信息 --------<br>'
            f'发件人：&quot;{htmllib.escape(n.name)}&quot; &lt;{n.address}&gt;<br>'
            f'发送日期：{n.date:%Y-%m-%d %H:%M:%S}<br>收件人：zhangsan@163.com<br>'
            f'主题：{htmllib.escape(n.subject)}<br><br>{lines(n.body)}</div></div>')


# --------------------------------------------------------------------------- whole messages


def forwarded(body: str, *, subject: str, sender: str = COLLEAGUE, html: str | None = None,
              to: str = ME, date: datetime | None = None, headers: dict[str, str] | None = None,
              message_id: str = "<fwd-1@corp.example>") -> bytes:
    return make_mail(subject=subject, body=body, sender=sender, to=to, html=html,
                     date=date or datetime(2026, 12, 2, 10, 0, tzinfo=UTC), headers=headers,
                     message_id=message_id)


def html_only(html: str, *, subject: str, sender: str = COLLEAGUE,
              date: datetime | None = None) -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = ME
    msg["Subject"] = subject
    msg["Date"] = format_datetime(date or datetime(2026, 12, 2, 10, 0, tzinfo=UTC))
    msg["Message-ID"] = "<fwd-html@corp.example>"
    msg.set_content(html, subtype="html")
    return bytes(msg)


def original(n: Notice, message_id: str = "<notice-1@github.com>") -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = f"{n.name} <{n.address}>"
    msg["To"] = WORK
    msg["Subject"] = n.subject
    msg["Date"] = format_datetime(n.date)
    msg["Message-ID"] = message_id
    msg.set_content(n.body)
    return msg


def attached(n: Notice, *, subject: str | None = None, note: str = "See the attached mail.",
             sender: str = COLLEAGUE) -> bytes:
    """A forward as an attachment (Outlook's "Forward as Attachment", Thunderbird's default)."""
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = ME
    msg["Subject"] = subject or f"FW: {n.subject}"
    msg["Date"] = format_datetime(datetime(2026, 12, 2, 10, 0, tzinfo=UTC))
    msg["Message-ID"] = "<fwd-att@corp.example>"
    msg.set_content(note)
    msg.add_attachment(original(n))
    return bytes(msg)
