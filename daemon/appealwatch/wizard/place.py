"""Where the user probably is: the country whose public holidays are not business days and the
time zone follow-ups are counted in.  `init` asks with these guesses as the defaults.

The system's time zone says the most (a zone other than UTC was chosen by someone: Asia/Shanghai
-> CN, from the tz database's zone.tab); a national mail provider's address says where its owner
most likely lives (163.com, qq.com -> CN), as does a country-code domain (.de -> DE); the locale
comes last, since en_US is many systems' default.  A server left on UTC takes the zone of the
country the address points to when one zone covers it.
"""

from __future__ import annotations

import contextlib
import os
import re
import zoneinfo
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

Environ = os._Environ[str] | dict[str, str]

UTC_ALIASES = frozenset({"Etc/UTC", "Etc/Universal", "Etc/Zulu", "Etc/UCT", "Universal", "Zulu",
                         "UCT", "Etc/GMT", "GMT", "Etc/Greenwich", "Greenwich", "Etc/GMT0",
                         "GMT0", "Etc/GMT+0", "Etc/GMT-0", "GMT+0", "GMT-0", "UTC"})

# national mail providers under a generic top-level domain (country-code domains speak for
# themselves): the address says where its owner most likely lives
MAIL_COUNTRIES = {
    **dict.fromkeys(("163.com", "126.com", "yeah.net", "188.com", "vip.163.com", "vip.126.com",
                     "qq.com", "vip.qq.com", "foxmail.com", "aliyun.com", "sina.com", "sina.cn",
                     "vip.sina.com", "sohu.com", "139.com", "189.cn", "wo.cn", "21cn.com"), "CN"),
    **dict.fromkeys(("naver.com", "daum.net", "hanmail.net", "kakao.com"), "KR"),
    **dict.fromkeys(("rediffmail.com",), "IN"),
    **dict.fromkeys(("yandex.com", "yandex.ru", "mail.ru", "rambler.ru"), "RU"),
}
# country-code domains that are sold worldwide for their letters, not their country
_GENERIC_CC = frozenset({"ai", "am", "app", "cc", "co", "fm", "gg", "io", "la", "ly", "me", "ms",
                         "nu", "sh", "so", "tk", "to", "tv", "vc", "ws", "xyz"})
_CC_ALIASES = {"uk": "GB"}
# countries whose zone.tab lists more than one zone, but one zone keeps the time of all or
# nearly all of it
_MAIN_ZONE = {"CN": "Asia/Shanghai", "DE": "Europe/Berlin", "ES": "Europe/Madrid",
              "PT": "Europe/Lisbon", "EC": "America/Guayaquil", "CL": "America/Santiago",
              "UA": "Europe/Kyiv", "MY": "Asia/Kuala_Lumpur", "NZ": "Pacific/Auckland"}


@dataclass(frozen=True)
class Place:
    country: str
    timezone: str
    country_from: str  # what the guess rests on, e.g. "the system's time zone Asia/Shanghai"
    timezone_from: str


def supported_countries() -> dict[str, Any]:
    import holidays  # deferred: large

    return holidays.list_supported_countries()


def zone_ok(name: str) -> bool:
    if not name or name.startswith("/") or ".." in name:
        return False
    try:
        zoneinfo.ZoneInfo(name)
    except Exception:
        return False
    return True


def system_timezone(environ: Environ | None = None, localtime: Path = Path("/etc/localtime"),
                    timezone_file: Path = Path("/etc/timezone")) -> str | None:
    """$TZ when it names a zone, else the zone /etc/localtime links to, else the one
    /etc/timezone names (Debian's, for a copied /etc/localtime); "UTC" for any name of UTC; None
    when nothing names a zone."""
    env = os.environ if environ is None else environ
    candidates = []
    tz = env.get("TZ", "").removeprefix(":")
    if "/zoneinfo/" in tz:
        tz = tz.split("/zoneinfo/", 1)[1]
    candidates.append(tz)
    try:
        target = os.readlink(localtime)
    except OSError:
        target = ""
    if "zoneinfo/" in target:
        candidates.append(target.split("zoneinfo/", 1)[1])
    with contextlib.suppress(OSError, UnicodeDecodeError):
        candidates.append(timezone_file.read_text(encoding="utf-8").strip())
    for name in candidates:
        if zone_ok(name):
            return "UTC" if name in UTC_ALIASES else name
    return None


def default_timezone(environ: Environ | None = None, localtime: Path = Path("/etc/localtime"),
                     timezone_file: Path = Path("/etc/timezone")) -> str:
    """The system's time zone, else UTC."""
    return system_timezone(environ, localtime, timezone_file) or "UTC"


