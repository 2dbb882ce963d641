"""The `kader` command line: a thin layer over `engine` (parse options, call, render, exit code).

Every command ends with `sys.exit(result.exit_code)`: the result of the engine knows its exit code
(kadertoets.infra.exitcodes). Options have Dutch names with the English names of earlier versions as
aliases (kadertoets.infra.cli_options); which format to write, and how, comes from the renderer
registry (kadertoets.render): no command here special-cases a format."""

from __future__ import annotations

import datetime as dt
import gc
import os
import sys
from dataclasses import replace
from pathlib import Path

import click

from kadertoets import __version__
from kadertoets.infra.cli_nl import install as install_dutch
from kadertoets.infra.cli_names import HELP_NAMES, suggest
from kadertoets.infra.cli_options import DutchGroup, PathType, multi_option, option, spelled
from kadertoets.infra.exitcodes import ExitCode
from kadertoets.infra.errors import KaderFout, display_path, excerpt, os_reason
from kadertoets.infra.paths import bundled_assessments
from kadertoets.infra.dates import dutch_date, made_at
from kadertoets.infra.located import hint_with, written_date
from kadertoets.render import (Options, format_of_suffix, formats, has_bom, is_binary, render, render_pieces, suffix_agrees,
                               suffix_of)
from kadertoets.sweep.run import (check_file, kader_dir_or_default, kader_from_spec, load_assessments_against,
                        load_for_assessment, load_kader_for_listing)

# The commands' own machinery (sweep, plan, lint, diff, migrate, test, schema) is imported inside each
# command: `kader check` should not pay for importing what `kader lint` needs.

install_dutch()

EXIT_HELP = """\b
Exitcodes:
  0  geen tekorten: alle eisen voldoen (of zijn niet van toepassing)
  1  tekorten of onbekende eisen gevonden
  2  ongeldige invoer (bestand, YAML, veld, waarde, Kaderversie, optie)
  3  interne fout in kadertoets (niet in de invoer)"""


class FormatChoice(click.Choice):
    """The --formaat choice of a command, read from the renderer registry only when click needs it."""

    def __init__(self, command: str):
        self.command = command
        self.case_sensitive = True

    @property
    def choices(self):
        return tuple(formats(self.command))


OLD_NAMES_HELP = ("De opties hebben Nederlandse namen; de Engelse namen van eerdere versies (--format, --output, "
                  "--force, --as-of, --engine, --kader-dir, --strict, --help, --version) werken ook.")


class DateType(click.ParamType):
    name = "datum"

    def convert(self, value, param, ctx):
        if isinstance(value, dt.date):
            return value
        try:
            day = written_date(value)
        except ValueError:
            day = None
        if day is None:
            self.fail(f"{excerpt(value)} is geen datum; schrijf dd-mm-jjjj (bv. 01-03-2023) of "
                      "JJJJ-MM-DD", param, ctx)
        return day


def terminal_options(show_all: bool = False, to_file: bool = False) -> Options:
    tty = sys.stdout.isatty() and not to_file
    color = tty and "NO_COLOR" not in os.environ
    width = _terminal_columns() if tty else 100
    return Options(color=color, width=max(60, width), show_all=show_all, made_at=made_at())


def _terminal_columns() -> int:
    """The terminal's width as shutil.get_terminal_size gives it (COLUMNS first), without importing
    shutil and its compression modules at every start."""
    try:
        return int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        pass
    try:
        return os.get_terminal_size(sys.__stdout__.fileno()).columns or 100
    except (AttributeError, ValueError, OSError):
        return 100


def kader_dir_option(help: str = "Map met 'kader/' en 'rules/' (standaard: de werkmap als die zelf 'kader/' en "
                                    "'rules/' bevat, anders het meegeleverde Kader 1.0)."):
    return option("--kader-map", "kader_dir", type=PathType(file_okay=False, path_type=Path), metavar="MAP", help=help)


def kader_options(fn, help: str = "Kaderversie (standaard: de versie die het assessment noemt, anders de versie "
                                  "die op de peildatum gold)."):
    fn = option("--kader", "kader_version", metavar="VERSIE", help=help)(fn)
    fn = kader_dir_option()(fn)
    return fn


def latest_kader_options(fn):
    """--kader and --kader-map for a command without an assessment: the newest version by default."""
    return kader_options(fn, help="Kaderversie (standaard: de nieuwste).")


def engine_options(fn):
    fn = option("--motor", "engine", type=click.Choice(["python", "durable"]), default="python", show_default=True,
                help="Evaluatie-engine (rekenmotor); durable vraagt de extra '.[durable]'.")(fn)
    fn = option("--toetsdatum", "as_of", type=DateType(), metavar="DATUM",
                help="Datum waarop getoetst wordt (dd-mm-jjjj of JJJJ-MM-DD; standaard de peildatum van het assessment).")(fn)
    return fn


def region_option(fn):
    return option("--regio", "region", type=PathType(exists=True, dir_okay=False, path_type=Path), metavar="BESTAND",
                  help="Het regiobestand met de stand van de regionale producten (standaard: het regiobestand "
                       "regio*.yaml in de map van het assessment met de laatste peildatum op of voor die van het team).")(fn)


def format_option(command: str, help: str = "Uitvoerformaat.", default: str = "text"):
    return option("--formaat", "fmt", type=FormatChoice(command), default=default, show_default=True, help=help)


def output_option(fn):
    return option("-o", "--uitvoer", "output", type=PathType(path_type=Path), metavar="BESTAND",
                  help="Schrijf naar dit bestand (zonder --formaat volgt het formaat de extensie: .md, .csv, ...).")(fn)


def force_option(help: str = "Overschrijf een bestaand uitvoerbestand."):
    return option("--overschrijf", "force", is_flag=True, help=help)


def output_format(command: str, fmt: str, output: Path | None) -> str:
    """The format to write: --formaat when given (it must agree with the suffix of -o); otherwise, with
    -o, the format the file name's suffix names (`-o regio.xlsx` writes XLSX, not the text table);
    otherwise the command's default. Refuses what would write one thing under another's name, and a
    binary format (render.is_binary) without -o, before any work is done."""
    from click.core import ParameterSource

    ctx = click.get_current_context()
    written = spelled(ctx, "fmt", "--formaat")  # --formaat, or --format as the user wrote it
    if output is None:
        check_binary_target(fmt, written)
        return fmt
    explicit = ctx.get_parameter_source("fmt") not in (ParameterSource.DEFAULT, ParameterSource.DEFAULT_MAP)
    suffix = output.suffix
    available = formats(command)
    shown = excerpt(suffix or output.name, 20)
    if explicit:
        if not suffix_agrees(fmt, suffix):
            raise KaderFout.single(
                f"de bestandsnaam eindigt op {shown}, maar {written} is {fmt}", file=display_path(output), field="-o",
                hint=f"Laat {written} weg (dan volgt het formaat de bestandsnaam) of noem het bestand *{suffix_of(fmt)}."
                if suffix_of(fmt) else f"Laat {written} weg of kies een bestandsnaam die bij het formaat past.")
        return fmt
    named = format_of_suffix(suffix)
    if named is None or named not in available:
        choices = ", ".join(suffix_of(f) for f in available if suffix_of(f))
        raise KaderFout.single(
            f"uit de bestandsnaam ({shown}) blijkt niet welk formaat 'kader {command}' moet schrijven",
            file=display_path(output), field="-o",
            hint=f"Gebruik een bestandsnaam die eindigt op {choices}, of geef {suggest('--formaat')}.")
    return named


