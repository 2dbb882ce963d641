"""An assessment as YAML text, for an assessment that did not come from a YAML file (`kader inlezen`
reads it from a workbook): the blocks in the declared order of load/formats.py, each fact and action as
`kader migrate` writes it, and YAML that our loader reads back as the same data (infra/yamlwrite.py)."""

from __future__ import annotations

from kadertoets.editors.migrate import _action_yaml as action_yaml, _fact_yaml as fact_yaml
from kadertoets.infra import yamlwrite
from kadertoets.infra.errors import excerpt
from kadertoets.load import formats
from kadertoets.model import Assessment


def assessment_blocks(a: Assessment) -> dict:
    """The assessment as plain YAML data: kader, peildatum, team, ingevuld_door, feiten (facts with
    nothing in them are left out: unknown) and transformatieplan, in the declared order. The form a YAML
    writer takes, whether it writes a new file or updates the blocks of an existing one."""
    facts = {path: fact_yaml(f) for path, f in a.facts.items()}
    values: dict = {
        "kader": a.kader_version, "peildatum": a.reference_date,
        "team": formats.TEAM.write(id=a.team.id, naam=a.team.name, gemeente=a.team.municipality,
                                   organisatie=a.team.organisation, taken=dict(a.team.tasks)),
        "feiten": {path: value for path, value in facts.items() if value is not None},
    }
    if a.filled_in_by:
        values["ingevuld_door"] = formats.FILLED_IN.write(**a.filled_in_by)
    if a.plan:
        values["transformatieplan"] = [action_yaml(x) for x in a.plan]
    return formats.ASSESSMENT.write(**values)


def assessment_yaml(a: Assessment, source: str) -> str:
    """The YAML file of the assessment, with a comment on top naming where it came from (`source`)."""
    return (f"# Ingelezen uit {excerpt(source, 200, quote=False)} (kader inlezen).\n"
            + yamlwrite.dump(assessment_blocks(a)))
