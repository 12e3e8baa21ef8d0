"""Connecting to an IMAP server: settings, TLS, login, and finding the special folders.

* TLS by default (implicit TLS or STARTTLS), certificates and host names verified; a ``ca_file``
  adds a private CA; a plain connection only to a loopback host, and only when the config says so.
* Folders by RFC 6154 special-use flags, then by the usual names, then the config's overrides.
"""

from __future__ import annotations

import contextlib
import functools
import ipaddress
import logging
import os
import socket
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field

from imapclient import IMAPClient
from imapclient.exceptions import (
    IMAPClientAbortError,
    IMAPClientError,
    LoginError,
)
from imapclient.imapclient import DRAFTS, JUNK, SENT

from appealwatch import __version__

log = logging.getLogger("appealwatch.imap")

NETWORK_ERRORS = (OSError, TimeoutError, ssl.SSLError, IMAPClientError, EOFError)

JUNK_NAMES = ("Junk", "Spam", "[Gmail]/Spam", "[Google Mail]/Spam", "Junk E-mail", "Junk Email",
              "Bulk Mail", "Bulk", "INBOX.Junk", "INBOX.Spam", "INBOX/Junk", "INBOX/Spam",
              "垃圾邮件", "Spamverdacht", "Courrier indésirable", "Correo no deseado",
              "Posta indesiderata", "Ongewenste e-mail", "Skräppost", "Lixo Eletrônico")
SENT_NAMES = ("Sent", "Sent Items", "Sent Messages", "Sent Mail", "[Gmail]/Sent Mail",
              "[Google Mail]/Sent Mail", "INBOX.Sent", "INBOX/Sent", "已发送", "Gesendet",
              "Gesendete Elemente", "Envoyés", "Elementos enviados", "Posta inviata")
DRAFT_NAMES = ("Drafts", "[Gmail]/Drafts", "[Google Mail]/Drafts", "INBOX.Drafts",
               "INBOX/Drafts", "草稿箱", "Entwürfe", "Brouillons", "Borradores", "Bozze")
SPECIAL_USE = {"junk": JUNK, "sent": SENT, "drafts": DRAFTS}
NAMES = {"junk": JUNK_NAMES, "sent": SENT_NAMES, "drafts": DRAFT_NAMES}


class ImapError(Exception):
    """A connection problem, said in one sentence with what to do."""


class AuthError(ImapError):
    pass


@dataclass(frozen=True)
class ImapSettings:
    host: str
    port: int | None
    tls: str  # ssl | starttls | none
    username: str
    secret: Callable[[], tuple[str, str]] = field(repr=False)  # -> ("password"|"oauth2", value)
    ca_file: str | None = None
    allow_plaintext_loopback: bool = False
    timeout: float = 30.0

    @property
    def effective_port(self) -> int:
        return self.port or (993 if self.tls == "ssl" else 143)


def ssl_context(ca_file: str | None) -> ssl.SSLContext:
    """Loading the system's CA store costs about 0.1 s of CPU, so every connection (each
    reconnect, each IDLE watcher) shares one context; an edited ``ca_file`` is read again."""
    stamp = None
    if ca_file:
        with contextlib.suppress(OSError):
            st = os.stat(ca_file)
            stamp = (st.st_mtime_ns, st.st_size)
    return _ssl_context(ca_file, stamp)


@functools.lru_cache(maxsize=8)
def _ssl_context(ca_file: str | None, _stamp: tuple[int, int] | None) -> ssl.SSLContext:
    ctx = ssl.create_default_context()
    if ca_file:
        ctx.load_verify_locations(cafile=ca_file)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    return ctx


def _is_loopback(host: str) -> bool:
    try:
        infos = socket.getaddrinfo(host, None)
    except OSError:
        return False
    return bool(infos) and all(ipaddress.ip_address(i[4][0]).is_loopback for i in infos)


def _quiet(client: IMAPClient) -> None:
    """imapclient turns imaplib's protocol trace on and sends it to its DEBUG log, so imaplib
    formats every line it reads and the repr of every literal (whole messages) even when that log
    is off.  Switch the trace off unless the log is really wanted."""
    imap = getattr(client, "_imap", None)
    if imap is not None and not logging.getLogger("imapclient.imaplib").isEnabledFor(
            logging.DEBUG):
        imap.debug = 0


