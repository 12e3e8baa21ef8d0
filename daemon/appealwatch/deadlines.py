"""What a provider's own words say about time: pure functions over text and dates.

Two kinds of statement matter to a case:

* a **promise**: how long the provider says it takes to answer ("we will get back to you within
  2 business days", "24-48 hours", "1-3个工作日内回复").  A follow-up before that time is the
  nagging DOMAIN.md warns against, so the first follow-up waits until the promise has passed,
  plus one business day.
* a **deadline**: a date after which something is lost for good: an appeal window ("you may
  appeal within 180 days"), a closure or deletion ("your data will be deleted after 30 days",
  "payouts will be closed on 3 June"), a time to pay or to rectify ("请于3日内完成整改").

Both come relative ("within 30 days", "7个工作日内") or absolute ("on June 3, 2026",
"2026年6月3日前"), in English and Chinese.  A statement is read a sentence at a time: the span or
date, and the words around it that say whose move it is (we answer / you must act).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Container
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from appealwatch.followup import FollowupPolicy, add_business_days, holiday_calendar

UNITS = ("hours", "days", "business_days", "weeks", "months")
END_OF_DAY = time(23, 59)


@dataclass(frozen=True, slots=True)
class Span:
    """A stretch of time as the text gives it: ``low``..``high`` units ("24-48 hours")."""

    low: int
    high: int
    unit: str  # one of UNITS


@dataclass(frozen=True, slots=True)
class Promise:
    span: Span
    text: str  # the sentence it was read from


@dataclass(frozen=True, slots=True)
class Deadline:
    kind: str  # appeal | payment | rectify | closure | deletion | action
    text: str  # the sentence it was read from
    span: Span | None = None  # relative to the message's date
    day: date | None = None  # absolute
    before: bool = False  # "before June 3" / "6月3日前": the day itself is too late


# --------------------------------------------------------------------------- numbers and units

_ZH_DIGITS = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
              "八": 8, "九": 9}
_EN_NUMBERS = {w: i for i, w in enumerate((
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
    "nineteen", "twenty"))}
_EN_NUMBERS.update({"thirty": 30, "forty-five": 45, "sixty": 60, "ninety": 90, "a": 1, "an": 1})


def _number(token: str) -> int | None:
    token = token.strip().lower()
    if token.isdigit():
        return int(token)
    if token in _EN_NUMBERS:
        return _EN_NUMBERS[token]
    if token and all(ch in _ZH_DIGITS or ch == "十" for ch in token):
        if "十" not in token:
            value = 0
            for ch in token:
                value = value * 10 + _ZH_DIGITS[ch]
            return value
        tens, _, ones = token.partition("十")
        return (_ZH_DIGITS.get(tens, 1) if tens else 1) * 10 + (_ZH_DIGITS.get(ones, 0))
    return None


_EN_UNIT = {"hour": "hours", "hr": "hours", "day": "days", "week": "weeks", "month": "months"}
_ZH_UNIT = {"小时": "hours", "个小时": "hours", "工作日": "business_days",
            "个工作日": "business_days", "天": "days", "日": "days", "自然日": "days",
            "个自然日": "days", "周": "weeks",
            "个月": "months", "月": "months"}

_NUM_EN = r"\d{1,3}|(?:" + "|".join(sorted(_EN_NUMBERS, key=len, reverse=True)) + r")"
_SPAN_EN = re.compile(
    rf"\b(?P<low>{_NUM_EN})(?:\s*\(\d{{1,3}}\))?"
    rf"(?:\s*(?:-|–|to|or)\s*(?P<high>{_NUM_EN}))?\s*"
    r"(?P<kind>business|working|calendar)?[\s-]*(?P<unit>hours?|hrs?|days?|weeks?|months?)\b",
    re.I,
)
_NUM_ZH = r"\d{1,3}|[一二两三四五六七八九十]{1,3}"
_SPAN_ZH = re.compile(
    rf"(?P<low>{_NUM_ZH})\s*(?:(?:-|~|～|—|至|到)\s*(?P<high>{_NUM_ZH}))?\s*"
    r"(?P<unit>个工作日|工作日|个自然日|自然日|个小时|小时|天|日|周|个月)"
    r"(?!期|常|报|志|历)"
)


def _span(m: re.Match[str], zh: bool) -> Span | None:
    low = _number(m["low"])
    high = _number(m["high"]) if m["high"] else low
    if low is None or high is None or high < low or high > 400:
        return None
    if zh:
        unit = _ZH_UNIT[m["unit"]]
    else:
        word = m["unit"].lower().rstrip("s")
        unit = _EN_UNIT.get(word, "hours" if word.startswith("hr") else "days")
        if unit == "days" and (m["kind"] or "").lower() in ("business", "working"):
            unit = "business_days"
    return Span(low, high, unit)


# --------------------------------------------------------------------------- absolute dates

_MONTHS = {m: i for i, names in enumerate((
    ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",),
    ("june", "jun"), ("july", "jul"), ("august", "aug"), ("september", "sep", "sept"),
    ("october", "oct"), ("november", "nov"), ("december", "dec")), start=1) for m in names}
_MONTH = "|".join(sorted(_MONTHS, key=len, reverse=True))
_DATE_PATTERNS = (
    re.compile(r"(?P<y>20\d{2})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*[日号]"),
    re.compile(r"(?<![\d年])(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*[日号]"),
    re.compile(r"\b(?P<y>20\d{2})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})\b"),
    re.compile(rf"\b(?P<mn>{_MONTH})\.?\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s+(?P<y>20\d{{2}}))?\b",
               re.I),
    re.compile(rf"\b(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<mn>{_MONTH})\.?(?:,?\s+(?P<y>20\d{{2}}))?\b",
               re.I),
)
_BEFORE = re.compile(r"^\s*(?:前|之前|以前)|\bbefore\s*$|\bprior to\s*$", re.I)


def _absolute(m: re.Match[str], sent: date) -> date | None:
    groups = m.groupdict()
    month = _MONTHS[groups["mn"].lower()] if groups.get("mn") else int(groups["m"])
    day = int(groups["d"])
    year = int(groups["y"]) if groups.get("y") else sent.year
    try:
        found = date(year, month, day)
    except ValueError:
        return None
    if not groups.get("y") and found < sent - timedelta(days=7):
        try:
            found = date(year + 1, month, day)  # "on 3 June" written in December
        except ValueError:
            return None
    return found


# --------------------------------------------------------------------------- whose move

_PROMISE = re.compile(
    r"\b(?:respond\w*|repl(?:y|ies|ied)|get(?:s|ting)? back|hear (?:back )?from (?:us|our)|answer|"
    r"contact(?:s|ing)? you|reach(?:es)? out|review (?:your|it|the)|(?:be )?reviewed|"
    r"process(?:ed)? (?:your|it|the)|"
    r"investigat\w*|update you|follow up with you|turnaround)\b"
    r"|回复|答复|反馈|处理结果|审核|联系您|给您|受理|回电",
    re.I,
)
_DEADLINE_KINDS_LOSS = (
    ("deletion", re.compile(
        r"\b(?:delet\w*|eras\w*|purg\w*|permanently remov\w*|destroy\w*)\b"
        r"|删除|清除|销毁|释放|回收",
        re.I)),
    ("closure", re.compile(
        r"\b(?:clos\w*|terminat\w*|suspend\w*|deactivat\w*|disabl\w*|shut\w* down|cancel\w*|"
        r"restrict\w*|limit\w*|lock\w*|remov\w*|stop\w*)\b|关闭|关停|停机|停服|停用|封禁|冻结|注销|暂停|限制|下架",
        re.I)),
)
_DEADLINE_KINDS_ACT = (
    ("appeal", re.compile(r"\b(?:appeal\w*|dispute|contest|request (?:a )?review)\b|申诉|复核|异议",
                          re.I)),
    ("payment", re.compile(
        r"\b(?:pay|paying|payments?|paid|settle|outstanding|overdue|balance|top up|recharge|"
        r"invoices?)\b"
        r"|缴费|缴纳|补缴|充值|续费|付款|支付|欠费|结清", re.I)),
    ("rectify", re.compile(
        r"\b(?:rectif\w*|fix|correct|remediat\w*|resolve|comply|provide|submit|verify|complete)\b"
        r"|整改|改正|纠正|提交|补充|完成|认证|核验", re.I)),
)
_YOU_ACT = re.compile(r"\byou\b|请|您需|您须|您可", re.I)
# what the user must do names the deadline before what is lost by missing it
_DEADLINE_KINDS = _DEADLINE_KINDS_ACT + _DEADLINE_KINDS_LOSS
# "suspended for 30 days", "kept for 90 days", "在过去7天": a duration, not a time left
_DURATION = re.compile(r"(?:\bfor|\bpast|\blast|\bover|为期|过去|最近)\s*(?:the\s+)?$", re.I)
_USER_MOVE = re.compile(
    r"\b(?:you (?:may|can|must|have|need|should|will need)|your (?:account|data|content|"
    r"organi[sz]ation|store|payouts?|funds|api|service|project|instances?|domain)|please|"
    r"unless|otherwise|if you|to avoid|failure to|no later than|by|until|within|after|on|"
    r"deadline)\b|请|您|否则|逾期|届时|将|截止|之前|以内",
    re.I,
)
_SENTENCES = re.compile(r"[^.!?。！？\n]+(?:[.!?。！？]|$)", re.M)
_GENERIC = re.compile(
    r"\b(?:typically|usually|generally|most (?:requests|cases)|in general|may take up to)\b"
    r"|一般|通常",
    re.I,
)


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCES.findall(text[:20_000]) if s.strip()]


def read_promise(text: str) -> Promise | None:
    """The response time the provider states, if it states one ("within 2 business days",
    "24-48 hours", "1-3个工作日内").  The longest stated time wins: following up after the
    longest promise is never early."""
    best: Promise | None = None
    for sentence in _sentences(text):
        if not _PROMISE.search(sentence):
            continue
        for span in _spans(sentence):
            if span.unit == "months":
                continue
            longer = best is None or (
                _hours(span.high, span.unit) > _hours(best.span.high, best.span.unit))
            if longer:
                best = Promise(span, sentence[:300])
    return best


def _spans(sentence: str) -> list[Span]:
    return [span for _, span in _spans_at(sentence)]


def _spans_at(sentence: str) -> list[tuple[int, Span]]:
    found = []
    for pattern, zh in ((_SPAN_EN, False), (_SPAN_ZH, True)):
        for m in pattern.finditer(sentence):
            span = _span(m, zh)
            if span is not None:
                found.append((m.start(), span))
    return sorted(found, key=lambda x: x[0])


def _hours(n: int, unit: str) -> float:
    return n * {"hours": 1, "days": 24, "business_days": 34, "weeks": 168, "months": 720}[unit]


def read_deadlines(text: str, sent: date) -> list[Deadline]:
    """Every deadline the text states, in the order written.  ``sent``: the message's date in
    the user's time zone (absolute dates without a year are read as the next such date)."""
    found: list[Deadline] = []
    for sentence in _sentences(text):
        kind = next((k for k, pattern in _DEADLINE_KINDS if pattern.search(sentence)), None)
        if kind is None or not _USER_MOVE.search(sentence):
            continue
        if _PROMISE.search(sentence) and not _YOU_ACT.search(sentence):
            continue  # "we will review your appeal within 5 days" is a promise, not a deadline
        for pattern in _DATE_PATTERNS:
            for m in pattern.finditer(sentence):
                day = _absolute(m, sent)
                if day is not None and day >= sent:
                    before = bool(_BEFORE.search(sentence[m.end():m.end() + 4])
                                  or _BEFORE.search(sentence[max(0, m.start() - 10):m.start()]))
                    found.append(Deadline(kind, sentence[:300], day=day, before=before))
        if any(d.text == sentence[:300] for d in found):
            continue  # an absolute date said it; a span in the same sentence is its restatement
        for start, span in _spans_at(sentence):
            if _DURATION.search(sentence[max(0, start - 12):start]):
                continue
            found.append(Deadline(kind, sentence[:300], span=span))
    return [d for d in found if not _GENERIC.search(d.text) or d.day is not None]


