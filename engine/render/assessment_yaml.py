"""An assessment as YAML text, for an assessment that did not come from a YAML file (`kader inlezen`
reads it from a workbook): the blocks in the declared order of load/formats.py, each fact and action as
`kader migrate` writes it, and YAML that our loader reads back as the same data (infra/yamlwrite.py)."""

from __future__ import annotations

from kadertoets.editors.migrate import assessment_blocks
from kadertoets.infra import yamlwrite
from kadertoets.infra.errors import excerpt
from kadertoets.model import Assessment


def assessment_yaml(a: Assessment, source: str) -> str:
    """The YAML file of the assessment, with a comment on top naming where it came from (`source`)."""
    return (f"# Ingelezen uit {excerpt(source, 200, quote=False)} (kader inlezen).\n"
            + yamlwrite.dump(assessment_blocks(a, keep_empty=False)))
