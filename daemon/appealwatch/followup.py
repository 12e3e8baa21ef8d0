"""Follow-up timing: pure functions over dates.

A follow-up is due ``after_business_days`` business days after the last message on a case that
waits for the provider, at 09:00 in the user's time zone; the k-th follow-up waits k times as long
(3, then 6 business days by default), counted from the later of that message and the previous
follow-up.  Weekends and the configured country's public holidays do not count.  There is none
without evidence that the user wrote (their message in Sent, the provider's acknowledgement, or
marked by hand), none while the provider's question is unanswered, none for closed or suspicious
cases, and never more than ``max_followups``.  The first follow-up is number 1 however late it
comes.
"""

from __future__ import annotations

from collections.abc import Callable, Container
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from appealwatch.model import CaseRow

FOLLOWUP_STATES = ("appealed", "waiting")
DUE_HOUR = time(9, 0)


@dataclass(frozen=True, slots=True)
class FollowupPolicy:
    after_business_days: int = 3
    max_followups: int = 2
    country: str = "US"
    subdivision: str | None = None
    timezone: str = "UTC"
    due_time: time = DUE_HOUR
    deadline_reminder_days: int = 2


@cache
def holiday_calendar(country: str, subdivision: str | None, year: int) -> frozenset[date]:
    import holidays  # deferred: large, and only needed here

    return frozenset(holidays.country_holidays(country, subdiv=subdivision, years=year).keys())


def is_business_day(day: date, holidays: Callable[[int], Container[date]]) -> bool:
    return day.weekday() < 5 and day not in holidays(day.year)


def add_business_days(start: date, n: int, holidays: Callable[[int], Container[date]]) -> date:
    """The n-th business day after ``start`` (``start`` itself never counts)."""
    day = start
    while n > 0:
        day += timedelta(days=1)
        if is_business_day(day, holidays):
            n -= 1
    return day


def business_days_between(start: date, end: date,
                          holidays: Callable[[int], Container[date]]) -> int:
    count, day = 0, start
    while day < end:
        day += timedelta(days=1)
        if is_business_day(day, holidays):
            count += 1
    return count


def _calendar(policy: FollowupPolicy) -> Callable[[int], Container[date]]:
    return lambda year: holiday_calendar(policy.country, policy.subdivision, year)


def reference_time(case: CaseRow) -> datetime | None:
    """The last message on the case, in either direction."""
    times = [t for t in (case.user_last_at, case.provider_last_at) if t is not None]
    return max(times) if times else None


def due_time(case: CaseRow, number: int, policy: FollowupPolicy) -> datetime | None:
    """When follow-up ``number`` of this case falls due: number x N business days after the
    last message on the case (or the previous follow-up, if that came later), at 09:00 local
    time."""
    ref = reference_time(case)
    if ref is None:
        return None
    if case.last_followup_at is not None and case.last_followup_at > ref:
        ref = case.last_followup_at
    zone = ZoneInfo(policy.timezone)
    local_day = ref.astimezone(zone).date()
    due_day = add_business_days(local_day, policy.after_business_days * number, _calendar(policy))
    return datetime.combine(due_day, policy.due_time, tzinfo=zone)


def next_followup(case: CaseRow, policy: FollowupPolicy) -> tuple[int, datetime] | None:
    """(number, due time) of the next follow-up for this case, or None if none can become due."""
    if case.state not in FOLLOWUP_STATES or case.awaiting_user or not case.appealed_via:
        return None
    if case.followups >= policy.max_followups:
        return None
    number = case.followups + 1
    due = due_time(case, number, policy)
    if due and case.promised_until and case.promised_until > due:
        due = case.promised_until  # the provider said when it would answer: not before that
    if due and case.snoozed_until and case.snoozed_until > due:
        due = case.snoozed_until
    return (number, due) if due else None


def followup_due_now(case: CaseRow, now: datetime,
                     policy: FollowupPolicy) -> tuple[int, datetime] | None:
    """The follow-up to write now, if any.  After a long silence (a laptop that was off for a
    week) that is one follow-up, the next in line, not a burst of them: the one after it waits
    its full gap from then."""
    nxt = next_followup(case, policy)
    if nxt is None or now < nxt[1]:
        return None
    if case.snoozed_until and now < case.snoozed_until:
        return None
    return nxt


def snooze_until(case: CaseRow, now: datetime, policy: FollowupPolicy) -> datetime:
    """One business day later than the follow-up would have been due (or than now)."""
    nxt = next_followup(case, policy)
    start = max(now, nxt[1]) if nxt else now
    zone = ZoneInfo(policy.timezone)
    day = add_business_days(start.astimezone(zone).date(), 1, _calendar(policy))
    return datetime.combine(day, policy.due_time, tzinfo=zone)


def business_days_waiting(case: CaseRow, now: datetime, policy: FollowupPolicy) -> int:
    ref = reference_time(case)
    if ref is None:
        return 0
    zone = ZoneInfo(policy.timezone)
    return business_days_between(ref.astimezone(zone).date(), now.astimezone(zone).date(),
                                 _calendar(policy))
