"""XLSX renderers for `kader sweep` and `kader trend` (openpyxl): a workbook a civil servant opens in
Excel or LibreOffice. Returns bytes (see BINARY_FORMATS in engine.render)."""

from __future__ import annotations

import io
from functools import lru_cache

from kadertoets.evaluate.conditions import missing_subject
from kadertoets.model import RESPONSIBLE_NAME, Status
from kadertoets.evaluate.plan import build_plan
from kadertoets.sweep.sweep import Sweep
from kadertoets.sweep.trend import CHANGE_LABEL, Trend
from kadertoets.infra.dates import dutch_date
from kadertoets.render import (STATUS_LABEL, WAITING_LABEL, WAITING_LEGEND, WAITING_SYMBOL, Options, renderer, starts_formula, status_text, xlsx_keep_text as _as_text,
                               xlsx_put as _put, xlsx_value as _value)
from kadertoets.render.sweep import (COUNT_ORDER, SWEEP_CSV, rows_by_theme, sweep_about, sweep_labels, trend_about,
                                     trend_labels)

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
        from kadertoets.infra.errors import KaderFout
        raise KaderFout.single("XLSX-uitvoer vraagt het pakket openpyxl, en dat is niet geïnstalleerd",
                               field="--formaat", hint="Installeer het met: pip install 'openpyxl>=3.1'.") from None
    return openpyxl


@lru_cache(maxsize=None)
def _fill(color: str):
    from openpyxl.styles import PatternFill
    return PatternFill(fill_type="solid", start_color=color, end_color=color)


def _text_width(value) -> int:
    return max((len(part) for part in str(value if value is not None else "").split("\n")), default=0)


def _table_sheet(wb, title: str, header: list[str], rows, fills=None, dates=()):
    """A sheet with a bold, frozen header row, an autofilter over the data and fitted column widths.
    `fills`: optional {column index: function(value) -> colour or None}; `dates`: the column indexes
    shown as yyyy-mm-dd. Linear in the number of rows: the row number is counted here, never asked
    of the sheet (ws.max_row walks every cell)."""
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(title)
    ws.append(header)
    for c in ws[1]:
        c.font = Font(bold=True)
        c.fill = _fill(HEADER_FILL)
    widths = [len(h) for h in header]
    fills = fills or {}
    row_number = 1
    for row in rows:
        values = [_value(v) for v in row]
        ws.append(values)
        row_number += 1
        for i, v in enumerate(values):
            widths[i] = max(widths[i], _text_width(v))
            if isinstance(v, str) and starts_formula(v) or i in fills or i in dates:
                c = ws.cell(row=row_number, column=i + 1)
                _as_text(c)
                if i in dates:
                    c.number_format = "yyyy-mm-dd"
                if i in fills and (color := fills[i](v)):
                    c.fill = _fill(color)
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(header))}{row_number}"
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


