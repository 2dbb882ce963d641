"""The web page in a real browser: `kader serve` started as a user starts it (the installed `kader`, a
free port, the address with the token read from its first line of output), driven by Playwright with
the system's headless chromium. A new team is started, its questionnaire filled in with every kind of
input (ja/nee, a select, a number with a decimal comma, a date, a text, checkboxes), saved, and the team's
gap list and the YAML on disk are checked; an invalid value is refused next to its field with nothing
written; everything once with and once without JavaScript, and no console error or CSP violation.

Skipped (never failed) when Playwright or chromium is missing: Playwright's own browser download is
not used; .ci/run installs Debian's chromium, so CI runs this test. Beside it, without a browser: the
icon a browser asks for, and bench/web_bench.py (the same server under load) runs and reports."""

from __future__ import annotations

import datetime as dt
import os
import select
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

try:
    from playwright import sync_api
except ImportError:  # the test extra installs it; without it the browser tests are skipped
    sync_api = None

CHROMIUM = next((p for p in ("/usr/bin/chromium", shutil.which("chromium"), shutil.which("chromium-browser"))
                 if p and os.access(p, os.X_OK)), None)
needs_browser = pytest.mark.skipif(
    sync_api is None or CHROMIUM is None,
    reason="geen playwright (pip install '.[test]') of geen chromium; installeer beide om de webpagina in een "
           "echte browser te testen")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
START_TIMEOUT = 60  # seconds for `kader serve` to print its address


# ------------------------------------------------------------------ the server and the browser ---------
def kader_command() -> list[str]:
    """The `kader` console script of the environment running the tests (as a user runs it)."""
    script = Path(sys.executable).parent / "kader"
    return [str(script)] if script.is_file() else [sys.executable, "-m", "kadertoets"]


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """`kader serve` on a copy of the bundled assessments: (address with the token, the served folder)."""
    from kadertoets.infra.paths import bundled_assessments

    work = tmp_path_factory.mktemp("web")
    folder = work / "assessments"
    shutil.copytree(bundled_assessments(), folder)
    log = work / "serve.stderr"  # a file, not a pipe: a full pipe would stall the server
    with open(log, "wb") as err:
        proc = subprocess.Popen([*kader_command(), "serve", str(folder), "--poort", "0"], stdout=subprocess.PIPE,
                                stderr=err, text=True)
    try:
        ready, _, _ = select.select([proc.stdout], [], [], START_TIMEOUT)
        first = proc.stdout.readline().strip() if ready else ""
        assert first.startswith("http://127.0.0.1:") and "/?token=" in first, (
            f"kader serve gaf geen adres met token: {first!r}\n{log.read_text(errors='replace')}")
        yield first, folder
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        proc.stdout.close()


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class Watched:
    """A browser context whose pages report every console error or warning, every failed request and
    every error response (a CSP violation is a console error in chromium)."""

    def __init__(self, browser, javascript: bool = True):
        self.context = browser.new_context(java_script_enabled=javascript)
        self.context.set_default_timeout(15_000)
        self.complaints: list[str] = []
        self.page = self.context.new_page()
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda e: self.complaints.append(f"page error: {e}"))
        self.page.on("requestfailed", lambda r: self.complaints.append(f"request failed: {r.url} {r.failure}"))
        self.page.on("response", self._response)
        self.expected: set[tuple[int, str]] = set()  # (status, address) of a refusal the test asks for

    def _console(self, message):
        if message.type not in ("error", "warning"):
            return
        url = message.location.get("url") or ""
        if any(message.text.startswith(f"Failed to load resource: the server responded with a status of {status} ")
               and url == address for status, address in self.expected):
            return  # chromium reports every refusal; this one is what the test asked for
        self.complaints.append(f"console {message.type}: {message.text} ({url})")

    def _response(self, response):
        if response.status >= 400 and (response.status, response.url) not in self.expected:
            self.complaints.append(f"HTTP {response.status}: {response.url}")
        if response.request.resource_type == "document" and \
                "script-src 'self'" not in (response.headers.get("content-security-policy") or ""):
            self.complaints.append(f"no Content-Security-Policy: {response.url}")

    def close(self):
        self.context.close()


def origin(url: str) -> str:
    return url.split("/?token=")[0]


def rule_title(rule_id: str) -> str:
    from kadertoets.infra.paths import bundled_root

    data = yaml.safe_load((bundled_root() / "rules" / f"{rule_id}.yaml").read_text(encoding="utf-8"))
    return data["titel"]


def gap_statuses(page) -> dict[str, str]:
    """The gap list on a team page as a person sees it: {title: the status shown}, from each item's
    status class (s-<status>), checked against the words shown."""
    from kadertoets.model import STATUS_LABEL, Status

    out = {}
    for item in page.locator("ol.bevindingen > li").all():
        status = next(c[2:] for c in (item.get_attribute("class") or "").split() if c.startswith("s-"))
        shown = item.locator(".status").inner_text()
        assert shown.startswith(STATUS_LABEL[Status(status)]), (shown, status)
        out[item.locator(".kopregel strong").inner_text()] = status
    return out


