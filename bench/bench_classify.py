"""Parse + classify throughput on one core, for typical ~20 KB messages.

Prints messages/second for appealwatch's parse+classify and, measured in the same process on the
same messages, for a bare stdlib parse (email.message_from_bytes), with the ratio between them.
Target (issue #3): >= 300 messages/second for parse + classify.
"""

from __future__ import annotations

import email
import email.policy
import os
import statistics
import sys
import time
from collections.abc import Callable
from email.message import EmailMessage
from pathlib import Path

from _benchlib import result
from appealwatch.classify import classify
from appealwatch.config import load_config
from appealwatch.parse import parse

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "data" / "corpus" / "messages"
TARGET_SIZE = 20_000


def typical_messages() -> list[bytes]:
    """The corpus messages, each brought to ~20 KB with a PDF attachment, as real mail is."""
    out = []
    for i, path in enumerate(sorted(CORPUS.glob("*.eml"))):
        raw = path.read_bytes()
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        if not isinstance(msg, EmailMessage) or len(raw) >= TARGET_SIZE:
            out.append(raw)
            continue
        if not msg.is_multipart() or msg.get_content_type() != "multipart/mixed":
            msg.make_mixed()
        pad = (TARGET_SIZE - len(raw)) * 3 // 4
        msg.add_attachment(os.urandom(max(pad, 1)), maintype="application", subtype="pdf",
                           filename=f"document-{i}.pdf")
        out.append(msg.as_bytes())
    return out


def rates(fns: dict[str, Callable[[bytes], object]], messages: list[bytes],
          rounds: int) -> dict[str, float]:
    """Best-of-rounds messages/second for each function.  The rounds are interleaved, so that a
    noisy neighbour on a shared machine slows the baseline and the code under test alike."""
    best = dict.fromkeys(fns, 0.0)
    for _ in range(rounds):
        for name, fn in fns.items():
            t0 = time.perf_counter()
            for raw in messages:
                fn(raw)
            best[name] = max(best[name], len(messages) / (time.perf_counter() - t0))
    return best


def main() -> int:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core
    rounds = int(os.environ.get("BENCH_ROUNDS", "9"))
    messages = typical_messages() * 2
    rules = load_config(None).rules
    sizes = [len(m) for m in messages]
    got = rates({
        "baseline": email.message_from_bytes,
        "ours": lambda raw: classify(parse(raw), "INBOX", rules),
        "parse": parse,
    }, messages, rounds)
    baseline, ours, parse_only = got["baseline"], got["ours"], got["parse"]
    print(f"messages: {len(messages)}, mean size {statistics.mean(sizes) / 1000:.1f} KB")
    print(f"baseline stdlib email.message_from_bytes: {baseline:8.0f} msg/s")
    print(f"appealwatch parse only:                   {parse_only:8.0f} msg/s")
    print(f"appealwatch parse + classify:             {ours:8.0f} msg/s "
          f"(ratio to baseline {ours / baseline:.2f}; target >= 300 msg/s: "
          f"{'met' if ours >= 300 else 'NOT met'})")
    result("classify_msg_per_s", ours, baseline=baseline, ratio=ours / baseline,
           target=">=300msg/s", met=ours >= 300, digits=0)
    return 0 if ours >= 300 else 1


if __name__ == "__main__":
    sys.exit(main())
