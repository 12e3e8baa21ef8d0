from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from appealwatch.classify import classify, find_account_ids, find_ticket, imitated_provider
from appealwatch.config import load_config
from appealwatch.parse import parse
from conftest import BLIND, CORPUS, HELDOUT
from evaluation import evaluate, load_labels
from mails import auth_fail, auth_pass, make_mail

WILD = CORPUS.parent / "wild"


def run(raw: bytes, rules, folder: str = "INBOX", trusted=()):
    return classify(parse(raw), folder, rules, trusted)


# --------------------------------------------------------------------------- quality gates
# The thresholds are those the product promises on unseen mail (issue #3).  The development
# corpus must clear them with room to spare; the held-out set was written independently of the
# rules (tests/data/heldout) and is the honest estimate.


@pytest.mark.parametrize("root", [CORPUS, HELDOUT, BLIND], ids=["corpus", "heldout", "blind"])
def test_quality_on_labelled_sets(root, rules):
    report = evaluate(root, rules)
    per_cat = report.per_category()
    assert report.macro_f1() >= 0.90, report.mistakes()
    assert per_cat["suspension"][1] >= 0.95, report.mistakes()
    assert report.irrelevant_false_positive_rate() <= 0.03, report.mistakes()
    assert report.phishing_recall() >= 0.85, report.mistakes()
    assert report.genuine_flagged_rate() <= 0.03, report.mistakes()
    assert report.reason_accuracy() >= 0.85, report.mistakes()


def test_decisions_and_languages_on_corpus(rules):
    report = evaluate(CORPUS, rules)
    for label, got in report.rows:
        assert got.lang == label["lang"], label["file"]
        if label["category"] == "appeal_decision":
            assert got.decision == label["decision"], label["file"]
        if label["category"] != "irrelevant" and not label["phishing"]:
            assert got.provider == label["provider"], label["file"]


# --------------------------------------------------------------------------- behaviour


def notice(domain="openai.com", name="OpenAI", **kw):
    body = kw.pop("body", (
        "Hello,\n\nAccess to the API for your organisation (org-Zx81Kq02PLmn77) has been "
        "switched off because of repeated breaches of our usage policies.\n\nIf you think this "
        "happened by mistake, you can ask for a review from the help centre.\n"))
    return make_mail(sender=f"{name} <notices@{domain}>", subject=kw.pop("subject",
                     "Important: your organisation's API access"), body=body,
                     auth=kw.pop("auth", [auth_pass(domain)]), **kw)


def test_a_notice_in_other_words(rules):
    c = run(notice(), rules)
    assert (c.category, c.reason, c.provider, c.phishing) == ("suspension", "policy", "openai",
                                                              False)
    assert "org-Zx81Kq02PLmn77" in c.account_ids


def test_genuine_notice_in_junk_is_not_phishing(rules):
    c = run(notice(), rules, folder="Junk")
    assert c.category == "suspension" and not c.phishing


@pytest.mark.parametrize("domain", ["0penai-support.com", "openai.com.account-review.example",
                                    "openai-billing-help.example", "opena1.example"])
def test_lookalike_sender_is_phishing(rules, domain):
    c = run(notice(domain=domain), rules)
    assert c.category == "suspension" and c.provider == "openai"
    assert c.phishing and any(domain in r for r in c.phishing_reasons)


def test_failed_dmarc_for_a_genuine_from_is_phishing(rules):
    c = run(notice(auth=[auth_fail("openai.com")]), rules)
    assert c.phishing and any("DMARC" in r for r in c.phishing_reasons)


def test_a_forged_lower_header_does_not_vouch_for_the_sender(rules):
    # the receiving server (topmost) says fail; the sender's own header below says pass
    c = run(notice(auth=[auth_fail("openai.com"), auth_pass("openai.com", "mx.openai.com")]),
            rules)
    assert c.phishing


def test_only_trusted_authserv_ids_count(rules):
    forged_on_top = [auth_pass("openai.com", "attacker.example"), auth_fail("openai.com")]
    assert not run(notice(auth=forged_on_top), rules).phishing  # topmost wins by default
    trusted = run(notice(auth=forged_on_top), rules, trusted=("mx.example.net",))
    assert trusted.phishing  # the configured receiving server's verdict is used instead


