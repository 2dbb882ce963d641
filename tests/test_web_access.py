"""Who may do what on the web page (issue 13 point 4), through Flask's test client: every rule is a test
that fails when the rule is taken out.

- regional use: the login form, wrong passwords (401, no session, the throttle), and per role what it
  may read and write: `team` only its own team(s) (403 on another team's page, questionnaire, saves,
  API and exports, and on the region's views), `regio` reads everything and writes nothing,
  `redacteur` reads everything and runs lint and test on the Kader;
- CSRF: every state-changing request with a cookie session is 403 without the session's token or
  with another one, and nothing is written;
- the Host header: only the served names (no DNS rebinding).

Local use, the pages and the API themselves: tests/test_web.py.
"""

from __future__ import annotations

import html as html_lib
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from webclient import (PASSWORD, TEAMS, TOKEN, csrf, csrf_of, form_fields, local_app, login, make_accounts,
                       regional_app, replaced, serve_copy, snapshot, text, token_client)

OTHER = "baarn"  # a team anne (team soest) may not see
REGION_VIEWS = ["/regio", "/regio/overzicht.xlsx", "/regio/overzicht.html", "/regio/overzicht.csv",
                "/regio/overzicht.json", "/regio/trend.xlsx", "/regio/trend.html", "/regio/trend.csv",
                "/regio/trend.json", "/api/regio"]


def team_reads(team: str) -> list[str]:
    return [f"/team/{team}", f"/team/{team}?alles=1", f"/team/{team}/vragenlijst", f"/team/{team}/vragenlijst.xlsx",
            f"/team/{team}/tekorten.json", f"/api/teams/{team}", f"/team/{team}/geschiedenis"]


def kept_version(team: str) -> str:
    """Save the team once (as the local token's holder, outside the accounts) and return the name of the
    version it kept."""
    from kadertoets.editors.answersave import save
    from kadertoets.infra.dates import made_at

    path = next(Path("assessments").glob(f"{team}-*.yaml"))
    saved = save(path, _version(team), made_at(), answers={"algemeen.inwoners": {"waarde": 1234}})
    return Path(saved.history).name


@pytest.fixture(scope="module")
def accounts_file(tmp_path_factory) -> Path:
    return make_accounts(tmp_path_factory.mktemp("accounts") / "gebruikers.yaml")


@pytest.fixture
def folder(tmp_path, monkeypatch) -> Path:
    return serve_copy(tmp_path, monkeypatch)


@pytest.fixture
def app(folder, accounts_file):
    return regional_app(accounts_file)


def as_user(app, name: str):
    client, response = login(app, name)
    assert response.status_code == 303, text(response)
    return client


def etag(client, team: str) -> str:
    return client.get(f"/api/teams/{team}").headers["ETag"]


def writes(client, team: str) -> dict[str, tuple]:
    """Every write on a team, each one as the page's own form would send it (valid, with the CSRF token):
    refused only by the rule under test. {name: (method, path, data or json, headers)}."""
    token = csrf(client)
    _kept[team]  # the save that keeps a version to put back comes first: the versions below are after it
    return {
        "vragenlijst": ("POST", f"/team/{team}/vragenlijst",
                        {"csrf_token": token, "versie": _version(team), "w:algemeen.inwoners": "12345"}, {}),
        "plan": ("POST", f"/team/{team}/plan", {"csrf_token": token, "versie": _version(team)}, {}),
        "voorstellen": ("POST", f"/team/{team}/voorstellen", {"csrf_token": token, "versie": _version(team)}, {}),
        "peildatum": ("POST", f"/team/{team}/peildatum", {"csrf_token": token, "peildatum": "2024-03-01"}, {}),
        "api": ("PUT", f"/api/teams/{team}/feiten", {"algemeen.inwoners": 12345},
                {"X-CSRF-Token": token, "If-Match": _version(team)}),
        "terugzetten": ("POST", f"/team/{team}/geschiedenis/{_kept[team]}/terugzetten",
                        {"csrf_token": token, "versie": _version(team)}, {}),
    }


class _Kept(dict):
    """The name of a kept version per team, made on first use."""

    def __missing__(self, team):
        self[team] = kept_version(team)
        return self[team]


_kept: _Kept = _Kept()


