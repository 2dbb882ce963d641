"""Starting a team's assessment (`kader nieuw`): the team block checked as the loader checks a file,
and the text of a new assessment file that holds every question of a Kader version.

The file lists every question per theme (editors/questionlist.py), each with its question, help,
kind of answer and allowed values as comments (evaluate/answerforms.py) and an empty `waarde:`, which
the loader reads as a fact without an answer: `onbekend` (load/facts.py). So the file loads as it is,
and `kader check` on it says that nothing is known yet.

With a previous assessment of the team (`--van`), its answers are carried over with their toelichting
and bewijs (with its date and document), and so are its team block, transformatieplan and afwijkingen
(an expired one too: the plan then says so); the new peildatum must be later. When
the previous file belongs to another Kader version, it goes through the migration of `kader migrate`
(editors/migrate.py): answers to changed questions are marked `herbevestigen`, actions follow renamed
requirements. An answer or action that the version cannot hold is refused rather than dropped: the
team's evidence is not lost silently, and `kader migrate` is the command that drops it while keeping
it in the new file's comments.

Every text from the Kader or the previous file that lands in a comment is cleaned (control
characters made visible, textsafe.clean) and escaped (editors/migrate.py), one comment line per line
of the text, so no text can end its comment. The finished text is loaded again with the loader before
it is written; a file that would not load is a bug, never written.
"""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path
from dataclasses import replace

import yaml

from kadertoets.editors.migrate import escape_comment, exception_yaml, fact_long
from kadertoets.editors.migrate import migrate
from kadertoets.editors.questionlist import by_theme, requirements_per_question
from kadertoets.evaluate.answerforms import how_to_answer, type_phrase
from kadertoets.infra import yamlwrite
from kadertoets.infra.errors import KaderFout, Problem, excerpt
from kadertoets.infra.located import Node
from kadertoets.infra.textsafe import clean
from kadertoets.infra.yamlload import load_yaml_text
from kadertoets.load import formats
from kadertoets.infra.dates import dutch_date
from kadertoets.infra.textsafe import is_clean
from kadertoets.load.assessment import assessment_form, build_assessment, team_block as check_team_block
from kadertoets.load.privacy import refuse_personal_data
from kadertoets.model import ApprovedException, Assessment, Fact, Kader, PlanAction, Team
from kadertoets.infra.records import record

# the keys of the team block and the option of `kader nieuw` that gives each
TEAM_OPTIONS = {"id": "--id", "naam": "--naam", "gemeente": "--gemeente", "organisatie": "--organisatie",
                "taken": "--taken"}
TASKS = formats.TASKS.names  # jeugd, wmo
COMMENT_WIDTH = 96  # characters of text per comment line (a long help text is wrapped)
MAX_COMMENT_TEXT = 4000  # characters of one text from the Kader in a comment; longer is cut ('…')
# placeholders for the other keys when one option is checked on its own (check_team_value)
_VALID_TEAM = {"id": "x", "naam": "x", "gemeente": "x", "organisatie": "x", "taken": {t: False for t in TASKS}}


# ------------------------------------------------------------------ the team block -----------------
def parse_tasks(text: str) -> dict[str, bool]:
    """'jeugd,wmo', 'wmo' or 'geen' -> {jeugd: .., wmo: ..}; anything else is refused. Nothing at all
    is refused too: a team without tasks is said in so many words (never guessed from an empty answer,
    which would make every requirement about a task n.v.t.)."""
    words = [w.strip().lower() for w in str(text).split(",")]
    words = [w for w in words if w]
    if not words:
        raise KaderFout.single("geen taken opgegeven", field=TEAM_OPTIONS["taken"],
                               hint=f"Schrijf {', '.join(TASKS)} of beide met een komma ertussen "
                                    f"({','.join(TASKS)}), of 'geen' voor een team zonder deze taken.")
    if words == ["geen"]:
        return {t: False for t in TASKS}
    unknown = [w for w in words if w not in TASKS]
    if unknown:
        raise KaderFout.single(f"onbekende taak {excerpt(unknown[0])}", field=TEAM_OPTIONS["taken"],
                               hint=f"Schrijf {', '.join(TASKS)} of beide met een komma ertussen "
                                    f"({','.join(TASKS)}), of geen.")
    return {t: t in words for t in TASKS}


def tasks_text(tasks: dict[str, bool]) -> str:
    return ",".join(t for t in TASKS if tasks.get(t)) or "geen"


