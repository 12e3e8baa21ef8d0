"""Notification latency of `appealwatch run` against a real Dovecot (IMAPS, loopback).

A private Dovecot is started in a temporary directory.  Two processes watch the account, each
started the same way (a child process of this one): `appealwatch run`, whose notification
command records `date +%s.%N` as its first action, and the baseline, a bare imapclient
connection that selects Junk, sits in IDLE and records the time each EXISTS arrives.  Genuine
suspension notices, each with its own Message-ID and organisation id, are then APPENDed to Junk
from a third connection, BENCH_DELIVERIES (default 20) at each spacing of BENCH_GAPS (seconds
from the start of one APPEND to the start of the next; default "0.85,1.0").  For each one:
the time from the APPEND's completion to the notification command's start, and to the
baseline's EXISTS.

Dovecot holds IDLE notifications back up to 0.5 s after a change of the folder (and how long
depends on what else touched the folder since), so the baseline is the floor any IMAP client
can reach, and only a ratio measured on the same deliveries means anything.

Target, at every spacing: median ratio appealwatch/baseline <= 1.2, no notification missing.
Prints median and p95 of both and a RESULT line per spacing.
"""

from __future__ import annotations

import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from _benchlib import (
    BASELINE_CONNECT,
    EXE,
    PY,
    ROOT,
    Child,
    Dovecot,
    baseline_env,
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
TARGET_RATIO = 1.2

# the baseline: IDLE on one folder, one line per EXISTS with the time it was read
BASELINE = BASELINE_CONNECT + r"""
c.idle()
print("baseline: idling", flush=True)
with open(os.environ["BENCH_EVENTS"], "a") as out:
    while True:
        for resp in c.idle_check(timeout=30):
            if len(resp) >= 2 and resp[1] == b"EXISTS":
                out.write(f"{time.time():.6f} {int(resp[0])}\n")
                out.flush()
"""


def complete_lines(path: Path) -> list[str]:
    try:
        text = path.read_text()
    except FileNotFoundError:
        return []
    return text.split("\n")[:-1]  # a line still being written has no newline yet


def first_stamp(path: Path, before: int, timeout: float) -> float | None:
    """The time on the first line written after the first ``before`` lines."""
    if not wait_for(lambda: len(complete_lines(path)) > before, timeout, 0.005):
        return None
    return float(complete_lines(path)[before].split(" ", 1)[0])


def main() -> int:
    exit_on_sigterm()
    deliveries = int(os.environ.get("BENCH_DELIVERIES", "20"))
    gaps = [float(g) for g in os.environ.get("BENCH_GAPS", "0.85,1.0").split(",") if g]
    tmp = Path(tempfile.mkdtemp(prefix="aw-bench-latency."))
    server = Dovecot(tmp / "imapd", users={USER: PASSWORD})
    run: Child | None = None
    base: Child | None = None
    measured: dict[float, tuple[list[float], list[float], int]] = {}
    try:
        server.start()
        with server.client(USER):
            pass  # first login creates INBOX, Junk, Sent, Drafts ...
        events, exists = tmp / "events.log", tmp / "exists.log"
        # the command's first action records the time; then the event JSON on the same line
        command = ["sh", "-c",
                   f't=$(date +%s.%N); printf "%s " "$t" >> {events}; '
                   f'tr -d "\\n" >> {events}; echo >> {events}']
        cfg = write_config(tmp, server, USER, notify_command=command)
        run = Child([*EXE, "--config", str(cfg), "run"], tmp / "run.log")
        base = Child([PY, "-c", BASELINE], tmp / "baseline.log",
                     env=baseline_env(server, USER, "Junk", BENCH_EVENTS=str(exists)), cwd=ROOT)
        if not wait_for_log(run, ("INBOX: watching", "Junk: watching", "Sent: watching"), 30):
            raise RuntimeError("appealwatch run is not watching after 30 s:\n"
                               + run.log_text()[-3000:])
        if not wait_for_log(base, ("baseline: idling",), 30):
            raise RuntimeError("the baseline did not start:\n" + base.log_text()[-3000:])
        time.sleep(2.0)  # let the start-up scan finish
        n = 0
        with server.client(USER, timeout=30) as appender:
            for gap in gaps:
                ours: list[float] = []
                theirs: list[float] = []
                missed = 0
                print(f"deliveries {gap:.2f} s apart:", flush=True)
                for i in range(1, deliveries + 1):
                    n += 1
                    lines_before = len(complete_lines(events))
                    seen_before = len(complete_lines(exists))
                    t_start = time.time()
                    appender.append("Junk", crlf(notice(n)))
                    t_done = time.time()
                    got = first_stamp(events, lines_before, 15)
                    seen = first_stamp(exists, seen_before, 5)
                    if got is None:
                        missed += 1
                    else:
                        ours.append(got - t_done)
                    if seen is not None:
                        theirs.append(seen - t_done)
                    print(f"  delivery {i:2d}: appealwatch "
                          f"{(f'{got - t_done:.3f} s' if got else 'NO NOTIFICATION'):>10}"
                          f"   baseline IDLE "
                          f"{(f'{seen - t_done:.3f} s' if seen else 'no EXISTS'):>9}",
                          flush=True)
                    time.sleep(max(0.0, t_start + gap - time.time()))
                measured[gap] = (ours, theirs, missed)
                time.sleep(2.0)  # the next spacing starts from a quiet folder
    finally:
        status = run.stop() if run is not None else None
        if base is not None:
            base.stop()
        log_text = run.log_text() if run is not None else ""
        server.close()
        shutil.rmtree(tmp, ignore_errors=True)

    print(f"\nappealwatch run exit status after SIGTERM: {status}")
    if "Traceback" in log_text or "ERROR" in log_text:
        print("appealwatch log had errors:\n" + log_text[-3000:])
    all_ok = bool(measured) and len(measured) == len(gaps)
    for gap in gaps:
        ours, theirs, missed = measured.get(gap, ([], [], deliveries))
        name = f"latency_gap{gap:g}s_median_s"
        if not ours or not theirs:
            print(f"spacing {gap:.2f} s: no latency measured")
            result(name, None, target=f"ratio<={TARGET_RATIO}", met=False)
            all_ok = False
            continue
        med, p95 = statistics.median(ours), percentile(ours, 95)
        bmed, bp95 = statistics.median(theirs), percentile(theirs, 95)
        ok = med / bmed <= TARGET_RATIO and missed == 0
        all_ok = all_ok and ok
        print(f"spacing {gap:.2f} s ({deliveries} deliveries into Junk; missed {missed}):")
        print(f"  appealwatch  APPEND done -> notification command: median {med:.3f} s, "
              f"p95 {p95:.3f} s, min {min(ours):.3f} s, max {max(ours):.3f} s")
        print(f"  baseline     APPEND done -> IDLE EXISTS seen:     median {bmed:.3f} s, "
              f"p95 {bp95:.3f} s, min {min(theirs):.3f} s, max {max(theirs):.3f} s")
        print(f"  ratio appealwatch/baseline: median {med / bmed:.2f}, p95 {p95 / bp95:.2f}; "
              f"target median ratio <= {TARGET_RATIO}: {'met' if ok else 'NOT met'}"
              + (f" ({missed} notification(s) missing)" if missed else ""))
        result(name, med, baseline=bmed, ratio=med / bmed, target=f"ratio<={TARGET_RATIO}",
               met=ok)
        result(f"latency_gap{gap:g}s_p95_s", p95, baseline=bp95, ratio=p95 / bp95)
    return 0 if all_ok else 1


if __name__ == "__main__":
    sys.exit(main())
