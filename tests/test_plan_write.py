"""`kader plan --bijwerken` (the plan kept in the assessment file), the plan block's errors all at once,
a new deadline for a proposal whose Kader deadline has passed, and proposals that fit the finding
(only the parts of a rule's action the team has not reached)."""

from __future__ import annotations

import datetime as dt
import difflib
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings, strategies as st

from conftest import ASSESSMENTS, ROOT
from kadertoets import cli
from kadertoets.editors import planwrite
from kadertoets.editors.yamlblock import replace_block
from kadertoets.infra.errors import KaderFout
from kadertoets.infra.yamlload import load_yaml_text

HEAD = """\
# Assessment van een testteam; deze opmerking blijft staan.
kader: "1.0"
peildatum: 2023-03-01
team:
  id: testteam
  naam: "Testteam"   # naam op één regel
  gemeente: Baarn
  organisatie: BBS
  taken: {jeugd: true, wmo: true}
"""
FACTS = """\
feiten:
  # minder beschikken: realisatie klaar, prognose niet
  minder_beschikken.realisatie_2021_2022: volledig
  minder_beschikken.prognose_2023_2025: deels
  mens_centraal.zaaktype: eemland_2_0
  mens_centraal.uniforme_definities: true
  mens_centraal.uniforme_vraagvelden_onderzoek: false
  mens_centraal.uniforme_vraagvelden_ondersteuningsplan: true
"""
PLAN = """\
transformatieplan:   # het plan van het team
  # onze eigen actie
  - eis: KLT-EB-01
    omschrijving: >-
      Eigen begeleiding invoeren,
      stap voor stap.
    eigenaar: teamleider
    deadline: 2023-09-01   # afgesproken in het MT
    status: gepland
  # nog een opmerking in het blok
# een opmerking direct na het blok
"""
TAIL = "# laatste regel\n"


def run(*args):
    return CliRunner().invoke(cli.main, [str(a) for a in args])


def write(tmp_path: Path, text: str, name: str = "team.yaml", newline: str = "\n") -> Path:
    path = tmp_path / name
    path.write_bytes(text.replace("\n", newline).encode("utf-8"))
    return path


def only_insertions(old: str, new: str) -> list[str]:
    """The lines `new` adds to `old`; fails when anything of `old` changed or moved."""
    a, b = old.splitlines(keepends=True), new.splitlines(keepends=True)
    added = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        assert tag in ("equal", "insert"), (tag, a[i1:i2], b[j1:j2])
        if tag == "insert":
            added += b[j1:j2]
    return added


# ------------------------------------------------------------- write-back --------
def test_bijwerken_adds_proposals_and_keeps_every_other_byte(tmp_path):
    text = HEAD + PLAN + FACTS + TAIL
    path = write(tmp_path, text)
    result = run("plan", path, "--bijwerken", "--toetsdatum", "2023-03-01")
    assert result.exit_code == 1, result.output
    assert "Transformatieplan bijgewerkt" in result.stdout
    assert "2 voorgestelde acties toegevoegd, 1 eigen actie van het team ongewijzigd" in result.stdout
    new = path.read_text(encoding="utf-8")
    added = "".join(only_insertions(text, new))
    # the new actions stand inside the block: after its last line, before the comment that follows it
    assert new.index("  # nog een opmerking in het blok") < new.index("KLT-EB-03") < new.index("# een opmerking direct na")
    assert "KLT-EB-03" in added and "KLT-ICT-01" in added
    assert "Overstappen" not in added  # the team already works with Eemland 2.0
    data = load_yaml_text(new, "x")
    assert [a["eis"] for a in data["transformatieplan"]] == ["KLT-EB-01", "KLT-EB-03", "KLT-ICT-01"]


def test_bijwerken_twice_gives_the_same_file(tmp_path):
    path = write(tmp_path, HEAD + PLAN + FACTS + TAIL)
    assert run("plan", path, "--bijwerken").exit_code == 1
    once = path.read_bytes()
    result = run("plan", path, "--bijwerken")
    assert result.exit_code == 1
    assert "is al bij" in result.stdout and "niet gewijzigd" in result.stdout
    assert path.read_bytes() == once
    # and the plan then proposes nothing more: every gap has an action of the team
    shown = json.loads(run("plan", path, "--formaat", "json").stdout)
    assert all(a["herkomst"] == "team" for a in shown["acties"])


