"""The command line through click's runner: wiring, exit codes, Dutch errors, no tracebacks,
and output files that are never half-written or silently overwritten."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from kadertoets import cli
from conftest import FIXTURES, MINI, write

TEAM = str(FIXTURES / "mini-team.yaml")
K = ["--kader-dir", str(MINI)]


@pytest.fixture
def run():
    runner = CliRunner()

    def invoke(*args, env=None):
        result = runner.invoke(cli.main, [str(a) for a in args], env=env, catch_exceptions=False)
        assert "Traceback" not in result.output
        return result

    return invoke


def test_check_exit_1_on_gaps_and_json_shape(run):
    result = run("check", TEAM, *K, "--format", "json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["team"]["id"] == "mini" and data["team"]["gemeente"] == "Testdorp"
    assert data["kader"]["versie"] == "1.0" and data["peildatum"] == "2023-03-01"
    assert {b["eis"] for b in data["bevindingen"]} == {"T-A-01", "T-B-01"}
    for b in data["bevindingen"]:
        assert {"eis", "status", "reden", "verantwoordelijk"} <= set(b)
    assert sum(data["samenvatting"].values()) == 2


def test_check_exit_0_when_everything_complies(run, tmp_path):
    text = (FIXTURES / "mini-team.yaml").read_text().replace("waarde: concept", "waarde: vastgesteld")
    result = run("check", write(tmp_path, "t.yaml", text), *K)
    assert result.exit_code == 0, result.output


def test_check_text_hides_compliant_unless_alles(run):
    plain = run("check", TEAM, *K).stdout
    assert "T-B-01" in plain and "T-A-01" not in plain and "--alles" in plain
    assert "T-A-01" in run("check", TEAM, *K, "--alles").stdout


def test_text_output_has_no_colour_codes_when_piped(run):
    assert "\x1b[" not in run("check", TEAM, *K, "--alles").stdout


def test_markdown(run):
    out = run("check", TEAM, *K, "--format", "markdown").stdout
    assert out.startswith("# Tekortenlijst Miniteam") and "| ◐ deels | T-B-01 |" in out


@pytest.mark.parametrize("args,needle", [
    (["check", "bestaat-niet.yaml"], "bestaat niet"),
    (["check", TEAM, "--format", "pdf"], "Ongeldige waarde voor '--format'"),
    (["check", TEAM, "--as-of", "1 maart 2023"], "dd-mm-jjjj"),
    (["check", TEAM, "--kader", "9.9"], "onbekende Kaderversie '9.9'"),
    (["check", TEAM, "--kader-dir", "geen-map"], "map bestaat niet"),
    (["check", TEAM, "--onzin"], "Onbekende optie"),
    (["explain", "T-A-1"], "Bedoelde u 'T-A-01'"),
    (["check"], "Ontbrekend argument"),
])
def test_invalid_input_exits_2_in_dutch(run, args, needle):
    extra = [] if "--kader-dir" in args else K
    result = run(*args, *extra)
    assert result.exit_code == 2, result.output
    assert needle in result.output


def test_broken_yaml_names_file_and_line(run, tmp_path):
    path = write(tmp_path, "kapot.yaml", "kader: \"1.0\"\npeildatum: 2023-03-01\nteam: [\n")
    result = run("check", path, *K)
    assert result.exit_code == 2 and "kapot.yaml:" in result.stderr


def test_plan_writes_file_and_refuses_to_overwrite(run, tmp_path):
    out = tmp_path / "plan.md"
    assert run("plan", TEAM, *K, "-o", out).exit_code in (0, 1)
    first = out.read_text(encoding="utf-8")
    assert first.startswith("# Transformatieplan Miniteam")
    out.write_text("eigen aantekeningen", encoding="utf-8")
    result = run("plan", TEAM, *K, "-o", out)
    assert result.exit_code == 2 and "--force" in result.stderr
    assert out.read_text(encoding="utf-8") == "eigen aantekeningen"
    assert run("plan", TEAM, *K, "-o", out, "--force").exit_code in (0, 1)
    assert out.read_text(encoding="utf-8") == first
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".kadertoets-")]


def test_plan_csv_file_has_bom_and_semicolons(run, tmp_path):
    out = tmp_path / "plan.csv"
    run("plan", TEAM, *K, "--format", "csv", "-o", out)
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"eis;titel;" in raw


def test_plan_formats(run):
    for fmt in ("markdown", "text", "json", "csv", "yaml"):
        result = run("plan", TEAM, *K, "--format", fmt)
        assert result.exit_code == 1 and "T-A-01" in result.stdout


def test_rules_and_explain(run):
    data = json.loads(run("rules", *K, "--format", "json").stdout)
    assert [r["id"] for r in data] == ["T-A-01", "T-B-01"]
    assert all({"id", "titel", "bron"} <= set(r) for r in data)
    out = run("explain", "T-A-01", *K).stdout
    assert "AFGELEID" in out and "Voldoet als: het aantal: minstens 2" in out


def test_durable_engine_unavailable_is_a_clear_error(run, monkeypatch):
    import kadertoets.evaluate.backends.durable as durable

    monkeypatch.setattr(durable, "durable_unavailable_reason", lambda: "niet geïnstalleerd")
    result = run("check", TEAM, *K, "--engine", "durable")
    assert result.exit_code == 2 and "--motor (of --engine) python" in result.output and "niet geïnstalleerd" in result.output


def test_help_is_dutch_and_documents_exit_codes(run):
    out = run("--help").stdout
    assert "Gebruik:" in out and "Exitcodes" in out and "Opdrachten" in out


def test_output_never_overwrites_the_input_even_with_force(run, tmp_path):
    source = tmp_path / "team.yaml"
    source.write_text((FIXTURES / "mini-team.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    before = source.read_bytes()
    result = run("plan", source, *K, "--format", "yaml", "-o", source, "--force")
    assert result.exit_code == 2 and "invoerbestand" in result.stderr
    assert source.read_bytes() == before


def test_output_file_gets_normal_permissions(run, tmp_path):
    import os
    import stat

    out = tmp_path / "plan.md"
    old = os.umask(0o022)
    try:
        run("plan", TEAM, *K, "-o", out)
    finally:
        os.umask(old)
    assert stat.S_IMODE(out.stat().st_mode) == 0o644
    out.chmod(0o640)
    run("plan", TEAM, *K, "-o", out, "--force")
    assert stat.S_IMODE(out.stat().st_mode) == 0o640


def test_output_into_missing_folder_is_a_clear_error(run, tmp_path):
    result = run("plan", TEAM, *K, "-o", tmp_path / "nope" / "plan.md")
    assert result.exit_code == 2 and "map" in result.stderr


def test_unknown_version_from_the_option_blames_the_option(run):
    result = run("check", TEAM, *K, "--kader", "2.0")
    assert result.exit_code == 2 and "veld '--kader'" in result.stderr and "mini-team.yaml" not in result.stderr


AS_OF_VALID = ["0001-01-01", "9999-12-31", "2024-02-29", "1900-01-01", "2023-03-01", "2000-12-31",
               # as a person writes it (issue 11: Dutch input conventions)
               "1-3-2023", "01-03-2023", "29-2-2024", " 2023-03-01", "2023-03-01 "]
AS_OF_INVALID = ["2023-W09-3", "20230301", "0000-01-01", "2023-02-29", "2023-13-01", "2023-00-10", "2023-04-31",
                 "10000-01-01", "-2023-01-01", "", "2023-03-01T00:00", "2023-3-1", "29-2-2023", "1-3-23",
                 "٢٠٢٣-٠٣-٠١", "２０２３-０３-０１", "\x1b]0;titel\x07\x1b[2J2023-03-01", "9" * 5000]


@pytest.mark.parametrize("team", [TEAM, "bundled"], ids=["mini", "bundled"])
@pytest.mark.parametrize("value, expected", [(v, 1) for v in AS_OF_VALID] + [(v, 2) for v in AS_OF_INVALID],
                         ids=lambda v: repr(v[:20]) if isinstance(v, str) else str(v))
def test_as_of_edge_values_never_crash(run, value, expected, team):
    """Every real date, however far out, is a check date (both teams have gaps: exit 1); anything else is
    refused as invalid input naming --as-of, with the value cut short and no raw control character."""
    from conftest import ASSESSMENTS

    args = ["check", TEAM, *K] if team == TEAM else ["check", str(ASSESSMENTS[0])]
    result = run(*args, "--as-of", value)
    assert result.exit_code == expected, result.output
    if expected == 1:
        assert result.stdout.startswith("Kadertoets: tekortenlijst") and "Interne fout" not in result.output
    else:
        assert result.stdout == "" and "'--as-of'" in result.stderr and "is geen datum" in result.stderr
        assert "\x1b" not in result.stderr and "\x07" not in result.stderr and len(result.stderr) < 400


# ---- kader test and kader schema ------------------------------------------------------------------
def test_kader_test_passes_on_the_bundled_kader_and_speaks_junit(tmp_path):
    import xml.etree.ElementTree as ET

    result = CliRunner().invoke(cli.main, ["test"])
    assert result.exit_code == 0, result.output
    assert "alle voorbeelden geslaagd" in result.output
    out = tmp_path / "kader.xml"
    result = CliRunner().invoke(cli.main, ["test", "KLT-VEI-02", "--format", "junit", "-o", str(out)])
    assert result.exit_code == 0, result.output
    cases = ET.parse(out).getroot().findall(".//testcase")
    assert cases and all("KLT-VEI-02" in c.get("classname") for c in cases)


def test_kader_test_unknown_rule_is_invalid_input():
    result = CliRunner().invoke(cli.main, ["test", "KLT-VEI-2"])
    assert result.exit_code == 2
    assert "Bedoelde u 'KLT-VEI-02'?" in result.output


def test_kader_schema_writes_every_schema_once(tmp_path):
    import json

    folder = tmp_path / "schemas"
    result = CliRunner().invoke(cli.main, ["schema", "-o", str(folder)])
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in folder.iterdir())
    assert names == ["assessment-1.0.schema.json", "manifest.schema.json", "regel-1.0.schema.json",
                     "regio-1.0.schema.json", "vragen.schema.json"]
    for p in folder.iterdir():
        assert json.loads(p.read_text(encoding="utf-8"))["$schema"].startswith("https://json-schema.org/")
    assert "# yaml-language-server: $schema=" in result.output
    before = (folder / "manifest.schema.json").read_bytes()
    again = CliRunner().invoke(cli.main, ["schema", "-o", str(folder)])
    assert again.exit_code == 2 and "--force" in again.output
    assert (folder / "manifest.schema.json").read_bytes() == before
    assert CliRunner().invoke(cli.main, ["schema", "-o", str(folder), "--force"]).exit_code == 0


def test_renderer_modules_register_only_the_commands_they_are_listed_for():
    """render.MODULES says which modules to import per command; a module registering a format for a
    command it is not listed under would make that format invisible."""
    import importlib

    from kadertoets import render

    listed = {m for mods in render.MODULES.values() for m in mods}
    for name in sorted(listed):
        module = importlib.import_module(f"kadertoets.render.{name}")
        for (command, fmt), fn in render._REGISTRY.items():
            if fn.__module__ == module.__name__:
                assert name in render.MODULES[command], (name, command, fmt)
    registered = {command for command, _ in render._REGISTRY}
    assert registered == set(render.MODULES)
    assert all(render.formats(command) for command in render.MODULES)
