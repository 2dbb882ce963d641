"""Renderers for `kader sweep` (the regional matrix and summaries) and `kader trend` (progress over
peildata): text (rich), Markdown, JSON and CSV."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from rich.cells import cell_len
from rich.table import Table
from rich.text import Text

from kadertoets.model import Status
from kadertoets.sweep.sweep import Sweep
from kadertoets.sweep.trend import CHANGE_LABEL, Trend
from kadertoets.infra.textsafe import clean
from kadertoets.render import (column_widths, word_width, STATUS_LABEL, STATUS_STYLE, STATUS_SYMBOL, Options, console, console_text, csv_text,
               md_escape, renderer, rich_text, safe_text, stream_renderer)
from kadertoets.load.region import AMONG_PATHS, is_region_file, missing_text as region_missing_text
from kadertoets.render import WAITING_LEGEND, WAITING_SYMBOL
from kadertoets.render.boxtable import box_table, plain_lines
from kadertoets.render.check import evaluation_json, region_json
from kadertoets.infra.cli_names import suggest
from kadertoets.infra.dates import dutch_date, dutch_datetime, period

MAX_TEXT_COLUMNS = 20  # wider matrices only in markdown, csv and json (a terminal cannot show them)
MAX_RICH_ROWS = 200  # longer per-team tables as plain aligned columns (rich is slow on thousands of rows)
LEGEND = "Legenda: " + ", ".join(f"{STATUS_SYMBOL[s]} {STATUS_LABEL[s]}" for s in
                                 (Status.VOLDOET, Status.DEELS, Status.VOLDOET_NIET, Status.ONBEKEND, Status.NVT))
COUNT_ORDER = [Status.VOLDOET, Status.DEELS, Status.VOLDOET_NIET, Status.ONBEKEND, Status.NVT]


def rows_by_theme(sweep: Sweep):
    """Requirement rows (rule id, title, theme) of the matrix, grouped by theme."""
    reqs = {r.rule_id: r for r in sweep.requirements()}
    return sorted(reqs.values(), key=lambda r: (r.theme, r.rule_id))


def cell(ev, rule_id: str) -> Status | None:
    for f in ev.findings:
        if f.rule_id == rule_id:
            return f.status
    return None


def waits(ev, rule_id: str) -> bool:
    """Whether the team's finding for the rule waits on the region (its cell shows the region's gap)."""
    return any(f.rule_id == rule_id and f.waits_on for f in ev.findings)


def cell_symbol(ev, rule_id: str) -> str:
    """The matrix symbol: the status, R for a requirement waiting on the region, · when not in the version."""
    st = cell(ev, rule_id)
    if st is None:
        return "·"
    return WAITING_SYMBOL if st == Status.VOLDOET_NIET and waits(ev, rule_id) else STATUS_SYMBOL[st]


def region_section(sweep: Sweep) -> list[str]:
    """What the region itself still has to deliver (the requirements teams wait on, with how many
    teams), which regional state was read, or that it is missing and how to add it."""
    lines = []
    for r in sweep.regions:
        lines.append(f"Stand van de regio: {r.name}, peildatum {dutch_date(r.reference_date)} ({r.file})")
    if sweep.region_missing:
        days = sorted({ev.assessment.reference_date for ev in sweep.evaluations if ev.region_missing})
        lines.append(region_missing_text(days[0], AMONG_PATHS))
    waiting = sweep.waiting_on_region()
    if waiting:
        lines.append("Wacht op de regio (deze tekorten zijn van de regio, niet van de teams):")
        lines += [f"- {rid}: nog geen {name} ({n} {'team' if n == 1 else 'teams'})" for rid, name, n in waiting]
    return lines


def team_labels(teams) -> dict[str, str]:
    """A label per team id for a region view: the team's name (`team.naam`), unique within the view:
    where two teams would read the same, their ids are added (each round makes the clashing labels
    longer by a unique id, so it ends). Never the gemeente or organisatie: several teams share those."""
    teams = list({t.id: t for t in teams}.values())
    labels = {t.id: t.name or t.id for t in teams}
    for _ in range(len(teams)):
        seen = Counter(labels.values())
        clashing = [tid for tid, label in labels.items() if seen[label] > 1]
        if not clashing:
            break
        for tid in clashing:
            labels[tid] = f"{labels[tid]} [{tid}]"
    return labels


def sweep_labels(sweep: Sweep) -> dict[str, str]:
    return team_labels(ev.assessment.team for ev in sweep.evaluations)


def trend_labels(trend: Trend) -> dict[str, str]:
    return team_labels(t.evaluations[-1].assessment.team for t in trend.teams)


def about(options: Options, versions, days) -> list[tuple[str, str]]:
    """What every export states about itself: the Kader version(s), the peildata it covers and when it
    was made (the caller passes the moment; rendering reads no clock)."""
    rows = [("Kaderversie", ", ".join(sorted(set(versions))) or "geen"), ("Peildata", period(days) or "geen")]
    if options.made_at is not None:
        rows.append(("Gemaakt op", dutch_datetime(options.made_at)))
    return rows


def sweep_about(sweep: Sweep, options: Options) -> list[tuple[str, str]]:
    return about(options, (ev.kader.version for ev in sweep.evaluations),
                 (ev.assessment.reference_date for ev in sweep.evaluations))


def trend_about(trend: Trend, options: Options) -> list[tuple[str, str]]:
    evs = [ev for t in trend.teams for ev in t.evaluations]
    return about(options, (ev.kader.version for ev in evs), (ev.assessment.reference_date for ev in evs))


def about_line(rows) -> str:
    return " · ".join(f"{k}: {v}" for k, v in rows)


def invalid_count(invalid) -> str:
    return "1 ONGELDIG BESTAND" if len(invalid) == 1 else f"{len(invalid)} ONGELDIGE BESTANDEN"


def missing_note(invalid) -> str:
    """What the invalid files mean for the overview: teams missing, and (for an invalid regional file)
    that no team reads the region's state."""
    region = any(is_region_file(Path(i.file)) for i in invalid)
    teams = any(not is_region_file(Path(i.file)) for i in invalid)
    parts = (["deze teams ontbreken in het overzicht"] if teams else []) + \
        (["geen team leest de stand van de regio"] if region else [])
    return "; ".join(parts)


