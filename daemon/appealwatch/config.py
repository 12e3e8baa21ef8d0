"""Configuration and classification rules: TOML in, validated immutable values out.

Every problem in a file is reported at once, each with its key (``accounts[0].port: ...``), and
unknown keys are errors.  The built-in rules live in ``config/rules.toml``; a user's config may add
providers and phrases under the same keys.
"""

from __future__ import annotations

import dataclasses
import os
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

import ahocorasick
import platformdirs
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from appealwatch import resources

APP = "appealwatch"
_CJK = re.compile(r"[\u4e00-\u9fff]")
CATEGORY_PHRASES = (
    "suspension", "ticket_ack", "support_reply", "restored", "denied", "response", "pending",
)
REASONS = ("policy", "payment", "security", "system", "unknown")


class ConfigError(Exception):
    """A configuration problem the user must fix.  ``problems`` lists every one of them."""

    def __init__(self, source: str, problems: Iterable[str]) -> None:
        self.source = source
        self.problems = list(problems)
        super().__init__(self.describe())

    def describe(self) -> str:
        lines = [f"{self.source}: {len(self.problems)} problem(s):"]
        lines += [f"  {p}" for p in self.problems]
        return "\n".join(lines)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class PatternEntry(_Strict):
    re: str
    weight: Annotated[float, Field(gt=0, le=10)] = 1.0


Pattern = str | PatternEntry


class LangPhrases(_Strict):
    en: list[Pattern] = []
    zh: list[Pattern] = []


class PhrasesModel(_Strict):
    suspension: LangPhrases = LangPhrases()
    ticket_ack: LangPhrases = LangPhrases()
    support_reply: LangPhrases = LangPhrases()
    restored: LangPhrases = LangPhrases()
    denied: LangPhrases = LangPhrases()
    response: LangPhrases = LangPhrases()
    pending: LangPhrases = LangPhrases()
    reason: dict[Literal["policy", "payment", "security", "system"], LangPhrases] = {}
    negative: dict[str, list[Pattern]] = {}


class NamesModel(_Strict):
    en: str = ""
    zh: str = ""


class ProviderModel(_Strict):
    name: str = ""  # the display name; defaults to names.en, else names.zh
    names: NamesModel = NamesModel()
    domains: Annotated[list[str], Field(min_length=1)]
    aliases: list[str] = []
    plain_word: bool = False  # the id is an everyday word (x, wise): only the aliases name it
    link_domains: list[str] = []
    support: str = ""  # legacy: the address appeals go to (channel "email" with an address)
    channel: Literal["reply", "email", "form"] | None = None
    address: str = ""
    url: str = ""
    response_time: str = ""  # the provider's own words: "1-3 business days"
    response_days: Annotated[int, Field(ge=1, le=120)] | None = None
    response_hours: Annotated[int, Field(ge=1, le=720)] | None = None
    response_unit: Literal["business", "calendar"] | None = None


class SendersModel(_Strict):
    agents: list[str] = []
    freemail: list[str] = []


class LangWords(_Strict):
    """Plain words and phrases (not regular expressions) of one concept, by language."""

    en: list[str] = []
    zh: list[str] = []


CONCEPTS = ("restriction", "restriction_noun", "ambiguous", "object", "other_party", "user_request",
            "hypothetical", "scheduled", "condition", "negation")


class RulesModel(_Strict):
    providers: dict[str, ProviderModel] = {}
    senders: SendersModel = SendersModel()
    phrases: PhrasesModel = PhrasesModel()
    concepts: dict[Literal[CONCEPTS], LangWords] = {}  # type: ignore[valid-type]


class RegistryModel(_Strict):
    providers: dict[str, ProviderModel] = {}


class UserModel(_Strict):
    name: str = ""
    email: str = ""
    language: Literal["auto", "en", "zh"] = "auto"


class MailModel(_Strict):
    trusted_authserv_ids: list[str] = []


