"""The accounts of `kader serve`: who may log in, with which role and for which teams.

One YAML file, kept by the region's administrator (keys in Dutch, comments are the admin's own):

    gebruikers:
      - naam: anne
        rol: team              # team | regio | redacteur (ROLES below)
        teams: [bunschoten]    # only for rol team: the team ids this account reads and edits
        wachtwoord: "scrypt$16384$8$1$<salt base64>$<hash base64>"

The file holds password hashes only (scrypt, stdlib `hashlib.scrypt`), never a password; it is read
with our strict YAML loader and every problem is a Dutch KaderFout with file, line and field. No
message ever shows a stored hash (or whatever an admin put under `wachtwoord:`). `add_account` adds
(or with `replace` changes) one account, keeping the rest of the file byte for byte
(editors/yamlblock.py), checks the new text before it writes it atomically (infra/output.py), and
gives a new file mode 0600.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import re
import secrets
import shlex
import stat
import unicodedata
from pathlib import Path

from kadertoets.editors.yamlblock import replace_entries, replace_block
from kadertoets.infra.errors import KaderFout, Problem, display_path, enough, excerpt
from kadertoets.infra.lintcodes import Code
from kadertoets.infra.located import Node, describe_value, suggestion
from kadertoets.infra.output import write_atomic
from kadertoets.infra.records import record
from kadertoets.infra.yamlload import load_yaml_text, read_text
from kadertoets.load import formats
from kadertoets.load.assessment import MAX_TEAM_ID  # a team id here is one an assessment may have


# -- roles ---------------------------------------------------------------------------------------

@record
class Role:
    """What an account with this role may do (its own teams only for `team`)."""

    description: str  # Dutch, for help texts and messages
    all_teams: bool  # reads every team's assessment (else only its own teams, which it also edits)
    region: bool  # reads the regional overview and the region's own file
    kader: bool  # edits the Kader


ROLE_TEAM = "team"
ROLES: dict[str, Role] = {
    ROLE_TEAM: Role("leest en bewerkt de assessments van de eigen team(s)", all_teams=False, region=False,
                    kader=False),
    "regio": Role("leest alle teams en het regionale overzicht, zonder iets te bewerken", all_teams=True, region=True,
                  kader=False),
    "redacteur": Role("leest alles wat de regio leest en bewerkt het Kader", all_teams=True, region=True,
                      kader=True),
}


def role_help() -> str:
    """The roles for a help text: `team: ...; regio: ...; redacteur: ...`."""
    return "; ".join(f"{name}: {role.description}" for name, role in ROLES.items())


@record
class Account:
    """One account as the web page sees it: never its password hash."""

    name: str
    role: str  # a key of ROLES
    teams: tuple[str, ...] = ()  # only for ROLE_TEAM

    def can_read_team(self, team_id: str) -> bool:
        return ROLES[self.role].all_teams or team_id in self.teams

    def can_write_team(self, team_id: str) -> bool:
        return self.role == ROLE_TEAM and team_id in self.teams

    def can_read_region(self) -> bool:
        return ROLES[self.role].region

    def can_edit_kader(self) -> bool:
        return ROLES[self.role].kader


# -- passwords -----------------------------------------------------------------------------------

MIN_PASSWORD, MAX_PASSWORD = 12, 1024  # characters (after Unicode NFC normalisation)
# the cost of a new hash: about 16 MiB and 50 ms (OWASP's minimum for scrypt is N=2^17 r=8 p=1 for
# a site on the internet; raise DEFAULT_N here when the page is served that way: old hashes keep working)
DEFAULT_N, DEFAULT_R, DEFAULT_P = 2**14, 8, 1
SALT_BYTES, HASH_BYTES = 16, 32
# what a stored hash may ask for: an account file must not make one login take gigabytes or minutes
MIN_LOG2_N, MAX_LOG2_N = 14, 20
MAX_R, MAX_P = 32, 16
MAX_MEMORY = 256 * 1024 * 1024  # bytes scrypt needs: 128 * N * r
MAX_WORK = 2**24  # N * r * p: 128 times the default
MIN_STORED_BYTES, MAX_STORED_BYTES = 16, 64  # salt and hash length
_STORED = re.compile(r"scrypt\$([0-9]{1,8})\$([0-9]{1,3})\$([0-9]{1,3})\$([A-Za-z0-9+/]{1,100}={0,2})"
                     r"\$([A-Za-z0-9+/]{1,100}={0,2})")
FORMAT = "scrypt$N$r$p$zout$hash"
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _encode(password: str) -> bytes:
    """The bytes that are hashed: NFC (a password typed on another keyboard or system may arrive
    decomposed), UTF-8; a lone surrogate (never typed, but possible in a str) cannot make this raise."""
    return unicodedata.normalize("NFC", password).encode("utf-8", "surrogatepass")


def check_password(password: str, name: str | None = None) -> None:
    """The password policy: 12 to 1024 characters, no control characters, not the account's name.
    A KaderFout with a Dutch hint otherwise; the password itself is never shown."""
    hint = (f"Kies een wachtwoord van minstens {MIN_PASSWORD} tekens, bv. vier losse woorden; "
            "een wachtwoordzin is makkelijker te onthouden en moeilijker te raden.")
    if not isinstance(password, str):
        raise KaderFout.single("het wachtwoord moet tekst zijn", field="wachtwoord", hint=hint)
    size = len(unicodedata.normalize("NFC", password))
    if size < MIN_PASSWORD:
        raise KaderFout.single(f"het wachtwoord is te kort ({size} tekens; minstens {MIN_PASSWORD})",
                               field="wachtwoord", hint=hint)
    if size > MAX_PASSWORD:
        raise KaderFout.single(f"het wachtwoord is te lang (meer dan {MAX_PASSWORD} tekens)", field="wachtwoord",
                               hint="Kies een korter wachtwoord.")
    if _CONTROL.search(password) or any(0xD800 <= ord(c) <= 0xDFFF for c in password):
        raise KaderFout.single("het wachtwoord bevat een stuurteken of een ongeldig teken", field="wachtwoord",
                               hint="Gebruik letters, cijfers, spaties en leestekens; een tab of regeleinde "
                                    "kan niet in het inlogscherm getypt worden.")
    if name is not None and password.strip().casefold() == name.casefold():
        raise KaderFout.single("het wachtwoord is gelijk aan de gebruikersnaam", field="wachtwoord", hint=hint)


def _maxmem(n: int, r: int, p: int) -> int:
    """Enough memory for OpenSSL's scrypt with these parameters (its default limit is 32 MiB)."""
    return 128 * r * (n + p + 2) + 1024 * 1024


