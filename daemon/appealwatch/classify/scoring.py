"""Reading the message: the weighted cues of each reading, conditional sentences aside."""

from __future__ import annotations

import math
import re

from appealwatch.classify.result import Match
from appealwatch.config import Cue

# How much each hard-negative group counts against a suspension reading.
NEGATIVE_WEIGHTS = {
    "maintenance": 4.0,
    "paused_by_user": 4.0,
    "offtopic_suspension": 4.0,
    "usage_warning": 3.0,
    "renewal_reminder": 3.0,
    "inactivity": 4.0,
    "inventory": 3.0,
    "survey": 3.0,
    "sharing": 4.0,
    "signin_alert": 2.0,
    "password_reset": 2.0,
    "receipt": 2.0,
    "list_mail": 2.0,
    "retirement": 4.0,
    "promotion": 3.0,
    "protection": 4.0,
    "shipping": 3.0,
}
SUSPENSION_THRESHOLD = 3.0
ACK_THRESHOLD = 3.0
REPLY_THRESHOLD = 3.0
DECISION_THRESHOLD = 3.0


_CONDITIONAL = re.compile(
    r"\b(?:once|as soon as|when|until|if|unless|in order for)\b"
    r"|\bafter (?:you|your|payment|the payment|we receive|receiving)\b|一旦|后即|如果|若|待", re.I
)
_SENTENCE_END = re.compile(r"[.!?。！？\n]")


def _sentence(text: str, m: re.Match[str]) -> str:
    start = max((e.end() for e in _SENTENCE_END.finditer(text, 0, m.start())), default=0)
    end_m = _SENTENCE_END.search(text, m.end())
    return text[start : end_m.start() if end_m else len(text)]


_PERFECT = re.compile(r"\b(?:have|has|had|was|were|'ve)\b|已", re.I)


def _conditional(text: str, m: re.Match[str]) -> bool:
    """A present-tense statement inside a conditional sentence; a perfect-tense one ("we have
    reinstated") is a fact whatever the sentence says around it."""
    near = text[max(0, m.start() - 25) : m.end()]
    return not _PERFECT.search(near) and bool(_CONDITIONAL.search(_sentence(text, m)))


def score(cues: tuple[Cue, ...], text: str, hits: list[Match] | None = None,
           cjk: bool = True, factual: bool = False,
           present: frozenset[str] | None = None) -> float:
    """Sum of the weights of the cues found.  With ``factual``, a cue inside a conditional
    sentence ("access is restored as soon as you pay") does not count."""
    total = 0.0
    for cue in cues:
        if cue.cjk and not cjk:
            continue
        m = cue.search(text, present)
        if m and factual and _conditional(text, m):
            m = next((x for x in cue.regex.finditer(text) if not _conditional(text, x)), None)
        if m:
            total += cue.weight
            if hits is not None:
                hits.append(Match(cue.key, m.group(0)[:80], cue.weight))
    return total


def confidence_of(top: float, threshold: float, rival: float) -> float:
    margin = (top - threshold) + (top - rival) / 2
    return round(min(0.99, max(0.5, 1 / (1 + math.exp(-margin / 2.5)))), 2)

