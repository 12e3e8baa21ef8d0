"""Follow-up timing: business days, holidays, growing gaps, limits."""

from __future__ import annotations

from datetime import UTC, date, datetime

from appealwatch.followup import (
    FollowupPolicy,
    add_business_days,
    followup_due_now,
    holiday_calendar,
    next_followup,
)
from test_cases import case as any_case

US = FollowupPolicy(3, 2, "US", None, "UTC")


def case(**kw):
    """A case the user is known to have written on (their appeal is in Sent)."""
    return any_case(**{"appealed_via": "sent", **kw})

# Wednesday 25 November 2026, the day before Thanksgiving (a US public holiday)
LAST = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)


def test_holidays_come_from_the_library():
    assert date(2026, 11, 26) in holiday_calendar("US", None, 2026)
    assert date(2026, 10, 1) in holiday_calendar("CN", None, 2026)


def test_weekends_and_holidays_do_not_count():
    cal = lambda y: holiday_calendar("US", None, y)  # noqa: E731
    # Thu 26 is Thanksgiving, 28/29 the weekend: Fri 27, Mon 30, Tue 1 December
    assert add_business_days(date(2026, 11, 25), 3, cal) == date(2026, 12, 1)
    assert add_business_days(date(2026, 12, 24), 1, cal) == date(2026, 12, 28)


def test_first_followup_is_due_after_three_business_days_at_nine():
    c = case(state="waiting", user_last_at=LAST, provider_last_at=None)
    assert next_followup(c, US) == (1, datetime(2026, 12, 1, 9, 0, tzinfo=UTC))


def test_due_exactly_when_due_and_no_earlier():
    c = case(state="waiting", user_last_at=LAST, provider_last_at=None)
    assert followup_due_now(c, datetime(2026, 11, 30, 23, 59, tzinfo=UTC), US) is None
    assert followup_due_now(c, datetime(2026, 12, 1, 8, 59, tzinfo=UTC), US) is None
    assert followup_due_now(c, datetime(2026, 12, 1, 9, 0, tzinfo=UTC), US)[0] == 1


def test_gaps_grow_and_the_maximum_holds():
    c1 = case(state="waiting", user_last_at=LAST, provider_last_at=None, followups=1)
    # the second waits twice as long: 6 business days -> Friday 4 December
    assert next_followup(c1, US) == (2, datetime(2026, 12, 4, 9, 0, tzinfo=UTC))
    c2 = case(state="waiting", user_last_at=LAST, provider_last_at=None, followups=2)
    assert next_followup(c2, US) is None


def test_after_a_long_silence_only_one_followup_is_written_and_it_is_the_first():
    c = case(state="appealed", user_last_at=LAST, provider_last_at=None)
    assert followup_due_now(c, datetime(2027, 3, 1, tzinfo=UTC), US)[0] == 1


def test_the_next_followup_waits_its_gap_from_the_last_one():
    # the first was drafted late, on Monday 1 March 2027: the second is 6 business days later
    late = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)
    c = case(state="appealed", user_last_at=LAST, provider_last_at=None, followups=1,
             last_followup_at=late)
    assert next_followup(c, US) == (2, datetime(2027, 3, 9, 9, 0, tzinfo=UTC))
    assert followup_due_now(c, datetime(2027, 3, 8, 12, 0, tzinfo=UTC), US) is None


def test_no_followup_without_evidence_that_the_user_wrote():
    # a case opened by a provider's message alone (a misread notice, a status update): nothing
    # says the user ever wrote, so there is nothing to follow up on
    silent = case(state="appealed", user_last_at=None, appealed_via=None)
    assert next_followup(silent, US) is None
    assert followup_due_now(silent, datetime(2027, 3, 1, tzinfo=UTC), US) is None
    for via in ("sent", "ack", "you"):
        assert followup_due_now(case(state="appealed", appealed_via=via),
                                datetime(2027, 3, 1, tzinfo=UTC), US) is not None


def test_no_followup_when_it_is_not_appropriate():
    when = datetime(2027, 1, 1, tzinfo=UTC)
    for c in (case(state="needs_reply", user_last_at=LAST),
              case(state="waiting", user_last_at=LAST, awaiting_user=True),
              case(state="new", user_last_at=LAST),
              case(state="restored", user_last_at=LAST),
              case(state="denied", user_last_at=LAST),
              case(state="suspicious", user_last_at=LAST)):
        assert followup_due_now(c, when, US) is None, c.state


def test_time_zone_of_the_user_counts():
    berlin = FollowupPolicy(3, 2, "DE", None, "Europe/Berlin")
    # Thursday 23:30 UTC is already Friday in Berlin: counting starts from Friday, so the third
    # business day is Wednesday (from Thursday it would be Tuesday)
    c = case(state="waiting", user_last_at=datetime(2026, 3, 5, 23, 30, tzinfo=UTC),
             provider_last_at=None)
    _, due = next_followup(c, berlin)
    assert due.date() == date(2026, 3, 11) and due.hour == 9
