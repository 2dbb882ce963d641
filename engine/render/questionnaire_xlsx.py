"""The questionnaire workbook of a team (`kader vragenlijst`): every question of the assessment's Kader
version with the current answers, the team, the transformatieplan and an explanation, for a civil
servant to fill in in Excel or LibreOffice and read back with `kader inlezen` (load/workbook.py, which
declares the layout).

Only the answer cells are editable (the sheets are protected, without a password: against mistakes, not
against intent); each answer cell has a dropdown or a number or date check from its question. Every value
from a file goes through the one formula guard of the XLSX renderers (render.xlsx_put): a text starting
with =, +, -, @ stays text.
"""

from __future__ import annotations

import datetime as dt
import io

from kadertoets.evaluate.answerforms import type_phrase
from kadertoets.evaluate.questiontypes import is_percentage
from kadertoets.infra.located import MAX_NUMBER, fmt_number
from kadertoets.load import workbook as layout
from kadertoets.load.workbook import answer_kind
from kadertoets.model import ACTION_STATUS_LABEL, ACTION_STATUSES, Assessment, Kader, Question
from kadertoets.render import xlsx_put

HEADER_FILL = "DDEBF7"
EDITABLE_FILL = "FFF9DB"  # light yellow: here you type
MAX_WIDTH = 60
YES_NO = ("ja", "nee")
EXCEL_FIRST_DAY = dt.date(1900, 3, 1)  # Excel's dates before this are not those of the calendar
_PROMPT = 250  # characters of an input message (Excel's limit is 255)

EXPLANATION = [
    ("Vragenlijst lokaal team", "title"),
    ("Deze werkmap hoort bij het assessment van één lokaal team. U vult de antwoorden in op het werkblad "
     "'Vragen'. Daarna leest kadertoets de werkmap weer in.", ""),
    ("Wat vult u in?", "heading"),
    ("Werkblad 'Vragen': per vraag één regel. U vult alleen de gele kolommen in: Antwoord, Bewijs "
     "(waar het antwoord te controleren is, bijvoorbeeld een document of rapport), Datum bewijs (de datum van "
     "dat bewijs; bewijs dat ouder is dan het Kader toestaat, wordt als verouderd gemeld), Document bewijs (de "
     "naam of het kenmerk van het document), Toelichting (uitleg bij het antwoord, of waarom het nog niet "
     "bekend is) en Herbevestigen. De andere kolommen zijn beveiligd.", ""),
    ("Werkblad 'Team': de gegevens van het team, de peildatum en de Kaderversie staan vast. U kunt invullen "
     "wie de vragenlijst heeft ingevuld, met welke rol, wanneer, en waar de antwoorden vandaan komen.", ""),
    ("Werkblad 'Plan': de eigen acties van het team (het transformatieplan). U kunt per actie de status "
     "kiezen (gepland, behaald, deels behaald of niet behaald), aangeven of er extra middelen nodig zijn "
     "(ja of nee) en een toelichting geven. Eis, omschrijving, eigenaar en deadline staan vast.", ""),
    ("Werkblad 'Verplaatst': de geschiedenis van verplaatste deadlines van de acties. Die staat vast: "
     "een verplaatsing wordt nooit overschreven.", ""),
    ("Hoe schrijft u een antwoord?", "heading"),
    ("Ja of nee: kies ja of nee uit de lijst (of typ ja of nee).", "bullet"),
    ("Keuze: kies een waarde uit de lijst in de cel.", "bullet"),
    ("Meer dan één keuze: typ de waarden achter elkaar, gescheiden door een puntkomma (;), bijvoorbeeld "
     "'jeugd; wmo'. Welke waarden mogen, staat in de kolom Hulp.", "bullet"),
    ("Geen van de waarden: typ (geen). Een lege cel betekent iets anders: onbekend.", "bullet"),
    ("Getallen: typ het getal, met een komma voor decimalen, bijvoorbeeld 16,5. Gebruik geen punt voor "
     "duizendtallen: schrijf 1000, niet 1.000.", "bullet"),
    ("Percentages: bij een vraag in procent typt u het getal (85) of 85%.", "bullet"),
    ("Datums: typ de datum als dd-mm-jjjj, bijvoorbeeld 15-06-2023.", "bullet"),
    ("Tekst: typ de tekst. Een tekst die met =, + of - begint, blijft tekst; formules worden niet gelezen.",
     "bullet"),
    ("Leeg laten", "heading"),
    ("Een leeg antwoord betekent: onbekend. kadertoets raadt nooit: een eis die van dat antwoord afhangt, "
     "krijgt de status onbekend. Weet u het antwoord nog niet, laat het dan leeg en schrijf in de "
     "Toelichting waarom.", ""),
    ("Herbevestigen staat op 'ja' als de vraag in een nieuwe Kaderversie is veranderd: controleer het "
     "antwoord en maak de cel dan leeg.", ""),
    ("Weer inlezen", "heading"),
    ("Sla de werkmap op als Excel-werkmap (.xlsx). Laat de werkbladen, de kolommen en de volgorde zoals ze "
     "zijn. Lees de werkmap in met:", ""),
    ("kader inlezen team.xlsx -o assessment.yaml", "code"),
    ("kadertoets controleert elk antwoord zoals bij een assessment in YAML. Klopt er iets niet, dan noemt "
     "het de cel (bijvoorbeeld Vragen!F14), de vraag en wat er mis is, en wordt er niets geschreven. "
     "Verbeter de cellen en lees de werkmap opnieuw in.", ""),
]


