"""Forwarded mail -> the message inside it.  Pure: no I/O; never raises.

People forward notices: from a work address to themselves, or to the colleague who handles the
account.  The forwarded notice is found

- attached as ``message/rfc822`` (parse keeps the attached bytes), or
- inline, under the block of header lines a mail client writes above it.  quotequail reads the
  Western clients (Gmail, Outlook, Apple Mail, Thunderbird, and their European languages); it
  returns nothing, or no sender, for the Chinese ones (QQ Mail and Foxmail's "原始邮件", NetEase's
  "转发邮件信息", Outlook's "发件人/发送时间/收件人/主题", Gmail's "发件人："), whose header
  blocks are read here.

A reply (Re:/回复:, or a message answering another) that quotes earlier mail is not a forward.
Markers that only ever introduce a forward ("Forwarded message", "Begin forwarded message",
"转发邮件信息") count on their own; those that Outlook and QQ Mail also put above a quoted reply
("Original Message", "原始邮件", a bare From/Sent block) count when the subject says Fwd/FW/转发 or
the message answers nothing.  Forwards of forwards are followed to the innermost message.

The inner message is given as a ParsedMessage with its own sender, date, subject, text and links,
and no authentication results: a forwarded copy's authentication cannot be checked.
"""

from __future__ import annotations

import email.utils
import re
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta, timezone, tzinfo

from appealwatch.parse import Address, Link, ParsedMessage, parse, text_links

MAX_DEPTH = 5  # forwards of forwards followed this deep
MAX_UNWRAP_CHARS = 40_000  # a forward marker stands near the top; bounds the work on huge mail
MAX_LINES = 1_500
MAX_BLOCK_LINES = 14  # a header block is short
# quotequail's header search is quadratic in the lines it is given (400 lines of "From:" take
# 0.3 s); a Western client's marker comes right after the forwarder's note
MAX_LIBRARY_LINES = 250


@dataclass(frozen=True, slots=True)
class Forward:
    inner: ParsedMessage  # the forwarded message (innermost, for a forward of a forward)
    forwarded_by: Address | None  # who sent the forward (the outer message's From)
    via: str  # "attached", or the marker line above an inline forward
    chain: tuple[Address, ...] = ()  # everyone who forwarded it, outermost first

    @property
    def sender(self) -> Address | None:
        return self.inner.from_

    @property
    def date(self) -> datetime | None:
        return self.inner.date

    @property
    def subject(self) -> str:
        return self.inner.subject

    @property
    def text(self) -> str:
        return self.inner.text

    @property
    def links(self) -> tuple[Link, ...]:
        return self.inner.links

    @property
    def depth(self) -> int:
        return len(self.chain)


_REPLY_SUBJECT = re.compile(r"^\s*(?:\[[^\]]{1,40}\]\s*)?(?:re|aw|sv|antw|回复|答复)\s*[:：]", re.I)
_FORWARD_SUBJECT = re.compile(r"^\s*(?:\[[^\]]{1,40}\]\s*)?(?:fwd?|fw|wg|tr|转发)\s*[:：]\s*",
                              re.I)
# markers that only ever introduce a forward (any language a client writes them in)
_FORWARD_ONLY = re.compile(
    r"forward|转发|weitergeleitet|réexpédié|transféré|reenviado|vidarebefordrat|doorgestuurd"
    r"|пересылаемое", re.I)
# the Chinese clients' markers, which quotequail does not know
_CHINESE_MARKER = re.compile(
    r"^[-_]{2,}\s*(?:原始邮件|原邮件|转发邮件信息|转发的原邮件|转发的消息|转发的邮件)\s*[-_]{2,}$"
    r"|^(?:开始转发的邮件|以下是转发的邮件|转发的邮件)\s*[:：]$")
_ANY_MARKER = re.compile(r"^(?:[-_]{2,}\s*\S.*[-_]{2,}|_{10,}|[^:：]{0,40}[:：])$")
# a cheap look at the text before anything else: could it hold a forward at all?
_CANDIDATE = re.compile(
    r"(?m)^[ \t>*]*(?:[-_]{2,}[ \t\u00a0]*[^-_\s]|_{10,}|begin |anfang |début |inicio |开始转发"
    r"|以下是转发|转发的邮件|(?:from|von|de|van|från|от кого|发件人|寄件者|发信人|寄件人)"
    r"[ \t\u00a0*]*[:：|])", re.I)

