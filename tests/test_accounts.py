"""The accounts file of `kader serve` (web/accounts.py): adding an account writes a file that loads and
logs in, keeps the admin's comments, never holds or shows a password; a wrong file is a Dutch error with
file, line and field; password checks never raise on what a file or a login form may hold."""

from __future__ import annotations

import base64
import os
import stat
import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from kadertoets.infra.errors import KaderFout
from kadertoets.load import formats
from kadertoets.web import accounts as acc
from kadertoets.web.accounts import (ROLES, Account, add_account, check_password, hash_password, load_accounts,
                                     parse_accounts, verify_password)

PW = "correct paard batterij nietje"
PW2 = "een ander wachtwoord van mij"


def _b64(n: int, fill: int = 7) -> str:
    return base64.b64encode(bytes([fill]) * n).decode()


def _stored(n=2**14, r=8, p=1, salt=16, digest=32) -> str:
    return f"scrypt${n}${r}${p}${_b64(salt)}${_b64(digest)}"


GOOD = _stored()


# -- round trip ----------------------------------------------------------------------------------

def test_added_accounts_load_and_log_in(tmp_path):
    path = tmp_path / "gebruikers.yaml"
    line = add_account(path, "anne", "team", ["bunschoten", "leusden"], PW)
    assert line.startswith("Gebruiker anne toegevoegd in ") and "teams bunschoten, leusden" in line
    add_account(path, "regio.amersfoort", "regio", [], PW2)
    accounts = load_accounts(path)
    assert len(accounts) == 2
    assert accounts.authenticate("anne", PW) == Account("anne", "team", ("bunschoten", "leusden"))
    assert accounts.authenticate("Anne", PW) == Account("anne", "team", ("bunschoten", "leusden"))  # case
    assert accounts.authenticate("regio.amersfoort", PW2) == Account("regio.amersfoort", "regio", ())
    assert accounts.get("REGIO.amersfoort").role == "regio"


@pytest.mark.parametrize("name, password", [("anne", PW2), ("anne", PW + " "), ("anne", ""), ("bert", PW),
                                            ("", PW), ("anne", "x" * 5000)])
def test_a_wrong_password_or_an_unknown_name_does_not_log_in(tmp_path, name, password):
    path = tmp_path / "g.yaml"
    add_account(path, "anne", "team", ["bunschoten"], PW)
    assert load_accounts(path).authenticate(name, password) is None


def test_an_unknown_name_costs_the_same_scrypt_work_as_a_wrong_password(tmp_path, monkeypatch):
    path = tmp_path / "g.yaml"
    add_account(path, "anne", "team", ["bunschoten"], PW)
    accounts = load_accounts(path)
    calls = []
    real = acc.hashlib.scrypt
    monkeypatch.setattr(acc.hashlib, "scrypt", lambda *a, **k: calls.append((k["n"], k["r"], k["p"])) or real(*a, **k))
    assert accounts.authenticate("anne", PW2) is None
    assert accounts.authenticate("niemand", PW2) is None
    assert calls == [(2**14, 8, 1)] * 2


def test_the_file_never_holds_the_password_and_is_private(tmp_path):
    path = tmp_path / "g.yaml"
    add_account(path, "anne", "redacteur", [], PW)
    text = path.read_text(encoding="utf-8")
    assert PW not in text and "scrypt$16384$8$1$" in text
    if os.name == "posix":
        assert stat.S_IMODE(path.stat().st_mode) == 0o600


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_an_existing_file_keeps_its_permissions_and_a_readable_one_is_pointed_out(tmp_path):
    path = tmp_path / "g.yaml"
    add_account(path, "anne", "regio", [], PW)
    os.chmod(path, 0o640)
    line = add_account(path, "bert", "regio", [], PW2)
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert "Let op: anderen dan u mogen dit bestand lezen (rechten 640)" in line and "chmod 600" in line
    os.chmod(path, 0o600)
    assert "Let op" not in add_account(path, "carla", "regio", [], PW2)


ADMIN_FILE = """\
# Accounts van de regio; beheer: Jan (regio-ondersteuning)
gebruikers:
  # teams
  - naam: anne   # coördinator Bunschoten
    rol: team
    teams: [bunschoten]
    wachtwoord: "{h}"

  # regio
  - naam: piet
    rol: regio
    wachtwoord: '{h}'   # tijdelijk
# einde
"""


