"""The inbox notification backend against a real Dovecot, read by a real mail client (mbsync):
the note shows up in INBOX, unseen, with the case's summary, and a restart (or a kill right
after the APPEND) never gives a second one."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from test_imap import notice, write_config
from tests.infra.mbsync import fetch_folder

from appealwatch.cli import main

pytest_plugins = ("tests.infra.fixtures",)
pytestmark = pytest.mark.integration


def inbox_notes(account, tmp: Path, run: int) -> list:
    messages = fetch_folder("localhost", account.tls_port, account.user, account.password,
                            account.ca, "INBOX", workdir=tmp / f"mbsync{run}")
    return [m for m in messages if (m.subject or "").startswith("[appealwatch]")]


def test_an_inbox_note_reaches_a_real_client_once(tmp_path, fresh_account):
    fresh_account.deliver("Junk", notice(1))
    cfg = write_config(tmp_path, fresh_account, extra="")
    cfg.write_text(cfg.read_text().replace('backends = ["command"]',
                                           'backends = ["command", "inbox"]'))
    env = {**os.environ, "APPEALWATCH_CRASH_AT": "after-note-append"}
    proc = subprocess.run([sys.executable, "-m", "appealwatch.cli", "--config", str(cfg),
                           "scan"], env=env, capture_output=True, check=False, timeout=120)
    assert proc.returncode == -9, proc.stderr.decode()
    assert main(["--config", str(cfg), "scan"]) == 0
    assert main(["--config", str(cfg), "scan"]) == 0
    (note,) = inbox_notes(fresh_account, tmp_path, 1)
    assert note.subdir == "new" and "S" not in note.flags  # unseen: the phone shows it
    assert note.in_reply_to == "<notice-1@tm.openai.com>"
    body = note.message.get_body().get_content()
    assert "spam folder" in body and "Next step" in body
    # the note is not a case of its own, and the command backend had the event once
    assert main(["--config", str(cfg), "scan"]) == 0
    assert len(inbox_notes(fresh_account, tmp_path, 2)) == 1
