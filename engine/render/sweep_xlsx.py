"""XLSX renderers for `kader sweep` and `kader trend` (openpyxl): a workbook a civil servant opens in
Excel or LibreOffice. Returns bytes (see BINARY_FORMATS in engine.render)."""

from __future__ import annotations

import io

from ..model import Status
from ..plan import build_plan
from ..sweep import CHANGE_LABEL, Sweep, Trend
from . import STATUS_LABEL, Options, renderer, status_text
from .sweep import COUNT_ORDER, SWEEP_CSV, cell, rows_by_theme, team_label

# Light fills that keep black text readable (printed and on screen); the symbol carries the meaning too.
STATUS_FILL = {
    Status.VOLDOET: "C6EFCE",
    Status.DEELS: "FFEB9C",
    Status.VOLDOET_NIET: "FFC7CE",
    Status.ONBEKEND: "E4D7F5",
    Status.NVT: "EDEDED",
}
HEADER_FILL = "DDEBF7"
MAX_WIDTH = 60
ACTION_STATUS = {"gepland": "gepland", "behaald": "behaald", "deels_behaald": "deels behaald",
                 "niet_behaald": "niet behaald"}


def _openpyxl():
    try:
        import openpyxl
    except ImportError:  # pragma: no cover - openpyxl is a dependency
        from ..errors import KaderFout
        raise KaderFout.single("XLSX-uitvoer vraagt het pakket openpyxl, en dat is niet geïnstalleerd",
                               field="--format", hint="Installeer het met: pip install 'openpyxl>=3.1'.") from None
    return openpyxl


def _fill(color: str):
    from openpyxl.styles import PatternFill
    return PatternFill(fill_type="solid", start_color=color, end_color=color)


def _table_sheet(wb, title: str, header: list[str], rows, fills=None):
    """A sheet with a bold, frozen header row, an autofilter over the data and fitted column widths.
    `fills`: optional {column index: function(value) -> colour or None}."""
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(title)
    ws.append(header)
    for c in ws[1]:
        c.font = Font(bold=True)
        c.fill = _fill(HEADER_FILL)
    widths = [len(h) for h in header]
    for row in rows:
        ws.append(list(row))
        for i, v in enumerate(row):
            widths[i] = max(widths[i], max((len(part) for part in str(v if v is not None else "").split("\n")),
                                           default=0))
            if fills and i in fills and (color := fills[i](v)):
                ws.cell(row=ws.max_row, column=i + 1).fill = _fill(color)
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(header))}{max(ws.max_row, 1)}"
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = min(MAX_WIDTH, w + 2)
    return ws


def _status_fill_by_word(value):
    for s, label in STATUS_LABEL.items():
        if value in (label, status_text(s), s.value):
            return STATUS_FILL[s]
    return None


def _save(wb) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _invalid_sheet(wb, invalid) -> None:
    if not invalid:
        return
    rows = []
    for item in invalid:
        for p in item.problems:
            rows.append([item.file, p.line, p.column, p.field, p.message, p.hint, p.render()])
    _table_sheet(wb, "Ongeldige bestanden", ["bestand", "regel", "kolom", "veld", "melding", "oplossing",
                                             "volledige melding"], rows)


def _matrix_sheet(wb, sweep: Sweep) -> None:
    """Requirements (rows, grouped by theme) × teams (columns, grouped by gemeente/organisatie)."""
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet("Matrix")
    evs = list(sweep.evaluations)
    # row 1: gemeente (organisatie); row 2: team id; data from row 3
    ws.cell(row=1, column=1, value="Thema")
    ws.cell(row=1, column=2, value="Eis")
    ws.cell(row=1, column=3, value="Titel")
    ws.cell(row=2, column=1, value="")
    ws.cell(row=2, column=2, value="")
    ws.cell(row=2, column=3, value="team / peildatum")
    for j, ev in enumerate(evs, start=4):
        ws.cell(row=1, column=j, value=team_label(ev))
        ws.cell(row=2, column=j, value=f"{ev.assessment.team.id}\n{ev.assessment.reference_date.isoformat()}")
        ws.column_dimensions[get_column_letter(j)].width = max(14, min(30, len(team_label(ev)) + 2))
    for r in (1, 2):
        for c in ws[r]:
            c.font = Font(bold=True)
            c.fill = _fill(HEADER_FILL)
            c.alignment = Alignment(wrap_text=True, vertical="top", horizontal="center" if c.column > 3 else "left")
    row = 3
    theme_width = title_width = 8
    for req in rows_by_theme(sweep):
        ws.cell(row=row, column=1, value=req.theme)
        ws.cell(row=row, column=2, value=req.rule_id)
        ws.cell(row=row, column=3, value=req.title)
        theme_width, title_width = max(theme_width, len(req.theme)), max(title_width, len(req.title))
        for j, ev in enumerate(evs, start=4):
            st = cell(ev, req.rule_id)
            c = ws.cell(row=row, column=j, value=status_text(st) if st else "· niet in Kaderversie")
            c.alignment = Alignment(horizontal="center")
            if st:
                c.fill = _fill(STATUS_FILL[st])
        row += 1
    last = row - 1
    ws.freeze_panes = "D3"
    ws.auto_filter.ref = f"A2:{get_column_letter(max(3, len(evs) + 3))}{max(last, 2)}"
    ws.column_dimensions["A"].width = min(MAX_WIDTH, theme_width + 2)
    ws.column_dimensions["B"].width = 12
    ws.column_dimensions["C"].width = min(MAX_WIDTH, title_width + 2)
    # legend below the matrix
    row = last + 2
    ws.cell(row=row, column=1, value="Legenda").font = Font(bold=True)
    for s in COUNT_ORDER:
        row += 1
        c = ws.cell(row=row, column=1, value=status_text(s))
        c.fill = _fill(STATUS_FILL[s])
    ws.cell(row=row + 1, column=1, value="· niet in de Kaderversie van dit team")


