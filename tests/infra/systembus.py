"""A private bus configured like the system bus, with stand-ins for logind and NetworkManager.

``SystemBus(tmpdir)`` starts a ``dbus-daemon`` from a generated configuration of type
``system`` (its own socket under ``tmpdir``; nothing of /etc/dbus-1 is read).  A program under
test finds it through ``DBUS_SYSTEM_BUS_ADDRESS`` (``env``).  ``prepare_for_sleep(False)`` and
``network_state(70)`` send the signals logind and NetworkManager send, from a connection that
owns their well-known names, as theirs do.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Any

from . import require_tools, stop_process
from .notifyd import _read_lines

CONFIG = """\
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path={socket}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_destination="*"/>
    <allow send_type="signal"/>
    <allow receive_type="method_call"/>
    <allow receive_type="method_return"/>
    <allow receive_type="error"/>
    <allow receive_type="signal"/>
  </policy>
</busconfig>
"""

LOGIND = "org.freedesktop.login1"
NETWORK_MANAGER = "org.freedesktop.NetworkManager"


class SystemBus:
    def __init__(self, tmpdir: str | os.PathLike[str], timeout: float = 10.0) -> None:
        self.dir = Path(tmpdir)
        self.timeout = timeout
        self.address = ""
        self._proc: Any = None
        self._conns: dict[str, Any] = {}

    @property
    def env(self) -> dict[str, str]:
        return {**os.environ, "DBUS_SYSTEM_BUS_ADDRESS": self.address}

    def start(self) -> SystemBus:
        import subprocess

        (tool,) = require_tools("dbus-daemon").values()
        self.dir.mkdir(parents=True, exist_ok=True)
        config = self.dir / "system.conf"
        config.write_text(CONFIG.format(socket=self.dir / "system_bus_socket"))
        with (self.dir / "dbus-daemon.log").open("ab") as log:
            self._proc = subprocess.Popen(
                [tool, f"--config-file={config}", "--nofork", "--nopidfile", "--print-address"],
                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=log,
                start_new_session=True)
        (address,) = _read_lines(self._proc.stdout.fileno(), 1, self.timeout,
                                 "dbus-daemon --print-address")
        self.address = address.strip()
        return self

    def _as(self, name: str) -> Any:
        """A connection that owns ``name`` (made once)."""
        from jeepney.bus_messages import message_bus
        from jeepney.io.blocking import Proxy, open_dbus_connection

        if name not in self._conns:
            conn = open_dbus_connection(bus=self.address)
            (answer,) = Proxy(message_bus, conn, timeout=5).RequestName(name)
            assert answer == 1, f"could not own {name} on the test system bus ({answer})"
            self._conns[name] = conn
        return self._conns[name]

    def _emit(self, name: str, path: str, interface: str, member: str, signature: str,
              body: tuple) -> None:
        from jeepney import DBusAddress, new_signal

        self._as(name).send_message(new_signal(DBusAddress(path, interface=interface), member,
                                               signature, body))

    def prepare_for_sleep(self, start: bool) -> None:
        """logind's ``PrepareForSleep(b)``: True before a sleep, False after waking."""
        self._emit(LOGIND, "/org/freedesktop/login1", f"{LOGIND}.Manager", "PrepareForSleep",
                   "b", (start,))

    def network_state(self, state: int) -> None:
        """NetworkManager's ``StateChanged(u)`` (70: connected, with full connectivity)."""
        self._emit(NETWORK_MANAGER, "/org/freedesktop/NetworkManager", NETWORK_MANAGER,
                   "StateChanged", "u", (state,))

    def close(self) -> None:
        for conn in self._conns.values():
            with contextlib.suppress(Exception):
                conn.close()
        self._conns.clear()
        stop_process(self._proc)
        if self._proc is not None and self._proc.stdout is not None:
            self._proc.stdout.close()
        self._proc = None

    def __enter__(self) -> SystemBus:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()
