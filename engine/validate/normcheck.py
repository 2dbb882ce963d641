"""Decide exactly which statuses a rule can produce, by trying every relevant situation.

Every operator of the condition language compares a field with constants, so the answers a field
can have fall apart into finitely many classes that every leaf of the rule treats alike; one answer
per class is enough, and then trying every combination is exact (not a sample):

- ja_nee: true and false.
- keuze, tekst: each value the rule mentions, and one value it does not mention (when there is one).
- geheel_getal, getal: the rule's constants on that field (and the question's minimum and maximum)
  sorted; each constant, one value strictly between each two consecutive constants (when a value of
  the field's type exists there: an integer for geheel_getal), one below the lowest and one above
  the highest, all within the question's bounds. Between two consecutive constants every comparison
  (is, in, min, max, groter_dan, kleiner_dan, ...) has one and the same outcome, so one value per
  open interval plus the constants themselves covers every case, however narrow the interval.
- datum: the same over days, where binnen_maanden adds both ends of its window (the as-of date and
  that many months before it) as constants. When one date field is compared with both a window and
  a fixed date, which is earlier depends on the as-of date, so then every as-of date at which their
  order changes is tried as well (see _as_of_dates).
- meerkeuze: each subset of the values the rule asks for with `bevat`, filled up with values it does
  not ask for to reach each `aantal_min` count.
- each field may also be unanswered (team fields are always known); each rule the norm refers to may
  have any status (statuses the norm treats alike are tried once).

Which of these a type gets is its `witness` strategy in evaluate/questiontypes.py ('booleans',
'choices', 'texts', 'integers', 'reals', 'days', 'subsets'), and what an operator's constants are to
it is the operator's `witness` role in evaluate/operators.py ('point', 'window', 'member', 'count'):
this module names strategies and roles, never a type or an operator.

Every combination is evaluated with the engine's own evaluate() and decide(), so the analysis cannot
disagree with it, and each status found comes with its witness (the facts that give it).

Bounded before it starts: the size of the search is known from the rule's structure before any of
it runs. A rule with more than MAX_COMPARISONS comparisons, with more than MAX_DATE_PAIRS pairs of a
fixed date and a window on one date field (each pair costs some eighty date calculations to find its
as-of dates), or with more than LIMIT combinations of answer classes (counted from the classes, before
one is evaluated) is not searched at all: it is too complex to check (KT405), an error like a norm
that cannot be right, because a rule that cannot be checked must not pass unchecked. Under those
limits the result is exactly that of the full search.

Pure: Rule and questions in, the set of reachable statuses (or why the rule is too complex) out.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from typing import NamedTuple

from kadertoets.evaluate.conditions import (MAX_COMPARISONS, TOO_COMPLEX_HINT, Compare, RuleRef, TEAM_FIELDS, comparisons, evaluate,
                         leaves)
from kadertoets.evaluate.evaluation import decide, rule_conditions
from kadertoets.evaluate.operators import OPERATORS, months_before
from kadertoets.evaluate.questiontypes import QUESTION_TYPES
from kadertoets.model import Question, Rule, Status
from kadertoets.infra.located import MAX_NUMBER
from kadertoets.infra.lintcodes import Code

MISSING = object()
AS_OF = dt.date(2024, 1, 1)  # the as-of date tried when the outcome does not depend on which one it is
LIMIT = 20_000  # combinations of answer classes per rule; beyond: too complex to check
MAX_DATE_PAIRS = 200  # fixed dates times windows (binnen_maanden) on one date field; beyond: too complex
DAY = dt.timedelta(days=1)
SCAN = 40  # days on each side of c + n months where _changes looks for a change of class


class Witness(NamedTuple):
    """A situation that gives a status: the facts (unanswered fields left out), the statuses of the
    rules the norm refers to, and the as-of date."""

    facts: dict
    statuses: dict
    as_of: dt.date


class TooComplex(NamedTuple):
    """Why a rule is too large to check: `what` goes between the brackets of the message; `part` is
    the part of the rule ('van_toepassing', 'voldoet', 'deels') that holds it, None for the rule."""

    what: str
    part: str | None = None


class NormCheck(NamedTuple):
    """The outcome of checking one rule: (code, message, hint) problems, the reachable statuses
    (None when not decided), and why the rule was not searched (None when it was)."""

    problems: list
    reachable: set | None
    too_complex: TooComplex | None


def _number(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def _shown(path: str) -> str:
    """A field path for a message (paths are plain identifiers; only their length needs a bound)."""
    return path if len(path) <= 60 else path[:59] + "…"


def _pairs(compares: list[Compare]) -> list:
    """(role, constant) for every comparison (in/niet_in give one pair per value). The role is what the
    operator's constants mean here (operators.py, `witness`): 'point' (a value where the answers change
    class), 'window' (binnen_maanden: months before the as-of date), 'member' (bevat: a value a meerkeuze
    is asked for) or 'count' (aantal_min: a number of choices to reach)."""
    out = []
    for leaf in compares:
        values = leaf.value if isinstance(leaf.value, tuple) else (leaf.value,)
        role = OPERATORS[leaf.op].witness
        out += [(role, v) for v in values]
    return out


def _strategy(q: Question) -> str | None:
    """How one answer per class is picked for the question's type (questiontypes.py, `witness`); None
    for an unknown type."""
    qt = QUESTION_TYPES.get(q.type)
    return None if qt is None else qt.witness


# -- ordered values: one answer per class -------------------------------------------------------

def _integer_points(points, lo: int, hi: int) -> list[int]:
    """Integers in [lo, hi] that meet every class of the real thresholds `points`: each integral
    threshold, the first integer strictly between two consecutive thresholds, and one below the
    lowest and above the highest (when they exist)."""
    if lo > hi:
        return []
    ts = sorted({p for p in points if lo <= p <= hi})
    if not ts:
        return [min(max(0, lo), hi)]
    out = {int(t) for t in ts if t == int(t)}
    if lo < ts[0]:
        out.add(max(lo, math.ceil(ts[0]) - 1))  # the largest integer below the lowest threshold
    for a, b in zip(ts, ts[1:]):
        between = math.floor(a) + 1  # the smallest integer above a
        if between < b:
            out.add(between)
    if ts[-1] < hi:
        out.add(min(hi, math.floor(ts[-1]) + 1))
    return sorted(out)


def _real_points(points, lo: float, hi: float) -> list:
    """Numbers in [lo, hi] that meet every class of the thresholds `points`: each threshold, a number
    strictly between each two consecutive ones (when a float exists there), one below the lowest and
    one above the highest."""
    ts = sorted({p for p in points if lo <= p <= hi})
    if not ts:
        return [min(max(0, lo), hi)]
    out = set(ts)
    if lo < ts[0]:
        out.add(max(lo, ts[0] - 1))
    for a, b in zip(ts, ts[1:]):
        mid = (a + b) / 2
        if not a < mid < b:
            mid = math.nextafter(a, b)  # a and b (almost) adjacent floats
        if a < mid < b:
            out.add(mid)
    if ts[-1] < hi:
        out.add(min(hi, ts[-1] + 1))
    return sorted(out)


def _number_domain(consts: list, q: Question, integral: bool) -> list:
    lo = -MAX_NUMBER if q.minimum is None else max(q.minimum, -MAX_NUMBER)
    hi = MAX_NUMBER if q.maximum is None else min(q.maximum, MAX_NUMBER)
    points = [v for _, v in consts] + [b for b in (q.minimum, q.maximum) if b is not None]
    if integral:
        return _integer_points(points, math.ceil(lo), math.floor(hi))
    return _real_points(points, lo, hi)


def _window_months(consts: list) -> set[int]:
    return {v for role, v in consts if role == "window"}


def _fixed_dates(consts: list) -> set[dt.date]:
    return {v for role, v in consts if role != "window" and isinstance(v, dt.date)}


def _date_domain(fixed: set[dt.date], months: set[int], as_of: dt.date) -> list[dt.date]:
    """Days meeting every class of the field's fixed dates and of its windows [as-of - n months, as-of]."""
    points = {d.toordinal() for d in fixed}
    if months:
        points |= {as_of.toordinal()} | {months_before(as_of, m).toordinal() for m in months}
    if not points:
        points = {as_of.toordinal()}
    days = _integer_points(points, dt.date.min.toordinal(), dt.date.max.toordinal())
    return [dt.date.fromordinal(d) for d in days]