def check_binary_target(fmt: str, option_name: str = "--formaat") -> None:
    """A binary format (render.is_binary) is written to a file only, never to the terminal."""
    if is_binary(fmt):
        suffix = suffix_of(fmt) or f".{fmt}"
        raise KaderFout.single(f"het formaat {fmt} is binair en kan niet naar het scherm geschreven worden",
                               field=option_name, hint=f"Schrijf naar een bestand met -o, bijvoorbeeld -o regio{suffix}.")


def emit(text, output: Path | None, force: bool, fmt: str = "text", inputs: tuple = ()) -> None:
    """Write the rendered result (text, bytes, or text in pieces as render_pieces gives it) to the
    terminal or, atomically, to -o; the registry says whether the format is binary (never to a
    terminal) and whether a file gets a byte-order mark. Pieces are written as they are made."""
    bom = has_bom(fmt)
    if output is None:
        check_binary_target(fmt)  # output_format refused it already; never write bytes to a terminal
        try:
            if isinstance(text, str):
                click.echo(text, nl=not text.endswith("\n"))
            else:
                last = ""
                for piece in text:
                    if piece:
                        click.echo(piece, nl=False)
                        last = piece
                if not last.endswith("\n"):
                    click.echo("")
        except OSError as exc:
            raise KaderFout.single(f"de uitvoer kan niet geschreven worden ({os_reason(exc)})", field="uitvoer",
                                   hint="Controleer waar de uitvoer heen gaat (schijf vol, gesloten pijp?).") from None
    else:
        from kadertoets.infra.output import write_atomic  # only when writing a file

        write_atomic(output, text, force=force, bom=bom, inputs=inputs)
        click.echo(f"Geschreven: {excerpt(output, 300, quote=False)}", err=True)


def warn_as_of(evaluation) -> None:
    if evaluation.as_of < evaluation.assessment.reference_date:
        name = spelled(click.get_current_context(silent=True), "as_of", "--toetsdatum")
        click.echo(f"Let op: {name} {dutch_date(evaluation.as_of)} ligt vóór de peildatum "
                   f"{dutch_date(evaluation.assessment.reference_date)}; datums in het assessment na {name} "
                   "tellen dan als 'nog niet'.", err=True)


class KaderGroup(DutchGroup):
    """Turns every KaderFout into a Dutch message on stderr and exit code 2, never a traceback (and any
    other exception into exit code 3). Its commands have Dutch option names (cli_options.DutchCommand)."""

    def invoke(self, ctx):
        # What the imports made lives as long as the process: moved out of the collector's sight, so
        # that its collections during a command walk only what the command makes (a few ms of a check).
        gc.freeze()
        try:
            return super().invoke(ctx)
        except KaderFout as exc:
            click.echo("Fout: " + exc.render(), err=True)
            ctx.exit(ExitCode.INVALID)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except KeyboardInterrupt:
            click.echo("Afgebroken.", err=True)
            ctx.exit(130)
        except Exception as exc:  # a bug: say so plainly, in Dutch, without a traceback
            if os.environ.get("KADERTOETS_DEBUG"):
                raise
            click.echo(f"Interne fout ({type(exc).__name__}: {excerpt(exc, 200, quote=False)}). Dit is een fout in kadertoets; "
                       "meld het met het commando en het bestand. Zet KADERTOETS_DEBUG=1 voor details.", err=True)
            ctx.exit(ExitCode.INTERNAL)


@click.group(cls=KaderGroup, options_metavar="[OPTIES]", subcommand_metavar="OPDRACHT [ARGUMENTEN]...", help="Kadertoets: toets lokale teams aan het Kader lokale teams regio Amersfoort.\n\n"
             + EXIT_HELP + "\n\n" + OLD_NAMES_HELP,
             context_settings={"help_option_names": HELP_NAMES, "max_content_width": 100},
             invoke_without_command=True)
@click.version_option(__version__, "--versie", "--version", prog_name="kader")
@click.pass_context
def main(ctx):
    if ctx.invoked_subcommand is None:  # plain `kader`: the overview, which is not an error
        click.echo(ctx.get_help())
        ctx.exit(ExitCode.OK)


@main.command(options_metavar="[OPTIES]", help="Toon de tekortenlijst van een team: per eis de status en de reden.\n\n" + EXIT_HELP)
@click.argument("assessment", type=PathType(dir_okay=True, path_type=Path))
@format_option("check")
@option("--alles", is_flag=True, help="Toon ook eisen die voldoen of niet van toepassing zijn.")
@region_option
@engine_options
@kader_options
def check(assessment, fmt, alles, region, as_of, engine, kader_dir, kader_version):
    fmt = output_format("check", fmt, None)
    evaluation = check_file(assessment, kader_dir, kader_version, as_of, engine, region)
    warn_as_of(evaluation)
    emit(render("check", fmt, evaluation, terminal_options(show_all=alles)), None, False, fmt)
    sys.exit(evaluation.exit_code)


@main.command(options_metavar="[OPTIES]", help="Maak het transformatieplan: acties per eigenaar en deadline, met de eigen acties van het team.\n\n"
              "Met --formaat yaml krijgt u het blok 'transformatieplan:' om terug te zetten in het assessment; "
              "met --bijwerken zet kadertoets de voorgestelde acties zelf in dat blok (de eigen acties, de "
              "opmerkingen en de rest van het bestand blijven zoals ze zijn; nog eens uitvoeren voegt niets dubbel toe).\n\n"
              "Een voorgestelde actie waarvan de Kader-deadline op de peildatum (of --toetsdatum) al verstreken is, "
              "krijgt een nieuwe deadline: 3 maanden na die datum; de Kader-deadline blijft erbij staan.\n\n"
              + EXIT_HELP)
@click.argument("assessment", type=PathType(dir_okay=True, path_type=Path))
@format_option("plan", default="markdown")
@output_option
@force_option()
@option("--bijwerken", "update", is_flag=True,
        help="Zet de voorgestelde acties in het blok 'transformatieplan:' van het assessment zelf (veilig: "
             "alles of niets, en niet als het bestand intussen veranderde).")
