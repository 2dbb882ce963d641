"""Hypothesis strategies: valid assessments generated from a Kader's questions, and YAML-like junk."""

from __future__ import annotations

import datetime as dt

from hypothesis import strategies as st

from kadertoets.model import Assessment, Fact, Team


def value_for(question):
    t = question.type
    if t == "ja_nee":
        return st.booleans()
    if t == "geheel_getal":
        lo = int(question.minimum) if question.minimum is not None else -5
        hi = int(question.maximum) if question.maximum is not None else lo + 200
        return st.integers(min_value=lo, max_value=hi)
    if t == "getal":
        lo = question.minimum if question.minimum is not None else -5.0
        hi = question.maximum if question.maximum is not None else lo + 200.0
        return st.one_of(st.integers(min_value=int(lo), max_value=int(hi)),
                         st.floats(min_value=lo, max_value=hi, allow_nan=False, allow_infinity=False),
                         st.sampled_from([x for x in (0.0, 16.0, 16.5, 17.0, 1e-7, 0.78) if lo <= x <= hi]))
    if t == "tekst":
        return st.text(min_size=1, max_size=8)
    if t == "datum":
        return st.dates(min_value=dt.date(2019, 1, 1), max_value=dt.date(2025, 12, 31))
    if t == "keuze":
        return st.sampled_from(question.values)
    if t == "meerkeuze":
        return st.lists(st.sampled_from(question.values), unique=True).map(lambda xs: tuple(sorted(xs)))
    raise AssertionError(t)


def assessments(kader):
    """Valid Assessment objects over the Kader's questions, with a random subset of facts."""
    paths = sorted(kader.questions)

    @st.composite
    def build(draw):
        chosen = draw(st.lists(st.sampled_from(paths), unique=True, max_size=len(paths))) if paths else []
        facts = {p: Fact(draw(value_for(kader.questions[p]))) for p in chosen}
        tasks = {"jeugd": draw(st.booleans()), "wmo": draw(st.booleans())}
        reference = draw(st.dates(min_value=dt.date(2022, 1, 1), max_value=dt.date(2025, 12, 31)))
        team = Team("gegenereerd", "Gegenereerd team", "Testdorp", "Test", tasks)
        return Assessment("<gegenereerd>", kader.version, reference, team, {}, facts, ())

    return build()


yaml_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=20),
    st.dates(), st.sampled_from(["1.0", "ja", "nee", "2023-03-01", "KLT-VEI-02", "voldoet", "-", ""]),
)
yaml_keys = st.one_of(
    st.sampled_from(["kader", "peildatum", "team", "feiten", "transformatieplan", "id", "naam", "gemeente",
                     "organisatie", "taken", "jeugd", "wmo", "waarde", "toelichting", "eis", "status", "deadline",
                     "omschrijving", "eigenaar", "veiligheid.aandachtsfunctionarissen", "eigen_begeleiding.tenzij"]),
    st.text(max_size=10), st.integers(),
)
yaml_like = st.recursive(
    yaml_scalars,
    lambda children: st.one_of(st.lists(children, max_size=4), st.dictionaries(yaml_keys, children, max_size=5)),
    max_leaves=25,
)


def plan_actions(kader):
    """Random transformatieplan actions on the Kader's requirements (some with moved deadlines)."""
    from kadertoets.model import ACTION_STATUSES, MovedDeadline, PlanAction

    day = st.dates(min_value=dt.date(2022, 1, 1), max_value=dt.date(2025, 12, 31))
    action = st.builds(
        PlanAction,
        requirement=st.sampled_from(sorted(kader.rules)),
        description=st.text(min_size=1, max_size=12).map(str.strip).filter(bool),  # as the loader stores it
        owner=st.sampled_from(sorted(kader.roles) + ["Jan de Vries"]),
        deadline=st.one_of(st.none(), day),
        status=st.sampled_from(ACTION_STATUSES),
        moved=st.lists(st.builds(MovedDeadline, to=day), max_size=2).map(tuple),
    )
    return st.lists(action, max_size=6).map(tuple)


# Explicit YAML tags (standard, unknown, unsafe, verbatim, non-specific) and scalars that are easy to
# get wrong (YAML 1.1 booleans, Dutch numbers and dates, empty, huge, impossible): for "no crash on
# any input" and "a tag never changes a verdict silently".
YAML_TAGS = ["", "!!bool", "!!int", "!!float", "!!str", "!!null", "!!timestamp", "!!seq", "!!map", "!!binary",
             "!!set", "!!omap", "!!pairs", "!!merge", "!!value", "!foo", "!!python/name:os.system",
             "!!python/object/apply:os.system", "!<tag:yaml.org,2002:bool>", "!<tag:yaml.org,2002:int>", "!"]
ODD_SCALARS = ["ja", "'ja'", "yes", "y", "off", "''", "nee", "'-'", "'_'", "gisteren", "0x10", "0o7", "1e400",
               ".nan", ".inf", "-.inf", "~", "null", "true", "True", "false", "2023-02-30", "2023-03-01", "2022-1-5", "2022-01-05 10:00",
               "2023-03-01T10:00:00", "5", "0", "-1", "0,5", "85%", "15-6-2023", "'0.5'", "1_000", "007", "9" * 40,
               "\"\\e[2J\"", "{a: 1}", "[1, 2]", "abc", "-", "_", "1:30", "0b11", "+", ".", "'\t'"]


@st.composite
def _tagged_document(draw, depth=0):
    """Lines of `key: TAG SCALAR`, some nested one level, as YAML text."""
    keys = draw(st.lists(yaml_keys.filter(lambda k: isinstance(k, str) and k.isidentifier()) | st.sampled_from(
        ["peildatum", "kader", "waarde", "feiten", "team"]), min_size=1, max_size=5, unique=True))
    lines = []
    for key in keys:
        if depth == 0 and draw(st.booleans()):
            inner = draw(_tagged_document(depth=1))
            lines.append(f"{key}: {draw(st.sampled_from(['', '!!map', '!!seq', '!!set', '!!omap']))}".rstrip())
            lines.extend("  " + line for line in inner.splitlines())
        else:
            lines.append(f"{key}: {draw(st.sampled_from(YAML_TAGS))} {draw(st.sampled_from(ODD_SCALARS))}".rstrip())
    return "\n".join(lines) + "\n"


tagged_yaml_text = _tagged_document()