def _as_of_dates(date_fields) -> list[dt.date]:
    """The as-of dates worth trying, for the (fixed dates, windows) of each date field. Only a date
    field compared with both a window (binnen_maanden n) and a fixed date c depends on the as-of date
    a: on how each moving end e(a) (a itself, and a - n months) lies to c, counted as e(a) - c <= -2,
    -1, 0, 1, >= 2 days (the classes that decide the order of the ends and whether a day lies strictly
    between them; two moving ends are always at least a month apart). Each moving end only moves
    forward as a grows, so those classes change at a few as-of dates around c + n months; both sides
    of every change are tried, and every other as-of date has the classes of one of them. The caller
    bounds the pairs (MAX_DATE_PAIRS) before this runs."""
    found = {AS_OF}
    for fixed, months in date_fields:
        if not months or not fixed:
            continue
        for c, m in itertools.product(fixed, months | {0}):
            found |= _changes(c, m)
    return sorted(found)


def _changes(c: dt.date, months: int) -> set[dt.date]:
    """Both sides of each as-of date a where the class of months_before(a, months) - c changes (each
    day's class computed once)."""
    try:
        around = months_before(c, -months)  # months after c
    except ValueError:  # beyond the year 9999: no as-of date reaches c
        return set()
    days: list[dt.date | None] = []
    for k in range(-SCAN, SCAN + 1):
        try:
            days.append(around + k * DAY)
        except OverflowError:
            days.append(None)
    classes = [None if a is None else max(-2, min(2, (months_before(a, months) - c).days)) for a in days]
    out = set()
    for i in range(len(days) - 1):
        a, b = days[i], days[i + 1]
        if a is not None and b is not None and classes[i] != classes[i + 1]:
            out |= {a, b}
    return out


