"""Read an IMAP folder with a real, independent client: mbsync (isync 1.4).

``fetch_folder`` pulls one folder over IMAPS into a throwaway Maildir and returns the
messages with their maildir flags. See RECIPES.md section 4.
"""

from __future__ import annotations

import email
import email.policy
import os
import re
import shlex
import subprocess
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

from . import find_tool

# <time>.<pid>_N.<host>,U=<uid>:2,<flags>
_NAME_RE = re.compile(r",U=(?P<uid>\d+)(?::2,(?P<flags>[A-Za-z]*))?$")
FLAG_NAMES = {"D": "\\Draft", "F": "\\Flagged", "R": "\\Answered", "S": "\\Seen", "T": "\\Deleted"}


@dataclass(frozen=True)
class ReadMessage:
    uid: int
    flags: str  # maildir letters, e.g. "DS"
    subdir: str  # "new" (unseen) or "cur"
    path: Path
    message: EmailMessage

    @property
    def subject(self) -> str | None:
        return self._header("Subject")

    @property
    def message_id(self) -> str | None:
        return self._header("Message-ID")

    @property
    def in_reply_to(self) -> str | None:
        return self._header("In-Reply-To")

    @property
    def references(self) -> str | None:
        return self._header("References")

    @property
    def imap_flags(self) -> set[str]:
        return {FLAG_NAMES[f] for f in self.flags if f in FLAG_NAMES}

    def _header(self, name: str) -> str | None:
        value = self.message[name]
        return None if value is None else str(value)


class MbsyncError(RuntimeError):
    def __init__(self, returncode: int, stderr: str) -> None:
        super().__init__(f"mbsync failed ({returncode}): {stderr.strip()}")
        self.returncode = returncode
        self.stderr = stderr


def _quote(value: str | os.PathLike[str]) -> str:
    text = str(value)
    if any(c in text for c in '"\\\n'):
        raise ValueError(f"unsupported character in mbsync config value {text!r}")
    return f'"{text}"'


def write_config(
    workdir: Path,
    port: int,
    user: str,
    password: str,
    ca: str | os.PathLike[str] | None,
    folder: str,
    host: str = "localhost",
) -> Path:
    """Write mbsyncrc + a 0600 password file into ``workdir``; return the rc path."""
    workdir.mkdir(parents=True, exist_ok=True)
    mail, state = workdir / "mail", workdir / "state"
    mail.mkdir(exist_ok=True)
    state.mkdir(exist_ok=True)
    pass_file = workdir / "pass"
    pass_file.touch(mode=0o600)
    pass_file.chmod(0o600)
    pass_file.write_text(password)
    tls = (
        f"SSLType IMAPS\nCertificateFile {_quote(ca)}\nSystemCertificates no\n"
        if ca is not None
        else "SSLType None\n"
    )
    rc = workdir / "mbsyncrc"
    rc.write_text(
        f"""\
IMAPAccount acct
Host {host}
Port {port}
User {_quote(user)}
PassCmd {_quote("cat " + shlex.quote(str(pass_file)))}
AuthMechs LOGIN
{tls}
IMAPStore far
Account acct

MaildirStore near
Path {_quote(str(mail) + "/")}
Inbox {_quote(mail / "INBOX")}
SubFolders Verbatim

Channel pull
Far :far:
Near :near:
Patterns {_quote(folder)}
Create Near
Sync Pull
Expunge None
SyncState {_quote(str(state) + "/")}
"""
    )
    return rc


def read_maildir(path: Path) -> list[ReadMessage]:
    """Parse every message in a Maildir folder (new/ and cur/), ordered by UID."""
    result = []
    for sub in ("new", "cur"):
        directory = path / sub
        if not directory.is_dir():
            continue
        for entry in directory.iterdir():
            m = _NAME_RE.search(entry.name)
            if m is None:
                raise ValueError(f"unexpected maildir file name {entry.name!r}")
            with entry.open("rb") as f:
                msg = email.message_from_binary_file(f, policy=email.policy.default)
            assert isinstance(msg, EmailMessage)
            result.append(ReadMessage(int(m["uid"]), m["flags"] or "", sub, entry, msg))
    return sorted(result, key=lambda r: r.uid)


def fetch_folder(
    host: str,
    tls_port: int,
    user: str,
    password: str,
    ca: str | os.PathLike[str],
    folder: str = "Drafts",
    *,
    workdir: str | os.PathLike[str],
    timeout: float = 60.0,
) -> list[ReadMessage]:
    """Run ``mbsync -q -c FILE -a`` against ``host``:``tls_port`` and return ``folder``.

    ``workdir`` (keyword-only) receives mbsyncrc, the 0600 password file, the Maildir and
    the sync state; use a fresh directory per call, e.g. ``tmp_path / "mbsync"``.

    isync 1.4 checks the certificate's DNS name/CN only, so 127.0.0.1 is connected to as
    "localhost". Raises MbsyncError (with mbsync's stderr) on failure.
    """
    work = Path(workdir)
    name = "localhost" if host in ("127.0.0.1", "::1", "localhost") else host
    rc = write_config(work, tls_port, user, password, ca, folder, host=name)
    proc = subprocess.run(
        [find_tool("mbsync"), "-q", "-c", str(rc), "-a"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        cwd=work,
    )
    if proc.returncode != 0:
        raise MbsyncError(proc.returncode, proc.stderr)
    return read_maildir(work / "mail" / folder)
