"""kader diff and kader migrate, against the test-only Kader 1.1 of tests/kaderversions.py, plus
the invariants: diff(A, A) is empty, diff(A, B) and diff(B, A) mirror each other, and migrating to
the same version changes nothing."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings, strategies as st

from kadertoets import cli
from conftest import MINI, ROOT
from kadertoets.editors.diff import diff_kaders, impact
from kadertoets.load.kader import load_kader
from kadertoets.editors.migrate import migrate, migration_yaml
from kadertoets.model import Status
from kadertoets.sweep.run import check_file, load_assessments_against
from kaderversions import make_two_versions
from strategies import assessments

ASSESSMENTS = ROOT / "assessments"


# ---- diff -------------------------------------------------------------------------------------------
def test_diff_finds_every_kind_of_change_with_old_and_new_values(old, new):
    d = diff_kaders(old, new)
    assert d.added == ("KLT-LER-09",) and d.removed == ("KLT-CLI-01",)
    assert [(r.old_ids, r.new_ids, r.kind) for r in d.renamed] == [(("KLT-VEI-08",), ("KLT-VEI-09",), "hernoemd")]
    changed = {c.new_id: {f.field: (f.old, f.new) for f in c.changes} for c in d.changed}
    assert changed["KLT-VEI-02"] == {"norm.voldoet": ("veiligheid.aandachtsfunctionarissen is minstens 1",
                                                      "veiligheid.aandachtsfunctionarissen is minstens 3")}
    assert "KLT-VEI-09" not in changed  # renamed, otherwise the same
    assert d.questions_added == ("leren.jaarverslag_opgesteld",)
    assert d.questions_removed == ("clientervaring.aansluiting_contractpartner",)
    q = {c.path: {f.field: (f.old, f.new) for f in c.changes} for c in d.questions_changed}
    assert q["veiligheid.gespecialiseerde_medewerkers"] == {"type": ("geheel_getal", "getal")}
    assert q["veiligheid.casuistiekbespreking_save_bsa"] == {
        "waarden": ("geen, pilot, structureel", "geen, incidenteel, structureel"),
        "labels": ("geen: geen, pilot: een pilot, structureel: structureel",
                   "geen: geen, incidenteel: af en toe, structureel: structureel")}


def test_impact_on_the_seven_teams_is_what_migrating_gives(old, new):
    teams, invalid = load_assessments_against([ASSESSMENTS], old)
    assert len(teams) == 7 and not invalid
    result = impact(old, new, teams)
    by_team = {t.team_id: {(c.old_id, c.new_id): (c.old, c.new) for c in t.changes} for t in result.teams}
    assert result.checked == 7 and len(by_team) == 7  # KLT-CLI-01 disappears and KLT-LER-09 comes for all
    # 2 aandachtsfunctionarissen were enough under 1.0, not under 1.1 (minimum 3; deels still unknown)
    for team in ("eemnes", "soest", "woudenberg"):
        assert by_team[team][("KLT-VEI-02", "KLT-VEI-02")] == (Status.VOLDOET, Status.ONBEKEND)
    assert ("KLT-VEI-02", "KLT-VEI-02") not in by_team["bunschoten"]  # 3: still voldoet
    # Leusden's 'pilot' is no longer a valid answer: left out by the migration, so VEI-06 becomes unknown
    assert by_team["leusden"][("KLT-VEI-06", "KLT-VEI-06")] == (Status.DEELS, Status.ONBEKEND)
    assert all(("KLT-VEI-08", "KLT-VEI-09") not in changes for changes in by_team.values())  # renamed, same status
    assert all(changes[(None, "KLT-LER-09")] == (None, Status.ONBEKEND) for changes in by_team.values())
    assert dict(result.transitions())["voldoet -> onbekend"] == 3


def test_diff_command_on_folders_and_versions_in_three_formats(versions, tmp_path):
    runner = CliRunner()
    result = runner.invoke(cli.main, ["diff", "1.0", "1.1", "--kader-dir", str(versions), "--format", "json",
                                      "--assessments", str(ASSESSMENTS)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["eisen"]["hernoemd"] == [{"oud": ["KLT-VEI-08"], "nieuw": ["KLT-VEI-09"], "soort": "hernoemd"}]
    assert data["gevolgen"]["teams_getoetst"] == 7
    # a working copy against the published (bundled) Kader: folder@version and the bundled 1.0
    result = runner.invoke(cli.main, ["diff", "1.0", f"{versions}@1.1", "--format", "markdown"])
    assert result.exit_code == 0, result.output
    assert "### Eisen hernoemd, gesplitst of samengevoegd" in result.output and "KLT-VEI-08 -> KLT-VEI-09" in result.output
    result = runner.invoke(cli.main, ["diff", "1.0", str(versions)])  # a folder: its highest version
    assert result.exit_code == 0 and f"{versions}@1.1" in result.output
    result = runner.invoke(cli.main, ["diff", "1.0", "9.9"])
    assert result.exit_code == 2 and "onbekende Kaderversie '9.9'" in result.output


def test_diff_reports_invalid_assessments_and_exits_2(versions, tmp_path):
    (tmp_path / "kapot.yaml").write_text("peildatum: [\n", encoding="utf-8")
    result = CliRunner().invoke(cli.main, ["diff", "1.0", "1.1", "--kader-dir", str(versions),
                                           "--assessments", str(tmp_path)])
    assert result.exit_code == 2
    assert "ONGELDIG (niet vergeleken): " in result.output and "kapot.yaml" in result.output
    assert result.output.count("kapot.yaml") == 1  # the file is named once, not twice


# ---- migrate ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(p.name for p in ASSESSMENTS.glob("*.yaml") if not p.name.startswith("regio")))
def test_migrating_each_shipped_assessment(versions, tmp_path, name):
    source = ASSESSMENTS / name
    before = source.read_bytes()
    out = tmp_path / f"nieuw-{name}"
    result = CliRunner().invoke(cli.main, ["migrate", str(source), "--naar", "1.1", "-o", str(out),
                                           "--kader-dir", str(versions)])
    assert result.exit_code in (0, 1), result.output
    assert source.read_bytes() == before  # the original is never touched
    assert "leren.jaarverslag_opgesteld" in result.output  # the open question is listed
    evaluation = check_file(out, versions)  # check works on the result right away
    assert evaluation.kader.version == "1.1"
    statuses = {f.rule_id: f.status for f in evaluation.findings}
    assert statuses["KLT-LER-09"] == Status.ONBEKEND and "KLT-CLI-01" not in statuses
    old_facts = check_file(source).assessment.facts
    new_facts = evaluation.assessment.facts
    assert "clientervaring.aansluiting_contractpartner" not in new_facts
    for path, fact in old_facts.items():
        if path == "veiligheid.casuistiekbespreking_save_bsa" and fact.value == "pilot":
            assert path not in new_facts and "weggelaten: de waarde past niet meer" in result.output
        elif path == "veiligheid.gespecialiseerde_medewerkers":
            assert new_facts[path].reconfirm and new_facts[path].value == fact.value
        elif path != "clientervaring.aansluiting_contractpartner":
            assert new_facts[path] == replace(fact, line=new_facts[path].line)
    expected = 1 if any(p in old_facts for p in ("veiligheid.casuistiekbespreking_save_bsa",
                                                 "veiligheid.gespecialiseerde_medewerkers",
                                                 "clientervaring.aansluiting_contractpartner")) else 0
    assert result.exit_code == expected


def test_plan_actions_follow_a_renamed_requirement(versions, old, new, tmp_path):
    text = (ASSESSMENTS / "bunschoten-2023-03.yaml").read_text(encoding="utf-8")
    assert "\ntransformatieplan:" not in text
    text += ("transformatieplan:\n"
             "  - {eis: KLT-VEI-08, omschrijving: \"Expertise borgen\", eigenaar: teamleider, deadline: 2023-09-01,"
             " status: gepland}\n"
             "  - {eis: KLT-CLI-01, omschrijving: \"Meten\", eigenaar: teamleider, deadline: 2023-09-01,"
             " status: gepland}\n")
    source = tmp_path / "met-plan.yaml"
    source.write_text(text, encoding="utf-8")
    (a,), _ = load_assessments_against([source], old)
    m = migrate(a, old, new)
    assert [(x.requirement, x.new_requirement, x.outcome) for x in m.actions] == [
        ("KLT-VEI-08", "KLT-VEI-09", "hernoemd"), ("KLT-CLI-01", None, "vervallen")]
    assert [x.requirement for x in m.assessment.plan] == ["KLT-VEI-09"]
    out = tmp_path / "nieuw.yaml"
    out.write_text(migration_yaml(m), encoding="utf-8")
    assert [x.requirement for x in check_file(out, versions).assessment.plan] == ["KLT-VEI-09"]


def test_migrate_refuses_to_overwrite_and_never_writes_over_its_input(versions, tmp_path):
    source = tmp_path / "team.yaml"
    source.write_bytes((ASSESSMENTS / "soest-2023-03.yaml").read_bytes())
    result = CliRunner().invoke(cli.main, ["migrate", str(source), "--naar", "1.1", "-o", str(source), "--force",
                                           "--kader-dir", str(versions)])
    assert result.exit_code == 2 and source.read_bytes() == (ASSESSMENTS / "soest-2023-03.yaml").read_bytes()
    out = tmp_path / "bestaat.yaml"
    out.write_text("oud\n", encoding="utf-8")
    result = CliRunner().invoke(cli.main, ["migrate", str(source), "--naar", "1.1", "-o", str(out),
                                           "--kader-dir", str(versions)])
    assert result.exit_code == 2 and out.read_text(encoding="utf-8") == "oud\n"


# ---- invariants ---------------------------------------------------------------------------------------
def test_diff_of_a_version_with_itself_is_empty(old, new):
    for kader in (old, new, load_kader(MINI, "1.0")):
        assert diff_kaders(kader, kader).empty


def _mirrored(a, b):
    d1, d2 = diff_kaders(a, b), diff_kaders(b, a)
    assert d1.added == d2.removed and d1.removed == d2.added
    assert sorted((r.old_ids, r.new_ids) for r in d1.renamed) == sorted((r.new_ids, r.old_ids) for r in d2.renamed)
    forward = {(c.old_id, c.new_id): [(f.field, f.old, f.new) for f in c.changes] for c in d1.changed}
    backward = {(c.new_id, c.old_id): [(f.field, f.new, f.old) for f in c.changes] for c in d2.changed}
    assert forward == backward
    assert d1.questions_added == d2.questions_removed and d1.questions_removed == d2.questions_added
    assert {q.path: [(f.field, f.old, f.new) for f in q.changes] for q in d1.questions_changed} == \
        {q.path: [(f.field, f.new, f.old) for f in q.changes] for q in d2.questions_changed}


def test_diff_mirrors_on_the_fixture_versions(old, new):
    _mirrored(old, new)


@st.composite
def variants(draw, kader):
    """A changed copy of `kader`: some rules dropped, retitled, renamed (with voorheen) and some
    questions dropped or with other allowed values."""
    ids = sorted(kader.rules)
    rules = {}
    for rid in ids:
        action = draw(st.sampled_from(["keep", "keep", "drop", "retitle", "rename"]))
        rule = kader.rules[rid]
        if action == "drop":
            continue
        if action == "retitle":
            rule = replace(rule, title=rule.title + " (herzien)")
        if action == "rename":
            rule = replace(rule, id=rid + "-N", previous_ids=(rid,))
        rules[rule.id] = rule
    questions = {}
    for path, q in kader.questions.items():
        action = draw(st.sampled_from(["keep", "keep", "keep", "drop", "values"]))
        if action == "drop":
            continue
        questions[path] = replace(q, values=q.values[:-1]) if action == "values" and q.values else q
    return replace(kader, version="9.9", rules=rules, questions=questions)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_diff_mirrors_on_any_variant(old, data):
    _mirrored(old, data.draw(variants(old)))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_migrating_to_the_same_version_changes_nothing(old, data):
    a = data.draw(assessments(old))
    m = migrate(a, old, old)
    assert m.assessment.facts == a.facts and m.assessment.plan == a.plan
    assert all(f.outcome == "overgenomen" for f in m.facts) and not m.open_questions
    assert not m.needs_attention


def test_migrated_file_of_the_same_version_checks_the_same(tmp_path):
    kader = load_kader(ROOT, "1.0")
    for source in sorted(p for p in ASSESSMENTS.glob("*.yaml") if not p.name.startswith("regio")):
        (a,), _ = load_assessments_against([source], kader)
        out = tmp_path / source.name
        out.write_text(migration_yaml(migrate(a, kader, kader)), encoding="utf-8")
        before, after = check_file(source), check_file(out, region=ASSESSMENTS / "regio-2023-03.yaml")
        assert after.findings == before.findings
        assert after.assessment.facts.keys() == before.assessment.facts.keys()


def test_check_lists_facts_to_reconfirm(versions, tmp_path):
    out = tmp_path / "baarn-1.1.yaml"
    CliRunner().invoke(cli.main, ["migrate", str(ASSESSMENTS / "baarn-2023-03.yaml"), "--naar", "1.1", "-o", str(out),
                                  "--kader-dir", str(versions)])
    assert "herbevestigen: true" in out.read_text(encoding="utf-8")
    result = CliRunner().invoke(cli.main, ["check", str(out), "--kader-dir", str(versions)])
    assert "Te herbevestigen (overgenomen bij een migratie, de vraag is veranderd): " \
           "het aantal medewerkers gespecialiseerd in veiligheid" in " ".join(result.output.split())
