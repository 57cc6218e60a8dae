# Copyright (c) 2026 The icsmail authors
#
# Permission is hereby granted, free of charge, to any person obtaining a copy
# of this software and associated documentation files (the "Software"), to deal
# in the Software without restriction, including without limitation the rights
# to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
# copies of the Software, and to permit persons to whom the Software is
# furnished to do so, subject to the following conditions:
#
# The above copyright notice and this permission notice shall be included in
# all copies or substantial portions of the Software.
#
# THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
# IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
# FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
# AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
# LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
# OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
# SOFTWARE.
"""Write, read and e-mail calendar invitations that real calendar clients accept.

One file, standard library only.  It writes iCalendar text (RFC 5545) with
faithful VTIMEZONEs built from the tz database, reads the files and mails that
Outlook, Google, Apple and Thunderbird produce, builds iMIP invitations
(RFC 5546, RFC 6047) and sends them over SMTP.

    >>> from datetime import datetime, timedelta, timezone
    >>> ev = Event("Design review", datetime(2026, 12, 1, 10, tzinfo=timezone.utc),
    ...            duration=timedelta(minutes=45), uid="review-1@example.com",
    ...            organizer="alice@example.com", attendees=["bob@example.com"])
    >>> "DTSTART:20261201T100000Z" in dumps(ev, method="REQUEST")
    True

Command line (``python icsmail.py --help``)::

    python icsmail.py invite --summary "Design review" --start "2026-12-01 10:00" \\
        --tz Europe/London --duration 45m --organizer alice@example.com \\
        --attendee bob@example.com          # writes invite.eml, or sends it via $ICSMAIL_SMTP
    python icsmail.py show invite.eml
"""
from __future__ import annotations

__version__ = "1.0.0"
__license__ = "MIT"
__all__ = [
    # errors
    "ParseError", "SendError",
    # data model
    "Organizer", "Attendee", "Alarm", "Property", "Component", "Event", "Calendar", "occurrences",
    # writer
    "dumps", "dump", "vtimezone",
    # reader
    "loads", "load", "iter_events",
    # iTIP operations
    "update", "cancel", "reply", "apply_reply", "apply_cancel",
    # mail
    "build_message", "send",
]

import bisect
import codecs
import contextlib
import functools
import gc
import heapq
import io
import itertools
import math
import os
import re
import stat
import struct
import sys
from dataclasses import dataclass, field, replace
from dataclasses import fields as _fields
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from collections.abc import Callable, Container, Iterable, Iterator, Mapping, Sequence
from types import MappingProxyType
import zoneinfo
from zoneinfo import ZoneInfo
from time import time as _unix_time  # (the name 'time' is datetime.time here)

TYPE_CHECKING = False  # as typing.TYPE_CHECKING, without importing typing (a tenth of the import time)
if TYPE_CHECKING:  # only for annotations: these modules are imported lazily
    from typing import Any
    import email.message
    import smtplib
else:
    Any = object  # what annotations evaluated at run time (typing.get_type_hints) take Any for

UTC = timezone.utc
CRLF = "\r\n"
_FOLD_OCTETS = 75  # RFC 5545 3.1: lines SHOULD NOT be longer than 75 octets
_PRODID = f"-//icsmail//icsmail {__version__}//EN"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

# --------------------------------------------------------------------------
# 1. Errors
# --------------------------------------------------------------------------


class ParseError(ValueError):
    """An iCalendar text or e-mail that cannot be read.

    ``lineno`` is the 1-based line of the input (0 when unknown), ``line`` its
    text; the message ends with ``(line N)``.  In an e-mail, ``where`` names the
    calendar part the line is of: ``(line N of the calendar in the e-mail)``.

    >>> try:
    ...     loads("BEGIN:VCALENDAR\\r\\nBEGIN:VEVENT\\r\\nEND:VCALENDAR\\r\\n")
    ... except ParseError as e:
    ...     print(e.lineno, e)
    3 END:VCALENDAR does not close BEGIN:VEVENT of line 2 (line 3)
    """

    def __init__(self, msg: str, lineno: int = 0, line: str = "", where: str = "") -> None:
        self.msg = msg
        self.lineno = lineno
        self.line = line
        self.where = where
        super().__init__(f"{msg} ({_place(lineno, where)})" if lineno or where else msg)

    def __reduce__(self):  # keep the fields through pickling (multiprocessing)
        return type(self), (self.msg, self.lineno, self.line, self.where)


def _place(lineno: int, where: str) -> str:
    """``line 8``, ``line 8 of the calendar in the e-mail``, ``the calendar in the e-mail``."""
    if not lineno:
        return where
    return f"line {lineno} of {where}" if where else f"line {lineno}"


class SendError(OSError):
    """Sending over SMTP failed; says which server and what failed.

    ``sent`` lists the Message-IDs the server accepted before the failure,
    ``failed`` maps Message-IDs to the reason they were not accepted,
    ``unknown`` lists messages whose fate the server never confirmed (the
    connection dropped after the whole message was sent: do not resend
    blindly) and ``refused`` maps Message-IDs to the recipients the server
    refused while accepting the rest.
    """

    def __init__(self, msg: str, *, sent: Sequence[str] = (), failed: Mapping[str, str] | None = None,
                 unknown: Sequence[str] = (), refused: Mapping[str, dict] | None = None) -> None:
        super().__init__(msg)
        self.sent = list(sent)
        self.failed = dict(failed or {})
        self.unknown = list(unknown)
        self.refused = dict(refused or {})

    def __str__(self) -> str:
        return self.args[0]


# --------------------------------------------------------------------------
# 2. Text rules (RFC 5545 3.1-3.3, RFC 6868)
# --------------------------------------------------------------------------

class _LazyRegex:
    """A regular expression compiled when first used, for every pattern of the module:
    compiling them all at import would cost a third of its time, and most programs need
    a few.  Once compiled, its methods are found on the object itself, as fast as on
    the pattern.

    >>> _LazyRegex(r"[0-9]+").match("42").group()
    '42'
    """

    def __init__(self, *args: Any) -> None:
        self.args = args

    def __getattr__(self, name: str) -> Any:  # match, search, sub, ...: those of the compiled pattern
        if name.startswith("__") or name == "args":  # (copy and pickle ask before there is any)
            raise AttributeError(name)
        compiled = self.__dict__.get("compiled")
        if compiled is None:
            compiled = self.compiled = re.compile(*self.args)
            for attr in _PATTERN_ATTRS:
                setattr(self, attr, getattr(compiled, attr))
            self.__class__ = _CompiledRegex  # without __getattr__, whose hook slows every look-up
        return getattr(compiled, name)


_PATTERN_ATTRS = ("match", "fullmatch", "search", "sub", "subn", "split", "finditer", "findall",
                  "pattern", "flags", "groups", "groupindex")


class _CompiledRegex:
    """A _LazyRegex once compiled: the pattern's methods and attributes sit on it."""


# Characters no value may carry: the controls (RFC 5545 3.3.11 TSAFE-CHAR and 3.1 SAFE-CHAR
# exclude C0 and DEL; C1 controls such as NEL U+0085 break lines for some readers too) and
# lone surrogates (no UTF-8).  TAB is allowed, CR/LF only in TEXT.
_CONTROL_RE = _LazyRegex("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_LINE_BAD_RE = _LazyRegex("[\x00-\x08\x0a-\x1f\x7f-\x9f\ud800-\udfff]")  # one-line values: no CR/LF either
# What goes into a mail header (a subject, a person's name): no line separator of any kind.
_HEADER_BAD_RE = _LazyRegex("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")
# (str.isprintable() is False for every character either matches: a quicker first check)
_NAME_RE = _LazyRegex(r"[A-Za-z0-9-]+\Z")  # iana-token / x-name (RFC 5545 3.1)
# Quoted too: a value with spaces at an end, which some readers strip from unquoted text.
_PARAM_SPECIAL_RE = _LazyRegex(r'[\^"\r\n:;,]|\A[ \t]|[ \t]\Z')
_PARAM_QUOTE_RE = _LazyRegex(r"[:;,]|\A[ \t]|[ \t]\Z")


def _has_control(text: str) -> bool:
    """Whether ``text`` holds a character ``_CONTROL_RE`` finds; printable text has none (and
    ``isprintable`` is a few times quicker than a regex search, so it looks first).

    >>> _has_control("a\\nb\\tc"), _has_control("a\\x85b")
    (False, True)
    """
    return not text.replace("\n", " ").isprintable() and _CONTROL_RE.search(text) is not None


def _check_controls(value: str, what: str, bad_re: re.Pattern = _CONTROL_RE) -> None:
    bad = bad_re.search(value)
    if bad:
        char = bad.group()
        kind = "lone surrogate" if char >= "\ud800" else "line separator" if char >= "\u2028" else "control character"
        raise ValueError(f"{what} contains the {kind} U+{ord(char):04X}: {value!r}")


def _escape_text(value: str) -> str:
    r"""Escape a TEXT value (RFC 5545 3.3.11); a CR/LF pair becomes one ``\n``.

    >>> _escape_text('a,b;c\\d\r\ne')
    'a\\,b\\;c\\\\d\\ne'
    """
    if "\r" in value:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


@functools.lru_cache(maxsize=1024)  # the same people recur across events: encode each name once
def _param_value(value: str) -> str:
    """Encode a parameter value: RFC 6868 carets, then quotes around ``: ; ,``.

    >>> _param_value('Doe, Jane "JD"')
    '"Doe, Jane ^\\'JD^\\'"'
    """
    if _PARAM_SPECIAL_RE.search(value) is None:
        return value
    # '^' must be encoded first, or the carets introduced below are encoded again.
    value = value.replace("^", "^^").replace('"', "^'")
    value = value.replace("\r\n", "^n").replace("\r", "^n").replace("\n", "^n")
    return f'"{value}"' if _PARAM_QUOTE_RE.search(value) else value


def _fold(line: str) -> str:
    """Fold a content line at 75 octets (RFC 5545 3.1).

    A fold never splits a UTF-8 sequence, nor a backslash escape from its
    letter (some readers unescape before they unfold).

    >>> _fold("X:" + "é" * 40).split(CRLF)[0].encode()[-2:] == "é".encode()
    True
    """
    if len(line) <= _FOLD_OCTETS and line.isascii():
        return line
    data = line.encode()
    return line if len(data) <= _FOLD_OCTETS else b"\r\n ".join(_fold_pieces(data)[0]).decode()


def _fold_pieces(data: bytes) -> tuple[list[bytes], int]:
    """The pieces of a folded line's UTF-8 bytes, and how many more octets the last could take."""
    size = len(data)
    pieces = []
    start, cut = 0, _FOLD_OCTETS
    while cut < size:
        while data[cut] & 0xC0 == 0x80:  # a UTF-8 continuation byte: back off
            cut -= 1
        if data[cut - 1] == 0x5C:  # '\': keep an escape whole
            first = cut - 1
            while first > start and data[first - 1] == 0x5C:
                first -= 1
            if (cut - first) % 2:
                cut -= 1
        pieces.append(data[start:cut])
        start, cut = cut, cut + _FOLD_OCTETS - 1  # continuation lines start with a space
    pieces.append(data[start:])
    return pieces, cut - size


def _fold_start(text: str) -> tuple[str, int] | None:
    """``text`` folded as the start of a longer line, with the octets its last piece can still take;
    None when a tail could change how it is cut (it ends with a backslash)."""
    data = text.encode()
    if data.endswith(b"\\"):
        return None
    pieces, room = _fold_pieces(data)
    return b"\r\n ".join(pieces).decode(), room


def _fold_rest(start: tuple[str, int], tail: str) -> str:
    """The folded line ``start`` (from ``_fold_start``) continues with ``tail``: ASCII, no backslash.

    >>> _fold_rest(_fold_start("X;A=" + "é" * 40), ":" + "x" * 80) == _fold("X;A=" + "é" * 40 + ":" + "x" * 80)
    True
    """
    folded, room = start
    if len(tail) <= room:
        return folded + tail
    step = _FOLD_OCTETS - 1
    if len(tail) - room <= step:  # one more fold: the usual case
        return f"{folded}{tail[:room]}\r\n {tail[room:]}"
    return "\r\n ".join([folded + tail[:room]] + [tail[i:i + step] for i in range(room, len(tail), step)])


_TEXT_ESCAPES_UTF8 = tuple((raw.encode(), escaped.encode())
                           for raw, escaped in (("\\", "\\\\"), (";", "\\;"), (",", "\\,"), ("\n", "\\n")))


def _text_line(head: str, value: str) -> str:
    """``head:value`` with ``value`` escaped as TEXT, folded.

    A long value is escaped in its UTF-8 bytes: quicker than escaping, joining
    and then encoding it as a str (a description is the longest line there is).

    >>> _text_line("X", "a,b\\n" * 30) == _fold("X:" + _escape_text("a,b\\n" * 30))
    True
    """
    if len(value) < 64:
        return _fold(f"{head}:{_escape_text(value)}")
    data = value.encode()
    if b"\r" in data:
        data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    for raw, escaped in _TEXT_ESCAPES_UTF8:
        data = data.replace(raw, escaped)
    return b"\r\n ".join(_fold_pieces(b"%s:%s" % (head.encode(), data))[0]).decode()


def _params_text(params: Iterable[tuple[str, Any]]) -> str:
    """``;NAME=value`` text for (name, value) pairs; a tuple value is a list."""
    out = []
    for name, value in params:
        if isinstance(value, (tuple, list)):
            out.append(f";{name}={','.join(_param_value(v) for v in value)}")
        else:
            out.append(f";{name}={_param_value(value)}")
    return "".join(out)


# Dates and times are written from a table of two-digit strings: faster than any formatting.
_TWO_DIGITS = tuple(f"{n:02d}" for n in range(100))


def _fmt_date(d: date) -> str:
    two, year = _TWO_DIGITS, d.year
    return f"{two[year // 100]}{two[year % 100]}{two[d.month]}{two[d.day]}"


def _fmt_local(dt: datetime) -> str:
    two, year = _TWO_DIGITS, dt.year
    return (f"{two[year // 100]}{two[year % 100]}{two[dt.month]}{two[dt.day]}"
            f"T{two[dt.hour]}{two[dt.minute]}{two[dt.second]}")


def _fmt_utc(dt: datetime) -> str:
    if dt.tzinfo is not UTC:
        dt = dt.astimezone(UTC)
    return _fmt_local(dt) + "Z"


def _fmt_offset(seconds: int) -> str:
    """UTC-OFFSET (RFC 5545 3.3.14): ``+HHMM``, seconds only when not zero.

    >>> _fmt_offset(-(44 * 60 + 30)), _fmt_offset(0)
    ('-004430', '+0000')
    """
    sign = "-" if seconds < 0 else "+"
    minutes, secs = divmod(abs(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{sign}{hours:02d}{minutes:02d}{secs:02d}" if secs else f"{sign}{hours:02d}{minutes:02d}"


class _Elapsed(timedelta):
    """A duration that is elapsed time all through, as a file says ``PT24H`` (a timedelta keeps
    24 hours as one day, which RFC 5545 3.3.6 counts in calendar days: an hour apart when the
    clocks change that day)."""
    __slots__ = ()


def _fmt_duration(value: timedelta) -> str:
    """DURATION (RFC 5545 3.3.6): days are nominal, the rest exact.

    >>> _fmt_duration(timedelta(days=1, minutes=30)), _fmt_duration(timedelta(minutes=-15))
    ('P1DT30M', '-PT15M')
    """
    if type(value) is _Elapsed and abs(value).days:  # 24 hours or more, said in hours
        return ("-" if value < timedelta(0) else "") + _fmt_elapsed(abs(value))
    sign = ""
    if value < timedelta(0):
        sign, value = "-", -value
    days, seconds = value.days, value.seconds
    if not seconds:
        if days and days % 7 == 0:
            return f"{sign}P{days // 7}W"
        return f"{sign}P{days}D"
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    text = f"{sign}P{days}DT" if days else f"{sign}PT"
    if hours:
        text += f"{hours}H"
    if minutes or (hours and secs):
        text += f"{minutes}M"
    if secs:
        text += f"{secs}S"
    return text


def _fmt_elapsed(length: timedelta) -> str:
    """An exact length as a DURATION without days (whose length a change of clocks alters).

    >>> _fmt_elapsed(timedelta(days=1, minutes=30))
    'PT24H30M'
    """
    if length.days <= 0:
        return _fmt_duration(length)
    hours, rest = divmod(length.days * 86400 + length.seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"PT{hours}H" + (f"{minutes}M" if minutes or seconds else "") + (f"{seconds}S" if seconds else "")


# --------------------------------------------------------------------------
# 3. Time zones: TZif (RFC 8536) and POSIX TZ rules to VTIMEZONE, and back
# --------------------------------------------------------------------------

_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")  # index = date.weekday()
_TZIF_HEADER = struct.Struct(">4sc15x6l")  # magic, version, six counts (RFC 8536 3.1)

# The POSIX TZ string of a TZif footer (RFC 8536 3.3), e.g. "CET-1CEST,M3.5.0,M10.5.0/3":
#   std offset [dst [offset] [,start[/time],end[/time]]]
# Offsets are west-positive ("CET-1" is UTC+1); names are alphabetic or <quoted>.
_POSIX_TZ_RE = _LazyRegex(r"""
    (?P<std> <[^>]*> | [A-Za-z]+ )  (?P<stdoff> [+-]?\d+(?::\d+){0,2} )
    (?: (?P<dst> <[^>]*> | [A-Za-z]+ ) (?P<dstoff> [+-]?\d+(?::\d+){0,2} )?
        (?: ,(?P<start> [^,/]+ ) (?:/(?P<starttime> [+-]?\d+(?::\d+){0,2} ))?
            ,(?P<end> [^,/]+ ) (?:/(?P<endtime> [+-]?\d+(?::\d+){0,2} ))? )?
    )? \Z""", re.VERBOSE)
# A rule date: Mm.w.d (w=5: last, d=0: Sunday), Jn (1-365, no Feb 29) or n (0-365).
_POSIX_DATE_RE = _LazyRegex(r"M(?P<m>\d{1,2})\.(?P<w>[1-5])\.(?P<d>[0-6])\Z|J(?P<j>\d{1,3})\Z|(?P<n>\d{1,3})\Z",
                            re.ASCII)


def _hms(text: str) -> int:
    """``[+-]hh[:mm[:ss]]`` to seconds."""
    sign = -1 if text.startswith("-") else 1
    parts = [int(p) for p in text.lstrip("+-").split(":")] + [0, 0]
    return sign * (parts[0] * 3600 + parts[1] * 60 + parts[2])


@dataclass(frozen=True)
class _PosixRule:
    """One rule date of a POSIX TZ string: ``kind`` M, J or N, with ``time`` seconds."""
    kind: str
    month: int = 0
    week: int = 0
    weekday: int = 0  # POSIX: 0 = Sunday
    day: int = 0
    time: int = 7200

    def local_date(self, year: int) -> date:
        if self.kind == "J":  # 1-365, February 29 never counted
            d = date(year, 1, 1) + timedelta(self.day - 1)
            return d + timedelta(1) if self.day >= 60 and _is_leap(year) else d
        if self.kind == "N":  # 0-365, February 29 counted
            return date(year, 1, 1) + timedelta(self.day)
        first = date(year, self.month, 1)
        day = 1 + (((self.weekday - 1) % 7) - first.weekday()) % 7 + 7 * (self.week - 1)
        if day > _month_days(year, self.month):
            day -= 7
        return first.replace(day=day)

    def onset(self, year: int, offset_before: int) -> int:
        """The UTC instant (epoch seconds) of this rule in ``year``."""
        d = self.local_date(year)
        return (d - date(1970, 1, 1)).days * 86400 + self.time - offset_before


def _is_leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def _month_days(year: int, month: int) -> int:
    if month == 2:
        return 29 if _is_leap(year) else 28
    return 30 if month in (4, 6, 9, 11) else 31


@dataclass(frozen=True)
class _PosixTZ:
    std_abbr: str
    std_offset: int  # seconds east of UTC
    dst_abbr: str | None = None
    dst_offset: int | None = None
    start: _PosixRule | None = None  # DST begins, in local standard time
    end: _PosixRule | None = None  # DST ends, in local daylight time

    def transitions(self, year: int) -> list[tuple[int, int, int, bool, str]]:
        """(utc, from, to, isdst, abbr) for the DST changes of ``year``, in order."""
        if self.start is None:
            return []
        on = self.start.onset(year, self.std_offset)
        off = self.end.onset(year, self.dst_offset)
        out = [(on, self.std_offset, self.dst_offset, True, self.dst_abbr),
               (off, self.dst_offset, self.std_offset, False, self.std_abbr)]
        out.sort()
        return out

    def permanent_dst(self) -> bool:
        """True for "DST all year" rules such as ``EST5EDT,0/0,J365/25`` (RFC 8536 3.3.1)."""
        if self.start is None:
            return False
        year = 2001
        off = self.end.onset(year, self.dst_offset)
        return off >= self.start.onset(year + 1, self.std_offset) and self.start.onset(year, self.std_offset) < off


def _parse_posix_tz(text: str) -> _PosixTZ | None:
    """Parse a TZif footer; ``None`` for an empty or unusable one.

    >>> _parse_posix_tz("<+0545>-5:45").std_offset
    20700
    """
    m = _POSIX_TZ_RE.match(text)
    if not m:
        return None

    def abbr(name: str) -> str:
        return name[1:-1] if name.startswith("<") else name

    std_offset = -_hms(m["stdoff"])
    if not m["dst"]:
        return _PosixTZ(abbr(m["std"]), std_offset)
    dst_offset = -_hms(m["dstoff"]) if m["dstoff"] else std_offset + 3600
    if not m["start"]:  # POSIX's implementation-defined default: the US rule
        start, end = ("M3.2.0", "2"), ("M11.1.0", "2")
    else:
        start, end = (m["start"], m["starttime"]), (m["end"], m["endtime"])
    rules = []
    for spec, when in (start, end):
        dm = _POSIX_DATE_RE.match(spec)
        if not dm:
            return None
        seconds = _hms(when) if when else 7200
        if dm["m"]:
            rules.append(_PosixRule("M", int(dm["m"]), int(dm["w"]), int(dm["d"]), time=seconds))
        elif dm["j"]:
            rules.append(_PosixRule("J", day=int(dm["j"]), time=seconds))
        else:
            rules.append(_PosixRule("N", day=int(dm["n"]), time=seconds))
    tz = _PosixTZ(abbr(m["std"]), std_offset, abbr(m["dst"]), dst_offset, rules[0], rules[1])
    if tz.permanent_dst():
        return _PosixTZ(tz.dst_abbr, dst_offset)
    return tz


@dataclass
class _TzData:
    """What a TZif file says, reduced to what a VTIMEZONE needs.

    ``trans`` holds real changes only (offset changes; no-op entries such as
    the 2038 sentinel of "fat" files are dropped) as tuples
    (utc, from, to, isdst, abbr, previous isdst).  ``rule_from`` is the index
    in ``trans`` from which every change is the footer's yearly rule, and
    ``rule_start`` its UTC instant (``None`` without a DST footer).
    """
    key: str
    initial: tuple[int, bool, str]  # offset, isdst, abbr before the first change
    trans: list[tuple[int, int, int, bool, str, bool]]
    times: list[int]
    footer: _PosixTZ | None
    rule_from: int
    rule_start: int | None


def _no_tz_database() -> ValueError:
    return ValueError("no time zone database found: install the tzdata package (pip install tzdata)")


def _zoneinfo(key: str) -> ZoneInfo:
    """``ZoneInfo(key)`` with errors that say what is wrong and how to fix it."""
    try:
        return ZoneInfo(key)
    except zoneinfo.ZoneInfoNotFoundError:
        if not _tz_database_present():
            raise _no_tz_database() from None
        raise ValueError(f"unknown time zone {key!r}") from None
    except (ValueError, OSError, TypeError) as exc:  # bad keys: absolute paths, '..', NUL
        raise ValueError(f"invalid time zone name {key!r}: {exc}") from None


def _zone_file_name(path: str) -> str:
    """The zone name of a tz database file (``/usr/share/zoneinfo/Europe/Paris``, or a link to
    one such as ``/etc/localtime``); '' when the path leads to none."""
    try:
        target = os.path.realpath(path)
    except (OSError, ValueError):
        return ""
    marker = "zoneinfo" + os.sep
    return target.split(marker, 1)[1] if marker in target else ""


def _is_alias_file(key: str) -> bool:
    """Whether ``key`` is a tz database file that names no zone of its own, only leads to one."""
    return key in ("localtime", "posixrules") or key.startswith("posix/")


def _named_key(key: str) -> str:
    """A zone key as calendars know it: ``posix/Area/City`` is a copy of ``Area/City``, and the
    files ``localtime`` and ``posixrules`` name the zone they lead to (else the key as it is)."""
    if not _is_alias_file(key):
        return key
    plain = _iana_zone(key[6:]) if key.startswith("posix/") else None
    if plain is not None:
        return plain.key
    found = next((_zone_file_name(os.path.join(root, key)) for root in zoneinfo.TZPATH
                  if os.path.isfile(os.path.join(root, key))), "")
    zone = _iana_zone(found) if found and found != key else None
    return zone.key if zone is not None else key


@functools.lru_cache(maxsize=None)
def _tz_database_present() -> bool:
    if any(os.path.isfile(os.path.join(p, "UTC")) for p in zoneinfo.TZPATH):
        return True
    try:
        import importlib.util
        return importlib.util.find_spec("tzdata") is not None
    except (ImportError, ValueError):
        return False


def _tzif_bytes(key: str) -> bytes:
    """The TZif file ``ZoneInfo(key)`` reads: TZPATH first, then the tzdata package."""
    _zoneinfo(key)  # validates the key (no absolute path, no '..') before it touches a path
    for root in zoneinfo.TZPATH:
        path = os.path.join(root, key)
        if os.path.isfile(path):
            with open(path, "rb") as f:
                return f.read()
    try:
        from importlib import resources
        *package, name = key.split("/")
        return resources.files(".".join(["tzdata", "zoneinfo"] + package)).joinpath(name).read_bytes()
    except (ImportError, OSError, ValueError) as exc:
        raise ValueError(f"cannot read the tz database entry for {key!r}: {exc}") from None


def _parse_tzif(data: bytes, key: str) -> tuple[list[int], list[int], list[tuple[int, bool, str]], str]:
    """Transition times, their type indices, the types and the footer of a TZif file."""
    if len(data) < 44 or data[:4] != b"TZif":
        raise ValueError(f"time zone {key!r}: not a TZif file")
    _, version, isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt = _TZIF_HEADER.unpack_from(data)
    pos, fmt, size = 44, "l", 4
    if version >= b"2":  # skip the 32-bit block: version 2+ data follows it
        pos += (timecnt * 5  # transition times and their type indices
                + typecnt * 6  # ttinfo records
                + charcnt  # abbreviation characters
                + leapcnt * 8  # leap second records
                + isstdcnt + isutcnt)  # indicator bytes
        _, _, isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt = _TZIF_HEADER.unpack_from(data, pos)
        pos, fmt, size = pos + 44, "q", 8
    times = list(struct.unpack_from(f">{timecnt}{fmt}", data, pos))
    pos += timecnt * size
    indices = list(data[pos:pos + timecnt])
    pos += timecnt
    records = [struct.unpack_from(">lBB", data, pos + 6 * i) for i in range(typecnt)]
    pos += typecnt * 6
    chars = data[pos:pos + charcnt]
    pos += charcnt + leapcnt * (size + 4) + isstdcnt + isutcnt
    types = []
    for utoff, isdst, abbrind in records:
        end = chars.find(b"\0", abbrind)
        types.append((utoff, bool(isdst), chars[abbrind:end if end >= 0 else None].decode("ascii", "replace")))
    footer = ""
    if version >= b"2":
        tail = data[pos:].split(b"\n")
        footer = tail[1].decode("ascii", "replace") if len(tail) > 2 else ""
    return times, indices, types, footer


@functools.lru_cache(maxsize=None)
def _tzdata(key: str) -> _TzData:
    if key[:6].lower() == "right/":
        raise ValueError(f"time zone {key!r} counts leap seconds, which civil time and RFC 5545 do not: "
                         f"use {key[6:]!r}")
    times, indices, types, footer_text = _parse_tzif(_tzif_bytes(key), key)
    if not types:
        raise ValueError(f"time zone {key!r}: TZif file has no types")
    # Before the first transition: the first non-DST type (as zoneinfo and zic do).
    first = next((t for t in types if not t[1]), types[0])
    trans = []
    prev = first
    for utc, index in zip(times, indices):
        cur = types[index]
        if cur[0] != prev[0]:
            trans.append((utc, prev[0], cur[0], cur[1], cur[2], prev[1]))
        prev = cur
    footer = _parse_posix_tz(footer_text)
    if footer is not None and trans and footer.start is None and footer.std_offset != trans[-1][2]:
        # The footer takes over after the last transition with another offset.
        last = times[-1] if times else trans[-1][0]
        trans.append((last, trans[-1][2], footer.std_offset, False, footer.std_abbr, trans[-1][3]))
    rule_from, rule_start = len(trans), None
    if footer is not None and footer.start is not None:
        rule_from, rule_start = _rule_era(trans, footer)
    return _TzData(key, (first[0], first[1], first[2]), trans, [t[0] for t in trans], footer,
                   rule_from, rule_start)


def _rule_era(trans: list, footer: _PosixTZ) -> tuple[int, int]:
    """Where the footer's yearly rule starts to describe every change.

    Walk back over the explicit tail while each change is one the rule makes,
    then move forward until the rule makes exactly that tail (a zone may have
    left and rejoined the rule, like America/Grand_Turk in 2015-2018).
    """
    def made_by_rule(t: tuple) -> bool:
        year = _utc_of(t[0]).year
        return any(r[:3] == t[:3] for y in (year - 1, year, year + 1) for r in footer.transitions(y))

    k = len(trans)
    while k > 0 and made_by_rule(trans[k - 1]):
        k -= 1
    while k < len(trans):
        first_year = _utc_of(trans[k][0]).year
        last_year = _utc_of(trans[-1][0]).year
        made = [r[:3] for y in range(first_year - 1, last_year + 2) for r in footer.transitions(y)
                if trans[k][0] <= r[0] <= trans[-1][0]]
        if made == [t[:3] for t in trans[k:]]:
            break
        k += 1
    if k < len(trans):
        return k, trans[k][0]
    # The rule starts after the last explicit change: its first transition.
    after = trans[-1][0] if trans else -(2 ** 62)
    year = _utc_of(after).year if trans else 1900
    for y in range(year, year + 3):
        for r in footer.transitions(y):
            if r[0] > after:
                return k, r[0]
    return k, after  # unreachable for a well-formed rule


_MIN_SECONDS = -62135596800  # 0001-01-01T00:00:00Z
_MAX_SECONDS = 253402300799  # 9999-12-31T23:59:59Z


def _utc_of(seconds: int) -> datetime:
    """Epoch seconds to a naive UTC datetime, clamped to datetime's range (TZif has -2**59)."""
    return datetime(1970, 1, 1) + timedelta(seconds=min(max(seconds, _MIN_SECONDS), _MAX_SECONDS))


def _epoch_seconds(value: date | datetime) -> int:
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"vtimezone() needs dates or aware datetimes, got the naive {value!r}")
        return int((value - _EPOCH).total_seconds())
    return (value - date(1970, 1, 1)).days * 86400


def _wall(utc: int, offset: int) -> str:
    """The local wall time ``utc + offset`` as a floating DATE-TIME."""
    return _fmt_local(_utc_of(utc + offset))


def _observance_kind(to: int, frm: int, isdst: bool, prev_isdst: bool) -> str:
    """DAYLIGHT or STANDARD, in the tz "rearguard" view where DST is never negative.

    Europe/Dublin's summer IST (+01) is DAYLIGHT although the tz database
    marks its winter GMT as the DST type; offsets are the same either way.
    """
    if (isdst and to >= frm) or (not isdst and prev_isdst and to > frm):
        return "DAYLIGHT"
    return "STANDARD"


def _rrule_for(rule: _PosixRule) -> str | None:
    """The RRULE that repeats a POSIX ``Mm.w.d/time`` rule, or None if none can.

    Times outside 0-24 h move the day: America/Nuuk's ``M3.5.0/-1`` is the
    Saturday before the last Sunday of March, ``BYMONTHDAY=24,...,30;BYDAY=SA``;
    Africa/Cairo's ``M10.5.4/24`` crosses into November, so its days are
    counted from the year's end (``BYYEARDAY``, the same in leap years).
    """
    if rule.kind != "M":
        return None
    shift = rule.time // 86400
    weekday = _WEEKDAYS[(rule.weekday - 1 + shift) % 7]
    if shift == 0:
        nth = -1 if rule.week == 5 else rule.week
        return f"FREQ=YEARLY;BYMONTH={rule.month};BYDAY={nth}{weekday}"
    if rule.month == 2:
        return None  # February's length varies: no day list holds every year
    length = _month_days(2001, rule.month)
    days = range(length - 6, length + 1) if rule.week == 5 else range(7 * rule.week - 6, 7 * rule.week + 1)
    moved = [d + shift for d in days]
    if all(1 <= d <= length for d in moved):
        return f"FREQ=YEARLY;BYMONTH={rule.month};BYMONTHDAY={','.join(map(str, moved))};BYDAY={weekday}"
    dates = [date(2001, rule.month, 1) + timedelta(d - 1) for d in moved]
    if any(d.year != 2001 or d.month < 3 for d in dates):
        return None  # into another year, or around February
    yeardays = [(d - date(2002, 1, 1)).days for d in dates]  # -1 is December 31
    return f"FREQ=YEARLY;BYYEARDAY={','.join(map(str, yeardays))};BYDAY={weekday}"


def _vtimezone_lines(key: str, start: int, end: int | None) -> list[str]:
    """VTIMEZONE content lines for ``key`` covering UTC seconds [start, end].

    One base observance in force at ``start``, one component per explicit
    change inside the span, then the footer rule as one STANDARD and one
    DAYLIGHT with an open-ended yearly RRULE: the pair Outlook reads (it takes
    the components with the largest DTSTART, MS-OXCICAL 2.1.3.1.1.19).
    """
    tz = _tzdata(key)
    lines = ["BEGIN:VTIMEZONE", f"TZID:{key}"]
    rule_start = tz.rule_start

    def component(kind: str, onset: int, frm: int, to: int, abbr: str, rrule: str | None = None) -> None:
        lines.append(f"BEGIN:{kind}")
        lines.append(f"DTSTART:{_wall(onset, frm)}")
        if rrule:
            lines.append(f"RRULE:{rrule}")
        lines.append(f"TZOFFSETFROM:{_fmt_offset(frm)}")
        lines.append(f"TZOFFSETTO:{_fmt_offset(to)}")
        if abbr:
            lines.append(f"TZNAME:{_escape_text(abbr)}")
        lines.append(f"END:{kind}")

    if rule_start is None or start < rule_start:
        i0 = bisect.bisect_right(tz.times, start) - 1
        if i0 >= 0:
            utc, frm, to, isdst, abbr, prev_isdst = tz.trans[i0]
            component(_observance_kind(to, frm, isdst, prev_isdst), utc, to, to, abbr)
        else:
            offset, isdst, abbr = tz.initial
            year = max(min(1970, _utc_of(start).year) - 1, 2)  # local 1 January of the year before: west of
            # UTC that is still before the start, so readers have an offset from the first instant on
            onset = int((datetime(year, 1, 1) - datetime(1970, 1, 1)).total_seconds()) - offset
            component("STANDARD", onset, offset, offset, abbr)
        stop = tz.rule_from if rule_start is not None else len(tz.trans)
        for utc, frm, to, isdst, abbr, prev_isdst in tz.trans[i0 + 1:stop]:
            if end is not None and utc > end:
                break
            component(_observance_kind(to, frm, isdst, prev_isdst), utc, frm, to, abbr)
    if rule_start is not None and (end is None or end >= rule_start):
        footer = tz.footer
        year = _utc_of(rule_start).year - 1
        firsts: dict[bool, tuple] = {}
        while len(firsts) < 2 and year < 9000:
            for t in footer.transitions(year):
                if t[0] >= rule_start and t[3] not in firsts:
                    firsts[t[3]] = (t, year)
            year += 1
        pair = sorted(firsts.values())
        rrules = {t[3]: _rrule_for(footer.start if t[3] else footer.end) for t, y in pair}
        if all(rrules.values()):
            big = max(footer.std_offset, footer.dst_offset)
            for (utc, frm, to, isdst, abbr), _ in pair:
                component("DAYLIGHT" if to == big else "STANDARD", utc, frm, to, abbr, rrules[isdst])
        else:  # a rule no RRULE can express: list its changes up to the end
            limit = end if end is not None else _epoch_seconds(date(2100, 1, 1))
            year = _utc_of(rule_start).year - 1
            while True:
                stop_now = False
                for utc, frm, to, _, abbr in footer.transitions(year):
                    if utc > limit:
                        stop_now = True
                        break
                    if utc >= rule_start:
                        big = max(frm, to)
                        component("DAYLIGHT" if to == big else "STANDARD", utc, frm, to, abbr)
                if stop_now:
                    break
                year += 1
    if "BEGIN:STANDARD" not in lines:  # summer time all through the span (Pacific/Apia, 2011): readers built
        first = lines.index("BEGIN:DAYLIGHT")  # on dateutil fail without a STANDARD; the one in force is it
        lines[first], lines[lines.index("END:DAYLIGHT", first)] = "BEGIN:STANDARD", "END:STANDARD"
    lines.append("END:VTIMEZONE")
    return lines


def _zone_key(zone: ZoneInfo | str) -> str:
    if isinstance(zone, str):
        return _named_key(_zoneinfo(zone).key)
    if isinstance(zone, ZoneInfo):
        if zone.key is None:
            raise ValueError("vtimezone() needs a ZoneInfo with a key (not one made by ZoneInfo.from_file)")
        return _named_key(zone.key)
    raise TypeError(f"zone must be a ZoneInfo or an IANA name, not {type(zone).__name__}")


def vtimezone(zone: ZoneInfo | str, start: date | datetime, end: date | datetime | None = None) -> str:
    """VTIMEZONE text for ``zone``, faithful to the tz database from ``start`` to ``end``.

    ``end=None`` covers an open-ended recurrence.  Lines end in CRLF.

    >>> print(vtimezone("Europe/Berlin", date(2026, 1, 1), date(2026, 12, 31)), end="")
    ... # doctest: +NORMALIZE_WHITESPACE
    BEGIN:VTIMEZONE
    TZID:Europe/Berlin
    BEGIN:DAYLIGHT
    DTSTART:19960331T020000
    RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU
    TZOFFSETFROM:+0100
    TZOFFSETTO:+0200
    TZNAME:CEST
    END:DAYLIGHT
    BEGIN:STANDARD
    DTSTART:19961027T030000
    RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU
    TZOFFSETFROM:+0200
    TZOFFSETTO:+0100
    TZNAME:CET
    END:STANDARD
    END:VTIMEZONE
    """
    key = _zone_key(zone)
    for name, value in (("start", start), ("end", end)):
        if not isinstance(value, date) and (value is not None or name == "start"):
            raise TypeError(f"vtimezone() {name} must be a date or an aware datetime, not {value!r}")
        if isinstance(value, datetime) and (value.tzinfo is None or value.utcoffset() is None):
            raise ValueError(f"vtimezone() {name} must be a date or an aware datetime, not the naive {value!r}")
    lo = _epoch_seconds(start)
    hi = None if end is None else _epoch_seconds(end)
    if hi is not None and hi < lo:
        raise ValueError(f"vtimezone(): end {end} is before start {start}")
    # A date is a local day: a day of slack either side covers any offset the zone has.
    lo -= 86400 if not isinstance(start, datetime) else 0
    hi = None if hi is None else hi + (2 * 86400 if not isinstance(end, datetime) else 0)
    return CRLF.join(_fold(line) for line in _vtimezone_lines(key, lo, hi)) + CRLF


@functools.lru_cache(maxsize=None)
def _is_utc_zone(key: str) -> bool:
    """A zone that is UTC in all but name (``UTC``, ``Etc/UTC``, ``GMT``, ...): written as ``Z``."""
    tz = _tzdata(key)
    return not tz.trans and tz.initial[0] == 0 and (tz.footer is None or tz.footer.start is None)


class _UnknownZone(tzinfo):
    """A TZID the reader could not resolve: the times stay floating, the name is kept.

    ``utcoffset()`` is None, so Python treats such datetimes as naive; the
    reader warns about every one.
    """

    def __init__(self, tzid: str) -> None:
        self.tzid = tzid

    def utcoffset(self, dt: datetime | None) -> None:
        return None

    def dst(self, dt: datetime | None) -> None:
        return None

    def tzname(self, dt: datetime | None) -> str:
        return self.tzid

    def __repr__(self) -> str:
        return f"<unresolved TZID {self.tzid[:60]!r}>"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _UnknownZone) and other.tzid == self.tzid

    def __hash__(self) -> int:
        return hash(self.tzid)


@dataclass(frozen=True)
class _Observance:
    """One STANDARD or DAYLIGHT of a VTIMEZONE that was read."""
    start: datetime  # DTSTART: local wall time in the offset before the onset
    frm: int
    to: int
    daylight: bool
    name: str | None
    rrule: dict | None  # parsed YEARLY rule, or None
    rdates: tuple  # more onsets, local wall times


class _VZone(tzinfo):
    """A time zone defined by a VTIMEZONE of the file being read (RFC 5545 3.6.5).

    It follows the file's own rules, so a custom or unknown TZID still gives
    the time its author meant.  Offsets are computed per year, lazily: an
    Outlook DTSTART in 1601 costs nothing.
    """

    def __init__(self, tzid: str, observances: Sequence[_Observance], component: Component | None) -> None:
        self.tzid = tzid
        self.component = component
        self._observances = tuple(observances)
        self._tables: dict[int, tuple] = {}
        # Onsets that are no rule's: DTSTARTs of observances without RRULE, and RDATEs (an
        # observance with an RRULE starts where its rule says: Outlook's 1601 DTSTART is no onset).
        fixed = []
        for ob in self._observances:
            for onset in ((ob.start,) if ob.rrule is None else ()) + ob.rdates:
                fixed.append((_naive_seconds(onset) - ob.frm, ob))
        fixed.sort(key=lambda t: t[0])
        self._fixed = fixed
        self._fixed_times = [t[0] for t in fixed]

    def first_observance(self) -> _Observance | None:
        """The observance that starts first (before it the zone's offset is not said)."""
        return min(self._observances, key=lambda o: o.start) if self._observances else None

    def _table(self, year: int) -> tuple:
        """Onsets around ``year`` (the one before it included), with the wall times to look them up by."""
        table = self._tables.get(year)
        if table is None:
            times = self._fixed_times
            lo = bisect.bisect_left(times, _epoch_seconds(date(year - 1, 1, 1))) if year > 1 else 0
            hi = bisect.bisect_left(times, _epoch_seconds(date(year + 2, 1, 1))) if year < 9998 else len(times)
            onsets = self._fixed[max(lo - 1, 0):hi]
            for ob in self._observances:
                if ob.rrule is not None:
                    onsets.extend((_naive_seconds(w) - ob.frm, ob) for w in _yearly_onsets(ob, year))
            onsets.sort(key=lambda t: t[0])
            utcs = [t[0] for t in onsets]
            obs = [t[1] for t in onsets]
            # Before the first change the offset is the one it changes from (RFC 5545 leaves it open,
            # and readers differ); with no change in sight, the earliest observance's.
            first = obs[0].frm if obs else min(self._observances, key=lambda o: o.start).frm if self._observances else 0
            walls = ([], [])  # fold=0 uses the later wall time of each change, fold=1 the earlier
            prev = first
            for utc, ob in zip(utcs, obs):
                lo, hi = sorted((prev, ob.to))
                walls[0].append(utc + hi)
                walls[1].append(utc + lo)
                prev = ob.to
            if len(self._tables) >= 256:  # bounded: times across many centuries must not grow memory
                self._tables.clear()
            table = self._tables[year] = (utcs, obs, walls, first)
        return table

    def _lookup(self, dt: datetime) -> _Observance | None:
        utcs, obs, walls, first = self._table(dt.year)
        i = bisect.bisect_right(walls[dt.fold], _naive_seconds(dt))
        return obs[i - 1] if i else None

    def utcoffset(self, dt: datetime | None) -> timedelta | None:
        if dt is None:
            return None
        ob = self._lookup(dt)
        return timedelta(seconds=ob.to if ob else self._table(dt.year)[3])

    def dst(self, dt: datetime | None) -> timedelta | None:
        if dt is None:
            return None
        ob = self._lookup(dt)
        if ob is None or not ob.daylight:
            return timedelta(0)
        # (an hour when the file's offsets say nothing sensible: Python allows less than a day)
        return timedelta(seconds=ob.to - ob.frm) if 0 < ob.to - ob.frm < 86400 else timedelta(hours=1)

    def tzname(self, dt: datetime | None) -> str:
        ob = self._lookup(dt) if dt is not None else None
        return (ob.name if ob and ob.name else None) or self.tzid

    def fromutc(self, dt: datetime) -> datetime:
        utcs, obs, walls, first = self._table(dt.year)
        ts = _naive_seconds(dt)
        i = bisect.bisect_right(utcs, ts)
        offset = obs[i - 1].to if i else first
        local = dt + timedelta(seconds=offset)
        if i:
            before = obs[i - 2].to if i >= 2 else first
            if before > offset and ts - utcs[i - 1] < before - offset:
                local = local.replace(fold=1)  # the second pass through a repeated hour
        return local

    def __repr__(self) -> str:
        return f"<VTIMEZONE {self.tzid[:60]!r}>"


def _naive_seconds(dt: datetime) -> int:
    """Seconds from 1970-01-01 of a wall time, its tzinfo ignored."""
    return (dt.toordinal() - 719163) * 86400 + dt.hour * 3600 + dt.minute * 60 + dt.second


def _yearly_onsets(ob: _Observance, year: int) -> list[datetime]:
    """Onsets of a VTIMEZONE observance's yearly RRULE in ``year - 1 .. year + 1``, and its last
    one before them when none of these is before ``year`` (a rule that skips years).

    Only what time zone rules use: YEARLY with BYMONTH, BYDAY (+n/-n),
    BYMONTHDAY, BYYEARDAY, BYHOUR/BYMINUTE, INTERVAL, UNTIL and COUNT.  When
    the rule ended earlier, its last years are given so the lookup still sees
    the last change.
    """
    rule = ob.rrule
    if "COUNT" in rule:
        counted = rule.get("_counted")
        if counted is None:
            counted = rule["_counted"] = _counted_onsets(ob)
        years = [d.year for d in counted]  # the onsets in these years, and the last one before them
        return counted[max(bisect.bisect_left(years, year - 1) - 1, 0):bisect.bisect_right(years, year + 1)]
    first_year = ob.start.year
    until = rule.get("_until")
    last_year = until.year if until else 9998
    if first_year > year + 1:
        return []  # the rule starts later
    lo, hi = max(first_year, year - 1), min(last_year, year + 1)
    if until is not None and last_year <= year + 1:  # the rule ends in or before these years: its last onsets count
        lo, hi = max(first_year, min(lo, last_year - 1)), last_year
    found = [d for d in _onsets_in(ob, range(lo, hi + 1)) if until is None or d <= until]
    if not any(d.year < year for d in found):  # a rule that skips years (INTERVAL, 29 February): its last onset before
        step = int(rule.get("INTERVAL", "1"))
        last = lo - 1 - (lo - 1 - first_year) % step  # the last year before these that the rule runs in
        for y in range(last, max(first_year, last - 8 * step) - 1, -step):
            earlier = [d for d in _onsets_in(ob, (y,)) if until is None or d <= until]
            if earlier:
                return earlier[-1:] + found
    return found


def _counted_onsets(ob: _Observance) -> list[datetime]:
    """Every onset of a rule with COUNT, from DTSTART on (counted once per zone, at most 1000);
    a rule that has made none for 50 of its years makes no more (29 February on a Sunday
    comes back within 40)."""
    rule = ob.rrule
    count = min(int(rule["COUNT"]), 1000)
    interval = int(rule.get("INTERVAL", "1"))
    found = {ob.start}
    year = empty = ob.start.year
    while len(found) < count and year <= min(ob.start.year + 2000, 9999) and year - empty < 50 * interval:
        onsets = _onsets_in(ob, (year,))
        if onsets:
            found.update(onsets)
            empty = year
        year += interval
    return sorted(found)[:count]


def _onsets_in(ob: _Observance, years: Iterable[int]) -> list[datetime]:
    """The rule's onsets in ``years``, at or after DTSTART."""
    rule = ob.rrule
    interval = int(rule.get("INTERVAL", "1"))
    out = []
    for y in years:
        if (y - ob.start.year) % interval or not 1 <= y <= 9999:
            continue
        try:
            out.extend(d for d in _rule_days(rule, y, ob.start) if d >= ob.start)
        except (OverflowError, ValueError):  # a rule reaching past datetime's range
            continue
    return out


# What a VTIMEZONE's rules may make, all together: the changes a year of a few dozen rules of
# the usual shape (a historical zone has that many); beyond, every lookup would expand them all.
_ZONE_RULES_BUDGET = 320
_ZONE_RULE_UNREAD = frozenset({"BYWEEKNO", "BYSECOND", "RSCALE"})  # parts time zones never use


def _rule_cost(rule: dict) -> int:
    """What a VTIMEZONE's rule costs to look up: its onsets in a year, and for a COUNT the years
    counted from its start (once, at 20 a unit)."""
    return _rule_size(rule) + (min(int(rule["COUNT"]), 1000) // 20 if "COUNT" in rule else 0)


def _rule_size(rule: dict) -> int:
    """How many onsets a yearly rule can make in one year, at most (a time zone changes a few times)."""
    def n(part: str, default: int = 1) -> int:
        return len(rule[part].split(",")) if part in rule else default
    days = max(n("BYMONTHDAY", 0), n("BYYEARDAY", 0), 5 * n("BYDAY", 0), 1)
    return n("BYMONTH") * days * n("BYHOUR") * n("BYMINUTE")


def _rule_days(rule: dict, year: int, start: datetime) -> list[datetime]:
    """The local times a VTIMEZONE's yearly rule gives in ``year`` (RFC 5545 3.3.10).

    ``BYDAY=5SU`` in a month of four Sundays is the last one: Windows writes "last" so.
    """
    months = [int(m) for m in rule["BYMONTH"].split(",")] if "BYMONTH" in rule else [start.month]
    hours = [int(h) for h in rule["BYHOUR"].split(",")] if "BYHOUR" in rule else [start.hour]
    minutes = [int(m) for m in rule["BYMINUTE"].split(",")] if "BYMINUTE" in rule else [start.minute]
    days: list[date] = []
    if "BYYEARDAY" in rule:
        length = 366 if _is_leap(year) else 365
        for n in rule["BYYEARDAY"].split(","):
            n = int(n)
            days.append(date(year, 1, 1) + timedelta((n - 1) if n > 0 else length + n))
        if "BYMONTH" in rule:
            days = [d for d in days if d.month in months]
    else:
        for month in months:
            length = _month_days(year, month)
            if "BYMONTHDAY" in rule:
                cands = []
                for n in rule["BYMONTHDAY"].split(","):
                    n = int(n)
                    n = n if n > 0 else length + n + 1
                    if 1 <= n <= length:
                        cands.append(date(year, month, n))
            elif "BYDAY" in rule:
                cands = []
                for spec in rule["BYDAY"].split(","):
                    m = _BYDAY_RE.match(spec)
                    wd = _WEEKDAYS.index(m.group(3))
                    matching = [date(year, month, d) for d in range(1, length + 1)
                                if date(year, month, d).weekday() == wd]
                    if m.group(2):
                        n = int(m.group(2)) * (-1 if m.group(1) == "-" else 1)
                        if n == 5 and len(matching) == 4:  # Windows' "fifth" is its "last" (SYSTEMTIME)
                            n = -1
                        if -len(matching) <= n <= len(matching) and n:
                            cands.append(matching[n - 1 if n > 0 else n])
                    else:
                        cands.extend(matching)
                days.extend(cands)
                continue
            else:
                cands = [date(year, month, start.day)] if start.day <= length else []
            days.extend(cands)
    if "BYDAY" in rule and ("BYMONTHDAY" in rule or "BYYEARDAY" in rule):
        allowed = {_WEEKDAYS.index(_BYDAY_RE.match(s).group(3)) for s in rule["BYDAY"].split(",")}
        days = [d for d in days if d.weekday() in allowed]
    found = [datetime(d.year, d.month, d.day, h, mi, start.second) for d in sorted(set(days))
             for h in hours for mi in minutes]
    if "BYSETPOS" in rule:  # the n-th of the year's set (RFC 5545 3.3.10): BYDAY=SU;BYSETPOS=2
        positions = [int(n) for n in rule["BYSETPOS"].split(",")]
        found = sorted({found[n - 1 if n > 0 else n] for n in positions if n and -len(found) <= n <= len(found)})
    return found


# --------------------------------------------------------------------------
# 4. Data model
# --------------------------------------------------------------------------

_METHODS = frozenset({"PUBLISH", "REQUEST", "REPLY", "ADD", "CANCEL", "REFRESH", "COUNTER", "DECLINECOUNTER"})
_ROLES = frozenset({"CHAIR", "REQ-PARTICIPANT", "OPT-PARTICIPANT", "NON-PARTICIPANT"})
_PARTSTATS = frozenset({"NEEDS-ACTION", "ACCEPTED", "DECLINED", "TENTATIVE", "DELEGATED",
                        "COMPLETED", "IN-PROCESS"})
_TODO_PARTSTATS = frozenset({"COMPLETED", "IN-PROCESS"})  # RFC 5545 3.2.12: for a VTODO, not an event
_CUTYPES = frozenset({"INDIVIDUAL", "GROUP", "RESOURCE", "ROOM", "UNKNOWN"})
_EVENT_STATUSES = frozenset({"TENTATIVE", "CONFIRMED", "CANCELLED"})
_TRANSPARENCIES = frozenset({"OPAQUE", "TRANSPARENT"})
_CLASSES = frozenset({"PUBLIC", "PRIVATE", "CONFIDENTIAL"})
_ACTIONS = frozenset({"AUDIO", "DISPLAY", "EMAIL"})
_RELATED = frozenset({"START", "END"})

# An e-mail address as calendars carry it: addr-spec, no spaces, brackets or separators,
# and no controls (they would reach the mail headers and the calendar text).
_ADDRESS_ATOMS = r'[^\s\x00-\x1f\x7f-\x9f\ud800-\udfff@<>()\[\]\\,;:"]+'
_EMAIL_RE = _LazyRegex(rf'{_ADDRESS_ATOMS}@(?:{_ADDRESS_ATOMS}|\[[^\s\x00-\x1f\x7f-\x9f\ud800-\udfff\]\\]+\])\Z')
# The usual address in plain ASCII letters: a subset of the above that `re` checks three times faster.
_PLAIN_EMAIL_RE = _LazyRegex(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\Z")


def _token(value: str, allowed: frozenset, what: str) -> str:
    """An enumerated value, upper-cased: a registered one or an ``X-`` name."""
    if value in allowed:
        return value
    if not isinstance(value, str):
        raise TypeError(f"{what} must be a str, not {type(value).__name__}")
    upper = value.upper()
    if upper in allowed or (upper.startswith("X-") and _NAME_RE.match(upper)):
        return upper
    raise ValueError(f"unknown {what} {value!r}: expected one of {', '.join(sorted(allowed))} or an X- name")


def _check_text(value: str | None, what: str) -> str | None:
    """A TEXT field: a str without control characters (CR, LF and TAB are fine)."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise TypeError(f"{what} must be a str, not {type(value).__name__}")
    _check_controls(value, what)
    return value


def _check_line(value: str, what: str, bad_re: re.Pattern = _LINE_BAD_RE) -> str:
    """A one-line value: no CR, LF or other control characters (header and URI safe)."""
    if not isinstance(value, str):
        raise TypeError(f"{what} must be a str, not {type(value).__name__}")
    if "\r" in value or "\n" in value:
        raise ValueError(f"{what} contains CR or LF: {value!r}")
    _check_controls(value, what, bad_re)
    return value


def _person_parts(text: str, what: str) -> tuple[str, str | None]:
    """Split ``"Name <a@x>"``, ``"a@x"`` or ``"mailto:a@x"`` into (address, name).

    >>> _person_parts('"Doe, Jane" <jane@example.com>', "attendee")
    ('jane@example.com', 'Doe, Jane')
    """
    if not isinstance(text, str):
        raise TypeError(f"{what} must be a str, not {type(text).__name__}")
    if "\r" in text or "\n" in text:
        raise ValueError(f"{what} contains CR or LF: {text!r}")
    name = None
    text = text.strip()
    if text.endswith(">") and "<" in text:
        name, _, text = text[:-1].rpartition("<")
        name = name.strip()
        if len(name) >= 2 and name[0] == name[-1] == '"':
            name = name[1:-1].replace('\\"', '"').replace("\\\\", "\\")
        name = name or None
        text = text.strip()
    if text[:7].lower() == "mailto:":
        text = text[7:]
    if not _EMAIL_RE.match(text):
        raise ValueError(f"{what}: malformed e-mail address {text!r}")
    return text, name


def _clean_params(params: Any, what: str) -> tuple[tuple[str, Any], ...]:
    """Extra parameters as ((NAME, value), ...); a value is a str or a tuple of str.

    A list parameter (MEMBER, FEATURE, ...) given as one str is comma-separated values:
    ``FEATURE="AUDIO,VIDEO"`` is ``("AUDIO", "VIDEO")``, as a reader would take it.
    """
    if not params:
        return ()
    items = params.items() if isinstance(params, Mapping) else params
    out = []
    for name, value in items:
        if not isinstance(name, str) or not _NAME_RE.match(name):
            raise ValueError(f"{what}: invalid parameter name {name!r}")
        name = name.upper()
        if name in _LIST_PARAMS and isinstance(value, str):
            value = tuple(value.split(","))
        if isinstance(value, (list, tuple)):
            value = tuple(_check_param_value(v, f"{what} parameter {name}") for v in value)
        else:
            value = _check_param_value(value, f"{what} parameter {name}")
        out.append((name, value))
    return tuple(out)


def _check_param_value(value: Any, what: str) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{what} must be a str, not {type(value).__name__}")
    _check_controls(value, what)  # CR/LF are fine: RFC 6868 encodes them
    return value


def _check_person(person: Any, what: str) -> None:
    """Normalise an Organizer's or Attendee's address, name, SENT-BY and parameters in place."""
    email = person.email
    if type(email) is str and (_PLAIN_EMAIL_RE.match(email) or _EMAIL_RE.match(email)):  # a bare address
        name = None
    else:
        person.email, name = _person_parts(email, what)
    if person.name is None:
        person.name = name
    if person.name is not None and (type(person.name) is not str or not person.name.isprintable()):
        _check_line(person.name, f"{what} name", _HEADER_BAD_RE)  # a name may go into a mail header
    if person.sent_by is not None:
        person.sent_by = _person_parts(person.sent_by, f"{what} sent_by")[0]
    person.params = _clean_params(person.params, what) if person.params else ()


@dataclass(init=False)  # __init__ by hand: validating inline is faster than __post_init__
class Organizer:
    """The organizer of an event: ``Organizer("alice@example.com", name="Alice")``.

    ``sent_by`` is the address of someone acting on the organizer's behalf
    (``SENT-BY``); ``params`` holds any other parameter, as (NAME, value) pairs.

    >>> Organizer("Alice Smith <alice@example.com>")
    Organizer(email='alice@example.com', name='Alice Smith', sent_by=None, params=())
    """
    email: str
    name: str | None = None
    sent_by: str | None = None
    params: tuple = ()

    def __init__(self, email: str, name: str | None = None, sent_by: str | None = None, params: Any = ()) -> None:
        self.email = email
        self.name = name
        self.sent_by = sent_by
        self.params = params
        if not (type(email) is str and _PLAIN_EMAIL_RE.match(email) and sent_by is None  # the usual case
                and (name is None or type(name) is str and name.isprintable()) and params == ()):
            _check_person(self, "organizer")

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>" if self.name else self.email


@dataclass(init=False)
class Attendee:
    """A participant: address, display name and RFC 5545 participation parameters.

    >>> a = Attendee("carol@example.com", name="Carol", role="opt-participant", rsvp=False)
    >>> a.role, a.partstat
    ('OPT-PARTICIPANT', 'NEEDS-ACTION')
    """
    email: str
    name: str | None = None
    role: str = "REQ-PARTICIPANT"
    partstat: str = "NEEDS-ACTION"
    rsvp: bool = True
    cutype: str | None = None
    delegated_to: tuple = ()
    delegated_from: tuple = ()
    sent_by: str | None = None
    params: tuple = ()

    def __init__(self, email: str, name: str | None = None, role: str = "REQ-PARTICIPANT",
                 partstat: str = "NEEDS-ACTION", rsvp: bool = True, cutype: str | None = None,
                 delegated_to: Any = (), delegated_from: Any = (), sent_by: str | None = None,
                 params: Any = ()) -> None:
        self.email = email
        self.name = name
        self.role = role
        self.partstat = partstat
        self.rsvp = rsvp
        self.cutype = cutype
        self.delegated_to = delegated_to
        self.delegated_from = delegated_from
        self.sent_by = sent_by
        self.params = params
        if not (type(email) is str and _PLAIN_EMAIL_RE.match(email) and sent_by is None  # the usual case
                and (name is None or type(name) is str and name.isprintable()) and params == ()):
            _check_person(self, "attendee")
        if role not in _ROLES:
            self.role = _token(role, _ROLES, "attendee role")
        if partstat not in _PARTSTATS:
            self.partstat = _token(partstat, _PARTSTATS, "attendee partstat")
        if rsvp is not True and rsvp is not False:
            raise TypeError(f"attendee rsvp must be True or False, not {rsvp!r}")
        if cutype is not None:
            self.cutype = _token(cutype, _CUTYPES, "attendee cutype")
        if delegated_to or delegated_from:
            self.delegated_to = tuple(_person_parts(p, "delegated_to")[0] for p in _as_tuple(delegated_to))
            self.delegated_from = tuple(_person_parts(p, "delegated_from")[0] for p in _as_tuple(delegated_from))

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>" if self.name else self.email


# ASCII a URI cannot hold (RFC 3986 2): written percent-encoded.  A non-ASCII IRI is kept as it is.
_URI_UNSAFE = ' \t"<>\\^`{|}'
_URI_UNSAFE_RE = _LazyRegex(f"[{re.escape(_URI_UNSAFE)}]")
_URI_ESCAPES = {ord(c): f"%{ord(c):02X}" for c in _URI_UNSAFE}


def _as_tuple(value: Any) -> tuple:
    """A sequence argument as a tuple; one item (a str, a date, ...) alone becomes a 1-tuple."""
    kind = type(value)
    if kind is tuple:
        return value
    if kind is list:
        return tuple(value)
    if value is None:
        return ()
    if isinstance(value, (str, bytes, date, timedelta, Mapping)) or not hasattr(value, "__iter__"):
        return (value,)
    return tuple(value)


def _organizer(value: Organizer | str | None) -> Organizer | None:
    if value is None or isinstance(value, Organizer):
        return value
    if isinstance(value, Attendee):
        return Organizer(value.email, value.name)
    return Organizer(value)


def _attendee(value: Attendee | str) -> Attendee:
    if isinstance(value, Attendee):
        return value
    if isinstance(value, Organizer):
        return Attendee(value.email, value.name)
    return Attendee(value)


@dataclass
class Property:
    """Any other property, written safely: ``Property("X-MICROSOFT-CDO-BUSYSTATUS", "FREE")``.

    ``value`` is text (escaped on output, unescaped on input) for TEXT
    properties, which include every ``X-`` property without a ``VALUE``
    parameter; for other value types (URI, DATE-TIME, ...) it is the value
    as written.  A tuple is a list of values (an X- list reads back as one
    text, its items joined by commas; COMMENT and the other one-text
    properties refuse it).  ``params`` holds
    (NAME, value) pairs.  Events also take the shorthand ``(name, value)``
    and ``(name, params, value)`` tuples.
    """
    name: str
    value: Any
    params: tuple = ()

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not _NAME_RE.match(self.name):
            raise ValueError(f"invalid property name {self.name!r}")
        self.name = self.name.upper()
        self.params = _clean_params(self.params, self.name)
        if isinstance(self.value, (list, tuple)):
            if self.name in _TEXT_PROPS:
                raise ValueError(f"{self.name} holds one text, not the list {tuple(self.value)!r}: give one "
                                 f"Property({self.name!r}, ...) for each")
            self.value = tuple(self._check(v) for v in self.value)
        else:
            self.value = self._check(self.value)

    def _check(self, value: Any) -> str:
        if not isinstance(value, str):
            raise TypeError(f"{self.name} value must be a str, not {type(value).__name__}")
        if _is_text(self.name, self.params):
            _check_controls(value, self.name)
        else:
            _check_line(value, self.name)
        return value


@dataclass
class Component:
    """Any other component (VTODO, VJOURNAL, VFREEBUSY, X-...), kept as read."""
    name: str
    properties: tuple = ()
    components: tuple = ()

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not _NAME_RE.match(self.name):
            raise ValueError(f"invalid component name {self.name!r}")
        self.name = self.name.upper()
        self.properties = tuple(_property(p) for p in _as_tuple(self.properties))
        self.components = tuple(self.components)

    def get(self, name: str, default: Any = None) -> Any:
        """The value of the first property called ``name``."""
        name = name.upper()
        return next((p.value for p in self.properties if p.name == name), default)


# What ``extra`` cannot carry: lines that open or close components, and properties
# written from a field (a second copy would contradict it) or by the calendar.
_CALENDAR_NAMED = frozenset({"BEGIN", "END", "VERSION", "PRODID", "METHOD", "CALSCALE"})
_ALARM_NAMED = _CALENDAR_NAMED | {"ACTION", "TRIGGER", "DESCRIPTION", "SUMMARY", "REPEAT", "DURATION", "ATTENDEE"}


# Properties of times and recurrence: given in ``extra`` they would escape every check.
_TIME_PROPS = frozenset({"DTSTART", "DTEND", "DURATION", "RECURRENCE-ID", "RRULE", "RDATE", "EXDATE"})


def _extras(values: Any, named: frozenset, what: str) -> tuple:
    """``extra`` as Property objects, refusing what would break the component or repeat a field,
    and a TZID parameter whose VTIMEZONE cannot be written (one read from a file has its own)."""
    props = tuple(_property(p) for p in _as_tuple(values))
    for prop in props:
        if prop.name in named:
            hint = "components are Component objects" if prop.name in ("BEGIN", "END") else \
                "it is written from its own field"
            raise ValueError(f"{what} extra property {prop.name} is not allowed: {hint}")
        tzid = _tzid_of(prop)
        if tzid is not None and not getattr(prop, "_as_read", False) and (what != "event" or _extra_zone(tzid) is None):
            raise ValueError(f"{what} extra property {prop.name}: TZID {tzid!r} is not allowed: an event's extra "
                             f"property may name an IANA time zone other than UTC (written as Z), whose VTIMEZONE "
                             f"is written")
    return props


def _tzid_of(prop: Property) -> Any:
    """The TZID parameter of a property, or None."""
    return next((value for name, value in prop.params if name == "TZID"), None)


def _extra_zone(tzid: Any) -> ZoneInfo | None:
    """The zone a TZID parameter of an ``extra`` property names: an IANA name that is not UTC."""
    zone = _iana_zone(tzid) if isinstance(tzid, str) else None  # (which takes names in any case: not here)
    return zone if zone is not None and zone.key == tzid and _tzid_param(zone) is not None else None


def _property(value: Property | tuple) -> Property:
    if isinstance(value, Property):
        return value
    if isinstance(value, tuple) and len(value) == 2:
        return Property(value[0], value[1])
    if isinstance(value, tuple) and len(value) == 3:
        return Property(value[0], value[2], value[1])
    raise TypeError(f"extra properties are Property objects or (name, value) / (name, params, value) "
                    f"tuples, not {value!r}")


@dataclass(init=False, frozen=True)  # __init__ by hand, as Attendee's; immutable, so events can share one
class Alarm:
    """A reminder (VALARM): ``Alarm(trigger=timedelta(minutes=-15))``.

    ``trigger`` is relative to the event's start (negative = before; to its
    end with ``related="END"``) or an aware datetime, written in UTC.  DISPLAY
    and EMAIL alarms need a description: "Reminder" unless one is given.
    An Alarm is immutable (``dataclasses.replace`` makes a changed copy), and
    events given equal alarms share one: a calendar of many events with the
    same reminder holds it once.
    """
    trigger: timedelta | datetime = timedelta(minutes=-15)
    action: str = "DISPLAY"
    description: str | None = None
    related: str = "START"
    repeat: int = 0
    interval: timedelta | None = None
    summary: str | None = None
    attendees: tuple = ()
    extra: tuple = ()

    def __init__(self, trigger: timedelta | datetime = timedelta(minutes=-15), action: str = "DISPLAY",
                 description: str | None = None, related: str = "START", repeat: int = 0,
                 interval: timedelta | None = None, summary: str | None = None, attendees: Any = (),
                 extra: Any = ()) -> None:
        if type(trigger) is timedelta:
            pass
        elif isinstance(trigger, datetime):
            if trigger.tzinfo is None or trigger.utcoffset() is None:
                raise ValueError(f"alarm trigger {trigger} is a naive datetime: give it a time zone")
            trigger = trigger.astimezone(UTC).replace(microsecond=0)
        elif not isinstance(trigger, timedelta):
            raise TypeError(f"alarm trigger must be a timedelta or an aware datetime, not {type(trigger).__name__}")
        if action not in _ACTIONS:
            action = _token(action, _ACTIONS, "alarm action")
        if related not in _RELATED:
            related = _token(related, _RELATED, "alarm related")
        if description is None:
            if action in ("DISPLAY", "EMAIL"):
                description = "Reminder"
        elif type(description) is not str or not description.isprintable() and _CONTROL_RE.search(description):
            _check_text(description, "alarm description")
        if summary is not None:
            _check_text(summary, "alarm summary")
        elif action == "EMAIL":
            summary = description
        if type(repeat) is not int or repeat < 0:
            raise ValueError(f"alarm repeat must be a whole number >= 0, not {repeat!r}")
        if bool(repeat) != (interval is not None):
            raise ValueError(f"alarm repeat and interval go together (RFC 5545 3.6.6): repeat {repeat!r}, "
                             f"interval {interval!r}")
        if interval is not None and not isinstance(interval, timedelta):
            raise TypeError(f"alarm interval must be a timedelta, not {type(interval).__name__}")
        if interval is not None and interval <= timedelta(0):
            raise ValueError(f"alarm interval must be positive, not {interval}")
        attendees = tuple(_attendee(a) for a in _as_tuple(attendees)) if attendees else ()
        if action == "EMAIL" and not attendees:
            raise ValueError("an EMAIL alarm needs attendees to mail (RFC 5545 3.6.6)")
        extra = _extras(extra, _ALARM_NAMED, "alarm") if extra else ()
        # frozen: every field is set once, here, in class order
        self.__dict__.update(trigger=trigger, action=action, description=description, related=related,
                             repeat=repeat, interval=interval, summary=summary, attendees=attendees, extra=extra)

    def __post_init__(self) -> None:
        """The checks, for a dataclass made from Alarm (as Event's)."""
        Alarm.__init__(self, **{f.name: getattr(self, f.name) for f in _fields(Alarm)})

    def __hash__(self) -> int:  # its attendees and properties can change: hashed by what names them
        return hash((self.trigger, self.action, self.description, self.related, self.repeat, self.interval,
                     self.summary, tuple(a.email for a in self.attendees), tuple(p.name for p in self.extra)))

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "__hash__" not in cls.__dict__:  # else @dataclass(frozen=True) hashes every field, attendees too
            cls.__hash__ = Alarm.__hash__


_SHARED_ALARMS: dict[tuple, tuple[Alarm, ...]] = {}  # the few reminders that recur across events


def _alarm_key(alarm: Alarm) -> tuple | None:
    """What makes two reminders the same; None for an alarm kept as it is: one at a time of day,
    one 24 hours before (elapsed, which equals a day as a timedelta), one with attendees or other
    properties."""
    if type(alarm) is not Alarm or type(alarm.trigger) is not timedelta or alarm.attendees or alarm.extra:
        return None
    return (alarm.trigger, alarm.action, alarm.description, alarm.related, alarm.repeat,
            type(alarm.interval), alarm.interval, alarm.summary)


def _shared_alarms(alarms: tuple[Alarm, ...]) -> tuple[Alarm, ...]:
    """One tuple for every event whose alarms are equal: Alarm is immutable, so sharing is safe,
    and a big calendar holds (and the garbage collector visits) each reminder once."""
    key = tuple(map(_alarm_key, alarms)) if len(alarms) > 1 else (_alarm_key(alarms[0]),)
    if None in key:
        return alarms
    shared = _SHARED_ALARMS.get(key)
    if shared is None:
        if len(_SHARED_ALARMS) >= 256:
            _SHARED_ALARMS.clear()
        shared = _SHARED_ALARMS[key] = alarms
    return shared


_RRULE_FREQS = ("SECONDLY", "MINUTELY", "HOURLY", "DAILY", "WEEKLY", "MONTHLY", "YEARLY")
_RRULE_ORDER = ("FREQ", "UNTIL", "COUNT", "INTERVAL", "BYSECOND", "BYMINUTE", "BYHOUR", "BYDAY",
                "BYMONTHDAY", "BYYEARDAY", "BYWEEKNO", "BYMONTH", "BYSETPOS", "WKST", "RSCALE", "SKIP")
# Each BYxxx list: the range of its numbers, and whether they may be negative (RFC 5545 3.3.10).
_RRULE_RANGES = MappingProxyType({
    "BYSECOND": (0, 60, False), "BYMINUTE": (0, 59, False), "BYHOUR": (0, 23, False),
    "BYMONTHDAY": (1, 31, True), "BYYEARDAY": (1, 366, True), "BYWEEKNO": (1, 53, True),
    "BYMONTH": (1, 12, False), "BYSETPOS": (1, 366, True),
})
_BYDAY_RE = _LazyRegex(r"([+-]?)([0-9]{1,2})?(MO|TU|WE|TH|FR|SA|SU)\Z")
_INT_RE = _LazyRegex(r"[+-]?[0-9]{1,4}\Z")
_WHOLE_RE = _LazyRegex(r"[+-]?[0-9]{1,18}\Z")  # a SEQUENCE or PRIORITY as read: kept, whatever its size
_WHOLE_RANGES = MappingProxyType({"sequence": (0, 2 ** 31 - 1), "priority": (0, 9)})
_DIGITS_RE = _LazyRegex(r"[0-9]{1,9}\Z")  # ASCII digits only: str.isdigit() also takes "²"
_DATE_RE = _LazyRegex(r"([0-9]{4})([0-9][0-9])([0-9][0-9])\Z")
_DATETIME_RE = _LazyRegex(r"([0-9]{4})([0-9][0-9])([0-9][0-9])T([0-9][0-9])([0-9][0-9])([0-9][0-9])(Z?)\Z")


def _parse_rrule(text: str) -> dict[str, str]:
    """Check an RRULE value against RFC 5545 3.3.10; its parts, names upper-cased.

    >>> _parse_rrule("FREQ=WEEKLY;BYDAY=MO,WE;COUNT=10")
    {'FREQ': 'WEEKLY', 'BYDAY': 'MO,WE', 'COUNT': '10'}
    """
    parts: dict[str, str] = {}
    for item in text.split(";"):
        name, eq, value = item.partition("=")
        name = name.strip().upper()
        if not eq or not name or not value:
            raise ValueError(f"RRULE part {item!r} is not NAME=VALUE")
        if name in parts:
            raise ValueError(f"RRULE has {name} twice")
        if name not in _RRULE_ORDER and not name.startswith("X-"):
            raise ValueError(f"RRULE has the unknown part {name}")
        parts[name] = value if name == "UNTIL" or name.startswith("X-") else value.upper()  # X- values: as given
    freq = parts.get("FREQ")
    if freq is None:
        raise ValueError("RRULE has no FREQ")
    if freq not in _RRULE_FREQS:
        raise ValueError(f"RRULE FREQ={freq} is not one of {', '.join(_RRULE_FREQS)}")
    if "COUNT" in parts and "UNTIL" in parts:
        raise ValueError("RRULE has both COUNT and UNTIL")
    for name in ("COUNT", "INTERVAL"):
        if name in parts and (not _DIGITS_RE.match(parts[name]) or int(parts[name]) < 1):
            too_big = parts[name].isascii() and parts[name].isdigit() and int(parts[name]) > 0
            raise ValueError(f"RRULE {name}={parts[name]} is " + ("too large (at most 999999999)" if too_big
                                                                  else "not a positive whole number"))
    if "UNTIL" in parts and not (_DATE_RE.match(parts["UNTIL"]) or _DATETIME_RE.match(parts["UNTIL"].upper())):
        raise ValueError(f"RRULE UNTIL={parts['UNTIL']} is neither a DATE nor a DATE-TIME")
    if "UNTIL" in parts and _parse_dt(parts["UNTIL"].upper()) is None:
        raise ValueError(f"RRULE UNTIL={parts['UNTIL']} is no such day or time")
    for name, (lo, hi, signed) in _RRULE_RANGES.items():
        for number in parts[name].split(",") if name in parts else ():
            if not _INT_RE.match(number) or not lo <= abs(int(number)) <= hi \
                    or (int(number) < 0 and not signed) or number.startswith(("-0", "+0")) and int(number) == 0:
                raise ValueError(f"RRULE {name}={parts[name]}: {number!r} is outside {lo}..{hi}")
    for day in parts["BYDAY"].split(",") if "BYDAY" in parts else ():
        m = _BYDAY_RE.match(day)
        if not m or (m.group(2) and not 1 <= int(m.group(2)) <= 53) or (m.group(1) and not m.group(2)):
            raise ValueError(f"RRULE BYDAY={parts['BYDAY']}: {day!r} is not a weekday like MO, 2TU or -1FR")
        if m.group(2) and freq not in ("MONTHLY", "YEARLY"):
            raise ValueError(f"RRULE BYDAY={day} with a number needs FREQ=MONTHLY or YEARLY")
        if m.group(2) and freq == "YEARLY" and "BYWEEKNO" in parts:
            raise ValueError(f"RRULE BYDAY={day} with a number cannot go with BYWEEKNO")
    if "BYWEEKNO" in parts and freq != "YEARLY":
        raise ValueError("RRULE BYWEEKNO needs FREQ=YEARLY")
    if "BYYEARDAY" in parts and freq in ("DAILY", "WEEKLY", "MONTHLY"):
        raise ValueError(f"RRULE BYYEARDAY cannot go with FREQ={freq}")
    if "BYMONTHDAY" in parts and freq == "WEEKLY":
        raise ValueError("RRULE BYMONTHDAY cannot go with FREQ=WEEKLY")
    if "BYSETPOS" in parts and not any(n.startswith("BY") and n != "BYSETPOS" for n in parts):
        raise ValueError("RRULE BYSETPOS needs another BYxxx part")
    if "SKIP" in parts and "RSCALE" not in parts:
        raise ValueError("RRULE SKIP needs RSCALE (RFC 7529)")
    if parts.get("SKIP", "OMIT") not in ("OMIT", "BACKWARD", "FORWARD"):
        raise ValueError(f"RRULE SKIP={parts['SKIP']} is not OMIT, BACKWARD or FORWARD (RFC 7529)")
    if "WKST" in parts and parts["WKST"] not in _WEEKDAYS:
        raise ValueError(f"RRULE WKST={parts['WKST']} is not a weekday")
    return parts


def _rule_joined(parts: Mapping[str, str]) -> str:
    """RRULE text of its parts, in their order: ``FREQ=WEEKLY;BYDAY=MO``."""
    return ";".join(f"{name}={value}" for name, value in parts.items())


def _rrule_until(value: date | datetime, start: date | datetime | None, floating: bool) -> str:
    """UNTIL in DTSTART's value type: DATE, floating, or UTC for a zoned start."""
    if not isinstance(start, datetime):  # all-day
        if isinstance(value, datetime):
            raise ValueError(f"rrule until must be a date when the event is all-day, not {value!r}")
        return _fmt_date(value)
    if floating:
        if not isinstance(value, datetime):
            value = datetime.combine(value, time(23, 59, 59))
        if value.tzinfo is not None:
            raise ValueError(f"rrule until must be naive (floating) when the event is floating, not {value!r}")
        return _fmt_local(value)
    if not isinstance(value, datetime):  # the whole of that day in the event's zone: up to the next midnight
        if value < date.max:  # (not 23:59:59, which a change of clocks at 23:00 skips: America/Nuuk)
            midnight = datetime.combine(value + timedelta(days=1), time(0), tzinfo=start.tzinfo)
            return _fmt_utc(midnight.astimezone(UTC) - timedelta(seconds=1))
        value = datetime.combine(value, time(23, 59, 59), tzinfo=start.tzinfo)
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"rrule until {value} is naive: give it a time zone, or a date")
    try:
        return _fmt_utc(value)
    except OverflowError:  # 31 December 9999 west of UTC
        raise ValueError(f"rrule until {value} is beyond the years 1-9999 in UTC: leave it out for an "
                         f"endless series") from None


class _ReadRule(str):
    """An RRULE as a file gave it, with the start it was read with: kept as it is while its
    event keeps that start (the reader warned of what is wrong with it); with another, or
    given in code, a rule is checked."""

    start: Any = None


def _rrule_text(value: str | Mapping, start: date | datetime | None, floating: bool) -> str:
    """Validate an RRULE (RFC text or mapping) against its event; the canonical text."""
    if type(value) is _ReadRule and (value.start is start or type(value.start) is type(start) and value.start == start
                                     and getattr(value.start, "tzinfo", None) == getattr(start, "tzinfo", None)):
        return value
    if isinstance(value, Mapping):
        parts = {}
        for name, part in value.items():
            name = str(name).upper()
            if name == "UNTIL" and isinstance(part, date):
                part = _rrule_until(part, start, floating)
            elif isinstance(part, (list, tuple)):
                part = ",".join(str(p) for p in part)
            elif isinstance(part, bool) or not isinstance(part, (str, int)):
                raise TypeError(f"rrule {name} must be a str, int or list, not {type(part).__name__}")
            if name in parts:
                raise ValueError(f"invalid rrule: {name} given twice")
            if any(c in str(part) for c in ";=:"):
                raise ValueError(f"invalid rrule {name}={part!r}: a value has no ';', '=' or ':'")
            parts[name] = str(part)
        order = {n: i for i, n in enumerate(_RRULE_ORDER)}
        text = ";".join(f"{n}={parts[n]}" for n in sorted(parts, key=lambda n: order.get(n, 99)))
    elif isinstance(value, str):
        text = value.strip()
        if text[:6].upper() == "RRULE:":
            text = text[6:]
    else:
        raise TypeError(f"rrule must be RFC 5545 text or a mapping, not {type(value).__name__}")
    _check_line(text, "rrule")
    try:
        parts = _parse_rrule(text)
    except ValueError as exc:
        raise ValueError(f"invalid rrule {text!r}: {exc}") from None
    if start is not None and not isinstance(start, datetime):
        timed = _rule_of_times(parts)
        if timed:
            raise ValueError(f"invalid rrule {text!r}: {timed} needs a start with a time (RFC 5545 3.3.10): "
                             f"an all-day event recurs by days")
    until = parts.get("UNTIL")
    if until and start is not None:
        is_date = bool(_DATE_RE.match(until))
        if is_date != (not isinstance(start, datetime)):
            kind = "a DATE" if not isinstance(start, datetime) else "a DATE-TIME"
            raise ValueError(f"invalid rrule {text!r}: UNTIL must be {kind} like the event's start")
        if isinstance(start, datetime) and not floating and not until.upper().endswith("Z"):
            raise ValueError(f"invalid rrule {text!r}: UNTIL must be in UTC (…Z) when the start has a time zone")
        if isinstance(start, datetime) and floating and until.upper().endswith("Z"):
            raise ValueError(f"invalid rrule {text!r}: UNTIL must be a local time (no Z) when the start is floating")
        if _until_before(until, start):
            raise ValueError(f"invalid rrule {text!r}: UNTIL is before the start {start}, so the rule gives "
                             f"no occurrence (the event would happen once)")
    return _rule_joined(parts)


def _until_before(until: str, start: date | datetime) -> bool:
    """Whether a rule's UNTIL comes before ``start`` (False when it is no time of the start's kind)."""
    parsed = _parse_dt(until.upper())
    if parsed is None or isinstance(parsed[0], datetime) != isinstance(start, datetime):
        return False
    last = parsed[0]
    if not isinstance(start, datetime) or start.tzinfo is None:
        return last < start
    at = _instant(start)
    return at is not None and last < at


def _rule_of_times(parts: Mapping[str, str]) -> str | None:
    """The part of a rule that names times of day (FREQ=HOURLY, BYHOUR, ...), which an all-day
    series cannot have (RFC 5545 3.3.10); None if it has none."""
    if parts["FREQ"] in _SUBDAILY_SECONDS:
        return f"FREQ={parts['FREQ']}"
    return next((f"{n}={parts[n]}" for n in ("BYHOUR", "BYMINUTE", "BYSECOND") if n in parts), None)


def _check_when(value: Any, what: str, floating: bool) -> date | datetime:
    """A date or datetime as events carry them: aware unless floating, whole seconds."""
    if type(value) is datetime and not floating and not value.microsecond and (
            type(value.tzinfo) is ZoneInfo or value.tzinfo is not None and value.utcoffset() is not None):
        return value  # the usual case (a ZoneInfo always gives an offset: no need to compute it)
    if isinstance(value, datetime):
        aware = value.tzinfo is not None and value.utcoffset() is not None
        if not aware and not floating and not isinstance(value.tzinfo, _UnknownZone):
            raise ValueError(f"{what} {value.isoformat()} is a naive datetime: give it a tzinfo "
                             f"(e.g. ZoneInfo('Europe/London')) or pass floating=True for floating time")
        if aware and floating:
            raise ValueError(f"{what} {value.isoformat()} has a time zone but the event is floating")
        return value.replace(microsecond=0) if value.microsecond else value
    if isinstance(value, date):
        return value
    raise TypeError(f"{what} must be a date or datetime, not {type(value).__name__}")


def _check_utc_stamp(value: Any, what: str) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, datetime):
        raise TypeError(f"{what} must be a datetime, not {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{what} {value.isoformat()} is a naive datetime: give it a time zone")
    return value.astimezone(UTC).replace(microsecond=0)


def _new_uid() -> str:
    import uuid
    return str(uuid.uuid4())


_LAST_NOW: list = [None, None]  # (whole seconds, datetime): events made in one second share it


def _now() -> datetime:
    seconds = int(_unix_time())
    if seconds != _LAST_NOW[0]:
        _LAST_NOW[:] = [seconds, datetime.fromtimestamp(seconds, UTC)]
    return _LAST_NOW[1]


@dataclass(init=False)  # __init__ by hand, as Attendee's
class Event:
    """One event (VEVENT).  Only ``summary`` and ``start`` are needed.

    ``start`` is a ``date`` (all-day), an aware ``datetime`` (a ``ZoneInfo``
    is written with its TZID and VTIMEZONE, UTC as ``Z``, any other tzinfo is
    converted to UTC) or, with ``floating=True``, a naive one.  ``end`` is
    exclusive (RFC 5545); ``duration`` is the alternative: whole days are
    calendar days, the rest elapsed time (RFC 5545 3.3.6).  An all-day event
    without either lasts one day.  ``uid`` and ``dtstamp`` are set when absent.

    >>> ev = Event("Offsite", date(2027, 3, 3), date(2027, 3, 6))
    >>> ev.end - ev.start
    datetime.timedelta(days=3)
    """
    summary: str | None
    start: date | datetime | None
    end: date | datetime | None = None
    duration: timedelta | None = None
    uid: str | None = None
    sequence: int = 0
    description: str | None = None
    location: str | None = None
    url: str | None = None
    organizer: Organizer | str | None = None
    attendees: Sequence[Attendee | str] = ()
    status: str | None = None
    priority: int | None = None
    categories: Sequence[str] = ()
    transparency: str | None = None
    classification: str | None = None
    alarms: Sequence[Alarm] = ()
    rrule: str | Mapping | None = None
    exdates: Sequence[date | datetime] = ()
    rdates: Sequence[Any] = ()
    recurrence_id: date | datetime | None = None
    created: datetime | None = None
    last_modified: datetime | None = None
    dtstamp: datetime | None = None
    extra: Sequence[Property | tuple] = ()
    floating: bool = False
    components: Sequence[Component] = ()
    # An event read from a file also keeps the parameters of its properties (LANGUAGE, ALTREP, ...).
    _as_read = False
    _params = None
    # Made by cancel(attendees=...): a CANCEL without STATUS that un-invites them.  A field, so that
    # dataclasses.replace keeps it: the changed copy must not go out as a REQUEST that invites them.
    _uninvite: bool = field(default=False, repr=False, compare=False)
    # Made by reply(): goes as a REPLY unless told otherwise (as a REQUEST it would come from the organizer).
    _reply: bool = field(default=False, repr=False, compare=False)
    # Made by update() or cancel() with recurrence_id: how the series' rule names the occurrence,
    # written for a RECURRENCE-ID that a DST gap moved (see _rule_wall).
    _recurrence_wall: datetime | None = field(default=None, repr=False, compare=False)

    def __init__(self, summary: str | None, start: date | datetime | None, end: date | datetime | None = None,
                 duration: timedelta | None = None, uid: str | None = None, sequence: int = 0,
                 description: str | None = None, location: str | None = None, url: str | None = None,
                 organizer: Organizer | str | None = None, attendees: Sequence[Attendee | str] = (),
                 status: str | None = None, priority: int | None = None, categories: Sequence[str] = (),
                 transparency: str | None = None, classification: str | None = None, alarms: Sequence[Alarm] = (),
                 rrule: str | Mapping | None = None, exdates: Sequence[date | datetime] = (),
                 rdates: Sequence[Any] = (), recurrence_id: date | datetime | None = None,
                 created: datetime | None = None, last_modified: datetime | None = None,
                 dtstamp: datetime | None = None, extra: Sequence[Property | tuple] = (), floating: bool = False,
                 components: Sequence[Component] = (), _uninvite: bool = False, _reply: bool = False,
                 _recurrence_wall: datetime | None = None) -> None:
        # Checked in local variables, then stored in field order: the usual case runs no helper.
        if floating is not True and floating is not False:
            raise TypeError(f"floating must be True or False, not {floating!r}")
        if not ((summary is None or type(summary) is str) and (description is None or type(description) is str)
                and (location is None or type(location) is str)) \
                or _has_control(f"{summary or ''}{description or ''}{location or ''}"):  # one look for all
            for name, value in (("summary", summary), ("description", description), ("location", location)):
                if value is not None:
                    _check_text(value, name)
        if url is not None:
            url = _check_line(url, "url")
            if not url.isalnum() and _URI_UNSAFE_RE.search(url):  # what a URI cannot hold (RFC 3986 2)
                url = url.strip().translate(_URI_ESCAPES)
        if start is not None and not (type(start) is datetime and type(start.tzinfo) is ZoneInfo
                                      and not start.microsecond and not floating):  # else not the usual case
            start = _check_when(start, "start", floating)
        allday = start is not None and not isinstance(start, datetime)
        if end is not None:
            if duration is not None:
                raise ValueError(f"give end or duration, not both (RFC 5545 3.6.1): end {end!r}, duration {duration!r}")
            if not (type(end) is datetime and type(end.tzinfo) is ZoneInfo and not end.microsecond and not floating):
                end = _check_when(end, "end", floating)
            if start is not None:
                if isinstance(end, datetime) != isinstance(start, datetime):
                    raise ValueError(f"end {end} and start {start} must both be dates or both datetimes")
                if _not_after(end, start):
                    hint = " (end is exclusive: a one-day event ends the next day)" if allday else ""
                    raise ValueError(f"end {end} is not after start {start}{hint}")
        elif duration is not None:
            if not isinstance(duration, timedelta):
                raise TypeError(f"duration must be a timedelta, not {type(duration).__name__}")
            if duration < timedelta(0):
                raise ValueError(f"duration {duration} is negative")
            if duration.microseconds:
                duration = duration - timedelta(microseconds=duration.microseconds)
            if allday and (duration.seconds or not duration.days):
                raise ValueError(f"an all-day event lasts whole days, not {duration}")
            if start is not None:
                try:
                    _add_duration(start, duration)
                except OverflowError:
                    zoned = isinstance(start, datetime) and start.tzinfo is not None
                    what = f"start {start} is, in UTC," if zoned and _instant(start) is None else \
                        f"duration {duration} takes the event"
                    raise ValueError(f"{what} beyond the years 1-9999 that dates hold") from None
        elif allday:
            if start >= date.max:
                raise ValueError(f"start {start} is too late: an all-day event ends the next day")
            end = start + timedelta(days=1)
        if uid is None:
            uid = _new_uid()
        elif type(uid) is not str or not uid.strip() or (not uid.isprintable() and _LINE_BAD_RE.search(uid)):
            if isinstance(uid, str) and uid.strip():
                _check_line(uid, "uid")
            raise (ValueError if isinstance(uid, str) else TypeError)(f"uid must be a non-empty str, not {uid!r}")
        if type(sequence) is not int or not 0 <= sequence < 2 ** 31:  # RFC 5545 3.3.8: 32 bits
            raise (ValueError if type(sequence) is int else TypeError)(
                f"sequence must be a whole number from 0 to 2147483647, not {sequence!r}")
        if organizer is not None and type(organizer) is not Organizer:
            organizer = _organizer(organizer)
        attendees = tuple(attendees) if type(attendees) is list else _as_tuple(attendees)
        for a in attendees:
            if type(a) is not Attendee or a.partstat in _TODO_PARTSTATS:
                attendees = _event_attendees(attendees)
                break
        if status is not None:
            status = _token(status, _EVENT_STATUSES, "status")
        if priority is not None and (type(priority) is not int or not 0 <= priority <= 9):
            raise (ValueError if type(priority) is int else TypeError)(
                f"priority must be a whole number from 0 to 9, not {priority!r}")
        categories = tuple(_check_text(c, "category") for c in _as_tuple(categories)) if categories else ()
        if transparency is not None:
            transparency = _token(transparency, _TRANSPARENCIES, "transparency")
        if classification is not None:
            classification = _token(classification, _CLASSES, "classification")
        alarms = tuple(alarms) if type(alarms) is list else _as_tuple(alarms)
        for a in alarms:
            if type(a) is not Alarm:
                alarms = tuple(a if isinstance(a, Alarm) else Alarm(a) for a in alarms)
                break
        if alarms:
            alarms = _shared_alarms(alarms)
        if isinstance(start, datetime) and end is None and duration is None and \
                any(a.related == "END" and isinstance(a.trigger, timedelta) for a in alarms):
            raise ValueError("an alarm related to the end needs the event's end or duration (RFC 5545 3.8.6.3)")
        if rrule is not None:
            rrule = _rrule_text(rrule, start, floating)
            if isinstance(start, datetime) and start.fold:
                kind = _fold_kind(start)
                if kind == "gap":
                    wall = start.astimezone(UTC).astimezone(start.tzinfo)
                    raise ValueError(f"start {start.isoformat()} does not exist (the clocks skip it), and with "
                                     f"fold=1 Python reads it as {wall.time()}: give that time, or fold=0 for the "
                                     f"RFC 5545 reading (3.3.5) every occurrence keeps")
                if kind == "repeat":
                    raise ValueError(f"start {start.isoformat()} is the second pass through a repeated hour, which "
                                     f"a recurring event cannot start at (RFC 5545 3.3.5): use fold=0 or another "
                                     f"time")
        if dtstamp is None:
            dtstamp = _now()
        elif type(dtstamp) is not datetime or dtstamp.tzinfo is not UTC or dtstamp.microsecond:
            dtstamp = _check_utc_stamp(dtstamp, "dtstamp")
        # every field, in the order of the class (instances then share one layout)
        self.summary, self.start, self.end, self.duration, self.uid = summary, start, end, duration, uid
        self.sequence, self.description, self.location, self.url = sequence, description, location, url
        self.organizer, self.attendees, self.status, self.priority = organizer, attendees, status, priority
        self.categories, self.transparency, self.classification = categories, transparency, classification
        self.alarms, self.rrule, self.exdates, self.rdates = alarms, rrule, exdates or (), rdates or ()
        self.recurrence_id, self.created, self.last_modified = recurrence_id, created, last_modified
        self.dtstamp, self.extra, self.floating, self.components = dtstamp, extra or (), floating, components or ()
        if _uninvite:
            self._uninvite = True
        if _reply:
            self._reply = True
        if _recurrence_wall is not None:
            self._recurrence_wall = _recurrence_wall
        if exdates or rdates or rrule is not None or recurrence_id is not None or created is not None \
                or last_modified is not None or extra or components:
            self._check_rest()

    def __post_init__(self) -> None:
        """The checks, for a dataclass made from Event (its own __init__ calls this; Event's checks itself)."""
        Event.__init__(self, **{f.name: getattr(self, f.name) for f in _fields(Event)})

    def _check_rest(self) -> None:
        """What an event made in code seldom has: dates of a series, other stamps, extra properties."""
        start = self.start
        self.exdates = tuple(self._same_kind(d, "exdate") for d in _as_tuple(self.exdates)) \
            if self.exdates else ()
        self.rdates = tuple(self._rdate(d) for d in _as_tuple(self.rdates)) if self.rdates else ()
        if (self.rrule is not None or self.rdates) and isinstance(start, datetime) and start.tzinfo is not UTC \
                and (type(start.tzinfo) is not ZoneInfo or start.tzinfo.key is None):  # (written in UTC)
            _check_series_zone(start, self.rrule)
        if self.recurrence_id is not None:
            self.recurrence_id = self._same_kind(self.recurrence_id, "recurrence_id")
        if self.created is not None:
            self.created = _check_utc_stamp(self.created, "created")
        if self.last_modified is not None:
            self.last_modified = _check_utc_stamp(self.last_modified, "last_modified")
        self.extra = _extras(self.extra, _CALENDAR_NAMED, "event") if self.extra else ()
        for prop in self.extra:  # a second copy of what a field writes would contradict it
            field_name = "attendees" if prop.name == "ATTENDEE" else _EVENT_PROPS.get(prop.name, ("",))[0]
            if field_name in ("end", "duration") and (self.end, self.duration) != (None, None):
                raise ValueError(f"event extra property {prop.name} is not allowed: the event has its "
                                 f"{'end' if self.end is not None else 'duration'}, and DTEND and DURATION "
                                 f"exclude each other (RFC 5545 3.6.1)")
            if field_name and getattr(self, field_name) not in (None, ()):
                raise ValueError(f"event extra property {prop.name} is not allowed: it is written from its own "
                                 f"field ({field_name})")
            if prop.name in _TIME_PROPS and not getattr(prop, "_as_read", False):  # (a file's is kept as read)
                raise ValueError(f"event extra property {prop.name} is not allowed: give it as the field "
                                 f"{field_name}, which checks it and writes its time zone")
        if self.components:
            self.components = _as_tuple(self.components)
            for c in self.components:
                if not isinstance(c, Component):
                    raise TypeError(f"components must be Component objects, not {type(c).__name__}")
        else:
            self.components = ()

    def _same_kind(self, value: Any, what: str) -> date | datetime:
        value = _check_when(value, what, self.floating)
        if self.start is not None and isinstance(value, datetime) != isinstance(self.start, datetime):
            kind = "a datetime" if isinstance(self.start, datetime) else "a date"
            raise ValueError(f"{what} {value} must be {kind} like the event's start")
        if what != "rdate":  # (an RDATE adds an occurrence: at the second pass too, written in UTC)
            _check_occurrence(value, self.start, what)
        return value

    def _rdate(self, value: Any) -> Any:
        if isinstance(value, tuple) and len(value) == 2:  # a PERIOD: (start, end or duration)
            first = self._same_kind(value[0], "rdate")
            second = value[1] if isinstance(value[1], timedelta) else self._same_kind(value[1], "rdate")
            if not isinstance(first, datetime):
                raise ValueError(f"rdate period {value!r}: a PERIOD is of date-times (RFC 5545 3.3.9); "
                                 f"give an all-day event's extra days as dates")
            if second <= timedelta(0) if isinstance(second, timedelta) else _not_after(second, first):
                raise ValueError(f"rdate period {value!r} does not end after it starts")
            return (first, second)
        return self._same_kind(value, "rdate")

    @property
    def all_day(self) -> bool:
        """True when the event has dates, not times."""
        return self.start is not None and not isinstance(self.start, datetime)

    @property
    def end_time(self) -> date | datetime | None:
        """``end``, or ``start + duration`` as RFC 5545 3.3.6 reads it.

        >>> from zoneinfo import ZoneInfo
        >>> ev = Event("x", datetime(2026, 3, 29, 0, 30, tzinfo=ZoneInfo("Europe/London")),
        ...            duration=timedelta(hours=2))
        >>> ev.end_time.isoformat()   # two hours later: the clocks went forward at 01:00
        '2026-03-29T03:30:00+01:00'
        """
        if self.end is not None or self.start is None:
            return self.end
        try:
            if self.duration is None:
                return self.start + timedelta(days=1) if self.all_day else self.start
            return _add_duration(self.start, self.duration)
        except OverflowError:
            return None  # beyond what datetime can hold (only read from a file can it be so)


def _fold_kind(dt: datetime) -> str | None:
    """For ``fold=1``: "gap" when the clocks skip the wall time, "repeat" when it is the
    second pass through a repeated hour; None when fold changes nothing."""
    if not dt.fold or dt.tzinfo is None or dt.utcoffset() == dt.replace(fold=0).utcoffset():
        return None
    wall = dt.astimezone(UTC).astimezone(dt.tzinfo)
    return "gap" if wall.replace(tzinfo=None, fold=0) != dt.replace(tzinfo=None, fold=0) else "repeat"


def _check_occurrence(value: Any, start: Any, what: str) -> None:
    """Refuse an EXDATE or RECURRENCE-ID at the second pass through a repeated hour of the
    series' own zone: its occurrences are at the first (RFC 5545 3.3.5), so it would name none."""
    if isinstance(value, datetime) and value.fold and isinstance(start, datetime) and \
            isinstance(value.tzinfo, ZoneInfo) and isinstance(start.tzinfo, ZoneInfo) and \
            value.tzinfo.key == start.tzinfo.key:
        kind = _fold_kind(value)
        if kind == "repeat":
            raise ValueError(f"{what} {value.isoformat()} is the second pass through a repeated hour, where the "
                             f"series has no occurrence (RFC 5545 3.3.5: it recurs at the first): use fold=0")
        if kind == "gap":
            raise ValueError(f"{what} {value.isoformat()} does not exist (the clocks skip it), and with fold=1 "
                             f"Python reads it an hour early, where the series has no occurrence: use fold=0, "
                             f"the RFC 5545 reading (3.3.5) the occurrences keep")


def _check_series_zone(start: datetime, rrule: str | None) -> None:
    """Refuse a series whose start is written in UTC (a tzinfo that is no ZoneInfo) when UTC
    changes what it means.

    With summer time (pytz, dateutil, ...) a series in UTC is an hour off the local
    time for half of the year.  With one offset all year (``timezone(timedelta(hours=5))``)
    it keeps its times, unless the rule names hours, or days and the start's day in UTC
    is another than its own (MO at 02:00 +05:00 is a Sunday in UTC).
    """
    tz = start.tzinfo
    if tz is None or isinstance(tz, (_VZone, _UnknownZone)):
        return
    try:  # from UTC: pytz gives a date its offset only so (its utcoffset keeps the one it was made with)
        offsets = {datetime(start.year, month, 15, 12, tzinfo=UTC).astimezone(tz).utcoffset()
                   for month in (1, 4, 7, 10)}
        utc_day = start.astimezone(UTC).date()
    except (OverflowError, ValueError, TypeError):
        return
    if len(offsets) > 1:
        name = getattr(tz, "zone", None) or getattr(tz, "key", None) or "Area/City"
        kind = "a ZoneInfo without a key (ZoneInfo.from_file) has no name to write, and" \
            if isinstance(tz, ZoneInfo) else type(tz).__name__
        raise ValueError(f"start {start}: a recurring event needs its zone as zoneinfo.ZoneInfo({name!r}) "
                         f"to keep its local time across changes of the clocks; {kind} "
                         f"can only be written in UTC")
    rule = _parse_rrule(rrule) if rrule and offsets != {timedelta(0)} else {}
    hours = rule.keys() & {"BYHOUR", "BYMINUTE", "BYSECOND"}
    days = set()
    if utc_day != start.date():  # the rule's days, or the start's day of the month or year, differ in UTC
        days = rule.keys() & {"BYDAY", "BYMONTHDAY", "BYYEARDAY", "BYWEEKNO", "BYMONTH"} or \
            ({f"FREQ={rule['FREQ']}"} if rule.get("FREQ") in ("MONTHLY", "YEARLY") else set())
    if hours or days:
        raise ValueError(f"start {start}: this series is written in UTC (its zone is no ZoneInfo), where its "
                         f"rule's {', '.join(sorted(hours or days))} would name other {'hours' if hours else 'days'}: "
                         f"give the start in UTC, or its zone as zoneinfo.ZoneInfo")


def _event_attendees(values: tuple) -> tuple[Attendee, ...]:
    """An event's attendees as Attendee objects, with a participation status an event can have."""
    attendees = tuple(_attendee(x) for x in values)
    for a in attendees:
        if a.partstat in _TODO_PARTSTATS and not getattr(a, "_as_read", False):
            raise ValueError(f"attendee {a.email} has partstat {a.partstat}, which only a to-do has "
                             f"(RFC 5545 3.2.12): an event's are ACCEPTED, DECLINED, TENTATIVE, DELEGATED, "
                             f"NEEDS-ACTION")
    return attendees


def _not_after(end: date | datetime, start: date | datetime) -> bool:
    """``end <= start`` as instants: Python compares two times of one tzinfo by their wall
    clocks, which repeat an hour when the clocks go back and skip one when they go forward.

    >>> ny = ZoneInfo("America/New_York")
    >>> _not_after(datetime(2026, 11, 1, 1, 15, fold=1, tzinfo=ny), datetime(2026, 11, 1, 1, 30, tzinfo=ny))
    False
    """
    if type(end) is datetime and end.tzinfo is not None and end.tzinfo is start.tzinfo \
            and end.utcoffset() != start.utcoffset():
        return end.timestamp() <= start.timestamp()
    return end <= start


def _add_duration(start: date | datetime, duration: timedelta) -> date | datetime:
    """``start + duration`` with RFC 5545 3.3.6 semantics: days nominal, the rest exact."""
    if not isinstance(start, datetime):
        return start + timedelta(days=duration.days)
    if type(duration) is _Elapsed:  # (PT24H read from a file: hours all through)
        duration = timedelta(seconds=duration.total_seconds())
        if start.tzinfo is None or start.utcoffset() is None:
            return start + duration
        return (start.astimezone(UTC) + duration).astimezone(start.tzinfo)
    tz = start.tzinfo
    if tz is None or start.utcoffset() is None:
        return start + timedelta(days=duration.days, seconds=duration.seconds)
    if start.fold:  # the second pass, or (in a gap) the instant before it, which the writer writes
        start = start.astimezone(UTC).astimezone(tz)
    # aware arithmetic is wall-clock: right for days (and it forgets fold, which only counts without them)
    wall = start + timedelta(days=duration.days) if duration.days else start
    if not duration.seconds:
        return wall
    return (wall.astimezone(UTC) + timedelta(seconds=duration.seconds)).astimezone(tz)


@dataclass
class Calendar:
    """Events (and other components) in one file: ``Calendar([ev1, ev2], method="PUBLISH")``.

    ``warnings`` lists what the reader accepted but did not like.
    """
    events: Sequence[Event] = ()
    method: str | None = None
    prodid: str | None = None
    name: str | None = None
    components: Sequence[Component] = ()
    extra: Sequence[Property | tuple] = ()
    timezones: Sequence[Component] = field(default=(), compare=False, repr=False)
    warnings: list = field(default_factory=list, compare=False, repr=False)

    def __post_init__(self) -> None:
        self.events = tuple(_as_tuple(self.events))
        for ev in self.events:
            if not isinstance(ev, Event):
                raise TypeError(f"Calendar events must be Event objects, not {type(ev).__name__}")
        if self.method is not None:
            self.method = _token(self.method, _METHODS, "method")
        if self.prodid is None:
            self.prodid = _PRODID
        else:
            _check_line(self.prodid, "prodid")
        if self.name is not None:
            _check_line(self.name, "calendar name")
        self.components = tuple(self.components)
        self.extra = _extras(self.extra, _CALENDAR_NAMED, "calendar") if self.extra else ()
        if self.name is not None and any(p.name in ("NAME", "X-WR-CALNAME") for p in self.extra):
            raise ValueError("calendar extra NAME / X-WR-CALNAME repeat the name: give one or the other")
        self.timezones = tuple(self.timezones)


# Recurrence (RFC 5545 3.3.10, 3.8.5): a rule is expanded on the wall clock of the start's
# zone, and each time then placed in the zone (a time the clocks skip moves on by the gap;
# a repeated time is its first pass: 3.3.5).

_SUBDAILY_SECONDS = MappingProxyType({"HOURLY": 3600, "MINUTELY": 60, "SECONDLY": 1})
_PERIOD_DAYS = MappingProxyType({"YEARLY": 366, "MONTHLY": 31, "WEEKLY": 7, "DAILY": 1})  # at most
_TWO_DAYS = timedelta(days=2)
_BIG_PERIOD = 20_000  # times in one period of a rule beyond which they are made a day at a time
_CYCLE_DAYS = 146097  # the Gregorian calendar repeats every 400 years: a rule empty that long stays empty
_LAST_DAY = date.max.toordinal()


@dataclass(frozen=True)
class _Rule:
    """An RRULE's parts as numbers, with what it takes from its start (RFC 5545 3.3.10)."""
    freq: str
    interval: int
    count: int | None
    until: tuple | None  # (date or naive datetime, whether UTC)
    wkst: int  # 0 = Monday, as date.weekday()
    months: frozenset | None
    weeknos: frozenset | None
    yeardays: frozenset | None
    monthdays: frozenset | None
    weekdays: frozenset | None
    nth: frozenset | None  # (n, weekday): the nth such day of the month or year, counted from its end if n < 0
    hours: tuple | None  # the clock parts given, else the start's when the rule is coarser, else None
    minutes: tuple | None
    seconds: tuple | None
    setpos: tuple | None


def _rule_numbers(parts: Mapping[str, str], name: str) -> frozenset | None:
    return frozenset(int(n) for n in parts[name].split(",")) if name in parts else None


def _rule(text: str, start: datetime) -> _Rule:
    """The rule ``text`` for a series that starts at ``start`` (its wall clock).

    >>> _rule("FREQ=MONTHLY;BYDAY=-1FR", datetime(2026, 1, 30, 9)).nth
    frozenset({(-1, 4)})
    """
    parts = _parse_rrule(text)
    if parts.get("RSCALE", "GREGORIAN").upper() != "GREGORIAN":
        raise ValueError(f"RRULE RSCALE={parts['RSCALE']}: only Gregorian rules are expanded")
    if parts.get("SKIP", "OMIT") != "OMIT":
        raise ValueError(f"RRULE SKIP={parts['SKIP']} (RFC 7529) is not expanded")
    freq = parts["FREQ"]
    weekdays, nth = set(), set()
    for day in parts["BYDAY"].split(",") if "BYDAY" in parts else ():
        sign, number, name = _BYDAY_RE.match(day).groups()
        if number:
            nth.add((-int(number) if sign == "-" else int(number), _WEEKDAYS.index(name)))
        else:
            weekdays.add(_WEEKDAYS.index(name))
    months, monthdays = _rule_numbers(parts, "BYMONTH"), _rule_numbers(parts, "BYMONTHDAY")
    if not {"BYWEEKNO", "BYYEARDAY", "BYMONTHDAY", "BYDAY"} & parts.keys():  # the day is the start's
        if freq == "YEARLY":
            months, monthdays = months or frozenset({start.month}), frozenset({start.day})
        elif freq == "MONTHLY":
            monthdays = frozenset({start.day})
        elif freq == "WEEKLY":
            weekdays = {start.weekday()}
    coarser = _RRULE_FREQS.index(freq)

    def clock(name: str, unit: str, own: int) -> tuple | None:
        if name in parts:  # (BYSECOND=60, a leap second, is no time a clock here shows)
            return tuple(sorted(n for n in _rule_numbers(parts, name) if n < 60))
        return (own,) if coarser > _RRULE_FREQS.index(unit) else None

    until = _parse_dt(parts["UNTIL"].upper())[:2] if "UNTIL" in parts else None
    return _Rule(freq, int(parts.get("INTERVAL", 1)), int(parts["COUNT"]) if "COUNT" in parts else None, until,
                 _WEEKDAYS.index(parts.get("WKST", "MO")), months, _rule_numbers(parts, "BYWEEKNO"),
                 _rule_numbers(parts, "BYYEARDAY"), monthdays, frozenset(weekdays) if weekdays or nth else None,
                 frozenset(nth) if nth else None, clock("BYHOUR", "HOURLY", start.hour),
                 clock("BYMINUTE", "MINUTELY", start.minute), clock("BYSECOND", "SECONDLY", start.second),
                 tuple(sorted(_rule_numbers(parts, "BYSETPOS"))) if "BYSETPOS" in parts else None)


def _rule_is_empty(rule: _Rule, start: datetime) -> bool:
    """Whether the rule can give no time at all: a clock part with no time, a BYSETPOS beyond
    what a period can hold, or steps that never reach the hours or minutes the rule names."""
    clock = (rule.hours, rule.minutes, rule.seconds)
    if () in clock:
        return True
    if rule.setpos is not None:
        sizes = {"HOURLY": clock[1:], "MINUTELY": clock[2:], "SECONDLY": ()}.get(rule.freq, clock)
        most = _PERIOD_DAYS.get(rule.freq, 1)
        for size in sizes:
            most *= len(size)
        if min(map(abs, rule.setpos)) > most:
            return True
    if rule.freq in _SUBDAILY_SECONDS:
        hours, minutes = rule.hours, rule.minutes if rule.freq != "HOURLY" else None
        seconds = rule.seconds if rule.freq == "SECONDLY" else None
        if hours is None and minutes is None and seconds is None:
            return False
        step = math.gcd(_SUBDAILY_SECONDS[rule.freq] * rule.interval, 86400)  # the times of day it reaches
        first = (start.hour * 3600 + start.minute * 60 + start.second) % step
        return not any((hours is None or at // 3600 in hours) and (minutes is None or at // 60 % 60 in minutes)
                       and (seconds is None or at % 60 in seconds) for at in range(first, 86400, step))
    return False


def _week_one(year: int, wkst: int) -> int:
    """The ordinal of the first day of week 1 of ``year``: the week, from ``wkst``, that holds
    4 January (year 10000 included, for the weeks of 9999)."""
    fourth = date(year, 1, 4).toordinal() if year <= 9999 else _LAST_DAY + 4
    return fourth - ((fourth - 1) % 7 - wkst) % 7  # (ordinal 1 is a Monday)


def _week_number(day: date, wkst: int) -> tuple[int, int]:
    """(number, weeks of its year) of the week of ``day``; a week is of the year of its 4th day.

    >>> _week_number(date(2026, 12, 28), 0), _week_number(date(2027, 1, 1), 0)
    ((53, 53), (53, 53))
    """
    first = day.toordinal() - (day.weekday() - wkst) % 7
    year = date.fromordinal(max(first + 3, 1)).year
    one = _week_one(year, wkst)
    return (first - one) // 7 + 1, (_week_one(year + 1, wkst) - one) // 7


def _day_matches(day: date, rule: _Rule) -> bool:
    """Whether ``day`` passes every day part the rule gives."""
    if rule.months is not None and day.month not in rule.months:
        return False
    if rule.monthdays is not None or rule.nth is not None:
        month_days = _month_days(day.year, day.month)
        if rule.monthdays is not None and day.day not in rule.monthdays \
                and day.day - month_days - 1 not in rule.monthdays:
            return False
    if rule.yeardays is not None or rule.nth is not None:
        year_day, year_days = day.toordinal() - date(day.year, 1, 1).toordinal() + 1, 365 + _is_leap(day.year)
        if rule.yeardays is not None and year_day not in rule.yeardays \
                and year_day - year_days - 1 not in rule.yeardays:
            return False
    if rule.weeknos is not None:
        number, weeks = _week_number(day, rule.wkst)
        if number not in rule.weeknos and number - weeks - 1 not in rule.weeknos:
            return False
    if rule.weekdays is not None and day.weekday() not in rule.weekdays:
        if rule.nth is None:
            return False
        # the nth of the month in a MONTHLY rule, or a YEARLY one with BYMONTH; else of the year
        at, size = (day.day, month_days) if rule.freq == "MONTHLY" or rule.months else (year_day, year_days)
        weekday = day.weekday()
        return ((at - 1) // 7 + 1, weekday) in rule.nth or (-((size - at) // 7 + 1), weekday) in rule.nth
    return True


def _by_setpos(times: list, setpos: tuple | None) -> list:
    """The times of one period that BYSETPOS picks (1 the first, -1 the last), in order."""
    if setpos is None:
        return times
    return [times[i] for i in _setpos_indexes(len(times), setpos)]


def _setpos_indexes(size: int, setpos: tuple) -> list[int]:
    """Where in a period of ``size`` times BYSETPOS picks, in order (1 the first, -1 the last)."""
    return sorted({p - 1 if p > 0 else size + p for p in setpos if -size <= p <= size})


def _rule_periods(rule: _Rule, start: datetime, skip: int,
                  from_day: date | None = None) -> Iterator[tuple[datetime, list[datetime]]]:
    """(when the period begins, its times in order) for each period the rule steps through,
    from the ``skip``-th on (0: the start's).  A period too big to list at once comes a day
    at a time, from ``from_day`` on (for a rule without COUNT or BYSETPOS, which count from
    the first)."""
    if rule.freq in _SUBDAILY_SECONDS:
        yield from _subdaily_periods(rule, start, skip)
        return
    clock = [time(h, m, s) for h in rule.hours for m in rule.minutes for s in rule.seconds]
    step = rule.interval
    if rule.freq == "YEARLY":
        firsts: Iterable[int] = (date(y, 1, 1).toordinal() for y in range(start.year + skip * step, 10000, step))
    elif rule.freq == "MONTHLY":
        months = range(start.year * 12 + start.month - 1 + skip * step, 120000, step)
        firsts = (date(i // 12, i % 12 + 1, 1).toordinal() for i in months)
    else:
        first = start.toordinal()
        if rule.freq == "WEEKLY":
            first -= (start.weekday() - rule.wkst) % 7  # (may be before 1 January of the year 1)
            step *= 7
        firsts = range(first + skip * step, _LAST_DAY + 1, step)
    for first in firsts:
        if rule.freq == "YEARLY" and rule.months is not None:  # only the days of those months
            year = date.fromordinal(first).year
            days: Iterable[date] = (date(year, m, d) for m in sorted(rule.months)
                                    for d in range(1, _month_days(year, m) + 1))
        else:
            day = date.fromordinal(max(first, 1))
            size = {"YEARLY": 365 + _is_leap(day.year), "MONTHLY": _month_days(day.year, day.month),
                    "WEEKLY": 7}.get(rule.freq, 1)
            days = map(date.fromordinal, range(max(first, 1), min(first + size, _LAST_DAY + 1)))
        matched = [day for day in days if _day_matches(day, rule)]
        begins = datetime.combine(date.fromordinal(max(first, 1)), time(0))
        if len(matched) * len(clock) <= _BIG_PERIOD:
            yield begins, _by_setpos([datetime.combine(day, t) for day in matched for t in clock], rule.setpos)
        elif rule.setpos is not None:  # the n-th time of the period, found without listing them all
            each = len(clock)
            yield begins, [datetime.combine(matched[i // each], clock[i % each])
                           for i in _setpos_indexes(len(matched) * each, rule.setpos)]
        else:  # a day at a time: a year of every second is 31 million
            for day in matched:
                if from_day is None or day >= from_day:
                    yield datetime.combine(day, time(0)), [datetime.combine(day, t) for t in clock]


def _subdaily_periods(rule: _Rule, start: datetime, skip: int) -> Iterator[tuple[datetime, list[datetime]]]:
    """The periods of an HOURLY, MINUTELY or SECONDLY rule; the steps inside a month, day, hour
    or minute the rule leaves out are skipped at once."""
    step = _SUBDAILY_SECONDS[rule.freq] * rule.interval
    try:
        at = start + timedelta(seconds=skip * step)
    except OverflowError:
        return
    while True:
        skip_to = None
        try:
            if rule.months is not None and at.month not in rule.months:
                skip_to = datetime(at.year + at.month // 12, at.month % 12 + 1, 1)
            elif not _day_matches(at.date(), rule):
                skip_to = datetime.combine(at.date(), time(0)) + timedelta(days=1)
            elif rule.hours is not None and at.hour not in rule.hours:
                skip_to = at.replace(minute=0, second=0) + timedelta(hours=1)
            elif rule.freq != "HOURLY" and rule.minutes is not None and at.minute not in rule.minutes:
                skip_to = at.replace(second=0) + timedelta(minutes=1)
        except (OverflowError, ValueError):  # past 31 December 9999
            return
        if skip_to is not None:
            yield at, []
        elif rule.freq == "HOURLY":
            yield at, _by_setpos([at.replace(minute=m, second=s) for m in rule.minutes for s in rule.seconds],
                                 rule.setpos)
        elif rule.freq == "MINUTELY":
            yield at, _by_setpos([at.replace(second=s) for s in rule.seconds], rule.setpos)
        else:
            yield at, [at] if (rule.seconds is None or at.second in rule.seconds) and (
                rule.setpos is None or 1 in rule.setpos or -1 in rule.setpos) else []  # its one time: 1 and -1
        try:
            gap = (skip_to - at).total_seconds() if skip_to is not None else step
            at += timedelta(seconds=-(-int(gap) // step) * step)  # the first step at or after skip_to
        except OverflowError:
            return


def _periods_before(rule: _Rule, start: datetime, after: datetime) -> int:
    """How many whole periods of an endless or UNTIL-bound rule lie before ``after``: a
    window far from the start need not walk through them (BYSETPOS counts within a period)."""
    if after <= start:
        return 0
    if rule.freq in _SUBDAILY_SECONDS:
        return int((after - start).total_seconds()) // (_SUBDAILY_SECONDS[rule.freq] * rule.interval)
    if rule.freq == "YEARLY":
        return (after.year - start.year) // rule.interval
    if rule.freq == "MONTHLY":
        return (after.year * 12 + after.month - start.year * 12 - start.month) // rule.interval
    week = 7 if rule.freq == "WEEKLY" else 1
    first = start.toordinal() - ((start.weekday() - rule.wkst) % 7 if week == 7 else 0)
    return (after.toordinal() - first) // (week * rule.interval)


class _OverBudget(Exception):
    """A walk through a series took more steps than its _Budget allows."""


class _Budget:
    """Steps a walk through series may take (a period stepped through costs the days it
    holds): what bounds the reader's checks of a hostile file."""

    __slots__ = ("left",)

    def __init__(self, steps: int) -> None:
        self.left = steps

    def spend(self, steps: int) -> None:
        self.left -= steps
        if self.left < 0:
            raise _OverBudget


# What stepping through one period of a rule costs, in days looked at (see _Budget).
_PERIOD_COST = MappingProxyType({"YEARLY": 366, "MONTHLY": 31, "WEEKLY": 7})


def _rule_times(rule: _Rule, start: datetime, after: datetime | None = None,
                budget: _Budget | None = None) -> Iterator[datetime]:
    """The rule's wall times after ``start`` (and, for a rule without COUNT, from the period
    that holds ``after`` on), in order, until it has had none for a whole calendar cycle."""
    if _rule_is_empty(rule, start):
        return
    skip = _periods_before(rule, start, after) if after is not None and rule.count is None else 0
    last = after if skip else start
    give_up = timedelta(days=min(_CYCLE_DAYS * rule.interval, 4_000_000))
    cost = _PERIOD_COST.get(rule.freq, 1)
    until = rule.until[0] if rule.until is not None else None
    stop = datetime.combine(until, time(0)) if isinstance(until, date) else None  # (a datetime is a date)
    from_day = (after - _TWO_DAYS).date() if after is not None and rule.count is None and \
        after - _TWO_DAYS > start else None
    for begins, times in _rule_periods(rule, start, skip, from_day):
        if budget is not None:
            budget.spend(cost + len(times))
        if stop is not None and begins - stop > _TWO_DAYS:  # past UNTIL in any zone: nothing more to give
            return
        for t in times:
            if t > start:
                yield t
                last = t
        if begins - last > give_up:
            return


def _wall_key(value: date | datetime, zone: tzinfo | None) -> datetime:
    """Where ``value`` falls on the wall clock of ``zone``: what orders a series' times."""
    if not isinstance(value, datetime):
        return datetime.combine(value, time(0))
    if value.tzinfo is not None and zone is not None and value.tzinfo is not zone:
        try:
            if value.utcoffset() is not None:
                value = value.astimezone(zone)
        except (OverflowError, ValueError):  # the years 1-9999 end there, or the zone has no offsets
            pass
    return value.replace(tzinfo=None, fold=0)


def _instant(value: date | datetime) -> datetime | None:
    """A time as naive UTC, or None when it names no instant (a date, a floating time)."""
    if not isinstance(value, datetime) or value.tzinfo is None:
        return None
    offset = value.utcoffset()
    try:
        return None if offset is None else value.replace(tzinfo=None) - offset
    except OverflowError:  # the first or last hours of the years 1-9999
        return None


def _same_time(a: date | datetime, b: date | datetime, zone: tzinfo | None) -> bool:
    """Whether two times of one series are one: the same instant, or the same wall time when
    either names none (a date, a floating time)."""
    at, bt = _instant(a), _instant(b)
    return at == bt if at is not None and bt is not None else _wall_key(a, zone) == _wall_key(b, zone)


def _earlier(a: date | datetime, b: date | datetime, zone: tzinfo | None) -> bool:
    """Whether ``a`` comes before ``b`` in a series of ``zone`` (see _same_time)."""
    at, bt = _instant(a), _instant(b)
    return at < bt if at is not None and bt is not None else _wall_key(a, zone) < _wall_key(b, zone)


def _series_zone(ev: Event) -> tzinfo | None:
    return ev.start.tzinfo if isinstance(ev.start, datetime) else None


def _in_zone(value: date | datetime, zone: tzinfo | None) -> date | datetime:
    """A floating time of a series in ``zone`` read as a time there (as clients do)."""
    if zone is not None and isinstance(value, datetime) and value.tzinfo is None:
        return value.replace(tzinfo=zone)
    return value


def _real_time(value: date | datetime, zone: tzinfo | None) -> date | datetime:
    """``value`` in ``zone``, as the clocks there show it: a time they skip moves on by the gap."""
    if not isinstance(value, datetime) or zone is None or value.tzinfo is None:
        return value
    try:
        return value if value.utcoffset() is None else value.astimezone(UTC).astimezone(zone)
    except (OverflowError, ValueError):
        return value


def _past_until(placed: date | datetime, until: tuple) -> bool:
    value, utc = until
    if not isinstance(value, datetime):  # a day: the whole of it
        return (placed.date() if isinstance(placed, datetime) else placed) > value
    if not isinstance(placed, datetime):
        return placed > value.date()
    instant = _instant(placed) if utc else None
    return (instant if instant is not None else placed.replace(tzinfo=None)) > value


def occurrences(event: Event, start: date | datetime | None = None,
                end: date | datetime | None = None) -> Iterator[date | datetime]:
    """The start of each occurrence of ``event``, in order: its own start, then its RRULE's and
    RDATEs' times, less its EXDATEs (RFC 5545 3.8.5), each in the event's zone.

    ``start`` and ``end`` keep the occurrences that begin in ``[start, end)``. A series
    without COUNT or UNTIL is endless: give ``end``, or take what you need
    (``itertools.islice``).  A rule is expanded on the wall clock of the event's zone,
    so a daily 09:00 stays at 09:00 across a change of clocks; a time the clocks skip
    becomes the time they show then, an hour later (RFC 5545 3.3.5).

    >>> london = ZoneInfo("Europe/London")
    >>> ev = Event("Stand-up", datetime(2026, 3, 28, 9, tzinfo=london), rrule="FREQ=DAILY;COUNT=3")
    >>> [t.isoformat() for t in occurrences(ev)]
    ['2026-03-28T09:00:00+00:00', '2026-03-29T09:00:00+01:00', '2026-03-30T09:00:00+01:00']
    """
    first = event.start
    if first is None:
        raise ValueError(f"event {event.uid!r} has no start, so no occurrences")
    lo, hi = (None if b is None else _bound(b, first, what) for b, what in ((start, "start"), (end, "end")))
    yield from _occurrences(event, _Plan.of(event), lo, hi)


class _Plan:
    """A series' RDATEs and EXDATEs made ready once, for walks through it (see _occurrences)."""

    __slots__ = ("zone", "rdates", "keys", "excluded_at", "excluded", "excluded_days", "exrules")

    def __init__(self, zone: tzinfo | None, rdates: list, excluded_at: set, excluded: set, excluded_days: Any,
                 exrules: tuple = ()):
        self.zone, self.rdates, self.keys = zone, rdates, [key for key, _ in rdates]
        self.excluded_at = excluded_at  # a time with an offset excludes that instant,
        self.excluded = excluded  # else the same wall time;
        self.excluded_days = excluded_days  # a DATE, that whole day of a series of times
        self.exrules = exrules  # the rules of a file's EXRULEs (RFC 2445), as read

    @classmethod
    def of(cls, event: Event) -> _Plan:
        first = event.start
        zone = first.tzinfo if isinstance(first, datetime) else None
        rdates = sorted((_wall_key(real, zone), real) for real in
                        (_real_time(r[0] if isinstance(r, tuple) else r, zone) for r in event.rdates))
        exdates = [_real_time(x, zone) for x in event.exdates]
        exrules = tuple(p.value for p in event.extra if p.name == "EXRULE" and isinstance(p.value, str)) \
            if event.extra else ()
        return cls(zone, rdates, {_instant(x) for x in exdates} - {None},
                   {_wall_key(x, zone) for x in exdates if _instant(x) is None},
                   {x for x in exdates if not isinstance(x, datetime)} if isinstance(first, datetime) else (),
                   exrules)

    def excludes(self, value: date | datetime, key: datetime, instant: datetime | None) -> bool:
        """Whether an EXDATE takes out ``value`` (at wall time ``key``, at ``instant``)."""
        return instant in self.excluded_at or key in self.excluded \
            or bool(self.excluded_days) and isinstance(value, datetime) and value.date() in self.excluded_days


def _occurrences(event: Event, plan: _Plan, lo: tuple | None, hi: tuple | None,
                 budget: _Budget | None = None) -> Iterator[date | datetime]:
    """occurrences() within bounds made by _bound; ``budget`` bounds the walk."""
    first = event.start
    zone = plan.zone
    previous, seen = None, set()  # what was yielded at this wall time: an RDATE can repeat a rule's time
    after = _moved(lo[0], -_clock_slack(zone, lo[0], timedelta(days=2))) if lo is not None else None
    stop = _moved(hi[0], _clock_slack(zone, hi[0], timedelta(days=1))) if hi is not None else None
    rdates = plan.rdates if after is None else plan.rdates[bisect.bisect_left(plan.keys, after):]
    excludes = plan.excludes
    exrules = _ExRule.of(plan.exrules, event, zone, budget) if plan.exrules else ()
    ruled_out, run_from = 0, None  # occurrences the EXRULEs took out in a row, since: an endless run ends it
    for key, value in heapq.merge(_series_times(event, first, zone, after, budget), rdates, key=_first):
        if stop is not None and key > stop:
            return
        instant = _instant(value)
        if excludes(value, key, instant):
            continue
        if exrules:
            if any(x.excludes(key) for x in exrules):
                ruled_out, run_from = ruled_out + 1, key if not ruled_out else run_from
                if ruled_out > _ExRule.IN_A_ROW:
                    raise ValueError(f"event {event.uid!r}: its EXRULE takes out every occurrence from "
                                     f"{_fmt_local(run_from)} on, {_ExRule.IN_A_ROW} in a row: it cannot be "
                                     f"expanded further")
                continue
            ruled_out = 0
        if key != previous:
            previous, seen = key, set()
        same = instant if instant is not None else value
        if same in seen:
            continue
        seen.add(same)
        if lo is not None and not _at_or_after(key, instant, lo):
            continue
        if hi is not None and _at_or_after(key, instant, hi):
            continue
        yield value


def _first(pair: tuple) -> Any:
    return pair[0]


class _ExRule:
    """The times an EXRULE (RFC 2445 4.8.5.2) takes out of a series, asked for in order: its
    rule's times from the series' start (the start too, when the rule gives it), walked only
    as far as the times asked about (from near them, when it has no COUNT)."""

    _MOST = 1_000_000  # times walked in all: a rule beyond that cannot be expanded
    IN_A_ROW = 10_000  # occurrences taken out in a row: where an endless series is taken to have no more

    def __init__(self, text: str, rule: _Rule, event: Event, zone: tzinfo | None, budget: _Budget | None) -> None:
        self.text, self.rule, self.uid, self.first, self.zone, self.budget = \
            text, rule, event.uid, event.start, zone, budget
        self.wall = _wall_key(event.start, zone)
        self.allday = not isinstance(event.start, datetime)
        self.keys: list[datetime] = []  # a heap of the excluded times walked to, on the wall clock
        self.count = 0
        self.walked = 0  # times walked in all: a rule beyond _MOST cannot be expanded
        self.walk: Iterator[datetime] | None = None
        self.reached: datetime | None = None  # the rule's last time walked to
        self.done = False

    @classmethod
    def of(cls, texts: tuple[str, ...], event: Event, zone: tzinfo | None, budget: _Budget | None) -> list[_ExRule]:
        """The EXRULEs of ``event`` that can be read (the reader warned of the others)."""
        wall = _wall_key(event.start, zone)
        out = []
        for text in texts:
            try:
                out.append(cls(text, _rule(text, wall), event, zone, budget))
            except ValueError:
                pass
        return out

    def _restart(self, after: datetime | None) -> None:
        """Walk from the period that holds ``after`` (from the series' start: None)."""
        self.walk, self.keys, self.done = _rule_times(self.rule, self.wall, after, self.budget), [], False
        self.reached = after
        if after is None:  # from the start: the start itself counts when the rule gives it
            self.count = 0
            if _rule_gives(self.text, self.first):
                self.count = 1
                heapq.heappush(self.keys, self.wall)

    def excludes(self, key: datetime) -> bool:
        """Whether the rule gives the time ``key`` (each asked later than the one before)."""
        if self.rule.count is None and key > self.wall:  # no need to walk from the start: from near key
            # (a time the clocks skip, before key on the rule's clock, is moved onto it)
            near = _moved(key, -_clock_slack(self.zone, key, timedelta(days=2)) - timedelta(seconds=1))
            if self.walk is None or self.reached is not None and self.reached < near:
                self._restart(near)
        elif self.walk is None:
            self._restart(None)
        rule = self.rule
        while not self.done and (self.reached is None or self.reached <= key):
            t = next(self.walk, None)
            self.walked += 1
            if self.walked > self._MOST:
                raise ValueError(f"event {self.uid!r}: its EXRULE {self.text!r} cannot be expanded this far")
            if t is None or rule.count is not None and self.count >= rule.count:
                self.done = True
                break
            self.reached = t
            placed = t.date() if self.allday else _real_time(t.replace(tzinfo=self.zone), self.zone)
            if rule.until is not None and _past_until(placed, rule.until):
                continue
            self.count += 1
            heapq.heappush(self.keys, _wall_key(placed, self.zone))
        keys = self.keys
        while keys and keys[0] < key:
            heapq.heappop(keys)
        return bool(keys) and keys[0] == key


_SAMPLES = tuple(timedelta(hours=h) for h in range(-48, 49, 3))


def _moved(wall: datetime, by: timedelta) -> datetime:
    """``wall + by``, held at the first or last instant of the years 1-9999 that Python's dates hold.

    >>> _moved(datetime(9999, 12, 31, 20), timedelta(days=1))
    datetime.datetime(9999, 12, 31, 23, 59, 59, 999999)
    """
    try:
        return wall + by
    except OverflowError:
        return datetime.max if by > timedelta(0) else datetime.min


def _clock_slack(zone: tzinfo | None, wall: datetime, most: timedelta) -> timedelta:
    """How far a time of ``zone`` may lie from a bound at ``wall`` on the wall clock and still
    fall on its other side: the changes of clocks within two days of it (a gap moves a time
    later, a repeated hour holds two), up to ``most``; nothing where the clocks do not change,
    so a rule of seconds need not walk through days of them."""
    if zone is None:
        return timedelta(0)
    try:
        offsets = [(wall + step).replace(tzinfo=zone).utcoffset() for step in _SAMPLES]
    except (OverflowError, ValueError):  # the first or last days of the years 1-9999
        return most
    if None in offsets:
        return timedelta(0)
    change = sum((abs(b - a) for a, b in zip(offsets, offsets[1:])), timedelta(0))
    return min(change, most)


def _bound(value: date | datetime, first: date | datetime, what: str) -> tuple[datetime, datetime | None]:
    """(wall time, instant) of a bound given to ``occurrences``, checked against the event's start."""
    if not isinstance(value, (date, datetime)):
        raise TypeError(f"occurrences {what} must be a date or datetime, not {type(value).__name__}")
    if not isinstance(first, datetime):  # all-day: days are compared
        return datetime.combine(value.date() if isinstance(value, datetime) else value, time(0)), None
    zone = first.tzinfo
    if isinstance(value, datetime):
        if zone is not None and first.utcoffset() is not None and value.utcoffset() is None:
            raise ValueError(f"occurrences {what} {value} is naive, but the event's start {first} has a time zone")
        if (zone is None or first.utcoffset() is None) and value.tzinfo is not None:
            kind = "is floating" if zone is None else "has a time zone icsmail could not read"
            raise ValueError(f"occurrences {what} {value} has a time zone, but the event's start {first} {kind}: "
                             f"give a naive datetime or a date")
    elif zone is not None and first.utcoffset() is not None:
        value = datetime.combine(value, time(0), tzinfo=zone)  # the day begins in the event's zone
    return _wall_key(value, zone), _instant(value)


def _at_or_after(key: datetime, instant: datetime | None, bound: tuple) -> bool:
    return instant >= bound[1] if instant is not None and bound[1] is not None else key >= bound[0]


def _series_times(event: Event, first: date | datetime, zone: tzinfo | None,
                  after: datetime | None = None, budget: _Budget | None = None) -> Iterator[tuple[datetime, Any]]:
    """(wall time, time) of the event's start and its RRULE's times up to COUNT and UNTIL, in
    order of the times: a time the clocks skip, moved later, waits for those before it."""
    wall = _wall_key(first, zone)
    start = _real_time(first, zone)
    if not event.rrule:
        yield _wall_key(start, zone), start
        return
    try:
        rule = _rule(event.rrule, wall)
    except ValueError as exc:
        raise ValueError(f"event {event.uid!r}: its RRULE {event.rrule!r} cannot be expanded: {exc}") from None
    allday = not isinstance(first, datetime)
    waiting = [(_wall_key(start, zone), 0, start)]  # a heap; the number keeps equal times in order
    held = {_instant(start) or start}  # the times waiting, as instants where they have one
    count = 1
    for t in _rule_times(rule, wall, after, budget):
        while waiting and waiting[0][0] < t:  # no time to come can be earlier than t
            key, _, placed = heapq.heappop(waiting)
            held.discard(_instant(placed) or placed)
            yield key, placed
        if rule.count is not None and count >= rule.count:
            break
        placed = t.date() if allday else _real_time(t.replace(tzinfo=zone), zone)
        if rule.until is not None and _past_until(placed, rule.until):
            if t.date() > (rule.until[0].date() if isinstance(rule.until[0], datetime) else rule.until[0]) \
                    + timedelta(days=1):
                break
            continue  # (a later time of the rule can still be earlier, once a gap has moved this one)
        key = _wall_key(placed, zone)
        same = _instant(placed) or placed
        if same in held:  # a gap moved it onto another: one occurrence
            continue
        count += 1
        held.add(same)
        heapq.heappush(waiting, (key, count, placed))
    while waiting:
        key, _, placed = heapq.heappop(waiting)
        yield key, placed


# --------------------------------------------------------------------------
# 5. Writer
# --------------------------------------------------------------------------

# Default value types (RFC 5545 3.7-3.8, RFC 7986): TEXT values are escaped;
# every other type is written as given.  X- properties default to TEXT (3.8.8.2).
_TEXT_PROPS = frozenset({
    "ACTION", "CALSCALE", "CLASS", "COLOR", "COMMENT", "CONTACT", "DESCRIPTION", "LOCATION", "METHOD",
    "NAME", "PRODID", "RELATED-TO", "STATUS", "SUMMARY", "TRANSP", "TZID", "TZNAME", "UID", "VERSION",
})
_TEXT_LIST_PROPS = frozenset({"CATEGORIES", "RESOURCES"})


def _is_text(name: str, params: Sequence[tuple[str, Any]]) -> bool:
    """Whether a property's value is TEXT (escaped), from its VALUE parameter or its name."""
    for pname, pvalue in params:
        if pname == "VALUE":
            return isinstance(pvalue, str) and pvalue.upper() == "TEXT"
    return name in _TEXT_PROPS or name in _TEXT_LIST_PROPS or name.startswith("X-")


def _property_line(prop: Property) -> str:
    value = prop.value
    if _is_text(prop.name, prop.params):
        value = ",".join(map(_escape_text, value)) if isinstance(value, tuple) else _escape_text(value)
    elif isinstance(value, tuple):
        value = ",".join(value)
    return _fold(f"{prop.name}{_params_text(prop.params)}:{value}")


class _Zones:
    """The time zones a calendar's events use, with the span each must cover."""

    def __init__(self) -> None:
        self.spans: dict[str, list] = {}  # IANA key -> [earliest, latest or None (open-ended)]
        self.custom: dict[str, _VZone] = {}  # TZID written -> zone read from a VTIMEZONE
        self.renamed: dict[int, str] = {}  # id(zone) -> the TZID it is written with, when not its own

    def custom_tzid(self, zone: _VZone) -> str:
        """The TZID ``zone`` is written with: its own, unless a different zone has that TZID here.

        Files merged from several VCALENDARs can define one TZID twice, differently.
        """
        tzid = zone.tzid
        known = self.custom.get(tzid)
        if known is zone:
            return tzid
        if known is None:
            self.custom[tzid] = zone
            return tzid
        renamed = self.renamed.get(id(zone))
        if renamed is None:
            same = next((t for t, z in self.custom.items() if z is zone or z.component == zone.component), None)
            if same is not None:
                renamed = same
            else:
                renamed = _numbered_tzid(tzid, self.custom)[0]
                self.custom[renamed] = zone
            self.renamed[id(zone)] = renamed
        return renamed

    def note(self, key: str, when: datetime) -> None:
        span = self.spans.get(key)
        if span is None:
            self.spans[key] = [when, when]
        elif when < span[0]:  # one tzinfo: by the wall clock, cheaply (dumps widens the span for it)
            span[0] = when
        elif span[1] is not None and when > span[1]:
            span[1] = when


def _numbered_tzid(tzid: str, taken: Container[str], n: int = 1) -> tuple[str, int]:
    """``tzid``, or the first of ``tzid (n+1)``, ``tzid (n+2)``... not ``taken``; with its number.

    >>> _numbered_tzid("Custom", {"Custom", "Custom (2)"})
    ('Custom (3)', 3)
    """
    name = tzid
    while name in taken:
        n += 1
        name = f"{tzid} ({n})"
    return name, n


# The wall clock orders times of one zone within a day of their instants (Pacific/Apia
# skipped a whole day in 2011): a zone's span is widened by this much on each side.
_SPAN_MARGIN = 2 * 86400


_CHANGE_DAYS: dict[tuple[str, int], frozenset] = {}


def _change_days(key: str, year: int) -> frozenset:
    """The local dates of ``year`` on which zone ``key`` may change offset (with a day around).

    Only on those can a wall time be missing or repeated.
    """
    days = _CHANGE_DAYS.get((key, year))
    if days is None:
        found = set()
        for utc, frm, to in _changes_near(key, year):
            for offset in (frm, to):
                day = _utc_of(utc + offset).date()
                found.update((day - timedelta(1), day, day + timedelta(1)))
        days = _CHANGE_DAYS[(key, year)] = frozenset(found)
    return days


def _changes_near(key: str, year: int) -> list[tuple[int, int, int]]:
    """(UTC seconds, offset before, offset after) of zone ``key``'s changes in ``year``, and 3 days around."""
    tz = _tzdata(key)
    lo = _epoch_seconds(date(year, 1, 1)) - 3 * 86400
    hi = _epoch_seconds(date(year, 12, 31)) + 4 * 86400
    changes = [(t[0], t[1], t[2]) for t in tz.trans[bisect.bisect_left(tz.times, lo):] if t[0] <= hi]
    if tz.footer is not None:  # (the years 1 and 9999 have no year before, or after)
        changes += [t[:3] for y in (year - 1, year, year + 1) if 1 <= y <= 9999 for t in tz.footer.transitions(y)]
    return [c for c in changes if lo <= c[0] <= hi]


def _zoned_wall(dt: datetime, key: str) -> datetime | None:
    """The wall time to write with TZID, or None when only UTC can say it.

    RFC 5545 3.3.5 reads a wall time in a gap with the offset before the gap
    and a repeated one as its first occurrence, as Python does with fold=0:
    those are written as they are (a recurring series keeps its wall time).
    With fold=1 Python means the other instant: a gap time is then written as
    the instant it stands for, the second pass of a repeated hour in UTC.
    """
    if not dt.fold or dt.date() not in _change_days(key, dt.year):
        return dt
    offset = dt.utcoffset()
    if offset == dt.replace(fold=0).utcoffset():
        return dt
    back = (dt.replace(tzinfo=None) - offset).replace(tzinfo=UTC).astimezone(dt.tzinfo)
    if back.replace(tzinfo=None, fold=0) != dt.replace(tzinfo=None, fold=0):
        return back  # fold=1 in a gap: the instant Python gives it
    return None  # the second pass through a repeated hour


def _shown_wall(dt: Any) -> Any:
    """A time that does not recur, as every reader reads it: one the clocks skip as the wall
    time its instant shows (02:30 on the spring-forward night in New York: 03:30; RFC 5545
    3.3.5 reads 02:30 so, but vobject and ical.js (Thunderbird) read it an hour early), and
    the first pass through a repeated hour in UTC (ical.js takes the second);
    every other value as it is."""
    if type(dt) is not datetime or type(dt.tzinfo) is not ZoneInfo or dt.fold or dt.tzinfo.key is None \
            or dt.date() not in _change_days(dt.tzinfo.key, dt.year):
        return dt
    try:
        shown = dt.astimezone(UTC).astimezone(dt.tzinfo)
    except OverflowError:
        return dt
    if shown.replace(tzinfo=None, fold=0) != dt.replace(tzinfo=None):
        return shown
    return dt.astimezone(UTC) if _fold_kind(dt.replace(fold=1)) == "repeat" else dt


def _rule_wall(value: Any, series: Event) -> Any:
    """An occurrence of ``series`` that the clocks moved (its start's time of day is skipped that
    day, and RFC 5545 3.3.5 shifts it: 02:30 on the spring-forward night in New York is 03:30)
    as its rule names it, 02:30: vobject and ical.js (Thunderbird) read that an hour early,
    but the same for the rule, so an EXDATE or RECURRENCE-ID so written names the occurrence
    for every reader.  Every other value as it is (also for rules that name hours)."""
    start = series.start
    if type(value) is not datetime or type(value.tzinfo) is not ZoneInfo or type(start) is not datetime \
            or getattr(start.tzinfo, "key", None) != value.tzinfo.key or value.time() == start.time() \
            or value.tzinfo.key is None or value.date() not in _change_days(value.tzinfo.key, value.year):
        return value
    try:
        if series.rrule and _rule_of_times(_parse_rrule(series.rrule)):
            return value
    except ValueError:  # a rule read from a file that does not parse: nothing names the occurrence
        return value
    wall = datetime.combine(value.date(), start.time(), value.tzinfo)
    return wall if _fold_kind(wall.replace(fold=1)) == "gap" and _instant(wall) == _instant(value) else value


_TZID_PARAMS: dict[Any, tuple[str, str] | None] = {}


def _tzid_param(tz: ZoneInfo) -> tuple[str, str] | None:
    """(key, ";TZID=key") for a ZoneInfo written with its name; None for UTC-like or keyless ones."""
    try:
        return _TZID_PARAMS[tz]
    except KeyError:
        pass
    key = tz.key if tz.key is None else _named_key(tz.key)  # (ZoneInfo("posix/Europe/Paris"): Europe/Paris)
    found = None if key is None or _is_utc_zone(key) else (key, f";TZID={_param_value(key)}")
    _TZID_PARAMS[tz] = found
    return found


def _dt_value(value: date | datetime, zones: _Zones) -> tuple[str, str]:
    """(parameters, value) of a DATE or DATE-TIME, noting the zone it needs."""
    if not isinstance(value, datetime):
        return ";VALUE=DATE", _fmt_date(value)
    tz = value.tzinfo
    if tz is None:
        return "", _fmt_local(value)
    if tz is UTC:
        return "", _fmt_utc(value)
    if isinstance(tz, ZoneInfo):
        found = _tzid_param(tz)
        if found is not None:
            wall = _zoned_wall(value, found[0])
            if wall is not None:
                zones.note(found[0], value)
                return found[1], _fmt_local(wall)
    elif isinstance(tz, _VZone):
        return f";TZID={_param_value(zones.custom_tzid(tz))}", _fmt_local(value)
    elif isinstance(tz, _UnknownZone):
        return f";TZID={_param_value(tz.tzid)}", _fmt_local(value)
    return "", _fmt_utc(value)


_LAST_STAMP: list = [None, ""]


def _stamp_line(stamp: datetime) -> str:
    """``DTSTAMP:...Z``; events written together mostly share one stamp."""
    if stamp != _LAST_STAMP[0] or stamp.tzinfo is not _LAST_STAMP[0].tzinfo:
        _LAST_STAMP[:] = [stamp, f"DTSTAMP:{_fmt_utc(stamp)}"]
    return _LAST_STAMP[1]


def _dt_line(name: str, value: date | datetime, zones: _Zones, more: str = "") -> str:
    if type(value) is datetime and type(value.tzinfo) is ZoneInfo and not value.fold:  # the usual case
        found = _TZID_PARAMS.get(value.tzinfo)  # (set by _dt_value the first time)
        if found is not None:
            zones.note(found[0], value)
            line = f"{name}{found[1]}{more}:{_fmt_local(value)}"
            return line if len(line) <= _FOLD_OCTETS and line.isascii() else _fold(line)
    params, text = _dt_value(value, zones)
    line = f"{name}{params}{more}:{text}"
    return line if len(line) <= _FOLD_OCTETS and line.isascii() else _fold(line)  # a TZID from a file can be long


_NO_PARAMS: Callable[[str, str], str] = {}.get  # the parameters of named properties of an event made in code
_USUAL_PROPS = ("UID", "DTSTART", "DTEND", "SUMMARY", "DESCRIPTION", "LOCATION")
_NO_USUAL_PARAMS = ("",) * len(_USUAL_PROPS)


def _dt_list_lines(name: str, values: Sequence[Any], zones: _Zones) -> list[str]:
    """EXDATE/RDATE lines: consecutive values with the same parameters share a line."""
    groups: list[tuple[str, list[str]]] = []
    for value in values:
        if isinstance(value, tuple):  # PERIOD: start/end or start/duration
            params, text = _period_value(value[0], value[1], zones)
        else:
            params, text = _dt_value(value, zones)
        if groups and groups[-1][0] == params:
            groups[-1][1].append(text)
        else:
            groups.append((params, [text]))
    return [_fold(f"{name}{params}:{','.join(texts)}") for params, texts in groups]


def _period_value(start: datetime, end: datetime | timedelta, zones: _Zones) -> tuple[str, str]:
    """(parameters, ``start/end``) of a PERIOD (RFC 5545 3.3.9).

    One TZID (or UTC) covers both times, so the end is written in the start's
    zone; an end no wall time there can say (the second pass of a repeated
    hour) is written as the length it stands for.
    """
    params, first = _dt_value(start, zones)
    if isinstance(end, timedelta):
        return ";VALUE=PERIOD" + params, f"{first}/{_fmt_duration(end)}"
    if isinstance(end, datetime) and end.tzinfo is not None and start.tzinfo is not None:
        try:
            end = end.astimezone(start.tzinfo)
        except (OverflowError, TypeError, ValueError):
            pass
    end_params, second = _dt_value(end, zones)
    if end_params != params:
        try:
            length = end.astimezone(UTC) - start.astimezone(UTC) if end.tzinfo is not None else end - start
        except (OverflowError, TypeError, ValueError):
            length = None  # values read from a file that make no period: written as they were
        if length is not None and length >= timedelta(0):
            second = _fmt_elapsed(length)
    return ";VALUE=PERIOD" + params, f"{first}/{second}"


_URI_SCHEME_RE = _LazyRegex(r"([A-Za-z][A-Za-z0-9+.-]*):")


def _cal_uri(address: str) -> str:
    """A CAL-ADDRESS value: ``mailto:`` and the address, or another URI read from a file as it was."""
    if ":" not in address:  # the usual case: an e-mail address
        return "mailto:" + address
    scheme = _URI_SCHEME_RE.match(address)
    return address if scheme and scheme.group(1).lower() != "mailto" else "mailto:" + address


def _organizer_line(org: Organizer) -> str:
    if org.sent_by is None and not org.params and ":" not in org.email:
        return _person_line(("ORGANIZER", org.name), org.email)
    params = f";CN={_param_value(org.name)}" if org.name is not None else ""
    if org.sent_by is not None:
        params += f";SENT-BY={_param_value(_cal_uri(org.sent_by))}"
    if org.params:
        params += _params_text(org.params)
    return _fold(f"ORGANIZER{params}:{_cal_uri(org.email)}")


def _token_param(value: str, known: frozenset) -> str:
    """An enumerated parameter value: as it is when known, else encoded like any
    other (a value read from a file may hold anything, a line break included)."""
    return value if value in known else _param_value(value)


# People lines are most of an invitation, and the same people recur: the usual line is
# folded once up to its address, per (property, role, partstat, rsvp, name).
_PERSON_STARTS: dict[tuple, tuple[str, int] | None] = {}


def _person_head(key: tuple) -> str:
    """The text of a person's line before ``:mailto:``, from its key (see ``_person_line``)."""
    if len(key) == 2:
        prop, cn = key
        params = ""
    else:
        prop, role, partstat, rsvp, cn = key
        params = (f";ROLE={_token_param(role, _ROLES)};PARTSTAT={_token_param(partstat, _PARTSTATS)}"
                  f"{';RSVP=TRUE' if rsvp else ''}")
    return f"{prop}{params}" if cn is None else f"{prop}{params};CN={_param_value(cn)}"


def _person_line(key: tuple, address: str) -> str:
    """A folded ORGANIZER (key: name, cn) or ATTENDEE (key: name, role, partstat, rsvp, cn) line."""
    start = _PERSON_STARTS.get(key, False)
    if start is False:
        if len(_PERSON_STARTS) >= 4096:
            _PERSON_STARTS.clear()
        start = _PERSON_STARTS[key] = _fold_start(_person_head(key))
    if start is None or not address.isascii() or "\\" in address:
        return _fold(f"{_person_head(key)}:mailto:{address}")
    return _fold_rest(start, ":mailto:" + address)


def _attendee_line(att: Attendee, name: str = "ATTENDEE") -> str:
    if not (att.cutype is not None or att.delegated_to or att.delegated_from or att.sent_by is not None
            or att.params or ":" in att.email):
        return _person_line((name, att.role, att.partstat, att.rsvp, att.name), att.email)
    params = f";CUTYPE={_token_param(att.cutype, _CUTYPES)}" if att.cutype is not None else ""
    params += f";ROLE={_token_param(att.role, _ROLES)};PARTSTAT={_token_param(att.partstat, _PARTSTATS)}"
    if att.rsvp:
        params += ";RSVP=TRUE"
    if att.delegated_to:
        params += ";DELEGATED-TO=" + ",".join(_quoted(_cal_uri(a)) for a in att.delegated_to)
    if att.delegated_from:
        params += ";DELEGATED-FROM=" + ",".join(_quoted(_cal_uri(a)) for a in att.delegated_from)
    if att.sent_by is not None:
        params += f";SENT-BY={_quoted(_cal_uri(att.sent_by))}"
    if att.params:
        params += _params_text(att.params)
    cn = f";CN={_param_value(att.name)}" if att.name is not None else ""
    return _fold(f"{name}{params}{cn}:{_cal_uri(att.email)}")


def _quoted(value: str) -> str:
    """A parameter value always in quotes (RFC 5545 wants them around a cal-address)."""
    encoded = _param_value(value)
    return encoded if encoded.startswith('"') else f'"{encoded}"'


_ALARM_CACHE: dict[tuple, tuple[str, ...]] = {}


def _alarm_lines(alarm: Alarm, out: list[str]) -> None:
    """VALARM lines; the common simple alarm is formatted once and reused."""
    key = None
    if not (alarm.attendees or alarm.extra or alarm.repeat or alarm.summary is not None) \
            and type(alarm.trigger) is timedelta:
        key = (alarm.action, alarm.trigger, alarm.related, alarm.description)
        cached = _ALARM_CACHE.get(key)
        if cached is not None:
            out.extend(cached)
            return
    lines: list[str] = []
    _alarm_lines_uncached(alarm, lines)
    if key is not None and len(_ALARM_CACHE) < 256:
        _ALARM_CACHE[key] = tuple(lines)
    out.extend(lines)


def _alarm_lines_uncached(alarm: Alarm, out: list[str]) -> None:
    out.append("BEGIN:VALARM")
    if alarm.action is not None:  # None only in alarms read from files that lack it
        out.append(f"ACTION:{alarm.action}")
    if isinstance(alarm.trigger, datetime):
        trigger = alarm.trigger
        try:
            text = _fmt_local(trigger) if trigger.tzinfo is None else _fmt_utc(trigger)  # floating: as read
        except OverflowError:
            raise ValueError(f"alarm trigger {trigger} is beyond the year 9999 in UTC, where RFC 5545 "
                             f"writes it") from None
        out.append(f"TRIGGER;VALUE=DATE-TIME:{text}")
    elif alarm.trigger is None:
        pass
    elif alarm.related != "START":
        out.append(f"TRIGGER;RELATED={_token_param(alarm.related, _RELATED)}:{_fmt_duration(alarm.trigger)}")
    else:
        out.append(f"TRIGGER:{_fmt_duration(alarm.trigger)}")
    if alarm.description is not None:
        out.append(_fold(f"DESCRIPTION:{_escape_text(alarm.description)}"))
    if alarm.summary is not None:
        out.append(_fold(f"SUMMARY:{_escape_text(alarm.summary)}"))
    for att in alarm.attendees:
        out.append(_attendee_line(att))
    if alarm.repeat:
        out.append(f"REPEAT:{alarm.repeat}")
    if alarm.interval is not None:
        out.append(f"DURATION:{_fmt_duration(alarm.interval)}")
    for prop in alarm.extra:
        out.append(_property_line(prop))
    out.append("END:VALARM")


def _component_lines(comp: Component, out: list[str]) -> None:
    out.append(f"BEGIN:{comp.name}")
    for prop in comp.properties:
        out.append(_property_line(prop))
    for sub in comp.components:
        _component_lines(sub, out)
    out.append(f"END:{comp.name}")


# Methods whose messages carry no alarms (RFC 5546 3.2: VALARM "0" for these).
_NO_ALARM_METHODS = frozenset({"REPLY", "CANCEL", "REFRESH", "DECLINECOUNTER"})


def _event_lines(ev: Event, out: list[str], zones: _Zones, method: str | None) -> None:
    esc = _escape_text
    fold = _fold
    kept = getattr(ev, "_params", None)  # read from a file: LANGUAGE, ALTREP, X- parameters, ...
    pp = kept.get if kept else _NO_PARAMS
    # the usual properties' parameters, looked up once (none for an event made in code)
    uid_p, start_p, end_p, summary_p, description_p, location_p = \
        (pp(name, "") for name in _USUAL_PROPS) if kept else _NO_USUAL_PARAMS
    out.append("BEGIN:VEVENT")
    out.append(fold(f"UID{uid_p}:{esc(ev.uid if ev.uid is not None else _content_uid(ev))}"))
    stamp = ev.dtstamp or _now()
    out.append(_LAST_STAMP[1] if stamp is _LAST_STAMP[0] else _stamp_line(stamp))
    if method != "REFRESH":  # (RFC 5546 3.2.6: it asks for the latest version, whatever it is)
        out.append(f"SEQUENCE:{ev.sequence}")
    start = ev.start
    shown = start if ev.rrule or ev.rdates else _shown_wall(start)
    if start is not None:
        out.append(_dt_line("DTSTART", shown, zones, start_p))
    if ev.end is not None:
        end = ev.end
        if isinstance(end, datetime) and isinstance(start, datetime) and end.tzinfo is not start.tzinfo \
                and isinstance(start.tzinfo, (ZoneInfo, _VZone)) and end.utcoffset() is not None:
            try:
                end = end.astimezone(start.tzinfo)  # one zone per event keeps clients simple
            except OverflowError:
                pass
        out.append(_dt_line("DTEND", _shown_wall(end), zones, end_p))
    elif ev.duration is not None:
        if ev.duration.days and isinstance(start, datetime) and (start.fold or shown is not start) \
                and isinstance(start.tzinfo, ZoneInfo) and ev.end_time is not None:
            # its days count from a wall time the text does not say: the end
            out.append(_dt_line("DTEND", ev.end_time, zones, end_p))
        else:
            out.append(f"DURATION{pp('DURATION', '')}:{_fmt_duration(ev.duration)}")
    if ev.recurrence_id is not None:
        rid, wall = ev.recurrence_id, ev._recurrence_wall
        if wall is not None and _instant(wall) == _instant(rid):  # (not if recurrence_id was replaced since)
            rid = wall
        out.append(_dt_line("RECURRENCE-ID", rid, zones, pp("RECURRENCE-ID", "")))
    if ev.rrule is not None:
        out.append(fold(f"RRULE{pp('RRULE', '')}:{ev.rrule}"))
    if ev.rdates:
        out.extend(_dt_list_lines("RDATE", ev.rdates, zones))
    if ev.exdates:
        out.extend(_dt_list_lines("EXDATE", [_rule_wall(x, ev) for x in ev.exdates], zones))
    if ev.summary is not None:
        out.append(_text_line(f"SUMMARY{summary_p}", ev.summary))
    elif method in ("REQUEST", "PUBLISH", "ADD") and not getattr(ev, "_as_read", False):
        out.append("SUMMARY:")  # RFC 5546: required, may be empty
    if ev.description is not None:
        out.append(_text_line(f"DESCRIPTION{description_p}", ev.description))
    if ev.location is not None:
        out.append(_text_line(f"LOCATION{location_p}", ev.location))
    if ev.url is not None:
        out.append(fold(f"URL{pp('URL', '')}:{ev.url}"))
    if ev.organizer is not None:
        out.append(_organizer_line(ev.organizer))
    for att in ev.attendees:
        out.append(_attendee_line(att))
    if ev.status is not None:
        out.append(fold(f"STATUS{pp('STATUS', '')}:{ev.status}"))
    if ev.priority is not None:
        out.append(fold(f"PRIORITY{pp('PRIORITY', '')}:{ev.priority}"))
    if ev.categories:
        out.append(fold(f"CATEGORIES{pp('CATEGORIES', '')}:{','.join(map(esc, ev.categories))}"))
    if ev.transparency is not None:
        out.append(fold(f"TRANSP{pp('TRANSP', '')}:{ev.transparency}"))
    if ev.classification is not None:
        out.append(fold(f"CLASS{pp('CLASS', '')}:{ev.classification}"))
    if ev.created is not None:
        out.append(f"CREATED:{_fmt_utc(ev.created)}")
    if ev.last_modified is not None:
        out.append(f"LAST-MODIFIED:{_fmt_utc(ev.last_modified)}")
    for prop in ev.extra:
        out.append(_property_line(prop))
        if prop.params and not getattr(ev, "_as_read", False):
            _note_extra_zone(prop, start, zones)
    if method not in _NO_ALARM_METHODS or getattr(ev, "_as_read", False):
        for alarm in ev.alarms:
            _alarm_lines(alarm, out)
    for comp in ev.components:
        _component_lines(comp, out)
    out.append("END:VEVENT")
    if (ev.rrule or ev.duration or ev.rdates) and isinstance(start, datetime) \
            and isinstance(start.tzinfo, ZoneInfo) and start.tzinfo.key in zones.spans:
        _note_recurrence_span(ev, start, zones)


def _note_extra_zone(prop: Property, start: Any, zones: _Zones) -> None:
    """Have the VTIMEZONE written that a TZID parameter of an ``extra`` property names
    (open-ended: the value is not read)."""
    zone = _extra_zone(_tzid_of(prop))
    found = _tzid_param(zone) if zone is not None else None
    if found is not None:
        when = start if isinstance(start, datetime) and start.tzinfo is not None else _now()
        zones.note(found[0], when.astimezone(zone))
        zones.spans[found[0]][1] = None


def _content_uid(ev: Event) -> str:
    """A UID for an event read without one: derived from its content, so it is stable."""
    import hashlib
    seed = f"{ev.start!r}|{ev.summary!r}|{ev.recurrence_id!r}|{ev.organizer!r}"
    return hashlib.sha256(seed.encode("utf-8", "surrogatepass")).hexdigest()[:32] + "@icsmail"


def _note_recurrence_span(ev: Event, start: datetime, zones: _Zones) -> None:
    """Widen the zone's span to the event's end and its last recurrence."""
    key = start.tzinfo.key
    try:
        end = ev.end_time
        length = end - start if isinstance(end, datetime) else timedelta(0)
        if ev.end is None and isinstance(end, datetime):
            zones.note(key, end)
        last = _rrule_last(ev.rrule, start) if ev.rrule else start
        for rdate in ev.rdates:  # an RDATE's occurrence lasts as long as the event (a PERIOD: its own length)
            first = rdate[0] if isinstance(rdate, tuple) else rdate
            if isinstance(first, datetime) and first.utcoffset() is not None:
                own = rdate[1] if isinstance(rdate, tuple) and isinstance(rdate[1], timedelta) else length
                zones.note(key, (first + own + timedelta(days=1)).astimezone(start.tzinfo))
        if last is not None:
            zones.note(key, last + length + timedelta(days=1))
            return
    except (OverflowError, TypeError, ValueError):  # values read from a file that make no span
        pass
    zones.spans[key][1] = None  # open-ended: the zone's current rule is needed


def _rrule_last(rrule: str, start: datetime) -> datetime | None:
    """An instant at or after the last occurrence's start, or None when unbounded.

    UNTIL bounds a rule exactly; COUNT does by arithmetic when the rule has no
    BYxxx part that skips periods, else by walking the rule up to its last
    time (up to 5,000 of them); beyond, it counts as open-ended, which costs
    VTIMEZONE lines (in a zone whose rule is a list of dates, many).
    """
    try:
        parts = _parse_rrule(rrule)
    except ValueError:
        return None  # a rule read as it was written, that does not parse: assume the worst
    until = parts.get("UNTIL")
    if until:
        day = _parse_dt(until.upper())[0]  # _parse_rrule made sure it is a real day
        return datetime(day.year, day.month, day.day, 23, 59, 59, tzinfo=UTC)
    if "COUNT" not in parts:
        return None
    skipping = {"BYMONTH", "BYMONTHDAY", "BYYEARDAY", "BYWEEKNO", "BYSETPOS", "BYHOUR", "BYMINUTE", "BYSECOND"}
    if skipping & parts.keys() or any(c.isdigit() for c in parts.get("BYDAY", "")):
        return _walked_last(rrule, start, int(parts["COUNT"]))
    freq = parts["FREQ"]
    step = {"SECONDLY": 1, "MINUTELY": 60, "HOURLY": 3600, "DAILY": 86400, "WEEKLY": 7 * 86400,
            "MONTHLY": 31 * 86400, "YEARLY": 366 * 86400}[freq]
    # Periods without an occurrence stretch the series: BYDAY filtering days (or hours) out,
    # a 29th-31st missing from some months, a 29 February from most years.
    slack = 0
    if "BYDAY" in parts and freq not in ("WEEKLY", "MONTHLY", "YEARLY"):
        step, slack = step * 7, 7 * 86400  # and the days skipped before the first allowed one
    elif freq == "MONTHLY" and start.day > 28 and "BYDAY" not in parts:
        step *= 2
    elif freq == "YEARLY" and (start.month, start.day) == (2, 29) and "BYDAY" not in parts:
        step *= 8
    seconds = step * int(parts.get("INTERVAL", "1")) * int(parts["COUNT"]) + slack
    if seconds > 200 * 366 * 86400:
        return None
    try:
        return start.astimezone(UTC) + timedelta(seconds=seconds)
    except OverflowError:
        return None


def _walked_last(rrule: str, start: datetime, count: int) -> datetime | None:
    """An instant at or after the last start of a rule of ``count`` times, found by walking it;
    None beyond 5,000 times, 200,000 days walked, or the years 1-9999."""
    if count > 5000:
        return None
    wall = start.replace(tzinfo=None, fold=0)
    try:
        times = itertools.islice(_rule_times(_rule(rrule, wall), wall, budget=_Budget(200_000)), count - 1)
        last = functools.reduce(lambda _, t: t, times, wall)
        return last.replace(tzinfo=UTC) + timedelta(days=2)  # any offset, and a time a gap moved onto another
    except (ValueError, OverflowError, _OverBudget):  # (a rule of rare days: as good as endless here)
        return None


# RFC 5546 3.2 for VEVENT: does the method need an ORGANIZER, how many
# ATTENDEEs (none, exactly one, at least one, any), and a DTSTART?
_ITIP_RULES = MappingProxyType({
    "PUBLISH": (True, "none", True),
    "REQUEST": (True, "some", True),
    "REPLY": (True, "one", False),
    "ADD": (True, "some", True),
    "CANCEL": (True, "any", False),  # a PUBLISHed event is cancelled without attendees (3.2.1)
    "REFRESH": (True, "one", False),
    "COUNTER": (True, "some", True),
    "DECLINECOUNTER": (True, "some", False),
})
_ITIP_SECTIONS = MappingProxyType({"PUBLISH": "3.2.1", "REQUEST": "3.2.2", "REPLY": "3.2.3", "ADD": "3.2.4",
                                   "CANCEL": "3.2.5", "REFRESH": "3.2.6", "COUNTER": "3.2.7",
                                   "DECLINECOUNTER": "3.2.8"})
_ITIP_STATUSES = MappingProxyType({
    "REQUEST": frozenset({"TENTATIVE", "CONFIRMED"}),
    "ADD": frozenset({"TENTATIVE", "CONFIRMED"}),
    "CANCEL": frozenset({"CANCELLED"}),
})


def _check_method(cal: Calendar, method: str | None) -> None:
    """Refuse what RFC 5545/5546 forbid for this method, naming the event and the rule."""
    if method is not None and not cal.events and not cal.components:
        raise ValueError(f"a {method} carries at least one event (RFC 5546 3.2): the calendar has none")
    for ev in cal.events:
        if ev.start is None and method in (None, "PUBLISH", "REQUEST", "ADD", "COUNTER"):
            raise ValueError(f"event {ev.uid!r} has no start (DTSTART is required{' for ' + method if method else ''})")
    if method not in _ITIP_RULES:
        return
    needs_org, attendees, _ = _ITIP_RULES[method]
    allowed = _ITIP_STATUSES.get(method)

    def what(ev: Event) -> str:  # named only when refused: most events pass
        return f"{method} event {ev.uid!r}"

    for ev in cal.events:
        named = [p.name for p in ev.extra] if ev.extra else ()  # extra counts: it is written too
        if needs_org and ev.organizer is None and "ORGANIZER" not in named:
            raise ValueError(f"{what(ev)} needs an organizer (RFC 5546 3.2)")
        n = len(ev.attendees) + named.count("ATTENDEE")
        if attendees == "none" and n:
            raise ValueError(f"{what(ev)} has attendees, but PUBLISH carries none (RFC 5546 3.2.1): use "
                             f"method='REQUEST' to invite them, or method=None to save them in a plain file")
        if attendees == "one" and n != 1:
            raise ValueError(f"{what(ev)} must have exactly one attendee, the one replying (RFC 5546 3.2.3), "
                             f"not {n}")
        if method == "REPLY" and ev.attendees and ev.attendees[0].partstat == "NEEDS-ACTION":
            raise ValueError(f"{what(ev)} answers nothing: its attendee's PARTSTAT is NEEDS-ACTION (use "
                             f"reply(event, attendee, 'accept'), 'decline' or 'tentative')")
        if attendees == "some" and not n:
            raise ValueError(f"{what(ev)} needs at least one attendee (RFC 5546 {_ITIP_SECTIONS[method]})")
        status = ev.status
        if status is None and "STATUS" in named:
            status = str(next(p.value for p in ev.extra if p.name == "STATUS")).strip().upper()
        if allowed and status is not None and status not in allowed and not status.startswith("X-"):
            raise ValueError(f"{what(ev)} has STATUS:{status}; {method} allows {', '.join(sorted(allowed))}")
    if method in ("PUBLISH", "REQUEST") and any(ev.recurrence_id is not None for ev in cal.events):
        _check_changed_occurrences(cal.events)


def _check_changed_occurrences(events: Sequence[Event]) -> None:
    """Refuse a changed occurrence that names none of its series' occurrences (the series
    moved since): clients would show it beside the series, as an event of its own.  Each
    series is walked once, as the reader walks it (which warned of a file that came so)."""
    changed = {ev.uid for ev in events if not ev._as_read}
    checked = [ev for ev in events if ev.uid in changed]
    notes = _Notes(False)
    _check_overrides(checked, [0] * len(checked), notes)
    if notes.items:
        raise ValueError(f"{notes.items[0]}; after moving the series, change the occurrence again with "
                         f"update(series, recurrence_id=...), or leave it out")


def _as_calendar(item: Event | Calendar | Iterable[Event], method: str | None) -> tuple[Calendar, str | None]:
    if isinstance(item, Calendar):
        cal = item
    elif isinstance(item, Event):
        cal = Calendar((item,))
    elif isinstance(item, (list, tuple)):
        cal = Calendar(tuple(item))
    else:
        raise TypeError(f"expected an Event or a Calendar, not {type(item).__name__}")
    if method is not None:
        method = _token(method, _METHODS, "method")
    elif getattr(cal, "_as_read", False):
        return cal, cal.method  # written back as it was read: what it lacks was lacking in the input
    else:
        method = cal.method
    _check_method(cal, method)
    return cal, method


# What a REFRESH (RFC 5546 3.2.6) or DECLINECOUNTER (3.2.8) carries of an event: who asks or
# declines, about which event, and why; the rest of the event goes (the RFC gives it 0 times).
_BARE_METHODS = frozenset({"REFRESH", "DECLINECOUNTER"})
_BARE_EXTRAS = frozenset({"COMMENT", "REQUEST-STATUS"})
_BARE_FIELDS = MappingProxyType(dict(
    start=None, end=None, duration=None, summary=None, description=None, location=None, url=None, status=None,
    priority=None, categories=(), transparency=None, classification=None, alarms=(), rrule=None, exdates=(),
    rdates=(), created=None, last_modified=None, components=()))


def _bare(ev: Event) -> Event:
    """``ev`` as a REFRESH or DECLINECOUNTER carries it: UID, RECURRENCE-ID, ORGANIZER,
    ATTENDEE, COMMENT, REQUEST-STATUS and X- properties."""
    kept = tuple(p for p in ev.extra if p.name in _BARE_EXTRAS or p.name.startswith("X-"))
    return _raw(Event, {**vars(ev), **_BARE_FIELDS, "extra": kept})


def _calendar_lines(cal: Calendar, method: str | None) -> list[str]:
    """Every content line of ``cal``, folded; VTIMEZONEs before the events that use them."""
    zones = _Zones()
    body: list[str] = []
    bare = method in _BARE_METHODS
    series = None
    for ev in cal.events:
        # A RECURRENCE-ID the clocks moved: as the rule names it beside its series, which a reader that takes
        # a skipped time an hour early matches so; alone, as it happens, which every reader agrees on.
        if ev._recurrence_wall is not None:
            if series is None:
                series = {e.uid for e in cal.events if e.recurrence_id is None}
            if ev.uid not in series:
                ev = _raw(Event, {**vars(ev), "_recurrence_wall": None})
        _event_lines(_bare(ev) if bare else ev, body, zones, method)
    for comp in cal.components:
        _component_lines(comp, body)
    head = ["BEGIN:VCALENDAR", "VERSION:2.0", _fold(f"PRODID:{_escape_text(cal.prodid or _PRODID)}"),
            "CALSCALE:GREGORIAN"]
    if method:
        head.append(f"METHOD:{method}")
    if cal.name is not None:
        head.append(_fold(f"NAME:{_escape_text(cal.name)}"))
        head.append(_fold(f"X-WR-CALNAME:{_escape_text(cal.name)}"))
    for prop in cal.extra:
        head.append(_property_line(prop))
    for key, (lo, hi) in zones.spans.items():
        hi = None if hi is None else _epoch_seconds(hi) + _SPAN_MARGIN
        head.extend(_fold(line) for line in _vtimezone_lines(key, _epoch_seconds(lo) - _SPAN_MARGIN, hi))
    written = set(zones.spans)
    for tzid, zone in zones.custom.items():
        if zone.component is not None and tzid not in written:
            _component_lines(_as_tzid(zone.component, tzid), head)  # renamed, or read in quotes
            written.add(tzid)
    kept = _component_tzids(cal.components)  # zones of what is kept as read: components, other properties
    defined: dict[str, Component] = {}  # TZID of a property kept as read -> the VTIMEZONE read with it
    for ev in cal.events:
        for prop in ev.extra:
            tzid = _tzid_of(prop)
            if isinstance(tzid, str):  # X-MS-OLK-ORIGINALSTART;TZID=... (read, or kept by update())
                kept.add(tzid)
                if getattr(prop, "_vtimezone", None) is not None:
                    defined.setdefault(tzid, prop._vtimezone)
    for tzid in kept - written:
        original = next((c for c in cal.timezones if c.get("TZID") == tzid), None) or defined.get(tzid)
        if original is not None:
            _component_lines(_as_tzid(original, tzid), head)  # read in quotes or padded
    head.extend(body)
    head.append("END:VCALENDAR")
    return head


def _as_tzid(vtimezone: Component, tzid: str) -> Component:
    """A VTIMEZONE under the TZID the times or properties written with it use."""
    if vtimezone.get("TZID") == tzid:
        return vtimezone
    return replace(vtimezone, properties=tuple(Property("TZID", tzid) if p.name == "TZID" else p
                                               for p in vtimezone.properties))


def _component_tzids(components: Sequence[Component]) -> set:
    found = set()
    for comp in components:
        for prop in comp.properties:
            for name, value in prop.params:
                if name == "TZID" and isinstance(value, str):
                    found.add(value)
        found |= _component_tzids(comp.components)
    return found


def dumps(item: Event | Calendar | Iterable[Event], *, method: str | None = None) -> str:
    """iCalendar text for an Event, a Calendar or a list of events; CRLF line ends.

    ``method`` (an iTIP METHOD: PUBLISH, REQUEST, REPLY, CANCEL, ...) overrides
    the calendar's own and is checked against RFC 5546: a REQUEST needs an
    organizer and attendees, a PUBLISH has no attendees (they are refused,
    not dropped), a REPLY exactly one.  REPLY and CANCEL leave alarms out.

    >>> ev = Event("Lunch", date(2026, 12, 24), uid="lunch-1", dtstamp=datetime(2026, 1, 1, tzinfo=UTC))
    >>> print(dumps(ev).replace(CRLF, "\\n"), end="")
    BEGIN:VCALENDAR
    VERSION:2.0
    PRODID:-//icsmail//icsmail 1.0.0//EN
    CALSCALE:GREGORIAN
    BEGIN:VEVENT
    UID:lunch-1
    DTSTAMP:20260101T000000Z
    SEQUENCE:0
    DTSTART;VALUE=DATE:20261224
    DTEND;VALUE=DATE:20261225
    SUMMARY:Lunch
    END:VEVENT
    END:VCALENDAR
    """
    cal, method = _as_calendar(item, method)
    try:
        lines = _calendar_lines(cal, method)
    except OverflowError as exc:  # a time read from a file that UTC cannot hold: say so as bad input
        raise ValueError(f"a time of the calendar is beyond the years 1-9999 when written ({exc})") from None
    lines.append("")  # the last CRLF: appending it to the joined text would copy all of it
    return CRLF.join(lines)


class _Opened:
    """A path or an open file, as a context manager that closes only what it opened."""

    def __init__(self, target: Any, mode: str) -> None:
        self.target, self.mode, self.file = target, mode, None

    def __enter__(self) -> Any:
        if isinstance(self.target, (str, bytes, os.PathLike)):
            self.file = open(self.target, self.mode)
            return self.file
        return self.target

    def __exit__(self, *exc: Any) -> None:
        if self.file is not None:
            self.file.close()


def _write_file(path: str | bytes | os.PathLike, data: bytes) -> None:
    """``data`` into the file ``path``, whole or not at all: written beside it, then renamed
    over it, so a failed write (a full disk) leaves the file as it was (or none), never cut
    off.  What a rename would change (a device, a pipe, a file with other links or of another
    owner) or cannot reach (a folder not writable) is written to as it is."""
    name = os.fsdecode(path)
    try:
        if not _replaced(name, data):
            with open(name, "wb") as f:
                f.write(data)
    except OSError as exc:
        exc.filename = name  # the file asked for, not the one beside it (or none)
        raise


def _replaced(path: str, data: bytes) -> bool:
    """Write ``data`` beside ``path`` and rename it over; False where that would not do."""
    try:
        st = os.stat(path)  # (through a link: its target is replaced, the link stays)
    except FileNotFoundError:
        st = None
    except OSError:
        return False  # (the open then says what is wrong)
    if st is not None and (not stat.S_ISREG(st.st_mode) or st.st_nlink > 1 or not os.access(path, os.W_OK)
                           or hasattr(os, "geteuid") and st.st_uid != os.geteuid()):
        return False
    if path.endswith(("/", os.sep)):
        return False
    real = os.path.realpath(path) if os.path.islink(path) else path
    temp = os.path.join(os.path.dirname(real), f".icsmail-{os.urandom(6).hex()}.part")
    try:  # created as open() creates a file (the umask applies); an existing file's mode is kept
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    except OSError:
        return False  # a folder this cannot write in, a name too long: write the file itself
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        if st is not None:
            os.chmod(temp, stat.S_IMODE(st.st_mode))
        os.replace(temp, real)
    except BaseException:
        try:
            os.unlink(temp)
        except OSError:
            pass
        raise
    return True


def dump(item: Event | Calendar | Iterable[Event], fp: Any, *, method: str | None = None) -> None:
    """Write ``dumps(item)`` to a path, a binary file or a text file, in UTF-8 with CRLF line
    ends: a text file's own newline and encoding do not apply (Windows would turn each CRLF
    into CR CR LF, and write its ANSI code page), as its bytes go straight to its buffer.
    A path is written whole or not at all: a failed write leaves the file as it was.

    >>> buf = io.BytesIO(); dump(Event("x", date(2026, 1, 1)), buf); buf.getvalue()[:15]
    b'BEGIN:VCALENDAR'
    """
    text = dumps(item, method=method)
    if isinstance(fp, (str, bytes, os.PathLike)):
        _write_file(fp, text.encode())
        return
    with _Opened(fp, "wb") as f:
        textual = isinstance(f, io.TextIOBase) or "b" not in str(getattr(f, "mode", "b"))  # (tempfile's wrappers)
        raw = getattr(f, "buffer", None) if textual else f
        if raw is None:  # io.StringIO and the like: text it is
            f.write(text)
            return
        if raw is not f:
            f.flush()  # what was written to it before comes first
        raw.write(text.encode())
        if raw is not f:
            raw.flush()


# --------------------------------------------------------------------------
# 6. Reader
# --------------------------------------------------------------------------

# Windows time zone names (as Outlook and Exchange write them) to IANA names:
# CLDR windowsZones.xml, territory 001 (the "golden" zone of each name).
_WINDOWS_ZONES_TEXT = """\
Afghanistan Standard Time	Asia/Kabul
Alaskan Standard Time	America/Anchorage
Aleutian Standard Time	America/Adak
Altai Standard Time	Asia/Barnaul
Arab Standard Time	Asia/Riyadh
Arabian Standard Time	Asia/Dubai
Arabic Standard Time	Asia/Baghdad
Argentina Standard Time	America/Buenos_Aires
Astrakhan Standard Time	Europe/Astrakhan
Atlantic Standard Time	America/Halifax
AUS Central Standard Time	Australia/Darwin
Aus Central W. Standard Time	Australia/Eucla
AUS Eastern Standard Time	Australia/Sydney
Azerbaijan Standard Time	Asia/Baku
Azores Standard Time	Atlantic/Azores
Bahia Standard Time	America/Bahia
Bangladesh Standard Time	Asia/Dhaka
Belarus Standard Time	Europe/Minsk
Bougainville Standard Time	Pacific/Bougainville
Canada Central Standard Time	America/Regina
Cape Verde Standard Time	Atlantic/Cape_Verde
Caucasus Standard Time	Asia/Yerevan
Cen. Australia Standard Time	Australia/Adelaide
Central America Standard Time	America/Guatemala
Central Asia Standard Time	Asia/Bishkek
Central Brazilian Standard Time	America/Cuiaba
Central Europe Standard Time	Europe/Budapest
Central European Standard Time	Europe/Warsaw
Central Pacific Standard Time	Pacific/Guadalcanal
Central Standard Time	America/Chicago
Central Standard Time (Mexico)	America/Mexico_City
Chatham Islands Standard Time	Pacific/Chatham
China Standard Time	Asia/Shanghai
Cuba Standard Time	America/Havana
Dateline Standard Time	Etc/GMT+12
E. Africa Standard Time	Africa/Nairobi
E. Australia Standard Time	Australia/Brisbane
E. Europe Standard Time	Europe/Chisinau
E. South America Standard Time	America/Sao_Paulo
Easter Island Standard Time	Pacific/Easter
Eastern Standard Time	America/New_York
Eastern Standard Time (Mexico)	America/Cancun
Egypt Standard Time	Africa/Cairo
Ekaterinburg Standard Time	Asia/Yekaterinburg
Fiji Standard Time	Pacific/Fiji
FLE Standard Time	Europe/Kiev
Georgian Standard Time	Asia/Tbilisi
GMT Standard Time	Europe/London
Greenland Standard Time	America/Godthab
Greenwich Standard Time	Atlantic/Reykjavik
GTB Standard Time	Europe/Bucharest
Haiti Standard Time	America/Port-au-Prince
Hawaiian Standard Time	Pacific/Honolulu
India Standard Time	Asia/Calcutta
Iran Standard Time	Asia/Tehran
Israel Standard Time	Asia/Jerusalem
Jordan Standard Time	Asia/Amman
Kaliningrad Standard Time	Europe/Kaliningrad
Korea Standard Time	Asia/Seoul
Libya Standard Time	Africa/Tripoli
Line Islands Standard Time	Pacific/Kiritimati
Lord Howe Standard Time	Australia/Lord_Howe
Magadan Standard Time	Asia/Magadan
Magallanes Standard Time	America/Punta_Arenas
Marquesas Standard Time	Pacific/Marquesas
Mauritius Standard Time	Indian/Mauritius
Middle East Standard Time	Asia/Beirut
Montevideo Standard Time	America/Montevideo
Morocco Standard Time	Africa/Casablanca
Mountain Standard Time	America/Denver
Mountain Standard Time (Mexico)	America/Mazatlan
Myanmar Standard Time	Asia/Rangoon
N. Central Asia Standard Time	Asia/Novosibirsk
Namibia Standard Time	Africa/Windhoek
Nepal Standard Time	Asia/Katmandu
New Zealand Standard Time	Pacific/Auckland
Newfoundland Standard Time	America/St_Johns
Norfolk Standard Time	Pacific/Norfolk
North Asia East Standard Time	Asia/Irkutsk
North Asia Standard Time	Asia/Krasnoyarsk
North Korea Standard Time	Asia/Pyongyang
Omsk Standard Time	Asia/Omsk
Pacific SA Standard Time	America/Santiago
Pacific Standard Time	America/Los_Angeles
Pacific Standard Time (Mexico)	America/Tijuana
Pakistan Standard Time	Asia/Karachi
Paraguay Standard Time	America/Asuncion
Qyzylorda Standard Time	Asia/Qyzylorda
Romance Standard Time	Europe/Paris
Russia Time Zone 10	Asia/Srednekolymsk
Russia Time Zone 11	Asia/Kamchatka
Russia Time Zone 3	Europe/Samara
Russian Standard Time	Europe/Moscow
SA Eastern Standard Time	America/Cayenne
SA Pacific Standard Time	America/Bogota
SA Western Standard Time	America/La_Paz
Saint Pierre Standard Time	America/Miquelon
Sakhalin Standard Time	Asia/Sakhalin
Samoa Standard Time	Pacific/Apia
Sao Tome Standard Time	Africa/Sao_Tome
Saratov Standard Time	Europe/Saratov
SE Asia Standard Time	Asia/Bangkok
Singapore Standard Time	Asia/Singapore
South Africa Standard Time	Africa/Johannesburg
South Sudan Standard Time	Africa/Juba
Sri Lanka Standard Time	Asia/Colombo
Sudan Standard Time	Africa/Khartoum
Syria Standard Time	Asia/Damascus
Taipei Standard Time	Asia/Taipei
Tasmania Standard Time	Australia/Hobart
Tocantins Standard Time	America/Araguaina
Tokyo Standard Time	Asia/Tokyo
Tomsk Standard Time	Asia/Tomsk
Tonga Standard Time	Pacific/Tongatapu
Transbaikal Standard Time	Asia/Chita
Turkey Standard Time	Europe/Istanbul
Turks And Caicos Standard Time	America/Grand_Turk
Ulaanbaatar Standard Time	Asia/Ulaanbaatar
US Eastern Standard Time	America/Indianapolis
US Mountain Standard Time	America/Phoenix
UTC	Etc/UTC
UTC+12	Etc/GMT-12
UTC+13	Etc/GMT-13
UTC-02	Etc/GMT+2
UTC-08	Etc/GMT+8
UTC-09	Etc/GMT+9
UTC-11	Etc/GMT+11
Venezuela Standard Time	America/Caracas
Vladivostok Standard Time	Asia/Vladivostok
Volgograd Standard Time	Europe/Volgograd
W. Australia Standard Time	Australia/Perth
W. Central Africa Standard Time	Africa/Lagos
W. Europe Standard Time	Europe/Berlin
W. Mongolia Standard Time	Asia/Hovd
West Asia Standard Time	Asia/Tashkent
West Bank Standard Time	Asia/Hebron
West Pacific Standard Time	Pacific/Port_Moresby
Yakutsk Standard Time	Asia/Yakutsk
Yukon Standard Time	America/Whitehorse
"""


# CLDR keeps some old names that tz databases now ship only as "backward" links,
# and some systems leave those out (Debian's tzdata-legacy): their targets.
_CLDR_LINKS = MappingProxyType({
    "Asia/Calcutta": "Asia/Kolkata", "Asia/Katmandu": "Asia/Kathmandu", "Asia/Rangoon": "Asia/Yangon",
    "America/Godthab": "America/Nuuk", "America/Buenos_Aires": "America/Argentina/Buenos_Aires",
    "America/Indianapolis": "America/Indiana/Indianapolis", "Europe/Kiev": "Europe/Kyiv",
    "Atlantic/Reykjavik": "Africa/Abidjan",
})


@functools.lru_cache(maxsize=None)
def _windows_zones() -> dict[str, str]:
    return {w.lower(): iana for w, iana in (line.split("\t") for line in _WINDOWS_ZONES_TEXT.splitlines())}


@functools.lru_cache(maxsize=1)
def _windows_golden_zones() -> tuple:
    """The zones Windows names stand for, each once, in CLDR's order."""
    return tuple(z for z in map(_cldr_zone, dict.fromkeys(_windows_zones().values())) if z is not None)


# Exchange display names that name no city, by what follows "(UTC+hh:mm) ": the
# Windows zone each stands for.  "X Time (...)" names are "X Standard Time" and
# need no entry; the others name their cities.
_DISPLAY_WINDOWS = MappingProxyType({
    "international date line west": "Dateline Standard Time", "aleutian islands": "Aleutian Standard Time",
    "hawaii": "Hawaiian Standard Time", "marquesas islands": "Marquesas Standard Time",
    "alaska": "Alaskan Standard Time", "baja california": "Pacific Standard Time (Mexico)",
    "arizona": "US Mountain Standard Time", "yukon": "Yukon Standard Time",
    "central america": "Central America Standard Time", "easter island": "Easter Island Standard Time",
    "saskatchewan": "Canada Central Standard Time", "indiana (east)": "US Eastern Standard Time",
    "turks and caicos": "Turks And Caicos Standard Time", "newfoundland": "Newfoundland Standard Time",
    "greenland": "Greenland Standard Time", "saint pierre and miquelon": "Saint Pierre Standard Time",
    "cabo verde is.": "Cape Verde Standard Time", "cape verde is.": "Cape Verde Standard Time",
    "coordinated universal time": "UTC", "west central africa": "W. Central Africa Standard Time",
    "sri jayawardenepura": "Sri Lanka Standard Time", "chatham islands": "Chatham Islands Standard Time",
    "lord howe island": "Lord Howe Standard Time", "norfolk island": "Norfolk Standard Time",
    "bougainville island": "Bougainville Standard Time", "kiritimati island": "Line Islands Standard Time",
    "solomon is., new caledonia": "Central Pacific Standard Time", "samoa": "Samoa Standard Time",
    "chokurdakh": "Russia Time Zone 10", "mid-atlantic - old": "UTC-02", "brasilia": "E. South America Standard Time",
    "salvador": "Bahia Standard Time", "chetumal": "Eastern Standard Time (Mexico)",
    "coordinated universal time-11": "UTC-11", "coordinated universal time-09": "UTC-09",
    "coordinated universal time-08": "UTC-08", "coordinated universal time-02": "UTC-02",
    "coordinated universal time+12": "UTC+12", "coordinated universal time+13": "UTC+13",
})
_X_TIME_RE = _LazyRegex(r"(.{1,40}?) time\b")


def _display_candidates(rest: str) -> Iterator[ZoneInfo]:
    """Zones an Exchange display name names, best first: its Windows zone, then its cities."""
    windows = _windows_zones()
    text = " ".join(rest.split()).lower()
    if not text.isascii():  # "Brasília", "São Paulo": the tz database's names are ASCII
        import unicodedata
        text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    named = _DISPLAY_WINDOWS.get(text)
    m = _X_TIME_RE.match(text)
    for name in (named, m and f"{m.group(1)} standard time", f"{text} standard time"):  # "Eastern Time (US &
        # Canada)" is Eastern Standard Time, "Haiti" Haiti Standard Time
        zone = _cldr_zone(windows.get((name or "").lower(), ""))
        if zone is not None:
            yield zone
    by_city = _zone_names()[1]
    for city in text.replace("/", ",").split(",")[:20]:  # "Amsterdam, Berlin", Zimbra's "Bogota / Lima"
        for key in by_city.get(city.strip().replace(" ", "_"), ()):
            yield ZoneInfo(key)


@functools.lru_cache(maxsize=None)
def _standard_offset(zone: ZoneInfo) -> int:
    """The zone's offset outside summer time under today's rules, in seconds: what display names give."""
    year = datetime.now(UTC).year
    return int(min(zone.utcoffset(datetime(year, m, 15, 12)).total_seconds() for m in (1, 7)))


def _cldr_zone(name: str) -> ZoneInfo | None:
    """The zone of a CLDR name, or of its canonical target where the system lacks the old name."""
    return _iana_zone(name) or _iana_zone(_CLDR_LINKS.get(name, ""))


# TEXT escapes (RFC 5545 3.3.11); '\:' and '\"' come from common writers and mean the character.
_UNESCAPES = MappingProxyType({"\\": "\\", ";": ";", ",": ",", "n": "\n", "N": "\n", ":": ":", '"': '"'})
_ESCAPE_PAIRS = tuple(("\\" + c, char) for c, char in _UNESCAPES.items() if c != "\\")
# An escape RFC 5545 does not define, in text without '\\' (see _has_bad_escape).
_BAD_ESCAPE_RE = _LazyRegex(r"\\(?:[^;,nN]|\Z)")
_CARET_RE = _LazyRegex(r"\^([\^'nN])")
_CARETS = MappingProxyType({"^": "^", "'": '"', "n": "\n", "N": "\n"})
_LIST_PARAMS = frozenset({"DELEGATED-TO", "DELEGATED-FROM", "MEMBER", "DISPLAY", "FEATURE"})
# Parameters the RFCs give one value (5545, 7986, 6638, 8607): a stray comma there is part of the
# value (CN=Doe, Jane).  Any other parameter with several values (X-P=a,"b:c") is read as a list.
_ONE_VALUE_PARAMS = frozenset({
    "ALTREP", "CN", "CUTYPE", "DIR", "ENCODING", "FMTTYPE", "FBTYPE", "LANGUAGE", "PARTSTAT", "RANGE",
    "RELATED", "RELTYPE", "ROLE", "RSVP", "SENT-BY", "TZID", "VALUE", "EMAIL", "LABEL", "SCHEDULE-AGENT",
    "SCHEDULE-FORCE-SEND", "FILENAME", "SIZE", "MANAGED-ID"})
_PARAM_TEXT_RE = _LazyRegex(r"[^,;:]*")
# Slack for dates written by hand or by old exporters: 2026-12-01T10:00:00.000Z, 20261201t1000z,
# and ISO 8601 offsets (20261201T100000+0100), which RFC 5545 has no place for: read as the instant they name.
_LOOSE_DT_RE = _LazyRegex(r"(\d{4})-?(\d\d)-?(\d\d)(?:[Tt ](\d\d):?(\d\d)(?::?(\d\d)(?:[.,]\d+)?)?)?"
                          r"\s*([Zz]|[+-]\d\d(?::?\d\d)?)?\Z", re.ASCII)
_DURATION_RE = _LazyRegex(r"([+-])?P(?:([0-9]+)W)?(?:([0-9]+)D)?(?:T(?:([0-9]+)H)?(?:([0-9]+)M)?(?:([0-9]+)S)?)?\Z")
_OFFSET_RE = _LazyRegex(r"([+-])([0-9][0-9]):?([0-9][0-9])(?::?([0-9][0-9]))?\Z")
_DISPLAY_OFFSET_RE = _LazyRegex(r"([+-])([0-9]{1,2})(?:[:.]?([0-9]{2}))?")


def _display_zone(key: str) -> tuple[int, str] | None:
    """(offset, cities) of an Exchange display name: ``(UTC+01:00) Amsterdam, Berlin, ...``.

    Parsed by hand, step by step: a regular expression with several runs of
    optional white space backtracks for ever on hostile input.

    >>> _display_zone("(UTC-03:30) Newfoundland")
    (-12600, 'Newfoundland')
    """
    text = key.lstrip()
    bracket = text.startswith("(")
    text = text[1:].lstrip() if bracket else text
    if text[:3].upper() not in ("UTC", "GMT"):
        return None
    text = text[3:].lstrip()
    m = _DISPLAY_OFFSET_RE.match(text)
    offset = 0
    if m:
        sign, hours, minutes = m.groups()
        offset = (int(hours) * 3600 + int(minutes or 0) * 60) * (-1 if sign == "-" else 1)
        text = text[m.end():].lstrip()
    if bracket:
        if not text.startswith(")"):
            return None
        text = text[1:]
    return offset, text.strip()


def _unescape(value: str) -> str:
    r"""Undo TEXT escaping as one pass would, so ``\\n`` stays a backslash and an ``n``.

    >>> _unescape(r"C:\\new\, done\nok")
    'C:\\new, done\nok'
    """
    if "\\" not in value:
        return value
    if "\\\\" in value:
        # '\\' is the only escape that yields a backslash: split the value
        # there, and unescape each piece on its own.
        return "\\".join(map(_unescape, value.split("\\\\")))
    # Each backslash now starts an escape, and no replacement makes a new one:
    # str.replace, escape by escape, does what one pass would (and much faster
    # than a regex callback per escape).  Unknown escapes stay as they are.
    for escape, char in _ESCAPE_PAIRS:
        value = value.replace(escape, char)
        if "\\" not in value:
            break
    return value


def _has_bad_escape(value: str) -> bool:
    r"""Whether ``value`` has an escape other than ``\\ \; \, \n \N``.

    >>> _has_bad_escape(r"a\\b\;c"), _has_bad_escape(r"a\:b"), _has_bad_escape("a\\")
    (False, True, True)
    """
    if "\\\\" not in value:
        return _BAD_ESCAPE_RE.search(value) is not None
    # Between escaped backslashes every backslash starts an escape.
    return any(_BAD_ESCAPE_RE.search(piece) for piece in value.split("\\\\"))


def _split_text_list(value: str) -> list[str]:
    """A TEXT list (CATEGORIES): split at the commas that are not escaped.

    >>> _split_text_list(r"a\\,b,c")
    ['a,b', 'c']
    """
    if "\\" not in value:
        return value.split(",")
    items, start, i, size = [], 0, 0, len(value)
    while i < size:
        c = value[i]
        if c == "\\":
            i += 2
            continue
        if c == ",":
            items.append(value[start:i])
            start = i + 1
        i += 1
    items.append(value[start:])
    return [_unescape(v) for v in items]


def _decode_param(value: str) -> str:
    return _CARET_RE.sub(lambda m: _CARETS[m.group(1)], value) if "^" in value else value


def _split_line(line: str, lineno: int) -> tuple[str, tuple, str]:
    """A content line to (NAME, ((PARAM, value), ...), value); names upper-cased.

    Quoted parameter values may hold ``: ; ,``; RFC 6868 carets are decoded;
    list parameters (DELEGATED-TO, MEMBER) and any other with several values
    (not CN, TZID and the like, where a comma belongs to the value) become tuples.
    """
    colon = line.find(":")
    if colon < 0:
        raise ParseError(f"a property line without a colon: {line[:60]!r}", lineno, line)
    semi = line.find(";", 0, colon)
    if semi < 0:
        return line[:colon].upper(), (), line[colon + 1:]
    head = line[semi + 1:colon]
    if '"' in head:
        return _split_quoted(line, semi, lineno)
    params = _split_params(head)
    name, value = params[-1]
    if name in _URI_PARAMS and _SCHEME_RE.match(value[-1] if type(value) is tuple else value):  # =mailto:a@x
        return _split_quoted(line, semi, lineno)  # which reads a URI without its quotes whole
    return line[:semi].upper(), params, line[colon + 1:]


# Parameters whose value is a URI, which RFC 5545 puts in quotes (its own example in 3.8.4.1 does
# not, nor do some writers): a URI's colon then ends the parameters too early.
_URI_PARAMS = frozenset({"SENT-BY", "DELEGATED-TO", "DELEGATED-FROM", "DIR", "ALTREP", "MEMBER",
                         "X-COMMENTER"})  # (COMMENT;X-COMMENTER=MAILTO:a@x:text: Google's replies)
_SCHEME_RE = _LazyRegex(  # registered ones and X- ones: MEMBER=AlarmEmailAddress:x@y (Mozilla) is a value
    r"(?:mailto|https?|ldaps?|cid|mid|urn|tel|sips?|ftp|file|data|xmpp|im|webcal|sms|geo|x-[a-z0-9+.-]+)\Z",
    re.IGNORECASE)
# The rest of such a URI after its scheme: mailto:a@x, http://host:port/path (a comma separates the
# URIs of a list parameter, and is part of a single one: DIR=ldap://host/cn=x,o=y).
_URI_REST_RE = _LazyRegex(r':(?://[^/;:",]*(?::\d+)?)?[^;:",]*')
_URI_REST_ONE_RE = _LazyRegex(r':(?://[^/;:"]*(?::\d+)?)?[^;:"]*')


@functools.lru_cache(maxsize=1024)  # parameters repeat (the same TZIDs, the same people): split each once
def _split_params(text: str) -> tuple:
    """Unquoted parameters ``CN=x,y;B=x,y`` as (('CN', 'x,y'), ('B', ('x', 'y'))) (see _split_line)."""
    carets = "^" in text  # rare: decode only then
    params = []
    for item in text.split(";"):
        pname, _, pvalue = item.partition("=")
        pname = pname.upper()
        if pname in _LIST_PARAMS or ("," in pvalue and pname not in _ONE_VALUE_PARAMS):
            params.append((pname, tuple(_decode_param(v) for v in pvalue.split(","))))
        else:
            params.append((pname, _decode_param(pvalue) if carets else pvalue))
    return tuple(params)


def _names_on_one_line(params: tuple) -> tuple:
    """``params`` with U+2028 and U+2029 in a CN read as spaces (the same tuple when there is none)."""
    if not any(name == "CN" and ("\u2028" in value or "\u2029" in value) for name, value in params):
        return params
    return tuple((name, value.replace("\u2028", " ").replace("\u2029", " ") if name == "CN" else value)
                 for name, value in params)


def _split_quoted(line: str, pos: int, lineno: int) -> tuple[str, tuple, str]:
    name = line[:pos].upper()
    params = []
    size = len(line)
    while pos < size and line[pos] == ";":
        eq = pos + 1
        while eq < size and line[eq] not in "=;:":
            eq += 1
        pname = line[pos + 1:eq].upper()
        values = []
        i = eq + 1 if eq < size and line[eq] == "=" else eq
        while True:
            if i < size and line[i] == '"':
                close = line.find('"', i + 1)
                while close > 0 and line[close - 1] == "\\" and line[close + 1:close + 2] not in (";", ":", ","):
                    close = line.find('"', close + 1)  # CN="Bob \"B\" Smith": a backslash-escaped quote
                if close < 0:
                    raise ParseError(f"{name}: the quoted value of parameter {pname} is never closed", lineno, line)
                value = line[i + 1:close].replace('\\"', '"')
                i = close + 1
                if i < size and line[i] not in ";:,":  # CN="Joe" Tester: the rest of the value follows the quote
                    end = _PARAM_TEXT_RE.match(line, i).end()
                    value, i = value + line[i:end], end
                values.append(value)
            else:
                end = _PARAM_TEXT_RE.match(line, i).end()
                if pname in _URI_PARAMS and line[end:end + 1] == ":" and _SCHEME_RE.match(line[i:end]):
                    end = (_URI_REST_RE if pname in _LIST_PARAMS else _URI_REST_ONE_RE).match(line, end).end()
                values.append(line[i:end])
                i = end
            if i < size and line[i] == ",":
                i += 1
                continue
            break
        values = [_decode_param(v) for v in values]
        if pname in _LIST_PARAMS or (len(values) > 1 and pname not in _ONE_VALUE_PARAMS):
            params.append((pname, tuple(values)))
        else:
            params.append((pname, ",".join(values)))
        pos = i
    if pos >= size or line[pos] != ":":
        raise ParseError(f"{name}: expected ':' after the parameters, found {line[pos:pos + 10]!r}", lineno, line)
    return name, tuple(params), line[pos + 1:]


_CRS_LF_RE = _LazyRegex("\r+\n")


def _split_lines(text: str) -> list[str]:
    """Lines ending in CRLF (or CRCRLF), LF, or in a file of mostly CR line ends a lone CR; no
    artefact after a final line end.  Else a lone CR is inside a line (the reader says so)."""
    if "\ufeff" in text:  # byte order marks of files joined together: at the start of a line
        text = text.lstrip("\ufeff").replace("\n\ufeff", "\n").replace("\r\ufeff", "\r")
    if "\r" in text:
        text = text.replace("\r\n", "\n")
        if "\r\n" in text:  # CRCRLF: a file whose line ends were converted twice
            text = _CRS_LF_RE.sub("\n", text)
        if "\r" in text and text.count("\r") * 4 >= text.count("\n"):  # mostly CR line ends: classic Mac
            text = text.replace("\r", "\n")  # OS, or such a file joined to another; else CRs in values
    lines = text.split("\n")
    if lines and not lines[-1]:
        lines.pop()
    return lines


def _unfold(lines: Iterable[str], first: int = 1) -> Iterator[tuple[int, str]]:
    """Logical lines with the number of their first physical line (RFC 5545 3.1).

    A line starting with one space or tab continues the previous one; that
    one character is removed.  Parts are joined once, so many continuation
    lines cost linear time.  Blank lines are skipped.
    """
    current, current_no, parts = None, 0, None
    qp = None  # whether the current line is quoted-printable: looked at once, at its first soft break
    lineno = first - 1
    for lineno, line in enumerate(lines, first):
        if not line:
            continue
        c = line[0]
        if c == " " or c == "\t":
            if current is None:
                current, current_no = line[1:], lineno
            elif parts is None:
                parts = [current, line[1:]]
            else:
                parts.append(line[1:])
            continue
        if current is not None:
            if (parts[-1] if parts else current)[-1:] == "=" and not _BEGIN_END_RE.match(line) and (
                    qp if qp is not None else (qp := _quoted_printable_line(current))):
                if parts is None:  # a soft line break of quoted-printable (vCalendar 1.0): the value goes on
                    parts = [current[:-1], line]
                else:
                    parts[-1] = parts[-1][:-1]
                    parts.append(line)
                continue
            yield current_no, "".join(parts) if parts else current
            parts = qp = None
        current, current_no = line, lineno
    if current is not None:
        yield current_no, "".join(parts) if parts else current


_BEGIN_END_RE = _LazyRegex(r"(?:BEGIN|END):[A-Za-z0-9-]+\s*\Z", re.IGNORECASE)
_QP_PARAM_RE = _LazyRegex(r";(?:ENCODING=)?QUOTED-PRINTABLE(?=[;:])", re.IGNORECASE)


def _quoted_printable_line(line: str) -> bool:
    """Whether a content line's value is quoted-printable: ``;ENCODING=QUOTED-PRINTABLE`` or
    vCalendar 1.0's bare ``;QUOTED-PRINTABLE`` among its parameters."""
    colon = line.find(":")
    return colon > 0 and _QP_PARAM_RE.search(line, 0, colon + 1) is not None


def _is_quoted_printable(params: tuple) -> bool:
    return any((k == "ENCODING" and isinstance(v, str) and v.upper() == "QUOTED-PRINTABLE")
               or (k == "QUOTED-PRINTABLE" and not v) for k, v in params)


def _from_quoted_printable(name: str, params: tuple, value: str) -> tuple[tuple, str]:
    r"""A vCalendar 1.0 quoted-printable value as the text it encodes (escaped when it is TEXT),
    without ENCODING and CHARSET.

    >>> _from_quoted_printable("SUMMARY", (("ENCODING", "QUOTED-PRINTABLE"),), "Caf=C3=A9, ok=0D=0A")
    ((), 'Café\\, ok\\n')
    """
    import quopri
    charset = _charset_codec(next((v for k, v in params if k == "CHARSET" and isinstance(v, str)), "utf-8"))
    data = quopri.decodestring(value.encode("utf-8", "surrogateescape"))
    try:
        if not codecs.lookup(charset)._is_text_encoding:  # rot13, base64_codec, ...: no charset
            raise LookupError(charset)
        text = data.decode(charset)
    except (LookupError, ValueError):  # UnicodeError is a ValueError
        text = data.decode("cp1252", "replace")
    text = _CONTROL_RE.sub("", text.replace("\r\n", "\n"))  # no control what was encoded brings in
    params = tuple(p for p in params if p[0] not in ("ENCODING", "CHARSET", "QUOTED-PRINTABLE"))
    return params, _escape_text(text) if _is_text(name, params) or "\n" in text or "\r" in text else text


class _Notes:
    """Warnings of one read: each kind is listed up to three times, then counted."""

    def __init__(self, strict: bool, sink: list | None = None) -> None:
        self.strict = strict
        self.items = sink if sink is not None else []
        self.counts: dict[str, int] = {}
        self.part_methods: list[str | None] = []  # the method= of each calendar part of an e-mail
        self.part = 0  # the part read now
        self.mail = False  # the text came from an e-mail: its line numbers are of a calendar part
        self.where = ""  # which part, while it is read

    @property
    def whole(self) -> int:
        """The line a warning about the whole input names: a file's line 1 opens its calendar, an
        e-mail's is a header (0: none)."""
        return 0 if self.mail else 1

    def warn(self, msg: str, lineno: int, kind: str | None = None) -> None:
        if self.strict:
            raise ParseError(f"{msg} (strict=True)", lineno, where=self.where if lineno else "")
        kind = kind or msg
        n = self.counts[kind] = self.counts.get(kind, 0) + 1
        if n <= 3:
            self.items.append(f"{msg} ({_place(lineno, self.where)})" if lineno else msg)

    def reading(self, part: int, parts: int) -> None:
        """Say which of an e-mail's ``parts`` calendars is read now (from 0)."""
        self.part = part
        if self.mail:
            self.where = "the calendar in the e-mail" if parts == 1 else f"calendar {part + 1} of {parts} in the e-mail"

    def part_method(self) -> str | None:
        """The ``method=`` of the e-mail part read now (None: not said, or no e-mail)."""
        return self.part_methods[self.part] if self.part < len(self.part_methods) else None

    def placed(self, exc: ParseError) -> ParseError:
        """``exc`` saying which part of an e-mail it is about."""
        if not self.where or exc.where or not exc.lineno:
            return exc
        return ParseError(exc.msg, exc.lineno, exc.line, self.where)

    def finish(self) -> None:
        for kind, n in self.counts.items():
            if n > 3:
                self.items.append(f"{n - 3} more like: {kind}")
        self.counts.clear()


# Text a writer may break into lines without escaping the break ("Join: https://...", "Passcode: 1"
# under DESCRIPTION), and the property names of RFC 5545, 7986 and 2445, which such a line is not.
_CONTINUED = frozenset({"SUMMARY", "DESCRIPTION", "LOCATION", "COMMENT", "CONTACT", "X-ALT-DESC"})
_RFC_PROPS = frozenset({
    "CALSCALE", "METHOD", "PRODID", "VERSION", "ATTACH", "CATEGORIES", "CLASS", "COMMENT", "DESCRIPTION", "GEO",
    "LOCATION", "PERCENT-COMPLETE", "PRIORITY", "RESOURCES", "STATUS", "SUMMARY", "COMPLETED", "DTEND", "DUE",
    "DTSTART", "DURATION", "FREEBUSY", "TRANSP", "TZID", "TZNAME", "TZOFFSETFROM", "TZOFFSETTO", "TZURL",
    "ATTENDEE", "CONTACT", "ORGANIZER", "RECURRENCE-ID", "RELATED-TO", "URL", "UID", "EXDATE", "RDATE", "RRULE",
    "ACTION", "REPEAT", "TRIGGER", "CREATED", "DTSTAMP", "LAST-MODIFIED", "SEQUENCE", "REQUEST-STATUS",
    "NAME", "REFRESH-INTERVAL", "SOURCE", "COLOR", "IMAGE", "CONFERENCE",  # RFC 7986
    "EXRULE", "TZ", "DAYLIGHT", "AALARM", "DALARM", "TZUNTIL", "TZID-ALIAS-OF"})  # RFC 2445, vCal 1.0, RFC 7808


def _continues(props: list, line: str, lineno: int, notes: _Notes, above: int) -> bool:
    """Read ``line``, which is no property line, as a line of the text property just before it,
    whose writer did not escape its line break, or as the rest of a long line (``above``
    characters) just before it, folded without the space that marks a fold; False when
    neither is just before it."""
    if not props:
        return False
    name, params, value, ln = props[-1]
    text = name in _CONTINUED
    if not text and above < _BROKEN_FOLD:
        return False
    cut = min(line.find(c) % (len(line) + 1) for c in ":;")  # (find gives -1 for none: the whole line)
    head = line[:cut].upper()
    if head in _RFC_PROPS or head[:2] == "X-":  # a property line, however broken: its own error
        return False
    if text:
        notes.warn(f"{_short(line, 40)!r} read as a line of the {name} above it, whose line break its writer did "
                   f"not escape", lineno, "unescaped line breaks")
    else:
        notes.warn(f"{_short(line, 40)!r} read as the rest of the {name} line above it, folded without the space "
                   f"that marks a fold (RFC 5545 3.1)", lineno, "folds without a space")
    kind = _Lines if text else _Folds
    if type(value) is not kind:  # the lines are joined once, when the value is read
        value = kind([str(value)])
        props[-1] = (name, params, value, ln)
    value.append(line)
    return True


_BROKEN_FOLD = 70  # a line at least this long, then one that is no property line: a fold without its space


class _Lines(list):
    """A text value read from several lines whose breaks were not escaped; str() joins them."""

    def __str__(self) -> str:
        return "\\n".join(self)


class _Folds(_Lines):
    """A value read from lines folded without the space that marks a fold; str() joins them."""

    def __str__(self) -> str:
        return "".join(self)


def _join_lines(frame: list) -> None:
    """A frame's text values read from several lines, each one value again."""
    frame[1][:] = [(name, params, str(value), ln) if isinstance(value, _Lines) else (name, params, value, ln)
                   for name, params, value, ln in frame[1]]


_MAX_DEPTH = 64  # real calendars nest 3 or 4 deep; a limit keeps hostile input from exhausting the stack
# Per component, so that memory stays bounded (a property costs some 500 bytes read): real events hold
# at most a few thousand attendees or EXDATE lines, and a VTIMEZONE some hundred observances.
_MAX_PROPERTIES = 100_000
_MAX_CHILDREN = 10_000


class _Pending(Exception):
    """Streaming: an event names a TZID whose VTIMEZONE has not been read yet."""


_DEFAULTS: dict[type, dict] = {}


def _short(text: str, limit: int = 60) -> str:
    """``text`` cut for a message: hostile input can make any value huge."""
    return text if len(text) <= limit else text[:limit] + "..."


def _raw(cls: type, values: Mapping[str, Any]) -> Any:
    """An instance made from read values as they are: no validation, no normalisation."""
    defaults = _DEFAULTS.get(cls)
    if defaults is None:
        from dataclasses import MISSING, fields
        defaults = _DEFAULTS[cls] = {f.name: (None if f.default is MISSING else f.default) for f in fields(cls)}
    obj = cls.__new__(cls)
    object.__setattr__(obj, "__dict__", {**defaults, **values})  # an Alarm is frozen
    return obj


def _cal_address(value: str) -> str:
    """A CAL-ADDRESS value: the address of a ``mailto:`` URI, any other URI whole."""
    value = value.strip()
    return value[7:].strip() if value[:7].lower() == "mailto:" else value


def _with_zone(dt: datetime, zone: tzinfo) -> datetime:
    """``dt.replace(tzinfo=zone)``, without the cost of replace()'s keyword parsing."""
    return datetime.combine(dt, dt.time(), zone)


def _parse_dt(value: str) -> tuple[date | datetime, bool, bool] | None:
    """(value, is UTC, was loose) of a DATE or DATE-TIME; None if it is neither."""
    size = len(value)
    # int() also takes " 1", "0_1" and other scripts' digits: the fast forms are checked for ASCII digits
    try:
        if size == 15 and value[8] == "T" and value.isascii() and value[:8].isdigit() and value[9:].isdigit():
            return datetime(int(value[:4]), int(value[4:6]), int(value[6:8]),
                            int(value[9:11]), int(value[11:13]), int(value[13:15])), False, False
        if size == 16 and value[8] == "T" and value[15] == "Z" and value.isascii() and value[:8].isdigit() \
                and value[9:15].isdigit():
            return datetime(int(value[:4]), int(value[4:6]), int(value[6:8]),
                            int(value[9:11]), int(value[11:13]), int(value[13:15])), True, False
        if size == 8 and value.isascii() and value.isdigit():
            return date(int(value[:4]), int(value[4:6]), int(value[6:8])), False, False
    except ValueError:
        pass
    m = _LOOSE_DT_RE.match(value.strip())
    if not m:
        return None
    y, mo, d, h, mi, s, z = m.groups()
    try:
        if h is None:
            return (date(int(y), int(mo), int(d)), False, True) if not z else None
        second = min(int(s or 0), 59)  # a leap second (60) reads as 59 (RFC 5545 3.3.5)
        if h == "24" and int(mi) == second == 0:  # ISO 8601's end of the day: midnight after it
            dt = datetime(int(y), int(mo), int(d)) + timedelta(days=1)
        else:
            dt = datetime(int(y), int(mo), int(d), int(h), int(mi), second)
        if z and z not in "Zz":  # an offset: the same instant in UTC
            hours, minutes = int(z[1:3]), int(z[-2:]) if len(z) > 3 else 0
            if hours > 23 or minutes > 59:
                return None
            dt -= (-1 if z[0] == "-" else 1) * timedelta(hours=hours, minutes=minutes)
        return dt, bool(z), True
    except (ValueError, OverflowError):
        return None


@functools.lru_cache(maxsize=256)  # the same few durations (alarm triggers) recur in every event
def _parse_duration(value: str) -> timedelta | None:
    """A DURATION (RFC 5545 3.3.6) as a timedelta; None if unreadable or out of range.

    >>> _parse_duration("-P1DT2H"), _parse_duration("PT")
    (datetime.timedelta(days=-2, seconds=79200), None)
    """
    m = _DURATION_RE.match(value.strip().upper())
    if not m or not any(m.groups()[1:]):
        return None
    sign, w, d, h, mi, s = m.groups()
    try:
        delta = timedelta(weeks=int(w or 0), days=int(d or 0), hours=int(h or 0), minutes=int(mi or 0),
                          seconds=int(s or 0))
        if delta.days and not (int(w or 0) or int(d or 0)):  # PT24H: a day of elapsed time, not a calendar day
            return _Elapsed(seconds=-delta.total_seconds() if sign == "-" else delta.total_seconds())
    except (OverflowError, ValueError):  # beyond timedelta, or more digits than int() converts
        return None
    return -delta if sign == "-" else delta


_VCAL1_FREQS = MappingProxyType({"D": "DAILY", "W": "WEEKLY", "MP": "MONTHLY", "MD": "MONTHLY",
                                  "YM": "YEARLY", "YD": "YEARLY"})
_VCAL1_RULE_RE = _LazyRegex(r"(D|W|MP|MD|YM|YD)(\d+)\Z")
_VCAL1_NTH_RE = _LazyRegex(r"([1-5])([+-])\Z")
_VCAL1_DAY_RE = _LazyRegex(r"(\d{1,3})([+-]?)\Z")


def _vcal1_rrule(value: str) -> str | None:
    """A vCalendar 1.0 repeat rule (``W1 MO TU #5``, ``MP1 1+ MO #0``, ``MD1 15 LD``) in RFC 5545
    terms; None when it is not one, or says what RFC 5545 cannot (times of day, nested rules).

    >>> _vcal1_rrule("W2 MO TH #10"), _vcal1_rrule("MP1 1- FR 20271231T000000Z")
    ('FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH;COUNT=10', 'FREQ=MONTHLY;BYDAY=-1FR;UNTIL=20271231T000000Z')
    """
    words = value.upper().split()
    head = _VCAL1_RULE_RE.match(words[0]) if words else None
    if head is None:
        return None
    kind, interval = head.groups()
    if not int(interval):
        return None
    parts = [f"FREQ={_VCAL1_FREQS[kind]}"] + ([f"INTERVAL={int(interval)}"] if int(interval) > 1 else [])
    end, items, nths, previous = "COUNT=2", [], [], ""  # without an end, a vCalendar rule repeats twice
    for word in words[1:]:
        if word.startswith("#") and word[1:].isdigit():
            end = f"COUNT={int(word[1:])}" if int(word[1:]) else ""
        elif _parse_dt(word) is not None:
            end = f"UNTIL={word}"
        elif kind in ("W", "MP") and word in _WEEKDAYS:
            items.extend([f"{n}{word}" for n in nths] if kind == "MP" and nths else [word])
        elif kind == "MP" and _VCAL1_NTH_RE.match(word):  # 1+ 2- MO: the first and the second last Monday
            nth = ("-" if word[1] == "-" else "") + word[0]
            nths = nths + [nth] if _VCAL1_NTH_RE.match(previous) else [nth]
        elif kind in ("MD", "YM", "YD") and (_VCAL1_DAY_RE.match(word) or (word == "LD" and kind == "MD")):
            items.append("-1" if word == "LD" else ("-" if word.endswith("-") else "") + word.rstrip("+-"))
        else:
            return None  # a time of day, a nested rule, or not vCalendar at all
        previous = word
    if kind == "MP" and not all(item[0] in "-123456789" for item in items):
        return None
    by = {"W": "BYDAY", "MP": "BYDAY", "MD": "BYMONTHDAY", "YM": "BYMONTH", "YD": "BYYEARDAY"}.get(kind)
    rule = ";".join(parts + ([f"{by}={','.join(items)}"] if items else []) + ([end] if end else []))
    try:
        _parse_rrule(rule)
    except ValueError:
        return None
    return rule


def _vcal1_offset(value: str) -> int | None:
    """A vCalendar 1.0 offset (``-05``, ``+05:30``, ``-5``) in seconds, or None.

    >>> _vcal1_offset("-05"), _vcal1_offset("+05:30"), _vcal1_offset("+99")
    (-18000, 19800, None)
    """
    m = _DISPLAY_OFFSET_RE.match(value.strip())
    if not m or m.end() != len(value.strip()) or int(m.group(2)) > 23 or int(m.group(3) or 0) > 59:
        return None
    seconds = int(m.group(2)) * 3600 + int(m.group(3) or 0) * 60
    return -seconds if m.group(1) == "-" else seconds


def _parse_offset(value: str) -> int | None:
    m = _OFFSET_RE.match(value.strip())
    if not m:
        return None
    sign, h, mi, s = m.groups()
    if int(h) > 23 or int(mi) > 59 or int(s or 0) > 59:
        return None  # RFC 5545 3.3.14; Python's tzinfo accepts nothing beyond a day either
    seconds = int(h) * 3600 + int(mi) * 60 + int(s or 0)
    return -seconds if sign == "-" else seconds


@functools.lru_cache(maxsize=1)
def _zone_names() -> tuple[dict, dict]:
    """IANA names by lower-case name, and by lower-case city (the last part)."""
    by_name, by_city = {}, {}
    for key in sorted(zoneinfo.available_timezones()):
        by_name[key.lower()] = key
        by_city.setdefault(key.rsplit("/", 1)[-1].lower(), []).append(key)
    return by_name, by_city


_NO_ZONE: set[str] = set()  # names found to be no zone (ZoneInfo caches only what it finds)


def _iana_zone(key: str) -> ZoneInfo | None:
    """The ZoneInfo for an IANA name, or None; never touches a path zoneinfo would refuse."""
    if not key or len(key) > 100 or not _ZONE_KEY_RE.match(key) or key.lower() in _NOT_ZONES or key in _NO_ZONE:
        return None
    if key[:6].lower() in ("right/", "posix/"):  # the tz database's copies: right/ counts leap seconds, and
        return _iana_zone(key[6:])  # civil time (iCalendar's) is the plain zone's
    try:
        return ZoneInfo(key)
    except Exception:  # ZoneInfoNotFoundError, ValueError for '..', OSError for directories
        pass
    exact = _zone_names()[0].get(key.lower())
    if exact and exact != key:
        try:
            return ZoneInfo(exact)
        except Exception:
            pass
    if len(_NO_ZONE) >= 4096:
        _NO_ZONE.clear()
    _NO_ZONE.add(key)  # each miss searches the tz paths and the tzdata package
    return None


_ZONE_KEY_RE = _LazyRegex(r"[A-Za-z0-9_+\-]+(?:/[A-Za-z0-9_+\-]+)*\Z")
# Files in a tz directory that are no zone: "localtime" is the reading machine's own.
_NOT_ZONES = frozenset({"localtime", "posixrules", "posix/localtime", "right/localtime"})


def _agrees(vz: _VZone, zone: ZoneInfo, sample: datetime) -> bool:
    """Whether a file's VTIMEZONE and an IANA zone give the same offsets all through ``sample``'s
    year: at its start and on both sides of every change either of them makes in it."""
    if vz.utcoffset(sample) != zone.utcoffset(sample):
        return False
    year = sample.year
    if not 1 < year < 9999:
        return True  # nothing to compare beyond what datetime holds
    start = _epoch_seconds(date(year, 1, 1))
    end = _epoch_seconds(date(year + 1, 1, 1))
    instants = {start}
    for utc in vz._table(year)[0] + [c[0] for c in _changes_near(zone.key, year)]:
        if start <= utc < end:
            instants.update((utc - 90, utc + 90))  # (Outlook writes a change at midnight as 23:59:59)
    return all(datetime.fromtimestamp(t, vz).utcoffset() == datetime.fromtimestamp(t, zone).utcoffset()
               for t in instants)


# Names writers give UTC that are neither IANA nor Windows names (without a VTIMEZONE saying otherwise).
_UTC_NAMES = frozenset({"z", "tzone://microsoft/utc", "coordinated universal time", "utc time"})


def _moves_since_1970(key: str) -> bool:
    """Whether a tz database zone has changed its offset since 1970 (Iran, EST5EDT), unlike the
    fixed offsets (EST, GMT) that writers use as names for zones of their own.

    >>> _moves_since_1970("Iran"), _moves_since_1970("GMT")
    (True, False)
    """
    try:
        tz = _tzdata(key)
    except ValueError:
        return False
    return (tz.footer is not None and tz.footer.start is not None) or bool(tz.times and tz.times[-1] >= 0)


_UNTIL_YEAR_RE = _LazyRegex(r"(?i)\bUNTIL=(\d{4})")  # how far a series recurs, for recheck_series()
# Fixed-offset names of the tz database that writers use for zones with summer time.
_FIXED_NAMES_MEANT = MappingProxyType({"EST": "America/New_York", "MST": "America/Denver"})


def _fmt_offset_text(zone: tzinfo, when: datetime) -> str:
    """``zone``'s offset at ``when`` as ``-05:00`` (``_fmt_offset`` with colons, for a message)."""
    text = _fmt_offset(int((zone.utcoffset(when) or timedelta(0)).total_seconds()))
    return text[0] + ":".join(text[i:i + 2] for i in range(1, len(text), 2))


_EVENT_TIME_NAMES = frozenset({"DTSTART", "DTEND", "DUE", "RECURRENCE-ID", "EXDATE", "RDATE"})


def _tzid_key(tzid: str) -> str:
    """A TZID as a VTIMEZONE and the times using it should both give it: no quotes, no outer spaces."""
    key = tzid.strip()
    return key[1:-1].strip() if len(key) >= 2 and key[0] == key[-1] == '"' else key


def _tzid_with_colon(params: tuple, value: str) -> tuple[tuple, str] | None:
    """A date property split at a TZID's own colon (``TZID=tzone://Microsoft/Custom:2026...``), mended;
    None when the value reads as it is (``2026-07-01T10:00:00`` has colons of its own)."""
    def first(text: str) -> str:
        return text.split(",", 1)[0].split("/", 1)[0]
    more, _, rest = value.rpartition(":")
    if _parse_dt(first(value)) is not None or _parse_dt(first(rest)) is None:
        return None
    return params[:-1] + (("TZID", f"{params[-1][1]}:{more}"),), rest


class _Reader:
    """One read of iCalendar text: content lines to components, components to the model.

    Time zones resolve only within the calendar being read: nothing read
    here changes what another read sees.
    """

    def __init__(self, notes: _Notes, streaming: bool = False) -> None:
        self.notes = notes
        self.streaming = streaming
        self.final = not streaming
        self.begin(None)

    # -- content lines to frames [name, properties, children, lineno]

    def frames(self, logical: Iterable[tuple[int, str]]) -> Iterator[tuple[str, list]]:
        """('begin', frame) at BEGIN:VCALENDAR, ('item', frame) for each of its
        components (and for components outside any VCALENDAR), ('end', frame)."""
        notes = self.notes
        stack: list[list] = []
        lineno = 0
        junk, begun = None, False  # the first line outside any component; whether any began
        joined = False  # whether a text was read from lines whose breaks were not escaped
        above = 0  # the length of the last property line
        completed = False  # whether a component of the open VCALENDAR ended
        for lineno, line in logical:
            if not line:
                continue  # only white space, folded
            c = line[0]
            if (c == "B" or c == "b") and line[:6].upper() == "BEGIN:":
                name = line[6:].strip().upper()
                if not _NAME_RE.match(name):
                    raise ParseError(f"invalid component name in {line[:60]!r}", lineno, line)
                if line[:6] != "BEGIN:" or line[6:] != name:
                    notes.warn("lower-case or padded BEGIN/END line", lineno, "lower-case names")
                frame = [name, [], [], lineno]
                begun = True
                if len(stack) >= _MAX_DEPTH:
                    raise ParseError(f"components nested more than {_MAX_DEPTH} deep", lineno, line)
                if not stack:
                    if name == "VCALENDAR":
                        stack.append(frame)
                        completed = False
                        yield "begin", frame
                        continue
                    notes.warn(f"BEGIN:{name} outside a VCALENDAR", lineno, "component outside a VCALENDAR")
                stack.append(frame)
                continue
            if (c == "E" or c == "e") and line[:4].upper() == "END:":
                name = line[4:].strip().upper()
                if not stack:
                    raise ParseError(f"END:{name} without a BEGIN", lineno, line)
                frame = stack.pop()
                if joined:  # lines of a text whose breaks were not escaped: one value again
                    _join_lines(frame)
                if frame[0] != name:
                    raise ParseError(f"END:{name} does not close BEGIN:{frame[0]} of line {frame[3]}", lineno, line)
                if not stack:
                    yield ("end" if name == "VCALENDAR" else "item"), frame
                elif len(stack) == 1 and stack[0][0] == "VCALENDAR":
                    completed = True
                    yield "item", frame
                else:
                    children = stack[-1][2]
                    if len(children) >= _MAX_CHILDREN:
                        raise ParseError(f"BEGIN:{stack[-1][0]} of line {stack[-1][3]} holds more than "
                                         f"{_MAX_CHILDREN:,} components", lineno, line)
                    children.append(frame)
                continue
            if not stack:  # a mail footer or signature after the calendar, padding, a preamble
                junk = junk or (lineno, line)
                notes.warn(f"{_short(line, 40)!r} outside any component: ignored", lineno, "text outside components")
                continue
            printable = line.isprintable()
            if not printable and "\r" in line:  # not a line end in a file of LF or CRLF ones: a break in a value
                notes.warn(f"a CR inside the line {_short(line, 40)!r}: read as a line break in its value", lineno,
                           "CRs inside lines")
                line = line.replace("\r", "\n")
            if not printable and _CONTROL_RE.search(line):  # RFC 5545 3.1: no controls but TAB
                notes.warn(f"control characters removed from {line[:40]!r}", lineno, "control characters")
                line = _CONTROL_RE.sub("", line)
            try:
                name, params, value = _split_line(line, lineno)
            except ParseError:
                if _continues(stack[-1][1], line, lineno, notes, above):
                    joined, above = True, len(line)
                    continue
                raise
            if params and "=" in value and _is_quoted_printable(params):
                params, value = _from_quoted_printable(name, params, value)
            if not printable and params and ("\u2028" in line or "\u2029" in line):
                names = _names_on_one_line(params)  # a name with a line separator could reach no mail header
                if names is not params:
                    params = names
                    notes.warn(f"line separators (U+2028, U+2029) in the name of {line[:40]!r} read as spaces",
                               lineno, "line separators")
            if name not in _COMMON_PROPS:
                if name in ("BEGIN", "END"):  # with parameters, or made so by removed controls
                    raise ParseError(f"a malformed BEGIN/END line {line[:40]!r}", lineno, line)
                if not _NAME_RE.match(name):
                    if _continues(stack[-1][1], line, lineno, notes, above):
                        joined, above = True, len(line)
                        continue
                    raise ParseError(f"invalid property name {name[:40]!r}", lineno, line)
            if not line.startswith(name):
                if _continues(stack[-1][1], line, lineno, notes, above):
                    joined, above = True, len(line)
                    continue
                notes.warn(f"lower-case property name {line[:len(name)]!r}", lineno, "lower-case names")
            properties = stack[-1][1]
            if len(properties) >= _MAX_PROPERTIES:
                raise ParseError(f"BEGIN:{stack[-1][0]} of line {stack[-1][3]} holds more than {_MAX_PROPERTIES:,} "
                                 f"properties", lineno, line)
            properties.append((name, params, value, lineno))
            above = len(line)
        if len(stack) == 1 and stack[0][0] == "VCALENDAR" and completed:  # only its END is missing
            notes.warn(f"the input ends without the END:VCALENDAR of line {stack[0][3]}'s BEGIN: read as if it "
                       f"were there", lineno)
            frame = stack.pop()
            _join_lines(frame)
            yield "end", frame
        if stack:
            raise ParseError(f"the input ends inside BEGIN:{stack[-1][0]} of line {stack[-1][3]}: "
                             f"the file is truncated", lineno)
        if junk and not begun:  # nothing but such text: no calendar at all
            _split_line(junk[1], junk[0])  # the line's own error, when it is no property line
            raise ParseError(f"no BEGIN:VCALENDAR or BEGIN:VEVENT: {_short(junk[1], 40)!r} is no calendar",
                             junk[0], junk[1])

    # -- calendar state

    def begin(self, frame: list | None) -> None:
        self.cal = frame
        self.zones: dict[str, tzinfo] = {}
        # TZID -> [VTIMEZONE read, IANA zone chosen, whether the tz database wins, {year: whether they
        # agree}]: the two are compared again in each other year, and a difference is warned of
        self.rechecks: dict[str, list] = {}
        self.fixed_hints: dict[str, ZoneInfo] = {}  # TZID EST or MST without a VTIMEZONE -> the zone often meant
        self.vtimezones: dict[str, list] = {}
        self.vzones: dict[str, _VZone | None] = {}
        self.xwr: tzinfo | None | bool = False  # False: not looked up yet
        self.xwr_missed = False  # streaming: floating times given before any X-WR-TIMEZONE
        self.method_seen, self.method_read = 0, None  # calendar properties looked through for METHOD; its value
        self.xwr_seen = 0  # streaming: how many calendar properties were looked through for it
        self.xwr_from = -1  # streaming: how many calendar properties there were when floating times got a zone
        self.waiting: set[str] = set()  # streaming: TZIDs looked up in vain, until their VTIMEZONE comes
        self.is_vcal1: bool | None = None  # VERSION:1.0, once looked up
        self.vcal1_missed = False  # streaming: looked up before any VERSION came

    def add_vtimezone(self, frame: list) -> str | None:
        """Take a VTIMEZONE; its TZID, when it is a new one."""
        tzid = next((_unescape(v) for n, p, v, ln in frame[1] if n == "TZID"), None)
        if tzid is None:
            self.notes.warn("VTIMEZONE without TZID: ignored", frame[3])
            return None
        if tzid != _tzid_key(tzid):
            self.notes.warn(f"VTIMEZONE TZID {_short(tzid)!r} in quotes or spaces: read as {_tzid_key(tzid)!r}",
                            frame[3])
            tzid = _tzid_key(tzid)
        if tzid in self.vtimezones:
            self.notes.warn(f"VTIMEZONE {_short(tzid)!r} defined twice: the first one counts", frame[3])
            return None
        self.vtimezones[tzid] = frame
        self.zones.pop(tzid, None)
        self.rechecks.pop(tzid, None)
        self.fixed_hints.pop(tzid, None)
        self.vzones.pop(tzid, None)
        self.waiting.discard(tzid)
        return tzid

    def x_wr_timezone(self) -> tzinfo | None:
        """Google's X-WR-TIMEZONE: the zone of the calendar's floating times."""
        if self.xwr is False:
            props = self.cal[1] if self.cal else ()
            seen, self.xwr_seen = self.xwr_seen, len(props)
            if self.xwr_missed and not any(p[0] in ("X-WR-TIMEZONE", "TZ") for p in props[seen:]):
                return None  # streaming: nothing new that could name the zone (each property looked at once)
            self.xwr = None
            self.xwr_from = len(props)
            for name, _, value, ln in props:
                if name == "X-WR-TIMEZONE":
                    key = _tzid_key(_unescape(value))
                    self.xwr = _iana_zone(key) or _cldr_zone(_windows_zones().get(key.lower(), ""))
                    if self.xwr is None:
                        self.notes.warn(f"X-WR-TIMEZONE {_short(value)!r} is not a known time zone: ignored", ln)
                    break
            else:
                self.xwr = self.vcal1_zone()
                if self.xwr is None and self.streaming and not self.final \
                        and not any(name == "TZ" for name, _, _, _ in props):  # it may still come, after events
                    self.xwr, self.xwr_missed = False, True
                    return None
        return self.xwr

    def method(self) -> str | None:
        """The calendar's METHOD, as the events read so far see it (each property looked at once)."""
        props = self.cal[1] if self.cal else ()
        if self.method_read is None and self.method_seen < len(props):
            self.method_read = next((value.strip().upper() for name, _, value, _ in
                                     itertools.islice(props, self.method_seen, None) if name == "METHOD"), None)
            self.method_seen = len(props)
        return self.method_read or self.notes.part_method()  # else what the e-mail part's Content-Type says

    def vcal1_zone(self) -> tzinfo | None:
        """vCalendar 1.0's TZ (the standard offset) and DAYLIGHT (summer periods) as the zone of its
        local times: a VTIMEZONE made of them, so they are written back with their rules."""
        props = self.cal[1] if self.cal else ()
        found = next(((value, ln) for name, _, value, ln in props if name == "TZ"), None)
        if found is None:
            return None
        value, ln = found
        standard = _vcal1_offset(value)
        if standard is None:
            self.notes.warn(f"TZ {_short(value)!r} (vCalendar 1.0) is not an offset: ignored", ln)
            return None
        std = _fmt_offset(standard)
        version = next((v.strip() for name, _, v, _ in props if name == "VERSION"), None)
        if version is not None and version != "1.0":  # a converter's leftover, most likely: taken, and said
            self.notes.warn(f"TZ {_short(value)!r} is vCalendar 1.0's, in a VERSION:{_short(version)} calendar: "
                            f"its floating times are read at {std}", ln)
        tzid = f"vCalendar TZ {std}"
        observances = [("STANDARD", [("DTSTART", (), "16010101T000000", ln), ("TZOFFSETFROM", (), std, ln),
                                     ("TZOFFSETTO", (), std, ln)], [], ln)]
        for name, _, value, ln in props:
            fields = value.split(";")
            if name != "DAYLIGHT" or fields[0].strip().upper() != "TRUE":
                continue
            offset = _vcal1_offset(fields[1]) if len(fields) > 3 else None
            start, end = (_parse_dt(f.strip()) for f in fields[2:4]) if offset is not None else (None, None)
            if not (start and end and isinstance(start[0], datetime) and isinstance(end[0], datetime)):
                self.notes.warn(f"DAYLIGHT {_short(value)!r} (vCalendar 1.0) is unreadable: ignored", ln)
                continue
            dst = _fmt_offset(offset)
            try:  # times in UTC ("...Z") as the wall times each change happens at
                begins = start[0] + timedelta(seconds=standard) if start[1] else start[0]
                ends = end[0] + timedelta(seconds=offset) if end[1] else end[0]
            except OverflowError:
                continue
            observances.append(("DAYLIGHT", [("DTSTART", (), _fmt_local(begins), ln), ("TZOFFSETFROM", (), std, ln),
                                             ("TZOFFSETTO", (), dst, ln)], [], ln))
            observances.append(("STANDARD", [("DTSTART", (), _fmt_local(ends), ln), ("TZOFFSETFROM", (), dst, ln),
                                             ("TZOFFSETTO", (), std, ln)], [], ln))
        return self.build_vzone(tzid, ("VTIMEZONE", [("TZID", (), tzid, found[1])], observances, found[1]))

    def late_x_wr_timezone(self) -> None:
        """Warn when an X-WR-TIMEZONE (or vCalendar 1.0 TZ) came after floating times were given
        without it (streaming)."""
        if self.xwr_missed and self.cal:
            found = next(((name, ln) for name, _, _, ln in self.cal[1] if name in ("X-WR-TIMEZONE", "TZ")), None)
            if found is not None:
                self.notes.warn(f"{found[0]} comes after events: the floating times read before it "
                                f"were given without its zone", found[1])
        elif self.streaming and self.xwr is not False and self.cal:  # a zone was found: did more come later?
            later = () if isinstance(self.xwr, ZoneInfo) else ("X-WR-TIMEZONE", "TZ", "DAYLIGHT")  # (the first counts)
            found = next(((name, ln) for name, _, _, ln in self.cal[1][self.xwr_from:] if name in later), None)
            if found is not None:
                self.notes.warn(f"{found[0]} comes after events: the floating times read before it were "
                                f"given the zone known then", found[1])

    # -- values

    def text(self, value: str, lineno: int) -> str:
        if "\\" not in value:
            return value
        text = _unescape(value)
        if _has_bad_escape(value):
            self.notes.warn(f"invalid backslash escape in {value[:40]!r}", lineno, "invalid backslash escapes")
        return text

    def when(self, params: tuple, value: str, lineno: int, what: str) -> date | datetime | None:
        parsed = _parse_dt(value)
        if parsed is None:
            self.notes.warn(f"{what} {value[:40]!r} is not a DATE or DATE-TIME: kept as text", lineno)
            return None
        dt, utc, loose = parsed
        if loose:
            self.notes.warn(f"{what} {value[:40]!r} is not in RFC 5545 form: read as {dt.isoformat()}"
                            f"{'Z' if utc else ''}", lineno)
        if not isinstance(dt, datetime):
            if params and any(n == "VALUE" and str(v).upper() == "DATE-TIME" for n, v in params):
                self.notes.warn(f"{what};VALUE=DATE-TIME has only a date {_short(value)!r}: read as the date",
                                lineno)
            return dt
        tzid = None
        for name, pvalue in params:
            if name == "TZID":
                if tzid is not None and pvalue != tzid:
                    self.notes.warn(f"{what} has two TZIDs, {_short(tzid)!r} and {_short(pvalue)!r}: read in the "
                                    f"first", lineno)
                    continue
                tzid = pvalue
            elif name == "VALUE" and pvalue.upper() == "DATE":
                day = dt.date()
                written = _LOOSE_DT_RE.match(value.strip()) if loose and utc else None
                if written:  # an offset moved the time to UTC: the date written counts
                    day = date(*map(int, written.groups()[:3]))
                self.notes.warn(f"{what};VALUE=DATE has a time {_short(value)!r}: read as the date {day}", lineno)
                return day
        if utc:
            if tzid is not None and not loose and what in _EVENT_TIME_NAMES and self.local_offset(tzid, dt):
                # RFC 5545 3.2.19: a UTC time has no TZID; some writers mean it local
                self.notes.warn(f"{what} {_short(value)!r} is in UTC and has TZID {_short(tzid)!r}: read as UTC",
                                lineno, kind=f"{what} in UTC with a TZID: read as UTC")
            return _with_zone(dt, UTC)
        if tzid is not None:
            zone = self.zone(tzid, dt, lineno)
            if type(zone) is _VZone and isinstance(dt, datetime):
                first = zone.first_observance()
                if first is not None and dt < first.start:  # RFC 5545 leaves the time before it open
                    self.notes.warn(f"{what} {_short(value)!r} is before the first observance of VTIMEZONE "
                                    f"{_short(tzid)!r} ({_fmt_local(first.start)}): read with the offset that "
                                    f"changes from, {_fmt_offset(first.frm)}, as libical does", lineno,
                                    "a time before its VTIMEZONE")
            return _with_zone(dt, zone)
        xwr = self.x_wr_timezone() if self.cal else None
        return _with_zone(dt, xwr) if xwr is not None else dt

    def vcal1(self) -> bool:
        """Whether the calendar being read says VERSION:1.0 (vCalendar), looked up once; while
        streaming, until a VERSION has come (it may come after events)."""
        if self.is_vcal1 is None:
            props = self.cal[1] if self.cal else ()
            found = any(name == "VERSION" and value.strip() == "1.0" for name, _, value, _ in props)
            if found or not self.streaming or self.final or any(name == "VERSION" for name, _, _, _ in props):
                self.is_vcal1 = found
            else:
                self.vcal1_missed = True
                return False
        return self.is_vcal1

    def late_version(self) -> None:
        """Warn when a VERSION:1.0 came after events were read as iCalendar 2.0 (streaming)."""
        if self.vcal1_missed and self.cal:
            found = next((ln for name, _, value, ln in self.cal[1] if name == "VERSION" and value.strip() == "1.0"),
                         None)
            if found is not None:
                self.notes.warn("VERSION:1.0 comes after events: those read before it were read as iCalendar 2.0 "
                                "(their vCalendar 1.0 STATUS, RSVP, ROLE and ';' lists not taken)", found)

    def local_offset(self, tzid: str, sample: datetime) -> bool:
        """Whether the zone a TZID names (when known) is off UTC at ``sample``."""
        zone = _iana_zone(_tzid_key(tzid)) or self.vzone(tzid)
        try:
            return zone is None or bool(zone.utcoffset(sample))
        except (OverflowError, ValueError):
            return True

    def zone(self, tzid: str, sample: datetime, lineno: int) -> tzinfo:
        zone = self.zones.get(tzid)
        if zone is None:
            key = _tzid_key(tzid)  # as add_vtimezone() names what it takes
            if not self.final and key in self.waiting:  # looked up already: no need to look again
                raise _Pending(key)
            zone = self.find_zone(tzid, sample, lineno)
            if zone is None:
                if not self.final:
                    self.waiting.add(key)
                    raise _Pending(key)
                self.notes.warn(f"TZID {_short(tzid)!r} is defined nowhere (no VTIMEZONE, not an IANA or Windows "
                                f"name): its times are kept as local times of an unknown zone", lineno)
                zone = _UnknownZone(tzid)
            self.zones[tzid] = zone
        if self.fixed_hints and tzid in self.fixed_hints:
            meant = self.fixed_hints[tzid]
            if meant.utcoffset(sample) != zone.utcoffset(sample):
                fixed = _fmt_offset_text(zone, sample)
                self.notes.warn(f"TZID {_short(tzid)!r} is the tz database's fixed offset {fixed} all year; "
                                f"{sample} is {_fmt_offset_text(meant, sample)} in {meant.key}, which "
                                f"writers naming it so often mean: read as the fixed offset", lineno,
                                kind=f"TZID {_short(tzid)!r} read as a fixed offset where {meant.key} differs")
        recheck = self.rechecks.get(tzid)
        if recheck is None or recheck[3].get(sample.year):  # (agreeing in that year)
            return zone
        return self.zone_in_year(tzid, recheck, sample, lineno)

    def recheck_series(self, start: datetime, rrule: str, lineno: int) -> None:
        """A series in a zone chosen because it agreed with the file's VTIMEZONE where first used
        (a Windows name): the years it recurs in, up to its UNTIL or ten years on, are compared
        too, and warned of where they differ, as a single event of that year would be."""
        for tzid, recheck in self.rechecks.items():
            if recheck[1] is start.tzinfo and not recheck[2]:
                until = _UNTIL_YEAR_RE.search(rrule)
                last = min(int(until.group(1)) if until else start.year + 10, 9998)
                for year in range(start.year + 1, last + 1):
                    self.zone_in_year(tzid, recheck, datetime(year, 7, 1, 12), lineno)
                    if not recheck[3].get(year, True):
                        return  # (one warning says it)
                return

    def zone_in_year(self, tzid: str, recheck: list, sample: datetime, lineno: int) -> tzinfo:
        """The tz database zone chosen for a TZID that the file's VTIMEZONE defines too, for
        ``sample``'s year, with a warning where the two disagree: for each time it moves (an
        Area/City name), or for each year (a Windows or fixed-offset name, chosen because the two
        agreed in the year first used).  One zone serves every time of the TZID, so an event's
        start, exceptions and overrides never mix two."""
        vz, iana, tzdb_wins, years = recheck
        agrees = years.get(sample.year)
        if agrees is None:
            if len(years) < 64:
                agrees = years[sample.year] = _agrees(vz, iana, sample)
            else:  # times in that many years: each compared
                agrees = vz.utcoffset(sample) == iana.utcoffset(sample)
            if not agrees and not tzdb_wins:
                self.notes.warn(f"TZID {_short(tzid)!r}: the file's VTIMEZONE differs from {iana.key} in "
                                f"{sample.year}: read as {iana.key}, which agreed where first used", lineno,
                                kind=f"TZID {_short(tzid)!r}: the file's VTIMEZONE differs from {iana.key}")
        if not agrees and tzdb_wins and vz.utcoffset(sample) != iana.utcoffset(sample):
            self.notes.warn(f"TZID {_short(tzid)!r}: the file's VTIMEZONE gives {sample} another offset "
                            f"than the tz database; using the tz database", lineno,
                            kind=f"TZID {_short(tzid)!r}: the file's VTIMEZONE gives other offsets than "
                                 f"the tz database")
        return iana

    def vzone(self, tzid: str) -> _VZone | None:
        key = _tzid_key(tzid)
        if key not in self.vzones:
            frame = self.vtimezones.get(key)
            self.vzones[key] = self.build_vzone(key, frame) if frame else None
        return self.vzones[key]

    def find_zone(self, tzid: str, sample: datetime, lineno: int) -> tzinfo | None:
        """IANA name, vendor-prefixed IANA name, Windows name, Exchange display
        name (checked against the file's VTIMEZONE), then the VTIMEZONE itself."""
        key = tzid.strip()
        zone = _iana_zone(key)
        if zone is not None:
            vz = self.vzone(tzid)
            if vz is None:
                if zone.key in _FIXED_NAMES_MEANT:  # EST: the tz database's is -05:00 all year
                    self.fixed_hints[tzid] = ZoneInfo(_FIXED_NAMES_MEANT[zone.key])
                return zone
            if "/" in zone.key or _moves_since_1970(zone.key):  # Area/City, Iran, EST5EDT: the tz database
                # knows its history better than a VTIMEZONE trimmed to the events' years
                self.rechecks[tzid] = [vz, zone, True, {}]
                return zone
            if _agrees(vz, zone, sample):  # EST, MST, GMT...: fixed offsets, often named for a zone with DST
                self.rechecks[tzid] = [vz, zone, False, {sample.year: True}]
                return zone
            self.notes.warn(f"TZID {_short(tzid)!r}: the file's VTIMEZONE differs from the tz database's fixed "
                            f"zone {zone.key}; using the VTIMEZONE", lineno)
            return vz
        if key.startswith("/"):  # "/citadel.org/20260414_1/Africa/Casablanca", "/mozilla.org/.../X"
            parts = [p for p in key.split("/") if p]
            for i in range(max(0, len(parts) - 3), len(parts)):  # IANA names have at most three parts
                zone = _iana_zone("/".join(parts[i:]))
                if zone is not None:
                    vz = self.vzone(tzid)
                    if vz is not None:  # as for an Area/City name: the tz database, warned where they differ
                        self.rechecks[tzid] = [vz, zone, True, {}]
                    return zone
        vz = self.vzone(tzid)
        if vz is None and key.lower() in _UTC_NAMES:
            return UTC
        candidates: list[ZoneInfo] = []
        windows = _windows_zones()
        numbered = key.rstrip("0123456789")  # Outlook's "Eastern Standard Time 1"
        name = windows.get(key.lower()) or windows.get(numbered.rstrip().lower() if numbered[-1:].isspace() else "")
        display = _display_zone(key) if not name else None
        if name:
            candidates += [z for z in (_cldr_zone(name),) if z is not None]
        elif display is not None and not display[1]:  # "UTC+01:00", "(GMT-03:00)": an offset, no place
            if vz is not None or not self.final:
                return vz  # (streaming: the file may define it further on)
            if abs(display[0]) < 86400:
                self.notes.warn(f"TZID {_short(tzid)!r} has no VTIMEZONE: read as the fixed offset it names",
                                lineno)
                return timezone(timedelta(seconds=display[0]))
        elif display is not None:
            offset, rest = display
            # the place it names, even where that offset has since changed ("(UTC+02:00) Amman" is +03:00
            # since 2022): its times are that place's; the offset it names counts among the places named
            candidates = sorted(dict.fromkeys(_display_candidates(rest)), key=lambda z: _standard_offset(z) != offset)
            if vz is None and not self.final:
                return None  # a guess: first see whether the file defines the zone further on
            if vz is None and candidates:
                self.notes.warn(f"TZID {_short(tzid)!r} has no VTIMEZONE: read as {candidates[0].key}, "
                                f"guessed from its name", lineno)
                return candidates[0]
            if vz is None and abs(offset) < 86400:  # a place this does not know: its summer time neither
                self.notes.warn(f"TZID {_short(tzid)!r} has no VTIMEZONE and names a place icsmail does not "
                                f"know: read as the fixed offset it names, without any summer time", lineno)
                return timezone(timedelta(seconds=offset))
            candidates = candidates or [z for z in _windows_golden_zones() if _standard_offset(z) == offset]
        if candidates and vz is None:
            # streaming, the file may still define the zone further on: its rules win then
            return candidates[0] if self.final else None
        if candidates:
            for zone in candidates:
                if _agrees(vz, zone, sample):
                    self.rechecks[tzid] = [vz, zone, False, {sample.year: True}]
                    return zone
            self.notes.warn(f"TZID {_short(tzid)!r}: the file's VTIMEZONE differs from {candidates[0].key} in "
                            f"{sample.year}; using the VTIMEZONE", lineno)
        return vz

    def build_vzone(self, tzid: str, frame: list) -> _VZone | None:
        observances = []
        budget = _ZONE_RULES_BUDGET
        for name, props, _, lineno in frame[2]:
            if name not in ("STANDARD", "DAYLIGHT"):
                continue
            found: dict[str, Any] = {}
            rdates: list[datetime] = []
            in_utc = []  # line numbers of times given in UTC: they are turned into wall times below
            for pname, _, value, ln in props:
                if pname == "DTSTART":
                    parsed = _parse_dt(value)
                    if parsed and isinstance(parsed[0], datetime):
                        found["start"] = parsed[0]
                        found["start_utc"] = parsed[1]
                        if parsed[1]:
                            in_utc.append(ln)
                elif pname in ("TZOFFSETFROM", "TZOFFSETTO"):
                    found[pname] = _parse_offset(value)
                elif pname == "RRULE":
                    rule = self.zone_rule(tzid, value, ln, budget)
                    if rule is not None:
                        budget -= _rule_cost(rule)
                        found["rrule"] = rule
                elif pname == "RDATE":
                    for item in value.split(","):
                        parsed = _parse_dt(item.split("/")[0])
                        if parsed and isinstance(parsed[0], datetime):
                            rdates.append((parsed[0], parsed[1]))
                            if parsed[1]:
                                in_utc.append(ln)
                elif pname == "TZNAME" and "name" not in found:
                    found["name"] = _unescape(value)
            to = found.get("TZOFFSETTO")
            if "start" not in found or to is None:
                self.notes.warn(f"VTIMEZONE {_short(tzid)!r}: {name} without a valid DTSTART or TZOFFSETTO: "
                                f"ignored", lineno)
                continue
            frm = found.get("TZOFFSETFROM")
            if frm is None:
                self.notes.warn(f"VTIMEZONE {_short(tzid)!r}: {name} without a valid TZOFFSETFROM: the offset "
                                f"before its change taken as its TZOFFSETTO", lineno)
                frm = to
            if in_utc:  # RFC 5545 3.6.5: local times; a UTC one is the change's instant, whose wall time is FROM's
                self.notes.warn(f"VTIMEZONE {_short(tzid)!r}: {name} gives its change in UTC, not in local "
                                f"time: read as that instant", in_utc[0])
            try:
                found["start"] += timedelta(seconds=frm) if found["start_utc"] else timedelta(0)
                rdates = [dt + timedelta(seconds=frm) if utc else dt for dt, utc in rdates]
            except OverflowError:
                continue
            rule = found.get("rrule")
            if rule and "UNTIL" in rule:
                until = _parse_dt(rule["UNTIL"])
                if until is not None:
                    u = until[0] if isinstance(until[0], datetime) else datetime.combine(until[0], time(23, 59, 59))
                    try:
                        rule["_until"] = u + timedelta(seconds=frm) if until[1] else u
                    except OverflowError:
                        rule["_until"] = u
            observances.append(_Observance(found["start"], frm, to, name == "DAYLIGHT", found.get("name"),
                                           rule, tuple(rdates)))
        if not observances:
            self.notes.warn(f"VTIMEZONE {_short(tzid)!r} has no usable STANDARD or DAYLIGHT", frame[3])
            return None
        return _VZone(tzid, observances, self.component(frame))

    def zone_rule(self, tzid: str, value: str, lineno: int, budget: int) -> dict | None:
        """A VTIMEZONE observance's RRULE, or None (with a warning) when it reads as no time zone's."""
        try:
            rule = _parse_rrule(value)
        except ValueError as exc:
            self.notes.warn(f"VTIMEZONE {_short(tzid)!r}: {exc}: rule ignored", lineno)
            return None
        unread = sorted(_ZONE_RULE_UNREAD & rule.keys())
        if rule["FREQ"] != "YEARLY" or _rule_size(rule) > 64 or unread:
            self.notes.warn(f"VTIMEZONE {_short(tzid)!r}: not a yearly rule of a few changes"
                            f"{' (' + ', '.join(unread) + ')' if unread else ''}: ignored", lineno)
            return None
        if _rule_cost(rule) > budget:
            self.notes.warn(f"VTIMEZONE {_short(tzid)!r}: more rules than any time zone has: this one "
                            f"is ignored", lineno)
            return None
        if "BYDAY" in rule and not rule.keys() & {"BYMONTH", "BYMONTHDAY", "BYYEARDAY"}:
            self.notes.warn(f"VTIMEZONE {_short(tzid)!r}: RRULE BYDAY without BYMONTH: read in the month of "
                            f"its DTSTART (RFC 5545 would count the weekdays of the whole year)", lineno)
        return rule

    def prop(self, name: str, params: tuple, value: str, lineno: int) -> Property:
        if _is_text(name, params):
            if name in _TEXT_LIST_PROPS and "," in value:
                items = _split_text_list(value)
                decoded: Any = tuple(items) if len(items) > 1 else items[0]
            else:
                decoded = self.text(value, lineno)
        else:
            decoded = value
        return _raw(Property, {"name": name, "value": decoded, "params": params, "_as_read": True})

    def component(self, frame: list) -> Component:
        name, props, children, _ = frame
        return _raw(Component, {"name": name,
                                "properties": tuple(self.prop(n, p, v, ln) for n, p, v, ln in props),
                                "components": tuple(self.component(c) for c in children)})

    # -- people

    def person(self, cls: type, params: tuple, value: str) -> Any:
        fields: dict[str, Any] = {"email": _cal_address(value)}
        named = _NAMED_ADDRESS_RE.match(fields["email"]) if "<" in value else None
        if named:  # "John Smith <jsmith@host1.com>": vCalendar 1.0's own example, and some writers'
            fields["email"] = named.group(2)
            name = named.group(1).strip()
            if name:
                fields["name"] = name.strip('"')
        if cls is Attendee and (self.vcal1() if self.is_vcal1 is None else self.is_vcal1):
            params = _vcal1_person_params(params)
        other = []
        for name, pvalue in params:
            if name == "CN":
                fields["name"] = pvalue
            elif name == "SENT-BY":
                fields["sent_by"] = _cal_address(pvalue)
            elif cls is Attendee and name in _ATTENDEE_TOKENS:
                fields[_ATTENDEE_TOKENS[name]] = pvalue.upper()
            elif cls is Attendee and name == "RSVP":
                fields["rsvp"] = pvalue.upper() == "TRUE"
            elif cls is Attendee and name in ("DELEGATED-TO", "DELEGATED-FROM"):
                values = pvalue if isinstance(pvalue, tuple) else (pvalue,)
                fields[name.lower().replace("-", "_")] = tuple(_cal_address(v) for v in values)
            else:
                other.append((name, pvalue))
        if cls is Attendee and "rsvp" not in fields:
            fields["rsvp"] = False  # RFC 5545 3.2.17: FALSE unless said
        if ":" in fields["email"]:  # urn:uuid:... (iCloud, CalDAV servers): the address is the EMAIL parameter
            given = next((v.strip() for n, v in other if n == "EMAIL" and isinstance(v, str)), "")
            given = given[7:] if given[:7].lower() == "mailto:" else given
            if _PLAIN_EMAIL_RE.match(given) or _EMAIL_RE.match(given):  # written back as mailto:, which
                fields["email"] = given  # every mail client and linter takes (a URN only a server knows)
                other = [(n, v) for n, v in other if n != "EMAIL"]
        if other:
            fields["params"] = tuple(other)
        fields["_as_read"] = True  # what a file says is kept when its event is changed (update, cancel)
        return _raw(cls, fields)

    # -- components

    def alarm(self, frame: list) -> Alarm:
        fields: dict[str, Any] = {"trigger": None, "action": None, "related": "START"}
        attendees, extra = [], []
        for name, params, value, ln in frame[1]:
            if name == "ACTION" and fields["action"] is None:
                fields["action"] = value.strip().upper()
            elif name == "TRIGGER" and fields["trigger"] is None:
                pdict = dict(params)
                if pdict.get("VALUE", "").upper() == "DATE-TIME":
                    got = self.when(params, value, ln, "TRIGGER")  # in UTC (RFC 5545 3.8.6.3); a TZID is read too
                    fields["trigger"] = got if isinstance(got, datetime) else None
                    if isinstance(got, datetime) and got.tzinfo is None:
                        self.notes.warn(f"TRIGGER {_short(value)!r} is not in UTC, as RFC 5545 wants: kept as a "
                                        f"floating time", ln)
                else:
                    fields["trigger"] = _parse_duration(value)
                    fields["related"] = pdict.get("RELATED", "START").upper()
                if fields["trigger"] is None:
                    self.notes.warn(f"VALARM TRIGGER {_short(value)!r} unreadable", ln)
                    extra.append(self.prop(name, params, value, ln))
            elif name == "DESCRIPTION" and "description" not in fields:
                fields["description"] = self.text(value, ln)
            elif name == "SUMMARY" and "summary" not in fields:
                fields["summary"] = self.text(value, ln)
            elif name == "ATTENDEE":
                attendees.append(self.person(Attendee, params, value))
            elif name == "REPEAT" and _DIGITS_RE.match(value.strip()):
                fields["repeat"] = int(value)
            elif name == "DURATION" and _parse_duration(value) is not None:
                fields["interval"] = _parse_duration(value)
            else:
                extra.append(self.prop(name, params, value, ln))
        if fields["trigger"] is None and not extra:
            self.notes.warn("VALARM without TRIGGER", frame[3])
        fields["attendees"] = tuple(attendees)
        fields["extra"] = tuple(extra)
        return _raw(Alarm, fields)

    def event(self, frame: list) -> Event:
        """A VEVENT frame as an Event; deviations become warnings, nothing is dropped."""
        notes = self.notes
        _, props, children, lineno = frame
        f: dict[str, Any] = {}
        attendees, extra, categories, exdates, rdates = [], [], [], [], []
        kept: dict[str, str] = {}
        where: dict[str, int] = {}  # line of DTEND, DURATION, RRULE: for the warnings about them
        for name, params, value, ln in props:
            if name == "ATTENDEE":
                attendees.append(self.person(Attendee, params, value))
                continue
            target = _EVENT_PROPS.get(name)
            if target is None:
                if name == "EXRULE":
                    try:
                        _parse_rrule(value)
                        said = "applied: clients that follow RFC 5545 show the times it excludes"
                    except ValueError as exc:
                        said = f"kept, not applied ({exc})"
                    notes.warn(f"EXRULE {_short(value)!r} (RFC 2445; RFC 5545 removed it) is {said}", ln)
                extra.append(self.prop(name, params, value, ln))
                continue
            field_name, kind = target
            if ":" in value and (kind == "when" or kind == "dates") and params and params[-1][0] == "TZID":
                mended = _tzid_with_colon(params, value)  # TZID=tzone://Microsoft/Custom, unquoted
                if mended is not None:
                    params, value = mended
                    notes.warn(f"{name}: a ':' in TZID {_short(params[-1][1])!r} that is not quoted", ln,
                               "':' in an unquoted TZID")
            if field_name in f:
                notes.warn(f"VEVENT has more than one {name}: the first counts, the others are kept as extra",
                           ln, f"repeated {name}")
                extra.append(self.prop(name, params, value, ln))
                continue
            if params and name in _PARAMS_KEPT and name not in kept:  # written back as they came
                more = tuple(p for p in params if p[0] not in ("TZID", "VALUE"))
                if more:
                    kept[name] = _params_text(more)
            if kind == "text":
                f[field_name] = self.text(value, ln)
            elif kind == "when":
                got = self.when(params, value, ln, name)
                if got is None:
                    extra.append(self.prop(name, params, value, ln))
                    continue
                f[field_name] = got
                where[field_name] = ln
            elif kind == "stamp":
                got = self.when(params, value, ln, name)
                if isinstance(got, datetime) and got.tzinfo is None:
                    notes.warn(f"{name} {_short(value)!r} is not in UTC: read as UTC", ln, f"{name} not in UTC")
                    got = got.replace(tzinfo=UTC)
                try:
                    stamp = got.astimezone(UTC) if isinstance(got, datetime) and got.utcoffset() is not None \
                        else None
                except OverflowError:
                    stamp = None
                if stamp is not None:
                    f[field_name] = stamp
                else:
                    notes.warn(f"{name} {_short(value)!r} is not a UTC DATE-TIME: kept as extra", ln)
                    extra.append(self.prop(name, params, value, ln))
            elif kind == "token":
                f[field_name] = value.strip().upper()
            elif kind == "int":
                text = value.strip()
                if _WHOLE_RE.match(text):
                    f[field_name] = number = int(text)
                    lo, hi = _WHOLE_RANGES[field_name]
                    if not lo <= number <= hi:
                        notes.warn(f"{name} {number} is outside {lo}-{hi} (RFC 5545): kept as it is", ln)
                elif field_name == "sequence":  # always written: kept as extra, it would be written twice
                    what = "too large a number" if text.lstrip("+-").isdigit() else "not a whole number"
                    notes.warn(f"{name} {_short(value)!r} is {what}: read as 0", ln)
                else:
                    notes.warn(f"{name} {_short(value)!r} is not a whole number: kept as extra", ln)
                    extra.append(self.prop(name, params, value, ln))
            elif kind == "uri":
                f[field_name] = value
            elif kind == "organizer":
                f[field_name] = self.person(Organizer, params, value)
            elif kind == "duration":
                got = _parse_duration(value)
                if got is None:
                    notes.warn(f"DURATION {_short(value)!r} unreadable: kept as extra", ln)
                    extra.append(self.prop(name, params, value, ln))
                    continue
                f[field_name] = got
                where[field_name] = ln
            elif kind == "rrule":  # kept exactly as written, even when it does not parse
                try:
                    _parse_rrule(value)
                except ValueError as exc:
                    converted = _vcal1_rrule(value)
                    if converted is None:
                        notes.warn(f"RRULE {_short(value)!r}: {exc}", ln)
                    else:
                        notes.warn(f"RRULE {_short(value)!r} (vCalendar 1.0) read as {converted}", ln)
                        value = converted
                f[field_name] = _ReadRule(value)
                where[field_name] = ln
            elif kind == "list":  # CATEGORIES
                if ";" in value and "\\;" not in value and self.vcal1():  # vCalendar 1.0 lists with ";"
                    value = value.replace(";", ",")
                categories.extend(_split_text_list(value))
            elif kind == "dates":  # EXDATE, RDATE
                if ";" in value and self.vcal1():
                    value = value.replace(";", ",")
                self.date_list(name, params, value, ln, exdates if name == "EXDATE" else rdates, extra)
                if name == "EXDATE" and any(isinstance(x, datetime) for x in exdates):
                    where.setdefault("timed exdate", ln)
                elif name == "RDATE":
                    where.setdefault("rdate", ln)
        for child in children:
            if child[0] == "VALARM":
                f.setdefault("alarms", []).append(self.alarm(child))
            else:
                f.setdefault("components", []).append(self.component(child))
        self.check_event(f, lineno, where)
        if "RECURRENCE-ID" in kept and "THISANDFUTURE" in kept["RECURRENCE-ID"].upper() and "start" in f \
                and self.method() != "CANCEL":
            notes.warn(f"RECURRENCE-ID;RANGE=THISANDFUTURE: the change is read for the occurrence "
                       f"{_short(str(f.get('recurrence_id')))} alone; the later ones keep the series' times and "
                       f"properties (RFC 5545 3.8.4.4 gives it to them too)", where.get("recurrence_id", lineno))
        start = f.get("start")
        if self.fixed_hints and f.get("rrule") and isinstance(start, datetime) and \
                isinstance(start.tzinfo, ZoneInfo) and start.tzinfo.key in _FIXED_NAMES_MEANT:
            meant = ZoneInfo(_FIXED_NAMES_MEANT[start.tzinfo.key])
            if meant.utcoffset(start.replace(tzinfo=None, month=7, day=1)) != start.utcoffset():
                self.notes.warn(f"the series of {_short(str(f.get('uid')))!r} recurs in the tz database's fixed "
                                f"{start.tzinfo.key} all year; in summer {meant.key}'s clocks are an hour ahead, which "
                                f"writers naming it so often mean", lineno,
                                f"a series in the fixed {start.tzinfo.key}")
        if self.rechecks and f.get("rrule") and isinstance(start, datetime) and isinstance(start.tzinfo, ZoneInfo):
            self.recheck_series(start, f["rrule"], lineno)
        if len(attendees) > 1 and len({a.email.lower() for a in attendees}) < len(attendees):
            seen: set = set()
            for a in attendees:
                if a.email.lower() in seen:
                    self.notes.warn(f"VEVENT lists the attendee {_short(a.email)!r} twice: kept as read (a reply "
                                    f"updates the first)", lineno, "an attendee listed twice")
                    break
                seen.add(a.email.lower())
        f["attendees"] = tuple(attendees)
        f["categories"] = tuple(categories)
        if start is not None:  # a time of the other kind than the series' (a date or not, floating or not)
            exdates = self.series_kind(start, exdates, "EXDATE", where.get("timed exdate", lineno))
            rdates = self.series_kind(start, rdates, "RDATE", where.get("rdate", lineno))
        f["exdates"] = tuple(exdates)
        f["rdates"] = tuple(rdates)
        f["extra"] = tuple(extra)
        for prop in extra:  # X-MS-OLK-ORIGINALSTART;TZID=...: its zone goes with it, should the event change
            tzid = _tzid_of(prop)
            frame = self.vtimezones.get(_tzid_key(tzid)) if isinstance(tzid, str) else None
            if frame is not None:
                prop._vtimezone = self.component(frame)
        rid = f.get("recurrence_id")
        if type(rid) is datetime and type(rid.tzinfo) is ZoneInfo and not rid.fold:  # 02:30 a gap moved: as
            real = _real_time(rid, rid.tzinfo)  # occurrences() gives it (03:30), written back as read beside
            if real.replace(tzinfo=None) != rid.replace(tzinfo=None):  # its series
                f["recurrence_id"], f["_recurrence_wall"] = real, rid
        f["alarms"] = tuple(f.get("alarms", ()))
        f["components"] = tuple(f.get("components", ()))
        f.setdefault("sequence", 0)
        if type(f.get("rrule")) is _ReadRule:
            f["rrule"].start = f.get("start")  # kept as read while the event keeps this start
        event = _raw(Event, f)
        event._as_read = True
        event._method = self.method()  # what the message was (show says a reply is no invitation)
        if kept:
            event._params = {k: v for k, v in kept.items() if _EVENT_PROPS[k][0] in f or k == "CATEGORIES"}
        return event

    def series_kind(self, start: date | datetime, values: list, name: str, lineno: int) -> list:
        """EXDATEs or RDATEs as times of the series' kind, with a warning for each way one was
        changed: a time in an all-day series is its day; in a series of times, an RDATE's date
        is that day at the series' time (an EXDATE's date takes out the whole day), a time with
        an offset in a floating series is the wall time it says (as UNTIL is read), and a
        floating one in a zoned series is in the series' zone.  Otherwise an EXDATE would
        exclude nothing, an RDATE give a time of another kind."""
        timed = isinstance(start, datetime)
        floating = timed and start.tzinfo is None
        changed: dict[str, Any] = {}  # how a value was changed -> the first so changed

        def mended(value: Any) -> Any:
            if isinstance(value, tuple):  # a PERIOD (of times: in an all-day series, kept as read)
                if not timed:
                    return value
                period = (mended(value[0]), mended(value[1]) if isinstance(value[1], datetime) else value[1])
                return value if period[0] is value[0] and period[1] is value[1] else period
            if not timed:
                if isinstance(value, datetime):
                    changed.setdefault("day", value)
                    return value.date()
                return value
            if not isinstance(value, datetime):
                if name == "RDATE":
                    changed.setdefault("date", value)
                    return start.replace(year=value.year, month=value.month, day=value.day)
                return value
            if (value.tzinfo is None) == floating:
                return value
            changed.setdefault("zone", value)
            return value.replace(tzinfo=None) if floating else value.replace(tzinfo=start.tzinfo)

        out = [mended(v) for v in values]
        for how, value in changed.items():
            if how == "day":
                self.notes.warn(f"{name} {_fmt_local(value)} has a time, where the all-day series has days: read "
                                f"as the day {value.date()}", lineno, f"an {name} with a time in an all-day series")
            elif how == "date":
                self.notes.warn(f"{name} {_fmt_date(value)} is a date, where the series has times: read as that day "
                                f"at the series' time, {start:%H:%M:%S}", lineno,
                                f"an {name} without a time in a series of times")
            else:
                said = "a time with an offset, in a floating series: read as the wall time it says" if floating \
                    else "a floating time, in a series with a time zone: read in the series' zone"
                self.notes.warn(f"{name} {_short(str(value))} is {said}", lineno,
                                f"{name} of another kind than DTSTART")
        return out

    def date_list(self, name: str, params: tuple, value: str, lineno: int, out: list, extra: list) -> None:
        is_period = any(n == "VALUE" and v.upper() == "PERIOD" for n, v in params)
        for item in value.split(","):
            item = item.strip()
            if not item:
                continue
            if is_period or "/" in item:
                first, _, second = item.partition("/")
                start = self.when(params, first, lineno, name)
                end: Any = _parse_duration(second) if second[:1] in "P+-" else self.when(params, second, lineno, name)
                if not isinstance(start, datetime) or not isinstance(end, (datetime, timedelta)):
                    self.notes.warn(f"{name} period {item[:40]!r} is not two DATE-TIMEs or one and a DURATION: "
                                    f"kept as text", lineno)
                    extra.append(self.prop(name, params, item, lineno))
                elif name == "EXDATE":  # RFC 5545 3.8.5.1: an EXDATE is a DATE or DATE-TIME
                    self.notes.warn(f"EXDATE {item[:40]!r} is a PERIOD: read as its start, the occurrence "
                                    f"it excludes", lineno)
                    out.append(start)
                else:
                    out.append((start, end))
                continue
            got = self.when(params, item, lineno, name)
            if got is None:
                extra.append(self.prop(name, params, item, lineno))
            else:
                out.append(got)

    def until_day(self, until: str, start: date | datetime) -> tuple[str, str] | None:
        """(the day, the zone) of an all-day series' UTC UNTIL that is midnight in the calendar's
        X-WR-TIMEZONE (Android writes the last day's so: 23:00Z east of UTC), when that differs
        from its day in UTC.  Other UNTILs (midnight or 23:59:59 in UTC) keep their UTC day."""
        zone = self.x_wr_timezone() if not isinstance(start, datetime) and len(until) == 16 else None
        if not isinstance(zone, ZoneInfo):
            return None
        parsed = _parse_dt(until.upper())
        if parsed is None or not parsed[1]:
            return None
        utc = parsed[0].replace(tzinfo=UTC)
        try:
            local = utc.astimezone(zone)
        except OverflowError:
            return None
        day = local.date()
        if day == utc.date() or day.year < 1000 or datetime.combine(day, time(0), zone).astimezone(UTC) != utc:
            return None  # (midnight by instant: where the clocks skip it, the day begins at 01:00)
        return f"{day:%Y%m%d}", zone.key

    def check_event(self, f: dict, lineno: int, where: dict[str, int]) -> None:
        """Warn about what real exports get wrong; make the event whole where RFC 5545 says how."""
        notes = self.notes
        if "start" not in f and self.method() in (None, "PUBLISH", "REQUEST", "ADD", "COUNTER"):
            said = f"METHOD:{self.method()}" if self.method() else "a calendar without METHOD (RFC 5545 3.6.1)"
            if "recurrence_id" in f:  # a changed occurrence that only changes other things
                f["start"] = f["recurrence_id"]
                notes.warn(f"VEVENT without DTSTART, which {said} needs: read as starting at its RECURRENCE-ID",
                           lineno, "no DTSTART")
            else:
                notes.warn(f"VEVENT without DTSTART, which {said} needs: it has no time", lineno, "no DTSTART")
        start, end = f.get("start"), f.get("end")
        if "uid" not in f:
            notes.warn("VEVENT without UID", lineno)
        if end is not None and "duration" in f:
            notes.warn(f"VEVENT has both DTEND and DURATION: DURATION {_fmt_duration(f['duration'])} ignored",
                       where.get("duration", lineno))
            del f["duration"]
        if start is not None and end is not None:
            if isinstance(start, datetime) != isinstance(end, datetime):
                notes.warn("DTSTART and DTEND have different value types", where.get("end", lineno))
            else:
                try:
                    if end == start and not isinstance(start, datetime) and start < date.max:
                        notes.warn(f"all-day DTEND {end} equals DTSTART: read as one day", where.get("end", lineno),
                                   "all-day DTEND equals DTSTART")
                        f["end"] = start + timedelta(days=1)
                    elif not _not_after(start, end):  # as instants: a wall clock repeats and skips an hour
                        notes.warn(f"DTEND {end} is before DTSTART {start}", where.get("end", lineno))
                except TypeError:  # aware against floating
                    notes.warn("DTSTART and DTEND mix floating and zoned times", where.get("end", lineno))
        elif start is not None and not isinstance(start, datetime) and "duration" not in f and start < date.max:
            f["end"] = start + timedelta(days=1)  # RFC 5545 3.6.1: a DATE start lasts one day
        duration = f.get("duration")
        if duration is not None and duration < timedelta(0):
            notes.warn(f"DURATION {_fmt_duration(duration)} is negative", where.get("duration", lineno))
        elif duration is not None and start is not None and not isinstance(start, datetime) and \
                (duration.seconds or not duration.days):
            notes.warn(f"DURATION {_fmt_duration(duration)} of an all-day event is not whole days "
                       f"(RFC 5545 3.6.1)", where.get("duration", lineno))
        if duration is not None and start is not None:
            try:
                _add_duration(start, duration)
            except OverflowError:  # the event has no end a date can say: end_time is None
                notes.warn(f"DURATION {_fmt_duration(duration)} ends the event beyond the years 1-9999",
                           where.get("duration", lineno))
        if isinstance(start, datetime) and start.tzinfo is None:
            f["floating"] = True
        rrule = f.get("rrule")
        if rrule and start is not None:
            until = re.search(r"UNTIL=([0-9TZtz]+)", rrule, re.IGNORECASE)
            if until and (len(until.group(1)) == 8) == isinstance(start, datetime):
                day = self.until_day(until.group(1), start)
                if day is not None:  # Android's all-day series: the last day's midnight, in UTC
                    f["rrule"] = _ReadRule(rrule[:until.start(1)] + day[0] + rrule[until.end(1):])
                notes.warn(f"RRULE UNTIL={until.group(1)} does not have DTSTART's value type"
                           + (f": read as UNTIL={day[0]}, its day in {day[1]} (X-WR-TIMEZONE)" if day else ""),
                           where.get("rrule", lineno), "UNTIL with another value type than DTSTART")
            elif until and len(until.group(1)) == 15 and isinstance(start, datetime) and start.tzinfo is not None:
                notes.warn(f"RRULE UNTIL={until.group(1)} is a local time, where a zoned DTSTART wants UTC "
                           f"(RFC 5545 3.3.10): readers take it in the event's zone", where.get("rrule", lineno),
                           "UNTIL in local time")
            elif until and len(until.group(1)) == 16 and isinstance(start, datetime) and start.tzinfo is None:
                notes.warn(f"RRULE UNTIL={until.group(1)} is in UTC, where a floating DTSTART wants a local time "
                           f"(RFC 5545 3.3.10): read as the wall time it says", where.get("rrule", lineno),
                           "UNTIL in UTC")
            elif until and _until_before(until.group(1), start):
                notes.warn(f"RRULE UNTIL={until.group(1)} is before DTSTART: the rule gives no occurrence, and "
                           f"the event happens once", where.get("rrule", lineno), "UNTIL before DTSTART")
            if not isinstance(start, datetime):
                try:
                    timed = _rule_of_times(_parse_rrule(rrule))
                except ValueError:
                    timed = None
                if timed:
                    notes.warn(f"RRULE {timed} names times of day, which an all-day event has not (RFC 5545 "
                               f"3.3.10): its occurrences are read as the days they fall on",
                               where.get("rrule", lineno), "an all-day RRULE with times of day")


_ATTENDEE_TOKENS = MappingProxyType({"ROLE": "role", "PARTSTAT": "partstat", "CUTYPE": "cutype"})
_NAMED_ADDRESS_RE = _LazyRegex(r'([^<>]*)<([^<>\s@]+@[^<>\s]+)>\s*\Z')  # one way to match: linear time
# vCalendar 1.0 attendee parameters in RFC 5545 terms: STATUS is PARTSTAT, RSVP says YES or NO,
# and its roles are ATTENDEE, ORGANIZER, OWNER and DELEGATE.
_VCAL1_STATUS = MappingProxyType({
    "ACCEPTED": "ACCEPTED", "CONFIRMED": "ACCEPTED", "DECLINED": "DECLINED", "TENTATIVE": "TENTATIVE",
    "DELEGATED": "DELEGATED", "NEEDS ACTION": "NEEDS-ACTION", "NEEDS-ACTION": "NEEDS-ACTION",
    "SENT": "NEEDS-ACTION"})
_VCAL1_ROLES = MappingProxyType({"ATTENDEE": "REQ-PARTICIPANT", "DELEGATE": "REQ-PARTICIPANT",
                                 "ORGANIZER": "CHAIR", "OWNER": "CHAIR"})


def _vcal1_person_params(params: tuple) -> tuple:
    """A vCalendar 1.0 ATTENDEE's parameters as RFC 5545 names them."""
    names = {name for name, _ in params}
    out = []
    for name, value in params:
        if not isinstance(value, str):
            pass
        elif name == "STATUS" and "PARTSTAT" not in names and value.strip().upper() in _VCAL1_STATUS:
            name, value = "PARTSTAT", _VCAL1_STATUS[value.strip().upper()]
        elif name == "RSVP" and value.strip().upper() in ("YES", "NO"):
            value = "TRUE" if value.strip().upper() == "YES" else "FALSE"
        elif name == "ROLE" and value.strip().upper() in _VCAL1_ROLES:
            value = _VCAL1_ROLES[value.strip().upper()]
        out.append((name, value))
    return tuple(out)


# VEVENT properties the model names: property -> (field, how to read it).
_EVENT_PROPS = MappingProxyType({
    "UID": ("uid", "text"), "SUMMARY": ("summary", "text"), "DESCRIPTION": ("description", "text"),
    "LOCATION": ("location", "text"), "DTSTART": ("start", "when"), "DTEND": ("end", "when"),
    "RECURRENCE-ID": ("recurrence_id", "when"), "DTSTAMP": ("dtstamp", "stamp"),
    "CREATED": ("created", "stamp"), "LAST-MODIFIED": ("last_modified", "stamp"),
    "SEQUENCE": ("sequence", "int"), "PRIORITY": ("priority", "int"), "STATUS": ("status", "token"),
    "TRANSP": ("transparency", "token"), "CLASS": ("classification", "token"), "URL": ("url", "uri"),
    "ORGANIZER": ("organizer", "organizer"), "DURATION": ("duration", "duration"),
    "RRULE": ("rrule", "rrule"), "CATEGORIES": ("categories", "list"),
    "EXDATE": ("exdates", "dates"), "RDATE": ("rdates", "dates"),
})
# Named properties whose other parameters (LANGUAGE, ALTREP, RANGE, X-...) a read event keeps.
_PARAMS_KEPT = frozenset({"UID", "SUMMARY", "DESCRIPTION", "LOCATION", "URL", "CATEGORIES", "DTSTART", "DTEND",
                          "RECURRENCE-ID", "DURATION", "RRULE", "STATUS", "PRIORITY", "TRANSP", "CLASS"})
# Valid property names met in nearly every file: no need to match them against _NAME_RE.
_COMMON_PROPS = frozenset({*_EVENT_PROPS, "ATTENDEE", "VERSION", "PRODID", "CALSCALE", "METHOD", "ACTION",
                           "TRIGGER", "REPEAT", "TZID", "TZOFFSETFROM", "TZOFFSETTO", "TZNAME"})


def _calendar_from(reader: _Reader, frame: list | None, items: list, notes: _Notes) -> Calendar:
    """A VCALENDAR frame and its components as a Calendar; VTIMEZONEs are read first."""
    fields: dict[str, Any] = {"method": None, "prodid": None, "name": None}
    extra = []
    version = None
    for name, params, value, ln in (frame[1] if frame else ()):
        if name == "METHOD" and fields["method"] is None and value.strip():
            fields["method"] = value.strip().upper()
            if fields["method"] not in _METHODS and not fields["method"].startswith("X-"):
                notes.warn(f"unknown METHOD {_short(value)!r}", ln)
        elif name == "PRODID" and fields["prodid"] is None:
            fields["prodid"] = reader.text(value, ln)
        elif name == "VERSION" and version is None:
            version = value.strip()
        elif name == "CALSCALE" and value.strip().upper() == "GREGORIAN":
            pass  # the default
        elif name in ("NAME", "X-WR-CALNAME") and fields["name"] in (None, _unescape(value)):
            fields["name"] = reader.text(value, ln)
        else:
            extra.append(reader.prop(name, params, value, ln))
    if frame is not None:
        _check_version(frame, notes)
    items = _flatten(items, notes)
    for item in items:
        if item[0] == "VTIMEZONE":
            reader.add_vtimezone(item)
    events, components, timezones, lines = [], [], [], []
    for item in items:
        if item[0] == "VEVENT":
            events.append(reader.event(item))
            lines.append(item[3])
        elif item[0] == "VTIMEZONE":
            timezones.append(reader.component(item))
        else:
            components.append(reader.component(item))
    _check_overrides(events, lines, notes)
    cal = _raw(Calendar, dict(fields, events=tuple(events), components=tuple(components), extra=tuple(extra),
                              timezones=tuple(timezones), warnings=notes.items))
    cal._as_read = True
    return cal


_OVERRIDE_STEPS = 100_000  # what checking a file's overrides may cost, in days looked at (see _Budget)


def _check_overrides(events: list[Event], lines: list[int], notes: _Notes) -> None:
    """Warn of an event that changes an occurrence (RECURRENCE-ID) its series does not have:
    clients show it beside the series, as an event of its own, and keep the occurrence.

    Each series is walked once, in order of its overrides; one without COUNT jumps to the
    next override far ahead.  Past the budget nothing more is said."""
    series = {ev.uid: ev for ev in events if ev.recurrence_id is None and (ev.rrule or ev.rdates)
              and ev.start is not None and ev.uid is not None}  # (events without UID belong to nothing)
    overrides: dict[str, list] = {}
    for ev, ln in zip(events, lines):
        if ev.recurrence_id is not None and ev.uid in series and ev.status != "CANCELLED":
            overrides.setdefault(ev.uid, []).append((ev.recurrence_id, ln))  # (a cancelled one shows nothing)
    budget = _Budget(_OVERRIDE_STEPS)
    try:
        for uid, wanted in overrides.items():
            _check_series_overrides(series[uid], wanted, budget, notes)
    except _OverBudget:
        pass


def _check_series_overrides(master: Event, wanted: list, budget: _Budget, notes: _Notes) -> None:
    found: list = []
    try:
        _naming_none(master, wanted, budget, found)
    finally:  # (what was found before the budget ran out is said all the same)
        for rid, ln in found:
            notes.warn(f"RECURRENCE-ID {rid} of event {_short(master.uid)!r} names none of its series' "
                       f"occurrences: clients show this event beside the series, not instead of an "
                       f"occurrence", ln, kind="a RECURRENCE-ID that names no occurrence")


def _naming_none(master: Event, wanted: list, budget: _Budget, found: list, excluded_named: bool = True) -> None:
    """Add to ``found`` those of ``wanted``, (RECURRENCE-ID, tag) pairs, that name none of the
    series' occurrences (one its EXDATEs exclude counts as named if ``excluded_named``), found in
    one walk through it; _OverBudget past ``budget``.  A rule that cannot be expanded, or a
    SECONDLY one, names them all."""
    zone = _series_zone(master)
    try:
        parts = _parse_rrule(master.rrule) if master.rrule else {}
        plan = _Plan.of(master)
    except (ValueError, TypeError, OverflowError):  # a rule that cannot be expanded: nothing to say
        return
    if parts.get("FREQ") == "SECONDLY":  # (a window of hours holds too many of its times to walk)
        return
    counted = "COUNT" in parts
    wanted = sorted(((_in_zone(rid, zone), ln) for rid, ln in wanted), key=lambda item: _wall_key(item[0], zone))
    values: Iterator | None = None
    near: list = []  # the series' times from a little before the override being checked on
    last = None
    for rid, ln in wanted:
        try:
            if plan.excludes(rid, _wall_key(_real_time(rid, zone), zone), _instant(rid)) \
                    or not isinstance(rid, datetime) and rid in plan.excluded_days:
                if not excluded_named:
                    found.append((rid, ln))
                continue
            slack = timedelta(hours=3) if isinstance(rid, datetime) else timedelta(days=1)  # a change of clocks
            since, until = rid - slack, rid + slack
            if values is None or not counted and last is not None and _earlier(last, since, zone):
                budget.spend(50)  # (a new walk)
                lo = None if counted or not _earlier(master.start, since, zone) else _bound(since, master.start, "")
                values, near, last = _occurrences(master, plan, lo, None, budget), [], None
            near = [v for v in near if not _earlier(v, since, zone)]
            while last is None or not _earlier(until, last, zone):
                last = next(values, None)
                if last is None:
                    break
                budget.spend(4)
                near.append(last)
        except (ValueError, TypeError, OverflowError):  # past the year 9999, a rule that cannot be expanded
            values, near, last = None, [], None
            continue
        if not any(_same_time(v, rid, zone) for v in near):
            found.append((rid, ln))


def _excluded(value: date | datetime, exdates: Sequence, zone: tzinfo | None) -> bool:
    """Whether a series' EXDATEs exclude ``value``: the same time, or (a DATE) that whole day."""
    day = _wall_key(value, zone).date() if isinstance(value, datetime) else None
    return any(_same_time(x, value, zone) if isinstance(x, datetime) or day is None else x == day for x in exdates)


def _flatten(items: list, notes: _Notes) -> list:
    """A VCALENDAR nested in a VCALENDAR: its components count as the outer one's."""
    out = []
    for item in items:
        if item[0] == "VCALENDAR":
            notes.warn("a VCALENDAR inside a VCALENDAR: its components are read as the outer one's", item[3])
            out.extend(_flatten(item[2], notes))
        else:
            out.append(item)
    return out


def _merge(calendars: list[Calendar], notes: _Notes) -> Calendar:
    if not calendars:
        cal = _raw(Calendar, dict(events=(), components=(), extra=(), timezones=(), warnings=notes.items))
        cal._as_read = True
        return cal
    if len(calendars) == 1:
        return calendars[0]
    first = calendars[0]
    methods = list(dict.fromkeys(c.method for c in calendars if c.method is not None))  # (a part without: a file)
    if len(methods) > 1:
        notes.warn(f"{len(calendars)} VCALENDARs with different METHODs ({', '.join(sorted(methods))}):"
                   f" the first one's applies", notes.whole)
    names = list(dict.fromkeys(c.name for c in calendars if c.name is not None))
    if len(names) > 1:
        shown = ", ".join(repr(_short(n)) for n in names[:3]) + (", ..." if len(names) > 3 else "")
        notes.warn(f"{len(calendars)} VCALENDARs with different names ({shown}): the first one's applies", notes.whole)
    _distinct_tzids(calendars, notes)
    extra, seen, once = [], set(), {}
    for prop in (p for c in calendars for p in c.extra):
        key = (prop.name, prop.value, prop.params)
        if key in seen:  # the same X-WR-TIMEZONE in every part is kept once
            continue
        if prop.name in _CALENDAR_ONCE:
            if prop.name in once:
                notes.warn(f"{len(calendars)} VCALENDARs with different {prop.name} ({_short(once[prop.name])!r}, "
                           f"{_short(str(prop.value))!r}): the first one's applies", notes.whole,
                           f"different {prop.name}")
                continue
            once[prop.name] = str(prop.value)
        seen.add(key)
        extra.append(prop)
    cal = _raw(Calendar, dict(method=methods[0] if methods else None, prodid=first.prodid,
                              name=names[0] if names else None,
                              events=tuple(e for c in calendars for e in c.events),
                              components=tuple(x for c in calendars for x in c.components),
                              extra=tuple(extra), timezones=tuple(t for c in calendars for t in c.timezones),
                              warnings=notes.items))
    cal._as_read = True
    return cal


# Calendar properties a calendar has once (RFC 5545 3.7, RFC 7986 5, and the X-WR- ones by custom).
_CALENDAR_ONCE = frozenset({"CALSCALE", "UID", "URL", "LAST-MODIFIED", "REFRESH-INTERVAL", "SOURCE", "COLOR",
                            "X-WR-TIMEZONE", "X-WR-CALDESC", "X-PUBLISHED-TTL"})


def _distinct_tzids(calendars: list[Calendar], notes: _Notes) -> None:
    """A TZID a later VCALENDAR defines differently gets a name of its own there: ``Custom (2)``.

    Each part's times were read with its own VTIMEZONE; merged into one
    calendar, one TZID could only name one of them.
    """
    names: dict[tuple, str] = {}  # (TZID, definition) -> the TZID it is read as
    used: set[str] = set()
    last: dict[str, int] = {}  # TZID -> the last n of "TZID (n)" given: each part looks on from there
    for cal in calendars:
        renamed: dict[str, str] = {}
        here: set[str] = set()
        for comp in cal.timezones:
            tzid = comp.get("TZID")
            if not isinstance(tzid, str) or tzid in here:  # a part's second definition was ignored
                continue
            here.add(tzid)
            key = (tzid, tuple(map(_component_key, comp.components)))  # the rules; not TZURL, LAST-MODIFIED
            name = names.get(key)
            if name is None:
                name, last[tzid] = _numbered_tzid(tzid, used, last.get(tzid, 1))
                names[key] = name
                used.add(name)
            if name != tzid:
                renamed[tzid] = name
                notes.warn(f"VCALENDARs define TZID {_short(tzid)!r} differently: a later one's is read as "
                           f"{_short(name)!r}", notes.whole, "one TZID defined differently")
        if renamed:
            _rename_tzids(cal, renamed)


def _component_key(comp: Component) -> tuple:
    """A component's content as a hashable value: two equal components have equal keys."""
    return (comp.name, tuple((p.name, p.value, p.params) for p in comp.properties),
            tuple(map(_component_key, comp.components)))


def _rename_tzids(cal: Calendar, renamed: dict[str, str]) -> None:
    """Every use of a TZID in ``renamed`` within ``cal`` (read, so its objects are its own) takes the new name."""
    def params(items: tuple) -> tuple:
        return tuple((k, renamed.get(v, v)) if k == "TZID" and isinstance(v, str) else (k, v) for k, v in items)

    def props(items: Iterable) -> tuple:
        return tuple(_raw(Property, dict(name=p.name, value=renamed.get(p.value, p.value) if p.name == "TZID"
                                         else p.value, params=params(p.params)))
                     if p.name == "TZID" or any(k == "TZID" for k, _ in p.params) else p for p in items)

    def component(comp: Component) -> Component:
        return _raw(Component, dict(name=comp.name, properties=props(comp.properties),
                                    components=tuple(map(component, comp.components))))

    zones = {}
    for ev in cal.events:
        for value in (ev.start, ev.end, ev.recurrence_id, *ev.exdates, *ev.rdates):
            for when in value if isinstance(value, tuple) else (value,):  # an RDATE period is a pair
                tz = getattr(when, "tzinfo", None)
                if isinstance(tz, _VZone) and tz.tzid in renamed:
                    zones[id(tz)] = tz
        ev.extra = props(ev.extra)
        ev.components = tuple(map(component, ev.components))
        ev.alarms = tuple(_raw(Alarm, {**vars(alarm), "extra": props(alarm.extra)}) if alarm.extra else alarm
                          for alarm in ev.alarms)  # as read: not checked again
    for tz in zones.values():
        tz.tzid = renamed[tz.tzid]
        if tz.component is not None:
            tz.component = component(tz.component)
    cal.components = tuple(map(component, cal.components))
    cal.timezones = tuple(map(component, cal.timezones))


def _read_lines(lines: Iterable[str], notes: _Notes, first: int = 1) -> Calendar:
    reader = _Reader(notes)
    calendars: list[Calendar] = []
    items: list = []
    loose: list = []
    for kind, frame in reader.frames(_unfold(lines, first)):
        if kind == "item":
            (items if reader.cal is not None else loose).append(frame)
        elif kind == "begin":
            if loose:
                calendars.append(_loose_calendar(reader, loose, notes))
                loose = []
            reader.begin(frame)
            items = []
        else:
            calendars.append(_calendar_from(reader, frame, items, notes))
            reader.begin(None)
            items = []
    if loose:
        calendars.append(_loose_calendar(reader, loose, notes))
    if not calendars:
        notes.warn("the input holds no calendar data", 1)
    cal = _merge(calendars, notes)
    notes.finish()
    return cal


def _check_version(frame: list, notes: _Notes) -> None:
    version = next((value.strip() for name, _, value, _ in frame[1] if name == "VERSION"), None)
    if version is None:
        notes.warn("VCALENDAR without VERSION", frame[3])
    elif version != "2.0":
        notes.warn(f"VERSION:{version}: read as iCalendar 2.0", frame[3])


def _loose_calendar(reader: _Reader, items: list, notes: _Notes) -> Calendar:
    reader.begin(None)
    return _calendar_from(reader, None, items, notes)


# -- bytes, charsets and e-mail

_SURROGATE_RE = _LazyRegex("[\ud800-\udfff]")
_MAIL_HEADER_RE = _LazyRegex(
    rb"(?:From |(?:Return-Path|Received|From|To|Subject|Date|Message-ID|MIME-Version|Content-Type|"
    rb"Delivered-To|Reply-To|Sender|Thread-Topic|Thread-Index|X-[A-Za-z0-9-]+|DKIM-Signature|"
    rb"Authentication-Results|Content-Class|Importance|Cc)\s*:)", re.IGNORECASE)


_MAIL_CORE_RE = _LazyRegex(rb"(?:From|To|Subject|Date|Message-ID|MIME-Version|Content-Type|Received|Return-Path)"
                           rb"[ \t]*:", re.IGNORECASE)
_MAIL_HEAD = 65536  # bytes read to tell an e-mail from iCalendar: enough for long Received/ARC chains
_HEADER_FIELD_RE = _LazyRegex(rb"[!-9;-~]+[ \t]*:|[ \t]")  # a header field (RFC 5322 2.2), or its continuation
_BLANK_LINE_RE = _LazyRegex(rb"\r?\n\r?\n")


def _looks_like_mail(head: bytes) -> bool:
    """E-mail or iCalendar?  Decided by the content, never the file name.

    A known first header is enough; otherwise the text up to the first blank
    line must be nothing but header fields (whatever their names), none a BEGIN.
    """
    head = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if head[:6].upper() == b"BEGIN:":
        return False
    if _MAIL_HEADER_RE.match(head):
        if b"\n\n" in head or b"\r\n\r\n" in head or len(head) < 200:
            return True
        lines = head.replace(b"\r\n", b"\n").split(b"\n")[:-1]  # (the last may be cut off)
        return all(_HEADER_FIELD_RE.match(x) and x[:6].upper() != b"BEGIN:" for x in lines)  # a 60 kB Subject
    parts = _BLANK_LINE_RE.split(head, 1)
    if len(parts) == 1:
        return False
    lines = parts[0].replace(b"\r\n", b"\n").split(b"\n")
    return all(_HEADER_FIELD_RE.match(x) and x[:6].upper() != b"BEGIN:" for x in lines) and \
        any(_MAIL_CORE_RE.match(x) for x in lines)


_ESCAPED_BYTE_RE = _LazyRegex("[\udc80-\udcff]")


def _cp1252_char(m: re.Match) -> str:
    byte = bytes([ord(m.group()) - 0xDC00])
    try:
        return byte.decode("cp1252")
    except UnicodeDecodeError:  # the five bytes Windows-1252 leaves undefined
        return byte.decode("latin-1")


_SPLIT_FOLD_RE = _LazyRegex(rb"(\r\n|\r|\n)([ \t])([\x80-\xbf]+)")


def _charset_codec(charset: str) -> str:
    """The codec to decode a declared charset with: a latin-1 label is Windows-1252, as mail readers
    take it (Windows writes € and curly quotes so)."""
    if charset.lower().replace("_", "-") in ("iso-8859-1", "iso8859-1", "latin1", "latin-1"):
        return "cp1252"
    return charset


def _utf16_codec(head: bytes) -> str | None:
    """``utf-16`` with a byte order mark, ``utf-16-le`` or ``-be`` without one (a NUL in every other
    byte of ASCII text), else None; and so ``utf-32`` (three NULs in every four bytes)."""
    if head[:4] in (b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff"):
        return "utf-32"
    if len(head) >= 8 and head[0] and head[4] and head[1:4] == head[5:8] == b"\x00\x00\x00":
        return "utf-32-le"
    if len(head) >= 8 and head[3] and head[7] and head[0:3] == head[4:7] == b"\x00\x00\x00":
        return "utf-32-be"
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return "utf-16"
    if len(head) >= 4 and head[1] == head[3] == 0 and head[0] and head[2]:
        return "utf-16-le"
    if len(head) >= 4 and head[0] == head[2] == 0 and head[1] and head[3]:
        return "utf-16-be"
    return None


def _utf16_replacing(data: bytes, codec: str, notes: _Notes, first_line: int) -> str:
    """UTF-16 text; what is no character (half a surrogate pair) becomes U+FFFD, with a warning."""
    try:
        return data.decode(codec)
    except UnicodeDecodeError as exc:
        text = data.decode(codec, "replace")
        before = _split_lines(data[:exc.start].decode(codec, "replace") + "x")  # lines end in CR, LF or both
        notes.warn(f"the {codec[:6].upper()} input holds bytes that are no character ({exc.reason}): read as "
                   f"U+FFFD", first_line + len(before) - 1)
        return text


_UTF7_RUN_RE = _LazyRegex(rb"\+[A-Za-z0-9/]*[A-Za-z/]")  # a UTF-7 run of base64 (not "+0100" of an offset)


def _utf7_differs(data: bytes, text: str) -> bool:
    """Whether ``data`` read as UTF-7 says other than ``text`` (its UTF-8 reading): it has runs of
    UTF-7 (``+AOk-``), not only plus signs of addresses or offsets, which UTF-7 would refuse."""
    try:  # (an offset's "+0100" is a plus sign to a UTF-7 writer too: "+-0100")
        return _PLUS_DIGIT_RE.sub(rb"+-\1", data).decode("utf-7") != text
    except UnicodeDecodeError:
        return False


_PLUS_DIGIT_RE = _LazyRegex(rb"\+([0-9])")


def _decode_bytes(data: bytes, charset: str | None, notes: _Notes, first_line: int = 1) -> str:
    """UTF-8; else the declared charset; else Windows-1252 per line, with a warning."""
    utf16 = _utf16_codec(data)
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    elif utf16 == "utf-16":  # with a byte order mark
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            if len(data) % 2 and _utf16_codec(data[2:]):  # UTF-16 that lost its last byte
                notes.warn("the UTF-16 input ends in half a character: dropped", first_line)
                return data[:-1].decode("utf-16", "replace")
            if _utf16_codec(data[2:]):
                return _utf16_replacing(data, "utf-16", notes, first_line)
            # else a BOM in front of something else: read on as bytes
    elif utf16 == "utf-32":  # with a byte order mark
        return _utf16_replacing(data, utf16, notes, first_line)
    elif utf16:
        notes.warn(f"the input is {utf16.upper()} without a byte order mark", first_line)
        return _utf16_replacing(data, utf16, notes, first_line)
    label = charset.lower().replace("_", "-") if charset else ""
    if b"\x1b" in data and label.startswith(("iso-2022", "iso2022", "csiso2022")):  # 7-bit: UTF-8 too
        try:
            return data.decode(label)
        except (LookupError, ValueError):
            pass
    try:
        text = data.decode("utf-8")
        if label in ("utf-7", "unicode-1-1-utf-7") and _UTF7_RUN_RE.search(data) and _utf7_differs(data, text):
            notes.warn(f"the input declares the charset {charset!r}, which is not read: read as UTF-8", first_line)
        return text
    except UnicodeDecodeError:
        pass
    # A fold in the middle of a UTF-8 character (a writer that counted characters wrongly):
    # move the character's continuation bytes before the line end, which keeps the line count.
    mended = _SPLIT_FOLD_RE.sub(rb"\3\1\2", data)
    if mended != data:
        try:
            text = mended.decode("utf-8")
            m = _SPLIT_FOLD_RE.search(data)
            notes.warn("a line is folded inside a UTF-8 character: joined",
                       first_line + data.count(b"\n", 0, m.start()))
            return text
        except UnicodeDecodeError:
            data = mended
    if charset and charset.lower().replace("_", "-") not in ("utf-8", "utf8", "us-ascii"):
        try:
            text = data.decode(_charset_codec(charset))
            if not _SURROGATE_RE.search(text):  # codecs like unicode_escape can make lone surrogates
                return text
        except (LookupError, ValueError):  # unknown or malformed charset names, undecodable bytes
            pass
    out = []
    warned = False
    for n, raw in enumerate(data.split(b"\n"), first_line):
        try:
            out.append(raw.decode("utf-8"))
        except UnicodeDecodeError:
            if not warned:
                said = f"does not decode as its charset {charset!r}" if charset else "declares no charset"
                notes.warn(f"the input is not UTF-8 and {said}: read as Windows-1252", n)
                warned = True
            # byte by byte: what is UTF-8 in the line stays so (text already decoded once, given back as str)
            out.append(_ESCAPED_BYTE_RE.sub(_cp1252_char, raw.decode("utf-8", "surrogateescape")))
    return "\n".join(out)


_MIME_HEADER_RE = _LazyRegex(rb"(?im)^content-(?:type|disposition)[ \t]*:[^\n]*(?:\n[ \t][^\n]*)*")
_MIME_HEADER_MAX = 16384  # bytes: real ones hold a type, a charset, a method and a file name
_CALENDAR_TYPES = frozenset({"text/calendar", "application/ics", "text/x-vcalendar", "application/x-ics",
                             "application/calendar", "application/x-ical"})
_CALENDAR_FILES = (".ics", ".vcs", ".ical", ".icalendar")


def _mail_calendars(data: bytes, notes: _Notes, depth: int = 0) -> list[tuple[bytes, str | None, str | None]]:
    """The calendar parts of an e-mail: text/calendar, application/ics, ``*.ics`` attachments,
    also those of a forwarded e-mail attached to it; each as (bytes, charset, method=).

    Identical copies (the text/calendar part and its ``invite.ics`` twin)
    count once, with the method= either says.
    """
    import email
    import email.policy
    data = _closed_forwards(data)
    for long in _MIME_HEADER_RE.finditer(data):  # the email package reads parameters in quadratic time
        if len(long.group()) > _MIME_HEADER_MAX:
            raise ParseError(f"the e-mail's {long.group().split(b':', 1)[0].decode('ascii')} header is "
                             f"{len(long.group()):,} bytes long: not read", data.count(b"\n", 0, long.start()) + 1)
    try:
        msg = email.message_from_bytes(data, policy=email.policy.compat32)
        parts = list(msg.walk())
    except RecursionError:
        raise ParseError("the e-mail's MIME parts are nested too deeply to read", 1) from None
    found, seen, kinds = [], {}, set()
    inner = None
    for part in parts:
        try:
            ctype = part.get_content_type()
            kinds.add(ctype)
            if ctype.endswith("pkcs7-mime") and str(part.get_param("smime-type") or "").lower() == "signed-data":
                kinds.add("signed-data")  # (signed in one opaque part, not encrypted)
            filename = (part.get_filename() or part.get_param("name") or "")
            filename = _decoded_words(filename).lower() if isinstance(filename, str) else ""
            kinds.add(filename)
            attached = None if ctype in _CALENDAR_TYPES else _attached_mail(part, ctype, filename)
            if attached is not None:  # a forwarded invitation the email package did not open
                if depth >= 8:
                    inner = "forwarded e-mails are nested more than 8 deep here: the innermost are not read"
                elif _looks_like_mail(attached[:_MAIL_HEAD]):
                    try:
                        found.extend(_mail_calendars(attached, notes, depth + 1))
                    except ParseError as exc:
                        inner = exc.msg  # why the forwarded mail has none: said if nothing else is
                continue
            if part.is_multipart() or (ctype not in _CALENDAR_TYPES and not filename.endswith(_CALENDAR_FILES)):
                continue
            payload = part.get_payload(decode=True)
            charset = part.get_content_charset()
            method = part.get_param("method") if ctype in _CALENDAR_TYPES else None
            method = method.strip().upper() if isinstance(method, str) and method.strip() else None
        except (ValueError, LookupError) as exc:  # headers the email package cannot read (a NUL, ...)
            notes.warn(f"an e-mail part could not be read: {exc}", 1)
            continue
        if not payload:
            continue
        found.append((payload, charset, method))
    unique: list[tuple[bytes, str | None, str | None]] = []
    for payload, charset, method in found:
        key = payload.replace(b"\r\n", b"\n").strip()
        if key not in seen:
            seen[key] = len(unique)
            unique.append((payload, charset, method))
        elif method is not None and unique[seen[key]][2] is None:  # the invite.ics twin came first
            unique[seen[key]] = (*unique[seen[key]][:2], method)
    if not unique:
        message = _no_calendar_part(kinds)
        raise ParseError(inner if inner and message.endswith("attachment)") else message, 1)
    return unique


def _decoded_words(text: str) -> str:
    """A file name in RFC 2047 encoded words, as Outlook and Gmail write a non-ASCII one, decoded.

    >>> _decoded_words("=?utf-8?q?R=C3=A9union.ics?=")
    'Réunion.ics'
    """
    if "=?" not in text:
        return text
    import email.header
    try:
        return str(email.header.make_header(email.header.decode_header(text)))
    except (ValueError, LookupError, UnicodeDecodeError):  # a malformed word, an unknown charset: as written
        return text


_FORWARD_TYPE_RE = _LazyRegex(rb"(?im)^Content-Type:[ \t]*(?:\r?\n[ \t]+)?message/rfc822\b")
_QP_ENCODING_RE = _LazyRegex(rb"(?im)^Content-Transfer-Encoding:[ \t]*(?:\r?\n[ \t]+)?quoted-printable\b")
_BLANK_OR_BOUNDARY_RE = _LazyRegex(rb"\n\r?\n|\n--")
_FORWARD_QP_TYPE = "application/x-icsmail-forward"  # what such a part is read as (see _closed_forwards)
_HEADER_BLOCK = 8192  # bytes looked at either side of a Content-Type for the rest of its part's headers


def _closed_forwards(data: bytes) -> bytes:
    """``data`` with each message/rfc822 part in quoted-printable (RFC 2046 forbids it; some
    mailers write it) typed as an attachment: the email package would read the encoded text
    as a mail, and a header it soft-broke ends that mail's headers.  _attached_mail decodes it.
    The first 100 such parts are looked at, each within the few kB of its header block."""
    if b"rfc822" not in data and b"RFC822" not in data:  # (the usual mail: one quick look)
        return data
    pieces, done = [], 0
    for n, m in enumerate(_FORWARD_TYPE_RE.finditer(data)):
        if n >= 100:
            break
        lo = max(0, m.start() - _HEADER_BLOCK)
        before = [b.end() for b in _BLANK_OR_BOUNDARY_RE.finditer(data, lo, m.start())]
        after = _BLANK_OR_BOUNDARY_RE.search(data, m.end(), m.end() + _HEADER_BLOCK)
        start, end = (before[-1] if before else lo), (after.start() if after else m.end() + _HEADER_BLOCK)
        if _QP_ENCODING_RE.search(data, start, end):
            pieces += [data[done:m.start()], b"Content-Type: " + _FORWARD_QP_TYPE.encode()]
            done = m.end()
    return b"".join(pieces) + data[done:] if pieces else data


def _attached_mail(part: Any, ctype: str, filename: str) -> bytes | None:
    """The bytes of an e-mail attached in ``part`` that the email package left closed, or None:
    a message/rfc822 part with a transfer encoding (which RFC 2046 forbids, and some mailers
    write: base64 here, quoted-printable as _closed_forwards typed it), and a ``.eml`` file
    attached as octet-stream."""
    encoding = part.get("Content-Transfer-Encoding", "").strip().lower() if ctype == "message/rfc822" else ""
    if encoding in ("base64", "quoted-printable") and part.is_multipart():
        import base64
        import quopri
        inner = part.get_payload(0)
        if encoding == "base64":  # (no header: the text is all body)
            body = inner.get_payload()
            try:
                return base64.b64decode(body.encode("ascii", "replace")) if isinstance(body, str) else None
            except ValueError:
                return None
        try:  # what _closed_forwards did not find: its headers were read as headers, the rest as body
            return quopri.decodestring(inner.as_bytes())
        except (ValueError, LookupError, UnicodeError):
            return None
    if ctype == _FORWARD_QP_TYPE and not part.is_multipart():  # (a folded encoding header the email package
        import quopri  # would not take for quoted-printable)
        body = part.get_payload()
        return quopri.decodestring(body.encode("ascii", "surrogateescape")) if isinstance(body, str) else None
    if not part.is_multipart() and (filename.endswith(".eml") or ctype == "message/rfc822"):
        payload = part.get_payload(decode=True)
        return payload if isinstance(payload, bytes) else None
    return None


def _no_calendar_part(kinds: set) -> str:
    """Why an e-mail gives no calendar, said so that the reader knows what to do."""
    if kinds & {"application/ms-tnef", "application/vnd.ms-tnef", "winmail.dat"}:
        return ("the e-mail has no calendar part, only a winmail.dat (TNEF) that Outlook alone reads: ask the "
                "sender to send the invitation in Internet (iCalendar) format")
    if "application/vnd.ms-outlook" in kinds or any(kind.endswith(".msg") for kind in kinds):
        return ("the e-mail has no calendar part, only an Outlook .msg attachment that Outlook alone reads: "
                "open it in Outlook and forward the invitation, or ask for it in iCalendar format")
    if "signed-data" in kinds:
        return ("the e-mail is signed S/MIME in one opaque part (smime-type=signed-data): take the message "
                "out of its signature first (as openssl smime -verify does), then read the calendar in it")
    if kinds & {"application/pkcs7-mime", "application/x-pkcs7-mime", "multipart/encrypted"}:
        return "the e-mail is encrypted (S/MIME or PGP): decrypt it first, then read the calendar in it"
    return "the e-mail has no calendar part (text/calendar, application/ics or an .ics attachment)"


def _wide_mail(data: bytes) -> bytes:
    """An e-mail saved as UTF-16 or UTF-32 (PowerShell's ``>`` writes UTF-16) as the bytes it
    was; anything else as it is."""
    codec = _utf16_codec(data[:8])
    if codec is None:
        return data
    try:
        text = data.decode(codec).lstrip("\ufeff")
    except UnicodeDecodeError:
        return data
    mail = text[:_MAIL_HEAD].encode("utf-8", "replace")
    return text.encode("utf-8", "surrogateescape") if _looks_like_mail(mail) else data


def _source_text(data: str | bytes, notes: _Notes) -> list[tuple[str]]:
    """The iCalendar texts in ``data``: itself, or the calendar parts of an e-mail."""
    if isinstance(data, str):
        head = data[:_MAIL_HEAD].lstrip("\ufeff \t\r\n")
        mail = head[:6].upper() != "BEGIN:" and _looks_like_mail(head.encode("utf-8", "replace"))
        if mail or _SURROGATE_RE.search(data):  # lone surrogates: text decoded with surrogateescape
            try:
                data = data.encode("utf-8", "surrogateescape")
            except UnicodeEncodeError:
                data = data.encode("utf-8", "surrogatepass")
        else:
            return [data[1:] if data.startswith("\ufeff") else data]
    if isinstance(data, (bytearray, memoryview)):
        data = bytes(data)
    if not isinstance(data, bytes):
        raise TypeError(f"expected str or bytes, not {type(data).__name__}")
    _refuse_foreign(data[:8])
    data = _emlx_message(_wide_mail(data))
    if _looks_like_mail(data[:_MAIL_HEAD]):
        notes.mail = True
        data = data.lstrip(b"\xef\xbb\xbf \t\r\n")  # (a BOM or a blank line before the headers: no header)
        messages = _mbox_messages(data)
        if len(messages) == 1:
            parts = _mail_calendars(data, notes)
            texts = []
            for n, (payload, charset, _) in enumerate(parts):
                notes.reading(n, len(parts))  # (a warning of its charset names the part its line is in)
                texts.append(_decode_bytes(payload, charset, notes))
            notes.where = ""
            notes.part_methods = [method for _, _, method in parts]
            return texts
        texts, reasons = [], []
        for message in messages:  # an mbox: the calendars of each message that has some
            try:
                parts = _mail_calendars(message, notes)
            except ParseError as exc:
                reasons.append(str(exc.args[0]))
                continue
            texts.extend(_decode_bytes(payload, charset, notes) for payload, charset, _ in parts)
            notes.part_methods.extend(method for _, _, method in parts)
        if not texts:
            raise ParseError(f"none of the mbox's {len(messages)} messages has a calendar ({reasons[0]})", 1)
        return texts
    return [_decode_bytes(data, None, notes)]


# A message's envelope line in an mbox: "From sender Mon Jan  5 09:00:00 2026" (a weekday, a date, a time
# and a year, which a paragraph of a body beginning "From Monday 1 Dec 09:00 to ... 2026" has not).
_MBOX_FROM = (rb"From [^\s:]{1,300} +[A-Za-z]{3},? +(?:[A-Za-z]{3} +[0-9]{1,2}|[0-9]{1,2} +[A-Za-z]{3}) "
              rb"[^\r\n]{0,40}?[0-9]{1,2}:[0-9]{2}[^\r\n]{0,100}?[0-9]{4}[^\r\n]*(?:\r*\n|\r)")
_MBOX_START_RE = _LazyRegex(_MBOX_FROM)
_MBOX_FROM_RE = _LazyRegex(rb"(?:\A|\r?\n\r?\n)" + _MBOX_FROM)


def _mbox_messages(data: bytes) -> list[bytes]:
    """The messages of an mbox file (each after its ``From `` line); one e-mail is itself alone."""
    if not _MBOX_START_RE.match(data):
        return [data]
    return [message for message in _MBOX_FROM_RE.split(data) if message.strip()] or [data]


_FOREIGN_FILES = (  # (magic, what it is and what to do)
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an Outlook .msg file, not iCalendar or an e-mail: save the invitation "
                                          "as .ics, or the mail as .eml"),
    (b"\x78\x9f\x3e\x22", "a winmail.dat (TNEF) file that Outlook alone reads: ask the sender for the invitation "
                          "in Internet (iCalendar) format"),
)


def _refuse_foreign(head: bytes) -> None:
    for magic, what in _FOREIGN_FILES:
        if head.startswith(magic):
            raise ParseError(what, 1)


def _emlx_message(data: bytes) -> bytes:
    """The e-mail in Apple Mail's .emlx (its length on the first line, a plist after it); else ``data``."""
    first, sep, _ = data[:24].partition(b"\n")
    if not (sep and first.strip().isdigit()):
        return data
    message = data[len(first) + 1:]
    return message[:int(first.strip())] if _looks_like_mail(message[:_MAIL_HEAD]) else data


def loads(data: str | bytes, *, strict: bool = False) -> Calendar:
    """Read iCalendar text, or an e-mail carrying it, into a Calendar.

    Bytes are UTF-8, else the charset a MIME part declares, else Windows-1252
    (with a warning).  Fatal problems raise ParseError with the line number;
    deviations real exports make are accepted and listed in
    ``calendar.warnings``; ``strict=True`` makes them errors.

    >>> cal = loads("BEGIN:VCALENDAR\\nVERSION:2.0\\nBEGIN:VEVENT\\nUID:1\\nDTSTAMP:20260101T000000Z\\n"
    ...             "DTSTART;TZID=W. Europe Standard Time:20261201T100000\\nSUMMARY:a\\\\, b\\n"
    ...             "END:VEVENT\\nEND:VCALENDAR\\n")
    >>> ev = cal.events[0]; ev.summary, ev.start.tzinfo.key
    ('a, b', 'Europe/Berlin')
    """
    notes = _Notes(strict)
    with _CollectorPaused():
        texts = _source_text(data, notes)
        calendars, failed = [], []
        for n, text in enumerate(texts):
            notes.reading(n, len(texts))
            try:
                calendars.append(_read_lines(_split_lines(text), notes))
            except ParseError as exc:
                failed.append(notes.placed(exc))
                continue
            said = notes.part_method()  # (an invite.ics twin attached without method= says nothing)
            if said is not None:  # its METHOD and its part's method=
                _mime_method(calendars[-1], said, notes)
        notes.where = ""
        _left_out(failed, bool(calendars), len(texts), notes)
        cal = calendars[0] if len(calendars) == 1 else _merge_mail(calendars, notes)
    return cal


def _mime_method(cal: Calendar, said: str, notes: _Notes) -> None:
    """Check a calendar's METHOD against its e-mail part's ``method=`` (RFC 6047 2.4: the two are one),
    and take that when the calendar has none and its events fit it."""
    if said == cal.method:
        return
    if cal.method is not None:
        notes.warn(f"the e-mail's Content-Type says method={said}, the calendar METHOD:{cal.method}: "
                   f"read as METHOD:{cal.method}", 0)
        return
    try:
        method = _token(said, _METHODS, "method")
        _check_method(cal, method)
    except (ValueError, TypeError) as exc:
        notes.warn(f"the calendar has no METHOD, and its events do not fit the method={said} of the e-mail's "
                   f"Content-Type ({exc}): read without", 0)
        return
    notes.warn(f"the calendar has no METHOD; the e-mail's Content-Type says method={said}: read as its "
               f"METHOD (and written so)", 0)
    cal.method = method


class _CollectorPaused:
    """The cyclic garbage collector switched off for a while, and back on unless it was off before.

    Reading a calendar makes many objects that live on and no reference cycles: every
    collection their number triggers would only walk the growing result again (a quarter
    of the time it takes to read a large file, more in a program holding many objects).
    """

    def __enter__(self) -> None:
        self.was_on = gc.isenabled()
        gc.disable()

    def __exit__(self, *exc: Any) -> None:
        if self.was_on:
            gc.enable()


def _merge_mail(calendars: list[Calendar], notes: _Notes) -> Calendar:
    """Several calendar parts of one mail: one calendar, the same event counted once, and a
    warning when the parts hold different versions of one event."""
    chosen: dict[tuple, Event] = {}  # each event once: of copies stamped apart, the later (RFC 5546 2.1.5)
    for cal in calendars:
        for ev in cal.events:
            key = _mail_event_key(ev)
            have = chosen.setdefault(key, ev)
            if have is ev:
                continue
            if not _same_but_stamp(have, ev):
                notes.warn(f"the e-mail's parts hold event {_short(str(ev.uid))!r} in two versions of SEQUENCE "
                           f"{ev.sequence}, stamped apart: the later one counts", 0)
            if _version(ev) > _version(have):
                chosen[key] = ev
    events = list(chosen.values())
    merged = _merge(calendars, notes)
    merged.events = tuple(events)
    versions: dict[tuple, set] = {}
    for ev in events if merged.method != "REPLY" else ():  # (replies of several attendees are no versions)
        if ev.uid is not None:
            versions.setdefault((ev.uid, ev.recurrence_id), set()).add(ev.sequence)
    for (uid, _), numbers in versions.items():
        if len(numbers) > 1:
            notes.warn(f"the e-mail's parts hold event {_short(uid)!r} in several versions (SEQUENCE "
                       f"{', '.join(map(str, sorted(numbers)))}): the latest is the one that counts", 0)
    return merged


def _same_but_stamp(one: Event, other: Event, *, but: Container[str] = ("dtstamp",)) -> bool:
    """Whether two copies of an event say the same but for their DTSTAMP (the fields ``but`` names)."""
    return all(getattr(one, f.name) == getattr(other, f.name) for f in _fields(Event)
               if f.compare and f.name not in but)


def _version(ev: Event) -> tuple:
    """What orders versions of one event (RFC 5546 2.1.5): SEQUENCE, then DTSTAMP."""
    stamp = ev.dtstamp
    return ev.sequence, _fmt_utc(stamp) if isinstance(stamp, datetime) and stamp.utcoffset() is not None else ""


def load(source: Any, *, strict: bool = False) -> Calendar:
    """Read a path, or a binary or text file, holding iCalendar text or an e-mail.  Bytes,
    and text of more than one line, are that content itself, as ``iter_events`` takes them.

    >>> load(io.BytesIO(b"BEGIN:VCALENDAR\\r\\nVERSION:2.0\\r\\nEND:VCALENDAR\\r\\n")).events
    ()
    """
    if isinstance(source, (bytes, bytearray)) or isinstance(source, str) and ("\n" in source or "\r" in source):
        return loads(source, strict=strict)
    with _Opened(source, "rb") as f:
        data = f.read()
    return loads(data, strict=strict)


_CHUNK = 1 << 18  # bytes read at a time: with their text (up to 4 bytes a character) and lines, a few MB


def _logical_line_start(block: bytes) -> int:
    """Where the last line of ``block`` that is not a fold's continuation starts, or -1.

    A chunk is decoded up to there, so a fold and the line it continues are
    decoded together (a writer may fold inside a UTF-8 character).  A line end
    that is the last byte is passed over: what follows it is not known yet.

    >>> _logical_line_start(b"A:1\\r\\nB:2\\r\\n 3\\r\\nC"), _logical_line_start(b"A:1\\r\\n 2")
    (14, -1)
    """
    newline = b"\n" if b"\n" in block else b"\r"  # CR alone ends lines only where no LF does
    end = len(block) - 1
    while True:
        cut = block.rfind(newline, 0, end)
        if cut < 0:
            return -1
        if block[cut + 1] not in b" \t":
            return cut + 1
        end = cut


def _stream_lines(f: Any, notes: _Notes) -> Iterator[str]:
    """Physical lines of a binary file, read in chunks: memory stays bounded by the longest line."""
    pending: list[bytes] = []
    lineno = 1
    first = True
    while True:
        block = f.read(_CHUNK)
        if not block:
            break
        if first:
            first = False
            if block.startswith(b"\xef\xbb\xbf"):
                block = block[3:]
        cut = _logical_line_start(block)
        if cut < 0:
            pending.append(block)
            continue
        head = b"".join(pending) + block[:cut] if pending else block[:cut]
        pending = [block[cut:]]
        lines = _split_lines(_decode_bytes(head, None, notes, lineno))
        lineno += len(lines)
        yield from lines
    tail = b"".join(pending)
    if tail:
        yield from _split_lines(_decode_bytes(tail, None, notes, lineno))


def iter_events(source: Any, *, strict: bool = False, warnings: list | None = None) -> Iterator[Event]:
    """Events of a path, file, text or bytes, one at a time, in constant memory.

    An event whose TZID is defined by a VTIMEZONE further down is held back
    until that VTIMEZONE is read.  Warnings are appended to ``warnings`` when
    a list is given.

    >>> [ev.summary for ev in iter_events(io.BytesIO(b"BEGIN:VEVENT\\nUID:1\\nSUMMARY:Hi\\nEND:VEVENT\\n"))]
    ['Hi']
    """
    notes = _Notes(strict, warnings)
    if isinstance(source, (bytes, bytearray)) or isinstance(source, str) and ("\n" in source or "\r" in source):
        return _mail_events(source, notes)
    return _iter_file(source, notes)


def _iter_file(source: Any, notes: _Notes) -> Iterator[Event]:
    with _Opened(source, "rb") as f:
        if isinstance(f, io.TextIOBase):  # read line by line: memory stays bounded by the longest line
            first: list[str] = []
            size = 0
            while size < _MAIL_HEAD and (not first or first[-1]):
                first.append(f.readline())
                size += len(first[-1])
            if _looks_like_mail("".join(first).encode("utf-8", "replace")):  # as load() reads it
                yield from _mail_events("".join(first) + f.read(), notes)  # _source_text turns it into bytes
                return
            lines = (line for chunk in itertools.chain(first, f) for line in _split_lines(chunk))
            yield from _iter_lines(lines, notes)
            return
        head = f.read(_MAIL_HEAD)
        _refuse_foreign(head)
        rest = _Chained(head, f)
        if _looks_like_mail(head) or _utf16_codec(head) or _emlx_message(head) is not head:  # read whole
            yield from _mail_events(head + f.read(), notes)
        else:
            yield from _iter_lines(_stream_lines(rest, notes), notes)


def _mail_events(data: str | bytes, notes: _Notes) -> Iterator[Event]:
    """The events of a mail (or of a file read whole); an event in two parts (the usual
    text/calendar and its invite.ics twin) once; a part that cannot be read is left out,
    with a warning, when another can."""
    texts = _source_text(data, notes)
    seen = set()
    failed, read = [], 0
    for n, text in enumerate(texts):
        notes.reading(n, len(texts))
        try:
            for ev in _iter_lines(_split_lines(text), notes):
                if len(texts) > 1:  # the usual text/calendar part and its invite.ics twin: once (a
                    key = _mail_event_key(ev, stamped=True)  # copy stamped apart may be the later: both)
                    if key in seen:
                        continue
                    seen.add(key)
                yield ev
            read += 1
        except ParseError as exc:
            if len(texts) == 1:
                raise notes.placed(exc) from None
            failed.append(notes.placed(exc))
    notes.where = ""
    _left_out(failed, bool(read), len(texts), notes)


def _left_out(failed: list[ParseError], read: bool, parts: int, notes: _Notes) -> None:
    """The calendars of a mail's ``parts`` that could not be read: the first one's error when
    none could, else a warning for each (one broken .ics attachment beside the invitation)."""
    if failed and not read:
        raise failed[0]
    for exc in failed:
        notes.warn(f"one of the e-mail's {parts} calendars cannot be read ({exc}): read without it", 0)


def _mail_event_key(ev: Event, stamped: bool = False) -> tuple:
    """What tells two copies of one event apart from two events, in the parts of one mail:
    its UID, SEQUENCE and attendees (two replies stamped in one second are two; copies
    stamped a second apart are one, unless ``stamped``: a stream cannot wait to keep the
    later), or without a UID what it says (two events then differ in something)."""
    if ev.uid is not None:  # (the attendees tell two replies apart; copies list theirs in any order)
        people = tuple(sorted(a.email.lower() for a in ev.attendees))
        return (ev.uid, ev.recurrence_id, ev.sequence, people) + ((ev.dtstamp,) if stamped else ())
    key = (None, ev.summary, ev.description, ev.location, ev.start, ev.end, ev.duration, ev.rrule,
           ev.recurrence_id, ev.sequence, ev.dtstamp, tuple(a.email for a in ev.attendees))
    try:
        hash(key)
        return key
    except (TypeError, ValueError, OverflowError):  # a time no hash can take: kept, never merged away
        return (None, id(ev))


class _Chained:
    """A binary file whose first bytes were already read."""

    def __init__(self, head: bytes, f: Any) -> None:
        self.head, self.f = head, f

    def read(self, size: int) -> bytes:
        if self.head:
            head, self.head = self.head, b""
            return head + self.f.read(max(size - len(head), 0))
        return self.f.read(size)


_MAX_HELD = 1000  # events a stream holds back while waiting for a VTIMEZONE further on


def _iter_lines(lines: Iterable[str], notes: _Notes) -> Iterator[Event]:
    reader = _Reader(notes, streaming=True)
    held: list = []
    seen = False
    for kind, frame in reader.frames(_unfold(lines)):
        seen = True
        if kind == "begin":
            yield from _release(reader, held)  # events before any VCALENDAR: read with what they had
            reader.begin(frame)
            held = []
        elif kind == "item":
            for item in _flatten([frame], notes):
                if item[0] == "VTIMEZONE":
                    tzid = reader.add_vtimezone(item)
                    waiting = [h for h in held if h[1] == tzid]  # only those: a retry parses an event again
                    if waiting:
                        held = [h for h in held if h[1] != tzid]
                        for ev_frame, _ in waiting:
                            yield from _try_event(reader, ev_frame, held)
                elif item[0] == "VEVENT":
                    yield from _try_event(reader, item, held)
                    if len(held) > _MAX_HELD:  # memory stays bounded: read them with what is known now
                        tzids = sorted({tzid for _, tzid in held})
                        notes.warn(f"{len(held)} events wait for the VTIMEZONE of {', '.join(map(repr, tzids[:3]))}, "
                                   f"which has not come: they are read without it (streaming holds no more; "
                                   f"load() would wait)", held[0][0][3])
                        yield from _release(reader, held)
                        held = []
        else:
            yield from _release(reader, held)
            reader.late_x_wr_timezone()
            reader.late_version()
            _check_version(frame, notes)
            reader.begin(None)
            held = []
    yield from _release(reader, held)
    if not seen:
        notes.warn("the input holds no calendar data", 1)  # (as load() says)
    notes.finish()


def _release(reader: _Reader, held: list) -> Iterator[Event]:
    """The events held back for a VTIMEZONE that has not come, read with what is known now."""
    if held:
        reader.final = True
        for ev_frame, _ in held:
            yield reader.event(ev_frame)
        reader.final = False


def _try_event(reader: _Reader, frame: list, held: list) -> Iterator[Event]:
    try:
        event = reader.event(frame)
    except _Pending as waiting:
        held.append((frame, waiting.args[0]))  # with the TZID it waits for
        return
    yield event


# --------------------------------------------------------------------------
# 7. iTIP operations (RFC 5546): update, cancel, reply, apply a reply
# --------------------------------------------------------------------------

# RFC 5546 2.1.4: changing these must raise SEQUENCE (LOCATION too: a new place
# puts the attendees' answers in question).
_SIGNIFICANT = ("start", "end", "duration", "rrule", "rdates", "exdates", "status", "location")
_TIMING = ("start", "end", "duration", "rrule", "rdates")  # what makes earlier answers void
# What to do instead, when apply_reply is given another kind of message (RFC 5546 3.2).
_NOT_A_REPLY = MappingProxyType({
    "COUNTER": " (a counter-proposal: to take it, send update(event, start=..., ...) as a REQUEST)",
    "REFRESH": " (an attendee asks for the latest version: send them build_message(event))",
    "REQUEST": " (an invitation: answer it with reply(event, attendee, 'accept'))",
    "CANCEL": " (use apply_cancel)",
})
_REPLY_WORDS = MappingProxyType({
    "ACCEPT": "ACCEPTED", "ACCEPTED": "ACCEPTED", "DECLINE": "DECLINED", "DECLINED": "DECLINED",
    "TENTATIVE": "TENTATIVE", "MAYBE": "TENTATIVE", "DELEGATED": "DELEGATED",
})


def _check_sent_as(item: Any, method: str, why: str = "", hints: Mapping[str, str] = MappingProxyType({})) -> None:
    """Refuse a Calendar of another METHOD than ``method``, or an event read from one."""
    if isinstance(item, Calendar):
        said, what = item.method, "the calendar is"
    else:
        said, what = getattr(item, "_method", None), "the event came in"
    if said is not None and said != method:
        raise ValueError(f"{what} a {said}, not a {method}{why}{hints.get(said, '')}")


def _same_address(a: str, b: str) -> bool:
    return a.strip().lower() == b.strip().lower()


def _each_once(items: Iterable[Any], key: Callable[[Any], str] = str) -> list:
    """``items`` without a second spelling of an address already there (compared ignoring case).

    >>> _each_once(["bob@example.com", "carol@example.com", "BOB@example.com"])
    ['bob@example.com', 'carol@example.com']
    """
    seen: set[str] = set()
    out = []
    for item in items:
        address = key(item).strip().lower()
        if address not in seen:
            seen.add(address)
            out.append(item)
    return out


def _an_event(value: Any, what: str) -> None:
    """TypeError unless ``value`` is an Event: a Calendar read from a file names which of its events to take."""
    if not isinstance(value, Event):
        hint = ": give one of its events (calendar.events[0], or the one with the UID meant)" \
            if isinstance(value, Calendar) else ""
        raise TypeError(f"{what}() takes an Event, not {type(value).__name__}{hint}")


def update(event: Event, **changes: Any) -> Event:
    """The next version of an event, to send as a REQUEST: same UID, fresh DTSTAMP.

    SEQUENCE goes up by one when a significant property changes (RFC 5546
    2.1.4: times, recurrence, status, location), unless ``sequence`` is given.
    A new ``start`` alone keeps the event's length, and moves a series with
    it: its RDATEs, its RRULE's UNTIL, the rule's days and hours (BYDAY=MO
    becomes TU when a Monday start moves to a Tuesday; 2TU, BYMONTHDAY,
    BYMONTH and BYHOUR alike; BYDAY=MO,WE stays), and its EXDATEs (each to the occurrence that
    took the place of the one it excluded; times or days when the start turns from a day to a
    time or back).  ``rrule=None`` on a series without RDATEs drops its EXDATEs.  A change of time asks
    every attendee again (PARTSTAT=NEEDS-ACTION, RSVP=TRUE), unless
    ``attendees`` is given: their answers were for the old time.

    >>> ev = Event("Sync", datetime(2026, 12, 1, 10, tzinfo=UTC), uid="s1", organizer="a@example.com",
    ...            end=datetime(2026, 12, 1, 10, 30, tzinfo=UTC))
    >>> later = update(ev, start=datetime(2026, 12, 1, 11, tzinfo=UTC))
    >>> later.sequence, later.end.time()
    (1, datetime.time(11, 30))
    >>> update(ev, description="agenda attached").sequence
    0

    ``recurrence_id`` on a series changes that one occurrence (give its
    original start): the result is the occurrence, changed, to send with or
    after the series (an override).
    """
    _an_event(event, "update")
    if changes.get("recurrence_id") is not None and event.recurrence_id is None:
        occurrence = replace(event, **_occurrence(event, changes.pop("recurrence_id"), "update"))
        _keep_params(event, occurrence)
        event = occurrence  # what the changes are made to, and compared with
    elif "recurrence_id" in changes and _differs(changes["recurrence_id"], event.recurrence_id):
        raise ValueError(f"recurrence_id {changes['recurrence_id']}: event {event.uid!r} is already the occurrence "
                         f"{event.recurrence_id}; an occurrence keeps the RECURRENCE-ID it changes (change the "
                         f"series' occurrence with update(series, recurrence_id=...))")
    if "end" in changes and "duration" not in changes:
        changes["duration"] = None
    elif "duration" in changes and "end" not in changes:
        changes["end"] = None
    elif "start" in changes and "end" not in changes and event.start is not None and event.end is not None:
        changes["end"] = _moved_end(event.start, event.end, changes["start"])
    if "rrule" in changes and not changes["rrule"] and event.rrule and "exdates" not in changes \
            and not changes.get("rdates", event.rdates):
        changes["exdates"] = ()  # no longer a series: nothing to exclude (an EXDATE of its start would leave nothing)
    moving = "start" in changes and event.start is not None
    exrule = next((p for p in event.extra if getattr(p, "name", None) == "EXRULE"), None) if moving else None
    if exrule is not None and "extra" not in changes and _differs(event.start, changes["start"]):
        raise ValueError(f"event {event.uid!r} has an EXRULE ({_short(str(exrule.value))!r}, RFC 2445), which update "
                         f"cannot move with its start: give extra= without it, and exdates= for what it took out")
    # A start moved to another of the days a rule names (BYDAY=MO,WE from a Monday to a Wednesday) moves
    # within them: the series is moved to the new time of day on its old day, then starts on the new day.
    anchor = changes["start"] if moving else None
    if moving and "rrule" not in changes and event.rrule and _keeps_days(event.start, anchor, event.rrule):
        anchor = _on_day(anchor, event.start)
    if moving and "rrule" not in changes and event.rrule:
        changes["rrule"] = _moved_rrule(event.start, anchor, event.rrule)
        if anchor is not changes["start"]:
            changes["rrule"] = _recounted(event, changes["rrule"], anchor, changes["start"])
    ranked = moving and "exdates" not in changes and bool(event.exdates)
    for name in ("rdates", "exdates") if moving else ():
        if name not in changes and getattr(event, name):
            changes[name] = _moved_dates(event.start, anchor, getattr(event, name))
    changes.setdefault("dtstamp", _now())
    new = replace(event, **changes)
    if ranked:
        ranking = new if anchor is new.start else _raw(Event, {**vars(new), "start": anchor})
        new.exdates = _ranked_exdates(event, ranking)
    if "sequence" not in changes and _changed(event, new, _SIGNIFICANT):
        new.sequence = event.sequence + 1
    if "attendees" not in changes and _changed(event, new, _TIMING):
        organizer = new.organizer.email if new.organizer is not None else ""
        new.attendees = tuple(a if _same_address(a.email, organizer) else
                              replace(a, partstat="NEEDS-ACTION", rsvp=True) for a in new.attendees)
    _keep_params(event, new)
    return new


def _changed(old: Event, new: Event, fields: tuple[str, ...]) -> bool:
    """Whether any of ``fields`` changed; an end by the time it comes, not by whether DTEND or
    DURATION says it (``end=`` an hour after the start of an hour-long event changes nothing)."""
    if any(_differs(getattr(old, f), getattr(new, f)) for f in fields if f != "end" and f != "duration"):
        return True
    if "end" not in fields or not (_differs(old.end, new.end) or _differs(old.duration, new.duration)):
        return False
    if (old.rrule or old.rdates or new.rrule or new.rdates) and (_nominal_days(old) or _nominal_days(new)):
        return True  # (P1D and an end 24 hours on agree once, not on every occurrence across a change of clocks)
    before, after = old.end_time, new.end_time
    if isinstance(before, datetime) and isinstance(after, datetime) and before.tzinfo and after.tzinfo:
        return before.astimezone(UTC) != after.astimezone(UTC)  # (an end in another zone, at that instant)
    return _differs(before, after)


def _nominal_days(event: Event) -> bool:
    """Whether a timed event lasts calendar days (P1D), whose length in hours changes with the clocks."""
    d = event.duration
    return d is not None and d.days != 0 and type(d) is not _Elapsed and isinstance(event.start, datetime)


def _keep_params(old: Event, new: Event) -> None:
    """Give ``new`` the parameters ``old`` was read with (LANGUAGE, ALTREP, X-...) on every
    property whose value it keeps: a new DESCRIPTION has no ALTREP of the old one."""
    kept = getattr(old, "_params", None)
    if kept:
        new._params = {name: text for name, text in kept.items()
                       if not _differs(getattr(old, _EVENT_PROPS[name][0]), getattr(new, _EVENT_PROPS[name][0]))}


def _differs(old: Any, new: Any) -> bool:
    """Whether a field's value changed, times by what they say: Python finds two times of one
    tzinfo equal by their wall clocks (the two passes of a repeated hour alike), and two of
    different zones equal at one instant, though a series in each recurs differently.

    >>> ny = ZoneInfo("America/New_York")
    >>> _differs(datetime(2026, 11, 1, 1, 30, tzinfo=ny), datetime(2026, 11, 1, 1, 30, fold=1, tzinfo=ny))
    True
    """
    if type(old) is tuple and type(new) is tuple:
        return len(old) != len(new) or any(map(_differs, old, new))
    if old != new:
        return True
    if isinstance(old, timedelta) and (type(old) is _Elapsed) != (type(new) is _Elapsed):
        return True  # PT24H and P1D: equal timedeltas, an hour apart across a change of clocks
    if isinstance(old, datetime) and isinstance(new, datetime) and old.tzinfo is not None:
        return _zone_name(old.tzinfo) != _zone_name(new.tzinfo) or old.utcoffset() != new.utcoffset()
    return False


def _zone_name(tz: tzinfo) -> str | None:
    """The TZID a time of zone ``tz`` is written with; None for UTC (fixed offsets, other tzinfos)."""
    if isinstance(tz, ZoneInfo):
        found = _tzid_param(tz)
        return found[0] if found is not None else None
    return getattr(tz, "tzid", None)  # a zone read from a file, or one the file never defined


def _moved_dates(start: Any, new_start: Any, values: tuple) -> tuple:
    """A series' RDATEs or EXDATEs moved with its start, by the same calendar days and wall-clock
    time (a time of another zone by its wall time in the start's): they name occurrences by
    their starts, which moved (left as they are, excluded occurrences would come back).  A
    start moved from a date to a time, or back, makes them times of the new start's time of
    day, or the days of the old ones.

    >>> ny = ZoneInfo("America/New_York")
    >>> _moved_dates(datetime(2026, 3, 2, 9, tzinfo=ny), datetime(2026, 3, 3, 10, tzinfo=ny),
    ...              (datetime(2026, 3, 16, 9, tzinfo=ny),))[0].isoformat()
    '2026-03-17T10:00:00-04:00'
    """
    if isinstance(start, datetime) != isinstance(new_start, datetime):
        return tuple(_kind_moved(value, start, new_start) for value in values)
    timed = isinstance(start, datetime)
    delta = _wall_delta(start, new_start)
    days = timedelta(days=((new_start.date() - start.date()) if timed else delta).days)
    old_zone, new_zone = getattr(start, "tzinfo", None), getattr(new_start, "tzinfo", None)

    def move(value: Any) -> Any:
        if isinstance(value, tuple):  # a PERIOD: its start, and an end that is a time
            return (move(value[0]), move(value[1]) if isinstance(value[1], datetime) else value[1])
        if not isinstance(value, datetime):
            return value + days  # a date: of an all-day series, or a whole day of a timed one
        if not timed or (value.tzinfo is None) != (old_zone is None):
            return value  # not of the series' kind: left for the event's checks to say
        if old_zone is not None and value.tzinfo is not old_zone and value.utcoffset() is not None:
            value = value.astimezone(old_zone)
        return (value.replace(tzinfo=None, fold=0) + delta).replace(tzinfo=new_zone)

    try:
        return tuple(move(v) for v in values)
    except OverflowError:
        return values


def _wall_delta(start: Any, new_start: Any) -> timedelta:
    """How far a start moved on the wall clock (its zone aside): days and time, or days."""
    if isinstance(start, datetime):
        return new_start.replace(tzinfo=None, fold=0) - start.replace(tzinfo=None, fold=0)
    return new_start - start


def _kind_moved(value: Any, start: Any, new_start: Any) -> Any:
    """An RDATE or EXDATE of an all-day series made timed (at ``new_start``'s time of day), or of
    a timed one made all-day (its day, as the series' zone shows it), moved by as many days as
    the start."""
    if isinstance(value, tuple):  # a PERIOD: an occurrence that starts then
        value = value[0]
    if isinstance(new_start, datetime):  # all day -> timed
        day = value.date() if isinstance(value, datetime) else value
        return datetime.combine(day + (new_start.date() - start), new_start.timetz()).replace(fold=0)
    if isinstance(value, datetime):  # timed -> all day
        zone = start.tzinfo
        if zone is not None and value.utcoffset() is not None:
            value = value.astimezone(zone)
        value = value.date()
    return value + (new_start - start.date())


def _ranked_exdates(old: Event, new: Event) -> tuple:
    """The EXDATEs of a series moved from ``old`` to ``new``, by rank: the occurrence of the
    moved series that stands where the excluded one stood (a 2TU rule moved a day is 2WE: the
    excluded Tuesday 14 July is Wednesday 8 July, not 15).  An EXDATE the old rule does not give
    (of an RDATE) keeps the move _moved_dates gave it."""
    kind = _rank_kind(old.start)
    wanted = {_rank_key(x): i for i, x in enumerate(old.exdates) if _rank_kind(x) == kind}
    if not wanted or not new.rrule:
        return new.exdates
    out, last = list(new.exdates), max(wanted)
    try:
        was_series = _raw(Event, {**vars(old), "exdates": (), "rdates": ()})
        now_series = _raw(Event, {**vars(new), "exdates": (), "rdates": ()})
        for _, was, now in zip(range(_RANK_STEPS), occurrences(was_series), occurrences(now_series)):
            key = _rank_key(was)
            i = wanted.pop(key, None)
            if i is not None:
                out[i] = now
            if not wanted or key > last:
                break
    except (ValueError, OverflowError):  # a rule that cannot be expanded: the moves stand
        return new.exdates
    return tuple(out)


_RANK_STEPS = 200_000  # occurrences walked to rank EXDATEs; those beyond keep their move


def _rank_kind(value: Any) -> str:
    if not isinstance(value, datetime):
        return "date"
    return "floating" if value.tzinfo is None or value.utcoffset() is None else "aware"


def _rank_key(value: Any) -> Any:
    return value.astimezone(UTC) if _rank_kind(value) == "aware" else value


def _keeps_days(start: Any, new_start: Any, rrule: str) -> bool:
    """Whether a series moved from ``start`` to ``new_start`` keeps its rule's days: the rule
    names several (BYDAY=MO,WE, DAILY;BYDAY=..., BYMONTHDAY=1,15), the new day is one of them,
    and the move is no whole number of weeks of a weekly rule (which moves it all)."""
    if isinstance(start, datetime) != isinstance(new_start, datetime):
        return False
    old, new = (start.date(), new_start.date()) if isinstance(start, datetime) else (start, new_start)
    try:
        parts = _parse_rrule(rrule)
    except ValueError:
        return False
    several = any("," in parts.get(name, "") for name in ("BYDAY", "BYMONTHDAY", "BYYEARDAY")) or \
        parts["FREQ"] == "DAILY" and "BYDAY" in parts
    weeks = parts["FREQ"] == "WEEKLY" and (new - old).days % 7 == 0
    return old != new and several and not weeks and _rule_gives(rrule, new_start)


def _on_day(value: Any, day_of: Any) -> Any:
    """``value`` (a start) on the day of ``day_of``: its time of day and zone, or that date."""
    if not isinstance(value, datetime):
        return day_of
    return value.replace(year=day_of.year, month=day_of.month, day=day_of.day)


def _recounted(event: Event, rrule: str, anchor: Any, new_start: Any) -> str:
    """A rule of COUNT times whose series now starts at ``new_start`` instead of ``anchor``, one
    of its times: the same last time, COUNT less the times before the new start (or more
    the times it now has before the old one)."""
    parts = _parse_rrule(rrule)
    if "COUNT" not in parts:
        return rrule
    base = _raw(Event, {**vars(event), "start": anchor, "rrule": rrule, "exdates": (), "rdates": ()})
    if _earlier(anchor, new_start, _series_zone(base)):
        count = int(parts["COUNT"]) - sum(1 for _ in occurrences(base, end=new_start))
    else:
        earlier = _raw(Event, {**vars(base), "start": new_start})
        count = int(parts["COUNT"]) + sum(1 for _ in occurrences(earlier, end=anchor))
    if count < 1:
        raise ValueError(f"start {new_start}: the series' RRULE {rrule} has no time left from then on")
    parts["COUNT"] = str(count)
    return _rule_joined(parts)


def _moved_rrule(start: Any, new_start: Any, rrule: str) -> str:
    """A series' RRULE moved with its start, as its EXDATEs are: UNTIL by the same days and
    wall-clock time (so the last occurrence stays; a start turned from a day to a time or back
    turns UNTIL too), and, when the start was one of the rule's days, the weekday of a weekly
    rule (not several: a start may move to one of them), the day
    and month of a monthly or yearly one and its "2nd Tuesday" follow the start to its new day.
    ValueError when the rule gave the old start but cannot be made to give the new one (RFC 5545
    3.8.5.3: DTSTART is the first).

    >>> ny = ZoneInfo("America/New_York")
    >>> _moved_rrule(datetime(2026, 3, 16, 9, tzinfo=ny), datetime(2026, 3, 17, 10, tzinfo=ny),
    ...              "FREQ=WEEKLY;UNTIL=20260330T130000Z;BYDAY=MO")
    'FREQ=WEEKLY;UNTIL=20260331T140000Z;BYDAY=TU'
    """
    if isinstance(start, datetime) != isinstance(new_start, datetime):  # all day <-> a time of day:
        start, rrule = _rule_of_kind(start, new_start, rrule)  # then moved as any rule
    timed = isinstance(start, datetime)
    zones = (start.tzinfo, new_start.tzinfo) if timed else (None, None)
    delta = _wall_delta(start, new_start)
    if not delta and zones[0] is zones[1]:
        return rrule
    parts = _parse_rrule(rrule)
    if "UNTIL" in parts:
        parts["UNTIL"] = _moved_until(parts["UNTIL"], delta, *zones)
    gave = _rule_gives(rrule, start)
    if gave:
        _follow_day(parts, *((start.date(), new_start.date()) if timed else (start, new_start)))
    if gave and timed:  # BYHOUR=9,14 from 09:00 to 10:00: 10,15 (as long as no time leaves the day)
        for name, was, now, most in (("BYHOUR", start.hour, new_start.hour, 23),
                                     ("BYMINUTE", start.minute, new_start.minute, 59),
                                     ("BYSECOND", start.second, new_start.second, 59)):
            if name in parts and was != now:
                values = [int(v) + now - was for v in parts[name].split(",")]
                if min(values) >= 0 and max(values) <= most:
                    parts[name] = ",".join(map(str, values))
    moved = _rule_joined(parts)
    if gave and not _rule_gives(moved, new_start):
        hint = "give a new rrule with it"
        if parts["FREQ"] == "WEEKLY" and "," in parts.get("BYDAY", ""):  # MO,WE to a Tuesday: TU,TH?
            _shift_week(parts, (_wall_delta(start, new_start) if not timed else
                                new_start.date() - start.date()).days)
            hint += f", such as {_rule_joined(parts)} to move each of its days with the start"
        raise ValueError(f"start {new_start}: the series' RRULE {moved} has no occurrence then, though it "
                         f"had one at the old start {start} (RFC 5545 3.8.5.3): {hint}")
    return moved


def _rule_of_kind(start: date | datetime, new_start: date | datetime, rrule: str) -> tuple[Any, str]:
    """(``start``, ``rrule``) as if the series had been of ``new_start``'s kind: an all-day
    series at ``new_start``'s time of day, a timed one on its days; UNTIL the end of the last
    day, or the day of the last time (in the series' zone)."""
    parts = _parse_rrule(rrule)
    zone = getattr(start, "tzinfo", None)
    if "UNTIL" in parts:
        value, utc, _ = _parse_dt(parts["UNTIL"].upper())
        if isinstance(value, datetime):  # (a timed series': the day of its last time there)
            value = value.replace(tzinfo=UTC).astimezone(zone).replace(tzinfo=None) if utc and zone is not None \
                else value
            value = value.date() - timedelta(days=1) if isinstance(start, datetime) and value.time() < start.time() \
                else value.date()
        parts["UNTIL"] = _rrule_until(value, new_start, isinstance(new_start, datetime) and new_start.tzinfo is None)
    if isinstance(new_start, datetime):
        return datetime.combine(start, new_start.timetz()), _rule_joined(parts)
    return start.date(), _rule_joined(parts)


def _moved_until(until: str, delta: timedelta, zone: tzinfo | None, new_zone: tzinfo | None) -> str:
    """An RRULE's UNTIL later by ``delta`` on the wall clock, from that of ``zone`` to that of
    ``new_zone`` (UTC for a zone, local time for floating); as it was if that leaves the years."""
    value, utc, _ = _parse_dt(until.upper())
    try:
        if not isinstance(value, datetime):
            return _fmt_date(value + timedelta(days=delta.days))
        wall = value.replace(tzinfo=UTC).astimezone(zone).replace(tzinfo=None) if utc and zone is not None \
            else value
        moved = wall + delta
        return _fmt_utc(moved.replace(tzinfo=new_zone)) if new_zone is not None else _fmt_local(moved)
    except (OverflowError, ValueError):
        return until


def _follow_day(parts: dict[str, str], old: date, new: date) -> None:
    """Move the day parts of a rule that gave ``old`` to ``new``: each a rule's own way of naming a day."""
    freq, days = parts["FREQ"], (new - old).days
    if not days:
        return
    byday = parts.get("BYDAY", "").split(",") if "BYDAY" in parts else []
    if freq == "WEEKLY" and len(byday) == 1:  # MO a day later: TU (as the EXDATEs move); the days of
        _shift_week(parts, days)  # MO,WE stay, as DAILY;BYDAY's do: a start may move to one of them
    if freq not in ("MONTHLY", "YEARLY"):
        return
    if parts.get("BYMONTHDAY") == str(old.day):
        parts["BYMONTHDAY"] = str(new.day)
    if freq == "YEARLY" and parts.get("BYMONTH") == str(old.month):
        parts["BYMONTH"] = str(new.month)
    nth = _BYDAY_RE.match(byday[0]) if len(byday) == 1 else None
    if nth and nth.group(2) and (freq == "MONTHLY" or "BYMONTH" in parts):  # the nth weekday of the month
        from_start, from_end = (new.day - 1) // 7 + 1, (_month_days(new.year, new.month) - new.day) // 7 + 1
        counted_back = from_start == 5 or nth.group(1) == "-" and from_end < 5  # a 5th is the last: -1
        parts["BYDAY"] = f"-{from_end}" if counted_back else f"{from_start}"
        parts["BYDAY"] += _WEEKDAYS[new.weekday()]


def _shift_week(parts: dict[str, str], days: int) -> None:
    """A weekly rule's days moved ``days`` later, and its weeks too when it skips some."""
    parts["BYDAY"] = ",".join(_WEEKDAYS[(_WEEKDAYS.index(d) + days) % 7] for d in parts["BYDAY"].split(","))
    if parts.get("INTERVAL", "1") != "1" and days % 7:
        parts["WKST"] = _WEEKDAYS[(_WEEKDAYS.index(parts.get("WKST", "MO")) + days) % 7]


def _rule_gives(rrule: str, start: date | datetime) -> bool:
    """Whether the rule, COUNT and UNTIL aside, gives the series' own start."""
    wall = start.replace(tzinfo=None, fold=0) if isinstance(start, datetime) else datetime.combine(start, time(0))
    try:
        rule = _rule(rrule, wall)
        if _rule_is_empty(rule, wall):
            return False
        for begins, times in _rule_periods(rule, wall, 0):  # the period that holds the start (or its days)
            if wall in times or begins > wall:
                return wall in times
    except (ValueError, OverflowError):
        pass
    return False


def _off_rule(start: date | datetime, rrule: str) -> str | None:
    """The part of ``rrule`` ``start`` is not on (BYDAY=MO,WE for a Tuesday), or None.  RFC 5545
    leaves such a set undefined, and clients differ on whether the start is an occurrence.

    >>> _off_rule(date(2026, 12, 1), "FREQ=WEEKLY;BYDAY=MO,WE;COUNT=10")
    'BYDAY=MO,WE'
    """
    if _rule_gives(rrule, start):
        return None
    parts = _parse_rrule(rrule)
    calendar_days = (start.day, start.day - 1 - _month_days(start.year, start.month))  # (and from the end)
    days = {"BYDAY": lambda v: _WEEKDAYS[start.weekday()] in {x.lstrip("+-0123456789") for x in v.split(",")},
            "BYMONTH": lambda v: str(start.month) in v.split(","),
            "BYMONTHDAY": lambda v: any(int(x) in calendar_days for x in v.split(","))}
    if isinstance(start, datetime):
        days.update({"BYHOUR": lambda v: str(start.hour) in v.split(","),
                     "BYMINUTE": lambda v: str(start.minute) in v.split(",")})
    for name, on in days.items():
        if name in parts and not on(parts[name]):
            return f"{name}={parts[name]}"
    return ";".join(f"{name}={value}" for name, value in parts.items() if name.startswith("BY")) or rrule


def _moved_end(start: Any, end: Any, new_start: Any) -> Any:
    """The end of an event moved from ``start`` to ``new_start``, keeping its length.

    Whole days stay calendar days and the rest elapsed time, as a DURATION
    reads (RFC 5545 3.3.6): a one-hour meeting moved across a change of
    clocks still lasts an hour.  A date moved to a time (or back) has no length to keep.
    """
    if isinstance(new_start, datetime) != isinstance(start, datetime):
        raise ValueError(f"start {new_start} and the event's start {start} are not both dates or both times: "
                         f"give end or duration too")
    try:
        if not isinstance(start, datetime) or start.utcoffset() is None or end.utcoffset() is None \
                or new_start.utcoffset() is None:  # dates, floating times, zones the file never defined
            return new_start + (end - start)
        days = (end.astimezone(start.tzinfo).replace(tzinfo=None) - start.replace(tzinfo=None)).days
        rest = end.astimezone(UTC) - _add_duration(start, timedelta(days=max(days, 0))).astimezone(UTC)
        if days <= 0 or rest < timedelta(0):
            days, rest = 0, end.astimezone(UTC) - start.astimezone(UTC)
        return _add_duration(new_start, timedelta(days=days) + rest)
    except (OverflowError, TypeError):
        raise ValueError(f"start {new_start}: the event would end beyond what a date can hold, or its end "
                         f"{end} cannot be moved with it: give end or duration too") from None


def cancel(event: Event, *, attendees: Iterable[Attendee | str] | None = None,
           recurrence_id: date | datetime | None = None, this_and_future: bool = False) -> Event:
    """The event to send as a CANCEL (RFC 5546 3.2.5): SEQUENCE + 1, fresh DTSTAMP.

    By default the whole event is cancelled (STATUS:CANCELLED, every
    attendee told).  ``recurrence_id`` cancels one occurrence (give its
    original start), and with ``this_and_future`` every one from it on
    (RANGE=THISANDFUTURE); ``attendees`` only un-invites those people.
    An occurrence changed and sent before (an override) is cancelled with
    ``cancel(override)``: its SEQUENCE counts apart from the series'.

    >>> ev = Event("Sync", date(2026, 12, 1), uid="s1", organizer="a@example.com", attendees=["b@example.com"])
    >>> c = cancel(ev); (c.status, c.sequence)
    ('CANCELLED', 1)
    """
    _an_event(event, "cancel")
    if this_and_future and recurrence_id is None:
        raise ValueError("cancel(this_and_future=True) needs recurrence_id: the first occurrence to cancel")
    changes: dict[str, Any] = {"sequence": event.sequence + 1, "dtstamp": _now(), "alarms": ()}
    if attendees is not None:
        chosen = [_attendee(a) for a in _as_tuple(attendees)]
        if not chosen:
            raise ValueError("cancel(attendees=[]) un-invites nobody: name the attendees, or leave attendees out "
                             "to cancel the whole event")
        known = {a.email.lower(): a for a in event.attendees}
        changes["attendees"] = tuple(known.get(a.email.lower(), a) for a in chosen)
        changes["status"] = None  # RFC 5546 3.2.5: no STATUS when only un-inviting
    else:
        changes["status"] = "CANCELLED"
    if recurrence_id is not None:
        changes.update(_occurrence(event, recurrence_id, "cancel"))
    cancelled = replace(event, **changes)
    _keep_params(event, cancelled)
    if this_and_future:  # RFC 5545 3.2.13, written with the RECURRENCE-ID
        cancelled._params = {**(getattr(cancelled, "_params", None) or {}), "RECURRENCE-ID": ";RANGE=THISANDFUTURE"}
    if attendees is not None:
        cancelled._uninvite = True
    return cancelled


def _occurrence(series: Event, recurrence_id: date | datetime, verb: str, *, checked: bool = False) -> dict[str, Any]:
    """The fields that make one occurrence of a series an event of its own (an override, or the
    cancel of that occurrence): its RECURRENCE-ID and times, and no RRULE, RDATE or EXDATE.
    ``checked``: the caller knows it is an occurrence (found in one walk for many)."""
    if not series.rrule and not series.rdates:
        raise ValueError(f"event {series.uid!r} does not recur: {verb} it whole, without recurrence_id")
    recurrence_id = _check_when(recurrence_id, "recurrence_id", series.floating)
    if isinstance(recurrence_id, datetime) != isinstance(series.start, datetime):
        kind = "a datetime" if isinstance(series.start, datetime) else "a date"
        raise ValueError(f"recurrence_id {recurrence_id} must be {kind}, as the series' start {series.start} is")
    _check_occurrence(recurrence_id, series.start, "recurrence_id")
    if not checked:
        _check_in_series(series, recurrence_id)
    if isinstance(recurrence_id, datetime) and type(recurrence_id.tzinfo) is ZoneInfo:
        recurrence_id = _real_time(recurrence_id, recurrence_id.tzinfo)  # a skipped 02:30 as occurrences() has it
    wall = _rule_wall(recurrence_id, series)
    return dict(recurrence_id=recurrence_id, start=recurrence_id, rrule=None, rdates=(), exdates=(),
                _recurrence_wall=wall if wall is not recurrence_id else None,
                end=_moved_end(series.start, series.end, recurrence_id)
                if series.start is not None and series.end is not None else None,
                duration=series.duration)


_SERIES_SEARCH = 100_000  # occurrences looked through for a recurrence_id; beyond, it is taken as given
_SERIES_SEARCH_STEPS = 100_000  # and what reaching it may cost, in days (or sub-daily periods) looked at


def _check_in_series(series: Event, recurrence_id: date | datetime) -> None:
    """Refuse a recurrence_id that is none of the series' occurrences: clients would show the
    change as an event of its own, or drop the cancel (RFC 5545 3.8.4.4)."""
    zone = _series_zone(series)
    before = None
    try:
        since = recurrence_id - timedelta(days=35)  # enough to name the one before, in most series
    except OverflowError:
        since = None
    if since is not None and _wall_key(since, zone) <= _wall_key(series.start, zone):
        since = None
    try:
        for n, value in enumerate(_walk_from(series, since)):
            if _same_time(value, recurrence_id, zone):
                return
            if _earlier(recurrence_id, value, zone):
                break
            if n >= _SERIES_SEARCH:
                return
            before = value
        else:
            value = None
    except (ValueError, _OverBudget):  # a rule read from a file that cannot be expanded, or a walk too long
        return  # to reach it (COUNT=999999999 of seconds): taken as given
    excluded = " (the series' EXDATE excludes it)" if _excluded(recurrence_id, series.exdates, zone) else ""
    if value is None:
        near = f"its last is {before}" if before is not None else "it has none from five weeks before it on"
    elif before is not None:
        near = f"the nearest are {before} and {value}"
    else:
        near = f"the next is {value}" if since is not None else f"its first is {value}"
    raise ValueError(f"recurrence_id {recurrence_id} is not an occurrence of event {series.uid!r}{excluded}: {near}")


def reply(event: Event, attendee: Attendee | str, partstat: str = "ACCEPTED", *,
          comment: str | None = None, delegated_to: str | None = None,
          recurrence_id: date | datetime | None = None) -> Event:
    """An attendee's answer to an invitation, to send as a REPLY (RFC 5546 3.2.3).

    ``partstat`` is ACCEPTED, DECLINED or TENTATIVE (also "accept",
    "decline", "maybe"), or DELEGATED with ``delegated_to``.  The reply has
    the same UID and SEQUENCE, a fresh DTSTAMP, and only the replying attendee.
    ``recurrence_id`` answers one occurrence of a series (give its original start).

    >>> ev = Event("Sync", date(2026, 12, 1), uid="s1", organizer="a@example.com", attendees=["b@example.com"])
    >>> r = reply(ev, "b@example.com", "decline"); [(a.email, a.partstat) for a in r.attendees]
    [('b@example.com', 'DECLINED')]
    """
    _an_event(event, "reply")
    word = str(partstat).strip().upper()
    status = _REPLY_WORDS.get(word) or (word if word.startswith("X-") and _NAME_RE.match(word) else None)
    if status is None:  # RFC 5546 3.2.3: a reply answers (NEEDS-ACTION, COMPLETED, ... are no answer)
        raise ValueError(f"reply partstat {partstat!r} is no answer to an event: give ACCEPTED, DECLINED, "
                         f"TENTATIVE (or accept, decline, maybe), DELEGATED, or an X- name")
    if status == "DELEGATED" and not delegated_to:
        raise ValueError("a DELEGATED reply needs delegated_to (the delegate's address)")
    if event.organizer is None:
        raise ValueError(f"event {event.uid!r} has no organizer to reply to")
    if event.status == "CANCELLED":  # (RFC 5546 3.2.5: a CANCEL is not answered)
        raise ValueError(f"event {event.uid!r} is cancelled (STATUS:CANCELLED): there is nothing to answer")
    if recurrence_id is not None and event.recurrence_id is None:
        event = replace(event, **_occurrence(event, recurrence_id, "reply to"))
    elif recurrence_id is not None and _differs(recurrence_id, event.recurrence_id):
        raise ValueError(f"recurrence_id {recurrence_id}: event {event.uid!r} is the occurrence "
                         f"{event.recurrence_id}; answer the series' occurrence with reply(series, ..., "
                         f"recurrence_id=...)")
    who = _attendee(attendee)
    mine = next((a for a in event.attendees if _same_address(a.email, who.email)), None)
    base = mine if mine is not None and not isinstance(attendee, Attendee) else who
    answer = replace(base, partstat=status, rsvp=False,
                     delegated_to=(delegated_to,) if delegated_to else base.delegated_to)
    extra = (Property("COMMENT", _check_text(comment, "comment")),) if comment else ()
    return Event(event.summary, event.start, event.end, event.duration, uid=event.uid, sequence=event.sequence,
                 organizer=event.organizer, attendees=(answer,), recurrence_id=event.recurrence_id,
                 floating=event.floating, extra=extra, _reply=True)


# The DTSTAMP of the reply last applied to an attendee, as CalendarServer records it:
# a reply stamped earlier arrived late and must not undo a newer answer (RFC 5546 2.1.5).
_REPLY_STAMP = "X-CALENDARSERVER-DTSTAMP"
_UTC_STAMP_RE = _LazyRegex(r"\d{8}T\d{6}Z\Z")


def _with_param(params: tuple, name: str, value: str | None) -> tuple:
    """``params`` with parameter ``name`` set to ``value`` (left as they are when it is None)."""
    if value is None:
        return params
    return tuple(p for p in params if p[0] != name) + ((name, value),)


def _as_sent(ev: Event, stamp: datetime) -> Event:
    """``ev`` as a message carries it: stamped when the message is made (RFC 5546; an event
    read from a mail keeps its sender's stamp), and without the DTSTAMPs of the replies that
    apply_reply() recorded on its attendees, which the organizer's copy keeps but no message
    sends (when each attendee answered is theirs)."""
    changes: dict[str, Any] = {}
    if not ev._as_read and isinstance(ev.dtstamp, datetime) and ev.dtstamp < stamp:
        changes["dtstamp"] = stamp
    if any(name == _REPLY_STAMP for a in ev.attendees for name, _ in a.params):
        changes["attendees"] = tuple(_raw(Attendee, {**vars(a), "params": tuple(
            p for p in a.params if p[0] != _REPLY_STAMP)}) for a in ev.attendees)
    return _raw(Event, {**vars(ev), **changes}) if changes else ev


_CLOCK_SKEW = timedelta(days=1)  # how far ahead of this clock a message's DTSTAMP may be and still be believed


def apply_reply(event: Event, answer: Event | Calendar) -> Event:
    """The organizer's copy of ``event`` with the participation status a REPLY carries.

    ``answer`` is the reply event, or the Calendar read from the reply mail.
    A reply to an older version (lower SEQUENCE, RFC 5546 2.1.5) is refused
    with ValueError; an attendee the event did not list is added, and so is
    the delegate of a DELEGATED reply (DELEGATED-FROM, asked to answer).

    >>> ev = Event("Sync", date(2026, 12, 1), uid="s1", organizer="a@example.com", attendees=["b@example.com"])
    >>> apply_reply(ev, reply(ev, "b@example.com", "accept")).attendees[0].partstat
    'ACCEPTED'
    """
    _an_event(event, "apply_reply")
    if getattr(event, "_reply", False) or getattr(event, "_method", None) == "REPLY":
        raise ValueError("the first argument is a reply: give the organizer's copy first, "
                         "apply_reply(event, answer)")
    _check_sent_as(answer, "REPLY", ": only an attendee's reply changes the organizer's copy", _NOT_A_REPLY)
    if isinstance(answer, Calendar):
        matches = [e for e in answer.events if e.uid == event.uid]
        if not matches:
            raise ValueError(f"the reply is not about event {event.uid!r}")
        answer = next((e for e in matches if e.recurrence_id == event.recurrence_id), matches[0])
    elif not isinstance(answer, Event):
        raise TypeError(f"apply_reply() takes the reply as an Event or a Calendar, not {type(answer).__name__}")
    if answer.uid != event.uid:
        raise ValueError(f"the reply is about event {answer.uid!r}, not {event.uid!r}")
    if answer.recurrence_id != event.recurrence_id:
        raise ValueError(f"the reply is about the occurrence {answer.recurrence_id}, "
                         f"not {event.recurrence_id or 'the whole series'}" + (
                             "; apply it to your copy of that occurrence, if you changed it (an event with "
                             "its RECURRENCE-ID): the series keeps one answer per attendee"
                             if event.recurrence_id is None else ""))
    if answer.sequence < event.sequence:
        raise ValueError(f"the reply answers version {answer.sequence} of the event, which is now at "
                         f"version {event.sequence}: it is out of date (RFC 5546 2.1.5)")
    who, delegates = _replying(answer.attendees)
    if who.partstat == "NEEDS-ACTION":  # (what a reply() cannot say, and dumps() refuses to write)
        raise ValueError(f"the reply of {who.email} answers nothing: its PARTSTAT is NEEDS-ACTION (RFC 5546 3.2.3)")
    stamp = _fmt_utc(answer.dtstamp) if isinstance(answer.dtstamp, datetime) and answer.dtstamp.tzinfo else None
    if stamp is not None and answer.dtstamp - _now() > _CLOCK_SKEW:  # (recorded, it would bar their later replies)
        raise ValueError(f"the reply of {who.email} is stamped {stamp}, which is yet to come: its clock is wrong, "
                         f"or its DTSTAMP")
    attendees = list(event.attendees)
    role = None
    for i, mine in enumerate(attendees):
        if _same_address(mine.email, who.email):
            last = dict(mine.params).get(_REPLY_STAMP)
            if stamp is not None and isinstance(last, str) and _UTC_STAMP_RE.match(last) and stamp < last:
                raise ValueError(f"the reply of {who.email} is stamped {stamp}, before the reply of theirs already "
                                 f"applied ({last}): it is out of date (RFC 5546 2.1.5)")
            attendees[i] = replace(mine, partstat=who.partstat, rsvp=False,
                                   delegated_to=who.delegated_to or mine.delegated_to,
                                   params=_with_param(mine.params, _REPLY_STAMP, stamp))
            role = mine.role
            break
    else:  # RFC 5546 3.2.2.6: a forwarded invitation's recipient answered
        attendees.append(replace(who, rsvp=False, params=_with_param(who.params, _REPLY_STAMP, stamp)))
    if who.partstat == "DELEGATED":  # RFC 5546 3.2.2.3: the delegate takes the seat, and is asked
        for address in who.delegated_to:
            if not any(_same_address(a.email, address) for a in attendees):
                given = next((d for d in delegates if _same_address(d.email, address)), None)
                attendees.append(Attendee(address, name=given.name if given else None, role=role or who.role,
                                          delegated_from=(who.email,)))
    answered = replace(event, attendees=tuple(attendees))
    _keep_params(event, answered)  # (the SUMMARY's LANGUAGE, a DTSTART's X- parameter...)
    return answered


def _replying(attendees: Sequence[Attendee]) -> tuple[Attendee, list[Attendee]]:
    """(the attendee who answers, the delegates they name): a REPLY carries the one who answers
    (RFC 5546 3.2.3), and with a delegation also the delegates (3.2.2.3)."""
    if not attendees:
        raise ValueError("the reply names no attendee")
    if len(attendees) == 1:
        return attendees[0], []
    delegators = [a for a in attendees if a.partstat == "DELEGATED" and a.delegated_to]
    if len(delegators) == 1:
        who = delegators[0]
        others = [a for a in attendees if a is not who]
        if all(any(_same_address(a.email, d) for d in who.delegated_to) for a in others):
            return who, others
    # whose answer is it? Taking them all would undo others' answers
    raise ValueError(f"a REPLY carries the one attendee who answers (RFC 5546 3.2.3), this one {len(attendees)}: "
                     f"{', '.join(a.email for a in attendees[:5])}")


_CUT_LIMIT = 100_000  # occurrences of a counted series walked to end it before one of them


def _this_and_future(ev: Event) -> bool:
    """Whether ``ev``'s RECURRENCE-ID says RANGE=THISANDFUTURE (RFC 5545 3.2.13): it names that
    occurrence and every one after it."""
    kept = getattr(ev, "_params", None)
    text = kept.get("RECURRENCE-ID", "") if kept else ""
    if "RANGE" not in text.upper():
        return False
    try:
        _, params, _ = _split_line(f"RECURRENCE-ID{text}:", 0)  # (as it was read, so it splits)
    except ParseError:
        return False
    return any(name == "RANGE" and isinstance(value, str) and value.upper() == "THISANDFUTURE"
               for name, value in params)


def _ended_before(series: Event, cut: date | datetime, sequence: int) -> Event:
    """``series`` without its occurrences from ``cut`` on (a CANCEL with RANGE=THISANDFUTURE):
    its RRULE ends just before (UNTIL), later RDATEs and EXDATEs go; cancelled whole
    (STATUS:CANCELLED) when no occurrence comes before ``cut``."""
    zone = _series_zone(series)
    first = next(occurrences(series), None)
    if first is None or not _earlier(first, cut, zone):
        return replace(series, status="CANCELLED", sequence=sequence)
    changes: dict[str, Any] = dict(sequence=sequence, rdates=tuple(x for x in series.rdates if _earlier(
        x[0] if isinstance(x, tuple) else x, cut, zone)), exdates=tuple(x for x in series.exdates
                                                                         if _earlier(x, cut, zone)))
    if not _earlier(series.start, cut, zone):  # only RDATEs come before: the rule and DTSTART go
        changes.update(rrule=None, exdates=(*changes["exdates"], series.start))  # (an EXDATE can drop DTSTART)
    elif series.rrule and _rule_reaches(series, cut):  # it ends just before, and COUNT, not reached
        parts = _parse_rrule(series.rrule)  # by then, gives way to UNTIL
        parts.pop("COUNT", None)
        parts.pop("UNTIL", None)
        if not isinstance(cut, datetime):
            last = cut - timedelta(days=1)
        else:
            last = (cut.astimezone(UTC) if _instant(cut) is not None else cut) - timedelta(seconds=1)
        until = _rrule_until(last, series.start, series.floating)
        changes["rrule"] = _rule_joined({"FREQ": parts.pop("FREQ"), "UNTIL": until, **parts})
    return replace(series, **changes)


def _rule_reaches(series: Event, cut: date | datetime) -> bool:
    """Whether the RRULE of ``series`` gives a time at or after ``cut`` (its EXDATEs aside)."""
    rule = _raw(Event, {**vars(series), "rdates": (), "exdates": ()})
    if "COUNT" not in _parse_rrule(series.rrule):  # the walk starts near the cut
        return next(occurrences(rule, start=cut), None) is not None
    zone = _series_zone(series)
    for n, value in enumerate(occurrences(rule)):  # COUNT counts from the first
        if not _earlier(value, cut, zone):
            return True
        if n >= _CUT_LIMIT:
            raise ValueError(f"event {series.uid!r} has more than {_CUT_LIMIT} occurrences before {cut}: "
                             f"icsmail does not end it there")
    return False


def _concerns(event: Event, one: Event) -> bool:
    """Whether the cancel ``one`` changes ``event``: a series or single event, by any cancel of
    it; a changed occurrence, by a cancel of the whole series, of that occurrence, or of one
    before it with RANGE=THISANDFUTURE."""
    if one.recurrence_id is None or event.recurrence_id is None:
        return True
    zone = _series_zone(event)
    return _same_time(one.recurrence_id, event.recurrence_id, zone) or (
        _this_and_future(one) and _earlier(one.recurrence_id, event.recurrence_id, zone))


def apply_cancel(event: Event, cancellation: Event | Calendar, *, attendee: Attendee | str | None = None) -> Event:
    """``event`` as a CANCEL leaves it: cancelled whole (STATUS:CANCELLED), one occurrence of a
    series excluded (an EXDATE, which the series' next REQUEST then carries), the series ended
    before an occurrence (RANGE=THISANDFUTURE: its RRULE gets an UNTIL), or the attendees the
    CANCEL un-invites removed.

    ``cancellation`` is what ``cancel()`` made, or the Calendar read from the CANCEL mail:
    each of its events about this one applies (a changed occurrence, ``event`` with a
    RECURRENCE-ID, is left as it is by the cancel of another).  ``attendee`` says whose
    copy ``event`` is: a cancel that un-invites them cancels their copy (or that
    occurrence of it); without it the copy is the organizer's, and loses the
    attendees un-invited.  A cancel of an older version (lower SEQUENCE, or the same
    and an earlier DTSTAMP: RFC 5546 2.1.5) is refused with ValueError; a cancel
    already applied, or of an occurrence past the series' end, changes nothing.

    >>> ev = Event("Stand-up", date(2026, 12, 1), uid="s2", rrule="FREQ=DAILY;COUNT=5")
    >>> apply_cancel(ev, cancel(ev, recurrence_id=date(2026, 12, 3))).exdates
    (datetime.date(2026, 12, 3),)
    """
    _an_event(event, "apply_cancel")
    _check_sent_as(cancellation, "CANCEL")
    if isinstance(cancellation, Calendar):
        matches = [e for e in cancellation.events if e.uid == event.uid]
        if not matches:
            raise ValueError(f"the cancel is not about event {event.uid!r}")
        chosen = [one for one in matches if _concerns(event, one)]  # a CANCEL may name several occurrences
        if event.recurrence_id is None and len(chosen) > 1:  # (RFC 5546 3.2.5); one occurrence's un-invite
            chosen = [one for one in chosen if one.recurrence_id is None or one.status == "CANCELLED"
                      or _uninvites(one, attendee)] or chosen  # is for that occurrence's own event
        for one in chosen:  # each against the copy as it was: the first applied raises its SEQUENCE
            _check_cancel_version(event, one)
        for one in chosen:
            if _concerns(event, one):
                event = _cancel_applied(event, one, attendee)
        return event
    if not isinstance(cancellation, Event):
        raise TypeError(f"apply_cancel() takes the cancel as an Event or a Calendar, "
                        f"not {type(cancellation).__name__}")
    if cancellation.uid != event.uid:
        raise ValueError(f"the cancel is about event {cancellation.uid!r}, not {event.uid!r}")
    if not _concerns(event, cancellation):
        return event
    _check_cancel_version(event, cancellation)
    return _cancel_applied(event, cancellation, attendee)


def _check_cancel_version(event: Event, cancellation: Event) -> None:
    """Refuse a cancel from another than the organizer (RFC 5546 3.2.5), or older than the copy
    (2.1.5): the lower SEQUENCE, or the same and the earlier DTSTAMP.  Against a changed
    occurrence a cancel goes by DTSTAMP alone: the occurrence's SEQUENCE goes up by itself,
    while a cancel made from the series (of it all, of that occurrence, or from one before it
    on) counts the series', so the two count apart."""
    sender, organizer = cancellation.organizer, event.organizer
    if organizer is not None and (sender is None or not _same_address(sender.email, organizer.email)):
        raise ValueError(f"the cancel comes from {sender.email if sender else 'no organizer'}, and {organizer.email} "
                         f"organizes event {event.uid!r}: only the organizer cancels it (RFC 5546 3.2.5)")
    sent, have = cancellation.dtstamp, event.dtstamp
    stamped = isinstance(sent, datetime) and isinstance(have, datetime) and None not in (
        sent.utcoffset(), have.utcoffset())
    if event.recurrence_id is not None and (stamped or cancellation.recurrence_id is None):
        if stamped and sent < have:
            raise ValueError(f"the cancel is stamped {_fmt_utc(sent)}, before the version of the occurrence "
                             f"{event.recurrence_id} ({_fmt_utc(have)}): it is out of date (RFC 5546 2.1.5)")
        return
    if cancellation.sequence < event.sequence:
        raise ValueError(f"the cancel is of version {cancellation.sequence} of the event, which is now at "
                         f"version {event.sequence}: it is out of date (RFC 5546 2.1.5)")
    if cancellation.sequence == event.sequence and stamped and sent < have:
        raise ValueError(f"the cancel is of version {cancellation.sequence}, stamped {_fmt_utc(sent)}, and the "
                         f"event's version {event.sequence} is stamped later ({_fmt_utc(have)}): it is out of date "
                         f"(RFC 5546 2.1.5)")


def _cancel_applied(event: Event, cancellation: Event, attendee: Attendee | str | None) -> Event:
    """apply_cancel() of one cancel whose version is checked."""
    whole = cancellation.status == "CANCELLED"
    if not whole and not cancellation.attendees:
        raise ValueError("the cancel neither cancels the event (STATUS:CANCELLED) nor names the attendees "
                         "it un-invites")
    whole = whole or _uninvites(cancellation, attendee)
    sequence = max(event.sequence, cancellation.sequence)
    zone = _series_zone(event)
    rid = _in_zone(cancellation.recurrence_id, zone) if event.recurrence_id is None else None  # (an override: all)
    future = rid is not None and _this_and_future(cancellation)
    if future and not whole:
        first = next(occurrences(event), None)
        if first is not None and _earlier(first, rid, zone):
            raise ValueError(f"the cancel un-invites attendees from the occurrence {rid} on, which the series "
                             f"cannot record: end the series there (RRULE UNTIL) and keep the rest as an event "
                             f"of its own")
        rid = None  # from the first occurrence on: the whole series
    if rid is not None:
        if not whole:
            raise ValueError(f"the cancel un-invites attendees from the occurrence {rid} alone, which the "
                             f"series cannot record: keep that occurrence as an event of its own (update() "
                             f"with recurrence_id) and apply the cancel to it")
        if future:
            changed = _ended_before(event, rid, sequence)
        elif _excluded(rid, event.exdates, zone) or not _goes_on(event, rid):
            if sequence == event.sequence:  # (past its end)
                return event
            changed = replace(event, sequence=sequence)
        else:
            try:
                _occurrence(event, rid, "cancel")  # an occurrence of the series, or a ValueError saying why not
            except ValueError as exc:
                if cancellation.sequence <= event.sequence + 1:
                    raise
                raise ValueError(f"{exc} (the cancel is of version {cancellation.sequence} and this copy of "
                                 f"version {event.sequence}: it may have missed the update that moved the series)"
                                 ) from None
            if isinstance(zone, ZoneInfo) and isinstance(rid, datetime) and rid.utcoffset() is not None:
                rid = _real_time(rid, zone)  # one zone for the series' times
            changed = replace(event, exdates=(*event.exdates, rid), sequence=sequence)
    elif whole:
        changed = replace(event, status="CANCELLED", sequence=sequence)
    else:
        changed = replace(event, sequence=sequence, attendees=tuple(
            a for a in event.attendees if not any(_same_address(a.email, b.email) for b in cancellation.attendees)))
    _keep_params(event, changed)
    return changed


def _goes_on(series: Event, when: date | datetime) -> bool:
    """Whether the series has an occurrence at ``when`` or after (so it seems, past what a walk
    to it may cost: COUNT=999999999 of seconds)."""
    try:
        return next(_walk_from(series, when), None) is not None
    except _OverBudget:
        return True


def _walk_from(series: Event, since: date | datetime | None) -> Iterator[date | datetime]:
    """occurrences(series, start=since), within what a walk to one occurrence may cost (a COUNT
    rule is walked from its first): _OverBudget past it."""
    lo = None if since is None else _bound(since, series.start, "recurrence_id")
    return _occurrences(series, _Plan.of(series), lo, None, _Budget(_SERIES_SEARCH_STEPS))


def _uninvites(cancellation: Event, attendee: Attendee | str | None) -> bool:
    """Whether an un-invite (a CANCEL without STATUS) ends the copy of ``attendee``: it names them."""
    if cancellation.status == "CANCELLED" or attendee is None:
        return False
    me = _attendee(attendee).email
    return any(_same_address(me, a.email) for a in cancellation.attendees)


# --------------------------------------------------------------------------
# 8. Mail (RFC 6047 iMIP): the invitation as an e-mail message
# --------------------------------------------------------------------------

_WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_DAY_WORDS = MappingProxyType({"MO": "Monday", "TU": "Tuesday", "WE": "Wednesday", "TH": "Thursday",
                               "FR": "Friday", "SA": "Saturday", "SU": "Sunday"})
_FREQ_WORDS = MappingProxyType({"SECONDLY": "second", "MINUTELY": "minute", "HOURLY": "hour", "DAILY": "day",
                                "WEEKLY": "week", "MONTHLY": "month", "YEARLY": "year"})
_SUBJECT_PREFIXES = MappingProxyType({"CANCEL": "Cancelled: ", "ACCEPTED": "Accepted: ", "DECLINED": "Declined: ",
                                      "TENTATIVE": "Tentative: ", "DELEGATED": "Delegated: ",
                                      "COUNTER": "New time proposed: ", "DECLINECOUNTER": "Declined: "})
_PHRASE_SPECIALS_RE = _LazyRegex(r'[()<>@,;:\\".\[\]]')


def _fmt_day(d: date) -> str:
    return f"{_WEEKDAY_NAMES[d.weekday()]} {d.day} {_MONTH_NAMES[d.month - 1]} {d.year}"


def _zone_label(dt: datetime) -> str:
    tz = dt.tzinfo
    if tz is None:
        return "floating time"
    if tz is UTC:
        return "UTC"
    if isinstance(tz, ZoneInfo) and tz.key:
        return tz.key
    if isinstance(tz, (_VZone, _UnknownZone)):
        return tz.tzid
    return dt.strftime("UTC%z")


def _describe_when(ev: Event, zone: tzinfo | None = None) -> str:
    """``Tue 1 Dec 2026 10:00–10:45 (Europe/London)``; in ``zone`` when given.

    >>> _describe_when(Event("x", date(2027, 3, 3), date(2027, 3, 6)))
    'Wed 3 Mar 2027 – Fri 5 Mar 2027 (all day)'
    """
    start, end = ev.start, ev.end_time
    if start is None:
        return "(no start)"
    if type(end) is not type(start):
        end = None  # read from a file that mixes dates and times: the start says enough
    if not isinstance(start, datetime):
        last = end - timedelta(days=1) if end is not None and end > start else start
        span = _fmt_day(start) if last == start else f"{_fmt_day(start)} – {_fmt_day(last)}"
        return f"{span} (all day)"
    if start.utcoffset() is not None:  # the end, and a start the clocks skip, told on one clock
        clock = zone if zone is not None else start.tzinfo
        try:
            start = start.astimezone(UTC).astimezone(clock)
            end = end.astimezone(UTC).astimezone(clock) if isinstance(end, datetime) and \
                end.utcoffset() is not None else None
        except OverflowError:  # at the very ends of datetime's range
            if zone is not None:
                return _describe_when(ev)
            start, end = ev.start, None
    text = f"{_fmt_day(start)} {start:%H:%M}"
    if isinstance(end, datetime) and end != start:
        text += f"–{end:%H:%M}" if end.date() == start.date() else f" – {_fmt_day(end)} {end:%H:%M}"
    return f"{text} ({_zone_label(start)})"


def _describe_rrule(rule: str, start: date | datetime | None = None) -> str:
    """Words for the usual rules; the rule itself for the rest.  A UTC UNTIL is told as the
    day it is in the zone of ``start``, the series' own.

    >>> _describe_rrule("FREQ=WEEKLY;BYDAY=MO,WE;COUNT=10")
    'every week on Monday, Wednesday, 10 times'
    >>> _describe_rrule("FREQ=DAILY;UNTIL=20270101T045959Z", datetime(2026, 12, 1, tzinfo=ZoneInfo("America/Toronto")))
    'every day, until 2026-12-31'
    """
    try:
        parts = _parse_rrule(rule)
    except ValueError:
        return rule
    known = {"FREQ", "INTERVAL", "COUNT", "UNTIL", "BYDAY", "WKST"}
    if set(parts) - known or any(c.isdigit() for c in parts.get("BYDAY", "")):
        return rule
    interval = int(parts.get("INTERVAL", "1"))
    unit = _FREQ_WORDS[parts["FREQ"]]
    text = f"every {unit}" if interval == 1 else f"every {interval} {unit}s"
    if "BYDAY" in parts:
        text += " on " + ", ".join(_DAY_WORDS[d] for d in parts["BYDAY"].split(","))
    if "COUNT" in parts:
        text += f", {parts['COUNT']} times"
    if "UNTIL" in parts:
        text += f", until {_until_day(parts['UNTIL'], start)}"
    return text


def _until_day(until: str, start: date | datetime | None) -> str:
    """``2026-12-31``: the last day an UNTIL leaves the series, in the zone of a series starting
    at ``start``: the day before the UNTIL's when that comes before the start's time of day
    (the cut of a series ended before an occurrence, at 10:59:59 of an 11:00 one)."""
    m = _DATETIME_RE.match(until)
    if m and isinstance(start, datetime):
        try:
            local = datetime(*map(int, m.groups()[:6]))
            if m.group(7) and start.tzinfo is not None:
                local = local.replace(tzinfo=UTC).astimezone(start.tzinfo)
        except (ValueError, OverflowError):  # no such time, or beyond the years dates hold there
            pass
        else:
            day = local.date() - timedelta(days=1) if local.time() < start.time() else local.date()
            return day.isoformat()
    return f"{until[:4]}-{until[4:6]}-{until[6:8]}"


def _describe_dates(values: Sequence[Any], start: date | datetime | None = None) -> str:
    """``Tue 8 Dec 2026 09:30, Tue 15 Dec 2026 09:30 and 3 more``; a PERIOD by its start; times
    of another zone on the clock of the series' ``start``."""
    clock = start.tzinfo if isinstance(start, datetime) and start.utcoffset() is not None else None
    texts = []
    for value in values[:5]:
        when = value[0] if isinstance(value, tuple) else value
        if clock is not None and isinstance(when, datetime) and when.utcoffset() is not None:
            try:
                when = when.astimezone(UTC).astimezone(clock)
            except OverflowError:
                pass
        texts.append(f"{_fmt_day(when)} {when:%H:%M}" if isinstance(when, datetime) else _fmt_day(when))
    more = f" and {len(values) - 5} more" if len(values) > 5 else ""
    return ", ".join(texts) + more


def _person_text(p: Attendee | Organizer) -> str:
    return f"{p.name} <{p.email}>" if p.name else p.email


def _summary_text(ev: Event, method: str | None) -> str:
    """The readable text/plain part: what, when, where, who, and the description."""
    title = ev.summary or "(no title)"
    lines = []
    if method == "CANCEL" and ev.recurrence_id is not None and _this_and_future(ev):
        lines += [f"This event has been cancelled from {_describe_dates((ev.recurrence_id,))} on.", ""]
    elif method == "CANCEL" and ev.recurrence_id is not None:
        lines += [f"The occurrence of {_describe_dates((ev.recurrence_id,))} has been cancelled; the others stay.", ""]
    elif method == "CANCEL":
        lines += ["This event has been cancelled.", ""]
    elif method == "REPLY" and ev.attendees:
        a = ev.attendees[0]
        which = f" for the occurrence of {_describe_dates((ev.recurrence_id,))}" if ev.recurrence_id is not None else ""
        lines += [f"{_person_text(a)} has replied{which}: {a.partstat.lower()}.", ""]
    elif method == "REQUEST" and ev.recurrence_id is not None:
        lines += [f"The occurrence of {_describe_dates((ev.recurrence_id,))} has been changed.", ""]
    elif method == "REQUEST" and ev.sequence > 0:
        lines += ["This event has been updated.", ""]
    lines.append(title)
    lines.append("")
    rows = [("When", _describe_when(ev))]
    if ev.location:
        rows.append(("Where", ev.location))
    if ev.rrule:
        rows.append(("Repeats", _describe_rrule(ev.rrule, ev.start)))
    if ev.rdates:
        rows.append(("Also on", _describe_dates(ev.rdates, ev.start)))
    if ev.exdates:
        rows.append(("Except", _describe_dates(ev.exdates, ev.start)))
    if ev.organizer is not None:
        rows.append(("Organizer", _person_text(ev.organizer)))
    if ev.attendees and method != "REPLY":
        who = [_person_text(a) + (" (optional)" if a.role == "OPT-PARTICIPANT" else "") for a in ev.attendees]
        rows.append(("Attendees", ", ".join(who)))
    if ev.url:
        rows.append(("Link", ev.url))
    lines += [f"{name + ':':<11}{value}".replace("\r\n", " ").replace("\n", " ") for name, value in rows]
    comment = next((p.value for p in ev.extra if p.name == "COMMENT" and isinstance(p.value, str)), None)
    if comment:
        lines += ["", comment]
    if ev.description:
        lines += ["", ev.description.replace("\r\n", "\n").replace("\r", "\n")]
    return "\n".join(lines) + "\n"


# -- headers, encoded by hand (RFC 5322, RFC 2047) so none is parsed twice

# What a mail header carries as an address: an ASCII dot-atom (RFC 5322 3.4.1), host names or
# an address literal after the @.  Readers turn anything looser into an empty or other address.
_MAIL_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_MAIL_ADDRESS_RE = _LazyRegex(rf"{_MAIL_ATOM}(?:\.{_MAIL_ATOM})*@(?:[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*"
                              rf"|\[[\x21-\x5a\x5e-\x7e]+\])\Z")


def _mail_address(value: Attendee | Organizer | str, what: str) -> tuple[str, str | None]:
    """(addr-spec, display name) for a mail header; refuses what would break the header."""
    if isinstance(value, (Attendee, Organizer)):
        address, name = value.email, value.name
    else:
        address, name = _person_parts(value, what)
    if not address.isascii():
        raise ValueError(f"{what}: {address!r} cannot go into a mail header: internationalised addresses "
                         f"are not supported (write the domain in its ASCII form, e.g. xn--...)")
    if "=?" in address:
        raise ValueError(f"{what}: {address!r} cannot go into a mail header: readers would decode its =?...?= "
                         f"as an RFC 2047 encoded word")
    if not _MAIL_ADDRESS_RE.match(address):
        raise ValueError(f"{what}: {address!r} cannot go into a mail header: it needs words of letters, digits "
                         f"and !#$%&'*+/=?^_`{{|}}~- joined by single dots, an @ and a host name (RFC 5322 3.4.1)")
    local = address.rpartition("@")[0]
    if len(local) > 64 or len(address) > 254:
        raise ValueError(f"{what}: {address[:80]!r}... is longer than a mail address can be "
                         f"(RFC 5321 4.5.3.1: 64 characters before the @, 254 in all)")
    if name is not None and _HEADER_BAD_RE.search(name):
        raise ValueError(f"{what}: the name {name!r} contains a control character (CR, LF, ...)")
    return address, name


def _encoded_words(text: str, first: int) -> str:
    """``text`` as RFC 2047 "B" encoded-words of whole characters, in lines of at most 76
    columns (RFC 2047 2); ``first`` is how many columns the header name already takes.

    >>> print(_encoded_words("é" * 30, 9))
    =?utf-8?b?w6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6k=?=
     =?utf-8?b?w6nDqcOpw6nDqcOpw6nDqcOpw6nDqQ==?=
    """
    import base64
    lines, line, width = [], [], first
    i = 0
    while i < len(text):
        room = (76 - width - (1 if line else 0) - 12) // 4 * 3  # octets: 4 base64 columns per 3
        j, size = i, 0
        while j < len(text):
            size += len(text[j].encode())
            if size > room:
                break
            j += 1
        if j == i:  # not one more character fits on this line
            lines.append(" ".join(line))
            line, width = [], 1
            continue
        word = f"=?utf-8?b?{base64.b64encode(text[i:j].encode()).decode()}?="
        width += len(word) + (1 if line else 0)
        line.append(word)
        i = j
    lines.append(" ".join(line))
    return "\n ".join(lines)


def _header_text(text: str, name: str) -> str:
    """An unstructured header value (Subject): plain ASCII folded at spaces, else encoded-words."""
    if _HEADER_BAD_RE.search(text):
        raise ValueError(f"{name} contains a control character (CR, LF, ...): {text!r}")
    first = len(name) + 2
    if text.isascii() and "=?" not in text and all(first + len(w) <= 78 for w in text.split(" ")):
        lines, line = [], ""
        for word in text.split(" "):
            if line and first + len(line) + 1 + len(word) > 78:
                lines.append(line)
                line, first = word, 1
            else:
                line = f"{line} {word}" if line else word
        lines.append(line)
        return "\n ".join(lines)
    return _encoded_words(text, first)


def _address_header(people: Sequence[tuple[str, str | None]], name: str) -> str:
    """``Name <a@x>, "Doe, Jane" <b@x>``: on one line when it fits, else one address per line.

    No line is longer than 76 columns (RFC 2047 2) unless an address alone is:
    the email package refolds longer lines, and in doing so it can drop the
    quotes around a name, turning "Smith, John" into two addresses.
    """
    items = []  # (phrase, address, whether the phrase is to be encoded)
    for address, display in people:
        if not display:
            items.append((None, address, False))
        elif display.isascii() and len(display) < 60 and "=?" not in display:
            phrase = display
            if _PHRASE_SPECIALS_RE.search(display) or display != display.strip():
                phrase = '"' + display.replace("\\", "\\\\").replace('"', '\\"') + '"'
            items.append((phrase, address, False))
        else:
            items.append((display, address, True))  # encoded below, where its column is known
    if not any(encode for _, _, encode in items):
        simple = ", ".join(f"{phrase} <{address}>" if phrase else address for phrase, address, _ in items)
        if len(name) + 2 + len(simple) <= 76:
            return simple
    lines = []
    for i, (phrase, address, encode) in enumerate(items):
        column = len(name) + 2 if i == 0 else 1
        if phrase is None:
            lines.append(address)
            continue
        if encode:
            phrase = _encoded_words(phrase, column)
        last = phrase.rpartition("\n")[2]
        width = (0 if "\n" in phrase else column) + len(last) + len(address) + 4  # " <>" and the comma
        lines.append(f"{phrase} <{address}>" if width <= 76 else f"{phrase}\n <{address}>")
    return ",\n ".join(lines)


def _encode_body(text: str) -> tuple[str, str]:
    """(Content-Transfer-Encoding, payload) for a text part: 7bit when it can be, else quoted-printable."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if text.isascii() and all(len(line) <= 76 for line in text.split("\n")) and not _CONTROL_RE.search(text):
        return "7bit", text
    import quopri
    return "quoted-printable", quopri.encodestring(text.encode()).decode("ascii")


def _base64_body(data: bytes) -> str:
    import base64
    return base64.encodebytes(data).decode("ascii")


def _mime_part(policy: Any, content_type: str, cte: str, payload: str, disposition: str | None = None) -> Any:
    from email.message import MIMEPart
    part = MIMEPart(policy)
    part.set_raw("Content-Type", content_type)
    part.set_raw("Content-Transfer-Encoding", cte)
    if disposition:
        part.set_raw("Content-Disposition", disposition)
    part.set_payload(payload)
    return part


def _boundary() -> str:
    return "=_icsmail_" + os.urandom(12).hex()


def _sent_by(person: Any, sender: str) -> Any:
    """``person`` with SENT-BY ``sender`` (RFC 5545 3.2.18) unless it is that person."""
    if _same_address(person.email, sender):
        return person
    return replace(person, sent_by=sender)


def build_message(item: Event | Calendar, *, method: str | None = None, sender: Any = None,
                  recipients: Iterable[Any] | None = None, subject: str | None = None,
                  text: str | None = None, html: str | None = None, cc: Iterable[Any] | None = None,
                  bcc: Iterable[Any] | None = None) -> "email.message.EmailMessage":
    """An iMIP e-mail (RFC 6047) that calendar clients show with Accept / Decline.

    The tree is multipart/mixed: a multipart/alternative of text/plain (a
    readable summary, or ``text``), optional text/html and
    ``text/calendar; method=...``, then the same calendar bytes as an
    ``invite.ics`` attachment, both base64 so no relay touches the CRLFs.
    From is the organizer (the attendee for a REPLY); a different ``sender``
    goes into From with ``SENT-BY`` on the organizer and Reply-To the
    organizer.  To is the attendees of all its events (never the organizer) unless
    ``recipients`` is given.  DTSTAMP is when the message is made.  ``method`` defaults to the calendar's, else
    CANCEL for what ``cancel()`` made, REPLY for what ``reply()`` made, else
    REQUEST.  Bcc addresses are never written into the message: they ride on
    the object as ``msg.bcc`` (a tuple), and ``send()`` delivers to them.

    >>> ev = Event("Design review", datetime(2026, 12, 1, 10, tzinfo=UTC), uid="r1",
    ...            organizer="alice@example.com", attendees=["Bob <bob@example.com>"])
    >>> msg = build_message(ev)
    >>> msg["To"], [p.get_content_type() for p in msg.walk()]  # doctest: +NORMALIZE_WHITESPACE
    ('Bob <bob@example.com>',
     ['multipart/mixed', 'multipart/alternative', 'text/plain', 'text/calendar', 'application/ics'])
    """
    import email.policy
    import email.utils
    from email.message import EmailMessage, MIMEPart
    if isinstance(item, Event):
        cal = Calendar((item,))
    elif isinstance(item, Calendar):
        cal = item
    else:
        raise TypeError(f"expected an Event or a Calendar, not {type(item).__name__}")
    if not (method or cal.method) and cal.events:  # what cancel() made goes as a CANCEL unless told otherwise
        first = cal.events[0]
        method = "CANCEL" if first.status == "CANCELLED" or first._uninvite else "REPLY" if first._reply else "REQUEST"
    method = _token(method or cal.method or "REQUEST", _METHODS, "method")
    if not cal.events:
        raise ValueError("the calendar has no event to send")
    if method != "PUBLISH" and len({e.uid for e in cal.events}) > 1:
        raise ValueError(f"one {method} mail is about one event (one UID and its occurrences): "
                         f"this calendar has {len({e.uid for e in cal.events})}; build one message per event")
    _check_method(cal, method)
    for ev in cal.events if method == "CANCEL" else ():
        if ev.status != "CANCELLED" and not ev._uninvite and not ev._as_read:
            raise ValueError(f"a CANCEL of event {ev.uid!r} without STATUS:CANCELLED would only un-invite its "
                             f"attendees (RFC 5546 3.2.5), under the SEQUENCE they have: send cancel(event), or "
                             f"cancel(event, attendees=[...]) to un-invite some")
    first = cal.events[0]
    organizer = first.organizer
    replying = method in ("REPLY", "COUNTER", "REFRESH")
    author = first.attendees[0] if replying and first.attendees else organizer
    if author is None:
        raise ValueError(f"a {method} mail needs an organizer to send it")
    stamp = _now()
    events = tuple(_as_sent(e, stamp) for e in cal.events)
    if sender is not None:
        sender_address, sender_name = _mail_address(sender, "sender")
        if not _same_address(sender_address, author.email):
            if replying:
                events = tuple(replace(e, attendees=tuple(_sent_by(a, sender_address) for a in e.attendees))
                               for e in events)
            else:
                events = tuple(replace(e, organizer=_sent_by(e.organizer, sender_address)) for e in events)
    else:
        sender_address, sender_name = _mail_address(author, "organizer")
    if recipients is None:
        if replying:
            people: list = [organizer] if organizer is not None else []
        else:
            # everyone any component invites: a guest of one occurrence (an override) included
            people = [a for e in events for a in e.attendees
                      if organizer is None or not _same_address(a.email, organizer.email)]
    else:
        people = list(_as_tuple(recipients))
    to = [_mail_address(p, "recipient") for p in people]
    if not replying and organizer is not None:  # the organizer answers nothing: never among the recipients
        to = [p for p in to if not _same_address(p[0], organizer.email)]
    to = [p for p in to if not _same_address(p[0], sender_address)] or to
    to = _each_once(to, key=lambda p: p[0])
    if not to:
        why = ("a PUBLISH has no attendees" if method == "PUBLISH" else
               "its only attendee is the organizer, who is never a recipient" if recipients is None else
               "the recipients given are the organizer or the sender")
        raise ValueError(f"nobody to send the {method} to ({why}): give recipients")
    copies = [_mail_address(p, "cc") for p in _as_tuple(cc)] if cc else []
    hidden = [_mail_address(p, "bcc") for p in _as_tuple(bcc)] if bcc else []
    if copies or hidden:  # each address once, where it is most visible: To, then Cc, then Bcc
        taken = {address.lower() for address, _ in to}
        copies = _each_once((p for p in copies if p[0].lower() not in taken), key=lambda p: p[0])
        taken.update(address.lower() for address, _ in copies)
        hidden = _each_once((p for p in hidden if p[0].lower() not in taken), key=lambda p: p[0])
    if subject is None:
        key = first.attendees[0].partstat if method == "REPLY" and first.attendees else method
        prefix = _SUBJECT_PREFIXES.get(key, "Updated: " if method == "REQUEST" and first.sequence else "")
        subject = prefix + " ".join((first.summary or "(no title)").split())
        if first.recurrence_id is not None:  # one occurrence of a series: say which
            on = _describe_dates((first.recurrence_id,))
            subject += f" (from {on} on)" if method == "CANCEL" and _this_and_future(first) else f" ({on})"
    elif not isinstance(subject, str):
        raise TypeError(f"subject must be a str, not {type(subject).__name__}")

    calendar = _raw(Calendar, dict(events=events, method=method, prodid=cal.prodid, name=cal.name,
                                   components=cal.components, extra=cal.extra, timezones=cal.timezones,
                                   warnings=[]))
    ics = dumps(calendar, method=method).encode()
    policy = email.policy.SMTP  # CRLF line ends, as RFC 5322 wants, also in bytes(msg) saved as .eml
    msg = EmailMessage(policy)
    msg.set_raw("From", _address_header([(sender_address, sender_name)], "From"))
    msg.set_raw("To", _address_header(to, "To"))
    if copies:
        msg.set_raw("Cc", _address_header(copies, "Cc"))
    if not _same_address(sender_address, author.email):
        msg.set_raw("Reply-To", _address_header([_mail_address(author, "organizer")], "Reply-To"))
    msg.set_raw("Subject", _header_text(subject, "Subject"))
    msg.set_raw("Date", email.utils.format_datetime(datetime.now(UTC)))
    msg.set_raw("Message-ID", email.utils.make_msgid(domain=sender_address.rpartition("@")[2]))
    msg.set_raw("MIME-Version", "1.0")
    msg.set_raw("Content-Class", "urn:content-classes:calendarmessage")
    outer, inner = _boundary(), _boundary()
    msg.set_raw("Content-Type", f'multipart/mixed; boundary="{outer}"')
    alternative = MIMEPart(policy)
    alternative.set_raw("Content-Type", f'multipart/alternative;\n boundary="{inner}"')
    cte, body = _encode_body(text if text is not None else _summary_text(events[0], method))
    alternative.attach(_mime_part(policy, 'text/plain; charset="utf-8"', cte, body))
    if html is not None:
        cte, body = _encode_body(html)
        alternative.attach(_mime_part(policy, 'text/html; charset="utf-8"', cte, body))
    encoded = _base64_body(ics)
    alternative.attach(_mime_part(policy, f'text/calendar; charset="UTF-8"; method={method}', "base64", encoded))
    msg.attach(alternative)
    msg.attach(_mime_part(policy, 'application/ics; name="invite.ics"', "base64", encoded,
                          'attachment; filename="invite.ics"'))
    if hidden:
        msg.bcc = tuple(address for address, _ in hidden)
    return msg


# --------------------------------------------------------------------------
# 9. SMTP: one connection for many messages, TLS, faults reported exactly
# --------------------------------------------------------------------------

_DOT_RE = _LazyRegex(rb"^\.", re.MULTILINE)
_LINE_END_RE = _LazyRegex(rb"\r\n|\r|\n")
_FIELD_RE = _LazyRegex(rb"^([!-9;-~]+)[ \t]*:(.*(?:\n[ \t].*)*)", re.MULTILINE)  # a header field, unfolded below
_BCC_RE = _LazyRegex(rb"^(?:Resent-)?Bcc[ \t]*:[^\n]*\n(?:[ \t][^\n]*\n)*", re.IGNORECASE | re.MULTILINE)


@dataclass(frozen=True)
class _Server:
    scheme: str
    host: str
    port: int
    user: str | None

    def __str__(self) -> str:
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"  # [::1]:25

    @property
    def loopback(self) -> bool:
        if self.host.lower() == "localhost":
            return True
        import ipaddress
        try:
            return ipaddress.ip_address(self.host.strip("[]")).is_loopback
        except ValueError:
            return False


def _parse_smtp_url(url: str) -> _Server:
    """``smtp://[user@]host[:port]`` (STARTTLS when offered) or ``smtps://`` (TLS, port 465).

    >>> _parse_smtp_url("smtp://alice%40example.com@mail.example.com:587")
    _Server(scheme='smtp', host='mail.example.com', port=587, user='alice@example.com')
    """
    from urllib.parse import unquote, urlsplit
    if not isinstance(url, str) or _LINE_BAD_RE.search(url):
        raise ValueError("the SMTP URL must be a one-line str like smtp://user@host:587")
    shown = _shown_url(url.strip())
    if any(c.isspace() for c in url.strip()):  # (urlsplit drops tabs inside: "ho\tst" would be "host")
        raise ValueError(f"the SMTP URL has a space in it: {shown!r}")
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname  # ('[zz]' raises only here)
        if host and "%25" in host:  # an IPv6 zone in a URL: [fe80::1%25eth0] (RFC 6874)
            host = unquote(host)
    except ValueError as exc:  # a bracket unclosed, an IPv6 address that is none
        raise ValueError(f"the SMTP URL is malformed ({exc}): {shown!r}") from None
    if parts.scheme not in ("smtp", "smtps"):
        raise ValueError(f"the SMTP URL must start with smtp:// or smtps://, not {shown!r}")
    if parts.password is not None:
        raise ValueError("the SMTP URL must not carry a password: set ICSMAIL_SMTP_PASSWORD instead")
    try:
        port = parts.port
    except ValueError:
        port = 0
    if port == 0:  # not shown: a password typed into the URL would be read as the port
        raise ValueError("the SMTP URL has an invalid port: give a number after the host, as in smtp://host:587")
    if not host:
        raise ValueError(f"the SMTP URL names no host: {shown!r}")
    if not _SMTP_HOST_RE.fullmatch(host):  # a space would be looked up as part of the name
        raise ValueError(f"the SMTP URL's host {host!r} is not a host name or IP address: {shown!r}")
    given = parts.netloc.rpartition("@")[2]
    if not _SMTP_HOSTPORT_RE.fullmatch(given):  # [::1]]:25, [v1.x]
        raise ValueError(f"the SMTP URL's host and port {given!r} are malformed: {shown!r}")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ValueError(f"the SMTP URL has a path or query it does not need: {shown!r}")
    default = 465 if parts.scheme == "smtps" else 25
    user = unquote(parts.username) if parts.username else None
    return _Server(parts.scheme, host, default if port is None else port, user)


_SMTP_HOST_RE = _LazyRegex(r"[\w.-]+|[0-9a-f:.]+(?:%[\w.-]+)?")  # a name, IPv4, or IPv6 (its [brackets] gone)
_SMTP_HOSTPORT_RE = _LazyRegex(r"(?:[\w.-]+|\[[0-9A-Fa-f:.]+(?:%[\w.-]+)?\])(?::\d*)?")  # as in the URL
_URL_SCHEME_RE = _LazyRegex(r"[A-Za-z][A-Za-z0-9+.-]*:?/*")


def _shown_url(url: str) -> str:
    """``url`` for an error message: what stands before its last @ may hold a password, so it goes.

    >>> _shown_url("smtp//alice:secret@mail.example.com")
    'smtp//...@mail.example.com'
    """
    head, at, host = url.rpartition("@")
    if not at:
        return url
    scheme = _URL_SCHEME_RE.match(head)
    return f"{scheme.group() if scheme else ''}...@{host}"


_BOUNDARY_RE = _LazyRegex(r'boundary\s*=\s*(?:"([^"]+)"|([^\s;"]+))', re.IGNORECASE)


def _flatten_mime(part: Any, out: list, top: bool) -> bool:
    """Append the wire text of ``part`` when every header is raw text, as build_message
    and the parser leave them; False when the email package's generator is needed.

    Serialising this way costs almost nothing, where the generator parses every
    Content-Type header again: that is most of the time of a send.
    """
    content_type = None
    for name, value in part.raw_items():
        if type(value) is not str:
            return False
        lower = name.lower()
        if top and lower == "bcc":
            continue
        if lower == "content-type":
            content_type = value
        out.append(f"{name}: {_crlf(value)}\r\n")
    out.append("\r\n")
    # The payload as stored: get_payload() would parse Content-Transfer-Encoding
    # again on every call, which costs more than all the rest of a send.
    payload = getattr(part, "_payload", None)
    if isinstance(payload, list):
        m = _BOUNDARY_RE.search(content_type or "")
        if not payload or not m or part.preamble is not None or part.epilogue is not None:
            return False
        boundary = m.group(1) or m.group(2)
        for i, sub in enumerate(payload):
            out.append(f"--{boundary}\r\n" if i == 0 else f"\r\n--{boundary}\r\n")
            if not _flatten_mime(sub, out, False):
                return False
        out.append(f"\r\n--{boundary}--\r\n")
        return True
    if type(payload) is not str:
        return False
    out.append(_crlf(payload))
    return True


def _crlf(text: str) -> str:
    """``text`` with every line end CRLF: SMTP allows no bare CR or LF (RFC 5321 2.3.8)."""
    if "\n" not in text and "\r" not in text:
        return text
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.replace("\n", "\r\n")


def _without_bcc(data: bytes) -> bytes:
    """CRLF line ends (SMTP allows no bare CR or LF), and the header block without its Bcc fields."""
    data = _LINE_END_RE.sub(b"\r\n", data)
    head, sep, body = data.partition(b"\r\n\r\n")
    head = _BCC_RE.sub(b"", head.replace(b"\r\n", b"\n") + b"\n").replace(b"\n", b"\r\n")[:-2]
    return head + sep + body


def _wire_bytes(msg: Any) -> tuple[bytes, str, list[str], str]:
    """(bytes to transmit, envelope sender, envelope recipients, Message-ID) of one message.

    The bytes have CRLF line ends and no Bcc header; the recipients are
    To + Cc + Bcc, each once (of a message resent, its Resent-To, -Cc and -Bcc,
    from its Resent-From).  The message itself is not changed.
    """
    if isinstance(msg, (bytes, bytearray)):
        raw = bytes(msg)
        if raw.startswith(b"\xef\xbb\xbf"):  # a byte order mark: saved by a Windows editor
            raw = raw[3:]
        envelope = _MBOX_START_RE.match(raw)
        if envelope:  # an mbox's envelope line, not a header
            count = len(_mbox_messages(raw))
            if count > 1:
                raise ValueError(f"this is an mbox of {count} messages: send each as a file of its own")
            raw = raw[envelope.end():]
        data = _without_bcc(raw)
        head = _LINE_END_RE.sub(b"\n", raw).partition(b"\n\n")[0]  # with its Bcc fields
        fields = {}
        for name, value in _FIELD_RE.findall(head):  # also the obsolete "Bcc :" (RFC 5322 4.5)
            fields.setdefault(name.decode("ascii").lower(), []).append(  # (UTF-8 headers: RFC 6532)
                value.decode("utf-8", "surrogateescape").replace("\n", " "))
    else:
        fields = {}
        for name, value in msg.raw_items():
            text = str(value)
            if not text.isascii():  # UTF-8 bytes the email package parsed keep as surrogate escapes
                text = text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
            fields.setdefault(name.lower(), []).append(text)
        hidden = getattr(msg, "bcc", None)  # build_message(bcc=...) keeps them off the headers
        if hidden:
            fields.setdefault("bcc", []).extend([hidden] if isinstance(hidden, str) else map(str, hidden))
        out: list[str] = []
        data = None
        if _flatten_mime(msg, out, True):
            try:
                data = "".join(out).encode("ascii")
            except UnicodeEncodeError:
                pass
        if data is None:
            import email.policy
            policy = (msg.policy if msg.policy is not None else email.policy.compat32).clone(linesep="\r\n")
            named = [fields.get(name, []) for name in ("from", "sender", "to", "cc")]
            if not all(a.isascii() for values in named for a in _header_addresses(values)) \
                    and isinstance(policy, email.policy.EmailPolicy):  # an address an encoded word cannot hold
                policy = policy.clone(utf8=True)  # (RFC 2047 5): sent as UTF-8, SMTPUTF8 (RFC 6532)
            data = _without_bcc(msg.as_bytes(policy=policy))
    resent_dates = fields.get("resent-date", [])
    if len(resent_dates) > 1:  # (RFC 5322 3.6.6; as smtplib.send_message decides)
        raise ValueError(f"the message was resent {len(resent_dates)} times: which Resent-* block says "
                         f"where it goes now is not clear; remove the older blocks")
    resent = "resent-" if resent_dates else ""  # sent on again: its Resent-* block says to whom
    sender = _header_addresses(fields.get(resent + "sender") or fields.get(resent + "from") or fields.get("sender")
                               or fields.get("from") or [])
    if not sender:
        raise ValueError("the message has no From address to send it from")
    found = fields.get(resent + "to", []) + fields.get(resent + "cc", []) + fields.get(resent + "bcc", [])
    recipients = _each_once(_header_addresses(found))
    if not recipients:
        raise ValueError(f"the message has no recipients ({'Resent-To, -Cc' if resent else 'To, Cc'} or Bcc)")
    for address in (sender[0], *recipients):  # an SMTP command would carry it as it is
        if not address.isprintable():
            raise ValueError(f"the message's address {address!r} holds a control character")
    message_id = " ".join((fields.get("message-id") or [""])[0].split()) or f"<message of {len(data)} bytes>"
    line = _long_line(data)
    if line:  # a server cuts it, or refuses the message (Exchange: 500 line too long)
        raise ValueError(f"line {line} of message {message_id} is longer than the 998 octets SMTP carries "
                         f"(RFC 5321 4.5.3.1.6): encode its body as quoted-printable or base64")
    return data, sender[0], recipients, message_id


def _long_line(data: bytes) -> int | None:
    r"""The number of the first line of ``data`` longer than 998 octets without its CRLF, if any.

    >>> _long_line(b"a\r\n" + b"b" * 999 + b"\r\n"), _long_line(b"a" * 998 + b"\r\n")
    (2, None)
    """
    lines = data.split(b"\n")
    if max(map(len, lines)) <= 998:  # (the usual case, decided in C)
        return None
    return next((i for i, line in enumerate(lines, 1) if len(line) - line.endswith(b"\r") > 998), None)


# The tokens of an address header: an <addr-spec> (1; 2 is its ">", empty when left open), a word or a
# quoted part of one (3), a comma between mailboxes (4), a comment (skipped), any other character.  Each
# character is read one way only, and a quote or comment left open runs to the end: linear time.
_ADDRESS_TOKEN_RE = _LazyRegex(
    r'(?s)<((?:"(?:[^"\\]|\\.)*(?:"|\\?\Z)|[^<>"])*)(>?)'
    r'|("(?:[^"\\]|\\.)*(?:"|\\?\Z)|[^\s,<>":;()]+)'
    r'|(,)|\((?:[^()\\]|\\.)*(?:\)|\\?\Z)|.')
_BARE_ADDRESS_RE = _LazyRegex(r'(?:"(?:[^"\\]|\\.)*"|[^\s,<>":;()@]+)@[^\s,<>":;()]+\Z')
_EMPTY_GROUP_RE = _LazyRegex(r"\s*(?:[^:\s][^:]*)?:\s*(?:;\s*)?\Z")  # undisclosed-recipients:;


def _header_addresses(values: Sequence[str]) -> list[str]:
    """The addr-specs of address header values (``Name <a@x>, "Doe, J" <b@x>, c@x``); in a mailbox
    with an ``<address>``, what stands before it is a name, even one that looks like an address.

    >>> _header_addresses(['"Doe, Jane" <jane@example.com>, bob@example.com (Bob), a@x.org <c@x.org>'])
    ['jane@example.com', 'bob@example.com', 'c@x.org']
    """
    found: list[str] = []
    for value in values:
        begun, angled, words, word_end = 0, [], [], -1
        for m in _ADDRESS_TOKEN_RE.finditer(value):
            angle, closed, word, comma = m.groups()
            if comma:
                found.extend(_mailbox_addresses(value[begun:m.start()], angled, words))
                begun, angled, words = m.end(), [], []
            elif word:
                if m.start() == word_end:  # "john.doe"@x: a quoted part and the rest, one word
                    words[-1] += word
                else:
                    words.append(word)
                word_end = m.end()
            elif closed and angle:
                angled.append(angle)
        found.extend(_mailbox_addresses(value[begun:], angled, words))
    return found


def _mailbox_addresses(mailbox: str, angled: list[str], words: list[str]) -> list[str]:
    """The address one mailbox of a header names: its ``<address>``, else its words that are
    addresses; a mailbox that names none is refused, never left out unsaid."""
    got = angled[:1] if angled else [w for w in words if _BARE_ADDRESS_RE.match(w)]
    if not got and mailbox.strip() and not _EMPTY_GROUP_RE.match(mailbox):
        raise ValueError(f"the message's address header holds {_short(mailbox.strip(), 60)!r}, which is "
                         f"no address to send to")
    return got


def _password(server: _Server, password: str | None) -> str:
    if password is not None:
        return password
    env = os.environ.get("ICSMAIL_SMTP_PASSWORD")
    if env is not None:
        return env
    if sys.stdin is not None and sys.stdin.isatty():
        import getpass
        try:
            return getpass.getpass(f"SMTP password for {server.user} at {server}: ")
        except EOFError:
            raise SendError(f"{server}: no password given for {server.user}") from None
    raise SendError(f"{server}: no password for {server.user}: set ICSMAIL_SMTP_PASSWORD")


def _connect(server: _Server, password: str | None, timeout: float, context: Any) -> "smtplib.SMTP":
    """An SMTP session, encrypted (STARTTLS, or TLS from the start for smtps://) and logged in."""
    import smtplib
    import ssl
    context = context or ssl.create_default_context()
    # local_hostname stops smtplib from asking DNS for this machine's name; the
    # EHLO then names the connection's own address, as RFC 5321 4.1.4 allows.
    cls = smtplib.SMTP_SSL if server.scheme == "smtps" else smtplib.SMTP
    kwargs = {"context": context} if server.scheme == "smtps" else {}
    try:
        smtp = cls(server.host, server.port, local_hostname="localhost", timeout=timeout, **kwargs)
    except BaseException as exc:
        raise _session_error(exc, server, timeout) from None
    try:
        address = smtp.sock.getsockname()[0]
        smtp.local_hostname = f"[IPv6:{address}]" if ":" in address else f"[{address}]"
        smtp.ehlo_or_helo_if_needed()  # HELO for the rare server without EHLO
        if server.scheme == "smtp" and smtp.has_extn("starttls"):
            smtp.starttls(context=context)
            smtp.ehlo()
        encrypted = server.scheme == "smtps" or isinstance(smtp.sock, ssl.SSLSocket)
        if server.user is not None:
            if not encrypted and not server.loopback:
                raise SendError(f"{server}: the server does not offer STARTTLS; refusing to send the password "
                                f"for {server.user} unencrypted")
            secret = _password(server, password)
            if not (server.user + secret).isascii():  # smtplib sends them as ASCII only
                raise SendError(f"{server}: the user name or password has non-ASCII characters, "
                                f"which this SMTP client cannot send")
            try:
                smtp.login(server.user, secret)
            except smtplib.SMTPAuthenticationError as exc:  # a server may echo what it was given
                raise smtplib.SMTPAuthenticationError(exc.smtp_code, _scrubbed(exc.smtp_error, secret)) from None
        return smtp
    except BaseException as exc:
        smtp.close()
        raise _session_error(exc, server, timeout) from None


def _scrubbed(reply: Any, secret: str) -> str:
    """A server's reply without the password in it, as given or as AUTH PLAIN/LOGIN sent it (base64).

    >>> _scrubbed(b"535 bad credentials for s3cret", "s3cret"), _scrubbed(b"535 AGJvAHB3MTIzNDU=", "pw12345")
    ('535 bad credentials for ***', '535 ***')
    """
    import base64
    import binascii
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
    if not secret:
        return text
    text = text.replace(secret, "***")

    def hidden(m: re.Match) -> str:  # what AUTH PLAIN or LOGIN sent, echoed in base64
        try:
            said = base64.b64decode(m.group(), validate=True)
        except (binascii.Error, ValueError):
            return m.group()
        return "***" if secret.encode() in said else m.group()
    return re.sub(r"[A-Za-z0-9+/]{4,}={0,2}", hidden, text)


def _timed_out(exc: BaseException | None) -> bool:
    """Whether a socket timeout is behind ``exc`` (smtplib reports one as a disconnection)."""
    import socket
    while exc is not None:
        if isinstance(exc, (socket.timeout, TimeoutError)):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def _session_error(exc: BaseException, server: _Server, timeout: float) -> BaseException:
    """The SendError that says which server and what failed; other exceptions unchanged."""
    import smtplib
    import ssl
    if isinstance(exc, SendError):
        return exc
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return SendError(f"{server}: authentication failed for {server.user} "
                         f"({exc.smtp_code} {_reply_text(exc.smtp_error)})")
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return SendError(f"{server}: {exc}")
    if isinstance(exc, ssl.SSLError):
        return SendError(f"{server}: TLS failed: {exc.reason or exc}")
    if _timed_out(exc):
        return SendError(f"{server}: no answer within {timeout} s")
    if isinstance(exc, smtplib.SMTPResponseException):
        return SendError(f"{server}: the server refused the session ({exc.smtp_code} "
                         f"{_reply_text(exc.smtp_error)})")
    if isinstance(exc, (OSError, smtplib.SMTPException)):
        return SendError(f"{server}: cannot talk to the server: {exc}")
    import binascii
    if isinstance(exc, (binascii.Error, UnicodeError)):  # a CRAM-MD5 challenge that is no base64, ...
        return SendError(f"{server}: the server's answer cannot be read: {exc}")
    return exc


def _reply_text(raw: Any) -> str:
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
    return " ".join(text.split())


class _Refused(Exception):
    """The server refused this message (not the connection)."""


def _transmit(smtp: "smtplib.SMTP", data: bytes, sender: str, recipients: list[str], more: bool = False) -> dict:
    """One message: MAIL, RCPT, DATA.  Returns the refused recipients.

    Raises _Refused when the server refuses the message, and lets
    connection errors through with ``data_sent`` set on them when the whole
    message had gone out (its fate is then unknown).  Recipients beyond what
    the server takes in one transaction (452) get the message in another
    (``more``: once it went to some, what happens there only refuses those).
    """
    options = []
    smtp.ehlo_or_helo_if_needed()  # an open connection given to send() may not have greeted yet
    head = data.partition(b"\r\n\r\n")[0]
    if not (head.isascii() and sender.isascii() and all(map(str.isascii, recipients))):
        if not smtp.has_extn("smtputf8"):
            raise _Refused("the message has non-ASCII addresses or headers and the server does not offer SMTPUTF8")
        options.append("SMTPUTF8")
    if not data.isascii():
        if not smtp.has_extn("8bitmime"):
            raise _Refused("the message has 8-bit content and the server does not offer 8BITMIME")
        options.append("BODY=8BITMIME")
    code, resp = smtp.mail(sender, options)
    if not 200 <= code < 300:  # RFC 5321 4.2: the first digit decides
        if code != 421:  # 421: the server is closing the connection
            _reset(smtp)
        hint = ": the server wants a login (smtp://user@host, password in ICSMAIL_SMTP_PASSWORD)" \
            if code == 530 else ""
        raise _Refused(f"sender {sender} refused ({code} {_reply_text(resp)}){hint}", code)
    refused, later = {}, []
    for i, rcpt in enumerate(recipients):
        code, resp = smtp.rcpt(rcpt)
        if code == 421:
            raise _Refused(f"recipient {rcpt}: {code} {_reply_text(resp)}", code)
        if code == 452 and len(refused) + len(later) < i:  # RFC 5321 3.5.3: too many recipients for
            later.append(rcpt)  # one transaction (some were taken): the rest go in another
        elif not 200 <= code < 300:  # 251 and 252 take it too
            refused[rcpt] = (code, resp)
    if later:
        deferred = set(later)
        recipients = [r for r in recipients if r not in deferred]
    if len(refused) == len(recipients):
        _reset(smtp)
        if more:
            return refused
        listed = "; ".join(f"{r}: {c} {_reply_text(t)}" for r, (c, t) in refused.items())
        raise _Refused(f"every recipient refused ({listed})")
    code, resp = smtp.docmd("DATA")
    if code != 354:
        if code != 421:
            _reset(smtp)
        raise _Refused(f"DATA refused ({code} {_reply_text(resp)})", code)
    body = _DOT_RE.sub(b"..", data)
    if not body.endswith(b"\r\n"):
        body += b"\r\n"
    smtp.send(body + b".\r\n")
    try:
        code, resp = smtp.getreply()
        if not (200 <= code < 300 or 400 <= code <= 599):  # no answer to the message: the session is out of step
            import smtplib
            raise smtplib.SMTPResponseException(code, f"unexpected reply {_reply_text(resp)[:60]!r} to the message")
    except BaseException as exc:  # Ctrl-C included
        exc.data_sent = True  # the server has the message but never said whether it took it
        raise
    if code >= 400:
        raise _Refused(f"message refused after DATA ({code} {_reply_text(resp)})", code)
    if later:
        import smtplib
        try:
            refused.update(_transmit(smtp, data, sender, later, more=True))
        except _Refused as exc:  # it went to the others: these it did not reach
            code = exc.args[1] if len(exc.args) > 1 else 451
            refused.update((rcpt, (code, f"not reached: {exc.args[0]}".encode())) for rcpt in later)
            if code == 421:
                smtp.close()  # the server is closing the session: the next message gets a new one
        except (OSError, smtplib.SMTPException) as exc:
            if getattr(exc, "data_sent", False):
                raise  # whether these got it too is unknown: so is the message
            refused.update((rcpt, (451, f"not reached: {exc}".encode())) for rcpt in later)
        except BaseException as exc:  # Ctrl-C: the message went (to some): never to be sent again
            exc.data_sent = True
            raise
    return refused


def _reset(smtp: "smtplib.SMTP") -> None:
    """RSET after a refusal, whose reason stands whatever the RSET gets.  A session the server
    ends there (421, or gone) is closed, so that the next message starts a new one."""
    import smtplib
    try:
        code, _ = smtp.rset()
    except (OSError, smtplib.SMTPException):
        code = 421
    if code == 421:
        smtp.close()


def send(messages: Any, smtp: Any = None, *, password: str | None = None, timeout: float = 30,
         ssl_context: Any = None) -> dict:
    """Send one message or many over ONE SMTP connection.

    ``smtp`` is ``smtp://[user@]host[:port]`` (STARTTLS when the server
    offers it; required before AUTH unless the host is loopback),
    ``smtps://host`` (TLS, port 465), an open ``smtplib.SMTP``, or None for
    the ``ICSMAIL_SMTP`` environment variable.  The password comes from
    ``password``, ``ICSMAIL_SMTP_PASSWORD``, or a prompt on a terminal; it is
    never shown.  Certificates are checked with the default SSL context
    (or ``ssl_context``).  Messages are EmailMessage objects or their bytes.

    Returns ``{message_id: {recipient: (code, reply)}}`` for the messages
    the server accepted while refusing some recipients; empty when everyone
    got everything.  Anything less raises SendError, whose ``sent``,
    ``failed`` and ``unknown`` say exactly what happened to each message.
    """
    if isinstance(messages, (bytes, bytearray)) or hasattr(messages, "as_bytes"):
        batch = [messages]
    elif isinstance(messages, (str, Mapping)) or not hasattr(messages, "__iter__"):
        raise TypeError(f"send() takes an EmailMessage, its bytes, or a list of them, not {type(messages).__name__}")
    else:
        batch = list(messages)
    prepared = [_wire_bytes(m) for m in batch]  # bad messages fail before anything is sent
    return _send_prepared(prepared, smtp, password, timeout, ssl_context)


def _send_prepared(prepared: list, smtp: Any, password: str | None, timeout: float, ssl_context: Any,
                   report: Callable[[int, str], None] | None = None) -> dict:
    """send() for messages already turned into wire bytes; ``report(index, "sent" | "unknown")``
    is called the moment a message's fate is known (the command line marks its files so)."""
    import smtplib
    if not prepared:
        return {}
    prepared = _distinct_ids(prepared)
    own = not isinstance(smtp, smtplib.SMTP)
    if own:
        url = smtp if smtp is not None else os.environ.get("ICSMAIL_SMTP")
        if not url:
            raise ValueError("no SMTP server: pass smtp='smtp://host:port' or set ICSMAIL_SMTP")
        server: Any = _parse_smtp_url(url)
        connection = _connect(server, password, timeout, ssl_context)
    else:
        connection = smtp
        server = f"{getattr(smtp, '_host', 'the server')}"
    sent, failed, unknown, refused_by = [], {}, [], {}
    reconnected = finished = False

    def give_up(index: int, reason: str) -> SendError:
        for _, _, _, later in prepared[index + 1:]:
            failed.setdefault(later, "not sent: the connection was lost before it")
        return SendError(f"{server}: {reason}; {len(sent)} of {len(prepared)} accepted before",
                         sent=sent, failed=failed, unknown=unknown, refused=refused_by)

    try:
        for index, (data, sender, recipients, message_id) in enumerate(prepared):
            if own and connection.sock is None:  # closed after a 421 that ended a message's second transaction
                try:
                    connection = _connect(server, password, timeout, ssl_context)
                except SendError as again:
                    failed[message_id] = f"not sent: reconnecting failed: {again}"
                    raise give_up(index, f"reconnecting failed: {again}") from None
            while True:
                try:
                    refused = _transmit(connection, data, sender, recipients)
                except _Refused as exc:
                    failed[message_id] = exc.args[0]
                    if exc.args[1:2] != (421,):
                        break  # this message refused: on with the next
                    if not own or reconnected:  # closed again before taking anything: give up
                        raise give_up(index, f"the server closed the session ({exc.args[0]}) at {message_id}") \
                            from None
                    reconnected = True  # closing with 421 (a limit per session): a new one, if it helps
                    connection.close()
                    try:
                        connection = _connect(server, password, timeout, ssl_context)
                    except SendError as again:
                        raise give_up(index, f"{exc.args[0]} at {message_id}, and reconnecting failed: "
                                             f"{again}") from None
                    del failed[message_id]
                    continue
                except (OSError, smtplib.SMTPException) as exc:
                    reason = f"no answer within {timeout} s" if _timed_out(exc) else f"connection lost: {exc}"
                    if getattr(exc, "data_sent", False):
                        unknown.append(message_id)
                        if report:
                            report(index, "unknown")
                    else:
                        failed[message_id] = reason
                    raise give_up(index, f"{reason} while sending {message_id}") from None
                except BaseException as exc:  # Ctrl-C: a message that had gone out is unknown, not unsent
                    if getattr(exc, "data_sent", False):
                        unknown.append(message_id)
                        if report:
                            report(index, "unknown")
                    raise
                sent.append(message_id)
                reconnected = False
                if report:
                    report(index, "sent")
                if refused:
                    refused_by[message_id] = refused
                break
        finished = True
    finally:
        if own and finished:
            try:
                connection.quit()
            except Exception:
                connection.close()
        elif own:  # interrupted, or the session is lost: waiting for an answer to QUIT helps nobody
            connection.close()
    if failed:
        first = next(iter(failed.items()))
        raise SendError(f"{server}: {len(failed)} of {len(prepared)} not accepted ({first[0]}: {first[1]})",
                        sent=sent, failed=failed, refused=refused_by)
    return refused_by


def _distinct_ids(prepared: list) -> list:
    """The batch with a distinct key per message for the report: the same Message-ID twice (or
    none, twice) must never let one message's outcome stand for another's."""
    seen: set = set()
    out = []
    for index, (data, sender, recipients, message_id) in enumerate(prepared):
        key = message_id
        while key in seen:
            key = f"{key} (message {index + 1} of {len(prepared)})"
        seen.add(key)
        out.append((data, sender, recipients, key))
    return out


# --------------------------------------------------------------------------
# 10. Command line: python icsmail.py publish|invite|send|show|reply ...
# --------------------------------------------------------------------------

_CLI_DURATION_RE = _LazyRegex(r"(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m(?:in)?)?(?:(\d+)s)?\Z",
                              re.IGNORECASE | re.ASCII)


def _cli_duration(text: str, what: str = "--duration") -> timedelta:
    """``45m``, ``1h30m``, ``2d``, ``90`` (minutes) or ISO ``PT45M``.

    >>> _cli_duration("1h30m"), _cli_duration("PT45M")
    (datetime.timedelta(seconds=5400), datetime.timedelta(seconds=2700))
    """
    text = text.strip()
    if _DIGITS_RE.match(text):
        value: timedelta | None = timedelta(minutes=int(text))
    elif text[:1].upper() in ("P", "+", "-") and text[:1] != "":
        value = _parse_duration(text)
    else:
        m = _CLI_DURATION_RE.match(text)
        value = None
        if m and any(m.groups()):
            w, d, h, mi, s = (int(x or 0) for x in m.groups())
            try:
                value = timedelta(weeks=w, days=d, hours=h, minutes=mi, seconds=s)
            except OverflowError:
                raise ValueError(f"{what} {text!r} is longer than any calendar can hold") from None
    if value is None or value <= timedelta(0):
        raise ValueError(f"{what} {text!r} is not a duration like 45m, 1h30m, 2d or PT45M")
    return value


def _local_zone_name() -> str:
    """This machine's time zone as an IANA name: $TZ, /etc/localtime, /etc/timezone, or Windows'."""
    if not _tz_database_present():  # no name could be looked up, --tz no more than this machine's
        raise _no_tz_database()
    candidates = []
    tz = os.environ.get("TZ", "").lstrip(":")
    if tz:  # what this machine's clock follows: nothing else may stand in for it
        zone = _cldr_zone(_zone_file_name(tz) if os.path.isabs(tz) else tz)  # glibc's TZ=:/etc/localtime
        if zone is None:
            raise ValueError(f"the TZ environment variable {tz!r} is not a time zone name this can write: "
                             f"pass --tz Area/City (e.g. --tz America/New_York)")
        return zone.key
    candidates.append(_zone_file_name("/etc/localtime"))
    try:
        with open("/etc/timezone", encoding="utf-8") as f:
            candidates.append(f.read().strip())
    except OSError:
        pass
    if sys.platform == "win32":  # pragma: no cover - Windows only
        try:
            import winreg
            with winreg.OpenKey(winreg.HKEY_LOCAL_MACHINE,
                                r"SYSTEM\CurrentControlSet\Control\TimeZoneInformation") as key:
                name = winreg.QueryValueEx(key, "TimeZoneKeyName")[0]
            candidates.append(_windows_zones().get(name.lower(), ""))
        except OSError:
            pass
    for name in candidates:
        zone = _cldr_zone(name)
        if zone is not None:
            return zone.key
    raise ValueError("cannot tell this machine's time zone: pass --tz Area/City (e.g. --tz Europe/London)")


def _cli_zone(name: str | None) -> tzinfo:
    """``--tz``, or this machine's zone: looked up only when a time needs it.  The tz database's
    files that name no zone of their own (``localtime``, ``posixrules``, ``posix/Area/City``)
    are resolved to the zone they lead to."""
    if name is None:
        return _zoneinfo(_local_zone_name())
    zone = _zoneinfo(name)
    if name.startswith("right/"):
        raise ValueError(f"--tz {name!r} counts leap seconds, which calendars do not: use --tz {name[6:]!r}")
    key = _named_key(name)
    if key != name:
        return _zoneinfo(key)
    if _is_alias_file(name):
        raise ValueError(f"--tz {name!r} names no zone of its own: pass --tz Area/City (e.g. --tz Europe/London)")
    return zone


def _cli_time(text: str, zone: Any, what: str, explicit: bool = False) -> date | datetime:
    """``2026-12-01 10:00``, ``2026-12-01T10:00``, a bare date (all-day), or with Z / an offset.

    ``zone`` is a callable giving the tzinfo for times without an offset; a time with one is
    moved into ``explicit`` (the ``--tz`` given), whose clock a series keeps.
    """
    value = text.strip()
    if len(value) == 8 and value.isdigit():  # 20261201: a date, as Python 3.11 would read it too
        value = f"{value[:4]}-{value[4:6]}-{value[6:]}"
    if len(value) == 10:
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    iso = value[:-1] + "+00:00" if value[-1:] in "Zz" and len(value) > 10 else value
    try:
        parsed = datetime.fromisoformat(iso.replace(" ", "T", 1) if "T" not in iso else iso)
    except ValueError:
        raise ValueError(f"{what} {text!r} is not a date or time like 2026-12-01 or 2026-12-01 10:00") from None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=zone())
    if not explicit:
        return parsed
    into = zone()
    try:
        return parsed.astimezone(into)
    except (OverflowError, ValueError):  # (0001-01-01T00:30+05:00 is in the year 0 in London)
        raise ValueError(f"{what} {text!r} is out of the years 1-9999 in {into}") from None


def _cli_event(args: Any) -> Event:
    zone = functools.lru_cache(maxsize=None)(lambda: _cli_zone(args.tz))
    if args.tz is not None:
        zone()  # a --tz that names no zone is an error even when no time needs it (all-day)
    explicit = args.tz is not None
    start = _cli_time(args.start, zone, "--start", explicit)
    end = _cli_time(args.end, zone, "--end", explicit) if args.end is not None else None
    duration = _cli_duration(args.duration) if args.duration is not None else None
    if end is None and duration is None and isinstance(start, datetime):
        duration = timedelta(hours=1)
    attendees = _cli_attendees(args)
    alarms = [Alarm(trigger=-_cli_duration(a, "--alarm")) for a in args.alarm or ()]
    return Event(args.summary, start, end, duration, uid=args.uid, description=args.description,
                 location=args.location, url=args.url, organizer=args.organizer, attendees=attendees,
                 status=args.status, priority=args.priority, categories=args.category or (),
                 transparency=args.transparency, alarms=alarms, rrule=args.rrule, sequence=args.sequence)


# The options that name attendees: each option, what it makes of an address, and what it is.
_ATTENDEE_OPTIONS = (("attendee", {}, "a required attendee"),
                     ("optional", {"role": "OPT-PARTICIPANT"}, "an optional attendee"),
                     ("room", {"cutype": "ROOM"}, "a room to book (CUTYPE=ROOM)"),
                     ("resource", {"cutype": "RESOURCE"}, "equipment to book (CUTYPE=RESOURCE)"))


def _cli_attendees(args: Any) -> list[Attendee]:
    """The attendees --attendee, --optional, --room and --resource name, in that order, each once."""
    people = [Attendee(a, **kind) for option, kind, _ in _ATTENDEE_OPTIONS for a in getattr(args, option, None) or ()]
    seen: set[str] = set()
    for person in people:
        if person.email.lower() in seen:
            raise ValueError(f"{person.email} is named twice (--attendee, --optional, --room, --resource): "
                             f"name each attendee once")
        seen.add(person.email.lower())
    return people


def _note_start(event: Event, err: Any) -> None:
    """Say when a series' start is not one of its rule's days (a Tuesday start, BYDAY=MO,WE), or
    is a time the clocks skip (02:30 on the spring-forward night: calendars show 03:30)."""
    off = _off_rule(event.start, event.rrule) if event.rrule and event.start is not None else None
    if off is not None:
        print(f"icsmail: note: the start, {_describe_dates((event.start,))}, is not on the rule's {off}: "
              f"calendars differ on whether it is an occurrence (RFC 5545 leaves that undefined)", file=err)
    start = event.start
    if isinstance(start, datetime) and isinstance(start.tzinfo, ZoneInfo) and not start.fold:
        shown = _shown_wall(start)
        if shown.tzinfo is start.tzinfo and shown.replace(tzinfo=None) != start.replace(tzinfo=None):
            print(f"icsmail: note: {start:%Y-%m-%d %H:%M} does not exist in {start.tzinfo.key} (the clocks skip "
                  f"it): calendars show {shown:%H:%M}", file=err)


def _note_zone(args: Any, event: Event, err: Any) -> None:
    """Say which zone the times are in when --tz was not given: this machine's, which a server
    or a container keeps in UTC, hours off what the user may have meant."""
    start = event.start
    if args.tz is None and isinstance(start, datetime) and isinstance(start.tzinfo, ZoneInfo):
        _note_machine_zone(start.tzinfo, err)


def _note_machine_zone(zone: tzinfo, err: Any) -> None:
    print(f"icsmail: note: the times are in {getattr(zone, 'key', zone)}, this machine's zone (give --tz for "
          f"another)", file=err)


def _fresh_path(name: str) -> str:
    """``name``, or ``name-2``, ``name-3``... so nothing is overwritten."""
    stem, ext = os.path.splitext(name)
    path, n = name, 1
    while os.path.exists(path):
        n += 1
        path = f"{stem}-{n}{ext}"
    return path


class _OutputError(OSError):
    """Writing to standard output failed: the output's fault, not an input file's."""


class _Closed:
    """Standard output or error when the shell closed it (``>&-``): Python's is None then.
    Output written there fails; a message to a closed standard error goes nowhere."""

    def __init__(self, silent: bool = False) -> None:
        self.silent = silent

    def write(self, text: str) -> int:
        if self.silent:
            return len(text)
        raise OSError(9, "it is closed")

    def flush(self) -> None:
        pass


def _emit(out: Any, text: str | bytes | None = None) -> None:
    """Write ``text`` to standard output (None: flush it); a failure there is an _OutputError."""
    try:
        if isinstance(text, bytes):
            out.buffer.write(text) if hasattr(out, "buffer") else out.write(text.decode())
        elif text is not None:
            out.write(text)
        else:
            out.flush()
    except BrokenPipeError:
        raise
    except (OSError, ValueError) as exc:  # (ValueError: a file already closed)
        raise _OutputError(f"standard output: {getattr(exc, 'strerror', None) or exc}") from None


def _write_output(data: bytes, target: str | None, default: str, out: Any) -> str:
    if target == "-":
        _emit(out, data)
        _emit(out)
        return "standard output"
    if target == "":
        raise ValueError("-o names no file: give a path, or - for standard output")
    path = target if target is not None else _fresh_path(default)
    _write_file(path, data)
    return path


def _cmd_publish(args: Any, out: Any, err: Any) -> int:
    if any(getattr(args, option) for option, _, _ in _ATTENDEE_OPTIONS):
        raise ValueError("publish writes an announcement without attendees (RFC 5546 3.2.1): use invite")
    event = _cli_event(args)
    _note_zone(args, event, err)
    _note_start(event, err)
    method = "PUBLISH" if event.organizer is not None else None  # RFC 5546 needs an organizer for PUBLISH
    where = _write_output(dumps(event, method=method).encode(), args.output, "event.ics", out)
    if args.output != "-":
        print(f"wrote {where}", file=err)
    return 0


def _cmd_invite(args: Any, out: Any, err: Any) -> int:
    if not args.organizer:
        raise ValueError("invite needs --organizer (the address the invitation comes from)")
    if not any(getattr(args, option) for option, _, _ in _ATTENDEE_OPTIONS):
        raise ValueError("invite needs at least one --attendee")
    url = _smtp_url(args)
    if args.status == "CANCELLED" and not args.uid:
        raise ValueError("invite --status CANCELLED cancels an invitation sent before: give its --uid (and a "
                         "--sequence above the one it was sent with)")
    ev = _cli_event(args)
    _note_zone(args, ev, err)
    _note_start(ev, err)
    msg = build_message(ev, method="CANCEL" if ev.status == "CANCELLED" else "REQUEST", sender=args.sender)
    return _mail_or_write(msg, args, url, "invite.eml", out, err)


def _smtp_url(args: Any) -> str | None:
    """The server `invite` and `reply` send to (--smtp, else $ICSMAIL_SMTP), checked before
    anything is made when it is to be used."""
    url = args.smtp or os.environ.get("ICSMAIL_SMTP")
    if url and args.output is None:
        _parse_smtp_url(url)  # a server that cannot be named: said before anything is made
    return url


def _wrote_unsent(where: str, url: str | None) -> str:
    """What `invite` and `reply` say of a message written to a file, which is not sent."""
    if not url:
        return f"wrote {where} (no SMTP server given: set ICSMAIL_SMTP=smtp://host:port to send it)"
    return f"wrote {where}, not sent (-o writes instead of sending): python icsmail.py send {where}"


def _report_sent(msg: Any, refused: dict, url: str, err: Any) -> int:
    """Who has the message (the recipients the server did not refuse), then who was refused."""
    gone = {rcpt.lower() for recipients in refused.values() for rcpt in recipients}
    to = [a for _, a in _addresses(msg) if a.lower() not in gone]
    if to:
        print(f"sent to {', '.join(to)} via {_parse_smtp_url(url)}", file=err)
    return _report_refused(refused, err)


def _write_mark(path: str, state: str, message_id: str, server: Any) -> None:
    """``FILE.sent`` or ``FILE.unknown``: what `send` reads to never send a message twice."""
    stamp = datetime.now(UTC).isoformat(timespec="seconds")
    with open(f"{path}.{state}", "w", encoding="utf-8") as f:
        f.write(f"{state} {stamp} {message_id} via {server}\n")


def _marked(path: str, state: str) -> str | None:
    """The Message-ID a ``FILE.sent`` or ``FILE.unknown`` mark names; None without a mark ('' unreadable)."""
    try:
        with open(f"{path}.{state}", encoding="utf-8") as f:
            parts = f.readline().rstrip("\n").split(" ", 2)
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError):
        return ""
    return parts[2].rpartition(" via ")[0] if len(parts) == 3 else ""


def _skip_marked(path: str, message_id: str | None, err: Any) -> str | None:
    """The mark ("sent" or "unknown") that says this very message went (or may have): then
    `send` skips it.

    A mark about another message (the file was written again since) does not count;
    any mark does when the file's message cannot be told (``message_id`` None).
    """
    for state, why in (("sent", f"already sent (see {path}.sent; --force sends it again)"),
                       ("unknown", f"the server never confirmed an earlier attempt (see {path}.unknown); "
                                   f"check the recipients' mail, then --force to send it again")):
        marked = _marked(path, state)
        if marked is None:
            continue
        if message_id is None or marked in ("", message_id):
            print(f"skipped {path}: {why}", file=err)
            return state
        print(f"note: {path}.{state} is about an earlier message ({marked}), not this one ({message_id})", file=err)
    return None


def _keep_unsent(data: bytes, name: str, exc: SendError, url: str, out: Any, err: Any) -> str | None:
    """A message that did not go: saved, with what to do next (and never an invitation sent
    twice).  Where it was saved, or None."""
    try:
        where = _write_output(data, None, name, out)
    except OSError as saving:
        fate = "the server may have it (it never confirmed it)" if exc.unknown else "it was not sent"
        print(f"icsmail: error: {exc}; {fate}, and it could not be kept: {saving.filename}: "
              f"{saving.strerror or saving}", file=err)
        return None
    server = f" --smtp {_retry_url(url)}"
    if exc.unknown:  # the server may have it: `send` must not send it again unasked
        try:
            _write_mark(where, "unknown", exc.unknown[0], _parse_smtp_url(url))
            unmarked = ""
        except OSError as marking:
            unmarked = f" ({marking.filename}: {marking.strerror or marking}: nothing stops `send` from sending it)"
        print(f"icsmail: error: {exc}; the server may have the message (it never confirmed it): check the "
              f"recipients' mail before sending {where} again (python icsmail.py send --force {where}{server})"
              f"{unmarked}", file=err)
    else:
        print(f"icsmail: error: not sent: {exc}; the message is in {where}: "
              f"retry with: python icsmail.py send {where}{server}", file=err)
    return where


def _retry_url(url: str) -> str:
    """``url`` as a command to retry may give it: whole, unless it holds a password (user:secret@)."""
    head, at, _ = url.rpartition("@")
    return _shown_url(url) if at and ":" in head.partition("//")[2] else url


def _addresses(msg: Any) -> list:
    import email.utils
    return email.utils.getaddresses([str(v) for k in ("To", "Cc") for v in msg.get_all(k) or ()])


def _report_refused(refused: dict, err: Any) -> int:
    for message_id, recipients in refused.items():
        for rcpt, (code, text) in recipients.items():
            print(f"icsmail: error: {rcpt} refused ({code} {_reply_text(text)}) for {message_id}", file=err)
    return 1 if refused else 0


def _cmd_send(args: Any, out: Any, err: Any) -> int:
    url = args.smtp or os.environ.get("ICSMAIL_SMTP")
    if not url:
        raise ValueError("no SMTP server: set ICSMAIL_SMTP=smtp://host:port or pass --smtp")
    paths, prepared, seen = [], [], set()
    status = 0  # 1 as well when a message skipped may never have arrived: it still needs the user
    for path in args.files:
        marked = not args.force and (os.path.exists(path + ".sent") or os.path.exists(path + ".unknown"))
        wire, problem = None, None
        try:
            with open(path, "rb") as f:
                key = os.fstat(f.fileno())[1:3]  # (inode, device): the same file under two names
                data = f.read()
            wire = _wire_bytes(data)
        except (OSError, ValueError) as exc:
            problem = exc
        # a marked message went (or may have); unreadable now, any mark counts: what became of the file is no matter
        skipped = _skip_marked(path, wire[3] if wire else None, err) if marked else None
        if skipped:
            status = max(status, int(skipped == "unknown"))
            continue
        if isinstance(problem, ValueError):
            raise ValueError(f"{path}: {problem}") from None
        if problem is not None:
            raise problem
        if key in seen and key != (0, 0):
            print(f"skipped {path}: named twice", file=err)
            continue
        seen.add(key)
        paths.append(path)
        prepared.append(wire)
    if not prepared:
        return status
    server = _parse_smtp_url(url)
    outcome: dict[int, str] = {}

    def mark(index: int, state: str) -> None:  # at once: an interruption later loses nothing
        outcome[index] = state
        try:
            _write_mark(paths[index], state, prepared[index][3], server)
        except OSError as exc:  # the message went: say so, and that a retry would send it again
            print(f"icsmail: error: {paths[index]} was {state}, but {exc.filename}: {exc.strerror}; "
                  f"do not send it again", file=err)

    try:
        refused = _send_prepared(prepared, url, None, 30, None, mark)
    except SendError as exc:
        refused = exc.refused
        status = 1
        print(f"icsmail: error: {exc}", file=err)
    for index, path in enumerate(paths):
        print(f"{outcome.get(index, 'NOT sent')}: {path}", file=err)
    return max(status, _report_refused(refused, err))


def _event_json(ev: Event) -> dict:
    def when(value: Any) -> Any:
        return value.isoformat() if isinstance(value, (date, datetime)) else value

    zone = _zone_label(ev.start) if isinstance(ev.start, datetime) else None
    person = (lambda p: {"email": p.email, "name": p.name}) if ev.organizer else None
    return {
        "uid": ev.uid, "summary": ev.summary, "start": when(ev.start), "end": when(ev.end_time),
        "timezone": zone, "all_day": ev.all_day, "location": ev.location, "description": ev.description,
        "url": ev.url, "status": ev.status, "sequence": ev.sequence, "recurrence_id": when(ev.recurrence_id),
        "rrule": ev.rrule, "organizer": person(ev.organizer) if person else None,
        "attendees": [{"email": a.email, "name": a.name, "role": a.role, "partstat": a.partstat,
                       "rsvp": a.rsvp, "cutype": a.cutype} for a in ev.attendees],
        "categories": list(ev.categories), "method": getattr(ev, "_method", None),
    }


# What a message read was, as show says it (an event read from a plain file, or a PUBLISH, says nothing).
_SHOWN_METHODS = MappingProxyType({
    "REQUEST": "an invitation (REQUEST)", "REPLY": "a reply (REPLY)", "CANCEL": "a cancellation (CANCEL)",
    "COUNTER": "a counter-proposal (COUNTER): the times shown are those proposed",
    "DECLINECOUNTER": "a counter-proposal declined (DECLINECOUNTER)", "ADD": "occurrences added (ADD)",
    "REFRESH": "a request for the latest version (REFRESH)",
})


def _show_text(ev: Event, local: tzinfo | None) -> str:
    lines = [ev.summary or "(no title)"]
    when = _describe_when(ev)
    start = ev.start
    if isinstance(start, datetime) and start.utcoffset() is not None and local is not None:
        try:
            elsewhere = start.astimezone(local).utcoffset() != start.utcoffset()
        except OverflowError:
            elsewhere = False
        if elsewhere:
            when += f"; {_describe_when(ev, local)} here"
    method = getattr(ev, "_method", None)
    rows = [] if method is None or method == "PUBLISH" else [("message", _SHOWN_METHODS.get(method, method))]
    rows.append(("when", when))
    if ev.location:
        rows.append(("where", ev.location))
    if ev.organizer is not None:
        rows.append(("organizer", _person_text(ev.organizer)))
    for i, a in enumerate(ev.attendees):
        role = "" if a.role == "REQ-PARTICIPANT" else f", {a.role.lower()}"
        if a.cutype is not None and a.cutype != "INDIVIDUAL":  # a room, a projector, a group
            role += f", {a.cutype.lower()}"
        rows.append(("attendees" if i == 0 else "", f"{_person_text(a)} ({a.partstat.lower()}{role})"))
    if ev.rrule:
        rows.append(("repeats", _describe_rrule(ev.rrule, ev.start)))
    if ev.rdates:
        rows.append(("also on", _describe_dates(ev.rdates, ev.start)))
    if ev.exdates:
        rows.append(("except", _describe_dates(ev.exdates, ev.start)))
    if ev.recurrence_id is not None:
        rows.append(("occurrence", _describe_dates((ev.recurrence_id,), ev.start)))
    if ev.status:
        rows.append(("status", ev.status.lower()))
    rows += [("comment", p.value) for p in ev.extra if p.name == "COMMENT" and isinstance(p.value, str)]
    for name, value in rows:
        label = f"{name}:" if name else ""
        lines.append(f"  {label:<12}{value}".replace("\n", " "))
    return "\n".join(lines)


def _cmd_show(args: Any, out: Any, err: Any) -> int:
    import json
    local = _zoneinfo(args.tz) if args.tz is not None else _try_local_zone()
    status = 0
    for path in args.files:  # one unreadable file is said, with its name, and the others are still shown
        warnings: list[str] = []
        source = sys.stdin.buffer if path == "-" else path
        count = 0
        try:
            for ev in iter_events(source, strict=args.strict, warnings=warnings):
                if args.json:
                    _emit(out, json.dumps(_event_json(ev), ensure_ascii=False) + "\n")
                else:
                    _emit(out, ("\n" if count else "") + _show_text(ev, local) + "\n")
                count += 1
        except (ValueError, OSError) as exc:
            if isinstance(exc, (BrokenPipeError, _OutputError)):
                raise
            problem = exc.strerror or exc if isinstance(exc, OSError) and exc.filename else exc
        else:
            problem = None
        _emit(out)  # what was shown of a file before what is said of it
        for w in warnings:
            print(f"icsmail: warning: {path}: {w}", file=err)
        if problem is not None:
            print(f"icsmail: error: {path}: {problem}".replace("\n", " "), file=err)
            status = 1
        elif not count:
            print(f"icsmail: {path}: no events", file=err)
    _emit(out)
    return status


def _try_local_zone() -> tzinfo | None:
    try:
        return _zoneinfo(_local_zone_name())
    except ValueError:
        return None


def _load_file(path: str) -> Calendar:
    """``load(path)`` (``-``: standard input), its ParseError naming the file (an OSError names
    it itself)."""
    if path != "-" and os.path.exists(path) and not os.path.isdir(path) and not stat.S_ISREG(os.stat(path).st_mode):
        raise ValueError(f"{path} is not a regular file (a pipe, a device): give a file, or - for standard input")
    try:
        return load(sys.stdin.buffer if path == "-" else path)
    except ParseError as exc:
        raise ParseError(f"{path}: {exc.msg}", exc.lineno, exc.line, exc.where) from None


@contextlib.contextmanager
def _as_occurrence_option() -> Iterator[None]:
    """The library's ``recurrence_id`` in an error is what the command line calls --occurrence."""
    try:
        yield
    except ValueError as exc:
        text = str(exc)
        if text.startswith("recurrence_id "):
            raise ValueError("--occurrence " + text[len("recurrence_id "):]) from None
        if text.endswith(", without recurrence_id"):  # (a single event)
            raise ValueError(text[:-len("recurrence_id")] + "--occurrence") from None
        raise


def _mail_or_write(msg: Any, args: Any, url: str | None, name: str, out: Any, err: Any, copy: Calendar | None = None
                   ) -> int:
    """Send ``msg`` to ``url``, or write it to -o (default ``name``) when told to or given no server.

    ``copy``, the organizer's copy it was made from (a calendar file without METHOD, such as
    `apply` writes), then records it, once it is sent (to anyone) or written: the next
    `update` or `cancel` made from the copy is made from this version."""
    data = msg.as_bytes(policy=msg.policy.clone(linesep="\r\n"))
    recorded = None
    if copy is not None and args.output == "-":  # a look at it, maybe: what it says is not yet so
        print(f"icsmail: note: not recorded in {args.file}: written to standard output (record it with "
              f"python icsmail.py apply {args.file} FILE once it is sent)", file=err)
        copy = None
    if copy is not None:  # the copy as it will be, and writable, before anything goes out
        events, said = _messages_applied(list(copy.events), loads(data), name, args.file)
        recorded = _copy_bytes(copy, events)
        with open(args.file, "r+b"):  # (a copy that cannot be written: said now, not after sending)
            pass
    where, failed = None, False
    if not url or args.output is not None:
        where = _write_output(data, args.output, name, out)
        if args.output != "-":
            print(_wrote_unsent(where, url), file=err)
        status = 0
    else:
        try:
            status = _report_sent(msg, send(msg, url), url, err)
        except SendError as exc:  # kept, it goes out later (or the server has it): recorded all the same, so
            where, status, failed = _keep_unsent(data, name, exc, url, out, err), 1, True  # the next goes above
            if where is None:
                return status
    if recorded is not None:
        try:
            _write_file(args.file, recorded)
        except OSError as exc:
            kept = where if where not in (None, "standard output") else _write_output(data, None, name, out)
            raise OSError(f"{args.file}: {exc.strerror or exc}: the copy does not record the message; it is in "
                          f"{kept}: python icsmail.py apply {args.file} {kept}") from None
        for line in said:
            if line.startswith("dropped"):
                print(f"icsmail: note: {args.file}: {line}", file=err)
        print(f"recorded in {args.file}" + (" all the same: the next update goes above it" if failed else ""),
              file=err)
    return status


def _copy_bytes(copy: Calendar, events: Sequence[Event]) -> bytes:
    """The organizer's copy with ``events``, as written: a calendar, no message (no METHOD)."""
    return dumps(replace(copy, events=tuple(events), method=None, warnings=[])).encode()


def _the_copy(cal: Calendar, path: str) -> Calendar | None:
    """``cal``, read from ``path``, when it is the organizer's copy that `update` and `cancel` record
    what they send in: a calendar file without METHOD (what `apply` writes), not a message."""
    if cal.method is not None or path == "-":
        return None
    with open(path, "rb") as f:
        return None if _looks_like_mail(f.read(_MAIL_HEAD)) else cal


def _cmd_reply(args: Any, out: Any, err: Any) -> int:
    url = _smtp_url(args)
    cal = _load_file(args.file)
    with _as_occurrence_option():
        invitation, occurrence = _invitation_event(cal, args.file, args.uid, args.occurrence)
        answer = reply(invitation, args.attendee, args.partstat, comment=args.comment, recurrence_id=occurrence)
    if not any(_same_address(a.email, answer.attendees[0].email) for a in invitation.attendees):
        print(f"icsmail: warning: {answer.attendees[0].email} is not among the invitation's attendees: "
              f"the organizer will add you (check --attendee)", file=err)
    return _mail_or_write(build_message(answer, method="REPLY"), args, url, "reply.eml", out, err)


_DOING_TO = MappingProxyType({"answer": "reply to"})  # "no event to ...": what is done, said after "to"


def _invitation_event(cal: Calendar, path: str, uid: str | None, when: str | None = None, *,
                      doing: str = "answer", whole: bool = False) -> tuple[Event, date | datetime | None]:
    """(the event to answer, update or cancel (``doing``), the occurrence of it or None): the
    invitation's (with ``uid``, that one), of several versions (a mail's parts that disagree)
    the latest.  That is the series rather than one of its changed occurrences; with ``when``
    (--occurrence, a start in the series' zone) the changed occurrence the file holds for it
    (not when ``whole``: that occurrence and those after it), else that occurrence of the series.
    What is no invitation (a cancel, an answer, a counter-proposal) is nothing to do that to."""
    if cal.method not in (None, "PUBLISH", "REQUEST", "ADD"):
        raise ValueError(f"{path} is a {cal.method}, not an invitation: there is nothing to {doing}")
    events = [ev for ev in cal.events if uid is None or ev.uid == uid]
    if not events:
        raise ValueError(f"{path}: no event to {_DOING_TO.get(doing, doing)}" + (
            f" with UID {uid!r}" if uid is not None else ""))
    uids = list(dict.fromkeys(ev.uid for ev in events))
    if len(uids) > 1:
        shown = ", ".join(repr(u) for u in uids[:3]) + (", ..." if len(uids) > 3 else "")
        raise ValueError(f"{path} has {len(uids)} events ({shown}): say which one with --uid")
    series = [ev for ev in events if ev.recurrence_id is None]
    changed = [ev for ev in events if ev.recurrence_id is not None]
    listed = f"{path} holds changed occurrences of event {uids[0]!r} " \
             f"({_describe_dates([ev.recurrence_id for ev in changed])})" if changed and not series else ""
    occurrence = None
    if when is not None:
        anchor = max(series, key=_version).start if series else changed[0].recurrence_id
        zone = anchor.tzinfo if isinstance(anchor, datetime) else None
        occurrence = _cli_time(when, lambda: zone, "--occurrence", explicit=zone is not None)
        if isinstance(occurrence, datetime) != isinstance(anchor, datetime):
            like = f"{anchor:%Y-%m-%d %H:%M}" if isinstance(anchor, datetime) else anchor.isoformat()
            raise ValueError(f"--occurrence {when!r}: the series' occurrences are "
                             f"{'times' if isinstance(anchor, datetime) else 'days'}: give one like {like}")
        if isinstance(occurrence, datetime) and zone is None:
            occurrence = occurrence.replace(tzinfo=None)  # a floating series: its wall time
        same = [ev for ev in changed if not whole and _same_time(ev.recurrence_id, occurrence, zone)]
        if same:  # the occurrence as it was changed: its own time and version
            events, occurrence = same, None
        elif series:
            events = series
        else:
            raise ValueError(f"{listed}, not {when} nor the series")
    elif series:
        events = series
    elif len({_instant(ev.recurrence_id) or ev.recurrence_id for ev in changed}) > 1:
        raise ValueError(f"{listed} and not the series: say which with --occurrence")
    event = max(events, key=_version)
    if event.status == "CANCELLED":
        raise ValueError(f"{path}: event {event.uid!r} is cancelled: there is nothing to {doing}")
    return event, occurrence


def _cmd_update(args: Any, out: Any, err: Any) -> int:
    """The next version of a sent event (or of one occurrence), sent as the whole event; what is
    not given is kept; made from the organizer's copy, the copy records it."""
    url = _smtp_url(args)
    cal = _load_file(args.file)
    with _as_occurrence_option():
        event, occurrence = _invitation_event(cal, args.file, args.uid, args.occurrence, doing="update")
    event = _as_versioned(_organized(event, args.file), cal)
    if args.rrule is not None and (occurrence is not None or event.recurrence_id is not None):
        raise ValueError("--rrule with --occurrence: one occurrence has no recurrence of its own; change "
                         "the series' rule without --occurrence")
    changes = _cli_changes(args, event, err)
    added = _cli_attendees(args)
    for person in added:
        if any(_same_address(person.email, a.email) for a in event.attendees):
            raise ValueError(f"{person.email} is already invited to event {event.uid!r}")
    if not changes and not added:
        raise ValueError("update: nothing to change: give what changes (--start, --location, --attendee, ...)")
    with _as_occurrence_option():
        new = update(event, **changes, **({"recurrence_id": occurrence} if occurrence is not None else {}))
    if added:  # after the times: a new time asks everyone again, the guests added too
        new = update(new, attendees=(*new.attendees, *added), sequence=new.sequence)
    elif _same_but_stamp(event if occurrence is None else replace(event, **_occurrence(event, occurrence, "update")),
                         new):
        raise ValueError(f"update: nothing to change: event {event.uid!r} already is as asked")
    if "start" in changes or "rrule" in changes:
        _note_start(new, err)  # (of the series, or of the occurrence changed)
    msg = build_message(_full_object(new, cal, added if new.recurrence_id is None else ()), method="REQUEST",
                        sender=args.sender)
    return _mail_or_write(msg, args, url, "update.eml", out, err, _the_copy(cal, args.file))


def _cli_changes(args: Any, event: Event, err: Any) -> dict:
    """The changes `update` options ask of ``event``: times in its zone unless --tz names another."""
    start = event.start
    if args.tz is not None:
        zone, explicit = functools.lru_cache(maxsize=None)(lambda: _cli_zone(args.tz)), True
        zone()
    elif isinstance(start, datetime):
        zone, explicit = (lambda: start.tzinfo), start.tzinfo is not None  # (floating: a wall time)
    else:  # an all-day event given a time of day: this machine's zone, said as publish says it
        zone, explicit = functools.lru_cache(maxsize=None)(lambda: _cli_zone(None)), False
    changes: dict[str, Any] = {}
    for name in ("start", "end"):
        if getattr(args, name) is not None:
            changes[name] = _cli_time(getattr(args, name), zone, f"--{name}", explicit)
    moved = changes.get("start", start)
    if args.tz is None and isinstance(moved, datetime) and not isinstance(start, datetime) and moved.tzinfo:
        _note_machine_zone(moved.tzinfo, err)
    if args.duration is not None:
        changes["duration"] = _cli_duration(args.duration)
    if isinstance(moved, datetime) != isinstance(start, datetime) and "end" not in changes \
            and "duration" not in changes:  # all day <-> a time of day: the length each has by default
        changes["duration"] = timedelta(hours=1) if isinstance(moved, datetime) else None  # (None: its day)
        changes["end"] = None
    for name in ("summary", "location", "description", "url", "rrule", "status", "priority", "transparency"):
        value = getattr(args, name)
        if value is not None:
            changes[name] = None if value == "" and name != "summary" else value
    if args.category is not None:
        changes["categories"] = tuple(args.category)
    return changes


def _full_object(new: Event, cal: Calendar, added: Sequence[Attendee] = ()) -> Calendar:
    """What a REQUEST of ``new`` sends: the whole event, as clients replace it with what a REQUEST
    holds (RFC 5546 3.2.2): ``new`` first (the subject names it), the series, and the occurrences
    of it the organizer changed that the series still has, as ``cal`` holds them (not those the
    copy holds only for answers, nor those cancelled, which the series' EXDATEs say), with the
    attendees ``added`` to the series added to them too."""
    mine = _latest_versions([ev for ev in cal.events if ev.uid == new.uid])
    old = next((ev for ev in mine if ev.recurrence_id is None), None)
    series = new if new.recurrence_id is None else old
    if series is None or old is None:
        return Calendar([new])
    parts = [new] if new is series else [new, series]
    changed = [ev for ev in mine if ev.recurrence_id is not None and ev.status != "CANCELLED"
               and ev.recurrence_id != new.recurrence_id]
    gone = _not_occurring(old, changed)  # (no longer the series': dropped)
    if series is not old:
        gone |= _not_occurring(series, changed)
    for k, ev in enumerate(changed):
        then = None if k in gone else _occurrence_of(old, ev.recurrence_id)
        if then is None or _same_but_answers(ev, then):
            continue  # (or held for an answer)
        parts.append(update(ev, attendees=(*ev.attendees, *added), sequence=ev.sequence) if added else ev)
    return Calendar(parts)


def _occurrence_of(series: Event, recurrence_id: date | datetime) -> Event | None:
    """The occurrence of ``series`` at ``recurrence_id`` as an event of its own, as the series has
    it; None where that cannot be (the caller has found it to be an occurrence, in one walk)."""
    try:
        return replace(series, **_occurrence(series, recurrence_id, "update", checked=True))
    except ValueError:
        return None


def _not_occurring(series: Event, overrides: Sequence[Event]) -> set[int]:
    """Where in ``overrides`` are those whose RECURRENCE-ID names none of ``series``' occurrences,
    found in one walk through it (as many as it takes, one by one); past its budget, none."""
    if not (series.rrule or series.rdates):
        return set(range(len(overrides)))
    timed = isinstance(series.start, datetime)
    other = {k for k, ev in enumerate(overrides) if isinstance(ev.recurrence_id, datetime) != timed}
    found: list = []  # (an excluded time is no occurrence: cancelled, by the organizer's EXDATE)
    try:
        _naming_none(series, [(ev.recurrence_id, k) for k, ev in enumerate(overrides) if k not in other],
                     _Budget(_OVERRIDE_STEPS), found, excluded_named=False)
    except _OverBudget:
        pass
    return other | {k for _, k in found}


def _organized(event: Event, path: str) -> Event:
    """``event``, which `update` and `cancel` tell its attendees about: one sent as an invitation."""
    if event.organizer is None:
        raise ValueError(f"{path}: event {event.uid!r} has no organizer: it was never sent as an invitation, "
                         f"so there is nobody to tell")
    return event


def _as_versioned(event: Event, cal: Calendar) -> Event:
    """``event`` at the highest SEQUENCE any part of it in ``cal`` has (the series, a changed
    occurrence): what is sent next must be above every version sent (RFC 5546 2.1.4), as
    attendees see them, and clients that keep one SEQUENCE for an event see them so."""
    top = max((ev.sequence for ev in cal.events if ev.uid == event.uid), default=-1)
    if top <= event.sequence:
        return event
    raised = replace(event, sequence=top)
    _keep_params(event, raised)
    return raised


def _cmd_cancel(args: Any, out: Any, err: Any) -> int:
    """A sent event cancelled whole, one occurrence, from one on (a REQUEST of the series ended
    before it), or some attendees un-invited; made from the organizer's copy, the copy records it."""
    if args.this_and_future and args.occurrence is None:
        raise ValueError("--this-and-future needs --occurrence: the first occurrence to cancel")
    if args.this_and_future and args.attendee:
        raise ValueError("--attendee with --this-and-future would un-invite from part of a series, which no copy "
                         "can record: un-invite from the whole event, or from one --occurrence")
    url = _smtp_url(args)
    cal = _load_file(args.file)
    with _as_occurrence_option():
        event, occurrence = _invitation_event(cal, args.file, args.uid, args.occurrence, doing="cancel",
                                              whole=args.this_and_future)
        event = _as_versioned(_organized(event, args.file), cal)
        uninvited = None
        if args.attendee:
            uninvited = [_attendee(a) for a in args.attendee]
            for person in uninvited:
                if not any(_same_address(person.email, a.email) for a in event.attendees):
                    raise ValueError(f"--attendee {person.email} is not among the attendees of event "
                                     f"{event.uid!r}: there is nobody to un-invite")
        cancelled = cancel(event, attendees=uninvited, recurrence_id=occurrence, this_and_future=args.this_and_future)
    if args.this_and_future:  # the series ended before it: a REQUEST with the rule's UNTIL, which every client
        ended = apply_cancel(event, cancelled)  # applies (not all honour a CANCEL's RANGE=THISANDFUTURE)
        if ended.status != "CANCELLED":
            shorter = update(event, rrule=ended.rrule, rdates=ended.rdates, exdates=ended.exdates,
                             attendees=event.attendees)  # (the answers stand for the occurrences left)
            on = _describe_dates((occurrence,))
            text = _summary_text(shorter, "REQUEST").replace(
                "This event has been updated.", f"This event has been cancelled from {on} on; the occurrences "
                                                f"before stay.", 1)
            msg = build_message(_full_object(shorter, cal), method="REQUEST", sender=args.sender, text=text,
                                subject=f"Cancelled: {' '.join((event.summary or '(no title)').split())} "
                                        f"(from {on} on)")
            return _mail_or_write(msg, args, url, "cancel.eml", out, err, _the_copy(cal, args.file))
        cancelled = cancel(event)  # from its first occurrence on: all of it
    msg = build_message(cancelled, method="CANCEL", sender=args.sender)
    return _mail_or_write(msg, args, url, "cancel.eml", out, err, _the_copy(cal, args.file))


def _cmd_apply(args: Any, out: Any, err: Any) -> int:
    """Replies, cancels and the organizer's updates recorded in the organizer's copy, each whole or
    not at all: one that fails is said (exit status 1) and the rest applied; the copy is
    written only when it changed (or to -o)."""
    if args.output is None and args.copy == "-":
        raise ValueError("a copy read from standard input is written where -o says: give -o FILE.ics")
    if args.output is None and args.copy.lower().endswith(".eml"):
        raise ValueError(f"{args.copy} is a message: give -o FILE.ics, the organizer's copy to write")
    if not args.answers and args.output is None:
        raise ValueError("apply: nothing to apply: give the replies, cancels or updates to record, or -o FILE.ics "
                         "to start a copy from the invitation")
    if "-" in args.answers and args.copy == "-":
        raise ValueError("standard input (-) can be the copy or an answer, not both")
    copy = _load_file(args.copy)
    if copy.method not in (None, "PUBLISH", "REQUEST", "ADD"):
        raise ValueError(f"{args.copy} is a {copy.method}: the copy is the invitation as sent, or the file "
                         f"apply wrote")
    events, status = list(copy.events), 0
    for path in args.answers:  # each answer whole or not at all; one that fails is said and the rest applied
        try:
            before = events
            events, said = _messages_applied(events, _unambiguous(_load_file(path)), path, args.copy)
            if events == before:
                said = ["already recorded: nothing to change"]
        except (ValueError, OSError) as exc:
            if isinstance(exc, (BrokenPipeError, _OutputError)):
                raise
            problem = exc.strerror or exc if isinstance(exc, OSError) and exc.filename else exc
            print(f"icsmail: error: {path}: not applied: {problem}".replace("\n", " "), file=err)
            status = 1
            continue
        for line in said:
            print(f"{path}: {line}", file=err)
    if events == list(copy.events) and (args.output is None or args.answers):
        return status  # nothing applied: the copy stays as it was (and -o is not written)
    where = _write_output(_copy_bytes(copy, events), args.copy if args.output is None else args.output, args.copy,
                          out)
    if args.output != "-":
        print(f"wrote {where}", file=err)
    return status


_ITIP_FIELD_RE = _LazyRegex(r"(UID|SEQUENCE|DTSTAMP|RECURRENCE-ID|ORGANIZER|ATTENDEE)\b")


def _unambiguous(answer: Calendar) -> Calendar:
    """``answer``, unless the reader had to guess at what decides how it applies (its UID,
    SEQUENCE, DTSTAMP, RECURRENCE-ID, ORGANIZER or ATTENDEE, or the zone of its RECURRENCE-ID):
    applied as guessed, a garbled RECURRENCE-ID would answer the whole series."""
    for warning in answer.warnings:
        if _ITIP_FIELD_RE.match(warning):
            raise ValueError(warning)
    for ev in answer.events:
        if isinstance(getattr(ev.recurrence_id, "tzinfo", None), _UnknownZone):
            raise ValueError(f"the RECURRENCE-ID {ev.recurrence_id.replace(tzinfo=None)} is in "
                             f"{ev.recurrence_id.tzinfo.tzid!r}, which names no zone")
    return answer


def _messages_applied(events: list, answer: Calendar, path: str, copy_name: str) -> tuple[list, list[str]]:
    """``events`` (the organizer's copy) with the REPLY, the CANCEL or the organizer's REQUEST
    ``answer`` applied, and a line for each change: a new list, so an answer that fails leaves
    the copy as it was."""
    if answer.method not in ("REPLY", "CANCEL", "REQUEST"):
        raise ValueError(f"{path} is {'a ' + answer.method if answer.method else 'no iTIP message (no METHOD)'}"
                         f": apply takes replies, cancels and the organizer's updates")
    events, said = _latest_versions(events), []
    for uid in dict.fromkeys(ev.uid for ev in answer.events):
        if not any(ev.uid == uid for ev in events):
            raise ValueError(f"it is about event {uid!r}, which {copy_name} does not hold")
        group = [ev for ev in answer.events if ev.uid == uid]
        if answer.method == "REQUEST":
            events, done = _update_applied(events, group)
            said += done
            continue
        series = next((ev for ev in events if ev.uid == uid and ev.recurrence_id is None), None)
        if answer.method == "CANCEL":
            alone = [one for one in group if one.recurrence_id is not None and one.status != "CANCELLED"]
            for one in alone:  # un-invited from one occurrence: that occurrence, as the copy holds it, records it
                i = _hold_occurrence(events, series, one, copy_name)
                events[i] = apply_cancel(events[i], one)
            rest = [one for one in group if one not in alone]
            if rest:
                whole = replace(answer, events=tuple(rest), warnings=[]) if alone else answer
                events = [apply_cancel(ev, whole) if ev.uid == uid else ev for ev in events]
            said += [_cancel_said(one, series) for one in group]
            continue
        for one in group:
            at = next((i for i, ev in enumerate(events) if ev.uid == uid and ev.recurrence_id is None), None)
            if one.recurrence_id is not None:
                i = _hold_occurrence(events, events[at] if at is not None else None, one, copy_name)
            elif at is not None:
                i = at
            else:
                raise ValueError(f"it answers the whole of event {uid!r}, of which {copy_name} holds only changed "
                                 f"occurrences")
            events[i] = apply_reply(events[i], one)
            if one.recurrence_id is None:  # the series' answer is each occurrence's the copy holds, unless it
                for j, ev in enumerate(events):  # has a later one of its own (or is of a later version)
                    if ev.uid == uid and ev.recurrence_id is not None:
                        try:
                            events[j] = apply_reply(ev, replace(one, recurrence_id=ev.recurrence_id))
                        except ValueError:
                            pass
            who = one.attendees[0] if one.attendees else None
            on = f" ({_describe_dates((_series_time(one.recurrence_id, series),))})" if one.recurrence_id else ""
            said.append(f"{who.email if who else '(nobody)'} {(who.partstat if who else '?').lower()}{on}")
    return events, said


def _hold_occurrence(events: list, series: Event | None, one: Event, copy_name: str) -> int:
    """Where ``events`` holds the occurrence ``one`` (a reply or a cancel of it) is about: the
    changed occurrence it has, else one added for it, as the series has it (SEQUENCE and
    DTSTAMP too: it is no version the organizer sent) (RFC 5545 3.8.4.4)."""
    same = [i for i, ev in enumerate(events) if ev.uid == one.uid and ev.recurrence_id == one.recurrence_id]
    if same:
        return same[0]
    when = _describe_dates((_series_time(one.recurrence_id, series),))
    if series is None:
        raise ValueError(f"it is about {when} of event {one.uid!r}, which {copy_name} does not hold")
    try:
        events.append(update(series, recurrence_id=_series_time(one.recurrence_id, series), dtstamp=series.dtstamp,
                             sequence=series.sequence))
    except ValueError:
        raise ValueError(f"it is about {when}, which is not an occurrence of event {one.uid!r} in "
                         f"{copy_name}") from None
    return len(events) - 1


def _series_time(value: date | datetime, series: Event | None) -> date | datetime:
    """A RECURRENCE-ID as the series' zone shows it (Google writes them in UTC)."""
    zone = _series_zone(series) if series is not None else None
    if isinstance(zone, ZoneInfo) and isinstance(value, datetime) and value.utcoffset() is not None:
        return _real_time(value, zone)
    return value


def _latest_versions(events: Sequence[Event]) -> list:
    """``events`` with one version of each event and occurrence: the latest (RFC 5546 2.1.5)."""
    latest: dict[tuple, Event] = {}
    for ev in events:
        key = _part_key(ev)
        if key not in latest or _version(ev) >= _version(latest[key]):
            latest[key] = ev
    return [ev for ev in events if latest[_part_key(ev)] is ev]


def _part_key(ev: Event) -> tuple:
    """Which event, and which of its occurrences, ``ev`` is: its UID and RECURRENCE-ID's instant."""
    rid = ev.recurrence_id
    return ev.uid, _instant(rid) or rid


def _update_applied(events: list, versions: list) -> tuple[list, list[str]]:
    """``events`` with the organizer's newer ``versions`` of one of them (a REQUEST that `update`
    made) in place of the old: the answers the copy has since recorded for the same version kept;
    a changed occurrence the series no longer has dropped (and said)."""
    events, said = list(events), []
    at = {_part_key(ev): i for i, ev in enumerate(events)}
    for new in versions:
        on = f" ({_describe_dates((new.recurrence_id,))})" if new.recurrence_id is not None else ""
        same = [at[_part_key(new)]] if _part_key(new) in at else []
        old = events[same[0]] if same else None
        known = old or next((ev for ev in events if ev.uid == new.uid), None)
        mine = known.organizer if known is not None else None
        if mine is not None and (new.organizer is None or not _same_address(new.organizer.email, mine.email)):
            raise ValueError(f"it comes from {new.organizer.email if new.organizer else 'no organizer'}, and "
                             f"{mine.email} organizes event {new.uid!r}: only the organizer changes it")
        if old is not None and _version(new) < _version(old):
            raise ValueError(f"it is version {new.sequence} of the event{on}, older than the copy's "
                             f"{old.sequence} (RFC 5546 2.1.5)" if new.sequence < old.sequence else
                             f"it is version {new.sequence} of the event{on} stamped {_version(new)[1]}, before "
                             f"the copy's, stamped {_version(old)[1]} (RFC 5546 2.1.5)")
        if old is not None and _version(new) == _version(old) and _same_but_answers(new, old):
            continue  # (a version of the same second, DTSTAMP's unit, that says something new is recorded)
        if old is not None and new.sequence == old.sequence:  # answers to this version, recorded since
            answered = {a.email.lower(): a for a in old.attendees if a.partstat != "NEEDS-ACTION"}
            new = replace(new, attendees=tuple(answered.get(a.email.lower(), a) if a.partstat == "NEEDS-ACTION"
                                               else a for a in new.attendees))
        if same:
            events[same[0]] = new
        else:
            at[_part_key(new)] = len(events)
            events.append(new)
        said.append(f"version {new.sequence}{on} recorded")
        if old is not None and new.recurrence_id is None:
            events, done = _answers_followed(events, old, new)
            said += done
            at = {_part_key(ev): i for i, ev in enumerate(events)}  # (it may have dropped some)
    return events, said


def _answers_followed(events: list, old: Event, new: Event) -> tuple[list, list[str]]:
    """The occurrences ``events`` holds of series ``old`` only for an attendee's answer to them
    (what apply made: the series' occurrence and other answers) made occurrences of ``new``: the
    answers kept unless the times changed, when they are void and the occurrence is the series'
    again.  An occurrence the series no longer has is dropped, also one the organizer changed
    (as Outlook drops a series' exceptions when its times change); others the organizer changed
    stay as they are."""
    events, said = list(events), []
    overrides = [ev for ev in events if ev.uid == new.uid and ev.recurrence_id is not None]
    was, gone = _not_occurring(old, overrides), _not_occurring(new, overrides)
    for k, ev in enumerate(overrides):
        when = _describe_dates((ev.recurrence_id,))
        then = None if k in was else _occurrence_of(old, ev.recurrence_id)
        if then is None:
            continue  # not the old series' either (an occurrence cancelled): nothing to judge it by
        answers_only = _same_but_answers(ev, then)
        now = None if k in gone else _occurrence_of(new, ev.recurrence_id)
        if now is None:
            events.remove(ev)  # the series moved away from it: a time that is gone
            moved = f" (to {_describe_dates((ev.start,))})" if _differs(ev.start, ev.recurrence_id) else ""
            said.append(f"dropped the answers to {when}, no longer an occurrence of the series" if answers_only
                        else f"dropped the change to {when}{moved}: the series no longer has that occurrence; to "
                             f"keep it, change the occurrence that took its place (update --occurrence)")
            continue
        if not answers_only:
            continue  # changed by the organizer: the series' new version leaves it as it is
        i = events.index(ev)
        if _changed(then, now, ("start", "end", "duration")):  # (its own times: not the rule's end)
            del events[i]
            said.append(f"dropped the answers to {when}: the times changed")
        else:
            answers = {a.email.lower(): a for a in ev.attendees}
            events[i] = replace(now, attendees=tuple(answers.get(a.email.lower(), a) for a in now.attendees))
    return events, said


def _same_but_answers(one: Event, other: Event) -> bool:
    """Whether two copies of an event say the same but for their answers, DTSTAMP and SEQUENCE."""
    return len(one.attendees) == len(other.attendees) and all(
        _same_address(a.email, b.email) for a, b in zip(one.attendees, other.attendees)) and \
        _same_but_stamp(one, other, but=("dtstamp", "sequence", "attendees"))


def _cancel_said(ev: Event, series: Event | None) -> str:
    """What a CANCEL's event did to the copy, in a few words."""
    on = _describe_dates((_series_time(ev.recurrence_id, series),)) if ev.recurrence_id is not None else ""
    if ev.status != "CANCELLED":
        return "un-invited " + ", ".join(a.email for a in ev.attendees) + (f" from {on}" if on else "")
    if ev.recurrence_id is None:
        return "cancelled"
    return f"cancelled {on}" + (" and after" if _this_and_future(ev) else "")


def _add_event_options(p: Any) -> None:
    p.add_argument("--summary", required=True, help="the title")
    p.add_argument("--start", required=True, help="2026-12-01 10:00, 2026-12-01T10:00, or a date for all day")
    p.add_argument("--end", help="the end (exclusive: an all-day event ends the next day)")
    p.add_argument("--duration", help="45m, 1h30m, 2d or PT45M (default 1h; all-day: one day)")
    p.add_argument("--tz", help="IANA time zone of --start/--end (default: this machine's)")
    p.add_argument("--location")
    p.add_argument("--description")
    p.add_argument("--url")
    p.add_argument("--organizer", help="Name <address> or address")
    _add_attendee_options(p, "{} (repeatable)")
    p.add_argument("--alarm", action="append", metavar="BEFORE", help="a reminder, e.g. 15m (repeatable)")
    p.add_argument("--rrule", help="recurrence, e.g. FREQ=WEEKLY;BYDAY=MO;COUNT=10")
    p.add_argument("--category", action="append")
    p.add_argument("--status", choices=("TENTATIVE", "CONFIRMED", "CANCELLED"), type=str.upper)
    p.add_argument("--priority", type=int, metavar="0-9")
    p.add_argument("--transparency", choices=("OPAQUE", "TRANSPARENT"), type=str.upper,
                   help="TRANSPARENT shows you as free")
    p.add_argument("--uid", help="keep the UID of an earlier version (updates)")
    p.add_argument("--sequence", type=int, default=0, help="version number; raise it for updates")


def _add_attendee_options(p: Any, help_text: str) -> None:
    for option, _, what in _ATTENDEE_OPTIONS:
        p.add_argument(f"--{option}", action="append", metavar="ADDRESS", help=help_text.format(what))


def _add_sent_options(p: Any, doing: str) -> None:
    """SENT, --occurrence and --uid: the event `update` or `cancel` (``doing``) is about."""
    p.add_argument("file", metavar="SENT", type=_file_name,
                   help="the invitation as sent (.eml or .ics), or the copy apply wrote")
    p.add_argument("--occurrence", metavar="WHEN", help=f"{doing} this occurrence of a series alone: its start, "
                   f"in the series' zone")
    p.add_argument("--uid", help=f"the event to {doing}, when the file has several")


def _add_sending_options(p: Any, what: str) -> None:
    """--sender, --smtp and -o of a command that mails ``what`` (or writes it)."""
    p.add_argument("--sender", help="send as this address, on the organizer's behalf (SENT-BY)")
    p.add_argument("--smtp", help="smtp://[user@]host[:port] or smtps://... (default $ICSMAIL_SMTP)")
    p.add_argument("-o", "--output", help=f"write {what} here instead of sending it; - for standard output")


def _file_name(text: str) -> str:
    """A file argument; an empty one is refused before open('') says only "No such file"."""
    if not text:
        import argparse
        raise argparse.ArgumentTypeError("an empty file name names no file")
    return text


_ANSWER_WORDS = tuple(w for w in _REPLY_WORDS if w != "DELEGATED")  # (DELEGATED needs a delegate)


def _answer_word(text: str) -> str:
    """reply's ANSWER; a file name there is the two arguments swapped, and said so."""
    if text.upper() in _ANSWER_WORDS:
        return text.upper()
    import argparse
    swapped = os.path.exists(text) or "." in text
    raise argparse.ArgumentTypeError(f"{text!r} is no answer: give accept, decline or tentative (maybe)" + (
        ", after the invitation: reply INVITE ANSWER" if swapped else ""))


def _parser() -> Any:
    import argparse

    class Parser(argparse.ArgumentParser):
        def error(self, message: str) -> Any:  # one line, as every other error (exit status 2: usage)
            self.exit(2, f"icsmail: error: {message} (see: {self.prog} --help)\n")

    parser = Parser(
        prog="icsmail", description="Write, read and e-mail calendar invitations.",
        epilog="SMTP: set ICSMAIL_SMTP=smtp://[user@]host[:port] (or smtps://) and ICSMAIL_SMTP_PASSWORD.")
    parser.add_argument("--version", action="version", version=f"icsmail {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    p = sub.add_parser("publish", help="write an event to an .ics file (METHOD:PUBLISH with --organizer)")
    _add_event_options(p)
    p.add_argument("-o", "--output", help="the file to write; - for standard output (default event.ics)")
    p.set_defaults(run=_cmd_publish)

    p = sub.add_parser("invite", help="e-mail an invitation, or write it to invite.eml without an SMTP server")
    _add_event_options(p)
    _add_sending_options(p, "the message")
    p.set_defaults(run=_cmd_invite)

    p = sub.add_parser("send", help="send prepared .eml files over one SMTP connection")
    p.add_argument("files", nargs="+", metavar="FILE.eml", type=_file_name)
    p.add_argument("--smtp", help="smtp://[user@]host[:port] or smtps://... (default $ICSMAIL_SMTP)")
    p.add_argument("--force", action="store_true", help="send again files already marked as sent")
    p.set_defaults(run=_cmd_send)

    p = sub.add_parser("show", help="print the events of .ics files and invitation e-mails")
    p.add_argument("files", nargs="+", metavar="FILE", type=_file_name, help=".ics or .eml; - for standard input")
    p.add_argument("--json", action="store_true", help="one JSON object per event")
    p.add_argument("--tz", help="show times also in this zone (default: this machine's)")
    p.add_argument("--strict", action="store_true", help="treat deviations from RFC 5545 as errors")
    p.set_defaults(run=_cmd_show)

    p = sub.add_parser("reply", help="answer an invitation (accept, decline, tentative)")
    p.add_argument("file", metavar="INVITE", type=_file_name, help="the invitation (.eml or .ics)")
    p.add_argument("--attendee", required=True, help="your address, as invited")
    p.add_argument("partstat", metavar="ANSWER", type=_answer_word, help="accept, decline or tentative (maybe)")
    p.add_argument("--occurrence", metavar="WHEN",
                   help="answer this occurrence of a series alone: its start, in the series' zone")
    p.add_argument("--comment")
    p.add_argument("--uid", help="the event to answer, when the file has several")
    p.add_argument("--smtp", help="smtp://[user@]host[:port] (default $ICSMAIL_SMTP)")
    p.add_argument("-o", "--output", help="write the reply here instead of sending it; - for standard output")
    p.set_defaults(run=_cmd_reply)

    p = sub.add_parser("update", help="send the next version of an invitation: what changes, the rest kept")
    _add_sent_options(p, "update")
    p.add_argument("--start", help="the new start: 2026-12-01 10:00 (in the event's zone), or a date for all day")
    p.add_argument("--end", help="the new end (a new --start alone keeps the event's length)")
    p.add_argument("--duration", help="the new length: 45m, 1h30m, 2d or PT45M")
    p.add_argument("--tz", help="IANA time zone of --start/--end (default: the event's)")
    p.add_argument("--summary")
    p.add_argument("--location", help="the new place ('' for none)")
    p.add_argument("--description", help="the new description ('' for none)")
    p.add_argument("--url", help="the new URL ('' for none)")
    p.add_argument("--rrule", help="the new recurrence ('' for none)")
    p.add_argument("--category", action="append", help="the categories, all of them (repeatable)")
    p.add_argument("--status", choices=("TENTATIVE", "CONFIRMED"), type=str.upper)
    p.add_argument("--priority", type=int, metavar="0-9")
    p.add_argument("--transparency", choices=("OPAQUE", "TRANSPARENT"), type=str.upper)
    _add_attendee_options(p, "one more: {} (repeatable)")
    _add_sending_options(p, "the update")
    p.set_defaults(run=_cmd_update)

    p = sub.add_parser("cancel", help="cancel an invitation sent before, or one occurrence of it")
    _add_sent_options(p, "cancel")
    p.add_argument("--this-and-future", action="store_true", help="with --occurrence: it and every one after it")
    p.add_argument("--attendee", action="append", metavar="ADDRESS",
                   help="un-invite this attendee alone, and keep the event (repeatable)")
    _add_sending_options(p, "the cancel")
    p.set_defaults(run=_cmd_cancel)

    p = sub.add_parser("apply", help="record replies and cancels in the organizer's copy of an event")
    p.add_argument("copy", metavar="COPY", type=_file_name,
                   help="the organizer's copy: the .ics apply wrote before, or the invitation as sent")
    p.add_argument("answers", nargs="*", metavar="ANSWER", type=_file_name,
                   help="replies, cancels and the organizer's updates (.eml or .ics); none: the copy as it is")
    p.add_argument("-o", "--output", help="write the copy here (default: COPY itself; needed when COPY is an .eml); "
                   "- for standard output")
    p.set_defaults(run=_cmd_apply)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; ``argv`` defaults to ``sys.argv[1:]``.  Returns the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    out, err = sys.stdout or _Closed(), sys.stderr or _Closed(silent=True)
    try:
        return args.run(args, out, err)
    except (ValueError, TypeError, OSError, OverflowError) as exc:  # ParseError and SendError included
        message = str(exc).replace("\n", " ")
        if isinstance(exc, OSError) and not isinstance(exc, SendError) and exc.filename:
            message = f"{exc.filename}: {exc.strerror or exc}"
        if isinstance(exc, BrokenPipeError):
            return _broken_pipe()
        print(f"icsmail: error: {message}", file=err)
        return 1
    except MemoryError:  # an input too large for this machine, read whole (show, reply)
        print("icsmail: error: out of memory", file=err)
        return 1
    except KeyboardInterrupt:
        print("icsmail: interrupted", file=err)
        return 130


def _broken_pipe() -> int:
    """``show big.ics | head``: the reader left; leave quietly (as json.tool does)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
