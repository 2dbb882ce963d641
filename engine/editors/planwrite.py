"""`kader plan --bijwerken`: keep the transformatieplan in the assessment file itself.

The proposals of the plan (evaluate/plan.py) are added to the file's own `transformatieplan:` block; the
team's own actions stay as they are, in their order, with their comments, and every byte outside the block
stays the same (editors/yamlblock.py). Safe by construction:
- the file is read once, loaded and validated with the normal strict loader before anything is planned;
- the new text must load and validate again, and mean the same data apart from the added actions;
- just before the new file replaces the old one (atomically, infra/output.py), the file is read again:
  if it changed in the meantime, nothing is written (a save based on an older version is refused, not
  merged);
- running it again adds nothing: an action in the file is never proposed twice.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from kadertoets.evaluate.backends import get_backend
from kadertoets.evaluate.evaluation import evaluate
from kadertoets.evaluate.plan import Plan, PlanItem, build_plan
from kadertoets.editors.keptfile import read_kept, replace_kept
from kadertoets.editors.yamlblock import replace_block
from kadertoets.infra.errors import KaderFout
from kadertoets.infra.records import record
from kadertoets.infra.yamlload import load_yaml_text
from kadertoets.load import formats
from kadertoets.sweep.run import assessment_from_tree, kader_dir_or_default, region_for

KEY = "transformatieplan"
FORMAT = "yaml"  # the format of what --bijwerken writes: the block `kader plan --formaat yaml` prints


@record
class PlanUpdate:
    """What `kader plan --bijwerken` did to one file."""

    file: str
    plan: Plan
    added: tuple[PlanItem, ...]  # proposals written into the file
    kept: int  # the team's own actions, unchanged
    written: bool  # False when there was nothing to add (the file is left untouched)

    @property
    def exit_code(self) -> int:
        return self.plan.exit_code


def proposals_to_write(plan: Plan) -> list[PlanItem]:
    """The proposals that go into the file, as `kader plan --formaat yaml` writes them: local ones only
    (a regional dependency is the region's to plan, not the team's)."""
    return [i for i in plan.items + plan.regional if i.origin == "voorstel" and not i.regional]


def item_yaml(item: PlanItem) -> dict:
    """One action as the assessment holds it (the declared keys and order of formats.PLAN_ACTION)."""
    return formats.plan_action_yaml(id=item.id, requirement=item.requirement, description=item.description,
                                    owner=item.owner, deadline=item.original_deadline, status=item.status,
                                    moved=[(m.to, m.note) for m in item.moved], extra_budget=item.extra_budget,
                                    note=item.note)


def update_plan_file(path: Path, kader_dir=None, version: str | None = None, as_of: dt.date | None = None,
                     engine: str = "python", region: Path | None = None) -> PlanUpdate:
    """Add the plan's proposals to the assessment's `transformatieplan:` block (see the module docstring)."""
    source = read_kept(path, "kader plan --bijwerken")
    shown, text = source.shown, source.text
    tree = load_yaml_text(text, shown)
    kdir = kader_dir_or_default(kader_dir)
    assessment, kader = assessment_from_tree(tree, shown, kdir, version)
    state = region_for(Path(path), assessment, kader, region)
    evaluation = evaluate(kader, assessment, as_of or assessment.reference_date, get_backend(engine), region=state)
    plan = build_plan(evaluation)
    added = tuple(proposals_to_write(plan))
    kept = len(assessment.plan)
    if not added:
        return PlanUpdate(file=shown, plan=plan, added=(), kept=kept, written=False)
    old = tree.get(KEY) or []
    new_text = replace_block(text, KEY, list(old) + [item_yaml(i) for i in added], shown)
    try:  # fail closed: the new text must be a valid assessment for the same Kader version
        assessment_from_tree(load_yaml_text(new_text, shown), shown, kdir, version)
    except KaderFout as exc:
        raise KaderFout.single("het bijgewerkte transformatieplan zou het assessment ongeldig maken; er is niets "
                               "geschreven", file=shown,
                               hint="Dit is een fout in kadertoets; meld het met het bestand. De eerste melding: "
                                    + exc.problems[0].message) from None
    replace_kept(source, new_text)
    return PlanUpdate(file=shown, plan=plan, added=added, kept=kept, written=True)
