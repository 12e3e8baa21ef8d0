"""Parsed message + folder -> Classification: the steps put together."""

from __future__ import annotations

import re

from appealwatch.classify.asks import REQUEST, questions
from appealwatch.classify.identifiers import find_account_ids, find_ticket
from appealwatch.classify.phishing import phishing_reasons
from appealwatch.classify.reasons import choose_reason
from appealwatch.classify.reasons import reason_scores as score_reasons
from appealwatch.classify.result import Classification, Match
from appealwatch.classify.scoring import (
    ACK_THRESHOLD,
    DECISION_THRESHOLD,
    NEGATIVE_WEIGHTS,
    REPLY_THRESHOLD,
    SUSPENSION_THRESHOLD,
    confidence_of,
    score,
)
from appealwatch.classify.sender import identify_sender
from appealwatch.classify.text import CJK, MAX_SCAN_CHARS, detect_lang, normalise, own_text
from appealwatch.config import Rules
from appealwatch.parse import ParsedMessage

_PROVIDER_VOICE = re.compile(r"\b(?:your|we|we've|we have)\b|您|我们|贵", re.I)
_RESPONSE_SUBJECT = re.compile(r"^\s*(?:\[[^\]]{1,40}\]\s*)?(?:re|aw|sv|回复|答复)\s*[:：]", re.I)
_FORWARD_SUBJECT = re.compile(r"^\s*(?:fwd?|fw|转发)\s*[:：]", re.I)


