"""What the seeds really say (issue 12, point 6): a source can be an illustration instead of the basis
of a requirement (`rol: illustratie`), a requirement that no seed states says so (`grondslag:
buiten_bronnen` with a `grondslag_toelichting`), and both are validated by the rule loader and shown
by `kader rules` and `kader explain` in plain Dutch (JSON keeps the codes); plus the facts of the
bundled assessments that a closer reading of S0 changed, each with its evidence."""

from __future__ import annotations

import json
import shutil

import pytest
from click.testing import CliRunner

from conftest import ASSESSMENTS, ROOT
from kadertoets import cli
from kadertoets.editors.lint import lint
from kadertoets.sweep.run import check_file

ILLUSTRATION = "ter illustratie, geen grondslag"


def run(*args):
    result = CliRunner().invoke(cli.main, [str(a) for a in args], catch_exceptions=False)
    assert "Traceback" not in result.output
    return result


@pytest.fixture
def kader_copy(tmp_path):
    folder = tmp_path / "k"
    shutil.copytree(ROOT / "kader", folder / "kader")
    shutil.copytree(ROOT / "rules", folder / "rules")
    return folder


def edit(folder, rule_id: str, old: str, new: str) -> None:
    path = folder / "rules" / f"{rule_id}.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def line_of(folder, rule_id: str, needle: str) -> int:
    lines = (folder / "rules" / f"{rule_id}.yaml").read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if needle in line)


# -- the loader: bad values are invalid input, with file, line and a Dutch fix ------------------------

S4_ROLE = "    rol: illustratie   # S4 is de voortgangsrapportage van een gemeente buiten de regio Amersfoort\n"


@pytest.mark.parametrize("rule_id, old, new, needle, message", [
    ("KLT-FOR-02", S4_ROLE, "    rol: voorbeeld\n", "rol: voorbeeld", "ongeldige waarde tekst 'voorbeeld'"),
    ("KLT-VEI-03", "grondslag: buiten_bronnen\n", "grondslag: wet\n", "grondslag: wet", "ongeldige waarde tekst 'wet'"),
    ("KLT-VEI-03", None, None, "grondslag: buiten_bronnen",
     "een eis met 'grondslag: buiten_bronnen' heeft een 'grondslag_toelichting' nodig"),
    ("KLT-FOR-02", "norm_herkomst: afgeleid\n", "grondslag_toelichting: \"Uit de wet.\"\nnorm_herkomst: afgeleid\n",
     "grondslag_toelichting:", "'grondslag_toelichting' hoort alleen bij 'grondslag: buiten_bronnen'"),
    ("KLT-VEI-03", "    rol: illustratie\n", "", "  - bron: S1",
     "de eis heeft 'grondslag: buiten_bronnen', maar bron S1 staat er als grondslag"),
])
def test_a_bad_source_role_or_basis_is_refused_with_file_and_line(kader_copy, rule_id, old, new, needle, message):
    if old is None:  # drop the explanation with its text
        text = (kader_copy / "rules" / f"{rule_id}.yaml").read_text(encoding="utf-8")
        start = text.index("grondslag_toelichting:")
        end = text.index("norm_herkomst:", start)
        (kader_copy / "rules" / f"{rule_id}.yaml").write_text(text[:start] + text[end:], encoding="utf-8")
    else:
        edit(kader_copy, rule_id, old, new)
    for command in (["rules"], ["explain", rule_id], ["check", ROOT / "assessments" / "baarn-2023-03.yaml"]):
        result = run(*command, "--kader-map", kader_copy)
        assert result.exit_code == 2, result.output
        flat = " ".join(result.output.split())
        assert f"{rule_id}.yaml:{line_of(kader_copy, rule_id, needle)}:" in result.output, result.output
        assert message in flat and "Oplossing:" in result.output


def test_a_bad_role_names_the_allowed_values(kader_copy):
    edit(kader_copy, "KLT-FOR-02", S4_ROLE, "    rol: voorbeeld\n")
    flat = " ".join(run("rules", "--kader-map", kader_copy).output.split())
    assert "grondslag" in flat and "illustratie" in flat


# -- rules and explain show the illustration and the missing basis ------------------------------------

def test_rules_lists_the_requirements_without_a_basis_and_those_with_an_illustration():
    out = " ".join(run("rules").output.split())
    assert "2 eisen zonder grondslag in de bronnen S0..S4: KLT-FOR-03, KLT-VEI-03" in out
    assert f"4 eisen noemen een bron {ILLUSTRATION}: KLT-FOR-02, KLT-FOR-03, KLT-IMP-02, KLT-VEI-03" in out
    cells = [line.split("│") for line in run("rules").output.splitlines()]
    titles = " ".join(c[3].strip() for c in cells if len(c) == 7)  # the Titel column, row after row
    assert "Werken met de meldcode huiselijk geweld en kindermishandeling (geen grondslag in de bronnen)" in titles
    assert titles.count("(geen grondslag in de bronnen)") == 2
    assert "buiten_bronnen" not in out and "illustratie:" not in out  # no codes for people


