from __future__ import annotations

import base64
import json
import sysconfig
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from appealwatch.classify import classify
from appealwatch.parse import ParsedMessage, parse, parse_auth_results
from conftest import CORPUS
from mails import make_mail

LABELS = {row["file"]: row for row in json.loads((CORPUS / "labels.json").read_text("utf-8"))}


def corpus(name: str) -> ParsedMessage:
    return parse((CORPUS / "messages" / name).read_bytes())


def test_basic_fields_of_a_notice():
    p = corpus("007.eml")
    assert p.message_id == "<XkeCRkHwsjieQm9btDpafS.6ae337@tm.openai.com>"
    assert p.from_ is not None
    assert (p.from_.name, p.from_.address, p.from_.domain) == (
        "OpenAI", "noreply@tm.openai.com", "tm.openai.com")
    assert p.to[0].address == "alex.chen@example.net"
    assert p.subject == "Your OpenAI API organization has been deactivated"
    assert p.date == datetime(2026, 1, 12, 2, 47, 15, tzinfo=UTC)
    assert "org-4kQ9mZt2WbR8xLp1VdN3sYhE" in p.text
    assert "<table" not in p.text  # the plain part is used, not the HTML
    assert p.auth_results[0].authserv_id == "mx.example.net"
    assert (p.auth_results[0].spf, p.auth_results[0].dkim, p.auth_results[0].dmarc) == (
        "pass", "pass", "pass")
    assert p.defects == ()


def test_threading_headers():
    p = corpus("012.eml")
    assert p.in_reply_to and p.in_reply_to.startswith("<") and p.in_reply_to.endswith(">")
    assert p.references and all(r.startswith("<") for r in p.references)
    assert p.subject.startswith("Re: ")


def test_every_corpus_message_decodes_its_cues():
    """The corpus labels list phrases that appear verbatim in the decoded subject or body."""
    for name, label in LABELS.items():
        p = corpus(name)
        assert p.defects == () or all("charset" not in d for d in p.defects), (name, p.defects)
        raw_headers = (CORPUS / "messages" / name).read_bytes().split(b"\n\n", 1)[0]
        sender = p.from_.name if p.from_ else ""
        decoded = f"{p.subject}\n{sender}\n{p.attachments}\n{p.links}\n{p.text}"
        haystack = " ".join(f"{raw_headers.decode('utf-8', 'replace')}\n{decoded}".split())
        for cue in label["cues"]:
            assert " ".join(cue.split()) in haystack, (name, cue)


def test_html_only_message_becomes_readable_text_with_links():
    raw = make_mail(
        body="",
        html="<html><head><style>p{color:red}</style><script>alert(1)</script></head><body>"
        "<p>Your account&nbsp;was <b>suspended</b>.</p><p><a href='https://evil.example/x'>"
        "Restore access</a></p><table><tr><td>A</td><td>B</td></tr></table></body></html>",
    )
    # make_mail always adds a plain part; build an HTML-only one by hand
    html_only = raw.replace(b"Content-Type: text/plain", b"Content-Type: text/x-empty", 1)
    p = parse(html_only)
    assert p.html_only
    assert "Your account was suspended." in p.text
    assert "alert(1)" not in p.text and "color:red" not in p.text
    assert [(link.href, link.text, link.host) for link in p.links] == [
        ("https://evil.example/x", "Restore access", "evil.example")]


def test_links_come_from_html_even_when_a_plain_part_exists():
    p = parse(make_mail(body="see below",
                        html='<a href="https://paypa1.example/login">www.paypal.com</a>'))
    assert p.links[0].host == "paypa1.example" and p.links[0].text == "www.paypal.com"


def test_folded_subject_is_unfolded():
    raw = (b"From: a@b.example\r\nSubject: Re: your appeal regarding\r\n case 123\r\n"
           b"Message-ID: <x@y>\r\n\r\nbody\r\n")
    assert parse(raw).subject == "Re: your appeal regarding case 123"


@pytest.mark.parametrize("charset", ["utf-8", "gbk", "gb2312", "gb18030"])
def test_chinese_body_and_encoded_subject(charset):
    text = "您的账号已被冻结，请尽快申诉。"
    body = base64.b64encode(text.encode(charset)).decode()
    def word(s: str) -> str:
        return f"=?{charset}?B?{base64.b64encode(s.encode(charset)).decode()}?="

    subject, name = word("账号冻结通知"), word("阿里云")
    raw = (f"From: {name} <notice@aliyun.com>\r\nSubject: {subject}\r\n"
           f"MIME-Version: 1.0\r\nContent-Type: text/plain; charset={charset}\r\n"
           f"Content-Transfer-Encoding: base64\r\n\r\n{body}\r\n").encode()
    p = parse(raw)
    assert p.subject == "账号冻结通知"
    assert p.from_ is not None and p.from_.name == "阿里云"
    assert text in p.text