def _keepalive(client: IMAPClient) -> None:
    try:
        sock = client.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
        for opt, value in (("TCP_KEEPIDLE", 60), ("TCP_KEEPINTVL", 20), ("TCP_KEEPCNT", 3)):
            if hasattr(socket, opt):
                sock.setsockopt(socket.IPPROTO_TCP, getattr(socket, opt), value)
    except OSError:
        pass


# NetEase (163.com, 126.com, yeah.net) refuses SELECT with "Unsafe Login" to a client that has
# not said who it is with the IMAP ID command (RFC 2971)
_ID_REQUIRED = ("163.com", "126.com", "yeah.net", "188.com")


def _identify(client: IMAPClient, host: str) -> None:
    if not host.lower().rstrip(".").endswith(_ID_REQUIRED):
        return
    try:
        if client.has_capability("ID"):
            client.id_({"name": "appealwatch", "version": __version__})
    except IMAPClientError as exc:
        log.info("%s did not take the IMAP ID command: %s", host, error_text(exc))


def connect(settings: ImapSettings) -> IMAPClient:
    """A logged-in client, or ImapError/AuthError saying what went wrong."""
    where = f"{settings.host}:{settings.effective_port}"
    if settings.tls == "none" and not (settings.allow_plaintext_loopback
                                       and _is_loopback(settings.host)):
        raise ImapError(f"refusing an unencrypted connection to {where}: use tls = \"ssl\" or "
                        "\"starttls\" (plain IMAP is only allowed to a loopback host)")
    ctx = ssl_context(settings.ca_file)
    client = None
    try:
        client = IMAPClient(settings.host, port=settings.effective_port,
                            ssl=settings.tls == "ssl", ssl_context=ctx,
                            timeout=settings.timeout)
        if settings.tls == "starttls":
            try:
                client.starttls(ctx)
            except IMAPClientError as exc:  # stripped or refused: never log in without TLS
                raise ImapError(f"{where} did not start TLS (STARTTLS: {error_text(exc)}); "
                                "appealwatch never logs in without encryption") from None
        kind, secret = settings.secret()
        if kind == "oauth2":
            client.oauth2_login(settings.username, secret)
        else:
            client.login(settings.username, secret)
        _keepalive(client)
        _quiet(client)
        _identify(client, settings.host)
        return client
    except ssl.SSLCertVerificationError as exc:
        close_client(client)
        raise ImapError(f"the TLS certificate of {where} could not be verified "
                        f"({exc.verify_message}); if the server uses a private CA, set "
                        "ca_file for this account") from None
    except ImapError:
        close_client(client)
        raise
    except LoginError as exc:
        close_client(client)
        raise AuthError(f"{where} refused the login of {settings.username} ({error_text(exc)}); "
                        f"check the password (`appealwatch login`) or app password") from None
    except (ssl.SSLError, OSError, TimeoutError) as exc:
        close_client(client)
        raise ImapError(f"cannot connect to {where}: {exc}") from None
    except IMAPClientError as exc:
        close_client(client)
        raise ImapError(f"{where}: {error_text(exc)}") from None


def error_text(exc: BaseException) -> str:
    text = str(exc)
    return text.removeprefix("b'").removesuffix("'")[:200]


def close_client(client: IMAPClient | None) -> None:
    if client is None:
        return
    try:
        client.logout()
    except Exception:
        with contextlib.suppress(Exception):
            client.shutdown()


def discover_folders(client: IMAPClient, overrides: dict[str, str]) -> dict[str, str]:
    """role -> mailbox name: special-use flags first, then common names; overrides win."""
    listing = client.list_folders()
    names = {name: flags for flags, _delim, name in listing}
    lower = {name.lower(): name for name in names}
    found = {"inbox": "INBOX"}
    for role, flag in SPECIAL_USE.items():
        by_flag = next((n for n, flags in names.items() if flag in flags), None)
        by_name = next((lower[c.lower()] for c in NAMES[role] if c.lower() in lower), None)
        if by_flag or by_name:
            found[role] = by_flag or by_name  # type: ignore[assignment]
    for role, name in overrides.items():
        found[role] = name
    return found


def is_abort(exc: BaseException) -> bool:
    return isinstance(exc, IMAPClientAbortError)


def drop_client(client: IMAPClient | None) -> None:
    """Close without a goodbye (the connection may be dead)."""
    if client is None:
        return
    with contextlib.suppress(Exception):
        client.shutdown()