def questionnaire_xlsx(assessment: Assessment, kader: Kader) -> bytes:
    """The workbook of `assessment`, with every question of `kader` (its version) as bytes."""
    import openpyxl
    from openpyxl.workbook.protection import WorkbookProtection

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    lists = _Lists(wb)
    _explanation_sheet(wb)
    _questions_sheet(wb, assessment, kader, lists)
    _team_sheet(wb, assessment, lists)
    _plan_sheet(wb, assessment, lists)
    _moved_sheet(wb, assessment)
    _base_sheet(wb, assessment, kader)
    lists.sheet.sheet_state = "hidden"
    _protect(lists.sheet)
    wb.active = 0
    wb.security = WorkbookProtection(lockStructure=True)  # no sheet renamed, moved or deleted by mistake
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _base_sheet(wb, assessment: Assessment, kader: Kader) -> None:
    """Hidden and locked: a digest of every fact and action as the workbook holds them now, so that
    `kader inlezen --bijwerken` writes only what was changed in the workbook, keeps what changed in
    the file since, and refuses where both changed (editors/workbookupdate.py)."""
    ws = wb.create_sheet(layout.BASE_SHEET)
    rows = [(f"feit:{path}", layout.fact_print(assessment.facts.get(path), as_shown=True)) for path in kader.questions]
    rows += [(f"actie:{n}", layout.action_print(a, as_shown=True)) for n, a in enumerate(assessment.plan)]
    for r, (key, digest) in enumerate(rows, start=1):
        ws.cell(row=r, column=1, value=key).data_type = "s"
        ws.cell(row=r, column=2, value=digest).data_type = "s"
    ws.sheet_state = "hidden"
    _protect(ws)


# ---------------------------------------------------------------- helpers
def _fill(color: str):
    from openpyxl.styles import PatternFill

    return PatternFill(fill_type="solid", start_color=color, end_color=color)


def _header(ws, columns: dict, hidden: tuple = ()) -> None:
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    for i, title in enumerate(columns.values(), start=1):
        c = xlsx_put(ws, 1, i, title)
        c.font = Font(bold=True)
        c.fill = _fill(HEADER_FILL)
    for key in hidden:
        ws.column_dimensions[get_column_letter(list(columns).index(key) + 1)].hidden = True
    ws.freeze_panes = "A2"


def _widths(ws, widths: dict[str, int], columns: dict) -> None:
    from openpyxl.utils import get_column_letter

    for key, width in widths.items():
        ws.column_dimensions[get_column_letter(list(columns).index(key) + 1)].width = min(MAX_WIDTH, width)


def _protect(ws) -> None:
    """Protect the sheet (no password): only unlocked cells can be edited; columns and rows may be resized."""
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    ws.protection.formatRows = False


def _editable(cell, wrap: bool = False) -> None:
    from openpyxl.styles import Alignment, Protection

    cell.protection = Protection(locked=False)
    cell.fill = _fill(EDITABLE_FILL)
    cell.alignment = Alignment(wrap_text=wrap, vertical="top")


