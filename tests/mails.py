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


def auth_pass(domain: str, authserv: str = "mx.example.net") -> str:
    return (f"{authserv}; dkim=pass header.d={domain}; spf=pass smtp.mailfrom=bounce@{domain}; "
            f"dmarc=pass header.from={domain}")


def auth_fail(domain: str, authserv: str = "mx.example.net") -> str:
    return (f"{authserv}; dkim=none; spf=fail smtp.mailfrom=x@{domain}; "
            f"dmarc=fail (p=reject) header.from={domain}")
