"""The service's clock (time travel for `run`) and `run --now/--time-scale` on a Maildir."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from email.utils import parsedate_to_datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from tests.infra import stop_process

from appealwatch.cli import main
from appealwatch.clock import Clock
from mails import auth_pass, make_mail

START = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)


class FakeWall:
    def __init__(self, t: float = 1_000_000.0) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


def test_a_simulated_clock_starts_at_its_time_and_runs_scale_times_as_fast():
    wall = FakeWall()
    clock = Clock(START, 3600, wall=wall)
    assert clock.now() == START
    wall.t += 2.5
    assert clock.now() == datetime(2026, 12, 7, 10, 30, tzinfo=UTC)
    wall.t += 86400 / 3600 * 30  # 30 simulated days
    assert clock.now() == datetime(2027, 1, 6, 10, 30, tzinfo=UTC)
    assert clock.simulated and "3600" in clock.describe() and "2026-12-07" in clock.describe()


def test_a_start_in_another_zone_is_the_same_instant_in_utc():
    wall = FakeWall()
    clock = Clock(datetime(2026, 12, 7, 9, 0, tzinfo=ZoneInfo("Europe/Berlin")), 1, wall=wall)
    wall.t += 60
    now = clock.now()
    assert now.utcoffset() == timedelta(0)
    assert now == datetime(2026, 12, 7, 8, 1, tzinfo=UTC)


def test_the_default_clock_is_the_wall_clock():
    wall = FakeWall(1_800_000_000.25)
    clock = Clock(wall=wall)
    assert not clock.simulated and clock.describe() == "wall clock"
    assert clock.now() == datetime(2027, 1, 15, 8, 0, 0, 250000, tzinfo=UTC)
    wall.t += 7
    assert clock.now() == datetime(2027, 1, 15, 8, 0, 7, 250000, tzinfo=UTC)
    before = datetime.now(UTC)
    now = Clock().now()  # the real wall clock: between two readings of it, not merely near one
    assert before <= now <= datetime.now(UTC)


def test_a_fast_clock_without_a_start_begins_now():
    wall = FakeWall(1_800_000_000.0)
    clock = Clock(scale=60, wall=wall)
    wall.t += 1
    assert clock.now() == datetime(2027, 1, 15, 8, 1, tzinfo=UTC)


def test_timer_intervals_shrink_with_the_scale_down_to_a_floor():
    assert Clock(START, 1).real_seconds(30) == 30
    assert Clock(START, 10).real_seconds(30, floor=0.2) == 3
    assert Clock(START, 36000).real_seconds(30, floor=0.2) == 0.2
    assert Clock(START, 36000).real_seconds(900) == 0.025


@pytest.mark.parametrize("scale", [0, -1, float("nan"), float("inf"), "3"])
def test_a_scale_that_is_not_a_positive_number_is_refused(scale):
    with pytest.raises(ValueError, match="greater than 0"):
        Clock(START, scale)  # type: ignore[arg-type]


def test_a_start_without_a_zone_is_refused():
    with pytest.raises(ValueError, match="time zone"):
        Clock(datetime(2026, 12, 7, 8, 0), 1)


@pytest.mark.parametrize("value", ["0", "-5", "nan", "inf", "fast"])
def test_run_refuses_a_time_scale_that_is_not_positive(value, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["run", "--time-scale", value])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "--time-scale" in err and "greater than 0" in err


# --------------------------------------------------------------------------- run on a Maildir


def _maildir(root: Path) -> None:
    for folder in (root, root / ".Junk", root / ".Sent", root / ".Drafts"):
        for sub in ("cur", "new", "tmp"):
            (folder / sub).mkdir(parents=True)


def _drafts(root: Path) -> list:
    found = []
    for sub in ("cur", "new"):
        found += [message_from_bytes(p.read_bytes()) for p in (root / ".Drafts" / sub).iterdir()]
    return found


def test_run_with_time_travel_drafts_a_follow_up_at_its_simulated_time(tmp_path):
    """A case waits for GitHub since Friday 4 December 2026 (the user's appeal is in Sent); one
    business day later (Monday 7 December, 09:00) a follow-up falls due.  `run` starts its
    clock at Monday 06:00 and lets an hour pass every second: the first pass reads Friday's mail
    as history (no appeal draft: the user has appealed), the follow-up appears after about 3 s,
    dated 09:00 or a little later on the simulated clock, not today's."""
    root = tmp_path / "Maildir"
    _maildir(root)
    github = [auth_pass("github.com")]
    friday = datetime(2026, 12, 4, 15, 0, tzinfo=UTC)
    (root / "new" / "1.a.test").write_bytes(make_mail(
        sender="GitHub <support@github.com>", subject="Your account has been suspended",
        body="Your account has been suspended for violating our terms of service.",
        auth=github, message_id="<gh-n@github.com>", date=friday - timedelta(hours=1)))
    (root / "new" / "2.b.test").write_bytes(make_mail(
        sender="GitHub Support <support@github.com>",
        subject="Re: Your account has been suspended", auth=github,
        body="Hi, I'm still looking into this with the team and will update you soon.",
        headers={"In-Reply-To": "<gh-n@github.com>"}, message_id="<gh-r@github.com>",
        date=friday))
    sent = root / ".Sent"
    for sub in ("cur", "new", "tmp"):
        (sent / sub).mkdir(parents=True, exist_ok=True)
    (sent / "cur" / "3.c.test:2,S").write_bytes(make_mail(
        sender="Alex Chen <alex@example.net>", to="support@github.com",
        subject="Re: Your account has been suspended", body="Please review my account.",
        headers={"In-Reply-To": "<gh-n@github.com>"}, message_id="<appeal@example.net>",
        date=friday - timedelta(minutes=30)))
    cfg = tmp_path / "config.toml"
    cfg.write_text(
        '[user]\nname = "Alex Chen"\nemail = "alex@example.net"\n'
        f'[[accounts]]\nname = "m"\nmaildir = "{root}"\n'
        f'[state]\npath = "{tmp_path / "state.sqlite3"}"\n'
        '[notify]\nbackends = ["log"]\n'
        '[followup]\nafter_business_days = 1\ncountry = "US"\ntimezone = "UTC"\n',
        encoding="utf-8")
    log = open(tmp_path / "run.log", "wb")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [sys.executable, "-m", "appealwatch.cli", "--config", str(cfg), "run",
         "--now", "2026-12-07T06:00:00+00:00", "--time-scale", "3600"],
        stdout=log, stderr=log, env={**os.environ})
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and len(_drafts(root)) < 1:
            time.sleep(0.1)
    finally:
        stop_process(proc, timeout=10)
        log.close()
    text = (tmp_path / "run.log").read_text()
    drafts = {d["Message-ID"].split(".")[2]: d for d in _drafts(root)}
    assert sorted(drafts) == ["followup1"], text
    assert "simulated clock: 2026-12-07T06:00:00+00:00" in text
    followup_date = parsedate_to_datetime(drafts["followup1"]["Date"])
    assert datetime(2026, 12, 7, 9, 0, tzinfo=UTC) <= followup_date < datetime(
        2026, 12, 8, 0, 0, tzinfo=UTC), followup_date
