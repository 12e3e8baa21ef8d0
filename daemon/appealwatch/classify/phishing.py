"""Phishing: what about the sender, its authentication or its links gives an impostor away."""

from __future__ import annotations

import re

from appealwatch.classify.sender import Sender, domain_in
from appealwatch.config import Provider
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
