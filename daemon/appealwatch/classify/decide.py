"""Parsed message + folder -> Classification: the steps put together."""

from __future__ import annotations

import re

from appealwatch.classify.asks import REQUEST, questions
from appealwatch.classify.identifiers import find_account_ids, find_ticket
from appealwatch.classify.phishing import phishing_reasons
from appealwatch.classify.reasons import choose_reason
from appealwatch.classify.reasons import reason_scores as score_reasons
from appealwatch.classify.restriction import WEAK, Reading, read_restriction
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
# "关于店铺暂停营业的回复": a subject that names itself a reply
_REPLY_SUBJECT_END = re.compile(r"(?:的|之)(?:回复|答复|处理结果)\s*$")
_CASE_WORDS = re.compile(
    r"\b(?:appeal|reinstat|reactivat|unsuspend|unban|unlock|unfreez|suspension|restriction)"
    r"|申诉|解封|解冻|复核|恢复"
)
_APPEAL = re.compile(r"\b(?:appeal|reinstat|unsuspend|unban)|申诉|解封|复核")
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
    is_re = bool(_RESPONSE_SUBJECT.match(subject) or _REPLY_SUBJECT_END.search(subject))
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
    for cue in rules.negatives.get("learned", ()):  # the user's corrections (appealwatch teach)
        if rules.applies(cue.key, sender.domain) and cue.search(low, present):
            return irrelevant(f"you taught that such mail is irrelevant ({cue.key})", 0.95)
    scores = {
        g: score(cues, low, hits, cjk, factual=g in ("restored", "denied"), present=present)
        for g, cues in rules.categories.items()
    }
    reading = read_restriction(low, rules, cjk)
    if reading.framings:
        explain.append(f"restriction: {reading.framing or 'none'} (+{reading.score:g}) in "
                       f"{reading.text!r}; framings {', '.join(reading.framings[:8])}")
    if reading.score:
        hits.append(Match(f"concepts.restriction.{reading.framing}", reading.text[:80],
                          reading.score))
    negatives: dict[str, float] = {}
    if scores.get("suspension") or reading.score:
        # negatives only ever count against a suspension reading
        for group, cues in rules.negatives.items():
            if reading.certain and group in _LOCK_OUTWEIGHS:
                continue  # an account that IS locked: the sign-in words explain the lock
            if score(cues, low, hits, cjk, present=present):
                negatives[group] = NEGATIVE_WEIGHTS.get(group, 2.0)
    if reading.requested:  # the user asked for it (the concept's words are wider)
        negatives["paused_by_user"] = NEGATIVE_WEIGHTS["paused_by_user"]
    if msg.list_unsubscribe or (msg.precedence or "") in ("bulk", "list", "junk"):
        negatives["bulk_headers"] = 1.0
    neg_total = sum(negatives.values())
    answers = bool(is_re or msg.in_reply_to or find_ticket(subject) is not None
                   or _REPLY_SUBJECT_END.search(subject))
    worded = scores.get("response", 0) >= 1
    # A notice may open like a reply ("after a thorough investigation we have determined"):
    # without a thread to answer, a restriction stated as done is read as a notice.
    if worded and not answers and reading.certain and max(
            scores.get(g, 0.0) for g in ("ticket_ack", "restored", "denied")) < 4:
        worded = False
    is_response = answers or worded
    if sender.weak_claim and not any(
        _PROVIDER_VOICE.search(h.text) for h in hits
        if h.key.startswith(("phrases.suspension", "concepts.restriction"))
    ):
        return irrelevant("names a provider only in passing, and does not speak as one", 0.8)
    susp = max(scores.get("suspension", 0.0), reading.score)
    not_the_users = bool(reading.framings) and not reading.score \
        and _NOT_THE_USERS.issuperset(reading.framings)
    if not_the_users:
        # every restriction word is someone else's, negated, hypothetical or quoted: the
        # phrases that matched them do not know that
        susp = min(susp, WEAK)
    pending = scores.get("pending", 0.0)
    restored = scores.get("restored", 0.0) - pending
    if restored >= 4 and susp >= 4:
        # a restriction and its lifting stated as facts in one message: the lifting is the news
        restored += 2
        susp -= 2
    denied = scores.get("denied", 0.0) - pending / 2
    # Each reading competes with the others; answering something the user sent favours the
    # acknowledgement/reply/decision readings, a message out of the blue favours a notice.
    bonus = 1.0 if is_response else -1.0
    # A person at the provider who asks for something, or says the matter is in progress, is
    # writing a support reply.
    asks = 2.0 if REQUEST.search(low) or (("?" in low or "？" in low) and questions(low)) \
        else 0.0
    reply = scores.get("support_reply", 0.0) + pending + asks
    for group in ("survey", "shipping"):  # "could you take two minutes …", "请补充地址"
        if not answers and any(cue.search(low, present) for cue in rules.negatives.get(group, ())):
            reply -= NEGATIVE_WEIGHTS[group]
    candidates = {
        "suspension": (susp - neg_total - bonus, SUSPENSION_THRESHOLD + 1),
        "ticket_ack": (scores.get("ticket_ack", 0.0) + bonus, ACK_THRESHOLD + 1),
        "support_reply": (reply + bonus, REPLY_THRESHOLD + 1),
        "restored": (restored + bonus, DECISION_THRESHOLD + 1),
        "denied": (denied + bonus * 1.5, DECISION_THRESHOLD + 1),
    }
    if reading.requested and not _APPEAL.search(low):
        # what the user asked for cannot be undone ("注销后无法恢复"): no appeal was denied
        candidates["denied"] = (0.0, DECISION_THRESHOLD + 1)
    # the subject of a reply names the thread's topic ("Re: 账号冻结申诉")
    about_a_case = bool(reading.framings or _CASE_WORDS.search(low) or ticket
                        or _CASE_WORDS.search(subject.lower())
                        or read_restriction(subject.lower(), rules, cjk).framings)
    if sender.kind not in ("genuine", "agent", "organisation") or (
            not about_a_case and sender.kind == "organisation"):
        # an impostor can only imitate a notice: that is what phishing is about here; and
        # an organisation's acknowledgements, replies and decisions are about a case only where
        # they speak of a restriction, an appeal or a ticket
        candidates = {"suspension": candidates["suspension"]}
    explain.append(
        "scores: " + ", ".join(f"{k}={v:g}" for k, v in scores.items() if v)
        + (f"; negatives: {', '.join(negatives)} (-{neg_total:g})" if negatives else "")
        + f"; response={is_response}"
    )
    if sender.kind == "organisation" and ("list_mail" in negatives or (
            "bulk_headers" in negatives and not reading.certain)):
        return irrelevant("an organisation's newsletter, list or bulk mail", 0.8, hits)
    eligible = {k: v for k, (v, threshold) in candidates.items() if v >= threshold}
    possible = False
    if not eligible:
        why = None if not_the_users else _possible(
            reading, candidates["suspension"][0], negatives, stranger=sender.kind == "organisation")
        if why is None:
            return irrelevant(
                "no notice, acknowledgement, reply or decision wording outweighs the negatives",
                confidence_of(SUSPENSION_THRESHOLD + 2, SUSPENSION_THRESHOLD,
                              max(v for v, _ in candidates.values())),
                hits,
            )
        explain.append(f"possible notice: {why}")
        possible = True
        eligible = {"suspension": candidates["suspension"][0]}
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
    if category == "suspension" and not possible and sender.kind == "organisation" \
            and not reading.certain:
        # a stranger's notice is certain only where it states the restriction itself
        explain.append("possible notice: an organisation outside the registry, and no "
                       "restriction of the user's own stated as done or scheduled")
        possible = True
    phishing = False
    reasons: tuple[str, ...] = ()
    if category == "suspension":
        found = phishing_reasons(msg, sender, sender.provider, trusted_authserv_ids, rules)
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
        possible=possible,
        explanation=tuple(explain),
    )


