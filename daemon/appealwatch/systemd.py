"""systemd integration without libsystemd: readiness/watchdog notification and the user unit.

``sd_notify`` implements the whole notification protocol: one datagram of newline-separated
``KEY=value`` assignments to the AF_UNIX socket named in ``$NOTIFY_SOCKET`` (a path, or an
abstract socket written with a leading ``@``).  A daemon must never die because that socket
vanished, so every failure is logged at debug level and reported as ``False``.

The unit text lives here (the wheel does not ship ``systemd/``); ``systemd/appealwatch.service``
in the source tree is the same text with ``ExecStart=%h/.local/bin/appealwatch run``, and a test
keeps the two in step.
"""

from __future__ import annotations

import logging
import os
import socket
import tempfile
from pathlib import Path

log = logging.getLogger("appealwatch.systemd")

UNIT_NAME = "appealwatch.service"
UNIT_MODE = 0o644
NOTIFY_TIMEOUT = 2.0  # seconds; a wedged service manager must not hang the daemon

# Characters systemd refuses in an executable path ("Executable name contains special
# characters"): quotes, backslash, control characters and DEL.
_UNSAFE_EXE_CHARS = frozenset("\"'\\\x7f") | frozenset(map(chr, range(32)))

UNIT_TEMPLATE = """\
# appealwatch as a systemd *user* service (the user's own manager, no root needed).
# Install as ~/.config/systemd/user/appealwatch.service, then:
#   systemctl --user daemon-reload && systemctl --user enable --now appealwatch.service
# Logs: journalctl --user -u appealwatch.service
# To keep it running while you are logged out: loginctl enable-linger "$USER"

[Unit]
Description=appealwatch: watches your mailboxes for suspension notices and tracks the appeals
Documentation=file:%h/.local/share/doc/appealwatch/README.md
# The user manager has no network-online.target (nor network.target): ordering against them
# does nothing, so the daemon retries unreachable servers itself.  Desktop notifications and
# the Secret Service keyring go over the session bus.
Wants=dbus.socket
After=dbus.socket

[Service]
Type=notify
# Only the daemon itself may report READY/WATCHDOG, not the notification commands it runs.
NotifyAccess=main
ExecStart={exec_start} run
ExecReload=/bin/kill -HUP $MAINPID
Restart=on-failure
RestartSec=10
# Exit status 2 means a configuration error: restarting cannot fix a typo, so do not loop.
RestartPreventExitStatus=2
# The daemon sends WATCHDOG=1 every WatchdogSec/2; a hung main loop is killed and restarted.
WatchdogSec=120
TimeoutStopSec=10
# SIGTERM goes to the daemon only, so it can finish the current step; anything still running
# after TimeoutStopSec (a hung notification command, say) is killed.
KillMode=mixed
Environment=PYTHONUNBUFFERED=1
SyslogIdentifier=appealwatch
# Files it creates (state database, drafts) are private to the user.
UMask=0077

# Sandboxing.  A user manager has no privileges, so only settings built on seccomp filters
# and no_new_privs are in force here; they are inherited by notification commands too.
NoNewPrivileges=yes
LockPersonality=yes
RestrictRealtime=yes
RestrictSUIDSGID=yes
RestrictNamespaces=yes
SystemCallArchitectures=native
SystemCallFilter=@system-service
SystemCallErrorNumber=EPERM
RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 AF_NETLINK
# Python and its libraries need no writable+executable memory, but a notification command
# with a JIT (node, java, gjs) aborts under this; for such a command add a drop-in
# (systemctl --user edit appealwatch.service) with MemoryDenyWriteExecute=no.
MemoryDenyWriteExecute=yes
# Left out on purpose: ProtectSystem=, ProtectHome=, PrivateTmp=, PrivateDevices=,
# ProtectKernel*=, ProtectControlGroups=, ProtectClock=, ProtectHostname=, PrivateNetwork=
# and the *Paths= settings need a mount or other namespace, which an unprivileged manager
# can only create inside a user namespace.  systemd 252 then skips them silently (logged at
# debug level only), so they would merely look like protection; newer systemd turns on
# PrivateUsers= for them, and the unit fails to start where unprivileged user namespaces are
# disabled.  PrivateUsers= itself fails there too.  CapabilityBoundingSet= and
# AmbientCapabilities= fail with status 218/CAPABILITIES in user units (and there are no
# capabilities to drop).  ProtectProc= and ProcSubset= are for system services only.

[Install]
WantedBy=default.target
"""


