"""The optional `durable` backend: the compiled conditions evaluated by durable-rules (a Rete engine).

It returns exactly what the `python` backend returns (True / False / None per top condition), but
the decision is made by durable-rules firing rules. durable-rules 2.0.28 (June 2020, unmaintained)
has pitfalls that were measured on this machine; this module works around each of them:

* Three-valued logic. durable only knows "a rule fired". Every condition C is compiled to two
  expressions, T(C) ("C is true") and F(C) ("C is false"): a field leaf gives T = present & op and
  F = present & negated op; `alle` gives T = AND T(ci), F = OR F(ci); `een_van` the dual; `niet`
  swaps T and F. Onbekend = neither fired. T and F are expanded to disjunctive normal form and
  every DNF term becomes one durable rule (so no nested `$or`/`$and`, which durable refuses to
  compile beyond a few levels, error 113).
* `$nex` alone hangs, and a test on a missing property silently does not match: presence is an
  explicit field `p = 1/0`, every property a rule tests is always in the fact (a placeholder of
  the same type when the value is absent, never decisive because the presence test fails first),
  and every durable rule starts with the positive equality `kt_run == 1`. A rule 'seen' (only
  that anchor) fires for every fact, so an unhandled fact is an error, not a silent onbekend.
* Mixed types ("9" >= 10 is true in durable): every value is normalised in Python to one durable
  type per kind of test, and the types are asserted again here: numbers become doubles (ints up
  to 2**53, so exactly as Python compares them), ja/nee 1/0, tekst and keuze a hex string (only
  equality is ever tested on them; hex cannot look like a number nor need JSON escapes), datum an
  ISO string (string order is date order), meerkeuze one 1/0 flag per tested value plus a count.
  `binnen_maanden` uses the date's "months before the peildatum" (an integer, -1 when after it):
  pure value normalisation, the comparison with the number of months is made by durable.
  Each type names its encoding ('flag', 'double', 'hex', 'iso', 'members') in
  evaluate/questiontypes.py, and each operator what it reads and which durable comparison makes it
  true in evaluate/operators.py; this module implements the encodings and the reads.
* Floats with an exponent are refused by durable (error 204), also inside a rule definition, and
  durable's Python layer serialises with `json.dumps`. This module writes the ruleset and the fact
  JSON itself (fixed notation, e.g. 1e-07 -> 0.0000001) and passes it straight to the C engine.
* A fact that matches more than 64 alpha nodes below one node of a ruleset fails (error 303; see
  ALPHA_LIMIT). Each (rule, part) gets its own ruleset(s); a large condition is split into chunks of
  at most ALPHA_BUDGET alpha nodes: a chunk is evaluated first and its outcome (1 / 0 / 2 for
  onbekend) is an input field of its parent chunk. Kleene `alle`/`een_van` are associative, so long
  lists are regrouped.
* One `Host` per process (each Host leaks about 3 MB): `DurableBackend.shared()`. `Host.__init__`
  starts two `threading.Timer` loops (`Host._run`: dispatch and timers) that poll every ruleset
  forever; the subclass `_QuietHost` overrides `_run` so no background thread ever runs. Actions
  run synchronously inside our assert call (`Ruleset.do_actions`), which is all we need.
* Compiled once: the rulesets of a (rule id, part, condition) are cached for the process (about
  60-140 KB each inside durable; the shipped Kader needs about 60).
* One fact per ruleset per call, asserted and then retracted in the same call (never batches,
  never `delete_state`, which crashed the background threads).
* durable swallows exceptions raised in actions (it stores them in the session state). Our actions
  catch everything themselves, collect it, and the call raises after the assert.
* Sharing one Host between threads gave wrong results: a lock serialises all use.
* Anything failing inside durable becomes a KaderFout with a Dutch message and the hint to use
  `--engine python`, never a raw traceback.

durable-rules is imported lazily, so this module imports (and `durable_unavailable_reason` answers)
where the package is missing or broken.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import itertools
import math
import sys
import threading
from decimal import Decimal

from kadertoets.evaluate.conditions import All, Any_, Compare, Not, Present, RuleRef
from kadertoets.infra.errors import KaderFout
from kadertoets.evaluate.evaluation import rule_conditions
from kadertoets.evaluate.operators import OPERATORS, months_before
from kadertoets.evaluate.questiontypes import QUESTION_TYPES
from kadertoets.model import Status
from kadertoets.infra.records import record
from kadertoets.infra.cli_names import suggest

HINT = f"Gebruik {suggest('--motor')} python."

# Measured on durable-rules 2.0.28 (python 3.11, x86_64): a ruleset whose rules are
# `kt_run == 1 & f<i> == 1` for i < N, and a fact matching all of them, works for N <= 64 and
# fails with "Could not assert fact, error code: 303" for N = 65 (the same for one rule with an
# `$or` of N matching alternatives, and for `>=` tests); a chain of 130 `$and` tests is fine, and
# so is `$or` of 9 x `$or` of 9 (81 matching paths, at most 9 below any node). So the limit is 64
# alpha nodes that match at the same time below one node (durable's traversal stack).
# tests/test_durable_backend.py re-measures it (test_measured_alpha_limit).
ALPHA_LIMIT = 64
# We stay well under it: a ruleset holds at most this many alpha tests in total, counted without
# any sharing (every DNF term, with its anchor, plus the 'seen' rule), so no traversal of the
# ruleset can ever hold more than this many matching nodes.
ALPHA_BUDGET = 32

MAX_EXACT_INT = 2**53  # ints beyond this are not exact as the doubles durable compares
SID = "kadertoets"
UNKNOWN_SUB = 2  # value of a chunk-result field when the chunk is onbekend (matches neither 1 nor 0)

# RuleRef: statuses as small ints. A missing status counts as onbekend (as in eval_leaf); a value
# that is not a Status at all is "other" (never in the wanted set, so false).
STATUS_CODES = {s: i for i, s in enumerate(Status)}
OTHER_STATUS = len(STATUS_CODES)


def durable_unavailable_reason() -> str | None:
    """Why durable-rules cannot be used here (Dutch), or None when it can. Never raises."""
    try:
        if sys.version_info >= (3, 13):
            version = ".".join(str(x) for x in sys.version_info[:2])
            return f"durable-rules 2.0.28 werkt niet op Python {version} (alleen op 3.11 en 3.12)"
        if importlib.util.find_spec("durable") is None:
            return "het pakket durable-rules is niet geïnstalleerd"
        try:
            import durable_rules_engine  # noqa: F401  (the C extension)
            from durable import engine
        except BaseException as exc:  # noqa: BLE001 - any import failure is a reason, e.g. a broken build
            return f"durable-rules laadt niet ({type(exc).__name__}: {exc})"
        missing = [name for name in ("_run", "register_rulesets") if not hasattr(engine.Host, name)]
        missing += [name for name in ("do_actions", "_handle_result") if not hasattr(engine.Ruleset, name)]
        if missing:
            return ("deze versie van durable-rules wijkt af van 2.0.28 (ontbreekt: " + ", ".join(missing) + ")")
        return None
    except BaseException as exc:  # noqa: BLE001 - must never raise
        return f"durable-rules kan niet gecontroleerd worden ({type(exc).__name__}: {exc})"


def _fail(message: str, exc: BaseException | None = None) -> KaderFout:
    text = f"de durable-rules-engine: {message}"
    if exc is not None:
        text += f" ({type(exc).__name__}: {exc})"
    return KaderFout.single(text, hint=HINT)


# ------------------------------------------------------------ JSON we write ourselves --------
def _j_int(i: int) -> str:
    assert isinstance(i, int) and not isinstance(i, bool) and abs(i) <= MAX_EXACT_INT, i
    return str(i)


def _j_double(x) -> str:
    """A number as a JSON double in fixed notation (durable refuses exponents)."""
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        raise TypeError(f"geen getal: {x!r}")
    if isinstance(x, int):
        if abs(x) > MAX_EXACT_INT:
            raise ValueError(f"geheel getal {x} is te groot om exact te vergelijken")
        x = float(x)
    if not math.isfinite(x):
        raise ValueError(f"getal {x} is niet eindig")
    if x == 0:
        x = 0.0  # -0.0 == 0.0 in Python; do not depend on how durable hashes the sign
    text = format(Decimal(repr(x)), "f")  # shortest round-trip digits, never an exponent
    return text if "." in text else text + ".0"


def _j_str(s: str) -> str:
    """A string we generated (hex, ISO date, names): ASCII without quotes or backslashes."""
    assert s.isascii() and '"' not in s and "\\" not in s, s
    return '"' + s + '"'


def _hex(s: str) -> str:
    return "s" + s.encode("utf-8").hex()


# ------------------------------------------------------------ value normalisation ------------
# Each question type names its encoding (questiontypes.py, `durable`); these are the encodings of one
# scalar value. 'members' (meerkeuze) has none: a fact holds a 1/0 flag per tested value and a count.

def _bad_type(field: str, ftype: str, value) -> KaderFout:
    return _fail(f"veld '{field}' (type {ftype}) heeft een waarde van het verkeerde type: {value!r}")


def _encode_flag(field: str, ftype: str, value) -> str:
    if not isinstance(value, bool):
        raise _bad_type(field, ftype, value)
    return "1" if value else "0"


def _encode_double(field: str, ftype: str, value) -> str:
    try:
        return _j_double(value)
    except (TypeError, ValueError) as exc:
        raise _fail(f"veld '{field}' (type {ftype}): {exc}") from None


def _encode_hex(field: str, ftype: str, value) -> str:
    if not isinstance(value, str):
        raise _bad_type(field, ftype, value)
    return _j_str(_hex(value))


def _encode_iso(field: str, ftype: str, value) -> str:
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise _bad_type(field, ftype, value)
    return _j_str(value.isoformat())


_ENCODERS = {"flag": _encode_flag, "double": _encode_double, "hex": _encode_hex, "iso": _encode_iso}


def _scalar(field: str, ftype: str, value) -> str:
    """The JSON text of a scalar value of a field of type ftype (a fact value or a rule constant)."""
    qt = QUESTION_TYPES.get(ftype)
    encode = _ENCODERS.get(qt.durable) if qt is not None else None
    if encode is None:
        raise _fail(f"veld '{field}': type {ftype} kan niet vergeleken worden")
    return encode(field, ftype, value)


def _placeholder(ftype: str) -> str:
    """The JSON text standing in for an absent value (never decisive: the presence test fails first)."""
    return QUESTION_TYPES[ftype].durable_placeholder


def _months_ago(day: dt.date, as_of: dt.date) -> int:
    """The smallest m >= 0 with months_before(as_of, m) <= day, or -1 when day is after as_of.

    months_before(as_of, m) is strictly decreasing in m (each step is an earlier month), so
    `months_before(as_of, n) <= day <= as_of` holds exactly when 0 <= _months_ago(day, as_of) <= n.
    """
    if day > as_of:
        return -1
    m0 = (as_of.year * 12 + as_of.month) - (day.year * 12 + day.month)  # months_before(as_of, m0) is in day's month
    return m0 if months_before(as_of, m0) <= day else m0 + 1


def _members(field: str, ftype: str, value) -> tuple:
    """The chosen values of a 'members' field (a list of choices)."""
    if not isinstance(value, (tuple, list)) or not all(isinstance(v, str) for v in value):
        raise _bad_type(field, ftype, value)
    return tuple(value)


# ------------------------------------------------------------ planning IR --------------------
# A slot is one property of the fact, identified by what it means:
#   ("p", field)          1 / 0: the field has a value
#   ("v", field, ftype)   the normalised scalar value
#   ("k", field, ftype)   months before the peildatum (binnen_maanden), -1 if after it
#   ("n", field, ftype)   number of chosen values (meerkeuze)
#   ("b", field, ftype, value)   1 / 0: the meerkeuze contains value
#   ("r", rule_id)        status code of another rule
#   ("s", index)          outcome of an earlier chunk: 1 true, 0 false, 2 onbekend
# An atom is (slot, durable operator, JSON text of the constant). A term is a tuple of atoms (AND);
# a DNF is a list of terms (OR).

@record
class _Atomic:
    true: tuple  # DNF of "this leaf is true"
    false: tuple  # DNF of "this leaf is false"
    sub: bool = False  # a reference to an earlier chunk


@record
class _And:
    parts: tuple


@record
class _Or:
    parts: tuple


@record
class _Neg:
    part: object


_NEGATE = {"$eq": "$neq", "$neq": "$eq", "$gte": "$lt", "$lt": "$gte", "$lte": "$gt", "$gt": "$lte"}


def _leaf(cond):
    """A leaf of the condition IR as an _Atomic (or a small tree for in/niet_in)."""
    if isinstance(cond, Present):
        present = ("p", cond.field)
        want = 1 if cond.expected else 0
        return _Atomic(((((present, "$eq", _j_int(want)),),)), ((((present, "$eq", _j_int(1 - want)),),)))
    if isinstance(cond, RuleRef):
        wanted = set(cond.statuses)
        true_codes = [STATUS_CODES[s] for s in Status if s in wanted]
        false_codes = [STATUS_CODES[s] for s in Status if s not in wanted and s != Status.ONBEKEND] + [OTHER_STATUS]
        slot = ("r", cond.rule_id)
        return _Atomic(tuple(((slot, "$eq", _j_int(c)),) for c in true_codes),
                       tuple(((slot, "$eq", _j_int(c)),) for c in false_codes))
    if not isinstance(cond, Compare):
        raise _fail(f"onbekend soort voorwaarde {type(cond).__name__}")
    f, op, value, ftype = cond.field, cond.op, cond.value, cond.ftype
    spec = OPERATORS.get(op)
    if spec is None or spec.test is None:
        raise _fail(f"onbekende operator '{op}' op veld '{f}'")
    present = (("p", f), "$eq", "1")
    if spec.each:
        # OR / AND of equalities (same Kleene value: all parts are onbekend exactly when the field is absent)
        if not isinstance(value, tuple) or not value:
            raise _fail(f"'{op}' op veld '{f}' verwacht een niet-lege lijst")
        parts = tuple(_leaf(Compare(f, spec.each, v, ftype)) for v in value)
        return _Or(parts) if spec.any_of else _And(parts)
    if not spec.fits(ftype):
        raise _fail(f"'{op}' op veld '{f}' van type {ftype}")
    reads, dop = spec.durable.reads, spec.durable.op
    if reads == "value":
        slot = ("v", f, ftype)
        const = _scalar(f, ftype, value)
        return _Atomic((((present, (slot, dop, const)),)), (((present, (slot, _NEGATE[dop], const)),)))
    if reads == "member":
        if not isinstance(value, str):
            raise _fail(f"'{op}' op veld '{f}' van type {ftype}")
        slot = ("b", f, ftype, value)
        return _Atomic((((present, (slot, dop, "1")),)), (((present, (slot, dop, "0")),)))
    if reads == "count":
        slot = ("n", f, ftype)
        const = _j_int(value)
        return _Atomic((((present, (slot, dop, const)),)), (((present, (slot, _NEGATE[dop], const)),)))
    if reads == "months" and dop == "window":
        slot = ("k", f, ftype)
        const = _j_int(value)
        return _Atomic((((present, (slot, "$gte", "0"), (slot, "$lte", const)),)),
                       (((present, (slot, "$lt", "0")), (present, (slot, "$gt", const)))))
    raise _fail(f"onbekende operator '{op}' op veld '{f}'")


def _lower(cond):
    """Condition IR -> planning IR."""
    if isinstance(cond, All):
        return _And(tuple(_lower(p) for p in cond.parts))
    if isinstance(cond, Any_):
        return _Or(tuple(_lower(p) for p in cond.parts))
    if isinstance(cond, Not):
        return _Neg(_lower(cond.part))
    return _leaf(cond)


def _size(node, positive: bool) -> tuple[int, int]:
    """(number of DNF terms, total atoms) of T(node) (positive) or F(node), without expanding."""
    if isinstance(node, _Atomic):
        dnf = node.true if positive else node.false
        return len(dnf), sum(len(t) for t in dnf)
    if isinstance(node, _Neg):
        return _size(node.part, not positive)
    sizes = [_size(p, positive) for p in node.parts]
    conjunction = isinstance(node, _And) == positive  # T(and) and F(or) are conjunctions
    if not conjunction:
        return sum(t for t, _ in sizes), sum(a for _, a in sizes)
    terms = math.prod(t for t, _ in sizes)
    atoms = sum(a * math.prod(t for j, (t, _) in enumerate(sizes) if j != i) for i, (_, a) in enumerate(sizes))
    return terms, atoms


def _cost(node) -> int:
    """Alpha tests of a ruleset for node, counted without sharing: each term plus its anchor, plus 'seen'."""
    t_terms, t_atoms = _size(node, True)
    f_terms, f_atoms = _size(node, False)
    return t_terms + t_atoms + f_terms + f_atoms + 1


def _dnf(node, positive: bool) -> list[tuple]:
    if isinstance(node, _Atomic):
        return list(node.true if positive else node.false)
    if isinstance(node, _Neg):
        return _dnf(node.part, not positive)
    dnfs = [_dnf(p, positive) for p in node.parts]
    if isinstance(node, _And) != positive:  # disjunction
        return [t for d in dnfs for t in d]
    return [tuple(itertools.chain.from_iterable(combo)) for combo in itertools.product(*dnfs)]


def _is_combinator(node) -> bool:
    while isinstance(node, _Neg):
        node = node.part
    return isinstance(node, (_And, _Or))


class _Planner:
    """Splits a condition into chunks that each fit in ALPHA_BUDGET; chunks[-1] is the root."""

    def __init__(self):
        self.chunks: list = []

    def _extract(self, node) -> _Atomic:
        self.chunks.append(node)
        slot = ("s", len(self.chunks) - 1)
        return _Atomic((((slot, "$eq", "1"),),), (((slot, "$eq", "0"),),), sub=True)

    def fit(self, node):
        if isinstance(node, _Atomic):
            return node
        if isinstance(node, _Neg):
            return _Neg(self.fit(node.part))
        kind = type(node)
        parts = [self.fit(p) for p in node.parts]
        while True:
            current = kind(tuple(parts))
            if _cost(current) <= ALPHA_BUDGET:
                return current
            # 1. move the most expensive sub-condition into its own chunk
            combos = [i for i, p in enumerate(parts) if _is_combinator(p)]
            if combos:
                i = max(combos, key=lambda j: _cost(parts[j]))
                parts[i] = self._extract(parts[i])
                continue
            # 2. regroup a long list: consecutive parts into groups that fit (Kleene and/or are associative)
            groups, group = [], []
            for p in parts:
                if group and _cost(kind(tuple(group + [p]))) > ALPHA_BUDGET:
                    groups.append(group)
                    group = []
                group.append(p)
            groups.append(group)
            if any(len(g) > 1 for g in groups) and len(groups) < len(parts):
                parts = [g[0] if len(g) == 1 else self._extract(kind(tuple(g))) for g in groups]
                continue
            # 3. a few wide leaves (e.g. rule references with several statuses): chunk the widest
            leaves = [i for i, p in enumerate(parts) if not (isinstance(p, _Atomic) and p.sub)]
            if not leaves:
                raise _fail("voorwaarde kan niet opgesplitst worden")
            i = max(leaves, key=lambda j: _cost(parts[j]))
            parts[i] = self._extract(parts[i])

    def plan(self, node) -> list:
        root = self.fit(node)
        self.chunks.append(root)
        return self.chunks


# ------------------------------------------------------------ durable glue -------------------
_HOST_CLASS = None


def _host_class():
    """engine.Host without its background loop (created lazily: durable may be absent)."""
    global _HOST_CLASS
    if _HOST_CLASS is None:
        from durable import engine

        class _QuietHost(engine.Host):
            # Host.__init__ ends with self._run(), which starts two threading.Timer loops that poll
            # every ruleset for queued actions and timers, forever. We never queue anything (actions
            # run synchronously in our assert call) and use no timers: start nothing.
            def _run(self):
                self._d_timer = None
                self._t_timer = None

        _HOST_CLASS = _QuietHost
    return _HOST_CLASS


def _make_ruleset(host, name: str, definition_json: str, actions: dict):
    """A durable Ruleset from JSON text we wrote (Ruleset.__init__ would json.dumps the definition)."""
    import durable_rules_engine
    from durable import engine

    rs = engine.Ruleset.__new__(engine.Ruleset)
    rs._name = name
    rs._host = host
    rs._actions = {rule_name: engine.Promise(fn) for rule_name, fn in actions.items()}
    rs._definition = definition_json
    rs._handle = durable_rules_engine.create_ruleset(name, definition_json)
    # registered like Host.register_rulesets does (no storage callbacks are ever set on our host)
    host._ruleset_directory[name] = rs
    host._ruleset_list.append(rs)
    return rs


def _run_json(rs, native, text: str):
    """Assert or retract (native) one fact given as JSON text, and run the actions it triggers now."""
    outcome = []
    state_handle = rs._handle_result(native(rs._handle, text), text)
    rs.do_actions(state_handle, lambda error, _state: outcome.append(error))
    if outcome and outcome[0]:
        error = outcome[0]
        raise error if isinstance(error, BaseException) else RuntimeError(str(error))


@record(frozen=False)
class _Chunk:
    name: str  # ruleset name
    slots: tuple  # ((fact key, slot), ...)
    ruleset: object
    alpha: int  # alpha tests in the ruleset, counted without sharing


@record(frozen=False)
class _Compiled:
    rule_id: str
    part: str
    chunks: list  # evaluated in order; the last one is the condition itself


def _atom_json(key: str, op: str, const: str) -> str:
    if op == "$eq":
        return '{"%s":%s}' % (key, const)
    return '{"%s":{"%s":%s}}' % (op, key, const)


class DurableBackend:
    name = "durable"
    _shared: "DurableBackend | None" = None
    _shared_lock = threading.Lock()

    @classmethod
    def shared(cls) -> "DurableBackend":
        """The one instance (one durable Host) of this process."""
        with cls._shared_lock:
            if cls._shared is None:
                cls._shared = cls()
            return cls._shared

    def __init__(self):
        reason = durable_unavailable_reason()
        if reason:
            raise _fail(f"kan niet draaien: {reason}")
        try:
            self._host = _host_class()()
        except Exception as exc:
            raise _fail("starten mislukt", exc) from exc
        self._lock = threading.Lock()
        self._compiled: dict = {}
        self._counter = itertools.count(1)
        self._fired: set | None = None  # kinds fired for the fact being asserted
        self._fact_id: str | None = None
        self._errors: list = []

    # -- compile ----------------------------------------------------------------------------
    def _compile(self, rule_id: str, part: str, cond) -> _Compiled:
        key = (rule_id, part, cond)
        compiled = self._compiled.get(key)
        if compiled is None:
            nodes = _Planner().plan(_lower(cond))
            chunks = [self._compile_chunk(rule_id, part, node) for node in nodes]
            compiled = self._compiled[key] = _Compiled(rule_id, part, chunks)
        return compiled

    def _compile_chunk(self, rule_id: str, part: str, node) -> _Chunk:
        name = f"kt{next(self._counter)}"
        slots: dict = {}

        def key_of(slot):
            if slot not in slots:
                slots[slot] = f"a{len(slots)}"
            return slots[slot]

        rules, actions, alpha = [], {}, 1  # 1: the 'seen' rule
        for kind, dnf in (("t", _dnf(node, True)), ("f", _dnf(node, False))):
            # duplicate atoms in a term and duplicate terms only cost alpha nodes: drop them
            for i, term in enumerate(dict.fromkeys(tuple(dict.fromkeys(t)) for t in dnf)):
                tests = ['{"kt_run":1}'] + [_atom_json(key_of(slot), op, const) for slot, op, const in term]
                alpha += len(tests)
                rule_name = f"{kind}{i}"
                rules.append('"%s":{"all":[{"m":{"$and":[%s]}}]}' % (rule_name, ",".join(tests)))
                actions[rule_name] = self._action(kind)
        # fires for every fact: proves the fact reached the rules and keeps it "handled"
        rules.append('"seen":{"all":[{"m":{"kt_run":1}}]}')
        actions["seen"] = self._action("seen")
        if alpha > ALPHA_BUDGET:  # the planner guarantees this; checked on what is emitted
            raise _fail(f"ruleset voor {rule_id} ({part}) is te groot ({alpha} alpha-tests)")
        definition = "{" + ",".join(rules) + "}"
        try:
            ruleset = _make_ruleset(self._host, name, definition, actions)
        except Exception as exc:
            raise _fail(f"de regels van {rule_id} ({part}) compileren niet", exc) from exc
        return _Chunk(name, tuple((k, s) for s, k in slots.items()), ruleset, alpha)

    def _action(self, kind: str):
        # one positional parameter: durable's Promise runs a 2-parameter function asynchronously
        def action(c):
            try:
                self._on_fire(kind, c)
            except BaseException as exc:  # noqa: BLE001 - durable would swallow it; we re-raise later
                self._errors.append(exc)

        return action

    def _on_fire(self, kind: str, c) -> None:
        fact_id = c.m["id"] if c.m is not None else None
        if self._fired is None or fact_id != self._fact_id:
            raise RuntimeError(f"actie '{kind}' vuurde voor een onverwacht feit ({fact_id!r})")
        self._fired.add(kind)

    # -- evaluate ---------------------------------------------------------------------------
    def truths(self, rules, env, statuses, as_of) -> dict:
        if isinstance(as_of, dt.datetime) or not isinstance(as_of, dt.date):
            raise _fail(f"peildatum {as_of!r} is geen datum")
        with self._lock:
            try:
                out = {}
                for rule in rules:
                    parts = {}
                    for part, cond in rule_conditions(rule).items():
                        parts[part] = self._evaluate(self._compile(rule.id, part, cond), env, statuses, as_of)
                    out[rule.id] = parts
                return out
            except KaderFout:
                raise
            except Exception as exc:
                raise _fail("evaluatie mislukt", exc) from exc

    def _evaluate(self, compiled: _Compiled, env, statuses, as_of):
        results: list = []
        for chunk in compiled.chunks:
            fields = ",".join('"%s":%s' % (key, self._slot_value(slot, env, statuses, as_of, results))
                              for key, slot in chunk.slots)
            results.append(self._fire(compiled, chunk, fields))
        return results[-1]

    def _slot_value(self, slot, env, statuses, as_of, results) -> str:
        kind, ref = slot[0], slot[1]
        if kind == "s":
            t = results[ref]
            return "1" if t is True else "0" if t is False else str(UNKNOWN_SUB)
        if kind == "r":
            status = statuses.get(ref)
            if status is None:
                status = Status.ONBEKEND
            elif not isinstance(status, Status):
                try:
                    status = Status(status)
                except ValueError:
                    return str(OTHER_STATUS)
            return str(STATUS_CODES[status])
        present = ref in env
        if kind == "p":
            return "1" if present else "0"
        value = env.get(ref)
        if kind == "v":
            ftype = slot[2]
            return _scalar(ref, ftype, value) if present else _placeholder(ftype)
        if kind == "k":
            if not present:
                return "0"
            if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
                raise _bad_type(ref, slot[2], value)
            return _j_int(_months_ago(value, as_of))
        if kind == "n":
            return _j_int(len(_members(ref, slot[2], value))) if present else "0"
        if kind == "b":
            return ("1" if slot[3] in _members(ref, slot[2], value) else "0") if present else "0"
        raise _fail(f"onbekend soort invoerveld {kind}")

    def _fire(self, compiled: _Compiled, chunk: _Chunk, fields: str):
        import durable_rules_engine

        fact_id = str(next(self._counter))
        text = '{"sid":"%s","id":"%s","kt_run":1%s}' % (SID, fact_id, ("," + fields) if fields else "")
        where = f"{compiled.rule_id} ({compiled.part})"
        self._fired, self._fact_id, self._errors = set(), fact_id, []
        try:
            try:
                _run_json(chunk.ruleset, durable_rules_engine.assert_fact, text)
            except Exception as exc:
                try:  # it may be stored even so; never leave it behind
                    _run_json(chunk.ruleset, durable_rules_engine.retract_fact, text)
                except Exception:  # noqa: BLE001 - the assert error is the one to report
                    pass
                raise _fail(f"feit toevoegen mislukt voor {where}", exc) from exc
            try:
                _run_json(chunk.ruleset, durable_rules_engine.retract_fact, text)
            except Exception as exc:
                raise _fail(f"feit intrekken mislukt voor {where}", exc) from exc
            fired, errors = self._fired, self._errors
        finally:
            self._fired, self._fact_id = None, None
        if errors:
            first = errors[0]
            if not isinstance(first, Exception):  # KeyboardInterrupt, SystemExit: let them through
                raise first
            raise _fail(f"fout in een actie voor {where}", first) from first
        if "seen" not in fired:
            raise _fail(f"de regels voor {where} zagen het feit niet")
        if "t" in fired and "f" in fired:
            raise _fail(f"voorwaarde van {where} is tegelijk waar en onwaar")
        return True if "t" in fired else False if "f" in fired else None
