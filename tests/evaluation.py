"""Classifier quality over a labelled set (shared/corpus layout): used by tests and bench.

``python -m tests.evaluation wild test`` (from the repository root) prints the figures of the
wild set's test part; ``wild dev`` those of its dev part, ``corpus``, ``heldout``, ``blind`` the
older sets'.  ``--mistakes`` lists what went wrong (never look at the test part's while tuning).
"""

from __future__ import annotations

import hashlib
import json
import sys
from dataclasses import dataclass
from pathlib import Path

from appealwatch.classify import CATEGORIES, Classification, classify
from appealwatch.classify.sender import derived_id, genuine_provider
from appealwatch.config import Rules
from appealwatch.parse import parse


@dataclass
class Report:
    rows: list[tuple[dict, Classification]]
    rules: Rules | None = None

    def _pairs(self, key):
        return [(label[key], getattr(got, key)) for label, got in self.rows]

    def per_category(self) -> dict[str, tuple[float, float, float]]:
        out = {}
        for cat in CATEGORIES:
            tp = sum(1 for e, g in self._pairs("category") if e == cat and g == cat)
            fp = sum(1 for e, g in self._pairs("category") if e != cat and g == cat)
            fn = sum(1 for e, g in self._pairs("category") if e == cat and g != cat)
            p = tp / (tp + fp) if tp + fp else 1.0
            r = tp / (tp + fn) if tp + fn else 1.0
            f = 2 * p * r / (p + r) if p + r else 0.0
            out[cat] = (p, r, f)
        return out

    def macro_f1(self) -> float:
        vals = self.per_category().values()
        return sum(f for _, _, f in vals) / len(vals)

    def irrelevant_false_positive_rate(self) -> float:
        irr = [g for e, g in self._pairs("category") if e == "irrelevant"]
        return sum(1 for g in irr if g != "irrelevant") / max(1, len(irr))

    def suspension_recall(self, certain_only: bool = False) -> float:
        """Possible notices count as found, unless ``certain_only``."""
        got = [g for label, g in self.rows if label["category"] == "suspension"]
        found = [g for g in got if g.category == "suspension" and not (certain_only and g.possible)]
        return len(found) / max(1, len(got))

    def provider_named_rate(self) -> float:
        """Genuine provider mail (not phishing, not everyday mail) whose provider is named: the
        registry's id, or the id derived from the organisational domain of an unknown one."""
        rows = [(label, g) for label, g in self.rows
                if not label["phishing"] and label["category"] != "irrelevant"
                and (label.get("provider") or label.get("provider_domain"))]
        return sum(1 for label, g in rows if _named(label, g, self.rules)) / max(1, len(rows))

    def phishing_recall(self) -> float:
        ph = [got.phishing for label, got in self.rows if label["phishing"]]
        return sum(ph) / max(1, len(ph))

    def genuine_flagged_rate(self) -> float:
        gen = [got.phishing for label, got in self.rows
               if not label["phishing"] and label["provider"] and label["category"] != "irrelevant"]
        return sum(gen) / max(1, len(gen))

    def reason_accuracy(self) -> float:
        rs = [(label["reason"], got.reason) for label, got in self.rows
              if label["category"] == "suspension"]
        return sum(1 for e, g in rs if e == g) / max(1, len(rs))

    def mistakes(self) -> list[str]:
        out = []
        for label, got in self.rows:
            want = (label["category"], label["reason"], label["decision"], label["provider"],
                    label["phishing"], label["lang"])
            have = (got.category, got.reason, got.decision, got.provider, got.phishing, got.lang)
            if "provider_domain" in label and _named(label, got, self.rules):
                have = (*have[:3], label["provider"], *have[4:])
            if want != have:
                out.append(f"{label['file']}: expected {want}, got {have}"
                           + (" (possible)" if got.possible else ""))
        return out

    def figures(self) -> dict[str, float]:
        return {
            "messages": len(self.rows),
            "suspension recall (possible counted)": self.suspension_recall(),
            "suspension recall (certain only)": self.suspension_recall(certain_only=True),
            "category macro-F1": self.macro_f1(),
            "irrelevant mail misread": self.irrelevant_false_positive_rate(),
            "phishing recall": self.phishing_recall(),
            "genuine mail flagged as phishing": self.genuine_flagged_rate(),
            "reason accuracy": self.reason_accuracy(),
            "provider named": self.provider_named_rate(),
        }


def _named(label: dict, got: Classification, rules: Rules | None = None) -> bool:
    """The provider is named: the label's id, the id derived from its domain, or a registry
    entry (under another id) that the domain belongs to."""
    if got.provider is None:
        return False
    if got.provider == label.get("provider"):
        return True
    domain = label.get("provider_domain")
    if not domain:
        return False
    known = rules.provider(got.provider) if rules is not None else None
    return got.provider == derived_id(domain) or (
        known is not None and genuine_provider(domain, rules) is known)


def in_part(name: str, part: str) -> bool:
    """The wild set's split (tests/data/wild/split.json): by the SHA-256 of the file name."""
    return (hashlib.sha256(name.encode()).digest()[0] % 2 == 0) == (part == "dev")


def load_labels(root: Path, part: str | None = None) -> list[dict]:
    """labels.json, or every labels.*.json of a set written in parts; ``part``: dev or test."""
    files = [root / "labels.json"] if (root / "labels.json").exists() else sorted(
        root.glob("labels.*.json"))
    labels = [row for f in files for row in json.loads(f.read_text(encoding="utf-8"))]
    if part is not None:
        split = json.loads((root / "split.json").read_text(encoding="utf-8"))
        listed = set(split[part])
        labels = [row for row in labels if row["file"] in listed
                  or (row["file"] not in split["dev"] + split["test"]
                      and in_part(row["file"], part))]
    return labels


def evaluate(root: Path, rules: Rules, part: str | None = None) -> Report:
    rows = []
    for label in load_labels(root, part):
        raw = (root / "messages" / label["file"]).read_bytes()
        rows.append((label, classify(parse(raw), label["folder"], rules)))
    return Report(rows, rules)


def main(argv: list[str]) -> int:
    from appealwatch.config import load_config

    args = [a for a in argv if not a.startswith("--")]
    if not args:
        print("usage: python -m tests.evaluation SET [dev|test] [--mistakes]", file=sys.stderr)
        return 2
    root = Path(__file__).parent / "data" / args[0]
    report = evaluate(root, load_config(None).rules, args[1] if len(args) > 1 else None)
    for name, value in report.figures().items():
        print(f"{name:40s} {value:.3f}" if isinstance(value, float) else f"{name:40s} {value}")
    if "--mistakes" in argv:
        print("\n".join(report.mistakes()))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
