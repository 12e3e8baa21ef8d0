"""`appealwatch demo`: the whole job once, on a throwaway Maildir seeded with sample mail."""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from appealwatch import resources

DEMO_NOW = datetime(2026, 3, 20, 10, 0, tzinfo=ZoneInfo("UTC"))
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


def build_maildir(root: Path) -> None:
    """INBOX at the root, .Junk and .Sent as Maildir++ folders, from config/samples."""
    samples = resources.samples_dir()
    for folder, target in (("INBOX", root), ("Junk", root / ".Junk"), ("Sent", root / ".Sent"),
                           ("Drafts", root / ".Drafts")):
        for sub in ("cur", "new", "tmp"):
            (target / sub).mkdir(parents=True, exist_ok=True)
        if target != root:
            (target / "maildirfolder").touch()
        for i, eml in enumerate(sorted((samples / folder).glob("*.eml"))):
            flags = ":2,S" if folder == "Sent" else ""
            sub = "cur" if flags else "new"
            name = f"{1773000000 + i}.demo{eml.stem[:2]}.appealwatch{flags}"
            shutil.copyfile(eml, target / sub / name)


def run_demo(keep: bool = False) -> int:
    from appealwatch import views
    from appealwatch.app import make_engine, open_store
    from appealwatch.config import load_config

    started = time.monotonic()
    workdir = Path(tempfile.mkdtemp(prefix="appealwatch-demo-"))
    try:
        maildir = workdir / "Maildir"
        build_maildir(maildir)
        cfg_path = workdir / "config.toml"
        cfg_path.write_text(CONFIG.format(maildir=maildir, state=workdir / "state.sqlite3"),
                            encoding="utf-8")
        cfg_path.chmod(0o600)
        config = load_config(cfg_path)
        print("appealwatch demo: a sample mailbox with a suspension notice in Junk, a phishing "
              "imitation,\nan OpenAI support case from notice to decision, a Stripe notice and "
              f"everyday mail.\nMaildir: {maildir}\n")
        print("== Notifications it sends")
        with open_store(config) as store:
            engine = make_engine(config, store, now=DEMO_NOW, dry_run=False,
                                 backends=["stdout"])
            report = engine.scan()
            print(f"\n== One pass over the mailbox: {report.seen} messages read, "
                  f"{report.cases_opened} cases opened, {report.drafts_written} drafts written "
                  "into Drafts\n")
            sys.stdout.flush()
        with open_store(config) as store:
            print("\n".join(views.cases_table([views.case_dict(store, c) for c in store.cases()],
                                              color=False)))
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

