"""The whole job over a real Maildir, through the command line."""

from __future__ import annotations

import json
import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from appealwatch.cli import main
from conftest import BLIND, CORPUS, HELDOUT
from grouping import build_maildir, grouping_score, write_config
from mails import auth_pass, make_mail

NOW = "2026-12-01T00:00+00:00"


def run_cli(cfg: Path, *args: str) -> int:
    return main(["--config", str(cfg), *args])


def cases_json(cfg: Path, capsys) -> list[dict]:
    capsys.readouterr()
    assert run_cli(cfg, "cases", "--json") == 0
    return json.loads(capsys.readouterr().out)


def drafts_in(maildir: Path) -> list[Path]:
    return sorted(p for sub in ("cur", "new") for p in (maildir / ".Drafts" / sub).glob("*"))


def draft_ids(maildir: Path) -> list[str]:
    ids = []
    for path in drafts_in(maildir):
        for line in path.read_text(errors="replace").splitlines():
            if line.lower().startswith("message-id:"):
                ids.append(line.split(":", 1)[1].strip())
                break
    return ids


WANTED = {"new": "appeal", "needs_reply": "answer", "appealed": "followup",
          "waiting": "followup"}


def drafts_by_case(maildir: Path) -> dict[int, list[str]]:
    """case id -> the kinds of its drafts in Drafts (appeal, answer, followup)."""
    found: dict[int, list[str]] = {}
    for path in drafts_in(maildir):
        head = path.read_text(errors="replace").split("\n\n", 1)[0]
        case = re.search(r"(?m)^X-Appealwatch-Case: (\d+)$", head)
        kind = re.search(r"(?m)^Message-ID: <appealwatch\.\d+\.([a-z]+)", head)
        assert case and kind, head
        found.setdefault(int(case.group(1)), []).append(kind.group(1))
    return found


def db_dump(path: Path) -> list[str]:
    db = sqlite3.connect(path)
    try:
        return [line for line in db.iterdump() if "seen_at" not in line]
    finally:
        db.close()


@pytest.mark.parametrize("src", [CORPUS, HELDOUT, BLIND], ids=["corpus", "heldout", "blind"])
def test_scan_groups_cases_and_drafts_one_appeal_per_genuine_notice(tmp_path, capsys, src):
    maildir = tmp_path / "Maildir"
    build_maildir(src, maildir)
    cfg = write_config(tmp_path, maildir)
    assert run_cli(cfg, "scan", "--now", NOW) == 0
    cases = cases_json(cfg, capsys)
    score, problems = grouping_score(src, cases)
    assert score >= 0.95, problems
    labels = json.loads((src / "labels.json").read_text(encoding="utf-8"))
    genuine = sum(1 for lb in labels if lb["category"] == "suspension" and not lb["phishing"])
    # a first scan: every genuine notice has its case (one the classifier misses costs one),
    # and a draft only where the case's state calls for one now, one per case at most
    assert genuine - 1 <= sum(1 for c in cases if c["state"] != "suspicious") <= genuine
    state = {c["id"]: c["state"] for c in cases}
    drafted = drafts_by_case(maildir)
    assert all(len(kinds) == 1 for kinds in drafted.values()), drafted
    assert all(WANTED.get(state[i]) == kinds[0] for i, kinds in drafted.items())
    assert all(i in drafted for i in state if state[i] in ("new", "needs_reply"))
    assert all(p.name.endswith((",DS", ":2,DS")) for p in drafts_in(maildir))  # Maildir D flag
    # a second run changes nothing
    before, drafts_before = db_dump(tmp_path / "state.sqlite3"), draft_ids(maildir)
    assert run_cli(cfg, "scan", "--now", NOW) == 0
    assert db_dump(tmp_path / "state.sqlite3") == before
    assert draft_ids(maildir) == drafts_before
    assert len(set(drafts_before)) == len(drafts_before)


def deliver(maildir: Path, folder: str, raw: bytes, name: str) -> None:
    target = maildir if folder == "INBOX" else maildir / f".{folder}"
    for sub in ("cur", "new", "tmp"):
        (target / sub).mkdir(parents=True, exist_ok=True)
    (target / "new" / name).write_bytes(raw)


