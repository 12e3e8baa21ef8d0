from __future__ import annotations

import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
DATA = TESTS / "data"
CORPUS = DATA / "corpus"
HELDOUT = DATA / "heldout"
BLIND = DATA / "blind"
sys.path.insert(0, str(TESTS))  # evaluation.py and infra/ are plain modules beside the tests


@pytest.fixture(scope="session")
def config():
    from appealwatch.config import load_config

    return load_config(None)


@pytest.fixture(scope="session")
def rules(config):
    return config.rules


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory, monkeypatch):
    """Never read or write the real user's config, state or keyring."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    for var, sub in (("XDG_CONFIG_HOME", ".config"), ("XDG_STATE_HOME", ".local/state"),
                     ("XDG_DATA_HOME", ".local/share"), ("XDG_CACHE_HOME", ".cache")):
        monkeypatch.setenv(var, str(home / sub))
    monkeypatch.delenv("APPEALWATCH_CONFIG", raising=False)
