"""The package's import graph: the command line sits on top, nothing below it imports it."""

import ast
from pathlib import Path

import pytest

import appealwatch

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
