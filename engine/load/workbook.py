"""The questionnaire workbook of a team (`kader vragenlijst` writes it, `kader inlezen` reads it back):
its layout, declared once here for both, and reading it into the data a YAML assessment gives.

Reading never validates an answer itself: it turns the cells into the same tree a YAML file gives
(`tree`), which the assessment loader checks as it checks a YAML file. What reading does check is the
workbook as a workbook: that it is one (size, zip, openpyxl), its sheets and header rows, no formula in
any cell read, no duplicate question ids, and bounds on what is read (MAX_ROWS, MAX_COLUMNS).

Where a problem is: every value in the tree is known by its loader path (`feiten.formatie.fte_totaal.
waarde`, `team.taken.jeugd`, `transformatieplan[2].status`); `Book.cells` maps each path to the cell it
came from, and `Book.locate` turns the loader's problems into problems at that cell (`Problem.cell`,
rendered as `team.xlsx:Vragen!F14: ...`), with the question's text. The loader and its Node stay as
they are.

Hostile workbooks: read with `read_only=True` (streaming) and `data_only=False`, so a formula is seen as
a formula and refused, never read as its cached value and never evaluated; the file size and the
unpacked size of the zip are checked before openpyxl opens it.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import zipfile
from pathlib import Path

from kadertoets.evaluate.questiontypes import LIST_SEPARATOR, NONE_CHOSEN, QUESTION_TYPES, choice_labels, from_label
from kadertoets.infra.digest import hex_digest
from kadertoets.infra.errors import KaderFout, Problem, excerpt, os_reason
from kadertoets.infra.lintcodes import Code
from kadertoets.infra.textsafe import clean
from kadertoets.infra.located import fmt_number
from kadertoets.infra.records import record
from kadertoets.model import ACTION_STATUS_LABEL, Question

MAX_WORKBOOK_BYTES = 20 * 1024 * 1024  # a questionnaire is some 30 KiB
MAX_UNPACKED_BYTES = 200 * 1024 * 1024  # all parts of the zip together, unpacked (zip bombs)
MAX_PARTS = 1000  # parts in the zip
MAX_ROWS = 2000  # rows with content per sheet; the Kader has some 120 questions
MAX_SCANNED = 10 * MAX_ROWS  # rows looked at per sheet, empty ones included; past it the sheet is refused
MAX_COLUMNS = 30  # columns read per row; a cell further right is not looked at

# ---------------------------------------------------------------- the layout (writer and reader)
EXPLANATION_SHEET = "Uitleg"
QUESTIONS_SHEET = "Vragen"
TEAM_SHEET = "Team"
PLAN_SHEET = "Plan"
MOVED_SHEET = "Verplaatst"
LISTS_SHEET = "Keuzes"  # hidden: the values of the dropdowns; never read back

# Per sheet: {key: header}, in column order. A key is the YAML key the column fills.
QUESTION_COLUMNS = {"id": "id", "thema": "Thema", "vraag": "Vraag", "hulp": "Hulp", "eenheid": "Eenheid",
                    "waarde": "Antwoord", "bewijs": "Bewijs", "bewijs_datum": "Datum bewijs",
                    "bewijs_document": "Document bewijs", "toelichting": "Toelichting", "herbevestigen": "Herbevestigen"}
QUESTION_EDITABLE = ("waarde", "bewijs", "bewijs_datum", "bewijs_document", "toelichting", "herbevestigen")
FACT_PARTS = ("waarde", "toelichting", "bewijs", "bewijs_datum", "bewijs_document", "herbevestigen")  # formats.FACT order

TEAM_COLUMNS = {"sleutel": "sleutel", "gegeven": "Gegeven", "waarde": "Waarde"}
# Per row of the Team sheet: the loader path of the value (hidden column A) and its label.
TEAM_ROWS = {
    "team.id": "Team-id", "team.naam": "Naam van het team", "team.gemeente": "Gemeente",
    "team.organisatie": "Organisatie", "team.taken.jeugd": "Taak jeugd (ja/nee)",
    "team.taken.wmo": "Taak wmo (ja/nee)", "peildatum": "Peildatum", "kader": "Kaderversie",
    "ingevuld_door.naam": "Ingevuld door", "ingevuld_door.rol": "Rol van de invuller",
    "ingevuld_door.datum": "Datum ingevuld", "ingevuld_door.toelichting": "Waar de antwoorden vandaan komen",
}
TEAM_EDITABLE = ("ingevuld_door.naam", "ingevuld_door.rol", "ingevuld_door.datum", "ingevuld_door.toelichting")
TEAM_YES_NO = ("team.taken.jeugd", "team.taken.wmo")
TEAM_DATES = ("peildatum", "ingevuld_door.datum")

PLAN_COLUMNS = {"nr": "Nr", "id": "Kenmerk", "eis": "Eis", "omschrijving": "Omschrijving",
                "eigenaar": "Eigenaar", "deadline": "Deadline", "status": "Status",
                "extra_middelen_nodig": "Extra middelen nodig", "toelichting": "Toelichting"}
_STATUS_OF_LABEL = {label.casefold(): code for code, label in ACTION_STATUS_LABEL.items()}
PLAN_EDITABLE = ("status", "extra_middelen_nodig", "toelichting")
PLAN_REQUIRED = ("eis", "omschrijving", "eigenaar", "deadline", "status")  # formats.PLAN_ACTION.required
MOVED_COLUMNS = {"actie": "Actie (Nr)", "naar": "Nieuwe deadline", "toelichting": "Toelichting"}

MULTIPLE_SEPARATOR = LIST_SEPARATOR  # a cell with more than one choice: "a; b" (evaluate/questiontypes.py)
MULTIPLE_NONE = NONE_CHOSEN  # none of the choices (an empty list), which is not the same as unknown (empty cell)
DATE_FORMAT = "dd-mm-yyyy"  # Excel's code; Dutch Excel shows it as dd-mm-jjjj
_PARTS = re.compile(r"\[\d+\]$|\.[^.\[\]]*$")  # the last step of a loader path


def answer_kind(q: Question) -> str:
    """How an answer sits in a cell, from the question type's traits in the registry: flag (ja/nee),
    whole, number, date, choice, choices (several, separated by ;) or text."""
    t = QUESTION_TYPES[q.type]
    if t.multiple:
        return "choices"
    if t.choices:
        return "choice"
    if t.calendar:
        return "date"
    if t.numeric:
        return "whole" if t.witness == "integers" else "number"
    return "flag" if t.witness == "booleans" else "text"


# ---------------------------------------------------------------- reading
@record
class Row:
    """One row of a sheet: its number and {key: value} of the cells read (None: empty)."""

    number: int
    values: dict


@record(frozen=False)
class Book:
    """A workbook as read: per sheet the rows (cell values as Python values), where each value came
    from, and the problems found while reading (formulas, duplicate ids), reported with the loader's."""

    file: str
    team: dict  # loader path (TEAM_ROWS) -> value
    questions: tuple  # Row per question row, keys of QUESTION_COLUMNS
    plan: tuple  # Row per action, keys of PLAN_COLUMNS
    moved: tuple  # Row per moved deadline, keys of MOVED_COLUMNS
    cells: dict  # loader path -> "Sheet!A1"
    about: dict  # loader path -> what the cell is: its question Row, or a label (Team, Plan)
    problems: list
    refused: set  # the cells refused while reading (formulas): read as empty
    base: dict | None = None  # BASE_SHEET: {"feit:<id>" or "actie:<n>": digest}; None when absent or unreadable

    # -- the tree a YAML file gives ----------------------------------------
    def version_tree(self) -> dict:
        """The parts that choose the Kader version (kader, peildatum) and the team, without facts."""
        return {k: v for k, v in self._head().items() if k != "ingevuld_door"} | {"feiten": None}

    def tree(self, questions: dict) -> dict:
        """The assessment as the YAML loader would get it from a file. Every question row is in
        `feiten`, an empty one as `id:` (unknown, as in YAML): so an id that is not a question of this
        Kader version is refused by the loader, answered or not. `questions`: the Kader's, to put an
        answer in the form its type reads (several choices as a list)."""
        tree = self._head()
        facts = {}
        for row in self.questions:
            qid = row.values["id"]
            parts = {k: row.values[k] for k in FACT_PARTS if row.values.get(k) is not None}
            q = questions.get(qid)
            if "waarde" in parts and q is not None:
                parts["waarde"] = _answer(parts["waarde"], answer_kind(q), q)
            facts[qid] = parts["waarde"] if parts.keys() == {"waarde"} else (parts or None)
        tree["feiten"] = facts
        moved: dict[int, list] = {}
        for row in self.moved:
            entry = {"naar": row.values["naar"]}
            if row.values["toelichting"] is not None:
                entry["toelichting"] = row.values["toelichting"]
            moved.setdefault(row.values["actie"], []).append(entry)
        plan = []
        for row in self.plan:  # in the order of Nr (_Reader.plan): a sorted sheet is the same plan
            action = {k: row.values[k] for k in PLAN_COLUMNS if k != "nr"
                      and (k in PLAN_REQUIRED or row.values[k] is not None)}
            status = action.get("status")  # picked as "Deels behaald", kept as deels_behaald
            if isinstance(status, str):
                action["status"] = _STATUS_OF_LABEL.get(status.strip().casefold(), status)
            if row.values["nr"] in moved:
                action["deadline_verplaatst"] = moved[row.values["nr"]]
            plan.append(action)
        if plan:
            tree["transformatieplan"] = plan
        return tree

    def _head(self) -> dict:
        tree: dict = {}
        for path, value in self.team.items():
            if value is None and path not in _REQUIRED_TEAM_PATHS:
                continue
            *parents, key = path.split(".")
            node = tree
            for p in parents:
                node = node.setdefault(p, {})
            node[key] = value
        return tree

    # -- problems at their cells -------------------------------------------
    def locate(self, exc: KaderFout, questions: dict) -> KaderFout:
        """The reading problems and the loader's problems of `exc`, each at its cell where it has one:
        `team.xlsx:Vragen!F14: vraag 'Hoeveel ...': verwacht een getal, ...`."""
        located = (self._located(p, questions) for p in exc.problems)
        return KaderFout(self.problems + [p for p in located if p is not None])

    def _located(self, p: Problem, questions: dict) -> Problem | None:
        path = p.field
        while path and path not in self.cells:
            path = _PARTS.sub("", path) if _PARTS.search(path) else ""
        if not path:
            return p
        cell = self.cells[path]
        if cell in self.refused:  # a formula there: said once, not again as the empty value it became
            return None
        message, hint = p.message, p.hint
        if p.code == Code.REQUIRED_MISSING and isinstance(self.about.get(path), Row):
            # the loader's words are those of the YAML file ('de lange vorm'); in the sheet it is this:
            message, hint = ("er staat bewijs of herbevestigen, maar geen antwoord en geen toelichting",
                             "Vul het antwoord in, of schrijf in de Toelichting waarom het nog onbekend is.")
        if p.code == Code.VALUE_NOT_ALLOWED:
            hint = self._pick_hint(p.field or "", path, questions) or hint
        return Problem(self._label(path, questions) + message, file=self.file, cell=cell, hint=hint, code=p.code,
                       internal=p.internal)

    def _pick_hint(self, field: str, path: str, questions: dict) -> str | None:
        """For a value outside a dropdown: the words of the dropdown, not the codes of the file."""
        if field.endswith(".status") and field.startswith("transformatieplan["):
            return "Kies uit de lijst: " + ", ".join(ACTION_STATUS_LABEL.values()) + "."
        about = self.about.get(path)
        q = questions.get(about.values["id"]) if isinstance(about, Row) else None
        labels = choice_labels(q) if q is not None else None
        if labels:
            more = f" (meer dan één: gescheiden door '{MULTIPLE_SEPARATOR}')" if answer_kind(q) == "choices" else ""
            return "Kies uit de lijst" + more + ": " + "; ".join(labels.values()) + "."
        return None

    def _label(self, path: str, questions: dict) -> str:
        """What the cell is, for the message: the question's text (the Kader's; the sheet's for an id
        the Kader does not have), the line of the Team sheet, the action and column of the plan."""
        about = self.about.get(path)
        if isinstance(about, Row):
            q = questions.get(about.values["id"])
            text = q.question if q is not None else about.values.get("vraag")
            return f"vraag {excerpt(text, 80)}: " if isinstance(text, str) else ""
        return f"{about}: " if about else ""


