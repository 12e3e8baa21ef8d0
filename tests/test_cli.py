from __future__ import annotations

import json
import subprocess
import sys

from appealwatch import __version__
from appealwatch.cli import main
from conftest import CORPUS

MSG = CORPUS / "messages"


def test_classify_json_in_input_order_with_errors(tmp_path, capsys):
    missing = tmp_path / "missing.eml"
    files = [str(MSG / "043.eml"), str(missing), str(MSG / "001.eml"), str(MSG / "025.eml")]
    code = main(["classify", "--json", "--folder", "Junk", *files])
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert code == 1
    assert [line["file"] for line in lines] == files
    assert "error" in lines[1] and "category" not in lines[1]
    keys = {"file", "category", "reason", "decision", "provider", "ticket", "lang", "phishing",
            "phishing_reasons", "confidence", "cues", "possible", "forwarded"}
    for line in (lines[0], lines[2], lines[3]):
        assert set(line) == keys
    assert (lines[0]["category"], lines[0]["lang"], lines[0]["provider"]) == (
        "suspension", "zh", "aliyun")
    assert lines[2]["category"] == "irrelevant"
    assert lines[0]["possible"] is False and lines[0]["forwarded"] is False
    assert lines[3]["phishing"] is True and lines[3]["phishing_reasons"]


def test_classify_human_output_and_explain(capsys):
    assert main(["classify", "--explain", str(MSG / "007.eml")]) == 0
    out = capsys.readouterr().out
    assert "suspension (policy)" in out and "provider=openai" in out
    assert "cue phrases.suspension" in out


def test_bad_config_exits_2_and_names_keys(tmp_path, capsys):
    cfg = tmp_path / "c.toml"
    cfg.write_text("[user]\nnam = 1\n[followup]\nmax_followups = -3\n", encoding="utf-8")
    assert main(["--config", str(cfg), "classify", str(MSG / "001.eml")]) == 2
    err = capsys.readouterr().err
    assert "user.nam: unknown key" in err and "followup.max_followups" in err
    assert "Traceback" not in err


def test_installed_console_script_version_and_help():
    exe = [sys.executable, "-m", "appealwatch.cli"]
    out = subprocess.run([*exe, "--version"], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == f"appealwatch {__version__}"
    helptext = subprocess.run([*exe, "--help"], capture_output=True, text=True, check=True).stdout
    assert "classify" in helptext and "--config" in helptext
    sub = subprocess.run([*exe, "classify", "--help"], capture_output=True, text=True, check=True)
    assert "--json" in sub.stdout and "--explain" in sub.stdout and "--folder" in sub.stdout


def test_usage_error_exits_2():
    proc = subprocess.run([sys.executable, "-m", "appealwatch.cli", "classify"],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 2 and "FILE" in proc.stderr


def test_an_unexpected_error_never_shows_a_secret_with_or_without_debug(tmp_path, capsys,
                                                                         monkeypatch):
    from appealwatch import cli
    from appealwatch.secrets import Redactor

    secret = "hunter2-correct-horse"
    Redactor.register(secret)

    def broken(path):
        raise RuntimeError(f"the server said: bad password {secret}")

    monkeypatch.setattr(cli, "load_config", broken)
    for debug in ([], ["--debug"]):
        assert main([*debug, "--config", str(tmp_path / "c.toml"), "cases"]) == 1
        err = capsys.readouterr().err
        assert "bad password ***" in err and secret not in err, err
        assert ("Traceback" in err) == bool(debug), err
