"""Classifier quality over a labelled set (shared/corpus layout): used by tests and bench."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from appealwatch.classify import CATEGORIES, Classification, classify
from appealwatch.config import Rules
from appealwatch.parse import parse


@dataclass
class Report:
    rows: list[tuple[dict, Classification]]

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
            if want != have:
                out.append(f"{label['file']}: expected {want}, got {have}")
        return out


def evaluate(root: Path, rules: Rules) -> Report:
    labels = json.loads((root / "labels.json").read_text(encoding="utf-8"))
    rows = []
    for label in labels:
        raw = (root / "messages" / label["file"]).read_bytes()
        rows.append((label, classify(parse(raw), label["folder"], rules)))
    return Report(rows)
