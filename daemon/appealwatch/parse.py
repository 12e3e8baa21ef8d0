"""Raw RFC 5322 bytes -> an immutable :class:`ParsedMessage`.

The parser never raises for bad input: whatever cannot be understood is recorded in
``ParsedMessage.defects`` and the rest of the message is still returned.  The header fields are
read by the stdlib header parser (the same code the header-only parse of a backfill uses);
mail-parser parses the MIME structure of the body, and where it fails we fall back to the
stdlib ``email`` package.  Header and body decoding
is our own because both libraries mis-decode Chinese mail (8-bit GBK headers, gb2312 declared for
GBK text); see shared/LIBRARIES.md section 1.
"""

from __future__ import annotations

import codecs
import email
import email.header
import email.message
import email.parser
import email.policy
import email.utils
import logging
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.errors import HeaderParseError
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

# mail-parser logs raw header text (personal data) at ERROR and is slow at DEBUG.
logging.getLogger("mailparser").setLevel(logging.CRITICAL)

MAX_PARSE_BYTES = 256 * 1024  # a notice says what matters long before; attachments are not read
MAX_TEXT_CHARS = 200_000  # enough for any notice; bounds the work on huge messages
MAX_HEADER_CHARS = 4_000  # a 1 MB Subject is cut, and recorded as a defect
MAX_PARTS = 500
MAX_LINKS = 200
MAX_ATTACHED = 3  # attached messages (message/rfc822) kept whole, for unwrapping forwards

# Chinese mail often declares a charset narrower than what it contains.
_CHARSET_SUPERSET = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "cp936": "gb18030",
    "euc-cn": "gb18030",
    "csgb2312": "gb18030",
    "ks_c_5601-1987": "cp949",
    "iso-8859-1": "cp1252",
    "latin-1": "cp1252",
    "us-ascii": "utf-8",
    "ascii": "utf-8",
    "unicode-1-1-utf-7": "utf-7",
}


@dataclass(frozen=True, slots=True)
class Address:
    name: str
    address: str
    domain: str


@dataclass(frozen=True, slots=True)
class AuthResult:
    """One Authentication-Results header (RFC 8601)."""

    authserv_id: str
    spf: str | None = None
    dkim: str | None = None  # the best verdict among the dkim results: pass > others
    dmarc: str | None = None
    dkim_domains: tuple[str, ...] = ()  # header.d of passing signatures
    spf_domain: str | None = None  # smtp.mailfrom domain
    dmarc_from: str | None = None  # header.from


@dataclass(frozen=True, slots=True)
class Link:
    href: str
    text: str
    host: str  # lower-case host name of href ('' when there is none, e.g. mailto:)


@dataclass(frozen=True, slots=True)
class ParsedMessage:
    message_id: str | None = None
    in_reply_to: str | None = None
    references: tuple[str, ...] = ()
    from_: Address | None = None
    reply_to: tuple[Address, ...] = ()
    to: tuple[Address, ...] = ()
    cc: tuple[Address, ...] = ()
    subject: str = ""
    date: datetime | None = None
    text: str = ""
    links: tuple[Link, ...] = ()
    auth_results: tuple[AuthResult, ...] = ()  # in header order: topmost (newest) first
    list_id: str | None = None
    precedence: str | None = None
    auto_submitted: str | None = None
    list_unsubscribe: bool = False
    return_path: str | None = None
    attachments: tuple[str, ...] = ()
    attached: tuple[bytes, ...] = ()  # the raw bytes of attached messages (message/rfc822)
    html_only: bool = False
    size: int = 0
    defects: tuple[str, ...] = field(default=())


# --------------------------------------------------------------------------- decoding helpers


def _codec(charset: str | None) -> str | None:
    """A Python codec name for a MIME charset, or None if unknown."""
    if not charset:
        return None
    cs = charset.strip().strip('"').lower()
    cs = _CHARSET_SUPERSET.get(cs, cs)
    try:
        return codecs.lookup(cs).name
    except (LookupError, ValueError):
        return None


