"""Tests for icsmail: standard library only, loopback network only.

Run: python -m unittest -v test_icsmail
Heavy sweeps run by hand: ICSMAIL_ALL_ZONES=1 checks every zone of the tz
database (see TestVTimezone.test_zones_read_back).
"""
from __future__ import annotations

import contextlib
import dataclasses
import email
import email.policy
import io
import itertools
import json
import os
import pickle
import random
import re
import shutil
import signal
import smtplib
import socketserver
import ssl
import struct
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
import tracemalloc
import unittest
import zoneinfo
from datetime import date, datetime, timedelta, timezone, tzinfo
from unittest import mock
from zoneinfo import ZoneInfo

import icsmail

UTC = timezone.utc
STAMP = datetime(2026, 1, 1, tzinfo=UTC)
LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
HERE = os.path.dirname(os.path.abspath(__file__))


def golden(text: str) -> str:
    """An inline golden iCalendar text: dedented, CRLF line ends, one final CRLF."""
    return textwrap.dedent(text).strip("\n").replace("\n", "\r\n") + "\r\n"


def unfolded(text: str) -> str:
    return text.replace("\r\n ", "").replace("\r\n\t", "")


def event(**kw) -> icsmail.Event:
    """A REQUEST-ready event with fixed UID and DTSTAMP, so outputs are stable."""
    fields = dict(summary="Design review", start=datetime(2026, 12, 1, 10, tzinfo=LONDON),
                  duration=timedelta(minutes=45), uid="review-1@example.com", dtstamp=STAMP,
                  organizer="Alice Smith <alice@example.com>", attendees=["bob@example.com"])
    fields.update(kw)
    return icsmail.Event(**fields)


def lines_of(text: str) -> list:
    return unfolded(text).split("\r\n")


# --------------------------------------------------------------------------
# Text rules: escaping, parameters, folding
# --------------------------------------------------------------------------

class TestEscape(unittest.TestCase):
    CASES = [
        ("plain", "plain"),
        ("a,b", "a\\,b"),
        ("a;b", "a\\;b"),
        ("back\\slash", "back\\\\slash"),
        ("two\nlines", "two\\nlines"),
        ("crlf\r\nbecomes one", "crlf\\nbecomes one"),
        ("lone\rcr", "lone\\ncr"),
        ("colon: stays", "colon: stays"),
        ("C:\\new", "C:\\\\new"),
    ]

    def test_escape_table(self):
        for raw, escaped in self.CASES:
            with self.subTest(raw=raw):
                self.assertEqual(icsmail._escape_text(raw), escaped)

    def test_unescape_is_one_pass(self):
        # "\\n" is an escaped backslash followed by n, not a newline
        self.assertEqual(icsmail._unescape("C:\\\\new"), "C:\\new")
        self.assertEqual(icsmail._unescape("a\\nb\\Nc"), "a\nb\nc")
        self.assertEqual(icsmail._unescape("a\\,b\\;c"), "a,b;c")

    def test_round_trip_random_unicode(self):
        rng = random.Random(5545)
        alphabet = "ab ,;:\\\n\r\"^é€😀中\t"
        for _ in range(300):
            text = "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 40)))
            expected = text.replace("\r\n", "\n").replace("\r", "\n")
            with self.subTest(text=text):
                self.assertEqual(icsmail._unescape(icsmail._escape_text(text)), expected)


class TestParameters(unittest.TestCase):
    CASES = [
        ("Alice", "Alice"),
        ("Doe, Jane", '"Doe, Jane"'),
        ("a:b", '"a:b"'),
        ("a;b", '"a;b"'),
        ('George "Babe" Ruth', "George ^'Babe^' Ruth"),
        ("caret^", "caret^^"),
        ("two\nlines", "two^nlines"),
        ('Doe, "JD"', "\"Doe, ^'JD^'\""),
        (" Bob ", '" Bob "'),  # some readers strip spaces at the ends of unquoted values
        ("tab\t", '"tab\t"'),
        ("cr\ralone", "cr^nalone"),  # a CR alone is a line break too: never written raw
        ("crlf\r\npair", "crlf^npair"),
    ]

    def test_encode_table(self):
        for raw, encoded in self.CASES:
            with self.subTest(raw=raw):
                self.assertEqual(icsmail._param_value(raw), encoded)

    def test_rfc6868_round_trip(self):
        for raw, _ in self.CASES:
            if "\n" in raw or "\r" in raw:
                continue  # names are one line: a newline in a name is refused
            with self.subTest(raw=raw):
                text = icsmail.dumps(event(attendees=[icsmail.Attendee("bob@example.com", name=raw)]))
                self.assertEqual(icsmail.loads(text).events[0].attendees[0].name, raw)

    def test_decode_table(self):
        for encoded, raw in (("^n", "\n"), ("^N", "\n"), ("^'", '"'), ("^^", "^"), ("a^^n", "a^n")):
            with self.subTest(encoded=encoded):
                self.assertEqual(icsmail._decode_param(encoded), raw)

    def test_unknown_caret_kept(self):
        self.assertEqual(icsmail._decode_param("a^b^^c"), "a^b^c")


class TestFold(unittest.TestCase):
    def assert_folded(self, text: str) -> None:
        for line in text.split("\r\n"):
            self.assertLessEqual(len(line.encode()), 75, line)

    def test_short_line_untouched(self):
        self.assertEqual(icsmail._fold("SUMMARY:short"), "SUMMARY:short")

    def test_ascii_fold_positions(self):
        folded = icsmail._fold("X:" + "a" * 200)
        parts = folded.split("\r\n")
        self.assertEqual(len(parts[0]), 75)
        self.assertTrue(all(p.startswith(" ") for p in parts[1:]))
        self.assertEqual(unfolded(folded), "X:" + "a" * 200)

    def test_emoji_at_the_boundary_is_not_split(self):
        for pad in range(60, 76):
            line = "X:" + "a" * pad + "😀" * 5
            with self.subTest(pad=pad):
                folded = icsmail._fold(line)
                self.assert_folded(folded)
                for part in folded.split("\r\n"):
                    part.encode()  # every part is whole characters
                self.assertEqual(unfolded(folded), line)

    def test_escape_is_not_split(self):
        line = "DESCRIPTION:" + "a" * 62 + "\\,b"  # the backslash would be octet 75
        first = icsmail._fold(line).split("\r\n")[0]
        self.assertFalse(first.endswith("\\"))

    def test_random_unicode_lines(self):
        rng = random.Random(75)
        alphabet = "aé€😀中\\,; "
        for _ in range(300):
            line = "X:" + "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 200)))
            with self.subTest(line=line):
                folded = icsmail._fold(line)
                self.assert_folded(folded)
                self.assertEqual(unfolded(folded), line)

    def test_long_text_values_fold_as_any_line(self):
        # A long TEXT value is escaped and folded as UTF-8 bytes: the same text as the str route.
        rng = random.Random(6868)
        for _ in range(500):
            value = "".join(rng.choice("ab é😀中\\,;\r\n\t") for _ in range(rng.randrange(0, 300)))
            with self.subTest(value=value):
                self.assertEqual(icsmail._text_line("DESCRIPTION;LANGUAGE=de", value),
                                 icsmail._fold("DESCRIPTION;LANGUAGE=de:" + icsmail._escape_text(value)))

    def test_people_lines_fold_as_any_line(self):
        # ORGANIZER/ATTENDEE lines are folded up to the address once per person and then
        # completed: the result must be what folding the whole line gives.
        names = [None, "", "Bo", "Zoë Núñez", "太郎 山田", "😀" * 20, "a" * 70, "é" * 36 + "x", "Doe, Jane",
                 "ends with \\", "a" * 53 + "\\"]
        for name in names:
            for size in (1, 30, 60, 67, 68, 90, 150, 160):
                address = "u" * size + "@example.com"
                for person in (icsmail.Attendee(address, name=name), icsmail.Organizer(address, name=name),
                               icsmail.Attendee(address, name=name, rsvp=False, partstat="x-later")):
                    with self.subTest(name=name, size=size, person=type(person).__name__):
                        if isinstance(person, icsmail.Organizer):
                            line = icsmail._organizer_line(person)
                        else:
                            line = icsmail._attendee_line(person)
                        self.assertEqual(line, icsmail._fold(unfolded(line)))
                        self.assertTrue(unfolded(line).endswith(":mailto:" + address))


# --------------------------------------------------------------------------
# Values: durations, offsets, dates
# --------------------------------------------------------------------------

class TestValues(unittest.TestCase):
    def test_duration_text(self):
        cases = [(timedelta(minutes=45), "PT45M"), (timedelta(hours=1, minutes=30), "PT1H30M"),
                 (timedelta(days=1), "P1D"), (timedelta(weeks=2), "P2W"), (timedelta(minutes=-15), "-PT15M"),
                 (timedelta(days=1, seconds=5), "P1DT5S"), (timedelta(hours=1, seconds=5), "PT1H0M5S"),
                 (timedelta(0), "P0D")]
        for value, text in cases:
            with self.subTest(text=text):
                self.assertEqual(icsmail._fmt_duration(value), text)
                self.assertEqual(icsmail._parse_duration(text), value)

    def test_duration_overflow_is_unreadable(self):
        self.assertIsNone(icsmail._parse_duration("P999999999999999999W"))

    def test_offsets(self):
        self.assertEqual(icsmail._fmt_offset(5 * 3600 + 45 * 60), "+0545")
        self.assertEqual(icsmail._fmt_offset(-(44 * 60 + 30)), "-004430")
        self.assertEqual(icsmail._fmt_offset(0), "+0000")
        self.assertEqual(icsmail._parse_offset("-004430"), -(44 * 60 + 30))

    def test_duration_hours_are_elapsed_across_dst(self):
        # London springs forward at 01:00 on 2026-03-29: two hours later is 03:30, not 02:30
        ev = icsmail.Event("x", datetime(2026, 3, 29, 0, 30, tzinfo=LONDON), duration=timedelta(hours=2))
        self.assertEqual(ev.end_time, datetime(2026, 3, 29, 3, 30, tzinfo=LONDON))
        self.assertEqual(ev.end_time.astimezone(UTC) - ev.start.astimezone(UTC), timedelta(hours=2))

    def test_duration_days_are_calendar_days(self):
        ev = icsmail.Event("x", datetime(2026, 3, 28, 10, tzinfo=LONDON), duration=timedelta(days=1))
        self.assertEqual(ev.end_time, datetime(2026, 3, 29, 10, tzinfo=LONDON))


# --------------------------------------------------------------------------
# Time zones: TZif, POSIX rules, VTIMEZONE
# --------------------------------------------------------------------------

def offsets_match(test: unittest.TestCase, key: str, start: int, end: int) -> int:
    """Read vtimezone(key) back with icsmail's own VTIMEZONE engine; compare with zoneinfo."""
    text = icsmail.vtimezone(key, date(1970, 1, 1), date(2037, 12, 31))
    cal = icsmail.loads((golden("""
        BEGIN:VCALENDAR
        VERSION:2.0
        PRODID:test
        """) + text + golden("""
        BEGIN:VEVENT
        UID:x
        DTSTAMP:20260101T000000Z
        DTSTART;TZID=custom:20260101T000000
        END:VEVENT
        END:VCALENDAR
        """)).replace(f"TZID:{key}\r\n", "TZID:custom\r\n"))
    vz = cal.events[0].start.tzinfo
    test.assertIsInstance(vz, icsmail._VZone)
    zone = ZoneInfo(key)
    data = icsmail._tzdata(key)
    instants = [t for t in data.times if start <= t <= end]
    if data.footer is not None and data.footer.start is not None:
        instants += [t[0] for y in range(1970, 2038) for t in data.footer.transitions(y) if start <= t[0] <= end]
    instants += list(range(start, end, 86400 * 97))  # and a sample between the changes
    checked = 0
    for t in instants:
        for moment in (t - 1, t, t + 1):
            instant = icsmail._EPOCH + timedelta(seconds=moment)
            expected = instant.astimezone(zone).utcoffset()
            got = instant.astimezone(vz).utcoffset()
            if expected != got:
                test.fail(f"{key} at {instant.isoformat()}: zoneinfo {expected}, VTIMEZONE {got}")
            checked += 1
    return checked


NASTY_ZONES = ["Europe/Berlin", "America/New_York", "Australia/Sydney", "Europe/Dublin", "Africa/Casablanca",
               "Asia/Gaza", "Asia/Jerusalem", "America/Nuuk", "Africa/Cairo", "America/Santiago",
               "Australia/Lord_Howe", "Antarctica/Troll", "Pacific/Chatham", "Asia/Kathmandu", "Africa/Monrovia",
               "Pacific/Apia", "Europe/Moscow", "America/Sao_Paulo", "Etc/GMT+5", "America/Vancouver",
               "Pacific/Kiritimati", "America/Havana", "Asia/Tehran", "America/St_Johns", "Europe/London",
               "Asia/Kolkata", "America/Grand_Turk", "Europe/Chisinau"]


def zone_names() -> list:
    names = sorted(zoneinfo.available_timezones() - {"localtime", "Factory"})
    if os.environ.get("ICSMAIL_ALL_ZONES"):
        return names
    rng = random.Random(2037)
    return sorted(set(n for n in NASTY_ZONES if n in names) | set(rng.sample(names, 30)))


class TestVTimezone(unittest.TestCase):
    def test_golden_a_zone_without_changes_since_long_ago(self):  # the observance in force: from its last change
        self.assertEqual(icsmail.vtimezone("Asia/Tokyo", date(2026, 1, 1), date(2026, 12, 31)), golden("""
            BEGIN:VTIMEZONE
            TZID:Asia/Tokyo
            BEGIN:STANDARD
            DTSTART:19510909T000000
            TZOFFSETFROM:+0900
            TZOFFSETTO:+0900
            TZNAME:JST
            END:STANDARD
            END:VTIMEZONE
            """))

    def test_a_span_all_in_summer_time_has_a_standard(self):  # readers built on dateutil fail without one
        text = icsmail.dumps(event(start=datetime(2011, 12, 31, 3, 37, tzinfo=ZoneInfo("Pacific/Apia"))))
        parts = [line for line in text.split("\r\n") if line.startswith(("BEGIN:S", "BEGIN:D", "TZOFFSETTO"))]
        self.assertEqual(parts, ["BEGIN:STANDARD", "TZOFFSETTO:-1000", "BEGIN:DAYLIGHT", "TZOFFSETTO:+1400"])

    def test_golden_new_york(self):
        self.assertEqual(icsmail.vtimezone("America/New_York", date(2026, 1, 1), date(2026, 12, 31)), golden("""
            BEGIN:VTIMEZONE
            TZID:America/New_York
            BEGIN:DAYLIGHT
            DTSTART:20070311T020000
            RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU
            TZOFFSETFROM:-0500
            TZOFFSETTO:-0400
            TZNAME:EDT
            END:DAYLIGHT
            BEGIN:STANDARD
            DTSTART:20071104T020000
            RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU
            TZOFFSETFROM:-0400
            TZOFFSETTO:-0500
            TZNAME:EST
            END:STANDARD
            END:VTIMEZONE
            """))

    def test_zone_without_dst_is_one_standard(self):
        text = icsmail.vtimezone("Asia/Kolkata", date(2026, 1, 1), date(2026, 12, 31))
        self.assertEqual(text.count("BEGIN:STANDARD"), 1)
        self.assertNotIn("DAYLIGHT", text)
        self.assertNotIn("RRULE", text)
        self.assertIn("TZOFFSETTO:+0530", text)

    def test_history_before_the_rule(self):
        # New York in 2005: explicit changes of the old rule, then the 2007 rule pair
        text = icsmail.vtimezone("America/New_York", date(2005, 6, 1), None)
        self.assertIn("DTSTART:20051030T020000", text)
        self.assertIn("DTSTART:20060402T020000", text)
        self.assertIn("RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU", text)

    def test_outlook_reads_the_rule_pair_last(self):
        text = icsmail.vtimezone("Europe/Berlin", date(1980, 1, 1), None)
        components = re.findall(r"BEGIN:(STANDARD|DAYLIGHT)\r\nDTSTART:(\d+)", text)
        latest = sorted(components, key=lambda c: c[1])[-2:]
        self.assertEqual({kind for kind, _ in latest}, {"STANDARD", "DAYLIGHT"})
        self.assertEqual(text.count("RRULE:"), 2)
        self.assertNotIn("RDATE", text)

    def test_shifted_rules(self):
        cases = {
            "America/Nuuk": "BYMONTHDAY=24,25,26,27,28,29,30;BYDAY=SA",
            "Africa/Cairo": "BYYEARDAY=-67,-66,-65,-64,-63,-62,-61;BYDAY=FR",
            "America/Santiago": "BYMONTHDAY=2,3,4,5,6,7,8;BYDAY=SU",
            "Asia/Jerusalem": "BYMONTH=3;BYMONTHDAY=23,24,25,26,27,28,29;BYDAY=FR",
        }
        for key, rule in cases.items():
            if icsmail._tzdata(key).footer is None or icsmail._tzdata(key).footer.start is None:
                continue  # this tz database has no DST rule for the zone any more
            with self.subTest(key=key):
                self.assertIn(rule, icsmail.vtimezone(key, date(2026, 1, 1), None))

    def test_negative_dst_is_written_as_summer_time(self):
        text = icsmail.vtimezone("Europe/Dublin", date(2026, 1, 1), date(2026, 12, 31))
        daylight = text[text.index("BEGIN:DAYLIGHT"):text.index("END:DAYLIGHT")]
        self.assertIn("TZOFFSETTO:+0100", daylight)
        self.assertIn("TZNAME:IST", daylight)

    def test_utc_like_zones_are_written_with_z(self):
        text = icsmail.dumps(event(start=datetime(2026, 12, 1, 10, tzinfo=ZoneInfo("Etc/UTC"))))
        self.assertIn("DTSTART:20261201T100000Z", text)
        self.assertNotIn("VTIMEZONE", text)

    def test_span_of_a_single_event_is_small(self):
        text = icsmail.dumps(event(start=datetime(2026, 7, 1, 10, tzinfo=ZoneInfo("Asia/Kathmandu"))))
        self.assertEqual(text.count("BEGIN:STANDARD") + text.count("BEGIN:DAYLIGHT"), 1)

    def test_every_vtimezone_is_faithful(self):
        """A sample of zones here; ICSMAIL_ALL_ZONES=1 runs all of them (by hand)."""
        start = int(datetime(1970, 1, 1, tzinfo=UTC).timestamp())
        end = int(datetime(2037, 12, 31, tzinfo=UTC).timestamp())
        for key in zone_names():
            with self.subTest(key=key):
                self.assertGreater(offsets_match(self, key, start, end), 0)

    def test_one_year_is_fast_after_the_first_call(self):
        import timeit
        icsmail.vtimezone("Europe/Paris", date(2026, 1, 1), date(2026, 12, 31))
        call = lambda: icsmail.vtimezone("Europe/Paris", date(2026, 1, 1), date(2026, 12, 31))  # noqa: E731
        self.assertLess(min(timeit.repeat(call, number=20, repeat=5)) / 20, 0.001)

    def test_bad_zones(self):
        with self.assertRaisesRegex(ValueError, "unknown time zone 'Mars/Olympus'"):
            icsmail.vtimezone("Mars/Olympus", date(2026, 1, 1))
        with self.assertRaisesRegex(ValueError, "invalid time zone name"):
            icsmail.vtimezone("../../etc/passwd", date(2026, 1, 1))
        with self.assertRaises(TypeError):
            icsmail.vtimezone(5, date(2026, 1, 1))

    def test_bad_spans_name_the_argument(self):
        cases = [(("2026-01-01", None), TypeError, "start must be a date or an aware datetime, not '2026-01-01'"),
                 ((date(2026, 1, 1), 2027), TypeError, "end must be a date or an aware datetime, not 2027"),
                 ((datetime(2026, 1, 1), None), ValueError, "start must be .*, not the naive datetime")]
        for (start, end), error, message in cases:
            with self.subTest(message), self.assertRaisesRegex(error, message):
                icsmail.vtimezone("Europe/London", start, end)

    def test_no_tz_database_says_how_to_fix_it(self):
        with mock.patch.object(icsmail, "_tz_database_present", return_value=False):
            with self.assertRaisesRegex(ValueError, "pip install tzdata"):
                icsmail._zoneinfo("Nowhere/Atall")
            with self.assertRaisesRegex(ValueError, "pip install tzdata"):  # not "pass --tz"
                icsmail._local_zone_name()

    def test_posix_footers(self):
        tz = icsmail._parse_posix_tz("IST-1GMT0,M10.5.0,M3.5.0/1")
        self.assertEqual((tz.std_offset, tz.dst_offset), (3600, 0))
        self.assertEqual(icsmail._parse_posix_tz("<-02>2<-01>,M3.5.0/-1,M10.5.0/0").start.time, -3600)
        self.assertEqual(icsmail._parse_posix_tz("<+0545>-5:45").std_offset, 20700)
        permanent = icsmail._parse_posix_tz("EST5EDT,0/0,J365/25")
        self.assertEqual((permanent.std_offset, permanent.start), (-4 * 3600, None))

    def test_tzif_versions(self):
        def tzif(version: bytes, times: list, types: list, footer: bytes) -> bytes:
            chars = b"".join(abbr + b"\0" for _, _, abbr in types)
            index, records = 0, b""
            for off, dst, abbr in types:
                records += struct.pack(">lBB", off, dst, index)
                index += len(abbr) + 1

            def block(size: str) -> bytes:
                head = b"TZif" + version + b"\0" * 15 + struct.pack(">6l", 0, 0, 0, len(times), len(types),
                                                                     len(chars))
                return (head + struct.pack(f">{len(times)}{size}", *times) + bytes(range(len(times)))
                        + records + chars)
            data = block("l")
            if version != b"\0":
                data += block("q") + b"\n" + footer + b"\n"
            return data
        types = [(3600, 0, b"AAA"), (7200, 1, b"BBB")]
        for version in (b"\0", b"2", b"3"):
            with self.subTest(version=version):
                times, indices, parsed, footer = icsmail._parse_tzif(
                    tzif(version, [0, 86400], types, b"AAA-1BBB,M3.5.0,M10.5.0/3"), "test")
                self.assertEqual(times, [0, 86400])
                self.assertEqual(parsed, [(3600, False, "AAA"), (7200, True, "BBB")])
                self.assertEqual(footer, "" if version == b"\0" else "AAA-1BBB,M3.5.0,M10.5.0/3")
        with self.assertRaisesRegex(ValueError, "not a TZif file"):
            icsmail._parse_tzif(b"nonsense" * 10, "test")


# --------------------------------------------------------------------------
# The data model: what is refused, and how
# --------------------------------------------------------------------------

class TestModel(unittest.TestCase):
    @unittest.skipIf(sys.version_info < (3, 10), "annotations like str | None evaluate from Python 3.10 on")
    def test_annotations_evaluate(self):  # as documentation tools and validators read them
        import typing
        for obj in (icsmail.Event, icsmail.Attendee, icsmail.Property, icsmail.Calendar, icsmail.load,
                    icsmail.iter_events, icsmail.send, icsmail.update, icsmail.dumps):
            with self.subTest(obj.__name__):
                self.assertTrue(typing.get_type_hints(obj))

    def test_sequences_are_tuples(self):  # whatever sequence is given, empty or not: events compare equal
        day = date(2026, 5, 1)
        given = icsmail.Event("x", day, uid="u", dtstamp=STAMP, attendees=[], categories=["a"], alarms=[],
                              exdates=[], rdates=[date(2026, 5, 8)], extra=[], components=[])
        self.assertEqual((given.attendees, given.categories, given.alarms, given.exdates, given.rdates,
                          given.extra, given.components), ((), ("a",), (), (), (date(2026, 5, 8),), (), ()))
        self.assertEqual(given, icsmail.Event("x", day, uid="u", dtstamp=STAMP, categories=("a",),
                                              rdates=(date(2026, 5, 8),)))
        self.assertEqual(dataclasses.replace(given, summary="y").summary, "y")

    def test_an_alarm_is_immutable_and_events_share_equal_ones(self):
        alarm = icsmail.Alarm()
        with self.assertRaises(dataclasses.FrozenInstanceError):
            alarm.description = "Soon"
        self.assertEqual(dataclasses.replace(alarm, description="Soon").description, "Soon")
        first, second = (event(alarms=[icsmail.Alarm(), icsmail.Alarm(trigger=timedelta(hours=-1))])
                         for _ in range(2))
        self.assertIs(first.alarms, second.alarms)  # one copy for a calendar of the same reminders
        self.assertEqual([a.trigger for a in first.alarms], [timedelta(minutes=-15), timedelta(hours=-1)])
        other = event(alarms=[icsmail.Alarm(description="Leave now")])
        self.assertEqual(other.alarms[0].description, "Leave now")
        mail = icsmail.Alarm(action="EMAIL", attendees=["bob@example.com"])  # kept as given
        self.assertIs(event(alarms=[mail]).alarms[0], mail)

    def test_an_alarm_with_attendees_or_properties_is_hashable_as_immutable_values_are(self):
        def mail(**more: object) -> icsmail.Alarm:
            return icsmail.Alarm(action="EMAIL", attendees=["bob@example.com"], **more)
        extra = [icsmail.Property("X-SOUND", "bell")]
        self.assertEqual(len({mail(), mail(), mail(extra=extra), mail(extra=extra), icsmail.Alarm()}), 3)

    def test_a_shared_alarm_keeps_its_kind_of_duration(self):  # PT24H equals P1D as a timedelta, not in a file
        event(alarms=[icsmail.Alarm(trigger=timedelta(days=-1), description="x")])
        text = calendar_with("DTSTART;TZID=Europe/Berlin:20260329T100000", "DURATION:PT1H", "BEGIN:VALARM",
                             "ACTION:DISPLAY", "DESCRIPTION:x", "TRIGGER:-PT24H", "END:VALARM")
        changed = dataclasses.replace(icsmail.loads(text).events[0], summary="Moved")  # through Event()
        self.assertIn("TRIGGER:-PT24H\r\n", icsmail.dumps(changed))

    def test_dataclasses_made_from_event_and_alarm_are_checked(self):
        @dataclasses.dataclass
        class Meeting(icsmail.Event):
            room: str = ""

        class Checked(icsmail.Event):
            def __post_init__(self):
                super().__post_init__()
                self.summary = self.summary.upper()

        ev = Meeting("x", date(2026, 5, 1), attendees=["Bob <bob@example.com>"], room="4")
        self.assertEqual((ev.attendees[0].email, ev.end, ev.room), ("bob@example.com", date(2026, 5, 2), "4"))
        self.assertIn("ATTENDEE", icsmail.dumps(ev))
        with self.assertRaisesRegex(ValueError, "priority"):
            Meeting("x", date(2026, 5, 1), priority=12)
        checked = dataclasses.dataclass(Checked)("x", date(2026, 5, 1))
        self.assertEqual((checked.summary, checked.end), ("X", date(2026, 5, 2)))

        @dataclasses.dataclass(frozen=True)  # as Alarm is
        class Reminder(icsmail.Alarm):
            sound: str = "ding"

        self.assertEqual(Reminder(timedelta(minutes=-5)).description, "Reminder")
        mailed = Reminder(timedelta(minutes=-5), action="EMAIL", attendees=["bob@example.com"])
        self.assertEqual(hash(mailed), hash(dataclasses.replace(mailed)))
        with self.assertRaisesRegex(ValueError, "repeat and interval go together"):
            Reminder(repeat=2)

    def test_refusals(self):
        naive = datetime(2026, 12, 1, 10)
        aware = datetime(2026, 12, 1, 10, tzinfo=UTC)
        cases = [
            ("naive datetime", lambda: event(start=naive), ValueError, "naive datetime"),
            ("end before start", lambda: event(start=aware, duration=None, end=aware - timedelta(hours=1)),
             ValueError, "is not after start"),
            ("end and duration", lambda: event(start=aware, end=aware + timedelta(hours=1)), ValueError,
             r"not both .*: end datetime\.datetime\(2026, .*, duration datetime\.timedelta\("),
            ("period of dates", lambda: event(start=date(2026, 5, 1), duration=None,
                                              rdates=[(date(2026, 6, 1), date(2026, 6, 3))]),
             ValueError, "a PERIOD is of date-times"),
            ("period ending first", lambda: event(start=aware, rdates=[(aware, aware - timedelta(hours=1))]),
             ValueError, "does not end after it starts"),
            ("negative period", lambda: event(start=aware, rdates=[(aware, timedelta(hours=-1))]),
             ValueError, "does not end after it starts"),
            ("endless duration", lambda: event(duration=timedelta(days=999999999)), ValueError,
             "beyond the years 1-9999"),
            ("negative alarm interval", lambda: icsmail.Alarm(repeat=2, interval=timedelta(minutes=-5)),
             ValueError, "alarm interval must be positive"),
            ("bad address", lambda: event(attendees=["bob@"]), ValueError, "malformed e-mail address 'bob@'"),
            ("CR in address", lambda: event(attendees=["bob@example.com\r\nBcc: x@y"]), ValueError, "CR or LF"),
            ("C1 control in address", lambda: event(attendees=["bob\x9b@example.com"]), ValueError, "malformed"),
            ("calendar name twice", lambda: icsmail.Calendar([], name="A", extra=[("X-WR-CALNAME", "B")]), ValueError,
             "repeat the name"),
            ("control in address", lambda: event(attendees=["bob\x01@example.com"]), ValueError,
             "malformed e-mail address 'bob\\\\x01@example.com'"),
            ("control in sent_by", lambda: icsmail.Organizer("a@example.com", sent_by="s\x00@example.com"), ValueError,
             "malformed"),
            ("LF in name", lambda: icsmail.Organizer("a@example.com", name="A\nB"), ValueError, "CR or LF"),
            ("priority", lambda: event(priority=10), ValueError, "priority must be a whole number from 0 to 9"),
            ("priority of another type", lambda: event(priority="5"), TypeError, "priority must be .*, not '5'"),
            ("sequence of another type", lambda: event(sequence=1.0), TypeError, "sequence must be .*, not 1.0"),
            ("uid of another type", lambda: event(uid=5), TypeError, "uid must be a non-empty str, not 5"),
            ("partstat", lambda: icsmail.Attendee("b@example.com", partstat="MAYBE"), ValueError,
             "unknown attendee partstat 'MAYBE'"),
            ("role", lambda: icsmail.Attendee("b@example.com", role="BOSS"), ValueError,
             "unknown attendee role 'BOSS'"),
            ("status", lambda: event(status="DONE"), ValueError, "unknown status 'DONE'"),
            ("rrule", lambda: event(rrule="FREQ=FORTNIGHTLY"), ValueError, "invalid rrule"),
            ("rrule count", lambda: event(rrule="FREQ=DAILY;COUNT=0"), ValueError, "COUNT=0"),
            ("rrule byday", lambda: event(rrule="FREQ=DAILY;BYDAY=2MO"), ValueError, "needs FREQ=MONTHLY"),
            ("rrule until type", lambda: event(rrule="FREQ=DAILY;UNTIL=20270101"), ValueError,
             "UNTIL must be a DATE-TIME"),
            ("rrule until zone", lambda: event(rrule="FREQ=DAILY;UNTIL=20270101T000000"), ValueError, "UTC"),
            ("start type", lambda: event(start="tomorrow"), TypeError, "start must be a date or datetime"),
            ("control char", lambda: event(summary="bell\x07"), ValueError, "U\\+0007"),
            ("C1 control", lambda: event(summary="csi\x9b"), ValueError, "control character U\\+009B"),
            ("NEL in name", lambda: icsmail.Attendee("b@example.com", name="Bob\x85Bcc"), ValueError, "U\\+0085"),
            ("line separator in name", lambda: icsmail.Organizer("a@example.com", name="A\u2028B"), ValueError,
             "line separator U\\+2028"),
            ("control in a name given with the address", lambda: icsmail.Attendee("A\x01B <b@example.com>"),
             ValueError, "U\\+0001"),
            ("all-day duration", lambda: event(start=date(2026, 12, 1), duration=timedelta(hours=3)), ValueError,
             "whole days"),
            ("extra END", lambda: event(extra=[("END", "VEVENT")]), ValueError, "extra property END is not allowed"),
            ("extra field", lambda: event(extra=[("DTSTART", "20260101T000000Z")]), ValueError,
             "DTSTART is not allowed: it is written from its own field"),
            ("floating until", lambda: event(start=datetime(2026, 3, 3, 9), floating=True,
                                             rrule="FREQ=WEEKLY;UNTIL=20270101T000000Z"), ValueError, "local time"),
            ("signed weekday", lambda: event(rrule="FREQ=MONTHLY;BYDAY=+MO"), ValueError, "'\\+MO' is not a weekday"),
            ("non-ASCII digits", lambda: event(rrule="FREQ=MONTHLY;BYDAY=\u0661MO"), ValueError, "not a weekday"),
            ("rrule mapping", lambda: event(rrule={"freq": "weekly", "byday": "MO;COUNT=3"}), ValueError,
             "a value has no ';'"),
            ("end alarm", lambda: event(duration=None, alarms=[icsmail.Alarm(related="END")]), ValueError,
             "needs the event's end or duration"),
            ("gap fold", lambda: event(start=datetime(2026, 3, 8, 2, 30, fold=1, tzinfo=NEW_YORK), rrule="FREQ=DAILY"),
             ValueError, "does not exist"),
            ("naive alarm", lambda: icsmail.Alarm(trigger=naive), ValueError, "naive datetime"),
            ("email alarm", lambda: icsmail.Alarm(action="EMAIL"), ValueError, "needs attendees"),
        ]
        for name, make, exc, message in cases:
            with self.subTest(name):
                with self.assertRaisesRegex(exc, message):
                    make()

    def test_tokens_are_normalised(self):
        a = icsmail.Attendee("b@example.com", role="opt-participant", partstat="accepted", cutype="room")
        self.assertEqual((a.role, a.partstat, a.cutype), ("OPT-PARTICIPANT", "ACCEPTED", "ROOM"))
        self.assertEqual(icsmail.Attendee("b@example.com", partstat="X-WAITING").partstat, "X-WAITING")

    def test_people_from_strings(self):
        ev = event(organizer="mailto:alice@example.com", attendees=['"Doe, Jane" <jane@example.com>'])
        self.assertEqual(ev.organizer, icsmail.Organizer("alice@example.com"))
        self.assertEqual((ev.attendees[0].email, ev.attendees[0].name), ("jane@example.com", "Doe, Jane"))

    def test_defaults(self):
        ev = icsmail.Event("x", date(2026, 12, 24))
        self.assertEqual(ev.end, date(2026, 12, 25))  # all-day: one day, exclusive end
        self.assertTrue(ev.uid)
        self.assertEqual(ev.dtstamp.tzinfo, UTC)
        self.assertEqual(icsmail.Event("x", date(2026, 1, 1), uid="keep").uid, "keep")

    def test_rrule_mapping_form(self):
        ev = event(rrule={"freq": "weekly", "byday": ["MO", "WE"], "until": date(2027, 6, 30)})
        self.assertEqual(ev.rrule, "FREQ=WEEKLY;UNTIL=20270630T225959Z;BYDAY=MO,WE")  # 23:59:59 BST
        self.assertEqual(event(rrule="RRULE:FREQ=DAILY;COUNT=3").rrule, "FREQ=DAILY;COUNT=3")

    def test_an_all_day_series_recurs_by_days(self):  # RFC 5545 3.3.10: no BYHOUR and the like on a DATE
        for rule, part in (("FREQ=HOURLY;COUNT=3", "FREQ=HOURLY"), ("FREQ=DAILY;BYHOUR=9", "BYHOUR=9")):
            with self.subTest(rule), self.assertRaisesRegex(
                    ValueError, f"invalid rrule '{rule}': {part} needs a start with a time"):
                icsmail.Event("x", date(2026, 12, 1), rrule=rule)

    def test_a_count_too_large_says_so(self):
        with self.assertRaisesRegex(ValueError, "RRULE COUNT=1000000000 is too large"):
            event(rrule="FREQ=DAILY;COUNT=1000000000")

    def test_a_date_until_ends_at_the_next_midnight(self):  # not 23:59:59, which some nights skip
        nuuk = ZoneInfo("America/Nuuk")  # summer time from 23:00 on Saturday 28 March 2026
        ev = event(start=datetime(2026, 3, 20, 0, 30, tzinfo=nuuk), rrule={"freq": "daily", "until": date(2026, 3, 28)})
        self.assertEqual(ev.rrule, "FREQ=DAILY;UNTIL=20260329T005959Z")  # 23:59:59 -01, not Sunday 00:59:59
        santiago = ZoneInfo("America/Santiago")  # summer time from midnight: 6 September 2026 begins at 01:00
        ev = event(start=datetime(2026, 8, 1, 9, tzinfo=santiago), rrule={"freq": "daily", "until": date(2026, 9, 5)})
        self.assertEqual(ev.rrule, "FREQ=DAILY;UNTIL=20260906T035959Z")
        with self.assertRaisesRegex(ValueError, "rrule until 9999-12-31 23:59:59-05:00 is beyond the years"):
            event(start=datetime(2026, 8, 1, 9, tzinfo=NEW_YORK), rrule={"freq": "daily", "until": date.max})

    def test_the_until_of_a_summary_is_the_series_own_day(self):
        ev = event(start=datetime(2026, 10, 1, 10, tzinfo=NEW_YORK),
                   rrule={"freq": "weekly", "until": date(2026, 12, 31)})
        self.assertIn("UNTIL=20270101T045959Z", ev.rrule)
        plain = next(p for p in parse_mail(icsmail.build_message(ev)).walk() if p.get_content_type() == "text/plain")
        self.assertIn("every week, until 2026-12-31", plain.get_content())

    def test_floating_needs_to_be_asked_for(self):
        ev = event(start=datetime(2026, 12, 1, 10), floating=True)
        self.assertIn("DTSTART:20261201T100000\r\n", icsmail.dumps(ev))
        with self.assertRaisesRegex(ValueError, "has a time zone but the event is floating"):
            event(floating=True)

    def test_partstats_of_a_todo_are_refused_on_an_event(self):
        for word in ("completed", "IN-PROCESS", "needs-action", "yes"):
            with self.subTest(word), self.assertRaisesRegex(ValueError, f"reply partstat '{word}' is no answer to an "
                                                                        f"event: give ACCEPTED, DECLINED, TENTATIVE"):
                icsmail.reply(event(), "bob@example.com", word)
        with self.assertRaisesRegex(ValueError, "bob@example.com has partstat COMPLETED"):
            event(attendees=[icsmail.Attendee("bob@example.com", partstat="COMPLETED")])

    def test_a_series_needs_a_zone_it_can_write(self):
        class Eastern(tzinfo):  # a third-party zone (pytz, dateutil): written in UTC
            def utcoffset(self, dt):
                return timedelta(hours=-4 if 4 <= dt.month <= 10 else -5)

            def dst(self, dt):
                return timedelta(hours=1 if 4 <= dt.month <= 10 else 0)

        class PytzLike(tzinfo):  # pytz: utcoffset() keeps the offset it was made with, fromutc() knows the date
            def utcoffset(self, dt):
                return timedelta(hours=-5)

            def dst(self, dt):
                return timedelta(0)

            def fromutc(self, dt):
                offset = timedelta(hours=-4 if 4 <= dt.month <= 10 else -5)
                return (dt + offset).replace(tzinfo=timezone(offset))

        for zone in (Eastern(), PytzLike()):
            start = datetime(2026, 10, 20, 10, tzinfo=zone)
            self.assertIsNone(event(start=start).rrule)  # one event: its instant in UTC is right
            with self.subTest(type(zone).__name__), \
                    self.assertRaisesRegex(ValueError, "a recurring event needs its zone as zoneinfo.ZoneInfo"):
                event(start=start, rrule="FREQ=WEEKLY;COUNT=4")
        fixed = datetime(2026, 10, 20, 10, tzinfo=timezone(timedelta(hours=2)))  # never changes: UTC is exact
        self.assertEqual(event(start=fixed, rrule="FREQ=WEEKLY;COUNT=4").rrule, "FREQ=WEEKLY;COUNT=4")
        self.assertEqual(event(start=fixed, rrule="FREQ=WEEKLY;BYDAY=TU,TH").rrule, "FREQ=WEEKLY;BYDAY=TU,TH")
        early = datetime(2026, 1, 5, 2, tzinfo=timezone(timedelta(hours=5)))  # Monday here, Sunday in UTC
        for rule, said in (("FREQ=WEEKLY;BYDAY=MO,WE", "BYDAY would name other days"),
                           ("FREQ=MONTHLY;COUNT=6", "FREQ=MONTHLY would name other days"),  # the 4th, in UTC
                           ("FREQ=DAILY;BYHOUR=2,14", "BYHOUR would name other hours")):
            with self.subTest(rule), self.assertRaisesRegex(ValueError, said):
                event(start=early, rrule=rule)

    def test_a_zone_of_a_tz_database_file_that_names_no_zone_is_written_as_the_one_it_leads_to(self):
        if not any(os.path.isfile(os.path.join(d, "posix", "Europe", "Paris")) for d in zoneinfo.TZPATH):
            self.skipTest("no posix/ zones in this tz database")
        start = datetime(2026, 7, 1, 10, tzinfo=ZoneInfo("posix/Europe/Paris"))
        self.assertIn("DTSTART;TZID=Europe/Paris:20260701T100000", lines_of(icsmail.dumps(event(start=start))))
        self.assertIn("TZID:Europe/Paris", icsmail.vtimezone("posix/Europe/Paris", date(2026, 1, 1), None))

    def test_a_posix_copy_of_a_zone_is_written_under_the_name_it_copies(self):  # as the plain name is
        if not any(os.path.isfile(os.path.join(d, "posix", "US", "Eastern")) for d in zoneinfo.TZPATH):
            self.skipTest("no posix/US/Eastern in this tz database")
        start = datetime(2026, 7, 1, 10, tzinfo=ZoneInfo("posix/US/Eastern"))
        self.assertIn("DTSTART;TZID=US/Eastern:20260701T100000", lines_of(icsmail.dumps(event(start=start))))

    def test_a_series_in_a_keyless_zoneinfo_is_refused(self):  # it has no TZID to write: UTC drifts an hour
        path = next((os.path.join(d, "America", "New_York") for d in zoneinfo.TZPATH
                     if os.path.isfile(os.path.join(d, "America", "New_York"))), None)
        if path is None:
            self.skipTest("no tz database files on this machine")
        with open(path, "rb") as f:
            zone = ZoneInfo.from_file(f)
        start = datetime(2026, 3, 2, 9, tzinfo=zone)
        self.assertIn("DTSTART:20260302T140000Z", icsmail.dumps(event(start=start)))  # one event: exact in UTC
        with self.assertRaisesRegex(ValueError, "a ZoneInfo without a key .* can only be written in UTC"):
            event(start=start, rrule="FREQ=WEEKLY;COUNT=3")

    def test_a_rule_until_before_the_start_is_refused(self):  # it gives nothing: the event would happen once
        for start, until in ((date(2026, 12, 1), "20261130"), (datetime(2026, 12, 1, 10, tzinfo=NEW_YORK),
                                                               "20261201T145959Z")):
            with self.subTest(start=start), self.assertRaisesRegex(ValueError, "UNTIL is before the start"):
                event(start=start, duration=None, rrule=f"FREQ=DAILY;UNTIL={until}")
        self.assertEqual(event(start=datetime(2026, 12, 1, 10, tzinfo=NEW_YORK),  # the start is its one occurrence
                               rrule="FREQ=DAILY;UNTIL=20261201T150000Z").rrule, "FREQ=DAILY;UNTIL=20261201T150000Z")

    def test_rule_details(self):
        rule = "FREQ=DAILY;COUNT=2;X-NAME=camelCase"  # an X- part's value is the user's
        self.assertEqual(event(rrule=rule).rrule, rule)
        with self.assertRaisesRegex(ValueError, "SKIP=SIDEWAYS is not OMIT, BACKWARD or FORWARD"):
            event(rrule="FREQ=MONTHLY;RSCALE=GREGORIAN;SKIP=SIDEWAYS")
        self.assertEqual(event(url="https://example.com/a b").url, "https://example.com/a%20b")  # a URI has none
        self.assertEqual(event(url='https://example.com/a?y="2"<>{}|\\^`').url,
                         "https://example.com/a?y=%222%22%3C%3E%7B%7D%7C%5C%5E%60")
        self.assertEqual(event(url="https://example.com/caf\u00e9?q=1%202").url, "https://example.com/caf\u00e9?q=1%202")


# --------------------------------------------------------------------------
# The writer
# --------------------------------------------------------------------------

class TestOccurrences(unittest.TestCase):
    @staticmethod
    def starts(rule: str, start: datetime | date, n: int = 30, **kw) -> list:
        ev = icsmail.Event("x", start, rrule=rule, **kw)
        return list(itertools.islice(icsmail.occurrences(ev), n))

    def test_an_hourly_rule_counts_on_the_wall_clock(self):  # the repeated hour of 1 November: its first pass
        starts = self.starts("FREQ=HOURLY;COUNT=4", datetime(2026, 11, 1, 0, tzinfo=NEW_YORK))
        self.assertEqual([t.astimezone(UTC).hour for t in starts], [4, 5, 7, 8])

    def test_a_date_exdate_excludes_that_day_of_a_timed_series(self):
        ev = icsmail.loads(calendar_with("DTSTART;TZID=Europe/Berlin:20260105T090000", "RRULE:FREQ=DAILY;COUNT=3",
                                         "EXDATE;VALUE=DATE:20260106")).events[0]
        self.assertEqual([t.day for t in icsmail.occurrences(ev)], [5, 7])

    def test_an_rdate_the_rule_gives_too_counts_once(self):
        start = datetime(2026, 1, 5, 9, tzinfo=ZoneInfo("Europe/Berlin"))
        self.assertEqual([t.day for t in icsmail.occurrences(icsmail.Event(
            "x", start, rrule="FREQ=DAILY;COUNT=3", rdates=[start + timedelta(days=1)]))], [5, 6, 7])

    def test_yearly_in_several_months(self):
        self.assertEqual(self.starts("FREQ=YEARLY;BYMONTH=1,7;COUNT=3", date(2026, 1, 15)),
                         [date(2026, 1, 15), date(2026, 7, 15), date(2027, 1, 15)])

    def test_bysetpos_counting_back_to_the_first(self):  # -2 of two days is the first
        self.assertEqual(self.starts("FREQ=MONTHLY;BYMONTHDAY=1,15;BYSETPOS=-2;COUNT=3", date(2026, 1, 1)),
                         [date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)])

    def test_until_reached_across_a_gap_east_of_utc(self):  # UNTIL is UTC; the wall clock jumps an hour
        ev = icsmail.loads(calendar_with("DTSTART;TZID=Pacific/Auckland:20260927T015500",
                                         "RRULE:FREQ=MINUTELY;INTERVAL=25;UNTIL=20260926T141500Z")).events[0]
        self.assertEqual([t.isoformat() for t in icsmail.occurrences(ev)],
                         ["2026-09-27T01:55:00+12:00", "2026-09-27T03:10:00+13:00"])

    def test_a_secondly_rule_picks_its_one_time_by_1_or_minus_1(self):  # BYSETPOS=1,2 picked nothing: a hang
        rule = "FREQ=SECONDLY;BYSECOND=0;UNTIL=20260101T000300Z;BYSETPOS="
        start = datetime(2026, 1, 1, tzinfo=UTC)
        self.assertEqual([t.minute for t in self.starts(rule + "1,2", start)], [0, 1, 2, 3])
        self.assertEqual([t.minute for t in self.starts(rule + "-1,2", start)], [0, 1, 2, 3])
        self.assertEqual(self.starts(rule + "2", start), [start])

    def test_a_period_of_millions_of_times_comes_a_day_at_a_time(self):  # a year of seconds: 31 million
        every = ";".join(f"BY{name}={','.join(map(str, range(first, n)))}" for name, first, n in
                         (("MONTHDAY", 1, 32), ("HOUR", 0, 24), ("MINUTE", 0, 60), ("SECOND", 0, 60)))
        wall = datetime(2026, 1, 1)
        sizes = [len(times) for _, times in itertools.islice(icsmail._rule_periods(
            icsmail._rule(f"FREQ=YEARLY;{every}", wall), wall, 0), 2)]
        self.assertEqual(sizes, [86400, 86400])
        start = datetime(2026, 1, 1, tzinfo=UTC)
        series = icsmail.Event("x", start, rrule=f"FREQ=YEARLY;{every}")
        window = list(icsmail.occurrences(series, start=datetime(2026, 6, 1, 12, tzinfo=UTC),
                                          end=datetime(2026, 6, 1, 12, 0, 3, tzinfo=UTC)))
        self.assertEqual([t.second for t in window], [0, 1, 2])
        self.assertEqual(self.starts(f"FREQ=YEARLY;{every};BYSETPOS=2,-1", start, 3),
                         [start, datetime(2026, 1, 1, 0, 0, 1, tzinfo=UTC),
                          datetime(2026, 12, 31, 23, 59, 59, tzinfo=UTC)])

    def test_bounds_at_the_ends_of_the_years_python_holds(self):
        late = icsmail.Event("x", datetime(9999, 12, 29, 9, tzinfo=LONDON), rrule="FREQ=DAILY")
        self.assertEqual([d.day for d in icsmail.occurrences(late, end=datetime(9999, 12, 31, 20, tzinfo=LONDON))],
                         [29, 30, 31])
        early = icsmail.Event("x", datetime(1, 1, 1, 9, tzinfo=UTC), rrule="FREQ=DAILY;COUNT=3")
        self.assertEqual([d.day for d in icsmail.occurrences(early, start=datetime(1, 1, 2, tzinfo=UTC))], [2, 3])

    def test_the_examples_of_rfc_5545(self):  # 3.8.5.3, in America/New_York
        def ny(*days):
            return [datetime(y, m, d, 9, tzinfo=NEW_YORK) for y, m, d in days]
        cases = [
            ("FREQ=MONTHLY;COUNT=6;BYDAY=-2MO", (1997, 9, 22),
             ny((1997, 9, 22), (1997, 10, 20), (1997, 11, 17), (1997, 12, 22), (1998, 1, 19), (1998, 2, 16))),
            ("FREQ=MONTHLY;COUNT=3;BYDAY=TU,WE,TH;BYSETPOS=3", (1997, 9, 4),
             ny((1997, 9, 4), (1997, 10, 7), (1997, 11, 6))),
            ("FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=MO", (1997, 8, 5),
             ny((1997, 8, 5), (1997, 8, 10), (1997, 8, 19), (1997, 8, 24))),
            ("FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=SU", (1997, 8, 5),
             ny((1997, 8, 5), (1997, 8, 17), (1997, 8, 19), (1997, 8, 31))),
            ("FREQ=MONTHLY;BYMONTHDAY=15,30;COUNT=5", (2007, 1, 15),  # no 30 February
             ny((2007, 1, 15), (2007, 1, 30), (2007, 2, 15), (2007, 3, 15), (2007, 3, 30))),
            ("FREQ=YEARLY;BYWEEKNO=20;BYDAY=MO;COUNT=3", (1997, 5, 12),
             ny((1997, 5, 12), (1998, 5, 11), (1999, 5, 17))),
            ("FREQ=YEARLY;INTERVAL=3;COUNT=10;BYYEARDAY=1,100,200", (1997, 1, 1),
             ny((1997, 1, 1), (1997, 4, 10), (1997, 7, 19), (2000, 1, 1), (2000, 4, 9), (2000, 7, 18),
                (2003, 1, 1), (2003, 4, 10), (2003, 7, 19), (2006, 1, 1))),
            ("FREQ=MONTHLY;BYMONTHDAY=-3;COUNT=4", (1997, 9, 28),
             ny((1997, 9, 28), (1997, 10, 29), (1997, 11, 28), (1997, 12, 29))),
        ]
        for rule, day, expected in cases:
            with self.subTest(rule):
                self.assertEqual(self.starts(rule, datetime(*day, 9, tzinfo=NEW_YORK)), expected)

    def test_friday_the_13th_with_the_start_excluded(self):  # RFC 5545 3.8.5.3
        got = self.starts("FREQ=MONTHLY;BYDAY=FR;BYMONTHDAY=13", datetime(1997, 9, 2, 9, tzinfo=NEW_YORK), 4,
                          exdates=[datetime(1997, 9, 2, 9, tzinfo=NEW_YORK)])
        self.assertEqual([t.date() for t in got], [date(1998, 2, 13), date(1998, 3, 13), date(1998, 11, 13),
                                                   date(1999, 8, 13)])

    def test_every_20_minutes_within_office_hours(self):  # RFC 5545 3.8.5.3
        got = self.starts("FREQ=DAILY;BYHOUR=9,10,11,12,13,14,15,16;BYMINUTE=0,20,40",
                          datetime(1997, 9, 2, 9, tzinfo=NEW_YORK), 26)
        self.assertEqual([t.strftime("%d %H:%M") for t in got[:3] + got[-3:]],
                         ["02 09:00", "02 09:20", "02 09:40", "02 16:40", "03 09:00", "03 09:20"])

    def test_a_series_keeps_its_wall_clock_when_the_clocks_change(self):
        got = self.starts("FREQ=WEEKLY;COUNT=3", datetime(2026, 3, 22, 9, tzinfo=LONDON))
        self.assertEqual([t.isoformat() for t in got],
                         ["2026-03-22T09:00:00+00:00", "2026-03-29T09:00:00+01:00", "2026-04-05T09:00:00+01:00"])

    def test_a_time_the_clocks_skip_is_the_time_they_show_then(self):  # RFC 5545 3.3.5
        got = self.starts("FREQ=DAILY;COUNT=3", datetime(2025, 3, 8, 2, 30, tzinfo=NEW_YORK))
        self.assertEqual([t.isoformat() for t in got],
                         ["2025-03-08T02:30:00-05:00", "2025-03-09T03:30:00-04:00", "2025-03-10T02:30:00-04:00"])

    def test_the_start_counts_even_where_the_rule_would_not_give_it(self):  # RFC 5545 3.8.5.3: COUNT
        got = self.starts("FREQ=WEEKLY;BYDAY=MO;COUNT=3", datetime(2026, 12, 2, 9, tzinfo=LONDON))  # a Wednesday
        self.assertEqual([t.day for t in got], [2, 7, 14])

    def test_until_is_an_instant_and_inclusive(self):
        until = datetime(2026, 12, 3, 9, tzinfo=LONDON).astimezone(timezone.utc)
        got = self.starts({"FREQ": "DAILY", "UNTIL": until}, datetime(2026, 12, 1, 9, tzinfo=LONDON))
        self.assertEqual([t.day for t in got], [1, 2, 3])

    def test_rdates_join_in_order_and_exdates_leave(self):
        start = datetime(2026, 12, 1, 9, tzinfo=NEW_YORK)
        got = self.starts("FREQ=DAILY;COUNT=4", start, rdates=[datetime(2026, 12, 2, 15, tzinfo=NEW_YORK)],
                          exdates=[datetime(2026, 12, 3, 14, tzinfo=timezone.utc)])  # the same instant, in UTC
        self.assertEqual([(t.day, t.hour) for t in got], [(1, 9), (2, 9), (2, 15), (4, 9)])

    def test_all_day_and_floating_series(self):
        self.assertEqual(self.starts("FREQ=YEARLY;COUNT=3", date(2024, 2, 29)),
                         [date(2024, 2, 29), date(2028, 2, 29), date(2032, 2, 29)])  # no 29 February between
        floating = self.starts("FREQ=DAILY;COUNT=2", datetime(2026, 3, 28, 9), floating=True)
        self.assertEqual(floating, [datetime(2026, 3, 28, 9), datetime(2026, 3, 29, 9)])

    def test_start_and_end_keep_a_window_of_an_endless_series(self):
        ev = icsmail.Event("x", datetime(2026, 1, 5, 9, tzinfo=LONDON), rrule="FREQ=WEEKLY;BYDAY=MO")
        got = icsmail.occurrences(ev, datetime(2026, 6, 1, 9, tzinfo=LONDON), date(2026, 6, 22))
        self.assertEqual([t.day for t in got], [1, 8, 15])  # from start, inclusive, to end, exclusive

    def test_a_naive_bound_for_a_zoned_series_is_refused(self):
        with self.assertRaisesRegex(ValueError, "occurrences end 2026-06-22 00:00:00 is naive"):
            next(icsmail.occurrences(event(rrule="FREQ=DAILY"), end=datetime(2026, 6, 22)))

    def test_a_rule_that_never_matches_gives_the_start_alone_and_ends(self):
        for rule in ("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", "FREQ=HOURLY;BYMONTH=2;BYMONTHDAY=31"):
            with self.subTest(rule):
                self.assertEqual(len(self.starts(rule, datetime(2026, 3, 1, 9, tzinfo=LONDON))), 1)

    def test_a_series_read_from_a_file(self):
        cal = icsmail.loads(golden("""
            BEGIN:VCALENDAR
            VERSION:2.0
            PRODID:-//test//EN
            BEGIN:VEVENT
            UID:w
            DTSTAMP:20260101T000000Z
            DTSTART;TZID=W. Europe Standard Time:20261026T100000
            RRULE:FREQ=WEEKLY;BYDAY=MO;UNTIL=20261109T090000Z
            END:VEVENT
            END:VCALENDAR
            """))
        self.assertEqual([t.isoformat() for t in icsmail.occurrences(cal.events[0])],
                         ["2026-10-26T10:00:00+01:00", "2026-11-02T10:00:00+01:00", "2026-11-09T10:00:00+01:00"])


    def test_a_time_a_gap_moves_onto_another_counts_once(self):
        got = self.starts("FREQ=DAILY;BYHOUR=2,3;BYMINUTE=0,30;COUNT=8", datetime(2025, 3, 8, 2, tzinfo=NEW_YORK))
        self.assertEqual([t.strftime("%d %H:%M") for t in got],  # on the 9th 02:00 is 03:00, 02:30 is 03:30
                         ["08 02:00", "08 02:30", "08 03:00", "08 03:30", "09 03:00", "09 03:30", "10 02:00",
                          "10 02:30"])

    def test_times_a_gap_moves_stay_in_order(self):
        got = self.starts("FREQ=MINUTELY;INTERVAL=40;COUNT=5", datetime(2025, 3, 9, 1, 20, tzinfo=NEW_YORK))
        self.assertEqual([t.strftime("%H:%M") for t in got], ["01:20", "03:00", "03:20", "03:40", "04:00"])
        got = self.starts("FREQ=DAILY;COUNT=2", datetime(2025, 3, 8, 2, 30, tzinfo=NEW_YORK),
                          rdates=[datetime(2025, 3, 9, 3, tzinfo=NEW_YORK)])
        self.assertEqual([t.strftime("%d %H:%M") for t in got], ["08 02:30", "09 03:00", "09 03:30"])

    def test_an_exdate_at_the_second_pass_of_a_repeated_hour_excludes_nothing(self):  # RFC 5545 3.3.5
        got = self.starts("FREQ=DAILY;COUNT=2", datetime(2025, 11, 1, 1, 30, tzinfo=NEW_YORK),
                          exdates=[datetime(2025, 11, 2, 6, 30, tzinfo=timezone.utc)])  # 01:30 EST
        self.assertEqual([t.isoformat() for t in got], ["2025-11-01T01:30:00-04:00", "2025-11-02T01:30:00-04:00"])

    def test_rules_that_can_give_no_time_end_at_once(self):
        for rule in ("FREQ=HOURLY;INTERVAL=2;BYHOUR=1", "FREQ=MINUTELY;INTERVAL=2;BYMINUTE=1",
                     "FREQ=SECONDLY;BYSECOND=60", "FREQ=HOURLY;BYSECOND=15,18;BYSETPOS=10",
                     "FREQ=DAILY;BYDAY=TH;BYSETPOS=-2"):
            with self.subTest(rule):
                self.assertEqual(len(self.starts(rule, datetime(2025, 1, 1, tzinfo=timezone.utc))), 1)

    def test_a_window_far_from_the_start_begins_there(self):
        ev = icsmail.Event("x", datetime(2015, 1, 1, 9, tzinfo=LONDON), rrule="FREQ=MINUTELY;INTERVAL=15")
        got = itertools.islice(icsmail.occurrences(ev, start=date(2025, 6, 1)), 2)
        self.assertEqual([t.isoformat() for t in got], ["2025-06-01T00:00:00+01:00", "2025-06-01T00:15:00+01:00"])

    def test_rules_icsmail_does_not_expand_say_so(self):
        ev = icsmail.Event("x", date(2016, 2, 29), rrule="RSCALE=GREGORIAN;FREQ=YEARLY;SKIP=FORWARD")
        with self.assertRaisesRegex(ValueError, r"RRULE SKIP=FORWARD \(RFC 7529\) is not expanded"):
            next(icsmail.occurrences(ev))

    def test_the_ends_of_the_years_1_to_9999(self):
        self.assertEqual(self.starts("FREQ=YEARLY;BYWEEKNO=22;BYDAY=MO", date(9998, 6, 1)),
                         [date(9998, 6, 1), date(9999, 5, 31)])
        self.assertEqual(self.starts("FREQ=WEEKLY;WKST=SU", date(1, 1, 1), 2), [date(1, 1, 1), date(1, 1, 8)])
        self.assertEqual(self.starts("FREQ=DAILY", datetime(9999, 12, 30, 23, tzinfo=NEW_YORK))[-1].day, 31)

    def test_a_zone_icsmail_could_not_read_takes_naive_bounds(self):
        cal = icsmail.loads(golden("""
            BEGIN:VCALENDAR
            VERSION:2.0
            PRODID:-//test//EN
            BEGIN:VEVENT
            UID:u
            DTSTAMP:20250101T000000Z
            DTSTART;TZID=Nowhere/Zone:20251101T090000
            RRULE:FREQ=DAILY;COUNT=3
            END:VEVENT
            END:VCALENDAR
            """))
        ev = cal.events[0]
        self.assertEqual([t.day for t in icsmail.occurrences(ev, start=datetime(2025, 11, 2))], [2, 3])
        with self.assertRaisesRegex(ValueError, "has a time zone icsmail could not read: give a naive datetime"):
            next(icsmail.occurrences(ev, start=datetime(2025, 11, 2, tzinfo=timezone.utc)))

    def test_a_window_of_a_rule_of_seconds_walks_only_near_it(self):  # not two days of seconds before it
        ev = event(start=datetime(2026, 1, 1, tzinfo=NEW_YORK), rrule="FREQ=SECONDLY")
        started = time.perf_counter()
        june = datetime(2026, 6, 1, tzinfo=NEW_YORK)
        self.assertEqual(len(list(icsmail.occurrences(ev, start=june, end=june + timedelta(seconds=10)))), 10)
        gap = datetime(2026, 3, 8, 6, 59, 58, tzinfo=UTC)  # 01:59:58 in New York, two seconds before the gap
        self.assertEqual([t.strftime("%H:%M:%S%z") for t in icsmail.occurrences(
            ev, start=gap, end=gap + timedelta(seconds=4))], ["01:59:58-0500", "01:59:59-0500", "03:00:00-0400",
                                                              "03:00:01-0400"])  # 02:00:00 is 03:00:00, once
        self.assertLess(time.perf_counter() - started, 1.0)  # about 0.1 s; it took 15 s

    def test_reading_warns_of_an_override_of_no_occurrence(self):  # clients show it beside the series
        cal = icsmail.loads(self.series_with("RRULE:FREQ=DAILY;COUNT=5", "20261202T150000Z",
                                             "TZID=America/New_York:20261203T110000", "20261204T100000Z"))
        self.assertEqual(cal.warnings, [  # the first names the 2nd occurrence in UTC; the last, its wall clock
            f"RECURRENCE-ID {when} of event 's' names none of its series' occurrences: clients show this event "
            f"beside the series, not instead of an occurrence (line {line})"
            for when, line in (("2026-12-03 11:00:00-05:00", 16), ("2026-12-04 10:00:00+00:00", 22))])

    def test_an_override_found_wrong_is_warned_of_when_the_walk_runs_out_later(self):
        cal = icsmail.loads(self.series_with("RRULE:FREQ=DAILY;COUNT=200000", "20261202T103000Z", "21500101T100000Z"))
        self.assertEqual(len(cal.warnings), 1)
        self.assertTrue(cal.warnings[0].startswith("RECURRENCE-ID 2026-12-02 10:30:00+00:00 of event 's' names none"))

    def test_reading_checks_overrides_years_apart_without_walking_between(self):
        started = time.perf_counter()
        cal = icsmail.loads(self.series_with("RRULE:FREQ=HOURLY", "TZID=America/New_York:20261202T100000",
                                             "TZID=America/New_York:20380106T100000",
                                             "TZID=America/New_York:20380106T103000"))
        self.assertEqual([w[:52] for w in cal.warnings], ["RECURRENCE-ID 2038-01-06 10:30:00-05:00 of event 's'"])
        self.assertLess(time.perf_counter() - started, 1.0)  # 100,000 hours lie between

    def test_reading_checks_many_overrides_of_a_series_with_many_exdates_at_once(self):
        days = [datetime(2027, 1, 1) + timedelta(days=n) for n in range(2000)]
        series = self.series_with("RRULE:FREQ=DAILY\r\n" + "\r\n".join(
            f"EXDATE;TZID=America/New_York:{d:%Y%m%d}T100000" for d in days[1::2]),
            *(f"TZID=America/New_York:{d:%Y%m%d}T100000" for d in days[::2]), "20270101T120000Z")
        started = time.perf_counter()
        cal = icsmail.loads(series)
        self.assertEqual([w[:52] for w in cal.warnings], ["RECURRENCE-ID 2027-01-01 12:00:00+00:00 of event 's'"])
        self.assertLess(time.perf_counter() - started, 1.5)  # about 0.1 s; it took 4 s

    def test_reading_stops_checking_overrides_of_a_rule_that_costs_too_much_to_walk(self):
        rule = "RRULE:FREQ=DAILY;BYMONTH=2;BYMONTHDAY=29;BYDAY=MO;COUNT=999"  # a day each 28 years: to 9999
        started = time.perf_counter()
        cal = icsmail.loads(self.series_with(rule, "50000101T100000Z", "99991231T100000Z"))
        self.assertEqual(len(cal.events), 3)
        self.assertLess(time.perf_counter() - started, 2.5)  # about 0.4 s; it took 10 s

    def test_reading_checks_a_floating_override_of_a_zoned_series_on_the_series_clock(self):
        cal = icsmail.loads(self.series_with("RRULE:FREQ=DAILY", "20261202T100000", "20261203T150000Z",
                                             "20261204T110000"))
        self.assertEqual([w[:52] for w in cal.warnings], ["RECURRENCE-ID 2026-12-04 11:00:00-05:00 of event 's'"])

    def test_reading_takes_events_without_uid_as_belonging_to_no_series(self):
        text = self.series_with("RRULE:FREQ=DAILY;COUNT=5", "20261209T100000Z").replace("UID:s\r\n", "")
        self.assertEqual(icsmail.loads(text).warnings, ["VEVENT without UID (line 4)", "VEVENT without UID (line 9)"])

    def test_reading_takes_an_override_of_an_excluded_day_or_a_cancelled_one_without_warning(self):
        for extra, rid in (("EXDATE;VALUE=DATE:20261203", "TZID=America/New_York:20261203T100000"),
                           ("", "TZID=America/New_York:20270101T100000\r\nSTATUS:CANCELLED")):
            with self.subTest(rid=rid):
                cal = icsmail.loads(self.series_with(f"RRULE:FREQ=DAILY;COUNT=5\r\n{extra}".strip(), rid))
                self.assertEqual((len(cal.events), cal.warnings), (2, []))

    @staticmethod
    def series_with(rule: str, *recurrence_ids: str) -> str:
        """A New York series from 1 December 2026, 10:00, and an override for each RECURRENCE-ID."""
        overrides = "".join(f"BEGIN:VEVENT\r\nUID:s\r\nDTSTAMP:20260101T000000Z\r\n"
                            f"RECURRENCE-ID{';' if rid.startswith('TZID') else ':'}{rid}\r\n"
                            f"DTSTART;TZID=America/New_York:20261201T090000\r\nEND:VEVENT\r\n"
                            for rid in recurrence_ids)
        return (f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:s\r\n"
                f"DTSTAMP:20260101T000000Z\r\nDTSTART;TZID=America/New_York:20261201T100000\r\n{rule}\r\n"
                f"END:VEVENT\r\n{overrides}END:VCALENDAR\r\n")


class TestDumps(unittest.TestCase):
    def test_a_period_ends_in_its_start_zone(self):
        series = event(start=datetime(2026, 3, 20, 10, tzinfo=UTC), rrule="FREQ=DAILY;COUNT=2", rdates=[
            (datetime(2026, 3, 21, 10, tzinfo=UTC), datetime(2026, 3, 21, 11, tzinfo=NEW_YORK))])
        text = icsmail.dumps(series)
        self.assertIn("RDATE;VALUE=PERIOD:20260321T100000Z/20260321T150000Z", lines_of(text))
        self.assertNotIn("VTIMEZONE", text)
        back = icsmail.loads(text).events[0].rdates[0]
        self.assertEqual(back[1], datetime(2026, 3, 21, 15, tzinfo=UTC))
        repeated = event(start=datetime(2026, 11, 1, 0, 30, tzinfo=NEW_YORK), rrule="FREQ=DAILY;COUNT=2", rdates=[
            (datetime(2026, 11, 1, 0, 30, tzinfo=NEW_YORK), datetime(2026, 11, 1, 1, 30, fold=1, tzinfo=NEW_YORK))])
        self.assertIn("RDATE;VALUE=PERIOD;TZID=America/New_York:20261101T003000/PT2H",  # no wall time says it
                      lines_of(icsmail.dumps(repeated)))

    def test_days_of_a_duration_from_a_time_the_text_cannot_say(self):  # fold=1: in a gap, or the second pass
        for start in (datetime(2026, 3, 8, 2, 30, fold=1, tzinfo=NEW_YORK), datetime(2026, 11, 1, 1, 30, fold=1,
                                                                                   tzinfo=NEW_YORK)):
            with self.subTest(start=start):
                ev = event(start=start, duration=timedelta(days=1, hours=2))
                back = icsmail.loads(icsmail.dumps(ev)).events[0]
                self.assertEqual(back.end_time.astimezone(UTC), ev.end_time.astimezone(UTC))

    def test_the_end_of_a_time_the_text_cannot_say(self):  # fold=1, zero hours: adding 0 forgot the fold
        for start in (datetime(2026, 3, 8, 2, 30, fold=1, tzinfo=NEW_YORK), datetime(2026, 11, 1, 1, 30, fold=1,
                                                                                   tzinfo=NEW_YORK)):
            for duration in (timedelta(0), timedelta(days=1)):
                with self.subTest(start=start, duration=duration):
                    ev = event(start=start, duration=duration)
                    said = start.astimezone(UTC).astimezone(NEW_YORK)  # the wall time written: 01:30
                    ends = said + duration if duration else said  # (adding nothing would forget the fold)
                    self.assertEqual(ev.end_time.astimezone(UTC), ends.astimezone(UTC))

    def test_the_second_pass_with_other_dates_is_written_in_utc(self):  # each RDATE is an instant of its own
        second = datetime(2026, 11, 1, 1, 30, fold=1, tzinfo=NEW_YORK)
        ev = event(start=second, rdates=[datetime(2026, 11, 8, 1, 30, tzinfo=NEW_YORK)])
        text = icsmail.dumps(ev)
        self.assertIn("DTSTART:20261101T063000Z", lines_of(text))
        self.assertEqual(icsmail.loads(text).events[0].start.astimezone(UTC), second.astimezone(UTC))

    def test_zone_names_without_a_slash_read_back_as_the_tz_database_zone(self):  # not as the trimmed VTIMEZONE
        names = sorted(n for n in zoneinfo.available_timezones() if "/" not in n)
        for name in names:
            for year in (1981, 2021):
                with self.subTest(name=name, year=year):
                    start = datetime(year, 6, 1, 10, tzinfo=ZoneInfo(name))
                    read = icsmail.loads(icsmail.dumps(event(start=start)))
                    zone = read.events[0].start.tzinfo  # the tz database's, or UTC for GMT and the like
                    self.assertEqual((read.events[0].start, read.warnings), (start, []))
                    self.assertEqual(zone.key if isinstance(zone, ZoneInfo) else zone, name if zone is not UTC else UTC)

    def test_a_zone_covers_the_whole_of_each_occurrence(self):  # an RDATE's lasts as long as the event
        chicago = ZoneInfo("America/Chicago")
        ev = event(start=datetime(2005, 8, 10, 12, tzinfo=chicago), duration=timedelta(days=15),
                   rdates=[datetime(2005, 10, 20, 12, tzinfo=chicago)])  # ends on 4 November, after the change
        self.assertIn("DTSTART:20051030T020000", lines_of(icsmail.dumps(ev)))  # back to CST on 30 October

    def test_a_counted_series_of_rare_days_is_written_quickly(self):  # walked as far as a budget goes
        rare = event(start=datetime(2026, 2, 23, 10, tzinfo=NEW_YORK),
                     rrule="FREQ=DAILY;BYMONTH=2;BYMONTHDAY=23;COUNT=5000")
        started = time.perf_counter()
        self.assertIn("RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU", icsmail.dumps(rare))  # open-ended: today's rule
        self.assertLess(time.perf_counter() - started, 2)

    def test_a_short_counted_series_gets_a_short_zone(self):  # not the whole of Gaza's list of dates
        gaza = ZoneInfo("Asia/Gaza")
        ev = event(start=datetime(2026, 3, 27, 17, tzinfo=gaza), rrule="FREQ=MONTHLY;BYDAY=-1FR;COUNT=3")
        text = icsmail.dumps(ev)
        self.assertLess(text.count("BEGIN:STANDARD") + text.count("BEGIN:DAYLIGHT"), 6)
        zone = icsmail.loads(text.replace("TZID=Asia/Gaza", "TZID=custom").replace("TZID:Asia/Gaza", "TZID:custom"))
        read = zone.events[0]
        self.assertIsInstance(read.start.tzinfo, icsmail._VZone)
        self.assertEqual([t.utcoffset() for t in icsmail.occurrences(read)],  # the VTIMEZONE holds all three
                         [t.utcoffset() for t in icsmail.occurrences(ev)])

    def test_extra_carries_no_unchecked_time(self):
        chicago = {"TZID": "America/Chicago"}
        for prop in (("RRULE", "FREQ=NOPE"), icsmail.Property("EXDATE", "20261208T090000", chicago)):
            with self.subTest(prop), self.assertRaisesRegex(ValueError, "give it as the field"):
                event(extra=[prop])
        for tzid in ("Nowhere/Zone", "Etc/UTC", "europe/paris"):  # no VTIMEZONE: none could be, UTC is Z, the
            # name written would not be the TZID's
            with self.subTest(tzid), self.assertRaisesRegex(ValueError, f"TZID {tzid!r} is not allowed"):
                event(extra=[icsmail.Property("X-ORIGINAL-START", "20261208T090000", {"TZID": tzid})])
        with self.assertRaisesRegex(ValueError, "alarm extra property X-AT: TZID 'Europe/Paris' is not allowed"):
            icsmail.Alarm(extra=[icsmail.Property("X-AT", "20261208T090000", {"TZID": "Europe/Paris"})])
        text = icsmail.dumps(event(extra=[icsmail.Property("X-ORIGINAL-START", "20261208T090000",
                                                           {"TZID": "America/Chicago"})]))
        self.assertIn("TZID:America/Chicago", lines_of(text))  # the zone it names is defined

    def test_an_empty_itip_message_is_refused(self):
        with self.assertRaisesRegex(ValueError, "a REQUEST carries at least one event"):
            icsmail.dumps(icsmail.Calendar([], method="REQUEST"))
        self.assertIn("END:VCALENDAR", icsmail.dumps(icsmail.Calendar([])))  # an empty export is no message

    def test_golden_request(self):
        ev = event(location="Room 4, 2nd floor", description="Agenda:\n1. budget; 2. roadmap",
                   attendees=["bob@example.com", icsmail.Attendee("carol@example.com", name="Carol",
                                                                   role="OPT-PARTICIPANT", rsvp=False)],
                   alarms=[icsmail.Alarm(trigger=timedelta(minutes=-15))])
        self.assertEqual(icsmail.dumps(ev, method="REQUEST"), golden("""
            BEGIN:VCALENDAR
            VERSION:2.0
            PRODID:-//icsmail//icsmail 1.0.0//EN
            CALSCALE:GREGORIAN
            METHOD:REQUEST
            BEGIN:VTIMEZONE
            TZID:Europe/London
            BEGIN:DAYLIGHT
            DTSTART:19960331T010000
            RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU
            TZOFFSETFROM:+0000
            TZOFFSETTO:+0100
            TZNAME:BST
            END:DAYLIGHT
            BEGIN:STANDARD
            DTSTART:19961027T020000
            RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU
            TZOFFSETFROM:+0100
            TZOFFSETTO:+0000
            TZNAME:GMT
            END:STANDARD
            END:VTIMEZONE
            BEGIN:VEVENT
            UID:review-1@example.com
            DTSTAMP:20260101T000000Z
            SEQUENCE:0
            DTSTART;TZID=Europe/London:20261201T100000
            DURATION:PT45M
            SUMMARY:Design review
            DESCRIPTION:Agenda:\\n1. budget\\; 2. roadmap
            LOCATION:Room 4\\, 2nd floor
            ORGANIZER;CN=Alice Smith:mailto:alice@example.com
            ATTENDEE;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:bob@ex
             ample.com
            ATTENDEE;ROLE=OPT-PARTICIPANT;PARTSTAT=NEEDS-ACTION;CN=Carol:mailto:carol@e
             xample.com
            BEGIN:VALARM
            ACTION:DISPLAY
            TRIGGER:-PT15M
            DESCRIPTION:Reminder
            END:VALARM
            END:VEVENT
            END:VCALENDAR
            """))

    def test_all_day(self):
        text = icsmail.dumps(icsmail.Event("Offsite", date(2027, 3, 3), date(2027, 3, 6), uid="o", dtstamp=STAMP))
        self.assertIn("DTSTART;VALUE=DATE:20270303\r\nDTEND;VALUE=DATE:20270306\r\n", text)
        self.assertNotIn("VTIMEZONE", text)

    def test_utc_and_other_tzinfos(self):
        fixed = timezone(timedelta(hours=2))
        text = icsmail.dumps(event(start=datetime(2026, 12, 1, 12, tzinfo=fixed)))
        self.assertIn("DTSTART:20261201T100000Z", text)  # written in UTC
        self.assertNotIn("TZID", text)

    def test_gap_and_fold_times(self):
        # 02:30 on 2026-03-08 does not exist in New York; RFC 5545 3.3.5 reads it as Python does (03:30
        # EDT), and a daily series written this way stays at 02:30 on the other days
        gap = datetime(2026, 3, 8, 2, 30, tzinfo=NEW_YORK)
        text = icsmail.dumps(event(start=gap, rrule="FREQ=DAILY;COUNT=3", exdates=[gap]))
        self.assertIn("DTSTART;TZID=America/New_York:20260308T023000", text)
        self.assertIn("EXDATE;TZID=America/New_York:20260308T023000", text)
        self.assertEqual(icsmail.loads(text).events[0].start.astimezone(UTC), gap.astimezone(UTC))
        # a single event is written at the time the clocks show (vobject and ical.js read 02:30 an hour early)
        single = unfolded(icsmail.dumps(event(start=gap, duration=timedelta(days=1, hours=1))))
        self.assertIn("DTSTART;TZID=America/New_York:20260308T033000\r\n"
                      "DTEND;TZID=America/New_York:20260309T033000\r\n", single)  # its day from 02:30: 03:30
        ending = unfolded(icsmail.dumps(event(start=gap - timedelta(hours=1), duration=None, end=gap)))
        self.assertIn("DTEND;TZID=America/New_York:20260308T033000\r\n", ending)
        # with fold=1 Python means the instant before the gap: that instant is written
        later = icsmail.dumps(event(start=gap.replace(fold=1)))
        self.assertIn("DTSTART;TZID=America/New_York:20260308T013000", later)
        # 01:30 on 2026-11-01 happens twice: a single event says either in UTC (RFC 5545 reads the local time as
        # the first, ical.js as the second); a series says the first in local time, as it recurs
        first = icsmail.dumps(event(start=datetime(2026, 11, 1, 1, 30, tzinfo=NEW_YORK)))
        self.assertIn("DTSTART:20261101T053000Z", first)
        series = icsmail.dumps(event(start=datetime(2026, 11, 1, 1, 30, tzinfo=NEW_YORK), rrule="FREQ=DAILY"))
        self.assertIn("DTSTART;TZID=America/New_York:20261101T013000", series)
        ending = icsmail.dumps(event(start=datetime(2026, 11, 1, 0, 30, tzinfo=NEW_YORK), duration=None,
                                     end=datetime(2026, 11, 1, 1, 15, tzinfo=NEW_YORK)))
        self.assertIn("DTEND:20261101T051500Z", ending)
        second = datetime(2026, 11, 1, 1, 30, fold=1, tzinfo=NEW_YORK)
        self.assertIn("DTSTART:20261101T063000Z", icsmail.dumps(event(start=second)))
        with self.assertRaisesRegex(ValueError, "second pass through a repeated hour"):
            event(start=second, rrule="FREQ=MONTHLY")

    def test_an_occurrence_the_clocks_moved_is_named_as_the_rule_names_it(self):  # every reader matches it so
        series = event(start=datetime(2026, 3, 6, 2, 30, tzinfo=NEW_YORK), rrule="FREQ=DAILY;COUNT=5")
        moved = list(icsmail.occurrences(series))[2]  # 02:30 on the spring-forward night: 03:30 EDT
        self.assertEqual(moved, datetime(2026, 3, 8, 3, 30, tzinfo=NEW_YORK))
        named = "TZID=America/New_York:20260308T023000"  # as the rule gives it (ical.js reads both an hour early)
        without = dataclasses.replace(series, exdates=[moved])
        self.assertIn(f"EXDATE;{named}", lines_of(icsmail.dumps(without)))
        self.assertNotIn(moved, list(icsmail.occurrences(icsmail.loads(icsmail.dumps(without)).events[0])))
        changed = icsmail.update(series, recurrence_id=moved, location="Room 9")
        self.assertEqual(changed.recurrence_id, moved)  # in Python: the occurrence, as occurrences() gives it
        text = icsmail.dumps(icsmail.Calendar([series, changed]), method="REQUEST")
        self.assertIn(f"RECURRENCE-ID;{named}", lines_of(text))
        self.assertIn("DTSTART;TZID=America/New_York:20260308T033000", lines_of(text))  # the time it happens
        self.assertEqual(icsmail.loads(text).warnings, [])
        alone = icsmail.dumps(icsmail.cancel(series, recurrence_id=moved))  # no series to match: as it happens,
        self.assertIn("RECURRENCE-ID;TZID=America/New_York:20260308T033000", lines_of(alone))  # which all agree on
        both = icsmail.dumps(icsmail.Calendar([series, icsmail.cancel(series, recurrence_id=moved)]))
        self.assertIn(f"RECURRENCE-ID;{named}", lines_of(both))
        spelled = icsmail.cancel(series, recurrence_id=datetime(2026, 3, 8, 2, 30, tzinfo=NEW_YORK))  # the skipped
        self.assertEqual(spelled.recurrence_id, moved)  # time, as the rule names it: the same occurrence
        self.assertIn("RECURRENCE-ID;TZID=America/New_York:20260308T033000", lines_of(icsmail.dumps(spelled)))
        unread = icsmail.loads(calendar_with("DTSTART;TZID=America/New_York:20260306T023000", "RRULE:FREQ=SOMETIMES",
                                             "EXDATE;TZID=America/New_York:20260308T033000"))  # written as read
        self.assertIn("EXDATE;TZID=America/New_York:20260308T033000", lines_of(icsmail.dumps(unread)))
        hourly = event(start=datetime(2026, 3, 8, 0, 30, tzinfo=NEW_YORK), rrule="FREQ=HOURLY;COUNT=4")
        self.assertIn("EXDATE;TZID=America/New_York:20260308T033000",  # a rule of hours names 03:30 itself
                      lines_of(icsmail.dumps(dataclasses.replace(hourly, exdates=[moved]))))

    def test_a_recurrence_id_read_at_a_skipped_time_is_the_occurrence(self):  # as occurrences() gives it
        text = calendar_with("DTSTART;TZID=America/New_York:20260306T023000", "RRULE:FREQ=DAILY;COUNT=5", "END:VEVENT",
                             "BEGIN:VEVENT", "UID:u1", "DTSTAMP:20260101T000000Z",
                             "RECURRENCE-ID;TZID=America/New_York:20260308T023000",
                             "DTSTART;TZID=America/New_York:20260308T050000")
        series, changed = icsmail.loads(text).events
        self.assertEqual(changed.recurrence_id, datetime(2026, 3, 8, 3, 30, tzinfo=NEW_YORK))
        self.assertIn(changed.recurrence_id, list(icsmail.occurrences(series)))
        self.assertIn("RECURRENCE-ID;TZID=America/New_York:20260308T023000", lines_of(icsmail.dumps(
            icsmail.loads(text))))  # beside its series, written back as read

    def test_no_exception_at_the_second_pass_of_a_repeated_hour(self):
        # a series recurs at the first 01:30 (RFC 5545 3.3.5): an EXDATE or RECURRENCE-ID of the second,
        # written in UTC, would name no occurrence and change nothing
        series = event(start=datetime(2026, 10, 25, 1, 30, tzinfo=NEW_YORK), rrule="FREQ=WEEKLY;COUNT=3")
        second = datetime(2026, 11, 1, 1, 30, fold=1, tzinfo=NEW_YORK)
        for what, make in (("exdate", lambda: dataclasses.replace(series, exdates=[second])),
                           ("recurrence_id", lambda: dataclasses.replace(series, rrule=None, recurrence_id=second)),
                           ("recurrence_id", lambda: icsmail.cancel(series, recurrence_id=second))):
            with self.subTest(what), self.assertRaisesRegex(ValueError, f"^{what} 2026-11-01T01:30:00-05:00 is the "
                                                                        f"second pass through a repeated hour"):
                make()
        class Stamp(datetime):  # (pandas, pendulum: datetime subclasses)
            pass

        with self.assertRaisesRegex(ValueError, "^exdate 2026-11-01T01:30:00-05:00 is the second pass"):
            dataclasses.replace(series, exdates=[Stamp(2026, 11, 1, 1, 30, fold=1, tzinfo=NEW_YORK)])
        gap = datetime(2026, 3, 8, 2, 30, fold=1, tzinfo=NEW_YORK)  # Python reads it as 01:30 EST
        spring = event(start=datetime(2026, 3, 1, 2, 30, tzinfo=NEW_YORK), rrule="FREQ=WEEKLY;COUNT=3")
        with self.assertRaisesRegex(ValueError, "^exdate 2026-03-08T02:30:00-04:00 does not exist"):
            dataclasses.replace(spring, exdates=[gap])
        self.assertIn("EXDATE;TZID=America/New_York:20260308T023000",
                      icsmail.dumps(dataclasses.replace(spring, exdates=[gap.replace(fold=0)])))
        first = second.replace(fold=0)
        self.assertIn("EXDATE;TZID=America/New_York:20261101T013000",
                      icsmail.dumps(dataclasses.replace(series, exdates=[first])))
        # an RDATE adds an occurrence, which may be at the second pass; and a series in UTC has one there
        self.assertIn("RDATE:20261101T063000Z", icsmail.dumps(dataclasses.replace(series, rdates=[second])))
        utc_series = dataclasses.replace(series, start=series.start.astimezone(UTC))
        self.assertIn("EXDATE:20261101T063000Z", icsmail.dumps(dataclasses.replace(utc_series, exdates=[second])))

    def test_start_and_end_are_compared_as_instants(self):
        # Python compares two times of one zone by their wall clocks: 03:15 EDT is before 02:30 (EST, in the gap)
        with self.assertRaisesRegex(ValueError, "is not after start"):
            event(start=datetime(2026, 3, 8, 2, 30, tzinfo=NEW_YORK), end=datetime(2026, 3, 8, 3, 15, tzinfo=NEW_YORK),
                  duration=None)
        # and 01:15 on the second pass is 45 minutes after 01:30 on the first
        ev = event(start=datetime(2026, 11, 1, 1, 30, tzinfo=NEW_YORK),
                   end=datetime(2026, 11, 1, 1, 15, fold=1, tzinfo=NEW_YORK), duration=None)
        self.assertIn("DTEND:20261101T061500Z", icsmail.dumps(ev))

    def test_a_duration_from_the_second_pass_counts_from_it(self):
        ev = event(start=datetime(2026, 11, 1, 1, 30, fold=1, tzinfo=NEW_YORK), end=None, duration=timedelta(hours=1))
        self.assertEqual(ev.end_time.astimezone(UTC), datetime(2026, 11, 1, 7, 30, tzinfo=UTC))

    def test_the_zone_covers_a_start_before_the_clocks_go_back(self):
        # 01:50 EDT + 30 minutes = 01:20 EST: earlier on the wall clock, later in time
        text = icsmail.dumps(event(start=datetime(1990, 10, 28, 1, 50, tzinfo=NEW_YORK), end=None,
                                   duration=timedelta(minutes=30), attendees=(), rrule="FREQ=YEARLY;COUNT=2"))
        zone = text.split("BEGIN:VTIMEZONE")[1].split("END:VTIMEZONE")[0]
        self.assertIn("TZOFFSETTO:-0400", zone.split("BEGIN:STANDARD")[0])  # the offset at the start is there
        start = icsmail.loads(text).events[0].start
        self.assertEqual(start.astimezone(UTC), datetime(1990, 10, 28, 5, 50, tzinfo=UTC))

    def test_fixed_zone_west_of_utc_covers_the_start(self):
        text = icsmail.vtimezone("Etc/GMT+5", date(1970, 1, 1), date(1970, 1, 2))
        self.assertIn("DTSTART:19680101T000000", text)

    def test_end_before_start_is_refused(self):
        with self.assertRaisesRegex(ValueError, "is before start"):
            icsmail.vtimezone("Europe/Berlin", date(2026, 3, 29), date(2026, 3, 26))

    def test_dates_are_local_days(self):
        text = icsmail.vtimezone("Africa/Cairo", date(1970, 5, 1), date(1970, 5, 1))  # EEST from 01:00 that day
        self.assertIn("TZOFFSETTO:+0200", text.split("BEGIN:DAYLIGHT")[0])

    def test_only_crlf_and_short_lines(self):
        text = icsmail.dumps(event(summary="😀" * 100, description="é" * 500 + "\n" + "x" * 300))
        self.assertNotIn("\n", text.replace("\r\n", ""))
        self.assertTrue(all(len(line.encode()) <= 75 for line in text.split("\r\n")))

    def test_publish_refuses_attendees(self):
        with self.assertRaisesRegex(ValueError, "PUBLISH carries none"):
            icsmail.dumps(event(), method="PUBLISH")
        text = icsmail.dumps(event(attendees=()), method="PUBLISH")
        self.assertIn("METHOD:PUBLISH", text)

    def test_method_requirements(self):
        with self.assertRaisesRegex(ValueError, "needs an organizer"):
            icsmail.dumps(event(organizer=None), method="REQUEST")
        with self.assertRaisesRegex(ValueError, "needs at least one attendee"):
            icsmail.dumps(event(attendees=()), method="REQUEST")
        with self.assertRaisesRegex(ValueError, "exactly one attendee"):
            icsmail.dumps(event(attendees=["b@example.com", "c@example.com"]), method="REPLY")
        with self.assertRaisesRegex(ValueError, "unknown method 'invite'"):
            icsmail.dumps(event(), method="invite")

    def test_reply_and_cancel_carry_no_alarm(self):
        ev = event(alarms=[icsmail.Alarm()])
        self.assertNotIn("VALARM", icsmail.dumps(ev, method="CANCEL"))
        self.assertIn("VALARM", icsmail.dumps(ev, method="REQUEST"))

    def test_extra_properties_are_written_safely(self):
        ev = event(extra=[("X-MICROSOFT-CDO-BUSYSTATUS", "FREE"),
                          ("X-ALT-DESC", {"FMTTYPE": "text/html"}, "<p>a, b; c</p>"),
                          icsmail.Property("CONFERENCE", "https://meet.example.com/x?a=1,2",
                                           {"VALUE": "URI", "FEATURE": ("AUDIO", "VIDEO")})])
        text = unfolded(icsmail.dumps(ev))
        self.assertIn("X-MICROSOFT-CDO-BUSYSTATUS:FREE\r\n", text)
        self.assertIn("X-ALT-DESC;FMTTYPE=text/html:<p>a\\, b\\; c</p>\r\n", text)
        self.assertIn("CONFERENCE;VALUE=URI;FEATURE=AUDIO,VIDEO:https://meet.example.com/x?a=1,2\r\n", text)
        same = icsmail.Property("CONFERENCE", "https://meet.example.com/x?a=1,2",
                                {"VALUE": "URI", "FEATURE": "AUDIO,VIDEO"})
        self.assertEqual(same, ev.extra[2])  # a list parameter given as one str: comma-separated values
        self.assertEqual(icsmail.loads(icsmail.dumps(ev)).events[0].extra, ev.extra)
        with self.assertRaisesRegex(ValueError, "CR or LF"):
            icsmail.Property("URL", "https://x\r\nATTENDEE:mailto:evil@example.com")
        with self.assertRaisesRegex(ValueError, "invalid property name"):
            icsmail.Property("X-BAD NAME", "v")

    def test_a_list_in_extra(self):  # commas between the items, each item's own commas escaped
        ev = event(extra=[icsmail.Property("X-LIST", ("a,b", "c")), icsmail.Property("RESOURCES", ("Room 1", "TV"))])
        self.assertIn("X-LIST:a\\,b,c", lines_of(icsmail.dumps(ev)))
        back = icsmail.loads(icsmail.dumps(ev)).events[0].extra
        self.assertEqual(back[0].value, "a,b,c")  # an X- list is one text to a reader, as Outlook's HTML is
        self.assertEqual(back[1].value, ("Room 1", "TV"))
        with self.assertRaisesRegex(ValueError, r"^COMMENT holds one text, not the list \('a', 'b'\): give one "
                                                r"Property\('COMMENT', \.\.\.\) for each$"):
            icsmail.Property("COMMENT", ("a", "b"))

    def test_extra_properties_do_not_get_around_the_rules(self):
        with self.assertRaisesRegex(ValueError, "PUBLISH carries none"):
            icsmail.dumps(event(attendees=(), extra=[("ATTENDEE", "mailto:c@example.com")]), method="PUBLISH")
        with self.assertRaisesRegex(ValueError, "STATUS:CANCELLED; REQUEST allows"):
            icsmail.dumps(event(extra=[("STATUS", "cancelled")]), method="REQUEST")
        with self.assertRaisesRegex(ValueError, "needs at least one attendee"):
            icsmail.dumps(event(attendees=()), method="REQUEST")
        invited = icsmail.dumps(event(attendees=(), extra=[("ATTENDEE", "mailto:c@example.com")]), method="REQUEST")
        self.assertIn("ATTENDEE:mailto:c@example.com\r\n", invited)  # an extra attendee counts for REQUEST
        with self.assertRaisesRegex(ValueError, "DTEND and DURATION exclude each other"):
            event(extra=[("DTEND", "20261201T120000Z")])  # the event has a duration
        with self.assertRaisesRegex(ValueError, "DTEND and DURATION exclude each other"):
            event(duration=None, end=datetime(2026, 12, 1, 11, tzinfo=LONDON), extra=[("DURATION", "PT1H")])

    def test_many_events_and_zones(self):
        cal = icsmail.Calendar([event(uid="a"), event(uid="b", start=datetime(2026, 5, 1, 9, tzinfo=NEW_YORK))],
                               name="Team")
        text = icsmail.dumps(cal)
        self.assertEqual(text.count("BEGIN:VEVENT"), 2)
        self.assertEqual(text.count("BEGIN:VTIMEZONE"), 2)
        self.assertLess(text.index("END:VTIMEZONE"), text.index("BEGIN:VEVENT"))
        self.assertIn("X-WR-CALNAME:Team", text)

    def test_recurring_event_reaches_the_current_rule(self):
        ev = event(start=datetime(2005, 1, 10, 10, tzinfo=NEW_YORK), rrule="FREQ=WEEKLY")
        text = icsmail.dumps(ev)
        self.assertIn("RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU", text)

    def test_refresh_and_declinecounter_carry_only_what_rfc_5546_lets_them(self):  # 3.2.6, 3.2.8
        ev = event(rrule="FREQ=DAILY;COUNT=3", location="Room 4", alarms=[icsmail.Alarm()],
                   extra=[("COMMENT", "Which room?"), ("X-NOTE", "1"), ("GEO", "51.5;-0.1")])
        body = ["UID:review-1@example.com", "DTSTAMP:20260101T000000Z", "SEQUENCE:0",
                "ORGANIZER;CN=Alice Smith:mailto:alice@example.com",
                "ATTENDEE;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:bob@example.com",
                "COMMENT:Which room?", "X-NOTE:1"]
        for method, expected in (("REFRESH", [x for x in body if not x.startswith("SEQUENCE")]),
                                 ("DECLINECOUNTER", body)):
            with self.subTest(method=method):
                lines = lines_of(icsmail.dumps(ev, method=method))
                self.assertEqual(lines[lines.index("BEGIN:VEVENT") + 1:lines.index("END:VEVENT")], expected)
                self.assertNotIn("BEGIN:VTIMEZONE", lines)

    def test_the_first_and_last_years(self):  # the rule of London's zone has no year 0 or 10000
        for start, written in ((datetime(1, 1, 1, 0, 30, tzinfo=LONDON), "00010101T003000"),
                               (datetime(9999, 12, 31, 0, 30, tzinfo=LONDON), "99991231T003000")):
            with self.subTest(start=start):
                text = icsmail.dumps(event(start=start, duration=timedelta(minutes=10)))
                self.assertIn(f"DTSTART;TZID=Europe/London:{written}", lines_of(text))
        with self.assertRaisesRegex(ValueError, r"start 0001-01-01 00:30:00\+09:18:59 is, in UTC, beyond the years"):
            event(start=datetime(1, 1, 1, 0, 30, tzinfo=ZoneInfo("Asia/Tokyo")), duration=timedelta(minutes=10))

    def test_dump_to_files(self):
        ev = event()
        expected = icsmail.dumps(ev)
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "a.ics")
            icsmail.dump(ev, path)
            with open(path, "rb") as f:
                self.assertEqual(f.read(), expected.encode())
            with open(path, "w", newline="", encoding="utf-8") as f:
                icsmail.dump(ev, f)
            with open(path, "rb") as f:
                self.assertEqual(f.read(), expected.encode())
        buf = io.BytesIO()
        icsmail.dump(icsmail.Calendar([ev]), buf)
        self.assertEqual(buf.getvalue(), expected.encode())

    @unittest.skipIf(os.name == "nt", "file modes and links")
    def test_dump_to_a_path_replaces_the_file_keeping_its_mode_and_links(self):  # written beside it, renamed
        ev = event()
        with tempfile.TemporaryDirectory() as tmp:
            path, link = os.path.join(tmp, "a.ics"), os.path.join(tmp, "link.ics")
            with open(path, "w") as f:
                f.write("old")
            os.chmod(path, 0o640)
            os.symlink(path, link)
            icsmail.dump(ev, link)
            self.assertTrue(os.path.islink(link))
            self.assertEqual(oct(os.stat(path).st_mode & 0o777), oct(0o640))
            with open(path, "rb") as f:
                self.assertEqual(f.read(), icsmail.dumps(ev).encode())
            self.assertEqual(sorted(os.listdir(tmp)), ["a.ics", "link.ics"])
            hard = os.path.join(tmp, "hard.ics")
            os.link(path, hard)  # a file of two names is written in place: both keep the new text
            icsmail.dump(event(summary="Both"), hard)
            with open(path, "rb") as f:
                self.assertIn(b"SUMMARY:Both", f.read())
        if os.path.isdir("/dev/fd"):  # a pipe (as -o /dev/stdout | ...) is written to, not replaced
            read, write = os.pipe()
            try:
                icsmail.dump(ev, f"/dev/fd/{write}")
                self.assertTrue(os.read(read, 65536).startswith(b"BEGIN:VCALENDAR"))
            finally:
                os.close(read)
                os.close(write)

    def test_dump_to_a_text_file_writes_utf8_and_crlf_whatever_the_file_translates(self):  # as on Windows
        ev = event(summary="R\u00e9union \u2615")
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "a.ics")
            with open(path, "w", newline="\r\n", encoding="cp1252", errors="replace") as f:
                f.write("")  # (anything written before comes first)
                icsmail.dump(ev, f)
            with open(path, "rb") as f:
                self.assertEqual(f.read(), icsmail.dumps(ev).encode())
        text = io.StringIO()
        icsmail.dump(ev, text)
        self.assertEqual(text.getvalue(), icsmail.dumps(ev))

    def test_dump_to_a_text_mode_temporary_file(self):  # tempfile wraps the file object: no TextIOBase
        ev = event(summary="R\u00e9union")
        with tempfile.NamedTemporaryFile("w+", encoding="cp1252") as f:
            icsmail.dump(ev, f)
            f.flush()
            f.buffer.seek(0)
            self.assertEqual(f.buffer.read(), icsmail.dumps(ev).encode())
        with tempfile.SpooledTemporaryFile(mode="w+", newline="") as f:
            icsmail.dump(ev, f)
            f.seek(0)
            self.assertEqual(f.read(), icsmail.dumps(ev))



# --------------------------------------------------------------------------
# The reader
# --------------------------------------------------------------------------

SIMPLE = golden("""
    BEGIN:VCALENDAR
    VERSION:2.0
    PRODID:-//Example//EN
    BEGIN:VEVENT
    UID:abc@example.com
    DTSTAMP:20260101T000000Z
    DTSTART;TZID=Europe/London:20261201T100000
    DTEND;TZID=Europe/London:20261201T104500
    SUMMARY:Review\\, with a comma
    ORGANIZER;CN="Smith, Alice":mailto:alice@example.com
    ATTENDEE;CN=Bob;PARTSTAT=ACCEPTED;ROLE=CHAIR:MAILTO:bob@example.com
    END:VEVENT
    END:VCALENDAR
    """)


TOLD = SIMPLE.replace("VERSION", "METHOD:REQUEST\r\nVERSION")  # a REQUEST, as its mail part's method= says


def calendar_with(*event_lines: str, head: str = "", zones: str = "") -> str:
    """A calendar of one VEVENT (UID u1) with these lines, calendar properties and VTIMEZONEs."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:test"]
    lines += [x for x in (head, zones) if x]
    lines += ["BEGIN:VEVENT", "UID:u1", "DTSTAMP:20260101T000000Z", *event_lines, "END:VEVENT", "END:VCALENDAR"]
    return "\n".join(lines).replace("\r\n", "\n").replace("\n", "\r\n") + "\r\n"


class TestLoads(unittest.TestCase):
    def test_windows_zone_names_read_as_their_zones(self):  # CLDR's table, whose mistakes are an hour off
        for name, key, offset in (("AUS Eastern Standard Time", "Australia/Sydney", 11),
                                  ("Romance Standard Time", "Europe/Paris", 1),
                                  ("Eastern Standard Time", "America/New_York", -5)):
            with self.subTest(name=name):
                start = icsmail.loads(calendar_with(f"DTSTART;TZID={name}:20260115T090000")).events[0].start
                self.assertEqual((start.tzinfo.key, start.utcoffset()), (key, timedelta(hours=offset)))

    def test_a_vtimezone_rule_on_the_last_day_of_a_month(self):
        zone = ("BEGIN:VTIMEZONE\nTZID:Odd\nBEGIN:DAYLIGHT\nDTSTART:19700329T020000\n"
                "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\nTZOFFSETFROM:+0100\nTZOFFSETTO:+0200\nEND:DAYLIGHT\n"
                "BEGIN:STANDARD\nDTSTART:19701031T030000\nRRULE:FREQ=YEARLY;BYMONTH=10;BYMONTHDAY=-1\n"
                "TZOFFSETFROM:+0200\nTZOFFSETTO:+0100\nEND:STANDARD\nEND:VTIMEZONE")
        offsets = [icsmail.loads(calendar_with(f"DTSTART;TZID=Odd:{day}T120000", zones=zone)).events[0]
                   .start.utcoffset() for day in ("20261030", "20261031")]
        self.assertEqual(offsets, [timedelta(hours=2), timedelta(hours=1)])

    def test_a_leap_second_reads_as_the_second_before(self):
        cal = icsmail.loads(calendar_with("DTSTART:20261231T235960Z"))
        self.assertEqual(cal.events[0].start, datetime(2026, 12, 31, 23, 59, 59, tzinfo=timezone.utc))

    def test_simple(self):
        cal = icsmail.loads(SIMPLE)
        ev = cal.events[0]
        self.assertEqual(ev.summary, "Review, with a comma")
        self.assertEqual(ev.start, datetime(2026, 12, 1, 10, tzinfo=LONDON))
        self.assertIs(ev.start.tzinfo, LONDON)
        self.assertEqual(ev.end - ev.start, timedelta(minutes=45))
        self.assertEqual(ev.organizer, icsmail.Organizer("alice@example.com", name="Smith, Alice"))
        a = ev.attendees[0]
        self.assertEqual((a.email, a.name, a.partstat, a.role, a.rsvp), ("bob@example.com", "Bob", "ACCEPTED",
                                                                          "CHAIR", False))
        self.assertEqual(cal.warnings, [])

    def test_garbage_collector_state_is_restored(self):
        # loads() pauses the collector while it reads; whatever the state was, it is again.
        import gc
        was_on = gc.isenabled()
        self.addCleanup(gc.enable if was_on else gc.disable)
        for on in (True, False):
            (gc.enable if on else gc.disable)()
            icsmail.loads(SIMPLE)
            self.assertEqual(gc.isenabled(), on)
            with self.assertRaises(icsmail.ParseError):
                icsmail.loads("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\n")
            self.assertEqual(gc.isenabled(), on)

    def test_line_ends_and_folds(self):
        folded = SIMPLE.replace("SUMMARY:Review", "SUMMARY:Re\r\n vi\r\n\tew")
        for name, text in [("crlf", folded), ("lf", folded.replace("\r\n", "\n")),
                           ("cr", folded.replace("\r\n", "\r")), ("bom", "\ufeff" + folded),
                           ("bytes", folded.encode()), ("bom bytes", b"\xef\xbb\xbf" + folded.encode())]:
            with self.subTest(name):
                self.assertEqual(icsmail.loads(text).events[0].summary, "Review, with a comma")

    def test_fold_inside_a_name_and_a_quoted_parameter(self):
        text = SIMPLE.replace("ORGANIZER;CN=\"Smith, Alice\"", "ORGAN\r\n IZER;CN=\"Smith,\r\n  Alice\"")
        self.assertEqual(icsmail.loads(text).events[0].organizer.name, "Smith, Alice")

    def test_values_become_python_values(self):
        cal = icsmail.loads(calendar_with(
            "DTSTART;VALUE=DATE:20261224", "DURATION:P2D", "RRULE:FREQ=YEARLY;COUNT=3",
            "EXDATE;VALUE=DATE:20271224", "RDATE;VALUE=PERIOD:20280101T100000Z/PT1H",
            "CATEGORIES:a,b\\,c", "CATEGORIES:d", "PRIORITY:5", "SEQUENCE:2", "STATUS:confirmed",
            "X-UNKNOWN;X-P=1:kept\\, unescaped", "URL:https://example.com/a,b"))
        ev = cal.events[0]
        self.assertEqual(ev.start, date(2026, 12, 24))
        self.assertEqual(ev.duration, timedelta(days=2))
        self.assertEqual(ev.rrule, "FREQ=YEARLY;COUNT=3")
        self.assertEqual(ev.exdates, (date(2027, 12, 24),))
        self.assertEqual(ev.rdates, ((datetime(2028, 1, 1, 10, tzinfo=UTC), timedelta(hours=1)),))
        self.assertEqual(ev.categories, ("a", "b,c", "d"))
        self.assertEqual((ev.priority, ev.sequence, ev.status), (5, 2, "CONFIRMED"))
        self.assertEqual(ev.extra, (icsmail.Property("X-UNKNOWN", "kept, unescaped", {"X-P": "1"}),))
        self.assertEqual(ev.url, "https://example.com/a,b")

    def test_large_sequence_numbers_come_back(self):
        for sequence in (10000, 2 ** 31 - 1):
            with self.subTest(sequence=sequence):
                read = icsmail.loads(icsmail.dumps(event(sequence=sequence)))
                self.assertEqual((read.events[0].sequence, read.events[0].extra, read.warnings), (sequence, (), []))
        read = icsmail.loads(calendar_with("DTSTART:20261201T100000Z", "SEQUENCE:99999999999"))
        self.assertEqual(read.events[0].sequence, 99999999999)  # kept, and said
        self.assertIn("SEQUENCE 99999999999 is outside 0-2147483647", read.warnings[0])
        self.assertEqual(unfolded(icsmail.dumps(read)).count("SEQUENCE:"), 1)
        read = icsmail.loads(calendar_with("DTSTART:20261201T100000Z", "SEQUENCE:two"))
        self.assertIn("SEQUENCE 'two' is not a whole number: read as 0", read.warnings[0])
        self.assertEqual(unfolded(icsmail.dumps(read)).count("SEQUENCE:"), 1)

    def test_floating_and_x_wr_timezone(self):
        floating = icsmail.loads(calendar_with("DTSTART:20261201T100000")).events[0]
        self.assertIsNone(floating.start.tzinfo)
        self.assertTrue(floating.floating)
        for name in ("America/New_York", '"America/New_York"', "Eastern Standard Time"):
            google = icsmail.loads(calendar_with("DTSTART:20261201T100000", head=f"X-WR-TIMEZONE:{name}"))
            self.assertEqual(google.events[0].start, datetime(2026, 12, 1, 10, tzinfo=NEW_YORK))

    def test_windows_and_exchange_zone_names(self):
        cases = {
            "W. Europe Standard Time": "Europe/Berlin",
            "Eastern Standard Time": "America/New_York",
            "Pacific Standard Time 1": "America/Los_Angeles",
            "/mozilla.org/20070129_1/Asia/Tokyo": "Asia/Tokyo",
            "(UTC+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna": "Europe/Amsterdam",
        }
        for tzid, key in cases.items():
            with self.subTest(tzid=tzid):
                quoted = f'"{tzid}"' if "," in tzid or ":" in tzid else tzid
                ev = icsmail.loads(calendar_with(f"DTSTART;TZID={quoted}:20260701T100000")).events[0]
                self.assertEqual(ev.start.tzinfo.key, key)

    def test_display_names_without_a_vtimezone(self):
        cases = {  # the offset in the name is the standard one; summer time must not pick another zone
            "(UTC-05:00) Eastern Time (US & Canada)": "America/New_York",
            "(UTC-06:00) Central Time (US & Canada)": "America/Chicago",
            "(UTC-08:00) Pacific Time (US & Canada)": "America/Los_Angeles",
            "(UTC) Coordinated Universal Time": "Etc/UTC",
            "(UTC+01:00) West Central Africa": "Africa/Lagos",
            "(UTC-07:00) Arizona": "America/Phoenix",
            "(UTC+10:00) Canberra, Melbourne, Sydney": "Australia/Canberra",
            "(GMT-05.00) Bogota / Lima / Quito": "America/Bogota",  # Zimbra, Exchange 2003: no summer time
            "(GMT-04.00) Caracas / La Paz": "America/Caracas",
            "(GMT) Casablanca / Monrovia": "Africa/Monrovia",  # Casablanca keeps +01 nowadays
            "(UTC-05:00) Chetumal": "America/Cancun",  # a Windows name that names no tz database city
            "(UTC+02:00) Amman": "Asia/Amman",  # +03:00 since 2022: the place, not another zone at +02:00
            "(UTC+01:00) Sao Tome": "Africa/Sao_Tome",
            "(UTC-05:00) Haiti": "America/Port-au-Prince",  # Haiti Standard Time, with summer time
            "(UTC-03:00) Bras\u00edlia": "America/Sao_Paulo",  # Windows writes the accent; the tz database none
            "(UTC+01:00) Z\u00fcrich": "Europe/Zurich",
        }
        for tzid, key in cases.items():
            with self.subTest(tzid=tzid):
                text = calendar_with(f'DTSTART;TZID="{tzid}":20260715T100000')
                cal = icsmail.loads(text)
                self.assertEqual(cal.events[0].start.tzinfo.key, key)
                self.assertIn("guessed from its name", cal.warnings[0])
                self.assertEqual(next(icsmail.iter_events(text.encode())).start.tzinfo.key, key)

    def test_a_display_name_of_a_place_unknown_is_read_as_its_fixed_offset(self):  # not a zone of that offset
        cal = icsmail.loads(calendar_with('DTSTART;TZID="(UTC-05:00) Atlantis":20260715T100000'))
        self.assertEqual(cal.events[0].start.utcoffset(), timedelta(hours=-5))
        self.assertIn("names a place icsmail does not know: read as the fixed offset it names", cal.warnings[0])

    def test_display_name_waits_for_a_vtimezone_further_on(self):
        zones = textwrap.dedent(self.EXCHANGE_ZONE).strip().replace("Customized Time Zone", "(UTC+01:00) Lagos")
        text = calendar_with('DTSTART;TZID="(UTC+01:00) Lagos":20260701T100000') \
            .replace("END:VCALENDAR", zones.replace("\n", "\r\n") + "\r\nEND:VCALENDAR")
        warnings: list = []
        streamed = next(icsmail.iter_events(text.encode(), warnings=warnings))
        self.assertEqual(streamed.start.utcoffset(), timedelta(hours=2))  # the file's rules, not Africa/Lagos
        self.assertEqual(streamed.start, icsmail.loads(text).events[0].start)

    def test_a_stream_holds_back_a_bounded_number_of_events(self):
        event_text = calendar_with('DTSTART;TZID="(UTC+01:00) Amsterdam":20260701T100000').split("BEGIN:VEVENT")[1]
        text = calendar_with().split("BEGIN:VEVENT")[0] + \
            ("BEGIN:VEVENT" + event_text.split("END:VCALENDAR")[0]) * 3000 + "END:VCALENDAR\r\n"
        source = io.BytesIO(text.encode())
        warnings: list = []
        with mock.patch.object(icsmail, "_MAX_HELD", 20), mock.patch.object(icsmail, "_CHUNK", 4096):
            first = next(icsmail.iter_events(source, warnings=warnings))  # a guess before the file is read
        self.assertEqual(first.start.tzinfo.key, "Europe/Amsterdam")
        self.assertLess(source.tell(), len(text) / 2)
        self.assertIn("21 events wait for the VTIMEZONE of '(UTC+01:00) Amsterdam', which has not come", warnings[0])

    def test_a_stream_loses_no_event_before_a_calendar(self):
        text = ("BEGIN:VEVENT\r\nUID:1\r\nSUMMARY:early\r\nDTSTART;TZID=Custom:20261201T100000\r\nEND:VEVENT\r\n"
                "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n")
        self.assertEqual([e.summary for e in icsmail.loads(text).events], ["early"])
        self.assertEqual([e.summary for e in icsmail.iter_events(text.encode())], ["early"])

    def test_vtimezone_before_its_first_change(self):
        zone = ("BEGIN:VTIMEZONE\nTZID:Custom\nBEGIN:STANDARD\nDTSTART:20260101T000000\nTZOFFSETFROM:+0530\n"
                "TZOFFSETTO:+0530\nEND:STANDARD\nEND:VTIMEZONE")
        for when in ("20200601T100000", "20300601T100000"):
            with self.subTest(when=when):
                ev = icsmail.loads(calendar_with(f"DTSTART;TZID=Custom:{when}", zones=zone)).events[0]
                self.assertEqual(ev.start.utcoffset(), timedelta(hours=5, minutes=30))

    def test_x_wr_timezone_after_the_events_when_streaming(self):
        text = calendar_with("DTSTART:20260715T100000").replace("END:VCALENDAR", "X-WR-TIMEZONE:Asia/Tokyo\r\n"
                                                                 "END:VCALENDAR")
        self.assertEqual(icsmail.loads(text).events[0].start.utcoffset(), timedelta(hours=9))
        warnings: list = []
        self.assertTrue(list(icsmail.iter_events(text.encode(), warnings=warnings))[0].floating)
        self.assertIn("X-WR-TIMEZONE comes after events", warnings[0])

    def test_a_calendar_zone_named_after_the_events_when_streaming(self):
        cases = {"DAYLIGHT:TRUE;-04;20260308T070000Z;20261101T060000Z;EDT;EST": "DAYLIGHT comes after events",
                 "X-WR-TIMEZONE:America/New_York": "X-WR-TIMEZONE comes after events"}
        for late, warning in cases.items():
            with self.subTest(late), mock.patch.object(icsmail, "_CHUNK", 64):
                text = calendar_with("DTSTART:20260715T100000", head="TZ:-05").replace(
                    "END:VCALENDAR", late + "\r\nEND:VCALENDAR")
                self.assertEqual(icsmail.loads(text).events[0].start.utcoffset(), timedelta(hours=-4))
                warnings: list = []
                streamed = list(icsmail.iter_events(text.encode(), warnings=warnings))[0]
                self.assertEqual(streamed.start.utcoffset(), timedelta(hours=-5))  # what it knew then, and says so
                self.assertIn(f"{warning}: the floating times read before it were given the zone known then",
                              warnings[-1])  # after the one that TZ is vCalendar 1.0's

    def test_windows_names_without_the_old_links(self):
        # some systems ship no "backward" links (Europe/Kiev): CLDR's names still resolve
        real = icsmail._iana_zone

        def without_links(key):
            return None if key in icsmail._CLDR_LINKS else real(key)
        with mock.patch.object(icsmail, "_iana_zone", without_links):
            ev = icsmail.loads(calendar_with("DTSTART;TZID=FLE Standard Time:20260701T100000")).events[0]
        self.assertEqual(ev.start.tzinfo.key, "Europe/Kyiv")

    EXCHANGE_ZONE = """
        BEGIN:VTIMEZONE
        TZID:Customized Time Zone
        BEGIN:STANDARD
        DTSTART:16010101T030000
        TZOFFSETFROM:+0200
        TZOFFSETTO:+0100
        RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=10
        END:STANDARD
        BEGIN:DAYLIGHT
        DTSTART:16010101T020000
        TZOFFSETFROM:+0100
        TZOFFSETTO:+0200
        RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=3
        END:DAYLIGHT
        END:VTIMEZONE"""

    def test_custom_vtimezone_from_the_file(self):
        zones = textwrap.dedent(self.EXCHANGE_ZONE).strip()
        text = calendar_with('DTSTART;TZID="Customized Time Zone":20260701T100000',
                             'DTEND;TZID="Customized Time Zone":20261201T100000', zones=zones)
        ev = icsmail.loads(text).events[0]
        self.assertEqual(ev.start.astimezone(UTC), datetime(2026, 7, 1, 8, tzinfo=UTC))  # summer: +02
        self.assertEqual(ev.end.astimezone(UTC), datetime(2026, 12, 1, 9, tzinfo=UTC))  # winter: +01
        again = icsmail.loads(icsmail.dumps(icsmail.loads(text)))  # written back with its VTIMEZONE
        self.assertEqual(again.events[0].start, ev.start)

    def test_windows_name_checked_against_its_vtimezone(self):
        zones = textwrap.dedent(self.EXCHANGE_ZONE).strip().replace("Customized Time Zone", "Eastern Standard Time")
        cal = icsmail.loads(calendar_with("DTSTART;TZID=Eastern Standard Time:20260701T100000", zones=zones))
        self.assertIsInstance(cal.events[0].start.tzinfo, icsmail._VZone)  # the file's rules win
        self.assertTrue(any("differs" in w for w in cal.warnings))

    def test_a_change_at_midnight_written_a_second_early_agrees(self):  # Outlook: 23:59:59, the tz database 24:00
        zones = ("BEGIN:VTIMEZONE\nTZID:Pacific SA Standard Time\nBEGIN:STANDARD\nDTSTART:16010101T235959\n"
                 "RRULE:FREQ=YEARLY;BYDAY=1SA;BYMONTH=4\nTZOFFSETFROM:-0300\nTZOFFSETTO:-0400\nEND:STANDARD\n"
                 "BEGIN:DAYLIGHT\nDTSTART:16010101T235959\nRRULE:FREQ=YEARLY;BYDAY=1SA;BYMONTH=9\n"
                 "TZOFFSETFROM:-0400\nTZOFFSETTO:-0300\nEND:DAYLIGHT\nEND:VTIMEZONE")
        for day, hours in (("20260115", -3), ("20260715", -4)):
            with self.subTest(day):
                cal = icsmail.loads(calendar_with(f"DTSTART;TZID=Pacific SA Standard Time:{day}T100000", zones=zones))
                start = cal.events[0].start
                self.assertEqual((start.tzinfo, start.utcoffset(), cal.warnings),
                                 (ZoneInfo("America/Santiago"), timedelta(hours=hours), []))

    def test_a_series_is_checked_in_the_years_it_recurs(self):  # Mexico dropped summer time after 2022
        zones = ("BEGIN:VTIMEZONE\nTZID:Central Standard Time (Mexico)\nBEGIN:STANDARD\nDTSTART:16010101T020000\n"
                 "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10\nTZOFFSETFROM:-0500\nTZOFFSETTO:-0600\nEND:STANDARD\n"
                 "BEGIN:DAYLIGHT\nDTSTART:16010101T020000\nRRULE:FREQ=YEARLY;BYDAY=1SU;BYMONTH=4\n"
                 "TZOFFSETFROM:-0600\nTZOFFSETTO:-0500\nEND:DAYLIGHT\nEND:VTIMEZONE")
        start = "DTSTART;TZID=Central Standard Time (Mexico):20220606T100000"
        cal = icsmail.loads(calendar_with(start, "RRULE:FREQ=WEEKLY;BYDAY=MO", zones=zones))
        self.assertEqual(cal.events[0].start.tzinfo, ZoneInfo("America/Mexico_City"))  # as 2022 agrees
        self.assertEqual([w[:w.index(" (line")] for w in cal.warnings],
                         ["TZID 'Central Standard Time (Mexico)': the file's VTIMEZONE differs from "
                          "America/Mexico_City in 2023: read as America/Mexico_City, which agreed where first used"])
        ended = icsmail.loads(calendar_with(start, "RRULE:FREQ=WEEKLY;UNTIL=20221231T000000Z", zones=zones))
        self.assertEqual(ended.warnings, [])  # it never reaches 2023

    def test_fifth_sunday_is_windows_last(self):
        zones = textwrap.dedent(self.EXCHANGE_ZONE).strip().replace("BYDAY=-1SU;BYMONTH=10", "BYDAY=5SU;BYMONTH=10")
        text = calendar_with('DTSTART;TZID="Customized Time Zone":20270115T100000', zones=zones)
        self.assertEqual(icsmail.loads(text).events[0].start.utcoffset(), timedelta(hours=1))  # winter 2026/27

    def test_iana_name_with_a_vtimezone_that_says_otherwise(self):
        us_rules = textwrap.dedent(self.OLD_US_RULES).strip().replace("16011028", "20071104").replace(
            "16010401", "20070311").replace("BYMONTH=10;BYDAY=-1SU", "BYMONTH=11;BYDAY=1SU").replace(
            "BYMONTH=4;BYDAY=1SU", "BYMONTH=3;BYDAY=2SU")
        # EST is the tz database's fixed -05:00; a file that gives it summer time means US Eastern
        cal = icsmail.loads(calendar_with("DTSTART;TZID=EST:20260701T100000",
                                          zones=us_rules.replace("Eastern Standard Time", "EST")))
        self.assertEqual(cal.events[0].start.utcoffset(), timedelta(hours=-4))
        self.assertIn("differs from the tz database's fixed zone EST; using the VTIMEZONE", cal.warnings[0])

        # an Area/City name: the tz database, which knows its history, and a warning when they differ
        trimmed = "BEGIN:VTIMEZONE\nTZID:Europe/Berlin\nBEGIN:STANDARD\nDTSTART:18930401T000000\n" \
                  "TZOFFSETFROM:+0053\nTZOFFSETTO:+0100\nEND:STANDARD\nEND:VTIMEZONE"
        cal = icsmail.loads(calendar_with("DTSTART;TZID=Europe/Berlin:20260701T100000", zones=trimmed))
        self.assertEqual(cal.events[0].start.utcoffset(), timedelta(hours=2))
        self.assertIn("gives 2026-07-01 10:00:00 another offset than the tz database", cal.warnings[0])

    def test_a_urn_address_is_read_as_its_email_parameter(self):  # iCloud and CalDAV servers write them
        org = 'ORGANIZER;CN=Anna;EMAIL="anna@me.com":urn:uuid:1f2e3d4c-5b6a-4978-8a9b-0c1d2e3f4a5b'
        att = "ATTENDEE;CN=Lars;EMAIL=lars@example.se;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:urn:uuid:9a8b-0000-4000-8000-1"
        cal = icsmail.loads(calendar_with("DTSTART:20260601T100000Z", "SUMMARY:x", org, att))
        ev = cal.events[0]
        self.assertEqual((ev.organizer.email, [a.email for a in ev.attendees]), ("anna@me.com", ["lars@example.se"]))
        self.assertEqual(ev.attendees[0].params, ())
        written = icsmail.dumps(cal).replace("\r\n ", "")  # as mailto:, which mail clients and linters take
        self.assertIn("ORGANIZER;CN=Anna:mailto:anna@me.com", written)
        self.assertIn(";RSVP=TRUE;CN=Lars:mailto:lars@example.se", written)
        answer = icsmail.reply(ev, "lars@example.se", "accept")  # found by the address
        self.assertIn("ATTENDEE;ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED;CN=Lars:mailto:lars@example.se",
                      icsmail.dumps(answer, method="REPLY").replace("\r\n ", ""))
        self.assertEqual(icsmail.apply_reply(ev, answer).attendees[0].partstat, "ACCEPTED")
        twice = icsmail.loads(calendar_with("DTSTART:20260601T100000Z", att, "ATTENDEE:mailto:LARS@example.se"))
        self.assertIn("lists the attendee 'LARS@example.se' twice", twice.warnings[0])

    def test_a_duration_in_hours_is_elapsed_time_even_a_day_of_them(self):  # RFC 5545 3.3.6
        text = calendar_with("DTSTART;TZID=Europe/Berlin:20260328T100000", "DURATION:PT24H",
                             "BEGIN:VALARM", "ACTION:DISPLAY", "DESCRIPTION:x", "TRIGGER:-PT24H", "END:VALARM")
        ev = icsmail.loads(text).events[0]
        self.assertEqual(ev.end_time.astimezone(UTC), datetime(2026, 3, 29, 9, tzinfo=UTC))  # 11:00 local, not 10:00
        self.assertEqual(ev.duration, timedelta(hours=24))
        written = icsmail.dumps(icsmail.loads(text))
        self.assertIn("DURATION:PT24H\r\n", written)  # not P1D, which is 23 hours that day
        self.assertIn("TRIGGER:-PT24H\r\n", written)
        zero_days = icsmail.loads(text.replace("DURATION:PT24H", "DURATION:P0DT24H")).events[0]
        self.assertEqual(zero_days.end_time, ev.end_time)
        day = icsmail.loads(text.replace("PT24H", "P1D")).events[0]
        self.assertEqual(day.end_time.astimezone(UTC), datetime(2026, 3, 29, 8, tzinfo=UTC))  # a calendar day

    def test_a_zone_is_checked_in_each_year_its_events_use(self):  # not only in the first event's
        mexico = """BEGIN:VTIMEZONE
TZID:Central Standard Time (Mexico)
BEGIN:STANDARD
DTSTART:16010101T020000
TZOFFSETFROM:-0500
TZOFFSETTO:-0600
RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10
END:STANDARD
BEGIN:DAYLIGHT
DTSTART:16010101T020000
TZOFFSETFROM:-0600
TZOFFSETTO:-0500
RRULE:FREQ=YEARLY;BYDAY=1SU;BYMONTH=4
END:DAYLIGHT
END:VTIMEZONE"""  # written before Mexico gave up summer time (2022): what Outlook shows is this
        sao_paulo = mexico.replace("Central Standard Time (Mexico)", "America/Sao_Paulo").replace(
            "-0500", "-0200").replace("-0600", "-0300").replace("BYMONTH=10", "BYMONTH=2").replace(
            "BYDAY=-1SU;BYMONTH=2", "BYDAY=3SU;BYMONTH=2").replace("BYMONTH=4", "BYMONTH=11")  # (before 2019)

        def two_events(tzid, first, second, zones):
            return calendar_with(f"DTSTART;TZID={tzid}:{first}", zones=zones).replace(
                "END:VCALENDAR", f"BEGIN:VEVENT\r\nUID:u2\r\nDTSTAMP:20260101T000000Z\r\n"
                                 f"DTSTART;TZID={tzid}:{second}\r\nEND:VEVENT\r\nEND:VCALENDAR")

        # one zone serves a TZID's every time (an event's exceptions must match its occurrences): the one
        # chosen where first used, and a warning for a year the file's VTIMEZONE says otherwise
        cal = icsmail.loads(two_events("Central Standard Time (Mexico)", "20220615T100000", "20230615T100000",
                                       mexico))
        self.assertEqual([e.start.tzinfo for e in cal.events], [ZoneInfo("America/Mexico_City")] * 2)
        self.assertEqual([e.start.astimezone(UTC).hour for e in cal.events], [15, 16])
        self.assertEqual([w[:129] for w in cal.warnings], ["TZID 'Central Standard Time (Mexico)': the file's "
                                                           "VTIMEZONE differs from America/Mexico_City in 2023: "
                                                           "read as America/Mexico_City"])
        cal = icsmail.loads(two_events("Central Standard Time (Mexico)", "20230615T100000", "20220615T100000",
                                       mexico))
        self.assertEqual([e.start.astimezone(UTC).hour for e in cal.events], [15, 15])  # the VTIMEZONE, warned of
        self.assertTrue(any("using the VTIMEZONE" in w for w in cal.warnings), cal.warnings)
        series = two_events("Central Standard Time (Mexico)", "20210615T100000", "20240615T100000", mexico).replace(
            "END:VEVENT", "RRULE:FREQ=YEARLY\r\nEXDATE;TZID=Central Standard Time (Mexico):20230615T100000\r\n"
                          "END:VEVENT", 1).replace("UID:u2", "UID:u1\r\nRECURRENCE-ID;TZID=Central Standard Time "
                                                     "(Mexico):20240615T100000")
        master, moved = icsmail.loads(series).events
        self.assertIs(master.exdates[0].tzinfo, master.start.tzinfo)
        self.assertIs(moved.recurrence_id.tzinfo, master.start.tzinfo)
        for first, second in (("20230715T100000", "20231215T100000"), ("20231215T100000", "20230715T100000")):
            with self.subTest(first=first):  # Area/City: the tz database, and a warning whichever comes first
                cal = icsmail.loads(two_events("America/Sao_Paulo", first, second, sao_paulo))
                self.assertEqual([e.start.utcoffset() for e in cal.events], [timedelta(hours=-3)] * 2)
                self.assertEqual(len([w for w in cal.warnings if "2023-12-15 10:00:00 another offset" in w]), 1,
                                 cal.warnings)
                streamed = list(icsmail.iter_events(two_events("America/Sao_Paulo", first, second, sao_paulo)))
                self.assertEqual([e.start.utcoffset() for e in streamed], [timedelta(hours=-3)] * 2)
        vendor = "/mozilla.org/20070129_1/America/Sao_Paulo"  # a vendor's prefix: the same, warned too
        cal = icsmail.loads(two_events(vendor, "20230715T100000", "20231215T100000",
                                       sao_paulo.replace("TZID:America/Sao_Paulo", f"TZID:{vendor}")))
        self.assertEqual([e.start.utcoffset() for e in cal.events], [timedelta(hours=-3)] * 2)
        self.assertTrue(any("2023-12-15 10:00:00 another offset" in w for w in cal.warnings), cal.warnings)

    def test_zone_names_and_times_writers_get_wrong(self):
        fixed = "BEGIN:STANDARD\nDTSTART:16010101T000000\nTZOFFSETFROM:-0500\nTZOFFSETTO:-0500\nEND:STANDARD"
        cases = [  # (lines, zones, UTC start)
            (["DTSTART;TZID=tzone://Microsoft/Custom:20260309T090000"],  # Outlook: a colon, unquoted
             f"BEGIN:VTIMEZONE\nTZID:tzone://Microsoft/Custom\n{fixed}\nEND:VTIMEZONE", datetime(2026, 3, 9, 14)),
            (['DTSTART;TZID="Customized Time Zone":20260309T090000'],  # the VTIMEZONE's TZID in quotes
             f'BEGIN:VTIMEZONE\nTZID:"Customized Time Zone"\n{fixed}\nEND:VTIMEZONE', datetime(2026, 3, 9, 14)),
            (['DTSTART;TZID="tzone://Microsoft/Utc":20260309T090000'], "", datetime(2026, 3, 9, 9)),
            (['DTSTART;TZID=Coordinated Universal Time:20260309T090000'], "", datetime(2026, 3, 9, 9)),
            (["DTSTART:2026-03-09T09:00:00+01:00"], "", datetime(2026, 3, 9, 8)),  # ISO 8601 offsets
            (["DTSTART:20260309T090000-0530"], "", datetime(2026, 3, 9, 14, 30)),
        ]
        with self.assertRaises(AttributeError):  # an offset of 99 hours is no offset: the start is not read
            icsmail.loads(calendar_with("DTSTART:20261201T100000+9999")).events[0].start.astimezone(UTC)
        cases += [(['DTSTART;TZID="Europe/Paris":2026-07-01T10:00:00'], "", datetime(2026, 7, 1, 8)),  # colons
                  (["DTSTART;TZID=Europe/Paris:20260701T10:00"], "", datetime(2026, 7, 1, 8)),  # of their own
                  (["DTSTART;TZID= Custom :20260309T090000"],  # a VTIMEZONE after the event, TZID padded
                   f"BEGIN:VTIMEZONE\nTZID:Custom\n{fixed}\nEND:VTIMEZONE", datetime(2026, 3, 9, 14)),
                  (["DTSTART;TZID=Europe/Paris:20261231T240000"], "", datetime(2026, 12, 31, 23))]  # ISO's 24:00
        for lines, zones, instant in cases:
            with self.subTest(lines[0]):
                text = calendar_with(*lines, "EXDATE" + lines[0][7:], "RRULE:FREQ=DAILY;COUNT=3", zones=zones)
                if "Custom :" in lines[0]:
                    text = text.replace(zones.replace("\n", "\r\n") + "\r\n", "").replace(
                        "END:VCALENDAR", zones.replace("\n", "\r\n") + "\r\nEND:VCALENDAR")
                for event in (icsmail.loads(text).events[0], next(icsmail.iter_events(text.encode()))):
                    self.assertEqual(event.start.astimezone(UTC), instant.replace(tzinfo=UTC))
                    self.assertEqual(event.exdates, (event.start,))
                again = icsmail.loads(icsmail.dumps(icsmail.loads(text))).events[0]
                self.assertEqual(again.start.astimezone(UTC), instant.replace(tzinfo=UTC))

    def test_a_utc_time_with_a_tzid_is_utc_and_warned_of(self):  # some writers mean it local
        cal = icsmail.loads(calendar_with("DTSTART;TZID=Europe/Berlin:20261201T100000Z",
                                          "DTEND;TZID=Etc/GMT:20261201T110000Z"))
        self.assertEqual(cal.events[0].start, datetime(2026, 12, 1, 10, tzinfo=UTC))
        self.assertEqual([w[:65] for w in cal.warnings],
                         ["DTSTART '20261201T100000Z' is in UTC and has TZID 'Europe/Berlin'"])

    def test_est_without_a_vtimezone_in_summer_is_warned_of(self):  # writers often mean US Eastern
        cal = icsmail.loads(calendar_with("DTSTART;TZID=EST:20260715T100000"))
        self.assertEqual(cal.events[0].start.utcoffset(), timedelta(hours=-5))  # what the name says
        self.assertIn("2026-07-15 10:00:00 is -04:00 in America/New_York", cal.warnings[0])
        self.assertEqual(icsmail.loads(calendar_with("DTSTART;TZID=EST:20260115T100000")).warnings, [])
        series = icsmail.loads(calendar_with("DTSTART;TZID=EST:20260105T100000", "RRULE:FREQ=WEEKLY;COUNT=52"))
        self.assertIn("the series of 'u1' recurs in the tz database's fixed EST all year", series.warnings[0])

    def test_leap_second_zones_are_civil_time_or_refused(self):  # right/ zones count leap seconds
        ev = icsmail.loads(calendar_with("DTSTART;TZID=right/Europe/Paris:20261201T100000")).events[0]
        self.assertEqual(ev.start.utcoffset(), timedelta(hours=1))  # read as Europe/Paris
        with self.assertRaisesRegex(ValueError, "counts leap seconds.*use 'Europe/Paris'"):
            icsmail.vtimezone("right/Europe/Paris", date(2026, 1, 1), date(2027, 1, 1))

    def test_a_space_after_mailto(self):
        line = "ATTENDEE;CN=Ann:mailto: ann@example.com"
        ev = icsmail.loads(calendar_with("DTSTART:20260601T100000Z", line)).events[0]
        self.assertEqual(ev.attendees[0].email, "ann@example.com")

    def test_uri_parameters_without_quotes(self):  # RFC 5545's own example in 3.8.4.1 writes SENT-BY so
        cal = icsmail.loads(calendar_with(
            "DTSTART:20260601T100000Z", "ORGANIZER;CN=Boss;SENT-BY=mailto:sec@example.com:mailto:boss@example.com",
            "ATTENDEE;CN=John Smith;SENT-BY=MAILTO:jan@example.com;RSVP=TRUE:MAILTO:john@example.com",
            "ATTENDEE;DELEGATED-FROM=mailto:a@example.com,mailto:b@example.com;CN=Dee:mailto:dee@example.com",
            "DESCRIPTION;ALTREP=http://example.com/agenda.html:The agenda",
            "LOCATION;ALTREP=ldap://example.com:6666/o=Rooms?cn:Room 4",
            'ATTENDEE;CN="Doe, Ann";SENT-BY=x-im:pa@example.com:mailto:ann@example.com',  # after a quoted one
            "ATTENDEE;DIR=ldap://example.com:389/cn=Eve,o=Example;CN=Eve:mailto:eve@example.com",  # a comma of its own
            "COMMENT;ALTREP=cid:part1@example.com:Call me\\;SENT-BY=mailto:a@example.com:now"))  # the value as it is
        ev = cal.events[0]
        self.assertEqual((ev.organizer.email, ev.organizer.sent_by), ("boss@example.com", "sec@example.com"))
        john, dee, ann, eve = ev.attendees
        self.assertEqual((john.email, john.sent_by, john.rsvp), ("john@example.com", "jan@example.com", True))
        self.assertEqual((ann.email, ann.sent_by), ("ann@example.com", "x-im:pa@example.com"))
        self.assertEqual((eve.email, eve.params), ("eve@example.com", (("DIR", "ldap://example.com:389/cn=Eve,o=Example"),)))
        self.assertEqual(ev.extra[0].value, "Call me;SENT-BY=mailto:a@example.com:now")
        self.assertEqual((dee.email, dee.delegated_from), ("dee@example.com", ("a@example.com", "b@example.com")))
        self.assertEqual((ev.description, ev.location), ("The agenda", "Room 4"))
        self.assertIn('DESCRIPTION;ALTREP="http://example.com/agenda.html":The agenda', lines_of(icsmail.dumps(cal)))

    def test_quotes_inside_a_quoted_parameter(self):  # ical-generator escapes them with a backslash
        for cn, name in (('"Bob \\"B\\" Smith"', 'Bob "B" Smith'), ('"Joe" Tester', "Joe Tester")):
            with self.subTest(cn):
                ev = icsmail.loads(calendar_with("DTSTART:20260601T100000Z",
                                                 f"ATTENDEE;CN={cn};RSVP=TRUE:mailto:bob@example.com")).events[0]
                self.assertEqual((ev.attendees[0].name, ev.attendees[0].email), (name, "bob@example.com"))

    def test_a_sequence_too_large_says_so(self):
        cal = icsmail.loads(calendar_with("DTSTART:20260105T100000Z", "SEQUENCE:99999999999999999999"))
        self.assertEqual(cal.events[0].sequence, 0)
        self.assertIn("SEQUENCE '99999999999999999999' is too large a number: read as 0", cal.warnings[0])

    def test_a_local_until_of_a_zoned_series_is_warned(self):
        cal = icsmail.loads(calendar_with("DTSTART;TZID=Europe/Paris:20260105T100000",
                                          "RRULE:FREQ=DAILY;UNTIL=20260110T100000"))
        self.assertEqual(cal.events[0].rrule, "FREQ=DAILY;UNTIL=20260110T100000")  # kept as read
        self.assertIn("RRULE UNTIL=20260110T100000 is a local time, where a zoned DTSTART wants UTC", cal.warnings[0])

    def test_a_byte_order_mark_inside_text_is_kept(self):  # those of files joined together go
        text = icsmail.dumps(event(summary="a\ufeffb"))
        self.assertEqual(icsmail.loads("\ufeff" + text + "\ufeff" + text).events[0].summary, "a\ufeffb")

    def test_text_around_the_calendar(self):  # a mail footer, a signature, padding
        for before, after in (("", "-- \nThis e-mail is confidential.\n"), ("Sent from my phone\n", ""),
                              ("", "\x00\x1a")):
            with self.subTest(before=before, after=after):
                cal = icsmail.loads(before + SIMPLE + after)
                self.assertEqual(len(cal.events), 1)
                self.assertIn("outside any component: ignored", cal.warnings[0])
        for text in ("hello world\n", "SUMMARY:no calendar\n"):
            with self.subTest(text=text), self.assertRaisesRegex(icsmail.ParseError, r"\(line 1\)"):
                icsmail.loads(text)

    def test_an_alarm_time_not_in_utc(self):
        alarm = ("BEGIN:VALARM", "ACTION:DISPLAY", "DESCRIPTION:x", "TRIGGER_LINE", "END:VALARM")
        zoned = icsmail.loads(calendar_with("DTSTART:20260601T100000Z", *alarm).replace(
            "TRIGGER_LINE", "TRIGGER;VALUE=DATE-TIME;TZID=America/New_York:20260601T090000"))
        self.assertEqual(zoned.events[0].alarms[0].trigger, datetime(2026, 6, 1, 13, tzinfo=UTC))
        self.assertIn("TRIGGER;VALUE=DATE-TIME:20260601T130000Z", lines_of(icsmail.dumps(zoned)))
        floating = icsmail.loads(calendar_with("DTSTART:20260601T100000Z", *alarm).replace(
            "TRIGGER_LINE", "TRIGGER;VALUE=DATE-TIME:20260601T090000"))
        self.assertIn("TRIGGER '20260601T090000' is not in UTC, as RFC 5545 wants", floating.warnings[0])

    def test_a_zone_only_a_kept_property_names_is_written_back(self):
        zone = ("BEGIN:VTIMEZONE\nTZID:India Standard Time\nBEGIN:STANDARD\nDTSTART:16010101T000000\n"
                "TZOFFSETFROM:+0530\nTZOFFSETTO:+0530\nEND:STANDARD\nEND:VTIMEZONE")
        text = calendar_with("DTSTART;TZID=India Standard Time:20260612T140000",
                             "X-MS-OLK-ORIGINALSTART;TZID=India Standard Time:20260612T150000", zones=zone)
        out = lines_of(icsmail.dumps(icsmail.loads(text)))
        self.assertTrue(any(re.fullmatch(r"DTSTART;TZID=Asia/(Calcutta|Kolkata):20260612T140000", line)
                            for line in out))  # the times: their IANA zone
        self.assertIn("TZID:India Standard Time", out)  # and the zone the kept property names, defined

    def test_a_date_with_a_time_and_an_offset_keeps_its_date(self):
        for value in ("20261201T003000+0100", "2026-12-01T00:30:00+01:00"):  # 2026-11-30 in UTC
            with self.subTest(value):
                cal = icsmail.loads(calendar_with(f"DTSTART;VALUE=DATE:{value}"))
                self.assertEqual(cal.events[0].start, date(2026, 12, 1))
                self.assertIn("read as the date 2026-12-01", cal.warnings[1])

    def test_vcalendar_1_repeat_rules(self):
        rules = {"W1 MO TU #5": "FREQ=WEEKLY;BYDAY=MO,TU;COUNT=5", "MP1 1+ MO #0": "FREQ=MONTHLY;BYDAY=1MO",
                 "MD1 15 LD 20271231T000000": "FREQ=MONTHLY;BYMONTHDAY=15,-1;UNTIL=20271231T000000",
                 "D2": "FREQ=DAILY;INTERVAL=2;COUNT=2"}  # without an end, twice (vCalendar 1.0, 3.6.1)
        for old, new in rules.items():
            with self.subTest(old):
                text = calendar_with("DTSTART:20260601T100000", f"RRULE:{old}").replace("VERSION:2.0", "VERSION:1.0")
                cal = icsmail.loads(text)
                self.assertEqual(cal.events[0].rrule, new)
                self.assertIn(f"RRULE {old!r} (vCalendar 1.0) read as {new} (line 8)", cal.warnings)
                self.assertIn(f"RRULE:{new}", lines_of(icsmail.dumps(cal)))
        cal = icsmail.loads(calendar_with("DTSTART:20260601T100000", "RRULE:W1 MO 0800 #5"))  # a time of day
        self.assertEqual(cal.events[0].rrule, "W1 MO 0800 #5")  # kept as read, with a warning
        self.assertIn("RRULE 'W1 MO 0800 #5': RRULE part 'W1 MO 0800 #5' is not NAME=VALUE", cal.warnings[0])

    def test_vcalendar_1_attendees(self):  # its spec's own example: a name and address, STATUS, RSVP=YES
        text = ("BEGIN:VCALENDAR\r\nVERSION:1.0\r\nBEGIN:VEVENT\r\nDTSTART:20260402T070000Z\r\n"
                "ATTENDEE;ROLE=OWNER;STATUS=CONFIRMED;RSVP=YES:John Smith <jsmith@host1.com>\r\n"
                "ATTENDEE;ROLE=ATTENDEE;STATUS=NEEDS ACTION:jdoe@host1.com\r\nCATEGORIES:MEETING;PROJECT\r\n"
                "RRULE:D1 #3\r\nEXDATE:20260403T070000Z;20260404T070000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
        got = [(a.email, a.name, a.role, a.partstat, a.rsvp) for a in icsmail.loads(text).events[0].attendees]
        self.assertEqual(got, [("jsmith@host1.com", "John Smith", "CHAIR", "ACCEPTED", True),
                               ("jdoe@host1.com", None, "REQ-PARTICIPANT", "NEEDS-ACTION", False)])
        self.assertIn("ROLE=CHAIR;PARTSTAT=ACCEPTED;RSVP=TRUE;CN=John Smith:mailto:jsmith@host1.com",
                      icsmail.dumps(icsmail.loads(text)).replace("\r\n ", ""))
        ev = icsmail.loads(text).events[0]  # and its lists are separated by ";"
        self.assertEqual((ev.categories, len(ev.exdates)), (("MEETING", "PROJECT"), 2))

    def test_vcalendar_1_version_after_events_when_streaming(self):
        event_text = ("BEGIN:VEVENT\r\nUID:{0}\r\nDTSTART:20260402T070000Z\r\n"
                      "ATTENDEE;STATUS=CONFIRMED;RSVP=YES:jdoe@host1.com\r\nEND:VEVENT\r\n")
        text = ("BEGIN:VCALENDAR\r\n" + event_text.format("a") + "VERSION:1.0\r\n" + event_text.format("b") +
                "END:VCALENDAR\r\n").encode()
        warnings: list = []
        streamed = [ev.attendees[0].partstat for ev in icsmail.iter_events(io.BytesIO(text), warnings=warnings)]
        self.assertEqual(streamed, ["NEEDS-ACTION", "ACCEPTED"])  # the first was read before VERSION came
        self.assertIn("VERSION:1.0 comes after events: those read before it were read as iCalendar 2.0", warnings[0])
        self.assertIn("(line 7)", warnings[0])
        self.assertEqual([ev.attendees[0].partstat for ev in icsmail.loads(text).events], ["ACCEPTED"] * 2)

    def test_vcalendar_1_tz_and_daylight(self):  # local times of a vCalendar 1.0 file (old phones, Palm)
        data = (b"BEGIN:VCALENDAR\r\nVERSION:1.0\r\nTZ:-05\r\nDAYLIGHT:TRUE;-04;20260308T020000;20261101T020000;EST;"
                b"EDT\r\nBEGIN:VEVENT\r\nUID:v1\r\nDTSTART:20260701T100000\r\nDTEND:20261201T100000\r\n"
                b"RRULE:FREQ=MONTHLY;COUNT=6\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
        for event in (icsmail.loads(data).events[0], next(icsmail.iter_events(data))):
            self.assertEqual((event.start.utcoffset(), event.end.utcoffset()),
                             (timedelta(hours=-4), timedelta(hours=-5)))
        in_utc = data.replace(b"20260308T020000;20261101T020000", b"20260308T070000Z;20261101T060000Z").replace(
            b"DTSTART:20260701T100000", b"DTSTART:20260308T040000")  # 07:00Z is 02:00 local: summer by 04:00
        self.assertEqual(icsmail.loads(in_utc).events[0].start.utcoffset(), timedelta(hours=-4))
        warnings: list = []
        list(icsmail.iter_events(data.replace(b"TZ:-05", b"TZ:bogus") + data, warnings=warnings))
        self.assertEqual(len(warnings), 3, warnings)  # TZ bogus once, VERSION 1.0 twice: no "TZ after events"
        text = unfolded(icsmail.dumps(icsmail.loads(data)))  # a series keeps its local time: a zone, not UTC
        self.assertIn("DTSTART;TZID=vCalendar TZ -0500:20260701T100000\r\n", text)
        self.assertIn("BEGIN:DAYLIGHT\r\nDTSTART:20260308T020000\r\nTZOFFSETFROM:-0500\r\nTZOFFSETTO:-0400\r\n", text)

    def test_a_vcalendar_1_tz_in_a_version_2_calendar_is_taken_and_said(self):
        cal = icsmail.loads(calendar_with("DTSTART:20260701T100000", head="TZ:+02"))
        self.assertEqual(cal.events[0].start.utcoffset(), timedelta(hours=2))
        self.assertIn("TZ '+02' is vCalendar 1.0's, in a VERSION:2.0 calendar: its floating times are read at +0200",
                      cal.warnings[0])

    def test_hostile_quoted_printable(self):
        cases = {  # line: (summary, EXDATE count)
            "SUMMARY;ENCODING=QUOTED-PRINTABLE:Course for=\r\nBeginners welcome": ("Course forBeginners welcome", 0),
            "SUMMARY;ENCODING=QUOTED-PRINTABLE;CHARSET=punycode:a=3D": ("a=", 0),  # no charset: read as cp1252
            "SUMMARY;ENCODING=QUOTED-PRINTABLE:a=00b=1Bc=C2=85d": ("abcd", 0),  # controls it brings in: removed
            "SUMMARY;QUOTED-PRINTABLE:Caf=C3=A9": ("Caf\u00e9", 0),  # vCalendar 1.0's parameter without a name
            "EXDATE;ENCODING=QUOTED-PRINTABLE:20260602T100000Z=2C20260603T100000Z": (None, 2),  # not TEXT
            "X-QUOTED-PRINTABLE:ab=": (None, 0),  # no soft line break: END:VEVENT is not swallowed
        }
        for line, (summary, exdates) in cases.items():
            with self.subTest(line):
                cal = icsmail.loads(calendar_with("DTSTART:20260601T100000Z", line))
                event = cal.events[0]
                self.assertEqual((event.summary, len(event.exdates)), (summary, exdates))
                self.assertEqual(icsmail.loads(icsmail.dumps(cal)).events[0].summary, summary)

    def test_vcalendar_1_quoted_printable(self):  # Outlook's "Save as vCalendar" (.vcs)
        data = (b"BEGIN:VCALENDAR\r\nVERSION:1.0\r\nBEGIN:VEVENT\r\nUID:v1\r\nDTSTART:20260309T140000Z\r\n"
                b"SUMMARY;ENCODING=QUOTED-PRINTABLE;CHARSET=UTF-8:Caf=C3=A9; =3D ok\r\n"
                b"DESCRIPTION;ENCODING=QUOTED-PRINTABLE:Line one=0D=0A=\r\nLine two\r\n"
                b"ATTACH;ENCODING=BASE64;VALUE=BINARY:QUJD=\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
        for event in (icsmail.loads(data).events[0], next(icsmail.iter_events(data))):
            self.assertEqual((event.summary, event.description), ("Caf\u00e9; = ok", "Line one\nLine two"))
        self.assertIn("SUMMARY:Café\\; = ok\r\n", icsmail.dumps(icsmail.loads(data)))

    OLD_US_RULES = """
        BEGIN:VTIMEZONE
        TZID:Eastern Standard Time
        BEGIN:STANDARD
        DTSTART:16011028T020000
        TZOFFSETFROM:-0400
        TZOFFSETTO:-0500
        RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU
        END:STANDARD
        BEGIN:DAYLIGHT
        DTSTART:16010401T020000
        TZOFFSETFROM:-0500
        TZOFFSETTO:-0400
        RRULE:FREQ=YEARLY;BYMONTH=4;BYDAY=1SU
        END:DAYLIGHT
        END:VTIMEZONE"""

    def test_windows_name_checked_all_year_not_only_where_it_is_first_used(self):
        # the old US rules agree with America/New_York in January and July, not on 20 March
        zones = textwrap.dedent(self.OLD_US_RULES).strip()
        text = calendar_with("DTSTART;TZID=Eastern Standard Time:20260115T100000", zones=zones).replace(
            "END:VCALENDAR", "BEGIN:VEVENT\r\nUID:u2\r\nDTSTAMP:20260101T000000Z\r\n"
                             "DTSTART;TZID=Eastern Standard Time:20260320T100000\r\nEND:VEVENT\r\nEND:VCALENDAR")
        for events in (icsmail.loads(text).events, list(icsmail.iter_events(text.encode()))):
            self.assertEqual(events[1].start.utcoffset(), timedelta(hours=-5))  # as the file says

    def test_vtimezone_rules_that_skip_years(self):
        zone = ("BEGIN:VTIMEZONE\nTZID:Skips\nBEGIN:STANDARD\nDTSTART:19700101T000000\nTZOFFSETFROM:+0100\n"
                "TZOFFSETTO:+0100\nEND:STANDARD\nBEGIN:DAYLIGHT\nDTSTART:20200301T020000\nTZOFFSETFROM:+0100\n"
                "TZOFFSETTO:+0200\nRULE\nEND:DAYLIGHT\nEND:VTIMEZONE")
        rules = {"RRULE:FREQ=YEARLY;INTERVAL=4;BYMONTH=3;BYMONTHDAY=1": "20260601T100000",  # changed in 2024
                 "RRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29": "20270601T100000"}  # and on 29 February 2024
        for rule, when in rules.items():
            with self.subTest(rule):
                ev = icsmail.loads(calendar_with(f"DTSTART;TZID=Skips:{when}",
                                                 zones=zone.replace("RULE", rule))).events[0]
                self.assertEqual(ev.start.utcoffset(), timedelta(hours=2))

    def test_vtimezone_parts_read_otherwise_are_warned(self):
        zone = ("BEGIN:VTIMEZONE\nTZID:Odd\nBEGIN:STANDARD\nDTSTART:19701025T030000\nTZOFFSETFROM:{frm}\n"
                "TZOFFSETTO:+0100\nRULE\nEND:STANDARD\nEND:VTIMEZONE")
        cases = {("+0200", "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU"): None,
                 ("garbage", "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU"): "without a valid TZOFFSETFROM: the offset",
                 ("+0200", "RRULE:FREQ=YEARLY;BYWEEKNO=43;BYDAY=SU"): "a few changes (BYWEEKNO): ignored",
                 ("+0200", "RRULE:FREQ=YEARLY;BYDAY=-1SU"): "BYDAY without BYMONTH: read in the month of its DTSTART"}
        for (frm, rule), warning in cases.items():
            with self.subTest(frm=frm, rule=rule):
                cal = icsmail.loads(calendar_with("DTSTART;TZID=Odd:20260601T100000",
                                                  zones=zone.replace("{frm}", frm).replace("RULE", rule)))
                self.assertEqual(cal.warnings[:1], [] if warning is None else [cal.warnings[0]])
                if warning is not None:
                    self.assertIn(warning, cal.warnings[0])

    def test_a_vtimezone_change_given_in_utc_is_that_instant(self):
        zone = ("BEGIN:VTIMEZONE\nTZID:Utc-start\nBEGIN:DAYLIGHT\nDTSTART:20260601T000000Z\nTZOFFSETFROM:+0500\n"
                "TZOFFSETTO:+0600\nEND:DAYLIGHT\nBEGIN:STANDARD\nDTSTART:19700101T000000\nTZOFFSETFROM:+0500\n"
                "TZOFFSETTO:+0500\nEND:STANDARD\nEND:VTIMEZONE")
        cal = icsmail.loads(calendar_with("DTSTART;TZID=Utc-start:20260601T030000", zones=zone))
        self.assertIn("DAYLIGHT gives its change in UTC", cal.warnings[0])
        self.assertEqual(cal.events[0].start.utcoffset(), timedelta(hours=5))  # the change is at 05:00 there

    def test_vtimezone_rules_with_bysetpos_and_an_early_until(self):
        zones = textwrap.dedent("""
            BEGIN:VTIMEZONE
            TZID:Custom
            BEGIN:STANDARD
            DTSTART:19701025T030000
            TZOFFSETFROM:+0200
            TZOFFSETTO:+0100
            RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU;UNTIL=20200101T000000Z
            END:STANDARD
            BEGIN:DAYLIGHT
            DTSTART:19700329T020000
            TZOFFSETFROM:+0100
            TZOFFSETTO:+0200
            RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU;UNTIL=20190331T010000Z
            END:DAYLIGHT
            END:VTIMEZONE
            BEGIN:VTIMEZONE
            TZID:Setpos
            BEGIN:DAYLIGHT
            DTSTART:20000301T020000
            TZOFFSETFROM:-0500
            TZOFFSETTO:-0400
            RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=SU;BYSETPOS=2
            END:DAYLIGHT
            BEGIN:STANDARD
            DTSTART:20001101T020000
            TZOFFSETFROM:-0400
            TZOFFSETTO:-0500
            RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=SU;BYSETPOS=1
            END:STANDARD
            END:VTIMEZONE""").strip()
        cases = [("Custom", "20210601T120000", 1), ("Custom", "20190601T120000", 2),  # DST ended for good in 2019
                 ("Setpos", "20260302T100000", -5), ("Setpos", "20260309T100000", -4)]  # from the 2nd Sunday
        for tzid, when, hours in cases:
            with self.subTest(tzid=tzid, when=when):
                cal = icsmail.loads(calendar_with(f"DTSTART;TZID={tzid}:{when}", zones=zones))
                self.assertEqual(cal.events[0].start.utcoffset(), timedelta(hours=hours))

    def test_a_tzid_of_only_an_offset_is_that_offset(self):
        for tzid in ("UTC+01:00", "(UTC+01:00)", "GMT+0100"):
            with self.subTest(tzid=tzid):
                cal = icsmail.loads(calendar_with(f'DTSTART;TZID="{tzid}":20260701T100000'))
                self.assertEqual(cal.events[0].start.utcoffset(), timedelta(hours=1))  # not Budapest's summer time
                self.assertIn("read as the fixed offset it names", cal.warnings[0])

    def test_a_tzid_with_a_leading_slash(self):
        ev = icsmail.loads(calendar_with("DTSTART;TZID=/Europe/Stockholm:20221021T200000")).events[0]
        self.assertEqual(ev.start.tzinfo.key, "Europe/Stockholm")

    def test_only_ascii_digits_make_a_date(self):
        for value in ("20_61201T100000Z", "2026 1 1T100000Z", "２０２６１２０１T100000Z"):
            with self.subTest(value=value):
                with self.assertRaisesRegex(icsmail.ParseError, "DTSTART"):
                    icsmail.loads(calendar_with(f"DTSTART:{value}"), strict=True)
                read = icsmail.loads(calendar_with(f"DTSTART:{value}"))
                self.assertIsNone(read.events[0].start)  # not a year 206
        with self.assertRaisesRegex(icsmail.ParseError, "DURATION"):
            icsmail.loads(calendar_with("DTSTART:20261201T100000Z", "DURATION:PT" + "9" * 5000 + "S"), strict=True)

    def test_forward_reference_to_a_vtimezone(self):
        zones = textwrap.dedent(self.EXCHANGE_ZONE).strip()
        text = calendar_with("DTSTART;TZID=Customized Time Zone:20260701T100000") \
            .replace("END:VCALENDAR", zones.replace("\n", "\r\n") + "\r\nEND:VCALENDAR")
        self.assertIsInstance(icsmail.loads(text).events[0].start.tzinfo, icsmail._VZone)
        streamed = list(icsmail.iter_events(text.encode()))
        self.assertIsInstance(streamed[0].start.tzinfo, icsmail._VZone)

    def test_a_windows_name_waits_for_its_vtimezone_when_streamed(self):
        zones = textwrap.dedent(self.OLD_US_RULES).strip()
        text = calendar_with("DTSTART;TZID=Eastern Standard Time:20260320T100000") \
            .replace("END:VCALENDAR", zones.replace("\n", "\r\n") + "\r\nEND:VCALENDAR")
        for events in (icsmail.loads(text).events, list(icsmail.iter_events(text.encode()))):
            self.assertEqual(events[0].start.utcoffset(), timedelta(hours=-5))  # the file's rules, as loads reads

    def test_held_events_are_read_again_only_for_their_own_zone(self):
        events = "".join(f"BEGIN:VEVENT\r\nUID:{i}\r\nDTSTAMP:20260101T000000Z\r\n"
                         f"DTSTART;TZID=Nowhere:20260101T100000\r\nEND:VEVENT\r\n" for i in range(50))
        zones = "".join(f"BEGIN:VTIMEZONE\r\nTZID:Z{i}\r\nBEGIN:STANDARD\r\nDTSTART:19700101T000000\r\n"
                        f"TZOFFSETFROM:+0100\r\nTZOFFSETTO:+0100\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n"
                        for i in range(50))
        text = f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:t\r\n{events}{zones}END:VCALENDAR\r\n"
        real, calls = icsmail._Reader.event, []

        def counted(reader, frame):
            calls.append(frame)
            return real(reader, frame)
        with mock.patch.object(icsmail._Reader, "event", counted):
            streamed = list(icsmail.iter_events(text.encode()))
        self.assertEqual(len(streamed), 50)
        self.assertEqual(len(calls), 100)  # each read twice: held once, then read with what is known at the end

    def test_unknown_tzid_is_a_warning_not_a_wrong_time(self):
        cal = icsmail.loads(calendar_with("DTSTART;TZID=Atlantis/Capital:20260701T100000"))
        ev = cal.events[0]
        self.assertIsNone(ev.start.utcoffset())  # no guessed offset
        self.assertEqual(ev.start.tzinfo.tzid, "Atlantis/Capital")
        self.assertTrue(any("Atlantis/Capital" in w and "defined nowhere" in w for w in cal.warnings))
        self.assertIn("DTSTART;TZID=Atlantis/Capital:20260701T100000", icsmail.dumps(cal))

    def test_tzid_is_never_a_path(self):
        for tzid in ("../../../../etc/passwd", "/etc/passwd", "..\\..\\boot.ini", "Europe/../../etc/passwd",
                     "localtime", "posixrules"):
            with self.subTest(tzid=tzid):
                cal = icsmail.loads(calendar_with(f'DTSTART;TZID="{tzid}":20260701T100000'))
                self.assertIsNone(cal.events[0].start.utcoffset())

    def test_warnings_and_strict(self):
        text = calendar_with("dtstart:20261201T100000Z", "DTEND:20261201T110000Z", "DURATION:PT2H",
                             "DESCRIPTION:bad \\q escape").replace("VERSION:2.0\r\n", "")
        cal = icsmail.loads(text)
        joined = "\n".join(cal.warnings)
        for expected in ("without VERSION", "lower-case property name 'dtstart'", "both DTEND and DURATION",
                         "invalid backslash escape"):
            self.assertIn(expected, joined)
        self.assertEqual(cal.events[0].end, datetime(2026, 12, 1, 11, tzinfo=UTC))
        with self.assertRaisesRegex(icsmail.ParseError, r"strict=True\) \(line \d+\)"):
            icsmail.loads(text, strict=True)

    def test_a_cr_inside_a_line_is_a_break_in_its_value(self):  # not a line end: no property made of its tail
        text = calendar_with("DTSTART:20260701T100000Z", "DESCRIPTION:Agenda\rDTSTART:20270101T000000Z")
        for variant in (text, text.replace("\r\n", "\r\r\n")):  # CRCRLF: line ends converted twice
            cal = icsmail.loads(variant)
            ev = cal.events[0]
            self.assertEqual((ev.description, ev.start), ("Agenda\nDTSTART:20270101T000000Z",
                                                          datetime(2026, 7, 1, 10, tzinfo=UTC)))
            self.assertEqual(len(cal.warnings), 1)
            self.assertIn("a CR inside the line 'DESCRIPTION:Agenda\\rDTSTART:2027", cal.warnings[0])
        runs = icsmail.loads(calendar_with("DTSTART:20260701T100000Z", "SUMMARY:x" + "\r" * 100_000))  # one pass
        self.assertEqual(runs.events[0].summary, "x")
        mac_text = calendar_with("DTSTART:20260701T100000Z", "SUMMARY:Review").replace("\r\n", "\r")
        mac = icsmail.loads(mac_text)
        lf = calendar_with("DTSTART:20260701T100000Z", "SUMMARY:First").replace("\r\n", "\n")
        for joined in (mac_text + "\n", lf + mac_text):  # a CR file with an LF, or joined to an LF one
            self.assertEqual([e.summary for e in icsmail.loads(joined).events][-1], "Review")
        self.assertEqual((mac.events[0].summary, mac.warnings), ("Review", []))

    def test_load_takes_content_as_iter_events_does(self):  # bytes, or text of several lines: not a path
        for content in (SIMPLE, SIMPLE.encode()):
            with self.subTest(type(content).__name__):
                self.assertEqual([e.summary for e in icsmail.load(content).events],
                                 [e.summary for e in icsmail.iter_events(content)])

    def test_empty_input_is_warned_streamed_or_not(self):  # an error with strict=True
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "empty.ics")
            for content in (b"", b"\r\n\r\n"):
                with open(path, "wb") as f:
                    f.write(content)
                warnings: list = []
                with self.subTest(content=content):
                    self.assertEqual((list(icsmail.iter_events(path, warnings=warnings)), warnings),
                                     ([], ["the input holds no calendar data (line 1)"]))
                    self.assertEqual(icsmail.load(path).warnings, warnings)
                    with self.assertRaisesRegex(icsmail.ParseError, "holds no calendar data .strict=True."):
                        list(icsmail.iter_events(path, strict=True))
                    with self.assertRaisesRegex(icsmail.ParseError, "holds no calendar data .strict=True."):
                        icsmail.load(path, strict=True)

    def test_an_end_beyond_the_year_9999_is_warned(self):  # end_time cannot say it: None
        cal = icsmail.loads(calendar_with("DTSTART;TZID=Pacific/Kiritimati:99991231T230000", "DURATION:PT2H"))
        self.assertIsNone(cal.events[0].end_time)
        self.assertIn("DURATION PT2H ends the event beyond the years 1-9999 (line 8)", cal.warnings)

    def test_an_end_before_the_start_is_warned_by_instants(self):  # 02:30 in the gap is 03:30 (RFC 5545 3.3.5)
        cal = icsmail.loads(calendar_with("DTSTART;TZID=America/New_York:20260308T023000",
                                          "DTEND;TZID=America/New_York:20260308T030000"))
        self.assertIn("DTEND 2026-03-08 03:00:00-04:00 is before DTSTART 2026-03-08 02:30:00-05:00", cal.warnings[0])

    def test_date_until_with_datetime_start(self):
        cal = icsmail.loads(calendar_with("DTSTART:20261201T100000Z", "RRULE:FREQ=DAILY;UNTIL=20261210"))
        self.assertEqual(cal.events[0].rrule, "FREQ=DAILY;UNTIL=20261210")  # kept exactly
        self.assertTrue(any("UNTIL" in w for w in cal.warnings))

    def test_a_missing_end_vcalendar_is_a_warning(self):  # every event complete: Google and Outlook import it
        text = SIMPLE[:SIMPLE.index("END:VCALENDAR")]
        for cal in (icsmail.loads(text), icsmail.Calendar(list(icsmail.iter_events(text.encode())))):
            self.assertEqual([e.summary for e in cal.events], ["Review, with a comma"])
        self.assertIn("the input ends without the END:VCALENDAR of line 1's BEGIN", icsmail.loads(text).warnings[0])
        with self.assertRaisesRegex(icsmail.ParseError, "without the END:VCALENDAR"):
            icsmail.loads(text, strict=True)
        with self.assertRaisesRegex(icsmail.ParseError, "ends inside BEGIN:VCALENDAR of line 1: the file is trunc"):
            icsmail.loads("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")  # cut before any component: truncated

    def test_a_date_said_to_be_a_date_time_is_warned_of(self):
        cal = icsmail.loads(calendar_with("DTSTART;VALUE=DATE-TIME:20261201"))
        self.assertEqual(cal.events[0].start, date(2026, 12, 1))
        self.assertIn("DTSTART;VALUE=DATE-TIME has only a date '20261201': read as the date", cal.warnings[0])

    def test_a_line_break_left_unescaped_in_a_text_is_read_as_part_of_it(self):  # a pasted meeting link
        text = calendar_with("DTSTART:20260301T090000Z", "DESCRIPTION:Agenda", "https://zoom.us/j/123",
                             "Meeting ID: 123 456", "no colon here", "location:Room 1", "SUMMARY:Hi")
        cal = icsmail.loads(text)
        ev = cal.events[0]
        self.assertEqual((ev.description, ev.location, ev.summary, ev.extra),
                         ("Agenda\nhttps://zoom.us/j/123\nMeeting ID: 123 456\nno colon here", "Room 1", "Hi", ()))
        self.assertIn("'https://zoom.us/j/123' read as a line of the DESCRIPTION above it, whose line break its "
                      "writer did not escape (line 9)", cal.warnings)
        with self.assertRaisesRegex(icsmail.ParseError, r"'https://zoom.us/j/123' read as a line .*\(line 9\)"):
            icsmail.loads(text, strict=True)
        many = calendar_with("DESCRIPTION:Agenda", *(f"item {i}: https://example.com/{i}" for i in range(50000)))
        started = time.perf_counter()
        self.assertEqual(len(icsmail.loads(many).events[0].description.split("\n")), 50001)
        self.assertLess(time.perf_counter() - started, 5)  # joined once, not line by line
        with self.assertRaisesRegex(icsmail.ParseError, r"without a colon: 'no colon here' \(line 8\)"):
            icsmail.loads(calendar_with("DTSTART:20260301T090000Z", "no colon here"))  # after no text: an error

    def test_an_exrule_takes_its_times_out_of_the_series(self):  # RFC 2445 4.8.5.2, as libical and dateutil do
        def days(*lines: str) -> list:
            return [t.day for t in icsmail.occurrences(icsmail.loads(calendar_with(*lines)).events[0])]

        berlin = "DTSTART;TZID=Europe/Berlin:20260302T090000"  # a Monday
        self.assertEqual(days(berlin, "RRULE:FREQ=DAILY;COUNT=10", "EXRULE:FREQ=WEEKLY;BYDAY=SA,SU"),
                         [2, 3, 4, 5, 6, 9, 10, 11])
        self.assertEqual(days(berlin, "RRULE:FREQ=DAILY;COUNT=6", "EXRULE:FREQ=DAILY;COUNT=2"), [4, 5, 6, 7])
        self.assertEqual(days(berlin, "RRULE:FREQ=DAILY;COUNT=9",
                              "EXRULE:FREQ=DAILY;INTERVAL=3;UNTIL=20260308T080000Z"),
                         [3, 4, 6, 7, 9, 10])  # the 8th is past its UNTIL
        self.assertEqual(days("DTSTART;VALUE=DATE:20260302", "RRULE:FREQ=DAILY;COUNT=9", "EXRULE:FREQ=WEEKLY;BYDAY=MO"),
                         [3, 4, 5, 6, 7, 8, 10])
        self.assertEqual(days("DTSTART;TZID=Europe/Berlin:20260327T023000", "RRULE:FREQ=DAILY;COUNT=4",
                              "EXRULE:FREQ=DAILY;BYMONTHDAY=29"), [27, 28, 30])  # 02:30 skipped, at 03:30
        cal = icsmail.loads(calendar_with(berlin, "RRULE:FREQ=DAILY", "EXRULE:FREQ=MONTHLY;BYMONTHDAY=1"))
        zone = cal.events[0].start.tzinfo
        got = icsmail.occurrences(cal.events[0], datetime(2031, 3, 30, tzinfo=zone), datetime(2031, 4, 3, tzinfo=zone))
        self.assertEqual([t.day for t in got], [30, 31, 2])  # endless: walked from near the times asked for
        self.assertIn("EXRULE 'FREQ=WEEKLY;BYDAY=SA,SU' (RFC 2445; RFC 5545 removed it) is applied: clients that "
                      "follow RFC 5545 show the times it excludes (line 9)", icsmail.loads(calendar_with(
                          berlin, "RRULE:FREQ=DAILY", "EXRULE:FREQ=WEEKLY;BYDAY=SA,SU")).warnings)
        self.assertIn("EXRULE:FREQ=MONTHLY;BYMONTHDAY=1\r\n", icsmail.dumps(cal))  # written back as read
        series = cal.events[0]  # a move would leave the EXRULE on the old days: refused, not done half
        with self.assertRaisesRegex(ValueError, r"^event '.+' has an EXRULE \('FREQ=MONTHLY;BYMONTHDAY=1', RFC 2445\), "
                                                r"which update cannot move with its start: give extra= without it"):
            icsmail.update(series, start=series.start + timedelta(days=1))
        self.assertEqual(icsmail.update(series, location="B").extra, series.extra)
        moved = icsmail.update(series, start=series.start + timedelta(days=1), extra=())
        self.assertEqual(moved.extra, ())

    def test_an_exrule_that_takes_out_everything_or_does_not_parse(self):
        bogus = icsmail.loads(calendar_with("DTSTART:20260302T090000Z", "RRULE:FREQ=DAILY;COUNT=3",
                                            "EXRULE:FREQ=BOGUS"))
        self.assertEqual(len(list(icsmail.occurrences(bogus.events[0]))), 3)
        self.assertIn("EXRULE 'FREQ=BOGUS' (RFC 2445; RFC 5545 removed it) is kept, not applied", bogus.warnings[0])
        counted = icsmail.loads(calendar_with("DTSTART:20260302T090000Z", "RRULE:FREQ=DAILY",
                                              "EXRULE:FREQ=SECONDLY;COUNT=999999999"))
        everything = icsmail.loads(calendar_with("DTSTART:20260302T090000Z", "RRULE:FREQ=DAILY", "EXRULE:FREQ=DAILY"))
        with mock.patch.object(icsmail._ExRule, "_MOST", 100_000), mock.patch.object(icsmail._ExRule, "IN_A_ROW", 500):
            with self.assertRaisesRegex(ValueError, "EXRULE 'FREQ=SECONDLY;COUNT=999999999' cannot be expanded "):
                list(itertools.islice(icsmail.occurrences(counted.events[0]), 30))  # limited in all, not per time
            with self.assertRaisesRegex(ValueError, r"its EXRULE takes out every occurrence from 20260302T090000 on, "
                                                    r"500 in a row"):
                next(icsmail.occurrences(everything.events[0]))

    def test_what_the_occurrences_do_not_follow_is_warned_of(self):  # never a silently wrong set of times
        series = ["DTSTART:20260302T090000Z", "RRULE:FREQ=DAILY;COUNT=10", "END:VEVENT", "BEGIN:VEVENT", "UID:u1",
                  "DTSTAMP:20260101T000000Z", "RECURRENCE-ID;RANGE=THISANDFUTURE:20260305T090000Z",
                  "DTSTART:20260305T140000Z"]
        future = icsmail.loads(calendar_with(*series))
        self.assertIn("RECURRENCE-ID;RANGE=THISANDFUTURE: the change is read for the occurrence 2026-03-05 "
                      "09:00:00+00:00 alone; the later ones keep the series' times and properties (RFC 5545 3.8.4.4 "
                      "gives it to them too) (line 13)", future.warnings)
        cancelled = icsmail.loads(calendar_with(*series, head="METHOD:CANCEL"))
        self.assertFalse([w for w in cancelled.warnings if "THISANDFUTURE" in w])  # apply_cancel applies it

    def test_an_rdate_without_a_time_in_a_series_of_times_is_read_at_the_series_time(self):
        cal = icsmail.loads(calendar_with("DTSTART;TZID=Europe/Berlin:20260302T090000", "RRULE:FREQ=WEEKLY;COUNT=2",
                                          "RDATE;VALUE=DATE:20260305,20260329"))
        berlin = ZoneInfo("Europe/Berlin")
        self.assertEqual(list(icsmail.occurrences(cal.events[0])),
                         [datetime(2026, 3, d, 9, tzinfo=berlin) for d in (2, 5, 9, 29)])  # all times, in order
        self.assertIn("RDATE 20260305 is a date, where the series has times: read as that day at the series' time, "
                      "09:00:00 (line 9)", cal.warnings)

    def test_exdates_and_rdates_of_another_kind_are_read_as_the_series_kind(self):  # else they exclude nothing
        def read(*lines: str) -> tuple:
            cal = icsmail.loads(calendar_with(*lines))
            return list(icsmail.occurrences(cal.events[0])), cal.warnings

        got, warned = read("DTSTART:20240401T090000", "RRULE:FREQ=DAILY;COUNT=4",
                           "EXDATE:20240402T090000Z", "EXDATE;TZID=Europe/Berlin:20240403T090000")
        self.assertEqual(got, [datetime(2024, 4, 1, 9), datetime(2024, 4, 4, 9)])
        self.assertEqual(warned, ["EXDATE 2024-04-02 09:00:00+00:00 is a time with an offset, in a floating series: "
                                  "read as the wall time it says (line 9)"])
        berlin = ZoneInfo("Europe/Berlin")
        got, warned = read("DTSTART;TZID=Europe/Berlin:20240401T090000", "RRULE:FREQ=DAILY;COUNT=2",
                           "RDATE:20240402T120000")
        self.assertEqual(got, [datetime(2024, 4, 1, 9, tzinfo=berlin), datetime(2024, 4, 2, 9, tzinfo=berlin),
                               datetime(2024, 4, 2, 12, tzinfo=berlin)])
        self.assertIn("RDATE 2024-04-02 12:00:00 is a floating time, in a series with a time zone: read in the "
                      "series' zone (line 9)", warned)
        got, _ = read("DTSTART:20240401T090000", "RRULE:FREQ=DAILY;COUNT=1", "RDATE:20240402T120000Z")
        self.assertEqual(got, [datetime(2024, 4, 1, 9), datetime(2024, 4, 2, 12)])  # all floating
        got, _ = read("DTSTART;VALUE=DATE:20240401", "RRULE:FREQ=DAILY;COUNT=1", "RDATE:20240410T120000Z")
        self.assertEqual(got, [date(2024, 4, 1), date(2024, 4, 10)])  # all days

    def test_a_time_before_its_vtimezone_is_warned_of(self):  # RFC 5545 does not say its offset
        zone = ("BEGIN:VTIMEZONE\nTZID:US-Eastern\nBEGIN:STANDARD\nDTSTART:19981025T020000\nTZOFFSETFROM:-0400\n"
                "TZOFFSETTO:-0500\nEND:STANDARD\nBEGIN:DAYLIGHT\nDTSTART:19990404T020000\nTZOFFSETFROM:-0500\n"
                "TZOFFSETTO:-0400\nEND:DAYLIGHT\nEND:VTIMEZONE")
        cal = icsmail.loads(calendar_with("DTSTART;TZID=US-Eastern:19980312T083000", zones=zone))
        self.assertEqual(cal.events[0].start.utcoffset(), timedelta(hours=-4))
        self.assertEqual(cal.warnings, ["DTSTART '19980312T083000' is before the first observance of VTIMEZONE "
                                        "'US-Eastern' (19981025T020000): read with the offset that changes from, "
                                        "-0400, as libical does (line 20)"])
        later = icsmail.loads(calendar_with("DTSTART;TZID=US-Eastern:19990312T083000", zones=zone))
        self.assertEqual(later.warnings, [])

    def test_a_utc_until_of_a_floating_series_is_warned_of(self):
        cal = icsmail.loads(calendar_with("DTSTART:20260302T090000", "RRULE:FREQ=DAILY;UNTIL=20260305T090000Z"))
        self.assertEqual(len(list(icsmail.occurrences(cal.events[0]))), 4)
        self.assertEqual(cal.warnings, ["RRULE UNTIL=20260305T090000Z is in UTC, where a floating DTSTART wants a "
                                        "local time (RFC 5545 3.3.10): read as the wall time it says (line 8)"])

    def test_an_event_without_a_start_is_warned_of(self):
        override = calendar_with("DTSTART:20260302T090000Z", "RRULE:FREQ=DAILY;COUNT=3", "END:VEVENT",
                                 "BEGIN:VEVENT", "UID:u1", "DTSTAMP:20260101T000000Z",
                                 "RECURRENCE-ID:20260303T090000Z", "SUMMARY:Moved room")
        cal = icsmail.loads(override)
        self.assertEqual(cal.events[1].start, datetime(2026, 3, 3, 9, tzinfo=timezone.utc))
        self.assertIn("VEVENT without DTSTART, which a calendar without METHOD (RFC 5545 3.6.1) needs: read as "
                      "starting at its RECURRENCE-ID (line 10)", cal.warnings)
        bare = icsmail.loads(calendar_with("SUMMARY:When?"))
        self.assertEqual(bare.events[0].start, None)
        self.assertIn("VEVENT without DTSTART, which a calendar without METHOD (RFC 5545 3.6.1) needs: it has no "
                      "time (line 4)", bare.warnings)
        reply = calendar_with("ORGANIZER:mailto:a@example.com", "ATTENDEE;PARTSTAT=ACCEPTED:mailto:b@example.com",
                              head="METHOD:REPLY")
        self.assertEqual(icsmail.loads(reply).warnings, [])  # RFC 5546 3.2.3: a REPLY needs no DTSTART

    def test_a_long_line_folded_without_its_space_is_read_whole(self):  # as Confluence writes them
        cal = icsmail.loads(calendar_with("DTSTART:20260301T090000Z",
                                          "ORGANIZER;CN=Daniel Latham;X-KEY=8a4a8a8e5418da4e015496587b6d0067:mailto:dl",
                                          "atham@example.com", "SUMMARY:x"))
        self.assertEqual(cal.events[0].organizer.email, "dlatham@example.com")
        self.assertEqual(cal.warnings, ["'atham@example.com' read as the rest of the ORGANIZER line above it, folded "
                                        "without the space that marks a fold (RFC 5545 3.1) (line 9)"])
        with self.assertRaisesRegex(icsmail.ParseError, r"without a colon: 'atham@example.com' \(line 9\)"):
            icsmail.loads(calendar_with("DTSTART:20260301T090000Z", "ORGANIZER:mailto:dl", "atham@example.com"))

    def test_fatal_errors_name_the_line(self):
        cases = [
            ("truncated", SIMPLE[:SIMPLE.index("END:VEVENT")],
             r"the input ends inside BEGIN:VEVENT of line 4: the file is truncated \(line 11\)", 11),
            ("mismatched", SIMPLE.replace("END:VEVENT", "END:VTODO"),
             r"END:VTODO does not close BEGIN:VEVENT of line 4 \(line 12\)", 12),
            ("no colon", SIMPLE.replace("SUMMARY:", "SUMMARY "),
             r"a property line without a colon: 'SUMMARY Review.*' \(line 9\)", 9),
            ("end without begin", "END:VEVENT\r\n", r"END:VEVENT without a BEGIN \(line 1\)", 1),
            ("bad quote", SIMPLE.replace('CN="Smith, Alice"', 'CN="Smith'), r"never closed \(line 10\)", 10),
            ("too deep", "BEGIN:VCALENDAR\r\n" + "BEGIN:X-A\r\n" * 5000, r"nested more than 64 deep \(line 65\)", 65),
        ]
        for name, text, message, lineno in cases:
            with self.subTest(name):
                with self.assertRaisesRegex(icsmail.ParseError, message) as caught:
                    icsmail.loads(text)
                self.assertEqual(caught.exception.lineno, lineno)
                self.assertIsInstance(caught.exception, ValueError)

    def test_several_calendars_defining_one_tzid_differently(self):
        def part(offset: str, uid: str) -> str:
            zone = (f"BEGIN:VTIMEZONE\nTZID:Custom\nBEGIN:STANDARD\nDTSTART:19700101T000000\n"
                    f"TZOFFSETFROM:{offset}\nTZOFFSETTO:{offset}\nEND:STANDARD\nEND:VTIMEZONE")
            text = calendar_with("DTSTART;TZID=Custom:20260701T100000", "X-ORIGINAL;TZID=Custom:20260701T090000",
                                 zones=zone, head=f"X-PART:{uid}\nX-SAME:1\nCOLOR:{uid}")
            todo = f"BEGIN:VTODO\r\nUID:t{uid}\r\nDUE;TZID=Custom:20260702T100000\r\nEND:VTODO\r\n"
            return text.replace("UID:u1", f"UID:{uid}").replace("END:VCALENDAR", todo + "END:VCALENDAR")
        cal = icsmail.loads(part("+0500", "a") + part("-0300", "b") + part("-0300", "c"))
        offsets = [e.start.utcoffset() for e in cal.events]
        self.assertEqual(offsets, [timedelta(hours=5), timedelta(hours=-3), timedelta(hours=-3)])
        text = icsmail.dumps(cal)
        self.assertEqual(re.findall(r"TZID[:=]([^:\r]+)", text),  # each part's times name its own zone
                         ["Custom", "Custom (2)"] + ["Custom"] * 2 + ["Custom (2)"] * 4 + ["Custom", "Custom (2)",
                                                                                            "Custom (2)"])
        self.assertEqual([e.start.utcoffset() for e in icsmail.loads(text).events], offsets)
        self.assertEqual([(p.name, p.value) for p in cal.extra],  # every part's, each once; COLOR once
                         [("X-PART", "a"), ("X-SAME", "1"), ("COLOR", "a"), ("X-PART", "b"), ("X-PART", "c")])
        self.assertIn("VCALENDARs define TZID 'Custom' differently: a later one's is read as 'Custom (2)'",
                      cal.warnings[0])
        self.assertIn("different COLOR ('a', 'b'): the first one's applies", cal.warnings[2])

    def test_a_renamed_tzid_reaches_the_properties_of_alarms(self):
        def part(offset: str, uid: str) -> str:
            zone = (f"BEGIN:VTIMEZONE\nTZID:Custom\nBEGIN:STANDARD\nDTSTART:19700101T000000\n"
                    f"TZOFFSETFROM:{offset}\nTZOFFSETTO:{offset}\nEND:STANDARD\nEND:VTIMEZONE")
            return calendar_with("DTSTART;TZID=Custom:20260701T100000", "BEGIN:VALARM", "ACTION:DISPLAY",
                                 "DESCRIPTION:x", "TRIGGER:-PT5M", "X-AT;TZID=Custom:20260701T090000", "END:VALARM",
                                 zones=zone).replace("UID:u1", f"UID:{uid}")
        cal = icsmail.loads(part("+0500", "a") + part("-0300", "b"))
        self.assertEqual([e.alarms[0].extra[0].params for e in cal.events],
                         [(("TZID", "Custom"),), (("TZID", "Custom (2)"),)])

    def test_several_calendars_and_other_components(self):
        todo = golden("""
            BEGIN:VCALENDAR
            VERSION:2.0
            PRODID:test
            BEGIN:VTODO
            UID:t1
            SUMMARY:File taxes\\; soon
            BEGIN:VALARM
            ACTION:DISPLAY
            TRIGGER:-PT1H
            DESCRIPTION:x
            END:VALARM
            END:VTODO
            BEGIN:X-CUSTOM
            X-A:1
            END:X-CUSTOM
            END:VCALENDAR
            """)
        cal = icsmail.loads(SIMPLE + todo)
        self.assertEqual(len(cal.events), 1)
        self.assertEqual([c.name for c in cal.components], ["VTODO", "X-CUSTOM"])
        self.assertEqual(cal.components[0].get("SUMMARY"), "File taxes; soon")
        self.assertEqual(cal.components[0].components[0].name, "VALARM")
        again = icsmail.loads(icsmail.dumps(cal))
        self.assertEqual(again.components, cal.components)

    def test_windows_1252_fallback(self):
        data = SIMPLE.replace("Review", "B\u00fcro").encode("cp1252")
        cal = icsmail.loads(data)
        self.assertEqual(cal.events[0].summary, "B\u00fcro, with a comma")
        self.assertTrue(any("Windows-1252" in w for w in cal.warnings))

    def test_parameters_of_named_properties_are_kept(self):
        lines = ("SUMMARY;LANGUAGE=de-DE:Besprechung", 'DESCRIPTION;ALTREP="cid:part1@example.com":See',
                 "DTSTART;TZID=Europe/London;X-FROM=app:20261201T100000",
                 "RECURRENCE-ID;RANGE=THISANDFUTURE:20261201T100000Z", "CATEGORIES;LANGUAGE=en:a,b")
        out = unfolded(icsmail.dumps(icsmail.loads(calendar_with(*lines))))
        for line in lines:
            self.assertIn(line, out)

    def test_a_parameter_with_several_values_stays_a_list(self):
        lines = ('X-APP;X-P=a,"b:c";X-Q=d,e;CN=Doe, Jane:v', 'ATTENDEE;X-Q=d,e;CN="Doe, Jane":mailto:b@example.com')
        cal = icsmail.loads(calendar_with("DTSTART:20261201T100000Z", *lines))
        event = cal.events[0]
        self.assertEqual(event.extra[0].params, (("X-P", ("a", "b:c")), ("X-Q", ("d", "e")), ("CN", "Doe, Jane")))
        self.assertEqual((event.attendees[0].name, event.attendees[0].params), ("Doe, Jane", (("X-Q", ("d", "e")),)))
        out = unfolded(icsmail.dumps(cal))
        self.assertIn('X-APP;X-P=a,"b:c";X-Q=d,e;CN="Doe, Jane":v', out)
        self.assertIn(';X-Q=d,e;CN="Doe, Jane":mailto:b@example.com', out)

    def test_an_all_day_series_until_in_utc_ends_on_its_day_in_the_calendars_zone(self):  # Android's
        text = calendar_with("DTSTART;VALUE=DATE:20260101", "RRULE:FREQ=DAILY;UNTIL=20260102T230000Z",
                             head="X-WR-TIMEZONE:Europe/Berlin")  # 00:00 on 3 January there
        cal = icsmail.loads(text)
        self.assertEqual(list(icsmail.occurrences(cal.events[0])),
                         [date(2026, 1, 1), date(2026, 1, 2), date(2026, 1, 3)])
        self.assertIn("read as UNTIL=20260103, its day in Europe/Berlin (X-WR-TIMEZONE)", cal.warnings[0])
        self.assertEqual(next(icsmail.iter_events(text.encode())).rrule, "FREQ=DAILY;UNTIL=20260103")
        west = icsmail.loads(text.replace("Europe/Berlin", "America/New_York"))  # its day there is the same
        self.assertEqual(west.events[0].rrule, "FREQ=DAILY;UNTIL=20260102T230000Z")
        beirut = icsmail.loads(calendar_with("DTSTART;VALUE=DATE:20250325", "RRULE:FREQ=DAILY;UNTIL=20250329T220000Z",
                                             head="X-WR-TIMEZONE:Asia/Beirut"))  # its 30 March begins at 01:00
        self.assertEqual(list(icsmail.occurrences(beirut.events[0]))[-1], date(2025, 3, 30))
        utc_midnight = icsmail.loads(text.replace("20260102T230000Z", "20260103T000000Z")
                                     .replace("Europe/Berlin", "America/Los_Angeles"))  # no midnight there:
        self.assertEqual(list(icsmail.occurrences(utc_midnight.events[0]))[-1], date(2026, 1, 3))  # its UTC day

    def test_durations_that_make_no_sense_are_warned_of(self):
        for lines, expected in ((("DTSTART:20260101T100000Z", "DURATION:-PT1H"), "DURATION -PT1H is negative"),
                                (("DTSTART;VALUE=DATE:20260101", "DURATION:PT1H"), "is not whole days")):
            with self.subTest(expected=expected):
                self.assertIn(expected, icsmail.loads(calendar_with(*lines)).warnings[0])

    def test_warnings_about_a_property_name_its_line(self):
        cases = ((("DTSTART:20260101T100000Z", "SUMMARY:s", "DTEND:20260101T090000Z"),
                  "is before DTSTART 2026-01-01 10:00:00+00:00 (line 9)"),
                 (("DTSTART:20260101T100000Z", "SUMMARY:s", "RRULE:FREQ=DAILY;UNTIL=20260110"),
                  "does not have DTSTART's value type (line 9)"),
                 (("DTSTART:20260101T100000Z", "DURATION:-PT1H"), "DURATION -PT1H is negative (line 8)"))
        for lines, expected in cases:
            with self.subTest(expected=expected):
                self.assertIn(expected, icsmail.loads(calendar_with(*lines)).warnings[0])
                with self.assertRaises(icsmail.ParseError) as caught:
                    icsmail.loads(calendar_with(*lines), strict=True)
                self.assertEqual(caught.exception.lineno, int(expected[-2]))

    def test_text_with_undecodable_bytes_keeps_what_was_decoded(self):
        text = calendar_with("DTSTART:20260101T100000Z", "SUMMARY:R\u00e9union caf\udce9")  # surrogateescape
        cal = icsmail.loads(text)
        self.assertEqual(cal.events[0].summary, "R\u00e9union caf\u00e9")
        self.assertIn("read as Windows-1252 (line 8)", cal.warnings[0])

    def test_fold_inside_a_utf8_character(self):
        data = calendar_with("DTSTART:20260101T100000Z", "SUMMARY:caf").encode()
        data = data.replace(b"SUMMARY:caf", b"SUMMARY:caf\xc3\r\n \xa9 ok \xf0\x9f\r\n \x8e\x89")
        for read in (icsmail.loads, lambda d: icsmail.Calendar(list(icsmail.iter_events(d)))):
            self.assertEqual(read(data).events[0].summary, "caf\u00e9 ok \U0001f389")
        self.assertIn("folded inside a UTF-8 character: joined (line 8)", icsmail.loads(data).warnings[0])

    def test_nothing_is_lost_in_a_round_trip(self):
        text = calendar_with("DTSTART;TZID=Europe/London:20261201T100000", "X-ALT-DESC;FMTTYPE=text/html:<b>hi</b>",
                             "ATTACH:https://example.com/agenda.pdf", "GEO:51.5;-0.12",
                             "ATTENDEE;CN=X;X-CUSTOM=yes;DELEGATED-TO=\"mailto:d@example.com\":mailto:x@example.com",
                             "REQUEST-STATUS:2.0;Success", "RESOURCES:Projector,Whiteboard")
        first = icsmail.loads(text)
        second = icsmail.loads(icsmail.dumps(first))
        self.assertEqual(second, first)
        self.assertEqual(second.events[0].attendees[0].params, (("X-CUSTOM", "yes"),))
        names = [p.name for p in second.events[0].extra]
        self.assertEqual(names, ["X-ALT-DESC", "ATTACH", "GEO", "REQUEST-STATUS", "RESOURCES"])

    def test_round_trip_random_events(self):
        rng = random.Random(6868)
        words = ["a", "b,c", "d;e", "f\\g", "h\ni", "é", "😀", "中文", "x:y", '"q"', "^c"]
        zones = [LONDON, NEW_YORK, UTC, ZoneInfo("Asia/Kathmandu"), ZoneInfo("Australia/Lord_Howe")]
        events = []
        for i in range(60):
            text = lambda: " ".join(rng.choice(words) for _ in range(rng.randrange(1, 6)))  # noqa: E731
            zone = rng.choice(zones)
            start = datetime(2026, 1, 1, tzinfo=zone) + timedelta(hours=rng.randrange(24 * 365))
            allday = rng.random() < 0.2
            events.append(icsmail.Event(
                text(), start.date() if allday else start,
                duration=timedelta(days=rng.randrange(1, 4)) if allday else timedelta(minutes=rng.randrange(15, 600)),
                uid=f"r{i}@example.com", dtstamp=STAMP, description=text(), location=text(),
                organizer=icsmail.Organizer(f"o{i}@example.com", name=text().replace("\n", " ")),
                attendees=[icsmail.Attendee(f"a{i}.{k}@example.com", name=text().replace("\n", " "),
                                            partstat=rng.choice(["ACCEPTED", "NEEDS-ACTION", "DECLINED"]),
                                            rsvp=rng.random() < 0.5) for k in range(rng.randrange(0, 4))],
                categories=[text() for _ in range(rng.randrange(0, 3))], priority=rng.randrange(0, 10),
                alarms=[icsmail.Alarm(trigger=timedelta(minutes=-rng.randrange(1, 120)))],
                rrule="FREQ=WEEKLY;COUNT=5" if rng.random() < 0.3 else None,
                extra=[("X-TEST", text())]))
        cal = icsmail.Calendar(events, name="random")
        self.assertEqual(icsmail.loads(icsmail.dumps(cal)), cal)

    def test_iter_events_streams(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "many.ics")
            cal = icsmail.Calendar([event(uid=f"e{i}", summary=f"event {i}") for i in range(300)])
            icsmail.dump(cal, path)
            stream = icsmail.iter_events(path)
            self.assertEqual(next(stream).summary, "event 0")  # a generator: nothing read ahead
            self.assertEqual(sum(1 for _ in stream), 299)
            with mock.patch.object(icsmail, "_CHUNK", 1000):  # many small reads, lines across them
                self.assertEqual([e.uid for e in icsmail.iter_events(path)], [f"e{i}" for i in range(300)])

    def test_streaming_holds_a_few_megabytes_of_a_larger_file(self):
        one = icsmail.dumps(event(summary="launch \U0001f389 " + "x" * 60, description="y" * 3000))
        body = one[one.index("BEGIN:VEVENT"):one.index("END:VCALENDAR")]  # (its text takes 4 bytes a character)
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "big.ics")
            with open(path, "w", encoding="utf-8", newline="") as f:
                f.write(one[:one.index("BEGIN:VEVENT")] + body * 400 + "END:VCALENDAR\r\n")
            size = os.path.getsize(path)
            tracemalloc.start()
            try:
                count = sum(1 for _ in icsmail.iter_events(path))
                peak = tracemalloc.get_traced_memory()[1]
            finally:
                tracemalloc.stop()
        self.assertEqual(count, 400)
        self.assertLess(peak, 4_000_000, f"a {size} byte file")

    def test_a_fold_inside_a_utf8_character_on_a_read_boundary(self):
        data = calendar_with("DTSTART:20260101T100000Z", "SUMMARY:caf").encode()
        data = data.replace(b"SUMMARY:caf", b"SUMMARY:caf\xc3\r\n \xa9 \xe2\x9c\r\n \x93 done")
        for size in range(1, len(data) + 1):
            with self.subTest(chunk=size), mock.patch.object(icsmail, "_MAIL_HEAD", 1), \
                    mock.patch.object(icsmail, "_CHUNK", size):
                warnings: list = []
                events = list(icsmail.iter_events(io.BytesIO(data), warnings=warnings))
                self.assertEqual(events[0].summary, "caf\u00e9 \u2713 done")
                self.assertTrue(warnings and all("inside a UTF-8 character" in w for w in warnings), warnings)

    def test_text_files_and_text_stream_too(self):
        text = icsmail.dumps(icsmail.Calendar([event(uid=f"e{i}") for i in range(20)]))

        class LinesOnly(io.StringIO):
            def read(self, size=-1):
                raise AssertionError("read the whole file")  # iter_events must go line by line
        self.assertEqual([e.uid for e in icsmail.iter_events(LinesOnly(text))], [f"e{i}" for i in range(20)])
        self.assertEqual(len(list(icsmail.iter_events(text.replace("\r\n", "\r")))), 20)  # text, not a path

    def test_long_lines_take_linear_time(self):
        many = "X-A:" + "\r\n ".join(["y" * 70] * 20000)
        body = calendar_with(many).encode()
        began = time.perf_counter()
        cal = icsmail.loads(body)
        self.assertLess(time.perf_counter() - began, 2.0)
        self.assertEqual(len(cal.events[0].extra[0].value), 70 * 20000)

    def test_calendar_properties_between_events_stream_in_linear_time(self):
        events = "".join(f"BEGIN:VEVENT\r\nUID:{i}\r\nDTSTART:20260101T100000\r\nEND:VEVENT\r\nX-Q{i}:1\r\n"
                         for i in range(12000))  # floating times: each looks for an X-WR-TIMEZONE
        data = f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n{events}END:VCALENDAR\r\n".encode()
        began = time.perf_counter()
        self.assertEqual(sum(1 for _ in icsmail.iter_events(data)), 12000)
        self.assertLess(time.perf_counter() - began, 2.0)  # was 72 million property looks: about 6 s

    def test_load_paths_and_files(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "a.ics")
            with open(path, "w", encoding="utf-8", newline="") as f:
                f.write(SIMPLE)
            self.assertEqual(icsmail.load(path).events[0].uid, "abc@example.com")
            with open(path, "rb") as f:
                self.assertEqual(icsmail.load(f).events[0].uid, "abc@example.com")
            with open(path, encoding="utf-8", newline="") as f:
                self.assertEqual(icsmail.load(f).events[0].uid, "abc@example.com")


class TestHostileInput(unittest.TestCase):
    """Whatever the input, a ParseError or a result; and what is read is written back safely."""

    def test_a_period_exdate_excludes_its_start(self):  # occurrences() raised TypeError on the tuple
        read = icsmail.loads(calendar_with("DTSTART:20261201T090000Z", "RRULE:FREQ=DAILY;COUNT=3",
                                           "EXDATE:20261202T090000Z/PT1H"))
        self.assertEqual([t.day for t in icsmail.occurrences(read.events[0])], [1, 3])
        self.assertEqual(read.warnings, ["EXDATE '20261202T090000Z/PT1H' is a PERIOD: read as its start, the "
                                         "occurrence it excludes (line 9)"])

    def test_two_tzids_on_one_time_are_said(self):
        read = icsmail.loads(calendar_with("DTSTART;TZID=Europe/Berlin;TZID=America/New_York:20260601T100000"))
        self.assertEqual(read.events[0].start.utcoffset(), timedelta(hours=2))
        self.assertEqual(read.warnings, ["DTSTART has two TZIDs, 'Europe/Berlin' and 'America/New_York': read in "
                                         "the first (line 7)"])

    def test_an_all_day_series_with_times_of_day_is_said(self):
        read = icsmail.loads(calendar_with("DTSTART;VALUE=DATE:20261201", "RRULE:FREQ=HOURLY;COUNT=3"))
        self.assertIn("RRULE FREQ=HOURLY names times of day, which an all-day event has not", read.warnings[0])
        read = icsmail.loads(calendar_with("DTSTART;VALUE=DATE:20261201", "RRULE:FREQ=DAILY;COUNT=3",
                                           "EXDATE:20261202T000000Z"))
        self.assertEqual(read.events[0].exdates, (date(2026, 12, 2),))
        self.assertEqual([d.day for d in icsmail.occurrences(read.events[0])], [1, 3])
        self.assertEqual(read.warnings, ["EXDATE 20261202T000000 has a time, where the all-day series has days: "
                                         "read as the day 2026-12-02 (line 9)"])

    def test_utf16_with_half_a_character(self):
        body = SIMPLE.encode("utf-16-le").replace("Review".encode("utf-16-le"),
                                                  b"\x3d\xd8" + "eview".encode("utf-16-le"))  # half an emoji
        for data in (b"\xff\xfe" + body, body):
            with self.subTest(bom=data[:2] == b"\xff\xfe"):
                cal = icsmail.loads(data)
                self.assertEqual(cal.events[0].summary, "\ufffdeview, with a comma")
                self.assertIn("the UTF-16 input holds bytes that are no character (illegal UTF-16 surrogate): "
                              "read as U+FFFD (line 9)", cal.warnings)

    def test_a_time_utc_cannot_hold_is_refused_when_written(self):
        text = calendar_with("DTSTART:20260101T100000Z", "BEGIN:VALARM", "ACTION:DISPLAY", "DESCRIPTION:x",
                             "TRIGGER;VALUE=DATE-TIME:99991231T235959", "END:VALARM",
                             head="X-WR-TIMEZONE:America/New_York")
        with self.assertRaisesRegex(ValueError, "alarm trigger 9999-12-31 23:59:59-05:00 is beyond the year 9999"):
            icsmail.dumps(icsmail.loads(text))

    def test_unknown_zone_names_are_looked_up_once(self):  # each miss searched paths and packages again
        self.assertIsNone(icsmail._iana_zone("Nowhere/Atlantis"))
        with mock.patch.object(icsmail, "ZoneInfo") as lookup:
            self.assertIsNone(icsmail._iana_zone("Nowhere/Atlantis"))
        lookup.assert_not_called()

    def test_a_vtimezone_of_hundreds_of_rules(self):  # each lookup expanded them all: 8 s and 600 MB for 58 KB
        days = ",".join(str(d) for d in range(1, 33))
        rules = ("BEGIN:STANDARD\nDTSTART:19700101T000000\nTZOFFSETFROM:+0100\nTZOFFSETTO:+0200\n"
                 f"RRULE:FREQ=YEARLY;BYYEARDAY={days}\nEND:STANDARD\n") * 200
        events = "".join(f"BEGIN:VEVENT\nUID:{i}\nDTSTART;TZID=X:{1971 + i}0601T000000\n"
                         f"DTEND:{1971 + i}0601T230000Z\nEND:VEVENT\n" for i in range(200))
        text = f"BEGIN:VCALENDAR\nVERSION:2.0\nBEGIN:VTIMEZONE\nTZID:X\n{rules}END:VTIMEZONE\n{events}END:VCALENDAR\n"
        started = time.perf_counter()
        cal = icsmail.loads(text)
        self.assertLess(time.perf_counter() - started, 10)  # about 0.5 s; it took 8 s
        self.assertEqual(len(cal.events), 200)
        self.assertTrue(any("more rules than any time zone has: this one is ignored" in w for w in cal.warnings))

    def test_rules_that_skip_years_or_never_match_cost_little(self):  # each took seconds per lookup
        for rule in ("INTERVAL=999999999;BYMONTHDAY=1", "COUNT=5;BYMONTH=2;BYMONTHDAY=30"):
            with self.subTest(rule):
                observance = (f"BEGIN:STANDARD\nDTSTART:16010101T000000\nRRULE:FREQ=YEARLY;{rule}\n"
                              f"TZOFFSETFROM:+0100\nTZOFFSETTO:+0100\nEND:STANDARD\n")
                events = "".join(f"BEGIN:VEVENT\nUID:{i}\nDTSTART;TZID=X:{9999 - i}0101T120000\nEND:VEVENT\n"
                                 for i in range(3))
                text = (f"BEGIN:VCALENDAR\nVERSION:2.0\nBEGIN:VTIMEZONE\nTZID:X\n{observance * 300}"
                        f"END:VTIMEZONE\n{events}END:VCALENDAR\n")
                with mock.patch.object(icsmail, "_onsets_in", wraps=icsmail._onsets_in) as onsets:
                    offsets = {ev.start.utcoffset() for ev in icsmail.loads(text).events}
                self.assertEqual(offsets, {timedelta(hours=1)})
                self.assertLess(onsets.call_count, 50_000)  # millions, walking back year by year to 1601

    def test_parameters_read_cannot_inject_lines(self):
        text = calendar_with('ATTENDEE;ROLE="X:^nEND:VEVENT^nBEGIN:VEVENT^nUID:evil":mailto:bob@example.com',
                             "DTSTART:20260101T100000Z")
        out = icsmail.dumps(icsmail.loads(text))
        self.assertEqual(len(icsmail.loads(out).events), 1)
        self.assertEqual(icsmail.loads(out), icsmail.loads(text))

    def test_begin_and_end_are_never_properties(self):
        for line in ("BEGIN;X-A=1:VALARM", "BE\x00GIN:STANDARD", "END;X-A=1:VEVENT"):
            with self.subTest(line=line), self.assertRaisesRegex(icsmail.ParseError, "malformed BEGIN/END line"):
                icsmail.loads(calendar_with("DTSTART:20260101T100000Z", line))

    def test_offsets_a_day_apart_still_show(self):
        zone = ("BEGIN:VTIMEZONE\nTZID:Odd\nBEGIN:DAYLIGHT\nDTSTART:19700101T000000\nTZOFFSETFROM:-2300\n"
                "TZOFFSETTO:+2300\nEND:DAYLIGHT\nEND:VTIMEZONE")
        ev = icsmail.loads(calendar_with("DTSTART;TZID=Odd:20260101T100000", zones=zone)).events[0]
        self.assertIn("10:00", icsmail._show_text(ev, None))

    def test_control_characters_read_are_removed_with_a_warning(self):
        text = calendar_with("DTSTART:20260101T100000Z", "SUMMARY:bell\x07\tand tab",
                             "ATTENDEE:mailto:b\x00ob@example.com")
        cal = icsmail.loads(text)
        self.assertEqual(cal.events[0].summary, "bell\tand tab")
        self.assertEqual(cal.events[0].attendees[0].email, "bob@example.com")
        self.assertIn("control characters removed from 'SUMMARY:bell\\x07\\tand tab'", cal.warnings[0])
        self.assertNotRegex(icsmail.dumps(cal), "[\x00-\x08]")
        with self.assertRaisesRegex(icsmail.ParseError, "control characters"):
            icsmail.loads(text, strict=True)

    def test_c1_controls_removed_and_line_separators_in_names_read_as_spaces(self):
        cal = icsmail.loads(calendar_with("DTSTART:20260101T100000Z", "SUMMARY:a\x85b\u2028c",
                                          "ORGANIZER:mailto:alice@example.com",
                                          "ATTENDEE;CN=Bob\u2029Smith:mailto:bob@example.com"))
        event = cal.events[0]
        self.assertEqual((event.summary, event.attendees[0].name), ("ab\u2028c", "Bob Smith"))
        self.assertEqual(len(cal.warnings), 2)
        answer = icsmail.reply(event, "bob@example.com", "accept")  # a name read is a name we can send
        self.assertEqual(answer.attendees[0].name, "Bob Smith")

    def test_line_separators_elsewhere_are_text(self):
        zone = "BEGIN:VTIMEZONE\nTZID:My\u2028Zone\nBEGIN:STANDARD\nDTSTART:19700101T000000\nTZOFFSETFROM:-0500\n" \
               "TZOFFSETTO:-0500\nEND:STANDARD\nEND:VTIMEZONE"
        text = calendar_with("DTSTART;TZID=My\u2028Zone:20260101T100000", "DESCRIPTION;LANGUAGE=en:one\u2028two",
                             "URL:https://example.com/a\u2028b", zones=zone).replace("UID:u1", "UID:u\u20281")
        event = icsmail.loads(text, strict=True).events[0]
        self.assertEqual((event.description, event.start.utcoffset()), ("one\u2028two", timedelta(hours=-5)))
        self.assertEqual(icsmail.update(event, summary="changed").uid, "u\u20281")  # what was read can change

    def test_extreme_values(self):
        cases = [
            calendar_with("DTSTART;VALUE=DATE:99991231"),
            calendar_with("DTSTART:99991231T235959Z", "DURATION:P9999W"),
            calendar_with("DTSTART:00010101T000000Z", "RRULE:FREQ=YEARLY;COUNT=2"),
            calendar_with("DTSTART;TZID=Odd:20260101T100000", zones="BEGIN:VTIMEZONE\nTZID:Odd\nBEGIN:STANDARD\n"
                          "DTSTART:00010101T000000\nTZOFFSETFROM:+9999\nTZOFFSETTO:+2400\nEND:STANDARD\n"
                          "END:VTIMEZONE"),
            calendar_with("DTSTART;TZID=Odd:99991231T100000", zones="BEGIN:VTIMEZONE\nTZID:Odd\nBEGIN:STANDARD\n"
                          "DTSTART:19700101T000000\nRRULE:FREQ=YEARLY;BYYEARDAY=366;UNTIL=99991231T235959Z\n"
                          "TZOFFSETFROM:+0100\nTZOFFSETTO:+0100\nEND:STANDARD\nEND:VTIMEZONE"),
        ]
        for text in cases:
            with self.subTest(text=text[120:240]):
                cal = icsmail.loads(text)
                self.assertEqual(len(cal.events), 1)
                for ev in cal.events:
                    self.assertIsInstance(ev.end_time, (date, type(None)))
                    icsmail._show_text(ev, LONDON)
                    json.dumps(icsmail._event_json(ev))
                icsmail.loads(icsmail.dumps(cal))

    def test_bytes_that_are_not_what_they_seem(self):
        for data, error in ((b"\xff\xfeBEGIN", "a property line without a colon: 'ÿþBEGIN' \\(line 1\\)"),
                            (b"\xff\xfe" + SIMPLE.encode()[:-1], "a property line without a colon: '䕂䥇㩎"),
                            (b"\x00" * 10, "a property line without a colon: '\\\\x00"),
                            (b"From: a@example.com\nContent-Type: text/calendar; name=\"a\x00.ics\"\n\n"
                             b"BEGIN:VCALENDAR\n",
                             "the input ends inside BEGIN:VCALENDAR of line 1: the file is truncated")):
            with self.subTest(data=data[:30]), self.assertRaisesRegex(icsmail.ParseError, "^" + error):
                icsmail.loads(data)

    def test_vtimezone_rules_that_would_explode(self):
        many = ("BEGIN:VTIMEZONE\nTZID:Odd\nBEGIN:STANDARD\nDTSTART:20000101T000000\n"
                "RRULE:FREQ=YEARLY;BYYEARDAY=" + ",".join(map(str, range(1, 367))) + ";BYHOUR="
                + ",".join(map(str, range(24))) + "\nTZOFFSETFROM:+0100\nTZOFFSETTO:+0200\nEND:STANDARD\n"
                "END:VTIMEZONE")
        counted = ("BEGIN:VTIMEZONE\nTZID:Odd\nBEGIN:STANDARD\nDTSTART:00010101T000000\n"
                   "RRULE:FREQ=YEARLY;COUNT=999999999\nTZOFFSETFROM:+0100\nTZOFFSETTO:+0200\nEND:STANDARD\n"
                   "END:VTIMEZONE")
        for zones in (many, counted):
            with self.subTest(zones=zones[:80]):
                began = time.perf_counter()
                cal = icsmail.loads(calendar_with("DTSTART;TZID=Odd:20260101T100000", zones=zones))
                cal.events[0].start.utcoffset()
                icsmail._show_text(cal.events[0], LONDON)
                self.assertLess(time.perf_counter() - began, 2.0)

    def test_hostile_tzids_take_linear_time(self):
        for tzid in ("/a" * 50000, " " * 200000 + "1", "(UTC" + " " * 100000 + "+01:00)" + " x" * 50000,
                     "UTC" + " " * 300 + "x^n"):
            with self.subTest(size=len(tzid)):
                began = time.perf_counter()
                cal = icsmail.loads(calendar_with(f"DTSTART;TZID={icsmail._param_value(tzid)}:20260101T100000"))
                self.assertLess(time.perf_counter() - began, 2.0)
                self.assertEqual(len(cal.warnings), 1)  # the TZID no VTIMEZONE defines, said short
                self.assertLess(len(cal.warnings[0]), 300)

    def test_padded_names_of_people_take_linear_time(self):  # 100 kB took 20 s
        for value in ("x" + " " * 200000 + "<a>", "x <" + "a@" * 100000 + "b>c"):
            with self.subTest(value=value[:4]):
                began = time.perf_counter()
                ev = icsmail.loads(calendar_with("DTSTART:20260101T100000Z", f"ORGANIZER:{value}")).events[0]
                self.assertLess(time.perf_counter() - began, 2.0)
                self.assertIsNotNone(ev.organizer)
        ev = icsmail.loads(calendar_with("DTSTART:20260101T100000Z",
                                         "ORGANIZER: John Smith  <jsmith@host1.com> ")).events[0]
        self.assertEqual((ev.organizer.name, ev.organizer.email), ("John Smith", "jsmith@host1.com"))

    def test_a_component_of_too_many_properties_is_refused(self):  # 7 MB of X-A:b took 500 MB
        text = calendar_with("DTSTART:20260101T100000Z", *["X-A:b"] * 100_001)
        with self.assertRaisesRegex(icsmail.ParseError,
                                    r"^BEGIN:VEVENT of line 4 holds more than 100,000 properties \(line 100005\)$"):
            icsmail.loads(text)

    def test_a_component_of_too_many_components_is_refused(self):
        alarm = ["BEGIN:VALARM", "ACTION:DISPLAY", "TRIGGER:-PT5M", "END:VALARM"]
        text = calendar_with("DTSTART:20260101T100000Z", *alarm * 10_001)
        with self.assertRaisesRegex(icsmail.ParseError,
                                    r"^BEGIN:VEVENT of line 4 holds more than 10,000 components \(line 40011\)$"):
            icsmail.loads(text)

    def test_utf16_files_stream_too(self):
        data = SIMPLE.encode("utf-16")
        self.assertEqual(icsmail.loads(data).events[0].uid, "abc@example.com")
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "a.ics")
            with open(path, "wb") as f:
                f.write(data)
            self.assertEqual([e.uid for e in icsmail.iter_events(path)], ["abc@example.com"])

    def test_charsets_that_make_no_text(self):
        raw = ("Content-Type: text/calendar; method=REQUEST; charset=unicode_escape\n\n" +
               SIMPLE.replace("Review", "R\\\\ud800")).encode()
        cal = icsmail.loads(raw)
        self.assertEqual(cal.events[0].summary, "R\\ud800, with a comma")  # read as UTF-8, as written
        self.assertEqual(icsmail.loads(icsmail.dumps(cal)).events, cal.events)  # whatever was read can be written

    def test_display_names_guessed_from_today_not_the_first_date(self):
        tzid = '"(UTC+01:00) Amsterdam, Berlin"'
        text = calendar_with(f"DTSTART;TZID={tzid}:18000101T100000", f"RDATE;TZID={tzid}:20260701T100000")
        ev = icsmail.loads(text).events[0]
        self.assertEqual(ev.start.tzinfo.key, "Europe/Amsterdam")

    def test_str_with_lone_surrogates(self):
        text = SIMPLE.replace("Review", "B\udcfcro")  # as bytes decoded with surrogateescape give
        self.assertEqual(icsmail.loads(text).events[0].summary, "Büro, with a comma")


MAIL = """From: Alice <alice@example.com>
To: bob@example.com
Subject: Invitation
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="XX"

--XX
Content-Type: multipart/alternative; boundary="YY"

--YY
Content-Type: text/plain; charset=utf-8

Hello
--YY
Content-Type: text/calendar; charset=utf-8; method=REQUEST
Content-Transfer-Encoding: {cte}

{body}
--YY--
--XX
Content-Type: application/ics; name="invite.ics"
Content-Disposition: attachment; filename="invite.ics"
Content-Transfer-Encoding: {cte}

{body}
--XX--
"""


class TestLoadsMail(unittest.TestCase):
    def mail(self, cte: str) -> bytes:
        import base64
        import quopri
        raw = SIMPLE.replace("Review", "R\u00e9union").encode()
        body = base64.encodebytes(raw) if cte == "base64" else quopri.encodestring(raw)
        return MAIL.format(cte=cte, body=body.decode()).encode()

    def test_invitation_mails(self):
        for cte in ("base64", "quoted-printable"):
            with self.subTest(cte):
                cal = icsmail.loads(self.mail(cte))
                self.assertEqual([e.summary for e in cal.events], ["R\u00e9union, with a comma"])  # the twin once

    def test_a_part_in_its_declared_charset(self):
        meeting = "\u0412\u0441\u0442\u0440\u0435\u0447\u0430"
        body = SIMPLE.replace("Review", meeting).encode("koi8-r")
        cal = icsmail.loads(b"From: a@example.com\nContent-Type: text/calendar; charset=koi8-r\n\n" + body)
        self.assertEqual((cal.events[0].summary, cal.warnings), (f"{meeting}, with a comma", []))

    def test_calendar_parts_by_type_or_by_file_name(self):
        for header in ("Content-Type: application/ics", "Content-Type: text/x-vcalendar",
                       'Content-Type: application/octet-stream; name="invite.vcs"',
                       'Content-Type: application/octet-stream\nContent-Disposition: attachment; filename="a.ics"'):
            with self.subTest(header=header):
                mail = f"From: a@example.com\nMIME-Version: 1.0\n{header}\n\n{SIMPLE}".encode()
                self.assertEqual(icsmail.loads(mail).events[0].uid, "abc@example.com")

    def test_the_method_of_a_twin_after_it(self):  # invite.ics first, the text/calendar part with method= after
        mail = MAIL.replace("Content-Type: text/calendar; charset=utf-8; method=REQUEST",
                            "Content-Type: text/calendar; charset=utf-8")
        mail = mail.replace('Content-Type: application/ics; name="invite.ics"',
                            'Content-Type: application/ics; name="invite.ics"; method=REQUEST')
        mail = mail.format(cte="8bit", body=SIMPLE)
        first, second = mail.split("--XX\n")[1:3]
        swapped = mail.replace(first, "\0").replace(second, first).replace("\0", second)
        for text in (mail, swapped):
            with self.subTest(first="invite.ics" if text is swapped else "text/calendar"):
                self.assertEqual(icsmail.loads(text.encode()).method, "REQUEST")

    def test_top_level_calendar_and_latin1(self):
        raw = ("Content-Type: text/calendar; method=REQUEST; charset=iso-8859-1\n"
               "Content-Transfer-Encoding: 8bit\nSubject: x\n\n").encode() + \
            SIMPLE.replace("Review", "B\u00fcro").encode("latin-1")
        self.assertEqual(icsmail.loads(raw).events[0].summary, "B\u00fcro, with a comma")

    def test_recognised_by_content(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "invite.ics")  # the name lies
            with open(path, "wb") as f:
                f.write(self.mail("base64"))
            self.assertEqual(len(icsmail.load(path).events), 1)
            self.assertEqual(len(list(icsmail.iter_events(path))), 1)

    def test_streaming_a_mail_opened_as_text(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "invite.eml")
            with open(path, "wb") as f:
                f.write(self.mail("base64"))
            with open(path, encoding="utf-8", newline="") as f:
                self.assertEqual([e.summary for e in icsmail.iter_events(f)], ["R\u00e9union, with a comma"])

    def test_a_mail_as_text_with_a_lone_surrogate(self):  # text read with errors="surrogateescape" or worse
        mail = MAIL.format(cte="8bit", body=SIMPLE.replace("Review", "Re\ud800view"))
        self.assertEqual([e.summary for e in icsmail.iter_events(io.StringIO(mail))],
                         [e.summary for e in icsmail.loads(mail).events])

    def test_each_calendar_part_is_read_with_its_own_method(self):  # a CANCEL beside an agenda.ics
        agenda = SIMPLE.replace("UID:abc", "UID:agenda")
        data = ("From: a@example.com\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=B\n\n--B\n"
                f"Content-Type: text/calendar; method=CANCEL\n\n{SIMPLE}\n--B\n"
                f'Content-Type: application/octet-stream; name="agenda.ics"\n\n{agenda}\n--B--\n').encode()
        cal = icsmail.loads(data)
        self.assertEqual(cal.method, "CANCEL")
        self.assertEqual(cal.warnings, ["the calendar has no METHOD; the e-mail's Content-Type says method=CANCEL: "
                                        "read as its METHOD (and written so)"])

    def test_copies_stamped_apart_are_both_streamed(self):  # a stream cannot wait to keep the later one
        later = SIMPLE.replace("DTSTAMP:20260101T000000Z", "DTSTAMP:20260101T000001Z").replace("Review", "Moved")
        head, _, tail = MAIL.format(cte="8bit", body=TOLD).rpartition(TOLD)
        data = (head + later + tail).encode()
        self.assertEqual([e.summary for e in icsmail.iter_events(data)],
                         ["Review, with a comma", "Moved, with a comma"])
        self.assertEqual([e.summary for e in icsmail.loads(data).events], ["Moved, with a comma"])

    def test_copies_stamped_apart_are_one_event_the_later(self):  # an invite.ics twin made a second later
        later = SIMPLE.replace("DTSTAMP:20260101T000000Z", "DTSTAMP:20260101T000001Z")
        head, _, tail = MAIL.format(cte="8bit", body=TOLD).rpartition(TOLD)
        cal = icsmail.loads((head + later.replace("VERSION", "METHOD:REQUEST\r\nVERSION") + tail).encode())
        self.assertEqual([e.dtstamp.second for e in cal.events], [1])
        self.assertEqual(cal.warnings, [])
        moved = later.replace("London:20261201T100000", "London:20261201T090000")
        cal = icsmail.loads((head + moved + tail).encode())
        self.assertEqual([e.start.hour for e in cal.events], [9])
        self.assertIn("the e-mail's parts hold event 'abc@example.com' in two versions of SEQUENCE 0, stamped apart: "
                      "the later one counts", cal.warnings)

    def test_a_warning_about_a_mails_calendars_together_names_no_line(self):  # its line 1 is a header
        other = SIMPLE.replace("UID:abc", "UID:other").replace("BEGIN:VEVENT", "METHOD:CANCEL\r\nBEGIN:VEVENT", 1)
        head, _, tail = MAIL.format(cte="8bit", body=TOLD).rpartition(TOLD)
        two = (head + other + tail).encode()
        said = "2 VCALENDARs with different METHODs (CANCEL, REQUEST): the first one's applies"
        self.assertIn(said, icsmail.loads(two).warnings)
        with self.assertRaises(icsmail.ParseError) as caught:
            icsmail.loads(two, strict=True)
        self.assertEqual((caught.exception.lineno, str(caught.exception)), (0, said + " (strict=True)"))

    def test_a_mails_warnings_and_errors_say_which_calendar_their_line_is_of(self):
        broken = SIMPLE.replace("UID:abc", "UID:other").replace("20261201T100000", "2026XX01T100000")
        head, _, tail = MAIL.format(cte="8bit", body=TOLD).rpartition(TOLD)
        two = (head + broken + tail).encode()  # the second part holds another event, with a bad DTSTART
        said = "DTSTART '2026XX01T100000' is not a DATE or DATE-TIME: kept as text (line 7 of calendar 2 of 2 in " \
               "the e-mail)"
        self.assertIn(said, icsmail.loads(two).warnings)
        streamed: list = []
        self.assertEqual(len(list(icsmail.iter_events(two, warnings=streamed))), 2)
        self.assertIn(said, streamed)
        with self.assertRaisesRegex(icsmail.ParseError, r"\(line 7 of calendar 2 of 2 in the e-mail\)"):
            icsmail.loads(two, strict=True)
        unclosed = MAIL.format(cte="8bit", body=SIMPLE.replace("END:VEVENT\r\n", "")).encode()
        for read in (icsmail.loads, lambda data: list(icsmail.iter_events(data))):
            with self.assertRaises(icsmail.ParseError) as caught:
                read(unclosed)
            self.assertEqual((caught.exception.lineno, caught.exception.where, str(caught.exception)[-39:]),
                             (12, "the calendar in the e-mail", "(line 12 of the calendar in the e-mail)"))
        again = pickle.loads(pickle.dumps(caught.exception))
        self.assertEqual((str(again), again.where), (str(caught.exception), caught.exception.where))

    def test_a_twin_differing_in_method_is_streamed_once(self):
        import base64
        twin = base64.encodebytes(SIMPLE.replace("BEGIN:VEVENT", "METHOD:REQUEST\r\nBEGIN:VEVENT").encode())
        data = MAIL.format(cte="base64", body=base64.encodebytes(SIMPLE.encode()).decode()) \
            .replace(base64.encodebytes(SIMPLE.encode()).decode(), twin.decode(), 1).encode()
        self.assertEqual(len(icsmail.loads(data).events), 1)
        self.assertEqual(len(list(icsmail.iter_events(data))), 1)

    def test_a_method_only_in_the_content_type(self):  # RFC 6047 2.4 wants both; some senders give one
        cal = icsmail.loads(MAIL.format(cte="8bit", body=SIMPLE).encode())
        self.assertEqual(cal.method, "REQUEST")
        self.assertIn("the e-mail's Content-Type says method=REQUEST", cal.warnings[0])
        self.assertIsNone(icsmail.loads(SIMPLE).method)  # a file says what it says
        bare = SIMPLE.replace("ORGANIZER", "X-ORGANIZER")  # a REQUEST without organizer: not taken for one
        self.assertIsNone(icsmail.loads(MAIL.format(cte="8bit", body=bare).encode()).method)
        told = MAIL.format(cte="8bit", body=SIMPLE.replace("BEGIN:VEVENT", "METHOD:CANCEL\r\nBEGIN:VEVENT", 1))
        cal = icsmail.loads(told.encode())  # the two disagree: the calendar's, said
        self.assertEqual(cal.method, "CANCEL")
        self.assertIn("Content-Type says method=REQUEST, the calendar METHOD:CANCEL", cal.warnings[0])
        other = SIMPLE.replace("abc@example.com", "other@example.com")
        two = MAIL.format(cte="8bit", body=SIMPLE).replace(SIMPLE, other, 1)  # two calendars: each by its part
        self.assertEqual(icsmail.loads(two.encode()).method, "REQUEST")

    def test_seven_bit_charsets(self):  # their bytes are UTF-8 too: the declared charset must be heeded
        text = SIMPLE.replace("Review", "\u5b9a\u4f8b\u4f1a\u8b70")
        for charset, summary, warned in (("iso-2022-jp", "\u5b9a\u4f8b\u4f1a\u8b70, with a comma", False),
                                         ("iso2022_jp", "\u5b9a\u4f8b\u4f1a\u8b70, with a comma", False),
                                         ("utf-7", None, True)):
            with self.subTest(charset):
                data = (f"Content-Type: text/calendar; method=REQUEST; charset={charset}\n"
                        f"Content-Transfer-Encoding: 7bit\nSubject: x\n\n").encode() + text.encode(charset)
                cal = icsmail.loads(data)
                if summary:
                    self.assertEqual(cal.events[0].summary, summary)
                    self.assertEqual([e.summary for e in icsmail.iter_events(data)], [summary])
                self.assertEqual(any("which is not read" in w for w in cal.warnings), warned, cal.warnings)
        zone = "BEGIN:VTIMEZONE\nTZID:X\nBEGIN:STANDARD\nDTSTART:19700101T000000\nTZOFFSETFROM:+0100\n" \
               "TZOFFSETTO:+0100\nEND:STANDARD\nEND:VTIMEZONE"
        plain = b"Content-Type: text/calendar; charset=utf-7\n\n" + calendar_with(
            "DTSTART;TZID=X:20260601T100000", zones=zone).encode()  # ASCII: "+0100" is no UTF-7 run
        self.assertEqual(icsmail.loads(plain, strict=True).events[0].start.utcoffset(), timedelta(hours=1))
        plus = plain.replace(b"DTSTART", b"ATTENDEE:mailto:bob+work@example.com\r\nDTSTART")  # no UTF-7 run
        self.assertEqual(icsmail.loads(plus, strict=True).events[0].attendees[0].email, "bob+work@example.com")
        accented = plain.replace(b"DTSTART", b"LOCATION:Caf+AOk-\r\nDTSTART")  # a UTF-7 run beside the offsets
        self.assertTrue(any("which is not read" in w for w in icsmail.loads(accented).warnings))

    def test_events_without_uid_in_two_parts_are_all_kept(self):  # only copies of one event are merged
        def part(*summaries):
            return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\n" + "".join(
                f"BEGIN:VEVENT\r\nDTSTART:20260601T100000Z\r\nSUMMARY:{s}\r\nEND:VEVENT\r\n" for s in summaries) \
                + "END:VCALENDAR\r\n"
        data = MAIL.format(cte="8bit", body=part("Talk A", "Talk B")) \
            .replace(part("Talk A", "Talk B"), part("Talk C"), 1).encode()  # the first part: Talk C alone
        want = ["Talk C", "Talk A", "Talk B"]
        self.assertEqual([e.summary for e in icsmail.loads(data).events], want)
        self.assertEqual([e.summary for e in icsmail.iter_events(data)], want)
        twins = MAIL.format(cte="8bit", body=part("Talk A")).encode()  # the same event twice: once
        self.assertEqual([e.summary for e in icsmail.loads(twins).events], ["Talk A"])
        self.assertEqual([e.summary for e in icsmail.iter_events(twins)], ["Talk A"])

    def test_any_header_may_come_first(self):
        for first in ("ARC-Seal: i=1; a=rsa-sha256;\n d=example.com; b=abc", "In-Reply-To: <x@example.com>",
                      "Organization: Example", "X-Long: " + "a" * 9000):
            with self.subTest(first=first[:12]):
                data = (first + "\n").encode() + self.mail("base64")
                self.assertEqual(len(icsmail.loads(data).events), 1)
                self.assertEqual(len(list(icsmail.iter_events(io.BytesIO(data)))), 1)

    def test_mail_without_calendar(self):
        with self.assertRaisesRegex(icsmail.ParseError, "no calendar part"):
            icsmail.loads(b"From: a@example.com\nSubject: hi\n\nJust text\n")
        head = b"From: a@example.com\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=B\n\n--B\n"
        cases = ((b"Content-Type: application/ms-tnef; name=winmail.dat\n\nx\n--B--\n", "winmail.dat \\(TNEF\\)"),
                 (b"Content-Type: application/pkcs7-mime; smime-type=enveloped-data\n\nx\n--B--\n", "encrypted"),
                 (b"Content-Type: application/pkcs7-mime; smime-type=signed-data\n\nx\n--B--\n", "is signed S/MIME"),
                 (b"Content-Type: application/vnd.ms-tnef\n\nx\n--B--\n", "TNEF"),
                 (b'Content-Type: application/octet-stream; name="Meeting.msg"\n\nx\n--B--\n', "Outlook .msg"))
        for part, message in cases:
            with self.subTest(message), self.assertRaisesRegex(icsmail.ParseError, message):
                icsmail.loads(head + part)

    def test_an_mbox_gives_the_calendars_of_each_message(self):  # Thunderbird's and mutt's folders
        first, second = (bytes(icsmail.build_message(event(uid=f"u{i}@example.com", summary=f"Meeting {i}")))
                         for i in (1, 2))
        note = b"From: a@example.com\nSubject: no calendar\n\n>From here on, nothing.\n"  # escaped, as mbox does
        mbox = b"".join(b"From a@example.com Mon Jan  5 09:00:00 2026\n" + m + b"\n" for m in (first, note, second))
        self.assertEqual([ev.summary for ev in icsmail.loads(mbox).events], ["Meeting 1", "Meeting 2"])
        self.assertEqual([ev.summary for ev in icsmail.iter_events(mbox)], ["Meeting 1", "Meeting 2"])
        paragraph = b"From alice@example.com Mon Jan  5 09:00:00 2026\n" + bytes(icsmail.build_message(
            event(description="Agenda.\n\nFrom the last meeting: actions.")))  # unescaped: no envelope line
        self.assertEqual(len(icsmail.loads(paragraph).events), 1)
        with self.assertRaisesRegex(icsmail.ParseError, "none of the mbox's 2 messages has a calendar"):
            icsmail.loads(b"From a@example.com Mon Jan  5 09:00:00 2026\n" + note + b"\n" +
                          b"From a@example.com Mon Jan  5 09:00:00 2026\n" + note)

    def test_an_mbox_body_paragraph_that_begins_with_from_and_a_time_is_no_envelope(self):
        body = icsmail.build_message(event(description="x"),
                                     text="Hello.\n\nFrom Monday 1 Dec 09:00 to Friday 5 Dec 2026 we meet daily.\n")
        data = b"From - Mon Nov  2 12:00:00 2026\n" + bytes(body).replace(b"\r\n", b"\n")
        self.assertEqual(len(icsmail.loads(data).events), 1)

    def test_a_mail_after_a_byte_order_mark_or_blank_lines(self):  # its headers are headers still
        for before in (b"\xef\xbb\xbf", b"\r\n", b"\xef\xbb\xbf\n\n"):
            with self.subTest(before=before):
                self.assertEqual(icsmail.loads(before + self.mail("base64")).events[0].summary,
                                 "R\u00e9union, with a comma")

    def test_replies_of_two_attendees_stamped_alike_are_two(self):  # an mbox of replies
        ev = event(attendees=["bob@example.com", "carol@example.com"])
        replies = [bytes(icsmail.build_message(dataclasses.replace(icsmail.reply(ev, who, answer), dtstamp=STAMP)))
                   for who, answer in (("bob@example.com", "accept"), ("carol@example.com", "decline"))]
        mbox = b"".join(b"From x@example.com Mon Jan  5 09:00:00 2026\n" + r + b"\n" for r in replies)
        self.assertEqual([(e.attendees[0].email, e.attendees[0].partstat) for e in icsmail.loads(mbox).events],
                         [("bob@example.com", "ACCEPTED"), ("carol@example.com", "DECLINED")])

    def test_two_delegations_stamped_alike_are_two_replies(self):  # each names its delegator and delegate
        ev = event(attendees=["a@example.com", "c@example.com"])
        replies = [icsmail.dumps(dataclasses.replace(icsmail.reply(ev, who, "delegated", delegated_to=to),
                                                     dtstamp=STAMP), method="REPLY").replace(
            "END:VEVENT", f"ATTENDEE;DELEGATED-FROM=\"mailto:{who}\":mailto:{to}\r\nEND:VEVENT")
            for who, to in (("a@example.com", "b@example.com"), ("c@example.com", "d@example.com"))]
        data = ("From: x@example.com\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=B\n\n" +
                "".join(f"--B\nContent-Type: text/calendar; method=REPLY\n\n{r}\n" for r in replies) + "--B--\n")
        self.assertEqual([[a.email for a in e.attendees] for e in icsmail.loads(data.encode()).events],
                         [["a@example.com", "b@example.com"], ["c@example.com", "d@example.com"]])

    def test_copies_that_list_the_attendees_in_another_order_are_one_event(self):
        ev = event(attendees=["bob@example.com", "carol@example.com"])
        first = icsmail.dumps(ev, method="REQUEST")
        second = icsmail.dumps(dataclasses.replace(ev, attendees=ev.attendees[::-1]), method="REQUEST")
        data = ("From: a@example.com\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=B\n\n"
                f"--B\nContent-Type: text/calendar; method=REQUEST\n\n{first}\n"
                f'--B\nContent-Type: application/ics; name="invite.ics"\n\n{second}\n--B--\n').encode()
        self.assertEqual(len(icsmail.loads(data).events), 1)

    def test_parts_that_hold_two_versions_of_an_event_are_warned_of(self):
        first, later = (icsmail.dumps(event(sequence=n), method="REQUEST") for n in (0, 3))
        data = ("From: a@example.com\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=B\n\n"
                f"--B\nContent-Type: text/calendar; method=REQUEST\n\n{first}\n"
                f"--B\nContent-Type: text/calendar; method=REQUEST\n\n{later}\n--B--\n").encode()
        cal = icsmail.loads(data)
        self.assertEqual([e.sequence for e in cal.events], [0, 3])
        self.assertIn("parts hold event 'review-1@example.com' in several versions (SEQUENCE 0, 3)", cal.warnings[0])
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "two.eml")
            with open(path, "wb") as f:
                f.write(data)
            self.assertEqual(icsmail._invitation_event(cal, path, None)[0].sequence, 3)  # reply answers the latest

    def test_a_forward_in_quoted_printable(self):  # message/rfc822 with a transfer encoding: RFC 2046 forbids it
        import quopri
        inner = ("From: a@example.com\nSubject: " + "Meeting " * 20 + "\n"  # soft-broken: past 76 characters
                 "Content-Type: text/calendar; method=REQUEST; charset=utf-8\n\n" +
                 SIMPLE.replace("Review", "R\u00e9union =")).encode()
        before = b"x" * 2_000_000  # a large part first
        for headers in (b"Content-Type: message/rfc822\nContent-Transfer-Encoding: quoted-printable\n",
                        b"Content-Type:\n message/rfc822\nContent-Transfer-Encoding:\n quoted-printable\n"):  # folded
            data = (b"From: c@example.com\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=B\n\n--B\n"
                    b"Content-Type: text/plain\n\n" + before + b"\n--B\n" + headers + b"\n" +
                    quopri.encodestring(inner) + b"\n--B--\n")
            for mail in (data, data.replace(b"\n", b"\r\n")):
                with self.subTest(headers=headers, crlf=mail is not data):
                    self.assertEqual([e.summary for e in icsmail.loads(mail).events], ["R\u00e9union =, with a comma"])

    def test_many_lines_that_look_like_forwards_are_read_quickly(self):  # they were looked at each to the end
        data = b"From: a@example.com\nContent-Transfer-Encoding: quoted-printable\nContent-Type: text/plain\n\n" + \
            b"Content-Type: message/rfc822\n" * 30000
        began = time.perf_counter()
        with self.assertRaisesRegex(icsmail.ParseError, "no calendar part"):
            icsmail.loads(data)
        self.assertLess(time.perf_counter() - began, 2.0)

    def test_calendar_parts_by_their_other_content_types(self):  # without an .ics name
        for ctype in ("application/calendar", "application/x-ical", "application/x-ics", "text/x-vcalendar"):
            raw = f"From: a@example.com\nContent-Type: {ctype}\nSubject: x\n\n{SIMPLE}".encode()
            with self.subTest(ctype):
                self.assertEqual(len(icsmail.loads(raw).events), 1)

    def test_a_charset_warning_says_the_line_is_the_calendars(self):  # not the mail's
        raw = b"Content-Type: text/calendar; method=REQUEST\nSubject: x\n\n" + \
            SIMPLE.replace("Review", "Caf\u00e9").encode("cp1252")
        self.assertIn("read as Windows-1252 (line 9 of the calendar in the e-mail)", icsmail.loads(raw).warnings[0])

    def test_a_broken_ics_attachment_beside_the_invitation_is_left_out(self):  # with a warning
        data = ("From: a@example.com\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=B\n\n--B\n"
                f"Content-Type: text/calendar; method=REQUEST\n\n{TOLD}\n--B\n"
                'Content-Type: application/octet-stream; name="agenda.ics"\n\n<html>Agenda</html>\n--B--\n').encode()
        cal = icsmail.loads(data)
        self.assertEqual([e.summary for e in cal.events], ["Review, with a comma"])
        self.assertIn("one of the e-mail's 2 calendars cannot be read (", cal.warnings[-1])
        warnings: list = []
        self.assertEqual(len(list(icsmail.iter_events(data, warnings=warnings))), 1)
        self.assertEqual(warnings[-1], cal.warnings[-1])
        with self.assertRaisesRegex(icsmail.ParseError, "cannot be read"):
            icsmail.loads(data, strict=True)

    def test_an_attachment_named_in_encoded_words_is_found(self):  # a non-ASCII name, as Outlook writes it
        data = (b"From: a@example.com\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=B\n\n--B\n"
                b'Content-Type: application/octet-stream; name="=?utf-8?q?R=C3=A9union.ics?="\n\n' +
                SIMPLE.encode() + b"\n--B--\n")
        self.assertEqual(icsmail.loads(data).events[0].summary, "Review, with a comma")

    def test_an_overlong_mime_header_is_refused_at_once(self):  # the email package reads it in quadratic time
        for header in (b"Content-Type: text/calendar" + b"; a=b" * 100_000,
                       b"Content-Type: multipart/mixed;\r\n boundary=XX" + b";\r\n a=b" * 100_000):
            with self.subTest(header=header[:20]):
                data = b"From: a@example.com\r\n" + header + b"\r\n\r\n" + SIMPLE.encode()
                began = time.perf_counter()
                with self.assertRaisesRegex(icsmail.ParseError, r"^the e-mail's Content-Type header is [\d,]+ bytes "
                                                                r"long: not read \(line 2\)$"):
                    icsmail.loads(data)
                self.assertLess(time.perf_counter() - began, 1.0)

    def test_forwarding_too_deep_is_said_once(self):
        import base64
        data = self.mail("base64")
        for _ in range(9):  # each forward a base64 message/rfc822 part (RFC 2046 forbids it; mailers write it)
            data = (b"From: a@example.com\nMIME-Version: 1.0\nContent-Type: message/rfc822\n"
                    b"Content-Transfer-Encoding: base64\n\n") + base64.encodebytes(data)
        with self.assertRaises(icsmail.ParseError) as caught:
            icsmail.loads(data)
        self.assertEqual(str(caught.exception), "forwarded e-mails are nested more than 8 deep here: the innermost "
                                                "are not read (line 1)")

    def test_forwarded_invitations(self):
        import base64
        inner = base64.encodebytes(self.mail("base64")).decode()
        for part in ("Content-Type: message/rfc822\nContent-Transfer-Encoding: base64\n\n",  # RFC 2046 forbids it
                     'Content-Type: application/octet-stream; name="Meeting.eml"\n'
                     "Content-Transfer-Encoding: base64\n\n"):
            data = ("From: c@example.com\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=B\n\n--B\n"
                    "Content-Type: text/plain\n\nFYI\n--B\n" + part + inner + "--B--\n").encode()
            with self.subTest(part[:30]):
                self.assertEqual([e.summary for e in icsmail.loads(data).events], ["R\u00e9union, with a comma"])

    def test_files_that_are_not_what_they_seem(self):
        text = SIMPLE.replace("Review", "R\u00e9union")
        emlx = self.mail("base64")
        readable = {"UTF-16LE without BOM": text.encode("utf-16-le"), "UTF-32 with BOM": text.encode("utf-32"),
                    "UTF-32BE without BOM": text.encode("utf-32-be"),
                    "a mail saved as UTF-16 (PowerShell's >)": emlx.decode().encode("utf-16"), "two files joined": (
            "\ufeff" + text + "\ufeff" + text.replace("uid-1", "uid-2")).encode(),
                    "Apple Mail .emlx": b"%d\n" % len(emlx) + emlx + b"<?xml version='1.0'?>\n<plist/>\n"}
        for what, data in readable.items():
            with self.subTest(what):
                for events in (icsmail.loads(data).events, list(icsmail.iter_events(io.BytesIO(data)))):
                    self.assertEqual(events[0].summary, "R\u00e9union, with a comma")
        refused = {b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100): "Outlook .msg file",
                   b"\x78\x9f\x3e\x22" + bytes(100): "winmail.dat"}
        for data, message in refused.items():
            with self.subTest(message):
                with self.assertRaisesRegex(icsmail.ParseError, message):
                    icsmail.loads(data)
                with self.assertRaisesRegex(icsmail.ParseError, message):
                    list(icsmail.iter_events(io.BytesIO(data)))

    def test_a_latin1_label_is_read_as_windows_1252(self):  # as mail readers do: Windows writes € so
        raw = ("Content-Type: text/calendar; charset=iso-8859-1\nSubject: x\n\n").encode() + \
            SIMPLE.replace("Review", "5 \u20ac \u201cok\u201d").encode("cp1252")
        self.assertEqual(icsmail.loads(raw).events[0].summary, "5 \u20ac \u201cok\u201d, with a comma")



# --------------------------------------------------------------------------
# iTIP: update, cancel, reply, apply a reply
# --------------------------------------------------------------------------

class TestITIP(unittest.TestCase):
    def test_operations_take_an_event(self):  # a Calendar read from a file: say which event to take
        calendar = icsmail.Calendar([event()])
        for operation, args in ((icsmail.update, ()), (icsmail.cancel, ()), (icsmail.reply, ("bob@example.com",)),
                                (icsmail.apply_reply, (event(),)), (icsmail.apply_cancel, (event(),))):
            with self.subTest(operation.__name__), self.assertRaisesRegex(
                    TypeError, rf"{operation.__name__}\(\) takes an Event, not Calendar: give one of its events"):
                operation(calendar, *args)
        with self.assertRaisesRegex(TypeError, r"apply_reply\(\) takes the reply as an Event or a Calendar, not str"):
            icsmail.apply_reply(event(), "ACCEPTED")

    def test_a_series_moved_to_another_weekday_keeps_its_exceptions(self):
        series = event(start=datetime(2026, 3, 16, 9, tzinfo=NEW_YORK), rrule="FREQ=WEEKLY;BYDAY=MO;COUNT=4",
                       exdates=[datetime(2026, 3, 23, 9, tzinfo=NEW_YORK)])
        moved = icsmail.update(series, start=datetime(2026, 3, 17, 9, tzinfo=NEW_YORK))
        self.assertEqual(moved.rrule, "FREQ=WEEKLY;BYDAY=TU;COUNT=4")
        self.assertEqual([t.day for t in icsmail.occurrences(moved)], [17, 31, 7])

    def test_a_series_moved_to_another_of_its_days_keeps_its_exceptions_and_end(self):
        def days(series: icsmail.Event) -> list:
            return [t.day for t in icsmail.occurrences(series)]

        off = [datetime(2026, 3, 20, 9, tzinfo=NEW_YORK), datetime(2026, 3, 25, 9, tzinfo=NEW_YORK)]
        until = event(start=datetime(2026, 3, 16, 9, tzinfo=NEW_YORK), exdates=off,
                      rrule="FREQ=WEEKLY;BYDAY=MO,WE,FR;UNTIL=20260403T130000Z")
        moved = icsmail.update(until, start=datetime(2026, 3, 18, 10, tzinfo=NEW_YORK))
        self.assertEqual(days(moved), [18, 23, 27, 30, 1, 3])  # the 20th and 25th stay off; the 3rd stays the last
        self.assertEqual(moved.rrule, "FREQ=WEEKLY;BYDAY=MO,WE,FR;UNTIL=20260403T140000Z")
        counted = event(start=datetime(2026, 3, 16, 9, tzinfo=NEW_YORK), exdates=off[:1],
                        rrule="FREQ=WEEKLY;BYDAY=MO,WE,FR;COUNT=6")
        self.assertEqual(days(icsmail.update(counted, start=datetime(2026, 3, 18, 9, tzinfo=NEW_YORK))),
                         [18, 23, 25, 27])
        earlier = icsmail.update(counted, start=datetime(2026, 3, 13, 9, tzinfo=NEW_YORK))
        self.assertEqual((earlier.rrule, days(earlier)),
                         ("FREQ=WEEKLY;BYDAY=MO,WE,FR;COUNT=7", [13, 16, 18, 23, 25, 27]))
        with self.assertRaisesRegex(ValueError, "has no time left from then on"):
            icsmail.update(counted, start=datetime(2026, 4, 1, 9, tzinfo=NEW_YORK))

    def test_a_series_of_several_weekdays_keeps_them_or_says_how_to_move_them(self):
        berlin = ZoneInfo("Europe/Berlin")
        weekdays = event(start=datetime(2027, 1, 11, 10, tzinfo=berlin), rrule="FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR")
        later = icsmail.update(weekdays, start=datetime(2027, 1, 13, 10, tzinfo=berlin))  # as DAILY;BYDAY=... does
        self.assertEqual(later.rrule, "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR")
        with self.assertRaisesRegex(ValueError, r"has no occurrence then.*such as FREQ=WEEKLY;BYDAY=SA,SU,MO,TU,WE "
                                                r"to move each of its days"):  # no weekend meetings unasked
            icsmail.update(weekdays, start=datetime(2027, 1, 16, 10, tzinfo=berlin))
        fortnightly = event(start=datetime(2026, 3, 13, 9, tzinfo=NEW_YORK),
                            rrule="FREQ=WEEKLY;INTERVAL=2;BYDAY=FR,SU;COUNT=6")  # its weeks move with it
        hint = "FREQ=WEEKLY;INTERVAL=2;BYDAY=SA,MO;COUNT=6;WKST=TU"
        with self.assertRaisesRegex(ValueError, f"such as {hint} to move"):
            icsmail.update(fortnightly, start=datetime(2026, 3, 14, 9, tzinfo=NEW_YORK))
        moved = icsmail.update(fortnightly, start=datetime(2026, 3, 14, 9, tzinfo=NEW_YORK), rrule=hint)
        self.assertEqual([t + timedelta(days=1) for t in icsmail.occurrences(fortnightly)],
                         list(icsmail.occurrences(moved)))

    def test_a_series_moved_later_keeps_its_last_occurrence(self):  # UNTIL moves as the start does
        series = event(start=datetime(2026, 11, 3, 9, tzinfo=NEW_YORK), rrule="FREQ=WEEKLY;UNTIL=20261124T140000Z")
        moved = icsmail.update(series, start=datetime(2026, 11, 3, 10, tzinfo=NEW_YORK))
        self.assertEqual(moved.rrule, "FREQ=WEEKLY;UNTIL=20261124T150000Z")
        self.assertEqual([t.day for t in icsmail.occurrences(moved)], [3, 10, 17, 24])

    def test_a_series_rule_follows_its_start(self):
        cases = [("FREQ=MONTHLY;BYDAY=2TU", datetime(2026, 10, 13, 9), datetime(2026, 10, 14, 9),
                  "FREQ=MONTHLY;BYDAY=2WE"),
                 ("FREQ=MONTHLY;BYDAY=-1FR", datetime(2026, 10, 30, 9), datetime(2026, 10, 29, 9),
                  "FREQ=MONTHLY;BYDAY=-1TH"),
                 ("FREQ=MONTHLY;BYMONTHDAY=15", datetime(2026, 3, 15, 9), datetime(2026, 3, 16, 9),
                  "FREQ=MONTHLY;BYMONTHDAY=16"),
                 ("FREQ=YEARLY;BYMONTH=11;BYDAY=4TH", datetime(2026, 11, 26, 9), datetime(2026, 12, 3, 9),
                  "FREQ=YEARLY;BYMONTH=12;BYDAY=1TH"),
                 ("FREQ=MONTHLY;BYDAY=4MO", datetime(2026, 1, 26, 9), datetime(2026, 1, 29, 9),
                  "FREQ=MONTHLY;BYDAY=-1TH"),  # a 5th Thursday is not in every month: the last is
                 ("FREQ=MONTHLY;BYDAY=-1SA", datetime(2026, 10, 31, 9), datetime(2026, 11, 1, 9),
                  "FREQ=MONTHLY;BYDAY=1SU"),
                 ("FREQ=DAILY;BYHOUR=9,14", datetime(2026, 3, 2, 9), datetime(2026, 3, 2, 14),
                  "FREQ=DAILY;BYHOUR=14,19")]
        for rule, old, new, expected in cases:
            with self.subTest(rule):
                series = event(start=old.replace(tzinfo=NEW_YORK), rrule=rule)
                self.assertEqual(icsmail.update(series, start=new.replace(tzinfo=NEW_YORK)).rrule, expected)

    def test_a_moved_series_keeps_what_it_excluded(self):
        def days(series: icsmail.Event) -> list:
            return [(t.month, t.day) for t in icsmail.occurrences(series)]

        monthly = event(start=datetime(2026, 6, 9, 9, tzinfo=NEW_YORK), rrule="FREQ=MONTHLY;BYDAY=2TU;COUNT=4",
                        exdates=[datetime(2026, 7, 14, 9, tzinfo=NEW_YORK)])  # the 2nd Tuesday of July
        moved = icsmail.update(monthly, start=datetime(2026, 6, 10, 9, tzinfo=NEW_YORK))
        self.assertEqual(days(moved), [(6, 10), (8, 12), (9, 9)])  # the 2nd Wednesday of July: 8, not 15
        weekdays = event(start=datetime(2026, 3, 2, 9, tzinfo=NEW_YORK),
                         rrule="FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR;COUNT=6",
                         exdates=[datetime(2026, 3, 6, 9, tzinfo=NEW_YORK)])  # a Friday off
        moved = icsmail.update(weekdays, start=datetime(2026, 3, 3, 10, tzinfo=NEW_YORK))  # to another of its days:
        self.assertEqual(days(moved), [(3, 3), (3, 4), (3, 5), (3, 9)])  # it starts later, on the same days, and
        self.assertEqual(moved.exdates, (datetime(2026, 3, 6, 10, tzinfo=NEW_YORK),))  # the Friday stays off
        self.assertEqual(moved.rrule, "FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR;COUNT=5")  # and ends on the same day
        with_rdate = event(start=datetime(2026, 3, 2, 9, tzinfo=NEW_YORK), rrule="FREQ=WEEKLY;COUNT=2",
                           rdates=[datetime(2026, 3, 20, 9, tzinfo=NEW_YORK)])
        moved = icsmail.update(with_rdate, start=datetime(2026, 3, 2, 11, tzinfo=NEW_YORK))
        self.assertEqual(moved.rdates, (datetime(2026, 3, 20, 11, tzinfo=NEW_YORK),))

    def test_a_series_moved_into_another_zone(self):
        series = event(start=datetime(2026, 3, 2, 9, tzinfo=NEW_YORK),
                       rrule="FREQ=WEEKLY;BYDAY=MO;UNTIL=20260330T130000Z")
        moved = icsmail.update(series, start=datetime(2026, 3, 3, 10, tzinfo=LONDON))  # Tuesdays 10:00 in London
        self.assertEqual(moved.rrule, "FREQ=WEEKLY;BYDAY=TU;UNTIL=20260331T090000Z")
        self.assertEqual(len(list(icsmail.occurrences(moved))), 5)

    def test_a_series_cannot_move_off_its_rule(self):  # a weekday series moved to a Saturday: say so
        series = event(start=datetime(2026, 3, 2, 9, tzinfo=NEW_YORK), rrule="FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR")
        self.assertEqual(icsmail.update(series, start=datetime(2026, 3, 3, 9, tzinfo=NEW_YORK)).rrule, series.rrule)
        with self.assertRaisesRegex(ValueError, r"start 2026-03-07 09:00:00-05:00: the series' RRULE "
                                                r"FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR has no occurrence then"):
            icsmail.update(series, start=datetime(2026, 3, 7, 9, tzinfo=NEW_YORK))
        self.assertEqual(icsmail.update(series, start=datetime(2026, 3, 7, 9, tzinfo=NEW_YORK),
                                        rrule="FREQ=WEEKLY;BYDAY=SA").rrule, "FREQ=WEEKLY;BYDAY=SA")

    def test_update_bumps_sequence_only_for_significant_changes(self):
        ev = event()
        moved = icsmail.update(ev, start=datetime(2026, 12, 2, 10, tzinfo=LONDON))
        self.assertEqual((moved.uid, moved.sequence), (ev.uid, 1))
        self.assertGreater(moved.dtstamp, ev.dtstamp)
        self.assertEqual(icsmail.update(ev, description="agenda").sequence, 0)
        self.assertEqual(icsmail.update(ev, location="Room 5").sequence, 1)
        self.assertEqual(icsmail.update(ev, end=datetime(2026, 12, 1, 12, tzinfo=LONDON)).duration, None)

    def test_an_end_said_another_way_is_no_change(self):  # it raised SEQUENCE and asked everyone again
        ev = event(attendees=["bob@example.com"])
        mine = icsmail.apply_reply(ev, icsmail.reply(ev, "bob@example.com", "accept"))
        for end in (ev.end_time, ev.end_time.astimezone(NEW_YORK)):
            with self.subTest(end=end):
                same = icsmail.update(mine, end=end)
                self.assertEqual((same.duration, same.end, same.sequence, same.attendees[0].partstat),
                                 (None, end, 0, "ACCEPTED"))
        self.assertEqual(icsmail.update(mine, end=ev.end_time + timedelta(minutes=1)).sequence, 1)
        longer = icsmail.update(icsmail.update(mine, end=ev.end_time), duration=ev.duration + timedelta(minutes=1))
        self.assertEqual((longer.sequence, longer.attendees[0].partstat), (1, "NEEDS-ACTION"))

    def test_days_said_as_hours_change_a_series(self):  # P1D is 23 hours on the day the clocks go forward
        ev = event(start=datetime(2026, 3, 1, 10, tzinfo=NEW_YORK), duration=timedelta(days=1),
                   rrule="FREQ=WEEKLY;COUNT=4", attendees=["bob@example.com"])
        self.assertEqual(icsmail.update(ev, end=ev.end_time).sequence, 1)  # 24 hours on 7 March as well
        single = dataclasses.replace(ev, rrule=None)
        self.assertEqual(icsmail.update(single, end=single.end_time).sequence, 0)

    def test_moving_the_start_keeps_the_length_and_asks_again(self):
        ev = event(duration=None, end=datetime(2026, 3, 27, 10, 30, tzinfo=LONDON), start=datetime(
            2026, 3, 27, 10, tzinfo=LONDON), attendees=["bob@example.com", "alice@example.com"])
        mine = icsmail.apply_reply(ev, icsmail.reply(ev, "bob@example.com", "accept"))
        moved = icsmail.update(mine, start=datetime(2026, 3, 30, 10, tzinfo=LONDON))  # after the clocks change
        self.assertEqual(moved.end, datetime(2026, 3, 30, 10, 30, tzinfo=LONDON))
        self.assertEqual([(a.partstat, a.rsvp) for a in moved.attendees], [("NEEDS-ACTION", True)] * 2)
        self.assertEqual(icsmail.update(mine, description="agenda").attendees, mine.attendees)
        day = event(duration=None, start=date(2026, 12, 1), end=date(2026, 12, 3))
        self.assertEqual(icsmail.update(day, start=date(2027, 1, 1)).end, date(2027, 1, 3))

    def test_only_a_reply_is_applied(self):
        ev = event(attendees=["bob@example.com"])
        request = icsmail.loads(icsmail.dumps(icsmail.update(ev, attendees=[icsmail.Attendee(
            "bob@example.com", partstat="DECLINED")]), method="REQUEST"))
        with self.assertRaisesRegex(ValueError, "is a REQUEST, not a REPLY"):
            icsmail.apply_reply(ev, request)
        proposal = icsmail.Calendar([icsmail.reply(ev, "bob@example.com", "accept")], method="COUNTER")
        with self.assertRaisesRegex(ValueError, r"is a COUNTER, not a REPLY: .* \(a counter-proposal: to take it, "
                                                r"send update\(event, start=..., ...\) as a REQUEST\)$"):
            icsmail.apply_reply(ev, proposal)
        counter = icsmail.loads(icsmail.dumps(proposal)).events[0]  # the event alone, taken from the calendar
        with self.assertRaisesRegex(ValueError, r"^the event came in a COUNTER, not a REPLY: .* \(a counter-proposal"):
            icsmail.apply_reply(ev, counter)
        answer = icsmail.loads(icsmail.dumps(icsmail.reply(ev, "bob@example.com", "accept"), method="REPLY"))
        self.assertEqual(icsmail.apply_reply(ev, answer.events[0]).attendees[0].partstat, "ACCEPTED")

    def test_a_reply_about_one_occurrence_says_where_it_applies(self):
        series = event(rrule="FREQ=DAILY;COUNT=3")
        day = datetime(2026, 12, 2, 10, tzinfo=LONDON)
        answer = icsmail.reply(series, "bob@example.com", "decline", recurrence_id=day)
        with self.assertRaisesRegex(ValueError, r"^the reply is about the occurrence 2026-12-02 10:00:00\+00:00, not "
                                                r"the whole series; apply it to your copy of that occurrence"):
            icsmail.apply_reply(series, answer)
        changed = icsmail.update(series, recurrence_id=day, description="Agenda")  # the version answered
        self.assertEqual(icsmail.apply_reply(changed, answer).attendees[0].partstat, "DECLINED")

    def test_a_published_event_is_cancelled_without_attendees(self):
        published = icsmail.Event("Talk", date(2026, 12, 1), organizer="alice@example.com")  # RFC 5546 3.2.1
        self.assertIn("STATUS:CANCELLED", icsmail.dumps(icsmail.cancel(published), method="CANCEL"))

    def test_events_read_with_odd_properties_can_still_change(self):
        ev = icsmail.loads(calendar_with("DTSTART:20261201T100000Z", "DURATION:PT1H", "PRIORITY:high",
                                         "ORGANIZER:mailto:alice@example.com",
                                         "ATTENDEE:mailto:bob@example.com")).events[0]
        self.assertEqual(ev.extra[0].name, "PRIORITY")  # unreadable: kept as it was
        answered = icsmail.apply_reply(ev, icsmail.reply(ev, "bob@example.com", "accept"))
        self.assertEqual(answered.attendees[0].partstat, "ACCEPTED")
        self.assertEqual(icsmail.update(ev, location="Room 2").sequence, 1)

    def test_moving_an_event_beyond_what_dates_hold_is_refused(self):
        ev = event(duration=None, end=datetime(2026, 12, 1, 12, tzinfo=LONDON))
        with self.assertRaisesRegex(ValueError, "give end or duration too"):
            icsmail.update(ev, start=datetime(9999, 12, 31, 23, tzinfo=UTC))
        with self.assertRaisesRegex(ValueError, "not both dates or both times"):
            icsmail.update(event(start=date(2026, 12, 1), duration=None, end=date(2026, 12, 2)),
                           start=datetime(2026, 12, 1, 10, tzinfo=UTC))

    def test_cancel_whole_event(self):
        c = icsmail.cancel(event(alarms=[icsmail.Alarm()]))
        self.assertEqual((c.status, c.sequence, c.alarms), ("CANCELLED", 1, ()))
        text = icsmail.dumps(c, method="CANCEL")
        self.assertIn("STATUS:CANCELLED", text)
        self.assertIn("SEQUENCE:1", text)

    def test_a_counted_series_that_skips_days_keeps_its_zone_to_the_end(self):
        weekly = event(start=datetime(1990, 3, 5, 9, tzinfo=NEW_YORK), rrule="FREQ=DAILY;BYDAY=MO;COUNT=10")
        self.assertIn("DTSTART:19900401T020000", icsmail.dumps(weekly))  # the change in its 6th week

    def test_cancel_one_occurrence(self):
        ev = event(rrule="FREQ=DAILY;COUNT=10")
        day = datetime(2026, 12, 3, 10, tzinfo=LONDON)
        c = icsmail.cancel(ev, recurrence_id=day)
        self.assertEqual((c.recurrence_id, c.start, c.rrule), (day, day, None))
        self.assertIn("RECURRENCE-ID;TZID=Europe/London:20261203T100000", icsmail.dumps(c, method="CANCEL"))
        with self.assertRaisesRegex(ValueError, "does not recur"):
            icsmail.cancel(event(), recurrence_id=day)
        with self.assertRaisesRegex(ValueError, "recurrence_id 2026-12-03 must be a datetime"):
            icsmail.cancel(ev, recurrence_id=day.date())

    def test_a_recurrence_id_must_name_an_occurrence(self):  # else clients show a stray event or keep the old one
        series = event(rrule="FREQ=WEEKLY;COUNT=3", exdates=[datetime(2026, 12, 8, 10, tzinfo=LONDON)])
        for when, why in ((datetime(2026, 12, 1, 11, tzinfo=LONDON),
                           "the nearest are 2026-12-01 10:00:00+00:00 and 2026-12-15 10:00:00+00:00"),
                          (datetime(2026, 12, 8, 10, tzinfo=LONDON), "(the series' EXDATE excludes it)"),
                          (datetime(2026, 12, 22, 10, tzinfo=LONDON), "its last is 2026-12-15 10:00:00+00:00"),
                          (datetime(2026, 11, 24, 10, tzinfo=LONDON), "its first is 2026-12-01 10:00:00+00:00")):
            with self.subTest(when=when):
                with self.assertRaisesRegex(ValueError, f"recurrence_id {re.escape(str(when))} is not an occurrence "
                                                        f"of event 'review-1@example.com'.*{re.escape(why)}"):
                    icsmail.cancel(series, recurrence_id=when)
                with self.assertRaisesRegex(ValueError, "is not an occurrence"):
                    icsmail.update(series, recurrence_id=when, location="Room 5")
        summer = event(start=datetime(2026, 6, 2, 10, tzinfo=LONDON), rrule="FREQ=WEEKLY;COUNT=3")
        in_utc = datetime(2026, 6, 9, 9, tzinfo=timezone.utc)  # the same instant as the 2nd occurrence
        self.assertEqual(icsmail.cancel(summer, recurrence_id=in_utc).recurrence_id, in_utc)
        with self.assertRaisesRegex(ValueError, "is not an occurrence"):  # its wall clock, in UTC: an hour late
            icsmail.cancel(summer, recurrence_id=datetime(2026, 6, 9, 10, tzinfo=timezone.utc))

    def test_apply_cancel_of_one_occurrence_excludes_it_from_the_series(self):
        series = event(rrule="FREQ=DAILY;COUNT=5")
        day = datetime(2026, 12, 3, 10, tzinfo=LONDON)
        mine = icsmail.apply_cancel(series, icsmail.cancel(series, recurrence_id=day))
        self.assertEqual((mine.exdates, mine.sequence, mine.status), ((day,), 1, None))
        self.assertIn("EXDATE;TZID=Europe/London:20261203T100000", icsmail.dumps(icsmail.update(mine, location="B")))
        self.assertEqual([t.day for t in icsmail.occurrences(mine)], [1, 2, 4, 5])

    def test_a_changed_occurrence_is_cancelled_at_its_own_sequence(self):  # attendees hold it at 2
        series = event(rrule="FREQ=DAILY;COUNT=5")
        day = datetime(2026, 12, 3, 10, tzinfo=LONDON)
        changed = icsmail.update(icsmail.update(series, recurrence_id=day, start=day.replace(hour=11)),
                                 start=day.replace(hour=12))
        gone = icsmail.cancel(changed)
        self.assertEqual((changed.sequence, gone.sequence, gone.recurrence_id, gone.status), (2, 3, day, "CANCELLED"))
        self.assertEqual(icsmail.apply_cancel(series, gone).exdates, (day,))

    def test_a_cancel_of_this_and_future_occurrences(self):  # RFC 5545 3.2.13 RANGE=THISANDFUTURE
        series = event(rrule="FREQ=WEEKLY;COUNT=6")
        cut = datetime(2026, 12, 15, 10, tzinfo=LONDON)
        cancelled = icsmail.cancel(series, recurrence_id=cut, this_and_future=True)
        self.assertIn("RECURRENCE-ID;TZID=Europe/London;RANGE=THISANDFUTURE:20261215T100000\r\n",
                      unfolded(icsmail.dumps(cancelled, method="CANCEL")))
        mail = icsmail.loads(bytes(icsmail.build_message(cancelled)))
        for applied in (icsmail.apply_cancel(series, cancelled), icsmail.apply_cancel(series, mail)):
            self.assertEqual([t.day for t in icsmail.occurrences(applied)], [1, 8])
        plain = next(p for p in parse_mail(icsmail.build_message(cancelled)).walk()
                     if p.get_content_type() == "text/plain")
        self.assertTrue(plain.get_content().startswith("This event has been cancelled from Tue 15 Dec 2026 10:00 on."))
        with self.assertRaisesRegex(ValueError, r"this_and_future=True\) needs recurrence_id"):
            icsmail.cancel(series, this_and_future=True)

    def test_answers_that_are_none_are_refused(self):
        with self.assertRaisesRegex(ValueError, "reply partstat 'needs-action' is no answer to an event"):
            icsmail.reply(event(), "bob@example.com", "needs-action")
        with self.assertRaisesRegex(ValueError, r"cancel\(attendees=\[\]\) un-invites nobody"):
            icsmail.cancel(event(), attendees=[])

    def test_an_occurrence_keeps_its_recurrence_id(self):  # another would name another (or no) occurrence
        changed = icsmail.update(event(rrule="FREQ=WEEKLY;COUNT=4"),
                                 recurrence_id=datetime(2026, 12, 8, 10, tzinfo=LONDON))
        with self.assertRaisesRegex(ValueError, "is already the occurrence 2026-12-08 10:00:00"):
            icsmail.update(changed, recurrence_id=datetime(2030, 1, 1, 10, tzinfo=LONDON))
        self.assertEqual(icsmail.update(changed, recurrence_id=changed.recurrence_id, location="X").location, "X")

    def test_a_cancel_of_a_series_and_its_changed_occurrence_applies_to_both_copies(self):
        series = icsmail.update(icsmail.update(event(rrule="FREQ=WEEKLY;COUNT=4"), location="A"), location="B")
        changed = icsmail.update(event(rrule="FREQ=WEEKLY;COUNT=4"), start=datetime(2026, 12, 8, 11, tzinfo=LONDON),
                                 recurrence_id=datetime(2026, 12, 8, 10, tzinfo=LONDON))
        invited = icsmail.loads(bytes(icsmail.build_message(icsmail.Calendar([series, changed])))).events
        mail = icsmail.loads(bytes(icsmail.build_message(icsmail.Calendar([icsmail.cancel(series),
                                                                          icsmail.cancel(changed)]))))
        for copy in invited:  # the series' cancel (3) applied first raised the copy past the occurrence's (2)
            with self.subTest(recurrence_id=copy.recurrence_id):
                self.assertEqual(icsmail.apply_cancel(copy, mail, attendee="bob@example.com").status, "CANCELLED")

    def test_apply_cancel_refuses_a_cancel_from_another_than_the_organizer(self):  # RFC 5546 3.2.5
        ev = event(attendees=["bob@example.com"])
        forged = dataclasses.replace(icsmail.cancel(ev), organizer="bob@example.com")
        with self.assertRaisesRegex(ValueError, r"^the cancel comes from bob@example.com, and alice@example.com "
                                                r"organizes event 'review-1@example.com': only the organizer "
                                                r"cancels it \(RFC 5546 3.2.5\)$"):
            icsmail.apply_cancel(ev, icsmail.loads(icsmail.dumps(forged, method="CANCEL")))
        same = dataclasses.replace(icsmail.cancel(ev), organizer="ALICE@example.com")  # an address is no case
        self.assertEqual(icsmail.apply_cancel(ev, same).status, "CANCELLED")
        unsigned = dataclasses.replace(icsmail.cancel(ev), organizer=None)
        with self.assertRaisesRegex(ValueError, r"^the cancel comes from no organizer, and alice@example.com "
                                                r"organizes event 'review-1@example.com'"):
            icsmail.apply_cancel(ev, unsigned)

    def test_a_cancel_to_a_copy_that_missed_an_update_says_so(self):  # not only "not an occurrence"
        series = event(rrule="FREQ=WEEKLY;COUNT=4", attendees=["bob@example.com"])
        moved = icsmail.update(series, start=series.start + timedelta(days=1))
        sent = icsmail.cancel(moved, recurrence_id=moved.start + timedelta(days=7))
        with self.assertRaisesRegex(ValueError, r"is not an occurrence of event .*\(the cancel is of version 2 and "
                                                r"this copy of version 0: it may have missed the update that moved "
                                                r"the series\)$"):
            icsmail.apply_cancel(series, sent, attendee="bob@example.com")
        self.assertEqual(icsmail.apply_cancel(moved, sent, attendee="bob@example.com").exdates, (sent.recurrence_id,))

    def test_apply_cancel_refuses_an_event_of_another_message(self):  # taken from the calendar read
        ev = event(attendees=["bob@example.com"])
        request = icsmail.loads(icsmail.dumps(icsmail.update(ev, location="B"), method="REQUEST")).events[0]
        with self.assertRaisesRegex(ValueError, r"^the event came in a REQUEST, not a CANCEL$"):
            icsmail.apply_cancel(ev, request)

    def test_apply_cancel_reads_the_cancel_mail_and_is_idempotent(self):
        series = event(rrule="FREQ=DAILY;COUNT=5")
        sent = icsmail.cancel(series, recurrence_id=datetime(2026, 12, 3, 10, tzinfo=LONDON))
        read = icsmail.loads(bytes(icsmail.build_message(sent)))
        once = icsmail.apply_cancel(series, read)
        self.assertEqual((once.exdates, once.sequence), ((datetime(2026, 12, 3, 10, tzinfo=LONDON),), 1))
        self.assertEqual(icsmail.apply_cancel(once, read), once)

    def test_apply_cancel_of_the_whole_event_and_of_attendees(self):
        ev = event(attendees=["bob@example.com", "carol@example.com"])
        self.assertEqual(icsmail.apply_cancel(ev, icsmail.cancel(ev)).status, "CANCELLED")
        gone = icsmail.apply_cancel(ev, icsmail.cancel(ev, attendees=["Carol@Example.com"]))
        self.assertEqual(([a.email for a in gone.attendees], gone.status, gone.sequence),
                         (["bob@example.com"], None, 1))

    def test_apply_cancel_refuses_what_it_cannot_apply(self):
        series = event(rrule="FREQ=DAILY;COUNT=5", sequence=2)
        old = icsmail.cancel(dataclasses.replace(series, sequence=0))
        with self.assertRaisesRegex(ValueError, "cancel is of version 1 of the event, which is now at version 2"):
            icsmail.apply_cancel(series, old)
        other = icsmail.cancel(event(uid="other@example.com"))
        with self.assertRaisesRegex(ValueError, "about event 'other@example.com', not 'review-1@example.com'"):
            icsmail.apply_cancel(series, other)
        pair = dataclasses.replace(series, attendees=["bob@example.com", "carol@example.com"])
        one = icsmail.cancel(pair, recurrence_id=datetime(2026, 12, 2, 10, tzinfo=LONDON),
                             attendees=["bob@example.com"])
        with self.assertRaisesRegex(ValueError, "un-invites attendees from the occurrence .* alone"):
            icsmail.apply_cancel(pair, one)
        with self.assertRaisesRegex(ValueError, "the calendar is a REQUEST, not a CANCEL"):
            icsmail.apply_cancel(series, icsmail.Calendar([series], method="REQUEST"))

    def test_apply_cancel_of_this_and_future_ends_the_series_before_it(self):  # RFC 5545 3.2.13 RANGE
        series = event(start=datetime(2026, 6, 1, 10, tzinfo=NEW_YORK), rrule="FREQ=DAILY;COUNT=10",
                       rdates=[datetime(2026, 6, 3, 15, tzinfo=NEW_YORK), datetime(2026, 6, 20, 15, tzinfo=NEW_YORK)],
                       exdates=[datetime(2026, 6, 2, 10, tzinfo=NEW_YORK), datetime(2026, 6, 8, 10, tzinfo=NEW_YORK)])
        mine = icsmail.apply_cancel(series, self.this_and_future("TZID=America/New_York:20260605T100000"))
        self.assertEqual((mine.rrule, mine.status, mine.sequence), ("FREQ=DAILY;UNTIL=20260605T135959Z", None, 1))
        self.assertEqual([(t.day, t.hour) for t in icsmail.occurrences(mine)], [(1, 10), (3, 10), (3, 15), (4, 10)])
        self.assertEqual((len(mine.rdates), len(mine.exdates)), (1, 1))  # those from the 5th on are gone
        again = icsmail.apply_cancel(mine, self.this_and_future("TZID=America/New_York:20260605T100000"))
        self.assertEqual(again, mine)

    def test_apply_cancel_of_this_and_future_from_the_first_cancels_the_whole_series(self):
        series = event(start=datetime(2026, 6, 1, 10, tzinfo=NEW_YORK), rrule="FREQ=DAILY")
        mine = icsmail.apply_cancel(series, self.this_and_future("TZID=America/New_York:20260601T100000"))
        self.assertEqual((mine.rrule, mine.status), ("FREQ=DAILY", "CANCELLED"))

    def test_apply_cancel_of_this_and_future_from_the_start_keeps_an_earlier_rdate(self):
        start, before = datetime(2026, 1, 12, 9, tzinfo=NEW_YORK), datetime(2026, 1, 5, 9, tzinfo=NEW_YORK)
        series = event(start=start, rrule="FREQ=WEEKLY;COUNT=4", rdates=[before])
        mine = icsmail.apply_cancel(series, self.this_and_future("TZID=America/New_York:20260112T090000"))
        self.assertEqual(list(icsmail.occurrences(icsmail.loads(icsmail.dumps(mine)).events[0])), [before])
        self.assertEqual((mine.rrule, mine.status, mine.exdates), (None, None, (start,)))

    def test_apply_cancel_of_this_and_future_keeps_a_count_that_ends_before_it(self):
        series = event(start=datetime(2026, 6, 1, 10, tzinfo=NEW_YORK), rrule="FREQ=DAILY;COUNT=3",
                       rdates=[datetime(2026, 6, 9, 10, tzinfo=NEW_YORK)])
        mine = icsmail.apply_cancel(series, self.this_and_future("TZID=America/New_York:20260609T100000"))
        self.assertEqual((mine.rrule, mine.rdates), ("FREQ=DAILY;COUNT=3", ()))

    def test_apply_cancel_of_this_and_future_ends_an_all_day_series_the_day_before(self):
        series = event(start=date(2026, 6, 1), duration=None, rrule="FREQ=WEEKLY;COUNT=10")
        mine = icsmail.apply_cancel(series, self.this_and_future("VALUE=DATE:20260615"))
        self.assertEqual((mine.rrule, list(icsmail.occurrences(mine))[-1]),
                         ("FREQ=WEEKLY;UNTIL=20260614", date(2026, 6, 8)))

    def test_apply_cancel_of_this_and_future_cancels_the_changed_occurrences_after_it(self):
        series = event(start=datetime(2026, 6, 1, 10, tzinfo=NEW_YORK), rrule="FREQ=DAILY;COUNT=10")
        cut = self.this_and_future("TZID=America/New_York:20260605T100000")
        for day, status in ((4, None), (5, "CANCELLED"), (7, "CANCELLED")):
            with self.subTest(day=day):
                moved = icsmail.update(series, recurrence_id=datetime(2026, 6, day, 10, tzinfo=NEW_YORK),
                                       location="Room 9", dtstamp=datetime(2025, 12, 1, tzinfo=UTC))  # sent first
                self.assertEqual(icsmail.apply_cancel(moved, cut).status, status)

    def this_and_future(self, recurrence_id: str) -> icsmail.Calendar:
        """The CANCEL mail of occurrence ``recurrence_id`` (``TZID=...:...``) and every one after it."""
        return icsmail.loads(golden(f"""
            BEGIN:VCALENDAR
            VERSION:2.0
            PRODID:-//test//EN
            METHOD:CANCEL
            BEGIN:VEVENT
            UID:review-1@example.com
            DTSTAMP:20260101T000000Z
            SEQUENCE:1
            STATUS:CANCELLED
            ORGANIZER:mailto:alice@example.com
            ATTENDEE:mailto:bob@example.com
            RECURRENCE-ID;RANGE=THISANDFUTURE;{recurrence_id}
            END:VEVENT
            END:VCALENDAR
            """))

    def test_apply_cancel_of_an_occurrence_the_series_no_longer_has_changes_nothing(self):
        series = event(start=datetime(2026, 6, 1, 10, tzinfo=NEW_YORK), rrule="FREQ=DAILY;COUNT=10")
        cut = icsmail.apply_cancel(series, self.this_and_future("TZID=America/New_York:20260605T100000"))
        seventh = icsmail.cancel(series, recurrence_id=datetime(2026, 6, 7, 10, tzinfo=NEW_YORK))
        self.assertEqual(icsmail.apply_cancel(cut, seventh), cut)  # ended before it: gone already
        both = icsmail.apply_cancel(icsmail.apply_cancel(series, seventh),
                                    self.this_and_future("TZID=America/New_York:20260605T100000"))
        self.assertEqual(both, cut)
        with self.assertRaisesRegex(ValueError, "is not an occurrence of event"):  # between two: no occurrence
            icsmail.apply_cancel(cut, dataclasses.replace(seventh, recurrence_id=datetime(
                2026, 6, 3, 11, tzinfo=NEW_YORK)))

    def test_apply_cancel_of_this_and_future_drops_the_periods_from_it_on(self):
        series = event(start=datetime(2026, 6, 1, 10, tzinfo=NEW_YORK), rrule="FREQ=DAILY;COUNT=10", rdates=[
            (datetime(2026, 6, 3, 15, tzinfo=NEW_YORK), timedelta(hours=1)),
            (datetime(2026, 6, 9, 15, tzinfo=NEW_YORK), timedelta(hours=1))])
        mine = icsmail.apply_cancel(series, self.this_and_future("TZID=America/New_York:20260605T100000"))
        self.assertEqual(mine.rdates, series.rdates[:1])

    def test_apply_cancel_of_this_and_future_does_not_walk_an_endless_series_to_the_cut(self):
        series = event(start=datetime(2024, 1, 1, 10, tzinfo=NEW_YORK), rrule="FREQ=MINUTELY")
        started = time.perf_counter()
        mine = icsmail.apply_cancel(series, self.this_and_future("TZID=America/New_York:20261201T100000"))
        self.assertEqual(mine.rrule, "FREQ=MINUTELY;UNTIL=20261201T145959Z")
        self.assertLess(time.perf_counter() - started, 1.0)  # a million minutes lie between

    def test_apply_cancel_of_this_and_future_reads_a_floating_recurrence_id_on_the_series_clock(self):
        series = event(start=datetime(2026, 6, 1, 10, tzinfo=NEW_YORK), rrule="FREQ=DAILY;COUNT=10")
        mine = icsmail.apply_cancel(series, self.this_and_future("VALUE=DATE-TIME:20260605T100000"))
        self.assertEqual(mine.rrule, "FREQ=DAILY;UNTIL=20260605T135959Z")

    def test_apply_cancel_reads_range_only_as_a_parameter(self):
        series = event(start=datetime(2026, 6, 1, 10, tzinfo=NEW_YORK), rrule="FREQ=DAILY;COUNT=10")
        one = self.this_and_future("TZID=America/New_York:20260605T100000")
        text = icsmail.dumps(one).replace(";RANGE=THISANDFUTURE", ';X-NOTE="a;RANGE=THISANDFUTURE;b"')
        mine = icsmail.apply_cancel(series, icsmail.loads(text))
        self.assertEqual((mine.rrule, len(mine.exdates)), (series.rrule, 1))  # that occurrence alone

    def test_apply_cancel_of_a_mail_about_several_occurrences_applies_what_concerns_each_copy(self):
        series = event(rrule="FREQ=DAILY;COUNT=5", attendees=["bob@example.com", "carol@example.com"])
        days = [datetime(2026, 12, d, 10, tzinfo=LONDON) for d in (2, 3, 4)]
        moved = [icsmail.update(series, recurrence_id=day, location="Room 9") for day in days]  # sent before
        off = icsmail.cancel(series, recurrence_id=days[0])  # the 2nd for everyone, the 3rd for Bob alone
        bob_off = icsmail.cancel(series, recurrence_id=days[1], attendees=["bob@example.com"])
        mail = icsmail.loads(bytes(icsmail.build_message(icsmail.Calendar([off, bob_off], method="CANCEL"))))
        self.assertEqual(icsmail.apply_cancel(series, mail).exdates, (days[0],))
        self.assertEqual(icsmail.apply_cancel(series, mail, attendee="bob@example.com").exdates, tuple(days[:2]))
        self.assertEqual([icsmail.apply_cancel(m, mail).status for m in moved], ["CANCELLED", None, None])
        self.assertEqual([a.email for a in icsmail.apply_cancel(moved[1], mail).attendees], ["carol@example.com"])
        self.assertEqual(icsmail.apply_cancel(moved[2], mail), moved[2])  # about other occurrences

    def test_apply_cancel_of_the_series_cancels_an_occurrence_changed_more_often(self):
        series = event(rrule="FREQ=DAILY;COUNT=5", dtstamp=datetime(2026, 11, 1, tzinfo=UTC))
        day = datetime(2026, 12, 3, 10, tzinfo=LONDON)
        once = icsmail.update(series, recurrence_id=day, start=day + timedelta(hours=1),
                              dtstamp=datetime(2026, 11, 2, tzinfo=UTC))
        twice = icsmail.update(once, start=day + timedelta(hours=2), dtstamp=datetime(2026, 11, 3, tzinfo=UTC))
        gone = icsmail.cancel(series)  # SEQUENCE 1, below the occurrence's 2: the two count apart
        mail = icsmail.loads(bytes(icsmail.build_message(gone)))
        self.assertEqual((gone.sequence, twice.sequence), (1, 2))
        self.assertEqual(icsmail.apply_cancel(twice, mail).status, "CANCELLED")
        for one in (icsmail.cancel(series, recurrence_id=day),  # SEQUENCE 1 too: made from the series
                    icsmail.cancel(series, recurrence_id=day - timedelta(days=1), this_and_future=True)):
            with self.subTest(recurrence_id=one.recurrence_id):
                self.assertEqual(icsmail.apply_cancel(twice, one).status, "CANCELLED")

    def test_apply_cancel_of_the_series_stamped_before_an_occurrence_changed_is_refused(self):
        series = event(rrule="FREQ=DAILY;COUNT=5", dtstamp=datetime(2026, 11, 1, tzinfo=UTC))
        gone = dataclasses.replace(icsmail.cancel(series), dtstamp=datetime(2026, 11, 2, tzinfo=UTC))
        day = datetime(2026, 12, 3, 10, tzinfo=LONDON)
        moved = icsmail.update(series, recurrence_id=day, location="Room 9", sequence=0,
                               dtstamp=datetime(2026, 11, 3, tzinfo=UTC))
        with self.assertRaisesRegex(ValueError, "cancel is stamped 20261102T000000Z, before the version of the "
                                                "occurrence .* out of date"):
            icsmail.apply_cancel(moved, gone)

    def test_apply_cancel_of_the_same_version_stamped_earlier_is_refused(self):
        ev = event(attendees=["bob@example.com", "carol@example.com"], dtstamp=datetime(2026, 11, 1, tzinfo=UTC))
        uninvite = dataclasses.replace(icsmail.cancel(ev, attendees=["bob@example.com"]),
                                       dtstamp=datetime(2026, 11, 2, tzinfo=UTC))
        mine = icsmail.apply_cancel(ev, uninvite)
        again = icsmail.update(mine, attendees=[*mine.attendees, "bob@example.com"],  # same SEQUENCE (2.1.4)
                               dtstamp=datetime(2026, 11, 3, tzinfo=UTC))
        self.assertEqual(again.sequence, uninvite.sequence)
        for attendee in ("bob@example.com", None):  # Bob's copy, the organizer's
            with self.subTest(attendee=attendee), self.assertRaisesRegex(
                    ValueError, "version 1, stamped 20261102T000000Z, .* stamped later \\(20261103T000000Z\\)"):
                icsmail.apply_cancel(again, uninvite, attendee=attendee)

    def test_apply_cancel_that_uninvites_you_cancels_your_copy(self):
        ev = event(attendees=["bob@example.com", "carol@example.com"])
        uninvite = icsmail.cancel(ev, attendees=["carol@example.com"])
        self.assertEqual(icsmail.apply_cancel(ev, uninvite, attendee="Carol@Example.com").status, "CANCELLED")
        self.assertIsNone(icsmail.apply_cancel(ev, uninvite, attendee="bob@example.com").status)
        everyone = icsmail.cancel(ev, attendees=["bob@example.com", "carol@example.com"])  # how some servers cancel
        self.assertEqual(icsmail.apply_cancel(ev, everyone, attendee="bob@example.com").status, "CANCELLED")

    def test_apply_cancel_that_uninvites_every_attendee_leaves_the_organizers_copy_without_them(self):
        ev = event(attendees=["bob@example.com"])
        mine = icsmail.apply_cancel(ev, icsmail.cancel(ev, attendees=["bob@example.com"]))
        self.assertEqual((mine.status, mine.attendees, mine.sequence), (None, (), 1))

    def test_uninvite(self):
        ev = event(attendees=["bob@example.com", "carol@example.com"], status="CONFIRMED")
        c = icsmail.cancel(ev, attendees=["carol@example.com"])
        self.assertEqual([a.email for a in c.attendees], ["carol@example.com"])
        self.assertIsNone(c.status)

    def test_an_uninvite_changed_with_replace_still_goes_as_a_cancel(self):
        ev = event(attendees=["bob@example.com", "carol@example.com"])
        c = dataclasses.replace(icsmail.cancel(ev, attendees=["carol@example.com"]), description="Sorry")
        msg = icsmail.build_message(c)
        self.assertEqual(msg["To"], "carol@example.com")
        part = next(p for p in msg.walk() if p.get_content_type() == "text/calendar")
        self.assertEqual((part.get_param("method"), msg["Subject"]), ("CANCEL", "Cancelled: Design review"))

    def test_apply_reply_with_its_arguments_swapped_says_so(self):  # not "answers nothing"
        ev = event(attendees=["bob@example.com"])
        answer = icsmail.reply(ev, "bob@example.com", "accept")
        for first in (answer, icsmail.loads(icsmail.dumps(answer, method="REPLY")).events[0]):
            with self.subTest(first=first), self.assertRaisesRegex(
                    ValueError, r"^the first argument is a reply: give the organizer's copy first"):
                icsmail.apply_reply(first, ev)

    def test_a_reply_above_the_copys_sequence_is_applied(self):  # clients (Tutanota) raised it in replies
        ev = event(attendees=["bob@example.com"])
        answer = dataclasses.replace(icsmail.reply(ev, "bob@example.com", "accept"), sequence=3)
        self.assertEqual([(a.partstat, a.rsvp) for a in icsmail.apply_reply(ev, answer).attendees],
                         [("ACCEPTED", False)])

    def test_a_cancelled_event_is_not_answered(self):  # RFC 5546 3.2.5: a CANCEL asks for no reply
        ev = icsmail.apply_cancel(event(attendees=["bob@example.com"]), icsmail.cancel(event(attendees=[
            "bob@example.com"])), attendee="bob@example.com")
        with self.assertRaisesRegex(ValueError, r"^event 'review-1@example.com' is cancelled \(STATUS:CANCELLED\): "
                                                r"there is nothing to answer$"):
            icsmail.reply(ev, "bob@example.com", "decline")

    def test_reply_and_apply(self):
        ev = event(attendees=["bob@example.com", icsmail.Attendee("carol@example.com", name="Carol")])
        answer = icsmail.reply(ev, "Carol@Example.com", "accept", comment="See you")
        self.assertEqual([(a.email, a.name, a.partstat) for a in answer.attendees],
                         [("carol@example.com", "Carol", "ACCEPTED")])
        self.assertEqual((answer.uid, answer.sequence, answer.alarms), (ev.uid, ev.sequence, ()))
        text = icsmail.dumps(answer, method="REPLY")
        self.assertIn("COMMENT:See you", text)
        updated = icsmail.apply_reply(ev, icsmail.loads(text))
        self.assertEqual([a.partstat for a in updated.attendees], ["NEEDS-ACTION", "ACCEPTED"])

    def test_every_word_for_an_answer(self):
        ev = event(attendees=["bob@example.com"])
        for word, partstat in (("accept", "ACCEPTED"), ("Accepted", "ACCEPTED"), ("decline", "DECLINED"),
                               ("DECLINED", "DECLINED"), ("tentative", "TENTATIVE"), ("maybe", "TENTATIVE")):
            with self.subTest(word=word):
                self.assertEqual(icsmail.reply(ev, "bob@example.com", word).attendees[0].partstat, partstat)

    def test_a_reply_goes_as_a_reply_from_the_attendee(self):  # as a REQUEST it came from the organizer
        ev = event(attendees=["bob@example.com", "carol@example.com"])
        for answer in (icsmail.reply(ev, "bob@example.com", "decline"),
                       dataclasses.replace(icsmail.reply(ev, "bob@example.com", "decline"), summary="Sorry")):
            msg = icsmail.build_message(answer)
            part = next(p for p in msg.walk() if p.get_content_type() == "text/calendar")
            self.assertEqual((part.get_param("method"), msg["From"], msg["To"]),
                             ("REPLY", "bob@example.com", "Alice Smith <alice@example.com>"))

    def test_outdated_reply_is_refused(self):
        ev = event(sequence=2)
        answer = icsmail.reply(dataclasses.replace(ev, sequence=1), "bob@example.com", "decline")
        with self.assertRaisesRegex(ValueError, "out of date"):
            icsmail.apply_reply(ev, answer)

    def test_a_delegation_gives_the_seat_to_the_delegate(self):  # RFC 5546 3.2.2.3
        ev = event(attendees=["bob@example.com", icsmail.Attendee("carol@example.com", role="OPT-PARTICIPANT")])
        answer = icsmail.reply(ev, "carol@example.com", "delegated", delegated_to="dave@example.com")
        mine = icsmail.apply_reply(ev, icsmail.loads(icsmail.dumps(answer, method="REPLY")))
        self.assertEqual([(a.email, a.role, a.partstat, a.delegated_to, a.delegated_from) for a in mine.attendees[1:]],
                         [("carol@example.com", "OPT-PARTICIPANT", "DELEGATED", ("dave@example.com",), ()),
                          ("dave@example.com", "OPT-PARTICIPANT", "NEEDS-ACTION", (), ("carol@example.com",))])
        later = icsmail.apply_reply(mine, icsmail.reply(mine, "dave@example.com", "accept"))
        self.assertEqual([(a.email, a.partstat) for a in later.attendees[1:]],
                         [("carol@example.com", "DELEGATED"), ("dave@example.com", "ACCEPTED")])

    def test_a_delegation_reply_that_names_the_delegate_too_is_applied(self):  # as RFC 5546 3.2.2.3 has it
        ev = event(attendees=["bob@example.com", "carol@example.com"])
        text = golden(f"""
            BEGIN:VCALENDAR
            VERSION:2.0
            PRODID:-//test//EN
            METHOD:REPLY
            BEGIN:VEVENT
            UID:{ev.uid}
            DTSTAMP:20261201T000000Z
            DTSTART;TZID=Europe/London:20261201T100000
            ORGANIZER:mailto:alice@example.com
            ATTENDEE;PARTSTAT=DELEGATED;DELEGATED-TO="mailto:dave@example.com":mailto:carol@example.com
            ATTENDEE;CN=Dave;DELEGATED-FROM="mailto:carol@example.com":mailto:dave@example.com
            END:VEVENT
            END:VCALENDAR
            """)
        mine = icsmail.apply_reply(ev, icsmail.loads(text))
        self.assertEqual([(a.email, a.name, a.partstat) for a in mine.attendees],
                         [("bob@example.com", None, "NEEDS-ACTION"), ("carol@example.com", None, "DELEGATED"),
                          ("dave@example.com", "Dave", "NEEDS-ACTION")])

    def test_a_reply_with_several_attendees_is_refused(self):
        ev = event(attendees=["bob@example.com", "carol@example.com"])
        with self.assertRaisesRegex(ValueError, "carries the one attendee who answers .* this one 2: bob@"):
            icsmail.apply_reply(ev, ev)  # the organizer's own copy is no answer

    def test_a_reply_that_answers_nothing_is_refused(self):  # it reset an answer applied to NEEDS-ACTION
        ev = event(attendees=["bob@example.com"])
        mine = icsmail.apply_reply(ev, icsmail.reply(ev, "bob@example.com", "accept"))
        empty = icsmail.update(icsmail.reply(mine, "bob@example.com", "accept"),
                               attendees=[icsmail.Attendee("bob@example.com", partstat="NEEDS-ACTION")])
        with self.assertRaisesRegex(ValueError, r"^the reply of bob@example.com answers nothing: its PARTSTAT is "
                                                r"NEEDS-ACTION \(RFC 5546 3.2.3\)$"):
            icsmail.apply_reply(mine, empty)

    def test_update_moves_a_series_exdates_with_its_start(self):  # else the excluded occurrences come back
        series = event(start=datetime(2026, 3, 2, 9, tzinfo=NEW_YORK), rrule="FREQ=WEEKLY;COUNT=5",
                       exdates=[datetime(2026, 3, 16, 9, tzinfo=NEW_YORK)])
        moved = icsmail.update(series, start=datetime(2026, 3, 3, 11, tzinfo=NEW_YORK))
        self.assertEqual(moved.exdates, (datetime(2026, 3, 17, 11, tzinfo=NEW_YORK),))
        self.assertIn("EXDATE;TZID=America/New_York:20260317T110000", icsmail.dumps(moved))
        days = event(start=date(2026, 3, 2), duration=None, rrule="FREQ=WEEKLY;COUNT=5", exdates=[date(2026, 3, 9)])
        self.assertEqual(icsmail.update(days, start=date(2026, 3, 4)).exdates, (date(2026, 3, 11),))
        given = icsmail.update(series, start=datetime(2026, 3, 3, 11, tzinfo=NEW_YORK), exdates=())
        self.assertEqual(given.exdates, ())  # given with the start: as given

    def test_a_naive_recurrence_id_is_refused_by_its_name(self):
        series = event(rrule="FREQ=DAILY;COUNT=5")
        for make in (icsmail.cancel, icsmail.update):
            with self.subTest(make.__name__), self.assertRaisesRegex(ValueError, r"^recurrence_id 2026-12-02T10:00:00 "
                                                                                 r"is a naive datetime"):
                make(series, recurrence_id=datetime(2026, 12, 2, 10))

    def test_update_turns_a_series_with_exdates_all_day_and_back(self):
        series = event(start=datetime(2026, 12, 4, 15, tzinfo=NEW_YORK), end=datetime(2026, 12, 4, 16, tzinfo=NEW_YORK),
                       duration=None, rrule="FREQ=WEEKLY;COUNT=6",
                       exdates=[datetime(2026, 12, 18, 15, tzinfo=NEW_YORK)])
        days = icsmail.update(series, start=date(2026, 12, 5), end=None, duration=timedelta(days=1))
        self.assertEqual((days.exdates, len(list(icsmail.occurrences(days)))), ((date(2026, 12, 19),), 5))
        again = icsmail.update(days, start=datetime(2026, 12, 4, 9, tzinfo=NEW_YORK), end=None,
                               duration=timedelta(hours=1))
        self.assertEqual((again.exdates, len(list(icsmail.occurrences(again)))),
                         ((datetime(2026, 12, 18, 9, tzinfo=NEW_YORK),), 5))

    def test_update_turns_a_rule_all_day_and_back(self):  # UNTIL of the new kind; the weekday follows the start
        series = event(start=date(2026, 12, 7), duration=None, rrule="FREQ=WEEKLY;BYDAY=MO;UNTIL=20261228")
        timed = icsmail.update(series, start=datetime(2026, 12, 8, 9, tzinfo=NEW_YORK), duration=timedelta(hours=1))
        self.assertEqual(timed.rrule, "FREQ=WEEKLY;BYDAY=TU;UNTIL=20261230T045959Z")  # to the end of Tue 29th
        self.assertEqual([o.day for o in icsmail.occurrences(timed)], [8, 15, 22, 29])
        days = icsmail.update(timed, start=date(2026, 12, 9), end=None, duration=None)
        self.assertEqual((days.rrule, [o.day for o in icsmail.occurrences(days)]),
                         ("FREQ=WEEKLY;BYDAY=WE;UNTIL=20261230", [9, 16, 23, 30]))

    def test_apply_reply_refuses_a_reply_stamped_in_the_future(self):  # recorded, it would bar every later one
        ev = event()
        answer = dataclasses.replace(icsmail.reply(ev, "bob@example.com", "accept"),
                                     dtstamp=datetime(9999, 12, 31, tzinfo=UTC))
        with self.assertRaisesRegex(ValueError, "stamped 99991231T000000Z, which is yet to come"):
            icsmail.apply_reply(ev, answer)

    def test_a_timed_rule_made_all_day_ends_on_the_day_of_its_last_time(self):  # not the UTC UNTIL's day
        berlin = ZoneInfo("Europe/Berlin")
        series = event(start=datetime(2027, 1, 1, 10, tzinfo=berlin), rrule="FREQ=DAILY;UNTIL=20270104T235959Z")
        days = icsmail.update(series, start=date(2027, 1, 1), duration=None, end=None)
        self.assertEqual([o.day for o in icsmail.occurrences(days)], [1, 2, 3, 4])

    def test_an_all_day_series_with_a_timed_until_read_from_a_file_can_be_made_timed(self):
        read = icsmail.loads(calendar_with("DTSTART;VALUE=DATE:20261201", "RRULE:FREQ=DAILY;UNTIL=20261210T000000Z",
                                           "ORGANIZER:mailto:alice@example.com", "ATTENDEE:mailto:bob@example.com"))
        timed = icsmail.update(read.events[0], start=datetime(2026, 12, 1, 10, tzinfo=NEW_YORK),
                               duration=timedelta(hours=1))
        self.assertEqual([o.day for o in icsmail.occurrences(timed)][-1], 10)

    def test_a_floating_until_is_told_as_the_day_of_the_last_time(self):
        self.assertEqual(icsmail._describe_rrule("FREQ=DAILY;UNTIL=20261210T095959", datetime(2026, 12, 1, 10)),
                         "every day, until 2026-12-09")

    def test_update_without_a_rule_drops_its_exdates(self):  # an EXDATE of the start would leave no event at all
        series = event(rrule="FREQ=DAILY;COUNT=3", exdates=[datetime(2026, 12, 1, 10, tzinfo=UTC)])
        single = icsmail.update(series, rrule=None)
        self.assertEqual((single.exdates, list(icsmail.occurrences(single))), ((), [series.start]))

    def test_update_of_one_occurrence_is_that_occurrence_changed(self):  # an override, not a second series
        series = event(start=datetime(2026, 10, 2, 10, tzinfo=NEW_YORK), rrule="FREQ=WEEKLY;COUNT=10",
                       rdates=[datetime(2026, 12, 24, 10, tzinfo=NEW_YORK)],
                       exdates=[datetime(2026, 10, 23, 10, tzinfo=NEW_YORK)],
                       attendees=[icsmail.Attendee("bob@example.com", partstat="ACCEPTED")])
        third = datetime(2026, 10, 16, 10, tzinfo=NEW_YORK)
        moved = icsmail.update(series, recurrence_id=third, start=third + timedelta(hours=1))
        self.assertEqual((moved.recurrence_id, moved.start, moved.duration, moved.rrule, moved.rdates, moved.exdates),
                         (third, third + timedelta(hours=1), timedelta(minutes=45), None, (), ()))
        self.assertEqual((moved.sequence, moved.attendees[0].partstat), (1, "NEEDS-ACTION"))
        placed = icsmail.update(series, recurrence_id=third, location="Room 5")  # its own time, asked again not
        self.assertEqual((placed.start, placed.sequence, placed.attendees[0].partstat), (third, 1, "ACCEPTED"))
        noted = icsmail.update(series, recurrence_id=third, description="Slides attached")
        self.assertEqual((noted.start, noted.sequence), (third, 0))
        text = icsmail.dumps(icsmail.Calendar([series, moved]), method="REQUEST")
        self.assertEqual([text.count(f"\r\n{name};TZID=America/New_York:") for name in ("RDATE", "EXDATE")], [1, 1])
        self.assertEqual(text.count("\r\nRRULE:FREQ=WEEKLY"), 1)
        with self.assertRaisesRegex(ValueError, "does not recur: update it whole"):
            icsmail.update(event(), recurrence_id=third)

    def test_update_sees_a_time_that_only_python_finds_equal(self):
        ev = event(start=datetime(2026, 11, 1, 1, 30, tzinfo=NEW_YORK), attendees=[
            icsmail.Attendee("bob@example.com", partstat="ACCEPTED")])
        later = icsmail.update(ev, start=ev.start.replace(fold=1))  # the second 01:30: an hour later
        self.assertEqual((later.sequence, later.attendees[0].partstat), (1, "NEEDS-ACTION"))
        series = event(start=datetime(2026, 3, 2, 15, tzinfo=LONDON), rrule="FREQ=WEEKLY;COUNT=10")
        moved = icsmail.update(series, start=datetime(2026, 3, 2, 10, tzinfo=NEW_YORK))  # one instant, other zone
        self.assertEqual(moved.sequence, 1)
        self.assertEqual(icsmail.update(series, start=datetime(2026, 3, 2, 15, tzinfo=LONDON)).sequence, 0)

    def test_an_older_reply_does_not_undo_a_newer_one(self):
        ev = event()
        accepted = dataclasses.replace(icsmail.reply(ev, "bob@example.com", "accept"), dtstamp=STAMP)
        declined = dataclasses.replace(icsmail.reply(ev, "bob@example.com", "decline"),
                                       dtstamp=STAMP + timedelta(days=1))
        mine = icsmail.apply_reply(ev, declined)
        self.assertIn("X-CALENDARSERVER-DTSTAMP=20260102T000000Z", unfolded(icsmail.dumps(mine)))
        kept = icsmail.loads(icsmail.dumps(mine, method="REQUEST")).events[0]  # the stamp lives in the file
        for copy in (mine, kept):
            with self.assertRaisesRegex(ValueError, "stamped 20260101T000000Z, before the reply of theirs "
                                                    r"already applied \(20260102T000000Z\)"):
                icsmail.apply_reply(copy, accepted)
        self.assertEqual(icsmail.apply_reply(icsmail.apply_reply(ev, accepted), declined).attendees[0].partstat,
                         "DECLINED")
        sent = icsmail.loads(bytes(icsmail.build_message(icsmail.update(mine, description="Agenda"))))
        self.assertEqual(sent.events[0].attendees[0].params, ())  # the organizer's note, not sent

    def test_what_a_file_says_is_kept_when_its_event_changes(self):  # the checks are for values given in code
        zone = ("BEGIN:VTIMEZONE\nTZID:W. Europe Standard Time\nBEGIN:STANDARD\nDTSTART:16010101T000000\n"
                "TZOFFSETFROM:+0100\nTZOFFSETTO:+0100\nEND:STANDARD\nEND:VTIMEZONE")
        read = icsmail.loads(calendar_with(
            "DTSTART;TZID=W. Europe Standard Time:20261201T100000", "DURATION:PT1H",
            "X-MS-OLK-ORIGINALSTART;TZID=W. Europe Standard Time:20261201T100000", "EXDATE:garbage",
            "ORGANIZER:mailto:alice@example.com", "ATTENDEE;PARTSTAT=COMPLETED:mailto:bob@example.com",
            "ATTENDEE:mailto:carol@example.com", zones=zone)).events[0]
        for changed in (icsmail.update(read, summary="Neu"), icsmail.cancel(read),
                        icsmail.apply_reply(read, icsmail.reply(read, "carol@example.com", "accept"))):
            text = lines_of(icsmail.dumps(changed, method="REQUEST" if changed.status is None else "CANCEL"))
            self.assertIn("X-MS-OLK-ORIGINALSTART;TZID=W. Europe Standard Time:20261201T100000", text)
            self.assertIn("TZID:W. Europe Standard Time", text)

    def test_a_rule_read_from_a_file_is_kept_when_its_event_changes(self):  # the reader warned of what is wrong
        for rule, warned in (("FREQ=DAILY;UNTIL=20261205", "does not have DTSTART's value type"),
                             ("FREQ=DAILY;UNTIL=20261130T000000Z", "is before DTSTART: the rule gives no occurrence"),
                             ("FREQ=SOMETIMES", "FREQ=SOMETIMES is not one of")):
            cal = icsmail.loads(calendar_with("DTSTART;TZID=Europe/London:20261201T100000", "DURATION:PT1H",
                                              f"RRULE:{rule}", "ORGANIZER:mailto:alice@example.com",
                                              "ATTENDEE:mailto:bob@example.com"))
            read = cal.events[0]
            with self.subTest(rule=rule):
                self.assertIn(warned, cal.warnings[0])
                self.assertEqual(icsmail.apply_cancel(read, icsmail.cancel(read)).status, "CANCELLED")
                self.assertEqual(icsmail.apply_reply(read, icsmail.reply(read, "bob@example.com", "accept"))
                                 .attendees[0].partstat, "ACCEPTED")
                self.assertIn(f"RRULE:{rule}", lines_of(icsmail.dumps(icsmail.update(read, location="Room 2"),
                                                                      method="REQUEST")))
        with self.assertRaisesRegex(ValueError, "UNTIL is before the start"):  # a rule given in code is checked
            dataclasses.replace(read, rrule="FREQ=DAILY;UNTIL=20261130T000000Z")
        before = icsmail.loads(calendar_with("DTSTART;TZID=Europe/London:20261201T100000",
                                             "RRULE:FREQ=DAILY;UNTIL=20261130T000000Z")).events[0]
        with self.assertRaisesRegex(ValueError, "UNTIL is before the start"):  # and so is one read, given a new start
            dataclasses.replace(before, start=before.start + timedelta(days=1))
        local = icsmail.loads(calendar_with("DTSTART;TZID=Europe/London:20261201T100000",
                                            "RRULE:FREQ=DAILY;UNTIL=20261205T100000")).events[0]  # UNTIL not in UTC
        with self.assertRaisesRegex(ValueError, "UNTIL must be in UTC"):  # the same instant in another zone
            dataclasses.replace(local, start=local.start.astimezone(NEW_YORK))

    def test_a_changed_event_still_defines_the_zone_its_kept_properties_name(self):
        zone = ("BEGIN:VTIMEZONE\nTZID:W. Europe Standard Time\nBEGIN:STANDARD\nDTSTART:16010101T030000\n"
                "TZOFFSETFROM:+0200\nTZOFFSETTO:+0100\nRRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10\nEND:STANDARD\n"
                "BEGIN:DAYLIGHT\nDTSTART:16010101T020000\nTZOFFSETFROM:+0100\nTZOFFSETTO:+0200\n"
                "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3\nEND:DAYLIGHT\nEND:VTIMEZONE")  # Outlook's, as Berlin's
        read = icsmail.loads(calendar_with(
            "DTSTART;TZID=W. Europe Standard Time:20261201T100000", "DURATION:PT1H",
            "X-MS-OLK-ORIGINALSTART;TZID=W. Europe Standard Time:20261201T100000",
            "ORGANIZER:mailto:alice@example.com", "ATTENDEE:mailto:bob@example.com", zones=zone)).events[0]
        self.assertEqual(read.start.tzinfo.key, "Europe/Berlin")  # the times: their IANA zone
        text = lines_of(icsmail.dumps(icsmail.update(read, location="Room 2"), method="REQUEST"))
        self.assertIn("TZID:W. Europe Standard Time", text)  # the file's rules, under the name the property uses
        self.assertIn("TZID:Europe/Berlin", text)
        display = "(UTC+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna"  # no Windows name: the same
        read = icsmail.loads(calendar_with(
            f'DTSTART;TZID="{display}":20261201T100000', "DURATION:PT1H",
            f'X-MS-OLK-ORIGINALSTART;TZID="{display}":20261201T100000', "ORGANIZER:mailto:alice@example.com",
            "ATTENDEE:mailto:bob@example.com", zones=zone.replace("W. Europe Standard Time", display))).events[0]
        text = lines_of(icsmail.dumps(icsmail.update(read, location="Room 2"), method="REQUEST"))
        self.assertIn(f"TZID:{display.replace(',', chr(92) + ',')}", text)

    def test_update_and_cancel_keep_the_parameters_read_with_unchanged_values(self):
        read = icsmail.loads(calendar_with(
            "SUMMARY;LANGUAGE=fr:Réunion", 'DESCRIPTION;ALTREP="https://example.com/d.html":Ordre du jour',
            "DTSTART:20261201T100000Z", "DTEND:20261201T110000Z", "ORGANIZER:mailto:alice@example.com",
            "ATTENDEE:mailto:bob@example.com")).events[0]
        moved = lines_of(icsmail.dumps(icsmail.update(read, location="Salle 2"), method="REQUEST"))
        self.assertIn("SUMMARY;LANGUAGE=fr:Réunion", moved)
        self.assertIn('DESCRIPTION;ALTREP="https://example.com/d.html":Ordre du jour', moved)
        rewritten = lines_of(icsmail.dumps(icsmail.update(read, description="Autre"), method="REQUEST"))
        self.assertIn("DESCRIPTION:Autre", rewritten)  # the old ALTREP was about the old text
        self.assertIn("SUMMARY;LANGUAGE=fr:Réunion", lines_of(icsmail.dumps(icsmail.cancel(read), method="CANCEL")))

    def test_the_organizers_copy_keeps_the_parameters_read_when_answers_apply(self):
        read = icsmail.loads(calendar_with(
            "SUMMARY;LANGUAGE=fr:Réunion", "DTSTART;X-ROOM-HINT=nord:20261201T100000Z", "DTEND:20261201T110000Z",
            "RRULE:FREQ=DAILY;COUNT=3", "ORGANIZER:mailto:alice@example.com", "ATTENDEE:mailto:bob@example.com"
        )).events[0]
        answered = icsmail.apply_reply(read, icsmail.reply(read, "bob@example.com", "accept"))
        past_the_end = icsmail.cancel(read, recurrence_id=datetime(2026, 12, 3, 10, tzinfo=UTC))
        for copy in (answered, icsmail.apply_cancel(icsmail.update(read, rrule="FREQ=DAILY;COUNT=2", sequence=0),
                                                    past_the_end)):
            with self.subTest(copy.sequence):
                written = lines_of(icsmail.dumps(copy))
                self.assertIn("SUMMARY;LANGUAGE=fr:Réunion", written)

    def test_a_cancelled_occurrence_keeps_its_exact_length(self):
        series = event(start=datetime(2026, 10, 31, 0, 30, tzinfo=NEW_YORK), duration=None,
                       end=datetime(2026, 10, 31, 2, 30, tzinfo=NEW_YORK), rrule="FREQ=DAILY;COUNT=5")
        gone = icsmail.cancel(series, recurrence_id=datetime(2026, 11, 1, 0, 30, tzinfo=NEW_YORK))
        self.assertEqual(gone.end.timestamp() - gone.start.timestamp(), 2 * 3600)  # the clocks went back at 02:00

    def test_uninvited_replier_is_added(self):
        ev = event()
        answer = icsmail.reply(ev, "dave@example.com", "tentative")
        self.assertEqual(icsmail.apply_reply(ev, answer).attendees[-1].email, "dave@example.com")


# --------------------------------------------------------------------------
# Mail: the iMIP message
# --------------------------------------------------------------------------

def parse_mail(msg) -> email.message.EmailMessage:
    return email.message_from_bytes(msg.as_bytes(), policy=email.policy.default)


class TestBuildMessage(unittest.TestCase):
    def test_tree_and_headers(self):
        msg = parse_mail(icsmail.build_message(event(attendees=["Bob <bob@example.com>", "carol@example.com"])))
        self.assertEqual([p.get_content_type() for p in msg.walk()],
                         ["multipart/mixed", "multipart/alternative", "text/plain", "text/calendar",
                          "application/ics"])
        self.assertEqual(msg["From"], "Alice Smith <alice@example.com>")
        self.assertEqual(msg["To"], "Bob <bob@example.com>, carol@example.com")
        self.assertEqual(msg["Subject"], "Design review")
        self.assertEqual(msg["Content-Class"], "urn:content-classes:calendarmessage")
        self.assertEqual(msg["MIME-Version"], "1.0")
        self.assertTrue(msg["Date"] and msg["Message-ID"].endswith("@example.com>"))
        self.assertEqual(msg.defects, [])

    def test_calendar_parts(self):
        ev = event(summary="Réunion ✓")
        msg = parse_mail(icsmail.build_message(ev))
        calendar = next(p for p in msg.walk() if p.get_content_type() == "text/calendar")
        attachment = next(p for p in msg.walk() if p.get_content_type() == "application/ics")
        self.assertEqual(calendar.get_param("method"), "REQUEST")
        self.assertEqual(calendar.get_content_charset(), "utf-8")
        self.assertEqual(calendar["Content-Transfer-Encoding"], "base64")
        self.assertEqual(attachment.get_filename(), "invite.ics")
        data = calendar.get_payload(decode=True)
        self.assertEqual(data, attachment.get_payload(decode=True))
        self.assertIn(b"METHOD:REQUEST\r\n", data)
        self.assertNotIn(b"\n", data.replace(b"\r\n", b""))  # CRLF kept
        self.assertEqual(icsmail.loads(data).events[0].summary, "Réunion ✓")

    def test_readable_text(self):
        msg = parse_mail(icsmail.build_message(event(location="Room 4", description="Bring slides")))
        text = msg.get_body(("plain",)).get_content()
        for expected in ("Design review", "Tue 1 Dec 2026 10:00–10:45 (Europe/London)", "Room 4",
                         "Alice Smith <alice@example.com>", "bob@example.com", "Bring slides"):
            self.assertIn(expected, text)

    def test_non_ascii_headers_are_encoded(self):
        ev = event(summary="Réunion 会議", organizer="José Núñez <jose@example.com>")
        built = icsmail.build_message(ev)
        raw = built.as_bytes()
        self.assertTrue(raw.isascii())
        msg = parse_mail(built)
        self.assertEqual(msg["Subject"], "Réunion 会議")
        self.assertEqual(msg["From"].addresses[0].display_name, "José Núñez")
        self.assertTrue(all(len(line) <= 78 for line in raw.split(b"\n")))

    def test_text_that_looks_encoded_is_encoded(self):
        ev = event(summary="Price =?utf-8?q?FREE?= today",
                   organizer=icsmail.Organizer("alice@example.com", name="=?utf-8?q?Your_Bank?="))
        msg = icsmail.build_message(ev)
        head = bytes(msg).partition(b"\r\n\r\n")[0]
        self.assertNotIn(b"=?utf-8?q?", head)
        parsed = parse_mail(msg)
        self.assertEqual((parsed["Subject"], parsed["From"].addresses[0].display_name),
                         ("Price =?utf-8?q?FREE?= today", "=?utf-8?q?Your_Bank?="))

    def test_addresses_longer_than_smtp_allows(self):
        for address in ("x" * 65 + "@example.com", "x@" + "d" * 250 + ".com"):
            with self.subTest(address=address[:20]):
                with self.assertRaisesRegex(ValueError, "RFC 5321"):
                    icsmail.build_message(event(attendees=[address]))

    def test_the_plain_text_tells_every_time_on_the_starts_clock(self):  # an end in Tokyo is not 17:00 London
        def plain(ev: icsmail.Event) -> list:
            part = next(p for p in parse_mail(icsmail.build_message(ev)).walk() if p.get_content_type() == "text/plain")
            return [line for line in part.get_content().splitlines() if line.startswith(("When", "Also", "Except"))]

        self.assertEqual(plain(event(start=datetime(2026, 5, 1, 9, tzinfo=UTC), duration=None,
                                     end=datetime(2026, 5, 1, 12, tzinfo=NEW_YORK))),
                         ["When:      Fri 1 May 2026 09:00–16:00 (UTC)"])
        self.assertEqual(plain(event(start=datetime(2026, 3, 8, 2, 30, tzinfo=NEW_YORK), duration=timedelta(hours=1))),
                         ["When:      Sun 8 Mar 2026 03:30–04:30 (America/New_York)"])  # 02:30 is skipped
        series = event(start=datetime(2026, 5, 1, 9, tzinfo=NEW_YORK), rrule="FREQ=DAILY;COUNT=3",
                       rdates=[datetime(2026, 5, 10, 20, tzinfo=ZoneInfo("Asia/Kolkata"))],
                       exdates=[datetime(2026, 5, 2, 13, tzinfo=UTC)])
        self.assertEqual(plain(series)[1:], ["Also on:   Sun 10 May 2026 10:30", "Except:    Sat 2 May 2026 09:00"])

    def test_controls_in_a_body_are_encoded(self):
        msg = parse_mail(icsmail.build_message(event(), text="hi\x00there"))
        plain = next(p for p in msg.walk() if p.get_content_type() == "text/plain")
        self.assertEqual(plain["Content-Transfer-Encoding"], "quoted-printable")
        self.assertEqual(plain.get_content(), "hi\x00there")

    def test_a_cancel_or_reply_that_would_not_act_is_refused(self):  # the shortcut past cancel() and reply()
        ev = event(attendees=["bob@example.com", "carol@example.com"])
        with self.assertRaisesRegex(ValueError, "a CANCEL of event 'review-1@example.com' without STATUS:CANCELLED "
                                                "would only un-invite its attendees .*: send cancel\\(event\\)"):
            icsmail.build_message(ev, method="CANCEL")
        for cancelled in (icsmail.Calendar([icsmail.cancel(ev, attendees=["carol@example.com"])]),
                          icsmail.cancel(ev, attendees=["carol@example.com"]), icsmail.cancel(ev)):
            sent = parse_mail(icsmail.build_message(cancelled))  # as a CANCEL, without saying so
            calendar = next(p for p in sent.walk() if p.get_content_type() == "text/calendar")
            self.assertEqual(calendar.get_param("method"), "CANCEL")
        self.assertEqual(sent["To"], "bob@example.com, carol@example.com")
        self.assertEqual(parse_mail(icsmail.build_message(icsmail.cancel(ev, attendees=["carol@example.com"]),
                                                          method="CANCEL"))["To"], "carol@example.com")
        one = event()  # bob alone, not yet answering
        for build in (lambda: icsmail.build_message(one, method="REPLY"), lambda: icsmail.dumps(one, method="REPLY")):
            with self.assertRaisesRegex(ValueError, "answers nothing: its attendee's PARTSTAT is NEEDS-ACTION"):
                build()

    def test_method_and_subject_per_operation(self):
        ev = event()
        cancel = parse_mail(icsmail.build_message(icsmail.cancel(ev), method="CANCEL"))
        self.assertEqual(cancel["Subject"], "Cancelled: Design review")
        self.assertEqual(next(p for p in cancel.walk() if p.get_content_type() == "text/calendar")
                         .get_param("method"), "CANCEL")
        answer = parse_mail(icsmail.build_message(icsmail.reply(ev, "bob@example.com", "accept"), method="REPLY"))
        self.assertEqual((answer["From"], answer["To"], answer["Subject"]),
                         ("bob@example.com", "Alice Smith <alice@example.com>", "Accepted: Design review"))
        updated = parse_mail(icsmail.build_message(icsmail.update(ev, location="Room 9")))
        self.assertEqual(updated["Subject"], "Updated: Design review")

    def test_reply_to_one_occurrence(self):
        series = event(rrule="FREQ=WEEKLY")
        third = datetime(2026, 12, 15, 10, tzinfo=LONDON)
        answer = icsmail.reply(series, "bob@example.com", "maybe", recurrence_id=third)
        self.assertEqual((answer.recurrence_id, answer.start, answer.rrule, answer.attendees[0].partstat),
                         (third, third, None, "TENTATIVE"))
        self.assertIn("RECURRENCE-ID;TZID=Europe/London:20261215T100000", icsmail.dumps(answer, method="REPLY"))
        with self.assertRaisesRegex(ValueError, "is not an occurrence of event"):
            icsmail.reply(series, "bob@example.com", "accept", recurrence_id=third + timedelta(days=1))
        occurrence = icsmail.update(series, recurrence_id=third)
        self.assertEqual(icsmail.reply(occurrence, "bob@example.com", "accept", recurrence_id=third).recurrence_id,
                         third)
        with self.assertRaisesRegex(ValueError, "is the occurrence 2026-12-15 10:00:00"):
            icsmail.reply(occurrence, "bob@example.com", "accept", recurrence_id=third + timedelta(days=7))

    def test_a_message_about_one_occurrence_says_which(self):  # else it reads as the whole series cancelled
        series = event(rrule="FREQ=WEEKLY")
        third = datetime(2026, 12, 15, 10, tzinfo=LONDON)
        cases = [(icsmail.cancel(series, recurrence_id=third), "Cancelled: Design review (Tue 15 Dec 2026 10:00)",
                  "The occurrence of Tue 15 Dec 2026 10:00 has been cancelled; the others stay."),
                 (icsmail.cancel(series, recurrence_id=third, this_and_future=True),
                  "Cancelled: Design review (from Tue 15 Dec 2026 10:00 on)",
                  "This event has been cancelled from Tue 15 Dec 2026 10:00 on."),
                 (icsmail.reply(icsmail.update(series, recurrence_id=third), "bob@example.com", "decline"),
                  "Declined: Design review (Tue 15 Dec 2026 10:00)",
                  "bob@example.com has replied for the occurrence of Tue 15 Dec 2026 10:00: declined."),
                 (icsmail.update(series, recurrence_id=third, location="Room 9"),
                  "Updated: Design review (Tue 15 Dec 2026 10:00)",
                  "The occurrence of Tue 15 Dec 2026 10:00 has been changed.")]
        for item, subject, said in cases:
            with self.subTest(subject):
                msg = parse_mail(icsmail.build_message(item))
                self.assertEqual(msg["Subject"], subject)
                self.assertEqual(msg.get_body(("plain",)).get_content().splitlines()[0], said)

    def test_sender_acts_for_the_organizer(self):
        msg = parse_mail(icsmail.build_message(event(), sender="Bot <bot@example.com>"))
        self.assertEqual(msg["From"], "Bot <bot@example.com>")
        self.assertEqual(msg["Reply-To"], "Alice Smith <alice@example.com>")
        data = next(p for p in msg.walk() if p.get_content_type() == "text/calendar").get_payload(decode=True)
        self.assertIn('SENT-BY="mailto:bot@example.com"', unfolded(data.decode()))

    def test_recipients_never_include_the_organizer(self):
        ev = event(attendees=["alice@example.com", "bob@example.com"])
        self.assertEqual(icsmail.build_message(ev)["To"], "bob@example.com")
        self.assertEqual(icsmail.build_message(ev, sender="bot@example.com",
                                               recipients=["alice@example.com", "carol@example.com"])["To"],
                         "carol@example.com")

    def test_a_guest_of_one_occurrence_is_a_recipient(self):  # RFC 6047 3: To is whoever the calendar invites
        series = event(rrule="FREQ=WEEKLY;COUNT=4")
        moved = icsmail.update(series, recurrence_id=datetime(2026, 12, 8, 10, tzinfo=LONDON),
                               attendees=["bob@example.com", "Guest <guest@example.org>"])
        cancelled = [icsmail.cancel(series), icsmail.cancel(moved)]
        for calendar in (icsmail.Calendar([series, moved]), icsmail.Calendar(cancelled)):
            self.assertEqual(icsmail.build_message(calendar)["To"], "bob@example.com, Guest <guest@example.org>")

    def test_header_injection_is_refused(self):
        for subject in ("Hi\r\nBcc: victim@example.com", "Hi\x85Bcc: victim@example.com", "Hi\u2028there"):
            with self.assertRaisesRegex(ValueError, "Subject contains a control character"):
                icsmail.build_message(event(), subject=subject)
        with self.assertRaisesRegex(ValueError, "CR or LF"):
            icsmail.build_message(event(), recipients=["x@example.com\nBcc: y@example.com"])
        org = _unchecked_organizer("alice@example.com", "A\rB")  # changed after construction
        with self.assertRaisesRegex(ValueError, "control character"):
            icsmail.build_message(event(organizer=org))

    def test_internationalised_address_is_refused_clearly(self):
        with self.assertRaisesRegex(ValueError, "internationalised addresses are not supported"):
            icsmail.build_message(event(attendees=["jörg@bücher.example"]))

    def test_addresses_a_header_cannot_carry_are_refused(self):
        for address in ("bob@example.com.", "bob@.example.com", "bob@example..com", ".bob@example.com",
                        "b..ob@example.com", "=?utf-8?q?x?=@example.com"):
            with self.subTest(address=address):
                with self.assertRaisesRegex(ValueError, "cannot go into a mail header"):
                    icsmail.build_message(event(attendees=[address]))
        good = ["o'brien+tag@sub-1.example.org", "ops@[192.0.2.1]"]
        msg = parse_mail(icsmail.build_message(event(attendees=good)))
        self.assertEqual([a.addr_spec for a in msg["To"].addresses], good)

    def test_names_with_specials_survive_any_generator(self):
        organizer = icsmail.Organizer("first.last@department.example.co.uk", name="Smith, John — Sales")
        attendees = [icsmail.Attendee("b@example.com", name="Renée O'Neil, Head of Operations"),
                     icsmail.Attendee("c@example.com", name="x" * 30 + " @ é"),
                     icsmail.Attendee("d@example.com", name='Doe, "Jane"')]
        msg = icsmail.build_message(event(organizer=organizer, attendees=attendees))
        for data in (bytes(msg), msg.as_bytes(policy=email.policy.default), icsmail._wire_bytes(msg)[0]):
            parsed = email.message_from_bytes(data, policy=email.policy.default)
            self.assertEqual([(a.display_name, a.addr_spec) for a in parsed["From"].addresses],
                             [(organizer.name, organizer.email)])
            self.assertEqual([(a.display_name, a.addr_spec) for a in parsed["To"].addresses],
                             [(a.name, a.email) for a in attendees])
        head = icsmail._wire_bytes(msg)[0].partition(b"\r\n\r\n")[0]
        self.assertLessEqual(max(map(len, head.split(b"\r\n"))), 78)

    def test_header_lines_fit_what_the_rfcs_allow(self):
        for summary in ("Réunion ✓ " * 19 + "fin", "🎉" * 50, "x" * 68, "word " * 40 + "y" * 69):
            with self.subTest(summary=summary[:12]):
                msg = icsmail.build_message(event(summary=summary))
                wire = icsmail._wire_bytes(msg)[0]
                head = wire.partition(b"\r\n\r\n")[0].split(b"\r\n")
                subject = [line for line in head if line.startswith(b"Subject:")][0]
                lines = head[head.index(subject):]
                lines = lines[:1] + list(itertools.takewhile(lambda line: line[:1] == b" ", lines[1:]))
                limit = 76 if b"=?" in b"".join(lines) else 78  # RFC 2047 2; RFC 5322 2.1.1
                self.assertLessEqual(max(map(len, lines)), limit)
                self.assertEqual(parse_mail(msg)["Subject"], summary)
                self.assertEqual(msg.as_bytes(policy=msg.policy.clone(linesep="\r\n")), wire)  # nothing refolded

    def test_a_message_is_stamped_when_it_is_made(self):  # RFC 5546 2.1.5 orders versions by DTSTAMP too
        series = event(rrule="FREQ=DAILY;COUNT=5", dtstamp=datetime(2020, 1, 1, tzinfo=UTC))
        gone = icsmail.cancel(series, recurrence_id=datetime(2026, 12, 2, 10, tzinfo=LONDON))
        mine = icsmail.apply_cancel(series, gone)  # the organizer's copy: the series' own stamp, 2020
        sent = icsmail.loads(bytes(icsmail.build_message(mine))).events[0]
        self.assertEqual(sent.sequence, gone.sequence)
        self.assertGreaterEqual(sent.dtstamp, gone.dtstamp)  # so not older than the cancel it follows
        read = icsmail.loads(icsmail.dumps(series, method="REQUEST"))  # forwarded: the sender's stamp
        self.assertEqual(icsmail.loads(bytes(icsmail.build_message(read))).events[0].dtstamp, series.dtstamp)

    def test_a_changed_occurrence_the_moved_series_no_longer_has_is_refused(self):
        series = event(rrule="FREQ=WEEKLY;COUNT=5", attendees=["bob@example.com"])
        day = datetime(2026, 12, 15, 10, tzinfo=LONDON)
        changed = icsmail.update(series, recurrence_id=day, description="Agenda")  # the version answered
        self.assertEqual(len(icsmail.loads(bytes(icsmail.build_message(icsmail.Calendar([series, changed])))).events),
                         2)
        moved = icsmail.update(series, start=series.start + timedelta(hours=1))
        for method, attendees in (("REQUEST", series.attendees), ("PUBLISH", ())):
            events = [dataclasses.replace(e, attendees=attendees) for e in (moved, changed)]
            with self.subTest(method=method), self.assertRaisesRegex(
                    ValueError, r"RECURRENCE-ID 2026-12-15 10:00:00\+00:00 of event .* names none of its series' "
                                r"occurrences.*change the occurrence again with update\(series, recurrence_id="):
                icsmail.dumps(icsmail.Calendar(events), method=method)
        again = icsmail.update(moved, recurrence_id=day + timedelta(hours=1), location="Room 9")
        self.assertIn("RECURRENCE-ID;TZID=Europe/London:20261215T110000",
                      lines_of(icsmail.dumps(icsmail.Calendar([moved, again]), method="REQUEST")))
        read = icsmail.loads(icsmail.dumps(icsmail.Calendar([series, changed]), method="REQUEST"))
        self.assertIn("RECURRENCE-ID", icsmail.dumps(read, method="REQUEST"))  # as the file has it
        with self.assertRaisesRegex(ValueError, "names none of its series' occurrences"):  # moved in code
            icsmail.build_message(icsmail.Calendar([icsmail.update(read.events[0], start=moved.start),
                                                    read.events[1]]))

    def test_many_changed_occurrences_are_checked_in_one_walk(self):
        series = event(start=datetime(2026, 1, 1, 10, tzinfo=LONDON), rrule="FREQ=DAILY;COUNT=1100")
        changed = [icsmail.update(series, recurrence_id=day, location="Room 9")
                   for day in itertools.islice(icsmail.occurrences(series), 100, 1100, 5)]
        began = time.perf_counter()
        icsmail.build_message(icsmail.Calendar([series, *changed]))
        self.assertLess(time.perf_counter() - began, 1.0)  # a walk each took 2 s

    def test_publish_needs_recipients(self):
        with self.assertRaisesRegex(ValueError, r"nobody to send the PUBLISH to \(a PUBLISH has no attendees\)"):
            icsmail.build_message(event(attendees=()), method="PUBLISH")
        with self.assertRaisesRegex(ValueError, r"nobody to send the REQUEST to \(its only attendee is the organizer"):
            icsmail.build_message(event(attendees=["alice@example.com"]))  # (said wrongly: a PUBLISH has none)
        msg = icsmail.build_message(event(attendees=()), method="PUBLISH", recipients=["list@example.com"])
        self.assertEqual(msg["To"], "list@example.com")

    def test_one_event_per_message(self):
        cal = icsmail.Calendar([event(uid="a"), event(uid="b")], method="REQUEST")
        with self.assertRaisesRegex(ValueError, "one message per event"):
            icsmail.build_message(cal)

    def test_each_address_once_in_to(self):
        msg = icsmail.build_message(event(attendees=["bob@example.com", "Bob <BOB@Example.com>", "carol@example.com"]))
        self.assertEqual(msg["To"], "bob@example.com, carol@example.com")

    def test_cc_in_the_headers_bcc_never(self):
        msg = icsmail.build_message(event(), cc=["c@example.com"], bcc=["Hidden <hidden@example.com>"])
        self.assertEqual((msg["Cc"], msg["Bcc"], msg.bcc), ("c@example.com", None, ("hidden@example.com",)))
        self.assertNotIn(b"hidden", bytes(msg))  # a saved message shows it to nobody

    def test_a_message_saved_with_bytes_has_crlf_line_ends(self):  # RFC 5322 2.1, as the command line writes
        data = bytes(icsmail.build_message(event()))
        self.assertEqual(data.count(b"\n"), data.count(b"\r\n"))
        self.assertEqual(icsmail.loads(data).events[0].uid, "review-1@example.com")

    def test_each_address_once_across_to_cc_and_bcc(self):
        msg = icsmail.build_message(event(), cc=["Bob@example.com", "c@example.com", "C@example.com"],
                                    bcc=["c@example.com", "bob@example.com", "d@example.com"])
        self.assertEqual((msg["To"], msg["Cc"], msg.bcc), ("bob@example.com", "c@example.com", ("d@example.com",)))


def _unchecked_organizer(address: str, name: str) -> icsmail.Organizer:
    """An Organizer as a careless caller could build it after construction."""
    org = icsmail.Organizer(address)
    org.name = name
    return org



# --------------------------------------------------------------------------
# SMTP: a small server of our own on 127.0.0.1, real conversations
# --------------------------------------------------------------------------

# A self-signed certificate for localhost / 127.0.0.1, valid 2020-2120; for these tests only.
TEST_CERT = """\
-----BEGIN CERTIFICATE-----
MIIBrzCCAVWgAwIBAgIBATAKBggqhkjOPQQDAjAUMRIwEAYDVQQDDAlsb2NhbGhv
c3QwIBcNMjAwMTAxMDAwMDAwWhgPMjEyMDAxMDEwMDAwMDBaMBQxEjAQBgNVBAMM
CWxvY2FsaG9zdDBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABE+Y8brAGFlDwjNz
nzgQFfziWETKstaQEy6wKqcOPfoNuvUSxSIFV9DhPsMMHDS/ZDG0MfHDZhZI8cew
xJJ6FuWjgZUwgZIwGgYDVR0RBBMwEYIJbG9jYWxob3N0hwR/AAABMA8GA1UdEwEB
/wQFMAMBAf8wDgYDVR0PAQH/BAQDAgKEMBMGA1UdJQQMMAoGCCsGAQUFBwMBMB0G
A1UdDgQWBBTHSKxt/Og/QXxixAMAsC6mwMFToDAfBgNVHSMEGDAWgBTHSKxt/Og/
QXxixAMAsC6mwMFToDAKBggqhkjOPQQDAgNIADBFAiEAl6oBMzVG8Cu4z995KbSP
nhoCpZk/uNVH5EzqYbBjf6cCIBcQKtrbPE1DB3V6CAk7TtWUNIDUYPwq0nUgj3Ca
hpxo
-----END CERTIFICATE-----
"""
TEST_KEY = """\
-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg9nThmb6lCfGWMUbN
nMVV67BYsagn3XJ8RZCmBFByyYihRANCAARPmPG6wBhZQ8Izc584EBX84lhEyrLW
kBMusCqnDj36Dbr1EsUiBVfQ4T7DDBw0v2QxtDHxw2YWSPHHsMSSehbl
-----END PRIVATE KEY-----
"""


class SMTPHandler(socketserver.StreamRequestHandler):
    """One SMTP session (RFC 5321), enough for smtplib: EHLO, STARTTLS, AUTH PLAIN, MAIL, RCPT, DATA."""

    def reply(self, code: int, *lines: str) -> None:
        lines = lines or ("ok",)
        text = "".join(f"{code}{'-' if i < len(lines) - 1 else ' '}{line}\r\n" for i, line in enumerate(lines))
        self.request.sendall(text.encode())

    def handle(self) -> None:
        server = self.server
        server.connections += 1
        if server.behaviour == "silent":
            self.rfile.read()  # never answers
            return
        if server.behaviour == "refuse reconnect" and server.connections > 1:
            self.reply(554, "no more sessions for you")
            return
        self.reply(220, "test.invalid ESMTP")
        authenticated, envelope, accepted = False, None, 0
        while True:
            line = self.rfile.readline()
            if not line:
                return
            command = line.decode("utf-8", "replace").rstrip("\r\n")
            verb = command.split(" ", 1)[0].upper()
            server.commands.append(command)
            if verb == "EHLO" and server.behaviour == "no ehlo":
                self.reply(502, "HELO only here")
            elif verb == "HELO":
                self.reply(250, "test.invalid")
            elif verb == "EHLO":
                extensions = ["test.invalid", "PIPELINING"] if server.behaviour == "7bit only" else \
                    ["test.invalid", "8BITMIME", "PIPELINING"] + (["SMTPUTF8"] if server.behaviour == "utf8" else [])
                if server.tls_context is not None and not isinstance(self.request, ssl.SSLSocket):
                    extensions.append("STARTTLS")
                if server.users:
                    extensions.append("AUTH CRAM-MD5" if server.behaviour == "bad challenge" else "AUTH PLAIN")
                self.reply(250, *extensions)
            elif verb == "STARTTLS":
                self.reply(220, "go ahead")
                self.request = server.tls_context.wrap_socket(self.request, server_side=True)
                self.rfile = self.request.makefile("rb")
            elif verb == "AUTH" and server.behaviour == "bad challenge":
                self.reply(334, "!!not base64")
            elif verb == "AUTH":
                import base64
                _, user, password = base64.b64decode(command.split()[2]).split(b"\0")
                authenticated = server.users.get(user.decode()) == password.decode()
                self.reply(235, "welcome") if authenticated else \
                    self.reply(535, server.auth_reply.format(password=password.decode()))
            elif verb == "MAIL":
                if server.users and not authenticated:
                    self.reply(530, "authentication required")
                elif server.behaviour == "drop at mail" or (server.behaviour == "drop at second mail" and accepted):
                    return
                elif server.behaviour == "block and close":
                    self.reply(554, "client host blocked")
                    return
                elif server.close_after is not None and accepted >= server.close_after:
                    self.reply(421, "too many messages, closing")
                    return
                else:
                    envelope = {"from": command[10:].partition(">")[0].strip("< "), "to": [],
                                "options": command[10:].partition(">")[2].split()}
                    self.reply(250)
            elif verb == "RCPT":
                address = command.split(":", 1)[1].strip().strip("<>")
                if server.behaviour == "close at rcpt" and server.connections == 1:
                    self.reply(421, "shutting down")
                    return
                if address in server.refuse:
                    self.reply(550, "no such user")
                elif server.max_rcpt and len(envelope["to"]) >= server.max_rcpt:
                    self.reply(452, "too many recipients")
                else:
                    envelope["to"].append(address)
                    self.reply(server.rcpt_code)
            elif verb == "DATA" and server.data_code != 354:
                self.reply(server.data_code, "no message now")
            elif verb == "DATA":
                self.reply(354, "end with .")
                lines = []
                while True:
                    data = self.rfile.readline()
                    if not data or (server.behaviour == "drop in data" and len(lines) == 5):
                        return
                    if data == b".\r\n":
                        break
                    lines.append(data[1:] if data.startswith(b"..") else data)
                message = b"".join(lines)
                with server.lock:
                    server.messages.append((envelope, message))
                    failing = server.fail_at in (None, len(server.messages))
                accepted += 1
                if server.behaviour == "drop after dot" and failing:
                    return
                if server.behaviour == "garbage after dot" and failing:
                    self.request.sendall(b"garbage\r\n")
                    continue
                if server.behaviour == "silent after dot":
                    server.got_message.set()
                    self.rfile.read()  # until the client goes
                    return
                self.reply(*server.data_reply)
            elif verb == "RSET":
                if server.behaviour == "close at rset" and server.connections == 1:
                    self.reply(421, "resetting is over for today")
                    return
                envelope = None
                self.reply(250)
            elif verb == "NOOP":
                self.reply(250)
            elif verb == "QUIT":
                self.reply(221, "bye")
                return
            else:
                self.reply(502, "not implemented")


    def finish(self) -> None:
        super().finish()
        if isinstance(self.request, ssl.SSLSocket):  # the server closes only the socket it accepted
            self.request.close()


class SMTPServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, **behaviour) -> None:
        super().__init__(("127.0.0.1", 0), SMTPHandler)
        self.messages, self.commands, self.errors = [], [], []
        self.lock = threading.Lock()
        self.connections = 0
        self.users, self.refuse = {}, set()
        self.tls_context, self.behaviour, self.close_after, self.fail_at = None, None, None, None
        self.rcpt_code, self.data_reply, self.auth_reply = 250, (250, "queued"), "bad credentials"
        self.max_rcpt, self.got_message, self.data_code = None, threading.Event(), 354
        vars(self).update(behaviour)

    def handle_error(self, request, client_address) -> None:
        self.errors.append(sys.exc_info()[1])  # e.g. a refused TLS handshake: the test checks the client

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.server_address[1]}"


def server_tls_context(tmp: str) -> ssl.SSLContext:
    cert, key = os.path.join(tmp, "cert.pem"), os.path.join(tmp, "key.pem")
    with open(cert, "w") as f:
        f.write(TEST_CERT)
    with open(key, "w") as f:
        f.write(TEST_KEY)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return context


class SMTPTestCase(unittest.TestCase):
    def start_server(self, **behaviour) -> SMTPServer:
        server = SMTPServer(**behaviour)
        thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        thread.start()
        self.addCleanup(server.server_close)
        self.addCleanup(server.shutdown)
        return server


def invitation(n: int = 0, **kw) -> "email.message.EmailMessage":
    fields = dict(uid=f"inv-{n}@example.com", attendees=["bob@example.com", "carol@example.com"])
    fields.update(kw)
    return icsmail.build_message(event(**fields))


class TestSend(SMTPTestCase):
    def test_send_one(self):
        server = self.start_server()
        msg = invitation()
        self.assertEqual(icsmail.send(msg, server.url), {})
        (envelope, data), = server.messages
        self.assertEqual(envelope, {"from": "alice@example.com", "to": ["bob@example.com", "carol@example.com"],
                                    "options": []})
        received = email.message_from_bytes(data, policy=email.policy.default)
        self.assertEqual(received["Message-ID"], msg["Message-ID"])
        calendar = next(p for p in received.walk() if p.get_content_type() == "text/calendar")
        self.assertEqual(icsmail.loads(calendar.get_payload(decode=True)).events[0].uid, "inv-0@example.com")
        self.assertIn("ehlo [127.0.0.1]", [c.lower() for c in server.commands])  # no DNS name asked

    def test_wire_bytes_are_what_the_email_package_writes(self):
        for msg in (invitation(), icsmail.build_message(event(summary="Réunion ✓"), html="<p>é</p>",
                                                        bcc=["hidden@example.com"])):
            generated = msg.as_bytes(policy=msg.policy.clone(linesep="\r\n"))
            self.assertEqual(icsmail._wire_bytes(msg)[0], generated)

    def test_many_over_one_connection(self):
        server = self.start_server()
        messages = [invitation(i) for i in range(500)]
        self.assertEqual(icsmail.send(messages, server.url), {})
        self.assertEqual(len(server.messages), 500)
        self.assertEqual(server.connections, 1)

    def test_refused_recipient(self):
        server = self.start_server(refuse={"carol@example.com"})
        msg = invitation()
        refused = icsmail.send(msg, server.url)
        self.assertEqual(refused, {msg["Message-ID"]: {"carol@example.com": (550, b"no such user")}})
        self.assertEqual(server.messages[0][0]["to"], ["bob@example.com"])

    def test_every_recipient_refused(self):
        server = self.start_server(refuse={"bob@example.com", "carol@example.com"})
        messages = [invitation(1), invitation(2, attendees=["dave@example.com"])]
        with self.assertRaises(icsmail.SendError) as caught:
            icsmail.send(messages, server.url)
        error = caught.exception
        self.assertEqual(error.sent, [messages[1]["Message-ID"]])  # the batch went on
        self.assertIn("every recipient refused", error.failed[messages[0]["Message-ID"]])
        self.assertIn("127.0.0.1", str(error))

    def test_each_recipient_once_whatever_its_case(self):
        server = self.start_server()
        msg = invitation()
        msg.replace_header("To", "bob@example.com, BOB@example.com")
        msg["Cc"] = "Bob@Example.COM, carol@example.com"
        icsmail.send(msg, server.url)
        self.assertEqual(server.messages[0][0]["to"], ["bob@example.com", "carol@example.com"])

    def test_bcc_is_delivered_but_never_written(self):
        server = self.start_server()
        built = icsmail.build_message(event(), bcc=["hidden@example.com"])
        other = email.message_from_bytes(bytes(invitation()).replace(b"To:", b"Bcc: secret@example.com\r\nTo:", 1),
                                         policy=email.policy.default)  # as another program may write it
        icsmail.send([built, other], server.url)
        for (envelope, data), hidden in zip(server.messages, ("hidden@example.com", "secret@example.com")):
            self.assertIn(hidden, envelope["to"])
            self.assertNotIn(hidden.encode(), data)
        self.assertEqual(other["Bcc"], "secret@example.com")  # the caller's message is unchanged

    def test_saved_messages_of_odd_shapes(self):  # a BOM, an mbox line, CR line ends; a NUL is refused
        server = self.start_server()
        plain = bytes(invitation())
        for shape in (b"\xef\xbb\xbf" + plain, b"From alice@example.com Mon Jan  5 09:00:00 2026\r\n" + plain,
                      plain.replace(b"\r\n", b"\r")):
            icsmail.send(shape, server.url)
        self.assertEqual([envelope["to"] for envelope, _ in server.messages],
                         [["bob@example.com", "carol@example.com"]] * 3)
        self.assertTrue(all(data.startswith(b"From: Alice Smith") for _, data in server.messages))
        icsmail.send(plain.replace(b"From: ", b"From : ", 1), server.url)  # an obsolete header, not mbox's line
        self.assertEqual(server.messages[-1][0]["from"], "alice@example.com")
        del server.messages[-1]
        with self.assertRaisesRegex(ValueError, r"address 'bob@example.com\\x00carol@example.com' holds a control"):
            icsmail.send(plain.replace(b"To: bob@example.com", b"To: bob@example.com\x00carol@example.com"),
                         server.url)
        mbox = b"".join(b"From alice@example.com Mon Jan  5 09:00:00 2026\r\n" + plain + b"\r\n" for _ in range(2))
        with self.assertRaisesRegex(ValueError, "this is an mbox of 2 messages: send each as a file of its own"):
            icsmail.send(mbox, server.url)
        self.assertEqual(len(server.messages), 3)

    def test_long_address_headers_take_linear_time(self):  # a To of 60,000 letters took 22 s to refuse
        server = self.start_server()
        plain = bytes(invitation())
        for to in (b"a" * 200_000, b'"a' * 100_000, b"<a" * 100_000, b'a\\"' * 40_000, b"x" + b"\\(" * 40_000,
                   b'<\\"' * 40_000, b" " * 200_000 + b"x", b":" * 100_000 + b" " * 100_000):  # a quote left open
            with self.subTest(to=to[:4]):
                began = time.perf_counter()
                with self.assertRaisesRegex(ValueError, r"^the message's address header holds '.+', which "
                                                        r"is no address to send to$"):
                    icsmail.send(plain.replace(b"To: bob@example.com, carol@example.com", b"To: " + to), server.url)
                self.assertLess(time.perf_counter() - began, 2.0)
        self.assertEqual(server.messages, [])
        self.assertEqual(icsmail._header_addresses(['"a@b" <c@example.com>, d@example.com (e@f), "g"@example.com']),
                         ["c@example.com", "d@example.com", '"g"@example.com'])
        self.assertEqual(icsmail._header_addresses(['<"a b"@example.com>, team: d@example.com (e, f), e@example.com;']),
                         ['"a b"@example.com', "d@example.com", "e@example.com"])
        for unclosed in ("Bob <bob@example.com", '"Bob bob@example.com', "<>"):
            with self.subTest(unclosed=unclosed), self.assertRaisesRegex(ValueError, "no address to send to"):
                icsmail._header_addresses([unclosed])

    def test_the_envelope_from_headers_of_every_form(self):
        server = self.start_server()
        data = bytes(invitation()).replace(b"To: bob@example.com, carol@example.com",
                                           b"To: bob@example.com <carol@example.com>\r\nBCC : old@example.com\r\n"
                                           b"Resent-Bcc: resent@example.com", 1)
        icsmail.send(data, server.url)
        envelope, written = server.messages[0]
        self.assertEqual(envelope["to"], ["carol@example.com", "old@example.com"])  # "bob@..." there is a name
        self.assertNotIn(b"old@example.com", written)  # an obsolete "Bcc :" is a Bcc too (RFC 5322 4.5.3)
        self.assertNotIn(b"resent@example.com", written)  # a Bcc of an earlier sending: shown to nobody

    def test_a_resent_message_goes_where_its_resent_block_says(self):  # RFC 5322 3.6.6, as smtplib does
        server = self.start_server()
        data = bytes(invitation()).replace(b"From: ", b"Resent-Date: Fri, 04 Dec 2026 10:00:00 +0000\r\n"
                                           b"Resent-From: dan@example.com\r\nResent-To: erin@example.com\r\n"
                                           b"Resent-Bcc: fay@example.com\r\nFrom: ", 1)
        icsmail.send(data, server.url)
        envelope, written = server.messages[0]
        self.assertEqual((envelope["from"], envelope["to"]),
                         ("dan@example.com", ["erin@example.com", "fay@example.com"]))
        self.assertNotIn(b"fay@example.com", written)
        twice = data.replace(b"Resent-Date", b"Resent-Date: Sat, 05 Dec 2026 10:00:00 +0000\r\nResent-Date", 1)
        with self.assertRaisesRegex(ValueError, "^the message was resent 2 times"):
            icsmail.send(twice, server.url)

    def test_dropped_connections(self):
        for behaviour, outcome in (("drop at mail", "failed"), ("drop in data", "unknown"),
                                   ("drop after dot", "unknown")):
            with self.subTest(behaviour):
                server = self.start_server(behaviour=behaviour)
                messages = [invitation(1), invitation(2)]
                with self.assertRaises(icsmail.SendError) as caught:
                    icsmail.send(messages, server.url)
                error = caught.exception
                first, second = (m["Message-ID"] for m in messages)
                self.assertEqual(error.sent, [])
                self.assertIn(first, error.unknown if outcome == "unknown" else error.failed)
                self.assertIn(second, error.failed)  # never attempted, never reported as sent

    def test_server_closing_after_some_messages(self):
        server = self.start_server(close_after=2)
        messages = [invitation(i) for i in range(5)]
        self.assertEqual(icsmail.send(messages, server.url), {})
        self.assertEqual(len(server.messages), 5)  # each exactly once
        self.assertGreaterEqual(server.connections, 2)

    def test_a_closing_server_at_any_step_gets_a_new_session(self):
        server = self.start_server(behaviour="close at rcpt")
        self.assertEqual(icsmail.send(invitation(), server.url), {})
        self.assertEqual((len(server.messages), server.connections), (1, 2))

    def test_a_session_closed_at_rset_after_a_refusal_gets_a_new_one(self):
        server = self.start_server(behaviour="close at rset", refuse={"nobody@example.com"})
        messages = [invitation(1, attendees=["nobody@example.com"]), invitation(2)]
        with self.assertRaises(icsmail.SendError) as caught:
            icsmail.send(messages, server.url)
        first, second = (m["Message-ID"] for m in messages)
        self.assertEqual((caught.exception.sent, list(caught.exception.failed)), ([second], [first]))
        self.assertIn("every recipient refused (nobody@example.com: 550", caught.exception.failed[first])
        self.assertEqual((len(server.messages), server.connections), (1, 2))

    def test_a_new_session_refused_keeps_the_report(self):
        server = self.start_server(close_after=1, behaviour="refuse reconnect")
        messages = [invitation(i) for i in range(3)]
        with self.assertRaises(icsmail.SendError) as caught:
            icsmail.send(messages, server.url)
        ids = [m["Message-ID"] for m in messages]
        self.assertEqual((caught.exception.sent, sorted(caught.exception.failed)), (ids[:1], sorted(ids[1:])))
        self.assertIn("reconnecting failed", str(caught.exception))

    def test_an_unreadable_reply_to_the_data_leaves_its_fate_unknown(self):
        server = self.start_server(behaviour="garbage after dot")
        messages = [invitation(1), invitation(2)]
        with self.assertRaises(icsmail.SendError) as caught:
            icsmail.send(messages, server.url)
        error = caught.exception
        self.assertEqual((error.sent, error.unknown), ([], [messages[0]["Message-ID"]]))
        self.assertIn(messages[1]["Message-ID"], error.failed)  # the session is out of step: stopped
        self.assertEqual(len(server.messages), 1)

    def test_bytes_without_a_message_id_and_with_bare_line_feeds(self):
        server = self.start_server()
        raw = b"From: alice@example.com\r\nTo: bob@example.com\r\nSubject: hi\r\n\r\nline one\nline two\n"
        self.assertEqual(icsmail.send(raw, server.url), {})
        self.assertEqual(server.messages[0][1].count(b"\r\n"), 6)
        self.assertNotRegex(server.messages[0][1], rb"[^\r]\n")

    def test_bare_carriage_returns_never_reach_the_wire(self):
        parsed = email.message_from_bytes(b"From: a@example.com\r\nTo: t@example.com\r\nSubject: x\r\n\r\n"
                                          b"line one\rline two\r\n")
        self.assertEqual(icsmail._wire_bytes(parsed)[0].partition(b"\r\n\r\n")[2], b"line one\r\nline two\r\n")

    def test_messages_with_the_same_key_are_reported_apart(self):
        server = self.start_server(refuse={"xx1@example.com"})
        raw = [f"From: alice@example.com\r\nTo: xx{i}@example.com\r\nSubject: hi\r\n\r\nbody\r\n".encode()
               for i in (1, 2)]  # no Message-ID, the same length
        with self.assertRaises(icsmail.SendError) as caught:
            icsmail.send(raw, server.url)
        error = caught.exception
        (sent,), (failed,) = error.sent, list(error.failed)
        self.assertNotEqual(sent, failed)
        self.assertIn("every recipient refused", error.failed[failed])
        twice = invitation()
        self.assertEqual(icsmail.send([twice, twice], server.url), {})
        self.assertEqual(len(server.messages), 3)

    def test_what_the_server_cannot_take_is_refused_per_message(self):
        server = self.start_server(behaviour="7bit only")
        international = email.message.EmailMessage()
        international["From"], international["To"], international["Subject"] = \
            "alice@example.com", "jöhn@example.com", "hi"
        international.set_content("hi")
        eight_bit = "From: alice@example.com\r\nTo: bob@example.com\r\nSubject: x\r\n\r\ncafé\r\n".encode()
        batch = [invitation(1), international, eight_bit, invitation(2)]
        with self.assertRaises(icsmail.SendError) as caught:
            icsmail.send(batch, server.url)
        error = caught.exception
        self.assertEqual(error.sent, [batch[0]["Message-ID"], batch[3]["Message-ID"]])  # the batch went on
        self.assertEqual(sorted(error.failed.values()),
                         ["the message has 8-bit content and the server does not offer 8BITMIME",
                          "the message has non-ASCII addresses or headers and the server does not offer SMTPUTF8"])
        named = email.message.EmailMessage()  # a non-ASCII name is an encoded word: no SMTPUTF8 needed
        named["From"], named["To"] = "J\u00f6hn M\u00fcller <john@example.com>", "bob@example.com"
        named.set_content("hi")
        self.assertEqual(icsmail.send(named, server.url), {})
        self.assertIn(b"From: =?utf-8?", server.messages[-1][1])

    def test_international_and_quoted_addresses_reach_the_envelope(self):
        server = self.start_server(behaviour="utf8")
        raw = ('From: jos\u00e9@example.com\r\nTo: "john doe"@example.com, X <"j q"@example.com>, '
               'b\u00fcro@example.com\r\nSubject: t\r\nMessage-ID: <9@example.com>\r\n\r\nhi\r\n').encode()
        made = email.message.EmailMessage()
        made["From"], made["To"], made["Subject"] = "alice@example.com", "B\u00fcro <b\u00fcro@example.com>", "hi"
        made.set_content("hi")
        parsed = email.message_from_bytes(raw, policy=email.policy.default)  # its headers hold surrogate escapes
        self.assertEqual(icsmail.send([raw, made, parsed], server.url), {})
        (first, _), (second, data), (third, _) = server.messages
        self.assertEqual((third["from"], third["to"]), (first["from"], first["to"]))
        self.assertEqual((first["from"], first["to"], first["options"][:1]),
                         ("jos\u00e9@example.com", ['"john doe"@example.com', '"j q"@example.com',
                                                    "b\u00fcro@example.com"], ["SMTPUTF8"]))
        self.assertEqual(second["to"], ["b\u00fcro@example.com"])
        self.assertIn("To: B\u00fcro <b\u00fcro@example.com>".encode(), data)  # UTF-8 (RFC 6532), no encoded word
        with self.assertRaisesRegex(ValueError, "address header holds 'all staff', which is no address"):
            icsmail.send(raw.replace(b"To: ", b"To: all staff, ", 1), server.url)  # never left out unsaid

    def test_an_unreadable_auth_challenge_is_a_send_error(self):
        server = self.start_server(users={"alice": "s3cret"}, behaviour="bad challenge")
        url = server.url.replace("smtp://", "smtp://alice@")
        with self.assertRaisesRegex(icsmail.SendError, r"127\.0\.0\.1:\d+: the server's answer cannot be read"):
            icsmail.send(invitation(), url, password="s3cret")

    def test_nothing_to_send_needs_no_server(self):
        self.assertEqual(icsmail.send([], "smtp://127.0.0.1:9"), {})
        with self.assertRaisesRegex(TypeError, "not str"):
            icsmail.send("invite.eml", "smtp://127.0.0.1:9")

    def test_authentication_over_starttls(self):
        with tempfile.TemporaryDirectory() as tmp:
            server = self.start_server(users={"alice": "s3cret"}, tls_context=server_tls_context(tmp))
        trusted = ssl.create_default_context(cadata=TEST_CERT)
        url = server.url.replace("smtp://", "smtp://alice@")
        icsmail.send(invitation(), url, password="s3cret", ssl_context=trusted)
        self.assertEqual(len(server.messages), 1)
        self.assertIn("STARTTLS", server.commands)
        self.assertLess(server.commands.index("STARTTLS"), next(i for i, c in enumerate(server.commands)
                                                                  if c.startswith("AUTH")))
        with self.assertRaises(icsmail.SendError) as caught:
            icsmail.send(invitation(), url, password="wrong-s3cret", ssl_context=trusted)
        self.assertIn("authentication failed for alice", str(caught.exception))
        self.assertNotIn("s3cret", str(caught.exception))

    def test_untrusted_certificate_is_refused(self):
        with tempfile.TemporaryDirectory() as tmp:
            server = self.start_server(tls_context=server_tls_context(tmp))
        with self.assertRaisesRegex(icsmail.SendError, "TLS failed"):
            icsmail.send(invitation(), server.url)
        self.assertEqual(server.messages, [])

    def test_password_needs_encryption_off_loopback(self):
        server = self.start_server(users={"alice": "pw"})
        url = server.url.replace("smtp://", "smtp://alice@")
        with mock.patch.object(icsmail._Server, "loopback", property(lambda self: False)):
            with self.assertRaisesRegex(icsmail.SendError, "does not offer STARTTLS; refusing"):
                icsmail.send(invitation(), url, password="pw")
        icsmail.send(invitation(), url, password="pw")  # on loopback the password may go in clear
        self.assertEqual(len(server.messages), 1)

    def test_password_from_the_environment(self):
        server = self.start_server(users={"alice": "from-env"})
        url = server.url.replace("smtp://", "smtp://alice@")
        with mock.patch.dict(os.environ, {"ICSMAIL_SMTP": url, "ICSMAIL_SMTP_PASSWORD": "from-env"}):
            icsmail.send(invitation())
        self.assertEqual(len(server.messages), 1)

    def test_a_password_the_server_echoes_is_not_shown(self):
        server = self.start_server(users={"alice": "right"}, auth_reply="bad credentials for {password}")
        url = server.url.replace("smtp://", "smtp://alice@")
        with self.assertRaises(icsmail.SendError) as caught:
            icsmail.send(invitation(), url, password="s3cr3t-PW")
        self.assertIn("authentication failed for alice (535 bad credentials for ***)", str(caught.exception))
        self.assertNotIn("s3cr3t", str(caught.exception))

    def test_any_positive_reply_takes_the_message(self):  # RFC 5321 4.2: the first digit decides
        server = self.start_server(rcpt_code=252, data_reply=(251, "ok, queued elsewhere"))
        self.assertEqual(icsmail.send(invitation(), server.url), {})
        self.assertEqual(len(server.messages), 1)

    def test_too_many_recipients_for_one_transaction(self):  # RFC 5321 3.5.3: the rest in another
        server = self.start_server(max_rcpt=2)
        msg = invitation(attendees=[f"p{i}@example.com" for i in range(5)])
        self.assertEqual(icsmail.send(msg, server.url), {})
        self.assertEqual([envelope["to"] for envelope, _ in server.messages],
                         [["p0@example.com", "p1@example.com"], ["p2@example.com", "p3@example.com"],
                          ["p4@example.com"]])

    def test_a_message_that_reached_some_is_sent(self):  # the rest's transaction fails: they are refused
        server = self.start_server(max_rcpt=2, behaviour="drop at second mail")
        msg = invitation(attendees=["p0@example.com", "p1@example.com", "p2@example.com"])
        refused = icsmail.send(msg, server.url)
        self.assertEqual(list(refused[msg["Message-ID"]]), ["p2@example.com"])
        self.assertIn(b"not reached", refused[msg["Message-ID"]]["p2@example.com"][1])
        self.assertEqual([envelope["to"] for envelope, _ in server.messages], [["p0@example.com", "p1@example.com"]])

    def test_the_other_recipients_transaction_fails(self):
        server = self.start_server(max_rcpt=1, behaviour="drop after dot", fail_at=2)  # carol's copy: no answer
        msg = invitation()
        with self.assertRaises(icsmail.SendError) as caught:
            icsmail.send(msg, server.url)
        self.assertEqual((caught.exception.sent, caught.exception.unknown), ([], [msg["Message-ID"]]))
        server = self.start_server(max_rcpt=1, close_after=1)  # 421 at carol's MAIL: the next message reconnects
        messages = [invitation(1), invitation(2)]
        refused = icsmail.send(messages, server.url)
        self.assertEqual({m: list(r) for m, r in refused.items()},
                         {m["Message-ID"]: ["carol@example.com"] for m in messages})
        self.assertEqual(server.connections, 2)

    def test_a_reply_out_of_step_after_the_message_leaves_it_unknown(self):
        server = self.start_server(data_reply=(354, "go ahead"))  # a reply to another command: taken or not?
        msg = invitation()
        with self.assertRaises(icsmail.SendError) as caught:
            icsmail.send(msg, server.url)
        self.assertEqual((caught.exception.sent, caught.exception.unknown), ([], [msg["Message-ID"]]))

    def test_a_temporary_failure_after_the_message_is_no_sending(self):  # 451: not taken, try later
        server = self.start_server(data_reply=(451, "local error, try again later"))
        msg = invitation()
        with self.assertRaises(icsmail.SendError) as caught:
            icsmail.send(msg, server.url)
        error = caught.exception
        self.assertEqual((error.sent, error.unknown, list(error.failed)), ([], [], [msg["Message-ID"]]))
        self.assertIn("451", error.failed[msg["Message-ID"]])

    def test_data_refused_before_the_message_is_no_sending(self):
        server = self.start_server(data_code=250)  # DATA must be answered 354 before the message goes
        msg = invitation()
        with self.assertRaises(icsmail.SendError) as caught:
            icsmail.send(msg, server.url)
        self.assertEqual((caught.exception.sent, list(caught.exception.failed)), ([], [msg["Message-ID"]]))
        self.assertEqual(server.messages, [])

    def test_lines_that_begin_with_a_dot_arrive_whole(self):  # RFC 5321 4.5.2: a lone "." ends the message
        raw = b"From: alice@example.com\r\nTo: bob@example.com\r\nSubject: dots\r\n\r\n.\r\n.hidden\r\n..two\r\nend\r\n"
        server = self.start_server()
        icsmail.send(raw, server.url)
        self.assertEqual(server.messages[0][1].partition(b"\r\n\r\n")[2], b".\r\n.hidden\r\n..two\r\nend\r\n")

    def test_a_line_longer_than_smtp_carries_is_refused_before_sending(self):  # RFC 5321 4.5.3.1.6: 998 octets
        head = b"From: alice@example.com\r\nTo: bob@example.com\r\nMessage-ID: <long@example.com>\r\n\r\n"
        server = self.start_server()
        with self.assertRaisesRegex(ValueError, r"^line 6 of message <long@example.com> is longer than the 998 "
                                                r"octets SMTP carries \(RFC 5321 4.5.3.1.6\): encode its body as "
                                                r"quoted-printable or base64$"):
            icsmail.send([bytes(invitation()), head + b"a\r\n" + b"b" * 999 + b"\r\n"], server.url)
        self.assertEqual(server.messages, [])  # the first, good one neither: a batch goes whole or not at all
        icsmail.send(head + b"b" * 998 + b"\r\n", server.url)
        self.assertEqual(len(server.messages), 1)

    def test_a_server_that_says_why_and_closes(self):
        server = self.start_server(behaviour="block and close")
        msg = invitation()
        with self.assertRaises(icsmail.SendError) as caught:
            icsmail.send([msg, invitation(2)], server.url)
        self.assertIn("554 client host blocked", caught.exception.failed[msg["Message-ID"]])

    def test_server_without_ehlo(self):
        server = self.start_server(behaviour="no ehlo")
        icsmail.send(invitation(), server.url)
        self.assertEqual(len(server.messages), 1)

    def test_login_required_is_said(self):
        server = self.start_server(users={"alice": "pw"})
        with self.assertRaisesRegex(icsmail.SendError, r"530 authentication required\): the server wants a login"):
            icsmail.send(invitation(), server.url)

    def test_timeout_and_refused_connection(self):
        server = self.start_server(behaviour="silent")
        with self.assertRaisesRegex(icsmail.SendError, "no answer within 0.3 s"):
            icsmail.send(invitation(), server.url, timeout=0.3)
        port = server.server_address[1]
        server.shutdown()
        server.server_close()
        with self.assertRaisesRegex(icsmail.SendError, f"127.0.0.1:{port}: cannot talk to the server"):
            icsmail.send(invitation(), f"smtp://127.0.0.1:{port}")

    def test_open_connection(self):
        server = self.start_server()
        with smtplib.SMTP("127.0.0.1", server.server_address[1], local_hostname="localhost") as smtp:
            icsmail.send([invitation(1), invitation(2)], smtp)
            smtp.noop()  # still open: the caller owns it
        self.assertEqual(len(server.messages), 2)

    def test_an_ipv6_zone_in_the_url_is_decoded(self):  # RFC 6874
        self.assertEqual(icsmail._parse_smtp_url("smtp://[fe80::1%25eth0]:2525").host, "fe80::1%eth0")
        self.assertEqual(str(icsmail._parse_smtp_url("smtp://[::1]:2525")), "[::1]:2525")  # as errors name it

    def test_bad_urls(self):
        cases = [("http://example.com", "must start with smtp://"),
                 ("smtp://user:pw@example.com", "must not carry a password"),
                 ("smtp://example.com:port", "invalid port"), ("smtp://127.0.0.1:0", "invalid port"),
                 ("smtp://", "names no host"), ("smtp//alice:hunter2@example.com", "must start with smtp://"),
                 ("smtp:alice:hunter2@example.com", "names no host"),
                 ("smtp://alice@example.com/inbox?x", "path or query"),
                 ("smtp:// 127.0.0.1:2525", "has a space in it"), ("smtp://mail\t.example.com", "has a space in it"),
                 ("smtp://mail!.example.com", "host 'mail!.example.com' is not a host name or IP address"),
                 ("smtp://[::1", r"malformed \(Invalid IPv6 URL\)"), ("smtp://[zz]:25", "malformed"),
                 ("smtp://[::1]]:25", r"host and port '\[::1\]\]:25' are malformed")]
        for url, message in cases:
            with self.subTest(url):
                with self.assertRaisesRegex(ValueError, message) as caught:
                    icsmail.send(invitation(), url)
                self.assertNotIn("hunter2", str(caught.exception))  # a password typed in the wrong place
        with mock.patch.dict(os.environ, {}, clear=True):
            with self.assertRaisesRegex(ValueError, "ICSMAIL_SMTP"):
                icsmail.send(invitation())


# --------------------------------------------------------------------------
# The command line
# --------------------------------------------------------------------------

@contextlib.contextmanager
def in_directory(path: str):
    old = os.getcwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(old)


class TestCLI(SMTPTestCase):
    def run_main(self, *argv: str, env: dict | None = None) -> tuple:
        out, err = io.StringIO(), io.StringIO()
        environment = {k: v for k, v in os.environ.items() if not k.startswith("ICSMAIL_")}
        environment.update(env or {})
        with mock.patch.dict(os.environ, environment, clear=True), \
                contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = icsmail.main(list(argv))
        return code, out.getvalue(), err.getvalue()

    def setUp(self) -> None:
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)
        directory = in_directory(self.tmp.name)
        directory.__enter__()
        self.addCleanup(directory.__exit__, None, None, None)

    INVITE = ("invite", "--summary", "Design review", "--start", "2026-12-01 10:00", "--tz", "Europe/London",
              "--duration", "45m", "--organizer", "alice@example.com", "--attendee", "bob@example.com",
              "--attendee", "carol@example.com")

    def test_an_invitation_with_a_subject_longer_than_the_head_read_is_read(self):  # 64 kB decide mail or not
        summary = "W\u00f6rd " * 8000
        code, _, err = self.run_main(*self.INVITE[:2], summary, *self.INVITE[3:], "-o", "long.eml")
        self.assertEqual(code, 0, err)
        with open("long.eml", "rb") as f:
            self.assertGreater(f.read().index(b"\r\n\r\n"), 65536)
        self.assertEqual(icsmail.load("long.eml").events[0].summary, summary)
        code, _, err = self.run_main("reply", "long.eml", "accept", "--attendee", "bob@example.com", "-o", "r.eml")
        self.assertEqual(code, 0, err)

    def test_running_out_of_memory_is_one_line(self):
        with open("a.ics", "w", newline="") as f:
            f.write(SIMPLE)
        with mock.patch.object(icsmail, "iter_events", side_effect=MemoryError):
            self.assertEqual(self.run_main("show", "a.ics"), (1, "", "icsmail: error: out of memory\n"))

    def test_a_long_calendar_that_starts_with_what_looks_like_a_header_is_read_as_one(self):
        events = "".join(f"BEGIN:VEVENT\r\nUID:{i}\r\nDTSTART:20261201T100000Z\r\nSUMMARY:Event {i} of many\r\n"
                         f"END:VEVENT\r\n" for i in range(900))  # 80 kB without a blank line
        with open("big.ics", "w", newline="") as f:
            f.write(f"X-WR-CALNAME:Team\r\nBEGIN:VCALENDAR\r\nVERSION:2.0\r\n{events}END:VCALENDAR\r\n")
        self.assertEqual((len(icsmail.load("big.ics").events), len(list(icsmail.iter_events("big.ics")))),
                         (900, 900))

    def test_reply_names_the_invitation_it_cannot_read(self):
        with open("junk.ics", "w") as f:
            f.write("hello\n")
        code, _, err = self.run_main("reply", "junk.ics", "accept", "--attendee", "bob@example.com")
        self.assertEqual((code, err), (1, "icsmail: error: junk.ics: a property line without a colon: 'hello' "
                                          "(line 1)\n"))

    def test_empty_values_are_refused_not_skipped(self):  # --duration "" was an hour, -o "" event.ics
        publish = ("publish", "--summary", "x", "--start", "2026-12-01 10:00", "--tz", "UTC")
        cases = [(("--duration", ""), "--duration '' is not a duration"), (("--end", ""), "--end '' is not a date"),
                 (("-o", ""), "-o names no file")]
        for option, message in cases:
            with self.subTest(option[0]):
                code, out, err = self.run_main(*publish, *option)
                self.assertEqual((code, out), (1, ""))
                self.assertIn(f"icsmail: error: {message}", err)
        self.assertEqual(os.listdir("."), [])
        code, _, err = self.run_main("show", "--tz", "", "x.ics")
        self.assertEqual(code, 1)
        self.assertIn("icsmail: error: invalid time zone name ''", err)
        for command in (("show", ""), ("send", ""), ("reply", "", "accept", "--attendee", "bob@example.com")):
            with self.subTest(command[0]), self.assertRaises(SystemExit) as exited, \
                    contextlib.redirect_stderr(io.StringIO()) as err:
                icsmail.main(list(command))
            self.assertEqual(exited.exception.code, 2)
            self.assertIn(": an empty file name names no file", err.getvalue())

    def test_output_that_fails_is_said_as_such(self):  # not blamed on the file read, nor a traceback
        self.run_main("publish", "--summary", "x", "--start", "2026-12-01", "-o", "x.ics")
        full = mock.Mock(write=mock.Mock(side_effect=OSError(28, "No space left on device")))
        for stdout, message in ((full, "No space left on device"), (None, "it is closed")):
            err = io.StringIO()
            with mock.patch.object(sys, "stdout", stdout), mock.patch.object(sys, "stderr", err):
                code = icsmail.main(["show", "x.ics"])
            self.assertEqual((code, err.getvalue()), (1, f"icsmail: error: standard output: {message}\n"))
        with mock.patch.object(sys, "stdout", None), mock.patch.object(sys, "stderr", None):
            self.assertEqual(icsmail.main(["show", "missing.ics"]), 1)  # said nowhere, but said by the status

    def test_output_file_is_written_instead_of_sending(self):  # with a server set: say it was not sent
        server = self.start_server()
        code, _, err = self.run_main(*self.INVITE, "-o", "copy.eml", env={"ICSMAIL_SMTP": server.url})
        self.assertEqual((code, err), (0, "wrote copy.eml, not sent (-o writes instead of sending): "
                                          "python icsmail.py send copy.eml\n"))
        self.assertEqual(server.messages, [])

    def test_publish_all_day(self):
        code, out, err = self.run_main("publish", "--summary", "Offsite", "--start", "2027-03-03",
                                       "--end", "2027-03-06", "-o", "offsite.ics")
        self.assertEqual((code, err), (0, "wrote offsite.ics\n"))
        ev = icsmail.load("offsite.ics").events[0]
        self.assertEqual((ev.start, ev.end), (date(2027, 3, 3), date(2027, 3, 6)))

    def test_a_time_with_an_offset_is_moved_into_the_zone_tz_names(self):  # whose clock the series keeps
        code, out, err = self.run_main("publish", "--summary", "Sync", "--start", "2026-12-01T15:00Z", "--end",
                                       "2026-12-01T10:30-05:00", "--tz", "America/New_York", "--rrule",
                                       "FREQ=WEEKLY;COUNT=20", "-o", "-")
        self.assertEqual((code, err), (0, ""))
        self.assertIn("DTSTART;TZID=America/New_York:20261201T100000", lines_of(out))
        self.assertIn("DTEND;TZID=America/New_York:20261201T103000", lines_of(out))
        code, out, err = self.run_main("publish", "--summary", "Sync", "--start", "0001-01-01T00:30+05:00", "--tz",
                                       "Europe/London", "-o", "-")
        self.assertEqual((code, err), (1, "icsmail: error: --start '0001-01-01T00:30+05:00' is out of the years "
                                          "1-9999 in Europe/London\n"))

    def test_publish_to_stdout_with_organizer(self):
        out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
        with mock.patch.object(sys, "stdout", out):
            code = icsmail.main(["publish", "--summary", "Talk", "--start", "2026-12-01T18:00", "--tz",
                                 "America/New_York", "--organizer", "Ann <ann@example.com>", "-o", "-"])
        out.flush()
        text = out.buffer.getvalue().decode()
        self.assertEqual(code, 0)
        self.assertIn("METHOD:PUBLISH", text)
        self.assertIn("DTSTART;TZID=America/New_York:20261201T180000", text)
        self.assertIn("DURATION:PT1H", text)

    def test_the_machine_zone_comes_from_tz_or_not_at_all(self):
        publish = ("publish", "--summary", "Talk", "--start", "2026-12-01 18:00", "-o", "-")
        code, out, err = self.run_main(*publish, env={"TZ": "Europe/Paris"})
        self.assertEqual(code, 0, err)
        self.assertIn("DTSTART;TZID=Europe/Paris:20261201T180000", out)
        self.assertEqual(err, "icsmail: note: the times are in Europe/Paris, this machine's zone (give --tz for "
                              "another)\n")  # a server's UTC would be hours off what was meant
        code, out, err = self.run_main(*publish, "--tz", "Europe/Paris", env={"TZ": "Europe/Paris"})
        self.assertEqual((code, err), (0, ""))
        for tz in ("EST5EDT,M3.2.0,M11.1.0", "Europe/London "):
            with self.subTest(tz=tz):
                code, out, err = self.run_main(*publish, env={"TZ": tz})
                self.assertEqual((code, out), (1, ""))
                self.assertEqual(err, f"icsmail: error: the TZ environment variable {tz!r} is not a time zone name "
                                      f"this can write: pass --tz Area/City (e.g. --tz America/New_York)\n")

    def test_tz_names_of_files_that_are_no_zone_of_their_own_are_resolved(self):  # or refused
        names = [n for n in ("posix/Europe/Paris", "right/Europe/Paris")
                 if any(os.path.isfile(os.path.join(d, n)) for d in zoneinfo.TZPATH)]
        if not names:
            self.skipTest("no posix/ or right/ zones in this tz database")
        publish = ("publish", "--summary", "Talk", "--start", "2026-12-01 18:00", "-o", "-", "--tz")
        for name in names:
            with self.subTest(name=name):
                code, out, err = self.run_main(*publish, name)
                if name.startswith("posix/"):
                    self.assertIn("DTSTART;TZID=Europe/Paris:20261201T180000", lines_of(out))
                else:
                    self.assertEqual((code, err), (1, f"icsmail: error: --tz {name!r} counts leap seconds, which "
                                                      f"calendars do not: use --tz 'Europe/Paris'\n"))

    def test_tz_posix_names_where_posix_holds_copies(self):  # as some systems ship them, not links
        source = next((os.path.join(d, "Europe", "Paris") for d in zoneinfo.TZPATH
                       if os.path.isfile(os.path.join(d, "Europe", "Paris"))), None)
        if source is None:
            self.skipTest("no tz database files on this machine")
        for folder in ("posix/Europe", "Europe"):
            os.makedirs(os.path.join("tz", folder))
            with open(source, "rb") as f, open(os.path.join("tz", folder, "Paris"), "wb") as copy:
                copy.write(f.read())
        result = subprocess.run([sys.executable, os.path.join(HERE, "icsmail.py"), "publish", "--summary", "Talk",
                                 "--start", "2026-12-01 18:00", "--tz", "posix/Europe/Paris", "-o", "-"],
                                capture_output=True, text=True, timeout=60,
                                env={**os.environ, "PYTHONTZPATH": os.path.abspath("tz")})
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("DTSTART;TZID=Europe/Paris:20261201T180000", result.stdout.splitlines())

    def test_the_machine_zone_from_a_tz_file_path(self):  # glibc's TZ=:/etc/localtime and TZ=/path
        path = next((os.path.join(d, "Europe", "Paris") for d in zoneinfo.TZPATH
                     if os.path.isfile(os.path.join(d, "Europe", "Paris"))), None)
        if path is None:
            self.skipTest("no tz database files on this machine")
        publish = ("publish", "--summary", "Talk", "--start", "2026-12-01 18:00", "-o", "-")
        for tz in (path, ":" + path):
            with self.subTest(tz=tz):
                code, out, err = self.run_main(*publish, env={"TZ": tz})
                self.assertEqual(code, 0, err)
                self.assertIn("DTSTART;TZID=Europe/Paris:20261201T180000", out)
        code, out, err = self.run_main(*publish, env={"TZ": ":/nonexistent/zone"})
        self.assertEqual((code, out), (1, ""))
        self.assertIn("the TZ environment variable '/nonexistent/zone' is not a time zone name", err)

    def test_a_bad_smtp_url_is_said_before_the_invitation_is_made(self):
        code, _, err = self.run_main(*self.INVITE, env={"ICSMAIL_SMTP": "smtp://mail!.example.com"})
        self.assertEqual(code, 1)
        self.assertIn("host 'mail!.example.com' is not a host name or IP address", err)
        self.assertEqual(os.listdir("."), [])  # nothing made, nothing lost
        self.run_main(*self.INVITE)
        code, _, err = self.run_main("reply", "invite.eml", "accept", "--attendee", "bob@example.com",
                                     env={"ICSMAIL_SMTP": "smtp://mail!.example.com"})
        self.assertEqual((code, err), (1, "icsmail: error: the SMTP URL's host 'mail!.example.com' is not a host "
                                          "name or IP address: 'smtp://mail!.example.com'\n"))
        self.assertEqual(sorted(os.listdir(".")), ["invite.eml"])  # no reply.eml: nothing made

    def test_invite_writes_a_file_without_smtp(self):
        code, out, err = self.run_main(*self.INVITE)
        self.assertEqual(code, 0)
        self.assertIn("wrote invite.eml", err)
        with open("invite.eml", "rb") as f:
            msg = email.message_from_bytes(f.read(), policy=email.policy.default)
        self.assertEqual(msg["To"], "bob@example.com, carol@example.com")
        code, _, err = self.run_main(*self.INVITE)
        self.assertIn("wrote invite-2.eml", err)  # nothing overwritten

    def test_invite_with_status_cancelled_needs_the_uid_it_cancels(self):
        code, out, err = self.run_main(*self.INVITE, "--status", "cancelled", "-o", "-")
        self.assertEqual((code, out), (1, ""))
        self.assertIn("invite --status CANCELLED cancels an invitation sent before: give its --uid", err)

    def test_invite_with_status_cancelled_sends_the_cancellation(self):  # the command line's way to cancel
        code, out, err = self.run_main(*self.INVITE, "--uid", "retro-1", "--sequence", "1", "--status", "cancelled",
                                       "-o", "-")
        self.assertEqual(code, 0, err)
        msg = email.message_from_string(out, policy=email.policy.default)
        self.assertEqual(next(p for p in msg.walk() if p.get_content_type() == "text/calendar")
                         .get_param("method"), "CANCEL")
        cal = icsmail.loads(out)
        self.assertEqual((cal.method, cal.events[0].uid, cal.events[0].status), ("CANCEL", "retro-1", "CANCELLED"))

    def test_invite_sends_with_smtp(self):
        server = self.start_server()
        code, out, err = self.run_main(*self.INVITE, env={"ICSMAIL_SMTP": server.url})
        self.assertEqual(code, 0, err)
        self.assertIn("sent to bob@example.com, carol@example.com", err)
        self.assertEqual(len(server.messages), 1)
        self.assertFalse(os.path.exists("invite.eml"))

    def test_invite_and_reply_say_who_has_the_message(self):
        server = self.start_server(refuse={"carol@example.com"})
        code, out, err = self.run_main(*self.INVITE, env={"ICSMAIL_SMTP": server.url})
        self.assertEqual(code, 1)
        first, second = err.splitlines()
        self.assertTrue(first.startswith("sent to bob@example.com via "), first)  # not to carol
        self.assertTrue(second.startswith("icsmail: error: carol@example.com refused (550 no such user)"), second)
        self.run_main(*self.INVITE, "-o", "invite.eml")
        code, out, err = self.run_main("reply", "invite.eml", "accept", "--attendee", "bob@example.com",
                                       env={"ICSMAIL_SMTP": server.url})
        self.assertEqual(code, 0, err)
        self.assertTrue(err.startswith("sent to alice@example.com via "), err)

    @unittest.skipUnless(hasattr(os, "kill") and hasattr(signal, "SIGINT") and sys.platform != "win32", "POSIX")
    def test_interrupted_after_a_message_went_out_it_is_marked_unknown(self):
        server = self.start_server(behaviour="silent after dot")  # took the message, never says so
        for i in range(2):
            with open(f"m{i}.eml", "wb") as f:
                f.write(invitation(i).as_bytes())
        def interrupt() -> None:  # Ctrl-C while it waits for the answer to the message the server has
            if server.got_message.wait(20):
                time.sleep(0.2)
                os.kill(os.getpid(), signal.SIGINT)

        threading.Thread(target=interrupt, daemon=True).start()
        started = time.perf_counter()
        code, _, err = self.run_main("send", "m0.eml", "m1.eml", env={"ICSMAIL_SMTP": server.url})
        self.assertEqual((code, err.splitlines()[-1]), (130, "icsmail: interrupted"))
        self.assertLess(time.perf_counter() - started, 5)  # no 30 s wait for an answer to QUIT
        self.assertTrue(os.path.exists("m0.eml.unknown"))  # so a second run does not send it again
        self.assertFalse(os.path.exists("m1.eml.sent") or os.path.exists("m1.eml.unknown"))

    def test_send_files_once(self):
        server = self.start_server(refuse={"carol@example.com"})
        for i in range(3):
            with open(f"m{i}.eml", "wb") as f:
                f.write(invitation(i).as_bytes())
        files = ["m0.eml", "m1.eml", "m2.eml"]
        code, _, err = self.run_main("send", *files, env={"ICSMAIL_SMTP": server.url})
        self.assertEqual(code, 1)  # a recipient was refused: said, and the exit status shows it
        self.assertIn("carol@example.com refused (550 no such user)", err)
        self.assertEqual(len(server.messages), 3)
        code, _, err = self.run_main("send", *files, env={"ICSMAIL_SMTP": server.url})
        self.assertIn("skipped m0.eml: already sent", err)
        self.assertEqual(len(server.messages), 3)  # a retry sends nothing twice

    def test_a_file_written_again_is_sent_again(self):
        server = self.start_server()
        with open("m.eml", "wb") as f:
            f.write(invitation(1).as_bytes())
        self.run_main("send", "m.eml", env={"ICSMAIL_SMTP": server.url})
        newer = invitation(2)
        with open("m.eml", "wb") as f:  # a new invitation saved under the old name: its mark is stale
            f.write(newer.as_bytes())
        code, _, err = self.run_main("send", "m.eml", env={"ICSMAIL_SMTP": server.url})
        self.assertEqual(code, 0, err)
        self.assertIn("m.eml.sent is about an earlier message", err)
        self.assertEqual(len(server.messages), 2)
        with open("m.eml.sent", encoding="utf-8") as f:
            self.assertIn(newer["Message-ID"], f.read())
        os.remove("m.eml")  # gone since it was sent: skipped, not an error that stops the batch
        with open("n.eml", "wb") as f:
            f.write(invitation(3).as_bytes())
        code, _, err = self.run_main("send", "m.eml", "n.eml", env={"ICSMAIL_SMTP": server.url})
        self.assertEqual(code, 0, err)
        self.assertIn("skipped m.eml: already sent", err)
        self.assertEqual(len(server.messages), 3)

    def test_send_after_an_unknown_outcome_is_not_repeated(self):
        server = self.start_server(behaviour="drop after dot")
        with open("m.eml", "wb") as f:
            f.write(invitation().as_bytes())
        code, _, err = self.run_main("send", "m.eml", env={"ICSMAIL_SMTP": server.url})
        self.assertEqual(code, 1)
        self.assertTrue(os.path.exists("m.eml.unknown"))
        code, _, err = self.run_main("send", "m.eml", env={"ICSMAIL_SMTP": server.url})
        self.assertIn("never confirmed", err)
        self.assertIs(code, 1)  # skipped, but it may never have arrived: a script must not take it as sent
        self.assertEqual(len(server.messages), 1)

    def test_each_file_is_marked_as_its_fate_is_known(self):
        server = self.start_server(behaviour="drop after dot", fail_at=2)
        for name in "abc":
            with open(f"{name}.eml", "wb") as f:
                f.write(invitation(ord(name)).as_bytes())
        code, _, err = self.run_main("send", "a.eml", "./a.eml", "b.eml", "c.eml", env={"ICSMAIL_SMTP": server.url})
        self.assertEqual(code, 1)
        self.assertIn("skipped ./a.eml: named twice", err)
        self.assertEqual([os.path.exists(f"{n}.eml.{s}") for n, s in (("a", "sent"), ("b", "unknown"), ("c", "sent"),
                                                                        ("c", "unknown"))], [True, True, False, False])
        self.assertIn("NOT sent: c.eml", err)
        self.assertEqual(len(server.messages), 2)

    @unittest.skipIf(os.name == "nt", "a working directory cannot be removed on Windows")
    def test_the_outcome_is_told_when_the_message_cannot_be_kept(self):
        server = self.start_server(behaviour="drop after dot")
        gone = os.path.join(self.tmp.name, "gone")
        os.mkdir(gone)
        with in_directory(gone):
            os.rmdir(gone)  # invite.eml cannot be written here
            code, _, err = self.run_main(*self.INVITE, env={"ICSMAIL_SMTP": server.url})
        self.assertEqual(code, 1)
        self.assertEqual(err.count("\n"), 1, err)
        self.assertIn("the server may have it (it never confirmed it), and it could not be kept: invite.eml", err)

    def test_send_names_the_file_it_cannot_send(self):
        with open("note.eml", "wb") as f:
            f.write(b"To: bob@example.com\r\nSubject: hi\r\n\r\nbody\r\n")
        code, _, err = self.run_main("send", "note.eml", env={"ICSMAIL_SMTP": "smtp://127.0.0.1:9"})
        self.assertEqual((code, err), (1, "icsmail: error: note.eml: the message has no From address to send it "
                                          "from\n"))

    def test_invite_and_reply_of_unknown_fate_are_kept_and_marked(self):
        server = self.start_server(behaviour="drop after dot")
        code, _, err = self.run_main(*self.INVITE, env={"ICSMAIL_SMTP": server.url})
        self.assertEqual(code, 1)
        self.assertTrue(os.path.exists("invite.eml.unknown"))
        self.assertIn("check the recipients' mail before sending invite.eml again", err)
        code, _, err = self.run_main("reply", "invite.eml", "accept", "--attendee", "bob@example.com",
                                     env={"ICSMAIL_SMTP": server.url})
        self.assertEqual(code, 1)
        self.assertTrue(os.path.exists("reply.eml") and os.path.exists("reply.eml.unknown"))

    def test_every_form_of_duration(self):
        for given, written in (("45m", "PT45M"), ("45min", "PT45M"), ("1h30m", "PT1H30M"), ("90", "PT1H30M"),
                               ("2d", "P2D"), ("1w", "P1W"), ("PT45M", "PT45M")):
            with self.subTest(given=given):
                code, out, err = self.run_main("publish", "--summary", "x", "--start", "2026-12-01 10:00", "--tz",
                                               "UTC", "--duration", given, "-o", "-")
                self.assertEqual((code, err), (0, ""))
                self.assertIn(f"\r\nDURATION:{written}\r\n", out)
        for given in ("0", "0m", "PT0S", "-PT1H"):
            with self.subTest(given=given):
                code, _, err = self.run_main("publish", "--summary", "x", "--start", "2026-12-01 10:00", "--tz",
                                             "UTC", f"--duration={given}", "-o", "-")
                self.assertEqual(code, 1, err)
                self.assertRegex(err, f"^icsmail: error: --duration '{re.escape(given)}' ")

    def test_show(self):
        self.run_main(*self.INVITE)
        code, out, err = self.run_main("show", "invite.eml", "--tz", "Asia/Tokyo")
        self.assertEqual(code, 0, err)
        self.assertIn("Design review\n  message:    an invitation (REQUEST)\n"
                      "  when:       Tue 1 Dec 2026 10:00–10:45 (Europe/London); "
                      "Tue 1 Dec 2026 19:00–19:45 (Asia/Tokyo) here", out)
        self.assertIn("attendees:  bob@example.com (needs-action)", out)
        code, out, err = self.run_main("show", "--json", "invite.eml")
        record = json.loads(out.splitlines()[0])
        self.assertEqual((record["summary"], record["timezone"], record["start"], record["method"]),
                         ("Design review", "Europe/London", "2026-12-01T10:00:00+00:00", "REQUEST"))

    def test_show_names_a_room_as_a_room(self):  # CUTYPE: not one more person
        room = icsmail.Attendee("room4@example.com", name="Room 4", role="NON-PARTICIPANT", rsvp=False, cutype="ROOM")
        icsmail.dump(event(attendees=["bob@example.com", room]), "room.ics")
        code, out, err = self.run_main("show", "room.ics")
        self.assertIn("Room 4 <room4@example.com> (needs-action, non-participant, room)", out)
        code, out, err = self.run_main("show", "--json", "room.ics")
        self.assertEqual([a["cutype"] for a in json.loads(out)["attendees"]], [None, "ROOM"])

    def test_show_says_what_message_an_event_came_in(self):  # a counter-proposal looked like the event
        proposal = calendar_with("DTSTART:20261201T130000Z", "SUMMARY:Sync", "ORGANIZER:mailto:alice@example.com",
                                 "ATTENDEE;PARTSTAT=ACCEPTED:mailto:bob@example.com",
                                 head="METHOD:COUNTER")
        with open("counter.ics", "w", newline="") as f:
            f.write(proposal)
        with open("plain.ics", "w", newline="") as f:
            f.write(calendar_with("DTSTART:20261201T130000Z", "SUMMARY:Plain"))
        code, out, err = self.run_main("show", "counter.ics", "plain.ics", "--tz", "UTC")
        self.assertEqual(code, 0, err)
        self.assertIn("Sync\n  message:    a counter-proposal (COUNTER): the times shown are those proposed\n", out)
        self.assertIn("Plain\n  when:", out)
        code, out, err = self.run_main("show", "--json", "counter.ics", "plain.ics")
        self.assertEqual([json.loads(line)["method"] for line in out.splitlines()], ["COUNTER", None])

    def test_a_comment_google_writes_is_read_as_meant(self):
        text = calendar_with("DTSTART:20261201T130000Z",
                             "COMMENT;X-COMMENTER=MAILTO:dave@example.com:Can't make it, sorry")
        comment = icsmail.loads(text).events[0].extra[0]
        self.assertEqual((comment.value, comment.params), ("Can't make it, sorry",
                                                           (("X-COMMENTER", "MAILTO:dave@example.com"),)))

    def test_show_names_a_file_it_cannot_read_and_goes_on(self):
        for name, summary in (("a.ics", "First"), ("c.ics", "Third")):
            with open(name, "w") as f:
                f.write(calendar_with("DTSTART:20260101T100000Z", f"SUMMARY:{summary}"))
        with open("b.ics", "w") as f:
            f.write(calendar_with("DTSTART:20260101T100000Z", "DTSTART:x", "broken line"))
        code, out, err = self.run_main("show", "a.ics", "b.ics", "c.ics", "--tz", "UTC")
        self.assertEqual(code, 1)
        self.assertEqual([line for line in out.splitlines() if not line.startswith(" ")], ["First", "Third"])
        self.assertEqual(err.splitlines()[-1], "icsmail: error: b.ics: a property line without a colon: "
                                               "'broken line' (line 9)")

    def test_show_warns_as_loads_does(self):
        with open("old.ics", "w") as f:
            f.write(calendar_with("DTSTART:20260101T100000Z", "SUMMARY:x").replace("VERSION:2.0\r\n", ""))
        code, out, err = self.run_main("show", "old.ics")
        self.assertEqual(code, 0, err)
        self.assertIn("icsmail: warning: old.ics: VCALENDAR without VERSION (line 1)", err)

    def test_reply(self):
        self.run_main(*self.INVITE)
        code, _, err = self.run_main("reply", "invite.eml", "decline", "--attendee", "bob@example.com",
                                     "-o", "reply.eml")
        self.assertEqual(code, 0, err)
        answer = icsmail.load("reply.eml")
        self.assertEqual((answer.method, answer.events[0].attendees[0].partstat), ("REPLY", "DECLINED"))
        self.assertNotIn("warning", err)

    def test_reply_with_its_arguments_swapped_says_so(self):  # not argparse's list of choices, upper-cased
        self.run_main(*self.INVITE)
        with self.assertRaises(SystemExit) as exited, contextlib.redirect_stderr(io.StringIO()) as err:
            icsmail.main(["reply", "accept", "invite.eml", "--attendee", "bob@example.com", "-o", "r.eml"])
        self.assertEqual(exited.exception.code, 2)
        self.assertIn("argument ANSWER: 'invite.eml' is no answer: give accept, decline or tentative (maybe), after "
                      "the invitation: reply INVITE ANSWER", err.getvalue())
        code, _, err = self.run_main("reply", "invite.eml", "Maybe", "--attendee", "bob@example.com", "-o", "r.eml")
        self.assertEqual((code, icsmail.load("r.eml").events[0].attendees[0].partstat), (0, "TENTATIVE"), err)

    def test_reply_to_one_occurrence_and_show_it(self):
        self.run_main(*self.INVITE, "--rrule", "FREQ=WEEKLY;COUNT=4")
        code, _, err = self.run_main("reply", "invite.eml", "maybe", "--attendee", "bob@example.com", "--occurrence",
                                     "2026-12-08 10:00", "--comment", "Out that morning", "-o", "reply.eml")
        self.assertEqual(code, 0, err)
        ev = icsmail.load("reply.eml").events[0]
        self.assertEqual((ev.recurrence_id, ev.attendees[0].partstat),
                         (datetime(2026, 12, 8, 10, tzinfo=LONDON), "TENTATIVE"))
        code, out, _ = self.run_main("show", "reply.eml", "--tz", "Europe/London")
        self.assertIn("  occurrence: Tue 8 Dec 2026 10:00\n  comment:    Out that morning\n", out)
        code, _, err = self.run_main("reply", "invite.eml", "accept", "--attendee", "bob@example.com", "--occurrence",
                                     "2026-12-09 10:00", "-o", "r.eml")
        self.assertEqual(code, 1)
        self.assertIn("icsmail: error: --occurrence 2026-12-09 10:00:00+00:00 is not an occurrence", err)
        code, _, err = self.run_main("reply", "invite.eml", "accept", "--attendee", "bob@example.com", "--occurrence",
                                     "2026-12-08", "-o", "r.eml")
        self.assertEqual((code, err), (1, "icsmail: error: --occurrence '2026-12-08': the series' occurrences are "
                                          "times: give one like 2026-12-01 10:00\n"))

    def test_a_reply_from_someone_not_invited_is_warned(self):  # a mistyped --attendee would still answer
        self.run_main(*self.INVITE)
        code, _, err = self.run_main("reply", "invite.eml", "accept", "--attendee", "zed@example.com", "-o", "r.eml")
        self.assertEqual(code, 0)
        self.assertIn("icsmail: warning: zed@example.com is not among the invitation's attendees", err)

    def test_reply_answers_the_series_and_refuses_what_is_no_invitation(self):
        series = event(uid="standup@example.com", rrule="FREQ=DAILY;COUNT=5")
        moved = icsmail.update(series, recurrence_id=series.start + timedelta(days=1), summary="Moved")
        icsmail.dump(icsmail.Calendar([moved, series], method="REQUEST"), "series.ics")  # the occurrence first
        code, _, err = self.run_main("reply", "series.ics", "accept", "--attendee", "bob@example.com", "-o", "r.eml")
        self.assertEqual(code, 0, err)
        self.assertIsNone(icsmail.load("r.eml").events[0].recurrence_id)
        icsmail.dump(icsmail.Calendar([series, event(uid="other@example.com")], method="REQUEST"), "two.ics")
        icsmail.dump(icsmail.cancel(series), "cancel.ics", method="CANCEL")
        cases = {("two.ics",): "two.ics has 2 events ('standup@example.com', 'other@example.com'): say which one "
                               "with --uid",
                 ("cancel.ics",): "cancel.ics is a CANCEL, not an invitation: there is nothing to answer",
                 ("two.ics", "--uid", "nope"): "two.ics: no event to reply to with UID 'nope'"}
        for extra, message in cases.items():
            with self.subTest(extra):
                code, _, err = self.run_main("reply", *extra, "accept", "--attendee", "bob@example.com", "-o", "x.eml")
                self.assertEqual((code, err), (1, f"icsmail: error: {message}\n"))
        code, _, err = self.run_main("reply", "two.ics", "accept", "--attendee", "bob@example.com",
                                     "--uid", "other@example.com", "-o", "x.eml")
        self.assertEqual((code, icsmail.load("x.eml").events[0].uid), (0, "other@example.com"), err)

    def test_reply_to_an_occurrence_the_file_changed_answers_that_version(self):
        series = event(uid="standup@example.com", rrule="FREQ=DAILY;COUNT=5")
        second = series.start + timedelta(days=1)
        moved = icsmail.update(series, recurrence_id=second, start=second + timedelta(hours=5), sequence=3)
        icsmail.dump(icsmail.Calendar([series, moved], method="REQUEST"), "series.ics")
        code, _, err = self.run_main("reply", "series.ics", "accept", "--attendee", "bob@example.com",
                                     "--occurrence", "2026-12-02 10:00", "-o", "r.eml")
        self.assertEqual(code, 0, err)
        answer = icsmail.load("r.eml").events[0]
        self.assertEqual((answer.recurrence_id, answer.sequence, answer.start), (second, 3, moved.start))
        later = icsmail.update(moved, sequence=4, location="Room 9")
        icsmail.dump(icsmail.Calendar([moved, later], method="REQUEST"), "versions.ics")  # no series: the latest
        code, _, err = self.run_main("reply", "versions.ics", "accept", "--attendee", "bob@example.com", "-o", "v.eml")
        self.assertEqual((code, icsmail.load("v.eml").events[0].sequence), (0, 4), err)
        third = icsmail.update(series, recurrence_id=second + timedelta(days=1), summary="Third")
        icsmail.dump(icsmail.Calendar([moved, third], method="REQUEST"), "two.ics")
        cases = {(): "two.ics holds changed occurrences of event 'standup@example.com' (Wed 2 Dec 2026 10:00, Thu 3 "
                     "Dec 2026 10:00) and not the series: say which with --occurrence",
                 ("--occurrence", "2026-12-04 10:00"): "two.ics holds changed occurrences of event "
                 "'standup@example.com' (Wed 2 Dec 2026 10:00, Thu 3 Dec 2026 10:00), not 2026-12-04 10:00 nor the "
                 "series"}
        for extra, message in cases.items():
            with self.subTest(extra):
                code, _, err = self.run_main("reply", "two.ics", "accept", "--attendee", "bob@example.com", *extra,
                                             "-o", "x.eml")
                self.assertEqual((code, err), (1, f"icsmail: error: {message}\n"))
        code, _, err = self.run_main("reply", "two.ics", "accept", "--attendee", "bob@example.com",
                                     "--occurrence", "2026-12-03 10:00", "-o", "t.eml")
        self.assertEqual((code, icsmail.load("t.eml").events[0].summary), (0, "Third"), err)
        counter = icsmail.Calendar([icsmail.update(series, start=series.start + timedelta(hours=6))], method="COUNTER")
        icsmail.dump(counter, "counter.ics")
        code, _, err = self.run_main("reply", "counter.ics", "accept", "--attendee", "bob@example.com", "-o", "c.eml")
        self.assertEqual((code, err), (1, "icsmail: error: counter.ics is a COUNTER, not an invitation: there is "
                                          "nothing to answer\n"))

    def test_rooms_and_resources_are_booked_as_such(self):
        code, _, err = self.run_main(*self.INVITE, "--room", "Room 4 <room4@example.com>", "--resource",
                                     "beamer@example.com", "-o", "invite.eml")
        self.assertEqual(code, 0, err)
        kinds = {a.email: (a.cutype, a.role) for a in icsmail.load("invite.eml").events[0].attendees}
        self.assertEqual((kinds["room4@example.com"], kinds["beamer@example.com"], kinds["bob@example.com"]),
                         (("ROOM", "REQ-PARTICIPANT"), ("RESOURCE", "REQ-PARTICIPANT"), (None, "REQ-PARTICIPANT")))
        code, _, err = self.run_main("invite", *self.INVITE[1:11], "--room", "room4@example.com", "-o", "r.eml")
        self.assertEqual(code, 0, err)  # a room alone is someone to invite
        code, _, err = self.run_main("publish", *self.INVITE[1:11], "--room", "room4@example.com", "-o", "p.ics")
        self.assertEqual((code, os.path.exists("p.ics")), (1, False))
        self.assertIn("publish writes an announcement without attendees", err)

    def invite_and_answer(self) -> None:
        """invite.eml: a weekly series of four; bob accepts it, carol declines its second week."""
        self.run_main(*self.INVITE, "--rrule", "FREQ=WEEKLY;COUNT=4", "-o", "invite.eml")
        self.run_main("reply", "invite.eml", "accept", "--attendee", "bob@example.com", "-o", "bob.eml")
        self.run_main("reply", "invite.eml", "decline", "--attendee", "carol@example.com", "--occurrence",
                      "2026-12-08 10:00", "-o", "carol.eml")

    def test_apply_records_the_answers_in_the_organizers_copy(self):
        self.invite_and_answer()
        with mock.patch.object(icsmail, "_now", return_value=datetime(2027, 1, 1, tzinfo=UTC)):  # a day later
            code, _, err = self.run_main("apply", "invite.eml", "bob.eml", "carol.eml", "-o", "meeting.ics")
        self.assertEqual((code, err), (0, "bob.eml: bob@example.com accepted\ncarol.eml: carol@example.com declined "
                                          "(Tue 8 Dec 2026 10:00)\nwrote meeting.ics\n"))
        cal = icsmail.load("meeting.ics")
        self.assertIsNone(cal.method)  # a calendar to keep, not a message
        series, second = cal.events
        self.assertEqual(([a.partstat for a in series.attendees], series.recurrence_id),
                         (["ACCEPTED", "NEEDS-ACTION"], None))
        self.assertEqual(([a.partstat for a in second.attendees], second.recurrence_id, second.start),
                         (["ACCEPTED", "DECLINED"], datetime(2026, 12, 8, 10, tzinfo=LONDON), second.recurrence_id))
        self.assertEqual((second.sequence, second.dtstamp), (series.sequence, series.dtstamp))  # no version sent

    def test_a_reply_to_the_series_reaches_the_occurrences_the_copy_holds(self):
        self.invite_and_answer()
        self.run_main("apply", "invite.eml", "carol.eml", "-o", "meeting.ics")  # bob: needs-action on the 8th too
        code, _, err = self.run_main("apply", "meeting.ics", "bob.eml")
        self.assertEqual(code, 0, err)
        self.assertEqual([[a.partstat for a in ev.attendees] for ev in icsmail.load("meeting.ics").events],
                         [["ACCEPTED", "NEEDS-ACTION"], ["ACCEPTED", "DECLINED"]])

    def test_apply_reads_a_recurrence_id_in_utc_in_the_series_zone(self):  # as Google writes them
        self.run_main(*self.INVITE[:4], "2026-12-01 10:00", "--tz", "America/New_York", *self.INVITE[7:],
                      "--rrule", "FREQ=WEEKLY;COUNT=4", "-o", "invite.eml")
        self.run_main("reply", "invite.eml", "decline", "--attendee", "carol@example.com", "--occurrence",
                      "2026-12-08 10:00", "-o", "carol.eml")
        answer = icsmail.load("carol.eml").events[0]
        utc = dataclasses.replace(answer, recurrence_id=answer.recurrence_id.astimezone(UTC))
        icsmail.dump(icsmail.Calendar([utc], method="REPLY"), "google.ics")
        code, _, err = self.run_main("apply", "invite.eml", "google.ics", "-o", "meeting.ics")
        self.assertEqual((code, err), (0, "google.ics: carol@example.com declined (Tue 8 Dec 2026 10:00)\n"
                                          "wrote meeting.ics\n"))
        second = icsmail.load("meeting.ics").events[1]
        self.assertEqual((second.recurrence_id.tzinfo, second.start), (ZoneInfo("America/New_York"),
                                                                       answer.recurrence_id))

    def test_apply_keeps_one_version_of_each_event(self):
        first = event(uid="two@example.com", rrule=None)
        icsmail.dump(icsmail.Calendar([icsmail.update(first, location="Room 2", sequence=1), first],
                                      method="REQUEST"), "two.ics")
        self.run_main("reply", "two.ics", "accept", "--attendee", "bob@example.com", "-o", "r.eml")
        code, _, err = self.run_main("apply", "two.ics", "r.eml", "-o", "meeting.ics")
        self.assertEqual(code, 0, err)
        copy, = icsmail.load("meeting.ics").events
        self.assertEqual((copy.sequence, copy.location, copy.attendees[0].partstat), (1, "Room 2", "ACCEPTED"))

    def test_apply_writes_the_copy_in_place_and_says_what_it_cannot_apply(self):
        self.invite_and_answer()
        self.run_main("apply", "invite.eml", "carol.eml", "-o", "meeting.ics")
        self.run_main(*self.INVITE, "--uid", "other@example.com", "-o", "other.eml")
        self.run_main("reply", "other.eml", "accept", "--attendee", "bob@example.com", "-o", "elsewhere.eml")
        self.run_main("publish", *self.INVITE[1:9], "-o", "plain.ics")
        code, _, err = self.run_main("apply", "meeting.ics", "elsewhere.eml", "plain.ics", "invite.eml", "bob.eml")
        self.assertEqual(code, 1)
        self.assertEqual(err.splitlines(), [
            "icsmail: error: elsewhere.eml: not applied: it is about event 'other@example.com', which meeting.ics "
            "does not hold",
            "icsmail: error: plain.ics: not applied: plain.ics is no iTIP message (no METHOD): apply takes replies, "
            "cancels and the organizer's updates",
            "invite.eml: already recorded: nothing to change",
            "bob.eml: bob@example.com accepted", "wrote meeting.ics"])
        self.assertEqual([a.partstat for a in icsmail.load("meeting.ics").events[0].attendees],
                         ["ACCEPTED", "NEEDS-ACTION"])

    def test_apply_refuses_an_answer_for_an_occurrence_the_copy_excludes(self):
        self.invite_and_answer()
        series = icsmail.load("invite.eml").events[0]
        icsmail.dump(dataclasses.replace(series, exdates=(datetime(2026, 12, 8, 10, tzinfo=LONDON),)), "meeting.ics")
        code, _, err = self.run_main("apply", "meeting.ics", "carol.eml")
        self.assertEqual((code, err), (1, f"icsmail: error: carol.eml: not applied: it is about Tue 8 Dec 2026 10:00, "
                                          f"which is not an occurrence of event {series.uid!r} in meeting.ics\n"))

    def test_apply_changes_nothing_when_nothing_applies(self):
        self.invite_and_answer()
        self.run_main("apply", "invite.eml", "bob.eml", "-o", "meeting.ics")
        os.utime("meeting.ics", (0, 0))
        code, _, err = self.run_main("apply", "meeting.ics", "missing.eml")
        self.assertEqual((code, err), (1, "icsmail: error: missing.eml: not applied: No such file or directory\n"))
        self.assertEqual(os.stat("meeting.ics").st_mtime, 0)
        code, _, err = self.run_main("apply", "invite.eml", "bob.eml")
        self.assertEqual((code, err), (1, "icsmail: error: invite.eml is a message: give -o FILE.ics, the "
                                          "organizer's copy to write\n"))

    def test_cancel_one_occurrence_and_record_it(self):
        self.invite_and_answer()
        self.run_main("apply", "invite.eml", "bob.eml", "-o", "meeting.ics")
        code, _, err = self.run_main("cancel", "meeting.ics", "--occurrence", "2026-12-15 10:00", "-o", "cancel.eml")
        self.assertEqual((code, err), (0, "wrote cancel.eml (no SMTP server given: set ICSMAIL_SMTP=smtp://host:port "
                                          "to send it)\nrecorded in meeting.ics\n"))
        msg = icsmail.load("cancel.eml")
        ev, = msg.events
        self.assertEqual((msg.method, ev.status, ev.sequence, ev.recurrence_id),
                         ("CANCEL", "CANCELLED", 1, datetime(2026, 12, 15, 10, tzinfo=LONDON)))
        copy, = icsmail.load("meeting.ics").events  # the copy a cancel is made from records it
        self.assertEqual((copy.exdates, copy.sequence, copy.attendees[0].partstat),
                         ((datetime(2026, 12, 15, 10, tzinfo=LONDON),), 1, "ACCEPTED"))
        os.utime("meeting.ics", (0, 0))
        code, _, err = self.run_main("apply", "meeting.ics", "cancel.eml")
        self.assertEqual((code, err, os.stat("meeting.ics").st_mtime),
                         (0, "cancel.eml: already recorded: nothing to change\n", 0))
        self.run_main("apply", "invite.eml", "bob.eml", "-o", "fresh.ics")
        code, _, err = self.run_main("apply", "fresh.ics", "cancel.eml")  # a copy that had not heard of it
        self.assertEqual((code, err), (0, "cancel.eml: cancelled Tue 15 Dec 2026 10:00\nwrote fresh.ics\n"))
        self.assertEqual(icsmail.load("fresh.ics").events[0].exdates, copy.exdates)

    def test_cancel_this_and_future(self):
        self.invite_and_answer()
        code, _, err = self.run_main("cancel", "invite.eml", "--this-and-future", "-o", "c.eml")
        self.assertEqual((code, err), (1, "icsmail: error: --this-and-future needs --occurrence: the first "
                                          "occurrence to cancel\n"))
        self.run_main("apply", "invite.eml", "bob.eml", "-o", "meeting.ics")
        code, _, err = self.run_main("cancel", "meeting.ics", "--occurrence", "2026-12-15 10:00", "--this-and-future",
                                     "-o", "c.eml")
        self.assertEqual(code, 0, err)
        sent = icsmail.load("c.eml")  # the series, ended before it: what every client understands
        ended, = sent.events
        self.assertEqual((sent.method, ended.sequence, [o.day for o in icsmail.occurrences(ended)]),
                         ("REQUEST", 1, [1, 8]))
        self.assertEqual([a.partstat for a in ended.attendees], ["ACCEPTED", "NEEDS-ACTION"])  # the answers stand
        copy, = icsmail.load("meeting.ics").events
        self.assertEqual((copy.rrule, copy.sequence), (ended.rrule, 1))
        with open("c.eml", "rb") as f:
            mail = email.message_from_binary_file(f, policy=email.policy.default)
        self.assertEqual(mail["Subject"], "Cancelled: Design review (from Tue 15 Dec 2026 10:00 on)")
        self.assertIn("This event has been cancelled from Tue 15 Dec 2026 10:00 on; the occurrences before stay.",
                      mail.get_body(("plain",)).get_content())
        self.assertIn("every week, until 2026-12-14", self.run_main("show", "meeting.ics")[1])  # (the 8th is last)
        code, _, err = self.run_main("cancel", "meeting.ics", "--occurrence", "2026-12-01 10:00", "--this-and-future",
                                     "-o", "all.eml")  # from the first on: all of it
        self.assertEqual((code, icsmail.load("all.eml").method, icsmail.load("meeting.ics").events[0].status),
                         (0, "CANCEL", "CANCELLED"), err)

    def test_ending_a_series_keeps_the_answers_to_the_occurrences_left(self):
        self.invite_and_answer()
        self.run_main("apply", "invite.eml", "carol.eml", "-o", "meeting.ics")  # carol declined the 8th
        code, _, err = self.run_main("cancel", "meeting.ics", "--occurrence", "2026-12-15 10:00", "--this-and-future",
                                     "-o", "c.eml")
        self.assertEqual(code, 0, err)
        series, second = icsmail.load("meeting.ics").events
        self.assertEqual((second.recurrence_id.day, [a.partstat for a in second.attendees]),
                         (8, ["NEEDS-ACTION", "DECLINED"]))

    def test_cancel_uninvites_one_attendee_from_one_occurrence(self):
        self.invite_and_answer()
        self.run_main("apply", "invite.eml", "bob.eml", "-o", "meeting.ics")
        code, _, err = self.run_main("cancel", "meeting.ics", "--occurrence", "2026-12-15 10:00", "--attendee",
                                     "carol@example.com", "-o", "c.eml")
        self.assertEqual(code, 0, err)
        series, alone = icsmail.load("meeting.ics").events
        self.assertEqual(([a.email for a in series.attendees], [a.email for a in alone.attendees], alone.start),
                         (["bob@example.com", "carol@example.com"], ["bob@example.com"],
                          datetime(2026, 12, 15, 10, tzinfo=LONDON)))
        code, _, err = self.run_main("cancel", "meeting.ics", "--occurrence", "2026-12-15 10:00", "--attendee",
                                     "carol@example.com", "--this-and-future", "-o", "c2.eml")
        self.assertEqual((code, os.path.exists("c2.eml")), (1, False))
        self.assertIn("--attendee with --this-and-future would un-invite from part of a series", err)

    def test_what_is_sent_of_a_changed_occurrence_is_above_the_series_version(self):
        self.invite_and_answer()
        self.run_main("apply", "invite.eml", "carol.eml", "-o", "meeting.ics")  # the 8th held for carol's answer
        self.run_main("cancel", "meeting.ics", "--occurrence", "2026-12-22 10:00", "-o", "c1.eml")
        self.run_main("cancel", "meeting.ics", "--occurrence", "2026-12-15 10:00", "-o", "c2.eml")
        code, _, err = self.run_main("cancel", "meeting.ics", "--occurrence", "2026-12-08 10:00", "-o", "c3.eml")
        self.assertEqual(code, 0, err)
        self.assertEqual([icsmail.load(f"c{n}.eml").events[0].sequence for n in (1, 2, 3)], [1, 2, 3])
        series, second = icsmail.load("meeting.ics").events
        self.assertEqual((len(series.exdates), series.sequence, second.status), (3, 3, "CANCELLED"))

    def test_an_attendee_is_named_once(self):
        code, _, err = self.run_main(*self.INVITE, "--room", "bob@example.com", "-o", "x.eml")
        self.assertEqual((code, err, os.path.exists("x.eml")),
                         (1, "icsmail: error: bob@example.com is named twice (--attendee, --optional, --room, "
                             "--resource): name each attendee once\n", False))

    def test_cancel_uninvites_one_attendee(self):
        self.run_main(*self.INVITE, "-o", "invite.eml")
        code, _, err = self.run_main("cancel", "invite.eml", "--attendee", "carol@example.com", "-o", "c.eml")
        self.assertEqual(code, 0, err)
        with open("c.eml", "rb") as f:
            self.assertEqual(email.message_from_binary_file(f)["To"], "carol@example.com")
        ev, = icsmail.load("c.eml").events
        self.assertEqual((ev.status, [a.email for a in ev.attendees]), (None, ["carol@example.com"]))
        code, _, err = self.run_main("apply", "invite.eml", "c.eml", "-o", "meeting.ics")
        self.assertEqual((code, [a.email for a in icsmail.load("meeting.ics").events[0].attendees]),
                         (0, ["bob@example.com"]), err)
        code, _, err = self.run_main("cancel", "invite.eml", "--attendee", "zed@example.com", "-o", "z.eml")
        self.assertEqual((code, err), (1, "icsmail: error: --attendee zed@example.com is not among the attendees of "
                                          "event " + repr(ev.uid) + ": there is nobody to un-invite\n"))

    def test_cancel_sends_to_every_attendee(self):
        server = self.start_server()
        self.run_main(*self.INVITE, "-o", "invite.eml")
        code, _, err = self.run_main("cancel", "invite.eml", env={"ICSMAIL_SMTP": server.url})
        self.assertEqual(code, 0, err)
        self.assertTrue(err.startswith("sent to bob@example.com, carol@example.com via "), err)
        (envelope, data), = server.messages
        cal = icsmail.loads(data)
        self.assertEqual((cal.method, cal.events[0].status, cal.events[0].sequence), ("CANCEL", "CANCELLED", 1))

    def test_cancel_refuses_what_cannot_be_cancelled(self):
        self.run_main(*self.INVITE, "-o", "invite.eml")
        self.run_main("cancel", "invite.eml", "-o", "c.eml")
        self.run_main("publish", *self.INVITE[1:9], "-o", "mine.ics")
        uid = icsmail.load("invite.eml").events[0].uid
        cases = {"c.eml": "c.eml is a CANCEL, not an invitation: there is nothing to cancel",
                 "mine.ics": "mine.ics: event %r has no organizer: it was never sent as an invitation, so there is "
                             "nobody to tell" % icsmail.load("mine.ics").events[0].uid}
        for path, message in cases.items():
            with self.subTest(path):
                code, _, err = self.run_main("cancel", path, "-o", "x.eml")
                self.assertEqual((code, err), (1, f"icsmail: error: {message}\n"))
        self.run_main("apply", "invite.eml", "c.eml", "-o", "meeting.ics")
        code, _, err = self.run_main("cancel", "meeting.ics", "-o", "x.eml")
        self.assertEqual((code, err), (1, f"icsmail: error: meeting.ics: event {uid!r} is cancelled: there is "
                                          f"nothing to cancel\n"))
        code, _, err = self.run_main("cancel", "invite.eml", "--occurrence", "2026-12-02 10:00", "-o", "x.eml")
        self.assertEqual((code, err), (1, f"icsmail: error: event {uid!r} does not recur: cancel it whole, without "
                                          f"--occurrence\n"))

    def test_update_sends_the_next_version_with_the_rest_kept(self):
        self.run_main(*self.INVITE, "--location", "Room 1", "-o", "invite.eml")
        code, _, err = self.run_main("update", "invite.eml", "--location", "Room 9", "-o", "u.eml")
        self.assertEqual(code, 0, err)
        with open("u.eml", "rb") as f:
            self.assertEqual(email.message_from_binary_file(f)["Subject"], "Updated: Design review")
        cal = icsmail.load("u.eml")
        first, new = icsmail.load("invite.eml").events[0], cal.events[0]
        self.assertEqual((cal.method, new.uid, new.sequence, new.location), ("REQUEST", first.uid, 1, "Room 9"))
        self.assertEqual((new.summary, new.start, new.end_time, new.attendees),
                         (first.summary, first.start, first.end_time, first.attendees))

    def test_update_moves_the_start_in_the_events_own_zone(self):
        self.run_main(*self.INVITE[:4], "2026-12-01 10:00", "--tz", "America/New_York", *self.INVITE[7:],
                      "-o", "invite.eml")
        self.run_main("reply", "invite.eml", "accept", "--attendee", "bob@example.com", "-o", "bob.eml")
        self.run_main("apply", "invite.eml", "bob.eml", "-o", "meeting.ics")
        code, _, err = self.run_main("update", "meeting.ics", "--start", "2026-12-02 11:00", "--attendee",
                                     "dan@example.com", "-o", "u.eml", env={"TZ": "Asia/Tokyo"})
        self.assertEqual((code, err), (0, "wrote u.eml (no SMTP server given: set ICSMAIL_SMTP=smtp://host:port to "
                                          "send it)\nrecorded in meeting.ics\n"))
        new = icsmail.load("u.eml").events[0]
        self.assertEqual((new.start, new.end_time - new.start, new.sequence),
                         (datetime(2026, 12, 2, 11, tzinfo=ZoneInfo("America/New_York")), timedelta(minutes=45), 1))
        self.assertEqual([(a.email, a.partstat) for a in new.attendees],  # a new time asks everyone again
                         [("bob@example.com", "NEEDS-ACTION"), ("carol@example.com", "NEEDS-ACTION"),
                          ("dan@example.com", "NEEDS-ACTION")])
        with open("u.eml", "rb") as f:
            self.assertEqual(email.message_from_binary_file(f)["To"],
                             "bob@example.com, carol@example.com, dan@example.com")

    def test_update_changes_one_occurrence(self):
        self.invite_and_answer()
        code, _, err = self.run_main("update", "invite.eml", "--occurrence", "2026-12-08 10:00", "--start",
                                     "2026-12-08 15:00", "-o", "u.eml")
        self.assertEqual(code, 0, err)
        new, series = icsmail.load("u.eml").events  # the whole event, as every REQUEST is
        self.assertEqual((new.recurrence_id, new.start, new.rrule),
                         (datetime(2026, 12, 8, 10, tzinfo=LONDON), datetime(2026, 12, 8, 15, tzinfo=LONDON), None))
        self.assertEqual((series.recurrence_id, series.rrule, series.sequence), (None, "FREQ=WEEKLY;COUNT=4", 0))
        with open("u.eml", "rb") as f:
            self.assertEqual(email.message_from_binary_file(f)["Subject"], "Updated: Design review (Tue 8 Dec 2026 "
                                                                            "10:00)")

    def test_an_update_of_the_series_sends_the_occurrences_changed_and_goes_above_them(self):
        self.invite_and_answer()
        self.run_main("apply", "invite.eml", "carol.eml", "-o", "meeting.ics")  # the 8th held for carol's answer
        self.run_main("update", "meeting.ics", "--occurrence", "2026-12-15 10:00", "--start", "2026-12-15 14:00",
                      "-o", "moved.eml")
        code, _, err = self.run_main("update", "meeting.ics", "--location", "Room 9", "-o", "room.eml")
        self.assertEqual(code, 0, err)
        series, moved = icsmail.load("room.eml").events  # not the 8th: held for an answer, no change of the organizer
        self.assertEqual((series.location, series.sequence, moved.recurrence_id, moved.start.hour, moved.sequence),
                         ("Room 9", 2, datetime(2026, 12, 15, 10, tzinfo=LONDON), 14, 1))

    def test_an_attendee_added_to_the_series_is_added_to_the_occurrences_changed(self):
        self.invite_and_answer()
        self.run_main("apply", "invite.eml", "-o", "meeting.ics")
        self.run_main("update", "meeting.ics", "--occurrence", "2026-12-15 10:00", "--location", "Room 9",
                      "-o", "room.eml")
        code, _, err = self.run_main("update", "meeting.ics", "--attendee", "dan@example.com", "-o", "dan.eml")
        self.assertEqual(code, 0, err)
        for where in ("dan.eml", "meeting.ics"):
            with self.subTest(where):
                self.assertEqual([[a.email for a in ev.attendees][-1] for ev in icsmail.load(where).events],
                                 ["dan@example.com", "dan@example.com"])

    def test_an_update_to_standard_output_is_not_recorded(self):
        self.run_main(*self.INVITE, "-o", "invite.eml")
        self.run_main("apply", "invite.eml", "-o", "meeting.ics")
        code, out, err = self.run_main("update", "meeting.ics", "--location", "Room 9", "-o", "-")
        self.assertEqual((code, err), (0, "icsmail: note: not recorded in meeting.ics: written to standard output "
                                          "(record it with python icsmail.py apply meeting.ics FILE once it is "
                                          "sent)\n"))
        self.assertEqual(icsmail.loads(out).events[0].location, "Room 9")
        self.assertIsNone(icsmail.load("meeting.ics").events[0].location)

    def test_update_refuses_what_changes_nothing_or_cannot_be_changed(self):
        self.run_main(*self.INVITE, "-o", "invite.eml")
        self.run_main("cancel", "invite.eml", "-o", "c.eml")
        uid = icsmail.load("invite.eml").events[0].uid
        cases = {("invite.eml",): "update: nothing to change: give what changes (--start, --location, --attendee, "
                                  "...)",
                 ("invite.eml", "--attendee", "BOB@example.com"): f"BOB@example.com is already invited to event "
                                                                  f"{uid!r}",
                 ("c.eml", "--location", "x"): "c.eml is a CANCEL, not an invitation: there is nothing to update",
                 ("invite.eml", "--end", "2026-12-01 09:00"): "end 2026-12-01 09:00:00+00:00 is not after start "
                                                              "2026-12-01 10:00:00+00:00"}
        for argv, message in cases.items():
            with self.subTest(argv):
                code, _, err = self.run_main("update", *argv, "-o", "x.eml")
                self.assertEqual((code, err, os.path.exists("x.eml")), (1, f"icsmail: error: {message}\n", False))

    def test_apply_records_the_organizers_own_update(self):
        self.invite_and_answer()
        self.run_main("apply", "invite.eml", "bob.eml", "carol.eml", "-o", "meeting.ics")
        shutil.copy("meeting.ics", "elsewhere.ics")  # (an update made from the copy records itself there)
        self.run_main("update", "elsewhere.ics", "--location", "Room 9", "-o", "room.eml")
        code, _, err = self.run_main("apply", "meeting.ics", "room.eml")
        self.assertEqual((code, err), (0, "room.eml: version 1 recorded\nwrote meeting.ics\n"))
        series, second = icsmail.load("meeting.ics").events
        self.assertEqual((series.sequence, series.location, [a.partstat for a in series.attendees]),
                         (1, "Room 9", ["ACCEPTED", "NEEDS-ACTION"]))  # a new place: the answers stand
        self.assertEqual((second.location, second.sequence, [a.partstat for a in second.attendees]),
                         ("Room 9", 1, ["ACCEPTED", "DECLINED"]))  # the occurrence follows its series
        self.run_main("update", "elsewhere.ics", "--start", "2026-12-01 11:00", "-o", "later.eml")
        code, _, err = self.run_main("apply", "meeting.ics", "later.eml", "room.eml")
        self.assertEqual((code, err.splitlines()), (1, [
            "later.eml: version 2 recorded",
            "later.eml: dropped the answers to Tue 8 Dec 2026 10:00, no longer an occurrence of the series",
            "icsmail: error: room.eml: not applied: it is version 1 of the event, older than the copy's 2 "
            "(RFC 5546 2.1.5)",
            "wrote meeting.ics"]))
        series, = icsmail.load("meeting.ics").events
        self.assertEqual((series.start.hour, [a.partstat for a in series.attendees]), (11, ["NEEDS-ACTION"] * 2))

    def test_an_occurrence_the_organizer_changed_stays_when_the_series_changes(self):
        self.invite_and_answer()
        self.run_main("update", "invite.eml", "--occurrence", "2026-12-08 10:00", "--start", "2026-12-08 15:00",
                      "-o", "moved.eml")
        self.run_main("apply", "invite.eml", "carol.eml", "moved.eml", "-o", "meeting.ics")
        self.run_main("update", "meeting.ics", "--summary", "Design review (v2)", "-o", "renamed.eml")
        code, _, err = self.run_main("apply", "meeting.ics", "renamed.eml")
        self.assertEqual(code, 0, err)
        series, moved = icsmail.load("meeting.ics").events
        self.assertEqual((series.summary, moved.summary, moved.start.hour), ("Design review (v2)", "Design review", 15))

    def test_a_start_off_the_rules_days_is_noted(self):
        code, _, err = self.run_main("publish", *self.INVITE[1:7], "--rrule", "FREQ=WEEKLY;BYDAY=MO,WE;COUNT=10",
                                     "-o", "p.ics")  # (Tuesday 1 December)
        self.assertEqual((code, err), (0, "icsmail: note: the start, Tue 1 Dec 2026 10:00, is not on the rule's "
                                          "BYDAY=MO,WE: calendars differ on whether it is an occurrence (RFC 5545 "
                                          "leaves that undefined)\nwrote p.ics\n"))
        self.assertEqual(icsmail.load("p.ics").events[0].rrule, "FREQ=WEEKLY;BYDAY=MO,WE;COUNT=10")  # kept as asked
        for rule in ("FREQ=WEEKLY;BYDAY=TU,TH", "FREQ=MONTHLY;BYDAY=1TU", "FREQ=MONTHLY;BYMONTHDAY=1,15",
                     "FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=-31", "FREQ=DAILY;BYHOUR=10,14"):
            with self.subTest(rule):
                code, _, err = self.run_main("publish", *self.INVITE[1:7], "--rrule", rule, "-o", "q.ics")
                self.assertEqual((code, err), (0, "wrote q.ics\n"))
        for rule in ("FREQ=MONTHLY;BYMONTHDAY=-1", "FREQ=YEARLY;BYMONTH=6", "FREQ=DAILY;BYHOUR=9",
                     "FREQ=MONTHLY;BYDAY=2TU", "FREQ=MONTHLY;BYDAY=TU;BYSETPOS=-1"):
            with self.subTest(rule):
                code, _, err = self.run_main("publish", *self.INVITE[1:7], "--rrule", rule, "-o", "q.ics")
                self.assertIn("is not on the rule's " + rule.split(";")[1], err)

    def test_moving_a_series_drops_the_occurrences_it_no_longer_has(self):  # as Outlook drops its exceptions
        self.invite_and_answer()
        self.run_main("apply", "invite.eml", "-o", "meeting.ics")
        self.run_main("update", "meeting.ics", "--occurrence", "2026-12-15 10:00", "--start", "2026-12-15 14:00",
                      "-o", "moved.eml")
        code, _, err = self.run_main("update", "meeting.ics", "--start", "2026-12-01 11:00", "-o", "later.eml")
        self.assertEqual((code, err.splitlines()[1:]), (0, [
            "icsmail: note: meeting.ics: dropped the change to Tue 15 Dec 2026 10:00 (to Tue 15 Dec 2026 14:00): "
            "the series no longer has that occurrence; to keep it, change the occurrence that took its place "
            "(update --occurrence)", "recorded in meeting.ics"]))
        series, = icsmail.load("meeting.ics").events
        self.assertEqual(series.start, datetime(2026, 12, 1, 11, tzinfo=LONDON))
        code, _, err = self.run_main("update", "meeting.ics", "--occurrence", "2026-12-15 10:00", "--location", "x",
                                     "-o", "x.eml")
        self.assertEqual(code, 1)
        self.assertIn("--occurrence 2026-12-15 10:00:00+00:00 is not an occurrence", err)

    def test_update_turns_a_series_all_day_and_back_with_its_cancelled_days(self):
        self.invite_and_answer()
        self.run_main("apply", "invite.eml", "-o", "meeting.ics")
        self.run_main("cancel", "meeting.ics", "--occurrence", "2026-12-15 10:00", "-o", "c.eml")
        code, _, err = self.run_main("update", "meeting.ics", "--start", "2026-12-01", "-o", "allday.eml")
        self.assertEqual(code, 0, err)
        series, = icsmail.load("meeting.ics").events
        self.assertEqual((series.start, series.end_time, series.exdates),
                         (date(2026, 12, 1), date(2026, 12, 2), (date(2026, 12, 15),)))
        code, _, err = self.run_main("update", "meeting.ics", "--start", "2026-12-01 09:00", "--tz", "Europe/London",
                                     "-o", "timed.eml")
        self.assertEqual(code, 0, err)
        series, = icsmail.load("meeting.ics").events
        self.assertEqual((series.end_time - series.start, series.exdates),  # a time of day lasts an hour unless told
                         (timedelta(hours=1), (datetime(2026, 12, 15, 9, tzinfo=LONDON),)))

    def test_update_refuses_a_rule_for_one_occurrence_and_what_changes_nothing(self):
        self.invite_and_answer()
        uid = icsmail.load("invite.eml").events[0].uid
        cases = {("--occurrence", "2026-12-08 10:00", "--rrule", "FREQ=DAILY"):
                 "--rrule with --occurrence: one occurrence has no recurrence of its own; change the series' rule "
                 "without --occurrence",
                 ("--start", "2026-12-01 10:00"): f"update: nothing to change: event {uid!r} already is as asked",
                 ("--occurrence", "2026-12-08 10:00", "--start", "2026-12-08 10:00"):
                 f"update: nothing to change: event {uid!r} already is as asked"}
        for argv, message in cases.items():
            with self.subTest(argv):
                code, _, err = self.run_main("update", "invite.eml", *argv, "-o", "x.eml")
                self.assertEqual((code, err, os.path.exists("x.eml")), (1, f"icsmail: error: {message}\n", False))

    def test_update_cancel_and_apply_read_standard_input(self):
        self.invite_and_answer()
        with open("invite.eml", "rb") as f, mock.patch.object(sys, "stdin", io.TextIOWrapper(io.BytesIO(f.read()))):
            code, _, err = self.run_main("update", "-", "--location", "Room 9", "-o", "u.eml")
        self.assertEqual((code, icsmail.load("u.eml").events[0].location), (0, "Room 9"), err)
        code, _, err = self.run_main("apply", "-", "bob.eml")
        self.assertEqual((code, err), (1, "icsmail: error: a copy read from standard input is written where -o says: "
                                          "give -o FILE.ics\n"))

    def test_a_copy_that_cannot_record_the_update_is_said_before_it_is_sent(self):
        server = self.start_server()
        self.invite_and_answer()
        self.run_main("apply", "invite.eml", "-o", "meeting.ics")
        real = icsmail._write_file

        def full_disk(path, data):
            if str(path) == "meeting.ics":
                raise OSError(28, "No space left on device")
            return real(path, data)
        with mock.patch.object(icsmail, "_write_file", side_effect=full_disk):
            code, _, err = self.run_main("update", "meeting.ics", "--location", "Room 9",
                                         env={"ICSMAIL_SMTP": server.url})
        self.assertEqual(code, 1)
        self.assertEqual(err.splitlines()[1], "icsmail: error: meeting.ics: No space left on device: the copy does "
                                              "not record the message; it is in update.eml: python icsmail.py apply "
                                              "meeting.ics update.eml")
        self.assertEqual(len(server.messages), 1)  # it went: the copy can catch up with it
        code, _, err = self.run_main("apply", "meeting.ics", "update.eml")
        self.assertEqual((code, icsmail.load("meeting.ics").events[0].location), (0, "Room 9"), err)

    def test_an_update_that_did_not_go_is_kept_and_the_next_goes_above_it(self):  # never two of one SEQUENCE
        server = self.start_server(refuse={"bob@example.com", "carol@example.com"})
        self.run_main(*self.INVITE, "-o", "invite.eml")
        self.run_main("apply", "invite.eml", "-o", "meeting.ics")
        code, _, err = self.run_main("update", "meeting.ics", "--location", "Room 9", "--smtp", server.url)
        self.assertEqual(code, 1)
        self.assertIn("every recipient refused", err)
        self.assertIn(f"the message is in update.eml: retry with: python icsmail.py send update.eml --smtp "
                      f"{server.url}\nrecorded in meeting.ics all the same: the next update goes above it\n", err)
        self.assertEqual(icsmail.load("meeting.ics").events[0].sequence, 1)
        server = self.start_server()
        code, _, err = self.run_main("update", "meeting.ics", "--start", "2026-12-01 11:00", "--smtp", server.url)
        self.assertEqual((code, icsmail.loads(server.messages[0][1]).events[0].sequence), (0, 2), err)
        self.assertEqual(self.run_main("send", "update.eml", "--smtp", server.url)[0], 0)  # the first, late
        code, _, err = self.run_main("apply", "meeting.ics", "update.eml")
        self.assertEqual((code, err), (1, "icsmail: error: update.eml: not applied: it is version 1 of the event, "
                                          "older than the copy's 2 (RFC 5546 2.1.5)\n"))

    @unittest.skipIf(not hasattr(os, "geteuid") or os.geteuid() == 0, "root writes read-only files")
    def test_a_read_only_copy_stops_the_update_before_it_is_sent(self):
        server = self.start_server()
        self.invite_and_answer()
        self.run_main("apply", "invite.eml", "-o", "meeting.ics")
        os.chmod("meeting.ics", 0o444)
        code, _, err = self.run_main("update", "meeting.ics", "--location", "Room 9", env={"ICSMAIL_SMTP": server.url})
        self.assertEqual((code, err, server.messages), (1, "icsmail: error: meeting.ics: Permission denied\n", []))

    def hand_written_reply(self, *lines: str) -> str:
        """reply.ics: bob's reply to invite.eml as a client might write it, with ``lines`` added."""
        uid = icsmail.load("invite.eml").events[0].uid
        with open("reply.ics", "w", newline="") as f:
            f.write("\r\n".join(["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//x//x//EN", "METHOD:REPLY",
                                   "BEGIN:VEVENT", f"UID:{uid}", "DTSTAMP:20261201T000000Z",
                                   "ORGANIZER:mailto:alice@example.com",
                                   "ATTENDEE;PARTSTAT=DECLINED:mailto:bob@example.com", *lines,
                                   "END:VEVENT", "END:VCALENDAR", ""]))
        return "reply.ics"

    def test_apply_refuses_an_answer_read_by_guess(self):  # a garbled RECURRENCE-ID would answer the whole series
        self.invite_and_answer()
        self.run_main("apply", "invite.eml", "-o", "meeting.ics")
        cases = {("RECURRENCE-ID:garbage",): "RECURRENCE-ID 'garbage' is not a DATE or DATE-TIME: kept as text",
                 ("SEQUENCE:abc",): "SEQUENCE 'abc' is not a whole number: read as 0",
                 ("RECURRENCE-ID;TZID=No/Such:20261208T100000",): "the RECURRENCE-ID 2026-12-08 10:00:00 is in "
                                                                  "'No/Such', which names no zone"}
        for lines, message in cases.items():
            with self.subTest(lines):
                code, _, err = self.run_main("apply", "meeting.ics", self.hand_written_reply(*lines))
                self.assertEqual(code, 1)
                self.assertIn(f"icsmail: error: reply.ics: not applied: {message}", err)
                self.assertEqual([a.partstat for a in icsmail.load("meeting.ics").events[0].attendees],
                                 ["NEEDS-ACTION"] * 2)
        code, _, err = self.run_main("apply", "meeting.ics", self.hand_written_reply())  # as it should be
        self.assertEqual((code, err), (0, "reply.ics: bob@example.com declined\nwrote meeting.ics\n"))

    def test_apply_takes_an_update_only_from_the_organizer(self):
        self.run_main(*self.INVITE, "-o", "invite.eml")
        self.run_main("apply", "invite.eml", "-o", "meeting.ics")
        mine = icsmail.load("invite.eml").events[0]
        for organizer in (None, "mallory@example.com"):
            with self.subTest(organizer):
                text = icsmail.dumps(dataclasses.replace(mine, organizer=organizer, location="Elsewhere", sequence=1))
                with open("forged.ics", "w", newline="") as f:  # (dumps writes no REQUEST without an organizer)
                    f.write(text.replace("VERSION:2.0\r\n", "VERSION:2.0\r\nMETHOD:REQUEST\r\n"))
                code, _, err = self.run_main("apply", "meeting.ics", "forged.ics")
                self.assertEqual(code, 1)
                self.assertIn(f"organizes event {mine.uid!r}: only the organizer changes it", err)
        self.assertEqual(icsmail.load("meeting.ics").events[0].organizer.email, "alice@example.com")

    @unittest.skipUnless(hasattr(os, "mkfifo"), "POSIX")
    def test_a_pipe_is_refused_not_waited_on(self):
        self.run_main(*self.INVITE, "-o", "invite.eml")
        os.mkfifo("pipe")
        for argv in (("apply", "invite.eml", "pipe", "-o", "m.ics"), ("update", "pipe", "--location", "x")):
            with self.subTest(argv[0]):
                self.assertEqual(self.run_main(*argv), (1, "", "icsmail: error: pipe: not applied: pipe is not a "
                                                               "regular file (a pipe, a device): give a file, or - "
                                                               "for standard input\n" if argv[0] == "apply" else
                                                        "icsmail: error: pipe is not a regular file (a pipe, a "
                                                        "device): give a file, or - for standard input\n"))

    def test_a_series_of_a_billion_seconds_is_not_walked_through(self):
        self.run_main(*self.INVITE, "-o", "invite.eml")
        self.run_main("apply", "invite.eml", "-o", "meeting.ics")
        self.run_main("update", "meeting.ics", "--rrule", "FREQ=SECONDLY;COUNT=999999999", "-o", "u.eml")
        began = time.monotonic()
        code, _, err = self.run_main("cancel", "meeting.ics", "--occurrence", "2027-01-01 10:00", "-o", "c.eml")
        self.assertEqual(code, 0, err)
        self.assertLess(time.monotonic() - began, 10)  # (a walk through it all would take hours)

    def test_many_changed_occurrences_are_walked_once(self):
        series = event(uid="daily@example.com", rrule="FREQ=DAILY;COUNT=3000")
        moved = [dataclasses.replace(series, recurrence_id=series.start + timedelta(days=d), rrule=None,
                                     start=series.start + timedelta(days=d), location=f"Room {d}")
                 for d in range(1, 3000, 3)]  # a thousand
        icsmail.dump(icsmail.Calendar([series, *moved]), "meeting.ics")
        began = time.monotonic()
        code, _, err = self.run_main("update", "meeting.ics", "--summary", "Renamed", "-o", "u.eml")
        self.assertEqual(code, 0, err)
        self.assertLess(time.monotonic() - began, 10)  # (one walk per occurrence took minutes)
        self.assertEqual(len(icsmail.load("u.eml").events), 1001)  # the whole event

    def test_ending_a_series_with_changed_occurrences_on_both_sides(self):  # the copy's places shift as it drops
        self.run_main("invite", "--summary", "T", "--start", "2027-03-01 00:30", "--tz", "Europe/Berlin",
                      "--organizer", "o@example.com", "--attendee", "a@example.com", "--rrule", "FREQ=WEEKLY",
                      "-o", "inv.eml")
        self.run_main("apply", "inv.eml", "-o", "copy.ics")
        self.run_main("update", "copy.ics", "--occurrence", "2027-04-12 00:30", "--location", "R", "-o", "u1.eml")
        self.run_main("update", "copy.ics", "--occurrence", "2027-03-15 00:30", "--location", "Q", "-o", "u2.eml")
        code, _, err = self.run_main("cancel", "copy.ics", "--occurrence", "2027-04-05 00:30", "--this-and-future",
                                     "-o", "c.eml")
        self.assertEqual(code, 0, err)
        kept = {ev.recurrence_id.day if ev.recurrence_id else None: ev.location
                for ev in icsmail.load("copy.ics").events}
        self.assertEqual(kept, {None: None, 15: "Q"})

    def test_an_update_that_excludes_an_occurrence_held_for_an_answer_drops_it(self):
        self.invite_and_answer()
        self.run_main("apply", "invite.eml", "carol.eml", "-o", "meeting.ics")  # the 8th held for carol's answer
        series = icsmail.load("meeting.ics").events[0]
        new = icsmail.update(series, exdates=[datetime(2026, 12, 8, 10, tzinfo=LONDON)], attendees=series.attendees)
        icsmail.dump(icsmail.Calendar([new], method="REQUEST"), "request.ics")
        code, _, err = self.run_main("apply", "meeting.ics", "request.ics")
        self.assertEqual((code, err.splitlines()[1]), (0, "request.ics: dropped the answers to Tue 8 Dec 2026 10:00, "
                                                          "no longer an occurrence of the series"))
        self.assertEqual(len(icsmail.load("meeting.ics").events), 1)

    def test_a_start_the_clocks_skip_is_noted(self):  # 02:30 on the spring-forward night: calendars show 03:30
        code, _, err = self.run_main("publish", "--summary", "x", "--start", "2027-03-14 02:30", "--tz",
                                     "America/New_York", "-o", "p.ics")
        self.assertEqual((code, err), (0, "icsmail: note: 2027-03-14 02:30 does not exist in America/New_York (the "
                                          "clocks skip it): calendars show 03:30\nwrote p.ics\n"))
        code, _, err = self.run_main("publish", "--summary", "x", "--start", "2027-11-07 01:30", "--tz",
                                     "America/New_York", "-o", "q.ics")  # (twice, not skipped: the first is meant)
        self.assertEqual((code, err), (0, "wrote q.ics\n"))

    def test_errors_are_one_line(self):
        with open("broken.ics", "w") as f:
            f.write("BEGIN:VCALENDAR\nBEGIN:VEVENT\nSUMMARY oops\nEND:VEVENT\nEND:VCALENDAR\n")
        cases = [
            (("publish", "--summary", "x", "--start", "tomorrow", "--tz", "UTC"), "is not a date or time"),
            (("publish", "--summary", "x", "--start", "2026-12-01 10:00", "--tz", "Mars/Base"),
             "unknown time zone 'Mars/Base'"),
            (("show", "broken.ics"), "a property line without a colon: 'SUMMARY oops' (line 3)"),
            (("show", "missing.ics"), "missing.ics: No such file or directory"),
            (("invite", "--summary", "x", "--start", "2026-12-01", "--organizer", "a@example.com",
              "--attendee", "not-an-address"), "malformed e-mail address 'not-an-address'"),
            (("send", "x.eml"), "no SMTP server"),
            (("publish", "--summary", "x", "--start", "2026-12-01 10:00", "--tz", "UTC", "--duration",
              "99999999999999d"), "--duration '99999999999999d' is longer than any calendar can hold"),
            (("publish", "--summary", "x", "--start", "9999-12-31"), "start 9999-12-31 is too late"),
            (("publish", "--summary", "x", "--start", "2026-12-01 10:00", "--tz", ""), "invalid time zone name ''"),
            (("publish", "--summary", "x", "--start", "2026-12-01", "--rrule", "FREQ=DAILY;UNTIL=20261399"),
             "UNTIL=20261399 is no such day"),
            (("publish", "--summary", "x", "--start", "2026-12-01", "--priority", "12"),
             "priority must be a whole number from 0 to 9, not 12"),
            (("publish", "--summary", "x", "--start", "2026-12-01 10:00", "--duration", "0m"),
             "--duration '0m' is not a duration like 45m"),
        ]
        for argv, message in cases:
            with self.subTest(argv=argv):
                code, out, err = self.run_main(*argv)
                self.assertEqual(code, 1)
                self.assertEqual(err.count("\n"), 1, err)
                self.assertTrue(err.startswith("icsmail: error: "), err)
                self.assertIn(message, err)

    @unittest.skipUnless(hasattr(os, "fork"), "sets a file size limit in the child")
    def test_a_failed_write_leaves_no_cut_off_file(self):  # which `send` would then send
        import resource

        def small_files():
            resource.setrlimit(resource.RLIMIT_FSIZE, (1024, 1024))  # the message is 3 kB

        with open("keep.eml", "wb") as f:
            f.write(b"an earlier message")
        for output in (("-o", "keep.eml"), ()):
            with self.subTest(output=output):
                result = subprocess.run([sys.executable, os.path.join(HERE, "icsmail.py"), *self.INVITE, *output],
                                        capture_output=True, text=True, timeout=60, preexec_fn=small_files)
                self.assertEqual((result.returncode, result.stderr),
                                 (1, f"icsmail: error: {output[1] if output else 'invite.eml'}: File too large\n"))
                self.assertEqual(sorted(os.listdir(".")), ["keep.eml"])  # nothing half-written beside it
                with open("keep.eml", "rb") as f:
                    self.assertEqual(f.read(), b"an earlier message")

    def test_script_runs(self):
        with open("a.ics", "w", newline="") as f:
            f.write(SIMPLE)
        result = subprocess.run([sys.executable, os.path.join(HERE, "icsmail.py"), "show", "a.ics"],
                                capture_output=True, text=True, timeout=60)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("Review, with a comma", result.stdout)



# --------------------------------------------------------------------------
# The README: its examples run as written
# --------------------------------------------------------------------------

class TestReadme(SMTPTestCase):
    def blocks(self, language: str) -> list:
        with open(os.path.join(HERE, "README.md"), encoding="utf-8") as f:
            text = f.read()
        return re.findall(rf"```{language}\n(.*?)```", text, re.DOTALL)

    def test_python_examples(self):
        namespace: dict = {}
        with tempfile.TemporaryDirectory() as tmp, in_directory(tmp), contextlib.redirect_stdout(io.StringIO()):
            for block in self.blocks("python"):
                exec(compile(block, "README.md", "exec"), namespace)  # noqa: S102 - our own README
        self.assertEqual(namespace["mine"].attendees[0].partstat, "ACCEPTED")

    def test_command_examples(self):
        server = self.start_server()
        import shlex
        with tempfile.TemporaryDirectory() as tmp, in_directory(tmp):
            for block in self.blocks("sh"):
                for line in block.replace("\\\n", " ").splitlines():
                    line = line.split("  #")[0].split("|")[0].strip()
                    words = shlex.split(line)
                    env = {}
                    while words and "=" in words[0]:
                        name, _, value = words.pop(0).partition("=")
                        env[name] = server.url if name == "ICSMAIL_SMTP" else value
                    if words[:2] != ["python", "icsmail.py"]:
                        continue  # the test command itself
                    with self.subTest(line=line), mock.patch.dict(os.environ, env), \
                            contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
                        self.assertEqual(icsmail.main(words[2:]), 0)
        self.assertEqual(len(server.messages), 2)


if __name__ == "__main__":
    unittest.main()
