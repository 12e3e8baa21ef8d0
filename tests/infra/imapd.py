"""A throwaway Dovecot IMAP/IMAPS server on 127.0.0.1 for integration tests.

Nothing is read from /etc/dovecot: the whole configuration is generated into the state
directory. See RECIPES.md section 1 for the facts this is built on (chroot homes, short
base_dir, disabled auth penalty, how to stop the server so sessions really end).
"""

from __future__ import annotations

import contextlib
import email.parser
import email.policy
import grp
import json
import os
import pwd
import re
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from pathlib import Path

from imapclient import IMAPClient

from . import (
    child_processes,
    find_tool,
    free_port,
    pid_alive,
    require_tools,
    send_signal,
    wait_dead,
    wait_for,
)
from .certs import make_ca_and_server

DEFAULT_USERS = {"alex": "secret", "bob": "secret"}
SPECIAL_MAILBOXES = (
    ("Junk", "\\Junk"),
    ("Drafts", "\\Drafts"),
    ("Sent", "\\Sent"),
    ("Archive", "\\Archive"),
    ("Trash", "\\Trash"),
)
_USER_RE = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")
_APPENDUID_RE = re.compile(rb"\[APPENDUID (\d+) (\d+)\]")
_SESSION_COMMS = ("imap", "imap-login")


@dataclass(frozen=True)
class StoredMessage:
    """One message as doveadm sees it."""

    uid: int
    flags: tuple[str, ...]
    headers: EmailMessage

    @property
    def subject(self) -> str | None:
        value = self.headers["Subject"]
        return None if value is None else str(value)


def _to_crlf(raw: bytes) -> bytes:
    return raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


# --------------------------------------------------------------------------- server