def hash_password(password: str) -> str:
    """A new stored hash of `password`: scrypt with a fresh 16-byte salt, in FORMAT. (The policy is
    check_password's: this hashes whatever it gets.)"""
    salt = secrets.token_bytes(SALT_BYTES)
    digest = hashlib.scrypt(_encode(password), salt=salt, n=DEFAULT_N, r=DEFAULT_R, p=DEFAULT_P,
                            dklen=HASH_BYTES, maxmem=_maxmem(DEFAULT_N, DEFAULT_R, DEFAULT_P))
    b64 = lambda raw: base64.b64encode(raw).decode("ascii")  # noqa: E731
    return f"scrypt${DEFAULT_N}${DEFAULT_R}${DEFAULT_P}${b64(salt)}${b64(digest)}"


class _BadHash(ValueError):
    """A stored value that is not a hash we accept; its message (Dutch) never contains the value."""


def _parse(stored) -> tuple[int, int, int, bytes, bytes]:
    """(N, r, p, salt, hash) of a stored value, or _BadHash saying what is wrong with it."""
    match = _STORED.fullmatch(stored) if isinstance(stored, str) else None
    if match is None:
        raise _BadHash(f"het wachtwoord staat niet als hash in de vorm {FORMAT} in het bestand")
    n, r, p = (int(match.group(i)) for i in (1, 2, 3))
    if n < 2 or n & (n - 1) or not MIN_LOG2_N <= n.bit_length() - 1 <= MAX_LOG2_N:
        raise _BadHash(f"de hash heeft N={n}; N moet een macht van 2 zijn van 2^{MIN_LOG2_N} tot en met "
                       f"2^{MAX_LOG2_N}")
    if not 1 <= r <= MAX_R:
        raise _BadHash(f"de hash heeft r={r}; r moet van 1 tot en met {MAX_R} zijn")
    if not 1 <= p <= MAX_P:
        raise _BadHash(f"de hash heeft p={p}; p moet van 1 tot en met {MAX_P} zijn")
    if 128 * n * r > MAX_MEMORY or n * r * p > MAX_WORK:
        raise _BadHash(f"de hash vraagt te veel geheugen of rekentijd (N={n}, r={r}, p={p}); een inlogpoging "
                       "mag de server niet ophouden")
    try:
        salt, digest = (base64.b64decode(match.group(i), validate=True) for i in (4, 5))
    except (binascii.Error, ValueError):
        raise _BadHash("het zout of de hash is geen geldige base64-tekst") from None
    if not (MIN_STORED_BYTES <= len(salt) <= MAX_STORED_BYTES and MIN_STORED_BYTES <= len(digest) <= MAX_STORED_BYTES):
        raise _BadHash(f"het zout en de hash moeten elk {MIN_STORED_BYTES} tot {MAX_STORED_BYTES} bytes lang zijn")
    return n, r, p, salt, digest


