"""Helpers for the web page's tests (tests/test_web.py, tests/test_web_access.py): a copy of the bundled
assessments to serve, the app in local or regional mode, logging in as a browser does, the fields a
browser would post from a page's form, and a snapshot of the served folder to tell that nothing was
written.

Every test serves its own copy under tmp_path, as the relative folder `assessments` with the working
directory at tmp_path: the paths the page shows are then the ones `kader check assessments/...` shows."""

from __future__ import annotations

import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

TOKEN = "tok-" + "x" * 40
SERVED = Path("assessments")
TEAMS = ("amersfoort", "baarn", "bunschoten", "eemnes", "leusden", "soest", "woudenberg")
PASSWORD = "een lang genoeg wachtwoord"
# name, role, teams: one account per role, and a team account with two teams
ACCOUNTS = (("anne", "team", ("soest",)), ("bert", "team", ("baarn", "eemnes")), ("rita", "regio", ()),
            ("ruud", "redacteur", ()))


def serve_copy(tmp_path: Path, monkeypatch) -> Path:
    """The bundled assessments copied to tmp_path/assessments, with tmp_path as the working directory."""
    from kadertoets.infra.paths import bundled_assessments

    shutil.copytree(bundled_assessments(), tmp_path / SERVED)
    monkeypatch.chdir(tmp_path)
    return tmp_path / SERVED


def local_app(folder: Path = SERVED, hosts=("localhost",)):
    from kadertoets.web.app import Settings, create_app
    from kadertoets.web.site import Site

    return create_app(Settings(site=Site((Path(folder),)), hosts=set(hosts), token=TOKEN))


def make_accounts(path: Path) -> Path:
    from kadertoets.web.accounts import add_account

    for name, role, teams in ACCOUNTS:
        add_account(path, name, role, teams, PASSWORD)
    return path


def regional_app(accounts_file: Path, folder: Path = SERVED):
    from kadertoets.web.accounts import load_accounts
    from kadertoets.web.app import Settings, create_app
    from kadertoets.web.site import Site

    return create_app(Settings(site=Site((Path(folder),)), hosts={"localhost"}, token=None,
                               accounts=load_accounts(accounts_file)))


def token_client(app):
    """A test client with a session opened by the local token, as the printed address does."""
    client = app.test_client()
    response = client.get("/?token=" + TOKEN)
    assert response.status_code == 303, response.status_code
    return client


def login(app, name: str, password: str = PASSWORD):
    """A test client logged in through the login form; returns (client, the response to the POST)."""
    client = app.test_client()
    page = client.get("/login")
    response = client.post("/login", data={"naam": name, "wachtwoord": password, "csrf_token": csrf_of(page)})
    return client, response


def text(response) -> str:
    return response.get_data(as_text=True)


def csrf_of(response_or_html) -> str:
    html = response_or_html if isinstance(response_or_html, str) else text(response_or_html)
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no csrf_token in the page"
    return found.group(1)


def csrf(client) -> str:
    """The session's CSRF token, as every page's logout form holds it."""
    return csrf_of(client.get("/"))


class _FormParser(HTMLParser):
    """The fields of every form of a page, with what a browser would submit for each."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._select = None
        self._option = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.forms.append({"action": a.get("action"), "fields": []})
        elif not self.forms:
            return
        fields = self.forms[-1]["fields"]
        if tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind in ("radio", "checkbox"):
                if "checked" in a:
                    fields.append((a["name"], a.get("value", "on")))
            elif kind not in ("submit", "button"):
                fields.append((a["name"], a.get("value") or ""))
        elif tag == "select" and a.get("name"):
            self._select = {"name": a["name"], "first": None, "chosen": None}
        elif tag == "option" and self._select is not None:
            value = a.get("value")
            self._option = value
            if self._select["first"] is None:
                self._select["first"] = value
            if "selected" in a:
                self._select["chosen"] = value
        elif tag == "textarea" and a.get("name"):
            self._textarea = [a["name"], ""]

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "select" and self._select is not None:
            s = self._select
            chosen = s["chosen"] if s["chosen"] is not None else s["first"]
            self.forms[-1]["fields"].append((s["name"], chosen or ""))
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self.forms[-1]["fields"].append(tuple(self._textarea))
            self._textarea = None


def form_fields(html: str, action: str):
    """What a browser posts from the form with this action (as the page shows it, unchanged), as the
    MultiDict the test client posts."""
    from werkzeug.datastructures import MultiDict

    parser = _FormParser()
    parser.feed(html)
    for form in parser.forms:
        if form["action"] == action:
            return MultiDict(form["fields"])
    raise AssertionError(f"no form with action {action}")


def replaced(fields, name: str, value: str):
    """The fields with one field's value changed (added when the form did not post it)."""
    out = fields.copy()
    out.setlist(name, [value])
    return out


def without(fields, name: str):
    out = fields.copy()
    out.poplist(name)
    return out


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` (history folder included) with its bytes."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def field_block(html: str, question: str) -> str:
    """The part of the questionnaire page that shows one question (up to the next question)."""
    start = html.index(f'id="v-{question}"')
    end = html.find('<div class="vraag', start + 1)
    return html[start:end if end > 0 else len(html)]