@region_option
@engine_options
@kader_options
def plan(assessment, fmt, output, force, update, region, as_of, engine, kader_dir, kader_version):
    from kadertoets.evaluate.plan import build_plan

    if update:
        _plan_update(assessment, fmt, output, force, as_of, engine, kader_dir, kader_version, region)
    fmt = output_format("plan", fmt, output)
    evaluation = check_file(assessment, kader_dir, kader_version, as_of, engine, region)
    warn_as_of(evaluation)
    result = build_plan(evaluation)
    text = render("plan", fmt, result, terminal_options(to_file=output is not None))
    emit(text, output, force, fmt, inputs=(assessment,))
    sys.exit(result.exit_code)


def _plan_update(assessment, fmt, output, force, as_of, engine, kader_dir, kader_version, region=None):
    """`kader plan --bijwerken`: the proposals into the assessment itself, and a Dutch account of it."""
    from click.core import ParameterSource

    from kadertoets.editors.planwrite import FORMAT, update_plan_file

    ctx = click.get_current_context()
    name = spelled(ctx, "update", "--bijwerken")
    if output is not None or force:
        other = spelled(ctx, "output", "-o") if output is not None else spelled(ctx, "force", "--overschrijf")
        raise KaderFout.single(f"{name} schrijft in het assessment zelf; {other} past daar niet bij", field=other,
                               hint=f"Laat {other} weg, of laat {name} weg om het plan naar een ander bestand te schrijven.")
    if ctx.get_parameter_source("fmt") not in (ParameterSource.DEFAULT, ParameterSource.DEFAULT_MAP) and fmt != FORMAT:
        written = spelled(ctx, "fmt", "--formaat")
        raise KaderFout.single(f"{name} schrijft het blok 'transformatieplan:' in YAML; {written} {fmt} past daar "
                               "niet bij", field=written,
                               hint=f"Laat {written} weg, of laat {name} weg om het plan als {fmt} te tonen.")
    result = update_plan_file(assessment, kader_dir, kader_version, as_of, engine, region)
    warn_as_of(result.plan.evaluation)
    shown = excerpt(result.file, 300, quote=False)
    kept = f"{result.kept} eigen {'actie' if result.kept == 1 else 'acties'} van het team ongewijzigd"
    if result.written:
        n = len(result.added)
        click.echo(f"Transformatieplan bijgewerkt in {shown}: {n} voorgestelde {'actie' if n == 1 else 'acties'} "
                   f"toegevoegd, {kept}.")
        for item in result.added:
            click.echo(f"- {excerpt(item.requirement, 40, quote=False)}: {excerpt(item.description, 120, quote=False)} "
                       f"(deadline {dutch_date(item.deadline) if item.deadline else 'geen'})")
    else:
        click.echo(f"Transformatieplan in {shown} is al bij: geen acties toe te voegen, {kept}. "
                   "Het bestand is niet gewijzigd.")
    sys.exit(result.exit_code)


SWEEP_EXIT_HELP = """\b
Exitcodes:
  0  geen tekorten bij alle teams
  1  tekorten of onbekende eisen bij een of meer teams
  2  een of meer ongeldige bestanden (die staan bovenaan de uitvoer), of ongeldige opties
  3  interne fout in kadertoets bij een bestand (bovenaan; de andere teams zijn wel getoetst)"""


def sweep_options(fn):
    fn = option("--geen-cache", "no_cache", is_flag=True,
                help="Gebruik de cache met ingelezen assessments niet (lees elk bestand opnieuw en schrijf "
                     "niets in de cache). De cache staat in $KADERTOETS_CACHE_DIR, anders "
                     "$XDG_CACHE_HOME/kadertoets of ~/.cache/kadertoets; hij verandert nooit de uitkomst.")(fn)
    fn = force_option()(fn)
    fn = output_option(fn)
    return fn


@main.command(options_metavar="[OPTIES]", help="Regionaal overzicht: alle assessments onder de gegeven bestanden en "
              "mappen (recursief, *.yaml/*.yml), de matrix van teams en eisen, per eis en per team.\n\n"
              "Per team telt het laatste assessment (of het laatste op of vóór --peildatum).\n\n" + SWEEP_EXIT_HELP)
@click.argument("paths", nargs=-1, required=True, type=PathType(path_type=Path), metavar="PAD...")
@format_option("sweep")
@option("--peildatum", "reference_date_until", type=DateType(), metavar="DATUM",
        help="Gebruik per team het laatste assessment op of vóór deze datum (dd-mm-jjjj of JJJJ-MM-DD).")
@sweep_options
@engine_options
@kader_options
def sweep(paths, fmt, reference_date_until, output, force, no_cache, as_of, engine, kader_dir, kader_version):
    from kadertoets.sweep.sweep import load_sweep

    fmt = output_format("sweep", fmt, output)
    result = load_sweep(paths, kader_dir, kader_version, reference_date_until, as_of, engine, use_cache=not no_cache)
    for warning in result.warnings:  # e.g. a cache that could not be used: once, on stderr
        click.echo(warning, err=True)
    text = render_pieces("sweep", fmt, result, terminal_options(to_file=output is not None))
    emit(text, output, force, fmt, inputs=tuple(result_files(result)))
    sys.exit(result.exit_code)


@main.command(options_metavar="[OPTIES]", help="Voortgang over de peildata: per team en eis de status per peildatum "
              "en wat er veranderde (verbeterd, verslechterd, gelijk, nieuw, gewijzigd), de aantallen van de regio "
              "per peildatum en de voortgang van de transformatieplannen.\n\n" + SWEEP_EXIT_HELP)
@click.argument("paths", nargs=-1, required=True, type=PathType(path_type=Path), metavar="PAD...")
@format_option("trend")
@sweep_options
@engine_options
@kader_options
def trend(paths, fmt, output, force, no_cache, as_of, engine, kader_dir, kader_version):
    from kadertoets.sweep.sweep import load_sweep
    from kadertoets.sweep.trend import build_trend

    fmt = output_format("trend", fmt, output)
    swept = load_sweep(paths, kader_dir, kader_version, None, as_of, engine, use_cache=not no_cache)
    for warning in swept.warnings:  # e.g. a cache that could not be used: once, on stderr
        click.echo(warning, err=True)
    result = build_trend(swept)
    text = render_pieces("trend", fmt, result, terminal_options(to_file=output is not None))
    emit(text, output, force, fmt, inputs=tuple(result_files(swept)))
    sys.exit(result.exit_code)


def result_files(result):
    return [ev.assessment.file for ev in result.all_evaluations] + [i.file for i in result.invalid]