def invalid_lines(invalid) -> list[str]:
    out = []
    for item in invalid:
        for p in item.problems:
            out.append(p.render())
    return out


# ------------------------------------------------------------------ sweep --------------------
MAX_TEAM_COLUMN = 20  # a longer team id wraps in its header (an id has no spaces to wrap at)


def _first_column_width(reqs) -> int:
    """Wide enough for every word of a theme and every indented requirement id: never cut."""
    words = [w for r in reqs for w in r.theme.split()] + ["  " + r.rule_id for r in reqs] + ["Thema / eis"]
    return min(40, max(12, max(cell_len(clean(w)) for w in words)))


def _team_column_width(ev) -> int:
    return min(MAX_TEAM_COLUMN, max(1, cell_len(clean(ev.assessment.team.id))))


def _team_chunks(evs, room: int) -> list[list]:
    """The teams in groups whose columns fit beside the first column (at least one team per group):
    on a narrow terminal the matrix is shown in parts, never squeezed or cut."""
    chunks, current, used = [], [], 0
    for ev in evs:
        width = _team_column_width(ev) + 3  # padding and border
        if current and used + width > room:
            chunks.append(current)
            current, used = [], 0
        current.append(ev)
        used += width
    return chunks + [current] if current else chunks


def _matrix_table(evs, reqs, first: int) -> Table:
    table = Table(show_lines=False, header_style="bold", expand=False)
    table.add_column("Thema / eis", min_width=first, max_width=first, overflow="fold")
    for ev in evs:
        table.add_column(clean(ev.assessment.team.id), justify="center", overflow="fold",
                         min_width=_team_column_width(ev), max_width=_team_column_width(ev))
    last_theme = None
    for req in reqs:
        if req.theme != last_theme:
            table.add_row(rich_text(req.theme, style="bold"), *[""] * len(evs))
            last_theme = req.theme
        cells = []
        for ev in evs:
            st = cell(ev, req.rule_id)
            cells.append(Text(cell_symbol(ev, req.rule_id), style=STATUS_STYLE[st]) if st else Text("·"))
        table.add_row("  " + req.rule_id, *cells)
    return table