def _about_sheet(wb, rows) -> None:
    """What the workbook covers and when it was made (Kaderversie, Peildata, Gemaakt op)."""
    _table_sheet(wb, "Over dit bestand", ["onderdeel", "waarde"], ([k, v] for k, v in rows))


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
    labels = sweep_labels(sweep)
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet("Matrix")
    evs = list(sweep.evaluations)
    # row 1: the team's label (its name); row 2: team id and peildatum; data from row 3
    _put(ws, 1, 1, "Thema")
    _put(ws, 1, 2, "Eis")
    _put(ws, 1, 3, "Titel")
    _put(ws, 2, 1, "")
    _put(ws, 2, 2, "")
    _put(ws, 2, 3, "team / peildatum")
    for j, ev in enumerate(evs, start=4):
        _put(ws, 1, j, labels[ev.assessment.team.id])
        _put(ws, 2, j, f"{ev.assessment.team.id}\n{dutch_date(ev.assessment.reference_date)}")
        ws.column_dimensions[get_column_letter(j)].width = max(14, min(30, len(labels[ev.assessment.team.id]) + 2))
    for header_row in ws.iter_rows(min_row=1, max_row=2, max_col=len(evs) + 3):
        for c in header_row:
            c.font = Font(bold=True)
            c.fill = _fill(HEADER_FILL)
            c.alignment = Alignment(wrap_text=True, vertical="top", horizontal="center" if c.column > 3 else "left")
    row = 3
    theme_width = title_width = 8
    center = Alignment(horizontal="center")
    # per team {rule id: status} as sweep.cell() finds it (the first finding), without its scan per lookup
    statuses = [{f.rule_id: f.status for f in reversed(ev.findings)} for ev in evs]
    waiting = [{f.rule_id for f in ev.findings if f.waits_on} for ev in evs]
    for req in rows_by_theme(sweep):
        _put(ws, row, 1, req.theme)
        _put(ws, row, 2, req.rule_id)
        _put(ws, row, 3, req.title)
        theme_width, title_width = max(theme_width, len(req.theme)), max(title_width, len(req.title))
        for j, by_rule in enumerate(statuses, start=4):
            st = by_rule.get(req.rule_id)
            text = status_text(st) if st else "· niet in Kaderversie"
            if st and req.rule_id in waiting[j - 4]:
                text = f"{WAITING_SYMBOL} {STATUS_LABEL[st]}, {WAITING_LABEL}"
            c = ws.cell(row=row, column=j, value=text)
            c.alignment = center
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
    ws.cell(row=row + 1, column=1, value=WAITING_LEGEND)
    ws.cell(row=row + 2, column=1, value="· niet in de Kaderversie van dit team")


def _findings_rows(sweep: Sweep):
    for ev in sweep.evaluations:
        a = ev.assessment
        for f in ev.findings:
            e = f.exception
            yield [a.team.municipality, a.team.organisation, a.team.id, a.reference_date, ev.kader.version,
                   f.rule_id, f.title, f.theme, RESPONSIBLE_NAME.get(f.responsible, f.responsible), status_text(f.status),
                   f.reason, WAITING_LABEL if f.waits_on else None,
                   None if e is None else ("geldig" if e.valid else "verlopen"),
                   None if e is None else e.valid_until,
                   "; ".join(missing_subject(p, ev.kader.all_questions()) for p in f.stale_evidence) or None]


TEAM_HEADER = ["gemeente", "organisatie", "team", "naam", "peildatum", "kader", *[STATUS_LABEL[s] for s in COUNT_ORDER],
               "compleet", "tekorten met geldige afwijking", "tekorten met verlopen afwijking",
               "feiten met verouderd bewijs"]


def _team_rows(sweep: Sweep):
    for t in sweep.teams():
        ev = t.evaluation
        team = ev.assessment.team
        yield [team.municipality, team.organisation, team.id, team.name, ev.assessment.reference_date, ev.kader.version,
               *[t.counts[s.value] for s in COUNT_ORDER], f"{t.completeness:.0%}", t.excused, t.expired_exceptions,
               t.stale_evidence]


def _action_rows(evaluations):
    for ev in evaluations:
        plan = build_plan(ev)
        for item in plan.items + plan.regional:
            status = ACTION_STATUS.get(item.status, item.status)
            if item.origin == "voorstel":
                status = "voorstel (nog niet afgesproken)"
            elif item.to_confirm:
                status += " (eis voldoet nu: bevestigen)"
            yield [ev.assessment.team.id, item.requirement, item.description, ev.kader.roles.get(item.owner, item.owner),
                   item.deadline,
                   item.original_deadline, status, "ja" if item.regional else "nee"]


ACTION_HEADER = ["team", "eis", "omschrijving", "eigenaar", "deadline", "oorspronkelijke deadline", "status",
                 "regionale afhankelijkheid"]