@main.command(options_metavar="[OPTIES]", help="Toon de eisen van een Kaderversie.")
@format_option("rules")
@latest_kader_options
def rules(fmt, kader_dir, kader_version):
    fmt = output_format("rules", fmt, None)
    kader = load_kader_for_listing(kader_dir, kader_version)
    emit(render("rules", fmt, kader, terminal_options()), None, False, fmt)
    sys.exit(ExitCode.OK)  # a listing: shown, or refused with exit 2 before


@main.command(options_metavar="[OPTIES]", help="Leg één eis volledig uit: tekst, bron, norm, wie het tekort kan oplossen en de actie.")
@click.argument("rule_id", metavar="EIS")
@format_option("explain")
@latest_kader_options
def explain(rule_id, fmt, kader_dir, kader_version):
    fmt = output_format("explain", fmt, None)
    kader = load_kader_for_listing(kader_dir, kader_version)
    rule = kader.rules.get(rule_id) or kader.rules.get(rule_id.upper())
    if rule is None:
        raise KaderFout.single(f"onbekende eis {excerpt(rule_id)} in Kader {kader.version}", field="EIS",
                               hint=hint_with(rule_id.upper(), kader.rules, "Zie 'kader rules' voor de lijst."))
    emit(render("explain", fmt, (kader, rule), terminal_options()), None, False, fmt)
    sys.exit(ExitCode.OK)  # shown, or refused with exit 2 before


TEST_EXIT_HELP = """\b
Exitcodes:
  0  alle voorbeelden geslaagd
  1  een of meer voorbeelden mislukt
  2  ongeldige invoer (onbekende eis, ongeldig voorbeeldbestand, Kaderversie, optie)"""


@main.command("test", options_metavar="[OPTIES]",
              help="Draai de voorbeelden van de eisen als tests: per eis geslaagd of mislukt (met de verwachte en de "
                   "werkelijke status en de reden) en welke statussen de voorbeelden bereiken (dekking).\n\n"
                   "Zonder EIS worden alle eisen getoetst.\n\n" + TEST_EXIT_HELP)
@click.argument("rule_ids", nargs=-1, metavar="[EIS]...")
@option("--voorbeelden", "examples_dir", type=PathType(path_type=Path), metavar="MAP",
        help="Map met extra voorbeeldbestanden (*.yaml): 'regel: EIS' en 'voorbeelden:' zoals in een regel.")
@format_option("test")
@output_option
@force_option()
@latest_kader_options
def selftest(rule_ids, examples_dir, fmt, output, force, kader_dir, kader_version):
    from kadertoets.validate.selftest import load_example_files, run_selftest

    fmt = output_format("test", fmt, output)
    kader = load_kader_for_listing(kader_dir, kader_version)
    extra = load_example_files(kader, examples_dir) if examples_dir is not None else []
    result = run_selftest(kader, rule_ids, extra)
    text = render("test", fmt, result, terminal_options(to_file=output is not None))
    inputs = tuple(r.file for r in kader.rules.values()) + tuple(e.file for e in extra)
    emit(text, output, force, fmt, inputs=inputs)
    sys.exit(result.exit_code)


@main.command(options_metavar="[OPTIES]",
              help="Schrijf JSON Schemas voor regels, manifest, vragen en assessments van een Kaderversie, voor "
                   "editors met een YAML-taalserver (aanvulling en controle tijdens het typen).")
@option("-o", "--uitvoer", "folder", required=True, type=PathType(file_okay=False, path_type=Path),
        metavar="MAP", help="Map waarin de schemabestanden komen (wordt aangemaakt).")
@force_option("Overschrijf bestaande schemabestanden.")
@latest_kader_options
def schema(folder, force, kader_dir, kader_version):
    from kadertoets.editors.jsonschema import header_instructions, schema_files

    from kadertoets.infra.output import check_target, write_atomic
    from kadertoets.render import json_text

    kader = load_kader_for_listing(kader_dir, kader_version)
    files = schema_files(kader)
    for name in files:  # refuse before writing anything, not after half the files
        if (folder / name).is_symlink():  # our own files: a link could point anywhere outside the folder
            raise KaderFout.single("dit is een koppeling; schema's worden alleen als gewone bestanden in de map "
                                   "geschreven", file=display_path(folder / name), field="-o",
                                   hint="Verwijder de koppeling of kies een andere map.")
        check_target(folder / name, force)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise KaderFout.single(f"map kan niet gemaakt worden ({os_reason(exc)})", file=str(folder),
                               field="-o", hint="Kies een map waarin u mag schrijven.") from None
    for name, content in files.items():
        write_atomic(folder / name, json_text(content), force=force)
    click.echo(f"{len(files)} schema's geschreven naar {excerpt(folder, 300, quote=False)}.")
    for line in header_instructions(files, folder, kader_dir_or_default(kader_dir), kader.rules_folder):
        click.echo(line)
    sys.exit(ExitCode.OK)  # written, or refused with exit 2 before anything was written


LINT_EXIT_HELP = """\b
Exitcodes:
  0  geen fouten (waarschuwingen mogen, behalve met --streng)
  1  alleen waarschuwingen, met --streng
  2  fouten gevonden"""


@main.command(options_metavar="[OPTIES]",
              help="Controleer het Kader (alle manifesten, vragen en regels) en, als u ze noemt, assessments: alle "
                   "problemen tegelijk, elk als bestand:regel:kolom: code: melding. Naast schemafouten ook normen "
                   "die niet kunnen kloppen, bronnen zonder sectie of citaat, ontbrekende en mislukte voorbeelden.\n\n"
                   + LINT_EXIT_HELP)
@click.argument("paths", nargs=-1, type=PathType(path_type=Path), metavar="[PAD]...")
@format_option("lint", help="Uitvoerformaat (github: annotaties in GitHub Actions).")
@option("--streng", "strict", is_flag=True, help="Exitcode 1 als er alleen waarschuwingen zijn.")
@output_option
@force_option()
@kader_dir_option("Map met 'kader/' en 'rules/' (standaard: de werkmap als die zelf 'kader/' en 'rules/' bevat, "
                  "anders het meegeleverde Kader).")
def lint(paths, fmt, strict, output, force, kader_dir):
    from kadertoets.editors.lint import lint as lint_kader

    fmt = output_format("lint", fmt, output)
    result = lint_kader(kader_dir_or_default(kader_dir), paths)
    emit(render("lint", fmt, result, terminal_options(to_file=output is not None)), output, force, fmt,
         inputs=tuple(paths))
    sys.exit(result.exit_code(strict))  # LintReport: the code depends on --streng, a choice of this run


DIFF_EXIT_HELP = """\b
Exitcodes:
  0  het verschil is getoond
  2  ongeldige invoer (onbekende versie of map, een Kader dat niet laadt, een ongeldig assessment)"""


