"""Small builders for test messages (RFC 5322 bytes)."""

from __future__ import annotations

from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime


def make_mail(
    *,
    subject: str = "Hello",
    body: str = "Hi.",
    sender: str = "Someone <someone@example.com>",
    to: str = "Alex Chen <alex.chen@example.net>",
    html: str | None = None,
    auth: list[str] | None = None,
    headers: dict[str, str] | None = None,
    date: datetime | None = None,
    message_id: str = "<test-1@example.com>",
) -> bytes:
    msg = EmailMessage()
    for value in auth or []:
        msg["Authentication-Results"] = value
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = format_datetime(date or datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    msg["Message-ID"] = message_id
    for key, value in (headers or {}).items():
        msg[key] = value
    msg.set_content(body)
    if html is not None:
        msg.add_alternative(html, subtype="html")
    return bytes(msg)


def openai_notice(org: str, message_id: str, date: datetime | None = None) -> bytes:
    """A genuine-looking OpenAI deactivation notice for organisation ``org`` (DKIM/SPF/DMARC
    pass), dated now unless ``date`` says otherwise."""
    return make_mail(
        sender="OpenAI <noreply@tm.openai.com>",
        subject="Your OpenAI API organization has been deactivated",
        body=f"Access for your organization {org} has been deactivated because of repeated "
        "violations of our usage policies.\n\nIf you believe this is an error, reply to this "
        "message.\n",
        auth=[auth_pass("tm.openai.com")], message_id=message_id,
        date=date or datetime.now(UTC))


def auth_pass(domain: str, authserv: str = "mx.example.net") -> str:
    return (f"{authserv}; dkim=pass header.d={domain}; spf=pass smtp.mailfrom=bounce@{domain}; "
            f"dmarc=pass header.from={domain}")


def auth_fail(domain: str, authserv: str = "mx.example.net") -> str:
    return (f"{authserv}; dkim=none; spf=fail smtp.mailfrom=x@{domain}; "
            f"dmarc=fail (p=reject) header.from={domain}")


def quick_mail(
    *,
    subject: str,
    body: str,
    sender: str,
    to: str = "Alex Chen <alex.chen@example.net>",
    auth: list[str] | None = None,
    headers: dict[str, str] | None = None,
    date: datetime,
    message_id: str,
) -> bytes:
    """A plain-text ASCII message like ``make_mail``'s, formatted directly instead of through
    the email package's header registry (about fifty times faster): for tests and benchmarks
    that need thousands of messages."""
    lines = [f"Authentication-Results: {value}" for value in auth or []]
    lines += [f"From: {sender}", f"To: {to}", f"Subject: {subject}",
              f"Date: {format_datetime(date)}", f"Message-ID: {message_id}"]
    lines += [f"{key}: {value}" for key, value in (headers or {}).items()]
    lines += ['Content-Type: text/plain; charset="utf-8"', "Content-Transfer-Encoding: 7bit",
              "MIME-Version: 1.0", "", body.rstrip("\n"), ""]
    text = "\n".join(lines)
    if not text.isascii() or any(len(line) > 998 or "\r" in line for line in lines):
        raise ValueError("quick_mail takes short ASCII lines only; use make_mail")
    return text.encode("ascii")