def _findings_rows(sweep: Sweep):
    for ev in sweep.evaluations:
        a = ev.assessment
        for f in ev.findings:
            yield [a.team.municipality, a.team.organisation, a.team.id, a.reference_date, ev.kader.version,
                   f.rule_id, f.title, f.theme, f.responsible, status_text(f.status), f.reason]


def _action_rows(evaluations):
    for ev in evaluations:
        plan = build_plan(ev)
        for item in plan.items + plan.regional:
            status = ACTION_STATUS.get(item.status, item.status)
            if item.origin == "voorstel":
                status = "voorstel (nog niet afgesproken)"
            elif item.to_confirm:
                status += " (eis voldoet nu: bevestigen)"
            yield [ev.assessment.team.id, item.requirement, item.description, item.owner, item.deadline,
                   item.original_deadline, status, "ja" if item.regional else "nee"]


ACTION_HEADER = ["team", "eis", "omschrijving", "eigenaar", "deadline", "oorspronkelijke deadline", "status",
                 "regionale afhankelijkheid"]


def _date_formats(ws, columns) -> None:
    for col in columns:
        for c in ws[col][1:]:
            c.number_format = "yyyy-mm-dd"


@renderer("sweep", "xlsx")
def sweep_xlsx(sweep: Sweep, options: Options) -> bytes:
    openpyxl = _openpyxl()
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    _matrix_sheet(wb, sweep)
    ws = _table_sheet(wb, "Bevindingen", list(SWEEP_CSV), _findings_rows(sweep), fills={9: _status_fill_by_word})
    _date_formats(ws, ["D"])
    ws = _table_sheet(wb, "Acties", ACTION_HEADER, _action_rows(sweep.evaluations))
    _date_formats(ws, ["E", "F"])
    reqs = sweep.requirements()
    _table_sheet(wb, "Per eis", ["eis", "titel", "thema", "verantwoordelijk", "regionale afhankelijkheid"]
                 + [STATUS_LABEL[s] for s in COUNT_ORDER],
                 ([r.rule_id, r.title, r.theme, r.responsible, "ja" if r.responsible == "regio" else "nee"]
                  + [r.counts[s.value] for s in COUNT_ORDER] for r in reqs))
    _invalid_sheet(wb, sweep.invalid)
    wb.active = 0
    return _save(wb)


@renderer("trend", "xlsx")
def trend_xlsx(trend: Trend, options: Options) -> bytes:
    openpyxl = _openpyxl()
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    ws = _table_sheet(wb, "Regio", ["peildatum"] + [STATUS_LABEL[s] for s in COUNT_ORDER],
                      ([day] + [counts[s.value] for s in COUNT_ORDER] for day, counts in trend.region_counts()))
    _date_formats(ws, ["A"])

    def verloop():
        for team in trend.teams:
            t = team.evaluations[-1].assessment.team
            for rid in team.rule_ids():
                for day, s, c in zip(team.dates, team.statuses(rid), team.changes(rid)):
                    yield [t.municipality, t.organisation, t.id, rid, day, status_text(s) if s else "", CHANGE_LABEL[c]]

    ws = _table_sheet(wb, "Verloop", ["gemeente", "organisatie", "team", "eis", "peildatum", "status", "verandering"],
                      verloop(), fills={5: _status_fill_by_word})
    _date_formats(ws, ["E"])

    def progress():
        for team in trend.teams:
            for p in team.plan_progress():
                yield [team.team_id, p["peildatum"], p["acties"], p["behaald"], p["verlopen"], p["verplaatst"]]

    ws = _table_sheet(wb, "Transformatieplan", ["team", "peildatum", "acties", "behaald", "verlopen", "verplaatst"],
                      progress())
    _date_formats(ws, ["B"])
    _invalid_sheet(wb, trend.invalid)
    wb.active = 0
    return _save(wb)

