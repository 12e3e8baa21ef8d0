"""Promises and deadlines read from providers' words (pure: text and dates in, times out).

Wording after what providers publish and people quote: response times in help centres and
ticket acknowledgements, appeal windows, closure and deletion dates, time to pay or rectify."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from appealwatch.deadlines import (
    Span,
    deadline_at,
    earliest_deadline,
    promise_followup_due,
    read_deadlines,
    read_promise,
    reminder_outdated,
    reminders,
)
from appealwatch.followup import FollowupPolicy

US = FollowupPolicy(country="US", timezone="America/New_York")
CN = FollowupPolicy(country="CN", timezone="Asia/Shanghai")
NY = ZoneInfo("America/New_York")
SH = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize(("text", "span"), [
    ("Thanks for contacting us. Our team will get back to you within 2 business days.",
     Span(2, 2, "business_days")),
    ("We've received your request. Our specialists typically respond in 24-48 hours.",
     Span(24, 48, "hours")),
    ("Your appeal will be reviewed and you will hear from us within five working days.",
     Span(5, 5, "business_days")),
    ("您的工单已受理，我们将在1-3个工作日内回复您，请耐心等待。", Span(1, 3, "business_days")),
    ("工作人员会在7个工作日内处理您的申诉，处理结果将通过邮件通知。", Span(7, 7, "business_days")),
    ("我们会在二十四小时内给您答复。", Span(24, 24, "hours")),
])
def test_response_times_are_read(text, span):
    promise = read_promise(text)
    assert promise is not None and promise.span == span


@pytest.mark.parametrize("text", [
    "Your organization has been deactivated. You may appeal within 180 days.",
    "Dear customer, your invoice of $40.00 is 14 days overdue.",
    "Thanks for your message. We'll be in touch.",
    "本月账单已出，请及时查看。",
])
def test_no_promise_where_none_is_made(text):
    assert read_promise(text) is None


def test_the_longest_of_several_promises_wins():
    text = ("Most requests are answered within 24 hours. Appeals can take up to 5 business "
            "days to be reviewed.")
    assert read_promise(text).span == Span(5, 5, "business_days")


def test_follow_up_waits_until_the_promise_has_passed_plus_a_business_day():
    # acknowledged Thursday 2026-07-02: 2 business days skip Friday 3 July (Independence Day
    # observed) and the weekend -> Tuesday 7 July; one business day more -> Wednesday 8 July
    said = datetime(2026, 7, 2, 15, 0, tzinfo=NY)
    promise = read_promise("We will respond within 2 business days.")
    assert promise_followup_due(promise, said, US) == datetime(2026, 7, 8, 9, 0, tzinfo=NY)


def test_chinese_promise_across_national_day():
    said = datetime(2026, 9, 30, 10, 0, tzinfo=SH)
    promise = read_promise("我们将在3个工作日内回复您。")
    # 1-7 October are holidays (holidays' CN calendar); 3 business days: 8, 9, 12 October;
    # plus one: 13 October
    assert promise_followup_due(promise, said, CN) == datetime(2026, 10, 13, 9, 0, tzinfo=SH)


def test_hours_promise_counts_hours_then_a_business_day():
    said = datetime(2026, 3, 6, 17, 0, tzinfo=NY)  # a Friday evening
    promise = read_promise("Our team typically responds in 24-48 hours.")
    # 48 hours -> Sunday 8 March 17:00; the next business day is Monday 9 March
    assert promise_followup_due(promise, said, US) == datetime(2026, 3, 9, 9, 0, tzinfo=NY)


@pytest.mark.parametrize(("text", "kind", "due"), [
    ("If you believe this was a mistake, you may appeal within 180 days of this notice.",
     "appeal", datetime(2026, 11, 30, 23, 59, tzinfo=NY)),
    ("Your payouts have been paused. Your account will be closed on June 3, 2026 unless the "
     "negative balance is resolved.", "payment", datetime(2026, 6, 3, 23, 59, tzinfo=NY)),
    ("Your account data will be deleted after 30 days.", "deletion",
     datetime(2026, 7, 3, 23, 59, tzinfo=NY)),
    ("Payouts will be closed on 3 June.", "closure", datetime(2026, 6, 3, 23, 59, tzinfo=NY)),
    ("Please settle the outstanding balance by 2026-06-10 to avoid suspension.", "payment",
     datetime(2026, 6, 10, 23, 59, tzinfo=NY)),
])
def test_english_deadlines(text, kind, due):
    said = datetime(2026, 6, 3, 8, 0, tzinfo=NY)
    found = earliest_deadline(text, said, US)
    assert found is not None, text
    assert found[0].kind == kind
    assert found[1] == due


@pytest.mark.parametrize(("text", "kind", "due"), [
    ("您的云服务器存在违规内容，请于3日内完成整改，否则将关停服务。", "rectify",
     datetime(2026, 5, 8, 23, 59, tzinfo=SH)),
    ("您的账户已欠费，请于2026年6月3日前缴清欠费，逾期将停机。", "payment",
     datetime(2026, 6, 2, 23, 59, tzinfo=SH)),
    ("如对处罚结果有异议，您可在7天内提交申诉。", "appeal",
     datetime(2026, 5, 12, 23, 59, tzinfo=SH)),
    ("资源停机后数据将保留15天，15天后将被释放并删除。", "deletion",
     datetime(2026, 5, 20, 23, 59, tzinfo=SH)),
    ("您的店铺将于6月10日关闭。", "closure", datetime(2026, 6, 10, 23, 59, tzinfo=SH)),
])
def test_chinese_deadlines(text, kind, due):
    said = datetime(2026, 5, 5, 11, 0, tzinfo=SH)
    found = earliest_deadline(text, said, CN)
    assert found is not None, text
    assert found[0].kind == kind
    assert found[1] == due


@pytest.mark.parametrize("text", [
    "We will review your appeal within 5 business days.",  # a promise, not the user's deadline
    "Your account was suspended for 30 days in 2025 and has since been restored.",
    "Your data is kept for 90 days after you cancel, as described in our policy.",
    "Thanks for your order, it will ship in 2-3 days.",
    "您的账号在过去7天内有异常登录。",
])
def test_no_deadline_where_none_is_set(text):
    said = datetime(2026, 5, 5, 11, 0, tzinfo=NY)
    assert earliest_deadline(text, said, US) is None


def test_absolute_date_without_year_is_the_next_one():
    found = read_deadlines("Your account will be closed on 5 January.", date(2026, 12, 20))
    assert found[0].day == date(2027, 1, 5)


def test_a_past_date_is_no_deadline():
    assert read_deadlines("Your account was closed on 3 March 2026.", date(2026, 6, 1)) == []


def test_reminders_skip_the_weekend_and_a_public_holiday():
    # a deadline on Monday 6 July 2026: two business days before are Thursday 2 and Wednesday
    # 1 July (Friday 3 July is Independence Day observed), then the critical one on the day
    due = datetime(2026, 7, 6, 23, 59, tzinfo=NY)
    assert reminders(due, US, days_before=2) == [
        (datetime(2026, 7, 1, 9, 0, tzinfo=NY), "normal"),
        (datetime(2026, 7, 6, 9, 0, tzinfo=NY), "critical"),
    ]


def test_reminder_days_are_configurable():
    due = datetime(2026, 6, 10, 23, 59, tzinfo=NY)  # a Wednesday
    assert reminders(due, US, days_before=1)[0][0] == datetime(2026, 6, 9, 9, 0, tzinfo=NY)
    assert [u for _, u in reminders(due, US, days_before=0)] == ["critical"]


def test_deadline_before_a_day_ends_the_day_before():
    d = read_deadlines("请于2026年6月3日前缴清欠费。", date(2026, 5, 1))[0]
    assert d.before
    assert deadline_at(d, datetime(2026, 5, 1, tzinfo=SH), CN) == datetime(2026, 6, 2, 23, 59,
                                                                          tzinfo=SH)


def test_reading_never_fails_and_stays_bounded():
    from hypothesis import given, settings
    from hypothesis import strategies as st

    words = st.sampled_from([
        "within", "3", "三", "个工作日", "days", "-", "48", "hours", "appeal", "请于", "日前",
        "2026年6月3日", "June", "31", "deleted", "on", "before", "你", "you", "。", ".", " ",
        "十二", "business", "月", "20261", "2026-02-30", "payouts", "整改", "Feb 29",
    ])

    @settings(max_examples=300, deadline=None)
    @given(st.lists(words, max_size=40).map("".join), st.dates(date(2020, 1, 1), date(2030, 1, 1)))
    def check(text, sent):
        said = datetime.combine(sent, datetime.min.time(), tzinfo=SH)
        read_promise(text)
        for d in read_deadlines(text, sent):
            assert deadline_at(d, said, CN).tzinfo is not None

    check()


def test_a_reminder_held_back_expires_once_its_moment_has_gone():
    due = datetime(2026, 6, 3, 23, 59, tzinfo=NY)
    before, after = datetime(2026, 6, 3, 9, 0, tzinfo=NY), datetime(2026, 6, 4, 9, 0, tzinfo=NY)
    assert not reminder_outdated(due, due, True, before)
    assert reminder_outdated(due, due, True, after)  # the deadline has passed
    assert reminder_outdated(due, due, False, before)  # the case was decided
    assert reminder_outdated(due, datetime(2026, 6, 9, 23, 59, tzinfo=NY), True, before)
    assert reminder_outdated(due, None, True, before)
