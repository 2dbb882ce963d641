"""The region as a subject of its own (issue 12 point 1): a regional file records the state of the
regional products; a requirement with a regionaal_product waits on it, and is onbekend without it."""

from __future__ import annotations

import json
import shutil

import pytest
from click.testing import CliRunner
from hypothesis import given, settings, strategies as st

import cli
from conftest import ASSESSMENTS, ROOT
from kadertoets.evaluate.backends import get_backend
from kadertoets.evaluate.evaluation import evaluate
from kadertoets.load.kader import load_kader
from kadertoets.model import RegionAssessment, Status

REGION = ROOT / "assessments" / "regio-2023-03.yaml"
KADER = load_kader(ROOT, "1.0")
WAITING = sorted(r.id for r in KADER.rules.values() if r.region_product is not None)


def run(*args):
    return CliRunner().invoke(cli.main, [str(a) for a in args])


def copy_team(tmp_path, name="soest-2023-03.yaml"):
    shutil.copy(ROOT / "assessments" / name, tmp_path / name)
    return tmp_path / name


def region_text(peildatum="2023-03-01", status="in_ontwikkeling", extra=""):
    facts = "".join(f"  {p}: {status}\n" for p in sorted(KADER.region_questions) if p.endswith(".status"))
    return f'kader: "1.0"\npeildatum: {peildatum}\nregio: {{naam: "Regio Proef"}}\nfeiten:\n{facts}{extra}'


def test_the_bundled_teams_wait_on_the_region_for_its_products():
    result = run("check", ASSESSMENTS[0], "--formaat", "json")
    data = json.loads(result.stdout)
    found = {f["eis"]: f for f in data["bevindingen"]}
    assert data["regio"]["bestand"].endswith("regio-2023-03.yaml") and data["regio"]["peildatum"] == "2023-03-01"
    for rid in WAITING:
        assert found[rid]["status"] == "voldoet_niet" and found[rid]["wacht_op"] == "regio", rid
    assert found["KLT-REG-01"]["reden"] == ("Voldoet niet: de regio heeft nog geen escalatiemodel vastgesteld "
                                            "(gunning mei/juni 2023); het team voert het in zodra het er is.")
    assert data["wacht_op_regio"] == len(WAITING)
    assert all(f["wacht_op"] is None for f in data["bevindingen"] if f["eis"] not in WAITING)


def test_check_text_counts_the_waiting_apart_and_names_the_region(tmp_path):
    result = run("check", ASSESSMENTS[0])
    assert result.exit_code == 1
    assert f"Waarvan wachtend op de regio: {len(WAITING)} eisen voldoen niet" in result.stdout
    assert "Stand van de regio: Regio Amersfoort, peildatum 1 maart 2023" in result.stdout


def test_without_a_regional_file_the_regional_requirements_are_unknown_and_the_output_says_how_to_add_it(tmp_path):
    team = copy_team(tmp_path)
    result = run("check", team, "--formaat", "json")
    found = {f["eis"]: f for f in json.loads(result.stdout)["bevindingen"]}
    for rid in WAITING:
        assert found[rid]["status"] == "onbekend" and found[rid]["wacht_op"] is None
        assert "de stand van de regio is niet bekend" in found[rid]["reden"]
    text = run("check", team).stdout
    assert "De stand van de regio op 1 maart 2023 ontbreekt" in " ".join(text.split())
    assert "--regio" in text
    plan = run("plan", team).stdout
    assert "De stand van de regio op 1 maart 2023 ontbreekt" in " ".join(plan.split())


def test_regio_option_and_a_regional_file_beside_the_team_give_the_same_result(tmp_path):
    team = copy_team(tmp_path)
    named = json.loads(run("check", team, "--formaat", "json", "--regio", REGION).stdout)
    shutil.copy(REGION, tmp_path / REGION.name)
    beside = json.loads(run("check", team, "--formaat", "json").stdout)
    assert [f["status"] for f in named["bevindingen"]] == [f["status"] for f in beside["bevindingen"]]
    assert named["wacht_op_regio"] == beside["wacht_op_regio"] == len(WAITING)


