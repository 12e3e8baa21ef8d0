"""Noticing that the machine slept, or that the network came back, so the service checks at once.

Connections that were open when a laptop's lid closed are usually dead when it opens (on another
network, or after the server gave up on them), yet nothing tells the process: a socket in IDLE
just stays quiet.  The signs, whichever comes first:

* the clocks, compared at every turn of the service loop: CLOCK_BOOTTIME ran ahead of
  CLOCK_MONOTONIC (the machine was suspended: only BOOTTIME counts that time), the loop woke far
  later than it asked to (the process was stopped, or its VM paused), or the wall clock jumped
  against the monotonic one;
* SIGCONT, the signal that continues a stopped process;
* on the system bus, where there is one: logind's ``PrepareForSleep(false)`` and NetworkManager
  reporting that it is connected again (``StateChanged``, or its ``Connectivity`` property).

``slept`` and ``bus_reason`` decide; ``SleepWatch`` and ``SystemBusWatch`` only listen, each in
a thread of its own, so that a worker blocked on a dead connection delays nothing.
"""

from __future__ import annotations

import contextlib
import logging
import os
import select
import signal
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

log = logging.getLogger("appealwatch.wake")

# more than this many seconds unaccounted for is a sleep (a busy machine delays a wake-up by far
# less; a suspend or a stop by far more)
SLACK_SECONDS = 10.0

LOGIND = "org.freedesktop.login1"
NM = "org.freedesktop.NetworkManager"
NM_CONNECTED_LOCAL = 50  # NMState: 50 local, 60 site, 70 global
NM_CONNECTIVITY_FULL = 4
SYSTEM_BUS_SOCKET = "/var/run/dbus/system_bus_socket"  # where there is no DBUS_SYSTEM_BUS_ADDRESS


class Bell:
    """Like ``threading.Event`` for one waiter, but safe to ring from a signal handler: ringing
    writes a byte to a pipe and takes no lock (an Event's lock, taken in a handler that
    interrupted the same thread holding it, would never be released)."""

    def __init__(self) -> None:
        self._read, self._write = os.pipe()
        os.set_blocking(self._read, False)
        os.set_blocking(self._write, False)

    def set(self) -> None:
        with contextlib.suppress(OSError):  # a full pipe has been rung already
            os.write(self._write, b"!")

    def wait(self, timeout: float | None = None) -> bool:
        return bool(select.select([self._read], [], [], timeout)[0])

    def clear(self) -> None:
        with contextlib.suppress(OSError):
            while os.read(self._read, 512):
                pass


@dataclass(frozen=True)
class Stamp:
    """The three clocks read together."""

    monotonic: float
    boot: float
    wall: float


def stamp() -> Stamp:
    boot = getattr(time, "CLOCK_BOOTTIME", None)
    mono = time.monotonic()
    return Stamp(mono, time.clock_gettime(boot) if boot is not None else mono, time.time())


def slept(before: Stamp, after: Stamp, budget: float | None = None, *,
          slack: float = SLACK_SECONDS) -> str | None:
    """Why the stretch between two stamps shows a sleep, or None.  ``budget``: the longest the
    process could have been busy or waiting in that stretch (the loop's wait), so that running
    longer means it was not running at all; None when the stretch had real work in it."""
    ran = after.monotonic - before.monotonic
    suspended = (after.boot - before.boot) - ran
    if suspended > slack:
        return f"the machine was suspended for {suspended:.0f} s"
    if budget is not None and ran - budget > slack:
        return f"the process did not run for {ran - budget:.0f} s"
    jump = (after.wall - before.wall) - ran
    if abs(jump) > slack:
        return f"the wall clock jumped {jump:+.0f} s"
    return None


def bus_reason(interface: str | None, member: str | None, body: tuple) -> str | None:
    """What a system-bus signal says about waking up, or None when it says nothing of it (the
    bus itself checks the sender: the match rules name logind and NetworkManager)."""
    if interface == f"{LOGIND}.Manager" and member == "PrepareForSleep":
        return "logind: the machine woke from sleep" if body == (False,) else None
    if interface == NM and member == "StateChanged":
        state = body[0] if body else 0
        return (f"NetworkManager: connected (state {state})"
                if isinstance(state, int) and state >= NM_CONNECTED_LOCAL else None)
    if (interface == "org.freedesktop.DBus.Properties" and member == "PropertiesChanged"
            and len(body) >= 2 and body[0] == NM and isinstance(body[1], dict)):
        value = body[1].get("Connectivity")
        if isinstance(value, tuple) and value[-1] == NM_CONNECTIVITY_FULL:
            return "NetworkManager: full connectivity"
    return None


