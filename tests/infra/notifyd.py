"""Real desktop notifications, headless: Xvfb + a private D-Bus session bus + dunst.

``NotificationSession(tmpdir)`` starts everything, records every ``Notify`` call with
``busctl monitor`` (history has no urgency or hints), and reads dunst's history with dunstctl.
See RECIPES.md section 2.
"""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import (
    InfraSetupError,
    child_processes,
    require_tools,
    send_signal,
    stop_process,
    wait_dead,
    wait_for,
)

NOTIFICATIONS_NAME = "org.freedesktop.Notifications"
NOTIFY_MATCH = f"type=method_call,interface={NOTIFICATIONS_NAME},member=Notify"
_MONITOR_READY = "Monitoring bus message stream."
_TOOLS = ("Xvfb", "dbus-daemon", "dunst", "dunstctl", "dbus-send", "busctl", "notify-send")

DUNSTRC = """\
[global]
    history_length = 10000
    notification_limit = 0
    idle_threshold = 0
    show_indicators = no
    dmenu = {menu}
"""
# dunst's context menu pipes one line per action into "dmenu", e.g.
# "#Snooze 1 day (Appeal #123) [7,snooze]", and invokes the line printed back. This
# stand-in prints the line containing the wanted "[ID,KEY]" (from the choice file).
MENU_SCRIPT = """\
#!/bin/sh
want=$(cat '{choice}' 2>/dev/null)
input=$(cat)
printf '%s\\n' "$input" > '{offered}.tmp' && mv '{offered}.tmp' '{offered}'
[ -n "$want" ] && printf '%s\\n' "$input" | grep -F -- "$want" | head -n 1
exit 0
"""


@dataclass(frozen=True)
class NotifyCall:
    """One org.freedesktop.Notifications.Notify call as seen on the bus."""

    app: str
    replaces_id: int
    icon: str
    summary: str
    body: str
    actions: list[str]
    hints: dict[str, Any]
    expire_timeout: int
    sender: str
    id: int | None = None  # the server's reply, when it was seen
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def urgency(self) -> int | None:
        """0 low, 1 normal, 2 critical; None when the caller sent no urgency hint."""
        value = self.hints.get("urgency")
        return None if value is None else int(value)

    @property
    def category(self) -> str | None:
        return self.hints.get("category")

    @property
    def action_pairs(self) -> list[tuple[str, str]]:
        """[(key, label), ...] from the flat actions list."""
        return list(zip(self.actions[::2], self.actions[1::2], strict=False))


def _read_lines(fd: int, count: int, timeout: float, what: str) -> list[str]:
    """Read ``count`` newline-terminated lines from a pipe fd, with a deadline."""
    buf = b""
    deadline = time.monotonic() + timeout
    while buf.count(b"\n") < count:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            raise TimeoutError(f"timed out after {timeout:.1f} s waiting for {what}")
        chunk = os.read(fd, 4096)
        if not chunk:
            raise RuntimeError(f"{what}: pipe closed early (got {buf!r})")
        buf += chunk
    return buf.decode().splitlines()[:count]


def _flatten(variant_dict: dict[str, Any]) -> dict[str, Any]:
    """busctl/dunstctl JSON gives {"key": {"type": "s", "data": v}}; keep only v."""
    return {
        k: (v["data"] if isinstance(v, dict) and "data" in v else v)
        for k, v in variant_dict.items()
    }


