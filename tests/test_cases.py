"""The case logic, with plain values: no database, no files."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from appealwatch.cases import (
    ALLOWED,
    desk_names,
    match_case,
    plan_confirm,
    plan_dismiss,
    plan_incoming,
    plan_outgoing,
    plan_resolve,
    transition_allowed,
)
from appealwatch.model import ALL_STATES, CaseRow, MessageRow

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
PROVIDERS = {"openai": "OpenAI", "github": "GitHub"}
DOMAINS = {"openai": ("openai.com",), "github": ("github.com",)}


def msg(**kw) -> MessageRow:
    base = dict(id=1, folder_id=1, location="k", message_id="<m1@openai.com>", date=T0,
                direction="in", from_addr="noreply@openai.com", reply_to=None, to_addrs=(),
                subject="Your organization has been deactivated", in_reply_to=None, refs=(),
                category="suspension", reason="policy", decision=None, provider="openai",
                ticket=None, lang="en", phishing=False, phishing_reasons=(), confidence=0.9,
                cues=(), account_ids=("org-abc12345",), asks=False, facts={}, case_id=None,
                processed=False, folder_role="inbox")
    base.update(kw)
    return MessageRow(**base)


def case(**kw) -> CaseRow:
    base = dict(id=7, account_id=1, provider="openai", reason="policy", state="new", lang="en",
                ticket=None, account_ids=("org-abc12345",), notice_message_id="<m1@openai.com>",
                notice_subject="s", opened_at=T0, last_activity=T0, user_last_at=None,
                provider_last_at=T0, awaiting_user=False, followups=0, next_followup_at=None,
                outcome=None, message_ids=frozenset({"<m1@openai.com>"}), tickets=frozenset())
    base.update(kw)
    return CaseRow(**base)


def test_a_notice_opens_a_case_with_an_appeal_draft_and_a_notification():
    plan = plan_incoming(msg(folder_role="junk"), [], T0, PROVIDERS)
    assert plan.new_case is not None and plan.new_case["state"] == "new"
    assert [d.kind for d in plan.drafts] == ["appeal"]
    (notice,) = plan.notices
    assert notice.event == "new_notice" and "spam folder" in notice.summary
    assert plan.transition == (None, "new", plan.transition[2])


def test_a_notice_from_a_provider_with_an_appeal_form_says_where_to_paste_it():
    form = "https://help.openai.example/appeal"
    (notice,) = plan_incoming(msg(), [], T0, PROVIDERS, {"openai": form}).notices
    assert form in notice.summary and "paste" in notice.summary
    (other,) = plan_incoming(msg(), [], T0, PROVIDERS, {"github": form}).notices
    assert form not in other.summary and "appeal draft is in your Drafts" in other.summary


def test_a_possible_notice_asks_the_user_to_check_and_writes_no_draft():
    plan = plan_incoming(msg(facts={"possible": True}, folder_role="junk"), [], T0, PROVIDERS)
    assert plan.new_case is not None and plan.drafts == ()
    (notice,) = plan.notices
    assert notice.event == "possible_notice" and not notice.with_draft
    assert "may be a suspension notice from OpenAI" in notice.summary
    assert "spam folder" in notice.summary
    assert plan.new_case["state"] == "possible" and plan.transition[:2] == (None, "possible")


def test_confirmed_a_possible_notice_gets_its_appeal_draft_dismissed_it_is_closed():
    possible = case(state="possible")
    yes = plan_confirm(possible, T0, "you confirmed it")
    assert yes.transition[:2] == ("possible", "new")
    assert [(d.kind, d.answers) for d in yes.drafts] == [("appeal", "<m1@openai.com>")]
    no = plan_dismiss(possible, T0, "you said no")
    assert no.transition[:2] == ("possible", "dismissed") and not no.drafts and not no.notices
    for other in ("new", "appealed", "dismissed", "restored"):
        assert plan_confirm(case(state=other), T0, "") is None
        assert plan_dismiss(case(state=other), T0, "") is None


def test_the_same_message_again_joins_its_case_and_changes_nothing():
    # the user moved a dismissed possible notice from the spam folder to INBOX
    dismissed = case(state="dismissed")
    plan = plan_incoming(msg(facts={"possible": True}, folder_role="inbox"), [dismissed], T0,
                         PROVIDERS)
    assert plan.case_id == dismissed.id and plan.new_case is None
    assert not plan.transition and not plan.drafts and not plan.notices and not plan.changes


def test_a_clear_notice_on_a_possible_case_makes_it_a_notice():
    possible = case(state="possible")
    plan = plan_incoming(msg(message_id="<m2@openai.com>"), [possible], T0, PROVIDERS)
    assert plan.case_id == possible.id and plan.transition[:2] == ("possible", "new")
    assert [d.kind for d in plan.drafts] == ["appeal"]
    assert [n.event for n in plan.notices] == ["new_notice"]


def test_phishing_is_suspicious_never_drafted_and_never_joins():
    existing = case()
    fake = msg(phishing=True, phishing_reasons=("sender domain x imitates",),
               in_reply_to="<m1@openai.com>", message_id="<p@x>")
    plan = plan_incoming(fake, [existing], T0, PROVIDERS)
    assert plan.case_id is None and plan.new_case["state"] == "suspicious"
    assert plan.drafts == () and plan.notices[0].event == "phishing_warning"


def test_irrelevant_mail_changes_nothing():
    plan = plan_incoming(msg(category="irrelevant"), [case()], T0, PROVIDERS)
    assert plan.new_case is None and plan.case_id is None and not plan.drafts


@pytest.mark.parametrize(("link", "kw"), [
    ("threading headers", {"in_reply_to": "<m1@openai.com>"}),
    ("ticket", {"ticket": "0519"}),
    ("provider and account id", {"account_ids": ("org-abc12345",)}),
    ("open openai case", {"account_ids": ()}),
])
def test_an_answer_joins_the_case(link, kw):
    existing = case(tickets=frozenset({"0519"}), state="appealed")
    found, how = match_case(msg(category="support_reply", message_id="<r@openai.com>", **kw),
                            [existing])
    assert found is existing and link in how


def test_a_new_notice_on_a_closed_account_is_a_new_incident():
    closed = case(state="restored")
    plan = plan_incoming(msg(message_id="<m2@openai.com>"), [closed], T0, PROVIDERS)
    assert plan.new_case is not None


def test_question_then_answer_then_decision():
    c = case(state="appealed", user_last_at=T0)
    q = plan_incoming(msg(category="support_reply", asks=True, message_id="<q@openai.com>",
                          in_reply_to="<m1@openai.com>"), [c], T0, PROVIDERS)
    assert q.transition[:2] == ("appealed", "needs_reply")
    assert q.changes["awaiting_user"] is True and q.drafts[0].kind == "answer"
    assert q.notices[0].event == "needs_reply"
    c2 = case(state="needs_reply", awaiting_user=True, message_ids=frozenset({"<q@openai.com>"}))
    sent = msg(direction="out", category="own", message_id="<a@me>", in_reply_to="<q@openai.com>",
               date=T0 + timedelta(hours=2))
    a = plan_outgoing(sent, [c2], T0, DOMAINS)
    assert a.transition[:2] == ("needs_reply", "waiting") and a.changes["awaiting_user"] is False
    d = plan_incoming(msg(category="appeal_decision", decision="denied", message_id="<d@x>",
                          in_reply_to="<a@me>"), [case(state="waiting", message_ids=frozenset(
                              {"<a@me>"}))], T0, PROVIDERS)
    assert d.transition[:2] == ("waiting", "denied") and d.notices[0].event == "decision"


def test_status_update_moves_to_waiting_without_a_draft():
    plan = plan_incoming(msg(category="support_reply", asks=False, in_reply_to="<m1@openai.com>",
                             message_id="<u@openai.com>"),
                         [case(state="appealed")], T0, PROVIDERS)
    assert plan.transition[:2] == ("appealed", "waiting") and not plan.drafts
    assert plan.notices[0].event == "provider_reply"


def test_the_users_appeal_in_sent_moves_new_to_appealed():
    sent = msg(direction="out", category="own", message_id="<s@me>", to_addrs=("x@openai.com",),
               in_reply_to=None, account_ids=())
    plan = plan_outgoing(sent, [case()], T0, DOMAINS)
    assert plan.transition[:2] == ("new", "appealed") and "Sent" in plan.transition[2]
    assert plan.changes["user_last_at"] == T0


def test_resolve_by_hand():
    assert plan_resolve(case(), "withdrawn", T0).transition[:2] == ("new", "withdrawn")
    assert plan_resolve(case(state="denied"), "restored", T0).transition is None


def test_the_transition_table_is_closed_and_sane():
    assert set(ALLOWED) - {None} == set(ALL_STATES)
    for targets in ALLOWED.values():
        assert targets <= set(ALL_STATES)
    assert not transition_allowed("restored", "new")
    assert not transition_allowed("suspicious", "new")
    assert transition_allowed("waiting", "needs_reply")


@pytest.mark.parametrize("sender", [
    "support@openai.zendesk.com", "help@openai.freshdesk.com", "noreply@openai.my.salesforce.com",
    "openai@intercom-mail.com", "support@openai.helpscoutapp.com"])
def test_a_help_desk_answering_for_the_provider_joins_its_open_case(sender):
    """A help desk's reply is read as coming from the desk (its own domain): it joins the open
    case of the provider it answers for, by ticket, account id, or as the provider's answer."""
    open_case = case(state="appealed", tickets=frozenset({"88123"}))
    other = case(id=8, provider="github", state="appealed", tickets=frozenset({"88123"}))
    desk_id = sender.split("@")[1].split(".")[-2]
    for kw in ({"ticket": "88123"}, {"account_ids": ("org-abc12345",)}, {"account_ids": ()}):
        reply = msg(category="support_reply", message_id="<r@x>", from_addr=sender,
                    provider=desk_id, **kw)
        found, how = match_case(reply, [other, open_case] if kw.get("ticket") else [open_case])
        assert found is open_case, (kw, how)
    assert desk_names("support@zendesk.example") == frozenset()
    assert desk_names(sender) == {"openai"}