# -- the other types ----------------------------------------------------------------------------

def _choice_domain(consts: list, q: Question) -> list:
    mentioned = {v for _, v in consts}
    values = [v for v in q.values if v in mentioned]
    other = next((v for v in q.values if v not in mentioned), None)
    return values + ([other] if other is not None else [])


def _multi_parts(consts: list, q: Question) -> tuple[list, list, set]:
    """The values the rule asks for with `bevat` (in the question's order), the others, and the
    `aantal_min` counts."""
    asked_set = {v for role, v in consts if role == "member"}
    asked = [v for v in q.values if v in asked_set]
    others = [v for v in q.values if v not in asked_set]
    return asked, others, {n for role, n in consts if role == "count"}


def _extra_counts(n: int, counts: set, others: list) -> set[int]:
    """How many other values a subset of n asked values is filled up with: none, and to each count."""
    return {0} | {k - n for k in counts if 0 <= k - n <= len(others)}


def _multi_size(consts: list, q: Question) -> int:
    """The number of answers _multi_domain gives, without making them (each subset with each fill
    is a different answer, as asked and other values never overlap)."""
    asked, others, counts = _multi_parts(consts, q)
    return sum(math.comb(len(asked), n) * len(_extra_counts(n, counts, others)) for n in range(len(asked) + 1))


def _multi_domain(consts: list, q: Question) -> list:
    """Subsets of the values the rule asks for (`bevat`), each filled up with other values to reach
    each `aantal_min` count: what bevat and aantal_min can tell apart. The caller bounds the size
    first (_multi_size)."""
    asked, others, counts = _multi_parts(consts, q)
    out = set()
    for n in range(len(asked) + 1):
        for subset in itertools.combinations(asked, n):
            out |= {tuple(sorted(subset + tuple(others[:e]))) for e in _extra_counts(n, counts, others)}
    return sorted(out)


# One answer per class, per strategy of the question types (questiontypes.py, `witness`), for every
# strategy whose classes do not depend on the as-of date; 'days' (dates) is planned per as-of date in
# _dated_plans. Looked up when called, so each function can be replaced (the tests count calls).
_DOMAINS = {
    "booleans": lambda consts, q: [True, False],
    "integers": lambda consts, q: _number_domain(consts, q, integral=True),
    "reals": lambda consts, q: _number_domain(consts, q, integral=False),
    "texts": lambda consts, q: sorted({v for _, v in consts if isinstance(v, str)}) + ["\x00anders"],
    "choices": lambda consts, q: _choice_domain(consts, q),
    "subsets": lambda consts, q: _multi_domain(consts, q),
}
DATED = "days"  # the strategy of dates: its classes depend on the as-of date


def _domain(consts: list, q: Question) -> list | None:
    """One answer per class of a field's answers that does not depend on the as-of date (every type
    but datum; see the module text); None for an unknown type."""
    make = _DOMAINS.get(_strategy(q))
    return None if make is None else make(consts, q)


def _status_classes(refs: list[RuleRef]) -> list[Status]:
    """One status per group the norm's references `refs` to one rule cannot tell apart."""
    seen, out = set(), []
    for status in Status:
        if status == Status.ONBEKEND:
            key = ("onbekend",) + tuple(Status.ONBEKEND in r.statuses for r in refs)
        else:
            key = ("bekend",) + tuple(status in r.statuses for r in refs)
        if key not in seen:
            seen.add(key)
            out.append(status)
    return out


# -- the plan: every domain, and its size, before any search -------------------------------------

class _Plan(NamedTuple):
    conds: dict  # part name -> condition
    names: list[str]  # the fields, sorted
    ref_names: list[str]  # the rules the norm refers to, sorted
    plans: list  # (as_of, domains): the fields' domains then the referred rules' statuses


