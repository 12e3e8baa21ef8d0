"""The forked worker that takes message parsing to a second core during a large backfill."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

from tests.infra import poll

from appealwatch.offload import Offload, can_fork

PARENT = os.getpid()


def where(n: int) -> tuple[int, int]:
    return n * n, os.getpid()


def dies_in_worker(n: int) -> tuple[int, int]:
    if os.getpid() != PARENT and n == 3:
        os._exit(7)  # the worker process is killed in the middle of a call
    return n * n, os.getpid()


def test_calls_after_the_threshold_run_in_another_process_and_keep_their_order():
    with Offload(where, after=2, allowed=lambda: True) as offload:
        getters = [offload.submit(n) for n in range(8)]
        results = [get() for get in getters]
    assert [value for value, _pid in results] == [n * n for n in range(8)]
    pids = [pid for _value, pid in results]
    assert pids[:2] == [PARENT, PARENT]
    assert len(set(pids[2:])) == 1 and pids[2] != PARENT


def test_not_allowed_means_everything_here():
    with Offload(where, after=0, allowed=lambda: False) as offload:
        results = [get() for get in [offload.submit(n) for n in range(5)]]
    assert results == [(n * n, PARENT) for n in range(5)]


def test_a_worker_that_dies_loses_no_result():
    with Offload(dies_in_worker, after=0, allowed=lambda: True) as offload:
        getters = [offload.submit(n) for n in range(6)]
        results = [get() for get in getters]
        later = offload.submit(10)()
    assert [value for value, _pid in results] == [n * n for n in range(6)]
    assert results[3][1] == PARENT  # the call the worker died in was made again here
    assert later == (100, PARENT)  # and the worker is not started again


def test_only_one_worker_at_a_time():
    with Offload(where, after=0, allowed=lambda: True) as first:
        assert first.submit(1)()[1] != PARENT
        with Offload(where, after=0, allowed=lambda: True) as second:
            assert second.submit(2)() == (4, PARENT)
    with Offload(where, after=0, allowed=lambda: True) as third:  # the first one has ended
        assert third.submit(3)()[1] != PARENT


def test_no_fork_while_another_thread_runs():
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert not can_fork()
        with Offload(where, after=0) as offload:
            assert offload.submit(5)() == (25, PARENT)
    finally:
        stop.set()
        thread.join()


def test_the_worker_ends_when_its_parent_is_killed(tmp_path):
    # a parent killed with SIGKILL mid-call (a crash, the OOM killer) must not leave its worker
    # behind: it would wait for work forever and hold the parent's stdout open
    script = tmp_path / "parent.py"
    script.write_text(
        "import os, signal, sys, time\n"
        "from appealwatch.offload import Offload\n"
        "def slow(n):\n"
        "    time.sleep(60)\n"
        "    return n\n"
        "offload = Offload(os.getpid, after=0, allowed=lambda: True)\n"
        "print(offload.submit()(), flush=True)\n"
        "offload.function = slow\n"
        "offload.submit(1)\n"
        "time.sleep(0.5)\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n")
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          timeout=30, check=False)
    assert done.returncode == -signal.SIGKILL, done.stderr
    worker = int(done.stdout.split()[0])
    assert worker != os.getpid()
    assert poll(lambda: gone(worker), 10)


def gone(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except FileNotFoundError:
        return True
