"""Fault injection against the real Dovecot (issue 7, item 3).

Every fault ends with appealwatch either recovered by itself or stopped with one clear
sentence naming the problem (no traceback), and nothing lost: the notice still becomes a case
with exactly one draft once the fault is gone, and the state file is intact (or kept).

What existed before this module, and what it adds (the full table is in docs/SECURITY.md,
"Faults"):

* before: a lost APPEND answer simulated by a monkeypatch, a deleted Drafts folder (then on
  a Dovecot that re-created it by itself), a state path that cannot be created (/proc), a
  corrupt state file opened by ``Store`` directly, a server crash/restart, a silent
  connection, a SIGSTOP; parse limits on a 25 MB / 5,000-part message in memory
  (``test_parse.py``).
* here, all through ``scan`` or ``run`` against the real server: resets mid-FETCH and
  mid-APPEND (upload cut, answer lost), NO/BAD answers, a full disk (a real tmpfs), a
  read-only state directory (a read-only bind mount: root ignores mode bits), a corrupt state
  file (garbage and a damaged page), a Drafts folder deleted while ``run`` watches (a Dovecot
  that does not re-create it), 100,000 messages, a 25 MB and a 5,000-part message.

The faults on the wire come from ``tests.infra.proxy.FaultProxy``: it sits between appealwatch
and Dovecot's plain IMAP port (``tls = "none"`` with ``allow_plaintext_loopback``, so it can
read the commands) and resets the connection or answers a command itself on cue.
"""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from tests.infra import events, stop_process
from tests.infra import poll as wait_for
from tests.infra.imapd import Account, Dovecot
from tests.infra.proxy import Fault, FaultProxy

from appealwatch.cli import main
from mails import openai_notice

pytest_plugins = ("tests.infra.fixtures",)
pytestmark = pytest.mark.integration

EXE = [sys.executable, "-m", "appealwatch.cli"]
BODY_FETCH = rb"UID FETCH .*BODY\.PEEK\[\]"


# --------------------------------------------------------------------------- helpers


def write_config(tmp: Path, account, *, port: int | None = None, plain: bool = False,
                 state: Path | None = None, extra: str = "") -> Path:
    """A config for ``account``: over TLS, or plain to ``port`` (a FaultProxy) when ``plain``."""
    secret = tmp / "secret"
    secret.write_text(account.password)
    secret.chmod(0o600)
    if plain:
        server = (f'host = "127.0.0.1"\nport = {port}\ntls = "none"\n'
                  "allow_plaintext_loopback = true\n")
    else:
        server = (f'host = "localhost"\nport = {port or account.tls_port}\ntls = "ssl"\n'
                  f'ca_file = "{account.ca}"\n')
    cfg = tmp / "config.toml"
    cfg.write_text(
        '[user]\nname = "Alex Chen"\nemail = "alex@example.net"\n'
        f'[[accounts]]\nname = "work"\n{server}username = "{account.user}"\n'
        f'password_command = "cat {secret}"\n'
        f'[state]\npath = "{state or tmp / "state.sqlite3"}"\n'
        f'[notify]\nbackends = ["command"]\n'
        f'command = ["sh", "-c", "(cat; echo) >> {tmp / "events.jsonl"}"]\n' + extra,
        encoding="utf-8")
    cfg.chmod(0o600)
    return cfg



def notice(n: int, *, date: datetime | None = None) -> bytes:
    return openai_notice(f"org-Fault{n:04d}XYZabc", f"<fault-notice-{n}@tm.openai.com>", date)


def drafts_answering(account, *notice_numbers: int) -> list[str]:
    """In-Reply-To of every draft in Drafts (sorted); asserts nothing by itself."""
    return sorted(str(m.headers["In-Reply-To"]) for m in account.fetch_headers("Drafts"))


def expected(*numbers: int) -> list[str]:
    return sorted(f"<fault-notice-{n}@tm.openai.com>" for n in numbers)


def one_clear_sentence(err: str, *needles: str) -> None:
    """stderr is a single ``appealwatch: …`` line naming the problem, without a traceback."""
    lines = [x for x in err.splitlines() if x.strip()]
    assert "Traceback" not in err, err
    assert len([x for x in lines if x.startswith("appealwatch: ")]) == 1, err
    assert "unexpected error" not in err, err
    for needle in needles:
        assert needle in err, (needle, err)



def start_run(tmp: Path, cfg: Path) -> tuple[subprocess.Popen, object]:
    log = open(tmp / "run.log", "wb")  # noqa: SIM115 - closed by stop_run
    proc = subprocess.Popen([*EXE, "--config", str(cfg), "run"], stdout=log, stderr=log)
    return proc, log