def verify_password(password: str, stored: str) -> bool:
    """Whether `password` matches the stored hash (in constant time once hashed). Never raises: a
    malformed or out-of-bounds stored value, or a password that is no text or too long, is False."""
    if not isinstance(password, str) or len(password) > MAX_PASSWORD * 4:
        return False  # *4: NFC may shorten a decomposed text; the policy bound applies to new passwords
    try:
        n, r, p, salt, digest = _parse(stored)
        computed = hashlib.scrypt(_encode(password), salt=salt, n=n, r=r, p=p, dklen=len(digest),
                                  maxmem=_maxmem(n, r, p))
    except (_BadHash, ValueError, MemoryError):
        return False
    return hmac.compare_digest(computed, digest)


# A hash of no password (salt and hash all zero), checked when a name is unknown, so that a login with
# an unknown name costs as much as one with a wrong password (the default cost, as new hashes have).
_DUMMY = (f"scrypt${DEFAULT_N}${DEFAULT_R}${DEFAULT_P}${base64.b64encode(bytes(SALT_BYTES)).decode()}"
          f"${base64.b64encode(bytes(HASH_BYTES)).decode()}")


# -- the account file ----------------------------------------------------------------------------

MAX_ACCOUNTS = 1000
MAX_TEAMS = 200  # team ids per account; a region has a few dozen teams
MAX_NAME = 64
# the team-id characters, ASCII only (no look-alike letters), starting with a letter or digit (a name
# such as `-e` or `..` would read as an option or a folder where a name is typed)
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,%d}" % (MAX_NAME - 1))
ADD_COMMAND = "kader gebruiker toevoegen NAAM --rol team|regio|redacteur [--team ID ...] --gebruikers BESTAND"
_HEADER = """\
# Gebruikers van `kader serve`. Per gebruiker: naam, rol (team, regio of redacteur), teams (alleen bij
# rol team: de team-id's die de gebruiker leest en bewerkt) en het wachtwoord als scrypt-hash, nooit
# het wachtwoord zelf. Voeg gebruikers toe met `kader gebruiker toevoegen`; houd dit bestand alleen
# leesbaar voor uzelf (het bevat de hashes).
"""


def _name_problem(name) -> str | None:
    """What is wrong with an account name (Dutch), or None."""
    if not isinstance(name, str):
        return f"de gebruikersnaam moet tekst zijn, maar is {describe_value(name)}"
    if not _NAME.fullmatch(name):
        return (f"gebruikersnaam {excerpt(name)} is leeg, langer dan {MAX_NAME} tekens, begint niet met een letter "
                "of cijfer of bevat tekens die niet mogen")
    return None


_NAME_HINT = ("Gebruik letters (a-z, A-Z), cijfers, '.', '-' en '_', en begin met een letter of cijfer, bv. anne "
              "of regio.amersfoort.")


def _team_id_problem(team_id) -> str | None:
    """What is wrong with a team id (the rule of load/assessment.py's team-id), or None."""
    if not isinstance(team_id, str):
        return f"een team-id moet tekst zijn, maar is {describe_value(team_id)}"
    if not team_id or len(team_id) > MAX_TEAM_ID or not all(c.isalnum() or c in "-_." for c in team_id):
        return f"team-id {excerpt(team_id)} is leeg, langer dan {MAX_TEAM_ID} tekens of bevat tekens die niet mogen"
    return None


_TEAM_HINT = "Gebruik de id van het team zoals in zijn assessment (team.id), bv. amersfoort of bbs-baarn."