def test_a_file_without_a_plan_block_gets_it_at_the_end(tmp_path):
    text = HEAD + FACTS + TAIL
    path = write(tmp_path, text)
    assert run("plan", path, "--bijwerken").exit_code == 1
    new = path.read_text(encoding="utf-8")
    assert new.startswith(text)
    assert new[len(text):].startswith("transformatieplan:\n  - eis: ")


@pytest.mark.parametrize("with_block", [True, False])
def test_a_file_ending_without_a_line_break(tmp_path, with_block):
    text = HEAD + FACTS + (PLAN.split("  # nog een")[0].rstrip("\n") if with_block else FACTS[:0].rstrip())
    text = text.rstrip("\n")
    path = write(tmp_path, text)
    assert run("plan", path, "--bijwerken").exit_code == 1
    new = path.read_text(encoding="utf-8")
    only_insertions(text + "\n", new + "\n")
    load_yaml_text(new, "x")
    if with_block:
        assert not new.endswith("\n")  # it ended without one, and still does
    assert run("plan", path, "--bijwerken").exit_code == 1
    assert path.read_text(encoding="utf-8") == new


def test_crlf_and_bom_files_keep_their_line_endings_and_mark(tmp_path):
    text = HEAD + PLAN + FACTS + TAIL
    path = tmp_path / "team.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
    assert run("plan", path, "--bijwerken").exit_code == 1
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    body = data[3:].decode("utf-8")
    assert "\n" not in body.replace("\r\n", "")  # every line ends in CRLF, the new ones too
    only_insertions(text, body.replace("\r\n", "\n"))


def test_sequence_items_at_the_keys_column_keep_that_style(tmp_path):
    plan = "transformatieplan:\n- eis: KLT-EB-01\n  omschrijving: x\n  eigenaar: teamleider\n  deadline: 2023-09-01\n  status: gepland\n"
    path = write(tmp_path, HEAD + plan + FACTS)
    assert run("plan", path, "--bijwerken").exit_code == 1
    new = path.read_text(encoding="utf-8")
    assert "\n- eis: KLT-EB-03\n" in new


@pytest.mark.parametrize("empty", ["transformatieplan:\n", "transformatieplan: []\n", "transformatieplan:   # nog niets\n"])
def test_an_empty_plan_block_is_filled(tmp_path, empty):
    path = write(tmp_path, HEAD + empty + FACTS)
    assert run("plan", path, "--bijwerken").exit_code == 1
    new = path.read_text(encoding="utf-8")
    assert new.startswith(HEAD) and new.endswith(FACTS)
    assert [a["eis"] for a in load_yaml_text(new, "x")["transformatieplan"]] == ["KLT-EB-03", "KLT-ICT-01"]
    if "#" in empty:
        assert "# nog niets" in new


def test_a_file_that_changes_during_the_run_is_not_overwritten(tmp_path, monkeypatch):
    path = write(tmp_path, HEAD + PLAN + FACTS)
    theirs = (HEAD + PLAN + FACTS).replace("Testteam", "Testteam (door een collega bewaard)")
    real = planwrite.build_plan

    def meanwhile(evaluation):
        path.write_text(theirs, encoding="utf-8")  # a colleague saves while we work
        return real(evaluation)

    monkeypatch.setattr(planwrite, "build_plan", meanwhile)
    result = run("plan", path, "--bijwerken")
    assert result.exit_code == 2
    assert "veranderd terwijl het werd bijgewerkt" in result.stderr
    assert "niets geschreven" in result.stderr and str(path.name) in result.stderr
    assert path.read_text(encoding="utf-8") == theirs
    assert [p.name for p in tmp_path.iterdir()] == ["team.yaml"]  # no temporary file left


def test_bijwerken_refuses_output_options_that_do_not_fit(tmp_path):
    path = write(tmp_path, HEAD + FACTS)
    before = path.read_bytes()
    for extra in (["-o", tmp_path / "plan.md"], ["--formaat", "csv"], ["--overschrijf"]):
        result = run("plan", path, "--bijwerken", *extra)
        assert result.exit_code == 2, extra
        assert "--bijwerken" in result.stderr and "Traceback" not in result.output
    assert path.read_bytes() == before
    assert not (tmp_path / "plan.md").exists()
    assert run("plan", path, "--bijwerken", "--formaat", "yaml").exit_code == 1


