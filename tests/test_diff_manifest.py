"""kader diff beyond requirements and questions: the manifest (dates, status, changelog, roles,
deadlines), the action per part, and the words for a requirement missing from a version."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from kadertoets import cli
from conftest import ROOT
from kadertoets.editors.diff import ABSENT, diff_kaders
from kadertoets.load.kader import load_kader
from kaderversions import _edit, make_two_versions


@pytest.fixture(scope="module")
def versions(tmp_path_factory) -> Path:
    folder = make_two_versions(tmp_path_factory.mktemp("kaderversies"))
    _edit(folder / "rules-1.1" / "KLT-VEI-02.yaml", ("  eigenaar: teamleider\n", "  eigenaar: gemeente_opdrachtgever\n"))
    _edit(folder / "kader" / "1.1.yaml", ("status: concept", "status: vastgesteld"))
    return folder


def test_manifest_changes_and_changelog(versions):
    d = diff_kaders(load_kader(versions, "1.0"), load_kader(versions, "1.1"))
    fields = {f.field: (f.old, f.new) for f in d.manifest}
    assert fields["status"] == ("concept", "vastgesteld")
    assert fields["ingangsdatum"] == ("2023-02-01", "2024-01-01")
    assert fields["vorige_versie"] == (None, "1.0")
    assert "wijzigingen" in fields and d.changelog == ("Testversie: zie tests/kaderversions.py.",)
    back = diff_kaders(load_kader(versions, "1.1"), load_kader(versions, "1.0"))
    assert {f.field: (f.new, f.old) for f in back.manifest} == fields  # mirrored


def test_an_action_change_names_the_part_that_changed(versions):
    d = diff_kaders(load_kader(versions, "1.0"), load_kader(versions, "1.1"))
    vei02 = {f.field: (f.old, f.new) for c in d.changed if c.new_id == "KLT-VEI-02" for f in c.changes}
    assert vei02["actie.eigenaar"] == ("teamleider", "gemeente_opdrachtgever")
    assert not any(k.startswith("actie.") and k != "actie.eigenaar" for k in vei02)


def test_outputs_show_manifest_and_changelog_and_say_what_absent_means(versions):
    runner = CliRunner()
    args = ["diff", "1.0", "1.1", "--kader-dir", str(versions), "--assessments", str(ROOT / "assessments")]
    text = runner.invoke(cli.main, args).output
    assert "Manifest gewijzigd" in text and "Testversie: zie tests/kaderversions.py." in text
    assert f"onbekend -> {ABSENT} ({ABSENT}: de eis staat niet in die versie)" in text
    md = runner.invoke(cli.main, [*args, "--format", "markdown"]).output
    assert md.startswith("## Kader 1.1 (ten opzichte van 1.0)\n\n- Testversie") and "### Manifest gewijzigd" in md
    data = json.loads(runner.invoke(cli.main, [*args, "--format", "json"]).output)
    assert {"veld": "status", "oud": "concept", "nieuw": "vastgesteld"} in data["manifest"]
    assert any(t["overgang"] == f"onbekend -> {ABSENT}" for t in data["gevolgen"]["overgangen"])


def test_diff_with_an_empty_assessment_folder_is_invalid_input(versions, tmp_path):
    result = CliRunner().invoke(cli.main, ["diff", "1.0", "1.1", "--kader-dir", str(versions),
                                           "--assessments", str(tmp_path)])
    assert result.exit_code == 2 and "map bevat geen assessments" in result.output
    sweep = CliRunner().invoke(cli.main, ["sweep", str(tmp_path), "--geen-cache"])
    assert sweep.exit_code == 2 and "map bevat geen assessments" in sweep.output


# ---- invariants over richer variants ----------------------------------------------------------------
import dataclasses  # noqa: E402

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

KADER = load_kader(ROOT, "1.0")


@st.composite
def rich_variants(draw, kader=KADER):
    """A changed copy of `kader` with every kind of change diff knows: rules dropped, retitled, with
    another norm (a threshold), another action owner, renamed (also together with other changes),
    split in two and merged; questions dropped, with another type or fewer values; and a changed
    manifest (status, dates, changelog, a deadline)."""
    ids = sorted(kader.rules)
    rules = {}
    merged_into = None
    for i, rid in enumerate(ids):
        rule = kader.rules[rid]
        action = draw(st.sampled_from(["keep", "keep", "drop", "retitle", "norm", "owner", "rename",
                                       "rename+retitle", "split", "merge"]))
        if action == "drop":
            continue
        if action in ("retitle", "rename+retitle"):
            rule = dataclasses.replace(rule, title=rule.title + " (herzien)")
        if action == "norm":
            other = kader.rules[ids[(i + 1) % len(ids)]]
            rule = dataclasses.replace(rule, meets=other.meets)
        if action == "owner":
            rule = dataclasses.replace(rule, action=dataclasses.replace(rule.action, owner="risb"))
        if action in ("rename", "rename+retitle"):
            rule = dataclasses.replace(rule, id=rid + "-N", previous_ids=(rid,))
        if action == "split":
            for part in ("A", "B"):
                piece = dataclasses.replace(rule, id=f"{rid}-{part}", previous_ids=(rid,))
                rules[piece.id] = piece
            continue
        if action == "merge":
            if merged_into is None:
                merged_into = dataclasses.replace(rule, id="KLT-SAMEN-99", previous_ids=(rid,))
            else:
                merged_into = dataclasses.replace(merged_into, previous_ids=merged_into.previous_ids + (rid,))
            continue
        rules[rule.id] = rule
    if merged_into is not None:
        rules[merged_into.id] = merged_into
    questions = {}
    for path, q in kader.questions.items():
        action = draw(st.sampled_from(["keep", "keep", "keep", "drop", "values", "type"]))
        if action == "drop":
            continue
        if action == "values" and q.values:
            q = dataclasses.replace(q, values=q.values[:-1])
        if action == "type" and q.type == "geheel_getal":
            q = dataclasses.replace(q, type="getal")
        questions[path] = q
    manifest = {}
    if draw(st.booleans()):
        manifest.update(status="vastgesteld", changelog=("Versie voor de test.",))
    if draw(st.booleans()):
        key = sorted(kader.deadlines)[0]
        day = kader.deadlines[key]
        manifest["deadlines"] = {**kader.deadlines, key: dataclasses.replace(day, label=day.label + " (later)")}
    return dataclasses.replace(kader, version="9.9", rules=rules, questions=questions, **manifest)


def _as_data(d, flip: bool = False):
    """A diff as comparable data; flip=True gives what the diff in the other direction must be."""
    def pair(a, b):
        return (b, a) if flip else (a, b)

    def fields(changes):
        return [(f.field, *pair(f.old, f.new)) for f in changes]

    return (*pair(d.added, d.removed), sorted(pair(r.old_ids, r.new_ids) for r in d.renamed),
            {pair(c.old_id, c.new_id): fields(c.changes) for c in d.changed},
            *pair(d.questions_added, d.questions_removed),
            {q.path: fields(q.changes) for q in d.questions_changed}, fields(d.manifest))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(variant=rich_variants())
def test_diff_of_any_variant_with_itself_is_empty_and_diffs_mirror(variant):
    assert diff_kaders(variant, variant).empty
    forward, backward = diff_kaders(KADER, variant), diff_kaders(variant, KADER)
    assert _as_data(backward) == _as_data(forward, flip=True)
    assert forward.empty == (variant.rules == KADER.rules and variant.questions == KADER.questions
                             and not forward.manifest)
