"""The CLI reference (docs/CLI.md), generated from the argument parser so it cannot drift.

    python -m appealwatch.clidoc > docs/CLI.md
"""

from __future__ import annotations

import argparse
import os
import sys

from appealwatch.cli import build_parser

WIDTH = "100"


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:  # argparse offers no public way to list sub-commands
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def render() -> str:
    old = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = WIDTH  # argparse wraps to the terminal: make it reproducible
    try:
        parser = build_parser()
        parser.prog = "appealwatch"
        out = ["# appealwatch command reference", "",
               "Generated from the program's own argument parser "
               "(`python -m appealwatch.clidoc > docs/CLI.md`); a test keeps it current.", "",
               "```text", parser.format_help().rstrip(), "```", ""]
        for name, sub in _subparsers(parser).items():
            out += [f"## appealwatch {name}", "", "```text", sub.format_help().rstrip(), "```",
                    ""]
        return "\n".join(out)
    finally:
        if old is None:
            os.environ.pop("COLUMNS", None)
        else:
            os.environ["COLUMNS"] = old


if __name__ == "__main__":
    sys.stdout.write(render())
