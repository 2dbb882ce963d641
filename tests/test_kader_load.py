"""Loading a Kader fails closed: every broken rule, manifest or question is a located load error."""

from __future__ import annotations

import shutil

import pytest

from conftest import MINI
from kadertoets.infra.errors import KaderFout
from kadertoets.load.kader import load_kader


@pytest.fixture
def kdir(tmp_path):
    target = tmp_path / "k"
    shutil.copytree(MINI, target)
    return target


def edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def problems(kdir):
    with pytest.raises(KaderFout) as exc:
        load_kader(kdir, "1.0")
    return exc.value.problems


def test_mini_loads_in_dependency_layers(mini_kader):
    assert mini_kader.layers == (("T-A-01",), ("T-B-01",))
    assert set(mini_kader.questions) == {"a.aantal", "a.keuze", "b.datum"}


def test_cycle_is_a_load_error(kdir):
    edit(kdir / "rules" / "T-A-01.yaml", "voldoet: {veld: a.aantal, min: 2}",
         "voldoet: {regel: T-B-01, status: [voldoet]}")
    (p,) = problems(kdir)
    assert "kring" in p.message and "T-A-01" in p.message and "T-B-01" in p.message
    assert p.file.endswith("T-A-01.yaml") and p.line == 12


def test_self_reference_is_a_load_error(kdir):
    edit(kdir / "rules" / "T-A-01.yaml", "voldoet: {veld: a.aantal, min: 2}",
         "voldoet: {regel: T-A-01, status: [voldoet]}")
    assert "zichzelf" in problems(kdir)[0].message


def test_undeclared_field_is_a_load_error_with_line(kdir):
    edit(kdir / "rules" / "T-A-01.yaml", "voldoet: {veld: a.aantal, min: 2}", "voldoet: {veld: a.aantallen, min: 2}")
    (p,) = problems(kdir)
    assert p.file.endswith("T-A-01.yaml") and p.line == 13
    assert "onbekend veld 'a.aantallen'" in p.message and "Bedoelde u 'a.aantal'" in p.hint


def test_all_broken_rules_are_reported_at_once(kdir):
    edit(kdir / "rules" / "T-A-01.yaml", "thema: Test", "thema: Test\nonzin: 1")
    edit(kdir / "rules" / "T-B-01.yaml", "verantwoordelijk: regio", "verantwoordelijk: provincie")
    found = problems(kdir)
    assert {p.file.rsplit("/", 1)[-1] for p in found} == {"T-A-01.yaml", "T-B-01.yaml"}


def test_missing_rule_file(kdir):
    (kdir / "rules" / "T-B-01.yaml").unlink()
    assert "bestaat niet" in problems(kdir)[0].message


def test_id_must_match_file_name(kdir):
    edit(kdir / "rules" / "T-A-01.yaml", "id: T-A-01", "id: T-A-02")
    assert "bestandsnaam" in problems(kdir)[0].message


def test_derived_norm_needs_explanation(kdir):
    edit(kdir / "rules" / "T-A-01.yaml", 'norm_toelichting: "Test."\n', "")
    assert "norm_toelichting" in problems(kdir)[0].render()


def test_unknown_role_and_deadline(kdir):
    edit(kdir / "rules" / "T-A-01.yaml", "eigenaar: implementatieverantwoordelijke", "eigenaar: wethouder")
    assert "wethouder" in problems(kdir)[0].message


def test_example_with_invalid_fact_value(kdir):
    edit(kdir / "rules" / "T-A-01.yaml", "feiten: {a.aantal: 2}", "feiten: {a.aantal: twee}")
    assert "geheel getal" in problems(kdir)[0].message


def test_question_with_bad_type(kdir):
    edit(kdir / "kader" / "vragen-1.0.yaml", "type: datum", "type: tijdstip")
    p = problems(kdir)[0]
    assert p.file.endswith("vragen-1.0.yaml") and "tijdstip" in p.message


def test_unknown_version(tmp_path, kdir):
    with pytest.raises(KaderFout, match="onbekende Kaderversie '9.9'"):
        load_kader(kdir, "9.9")


def test_manifest_version_mismatch(kdir):
    edit(kdir / "kader" / "1.0.yaml", 'versie: "1.0"', 'versie: "1.1"')
    assert "bestandsnaam" in problems(kdir)[0].message