def _shown_role(role) -> str:
    return excerpt(role) if isinstance(role, str) else describe_value(role)


def _roles_hint(word) -> str:
    tail = "Rollen: " + "; ".join(f"{name} ({role.description})" for name, role in ROLES.items()) + "."
    return " ".join(x for x in (suggestion(word, list(ROLES)) if isinstance(word, str) else None, tail) if x)


def _teams_problem(role: str, teams) -> str | None:
    """What is wrong with the teams for this role (not the ids themselves), or None."""
    if role == ROLE_TEAM and not teams:
        return "een gebruiker met rol team heeft minstens één team nodig"
    if role != ROLE_TEAM and teams:
        return f"alleen een gebruiker met rol team heeft teams; rol {role} {ROLES[role].description}"
    if len(teams) > MAX_TEAMS:
        return f"meer dan {MAX_TEAMS} teams bij één gebruiker"
    return None


class Accounts:
    """The accounts of one file, looked up by name (case-insensitively: anne is Anne)."""

    def __init__(self, entries: list[tuple[Account, str]]):
        self._entries = {account.name.casefold(): (account, stored) for account, stored in entries}

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self):
        return (account for account, _ in self._entries.values())

    def get(self, name: str) -> Account | None:
        entry = self._entries.get(name.casefold()) if isinstance(name, str) else None
        return entry[0] if entry else None

    def authenticate(self, name: str, password: str) -> Account | None:
        """The account when name and password match, else None. An unknown name is checked against a
        dummy hash, so it takes as long as a wrong password (no way to find out which names exist)."""
        entry = self._entries.get(name.casefold()) if isinstance(name, str) else None
        ok = verify_password(password, entry[1] if entry else _DUMMY)
        return entry[0] if entry and ok else None


def _entry(node: Node, seen: dict[str, int], problems: list[Problem]) -> tuple[Account, str] | None:
    """One item of `gebruikers:`; its problems are added to `problems`."""
    before = len(problems)
    try:
        node.mapping(required=formats.ACCOUNT.required, optional=formats.ACCOUNT.optional, what="een gebruiker")
    except KaderFout as exc:
        problems.extend(exc.problems)
        return None
    name_node, role_node, hash_node = (node.child(k) for k in ("naam", "rol", "wachtwoord"))
    name = name_node.value
    wrong = _name_problem(name)
    if wrong:
        problems.append(name_node.problem(wrong, "Zet de naam tussen aanhalingstekens." if not isinstance(name, str)
                                          else _NAME_HINT, code=Code.VALUE_NOT_ALLOWED))
    elif name.casefold() in seen:
        problems.append(name_node.problem(
            f"gebruiker {excerpt(name)} komt dubbel voor (eerder op regel {seen[name.casefold()]}; "
            "hoofdletters tellen niet mee)", "Verwijder of hernoem een van beide.", code=Code.DUPLICATE_ID))
    else:
        seen[name.casefold()] = name_node.line
    role = role_node.value
    if not isinstance(role, str) or role not in ROLES:
        problems.append(role_node.problem(f"onbekende rol {_shown_role(role)}", _roles_hint(role),
                                          code=Code.VALUE_NOT_ALLOWED))
        role = None
    teams: list[str] = []
    teams_node = node.get("teams")
    if teams_node is not None:
        if not isinstance(teams_node.value, list):
            problems.append(teams_node.problem(f"verwacht een lijst van team-id's, maar vond "
                                               f"{describe_value(teams_node.value)}",
                                               "Schrijf bv. teams: [bunschoten] of teams: [amersfoort, leusden].",
                                               code=Code.WRONG_TYPE))
        elif len(teams_node.value) > MAX_TEAMS:
            problems.append(teams_node.problem(_teams_problem(ROLE_TEAM, teams_node.value),
                                               "Controleer de lijst.", code=Code.VALUE_NOT_ALLOWED))
        else:
            for item in teams_node.elements():
                wrong = _team_id_problem(item.value)
                if wrong:
                    problems.append(item.problem(wrong, _TEAM_HINT, code=Code.VALUE_NOT_ALLOWED))
                elif item.value in teams:
                    problems.append(item.problem(f"team {excerpt(item.value)} staat dubbel in de lijst",
                                                 "Noem elk team één keer.", code=Code.DUPLICATE_ID))
                else:
                    teams.append(item.value)
    if role == ROLE_TEAM and (teams_node is None or teams_node.value == []) \
            or role not in (None, ROLE_TEAM) and teams_node is not None:
        wrong = _teams_problem(role, [] if role == ROLE_TEAM else ["?"])  # `teams: []` too, for another role
        where = teams_node if teams_node is not None else node
        problems.append(where.problem(
            wrong, "Noem de team-id's onder teams:, bv. teams: [bunschoten]." if role == ROLE_TEAM
            else "Laat teams: weg, of geef de gebruiker rol team.",
            field=None if teams_node is not None else f"{node.path}.teams", code=Code.VALUE_NOT_ALLOWED))
    try:
        _parse(hash_node.value)
    except _BadHash as exc:  # the message never contains the value: it may be a password typed in clear
        problems.append(hash_node.problem(
            str(exc), "Geef de gebruiker opnieuw een wachtwoord met `kader gebruiker toevoegen NAAM --rol ROL --vervang "
            "--gebruikers BESTAND`, dat de hash schrijft; zet nooit een wachtwoord zelf in het bestand.", code=Code.VALUE_NOT_ALLOWED))
    if len(problems) > before:
        return None
    return Account(name, role, tuple(teams)), hash_node.value