@main.command(options_metavar="[OPTIES]",
              help="Verschil tussen twee Kaderversies: eisen toegevoegd, verwijderd, hernoemd of gewijzigd (per veld "
                   "oud en nieuw) en vragen toegevoegd, verwijderd of gewijzigd.\n\n"
                   "OUD en NIEUW zijn een versie uit --kader-map (1.0), een Kader-map (de hoogste versie daarin) "
                   "of MAP@VERSIE, zodat u een werkkopie met de gepubliceerde versie kunt vergelijken. Met "
                   "--assessments ziet u per team welke eisen een andere status krijgen.\n\n" + DIFF_EXIT_HELP)
@click.argument("old_spec", metavar="OUD")
@click.argument("new_spec", metavar="NIEUW")
@multi_option("--assessments", "assessment_paths", type=PathType(path_type=Path), metavar="PAD...",
              help="Assessments (bestanden of mappen) om de gevolgen voor de teams te tonen: een of meer paden na "
                   "de optie (--assessments a.yaml b.yaml), tot de volgende optie; de optie mag ook vaker.")
@format_option("diff", help="Uitvoerformaat (markdown voor de changelog).")
@output_option
@force_option()
@kader_dir_option("Map met 'kader/' en 'rules/' voor versies zonder map (standaard: de werkmap als die zelf "
                  "'kader/' en 'rules/' bevat, anders het meegeleverde Kader).")
def diff(old_spec, new_spec, assessment_paths, fmt, output, force, kader_dir):
    from kadertoets.editors.diff import DiffResult, diff_kaders, impact

    fmt = output_format("diff", fmt, output)
    old, old_label = kader_from_spec(old_spec, kader_dir)
    new, new_label = kader_from_spec(new_spec, kader_dir)
    result = DiffResult(diff_kaders(old, new, old_label, new_label))
    if assessment_paths:
        assessments, invalid = load_assessments_against(assessment_paths, old)
        result = result._replace(impact=replace(impact(old, new, assessments), invalid=tuple(invalid)))
    text = render("diff", fmt, result, terminal_options(to_file=output is not None))
    emit(text, output, force, fmt, inputs=tuple(assessment_paths))
    sys.exit(result.exit_code)


MIGRATE_EXIT_HELP = """\b
Exitcodes:
  0  alles overgenomen
  1  overgenomen, maar er zijn feiten te herbevestigen of weggelaten, of acties weggelaten (zie het verslag)
  2  ongeldige invoer (bestand, versie, bestaand uitvoerbestand zonder --overschrijf)"""


@main.command(options_metavar="[OPTIES]",
              help="Zet een assessment over naar een andere Kaderversie en schrijf een nieuw bestand; het origineel "
                   "blijft ongemoeid. Het verslag zegt per feit en per actie wat er gebeurde; nieuwe vragen staan "
                   "als open vragen bovenin het nieuwe bestand.\n\n" + MIGRATE_EXIT_HELP)
@click.argument("assessment", type=PathType(dir_okay=False, path_type=Path))
@option("--naar", "target", required=True, metavar="VERSIE", help="De Kaderversie van het nieuwe bestand.")
@option("-o", "--uitvoer", "output", required=True, type=PathType(dir_okay=False, path_type=Path),
        metavar="NIEUW_BESTAND", help="Het nieuwe assessment.")
@force_option("Overschrijf een bestaand uitvoerbestand (nooit het origineel).")
@format_option("migrate", help="Formaat van het verslag.")
@kader_options
def migrate(assessment, target, output, force, fmt, kader_dir, kader_version):
    from kadertoets.editors.migrate import migrate as migrate_assessment, migration_yaml
    from kadertoets.infra.output import write_atomic

    fmt = output_format("migrate", fmt, None)  # -o is the new assessment; the report goes to the terminal
    check_assessment_name(output)
    kdir = kader_dir_or_default(kader_dir)
    source, old = load_for_assessment(assessment, kdir, kader_version)
    new = load_kader_for_listing(kdir, target)
    result = migrate_assessment(source, old, new)
    write_atomic(output, migration_yaml(result, source_path=assessment, output_path=output), force=force,
                 inputs=(assessment,))
    emit(render("migrate", fmt, result, terminal_options()), None, False, fmt)
    click.echo(f"Geschreven: {excerpt(output, 300, quote=False)}", err=True)
    sys.exit(result.exit_code)


def check_assessment_name(output: Path) -> None:
    """A new assessment (-o of migrate and nieuw) is YAML with a name that kader sweep reads."""
    from kadertoets.sweep.discover import SUFFIXES as READ_BY_SWEEP

    if output.suffix.lower() not in READ_BY_SWEEP:
        raise KaderFout.single("het nieuwe assessment is YAML; de bestandsnaam moet op .yaml of .yml eindigen",
                               file=display_path(output), field=spelled(click.get_current_context(), "output", "-o"),
                               hint="Bijvoorbeeld -o team-2024.yaml; kader sweep leest alleen *.yaml en *.yml.")


NIEUW_EXIT_HELP = """\b
Exitcodes:
  0  het nieuwe assessment is geschreven
  2  ongeldige invoer (bestaand uitvoerbestand, optie, peildatum, Kaderversie, vorig assessment)"""

MAX_ATTEMPTS = 3  # a prompt asks again after a wrong answer, at most this often

PROMPTS = {
    "id": "Team-id (kort: letters, cijfers, '-', '_' en '.', bv. bbs-baarn)",
    "naam": "Naam van het team",
    "gemeente": "Gemeente",
    "organisatie": "Organisatie",
    "taken": "Taken van het team (jeugd, wmo, jeugd,wmo of geen)",
    "peildatum": "Peildatum: de datum waarop de antwoorden gelden (dd-mm-jjjj, bv. 01-03-2024)",
}


def ask(key: str, option_name: str, convert):
    """Ask for a value that was not given as an option, in Dutch; a wrong answer is explained and
    asked again (MAX_ATTEMPTS times). Without input (a script, end of input) the option is missing:
    exit code 2."""
    for _ in range(MAX_ATTEMPTS):
        try:
            raw = click.prompt(PROMPTS[key], default="", show_default=False, err=True)
        except click.exceptions.Abort:
            click.echo("", err=True)
            raise KaderFout.single("ontbreekt, en er kon niet om gevraagd worden (geen invoer)", field=option_name,
                                   hint=f"Geef {option_name} op de opdrachtregel; 'kader nieuw --hulp' toont een "
                                        "voorbeeld.") from None
        try:
            return convert(raw)
        except KaderFout as exc:
            click.echo("Fout: " + exc.render(), err=True)
    raise KaderFout.single(f"na {MAX_ATTEMPTS} pogingen nog geen geldige waarde", field=option_name,
                           hint=f"Geef {option_name} op de opdrachtregel.")