def decode_bytes(data: bytes, charset: str | None, defects: list[str]) -> str:
    """Decode body or header bytes; never raises."""
    codec = _codec(charset)
    if charset and codec is None:
        defects.append(f"unknown charset {charset.strip()[:40]!r}")
    if codec is not None:
        try:
            return data.decode(codec)
        except UnicodeDecodeError:
            defects.append(f"bytes invalid in declared charset {charset!r}")
        except Exception:  # codecs such as utf-7 can raise other errors on garbage
            defects.append(f"charset {charset!r} failed to decode")
    for guess in ("utf-8", "gb18030"):
        try:
            return data.decode(guess)
        except UnicodeDecodeError:
            continue
    return data.decode(codec or "utf-8", "replace") if codec != "utf-7" else data.decode(
        "utf-8", "replace"
    )


def _unsurrogate(value: str, defects: list[str]) -> str:
    """Headers with raw 8-bit bytes arrive with surrogate escapes: recover the bytes."""
    if not any("\udc80" <= ch <= "\udcff" for ch in value):
        return value
    raw = value.encode("utf-8", "surrogateescape")
    defects.append("8-bit bytes in a header")
    return decode_bytes(raw, None, defects)


_FOLD = re.compile(r"\r?\n[ \t]*")
_ENCODED_WORD_GAP = re.compile(r"(\?=)\s+(=\?)")


def decode_header(value: object, defects: list[str]) -> str:
    """Unfold and decode an RFC 2047 header value; never raises."""
    if value is None:
        return ""
    if isinstance(value, email.header.Header):
        value = str(value)
    text = str(value)
    if len(text) > MAX_HEADER_CHARS:
        defects.append(f"header longer than {MAX_HEADER_CHARS} characters was cut")
        text = text[:MAX_HEADER_CHARS]
    text = _unsurrogate(text, defects)
    text = _FOLD.sub(" ", text).strip()
    if "=?" not in text:
        return text
    try:
        parts = email.header.decode_header(text)
    except (HeaderParseError, ValueError, IndexError, LookupError, AssertionError):
        defects.append("undecodable encoded word in header")
        return text
    out = []
    for chunk, charset in parts:
        if isinstance(chunk, bytes):
            out.append(decode_bytes(chunk, charset or "utf-8", defects))
        else:
            out.append(chunk)
    return "".join(out).strip()


_MSGID = re.compile(r"<[^<>\s]{1,500}>")


def _message_ids(value: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(_MSGID.findall(value)))


def _first_id(value: str) -> str | None:
    ids = _message_ids(value)
    if ids:
        return ids[0]
    value = value.strip()
    if value and " " not in value and len(value) < 500:
        return f"<{value.strip('<>')}>"
    return None


def _addresses(raw_values: list[str], defects: list[str]) -> tuple[Address, ...]:
    out: list[Address] = []
    for value in raw_values:
        unfolded = _FOLD.sub(" ", _unsurrogate(str(value)[:MAX_HEADER_CHARS], defects))
        try:
            pairs = email.utils.getaddresses([unfolded])
        except Exception:  # the stdlib address parser has known IndexError bugs
            defects.append("unparseable address header")
            continue
        for name, raw_addr in pairs:
            addr = raw_addr.strip().strip("<>").lower()
            if "@" not in addr:
                if addr or name:
                    defects.append("address without a domain")
                continue
            domain = addr.rsplit("@", 1)[1].strip(".")
            out.append(Address(decode_header(name, defects), addr, domain))
    return tuple(out)


def _date(value: str, defects: list[str]) -> datetime | None:
    if not value:
        return None
    try:
        dt = email.utils.parsedate_to_datetime(_FOLD.sub(" ", value).strip())
    except (TypeError, ValueError, IndexError, OverflowError):
        defects.append("unparseable Date header")
        return None
    if dt is None:
        defects.append("unparseable Date header")
        return None
    if dt.tzinfo is None:
        defects.append("Date header without time zone, read as UTC")
        dt = dt.replace(tzinfo=UTC)
    return dt


# --------------------------------------------------------------------------- Authentication-Results


def _strip_comments(value: str) -> str:
    out, depth = [], 0
    for ch in value:
        if ch == "(":
            depth += 1
        elif ch == ")" and depth:
            depth -= 1
        elif not depth:
            out.append(ch)
    return "".join(out)


_RESINFO = re.compile(r"^\s*([a-z0-9_-]+)\s*=\s*([a-z0-9_-]+)(.*)$", re.I | re.S)
_PROP = re.compile(r"([a-z]+)\.([a-z0-9_-]+)\s*=\s*\"?([^\s;\"]+)", re.I)


