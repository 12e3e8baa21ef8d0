"""Reply drafts: Jinja2 templates rendered in a sandbox into complete RFC 5322 messages.

Templates come only from files: the user's ``templates/`` folder beside their config first, then
the bundled ones.  Provider text goes in only as render variables, so ``{{ 7*7 }}`` in a notice is
printed as it stands and never evaluated.  Headers are built with ``email.message.EmailMessage``,
which refuses CR/LF in a header value (no header injection through a provider's subject).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from pathlib import Path
from typing import TYPE_CHECKING, Any

from appealwatch import resources

if TYPE_CHECKING:
    from jinja2.sandbox import SandboxedEnvironment

PLACEHOLDER = re.compile(r"\[FILL IN:[^\]]*\]|【请填写：[^】]*】")
_RE_PREFIX = re.compile(r"^\s*(?:(?:re|aw|sv|fwd?|回复|答复)\s*[:：]\s*)+", re.I)
MAX_QUOTED_LINES = 60


def make_environment(user_templates: Path | None = None) -> SandboxedEnvironment:
    # imported here: the idle service has no draft to render (Jinja is 2 MB of its memory)
    from jinja2 import ChoiceLoader, FileSystemLoader, StrictUndefined
    from jinja2.sandbox import SandboxedEnvironment

    loaders = []
    if user_templates is not None and user_templates.is_dir():
        loaders.append(FileSystemLoader(str(user_templates)))
    loaders.append(FileSystemLoader(str(resources.templates_dir())))
    return SandboxedEnvironment(
        loader=ChoiceLoader(loaders),
        undefined=StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def template_name(kind: str, reason: str | None, lang: str) -> str:
    lang = lang if lang in ("en", "zh") else "en"
    if kind == "appeal":
        return f"appeal-{reason or 'unknown'}.{lang}.txt"
    return f"{kind}.{lang}.txt"


def render_body(env: SandboxedEnvironment, kind: str, reason: str | None, lang: str,
                context: dict[str, Any]) -> str:
    text = env.get_template(template_name(kind, reason, lang)).render(**context)
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


def paste_note(url: str, name: str, lang: str) -> str:
    """The first line of an appeal that goes through the provider's web form: where to paste."""
    if lang == "zh":
        return f"【请将以下申诉内容（不含本行）粘贴到 {name} 的申诉表单：{url} 】\n\n"
    return f"[Paste the appeal below (without this line) into {name}'s appeal form: {url} ]\n\n"


def reply_subject(subject: str | None, lang: str) -> str:
    base = _RE_PREFIX.sub("", subject or "").strip()
    if not base:
        base = "申诉" if lang == "zh" else "Appeal"
    return f"Re: {base}"


def draft_message_id(account: str, case_id: int, kind: str, number: int, domain: str,
                     answers: str | None = None) -> str:
    """Deterministic, so a retry after a crash finds the draft it may already have written.
    An answer draft is one per question (``answers``: the question's Message-ID)."""
    seed = f"{account}\0{case_id}\0{kind}\0{number}"
    if kind == "answer" and answers:
        seed += f"\0{answers}"
    digest = hashlib.sha256(seed.encode()).hexdigest()[:16]
    safe_domain = re.sub(r"[^A-Za-z0-9.-]", "", domain) or "appealwatch.invalid"
    return f"<appealwatch.{case_id}.{kind}{number or ''}.{digest}@{safe_domain}>"


@dataclass(frozen=True, slots=True)
class Draft:
    message_id: str
    subject: str
    to: str
    body: str
    raw: bytes

    @property
    def placeholders(self) -> list[str]:
        return PLACEHOLDER.findall(self.body)


def build_message(
    *,
    body: str,
    from_name: str,
    from_addr: str,
    to_addr: str,
    subject: str,
    in_reply_to: str | None,
    references: list[str],
    message_id: str,
    date: datetime,
    case_id: int,
) -> Draft:
    msg = EmailMessage()
    msg["From"] = formataddr((from_name, from_addr)) if from_name else from_addr
    if to_addr:  # a text for a provider's web form is addressed to no one
        msg["To"] = to_addr
    msg["Subject"] = " ".join(subject.split())
    msg["Date"] = format_datetime(date)
    msg["Message-ID"] = message_id
    if in_reply_to:
        msg["In-Reply-To"] = in_reply_to
    refs = [r for r in dict.fromkeys(references) if r]
    if refs:
        msg["References"] = " ".join(refs[-20:])
    msg["X-Appealwatch-Case"] = str(case_id)
    msg.set_content(body, charset="utf-8", cte="8bit")
    raw = msg.as_bytes(policy=msg.policy.clone(max_line_length=998))
    return Draft(message_id, msg["Subject"], to_addr, body, raw)


NOTE_FROM = "appealwatch <appealwatch@notification.invalid>"
NEXT_STEPS = {
    "new_notice": "Read the notice, then send the appeal draft waiting in your Drafts folder "
                  "(or paste it into the provider's form).",
    "possible_notice": "Check whether this is about your account: `appealwatch confirm` or "
                       "`appealwatch dismiss`.",
    "phishing_warning": "Do not click its links or reply; delete it.",
    "needs_reply": "Answer the provider's questions: a draft is waiting in your Drafts folder.",
    "followup_due": "Send the polite follow-up waiting in your Drafts folder.",
    "deadline_near": "Act before the deadline.",
    "deadline_today": "Today is the last day to act.",
    "provider_reply": "Nothing to do now: the provider is working on it.",
    "decision": "Read the decision.",
}


def note_message_id(event_id: str, domain: str) -> str:
    """A notification message's Message-ID, the same whenever the same event is delivered."""
    digest = hashlib.sha256(event_id.encode()).hexdigest()[:24]
    return f"<appealwatch.note.{digest}@{domain}>"


def build_note(event: dict, *, title: str, to_addr: str, message_id: str, date: datetime,
               thread: list[str]) -> bytes:
    """A short notification message for the user's INBOX, clearly marked as appealwatch's own
    and threaded under the case's messages.  Provider text goes in as plain data."""
    msg = EmailMessage()
    msg["From"] = NOTE_FROM
    msg["To"] = to_addr
    msg["Subject"] = " ".join(f"[appealwatch] {title}".split())
    msg["Date"] = format_datetime(date)
    msg["Message-ID"] = message_id
    refs = [r for r in dict.fromkeys(thread) if r]
    if refs:
        msg["In-Reply-To"] = refs[-1]
        msg["References"] = " ".join(refs[-20:])
    msg["X-Appealwatch-Notification"] = str(event.get("event", "event"))
    if isinstance(event.get("case_id"), int):
        msg["X-Appealwatch-Case"] = str(event["case_id"])
    lines = [str(event.get("summary", "")), ""]
    step = NEXT_STEPS.get(str(event.get("event")))
    if step:
        lines += [f"Next step: {step}", ""]
    if isinstance(event.get("case_id"), int):
        lines.append(f"Case {event['case_id']}: `appealwatch show {event['case_id']}` tells its "
                     "story.")
    lines += ["", "-- ", "Written into your INBOX by appealwatch on your own computer; it was "
              "not sent over the internet. It goes away when the case's next event replaces it, "
              "unless you flag or move it."]
    msg.set_content("\n".join(lines), charset="utf-8", cte="8bit")
    return msg.as_bytes(policy=msg.policy.clone(max_line_length=998))


def quoted_lines(text: str) -> list[str]:
    lines = [line.rstrip() for line in text.strip().splitlines()]
    if len(lines) > MAX_QUOTED_LINES:
        lines = [*lines[:MAX_QUOTED_LINES], "[…]"]
    return lines
