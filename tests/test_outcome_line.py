"""What a check says first when it lists no gaps (issue 11, safety nets): "nothing decided yet" when
every requirement is unknown, "no gaps among what could be decided" when some are unknown, and a
plain "no gaps" only when nothing is unknown; never "Geen tekorten gevonden." above unknowns."""

from __future__ import annotations

import dataclasses

import pytest

from conftest import ROOT
from kadertoets.model import Status
from kadertoets.render import Options, render
from kadertoets.sweep.run import check_file

NO_GAPS = "Geen tekorten gevonden."


@pytest.fixture(scope="module")
def evaluation():
    return check_file(ROOT / "assessments" / "bunschoten-2023-03.yaml")


def with_statuses(evaluation, pick):
    """The evaluation with every finding's status replaced by pick(index)."""
    findings = tuple(dataclasses.replace(f, status=pick(i)) for i, f in enumerate(evaluation.findings))
    return dataclasses.replace(evaluation, findings=findings)


def outputs(evaluation):
    return [render("check", fmt, evaluation, Options(show_all=show_all))
            for fmt in ("text", "markdown") for show_all in (False, True)]


def test_all_unknown_says_nothing_is_decided_yet_first(evaluation):
    everything_unknown = with_statuses(evaluation, lambda i: Status.ONBEKEND)
    n = len(evaluation.findings)
    for text in outputs(everything_unknown):
        assert NO_GAPS not in text
        line = f"Nog niets vastgesteld: {n} eisen onbekend."
        assert line in text
        assert text.index(line) < text.lower().index("onbekend: nog vast te stellen")


def test_no_gaps_but_some_unknown_says_how_many_are_still_unknown(evaluation):
    mixed = with_statuses(evaluation, lambda i: Status.ONBEKEND if i % 3 == 0 else Status.VOLDOET)
    unknown = sum(1 for f in mixed.findings if f.status == Status.ONBEKEND)
    decided = len(mixed.findings) - unknown
    for text in outputs(mixed):
        assert NO_GAPS not in text
        assert f"Geen tekorten bij de {decided} eisen die al vast te stellen zijn; {unknown} eisen zijn nog onbekend." in text


def test_one_unknown_and_one_decided_in_the_singular(evaluation):
    two = dataclasses.replace(evaluation, findings=(
        dataclasses.replace(evaluation.findings[0], status=Status.VOLDOET),
        dataclasses.replace(evaluation.findings[1], status=Status.ONBEKEND)))
    assert "Geen tekorten bij de 1 eis die al vast te stellen is; 1 eis is nog onbekend." in outputs(two)[0]


def test_plain_no_gaps_only_when_nothing_is_unknown(evaluation):
    compliant = with_statuses(evaluation, lambda i: Status.NVT if i % 4 == 0 else Status.VOLDOET)
    for text in outputs(compliant):
        assert NO_GAPS in text and "onbekend." not in text


def test_with_gaps_the_tables_speak(evaluation):
    for text in outputs(evaluation):
        assert NO_GAPS not in text and "Nog niets vastgesteld" not in text and "Geen tekorten bij" not in text