def stop_run(proc: subprocess.Popen, log) -> str:
    stop_process(proc, timeout=10)
    log.close()
    return Path(log.name).read_text()


@pytest.fixture
def proxy(fresh_account):
    with FaultProxy(fresh_account.host, fresh_account.port) as p:
        yield p


# --------------------------------------------------------------------------- the wire


def test_reset_mid_fetch_is_retried_or_reported_and_nothing_lost(tmp_path, fresh_account,
                                                                 proxy, capsys):
    fresh_account.deliver("INBOX", notice(1))
    cfg = write_config(tmp_path, fresh_account, port=proxy.port, plain=True)
    # every body fetch is cut 300 bytes into the server's answer: the retry fails too
    proxy.arm(Fault(BODY_FETCH, cut="down", after=300, times=2))
    assert main(["--config", str(cfg), "scan"]) == 1
    one_clear_sentence(capsys.readouterr().err, "work", "connection")
    assert len(proxy.events) == 2 and not fresh_account.fetch_headers("Drafts")
    # one cut only: the scan reconnects and fetches again by itself
    proxy.arm(Fault(BODY_FETCH, cut="down", after=300))
    before = proxy.connections
    assert main(["--config", str(cfg), "scan"]) == 0
    assert len(proxy.events) == 3 and proxy.connections > before + 1
    assert drafts_answering(fresh_account) == expected(1)
    assert [e["event"] for e in events(tmp_path)] == ["new_notice"]


@pytest.mark.parametrize("where", ["upload", "answer"])
def test_reset_mid_append_leaves_exactly_one_draft(tmp_path, fresh_account, proxy, capsys,
                                                   where):
    fresh_account.deliver("INBOX", notice(2))
    cfg = write_config(tmp_path, fresh_account, port=proxy.port, plain=True)
    if where == "upload":  # the draft is cut 400 bytes into its upload: the server drops it
        proxy.arm(Fault(rb"^\S+ APPEND ", cut="up", after=400))
    else:  # the server stored it, but its OK never arrives
        proxy.arm(Fault(rb"^\S+ OK \[APPENDUID ", side="server", cut="down", after=0))
    assert main(["--config", str(cfg), "scan"]) == 1
    one_clear_sentence(capsys.readouterr().err, "work", "connection")
    assert proxy.events
    stored = len(fresh_account.fetch_headers("Drafts"))
    assert stored == (0 if where == "upload" else 1)
    assert main(["--config", str(cfg), "scan"]) == 0
    assert main(["--config", str(cfg), "scan"]) == 0
    assert drafts_answering(fresh_account) == expected(2)
    assert [e["event"] for e in events(tmp_path)] == ["new_notice"]


@pytest.mark.parametrize(("command", "answer"), [("fetch", "NO"), ("append", "BAD")])
def test_server_answering_no_or_bad_is_one_sentence_and_nothing_lost(
        tmp_path, fresh_account, proxy, capsys, command, answer):
    fresh_account.deliver("INBOX", notice(3))
    cfg = write_config(tmp_path, fresh_account, port=proxy.port, plain=True)
    pattern = BODY_FETCH if command == "fetch" else rb"^\S+ APPEND "
    refusal = proxy.arm(Fault(pattern, action=answer, times=1000))  # until told otherwise
    for _ in range(2):  # refused again and again: the same sentence, no duplicate anything
        assert main(["--config", str(cfg), "scan"]) == 1
        one_clear_sentence(capsys.readouterr().err, "account work", "refused a command",
                           "Injected failure")
    assert refusal.hits == 2 and not fresh_account.fetch_headers("Drafts")
    assert [e["event"] for e in events(tmp_path)] == []
    refusal.times = refusal.hits  # the server accepts again
    assert main(["--config", str(cfg), "scan"]) == 0
    assert main(["--config", str(cfg), "scan"]) == 0
    assert drafts_answering(fresh_account) == expected(3)
    assert [e["event"] for e in events(tmp_path)] == ["new_notice"]


# --------------------------------------------------------------------------- the state file


@pytest.fixture
def tmpfs(tmp_path):
    """A real, tiny tmpfs (tests run as root); mounting is required, never skipped."""
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m,mode=0700", "tmpfs",
                           str(mnt)], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        pytest.fail("this test needs to mount a tmpfs (run the tests as root, or in a "
                    f"container with CAP_SYS_ADMIN): {done.stderr.strip()}", pytrace=False)
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)


def fill(directory: Path) -> Path:
    filler = directory / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        while True:
            os.write(fd, b"\0" * 4096)
    except OSError:
        pass
    finally:
        os.close(fd)
    return filler