def waiting_case(maildir: Path, last: datetime) -> None:
    """Notice -> the user's appeal (Sent) -> a status update: a case waiting for the provider."""
    auth = [auth_pass("github.com")]
    deliver(maildir, "INBOX", make_mail(
        sender="GitHub <support@github.com>", subject="Your account has been suspended",
        body="Your account has been suspended for automated activity that violates our terms "
        "of service.", auth=auth, message_id="<n1@github.com>",
        date=last - timedelta(days=4)), "1.n1.x")
    deliver(maildir, "Sent", make_mail(
        sender="User <user@example.net>", to="support@github.com",
        subject="Re: Your account has been suspended", body="Please review my account.",
        headers={"In-Reply-To": "<n1@github.com>", "References": "<n1@github.com>"},
        message_id="<s1@example.net>", date=last - timedelta(days=1)), "2.s1.x")
    deliver(maildir, "INBOX", make_mail(
        sender="GitHub Support <support@github.com>",
        subject="Re: Your account has been suspended", auth=auth,
        body="Hi, I'm still looking into this with the team and will update you soon.",
        headers={"In-Reply-To": "<s1@example.net>"}, message_id="<r1@github.com>", date=last),
        "3.r1.x")


def test_followups_appear_exactly_when_due(tmp_path, capsys):
    maildir = tmp_path / "Maildir"
    maildir.mkdir()
    # Wednesday before Thanksgiving (US holiday on Thursday), then a weekend
    last = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)
    waiting_case(maildir, last)
    events = tmp_path / "events.jsonl"
    cfg = write_config(tmp_path, maildir, extra=(
        '[followup]\nafter_business_days = 3\nmax_followups = 2\ncountry = "US"\n'
        f'[notify]\nbackends = ["command"]\ncommand = ["sh", "-c", "cat >> {events}; echo >> '
        f'{events}"]\n'))

    def followups() -> list[str]:
        return [i for i in draft_ids(maildir) if ".followup" in i]

    def due_events() -> list[dict]:
        rows = [json.loads(x) for x in events.read_text().splitlines() if x.strip()]
        return [r for r in rows if r["event"] == "followup_due"]

    run_cli(cfg, "scan", "--now", "2026-11-25T16:00+00:00")
    (case,) = cases_json(cfg, capsys)
    assert case["state"] == "waiting"
    # 2 business days later (Thanksgiving and the weekend do not count): Monday 30 November
    run_cli(cfg, "scan", "--now", "2026-11-30T12:00+00:00")
    assert followups() == [] and due_events() == []
    # 3 business days: Tuesday 1 December, from 09:00
    run_cli(cfg, "scan", "--now", "2026-12-01T12:00+00:00")
    assert len(followups()) == 1 and len(due_events()) == 1
    assert due_events()[0]["case_id"] == case["id"] and due_events()[0]["draft"]
    # 5 business days: still only the first (the second waits 6 business days)
    run_cli(cfg, "scan", "--now", "2026-12-03T12:00+00:00")
    assert len(followups()) == 1 and len(due_events()) == 1
    # much later: the second replaces the untouched first; never more than the maximum
    run_cli(cfg, "scan", "--now", "2027-01-15T12:00+00:00")
    run_cli(cfg, "scan", "--now", "2027-06-01T12:00+00:00")
    assert len(followups()) == 1 and ".followup2." in followups()[0]
    assert len(due_events()) == 2


def test_dry_run_changes_nothing(tmp_path, capsys):
    maildir = tmp_path / "Maildir"
    build_maildir(CORPUS, maildir)
    cfg = write_config(tmp_path, maildir)
    assert run_cli(cfg, "scan", "--dry-run", "--now", NOW) == 0
    out = capsys.readouterr().out
    assert "--- draft ---" in out and "notification:" in out
    assert drafts_in(maildir) == []
    assert run_cli(cfg, "cases") == 0
    assert "no cases yet" in capsys.readouterr().out


