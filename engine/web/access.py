"""Who may do what on the web page.

Two ways in (OWASP's session and CSRF cheat sheets are the model):
- **local use** (no accounts file): `kader serve` prints an address with a random access token; the
  token opens a session (`/?token=…`), and the API takes it as `Authorization: Bearer <token>`. Whoever
  has the token may do everything, as on the command line of the same machine;
- **regional use** (`--gebruikers BESTAND`): accounts with a role (web/accounts.py): `team` reads and
  writes its own team(s) and nothing of another team, `regio` reads everything and writes nothing,
  `redacteur` reads everything and runs lint and test on the Kader.

A `Principal` is the one who asks; every route asks it one question (`can_read_team`, ...), so the
rules live here and nowhere else.
"""

from __future__ import annotations

import hmac
import threading
import time

from kadertoets.infra.records import record

from kadertoets.web.accounts import ROLE_TEAM, ROLES, Role

LOCAL = "lokaal"  # the role of whoever holds the local token: everything, as on the command line
LOCAL_ROLE = Role("lokaal gebruik met het toegangstoken: alles", all_teams=True, region=True, kader=True)


@record
class Principal:
    """Who asks: the local token's holder, or an account (its role's rights: web/accounts.py ROLES)."""

    name: str
    role: str  # LOCAL, or a role of ROLES
    teams: tuple[str, ...] = ()

    @property
    def rights(self) -> Role:
        return LOCAL_ROLE if self.role == LOCAL else ROLES[self.role]

    def can_read_team(self, team_id: str) -> bool:
        return self.rights.all_teams or team_id in self.teams

    def can_write_team(self, team_id: str) -> bool:
        return self.role == LOCAL or (self.role == ROLE_TEAM and team_id in self.teams)

    @property
    def can_read_region(self) -> bool:
        """The region's views show every team: not for a team account."""
        return self.rights.region

    @property
    def can_edit_kader(self) -> bool:
        return self.rights.kader

    @property
    def can_start_team(self) -> bool:
        """May start an assessment for a team that has none yet (its id must still be writable)."""
        return self.role in (LOCAL, ROLE_TEAM)

    @property
    def label(self) -> str:
        return "toegangstoken" if self.role == LOCAL else self.role


def local_principal() -> Principal:
    return Principal("Lokaal gebruik", LOCAL)


def principal_of(account) -> Principal:
    """An account of web/accounts.py as a Principal."""
    return Principal(account.name, account.role, tuple(account.teams))


def same_secret(given: str | None, secret: str) -> bool:
    """Compare a token in constant time (a wrong token takes as long as a right one)."""
    if not isinstance(given, str) or not given or len(given) > 512:
        return False
    return hmac.compare_digest(given.encode("utf-8", "replace"), secret.encode("utf-8"))


class LoginThrottle:
    """Failed logins per name and per address: after MAX_FAILURES within WINDOW seconds, that name (or
    address) is refused for WINDOW seconds, even with the right password. Bounded: at most MAX_KEYS
    names and addresses are remembered (the oldest go first)."""

    MAX_FAILURES = 5
    WINDOW = 15 * 60
    MAX_KEYS = 10_000

    def __init__(self, clock=time.monotonic):
        self._clock = clock
        self._failures: dict[str, list[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> list[float]:
        times = [t for t in self._failures.get(key, ()) if now - t < self.WINDOW]
        if times:
            self._failures[key] = times
        else:
            self._failures.pop(key, None)
        return times

    def blocked(self, *keys: str) -> bool:
        with self._lock:
            now = self._clock()
            return any(len(self._recent(k, now)) >= self.MAX_FAILURES for k in keys)

    def failed(self, *keys: str) -> None:
        with self._lock:
            now = self._clock()
            for key in keys:
                self._recent(key, now)
                self._failures.setdefault(key, []).append(now)
            while len(self._failures) > self.MAX_KEYS:
                self._failures.pop(next(iter(self._failures)))

    def succeeded(self, *keys: str) -> None:
        with self._lock:
            for key in keys:
                self._failures.pop(key, None)
