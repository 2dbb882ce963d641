"""Afwijkingen (issue 12, point 2): approved exceptions in an assessment.

An afwijking never changes a finding's status; while it holds on the as-of date, the gap it covers does
not count towards exit code 1 and is counted apart; expired, the gap counts again and the plan says
"afwijking verlopen". Every bad afwijking is invalid input: exit 2, a Dutch message with file and line."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings, strategies as st

from annotated_kader import afwijking, make_kader, team
from conftest import MINI, ROOT
from strategies import assessments
from kadertoets.cli import main
from kadertoets.evaluate.backends.python import PythonBackend
from kadertoets.evaluate.evaluation import evaluate
from kadertoets.evaluate.plan import build_plan
from kadertoets.load.kader import load_kader
from kadertoets.model import ApprovedException, Approver, Status


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture(scope="module")
def kader_dir(tmp_path_factory):
    return make_kader(tmp_path_factory.mktemp("kader-afwijkingen"))


def write_team(tmp_path, text: str, name: str = "team.yaml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def line_of(text: str, needle: str, nth: int = 1) -> int:
    """The 1-based line of the nth line that contains `needle`."""
    found = [i for i, line in enumerate(text.splitlines(), start=1) if needle in line]
    return found[nth - 1]


def check(kader_dir, path, *extra):
    return run("check", path, "--kader-map", kader_dir, *extra)


# ------------------------------------------------------------------ bad input: exit 2, file and line ----
BAD = {
    "zonder reden": (dict(drop=("reden",)), "- eis", "verplicht veld 'reden' ontbreekt"),
    "lege reden": (dict(reden=" "), "reden:", "mag niet leeg zijn"),
    "zonder goedkeurder": (dict(drop=("goedgekeurd_door",)), "- eis", "verplicht veld 'goedgekeurd_door' ontbreekt"),
    "zonder einddatum": (dict(drop=("geldig_tot",)), "- eis", "verplicht veld 'geldig_tot' ontbreekt"),
    "zonder datum": (dict(drop=("datum",)), "- eis", "verplicht veld 'datum' ontbreekt"),
    "te lang geldig": (dict(datum="2023-01-01", geldig_tot="2024-01-02"), "geldig_tot:",
                       "langer dan de 12 maanden die Kader 1.0 toestaat"),
    "onbekende eis": (dict(eis="T-B-1"), "- eis", "onbekende eis 'T-B-1' in Kader 1.0"),
    "verkeerde rol": (dict(rol="wethouder"), "goedgekeurd_door:", "onbekende rol 'wethouder'"),
    "datum na geldig_tot": (dict(datum="2023-02-01", geldig_tot="2023-01-31"), "geldig_tot:",
                            "ligt vóór de datum van de afwijking (1 februari 2023)"),
    "datum bestaat niet": (dict(geldig_tot="31-02-2023"), "geldig_tot:", "is geen bestaande datum"),
    "datum is geen datum": (dict(datum="gisteren"), "    datum:", "verwacht een datum"),
    "datum na de peildatum": (dict(datum="2023-03-02"), "    datum:", "na de peildatum (1 maart 2023)"),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_a_bad_afwijking_is_invalid_input_with_file_line_and_dutch_message(kader_dir, tmp_path, name):
    kwargs, where, message = BAD[name]
    text = team("afwijkingen:\n" + afwijking(**kwargs))
    result = check(kader_dir, write_team(tmp_path, text))
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert f"team.yaml:{line_of(text, where)}:" in result.stderr, result.stderr
    assert message in result.stderr


def test_a_typo_in_the_eis_gets_a_suggestion_and_a_wrong_role_the_roles(kader_dir, tmp_path):
    text = team("afwijkingen:\n" + afwijking(eis="T-B-1", rol="wethouder"))
    err = check(kader_dir, write_team(tmp_path, text)).stderr
    assert "Bedoelde u 'T-B-01'?" in err
    assert "Toegestaan: implementatieverantwoordelijke" in err


def test_every_problem_of_every_afwijking_is_reported_at_once(kader_dir, tmp_path):
    text = team("afwijkingen:\n" + afwijking(drop=("reden",)) + afwijking(eis="T-A-01", rol="wethouder",
                                                                          datum="2023-05-01", geldig_tot="2025-01-01"))
    result = check(kader_dir, write_team(tmp_path, text))
    assert result.exit_code == 2
    err = result.stderr
    for message in ("verplicht veld 'reden' ontbreekt", "onbekende rol 'wethouder'", "na de peildatum",
                    "langer dan de 12 maanden"):
        assert message in err
    assert f"team.yaml:{line_of(text, 'geldig_tot: 2025-01-01')}:" in err


def test_two_afwijkingen_for_one_eis_are_invalid(kader_dir, tmp_path):
    text = team("afwijkingen:\n" + afwijking() + afwijking(reden="Nog een keer."))
    result = check(kader_dir, write_team(tmp_path, text))
    assert result.exit_code == 2 and "eis T-B-01 heeft al een afwijking" in result.stderr
    assert f"team.yaml:{line_of(text, '- eis', 2)}:" in result.stderr


def test_an_unknown_key_in_an_afwijking_is_invalid(kader_dir, tmp_path):
    text = team("afwijkingen:\n" + afwijking() + "    besluit: B&W 12\n")
    result = check(kader_dir, write_team(tmp_path, text))
    assert result.exit_code == 2 and "onbekend veld 'besluit' in een afwijking" in result.stderr


def test_a_kader_without_a_maximum_validity_accepts_no_afwijkingen(tmp_path):
    text = team("afwijkingen:\n" + afwijking())
    result = run("check", write_team(tmp_path, text), "--kader-map", MINI)
    assert result.exit_code == 2 and "Kader 1.0 staat geen afwijkingen toe" in result.stderr
    assert f"team.yaml:{line_of(text, 'afwijkingen:')}:" in result.stderr


def test_the_longest_validity_counts_months_as_binnen_maanden_does(kader_dir, tmp_path):
    """Exactly 12 months after the datum is allowed, a day more is not; from 31 March the last day is
    31 March a year later, from the last of February to the last of February."""
    for datum, last in (("2022-03-31", "2023-03-31"), ("2022-02-28", "2023-02-28"), ("2023-01-01", "2024-01-01")):
        day_after = (dt.date.fromisoformat(last) + dt.timedelta(days=1)).isoformat()
        ok = team("afwijkingen:\n" + afwijking(datum=datum, geldig_tot=last))
        assert check(kader_dir, write_team(tmp_path, ok)).exit_code != 2
        bad = team("afwijkingen:\n" + afwijking(datum=datum, geldig_tot=day_after))
        result = check(kader_dir, write_team(tmp_path, bad))
        assert result.exit_code == 2 and "langer dan de 12 maanden" in result.stderr


def test_lint_reports_a_bad_afwijking_with_its_code(kader_dir, tmp_path):
    text = team("afwijkingen:\n" + afwijking(rol="wethouder"))
    result = run("lint", write_team(tmp_path, text), "--kader-map", kader_dir)
    assert result.exit_code == 2
    assert f"team.yaml:{line_of(text, 'goedgekeurd_door:')}:" in result.output and "KT104" in result.output


# ------------------------------------------------------------------ a valid afwijking -------------------
def test_without_an_afwijking_the_gap_gives_exit_1(kader_dir, tmp_path):
    assert check(kader_dir, write_team(tmp_path, team())).exit_code == 1


def test_a_valid_afwijking_on_the_only_gap_gives_exit_0_and_is_counted_apart(kader_dir, tmp_path):
    path = write_team(tmp_path, team("afwijkingen:\n" + afwijking()))
    result = check(kader_dir, path)
    assert result.exit_code == 0, result.output
    out = " ".join(result.output.split())
    assert "voldoet niet" in out  # the status stays
    assert "Goedgekeurde afwijking tot en met 31 december 2023" in out and "Boer" in out  # in the table
    assert "Tekorten met een geldige afwijking (tellen niet mee voor de exitcode): 1 (T-B-01)" in out
    assert "1 voldoet, 0 deels, 1 voldoet niet" in out  # the counts keep the status
    md = " ".join(check(kader_dir, path, "--formaat", "markdown").output.split())
    assert ("Goedgekeurde afwijking tot en met 31 december 2023: Wacht op de regio. Goedgekeurd op 1 januari 2023 "
            "door A. de Boer, Implementatieverantwoordelijke. Telt niet mee als tekort zolang de afwijking geldt.") in md
    assert "tellen niet mee voor de exitcode" in md


def test_the_json_keeps_the_status_and_gives_the_afwijking_as_codes(kader_dir, tmp_path):
    result = check(kader_dir, write_team(tmp_path, team("afwijkingen:\n" + afwijking())), "--formaat", "json")
    assert result.exit_code == 0
    data = json.loads(result.output)
    found = {f["eis"]: f for f in data["bevindingen"]}
    assert found["T-B-01"]["status"] == "voldoet_niet"
    assert found["T-B-01"]["afwijking"] == {
        "eis": "T-B-01", "reden": "Wacht op de regio.",
        "goedgekeurd_door": {"rol": "implementatieverantwoordelijke", "naam": "A. de Boer"},
        "datum": "2023-01-01", "geldig_tot": "2023-12-31", "geldig": True}
    assert found["T-A-01"]["afwijking"] is None
    assert data["samenvatting"]["voldoet_niet"] == 1
    assert data["tekorten_met_afwijking"] == {"geldig": 1, "verlopen": 0}


def test_a_valid_afwijking_is_not_proposed_as_an_action_but_listed(kader_dir, tmp_path):
    path = write_team(tmp_path, team("afwijkingen:\n" + afwijking()))
    result = run("plan", path, "--kader-map", kader_dir)
    assert result.exit_code == 0
    out = result.output
    assert "Regio doet iets." not in out  # T-B-01's action: not proposed while the afwijking holds
    assert "## Afwijkingen" in out and "**T-B-01**" in out
    data = json.loads(run("plan", path, "--kader-map", kader_dir, "--formaat", "json").output)
    assert not [i for i in data["acties"] + data["regionale_afhankelijkheden"] if i["eis"] == "T-B-01"]
    assert [a["eis"] for a in data["afwijkingen"]] == ["T-B-01"] and data["afwijkingen"][0]["geldig"] is True


def test_an_afwijking_does_not_excuse_onbekend(kader_dir, tmp_path):
    """Only a gap (deels, voldoet niet) can be excused: not knowing stays exit 1."""
    text = team("afwijkingen:\n" + afwijking()).replace("  b.datum: 2020-01-01\n", "").replace(
        "waarde: geen", "waarde: vastgesteld").replace("waarde: 2", "waarde:")
    result = check(kader_dir, write_team(tmp_path, text), "--formaat", "json")
    data = json.loads(result.output)
    assert {f["eis"]: f["status"] for f in data["bevindingen"]} == {"T-A-01": "onbekend", "T-B-01": "onbekend"}
    assert result.exit_code == 1 and data["tekorten_met_afwijking"] == {"geldig": 0, "verlopen": 0}


# ------------------------------------------------------------------ expired -----------------------------
def test_an_expired_afwijking_counts_again_and_the_plan_says_so(kader_dir, tmp_path):
    path = write_team(tmp_path, team("afwijkingen:\n" + afwijking(geldig_tot="2023-02-28")))
    result = check(kader_dir, path)
    assert result.exit_code == 1
    out = " ".join(result.output.split())
    assert "Afwijking verlopen op 28 februari 2023" in out and "Het tekort telt weer mee." in out
    assert "Tekorten waarvan de afwijking niet (meer) geldt (tellen weer mee): 1 (T-B-01)" in out
    plan = run("plan", path, "--kader-map", kader_dir)
    assert plan.exit_code == 1
    line = next(x for x in plan.output.splitlines() if "**T-B-01**" in x and "[ ]" in x)
    assert "Regio doet iets." in line and "afwijking verlopen op 28 februari 2023" in line
    data = json.loads(run("plan", path, "--kader-map", kader_dir, "--formaat", "json").output)
    (item,) = [i for i in data["acties"] + data["regionale_afhankelijkheden"] if i["eis"] == "T-B-01"]
    assert item["afwijking_verlopen"] is True and data["afwijkingen"][0]["geldig"] is False
    finding = next(f for f in json.loads(check(kader_dir, path, "--formaat", "json").output)["bevindingen"]
                   if f["eis"] == "T-B-01")
    assert finding["afwijking"]["geldig"] is False and finding["status"] == "voldoet_niet"


def test_the_last_day_still_holds_the_day_after_does_not(kader_dir, tmp_path):
    path = write_team(tmp_path, team("afwijkingen:\n" + afwijking()))  # geldig tot en met 31 december 2023
    assert check(kader_dir, path, "--toetsdatum", "31-12-2023").exit_code == 0
    after = check(kader_dir, path, "--toetsdatum", "01-01-2024")
    assert after.exit_code == 1 and "Afwijking verlopen op 31 december 2023" in " ".join(after.output.split())


def test_before_its_datum_an_afwijking_does_not_hold_yet(kader_dir, tmp_path):
    path = write_team(tmp_path, team("afwijkingen:\n" + afwijking(datum="2023-02-01")))
    result = check(kader_dir, path, "--toetsdatum", "15-01-2023")
    assert result.exit_code == 1 and "Afwijking geldt pas vanaf 1 februari 2023" in " ".join(result.output.split())


# ------------------------------------------------------------------ the sweep ----------------------------
def test_the_sweep_counts_afwijkingen_apart_per_team_and_in_total_and_the_cache_agrees(kader_dir, tmp_path,
                                                                                        cache_dir):
    folder = tmp_path / "regio"
    folder.mkdir()
    write_team(folder, team("afwijkingen:\n" + afwijking()), "a.yaml")
    write_team(folder, team("afwijkingen:\n" + afwijking(geldig_tot="2023-02-28")).replace("id: proef", "id: ander")
               .replace("naam: Proefteam", "naam: Ander team"), "b.yaml")
    args = ("sweep", folder, "--kader-map", kader_dir)
    cold = run(*args, "--formaat", "json")
    assert cold.exit_code == 1  # team b's afwijking expired
    data = json.loads(cold.output)
    assert data["tekorten_met_afwijking"] == {"geldig": 1, "verlopen": 1}
    teams = {t["team"]["id"]: t for t in data["teams"]}
    assert teams["proef"]["tekorten_met_afwijking"] == {"geldig": 1, "verlopen": 0}
    assert teams["ander"]["tekorten_met_afwijking"] == {"geldig": 0, "verlopen": 1}
    assert teams["proef"]["bevindingen"][1]["afwijking"]["geldig"] is True
    warm = run(*args, "--formaat", "json")
    assert warm.output == cold.output and warm.exit_code == 1
    assert run(*args, "--formaat", "json", "--geen-cache").output == cold.output
    text = " ".join(run(*args).output.split())
    assert "Afwijking" in text and "Regio: 1 tekort met een geldige afwijking" in text
    csv = run(*args, "--formaat", "csv").output.splitlines()
    assert csv[0].split(";")[11:15] == ["wacht_op", "afwijking", "afwijking_geldig_tot", "verouderd_bewijs"]
    assert any(";T-B-01;" in row and ";geldig;2023-12-31;" in row for row in csv)
    only_valid = tmp_path / "alleen-geldig"
    only_valid.mkdir()
    write_team(only_valid, team("afwijkingen:\n" + afwijking()), "a.yaml")
    assert run("sweep", only_valid, "--kader-map", kader_dir).exit_code == 0


# ------------------------------------------------------------------ manifest ----------------------------
@pytest.mark.parametrize("policy,message", [
    ("afwijkingen:\n  max_geldigheid_maanden: 0\n", "moet minstens 1 zijn"),
    ("afwijkingen:\n  max_geldigheid_maanden: twaalf\n", "verwacht een geheel getal"),
    ("afwijkingen:\n  max_geldigheid_maanden: 12\n  afgeleid: true\n", "is afgeleid, maar de toelichting ontbreekt"),
    ("afwijkingen:\n  maanden: 12\n", "verplicht veld 'max_geldigheid_maanden' ontbreekt"),
])
def test_a_bad_manifest_block_is_a_load_error_with_its_line(tmp_path, policy, message):
    folder = make_kader(tmp_path / "k", "\n" + policy)
    result = run("rules", "--kader-map", folder)
    assert result.exit_code == 2 and message in result.stderr
    assert "1.0.yaml:" in result.stderr


# ------------------------------------------------------------------ schema --------------------------------
def test_the_assessment_schema_allows_afwijkingen_as_the_loader_does(kader_dir):
    jsonschema = pytest.importorskip("jsonschema")
    from kadertoets.editors.jsonschema import assessment_schema

    schema = assessment_schema(load_kader(kader_dir, "1.0"))
    base = {"peildatum": "2023-03-01", "team": {"id": "x", "naam": "X", "gemeente": "G", "organisatie": "O",
                                                "taken": {"jeugd": True, "wmo": True}}, "feiten": None}
    good = {"eis": "T-B-01", "reden": "r", "goedgekeurd_door": {"rol": "implementatieverantwoordelijke", "naam": "n"},
            "datum": "2023-01-01", "geldig_tot": "31-12-2023"}
    jsonschema.validate(base | {"afwijkingen": [good]}, schema)
    for bad in ({**good, "eis": "T-X-01"}, {**good, "goedgekeurd_door": {"rol": "wethouder", "naam": "n"}},
                {k: v for k, v in good.items() if k != "reden"}, {**good, "besluit": "x"}):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(base | {"afwijkingen": [bad]}, schema)
    none_allowed = assessment_schema(load_kader(MINI, "1.0"))
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(base | {"afwijkingen": [good]}, none_allowed)


# ------------------------------------------------------------------ migrate and nieuw --van -------------
def test_nieuw_van_carries_the_afwijkingen_over(kader_dir, tmp_path):
    old = write_team(tmp_path, team("afwijkingen:\n" + afwijking()))
    new = tmp_path / "volgend.yaml"
    assert run("nieuw", "-o", new, "--van", old, "--peildatum", "01-06-2023", "--kader-map", kader_dir).exit_code == 0
    data = json.loads(check(kader_dir, new, "--formaat", "json").output)
    assert next(f for f in data["bevindingen"] if f["eis"] == "T-B-01")["afwijking"]["geldig_tot"] == "2023-12-31"


def test_migrate_leaves_out_an_afwijking_the_new_version_cannot_hold():
    from kadertoets.editors.migrate import migrate

    kader = load_kader(ROOT, "1.0")
    a = replace(_bare(kader), exceptions=(ApprovedException("KLT-VEI-02", "r", Approver("teamleider", "n"),
                                                            dt.date(2023, 1, 1), dt.date(2023, 12, 31)),))
    same = migrate(a, kader, kader)
    assert same.assessment.exceptions == a.exceptions and not same.needs_attention
    strict = replace(kader, exception_max_months=6)
    m = migrate(a, kader, strict)
    assert m.assessment.exceptions == () and m.needs_attention
    assert "langer dan de 6 maanden" in m.exceptions_dropped[0][1]
    none = migrate(a, kader, replace(kader, exception_max_months=None))
    assert "staat geen afwijkingen toe" in none.exceptions_dropped[0][1]


def _bare(kader):
    from kadertoets.model import Assessment, Team

    return Assessment("<test>", kader.version, dt.date(2023, 3, 1), Team("t", "T", "G", "O", {"jeugd": True, "wmo": True}),
                      {}, {}, ())


# ------------------------------------------------------------------ properties --------------------------
_KADER = load_kader(ROOT, "1.0")
_DAY = st.dates(min_value=dt.date(2021, 1, 1), max_value=dt.date(2026, 12, 31))


@st.composite
def _exceptions(draw):
    rules = draw(st.lists(st.sampled_from(sorted(_KADER.rules)), unique=True, max_size=6))
    out = []
    for rid in rules:
        start = draw(_DAY)
        until = start + dt.timedelta(days=draw(st.integers(0, 365)))
        out.append(ApprovedException(rid, "reden", Approver("teamleider", "Naam"), start, until))
    return tuple(out)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(assessment=assessments(_KADER), exceptions=_exceptions(), as_of=_DAY)
def test_an_afwijking_never_changes_a_status_and_excuses_only_valid_gaps(assessment, exceptions, as_of):
    backend = PythonBackend()
    plain = evaluate(_KADER, assessment, as_of, backend)
    excused = evaluate(_KADER, replace(assessment, exceptions=exceptions), as_of, backend)
    assert [(f.rule_id, f.status, f.reason, f.missing, f.checks) for f in excused.findings] == \
        [(f.rule_id, f.status, f.reason, f.missing, f.checks) for f in plain.findings]
    by_rule = {e.requirement: e for e in exceptions}
    for f in excused.findings:
        e = by_rule.get(f.rule_id)
        assert (f.exception is None) == (e is None)
        if e is not None:
            assert f.exception.valid == (e.date <= as_of <= e.valid_until)
        assert f.excused == (f.status.is_gap and e is not None and e.date <= as_of <= e.valid_until)
    others = [f for f in excused.findings if not f.excused]
    assert excused.exit_code == (0 if all(f.status in (Status.VOLDOET, Status.NVT) for f in others) else 1)
    assert plain.exit_code >= excused.exit_code  # an afwijking can only lower the exit code
    proposed = {i.requirement for i in build_plan(excused).items + build_plan(excused).regional}
    assert not proposed & {f.rule_id for f in excused.findings if f.excused}


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(assessment=assessments(_KADER), exceptions=_exceptions(), as_of=_DAY)
def test_the_cache_record_gives_back_the_afwijkingen(assessment, exceptions, as_of):
    from kadertoets.sweep.resultcache import decode, encode, kader_lookup
    from kadertoets.load.kader import available_versions

    ok = tuple(e for e in exceptions if e.date <= assessment.reference_date)
    assessment = replace(assessment, exceptions=ok)
    ev = evaluate(_KADER, assessment, as_of, PythonBackend())
    back = decode(encode(ev), assessment.file, kader_lookup(ROOT, None, available_versions(ROOT), {"1.0": _KADER}),
                  {}, as_of, "python")
    assert back == replace(ev, assessment=replace(assessment, facts={}))


def test_a_tampered_validity_in_a_cache_record_is_refused():
    from kadertoets.sweep.resultcache import CorruptRecord, decode, encode, kader_lookup
    from kadertoets.load.kader import available_versions

    a = replace(_bare(_KADER), exceptions=(ApprovedException("KLT-VEI-02", "r", Approver("teamleider", "n"),
                                                             dt.date(2023, 1, 1), dt.date(2023, 12, 31)),))
    ev = evaluate(_KADER, a, a.reference_date, PythonBackend())
    data = encode(ev)
    lookup = kader_lookup(ROOT, None, available_versions(ROOT), {"1.0": _KADER})
    assert decode(data, a.file, lookup, {}, None, "python").findings == ev.findings
    from kadertoets.infra.store import pack, unpack

    first, lines = unpack(data, 1 << 20)
    tampered = [line.replace(b",true,[", b",false,[") for line in lines]
    assert tampered != lines
    with pytest.raises(CorruptRecord):
        decode(pack(first, tampered), a.file, lookup, {}, None, "python")


def test_both_backends_give_the_same_afwijkingen_and_stale_evidence():
    """The annotation comes after the truth of the conditions: python and durable agree on it too."""
    from kadertoets.evaluate.backends.durable import DurableBackend, durable_unavailable_reason

    if durable_unavailable_reason():
        pytest.skip(f"durable-rules niet beschikbaar: {durable_unavailable_reason()}")
    from kadertoets.model import Fact

    a = replace(_bare(_KADER), facts={"veiligheid.aandachtsfunctionarissen": Fact(0, evidence_date=dt.date(2021, 1, 1))},
                exceptions=(ApprovedException("KLT-VEI-02", "r", Approver("teamleider", "n"), dt.date(2023, 1, 1),
                                              dt.date(2023, 12, 31)),))
    python = evaluate(_KADER, a, a.reference_date, PythonBackend())
    durable = evaluate(_KADER, a, a.reference_date, DurableBackend.shared())
    assert python.findings == durable.findings
    vei = next(f for f in python.findings if f.rule_id == "KLT-VEI-02")
    assert vei.stale_evidence == ("veiligheid.aandachtsfunctionarissen",) and vei.exception.valid is True
