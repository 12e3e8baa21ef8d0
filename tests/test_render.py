from __future__ import annotations

import email
import email.policy
from datetime import UTC, datetime

import pytest
from jinja2.exceptions import SecurityError

from appealwatch.render import (
    PLACEHOLDER,
    build_message,
    draft_message_id,
    make_environment,
    render_body,
    reply_subject,
)

INJECTION = ["Dear customer,", "Your total is {{ 7*7 }}.", "{% for x in range(3) %}X{% endfor %}",
             "{{ ''.__class__.__mro__ }}", "{{ cycler.__init__.__globals__.os.popen('id') }}"]


def context(lang="en", **kw):
    base = {
        "lang": lang,
        "user": {"name": "Alex Chen", "email": "alex@example.net"},
        "provider": {"id": "openai", "name": "OpenAI"},
        "case": {"id": 3, "reason": "payment", "ticket": "05193827",
                 "account_ids": ["org-4kQ9mZt2WbR8xLp1VdN3sYhE"], "opened": "2026-03-02",
                 "notice_date": "2026-03-02", "notice_subject": "Deactivated {{ 7*7 }}"},
        "evidence": [{"date": "2026-03-01", "subject": "Receipt #2231", "amounts": ["$20.00"],
                      "transaction_ids": ["ch_3PqT7vK2mN8x"]}],
        "quoted": INJECTION,
        "questions": ["What were you doing on {{ 7*7 }}?"],
        "followup": {"number": 1, "max": 2, "business_days_waiting": 3,
                     "last_sent": "2026-03-03"},
        "quote_date": "2026-03-02",
    }
    base.update(kw)
    return base


KINDS = [("appeal", r) for r in ("policy", "payment", "security", "system", "unknown")] + [
    ("answer", None), ("followup", None)]


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize(("kind", "reason"), KINDS)
def test_every_template_renders_and_keeps_provider_text_literal(kind, reason, lang):
    env = make_environment(None)
    body = render_body(env, kind, reason, lang, context(lang))
    for line in INJECTION:
        assert line in body  # quoted verbatim, never evaluated
    assert "49" not in body and "<class" not in body and "uid=" not in body
    assert "org-4kQ9mZt2WbR8xLp1VdN3sYhE" in body and "alex@example.net" in body
    if kind != "followup":
        assert PLACEHOLDER.search(body), "the user must see what to fill in"
    if kind == "answer":
        assert "What were you doing on {{ 7*7 }}?" in body
    if reason == "payment":
        assert "ch_3PqT7vK2mN8x" in body and "$20.00" in body
    if lang == "zh":
        assert any("\u4e00" <= ch <= "\u9fff" for ch in body)


def test_first_paragraph_is_a_one_sentence_summary_and_request():
    body = render_body(make_environment(None), "appeal", "policy", "en", context())
    first = body.split("\n\n")[1]  # after the greeting
    assert first.count(". ") == 0 and len(first) < 300


def test_a_template_cannot_reach_python_internals(tmp_path):
    (tmp_path / "appeal-policy.en.txt").write_text("{{ ''.__class__.__mro__ }}")
    env = make_environment(tmp_path)
    with pytest.raises(SecurityError):
        render_body(env, "appeal", "policy", "en", context())


def test_user_templates_override_the_bundled_ones(tmp_path):
    (tmp_path / "followup.en.txt").write_text("My own follow-up about {{ case.ticket }}.\n")
    body = render_body(make_environment(tmp_path), "followup", None, "en", context())
    assert body == "My own follow-up about 05193827.\n"


def test_a_complete_threaded_message():
    mid = draft_message_id("acct", 3, "appeal", 0, "example.net")
    assert mid == draft_message_id("acct", 3, "appeal", 0, "example.net")  # deterministic
    assert mid != draft_message_id("acct", 3, "followup", 1, "example.net")
    draft = build_message(
        body="Hello\n", from_name="Alex Chen", from_addr="alex@example.net",
        to_addr="support@openai.com", subject=reply_subject("RE: Re: Deactivated", "en"),
        in_reply_to="<n@openai.com>", references=["<a@x>", "<n@openai.com>"], message_id=mid,
        date=datetime(2026, 3, 3, 9, tzinfo=UTC), case_id=3)
    msg = email.message_from_bytes(draft.raw, policy=email.policy.default)
    assert msg["Subject"] == "Re: Deactivated"
    assert msg["In-Reply-To"] == "<n@openai.com>"
    assert msg["References"].split() == ["<a@x>", "<n@openai.com>"]
    assert msg["Message-ID"] == mid and msg["From"] == "Alex Chen <alex@example.net>"
    assert msg["Date"] == "Tue, 03 Mar 2026 09:00:00 +0000"


def test_a_subject_with_a_line_break_cannot_inject_headers():
    draft = build_message(
        body="x\n", from_name="", from_addr="a@example.net", to_addr="s@example.com",
        subject="Re: hi\r\nBcc: attacker@evil.example", in_reply_to=None, references=[],
        message_id="<x@y>", date=datetime(2026, 3, 3, tzinfo=UTC), case_id=1)
    msg = email.message_from_bytes(draft.raw, policy=email.policy.default)
    assert msg["Bcc"] is None


def test_reply_subject():
    assert reply_subject("Your account", "en") == "Re: Your account"
    assert reply_subject("回复：账号冻结", "zh") == "Re: 账号冻结"
    assert reply_subject("", "zh") == "Re: 申诉"
