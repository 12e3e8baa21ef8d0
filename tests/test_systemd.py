"""systemd integration: sd_notify against real sockets, watchdog, and the user unit checked by
``systemd-analyze --user verify`` (systemd 252 on the test image)."""

from __future__ import annotations

import logging
import os
import shutil
import socket
import stat
import subprocess
import uuid
from pathlib import Path

import pytest

from appealwatch import systemd

REPO = Path(__file__).resolve().parent.parent
REFERENCE_UNIT = REPO / "systemd" / "appealwatch.service"
REFERENCE_EXEC_START = "ExecStart=%h/.local/bin/appealwatch run"


# --- sd_notify -----------------------------------------------------------------------------------


def _receiver(address: str) -> socket.socket:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(address)
    sock.settimeout(5)
    return sock


def test_sd_notify_filesystem_socket(tmp_path, monkeypatch):
    path = tmp_path / "notify"
    with _receiver(str(path)) as rx:
        monkeypatch.setenv("NOTIFY_SOCKET", str(path))
        assert systemd.sd_notify("READY=1", "STATUS=x") is True
        assert rx.recv(4096) == b"READY=1\nSTATUS=x"
        assert systemd.sd_notify("WATCHDOG=1") is True
        assert rx.recv(4096) == b"WATCHDOG=1"


def test_sd_notify_abstract_socket(monkeypatch):
    name = f"appealwatch-test-{uuid.uuid4().hex}"
    with _receiver("\0" + name) as rx:
        monkeypatch.setenv("NOTIFY_SOCKET", "@" + name)
        assert systemd.sd_notify("READY=1", "STATUS=Watching INBOX, Junk") is True
        assert rx.recv(4096) == b"READY=1\nSTATUS=Watching INBOX, Junk"


def test_sd_notify_line_breaks_inside_a_state_do_not_split_it(tmp_path, monkeypatch):
    path = tmp_path / "notify"
    with _receiver(str(path)) as rx:
        monkeypatch.setenv("NOTIFY_SOCKET", str(path))
        assert systemd.sd_notify("STATUS=Subject: a\nMAINPID=1", "READY=1") is True
        assert rx.recv(4096) == b"STATUS=Subject: a MAINPID=1\nREADY=1"


def test_sd_notify_missing_socket_returns_false(tmp_path, monkeypatch, caplog):
    missing = tmp_path / "gone"
    monkeypatch.setenv("NOTIFY_SOCKET", str(missing))
    with caplog.at_level(logging.DEBUG, logger="appealwatch.systemd"):
        assert systemd.sd_notify("READY=1") is False
    assert any(str(missing) in r.getMessage() for r in caplog.records)


def test_sd_notify_socket_without_listener_returns_false(tmp_path, monkeypatch):
    path = tmp_path / "stale"
    _receiver(str(path)).close()  # the file stays, nobody reads it any more
    assert path.is_socket()
    monkeypatch.setenv("NOTIFY_SOCKET", str(path))
    assert systemd.sd_notify("READY=1") is False


@pytest.mark.parametrize("value", ["@", "relative/notify", "vsock:2:1234",
                                   "/" + "x" * 200])
def test_sd_notify_unusable_address_returns_false(monkeypatch, value):
    monkeypatch.setenv("NOTIFY_SOCKET", value)
    assert systemd.sd_notify("READY=1") is False


def test_sd_notify_without_notify_socket_returns_false(monkeypatch):
    monkeypatch.delenv("NOTIFY_SOCKET", raising=False)
    assert systemd.sd_notify("READY=1") is False
    monkeypatch.setenv("NOTIFY_SOCKET", "")
    assert systemd.sd_notify("READY=1") is False


# --- watchdog_interval ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("usec", "pid", "expected"),
    [
        ("30000000", None, 15.0),
        ("120000000", "self", 60.0),
        ("1000", "self", 0.0005),
        ("30000000", "other", None),
        (None, None, None),
        (None, "self", None),
        ("", None, None),
        ("0", None, None),
        ("-5", None, None),
        ("soon", None, None),
        ("30000000", "not-a-pid", None),
    ],
)
def test_watchdog_interval(monkeypatch, usec, pid, expected):
    for var, value in (("WATCHDOG_USEC", usec), ("WATCHDOG_PID", pid)):
        if value is None:
            monkeypatch.delenv(var, raising=False)
        else:
            pids = {"self": str(os.getpid()), "other": str(os.getpid() + 1)}
            monkeypatch.setenv(var, pids.get(value, value))
    assert systemd.watchdog_interval() == expected