class SleepWatch(threading.Thread):
    """Compares the clocks every ``every`` seconds, and hears SIGCONT at once, whichever thread
    the kernel hands it to: ``install()`` (from the main thread) makes Python's signal handler
    write the signal's number to a pipe this thread reads.  Calls ``on_wake(reason)``."""

    def __init__(self, on_wake: Callable[[str], None], every: float = 5.0) -> None:
        super().__init__(name="sleep-watch", daemon=True)
        self.on_wake = on_wake
        self.every = every
        self.stopping = threading.Event()
        self._read, self._write = os.pipe()
        os.set_blocking(self._read, False)
        os.set_blocking(self._write, False)
        self._previous: tuple[int, Any] | None = None

    def install(self) -> None:
        """Main thread only: SIGCONT (and every other signal with a Python handler) is written
        to this thread's pipe; SIGCONT gets a handler that does nothing else, so that it is
        written at all (the process is continued either way)."""
        fd = signal.set_wakeup_fd(self._write, warn_on_full_buffer=False)
        self._previous = (fd, signal.signal(signal.SIGCONT, lambda *_: None))

    def stop(self) -> None:
        """Main thread: end the thread, give the signals back, close the pipe."""
        self.stopping.set()
        with contextlib.suppress(OSError):
            os.write(self._write, b"\0")
        if self._previous is not None:
            fd, handler = self._previous
            signal.set_wakeup_fd(fd)
            signal.signal(signal.SIGCONT, handler)
            self._previous = None
        if self.is_alive():
            self.join(timeout=2.0)
        if not self.is_alive():
            os.close(self._read)
            os.close(self._write)

    def run(self) -> None:
        before = stamp()
        while not self.stopping.is_set():
            ready = select.select([self._read], [], [], self.every)[0]
            after = stamp()
            reasons = []
            if ready:
                with contextlib.suppress(OSError):
                    if signal.SIGCONT in os.read(self._read, 512):
                        reasons.append("continued after SIGSTOP")
            found = slept(before, after, self.every)
            if found is not None:
                reasons.append(found)
            before = after
            if reasons and not self.stopping.is_set():
                self.on_wake("; ".join(reasons))


class SystemBusWatch(threading.Thread):
    """Listens on the system bus (``DBUS_SYSTEM_BUS_ADDRESS``, else the usual socket) and calls
    ``on_wake(reason)`` for each signal that ``bus_reason`` takes for a wake-up.  Without a
    system bus it says so once and ends: the clocks and SIGCONT still work."""

    def __init__(self, on_wake: Callable[[str], None]) -> None:
        super().__init__(name="system-bus", daemon=True)
        self.on_wake = on_wake
        self.stopping = threading.Event()
        self._conn: Any = None

    def stop(self) -> None:
        self.stopping.set()
        conn = self._conn
        if conn is not None:
            with contextlib.suppress(OSError):
                conn.sock.shutdown(socket.SHUT_RDWR)  # ends a blocked receive at once

    def run(self) -> None:
        address = os.environ.get("DBUS_SYSTEM_BUS_ADDRESS")
        where = address or "the system bus"
        if not address and not os.path.exists(SYSTEM_BUS_SOCKET):
            log.info("no system bus (%s): a sleep is noticed by the clocks alone",
                     SYSTEM_BUS_SOCKET)
            return
        try:
            from jeepney import HeaderFields, MatchRule  # only where there is a bus
            from jeepney.bus_messages import message_bus
            from jeepney.io.blocking import Proxy, open_dbus_connection

            self._conn = open_dbus_connection(bus="SYSTEM")
            bus = Proxy(message_bus, self._conn, timeout=10)
            for sender, path, interface, member in (
                    (LOGIND, "/org/freedesktop/login1", f"{LOGIND}.Manager", "PrepareForSleep"),
                    (NM, "/org/freedesktop/NetworkManager", NM, "StateChanged"),
                    (NM, "/org/freedesktop/NetworkManager", "org.freedesktop.DBus.Properties",
                     "PropertiesChanged")):
                bus.AddMatch(MatchRule(type="signal", sender=sender, path=path,
                                       interface=interface, member=member))
        except Exception as exc:
            log.info("no wake-up signals from %s (%s: %s); a sleep is still noticed by the "
                     "clocks", where, type(exc).__name__, str(exc)[:120])
            self._close()
            return
        log.info("listening on %s for sleep and network signals", where)
        try:
            while not self.stopping.is_set():
                msg = self._conn.receive()
                fields = msg.header.fields
                reason = bus_reason(fields.get(HeaderFields.interface),
                                    fields.get(HeaderFields.member), tuple(msg.body or ()))
                if reason is not None:
                    self.on_wake(reason)
        except Exception as exc:
            if not self.stopping.is_set():
                log.warning("stopped listening on %s for wake-up signals (%s: %s)", where,
                            type(exc).__name__, str(exc)[:120])
        finally:
            self._close()

    def _close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(Exception):
                conn.close()