def _wrapped(cell) -> None:
    from openpyxl.styles import Alignment

    cell.alignment = Alignment(wrap_text=True, vertical="top")


class _Lists:
    """The hidden sheet with the values of the dropdowns, one column per list; and the validations."""

    def __init__(self, wb):
        self.sheet = wb.create_sheet(layout.LISTS_SHEET)
        self.columns: dict[tuple, str] = {}
        self.validations: dict[tuple, object] = {}

    def range_of(self, values: tuple) -> str:
        from openpyxl.utils import get_column_letter

        if values not in self.columns:
            col = get_column_letter(len(self.columns) + 1)
            for i, v in enumerate(values, start=1):
                xlsx_put(self.sheet, i, len(self.columns) + 1, v)
            self.columns[values] = f"{layout.LISTS_SHEET}!${col}$1:${col}${len(values)}"
        return self.columns[values]

    def validate(self, ws, cell, key: tuple, make) -> None:
        """Add `cell` to the validation `key` of sheet `ws` (made by `make()` the first time)."""
        full = (ws.title,) + key
        if full not in self.validations:
            dv = make()
            ws.add_data_validation(dv)
            self.validations[full] = dv
        self.validations[full].add(cell)

    def dropdown(self, ws, cell, values: tuple, prompt: str = "") -> None:
        from openpyxl.worksheet.datavalidation import DataValidation

        def make():
            return DataValidation(type="list", formula1=self.range_of(values), allow_blank=True,
                                  showErrorMessage=True, errorStyle="stop", errorTitle="Ongeldige waarde",
                                  error="Kies een waarde uit de lijst.", showInputMessage=bool(prompt),
                                  prompt=prompt[:_PROMPT] or None)

        self.validate(ws, cell, ("list", values, prompt), make)


def _number_validation(q: Question, whole: bool):
    """Whole-number or decimal validation with the question's minimum and maximum; a warning, not a
    stop: a number typed as text (0,5 or 85%) is valid for kadertoets and checked when read in."""
    from openpyxl.worksheet.datavalidation import DataValidation

    low = q.minimum if q.minimum is not None else -MAX_NUMBER
    high = q.maximum if q.maximum is not None else MAX_NUMBER
    what = "een heel getal" if whole else "een getal"
    error = f"Vul {what} in van {fmt_number(low)} tot en met {fmt_number(high)}."
    return DataValidation(type="whole" if whole else "decimal", operator="between", formula1=repr(low),
                          formula2=repr(high), allow_blank=True, showErrorMessage=True, errorStyle="warning",
                          errorTitle="Controleer het getal", error=error)


def _date_validation():
    from openpyxl.worksheet.datavalidation import DataValidation

    return DataValidation(type="date", operator="between", formula1="DATE(1900,1,1)", formula2="DATE(9999,12,31)",
                          allow_blank=True, showErrorMessage=True, errorStyle="warning",
                          errorTitle="Controleer de datum", error="Vul een datum in als dd-mm-jjjj, bv. 15-06-2023.")


# ---------------------------------------------------------------- sheets
def _explanation_sheet(wb) -> None:
    from openpyxl.styles import Font

    ws = wb.create_sheet(layout.EXPLANATION_SHEET)
    ws.column_dimensions["A"].width = 110
    for row, (text, style) in enumerate(EXPLANATION, start=1):
        c = xlsx_put(ws, row, 1, ("• " if style == "bullet" else "") + text)
        _wrapped(c)
        if style == "title":
            c.font = Font(bold=True, size=14)
        elif style == "heading":
            c.font = Font(bold=True)
        elif style == "code":
            c.font = Font(name="Consolas")
    _protect(ws)


def _ordered_questions(kader: Kader) -> list[Question]:
    """The questions grouped by theme, the themes in the order they first appear in the questions file,
    the questions of a theme in file order."""
    groups: dict = {}
    for q in kader.questions.values():
        groups.setdefault(q.theme or "", []).append(q)
    return [q for qs in groups.values() for q in qs]


def _date_cell(day):
    """A date as it goes into a cell: a real Excel date, or, before 1900 (which Excel cannot hold), the
    text dd-mm-jjjj that kader inlezen reads as a date too."""
    return day.strftime("%d-%m-%Y") if day < EXCEL_FIRST_DAY else day


