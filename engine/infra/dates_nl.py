"""Dates as a Dutch reader writes them in running text: 30 juni 2023 (never 2023-06-30), and a
period of peildata. Machine formats (JSON, CSV) keep ISO dates; this is for what a person reads."""

from __future__ import annotations

import datetime as dt

MONTHS = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober",
          "november", "december")


def long_date(day: dt.date) -> str:
    """30 juni 2023."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def long_datetime(moment: dt.datetime) -> str:
    """5 december 2026 om 09:12."""
    return f"{long_date(moment.date())} om {moment:%H:%M}"


def period(days) -> str:
    """The peildata of a view: '1 maart 2023', or '1 maart 2023 tot en met 1 juni 2023'; '' for none."""
    days = sorted(set(days))
    if not days:
        return ""
    if len(days) == 1:
        return long_date(days[0])
    return f"{long_date(days[0])} tot en met {long_date(days[-1])}"
