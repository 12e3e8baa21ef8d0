"""Parsed message + folder -> Classification.  Pure and deterministic: no I/O, no network.

The decision is made in readable steps rather than by a learned model, so ``--explain`` can say
why, one module per step:

- ``text``: the sender's own words (quoted replies removed), normalised, and their language;
- ``sender``: who sent it (a provider's genuine domain, a billing agent, an impostor, a person);
- ``scoring``: what the provider's own words say, and which hard negatives match;
- ``reasons``: why the account was restricted;
- ``identifiers``: ticket numbers, account ids, payment facts;
- ``phishing``: whether the sender, its authentication or its links give an impostor away;
- ``asks``: what a support message asks the user for;
- ``prescreen``: the backfill's header screen;
- ``decide``: the steps put together;
- ``unwrap`` and ``forwarded``: a forwarded notice read with its own sender and date
  (``classify``).
"""

from appealwatch.classify.asks import asks_user, extract_questions
from appealwatch.classify.forwarded import classify, forward_row, forwarded_notice
from appealwatch.classify.identifiers import find_account_ids, find_ticket, payment_facts
from appealwatch.classify.phishing import phishing_reasons, trusted_auth
from appealwatch.classify.prescreen import may_matter, prescreen
from appealwatch.classify.reasons import choose_reason
from appealwatch.classify.result import CATEGORIES, Classification, Match
from appealwatch.classify.sender import (
    Sender,
    domain_in,
    genuine_provider,
    identify_sender,
    imitated_provider,
)
from appealwatch.classify.text import MAX_SCAN_CHARS, detect_lang, normalise, own_text

__all__ = [
    "CATEGORIES",
    "MAX_SCAN_CHARS",
    "Classification",
    "Match",
    "Sender",
    "asks_user",
    "choose_reason",
    "classify",
    "detect_lang",
    "domain_in",
    "extract_questions",
    "find_account_ids",
    "find_ticket",
    "forward_row",
    "forwarded_notice",
    "genuine_provider",
    "identify_sender",
    "imitated_provider",
    "may_matter",
    "normalise",
    "own_text",
    "payment_facts",
    "phishing_reasons",
    "prescreen",
    "trusted_auth",
]
