"""Dates as Dutch readers write them ("30 juni 2023"), for every human format; JSON and YAML keep
JJJJ-MM-DD. One helper, so reasons, tables and reports all write a date the same way."""

from __future__ import annotations

import datetime as dt

MONTHS = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september",
          "oktober", "november", "december")


def dutch_date(day: dt.date) -> str:
    """'30 juni 2023': the day without a leading zero, the month in words."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def dutch_datetime(moment: dt.datetime) -> str:
    """'5 december 2026 om 09:12'."""
    return f"{dutch_date(moment.date())} om {moment:%H:%M}"


def period(days) -> str:
    """The peildata of a view: '1 maart 2023', or '1 maart 2023 tot en met 1 juni 2023'; '' for none."""
    days = sorted(set(days))
    if not days:
        return ""
    if len(days) == 1:
        return dutch_date(days[0])
    return f"{dutch_date(days[0])} tot en met {dutch_date(days[-1])}"


def made_at() -> dt.datetime:
    """Now, in local time, for the 'Gemaakt op' of an export; SOURCE_DATE_EPOCH (the convention of
    reproducible builds) fixes it, so that a rerun gives the same bytes. Read by the callers at the
    edge (the command line, the web page), never by evaluation."""
    import os

    fixed = os.environ.get("SOURCE_DATE_EPOCH", "")
    if fixed.isdigit() and len(fixed) <= 12:
        return dt.datetime.fromtimestamp(int(fixed), dt.timezone.utc).replace(tzinfo=None)
    return dt.datetime.now().replace(microsecond=0)
