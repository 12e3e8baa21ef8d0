"""Forwarded notices are unwrapped: the inner sender, date, subject, text and links."""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import forwards as F
from appealwatch.classify.unwrap import read_date, unwrap, unwrap_body
from appealwatch.parse import Address, parse
from conftest import CORPUS
from mails import make_mail

PLAIN = ["gmail", "gmail_zh", "outlook", "outlook_zh", "outlook_classic", "apple", "thunderbird",
         "qq", "foxmail_en", "netease"]
HTML = ["gmail_html", "outlook_html", "outlook_zh_html", "apple_html", "qq_html", "netease_html"]
NOTICES = [F.GITHUB, F.ALIYUN]


def check_inner(found, n: F.Notice) -> None:
    assert found is not None
    assert found.sender is not None
    assert (found.sender.name, found.sender.address, found.sender.domain) == (
        n.name, n.address, n.domain)
    assert found.subject == n.subject
    assert found.forwarded_by is not None and found.forwarded_by.address == "bob.li@corp.example"
    first_line = n.body.splitlines()[0]
    assert found.text.startswith(first_line)
    assert n.body.rstrip().splitlines()[-1] in found.text
    assert "Forwarded" not in found.text and "发件人" not in found.text
    assert n.link in [link.href for link in found.links]
    assert found.inner.auth_results == ()


@pytest.mark.parametrize("n", NOTICES, ids=lambda n: n.domain)
@pytest.mark.parametrize("fmt", PLAIN)
def test_plain_forwards_of_each_client(fmt, n):
    raw = F.forwarded(getattr(F, fmt)(n), subject=f"Fwd: {n.subject}")
    check_inner(unwrap(parse(raw)), n)


@pytest.mark.parametrize("n", NOTICES, ids=lambda n: n.domain)
@pytest.mark.parametrize("fmt", HTML)
def test_html_forwards_of_each_client(fmt, n):
    p = parse(F.html_only(getattr(F, fmt)(n), subject=f"转发：{n.subject}"))
    assert p.html_only
    check_inner(unwrap(p), n)


@pytest.mark.parametrize("n", NOTICES, ids=lambda n: n.domain)
def test_attached_message(n):
    found = unwrap(parse(F.attached(n)))
    check_inner(found, n)
    assert found.via == "attached"
    assert found.date == n.date
    assert found.inner.message_id == "<notice-1@github.com>"


def test_attached_message_bytes_are_kept_by_the_parser():
    p = parse(F.attached(F.GITHUB))
    assert len(p.attached) == 1
    assert parse(p.attached[0]).from_ == Address("GitHub", "support@github.com", "github.com")
    assert parse(make_mail()).attached == ()


@pytest.mark.parametrize(("fmt", "expected"), [
    ("gmail", datetime(2026, 12, 2, 9, 15, tzinfo=UTC)),
    ("apple", datetime(2026, 12, 2, 9, 15, 22, tzinfo=UTC)),
    ("thunderbird", datetime(2026, 12, 2, 9, 15, 22, tzinfo=UTC)),
    ("netease", datetime(2026, 12, 2, 9, 15, 22, tzinfo=F.CST)),
    ("qq", datetime(2026, 12, 2, 9, 15, tzinfo=F.CST)),
    ("outlook_zh", datetime(2026, 12, 2, 9, 15, tzinfo=F.CST)),
])
def test_the_inner_date_in_the_forwarders_zone(fmt, expected):
    """A printed time without a zone is the forwarder's local time: the outer Date's zone."""
    outer = datetime(2026, 12, 2, 10, 0, tzinfo=F.CST if fmt in ("qq", "outlook_zh", "netease")
                     else UTC)
    raw = F.forwarded(getattr(F, fmt)(F.GITHUB), subject="Fwd: x", date=outer)
    found = unwrap(parse(raw))
    assert found is not None
    assert found.date == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("Wed, Dec 2, 2026 at 3:14 PM", datetime(2026, 12, 2, 7, 14, tzinfo=UTC)),
    ("Tuesday, December 1, 2026 12:05 AM", datetime(2026, 11, 30, 16, 5, tzinfo=UTC)),
    ("2 December 2026 at 09:15:22 GMT+1", datetime(2026, 12, 2, 8, 15, 22, tzinfo=UTC)),
    ("2026年12月2日(星期三) 下午3:15", datetime(2026, 12, 2, 7, 15, tzinfo=UTC)),
    ("2026年12月2日周三 上午12:30", datetime(2026, 12, 1, 16, 30, tzinfo=UTC)),
    ("2026-12-02 09:15:22", datetime(2026, 12, 2, 1, 15, 22, tzinfo=UTC)),
    ("Wed, 02 Dec 2026 09:15:22 -0500", datetime(2026, 12, 2, 14, 15, 22, tzinfo=UTC)),
])
def test_dates_as_clients_print_them(text, expected):
    assert read_date(text, F.CST) == expected


