"""Identifiers in a message: ticket numbers, account ids, payment amounts and transactions."""

from __future__ import annotations

import re
from collections.abc import Iterator

from appealwatch.classify.text import MAX_SCAN_CHARS


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
