"""A local Maildir as a mail source (kept by mbsync, offlineimap or a local delivery agent).

Layout: Maildir++ by default — the root is INBOX and ``.Junk``, ``.Sent``, ``.Drafts`` are its
folders — with fall-backs for the layouts mbsync and others create (``INBOX/``, ``Junk/``,
``[Gmail]/Spam``) and per-folder overrides from the config.  appealwatch only ever reads mail, and
writes nothing but its own drafts (with the Maildir draft flag ``D``) into the Drafts folder.
"""

from __future__ import annotations

import contextlib
import email.parser
import email.policy
import hashlib
import logging
import mailbox
from collections.abc import Iterator
from pathlib import Path

from appealwatch.sources import Fetched, SyncState

log = logging.getLogger("appealwatch.maildir")

CANDIDATES = {
    "inbox": ("", "INBOX", "Inbox", "inbox"),
    "junk": (".Junk", ".Spam", ".Junk E-mail", ".Bulk Mail", ".[Gmail].Spam", "Junk", "Spam",
             "[Gmail]/Spam", "Junk E-mail", "垃圾邮件"),
    "sent": (".Sent", ".Sent Items", ".Sent Messages", ".Sent Mail", ".[Gmail].Sent Mail", "Sent",
             "Sent Items", "Sent Messages", "[Gmail]/Sent Mail", "已发送"),
    "drafts": (".Drafts", ".[Gmail].Drafts", "Drafts", "[Gmail]/Drafts", "草稿箱"),
}
ROLES = ("inbox", "junk", "sent", "drafts")
_HEADERS = email.parser.BytesHeaderParser(policy=email.policy.compat32)


class MaildirError(Exception):
    pass


def _is_maildir(path: Path) -> bool:
    return (path / "cur").is_dir() and (path / "new").is_dir()


class MaildirSource:
    """One account's Maildir tree."""

    kind = "maildir"
    last_sync: dict[str, tuple[int, str]] = {}  # noqa: RUF012 - a Maildir has no checkpoints

    def __init__(self, account: str, root: str | Path, overrides: dict[str, str] | None = None,
                 *, create_drafts: bool = True) -> None:
        self.account = account
        self.root = Path(root).expanduser()
        if not self.root.is_dir():
            raise MaildirError(f"account {account}: the Maildir {self.root} does not exist")
        self.paths: dict[str, Path] = {}
        overrides = overrides or {}
        for role in ROLES:
            path = self._resolve(role, overrides.get(role))
            if path is None and role == "drafts" and create_drafts:
                path = self._create_folder(overrides.get("drafts") or ".Drafts")
            if path is not None:
                self.paths[role] = path
        if "inbox" not in self.paths:
            raise MaildirError(
                f"account {account}: {self.root} is not a Maildir (no cur/ and new/ in it or in "
                "INBOX/); set [[accounts]] maildir to the folder that holds them"
            )

    def _resolve(self, role: str, override: str | None) -> Path | None:
        names = (override,) if override else CANDIDATES[role]
        for name in names:
            path = Path(name).expanduser() if name and Path(name).is_absolute() else self.root / (
                name or "")
            if _is_maildir(path):
                return path
        if override:
            log.warning("account %s: the %s folder %r is not a Maildir", self.account, role,
                        override)
        return None

    def _create_folder(self, name: str) -> Path:
        path = self.root / name
        for sub in ("cur", "new", "tmp"):
            (path / sub).mkdir(parents=True, exist_ok=True, mode=0o700)
        if name.startswith("."):
            (path / "maildirfolder").touch(exist_ok=True)
        log.info("account %s: created the Drafts folder %s", self.account, path)
        return path

    def folders(self) -> dict[str, str]:
        return {role: str(path) for role, path in self.paths.items()}

    def _box(self, role: str) -> mailbox.Maildir:
        return mailbox.Maildir(self.paths[role], factory=None, create=False)

    # -------------------------------------------------------------- reading

    def list(self, role: str) -> list[str]:
        """Keys of every message in the folder (Maildir unique names)."""
        if role not in self.paths:
            return []
        return sorted(self._box(role).iterkeys())

    def sync(self, role: str, state: SyncState) -> Iterator[Fetched]:
        """Every message not recorded yet (a local folder is cheap to list and read)."""
        for key in self.list(role):
            if key in state.known:
                continue
            raw = self.read(role, key)
            if raw is not None:
                yield Fetched(key, raw)

    def close(self) -> None:
        pass

    def read(self, role: str, location: str) -> bytes | None:
        try:
            return self._box(role).get_bytes(location)
        except (KeyError, FileNotFoundError):
            return None  # moved or deleted by the user's mail client meanwhile

    # -------------------------------------------------------------- drafts

    def _draft_keys(self) -> list[tuple[str, str | None]]:
        box = self._box("drafts")
        out = []
        for key in box.iterkeys():
            try:
                with box.get_file(key) as fh:
                    headers = _HEADERS.parse(fh)  # type: ignore[arg-type]
            except (KeyError, FileNotFoundError):
                continue
            mid = headers.get("Message-ID")
            out.append((key, str(mid).strip() if mid else None))
        return out

    def find_draft(self, message_id: str) -> str | None:
        """The location of the draft with this Message-ID, if it is in Drafts."""
        return next((k for k, mid in self._draft_keys() if mid == message_id), None)

    def append_draft(self, raw: bytes) -> str:
        """Write a draft with the Maildir flags D (draft) and S (seen); returns its key."""
        msg = mailbox.MaildirMessage(raw)
        msg.set_subdir("cur")
        msg.set_flags("DS")
        box = self._box("drafts")
        return str(box.add(msg))  # written to tmp/, then moved into cur/: never half a file

    def read_draft(self, location: str) -> bytes | None:
        return self.read("drafts", location)

    def remove_draft(self, location: str) -> None:
        with contextlib.suppress(KeyError, FileNotFoundError):
            self._box("drafts").remove(location)

    # -------------------------------------------------------------- notification messages

    @staticmethod
    def _note_key(message_id: str) -> str:
        # a name of its own, derived from the Message-ID: finding it is one directory lookup
        return "appealwatch-note-" + hashlib.sha256(message_id.encode()).hexdigest()[:24]

    def _note_path(self, key: str) -> Path | None:
        root = self.paths["inbox"]
        if (root / "new" / key).exists():
            return root / "new" / key
        return next(iter(sorted((root / "cur").glob(f"{key}:*"))), None) or (
            root / "cur" / key if (root / "cur" / key).exists() else None)

    def find_note(self, message_id: str) -> str | None:
        key = self._note_key(message_id)
        return key if self._note_path(key) is not None else None

    def append_note(self, raw: bytes, message_id: str) -> str:
        """Into INBOX as unseen (new/, no flags), written to tmp/ first: never half a file."""
        key = self._note_key(message_id)
        root = self.paths["inbox"]
        tmp = root / "tmp" / key
        tmp.write_bytes(raw)
        tmp.rename(root / "new" / key)
        return key

    def note_state(self, location: str) -> str | None:
        path = self._note_path(location)
        if path is None:
            return None  # moved or deleted by the user
        flags = path.name.partition(":2,")[2]
        return "flagged" if "F" in flags else "untouched"

    def remove_note(self, location: str) -> None:
        path = self._note_path(location)
        if path is not None:
            with contextlib.suppress(FileNotFoundError):
                path.unlink()

    @staticmethod
    def content_hash(raw: bytes) -> str:
        return hashlib.sha256(raw.replace(b"\r\n", b"\n")).hexdigest()