def classify(
    msg: ParsedMessage,
    folder: str = "INBOX",
    rules: Rules | None = None,
    trusted_authserv_ids: tuple[str, ...] = (),
) -> Classification:
    """Classify one parsed message.  ``folder`` is recorded in the explanation only: being in
    Junk is not evidence either way."""
    if rules is None:
        from appealwatch.config import load_config

        rules = load_config(None).rules
    subject = normalise(msg.subject)
    body_own = own_text(msg.text)
    # The subject of a reply is the subject of what it answers: evidence of the thread, not of
    # what this message says.
    is_re = bool(_RESPONSE_SUBJECT.match(subject))
    text = normalise(body_own if is_re else f"{subject} .\n{body_own}")
    lang = detect_lang(f"{msg.subject}\n{msg.text[:4000]}")
    sender = identify_sender(msg, subject, text, rules)
    explain = [f"folder {folder}; sender {sender.kind} {sender.domain or '-'}"
               + (f" ({sender.provider.id})" if sender.provider else "")]
    provider_id = sender.provider.id if sender.provider else None
    ticket = find_ticket(subject, text)
    accounts: tuple[str, ...] = ()
    if sender.provider is not None:  # the whole text is searched only where a case may follow
        ticket = ticket or find_ticket(normalise(msg.text[:MAX_SCAN_CHARS]))
        accounts = find_account_ids(msg.text[:MAX_SCAN_CHARS])

    def irrelevant(
        why: str, confidence: float = 0.9, hits: list[Match] | None = None
    ) -> Classification:
        explain.append(f"irrelevant: {why}")
        return Classification(
            "irrelevant", provider=provider_id if sender.kind in ("genuine", "agent") else None,
            ticket=ticket, lang=lang, confidence=confidence,
            cues=tuple(dict.fromkeys(h.text for h in hits or [])), account_ids=accounts,
            explanation=tuple(explain),
        )

    if sender.provider is None:
        return irrelevant(f"the sender ({sender.kind}) is not and does not claim to be a provider")
    if msg.list_id:
        return irrelevant(f"mailing-list message (List-Id {msg.list_id})")
    if _FORWARD_SUBJECT.match(subject):
        return irrelevant("a forwarded message")

    hits: list[Match] = []
    low = text.lower()
    cjk = bool(CJK.search(text))
    present = rules.literals_in(low)
    scores = {
        g: score(cues, low, hits, cjk, factual=g in ("restored", "denied"), present=present)
        for g, cues in rules.categories.items()
    }
    negatives: dict[str, float] = {}
    if scores.get("suspension"):  # negatives only ever count against a suspension reading
        for group, cues in rules.negatives.items():
            if score(cues, low, hits, cjk, present=present):
                negatives[group] = NEGATIVE_WEIGHTS.get(group, 2.0)
    if msg.list_unsubscribe or (msg.precedence or "") in ("bulk", "list", "junk"):
        negatives["bulk_headers"] = 1.0
    neg_total = sum(negatives.values())
    is_response = bool(
        is_re or msg.in_reply_to or scores.get("response", 0) >= 1
        or find_ticket(subject) is not None
    )
    if sender.weak_claim and not any(
        _PROVIDER_VOICE.search(h.text) for h in hits if h.key.startswith("phrases.suspension")
    ):
        return irrelevant("names a provider only in passing, and does not speak as one", 0.8)
    susp = scores.get("suspension", 0.0)
    pending = scores.get("pending", 0.0)
    restored = scores.get("restored", 0.0) - pending
    denied = scores.get("denied", 0.0) - pending / 2
    # Each reading competes with the others; answering something the user sent favours the
    # acknowledgement/reply/decision readings, a message out of the blue favours a notice.
    bonus = 1.0 if is_response else -1.0
    # A person at the provider who asks for something, or says the matter is in progress, is
    # writing a support reply.
    asks = 2.0 if REQUEST.search(low) or (("?" in low or "？" in low) and questions(low)) \
        else 0.0
    reply = scores.get("support_reply", 0.0) + pending + asks
    candidates = {
        "suspension": (susp - neg_total - bonus, SUSPENSION_THRESHOLD + 1),
        "ticket_ack": (scores.get("ticket_ack", 0.0) + bonus, ACK_THRESHOLD + 1),
        "support_reply": (reply + bonus, REPLY_THRESHOLD + 1),
        "restored": (restored + bonus, DECISION_THRESHOLD + 1),
        "denied": (denied + bonus * 1.5, DECISION_THRESHOLD + 1),
    }
    if sender.kind not in ("genuine", "agent"):
        # an impostor can only imitate a notice: that is what phishing is about here
        candidates = {"suspension": candidates["suspension"]}
    explain.append(
        "scores: " + ", ".join(f"{k}={v:g}" for k, v in scores.items() if v)
        + (f"; negatives: {', '.join(negatives)} (-{neg_total:g})" if negatives else "")
        + f"; response={is_response}"
    )
    eligible = {k: v for k, (v, threshold) in candidates.items() if v >= threshold}
    if not eligible:
        return irrelevant(
            "no notice, acknowledgement, reply or decision wording outweighs the negatives",
            confidence_of(SUSPENSION_THRESHOLD + 2, SUSPENSION_THRESHOLD,
                        max(v for v, _ in candidates.values())),
            hits,
        )
    order = ("denied", "restored", "ticket_ack", "support_reply", "suspension")
    best = max(eligible, key=lambda k: (eligible[k], -order.index(k)))
    top = eligible[best]
    rival = max([v for k, (v, _) in candidates.items() if k != best] + [0.0])
    decision = best if best in ("restored", "denied") else None
    category = "appeal_decision" if decision else best

    reason = None
    if category == "suspension":
        reason_hits: list[Match] = []
        by_reason = score_reasons(rules, low, reason_hits, cjk, present)
        reason = choose_reason(by_reason)
        hits += reason_hits
        explain.append(
            "reason scores: " + ", ".join(f"{k}={v:g}" for k, v in by_reason.items())
        )
    phishing = False
    reasons: tuple[str, ...] = ()
    if category == "suspension":
        found = phishing_reasons(msg, sender, sender.provider, trusted_authserv_ids)
        phishing, reasons = bool(found), tuple(found)
    explain.append(f"{category}" + (f" ({reason or decision})" if reason or decision else ""))
    for h in hits:
        explain.append(f"  cue {h.key} (+{h.weight:g}): {h.text!r}")
    relevant_groups = {
        "suspension": ("phrases.suspension", "phrases.reason"),
        "ticket_ack": ("phrases.ticket_ack",),
        "support_reply": ("phrases.support_reply",),
        "appeal_decision": (f"phrases.{decision}",),
    }[category]
    cues = tuple(dict.fromkeys(h.text for h in hits if h.key.startswith(relevant_groups)))
    return Classification(
        category=category,
        reason=reason,
        decision=decision,
        provider=provider_id,
        ticket=ticket,
        lang=lang,
        phishing=phishing,
        phishing_reasons=reasons,
        confidence=confidence_of(top, candidates[best][1], rival),
        cues=cues,
        account_ids=accounts,
        explanation=tuple(explain),
    )