# --- the unit, checked by systemd-analyze --------------------------------------------------------


def _fake_appealwatch(directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    exe = directory / "appealwatch"
    exe.write_text("#!/bin/sh\nexit 0\n")
    exe.chmod(0o755)
    return exe


def _verify(unit: Path, tmp_path: Path, home: Path | None = None) -> subprocess.CompletedProcess:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.fail("systemd-analyze is missing: ./tests/run installs it "
                    "(Debian package `systemd`)")
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700, exist_ok=True)
    env = dict(os.environ, XDG_RUNTIME_DIR=str(runtime), SYSTEMD_LOG_LEVEL="info")
    if home is not None:
        env["HOME"] = str(home)
    return subprocess.run([analyze, "--user", "verify", str(unit)], capture_output=True,
                          text=True, env=env, timeout=60, check=False)


def _assert_verifies(unit: Path, tmp_path: Path, home: Path | None = None) -> None:
    result = _verify(unit, tmp_path, home)
    assert (result.returncode, result.stderr, result.stdout) == (0, "", "")


def test_unit_text_passes_systemd_analyze_verify(tmp_path):
    exe = _fake_appealwatch(tmp_path / "venv" / "bin")
    unit = tmp_path / "appealwatch.service"
    unit.write_text(systemd.unit_text(str(exe)))
    _assert_verifies(unit, tmp_path)


def test_verify_catches_a_missing_executable(tmp_path):
    """The check above can fail: verify rejects an ExecStart= that does not exist."""
    unit = tmp_path / "appealwatch.service"
    unit.write_text(systemd.unit_text(str(tmp_path / "nowhere" / "appealwatch")))
    result = _verify(unit, tmp_path)
    assert result.returncode != 0
    assert "nowhere/appealwatch" in result.stderr


@pytest.mark.parametrize("dirname", ["my bin", "100% mail", "50%h", "%x y", "$HOME x", "a  b"])
def test_unit_text_quotes_awkward_paths_for_systemd(tmp_path, dirname):
    exe = _fake_appealwatch(tmp_path / dirname / "bin")
    unit = tmp_path / "appealwatch.service"
    unit.write_text(systemd.unit_text(str(exe)))
    _assert_verifies(unit, tmp_path)


@pytest.mark.parametrize("exe", ["appealwatch", "bin/appealwatch", "/opt/../bin/appealwatch",
                                 "/opt/bin/", '/opt/"x"/appealwatch', "/opt/it's/appealwatch",
                                 "/opt/a\\b/appealwatch", "/opt/a\nb/appealwatch",
                                 "/opt/a\tb/appealwatch"])
def test_unit_text_rejects_paths_systemd_cannot_run(exe):
    with pytest.raises(ValueError, match="path"):
        systemd.unit_text(exe)


def test_reference_unit_passes_systemd_analyze_verify(tmp_path):
    home = tmp_path / "home"
    _fake_appealwatch(home / ".local" / "bin")
    substituted = tmp_path / "appealwatch.service"
    substituted.write_text(REFERENCE_UNIT.read_text().replace("%h", str(home)))
    _assert_verifies(substituted, tmp_path)
    # and as shipped, with the manager resolving %h from $HOME
    _assert_verifies(REFERENCE_UNIT, tmp_path, home=home)


def test_reference_unit_matches_unit_text_apart_from_exec_start():
    reference = REFERENCE_UNIT.read_text()
    assert [line for line in reference.splitlines() if line.startswith("ExecStart=")] == [
        REFERENCE_EXEC_START]
    generated = systemd.unit_text("/opt/appealwatch/bin/appealwatch")
    assert "ExecStart=/opt/appealwatch/bin/appealwatch run\n" in generated
    assert generated.replace("ExecStart=/opt/appealwatch/bin/appealwatch run",
                             REFERENCE_EXEC_START) == reference


def _settings(text: str) -> dict[str, list[str]]:
    settings: dict[str, list[str]] = {}
    section = ""
    for line in text.splitlines():
        if line.startswith("["):
            section = line.strip("[]")
        elif line and not line.startswith("#"):
            key, _, value = line.partition("=")
            settings.setdefault(f"{section}.{key}", []).append(value)
    return settings