# --------------------------------------------------------------------------- computing times


def _calendar(policy: FollowupPolicy) -> Callable[[int], Container[date]]:
    return lambda year: holiday_calendar(policy.country, policy.subdivision, year)


def _after(start: datetime, n: int, unit: str, policy: FollowupPolicy) -> datetime:
    """``start`` plus n units, in the user's time zone."""
    zone = ZoneInfo(policy.timezone)
    local = start.astimezone(zone)
    if unit == "hours":
        return local + timedelta(hours=n)
    if unit == "business_days":
        day = add_business_days(local.date(), n, _calendar(policy))
        return datetime.combine(day, local.timetz()).replace(tzinfo=zone)
    days = {"days": 1, "weeks": 7}.get(unit)
    if days is not None:
        return local + timedelta(days=n * days)
    month = local.month - 1 + n  # months
    year, month = local.year + month // 12, month % 12 + 1
    day = min(local.day, 28)
    return local.replace(year=year, month=month, day=day)


def promise_followup_due(promise: Promise, said_at: datetime, policy: FollowupPolicy) -> datetime:
    """When a follow-up stops being early: one business day after the longest promised time has
    passed, at the configured hour."""
    passed = _after(said_at, promise.span.high, promise.span.unit, policy)
    day = add_business_days(passed.date(), 1, _calendar(policy))
    return datetime.combine(day, policy.due_time, tzinfo=ZoneInfo(policy.timezone))