def test_bijwerken_refuses_a_folder(tmp_path):
    result = run("plan", tmp_path, "--bijwerken")
    assert result.exit_code == 2 and "map" in result.stderr


def test_replace_block_refuses_what_would_not_read_back(tmp_path):
    text = HEAD + PLAN
    with pytest.raises(KaderFout) as exc:
        replace_block(text, "transformatieplan", [{"eis": "x", "omschrijving": float("nan")}], "team.yaml")
    assert "niets geschreven" in exc.value.render()


def test_replace_block_replaces_a_middle_block_keeping_comments_of_what_stays():
    text = "a: 1  # een\nb:\n  x: 1   # blijft\n  y: 2\n# na b\nc: 3\n"
    new = replace_block(text, "b", {"x": 1, "y": 5, "z": [1, 2]}, "f.yaml")
    assert new.startswith("a: 1  # een\nb:\n  x: 1   # blijft\n")
    assert new.endswith("# na b\nc: 3\n")
    assert load_yaml_text(new, "f") == {"a": 1, "b": {"x": 1, "y": 5, "z": [1, 2]}, "c": 3}


def test_replace_block_escapes_hostile_text():
    new = replace_block("a: 1\n", "b", ["x\u202ey", "regel\nregel", "\x1b[31m"], "f.yaml")
    assert "\u202e" not in new and "\x1b" not in new
    assert load_yaml_text(new, "f")["b"] == ["x\u202ey", "regel\nregel", "\x1b[31m"]


_ITEMS = st.lists(st.fixed_dictionaries({
    "eis": st.sampled_from(["KLT-EB-01", "KLT-EB-03", "KLT-ICT-01", "KLT-VEI-06", "KLT-OND-02"]),
    "omschrijving": st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), min_size=1,
                            max_size=40).filter(lambda s: s.strip()),
    "eigenaar": st.sampled_from(["teamleider", "gemeente_opdrachtgever"]),
    "deadline": st.one_of(st.none(), st.dates(dt.date(2022, 1, 1), dt.date(2025, 12, 31))),
    "status": st.sampled_from(["gepland", "behaald", "deels_behaald", "niet_behaald"]),
}), max_size=3)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(source=st.sampled_from(ASSESSMENTS), items=_ITEMS,
       as_of=st.sampled_from([None, dt.date(2023, 8, 1), dt.date(2024, 6, 1)]), crlf=st.booleans())
def test_bijwerken_is_idempotent_and_changes_nothing_else(tmp_path_factory, source, items, as_of, crlf):
    from kadertoets.infra.yamlwrite import dump

    folder = tmp_path_factory.mktemp("idem")
    text = source.read_text(encoding="utf-8") + "# slot\n"
    if items:
        text += dump({"transformatieplan": items})
    path = write(folder, text, newline="\r\n" if crlf else "\n")
    first = planwrite.update_plan_file(path, as_of=as_of)
    new = path.read_bytes().decode("utf-8")
    only_insertions(text, new.replace("\r\n", "\n"))
    second = planwrite.update_plan_file(path, as_of=as_of)
    assert not second.written and second.added == ()
    assert path.read_bytes().decode("utf-8") == new
    assert second.kept == len(items) + len(first.added)
    # the evaluation of the requirements is the same before and after: only the plan changed
    assert [f.status for f in first.plan.evaluation.findings] == [f.status for f in second.plan.evaluation.findings]


# ----------------------------------------------------- plan errors at once --------
def test_every_error_in_the_plan_block_is_reported_at_once(tmp_path):
    plan = """\
transformatieplan:
  - eis: KLT-ICT-99
    omschrijving: iets
    eigenaar: teamleider
    deadline: volgende week
    status: gepland
  - eis: KLT-ICT-01
    omschrijving: iets anders
    eigenaar: teamleider
    deadline: 2023-09-01
    status: klaar
    deadline_verplaatst:
      - naar: morgen
"""
    path = write(tmp_path, HEAD + FACTS + plan)
    before = path.read_bytes()
    for args in ([], ["--bijwerken"]):
        result = run("plan", path, *args)
        assert result.exit_code == 2
        err = result.stderr
        first = (HEAD + FACTS).count("\n") + 1  # the line of 'transformatieplan:'
        name = path.name
        assert f"{name}:{first + 1}:" in err and "KLT-ICT-99" in err  # the unknown requirement ...
        assert f"{name}:{first + 4}:" in err and "volgende week" in err  # ... does not hide the bad deadline
        assert f"{name}:{first + 10}:" in err and "klaar" in err  # nor the second action's status
        assert f"{name}:{first + 12}:" in err and "morgen" in err  # nor a moved deadline
        assert path.read_bytes() == before


