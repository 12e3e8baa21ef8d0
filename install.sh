#!/bin/sh
# Install appealwatch for the current user: a private virtualenv under ~/.local/share/appealwatch
# and the `appealwatch` command in ~/.local/bin.  Debian's python3-venv is installed if missing.
set -eu
cd "$(dirname "$0")"

if ! python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    echo "install.sh: appealwatch needs Python 3.11 or newer (python3 is $(python3 -V 2>&1))" >&2
    exit 1
fi
if ! python3 -c 'import ensurepip, venv' 2>/dev/null; then
    pkg="python3-venv"
    echo "install.sh: installing Debian's $pkg (needed to create a virtualenv)" >&2
    if [ "$(id -u)" -eq 0 ]; then
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$pkg"
    else
        sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$pkg"
    fi
fi

venv="${APPEALWATCH_VENV:-${XDG_DATA_HOME:-$HOME/.local/share}/appealwatch/venv}"
python3 -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check .
install -Dm644 README.md "${XDG_DATA_HOME:-$HOME/.local/share}/doc/appealwatch/README.md"
mkdir -p "$HOME/.local/bin"
ln -sf "$venv/bin/appealwatch" "$HOME/.local/bin/appealwatch"
echo "install.sh: installed $("$venv/bin/appealwatch" --version) as ~/.local/bin/appealwatch" >&2
