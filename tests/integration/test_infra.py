"""Self-test of tests/infra: every helper is checked against the real program it drives."""

from __future__ import annotations

import imaplib
import socket
import ssl
import subprocess
import time
from email.message import EmailMessage
from pathlib import Path

import pytest
from imapclient import IMAPClient
from imapclient.imapclient import DRAFTS, JUNK
from tests.infra import InfraSetupError, pid_alive, require_tools
from tests.infra.imapd import Account, Dovecot
from tests.infra.mbsync import fetch_folder
from tests.infra.notifyd import NOTIFICATIONS_NAME, NotificationSession

pytest_plugins = ("tests.infra.fixtures",)
pytestmark = pytest.mark.integration

X509_V_ERR_CERT_HAS_EXPIRED = 10
X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY = 20


def make_message(subject: str, **headers: str) -> bytes:
    msg = EmailMessage()
    msg["From"] = "Provider Support <support@provider.example>"
    msg["To"] = "alex@example.org"
    msg["Subject"] = subject
    msg["Message-ID"] = headers.pop("message_id", "<m-1@provider.example>")
    for name, value in headers.items():
        msg[name.replace("_", "-")] = value
    msg.set_content("Your appeal is being reviewed.\n")
    return msg.as_bytes()


# --------------------------------------------------------------------------- Dovecot


def test_tls_verified_with_generated_ca_and_rejected_by_default_context(
    dovecot: Dovecot, fresh_account: Account
) -> None:
    for host in ("localhost", "127.0.0.1"):
        with IMAPClient(
            host, port=dovecot.tls_port, ssl=True, ssl_context=dovecot.ssl_context(), timeout=10
        ) as c:
            c.login(fresh_account.user, fresh_account.password)
            sock = c.socket()
            assert isinstance(sock, ssl.SSLSocket)
            assert sock.version() == "TLSv1.3"
            caps = set(c.capabilities())
            assert {b"IDLE", b"SPECIAL-USE", b"UIDPLUS", b"MOVE"} <= caps

    with pytest.raises(ssl.SSLCertVerificationError) as err:
        IMAPClient(
            "localhost",
            port=dovecot.tls_port,
            ssl=True,
            ssl_context=ssl.create_default_context(),
            timeout=10,
        )
    assert err.value.verify_code == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY


def test_wrong_password_is_refused_without_penalty(fresh_account: Account) -> None:
    with fresh_account.server.connect() as c, pytest.raises(imaplib.IMAP4.error) as err:
        c.login(fresh_account.user, "wrong")
    assert "AUTHENTICATIONFAILED" in str(err.value)
    started = time.monotonic()
    with fresh_account.client() as c:
        c.noop()
    # The anvil auth penalty would delay this login by 4 s.
    assert time.monotonic() - started < 2.0


def test_list_shows_special_use_folders(fresh_account: Account) -> None:
    with fresh_account.client() as c:
        folders = {name: set(flags) for flags, _sep, name in c.list_folders()}
        assert b"\\Junk" in folders["Junk"]
        assert b"\\Drafts" in folders["Drafts"]
        assert {"INBOX", "Sent", "Archive", "Trash"} <= folders.keys()
        assert c.find_special_folder(DRAFTS) == "Drafts"
        assert c.find_special_folder(JUNK) == "Junk"


def test_idle_sees_exists_within_two_seconds_of_append(fresh_account: Account) -> None:
    with fresh_account.client() as watcher:
        watcher.select_folder("INBOX")
        watcher.idle()
        try:
            fresh_account.deliver("INBOX", make_message("Account suspended"))
            appended = time.monotonic()
            seen: list[object] = []
            while time.monotonic() - appended < 2.0 and not seen:
                responses = watcher.idle_check(timeout=2.0 - (time.monotonic() - appended))
                seen = [r for r in responses if isinstance(r, tuple) and r[1:] == (b"EXISTS",)]
            elapsed = time.monotonic() - appended
        finally:
            watcher.idle_done()
    assert seen == [(1, b"EXISTS")], f"no EXISTS within 2 s (waited {elapsed:.2f} s)"


def test_fresh_accounts_do_not_see_each_others_mail(
    dovecot: Dovecot, fresh_account: Account
) -> None:
    other = "isolation-" + fresh_account.user
    dovecot.add_user(other, "pw")
    uid = fresh_account.deliver("INBOX", make_message("only for one"))
    assert uid == 1
    assert dovecot.mailbox_status(fresh_account.user, "INBOX")["messages"] == 1
    assert dovecot.mailbox_status(other, "INBOX")["messages"] == 0