_FIELDS = {
    "from": "from", "发件人": "from", "寄件者": "from", "发信人": "from", "寄件人": "from",
    "date": "date", "sent": "date", "发送时间": "date", "发送日期": "date", "日期": "date",
    "时间": "date", "寄件日期": "date", "发信时间": "date",
    "to": "to", "收件人": "to", "收件者": "to",
    "cc": "cc", "抄送": "cc", "副本": "cc", "抄送人": "cc",
    "subject": "subject", "主题": "subject", "主旨": "subject", "标题": "subject",
}
_FIELD_LINE = re.compile(
    r"^[|*\s]*(?P<name>[A-Za-z]{2,7}|[\u4e00-\u9fff]{2,4})\s*\**\s*"
    r"(?:[:：|\t]|(?<=[\u4e00-\u9fff])\s+)\s*\**\s*(?P<value>.*?)[\s|]*$")
_ADDRESS = re.compile(r"[A-Za-z0-9._%+'=-]{1,64}@(?:[A-Za-z0-9-]{1,63}\.)+[A-Za-z]{2,24}")


def is_forward_subject(subject: str) -> bool:
    """Does a subject say Fwd:, FW: or 转发: (after an optional [tag])?"""
    return bool(_FORWARD_SUBJECT.match(subject))


def unwrap(msg: ParsedMessage) -> Forward | None:
    """The message forwarded inside ``msg``, or None when it is not a forward.  Never raises."""
    try:
        found = _unwrap(msg, 0)
    except RecursionError:
        return None
    except Exception:  # an unwrapping bug must never cost the outer message its verdict
        return None
    if found is None:
        return None
    inner, via, chain = found
    return Forward(inner, msg.from_, via, chain)


def unwrap_body(text: str = "", *, html: str | None = None, subject: str = "",
                date: datetime | None = None, attached: tuple[bytes, ...] = (),
                forwarded_by: Address | None = None) -> Forward | None:
    """``unwrap`` for a body given as text (or HTML) and attached messages."""
    links: tuple[Link, ...] = ()
    if html and not text.strip():
        from appealwatch.parse import html_to_text

        text, links = html_to_text(html)
    return unwrap(ParsedMessage(from_=forwarded_by, subject=subject, date=date, text=text,
                                links=links or text_links(text), attached=attached))


def _unwrap(msg: ParsedMessage, depth: int
            ) -> tuple[ParsedMessage, str, tuple[Address, ...]] | None:
    if depth >= MAX_DEPTH or msg.list_id or _REPLY_SUBJECT.match(msg.subject):
        return None  # a digest of a mailing list holds header blocks too
    inner, via = _attached(msg) or _inline(msg) or (None, "")
    if inner is None:
        return None
    chain = (msg.from_,) if msg.from_ else ()
    deeper = _unwrap(inner, depth + 1)
    if deeper is not None and deeper[0].from_ is not None:
        return deeper[0], deeper[1], chain + deeper[2]
    return inner, via, chain


def _attached(msg: ParsedMessage) -> tuple[ParsedMessage, str] | None:
    for raw in msg.attached:
        inner = parse(raw)
        if inner.from_ is not None:
            return replace(inner, auth_results=()), "attached"
    return None


# --------------------------------------------------------------------------- inline forwards


def _inline(msg: ParsedMessage) -> tuple[ParsedMessage, str] | None:
    text = msg.text[:MAX_UNWRAP_CHARS].replace("\r\n", "\n").replace("\u00a0", " ")
    if not _CANDIDATE.search(text):
        return None
    lines = text.split("\n")[:MAX_LINES]
    found = _quotequail(lines)
    ours = _chinese(lines)
    if ours is not None and (found is None or ours[0] < found[0]):
        found = ours
    if found is None:
        return None
    _start, marker, fields, body = found
    strong = bool(marker and _FORWARD_ONLY.search(marker))
    if not (strong or _FORWARD_SUBJECT.match(msg.subject) or not msg.in_reply_to):
        return None  # "Original Message" above the quote of a reply
    sender = _address(fields.get("from", ""))
    if sender is None:
        return None
    subject = " ".join(fields.get("subject", "").split()) or _FORWARD_SUBJECT.sub(
        "", msg.subject, count=1)
    inner_text = body.strip("\n")
    fallback_tz = msg.date.tzinfo if msg.date is not None else UTC
    inner = ParsedMessage(
        from_=sender,
        to=tuple(a for a in (_address(v) for v in re.split(r"[;,]", fields.get("to", "")))
                 if a),
        subject=subject,
        date=read_date(fields.get("date", ""), fallback_tz),
        text=inner_text,
        links=_inner_links(msg.links, inner_text, text),
        html_only=msg.html_only,
        size=len(inner_text),
    )
    return inner, (marker or "a header block").strip()