def test_provider_text_is_never_a_template(tmp_path, capsys):
    maildir = tmp_path / "Maildir"
    maildir.mkdir()
    body = ("Your organization has been deactivated for violating our usage policies.\n"
            "Reference: {{ 7*7 }} {% for x in range(3) %}X{% endfor %} {{ ''.__class__ }}\n")
    deliver(maildir, "INBOX", make_mail(sender="OpenAI <noreply@openai.com>",
                                        subject="Deactivated {{ 7*7 }}", body=body,
                                        auth=[auth_pass("openai.com")]), "1.a.x")
    cfg = write_config(tmp_path, maildir)
    run_cli(cfg, "scan")
    (draft,) = drafts_in(maildir)
    text = draft.read_text()
    assert "{{ 7*7 }} {% for x in range(3) %}X{% endfor %} {{ ''.__class__ }}" in text
    assert "Subject: Re: Deactivated {{ 7*7 }}" in text
    # rendered, the expressions would read 49, XXX and <class 'str'> (the headers are left out:
    # the Date may hold a 49 of its own)
    body_text = text.split("\n\n", 1)[1]
    assert "49" not in body_text and "XXX" not in text and "<class" not in text


def test_an_appeal_through_a_form_is_a_text_to_paste_and_the_notice_says_where(tmp_path,
                                                                              capsys):
    maildir = tmp_path / "Maildir"
    maildir.mkdir()
    deliver(maildir, "INBOX", make_mail(
        sender="DigitalOcean <no-reply@digitalocean.com>", subject="Your account has been locked",
        body="Hello,\n\nYour account has been locked because of a violation of our acceptable "
             "use policy. Your Droplets have been powered off.\n",
        auth=[auth_pass("digitalocean.com")]), "1.a.x")
    cfg = write_config(tmp_path, maildir, '[notify]\nbackends = ["log"]\n')
    assert run_cli(cfg, "scan", "--now", NOW) == 0
    url = "https://cloudsupport.digitalocean.com/s/"  # its entry in config/providers.toml
    (draft,) = drafts_in(maildir)
    head, body = draft.read_text().split("\n\n", 1)
    assert "\nTo:" not in f"\n{head}"  # not to the no-reply sender, nor anyone else
    assert body.startswith("[Paste the appeal below") and url in body.splitlines()[0]
    assert "DigitalOcean" in body.splitlines()[2]
    db = sqlite3.connect(tmp_path / "state.sqlite3")
    (payload,) = db.execute("SELECT payload FROM notifications").fetchone()
    db.close()
    event = json.loads(payload)
    assert event["event"] == "new_notice" and url in event["summary"]
    assert event["appeal_url"] == url  # a phone notification's button


def test_malformed_mail_is_recorded_and_skipped(tmp_path, capsys):
    maildir = tmp_path / "Maildir"
    build_maildir(CORPUS, maildir)
    (maildir / "new" / "0.garbage.x").write_bytes(os.urandom(5000))
    (maildir / "new" / "0.empty.x").write_bytes(b"")
    cfg = write_config(tmp_path, maildir)
    assert run_cli(cfg, "scan", "--now", NOW) == 0
    db = sqlite3.connect(tmp_path / "state.sqlite3")
    n = db.execute("SELECT COUNT(*) FROM messages").fetchone()[0]
    db.close()
    assert n == 63


def test_show_draft_and_resolve(tmp_path, capsys):
    maildir = tmp_path / "Maildir"
    build_maildir(CORPUS, maildir)
    cfg = write_config(tmp_path, maildir)
    run_cli(cfg, "scan", "--now", NOW)
    cases = cases_json(cfg, capsys)
    open_case = next(c for c in cases if c["state"] == "new")
    assert set(open_case) >= {"id", "provider", "state", "reason", "opened", "last_activity",
                              "next_followup", "messages", "message_ids"}
    assert run_cli(cfg, "show", str(open_case["id"])) == 0
    story = capsys.readouterr().out
    assert "∅ → new" in story and "suspension" in story
    assert run_cli(cfg, "draft", str(open_case["id"])) == 0
    assert "In-Reply-To:" in capsys.readouterr().out
    assert run_cli(cfg, "resolve", str(open_case["id"]), "--outcome", "withdrawn") == 0
    assert run_cli(cfg, "resolve", str(open_case["id"]), "--outcome", "restored") == 1
    states = {c["id"]: c["state"] for c in cases_json(cfg, capsys)}
    assert states[open_case["id"]] == "withdrawn"
    assert run_cli(cfg, "show", "9999") == 1


