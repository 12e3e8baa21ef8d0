"""`appealwatch run`: the long-lived service.  It only wires the pieces together.

* One IDLE watcher thread per watched folder (INBOX, spam, Sent) of each IMAP account; a watcher
  only flags its account as changed.  A Maildir account is looked at every ``maildir_poll``
  seconds.
* One worker — the main thread — runs every scan, so the state database has a single writer.
* The worker also keeps two timers: a tick every 30 s that notices follow-ups that have fallen
  due by the clock (a laptop waking from suspend included), and housekeeping every 15 minutes.
  Due dates live in the state database, not in a timer, so they survive restarts.  (The
  timers were APScheduler's; two intervals in the loop that waits anyway cost no thread, and
  its import was 3 MB of the idle service's memory.)
* What time it is comes from one ``Clock`` (appealwatch.clock): the wall clock, or with
  ``run --now/--time-scale`` a simulated one.  The timers' real intervals are the clock's
  30 s and 15 min divided by its scale (with a floor), so a fast clock is checked as often in
  clock time as the wall clock is.
* After a sleep (appealwatch.wake: the clocks, SIGCONT, logind's PrepareForSleep(false), or
  NetworkManager connected again) every IDLE watcher proves its connection alive with a NOOP
  at once or replaces it, the fetching connections are replaced, and every account is scanned:
  mail above each folder's checkpoint, follow-ups and deadlines that fell due meanwhile.
* SIGTERM/SIGINT stop it cleanly; SIGHUP reloads the configuration; systemd gets READY, STATUS
  and WATCHDOG notifications.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from appealwatch.clock import Clock
from appealwatch.config import Config, ConfigError, load_config
from appealwatch.systemd import sd_notify, watchdog_interval
from appealwatch.wake import Bell, SleepWatch, SystemBusWatch

log = logging.getLogger("appealwatch.service")

TICK_SECONDS = 30.0
HOUSEKEEPING_MINUTES = 15
# a fast simulated clock still leaves this much real time between two runs of a timer
TICK_FLOOR_SECONDS = 0.2
HOUSEKEEPING_FLOOR_SECONDS = 2.0


class Service:
    def __init__(self, config_path: str | None, *, build: Callable[[Config], Any],
                 maildir_poll: float = 60.0, tick: float = TICK_SECONDS,
                 clock: Clock | None = None) -> None:
        """``build(config)`` returns (engine, watchers): the CLI supplies it, with an engine
        that reads the same ``clock``."""
        self.clock = clock or Clock()
        self.config_path = config_path
        self.build = build
        self.maildir_poll = maildir_poll
        self.tick_seconds = tick
        self.wake = Bell()  # rung by threads and signal handlers; the worker waits on it
        self.stopping = threading.Event()
        self.reload_wanted = threading.Event()
        self.dirty: set[str] = set()
        self.hints: dict[str, set[str]] = {}  # account -> the folders (roles) seen to change
        self.actions: list[tuple[int, str]] = []
        self.dirty_lock = threading.Lock()
        self.config: Config | None = None
        self.engine: Any = None
        self.watchers: list[Any] = []
        self.timers: list[Timer] = []
        self.scans = 0
        self.woke_because: deque[str] = deque()  # appended to without a lock

    # -------------------------------------------------------------- signals from elsewhere

    def changed(self, account: str, role: str = "") -> None:
        """Called from watcher threads and timers: something may be new for this account (in
        the folder with this role, when a watcher says which: that one is looked at first)."""
        with self.dirty_lock:
            self.dirty.add(account)
            if role:
                self.hints.setdefault(account, set()).add(role)
        self.wake.set()

    def queue_action(self, case_id: int, key: str) -> None:
        """Called from the notification listener thread: a click, to be handled by the worker."""
        with self.dirty_lock:
            self.actions.append((case_id, key))
        self.wake.set()

    def woke(self, reason: str) -> None:
        """From the threads that watch for it: the machine (or the process) slept, or the
        network came back.  A scan waiting on a connection that died meanwhile is cut short
        at once (it goes on over a new connection)."""
        self.woke_because.append(reason)
        self.wake.set()
        # the nudges run on a thread of their own: the caller (the system-bus listener, the
        # sleep watch) goes straight back to listening, whatever a dying socket does
        threading.Thread(target=self._nudge_all, name="wake-nudge", daemon=True).start()

    def _nudge_all(self) -> None:
        for watcher in list(self.watchers):
            watcher.nudge()
        for source in getattr(self.engine, "sources", ()):
            interrupt = getattr(source, "interrupt", None)
            if interrupt is not None:
                interrupt()
        self.wake.set()

    def stop(self, *_args: object) -> None:
        self.stopping.set()
        self.wake.set()

    def request_reload(self, *_args: object) -> None:
        self.reload_wanted.set()
        self.wake.set()

    # -------------------------------------------------------------- life cycle

    def start(self, config: Config) -> None:
        self.config = config
        self.engine, self.watchers = self.build(config)
        for watcher in self.watchers:
            watcher.start()
        tick = self.clock.real_seconds(self.tick_seconds, floor=TICK_FLOOR_SECONDS)
        housekeeping = self.clock.real_seconds(HOUSEKEEPING_MINUTES * 60.0,
                                               floor=HOUSEKEEPING_FLOOR_SECONDS)
        self.timers = [Timer(tick, self._tick), Timer(housekeeping, self._housekeeping)]
        self._all_dirty()

    def _run_timers(self) -> None:
        """Run the timers that are due, each once however late (missed runs are not repeated)."""
        for timer in self.timers:
            if timer.due():
                try:
                    timer.action()
                except Exception as exc:  # a timer failing must not end the service
                    log.warning("timer %s failed: %s: %s", timer.action.__name__,
                                type(exc).__name__, exc)

    def _next_timer(self) -> float:
        """Seconds until the next timer is due."""
        return min((t.left() for t in self.timers), default=5.0)

    def shutdown(self) -> None:
        self.timers = []
        for watcher in self.watchers:
            watcher.stop()
        for watcher in self.watchers:
            watcher.join(timeout=2.0)
        self.watchers = []
        if self.engine is not None:
            self.engine.close()
            self.engine = None

    def _all_dirty(self) -> None:
        for source in self.engine.sources:
            self.changed(source.account)

    def _tick(self) -> None:
        """Clock check: a follow-up that fell due (also while suspended) gets done now."""
        now = self.clock.now()
        due = self.engine.store_due_accounts(now) if self.engine else []
        for account in due:
            self.changed(account)
        if self.engine:
            for source in self.engine.sources:
                if source.kind == "maildir":
                    self.changed(source.account)

    def _after_sleep(self, reasons: list[str]) -> None:
        """The watchers were nudged to prove their connections (``woke``); the fetching
        connections are replaced, and every account is looked at (new mail, follow-ups and
        deadlines that fell due meanwhile)."""
        log.info("woke up (%s): checking every connection and folder", "; ".join(
            dict.fromkeys(reasons)))
        for source in self.engine.sources:
            drop = getattr(source, "drop_connection", None)
            if drop is not None:
                drop()
        self._all_dirty()

    def _housekeeping(self) -> None:
        self._all_dirty()

    def _reload(self) -> None:
        self.reload_wanted.clear()
        try:
            config = load_config(self.config_path)
        except ConfigError as exc:
            log.error("not reloading: the new configuration has problems:\n%s", exc.describe())
            return
        log.info("reloading the configuration")
        self.shutdown()
        self.start(config)

    def run(self) -> int:
        config = load_config(self.config_path)  # ConfigError -> exit 2 in the CLI
        previous = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT,
                                                             signal.SIGHUP)}
        signal.signal(signal.SIGTERM, self.stop)
        signal.signal(signal.SIGINT, self.stop)
        signal.signal(signal.SIGHUP, self.request_reload)
        sleep_watch, bus = SleepWatch(self.woke), SystemBusWatch(self.woke)
        sleep_watch.install()
        sleep_watch.start()
        bus.start()
        try:
            if self.clock.simulated:
                log.info("%s", self.clock.describe())
            self.start(config)
            sd_notify("READY=1", "STATUS=watching " + ", ".join(
                s.account for s in self.engine.sources))
            interval = watchdog_interval()
            last_ping = time.monotonic()
            while not self.stopping.is_set():
                self.wake.wait(timeout=max(0.0, min(5.0, interval or 5.0, self._next_timer())))
                self.wake.clear()
                if self.stopping.is_set():
                    break
                self._run_timers()
                if self.reload_wanted.is_set():
                    sd_notify("RELOADING=1")
                    self._reload()
                    sd_notify("READY=1")
                reasons = []
                while self.woke_because:
                    reasons.append(self.woke_because.popleft())
                if reasons:
                    self._after_sleep(reasons)
                with self.dirty_lock:
                    accounts, self.dirty = self.dirty, set()
                    hints, self.hints = self.hints, {}
                    actions, self.actions = self.actions, []
                for case_id, key in actions:
                    try:
                        log.info("notification action: %s", self.engine.handle_action(case_id,
                                                                                    key))
                    except Exception as exc:
                        log.warning("notification action %s on case %s failed: %s", key,
                                    case_id, exc)
                    self.changed(next(iter(s.account for s in self.engine.sources)))
                if accounts:
                    self._scan(accounts, hints)
                if interval and time.monotonic() - last_ping >= interval:
                    sd_notify("WATCHDOG=1")
                    last_ping = time.monotonic()
            sd_notify("STOPPING=1")
            return 0
        finally:
            bus.stop()
            sleep_watch.stop()
            self.shutdown()
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def _scan(self, accounts: set[str], hints: dict[str, set[str]] | None = None) -> None:
        try:
            report = self.engine.scan(accounts=accounts, hints=hints)
        except Exception as exc:  # a scan failing (server gone) must not end the service
            log.warning("scan of %s failed: %s: %s; retrying shortly", ", ".join(sorted(
                accounts)), type(exc).__name__, exc)
            log.debug("scan failure", exc_info=True)
            retry = threading.Timer(10.0, lambda: [self.changed(a) for a in accounts])
            retry.daemon = True  # a retry still waiting must not hold up the exit
            retry.start()
            return
        self.scans += 1
        if report.seen or report.notifications:
            log.info("scan: %d new message(s), %d case(s) opened, %d draft(s), %d "
                     "notification(s)", report.seen, report.cases_opened,
                     report.drafts_written, report.notifications)
        sd_notify(f"STATUS=last scan {self.clock.now():%Y-%m-%d %H:%M:%S} UTC, {report.seen} new")


class Timer:
    """Runs ``action`` every ``interval`` seconds of the monotonic clock, from the worker's loop:
    ``due()`` says whether it is time (and schedules the next run), ``left()`` how long to wait."""

    def __init__(self, interval: float, action: Callable[[], None]) -> None:
        self.interval, self.action = interval, action
        self.next = time.monotonic() + interval

    def left(self) -> float:
        return self.next - time.monotonic()

    def due(self) -> bool:
        now = time.monotonic()
        if now < self.next:
            return False
        self.next = now + self.interval
        return True
