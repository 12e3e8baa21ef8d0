"""appealwatch teach: corrections become rules in learned.toml, and the same mistake does not
come back.  Real files in temporary folders, through the command line."""

from __future__ import annotations

import json
import sqlite3
import stat
import tomllib
from pathlib import Path

import pytest

from appealwatch.cli import main
from grouping import write_config
from mails import auth_pass, make_mail

# a hosting company outside the registry; nothing in the wording the rules know
QUIET_NOTICE = dict(
    sender="Kiln Hosting <ops@kilnhost.example>", subject="Service status for instance 4411",
    body="Hello,\n\nInstance 4411 is now in maintenance mode pending a review of the billing "
         "record.\n\nKiln ops\n",
    auth=[auth_pass("kilnhost.example")], message_id="<k1@kilnhost.example>")
# a genuine provider's mail that speaks of a suspension, but not of the user's account
FALSE_ALARM = dict(
    sender="GitHub <noreply@github.com>",
    subject="Your account has been suspended from the Octo Quiz league",
    body="Hello,\n\nYour account has been suspended from the Octo Quiz league for missing three "
         "rounds. You will no longer be able to play until next season.\n",
    auth=[auth_pass("github.com")], message_id="<q1@github.com>")


def classify_json(cfg: Path, eml: Path, capsys) -> dict:
    capsys.readouterr()
    assert main(["--config", str(cfg), "classify", "--json", "--explain", str(eml)]) == 0
    return json.loads(capsys.readouterr().out)


def setup(tmp_path: Path, **mail) -> tuple[Path, Path]:
    cfg = write_config(tmp_path, tmp_path / "Maildir")
    eml = tmp_path / "message.eml"
    eml.write_bytes(make_mail(**mail))
    return cfg, eml


def test_a_notice_taught_as_a_suspension_is_one_next_time(tmp_path, capsys):
    cfg, eml = setup(tmp_path, **QUIET_NOTICE)
    assert classify_json(cfg, eml, capsys)["category"] == "irrelevant"
    assert main(["--config", str(cfg), "teach", str(eml), "--as", "suspension",
                 "--reason", "payment"]) == 0
    out = capsys.readouterr().out
    assert "read as irrelevant before" in out and "kilnhost.example" in out
    got = classify_json(cfg, eml, capsys)
    assert (got["category"], got["reason"], got["provider"]) == ("suspension", "payment",
                                                                 "kilnhost")
    assert any("learned" in line for line in got["explanation"] if "cue" in line)
    assert "sender genuine kilnhost.example" in got["explanation"][0]  # a known provider now
    learned = tmp_path / "learned.toml"  # beside the config
    assert stat.S_IMODE(learned.stat().st_mode) == 0o600
    (entry,) = tomllib.loads(learned.read_text(encoding="utf-8"))["learned"]
    assert entry["domains"] == ["kilnhost.example"] and entry["as"] == "suspension"
    # a message like it (another instance) is read the same way
    other = tmp_path / "other.eml"
    other.write_bytes(make_mail(**{**QUIET_NOTICE, "subject": "Service status for instance 98",
                                   "message_id": "<k2@kilnhost.example>"}))
    assert classify_json(cfg, other, capsys)["category"] == "suspension"
    # the same correction again is not written twice
    assert main(["--config", str(cfg), "teach", str(eml), "--as", "suspension",
                 "--reason", "payment"]) == 0
    assert "already in" in capsys.readouterr().out
    assert len(tomllib.loads(learned.read_text(encoding="utf-8"))["learned"]) == 1


def test_a_false_alarm_taught_as_irrelevant_is_irrelevant_next_time(tmp_path, capsys):
    cfg, eml = setup(tmp_path, **FALSE_ALARM)
    # the same words from another sender: a correction about GitHub's mail must not hide it
    elsewhere = tmp_path / "elsewhere.eml"
    elsewhere.write_bytes(make_mail(**{**FALSE_ALARM, "sender": "Octo <notices@octoquiz.example>",
                                       "auth": [auth_pass("octoquiz.example")],
                                       "message_id": "<o1@octoquiz.example>"}))
    before = classify_json(cfg, elsewhere, capsys)["category"]
    assert before != "irrelevant"
    assert classify_json(cfg, eml, capsys)["category"] == "suspension"
    assert main(["--config", str(cfg), "teach", str(eml), "--as", "irrelevant"]) == 0
    got = classify_json(cfg, eml, capsys)
    assert got["category"] == "irrelevant"
    assert any("learned" in line for line in got["explanation"])
    (entry,) = tomllib.loads((tmp_path / "learned.toml").read_text(encoding="utf-8"))["learned"]
    assert "provider" not in entry and entry["senders"] == ["github.com"]  # a phrase, for them
    assert classify_json(cfg, elsewhere, capsys)["category"] == before
    # other mail of the same sender still reads as it did
    notice = tmp_path / "notice.eml"
    notice.write_bytes(make_mail(**{
        **FALSE_ALARM, "subject": "Your account has been suspended",
        "body": "Hello,\n\nYour account has been suspended for violating our terms of "
                "service.\n", "message_id": "<q2@github.com>"}))
    assert classify_json(cfg, notice, capsys)["category"] == "suspension"


