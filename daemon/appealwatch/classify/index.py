"""Lookup tables built once per rule set (provider names, domains, the prescreen's words)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import ahocorasick

from appealwatch.config import Provider, Rules


@dataclass(frozen=True, slots=True)
class Index:
    exact: dict[str, Provider]  # alias token -> provider
    prefixes: tuple[str, ...]  # alias tokens of 5+ letters
    prefix_owner: dict[str, Provider]
    named: re.Pattern[str]  # any alias, as a word
    signs: re.Pattern[str]  # a greeting or signature in a provider's name (group "alias")
    alias_owner: dict[str, Provider]
    domains: dict[str, Provider]  # genuine sender domain -> provider
    stems: Any  # what prescreen looks for in raw headers (an Aho-Corasick automaton)


_INDEX: dict[int, tuple[Rules, Index]] = {}  # the rules are kept so their id is never reused


def index(rules: Rules) -> Index:
    """Lookup tables built once per rule set: the hot path of a backfill asks these questions
    of every message in the mailbox."""
    hit = _INDEX.get(id(rules))
    if hit is not None and hit[0] is rules:
        return hit[1]
    exact: dict[str, Provider] = {}
    prefix_owner: dict[str, Provider] = {}
    alias_owner: dict[str, Provider] = {}
    domains: dict[str, Provider] = {}
    for provider in rules.providers:
        for domain in provider.domains:
            domains.setdefault(domain, provider)
        for alias in provider.aliases:
            alias_owner.setdefault(alias, provider)
            token = alias.replace(" ", "")
            if token.isascii() and len(token) >= 2:
                exact.setdefault(token, provider)
                if len(token) >= 5:
                    prefix_owner.setdefault(token, provider)
    words = list(alias_owner)
    latin = trie([a for a in words if a.isascii()])
    other = trie([a for a in words if not a.isascii()])
    named = re.compile("|".join(
        ([rf"(?<![a-z0-9]){latin}(?![a-z0-9])"] if latin else []) + ([other] if other else [])))
    names = trie(words)
    signs = re.compile(
        rf"dear (?P<a1>{names}) (?:user|customer|member|client|account holder)"
        rf"|\b(?:the )?(?P<a2>{names}) (?:team|support|security|billing|trust|account team|service)"
        rf"|尊敬的(?P<a3>{names})(?:用户|会员|客户)"
    )
    built = Index(exact, tuple(prefix_owner), prefix_owner, named, signs, alias_owner, domains,
                   _stem_matcher(exact))
    _INDEX[id(rules)] = (rules, built)
    return built


def trie(words: Iterable[str]) -> str:
    """One regular expression for any of ``words``, shaped as a trie: the engine follows the
    next character instead of trying a hundred names in turn at every position.  At a position
    the longest word that lets the rest of the pattern match wins, as with the words listed
    longest first."""
    root: dict[str, dict] = {}
    for word in words:
        node = root
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def pattern(node: dict[str, dict]) -> str:
        branches = [re.escape(ch) + pattern(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        if len(branches) == 1 and "" not in node:
            return branches[0]
        return "(?:" + "|".join(branches) + ("|)" if "" in node else ")")

    return pattern(root)


BYTES_HOMOGLYPHS = bytes.maketrans(b"0134578", b"oleastb")
# the beginnings of words that make a message worth fetching even from a stranger
_TELLING_STEMS = (b"suspend", b"deactivat", b"disabl", b"restrict", b"lock", b"terminat", b"ban",
                  b"block", b"frozen", b"freez", b"hold", b"pause", b"revok", b"appeal",
                  b"reinstat", b"restor", b"reactivat", b"ticket", b"case", b"unusual",
                  b"account", b"organi", b"access", b"login", b"signin", b"verif", b"limit",
                  b"clos", b"remov", b"flag", b"delist", b"withh", b"violat", b"polic",
                  b"action", b"important", b"notice", b"urgent", b"warning", b"review")
_TELLING_CJK = tuple(w.encode() for w in ("封", "冻结", "停用", "停机", "停服", "限制", "申诉",
                                          "工单", "解封", "解冻", "账号", "账户", "帐号", "帐户",
                                          "暂停", "关停", "锁定", "处罚", "下架", "注销", "禁用",
                                          "违规", "通知", "提醒"))


def _stem_matcher(tokens: Iterable[str]) -> Any:
    """An Aho-Corasick automaton over what ``prescreen`` looks for: the telling stems and the
    providers' name ``tokens`` (with their "rn" for "m" look-alikes)."""
    stems = {s.decode() for s in _TELLING_STEMS}
    for token in tokens:
        stems.add(token)
        if "m" in token:
            stems.add(token.replace("m", "rn"))
    matcher = ahocorasick.Automaton(ahocorasick.STORE_ANY)
    for stem in stems:
        matcher.add_word(stem, (len(stem), True))  # must begin a word
    # anywhere: an encoded word (=?...?=) hides its text; Chinese words as UTF-8 bytes
    for anywhere in (b"=?", *_TELLING_CJK):
        matcher.add_word(anywhere.decode("latin-1"), (len(anywhere), False))
    matcher.make_automaton()
    return matcher

