"""Where a mail address's IMAP server is: the presets of the common providers, else a guess to
be confirmed, and the default name of the account."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class ServerGuess:
    """Where a mail address's IMAP server probably is.

    ``provider`` is None when the host is only ``imap.<domain>``, a guess to be confirmed.
    ``username`` is "address" (the whole address) or "local" (the part before the @).
    """

    provider: str | None
    host: str
    port: int = 993
    tls: str = "ssl"
    username: str = "address"
    advice: str = ""

    @property
    def known(self) -> bool:
        return self.provider is not None

    def username_for(self, email: str) -> str:
        return email.partition("@")[0] if self.username == "local" else email


_GMAIL = ServerGuess(
    "Gmail", "imap.gmail.com",
    advice="With 2-Step Verification turned on, create an app password (Google Account → "
    "Security → App passwords) and give it instead of your normal password; or use OAuth2 with "
    "--oauth2-token-command, a program that prints an access token for the scope "
    "https://mail.google.com/ (for example oama).")
_OUTLOOK = ServerGuess(
    "Outlook.com", "outlook.office365.com",
    advice="With two-step verification, create an app password (Microsoft account → "
    "Security → Advanced security options). Where Microsoft has turned password logins off "
    "(work accounts, and more and more personal ones), use OAuth2: --oauth2-token-command with "
    "a program that prints a token for the scope "
    "https://outlook.office.com/IMAP.AccessAsUser.All (for example oama or mutt_oauth2.py).")
_FASTMAIL = ServerGuess(
    "Fastmail", "imap.fastmail.com",
    advice="Create an app password with IMAP access (Settings → Privacy & Security → "
    "Manage app passwords).")
_ICLOUD = ServerGuess(
    "iCloud Mail", "imap.mail.me.com", username="local",
    advice="Create an app-specific password at appleid.apple.com (Sign-In and Security → "
    "App-Specific Passwords); the username is the part of your address before the @.")
_YAHOO = ServerGuess(
    "Yahoo Mail", "imap.mail.yahoo.com",
    advice="Generate an app password (Account Info → Account Security → Generate app "
    "password); your normal password does not work over IMAP.")
_QQ = ServerGuess(
    "QQ Mail", "imap.qq.com",
    advice="Turn on the IMAP service (Settings → Account → POP3/IMAP/SMTP service) and "
    "give the authorisation code (授权码) it shows, not your QQ password.")


def _netease(host: str) -> ServerGuess:
    return ServerGuess(
        "NetEase Mail", host,
        advice="Turn on IMAP/SMTP in the web mail's settings and give the client "
        "authorisation code (客户端授权码) it shows, not your password.")


PROVIDERS: dict[str, ServerGuess] = {
    "gmail.com": _GMAIL, "googlemail.com": _GMAIL,
    "outlook.com": _OUTLOOK, "hotmail.com": _OUTLOOK, "live.com": _OUTLOOK, "msn.com": _OUTLOOK,
    "fastmail.com": _FASTMAIL, "fastmail.fm": _FASTMAIL,
    "icloud.com": _ICLOUD, "me.com": _ICLOUD, "mac.com": _ICLOUD,
    "yahoo.com": _YAHOO, "ymail.com": _YAHOO, "rocketmail.com": _YAHOO,
    "qq.com": _QQ, "vip.qq.com": _QQ, "foxmail.com": _QQ,
    "163.com": _netease("imap.163.com"), "126.com": _netease("imap.126.com"),
    "yeah.net": _netease("imap.yeah.net"),
}
# Microsoft's consumer domains exist under many country suffixes (hotmail.co.uk, outlook.de, ...)
_MICROSOFT_BRANDS = ("hotmail", "outlook", "live")
_SHORT_SUFFIX = re.compile(r"[a-z]{2,3}(\.[a-z]{2,3})?")

_UNKNOWN_ADVICE = (
    "{domain} is not a provider appealwatch knows, so imap.{domain} is only a guess. Mail hosted "
    "by Microsoft 365 (Exchange Online) uses outlook.office365.com (usually with OAuth2: "
    "--oauth2-token-command); Google Workspace uses imap.gmail.com. Your provider's help pages "
    "name the IMAP server.")


def email_domain(email: str) -> str:
    return email.rpartition("@")[2].strip().lower().rstrip(".")


def guess_server(email: str) -> ServerGuess:
    """The IMAP server for ``email``: a known provider's, else ``imap.<domain>`` (unconfirmed)."""
    domain = email_domain(email)
    if domain in PROVIDERS:
        return PROVIDERS[domain]
    brand, _, suffix = domain.partition(".")
    if brand in _MICROSOFT_BRANDS and _SHORT_SUFFIX.fullmatch(suffix):
        return _OUTLOOK
    return ServerGuess(None, f"imap.{domain}", advice=_UNKNOWN_ADVICE.format(domain=domain))


def is_email(text: str) -> bool:
    return bool(re.fullmatch(r"[^@\s]+@[^@\s.]+(\.[^@\s.]+)+\.?", text))


_SECOND_LEVEL = frozenset({"co", "com", "net", "org", "ac", "edu", "gov", "ne", "or"})


def default_account_name(email: str) -> str:
    """"personal" for a provider's own address (gmail.com, qq.com, ...), else the name of the
    domain (alex@mail.example.co.uk -> "example")."""
    domain = email_domain(email)
    if guess_server(email).known:
        return "personal"
    labels = [x for x in domain.split(".") if x]
    if len(labels) >= 3 and labels[-2] in _SECOND_LEVEL and len(labels[-1]) == 2:
        labels = labels[:-1]
    label = labels[-2] if len(labels) >= 2 else (labels[0] if labels else "")
    try:
        label = label.encode("idna").decode("ascii")
    except UnicodeError:
        label = ""
    label = re.sub(r"[^a-z0-9_.+-]", "-", label.lower()).strip("-")
    return label or "mail"