@renderer("sweep", "text")
def sweep_text(sweep: Sweep, options: Options) -> str:
    labels = sweep_labels(sweep)
    con, buf = console(options)
    con.print(Text("Kadertoets: regionaal overzicht", style="bold"))
    con.print(Text(f"{len(sweep.evaluations)} teams" + (f", peildatum tot en met {dutch_date(sweep.reference_date_until)}"
                                                         if sweep.reference_date_until else ", laatste peildatum per team")))
    con.print(rich_text(about_line(sweep_about(sweep, options))))
    if sweep.invalid:
        con.print()
        con.print(Text(f"!! {invalid_count(sweep.invalid)}: {missing_note(sweep.invalid)} !!", style="bold red"))
        for line in invalid_lines(sweep.invalid):
            con.print(rich_text(line))
    evs = list(sweep.evaluations)
    if evs and len(evs) <= MAX_TEXT_COLUMNS:
        con.print()
        con.print(Text("Matrix (eisen per thema × teams)", style="bold"))
        reqs = rows_by_theme(sweep)
        first = _first_column_width(reqs)
        chunks = _team_chunks(evs, options.width - first - 4)
        for n, chunk in enumerate(chunks):
            if len(chunks) > 1:
                start = sum(len(c) for c in chunks[:n]) + 1
                con.print(Text(f"Teams {start}–{start + len(chunk) - 1} van {len(evs)}"))
            con.print(_matrix_table(chunk, reqs, first))
        con.print(Text(LEGEND + ", " + WAITING_LEGEND + ", · niet in de Kaderversie van dit team"))
        con.print(rich_text("Teams: " + "; ".join(f"{ev.assessment.team.id} = {labels[ev.assessment.team.id]}, peildatum "
                                              f"{dutch_date(ev.assessment.reference_date)}" for ev in evs)))
    elif evs:
        con.print()
        con.print(Text(f"De matrix van {len(evs)} teams past niet in een terminal; gebruik {suggest('--formaat')} markdown, csv "
                       "of json."))
    region = region_section(sweep)
    if region:
        con.print()
        con.print(Text("De regio", style="bold"))
        for line in region:
            con.print(rich_text(line))
    for title, regional in (("Per eis (zwakste eerst)", False), ("Regionale afhankelijkheden (alleen de regio kan "
                                                                  "deze tekorten oplossen)", True)):
        reqs = [r for r in sweep.requirements() if (r.responsible == "regio") == regional]
        if not reqs:
            continue
        con.print()
        con.print(Text(title, style="bold"))
        counts = [[str(r.counts[s.value]) for s in COUNT_ORDER] for r in reqs]
        widths = column_widths(options.width, [
            (word_width(["Eis"] + [r.rule_id for r in reqs]), 0),
            (word_width(["Titel"] + [r.title for r in reqs], 12), 1),
            *[(word_width([STATUS_SYMBOL[s]] + [c[i] for c in counts]), 0) for i, s in enumerate(COUNT_ORDER)]])
        table = Table(header_style="bold")
        table.add_column("Eis", width=widths[0])
        table.add_column("Titel", width=widths[1], overflow="fold")
        for s, width in zip(COUNT_ORDER, widths[2:]):
            table.add_column(STATUS_SYMBOL[s], justify="right", width=width)
        for r, row in zip(reqs, counts):
            table.add_row(r.rule_id, r.title, *row)
        con.print(table)
    plain_rows = None
    if evs:
        con.print()
        con.print(Text("Per team", style="bold"))
        teams = sweep.teams()
        # afwijkingen and stale evidence beside completeness, when some team has any (a terminal is narrow)
        extra = any(t.excused or t.expired_exceptions or t.stale_evidence for t in teams)
        header = ["Team", "Peildatum", *[STATUS_SYMBOL[s] for s in COUNT_ORDER], "Compleet"] + \
            (["Afwijking", "Oud bewijs"] if extra else [])
        notes = TEAM_NOTES if extra else TEAM_NOTES[:1]
        rows = []
        for t in teams:
            ev = t.evaluation
            counts = t.counts
            rows.append([clean(f"{ev.assessment.team.id}: {labels[ev.assessment.team.id]}"), dutch_date(ev.assessment.reference_date),
                         *[str(counts[s.value]) for s in COUNT_ORDER], f"{t.completeness:.0%}"]
                        + ([str(t.excused), str(t.stale_evidence)] if extra else []))
        if len(rows) <= MAX_RICH_ROWS:
            widths = column_widths(options.width, [(word_width([r[0] for r in rows], 12), 1)] + [
                (word_width([header[i]] + [r[i] for r in rows]), 0, max(cell_len(x) for x in [header[i]] + [r[i] for r in rows]))
                for i in range(1, len(header))])
            table = Table(header_style="bold")
            table.add_column("Team", width=widths[0], overflow="fold")
            table.add_column("Peildatum", width=widths[1])
            for s, width in zip(COUNT_ORDER, widths[2:]):
                table.add_column(STATUS_SYMBOL[s], justify="right", width=width)
            for name, width in zip(header[2 + len(COUNT_ORDER):], widths[2 + len(COUNT_ORDER):]):
                table.add_column(name, justify="right", width=width)
            for row in rows:
                table.add_row(*row)
            con.print(table)
            for line in notes:
                con.print(Text(line))
        else:
            plain_rows = plain_table(header, rows)
            plain_rows += notes
        totals = totals_line(sweep)
        if totals:
            if plain_rows is not None:
                plain_rows.append(totals)
            else:
                con.print(Text(totals))
    text = console_text(buf)
    if plain_rows:  # many teams: aligned columns without rich (a table of thousands of rows is slow there)
        text = text.rstrip("\n") + "\n" + "\n".join(plain_rows) + "\n"
    return text