def integrity(path: Path) -> str:
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return db.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        db.close()


def test_full_disk_is_one_clear_error_and_the_next_scan_catches_up(tmp_path, fresh_account,
                                                                   tmpfs, capsys):
    state = tmpfs / "appealwatch" / "state.sqlite3"
    cfg = write_config(tmp_path, fresh_account, state=state)
    fresh_account.deliver("INBOX", notice(4))
    assert main(["--config", str(cfg), "scan"]) == 0
    filler = fill(tmpfs)
    for n in range(5, 25):  # enough mail that the state file has to grow
        fresh_account.deliver("INBOX", notice(n))
    assert main(["--config", str(cfg), "scan"]) == 1
    one_clear_sentence(capsys.readouterr().err, str(state), "disk is full")
    filler.unlink()
    assert integrity(state) == "ok"  # the failed write left the file whole
    assert main(["--config", str(cfg), "scan"]) == 0
    assert integrity(state) == "ok"
    assert drafts_answering(fresh_account) == expected(*range(4, 25))
    assert len([e for e in events(tmp_path) if e["event"] == "new_notice"]) == 21


def test_a_read_only_state_directory_is_one_clear_error(tmp_path, fresh_account, tmpfs, capsys):
    state = tmpfs / "state.sqlite3"
    cfg = write_config(tmp_path, fresh_account, state=state)
    fresh_account.deliver("INBOX", notice(30))
    assert main(["--config", str(cfg), "scan"]) == 0
    before = state.read_bytes()
    fresh_account.deliver("INBOX", notice(31))
    subprocess.run(["mount", "-o", "remount,ro", str(tmpfs)], check=True)
    try:
        assert main(["--config", str(cfg), "scan"]) == 1
        one_clear_sentence(capsys.readouterr().err, str(state), "read-only")
        assert state.read_bytes() == before
    finally:
        subprocess.run(["mount", "-o", "remount,rw", str(tmpfs)], check=True)
    assert not list(tmpfs.glob("*.corrupt-*"))  # not mistaken for damage
    assert main(["--config", str(cfg), "scan"]) == 0
    assert drafts_answering(fresh_account) == expected(30, 31)


def test_a_corrupt_state_file_stops_scan_and_run_and_is_kept(tmp_path, fresh_account, capsys):
    state = tmp_path / "state.sqlite3"
    cfg = write_config(tmp_path, fresh_account)
    fresh_account.deliver("INBOX", notice(50))
    garbage = b"appealwatch state? no: garbage " * 512
    state.write_bytes(garbage)
    state.chmod(0o600)
    assert main(["--config", str(cfg), "scan"]) == 1
    one_clear_sentence(capsys.readouterr().err, str(state), "not a usable database",
                       "a copy was kept as", "will not overwrite")
    (copy,) = tmp_path.glob("state.sqlite3.corrupt-*")
    assert state.read_bytes() == garbage and copy.read_bytes() == garbage
    proc = subprocess.run([*EXE, "--config", str(cfg), "run"], capture_output=True, text=True,
                          timeout=60, check=False)
    assert proc.returncode == 1
    one_clear_sentence(proc.stderr, str(state), "not a usable database")
    assert state.read_bytes() == garbage
    assert not fresh_account.fetch_headers("Drafts") and not events(tmp_path)
    # the user moves it away, as told: the notice is still there to be found
    state.rename(tmp_path / "moved-away.sqlite3")
    assert main(["--config", str(cfg), "scan"]) == 0
    assert drafts_answering(fresh_account) == expected(50)


def test_a_damaged_page_in_the_state_file_is_refused_and_kept(tmp_path, fresh_account, capsys):
    state = tmp_path / "state.sqlite3"
    cfg = write_config(tmp_path, fresh_account)
    for n in range(51, 56):
        fresh_account.deliver("INBOX", notice(n))
    assert main(["--config", str(cfg), "scan"]) == 0
    db = sqlite3.connect(state)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    pages = db.execute("PRAGMA page_count").fetchone()[0]
    db.close()
    raw = bytearray(state.read_bytes())
    size = len(raw) // pages
    for page in range(1, pages):  # every page but the header page: B-tree headers trashed
        raw[page * size:page * size + 16] = b"\xa5" * 16
    state.write_bytes(bytes(raw))
    damaged = state.read_bytes()
    fresh_account.deliver("INBOX", notice(56))
    assert main(["--config", str(cfg), "scan"]) == 1
    one_clear_sentence(capsys.readouterr().err, str(state), "not a usable database",
                       "a copy was kept as")
    assert state.read_bytes() == damaged
    assert [c.read_bytes() for c in tmp_path.glob("state.sqlite3.corrupt-*")] == [damaged]
    proc = subprocess.run([*EXE, "--config", str(cfg), "run"], capture_output=True, text=True,
                          timeout=60, check=False)
    assert proc.returncode == 1
    one_clear_sentence(proc.stderr, str(state), "not a usable database")
    assert state.read_bytes() == damaged


