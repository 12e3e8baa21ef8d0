"""A forward's verdict: the notice inside it, read with its own sender and date.

A notice forwarded by the user from a work address, or by a colleague, is read like the
original would be (``unwrap`` finds it); the result says ``forwarded=True``.  The forwarder's own
words decide nothing.  A forwarded copy's authentication cannot be checked (the receiving server
saw the forwarder, not the provider), so a forwarded notice's phishing verdict rests on the inner
sender's domain and the links, and the explanation says so.  Wrapping a fake notice in a fake
forward gains nothing: a forward from a sender that itself imitates a provider keeps the
forward's own phishing verdict, and a forwarded copy that links to a provider's look-alike is
phishing whoever its inner From names.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from appealwatch.classify.decide import classify as classify_message
from appealwatch.classify.result import Classification
from appealwatch.classify.sender import (
    domain_in,
    genuine_provider,
    identify_sender,
    imitated_provider,
)
from appealwatch.classify.text import normalise
from appealwatch.classify.unwrap import Forward, unwrap
from appealwatch.config import Rules
from appealwatch.parse import Address, ParsedMessage


def classify(
    msg: ParsedMessage,
    folder: str = "INBOX",
    rules: Rules | None = None,
    trusted_authserv_ids: tuple[str, ...] = (),
) -> Classification:
    """Classify one parsed message; a forward is classified by the message inside it."""
    outer = classify_message(msg, folder, rules, trusted_authserv_ids)
    found = forwarded_notice(msg)
    if found is None:
        return outer
    if rules is None:
        from appealwatch.config import load_config

        rules = load_config(None).rules
    inner = classify_message(found.inner, folder, rules, ())
    if inner.category == "irrelevant" and not inner.possible:
        return outer  # a forward of everyday mail: the forward itself is what there is to read
    imitator = _imitator(msg, rules)
    if imitator is not None:
        if inner.category != "suspension":
            return outer
        inner = replace(inner, phishing=True, phishing_reasons=(
            *inner.phishing_reasons, f"forwarded by {imitator}, which imitates a provider: "
            "whoever imitates one cannot vouch for what they forward"))
    lookalikes = [link.host for link in found.inner.links
                  if link.href.lower().startswith(("http:", "https:"))
                  and _lookalike(link.host, rules)]
    if inner.category == "suspension" and lookalikes:
        inner = replace(inner, phishing=True, phishing_reasons=(
            *inner.phishing_reasons, "the forwarded copy links to a look-alike of a provider: "
            + ", ".join(dict.fromkeys(lookalikes))))
    sender = found.sender
    lines = [
        f"forwarded by {_who(found.forwarded_by)} ({found.via}): the message inside, from "
        f"{_who(sender)}"
        + (f" dated {found.date:%Y-%m-%d %H:%M %z}" if found.date else "") + ", is read",
    ]
    if len(found.chain) > 1:
        lines.append("forwarded through " + " -> ".join(_who(a) for a in found.chain))
    if inner.category == "suspension":
        lines.append(
            "the authentication of a forwarded copy cannot be checked: the phishing verdict "
            f"rests on the sender's domain ({sender.domain if sender else '-'}) and the links")
    return replace(inner, forwarded=True, explanation=(*lines, *inner.explanation))


def _imitator(msg: ParsedMessage, rules: Rules) -> str | None:
    """The forward's own sender domain when it claims to be a provider, by its name or a
    look-alike domain (not merely by a subject that names one, as a colleague's forward does)."""
    sender = identify_sender(msg, normalise(msg.subject), "", rules)
    if sender.kind == "impostor" and not sender.weak_claim:
        return sender.domain or "an unknown domain"
    return None


def _lookalike(host: str, rules: Rules) -> bool:
    """A host that imitates a provider's name and is none of its domains or link domains."""
    imitated = imitated_provider(host, rules) if host else None
    return imitated is not None and genuine_provider(host, rules) is None and not domain_in(
        host, imitated.link_domains)


def forwarded_notice(msg: ParsedMessage) -> Forward | None:
    """The forwarded message worth reading inside ``msg``: not the user's own mail quoted back
    to them (its sender is one of the message's recipients)."""
    found = unwrap(msg)
    if found is None or found.sender is None:
        return None
    recipients = {a.address for a in (*msg.to, *msg.cc)}
    if found.sender.address in recipients:
        return None
    return found


def _who(address: Address | None) -> str:
    if address is None:
        return "an unknown sender"
    return f"{address.name} <{address.address}>" if address.name else address.address


def forward_row(parsed: ParsedMessage) -> tuple[ParsedMessage, dict[str, Any]] | None:
    """The notice inside a forward, and what the state keeps of it: its sender (whom drafts
    answer), date and subject in place of the forward's, and who forwarded it (in the facts)."""
    found = forwarded_notice(parsed)
    if found is None or found.sender is None:
        return None
    inner = found.inner
    return inner, {
        "date": inner.date or parsed.date, "from_addr": found.sender.address,
        "reply_to": inner.reply_to[0].address if inner.reply_to else None,
        "subject": inner.subject or parsed.subject,
        "facts": {"forwarded_by": _who(found.forwarded_by), "forward_subject": parsed.subject},
    }