@pytest.mark.parametrize("text", ["", "yesterday", "2026年13月45日", "Smarch 40, 2026 10:00"])
def test_unreadable_dates_are_none(text):
    assert read_date(text) is None


def test_nested_forwards_take_the_innermost_notice():
    """The work address forwarded the notice (Outlook, Chinese) to the user, who forwarded it
    to a colleague, who forwarded it back (Gmail)."""
    first = F.outlook_zh(F.GITHUB)
    second = F.gmail(replace(F.GITHUB, name="Ops", address="ops@corp.example",
                             subject=f"FW: {F.GITHUB.subject}", body=first))
    raw = F.forwarded(second, subject=f"Fwd: FW: {F.GITHUB.subject}")
    found = unwrap(parse(raw))
    check_inner(found, F.GITHUB)
    assert [a.address for a in found.chain] == ["bob.li@corp.example", "ops@corp.example"]
    assert found.depth == 2


def test_nested_attached_inside_inline():
    inner = parse(F.attached(F.ALIYUN, sender="Ops <ops@corp.example>"))
    assert unwrap(inner) is not None
    body = F.qq(replace(F.ALIYUN, name="Ops", address="ops@corp.example",
                        subject=f"FW: {F.ALIYUN.subject}", body="See the attached mail."))
    found = unwrap(parse(F.forwarded(body, subject="转发：FW: x")))
    # the inline forward's attachment is not in the text: the sender is the work address
    assert found is not None and found.sender.address == "ops@corp.example"


def test_a_forward_of_ordinary_mail_unwraps_to_ordinary_mail():
    ordinary = F.Notice("Carol", "carol@example.org", "Lunch on Friday?",
                        "Hi all,\n\nShall we have lunch on Friday at noon?\n\nCarol\n",
                        datetime(2026, 12, 1, 12, 0, tzinfo=UTC), "")
    found = unwrap(parse(F.forwarded(F.gmail(ordinary), subject="Fwd: Lunch on Friday?")))
    assert found is not None
    assert found.sender.address == "carol@example.org"
    assert found.subject == "Lunch on Friday?"
    assert found.text.startswith("Hi all,")
    assert found.links == ()


REPLY_QUOTES = {
    "gmail": "Thanks, I will check.\n\nOn Wed, Dec 2, 2026 at 9:15 AM GitHub <support@github.com>"
             " wrote:\n> Your GitHub account has been suspended.\n> Thanks,\n> GitHub\n",
    "outlook": F.outlook(F.GITHUB, note="Thanks, I will check."),
    "outlook_classic": F.outlook_classic(F.GITHUB, note="Thanks, I will check."),
    "qq": F.qq(F.ALIYUN, note="收到，谢谢"),
    "163": "收到，谢谢\n\n在 2026-12-02 09:15:22，\"阿里云\" <noreply@notice.aliyun.com> 写道：\n"
           "> 您的账号已被冻结。\n",
}


@pytest.mark.parametrize("kind", REPLY_QUOTES)
@pytest.mark.parametrize("subject", ["Re: Your account", "回复：您的账号已被冻结"])
@pytest.mark.parametrize("threaded", [True, False], ids=["in-reply-to", "no-in-reply-to"])
def test_a_reply_that_quotes_is_not_a_forward(kind, subject, threaded):
    """QQ Mail and some webmail send replies without In-Reply-To: the subject still tells."""
    headers = {"In-Reply-To": "<notice-1@github.com>"} if threaded else None
    raw = F.forwarded(REPLY_QUOTES[kind], subject=subject, headers=headers)
    assert unwrap(parse(raw)) is None