def test_gb2312_label_with_gbk_only_characters():
    text = "朱镕基"  # 镕 is not in GB2312, only in GBK/GB18030
    raw = (b"From: x@example.cn\r\nSubject: t\r\nContent-Type: text/plain; charset=gb2312\r\n"
           b"Content-Transfer-Encoding: 8bit\r\n\r\n" + text.encode("gbk") + b"\r\n")
    assert text in parse(raw).text


def test_raw_8bit_gbk_header_is_recovered():
    raw = b"From: x@example.cn\r\nSubject: " + "投诉申诉 回复".encode("gbk") + b"\r\n\r\nbody\r\n"
    p = parse(raw)
    assert p.subject == "投诉申诉 回复"
    assert "8-bit bytes in a header" in p.defects


def test_unknown_charset_is_a_defect_not_an_error():
    raw = (b"From: x@example.com\r\nSubject: t\r\nContent-Type: text/plain; charset=x-bogus-42\r\n"
           b"\r\nhello world\r\n")
    p = parse(raw)
    assert "hello world" in p.text
    assert any("x-bogus-42" in d for d in p.defects)


def test_dates_are_aware():
    p = parse(b"From: a@b.example\r\nDate: Tue, 3 Mar 2026 10:00:00 +0800\r\n\r\nx")
    assert p.date == datetime(2026, 3, 3, 10, 0, tzinfo=timezone(timedelta(hours=8)))
    naive = parse(b"From: a@b.example\r\nDate: Tue, 3 Mar 2026 10:00:00\r\n\r\nx")
    assert naive.date is not None and naive.date.tzinfo is not None
    bad = parse(b"From: a@b.example\r\nDate: someday soon\r\n\r\nx")
    assert bad.date is None and "unparseable Date header" in bad.defects


def test_list_and_auto_headers():
    raw = make_mail(headers={"List-Id": "Founders <founders.lists.example.org>",
                             "Precedence": "bulk", "Auto-Submitted": "auto-generated",
                             "List-Unsubscribe": "<mailto:u@lists.example.org>"})
    p = parse(raw)
    assert p.list_id == "Founders <founders.lists.example.org>"
    assert (p.precedence, p.auto_submitted, p.list_unsubscribe) == ("bulk", "auto-generated", True)


def test_authentication_results_parsing():
    r = parse_auth_results(
        "mx.example.net 1; dkim=pass (2048-bit key) header.d=mail.example.com header.s=s1;"
        "\r\n\tdkim=fail header.d=other.example; spf=softfail (not permitted) "
        "smtp.mailfrom=bounce@mail.example.com; dmarc=fail (p=REJECT) header.from=example.com")
    assert r is not None
    assert r.authserv_id == "mx.example.net"
    assert (r.dkim, r.spf, r.dmarc) == ("pass", "softfail", "fail")
    assert r.dkim_domains == ("mail.example.com",)
    assert (r.spf_domain, r.dmarc_from) == ("mail.example.com", "example.com")
    assert parse_auth_results("mx.example.net; none").spf is None


MALFORMED = {
    "empty": b"",
    "garbage": bytes(range(256)) * 16,
    "nul bytes": b"\x00" * 100,
    "truncated header": b"Subject: hel",
    "header without colon": b"This is not a header\r\nFrom: a@b.example\r\n\r\nbody",
    "body only": b"\r\n\r\njust a body",
    "8-bit headers": b"From: \xff\xfe <a@b.example>\r\nSubject: \xc3\x28\xa0\xa1\r\n\r\nx",
    "1 MB header line": b"Subject: " + b"A" * 1_000_000 + b"\r\nFrom: a@b.example\r\n\r\nbody",
    "broken boundary": b"From: a@b.example\r\nContent-Type: multipart/mixed; boundary=zz\r\n\r\n"
    b"--zz\r\nContent-Type: text/plain\r\n\r\npart one\r\n--z",
    "no boundary": b"From: a@b.example\r\nContent-Type: multipart/alternative\r\n\r\nhello",
    "bad base64": b"From: a@b.example\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!notbase64==",
    "bad encoded word": b"From: =?utf-8?B?/?= <a@b.c>\r\nSubject: =?utf-8?Q??=\r\n\r\nx",
    "deep nesting": b"From: a@b.example\r\n" + b"".join(
        b"Content-Type: multipart/mixed; boundary=\"b%d\"\r\n\r\n--b%d\r\n" % (i, i)
        for i in range(2000)) + b"\r\nend",
}


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_malformed_input_never_raises(name, rules):
    p = parse(MALFORMED[name])
    assert isinstance(p, ParsedMessage)
    classify(p, "INBOX", rules)
    if name in ("empty", "1 MB header line", "broken boundary", "8-bit headers", "deep nesting"):
        assert p.defects, name


