"""The XLSX and HTML exports of `kader sweep` and `kader trend`: read back with openpyxl and
html.parser, escaping of hostile input, and a real headless browser (chromium) when one is installed."""

from __future__ import annotations

import io
import shutil
import struct
import subprocess
import tempfile
import time
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import FIXTURES, ROOT
from kadertoets.model import Status
from kadertoets.infra.output import write_atomic
from kadertoets.render import Options, formats, is_binary, render
from kadertoets.render.sweep_html import STATUS_BG
from kadertoets.render.sweep_xlsx import STATUS_FILL
from kadertoets.sweep.sweep import load_sweep
from kadertoets.sweep.trend import build_trend

openpyxl = pytest.importorskip("openpyxl")

EVIL = "<script>alert('x')</script>"
FORMULA = '=HYPERLINK("http://x","klik")'  # a spreadsheet would run this if it became a formula
N_TEAMS, N_RULES = 7, 29


@pytest.fixture(scope="module")
def sweep():
    return load_sweep([ROOT / "assessments"], ROOT)


@pytest.fixture(scope="module")
def trend():
    return build_trend(load_sweep([FIXTURES / "trend"], ROOT))


@pytest.fixture(scope="module")
def evil_sweep(tmp_path_factory):
    """A region with a team whose name, gemeente and organisatie contain markup (the organisatie
    starting as a spreadsheet formula), and a broken file whose name contains markup too."""
    folder = tmp_path_factory.mktemp("evil")
    text = (ROOT / "assessments" / "baarn-2023-03.yaml").read_text(encoding="utf-8")
    text = text.replace('naam: "BBS Lokaal team Baarn"', f'naam: "{EVIL}"', 1)
    text = text.replace("gemeente: Baarn", 'gemeente: "Baarn <b>&amp;</b>"', 1)
    text = text.replace("organisatie: BBS", f"organisatie: '{FORMULA}<img src=x onerror=alert(1)>'", 1)
    (folder / "baarn.yaml").write_text(text, encoding="utf-8")
    shutil.copy(ROOT / "assessments" / "soest-2023-03.yaml", folder / "soest.yaml")
    (folder / "kapot-<i>.yaml").write_text("kader: [\n", encoding="utf-8")
    return load_sweep([folder], ROOT)


def workbook(data: bytes):
    assert isinstance(data, bytes) and data[:2] == b"PK"  # a zip container
    return openpyxl.load_workbook(io.BytesIO(data))


def header(ws, row=1):
    return [c.value for c in ws[row]]


# ------------------------------------------------------------------ registry / bytes ---------
def test_formats_registered():
    for cmd in ("sweep", "trend"):
        assert {"xlsx", "html"} <= set(formats(cmd))
    assert is_binary("xlsx") and not is_binary("html") and not is_binary("csv")


def test_write_atomic_accepts_bytes(tmp_path, sweep):
    data = render("sweep", "xlsx", sweep, Options())
    target = tmp_path / "regio.xlsx"
    write_atomic(target, data, force=False, bom=True)  # bom is for text only; bytes are written as they are
    assert target.read_bytes() == data
    write_atomic(tmp_path / "t.txt", "é", force=False, bom=True)
    assert (tmp_path / "t.txt").read_bytes() == "é".encode("utf-8-sig")


# ------------------------------------------------------------------ xlsx ----------------------
def test_sweep_xlsx_sheets_and_findings(sweep):
    wb = workbook(render("sweep", "xlsx", sweep, Options()))
    assert wb.sheetnames == ["Matrix", "Bevindingen", "Acties", "Per eis", "Per team", "Over dit bestand"]  # no invalid files
    ws = wb["Bevindingen"]
    assert header(ws) == ["gemeente", "organisatie", "team", "peildatum", "kader", "eis", "titel", "thema",
                          "verantwoordelijk", "status", "reden", "wacht op", "afwijking", "afwijking geldig tot", "verouderd bewijs"]
    assert ws.max_row == 1 + N_TEAMS * N_RULES
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == f"A1:O{1 + N_TEAMS * N_RULES}"
    assert ws.column_dimensions["K"].width > ws.column_dimensions["E"].width  # reasons get room
    # a known finding: its status as symbol + word, coloured by status, with the reason
    rows = {(r[2].value, r[5].value): r for r in ws.iter_rows(min_row=2)}
    known = rows[("amersfoort", "KLT-18-01")]  # waits on the region's uniform 18-/18+ working method
    assert known[0].value == "Amersfoort" and known[9].value == "✘ voldoet niet"
    assert known[11].value == "wacht op de regio"
    assert known[9].fill.start_color.rgb.endswith(STATUS_FILL[Status.VOLDOET_NIET])
    assert known[10].value.startswith("Voldoet niet: de regio heeft nog geen uniforme werkwijze 18-/18+")
    assert {r[3].value.date().isoformat() for r in ws.iter_rows(min_row=2)} == {"2023-03-01"}


