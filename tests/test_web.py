"""The web page of `kader serve` in local use, through Flask's test client: every route, what a person
sees on it, and what it writes on disk (issue 13 points 1-5).

- the local token: without it every page goes to the login page and every API call is 401 (Dutch
  JSON); the token opens a session in a signed, HttpOnly, SameSite=Strict cookie that expires; Bearer;
- the security headers on every page and the API, and no inline script anywhere;
- the JSON API: byte for byte the CLI's JSON; PUT with If-Match (200, 412, 428, 422, 404);
- the questionnaire form: the right input per question type, saving (only the changed entry, comments
  kept, a history copy), refusals (422 next to the field, 409 with both values), nothing written;
- the plan's statuses, a new team, a new peildatum (as `kader nieuw --van`);
- hostile text in an assessment appears escaped on every page;
- `kader serve` and `kader gebruiker toevoegen` on the command line.

Access rules of regional use, CSRF and the Host header: tests/test_web_access.py.
"""

from __future__ import annotations

import difflib
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from webclient import (TEAMS, TOKEN, csrf, csrf_of, field_block, form_fields, local_app, login, regional_app,
                       replaced, serve_copy, snapshot, text, token_client, without)

BEARER = {"Authorization": "Bearer " + TOKEN}
SOEST = "assessments/soest-2023-03.yaml"

# every route of the app with an example address: a new route must be added here (and tested)
PAGES = ["/", "/nieuw", "/team/soest", "/team/soest/vragenlijst", "/team/soest/vragenlijst.xlsx",
         "/team/soest/tekorten.json", "/regio", "/regio/overzicht.xlsx", "/regio/overzicht.html",
         "/regio/overzicht.csv", "/regio/overzicht.json", "/regio/trend.xlsx", "/regio/trend.html",
         "/regio/trend.csv", "/regio/trend.json", "/kader", "/team/soest/geschiedenis"]
API = ["/api/teams", "/api/teams/soest", "/api/regio"]
POSTS = ["/team/soest/vragenlijst", "/team/soest/plan", "/team/soest/voorstellen", "/team/soest/peildatum",
         "/nieuw", "/uitloggen", "/team/soest/geschiedenis/2023-12-04T10-12-00.000000.yaml/terugzetten"]
ROUTES = {"static": "/static/kadertoets.css", "login": "/login", "logout": "/uitloggen", "start": "/",
          "new_team": "/nieuw", "team": "/team/soest", "save_plan": "/team/soest/plan",
          "add_proposals": "/team/soest/voorstellen", "new_reference_date": "/team/soest/peildatum",
          "questionnaire": "/team/soest/vragenlijst", "questionnaire_xlsx": "/team/soest/vragenlijst.xlsx",
          "team_json": "/team/soest/tekorten.json", "region": "/regio", "region_download": "/regio/trend.csv",
          "kader_page": "/kader", "api_teams": "/api/teams", "api_team": "/api/teams/soest",
          "api_region": "/api/regio", "api_save": "/api/teams/soest/feiten", "favicon": "/favicon.ico",
          "history": "/team/soest/geschiedenis",
          "history_version": "/team/soest/geschiedenis/2023-12-04T10-12-00.000000.yaml",
          "history_restore": "/team/soest/geschiedenis/2023-12-04T10-12-00.000000.yaml/terugzetten"}


@pytest.fixture
def folder(tmp_path, monkeypatch) -> Path:
    return serve_copy(tmp_path, monkeypatch)


@pytest.fixture
def app(folder):
    return local_app()


@pytest.fixture
def client(app):
    return token_client(app)


def cli(*args) -> "object":
    from kadertoets.cli import main

    return CliRunner().invoke(main, [str(a) for a in args])


def etag(client, team="soest") -> str:
    return client.get(f"/api/teams/{team}", headers=BEARER).headers["ETag"]


def changed_lines(before: str, after: str) -> list[str]:
    """The lines of a unified diff that were removed or added."""
    return [line for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
            if line[:1] in "+-" and not line.startswith(("+++", "---"))]


def history(folder: Path) -> list[Path]:
    return sorted((folder / ".geschiedenis").rglob("*.yaml"))


# ---------------------------------------------------------------------- the routes -------------------------
def test_every_route_of_the_app_is_listed_here(app):
    """A new route fails this test until it is added to ROUTES (and to the tests of its access rules)."""
    assert {rule.endpoint for rule in app.url_map.iter_rules()} == set(ROUTES)


@pytest.mark.parametrize("path", PAGES + API)
def test_every_get_route_answers_with_the_token_session(client, path):
    response = client.get(path)
    assert response.status_code == 200, (path, text(response)[:500])
    assert response.data


def test_the_stylesheet_is_served_by_the_app_itself(client):
    response = client.get("/static/kadertoets.css")
    assert response.status_code == 200 and response.mimetype == "text/css"
    for path in PAGES[:4] + ["/regio", "/kader", "/login"]:
        html = text(client.get(path))
        assert not re.search(r'(src|href)="(https?:)?//', html), path  # no CDN, no external fonts


@pytest.mark.parametrize("path", ["/team/bestaatniet", "/team/bestaatniet/vragenlijst",
                                  "/team/bestaatniet/vragenlijst.xlsx", "/team/bestaatniet/tekorten.json",
                                  "/regio/iets.xlsx", "/regio/overzicht.exe", "/nergens"])