def deadline_at(deadline: Deadline, said_at: datetime, policy: FollowupPolicy) -> datetime:
    """The last moment to act, in the user's time zone: the end of the deadline's day (the end
    of the day before it when the text says "before").  A span counts from the message's
    date; of a range ("3-5 days") the shorter end counts."""
    zone = ZoneInfo(policy.timezone)
    if deadline.day is not None:
        day = deadline.day - timedelta(days=1) if deadline.before else deadline.day
        return datetime.combine(day, END_OF_DAY, tzinfo=zone)
    assert deadline.span is not None
    when = _after(said_at, deadline.span.low, deadline.span.unit, policy)
    if deadline.span.unit == "hours":
        return when
    return datetime.combine(when.date(), END_OF_DAY, tzinfo=zone)


def reminders(due: datetime, policy: FollowupPolicy, days_before: int = 2
              ) -> list[tuple[datetime, str]]:
    """When to remind of a deadline, and how urgently: ``days_before`` business days before its
    day at the configured hour (normal), and on the day itself (critical)."""
    zone = ZoneInfo(policy.timezone)
    last_day = due.astimezone(zone).date()
    calendar = _calendar(policy)
    early_day = last_day
    for _ in range(days_before):
        early_day -= timedelta(days=1)
        while early_day.weekday() >= 5 or early_day in calendar(early_day.year):
            early_day -= timedelta(days=1)
    last = datetime.combine(last_day, policy.due_time, tzinfo=zone)
    if last > due:  # a deadline earlier in the day than the reminder hour
        last = due - timedelta(hours=2)
    out = []
    if days_before > 0:
        out.append((datetime.combine(early_day, policy.due_time, tzinfo=zone), "normal"))
    out.append((last, "critical"))
    return out


