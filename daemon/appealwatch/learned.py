"""Corrections that stick: what ``appealwatch teach`` learns, as rules in a TOML file of the
user's own (``learned.toml`` beside the config, mode 0600).

Each correction is one ``[[learned]]`` table, appended, so the file stays readable and the
user's own edits and comments survive:

    [[learned]]
    as = "suspension"                  # what the user says such mail is
    reason = "policy"
    phrase = "your acme account has been locked"   # a phrase from its subject
    provider = "acme"                  # the sender's organisation, as a provider
    name = "Acme"
    domains = ["acme.example"]

At start (and on SIGHUP) the corrections become rules (see ``config``): the provider entry, and
the phrase as a cue of the reading taught, keyed ``phrases.<group>.learned[N]`` so that
``classify --explain`` names the correction.  Mail taught as irrelevant gives a phrase under
``phrases.negative.learned``, which the classifier reads as decisive.

Building an entry is pure (``correction``); writing it is ``append``.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

REASONS = ("policy", "payment", "security", "system", "unknown")
TAUGHT = ("suspension", "ticket_ack", "support_reply", "appeal_decision", "irrelevant")
FILENAME = "learned.toml"
# how much a learned phrase weighs: enough on its own to carry the reading taught
WEIGHT = 6.0
_REPLY_PREFIX = re.compile(
    r"^\s*(?:\[[^\]]{1,40}\]\s*)?(?:(?:re|aw|sv|fwd?|fw|回复|答复|转发)\s*[:：]\s*)+", re.I)
_DIGITS = re.compile(r"\d+")
HEADER = """\
# appealwatch: what you taught it (appealwatch teach).  One [[learned]] table per correction,
# read at start and on SIGHUP.  Edit or delete entries freely; a later entry wins over an
# earlier one for the same phrase.
#   as        what such mail is: suspension, ticket_ack, support_reply, appeal_decision or
#             irrelevant
#   reason    for a suspension: policy, payment, security, system or unknown; for an
#             appeal_decision: restored or denied
#   phrase    a regular expression (lower case) from the subject, matched like the phrases of
#             rules.toml; irrelevant mail that has it is irrelevant whatever else it says
#   provider  the sender's organisation as a provider (id, name and its sender domains)
#   senders   for irrelevant mail: the phrase counts only for mail from these domains
"""


class LearnedEntry(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    as_: Literal[TAUGHT] = Field(alias="as")  # type: ignore[valid-type]
    reason: str | None = None
    phrase: Annotated[str, Field(min_length=3)] | None = None
    provider: Annotated[str, Field(pattern=r"^[a-z0-9_-]+$")] | None = None
    name: str = ""
    domains: list[str] = []
    senders: list[str] = []  # irrelevant: only mail from these organisational domains
    message: str = ""  # the Message-ID or file it was taught from, for the reader
    at: str = ""  # when


class LearnedModel(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    learned: list[LearnedEntry] = []


def path_beside(config_dir: Path) -> Path:
    return config_dir / FILENAME


def subject_phrase(subject: str) -> str | None:
    """A phrase for mail like this one: its subject, normalised as the classifier reads text
    (lower case, plain quotes, folded spaces), without reply/forward prefixes, numbers
    generalised.  None when the subject is too short to say anything."""
    from appealwatch.classify.text import normalise

    text = _REPLY_PREFIX.sub("", normalise(subject or "")).strip().lower()
    if len(re.sub(r"\W", "", text)) < 6:
        return None
    return _DIGITS.sub(r"\\d+", re.escape(text).replace("\\ ", " "))


@dataclass(frozen=True, slots=True)
class Taught:
    """What the user said about one message, and what the classifier had made of it."""

    as_: str
    reason: str | None
    subject: str
    sender_domain: str
    sender_name: str
    was: str  # the category the classifier gave
    provider: str | None  # --provider, else the classifier's provider id (None: a person)
    source: str  # Message-ID or file name
    at: str  # ISO date
    known_sender: bool = False  # its domain is a known provider's already


def correction(t: Taught, freemail: frozenset[str]) -> tuple[dict[str, object], list[str]]:
    """The ``[[learned]]`` entry for a correction, and what it means, in sentences."""
    from appealwatch.classify.sender import derived_id, organisational_domain

    entry: dict[str, object] = {"as": t.as_}
    said: list[str] = []
    if t.reason:
        entry["reason"] = t.reason
    # a reply's subject is the thread's, not what this message says: no phrase from it
    reply = bool(_REPLY_PREFIX.match(t.subject or ""))
    phrase = None if reply else subject_phrase(t.subject)
    if reply:
        said.append("its subject is a reply's (the thread's): no phrase is learned from it")
    if phrase:
        entry["phrase"] = phrase
        said.append(f"mail with the subject phrase \"{phrase}\" is {t.as_}")
    org = organisational_domain(t.sender_domain) if t.sender_domain else ""
    personal = bool(org) and any(org == f or org.endswith("." + f) for f in freemail)
    if t.as_ != "irrelevant" and org and not personal and not t.known_sender:
        pid = t.provider or derived_id(org)
        entry["provider"] = pid
        entry["name"] = t.sender_name or org
        entry["domains"] = [org]
        said.append(f"mail from {org} is {pid}'s own")
    elif t.as_ != "irrelevant" and personal:
        said.append(f"{org} is a personal mail host: its senders are never providers, so only "
                    "the phrase is learned")
    if t.as_ == "irrelevant" and phrase and org:
        entry["senders"] = [org]  # never silence another sender's genuine notice
        said[-1] += f" when it comes from {org}"
    entry["message"] = t.source
    entry["at"] = t.at
    return entry, said


def render(entry: dict[str, object]) -> str:
    """One ``[[learned]]`` table as TOML text (strings as JSON strings, which TOML reads)."""
    lines = ["", "[[learned]]"]
    for key, value in entry.items():
        if isinstance(value, list):
            text = "[" + ", ".join(json.dumps(v, ensure_ascii=False) for v in value) + "]"
        else:
            text = json.dumps(value, ensure_ascii=False)
        lines.append(f"{key} = {text}")
    return "\n".join(lines) + "\n"


def same(a: LearnedEntry, entry: dict[str, object]) -> bool:
    """The same correction again (its message and date aside; a provider learned before is
    known now, so the new entry may lack it)."""
    if (a.as_, a.reason, a.phrase, a.senders) != (
            entry["as"], entry.get("reason"), entry.get("phrase"), entry.get("senders", [])):
        return False
    return "provider" not in entry or (a.provider, a.domains) == (
        entry["provider"], entry.get("domains"))


def append(path: Path, entry: dict[str, object], known: list[LearnedEntry]) -> bool:
    """Append the entry to the file (created 0600 with its header); False when the file holds
    the same correction already."""
    if any(same(k, entry) for k in known):
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(fd, "a", encoding="utf-8") as fh:
        if fh.tell() == 0:
            fh.write(HEADER)
        fh.write(render(entry))
    os.chmod(path, 0o600)
    return True