@pytest.mark.parametrize("kind", ["outlook", "outlook_classic", "qq"])
def test_an_answer_without_re_that_quotes_in_outlook_style_is_not_a_forward(kind):
    """Help desks drop "Re:"; the In-Reply-To header still says the message answers another."""
    raw = F.forwarded(REPLY_QUOTES[kind], subject="Your account",
                      headers={"In-Reply-To": "<appeal-1@example.net>"})
    assert unwrap(parse(raw)) is None


def test_a_forward_only_marker_counts_even_in_a_thread():
    raw = F.forwarded(F.gmail(F.GITHUB), subject="Account problem",
                      headers={"In-Reply-To": "<older@corp.example>"})
    check_inner(unwrap(parse(raw)), F.GITHUB)


def test_plain_notices_are_not_forwards():
    for path in sorted((CORPUS / "messages").glob("*.eml")):
        p = parse(path.read_bytes())
        found = unwrap(p)
        assert found is None or p.subject.lower().startswith(("fwd", "fw:", "转发")), path.name
    digest = parse((CORPUS / "messages" / "014.eml").read_bytes())
    assert digest.list_id
    assert unwrap(replace(digest, list_id=None)) is not None  # header blocks, like a forward's


def test_the_body_helper_takes_text_or_html():
    by_text = unwrap_body(F.netease(F.ALIYUN), subject="转发：x")
    by_html = unwrap_body(html=F.qq_html(F.ALIYUN), subject="转发：x",
                          forwarded_by=Address("Bob", "bob@corp.example", "corp.example"))
    assert by_text is not None and by_text.sender.address == F.ALIYUN.address
    assert by_html is not None and by_html.forwarded_by.address == "bob@corp.example"
    assert by_html.links[0].href == F.ALIYUN.link
    assert unwrap_body("Hello\n\nregards") is None


# --------------------------------------------------------------------------- hostile input

MARKERS = ["---------- Forwarded message ---------", "-------- 转发邮件信息 --------",
           "------------------ 原始邮件 ------------------", "________________________________",
           "Begin forwarded message:", "-----Original Message-----", "From: A <a@b.example>",
           "发件人：\"x\"<x@y.example>;", "Date: Wed, 2 Dec 2026 09:15:22 +0000", "Subject: s",
           "To: t@u.example", "主题：x", "发送时间: 2026年12月2日 上午9:15",
           "> > From: q@r.example", "", "text", "收件人 | a@b.example |"]
BASE = parse(make_mail(subject="s"))


@settings(max_examples=800, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(st.one_of(st.sampled_from(MARKERS), st.text(max_size=40)), max_size=40),
       st.sampled_from(["", "Fwd: x", "Re: x", "转发：y"]), st.booleans())
def test_fuzz_never_raises(lines, subject, threaded):
    msg = replace(BASE, text="\n".join(lines), subject=subject,
                  in_reply_to="<a@b>" if threaded else None)
    found = unwrap(msg)
    if found is not None:
        assert found.sender is not None and "@" in found.sender.address


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.binary(max_size=3000))
def test_fuzz_attached_bytes(raw):
    msg = replace(BASE, attached=(raw,), subject="Fwd: x")
    unwrap(msg)


@pytest.mark.parametrize("body", [
    "From: a@b.example\n" * 100_000,
    ("---------- Forwarded message ---------\nFrom: a@b.example\nTo: c@d.example\n\n") * 20_000,
    ">" * 200_000,
    "-- x --\n" * 50_000,
    "发件人：a@b.example\n发送时间：2026-12-02\n" * 40_000,
    "To: x\n" + "a@b.example " * 30_000,
])
def test_bounded_time_on_huge_input(body):
    msg = replace(BASE, text=body, subject="Fwd: x")
    start = time.perf_counter()
    unwrap(msg)
    assert time.perf_counter() - start < 1.5