def sd_notify(*states: str) -> bool:
    """Send ``states`` (e.g. ``"READY=1"``, ``"STATUS=…"``) to the service manager.

    Returns True when the datagram was sent, False when there is no manager to tell
    ($NOTIFY_SOCKET unset) or sending failed; never raises for a missing or broken socket.
    Line breaks inside a state would split it into bogus assignments, so they become spaces.
    """
    addr = os.environ.get("NOTIFY_SOCKET")
    if not addr or not states:
        return False
    if addr[0] == "@":
        target = "\0" + addr[1:]
    elif addr[0] == "/":
        target = addr
    else:  # e.g. vsock:… (systemd >= 254), which the stdlib cannot reach portably
        log.debug("NOTIFY_SOCKET=%r is not a unix socket address; not notifying", addr)
        return False
    payload = "\n".join(" ".join(s.splitlines()) for s in states).encode()
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
            sock.settimeout(NOTIFY_TIMEOUT)
            sock.sendto(payload, target)
    except (OSError, ValueError) as exc:
        log.debug("sd_notify to %r failed: %s", addr, exc)
        return False
    return True


def watchdog_interval() -> float | None:
    """Seconds between WATCHDOG=1 pings (half of WatchdogSec=), or None without a watchdog.

    None also when $WATCHDOG_PID names another process (the variable was inherited).
    """
    usec = os.environ.get("WATCHDOG_USEC")
    pid = os.environ.get("WATCHDOG_PID")
    if not usec:
        return None
    try:
        micros = int(usec)
        if pid and int(pid) != os.getpid():
            return None
    except ValueError:
        log.debug("ignoring malformed WATCHDOG_USEC=%r / WATCHDOG_PID=%r", usec, pid)
        return None
    if micros <= 0:
        return None
    return micros / 2 / 1_000_000


def _exec_path(exe: str) -> str:
    """``exe`` written as the first word of a systemd command line."""
    if not os.path.isabs(exe) or os.path.normpath(exe) != exe:
        raise ValueError(f"the executable must be an absolute, normalized path: {exe!r}")
    if any(c in _UNSAFE_EXE_CHARS for c in exe):
        raise ValueError(f"systemd cannot run an executable whose path contains quotes, "
                         f"backslashes or control characters: {exe!r}")
    # '%' starts a specifier everywhere on the line; '$' is not expanded in the executable.
    escaped = exe.replace("%", "%%")
    return f'"{escaped}"' if " " in escaped else escaped


def unit_text(exe: str) -> str:
    """The user unit, running ``<exe> run``; ``exe`` is the absolute path of ``appealwatch``."""
    return UNIT_TEMPLATE.replace("{exec_start}", _exec_path(exe))


def default_unit_dir() -> Path:
    """``$XDG_CONFIG_HOME/systemd/user`` (``~/.config/systemd/user`` by default)."""
    config = os.environ.get("XDG_CONFIG_HOME", "")
    base = Path(config) if os.path.isabs(config) else Path.home() / ".config"
    return base / "systemd" / "user"


def install_unit(exe: str, unit_dir: Path | None = None) -> Path:
    """Write ``appealwatch.service`` for ``exe`` into ``unit_dir`` and return its path.

    An existing file is replaced (atomically) only when its content differs.
    """
    text = unit_text(exe)
    directory = Path(unit_dir) if unit_dir is not None else default_unit_dir()
    path = directory / UNIT_NAME
    try:
        current = path.read_text(encoding="utf-8")
    except (FileNotFoundError, UnicodeDecodeError):
        current = None
    if current == text:
        if path.stat().st_mode & 0o7777 != UNIT_MODE:
            path.chmod(UNIT_MODE)
        return path
    directory.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{UNIT_NAME}.", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.chmod(tmp, UNIT_MODE)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    log.info("wrote %s", path)
    return path


def enable_command() -> str:
    """The shell command that makes the user manager load and start the installed unit."""
    return "systemctl --user daemon-reload && systemctl --user enable --now appealwatch.service"