def test_links_outside_the_provider_are_phishing(rules):
    raw = notice(html='<p>Your organisation has been suspended.</p>'
                      '<a href="https://openai-appeals.example/login">Restore access</a>')
    c = run(raw, rules)
    assert c.phishing and any("openai-appeals.example" in r for r in c.phishing_reasons)


def test_genuine_links_are_fine(rules):
    raw = notice(html='<p>Your organisation has been suspended.</p>'
                      '<a href="https://help.openai.com/appeal">Request a review</a>')
    assert not run(raw, rules).phishing


def test_payment_reason_in_other_words(rules):
    raw = notice(domain="anthropic.com", name="Anthropic", subject="Console access on hold",
                 body="Hi,\n\nWe tried to collect the March balance three times, but your bank "
                 "refused each charge. Your organization has been placed on hold until the "
                 "outstanding amount is settled.\n")
    c = run(raw, rules)
    assert (c.category, c.reason, c.provider) == ("suspension", "payment", "anthropic")


def test_security_reason_in_other_words(rules):
    raw = notice(domain="github.com", name="GitHub", subject="We locked your account",
                 body="Someone signed in to your account from several countries within an "
                 "hour, so we have locked your account to keep it safe. Please reset your "
                 "password and turn on two-factor authentication to unlock it.\n")
    c = run(raw, rules)
    assert (c.category, c.reason) == ("suspension", "security")


def test_system_reason_in_other_words(rules):
    raw = notice(domain="stripe.com", name="Stripe", subject="Payouts paused",
                 body="Payouts on your account have been paused. This was caused by a bug on "
                 "our side during a data migration, not by anything you did. We are fixing it.\n")
    c = run(raw, rules)
    assert (c.category, c.reason) == ("suspension", "system")


def test_no_reason_given_is_unknown(rules):
    raw = notice(domain="discord.com", name="Discord", subject="Account disabled",
                 body="Your account has been disabled.\n\nDiscord\n")
    assert run(raw, rules).reason == "unknown"


def test_chinese_notice(rules):
    raw = notice(domain="aliyun.com", name="阿里云", subject="【阿里云】账号冻结通知",
                 body="尊敬的用户：您的账户因欠费已被冻结，请尽快充值以恢复服务。")
    c = run(raw, rules)
    assert (c.category, c.reason, c.lang, c.provider) == ("suspension", "payment", "zh", "aliyun")


@pytest.mark.parametrize(("subject", "body", "sender"), [
    ("Big sale on suspension kits", "Upgrade your bike's front suspension today. "
     "Coilover suspension for every account holder.", "Moto Shop <deals@moto.example>"),
    ("Notice of student suspension", "Your son has been suspended from school for three days. "
     "You may appeal the decision.", "Principal <office@school.example>"),
    ("Scheduled maintenance", "During the scheduled maintenance window the API service will be "
     "suspended for two hours. No action is required.",
     "OpenAI Status <noreply@status.openai.com>"),
    ("Your subscription is paused", "As you requested, we've paused your subscription. "
     "Your account has been paused until June.", "Discord <noreply@discord.com>"),
    ("Your receipt from Anthropic", "Thank you for your payment. Amount paid: $20.00. Receipt "
     "number 1234-5678.", "Anthropic <invoice@mail.anthropic.com>"),
    ("Reset your password", "We received a request to reset your password. If this was you, "
     "click the link below.", "GitHub <noreply@github.com>"),
    ("New sign-in to your account", "We noticed a new sign-in from Chrome on Linux. If this was "
     "you, you don't need to do anything.", "Google <no-reply@accounts.google.com>"),
    ("Re: my account got banned lol", "They suspended my account for no reason, and my appeal "
     "was denied. Your account could be next!", "Sam <sam@gmail.com>"),
])
def test_hard_negatives_stay_irrelevant(rules, subject, body, sender):
    domain = sender.split("@")[1].rstrip(">")
    c = run(make_mail(subject=subject, body=body, sender=sender, auth=[auth_pass(domain)]), rules)
    assert c.category == "irrelevant", c.explanation
    assert not c.phishing