def test_the_latest_regional_state_on_or_before_the_peildatum_counts(tmp_path):
    team = copy_team(tmp_path)
    (tmp_path / "regio-2023-01.yaml").write_text(region_text("2023-01-01", "in_ontwikkeling"), encoding="utf-8")
    (tmp_path / "regio-2023-06.yaml").write_text(region_text("2023-06-01", "vastgesteld"), encoding="utf-8")
    data = json.loads(run("check", team, "--formaat", "json").stdout)
    assert data["regio"]["peildatum"] == "2023-01-01"  # the June state is after the team's peildatum
    assert data["wacht_op_regio"] == len(WAITING)
    (tmp_path / "regio-2023-02.yaml").write_text(region_text("2023-02-01", "vastgesteld"), encoding="utf-8")
    data = json.loads(run("check", team, "--formaat", "json").stdout)
    assert data["regio"]["peildatum"] == "2023-02-01" and data["wacht_op_regio"] == 0
    found = {f["eis"]: f for f in data["bevindingen"]}
    assert found["KLT-REG-01"]["status"] != "voldoet_niet" or found["KLT-REG-01"]["wacht_op"] is None


def test_a_regional_file_after_the_team_peildatum_named_with_regio_is_refused(tmp_path):
    team = copy_team(tmp_path)
    later = tmp_path / "later.yaml"
    later.write_text(region_text("2023-06-01"), encoding="utf-8")
    result = run("check", team, "--regio", later)
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "later.yaml" in result.output and "na de peildatum van het team" in result.output


@pytest.mark.parametrize("extra, expected", [
    ("  veiligheid.aandachtsfunctionarissen: 2\n", "is een feit over een team"),
    ("  regio.escalatiemodel.status: klaar\n", "regio.escalatiemodel.status"),
    ("  regio.escalatiemodel.vastgesteld_op: morgen\n", "vastgesteld_op"),
    ("  regio.bestaat.niet: ja\n", "regio.bestaat.niet"),
])
def test_bad_regional_files_exit_2_with_file_and_line(tmp_path, extra, expected):
    team = copy_team(tmp_path)
    text = region_text().replace("  regio.escalatiemodel.status: in_ontwikkeling\n", "") + extra
    (tmp_path / "regio-2023-03.yaml").write_text(text, encoding="utf-8")
    before = team.read_bytes()
    result = run("check", team)
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "regio-2023-03.yaml:" in result.output and expected in result.output
    assert team.read_bytes() == before


def test_a_team_may_not_state_the_regions_facts(tmp_path):
    team = copy_team(tmp_path)
    team.write_text(team.read_text(encoding="utf-8").replace("feiten:\n", "feiten:\n  regio.escalatiemodel.status: vastgesteld\n", 1),
                    encoding="utf-8")
    result = run("check", team)
    assert result.exit_code == 2 and "is een feit over de regio" in result.output and "regiobestand" in result.output


def test_a_regional_file_given_as_a_team_and_the_other_way_round(tmp_path):
    result = run("check", REGION)
    assert result.exit_code == 2 and "dit is een regiobestand" in result.output
    team = copy_team(tmp_path)
    shutil.copy(team, tmp_path / "regio-fout.yaml")
    result = run("check", team, "--regio", tmp_path / "regio-fout.yaml")
    assert result.exit_code == 2 and "geen regiobestand" in result.output


def test_two_regional_files_with_one_peildatum_are_refused(tmp_path):
    team = copy_team(tmp_path)
    (tmp_path / "regio-a.yaml").write_text(region_text(), encoding="utf-8")
    (tmp_path / "regio-b.yaml").write_text(region_text(), encoding="utf-8")
    result = run("check", team)
    assert result.exit_code == 2 and "twee regiobestanden met dezelfde peildatum" in result.output