def as_date(value, option_name: str = "--peildatum") -> dt.date:
    try:
        return DateType().convert(value, None, None)
    except click.BadParameter as exc:
        raise KaderFout.single(exc.message, field=option_name) from None


@main.command(options_metavar="[OPTIES]",
              help="Begin een nieuw assessment voor een team: een bestand met alle vragen van de Kaderversie, "
                   "per thema, met bij elke vraag wat u mag invullen. Wat u niet als optie geeft, wordt gevraagd. "
                   "Met --van begint u met de antwoorden, het team en het transformatieplan van een vorig "
                   "assessment van het team.\n\n"
                   "Een bestaand bestand wordt niet overschreven (behalve met --overschrijf).\n\n"
                   + NIEUW_EXIT_HELP)
@option("-o", "--uitvoer", "output", required=True, type=PathType(dir_okay=False, path_type=Path),
        metavar="BESTAND", help="Het nieuwe assessment (.yaml).")
@option("--id", "team_id", metavar="ID", help="Korte naam van het team: letters, cijfers, '-', '_' en '.'.")
@option("--naam", "name", metavar="NAAM", help="Naam van het team.")
@option("--gemeente", "municipality", metavar="GEMEENTE", help="Gemeente van het team.")
@option("--organisatie", "organisation", metavar="ORGANISATIE", help="Organisatie van het team.")
@option("--taken", "tasks", metavar="TAKEN", help="Taken van het team: jeugd, wmo, jeugd,wmo of geen.")
@option("--peildatum", "reference_date", type=DateType(), metavar="DATUM",
        help="De datum waarop de antwoorden gelden (dd-mm-jjjj of JJJJ-MM-DD).")
@option("--van", "previous", type=PathType(dir_okay=False, path_type=Path), metavar="BESTAND",
        help="Een vorig assessment van het team: antwoorden, team en transformatieplan gaan mee; de peildatum "
             "moet later zijn.")
@force_option("Overschrijf een bestaand uitvoerbestand (nooit het vorige assessment).")
@option("--kader", "kader_version", metavar="VERSIE",
        help="Kaderversie (standaard: de versie die op de peildatum geldt).")
@kader_dir_option()
def nieuw(output, team_id, name, municipality, organisation, tasks, reference_date, previous, force,
          kader_version, kader_dir):
    from kadertoets.editors.newassessment import (TEAM_OPTIONS, assessment_yaml, check_team_value, parse_tasks,
                                                  start, team_from_values, team_values, verify, version_for)
    from kadertoets.infra.output import check_target, write_atomic

    check_assessment_name(output)
    check_target(output, force)  # refused before anything is asked
    kdir = kader_dir_or_default(kader_dir)
    prev = prev_kader = None
    if previous is not None:
        prev, prev_kader = load_for_assessment(previous, kdir, None)
    given = {"id": team_id, "naam": name, "gemeente": municipality, "organisatie": organisation,
             "taken": None if tasks is None else parse_tasks(tasks)}
    values = team_values(prev.team) if prev is not None else {}
    for key, value in given.items():  # the options first: a wrong option is refused, not asked again
        if value is not None:
            values[key] = check_team_value(key, value)
    for key, option_name in TEAM_OPTIONS.items():
        if key not in values:
            convert = parse_tasks if key == "taken" else (lambda raw, k=key: check_team_value(k, raw))
            values[key] = ask(key, option_name, convert)
    team = team_from_values(values)
    if reference_date is None:
        reference_date = ask("peildatum", "--peildatum", as_date)
    kader = load_kader_for_listing(kdir, kader_version or version_for(kdir, reference_date))
    new = start(kader, team, reference_date, prev, prev_kader)
    text = assessment_yaml(new, display_path(output))
    verify(text, display_path(output), new)
    write_atomic(output, text, force=force, inputs=(previous,) if previous is not None else ())
    for note in new.notes:
        click.echo(note, err=True)
    click.echo(f"Geschreven: {excerpt(output, 300, quote=False)} ({len(kader.questions)} vragen van Kader "
               f"{kader.version}). Vul de antwoorden in en toets met: kader check {excerpt(output, 300, quote=False)}",
               err=True)
    sys.exit(ExitCode.OK)  # written, or refused with exit 2 before anything was written


@main.command(options_metavar="[OPTIES]",
              help="Toon de vragen van een Kaderversie per thema: de vraag, wat u mag antwoorden en welke eisen "
                   "de vraag gebruiken.")
@format_option("vragen")
@option("--nodig", "needed", is_flag=True, help="Toon alleen de vragen die een eis gebruikt.")
@output_option
@force_option()
@latest_kader_options
def vragen(fmt, needed, output, force, kader_dir, kader_version):
    from kadertoets.editors.questionlist import question_list

    fmt = output_format("vragen", fmt, output)
    kader = load_kader_for_listing(kader_dir, kader_version)
    result = question_list(kader, needed_only=needed)
    emit(render("vragen", fmt, result, terminal_options(to_file=output is not None)), output, force, fmt)
    sys.exit(ExitCode.OK)  # a listing: shown or written, or refused with exit 2 before


QUESTIONNAIRE_EXIT_HELP = """\b
Exitcodes:
  0  geschreven
  2  ongeldige invoer (bestand, cel, Kaderversie, bestaand uitvoerbestand zonder --overschrijf)"""


def _require_suffix(output: Path, suffixes: tuple[str, ...], what: str, example: str) -> None:
    if output.suffix.lower() not in suffixes:
        raise KaderFout.single(f"{what}; de bestandsnaam moet op {' of '.join(suffixes)} eindigen",
                               file=display_path(output), field=spelled(click.get_current_context(), "output", "-o"),
                               hint=f"Bijvoorbeeld -o {example}.")


@main.command(options_metavar="[OPTIES]",
              help="Schrijf de vragenlijst van een team als Excel-werkmap: alle vragen van de Kaderversie met de "
                   "huidige antwoorden, het team, het transformatieplan en een uitleg. Alleen de antwoordcellen "
                   "zijn te bewerken; 'kader inlezen' leest de werkmap weer in.\n\n"
                   + QUESTIONNAIRE_EXIT_HELP)
@click.argument("assessment", type=PathType(dir_okay=False, path_type=Path))
@option("-o", "--uitvoer", "output", required=True, type=PathType(dir_okay=False, path_type=Path),
        metavar="BESTAND", help="De werkmap (.xlsx).")
@force_option()
@kader_options
def vragenlijst(assessment, output, force, kader_dir, kader_version):
    from kadertoets.render.questionnaire_xlsx import questionnaire_xlsx

    _require_suffix(output, (".xlsx",), "de vragenlijst is een Excel-werkmap", "team.xlsx")
    loaded, kader = load_for_assessment(assessment, kader_dir_or_default(kader_dir), kader_version)
    emit(questionnaire_xlsx(loaded, kader), output, force, "xlsx", inputs=(assessment,))
    sys.exit(ExitCode.OK)