def test_demo_runs_quickly_without_an_account():
    t0 = time.monotonic()
    out = subprocess.run([sys.executable, "-m", "appealwatch.cli", "demo"], capture_output=True,
                         text=True, check=True, timeout=60)
    elapsed = time.monotonic() - t0
    assert elapsed < 10, elapsed
    for expected in ("new_notice", "phishing_warning", "needs_reply", "decision", "suspicious",
                     "restored", "Re: ", "In-Reply-To:"):
        assert expected in out.stdout, expected


def test_sigkill_at_random_points_never_duplicates_or_loses(tmp_path):
    """50 runs killed at random moments, then one to completion: the result is the same as one
    clean run — no second draft, no lost case, no notification delivered twice."""
    rng = random.Random(1234)
    clean = tmp_path / "clean"
    build_maildir(CORPUS, clean / "Maildir")
    events_clean = clean / "events"
    cmd = ('[notify]\nbackends = ["command"]\ncommand = ["sh", "-c", '
           '"(cat; echo) >> {0}"]\n')
    cfg_clean = write_config(clean, clean / "Maildir", cmd.format(events_clean))
    exe = [sys.executable, "-m", "appealwatch.cli"]
    subprocess.run([*exe, "--config", str(cfg_clean), "scan", "--now", NOW], check=True,
                   capture_output=True)

    work = tmp_path / "killed"
    build_maildir(CORPUS, work / "Maildir")
    events = work / "events"
    cfg = write_config(work, work / "Maildir", cmd.format(events))
    # how long a whole run takes here, to spread the kills over it
    t0 = time.monotonic()
    probe = tmp_path / "probe"
    build_maildir(CORPUS, probe / "Maildir")
    subprocess.run([*exe, "--config", str(write_config(probe, probe / "Maildir")), "scan",
                    "--now", NOW], check=True, capture_output=True)
    duration = time.monotonic() - t0
    # ... and a run with nothing left to do (the state is complete after a few runs): every
    # other kill falls within that, so most runs really are interrupted on a loaded machine too
    t0 = time.monotonic()
    subprocess.run([*exe, "--config", str(write_config(probe, probe / "Maildir")), "scan",
                    "--now", NOW], check=True, capture_output=True)
    idle = time.monotonic() - t0
    kills = runs = 0
    while runs < 50 or (kills < 25 and runs < 100):
        runs += 1
        proc = subprocess.Popen([*exe, "--config", str(cfg), "scan", "--now", NOW],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.0, idle * 0.9) if runs % 2 else rng.uniform(
            duration * 0.2, duration))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        proc.wait()
    subprocess.run([*exe, "--config", str(cfg), "scan", "--now", NOW], check=True,
                   capture_output=True)
    assert kills >= 25  # most runs really were interrupted

    ids = draft_ids(work / "Maildir")
    assert len(ids) == len(set(ids)), Counter(ids).most_common(3)
    assert sorted(ids) == sorted(draft_ids(clean / "Maildir"))

    def summary(base: Path) -> list[tuple]:
        db = sqlite3.connect(base / "state.sqlite3")
        try:
            return sorted(db.execute("SELECT provider, state, reason, ticket FROM cases"))
        finally:
            db.close()

    assert summary(work) == summary(clean)
    delivered = [json.loads(x)["id"] for x in events.read_text().splitlines() if x.strip()]
    assert len(delivered) == len(set(delivered)), Counter(delivered).most_common(3)
    expected = [json.loads(x)["id"] for x in events_clean.read_text().splitlines() if x.strip()]
    # at most once: a run killed while delivering may lose that one event, never repeat it
    assert set(delivered) <= set(expected)
    assert len(delivered) >= len(expected) - 3


@pytest.mark.parametrize("point", ["after-ingest-batch", "after-decision", "after-draft-append",
                                   "after-notify"])