@cache
def _zone_table(path: Path) -> dict[str, list[str]]:
    """zone.tab: country code -> its zones, in the table's order."""
    table: dict[str, list[str]] = {}
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return table
    for line in text.splitlines():
        fields = line.split("\t")
        if len(fields) >= 3 and not line.startswith("#"):
            table.setdefault(fields[0].upper(), []).append(fields[2])
    return table


def _zone_tab() -> dict[str, list[str]]:
    for base in zoneinfo.TZPATH:
        table = _zone_table(Path(base) / "zone.tab")
        if table:
            return table
    return {}


def zone_country(zone: str, table: dict[str, list[str]] | None = None) -> str | None:
    """The country of a tz zone (Asia/Shanghai -> CN); a link such as PRC or US/Eastern is
    followed through the zoneinfo files; None for UTC and zones of no one country."""
    table = _zone_tab() if table is None else table
    countries = {z: cc for cc, zones in table.items() for z in zones}
    if zone in countries:
        return countries[zone]
    for base in zoneinfo.TZPATH:
        path = Path(base) / zone
        if zone_ok(zone) and path.is_symlink():
            try:
                real = path.resolve().relative_to(Path(base).resolve())
            except (OSError, ValueError):
                continue
            return countries.get(str(real))
    return None


def country_zone(country: str, table: dict[str, list[str]] | None = None) -> str | None:
    """The one zone a country lives in, when there is one (JP -> Asia/Tokyo, CN ->
    Asia/Shanghai); None for countries of several (US, RU, BR, AU...)."""
    table = _zone_tab() if table is None else table
    zones = table.get(country, [])
    zone = _MAIN_ZONE.get(country) or (zones[0] if len(zones) == 1 else None)
    return zone if zone and zone_ok(zone) else None


def mail_country(email: str) -> str | None:
    """The country a mail address points to: a national provider's (163.com -> CN) or a
    country-code domain's (.de -> DE, .co.jp -> JP), if the holidays library knows it."""
    domain = email.rpartition("@")[2].strip().lower().rstrip(".")
    if domain in MAIL_COUNTRIES:
        return MAIL_COUNTRIES[domain]
    tld = domain.rpartition(".")[2]
    if len(tld) != 2 or tld in _GENERIC_CC:
        return None
    code = _CC_ALIASES.get(tld, tld.upper())
    return code if code in supported_countries() else None


def locale_country(environ: Environ | None = None) -> str | None:
    """The country of the locale in force (LC_ALL, LC_TIME, LC_MESSAGES, LANG: de_DE.UTF-8 ->
    DE), if the holidays library knows it."""
    env = os.environ if environ is None else environ
    for var in ("LC_ALL", "LC_TIME", "LC_MESSAGES", "LANG"):
        value = env.get(var, "")
        if not value:
            continue
        m = re.match(r"[a-z]{2,3}_([A-Za-z]{2})(?:[.@]|$)", value)
        if m and m.group(1).upper() in supported_countries():
            return m.group(1).upper()
        return None  # the locale in force names no usable country
    return None


def default_country(environ: Environ | None = None) -> str:
    """The locale's country, else US."""
    return locale_country(environ) or "US"


def guess_place(email: str, environ: Environ | None = None,
                localtime: Path = Path("/etc/localtime"),
                timezone_file: Path = Path("/etc/timezone"),
                table: dict[str, list[str]] | None = None) -> Place:
    """The country and time zone for someone with ``email`` on this system; see the module's
    docstring for the order of the evidence."""
    env = os.environ if environ is None else environ
    zone = system_timezone(env, localtime, timezone_file)
    local = zone is not None and zone != "UTC"
    by_zone = zone_country(zone, table) if local and zone else None
    by_mail = mail_country(email)
    by_locale = locale_country(env)
    domain = email.rpartition("@")[2].lower()
    if by_zone and by_zone in supported_countries():
        country, country_from = by_zone, f"the system's time zone {zone}"
    elif by_mail:
        country, country_from = by_mail, f"your address ({domain})"
    elif by_locale:
        country, country_from = by_locale, "the locale"
    else:
        country, country_from = "US", ""
    if local and zone:
        return Place(country, zone, country_from, "the system's")
    main = country_zone(country, table) if country_from and by_zone is None else None
    if main:
        return Place(country, main, country_from, country_from)
    return Place(country, "UTC", country_from, "the system's" if zone else "")