class AccountModel(_Strict):
    name: Annotated[str, Field(min_length=1, pattern=r"^[A-Za-z0-9_.@+-]+$")]
    maildir: str | None = None
    host: str | None = None
    port: Annotated[int, Field(ge=1, le=65535)] | None = None
    tls: Literal["ssl", "starttls", "none"] = "ssl"
    allow_plaintext_loopback: bool = False
    username: str | None = None
    password_command: str | None = None
    oauth2_token_command: str | None = None
    ca_file: str | None = None
    email: str | None = None
    lookback_days: Annotated[int, Field(ge=1, le=3650)] = 180
    folders: dict[Literal["inbox", "junk", "sent", "drafts"], str] = {}


class StateModel(_Strict):
    path: str | None = None


class FollowupModel(_Strict):
    after_business_days: Annotated[int, Field(ge=1, le=60)] = 3
    max_followups: Annotated[int, Field(ge=0, le=10)] = 2
    # a reminder this many business days before a deadline the provider set (and on its day)
    deadline_reminder_days: Annotated[int, Field(ge=0, le=20)] = 2
    country: str = "US"
    subdivision: str | None = None
    timezone: str = "UTC"
    due_time: Annotated[str, Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")] = "09:00"

    @field_validator("country")
    @classmethod
    def _known_country(cls, value: str) -> str:
        if value.upper() not in _country_codes():
            raise ValueError(
                "not a country code the holidays library knows (use an ISO 3166 code such as "
                "US, GB, DE, CN)"
            )
        return value.upper()

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo

        try:
            ZoneInfo(value)
        except Exception:
            raise ValueError("unknown time zone (use a name such as Europe/Berlin)") from None
        return value


class NotifyModel(_Strict):
    # None: the desktop and the log when a session bus is present, else the log
    backends: list[Literal["log", "command", "desktop", "ntfy", "apprise", "inbox"]] | None = None
    command: list[str] | None = None
    ntfy_url: str | None = None
    ntfy_token_command: str | None = None
    ntfy_ca_file: str | None = None
    apprise_urls_command: str | None = None
    open_command: list[str] | None = None
    quiet_hours: Annotated[str, Field(
        pattern=r"^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$")] | None = None


class ConfigModel(_Strict):
    user: UserModel = UserModel()
    mail: MailModel = MailModel()
    accounts: list[AccountModel] = []
    state: StateModel = StateModel()
    followup: FollowupModel = FollowupModel()
    notify: NotifyModel = NotifyModel()
    providers: dict[str, ProviderModel] = {}
    senders: SendersModel = SendersModel()
    phrases: PhrasesModel = PhrasesModel()


# --------------------------------------------------------------------------- compiled rules


@dataclass(frozen=True, slots=True)
class Cue:
    """One compiled phrase: ``key`` names where it came from, for ``--explain``.

    Cues are matched against lower-cased text; a pattern with no upper-case literal is compiled
    without IGNORECASE, which makes it markedly faster.
    """

    key: str
    regex: re.Pattern[str]
    weight: float
    cjk: bool  # the pattern needs Chinese text to match (skipped for text without any)
    needs: frozenset[str] | None = None  # any match contains one of these (a cheap pre-check)

    def search(self, text: str, present: frozenset[str] | None = None) -> re.Match[str] | None:
        """``present``: the literals of all cues known to occur in ``text`` (see
        Rules.literals_in), which makes the pre-check a set operation."""
        if self.needs is not None:
            if present is not None:
                if self.needs.isdisjoint(present):
                    return None
            elif not any(n in text for n in self.needs):
                return None
        return self.regex.search(text)


_COMMON = frozenset({"the", "this", "your", "you", "we", "our", "and", "for", "has", "have", "was",
                     "is", "are", "will", "be", "to", "of", "in", "a", "an", "it", "i", "can"})


def _needed_literals(pattern: str, flags: int) -> tuple[str, ...] | None:
    """Strings of which every match must contain at least one, found from the parsed pattern;
    None when no useful set exists.  Lets most cues be skipped with a substring test."""
    from re import _constants as c
    from re import _parser as sre

    def sequence(items) -> set[str] | None:
        candidates: list[set[str]] = []
        run = ""
        for op, av in items:
            if op is c.LITERAL:
                run += chr(av)
                continue
            if run:
                candidates.append({run})
                run = ""
            if op is c.SUBPATTERN:
                got = sequence(av[3])
            elif op is c.BRANCH:
                alts = [sequence(alt) for alt in av[1]]
                got = None if any(a is None for a in alts) else set().union(*alts)
            elif op in (c.MAX_REPEAT, c.MIN_REPEAT) and av[0] >= 1:
                got = sequence(av[2])
            else:
                got = None
            if got:
                candidates.append(got)
        if run:
            candidates.append({run})
        if not candidates:
            return None
        return max(candidates, key=lambda cand: (not {n.strip() for n in cand} & _COMMON,
                                                 min(map(_selectivity, cand)), -len(cand)))

    try:
        found = sequence(sre.parse(pattern, flags))
    except Exception:
        return None
    if not found or min(map(_selectivity, found)) < 3:
        return None
    return frozenset(n.lower() for n in found)


def _selectivity(literal: str) -> float:
    """How rarely a literal occurs in ordinary text, roughly in letters: a Chinese character
    counts as two, a question mark as three, white space and other punctuation as nothing."""
    score = 0.0
    for ch in literal:
        if ch in "?？":
            score += 3
        elif not ch.isascii():
            score += 2 if ch.isalnum() else 0
        elif ch.isalnum():
            score += 1
    return score


@dataclass(frozen=True, slots=True)
class Provider:
    id: str
    name: str
    domains: tuple[str, ...]
    link_domains: tuple[str, ...]
    aliases: tuple[str, ...]
    support: str
    configured: bool = False  # given in the user's config: its support address wins
    name_en: str = ""
    name_zh: str = ""
    channel: str = "reply"  # reply | email | form: where an appeal goes
    url: str = ""  # the appeal form or help-centre page (channel "form")
    response_time: str = ""  # the published response time, in the provider's words
    response_days: int | None = None  # ... as a number of days (hours rounded up to days)
    response_unit: str | None = None  # business | calendar

    def name_in(self, lang: str) -> str:
        """The provider's name for a text in ``lang`` (en or zh)."""
        return (self.name_zh if lang == "zh" else self.name_en) or self.name

    @property
    def appeal_form(self) -> str | None:
        """The URL appeals are pasted into, when they go through a form (and the user has not
        named a support address of their own)."""
        if self.channel == "form" and not (self.configured and self.support):
            return self.url
        return None


@dataclass(frozen=True, slots=True)
class Rules:
    providers: tuple[Provider, ...]
    agents: frozenset[str]
    freemail: frozenset[str]
    categories: dict[str, tuple[Cue, ...]]  # phrase group -> cues (en and zh together)
    reasons: dict[str, tuple[Cue, ...]]
    negatives: dict[str, tuple[Cue, ...]]
    literals: tuple[str, ...] = ()  # every cue's pre-check literals
    matcher: Any = None  # an Aho-Corasick automaton over ``literals``
    # concept -> (English words, Chinese words), see [concepts] in rules.toml
    concepts: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = dataclasses.field(
        default_factory=dict)
    # a learned cue (its key) -> the organisational domains whose mail it is about
    senders_of: dict[str, tuple[str, ...]] = dataclasses.field(default_factory=dict)

    def applies(self, key: str, sender_domain: str) -> bool:
        """Does the cue ``key`` apply to mail from ``sender_domain``?  A correction is about
        the sender it was taught on; every other cue applies to everyone."""
        scope = self.senders_of.get(key)
        return not scope or any(sender_domain == d or sender_domain.endswith("." + d)
                                for d in scope)

    def provider(self, pid: str | None) -> Provider | None:
        return next((p for p in self.providers if p.id == pid), None)

    def literals_in(self, text: str) -> frozenset[str]:
        """Which of the cues' pre-check literals occur in ``text``: one pass over the text."""
        if self.matcher is None:
            return frozenset(lit for lit in self.literals if lit in text)
        return frozenset(lit for _end, lit in self.matcher.iter(text))


@dataclass(frozen=True, slots=True)
class Config:
    model: ConfigModel
    rules: Rules
    path: Path | None  # the file it came from, None for the built-in defaults

    @property
    def config_dir(self) -> Path:
        return self.path.parent if self.path else default_config_path().parent


def _location(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif isinstance(part, str) and (part[:1].isupper() or part in ("str", "int", "list[str]")
                                        or part.startswith("function-")):
            continue
        else:
            out += f".{part}" if out else str(part)
    return out or "(top level)"


def _pydantic_problems(exc: ValidationError) -> list[str]:
    problems = []
    seen = set()
    for err in exc.errors(include_url=False):
        key = _location(tuple(err["loc"]))
        if err["type"] == "extra_forbidden":
            msg = "unknown key"
        elif err["type"] == "missing":
            msg = "required key is missing"
        else:
            msg = err["msg"].removeprefix("Value error, ")
            if "input" in err and not isinstance(err["input"], dict | list):
                msg += f" (got {err['input']!r})"
        line = f"{key}: {msg}"
        # a str|table union reports both branches; keep the first message per key
        if key not in seen:
            problems.append(line)
            seen.add(key)
    return problems


def _compile(key: str, entry: Pattern, problems: list[str]) -> Cue | None:
    pattern, weight = (entry, 1.0) if isinstance(entry, str) else (entry.re, entry.weight)
    literal = re.sub(r"\\.", "", pattern)
    flags = re.IGNORECASE if any(ch.isupper() for ch in literal) else 0
    cjk = ".zh[" in key or (bool(_CJK.search(literal)) and not re.search(r"[a-z]{3}", literal))
    try:
        return Cue(key, re.compile(pattern, flags), weight, cjk, _needed_literals(pattern, flags))
    except re.error as exc:
        problems.append(f"{key}: invalid regular expression: {exc}")
        return None


def _compile_all(prefix: str, entries: list[Pattern], problems: list[str]) -> list[Cue]:
    cues = (_compile(f"{prefix}[{i}]", e, problems) for i, e in enumerate(entries))
    return [c for c in cues if c is not None]


def _lang_cues(prefix: str, phrases: LangPhrases, problems: list[str]) -> list[Cue]:
    return _compile_all(f"{prefix}.en", phrases.en, problems) + _compile_all(
        f"{prefix}.zh", phrases.zh, problems
    )


def _domain_problems(prefix: str, domains: Iterable[str]) -> list[str]:
    bad = [d for d in domains if not re.fullmatch(r"[a-z0-9-]+(\.[a-z0-9-]+)+", d)]
    return [f"{prefix}: {d!r} is not a lower-case domain name" for d in bad]


_HTTPS_URL = re.compile(r"https://[a-z0-9-]+(\.[a-z0-9-]+)+(?:[/?#]\S*)?")
_ADDRESS = re.compile(r"[^@\s]+@[a-z0-9-]+(\.[a-z0-9-]+)+")


def _channel_problems(key: str, p: ProviderModel) -> list[str]:
    """An appeal channel must say where: a form its https URL, an e-mail channel its address."""
    problems = []
    if p.channel == "form" and not _HTTPS_URL.fullmatch(p.url):
        problems.append(f"{key}.url: a form channel needs the form's https:// URL")
    elif p.url and not _HTTPS_URL.fullmatch(p.url):
        problems.append(f"{key}.url: {p.url!r} is not an https:// URL")
    if p.channel == "email" and not (p.address or p.support):
        problems.append(f"{key}.address: an email channel needs the address appeals go to")
    for field in ("address", "support"):
        value = getattr(p, field)
        if value and not _ADDRESS.fullmatch(value):
            problems.append(f"{key}.{field}: {value!r} is not an e-mail address")
    if p.response_days is not None and p.response_hours is not None:
        problems.append(f"{key}: give response_days or response_hours, not both")
    if p.response_days is not None and p.response_unit is None:
        problems.append(f"{key}.response_unit: say whether the days are business or calendar days")
    if not (p.name or p.names.en or p.names.zh):
        problems.append(f"{key}.name: required (or names.en / names.zh)")
    return problems


def _provider(pid: str, p: ProviderModel, configured: bool, problems: list[str]) -> Provider:
    key = f"providers.{pid}"
    if not re.fullmatch(r"[a-z0-9_-]+", pid):
        problems.append(f"{key}: provider ids are lower-case letters, digits, - or _")
    problems += _domain_problems(f"{key}.domains", p.domains)
    problems += _domain_problems(f"{key}.link_domains", p.link_domains)
    problems += _channel_problems(key, p)
    words = p.aliases if p.plain_word else [pid, *p.aliases]
    en, zh = p.names.en, p.names.zh
    name = p.name or en or zh
    days, unit = p.response_days, p.response_unit
    if p.response_hours is not None:
        days, unit = -(-p.response_hours // 24), "calendar"
    support = p.support or (p.address if p.channel == "email" else "")
    return Provider(
        id=pid,
        name=name,
        domains=tuple(p.domains),
        link_domains=tuple(dict.fromkeys([*p.domains, *p.link_domains])),
        aliases=tuple(dict.fromkeys(a.lower() for a in words)),
        support=support,
        configured=configured,
        name_en=en,
        name_zh=zh,
        channel=p.channel or ("email" if support else "reply"),
        url=p.url,
        response_time=p.response_time,
        response_days=days,
        response_unit=unit,
    )


def build_rules(base: RulesModel, extra: ConfigModel | None, problems: list[str],
                learned: Any = None) -> Rules:
    """Merge the built-in rules with a user's additions and corrections and compile them."""
    providers = dict(base.providers)
    agents, freemail = list(base.senders.agents), list(base.senders.freemail)
    groups: dict[str, list[Cue]] = {}
    reasons: dict[str, list[Cue]] = {}
    negatives: dict[str, list[Cue]] = {}
    layers = [("", base.phrases)]
    if extra is not None:
        providers.update(extra.providers)
        agents += extra.senders.agents
        freemail += extra.senders.freemail
        layers.append(("", extra.phrases))
    for _prefix, phrases in layers:
        for group in CATEGORY_PHRASES:
            groups.setdefault(group, []).extend(
                _lang_cues(f"phrases.{group}", getattr(phrases, group), problems)
            )
        for reason, lp in phrases.reason.items():
            reasons.setdefault(reason, []).extend(
                _lang_cues(f"phrases.reason.{reason}", lp, problems)
            )
        for name, entries in phrases.negative.items():
            negatives.setdefault(name, []).extend(
                _compile_all(f"phrases.negative.{name}", entries, problems)
            )
    if learned is not None:
        providers = _with_learned(providers, learned)
        for group, cues in _learned_cues(learned, problems).items():
            if group.startswith("reason."):
                reasons.setdefault(group.removeprefix("reason."), []).extend(c for _, c in cues)
            elif group == "negative":
                negatives.setdefault("learned", []).extend(c for _, c in cues)
            else:
                groups.setdefault(group, []).extend(c for _, c in cues)
    built = [_provider(pid, p, extra is not None and pid in extra.providers, problems)
             for pid, p in providers.items()]
    every_cue = [c for group in (groups, reasons, negatives) for cues in group.values()
                 for c in cues]
    literals = tuple(sorted({n for c in every_cue if c.needs for n in c.needs}))
    matcher = ahocorasick.Automaton(ahocorasick.STORE_ANY)
    for lit in literals:
        matcher.add_word(lit, lit)
    if literals:
        matcher.make_automaton()
    return Rules(
        literals=literals,
        matcher=matcher if literals else None,
        providers=tuple(built),
        agents=frozenset(agents),
        freemail=frozenset(freemail),
        categories={k: tuple(v) for k, v in groups.items()},
        reasons={k: tuple(v) for k, v in reasons.items()},
        negatives={k: tuple(v) for k, v in negatives.items()},
        senders_of=_learned_senders(learned) if learned is not None else {},
        concepts={k: (tuple(w.lower() for w in v.en), tuple(v.zh))
                  for k, v in base.concepts.items()},
    )


def _read_toml(path: Path, source: str) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(source, [f"not valid TOML: {exc}"]) from None
    except OSError as exc:
        raise ConfigError(source, [f"cannot read the file: {exc.strerror or exc}"]) from None


def load_builtin_rules() -> RulesModel:
    """The built-in rules (rules.toml) with the provider registry (providers.toml)."""
    registry_path = resources.config_dir() / "providers.toml"
    registry = _read_toml(registry_path, str(registry_path))
    try:
        providers = RegistryModel.model_validate(registry).providers
    except ValidationError as exc:  # a packaging bug, but say what it is
        raise ConfigError(str(registry_path), _pydantic_problems(exc)) from None
    path = resources.config_dir() / "rules.toml"
    data = _read_toml(path, str(path))
    try:
        rules = RulesModel.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(str(path), _pydantic_problems(exc)) from None
    return rules.model_copy(update={"providers": {**providers, **rules.providers}})


def default_config_path() -> Path:
    return platformdirs.user_config_path(APP) / "config.toml"


def resolve_config_path(explicit: str | os.PathLike[str] | None) -> Path | None:
    """--config, then $APPEALWATCH_CONFIG, then the XDG default if it exists."""
    if explicit:
        return Path(explicit).expanduser()
    env = os.environ.get("APPEALWATCH_CONFIG")
    if env:
        return Path(env).expanduser()
    default = default_config_path()
    return default if default.exists() else None


def _country_codes() -> frozenset[str]:
    """The countries the holidays library knows, read from its registry: asking
    ``list_supported_countries`` imports every country's module (a quarter of a second)."""
    try:
        from holidays import registry

        codes = {code for entry in registry.COUNTRIES.values() for code in entry[1:3]}
        return frozenset(codes | ({"UK"} if "GB" in codes else set()))  # holidays' alias of GB
    except (ImportError, AttributeError, IndexError):
        import holidays

        return frozenset(holidays.list_supported_countries())


def _subdivisions(country: str) -> tuple[str, ...]:
    import holidays  # deferred: only the one country's module is loaded

    try:
        return tuple(holidays.country_holidays(country).subdivisions)
    except (NotImplementedError, AttributeError):
        return ()


def _semantic_problems(model: ConfigModel) -> list[str]:
    problems = []
    names = [a.name for a in model.accounts]
    for i, acct in enumerate(model.accounts):
        key = f"accounts[{i}]"
        if names.count(acct.name) > 1:
            problems.append(f"{key}.name: {acct.name!r} is used by more than one account")
        if bool(acct.maildir) == bool(acct.host):
            problems.append(f"{key}: give exactly one of 'maildir' (a local Maildir) or 'host'")
        if acct.host and not acct.username:
            problems.append(f"{key}.username: required for an IMAP account")
        if acct.password_command and acct.oauth2_token_command:
            problems.append(f"{key}: give 'password_command' or 'oauth2_token_command', not both")
        if acct.tls == "none" and not acct.allow_plaintext_loopback:
            problems.append(
                f"{key}.tls: 'none' sends your password in clear text; it is only allowed for a "
                "loopback host together with allow_plaintext_loopback = true"
            )
        if acct.ca_file and not Path(acct.ca_file).expanduser().is_file():
            problems.append(f"{key}.ca_file: no such file: {acct.ca_file}")
    country = model.followup.country
    if model.followup.subdivision and model.followup.subdivision not in _subdivisions(country):
        problems.append(f"followup.subdivision: {model.followup.subdivision!r} is not in {country}")
    if "command" in (model.notify.backends or []) and not model.notify.command:
        problems.append("notify.command: required when the 'command' backend is enabled")
    problems += push_problems(model.notify)
    if model.user.email and "@" not in model.user.email:
        problems.append(f"user.email: {model.user.email!r} is not an e-mail address")
    return problems


def push_problems(notify: NotifyModel) -> list[str]:
    problems = []
    backends = notify.backends or []
    if "ntfy" in backends and not notify.ntfy_url:
        problems.append("notify.ntfy_url: required when the 'ntfy' backend is enabled (the topic "
                        "URL, e.g. https://ntfy.sh/a-topic-only-you-know)")
    if notify.ntfy_url:
        parts = urlsplit(notify.ntfy_url)
        loopback = parts.hostname in ("localhost", "127.0.0.1", "::1")
        if parts.scheme != "https" and not (parts.scheme == "http" and loopback):
            problems.append("notify.ntfy_url: must be an https:// URL (http only on loopback)")
        elif parts.username or parts.password:
            problems.append("notify.ntfy_url: put no credentials in the URL; use "
                            "ntfy_token_command or the keyring")
        elif not parts.path.strip("/"):
            problems.append("notify.ntfy_url: the URL names no topic")
    if notify.ntfy_ca_file and not Path(notify.ntfy_ca_file).expanduser().is_file():
        problems.append(f"notify.ntfy_ca_file: no such file: {notify.ntfy_ca_file}")
    if "apprise" in backends and not notify.apprise_urls_command:
        problems.append("notify.apprise_urls_command: required when the 'apprise' backend is "
                        "enabled (a command that prints your apprise URLs, one per line: they "
                        "carry tokens, so they are never written in this file)")
    return problems


def _permission_problems(path: Path, model: ConfigModel) -> list[str]:
    """A config naming the commands that print your passwords must not be readable by others."""
    commands = [i for i, a in enumerate(model.accounts)
                if a.password_command or a.oauth2_token_command]
    try:
        mode = path.stat().st_mode & 0o777
    except OSError:
        return []
    if commands and mode & 0o044:
        return [f"accounts[{commands[0]}]: this file names a password or token command but other "
                f"users can read it (mode {mode:o}); run chmod 600 {path}"]
    if (model.notify.ntfy_token_command or model.notify.apprise_urls_command) and mode & 0o044:
        return [f"notify: this file names a token command but other users can read it (mode "
                f"{mode:o}); run chmod 600 {path}"]
    return []


def _validate(data: dict[str, Any]) -> tuple[list[str], ConfigModel | None]:
    """Every problem in ``data``.  When some sections fail to validate, the others are still
    checked, so the user sees every problem in one go."""
    try:
        model = ConfigModel.model_validate(data)
        return _semantic_problems(model), model
    except ValidationError as exc:
        problems = _pydantic_problems(exc)
        failed = {err["loc"][0] for err in exc.errors() if err["loc"]}
    try:
        rest = ConfigModel.model_validate({k: v for k, v in data.items() if k not in failed})
    except ValidationError:
        return problems, None
    problems += [p for p in _semantic_problems(rest) if p.split("[")[0].split(".")[0] not in failed]
    build_rules(load_builtin_rules(), rest, problems)
    return problems, None


def load_learned(config_dir: Path) -> Any:
    """The user's corrections (``learned.toml`` beside the config; see ``learned``), or None
    when there are none.  Every problem is named with its key, like the config's."""
    from appealwatch import learned

    path = learned.path_beside(config_dir)
    if not path.exists():
        return None
    source = str(path)
    try:
        model = learned.LearnedModel.model_validate(_read_toml(path, source))
    except ValidationError as exc:
        raise ConfigError(source, _pydantic_problems(exc)) from None
    problems = []
    for i, e in enumerate(model.learned):
        if e.phrase is not None:
            try:
                re.compile(e.phrase)
            except re.error as exc:
                problems.append(f"learned[{i}].phrase: invalid regular expression: {exc}")
        allowed = {"suspension": REASONS, "appeal_decision": ("restored", "denied")}.get(e.as_, ())
        if e.reason is not None and e.reason not in allowed:
            problems.append(f"learned[{i}].reason: {e.reason!r} is not one of "
                            f"{', '.join(allowed) or '(none for ' + e.as_ + ')'}")
        if e.as_ == "appeal_decision" and e.reason is None:
            problems.append(f"learned[{i}].reason: restored or denied")
        if bool(e.provider) != bool(e.domains):
            problems.append(f"learned[{i}]: a provider needs its domains, and domains a provider")
        problems += _domain_problems(f"learned[{i}].domains", e.domains)
        problems += _domain_problems(f"learned[{i}].senders", e.senders)
    if problems:
        raise ConfigError(source, problems)
    return model


def _with_learned(providers: dict[str, ProviderModel], learned: Any) -> dict[str, ProviderModel]:
    """A learned sender domain joins the provider of that id, or makes a new one."""
    out = dict(providers)
    for e in learned.learned:
        if not e.provider:
            continue
        known = out.get(e.provider)
        if known is None:
            out[e.provider] = ProviderModel(name=e.name or e.provider, domains=list(e.domains))
        else:
            domains = list(dict.fromkeys([*known.domains, *e.domains]))
            out[e.provider] = known.model_copy(update={"domains": domains})
    return out


def _learned_senders(learned: Any) -> dict[str, tuple[str, ...]]:
    """The sender scope of each learned irrelevant phrase, by its cue key."""
    return {f"phrases.negative.learned[{i}]": tuple(e.senders)
            for i, e in enumerate(learned.learned) if e.as_ == "irrelevant" and e.senders}


def _learned_cues(learned: Any, problems: list[str]) -> dict[str, list[tuple[str, Cue]]]:
    """Each learned phrase as a cue of the reading it teaches ("suspension", "reason.policy",
    "negative", ...), keyed ``phrases.<group>.learned[N]`` (N: its entry in the file).  A
    later entry with the same phrase wins."""
    from appealwatch.learned import WEIGHT

    last = {e.phrase: i for i, e in enumerate(learned.learned) if e.phrase}
    out: dict[str, list[tuple[str, Cue]]] = {}
    for phrase, i in last.items():
        e = learned.learned[i]
        targets = {"irrelevant": [("negative", 1.0)],
                   "appeal_decision": [(e.reason or "", WEIGHT)]}.get(e.as_, [(e.as_, WEIGHT)])
        if e.as_ == "suspension" and e.reason in REASONS and e.reason != "unknown":
            targets.append((f"reason.{e.reason}", WEIGHT / 2))
        for group, weight in targets:
            key = f"phrases.{group}.learned[{i}]"
            cue = _compile(key, PatternEntry(re=phrase, weight=weight), problems)
            if cue is not None:
                out.setdefault(group, []).append((key, cue))
    return out


def load_config(path: str | os.PathLike[str] | None = None) -> Config:
    """Load and validate; raises ConfigError naming every problem.  The user's corrections
    (learned.toml beside the config) are read with it."""
    resolved = resolve_config_path(path)
    base = load_builtin_rules()
    if resolved is None:
        problems: list[str] = []
        learned = load_learned(default_config_path().parent)
        rules = build_rules(base, None, problems, learned)
        if problems:
            raise ConfigError("built-in rules", problems)
        return Config(ConfigModel(), rules, None)
    source = str(resolved)
    data = _read_toml(resolved, source)
    problems, model = _validate(data)
    if model is not None:
        problems += _permission_problems(resolved, model)
    learned = load_learned(resolved.parent)
    rules = build_rules(base, model, problems, learned) if model is not None else None
    if problems or rules is None:
        raise ConfigError(source, problems)
    return Config(model, rules, resolved)