def test_sweep_xlsx_matrix(sweep):
    wb = workbook(render("sweep", "xlsx", sweep, Options()))
    ws = wb["Matrix"]
    assert ws.freeze_panes == "D3" and ws.auto_filter.ref
    teams = [c.value for c in ws[1]][3:]
    assert len(teams) == N_TEAMS and teams[0] == "Stichting Wijkteams Amersfoort (SWA), 9 wijkteams"
    values = [[c.value for c in row] for row in ws.iter_rows(min_row=3, max_row=2 + N_RULES)]
    assert len({v[1] for v in values}) == N_RULES
    assert [v[0] for v in values] == sorted(v[0] for v in values)  # grouped by theme
    # KLT-EB-01 in Baarn is deels (see the matrix in the README/markdown): symbol, word and fill
    row = next(r for r in ws.iter_rows(min_row=3) if r[1].value == "KLT-EB-01")
    baarn = row[3 + teams.index("BBS Lokaal team Baarn")]
    assert baarn.value == "◐ deels"
    assert baarn.fill.start_color.rgb.endswith(STATUS_FILL[Status.DEELS])
    legend = [c.value for c in ws["A"]]
    assert "Legenda" in legend and "✘ voldoet niet" in legend


def test_sweep_xlsx_actions_and_requirements(sweep):
    from kadertoets.evaluate.plan import build_plan

    wb = workbook(render("sweep", "xlsx", sweep, Options()))
    ws = wb["Acties"]
    assert header(ws)[:7] == ["team", "eis", "omschrijving", "eigenaar", "deadline", "oorspronkelijke deadline",
                              "status"]
    expected = sum(len(build_plan(ev).items) + len(build_plan(ev).regional) for ev in sweep.evaluations)
    assert ws.max_row == 1 + expected and ws.freeze_panes == "A2" and ws.auto_filter.ref
    proposals = sum(1 for ev in sweep.evaluations for i in build_plan(ev).items + build_plan(ev).regional
                    if i.origin == "voorstel")
    assert sum(1 for r in ws.iter_rows(min_row=2) if r[6].value.startswith("voorstel")) == proposals
    ws = wb["Per eis"]
    assert ws.max_row == 1 + N_RULES and ws.freeze_panes == "A2"
    assert header(ws)[4] == "regionale afhankelijkheid"
    regional = {r.rule_id for r in sweep.requirements() if r.responsible == "regio"}
    assert regional and {r[0].value for r in ws.iter_rows(min_row=2) if r[4].value == "ja"} == regional
    totals = [sum(r[i].value for r in ws.iter_rows(min_row=2)) for i in range(5, 10)]
    assert sum(totals) == N_TEAMS * N_RULES


def test_sweep_xlsx_invalid_sheet_and_hostile_text(evil_sweep):
    wb = workbook(render("sweep", "xlsx", evil_sweep, Options()))
    assert wb.sheetnames[-1] == "Ongeldige bestanden"
    ws = wb["Ongeldige bestanden"]
    assert ws.max_row >= 2 and "kapot-<i>.yaml" in ws["A2"].value
    # text stays text in a workbook: the name appears verbatim, never as a formula
    gemeenten = {r[0].value for r in wb["Bevindingen"].iter_rows(min_row=2)}
    assert "Baarn <b>&amp;</b>" in gemeenten
    organisaties = {r[1].value for r in wb["Bevindingen"].iter_rows(min_row=2)}
    assert f"{FORMULA}<img src=x onerror=alert(1)>" in organisaties
    formulas = [f"{ws.title}!{c.coordinate}" for ws in wb for row in ws.iter_rows() for c in row if c.data_type == "f"]
    assert formulas == []