@pytest.fixture(autouse=True)
def _fresh_kept_versions():
    _kept.clear()  # every test serves a fresh copy


def _version(team: str) -> str:
    from kadertoets.editors.answersave import version_tag

    return version_tag(next(Path("assessments").glob(f"{team}-*.yaml")).read_bytes())


def send(client, method: str, path: str, data, headers):
    if method == "PUT":
        return client.put(path, json=data, headers=headers)
    return client.post(path, data=data, headers=headers)


# ---------------------------------------------------------------------- logging in ------------------------
def test_the_login_form_has_naam_wachtwoord_and_a_hidden_csrf_token(app):
    page = app.test_client().get("/login")
    assert page.status_code == 200
    html = text(page)
    assert re.search(r'<input id="naam" name="naam"', html)
    assert re.search(r'<input id="wachtwoord" name="wachtwoord" type="password"', html)
    assert re.search(r'<input type="hidden" name="csrf_token" value="[^"]{20,}">', html)
    assert 'name="token"' not in html  # no access token in regional use


@pytest.mark.parametrize("name, password", [("anne", "verkeerd wachtwoord"), ("niemand", PASSWORD),
                                            ("anne", ""), ("", "")])
def test_a_wrong_name_or_password_is_a_401_page_and_no_session(app, name, password):
    client, response = login(app, name, password)
    assert response.status_code == 401
    assert "Naam of wachtwoord klopt niet." in text(response)
    assert client.get("/").status_code == 303
    assert client.get("/api/teams").status_code == 401


def test_the_right_password_opens_a_session_with_a_safe_cookie(app):
    client = app.test_client()
    page = client.get("/login?volgende=/team/soest")
    response = client.post("/login", data={"naam": "Anne", "wachtwoord": PASSWORD, "csrf_token": csrf_of(page),
                                           "volgende": "/team/soest"})
    assert response.status_code == 303 and response.headers["Location"] == "/team/soest"
    parts = [p.strip() for p in response.headers["Set-Cookie"].split(";")]
    assert "HttpOnly" in parts and "SameSite=Strict" in parts and any(p.startswith("Expires=") for p in parts)
    assert "anne (team)" in text(client.get("/team/soest"))


def test_behind_tls_the_cookie_is_secure_and_bound_to_the_host(folder, accounts_file):
    """As `kader serve --host 0.0.0.0 --gebruikers ...` sets it up: a __Host- cookie, Secure, and HSTS."""
    from kadertoets.web.app import create_app
    from kadertoets.web.serve import settings_for

    settings = settings_for([Path("assessments")], "0.0.0.0", accounts_file, None, ["kadertoets.regio.nl"])
    assert settings.token is None and settings.secure_cookie
    settings.hosts.add("kadertoets.regio.nl")
    client = create_app(settings).test_client()
    page = client.get("/login", base_url="https://kadertoets.regio.nl")
    response = client.post("/login", base_url="https://kadertoets.regio.nl",
                           data={"naam": "anne", "wachtwoord": PASSWORD, "csrf_token": csrf_of(page)})
    assert response.status_code == 303
    parts = [p.strip() for p in response.headers["Set-Cookie"].split(";")]
    assert parts[0].startswith("__Host-kadertoets=")
    assert {"Secure", "HttpOnly", "SameSite=Strict", "Path=/"} <= set(parts)
    assert not any(p.startswith("Domain=") for p in parts)
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_in_regional_use_no_access_token_opens_anything(app):
    client = app.test_client()
    assert client.get("/api/teams", headers={"Authorization": "Bearer " + TOKEN}).status_code == 401
    assert client.get("/?token=" + TOKEN).status_code == 303  # to the login page: no session
    assert client.get("/").status_code == 303
    page = client.get("/login")
    assert client.post("/login", data={"token": TOKEN, "csrf_token": csrf_of(page)}).status_code == 401


def test_an_account_removed_from_the_file_loses_its_session(folder, accounts_file, tmp_path):
    """The session names the account; a server started on a file without it lets nobody in on that name."""
    from kadertoets.web.accounts import add_account

    other = tmp_path / "ander.yaml"
    add_account(other, "rita", "regio", (), PASSWORD)
    first = regional_app(accounts_file)
    cookie = as_user(first, "anne").get_cookie("kadertoets").value
    second = regional_app(other)
    second.secret_key = first.secret_key  # the same key: only the account decides
    client = second.test_client()
    client.set_cookie("kadertoets", cookie)
    assert client.get("/").status_code == 303


