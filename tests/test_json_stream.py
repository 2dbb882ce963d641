"""The JSON of `kader sweep` and `kader trend` is written team by team (render/jsonstream.py) and is
byte for byte the document it was when it was built as one object and written with one json.dumps;
the fast encoder writes what json.dumps writes; a file written in pieces is atomic; and
bench/sweep_bench.py builds its real-size data set as it says."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from conftest import FIXTURES, ROOT, make_corpus
from kadertoets.infra.errors import KaderFout
from kadertoets.infra.output import write_atomic
from kadertoets.infra.textsafe import UNSAFE
from kadertoets.model import Status
from kadertoets.render import Options, render, render_pieces
from kadertoets.render.check import evaluation_json, region_json
from kadertoets.render.jsonstream import Stream, indented, json_chunks, json_text
from kadertoets.render.sweep import invalid_json, region_day_json, requirement_json, totals
from kadertoets.sweep.sweep import load_sweep
from kadertoets.sweep.trend import build_trend


def old_json_text(data) -> str:
    """The JSON text as it was made before the stream: one json.dumps, then the terminal escapes."""
    text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    return UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def old_sweep_json(sweep) -> str:
    """The sweep's JSON as the one-object renderer built it (kept here only, to compare with)."""
    teams = []
    for t in sweep.teams():
        data = evaluation_json(t.evaluation)
        data["compleetheid"] = round(t.completeness, 4)
        teams.append(data)
    data = {
        "peildatum_tot_en_met": sweep.reference_date_until.isoformat() if sweep.reference_date_until else None,
        "teams": teams,
        "eisen": [requirement_json(r) for r in sweep.requirements()],
        "ongeldige_bestanden": invalid_json(sweep.invalid),
        "samenvatting": {s.value: sum(ev.counts()[s.value] for ev in sweep.evaluations) for s in Status},
        "regio": [region_json(r) for r in sweep.regions],
        "regio_ontbreekt": sweep.region_missing,
        "wacht_op_regio": [{"eis": rid, "product": name, "teams": n} for rid, name, n in sweep.waiting_on_region()],
        "tekorten_met_afwijking": {k: v for k, v in totals(sweep).items() if k in ("geldig", "verlopen")},
        "verouderd_bewijs": {"feiten": totals(sweep)["verouderd_bewijs"],
                             "teams": totals(sweep)["teams_met_verouderd_bewijs"]},
    }
    return old_json_text(data)


def old_trend_json(trend) -> str:
    teams = []
    for team in trend.teams:
        last = team.evaluations[-1].assessment.team
        teams.append({
            "team": {"id": last.id, "naam": last.name, "gemeente": last.municipality, "organisatie": last.organisation},
            "peildata": [d.isoformat() for d in team.dates],
            "eisen": [{"eis": rid, "voorheen": team.former_ids(rid),
                       "statussen": [s.value if s else None for s in team.statuses(rid)],
                       "veranderingen": team.changes(rid)} for rid in team.rule_ids()],
            "transformatieplan": [{**p, "peildatum": p["peildatum"].isoformat()} for p in team.plan_progress()],
        })
    return old_json_text({"regio": [region_day_json(trend, r) for r in trend.region()], "teams": teams,
                          "ongeldige_bestanden": invalid_json(trend.invalid)})


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """The bundled assessments (seven teams and the regional file), a broken file and one with an unknown field."""
    folder = make_corpus(tmp_path_factory.mktemp("corpus"))
    (folder / "echt" / "soest-2023-03.yaml").write_text(  # a hostile name: escapes must stay as they were
        (ROOT / "assessments" / "soest-2023-03.yaml").read_text(encoding="utf-8")
        .replace('naam: "BBS Sociaal team en Jeugdteam Soest"', 'naam: "Soest \\u202e\\x9b31m \\u00e9\\"<x>"', 1),
        encoding="utf-8")
    return folder


@pytest.mark.parametrize("which", ["bundled", "corpus", "empty"])
def test_the_streamed_sweep_json_is_byte_for_byte_the_one_object_document(which, corpus, tmp_path, cache_dir):
    paths = {"bundled": [ROOT / "assessments"], "corpus": [corpus], "empty": [corpus / "kapot.yaml"]}[which]
    sweep = load_sweep(paths, ROOT)
    if which == "corpus":  # what the comparison covers: invalid files, the regional file, a hostile name
        assert sweep.invalid and sweep.regions and len(sweep.evaluations) == 7
        assert "\\u202e" in old_sweep_json(sweep)
    if which == "empty":
        assert not sweep.evaluations and sweep.invalid
    expected = old_sweep_json(sweep)
    pieces = list(render_pieces("sweep", "json", sweep, Options()))
    assert len(pieces) >= len(sweep.evaluations) + 2  # team by team, not one piece
    assert "".join(pieces) == expected
    assert render("sweep", "json", sweep, Options()) == expected  # the web page's text: the same
    write_atomic(tmp_path / "uit.json", render_pieces("sweep", "json", sweep, Options()), force=False)
    assert (tmp_path / "uit.json").read_text(encoding="utf-8") == expected


