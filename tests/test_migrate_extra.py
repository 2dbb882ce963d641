"""kader migrate, beyond tests/test_diff_migrate.py: actions follow renames, splits and merges in
both directions (also back to an older version), and the new file keeps a safe record of every
fact and action it leaves out."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from kadertoets import cli
from conftest import ROOT
from kadertoets.editors.jsonschema import MODELINE_RE, modeline_target
from kadertoets.load.kader import load_kader
from kadertoets.editors.migrate import follow_requirement, migrate, migration_yaml
from kadertoets.model import PlanAction
from kadertoets.sweep.run import check_file, load_assessments_against
from kadertoets.infra.yamlload import load_yaml_file
from kaderversions import make_two_versions

ASSESSMENTS = ROOT / "assessments"


def _action(rid: str, description: str = "Actie") -> PlanAction:
    return PlanAction(requirement=rid, description=description, owner="teamleider",
                      deadline=dt.date(2023, 9, 1), status="gepland")


def _with_plan(kader, *rids):
    """Bunschoten (a 1.0 assessment) with one action per requirement."""
    (a,), invalid = load_assessments_against([ASSESSMENTS / "bunschoten-2023-03.yaml"], kader)
    assert not invalid
    return replace(a, plan=tuple(_action(r, f"Actie {r}") for r in rids))


def _moves(m):
    return [(x.requirement, x.new_requirement, x.outcome, x.others, x.merged_with) for x in m.actions]


def _rule_copy(kader, rid, new_id, previous):
    return replace(kader.rules[rid], id=new_id, previous_ids=tuple(previous))


def _variant(kader, version, drop=(), add=()):
    rules = {k: r for k, r in kader.rules.items() if k not in drop}
    rules.update({r.id: r for r in add})
    return replace(kader, version=version, rules=rules)


# ---- defect 1: actions follow renames in both directions -------------------------------------------
def test_backward_migration_keeps_an_action_on_a_renamed_requirement(versions, old, new, tmp_path):
    """1.1 -> 1.0: the action on KLT-VEI-09 (voorheen KLT-VEI-08) goes back to KLT-VEI-08; the
    action on KLT-LER-09 (new in 1.1, no predecessor) is left out and listed."""
    text = (ASSESSMENTS / "bunschoten-2023-03.yaml").read_text(encoding="utf-8")
    text += ("transformatieplan:\n"
             "  - {eis: KLT-VEI-08, omschrijving: \"Expertise borgen\", eigenaar: teamleider, deadline: 2023-09-01,"
             " status: gepland}\n")
    source = tmp_path / "met-plan-1.0.yaml"
    source.write_text(text, encoding="utf-8")
    forward = tmp_path / "team-1.1.yaml"
    result = CliRunner().invoke(cli.main, ["migrate", str(source), "--naar", "1.1", "-o", str(forward),
                                           "--kader-dir", str(versions)])
    assert result.exit_code in (0, 1), result.output
    with_new_rule = forward.read_text(encoding="utf-8") + (
        "- {eis: KLT-LER-09, omschrijving: \"Jaarverslag\", eigenaar: teamleider, deadline: 2024-06-01,"
        " status: gepland}\n")
    forward.write_text(with_new_rule, encoding="utf-8")
    assert [x.requirement for x in check_file(forward, versions).assessment.plan] == ["KLT-VEI-09", "KLT-LER-09"]

    back = tmp_path / "team-terug-1.0.yaml"
    result = CliRunner().invoke(cli.main, ["migrate", str(forward), "--naar", "1.0", "-o", str(back),
                                           "--kader-dir", str(versions)])
    assert result.exit_code == 1, result.output
    assert "KLT-VEI-09 -> KLT-VEI-08: Expertise borgen: overgenomen onder de nieuwe naam van de eis" in result.output
    assert "KLT-LER-09: Jaarverslag: weggelaten" in result.output
    evaluation = check_file(back, versions)
    assert evaluation.kader.version == "1.0"
    assert [(x.requirement, x.description) for x in evaluation.assessment.plan] == [("KLT-VEI-08", "Expertise borgen")]

    (a11,), _ = load_assessments_against([forward], new)
    m = migrate(a11, new, old)
    assert _moves(m) == [("KLT-VEI-09", "KLT-VEI-08", "hernoemd", (), ()), ("KLT-LER-09", None, "vervallen", (), ())]


def test_forward_and_back_gives_the_same_plan(old, new):
    a = _with_plan(old, "KLT-VEI-08", "KLT-VEI-02")
    there = migrate(a, old, new)
    back = migrate(there.assessment, new, old)
    assert [x.requirement for x in there.assessment.plan] == ["KLT-VEI-09", "KLT-VEI-02"]
    assert back.assessment.plan == a.plan


def test_a_merge_backwards_is_a_split_and_a_split_backwards_a_merge(old, new):
    # 1.1' merges KLT-VEI-08 and KLT-CLI-01 into KLT-VEI-09
    merged = _variant(new, "1.1", drop=("KLT-VEI-09",),
                      add=(_rule_copy(new, "KLT-VEI-09", "KLT-VEI-09", ("KLT-VEI-08", "KLT-CLI-01")),))
    a = _with_plan(old, "KLT-VEI-08", "KLT-CLI-01")
    m = migrate(a, old, merged)
    assert _moves(m) == [("KLT-VEI-08", "KLT-VEI-09", "samengevoegd", (), ("KLT-CLI-01",)),
                         ("KLT-CLI-01", "KLT-VEI-09", "samengevoegd", (), ("KLT-VEI-08",))]
    # ... and back: the merged requirement splits into both; the action goes to the first, naming the other
    back = migrate(replace(m.assessment, plan=m.assessment.plan[:1]), merged, old)
    assert _moves(back) == [("KLT-VEI-09", "KLT-VEI-08", "gesplitst", ("KLT-CLI-01",), ())]
    assert [x.requirement for x in back.assessment.plan] == ["KLT-VEI-08"]

    # 1.1'' splits KLT-VEI-08 into KLT-VEI-09 and KLT-VEI-10
    split = _variant(new, "1.1", add=(_rule_copy(new, "KLT-VEI-09", "KLT-VEI-10", ("KLT-VEI-08",)),))
    m = migrate(_with_plan(old, "KLT-VEI-08"), old, split)
    assert _moves(m) == [("KLT-VEI-08", "KLT-VEI-09", "gesplitst", ("KLT-VEI-10",), ())]
    # ... and back: both halves merge into KLT-VEI-08
    a = replace(m.assessment, plan=(_action("KLT-VEI-09"), _action("KLT-VEI-10")))
    back = migrate(a, split, old)
    assert _moves(back) == [("KLT-VEI-09", "KLT-VEI-08", "samengevoegd", (), ("KLT-VEI-10",)),
                            ("KLT-VEI-10", "KLT-VEI-08", "samengevoegd", (), ("KLT-VEI-09",))]
    assert [x.requirement for x in back.assessment.plan] == ["KLT-VEI-08", "KLT-VEI-08"]


def test_a_requirement_merged_into_one_that_exists_is_a_merge(old):
    """KLT-CLI-01 disappears into the existing KLT-VEI-02 (voorheen: [KLT-CLI-01])."""
    target = _variant(old, "1.1", drop=("KLT-CLI-01",),
                      add=(_rule_copy(old, "KLT-VEI-02", "KLT-VEI-02", ("KLT-CLI-01",)),))
    m = migrate(_with_plan(old, "KLT-CLI-01", "KLT-VEI-02"), old, target)
    assert _moves(m) == [("KLT-CLI-01", "KLT-VEI-02", "samengevoegd", (), ("KLT-VEI-02",)),
                         ("KLT-VEI-02", "KLT-VEI-02", "overgenomen", (), ())]


def test_over_several_versions(old, new):
    # 1.2 renames KLT-VEI-09 to KLT-VEI-10 and lists every earlier id: followed from 1.0 and back
    v12_full = _variant(new, "1.2", drop=("KLT-VEI-09",),
                        add=(_rule_copy(new, "KLT-VEI-09", "KLT-VEI-10", ("KLT-VEI-09", "KLT-VEI-08")),))
    assert follow_requirement("KLT-VEI-08", old, v12_full) == ("KLT-VEI-10",)
    assert follow_requirement("KLT-VEI-10", v12_full, old) == ("KLT-VEI-08",)
    # 1.2 names only the 1.0 id: 1.1's KLT-VEI-09 continues the same KLT-VEI-08, so it is followed too
    v12_shared = _variant(new, "1.2", drop=("KLT-VEI-09",),
                          add=(_rule_copy(new, "KLT-VEI-09", "KLT-VEI-10", ("KLT-VEI-08",)),))
    assert follow_requirement("KLT-VEI-09", new, v12_shared) == ("KLT-VEI-10",)
    assert follow_requirement("KLT-VEI-10", v12_shared, new) == ("KLT-VEI-09",)
    a = migrate(_with_plan(old, "KLT-VEI-08"), old, new).assessment
    assert _moves(migrate(a, new, v12_shared)) == [("KLT-VEI-09", "KLT-VEI-10", "hernoemd", (), ())]
    # a rule without history and an id nobody continues
    assert follow_requirement("KLT-CLI-01", old, new) == ()
    assert follow_requirement("KLT-LER-09", new, old) == ()


def test_same_version_keeps_every_action(old):
    a = _with_plan(old, *list(old.rules)[:5])
    m = migrate(a, old, old)
    assert m.assessment.plan == a.plan and all(x.outcome == "overgenomen" and not x.merged_with for x in m.actions)


# ---- defect 2: what is left out stays in the file, safely ------------------------------------------
# a YAML double-quoted text with every way out of a comment: newlines, '#', ': ', quotes, CR LF, NEL,
# U+2028/U+2029, and characters the YAML reader refuses raw (BEL, BOM, vertical tab)
HOSTILE = ('"' + r"""regel een\nkader: \"2.0\"\n# geen commentaar: 'x' \"q\"\u2028na-ls\x85na-nel"""
           + r"""\r\ncrlf\u2029na-ps\x07bel\ufeffbom\vvt""" + '"')