def _help_text(q: Question) -> str:
    kind = answer_kind(q)
    if kind == "choices":
        names = [(layout.choice_labels(q) or {}).get(v, v) for v in q.values]
        how = (f"een of meer van: {', '.join(names)}; meer dan één: gescheiden door "
               f"'{layout.MULTIPLE_SEPARATOR}', bv. {(layout.MULTIPLE_SEPARATOR + ' ').join(names[:2])}; "
               f"geen enkele: {layout.MULTIPLE_NONE}")
    else:
        how = type_phrase(q) + (" (bv. 85%)" if is_percentage(q) else ", met een komma voor decimalen"
                                if q.type == "getal" else ", als dd-mm-jjjj" if q.type == "datum" else "")
    text = " ".join(q.help.split())
    return f"{text}\nAntwoord: {how}." if text else f"Antwoord: {how}."


def _answer_cell(ws, row: int, column: int, q: Question, value, lists: _Lists):
    """Write an answer as a person writes it (ja/nee, a real number, a real date) with the check of its
    question; the empty cell (unknown) gets the same check and format."""
    kind = answer_kind(q)
    shown = layout.choice_labels(q) or {}  # a person picks the label, the file keeps the code
    if value is not None:
        if kind == "flag":
            value = "ja" if value else "nee"
        elif kind == "choices":
            chosen = set(value)
            value = (layout.MULTIPLE_SEPARATOR + " ").join(shown.get(v, v) for v in q.values if v in chosen) \
                or layout.MULTIPLE_NONE
        elif kind == "choice":
            value = shown.get(value, value)
        elif kind == "date":
            value = _date_cell(value)
    c = xlsx_put(ws, row, column, value)
    _editable(c, wrap=kind in ("text", "choices"))
    if kind == "flag":
        lists.dropdown(ws, c, YES_NO)
    elif kind == "choice":
        lists.dropdown(ws, c, tuple(shown.get(v, v) for v in q.values))
    elif kind in ("whole", "number"):
        lists.validate(ws, c, (kind, q.minimum, q.maximum), lambda: _number_validation(q, kind == "whole"))
    elif kind == "date":
        c.number_format = layout.DATE_FORMAT
        lists.validate(ws, c, ("date",), _date_validation)
    if kind in ("text", "choice", "choices", "flag"):
        c.number_format = "@"  # what is typed stays as typed (no 1-3 turned into a date)
    return c


def _questions_sheet(wb, assessment: Assessment, kader: Kader, lists: _Lists) -> None:
    ws = wb.create_sheet(layout.QUESTIONS_SHEET)
    columns = layout.QUESTION_COLUMNS
    keys = list(columns)
    _header(ws, columns, hidden=("id",))
    for row, q in enumerate(_ordered_questions(kader), start=2):
        fact = assessment.facts.get(q.path)
        fixed = {"id": q.path, "thema": q.theme, "vraag": " ".join(q.question.split()), "hulp": _help_text(q),
                 "eenheid": q.unit}
        for key, value in fixed.items():
            c = xlsx_put(ws, row, keys.index(key) + 1, value)
            _wrapped(c)
        _answer_cell(ws, row, keys.index("waarde") + 1, q, fact.value if fact else None, lists)
        for key, value in (("bewijs", fact.evidence if fact else None), ("toelichting", fact.note if fact else None),
                           ("bewijs_document", fact.evidence_document if fact else None)):
            c = xlsx_put(ws, row, keys.index(key) + 1, value)
            c.number_format = "@"
            _editable(c, wrap=True)
        c = xlsx_put(ws, row, keys.index("bewijs_datum") + 1,
                     _date_cell(fact.evidence_date) if fact and fact.evidence_date else None)
        c.number_format = layout.DATE_FORMAT
        _editable(c)
        lists.validate(ws, c, ("date",), _date_validation)
        c = xlsx_put(ws, row, keys.index("herbevestigen") + 1, "ja" if fact and fact.reconfirm else None)
        c.number_format = "@"
        _editable(c)
        lists.dropdown(ws, c, YES_NO, "Staat hier ja, dan is de vraag veranderd: controleer het antwoord en "
                                      "maak deze cel leeg.")
    _widths(ws, {"thema": 18, "vraag": 50, "hulp": 50, "eenheid": 12, "waarde": 30, "bewijs": 35, "bewijs_datum": 14,
                 "bewijs_document": 30, "toelichting": 45, "herbevestigen": 15}, columns)
    ws.auto_filter.ref = f"B1:{_last_column(columns)}{max(2, len(kader.questions) + 1)}"
    _protect(ws)
    ws.protection.autoFilter = False  # filtering by theme is allowed


