"""Reading a questionnaire workbook back into a validated assessment (`kader inlezen`): the workbook is
read into the tree a YAML file gives (load/workbook.py) and validated by the same loader as a YAML file
(sweep/run.py assessment_from_tree: the same choice of Kader version, the same checks); every problem is
reported at its cell."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from kadertoets.infra.errors import KaderFout, display_path
from kadertoets.load.workbook import Book, read_workbook
from kadertoets.model import Assessment, Kader
from kadertoets.sweep.run import assessment_from_tree


def assessment_from_workbook(path: Path, kader_dir: Path, version: str | None) -> tuple[Assessment, Kader]:
    """The assessment in a questionnaire workbook, validated against the Kader version it names (or
    `version`, when the user forces one). KaderFout with every bad cell at once, at its cell."""
    assessment, kader, _ = read_questionnaire(path, kader_dir, version)
    return assessment, kader


def read_questionnaire(path: Path, kader_dir: Path, version: str | None) -> tuple[Assessment, Kader, Book]:
    """As assessment_from_workbook, with the workbook as read (its rows, their numbers, its base)."""
    shown = display_path(path)
    book = read_workbook(path, shown)
    # First the Kader version, as a YAML file chooses it: the answers are put in the form of their
    # question's type (several choices as a list), so the questions must be known first. The team and
    # the peildatum are checked here as well; their problems come again, with all others, below.
    kaders: dict = {}
    try:
        assessment_from_tree(book.version_tree(), shown, kader_dir, version, kaders=kaders)
    except KaderFout as exc:
        if not kaders:  # no Kader version to read the answers with: what is wrong so far
            raise book.locate(exc, {}) from None
    (kader,) = kaders.values()
    try:
        assessment, kader = assessment_from_tree(book.tree(kader.questions), shown, kader_dir, version,
                                                 kaders=kaders)
    except KaderFout as exc:
        raise book.locate(exc, kader.questions) from None
    if book.problems:  # formulas and duplicate ids, while the rest was fine
        raise KaderFout(list(book.problems))
    # an empty row is an unknown fact: as absent from the assessment as a question the file leaves out
    known = {path: f for path, f in assessment.facts.items() if not f.empty}
    return replace(assessment, facts=known), kader, book