def question(page, path: str):
    return page.locator(f'div.vraag[id="v-{path}"]')


# ------------------------------------------------------------------ the answers ----------------------
# What a person types, and what the file must hold afterwards (the loader's typed value).
TYPED_TEXT = "Jeugd en Wmo, 0 tot 100 jaar; naast het team werkt het sociaal wijkteam van de gemeente."
EXPECTED = {
    "veiligheid.werkt_met_meldcode": False,  # ja/nee radio: nee
    "veiligheid.zelfscan_wav_uitgevoerd": True,  # ja/nee radio: ja
    "veiligheid.ontwikkelplan": "vastgesteld",  # select
    "veiligheid.aandachtsfunctionarissen": 2,  # whole number
    "formatie.fte_totaal": 12.5,  # typed with a decimal comma: 12,5
    "veiligheid.zelfscan_wav_datum": dt.date(2024, 2, 15),  # date
    "algemeen.kenmerken_team": TYPED_TEXT,  # text
    "perspectiefplan.leefgebieden": ["wonen", "zorg"],  # checkboxes of a multiple choice (a set: kept sorted)
}
NOTE = "Volgens het teamoverleg van februari."
# Requirements fed by these answers, with the status before (a new team: all onbekend) and after.
CHANGED = {
    "KLT-VEI-02": "voldoet",  # at least one trained aandachtsfunctionaris
    "KLT-VEI-03": "voldoet_niet",  # no meldcode
    "KLT-VEI-04": "voldoet",  # zelfscan done and ontwikkelplan vastgesteld
}


def fill_in(page) -> None:
    question(page, "veiligheid.werkt_met_meldcode").locator('input[type=radio][value="nee"]').check()
    question(page, "veiligheid.zelfscan_wav_uitgevoerd").locator('input[type=radio][value="ja"]').check()
    question(page, "veiligheid.ontwikkelplan").locator("select").select_option("vastgesteld")
    question(page, "veiligheid.aandachtsfunctionarissen").locator("input[name^='w:']").fill("2")
    question(page, "formatie.fte_totaal").locator("input[name^='w:']").fill("12,5")
    question(page, "veiligheid.zelfscan_wav_datum").locator("input[type=date][name^='w:']").fill("2024-02-15")
    question(page, "algemeen.kenmerken_team").locator("textarea[name^='w:']").fill(TYPED_TEXT)
    for value in ("zorg", "wonen"):
        question(page, "perspectiefplan.leefgebieden").locator(f'input[type=checkbox][value="{value}"]').check()
    fact = question(page, "veiligheid.aandachtsfunctionarissen")
    fact.locator("summary").click()
    fact.locator("textarea[name^='t:']").fill(NOTE)