def test_a_stored_message_is_taught_by_its_message_id(tmp_path, capsys):
    maildir = tmp_path / "Maildir"
    for sub in ("cur", "new", "tmp"):
        (maildir / sub).mkdir(parents=True)
    (maildir / "new" / "1.a.x").write_bytes(make_mail(**QUIET_NOTICE))
    cfg = write_config(tmp_path, maildir)
    assert main(["--config", str(cfg), "scan"]) == 0
    assert main(["--config", str(cfg), "teach", "k1@kilnhost.example", "--as", "suspension"]) == 0
    assert "recorded in the state" in capsys.readouterr().out
    db = sqlite3.connect(tmp_path / "state.sqlite3")
    (facts,) = db.execute("SELECT facts FROM messages WHERE message_id = '<k1@kilnhost.example>'"
                          ).fetchone()
    db.close()
    assert json.loads(facts)["taught"]["as"] == "suspension"
    entry = tomllib.loads((tmp_path / "learned.toml").read_text(encoding="utf-8"))["learned"][0]
    assert entry["provider"] == "kilnhost" and entry["message"] == "<k1@kilnhost.example>"
    assert main(["--config", str(cfg), "teach", "<nobody@nowhere>", "--as", "suspension"]) == 1


def test_a_person_at_a_mail_host_never_becomes_a_provider(tmp_path, capsys):
    cfg, eml = setup(tmp_path, sender="Sam <sam.lee@gmail.com>",
                     subject="Your seat in the Thursday pottery course is on hold",
                     body="Hi, the teacher is away this week.\n")
    assert main(["--config", str(cfg), "teach", str(eml), "--as", "suspension"]) == 0
    assert "personal mail host" in capsys.readouterr().out
    (entry,) = tomllib.loads((tmp_path / "learned.toml").read_text(encoding="utf-8"))["learned"]
    assert "provider" not in entry and "phrase" in entry


@pytest.mark.parametrize(("args", "message"), [
    (["--as", "appeal_decision"], "--reason restored"),
    (["--as", "suspension", "--reason", "restored"], "policy"),
    (["--as", "suspension", "--provider", "Not An Id"], "lower-case"),
])
def test_a_wrong_teach_is_refused_and_nothing_is_written(tmp_path, capsys, args, message):
    cfg, eml = setup(tmp_path, **QUIET_NOTICE)
    assert main(["--config", str(cfg), "teach", str(eml), *args]) == 1
    assert message in capsys.readouterr().err
    assert not (tmp_path / "learned.toml").exists()


def test_a_broken_learned_file_is_a_configuration_error_naming_its_keys(tmp_path, capsys):
    cfg, eml = setup(tmp_path, **QUIET_NOTICE)
    (tmp_path / "learned.toml").write_text(
        '[[learned]]\nas = "suspension"\nphrase = "(unclosed"\n'
        '[[learned]]\nas = "appeal_decision"\nprovider = "acme"\nwhat = 1\n', encoding="utf-8")
    assert main(["--config", str(cfg), "classify", str(eml)]) == 2
    err = capsys.readouterr().err
    assert "learned.toml" in err and "learned[1].what: unknown key" in err
    (tmp_path / "learned.toml").write_text(
        '[[learned]]\nas = "suspension"\nphrase = "(unclosed"\n'
        '[[learned]]\nas = "appeal_decision"\nprovider = "acme"\n', encoding="utf-8")
    assert main(["--config", str(cfg), "classify", str(eml)]) == 2
    err = capsys.readouterr().err
    for key in ("learned[0].phrase: invalid regular expression", "learned[1].reason",
                "learned[1]: a provider needs its domains"):
        assert key in err, err


def test_a_domain_taught_for_a_known_provider_joins_it(tmp_path, capsys):
    cfg, eml = setup(tmp_path, **{**QUIET_NOTICE, "sender": "Droplets <ops@do-mailer.example>",
                                  "auth": [auth_pass("do-mailer.example")]})
    assert main(["--config", str(cfg), "teach", str(eml), "--as", "suspension",
                 "--provider", "digitalocean"]) == 0
    got = classify_json(cfg, eml, capsys)
    assert (got["category"], got["provider"]) == ("suspension", "digitalocean")
    assert "sender genuine do-mailer.example (digitalocean)" in got["explanation"][0]
    # the registry's entry keeps its own domains and its appeal form
    from appealwatch.config import load_config

    provider = load_config(cfg).rules.provider("digitalocean")
    assert provider is not None and "digitalocean.com" in provider.domains
    assert "do-mailer.example" in provider.domains and provider.appeal_form


def test_a_reply_teaches_no_phrase_from_its_thread_subject(tmp_path, capsys):
    cfg, eml = setup(tmp_path, **{**QUIET_NOTICE, "subject": "Re: Service status for instance 4411",
                                  "body": "Hello, thanks for the update. Kiln ops\n"})
    assert main(["--config", str(cfg), "teach", str(eml), "--as", "support_reply"]) == 0
    assert "no phrase" in capsys.readouterr().out
    (entry,) = tomllib.loads((tmp_path / "learned.toml").read_text(encoding="utf-8"))["learned"]
    assert "phrase" not in entry and entry["provider"] == "kilnhost"
