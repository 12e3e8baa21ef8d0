"""Text preparation: the sender's own words, normalised, and their language."""

from __future__ import annotations

import re

MAX_SCAN_CHARS = 12_000  # a notice says what matters early; bounds regex work on huge mail

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
IF_YOU_BELIEVE = re.compile(
    r"\bif you (?:believe|think|feel)[^.!?]*[.!?]|\b如果您认为[^。！？]*[。！？]", re.I
)
_WS = re.compile(r"\s+")
_TYPO = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "\u00a0": " ", "–": "-", "—": "-"})
CJK = re.compile(r"[\u4e00-\u9fff]")
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
    cjk = len(CJK.findall(text))
    latin_words = len(_LATIN.findall(text)) / 5
    return "zh" if cjk >= 4 and cjk >= latin_words * 0.5 else "en"