def test_personal_data_in_the_regional_file_is_refused(tmp_path):
    team = copy_team(tmp_path)
    text = region_text().replace('naam: "Regio Proef"', 'naam: "Regio Proef, mail j.jansen@example.nl"')
    (tmp_path / "regio-2023-03.yaml").write_text(text, encoding="utf-8")
    result = run("check", team)
    assert result.exit_code == 2 and "j.jansen@example.nl" not in result.output
    assert "regio-2023-03.yaml:3" in result.output


def test_the_sweep_shows_the_regions_gap_not_unknowns():
    text = run("sweep", ROOT / "assessments", "--geen-cache").stdout
    assert "R voldoet niet, wacht op de regio" in " ".join(text.split())
    assert "- KLT-REG-01: nog geen escalatiemodel (7 teams)" in text
    data = json.loads(run("sweep", ROOT / "assessments", "--formaat", "json", "--geen-cache").stdout)
    assert len(data["teams"]) == 7 and data["regio_ontbreekt"] is False
    assert {w["eis"]: w["teams"] for w in data["wacht_op_regio"]} == {rid: 7 for rid in WAITING}
    assert data["regio"][0]["peildatum"] == "2023-03-01"
    page = run("sweep", ROOT / "assessments", "--formaat", "html", "--geen-cache").stdout
    assert '<h2 id="de-regio">De regio</h2>' in page and "<li>KLT-REG-01: nog geen escalatiemodel (7 teams)</li>" in page
    assert "R voldoet niet, wacht op de regio (het regionale product is er nog niet)" in page


def test_the_sweep_without_a_regional_file_says_it_is_missing(tmp_path):
    for path in ASSESSMENTS:
        shutil.copy(path, tmp_path / path.name)
    data = json.loads(run("sweep", tmp_path, "--formaat", "json", "--geen-cache").stdout)
    assert data["regio_ontbreekt"] is True and data["wacht_op_regio"] == []
    text = run("sweep", tmp_path, "--geen-cache").stdout
    assert "ontbreekt" in text


def test_the_sweep_cache_notices_a_changed_regional_file(tmp_path, cache_dir):
    for path in ASSESSMENTS[:2]:
        shutil.copy(path, tmp_path / path.name)
    region = tmp_path / "regio-2023-03.yaml"
    region.write_text(region_text(), encoding="utf-8")
    first = json.loads(run("sweep", tmp_path, "--formaat", "json").stdout)
    region.write_text(region_text(status="vastgesteld"), encoding="utf-8")
    second = json.loads(run("sweep", tmp_path, "--formaat", "json").stdout)
    assert first["wacht_op_regio"] and not second["wacht_op_regio"]
    fresh = json.loads(run("sweep", tmp_path, "--formaat", "json", "--geen-cache").stdout)
    assert second["teams"] == fresh["teams"]


def test_an_invalid_regional_file_in_a_sweep_is_reported_and_no_team_reads_a_region(tmp_path):
    for path in ASSESSMENTS[:2]:
        shutil.copy(path, tmp_path / path.name)
    (tmp_path / "regio-2023-03.yaml").write_text(region_text(status="kapot"), encoding="utf-8")
    result = run("sweep", tmp_path, "--formaat", "json", "--geen-cache")
    assert result.exit_code == 2
    data = json.loads(result.stdout)
    assert any(i["bestand"].endswith("regio-2023-03.yaml") for i in data["ongeldige_bestanden"])
    assert data["wacht_op_regio"] == [] and data["regio"] == []
    text = run("sweep", tmp_path, "--geen-cache").stdout
    assert "1 ONGELDIG BESTAND: geen team leest de stand van de regio" in text and "deze teams ontbreken" not in text