@renderer("sweep", "xlsx")
def sweep_xlsx(sweep: Sweep, options: Options) -> bytes:
    openpyxl = _openpyxl()
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    _matrix_sheet(wb, sweep)
    _table_sheet(wb, "Bevindingen", [c.replace("_", " ") for c in SWEEP_CSV], _findings_rows(sweep), fills={9: _status_fill_by_word},
                 dates={3, 12})
    _table_sheet(wb, "Acties", ACTION_HEADER, _action_rows(sweep.evaluations), dates={4, 5})
    reqs = sweep.requirements()
    _table_sheet(wb, "Per eis", ["eis", "titel", "thema", "verantwoordelijk", "regionale afhankelijkheid"]
                 + [STATUS_LABEL[s] for s in COUNT_ORDER],
                 ([r.rule_id, r.title, r.theme, RESPONSIBLE_NAME.get(r.responsible, r.responsible),
                   "ja" if r.responsible == "regio" else "nee"]
                  + [r.counts[s.value] for s in COUNT_ORDER] for r in reqs))
    _table_sheet(wb, "Per team", TEAM_HEADER, _team_rows(sweep), dates={4})
    _about_sheet(wb, sweep_about(sweep, options))
    _invalid_sheet(wb, sweep.invalid)
    wb.active = 0
    return _save(wb)


REGION_TEAM_HEADER = ["peildatum", "team", "naam", "telt mee", "assessment van", "Kader",
                      *[STATUS_LABEL[s] for s in COUNT_ORDER]]


def _region_team_rows(trend: Trend):
    """Per peildatum of the region and team: whether and with which assessment the team counts there
    (its own, or an earlier one carried forward), and its counts; the counts add up to sheet Regio."""
    labels = trend_labels(trend)
    counts: dict[int, dict] = {}  # per evaluation (by id), counted once
    for r in trend.region():
        for team in trend.teams:
            ev = team.at(r.day)
            if ev is None:
                yield [r.day, team.team_id, labels[team.team_id], "nee, nog zonder assessment", None, None,
                       *[None] * len(COUNT_ORDER)]
                continue
            own = ev.assessment.reference_date
            c = counts.get(id(ev))
            if c is None:
                c = counts[id(ev)] = ev.counts()
            yield [r.day, team.team_id, labels[team.team_id], "ja" if own == r.day else "ja, overgenomen", own,
                   ev.kader.version, *[c[s.value] for s in COUNT_ORDER]]


@renderer("trend", "xlsx")
def trend_xlsx(trend: Trend, options: Options) -> bytes:
    openpyxl = _openpyxl()
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    _table_sheet(wb, "Regio", ["peildatum"] + [STATUS_LABEL[s] for s in COUNT_ORDER]
                 + ["teams meegeteld", "waarvan overgenomen", "nog zonder assessment", "Kaderversies"],
                 ([r.day] + [r.counts[s.value] for s in COUNT_ORDER] + [r.teams, r.carried, r.not_yet,
                                                                         ", ".join(r.versions)]
                  for r in trend.region()), dates={0})
    _table_sheet(wb, "Regio per team", REGION_TEAM_HEADER, _region_team_rows(trend), dates={0, 4})

    def verloop():
        for team in trend.teams:
            t = team.evaluations[-1].assessment.team
            for rid in team.rule_ids():
                for day, s, c in zip(team.dates, team.statuses(rid), team.changes(rid)):
                    yield [t.municipality, t.organisation, t.id, rid, day, status_text(s) if s else "", CHANGE_LABEL[c]]

    _table_sheet(wb, "Verloop", ["gemeente", "organisatie", "team", "eis", "peildatum", "status", "verandering"],
                 verloop(), fills={5: _status_fill_by_word}, dates={4})

    def progress():
        for team in trend.teams:
            for p in team.plan_progress():
                yield [team.team_id, p["peildatum"], p["acties"], p["behaald"], p["verlopen"], p["verplaatst"]]

    _table_sheet(wb, "Transformatieplan", ["team", "peildatum", "acties", "behaald", "verlopen", "verplaatst"],
                 progress(), dates={1})
    _about_sheet(wb, trend_about(trend, options))
    _invalid_sheet(wb, trend.invalid)
    wb.active = 0
    return _save(wb)