_REQUIRED_TEAM_PATHS = ("team.id", "team.naam", "team.gemeente", "team.organisatie", "team.taken.jeugd",
                        "team.taken.wmo", "peildatum")


def _answer(value, kind: str, q: Question | None = None):
    """An answer cell in the form the loader reads for its type: several choices as a list; a label
    as its value; a number typed where text is asked (a choice '2', a text) as the text the person typed."""
    if kind == "choices" and isinstance(value, str):
        if value.strip().lower() == MULTIPLE_NONE:
            return []
        parts = [from_label(part.strip(), q) if q is not None else part.strip()
                 for part in value.split(MULTIPLE_SEPARATOR) if part.strip()]
        return parts or None  # only separators: nothing chosen is not "none of these" (that is (geen))
    if kind in ("choices", "choice", "text") and isinstance(value, (int, float)) and not isinstance(value, bool):
        return fmt_number(value)
    if kind == "choice":
        return from_label(value, q) if q is not None else value
    return value


def read_workbook(path: Path, shown: str) -> Book:
    """Read a questionnaire workbook. Raises KaderFout (exit 2) when it is no readable workbook or its
    sheets and header rows are not those `kader vragenlijst` writes; problems in single cells
    (formulas, duplicate ids) are kept in `Book.problems`, to be reported with the loader's."""
    wb = _open(Path(path), shown)
    try:
        reader = _Reader(wb, shown)
        team = reader.team()
        questions = reader.questions()
        plan = reader.plan()
        moved = reader.moved()
        reader.done()
        return Book(shown, team, questions, plan, moved, reader.cells, reader.about, reader.problems,
                    reader.refused, _base(wb))
    finally:
        wb.close()


