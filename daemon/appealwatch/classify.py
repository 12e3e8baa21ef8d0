"""Parsed message + folder -> Classification.  Pure and deterministic: no I/O, no network.

The decision is made in readable steps rather than by a learned model, so ``--explain`` can say
why: who sent it (a provider's genuine domain, a billing agent, an impostor, a person), what the
provider's own words say (quoted replies are removed first), which hard negatives match, and
whether anything about the sender, its authentication or its links gives a phishing attempt away.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import ahocorasick

from appealwatch.config import Cue, Provider, Rules
from appealwatch.parse import AuthResult, Link, ParsedMessage

CATEGORIES = ("suspension", "ticket_ack", "support_reply", "appeal_decision", "irrelevant")

# How much each hard-negative group counts against a suspension reading.
NEGATIVE_WEIGHTS = {
    "maintenance": 3.0,
    "paused_by_user": 4.0,
    "offtopic_suspension": 4.0,
    "usage_warning": 3.0,
    "signin_alert": 2.0,
    "password_reset": 2.0,
    "receipt": 2.0,
    "list_mail": 2.0,
}
SUSPENSION_THRESHOLD = 3.0
ACK_THRESHOLD = 3.0
REPLY_THRESHOLD = 3.0
DECISION_THRESHOLD = 3.0
MAX_SCAN_CHARS = 12_000  # a notice says what matters early; bounds regex work on huge mail


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
        }


# --------------------------------------------------------------------------- text preparation

_QUOTE_START = re.compile(
    r"^(?:-{2,}\s*(?:original message|forwarded message)\s*-{2,}"
    r"|begin forwarded message:"
    r"|on .{4,120}\b(?:wrote|writes):$"
    r"|.{0,80}\d{4}.{0,60}(?:wrote|writes):$"
    r"|_{10,}$"
    r"|-{5,}\s*原始邮件\s*-{5,}"
    r"|在.{2,80}写道[:：]$"
    r"|-{3,}\s*(?:回复|原邮件|转发).{0,20}$"
    # a help-desk history entry: a line holding only a date and time
    r"|(?:[a-z]{3,9}\.? \d{1,2},? \d{4}|\d{1,2} [a-z]{3,9}\.? \d{4}|\d{4}-\d{2}-\d{2}),? (?:at )?"
    r"\d{1,2}:\d{2}(?::\d{2})?(?: ?[ap]m)?(?: [a-z]{2,5}| [+-]\d{4})?$)",
    re.IGNORECASE,
)
_REPLY_MARKER = re.compile(r"^#+-? ?please (?:type|write) your reply above this line", re.I)
_IF_YOU_BELIEVE = re.compile(
    r"\bif you (?:believe|think|feel)[^.!?]*[.!?]|\b如果您认为[^。！？]*[。！？]", re.I
)
_WS = re.compile(r"\s+")
_TYPO = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "\u00a0": " ", "–": "-", "—": "-"})
_CJK = re.compile(r"[\u4e00-\u9fff]")
_LATIN = re.compile(r"[A-Za-z]")


def own_text(text: str) -> str:
    """The sender's own words: quoted replies and forwarded history removed."""
    out = []
    for line in text[: MAX_SCAN_CHARS * 2].splitlines():
        stripped = line.strip()
        if stripped.startswith(">") or _REPLY_MARKER.match(stripped):
            continue
        if _QUOTE_START.match(stripped) and out:
            break
        out.append(stripped)
    return "\n".join(out)[:MAX_SCAN_CHARS]


_INNER_DOT = re.compile(r"\.(?<=\w\.)(?=\w)")  # the literal first: a fast scan


def normalise(text: str) -> str:
    """Plain quotes, folded white space, and dots inside names (example.com, v1.2) replaced by a
    look-alike so that sentence-bounded phrases are not cut by them."""
    return _INNER_DOT.sub("\u2024", _WS.sub(" ", text.translate(_TYPO))).strip()


def detect_lang(text: str) -> str:
    if text.isascii():
        return "en"
    cjk = len(_CJK.findall(text))
    latin_words = len(_LATIN.findall(text)) / 5
    return "zh" if cjk >= 4 and cjk >= latin_words * 0.5 else "en"


# --------------------------------------------------------------------------- senders


def domain_in(domain: str, domains: tuple[str, ...] | frozenset[str]) -> bool:
    return any(domain == d or domain.endswith("." + d) for d in domains)