TEAM_NOTES = ["Compleet: aandeel van de toepasselijke eisen dat niet onbekend is.",
              "Afwijking: tekorten met een geldige afwijking (staan in de aantallen, maar tellen niet mee voor de "
              "exitcode). Oud bewijs: feiten waarvan het bewijs ouder is dan het Kader toestaat."]


def totals(sweep: Sweep) -> dict[str, int]:
    """Over all teams: gaps with a valid afwijking, gaps whose afwijking expired, facts with stale evidence
    and the teams that have any."""
    teams = sweep.teams()
    return {"geldig": sum(t.excused for t in teams), "verlopen": sum(t.expired_exceptions for t in teams),
            "verouderd_bewijs": sum(t.stale_evidence for t in teams),
            "teams_met_verouderd_bewijs": sum(1 for t in teams if t.stale_evidence)}


def totals_line(sweep: Sweep) -> str | None:
    """The region's afwijkingen and stale evidence in one sentence; None when there are none."""
    n = totals(sweep)
    if not any(n.values()):
        return None
    def many(count: int, one: str, more: str) -> str:
        return f"{count} {one if count == 1 else more}"

    return (f"Regio: {many(n['geldig'], 'tekort', 'tekorten')} met een geldige afwijking (niet meegeteld voor de "
            f"exitcode), {n['verlopen']} met een verlopen afwijking; verouderd bewijs: "
            f"{many(n['verouderd_bewijs'], 'feit', 'feiten')} bij {many(n['teams_met_verouderd_bewijs'], 'team', 'teams')}.")


def plain_table(header: list[str], rows: list[list[str]]) -> list[str]:
    """Lines of an aligned table: the first column left-aligned, the others right-aligned."""
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def line(row):
        return "  ".join([row[0].ljust(widths[0])] + [c.rjust(w) for c, w in zip(row[1:], widths[1:])]).rstrip()

    return [line(header), "  ".join("-" * w for w in widths)] + [line(r) for r in rows]