def test_a_crash_at_each_step_is_completed_by_the_next_run(tmp_path, point):
    exe = [sys.executable, "-m", "appealwatch.cli"]
    build_maildir(CORPUS, tmp_path / "Maildir")
    events = tmp_path / "events"
    cfg = write_config(tmp_path, tmp_path / "Maildir", (
        '[notify]\nbackends = ["command"]\n'
        f'command = ["sh", "-c", "(cat; echo) >> {events}"]\n'))
    crashed = subprocess.run([*exe, "--config", str(cfg), "scan", "--now", NOW],
                             env={**os.environ, "APPEALWATCH_CRASH_AT": point},
                             capture_output=True, check=False)
    assert crashed.returncode == -signal.SIGKILL
    for _ in range(2):
        subprocess.run([*exe, "--config", str(cfg), "scan", "--now", NOW], check=True,
                       capture_output=True)
    ids = draft_ids(tmp_path / "Maildir")
    assert len(ids) == len(set(ids)) == 7  # the five unanswered notices, the two questions
    delivered = [json.loads(x)["id"] for x in events.read_text().splitlines() if x.strip()]
    assert len(delivered) == len(set(delivered))
    db = sqlite3.connect(tmp_path / "state.sqlite3")
    try:
        assert db.execute("SELECT COUNT(*) FROM drafts WHERE state = 'pending'").fetchone()[0] == 0
        assert db.execute("SELECT COUNT(*) FROM messages WHERE processed = 0").fetchone()[0] == 0
        assert db.execute("SELECT COUNT(*) FROM cases").fetchone()[0] == 19
    finally:
        db.close()


def test_a_folder_a_watcher_names_is_notified_before_the_drafts_are_written(tmp_path):
    """The service's pass is told which folder its IDLE watcher saw change: the notice found
    there is announced before any draft is written (the drafts follow in the same pass).  A
    pass told nothing writes the drafts first, as `scan` does."""
    from appealwatch.app import make_engine
    from appealwatch.config import load_config
    from appealwatch.store import Store

    def notice(n: int) -> bytes:  # two providers: two cases
        if n == 1:
            return make_mail(
                sender="GitHub <support@github.com>", subject="Your account has been suspended",
                body="Your account has been suspended for automated activity that violates our "
                "terms of service.", auth=[auth_pass("github.com")],
                message_id="<hint-1@github.com>", date=datetime(2026, 11, 30, tzinfo=UTC))
        return make_mail(
            sender="OpenAI <noreply@tm.openai.com>",
            subject="Your OpenAI API organization has been deactivated",
            body="Access for your organization org-Hint2XYZ has been deactivated because of "
            "repeated violations of our usage policies.", auth=[auth_pass("tm.openai.com")],
            message_id="<hint-2@tm.openai.com>", date=datetime(2026, 11, 30, tzinfo=UTC))

    maildir = tmp_path / "Maildir"
    for folder in ("INBOX", "Junk", "Sent", "Drafts"):
        target = maildir if folder == "INBOX" else maildir / f".{folder}"
        for sub in ("cur", "new", "tmp"):
            (target / sub).mkdir(parents=True, exist_ok=True)
    seen = tmp_path / "drafts-at-notification"
    drafts = maildir / ".Drafts"
    command = f"find {drafts}/cur {drafts}/new -type f | grep -c . >> {seen}; cat > /dev/null"
    cfg = write_config(tmp_path, maildir, '[notify]\nbackends = ["command"]\n'
                       f'command = ["sh", "-c", {json.dumps(command)}]\n')
    config = load_config(cfg)
    store = Store(tmp_path / "state.sqlite3")
    engine = make_engine(config, store, now=datetime.fromisoformat(NOW), dry_run=False)
    try:
        engine.scan()  # the first pass (of empty folders): what it finds is history
        deliver(maildir, "Junk", notice(1), "1.hint.x")
        report = engine.scan(hints={"t": {"junk"}})
        assert (report.cases_opened, report.drafts_written) == (1, 1)
        deliver(maildir, "Junk", notice(2), "2.hint.x")
        report = engine.scan()
        assert (report.cases_opened, report.drafts_written) == (1, 1)
    finally:
        engine.close()
        store.close()
    assert seen.read_text().split() == ["0", "2"]  # no draft yet; then both drafts