def parse_auth_results(value: str) -> AuthResult | None:
    """Parse one Authentication-Results header value (RFC 8601); None if unusable."""
    value = _strip_comments(_FOLD.sub(" ", value))
    pieces = [p.strip() for p in value.split(";")]
    if not pieces or not pieces[0]:
        return None
    authserv_id = pieces[0].split()[0].lower()
    spf = dkim = dmarc = spf_domain = dmarc_from = None
    dkim_domains: list[str] = []
    for piece in pieces[1:]:
        m = _RESINFO.match(piece)
        if not m:
            continue
        method, result, rest = m.group(1).lower(), m.group(2).lower(), m.group(3)
        props = {f"{a.lower()}.{b.lower()}": c.lower() for a, b, c in _PROP.findall(rest)}
        if method == "spf" and spf is None:
            spf = result
            mailfrom = props.get("smtp.mailfrom") or props.get("smtp.helo") or ""
            spf_domain = mailfrom.rsplit("@", 1)[-1] or None
        elif method == "dkim":
            d = props.get("header.d") or props.get("header.i", "").lstrip("@").rsplit("@", 1)[-1]
            if result == "pass":
                dkim = "pass"
                if d:
                    dkim_domains.append(d)
            elif dkim is None or (dkim != "pass" and result in ("fail", "permerror")):
                dkim = result
        elif method == "dmarc" and dmarc is None:
            dmarc = result
            dmarc_from = props.get("header.from")
    return AuthResult(authserv_id, spf, dkim, dmarc, tuple(dkim_domains), spf_domain, dmarc_from)


# --------------------------------------------------------------------------- HTML to text


class _HTMLText(HTMLParser):
    """Readable text and links from HTML.  Nothing is fetched; scripts and styles are dropped."""

    _SKIP = frozenset({"script", "style", "head", "title", "noscript", "template"})
    _BLOCK = frozenset(
        {"p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol",
         "blockquote", "section", "article", "header", "footer", "hr", "pre", "dd", "dt"}
    )

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.links: list[Link] = []
        self._skip = 0
        self._href: str | None = None
        self._link_text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIP:
            self._skip += 1
        elif tag in self._BLOCK:
            self.parts.append("\n")
        elif tag in ("td", "th"):
            self.parts.append(" ")
        if tag == "a":
            self._href = next((v for k, v in attrs if k == "href" and v), None)
            self._link_text = []

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP and self._skip:
            self._skip -= 1
        elif tag in self._BLOCK:
            self.parts.append("\n")
        if tag == "a" and self._href is not None:
            if len(self.links) < MAX_LINKS:
                text = " ".join("".join(self._link_text).split())
                self.links.append(make_link(self._href, text))
            self._href = None

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        self.parts.append(data)
        if self._href is not None:
            self._link_text.append(data)

    def text(self) -> str:
        lines = (" ".join(line.split()) for line in "".join(self.parts).splitlines())
        return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def make_link(href: str, text: str) -> Link:
    href = href.strip()
    try:
        host = (urlsplit(href).hostname or "").lower().strip(".")
    except ValueError:
        host = ""
    return Link(href[:2000], text[:300], host)


def html_to_text(html: str) -> tuple[str, tuple[Link, ...]]:
    parser = _HTMLText()
    try:
        parser.feed(html)
        parser.close()
    except Exception:  # HTMLParser is lenient; this is a last resort for pathological input
        return re.sub(r"<[^>]*>", " ", html), tuple(parser.links)
    return parser.text(), tuple(parser.links)


