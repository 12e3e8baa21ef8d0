"""`appealwatch demo`: the whole job once, on a throwaway Maildir seeded with sample mail."""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from email.parser import BytesParser
from email.utils import parsedate_to_datetime
from pathlib import Path

from appealwatch import resources

CONFIG = """\
# The demo's configuration (throwaway).
[user]
name = "Jordan Lee"
email = "jordan.lee@example.com"

[[accounts]]
name = "demo"
maildir = "{maildir}"

[state]
path = "{state}"

[followup]
country = "US"
timezone = "UTC"

[notify]
backends = ["log"]
"""


FOLDERS = {"INBOX": "", "Junk": ".Junk", "Sent": ".Sent", "Drafts": ".Drafts"}


def build_maildir(root: Path) -> list[tuple[datetime, str, Path]]:
    """An empty Maildir (INBOX at the root, .Junk, .Sent and .Drafts as Maildir++ folders), and
    the sample mail of config/samples as (date, folder, file), oldest first."""
    for sub_dir in FOLDERS.values():
        target = root / sub_dir if sub_dir else root
        for sub in ("cur", "new", "tmp"):
            (target / sub).mkdir(parents=True, exist_ok=True)
        if sub_dir:
            (target / "maildirfolder").touch()
    samples = resources.samples_dir()
    mail = []
    for folder in FOLDERS:
        for eml in sorted((samples / folder).glob("*.eml")):
            with eml.open("rb") as fh:
                date = parsedate_to_datetime(BytesParser().parse(fh, headersonly=True)["Date"])
            mail.append((date, folder, eml))
    return sorted(mail, key=lambda m: m[0])


def deliver(root: Path, folder: str, eml: Path, n: int) -> None:
    """Put one sample message where a mail server (or, for Sent, the mail client) would."""
    target = root / FOLDERS[folder] if FOLDERS[folder] else root
    flags = ":2,S" if folder == "Sent" else ""
    name = f"{1773000000 + n}.demo{eml.stem[:2]}.appealwatch{flags}"
    shutil.copyfile(eml, target / ("cur" if flags else "new") / name)


def run_demo(keep: bool = False) -> int:
    from appealwatch import views
    from appealwatch.app import make_engine, open_store
    from appealwatch.config import load_config

    started = time.monotonic()
    workdir = Path(tempfile.mkdtemp(prefix="appealwatch-demo-"))
    try:
        maildir = workdir / "Maildir"
        mail = build_maildir(maildir)
        cfg_path = workdir / "config.toml"
        cfg_path.write_text(CONFIG.format(maildir=maildir, state=workdir / "state.sqlite3"),
                            encoding="utf-8")
        cfg_path.chmod(0o600)
        config = load_config(cfg_path)
        print("appealwatch demo: two weeks of sample mail arrive one message at a time: a "
              "suspension notice in Junk,\na phishing imitation, an OpenAI support case from "
              f"notice to decision, a Stripe notice and everyday mail.\nMaildir: {maildir}\n")
        print("== What it tells you as the mail arrives")
        clock = [mail[0][0] - timedelta(hours=1)]
        totals: Counter[str] = Counter()
        with open_store(config) as store:
            engine = make_engine(config, store, now=None, dry_run=False, backends=["stdout"],
                                 clock=lambda: clock[0])
            engine.scan()  # the daemon starts before the mail: what comes next is news
            for n, (date, folder, eml) in enumerate(mail):
                deliver(maildir, folder, eml, n)
                clock[0] = (date + timedelta(minutes=2)).astimezone(UTC)
                print(f"{clock[0]:%a %d %b %H:%M}  {folder}: {eml.stem[3:]}")
                report = engine.scan()
                totals.update(seen=report.seen, opened=report.cases_opened,
                              drafts=report.drafts_written)
            engine.close()
            print(f"\n== {totals['seen']} messages read, {totals['opened']} cases opened, "
                  f"{totals['drafts']} drafts written into Drafts\n")
            sys.stdout.flush()
        with open_store(config) as store:
            print("\n".join(views.cases_table([views.case_dict(store, c) for c in store.cases()],
                                              color=False)))
        first_scan(workdir / "at-once", mail, clock[0])
        with open_store(config) as store:
            open_case = next((c for c in store.cases() if c.state == "new"), None)
            if open_case is not None:
                print(f"\n== The story of case {open_case.id}")
                print("\n".join(views.case_timeline(store, open_case)))
                print(f"\n== The appeal draft for case {open_case.id} (in "
                      f"{maildir / '.Drafts'})\n")
                sys.stdout.write((views.current_draft(config, store, open_case) or b"")
                                 .decode("utf-8", "replace"))
        print(f"\n(demo finished in {time.monotonic() - started:.1f} s; running it again "
              "would change nothing: appealwatch remembers what it has seen)")
        if keep:
            print(f"kept: {workdir}  (try: appealwatch --config {cfg_path} cases)")
    finally:
        if not keep:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0



def first_scan(workdir: Path, mail: list[tuple[datetime, str, Path]], now: datetime) -> None:
    """The same mailbox read all at once, as after setting up: the present, not the past."""
    from appealwatch.app import make_engine, open_store
    from appealwatch.config import load_config

    maildir = workdir / "Maildir"
    build_maildir(maildir)
    for n, (_date, folder, eml) in enumerate(mail):
        deliver(maildir, folder, eml, n)
    cfg_path = workdir / "config.toml"
    cfg_path.write_text(CONFIG.format(maildir=maildir, state=workdir / "state.sqlite3"),
                        encoding="utf-8")
    config = load_config(cfg_path)
    print("\n== The same mail read at once, as by the first scan after setting up: only what "
          "needs you now")
    with open_store(config) as store:
        engine = make_engine(config, store, now=now, dry_run=False, backends=["stdout"])
        try:
            engine.scan()
        finally:
            engine.close()