def test_an_unknown_team_or_page_is_a_dutch_404_page(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert "Niet gevonden" in text(response) and "bestaat niet" in text(response)


def test_another_method_is_a_dutch_405(client):
    response = client.get("/uitloggen")
    assert response.status_code == 405 and "deze handeling kan hier niet" in text(response)
    assert client.delete("/api/teams/soest", headers=BEARER).get_json()["fout"] == "deze handeling kan hier niet"


def test_a_request_that_is_too_large_is_a_dutch_413_and_writes_nothing(client, folder):
    before = snapshot(folder)
    response = client.post("/team/soest/vragenlijst", data={"csrf_token": csrf(client), "versie": etag(client),
                                                             "t:algemeen.inwoners": "x" * (3 * 1024 * 1024)})
    assert response.status_code == 413 and "te groot" in text(response)
    assert snapshot(folder) == before


# ---------------------------------------------------------------------- the local token --------------------
@pytest.mark.parametrize("path", PAGES)
def test_without_the_token_every_page_goes_to_the_login_page(app, path):
    response = app.test_client().get(path)
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/login")


@pytest.mark.parametrize("path", API)
def test_without_the_token_every_api_call_is_401_in_dutch_json(app, path):
    response = app.test_client().get(path)
    assert response.status_code == 401
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert body["status"] == 401 and body["fout"] == "niet aangemeld" and "toegangstoken" in body["hint"]
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_without_the_token_a_put_is_401_and_nothing_is_written(app, folder):
    before = snapshot(folder)
    response = app.test_client().put("/api/teams/soest/feiten", json={"algemeen.inwoners": 1},
                                     headers={"If-Match": '"x"'})
    assert response.status_code == 401 and response.get_json()["fout"] == "niet aangemeld"
    assert snapshot(folder) == before


@pytest.mark.parametrize("path", POSTS)
def test_without_the_token_every_post_is_refused_and_nothing_is_written(app, folder, path):
    before = snapshot(folder)
    response = app.test_client().post(path, data={"peildatum": "2024-03-01", "id": "x"})
    assert response.status_code == 401
    assert "Niet aangemeld" in text(response)
    assert snapshot(folder) == before


def test_a_wrong_token_in_the_address_is_401_and_opens_no_session(app):
    client = app.test_client()
    response = client.get("/?token=verkeerd")
    assert response.status_code == 401
    assert "toegangstoken klopt niet" in text(response)
    assert client.get("/").status_code == 303


def test_the_token_opens_a_session_cookie_and_leaves_the_address(app):
    client = app.test_client()
    response = client.get("/team/soest?token=" + TOKEN)
    assert response.status_code == 303
    assert response.headers["Location"] == "/team/soest"  # the token leaves the address bar
    cookies = response.headers.getlist("Set-Cookie")
    assert len(cookies) == 1
    parts = [p.strip() for p in cookies[0].split(";")]
    assert "HttpOnly" in parts
    assert "SameSite=Strict" in parts
    assert any(p.startswith("Expires=") for p in parts)
    assert not any(TOKEN in p for p in parts)  # the cookie is not the token
    assert client.get("/team/soest").status_code == 200


def test_the_token_page_sends_no_referrer(app):
    """The first address holds the token: it may not leak to another site by the Referer header."""
    response = app.test_client().get("/?token=" + TOKEN)
    assert response.headers["Referrer-Policy"] == "no-referrer"


def test_the_login_page_takes_the_token_too(app):
    client = app.test_client()
    page = client.get("/login")
    assert page.status_code == 200 and 'name="token"' in text(page)
    wrong = client.post("/login", data={"token": "verkeerd", "csrf_token": csrf_of(page)})
    assert wrong.status_code == 401 and "klopt niet" in text(wrong)
    assert client.get("/").status_code == 303
    right = client.post("/login", data={"token": TOKEN, "csrf_token": csrf_of(page), "volgende": "/regio"})
    assert right.status_code == 303 and right.headers["Location"] == "/regio"
    assert client.get("/regio").status_code == 200


@pytest.mark.parametrize("target", ["//evil.example/", "https://evil.example/", "/\\evil.example", "regio"])
def test_after_logging_in_it_never_goes_to_another_site(app, target):
    client = app.test_client()
    page = client.get("/login")
    response = client.post("/login", data={"token": TOKEN, "csrf_token": csrf_of(page), "volgende": target})
    assert response.status_code == 303 and response.headers["Location"] == "/"


def test_bearer_works_on_the_api_and_a_wrong_bearer_is_401(app):
    client = app.test_client()
    assert client.get("/api/teams", headers=BEARER).status_code == 200
    wrong = client.get("/api/teams", headers={"Authorization": "Bearer verkeerd"})
    assert wrong.status_code == 401 and wrong.get_json()["fout"] == "het toegangstoken klopt niet"
    assert client.get("/api/teams", headers={"Authorization": "Bearer " + TOKEN[:-1]}).status_code == 401


def test_a_tampered_session_cookie_is_not_accepted(app):
    client = token_client(app)
    cookie = client.get_cookie("kadertoets")
    value = cookie.value
    # change one character of the signed payload, and the signature itself
    for tampered in (value[:5] + ("A" if value[5] != "A" else "B") + value[6:],
                     value[:-3] + ("AAA" if not value.endswith("AAA") else "BBB")):
        other = app.test_client()
        other.set_cookie("kadertoets", tampered)
        assert other.get("/").status_code == 303
        assert other.get("/api/teams").status_code == 401


def test_a_cookie_signed_with_another_key_is_not_accepted(folder):
    """A session made by another server (another secret key) opens nothing here."""
    first, second = local_app(), local_app()
    cookie = token_client(first).get_cookie("kadertoets").value
    other = second.test_client()
    other.set_cookie("kadertoets", cookie)
    assert other.get("/").status_code == 303


def test_a_session_expires_after_hours_without_use_and_after_twelve_hours_in_any_case(app, monkeypatch):
    from kadertoets.web import app as app_module

    client = token_client(app)
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now + 7 * 3600)
    assert client.get("/").status_code == 200  # in use: the cookie is renewed
    monkeypatch.setattr(time, "time", lambda: now + 13 * 3600)
    assert client.get("/").status_code == 303  # used an hour ago, but opened 13 hours ago
    assert app_module.SESSION_MAX_HOURS == 12

    client = token_client(app)
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now + 9 * 3600)
    assert client.get("/").status_code == 303  # nine hours without use


def test_logging_out_ends_the_session(client):
    response = client.post("/uitloggen", data={"csrf_token": csrf(client)})
    assert response.status_code == 303 and response.headers["Location"] == "/login"
    assert client.get("/").status_code == 303


# ---------------------------------------------------------------------- security headers ------------------
def _directives(csp: str) -> dict[str, list[str]]:
    out = {}
    for part in csp.split(";"):
        words = part.split()
        if words:
            out[words[0]] = words[1:]
    return out


