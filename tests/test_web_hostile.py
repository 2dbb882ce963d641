"""A hostile review of the web page (`kader serve`), as an attacker and as a confused user would try it,
after OWASP's cheat sheets (session management, CSRF, XSS, HTTP headers, authentication, file and path
handling): hostile assessment files and a hostile Kader, open redirects, path traversal in team ids,
CSRF and content-type confusion, session fixation, expiry and logout, the Host header, big and odd
input, two saves at once and a crash during a save, the access token and what waitress logs.

Every test works on a copy of the bundled assessments in tmp_path. A failure here is a security or
robustness bug of engine/web or editors/answersave.py; a passing test pins behaviour that is fine."""

from __future__ import annotations

import errno
import hashlib
import html.parser
import io
import json
import logging
import re
import secrets
import shutil
import threading
import time
import urllib.parse
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from werkzeug.datastructures import MultiDict

from kadertoets.infra.paths import HISTORY_FOLDER, bundled_assessments, bundled_root
from kadertoets.sweep.run import check_file
from kadertoets.web import app as app_module
from kadertoets.web.accounts import add_account, load_accounts
from kadertoets.web.app import SESSION_HOURS, SESSION_MAX_HOURS, Settings, create_app
from kadertoets.web.serve import host_names, settings_for
from kadertoets.web.site import Site

TEAM = "baarn"
FILE = "baarn-2023-03.yaml"
PASSWORD = "een lang wachtwoord 123"
EVIL = "<script>alert(1)</script>\"'><img src=x onerror=alert(2)>"
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


# ---------------------------------------------------------------------- fixtures and helpers ------------
@pytest.fixture
def folder(tmp_path) -> Path:
    served = tmp_path / "assessments"
    shutil.copytree(bundled_assessments(), served)
    return served


def local_app(folder: Path, token: str = "tok", kader: Path | None = None, hosts=("localhost",)):
    app = create_app(Settings(site=Site((folder,), kader), hosts=set(hosts), token=token))
    app.logger.disabled = True  # a 500 would be logged with its traceback; the tests look at the answer
    return app


def regional_app(folder: Path, tmp_path: Path, secure: bool = False):
    users = tmp_path / "gebruikers.yaml"
    if not users.exists():
        add_account(users, "anne", "team", [TEAM], PASSWORD)
        add_account(users, "rita", "regio", [], PASSWORD)
    app = create_app(Settings(site=Site((folder,)), hosts={"localhost"}, token=None, accounts=load_accounts(users),
                              secure_cookie=secure))
    app.logger.disabled = True
    return app


BEARER = {"Authorization": "Bearer tok"}


def csrf_of(client, path="/login", **kw) -> str:
    page = client.get(path, **kw)
    match = CSRF_RE.search(page.get_data(as_text=True))
    assert match, f"no csrf_token on {path} ({page.status_code})"
    return match.group(1)


def login(client, name="anne", password=PASSWORD, base_url="http://localhost", volgende=None):
    data = {"naam": name, "wachtwoord": password, "csrf_token": csrf_of(client, base_url=base_url)}
    if volgende is not None:
        data["volgende"] = volgende
    return client.post("/login", data=data, base_url=base_url)


def token_session(client, token="tok"):
    response = client.get(f"/?token={token}")
    assert response.status_code == 303
    return response


def etag(client) -> str:
    return client.get(f"/api/teams/{TEAM}", headers=BEARER).headers["ETag"]


def put(client, body, headers=None, content_type="application/json"):
    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return client.put(f"/api/teams/{TEAM}/feiten", data=data,
                      headers=BEARER | {"If-Match": etag(client), "Content-Type": content_type} | (headers or {}))


def tree(root: Path) -> dict:
    """Every file under root with a digest of its bytes (to see that nothing else was read or written)."""
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def still_valid(path: Path) -> None:
    """The file loads exactly as `kader check` loads it (a KaderFout fails the test)."""
    check_file(path)


def dutch_refusal(response, status=None) -> str:
    """A refusal in Dutch, never a traceback; returns its text."""
    text = response.get_data(as_text=True)
    if status is not None:
        assert response.status_code == status, (response.status_code, text[:500])
    assert 400 <= response.status_code < 500, (response.status_code, text[:500])
    assert "Traceback" not in text and "File \"" not in text
    if response.mimetype == "application/json":
        body = json.loads(text)
        assert body["status"] == response.status_code and body["fout"]
    else:
        assert response.mimetype == "text/html" and '<html lang="nl">' in text
    return text


