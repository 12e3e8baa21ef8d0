"""Why the account was restricted: policy, payment, security, system or unknown."""

from __future__ import annotations

from appealwatch.classify.result import Match
from appealwatch.classify.text import IF_YOU_BELIEVE
from appealwatch.config import Rules


def reason_scores(rules: Rules, text: str, hits: list[Match], cjk: bool,
                   present: frozenset[str] | None = None) -> dict[str, float]:
    """``present``: Rules.literals_in of ``text`` (or of a text containing it)."""
    text = IF_YOU_BELIEVE.sub(" ", text)
    scores = {}
    for reason, cues in rules.reasons.items():
        total = 0.0
        for cue in cues:
            if (cue.cjk and not cjk) or (cue.needs and not (
                    not cue.needs.isdisjoint(present) if present is not None
                    else any(n in text for n in cue.needs))):
                continue
            found = {m.group(0).lower() for m in cue.regex.finditer(text)}
            if found:
                n = min(len(found), 3)
                total += cue.weight * n
                hits.append(Match(cue.key, sorted(found)[0][:80], cue.weight * n))
        scores[reason] = total
    return scores


def choose_reason(scores: dict[str, float]) -> str:
    if scores.get("system", 0) >= 3:
        return "system"
    ranked = sorted(
        ((v, k) for k, v in scores.items() if k != "system"),
        # on a tie, the reason least often mentioned in passing wins: notices about policy
        # mention payments and security now and then, payment notices rarely mention policy
        key=lambda vk: (vk[0], {"policy": 3, "security": 2, "payment": 1}.get(vk[1], 0)),
        reverse=True,
    )
    return ranked[0][1] if ranked and ranked[0][0] >= 1 else "unknown"