# ------------------------------------------------------------------ the tests ------------------------
@needs_browser
@pytest.mark.parametrize("javascript", [True, False], ids=["met-javascript", "zonder-javascript"])
def test_a_new_team_fills_in_its_questionnaire_and_sees_its_gap_list(served, browser, javascript):
    url, folder = served
    team_id = "rhenen" if javascript else "veenendaal"
    titles = {rule: rule_title(rule) for rule in CHANGED}
    watched = Watched(browser, javascript)
    page = watched.page
    try:
        # the address with the token opens a session, and the token leaves the address bar
        page.goto(url)
        assert page.url == origin(url) + "/"
        assert page.locator("h1").inner_text() == "Teams"

        # start a new team
        page.get_by_role("link", name="Nieuw team beginnen").click()
        assert page.locator("h1").inner_text() == "Een nieuw team beginnen"
        page.fill("#id", team_id)
        page.fill("#naam", f"Sociaal team {team_id.capitalize()}")
        page.fill("#gemeente", team_id.capitalize())
        page.fill("#organisatie", f"Stichting Welzijn {team_id.capitalize()}")
        page.fill("#peildatum", "2024-03-01")
        page.check("input[name=taken][value='jeugd,wmo']")
        page.get_by_role("button", name="Aanmaken en de vragenlijst invullen").click()

        # ... lands on its questionnaire; the file exists, every answer still open
        assert page.url == f"{origin(url)}/team/{team_id}/vragenlijst"
        assert page.locator("h1").inner_text() == f"Vragenlijst: Sociaal team {team_id.capitalize()}"
        [path] = folder.glob(f"{team_id}-*.yaml")
        created = path.read_bytes()
        facts = yaml.safe_load(created.decode("utf-8"))["feiten"]
        assert all(f["waarde"] is None for f in facts.values())

        # the team page before: the requirements these answers feed are onbekend
        page.get_by_role("link", name="terug naar het team").click()
        before = gap_statuses(page)
        assert {r: before.get(titles[r]) for r in CHANGED} == dict.fromkeys(CHANGED, "onbekend")

        # fill in answers of every kind and save
        page.get_by_role("link", name="Vragenlijst invullen", exact=True).click()
        fill_in(page)
        page.get_by_role("button", name="Opslaan", exact=True).click()

        # the team page with its gap list: the requirements moved the expected way
        assert page.url == f"{origin(url)}/team/{team_id}"
        assert f"Opgeslagen: {len(EXPECTED)} antwoorden veranderd." in page.locator("p.melding.goed").inner_text()
        after = gap_statuses(page)
        assert after.get(titles["KLT-VEI-03"]) == "voldoet_niet"
        assert titles["KLT-VEI-02"] not in after and titles["KLT-VEI-04"] not in after  # no longer a gap
        page.get_by_role("link", name="Toon alle eisen").click()
        everything = gap_statuses(page)
        assert {r: everything.get(titles[r]) for r in CHANGED} == CHANGED

        # the file holds exactly the typed values, and nothing else changed
        saved_bytes = path.read_bytes()
        saved = yaml.safe_load(saved_bytes.decode("utf-8"))
        assert {q: saved["feiten"][q]["waarde"] for q in EXPECTED} == EXPECTED
        assert saved["feiten"]["veiligheid.aandachtsfunctionarissen"]["toelichting"] == NOTE
        assert all(f["waarde"] is None for q, f in saved["feiten"].items() if q not in EXPECTED)
        assert saved["team"]["id"] == team_id and saved["peildatum"] == dt.date(2024, 3, 1)
        kept = [p.read_bytes() for p in (folder / ".geschiedenis" / path.stem).glob("*.yaml")]
        assert kept == [created]  # the version before the save is kept beside the file

        # an invalid value: a Dutch error next to its field, nothing written
        page.get_by_role("link", name="Vragenlijst invullen", exact=True).click()
        question(page, "formatie.fte_totaal").locator("input[name^='w:']").fill("twaalf")
        question(page, "veiligheid.aandachtsfunctionarissen").locator("input[name^='w:']").fill("3")
        watched.expected.add((422, page.url))
        with page.expect_response(lambda r: r.request.method == "POST") as posted:
            page.get_by_role("button", name="Opslaan", exact=True).click()
        assert posted.value.status == 422
        assert "Er is niets opgeslagen" in page.locator("p.melding.fout").first.inner_text()
        field = question(page, "formatie.fte_totaal")
        errors = field.locator(".veldfout").all_inner_texts()
        assert errors and "twaalf" in errors[0] and "getal" in errors[0], errors
        assert field.locator("input[name^='w:']").input_value() == "twaalf"  # what was typed stays
        assert question(page, "veiligheid.aandachtsfunctionarissen").locator(".veldfout").count() == 0
        assert question(page, "veiligheid.aandachtsfunctionarissen").locator("input[name^='w:']").input_value() == "3"
        assert path.read_bytes() == saved_bytes

        assert watched.complaints == [], "\n".join(watched.complaints)
    finally:
        watched.close()


@needs_browser
def test_without_the_token_a_browser_gets_the_login_page(served, browser):
    url, _ = served
    watched = Watched(browser)
    watched.expected.add((401, origin(url) + "/login"))
    page = watched.page
    try:
        for path in ("/", "/team/bunschoten", "/regio"):
            page.goto(origin(url) + path)
            assert page.url.startswith(origin(url) + "/login"), page.url
            assert page.locator("h1").inner_text() == "Aanmelden"
            assert page.locator("#token").count() == 1
            assert "Bunschoten" not in page.content()
        page.fill("#token", "niet-het-token")
        page.get_by_role("button", name="Aanmelden").click()
        assert "klopt niet" in page.locator("p.melding.fout").inner_text()
        assert watched.complaints == [], "\n".join(watched.complaints)
    finally:
        watched.close()


def test_the_browser_asking_for_an_icon_gets_no_error():
    """Every browser asks a site for /favicon.ico on every page; a 404 there is a console error on every
    page of the site (the browser test saw it), before and after logging in."""
    from kadertoets.web.app import Settings, create_app
    from kadertoets.web.site import Site

    app = create_app(Settings(site=Site((Path("niet-gelezen"),)), hosts={"localhost"}, token="tok"))
    client = app.test_client()
    assert client.get("/favicon.ico").status_code == 204
    client.get("/?token=tok")
    response = client.get("/favicon.ico")
    assert response.status_code == 204 and response.data == b""


def test_the_web_benchmark_runs_and_reports_ratios(root):
    """bench/web_bench.py (20 users in the README) with two users for one round: every route answered,
    a ratio to its floor per route. No timing is asserted: a benchmark reports, a test does not time."""
    import json

    proc = subprocess.run([sys.executable, str(root / "bench" / "web_bench.py"), "--users", "2", "--rounds", "1",
                           "--json"], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    report = json.loads(proc.stdout)
    assert list(report["routes"]) == ["start", "team", "vragenlijst", "api team", "api regio", "api opslaan"]
    for route, r in report["routes"].items():
        assert r["statuses"] == {"200": 2}, (route, r)
        assert r["floor"] in ("check_file", "load_sweep") and r["ratio_median"] > 0 and r["p95_ms"] >= r["median_ms"]
    assert report["requests"] == 12 and report["failures"] == []