_NOT_THE_USERS = frozenset({"other", "negated", "requested", "quoted", "hypothetical",
                            "question"})
# negatives that a restriction stated as done outweighs: a lock explains itself with sign-ins
_LOCK_OUTWEIGHS = ("signin_alert", "password_reset")
# negatives that say what the message is, whatever restriction words it has
_DEFINITE_NEGATIVES = ("maintenance", "paused_by_user", "offtopic_suspension", "list_mail",
                       "usage_warning", "renewal_reminder", "inactivity", "inventory", "survey",
                       "sharing", "retirement", "promotion",
                       "protection")


def _possible(reading: Reading, margin: float, negatives: dict[str, float],
              stranger: bool) -> str | None:
    """Why a message that no reading claims may still be a notice (None: it is not one).
    Missing a notice is the worst failure, so mixed evidence is put to the user; but from an
    organisation outside the registry, a restriction word with nothing of the user's named is
    everyday mail ("online banking will be suspended on Sunday night")."""
    if reading.requested or any(n in negatives for n in _DEFINITE_NEGATIVES):
        return None
    if reading.certain or (reading.score >= WEAK and not stranger):
        return f"restriction wording ({reading.framing}) in {reading.text[:60]!r}"
    if margin >= SUSPENSION_THRESHOLD and not stranger:
        return f"a suspension reading just short of the threshold ({margin:g})"
    return None