def test_lint_checks_the_regional_file(tmp_path):
    (tmp_path / "regio-2023-03.yaml").write_text(region_text(status="kapot"), encoding="utf-8")
    result = run("lint", tmp_path)
    assert result.exit_code == 2 and "regio-2023-03.yaml" in result.output


@settings(max_examples=40, deadline=None)
@given(st.dictionaries(st.sampled_from(sorted(p for p in KADER.region_questions if p.endswith(".status"))),
                       st.sampled_from(["geen", "in_ontwikkeling", "vastgesteld", None])))
def test_a_requirement_waits_on_the_region_exactly_when_its_product_is_not_vastgesteld(statuses):
    from kadertoets.load.assessment import load_assessment
    from kadertoets.model import Fact

    team = load_assessment(ASSESSMENTS[0], KADER)
    region = RegionAssessment(file="r.yaml", kader_version="1.0", reference_date=team.reference_date, name="R",
                              filled_in_by={}, facts={p: Fact(v) for p, v in statuses.items()})
    for backend in ("python",):
        ev = evaluate(KADER, team, team.reference_date, get_backend(backend), region=region)
        for f in ev.findings:
            rule = KADER.rules[f.rule_id]
            if rule.region_product is None:
                assert f.waits_on is None
                continue
            field = rule.region_product.condition.field
            value = statuses.get(field)
            if value is None:
                assert f.status == Status.ONBEKEND and f.waits_on is None
            elif value != "vastgesteld":
                assert f.status == Status.VOLDOET_NIET and f.waits_on == "regio"
            else:
                assert f.waits_on is None


# ---- a Kader editor's mistakes with the regional product: refused at load time, with file and line ----
def kader_copy(tmp_path):
    root = tmp_path / "kopie"
    shutil.copytree(ROOT / "kader", root / "kader")
    shutil.copytree(ROOT / "rules", root / "rules")
    return root


@pytest.mark.parametrize("rule, old, new, expected", [
    ("KLT-EB-01.yaml", "\nnorm:\n", "\nregionaal_product:\n  naam: x\n  voorwaarde: {veld: regio.escalatiemodel.status, is: vastgesteld}\nnorm:\n",
     "regionaal_product hoort alleen bij een eis met verantwoordelijk: regio"),
    ("KLT-REG-01.yaml", "    veld: regio.escalatiemodel.status\n    is: vastgesteld\n",
     "    veld: escalatiemodel.status\n    is: vastgesteld\n", "een feit over het team"),
    ("KLT-REG-01.yaml", "    veld: regio.escalatiemodel.status\n    is: vastgesteld\n",
     "    veld: regio.escalatiemodel.stand\n    is: vastgesteld\n", "regio.escalatiemodel.stand"),
    ("KLT-REG-01.yaml", "  naam: \"escalatiemodel\"\n", "", "naam"),
    ("KLT-EB-01.yaml", "    veld: eigen_begeleiding.tenzij\n    is: \"ja\"\n",
     "    veld: regio.escalatiemodel.status\n    is: vastgesteld\n",
     "een feit over de regio, maar de regel heeft geen regionaal_product"),
])
def test_a_broken_regional_product_is_refused_with_file_and_line(tmp_path, rule, old, new, expected):
    root = kader_copy(tmp_path)
    path = root / "rules" / rule
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    result = run("lint", "--kader-map", root)
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert f"{rule}:" in result.output and expected in " ".join(result.output.split()), result.output


def test_a_team_question_under_regio_vragen_and_a_regional_one_under_vragen_are_refused(tmp_path):
    root = kader_copy(tmp_path)
    path = root / "kader" / "vragen-1.0.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("  regio.escalatiemodel.vastgesteld_door:", "  escalatiemodel.door:", 1),
                    encoding="utf-8")
    result = run("lint", "--kader-map", root)
    assert result.exit_code == 2 and "vragen-1.0.yaml:" in result.output and "hoort niet onder regio_vragen" in result.output