@main.command(options_metavar="[OPTIES]",
              help="Lees een ingevulde vragenlijst (Excel-werkmap van 'kader vragenlijst') in en schrijf het "
                   "assessment als YAML (-o), of zet de antwoorden en de statussen van de acties terug in het "
                   "assessment van het team (--bijwerken): alleen wat in de werkmap veranderd is, de rest van het "
                   "bestand en de opmerkingen blijven zoals ze zijn. Elk antwoord wordt gecontroleerd zoals in een "
                   "YAML-bestand; een fout noemt de cel (bv. Vragen!F14) en de vraag, en dan wordt er niets "
                   "geschreven.\n\n"
                   + QUESTIONNAIRE_EXIT_HELP)
@click.argument("workbook", metavar="WERKMAP", type=PathType(dir_okay=False, path_type=Path))
@option("-o", "--uitvoer", "output", type=PathType(dir_okay=False, path_type=Path),
        metavar="BESTAND", help="Een nieuw assessment (.yaml).")
@option("--bijwerken", "update", type=PathType(dir_okay=False, path_type=Path), metavar="ASSESSMENT",
        help="Werk dit bestaande assessment bij (het bestand waaruit de werkmap gemaakt is).")
@force_option()
@kader_options
def inlezen(workbook, output, update, force, kader_dir, kader_version):
    from kadertoets.infra.output import check_target, write_atomic
    from kadertoets.render.assessment_yaml import assessment_yaml
    from kadertoets.sweep.questionnaire import assessment_from_workbook

    ctx = click.get_current_context()
    if (output is None) == (update is None):
        raise KaderFout.single("geef óf -o met een nieuw bestand, óf --bijwerken met het bestaande assessment",
                               field=spelled(ctx, "output", "-o"),
                               hint="Bijvoorbeeld: kader inlezen team.xlsx --bijwerken team-2023-03.yaml")
    if update is not None:
        from kadertoets.editors.workbookupdate import update_from_workbook

        if force:
            raise KaderFout.single("--overschrijf hoort niet bij --bijwerken: het assessment wordt bijgewerkt, "
                                   "niet overschreven", field="--overschrijf", hint="Laat --overschrijf weg.")
        result = update_from_workbook(workbook, update, kader_dir, kader_version)
        if not result.written:
            click.echo(f"Niets veranderd in de werkmap; {excerpt(result.file, 300, quote=False)} is niet gewijzigd.",
                       err=True)
        else:
            parts = [f"{len(result.facts_changed)} {'antwoord' if len(result.facts_changed) == 1 else 'antwoorden'}"]
            if result.actions_changed:
                parts.append(f"{result.actions_changed} {'actie' if result.actions_changed == 1 else 'acties'}")
            if result.filled_in_changed:
                parts.append("wie het invulde")
            click.echo(f"Bijgewerkt: {excerpt(result.file, 300, quote=False)} ({', '.join(parts)} veranderd; de rest "
                       "van het bestand is gebleven zoals het was).", err=True)
        sys.exit(ExitCode.OK)
    _require_suffix(output, (".yaml", ".yml"), "het assessment is YAML", "team-2023-03.yaml")
    check_target(output, force)  # refused before the workbook is read, not after
    loaded, _ = assessment_from_workbook(workbook, kader_dir_or_default(kader_dir), kader_version)
    write_atomic(output, assessment_yaml(loaded, display_path(workbook)), force=force, inputs=(workbook,))
    click.echo(f"Geschreven: {excerpt(output, 300, quote=False)}", err=True)
    sys.exit(ExitCode.OK)


@main.command(options_metavar="[OPTIES]", help="Toon de paden van de meegeleverde voorbeeld-assessments (de zeven "
              "gemeenten, maart 2023, en de stand van de regio); met --naar kopieert u ze naar een nieuwe map, "
              "om mee te oefenen (bv. met kader serve).")
@option("--naar", "target", type=PathType(file_okay=False, path_type=Path), metavar="MAP",
        help="Kopieer de voorbeelden naar deze map (die nog niet mag bestaan, of leeg moet zijn).")
def voorbeelden(target):
    folder = bundled_assessments()
    paths = sorted(folder.glob("*.yaml"))
    if target is None:
        for path in paths:
            click.echo(str(path))
        sys.exit(ExitCode.OK)
    from kadertoets.infra.output import write_atomic

    try:
        if target.exists() and (not target.is_dir() or any(target.iterdir())):
            raise KaderFout.single("deze map bestaat al en is niet leeg; er is niets gekopieerd",
                                   file=display_path(target), field="--naar", hint="Kies een nieuwe map.")
        target.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise KaderFout.single(f"map kan niet gemaakt worden ({os_reason(exc)})", file=display_path(target),
                               field="--naar", hint="Kies een map waarin u mag schrijven.") from None
    for path in paths:
        write_atomic(target / path.name, path.read_bytes(), force=False)
    click.echo(f"{len(paths)} voorbeelden gekopieerd naar {excerpt(target, 300, quote=False)}.", err=True)
    sys.exit(ExitCode.OK)


SERVE_HELP = ("Open de webpagina: de teams, hun tekortenlijst, plan en vragenlijst, en het overzicht van de regio, "
              "in de browser. Leest en schrijft de assessments onder de gegeven mappen (standaard de map "
              "'assessments' hier; de voorbeelden krijgt u met 'kader voorbeelden --naar assessments').\n\n"
              "Zonder --gebruikers is de pagina alleen op deze computer te openen: de eerste regel van de uitvoer "
              "is het adres met een toegangstoken. Met --gebruikers (nodig voor elke andere --host) meldt ieder "
              "zich aan met een eigen account (zie 'kader gebruiker toevoegen'); zet dan een webserver met TLS "
              "(https) ervoor.")


@main.command(options_metavar="[OPTIES]", help=SERVE_HELP)
@click.argument("paths", nargs=-1, type=PathType(path_type=Path), metavar="[PAD]...")
@option("--host", "host", default="127.0.0.1", show_default=True, metavar="HOST",
        help="Het adres waarop de pagina luistert.")
@option("--poort", "port", default=8000, show_default=True, type=click.IntRange(0, 65535), metavar="POORT",
        help="De poort (0: een vrije poort).")
@option("--gebruikers", "users", type=PathType(dir_okay=False, path_type=Path), metavar="BESTAND",
        help="Het accountbestand (regionaal gebruik): aanmelden met naam en wachtwoord.")
@multi_option("--naam", "names", metavar="HOSTNAAM...",
              help="De naam waaronder de pagina bereikt wordt achter een webserver (bv. kadertoets.regio.nl); "
                   "andere namen worden geweigerd.")