# ------------------------------------------------- a passed Kader deadline --------
def test_a_proposal_whose_kader_deadline_passed_gets_a_new_one(tmp_path):
    path = write(tmp_path, HEAD + FACTS)
    data = json.loads(run("plan", path, "--formaat", "json", "--toetsdatum", "2023-08-15").stdout)
    eb03 = next(a for a in data["acties"] if a["eis"] == "KLT-EB-03")
    assert eb03["deadline"] == "2023-11-15" and eb03["oorspronkelijke_deadline"] == "2023-06-30"
    assert eb03["deadline_voorgesteld"] is True
    ict = next(a for a in data["acties"] if a["eis"] == "KLT-ICT-01")
    assert ict["deadline"] == "2024-01-01" and ict["deadline_voorgesteld"] is False
    text = run("plan", path, "--formaat", "text", "--toetsdatum", "2023-08-15").stdout
    assert ("de Kader-deadline 30 juni 2023 was op de toetsdatum 15 augustus 2023 al verstreken; voorgestelde nieuwe "
            "deadline 15 november 2023 (3 maanden na de toetsdatum)") in text
    # written back, the Kader's deadline stays, the new one as a moved deadline with its reason
    assert run("plan", path, "--bijwerken", "--toetsdatum", "2023-08-15").exit_code == 1
    action = next(a for a in load_yaml_text(path.read_text(encoding="utf-8"), "x")["transformatieplan"]
                  if a["eis"] == "KLT-EB-03")
    assert action["deadline"] == dt.date(2023, 6, 30)
    assert action["deadline_verplaatst"][0]["naar"] == dt.date(2023, 11, 15)
    assert "al verstreken" in action["deadline_verplaatst"][0]["toelichting"]


def test_add_months_keeps_to_the_end_of_a_short_month():
    from kadertoets.evaluate.plan import add_months

    assert add_months(dt.date(2023, 11, 30), 3) == dt.date(2024, 2, 29)
    assert add_months(dt.date(2023, 3, 1), 3) == dt.date(2023, 6, 1)
    assert add_months(dt.date(2023, 12, 31), 1) == dt.date(2024, 1, 31)


def test_upcoming_deadlines_never_say_none_while_actions_are_open(tmp_path):
    plan = """\
transformatieplan:
  - eis: KLT-EB-03
    omschrijving: prognose afmaken
    eigenaar: implementatieverantwoordelijke
    deadline: 2023-04-01
    status: gepland
  - eis: KLT-ICT-01
    omschrijving: vraagvelden onderzoek
    eigenaar: teamleider
    deadline: 2023-05-01
    status: gepland
"""
    path = write(tmp_path, HEAD + FACTS + plan)
    text = run("plan", path, "--formaat", "text", "--toetsdatum", "2023-06-01").stdout
    upcoming = text.split("Eerstvolgende deadlines")[1].split("Acties van gemeente")[0]
    assert "Geen" not in upcoming
    assert "Alle 2 open acties zijn verlopen of hebben geen deadline" in upcoming


# ------------------------------------------------- proposals fit the finding --------
def _proposal(path, rid, *extra):
    data = json.loads(run("plan", path, "--formaat", "json", *extra).stdout)
    return next(a for a in data["acties"] + data["regionale_afhankelijkheden"] if a["eis"] == rid)


def test_a_team_on_eemland_2_0_is_not_told_to_switch_to_it(tmp_path):
    path = write(tmp_path, HEAD + FACTS)
    ict = _proposal(path, "KLT-ICT-01")
    assert ict["status_eis"] == "deels"
    assert ict["omschrijving"] == "De uniforme vraagvelden voor het onderzoek in Mens Centraal gebruiken."
    assert len(ict["al_bereikt"]) == 3 and any("Overstappen" in p for p in ict["al_bereikt"])
    text = run("plan", path, "--formaat", "text").stdout
    assert "3 onderdelen van de Kader-actie al bereikt, niet voorgesteld" in text