def test_five_wrong_passwords_refuse_even_the_right_one(app):
    for _ in range(5):
        assert login(app, "anne", "verkeerd wachtwoord")[1].status_code == 401
    client, response = login(app, "anne")
    assert response.status_code == 401
    assert "Te vaak een verkeerd wachtwoord" in text(response)
    assert client.get("/").status_code == 303


def test_the_throttle_counts_per_name_from_any_address(app):
    for n in range(5):
        client = app.test_client()
        page = client.get("/login")
        client.post("/login", data={"naam": "anne", "wachtwoord": "fout", "csrf_token": csrf_of(page)},
                    environ_base={"REMOTE_ADDR": f"10.0.0.{n}"})
    client = app.test_client()
    page = client.get("/login")
    response = client.post("/login", data={"naam": "anne", "wachtwoord": PASSWORD, "csrf_token": csrf_of(page)},
                           environ_base={"REMOTE_ADDR": "10.0.0.99"})
    assert response.status_code == 401 and "Te vaak" in text(response)


def test_the_throttle_counts_per_address_over_names(app):
    """From one address on the network (not this machine's own: a reverse proxy here is everyone's)."""
    def attempt(name, password):
        client = app.test_client()
        page = client.get("/login")
        return client.post("/login", data={"naam": name, "wachtwoord": password, "csrf_token": csrf_of(page)},
                           environ_base={"REMOTE_ADDR": "10.0.0.7"})

    for name in ("a1", "a2", "a3", "a4", "a5"):
        assert attempt(name, "fout").status_code == 401
    assert attempt("rita", PASSWORD).status_code == 401


def test_four_wrong_passwords_and_the_right_one_let_in_and_start_the_count_again(app):
    for _ in range(4):
        login(app, "anne", "fout")
    assert login(app, "anne")[1].status_code == 303
    for _ in range(4):
        login(app, "anne", "fout")
    assert login(app, "anne")[1].status_code == 303


def test_the_throttle_lets_in_again_after_its_window():
    from kadertoets.web.access import LoginThrottle

    now = [1000.0]
    throttle = LoginThrottle(clock=lambda: now[0])
    for _ in range(LoginThrottle.MAX_FAILURES):
        throttle.failed("naam:anne")
    assert throttle.blocked("naam:anne") and not throttle.blocked("naam:bert")
    now[0] += LoginThrottle.WINDOW - 1
    assert throttle.blocked("naam:anne")
    now[0] += 2
    assert not throttle.blocked("naam:anne")
    assert LoginThrottle.WINDOW >= 5 * 60


def test_logging_out_ends_the_session(app):
    client = as_user(app, "anne")
    assert client.post("/uitloggen", data={"csrf_token": csrf(client)}).status_code == 303
    assert client.get("/team/soest").status_code == 303


# ---------------------------------------------------------------------- role team -------------------------
@pytest.mark.parametrize("path", team_reads("soest") + ["/", "/api/teams", "/nieuw"])
def test_a_team_account_reads_its_own_team(app, path):
    response = as_user(app, "anne").get(path)
    assert response.status_code == 200, text(response)[:500]


@pytest.mark.parametrize("path", team_reads(OTHER) + team_reads("bestaatniet") + REGION_VIEWS + ["/kader"])
def test_a_team_account_reads_nothing_of_another_team_nor_the_region(app, path):
    response = as_user(app, "anne").get(path)
    assert response.status_code == 403
    if path.startswith("/api/"):
        body = response.get_json()
        assert body["fout"] == "u hebt geen toegang tot deze pagina" and "team soest" in body["hint"]
    else:
        assert "Geen toegang" in text(response)
        assert "Baarn" not in text(response)


def test_a_kept_version_of_another_team_is_403_for_a_team_account(app):
    name = kept_version(OTHER)
    assert as_user(app, "anne").get(f"/team/{OTHER}/geschiedenis/{name}").status_code == 403
    assert as_user(app, "rita").get(f"/team/{OTHER}/geschiedenis/{name}").status_code == 200
    assert as_user(app, "bert").get(f"/team/{OTHER}/geschiedenis/{name}").status_code == 200


