"""Stateful property test over the Maildir source (the model and its invariants are in
stateful_machine.py, shared with the test over a real Dovecot)."""

from __future__ import annotations

from hypothesis import HealthCheck, settings

from appealwatch.maildir import MaildirSource
from stateful_machine import MailboxMachine


class Mailbox(MailboxMachine):
    ACCOUNT_TOML = 'maildir = "Maildir"\n'

    def account_fields(self) -> dict[str, object]:
        self.root = self.tmp / "Maildir"
        for folder in (self.root, self.root / ".Junk", self.root / ".Sent"):
            for sub in ("cur", "new", "tmp"):
                (folder / sub).mkdir(parents=True)
        return {"maildir": str(self.root)}

    def make_sources(self):
        return [MaildirSource(self.ACCOUNT, self.root, {})]

    def deliver(self, folder: str, raw: bytes) -> None:
        target = self.root if folder == "INBOX" else self.root / f".{folder}"
        n = next(self.counter)
        (target / "new" / f"{n}.m{n}.test").write_bytes(raw)

    def draft_ids(self) -> list[str]:
        return [mid for mid, _inode in self._message_ids(self.root / ".Drafts", "*")]

    def note_ids(self) -> list[tuple[str, object]]:
        return self._message_ids(self.root, "appealwatch-note-*")

    @staticmethod
    def _message_ids(folder, pattern: str) -> list[tuple[str, object]]:
        """(Message-ID, inode) of each message in a Maildir folder: a message rewritten under
        the same name is a new inode."""
        ids = []
        for sub in ("cur", "new"):
            for path in (folder / sub).glob(pattern):
                head = path.read_bytes().split(b"\n\n", 1)[0].decode()
                ids += [(line.split(":", 1)[1].strip(), path.stat().st_ino)
                        for line in head.splitlines() if line.lower().startswith("message-id:")]
        return ids


Mailbox.TestCase.settings = settings(
    max_examples=200, stateful_step_count=12, deadline=None, database=None, derandomize=True,
    suppress_health_check=list(HealthCheck))
test_mailbox_invariants = Mailbox.TestCase