def test_trend_xlsx(trend):
    wb = workbook(render("trend", "xlsx", trend, Options()))
    assert wb.sheetnames == ["Regio", "Regio per team", "Verloop", "Transformatieplan", "Over dit bestand"]
    ws = wb["Regio"]
    assert header(ws) == ["peildatum", "voldoet", "deels", "voldoet niet", "onbekend", "n.v.t.", "teams meegeteld",
                          "waarvan overgenomen", "nog zonder assessment", "Kaderversies"]
    assert ws.max_row == 1 + len(trend.region_counts()) == 3
    ws = wb["Verloop"]
    assert header(ws) == ["gemeente", "organisatie", "team", "eis", "peildatum", "status", "verandering"]
    team = trend.teams[0]
    assert ws.max_row == 1 + len(team.rule_ids()) * len(team.dates)
    changes = {(r[3].value, r[4].value.date().isoformat()): r[6].value for r in ws.iter_rows(min_row=2)}
    assert changes[("KLT-EB-01", "2023-09-01")] == "verslechterd"
    assert changes[("KLT-EB-02", "2023-09-01")] == "verbeterd"
    ws = wb["Transformatieplan"]
    assert header(ws) == ["team", "peildatum", "acties", "behaald", "verlopen", "verplaatst"]
    assert ws.max_row == 3
    for name in wb.sheetnames:
        assert wb[name].freeze_panes == "A2" and wb[name].auto_filter.ref


# ------------------------------------------------------------------ html ----------------------
class Collector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        (self.scripts if self._in_script else self.text).append(data)

    def ids(self):
        return {a["id"] for _, a in self.tags if "id" in a}

    def find(self, tag, **attrs):
        return [a for t, a in self.tags if t == tag and all(a.get(k) == v for k, v in attrs.items())]


def parse(text: str) -> Collector:
    assert isinstance(text, str)
    p = Collector()
    p.feed(text)
    p.close()
    return p


def assert_self_contained(p: Collector):
    for tag, attrs in p.tags:
        assert not (tag == "script" and attrs.get("src")), "no external scripts"
        assert tag not in ("link", "img", "iframe", "object", "embed"), f"no external resources ({tag})"
        for key in ("src", "href"):
            value = attrs.get(key) or ""
            assert not value or value.startswith("#"), f"only in-page links ({key}={value})"


def test_sweep_html_structure(sweep):
    text = render("sweep", "html", sweep, Options())
    assert text.startswith("<!DOCTYPE html>") and "@import" not in text and "url(" not in text
    p = parse(text)
    assert_self_contained(p)
    assert p.find("html")[0]["lang"] == "nl"
    heatmap = p.find("table", **{"class": "heatmap"})
    assert len(heatmap) == 1
    cells = [a for t, a in p.tags if t == "td" and (a.get("class") or "").startswith("st ")]
    assert len(cells) == N_TEAMS * N_RULES
    assert {c["class"].split()[1] for c in cells} <= {f"st-{s.value}" for s in Status}
    # each team: a header link in the matrix and a detail section with its findings (with reasons)
    sections = [a["id"] for a in p.find("section") if a.get("class") == "team-detail"]
    assert len(sections) == N_TEAMS and len(set(sections)) == N_TEAMS
    hrefs = {a["href"] for a in p.find("a")}
    for anchor in sections:
        assert f"#{anchor}" in hrefs
    findings = [a for t, a in p.tags if t == "tr" and "finding" in (a.get("class") or "")]
    assert len(findings) == N_TEAMS * N_RULES
    # every cell link lands on a finding row
    assert {h[1:] for h in hrefs if "--" in h} == {f["id"] for f in findings}
    assert {"matrix", "per-eis", "regionaal", "per-team"} <= p.ids()
    body = "".join(p.text)
    assert "Onbekend: nog niet ingevuld" in body  # reasons are there
    assert "ongeldig" not in p.ids()  # nothing invalid here
    assert STATUS_BG[Status.DEELS] in text  # heatmap colours inline