@renderer("sweep", "markdown")
def sweep_markdown(sweep: Sweep, options: Options) -> str:
    labels = sweep_labels(sweep)
    evs = list(sweep.evaluations)
    lines = ["# Regionaal overzicht lokale teams", "", md_escape(about_line(sweep_about(sweep, options))), ""]
    if sweep.invalid:
        lines += [f"**Let op: {invalid_count(sweep.invalid).lower()}; {missing_note(sweep.invalid)}.**", ""]
        lines += [f"- {md_escape(line)}" for line in invalid_lines(sweep.invalid)] + [""]
    if evs:
        lines += ["## Matrix", "", LEGEND + "; " + WAITING_LEGEND + "; · niet in de Kaderversie van dit team", ""]
        lines.append("| Thema | Eis | " + " | ".join(md_escape(labels[ev.assessment.team.id]) for ev in evs) + " |")
        lines.append("|---|---|" + "---|" * len(evs))
        for req in rows_by_theme(sweep):
            cells = [cell_symbol(ev, req.rule_id) for ev in evs]
            lines.append(f"| {md_escape(req.theme)} | {md_escape(req.rule_id)} | " + " | ".join(cells) + " |")
        lines.append("")
    region = region_section(sweep)
    if region:
        lines += ["## De regio", ""] + [line if line.startswith("- ") else md_escape(line) for line in region] + [""]
    header = "| Eis | Titel | " + " | ".join(STATUS_LABEL[s] for s in COUNT_ORDER) + " |"
    for title, regional in (("Per eis (zwakste eerst)", False), ("Regionale afhankelijkheden", True)):
        reqs = [r for r in sweep.requirements() if (r.responsible == "regio") == regional]
        if reqs:
            lines += [f"## {title}", "", header, "|---|---|" + "---:|" * len(COUNT_ORDER)]
            lines += [f"| {md_escape(r.rule_id)} | {md_escape(r.title)} | "
                      + " | ".join(str(r.counts[s.value]) for s in COUNT_ORDER)
                      + " |" for r in reqs]
            lines.append("")
    if evs:
        lines += ["## Per team", "", "| Team | Peildatum | " + " | ".join(STATUS_LABEL[s] for s in COUNT_ORDER)
                  + " | Compleet | Afwijking | Oud bewijs |", "|---|---|" + "---:|" * (len(COUNT_ORDER) + 3)]
        for t in sweep.teams():
            ev = t.evaluation
            lines.append(f"| {md_escape(labels[ev.assessment.team.id])} | {dutch_date(ev.assessment.reference_date)} | "
                         + " | ".join(str(t.counts[s.value]) for s in COUNT_ORDER)
                         + f" | {t.completeness:.0%} | {t.excused} | {t.stale_evidence} |")
        lines += [""] + TEAM_NOTES
        totals = totals_line(sweep)
        if totals:
            lines += ["", totals]
        lines.append("")
    return safe_text("\n".join(lines))


def requirement_json(r) -> dict:
    return {"eis": r.rule_id, "titel": r.title, "thema": r.theme, "verantwoordelijk": r.responsible,
            "aantallen": r.counts}


def invalid_json(invalid) -> list[dict]:
    return [{"bestand": i.file, "fouten": [{"regel": p.line, "kolom": p.column, "veld": p.field,
                                            "melding": p.message, "oplossing": p.hint} for p in i.problems]}
            for i in invalid]


@stream_renderer("sweep", "json")
def sweep_json(sweep: Sweep, options: Options):
    """The sweep's JSON in pieces, team by team (render() joins them): one team's JSON object exists
    only while it is written, so 15,000 teams (~35-50 KB each) never make one document in memory."""
    from kadertoets.render.jsonstream import Stream, json_chunks

    def teams():
        for t in sweep.teams():
            data = evaluation_json(t.evaluation)
            data["compleetheid"] = round(t.completeness, 4)
            yield data  # with tekorten_met_afwijking and verouderd_bewijs, as kader check gives them

    total = totals(sweep)
    counts = [ev.counts() for ev in sweep.evaluations]  # once per team (a dict made per call)
    data = {
        "peildatum_tot_en_met": sweep.reference_date_until.isoformat() if sweep.reference_date_until else None,
        "teams": Stream(teams()),
        "eisen": [requirement_json(r) for r in sweep.requirements()],
        "ongeldige_bestanden": invalid_json(sweep.invalid),
        "samenvatting": {s.value: sum(c[s.value] for c in counts) for s in Status},
        "regio": [region_json(r) for r in sweep.regions],
        "regio_ontbreekt": sweep.region_missing,
        "wacht_op_regio": [{"eis": rid, "product": name, "teams": n} for rid, name, n in sweep.waiting_on_region()],
        "tekorten_met_afwijking": {k: v for k, v in total.items() if k in ("geldig", "verlopen")},
        "verouderd_bewijs": {"feiten": total["verouderd_bewijs"], "teams": total["teams_met_verouderd_bewijs"]},
    }
    return json_chunks(data)


SWEEP_CSV = ["gemeente", "organisatie", "team", "peildatum", "kader", "eis", "titel", "thema", "verantwoordelijk",
             "status", "reden", "wacht_op", "afwijking", "afwijking_geldig_tot", "verouderd_bewijs"]