class Markup(html.parser.HTMLParser):
    """What a browser would run: script elements, elements with an event handler attribute, and images."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.scripts: list[str] = []
        self.handlers: list[tuple[str, str]] = []
        self.images = 0
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        if tag == "script":
            self._in_script = True
            self.scripts.append("")
        if tag == "img":
            self.images += 1
        self.handlers += [(tag, name) for name, _ in attrs if name.lower().startswith("on")]

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts[-1] += data


def markup(text: str) -> Markup:
    parser = Markup()
    parser.feed(text)
    parser.close()
    return parser


def assert_inert(text: str) -> None:
    found = markup(text)
    assert found.scripts == [] and found.handlers == [] and found.images == 0, (found.scripts, found.handlers)


# ---------------------------------------------------------------------- XSS ------------------------------
def _yaml_text(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a YAML double-quoted scalar


def hostile_site(tmp_path: Path) -> tuple[Path, Path]:
    """The assessments with hostile text in every place a person types, and a copied Kader folder with
    hostile question texts, help, unit, theme, labels and a rule title (a Kader editor's mistake or a
    malicious copy)."""
    served = tmp_path / "assessments"
    shutil.copytree(bundled_assessments(), served)
    kader = tmp_path / "kader-kopie"
    shutil.copytree(bundled_root() / "kader", kader / "kader")
    shutil.copytree(bundled_root() / "rules", kader / "rules")
    evil = _yaml_text(EVIL)
    questions = kader / "kader" / "vragen-1.0.yaml"
    text = questions.read_text(encoding="utf-8")
    inside_quotes = EVIL.replace('"', '\\"')
    for old, new in [('hulp: "Medewerkers die', f'hulp: "{inside_quotes} Medewerkers die'),
                     ('vraag: "Waar vindt de toegang en eerste triage plaats?"', f"vraag: {evil}"),
                     ('"andere_organisatie": "een andere organisatie"', f'"andere_organisatie": {evil}'),
                     ("eenheid: personen\n    minimum: 0\n    vraag: \"Hoeveel aandachtsf",
                      f"eenheid: {evil}\n    minimum: 0\n    vraag: \"Hoeveel aandachtsf"),
                     ("thema: Veiligheid", f"thema: {evil}")]:
        assert old in text, old
        text = text.replace(old, new)
    questions.write_text(text, encoding="utf-8")
    rule = kader / "rules" / "KLT-VEI-02.yaml"
    rule.write_text(re.sub(r'(?m)^titel: .*$', f"titel: {evil}", rule.read_text(encoding="utf-8"), count=1),
                    encoding="utf-8")
    path = served / FILE
    text = path.read_text(encoding="utf-8")
    for old, new in [('naam: "BBS Lokaal team Baarn"', f"naam: {evil}"), ("gemeente: Baarn", f"gemeente: {evil}"),
                     ("organisatie: BBS", f"organisatie: {evil}"),
                     ('toelichting: "Totaal 13,45 fte (peildatum 1-1-2023)."', f"toelichting: {evil}")]:
        assert old in text, old
        text = text.replace(old, new, 1)
    text = text.replace('    bewijs: "S0 Bijlage, Algemeen overzicht inwoners en kenmerken lokale teams"\n',
                        f"    bewijs: {evil}\n", 1)
    text = text.replace("  algemeen.kenmerken_team:\n    waarde: >-\n",
                        f"  algemeen.kenmerken_team:\n    waarde: {evil}\n    toelichting: >-\n", 1)
    text += (f"transformatieplan:\n  - eis: KLT-VEI-02\n    omschrijving: {evil}\n"
             f"    eigenaar: implementatieverantwoordelijke\n    deadline: 2023-06-01\n    status: gepland\n"
             f"    toelichting: {evil}\n"
             f"afwijkingen:\n  - eis: KLT-EB-02\n    reden: {evil}\n"
             f"    goedgekeurd_door: {{rol: implementatieverantwoordelijke, naam: {evil}}}\n"
             f"    datum: 2023-02-01\n    geldig_tot: 2023-12-31\n")
    path.write_text(text, encoding="utf-8")
    check_file(path, kader)  # the hostile file is a valid assessment: the page must show it safely
    return served, kader


@pytest.fixture
def hostile(tmp_path):
    served, kader = hostile_site(tmp_path)
    app = local_app(served, kader=kader)
    client = app.test_client()
    token_session(client)
    return client


HOSTILE_PAGES = ["/", f"/team/{TEAM}", f"/team/{TEAM}?alles=1", f"/team/{TEAM}/vragenlijst", "/regio", "/kader"]


@pytest.mark.parametrize("path", HOSTILE_PAGES)
def test_hostile_file_and_kader_texts_are_escaped_on_every_page(hostile, path):
    response = hostile.get(path)
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert_inert(text)
    if path != "/kader":
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text  # shown, as text
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert "'unsafe-inline'" not in response.headers["Content-Security-Policy"]


def test_every_hostile_text_reaches_the_pages_escaped(hostile):
    """Each planted place is really shown (so the test above looks at it): the team's name, help, unit,
    theme, label, rule title, toelichting, evidence, plan and afwijking."""
    team = hostile.get(f"/team/{TEAM}?alles=1").get_data(as_text=True)
    form = hostile.get(f"/team/{TEAM}/vragenlijst").get_data(as_text=True)
    escaped = "&lt;script&gt;alert(1)&lt;/script&gt;"
    assert team.count(escaped) >= 7  # name, municipality, organisation, rule title, action, note, afwijking...
    assert form.count(escaped) >= 8  # help, question, label, unit, theme, evidence, toelichting, answer
    assert 'value="&lt;script&gt;alert(1)&lt;/script&gt;&#34;&#39;&gt;' in form  # an attribute stays one


def test_the_region_html_download_is_an_inert_attachment(hostile):
    """The HTML export of the region is served from the same origin: as an attachment, under its own
    CSP with sandbox (no script of it runs, not even its own, and it gets an opaque origin), with
    nosniff; the hostile texts in it are escaped, and its only script is its own fixed toggle."""
    for kind in ("overzicht", "trend"):
        response = hostile.get(f"/regio/{kind}.html")
        assert response.status_code == 200
        assert response.headers["Content-Disposition"] == f'attachment; filename="regio-{kind}.html"'
        csp = response.headers["Content-Security-Policy"]
        assert "sandbox" in csp.split(";")[-1] and "default-src 'none'" in csp and "script-src" not in csp
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["X-Frame-Options"] == "DENY"
        found = markup(response.get_data(as_text=True))
        assert found.handlers == [] and found.images == 0
        assert all("alert" not in s and "toggle-gaps" in s for s in found.scripts), found.scripts


def test_hostile_typed_answers_are_escaped_when_the_form_comes_back(hostile):
    """A refused save (422) and a stale save (409) show what was typed again: escaped, never markup."""
    csrf = csrf_of(hostile, f"/team/{TEAM}/vragenlijst")
    form = {"csrf_token": csrf, "w:algemeen.inwoners": EVIL, "t:algemeen.inwoners": EVIL,
            "b:algemeen.inwoners": EVIL, "d:algemeen.inwoners": EVIL}
    refused = hostile.post(f"/team/{TEAM}/vragenlijst", data=form | {"versie": etag(hostile)})
    assert refused.status_code == 422
    assert_inert(refused.get_data(as_text=True))
    stale = hostile.post(f"/team/{TEAM}/vragenlijst", data=form | {"versie": '"oud"', "basis": EVIL})
    assert stale.status_code == 409
    text = stale.get_data(as_text=True)
    assert_inert(text)
    assert "&lt;script&gt;alert(1)" in text


@pytest.mark.parametrize("path", [
    "/login?volgende=" + urllib.parse.quote('/"><script>alert(1)</script>'),
    "/team/" + urllib.parse.quote(EVIL, safe=""),
    "/api/teams/" + urllib.parse.quote(EVIL, safe=""),
    "/regio/" + urllib.parse.quote(EVIL, safe="") + ".html",
    "/static/" + urllib.parse.quote(EVIL, safe=""),
])
def test_query_and_path_input_is_never_echoed_as_markup(folder, path):
    client = local_app(folder).test_client()
    token_session(client)
    response = client.get(path)
    text = response.get_data(as_text=True)
    assert response.status_code in (200, 404)
    assert_inert(text)
    if response.mimetype == "application/json":
        assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_hostile_form_input_on_new_team_and_peildatum_comes_back_escaped(folder):
    client = local_app(folder).test_client()
    token_session(client)
    csrf = csrf_of(client, "/nieuw")
    new = client.post("/nieuw", data={"csrf_token": csrf, "id": EVIL, "naam": EVIL, "gemeente": EVIL,
                                      "organisatie": EVIL, "taken": EVIL, "peildatum": EVIL})
    assert new.status_code == 422
    assert_inert(new.get_data(as_text=True))
    date = client.post(f"/team/{TEAM}/peildatum", data={"csrf_token": csrf, "peildatum": EVIL})
    dutch_refusal(date, 422)
    assert_inert(date.get_data(as_text=True))
    api = put(client, {"algemeen.inwoners": {EVIL: 1}, EVIL: 2})
    dutch_refusal(api, 422)
    assert api.mimetype == "application/json"


def test_flash_messages_never_carry_input(folder):
    """The messages after a save are built from counts only; what was typed never goes into them."""
    client = local_app(folder).test_client()
    token_session(client)
    csrf = csrf_of(client, f"/team/{TEAM}/vragenlijst")
    saved = client.post(f"/team/{TEAM}/vragenlijst", follow_redirects=True,
                        data={"csrf_token": csrf, "versie": etag(client), "t:algemeen.inwoners": "<b>vet</b>"})
    text = saved.get_data(as_text=True)
    assert saved.status_code == 200 and "Opgeslagen: 1 antwoord veranderd." in text
    assert "<b>vet</b>" not in text


# ---------------------------------------------------------------------- open redirect --------------------
REDIRECTS = ["//evil.example", "/\\evil.example", "\\\\evil.example", "https:evil.example", "https://evil.example",
             "http:/\\/evil.example", "//%65vil.example", " //evil.example", "/\t/evil.example", "/\r\n/evil.example",
             "javascript:alert(1)", "/%2F/evil.example", "/%09/evil.example", "/.//evil.example", "/\u2028//evil",
             "\u3002/evil.example", "／／evil.example", "/%5Cevil.example", "evil.example", ""]


@pytest.mark.parametrize("target", REDIRECTS)
def test_after_login_the_redirect_stays_on_this_site(folder, tmp_path, target):
    """OWASP unvalidated redirects: volgende (in the query and in the form) only ever leads to a path
    here; a browser resolving the Location against the page stays on this host."""
    client = regional_app(folder, tmp_path).test_client()
    page = client.get("/login", query_string={"volgende": target}).get_data(as_text=True)
    shown = re.search(r'name="volgende" value="([^"]*)"', page).group(1)
    assert shown == "/" or (shown.startswith("/") and not shown.startswith("//"))
    response = login(client, volgende=target)
    assert response.status_code == 303
    location = response.headers["Location"]
    resolved = urllib.parse.urlsplit(urllib.parse.urljoin("http://localhost/login", location))
    assert (resolved.scheme, resolved.netloc) == ("http", "localhost"), location
    assert location.startswith("/") and not location.startswith(("//", "/\\"))


def test_a_path_here_is_kept_as_the_target(folder, tmp_path):
    client = regional_app(folder, tmp_path).test_client()
    assert login(client, volgende="/team/baarn?alles=1").headers["Location"] == "/team/baarn?alles=1"


# ---------------------------------------------------------------------- path traversal -------------------
TRAVERSAL_IDS = ["..", "%2e%2e", "%2E%2E%2Fgeheim", "..%2Fgeheim", "a%2Fb", "%2Fetc%2Fpasswd", "x" * 5000, "a%00b",
                 "a%0d%0ab", "%C0%AE%C0%AE", "geheim", ".geschiedenis", "baarn%00", "baarn%20", "BAARN", "baarn.",
                 "..%5C..%5Cgeheim", "%252e%252e"]
READS = ["/team/{}", "/team/{}/vragenlijst", "/team/{}/vragenlijst.xlsx", "/team/{}/tekorten.json", "/api/teams/{}"]
WRITES = ["/team/{}/plan", "/team/{}/voorstellen", "/team/{}/peildatum", "/team/{}/vragenlijst"]


@pytest.fixture
def traversal(tmp_path):
    """A served folder, and beside it (outside) a valid assessment of team 'geheim' that must never be
    read or written through the page."""
    served = tmp_path / "assessments"
    shutil.copytree(bundled_assessments(), served)
    secret = (served / FILE).read_text(encoding="utf-8").replace("id: baarn", "id: geheim")
    (tmp_path / "geheim-2023-03.yaml").write_text(secret, encoding="utf-8")
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc" / "passwd").write_text("root:x:0:0\n", encoding="utf-8")
    return tmp_path, local_app(served).test_client()


@pytest.mark.parametrize("team_id", TRAVERSAL_IDS)
def test_team_ids_never_reach_outside_the_served_teams(traversal, team_id):
    """A team is found by its id among the assessments the sweep read, never by building a path from
    the id: every odd id is 'niet gevonden' (or 'geen toegang'), in every read, write and API route."""
    root, client = traversal
    before = tree(root)
    for route in READS:
        response = client.get(route.format(team_id), headers=BEARER)
        dutch_refusal(response, 404)
        assert "root:x" not in response.get_data(as_text=True) and "geheim" not in response.get_data(as_text=True)
    for route in WRITES:
        dutch_refusal(client.post(route.format(team_id), headers=BEARER,
                                  data={"versie": '"x"', "peildatum": "01-03-2024", "status:1": "behaald"}), 404)
    dutch_refusal(client.put(f"/api/teams/{team_id}/feiten", headers=BEARER | {"If-Match": '"x"'},
                             json={"algemeen.inwoners": 1}), 404)
    assert tree(root) == before


def test_a_team_account_cannot_reach_another_team_through_an_odd_id(folder, tmp_path):
    client = regional_app(folder, tmp_path).test_client()
    login(client)
    assert client.get("/team/baarn").status_code == 200
    for odd in ["soest%2F..%2Fbaarn", "baarn%2F..%2Fsoest", "baarn/../soest", "Soest", "soest%00baarn"]:
        assert client.get(f"/team/{odd}").status_code in (403, 404)
        assert client.get(f"/api/teams/{odd}").status_code in (403, 404)


@pytest.mark.parametrize("team_id", ["..", ".", "../geheim", "a/b", "a\\b", ".geschiedenis/x", "x" * 65, "a\x00b",
                                     "a\nb", "a\u202eb", "con", ""])
def test_a_new_team_id_cannot_name_a_path(folder, team_id):
    """'Nieuw team' makes <id>-<date>.yaml in the served folder: an id that is a path, or one no browser
    can open (/team/.. and /team/. are dot segments a browser removes), is refused with a Dutch
    message next to the field; nothing is written anywhere but a plain file in the served folder."""
    client = local_app(folder).test_client()
    token_session(client)
    root = folder.parent
    before = tree(root)
    response = client.post("/nieuw", data={"csrf_token": csrf_of(client, "/nieuw"), "id": team_id, "naam": "Team X",
                                           "gemeente": "Baarn", "organisatie": "X", "taken": "jeugd,wmo",
                                           "peildatum": "01-03-2024"})
    after = tree(root)
    made = set(after) - set(before)
    if response.status_code == 303:
        assert team_id not in ("..", "."), "a team nobody can open in a browser"
        assert made == {f"assessments/{team_id}-2024-03-01.yaml"}
        assert client.get(response.headers["Location"]).status_code == 200
    else:
        assert response.status_code == 422 and made == set()
        assert 'class="veldfout"' in response.get_data(as_text=True)


def test_the_history_folder_stays_inside_the_history(tmp_path):
    """The previous version goes to .geschiedenis/<name>/ beside the file: also for a file whose name
    without .yaml is '..' (a file called '...yaml'), which must not put the history into the served
    folder itself, where the sweep would read it as a second assessment of the team."""
    served = tmp_path / "assessments"
    served.mkdir()
    shutil.copy(bundled_assessments() / FILE, served / "...yaml")
    client = local_app(served).test_client()
    assert put(client, {"algemeen.inwoners": 25000}).status_code == 200
    yamls = sorted(str(p.relative_to(served)) for p in served.rglob("*.yaml") if p.is_file())
    assert yamls[0] == "...yaml" and len(yamls) == 2
    assert yamls[1].startswith(HISTORY_FOLDER + "/") and yamls[1].count("/") == 2, yamls
    assert len(json.loads(client.get("/api/teams", headers=BEARER).data)["teams"]) == 1


# ---------------------------------------------------------------------- CSRF -----------------------------
def test_login_needs_the_csrf_token_of_the_session(folder, tmp_path):
    """Login CSRF: a login form posted from elsewhere (no token, or the attacker's own token without
    its cookie) is refused, so nobody can log a victim into the attacker's account."""
    app = regional_app(folder, tmp_path)
    attacker = app.test_client()
    their_token = csrf_of(attacker)
    victim = app.test_client()
    for data in ({"naam": "anne", "wachtwoord": PASSWORD},
                 {"naam": "anne", "wachtwoord": PASSWORD, "csrf_token": their_token}):
        response = victim.post("/login", data=data)
        dutch_refusal(response, 403)
        assert victim.get("/").status_code == 303  # still not logged in
    victim.get("/login")
    dutch_refusal(victim.post("/login", data={"naam": "anne", "wachtwoord": PASSWORD, "csrf_token": their_token}), 403)