def test_sweep_html_escapes_and_shows_invalid_first(evil_sweep):
    text = render("sweep", "html", evil_sweep, Options())
    assert EVIL not in text and "<img" not in text and "<b>" not in text and "<i>" not in text
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in text
    p = parse(text)
    assert_self_contained(p)
    assert [t for t, _ in p.tags].count("script") == 1  # only our own small script
    body = "".join(p.text)
    assert EVIL in body and "Baarn <b>&amp;</b>" in body and "kapot-<i>.yaml" in body
    # the invalid files come before the matrix
    order = [a.get("id") for t, a in p.tags if a.get("id") in ("ongeldig", "matrix")]
    assert order == ["ongeldig", "matrix"]
    assert "1 ONGELDIG BESTAND" in body


def test_trend_html_structure(trend):
    text = render("trend", "html", trend, Options())
    p = parse(text)
    assert_self_contained(p)
    svg = p.find("svg")
    assert len(svg) == 1 and svg[0]["id"] == "trend-chart" and svg[0]["role"] == "img"
    lines = p.find("polyline")
    assert len(lines) == len(Status)  # one line per status over the two peildata
    assert all(len(a["points"].split()) == 2 for a in lines)
    assert "1 maart 2023" in "".join(p.text) and "verslechterd" in "".join(p.text)
    assert f"team-{trend.teams[0].team_id}" in p.ids()


# ------------------------------------------------------------------ real browser -------------
def browser() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


needs_browser = pytest.mark.skipif(browser() is None, reason="geen headless browser (chromium) gevonden; installeer "
                                   "chromium om de HTML-uitvoer in een echte browser te testen")


def run_browser(url: str, *extra: str) -> subprocess.CompletedProcess:
    with tempfile.TemporaryDirectory(prefix="kadertoets-chromium-") as profile:
        return subprocess.run([browser(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                               "--no-first-run", "--disable-background-networking", "--disable-component-update",
                               "--disable-sync", f"--user-data-dir={profile}", *extra, url],
                              capture_output=True, text=True, timeout=60)


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def browser_check(html_text: str, tmp_path: Path) -> tuple[str, bytes]:
    page = tmp_path / "rapport.html"
    page.write_text(html_text, encoding="utf-8")
    shot = tmp_path / "rapport.png"
    run_browser(page.as_uri(), f"--screenshot={shot}", "--window-size=1400,1000")
    assert shot.exists(), "chromium maakte geen schermafdruk"
    data = shot.read_bytes()
    assert png_size(data) == (1400, 1000)
    assert len(data) > 20_000  # not a blank page
    dom = run_browser(page.as_uri(), "--dump-dom")
    assert "<html" in dom.stdout[:200] and "</html>" in dom.stdout, dom.stderr[-2000:]
    return dom.stdout, data


@needs_browser
def test_browser_renders_sweep_html(evil_sweep, sweep, tmp_path):
    start = time.monotonic()
    dom, _ = browser_check(render("sweep", "html", sweep, Options()), tmp_path)
    assert 'class="heatmap"' in dom and 'id="matrix"' in dom
    for ev in sweep.evaluations:
        assert f'id="team-{ev.assessment.team.id}"' in dom and f'href="#team-{ev.assessment.team.id}"' in dom
    # hostile input stays text in the browser's DOM, too
    dom, _ = browser_check(render("sweep", "html", evil_sweep, Options()), tmp_path)
    assert "&lt;script&gt;alert('x')&lt;/script&gt;" in dom and "<script>alert" not in dom
    assert "<img" not in dom and 'id="ongeldig"' in dom
    assert time.monotonic() - start < 30


@needs_browser
def test_browser_renders_trend_html(trend, tmp_path):
    dom, _ = browser_check(render("trend", "html", trend, Options()), tmp_path)
    assert "<svg" in dom and 'id="trend-chart"' in dom and "<polyline" in dom
    assert f'id="team-{trend.teams[0].team_id}"' in dom
