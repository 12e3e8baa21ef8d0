"""What the classifier answers: a Classification, and the cues behind it."""

from __future__ import annotations

from dataclasses import dataclass, field

CATEGORIES = ("suspension", "ticket_ack", "support_reply", "appeal_decision", "irrelevant")


@dataclass(frozen=True, slots=True)
class Match:
    key: str  # rule key, e.g. phrases.suspension.en[0]
    text: str  # the words that matched
    weight: float


@dataclass(frozen=True, slots=True)
class Classification:
    category: str
    reason: str | None = None
    decision: str | None = None
    provider: str | None = None
    ticket: str | None = None
    lang: str = "en"
    phishing: bool = False
    phishing_reasons: tuple[str, ...] = ()
    confidence: float = 0.5
    cues: tuple[str, ...] = ()
    account_ids: tuple[str, ...] = ()
    # a suspension reading on mixed evidence: the user is asked to confirm it, no draft is written
    possible: bool = False
    forwarded: bool = False  # the verdict is about a notice forwarded inside this message
    explanation: tuple[str, ...] = field(default=(), compare=False)

    def as_dict(self) -> dict[str, object]:
        return {
            "category": self.category,
            "reason": self.reason,
            "decision": self.decision,
            "provider": self.provider,
            "ticket": self.ticket,
            "lang": self.lang,
            "phishing": self.phishing,
            "phishing_reasons": list(self.phishing_reasons),
            "confidence": self.confidence,
            "cues": list(self.cues),
            "possible": self.possible,
            "forwarded": self.forwarded,
        }