def test_rules_json_keeps_the_codes():
    data = {r["id"]: r for r in json.loads(run("rules", "--formaat", "json").output)}
    assert data["KLT-VEI-03"]["grondslag"] == "buiten_bronnen" and "meldcode" in data["KLT-VEI-03"]["grondslag_toelichting"]
    assert data["KLT-FOR-02"]["grondslag"] == "bronnen" and data["KLT-FOR-02"]["grondslag_toelichting"] is None
    assert [s.split(" ")[0] for s in data["KLT-FOR-02"]["bron_ter_illustratie"]] == ["S4"]
    assert data["KLT-EB-01"]["bron_ter_illustratie"] == []


def test_explain_marks_s4_as_an_illustration_and_keeps_the_basis():
    out = run("explain", "KLT-FOR-02").output
    s4 = next(line for line in out.splitlines() if line.startswith("  - S4 "))
    assert s4.endswith(f"({ILLUSTRATION})")
    assert all(ILLUSTRATION not in line for line in out.splitlines() if line.startswith("  - S0 "))
    assert "Grondslag:" not in out  # S0 grounds it


@pytest.mark.parametrize("rule_id, words", [
    ("KLT-VEI-03", "Geen van de bronnen S0..S4 noemt de meldcode."),
    ("KLT-FOR-03", "Geen van de bronnen S0..S4 stelt SKJ- of BIG-registratie als eis."),
])
def test_explain_says_a_requirement_has_no_basis_in_the_seeds(rule_id, words):
    out = run("explain", rule_id).output
    assert "Grondslag: GEEN IN DE BRONNEN (geen van S0..S4 stelt deze eis)" in out
    assert words in " ".join(out.split())
    data = json.loads(run("explain", rule_id, "--formaat", "json").output)
    assert data["grondslag"] == "buiten_bronnen" and words in data["grondslag_toelichting"]
    assert {s["rol"] for s in data["bron"] if s["bron"]} == {"illustratie"}


def test_a_rule_whose_only_seed_is_an_illustration_is_shown_without_basis_and_lint_warns(kader_copy):
    """Not said in the rule, but derived: every seed it cites is an illustration."""
    text = (kader_copy / "rules" / "KLT-INC-01.yaml").read_text(encoding="utf-8")
    (kader_copy / "rules" / "KLT-INC-01.yaml").write_text(
        text.replace("    citaat:", "    rol: illustratie\n    citaat:"), encoding="utf-8")
    out = run("explain", "KLT-INC-01", "--kader-map", kader_copy).output
    assert "Grondslag: GEEN IN DE BRONNEN" in out
    assert "Elke bron uit S0..S4 die de eis noemt, staat er ter illustratie, niet als grondslag." in out
    assert "KLT-INC-01" in " ".join(run("rules", "--kader-map", kader_copy).output.split()).split("zonder grondslag")[1]
    report = lint(kader_copy)
    codes = {(f.code, f.file.rsplit("/", 1)[-1]) for f in report.findings}
    assert ("KT508", "KLT-INC-01.yaml") in codes
    # a quote that only illustrates does not state a norm either
    assert ("KT502", "KLT-INC-01.yaml") in codes
    assert report.errors == 0


def test_the_bundled_kader_has_no_unstated_missing_basis():
    assert not [f for f in lint(ROOT).findings if f.code in ("KT508", "KT502")]


def test_diff_shows_a_source_that_became_an_illustration(kader_copy):
    edit(kader_copy, "KLT-FOR-02", S4_ROLE, "")
    out = " ".join(run("diff", f"{kader_copy}@1.0", "1.0").output.split())
    assert "KLT-FOR-02" in out and ILLUSTRATION in out


# -- derived norms -------------------------------------------------------------------------------------

@pytest.mark.parametrize("rule_id, words", [
    ("KLT-EB-02", "geen bron noemt onderscheid tussen jeugd en Wmo als voorwaarde"),
    ("KLT-FOR-03", "dat een registratieplan voor de rest 'deels' is, noemt ook die niet en is afgeleid"),
])
def test_norms_no_seed_states_are_derived(rule_id, words):
    data = json.loads(run("explain", rule_id, "--formaat", "json").output)
    assert data["norm_herkomst"] == "afgeleid" and words in data["norm_toelichting"]


# -- KLT-IMP-02: informing the regional transformation manager is tested ------------------------------

def _team(tmp_path, *facts: str):
    path = tmp_path / "team.yaml"
    text = (ROOT / "assessments" / "bunschoten-2023-03.yaml").read_text(encoding="utf-8")
    path.write_text(text + "".join(f"  {fact}\n" for fact in facts), encoding="utf-8")
    return path


