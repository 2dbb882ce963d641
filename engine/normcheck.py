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

Every combination is evaluated with the engine's own evaluate() and decide(), so the analysis cannot
disagree with it, and each status found comes with its witness (the facts that give it). When there
are too many combinations, the rule is left undecided (never guessed).

Pure: Rule and questions in, the set of reachable statuses (or None) out.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from typing import NamedTuple

from .conditions import Compare, RuleRef, TEAM_FIELDS, evaluate, leaves, months_before
from .evaluate import decide, rule_conditions
from .model import Question, Rule, Status
from .schema import MAX_NUMBER

MISSING = object()
AS_OF = dt.date(2024, 1, 1)  # the as-of date tried when the outcome does not depend on which one it is
LIMIT = 20_000  # combinations per rule; beyond: undecided
DAY = dt.timedelta(days=1)


class Witness(NamedTuple):
    """A situation that gives a status: the facts (unanswered fields left out), the statuses of the
    rules the norm refers to, and the as-of date."""

    facts: dict
    statuses: dict
    as_of: dt.date


def _compares(rule: Rule, path: str) -> list[Compare]:
    out = []
    for cond in (rule.applies, rule.meets, rule.partly):
        if cond is not None:
            out += [leaf for leaf in leaves(cond) if isinstance(leaf, Compare) and leaf.field == path]
    return out


def _constants(rule: Rule, path: str) -> list:
    """(operator, constant) for every comparison of the field (in/niet_in give one pair per value)."""
    out = []
    for leaf in _compares(rule, path):
        values = leaf.value if isinstance(leaf.value, tuple) else (leaf.value,)
        out += [(leaf.op, v) for v in values]
    return out


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


def _number_domain(rule: Rule, path: str, q: Question) -> list:
    lo = -MAX_NUMBER if q.minimum is None else max(q.minimum, -MAX_NUMBER)
    hi = MAX_NUMBER if q.maximum is None else min(q.maximum, MAX_NUMBER)
    points = [v for _, v in _constants(rule, path)] + [b for b in (q.minimum, q.maximum) if b is not None]
    if q.type == "geheel_getal":
        return _integer_points(points, math.ceil(lo), math.floor(hi))
    return _real_points(points, lo, hi)


def _window_months(rule: Rule, path: str) -> set[int]:
    return {leaf.value for leaf in _compares(rule, path) if leaf.op == "binnen_maanden"}


def _fixed_dates(rule: Rule, path: str) -> set[dt.date]:
    return {v for op, v in _constants(rule, path) if op != "binnen_maanden" and isinstance(v, dt.date)}


def _date_domain(rule: Rule, path: str, as_of: dt.date) -> list[dt.date]:
    """Days meeting every class of the field's fixed dates and of its windows [as-of - n months, as-of]."""
    points = {d.toordinal() for d in _fixed_dates(rule, path)}
    months = _window_months(rule, path)
    if months:
        points |= {as_of.toordinal()} | {months_before(as_of, m).toordinal() for m in months}
    if not points:
        points = {as_of.toordinal()}
    days = _integer_points(points, dt.date.min.toordinal(), dt.date.max.toordinal())
    return [dt.date.fromordinal(d) for d in days]


def _as_of_dates(rule: Rule, paths) -> list[dt.date]:
    """The as-of dates worth trying. Only a date field compared with both a window (binnen_maanden n)
    and a fixed date c depends on the as-of date a: on how each moving end e(a) (a itself, and a - n
    months) lies to c, counted as e(a) - c <= -2, -1, 0, 1, >= 2 days (the classes that decide the
    order of the ends and whether a day lies strictly between them; two moving ends are always at
    least a month apart). Each moving end only moves forward as a grows, so those classes change at a
    few as-of dates around c + n months; both sides of every change are tried, and every other as-of
    date has the classes of one of them."""
    found = {AS_OF}
    for path in paths:
        months, fixed = _window_months(rule, path), _fixed_dates(rule, path)
        if not months or not fixed:
            continue
        for c, m in itertools.product(fixed, months | {0}):
            found |= _changes(c, m)
    return sorted(found)


def _changes(c: dt.date, months: int) -> set[dt.date]:
    """Both sides of each as-of date a where the class of months_before(a, months) - c changes."""
    def cls(a: dt.date) -> int:
        return max(-2, min(2, (months_before(a, months) - c).days))

    try:
        around = months_before(c, -months)  # months after c
    except ValueError:  # beyond the year 9999: no as-of date reaches c
        return set()
    out = set()
    for k in range(-40, 40):
        try:
            a, b = around + k * DAY, around + (k + 1) * DAY
        except OverflowError:
            continue
        if cls(a) != cls(b):
            out |= {a, b}
    return out


# -- the other types ----------------------------------------------------------------------------