ALL_WRITES = ["vragenlijst", "plan", "voorstellen", "peildatum", "api", "terugzetten"]


@pytest.mark.parametrize("write", ALL_WRITES)
def test_a_team_account_writes_nothing_of_another_team(app, folder, write):
    client = as_user(app, "anne")
    request = writes(client, OTHER)[write]
    before = snapshot(folder)
    response = send(client, *request)
    assert response.status_code == 403
    assert snapshot(folder) == before


@pytest.mark.parametrize("write", ["vragenlijst", "voorstellen", "peildatum", "api", "terugzetten"])
def test_a_team_account_writes_its_own_team(app, folder, write):
    """The same requests on the own team succeed: the 403 above is the rule, not a broken request."""
    client = as_user(app, "anne")
    request = writes(client, "soest")[write]
    before = snapshot(folder)
    response = send(client, *request)
    assert response.status_code in (200, 303), text(response)[:1000]
    assert snapshot(folder) != before


def test_a_team_account_saves_its_own_plan(app, folder):
    client = as_user(app, "anne")
    send(client, *writes(client, "soest")["voorstellen"])
    page = text(client.get("/team/soest"))
    response = client.post("/team/soest/plan", data=replaced(form_fields(page, "/team/soest/plan"), "status:1",
                                                             "behaald"))
    assert response.status_code == 303
    assert "status: behaald" in (folder / "soest-2023-03.yaml").read_text(encoding="utf-8")


def test_a_team_account_lists_only_its_own_teams(app):
    anne = as_user(app, "anne")
    assert [t["id"] for t in anne.get("/api/teams").get_json()["teams"]] == ["soest"]
    start = text(anne.get("/"))
    assert 'href="/team/soest"' in start and not any(f'href="/team/{t}"' in start for t in TEAMS if t != "soest")
    assert 'href="/regio"' not in start and 'href="/kader"' not in start
    bert = as_user(app, "bert")
    assert sorted(t["id"] for t in bert.get("/api/teams").get_json()["teams"]) == ["baarn", "eemnes"]
    assert bert.get("/team/eemnes").status_code == 200 and bert.get("/team/soest").status_code == 403


def test_a_team_account_sees_no_invalid_file_of_another_team(app, folder):
    """The start page lists files that could not be read only for those who read the region."""
    (folder / "kapot.yaml").write_text("kader: '1.0'\nteam: {id: geheim, naam: Geheim team}\npeildatum: [\n",
                                       encoding="utf-8")
    assert "kapot.yaml" not in text(as_user(app, "anne").get("/"))
    assert "kapot.yaml" in text(as_user(app, "rita").get("/"))


def test_a_team_account_cannot_start_another_teams_assessment(app, folder):
    client = as_user(app, "anne")
    before = snapshot(folder)
    response = client.post("/nieuw", data={"id": "nieuwdorp", "naam": "Nieuwdorp", "gemeente": "Nieuwdorp",
                                           "organisatie": "Gemeente", "taken": "jeugd", "peildatum": "2024-03-01",
                                           "csrf_token": csrf(client)})
    assert response.status_code == 422
    assert "alleen een assessment voor uw eigen team beginnen" in text(response)
    assert snapshot(folder) == before


# ---------------------------------------------------------------------- role regio and redacteur -----------
@pytest.mark.parametrize("name", ["rita", "ruud"])
@pytest.mark.parametrize("path", [p for t in ("soest", OTHER) for p in team_reads(t)] + REGION_VIEWS
                         + ["/", "/api/teams"])
def test_regio_and_redacteur_read_everything(app, name, path):
    response = as_user(app, name).get(path)
    assert response.status_code == 200, text(response)[:500]


@pytest.mark.parametrize("name", ["rita", "ruud"])
def test_regio_and_redacteur_list_every_team(app, name):
    assert {t["id"] for t in as_user(app, name).get("/api/teams").get_json()["teams"]} == set(TEAMS)


@pytest.mark.parametrize("name", ["rita", "ruud"])
@pytest.mark.parametrize("write", ALL_WRITES)
def test_regio_and_redacteur_write_nothing(app, folder, name, write):
    client = as_user(app, name)
    request = writes(client, "soest")[write]
    before = snapshot(folder)
    response = send(client, *request)
    assert response.status_code == 403
    assert snapshot(folder) == before


