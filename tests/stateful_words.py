"""What the providers of the stateful machine write, in English and Chinese, and the model's
own reading of what their words say about time: the deadline a notice or a question sets (an
appeal window, a date to pay by, a deletion after some days, a time to rectify) and the response
time an acknowledgement promises.  The model reads them from how it wrote them, with a business
day calendar of its own (the ``holidays`` package's, counted here), never through
appealwatch.deadlines; the machine's user lives in UTC (the config's default)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache

import holidays

DUE_HOUR = time(9, 0)  # the config's due_time: when follow-ups and reminders fall due
LAST_MINUTE = time(23, 59)  # a deadline's day ends here
DEADLINE_FORMS = ("within", "by", "after")  # relative, absolute date, deletion after a span
SPANS = (2, 5, 12)  # days of a deadline, business days of a promise

TEXTS = {
    "en": {
        "notice_subject": "Your account has been suspended",
        "reply_subject": "Re: Your account has been suspended",
        "notice": "Your {name} account has been suspended because several payments were "
                  "declined and the invoice is overdue. Account ID: {account}.",
        "ack": "This is an automatic confirmation: we have received your request and a member "
               "of our team will review it.",
        "promise": "This is an automatic confirmation: we have received your request and a "
                   "member of our team will review it within {n} business days.",
        "question": "Hi, could you please tell us the last four digits of your new card?",
        "update": "Hi, I'm still looking into this with our billing team.",
        "restored": "We have reviewed your appeal and your account is active again.",
        "denied": "After reviewing your appeal we are unable to reinstate the account; this "
                  "decision is final.",
        "within": "You may appeal within {n} days.",
        "by": "Unless the invoice is paid by {day:%B} {day.day}, {day.year}, your account will "
              "be closed.",
        "after": "Your data will be deleted after {n} days.",
    },
    "zh": {
        "notice_subject": "【{name}】您的账号已被暂停服务",
        "reply_subject": "回复：【{name}】您的账号已被暂停服务",
        "notice": "尊敬的{name}用户：\n\n您的{name}账号因多笔付款失败、账单逾期，已被暂停服务。"
                  "账号ID：{account}。",
        "ack": "您好，您的工单已受理，我们将尽快处理。",
        "promise": "您好，您的工单已受理，我们将在1-{n}个工作日内回复您，请耐心等待。",
        "question": "您好，请提供您新绑定银行卡的后四位数字。",
        "update": "您好，您的申诉我们仍在处理中，请耐心等待。",
        "restored": "您好，经复核，您的账号已恢复正常使用。",
        "denied": "您好，经复核，我们无法解除对您账号的限制，此决定为最终决定。",
        "within": "请于{n}日内完成整改，否则将关停服务。",
        "by": "请于{day.year}年{day.month}月{day.day}日前缴清欠款，逾期账号将被注销。",
        "after": "您的数据将在{n}天后被删除。",
    },
}


@dataclass(frozen=True)
class Said:
    """A sentence a provider adds to a message, and what the model knows it means."""

    text: str
    deadline: datetime | None = None  # the last moment to act
    promise_due: datetime | None = None  # when a follow-up stops being early


def text(lang: str, key: str, name: str, account: int = 0) -> str:
    """A provider's words; a notice names the account (each notice in the machine is about an
    account of its own: a new incident, never another notice of an open one)."""
    return TEXTS[lang][key].format(name=name, account=account)


def deadline(lang: str, form: str, n: int, sent: datetime) -> Said:
    """A deadline stated ``n`` days after the message's day: "within n days" and "after n days"
    end with the n-th day; "by <day>" with that day, except that the Chinese form says "前"
    (before it), so the day before is the last."""
    day = sent.astimezone(UTC).date() + timedelta(days=n)
    last = day - timedelta(days=1) if form == "by" and lang == "zh" else day
    return Said(TEXTS[lang][form].format(n=n, day=day),
                deadline=datetime.combine(last, LAST_MINUTE, tzinfo=UTC))


def promise(lang: str, n: int, sent: datetime) -> Said:
    """A response time of ``n`` business days (the Chinese one a range, 1-n: its longer end
    counts): a follow-up is early until one business day after it has passed."""
    day = business_days_after(business_days_after(sent.astimezone(UTC).date(), n), 1)
    return Said(TEXTS[lang]["promise"].format(n=n),
                promise_due=datetime.combine(day, DUE_HOUR, tzinfo=UTC))


@cache
def _us_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("US", years=year))


def business_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _us_holidays(day.year)


def business_days_after(day: date, n: int) -> date:
    while n:
        day += timedelta(days=1)
        n -= business_day(day)
    return day


def business_days_before(day: date, n: int) -> date:
    while n:
        day -= timedelta(days=1)
        n -= business_day(day)
    return day