def test_huge_subject_is_cut_and_recorded():
    p = parse(MALFORMED["1 MB header line"])
    assert len(p.subject) <= 4000
    assert any("was cut" in d for d in p.defects)
    assert p.from_ is not None and p.from_.address == "a@b.example"


def _cpython_email_data() -> Path:
    path = Path(sysconfig.get_paths()["stdlib"]) / "test" / "test_email" / "data"
    assert path.is_dir(), (
        f"CPython's test_email data is missing at {path}; on Debian install the "
        "libpython3-testsuite package (the test setup script does this)")
    return path


def test_cpython_test_email_corpus(rules):
    files = sorted(_cpython_email_data().glob("msg_*.txt"))
    assert len(files) >= 40
    for f in files:
        p = parse(f.read_bytes())
        classify(p, "INBOX", rules)


CHARSETS = ["utf-8", "gbk", "gb2312", "gb18030", "big5", "iso-8859-1", "koi8-r", "x-unknown",
            "utf-7", ""]
encoded_word = st.builds(
    lambda cs, enc, payload: f"=?{cs}?{enc}?{payload}?=",
    st.sampled_from(CHARSETS), st.sampled_from(["B", "Q", "b", "x"]),
    st.text("ABCDEFabcdef0123456789=+/_", max_size=20),
)
header_names = st.sampled_from(
    ["Subject", "From", "To", "Reply-To", "Date", "Message-ID", "In-Reply-To", "References",
     "Content-Type", "Content-Transfer-Encoding", "Authentication-Results", "List-Id"])


@st.composite
def raw_messages(draw) -> bytes:
    lines = []
    for _ in range(draw(st.integers(0, 8))):
        value = draw(st.one_of(encoded_word, st.text(max_size=60), st.binary(max_size=40).map(
            lambda b: b.decode("latin-1"))))
        lines.append(f"{draw(header_names)}: {value}")
    head = "\r\n".join(lines).encode("utf-8", "surrogateescape")
    return head + b"\r\n\r\n" + draw(st.binary(max_size=600))


@settings(max_examples=10_000, deadline=None, suppress_health_check=list(HealthCheck),
          database=None)
@given(st.one_of(st.binary(max_size=1500), raw_messages()))
def test_fuzz_parse_and_classify_never_raise(rules, raw):
    p = parse(raw)
    assert isinstance(p, ParsedMessage)
    c = classify(p, "Junk", rules)
    assert c.category in ("suspension", "ticket_ack", "support_reply", "appeal_decision",
                          "irrelevant")


def test_a_25_mb_message_and_5000_mime_parts_are_bounded(rules):
    import time

    big = (b"From: OpenAI <noreply@openai.com>\r\nSubject: big\r\nContent-Type: multipart/mixed;"
           b" boundary=B\r\n\r\n--B\r\nContent-Type: text/plain\r\n\r\nYour organization has "
           b"been deactivated.\r\n--B\r\nContent-Type: application/pdf\r\n"
           b"Content-Transfer-Encoding: base64\r\n\r\n" + b"QUJD" * (25 * 2**20 // 4)
           + b"\r\n--B--\r\n")
    t0 = time.monotonic()
    p = parse(big)
    assert "deactivated" in p.text and len(p.text) < 300_000
    classify(p, "INBOX", rules)
    assert time.monotonic() - t0 < 30
    parts = b"".join(b"--B\r\nContent-Type: text/plain\r\n\r\npart %d\r\n" % i for i in range(5000))
    many = (b"From: a@b.example\r\nContent-Type: multipart/mixed; boundary=B\r\n\r\n"
            + parts + b"--B--")
    p = parse(many)
    assert any("MIME parts" in d for d in p.defects)
    assert len(p.text) <= 200_000