class NotificationSession:
    """Xvfb + private session bus + dunst + a ``busctl monitor`` recorder.

    Use as a context manager. ``env`` holds DISPLAY and DBUS_SESSION_BUS_ADDRESS; pass
    ``session.environ()`` to subprocesses that should notify.
    """

    def __init__(self, tmpdir: str | os.PathLike[str], timeout: float = 10.0) -> None:
        self.dir = Path(tmpdir)
        self.timeout = timeout
        self.env: dict[str, str] = {}
        self.display = ""
        self.bus_address = ""
        self.bus_pid = 0
        self.server_name = ""  # dunst's unique bus name, e.g. ":1.0"
        self._procs: dict[str, subprocess.Popen[bytes]] = {}
        self._tools: dict[str, str] = {}

    # ----------------------------------------------------------------- paths
    @property
    def calls_path(self) -> Path:
        return self.dir / "notify-calls.jsonl"

    @property
    def _menu_choice(self) -> Path:
        return self.dir / "menu-choice"

    @property
    def _menu_offered(self) -> Path:
        return self.dir / "menu-offered"

    def log_tail(self, lines: int = 20) -> str:
        out = []
        for path in sorted(self.dir.glob("*.log")):
            text = path.read_text(errors="replace").splitlines()[-lines:]
            out.append(f"--- {path.name}\n" + "\n".join(text))
        return "\n".join(out)

    def environ(self) -> dict[str, str]:
        """os.environ plus this session's DISPLAY and DBUS_SESSION_BUS_ADDRESS."""
        return {**os.environ, **self.env}

    # ----------------------------------------------------------------- lifecycle
    def _spawn(self, name: str, args: list[str], **kw: Any) -> subprocess.Popen[bytes]:
        with (self.dir / f"{name}.log").open("ab") as log:
            proc = subprocess.Popen(
                args,
                stdin=subprocess.DEVNULL,
                stdout=kw.pop("stdout", log),
                stderr=log,
                start_new_session=True,
                **kw,
            )
        self._procs[name] = proc
        return proc

    def _check_alive(self, name: str) -> None:
        proc = self._procs[name]
        if proc.poll() is not None:
            raise RuntimeError(
                f"{name} exited early with status {proc.returncode}\n{self.log_tail()}"
            )

    def start(self) -> NotificationSession:
        self._tools = require_tools(*_TOOLS)
        try:
            import jeepney  # noqa: F401
        except ImportError as exc:
            raise InfraSetupError(
                "python package jeepney is missing: python -m pip install jeepney"
            ) from exc
        self.dir.mkdir(parents=True, exist_ok=True)
        try:
            self._start_xvfb()
            self._start_bus()
            self._start_dunst()
            self._start_monitor()
        except BaseException:
            self.close()
            raise
        return self

    def _start_xvfb(self) -> None:
        r, w = os.pipe()
        try:
            self._spawn(
                "xvfb",
                [
                    self._tools["Xvfb"],
                    "-displayfd",
                    str(w),
                    "-screen",
                    "0",
                    "800x600x24",
                    "-nolisten",
                    "tcp",
                ],
                pass_fds=(w,),
            )
            os.close(w)
            w = -1
            (number,) = _read_lines(r, 1, self.timeout, "Xvfb -displayfd")
        finally:
            os.close(r)
            if w >= 0:
                os.close(w)
        self.display = f":{number.strip()}"
        self.env["DISPLAY"] = self.display

    def _start_bus(self) -> None:
        # Xvfb first: a D-Bus-activated service then inherits DISPLAY from the bus.
        # Two pipes: dbus-daemon closes the --print-address fd after writing to it.
        (ra, wa), (rp, wp) = os.pipe(), os.pipe()
        try:
            self._spawn(
                "dbus-daemon",
                [
                    self._tools["dbus-daemon"],
                    "--session",
                    "--nofork",
                    "--nopidfile",
                    f"--print-address={wa}",
                    f"--print-pid={wp}",
                ],
                pass_fds=(wa, wp),
                env={**os.environ, "DISPLAY": self.display},
            )
            os.close(wa)
            os.close(wp)
            wa = wp = -1
            (address,) = _read_lines(ra, 1, self.timeout, "dbus-daemon --print-address")
            (pid,) = _read_lines(rp, 1, self.timeout, "dbus-daemon --print-pid")
        finally:
            for fd in (ra, rp, wa, wp):
                if fd >= 0:
                    os.close(fd)
        self.bus_address, self.bus_pid = address.strip(), int(pid)
        self.env["DBUS_SESSION_BUS_ADDRESS"] = self.bus_address

    def _start_dunst(self) -> None:
        menu = self.dir / "menu-pick"
        menu.write_text(MENU_SCRIPT.format(choice=self._menu_choice, offered=self._menu_offered))
        menu.chmod(0o755)
        rc = self.dir / "dunstrc"
        rc.write_text(DUNSTRC.format(menu=menu))
        self._spawn("dunst", [self._tools["dunst"], "-config", str(rc)], env=self.environ())

        # Readiness by NameHasOwner: calling org.freedesktop.Notifications itself would
        # D-Bus-activate a second dunst.
        def owner() -> str | None:
            self._check_alive("dunst")
            return (
                self._bus_call("GetNameOwner", NOTIFICATIONS_NAME)
                if self._bus_call("NameHasOwner", NOTIFICATIONS_NAME)
                else None
            )

        self.server_name = wait_for(owner, self.timeout, "dunst to own " + NOTIFICATIONS_NAME)

    def _bus_call(self, method: str, *args: Any) -> Any:
        from jeepney.bus_messages import message_bus
        from jeepney.io.blocking import Proxy, open_dbus_connection

        with open_dbus_connection(bus=self.bus_address) as conn:
            (result,) = getattr(Proxy(message_bus, conn, timeout=5), method)(*args)
        return result

    def _start_monitor(self) -> None:
        with self.calls_path.open("ab") as out:
            self._spawn(
                "busctl-monitor",
                [
                    self._tools["busctl"],
                    "--user",
                    "monitor",
                    "--json=short",
                    "--match",
                    NOTIFY_MATCH,
                    "--match",
                    f"type=method_return,sender={self.server_name}",
                ],
                stdout=out,
                env=self.environ(),
            )
        log = self.dir / "busctl-monitor.log"

        def ready() -> bool:
            self._check_alive("busctl-monitor")
            return log.exists() and _MONITOR_READY in log.read_text(errors="replace")

        wait_for(ready, self.timeout, "busctl monitor to start")

    def close(self) -> None:
        """Stop everything, including anything the bus activated. Safe to call twice."""
        for name in ("busctl-monitor", "dunst"):
            stop_process(self._procs.pop(name, None))
        bus = self._procs.pop("dbus-daemon", None)
        if bus is not None:
            activated = child_processes(bus.pid)
            for pid in activated:
                send_signal(pid, signal.SIGTERM)
            stop_process(bus)
            for pid in wait_dead(activated, 3):
                send_signal(pid, signal.SIGKILL)
        stop_process(self._procs.pop("xvfb", None))
        for proc in self._procs.values():
            stop_process(proc)
        self._procs.clear()

    def __enter__(self) -> NotificationSession:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ----------------------------------------------------------------- observing
    def calls(self) -> list[NotifyCall]:
        """Every Notify call recorded so far, oldest first, with the id dunst returned."""
        if not self.calls_path.exists():
            return []
        calls: list[dict[str, Any]] = []
        replies: dict[tuple[str, int], int] = {}
        for line in self.calls_path.read_text().splitlines():
            try:
                msg = json.loads(line)
            except json.JSONDecodeError:
                continue  # a line still being written
            if msg.get("type") == "method_call" and msg.get("member") == "Notify":
                calls.append(msg)
            elif msg.get("type") == "method_return" and msg["payload"]["type"] == "u":
                replies[(msg.get("destination", ""), msg["reply_cookie"])] = msg["payload"]["data"][
                    0
                ]
        result = []
        for msg in calls:
            app, replaces, icon, summary, body, actions, hints, expire = msg["payload"]["data"]
            result.append(
                NotifyCall(
                    app=app,
                    replaces_id=replaces,
                    icon=icon,
                    summary=summary,
                    body=body,
                    actions=list(actions),
                    hints=_flatten(hints),
                    expire_timeout=expire,
                    sender=msg.get("sender", ""),
                    id=replies.get((msg.get("sender", ""), msg["cookie"])),
                    raw=msg,
                )
            )
        return result

    def wait_for_calls(self, count: int = 1, timeout: float = 5.0) -> list[NotifyCall]:
        """Wait until at least ``count`` Notify calls (with their replies) were recorded."""

        def enough() -> list[NotifyCall] | None:
            calls = self.calls()
            done = len(calls) >= count and all(c.id is not None for c in calls[:count])
            return calls if done else None

        return wait_for(enough, timeout, f"{count} Notify call(s) on the bus")

    def dunstctl(self, *args: str) -> str:
        proc = subprocess.run(
            [self._tools.get("dunstctl", "dunstctl"), *args],
            env=self.environ(),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
        if proc.returncode != 0:
            raise RuntimeError(f"dunstctl {' '.join(args)} failed: {proc.stderr.strip()}")
        return proc.stdout

    def history(self) -> list[dict[str, Any]]:
        """All notifications dunst knows, newest first, as flat dicts (summary, body,
        appname, category, id, timeout in µs, ...). History lists only closed or expired
        notifications, so this closes all displayed ones first. It has no urgency: use
        ``calls()`` for urgency and hints."""
        self.dunstctl("close-all")
        data = json.loads(self.dunstctl("history"))
        return [_flatten(entry) for entry in data["data"][0]]

    def displayed_count(self) -> int:
        return int(self.dunstctl("count", "displayed").strip())

    def invoke_action(
        self,
        notification_id: int | None = None,
        action: str = "default",
        timeout: float = 5.0,
    ) -> list[str]:
        """Invoke an action as if the user clicked it; the sender then receives
        ``ActionInvoked(id, action)``.

        Without ``notification_id``: ``dunstctl action 0``, the default action of the first
        displayed notification (dunst 1.9 addresses it by position, not by id). With an id:
        dunst's context menu (``dunstctl context``), answered by a stand-in for dmenu that
        picks ``[id,action]``; works for any action of any displayed notification.
        Returns the menu lines dunst offered (empty for the first form).
        """
        if notification_id is None:
            if action != "default":
                raise ValueError("a non-default action needs notification_id")
            self.dunstctl("action", "0")
            return []
        want = f"[{notification_id},{action}]"
        self._menu_offered.unlink(missing_ok=True)
        self._menu_choice.write_text(want)
        try:
            self.dunstctl("context")

            def offered() -> list[str] | None:
                if not self._menu_offered.exists():
                    return None
                return self._menu_offered.read_text().splitlines()

            lines = wait_for(offered, timeout, "dunst to open its context menu")
        finally:
            self._menu_choice.write_text("")
        if not any(line.endswith(want) for line in lines):
            raise LookupError(f"dunst offered no {want} action; menu was: {lines}")
        return lines