def _last_column(columns: dict) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(len(columns))


def _team_sheet(wb, assessment: Assessment, lists: _Lists) -> None:
    ws = wb.create_sheet(layout.TEAM_SHEET)
    _header(ws, layout.TEAM_COLUMNS, hidden=("sleutel",))
    team = assessment.team
    filled = assessment.filled_in_by
    values = {
        "team.id": team.id, "team.naam": team.name, "team.gemeente": team.municipality,
        "team.organisatie": team.organisation, "team.taken.jeugd": "ja" if team.tasks.get("jeugd") else "nee",
        "team.taken.wmo": "ja" if team.tasks.get("wmo") else "nee", "peildatum": _date_cell(assessment.reference_date),
        "kader": assessment.kader_version,
    } | {f"ingevuld_door.{k}": filled.get(k) for k in ("naam", "rol", "toelichting")}
    values["ingevuld_door.datum"] = _date_cell(filled["datum"]) if filled.get("datum") else None
    for row, (key, label) in enumerate(layout.TEAM_ROWS.items(), start=2):
        xlsx_put(ws, row, 1, key)
        xlsx_put(ws, row, 2, label)
        c = xlsx_put(ws, row, 3, values[key])
        _wrapped(c)
        if key in layout.TEAM_DATES:
            c.number_format = layout.DATE_FORMAT
        else:
            c.number_format = "@"
        if key in layout.TEAM_EDITABLE:
            _editable(c, wrap=True)
            if key in layout.TEAM_DATES:
                lists.validate(ws, c, ("date",), _date_validation)
    _widths(ws, {"gegeven": 34, "waarde": 60}, layout.TEAM_COLUMNS)
    _protect(ws)


def _plan_sheet(wb, assessment: Assessment, lists: _Lists) -> None:
    ws = wb.create_sheet(layout.PLAN_SHEET)
    columns = layout.PLAN_COLUMNS
    keys = list(columns)
    _header(ws, columns)
    for row, action in enumerate(assessment.plan, start=2):
        values = {"nr": row - 1, "id": action.id, "eis": action.requirement, "omschrijving": action.description,
                  "eigenaar": action.owner, "deadline": action.deadline and _date_cell(action.deadline),
                  "status": ACTION_STATUS_LABEL.get(action.status, action.status),
                  "extra_middelen_nodig": None if action.extra_budget is None else YES_NO[not action.extra_budget],
                  "toelichting": action.note}
        for key, value in values.items():
            c = xlsx_put(ws, row, keys.index(key) + 1, value)
            _wrapped(c)
            c.number_format = layout.DATE_FORMAT if key == "deadline" else ("0" if key == "nr" else "@")
            if key in layout.PLAN_EDITABLE:
                _editable(c, wrap=True)
        lists.dropdown(ws, ws.cell(row=row, column=keys.index("status") + 1),
                       tuple(ACTION_STATUS_LABEL[x] for x in ACTION_STATUSES))
        lists.dropdown(ws, ws.cell(row=row, column=keys.index("extra_middelen_nodig") + 1), YES_NO)
    _widths(ws, {"nr": 6, "id": 12, "eis": 14, "omschrijving": 50, "eigenaar": 20, "deadline": 13, "status": 16,
                 "extra_middelen_nodig": 12, "toelichting": 45}, columns)
    _protect(ws)


def _moved_sheet(wb, assessment: Assessment) -> None:
    ws = wb.create_sheet(layout.MOVED_SHEET)
    columns = layout.MOVED_COLUMNS
    _header(ws, columns)
    row = 2
    for nr, action in enumerate(assessment.plan, start=1):
        for moved in action.moved:
            xlsx_put(ws, row, 1, nr).number_format = "0"
            xlsx_put(ws, row, 2, _date_cell(moved.to)).number_format = layout.DATE_FORMAT
            _wrapped(xlsx_put(ws, row, 3, moved.note))
            row += 1
    _widths(ws, {"actie": 12, "naar": 16, "toelichting": 60}, columns)
    _protect(ws)

