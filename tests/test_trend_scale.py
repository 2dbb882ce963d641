"""`kader trend` at scale (issue 14, point 5: a trend costs at most about twice a sweep of the same
files). The text format draws the per-team tables, the region's table and the notes without rich
(render/boxtable.py), which must give the very text rich gives; the notes name at most MAX_NAMED
teams per peildatum without looking at every team (Trend.named); a team's rows are worked out once
(TeamTrend._rows). Each is checked against the straightforward way, on generated data."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest
from hypothesis import example, given, settings, strategies as st
from rich.table import Table

from conftest import ROOT
from kadertoets.model import STATUS_ORDER
from kadertoets.render import Options, console, console_text, render, rich_text
from kadertoets.render.boxtable import box_table, plain_lines
from kadertoets.sweep.sweep import load_sweep
from kadertoets.sweep.trend import Trend, build_trend, change

ASSESSMENTS = ROOT / "assessments"

# Letters, spaces, the status symbols, wide and combining characters, an emoji, no-break space,
# tabs, newlines and escape characters: rich and the fast path must agree, or the fast path must step aside.
ALPHABET = st.sampled_from(list("abcXYZ019-_.:;,()[]") + [" ", "  ", "✔", "◐", "✘", "?", "–", "·", "漢", "é",
                                                            "e\u0301", "🙂", "\u00a0", "\t", "\n", "\x1b", "\u200b"])
TEXT = st.lists(ALPHABET, max_size=30).map("".join)


def rich_table(header, rows, min_widths, width, justify):
    con, buf = console(Options(width=width))
    table = Table(header_style="bold")
    for h, m, j in zip(header, min_widths, justify):
        table.add_column(h, min_width=m, justify=j)
    for row in rows:
        table.add_row(*row)
    con.print(table)
    return console_text(buf)


@settings(max_examples=300, deadline=None)
@given(data=st.data(), columns=st.integers(1, 5), width=st.integers(20, 130))
def test_box_table_is_the_text_rich_draws(data, columns, width):
    header = data.draw(st.lists(TEXT, min_size=columns, max_size=columns))
    rows = data.draw(st.lists(st.lists(TEXT, min_size=columns, max_size=columns), min_size=1, max_size=4))
    min_widths = data.draw(st.lists(st.integers(0, 14), min_size=columns, max_size=columns))
    justify = data.draw(st.lists(st.sampled_from(["left", "right"]), min_size=columns, max_size=columns))
    fast = box_table(header, rows, min_widths, width, justify)
    if fast is not None:
        con, buf = console(Options(width=width))
        buf.write(fast)
        assert console_text(buf) == rich_table(header, rows, min_widths, width, justify)


@settings(max_examples=300, deadline=None)
@given(text=st.lists(st.one_of(TEXT, st.sampled_from(["Transformatieplan:", "1 maart 2023:", "  - ", "verlopen;"])),
                     max_size=12).map(" ".join), width=st.integers(8, 100))
@example(text="aaaaa🙂🙂🙂 aaa🙂🙂🙂\x1b", width=21)  # an escape character, made visible, is one wide
def test_plain_lines_are_the_lines_rich_prints(text, width):
    fast = plain_lines(text, width)
    if fast is not None:
        con, buf = console(Options(width=width))
        con.print(rich_text(text))  # as the renderer prints a paragraph: cleaned before rich measures it
        fast_con, fast_buf = console(Options(width=width))
        fast_buf.write(fast)
        assert console_text(fast_buf) == console_text(buf)


def test_the_fast_path_steps_aside_where_rich_would_wrap():
    assert box_table(["Eis"], [["KLT-01"]], [3], 100) is not None
    assert box_table(["Eis"], [["x" * 200]], [3], 100) is None  # rich would fold it
    assert box_table(["Eis"], [["a\tb"]], [3], 100) is None
    assert plain_lines("a" * 101, 100) is None
    assert plain_lines("a  b", 100) is None
    assert plain_lines("  - een team", 100) == "  - een team\n"
    assert plain_lines("aaaa bbbb", 9) == "aaaa bbbb\n" and plain_lines("aaaa bbbb", 8) == "aaaa\nbbbb\n"


# ---------------------------------------------------------------- a region of many peildata ----------
def region(folder: Path, versions: Path | None = None, teams: int = 16) -> Path:
    """`teams` copies of the bundled teams, each with its own id, 1 to 3 peildata spread over a year
    (some joining late), Baarn's copies assessed under Kader 1.1 at their last peildatum when
    `versions` is given; two copies share a name; one has a name longer than a line."""
    shutil.copytree(ASSESSMENTS, folder)
    bases = sorted(p for p in ASSESSMENTS.glob("*.yaml") if not p.name.startswith("regio"))
    for n in range(teams):
        base = bases[n % len(bases)]
        text = base.read_text(encoding="utf-8")
        days = [dt.date(2023, 3, 1) + dt.timedelta(days=(n * 37) % 90 + 120 * k) for k in range(n % 3 + 1)]
        for k, day in enumerate(days):
            t = text.replace("peildatum: 2023-03-01", f"peildatum: {day.isoformat()}", 1)
            t = re.sub(r"^(team:\n  id: )(\S+)", lambda m: f"{m.group(1)}{m.group(2)}-{n}", t, count=1, flags=re.M)
            if n in (3, 4):
                t = re.sub(r'^  naam: .*$', '  naam: "Een  team met  dubbele spaties"', t, count=1, flags=re.M)
            if n == 5:
                t = re.sub(r'^  naam: .*$', '  naam: "' + "lang " * 40 + '"', t, count=1, flags=re.M)
            if versions is not None and base.name.startswith("baarn") and k == len(days) - 1 and k:
                t = t.replace('kader: "1.0"', 'kader: "1.1"', 1)
            (folder / f"{base.stem}-{n}-{day.isoformat()}.yaml").write_text(t, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def trend(versions, tmp_path_factory) -> Trend:
    folder = region(tmp_path_factory.mktemp("trend") / "teams", versions)
    sweep = load_sweep([folder], versions, use_cache=False)
    assert not sweep.invalid, sweep.invalid
    result = build_trend(sweep)
    assert {v for r in result.region() for v in r.versions} == {"1.0", "1.1"}
    assert any(r.carried > 10 for r in result.region()) and any(r.not_yet for r in result.region())
    return result


def test_the_trend_text_is_what_rich_alone_makes_of_it(trend, monkeypatch):
    """The whole text of a region with many peildata, two Kader versions, late teams and awkward
    names: the same with the fast path as when rich draws everything. And the regression guard: no
    table is drawn by rich and no list of every team is made per peildatum."""
    import kadertoets.render.sweep as text_renderer

    options = Options(width=100, made_at=dt.datetime(2024, 1, 2, 3, 4))
    drawn = []
    real = Table.__rich_console__
    monkeypatch.setattr(Table, "__rich_console__", lambda self, *a: drawn.append(self) or real(self, *a))
    with monkeypatch.context() as m:
        m.setattr(Trend, "carried", lambda self, day: pytest.fail("carried() looks at every team"))
        m.setattr(Trend, "not_yet", lambda self, day: pytest.fail("not_yet() looks at every team"))
        fast = render("trend", "text", trend, options)
    # rich draws only a table whose columns do not fit as planned: a team with a requirement that is
    # not in the Kader version of some peildatum ("· niet in deze Kaderversie" is wider than a date)
    mixed = [t for t in trend.teams if any(None in t.statuses(rid) for rid in t.rule_ids())]
    assert len(drawn) <= len(mixed) < len(trend.teams) / 4
    drawn.clear()
    monkeypatch.setattr(text_renderer, "box_table", lambda *a, **k: None)
    monkeypatch.setattr(text_renderer, "plain_lines", lambda *a, **k: None)
    slow = render("trend", "text", trend, options)
    assert drawn  # rich did draw the tables this time
    assert fast == slow
    assert "en " in fast and " andere" in fast  # the notes were capped
    assert "(voorheen KLT-VEI-08)" in fast


def test_the_notes_name_the_first_teams_of_the_full_lists(trend):
    named = trend.named(3)
    for r in trend.region():
        carried, not_yet = named[r.day]
        assert [(t.team_id, ev) for t, ev in carried] == [(t.team_id, ev) for t, ev in trend.carried(r.day)][:3]
        assert [t.team_id for t in not_yet] == [t.team_id for t in trend.not_yet(r.day)][:3]


def test_a_teams_rows_are_its_findings_followed_through_the_versions(trend):
    """Statuses, changes and former ids as their definition says, per team and requirement."""
    for team in trend.teams:
        latest = team.evaluations[-1].kader
        for rid in team.rule_ids():
            statuses, former = [], []
            for ev in team.evaluations:
                found = [f for f in ev.findings if rid in team._current_ids(ev, f.rule_id)]
                former += [f.rule_id for f in found if f.rule_id != rid and f.rule_id not in former]
                statuses.append(min((f.status for f in found), key=STATUS_ORDER.index) if found else None)
            assert team.statuses(rid) == statuses
            assert team.former_ids(rid) == former
            assert team.changes(rid) == [change(None, statuses[0]) if statuses[0] else "niet_in_kader"] + \
                [change(a, b) for a, b in zip(statuses, statuses[1:])]
            assert rid in latest.rules or team.statuses(rid)[-1] is None
        assert team.statuses("GEEN-EIS") == [None] * len(team.evaluations)
        assert team.changes("GEEN-EIS") == ["niet_in_kader"] * len(team.evaluations)