def test_an_added_account_keeps_the_admins_comments_and_entries_byte_for_byte(tmp_path):
    path = tmp_path / "g.yaml"
    before = ADMIN_FILE.format(h=hash_password(PW))
    path.write_text(before, encoding="utf-8")
    add_account(path, "carla", "redacteur", [], PW2)
    after = path.read_text(encoding="utf-8")
    assert after.startswith(before.removesuffix("# einde\n"))
    assert after.endswith("# einde\n") and after.count("# einde") == 1
    accounts = load_accounts(path)
    assert [a.name for a in accounts] == ["anne", "piet", "carla"]
    assert accounts.authenticate("carla", PW2) and accounts.authenticate("anne", PW)


def test_replace_changes_one_account_in_place_and_keeps_the_rest(tmp_path):
    path = tmp_path / "g.yaml"
    old_hash = hash_password(PW)
    path.write_text(ADMIN_FILE.format(h=old_hash), encoding="utf-8")
    line = add_account(path, "ANNE", "team", ["bunschoten", "baarn"], PW2, replace=True)
    assert "Gebruiker anne bijgewerkt" in line
    after = path.read_text(encoding="utf-8")
    assert "# Accounts van de regio; beheer: Jan" in after and "# coördinator Bunschoten" in after
    assert f"    wachtwoord: '{old_hash}'   # tijdelijk\n" in after  # piet untouched
    accounts = load_accounts(path)
    assert accounts.authenticate("anne", PW) is None
    assert accounts.authenticate("anne", PW2) == Account("anne", "team", ("bunschoten", "baarn"))
    assert accounts.authenticate("piet", PW) is not None


def test_a_file_with_windows_line_ends_keeps_them(tmp_path):
    path = tmp_path / "g.yaml"
    path.write_bytes(ADMIN_FILE.format(h=hash_password(PW)).replace("\n", "\r\n").encode())
    add_account(path, "carla", "redacteur", [], PW2)
    raw = path.read_bytes()
    assert raw.count(b"\n") == raw.count(b"\r\n")
    assert load_accounts(path).authenticate("carla", PW2)


@pytest.mark.parametrize("start", ["gebruikers: []\n", "gebruikers:\n", "# alleen een opmerking\ngebruikers:\n"])
def test_adding_to_a_file_without_accounts(tmp_path, start):
    path = tmp_path / "g.yaml"
    path.write_text(start, encoding="utf-8")
    add_account(path, "anne", "regio", [], PW)
    assert load_accounts(path).authenticate("anne", PW)
    assert path.read_text(encoding="utf-8").startswith(start.split("gebruikers")[0])


# -- refusals of add_account: nothing written ----------------------------------------------------

@pytest.mark.parametrize("name, role, teams, password, replace, says", [
    ("anne", "regio", [], PW, False, "gebruiker 'anne' bestaat al en wordt niet overschreven"),
    ("Anne", "regio", [], PW, False, "bestaat al"),
    ("bert", "regio", [], PW, True, "er is geen gebruiker 'bert' om te vervangen"),
    ("an ne", "regio", [], PW, False, "gebruikersnaam 'an ne'"),
    ("-e", "regio", [], PW, False, "begint niet met een letter"),
    ("x" * 65, "regio", [], PW, False, "langer dan 64 tekens"),
    ("bert", "admin", [], PW, False, "onbekende rol 'admin'"),
    ("bert", "team", [], PW, False, "rol team heeft minstens één team nodig"),
    ("bert", "regio", ["baarn"], PW, False, "alleen een gebruiker met rol team heeft teams"),
    ("bert", "team", ["baarn", "baarn"], PW, False, "dubbel"),
    ("bert", "team", ["baarn/../x"], PW, False, "bevat tekens die niet mogen"),
    ("bert", "regio", [], "abc1", False, "het wachtwoord is te kort (4 tekens; minstens 12)"),
    ("bert", "regio", [], "x" * 1025, False, "te lang"),
    ("bert", "regio", [], "twaalf tekens\tmet tab", False, "stuurteken"),
    ("bert.bertsen", "regio", [], "Bert.Bertsen", False, "gelijk aan de gebruikersnaam"),
])
def test_add_refuses_and_leaves_the_file_as_it_was(tmp_path, name, role, teams, password, replace, says):
    path = tmp_path / "g.yaml"
    add_account(path, "anne", "team", ["bunschoten"], PW)
    before = path.read_bytes()
    with pytest.raises(KaderFout) as err:
        add_account(path, name, role, teams, password, replace=replace)
    text = str(err.value)
    assert says in text
    assert "Oplossing:" in text and password not in text
    assert path.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == ["g.yaml"]  # no temporary file left