def test_a_long_ticket_number_joins_an_answer_from_another_address_of_the_provider():
    open_case = case(state="appealed", tickets=frozenset({"202510131963052"}))
    reply = msg(category="support_reply", message_id="<r@x>", provider="tencent-cloud-mail",
                ticket="202510131963052", account_ids=())
    assert match_case(reply, [open_case])[0] is open_case
    # a short number could be anyone's; a notice is not an answer
    assert match_case(msg(category="support_reply", message_id="<r@x>", provider="other",
                          ticket="4711", account_ids=()),
                      [case(state="appealed", tickets=frozenset({"4711"}))])[0] is None


def test_a_second_notice_of_the_same_incident_joins_its_open_case():
    # a warning, then the restriction two weeks later: one incident, one case
    sent_from = frozenset({"noreply@openai.com"})
    warned = case(state="new", account_ids=(), opened_at=T0, last_activity=T0, senders=sent_from)
    later = msg(message_id="<m2@openai.com>", subject="Your organization is suspended",
                account_ids=(), date=T0 + timedelta(days=16))
    found, how = match_case(later, [warned])
    assert found is warned and "same incident" in how
    # not after a long silence, not from another of its addresses (another product), not for
    # another account, not for a closed case
    assert match_case(msg(message_id="<m3@openai.com>", account_ids=(),
                          date=T0 + timedelta(days=31)), [warned])[0] is None
    assert match_case(msg(message_id="<m3@openai.com>", account_ids=(), from_addr="b@openai.com",
                          date=T0 + timedelta(days=2)), [warned])[0] is None
    for known in (("org-abc12345",), ()):  # an account the case does not name is another one
        assert match_case(msg(message_id="<m3@openai.com>", account_ids=("org-other999",),
                              date=T0 + timedelta(days=2)),
                          [case(state="new", account_ids=known, senders=sent_from)])[0] is None
    assert match_case(msg(message_id="<m3@openai.com>", account_ids=(),
                          date=T0 + timedelta(days=2)),
                      [case(state="denied", senders=sent_from)])[0] is None


def test_a_providers_mail_pointing_at_an_open_case_is_kept_with_it():
    """"Your ticket 202510131963052 has a new reply" reads as no reply or decision, but its
    ticket number says which case it is about: it joins it, and the user is asked to read it."""
    open_case = case(state="appealed", tickets=frozenset({"202510131963052"}))
    pointer = msg(category="irrelevant", reason=None, message_id="<t@openai.com>",
                  ticket="202510131963052", account_ids=(), date=T0 + timedelta(days=1))
    plan = plan_incoming(pointer, [open_case], T0 + timedelta(days=2), PROVIDERS)
    assert plan.case_id == open_case.id and plan.transition is None and not plan.drafts
    assert [n.event for n in plan.notices] == ["provider_reply"]
    assert plan.changes["provider_last_at"] == T0 + timedelta(days=1)
    # not for a closed case, nor without a link to one
    for cases in ([case(state="restored", tickets=frozenset({"202510131963052"}))],
                  [case(state="appealed")]):
        assert plan_incoming(pointer, cases, T0, PROVIDERS).case_id is None
