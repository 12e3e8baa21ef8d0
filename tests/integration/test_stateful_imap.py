"""Stateful property test over a real Dovecot: the model and invariants of stateful_machine.py
(shared with the Maildir test), with the daemon's engine running in-process on the real IMAP
source as `scan` and `run` wire it, plus what only a server does: it restarts, crashes, is down
during a pass, and changes a folder's UIDVALIDITY.  One server for the whole test; every example
is a new user with empty mailboxes.  Drafts are read back from the server's Drafts folder."""

from __future__ import annotations

import contextlib
import itertools
import re

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import precondition, rule, run_state_machine_as_test
from imapclient import IMAPClient

from appealwatch.app import make_sources
from appealwatch.imap import ImapError
from stateful_machine import MailboxMachine

pytest_plugins = ("tests.infra.fixtures",)
pytestmark = pytest.mark.integration

PASSWORD = "secret-stateful"
_users = itertools.count(1)
_MESSAGE_ID = re.compile(rb"(?im)^message-id:[ \t]*(<[^>\r\n]+>)")


class ImapMailbox(MailboxMachine):
    server = None  # the Dovecot of this test run, set before the machine runs

    ACCOUNT_TOML = ('host = "localhost"\ntls = "ssl"\nusername = "u"\n'
                    'password_command = "cat pw"\n')

    def account_fields(self) -> dict[str, object]:
        server = type(self).server
        self.user = f"st{next(_users)}"
        server.add_user(self.user, PASSWORD)
        secret = self.tmp / "pw"
        secret.write_text(PASSWORD)
        secret.chmod(0o600)
        self.peer: IMAPClient | None = None
        self.server_restarted = False
        return {"port": server.tls_port, "username": self.user, "ca_file": str(server.ca),
                "password_command": f"cat {secret}"}

    def make_sources(self):
        return make_sources(self.config)

    def abandon(self, source) -> None:
        client = source._client
        source._client = None
        if client is not None:
            client.shutdown()  # the socket just closes: no LOGOUT

    def teardown(self) -> None:
        self.drop_peer()
        super().teardown()

    # -------------------------------------------------------------- the other side

    def client(self) -> IMAPClient:
        """The test's own connection to the mailbox: delivers mail, reads Drafts."""
        if self.peer is None:
            self.peer = type(self).server.connect()
            self.peer.login(self.user, PASSWORD)
        return self.peer

    def drop_peer(self) -> None:
        if self.peer is not None:
            with contextlib.suppress(Exception):
                self.peer.shutdown()
            self.peer = None

    def deliver(self, folder: str, raw: bytes) -> None:
        flags = ("\\Seen",) if folder == "Sent" else ()
        self.client().append(folder, raw.replace(b"\n", b"\r\n"), flags=flags)

    def draft_ids(self) -> list[str]:
        client = self.client()
        client.select_folder("Drafts", readonly=True)
        uids = client.search("ALL")
        if not uids:
            return []
        found = client.fetch(uids, ["BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)]"])
        ids = []
        for data in found.values():
            head = next(v for k, v in data.items() if k.startswith(b"BODY[HEADER"))
            ids += [m.decode() for m in _MESSAGE_ID.findall(head)]
        return ids

    def note_ids(self) -> list[tuple[str, object]]:
        client = self.client()
        client.select_folder("INBOX", readonly=True)
        uids = client.search(["HEADER", "X-Appealwatch-Notification", ""])
        if not uids:
            return []
        found = client.fetch(uids, ["BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)]"])
        return [(m.decode(), uid) for uid, data in found.items()
                for k, v in data.items() if k.startswith(b"BODY[HEADER")
                for m in _MESSAGE_ID.findall(v)]

    # -------------------------------------------------------------- rules: the server

    @precondition(lambda self: not self.server_restarted)
    @rule(how=st.sampled_from(["stop", "kill", "down during a pass"]))
    def server_restarts(self, how: str) -> None:
        """Dovecot stops cleanly, or crashes, between two passes, or is down during one (which
        then fails at once and changes nothing; the run loop tries again later), and comes
        back.  At most once per example: a restart takes a tenth of a second."""
        server = type(self).server
        self.server_restarted = True
        if how == "stop":
            server.stop()
        else:
            server.kill()
        try:
            if how == "down during a pass":
                self.settled = False
                with contextlib.suppress(ImapError):
                    self.engine().scan()
        finally:
            server.start()
            self.drop_peer()

    @rule(folder=st.sampled_from(["INBOX", "Junk", "Sent", "Drafts"]))
    def uidvalidity_changes(self, folder: str) -> None:
        type(self).server.set_uidvalidity(self.user, folder)
        if folder in ("Drafts", "INBOX"):
            self.drop_peer()  # Dovecot ends a session that has the folder selected
        if folder == "INBOX":
            self.notes.clear()  # the notes' UIDs may be new: known again by their next look


def test_imap_mailbox_invariants(dovecot):
    ImapMailbox.server = dovecot
    try:
        run_state_machine_as_test(ImapMailbox, settings=settings(
            max_examples=200, stateful_step_count=8, deadline=None, derandomize=True,
            database=None, suppress_health_check=list(HealthCheck)))
    finally:
        ImapMailbox.server = None


def test_killed_right_after_appending_a_draft_never_leaves_two(dovecot):
    """The one sequence the generated examples above may not reach: a draft lands in Drafts,
    the daemon is killed before recording it, and the next pass must find it, not append it
    again."""
    ImapMailbox.server = dovecot
    machine = ImapMailbox()
    try:
        machine.first_notice("github", junk=False)
        machine.notice("openai", junk=True)
        machine.daemon_runs("after-draft-append", nth=1)
        machine.daemon_runs("complete", nth=1)
        machine.drafts_unique_and_accounted_for()
        machine.nothing_lost()
    finally:
        machine.teardown()
        ImapMailbox.server = None