def test_doveadm_helpers_and_uidvalidity_change(fresh_account: Account) -> None:
    server, user = fresh_account.server, fresh_account.user
    fresh_account.deliver("Junk", make_message("Spam: appeal =?utf-8?q?caf=C3=A9?="), ("\\Seen",))
    (stored,) = fresh_account.fetch_headers("Junk")
    assert stored.uid == 1
    assert "\\Seen" in stored.flags
    assert stored.subject == "Spam: appeal café"
    with fresh_account.client() as c:
        before = c.select_folder("Junk", readonly=True)[b"UIDVALIDITY"]
    new = server.set_uidvalidity(user, "Junk")
    assert new != before
    with fresh_account.client() as c:
        assert c.select_folder("Junk", readonly=True)[b"UIDVALIDITY"] == new


def test_stop_ends_sessions_and_restart_keeps_ports(dovecot_factory) -> None:
    server: Dovecot = dovecot_factory()
    ports = (server.port, server.tls_port)
    with server.client("bob") as c:
        c.select_folder("INBOX")
        started = time.monotonic()
        server.stop()
        stop_time = time.monotonic() - started
        with pytest.raises(imaplib.IMAP4.abort):  # BYE Server shutting down / EOF
            c.noop()
    assert stop_time < 5.0
    server.start()
    assert (server.port, server.tls_port) == ports
    with server.client("bob") as c:
        assert c.noop()


def test_kill_and_restart_keeps_mail(dovecot_factory) -> None:
    server: Dovecot = dovecot_factory()
    uid = server.deliver("alex", "INBOX", make_message("before the crash"))
    old_pid, ports = server.pid, (server.port, server.tls_port)
    assert old_pid is not None
    with server.client("alex") as c:
        c.select_folder("INBOX")
        server.kill()
        with pytest.raises((imaplib.IMAP4.abort, OSError)):
            c.noop()
    assert not pid_alive(old_pid)
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection((server.host, server.port), timeout=2).close()
    assert (server.dir / "run" / "master.pid").exists()  # stale, as after a real crash

    server.start()
    assert (server.port, server.tls_port) == ports
    assert server.pid != old_pid
    with server.client("alex") as c:
        assert c.select_folder("INBOX")[b"EXISTS"] == 1
        assert c.search(["SUBJECT", "before the crash"]) == [uid]


def test_expired_certificate_is_rejected(dovecot_factory) -> None:
    server: Dovecot = dovecot_factory(expired_cert=True)
    with pytest.raises(ssl.SSLCertVerificationError) as err:
        server.connect()
    assert err.value.verify_code == X509_V_ERR_CERT_HAS_EXPIRED
    assert "expired" in str(err.value)
    # Control: the server itself works; only the certificate's validity is wrong.
    insecure = ssl.create_default_context()
    insecure.check_hostname = False
    insecure.verify_mode = ssl.CERT_NONE
    with IMAPClient(
        server.host, port=server.tls_port, ssl=True, ssl_context=insecure, timeout=10
    ) as c:
        c.login("alex", "secret")


# --------------------------------------------------------------------------- mbsync


def test_draft_is_read_back_by_mbsync(fresh_account: Account, tmp_path: Path) -> None:
    raw = make_message(
        "Re: Appeal #123 =?utf-8?q?=E7=94=B3=E8=AF=89?=",
        message_id="<draft-1@appealwatch.invalid>",
        In_Reply_To="<case-123@provider.example>",
        References="<case-100@provider.example> <case-123@provider.example>",
    )
    uid = fresh_account.deliver("Drafts", raw, ("\\Draft",))
    msgs = fetch_folder(
        fresh_account.host,
        fresh_account.tls_port,
        fresh_account.user,
        fresh_account.password,
        fresh_account.ca,
        "Drafts",
        workdir=tmp_path / "mbsync",
    )
    assert [m.uid for m in msgs] == [uid]
    (draft,) = msgs
    assert draft.flags == "D"
    assert draft.subdir == "new"  # unseen
    assert draft.in_reply_to == "<case-123@provider.example>"
    assert draft.references == "<case-100@provider.example> <case-123@provider.example>"
    assert draft.message_id == "<draft-1@appealwatch.invalid>"
    assert draft.subject == "Re: Appeal #123 申诉"


# --------------------------------------------------------------------------- notifications