BASE_SHEET = "Basis"  # hidden and locked: what the workbook held when it was made, per fact and action
_DIGEST = re.compile(r"[0-9a-f]{64}")


def fact_print(f, as_shown: bool = False) -> str:
    """A fact's content (value, toelichting, bewijs and its date and document, herbevestigen) as a digest: what a three-way merge
    compares (the workbook as made, as filled in, and the file as it is now). `as_shown`: its texts as a
    workbook shows them (control characters made visible), so that a text the workbook could not hold
    as it is does not count as changed."""
    if f is None or f.empty:
        return hex_digest(b"null")  # no fact, or one with nothing in it: unknown either way
    text = _shown if as_shown else _same_text
    value = list(f.value) if isinstance(f.value, tuple) else f.value
    parts = [_plain(value, text), text(f.note), text(f.evidence), bool(f.reconfirm), _plain(f.evidence_date)]
    if f.evidence_document is not None:  # only then: the digests of workbooks made before it stay the same
        parts.append(text(f.evidence_document))
    return hex_digest(json.dumps(parts, sort_keys=True).encode())


def action_print(a, as_shown: bool = False) -> str:
    """An action's content as a digest (see fact_print)."""
    text = _shown if as_shown else _same_text
    return hex_digest(json.dumps([a.requirement, text(a.description), text(a.owner), _plain(a.deadline, text), a.status,
                                  [[_plain(m.to, text), text(m.note)] for m in a.moved], a.extra_budget, text(a.note),
                                  text(a.id)], sort_keys=True).encode())


