"""Where the bundled data files are: inside the installed wheel, or in a source checkout."""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


@cache
def _data_dir(name: str) -> Path:
    installed = _PACKAGE / "_data" / name  # the wheel carries templates/ and config/ here
    if installed.is_dir():
        return installed
    checkout = _PACKAGE.parent.parent / name  # daemon/appealwatch -> repository root
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError(f"appealwatch data folder {name!r} is missing from this installation")


def config_dir() -> Path:
    return _data_dir("config")


def templates_dir() -> Path:
    return _data_dir("templates")


def samples_dir() -> Path:
    return _data_dir("config") / "samples"