class Dovecot:
    """A Dovecot instance whose state lives in ``directory``.

    ``start()`` generates the config (first time only: ports, CA and users are kept),
    ``stop()`` ends it cleanly (sessions get ``BYE``), ``kill()`` simulates a crash,
    ``restart()`` starts it again with the same mail and ports. Use as a context manager.
    """

    host = "127.0.0.1"
    tls_host = "localhost"  # the name to verify TLS against (also in the cert: 127.0.0.1)

    def __init__(
        self,
        directory: str | os.PathLike[str],
        users: dict[str, str] | None = None,
        expired_cert: bool = False,
        auto_create_drafts: bool = True,
    ) -> None:
        self.dir = Path(directory).resolve()
        self.users: dict[str, str] = dict(DEFAULT_USERS if users is None else users)
        self.expired_cert = expired_cert
        # False: a deleted Drafts folder stays deleted (as on most servers) instead of coming
        # back at the next login
        self.auto_create_drafts = auto_create_drafts
        self.port: int = 0
        self.tls_port: int = 0
        self._proc: subprocess.Popen[bytes] | None = None
        self._run_dir: Path | None = None
        self._root = os.geteuid() == 0

    # ----------------------------------------------------------------- paths
    @property
    def conf(self) -> Path:
        return self.dir / "dovecot.conf"

    @property
    def ca(self) -> Path:
        return self.dir / "tls" / "ca.crt"

    @property
    def log_path(self) -> Path:
        return self.dir / "log" / "dovecot.log"

    @property
    def maildir(self) -> Path:
        return self.dir / "mail"

    @property
    def users_dir(self) -> Path:
        """One passwd-file per user: Dovecot re-stats a passwd-file at most once per second,
        so a user appended to a shared file may be unknown for up to 1 s; a new file is read
        at its first lookup."""
        return self.dir / "users.d"

    @property
    def pid(self) -> int | None:
        return None if self._proc is None else self._proc.pid

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def log_tail(self, lines: int = 30) -> str:
        parts = []
        for path in (self.log_path, self.dir / "log" / "master.out"):
            if path.exists():
                parts.append("\n".join(path.read_text(errors="replace").splitlines()[-lines:]))
        return "\n".join(parts)

    # ----------------------------------------------------------------- setup
    def _mail_owner(self) -> tuple[int, int, str]:
        pw = pwd.getpwnam("dovecot") if self._root else pwd.getpwuid(os.geteuid())
        return pw.pw_uid, pw.pw_gid, pw.pw_name

    def _init_state(self) -> None:
        """First start only: directories, certificates, users and ports."""
        ports_file = self.dir / "ports.json"
        if ports_file.exists():
            saved = json.loads(ports_file.read_text())
            self.port, self.tls_port = saved["port"], saved["tls_port"]
            self._load_users()
            return
        for sub in ("tls", "log", "state", "mail"):
            (self.dir / sub).mkdir(parents=True, exist_ok=True)
        make_ca_and_server(self.dir / "tls", expired=self.expired_cert)
        self.users_dir.mkdir(mode=0o700, exist_ok=True)
        for user, password in list(self.users.items()):
            self._write_user(user, password)
        self._pick_ports()

    def _pick_ports(self) -> None:
        self.port = free_port(self.host)
        self.tls_port = free_port(self.host)
        while self.tls_port == self.port:
            self.tls_port = free_port(self.host)
        (self.dir / "ports.json").write_text(
            json.dumps({"port": self.port, "tls_port": self.tls_port})
        )

    def _load_users(self) -> None:
        for path in self.users_dir.iterdir():
            line = path.read_text().strip()
            user, _, rest = line.partition(":")
            self.users[user] = rest.split(":", 1)[0].removeprefix("{PLAIN}")

    def _write_user(self, user: str, password: str) -> None:
        if not _USER_RE.match(user):
            raise ValueError(f"unsupported user name {user!r}")
        if ":" in password or "\n" in password:
            raise ValueError("password must not contain ':' or a newline")
        uid, gid, _ = self._mail_owner()
        home = self.maildir / user
        home.mkdir(mode=0o700, exist_ok=True)
        os.chown(home, uid, gid)
        home.chmod(0o700)
        entry = self.users_dir / user
        entry.touch(mode=0o600)
        entry.write_text(f"{user}:{{PLAIN}}{password}::::::\n")
        self.users[user] = password

    def add_user(self, user: str, password: str = "secret") -> None:
        """Add a user (usable at once, also while Dovecot runs)."""
        if user in self.users:
            raise ValueError(f"user {user!r} exists already")
        self._write_user(user, password)

    def _config(self) -> str:
        assert self._run_dir is not None
        d = self.dir
        uid, gid, name = self._mail_owner()
        if self._root:
            internal, group, login = "root", "root", "dovenull"
            home = f"{d}/mail/./%n"  # "/./": chroot to mail/, done as root (0700 parents)
            chroot = f"valid_chroot_dirs = {d}/mail\n"
        else:
            internal = login = name
            group = grp.getgrgid(gid).gr_name
            home = f"{d}/mail/%n"
            chroot = ""
        mailboxes = "".join(
            f"  mailbox {box} {{\n    special_use = {use}\n"
            + ("" if box == "Drafts" and not self.auto_create_drafts else "    auto = subscribe\n")
            + "  }\n"
            for box, use in SPECIAL_MAILBOXES
        )
        return f"""\
# generated by tests/infra/imapd.py
instance_name = imapd-{self.port}
base_dir = {self._run_dir}
state_dir = {d}/state
log_path = {self.log_path}
protocols = imap
listen = {self.host}
default_internal_user = {internal}
default_internal_group = {group}
default_login_user = {login}
first_valid_uid = 1
first_valid_gid = 1
{chroot}ssl = yes
ssl_cert = <{d}/tls/server.crt
ssl_key = <{d}/tls/server.key
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
imap_id_log = *
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%n {self.users_dir}/%n
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={home}
}}
mail_location = maildir:~/Maildir
mail_fsync = never
namespace inbox {{
  inbox = yes
  separator = /
  mailbox INBOX {{
    auto = subscribe
  }}
{mailboxes}}}
protocol imap {{
  mail_max_userip_connections = 200
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = {self.host}
    port = {self.port}
  }}
  inet_listener imaps {{
    address = {self.host}
    port = {self.tls_port}
    ssl = yes
  }}
}}
service anvil {{
  chroot =
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
"""

    def _is_our_master(self, pid: int) -> bool:
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            return False
        return str(self.conf).encode() in cmdline

    def _prepare_run_dir(self) -> Path:
        """Unix socket paths are limited to 108 bytes, so base_dir lives in a short /tmp
        directory (linked as DIR/run). After a crash it is reused: stale master.pid and
        anvil-auth-penalty files are removed here."""
        link = self.dir / "run"
        if self._run_dir is None and link.is_symlink():
            target = Path(os.readlink(link))
            if target.is_dir():
                self._run_dir = target
        if self._run_dir is None or not self._run_dir.is_dir():
            self._run_dir = Path(tempfile.mkdtemp(prefix="imapd-run.", dir="/tmp"))
        self._run_dir.chmod(0o755)
        pid_file = self._run_dir / "master.pid"
        if pid_file.exists():
            try:
                old = int(pid_file.read_text().split()[0])
            except (ValueError, IndexError):
                old = 0
            if old and pid_alive(old) and self._is_our_master(old):
                raise RuntimeError(f"Dovecot for {self.dir} is already running as pid {old}")
            pid_file.unlink()  # stale (the master is gone or a zombie nobody reaped yet)
        with contextlib.suppress(FileNotFoundError):
            (self._run_dir / "anvil-auth-penalty").unlink()
        if link.is_symlink() or link.exists():
            link.unlink()
        link.symlink_to(self._run_dir)
        return self._run_dir

    # ----------------------------------------------------------------- lifecycle
    def start(self, timeout: float = 10.0) -> Dovecot:
        """Start (or restart after stop/kill) and wait for the IMAP greeting."""
        if self.running:
            return self
        require_tools("dovecot", "doveadm", "openssl")
        self.dir.mkdir(parents=True, exist_ok=True)
        fresh = not (self.dir / "ports.json").exists()
        self._init_state()
        for attempt in range(3):
            try:
                return self._launch(timeout)
            except RuntimeError as exc:
                # The free ports picked at first start may have been taken meanwhile.
                if not fresh or attempt == 2 or "Address already in use" not in str(exc):
                    raise
                self._pick_ports()
        raise AssertionError("unreachable")

    def _launch(self, timeout: float) -> Dovecot:
        self._prepare_run_dir()
        self.conf.write_text(self._config())
        out = self.dir / "log" / "master.out"
        with out.open("ab") as log:
            # -F: stay in the foreground so this process is the parent and reaps the master.
            # close_fds (the default) matters: the master keeps any inherited fd open.
            self._proc = subprocess.Popen(
                [find_tool("dovecot"), "-F", "-c", str(self.conf)],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                close_fds=True,
                start_new_session=True,
            )
        try:
            wait_for(self._ready, timeout, f"Dovecot to greet on {self.host}:{self.port}")
        except BaseException as exc:
            self.kill()
            raise RuntimeError(f"Dovecot did not start: {exc}\n{self.log_tail()}") from exc
        return self

    def _ready(self) -> bool:
        if self._proc is None or self._proc.poll() is not None:
            raise RuntimeError(f"dovecot exited with status {self._proc and self._proc.returncode}")
        try:
            with socket.create_connection((self.host, self.port), timeout=2) as s:
                greeted = s.recv(200).startswith(b"* OK")
                if greeted:
                    s.sendall(b"a LOGOUT\r\n")
                    s.recv(200)
                return greeted
        except OSError:
            return False

    def stop(self, timeout: float = 10.0) -> None:
        """Clean shutdown. SIGTERM to the master does not end logged-in sessions, and the
        master sleeps 1 s at exit for its log child; so SIGTERM the imap/imap-login children
        and the master, then SIGKILL the master once only its log child is left."""
        proc = self._proc
        if proc is None:
            return
        seen: dict[int, str] = {}
        if proc.poll() is None:
            seen.update(child_processes(proc.pid))
            for pid, comm in seen.items():
                if comm in _SESSION_COMMS:
                    send_signal(pid, signal.SIGTERM)
            send_signal(proc.pid, signal.SIGTERM)
            deadline = time.monotonic() + timeout
            while proc.poll() is None and time.monotonic() < deadline:
                now = child_processes(proc.pid)
                seen.update(now)
                for pid, comm in now.items():
                    if comm in _SESSION_COMMS:  # a session that appeared meanwhile
                        send_signal(pid, signal.SIGTERM)
                if all(comm == "log" for comm in now.values()):
                    break
                time.sleep(0.01)
            send_signal(proc.pid, signal.SIGKILL)
        proc.wait(timeout)
        self._proc = None
        for pid in wait_dead(seen, timeout):
            send_signal(pid, signal.SIGKILL)
        wait_dead(seen, timeout)
        self._remove_run_dir()

    def kill(self) -> None:
        """Crash simulation: SIGSTOP the master, SIGKILL its children, SIGKILL the master.
        Logged-in clients see EOF. The run dir (with a stale master.pid) is left behind."""
        proc = self._proc
        if proc is None:
            return
        children: dict[int, str] = {}
        if proc.poll() is None:
            send_signal(proc.pid, signal.SIGSTOP)
            children = child_processes(proc.pid)
            for pid in children:
                send_signal(pid, signal.SIGKILL)
            send_signal(proc.pid, signal.SIGKILL)
        proc.wait(10)
        self._proc = None
        wait_dead(children, 10)

    def restart(self) -> Dovecot:
        """Stop (if running) and start again: same mail, users, CA and ports."""
        self.stop()
        return self.start()

    def close(self) -> None:
        """Stop (or, after kill(), clean up) and remove the /tmp run directory."""
        self.stop()
        self._remove_run_dir()

    def _remove_run_dir(self) -> None:
        if self._run_dir is not None:
            shutil.rmtree(self._run_dir, ignore_errors=True)
            self._run_dir = None
        link = self.dir / "run"
        if link.is_symlink():
            link.unlink()

    def __enter__(self) -> Dovecot:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ----------------------------------------------------------------- clients
    def ssl_context(self) -> ssl.SSLContext:
        """A verifying context that trusts only this server's CA (with X509 strict checks)."""
        ctx = ssl.create_default_context(cafile=str(self.ca))
        ctx.verify_flags |= ssl.VERIFY_X509_STRICT
        return ctx

    def connect(self, timeout: float = 10.0) -> IMAPClient:
        """A not-yet-logged-in IMAPS client; use it in a ``with`` block."""
        return IMAPClient(
            self.tls_host,
            port=self.tls_port,
            ssl=True,
            ssl_context=self.ssl_context(),
            timeout=timeout,
        )

    @contextlib.contextmanager
    def client(self, user: str = "alex", timeout: float = 10.0) -> Iterator[IMAPClient]:
        """A logged-in IMAPS client, logged out at the end of the block."""
        with self.connect(timeout) as c:
            c.login(user, self.users[user])
            yield c

    def deliver(self, user: str, folder: str, raw: bytes, flags: Iterable[str | bytes] = (),
                when: datetime | None = None) -> int:
        """APPEND ``raw`` (LF or CRLF) to ``folder`` over IMAPS, arrived at ``when`` (its
        INTERNALDATE; now if None); return the new UID."""
        with self.client(user) as c:
            resp = c.append(folder, _to_crlf(raw), flags=tuple(flags), msg_time=when)
        m = _APPENDUID_RE.search(resp)
        if m is None:
            raise RuntimeError(f"no APPENDUID in APPEND response {resp!r}")
        return int(m.group(2))

    # ----------------------------------------------------------------- doveadm
    def doveadm(
        self, *args: str, check: bool = True, formatter: str | None = None
    ) -> subprocess.CompletedProcess[str]:
        """Run ``doveadm -c DIR/dovecot.conf [-f formatter] ARGS...`` and return the result."""
        cmd = [find_tool("doveadm"), "-c", str(self.conf)]
        if formatter:
            cmd += ["-f", formatter]
        proc = subprocess.run(
            [*cmd, *args],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        if check and proc.returncode != 0:
            raise RuntimeError(
                f"doveadm {' '.join(args)} failed ({proc.returncode}): {proc.stderr.strip()}"
            )
        return proc

    def fetch_headers(self, user: str, folder: str) -> list[StoredMessage]:
        """UID, flags and parsed headers of every message in ``folder`` (via doveadm)."""
        out = self.doveadm(
            "fetch", "-u", user, "uid flags hdr", "mailbox", folder, formatter="json"
        ).stdout
        parser = email.parser.HeaderParser(policy=email.policy.default)
        result = []
        for row in json.loads(out or "[]"):
            headers = parser.parsestr(row["hdr"])
            assert isinstance(headers, EmailMessage)
            result.append(StoredMessage(int(row["uid"]), tuple(row["flags"].split()), headers))
        return sorted(result, key=lambda m: m.uid)

    def mailbox_status(self, user: str, folder: str, fields: str = "all") -> dict[str, int]:
        """``doveadm mailbox status`` as a dict, e.g. {'messages': 2, 'uidvalidity': ...}."""
        out = self.doveadm("mailbox", "status", "-u", user, fields, folder, formatter="json")
        rows = json.loads(out.stdout)
        return {k: int(v) for k, v in rows[0].items() if v.lstrip("-").isdigit()}

    def set_uidvalidity(self, user: str, folder: str, value: int | None = None) -> int:
        """Change ``folder``'s UIDVALIDITY (default: current + 1) and return the new value.

        Caveat: a session that has the folder selected keeps its cached value."""
        if value is None:
            value = self.mailbox_status(user, folder, "uidvalidity")["uidvalidity"] + 1
        self.doveadm("mailbox", "update", "-u", user, "--uid-validity", str(value), folder)
        return value


@dataclass(frozen=True)
class Account:
    """A user on a running Dovecot, with everything a client needs to connect."""

    server: Dovecot
    user: str
    password: str

    @property
    def host(self) -> str:
        return self.server.host

    @property
    def port(self) -> int:
        return self.server.port

    @property
    def tls_port(self) -> int:
        return self.server.tls_port

    @property
    def ca(self) -> Path:
        return self.server.ca

    def client(self, timeout: float = 10.0) -> AbstractContextManager[IMAPClient]:
        """``with account.client() as c:`` -- a logged-in IMAPS client."""
        return self.server.client(self.user, timeout)

    def deliver(self, folder: str, raw: bytes, flags: tuple[str, ...] = (),
                when: datetime | None = None) -> int:
        return self.server.deliver(self.user, folder, raw, flags, when)

    def fetch_headers(self, folder: str) -> list[StoredMessage]:
        return self.server.fetch_headers(self.user, folder)