def _same_text(value):
    return value


def _shown(value):
    return clean(value) if isinstance(value, str) else value


def _plain(value, text=_same_text):
    if isinstance(value, list):
        return [_plain(v, text) for v in value]
    if isinstance(value, str):
        return text(value)
    if isinstance(value, dt.date):
        return ["datum", value.isoformat()]
    if isinstance(value, float) and value.is_integer() and abs(value) < 2 ** 53:
        return int(value)  # 12.0 from a workbook and 12 from a file are the same answer
    return value


def _base(wb) -> dict | None:
    """What the workbook held when `kader vragenlijst` made it: {"feit:<id>" or "actie:<n>": digest}, or
    None when the workbook has no (readable) base. Read with the same bounds as the other sheets."""
    if BASE_SHEET not in wb.sheetnames:
        return None
    out = {}
    for n, row in enumerate(wb[BASE_SHEET].iter_rows(max_col=2, values_only=True)):
        if n >= MAX_SCANNED or len(out) > MAX_ROWS:
            return None
        key, digest = (tuple(row) + (None, None))[:2]
        if isinstance(key, str) and isinstance(digest, str) and _DIGEST.fullmatch(digest) and len(key) < 300:
            out[key] = digest
    return out


def _fail(shown: str, message: str, hint: str, cell: str | None = None) -> KaderFout:
    return KaderFout([Problem(message, file=shown, cell=cell, hint=hint)])