def parse_accounts(text: str, shown: str) -> Accounts:
    """The accounts in `text` (the file's contents; `shown` is its name in a message). Every problem
    in the file at once as one KaderFout (at most MAX_PROBLEMS)."""
    data = load_yaml_text(text, shown)
    root = Node(data, shown)
    if data is None:
        raise KaderFout.single("het gebruikersbestand is leeg", file=shown, code=Code.EMPTY,
                               hint=f"Voeg een gebruiker toe met: {ADD_COMMAND}")
    root.mapping(required=formats.ACCOUNTS_FILE.required, optional=formats.ACCOUNTS_FILE.optional,
                 what="het gebruikersbestand")
    users = root.child("gebruikers")
    if users.value is None:
        users.value = []  # `gebruikers:` with nothing under it: no accounts (all removed by hand)
    users.sequence()
    if len(users.value) > MAX_ACCOUNTS:
        raise users.fail(f"meer dan {MAX_ACCOUNTS} gebruikers in één bestand",
                         "Controleer of dit het juiste bestand is.", code=Code.VALUE_NOT_ALLOWED)
    problems: list[Problem] = []
    entries, seen = [], {}
    for item in users.elements():
        if enough(problems, shown, item.line):
            break
        entry = _entry(item, seen, problems)
        if entry is not None:
            entries.append(entry)
    if problems:
        raise KaderFout(problems)
    return Accounts(entries)


def _missing(path: Path) -> KaderFout:
    return KaderFout.single("gebruikersbestand bestaat niet", file=display_path(path), code=Code.UNREADABLE,
                            hint=f"Maak het aan met de eerste gebruiker: {ADD_COMMAND}")


def load_accounts(path: Path | str) -> Accounts:
    """The accounts of the file at `path`; KaderFout (exit code 2) for a missing or invalid file."""
    path = Path(path)
    if not os.path.lexists(path):
        raise _missing(path)
    return parse_accounts(read_text(path), display_path(path))


def _refuse(message: str, hint: str, field: str | None = None, file: str | None = None) -> KaderFout:
    return KaderFout.single(message + "; er is niets geschreven", file=file, field=field, hint=hint,
                            code=Code.VALUE_NOT_ALLOWED)


def _check_new(name, role, teams, password) -> tuple[str, ...]:
    """The account's own values, as `kader gebruiker toevoegen` got them; the teams as a tuple."""
    wrong = _name_problem(name)
    if wrong:
        raise _refuse(wrong, _NAME_HINT, field="naam")
    if role not in ROLES:
        raise _refuse(f"onbekende rol {_shown_role(role)}", _roles_hint(role), field="rol")
    teams = (teams,) if isinstance(teams, str) else tuple(teams or ())
    for team_id in teams:
        wrong = _team_id_problem(team_id)
        if wrong:
            raise _refuse(wrong, _TEAM_HINT, field="teams")
    if len(set(teams)) != len(teams):
        raise _refuse("een team staat dubbel in de lijst", "Noem elk team één keer.", field="teams")
    wrong = _teams_problem(role, teams)
    if wrong:
        raise _refuse(wrong, "Noem de teams met --team ID (herhaal --team voor meer teams)." if role == ROLE_TEAM
                      else "Laat --team weg, of geef de gebruiker rol team.", field="teams")
    check_password(password, name)
    return teams