def earliest_deadline(text: str, said_at: datetime, policy: FollowupPolicy
                      ) -> tuple[Deadline, datetime] | None:
    """The deadline of a message that matters first (the soonest one still ahead of it)."""
    zone = ZoneInfo(policy.timezone)
    sent_day = said_at.astimezone(zone).date()
    timed = [(d, deadline_at(d, said_at, policy)) for d in read_deadlines(text, sent_day)]
    timed = [(d, t) for d, t in timed if t > said_at]
    return min(timed, key=lambda dt: dt[1]) if timed else None


# --------------------------------------------------------------------------- for the case logic

TIMED_CATEGORIES = ("suspension", "ticket_ack", "support_reply")


def message_facts(text: str, said_at: datetime, policy: FollowupPolicy) -> dict[str, object]:
    """What a provider's message says about time, as the store keeps it with the message."""
    facts: dict[str, object] = {}
    promise = read_promise(text)
    if promise is not None:
        facts["promised_until"] = promise_followup_due(promise, said_at, policy).isoformat()
        facts["promise_text"] = promise.text
    found = earliest_deadline(text, said_at, policy)
    if found is not None:
        deadline, at = found
        facts["deadline"] = {"at": at.isoformat(), "kind": deadline.kind, "text": deadline.text}
    return facts


def case_changes(category: str | None, decision: str | None, facts: dict[str, object]
                 ) -> dict[str, object]:
    """How a message on a case moves its clock: a stated deadline becomes the case's (the
    newest word counts), a stated response time postpones the first follow-up, and a decision
    ends the deadline (restored: nothing is lost any more; denied: nothing left to remind of)."""
    if category == "appeal_decision":
        return {"deadline_at": None, "deadline_kind": None, "deadline_text": None,
                "promised_until": None}
    changes: dict[str, object] = {}
    deadline = facts.get("deadline")
    if isinstance(deadline, dict):
        changes.update(deadline_at=datetime.fromisoformat(deadline["at"]),
                       deadline_kind=deadline["kind"], deadline_text=deadline["text"])
    promised = facts.get("promised_until")
    if isinstance(promised, str):
        changes["promised_until"] = datetime.fromisoformat(promised)
    return changes


def due_reminder(deadline: datetime, now: datetime, policy: FollowupPolicy, days_before: int
                 ) -> tuple[datetime, str] | None:
    """The reminder to give now, if any: the latest stage whose time has come (after a long
    silence that is one reminder, not two), none once the deadline has passed."""
    if now > deadline:
        return None
    due = [(when, level) for when, level in reminders(deadline, policy, days_before)
           if when <= now]
    return due[-1] if due else None


def next_reminder(deadline: datetime, now: datetime, policy: FollowupPolicy, days_before: int
                  ) -> datetime | None:
    """When the next reminder stage falls due (for the service's timer)."""
    if now > deadline:
        return None
    return next((when for when, _ in reminders(deadline, policy, days_before) if when > now),
                None)


def reminder_outdated(reminded: datetime, deadline: datetime | None, case_open: bool,
                      now: datetime) -> bool:
    """A reminder of ``reminded`` that must not go out any more (one a crash or a failing
    backend kept back): the case was decided, its provider has set another deadline since, or
    the deadline has passed."""
    return not case_open or deadline != reminded or now > reminded