def finding_extra_cells(f) -> list:
    """The CSV and XLSX cells of a finding after its reason: its afwijking ('geldig' or 'verlopen', as
    codes), the afwijking's last day, and the paths of its facts with stale evidence."""
    e = f.exception
    return ["" if e is None else ("geldig" if e.valid else "verlopen"), "" if e is None else e.valid_until.isoformat(),
            ", ".join(f.stale_evidence)]
MADE_AT_COLUMN = "gemaakt_op"  # the moment of the export, in every row of a CSV file (it has no other place)


def made_at_text(options: Options) -> str:
    return options.made_at.isoformat(timespec="minutes") if options.made_at is not None else ""


@renderer("sweep", "csv")
def sweep_csv(sweep: Sweep, options: Options) -> str:
    """One row per team × requirement."""
    made = made_at_text(options)
    return csv_text(SWEEP_CSV + [MADE_AT_COLUMN], (
        [ev.assessment.team.municipality, ev.assessment.team.organisation, ev.assessment.team.id,
         ev.assessment.reference_date.isoformat(), ev.kader.version, f.rule_id, f.title, f.theme, f.responsible,
         f.status.value, f.reason, f.waits_on or "", *finding_extra_cells(f), made]
        for ev in sweep.evaluations for f in ev.findings))


# ------------------------------------------------------------------ trend --------------------
def progress_text(p: dict) -> str:
    return (f"{dutch_date(p['peildatum'])}: {p['acties']} acties, {p['behaald']} behaald, "
            f"{p['verlopen']} verlopen, {p['verplaatst']} verplaatst")


def trend_cell(status, change) -> str:
    symbol = STATUS_SYMBOL[status] if status else "·"
    return f"{symbol} {CHANGE_LABEL[change]}"


REGION_RULE = ("Per peildatum telt elk team mee met zijn laatste assessment op of vóór die datum; is dat van een "
               "eerdere peildatum, dan is het overgenomen, met de uitkomst van toen. Een team zonder assessment "
               "tot die datum telt niet mee. Per team hieronder alleen zijn eigen peildata.")
MAX_NAMED = 10  # teams named in a note; beyond that "en N andere"


def teams_count(n: int) -> str:
    return "1 team" if n == 1 else f"{n} teams"


def capped(first: list[str], total: int, limit: int = MAX_NAMED) -> list[str]:
    """At most `limit` of `total` items, then 'en N andere'; `first`: the first items (at least
    `limit` of them, or all), so that a long list need not be made to be cut."""
    return first if total <= limit else first[:limit] + [f"en {total - limit} andere"]


def region_notes(trend: Trend, labels: dict[str, str]) -> list[tuple]:
    """Per peildatum that needs them, (peildatum, sentence, items): what its totals stand on. The
    teams carried forward (each with the peildatum of the assessment counted, and its Kader version
    when the versions differ), the teams not yet in, and the Kader versions when they differ. A list
    of teams, not a sentence: a team's name may hold commas and 'en'. At most MAX_NAMED teams are
    named (Trend.named finds just those, so the notes do not cost a look at every team per day)."""
    out = []
    named = trend.named(MAX_NAMED)
    for r in trend.region():
        mixed = len(r.versions) > 1
        carried, not_yet = named[r.day]
        if r.carried:
            items = [f"{labels[team.team_id]} (van {dutch_date(ev.assessment.reference_date)}"
                     + (f", Kader {ev.kader.version})" if mixed else ")") for team, ev in carried]
            out.append((r.day, f"{teams_count(r.carried)} met een eerder assessment meegeteld (overgenomen)",
                        capped(items, r.carried)))
        if r.not_yet:
            out.append((r.day, f"{teams_count(r.not_yet)} nog zonder assessment, niet meegeteld",
                        capped([labels[t.team_id] for t in not_yet], r.not_yet)))
        if mixed:
            out.append((r.day, "geteld met verschillende Kaderversies (" + " en ".join(r.versions)
                        + "): elk assessment met de versie waarmee het voor zijn eigen peildatum getoetst is", []))
    return out