# --------------------------------------------------------------------------- big mailboxes


def scan_in_child(cfg: Path) -> tuple[int, str, int]:
    """``appealwatch scan`` as a child process: (exit status, stderr, peak RSS in MiB)."""
    err = cfg.parent / "scan.err"
    with err.open("wb") as f:
        proc = subprocess.Popen([*EXE, "--config", str(cfg), "scan"], stdout=subprocess.DEVNULL,
                                stderr=f)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode, err.read_text(), usage.ru_maxrss // 1024


def write_maildir(account, messages: list[bytes]) -> None:
    """Put messages straight into the user's Maildir/cur, owned like Dovecot's own files."""
    account.deliver("Archive", b"Subject: make the Maildir\r\n\r\nx\r\n")
    home = account.server.maildir / account.user
    cur = home / "Maildir" / "cur"
    st = home.stat()
    now = int(time.time())
    dirfd = os.open(cur, os.O_RDONLY | os.O_DIRECTORY)
    try:
        for i, raw in enumerate(messages):
            fd = os.open(f"{now}.M{i}P{os.getpid()}.faults,S={len(raw)}:2,S",
                         os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600, dir_fd=dirfd)
            os.write(fd, raw)
            os.fchown(fd, st.st_uid, st.st_gid)
            os.close(fd)
    finally:
        os.close(dirfd)


def everyday(i: int, when: datetime) -> bytes:
    return (f"From: Shop {i % 97} <news{i % 97}@shop{i % 13}.example>\r\n"
            f"To: alex@example.net\r\nSubject: Offer number {i}\r\n"
            f"Date: {when:%a, %d %b %Y %H:%M:%S +0000}\r\n"
            f"Message-ID: <m{i}@shop.example>\r\n\r\nHello, offer {i} is waiting.\r\n").encode()


def test_a_first_scan_of_100000_messages_finds_the_notices_in_bounded_memory(tmp_path, tmpfs,
                                                                             request):
    # a private Dovecot whose mail lives on a tmpfs: 100,000 files are written in seconds
    subprocess.run(["mount", "-o", "remount,size=512m", str(tmpfs)], check=True)
    server = Dovecot(tmpfs / "dovecot", users={"big": "pw-big"})
    server.start()
    request.addfinalizer(server.close)
    fresh_account = Account(server, "big", "pw-big")
    when = datetime.now(UTC)
    mail = [everyday(i, when) for i in range(100_000)]
    for position, n in ((7, 60), (50_000, 61), (99_990, 62)):
        mail[position] = notice(n, date=when).replace(b"\n", b"\r\n")
    write_maildir(fresh_account, mail)
    cfg = write_config(tmp_path, fresh_account)
    code, err, peak = scan_in_child(cfg)
    assert code == 0, err
    assert "scan: 100000 new message(s)" in err, err
    assert peak < 400, f"peak RSS {peak} MiB"
    print(f"100,000 messages: peak RSS {peak} MiB")
    assert drafts_answering(fresh_account) == expected(60, 61, 62)
    assert len(events(tmp_path)) == 3


