"""Schema lines (`# yaml-language-server: $schema=...`): the lines `kader schema` prints point at the
schema files it wrote, relative to the folder it says (or absolute); `kader migrate` carries an
assessment's schema line over to the schema of the new version, right for the new file's folder."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from kadertoets import cli
from conftest import ROOT
from kadertoets.editors.jsonschema import (HEADER_PREFIX, MAX_CLIMB, header_instructions, header_targets, modeline_target,
                               retarget_schema, schema_files, schema_headers)
from kadertoets.load.kader import load_kader
from kadertoets.editors.migrate import migrate, migration_yaml
from kadertoets.sweep.run import check_file, load_assessments_against
from kaderversions import make_two_versions

KINDS = ("manifest", "vragen", "regel", "assessment", "regio")


def _write_schemas(folder: Path, *kaders) -> list[str]:
    folder.mkdir(parents=True, exist_ok=True)
    names = []
    for kader in kaders:
        for name, content in schema_files(kader).items():
            (folder / name).write_text(json.dumps(content), encoding="utf-8")
            names.append(name)
    return list(dict.fromkeys(names))


def _kind(name: str) -> str:
    return name.split(".")[0].split("-")[0]


# ---- kader schema: the printed lines resolve --------------------------------------------------------
def _resolve(target: str, base: Path | None) -> Path:
    if base is None:
        assert Path(target).is_absolute(), target
        return Path(target)
    assert not Path(target).is_absolute(), target
    return base / target


def _parse_instructions(lines: list[str]) -> dict[str, tuple[str, Path | None]]:
    """kind -> (target, the folder the text says it is relative to; None: absolute)."""
    out = {}
    for where, line in zip(lines, lines[1:]):
        if not line.strip().startswith(HEADER_PREFIX):
            continue
        target = line.strip()[len(HEADER_PREFIX):]
        if "absoluut pad" in where:
            base = None
        else:
            found = re.search(r"pad relatief aan de map (.+?)(?: \([^()]*\))?:$", where)
            assert found, where
            base = Path(found.group(1))
        out[_kind(Path(target).name)] = (target, base)
    return out


def _kader_copy(where: Path, assessments: bool = True) -> Path:
    shutil.copytree(ROOT / "kader", where / "kader")
    shutil.copytree(ROOT / "rules", where / "rules")
    if assessments:
        (where / "assessments").mkdir()
    return where


def test_schema_folder_inside_the_kader_folder_gives_short_relative_paths(tmp_path):
    root = _kader_copy(tmp_path / "kopie")
    names = _write_schemas(root / "schemas", load_kader(root, "1.0"))
    headers = {h.kind: h for h in schema_headers(names, root / "schemas", root, cwd=tmp_path)}
    assert set(headers) == set(KINDS)
    expected = {"manifest": root / "kader", "vragen": root / "kader", "regel": root / "rules",
                "assessment": root / "assessments", "regio": root / "assessments"}
    for kind, h in headers.items():
        assert h.base == expected[kind].resolve()
        assert h.target.startswith("../schemas/") and h.line == HEADER_PREFIX + h.target
        assert _resolve(h.target, h.base).is_file()
    printed = _parse_instructions(header_instructions(names, root / "schemas", root, cwd=tmp_path))
    assert set(printed) == set(KINDS)
    for kind, (target, base) in printed.items():
        assert base == expected[kind].resolve() and _resolve(target, base).is_file(), kind


def test_rules_in_their_own_folder_and_assessments_without_a_folder(versions, tmp_path):
    kader = load_kader(versions, "1.1")
    assert kader.rules_folder == "rules-1.1" and not (versions / "assessments").exists()
    work = tmp_path / "werk"
    work.mkdir()
    names = _write_schemas(versions / "schemas", kader)
    headers = {h.kind: h for h in schema_headers(names, versions / "schemas", versions, kader.rules_folder, cwd=work)}
    assert headers["regel"].base == (versions / "rules-1.1").resolve()
    assert headers["assessment"].base == work.resolve()  # no assessments/: the working folder
    for h in headers.values():
        assert _resolve(h.target, h.base).is_file(), h
    lines = header_instructions(names, versions / "schemas", versions, kader.rules_folder, cwd=work)
    assert any("regel (rules-1.1/<ID>.yaml)" in line for line in lines)
    assert any(f"pad relatief aan de map {work.resolve()} (de huidige map):" in line for line in lines)
    for target, base in _parse_instructions(lines).values():
        assert _resolve(target, base).is_file()


def test_far_away_or_unrelated_folders_give_absolute_paths(tmp_path):
    root = _kader_copy(tmp_path / "p" / "q" / "r" / "s" / "kopie")
    far = tmp_path / "a" / "b" / "c" / "schemas"
    names = _write_schemas(far, load_kader(root, "1.0"))
    for h in schema_headers(names, far, root, cwd=root):
        assert h.base is None and Path(h.target).is_absolute() and Path(h.target).is_file(), h
        assert ".." not in Path(h.target).parts
    lines = header_instructions(names, far, root, cwd=root)
    assert sum("absoluut pad, werkt voor een bestand in elke map" in line for line in lines) == 5  # five schemas, the regional file's included
    assert not any("relatief" in line for line in lines)  # no remark about relative paths then
    # exactly MAX_CLIMB folders up is still relative
    near = root.parent.parent / "schemas"
    names = _write_schemas(near, load_kader(root, "1.0"))
    rule = next(h for h in schema_headers(names, near, root, cwd=root) if h.kind == "regel")
    assert rule.target.split("/").count("..") == 3 == MAX_CLIMB and _resolve(rule.target, rule.base).is_file()


def test_an_installed_kader_in_site_packages_gets_absolute_paths(tmp_path):
    """The reported bug: the bundled Kader of an installed kadertoets lives in site-packages; the
    lines used to be relative to it (../../../../../../tmp/x/manifest.schema.json)."""
    installed = _kader_copy(tmp_path / "venv" / "lib" / "python3.11" / "site-packages" / "engine" / "_data")
    work = tmp_path / "project"
    schemas = work / "schemas"
    names = _write_schemas(schemas, load_kader(installed, "1.0"))
    headers = {h.kind: h for h in schema_headers(names, schemas, installed, cwd=work)}
    for kind in ("manifest", "vragen", "regel"):
        assert headers[kind].base is None and headers[kind].target == (schemas / f"{names[KINDS.index(kind)]}"
                                                                       ).resolve().as_posix()
    # assessments: not the bundled examples in site-packages, but the working folder
    assert headers["assessment"].base == work.resolve() and headers["assessment"].target == \
        "schemas/assessment-1.0.schema.json"
    for target, base in _parse_instructions(header_instructions(names, schemas, installed, cwd=work)).values():
        assert _resolve(target, base).is_file()
        assert "site-packages" not in target


def test_header_targets_keeps_its_pairs(tmp_path):
    root = _kader_copy(tmp_path / "kopie")
    names = _write_schemas(root / "schemas", load_kader(root, "1.0"))
    pairs = header_targets(names, root / "schemas", root)
    assert [k for k, _ in pairs] == [_kind(n) for n in names]
    assert all(line.startswith(HEADER_PREFIX) for _, line in pairs)


@pytest.mark.parametrize("inside", [True, False])
def test_kader_schema_command_prints_lines_that_resolve(tmp_path, inside, monkeypatch):
    """Through the command: every printed line, joined to the folder it is for, names a written schema.
    (Accepts the plain 'kind: line' output and the output of header_instructions.)"""
    root = _kader_copy(tmp_path / "kopie" if inside else tmp_path / "p" / "q" / "r" / "kopie")
    folder = root / "schemas" if inside else tmp_path / "x" / "schemas"  # far: five folders up from kader/
    work = tmp_path / "elders"
    work.mkdir()
    monkeypatch.chdir(work)
    result = CliRunner().invoke(cli.main, ["schema", "-o", str(folder), "--kader-dir", str(root)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    expected = {"manifest": root / "kader", "vragen": root / "kader", "regel": root / "rules",
                "assessment": root / "assessments", "regio": root / "assessments"}
    printed = _parse_instructions(lines) if any("pad relatief" in x or "absoluut" in x for x in lines) else {
        _kind(Path(x.split("$schema=")[1]).name): (x.split("$schema=")[1], None if Path(
            x.split("$schema=")[1]).is_absolute() else expected[_kind(Path(x.split("$schema=")[1]).name)])
        for x in lines if "$schema=" in x}
    assert set(printed) == set(KINDS)
    for kind, (target, base) in printed.items():
        assert _resolve(target, base).is_file(), (kind, target, base)
        assert (base is None) == (not inside), (kind, target)


def test_kader_schema_for_the_default_kader_never_climbs_out(tmp_path):
    """The default Kader (bundled, or the checkout) with the schemas in an unrelated folder."""
    folder = tmp_path / "x"
    result = CliRunner().invoke(cli.main, ["schema", "-o", str(folder)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    checked = 0
    for where, line in zip(lines, lines[1:]):
        if "$schema=" not in line:
            continue
        target = line.split("$schema=")[1]
        if "absoluut pad" in where:
            assert Path(target).is_absolute(), where
            resolved = Path(target)
        else:  # relative to the folder the line before names; where the checkout lives decides which
            base = Path(where.split("pad relatief aan de map ", 1)[1].rstrip(":").split(" (")[0])
            assert target.count("../") <= 3 and "site-packages" not in str(base)
            resolved = base / target
        assert resolved.resolve().parent == folder.resolve() and resolved.is_file(), (where, target)
        checked += 1
    assert checked == 5


# ---- kader migrate: the schema line follows ---------------------------------------------------------
def test_modeline_target():
    line = HEADER_PREFIX + "../schemas/assessment-1.0.schema.json"
    assert modeline_target(line + "\nkader: '1.0'\n") == "../schemas/assessment-1.0.schema.json"
    assert modeline_target("\ufeff\n# een opmerking\n\n" + line + "\nkader: x\n") == \
        "../schemas/assessment-1.0.schema.json"
    assert modeline_target("kader: '1.0'\n" + line + "\n") is None  # only the comments on top
    assert modeline_target("#yaml-language-server: $schema=x.json\n") is None  # the server needs the space
    assert modeline_target("# yaml-language-server: iets anders\n") is None
    assert modeline_target("") is None


def test_retarget_schema(tmp_path):
    src, out = tmp_path / "a", tmp_path / "a" / "b" / "c"
    assert retarget_schema("../s/assessment-1.0.schema.json", "1.1", src, src) == \
        ("../s/assessment-1.1.schema.json", True, tmp_path / "s" / "assessment-1.1.schema.json")
    assert retarget_schema("../s/assessment-1.0.schema.json", "1.1", src, out)[:2] == \
        ("../../../s/assessment-1.1.schema.json", True)
    assert retarget_schema("..\\s\\assessment-1.0.schema.json", "2", src, src)[:2] == ("../s/assessment-2.schema.json",
                                                                                     True)
    assert retarget_schema("https://x.nl/s/assessment-1.0.schema.json", "1.1", src, out) == \
        ("https://x.nl/s/assessment-1.1.schema.json", True, None)
    absolute = (tmp_path / "s" / "assessment-1.0.schema.json").as_posix()
    assert retarget_schema(absolute, "1.1", src, out)[:2] == (absolute.replace("-1.0.", "-1.1."), True)
    uri = (tmp_path / "s" / "assessment-1.0.schema.json").as_uri()
    assert retarget_schema(uri, "1.1", src, out)[2] == tmp_path / "s" / "assessment-1.1.schema.json"
    assert retarget_schema("mijn-assessment-1.0.schema.json", "1.1", src, src)[:2] == \
        ("mijn-assessment-1.0.schema.json", False)  # not our name: carried over, not renamed
    assert retarget_schema("schema.json", "1.1", src, out)[:2] == ("../../schema.json", False)


@pytest.fixture()
def project(tmp_path, versions, old, new):
    """A project folder: schemas/ with the schemas of both versions, assessments/ with a 1.0
    assessment that starts with a schema line."""
    _write_schemas(tmp_path / "schemas", old, new)
    (tmp_path / "assessments").mkdir()
    source = tmp_path / "assessments" / "team.yaml"
    text = (ROOT / "assessments" / "soest-2023-03.yaml").read_text(encoding="utf-8")
    source.write_text(HEADER_PREFIX + "../schemas/assessment-1.0.schema.json\n" + text, encoding="utf-8")
    return tmp_path


def _migrated(source: Path, output: Path, old, new, **kwargs) -> str:
    (a,), invalid = load_assessments_against([source], old)
    assert not invalid
    text = migration_yaml(migrate(a, old, new), source_path=source, output_path=output, **kwargs)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text, encoding="utf-8")
    return text


@pytest.mark.parametrize("where", ["assessments/team-1.1.yaml", "assessments/2024/q1/team.yaml", "elders/team.yaml",
                                   "team.yaml"])
def test_migrate_points_the_new_file_at_the_new_schema(project, versions, old, new, where):
    source = project / "assessments" / "team.yaml"
    before = source.read_bytes()
    out = project / where
    text = _migrated(source, out, old, new)
    first, second = text.split("\n")[:2]
    assert first.startswith(HEADER_PREFIX) and first.endswith("/assessment-1.1.schema.json")
    target = first[len(HEADER_PREFIX):]
    assert not Path(target).is_absolute()
    assert (out.parent / target).resolve() == (project / "schemas" / "assessment-1.1.schema.json").resolve()
    assert second.startswith("# Gemigreerd van Kader 1.0 naar 1.1")  # the schema exists: no note
    assert modeline_target(text) == target
    assert check_file(out, versions).kader.version == "1.1"
    assert source.read_bytes() == before


def test_migrate_says_how_to_make_a_missing_schema(project, old, new):
    (project / "schemas" / "assessment-1.1.schema.json").unlink()
    text = _migrated(project / "assessments" / "team.yaml", project / "assessments" / "nieuw.yaml", old, new)
    lines = text.split("\n")
    assert lines[0] == HEADER_PREFIX + "../schemas/assessment-1.1.schema.json"
    assert lines[1].startswith("# Het schema assessment-1.1.schema.json staat nog niet in ")
    assert "'kader schema --kader 1.1 -o " in lines[1]


def test_migrate_carries_a_schema_with_another_name_over_with_a_note(project, old, new):
    source = project / "assessments" / "team.yaml"
    text = source.read_text(encoding="utf-8").replace("assessment-1.0.schema.json", "eigen.json", 1)
    source.write_text(text, encoding="utf-8")
    result = _migrated(source, project / "uit" / "team.yaml", old, new)
    lines = result.split("\n")
    assert lines[0] == HEADER_PREFIX + "../schemas/eigen.json"
    assert "hoort mogelijk bij Kader 1.0" in lines[1] and "kader schema --kader 1.1" in lines[1]


def test_migrate_without_a_schema_line_or_without_the_paths_writes_none(project, old, new, tmp_path):
    source = project / "assessments" / "team.yaml"
    (a,), _ = load_assessments_against([source], old)
    m = migrate(a, old, new)
    assert not migration_yaml(m).startswith(HEADER_PREFIX)  # the call cli.py makes today: as before
    plain = tmp_path / "plain.yaml"
    plain.write_text((ROOT / "assessments" / "soest-2023-03.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    text = _migrated(plain, tmp_path / "out.yaml", old, new)
    assert text.startswith("# Gemigreerd van Kader 1.0 naar 1.1") and HEADER_PREFIX not in text
    # the text given instead of read; an unreadable original: no schema line, no error
    given = migration_yaml(m, source_text=HEADER_PREFIX + "https://x.nl/assessment-1.0.schema.json\n")
    assert given.startswith(HEADER_PREFIX + "https://x.nl/assessment-1.1.schema.json\n# Gemigreerd")
    assert not migration_yaml(m, source_path=tmp_path / "bestaat-niet.yaml").startswith(HEADER_PREFIX)


def test_migrate_keeps_an_absolute_schema_line_absolute(project, old, new):
    source = project / "assessments" / "team.yaml"
    absolute = (project / "schemas" / "assessment-1.0.schema.json").resolve().as_posix()
    text = source.read_text(encoding="utf-8").replace("../schemas/assessment-1.0.schema.json", absolute, 1)
    source.write_text(text, encoding="utf-8")
    result = _migrated(source, project / "ergens" / "anders" / "team.yaml", old, new)
    assert result.split("\n")[0] == HEADER_PREFIX + absolute.replace("assessment-1.0.", "assessment-1.1.")
    assert result.split("\n")[1].startswith("# Gemigreerd")