class _Leaves(NamedTuple):
    """A rule's leaves sorted out once: the comparisons per field (in part order), which parts
    compare each field how often, and the references per rule."""

    fields: set
    compares: dict  # path -> [Compare]
    parts: dict  # path -> {part name: comparisons of the field in that part}
    refs: dict  # rule id -> [RuleRef]


def _sort_leaves(conds: dict) -> _Leaves | TooComplex:
    found = {part: list(leaves(cond)) for part, cond in conds.items()}
    size = sum(comparisons(leaf) for part_leaves in found.values() for leaf in part_leaves)
    if size > MAX_COMPARISONS:
        return TooComplex(f"{_number(size)} vergelijkingen, hoogstens {MAX_COMPARISONS} per regel; een waarde in de "
                          "lijst van 'in' of 'niet_in' telt als één")
    out = _Leaves(set(), {}, {}, {})
    for part, part_leaves in found.items():
        for leaf in part_leaves:
            if isinstance(leaf, RuleRef):
                out.refs.setdefault(leaf.rule_id, []).append(leaf)
            elif hasattr(leaf, "field"):
                out.fields.add(leaf.field)
                if isinstance(leaf, Compare):
                    out.compares.setdefault(leaf.field, []).append(leaf)
                    counts = out.parts.setdefault(leaf.field, {})
                    counts[part] = counts.get(part, 0) + 1
    return out


def _too_many(limit: int, fields: int) -> TooComplex:
    return TooComplex(f"meer dan {_number(limit)} combinaties van antwoorden om na te gaan, op {fields} "
                      f"{'veld' if fields == 1 else 'velden'}")


def _bounds(path: str, q: Question, consts: list, parts: dict, limit: int) -> TooComplex | None:
    """The limits one field can break on its own, from counts alone."""
    strategy = _strategy(q)
    if strategy == DATED:
        fixed, months = _fixed_dates(consts), _window_months(consts)
        if fixed and months and len(fixed) * len(months) > MAX_DATE_PAIRS:
            return TooComplex(f"{len(fixed)} vaste datums × {len(months)} termijnen = "
                              f"{_number(len(fixed) * len(months))} vergelijkingen op één datumveld, "
                              f"'{_shown(path)}'; hoogstens {MAX_DATE_PAIRS}", max(parts, key=parts.get))
    if strategy == "subsets":
        size = _multi_size(consts, q)
        if size > limit:
            asked = len(_multi_parts(consts, q)[0])
            return TooComplex(f"{asked} waarden met 'bevat' op één meerkeuzeveld, '{_shown(path)}': "
                              f"{_number(size)} combinaties, hoogstens {_number(limit)}",
                              max(parts, key=parts.get))
    return None


def _plan(rule: Rule, questions: dict, limit: int) -> _Plan | TooComplex | None:
    """Every domain to try and how many combinations they make, or why the rule is too complex to
    check (found from counts before the work they stand for), or None for an unknown field."""
    conds = rule_conditions(rule)
    sorted_leaves = _sort_leaves(conds)
    if isinstance(sorted_leaves, TooComplex):
        return sorted_leaves
    names = sorted(sorted_leaves.fields)
    kinds, consts = {}, {}
    for path in names:
        q = questions.get(path) or TEAM_FIELDS.get(path)
        if q is None:
            return None
        kinds[path], consts[path] = q, _pairs(sorted_leaves.compares.get(path, []))
        too = _bounds(path, q, consts[path], sorted_leaves.parts.get(path, {}), limit)
        if too is not None:
            return too
    ref_names = sorted(sorted_leaves.refs)
    ref_domains = [_status_classes(sorted_leaves.refs[r]) for r in ref_names]
    static, dated = {}, {}
    product = math.prod(len(d) for d in ref_domains)
    for path in names:
        optional = [MISSING] if path not in TEAM_FIELDS else []  # team fields are always known
        if _strategy(kinds[path]) == DATED:
            dated[path] = (_fixed_dates(consts[path]), _window_months(consts[path]), optional)
            continue
        domain = _domain(consts[path], kinds[path])
        if domain is None:
            return None
        static[path] = domain + optional
        product *= len(static[path])
        if product > limit:  # every as-of date has at least these combinations
            return _too_many(limit, len(names))
    plans = _dated_plans(names, static, dated, ref_domains, limit)
    return _Plan(conds, names, ref_names, plans) if plans is not None else _too_many(limit, len(names))