HOSTILE_PARTS = ['regel een', 'kader: "2.0"', "# geen commentaar: 'x' \"q\"", "na-ls", "na-nel", "crlf",
                 "na-ps\\u0007bel\\ufeffbom\\u000bvt"]
MODELINE = r'"# yaml-language-server: $schema=https://voorbeeld.invalid/x.json\nfeiten: {}"'


def _hostile_source(tmp_path: Path) -> Path:
    text = f"""kader: "1.0"
peildatum: 2023-03-01
team:
  id: proef
  naam: "Proefteam"
  gemeente: Proef
  organisatie: Proef
  taken: {{jeugd: true, wmo: true}}
feiten:
  veiligheid.casuistiekbespreking_save_bsa:
    waarde: pilot
    toelichting: {HOSTILE}
    bewijs: {MODELINE}
  clientervaring.aansluiting_contractpartner:
    waarde: true
    toelichting: "a\\n\\nb"
  clientervaring.methode: {{toelichting: {HOSTILE}}}
  veiligheid.aandachtsfunctionarissen: 2
transformatieplan:
  - eis: KLT-CLI-01
    id: "A-1\\nid: x"
    omschrijving: {HOSTILE}
    eigenaar: "teamleider\\n# x: y"
    deadline: 2023-09-01
    deadline_verplaatst: [{{naar: 2023-12-01, toelichting: "later\\u2028echt"}}]
    status: gepland
    extra_middelen_nodig: true
    toelichting: "t\\x85u"
  - {{eis: KLT-VEI-08, omschrijving: "Borgen", eigenaar: teamleider, deadline: 2023-09-01, status: gepland}}
"""
    path = tmp_path / "proef-1.0.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _comment_block(text: str) -> list[str]:
    lines = []
    for line in text.split("\n"):
        if not line.startswith("#"):
            break
        lines.append(line)
    return lines