def test_logout_needs_a_post_with_the_token(folder, tmp_path):
    client = regional_app(folder, tmp_path).test_client()
    login(client)
    dutch_refusal(client.get("/uitloggen"), 405)
    dutch_refusal(client.post("/uitloggen"), 403)
    assert client.get("/team/baarn").status_code == 200  # a forged logout changed nothing
    token = csrf_of(client, "/team/baarn")
    assert client.post("/uitloggen", data={"csrf_token": token}).status_code == 303
    assert client.get("/team/baarn").status_code == 303


def test_a_cookie_session_needs_the_csrf_header_on_the_api(folder, tmp_path):
    client = regional_app(folder, tmp_path).test_client()
    login(client)
    before = (folder / FILE).read_bytes()
    version = client.get("/api/teams/baarn").headers["ETag"]
    for headers in ({}, {"X-CSRF-Token": "fout"}, {"X-CSRF-Token": ""}):
        response = client.put("/api/teams/baarn/feiten", json={"algemeen.inwoners": 1},
                              headers={"If-Match": version} | headers)
        dutch_refusal(response, 403)
    assert (folder / FILE).read_bytes() == before
    token = csrf_of(client, "/team/baarn")
    ok = client.put("/api/teams/baarn/feiten", json={"algemeen.inwoners": 1},
                    headers={"If-Match": version, "X-CSRF-Token": token})
    assert ok.status_code == 200


