"""What counts as a sleep (appealwatch.wake): the clocks, and the system bus's signals."""

from __future__ import annotations

import os
import signal
import threading
import time

from appealwatch.wake import Bell, SleepWatch, Stamp, bus_reason, slept, stamp


def at(monotonic: float, boot: float, wall: float) -> Stamp:
    return Stamp(monotonic, boot, wall)


START = at(1000.0, 1100.0, 1_800_000_000.0)


def test_a_turn_of_the_loop_that_took_as_long_as_it_asked_is_no_sleep():
    assert slept(START, at(1005.0, 1105.0, 1_800_000_005.0), 5.0) is None
    # a busy machine wakes the loop a few seconds late: still no sleep
    assert slept(START, at(1012.0, 1112.0, 1_800_000_012.0), 5.0) is None


def test_a_suspend_shows_as_boot_time_running_ahead_of_monotonic_time():
    # the loop asked for 5 s, monotonic time moved 5 s, an hour passed asleep
    reason = slept(START, at(1005.0, 4705.0, 1_800_003_605.0), 5.0)
    assert reason == "the machine was suspended for 3600 s"
    # also across a stretch of work, whose length says nothing
    assert slept(START, at(1300.0, 5000.0, 1_800_003_900.0)) == (
        "the machine was suspended for 3600 s")


def test_a_stopped_process_shows_as_a_wait_far_longer_than_asked():
    reason = slept(START, at(1065.0, 1165.0, 1_800_000_065.0), 5.0)
    assert reason == "the process did not run for 60 s"
    # the same stretch with work in it (no budget) is not a sleep
    assert slept(START, at(1065.0, 1165.0, 1_800_000_065.0)) is None


def test_a_wall_clock_jump_either_way_counts_beyond_the_slack():
    assert slept(START, at(1005.0, 1105.0, 1_800_000_125.0), 5.0) == (
        "the wall clock jumped +120 s")
    assert slept(START, at(1005.0, 1105.0, 1_799_999_885.0), 5.0) == (
        "the wall clock jumped -120 s")
    assert slept(START, at(1005.0, 1105.0, 1_800_000_014.0), 5.0) is None


def test_the_real_clocks_read_together_show_no_sleep():
    first = stamp()
    time.sleep(0.05)
    second = stamp()
    assert 0.04 < second.monotonic - first.monotonic < 5
    assert slept(first, second, 0.05) is None


def test_only_logind_waking_and_networkmanager_connecting_count():
    manager = "org.freedesktop.login1.Manager"
    assert bus_reason(manager, "PrepareForSleep", (False,)) == (
        "logind: the machine woke from sleep")
    assert bus_reason(manager, "PrepareForSleep", (True,)) is None  # going to sleep
    assert bus_reason(manager, "PrepareForShutdown", (False,)) is None
    nm = "org.freedesktop.NetworkManager"
    assert bus_reason(nm, "StateChanged", (70,)) == "NetworkManager: connected (state 70)"
    assert bus_reason(nm, "StateChanged", (50,)) == "NetworkManager: connected (state 50)"
    for lost in (20, 30, 40):  # disconnected, disconnecting, connecting
        assert bus_reason(nm, "StateChanged", (lost,)) is None
    props = "org.freedesktop.DBus.Properties"
    assert bus_reason(props, "PropertiesChanged", (nm, {"Connectivity": ("u", 4)}, [])) == (
        "NetworkManager: full connectivity")
    assert bus_reason(props, "PropertiesChanged", (nm, {"Connectivity": ("u", 2)}, [])) is None
    assert bus_reason(props, "PropertiesChanged", (nm, {"WirelessEnabled": ("b", True)},
                                                   [])) is None
    assert bus_reason(props, "PropertiesChanged", ("org.example", {"Connectivity": ("u", 4)},
                                                   [])) is None


def test_a_bell_rung_from_a_signal_handler_wakes_its_waiter():
    bell = Bell()
    assert not bell.wait(0.01)
    previous = signal.signal(signal.SIGUSR1, lambda *_: bell.set())
    try:
        timer = threading.Timer(0.1, os.kill, (os.getpid(), signal.SIGUSR1))
        timer.start()
        t0 = time.monotonic()
        assert bell.wait(5.0)
        assert time.monotonic() - t0 < 2.0
        timer.join()
    finally:
        signal.signal(signal.SIGUSR1, previous)
    bell.clear()
    assert not bell.wait(0.01)
    for _ in range(100_000):  # rung far more often than the pipe holds: never blocks
        bell.set()
    assert bell.wait(0)
    bell.clear()
    assert not bell.wait(0)


def test_sigcont_is_heard_by_the_sleep_watch_whichever_thread_it_reaches():
    woke: list[str] = []
    heard = threading.Event()

    def on_wake(reason: str) -> None:
        woke.append(reason)
        heard.set()

    watch = SleepWatch(on_wake, every=30.0)
    previous = signal.getsignal(signal.SIGCONT)
    watch.install()
    watch.start()
    try:
        # sent while this thread is busy waiting (as the daemon's worker waits on a socket):
        # the watch hears it from the signal's wakeup pipe, not from this thread
        threading.Timer(0.1, os.kill, (os.getpid(), signal.SIGCONT)).start()
        assert heard.wait(5.0)
    finally:
        watch.stop()
    assert woke == ["continued after SIGSTOP"]
    assert not watch.is_alive()
    assert signal.getsignal(signal.SIGCONT) is previous