def test_notify_send_critical_is_recorded_and_in_history(
    notifications: NotificationSession,
) -> None:
    subprocess.run(
        [
            "notify-send",
            "-a",
            "appealwatch",
            "-u",
            "critical",
            "-c",
            "email.arrived",
            "Appeal #123: reply received",
            "The provider answered.",
        ],
        env=notifications.environ(),
        check=True,
        timeout=10,
    )
    (call,) = notifications.wait_for_calls(1)
    assert call.app == "appealwatch"
    assert call.summary == "Appeal #123: reply received"
    assert call.body == "The provider answered."
    assert call.urgency == 2
    assert call.category == "email.arrived"
    assert call.id is not None

    history = notifications.history()
    assert [(h["appname"], h["summary"], h["id"]) for h in history] == [
        ("appealwatch", "Appeal #123: reply received", call.id)
    ]
    assert history[0]["timeout"] == 0  # critical notifications do not expire


NOTIFICATIONS_PATH = "/org/freedesktop/Notifications"


def _notify(conn, summary: str, actions: list[str], urgency: int = 1) -> int:
    from jeepney import DBusAddress, new_method_call
    from jeepney.wrappers import unwrap_msg

    notif = DBusAddress(
        NOTIFICATIONS_PATH, bus_name=NOTIFICATIONS_NAME, interface=NOTIFICATIONS_NAME
    )
    reply = conn.send_and_get_reply(
        new_method_call(
            notif,
            "Notify",
            "susssasa{sv}i",
            ("appealwatch", 0, "", summary, "Open it?", actions, {"urgency": ("y", urgency)}, -1),
        ),
        timeout=5,
    )
    (nid,) = unwrap_msg(reply)
    return nid


def _signals_until(conn, queue, member: str, timeout: float = 5.0) -> list[tuple[str, tuple]]:
    from jeepney import HeaderFields

    deadline = time.monotonic() + timeout
    seen: list[tuple[str, tuple]] = []
    while time.monotonic() < deadline:
        sig = conn.recv_until_filtered(queue, timeout=deadline - time.monotonic())
        seen.append((sig.header.fields[HeaderFields.member], sig.body))
        if seen[-1][0] == member:
            break
    return seen


def _signal_rule():
    from jeepney import MatchRule

    return MatchRule(type="signal", interface=NOTIFICATIONS_NAME, path=NOTIFICATIONS_PATH)


def test_default_action_reaches_the_sender(notifications: NotificationSession) -> None:
    from jeepney.bus_messages import message_bus
    from jeepney.io.blocking import Proxy, open_dbus_connection

    rule = _signal_rule()
    with open_dbus_connection(bus=notifications.bus_address) as conn:
        Proxy(message_bus, conn, timeout=5).AddMatch(rule)
        with conn.filter(rule, bufsize=16) as queue:
            nid = _notify(conn, "Appeal #123: reply received", ["default", "Open"])
            assert notifications.displayed_count() == 1
            notifications.invoke_action()  # dunstctl action 0
            signals = _signals_until(conn, queue, "ActionInvoked")
    assert ("ActionInvoked", (nid, "default")) in signals
    (call,) = notifications.calls()
    assert call.id == nid
    assert call.action_pairs == [("default", "Open")]
    assert call.urgency == 1


def test_named_action_of_a_chosen_notification(notifications: NotificationSession) -> None:
    from jeepney.bus_messages import message_bus
    from jeepney.io.blocking import Proxy, open_dbus_connection

    actions = ["default", "Open", "snooze", "Snooze 1 day"]
    rule = _signal_rule()
    with open_dbus_connection(bus=notifications.bus_address) as conn:
        Proxy(message_bus, conn, timeout=5).AddMatch(rule)
        with conn.filter(rule, bufsize=16) as queue:
            first = _notify(conn, "Appeal #1", actions)
            second = _notify(conn, "Appeal #2", actions)
            offered = notifications.invoke_action(first, "snooze")
            signals = _signals_until(conn, queue, "ActionInvoked")
    assert f"#Snooze 1 day (Appeal #1) [{first},snooze]" in offered
    assert f"#Open (Appeal #2) [{second},default]" in offered
    assert ("ActionInvoked", (first, "snooze")) in signals
    with pytest.raises(LookupError):
        notifications.invoke_action(second, "no-such-action")


# --------------------------------------------------------------------------- setup errors


def test_missing_program_fails_with_setup_instructions() -> None:
    with pytest.raises(InfraSetupError) as err:
        require_tools("mbsync", "no-such-program-appealwatch")
    message = str(err.value)
    assert "no-such-program-appealwatch" in message
    assert "apt-get install" in message
    assert "dovecot-imapd" in message