def test_add_refuses_to_write_over_an_invalid_file(tmp_path):
    path = tmp_path / "g.yaml"
    path.write_text("gebruikers:\n  - naam: anne\n    rol: baas\n    wachtwoord: geheim123456\n", encoding="utf-8")
    before = path.read_bytes()
    with pytest.raises(KaderFout) as err:
        add_account(path, "bert", "regio", [], PW)
    assert "onbekende rol" in str(err.value) and "geheim123456" not in str(err.value)
    assert path.read_bytes() == before


def test_a_missing_file_says_how_to_make_one(tmp_path):
    with pytest.raises(KaderFout) as err:
        load_accounts(tmp_path / "nergens.yaml")
    text = str(err.value)
    assert "nergens.yaml" in text and "gebruikersbestand bestaat niet" in text and "kader gebruiker toevoegen" in text
    with pytest.raises(KaderFout):
        add_account(tmp_path / "nergens.yaml", "anne", "regio", [], PW, replace=True)
    assert not (tmp_path / "nergens.yaml").exists()


# -- invalid files: Dutch, located, never the hash -----------------------------------------------

def _entry(*lines: str) -> str:
    return "gebruikers:\n  - naam: anne\n" + "".join(f"    {line}\n" for line in lines)


INVALID = [  # (file text, line, field, words in the message)
    (_entry("rol: team", "teams: [a]", f'wachtwoord: "{GOOD}"', "email: a@b.nl"), 6, "gebruikers[1].email",
     "onbekend veld 'email'"),
    (_entry("rol: admin", f'wachtwoord: "{GOOD}"'), 3, "gebruikers[1].rol", "onbekende rol 'admin'"),
    (_entry("rol: Regio", f'wachtwoord: "{GOOD}"'), 3, "gebruikers[1].rol", "onbekende rol"),
    (_entry("rol: team", f'wachtwoord: "{GOOD}"'), 2, "gebruikers[1].teams", "minstens één team"),
    (_entry("rol: team", "teams: []", f'wachtwoord: "{GOOD}"'), 4, "gebruikers[1].teams", "minstens één team"),
    (_entry("rol: team", "teams: bunschoten", f'wachtwoord: "{GOOD}"'), 4, "gebruikers[1].teams",
     "verwacht een lijst van team-id's"),
    (_entry("rol: team", "teams: [a, a]", f'wachtwoord: "{GOOD}"'), 4, "gebruikers[1].teams[2]", "dubbel"),
    (_entry("rol: team", "teams: [a b]", f'wachtwoord: "{GOOD}"'), 4, "gebruikers[1].teams[1]", "team-id 'a b'"),
    (_entry("rol: regio", "teams: [a]", f'wachtwoord: "{GOOD}"'), 4, "gebruikers[1].teams",
     "alleen een gebruiker met rol team heeft teams"),
    (_entry("rol: regio"), 2, "gebruikers[1].wachtwoord", "verplicht veld 'wachtwoord' ontbreekt"),
    (_entry("rol: regio", "wachtwoord: geheimgeheim12"), 4, "gebruikers[1].wachtwoord",
     "staat niet als hash in de vorm scrypt$N$r$p$zout$hash"),
    (_entry("rol: regio", "wachtwoord: 123"), 4, "gebruikers[1].wachtwoord", "staat niet als hash"),
    (_entry("rol: regio", f'wachtwoord: "{_stored(n=16385)}"'), 4, "gebruikers[1].wachtwoord",
     "N=16385; N moet een macht van 2 zijn"),
    (_entry("rol: regio", f'wachtwoord: "{_stored(n=2**13)}"'), 4, "gebruikers[1].wachtwoord", "N=8192"),
    (_entry("rol: regio", f'wachtwoord: "{_stored(n=2**21)}"'), 4, "gebruikers[1].wachtwoord", "N=2097152"),
    (_entry("rol: regio", f'wachtwoord: "{_stored(r=0)}"'), 4, "gebruikers[1].wachtwoord", "r=0"),
    (_entry("rol: regio", f'wachtwoord: "{_stored(r=33)}"'), 4, "gebruikers[1].wachtwoord", "r=33"),
    (_entry("rol: regio", f'wachtwoord: "{_stored(p=17)}"'), 4, "gebruikers[1].wachtwoord", "p=17"),
    (_entry("rol: regio", f'wachtwoord: "{_stored(n=2**20, r=32)}"'), 4, "gebruikers[1].wachtwoord",
     "te veel geheugen"),
    (_entry("rol: regio", f'wachtwoord: "{_stored(salt=8)}"'), 4, "gebruikers[1].wachtwoord", "16 tot 64 bytes"),
    (_entry("rol: regio", f'wachtwoord: "{GOOD.rsplit("$", 1)[0]}$AAAAA"'), 4, "gebruikers[1].wachtwoord", "base64"),
    ("gebruikers:\n  - naam: an ne\n    rol: regio\n    wachtwoord: \"" + GOOD + "\"\n", 2, "gebruikers[1].naam",
     "gebruikersnaam 'an ne'"),
    ("gebruikers:\n  - naam: 123\n    rol: regio\n    wachtwoord: \"" + GOOD + "\"\n", 2, "gebruikers[1].naam",
     "moet tekst zijn"),
    ("gebruikers:\n  - naam: anne\n    rol: regio\n    wachtwoord: \"" + GOOD + "\"\n"
     "  - naam: Anne\n    rol: regio\n    wachtwoord: \"" + GOOD + "\"\n", 5, "gebruikers[2].naam",
     "gebruiker 'Anne' komt dubbel voor (eerder op regel 2"),
    ("gebruikers:\n  - naam: anne\n    naam: bert\n", 3, "gebruikers[1].naam", "komt dubbel voor"),
    ("gebruiker:\n  - naam: anne\n", 1, "gebruiker", "onbekend veld 'gebruiker'"),
    ("gebruikers: anne\n", 1, "gebruikers", "verwacht een lijst"),
    ("gebruikers:\n  - anne\n", 2, "gebruikers[1]", "verwacht een lijst van sleutels en waarden"),
    ("", None, None, "het gebruikersbestand is leeg"),
    ("gebruikers: [\n", 2, None, "geen geldige YAML"),
]


