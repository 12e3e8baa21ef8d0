"""Reading the restriction as concepts: a restriction word, an object of the user's in the same
sentence, and the sentence's framing, so that wording no rule has seen is still read right.

    "Your droplets have been powered off and locked"      done, an object  -> a notice
    "API access will be suspended on 3 June unless ..."   scheduled         -> a notice
    "Accounts that violate these terms may be suspended"  hypothetical      -> nothing
    "Your account has not been restricted"                negated           -> nothing
    "The seller's account was suspended"                  someone else's    -> nothing
    "As you requested, we have closed your account"       asked by the user -> nothing

The words are data (``[concepts]`` in rules.toml); this module only puts them together.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import ahocorasick

from appealwatch.classify.index import trie
from appealwatch.config import Rules

DONE = "done"
SCHEDULED = "scheduled"
# what a restriction word with its object and framing adds to the suspension reading
WARNING = "warning"  # "may" addressed to the user, on a condition of theirs
WEIGHTS = {DONE: 5.0, SCHEDULED: 4.0, WARNING: 4.0}
WEAK = 2.0  # done or scheduled, but no object of the user's is named: a possible notice

_SENTENCE_END = re.compile(r"[.!?;。！？；\n]")
# the auxiliaries of a statement of fact: "has been suspended", "is now locked", "remains closed"
_EN_DONE = re.compile(r"\b(?:has|have|had|was|were|is|are|been|being|got|gets|remains?)\b")
# "we suspended", "we've temporarily limited", "we have had to close"
_EN_WE = re.compile(r"\bwe(?:'ve|'d| have| had)?(?: (?:now|also|recently|temporarily|permanently|"
                    r"therefore|since|had to|have had to|needed to|decided to|been forced to|"
                    r"are|were|will))* $")
_ZH_DONE = re.compile(r"已|被|遭|对(?:您|你)")
_HOST = re.compile(r"\b[a-z0-9-]+(?:\u2024[a-z0-9-]+)*\u2024[a-z]{2,}\b")  # a site (dots made ․)
# a report the user made about someone else: what was done is done to them
_REPORTED = re.compile(
    r"[你您]举报的|被举报|\b(?:account|user|content|post|video|seller)s? you reported\b")
_REMINDER = re.compile(r"\s*(?:提醒|预警|风险提示|公告)")
_ADVICE_ZH = re.compile(r"请(?:您)?(?:及时|立即|尽快|马上)?$")
_IF = re.compile(r"\b(?:if|unless|whether)\s*$|(?:如果|若|如非|若非)$")
_YOURS = re.compile(r"\byours?\b|您的|你的")
_YOUR = re.compile(r"\byour\b|\byou\b|您|你")
_WORD = re.compile(r"[\w'-]+")


@dataclass(frozen=True, slots=True)
class Reading:
    score: float = 0.0  # the strongest occurrence's weight
    # done | scheduled | warning | hypothetical | negated | other | requested | quoted |
    # question | mention
    framing: str = ""
    text: str = ""  # the sentence it was read in (shortened)
    requested: bool = False  # the user asked for a restriction somewhere in the message
    framings: tuple[str, ...] = ()  # every occurrence's framing, in order

    @property
    def certain(self) -> bool:
        return self.score >= WEIGHTS[SCHEDULED]


@dataclass(frozen=True, slots=True)
class _Compiled:
    verb_en: re.Pattern[str]
    verb_zh: re.Pattern[str]
    noun_en: re.Pattern[str]
    noun_zh: re.Pattern[str]
    object_en: re.Pattern[str]
    object_zh: re.Pattern[str]
    other: re.Pattern[str]
    request: re.Pattern[str]
    hypo_en: re.Pattern[str]
    hypo_zh: re.Pattern[str]
    sched_en: re.Pattern[str]
    sched_zh: re.Pattern[str]
    neg_en: re.Pattern[str]
    neg_zh: re.Pattern[str]
    condition: re.Pattern[str]
    finder: Any  # an Aho-Corasick automaton: word -> (its length, the kinds it is)
    zh_yours: re.Pattern[str]  # "您的" + an object, the topic of a Chinese sentence
    ambiguous: frozenset[str]


_COMPILED: dict[int, tuple[Rules, _Compiled]] = {}


def _words(words: tuple[str, ...], bounded: bool) -> re.Pattern[str]:
    if not words:
        return re.compile(r"(?!)")
    alts = trie(set(words))  # one branch per next character, not a hundred words in turn
    return re.compile(rf"(?<![\w'])(?:{alts})(?![\w])" if bounded else f"(?:{alts})")


def _compiled(rules: Rules) -> _Compiled:
    hit = _COMPILED.get(id(rules))
    if hit is not None and hit[0] is rules:
        return hit[1]

    def en(name: str) -> tuple[str, ...]:
        return rules.concepts.get(name, ((), ()))[0]

    def zh(name: str) -> tuple[str, ...]:
        return rules.concepts.get(name, ((), ()))[1]

    kinds: dict[str, list[str]] = {}
    for kind, words in (("verb_en", en("restriction")), ("noun_en", en("restriction_noun")),
                        ("verb_zh", zh("restriction")),
                        ("request", en("user_request") + zh("user_request"))):
        for word in words:
            kinds.setdefault(word, []).append(kind)
    finder = ahocorasick.Automaton(ahocorasick.STORE_ANY)
    for word, its in kinds.items():
        finder.add_word(word, (len(word), tuple(dict.fromkeys(its))))
    if kinds:
        finder.make_automaton()
    built = _Compiled(
        finder=finder,
        verb_en=_words(en("restriction"), True), verb_zh=_words(zh("restriction"), False),
        noun_en=_words(en("restriction_noun"), True), noun_zh=_words(zh("restriction_noun"), False),
        object_en=_words(en("object"), True), object_zh=_words(zh("object"), False),
        other=re.compile(f"{_words(en('other_party'), True).pattern}|"
                         f"{_words(zh('other_party'), False).pattern}"),
        request=re.compile(f"{_words(en('user_request'), True).pattern}|"
                           f"{_words(zh('user_request'), False).pattern}"),
        hypo_en=_words(en("hypothetical"), True), hypo_zh=_words(zh("hypothetical"), False),
        sched_en=_words(en("scheduled"), True), sched_zh=_words(zh("scheduled"), False),
        neg_en=_words(en("negation"), True), neg_zh=_words(zh("negation"), False),
        zh_yours=re.compile(f"[您你]的[^，。！？,]{{0,8}}?{_words(zh('object'), False).pattern}"),
        condition=re.compile(f"{_words(en('condition'), True).pattern}|"
                             f"{_words(zh('condition'), False).pattern}"),
        ambiguous=frozenset(en("ambiguous") + zh("ambiguous")),
    )
    _COMPILED[id(rules)] = (rules, built)
    return built


def _sentence_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    begin = max((m.end() for m in _SENTENCE_END.finditer(text, max(0, start - 300), start)),
                default=max(0, start - 300))
    stop = _SENTENCE_END.search(text, end)
    return begin, min(stop.start() if stop else len(text), end + 300)


_PHRASE_END = frozenset({"because", "due", "since", "until", "while", "and", "but", "as", "if",
                         "when", "even", "though", "although", "so", "after", "before"})


def _object_phrase(after: str) -> str:
    """The words right after a restriction word, up to a conjunction: what was restricted, and
    where ("suspending a lot of accounts", "limited on the free plan", not "suspended even
    though their …")."""
    words = []
    for word in _WORD.findall(after[:120])[:4]:
        if word in _PHRASE_END:
            break
        words.append(word)
    return " ".join(words)


def _first_words(text: str, n: int) -> str:
    return " ".join(_WORD.findall(text[:200])[:n])


def _last_words(text: str, n: int) -> str:
    return " ".join(_WORD.findall(text)[-n:])


# "the limitation has been removed", "the hold was lifted": the restriction is what went
_LIFTED = re.compile(r"\s*(?:(?:has|have|had) been|was|were|is|are)(?: now)? (?:removed|lifted|"
                     r"cleared|reversed|released|resolved)|\s*(?:is|are) no longer")
_LIFT_VERB = re.compile(r"\b(?:remov|lift|clear|releas|revers|resolv)(?:ed|ing|e)?\b")
_LIFTING = frozenset({"removed", "removing", "deleted", "cancelled", "canceled"})


def _framing(c: _Compiled, sentence: str, before: str, after: str, zh: bool,
             requested: bool, word: str = "") -> str:
    """How the restriction word between ``before`` and ``after`` is framed (``requested``: the
    message says somewhere that the user asked for a restriction)."""
    if zh:
        near = before[-4:]
        if c.neg_zh.search(near) or c.neg_zh.match(after[:3]):
            return "negated"  # "未被封禁", "锁定解除"
        if requested and c.request.search(sentence):
            return "requested"
        if _REPORTED.search(sentence) or (
                c.other.search(before[-12:]) and not _YOUR.search(before[-12:])):
            return "other"
        if c.hypo_zh.search(before[-12:]):
            return WARNING if c.condition.search(sentence) and _YOUR.search(sentence) \
                else "hypothetical"
        if _ADVICE_ZH.search(before[-4:]):
            return "hypothetical"  # "如非本人操作，请及时冻结": advice, the user would do it
        if _REMINDER.match(after):
            return "hypothetical"  # "停机提醒", "暂停公告": what may come, or is for everyone
        if c.sched_zh.search(before[-8:]) or c.sched_zh.search(sentence[:4]):
            return SCHEDULED
        if _ZH_DONE.search(before[-10:]) or not before.strip():
            return DONE
        # a headline: "账号封禁通知", "【某云】实例停机提醒"
        return DONE if len(before) <= 14 and len(sentence) <= 30 else "mention"
    words = _WORD.findall(before[-160:])
    if c.neg_en.search(" ".join(words[-4:])):
        return "negated"
    if word in _LIFTING and (c.noun_en.search(" ".join(words[-4:]))
                             or c.noun_en.search(_first_words(after, 3))):
        return "negated"  # "the limitation has been removed": the restriction is what went
    if requested and c.request.search(sentence):
        return "requested"
    if _REPORTED.search(sentence) or (c.other.search(before) and not _YOURS.search(before)):
        return "other"
    if words[-1:] == ["please"]:
        return "hypothetical"  # "please lock your card": advice, the user would do it
    following = _object_phrase(after)
    if c.other.search(following) and not _YOURS.search(following):
        return "other"  # "we end up suspending a lot of accounts"
    if c.hypo_en.search(" ".join(words[-3:])):
        return WARNING if c.condition.search(sentence) and _YOUR.search(sentence) \
            else "hypothetical"
    last5 = " ".join(words[-5:])
    if c.sched_en.search(last5):
        return SCHEDULED
    if _EN_DONE.search(last5) or _EN_WE.search(before):
        return DONE
    # a headline: "Account suspended", "Your store temporarily deactivated"
    if len(words) <= 5 and c.object_en.search(" ".join(words[-3:])):
        return DONE
    return "mention"


def _found(c: _Compiled, text: str, cjk: bool) -> list[tuple[int, int, str]]:
    """Where the restriction words and the user-request phrases stand: (start, end, kind), in
    order.  One pass of an Aho-Corasick automaton over the text; per kind, the longest word at
    the leftmost place, English words as whole words (what a regular expression of the words
    would find, several times faster)."""
    hits: dict[str, list[tuple[int, int]]] = {}
    for end, (length, kinds) in c.finder.iter(text):
        start = end - length + 1
        for kind in kinds:
            if kind == "verb_zh" and not cjk:
                continue
            if text[start].isascii() and not (
                    (start == 0 or not _word_char(text[start - 1]))
                    and (end + 1 >= len(text) or not _word_char(text[end + 1]))):
                continue
            hits.setdefault(kind, []).append((start, end + 1))
    out = []
    for kind, spans in hits.items():
        last = -1
        for start, stop in sorted(spans, key=lambda sp: (sp[0], -sp[1])):
            if start >= last:
                out.append((start, stop, kind))
                last = stop
    out.sort()
    return out


def _word_char(ch: str) -> bool:
    return ch.isalnum() or ch in "_'"


def read_restriction(text: str, rules: Rules, cjk: bool) -> Reading:
    """The strongest restriction statement in ``text`` (lower-case, normalised)."""
    c = _compiled(rules)
    found = _found(c, text, cjk)
    # "you paused it" tells what the user did; "if you didn't pause it" does not
    requested = any(kind == "request" and not _IF.search(text[max(0, s - 12):s])
                    for s, _e, kind in found)
    found = [f for f in found if f[2] != "request"]
    best = Reading(requested=requested)
    framings: list[str] = []
    for start, stop, kind in found[:40]:
        zh, noun = kind == "verb_zh", kind == "noun_en"
        begin, end = _sentence_bounds(text, start, stop)
        sentence = text[begin:end]
        before, after = text[begin:start], text[stop:end]
        if before.count('"') % 2:
            framing = "quoted"  # reported speech: "'your account has been suspended' is a lure"
        elif text[end : end + 1] in ("?", "？") or "是否" in sentence or sentence.endswith("吗"):
            framing = "question"  # "was your account frozen before?" asks, it does not tell
        elif noun:
            framing = _noun_framing(c, sentence, before, after)
        else:
            framing = _framing(c, sentence, before, after, zh, requested, text[start:stop])
        framings.append(framing)
        weight = WEIGHTS.get(framing, 0.0)
        if not weight:
            continue
        obj = c.object_zh if zh else c.object_en
        if zh:  # the object near the word, or the sentence's topic: "您的域名……已被暂停解析"
            near = f"{before[-20:]} {re.split('[，,]', after[:12])[0]}"
            has_object = bool(obj.search(near) or c.object_en.search(near)
                              or c.zh_yours.search(before))
        else:  # the thing restricted: "your account has been X", "we X access to your API"
            near = f"{_last_words(before, 7)} {_first_words(after, 6)}"
            has_object = bool(obj.search(near) or _HOST.search(near))
        if not has_object:
            if noun or text[start:stop] in c.ambiguous:
                continue
            weight = WEAK
        elif noun and framing == DONE:
            weight -= 1.0
        if weight > best.score:
            best = Reading(weight, framing, sentence.strip()[:160], requested)
    if requested:  # the user asked for it, in this sentence or another: not a notice
        return Reading(0.0, "requested", best.text, requested, tuple(framings))
    return Reading(best.score, best.framing, best.text, requested, tuple(framings))


def _noun_framing(c: _Compiled, sentence: str, before: str, after: str) -> str:
    """A noun of restriction counts where it is put on something of the user's: "a hold on
    your payouts", "the suspension of your account", "your account's suspension"."""
    near = _last_words(before, 4)
    if (c.neg_en.search(near) or c.request.search(sentence) or _LIFTED.match(after)
            or _LIFT_VERB.search(_last_words(before, 3))):
        return "negated"
    hypothetical = c.hypo_en.search(near) or c.hypo_en.search(_last_words(before, 8))
    if hypothetical and c.condition.search(sentence):
        return WARNING  # "failure to respond may result in the suspension of the account"
    if hypothetical or (c.other.search(sentence) and not _YOUR.search(sentence)):
        return "hypothetical"
    own_after = re.match(r"\s*(?:of|on|to|against|for)\s+(?:your|the|this)\b", after)
    own_before = re.search(r"\byour\b[^.!?]{0,40}$", before)
    if not (own_after or own_before):
        return "mention"
    return SCHEDULED if c.sched_en.search(_last_words(before, 5)) else DONE