def add_account(path: Path | str, name: str, role: str, teams, password: str, replace: bool = False) -> str:
    """Add an account to the file at `path` (created, mode 0600, when missing) and return a Dutch line
    saying so. An existing name is refused unless `replace`, which changes that account's role, teams
    and password in its place (and is refused for a name that is not there). Everything is checked
    before anything is written; the rest of the file stays byte for byte, comments included; the new
    text must load (and the password verify) before it replaces the file, atomically."""
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString  # here: only a write needs it

    path = Path(path)
    shown = display_path(path)
    teams = _check_new(name, role, teams, password)
    exists = os.path.lexists(path)
    if exists:
        text = read_text(path)
        accounts = parse_accounts(text, shown)  # an invalid file is not written over
        old = load_yaml_text(text, shown)["gebruikers"] or []
    elif replace:
        raise _missing(path)
    else:
        text, accounts, old = _HEADER + "gebruikers:\n", Accounts([]), []
    present = accounts.get(name)
    if present is not None and not replace:
        raise _refuse(f"gebruiker {excerpt(present.name)} bestaat al en wordt niet overschreven",
                      "Gebruik --vervang om rol, teams en wachtwoord te vervangen, of verwijder de gebruiker eerst "
                      "met de hand uit het bestand.", field="naam", file=shown)
    if present is None and replace:
        close = suggestion(name, [a.name for a in accounts])
        raise _refuse(f"er is geen gebruiker {excerpt(name)} om te vervangen",
                      " ".join(x for x in (close, "Laat --vervang weg om een nieuwe gebruiker toe te voegen.") if x),
                      field="naam", file=shown)
    # the hash in double quotes on one line, as the format shows it (plain, ruamel would fold it at its width)
    entry = formats.ACCOUNT.write(naam=name, rol=role, wachtwoord=DoubleQuotedScalarString(hash_password(password)),
                                  **({"teams": list(teams)} if teams else {}))
    users = list(old)
    if present is None:
        users.append(entry)
        done = "toegevoegd"
    else:
        at = next(i for i, item in enumerate(users) if item["naam"].casefold() == name.casefold())
        entry["naam"] = users[at]["naam"]  # the spelling in the file stays
        users[at] = entry
        done = "bijgewerkt (rol, teams en wachtwoord)"
    new_text = (replace_entries if old else replace_block)(text, "gebruikers", users, shown)
    after = parse_accounts(new_text, shown)
    if after.get(name) != Account(entry["naam"], role, teams) or after.authenticate(name, password) is None \
            or len(after) != len(accounts) + (present is None):
        raise _refuse("het bijgewerkte gebruikersbestand zou niet kloppen",
                      "Dit is een fout in kadertoets; meld het (zonder het bestand: dat bevat hashes).", file=shown)
    _write(path, new_text, exists)
    what = f"rol {role}" + (f", team{'s' if len(teams) > 1 else ''} {', '.join(teams)}" if teams else "")
    line = f"Gebruiker {entry['naam']} {done} in {excerpt(shown, 300, quote=False)} ({what})."
    return line + _readable_warning(path)


def _write(path: Path, text: str, exists: bool) -> None:
    """Write atomically; a new file is created 0600 from its first byte (umask 077 while it is made:
    write_atomic gives a new file 0666 minus the umask). An existing file keeps its permissions."""
    if exists:
        write_atomic(path, text, force=True)
        return
    old_umask = os.umask(0o077)
    try:
        write_atomic(path, text, force=False)
    finally:
        os.umask(old_umask)


def _readable_warning(path: Path) -> str:
    """A sentence for an account file that others than its owner may read (it holds the hashes)."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return ""
    if os.name == "posix" and mode & (stat.S_IRWXG | stat.S_IRWXO):
        return (f" Let op: anderen dan u mogen dit bestand lezen (rechten {stat.S_IMODE(mode):o}); het bevat de "
                f"wachtwoord-hashes. Maak het alleen voor uzelf leesbaar, bv. met: chmod 600 {shlex.quote(str(path))}")
    return ""