def test_the_streamed_trend_json_is_byte_for_byte_the_one_object_document():
    trend = build_trend(load_sweep([FIXTURES / "trend"], ROOT))
    assert trend.teams
    assert "".join(render_pieces("trend", "json", trend, Options())) == old_trend_json(trend)
    assert render("trend", "json", trend, Options()) == old_trend_json(trend)


@pytest.mark.parametrize("command", ["sweep", "trend"])
def test_kader_writes_the_same_json_to_a_file_and_to_stdout(command, corpus, tmp_path, cache_dir):
    sweep = load_sweep([corpus], ROOT)
    expected = old_sweep_json(sweep) if command == "sweep" else old_trend_json(build_trend(sweep))
    out = tmp_path / "uit.json"
    env = dict(os.environ, KADERTOETS_CACHE_DIR=str(cache_dir))
    to_file = subprocess.run([sys.executable, "-m", "kadertoets", command, str(corpus),
                              "-o", str(out)], capture_output=True, text=True, env=env, cwd=tmp_path)
    to_stdout = subprocess.run([sys.executable, "-m", "kadertoets", command, str(corpus),
                                "--formaat", "json"], capture_output=True, env=env, cwd=tmp_path)
    assert to_file.returncode == to_stdout.returncode == 2, to_file.stderr  # the invalid files
    # the paths in the document are relative to the working folder: the same for both runs
    assert out.read_bytes() == to_stdout.stdout
    assert json.loads(out.read_text(encoding="utf-8"))["ongeldige_bestanden"]
    assert len(json.loads(expected)["teams"]) == len(json.loads(out.read_text(encoding="utf-8"))["teams"])


json_scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text()
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.tuples(inner, inner)
    | st.dictionaries(st.text(max_size=5), inner, max_size=4)
    | st.dictionaries(st.integers() | st.booleans() | st.none() | st.floats(), inner, max_size=3),
    max_leaves=25)


@settings(max_examples=300, deadline=None)
@given(json_values, st.integers(min_value=0, max_value=4))
def test_the_fast_encoder_writes_what_json_dumps_writes(value, level):
    expected = json.dumps(value, ensure_ascii=False, indent=2).replace("\n", "\n" + "  " * level)
    assert indented(value, level) == expected


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.text(max_size=5), json_values, max_size=5),
       st.lists(json_values, max_size=4), st.text(max_size=5))
def test_a_streamed_list_gives_the_document_of_the_whole_list(data, items, key):
    whole = {**data, key: items}
    streamed = {**data, key: Stream(iter(items))}
    assert "".join(json_chunks(streamed)) == json_text(whole) == old_json_text(whole)


def test_a_document_in_pieces_that_fails_halfway_leaves_the_old_file(tmp_path):
    target = tmp_path / "uit.json"
    target.write_text("oud\n", encoding="utf-8")

    def pieces():
        yield "{\n"
        yield "  \"teams\": ["
        raise KaderFout.single("halverwege mis", field="test")

    with pytest.raises(KaderFout):
        write_atomic(target, pieces(), force=True)
    assert target.read_text(encoding="utf-8") == "oud\n"
    assert [p.name for p in tmp_path.iterdir()] == ["uit.json"]  # no temporary file left
    with pytest.raises(KaderFout):
        write_atomic(tmp_path / "nieuw.json", pieces(), force=False)
    assert not (tmp_path / "nieuw.json").exists()


def test_a_document_in_pieces_is_written_whole_with_a_bom_when_asked(tmp_path):
    write_atomic(tmp_path / "a.csv", iter(["é;", "", "b\n"]), force=False, bom=True)
    assert (tmp_path / "a.csv").read_bytes() == "\ufeffé;b\n".encode("utf-8")


def test_pieces_reach_the_file_when_the_anonymous_file_cannot_be_linked(tmp_path, monkeypatch):
    """Where the O_TMPFILE file cannot be given a name, the pieces (spent by then) are read back from it."""
    import kadertoets.infra.output as output

    monkeypatch.setattr(output, "_link_new", lambda *a: False)
    monkeypatch.setattr(output, "_link_replace", lambda *a: False)
    pieces = [f"regel {i}\n" for i in range(50_000)]
    write_atomic(tmp_path / "uit.txt", iter(pieces), force=False)
    assert (tmp_path / "uit.txt").read_text(encoding="utf-8") == "".join(pieces)
    write_atomic(tmp_path / "uit.txt", iter(["vervangen\n"]), force=True)
    assert (tmp_path / "uit.txt").read_text(encoding="utf-8") == "vervangen\n"


def test_the_benchmark_builds_real_size_data_each_copy_a_team_of_its_own(tmp_path):
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        import sweep_bench
    finally:
        sys.path.remove(str(ROOT / "bench"))
    files = sweep_bench.real(16, tmp_path / "echt")
    assert len(files) == 17 and files[-1].name.startswith("regio")
    sweep = load_sweep([tmp_path / "echt"], ROOT)
    assert not sweep.invalid and sweep.regions
    ids = [ev.assessment.team.id for ev in sweep.evaluations]
    assert len(ids) == len(set(ids)) == 16
    names = {ev.assessment.team.name for ev in sweep.evaluations}
    assert len(names) == 16 and all("(kopie " in n for n in names)
