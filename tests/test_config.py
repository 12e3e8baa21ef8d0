from __future__ import annotations

import tomllib
import typing

import pytest
from pydantic import BaseModel

from appealwatch import resources
from appealwatch.config import ConfigError, ConfigModel, load_config


def write(tmp_path, text: str):
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_builtin_defaults_load_without_a_file():
    cfg = load_config(None)
    assert cfg.path is None
    assert {p.id for p in cfg.rules.providers} >= {
        "openai", "google", "github", "paypal", "amazon", "meta", "microsoft", "apple", "stripe",
        "discord", "anthropic"}


def test_example_config_documents_every_key_and_is_valid():
    example = resources.config_dir() / "appealwatch.example.toml"
    cfg = load_config(example)
    assert cfg.model.accounts[0].name == "personal"
    text = example.read_text(encoding="utf-8")

    def keys(model):
        for name, field in model.model_fields.items():
            yield name
            for ann in (field.annotation, *typing.get_args(field.annotation)):
                if isinstance(ann, type) and issubclass(ann, BaseModel):
                    yield from keys(ann)

    for key in keys(ConfigModel):
        assert key in text, f"{key} is not documented in appealwatch.example.toml"


def test_every_problem_is_reported_at_once(tmp_path):
    path = write(tmp_path, """
[user]
email = "not-an-address"
nickname = "x"

[followup]
after_business_days = 0
country = "Atlantis"
timezone = "Mars/Olympus"

[notify]
backends = ["log", "pager"]

[[accounts]]
name = "a"
port = "993"

[phrases.suspension]
en = ["(unclosed"]

[surprise]
x = 1
""")
    with pytest.raises(ConfigError) as exc:
        load_config(path)
    text = "\n".join(exc.value.problems)
    for expected in ("user.nickname: unknown key", "followup.after_business_days",
                     "followup.country", "followup.timezone", "notify.backends[1]",
                     "accounts[0].port", "surprise: unknown key",
                     "phrases.suspension.en[0]: invalid regular expression"):
        assert expected in text, (expected, text)


def test_semantic_problems_name_their_keys(tmp_path):
    path = write(tmp_path, """
[user]
email = "nobody"
[[accounts]]
name = "a"
[[accounts]]
name = "a"
maildir = "/tmp/x"
host = "imap.example.org"
tls = "none"
[notify]
backends = ["command"]
""")
    with pytest.raises(ConfigError) as exc:
        load_config(path)
    text = "\n".join(exc.value.problems)
    for expected in ("user.email", "accounts[0]: give exactly one of", "accounts[1].name",
                     "accounts[1].username", "accounts[1].tls", "notify.command"):
        assert expected in text, (expected, text)


def test_strict_types_no_coercion(tmp_path):
    with pytest.raises(ConfigError) as exc:
        load_config(write(tmp_path, '[followup]\nmax_followups = "2"\n'))
    assert "followup.max_followups" in exc.value.problems[0]


def test_toml_syntax_error_is_one_clear_problem(tmp_path):
    with pytest.raises(ConfigError) as exc:
        load_config(write(tmp_path, "[user\nname = 1\n"))
    assert exc.value.problems[0].startswith("not valid TOML")


def test_missing_file_is_an_error(tmp_path):
    with pytest.raises(ConfigError) as exc:
        load_config(tmp_path / "nope.toml")
    assert "cannot read" in exc.value.problems[0]


def test_env_variable_selects_the_file(tmp_path, monkeypatch):
    path = write(tmp_path, '[user]\nname = "From Env"\n')
    monkeypatch.setenv("APPEALWATCH_CONFIG", str(path))
    assert load_config(None).model.user.name == "From Env"


def test_builtin_rules_are_valid_toml_with_both_languages():
    data = tomllib.loads((resources.config_dir() / "rules.toml").read_text(encoding="utf-8"))
    for group in ("suspension", "ticket_ack", "support_reply", "restored", "denied"):
        assert data["phrases"][group]["en"] and data["phrases"][group]["zh"], group
    for reason in ("policy", "payment", "security", "system"):
        assert data["phrases"]["reason"][reason]["zh"], reason


def test_a_readable_config_naming_a_password_command_is_refused(tmp_path):
    path = write(tmp_path, '[[accounts]]\nname = "a"\nhost = "imap.example.org"\n'
                           'username = "u"\npassword_command = "pass show mail"\n')
    path.chmod(0o644)
    with pytest.raises(ConfigError) as exc:
        load_config(path)
    assert "chmod 600" in exc.value.problems[0]
    path.chmod(0o600)
    assert load_config(path).model.accounts[0].password_command == "pass show mail"
