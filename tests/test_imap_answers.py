"""How the IMAP source reads FETCH answers off the wire (pure: a byte stream, no server)."""

from __future__ import annotations

import io
from datetime import date

import pytest
from imapclient.exceptions import IMAPClientAbortError

from appealwatch.imap.answers import arrival_day, read_answers


class Wire:
    """What ``read_answers`` uses of imaplib's IMAP4: readline, read, and where untagged
    answers and pending tags are kept."""

    def __init__(self, data: bytes) -> None:
        self.stream = io.BytesIO(data)
        self.untagged: list[tuple[str, bytes]] = []
        self.tagged_commands: dict[bytes, None] = {b"A1": None, b"A2": None}

    def readline(self) -> bytes:
        return self.stream.readline()

    def read(self, size: int) -> bytes:
        return self.stream.read(size)

    def _append_untagged(self, typ: str, dat: bytes) -> None:
        self.untagged.append((typ, dat))


def test_each_literal_goes_to_its_uid_wherever_the_server_puts_the_uid():
    wire = Wire(b"* 1 FETCH (UID 7 BODY[HEADER.FIELDS (SUBJECT)] {12}\r\nSubject: a\r\n)\r\n"
                b"* 2 FETCH (BODY[HEADER.FIELDS (SUBJECT)] {12}\r\nSubject: b\r\n UID 9)\r\n"
                b"* 3 FETCH (UID 11 FLAGS (\\Seen))\r\n"  # another client's flag change
                b"* 4 EXISTS\r\n"
                b"A1 OK Fetch completed.\r\n")
    found: dict[int, bytes] = {}
    assert read_answers(wire, b"A1", found, {}) == b"OK Fetch completed.\r\n"
    assert found == {7: b"Subject: a\r\n", 9: b"Subject: b\r\n"}
    assert wire.untagged == [("EXISTS", b"4")]
    assert wire.tagged_commands == {b"A2": None}


def test_a_literal_holding_what_looks_like_a_completion_is_only_a_literal():
    body = b"A1 OK not really\r\n* BYE not really\r\n"
    wire = Wire(b"* 1 FETCH (UID 5 BODY[] {%d}\r\n%s)\r\nA1 NO [SERVERBUG] oops\r\n"
                % (len(body), body))
    found: dict[int, bytes] = {}
    assert read_answers(wire, b"A1", found, {}).startswith(b"NO")
    assert found == {5: body}


def test_answers_of_a_later_command_completing_first_are_kept_for_it():
    wire = Wire(b"* 1 FETCH (UID 1 BODY[] {1}\r\nx)\r\nA2 OK done\r\n"
                b"* 2 FETCH (UID 2 BODY[] {1}\r\ny)\r\nA1 OK done\r\n")
    found: dict[int, bytes] = {}
    completed: dict[bytes, bytes] = {}
    assert read_answers(wire, b"A1", found, completed) == b"OK done\r\n"
    assert read_answers(wire, b"A2", found, completed) == b"OK done\r\n"
    assert found == {1: b"x", 2: b"y"}


def test_arrival_dates_are_read_before_or_after_the_literal_and_alone():
    wire = Wire(b'* 1 FETCH (UID 7 INTERNALDATE " 4-Dec-2026 17:00:00 +0000" BODY[] {1}\r\nx)\r\n'
                b'* 2 FETCH (UID 8 BODY[] {1}\r\ny INTERNALDATE "30-Jun-2025 23:59:59 -0700")\r\n'
                b'* 3 FETCH (UID 12 INTERNALDATE "01-Jan-2020 00:00:00 +0000")\r\n'
                b"A1 OK done\r\n")
    found: dict[int, bytes] = {}
    dates: dict[int, bytes] = {}
    read_answers(wire, b"A1", found, {}, dates)
    assert found == {7: b"x", 8: b"y"}
    assert dates == {7: b" 4-Dec-2026 17:00:00 +0000", 8: b"30-Jun-2025 23:59:59 -0700",
                     12: b"01-Jan-2020 00:00:00 +0000"}


@pytest.mark.parametrize("data", [
    b"* 1 FETCH (UID 7 BODY[] {10}\r\nshort",  # cut inside a literal
    b"* 1 FETCH (UID 7 BODY[] {1}\r\nx",  # cut after it
    b"* 1 FETCH (UID 7 FLA",  # cut inside a line
    b"* BYE shutting down\r\n",
    b"+ go ahead\r\n",
])
def test_a_connection_cut_or_closed_mid_answer_is_a_lost_connection(data):
    with pytest.raises(IMAPClientAbortError):
        read_answers(Wire(data), b"A1", {}, {})


def test_the_arrival_day_is_the_day_written_whatever_the_zone():
    seen: dict = {}
    assert arrival_day(b" 4-Dec-2026 23:30:00 -0800", seen) == date(2026, 12, 4)
    assert arrival_day(b"04-dec-2026 00:10:00 +1400", seen) == date(2026, 12, 4)
    assert arrival_day(b"31-Feb-2026 00:00:00 +0000", seen) is None
    assert arrival_day(b"soon", seen) is None
    assert arrival_day(None, seen) is None
