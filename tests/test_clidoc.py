from pathlib import Path

from appealwatch.clidoc import render

DOC = Path(__file__).resolve().parent.parent / "docs" / "CLI.md"


def test_the_cli_reference_is_current():
    assert DOC.read_text(encoding="utf-8") == render(), (
        "docs/CLI.md is out of date: run python -m appealwatch.clidoc > docs/CLI.md")


def test_every_command_is_documented():
    text = DOC.read_text(encoding="utf-8")
    for command in ("init", "classify", "scan", "cases", "show", "draft", "resolve", "run", "login",
                    "doctor", "service", "demo", "teach"):
        assert f"## appealwatch {command}" in text
