"""The backfill's header screen: which messages are worth fetching whole."""

from __future__ import annotations

import base64
import binascii
import quopri
import re

from appealwatch.classify.index import BYTES_HOMOGLYPHS
from appealwatch.classify.index import index as _index
from appealwatch.classify.sender import genuine_provider, identify_sender
from appealwatch.classify.text import normalise
from appealwatch.config import Rules
from appealwatch.parse import ParsedMessage

# words of a case that are not restriction words: appeals, tickets, restorations
_CASE_SUBJECT = (r"appeal|reinstat|restored|reactivat|ticket|case \W?\d|request #|unusual|"
                 r"申诉|工单|解封|解冻|复核")
# what an organisation's notice says in its subject when it names no restriction
_ORGANISATION_SUBJECT = re.compile(
    r"account|organi[sz]ation|access|login|sign.?in|action required|important|urgent|notice|"
    r"warning|violation|policy|review|^\s*(?:re|aw|回复|答复)\s*[:：]|"
    r"账号|账户|帐号|帐户|通知|提醒|警告|违规|重要", re.I)
_TELLING: dict[int, tuple[Rules, re.Pattern[str]]] = {}


def _telling_subject(rules: Rules) -> re.Pattern[str]:
    """Restriction words (the concepts' English and Chinese words) and a case's words."""
    hit = _TELLING.get(id(rules))
    if hit is not None and hit[0] is rules:
        return hit[1]
    words = [w for name in ("restriction", "restriction_noun")
             for lang in rules.concepts.get(name, ((), ())) for w in lang]
    english = sorted({w for w in words if w.isascii() and len(w) > 3}, key=len, reverse=True)
    chinese = sorted({w for w in words if not w.isascii()}, key=len, reverse=True)
    pattern = re.compile(
        "|".join([rf"\b(?:{'|'.join(re.escape(w) for w in english)})\b" if english else "(?!)",
                  "|".join(re.escape(w) for w in chinese) or "(?!)", _CASE_SUBJECT]), re.I)
    _TELLING[id(rules)] = (rules, pattern)
    return pattern


_ENCODED_WORD = re.compile(rb"=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=")


def _decoded(block: bytes) -> bytes:
    """Encoded words (RFC 2047) replaced by their text in UTF-8, so that a Chinese or other
    non-ASCII subject is screened like any other; one that cannot be decoded stays marked."""

    def one(m: re.Match[bytes]) -> bytes:
        charset, kind, data = m.groups()
        try:
            raw = (base64.b64decode(data + b"=" * (-len(data) % 4)) if kind in b"bB"
                   else quopri.decodestring(data.replace(b"_", b" "), header=True))
            return raw.decode(charset.decode("ascii").split("*")[0]).encode("utf-8")
        except (LookupError, ValueError, UnicodeError, binascii.Error):
            return b"=?"  # always passes
    return _ENCODED_WORD.sub(one, block)


def prescreen(header_block: bytes, rules: Rules) -> bool:
    """One look at the raw header lines, before any parsing: False when no word in them begins
    with a provider's name (digits read as look-alike letters), a look-alike of one, or a
    telling word (English, or Chinese in UTF-8), so the message cannot matter.  Encoded words
    (=?...?=) are decoded first; one that cannot be decoded always passes."""
    if b"=?" in header_block:
        header_block = _decoded(header_block)
    text = header_block.lower().translate(BYTES_HOMOGLYPHS).decode("latin-1")
    for end, (length, word_start) in _index(rules).stems.iter(text):
        start = end - length + 1
        if not word_start or start == 0 or not _word_char(text[start - 1]):
            return True
    return False


def _word_char(ch: str) -> bool:
    return "a" <= ch <= "z" or "0" <= ch <= "9"


def may_matter(headers: ParsedMessage, folder: str, rules: Rules) -> bool:
    """From the headers alone: can this message be about a case?  Used to skip fetching the
    bodies of everyday mail during a backfill.  Errs on the side of fetching.  It looks for
    what any notice has, not for a list of providers: restriction or case words in the
    subject (English and Chinese), an organisation writing about an account or answering the
    user, and in the spam folder anything from an organisation that speaks of an account."""
    subject = normalise(headers.subject)
    sender = identify_sender(headers, subject, "", rules)
    if sender.kind in ("genuine", "agent", "impostor"):
        return not (headers.list_id and sender.kind == "impostor")
    if any(genuine_provider(a.domain, rules) for a in headers.reply_to):
        return True
    if headers.list_id:
        return False
    if _telling_subject(rules).search(subject):
        return True
    if sender.kind == "organisation" or folder == "junk":
        return bool(_ORGANISATION_SUBJECT.search(subject))
    # a person who forwards a notice, or asks about an account
    return bool(_ACCOUNT_WORD.search(subject))


_ACCOUNT_WORD = re.compile(r"\baccount|organi[sz]ation|账号|账户|帐号|帐户", re.I)
