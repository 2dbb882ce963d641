"""Running the web page: `kader serve`. Builds the settings from the command line, starts waitress (a
production-grade WSGI server in pure Python, so nothing to compile) and prints, as the first line on
standard output, the address to open: with the access token for local use, the login page for
regional use.

Which hosts may be served: 127.0.0.1 / localhost / ::1 without accounts; any other only with an
accounts file (`--gebruikers`), since the token would then travel over a network. The Host header
must be one of the served names (web/app.py), so a page from elsewhere cannot reach this server
through a DNS name that points at it (DNS rebinding).
"""

from __future__ import annotations

import os
import secrets
import sys
import threading
from pathlib import Path

from kadertoets.infra.errors import KaderFout, excerpt
from kadertoets.web.app import Settings, create_app
from kadertoets.web.site import Site

LOOPBACK = ("127.0.0.1", "localhost", "::1")
THREADS = 8  # requests served at once; evaluation is short, reading files is most of it


def is_loopback(host: str) -> bool:
    return host in LOOPBACK


def host_names(host: str, port: int, extra=()) -> set[str]:
    """The Host header values this server answers to."""
    names = set()
    hosts = ("127.0.0.1", "localhost", "[::1]") if is_loopback(host) else (f"[{host}]" if ":" in host else host,)
    for h in hosts:
        names.add(f"{h}:{port}".lower())
        if port == 80:
            names.add(h.lower())
    for name in extra:
        names.add(name.lower())
    return names


def settings_for(paths, host: str, users: Path | None, kader_dir, names=(), without_https: bool = False) -> Settings:
    """Check the options and build the settings; KaderFout (exit 2) when they do not fit together."""
    if not is_loopback(host) and users is None:
        raise KaderFout.single(f"op {excerpt(host, 80)} is de pagina vanaf het netwerk te bereiken; dan zijn "
                               "accounts nodig", field="--host",
                               hint="Maak accounts met 'kader gebruiker toevoegen' en geef het bestand met "
                                    "--gebruikers, of laat --host weg (alleen deze computer).")
    for name in names:
        if not name or len(name) > 255 or any(ch in name for ch in "/ \\@?#") or not name.isprintable():
            raise KaderFout.single(f"{excerpt(name, 80)} is geen geldige hostnaam", field="--naam",
                                   hint="Geef de naam zoals de browser hem gebruikt, bv. kadertoets.regio.nl.")
    accounts = AccountsFile(users) if users is not None else None
    site = Site(tuple(Path(p) for p in paths), kader_dir)
    return Settings(site=site, hosts=set(), token=None if accounts is not None else secrets.token_urlsafe(32),
                    accounts=accounts, secure_cookie=accounts is not None and not without_https)


class AccountsFile:
    """The accounts file, read again when it changes (an account added or removed with `kader gebruiker`
    counts at the next request, without a restart). A file that no longer loads fails closed: nobody
    logs in and every session of an account ends until it is repaired (said once on stderr)."""

    def __init__(self, path: Path, err=sys.stderr):
        from kadertoets.web.accounts import load_accounts

        self.path, self._err = Path(path), err
        self._lock = threading.Lock()
        self._accounts = load_accounts(self.path)  # at the start: a bad file is exit 2
        self._state = self._stat()

    def _stat(self):
        try:
            st = os.stat(self.path)
            return st.st_mtime_ns, st.st_size, st.st_ino
        except OSError:
            return None

    def _current(self):
        from kadertoets.web.accounts import load_accounts

        state = self._stat()
        with self._lock:
            if state != self._state:
                self._state = state
                try:
                    self._accounts = load_accounts(self.path)
                except KaderFout as exc:
                    self._accounts = None
                    print("Het accountbestand is ongeldig; niemand kan zich aanmelden tot het hersteld is: "
                          + exc.problems[0].location() + ": " + exc.problems[0].message, file=self._err, flush=True)
            return self._accounts

    def get(self, name):
        accounts = self._current()
        return accounts.get(name) if accounts is not None and isinstance(name, str) else None

    def authenticate(self, name: str, password: str):
        accounts = self._current()
        return accounts.authenticate(name, password) if accounts is not None else None


def check_proxy(proxy: str | None) -> str | None:
    """The address of a reverse proxy whose X-Forwarded-For is trusted (then the login throttle counts the
    user's own address); a Dutch refusal for anything but one IP address."""
    if proxy is None:
        return None
    import ipaddress

    try:
        return str(ipaddress.ip_address(proxy))
    except ValueError:
        raise KaderFout.single(f"{excerpt(proxy, 80)} is geen IP-adres", field="--proxy",
                               hint="Geef het adres van de webserver die voor kader serve staat, bv. 127.0.0.1.") from None


def serve(settings: Settings, host: str, port: int, names=(), out=sys.stdout, err=sys.stderr,
          proxy: str | None = None) -> None:
    """Start the server; prints the address first, then runs until stopped (Ctrl+C)."""
    import logging

    from waitress import create_server

    # waitress warns "Task queue depth is N" whenever requests wait for a thread: normal under load, and
    # not the user's to act on; real errors are still logged
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    app = create_app(settings)
    try:
        trust = {"trusted_proxy": proxy, "trusted_proxy_count": 1,
                 "trusted_proxy_headers": {"x-forwarded-for"}} if proxy else {}
        server = create_server(app, host=host, port=port, threads=THREADS, ident="kadertoets",
                               clear_untrusted_proxy_headers=True, **trust)
    except OSError as exc:
        raise KaderFout.single(f"kan niet luisteren op {excerpt(host, 80)}:{port} ({exc.strerror or exc})",
                               field="--poort", hint="Kies een andere poort met --poort, of stop het programma dat "
                                                     "deze poort gebruikt.") from None
    real_port = server.effective_port
    settings.hosts.update(host_names(host, real_port, names))
    shown_host = f"[{host}]" if ":" in host else host
    if settings.token is not None:
        print(f"http://{shown_host}:{real_port}/?token={settings.token}", file=out, flush=True)
    else:
        scheme = "http" if not settings.secure_cookie else "https"
        print(f"{scheme}://{shown_host}:{real_port}/login", file=out, flush=True)
    print("Kadertoets draait. Open het adres hierboven in uw browser; stop met Ctrl+C.", file=err, flush=True)
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
