"""Phishing: what about the sender, its authentication or its links gives an impostor away."""

from __future__ import annotations

import re

from appealwatch.classify.sender import (
    Sender,
    domain_in,
    genuine_provider,
    imitated_provider,
    organisational_domain,
)
from appealwatch.config import Provider, Rules
from appealwatch.parse import AuthResult, Link, ParsedMessage


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
    msg: ParsedMessage, sender: Sender, provider: Provider, trusted_ids: tuple[str, ...],
    rules: Rules | None = None,
) -> list[str]:
    """What gives an impostor away.  For a provider in the registry its domains are known; for
    any other organisation only what needs no list counts: authentication that does not vouch
    for the From domain, links whose text shows one host and lead to another, and links to a
    registry provider's look-alike."""
    reasons: list[str] = []
    organisation = sender.kind == "organisation"
    legit_sender = sender.kind in ("genuine", "agent") or organisation
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
        elif organisation and auth.dmarc != "pass" and not _aligned(sender.domain, auth):
            reasons.append(f"neither a DKIM signature nor SPF vouches for {sender.domain}")
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
        if organisation:
            deceptive = deceptive or (shown is not None and shown != link.host
                                      and not domain_in(link.host, (shown,)))
            if deceptive or reasons or _IP_HOST.match(link.host) or (
                    rules is not None and imitated_provider(link.host, rules) is not None
                    and genuine_provider(link.host, rules) is None):
                suspicious.append(link.host)
        elif deceptive or _ACTION_TEXT.search(link.text) or not legit_sender or reasons:
            suspicious.append(link.host)
    if suspicious:
        hosts = ", ".join(dict.fromkeys(suspicious))
        reasons.append(f"links lead outside {provider.name}'s domains: {hosts}")
    return reasons


_IP_HOST = re.compile(r"^\d{1,3}(?:\.\d{1,3}){3}$|^\[")


def _aligned(domain: str, auth: AuthResult) -> bool:
    """A passing DKIM signature or SPF check of the From domain's organisation (RFC 7489's
    relaxed alignment).  Without any DKIM or SPF answer there is nothing to hold against it."""
    if not auth.dkim_domains and not auth.spf_domain:
        return auth.dkim is None and auth.spf is None
    org = organisational_domain(domain)
    checked = [*auth.dkim_domains, *([auth.spf_domain] if auth.spf == "pass" and auth.spf_domain
                                     else [])]
    return any(organisational_domain(d) == org for d in checked if d)
