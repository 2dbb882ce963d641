"""Hypothesis invariants: no crash on any input (only KaderFout escapes), results independent of
rule and fact order, and both backends agreeing on shipped and generated assessments."""

from __future__ import annotations

import random
import shutil

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import ASSESSMENTS, FIXTURES, MINI, ROOT
from kadertoets.evaluate.backends.python import PythonBackend
from kadertoets.infra.errors import KaderFout
from kadertoets.evaluate.evaluation import evaluate
from kadertoets.load.kader import load_kader
from kadertoets.sweep.run import check_file
from kadertoets.infra.yamlload import load_yaml_text
from strategies import assessments, tagged_yaml_text, yaml_like

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def findings_of(evaluation):
    return [(f.rule_id, f.status, f.reason, f.missing) for f in evaluation.findings]


# -- no crash on any input -------------------------------------------------------------
@SETTINGS
@given(data=yaml_like)
def test_any_yaml_structure_gives_result_or_kaderfout(tmp_path, data):
    path = tmp_path / "a.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    try:
        check_file(path, MINI)
    except KaderFout as exc:
        assert exc.problems and all(p.file for p in exc.problems)


@SETTINGS
@given(text=st.one_of(st.text(max_size=300), tagged_yaml_text))
def test_any_text_gives_result_or_kaderfout(tmp_path, text):
    path = tmp_path / "a.yaml"
    path.write_text(text, encoding="utf-8")
    try:
        check_file(path, MINI)
    except KaderFout as exc:
        assert exc.problems and all(p.file for p in exc.problems)


@SETTINGS
@given(base=st.sampled_from([p.read_text(encoding="utf-8") for p in ASSESSMENTS] or [""]),
       cut=st.integers(min_value=0, max_value=10_000), junk=st.text(max_size=20))
def test_mangled_shipped_assessment_gives_result_or_kaderfout(tmp_path, base, cut, junk):
    """Truncate a real assessment somewhere and insert junk: still a result or a located error."""
    cut = min(cut, len(base))
    path = tmp_path / "a.yaml"
    path.write_text(base[:cut] + junk + base[cut:], encoding="utf-8")
    try:
        check_file(path, ROOT)
    except KaderFout as exc:
        assert all(p.file for p in exc.problems)


@SETTINGS
@given(data=yaml_like)
def test_rule_file_junk_is_a_load_error_not_a_crash(tmp_path, data):
    target = tmp_path / "k"
    if not target.exists():
        shutil.copytree(MINI, target)
    (target / "rules" / "T-A-01.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(KaderFout):
        load_kader(target, "1.0")


@settings(max_examples=300, deadline=None)
@given(text=st.one_of(st.text(max_size=200), tagged_yaml_text))
def test_loader_only_raises_kaderfout(text):
    try:
        load_yaml_text(text, "x.yaml")
    except KaderFout as exc:
        # located wherever the text has lines to point at: a tag or a value is never "somewhere"
        assert all(p.line is not None for p in exc.problems if "NUL" not in p.message), exc.render()


# -- order independence ------------------------------------------------------------------
@pytest.mark.parametrize("assessment", ASSESSMENTS, ids=lambda p: p.stem)
def test_result_independent_of_rule_and_fact_order(tmp_path, assessment):
    reference = findings_of(check_file(assessment, ROOT))
    for seed in range(3):
        rng = random.Random(seed)
        kdir = tmp_path / f"k{seed}"
        shutil.copytree(ROOT / "kader", kdir / "kader")
        shutil.copytree(ROOT / "rules", kdir / "rules")
        manifest = yaml.safe_load((kdir / "kader" / "1.0.yaml").read_text(encoding="utf-8"))
        rng.shuffle(manifest["regels"])
        (kdir / "kader" / "1.0.yaml").write_text(yaml.safe_dump(manifest, allow_unicode=True), encoding="utf-8")
        data = yaml.safe_load(assessment.read_text(encoding="utf-8"))
        items = list(data["feiten"].items())
        rng.shuffle(items)
        data["feiten"] = dict(items)
        shuffled = tmp_path / f"a{seed}.yaml"
        shuffled.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
        # the copy is not beside the regional file: name it, as `kader check --regio` does
        assert findings_of(check_file(shuffled, kdir, region=ROOT / "assessments" / "regio-2023-03.yaml")) == reference


# -- backend agreement -------------------------------------------------------------------
def _durable_backend():
    from kadertoets.evaluate.backends.durable import DurableBackend, durable_unavailable_reason

    reason = durable_unavailable_reason()
    if reason:
        pytest.skip(f"durable-rules niet beschikbaar: {reason}")
    return DurableBackend.shared()


@pytest.mark.parametrize("assessment", ASSESSMENTS + [FIXTURES / "mini-team.yaml"], ids=lambda p: p.stem)
def test_backends_agree_on_shipped_assessments(assessment):
    folder = MINI if assessment.parent == FIXTURES else ROOT
    _durable_backend()
    python = check_file(assessment, folder, engine="python")
    durable_ev = check_file(assessment, folder, engine="durable")
    assert durable_ev.engine == "durable"
    assert findings_of(durable_ev) == findings_of(python)


def test_backends_agree_on_every_rule_example():
    backend = _durable_backend()
    from kadertoets.evaluate.evaluation import evaluate_example

    for folder in (ROOT, MINI):
        kader = load_kader(folder, "1.0")
        for rule in kader.rules.values():
            for ex in rule.examples:
                a = evaluate_example(rule, ex, kader.effective_date, PythonBackend())
                b = evaluate_example(rule, ex, kader.effective_date, backend)
                assert (a.status, a.reason) == (b.status, b.reason), f"{rule.id}: {ex.name}"


_KADER = load_kader(ROOT, "1.0")


@settings(max_examples=100, deadline=None)
@given(assessment=assessments(_KADER))
def test_backends_agree_on_generated_assessments(assessment):
    backend = _durable_backend()
    as_of = assessment.reference_date
    assert findings_of(evaluate(_KADER, assessment, as_of, backend)) == \
        findings_of(evaluate(_KADER, assessment, as_of, PythonBackend()))


@settings(max_examples=100, deadline=None)
@given(assessment=assessments(_KADER))
def test_every_generated_assessment_gives_one_finding_per_rule(assessment):
    ev = evaluate(_KADER, assessment, assessment.reference_date, PythonBackend())
    assert [f.rule_id for f in ev.findings] == sorted(_KADER.rules)
    for f in ev.findings:
        assert f.reason
        # an onbekend always names what is missing, and only an onbekend does
        assert bool(f.missing) == (f.status.value == "onbekend"), (f.rule_id, f.status, f.reason)