@renderer("trend", "text")
def trend_text(trend: Trend, options: Options) -> str:
    labels = trend_labels(trend)
    con, buf = console(options)
    con.print(Text("Kadertoets: voortgang over de peildata", style="bold"))
    con.print(rich_text(about_line(trend_about(trend, options))))
    if trend.invalid:
        con.print()
        con.print(Text(f"!! {invalid_count(trend.invalid)}: niet meegeteld !!", style="bold red"))
        for line in invalid_lines(trend.invalid):
            con.print(rich_text(line))
    con.print()
    con.print(Text("Regio: aantallen per status per peildatum", style="bold"))
    con.print(Text(REGION_RULE))

    def line(text: str, style: str = "") -> None:
        """Print one paragraph; without colour straight into the buffer (the same text, without rich's cost)."""
        fast = None if options.color else "\n" if not text else plain_lines(text, options.width)
        if fast is None:
            con.print(rich_text(text, style=style) if text else "")
        else:
            buf.write(fast)

    header = ["Peildatum", "teams"] + [STATUS_LABEL[s] for s in COUNT_ORDER]
    rows = [[dutch_date(r.day), str(r.teams), *[str(r.counts[s.value]) for s in COUNT_ORDER]] for r in trend.region()]
    fast = None if options.color else box_table(header, rows, [0] * len(header), options.width,
                                                 ["left"] + ["right"] * (len(header) - 1))
    if fast is None:
        table = Table(header_style="bold")
        table.add_column("Peildatum", no_wrap=True)
        table.add_column("teams", justify="right")
        for s in COUNT_ORDER:
            table.add_column(STATUS_LABEL[s], justify="right")
        for row in rows:
            table.add_row(*row)
        con.print(table)
    else:
        buf.write(fast)
    for day, sentence, items in region_notes(trend, labels):
        line(f"{dutch_date(day)}: {sentence}" + (":" if items else "."))
        for item in items:
            line(f"  - {item}")

    for team in trend.teams:
        last = team.evaluations[-1]
        line("")
        line(f"{team.team_id}: {labels[last.assessment.team.id]}", style="bold")
        rids = team.rule_ids()
        labels_of = [requirement_label(team, rid) for rid in rids]
        first = word_width(["Eis"] + labels_of)
        columns = list(range(len(team.dates)))
        groups, current, used = [], [], 0
        for i in columns:  # the peildata in groups whose columns fit beside the requirement ids
            width = max(cell_len(dutch_date(team.dates[i])), 12) + 3
            if current and used + width > options.width - first - 4:
                groups.append(current)
                current, used = [], 0
            current.append(i)
            used += width
        groups.append(current)
        statuses = [team.statuses(rid) for rid in rids]
        changes = [team.changes(rid) for rid in rids]
        for group in groups:
            fast = None if options.color else box_table(
                ["Eis"] + [dutch_date(team.dates[i]) for i in group],
                [[label] + [trend_cell(st[i], ch[i]) for i in group] for label, st, ch in zip(labels_of, statuses, changes)],
                [first] + [12] * len(group), options.width)
            if fast is not None:  # the same text as the rich Table below, without its cost (most of a large trend)
                buf.write(fast)
                continue
            table = Table(header_style="bold", expand=False)
            table.add_column("Eis", min_width=first, overflow="fold")
            for i in group:
                table.add_column(dutch_date(team.dates[i]), min_width=12)
            for label, st, ch in zip(labels_of, statuses, changes):
                table.add_row(label, *[Text(trend_cell(st[i], ch[i]), style=STATUS_STYLE[st[i]] if st[i] else "")
                                       for i in group])
            con.print(table)
        line("Transformatieplan: " + "; ".join(progress_text(p) for p in team.plan_progress()))
    con.print()
    con.print(Text(LEGEND + "; · niet in de Kaderversie van die peildatum"))
    return console_text(buf)


def requirement_label(team, rule_id: str) -> str:
    """The requirement's id, with its earlier ids when it was renamed, split or merged."""
    former = team.former_ids(rule_id)
    return f"{rule_id} (voorheen {', '.join(former)})" if former else rule_id


