"""Sender identity: a provider's genuine domain, a billing agent, an impostor, a person."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

from appealwatch.classify.index import index as _index
from appealwatch.config import Provider, Rules
from appealwatch.parse import ParsedMessage


def domain_in(domain: str, domains: tuple[str, ...] | frozenset[str]) -> bool:
    return any(domain == d or domain.endswith("." + d) for d in domains)


_HOMOGLYPHS = str.maketrans({"0": "o", "1": "l", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b"})


def _skeleton(label: str) -> str:
    return label.translate(_HOMOGLYPHS).replace("rn", "m").replace("vv", "w").replace("-", "")



def genuine_provider(domain: str, rules: Rules) -> Provider | None:
    """The provider whose genuine domain (or a sub-domain of it) this is."""
    domains = _index(rules).domains
    labels = domain.split(".")
    for i in range(len(labels) - 1):
        found = domains.get(".".join(labels[i:]))
        if found is not None:
            return found
    return None


def imitated_provider(domain: str, rules: Rules) -> Provider | None:
    """A provider whose name a (non-genuine) domain imitates: paypa1-secure.com, 0penai.help,
    apple.com.verify.example, appleid-billing.com, and internationalised names written with
    look-alike letters (xn--pple-43d.com, Cyrillic а for a).  A word that merely contains a name
    (pineapple, email) is not an imitation."""
    index = _index(rules)
    domain = domain.lower()
    if "xn--" in domain or not domain.isascii():
        skeleton = latin_skeleton(domain)  # "і" and "ӏ" read as i: try l as well
        domain = f"{skeleton}.{skeleton.replace('i', 'l')}"
    for raw in re.split(r"[^a-z0-9]+", domain):
        if not raw:
            continue
        skeleton = _skeleton(raw)
        found = index.exact.get(raw) or (index.exact.get(skeleton) if skeleton != raw else None)
        if found:
            return found
        for word in (raw, skeleton):
            if word.startswith(index.prefixes):
                for token in index.prefixes:
                    if len(word) > len(token) and word.startswith(token):
                        return index.prefix_owner[token]
    return None


def _decoded_label(label: str) -> str:
    if label.startswith("xn--"):
        try:
            return label[4:].encode("ascii").decode("punycode")
        except (UnicodeError, ValueError):
            return label
    return label


def latin_skeleton(domain: str) -> str:
    """An internationalised domain with each letter that looks like a Latin one replaced by it,
    from the Unicode confusables data (confusable-homoglyphs, loaded only for such domains)."""
    text = ".".join(_decoded_label(label) for label in domain.split("."))
    if text.isascii():
        return text
    from confusable_homoglyphs import confusables

    out = []
    for ch in text:
        if ch.isascii():
            out.append(ch)
            continue
        found = confusables.is_confusable(ch, preferred_aliases=["latin"], greedy=True) or []
        latin = next((h["c"] for f in found for h in f["homoglyphs"]
                      if h["c"].isascii() and h["c"].isalnum()), "")
        out.append(latin.lower() or "-")
    return "".join(out)


def _named(text: str, rules: Rules) -> Provider | None:
    """The provider a display name or subject names, as a word (the earliest one named)."""
    if not text:
        return None
    m = _index(rules).named.search(text.lower())
    return _index(rules).alias_owner[m.group(0)] if m else None


_SIGN_WINDOW = 3000


def _signs_as(text: str, rules: Rules) -> Provider | None:
    """A body that greets or signs as a provider ("Dear PayPal customer", "The OpenAI team"):
    greetings open a message and signatures close it, so a long body is read at both ends."""
    if not text:
        return None
    if len(text) > 2 * _SIGN_WINDOW:
        text = f"{text[:_SIGN_WINDOW]}\n{text[-_SIGN_WINDOW:]}"
    index = _index(rules)
    m = index.signs.search(text.lower())
    return index.alias_owner[m["a1"] or m["a2"] or m["a3"]] if m else None


@dataclass(frozen=True, slots=True)
class Sender:
    # genuine | agent | impostor | person | organisation (any other organisation's domain; its
    # provider is derived from the domain) | unknown (no From domain)
    kind: str
    provider: Provider | None
    domain: str
    lookalike: bool = False
    weak_claim: bool = False  # an impostor named only by the subject or body text


_SERVICE_LOCAL = re.compile(
    r"^(?:no-?reply|do-?not-?reply|noreply|service|support|notice|notification|security|account|"
    r"billing|help|info|alert|system|10000)", re.I
)


def identify_sender(msg: ParsedMessage, subject: str, body: str, rules: Rules) -> Sender:
    addr = msg.from_
    domain = addr.domain if addr else ""
    name = addr.name if addr else ""
    genuine = genuine_provider(domain, rules) if domain else None
    if genuine and domain_in(domain, rules.freemail):
        local = addr.address.split("@")[0] if addr else ""
        if not (_SERVICE_LOCAL.match(local) or _named(name, rules) is genuine):
            genuine = None  # a person with a mailbox at the provider
    named = _named(name, rules) if name else None
    if domain and domain_in(domain, rules.agents) and named and named is not genuine:
        return Sender("agent", named, domain)
    if genuine:
        return Sender("genuine", genuine, domain)
    if domain and domain_in(domain, rules.freemail):
        if named:  # "OpenAI Billing <openai.billing@gmail.com>"
            return Sender("impostor", named, domain)
        return Sender("person", None, domain)
    lookalike = imitated_provider(domain, rules) if domain else None
    if named or lookalike:
        claimed = named or lookalike
        return Sender("impostor", claimed, domain, lookalike=lookalike is claimed)
    claimed = _named(subject, rules) or _signs_as(body, rules)
    if claimed:
        return Sender("impostor", claimed, domain, weak_claim=True)
    if not domain:
        return Sender("unknown", None, domain)
    if addr and _personal(addr.address.split("@")[0], name):
        return Sender("person", None, domain)
    return Sender("organisation", organisation(domain, name, rules), domain)


# --------------------------------------------------------------------------- the open world


_CJK_NAME = re.compile(r"[\u4e00-\u9fff]{2,4}")
_PINYIN_LOCAL = re.compile(r"[a-z]{2,12}[._-]?[a-z]{1,12}\d{0,4}")


def _personal(local: str, name: str) -> bool:
    """A person's own address at an organisation: the display name is a name of two or three
    words and the mailbox is made of it (marcus.bell@, mbell@, marcusb@; a single word such as
    cash@ for "Cash App" could be either, and is read as the organisation's)."""
    if _CJK_NAME.fullmatch(name.strip()) and _PINYIN_LOCAL.fullmatch(local.lower()) \
            and not _SERVICE_LOCAL.match(local):
        return True  # 张伟 <zhang.wei@...>
    words = [w.lower() for w in re.findall(r"[^\W\d_]+", name)]
    if not 2 <= len(words) <= 3 or _SERVICE_LOCAL.match(local) or _NAME_NOISE.search(name):
        return False
    local = local.lower()
    parts = [p for p in re.split(r"[._-]", local) if p]
    return sum(w in parts for w in words) >= 2 or local in (
        words[0][0] + words[-1], words[0] + words[-1], words[0] + words[-1][0])


@functools.cache
def _suffix_list() -> Any:
    """The Public Suffix List (publicsuffixlist ships it; no network).  Loaded on first use:
    it costs a few megabytes that an idle daemon need not hold."""
    from publicsuffixlist import PublicSuffixList

    return PublicSuffixList()


def organisational_domain(domain: str) -> str:
    """The registrable domain: mail.notice.huaweicloud.com -> huaweicloud.com,
    a.b.example.co.uk -> example.co.uk."""
    domain = domain.lower().rstrip(".")
    return _suffix_list().privatesuffix(domain) or domain


def derived_id(domain: str) -> str:
    """A provider id for an organisation outside the registry: the name part of its
    organisational domain (digitalocean.com -> digitalocean, example.co.uk -> example)."""
    org = organisational_domain(domain)
    label = org.split(".")[0]
    return re.sub(r"[^a-z0-9_-]", "-", label) or org


_NAME_NOISE = re.compile(
    r"\b(?:no-?reply|do not reply|notifications?|notices?|alerts?|team|support|security|"
    r"billing|accounts?|service|customer (?:care|service)|trust (?:&|and) safety|the)\b|[<>\"'|]",
    re.I,
)


def organisation(domain: str, display_name: str, rules: Rules) -> Provider:
    """The provider an organisation outside the registry is: its id from the organisational
    domain (for a help-desk or billing agent's domain, from the sub-domain the organisation
    has there: acme.zendesk.com -> acme), its name from the display name."""
    domain = domain.lower()
    agent = next((a for a in rules.agents if domain.endswith("." + a)), None)
    if agent:
        pid = re.sub(r"[^a-z0-9_-]", "-", domain[: -len(agent) - 1].split(".")[-1])
        org = domain
    else:
        org = organisational_domain(domain)
        pid = derived_id(domain)
    name = " ".join(_NAME_NOISE.sub(" ", display_name or "").split()).strip(" -,:") or pid
    return Provider(id=pid, name=name, domains=(org,), link_domains=(org,), aliases=(),
                    support="")