def team_from_values(values: dict) -> Team:
    """The team block checked exactly as the loader checks the `team:` of a file (load/assessment.py),
    personal data included (load/privacy.py: a name typed at a prompt goes into a file the region
    shares); a problem names the option that gave the value (--id, --naam, ...)."""
    node = Node(formats.TEAM.write(**values), None, "")
    try:
        try:
            team = check_team_block(node)
        except KaderFout as exc:
            refuse_personal_data(node, exc.problems)
            raise
        refuse_personal_data(node)
        return team
    except KaderFout as exc:
        raise KaderFout([_as_option(p) for p in exc.problems]) from None


def check_team_value(key: str, value):
    """One value of the team block on its own (an option, or an answer to a prompt), checked as
    team_from_values checks it, and typed by a person, so without control characters (a file may hold
    them: output shows them visibly; a new file does not start with them); returns the value."""
    team_from_values(dict(_VALID_TEAM, **{key: value}))
    if isinstance(value, str) and not is_clean(value):
        raise KaderFout.single(f"{excerpt(value)} bevat een stuurteken (zoals een escape- of belteken)",
                               field=TEAM_OPTIONS.get(key, key), hint="Typ de waarde opnieuw, zonder stuurtekens.")
    return value


def _as_option(p: Problem) -> Problem:
    key = (p.field or "").split(".")[0]
    return replace(p, file=None, line=None, column=None, field=TEAM_OPTIONS.get(key, p.field))


def team_values(team: Team) -> dict:
    return {"id": team.id, "naam": team.name, "gemeente": team.municipality, "organisatie": team.organisation,
            "taken": dict(team.tasks)}


# ------------------------------------------------------------------ the new assessment -------------
@record
class NewAssessment:
    kader: Kader
    team: Team
    reference_date: dt.date
    facts: dict  # path -> Fact, carried over from the previous assessment
    plan: tuple[PlanAction, ...] = ()
    previous: str | None = None  # the previous assessment, as shown
    previous_date: dt.date | None = None
    notes: tuple[str, ...] = ()  # what the user should know (Dutch), e.g. answers to reconfirm
    exceptions: tuple[ApprovedException, ...] = ()  # afwijkingen, carried over from the previous assessment


def start(kader: Kader, team: Team, reference_date: dt.date, previous: Assessment | None = None,
          previous_kader: Kader | None = None) -> NewAssessment:
    """A new assessment for `team` on `reference_date` under `kader`; with `previous` (validated
    against `previous_kader`), its answers and transformatieplan carried over."""
    if previous is None:
        return NewAssessment(kader, team, reference_date, {})
    if reference_date <= previous.reference_date:
        raise KaderFout.single(
            f"de peildatum {_day(reference_date)} ligt niet na de peildatum van het vorige assessment "
            f"({_day(previous.reference_date)})", file=previous.file, field="--peildatum",
            hint="Kies een latere peildatum: het nieuwe assessment volgt het vorige op.")
    notes: list[str] = []
    facts, plan, exceptions = previous.facts, previous.plan, previous.exceptions
    if previous_kader is not None and previous_kader.version != kader.version:
        facts, plan, exceptions, notes = _migrated(previous, previous_kader, kader)
    return NewAssessment(kader, team, reference_date, dict(facts), tuple(plan), previous.file,
                         previous.reference_date, tuple(notes), tuple(exceptions))


def _migrated(previous: Assessment, old: Kader, new: Kader):
    """The previous assessment carried over to another version, as `kader migrate` does; refused
    when an answer or an action would be lost."""
    m = migrate(previous, old, new)
    lost = [f"vraag {f.path} ({'bestaat niet meer' if f.outcome == 'vervallen' else 'het antwoord past niet meer'})"
            for f in m.facts if f.outcome in ("vervallen", "ongeldig")]
    lost += [f"actie bij eis {a.requirement} (de eis bestaat niet meer)" for a in m.actions if a.outcome == "vervallen"]
    lost += [f"afwijking bij eis {e.requirement} ({why})" for e, why in m.exceptions_dropped]
    if lost:
        shown = "; ".join(lost[:10]) + (f"; en nog {len(lost) - 10}" if len(lost) > 10 else "")
        raise KaderFout.single(
            f"het vorige assessment (Kader {old.version}) bevat wat Kader {new.version} niet kan bevatten: {shown}",
            file=previous.file, field="--van",
            hint=f"Zet het eerst over met 'kader migrate {previous.file} --naar {new.version} -o NIEUW.yaml' (dat "
                 "bewaart wat wegvalt als commentaar) en begin dan met --van NIEUW.yaml; of kies met --kader "
                 f"versie {old.version}.")
    notes = []
    again = [f.path for f in m.facts if f.outcome == "herbevestigen"]
    if again:
        notes.append(f"Let op: {len(again)} antwoorden horen bij een vraag die in Kader {new.version} veranderd is; "
                     "ze staan in het bestand met 'herbevestigen: true': " + ", ".join(again) + ".")
    return m.assessment.facts, m.assessment.plan, m.assessment.exceptions, notes