@pytest.mark.parametrize("name", ["rita", "ruud"])
def test_regio_and_redacteur_start_no_new_team(app, folder, name):
    client = as_user(app, name)
    before = snapshot(folder)
    assert client.get("/nieuw").status_code == 403
    response = client.post("/nieuw", data={"id": "nieuwdorp", "naam": "Nieuwdorp", "gemeente": "Nieuwdorp",
                                           "organisatie": "Gemeente", "taken": "jeugd", "peildatum": "2024-03-01",
                                           "csrf_token": csrf(client)})
    assert response.status_code == 403
    assert snapshot(folder) == before
    assert "Nieuw team beginnen" not in text(client.get("/"))


@pytest.mark.parametrize("name", ["rita", "ruud"])
def test_a_reader_sees_the_questionnaire_without_a_save_button(app, name):
    html = text(as_user(app, name).get("/team/soest/vragenlijst"))
    assert "U kunt deze antwoorden lezen, niet wijzigen." in html
    assert re.search(r'<fieldset id="thema-1" disabled>', html)
    assert "Opslaan</button>" not in html
    team = text(as_user(app, name).get("/team/soest"))
    assert "Nieuw assessment beginnen" not in team and "Vragenlijst bekijken" in team


def test_only_the_redacteur_runs_lint_and_test_on_the_kader(app):
    from kadertoets.cli import main

    assert as_user(app, "rita").get("/kader").status_code == 403
    response = as_user(app, "ruud").get("/kader")
    assert response.status_code == 200
    shown = [html_lib.unescape(p) for p in re.findall(r'<pre class="uitvoer">(.*?)</pre>', text(response), re.S)]
    assert shown == [CliRunner().invoke(main, ["lint"]).stdout, CliRunner().invoke(main, ["test"]).stdout]
    assert 'href="/kader"' in text(as_user(app, "ruud").get("/"))


# ---------------------------------------------------------------------- CSRF ------------------------------
def _local_writes(client) -> dict[str, tuple]:
    """Every state-changing request of local use, valid in every way but the CSRF token."""
    out = writes(client, "soest")
    out["nieuw"] = ("POST", "/nieuw", {"id": "nieuwdorp", "naam": "Nieuwdorp", "gemeente": "Nieuwdorp",
                                       "organisatie": "Gemeente", "taken": "jeugd", "peildatum": "2024-03-01",
                                       "csrf_token": csrf(client)}, {})
    out["uitloggen"] = ("POST", "/uitloggen", {"csrf_token": csrf(client)}, {})
    return out


def _without_token(method, path, data, headers, wrong=None):
    data = dict(data)
    headers = dict(headers)
    if method == "PUT":
        headers.pop("X-CSRF-Token")
        if wrong:
            headers["X-CSRF-Token"] = wrong
    else:
        data.pop("csrf_token")
        if wrong:
            data["csrf_token"] = wrong
    return method, path, data, headers


WRITES = ["vragenlijst", "plan", "voorstellen", "peildatum", "api", "nieuw", "uitloggen", "terugzetten"]


@pytest.mark.parametrize("write", WRITES)
@pytest.mark.parametrize("wrong", [None, "verkeerd", "other-session"])
def test_every_write_without_the_sessions_csrf_token_is_403_and_writes_nothing(folder, write, wrong):
    app = local_app()
    client = token_client(app)
    if wrong == "other-session":  # a real token, of someone else's session
        wrong = csrf(token_client(app))
    request = _without_token(*_local_writes(client)[write], wrong=wrong)
    before = snapshot(folder)
    response = send(client, *request)
    assert response.status_code == 403
    assert "dit verzoek is geweigerd" in text(response)
    assert snapshot(folder) == before
    assert client.get("/").status_code == 200  # still logged in (also after a refused logout)


@pytest.mark.parametrize("write", WRITES)
def test_every_write_with_the_sessions_csrf_token_goes_through(folder, write):
    """The same requests with the token are not refused: the 403 above is the CSRF rule."""
    client = token_client(local_app())
    response = send(client, *_local_writes(client)[write])
    assert response.status_code in (200, 303), text(response)[:1000]


