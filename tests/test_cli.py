from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

import appealwatch
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


# --------------------------------------------------------------------------- the import graph
# The command line sits on top: nothing below it imports it (what commands share is in app).

PACKAGE = Path(appealwatch.__file__).parent
# the entry point and the tool that documents it; both are above the command line
ABOVE_CLI = {"appealwatch.cli", "appealwatch.clidoc"}


def imports(source: str, module: str) -> set[str]:
    """Every name ``module`` (whose text is ``source``) imports, at the top or inside a
    function: ``from a.b import c`` gives a.b and a.b.c; relative imports are resolved."""
    found = set()
    package = module.split(".")
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = ".".join(package[:-node.level])
                base = f"{parent}.{base}" if base else parent
            found.add(base)
            found.update(f"{base}.{a.name}" for a in node.names)
    return found


def _imports_cli(names: set[str]) -> bool:
    return any(n == "appealwatch.cli" or n.startswith("appealwatch.cli.") for n in names)


def _modules() -> dict[str, Path]:
    return {".".join(p.relative_to(PACKAGE.parent).with_suffix("").parts): p
            for p in sorted(PACKAGE.rglob("*.py"))}


def test_no_module_below_the_command_line_imports_it():
    offenders = sorted(name for name, path in _modules().items() if name not in ABOVE_CLI
                       and _imports_cli(imports(path.read_text(encoding="utf-8"), name)))
    assert not offenders, f"these import appealwatch.cli, which sits above them: {offenders}"
    assert "appealwatch.app" in _modules()  # the walk does see the package


@pytest.mark.parametrize("text", [
    "from appealwatch import cli\n", "import appealwatch.cli\n",
    "from appealwatch.cli import make_engine\n", "def f():\n    from appealwatch.cli import x\n",
    "from . import cli\n", "from .cli import main\n",
])
def test_every_way_of_importing_the_command_line_is_seen(text):
    assert _imports_cli(imports(text, "appealwatch.demo"))


def test_a_sub_package_importing_its_own_cli_module_is_not_the_command_line():
    assert not _imports_cli(imports("from . import cli\n", "appealwatch.imap.watch"))
    assert not _imports_cli(imports("from appealwatch import clidoc\n", "appealwatch.demo"))