_HOMOGLYPHS = str.maketrans({"0": "o", "1": "l", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b"})


def _skeleton(label: str) -> str:
    return label.translate(_HOMOGLYPHS).replace("rn", "m").replace("vv", "w").replace("-", "")


def _edit_distance_le1(a: str, b: str) -> bool:
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diffs = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diffs) == 1 or (
            len(diffs) == 2 and diffs[1] == diffs[0] + 1 and a[diffs[0]] == b[diffs[1]]
            and a[diffs[1]] == b[diffs[0]]
        )
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


@dataclass(frozen=True, slots=True)
class _Index:
    exact: dict[str, Provider]  # alias token -> provider
    prefixes: tuple[str, ...]  # alias tokens of 5+ letters
    prefix_owner: dict[str, Provider]
    named: re.Pattern[str]  # any alias, as a word
    signs: re.Pattern[str]  # a greeting or signature in a provider's name (group "alias")
    alias_owner: dict[str, Provider]
    domains: dict[str, Provider]  # genuine sender domain -> provider
    stems: Any  # what prescreen looks for in raw headers (an Aho-Corasick automaton)


_INDEX: dict[int, tuple[Rules, _Index]] = {}  # the rules are kept so their id is never reused


def _index(rules: Rules) -> _Index:
    """Lookup tables built once per rule set: the hot path of a backfill asks these questions
    of every message in the mailbox."""
    hit = _INDEX.get(id(rules))
    if hit is not None and hit[0] is rules:
        return hit[1]
    exact: dict[str, Provider] = {}
    prefix_owner: dict[str, Provider] = {}
    alias_owner: dict[str, Provider] = {}
    domains: dict[str, Provider] = {}
    for provider in rules.providers:
        for domain in provider.domains:
            domains.setdefault(domain, provider)
        for alias in provider.aliases:
            alias_owner.setdefault(alias, provider)
            token = alias.replace(" ", "")
            if token.isascii() and len(token) >= 2:
                exact.setdefault(token, provider)
                if len(token) >= 5:
                    prefix_owner.setdefault(token, provider)
    words = sorted(alias_owner, key=len, reverse=True)
    named = re.compile("|".join(
        rf"(?<![a-z0-9]){re.escape(a)}(?![a-z0-9])" if a.isascii() else re.escape(a)
        for a in words))
    names = "|".join(re.escape(a) for a in words)
    signs = re.compile(
        rf"dear (?P<a1>{names}) (?:user|customer|member|client|account holder)"
        rf"|\b(?:the )?(?P<a2>{names}) (?:team|support|security|billing|trust|account team|service)"
        rf"|尊敬的(?P<a3>{names})(?:用户|会员|客户)"
    )
    built = _Index(exact, tuple(prefix_owner), prefix_owner, named, signs, alias_owner, domains,
                   _stem_matcher(exact))
    _INDEX[id(rules)] = (rules, built)
    return built


def genuine_provider(domain: str, rules: Rules) -> Provider | None:
    """The provider whose genuine domain (or a sub-domain of it) this is."""
    domains = _index(rules).domains
    labels = domain.split(".")
    for i in range(len(labels) - 1):
        found = domains.get(".".join(labels[i:]))
        if found is not None:
            return found
    return None


def imitated_provider(domain: str, rules: Rules) -> Provider | None:
    """A provider whose name a (non-genuine) domain imitates: paypa1-secure.com, 0penai.help,
    apple.com.verify.example, appleid-billing.com.  A word that merely contains a name
    (pineapple, email) is not an imitation."""
    index = _index(rules)
    for raw in re.split(r"[^a-z0-9]+", domain.lower()):
        if not raw:
            continue
        skeleton = _skeleton(raw)
        found = index.exact.get(raw) or (index.exact.get(skeleton) if skeleton != raw else None)
        if found:
            return found
        for word in (raw, skeleton):
            if word.startswith(index.prefixes):
                for token in index.prefixes:
                    if len(word) > len(token) and word.startswith(token):
                        return index.prefix_owner[token]
    return None


def _named(text: str, rules: Rules) -> Provider | None:
    """The provider a display name or subject names, as a word (the earliest one named)."""
    if not text:
        return None
    m = _index(rules).named.search(text.lower())
    return _index(rules).alias_owner[m.group(0)] if m else None


_SIGN_WINDOW = 3000


def _signs_as(text: str, rules: Rules) -> Provider | None:
    """A body that greets or signs as a provider ("Dear PayPal customer", "The OpenAI team"):
    greetings open a message and signatures close it, so a long body is read at both ends."""
    if not text:
        return None
    if len(text) > 2 * _SIGN_WINDOW:
        text = f"{text[:_SIGN_WINDOW]}\n{text[-_SIGN_WINDOW:]}"
    index = _index(rules)
    m = index.signs.search(text.lower())
    return index.alias_owner[m["a1"] or m["a2"] or m["a3"]] if m else None


@dataclass(frozen=True, slots=True)
class Sender:
    kind: str  # genuine | agent | impostor | person | unknown
    provider: Provider | None
    domain: str
    lookalike: bool = False
    weak_claim: bool = False  # an impostor named only by the subject or body text


_SERVICE_LOCAL = re.compile(
    r"^(?:no-?reply|do-?not-?reply|noreply|service|support|notice|notification|security|account|"
    r"billing|help|info|alert|system|10000)", re.I
)


def identify_sender(msg: ParsedMessage, subject: str, body: str, rules: Rules) -> Sender:
    addr = msg.from_
    domain = addr.domain if addr else ""
    name = addr.name if addr else ""
    genuine = genuine_provider(domain, rules) if domain else None
    if genuine and domain_in(domain, rules.freemail):
        local = addr.address.split("@")[0] if addr else ""
        if not (_SERVICE_LOCAL.match(local) or _named(name, rules) is genuine):
            genuine = None  # a person with a mailbox at the provider
    named = _named(name, rules) if name else None
    if domain and domain_in(domain, rules.agents) and named and named is not genuine:
        return Sender("agent", named, domain)
    if genuine:
        return Sender("genuine", genuine, domain)
    if domain and domain_in(domain, rules.freemail):
        return Sender("person", None, domain)
    lookalike = imitated_provider(domain, rules) if domain else None
    if named or lookalike:
        claimed = named or lookalike
        return Sender("impostor", claimed, domain, lookalike=lookalike is claimed)
    claimed = _named(subject, rules) or _signs_as(body, rules)
    if claimed:
        return Sender("impostor", claimed, domain, weak_claim=True)
    return Sender("unknown", None, domain)


# --------------------------------------------------------------------------- scoring


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


def _score(cues: tuple[Cue, ...], text: str, hits: list[Match] | None = None,
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


def _reason_scores(rules: Rules, text: str, hits: list[Match], cjk: bool,
                   present: frozenset[str] | None = None) -> dict[str, float]:
    """``present``: Rules.literals_in of ``text`` (or of a text containing it)."""
    text = _IF_YOU_BELIEVE.sub(" ", text)
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


# --------------------------------------------------------------------------- identifiers

class _Folded:
    """A case-insensitive pattern run over lower-cased text: Python's regular expressions are
    several times slower with IGNORECASE.  Group spans are taken from the original text, so a
    captured identifier keeps its case.  ``guard``: a lower-case literal every match contains
    (the search is skipped when it is absent)."""

    def __init__(self, pattern: str, guard: str | None = None) -> None:
        self.folded = re.compile(pattern.replace("A-Z", "a-z"))
        self.exact = re.compile(pattern, re.I)
        self.guard = guard

    def groups(self, text: str, low: str) -> Iterator[str]:
        if self.guard is not None and self.guard not in low:
            return
        if len(low) != len(text):  # a character whose lower case is longer (rare)
            yield from (m.group(1) for m in self.exact.finditer(text))
            return
        for m in self.folded.finditer(low):
            yield text[m.start(1) : m.end(1)]


_TICKET_PATTERNS = (
    _Folded(
        r"(?:ticket|case|request|reference|ref|incident|appeal|inquiry|enquiry)"
        r"(?:\s*(?:number|no\.?|id|#))?(?:\s+is)?\s*[:#：]?\s*#?\s*([A-Z0-9][A-Z0-9_-]{3,40})\b"
    ),
    _Folded(r"(?:工单|申诉|案件|问题)\s*(?:号|编号|id)?\s*[:：#]?\s*([A-Z]{0,4}\d[A-Z0-9-]{3,30})"),
    _Folded(r"\[#\s*([A-Z0-9-]*\d[A-Z0-9-]{3,30})\]", guard="[#"),
)
_DATE_LIKE = re.compile(r"^(?:19|20)\d{2}-?(?:0[1-9]|1[0-2])-?(?:0[1-9]|[12]\d|3[01])$")


def find_ticket(*texts: str) -> str | None:
    for text in texts:
        low = text.lower()
        for pattern in _TICKET_PATTERNS:
            for found in pattern.groups(text, low):
                token = found.strip("-_")
                if (len(token) >= 4 and any(ch.isdigit() for ch in token)
                        and not _DATE_LIKE.match(token)):
                    return token
    return None


_ACCOUNT_PATTERNS = (
    _Folded(r"\b(org-[A-Za-z0-9]{8,40})\b", guard="org-"),
    _Folded(r"\b(acct_[A-Za-z0-9]{8,40})\b", guard="acct_"),
    _Folded(
        r"\b(?:account|organi[sz]ation|org|project|merchant|seller|customer|ad account|app|user)"
        r"\s*(?:id|number|no\.?|#)\s*[:#]?\s*"
        r"([A-Za-z0-9][A-Za-z0-9_-]{5,40}|\d{4}[ -]\d{4}[ -]\d{4})"
    ),
    _Folded(r"(?:账号|帐号|账户|帐户|组织|用户|主账号)\s*(?:id|uid|编号)\s*[:：]?\s*([A-Za-z0-9_-]{6,40})"),
)


def find_account_ids(text: str) -> tuple[str, ...]:
    found: list[str] = []
    low = text.lower()
    for pattern in _ACCOUNT_PATTERNS:
        for group in pattern.groups(text, low):
            token = group.replace(" ", "-")
            if any(ch.isdigit() for ch in token) and token not in found:
                found.append(token)
    return tuple(found[:10])


# --------------------------------------------------------------------------- phishing


def trusted_auth(msg: ParsedMessage, trusted_ids: tuple[str, ...]) -> AuthResult | None:
    """The Authentication-Results the receiving server wrote; never one the sender wrote."""
    if not msg.auth_results:
        return None
    if trusted_ids:
        wanted = {t.lower() for t in trusted_ids}
        return next((r for r in msg.auth_results if r.authserv_id in wanted), None)
    return msg.auth_results[0]


_ACTION_TEXT = re.compile(
    r"\b(?:verify|confirm|log ?in|sign ?in|restore|reactivate|unlock|update|pay|appeal|review|"
    r"secure|validate|click|resolve|continue|submit)\b|验证|登录|恢复|解封|解冻|支付|申诉|确认|立即",
    re.I,
)


def _url_like_host(text: str) -> str | None:
    m = re.search(r"(?:https?://)?((?:[a-z0-9-]+\.)+[a-z]{2,})", text.lower())
    return m.group(1) if m else None


def phishing_reasons(
    msg: ParsedMessage, sender: Sender, provider: Provider, trusted_ids: tuple[str, ...]
) -> list[str]:
    reasons: list[str] = []
    legit_sender = sender.kind in ("genuine", "agent")
    if not legit_sender:
        what = "imitates" if sender.lookalike else "is not one of"
        domain = sender.domain or "(none)"
        reasons.append(f"sender domain {domain} {what} {provider.name}'s domains")
    auth = trusted_auth(msg, trusted_ids)
    if legit_sender and auth is not None:
        if auth.dmarc in ("fail",):
            reasons.append(f"DMARC fails for a From address at {sender.domain}")
        elif auth.spf in ("fail", "softfail") and auth.dkim != "pass":
            reasons.append(f"SPF {auth.spf} and no valid DKIM signature for {sender.domain}")
        elif auth.dkim == "fail" and auth.spf not in ("pass",):
            reasons.append(f"DKIM fails and SPF does not pass for {sender.domain}")
    allowed = provider.link_domains + ((sender.domain,) if legit_sender else ())
    outside: list[Link] = [
        link for link in msg.links
        if link.host and link.href.lower().startswith(("http:", "https:"))
        and not domain_in(link.host, allowed)
    ]
    suspicious = []
    for link in outside:
        shown = _url_like_host(link.text)
        deceptive = shown is not None and domain_in(shown, allowed) and shown != link.host
        if deceptive or _ACTION_TEXT.search(link.text) or not legit_sender or reasons:
            suspicious.append(link.host)
    if suspicious:
        hosts = ", ".join(dict.fromkeys(suspicious))
        reasons.append(f"links lead outside {provider.name}'s domains: {hosts}")
    return reasons


# --------------------------------------------------------------------------- the classifier


def _confidence(top: float, threshold: float, rival: float) -> float:
    margin = (top - threshold) + (top - rival) / 2
    return round(min(0.99, max(0.5, 1 / (1 + math.exp(-margin / 2.5)))), 2)


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
    cjk = bool(_CJK.search(text))
    present = rules.literals_in(low)
    scores = {
        g: _score(cues, low, hits, cjk, factual=g in ("restored", "denied"), present=present)
        for g, cues in rules.categories.items()
    }
    negatives: dict[str, float] = {}
    if scores.get("suspension"):  # negatives only ever count against a suspension reading
        for group, cues in rules.negatives.items():
            if _score(cues, low, hits, cjk, present=present):
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
    asks = 2.0 if _REQUEST.search(low) or (("?" in low or "？" in low) and _questions(low)) \
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
            _confidence(SUSPENSION_THRESHOLD + 2, SUSPENSION_THRESHOLD,
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
        reason_scores = _reason_scores(rules, low, reason_hits, cjk, present)
        reason = choose_reason(reason_scores)
        hits += reason_hits
        explain.append(
            "reason scores: " + ", ".join(f"{k}={v:g}" for k, v in reason_scores.items())
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
        confidence=_confidence(top, candidates[best][1], rival),
        cues=cues,
        account_ids=accounts,
        explanation=tuple(explain),
    )


# --------------------------------------------------------------------------- facts for cases

_REQUEST = re.compile(
    r"\b(?:could|can|would) you (?:please |kindly )?\w+|\bplease (?:provide|send|confirm|reply|"
    r"share|attach|upload|describe|explain|tell|let us know|include|answer|submit|forward)\b"
    r"|\b(?:we|i) (?:need|require) (?:some|more|additional|a few|further|the following|two|three)?"
    r" ?(?:information|details|things|documents|items|answers)\b"
    r"|\b(?:we|i) (?:need|require|would like) you to\b"
    r"|(?:请(?!勿|不要)|麻烦)(?:您)?[^，。！？\n]{0,8}(?:提供|补充|确认|回复|上传|告知|说明|发送|附上)",
    re.I,
)
_NOTHING_TO_DO = re.compile(
    r"\b(?:nothing (?:else )?(?:you need|for you) to (?:do|send)|(?:you )?(?:don't|do not) need to "
    r"(?:do|send|provide) anything|no (?:further )?action (?:is )?(?:required|needed))\b|无需",
    re.I,
)
_LIST_ITEM = re.compile(r"^\s*(?:[-•*·]|\d{1,2}[.)]|[一二三四五六七八九十]、|\(\d\))\s+(.{8,300})$")
_MARK = re.compile(r"[?？]")


def _questions(text: str) -> list[str]:
    """Sentences ending in a question mark, found from the marks (linear in the text)."""
    found = []
    for m in _MARK.finditer(text):
        end = m.start()
        start = max(text.rfind(stop, 0, end) for stop in ".!?。！？\n") + 1
        if 8 <= end - start <= 300:
            found.append(text[start : end + 1])
    return found


def asks_user(text: str) -> bool:
    """Does a support message ask the user for something?"""
    own = own_text(text)
    if _NOTHING_TO_DO.search(own) and "?" not in own and "？" not in own:
        return False
    return bool(_REQUEST.search(own) or _questions(own))


def extract_questions(text: str, limit: int = 8) -> list[str]:
    """The questions and requested items of a support message, for the answer draft."""
    own = own_text(text)
    found: list[str] = []
    current: list[str] | None = None
    for line in [*own.splitlines(), ""]:
        m = _LIST_ITEM.match(line)
        if m or not line.strip():
            if current:
                found.append(" ".join(" ".join(current).split()))
            current = [m.group(1)] if m else None
        elif current is not None:
            current.append(line)  # a list item continued on the next line
    for question in _questions(own.replace("\n", " ")):
        q = " ".join(question.split())
        if not any(q in f or f in q for f in found):
            found.append(q)
    return found[:limit]


_AMOUNT = re.compile(
    r"(?:US\$|\$|€|£|¥|￥|RMB|CNY|USD|EUR|GBP)\s?\d[\d,]*(?:\.\d{1,2})?"
    r"|\d[\d,]*(?:\.\d{1,2})?\s?(?:USD|EUR|GBP|CNY|元)"
)
_TRANSACTION = re.compile(
    r"\b(?:ch|pi|py|in|txn|tx)_[A-Za-z0-9]{8,40}\b"
    r"|(?:transaction|payment|receipt|invoice|order|reference)(?: id| number| no\.?| #)?\s*[:#]?\s*"
    r"#?([A-Z0-9][A-Z0-9-]{5,40})"
    r"|(?:交易号|订单号|流水号|交易单号)[:：]?\s*([A-Za-z0-9-]{6,40})",
    re.I,
)


def payment_facts(subject: str, text: str) -> dict[str, list[str]]:
    """Amounts and transaction ids in a receipt or payment mail (evidence for payment appeals)."""
    body = f"{subject}\n{text[:MAX_SCAN_CHARS]}"
    amounts = list(dict.fromkeys(m.group(0).strip() for m in _AMOUNT.finditer(body)))[:5]
    ids: list[str] = []
    for m in _TRANSACTION.finditer(body):
        token = next((g for g in m.groups() if g), m.group(0)).strip()
        if any(ch.isdigit() for ch in token) and token not in ids:
            ids.append(token)
    if not amounts and not ids:
        return {}
    return {"amounts": amounts, "transaction_ids": ids[:5]}


# --------------------------------------------------------------------------- backfill prefilter

_TELLING_SUBJECT = re.compile(
    r"suspend|deactivat|disabled|restrict|locked|terminat|banned|blocked|frozen|on hold|paused|"
    r"revoked|appeal|reinstat|restored|reactivat|ticket|case \W?\d|request #|unusual|"
    r"封|冻结|停用|停机|停服|限制|申诉|工单|解封|解冻",
    re.I,
)


_BYTES_HOMOGLYPHS = bytes.maketrans(b"0134578", b"oleastb")
# the beginnings of words that make a message worth fetching even from a stranger
_TELLING_STEMS = (b"suspend", b"deactivat", b"disabl", b"restrict", b"lock", b"terminat", b"ban",
                  b"block", b"frozen", b"freez", b"hold", b"pause", b"revok", b"appeal",
                  b"reinstat", b"restor", b"reactivat", b"ticket", b"case", b"unusual",
                  b"account", b"organi", b"access", b"login", b"signin", b"verif", b"limit")
_TELLING_CJK = tuple(w.encode() for w in ("封", "冻结", "停用", "停机", "停服", "限制", "申诉",
                                          "工单", "解封", "解冻", "账号", "账户", "帐号", "帐户"))


def _stem_matcher(tokens: Iterable[str]) -> Any:
    """An Aho-Corasick automaton over what ``prescreen`` looks for: the telling stems and the
    providers' name ``tokens`` (with their "rn" for "m" look-alikes)."""
    stems = {s.decode() for s in _TELLING_STEMS}
    for token in tokens:
        stems.add(token)
        if "m" in token:
            stems.add(token.replace("m", "rn"))
    matcher = ahocorasick.Automaton(ahocorasick.STORE_ANY)
    for stem in stems:
        matcher.add_word(stem, (len(stem), True))  # must begin a word
    # anywhere: an encoded word (=?...?=) hides its text; Chinese words as UTF-8 bytes
    for anywhere in (b"=?", *_TELLING_CJK):
        matcher.add_word(anywhere.decode("latin-1"), (len(anywhere), False))
    matcher.make_automaton()
    return matcher


def prescreen(header_block: bytes, rules: Rules) -> bool:
    """One look at the raw header lines, before any parsing: False when no word in them begins
    with a provider's name (digits read as look-alike letters), a look-alike of one, or a
    telling word, so the message cannot matter.  Encoded words (=?...?=) hide their text, so
    such headers always pass."""
    text = header_block.lower().translate(_BYTES_HOMOGLYPHS).decode("latin-1")
    for end, (length, word_start) in _index(rules).stems.iter(text):
        start = end - length + 1
        if not word_start or start == 0 or not _word_char(text[start - 1]):
            return True
    return False


def _word_char(ch: str) -> bool:
    return "a" <= ch <= "z" or "0" <= ch <= "9"


_ACCOUNT_WORD = re.compile(r"account|organi[sz]ation|access|login|sign.?in|账号|账户|帐号|帐户",
                           re.I)


def may_matter(headers: ParsedMessage, folder: str, rules: Rules) -> bool:
    """From the headers alone: can this message be about a case?  Used to skip fetching the
    bodies of everyday mail during a backfill.  Errs on the side of fetching."""
    subject = normalise(headers.subject)
    sender = identify_sender(headers, subject, "", rules)
    if sender.kind in ("genuine", "agent", "impostor"):
        return not (headers.list_id and sender.kind == "impostor")
    if any(genuine_provider(a.domain, rules) for a in headers.reply_to):
        return True
    if headers.list_id:
        return False
    if folder == "junk" and _ACCOUNT_WORD.search(subject):
        return True  # notices hide in spam: there, any subject about an account is fetched
    return bool(_TELLING_SUBJECT.search(subject))
