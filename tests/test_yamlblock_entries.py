"""replace_entries: a block written again entry by entry; an unchanged entry keeps its lines byte for
byte (ruamel alone would refold a long text), comments stay, the data reads back as asked."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings, strategies as st

from kadertoets.editors.yamlblock import replace_entries
from kadertoets.infra.yamlload import load_yaml_text
from kadertoets.infra.yamlwrite import dump

LONG = ("Een lange toelichting die over meerdere regels gevouwen wordt omdat ze veel langer is dan honderd "
        "tekens, zodat een herschrijving haar anders zou vouwen.")
values = st.one_of(st.integers(-5, 10**6), st.sampled_from(["ja", "nee", "deels", LONG, "a: b", "# geen opmerking"]),
                   st.builds(lambda v, b: {"waarde": v, "bewijs": b}, st.integers(0, 99), st.sampled_from([LONG, "S0"])))
keys = st.lists(st.sampled_from([f"thema.vraag_{i}" for i in range(12)]), min_size=1, max_size=8, unique=True)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(keys.flatmap(lambda ks: st.tuples(st.just(ks), st.lists(values, min_size=len(ks), max_size=len(ks)),
                                         st.lists(st.booleans(), min_size=len(ks), max_size=len(ks)),
                                         st.lists(values, min_size=len(ks), max_size=len(ks)))),
       st.booleans())
def test_unchanged_entries_keep_their_lines(case, as_list):
    ks, old_values, change, new_values = case
    old = dict(zip(ks, old_values))
    block = list(old.values()) if as_list else old
    text = "kader: \"1.0\"\nfeiten:\n  # opmerking\n" + dump({"feiten": block}).split("\n", 1)[1] + "# slot\nnog: 1\n"
    new = {k: (n if c else v) for k, v, c, n in zip(ks, old_values, change, new_values)}
    value = list(new.values()) if as_list else new
    result = replace_entries(text, "feiten", value, "t.yaml")
    assert load_yaml_text(result, "t.yaml")["feiten"] == value
    assert "  # opmerking\n" in result and result.endswith("# slot\nnog: 1\n") and result.startswith("kader: \"1.0\"\n")
    one = {k: v for k, v in old.items()}
    for k, v, c in zip(ks, old_values, change):  # an unchanged entry: its own lines, as they were
        if not c or new[k] == v:
            own = dump({"feiten": [v] if as_list else {k: v}}).split("\n", 1)[1]
            assert own in result, (own, result)
    assert one == old
