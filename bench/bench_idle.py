"""Resources of an idle `appealwatch run`: resident memory and CPU while nothing arrives.

A private Dovecot is started, `appealwatch run` watches INBOX, Junk and Sent (one IDLE
connection each, plus its scan connection and the main loop with its timers), and after a
10 s settling time its VmRSS (/proc/PID/status) and CPU time (utime + stime of all threads,
/proc/PID/stat) are sampled every second for BENCH_IDLE_SECONDS (default 600).

Baseline, sampled over the same window: a bare python process running an imapclient IDLE loop
on one folder (the loop from LIBRARIES.md section 2: IDLE, idle_check every 30 s, DONE + NOOP
every 60 s, renewed within 9 minutes).

Targets: max RSS <= 50 MB (10^6 bytes), CPU <= 1 % of one core.
"""

from __future__ import annotations

import os
import shutil
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
    exit_on_sigterm,
    proc_cpu_seconds,
    proc_hwm_bytes,
    proc_rss_bytes,
    result,
    wait_for_log,
    write_config,
)

USER, PASSWORD = "bench", "pw-bench"
TARGET_RSS_MB = 50.0
TARGET_CPU_PCT = 1.0

BASELINE = BASELINE_CONNECT + r"""
print("baseline: idling", flush=True)
while True:  # IDLE; prove the connection alive every 60 s; renew well within 29 minutes
    c.idle()
    started, resp = time.monotonic(), []
    while not resp and time.monotonic() - started < 60:
        t0 = time.monotonic()
        resp = c.idle_check(timeout=30)
        if not resp and time.monotonic() - t0 < 15:
            break
    c.idle_done()
    c.noop()
"""


class Sampler:
    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.max_rss = 0
        self.cpu0 = proc_cpu_seconds(pid)
        self.t0 = time.monotonic()
        self.cpu1, self.t1 = self.cpu0, self.t0

    def sample(self) -> None:
        self.max_rss = max(self.max_rss, proc_rss_bytes(self.pid))
        self.cpu1, self.t1 = proc_cpu_seconds(self.pid), time.monotonic()

    @property
    def cpu_pct(self) -> float:
        return 100 * (self.cpu1 - self.cpu0) / max(self.t1 - self.t0, 1e-9)


def main() -> int:
    exit_on_sigterm()
    seconds = float(os.environ.get("BENCH_IDLE_SECONDS", "600"))
    settle = float(os.environ.get("BENCH_SETTLE_SECONDS", "10"))
    tmp = Path(tempfile.mkdtemp(prefix="aw-bench-idle."))
    server = Dovecot(tmp / "imapd", users={USER: PASSWORD})
    run: Child | None = None
    base: Child | None = None
    try:
        server.start()
        with server.client(USER) as c:
            c.list_folders()  # first login creates INBOX, Junk, Sent, Drafts ...
        cfg = write_config(tmp, server, USER)  # notifications to the log
        run = Child([*EXE, "--config", str(cfg), "run"], tmp / "run.log")
        base = Child([PY, "-c", BASELINE], tmp / "baseline.log",
                     env=baseline_env(server, USER, "INBOX"), cwd=ROOT)
        if not wait_for_log(run, ("INBOX: watching", "Junk: watching", "Sent: watching"), 30):
            raise RuntimeError("appealwatch run is not watching after 30 s:\n"
                               + run.log_text()[-3000:])
        if not wait_for_log(base, ("baseline: idling",), 30):
            raise RuntimeError("the baseline did not start:\n" + base.log_text()[-3000:])
        time.sleep(settle)
        ours, theirs = Sampler(run.pid), Sampler(base.pid)
        print(f"sampling appealwatch (pid {run.pid}) and the baseline (pid {base.pid}) every "
              f"1 s for {seconds:.0f} s after {settle:.0f} s settling", flush=True)
        deadline = time.monotonic() + seconds
        next_report = time.monotonic() + 60
        while time.monotonic() < deadline:
            time.sleep(min(1.0, max(0.0, deadline - time.monotonic())))
            for who, sampler, child in (("appealwatch", ours, run), ("baseline", theirs, base)):
                if not child.alive():
                    raise RuntimeError(f"{who} exited ({child.proc.returncode}) while idle:\n"
                                       + child.log_text()[-3000:])
                sampler.sample()
            if time.monotonic() >= next_report:
                next_report += 60
                print(f"  {ours.t1 - ours.t0:5.0f} s: appealwatch RSS "
                      f"{ours.max_rss / 1e6:.1f} MB, CPU {ours.cpu_pct:.3f} %; baseline RSS "
                      f"{theirs.max_rss / 1e6:.1f} MB, CPU {theirs.cpu_pct:.3f} %", flush=True)
        hwm = proc_hwm_bytes(run.pid)
        connections = len([x for x in Path(f"/proc/{run.pid}/fd").iterdir()
                           if os.readlink(x).startswith("socket:")])
        threads = len(list(Path(f"/proc/{run.pid}/task").iterdir()))
    finally:
        status = run.stop() if run is not None else None
        if base is not None:
            base.stop()
        log_text = run.log_text() if run is not None else ""
        server.close()
        shutil.rmtree(tmp, ignore_errors=True)

    rss, brss = ours.max_rss / 1e6, theirs.max_rss / 1e6
    cpu, bcpu = ours.cpu_pct, theirs.cpu_pct
    print(f"\nappealwatch run: {threads} threads, {connections} sockets; exit status after "
          f"SIGTERM {status}; peak RSS over its whole life (VmHWM) {hwm / 1e6:.1f} MB")
    problems = [x for x in log_text.splitlines() if x.startswith(("WARNING", "ERROR"))]
    if problems:
        print("appealwatch logged:\n  " + "\n  ".join(problems[-10:]))
    print(f"window {ours.t1 - ours.t0:.0f} s (MB = 10^6 bytes)")
    print(f"appealwatch run (INBOX+Junk+Sent): max RSS {rss:6.1f} MB   CPU {cpu:.3f} % of a core")
    print(f"baseline IDLE loop (one folder):   max RSS {brss:6.1f} MB   CPU {bcpu:.3f} % of a core")
    ok_rss, ok_cpu = rss <= TARGET_RSS_MB, cpu <= TARGET_CPU_PCT
    print(f"targets: RSS <= {TARGET_RSS_MB:.0f} MB {'met' if ok_rss else 'NOT met'}; "
          f"CPU <= {TARGET_CPU_PCT:.0f} % {'met' if ok_cpu else 'NOT met'}")
    result("idle_max_rss_mb", rss, baseline=brss, ratio=rss / brss,
           target=f"<={TARGET_RSS_MB:.0f}MB", met=ok_rss, digits=1)
    result("idle_cpu_pct", cpu, baseline=bcpu, ratio=cpu / bcpu if bcpu > 0 else None,
           target=f"<={TARGET_CPU_PCT:.0f}%", met=ok_cpu)
    return 0 if ok_rss and ok_cpu else 1


if __name__ == "__main__":
    sys.exit(main())
