"""How the IMAP source reads FETCH answers as imaplib hands them over (pure: no server)."""

from __future__ import annotations

from datetime import date

from appealwatch.imap import _arrival_day, _literals


def test_each_literal_goes_to_its_uid_wherever_the_server_puts_the_uid():
    data = [
        (b'1 FETCH (UID 7 BODY[HEADER.FIELDS (SUBJECT)] {12}', b"Subject: a\r\n"),
        b")",
        (b"2 FETCH (BODY[HEADER.FIELDS (SUBJECT)] {12}", b"Subject: b\r\n"),
        b" UID 9)",
        b"3 FETCH (UID 11 FLAGS (\\Seen))",  # an unsolicited flag change: no literal
    ]
    assert _literals(data) == {7: b"Subject: a\r\n", 9: b"Subject: b\r\n"}


def test_arrival_dates_are_read_before_or_after_the_literal_and_alone():
    dates: dict[int, bytes] = {}
    data = [
        (b'1 FETCH (UID 7 INTERNALDATE " 4-Dec-2026 17:00:00 +0000" BODY[] {1}', b"x"),
        b")",
        (b"2 FETCH (UID 8 BODY[] {1}", b"y"),
        b' INTERNALDATE "30-Jun-2025 23:59:59 -0700")',
        b'3 FETCH (UID 12 INTERNALDATE "01-Jan-2020 00:00:00 +0000")',
    ]
    assert _literals(data, dates) == {7: b"x", 8: b"y"}
    assert dates == {7: b" 4-Dec-2026 17:00:00 +0000", 8: b"30-Jun-2025 23:59:59 -0700",
                     12: b"01-Jan-2020 00:00:00 +0000"}


def test_the_arrival_day_is_the_day_written_whatever_the_zone():
    seen: dict = {}
    assert _arrival_day(b" 4-Dec-2026 23:30:00 -0800", seen) == date(2026, 12, 4)
    assert _arrival_day(b"04-dec-2026 00:10:00 +1400", seen) == date(2026, 12, 4)
    assert _arrival_day(b"31-Feb-2026 00:00:00 +0000", seen) is None
    assert _arrival_day(b"soon", seen) is None
    assert _arrival_day(None, seen) is None
