"""Soak: a simulated month of mail through `appealwatch run` against a real Dovecot.

`run --now 2026-12-14T06:00Z --time-scale 36000` (ten simulated hours a second) watches an
account while thousands of messages arrive over 34 simulated days: 200 provider cases (notices
in INBOX and Junk, appeals and answers in Sent, acknowledgements, questions, updates,
decisions), 30 phishing imitations and 3000 everyday messages.  The scenario and its oracle are
in tests/soak.py (shared with bench/bench_soak.py).  Afterwards every case must exist with the
right states, Drafts must hold exactly one draft per case and kind (no Message-ID twice),
follow-ups must have been written when due and never before (business days; Christmas, New
Year's Day and Martin Luther King Day do not count), never beyond the maximum, every
notification must have been delivered exactly once (quiet hours held back, never dropped), and
the daemon's memory must not grow with the days.
"""

from __future__ import annotations

import pytest
from tests.soak import make_scenario, run_soak, verify

pytest_plugins = ("tests.infra.fixtures",)
pytestmark = [pytest.mark.integration, pytest.mark.slow]

SCALE = 36000.0  # 34 simulated days in about 82 s
# The daemon's resident memory after three simulated days (the warm-up: imports done, IMAP
# connections open, templates and holiday calendars loaded, the first drafts written) may grow
# by at most this much over the remaining 31 days.  Bounded caches still fill after the
# warm-up: parse.py's two LRU caches of header blocks (2048 + 1024 entries of roughly 1-2 KB,
# at most about 5 MB) and SQLite's page cache (2 MB by default; the database ends at about
# 2 MB); with allocator slack that is under 10 MB.  Measured: about 4 MB.  A leak of 4 KB or
# more per message (3,600 of them) or per scan would exceed the bound.
RSS_GROWTH_LIMIT = 15 * 1024 * 1024


def test_a_simulated_month_of_mail(tmp_path, fresh_account):
    scenario = make_scenario(cases=200, everyday=3000, phishing=30)
    assert len(scenario.mails) > 3000 and len(scenario.cases) == 230
    # the scenario exercises follow-ups, and holidays move some of them
    assert sum(len(c.followups) for c in scenario.cases) > 100
    assert sum(c.holiday_shifted for c in scenario.cases) > 20
    # ... and a question after a follow-up removes its draft, which its answer does not bring back
    assert sum(c.state == "waiting" and bool(c.followups) and c.draft is None
               for c in scenario.cases) > 5
    run = run_soak(tmp_path, scenario, client=fresh_account.client,
                   port=fresh_account.tls_port, user=fresh_account.user,
                   password=fresh_account.password, ca=fresh_account.ca, scale=SCALE)
    drafts = [m.headers["Message-ID"] for m in fresh_account.fetch_headers("Drafts")]
    problems = verify(run, scenario, drafts)
    rss = ", ".join(f"{k} {v / 1e6:.1f} MB" for k, v in run.rss.items())
    summary = (f"{run.delivered} messages over {scenario.days:.1f} simulated days in "
               f"{run.wall_seconds:.0f} s; RSS {rss}")
    print(summary)
    assert run.delivered == len(scenario.mails)
    for check in ("run", "cases", "drafts", "followups", "notifications"):
        assert problems[check] == [], f"{check}: {problems[check][:10]}\n{summary}"
    assert run.rss["end"] <= run.rss["warm-up"] + RSS_GROWTH_LIMIT, summary
    assert "Traceback" not in run.log and fresh_account.password not in run.log