def _quotequail(lines: list[str]) -> tuple[int, str, dict[str, str], str] | None:
    """quotequail's reading of a Western client's forward: (line, marker, fields, text)."""
    import quotequail  # imported on the first message that may be a forward (+3.8 MB)

    head = lines[:MAX_LIBRARY_LINES]
    found = quotequail.unwrap("\n".join(head))
    if not found or found.get("type") != "forward":
        return None
    if len(lines) > len(head) and "text_bottom" not in found:
        found["text"] = "\n".join([found.get("text", ""), *lines[len(head):]])
    start = 0
    top = found.get("text_top", "")
    if top:
        joined = "\n".join(head)
        start = joined[: joined.find(top) + len(top)].count("\n") + 1
    marker = next((line.strip() for line in lines[start:start + 50] if line.strip()), "")
    if not _ANY_MARKER.match(marker) or (_FIELD_LINE.match(marker) and _field(marker)):
        marker = ""  # a bare header block
    fields = {k: v for k, v in found.items() if k in ("from", "to", "cc", "subject", "date")}
    text = found.get("text", "")
    if "from" not in fields:
        # a Western marker above Chinese field names (Gmail or Outlook in Chinese)
        block = _block(text.split("\n"), 0)
        if block is None:
            return None
        fields, end = block
        text = "\n".join(text.split("\n")[end:])
    return start, marker, fields, text


def _chinese(lines: list[str]) -> tuple[int, str, dict[str, str], str] | None:
    """A Chinese client's forward: a marker line followed by a header block, or a header block
    with Chinese field names on its own (Outlook in Chinese)."""
    for i, line in enumerate(lines):
        stripped = line.strip().lstrip("> ")
        if not stripped:
            continue
        marker = ""
        if _CHINESE_MARKER.match(stripped) or re.fullmatch(r"[-_]{2,}\s*original\s*[-_]{2,}",
                                                            stripped, re.I):
            marker, first = stripped, i + 1
        elif _FIELD_LINE.match(stripped) and _field(stripped) == "from" and re.search(
                r"[\u4e00-\u9fff]", stripped.split(":")[0].split("：")[0]):
            first = i
        else:
            continue
        block = _block(lines, first)
        if block is None or (not marker and len(block[0]) < 3):
            continue
        fields, end = block
        return i, marker, fields, "\n".join(_unquote(lines[end:]))
    return None


def _field(line: str) -> str | None:
    m = _FIELD_LINE.match(line)
    return _FIELDS.get(m.group("name").lower()) if m else None


def _block(lines: list[str], first: int) -> tuple[dict[str, str], int] | None:
    """The header fields from ``lines[first]`` on (blank lines between them allowed) and the
    index of the first line after them; None unless they name a sender."""
    fields: dict[str, str] = {}
    last: str | None = None
    i = first
    end = first
    while i < len(lines) and i < first + MAX_BLOCK_LINES:
        line = lines[i].strip().lstrip("> ").strip()
        i += 1
        if not line:
            if fields and i < len(lines) and not _field(lines[i].strip().lstrip("> ")):
                break  # the blank line after the block
            continue
        m = _FIELD_LINE.match(line)
        name = _FIELDS.get(m.group("name").lower()) if m else None
        if m and name and name not in fields:
            fields[name] = m.group("value").strip()
            last, end = name, i
        elif last in ("to", "cc") and "@" in line and len(line) < 300:
            fields[last] += " " + line  # a long recipient list wrapped
            end = i
        else:
            break
    if "from" not in fields or len(fields) < 2:
        return None
    return fields, end


def _unquote(lines: list[str]) -> list[str]:
    """Lines of a forward whose every line is quoted with '>' (mutt, some webmail), unquoted."""
    body = [line for line in lines if line.strip()]
    if body and all(line.lstrip().startswith(">") for line in body):
        return [re.sub(r"^\s*> ?", "", line) for line in lines]
    return lines