_ANCHOR = re.compile(r"<a\b([^>]*)>(.*?)</a\s*>", re.I | re.S)
_HREF = re.compile(r"""\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.I)
_TAG = re.compile(r"<[^>]*>")


def html_links(html: str) -> tuple[Link, ...]:
    """The links of an HTML part (href and visible text) without building its text: used when
    a plain-text part exists, an order of magnitude faster than a full HTML parse."""
    import html as htmllib

    links = []
    for m in _ANCHOR.finditer(html):
        href = _HREF.search(m.group(1))
        if href is None:
            continue
        target = htmllib.unescape(next(g for g in href.groups() if g is not None))
        text = " ".join(htmllib.unescape(_TAG.sub(" ", m.group(2))).split())
        links.append(make_link(target, text))
        if len(links) >= MAX_LINKS:
            break
    return tuple(links)


_URL = re.compile(r"\bhttps?://[^\s<>\"')\]]+", re.I)


def text_links(text: str) -> tuple[Link, ...]:
    return tuple(make_link(u.rstrip(".,;:"), "") for u in _URL.findall(text)[:MAX_LINKS])


# --------------------------------------------------------------------------- the parse


_HEADER_END = re.compile(rb"\r?\n\r?\n")
_MIME_FIELD = re.compile(rb"(?im)^(?:content-[a-z0-9-]*|mime-version)[ \t]*:.*(?:\r?\n[ \t].*)*")
_HEADER_PARSER = email.parser.BytesHeaderParser(policy=email.policy.compat32)


_PART_TYPE = re.compile(rb"(?m)^content-type[ \t]*:[ \t]*\"?([a-z0-9!#$&^_.+/-]+)")
_CTE = b"content-transfer-encoding:"
_KEPT_TYPES = (b"text/", b"message/", b"multipart/")


def _without_attachment_data(body: bytes) -> bytes:
    """The body with the base64 data of its non-text parts cut to one line.  Nothing here reads
    an attachment's content (only its name), and the MIME parsers spend most of their time on
    such lines.  Only a part whose own header block says it is base64 and not text, found
    between a boundary line and a blank line, is touched; anything unclear is left alone."""
    low = body.lower()
    if _CTE not in low:
        return body
    out: list[bytes] = []
    pos = at = 0
    while (at := low.find(_CTE, at)) >= 0:
        start = low.rfind(b"\n--", 0, at)
        end_of_head = _HEADER_END.search(low, at)
        if start < 0 or end_of_head is None:
            break
        head = low[start:end_of_head.start()]
        at = end_of_head.end()
        encoding = head[head.rfind(_CTE) + len(_CTE):].split(b"\n", 1)[0]
        kind = _PART_TYPE.search(head)
        if (b"base64" not in encoding or kind is None
                or kind.group(1).startswith(_KEPT_TYPES)):
            continue
        first_line_end = low.find(b"\n", at) + 1
        next_boundary = low.find(b"\n--", at)
        if 0 < first_line_end < next_boundary and first_line_end >= pos:
            out.append(body[pos:first_line_end])
            pos = next_boundary
    if not out:
        return body
    out.append(body[pos:])
    return b"".join(out)


def _split(raw: bytes) -> tuple[email.message.Message, bytes]:
    """The header fields (by the stdlib header parser) and the body with only its MIME header
    fields in front: what mail-parser needs for the MIME structure.  A header block that runs
    into body text without a blank line ends where the header parser says it does."""
    m = _HEADER_END.search(raw)
    head, sep, body = (raw[: m.start()], m.group(0), raw[m.end():]) if m else (raw, b"\n\n", b"")
    headers = _HEADER_PARSER.parsebytes(head)
    spill = headers.get_payload()
    if isinstance(spill, str) and spill:
        spilled = spill.encode("ascii", "surrogateescape")
        head = head[: max(0, len(head) - len(spilled))]
        body = spilled + sep + body if m else spilled
    newline = b"\r\n" if sep.startswith(b"\r") else b"\n"
    fields = [f.rstrip(b"\r") for f in _MIME_FIELD.findall(head)]
    return headers, newline.join([*fields, b""]) + newline + _without_attachment_data(body)


def _mime_tree(raw: bytes, defects: list[str]) -> email.message.Message | None:
    """The MIME structure, parsed by mail-parser from the body and its MIME header fields
    alone: the envelope comes from the header parser, and mail-parser would otherwise spend
    most of its time re-parsing addresses, dates and Received fields that nothing here reads."""
    import mailparser  # here, not at start: the idle service may never parse a message

    try:
        parsed = mailparser.parse_from_bytes(raw)
        for d in getattr(parsed, "defects_categories", ()) or ():
            defects.append(str(d))
        return parsed.message
    except RecursionError:
        defects.append("MIME nesting too deep")
    except Exception as exc:  # mail-parser raises HeaderParseError and others on hostile input
        defects.append(f"mail-parser failed: {type(exc).__name__}")
    try:
        return email.message_from_bytes(raw)
    except RecursionError:
        defects.append("MIME nesting too deep for the stdlib parser")
    except Exception as exc:
        defects.append(f"stdlib parser failed: {type(exc).__name__}")
    return None


def _raw_headers(msg: email.message.Message) -> dict[str, list[str]]:
    """Header values as they were on the wire (8-bit bytes kept as surrogate escapes)."""
    out: dict[str, list[str]] = {}
    try:
        items = list(msg.raw_items())
    except Exception:
        return out
    for name, value in items:
        out.setdefault(str(name).lower(), []).append(str(value))
    return out


def _envelope(headers: dict[str, list[str]], defects: list[str]) -> dict[str, Any]:
    """The header fields both the full parse and the header-only parse read, decoded."""

    def one(name: str) -> str:
        return (headers.get(name.lower()) or [""])[0]

    def every(name: str) -> list[str]:
        return headers.get(name.lower(), [])

    from_list = _addresses(every("From")[:1], defects)
    return {
        "message_id": _first_id(one("Message-ID")),
        "in_reply_to": _first_id(one("In-Reply-To")),
        "references": _message_ids(one("References")),
        "from_": from_list[0] if from_list else None,
        "reply_to": _addresses(every("Reply-To"), defects),
        "to": _addresses(every("To"), defects),
        "subject": decode_header(one("Subject"), defects),
        "date": _date(one("Date"), defects),
        "list_id": decode_header(one("List-Id"), defects) or None,
        "precedence": one("Precedence").strip().lower() or None,
        "list_unsubscribe": bool(one("List-Unsubscribe")),
    }


def _attached(part: email.message.Message, defects: list[str]) -> bytes | None:
    """The bytes of an attached message (a forward as an attachment), or None."""
    try:
        inner = part.get_payload()
        if isinstance(inner, list) and inner:
            data = inner[0].as_bytes()
        else:  # a message/rfc822 part sent base64-encoded is not parsed as a message
            data = part.get_payload(decode=True)
    except Exception:
        defects.append("unreadable attached message")
        return None
    return data[:MAX_PARSE_BYTES] if isinstance(data, bytes) and data else None


def _bodies(
    msg: email.message.Message, defects: list[str]
) -> tuple[str, str, list[str], list[bytes]]:
    plain: list[str] = []
    html: list[str] = []
    attachments: list[str] = []
    attached: list[bytes] = []
    try:
        parts = list(msg.walk())
    except RecursionError:
        defects.append("MIME nesting too deep")
        parts = [msg]
    if len(parts) > MAX_PARTS:
        defects.append(f"more than {MAX_PARTS} MIME parts; the rest ignored")
        parts = parts[:MAX_PARTS]
    budget = MAX_TEXT_CHARS
    for part in parts:
        try:
            if part.get_content_type() == "message/rfc822" and len(attached) < MAX_ATTACHED:
                data = _attached(part, defects)
                if data is not None:
                    attached.append(data)
            if part.is_multipart():
                continue
            ctype = part.get_content_type()
            disposition = (part.get("Content-Disposition") or "").lower()
            filename = part.get_filename()
        except Exception:
            defects.append("unreadable MIME part")
            continue
        if filename or disposition.startswith("attachment") or not ctype.startswith("text/"):
            if filename or not ctype.startswith("multipart/"):
                attachments.append(decode_header(filename or ctype, defects))
            continue
        if ctype not in ("text/plain", "text/html") or budget <= 0:
            continue
        try:
            payload = part.get_payload(decode=True)
        except Exception:
            defects.append("undecodable part payload")
            continue
        if not isinstance(payload, bytes):
            continue
        try:
            charset = part.get_content_charset()
        except Exception:
            charset = None
        text = decode_bytes(payload[: budget * 4], charset, defects)[:budget]
        budget -= len(text)
        (plain if ctype == "text/plain" else html).append(text)
    return "\n\n".join(plain), "\n".join(html), attachments, attached


def parse(raw: bytes) -> ParsedMessage:
    """Parse raw message bytes.  Never raises for any input."""
    defects: list[str] = []
    if not raw:
        return ParsedMessage(defects=("empty message",))
    try:
        return _parse(raw, defects)
    except RecursionError:
        defects.append("MIME nesting too deep")
    except Exception as exc:  # the promise is: bad mail is recorded, never crashes the daemon
        defects.append(f"parse failed: {type(exc).__name__}")
    return ParsedMessage(size=len(raw), defects=tuple(dict.fromkeys(defects)))


def _parse(raw: bytes, defects: list[str]) -> ParsedMessage:
    size = len(raw)
    if size > MAX_PARSE_BYTES:
        # keep every header (however long) and the start of the body
        head_end = _HEADER_END.search(raw, 0, 16 * MAX_PARSE_BYTES)
        cut = max(MAX_PARSE_BYTES, head_end.end() + MAX_PARSE_BYTES // 4 if head_end else 0)
        if cut < size:
            defects.append(f"message of {size} bytes: only the first {cut} were read")
            raw = raw[:cut]
    header_msg, mime_raw = _split(raw)
    for d in header_msg.defects:
        defects.append(type(d).__name__)
    headers = _raw_headers(header_msg)
    envelope = _envelope(headers, defects)
    msg = _mime_tree(mime_raw, defects)
    if msg is None:
        return ParsedMessage(**envelope, size=size, defects=tuple(dict.fromkeys(defects)))
    for d in getattr(msg, "defects", ()) or ():
        defects.append(type(d).__name__)

    def one(name: str) -> str:
        return (headers.get(name.lower()) or [""])[0]

    plain, html, attachments, attached = _bodies(msg, defects)
    links: tuple[Link, ...] = ()
    html_only = False
    if html:
        if plain.strip():
            links = html_links(html)
        else:
            plain, links = html_to_text(html)
            html_only = True
    if not links and plain:
        links = text_links(plain)
    auth = tuple(
        r for r in (parse_auth_results(v) for v in headers.get("authentication-results", []))
        if r
    )
    auto = one("Auto-Submitted").strip().lower() or None
    return_path = _first_id(one("Return-Path"))
    return ParsedMessage(
        **envelope,
        cc=_addresses(headers.get("cc", []), defects),
        text=plain.replace("\r\n", "\n")[:MAX_TEXT_CHARS],
        links=links,
        auth_results=auth,
        auto_submitted=auto,
        return_path=return_path.strip("<>").lower() if return_path else None,
        attachments=tuple(attachments[:100]),
        attached=tuple(attached),
        html_only=html_only,
        size=size,
        defects=tuple(dict.fromkeys(defects)),
    )


def parse_headers(raw: bytes) -> ParsedMessage:
    """Only the header block (a backfill deciding what to fetch): the stdlib header parser, an
    order of magnitude faster than a full parse.  Never raises."""
    defects: list[str] = []
    try:
        msg = _HEADER_PARSER.parsebytes(raw.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0])
    except Exception as exc:
        return ParsedMessage(size=len(raw), defects=(f"header parse failed: "
                                                     f"{type(exc).__name__}",))
    try:
        envelope = _envelope(_raw_headers(msg), defects)
        return ParsedMessage(**envelope, size=len(raw), defects=tuple(dict.fromkeys(defects)))
    except Exception as exc:
        return ParsedMessage(size=len(raw), defects=(f"header parse failed: "
                                                     f"{type(exc).__name__}",))


_QUICK_FIELD = {
    name: re.compile(rb"(?im)^" + name.encode() + rb":[ \t]*(.*(?:\r?\n[ \t].*)*)")
    for name in ("From", "Subject", "List-Id", "Reply-To", "Message-ID")
}
_QUICK_ADDR = re.compile(r"([^\s<>\"(),;:@]+@([A-Za-z0-9.-]+\.[A-Za-z]{2,}))")


def quick_headers(raw: bytes) -> ParsedMessage:
    """From, Reply-To, Subject, List-Id and Message-ID read straight off a header block with
    regular expressions: what a backfill needs to decide whether to fetch a message, at a
    fraction of a real parse's cost.  Never raises."""
    defects: list[str] = []

    def field(name: str) -> str:
        m = _QUICK_FIELD[name].search(raw, 0, 64 * 1024)
        if not m:
            return ""
        text = m.group(1).decode("utf-8", "surrogateescape")
        return decode_header(text, defects) if "=?" in text or max(
            text, default="a") >= "\udc80" else _FOLD.sub(" ", text).strip()

    def address(name: str) -> Address | None:
        value = field(name)
        found = _QUICK_ADDR.findall(value)
        if not found:
            return None
        addr, domain = found[-1]
        display = value.split("<", 1)[0].strip().strip('"') if "<" in value else ""
        return Address(display, addr.lower(), domain.lower().strip("."))

    try:
        sender = address("From")
        reply = address("Reply-To")
        return ParsedMessage(
            message_id=_first_id(field("Message-ID")),
            from_=sender,
            reply_to=(reply,) if reply else (),
            subject=field("Subject"),
            list_id=field("List-Id") or None,
            size=len(raw),
        )
    except Exception as exc:
        return ParsedMessage(size=len(raw), defects=(f"header parse failed: "
                                                     f"{type(exc).__name__}",))