@pytest.mark.parametrize("facts, status", [
    (("implementatieplan.status: vastgesteld", "implementatieplan.transformatiemanager_geinformeerd: ja"), "voldoet"),
    (("implementatieplan.status: vastgesteld", "implementatieplan.transformatiemanager_geinformeerd: nee"), "deels"),
    (("implementatieplan.status: vastgesteld",), "onbekend"),
    (("implementatieplan.status: concept", "implementatieplan.transformatiemanager_geinformeerd: ja"), "deels"),
    (("implementatieplan.status: niet_nodig",), "voldoet"),
])
def test_imp02_asks_for_the_plan_and_for_informing_the_transformation_manager(tmp_path, facts, status):
    finding = {f.rule_id: f for f in check_file(_team(tmp_path, *facts), ROOT).findings}["KLT-IMP-02"]
    assert finding.status.value == status
    if status == "onbekend":
        assert "het informeren van de regionale transformatiemanager over de voortgang" in finding.reason


def test_imp02_plan_proposes_only_informing_when_the_plan_is_adopted(tmp_path):
    team = _team(tmp_path, "implementatieplan.status: vastgesteld",
                 "implementatieplan.transformatiemanager_geinformeerd: nee")
    actions = [a for a in json.loads(run("plan", team, "--formaat", "json").output)["acties"] if a["eis"] == "KLT-IMP-02"]
    assert [a["omschrijving"] for a in actions] == ["De regionale transformatiemanager over de voortgang van het plan informeren."]


def test_the_bundled_assessments_leave_imp02_unknown():
    """No seed says whether a municipality informs the transformation manager: onbekend, never a guess."""
    for path in ASSESSMENTS:
        finding = {f.rule_id: f for f in check_file(path, ROOT).findings}["KLT-IMP-02"]
        assert finding.status.value == "onbekend", path.name


# -- the facts of March 2023 that a closer reading changed, each with its evidence --------------------

def facts_of(name: str) -> dict:
    return check_file(ROOT / "assessments" / f"{name}-2023-03.yaml", ROOT).assessment.facts


def test_baarn_counts_its_behavioural_scientist_and_says_why():
    fact = facts_of("baarn")["formatie.gedragswetenschapper_fte"]
    assert fact.value == 0.78 and fact.evidence.startswith("S0 Bijlage")
    note = " ".join(fact.note.split())
    assert "= 13,45 fte" in note and "voetnoot" in note
    assert {f.rule_id: f.status.value for f in check_file(ROOT / "assessments" / "baarn-2023-03.yaml", ROOT).findings}[
        "KLT-FOR-02"] == "voldoet"


def test_soest_counts_one_boundary_for_quality_staff_and_safety_officers():
    facts = facts_of("soest")
    officers, quality = facts["veiligheid.aandachtsfunctionarissen"], facts["formatie.kwaliteitsmedewerker_fte"]
    assert officers.value == 2 and quality.value == 5.99
    assert officers.evidence and quality.evidence
    assert "formatie.kwaliteitsmedewerker_fte" in officers.note and "Dezelfde grens" in " ".join(quality.note.split())


@pytest.mark.parametrize("name, path, quote", [
    ("soest", "eigen_begeleiding.registratie_methode", "Bij Jeugd is dit niet in te schatten want dit is nog niet bijgehouden."),
    ("soest", "eigen_begeleiding.registratie_onderscheid_jeugd_wmo", "nog niet bijgehouden"),
    ("woudenberg", "eigen_begeleiding.registratie_methode", "Wat ze zelf oppakken is nu nog niet goed inzichtelijk."),
    ("woudenberg", "eigen_begeleiding.registratie_onderscheid_jeugd_wmo", "nu nog niet goed inzichtelijk"),
    ("woudenberg", "eigen_begeleiding.pct_zelf_opgepakt_wmo", "Wat ze zelf oppakken is nu nog niet goed inzichtelijk."),
])
def test_what_the_seed_says_about_registering_eigen_begeleiding_is_recorded(name, path, quote):
    fact = facts_of(name)[path]
    assert fact.value is None  # the seed does not give the answer: onbekend, with the reason
    assert quote in fact.evidence and quote.rstrip(".") in " ".join(fact.note.split())
    finding = {f.rule_id: f for f in check_file(ROOT / "assessments" / f"{name}-2023-03.yaml", ROOT).findings}["KLT-EB-02"]
    assert finding.status.value == "onbekend" and quote.split(".")[0][:30] in " ".join(finding.reason.split())


def test_leusden_keeps_the_implausible_2021_cost_and_says_so():
    fact = facts_of("leusden")["minder_beschikken.realisatie_2021_2022"]
    note = " ".join(fact.note.split())
    assert fact.value == "volledig" and "€ 21.610 (pxq)" in note and "niet aannemelijk" in note
