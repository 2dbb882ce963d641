"""Tests over the shipped rule set itself: completeness, sources, and the requirements the Kader
is known for (sqlfluff-style checks on the rules as data)."""

from __future__ import annotations

from conftest import ROOT
from kadertoets.evaluate.conditions import fields_of, leaves
from kadertoets.load.kader import load_kader

KNOWN = {
    "KLT-18-01": "18-/18+ vanaf circa 16,5 jaar met uniform perspectiefplan",
    "KLT-REG-01": "escalatiemodel",
    "KLT-VEI-01": "gezamenlijke veiligheidsbeoordeling / risicotaxatie",
    "KLT-VEI-02": "aandachtsfunctionarissen veiligheid",
    "KLT-LER-01": "deelname lerend stelsel",
    "KLT-EB-01": "eigen begeleiding tenzij",
}


def kader():
    return load_kader(ROOT, "1.0")


def test_known_requirements_are_present():
    assert set(KNOWN) <= set(kader().rules)


def test_every_rule_file_is_in_the_manifest_and_vice_versa():
    files = {p.stem for p in (ROOT / "rules").glob("*.yaml")}
    assert files == set(kader().rules)


def test_every_rule_cites_a_seed_source():
    for rule in kader().rules.values():
        assert any(s.code for s in rule.sources), f"{rule.id} noemt geen seed-bron (S0..S4)"


def test_every_rule_is_grounded_in_a_seed_or_says_why_not():
    """A requirement rests on S0..S4, or says (grondslag: buiten_bronnen) where it comes from instead."""
    rules = kader().rules
    for rule in rules.values():
        assert rule.seed_basis or (rule.basis == "buiten_bronnen" and len(rule.basis_note or "") > 40), rule.id
    assert sorted(r.id for r in rules.values() if not r.seed_basis) == ["KLT-FOR-03", "KLT-VEI-03"]


def test_s4_illustrates_but_never_grounds_a_requirement():
    """S4 is the progress report of a municipality outside the region: a model, no basis for a requirement."""
    for rule in kader().rules.values():
        for source in rule.sources:
            if source.code == "S4":
                assert source.illustration, rule.id


def test_derived_norms_are_explained_and_sourced_norms_are_not_silent():
    for rule in kader().rules.values():
        if rule.norm_origin == "afgeleid":
            assert rule.norm_note and len(rule.norm_note) > 20, rule.id


def test_regional_requirements_are_regio():
    """S0 §3.2: worked out with the contract partner after the award -> a regional dependency."""
    rules = kader().rules
    for rid in ("KLT-18-01", "KLT-REG-01", "KLT-VEI-01", "KLT-SAM-01", "KLT-WAC-01"):
        assert rules[rid].responsible == "regio", rid


def test_youth_rules_do_not_apply_without_youth_task():
    rules = kader().rules
    assert "team.taken.jeugd" in fields_of(rules["KLT-18-01"].applies)


def test_every_question_a_rule_asks_is_a_question():
    """A team member answers these: each is phrased as a Dutch question."""
    k = kader()
    for rule in k.rules.values():
        for cond in (rule.applies, rule.meets, rule.partly):
            for path in fields_of(cond) if cond is not None else ():
                if path.startswith("team."):
                    continue
                q = k.questions[path]
                assert q.question.strip().endswith("?"), f"{path}: de vraag eindigt niet op '?'"


def test_actions_use_manifest_roles_and_dated_deadlines():
    k = kader()
    for rule in k.rules.values():
        assert rule.action.owner in k.roles
        assert rule.action.deadline.key in k.deadlines
        assert rule.action.description


def test_rule_references_point_at_rules_with_examples():
    k = kader()
    from kadertoets.evaluate.conditions import RuleRef

    for rule in k.rules.values():
        for cond in (rule.applies, rule.meets, rule.partly):
            for leaf in leaves(cond) if cond is not None else ():
                if isinstance(leaf, RuleRef):
                    assert leaf.rule_id in k.rules