@pytest.mark.parametrize("path", PAGES + API + ["/login", "/team/bestaatniet"])
def test_security_headers_on_every_page_and_the_api(client, path):
    response = client.get(path)
    headers = response.headers
    csp = _directives(headers["Content-Security-Policy"])
    scripts = csp.get("script-src", csp.get("default-src"))
    assert "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts
    assert csp["frame-ancestors"] == ["'none'"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"


def test_an_html_export_runs_no_script_of_its_own(client):
    """The region's HTML export keeps its inline style, in a sandbox without scripts."""
    csp = _directives(client.get("/regio/overzicht.html").headers["Content-Security-Policy"])
    assert "sandbox" in csp and "script-src" not in csp and csp["default-src"] == ["'none'"]


@pytest.mark.parametrize("path", ["/", "/login", "/nieuw", "/team/soest", "/team/soest/vragenlijst", "/regio",
                                  "/kader", "/team/bestaatniet"])
def test_no_page_has_an_inline_script_or_event_handler(client, path):
    html = text(client.get(path))
    for tag in re.findall(r"<script\b[^>]*>", html, re.I):
        assert "src=" in tag, tag
    assert not re.search(r"<[^>]+\son[a-z]+\s*=", html, re.I)
    assert "javascript:" not in html.lower()
    assert "style=" not in html  # CSP style-src 'self': no inline style either


def test_every_page_works_without_javascript(client):
    """The forms post by themselves: every form has a method, an action on this site and a submit button."""
    for path in ("/", "/nieuw", "/team/soest", "/team/soest/vragenlijst"):
        html = text(client.get(path))
        for form in re.findall(r"<form\b.*?</form>", html, re.S):
            assert 'method="post"' in form and re.search(r'action="/', form)
            assert '<button type="submit"' in form


# ---------------------------------------------------------------------- the API ---------------------------
def test_api_teams_lists_every_team_with_its_latest_peildatum_and_counts(client):
    body = client.get("/api/teams").get_json()
    teams = {t["id"]: t for t in body["teams"]}
    assert set(teams) == set(TEAMS)
    soest = teams["soest"]
    assert soest["naam"] == "BBS Sociaal team en Jeugdteam Soest"
    assert soest["gemeente"] == "Soest"
    assert soest["peildatum"] == "2023-03-01"
    # the counts per status are those of the team's check (its summary)
    assert soest["aantallen"] == client.get("/api/teams/soest").get_json()["samenvatting"]
    assert set(soest["aantallen"]) == {"voldoet", "deels", "voldoet_niet", "onbekend", "nvt"}
    assert sum(soest["aantallen"].values()) > 0


def test_api_teams_shows_the_latest_peildatum_after_a_new_one(client, folder):
    response = client.post("/team/soest/peildatum", data={"peildatum": "2024-03-01", "csrf_token": csrf(client)})
    assert response.status_code == 303
    soest = {t["id"]: t for t in client.get("/api/teams").get_json()["teams"]}["soest"]
    assert soest["peildatum"] == "2024-03-01"


@pytest.mark.parametrize("team", TEAMS)
def test_api_team_is_byte_for_byte_the_json_of_kader_check(client, team):
    path = next(p for p in sorted(Path("assessments").glob(f"{team}-*.yaml")))
    expected = cli("check", path.as_posix(), "--formaat", "json")
    assert expected.exit_code in (0, 1), expected.output
    response = client.get(f"/api/teams/{team}")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.get_data(as_text=True) == expected.stdout


def test_api_team_equals_the_installed_kader_command(client, tmp_path):
    """The same through the installed `kader` in a process of its own (cwd and SOURCE_DATE_EPOCH as here)."""
    kader = Path(sys.executable).with_name("kader")
    done = subprocess.run([str(kader), "check", SOEST, "--formaat", "json"], cwd=tmp_path, capture_output=True,
                          env=os.environ | {"SOURCE_DATE_EPOCH": os.environ["SOURCE_DATE_EPOCH"]}, timeout=120)
    assert done.returncode in (0, 1), done.stderr
    assert client.get("/api/teams/soest").data == done.stdout


def test_api_regio_is_byte_for_byte_the_json_of_kader_sweep(client):
    expected = cli("sweep", "assessments", "--formaat", "json")
    assert expected.exit_code in (0, 1), expected.output
    assert client.get("/api/regio").get_data(as_text=True) == expected.stdout


@pytest.mark.parametrize("address, args", [
    ("/team/soest/vragenlijst.xlsx", ["vragenlijst", SOEST]),
    *[(f"/regio/{kind}.{fmt}", ["sweep" if kind == "overzicht" else "trend", "assessments", "--formaat", fmt])
      for kind in ("overzicht", "trend") for fmt in ("xlsx", "html", "csv", "json")],
])
def test_every_download_is_byte_for_byte_the_file_the_cli_writes(client, tmp_path, address, args):
    """What a person downloads is what the command line writes with -o (a CSV with its byte-order mark, so
    Dutch Excel reads the accents)."""
    suffix = address.rpartition(".")[2]
    result = cli(*args, "-o", f"export.{suffix}")
    assert result.exit_code in (0, 1), result.output
    response = client.get(address)
    assert response.status_code == 200
    expected = (tmp_path / f"export.{suffix}").read_bytes()
    if suffix == "xlsx":  # openpyxl stamps the zip entries and docProps/core.xml with the clock: the rest
        assert _workbook_parts(response.data) == _workbook_parts(expected)
    else:
        assert response.data == expected
    assert response.headers["Content-Disposition"].startswith("attachment; filename=")
    assert response.headers["Content-Disposition"].endswith(f'.{suffix}"')


def _workbook_parts(data: bytes) -> dict[str, bytes]:
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as book:
        return {name: book.read(name) for name in book.namelist() if name != "docProps/core.xml"}


def test_the_team_download_is_the_json_of_kader_check(client):
    response = client.get("/team/soest/tekorten.json")
    assert response.data.decode("utf-8") == cli("check", SOEST, "--formaat", "json").stdout
    assert response.headers["Content-Disposition"] == 'attachment; filename="tekorten-soest.json"'


def test_api_put_saves_one_answer_with_a_new_etag_and_a_history_copy(client, folder):
    before = (folder / "soest-2023-03.yaml").read_text(encoding="utf-8")
    old_tag = etag(client)
    response = client.put("/api/teams/soest/feiten", json={"algemeen.inwoners": 47200},
                          headers=BEARER | {"If-Match": old_tag})
    assert response.status_code == 200, text(response)
    assert response.headers["ETag"] != old_tag
    assert response.headers["ETag"] == etag(client)
    after = (folder / "soest-2023-03.yaml").read_text(encoding="utf-8")
    assert changed_lines(before, after) == ["-    waarde: 47113", "+    waarde: 47200"]
    # the answer is the new check JSON
    assert response.get_data(as_text=True) == cli("check", SOEST, "--formaat", "json").stdout
    kept = history(folder)
    assert len(kept) == 1 and kept[0].parent.name == "soest-2023-03"
    assert kept[0].read_text(encoding="utf-8") == before


def test_api_put_with_dutch_input_writes_the_typed_value(client, folder):
    response = client.put("/api/teams/soest/feiten",
                          json={"formatie.fte_totaal": "31,5", "algemeen.kenmerken_team": {"toelichting": "Nagekeken."}},
                          headers=BEARER | {"If-Match": etag(client)})
    assert response.status_code == 200, text(response)
    after = (folder / "soest-2023-03.yaml").read_text(encoding="utf-8")
    assert "    waarde: 31.5\n" in after and "Nagekeken." in after


def test_api_put_with_a_stale_etag_is_412_and_writes_nothing(client, folder):
    old_tag = etag(client)
    assert client.put("/api/teams/soest/feiten", json={"algemeen.inwoners": 47200},
                      headers=BEARER | {"If-Match": old_tag}).status_code == 200
    before = snapshot(folder)
    response = client.put("/api/teams/soest/feiten", json={"algemeen.inwoners": 1},
                          headers=BEARER | {"If-Match": old_tag})
    assert response.status_code == 412
    assert "veranderd" in response.get_json()["fout"] and "niets geschreven" in response.get_json()["fout"]
    assert response.headers["ETag"] == etag(client)  # the version to base a new attempt on
    assert snapshot(folder) == before


def test_api_put_without_if_match_is_428(client, folder):
    before = snapshot(folder)
    response = client.put("/api/teams/soest/feiten", json={"algemeen.inwoners": 1}, headers=BEARER)
    assert response.status_code == 428 and "If-Match" in response.get_json()["hint"]
    assert snapshot(folder) == before


@pytest.mark.parametrize("answers, fields", [
    ({"algemeen.inwoners": "veel"}, ["algemeen.inwoners"]),
    ({"algemeen.inwoners": -5, "toegang.eerste_triage_belegd_bij": "de maan"},
     ["algemeen.inwoners", "toegang.eerste_triage_belegd_bij"]),
    ({"clientervaring.laatste_meting": "31-02-2023"}, ["clientervaring.laatste_meting"]),
    ({"skj_big.registratieplan": "misschien"}, ["skj_big.registratieplan"]),
])
def test_api_put_of_an_invalid_value_is_422_per_field_and_writes_nothing(client, folder, answers, fields):
    before = snapshot(folder)
    response = client.put("/api/teams/soest/feiten", json=answers, headers=BEARER | {"If-Match": etag(client)})
    assert response.status_code == 422
    body = response.get_json()
    assert body["fout"] == "ongeldige waarden; er is niets geschreven"
    assert sorted(body["velden"]) == sorted(fields)
    for messages in body["velden"].values():
        assert messages and all(m[:1].isupper() and m.endswith(".") for m in messages)
        assert not any("Traceback" in m or "Error" in m for m in messages)
    assert snapshot(folder) == before


@pytest.mark.parametrize("note, kind", [("Bel Jan op 06-12345678.", "telefoonnummer"),
                                        ("Mail naar jan.jansen@example.nl voor meer.", "e-mailadres")])
def test_api_put_with_personal_data_is_422_and_writes_nothing(client, folder, note, kind):
    before = snapshot(folder)
    response = client.put("/api/teams/soest/feiten", json={"algemeen.inwoners": {"toelichting": note}},
                          headers=BEARER | {"If-Match": etag(client)})
    assert response.status_code == 422
    [message] = response.get_json()["velden"]["algemeen.inwoners"]
    assert kind in message and "persoonsgegevens" in message
    assert "12345678" not in message and "jan.jansen" not in message  # masked
    assert snapshot(folder) == before


def test_api_put_for_an_unknown_team_is_404(client, folder):
    before = snapshot(folder)
    response = client.put("/api/teams/bestaatniet/feiten", json={"algemeen.inwoners": 1},
                          headers=BEARER | {"If-Match": etag(client)})
    assert response.status_code == 404 and response.mimetype == "application/json"
    assert "bestaat niet" in response.get_json()["fout"]
    assert client.get("/api/teams/bestaatniet").status_code == 404
    assert snapshot(folder) == before


def test_api_put_of_an_unknown_question_or_part_is_422(client, folder):
    before = snapshot(folder)
    response = client.put("/api/teams/soest/feiten", json={"bestaat.niet": 3},
                          headers=BEARER | {"If-Match": etag(client)})
    assert response.status_code == 422
    assert "Onbekende vraag 'bestaat.niet'" in response.get_json()["velden"]["bestaat.niet"][0]
    response = client.put("/api/teams/soest/feiten", json={"algemeen.inwoners": {"kleur": "rood"}},
                          headers=BEARER | {"If-Match": etag(client)})
    assert response.status_code == 422 and "onbekend onderdeel" in response.get_json()["fout"]
    assert snapshot(folder) == before


@pytest.mark.parametrize("body", [b"[1, 2]", b"{}", b"geen json", b'"tekst"'])
def test_api_put_of_something_else_than_an_object_is_400_in_dutch(client, folder, body):
    before = snapshot(folder)
    response = client.put("/api/teams/soest/feiten", data=body, content_type="application/json",
                          headers=BEARER | {"If-Match": etag(client)})
    assert response.status_code == 400 and "JSON-object" in response.get_json()["fout"]
    assert snapshot(folder) == before


# ---------------------------------------------------------------------- the questionnaire -----------------
def test_the_questionnaire_shows_the_right_input_per_question_type(client):
    html = text(client.get("/team/soest/vragenlijst"))
    # ja/nee: three radio buttons (ja, nee, onbekend), the file's answer checked
    block = field_block(html, "skj_big.afwijking_onderbouwd")
    assert re.findall(r'type="radio" name="w:skj_big.afwijking_onderbouwd" value="(\w*)"', block) == ["ja", "nee", ""]
    # a choice: a select with an (onbekend) option and the file's answer selected
    block = field_block(html, "toegang.eerste_triage_belegd_bij")
    assert '<select name="w:toegang.eerste_triage_belegd_bij"' in block
    assert re.findall(r'<option value="([^"]*)"', block)[0] == ""  # first: (onbekend)
    assert re.findall(r'<option value="([^"]*)" selected>', block) == ["gemeente"]
    # a number with its unit: a text input for Dutch numbers ('30,8'), the unit beside it
    block = field_block(html, "formatie.fte_totaal")
    assert re.search(r'<input type="text" inputmode="decimal" name="w:formatie.fte_totaal" value="30,8"', block)
    assert '<span class="eenheid">fte</span>' in block
    # a date
    assert 'type="date" name="w:clientervaring.laatste_meting"' in field_block(html, "clientervaring.laatste_meting")
    # several choices: checkboxes, with "geen van deze"
    block = field_block(html, "lerend_stelsel.niveaus")
    assert block.count('type="checkbox" name="w:lerend_stelsel.niveaus"') >= 3
    assert 'value="(geen)"' in block
    # free text: a textarea holding the answer
    assert '<textarea name="w:algemeen.kenmerken_team"' in field_block(html, "algemeen.kenmerken_team")
    # every question has its toelichting, evidence and evidence date
    for q in ("formatie.fte_totaal", "lerend_stelsel.niveaus"):
        block = field_block(html, q)
        assert f'name="t:{q}"' in block and f'name="b:{q}"' in block and f'type="date" name="d:{q}"' in block
    # per theme
    assert html.count("<fieldset id=\"thema-") > 10 and "<legend>" in html


def test_the_questionnaire_shows_each_questions_help(client, bundled_kader):
    html = text(client.get("/team/soest/vragenlijst"))
    import html as html_lib

    for q in list(bundled_kader.questions.values())[:40]:
        block = html_lib.unescape(field_block(html, q.path))
        assert q.question[:60] in block
        if q.help:
            assert q.help.split("\n")[0][:50] in block


def test_posting_the_unchanged_form_writes_nothing(client, folder):
    before = snapshot(folder)
    page = text(client.get("/team/soest/vragenlijst"))
    response = client.post("/team/soest/vragenlijst", data=form_fields(page, "/team/soest/vragenlijst"))
    assert response.status_code == 303 and response.headers["Location"] == "/team/soest"
    assert "Niets veranderd" in text(client.get("/team/soest"))
    assert snapshot(folder) == before


@pytest.mark.parametrize("team", TEAMS)
def test_the_unchanged_form_of_every_bundled_team_writes_nothing(client, folder, team):
    """Every answer of the bundled data survives the round trip through the form as it is shown."""
    before = snapshot(folder)
    page = text(client.get(f"/team/{team}/vragenlijst"))
    response = client.post(f"/team/{team}/vragenlijst", data=form_fields(page, f"/team/{team}/vragenlijst"))
    assert response.status_code == 303, text(response)[:2000]
    assert snapshot(folder) == before


def test_posting_one_changed_answer_saves_only_that_entry_and_keeps_comments(client, folder):
    path = folder / "soest-2023-03.yaml"
    original = path.read_text(encoding="utf-8")
    commented = original.replace("feiten:\n", "feiten:\n  # nagekeken door de redactie, maart 2023\n", 1) \
        .replace("    waarde: 9187\n", "    waarde: 9187  # telling van de gemeente\n", 1)
    path.write_text(commented, encoding="utf-8")
    page = text(client.get("/team/soest/vragenlijst"))
    fields = replaced(form_fields(page, "/team/soest/vragenlijst"), "w:algemeen.inwoners", "47200")
    response = client.post("/team/soest/vragenlijst", data=fields)
    assert response.status_code == 303, text(response)[:2000]
    assert "Opgeslagen: 1 antwoord veranderd." in text(client.get("/team/soest"))
    after = path.read_text(encoding="utf-8")
    assert changed_lines(commented, after) == ["-    waarde: 47113", "+    waarde: 47200"]
    assert "  # nagekeken door de redactie, maart 2023\n" in after and "# telling van de gemeente" in after
    [kept] = history(folder)
    assert kept.read_text(encoding="utf-8") == commented


def test_posting_an_answer_with_its_evidence_and_a_checkbox(client, folder):
    path = folder / "soest-2023-03.yaml"
    page = text(client.get("/team/soest/vragenlijst"))
    fields = form_fields(page, "/team/soest/vragenlijst")
    fields = replaced(fields, "w:skj_big.registratieplan", "ja")
    fields = replaced(fields, "b:skj_big.registratieplan", "Registratieplan 2023")
    fields = replaced(fields, "d:skj_big.registratieplan", "2023-02-01")
    fields = replaced(fields, "w:lerend_stelsel.niveaus", "(geen)")
    response = client.post("/team/soest/vragenlijst", data=fields)
    assert response.status_code == 303, text(response)[:2000]
    from kadertoets.sweep.run import check_file

    facts = check_file(path, None).assessment.facts
    assert facts["skj_big.registratieplan"].value is True
    assert facts["skj_big.registratieplan"].evidence == "Registratieplan 2023"
    assert facts["skj_big.registratieplan"].evidence_date.isoformat() == "2023-02-01"
    assert facts["lerend_stelsel.niveaus"].value == ()


def test_saving_keeps_the_files_line_endings_and_short_entries(client, folder):
    path = folder / "soest-2023-03.yaml"
    original = path.read_text(encoding="utf-8")
    short = original.replace('  algemeen.jeugd_tm18:\n    waarde: 9187\n    bewijs: "S0 Bijlage, Algemeen overzicht '
                             'inwoners en kenmerken lokale teams"\n', "  algemeen.jeugd_tm18: 9187  # kort\n", 1)
    assert short != original
    path.write_bytes(short.replace("\n", "\r\n").encode("utf-8"))
    page = text(client.get("/team/soest/vragenlijst"))
    fields = replaced(form_fields(page, "/team/soest/vragenlijst"), "w:algemeen.jeugd_tm18", "9200")
    fields = replaced(fields, "w:formatie.vacatures", "2")  # not in the file yet
    assert client.post("/team/soest/vragenlijst", data=fields).status_code == 303
    after = path.read_bytes().decode("utf-8")
    assert after.count("\r\n") == after.count("\n")  # CRLF stays CRLF
    assert changed_lines(short, after.replace("\r\n", "\n")) == [
        "-  algemeen.jeugd_tm18: 9187  # kort", "+  algemeen.jeugd_tm18: 9200  # kort", "+  formatie.vacatures: 2"]


def test_a_save_that_fails_to_write_leaves_the_old_file_and_says_why(client, folder, monkeypatch):
    """A full disk during a save: the old file stays as it was; a Dutch message, no traceback."""
    path = folder / "soest-2023-03.yaml"
    before = path.read_bytes()
    page = text(client.get("/team/soest/vragenlijst"))
    fields = replaced(form_fields(page, "/team/soest/vragenlijst"), "w:algemeen.inwoners", "47200")

    def disk_full(*_args, **_kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", disk_full)
    response = client.post("/team/soest/vragenlijst", data=fields)
    monkeypatch.undo()
    assert response.status_code in (422, 500, 503)
    html = text(response)
    assert "assessments/soest-2023-03.yaml: schrijven mislukt (de schijf is vol)" in html
    assert "Traceback" not in html
    assert path.read_bytes() == before
    from kadertoets.infra.paths import bundled_assessments

    left = sorted(p.name for p in folder.iterdir() if p.name != ".geschiedenis")
    assert left == sorted(p.name for p in bundled_assessments().iterdir())  # no half-written file left behind


def test_posting_an_invalid_value_is_422_with_the_error_next_to_the_field(client, folder):
    before = snapshot(folder)
    page = text(client.get("/team/soest/vragenlijst"))
    fields = replaced(form_fields(page, "/team/soest/vragenlijst"), "w:algemeen.inwoners", "heel veel")
    fields = replaced(fields, "w:algemeen.jeugd_tm18", "9200")  # a valid change beside it: not saved either
    response = client.post("/team/soest/vragenlijst", data=fields)
    assert response.status_code == 422
    html = text(response)
    assert "Er is niets opgeslagen" in html
    block = field_block(html, "algemeen.inwoners")
    assert '<p class="veldfout" role="alert">' in block and "geheel getal" in block
    assert 'value="heel veel"' in block  # what was typed stays in the field
    assert 'value="9200"' in field_block(html, "algemeen.jeugd_tm18")
    assert "veldfout" not in field_block(html, "algemeen.jeugd_tm18")
    assert snapshot(folder) == before


def test_posting_personal_data_in_a_toelichting_is_refused_next_to_the_field(client, folder):
    before = snapshot(folder)
    page = text(client.get("/team/soest/vragenlijst"))
    fields = replaced(form_fields(page, "/team/soest/vragenlijst"), "t:formatie.fte_totaal",
                      "Vragen? Bel 06-12345678.")
    response = client.post("/team/soest/vragenlijst", data=fields)
    assert response.status_code == 422
    block = field_block(text(response), "formatie.fte_totaal")
    assert "telefoonnummer" in block and "veldfout" in block
    assert snapshot(folder) == before


def test_two_people_saving_the_second_gets_409_with_both_values(app, folder):
    first, second = token_client(app), token_client(app)
    page_first = text(first.get("/team/soest/vragenlijst"))
    page_second = text(second.get("/team/soest/vragenlijst"))
    saved = first.post("/team/soest/vragenlijst",
                       data=replaced(form_fields(page_first, "/team/soest/vragenlijst"), "w:algemeen.inwoners", "48000"))
    assert saved.status_code == 303
    after_first = snapshot(folder)
    response = second.post("/team/soest/vragenlijst",
                           data=replaced(form_fields(page_second, "/team/soest/vragenlijst"), "w:algemeen.inwoners",
                                         "49000"))
    assert response.status_code == 409
    html = text(response)
    assert "Iemand anders heeft dit assessment intussen opgeslagen" in html and "niets geschreven" in html
    table = html[html.index('id="conflicten"'):html.index("</table>", html.index('id="conflicten"'))]
    # the question, their value and the value now in the file, side by side
    assert re.search(r'<a href="#v-algemeen.inwoners">Hoeveel inwoners[^<]*</a></td><td>49000</td><td>48000</td>',
                     table)
    assert 'value="49000"' in field_block(html, "algemeen.inwoners")  # their value stays in the form
    assert snapshot(folder) == after_first  # nothing overwritten
    assert "    waarde: 48000\n" in (folder / "soest-2023-03.yaml").read_text(encoding="utf-8")
    # saving again from the refused page (now based on the current version) keeps their value
    again = second.post("/team/soest/vragenlijst", data=form_fields(html, "/team/soest/vragenlijst"))
    assert again.status_code == 303
    assert "    waarde: 49000\n" in (folder / "soest-2023-03.yaml").read_text(encoding="utf-8")


def test_a_stale_save_of_an_answer_nobody_else_changed_still_refuses(app, folder):
    """Based on an older version, even a change elsewhere refuses the save: no silent merge."""
    first, second = token_client(app), token_client(app)
    page_second = text(second.get("/team/soest/vragenlijst"))
    page_first = text(first.get("/team/soest/vragenlijst"))
    assert first.post("/team/soest/vragenlijst", data=replaced(form_fields(page_first, "/team/soest/vragenlijst"),
                                                               "w:algemeen.inwoners", "48000")).status_code == 303
    after_first = snapshot(folder)
    response = second.post("/team/soest/vragenlijst", data=replaced(
        form_fields(page_second, "/team/soest/vragenlijst"), "w:algemeen.jeugd_tm18", "9000"))
    assert response.status_code == 409
    assert snapshot(folder) == after_first
    html = text(response)
    # no question was changed by both: no table claiming one was; the other's answer and theirs both stand
    assert 'id="conflicten"' not in html and "andere vragen dan u" in html
    assert 'value="9000"' in field_block(html, "algemeen.jeugd_tm18")
    assert 'value="48000"' in field_block(html, "algemeen.inwoners")
    assert second.post("/team/soest/vragenlijst", data=form_fields(html, "/team/soest/vragenlijst")).status_code == 303
    saved = (folder / "soest-2023-03.yaml").read_text(encoding="utf-8")
    assert "    waarde: 48000\n" in saved and "    waarde: 9000\n" in saved


def test_a_save_without_a_version_is_refused(client, folder):
    before = snapshot(folder)
    page = text(client.get("/team/soest/vragenlijst"))
    fields = without(replaced(form_fields(page, "/team/soest/vragenlijst"), "w:algemeen.inwoners", "1"), "versie")
    assert client.post("/team/soest/vragenlijst", data=fields).status_code == 409
    assert snapshot(folder) == before


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(answer=st.text(max_size=60), question=st.sampled_from(
    ["algemeen.inwoners", "formatie.fte_totaal", "algemeen.kenmerken_team", "skj_big.registratieplan",
     "toegang.eerste_triage_belegd_bij", "clientervaring.laatste_meting", "t:formatie.fte_totaal",
     "b:formatie.fte_totaal", "d:formatie.fte_totaal"]))
def test_any_posted_answer_gives_no_500_and_never_an_invalid_file(client, folder, answer, question):
    from kadertoets.sweep.run import check_file

    path = folder / "soest-2023-03.yaml"
    before = path.read_bytes()
    name = question if ":" in question else "w:" + question
    response = client.post("/team/soest/vragenlijst", data={"csrf_token": csrf(client), "versie": etag(client),
                                                             name: answer})
    assert response.status_code in (303, 422), (response.status_code, text(response)[:1000])
    if response.status_code == 422:
        assert path.read_bytes() == before
        assert "veldfout" in text(response) or "Er is niets opgeslagen" in text(response)
    check_file(path, None)  # the file on disk is a valid assessment, whatever happened


# ---------------------------------------------------------------------- the plan -------------------------
def _with_proposals(client, team="baarn"):
    page = text(client.get(f"/team/{team}"))
    fields = form_fields(page, f"/team/{team}/voorstellen")
    response = client.post(f"/team/{team}/voorstellen", data=fields)
    assert response.status_code == 303
    return text(client.get(f"/team/{team}"))


def test_adding_the_proposed_actions_writes_them_into_the_plan(client, folder):
    assert "transformatieplan" not in (folder / "baarn-2023-03.yaml").read_text(encoding="utf-8").split("feiten:")[1]
    page = _with_proposals(client)
    assert "voorgestelde acties in het plan gezet" in page or "voorgestelde actie in het plan gezet" in page
    after = (folder / "baarn-2023-03.yaml").read_text(encoding="utf-8")
    assert "\ntransformatieplan:\n" in after and "status: gepland" in after
    assert len(history(folder)) == 1


def test_a_plan_status_change_is_saved_in_the_yaml(client, folder):
    page = _with_proposals(client)
    path = folder / "baarn-2023-03.yaml"
    before = path.read_text(encoding="utf-8")
    fields = replaced(form_fields(page, "/team/baarn/plan"), "status:1", "behaald")
    response = client.post("/team/baarn/plan", data=fields)
    assert response.status_code == 303
    assert "Plan opgeslagen." in text(client.get("/team/baarn"))
    after = path.read_text(encoding="utf-8")
    assert changed_lines(before, after) == ["-    status: gepland", "+    status: behaald"]
    from kadertoets.sweep.run import check_file

    assert check_file(path, None).assessment.plan[0].status == "behaald"
    assert 'value="behaald" selected' in text(client.get("/team/baarn"))


def test_a_plan_save_from_an_old_version_is_409_and_writes_nothing(client, folder):
    page = _with_proposals(client)
    fields = form_fields(page, "/team/baarn/plan")
    assert client.post("/team/baarn/plan", data=replaced(fields, "status:1", "behaald")).status_code == 303
    before = snapshot(folder)
    response = client.post("/team/baarn/plan", data=replaced(fields, "status:2", "niet_behaald"))
    assert response.status_code == 409 and "door iemand anders veranderd" in text(response)
    assert snapshot(folder) == before


def test_an_unknown_plan_status_is_422_and_writes_nothing(client, folder):
    page = _with_proposals(client)
    before = snapshot(folder)
    response = client.post("/team/baarn/plan", data=replaced(form_fields(page, "/team/baarn/plan"), "status:1",
                                                             "vergeten"))
    assert response.status_code == 422 and "geen van" in text(response)
    assert snapshot(folder) == before


def test_proposals_from_an_old_version_are_409(client, folder):
    page = text(client.get("/team/baarn"))
    fields = form_fields(page, "/team/baarn/voorstellen")
    assert client.put("/api/teams/baarn/feiten", json={"algemeen.inwoners": 24877},
                      headers=BEARER | {"If-Match": etag(client, "baarn")}).status_code == 200
    before = snapshot(folder)
    response = client.post("/team/baarn/voorstellen", data=fields)
    assert response.status_code == 409
    assert snapshot(folder) == before


# ---------------------------------------------------------------------- a new team, a new peildatum -------
NEW_TEAM = {"id": "nieuwdorp", "naam": "Sociaal team Nieuwdorp", "gemeente": "Nieuwdorp",
            "organisatie": "Gemeente Nieuwdorp", "taken": "jeugd,wmo", "peildatum": "2024-03-01"}


def test_a_new_team_gets_its_file_and_goes_to_its_questionnaire(client, folder):
    page = client.get("/nieuw")
    assert page.status_code == 200
    response = client.post("/nieuw", data=NEW_TEAM | {"csrf_token": csrf(client)})
    assert response.status_code == 303, text(response)
    assert response.headers["Location"] == "/team/nieuwdorp/vragenlijst"
    path = folder / "nieuwdorp-2024-03-01.yaml"
    assert path.is_file()
    from kadertoets.sweep.run import check_file

    assessment = check_file(path, None).assessment
    assert (assessment.team.id, assessment.team.name, assessment.reference_date.isoformat()) == \
        ("nieuwdorp", "Sociaal team Nieuwdorp", "2024-03-01")
    assert client.get("/team/nieuwdorp/vragenlijst").status_code == 200
    assert "nieuwdorp" in {t["id"] for t in client.get("/api/teams").get_json()["teams"]}


def test_a_new_team_matches_kader_nieuw(client, folder, tmp_path):
    assert client.post("/nieuw", data=NEW_TEAM | {"csrf_token": csrf(client)}).status_code == 303
    result = cli("nieuw", "-o", "cli.yaml", "--id", "nieuwdorp", "--naam", NEW_TEAM["naam"], "--gemeente",
                 "Nieuwdorp", "--organisatie", NEW_TEAM["organisatie"], "--taken", "jeugd,wmo", "--peildatum",
                 "01-03-2024")
    assert result.exit_code == 0, result.output
    web = (folder / "nieuwdorp-2024-03-01.yaml").read_text(encoding="utf-8")
    assert _without_comments(web) == _without_comments((tmp_path / "cli.yaml").read_text(encoding="utf-8"))


def _without_comments(text_: str) -> str:
    return "\n".join(line for line in text_.splitlines() if not line.lstrip().startswith("#"))


@pytest.mark.parametrize("values, fields", [
    ({"id": "a b/c"}, ["id"]),
    ({"id": "../buiten"}, ["id"]),
    ({"peildatum": ""}, ["peildatum"]),
    ({"id": "", "peildatum": "31-02-2024"}, ["id", "peildatum"]),
    ({"peildatum": "morgen"}, ["peildatum"]),
])
def test_a_new_team_with_invalid_fields_is_422_with_messages_next_to_them(client, folder, values, fields):
    before = snapshot(folder)
    response = client.post("/nieuw", data=NEW_TEAM | values | {"csrf_token": csrf(client)})
    assert response.status_code == 422
    html = text(response)
    assert "Er is niets aangemaakt" in html
    for key in fields:
        after_input = html[html.index(f'<input id="{key}"'):]
        after_input = after_input[:after_input.index("<label")]
        assert '<p class="veldfout" role="alert">' in after_input, key
    assert snapshot(folder) == before


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(values=st.fixed_dictionaries({key: st.one_of(st.just(NEW_TEAM[key]), st.text(max_size=30))
                                     for key in ("id", "naam", "gemeente", "organisatie", "taken", "peildatum")}))
def test_any_new_team_form_gives_no_500_and_writes_only_a_valid_file_in_the_folder(client, folder, values):
    from kadertoets.sweep.run import check_file

    before = snapshot(folder)
    response = client.post("/nieuw", data=values | {"csrf_token": csrf(client)})
    assert response.status_code in (303, 422), (response.status_code, text(response)[:1000])
    after = snapshot(folder)
    if response.status_code == 422:
        assert after == before
    else:
        [new] = set(after) - set(before)
        assert "/" not in new and new.endswith(".yaml")  # in the served folder itself
        assert check_file(folder / new, None).assessment.team.id == values["id"].strip()
        (folder / new).unlink()


def test_a_new_team_with_an_existing_id_is_refused(client, folder):
    before = snapshot(folder)
    response = client.post("/nieuw", data=NEW_TEAM | {"id": "soest", "csrf_token": csrf(client)})
    assert response.status_code == 422
    assert "Er is al een team met deze korte naam" in text(response)
    assert snapshot(folder) == before


def test_a_new_peildatum_carries_the_answers_over_as_kader_nieuw_van(client, folder, tmp_path):
    response = client.post("/team/soest/peildatum", data={"peildatum": "2024-03-01", "csrf_token": csrf(client)})
    assert response.status_code == 303 and response.headers["Location"] == "/team/soest/vragenlijst"
    web = folder / "soest-2024-03-01.yaml"
    assert web.is_file()
    result = cli("nieuw", "-o", "cli.yaml", "--van", SOEST, "--peildatum", "01-03-2024")
    assert result.exit_code == 0, result.output
    assert _without_comments(web.read_text(encoding="utf-8")) == \
        _without_comments((tmp_path / "cli.yaml").read_text(encoding="utf-8"))
    # the page now shows the new assessment, with the answers of the previous one
    html = text(client.get("/team/soest/vragenlijst"))
    assert "Peildatum 1 maart 2024" in html and 'value="47113"' in field_block(html, "algemeen.inwoners")
    assert (folder / "soest-2023-03.yaml").read_bytes() == (Path(SOEST)).read_bytes()


@pytest.mark.parametrize("day", ["2023-03-01", "2022-01-01", "", "gisteren"])
def test_a_new_peildatum_not_after_the_current_one_is_refused(client, folder, day):
    before = snapshot(folder)
    response = client.post("/team/soest/peildatum", data={"peildatum": day, "csrf_token": csrf(client)})
    assert response.status_code == 422
    assert "peildatum" in text(response)
    assert snapshot(folder) == before


# ---------------------------------------------------------------------- the history ---------------------
def _save_twice(client):
    """Two saves of soest through the API: two kept versions, newest first on the history page."""
    for value in (47200, 47300):
        assert client.put("/api/teams/soest/feiten", json={"algemeen.inwoners": value},
                          headers=BEARER | {"If-Match": etag(client)}).status_code == 200


def test_the_history_lists_every_kept_version_and_downloads_it(client, folder):
    original = (folder / "soest-2023-03.yaml").read_bytes()
    assert "Er zijn nog geen eerdere versies bewaard." in text(client.get("/team/soest/geschiedenis"))
    _save_twice(client)
    html = text(client.get("/team/soest/geschiedenis"))
    links = re.findall(r'href="(/team/soest/geschiedenis/[^"]+\.yaml)"', html)
    assert len(links) == 2 == len(history(folder))
    oldest = client.get(links[-1])
    assert oldest.status_code == 200 and oldest.data == original
    assert oldest.headers["Content-Disposition"].startswith('attachment; filename="soest-')
    assert b"waarde: 47200" in client.get(links[0]).data


def test_the_history_lists_the_newest_version_first_also_within_one_moment(client, folder):
    """With one moment for every save (SOURCE_DATE_EPOCH here, a coarse clock elsewhere) the kept versions
    are named -1, -2, ... -10: the page still lists them newest first."""
    for value in range(1, 12):
        assert client.put("/api/teams/soest/feiten", json={"algemeen.inwoners": value},
                          headers=BEARER | {"If-Match": etag(client)}).status_code == 200
    html = text(client.get("/team/soest/geschiedenis"))
    links = re.findall(r'href="(/team/soest/geschiedenis/[^"]+\.yaml)"', html)
    values = [re.search(rb"algemeen.inwoners:\n    waarde: (\d+)", client.get(link).data).group(1) for link in links]
    assert values == [str(v).encode() for v in range(10, 0, -1)] + [b"47113"]


@pytest.mark.parametrize("name", ["..", "soest-2023-03.yaml", "2020-01-01T00-00-00.000000.yaml", "x" * 300,
                                  "..%2F..%2Fsoest-2023-03.yaml", "%2e%2e"])
def test_a_version_that_is_not_kept_is_404(client, folder, name):
    _save_twice(client)
    assert client.get(f"/team/soest/geschiedenis/{name}").status_code == 404


def test_putting_a_version_back_keeps_the_replaced_one(client, folder):
    path = folder / "soest-2023-03.yaml"
    original = path.read_bytes()
    _save_twice(client)
    current = path.read_bytes()
    page = text(client.get("/team/soest/geschiedenis"))
    oldest = re.findall(r'action="(/team/soest/geschiedenis/[^"]+/terugzetten)"', page)[-1]
    response = client.post(oldest, data=form_fields(page, oldest))
    assert response.status_code == 303 and response.headers["Location"] == "/team/soest"
    assert "De eerdere versie is teruggezet." in text(client.get("/team/soest"))
    assert path.read_bytes() == original
    assert current in [p.read_bytes() for p in history(folder)]  # the undo can be undone


def test_putting_a_version_back_from_an_old_page_is_409_and_writes_nothing(client, folder):
    _save_twice(client)
    page = text(client.get("/team/soest/geschiedenis"))
    oldest = re.findall(r'action="(/team/soest/geschiedenis/[^"]+/terugzetten)"', page)[-1]
    fields = form_fields(page, oldest)
    assert client.put("/api/teams/soest/feiten", json={"algemeen.inwoners": 1},
                      headers=BEARER | {"If-Match": etag(client)}).status_code == 200
    before = snapshot(folder)
    response = client.post(oldest, data=fields)
    assert response.status_code == 409 and "niets teruggezet" in text(response)
    assert snapshot(folder) == before


def test_the_favicon_is_nothing_to_load(app):
    assert app.test_client().get("/favicon.ico").status_code == 204


# ---------------------------------------------------------------------- hostile content -------------------
SCRIPT = "<script>alert(1)</script>"


def test_hostile_text_in_an_assessment_is_escaped_on_every_page(client, folder):
    path = folder / "soest-2023-03.yaml"
    data = path.read_text(encoding="utf-8")
    data = data.replace('naam: "BBS Sociaal team en Jeugdteam Soest"', f'naam: "{SCRIPT}"', 1)
    data = data.replace("gemeente: Soest", f'gemeente: "{SCRIPT}"', 1)
    data = data.replace("toelichting: \"De bron schrijft", f"toelichting: \"{SCRIPT} De bron schrijft", 1)
    data = data.replace("      BBS: Sociaal team (psych", "      <img src=x onerror=alert(1)> BBS: Sociaal team (psych", 1)
    path.write_text(data, encoding="utf-8")
    assert data.count(SCRIPT) == 3 and data.count("<img") == 1
    # and an invalid file whose message quotes a hostile value
    other = folder / "baarn-2023-03.yaml"
    other.write_text(other.read_text(encoding="utf-8").replace("waarde: andere_organisatie", f'waarde: "{SCRIPT}"', 1),
                     encoding="utf-8")
    for page in ("/", "/team/soest", "/team/soest?alles=1", "/team/soest/vragenlijst", "/regio"):
        response = client.get(page)
        assert response.status_code == 200, (page, text(response)[:1000])
        html = text(response)
        assert SCRIPT not in html and "<img src=x" not in html, page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, page
    assert "baarn-2023-03.yaml" in text(client.get("/"))  # the invalid file is listed, its value escaped
    assert "&lt;img src=x onerror=alert(1)&gt;" in text(client.get("/team/soest/vragenlijst"))
    # and in the API's JSON the name is the text itself (JSON is not HTML)
    names = {t["id"]: t["naam"] for t in client.get("/api/teams").get_json()["teams"]}
    assert names["soest"] == SCRIPT


def test_hostile_text_typed_in_the_form_is_escaped_when_shown_again(client, folder):
    page = text(client.get("/team/soest/vragenlijst"))
    fields = replaced(form_fields(page, "/team/soest/vragenlijst"), "w:algemeen.inwoners", SCRIPT)
    fields = replaced(fields, "t:algemeen.inwoners", '"><script>alert(2)</script>')
    html = text(client.post("/team/soest/vragenlijst", data=fields))
    assert SCRIPT not in html and "<script>alert(2)" not in html
    assert "&lt;script&gt;" in html


# ---------------------------------------------------------------------- the command line ------------------
def test_kader_serve_on_another_host_needs_accounts(folder):
    result = cli("serve", "--host", "0.0.0.0")
    assert result.exit_code == 2
    assert "accounts nodig" in result.stderr and "--gebruikers" in result.stderr
    assert "Traceback" not in result.output


def test_kader_serve_with_a_missing_accounts_file_exits_2(folder, tmp_path):
    result = cli("serve", "--host", "0.0.0.0", "--gebruikers", tmp_path / "geen.yaml")
    assert result.exit_code == 2 and "gebruikersbestand bestaat niet" in result.stderr


def test_kader_serve_prints_the_address_with_a_token_first_and_serves_it(folder, tmp_path):
    """The real server (waitress) in a process of its own: the first line is the address with the token."""
    import http.client

    kader = Path(sys.executable).with_name("kader")
    process = subprocess.Popen([str(kader), "serve", "--poort", "0"], cwd=tmp_path, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    try:
        first = process.stdout.readline().strip()
        found = re.fullmatch(r"http://127\.0\.0\.1:(\d+)/\?token=([A-Za-z0-9_-]{40,})", first)
        assert found, first
        port, token = int(found.group(1)), found.group(2)

        def get(path, headers=None):
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            connection.request("GET", path, headers=headers or {})
            response = connection.getresponse()
            return response.status, response.getheaders(), response.read()

        status, headers, _ = get("/?token=" + token)
        assert status == 303 and "HttpOnly" in dict(headers)["Set-Cookie"]
        assert get("/api/teams")[0] == 401
        status, _, body = get("/api/teams", {"Authorization": "Bearer " + token})
        assert status == 200 and {t["id"] for t in json.loads(body)["teams"]} == set(TEAMS)
        assert get("/", {"Host": "evil.example"})[0] == 400
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_kader_gebruiker_toevoegen_creates_the_file_with_a_hash(tmp_path):
    from kadertoets.cli import main
    from kadertoets.web.accounts import load_accounts

    path = tmp_path / "gebruikers.yaml"
    password = "paard batterij nietje correct"
    result = CliRunner().invoke(main, ["gebruiker", "toevoegen", "anne", "--rol", "team", "--team", "soest",
                                       "--gebruikers", str(path)], input=f"{password}\n{password}\n")
    assert result.exit_code == 0, result.output
    assert "Gebruiker anne toegevoegd" in result.stderr
    assert password not in path.read_text(encoding="utf-8") and password not in result.output
    accounts = load_accounts(path)
    account = accounts.authenticate("anne", password)
    assert account is not None and account.role == "team" and account.teams == ("soest",)
    assert accounts.authenticate("anne", "verkeerd wachtwoord") is None


def test_kader_gebruiker_toevoegen_refuses_a_short_password(tmp_path):
    from kadertoets.cli import main

    path = tmp_path / "gebruikers.yaml"
    result = CliRunner().invoke(main, ["gebruiker", "toevoegen", "anne", "--rol", "regio", "--gebruikers", str(path)],
                                input="pw\npw\n")
    assert result.exit_code != 0
    assert "te kort" in result.output
    assert not path.exists()


def test_a_user_of_the_accounts_file_logs_in_on_the_page(tmp_path, monkeypatch):
    """The account `kader gebruiker toevoegen` made is the one the page lets in."""
    from kadertoets.cli import main

    serve_copy(tmp_path, monkeypatch)
    password = "paard batterij nietje correct"
    result = CliRunner().invoke(main, ["gebruiker", "toevoegen", "anne", "--rol", "team", "--team", "soest",
                                       "--gebruikers", "gebruikers.yaml"], input=f"{password}\n{password}\n")
    assert result.exit_code == 0, result.output
    client, response = login(regional_app(Path("gebruikers.yaml")), "anne", password)
    assert response.status_code == 303
    assert client.get("/team/soest").status_code == 200
