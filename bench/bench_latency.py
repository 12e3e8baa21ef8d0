"""Notification latency of `appealwatch run` against a real Dovecot (IMAPS, loopback).

A private Dovecot is started in a temporary directory, `appealwatch run` watches the account,
and BENCH_DELIVERIES (default 20) genuine suspension notices, each with its own Message-ID and
organisation id, are APPENDed to Junk one at a time from a separate connection.  For each one:
the time from the APPEND's completion to the start of the notification command (which records
`date +%s.%N` as its first action).

Baseline, measured on the same deliveries at the same time: a bare imapclient connection that
selects Junk and sits in IDLE; the time from the APPEND's completion to its `idle_check()`
returning the EXISTS.  Dovecot itself holds IDLE notifications back ~0.5 s (NOTIFY_DELAY_MSECS),
so the baseline is the floor any IMAP client can reach.

Target: median <= 1 s.  Prints median and p95 of both, their ratio and a RESULT line per figure.
"""

from __future__ import annotations

import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

from _benchlib import (
    EXE,
    Child,
    Dovecot,
    crlf,
    exit_on_sigterm,
    notice,
    percentile,
    result,
    wait_for,
    wait_for_log,
    write_config,
)

USER, PASSWORD = "bench", "pw-bench"
TARGET_MEDIAN = 1.0


class IdleBaseline(threading.Thread):
    """A bare imapclient IDLE loop on one folder; records (wall time, EXISTS count)."""

    def __init__(self, server: Dovecot, folder: str) -> None:
        super().__init__(name="idle-baseline", daemon=True)
        self.server, self.folder = server, folder
        self.seen: list[tuple[float, int]] = []
        self.ready = threading.Event()
        self.stopping = threading.Event()
        self.error: BaseException | None = None
        self.client = None

    def run(self) -> None:
        try:
            with self.server.client(USER, timeout=30) as c:
                self.client = c
                c.select_folder(self.folder, readonly=True)
                c.idle()
                self.ready.set()
                while not self.stopping.is_set():
                    for resp in c.idle_check(timeout=1.0):
                        if len(resp) >= 2 and resp[1] == b"EXISTS":
                            self.seen.append((time.time(), int(resp[0])))
                c.idle_done()
        except BaseException as exc:  # reported by the main thread
            if not self.stopping.is_set():
                self.error = exc
            self.ready.set()

    def stop(self) -> None:
        self.stopping.set()
        self.join(10)


def complete_lines(path: Path) -> list[str]:
    try:
        text = path.read_text()
    except FileNotFoundError:
        return []
    return text.split("\n")[:-1]  # a line still being written has no newline yet


def main() -> int:
    exit_on_sigterm()
    deliveries = int(os.environ.get("BENCH_DELIVERIES", "20"))
    gap = float(os.environ.get("BENCH_GAP_SECONDS", "1.0"))
    tmp = Path(tempfile.mkdtemp(prefix="aw-bench-latency."))
    server = Dovecot(tmp / "imapd", users={USER: PASSWORD})
    run: Child | None = None
    baseline: IdleBaseline | None = None
    ours: list[float] = []
    base: list[float] = []
    missed = 0
    try:
        server.start()
        with server.client(USER):
            pass  # first login creates INBOX, Junk, Sent, Drafts ...
        events = tmp / "events.log"
        # the command's first action records the time; then the event JSON on the same line
        command = ["sh", "-c",
                   f't=$(date +%s.%N); printf "%s " "$t" >> {events}; '
                   f'tr -d "\\n" >> {events}; echo >> {events}']
        cfg = write_config(tmp, server, USER, notify_command=command)
        run = Child([*EXE, "--config", str(cfg), "run"], tmp / "run.log")
        if not wait_for_log(run, ("INBOX: watching", "Junk: watching", "Sent: watching"), 30):
            raise RuntimeError("appealwatch run is not watching after 30 s:\n"
                               + run.log_text()[-3000:])
        time.sleep(1.5)  # let the start-up scan finish
        baseline = IdleBaseline(server, "Junk")
        baseline.start()
        if not baseline.ready.wait(15) or baseline.error:
            raise RuntimeError(f"baseline IDLE connection failed: {baseline.error!r}")
        time.sleep(0.5)
        with server.client(USER, timeout=30) as appender:
            for i in range(1, deliveries + 1):
                lines_before = len(complete_lines(events))
                seen_before = len(baseline.seen)
                appender.append("Junk", crlf(notice(i)))
                t_done = time.time()
                got = wait_for(lambda n=lines_before: len(complete_lines(events)) > n, 15, 0.005)
                exists = wait_for(lambda n=seen_before: len(baseline.seen) > n, 5, 0.005)
                if got:
                    stamp = float(complete_lines(events)[lines_before].split(" ", 1)[0])
                    ours.append(stamp - t_done)
                else:
                    missed += 1
                if exists:
                    base.append(baseline.seen[seen_before][0] - t_done)
                print(f"  delivery {i:2d}: appealwatch "
                      f"{(f'{ours[-1]:.3f} s' if got else 'NO NOTIFICATION within 15 s'):>10}"
                      f"   baseline IDLE {(f'{base[-1]:.3f} s' if exists else 'no EXISTS'):>9}",
                      flush=True)
                time.sleep(gap)
        notified = len(complete_lines(events))
    finally:
        if baseline is not None:
            baseline.stop()
        status = run.stop() if run is not None else None
        log_text = run.log_text() if run is not None else ""
        server.close()
        shutil.rmtree(tmp, ignore_errors=True)

    print(f"\nappealwatch run exit status after SIGTERM: {status}")
    if "Traceback" in log_text or "ERROR" in log_text:
        print("appealwatch log had errors:\n" + log_text[-3000:])
    if not ours or not base:
        print("no latency measured")
        result("latency_median_s", None, target=f"<={TARGET_MEDIAN}", met=False)
        return 1
    med, p95 = statistics.median(ours), percentile(ours, 95)
    bmed, bp95 = statistics.median(base), percentile(base, 95)
    print(f"deliveries: {deliveries} into Junk, {gap:.1f} s apart; notified {len(ours)}, "
          f"missed {missed}; {notified} notification line(s) in total")
    print(f"appealwatch  APPEND done -> notification command: median {med:.3f} s, "
          f"p95 {p95:.3f} s, min {min(ours):.3f} s, max {max(ours):.3f} s")
    print(f"baseline     APPEND done -> IDLE EXISTS seen:     median {bmed:.3f} s, "
          f"p95 {bp95:.3f} s, min {min(base):.3f} s, max {max(base):.3f} s")
    print(f"ratio appealwatch/baseline: median {med / bmed:.2f}, p95 {p95 / bp95:.2f}; "
          f"appealwatch's own share of the median: {med - bmed:.3f} s")
    ok = med <= TARGET_MEDIAN and missed == 0
    print(f"target median <= {TARGET_MEDIAN:.1f} s: {'met' if ok else 'NOT met'}"
          + (f" ({missed} notification(s) missing)" if missed else ""))
    result("latency_median_s", med, baseline=bmed, ratio=med / bmed,
           target=f"<={TARGET_MEDIAN}", met=ok)
    result("latency_p95_s", p95, baseline=bp95, ratio=p95 / bp95)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
