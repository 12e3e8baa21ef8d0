"""What a support message asks the user for (questions, requested items)."""

from __future__ import annotations

import re

from appealwatch.classify.text import own_text

REQUEST = re.compile(
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


def questions(text: str) -> list[str]:
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
    return bool(REQUEST.search(own) or questions(own))


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
    for question in questions(own.replace("\n", " ")):
        q = " ".join(question.split())
        if not any(q in f or f in q for f in found):
            found.append(q)
    return found[:limit]