def test_a_team_with_nothing_reached_gets_the_whole_action(tmp_path):
    facts = FACTS.replace("eemland_2_0", "eigen_zaaktype").replace(": true", ": false")
    path = write(tmp_path, HEAD + facts)
    ict = _proposal(path, "KLT-ICT-01")
    assert ict["status_eis"] == "voldoet_niet"
    assert ict["omschrijving"].startswith("Overstappen op het Ontwerp Zaaktype Eemland 2.0 in Mens Centraal, met")
    assert ict["al_bereikt"] == []


def test_a_part_that_is_unknown_is_still_proposed(tmp_path):
    facts = FACTS.replace("  mens_centraal.uniforme_definities: true\n", "")
    path = write(tmp_path, HEAD + facts)
    # definities unknown: the requirement is onbekend or a gap; when proposed, the unknown part stays in
    data = json.loads(run("plan", path, "--formaat", "json").stdout)
    for a in data["acties"]:
        if a["eis"] == "KLT-ICT-01":
            assert "definities" in a["omschrijving"]


def test_the_bundled_teams_keep_their_statuses_and_get_fitting_proposals():
    amersfoort = _proposal(ROOT / "assessments" / "amersfoort-2023-03.yaml", "KLT-EB-03")
    assert amersfoort["status_eis"] == "deels"  # realisatie volledig, prognose deels
    assert "realisatie" not in amersfoort["omschrijving"] and "prognose" in amersfoort["omschrijving"]
    baarn = _proposal(ROOT / "assessments" / "baarn-2023-03.yaml", "KLT-EB-02")
    assert "reden" not in baarn["omschrijving"]  # Baarn registers the reason already


def _kader_copy(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "kader", tmp_path / "kader")
    shutil.copytree(ROOT / "rules", tmp_path / "rules")
    return tmp_path


def test_parts_that_leave_nothing_for_a_gap_fail_the_kader_load(tmp_path):
    folder = _kader_copy(tmp_path)
    rule = folder / "rules" / "KLT-ICT-01.yaml"
    text = rule.read_text(encoding="utf-8")
    # every part "reached" whenever the zaaktype is Eemland 2.0: the example that is deels would get nothing
    text = text.replace("tenzij: {veld: mens_centraal.uniforme_vraagvelden_ondersteuningsplan, is: true}",
                        "tenzij: {veld: mens_centraal.zaaktype, is: eemland_2_0}")
    text = text.replace("tenzij: {veld: mens_centraal.uniforme_vraagvelden_onderzoek, is: true}",
                        "tenzij: {veld: mens_centraal.zaaktype, is: eemland_2_0}")
    text = text.replace("tenzij: {veld: mens_centraal.uniforme_definities, is: true}",
                        "tenzij: {veld: mens_centraal.zaaktype, is: eemland_2_0}")
    rule.write_text(text, encoding="utf-8")
    result = run("rules", "--kader-map", folder)
    assert result.exit_code == 2
    assert "KLT-ICT-01.yaml" in result.stderr and "alle onderdelen van de actie al bereikt" in result.stderr


@pytest.mark.parametrize("wrong, says", [
    ("tenzij: {veld: mens_centraal.zaaktype, is: eemland_2_0}", "tenzij: {veld: mens_centraal.zaaktipe, is: eemland_2_0}"),
    ("tenzij: {veld: mens_centraal.zaaktype, is: eemland_2_0}", "tenzij: {veld: mens_centraal.zaaktype, is: eemland_3}"),
    ("      tenzij: {veld: mens_centraal.zaaktype, is: eemland_2_0}\n", ""),
])
def test_a_wrong_part_fails_the_kader_load(tmp_path, wrong, says):
    folder = _kader_copy(tmp_path)
    rule = folder / "rules" / "KLT-ICT-01.yaml"
    rule.write_text(rule.read_text(encoding="utf-8").replace(wrong, says, 1), encoding="utf-8")
    result = run("rules", "--kader-map", folder)
    assert result.exit_code == 2
    assert "KLT-ICT-01.yaml:" in result.stderr and "Traceback" not in result.output
