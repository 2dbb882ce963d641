"""Loading the region's own state: a regional file (`regio:` instead of `team:`) with the facts about
the regional products (which exist, since when, adopted by whom) at a peildatum, and choosing the one
in force on a team's peildatum.

A team's regional requirements read these facts; the team cannot supply them. `check` and `plan` find
the regional files beside the team's file (named regio*.yaml) or take `--regio`; the sweep and the
trend pick them out of the files they are given by their `regio:` block.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
from pathlib import Path

from kadertoets.infra.dates import dutch_date
from kadertoets.infra.errors import KaderFout, Problem, display_path
from kadertoets.infra.lintcodes import Code
from kadertoets.infra.located import Node, collect
from kadertoets.infra.yamlload import load_yaml_file
from kadertoets.load import formats
from kadertoets.load.assessment import evidence_problems, filled_in
from kadertoets.load.facts import parse_facts
from kadertoets.load.privacy import refuse_personal_data
from kadertoets.model import RegionAssessment

REGION_KEY = "regio"  # the block that makes a file a regional file (a team's assessment has `team:`)
REGION_FILE_GLOB = ("regio*.yaml", "regio*.yml")  # how check and plan recognise one beside a team's file
MAX_REGION_FILES = 200  # regional files looked at beside a team's file: one per peildatum is plenty


def is_region_file(path: Path) -> bool:
    """Whether a file is a regional file by its name (regio*.yaml / regio*.yml), as check, sweep and
    trend recognise one among or beside the teams' assessments."""
    return any(fnmatch.fnmatchcase(path.name, pattern) for pattern in REGION_FILE_GLOB)


def is_region_tree(value) -> bool:
    """Whether a parsed file is a regional file: a mapping with `regio:` and without `team:`."""
    return isinstance(value, dict) and REGION_KEY in value and "team" not in value


def load_region(path: Path, kader) -> RegionAssessment:
    """Load a regional file and validate its facts against the Kader's questions about the region."""
    return build_region(Node(load_yaml_file(Path(path)), display_path(Path(path))), kader)


def refuse_team_file(root: Node) -> None:
    """A team's assessment named like a regional file is refused with what to do, not with a list of keys."""
    if isinstance(root.value, dict) and "team" in root.value:
        raise KaderFout.single("dit is een assessment van een team (met team:), geen regiobestand", file=root.file,
                               hint="Een regiobestand (regio*.yaml) heeft een blok regio: in plaats van team:. Geef "
                               "het assessment een naam die niet met 'regio' begint.", code=Code.VALUE_NOT_ALLOWED)


def build_region(root: Node, kader) -> RegionAssessment:
    """Validate a parsed regional file; every problem at once."""
    refuse_team_file(root)
    root.mapping(required=formats.REGION_ASSESSMENT.required, optional=formats.REGION_ASSESSMENT.optional,
                 what="het regiobestand")
    problems: list[Problem] = []
    if root.has("kader"):
        collect(problems, root.child("kader").version)
    reference = collect(problems, root.child("peildatum").date)
    block = root.child(REGION_KEY)
    name = note = None
    if collect(problems, block.mapping, required=formats.REGION.required, optional=formats.REGION.optional,
               what="het regio-blok") is not None:
        name = collect(problems, block.child("naam").name)
        note = collect(problems, block.child("toelichting").text) if block.has("toelichting") else None
    filled = filled_in(root, problems)
    facts = collect(problems, parse_facts, root.child("feiten"), kader.region_questions)
    if facts and reference is not None:
        problems += evidence_problems(root.child("feiten"), facts, reference)
    refuse_personal_data(root, problems, shared="een regiobestand")  # raises on personal data or any problem
    return RegionAssessment(file=root.file, kader_version=kader.version, reference_date=reference, name=name,
                            filled_in_by=filled, facts=facts, note=note)


def region_files(folder: Path) -> list[Path]:
    """The regional files beside a team's file (regio*.yaml), sorted; at most MAX_REGION_FILES."""
    found: list[Path] = []
    try:
        for pattern in REGION_FILE_GLOB:
            for path in folder.glob(pattern):
                if path.is_file():
                    found.append(path)
                if len(found) > MAX_REGION_FILES:
                    raise KaderFout.single(
                        f"meer dan {MAX_REGION_FILES} regiobestanden in deze map", file=display_path(folder),
                        hint="Bewaar oude regiobestanden in een andere map, of noem er één met --regio.",
                        code=Code.VALUE_NOT_ALLOWED)
    except OSError:
        return []
    return sorted(found)


def in_force(regions: list[RegionAssessment], day: dt.date) -> RegionAssessment | None:
    """The regional state in force on `day`: the one with the latest peildatum on or before it (None
    when there is none). Two regional files with that same peildatum are a contradiction: refused."""
    before = [r for r in regions if r.reference_date <= day]
    if not before:
        return None
    latest = max(r.reference_date for r in before)
    chosen = [r for r in before if r.reference_date == latest]
    if len(chosen) > 1:
        raise KaderFout.single(
            f"twee regiobestanden met dezelfde peildatum ({dutch_date(latest)}): "
            f"{chosen[0].file} en {chosen[1].file}", file=chosen[1].file,
            hint="Eén regiobestand per peildatum: voeg ze samen of geef het oudste een eerdere peildatum.",
            code=Code.DUPLICATE_ID)
    return chosen[0]


BESIDE_TEAM = "in de map van het assessment, of noem het met --regio"  # where check and plan look
AMONG_PATHS = "bij de assessments die u opgeeft"  # where sweep and trend look


def missing_text(day: dt.date, where: str = BESIDE_TEAM) -> str:
    """What the output says when no regional state is in force: what is missing and how to add it."""
    return (f"De stand van de regio op {dutch_date(day)} ontbreekt: eisen die op een regionaal product wachten "
            "blijven onbekend. Zet een regiobestand (bv. regio-2023-03.yaml, met een blok regio: en een "
            f"peildatum op of voor die van het team) {where}.")