def _day(day: dt.date) -> str:
    return dutch_date(day)


# ------------------------------------------------------------------ the file -----------------------
class _Dumper(yamlwrite.NoAliasDumper):
    """yamlwrite's dumper, with an empty value written as nothing (`waarde:`), not as `null`."""


_Dumper.add_representer(type(None), lambda dumper, _: dumper.represent_scalar("tag:yaml.org,2002:null", ""))


def _dump(data) -> str:
    return yamlwrite.BIDI.sub(lambda m: f"\\u{ord(m.group()):04X}",
                               yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100))


def comment(text, indent: str = "", label: str = "") -> list[str]:
    """`text` (from a file: hostile) as comment lines: control characters made visible, each of its
    lines wrapped and commented on its own, whatever escapes a comment escaped."""
    out = []
    lead = f"{indent}# {label}"
    rest = f"{indent}#   " if label else f"{indent}# "
    parts = clean(text, MAX_COMMENT_TEXT).split("\n")
    for part in parts:
        wrapped = textwrap.wrap(part, COMMENT_WIDTH, break_long_words=True, break_on_hyphens=False) or [""]
        for line in wrapped:
            out.append(escape_comment((lead if not out else rest) + line).rstrip())
    return out


def _header(new: NewAssessment, file_name: str) -> list[str]:
    team, k = new.team, new.kader
    lines = comment(f"Assessment van {team.name} ({team.id}) voor {k.name}, versie {k.version}, "
                    f"peildatum {_day(new.reference_date)}. Gemaakt met 'kader nieuw'.")
    if new.previous is not None:
        lines += comment(f"De antwoorden, het team en het transformatieplan komen uit {new.previous} (peildatum "
                         f"{_day(new.previous_date)}). Controleer of ze op de nieuwe peildatum nog kloppen.")
    name = file_name if file_name and " " not in file_name else f'"{file_name}"'
    lines += ["#"] + comment("Zo vult u dit bestand in:") + [
        "# - Onder 'feiten:' staan alle vragen van het Kader, per thema. Boven elke vraag staat wat er",
        "#   gevraagd wordt en wat u mag invullen.",
        "# - Zet het antwoord achter 'waarde:', op dezelfde regel. Weet u het antwoord niet zeker, laat",
        "#   'waarde:' dan leeg: het antwoord is dan onbekend, en de eisen die het nodig hebben krijgen de",
        "#   status 'onbekend'.",
        "# - Onder 'waarde:' mag u, even ver ingesprongen, een toelichting en een bewijs zetten:",
        "#       toelichting: \"uitleg bij het antwoord, of waarom het onbekend is\"",
        "#       bewijs: \"waar het antwoord te controleren is, bv. een verslag of een besluit\"",
        "# - Gebruik spaties om in te springen, geen tabs. Regels die met # beginnen doen niets.",
        "#",
        "# Daarna:",
    ] + comment(f"  kader check {name}   toont per eis of het team eraan voldoet (de tekortenlijst)") + \
        comment(f"  kader plan {name}    maakt het transformatieplan met de acties")
    return lines


def _question_lines(q, fact: Fact | None, users: tuple[str, ...]) -> list[str]:
    indent = "  "
    lines = comment(" ".join(q.question.split()), indent, "Vraag: ")
    if q.help:
        lines += comment(" ".join(q.help.split()), indent, "Hulp: ")
    lines += comment(type_phrase(q) + ". " + how_to_answer(q), indent, "Antwoord: ")
    lines += comment(", ".join(users) if users else "geen eis (informatief)", indent, "Gebruikt door: ")
    entry = _dump({q.path: fact_long(fact)})
    lines += [indent + line for line in entry.rstrip("\n").split("\n")]
    return lines


def assessment_yaml(new: NewAssessment, file_name: str = "BESTAND") -> str:
    """The text of the new assessment file; `file_name` is how the user named it (for the next steps)."""
    k = new.kader
    head = formats.ASSESSMENT.write(kader=k.version, peildatum=new.reference_date,
                                    team=formats.TEAM.write(**team_values(new.team)))
    lines = _header(new, file_name) + [_dump(head).rstrip("\n"), "feiten:"]
    users = requirements_per_question(k)
    for theme, questions in by_theme(k.questions.values()):
        lines += ["", "  # " + "-" * 70, *comment(f"Thema: {theme}", "  "), "  # " + "-" * 70]
        for q in questions:
            lines += [""] + _question_lines(q, new.facts.get(q.path), users.get(q.path, ()))
    text = "\n".join(lines) + "\n"
    if new.plan:
        plan = [formats.plan_action_yaml(id=a.id, requirement=a.requirement, description=a.description,
                                         owner=a.owner, deadline=a.deadline, status=a.status,
                                         moved=[(m.to, m.note) for m in a.moved], extra_budget=a.extra_budget,
                                         note=a.note) for a in new.plan]
        text += "\n" + _dump({"transformatieplan": plan})
    if new.exceptions:
        text += "\n" + _dump({"afwijkingen": [exception_yaml(e) for e in new.exceptions]})
    return text