@pytest.mark.parametrize("text, line, field, says", INVALID)
def test_an_invalid_file_is_a_located_dutch_error(tmp_path, text, line, field, says):
    path = tmp_path / "gebruikers.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(KaderFout) as err:
        load_accounts(path)
    first = err.value.problems[0]
    assert first.file == "gebruikers.yaml" or first.file.endswith("gebruikers.yaml")
    assert (first.line, first.field) == (line, field)
    assert says in str(err.value) and first.hint
    shown = str(err.value)
    assert GOOD.split("$")[-1] not in shown and "geheimgeheim12" not in shown  # never a hash or a password


def test_every_problem_of_a_file_is_reported_at_once(tmp_path):
    text = ("gebruikers:\n  - naam: anne\n    rol: baas\n    wachtwoord: x\n"
            "  - naam: bert\n    rol: team\n    wachtwoord: y\n")
    with pytest.raises(KaderFout) as err:
        parse_accounts(text, "g.yaml")
    assert [(p.line, p.field) for p in err.value.problems] == [
        (3, "gebruikers[1].rol"), (4, "gebruikers[1].wachtwoord"), (5, "gebruikers[2].teams"),
        (7, "gebruikers[2].wachtwoord")]


def test_too_many_accounts_are_refused():
    one = f'  - naam: u{{}}\n    rol: regio\n    wachtwoord: "{GOOD}"\n'
    text = "gebruikers:\n" + "".join(one.format(i) for i in range(acc.MAX_ACCOUNTS + 1))
    with pytest.raises(KaderFout, match="meer dan 1000 gebruikers"):
        parse_accounts(text, "g.yaml")
    assert len(parse_accounts("gebruikers:\n" + "".join(one.format(i) for i in range(acc.MAX_ACCOUNTS)),
                              "g.yaml")) == acc.MAX_ACCOUNTS


# -- roles -------------------------------------------------------------------------------------

def test_what_each_role_may_do():
    team = Account("anne", "team", ("bunschoten",))
    regio = Account("piet", "regio")
    redacteur = Account("rita", "redacteur")
    assert (team.can_read_team("bunschoten"), team.can_write_team("bunschoten")) == (True, True)
    assert (team.can_read_team("baarn"), team.can_write_team("baarn")) == (False, False)
    assert (team.can_read_region(), team.can_edit_kader()) == (False, False)
    assert (regio.can_read_team("baarn"), regio.can_write_team("baarn")) == (True, False)
    assert (regio.can_read_region(), regio.can_edit_kader()) == (True, False)
    assert (redacteur.can_read_team("baarn"), redacteur.can_write_team("baarn")) == (True, False)
    assert (redacteur.can_read_region(), redacteur.can_edit_kader()) == (True, True)
    assert set(ROLES) == {"team", "regio", "redacteur"}
    assert all(role.description in acc.role_help() for role in ROLES.values())
    documented = formats.ACCOUNT.description("rol")  # docs/formaat.md's table names every role
    assert all(f"{name} (" in documented for name in ROLES)


# -- passwords ---------------------------------------------------------------------------------