def test_mailing_list_digest_is_irrelevant(rules):
    raw = make_mail(subject="Digest, Vol 12", sender="list@lists.example.org",
                    body="Your organization has been deactivated -- anyone else got this?",
                    headers={"List-Id": "<founders.lists.example.org>"})
    assert run(raw, rules).category == "irrelevant"


def test_receipt_from_a_provider_keeps_the_provider(rules):
    raw = make_mail(sender='"OpenAI, LLC" <invoice+statements@stripe.com>',
                    subject="Your receipt from OpenAI, LLC #2231-4411",
                    body="Receipt #2231-4411\nAmount paid $50.00\nPaid on March 3, 2026")
    c = run(raw, rules)
    assert (c.category, c.provider) == ("irrelevant", "openai")


def test_ticket_ack_reply_and_decisions(rules):
    ack = make_mail(sender="GitHub Support <support@github.com>",
                    subject="[GitHub Support] Ticket #5561234 received",
                    body="Thanks for getting in touch. We have received your request and a member "
                    "of our team will get back to you soon. Your ticket number is 5561234.")
    c = run(ack, rules)
    assert (c.category, c.ticket) == ("ticket_ack", "5561234")
    question = make_mail(sender="Priya (GitHub Support) <support@github.com>",
                         subject="Re: [GitHub Support] Ticket #5561234",
                         headers={"In-Reply-To": "<mine@example.net>"},
                         body="Hi Alex,\n\nI've reviewed the account. Could you please tell us "
                         "which scripts were running on March 3?\n\nPriya")
    assert run(question, rules).category == "support_reply"
    restored = make_mail(sender="GitHub Support <support@github.com>",
                         subject="Re: [GitHub Support] Ticket #5561234",
                         body="Good news: after reviewing your appeal we have lifted the "
                         "suspension, and your account is active again.")
    c = run(restored, rules)
    assert (c.category, c.decision) == ("appeal_decision", "restored")
    denied = make_mail(sender="GitHub Support <support@github.com>",
                       subject="Re: [GitHub Support] Ticket #5561234",
                       body="Thank you for your appeal. After careful review we are unable to "
                       "reinstate the account, and this decision is final.")
    c = run(denied, rules)
    assert (c.category, c.decision) == ("appeal_decision", "denied")


def test_quoted_notice_in_a_personal_reply_does_not_count(rules):
    raw = make_mail(sender="Sam <sam@example.org>", subject="Re: hi",
                    body="lol that's bad\n\nOn Mon, Mar 2, 2026 at 9:00 AM OpenAI wrote:\n"
                    "> Your organization has been deactivated.\n")
    assert run(raw, rules).category == "irrelevant"


def test_identifiers():
    assert find_ticket("Re: Appeal received – Case 05193827") == "05193827"
    assert find_ticket("【阿里云】工单 W2026031900157 有新的回复") == "W2026031900157"
    assert find_ticket("Your request [#AB-99812] was updated") == "AB-99812"
    assert find_ticket("Your order on 2026-03-01") is None
    ids = find_account_ids("Organization ID: org-4kQ9mZt2WbR8xLp1VdN3sYhE, account ID "
                           "4829-1056-7734")
    assert "org-4kQ9mZt2WbR8xLp1VdN3sYhE" in ids and "4829-1056-7734" in ids


def test_imitation_detection(rules):
    assert imitated_provider("paypa1-secure.com", rules).id == "paypal"
    assert imitated_provider("micros0ft-account.example", rules).id == "microsoft"
    assert imitated_provider("apple.com.verify-id.example", rules).id == "apple"
    assert imitated_provider("arnazon-billing.example", rules).id == "amazon"
    assert imitated_provider("example.org", rules) is None
    assert imitated_provider("qq-anquan.com", rules).id == "tencent"
    # ordinary words that contain a provider's name are not imitations
    for domain in ("mail.example.com", "email.example.com", "pineapple.example",
                   "pinstripe-tailors.example", "bigmail.example", "mail.acme.io"):
        assert imitated_provider(domain, rules) is None, domain


