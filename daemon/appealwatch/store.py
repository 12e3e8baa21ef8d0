"""The state database: the only module that imports sqlite3.

One SQLite file (WAL mode, mode 0600) holds accounts, folders with their sync checkpoints, every
message seen (by Message-ID and by location, with its classification, never its body), cases with
their transitions, drafts and notifications.  The schema is versioned with ``PRAGMA user_version``
and migrated forward on open.

Effects are recorded as intents in the same transaction as the case change that causes them
(a draft row in state ``pending``, a notification row in state ``pending``); the executor performs
them and marks them done.  So a crash at any point leaves either nothing or a pending intent that
the next run completes — never a lost case, and with the deterministic Message-ID never a second
draft.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import stat
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import platformdirs

from appealwatch.model import CaseRow, MessageRow

# Each entry migrates from version i to i + 1.  Never edit a released entry: add a new one.
MIGRATIONS: tuple[str, ...] = (
    # 0 -> 1
    """
    CREATE TABLE accounts (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL
    );
    CREATE TABLE folders (
        id INTEGER PRIMARY KEY,
        account_id INTEGER NOT NULL REFERENCES accounts(id),
        role TEXT NOT NULL,
        name TEXT NOT NULL,
        uidvalidity INTEGER,
        checkpoint TEXT,
        UNIQUE (account_id, role)
    );
    CREATE TABLE messages (
        id INTEGER PRIMARY KEY,
        folder_id INTEGER NOT NULL REFERENCES folders(id),
        location TEXT NOT NULL,
        message_id TEXT,
        date TEXT,
        direction TEXT NOT NULL,
        from_addr TEXT,
        reply_to TEXT,
        to_addrs TEXT,
        subject TEXT,
        in_reply_to TEXT,
        refs TEXT NOT NULL DEFAULT '[]',
        category TEXT,
        reason TEXT,
        decision TEXT,
        provider TEXT,
        ticket TEXT,
        lang TEXT,
        phishing INTEGER NOT NULL DEFAULT 0,
        phishing_reasons TEXT NOT NULL DEFAULT '[]',
        confidence REAL,
        cues TEXT NOT NULL DEFAULT '[]',
        account_ids TEXT NOT NULL DEFAULT '[]',
        asks INTEGER NOT NULL DEFAULT 0,
        facts TEXT NOT NULL DEFAULT '{}',
        defects TEXT NOT NULL DEFAULT '[]',
        case_id INTEGER REFERENCES cases(id),
        processed INTEGER NOT NULL DEFAULT 0,
        seen_at TEXT NOT NULL,
        UNIQUE (folder_id, location)
    );
    CREATE INDEX messages_message_id ON messages(message_id);
    CREATE INDEX messages_case ON messages(case_id);
    CREATE INDEX messages_unprocessed ON messages(processed, date);
    CREATE TABLE cases (
        id INTEGER PRIMARY KEY,
        account_id INTEGER NOT NULL REFERENCES accounts(id),
        provider TEXT,
        reason TEXT,
        state TEXT NOT NULL,
        lang TEXT NOT NULL DEFAULT 'en',
        ticket TEXT,
        account_ids TEXT NOT NULL DEFAULT '[]',
        notice_message_id TEXT,
        notice_subject TEXT,
        opened_at TEXT NOT NULL,
        last_activity TEXT NOT NULL,
        user_last_at TEXT,
        provider_last_at TEXT,
        awaiting_user INTEGER NOT NULL DEFAULT 0,
        followups INTEGER NOT NULL DEFAULT 0,
        next_followup_at TEXT,
        outcome TEXT
    );
    CREATE TABLE transitions (
        id INTEGER PRIMARY KEY,
        case_id INTEGER NOT NULL REFERENCES cases(id),
        at TEXT NOT NULL,
        from_state TEXT,
        to_state TEXT NOT NULL,
        cause TEXT NOT NULL,
        message_id TEXT
    );
    CREATE TABLE drafts (
        id INTEGER PRIMARY KEY,
        case_id INTEGER NOT NULL REFERENCES cases(id),
        kind TEXT NOT NULL,
        number INTEGER NOT NULL DEFAULT 0,
        message_id TEXT NOT NULL UNIQUE,
        answers TEXT,
        state TEXT NOT NULL,
        location TEXT,
        content_hash TEXT,
        created_at TEXT NOT NULL,
        done_at TEXT
    );
    CREATE TABLE notifications (
        id INTEGER PRIMARY KEY,
        event_key TEXT NOT NULL UNIQUE,
        case_id INTEGER REFERENCES cases(id),
        event TEXT NOT NULL,
        payload TEXT NOT NULL,
        state TEXT NOT NULL,
        created_at TEXT NOT NULL,
        done_at TEXT
    );
    """,
    # 1 -> 2: snoozing follow-ups from a notification; per-backend delivery with retries
    """
    ALTER TABLE cases ADD COLUMN snoozed_until TEXT;
    ALTER TABLE notifications ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE notifications ADD COLUMN done_backends TEXT NOT NULL DEFAULT '[]';
    """,
    # 2 -> 3: the provider's own words set the clock: its deadline and its promised answer time
    """
    ALTER TABLE cases ADD COLUMN deadline_at TEXT;
    ALTER TABLE cases ADD COLUMN deadline_kind TEXT;
    ALTER TABLE cases ADD COLUMN deadline_text TEXT;
    ALTER TABLE cases ADD COLUMN promised_until TEXT;
    """,
    # 3 -> 4: who is sending a notification, so a claim left by a killed process is known
    """
    ALTER TABLE notifications ADD COLUMN claimed_by INTEGER;
    """,
    # 4 -> 5: evidence that the user wrote (follow-ups need it); when the last follow-up was
    # planned (the next one waits from then); the end of each account's last completed pass
    # and the cases a pass over old mail still has to settle (see engine.settle)
    """
    ALTER TABLE cases ADD COLUMN appealed_via TEXT;
    ALTER TABLE cases ADD COLUMN last_followup_at TEXT;
    ALTER TABLE cases ADD COLUMN settle INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE accounts ADD COLUMN scanned_at TEXT;
    """,
    # 5 -> 6: the desktop notification shown for a case, replaced by its next one after a restart
    """
    ALTER TABLE cases ADD COLUMN desktop_id INTEGER;
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)