def huge_and_many_parts() -> tuple[bytes, bytes]:
    head = ("From: OpenAI <noreply@tm.openai.com>\r\nTo: alex@example.net\r\n"
            "Subject: Your OpenAI account has been suspended - invoice attached\r\n"
            f"Date: {datetime.now(UTC):%a, %d %b %Y %H:%M:%S +0000}\r\n"
            "Content-Type: multipart/mixed; boundary=B\r\n").encode()
    huge = (head + b"Message-ID: <huge@tm.openai.com>\r\n\r\n--B\r\nContent-Type: text/plain"
            b"\r\n\r\nYour account has been suspended.\r\n--B\r\nContent-Type: application/pdf"
            b"\r\nContent-Transfer-Encoding: base64\r\n\r\n"
            + b"QUJDRA==\r\n" * (25 * 2**20 // 10) + b"--B--\r\n")
    parts = b"".join(b"--B\r\nContent-Type: text/plain\r\n\r\npart %d\r\n" % i
                     for i in range(5000))
    many = head + b"Message-ID: <parts@tm.openai.com>\r\n\r\n" + parts + b"--B--\r\n"
    return huge, many


def test_a_25_mb_and_a_5000_part_message_do_not_stop_run(tmp_path, fresh_account):
    huge, many = huge_and_many_parts()
    assert len(huge) > 25 * 2**20
    cfg = write_config(tmp_path, fresh_account)
    proc, log = start_run(tmp_path, cfg)
    try:
        time.sleep(2.0)  # connected and idling
        fresh_account.deliver("INBOX", huge)
        fresh_account.deliver("Junk", many)
        fresh_account.deliver("INBOX", notice(70))
        assert wait_for(lambda: [e for e in events(tmp_path) if e["event"] == "new_notice"
                                 and "Fault0070" in e["summary"]], 60), (
            (tmp_path / "run.log").read_text())
        assert proc.poll() is None
        peak = int(re.search(r"VmHWM:\s+(\d+)", Path(f"/proc/{proc.pid}/status").read_text())
                   .group(1)) // 1024
    finally:
        text = stop_run(proc, log)
    assert "Traceback" not in text and proc.returncode == 0, text
    assert peak < 300, f"peak RSS {peak} MiB"
    print(f"25 MB + 5,000 parts under run: peak RSS {peak} MiB")
    db = sqlite3.connect(tmp_path / "state.sqlite3")
    try:
        rows = dict(db.execute("SELECT message_id, defects FROM messages"))
    finally:
        db.close()
    assert set(rows) == {"<huge@tm.openai.com>", "<parts@tm.openai.com>",
                         "<fault-notice-70@tm.openai.com>"}
    assert "MIME parts" in rows["<parts@tm.openai.com>"]
    assert "<fault-notice-70@tm.openai.com>" in drafts_answering(fresh_account)


# --------------------------------------------------------------------------- the service


def test_run_recovers_by_itself_from_resets_and_refusals(tmp_path, fresh_account, proxy):
    """`run`: a body FETCH cut twice (the scan's own retry fails too), then an APPEND answered
    NO: each failed scan is logged in one line and retried by the daemon itself."""
    cfg = write_config(tmp_path, fresh_account, port=proxy.port, plain=True)
    cut = proxy.arm(Fault(BODY_FETCH, cut="down", after=300, times=2))
    refused = proxy.arm(Fault(rb"^\S+ APPEND ", action="NO"))
    proc, log = start_run(tmp_path, cfg)
    try:
        time.sleep(2.0)
        fresh_account.deliver("INBOX", notice(80))
        assert wait_for(lambda: events(tmp_path), 60, step=0.5), (
            tmp_path / "run.log").read_text()
        # the notice is announced first; its draft follows once the APPEND is retried
        assert wait_for(lambda: drafts_answering(fresh_account) == expected(80), 30,
                        step=0.5), (tmp_path / "run.log").read_text()
        assert proc.poll() is None
    finally:
        text = stop_run(proc, log)
    assert cut.spent and refused.spent
    assert proc.returncode == 0 and "Traceback" not in text, text
    failures = [x for x in text.splitlines() if "scan of work failed" in x]
    assert len(failures) == 2, text
    assert "connection to 127.0.0.1" in failures[0] and "refused a command" in failures[1]
    assert drafts_answering(fresh_account) == expected(80)
    assert [e["event"] for e in events(tmp_path)] == ["new_notice"]


def test_run_creates_a_deleted_drafts_folder_again(tmp_path, request):
    server = Dovecot(tmp_path / "dovecot", users={"gina": "pw-gina"}, auto_create_drafts=False)
    server.start()
    request.addfinalizer(server.close)
    account = Account(server, "gina", "pw-gina")
    with account.client() as c:
        c.create_folder("Drafts")
    cfg = write_config(tmp_path, account)
    proc, log = start_run(tmp_path, cfg)
    try:
        time.sleep(2.0)
        account.deliver("INBOX", notice(90))
        assert wait_for(lambda: events(tmp_path), 20), (tmp_path / "run.log").read_text()
        assert wait_for(lambda: account.fetch_headers("Drafts"), 5)
        with account.client() as c:
            c.delete_folder("Drafts")
            assert not c.folder_exists("Drafts")  # this server really leaves it gone
        account.deliver("INBOX", notice(91))
        assert wait_for(lambda: len(events(tmp_path)) >= 2, 30), (
            tmp_path / "run.log").read_text()
        assert proc.poll() is None
    finally:
        text = stop_run(proc, log)
    assert proc.returncode == 0 and "Traceback" not in text, text
    assert "the Drafts folder 'Drafts' is gone" in text
    assert drafts_answering(account) == expected(91)  # the first went with the folder