def test_the_new_file_lists_what_it_left_out_and_still_checks(versions, tmp_path):
    source = _hostile_source(tmp_path)
    before = source.read_bytes()
    assert CliRunner().invoke(cli.main, ["check", str(source), "--kader-dir", str(versions)]).exit_code in (0, 1)
    out = tmp_path / "proef-1.1.yaml"
    result = CliRunner().invoke(cli.main, ["migrate", str(source), "--naar", "1.1", "-o", str(out),
                                           "--kader-dir", str(versions)])
    assert result.exit_code == 1, result.output
    assert source.read_bytes() == before
    check = CliRunner().invoke(cli.main, ["check", str(out), "--kader-dir", str(versions)])
    assert check.exit_code in (0, 1), check.output
    text = out.read_text(encoding="utf-8")
    header = _comment_block(text)
    body = text.split("\n")[len(header):]
    assert body[0] == "kader: '1.1'"
    # no text ended the comment: every YAML line break in the header block is a '\n' starting a '#' line
    assert not any(c in "\n".join(header) for c in "\r\x85\u2028\u2029\x07\x0b\ufeff")
    assert not any(MODELINE_RE.match(line) for line in header)  # the original had none; no text became one
    joined = "\n".join(header)
    # the left-out facts: path, old value, reason, toelichting and bewijs
    ongeldig = joined[joined.index("#   - veiligheid.casuistiekbespreking_save_bsa"):]
    assert "#     oude waarde: pilot" in ongeldig
    assert "#     reden: weggelaten: de waarde past niet meer bij de veranderde vraag (veranderd: waarden;" in ongeldig
    assert "#     toelichting: regel een" in ongeldig
    for part in HOSTILE_PARTS[1:]:
        assert f"\n#       | {part}" in ongeldig
    assert "#     bewijs: # yaml-language-server: $schema=https://voorbeeld.invalid/x.json\n#       | feiten: {}" \
        in ongeldig
    vervallen = joined[joined.index("#   - clientervaring.aansluiting_contractpartner"):]
    assert vervallen.startswith("#   - clientervaring.aansluiting_contractpartner\n#     oude waarde: ja\n"
                                "#     reden: weggelaten: de vraag bestaat niet meer\n"
                                "#     toelichting: a\n#       |\n#       | b\n")
    # the ongeldig fact is open again
    opened = joined[joined.index("# Open vragen"):joined.index("# Weggelaten feiten")]
    assert "#   leren.jaarverslag_opgesteld: " in opened
    assert "#   veiligheid.casuistiekbespreking_save_bsa: Bespreekt het team" in opened
    assert "opnieuw te beantwoorden" in opened
    assert "opnieuw te beantwoorden" in result.output
    # the left-out action in full
    action = joined[joined.index("# Weggelaten acties"):]
    for expected in ("#   - eis: KLT-CLI-01", "#     id: A-1\n#       | id: x", "#     omschrijving: regel een",
                     "#     eigenaar: teamleider\n#       | # x: y", "#     deadline: 2023-09-01",
                     "#     deadline verplaatst naar: 2023-12-01", "#       toelichting: later\n#       | echt",
                     "#     status: gepland", "#     extra middelen nodig: ja", "#     toelichting: t\n#       | u"):
        assert expected in action, expected
    assert "KLT-VEI-08" not in action  # carried over (renamed), not left out
    # and what the file itself says (the loader agrees: none of the comment texts leaked into the data)
    data = load_yaml_file(out)
    assert set(data) == {"kader", "peildatum", "team", "feiten", "transformatieplan"}
    assert set(data["feiten"]) == {"clientervaring.methode", "veiligheid.aandachtsfunctionarissen"}
    assert [x["eis"] for x in data["transformatieplan"]] == ["KLT-VEI-09"]