def test_an_unknown_provider_on_a_mail_subdomain_is_a_provider_not_a_google_phish(rules):
    raw = make_mail(sender="Acme Cloud <noreply@mail.acme.io>", subject="Account suspended",
                    body="Your Acme Cloud account has been suspended because of a payment "
                    "problem.", auth=[auth_pass("mail.acme.io")])
    c = run(raw, rules)
    assert (c.category, c.reason, c.provider, c.phishing, c.possible) == (
        "suspension", "payment", "acme", False, False)


def test_user_can_add_a_provider_and_a_phrase(tmp_path):
    cfg = tmp_path / "config.toml"
    cfg.write_text(
        '[providers.acme]\nname = "Acme Cloud"\ndomains = ["acme.example"]\naliases = ["acme"]\n'
        '[phrases.suspension]\nen = [{ re = "\\\\bseat has been yanked\\\\b", weight = 4 }]\n',
        encoding="utf-8")
    rules = load_config(cfg).rules
    raw = make_mail(sender="Acme Cloud <robot@acme.example>", subject="About your seat",
                    body="Hello, your seat has been yanked.", auth=[auth_pass("acme.example")])
    c = run(raw, rules)
    assert (c.category, c.provider) == ("suspension", "acme")
    assert "seat has been yanked" in c.cues
    builtin = load_config(None).rules
    assert run(raw, builtin).category == "irrelevant"  # without the user's rules it is unknown


def test_classification_is_the_same_in_every_process_and_every_call():
    """Set and dictionary order follows the hash seed, which differs from process to process:
    two processes with different PYTHONHASHSEED classify the corpus, each message twice (a
    cache filled by the first call may not change the second), and print the same verdicts,
    cues and scores."""
    files = [str(p) for p in sorted((CORPUS / "messages").glob("*.eml"))]
    outputs = []
    for seed in ("1", "2024"):
        proc = subprocess.run(
            [sys.executable, "-m", "appealwatch.cli", "classify", "--json", "--explain",
             *files, *files], env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True, text=True, timeout=120, check=False)
        assert proc.returncode == 0, proc.stderr
        lines = proc.stdout.splitlines()
        assert len(lines) == 2 * len(files) > 100
        assert lines[:len(files)] == lines[len(files):]
        outputs.append(lines)
    assert outputs[0] == outputs[1]


def _fields_block(raw: bytes, names: tuple[bytes, ...]) -> bytes:
    """What the IMAP backfill asks the server for: BODY.PEEK[HEADER.FIELDS (names)]."""
    head = raw.replace(b"\r\n", b"\n").split(b"\n\n", 1)[0]
    fields = re.split(rb"\n(?![ \t])", head)
    kept = [f for f in fields if f.split(b":", 1)[0].strip().lower() in names]
    return b"\r\n".join(f.replace(b"\n", b"\r\n") for f in kept) + b"\r\n\r\n"


@pytest.mark.parametrize(("root", "part"), [(CORPUS, None), (HELDOUT, None), (BLIND, None),
                                            (WILD, "dev")],
                         ids=["corpus", "heldout", "blind", "wild-dev"])
def test_the_backfill_header_screen_lets_through_every_message_about_a_case(rules, root, part):
    """A first scan fetches a body only where ``prescreen`` and ``may_matter`` pass its five
    header fields: no labelled notice, answer, decision or phishing mail may be screened out
    (everyday mail may pass; fetching it only costs time)."""
    from appealwatch.classify import may_matter, prescreen
    from appealwatch.parse import quick_headers

    labels = load_labels(root, part)
    names = (b"from", b"reply-to", b"subject", b"list-id", b"message-id")
    missed, passed_everyday = [], 0
    for row in labels:
        raw = (root / "messages" / row["file"]).read_bytes()
        block = _fields_block(raw, names)
        role = "junk" if row["folder"].lower() in ("junk", "spam") else "inbox"
        through = prescreen(block, rules) and may_matter(quick_headers(block), role, rules)
        if row["category"] != "irrelevant" or row["phishing"]:
            if not through:
                missed.append(row["file"])
        else:
            passed_everyday += through
    assert missed == []
    # and it does screen: not every everyday message passes
    assert passed_everyday < sum(r["category"] == "irrelevant" and not r["phishing"]
                                 for r in labels)