def test_content_type_confusion_writes_nothing(folder, tmp_path):
    """JSON sent as text/plain or as a form (what a cross-site form could send): refused, nothing
    written; with a cookie session also without the token; the token as a form field of a PUT
    passes the CSRF check but the body is still no JSON object."""
    client = regional_app(folder, tmp_path).test_client()
    login(client)
    before = (folder / FILE).read_bytes()
    version = client.get("/api/teams/baarn").headers["ETag"]
    body = '{"algemeen.inwoners": 1}'
    for ctype in ("text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
                  "application/json-patch+json", "application/jsonp"):
        dutch_refusal(client.put("/api/teams/baarn/feiten", data=body, content_type=ctype,
                                 headers={"If-Match": version}), 403)
    token = csrf_of(client, "/team/baarn")
    dutch_refusal(client.put("/api/teams/baarn/feiten", data={"csrf_token": token, "algemeen.inwoners": "1"},
                             headers={"If-Match": version}), 400)
    dutch_refusal(client.put("/api/teams/baarn/feiten", data=body, content_type="text/plain",
                             headers={"If-Match": version, "X-CSRF-Token": token}), 400)
    assert (folder / FILE).read_bytes() == before


@pytest.mark.parametrize("override", [{"X-HTTP-Method-Override": "PUT"}, {"X-HTTP-Method": "PUT"},
                                      {"X-Method-Override": "PUT"}])
def test_no_method_override(folder, override):
    """No method override: a POST (what a form can send) never becomes the API's PUT."""
    client = local_app(folder).test_client()
    before = (folder / FILE).read_bytes()
    response = client.post(f"/api/teams/{TEAM}/feiten?_method=PUT",
                           headers=BEARER | override | {"If-Match": etag(client)},
                           data={"_method": "PUT", "algemeen.inwoners": "1"})
    dutch_refusal(response, 405)
    assert (folder / FILE).read_bytes() == before


def test_a_form_post_from_elsewhere_writes_nothing(folder):
    """The cookie travels (SameSite aside): without the session's token the save is refused."""
    client = local_app(folder).test_client()
    token_session(client)
    before = (folder / FILE).read_bytes()
    for route, data in [(f"/team/{TEAM}/vragenlijst", {"versie": etag(client), "w:algemeen.inwoners": "1"}),
                        (f"/team/{TEAM}/plan", {"versie": etag(client)}),
                        (f"/team/{TEAM}/peildatum", {"peildatum": "01-03-2024"}),
                        ("/nieuw", {"id": "x", "naam": "x", "gemeente": "x", "organisatie": "x", "taken": "jeugd",
                                    "peildatum": "01-03-2024"})]:
        dutch_refusal(client.post(route, data=data), 403)
        dutch_refusal(client.post(route, data=data | {"csrf_token": "geraden"}), 403)
    assert (folder / FILE).read_bytes() == before and len(list(folder.glob("*.yaml"))) == 8


# ---------------------------------------------------------------------- sessions -------------------------
def _cookie(client, name):
    cookie = client.get_cookie(name)
    return cookie.value if cookie else None


def test_login_starts_a_new_session_with_a_new_csrf_token(folder, tmp_path):
    """Session fixation: the session from before the login (and its CSRF token) is not the one after."""
    client = regional_app(folder, tmp_path).test_client()
    before_token = csrf_of(client)
    before_cookie = _cookie(client, "kadertoets")
    login(client)
    after_token = csrf_of(client, "/team/baarn")
    assert after_token != before_token and _cookie(client, "kadertoets") != before_cookie


def test_a_forged_or_planted_cookie_is_nobody(folder, tmp_path):
    app = regional_app(folder, tmp_path)
    other = regional_app(folder, tmp_path)  # another process: another secret key
    thief = other.test_client()
    login(thief, "rita")
    client = app.test_client()
    client.set_cookie("kadertoets", _cookie(thief, "kadertoets"))
    assert client.get("/regio").status_code == 303
    client.set_cookie("kadertoets", '{"wie": {"naam": "rita", "rol": "regio"}, "sinds": 9999999999}')
    assert client.get("/regio").status_code == 303


class _Clock:
    def __init__(self, offset=0.0):
        self.offset = offset

    def time(self):
        return time.time() + self.offset

    def __getattr__(self, name):
        return getattr(time, name)


