from __future__ import annotations

import os
import sqlite3
import stat
from datetime import UTC, datetime

import pytest

from appealwatch import store as store_mod
from appealwatch.store import SCHEMA_VERSION, Store, StoreError


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_new_file_is_private_wal_and_current(tmp_path):
    path = tmp_path / "state" / "s.sqlite3"
    with Store(path) as s:
        assert s.version() == SCHEMA_VERSION
        assert s.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        s.account_id("a", "maildir")
    assert mode(path) == 0o600
    assert mode(path.parent) == 0o700
    for side in (path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if side.exists():
            assert mode(side) == 0o600


def test_loose_permissions_are_tightened(tmp_path):
    path = tmp_path / "s.sqlite3"
    Store(path).close()
    os.chmod(path, 0o644)
    Store(path).close()
    assert mode(path) == 0o600


@pytest.mark.parametrize("start", range(SCHEMA_VERSION))
def test_migrates_forward_from_every_earlier_version(tmp_path, start, monkeypatch):
    path = tmp_path / "s.sqlite3"
    monkeypatch.setattr(store_mod, "SCHEMA_VERSION", start)
    monkeypatch.setattr(store_mod, "MIGRATIONS", store_mod.MIGRATIONS[:start])
    Store(path).close()
    monkeypatch.undo()
    with Store(path) as s:
        assert s.version() == SCHEMA_VERSION
        tables = {r[0] for r in s.db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        assert {"accounts", "folders", "messages", "cases", "transitions", "drafts",
                "notifications"} <= tables


def test_a_newer_schema_is_refused(tmp_path):
    path = tmp_path / "s.sqlite3"
    Store(path).close()
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    db.close()
    with pytest.raises(StoreError, match="newer appealwatch"):
        Store(path)


def test_a_corrupt_file_is_kept_and_not_overwritten(tmp_path):
    path = tmp_path / "s.sqlite3"
    garbage = b"this is not a database" * 100
    path.write_bytes(garbage)
    with pytest.raises(StoreError, match="will not overwrite"):
        Store(path)
    assert path.read_bytes() == garbage
    assert list(tmp_path.glob("s.sqlite3.corrupt-*"))


def test_unwritable_location_is_a_clear_error(tmp_path):
    ro = tmp_path / "ro"
    ro.mkdir()
    os.chmod(ro, 0o500)
    try:
        if os.geteuid() == 0:
            target = "/proc/appealwatch/state.sqlite3"  # root ignores mode bits; /proc refuses
        else:
            target = str(ro / "x" / "s.sqlite3")
        with pytest.raises(StoreError, match="cannot create the state file"):
            Store(target)
    finally:
        os.chmod(ro, 0o700)


def test_in_memory_copy_leaves_the_file_alone(tmp_path):
    path = tmp_path / "s.sqlite3"
    with Store(path) as s:
        s.account_id("a", "maildir")
    copy = Store.in_memory_copy(path)
    copy.account_id("b", "maildir")
    copy.close()
    with Store(path) as s:
        assert [r["name"] for r in s.db.execute("SELECT name FROM accounts")] == ["a"]


def test_notifications_are_claimed_once(tmp_path):
    with Store(tmp_path / "s.sqlite3") as s:
        with s.transaction():
            assert s.add_notification("k1", None, "new_notice", {"x": 1}, datetime.now(UTC))
            assert not s.add_notification("k1", None, "new_notice", {"x": 1}, datetime.now(UTC))
        (row,) = s.notifications("pending")
        assert s.claim_notification(row["id"])
        assert not s.claim_notification(row["id"])


def test_case_columns_cannot_be_injected(tmp_path):
    with Store(tmp_path / "s.sqlite3") as s, pytest.raises(ValueError):
        s.update_case(1, {"state = 'x'; DROP TABLE cases; --": 1})
