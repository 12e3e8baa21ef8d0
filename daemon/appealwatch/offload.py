"""Calls of one pure function moved to a second CPU core when there are many of them.

A first scan of a large mailbox parses and classifies a few hundred message bodies while the
IMAP source is still reading the headers of thousands of others; both are Python work, so in one
process they take turns.  ``Offload`` runs the function in one worker process, forked from this
one (so it starts at once and has the compiled rules without copying them), once a pass has
asked for enough calls to be worth it.  Everyday mail, a message or two at a time, never forks.

How the calls travel, and why not ``concurrent.futures.ProcessPoolExecutor``: the pool hands
each call to its worker through two threads of this process, and this process is busy reading
mail, so those threads wait for the interpreter lock while the worker waits for them (measured:
a 20,000-message scan took 1.6 s with it, 1.3 s without any worker).  A plain pipe does not do
either: a message is larger than the pipe's buffer, so the sender waits until the worker has
finished its previous call.  Here a call's pickled arguments are copied into a ring of memory
shared with the worker, and only their place in the ring (16 bytes) goes through the pipe: a
call costs the caller one copy.  Answers come back through a second pipe, read when they are
needed.  At most ``MAX_PENDING`` calls are outstanding; the ring is reused as answers arrive.

The worker is only used where forking is safe and useful: Linux, more than one usable core, and
no other thread in this process (forking a threaded process can deadlock the child; the daemon,
which has watcher threads, computes in-process).  The worker ends when its pipe closes, or with
this process if it is killed.  Anything that goes wrong with it (it died, an answer cannot be
sent) makes the calls still open run in-process instead: the results are the same either way,
only the time differs.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import mmap
import os
import pickle
import signal
import sys
import threading
from collections import deque
from collections.abc import Callable
from typing import Any

log = logging.getLogger("appealwatch.offload")

MAX_PENDING = 32
RING_BYTES = 32 << 20  # address space only: pages are used as calls are written
_PR_SET_PDEATHSIG = 1  # linux/prctl.h
_PLACE = 16  # a call in the pipe: its start and length in the ring, 8 bytes each
_LENGTH = 8  # bytes of the length in front of each pickled answer
_ACTIVE: list[Offload] = []  # one worker at a time: the function is forked with it


def can_fork() -> bool:
    """Whether a forked worker would run safely and on another core."""
    if not sys.platform.startswith("linux") or threading.active_count() != 1:
        return False
    return len(os.sched_getaffinity(0)) > 1


class WorkerLost(Exception):
    pass


def _read_exact(fd: int, size: int) -> bytes | None:
    parts, left = [], size
    while left:
        chunk = os.read(fd, min(left, 1 << 20))
        if not chunk:
            return None
        parts.append(chunk)
        left -= len(chunk)
    return b"".join(parts)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _serve(function: Callable[..., Any], parent: int, ring: mmap.mmap, calls: int,
           answers: int) -> None:
    """The worker: take a call from the ring, answer it, until the pipe closes."""
    # a parent killed in the middle of a long call (SIGKILL, the OOM killer) would leave the
    # worker running until the call ends, holding the parent's stdout open: the kernel ends it
    ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:
        return
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    while (place := _read_exact(calls, _PLACE)) is not None:
        start, size = int.from_bytes(place[:8], "big"), int.from_bytes(place[8:], "big")
        try:
            args = pickle.loads(ring[start:start + size])  # noqa: S301 (written by our parent)
            answer = (True, function(*args))
        except Exception as exc:  # the parent makes the call again itself and sees it
            answer = (False, type(exc).__name__)
        data = pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL)
        _write_all(answers, len(data).to_bytes(_LENGTH, "big") + data)


class Offload:
    """``submit(*args)`` returns a function that gives ``function(*args)``; from the
    ``after``-th call on (and when ``allowed()``), the calls run in a forked worker.  Use as a
    context manager: leaving it ends the worker."""

    def __init__(self, function: Callable[..., Any], *, after: int = 16,
                 allowed: Callable[[], bool] = can_fork) -> None:
        self.function = function
        self.after = after
        self.allowed = allowed
        self.calls = 0
        self.failed = False
        self.pid = 0
        self.calls_fd = self.answers_fd = -1
        self.ring: mmap.mmap | None = None
        self.sent = 0  # calls given to the worker, numbered from 0
        self.received = 0  # answers read, in the same order
        self.pending: dict[int, tuple] = {}  # given, not answered well: their arguments
        self.places: deque[tuple[int, int]] = deque()  # ring spans of the unanswered calls
        self.head = 0  # where the next call goes in the ring
        self.done: dict[int, tuple[bool, Any]] = {}
        self.inbox = bytearray()

    def __enter__(self) -> Offload:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---------------------------------------------------------------- calling

    def submit(self, *args: Any) -> Callable[[], Any]:
        self.calls += 1
        if not self.pid and not self.failed and self.calls > self.after:
            self._start()
        if self.pid:
            try:
                number = self._send(args)
            except (WorkerLost, OSError) as exc:
                self._give_up(exc)
            else:
                if number is not None:
                    return lambda: self._result(number)
        value = self.function(*args)
        return lambda: value

    def _result(self, number: int) -> Any:
        while number not in self.done and self.pid:
            try:
                self._receive()
            except (WorkerLost, OSError) as exc:
                self._give_up(exc)
        if number in self.done:
            ok, value = self.done.pop(number)
            if ok:
                return value
        # the worker failed this call or is gone: make the call here
        return self.function(*self.pending.pop(number))

    # ---------------------------------------------------------------- the worker

    def _start(self) -> None:
        if _ACTIVE or not self.allowed():
            self.failed = True  # another Offload has the worker, or forking is unsafe here
            return
        ring = mmap.mmap(-1, RING_BYTES)  # anonymous and shared with the child
        calls_r, calls_w = os.pipe()
        answers_r, answers_w = os.pipe()
        sys.stdout.flush()
        sys.stderr.flush()
        parent = os.getpid()
        pid = os.fork()
        if pid == 0:  # the worker
            status = 0
            try:
                os.close(calls_w)
                os.close(answers_r)
                _serve(self.function, parent, ring, calls_r, answers_w)
            except BaseException:
                status = 1
            finally:
                os._exit(status)
        os.close(calls_r)
        os.close(answers_w)
        self.pid, self.ring = pid, ring
        self.calls_fd, self.answers_fd = calls_w, answers_r
        _ACTIVE.append(self)

    def _send(self, args: tuple) -> int | None:
        """Give the worker a call; None when its arguments would not fit in the ring."""
        assert self.ring is not None
        data = pickle.dumps(args, protocol=pickle.HIGHEST_PROTOCOL)
        if len(data) > RING_BYTES // 4:
            return None
        while True:
            start = self.head if self.head + len(data) <= RING_BYTES else 0
            end = start + len(data)
            if self.sent - self.received < MAX_PENDING and not any(
                    start < b and a < end for a, b in self.places):
                break
            self._receive()  # wait for the oldest call to be answered: its span is free then
        self.ring[start:end] = data
        number = self.sent
        self.pending[number] = args
        self.places.append((start, end))
        self.sent += 1
        self.head = end
        _write_all(self.calls_fd, start.to_bytes(8, "big") + len(data).to_bytes(8, "big"))
        return number

    def _receive(self) -> None:
        """Read the worker's next answer."""
        while True:
            if len(self.inbox) >= _LENGTH:
                size = int.from_bytes(self.inbox[:_LENGTH], "big")
                if len(self.inbox) >= _LENGTH + size:
                    break
            chunk = os.read(self.answers_fd, 1 << 20)
            if not chunk:
                raise WorkerLost("the worker process ended")
            self.inbox += chunk
        answer = pickle.loads(self.inbox[_LENGTH:_LENGTH + size])  # noqa: S301 (our child)
        del self.inbox[:_LENGTH + size]
        number = self.received
        self.received += 1
        self.places.popleft()
        if answer[0]:
            self.pending.pop(number, None)
        self.done[number] = answer

    def _give_up(self, exc: BaseException) -> None:
        if not self.failed:
            log.debug("worker process lost (%s: %s); computing in this process",
                      type(exc).__name__, exc)
        self.failed = True
        self.close()

    def close(self) -> None:
        if not self.pid:
            return
        pid, self.pid = self.pid, 0
        for fd in (self.calls_fd, self.answers_fd):
            os.close(fd)  # the worker sees the end of its pipe and exits
        self.calls_fd = self.answers_fd = -1
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, 0)
        if self.ring is not None:
            self.ring.close()
            self.ring = None
        self.places.clear()
        if self in _ACTIVE:
            _ACTIVE.remove(self)
