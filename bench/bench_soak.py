"""Soak: does `appealwatch run` keep its memory over a simulated month of mail?

The scenario of tests/integration/test_soak.py (tests/soak.py: provider cases with notices in
INBOX and Junk, appeals and answers in Sent, acknowledgements, questions, updates, decisions,
follow-ups over business days and holidays, phishing, everyday mail), here bigger: by default
250 cases, 40 phishing imitations and 4,500 everyday messages (about 5,300 in all) over 34
simulated days, through `run --now 2026-12-14T06:00Z --time-scale 30000` (8.3 simulated hours
a second, about 100 s) against a private Dovecot.  The daemon's VmRSS (/proc/PID/status) is
read six simulated hours after the start, after the warm-up (three simulated days), every
simulated day, and at the end; afterwards the same checks as the test's are run (cases,
drafts, follow-ups, notifications).

Figure: the growth of resident memory from the warm-up to the end; baseline: the RSS after the
warm-up, measured in the same run.  Target: at most 15 MB (10^6 bytes) of growth.

Knobs: BENCH_SOAK_CASES, BENCH_SOAK_EVERYDAY, BENCH_SOAK_PHISHING, BENCH_SOAK_SCALE.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path

from _benchlib import Dovecot, exit_on_sigterm, result  # puts the repository on sys.path

# isort: split
from tests.soak import make_scenario, run_soak, verify

USER, PASSWORD = "soak", "pw-soak"
TARGET_GROWTH_MB = 15.0


def main() -> int:
    exit_on_sigterm()
    cases = int(os.environ.get("BENCH_SOAK_CASES", "250"))
    everyday = int(os.environ.get("BENCH_SOAK_EVERYDAY", "4500"))
    phishing = int(os.environ.get("BENCH_SOAK_PHISHING", "40"))
    scale = float(os.environ.get("BENCH_SOAK_SCALE", "30000"))
    t0 = time.monotonic()
    scenario = make_scenario(cases=cases, everyday=everyday, phishing=phishing)
    counts = scenario.counts()
    print(f"scenario: {len(scenario.mails)} messages ({counts['everyday']} everyday, "
          f"{len(scenario.mails) - counts['everyday']} about {len(scenario.cases)} cases), "
          f"{sum(len(c.followups) for c in scenario.cases)} follow-ups due, "
          f"{scenario.days:.1f} simulated days at x{scale:g} "
          f"(generated in {time.monotonic() - t0:.1f} s)", flush=True)
    directory = Path(tempfile.mkdtemp(prefix="aw-bench-soak-"))
    server = Dovecot(directory / "dovecot")
    try:
        server.start()
        server.add_user(USER, PASSWORD)
        run = run_soak(directory, scenario, client=lambda: server.client(USER),
                       port=server.tls_port, user=USER, password=PASSWORD, ca=server.ca,
                       scale=scale, progress=lambda line: print(line, flush=True))
        drafts = [m.headers["Message-ID"] for m in server.fetch_headers(USER, "Drafts")]
        problems = verify(run, scenario, drafts)
    finally:
        server.close()
        shutil.rmtree(directory, ignore_errors=True)
    mb = {k: v / 1e6 for k, v in run.rss.items()}
    print(f"\n{run.delivered} messages over {scenario.days:.1f} simulated days in "
          f"{run.wall_seconds:.1f} s of wall time; stopped at simulated "
          f"{run.stopped_at:%Y-%m-%d %H:%M}; deliveries at most "
          f"{run.max_delivery_lag / 3600:.1f} simulated hours behind their Date")
    print("RSS: " + ", ".join(f"{k} {v:.1f} MB" for k, v in mb.items()))
    print("RSS by simulated day: " + " ".join(f"{d:g}:{r / 1e6:.1f}" for d, r in
                                               run.rss_by_day))
    bad = {k: v for k, v in problems.items() if v}
    print("checks: " + ("all passed" if not bad else "; ".join(
        f"{k}: {len(v)} problem(s), e.g. {v[0]}" for k, v in bad.items())))
    growth = mb["end"] - mb["warm-up"]
    result("soak_rss_growth_mb", growth, baseline=mb["warm-up"], ratio=mb["end"] / mb["warm-up"],
           target=f"<={TARGET_GROWTH_MB:g}MB", met=growth <= TARGET_GROWTH_MB and not bad,
           digits=1)
    return 0 if growth <= TARGET_GROWTH_MB and not bad else 1


if __name__ == "__main__":
    raise SystemExit(main())