@option("--proxy", "proxy", metavar="ADRES",
        help="Het IP-adres van de webserver ervoor (bv. 127.0.0.1): diens X-Forwarded-For geeft het adres van de "
             "gebruiker, zodat verkeerde wachtwoorden per adres geteld worden.")
@option("--zonder-https", "without_https", is_flag=True,
        help="Stuur de sessiecookie ook over http (alleen om te testen; gebruik anders https).")
@kader_dir_option()
def serve(paths, host, port, users, names, proxy, without_https, kader_dir):
    from kadertoets.web.serve import check_proxy, serve as run, settings_for

    proxy = check_proxy(proxy)
    if not paths:
        if not Path("assessments").is_dir():
            raise KaderFout.single("hier is geen map 'assessments'", field="PAD",
                                   hint="Geef de map met de assessments op (kader serve MAP), of begin met de "
                                        "voorbeelden: kader voorbeelden --naar assessments")
        paths = (Path("assessments"),)
    settings = settings_for(paths, host, users, kader_dir, names, without_https)
    run(settings, host, port, names, proxy=proxy)
    sys.exit(ExitCode.OK)


class RoleChoice(click.Choice):
    """The roles of an account, read from web/accounts.py ROLES only when click needs them."""

    def __init__(self):
        self.case_sensitive = True

    @property
    def choices(self):
        from kadertoets.web.accounts import ROLES

        return tuple(ROLES)


@main.group(cls=DutchGroup, options_metavar="[OPTIES]", subcommand_metavar="OPDRACHT [ARGUMENTEN]...",
            help="Beheer de accounts van de webpagina (kader serve --gebruikers).")
def gebruiker():
    pass


@gebruiker.command("toevoegen", options_metavar="[OPTIES]",
                   help="Voeg een account toe aan het accountbestand (het bestand wordt gemaakt als het er nog niet "
                        "is). Het wachtwoord wordt twee keer gevraagd, zonder het te tonen (in een script: op de "
                        "eerste regel van de standaardinvoer), en alleen als afdruk (scrypt) bewaard.\n\n"
                        "Rollen: team (leest en schrijft alleen de eigen team(s), met --team), regio (leest alles, "
                        "schrijft niets), redacteur (leest alles, controleert het Kader).")
@click.argument("name", metavar="NAAM")
@option("--rol", "role", required=True, type=RoleChoice(), help="De rol.")
@option("--team", "teams", multiple=True, metavar="ID", help="Een team van dit account (rol team; mag vaker).")
@option("--gebruikers", "users", required=True, type=PathType(dir_okay=False, path_type=Path), metavar="BESTAND",
        help="Het accountbestand.")
@option("--vervang", "replace", is_flag=True, help="Vervang een bestaand account met deze naam (nieuw wachtwoord).")
def gebruiker_toevoegen(name, role, teams, users, replace):
    from kadertoets.web.accounts import add_account, check_password

    if sys.stdin is not None and sys.stdin.isatty():
        password = click.prompt("Wachtwoord", hide_input=True, confirmation_prompt="Nog een keer",
                                err=True, value_proc=_checked_password(lambda pw: check_password(pw, name)))
    else:  # a script: the password on the first line of standard input (a second line, if any, must match)
        password = sys.stdin.readline(4096).rstrip("\r\n") if sys.stdin is not None else ""
        again = sys.stdin.readline(4096).rstrip("\r\n") if sys.stdin is not None else ""
        if again and again != password:
            raise KaderFout.single("de twee wachtwoorden op de standaardinvoer verschillen", field="wachtwoord",
                                   hint="Geef het wachtwoord op de eerste regel, en eventueel nog eens op de tweede.")
        check_password(password, name)
    click.echo(add_account(users, name, role, teams, password, replace=replace), err=True)
    sys.exit(ExitCode.OK)


def _checked_password(check):
    def convert(value):
        try:
            check(value)
        except KaderFout as exc:
            raise click.UsageError(exc.problems[0].message + (f" {exc.problems[0].hint}" if exc.problems[0].hint else ""))
        return value
    return convert


# An example for every command, shown at the end of its --help (a command may also give its own in
# its help text; tests/test_cli_help.py checks that every command has one).
EXAMPLES = {
    "check": ["kader check assessments/eemnes-2023-03.yaml",
              "kader check team.yaml --alles --formaat markdown"],
    "plan": ["kader plan assessments/baarn-2023-03.yaml", "kader plan team.yaml --bijwerken"],
    "nieuw": ["kader nieuw -o soest-2024.yaml --id soest --naam \"Sociaal Team Soest\" \\\n"
              "      --gemeente Soest --organisatie \"Gemeente Soest\" --taken jeugd,wmo --peildatum 01-03-2024",
              "kader nieuw -o soest-2025.yaml --van soest-2024.yaml --peildatum 01-03-2025"],
    "vragen": ["kader vragen --nodig", "kader vragen --formaat csv -o vragen.csv"],
    "vragenlijst": ["kader vragenlijst soest-2024.yaml -o soest.xlsx"],
    "inlezen": ["kader inlezen soest.xlsx --bijwerken soest-2024.yaml", "kader inlezen soest.xlsx -o soest-2024.yaml"],
    "sweep": ["kader sweep assessments/", "kader sweep assessments/ --formaat xlsx -o regio.xlsx"],
    "trend": ["kader trend assessments/", "kader trend assessments/ --formaat html -o voortgang.html"],
    "rules": ["kader rules", "kader rules --formaat markdown"],
    "explain": ["kader explain KLT-VEI-01"],
    "test": ["kader test", "kader test KLT-VEI-01"],
    "schema": ["kader schema -o schemas/"],
    "lint": ["kader lint", "kader lint --kader-map mijn-kader/ --streng"],
    "diff": ["kader diff 1.0 mijn-kader/", "kader diff 1.0 mijn-kader/ --assessments assessments/"],
    "migrate": ["kader migrate team.yaml --naar 1.1 -o team-1.1.yaml"],
    "voorbeelden": ["kader voorbeelden", "kader voorbeelden --naar oefenen/"],
    "serve": ["kader serve", "kader serve assessments/ --host 0.0.0.0 --gebruikers gebruikers.yaml --naam kadertoets.regio.nl"],
    "gebruiker": ["kader gebruiker toevoegen anne --rol team --team soest --gebruikers gebruikers.yaml"],
}


def _add_examples() -> None:
    for name, lines in EXAMPLES.items():
        command = main.commands.get(name)
        if command is not None:
            command.epilog = "\b\n" + ("Voorbeelden:" if len(lines) > 1 else "Voorbeeld:") + "\n" + \
                "\n".join("  " + line for line in lines)


_add_examples()

if __name__ == "__main__":
    main()