def _address(value: str) -> Address | None:
    """'Name <a@b>', '"Name"<a@b>;', 'Name [mailto:a@b]', 'a@b' -> an Address."""
    m = _ADDRESS.search(value)
    if m is None:
        return None
    address = m.group(0).lower().strip(".")
    name = value[: m.start()].replace("[mailto:", "").replace("mailto:", "")
    name = name.strip().rstrip("<([").strip().strip("\"'").strip()
    if not name and m.end() < len(value):  # 'a@b (Name)'
        name = value[m.end():].strip().strip(">;,)").strip().lstrip("(").strip("\"'")
    return Address(name[:200], address, address.rsplit("@", 1)[1])


def _inner_links(links: tuple[Link, ...], inner_text: str, whole: str) -> tuple[Link, ...]:
    """The links of the forwarded part: those written in its text, and the HTML part's links
    whose words or address appear in it (a forwarder's signature links are left out)."""
    out: dict[str, Link] = {}
    for link in links:
        if (link.text and link.text in inner_text) or (link.href and link.href in inner_text):
            out.setdefault(link.href, link)
        elif not link.text and link.href not in whole:
            out.setdefault(link.href, link)  # an image link: no way to tell, kept
    for link in text_links(inner_text):
        out.setdefault(link.href, link)
    return tuple(out.values())


# --------------------------------------------------------------------------- dates

_MONTHS = {m: i for i, names in enumerate(
    ("jan january", "feb february", "mar march", "apr april", "may", "jun june", "jul july",
     "aug august", "sep sept september", "oct october", "nov november", "dec december"),
    start=1) for m in names.split()}
_YMD = re.compile(r"(\d{4})\s*[年/.-]\s*(\d{1,2})\s*[月/.-]\s*(\d{1,2})")
_MDY = re.compile(r"\b([A-Za-z]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})")
_DMY = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)?\s+([A-Za-z]{3,9})\.?,?\s+(\d{4})")
_TIME = re.compile(r"(上午|下午|中午|晚上|凌晨|早上)?\s*(\d{1,2})[:：](\d{2})(?:[:：](\d{2}))?"
                   r"(?:\s*([ap])\.?\s?m\b\.?)?", re.I)
_ZONE = re.compile(r"(?:GMT|UTC)\s*([+-])\s*(\d{1,2})(?::?(\d{2}))?"
                   r"|(?<![\d:])([+-])(\d{2}):?(\d{2})\b|\b(GMT|UTC|Z)\b")


def read_date(value: str, fallback: tzinfo | None = UTC) -> datetime | None:
    """A date as mail clients print it above a forward, in English or Chinese; a time without
    a zone is read in ``fallback`` (the forwarder's, from the outer Date).  None if unreadable."""
    value = " ".join(value.split())[:200]
    if not value:
        return None
    day = _day(value)
    if day is None:  # the stdlib's RFC 5322 reader, lenient, as a last resort
        try:
            parsed = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=fallback or UTC)
    hour = minute = second = 0
    t = _TIME.search(value)
    if t:
        period, h, mi, s, ampm = t.groups()
        hour, minute, second = int(h), int(mi), int(s or 0)
        pm = (ampm or "").lower() == "p" or period in ("下午", "晚上")
        am = (ampm or "").lower() == "a" or period in ("上午", "凌晨", "早上")
        if pm and hour < 12:
            hour += 12
        elif am and hour == 12:
            hour = 0
    zone = _zone(value) or fallback or UTC
    try:
        return datetime(*day, hour, minute, second, tzinfo=zone)
    except ValueError:
        return None


def _day(value: str) -> tuple[int, int, int] | None:
    m = _YMD.search(value)
    if m:
        return int(m.group(1)), int(m.group(2)), int(m.group(3))
    m = _MDY.search(value)
    if m and m.group(1).lower() in _MONTHS:
        return int(m.group(3)), _MONTHS[m.group(1).lower()], int(m.group(2))
    m = _DMY.search(value)
    if m and m.group(2).lower() in _MONTHS:
        return int(m.group(3)), _MONTHS[m.group(2).lower()], int(m.group(1))
    return None


def _zone(value: str) -> tzinfo | None:
    m = _ZONE.search(value)
    if m is None:
        return None
    if m.group(7):
        return UTC
    sign, hours, minutes = (m.group(1), m.group(2), m.group(3)) if m.group(1) else (
        m.group(4), m.group(5), m.group(6))
    offset = timedelta(hours=int(hours), minutes=int(minutes or 0))
    if offset >= timedelta(hours=15):
        return None
    return timezone(-offset if sign == "-" else offset)
