"""The wheel carries what an installed appealwatch needs from templates/ and config/."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

from conftest import CORPUS

ROOT = Path(__file__).resolve().parent.parent


def test_wheel_contents_and_use_outside_the_checkout(tmp_path):
    subprocess.run([sys.executable, "-m", "hatchling", "build", "-t", "wheel", "-d",
                    str(tmp_path / "dist")], cwd=ROOT, check=True, capture_output=True)
    wheel = next((tmp_path / "dist").glob("appealwatch-*.whl"))
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        zf.extractall(tmp_path / "site")
    for needed in ("appealwatch/_data/config/rules.toml",
                   "appealwatch/_data/config/appealwatch.example.toml",
                   "appealwatch/_data/templates/appeal-payment.en.txt",
                   "appealwatch/_data/templates/followup.zh.txt"):
        assert needed in names, needed
    assert any(n.startswith("appealwatch/_data/config/samples/Junk/") for n in names)
    entry = next(n for n in names if n.endswith("entry_points.txt"))
    assert "appealwatch = appealwatch.cli:main" in (tmp_path / "site" / entry).read_text()
    # run from an unrelated directory with only the unpacked wheel on the path
    env = {**os.environ, "PYTHONPATH": str(tmp_path / "site")}
    out = subprocess.run(
        [sys.executable, "-c", "import appealwatch.resources as r, appealwatch.cli as c; "
         "print(r.config_dir()); raise SystemExit(c.main(['classify', '--json', "
         f"'{CORPUS / 'messages' / '007.eml'}']))"],
        cwd=tmp_path, env=env, capture_output=True, text=True, check=True)
    where, line = out.stdout.splitlines()
    assert where.startswith(str(tmp_path / "site"))
    assert json.loads(line)["category"] == "suspension"