def _open(path: Path, shown: str):
    import openpyxl

    not_a_workbook = ("Geef het Excel-bestand (.xlsx) dat 'kader vragenlijst' maakte, of een kopie die in "
                      "Excel of LibreOffice als .xlsx is opgeslagen.")
    try:
        size = path.stat().st_size
        if size > MAX_WORKBOOK_BYTES:
            raise _fail(shown, f"het bestand is te groot voor een vragenlijst ({size // (1024 * 1024)} MiB; "
                               f"de grens is {MAX_WORKBOOK_BYTES // (1024 * 1024)} MiB)", not_a_workbook)
        data = path.read_bytes()
    except OSError as exc:
        raise _fail(shown, f"bestand kan niet gelezen worden ({os_reason(exc)})",
                    "Controleer de naam en of u het bestand mag lezen.") from None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            parts = z.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError):
        raise _fail(shown, "dit is geen Excel-werkmap (.xlsx)", not_a_workbook) from None
    if len(parts) > MAX_PARTS or sum(p.file_size for p in parts) > MAX_UNPACKED_BYTES:
        raise _fail(shown, "de werkmap is uitgepakt onredelijk groot; zo'n bestand wordt niet geopend",
                    not_a_workbook)
    try:
        return openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False, keep_links=False)
    except Exception:  # openpyxl raises many kinds for a damaged or foreign file; none may escape as a bug
        raise _fail(shown, "dit is geen Excel-werkmap (.xlsx) die gelezen kan worden", not_a_workbook) from None


