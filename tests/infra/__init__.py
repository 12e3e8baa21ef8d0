"""Reusable integration-test infrastructure for appealwatch.

Real programs (Dovecot, Xvfb + dbus-daemon + dunst, mbsync, openssl) are started by the
tests themselves on loopback. See README.md in this directory.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")

APT_PACKAGES = (
    "dovecot-imapd",
    "isync",
    "xvfb",
    "dunst",
    "libnotify-bin",
    "gnome-keyring",
    "openssl",
)
SETUP_COMMAND = (
    "[ -e /usr/sbin/policy-rc.d ] || { printf '#!/bin/sh\\nexit 101\\n' > /usr/sbin/policy-rc.d"
    " && chmod +x /usr/sbin/policy-rc.d; }; apt-get update"
    " && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "
    + " ".join(APT_PACKAGES)
    + " && python -m pip install imapclient==4.1.0 pytest hypothesis jeepney"
)
_SBIN = "/usr/local/sbin:/usr/sbin:/sbin"


class InfraSetupError(RuntimeError):
    """A program or package the integration tests need is not installed."""


def find_tool(name: str) -> str:
    """Return the absolute path of program ``name`` or raise InfraSetupError."""
    path = shutil.which(name) or shutil.which(name, path=_SBIN)
    if path is None:
        raise InfraSetupError(
            f"required program {name!r} is not installed; set up the test machine with: "
            f"{SETUP_COMMAND}"
        )
    return path


def require_tools(*names: str) -> dict[str, str]:
    """Resolve all ``names`` at once so the error lists every missing program."""
    found: dict[str, str] = {}
    missing: list[str] = []
    for name in names:
        path = shutil.which(name) or shutil.which(name, path=_SBIN)
        if path is None:
            missing.append(name)
        else:
            found[name] = path
    if missing:
        raise InfraSetupError(
            f"required programs not installed: {', '.join(missing)}; set up the test machine "
            f"with: {SETUP_COMMAND}"
        )
    return found


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that was free on ``host`` a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def wait_for(
    probe: Callable[[], T | None],
    timeout: float,
    what: str,
    interval: float = 0.02,
) -> T:
    """Call ``probe`` until it returns something other than None/False, or time out."""
    deadline = time.monotonic() + timeout
    while True:
        result = probe()
        if result is not None and result is not False:
            return result
        if time.monotonic() >= deadline:
            raise TimeoutError(f"timed out after {timeout:.1f} s waiting for {what}")
        time.sleep(interval)


def poll(predicate: Callable[[], T], timeout: float, step: float = 0.1) -> T:
    """Call ``predicate`` until it returns something truthy or ``timeout`` seconds pass; its
    last value either way (for an assertion to report)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    return predicate()


# --------------------------------------------------------------------------- processes


def proc_stat(pid: int) -> tuple[str, str, int] | None:
    """(comm, state, ppid) of ``pid`` from /proc, or None when it does not exist."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    comm = raw[raw.index("(") + 1 : raw.rindex(")")]
    fields = raw[raw.rindex(")") + 2 :].split()
    return comm, fields[0], int(fields[1])


def pid_alive(pid: int) -> bool:
    """True for a running process. A zombie (state Z/X) counts as dead: PID 1 on the test
    machines reaps orphans late, and ``kill -0`` succeeds on a zombie."""
    st = proc_stat(pid)
    return st is not None and st[1] not in ("Z", "X")


def child_processes(pid: int) -> dict[int, str]:
    """Live direct children of ``pid``, mapped to their comm (executable name)."""
    found: dict[int, str] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        st = proc_stat(int(entry.name))
        if st is not None and st[2] == pid and st[1] not in ("Z", "X"):
            found[int(entry.name)] = st[0]
    return found


def send_signal(pid: int, sig: signal.Signals) -> None:
    """os.kill that ignores processes which are already gone."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, sig)


def wait_dead(pids: Iterable[int], timeout: float) -> list[int]:
    """Wait until none of ``pids`` is alive; return those still alive at the timeout."""
    pending = set(pids)
    deadline = time.monotonic() + timeout
    while pending and time.monotonic() < deadline:
        pending = {p for p in pending if pid_alive(p)}
        if pending:
            time.sleep(0.01)
    return sorted(p for p in pending if pid_alive(p))


def stop_process(proc: subprocess.Popen[bytes] | None, timeout: float = 5.0) -> None:
    """SIGTERM, wait, SIGKILL if needed, and always reap (no ResourceWarning)."""
    if proc is None:
        return
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
    proc.wait(timeout)


def events(tmp: Path) -> list[dict]:
    """The notification events a ``command`` backend of ``(cat; echo) >> tmp/events.jsonl``
    wrote, oldest first."""
    path = tmp / "events.jsonl"
    if not path.exists():
        return []
    return [json.loads(x) for x in path.read_text().splitlines() if x.strip()]