def test_the_login_form_without_its_csrf_token_is_403_and_opens_no_session(app):
    client = app.test_client()
    response = client.post("/login", data={"naam": "anne", "wachtwoord": PASSWORD})
    assert response.status_code == 403
    assert client.get("/").status_code == 303
    page = client.get("/login")
    response = client.post("/login", data={"naam": "anne", "wachtwoord": PASSWORD, "csrf_token": "verkeerd"})
    assert response.status_code == 403 and client.get("/").status_code == 303
    assert csrf_of(page)  # the right one still works
    assert client.post("/login", data={"naam": "anne", "wachtwoord": PASSWORD,
                                       "csrf_token": csrf_of(page)}).status_code == 303


def test_a_team_account_writes_without_its_csrf_token_are_403(app, folder):
    client = as_user(app, "anne")
    requests = writes(client, "soest")
    before = snapshot(folder)
    for write in ("vragenlijst", "api", "peildatum", "terugzetten"):
        assert send(client, *_without_token(*requests[write])).status_code == 403
    assert snapshot(folder) == before


def test_a_new_session_gets_a_new_csrf_token(app):
    """Logging in replaces the token the login form had (no session fixation of the CSRF token)."""
    client = app.test_client()
    page = client.get("/login")
    before = csrf_of(page)
    client.post("/login", data={"naam": "anne", "wachtwoord": PASSWORD, "csrf_token": before})
    assert csrf(client) != before


def test_bearer_needs_no_csrf_token(folder):
    client = local_app().test_client()
    headers = {"Authorization": "Bearer " + TOKEN}
    tag = client.get("/api/teams/soest", headers=headers).headers["ETag"]
    response = client.put("/api/teams/soest/feiten", json={"algemeen.inwoners": 47200},
                          headers=headers | {"If-Match": tag})
    assert response.status_code == 200


# ---------------------------------------------------------------------- the Host header -------------------
@pytest.mark.parametrize("method, path", [("GET", "/"), ("GET", "/login"), ("GET", "/api/teams"),
                                          ("GET", "/team/soest"), ("POST", "/team/soest/vragenlijst"),
                                          ("PUT", "/api/teams/soest/feiten"), ("GET", "/static/kadertoets.css"),
                                          ("GET", "/?token=" + TOKEN)])
def test_another_host_name_is_400_even_with_the_token(folder, method, path):
    app = local_app()
    before = snapshot(folder)
    response = app.test_client().open(path, method=method, headers={"Host": "evil.example",
                                                                    "Authorization": "Bearer " + TOKEN},
                                      json={"algemeen.inwoners": 1} if method == "PUT" else None)
    assert response.status_code == 400
    assert "niet onder die naam" in text(response)
    assert "Set-Cookie" not in response.headers
    assert snapshot(folder) == before


def test_a_forwarded_host_does_not_count(folder):
    response = local_app().test_client().get("/login", headers={"Host": "evil.example",
                                                               "X-Forwarded-Host": "localhost"})
    assert response.status_code == 400


def test_the_served_names_of_kader_serve(folder):
    from kadertoets.web.serve import host_names

    names = host_names("127.0.0.1", 8000)
    assert names == {"127.0.0.1:8000", "localhost:8000", "[::1]:8000"}
    app = local_app(hosts=names)
    client = app.test_client()
    assert client.get("/login", headers={"Host": "localhost:8000"}).status_code == 200
    assert client.get("/login", headers={"Host": "127.0.0.1:8000"}).status_code == 200
    for wrong in ("localhost:8001", "127.0.0.1", "evil.example:8000", "127.0.0.1.nip.io:8000"):
        assert client.get("/login", headers={"Host": wrong}).status_code == 400, wrong
    assert host_names("0.0.0.0", 8443, ["kadertoets.regio.nl"]) == {"0.0.0.0:8443", "kadertoets.regio.nl"}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(host=st.text(alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7e), max_size=40))
def test_any_host_other_than_the_served_ones_is_400(folder, host):
    served = {"localhost:8000", "127.0.0.1:8000"}
    app = local_app(hosts=served)
    response = app.test_client().get("/api/teams", headers={"Host": host, "Authorization": "Bearer " + TOKEN})
    if host.lower() in served:
        assert response.status_code == 200
    else:
        assert response.status_code == 400