class _Reader:
    """Reads the sheets of one workbook, cell by cell, into Python values."""

    def __init__(self, wb, shown: str):
        self.wb, self.shown = wb, shown
        self.cells: dict[str, str] = {}
        self.about: dict[str, object] = {}
        self.refused: set[str] = set()
        self.plan_index: dict[int, int] = {}  # Nr of an action -> its place in the transformatieplan
        self.problems: list[Problem] = []
        self.structure: list[Problem] = []  # sheets and headers: reported before anything else

    def done(self) -> None:
        if self.structure:
            raise KaderFout(self.structure)

    # -- sheets ---------------------------------------------------------------
    def _rows(self, sheet: str, columns: dict):
        """The data rows of a sheet as Row(number, {key: value}), after checking its header row; rows
        with nothing in them are skipped. None when the sheet or its header is wrong (problem noted)."""
        ws = self.wb[sheet] if sheet in self.wb.sheetnames else None
        if ws is None or not hasattr(ws, "iter_rows"):
            self.structure.append(Problem(f"het werkblad '{sheet}' ontbreekt", file=self.shown,
                                          hint="Gebruik de werkmap die 'kader vragenlijst' maakte; hernoem of "
                                               "verwijder geen werkbladen."))
            return None
        keys = list(columns)
        rows = ws.iter_rows(min_row=1, max_row=MAX_SCANNED + 1, max_col=MAX_COLUMNS)
        header = next(rows, ())
        found = [c.value for c in header] + [None] * MAX_COLUMNS
        for i, (key, title) in enumerate(columns.items()):
            if found[i] != title:
                self.structure.append(Problem(
                    f"kolomkop {excerpt(found[i]) if found[i] is not None else '(leeg)'} hoort '{title}' te zijn",
                    file=self.shown, cell=_cell_name(sheet, 1, i + 1),
                    hint="Verplaats, hernoem of voeg geen kolommen toe; gebruik de werkmap die 'kader vragenlijst' "
                         "maakte."))
        for i in range(len(columns), MAX_COLUMNS):
            if found[i] is not None:
                self.structure.append(Problem(f"kolom met kop {excerpt(found[i])} hoort niet in dit werkblad",
                                              file=self.shown, cell=_cell_name(sheet, 1, i + 1),
                                              hint="Verwijder de kolom; alleen de kolommen van de vragenlijst "
                                                   "worden gelezen."))
        if self.structure:
            return None
        return self._data(sheet, rows, keys)

    def _data(self, sheet: str, rows, keys: list[str]):
        out = []
        for counted, cells in enumerate(rows, start=2):
            number = next((c.row for c in cells if getattr(c, "row", None) is not None), counted)
            if counted > MAX_SCANNED:
                raise self._too_long(sheet, MAX_SCANNED)
            values, filled = {}, False
            for i, c in enumerate(cells):
                if i >= len(keys):
                    if c.value is not None:
                        self.problems.append(Problem("deze cel staat buiten de kolommen van de vragenlijst",
                                                     file=self.shown, cell=_cell_name(sheet, c.row, i + 1),
                                                     hint="Zet de tekst in een kolom van de vragenlijst of "
                                                          "verwijder hem."))
                    continue
                values[keys[i]] = self._value(c, sheet, i + 1)
                filled = filled or c.value is not None
            if not filled:
                continue
            if number > MAX_ROWS + 1:
                raise self._too_long(sheet, MAX_ROWS)
            for key in keys:
                values.setdefault(key, None)
            out.append(Row(number, values))
        return out

    def _too_long(self, sheet: str, limit: int) -> KaderFout:
        return _fail(self.shown, f"het werkblad '{sheet}' heeft meer dan {limit} rijen; zo veel rijen heeft een "
                                 "vragenlijst niet", "Gebruik de werkmap die 'kader vragenlijst' maakte.")

    def _value(self, c, sheet: str, column: int):
        """A cell's value as the loader reads it from YAML: text, number, ja/nee, date; None when
        empty. A formula is refused (noted as a problem): it is never evaluated nor read as its cached
        value."""
        v = c.value
        if getattr(c, "data_type", None) == "f" or not isinstance(v, _CELL_TYPES):
            self.refused.add(_cell_name(sheet, c.row, column))
            self.problems.append(Problem("deze cel bevat een formule; formules worden niet gelezen",
                                         file=self.shown, cell=_cell_name(sheet, c.row, column),
                                         hint="Typ de waarde zelf in de cel, zonder '=' ervoor."))
            return None
        if isinstance(v, str):
            return v if v.strip() else None
        if isinstance(v, dt.datetime):
            return v.date() if v.time() == dt.time(0) and v.tzinfo is None else v
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            return v
        if "%" in (c.number_format or ""):  # 85% typed in Excel is the number 0,85 shown as a percentage
            return f"{fmt_number(v * 100)}%"
        return int(v) if isinstance(v, float) and v.is_integer() and abs(v) < 1e15 else v

    def team(self) -> dict:
        rows = self._rows(TEAM_SHEET, TEAM_COLUMNS)
        if rows is None:
            return {}
        team: dict = {}
        for row in rows:
            key = row.values["sleutel"]
            if key not in TEAM_ROWS:
                self.structure.append(Problem(f"onbekende regel {excerpt(key) if key else '(leeg)'}",
                                              file=self.shown, cell=_cell_name(TEAM_SHEET, row.number, 1),
                                              hint="Verander de verborgen kolom A van het werkblad Team niet."))
            elif key in team:
                self.structure.append(Problem(f"de regel {excerpt(key)} staat twee keer in het werkblad Team",
                                              file=self.shown, cell=_cell_name(TEAM_SHEET, row.number, 1),
                                              hint="Verwijder de dubbele regel."))
            else:
                team[key] = row.values["waarde"]
                self.cells[key] = _cell_name(TEAM_SHEET, row.number, 3)
                self.about[key] = TEAM_ROWS[key]
        for key in _REQUIRED_TEAM_PATHS:
            if key not in team and not self.structure:
                self.structure.append(Problem(f"de regel '{TEAM_ROWS[key]}' ontbreekt in het werkblad Team",
                                              file=self.shown, hint="Gebruik de werkmap die 'kader vragenlijst' "
                                                                    "maakte; verwijder geen regels."))
        return team

    def questions(self) -> tuple:
        rows = self._rows(QUESTIONS_SHEET, QUESTION_COLUMNS) or []
        out, seen = [], {}
        answer = list(QUESTION_COLUMNS).index
        for row in rows:
            qid = row.values["id"]
            id_cell = _cell_name(QUESTIONS_SHEET, row.number, 1)
            if not isinstance(qid, str) or not qid.strip():
                self.problems.append(Problem(f"de vraag-id ontbreekt of is geen tekst ({excerpt(qid)})"
                                             if qid is not None else "de vraag-id ontbreekt", file=self.shown,
                                             cell=id_cell, hint="Verander de verborgen kolom A (id) niet."))
                continue
            if qid in seen:
                self.problems.append(Problem(f"vraag-id {excerpt(qid)} staat twee keer in de vragenlijst (ook in "
                                             f"{seen[qid]})", file=self.shown, cell=id_cell,
                                             hint="Verander de verborgen kolom A (id) niet."))
                continue
            seen[qid] = id_cell
            out.append(row)
            base = f"feiten.{qid}"
            self.cells[base] = _cell_name(QUESTIONS_SHEET, row.number, answer("waarde") + 1)
            self.about[base] = row
            for part in FACT_PARTS:
                self.cells[f"{base}.{part}"] = _cell_name(QUESTIONS_SHEET, row.number, answer(part) + 1)
                self.about[f"{base}.{part}"] = row
        return tuple(out)

    def plan(self) -> tuple:
        rows = self._rows(PLAN_SHEET, PLAN_COLUMNS) or []
        out, seen = [], set()
        column = list(PLAN_COLUMNS).index
        for row in rows:
            nr = row.values["nr"]
            if isinstance(nr, bool) or not isinstance(nr, int) or nr in seen:
                self.problems.append(Problem(f"het nummer van de actie ({excerpt(nr)}) ontbreekt, is geen heel getal "
                                             "of staat dubbel", file=self.shown,
                                             cell=_cell_name(PLAN_SHEET, row.number, 1),
                                             hint="Verander de kolom Nr niet."))
                continue
            seen.add(nr)
            out.append(row)
        out.sort(key=lambda r: r.values["nr"])  # the plan in the order of Nr, as Book.tree gives it
        for position, row in enumerate(out, start=1):
            nr = row.values["nr"]
            self.plan_index[nr] = position
            path = f"transformatieplan[{position}]"
            self.cells[path] = _cell_name(PLAN_SHEET, row.number, column("eis") + 1)
            self.about[path] = f"actie {nr}"
            for key in PLAN_COLUMNS:
                self.cells[f"{path}.{key}"] = _cell_name(PLAN_SHEET, row.number, column(key) + 1)
                self.about[f"{path}.{key}"] = f"actie {nr} ({PLAN_COLUMNS[key]})"
        return tuple(out)

    def moved(self) -> tuple:
        rows = self._rows(MOVED_SHEET, MOVED_COLUMNS) or []
        out, count = [], {}
        for row in rows:
            nr = row.values["actie"]
            if isinstance(nr, bool) or not isinstance(nr, int) or nr not in self.plan_index:
                self.problems.append(Problem(f"actie {excerpt(nr)} staat niet in het werkblad Plan", file=self.shown,
                                             cell=_cell_name(MOVED_SHEET, row.number, 1),
                                             hint="Noem het nummer (Nr) van een actie uit het werkblad Plan."))
                continue
            out.append(row)
            count[nr] = count.get(nr, 0) + 1
            path = f"transformatieplan[{self.plan_index[nr]}].deadline_verplaatst[{count[nr]}]"
            for suffix, column in (("", 2), (".naar", 2), (".toelichting", 3)):
                self.cells[path + suffix] = _cell_name(MOVED_SHEET, row.number, column)
                self.about[path + suffix] = f"verplaatste deadline van actie {nr}"
        return tuple(out)


_CELL_TYPES = (str, int, float, bool, dt.date, dt.datetime, dt.time, type(None))


def _cell_name(sheet: str, row: int, column: int) -> str:
    from openpyxl.utils import get_column_letter

    return f"{sheet}!{get_column_letter(column)}{row}"