def test_reference_unit_settings():
    """What verify does not check: keys that exist but are wrong for a user manager."""
    s = _settings(REFERENCE_UNIT.read_text())
    expected = {
        "Service.Type": ["notify"], "Service.NotifyAccess": ["main"],
        "Service.ExecReload": ["/bin/kill -HUP $MAINPID"], "Service.Restart": ["on-failure"],
        "Service.RestartSec": ["10"], "Service.RestartPreventExitStatus": ["2"],
        "Service.WatchdogSec": ["120"], "Service.TimeoutStopSec": ["10"],
        "Service.KillMode": ["mixed"], "Service.Environment": ["PYTHONUNBUFFERED=1"],
        "Service.NoNewPrivileges": ["yes"], "Service.MemoryDenyWriteExecute": ["yes"],
        "Service.UMask": ["0077"], "Install.WantedBy": ["default.target"],
    }
    assert {k: s.get(k) for k in expected} == expected
    assert s["Unit.Description"] and s["Unit.Documentation"]
    deps = " ".join(s.get("Unit.After", []) + s.get("Unit.Wants", []) + s.get("Unit.Requires", []))
    assert "network" not in deps  # no network(-online).target in the user manager
    # settings that a user manager skips silently or that make the unit fail to start
    namespaced = {"ProtectSystem", "ProtectHome", "PrivateTmp", "PrivateDevices", "PrivateUsers",
                  "PrivateNetwork", "ProtectKernelTunables", "ProtectKernelModules",
                  "ProtectKernelLogs", "ProtectControlGroups", "ProtectClock", "ProtectHostname",
                  "ProtectProc", "ProcSubset", "CapabilityBoundingSet", "AmbientCapabilities",
                  "ReadOnlyPaths", "ReadWritePaths", "InaccessiblePaths", "User", "Group"}
    assert {k.partition(".")[2] for k in s} & namespaced == set()


# --- install_unit --------------------------------------------------------------------------------


@pytest.fixture
def restrictive_umask():
    old = os.umask(0o077)
    yield
    os.umask(old)


def test_install_unit_writes_to_xdg_config_home(tmp_path, monkeypatch, restrictive_umask):
    config = tmp_path / "cfg"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(config))
    exe = "/opt/appealwatch/bin/appealwatch"
    path = systemd.install_unit(exe)
    assert path == config / "systemd" / "user" / "appealwatch.service"
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    assert path.read_text() == systemd.unit_text(exe)
    assert "ExecStart=/opt/appealwatch/bin/appealwatch run\n" in path.read_text()
    assert [p.name for p in path.parent.iterdir()] == ["appealwatch.service"]  # no temp left


def test_install_unit_defaults_to_dot_config(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    path = systemd.install_unit("/usr/local/bin/appealwatch")
    assert path == tmp_path / ".config" / "systemd" / "user" / "appealwatch.service"
    assert path.is_file()


def test_install_unit_is_idempotent(tmp_path, restrictive_umask):
    exe = "/opt/appealwatch/bin/appealwatch"
    path = systemd.install_unit(exe, tmp_path / "units")
    os.utime(path, ns=(1_000_000_000, 1_000_000_000))
    before = path.stat()
    assert systemd.install_unit(exe, tmp_path / "units") == path
    after = path.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, 1_000_000_000)
    assert stat.S_IMODE(after.st_mode) == 0o644


def test_install_unit_replaces_a_different_unit(tmp_path):
    units = tmp_path / "units"
    units.mkdir()
    (units / "appealwatch.service").write_text("[Service]\nExecStart=/old/appealwatch run\n")
    (units / "appealwatch.service").chmod(0o600)
    path = systemd.install_unit("/new/bin/appealwatch", units)
    assert path.read_text() == systemd.unit_text("/new/bin/appealwatch")
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    # a changed executable path changes the file too
    systemd.install_unit("/newer/bin/appealwatch", units)
    assert "ExecStart=/newer/bin/appealwatch run\n" in path.read_text()


def test_install_unit_rejects_a_relative_executable(tmp_path):
    with pytest.raises(ValueError, match="absolute"):
        systemd.install_unit("appealwatch", tmp_path)
    assert not (tmp_path / "appealwatch.service").exists()


def test_enable_command():
    assert systemd.enable_command() == (
        "systemctl --user daemon-reload && systemctl --user enable --now appealwatch.service")