@renderer("trend", "markdown")
def trend_markdown(trend: Trend, options: Options) -> str:
    labels = trend_labels(trend)
    lines = ["# Voortgang lokale teams", "", md_escape(about_line(trend_about(trend, options))), ""]
    if trend.invalid:
        lines += [f"**Let op: {invalid_count(trend.invalid).lower()}, niet meegeteld.**", ""]
        lines += [f"- {md_escape(line)}" for line in invalid_lines(trend.invalid)] + [""]
    lines += ["## Regio per peildatum", "", REGION_RULE, "",
              "| Peildatum | Teams | " + " | ".join(STATUS_LABEL[s] for s in COUNT_ORDER) + " |",
              "|---|---:|" + "---:|" * len(COUNT_ORDER)]
    for r in trend.region():
        lines.append(f"| {dutch_date(r.day)} | {r.teams} | " + " | ".join(str(r.counts[s.value]) for s in COUNT_ORDER)
                     + " |")
    lines.append("")
    notes = region_notes(trend, labels)
    for day, sentence, items in notes:
        lines.append(f"- {dutch_date(day)}: {md_escape(sentence)}" + (":" if items else "."))
        lines += [f"  - {md_escape(item)}" for item in items]
    if notes:
        lines.append("")
    for team in trend.teams:
        lines += [f"## {md_escape(labels[team.team_id])} ({md_escape(team.team_id)})", "",
                  "| Eis | " + " | ".join(dutch_date(d) for d in team.dates) + " |", "|---|" + "---|" * len(team.dates)]
        for rid in team.rule_ids():
            lines.append(f"| {md_escape(requirement_label(team, rid))} | " + " | ".join(trend_cell(s, c) for s, c in
                                                   zip(team.statuses(rid), team.changes(rid))) + " |")
        lines.append("")
        for p in team.plan_progress():
            lines.append(f"- Transformatieplan {progress_text(p)}")
        lines.append("")
    return safe_text("\n".join(lines))


def region_day_json(trend: Trend, r) -> dict:
    """The region at one peildatum: its counts, the teams counted, those carried forward (each with
    the peildatum and Kader version of the assessment counted), those not yet in, the Kader versions."""
    return {
        "peildatum": r.day.isoformat(),
        "aantallen": r.counts,
        "teams_meegeteld": r.teams,
        "overgenomen": [{"team": team.team_id, "overgenomen_van": ev.assessment.reference_date.isoformat(),
                         "kader": ev.kader.version} for team, ev in trend.carried(r.day)] if r.carried else [],
        "zonder_assessment": [team.team_id for team in trend.not_yet(r.day)] if r.not_yet else [],
        "kaderversies": list(r.versions),
    }


@stream_renderer("trend", "json")
def trend_json(trend: Trend, options: Options):
    """The trend's JSON in pieces, team by team (render() joins them)."""
    from kadertoets.render.jsonstream import Stream, json_chunks

    def teams():
        for team in trend.teams:
            last = team.evaluations[-1].assessment.team
            yield {
                "team": {"id": last.id, "naam": last.name, "gemeente": last.municipality, "organisatie": last.organisation},
                "peildata": [d.isoformat() for d in team.dates],
                "eisen": [{"eis": rid,
                           "voorheen": team.former_ids(rid),
                           "statussen": [s.value if s else None for s in team.statuses(rid)],
                           "veranderingen": team.changes(rid)} for rid in team.rule_ids()],
                "transformatieplan": [{**p, "peildatum": p["peildatum"].isoformat()} for p in team.plan_progress()],
            }

    data = {
        "regio": [region_day_json(trend, r) for r in trend.region()],
        "teams": Stream(teams()),
        "ongeldige_bestanden": invalid_json(trend.invalid),
    }
    return json_chunks(data)


TREND_CSV = ["gemeente", "organisatie", "team", "eis", "peildatum", "status", "verandering", "kader", MADE_AT_COLUMN]


@renderer("trend", "csv")
def trend_csv(trend: Trend, options: Options) -> str:
    """One row per team × requirement × peildatum."""
    made = made_at_text(options)

    def rows():
        for team in trend.teams:
            t = team.evaluations[-1].assessment.team
            for rid in team.rule_ids():
                for ev, s, c in zip(team.evaluations, team.statuses(rid), team.changes(rid)):
                    yield [t.municipality, t.organisation, t.id, rid, ev.assessment.reference_date.isoformat(),
                           s.value if s else "", c, ev.kader.version, made]

    return csv_text(TREND_CSV, rows())