def test_a_left_out_text_value_with_line_breaks_stays_in_the_comment(versions, old, new, tmp_path):
    """A tekst answer of several lines whose question is gone (a 1.1 without algemeen.kenmerken_team)."""
    path = "algemeen.kenmerken_team"
    assert new.questions[path].type == "tekst"
    source = _hostile_source(tmp_path)
    text = source.read_text(encoding="utf-8").replace(
        "feiten:\n", f"feiten:\n  {path}: {HOSTILE}\n", 1)
    source.write_text(text, encoding="utf-8")
    (a,), invalid = load_assessments_against([source], old)
    assert not invalid and "\u2028" in a.facts[path].value
    without = replace(new, questions={p: q for p, q in new.questions.items() if p != path})
    m = migrate(a, old, without)
    assert [f.outcome for f in m.facts if f.path == path] == ["vervallen"]
    out = tmp_path / "zonder.yaml"
    out.write_text(migration_yaml(m), encoding="utf-8")
    header = "\n".join(_comment_block(out.read_text(encoding="utf-8")))
    block = header[header.index(f"#   - {path}"):]
    assert block.startswith(f"#   - {path}\n#     oude waarde: regel een\n#       | kader: \"2.0\"\n")
    evaluation = check_file(out, versions)  # loads and validates against the real 1.1
    assert path not in evaluation.assessment.facts and evaluation.kader.version == "1.1"


def test_nothing_left_out_means_no_record_block(old, new):
    a = _with_plan(old, "KLT-VEI-08")
    a = replace(a, facts={p: f for p, f in a.facts.items() if p in new.questions
                          and p not in ("veiligheid.casuistiekbespreking_save_bsa",)})
    text = migration_yaml(migrate(a, old, new))
    assert "# Weggelaten feiten" not in text and "# Weggelaten acties" not in text


def test_migrate_on_the_command_line_carries_the_schema_line_to_the_new_version(versions, tmp_path):
    """A file linked to the 1.0 assessment schema, migrated into another folder, is linked to the 1.1
    schema: the new first line, resolved from the new file's folder, names an existing schema."""
    schemas = tmp_path / "schemas"
    made = CliRunner().invoke(cli.main, ["schema", "-o", str(schemas), "--kader-dir", str(versions), "--kader", "1.1"])
    assert made.exit_code == 0, made.output
    source = tmp_path / "teams" / "soest.yaml"
    source.parent.mkdir()
    source.write_text("# yaml-language-server: $schema=../schemas/assessment-1.0.schema.json\n"
                      + (ASSESSMENTS / "soest-2023-03.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    out = tmp_path / "nieuw" / "sub" / "soest-1.1.yaml"
    out.parent.mkdir(parents=True)
    result = CliRunner().invoke(cli.main, ["migrate", str(source), "--naar", "1.1", "-o", str(out),
                                           "--kader-dir", str(versions)])
    assert result.exit_code in (0, 1), result.output
    first = out.read_text(encoding="utf-8").splitlines()[0]
    assert MODELINE_RE.match(first), first
    target = (out.parent / modeline_target(first)).resolve()
    assert target == (schemas / "assessment-1.1.schema.json").resolve() and target.is_file()
    assert check_file(out, versions).assessment.kader_version == "1.1"
