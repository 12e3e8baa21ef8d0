"""The backfill's header screen: which messages are worth fetching whole."""

from __future__ import annotations

import re

from appealwatch.classify.index import BYTES_HOMOGLYPHS
from appealwatch.classify.index import index as _index
from appealwatch.classify.sender import genuine_provider, identify_sender
from appealwatch.classify.text import normalise
from appealwatch.config import Rules
from appealwatch.parse import ParsedMessage

_TELLING_SUBJECT = re.compile(
    r"suspend|deactivat|disabled|restrict|locked|terminat|banned|blocked|frozen|on hold|paused|"
    r"revoked|appeal|reinstat|restored|reactivat|ticket|case \W?\d|request #|unusual|"
    r"封|冻结|停用|停机|停服|限制|申诉|工单|解封|解冻",
    re.I,
)


def prescreen(header_block: bytes, rules: Rules) -> bool:
    """One look at the raw header lines, before any parsing: False when no word in them begins
    with a provider's name (digits read as look-alike letters), a look-alike of one, or a
    telling word, so the message cannot matter.  Encoded words (=?...?=) hide their text, so
    such headers always pass."""
    text = header_block.lower().translate(BYTES_HOMOGLYPHS).decode("latin-1")
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
