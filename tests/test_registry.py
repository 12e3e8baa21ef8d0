"""The provider registry (config/providers.toml) is well-formed data.

The file is read here with tomllib and checked on its own terms, not through the loader, so a
loader that let a bad entry through would not hide it.
"""

from __future__ import annotations

import re
import tomllib
from collections import Counter

import pytest

from appealwatch import resources
from appealwatch.config import ConfigError, load_config

LEGACY = ("openai", "anthropic", "google", "github", "microsoft", "meta", "paypal", "amazon",
          "apple", "stripe", "discord", "aliyun", "tencent", "alipay")
HOSTNAME = re.compile(r"(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}")
ADDRESS = re.compile(r"[a-z0-9._+-]+@([a-z0-9.-]+)")
CJK = re.compile(r"[\u4e00-\u9fff]")


def registry() -> dict[str, dict]:
    with (resources.config_dir() / "providers.toml").open("rb") as fh:
        return tomllib.load(fh)["providers"]


def problems(entries: dict[str, dict]) -> list[str]:
    """Every way the registry can be malformed, one line each."""
    found = []
    owner: dict[str, str] = {}
    for pid, e in entries.items():
        if not re.fullmatch(r"[a-z0-9][a-z0-9_-]*", pid):
            found.append(f"{pid}: bad id")
        names = e.get("names", {})
        if not (names.get("en") or e.get("name")):
            found.append(f"{pid}: no English name")
        if names.get("zh") and not CJK.search(names["zh"]):
            found.append(f"{pid}: names.zh has no Chinese")
        if not e.get("domains"):
            found.append(f"{pid}: no sender domain")
        for d in [*e.get("domains", []), *e.get("link_domains", [])]:
            if not HOSTNAME.fullmatch(d):
                found.append(f"{pid}: {d!r} is not a lower-case host name")
        for d in e.get("domains", []):
            if d in owner and owner[d] != pid:
                found.append(f"{pid}: {d} is also {owner[d]}'s")
            owner[d] = pid
        channel = e.get("channel")
        if channel not in ("reply", "email", "form"):
            found.append(f"{pid}: channel {channel!r}")
        if channel == "form" and not str(e.get("url", "")).startswith("https://"):
            found.append(f"{pid}: a form channel without an https url")
        if channel == "email" and not ADDRESS.fullmatch(e.get("address", "")):
            found.append(f"{pid}: an email channel without an address")
        if "url" in e and not re.fullmatch(r"https://[a-z0-9.-]+(/\S*)?", e["url"]):
            found.append(f"{pid}: url {e['url']!r}")
        if ("response_days" in e or "response_hours" in e) != bool(e.get("response_time")):
            found.append(f"{pid}: a response time needs both its words and its number")
        if "response_days" in e and e.get("response_unit") not in ("business", "calendar"):
            found.append(f"{pid}: response_days without response_unit")
    aliases = Counter(a.lower() for e in entries.values() for a in e.get("aliases", []))
    found += [f"alias {a!r} names {n} providers" for a, n in aliases.items() if n > 1]
    ids = {pid for pid, e in entries.items() if not e.get("plain_word")}
    found += [f"id {pid!r} is also another provider's alias" for pid in ids
              if aliases[pid] and pid not in (a.lower() for a in entries[pid].get("aliases", []))]
    return found


def test_every_entry_is_well_formed():
    assert problems(registry()) == []


def test_the_registry_is_broad_and_bilingual():
    entries = registry()
    assert len(entries) >= 110
    assert sum(1 for e in entries.values() if CJK.search(e.get("names", {}).get("zh", ""))) >= 30
    assert set(LEGACY) <= set(entries)


@pytest.mark.parametrize("fault", [
    {"domains": ["openai.com"]},  # claimed by openai
    {"domains": ["Example.COM"]},
    {"domains": ["example.com"], "channel": "form", "url": "http://example.com/appeal"},
    {"domains": ["example.com"], "channel": "email"},
    {"domains": ["example.com"], "channel": "fax"},
    {"domains": ["example.com"], "channel": "reply", "aliases": ["stripe"]},
    {"domains": ["example.com"], "channel": "reply", "response_days": 3},
])
def test_the_check_finds_a_bad_entry(fault):
    entries = registry()
    entries["bad"] = {"names": {"en": "Bad"}, **fault}
    assert any(p.startswith(("bad:", "alias")) for p in problems(entries))


def test_the_loader_exposes_names_channel_and_response_time(tmp_path):
    rules = load_config(None).rules
    aliyun = rules.provider("aliyun")
    assert aliyun is not None and aliyun.name_in("zh") == "阿里云"
    assert aliyun.name_in("en") == "Alibaba Cloud"
    google = rules.provider("google")
    assert google is not None and google.appeal_form == google.url
    assert google.url.startswith("https://support.google.com/")
    github = rules.provider("github")
    assert github is not None and github.appeal_form is None and github.support
    timed = [p for p in rules.providers if p.response_days]
    assert all(p.response_unit in ("business", "calendar") and p.response_time for p in timed)


def test_a_user_entry_still_adds_or_replaces_one(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text(
        '[providers.google]\nname = "Google (mine)"\ndomains = ["google.com"]\n'
        'support = "me-appeals@example.org"\n'
        '[providers.acme]\nnames = { en = "Acme", zh = "阿克米" }\ndomains = ["acme.example"]\n'
        'channel = "form"\nurl = "https://acme.example/appeal"\n'
        'response_time = "within 48 hours"\nresponse_hours = 48\n', encoding="utf-8")
    rules = load_config(path).rules
    google = rules.provider("google")
    assert google is not None and google.name == "Google (mine)" and google.configured
    assert google.appeal_form is None and google.support == "me-appeals@example.org"
    acme = rules.provider("acme")
    assert acme is not None and acme.appeal_form == "https://acme.example/appeal"
    assert (acme.response_days, acme.response_unit) == (2, "calendar")
    assert "acme" in acme.aliases
    assert len(rules.providers) == len(registry()) + 1


def test_a_user_entry_with_a_bad_channel_is_reported_by_key(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text(
        '[providers.acme]\nname = "Acme"\ndomains = ["acme.example"]\nchannel = "form"\n'
        'url = "http://acme.example/appeal"\n'
        '[providers.beta]\nname = "Beta"\ndomains = ["beta.example"]\nchannel = "email"\n'
        'response_days = 3\n', encoding="utf-8")
    with pytest.raises(ConfigError) as exc:
        load_config(path)
    text = "\n".join(exc.value.problems)
    for key in ("providers.acme.url", "providers.beta.address", "providers.beta.response_unit"):
        assert key in text, text
