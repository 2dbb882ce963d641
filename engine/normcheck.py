"""Decide exactly which statuses a rule can produce, by trying every relevant situation.

For the fields a rule reads, the possible answers are finite or can be made so: yes/no, the allowed
values of a keuze (every subset of a small meerkeuze), numbers split at the constants the rule
compares with (each constant, just below and just above, within the question's bounds), dates
inside and outside the months a rule asks for, texts equal to each constant or to none; each field
may also be unanswered; each rule the norm refers to may have any status. Every combination is
evaluated with the engine's own evaluate() and decide(), so the analysis cannot disagree with it.
When there are too many combinations, the rule is left undecided (never guessed).

Pure: Rule and questions in, the set of reachable statuses (or None) out.
"""

from __future__ import annotations

import datetime as dt
import itertools

from .conditions import Compare, RuleRef, TEAM_FIELDS, evaluate, leaves, months_before
from .evaluate import decide, rule_conditions
from .model import Question, Rule, Status

MISSING = object()
AS_OF = dt.date(2024, 1, 1)  # any date: binnen_maanden is tried inside and outside its window
LIMIT = 20_000  # combinations per rule; beyond: undecided


def _constants(rule: Rule, path: str) -> list:
    out = []
    for cond in (rule.applies, rule.meets, rule.partly):
        if cond is None:
            continue
        for leaf in leaves(cond):
            if isinstance(leaf, Compare) and leaf.field == path:
                values = leaf.value if isinstance(leaf.value, tuple) else (leaf.value,)
                out += [(leaf.op, v) for v in values]
    return out


def _domain(rule: Rule, path: str, q: Question, optional: bool = True) -> list | None:
    consts = _constants(rule, path)
    t = q.type
    if t == "ja_nee":
        values = [True, False]
    elif t == "keuze":
        values = list(q.values)
    elif t == "meerkeuze":
        if len(q.values) > 6:
            return None
        values = [tuple(sorted(c)) for n in range(len(q.values) + 1) for c in itertools.combinations(q.values, n)]
    elif t in ("geheel_getal", "getal"):
        step = 1 if t == "geheel_getal" else 0.5
        points = {0}
        for op, v in consts:
            if op == "aantal_min":
                continue
            points |= {v, v - step, v + step}
        lo, hi = q.minimum, q.maximum
        values = sorted(x for x in points if (lo is None or x >= lo) and (hi is None or x <= hi))
        if lo is not None:
            values.append(lo)
        if hi is not None:
            values.append(hi)
        values = sorted(set(values))
    elif t == "datum":
        values = {AS_OF, AS_OF + dt.timedelta(days=1), dt.date(1925, 1, 1)}
        for op, v in consts:
            if op == "binnen_maanden":
                edge = months_before(AS_OF, v)
                values |= {edge, edge - dt.timedelta(days=1)}
            elif isinstance(v, dt.date):
                values |= {v, v - dt.timedelta(days=1), v + dt.timedelta(days=1)}
        values = sorted(values)
    elif t == "tekst":
        values = sorted({v for _, v in consts if isinstance(v, str)}) + ["\x00anders"]
    else:
        return None
    return values + ([MISSING] if optional else [])


def reachable_statuses(rule: Rule, questions: dict, limit: int = LIMIT) -> set[Status] | None:
    """Every status the rule can produce, or None when that cannot be decided within `limit`."""
    conds = rule_conditions(rule)
    fields, refs = set(), set()
    for cond in conds.values():
        for leaf in leaves(cond):
            if isinstance(leaf, RuleRef):
                refs.add(leaf.rule_id)
            elif hasattr(leaf, "field"):
                fields.add(leaf.field)
    names, domains = [], []
    for path in sorted(fields):
        q = questions.get(path) or TEAM_FIELDS.get(path)
        if q is None:
            return None
        domain = _domain(rule, path, q, optional=path not in TEAM_FIELDS)  # team fields are always known
        if domain is None:
            return None
        names.append(path)
        domains.append(domain)
    ref_names = sorted(refs)
    domains += [list(Status)] * len(ref_names)
    total = 1
    for d in domains:
        total *= len(d)
        if total > limit:
            return None
    found: set[Status] = set()
    for combo in itertools.product(*domains):
        env = {n: v for n, v in zip(names, combo) if v is not MISSING}
        statuses = dict(zip(ref_names, combo[len(names):]))
        truths = {part: evaluate(c, env, statuses, AS_OF) for part, c in conds.items()}
        found.add(decide(truths)[0])
        if len(found) == len(Status):
            break
    return found


def norm_problems(rule: Rule, questions: dict, limit: int = LIMIT) -> list[tuple[str, str, str]]:
    """(code, message, hint) for norms that cannot be right; empty when fine or undecided."""
    reach = reachable_statuses(rule, questions, limit)
    if reach is None:
        return []
    out = []
    if rule.applies is not None and reach <= {Status.NVT, Status.ONBEKEND}:
        out.append(("KT403", "'van_toepassing' is nooit waar: de eis is altijd n.v.t. of onbekend",
                    "Controleer de voorwaarde onder 'van_toepassing' (bv. een waarde die het veld niet kan hebben)."))
        return out
    if Status.VOLDOET not in reach:
        out.append(("KT401", "'voldoet' kan nooit waar worden, welke antwoorden het team ook geeft",
                    "Controleer de voorwaarde onder 'norm.voldoet' (tegenstrijdige delen, een drempel buiten "
                    "het bereik van de vraag)."))
    if rule.partly is not None and Status.DEELS not in reach:
        out.append(("KT402", "'deels' kan nooit de uitkomst zijn: elke situatie waarin 'deels' waar is, voldoet "
                             "al volledig (of 'deels' is nooit waar)",
                    "Maak 'deels' ruimer dan 'voldoet' niet toestaat, of haal 'deels' weg."))
    if rule.applies is not None and Status.NVT not in reach:
        out.append(("KT404", "'van_toepassing' is altijd waar (of onbekend): de eis is nooit n.v.t.",
                    "Haal 'van_toepassing' weg als de eis altijd geldt."))
    return out
