"""Case grouping over a labelled set: build a Maildir from it, scan, compare with the threads."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path

from appealwatch.config import load_config


def build_maildir(src: Path, root: Path) -> None:
    labels = json.loads((src / "labels.json").read_text(encoding="utf-8"))
    for sub in ("cur", "new", "tmp"):
        (root / sub).mkdir(parents=True, exist_ok=True)
        (root / ".Junk" / sub).mkdir(parents=True, exist_ok=True)
    (root / ".Junk" / "maildirfolder").touch()
    for i, label in enumerate(labels):
        target = root / ".Junk" if label["folder"] == "Junk" else root
        shutil.copyfile(src / "messages" / label["file"], target / "new" / f"{1000 + i}.x{i}.test")


def write_config(tmp: Path, maildir: Path, extra: str = "") -> Path:
    cfg = tmp / "config.toml"
    cfg.write_text(
        f'[user]\nname = "Test User"\nemail = "user@example.net"\n'
        f'[[accounts]]\nname = "t"\nmaildir = "{maildir}"\n'
        f'[state]\npath = "{tmp / "state.sqlite3"}"\n{extra}',
        encoding="utf-8")
    return cfg


def grouping_score(src: Path, cases_json: list[dict]) -> tuple[float, list[str]]:
    """Share of thread-labelled messages that sit in the case holding most of their thread,
    where each case may stand for one thread only."""
    labels = json.loads((src / "labels.json").read_text(encoding="utf-8"))
    mid_of = {}
    import email
    import email.policy
    for label in labels:
        with open(src / "messages" / label["file"], "rb") as fh:
            msg = email.message_from_binary_file(fh, policy=email.policy.compat32)
        mid_of[label["file"]] = str(msg["Message-ID"]).strip()
    case_of = {mid: c["id"] for c in cases_json for mid in c["message_ids"]}
    threads: dict[str, list[str]] = {}
    for label in labels:
        if label["thread"]:
            threads.setdefault(label["thread"], []).append(label["file"])
    right, problems, used = 0, [], set()
    total = sum(len(v) for v in threads.values())
    for thread, files in sorted(threads.items()):
        owners = Counter(case_of.get(mid_of[f]) for f in files)
        best, _ = max(((c, n) for c, n in owners.items() if c is not None and c not in used),
                      key=lambda cn: cn[1], default=(None, 0))
        if best is not None:
            used.add(best)
        for f in files:
            if best is not None and case_of.get(mid_of[f]) == best:
                right += 1
            else:
                problems.append(f"{thread} {f}: in case {case_of.get(mid_of[f])}, "
                                f"thread's case {best}")
    for label in labels:
        if not label["thread"] and label["category"] != "irrelevant" and not label["phishing"]:
            problems.append(f"unthreaded {label['file']}")
        if label["category"] == "irrelevant" and case_of.get(mid_of[label["file"]]):
            problems.append(f"irrelevant {label['file']} in case {case_of[mid_of[label['file']]]}")
    return right / max(1, total), problems


def load(cfg: Path):
    return load_config(cfg)
