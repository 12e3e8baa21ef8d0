"""Shared helpers for the IMAP benchmarks: a private Dovecot, an appealwatch config, child
processes that are always cleaned up, percentiles and the RESULT line ``bench/run`` collects.

Not a benchmark itself.  Run the benchmarks with the project's virtualenv, e.g.
``.venv-test/bin/python bench/bench_latency.py`` (or ``bench/run bench_latency.py``).
"""

from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # tests.infra, tests.mails

from tests.infra.imapd import Dovecot  # noqa: E402
from tests.mails import auth_pass, make_mail  # noqa: E402

PY = sys.executable
EXE = [PY, "-m", "appealwatch.cli"]
CLK_TCK = os.sysconf("SC_CLK_TCK")

__all__ = ["EXE", "PY", "ROOT", "Dovecot", "auth_pass", "make_mail"]


# The start of a baseline process (run with ``python -c``, environment from ``baseline_env``): a
# bare imapclient connection to the benchmark's server with the folder selected, as ``c``.
BASELINE_CONNECT = r"""
import os, ssl, time
from imapclient import IMAPClient
ctx = ssl.create_default_context(cafile=os.environ["BENCH_CA"])
c = IMAPClient("localhost", port=int(os.environ["BENCH_PORT"]), ssl=True, ssl_context=ctx,
               timeout=60)
c.login(os.environ["BENCH_USER"], os.environ["BENCH_PASSWORD"])
c.select_folder(os.environ["BENCH_FOLDER"], readonly=True)
"""


def baseline_env(server: Dovecot, user: str, folder: str, **extra: str) -> dict[str, str]:
    return {**os.environ, "BENCH_CA": str(server.ca), "BENCH_PORT": str(server.tls_port),
            "BENCH_USER": user, "BENCH_PASSWORD": server.users[user], "BENCH_FOLDER": folder,
            **extra}


def exit_on_sigterm() -> None:
    """SIGTERM/SIGHUP raise SystemExit so every ``finally`` (servers, children) runs."""
    def handler(signum: int, _frame: object) -> None:
        raise SystemExit(128 + signum)
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, handler)


def toml_str(value: str) -> str:
    return json.dumps(value)  # a JSON string is a valid TOML basic string


def write_config(directory: Path, server: Dovecot, user: str, *,
                 notify_command: Sequence[str] | None = None, state: Path | None = None,
                 extra: str = "") -> Path:
    """An appealwatch config for ``user`` on ``server`` (IMAPS through the server's CA)."""
    secret = directory / "secret"
    secret.write_text(server.users[user])
    secret.chmod(0o600)
    backends = '["command"]' if notify_command else '["log"]'
    command = ("command = [" + ", ".join(toml_str(a) for a in notify_command) + "]\n"
               if notify_command else "")
    cfg = directory / "config.toml"
    cfg.write_text(
        '[user]\nname = "Alex Chen"\nemail = "alex@example.net"\n'
        '[[accounts]]\nname = "bench"\nhost = "localhost"\n'
        f'port = {server.tls_port}\ntls = "ssl"\nusername = {toml_str(user)}\n'
        f'password_command = {toml_str(f"cat {secret}")}\nca_file = {toml_str(str(server.ca))}\n'
        f'[state]\npath = {toml_str(str(state or directory / "state.sqlite3"))}\n'
        f'[notify]\nbackends = {backends}\n{command}' + extra,
        encoding="utf-8")
    cfg.chmod(0o600)
    return cfg


def notice(n: int, when: datetime | None = None) -> bytes:
    """A genuine OpenAI suspension notice (as tests/integration/test_imap.py builds them);
    each ``n`` has its own Message-ID and organisation id, so each opens its own case."""
    return make_mail(
        sender="OpenAI <noreply@tm.openai.com>",
        subject="Your OpenAI API organization has been deactivated",
        body=f"Access for your organization org-Bench{n:06d}XYZ has been deactivated because "
        "of repeated violations of our usage policies.\n\nIf you believe this is an error, "
        "reply to this message.\n",
        auth=[auth_pass("tm.openai.com")], message_id=f"<bench-notice-{n}@tm.openai.com>",
        date=when or datetime.now(UTC))


def crlf(raw: bytes) -> bytes:
    return raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


class Child:
    """A child process that is always ended: SIGTERM, then SIGKILL after ``grace`` seconds."""

    def __init__(self, argv: Sequence[str], log_path: Path, *, env: dict[str, str] | None = None,
                 cwd: Path | None = None) -> None:
        self.log_path = log_path
        self._log = log_path.open("wb")
        self.proc = subprocess.Popen(list(argv), stdin=subprocess.DEVNULL, stdout=self._log,
                                     stderr=subprocess.STDOUT, env=env, cwd=cwd,
                                     start_new_session=True)

    @property
    def pid(self) -> int:
        return self.proc.pid

    def alive(self) -> bool:
        return self.proc.poll() is None

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def stop(self, grace: float = 10.0) -> int | None:
        """End the process (by its pid only) and return its exit status."""
        try:
            if self.proc.poll() is None:
                self.proc.send_signal(signal.SIGTERM)
                try:
                    self.proc.wait(grace)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait(10)
            return self.proc.returncode
        finally:
            self._log.close()


def wait_for(predicate, timeout: float, step: float = 0.05):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() >= deadline:
            return value
        time.sleep(step)


def wait_for_log(child: Child, needles: Iterable[str], timeout: float) -> bool:
    needles = list(needles)

    def seen() -> bool:
        if not child.alive():
            raise RuntimeError(f"appealwatch exited ({child.proc.returncode}):\n"
                               + child.log_text()[-3000:])
        text = child.log_text()
        return all(n in text for n in needles)
    return bool(wait_for(seen, timeout, 0.1))


def percentile(values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile (p95 of 20 values is the 19th smallest)."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


def proc_rss_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def proc_hwm_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return 0


def proc_cpu_seconds(pid: int) -> float:
    """utime + stime of the process (all its threads), in seconds."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rindex(")") + 2:].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK  # fields 14 and 15 of proc(5)


def fmt(value: float | None, digits: int = 3) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    return f"{value:.{digits}f}"


def result(name: str, value: float | None, *, baseline: float | None = None,
           ratio: float | None = None, target: str = "-", met: bool | None = None,
           digits: int = 3) -> None:
    """The machine-readable line bench/run collects (no spaces inside a field)."""
    met_text = "-" if met is None else ("yes" if met else "no")
    print(f"RESULT {name}={fmt(value, digits)} baseline={fmt(baseline, digits)} "
          f"ratio={fmt(ratio, 2)} target={target.replace(' ', '')} met={met_text}", flush=True)