def test_a_session_ends_after_the_maximum_even_when_used(folder, tmp_path, monkeypatch):
    """Absolute expiry: used every few hours (so the cookie itself stays fresh), the session still ends
    SESSION_MAX_HOURS after the login."""
    client = regional_app(folder, tmp_path).test_client()
    login(client)
    clock = _Clock()
    monkeypatch.setattr(app_module, "time", clock)
    for hours in range(0, SESSION_MAX_HOURS, SESSION_HOURS // 2):
        clock.offset = hours * 3600
        assert client.get("/team/baarn").status_code == 200, hours
    clock.offset = SESSION_MAX_HOURS * 3600 + 60
    response = client.get("/team/baarn")
    assert response.status_code == 303 and response.headers["Location"].startswith("/login")
    clock.offset = 0  # and it stays ended: the cookie was cleared
    assert client.get("/team/baarn").status_code == 303


def test_a_session_ends_when_idle(folder, tmp_path, monkeypatch):
    """Idle expiry: the signed cookie carries its time; older than SESSION_HOURS it is not accepted."""
    import itsdangerous.timed

    client = regional_app(folder, tmp_path).test_client()
    login(client)
    monkeypatch.setattr(itsdangerous.timed, "time", _Clock(SESSION_HOURS * 3600 + 60))
    assert client.get("/team/baarn").status_code == 303
    assert client.get("/api/teams/baarn").status_code == 401


def test_cookie_flags_local(folder):
    client = local_app(folder).test_client()
    response = token_session(client)
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("kadertoets=")
    flags = {part.strip().split("=")[0].lower() for part in cookie.split(";")[1:]}
    assert {"httponly", "samesite", "path"} <= flags and "secure" not in flags and "domain" not in flags
    assert "SameSite=Strict" in cookie and "Path=/" in cookie


def test_cookie_flags_regional_behind_tls(folder, tmp_path):
    """Regional use without --zonder-https: a __Host- cookie (Secure, Path=/, no Domain), HSTS."""
    users = tmp_path / "gebruikers.yaml"
    add_account(users, "anne", "team", [TEAM], PASSWORD)
    settings = settings_for((folder,), "0.0.0.0", users, None, ("kadertoets.regio.nl",))
    assert settings.secure_cookie is True and settings.token is None
    assert settings_for((folder,), "0.0.0.0", users, None, (), without_https=True).secure_cookie is False
    settings.hosts.update({"localhost"})
    app = create_app(settings)
    client = app.test_client()
    response = login(client, base_url="https://localhost")
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("__Host-kadertoets=")
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/" in cookie
    assert "Domain" not in cookie
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_a_cookie_replayed_after_logout_is_refused(folder, tmp_path):
    """The session is a signed cookie kept by the browser; logging out must end it on the server too,
    so a copy of the cookie (a shared computer, a stolen backup) does not keep working until it
    expires (OWASP session management: invalidate the session on logout)."""
    client = regional_app(folder, tmp_path).test_client()
    login(client)
    stolen = _cookie(client, "kadertoets")
    token = csrf_of(client, "/team/baarn")
    assert client.post("/uitloggen", data={"csrf_token": token}).status_code == 303
    client.set_cookie("kadertoets", stolen)
    assert client.get("/team/baarn").status_code == 303
    assert client.get("/api/teams/baarn").status_code == 401
    dutch_refusal(client.put("/api/teams/baarn/feiten", json={"algemeen.inwoners": 1},
                             headers={"If-Match": '"x"', "X-CSRF-Token": token}), 401)
    login(client)  # a new login works again
    assert client.get("/team/baarn").status_code == 200


def test_a_logout_ends_only_that_session(folder, tmp_path):
    app = regional_app(folder, tmp_path)
    laptop, phone = app.test_client(), app.test_client()
    login(laptop)
    login(phone)
    laptop.post("/uitloggen", data={"csrf_token": csrf_of(laptop, "/team/baarn")})
    assert phone.get("/team/baarn").status_code == 200


def test_login_is_throttled_and_long_input_is_cut(folder, tmp_path):
    client = regional_app(folder, tmp_path).test_client()
    for _ in range(5):
        assert login(client, password="fout").status_code == 401
    response = login(client)  # the right password, but too many failures: refused for a while
    assert response.status_code == 401 and "kwartier" in response.get_data(as_text=True)
    other = regional_app(folder, tmp_path).test_client()
    started = time.monotonic()
    response = login(other, name="x" * 100_000, password="y" * 1_000_000)
    assert response.status_code == 401 and time.monotonic() - started < 10


# ---------------------------------------------------------------------- Host header ----------------------
HOSTS = host_names("127.0.0.1", 8000)


@pytest.mark.parametrize("host, ok", [
    ("127.0.0.1:8000", True), ("localhost:8000", True), ("LOCALHOST:8000", True), ("[::1]:8000", True),
    ("LocalHost:8000", True), ("localhost", False), ("localhost:80", False), ("localhost:08000", False),
    ("localhost.:8000", False), ("localhost:8000.", False), ("[0:0:0:0:0:0:0:1]:8000", False), ("::1:8000", False),
    ("[::1]", False), ("127.1:8000", False), ("2130706433:8000", False), ("evil.example", False),
    ("evil.example:8000", False), ("127.0.0.1:8000@evil.example", False), ("localhost:8000 ", False),
    ("", False), ("127.0.0.1.nip.io:8000", False),
])
def test_the_host_header_must_be_a_served_name(folder, host, ok):
    """DNS rebinding: a page of evil.example whose name now points at 127.0.0.1 sends Host: evil.example;
    only the names served are answered (case does not matter in a host name, a port does)."""
    client = local_app(folder, hosts=HOSTS).test_client()
    response = client.get("/api/teams", headers=BEARER, environ_overrides={"HTTP_HOST": host})
    if ok:
        assert response.status_code == 200
    else:
        dutch_refusal(response, 400)


def test_forwarded_host_is_not_trusted(folder):
    client = local_app(folder, hosts=HOSTS).test_client()
    evil = client.get("/api/teams", headers=BEARER | {"X-Forwarded-Host": "127.0.0.1:8000"},
                      environ_overrides={"HTTP_HOST": "evil.example"})
    dutch_refusal(evil, 400)
    response = client.get("/?token=tok", headers={"X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "https",
                                                  "Forwarded": "host=evil.example"},
                          environ_overrides={"HTTP_HOST": "127.0.0.1:8000"})
    assert response.status_code == 303 and "evil" not in response.headers["Location"]
    page = client.get("/", environ_overrides={"HTTP_HOST": "127.0.0.1:8000"},
                      headers={"X-Forwarded-Host": "evil.example"})
    assert "evil.example" not in page.get_data(as_text=True)


def test_a_request_without_host_is_refused_under_waitress(folder):
    """HTTP/1.0 without a Host header: waitress then names the server 'waitress.invalid', no served name."""
    from werkzeug.test import EnvironBuilder, run_wsgi_app

    app = local_app(folder, hosts=HOSTS)
    environ = EnvironBuilder(path="/api/teams", headers=BEARER).get_environ()
    environ.pop("HTTP_HOST")
    environ.update(SERVER_NAME="waitress.invalid", SERVER_PORT="8000", SERVER_PROTOCOL="HTTP/1.0")
    _, status, _ = run_wsgi_app(app, environ)
    assert status.startswith("400")


# ---------------------------------------------------------------------- big and odd input ----------------
def test_a_3_mb_post_gets_a_dutch_413(folder):
    client = local_app(folder).test_client()
    token_session(client)
    csrf = csrf_of(client, f"/team/{TEAM}/vragenlijst")
    big = "a" * (3 * 1024 * 1024)
    page = client.post(f"/team/{TEAM}/vragenlijst", data={"csrf_token": csrf, "t:algemeen.inwoners": big})
    assert "te groot" in dutch_refusal(page, 413)
    api = client.put(f"/api/teams/{TEAM}/feiten", data='{"x": "' + big + '"}', content_type="application/json",
                     headers=BEARER | {"If-Match": '"x"'})
    assert api.mimetype == "application/json" and "te groot" in dutch_refusal(api, 413)
    login_page = client.post("/login", data={"csrf_token": csrf, "token": big})
    dutch_refusal(login_page, 413)


def test_ten_thousand_form_fields(folder):
    """10 000 fields: as a urlencoded form they are read (under the size limit) and the unknown ones
    ignored; as multipart the part limit answers 413. Never a 500, never a half-written file."""
    client = local_app(folder).test_client()
    token_session(client)
    csrf = csrf_of(client, f"/team/{TEAM}/vragenlijst")
    fields = {f"t:vraag{n}": "x" for n in range(10_000)} | {"csrf_token": csrf, "versie": etag(client)}
    plain = client.post(f"/team/{TEAM}/vragenlijst", data=urllib.parse.urlencode(fields),
                        content_type="application/x-www-form-urlencoded")
    assert plain.status_code == 303  # nothing the Kader knows: "Niets veranderd"
    multipart = client.post(f"/team/{TEAM}/vragenlijst", data=fields, content_type="multipart/form-data")
    dutch_refusal(multipart, 413)
    still_valid(folder / FILE)


@pytest.mark.parametrize("body", ["[" * 100_000, '{"a":' * 50_000 + "1" + "}" * 50_000,
                                  '{"algemeen.inwoners": ' + "[" * 5000 + "]" * 5000 + "}"])
def test_deeply_nested_json_is_a_400(folder, body):
    client = local_app(folder).test_client()
    before = (folder / FILE).read_bytes()
    dutch_refusal(put(client, body))
    assert (folder / FILE).read_bytes() == before


@pytest.mark.parametrize("depth", [10, 500, 950, 990])
@pytest.mark.parametrize("where", ["waarde", "toelichting", "answer"])
def test_nested_values_within_the_json_decoders_reach_are_refused(folder, depth, where):
    client = local_app(folder).test_client()
    nested = "[" * depth + "]" * depth
    body = {"waarde": '{"algemeen.inwoners": {"waarde": %s}}',
            "toelichting": '{"algemeen.inwoners": {"toelichting": %s}}',
            "answer": '{"algemeen.kenmerken_team": %s}'}[where] % nested
    before = (folder / FILE).read_bytes()
    response = put(client, body)
    dutch_refusal(response)  # 422, or 400 where the JSON reader itself gives up
    assert response.status_code == 422 or depth > 900
    assert (folder / FILE).read_bytes() == before


def test_a_deeply_nested_basis_in_the_form_is_no_500(folder):
    client = local_app(folder).test_client()
    token_session(client)
    csrf = csrf_of(client, f"/team/{TEAM}/vragenlijst")
    response = client.post(f"/team/{TEAM}/vragenlijst", data={"csrf_token": csrf, "versie": '"oud"',
                                                             "basis": "[" * 100_000, "w:algemeen.inwoners": "5"})
    assert response.status_code == 409
    assert_inert(response.get_data(as_text=True))


@pytest.mark.parametrize("body, status", [
    ("[1, 2]", 400), ('"tekst"', 400), ("null", 400), ("1", 400), ("{}", 400), ("", 400), ("{", 400),
    ('{"algemeen.inwoners": NaN}', 422), ('{"algemeen.inwoners": Infinity}', 422),
    ('{"formatie.fte_totaal": -Infinity}', 422), ('{"formatie.fte_totaal": 1e400}', 422),
    ('{"formatie.fte_totaal": 1e308}', 422), ('{"algemeen.inwoners": 1' + "0" * 5000 + "}", 400),
    ('{"algemeen.inwoners": 1' + "0" * 100 + "}", 422), ('{"algemeen.inwoners": true}', 422),
    ('{"algemeen.inwoners": [1, 2]}', 422), ('{"algemeen.inwoners": {"waarde": {"a": 1}}}', 422),
    ('{"algemeen.inwoners": {"waarde": 5, "herbevestigen": true}}', 422),
    ('{"algemeen.inwoners": {"waarde": 5, "onbekend": 1}}', 422), ('{"onbekend.vraag": 1}', 422),
    ('{"": 1}', 422), ('{"feiten": {"algemeen.inwoners": 1}}', 422),
    ('{"algemeen.kenmerken_team": {"bewijs": ["a"]}}', 422), ('{"algemeen.kenmerken_team": {"toelichting": 5}}', 422),
    ('{"algemeen.kenmerken_team": {"bewijs_datum": "2023-02-30"}}', 422),
    ('{"algemeen.kenmerken_team": {"bewijs_datum": 20230101}}', 422),
    ('{"toegang.eerste_triage_belegd_bij": "!!python/object:os.system"}', 422),
    ('{"algemeen.kenmerken_team": "\\ud800"}', 422), ('{"algemeen.kenmerken_team": {"bewijs": "\\udfff x"}}', 422),
    ('{"algemeen.kenmerken_team": "bel 0612345678"}', 422),
])
def test_odd_json_is_a_dutch_4xx_and_writes_nothing(folder, body, status):
    client = local_app(folder).test_client()
    before = (folder / FILE).read_bytes()
    text = dutch_refusal(put(client, body), status)
    assert "bestand is ongeldig" not in text  # the input is wrong, not the file
    assert (folder / FILE).read_bytes() == before


@pytest.mark.parametrize("body", [
    '{"algemeen.inwoners": 1, "algemeen.inwoners": 2}',
    '{"algemeen.kenmerken_team": "a\\u0000b\\u0007c\\u001bd"}',
    '{"algemeen.kenmerken_team": {"toelichting": "a\\u202eb\\u2066c\\u200bd\\u2028e\\u0085f"}}',
    '{"algemeen.kenmerken_team": "---\\n...\\n&anker *alias !!tag # geen commentaar\\n- x: y"}',
    '{"algemeen.kenmerken_team": "\\ufeffmet BOM"}',
    '{"algemeen.kenmerken_team": {"waarde": null, "toelichting": null}}',
])
def test_odd_but_valid_json_writes_a_file_that_loads(folder, body):
    """Duplicate keys (the last one counts, as JSON parsers do), control and bidi characters, YAML
    syntax in a text: saved, and the file still loads as kader check loads it, with the same text."""
    client = local_app(folder).test_client()
    response = put(client, body)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    still_valid(folder / FILE)
    sent = json.loads(body)
    qid, value = next(iter(sent.items()))
    if isinstance(value, str):
        fact = check_file(folder / FILE).assessment.facts[qid]
        assert fact.value == value.strip() or fact.value == value


def test_a_huge_text_is_refused_before_the_file_grows_past_what_loads(folder):
    """The loader reads at most 1 MiB; a save that would make the file larger is refused (422, nothing
    written), never written into a file that no longer loads."""
    client = local_app(folder).test_client()
    before = (folder / FILE).read_bytes()
    response = put(client, {"algemeen.kenmerken_team": "x" * 1_500_000})
    dutch_refusal(response, 422)
    assert (folder / FILE).read_bytes() == before
    token_session(client)
    csrf = csrf_of(client, f"/team/{TEAM}/vragenlijst")
    form = {"csrf_token": csrf, "versie": etag(client)} | {f"t:{q}": "y " * 150_000 for q in (
        "algemeen.inwoners", "algemeen.jeugd_tm18", "algemeen.ouderen_65plus", "formatie.fte_totaal")}
    page = client.post(f"/team/{TEAM}/vragenlijst", data=form)
    assert page.status_code == 422
    assert (folder / FILE).read_bytes() == before
    still_valid(folder / FILE)


def test_a_value_that_is_a_list_or_odd_in_the_form(folder):
    """Form fields repeated, checkboxes for a single choice, a choice list with every value twice."""
    client = local_app(folder).test_client()
    token_session(client)
    csrf = csrf_of(client, f"/team/{TEAM}/vragenlijst")
    data = [("csrf_token", csrf), ("versie", etag(client)), ("w:algemeen.inwoners", "12"),
            ("w:algemeen.inwoners", "13"), ("m:algemeen.inwoners", "1"), ("w:toegang.eerste_triage_belegd_bij", "x"),
            ("w:toegang.eerste_triage_belegd_bij", "gemeente"), ("d:algemeen.inwoners", "\x00"),
            ("w:toegang.eerste_triage_belegd_bij\x00", "gemeente")]
    response = client.post(f"/team/{TEAM}/vragenlijst", data=MultiDict(data))
    assert response.status_code in (303, 422)
    still_valid(folder / FILE)


# ---------------------------------------------------------------------- nothing lost --------------------
def test_two_saves_at_once_one_wins(folder):
    """Two people save the same team at the same moment, both based on the same version: exactly one
    is written, the other gets 412 and nothing; the file loads and the history holds the old file."""
    app = local_app(folder)
    original = (folder / FILE).read_bytes()
    version = etag(app.test_client())
    barrier = threading.Barrier(2)
    results: dict[int, int] = {}

    def save(value):
        client = app.test_client()
        barrier.wait()
        results[value] = client.put(f"/api/teams/{TEAM}/feiten", json={"algemeen.inwoners": value},
                                    headers=BEARER | {"If-Match": version}).status_code

    threads = [threading.Thread(target=save, args=(v,)) for v in (11111, 22222)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(results.values()) == [200, 412], results
    winner = next(v for v, s in results.items() if s == 200)
    assert check_file(folder / FILE).assessment.facts["algemeen.inwoners"].value == winner
    history = list((folder / HISTORY_FOLDER).rglob("*.yaml"))
    assert [p.read_bytes() for p in history] == [original]


def test_two_form_saves_at_once_one_wins(folder):
    app = local_app(folder)
    first = app.test_client()
    token_session(first)
    csrf = csrf_of(first, f"/team/{TEAM}/vragenlijst")
    version = etag(first)
    barrier = threading.Barrier(2)
    results = {}

    def save(value):
        client = app.test_client()
        token_session(client)
        token = csrf_of(client, f"/team/{TEAM}/vragenlijst")
        barrier.wait()
        results[value] = client.post(f"/team/{TEAM}/vragenlijst", data={"csrf_token": token, "versie": version,
                                                                       "w:algemeen.inwoners": str(value)}).status_code

    assert csrf
    threads = [threading.Thread(target=save, args=(v,)) for v in (11111, 22222)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(results.values()) == [303, 409], results
    still_valid(folder / FILE)


@pytest.mark.parametrize("when", ["history", "file"])
def test_a_crash_during_the_save_leaves_the_old_file(folder, monkeypatch, when):
    """The disk fills up half way through writing the kept version or the new file: the old file is
    untouched, no temporary file is left to be read, the answer is a Dutch refusal."""
    import kadertoets.infra.output as output

    original = (folder / FILE).read_bytes()
    real_fill = output._fill

    def full_disk(fd, data, mode):
        if (data == original) == (when == "history"):
            import os

            os.write(fd, data[: len(data) // 2])
            raise OSError(errno.ENOSPC, "No space left on device")
        real_fill(fd, data, mode)

    monkeypatch.setattr(output, "_fill", full_disk)
    client = local_app(folder).test_client()
    listing = sorted(p.name for p in folder.iterdir())
    response = put(client, {"algemeen.inwoners": 30000})
    text = response.get_data(as_text=True)
    assert response.status_code >= 400 and "Traceback" not in text
    assert "schrijven mislukt" in text
    assert (folder / FILE).read_bytes() == original
    assert sorted(p.name for p in folder.iterdir() if p.name != HISTORY_FOLDER) == \
        [n for n in listing if n != HISTORY_FOLDER]
    still_valid(folder / FILE)


def test_a_write_error_names_the_file_and_what_went_wrong(folder, monkeypatch):
    """The refusal reads 'file: message', not the two glued together."""
    import kadertoets.infra.output as output

    def full_disk(fd, data, mode):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(output, "_fill", full_disk)
    client = local_app(folder).test_client()
    body = json.loads(put(client, {"algemeen.inwoners": 30000}).data)
    assert re.search(r"\.yaml: schrijven mislukt", body["fout"]), body


def test_a_history_folder_that_is_a_file_is_a_dutch_refusal(folder):
    (folder / HISTORY_FOLDER).write_text("geen map\n", encoding="utf-8")
    client = local_app(folder).test_client()
    before = (folder / FILE).read_bytes()
    text = dutch_refusal(put(client, {"algemeen.inwoners": 30000}), 422)
    assert f"de vorige versie kan niet bewaard worden in {HISTORY_FOLDER}" in text
    assert (folder / FILE).read_bytes() == before


# ---------------------------------------------------------------------- the token ------------------------
def test_the_token_leaves_the_address_and_never_comes_back(folder):
    token = secrets.token_urlsafe(32)
    client = local_app(folder, token=token).test_client()
    response = client.get(f"/team/{TEAM}?token={token}")
    assert response.status_code == 303 and response.headers["Location"] == f"/team/{TEAM}"
    assert token not in response.get_data(as_text=True)
    assert response.headers["Referrer-Policy"] == "no-referrer"
    for path in ["/", f"/team/{TEAM}", f"/team/{TEAM}/vragenlijst", "/regio", "/kader", "/login", "/api/teams",
                 f"/api/teams/{TEAM}", "/regio/overzicht.html", "/regio/overzicht.csv", "/api/regio"]:
        page = client.get(path)
        assert page.headers["Referrer-Policy"] == "no-referrer"
        assert token not in page.get_data(as_text=True) and token not in str(page.headers), path
    wrong = client.get(f"/?token={token}x")
    assert wrong.status_code == 401 and token not in wrong.get_data(as_text=True)


def test_waitress_logs_no_token(folder, monkeypatch, caplog):
    """kader serve under waitress: the first line is the address with the token; waitress itself has
    no access log and names only the path (never the query) when something fails, so the token does
    not end up in a log."""
    import urllib.request

    import waitress

    from kadertoets.web import serve as serve_module

    made = {}
    real = waitress.create_server

    def create_server(app, **kw):
        made["server"] = real(app, **kw)
        return made["server"]

    monkeypatch.setattr(waitress, "create_server", create_server)
    settings = settings_for((folder,), "127.0.0.1", None, None)
    out = io.StringIO()
    caplog.set_level(logging.DEBUG)
    runner = threading.Thread(target=serve_module.serve, args=(settings, "127.0.0.1", 0),
                              kwargs={"out": out, "err": io.StringIO()}, daemon=True)
    runner.start()
    for _ in range(200):
        if out.getvalue():
            break
        time.sleep(0.05)
    address = out.getvalue().splitlines()[0]
    assert address.startswith("http://127.0.0.1:") and settings.token in address
    try:
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
        page = opener.open(address, timeout=30)
        assert page.status == 200 and settings.token not in page.read().decode()
        base = address.split("/?")[0]
        for path in [f"/team/{TEAM}?token={settings.token}", f"/bestaat-niet?token={settings.token}x"]:
            try:
                opener.open(base + path, timeout=30).read()
            except urllib.error.HTTPError as exc:
                exc.read()
    finally:
        made["server"].close()
        runner.join(10)
    logged = "\n".join(r.getMessage() + str(r.args) for r in caplog.records)
    assert settings.token not in logged


# ---------------------------------------------------------------------- hypothesis -----------------------
QUESTION_IDS = ["algemeen.inwoners", "formatie.fte_totaal", "algemeen.kenmerken_team",
                "toegang.eerste_triage_belegd_bij", "veiligheid.aandachtsfunctionarissen",
                "clientervaring.laatste_meting", "onbekend.vraag"]
TEXT = st.text(alphabet=st.characters(codec="utf-8") | st.sampled_from("0123456789,.-:ja nee\n\r\t\x00\u202e"),
               max_size=40)
SCALAR = st.none() | st.booleans() | st.integers(-10**20, 10**20) | st.floats(allow_nan=True) | TEXT \
    | st.sampled_from(["12", "0,78", "01-03-2023", "2023-03-01", "ja", "nee", "gemeente", ""])
JSON_VALUE = st.recursive(SCALAR, lambda inner: st.lists(inner, max_size=3)
                          | st.dictionaries(st.sampled_from(["waarde", "toelichting", "bewijs", "bewijs_datum",
                                                             "bewijs_document", "x"]), inner, max_size=3),
                          max_leaves=6)


@pytest.fixture
def hyp_folder(tmp_path_factory):
    served = tmp_path_factory.mktemp("hyp") / "assessments"
    shutil.copytree(bundled_assessments(), served)
    return served


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(body=st.dictionaries(st.sampled_from(QUESTION_IDS) | TEXT, JSON_VALUE, max_size=4))
def test_random_json_never_breaks_the_file(hyp_folder, body):
    client = local_app(hyp_folder).test_client()
    response = put(client, json.dumps(body, allow_nan=True))
    assert response.status_code in (200, 400, 422), response.get_data(as_text=True)[:500]
    still_valid(hyp_folder / FILE)


FORM_KEYS = st.sampled_from([p + q for p in ("w:", "t:", "b:", "d:", "m:") for q in QUESTION_IDS]) | TEXT


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(fields=st.lists(st.tuples(FORM_KEYS, TEXT | SCALAR.map(str)), max_size=8), fresh=st.booleans())
def test_random_form_posts_never_break_the_file(hyp_folder, fields, fresh):
    client = local_app(hyp_folder).test_client()
    token_session(client)
    csrf = csrf_of(client, f"/team/{TEAM}/vragenlijst")
    data = [("csrf_token", csrf), ("versie", etag(client) if fresh else '"oud"')] + fields
    response = client.post(f"/team/{TEAM}/vragenlijst", data=MultiDict(data))
    assert response.status_code in (303, 409, 422), response.get_data(as_text=True)[:500]
    if response.status_code != 303:
        assert_inert(response.get_data(as_text=True))
    still_valid(hyp_folder / FILE)


# ---------------------------------------------------------------------- exports, throttle ----------------
def test_downloads_hold_no_formulas(folder):
    """A team name or answer that looks like a formula stays text in every spreadsheet download."""
    import zipfile

    path = folder / FILE
    path.write_text(path.read_text(encoding="utf-8").replace(
        'naam: "BBS Lokaal team Baarn"', 'naam: "=HYPERLINK(\\"http://evil.example\\";\\"klik\\")"').replace(
        'toelichting: "Totaal 13,45 fte (peildatum 1-1-2023)."', 'toelichting: "@SUM(1+1)*cmd|\' /C calc\'!A0"'),
        encoding="utf-8")
    client = local_app(folder).test_client()
    for route in ["/regio/overzicht.xlsx", "/regio/trend.xlsx", f"/team/{TEAM}/vragenlijst.xlsx"]:
        response = client.get(route, headers=BEARER)
        assert response.status_code == 200 and response.headers["Content-Disposition"].startswith("attachment;")
        with zipfile.ZipFile(io.BytesIO(response.data)) as book:
            sheets = "".join(book.read(n).decode("utf-8") for n in book.namelist() if n.startswith("xl/worksheets/"))
        assert "<f>" not in sheets and "<f " not in sheets, route
    for route in ["/regio/overzicht.csv", "/regio/trend.csv"]:
        text = client.get(route, headers=BEARER).get_data(as_text=True)
        cells = [cell.strip('"') for line in text.splitlines() for cell in line.split(";")]
        assert not [c for c in cells if c[:1] in ("=", "@", "+") or c.startswith("-=")], route


def test_failed_logins_from_one_address_do_not_lock_out_everyone(folder, tmp_path):
    """Behind a reverse proxy on this machine every user has its address (127.0.0.1): five wrong guesses
    by anyone must not lock every account out."""
    app = regional_app(folder, tmp_path)
    attacker, colleague = app.test_client(), app.test_client()
    for n in range(5):
        login(attacker, name=f"gok{n}", password="fout")
    assert login(colleague, "rita").status_code == 303
