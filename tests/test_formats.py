"""Each file format is declared once (load/formats.py): the docs' key tables are generated from it, the
loaders refuse a file without a declared required key and accept every declared optional one, and the
YAML writers write only declared keys, in the declared order."""

from __future__ import annotations

import datetime as dt

import pytest
import yaml

from conftest import ASSESSMENTS, ROOT
from kadertoets.infra.errors import KaderFout
from kadertoets.infra.lintcodes import Code
from kadertoets.load import formats
from kadertoets.load.kader import load_kader
from kadertoets.sweep.run import check_file


def test_the_docs_key_tables_are_generated_from_the_declarations():
    text = (ROOT / "docs" / "formaat.md").read_text(encoding="utf-8")
    start = text.index("## Sleutels per bestand")
    section = text[text.index("### ", start):text.index("\n## ", start + 1) + 1]
    assert section.strip() == formats.docs_tables().strip()


def test_every_block_is_in_the_docs_and_keys_are_unique():
    shown = [b for blocks in formats.FILES.values() for b in blocks]
    declared = [v for v in vars(formats).values() if isinstance(v, formats.Block)]
    assert sorted(b.name for b in shown) == sorted(b.name for b in declared)
    for block in declared:
        assert len(set(block.names)) == len(block.names) and all(k.description for k in block.keys)


def test_write_keeps_the_declared_order_and_refuses_an_undeclared_key():
    assert list(formats.MOVED.write(toelichting="x", naar=dt.date(2024, 1, 1))) == ["naar", "toelichting"]
    with pytest.raises(ValueError):
        formats.MOVED.write(naar=dt.date(2024, 1, 1), reden="x")


def _bunschoten(tmp_path, edit) -> object:
    data = yaml.safe_load(ASSESSMENTS[[p.name for p in ASSESSMENTS].index("bunschoten-2023-03.yaml")]
                          .read_text(encoding="utf-8"))
    edit(data)
    path = tmp_path / "team.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@pytest.mark.parametrize("block, where", [(formats.ASSESSMENT, ()), (formats.TEAM, ("team",)),
                                          (formats.TASKS, ("team", "taken"))])
def test_the_assessment_loader_requires_exactly_the_declared_required_keys(tmp_path, block, where):
    for key in block.required:
        def drop(data, key=key):
            holder = data
            for step in where:
                holder = holder[step]
            del holder[key]

        with pytest.raises(KaderFout) as info:
            check_file(_bunschoten(tmp_path, drop), ROOT)
        assert any(p.code == Code.REQUIRED_MISSING and key in p.message for p in info.value.problems), key


def test_the_assessment_loader_refuses_an_undeclared_key(tmp_path):
    def add(data):
        data["team"]["kleur"] = "blauw"

    with pytest.raises(KaderFout) as info:
        check_file(_bunschoten(tmp_path, add), ROOT)
    assert [p.code for p in info.value.problems] == [Code.UNKNOWN_KEY]


def test_the_rule_loader_requires_the_declared_keys(tmp_path):
    import shutil

    kader = load_kader(ROOT, "1.0")
    rid = sorted(kader.rules)[0]
    for key in formats.RULE.required:
        folder = tmp_path / key
        shutil.copytree(ROOT / "kader", folder / "kader")
        shutil.copytree(ROOT / "rules", folder / "rules")
        path = folder / "rules" / f"{rid}.yaml"
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        del data[key]
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
        with pytest.raises(KaderFout) as info:
            load_kader(folder, "1.0")
        assert any(p.code == Code.REQUIRED_MISSING and key in p.message for p in info.value.problems), key


def _ordered_subset(keys, block: formats.Block) -> bool:
    positions = [block.names.index(k) for k in keys if k in block.names]
    return len(positions) == len(list(keys)) and positions == sorted(positions)


def test_plan_yaml_writes_declared_keys_in_the_declared_order(tmp_path):
    from kadertoets.evaluate.plan import build_plan
    from kadertoets.render import Options, render

    seen = 0
    for path in ASSESSMENTS:
        evaluation = check_file(path, ROOT)
        text = render("plan", "yaml", build_plan(evaluation), Options())
        for action in yaml.safe_load(text)["transformatieplan"] or []:
            seen += 1
            assert _ordered_subset(action, formats.PLAN_ACTION), action
            for moved in action.get("deadline_verplaatst", []):
                assert _ordered_subset(moved, formats.MOVED)
    assert seen > 0


def test_migrate_writes_declared_keys_in_the_declared_order(versions, tmp_path):
    from kadertoets.editors.migrate import migrate, migration_yaml
    from kadertoets.sweep.run import load_for_assessment

    for path in ASSESSMENTS:
        assessment, kader = load_for_assessment(path, versions, "1.0")
        new = load_kader(versions, "1.1")
        data = yaml.safe_load(migration_yaml(migrate(assessment, kader, new)))
        assert _ordered_subset(data, formats.ASSESSMENT) and _ordered_subset(data["team"], formats.TEAM)
        for fact in data["feiten"].values():
            if isinstance(fact, dict):
                assert _ordered_subset(fact, formats.FACT), fact
        for action in data.get("transformatieplan") or []:
            assert _ordered_subset(action, formats.PLAN_ACTION), action


def test_no_loader_spells_a_key_list_of_its_own():
    """Every `mapping(required=..., optional=...)` of a file format reads its keys from load/formats.py
    (the one exception: a rule reference in a condition, whose keys the operator registry declares)."""
    import re

    for path in (ROOT / "engine").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        spelled = re.findall(r"\.mapping\([^)]*(?:required|optional)=\(\"", text)
        allowed = 1 if path.name == "conditions.py" and "een regel-voorwaarde" in text else 0
        assert len(spelled) <= allowed, (path, spelled)