def test_a_hash_verifies_its_password_only():
    stored = hash_password(PW)
    assert stored != hash_password(PW)  # a fresh salt each time
    assert verify_password(PW, stored) and not verify_password(PW2, stored)
    # the same password typed decomposed (e + combining acute) is the same password
    assert verify_password("café" * 4, hash_password("cafe\u0301" * 4))


def test_verify_accepts_any_cost_within_bounds():
    import hashlib
    salt = bytes(range(16))
    digest = hashlib.scrypt(PW.encode(), salt=salt, n=2**15, r=4, p=2, dklen=24, maxmem=64 * 1024 * 1024)
    stored = f"scrypt${2**15}$4$2${base64.b64encode(salt).decode()}${base64.b64encode(digest).decode()}"
    assert verify_password(PW, stored) and not verify_password(PW2, stored)
    parse_accounts(f'gebruikers:\n  - naam: a\n    rol: regio\n    wachtwoord: "{stored}"\n', "g.yaml")


def test_the_password_policy():
    check_password("twaalf tekens")
    check_password("é" * 12)
    for bad in ("elf tekens!", "x" * 1025, "regel\neinde twaalf", "\ud800" * 12):
        with pytest.raises(KaderFout) as err:
            check_password(bad)
        assert "wachtwoord" in str(err.value) and bad not in str(err.value)


stored_like = st.one_of(
    st.text(max_size=200),
    st.builds(lambda n, r, p, s, d: f"scrypt${n}${r}${p}${s}${d}",
              st.sampled_from([0, 1, 3, 2**13, 2**14, 2**14 + 1, 2**21, 10**8]), st.integers(0, 40),
              st.sampled_from([0, 1, 2, 17, 999]),
              st.one_of(st.binary(max_size=70).map(lambda b: base64.b64encode(b).decode()), st.text(max_size=30)),
              st.one_of(st.binary(max_size=70).map(lambda b: base64.b64encode(b).decode()), st.text(max_size=30))),
    st.builds(lambda r, p, s, d: f"scrypt$16384${r}${p}${base64.b64encode(s).decode()}${base64.b64encode(d).decode()}",
              st.integers(1, 2), st.integers(1, 2), st.binary(min_size=14, max_size=66),
              st.binary(min_size=14, max_size=66)),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(max_size=100), st.none(), st.integers()), stored_like)
def test_verify_password_never_raises(password, stored):
    assert verify_password(password, stored) in (True, False)
    assert verify_password(password, None) is False


# -- the file as an attacker or a careless hand writes it --------------------------------------

scalars = st.one_of(st.sampled_from(["team", "regio", "redacteur", "anne", "Anne", "[a, b]", "[]", "", "~",
                                     "123", "1.000", "true", "!!binary aGk=", "&a x", "*a", '"' + GOOD + '"',
                                     GOOD, "'x", "{a: 1}", "- x"]),
                    st.text(max_size=20))
keys = st.sampled_from(["naam", "rol", "teams", "wachtwoord", "gebruikers", "email", "- naam", "?", ""])
lines = st.builds(lambda indent, key, value: f"{' ' * indent}{key}: {value}", st.sampled_from([0, 1, 2, 4, 6]),
                  keys, scalars)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(lines, st.sampled_from(["gebruikers:", "  - naam: anne", "    teams:", "      - a",
                                                  "# opmerking", "---", "\t- x"]), st.text(max_size=30)),
                max_size=14))
def test_any_yamlish_text_is_accounts_or_a_kaderfout(text_lines):
    try:
        accounts = parse_accounts("\n".join(text_lines), "g.yaml")
    except KaderFout as exc:
        assert exc.problems and all(p.file == "g.yaml" for p in exc.problems)
        assert GOOD.split("$")[-1] not in str(exc)
    else:
        assert all(a.role in ROLES for a in accounts)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                               HealthCheck.function_scoped_fixture])
@given(st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,20}", fullmatch=True), st.sampled_from(sorted(ROLES)),
       st.text(st.characters(blacklist_categories=("Cc", "Cs")), min_size=12, max_size=40))
def test_any_valid_name_and_password_round_trips(tmp_path_factory, name, role, password):
    path = tmp_path_factory.mktemp("acc") / "g.yaml"
    teams = ["bunschoten"] if role == "team" else []
    if password.strip().casefold() == name.casefold() or len(unicodedata.normalize("NFC", password)) < 12:
        return  # refused by the policy (tested above)
    add_account(path, name, role, teams, password)
    assert load_accounts(path).authenticate(name, password) == Account(name, role, tuple(teams))