def _dated_plans(names: list[str], static: dict, dated: dict, ref_domains: list, limit: int) -> list | None:
    """(as_of, domains) for every as-of date worth trying; None as soon as they come to more than
    `limit` combinations (each as-of date adds at least as many as it costs to make its domains)."""
    plans, total = [], 0
    for as_of in _as_of_dates((fixed, months) for fixed, months, _ in dated.values()):
        days = {path: _date_domain(fixed, months, as_of) + optional
                for path, (fixed, months, optional) in dated.items()}
        domains = [days[p] if p in days else static[p] for p in names] + ref_domains
        total += math.prod(len(d) for d in domains)
        if total > limit:
            return None
        plans.append((as_of, domains))
    return plans


# -- the search ---------------------------------------------------------------------------------

def _search(plan: _Plan) -> dict[Status, Witness]:
    found: dict[Status, Witness] = {}
    names, conds = plan.names, plan.conds
    for as_of, domains in plan.plans:
        for combo in itertools.product(*domains):
            env = {n: v for n, v in zip(names, combo) if v is not MISSING}
            statuses = dict(zip(plan.ref_names, combo[len(names):]))
            truths = {part: evaluate(c, env, statuses, as_of) for part, c in conds.items()}
            status = decide(truths)[0]
            if status not in found:
                found[status] = Witness(env, statuses, as_of)
                if len(found) == len(Status):
                    return found
    return found


def too_complex(rule: Rule, questions: dict, limit: int = LIMIT) -> TooComplex | None:
    """Why the rule is too large to check, or None (cheap: counts and domains, no search)."""
    plan = _plan(rule, questions, limit)
    return plan if isinstance(plan, TooComplex) else None


def witnesses(rule: Rule, questions: dict, limit: int = LIMIT) -> dict[Status, Witness] | None:
    """For every status the rule can produce, one situation that gives it; None when the rule is too
    complex to check within `limit` combinations (or a field is unknown)."""
    plan = _plan(rule, questions, limit)
    return _search(plan) if isinstance(plan, _Plan) else None


def reachable_statuses(rule: Rule, questions: dict, limit: int = LIMIT) -> set[Status] | None:
    """Every status the rule can produce, or None when that cannot be decided within the limits."""
    found = witnesses(rule, questions, limit)
    return None if found is None else set(found)


def check_norm(rule: Rule, questions: dict, limit: int = LIMIT) -> NormCheck:
    """The norm problems of a rule and its reachable statuses, from one search (or none at all when
    the rule is too complex to check: then the one problem is KT405)."""
    plan = _plan(rule, questions, limit)
    if isinstance(plan, TooComplex):
        return NormCheck([(Code.TOO_COMPLEX, f"deze regel is te complex om te controleren ({plan.what})", TOO_COMPLEX_HINT)],
                         None, plan)
    if plan is None:
        return NormCheck([], None, None)
    reach = set(_search(plan))
    return NormCheck(_problems(rule, reach), reach, None)


def norm_problems(rule: Rule, questions: dict, limit: int = LIMIT) -> list[tuple[str, str, str]]:
    """(code, message, hint) for norms that cannot be right, or that are too complex to check (KT405);
    empty when fine."""
    return check_norm(rule, questions, limit).problems


def _problems(rule: Rule, reach: set) -> list[tuple[str, str, str]]:
    out = []
    if rule.applies is not None and reach <= {Status.NVT, Status.ONBEKEND}:
        out.append((Code.NEVER_APPLIES, "'van_toepassing' is nooit waar: de eis is altijd n.v.t. of onbekend",
                    "Controleer de voorwaarde onder 'van_toepassing' (bv. een waarde die het veld niet kan hebben)."))
        return out
    if Status.VOLDOET not in reach:
        out.append((Code.NEVER_MEETS, "'voldoet' kan nooit waar worden, welke antwoorden het team ook geeft",
                    "Controleer de voorwaarde onder 'norm.voldoet' (tegenstrijdige delen, een drempel buiten "
                    "het bereik van de vraag)."))
    if rule.partly is not None and Status.DEELS not in reach:
        out.append((Code.NEVER_PARTLY, "'deels' kan nooit de uitkomst zijn: elke situatie waarin 'deels' waar is, voldoet "
                             "al volledig (of 'deels' is nooit waar)",
                    "Laat 'deels' ook situaties toelaten die niet aan 'voldoet' voldoen (bv. een lagere drempel), "
                    "of haal 'deels' weg."))
    if rule.applies is not None and Status.NVT not in reach:
        out.append((Code.ALWAYS_APPLIES, "'van_toepassing' is altijd waar (of onbekend): de eis is nooit n.v.t.",
                    "Haal 'van_toepassing' weg als de eis altijd geldt."))
    return out
