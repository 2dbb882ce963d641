"""The questions of a Kader version per theme, each with the requirements that use it: what
`kader vragen` lists, and the order in which `kader nieuw` writes the questions into a new file.

Themes come in the order of the questions file (a theme is where its first question stands), the
questions within a theme too. Which requirements use a question comes from the rules' conditions,
through the same walk as `kader diff` (editors/diff.py), so the two can never disagree.
"""

from __future__ import annotations

from kadertoets.evaluate.conditions import questions_of as rule_fields
from kadertoets.model import Kader, Question
from kadertoets.infra.records import record

NO_THEME = "Zonder thema"  # the heading of questions without `thema`


@record
class ListedQuestion:
    question: Question
    requirements: tuple[str, ...]  # ids of the requirements whose conditions read the question, sorted


@record
class QuestionList:
    kader_name: str
    version: str
    themes: tuple[tuple[str, tuple[ListedQuestion, ...]], ...]  # (theme heading, its questions)
    needed_only: bool  # --nodig: only questions a requirement uses
    total: int  # questions in the version, listed or not

    @property
    def questions(self) -> tuple[ListedQuestion, ...]:
        return tuple(item for _, items in self.themes for item in items)


def requirements_per_question(kader: Kader) -> dict[str, tuple[str, ...]]:
    """Per question path the ids of the requirements that use it (absent: none does)."""
    users: dict[str, list[str]] = {}
    for rule_id in sorted(kader.rules):
        for path in rule_fields(kader.rules[rule_id]):
            users.setdefault(path, []).append(rule_id)
    return {path: tuple(ids) for path, ids in users.items()}


def by_theme(items) -> list[tuple[str, list]]:
    """`items` (Questions or ListedQuestions) grouped by theme, in first-seen order; questions
    without a theme last, under NO_THEME."""
    groups: dict[str | None, list] = {}
    for item in items:
        q = item.question if isinstance(item, ListedQuestion) else item
        groups.setdefault(q.theme, []).append(item)
    ordered = [(theme, items) for theme, items in groups.items() if theme is not None]
    if None in groups:
        ordered.append((NO_THEME, groups[None]))
    return ordered


def question_list(kader: Kader, needed_only: bool = False) -> QuestionList:
    users = requirements_per_question(kader)
    items = [ListedQuestion(q, users.get(path, ())) for path, q in kader.questions.items()]
    if needed_only:
        items = [item for item in items if item.requirements]
    themes = tuple((theme, tuple(group)) for theme, group in by_theme(items))
    return QuestionList(kader.name, kader.version, themes, needed_only, len(kader.questions))
