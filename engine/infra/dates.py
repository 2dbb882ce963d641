"""Dates as Dutch readers write them ("30 juni 2023"), for every human format; JSON and YAML keep
JJJJ-MM-DD. One helper, so reasons, tables and reports all write a date the same way."""

from __future__ import annotations

import datetime as dt

MONTHS = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september",
          "oktober", "november", "december")


def dutch_date(day: dt.date) -> str:
    """'30 juni 2023': the day without a leading zero, the month in words."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"