def _choice_domain(rule: Rule, path: str, q: Question) -> list:
    mentioned = {v for _, v in _constants(rule, path)}
    values = [v for v in q.values if v in mentioned]
    other = next((v for v in q.values if v not in mentioned), None)
    return values + ([other] if other is not None else [])


def _multi_domain(rule: Rule, path: str, q: Question, limit: int) -> list | None:
    """Subsets of the values the rule asks for (`bevat`), each filled up with other values to reach
    each `aantal_min` count: what bevat and aantal_min can tell apart."""
    asked = sorted({v for op, v in _constants(rule, path) if op == "bevat"}, key=q.values.index)
    others = [v for v in q.values if v not in asked]
    counts = {n for op, n in _constants(rule, path) if op == "aantal_min"}
    if 2 ** len(asked) > limit:
        return None
    out = set()
    for n in range(len(asked) + 1):
        for subset in itertools.combinations(asked, n):
            extra = {0} | {k - n for k in counts if 0 <= k - n <= len(others)}
            out |= {tuple(sorted(subset + tuple(others[:e]))) for e in extra}
    return sorted(out)


def _domain(rule: Rule, path: str, q: Question, as_of: dt.date, limit: int = LIMIT) -> list | None:
    """One answer per class of the field's answers (see the module text); None for an unknown type."""
    t = q.type
    if t == "ja_nee":
        return [True, False]
    if t == "keuze":
        return _choice_domain(rule, path, q)
    if t == "meerkeuze":
        return _multi_domain(rule, path, q, limit)
    if t in ("geheel_getal", "getal"):
        return _number_domain(rule, path, q)
    if t == "datum":
        return _date_domain(rule, path, as_of)
    if t == "tekst":
        return sorted({v for _, v in _constants(rule, path) if isinstance(v, str)}) + ["\x00anders"]
    return None


def _status_classes(rule: Rule, rule_id: str) -> list[Status]:
    """One status per group the norm's references to `rule_id` cannot tell apart."""
    refs = [leaf for cond in rule_conditions(rule).values() for leaf in leaves(cond)
            if isinstance(leaf, RuleRef) and leaf.rule_id == rule_id]
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


# -- the search ---------------------------------------------------------------------------------

def witnesses(rule: Rule, questions: dict, limit: int = LIMIT) -> dict[Status, Witness] | None:
    """For every status the rule can produce, one situation that gives it; None when that cannot be
    decided within `limit` combinations (or a field is unknown)."""
    conds = rule_conditions(rule)
    fields, refs = set(), set()
    for cond in conds.values():
        for leaf in leaves(cond):
            if isinstance(leaf, RuleRef):
                refs.add(leaf.rule_id)
            elif hasattr(leaf, "field"):
                fields.add(leaf.field)
    names = sorted(fields)
    kinds = {}
    for path in names:
        q = questions.get(path) or TEAM_FIELDS.get(path)
        if q is None:
            return None
        kinds[path] = q
    ref_names = sorted(refs)
    ref_domains = [_status_classes(rule, r) for r in ref_names]
    date_paths = [p for p in names if kinds[p].type == "datum"]
    plans = []  # (as_of, domains)
    total = 0
    for as_of in _as_of_dates(rule, date_paths):
        domains = []
        for path in names:
            domain = _domain(rule, path, kinds[path], as_of, limit)
            if domain is None:
                return None
            optional = path not in TEAM_FIELDS  # team fields are always known
            domains.append(domain + ([MISSING] if optional else []))
        domains += ref_domains
        size = math.prod(len(d) for d in domains)
        total += size
        if total > limit:
            return None
        plans.append((as_of, domains))
    found: dict[Status, Witness] = {}
    for as_of, domains in plans:
        for combo in itertools.product(*domains):
            env = {n: v for n, v in zip(names, combo) if v is not MISSING}
            statuses = dict(zip(ref_names, combo[len(names):]))
            truths = {part: evaluate(c, env, statuses, as_of) for part, c in conds.items()}
            status = decide(truths)[0]
            if status not in found:
                found[status] = Witness(env, statuses, as_of)
                if len(found) == len(Status):
                    return found
    return found


def reachable_statuses(rule: Rule, questions: dict, limit: int = LIMIT) -> set[Status] | None:
    """Every status the rule can produce, or None when that cannot be decided within `limit`."""
    found = witnesses(rule, questions, limit)
    return None if found is None else set(found)


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
                    "Laat 'deels' ook situaties toelaten die niet aan 'voldoet' voldoen (bv. een lagere drempel), "
                    "of haal 'deels' weg."))
    if rule.applies is not None and Status.NVT not in reach:
        out.append(("KT404", "'van_toepassing' is altijd waar (of onbekend): de eis is nooit n.v.t.",
                    "Haal 'van_toepassing' weg als de eis altijd geldt."))
    return out