def verify(text: str, shown: str, new: NewAssessment) -> Assessment:
    """Load the text as `kader check` would; a text that does not load, or loads as another team,
    peildatum or set of answers, is a bug in this module (exit code 3), never a file to write."""
    try:
        root = assessment_form(Node(load_yaml_text(text, shown), shown))
        loaded = build_assessment(root, new.kader)
    except KaderFout as exc:
        raise RuntimeError(f"het nieuwe assessment laadt niet: {exc.render()}") from None
    answers = {p: (f.value, f.note, f.evidence, f.reconfirm) for p, f in loaded.facts.items() if f.value is not None
               or f.note is not None or f.evidence is not None}
    expected = {p: (f.value, f.note, f.evidence, f.reconfirm) for p, f in new.facts.items() if f.value is not None
                or f.note is not None or f.evidence is not None}
    if loaded.team != new.team or loaded.reference_date != new.reference_date or answers != expected \
            or set(loaded.facts) != set(new.kader.questions) or loaded.exceptions != new.exceptions:
        raise RuntimeError("het nieuwe assessment leest anders terug dan het bedoeld is")
    return loaded


def version_for(kader_dir: Path, day: dt.date) -> str:
    """The Kader version in effect on `day`, for a new assessment without --kader."""
    from kadertoets.load.kader import effective_dates, version_on

    version = version_on(kader_dir, day)
    if version is None:
        dates = ", ".join(f"{v} vanaf {dutch_date(d)}" for v, d in sorted(effective_dates(kader_dir).items())
                          if d is not None)
        raise KaderFout.single(f"op de peildatum {dutch_date(day)} gold nog geen Kaderversie "
                               f"({dates or 'geen ingangsdatum bekend'})", field="--peildatum",
                               hint="Kies een latere peildatum, of noem de versie met --kader.")
    return version


def new_assessment_file(folder: Path, values: dict, day, previous: Path | None = None, kader_dir=None) -> Path:
    """`kader nieuw` without questions asked (the web page's 'Nieuw team' and 'Nieuwe peildatum'): the
    team block `values` (as team_values gives it), the peildatum (a date, or text as a person writes it),
    and optionally the previous assessment to carry over. Writes `<id>-<JJJJ-MM-DD>.yaml` in `folder`,
    never over an existing file; returns its path. KaderFout (fields named as the options of kader
    nieuw) when anything is wrong; then nothing is written."""
    from kadertoets.infra.errors import display_path
    from kadertoets.infra.located import written_date
    from kadertoets.infra.output import write_atomic
    from kadertoets.sweep.run import kader_dir_or_default, load_for_assessment, load_kader_for_listing

    problems: list[Problem] = []
    try:
        team = team_from_values(values)
    except KaderFout as exc:
        problems += exc.problems
        team = None
    if not isinstance(day, dt.date):
        try:
            day = written_date(str(day).strip()) if day else None
        except ValueError:
            day = None
        if day is None:
            problems.append(Problem("geen geldige peildatum", field="--peildatum",
                                    hint="Schrijf de datum als dd-mm-jjjj, bv. 01-03-2024."))
    if problems:
        raise KaderFout(problems)
    kdir = kader_dir_or_default(kader_dir)
    prev = prev_kader = None
    if previous is not None:
        prev, prev_kader = load_for_assessment(previous, kdir, None)
    kader = load_kader_for_listing(kdir, version_for(kdir, day))
    new = start(kader, team, day, prev, prev_kader)
    output = Path(folder) / f"{team.id}-{day.isoformat()}.yaml"
    if output.exists():
        raise KaderFout.single(f"er is al een assessment van dit team met peildatum {dutch_date(day)}",
                               file=display_path(output), field="--peildatum",
                               hint="Open dat assessment, of kies een andere peildatum.")
    text = assessment_yaml(new, display_path(output))
    verify(text, display_path(output), new)
    write_atomic(output, text, force=False, inputs=(previous,) if previous is not None else ())
    return output