_SLIM_ROW = frozenset({"folder_id", "location", "message_id", "direction", "category",
                       "processed"})


class StoreError(Exception):
    """The state file cannot be used; the message says why and what to do."""


def default_state_path() -> Path:
    return platformdirs.user_state_path("appealwatch") / "state.sqlite3"


def iso(dt: datetime | None) -> str | None:
    return dt.astimezone(UTC).isoformat(timespec="seconds") if dt else None


def from_iso(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


class Store:
    """A connection to the state file.  One writer at a time (the daemon or one CLI command)."""

    def __init__(self, path: Path | str, *, timeout: float = 10.0) -> None:
        self.path = Path(path) if str(path) != ":memory:" else None
        if self.path is not None:
            self._prepare_file(self.path)
        try:
            self.db = sqlite3.connect(
                str(path), timeout=timeout, isolation_level=None, check_same_thread=False
            )
            self.db.row_factory = sqlite3.Row
            self.db.execute("PRAGMA foreign_keys = ON")
            if self.path is not None:
                self.db.execute("PRAGMA journal_mode = WAL")
                self.db.execute("PRAGMA synchronous = NORMAL")
                # damage deep inside shows only when a page is read: look once, at the start
                problems = [r[0] for r in self.db.execute("PRAGMA quick_check(3)")]
                if problems != ["ok"]:
                    self.db.close()
                    raise StoreError(self._corrupt_message(Exception("; ".join(problems))))
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise StoreError(self._corrupt_message(exc) if _corrupt(exc) else
                             self._unusable_message(exc)) from None
        if self.path is not None:
            for suffix in ("", "-wal", "-shm"):
                side = Path(f"{self.path}{suffix}")
                if side.exists():
                    os.chmod(side, 0o600)

    # -------------------------------------------------------------- file handling

    @staticmethod
    def _prepare_file(path: Path) -> None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            if not path.exists():
                fd = os.open(path, os.O_CREAT | os.O_WRONLY | os.O_EXCL, 0o600)
                os.close(fd)
            elif stat.S_IMODE(path.stat().st_mode) & 0o077:
                os.chmod(path, 0o600)
        except FileExistsError:
            pass
        except OSError as exc:
            raise StoreError(
                f"cannot create the state file {path}: {exc.strerror or exc}; set [state] path "
                "to a writable location"
            ) from None

    def _corrupt_message(self, exc: Exception) -> str:
        where = self.path or ":memory:"
        backup = ""
        if self.path is not None and self.path.exists():
            target = self.path.with_name(f"{self.path.name}.corrupt-{int(time.time())}")
            try:
                shutil.copy2(self.path, target)
                backup = f"; a copy was kept as {target}"
            except OSError:
                backup = ""
        return (f"the state file {where} is not a usable database ({exc}){backup}. "
                "appealwatch will not overwrite it: move it away to start afresh")

    def _unusable_message(self, exc: Exception) -> str:
        """A state file that is fine but cannot be written now: say why, keep it as it is."""
        name = getattr(exc, "sqlite_errorname", "")
        where = self.path or ":memory:"
        if name.startswith("SQLITE_FULL") or _little_space(self.path):
            why = "the disk is full; free some space"
        elif name.startswith(("SQLITE_READONLY", "SQLITE_CANTOPEN")):
            why = "its folder or file is read-only; make it writable or set [state] path"
        elif name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
            why = "another appealwatch is using it"
        else:
            why = "check the disk and the file's permissions"
        return (f"cannot write the state file {where} ({exc}): {why}. Nothing was changed; "
                "the next scan tries again")

    def _migrate(self) -> None:
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"the state file {self.path} was written by a newer appealwatch (schema "
                f"{version}, this one knows {SCHEMA_VERSION}); upgrade appealwatch"
            )
        for target in range(version, SCHEMA_VERSION):
            with self.transaction():
                for statement in _statements(MIGRATIONS[target]):
                    self.db.execute(statement)
                self.db.execute(f"PRAGMA user_version = {target + 1}")

    @classmethod
    def in_memory_copy(cls, path: Path | str) -> Store:
        """A private in-memory copy of the state (for --dry-run): changes go nowhere."""
        copy = cls(":memory:")
        if Path(path).exists():
            try:
                source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
                try:
                    source.backup(copy.db)
                finally:
                    source.close()
            except sqlite3.DatabaseError as exc:
                raise StoreError(f"cannot read the state file {path}: {exc}") from None
        return copy

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        try:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                yield self.db
            except BaseException:
                if self.db.in_transaction:  # SQLite may have rolled back by itself (disk full)
                    self.db.execute("ROLLBACK")
                raise
            else:
                self.db.execute("COMMIT")
        except sqlite3.DatabaseError as exc:
            if isinstance(exc, sqlite3.IntegrityError):
                raise
            raise StoreError(self._corrupt_message(exc) if _corrupt(exc) else
                             self._unusable_message(exc)) from None

    def version(self) -> int:
        return int(self.db.execute("PRAGMA user_version").fetchone()[0])

    # -------------------------------------------------------------- accounts and folders

    def account_id(self, name: str, kind: str) -> int:
        row = self.db.execute("SELECT id FROM accounts WHERE name = ?", (name,)).fetchone()
        if row:
            return int(row["id"])
        with self.transaction():
            cur = self.db.execute("INSERT INTO accounts(name, kind) VALUES (?, ?)", (name, kind))
        return int(cur.lastrowid or 0)

    def scanned_at(self, account_id: int) -> datetime | None:
        """The end of the account's last completed pass; None before the first."""
        row = self.db.execute("SELECT scanned_at FROM accounts WHERE id = ?",
                              (account_id,)).fetchone()
        return from_iso(row["scanned_at"]) if row else None

    def set_scanned_at(self, account_id: int, when: datetime) -> None:
        with self.transaction():
            self.db.execute("UPDATE accounts SET scanned_at = ? WHERE id = ?",
                            (iso(when), account_id))

    def folder_id(self, account_id: int, role: str, name: str) -> int:
        row = self.db.execute(
            "SELECT id, name FROM folders WHERE account_id = ? AND role = ?", (account_id, role)
        ).fetchone()
        if row:
            if row["name"] != name:
                with self.transaction():
                    self.db.execute("UPDATE folders SET name = ? WHERE id = ?", (name, row["id"]))
            return int(row["id"])
        with self.transaction():
            cur = self.db.execute(
                "INSERT INTO folders(account_id, role, name) VALUES (?, ?, ?)",
                (account_id, role, name),
            )
        return int(cur.lastrowid or 0)

    def folder_checkpoint(self, folder_id: int) -> tuple[int | None, str | None]:
        row = self.db.execute(
            "SELECT uidvalidity, checkpoint FROM folders WHERE id = ?", (folder_id,)
        ).fetchone()
        return (row["uidvalidity"], row["checkpoint"]) if row else (None, None)

    def set_folder_checkpoint(self, folder_id: int, uidvalidity: int | None,
                              checkpoint: str | None) -> None:
        with self.transaction():
            self.db.execute(
                "UPDATE folders SET uidvalidity = ?, checkpoint = ? WHERE id = ?",
                (uidvalidity, checkpoint, folder_id),
            )

    def folder_role(self, folder_id: int) -> str:
        row = self.db.execute("SELECT role FROM folders WHERE id = ?", (folder_id,)).fetchone()
        return str(row["role"]) if row else ""

    # -------------------------------------------------------------- messages

    def known_locations(self, folder_id: int) -> set[str]:
        rows = self.db.execute("SELECT location FROM messages WHERE folder_id = ?", (folder_id,))
        return {r["location"] for r in rows}

    def has_message_id(self, folder_id: int, message_id: str) -> bool:
        return self.db.execute(
            "SELECT 1 FROM messages WHERE folder_id = ? AND message_id = ?", (folder_id, message_id)
        ).fetchone() is not None

    def add_messages(self, rows: Iterable[dict[str, Any]]) -> int:
        """Record newly seen messages (classification included); returns how many were new."""
        now = iso(datetime.now(UTC))
        rows = list(rows)
        # everyday mail a backfill decided about from its headers: most of a first scan
        slim = [r for r in rows if r.keys() <= _SLIM_ROW]
        rows = [r for r in rows if not r.keys() <= _SLIM_ROW]

        def js(value: Any, empty: str = "[]") -> str:
            return _json(list(value)) if value else empty

        params = [
            (
                r["folder_id"], r["location"], r.get("message_id"), iso(r.get("date")),
                r["direction"], r.get("from_addr"), r.get("reply_to"), js(r.get("to_addrs")),
                r.get("subject"), r.get("in_reply_to"), js(r.get("refs")), r.get("category"),
                r.get("reason"), r.get("decision"), r.get("provider"), r.get("ticket"),
                r.get("lang"), int(bool(r.get("phishing"))), js(r.get("phishing_reasons")),
                r.get("confidence"), js(r.get("cues")), js(r.get("account_ids")),
                int(bool(r.get("asks"))), _json(r["facts"]) if r.get("facts") else "{}",
                js(r.get("defects")), int(bool(r.get("processed"))), now,
            )
            for r in rows
        ]
        with self.transaction():
            before = self.db.total_changes
            self.db.executemany(
                """INSERT OR IGNORE INTO messages(folder_id, location, message_id, date,
                   direction, from_addr, reply_to, to_addrs, subject, in_reply_to, refs,
                   category, reason, decision, provider, ticket, lang, phishing,
                   phishing_reasons, confidence, cues, account_ids, asks, facts, defects,
                   processed, seen_at)
                   VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)""",
                params,
            )
            if slim:
                self.db.executemany(
                    """INSERT OR IGNORE INTO messages(folder_id, location, message_id, direction,
                       category, processed, seen_at) VALUES (?,?,?,?,?,?,?)""",
                    [(r["folder_id"], r["location"], r.get("message_id"), r["direction"],
                      r.get("category"), int(bool(r.get("processed"))), now) for r in slim],
                )
            added = self.db.total_changes - before
        return added

    def relocate_message(self, folder_id: int, message_id: str, location: str) -> None:
        """A message seen before (matched by Message-ID) now lives elsewhere (UIDVALIDITY)."""
        with self.transaction():
            self.db.execute(
                "UPDATE messages SET location = ? WHERE folder_id = ? AND message_id = ?",
                (location, folder_id, message_id),
            )

    def _message(self, row: sqlite3.Row) -> MessageRow:
        return MessageRow(
            id=row["id"], folder_id=row["folder_id"], location=row["location"],
            message_id=row["message_id"], date=from_iso(row["date"]),
            direction=row["direction"], from_addr=row["from_addr"], reply_to=row["reply_to"],
            to_addrs=tuple(json.loads(row["to_addrs"] or "[]")), subject=row["subject"],
            in_reply_to=row["in_reply_to"], refs=tuple(json.loads(row["refs"])),
            category=row["category"], reason=row["reason"], decision=row["decision"],
            provider=row["provider"], ticket=row["ticket"], lang=row["lang"],
            phishing=bool(row["phishing"]),
            phishing_reasons=tuple(json.loads(row["phishing_reasons"])),
            confidence=row["confidence"], cues=tuple(json.loads(row["cues"])),
            account_ids=tuple(json.loads(row["account_ids"])), asks=bool(row["asks"]),
            facts=json.loads(row["facts"]), case_id=row["case_id"],
            processed=bool(row["processed"]),
            folder_role=row["role"] if "role" in row.keys() else "",  # noqa: SIM118
        )

    _MESSAGE_SELECT = ("SELECT m.*, f.role AS role, f.account_id AS account_id FROM messages m "
                       "JOIN folders f ON f.id = m.folder_id")

    def unprocessed(self, account_id: int) -> list[MessageRow]:
        rows = self.db.execute(
            f"{self._MESSAGE_SELECT} WHERE f.account_id = ? AND m.processed = 0 "
            "ORDER BY COALESCE(m.date, m.seen_at), m.id",
            (account_id,),
        )
        return [self._message(r) for r in rows]

    def message(self, message_pk: int) -> MessageRow:
        row = self.db.execute(f"{self._MESSAGE_SELECT} WHERE m.id = ?", (message_pk,)).fetchone()
        return self._message(row)

    def messages_with_id(self, message_id: str) -> list[MessageRow]:
        """The stored messages with this Message-ID (with or without its angle brackets)."""
        bare = message_id.strip().strip("<>")
        rows = self.db.execute(f"{self._MESSAGE_SELECT} WHERE m.message_id IN (?, ?) ORDER BY m.id",
                               (bare, f"<{bare}>"))
        return [self._message(r) for r in rows]

    def record_verdict(self, message_pk: int, verdict: dict[str, Any]) -> None:
        """What the user said the message is (appealwatch teach), kept in its facts."""
        with self.transaction():
            row = self.db.execute("SELECT facts FROM messages WHERE id = ?",
                                  (message_pk,)).fetchone()
            facts = {**json.loads(row["facts"] or "{}"), "taught": verdict}
            self.db.execute("UPDATE messages SET facts = ? WHERE id = ?",
                            (_json(facts), message_pk))

    def case_messages(self, case_id: int) -> list[MessageRow]:
        rows = self.db.execute(
            f"{self._MESSAGE_SELECT} WHERE m.case_id = ? ORDER BY m.date, m.id", (case_id,)
        )
        return [self._message(r) for r in rows]

    def evidence(self, account_id: int, provider: str) -> list[MessageRow]:
        """The provider's receipts and payment mails: irrelevant mail with payment facts."""
        rows = self.db.execute(
            f"{self._MESSAGE_SELECT} WHERE f.account_id = ? AND m.provider = ? "
            "AND m.category = 'irrelevant' AND m.facts != '{}' ORDER BY m.date",
            (account_id, provider),
        )
        return [self._message(r) for r in rows]

    # -------------------------------------------------------------- cases

    def _case(self, row: sqlite3.Row, with_ids: bool = True) -> CaseRow:
        ids: frozenset[str] = frozenset()
        tickets: frozenset[str] = frozenset([row["ticket"]] if row["ticket"] else [])
        senders: frozenset[str] = frozenset()
        if with_ids:
            found = self.db.execute(
                "SELECT message_id, ticket, from_addr, direction FROM messages WHERE case_id = ?",
                (row["id"],)).fetchall()
            tickets |= frozenset(t for _m, t, _f, _d in found if t)
            senders = frozenset(f.lower() for _m, _t, f, d in found if f and d == "in")
            ids = frozenset(m for m, _t, _f, _d in found if m) | frozenset(
                mid for (mid,) in self.db.execute(
                    "SELECT message_id FROM drafts WHERE case_id = ?", (row["id"],)
                )
            )
        return CaseRow(
            id=row["id"], account_id=row["account_id"], provider=row["provider"],
            reason=row["reason"], state=row["state"], lang=row["lang"], ticket=row["ticket"],
            account_ids=tuple(json.loads(row["account_ids"])),
            notice_message_id=row["notice_message_id"], notice_subject=row["notice_subject"],
            opened_at=from_iso(row["opened_at"]) or datetime.now(UTC),
            last_activity=from_iso(row["last_activity"]) or datetime.now(UTC),
            user_last_at=from_iso(row["user_last_at"]),
            provider_last_at=from_iso(row["provider_last_at"]),
            awaiting_user=bool(row["awaiting_user"]), followups=row["followups"],
            next_followup_at=from_iso(row["next_followup_at"]), outcome=row["outcome"],
            snoozed_until=from_iso(row["snoozed_until"]),
            appealed_via=row["appealed_via"],
            last_followup_at=from_iso(row["last_followup_at"]),
            message_ids=ids,
            tickets=tickets,
            senders=senders,
            deadline_at=from_iso(row["deadline_at"]), deadline_kind=row["deadline_kind"],
            deadline_text=row["deadline_text"], promised_until=from_iso(row["promised_until"]),
        )

    def cases(self, account_id: int | None = None) -> list[CaseRow]:
        if account_id is None:
            rows = self.db.execute("SELECT * FROM cases ORDER BY id")
        else:
            rows = self.db.execute("SELECT * FROM cases WHERE account_id = ? ORDER BY id",
                                   (account_id,))
        return [self._case(r) for r in rows.fetchall()]

    def cases_to_settle(self, account_id: int) -> list[CaseRow]:
        rows = self.db.execute("SELECT * FROM cases WHERE account_id = ? AND settle = 1 "
                               "ORDER BY id", (account_id,))
        return [self._case(r) for r in rows.fetchall()]

    def case(self, case_id: int) -> CaseRow | None:
        row = self.db.execute("SELECT * FROM cases WHERE id = ?", (case_id,)).fetchone()
        return self._case(row) if row else None

    def insert_case(self, values: dict[str, Any]) -> int:
        cur = self.db.execute(
            """INSERT INTO cases(account_id, provider, reason, state, lang, ticket, account_ids,
               notice_message_id, notice_subject, opened_at, last_activity, user_last_at,
               provider_last_at, awaiting_user, followups, next_followup_at, outcome,
               appealed_via)
               VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)""",
            (
                values["account_id"], values.get("provider"), values.get("reason"),
                values["state"], values.get("lang", "en"), values.get("ticket"),
                _json(list(values.get("account_ids", ()))), values.get("notice_message_id"),
                values.get("notice_subject"), iso(values["opened_at"]),
                iso(values["last_activity"]), iso(values.get("user_last_at")),
                iso(values.get("provider_last_at")), int(bool(values.get("awaiting_user"))),
                values.get("followups", 0), iso(values.get("next_followup_at")),
                values.get("outcome"), values.get("appealed_via"),
            ),
        )
        return int(cur.lastrowid or 0)

    _CASE_COLUMNS = frozenset({
        "provider", "reason", "state", "lang", "ticket", "account_ids", "notice_message_id",
        "notice_subject", "last_activity", "user_last_at", "provider_last_at", "awaiting_user",
        "followups", "next_followup_at", "outcome", "snoozed_until", "deadline_at",
        "deadline_kind", "deadline_text", "promised_until", "appealed_via", "last_followup_at",
        "settle",
    })

    def update_case(self, case_id: int, changes: dict[str, Any]) -> None:
        if not changes:
            return
        sets, params = [], []
        for key, value in changes.items():
            if key not in self._CASE_COLUMNS:  # column names are never taken from input
                raise ValueError(f"not a case column: {key}")
            sets.append(f"{key} = ?")
            if isinstance(value, datetime):
                params.append(iso(value))
            elif isinstance(value, list | tuple):
                params.append(_json(list(value)))
            elif isinstance(value, bool):
                params.append(int(value))
            else:
                params.append(value)
        self.db.execute(f"UPDATE cases SET {', '.join(sets)} WHERE id = ?", (*params, case_id))  # noqa: S608

    def add_transition(self, case_id: int, at: datetime, from_state: str | None, to_state: str,
                       cause: str, message_id: str | None) -> None:
        self.db.execute(
            "INSERT INTO transitions(case_id, at, from_state, to_state, cause, message_id) "
            "VALUES (?,?,?,?,?,?)",
            (case_id, iso(at), from_state, to_state, cause, message_id),
        )

    def transitions(self, case_id: int) -> list[sqlite3.Row]:
        return list(self.db.execute(
            "SELECT * FROM transitions WHERE case_id = ? ORDER BY at, id", (case_id,)
        ))

    def mark_processed(self, message_pk: int, case_id: int | None) -> None:
        self.db.execute(
            "UPDATE messages SET processed = 1, case_id = ? WHERE id = ?", (case_id, message_pk)
        )

    # -------------------------------------------------------------- drafts

    def add_draft(self, case_id: int, kind: str, number: int, message_id: str,
                  answers: str | None, created_at: datetime) -> bool:
        cur = self.db.execute(
            "INSERT OR IGNORE INTO drafts(case_id, kind, number, message_id, answers, state, "
            "created_at) VALUES (?,?,?,?,?,'pending',?)",
            (case_id, kind, number, message_id, answers, iso(created_at)),
        )
        return cur.rowcount > 0

    def drafts(self, case_id: int | None = None, state: str | None = None) -> list[sqlite3.Row]:
        sql, params = "SELECT * FROM drafts WHERE 1 = 1", []
        if case_id is not None:
            sql += " AND case_id = ?"
            params.append(case_id)
        if state is not None:
            sql += " AND state = ?"
            params.append(state)
        return list(self.db.execute(sql + " ORDER BY id", params))

    def live_drafts(self, account_id: int) -> list[sqlite3.Row]:
        """The account's drafts still to write or written and untouched so far, oldest first,
        each with its case's state (``case_state``)."""
        return list(self.db.execute(
            "SELECT d.*, c.state AS case_state FROM drafts d JOIN cases c ON c.id = d.case_id "
            "WHERE c.account_id = ? AND d.state IN ('pending', 'written') ORDER BY d.id",
            (account_id,)))

    def set_draft_state(self, draft_id: int, state: str, location: str | None = None,
                        content_hash: str | None = None) -> None:
        with self.transaction():
            self.db.execute(
                "UPDATE drafts SET state = ?, location = COALESCE(?, location), "
                "content_hash = COALESCE(?, content_hash), done_at = ? WHERE id = ?",
                (state, location, content_hash, iso(datetime.now(UTC)), draft_id),
            )

    # -------------------------------------------------------------- notifications

    def desktop_ids(self) -> dict[int, int]:
        """case id -> the id of the desktop notification last shown for it."""
        return {int(r[0]): int(r[1]) for r in self.db.execute(
            "SELECT id, desktop_id FROM cases WHERE desktop_id IS NOT NULL")}

    def set_desktop_id(self, case_id: int, notification_id: int) -> None:
        with self.transaction():
            self.db.execute("UPDATE cases SET desktop_id = ? WHERE id = ?",
                            (notification_id, case_id))

    def add_notification(self, event_key: str, case_id: int | None, event: str,
                         payload: dict[str, Any], created_at: datetime,
                         state: str = "pending") -> bool:
        """``state`` 'folded': recorded as given, because another notification carries it."""
        cur = self.db.execute(
            "INSERT OR IGNORE INTO notifications(event_key, case_id, event, payload, state, "
            "created_at) VALUES (?,?,?,?,?,?)",
            (event_key, case_id, event, _json(payload), state, iso(created_at)),
        )
        return cur.rowcount > 0

    def pending_since(self, case_id: int, since: datetime) -> sqlite3.Row | None:
        """The newest notification about this case made since ``since`` and not sent yet."""
        for row in reversed(self.notifications(state="pending")):
            made = from_iso(row["created_at"])
            if row["case_id"] == case_id and made is not None and made >= since:
                return row
        return None

    def set_payload(self, notification_id: int, payload: dict[str, Any]) -> None:
        with self.transaction():
            self.db.execute("UPDATE notifications SET payload = ? WHERE id = ? AND "
                            "state = 'pending'", (_json(payload), notification_id))

    def notifications(self, state: str | None = None) -> list[sqlite3.Row]:
        if state is None:
            return list(self.db.execute("SELECT * FROM notifications ORDER BY id"))
        return list(self.db.execute(
            "SELECT * FROM notifications WHERE state = ? ORDER BY id", (state,)
        ))

    def claim_notification(self, notification_id: int, from_state: str = "pending") -> bool:
        """Mark a notification as being sent; False if another run already did.  Delivery is at
        most once: a crash while sending leaves it 'sending', never resent."""
        with self.transaction():
            cur = self.db.execute(
                "UPDATE notifications SET state = 'sending', claimed_by = ? "
                "WHERE id = ? AND state = ?",
                (os.getpid(), notification_id, from_state),
            )
        return cur.rowcount > 0

    def recover_claims(self, idempotent: frozenset[str]) -> int:
        """Notifications left 'sending' by a process that died go back to 'pending'.  Each
        backend's try is recorded before it starts ("~name") and its success right after, so
        at most one backend is in doubt: unless it can tell whether it already has the event
        (``idempotent``: the INBOX note by its Message-ID, ntfy by polling its topic) it counts
        as done, so nothing is shown twice; every other backend is tried again, so nothing is
        lost."""
        stale = []
        for row in self.db.execute(
                "SELECT id, claimed_by, done_backends FROM notifications WHERE state = 'sending'"):
            pid = row["claimed_by"]
            if pid is None or pid == os.getpid() or _pid_alive(pid):
                continue
            stale.append((row["id"], json.loads(row["done_backends"])))
        with self.transaction():
            for nid, done in stale:
                self.db.execute(
                    "UPDATE notifications SET state = 'pending', claimed_by = NULL, "
                    "attempts = attempts + 1, done_backends = ? "
                    "WHERE id = ? AND state = 'sending'",
                    (_json(_settle_doubt(done, idempotent)), nid))
        return len(stale)

    def mark_backend(self, notification_id: int, backend: str, done: bool) -> None:
        """A backend is about to be tried (``done`` False: "~name") or has delivered."""
        with self.transaction():
            row = self.db.execute("SELECT done_backends FROM notifications WHERE id = ?",
                                  (notification_id,)).fetchone()
            if row is None:
                return
            marks = [m for m in json.loads(row["done_backends"]) if m != f"~{backend}"]
            marks.append(backend if done else f"~{backend}")
            self.db.execute("UPDATE notifications SET done_backends = ? WHERE id = ?",
                            (_json(list(dict.fromkeys(marks))), notification_id))

    def finish_notification(self, notification_id: int, state: str,
                            done_backends: list[str] | None = None) -> None:
        """``delivered``, ``failed`` (given up), or back to ``pending`` for another attempt."""
        with self.transaction():
            self.db.execute(
                "UPDATE notifications SET state = ?, done_at = ?, attempts = attempts + 1, "
                "done_backends = COALESCE(?, done_backends) WHERE id = ?",
                (state, iso(datetime.now(UTC)), _json(done_backends) if done_backends is not None
                 else None, notification_id),
            )

    def defer_notification(self, notification_id: int) -> None:
        with self.transaction():
            self.db.execute(
                "UPDATE notifications SET state = 'deferred' WHERE id = ? AND state = 'pending'",
                (notification_id,),
            )


def _settle_doubt(marks: list[str], idempotent: frozenset[str]) -> list[str]:
    """A backend that was being tried when the process died: done, unless it can check."""
    settled = []
    for mark in marks:
        name = mark.removeprefix("~")
        if mark.startswith("~") and name in idempotent:
            continue
        settled.append(name)
    return list(dict.fromkeys(settled))


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _little_space(path: Path | None) -> bool:
    """SQLite reports a full disk while growing the WAL as a mere "disk I/O error"."""
    try:
        fs = os.statvfs(path.parent) if path is not None else None
    except OSError:
        return False
    return fs is not None and fs.f_bavail * fs.f_frsize < 1024 * 1024


def _corrupt(exc: Exception) -> bool:
    """Damage, as opposed to a state file that cannot be written now (disk full, read-only)."""
    return getattr(exc, "sqlite_errorname", "").startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB"))


def _statements(script: str) -> list[str]:
    return [s.strip() for s in script.split(";") if s.strip()]
