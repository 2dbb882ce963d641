"""Use cases at the edge (loading + evaluating), shared by the command line and the tests:
load the Kader an assessment names, validate the assessment, evaluate it at a date."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from kadertoets.load.assessment import assessment_form, build_assessment
from kadertoets.load.privacy import refuse_personal_data
from kadertoets.load import formats
from kadertoets.load.region import build_region, refuse_team_file, in_force, is_region_file, is_region_tree, load_region, region_files
from kadertoets.evaluate.backends import get_backend
from kadertoets.infra.dates import dutch_date
from kadertoets.infra.errors import KaderFout, display_path, excerpt
from kadertoets.evaluate.evaluation import evaluate
from kadertoets.load.kader import VERSION_RE, available_versions, effective_dates, load_kader, version_key, version_on
from kadertoets.sweep.snapshots import validated as validated_kader
from kadertoets.model import Assessment, Evaluation, Kader
from kadertoets.infra.located import Node
from kadertoets.infra.yamlload import load_yaml_file
from kadertoets.infra.paths import bundled_root
from kadertoets.infra.cli_names import suggest
from kadertoets.infra.lintcodes import Code


def kader_dir_or_default(kader_dir: str | Path | None) -> Path:
    """The Kader folder to use: the one given; else the working folder when it is a Kader folder
    itself (it holds kader/ with a manifest and rules/: an editor working in a copy); else the
    bundled Kader."""
    if kader_dir is None:
        here = working_kader_dir()
        if here is not None:
            return here
    path = Path(kader_dir) if kader_dir else bundled_root()
    if not path.exists():
        raise KaderFout.single("map bestaat niet", file=display_path(path), field="--kader-map",
                               hint=f"Geef een map op die 'kader/' en 'rules/' bevat, of laat {suggest('--kader-map')} weg.", code=Code.UNREADABLE)
    return path


def working_kader_dir() -> Path | None:
    """The working folder, when it is a Kader folder (kader/<versie>.yaml and rules/)."""
    try:
        here = Path.cwd()
        if (here / "rules").is_dir() and any(VERSION_RE.match(p.stem) for p in (here / "kader").glob("*.y*ml")):
            return here
    except OSError:
        pass
    return None


def assessment_from_tree(tree, shown: str, kader_dir: Path, version: str | None, versions=None, kaders=None,
                         use_cache: bool = True):
    """Validate a parsed assessment tree against the Kader version chosen for it: `version` when the
    user forces one, else the version the assessment names, else the version in effect on its
    peildatum. `versions` and `kaders` memoise the Kader look-ups over a sweep; `use_cache=False`
    loads the Kader from its files, without a snapshot (sweep/snapshots.py)."""
    root = Node(tree, shown)
    if is_region_tree(tree):
        raise KaderFout.single("dit is een regiobestand (met regio: in plaats van team:), geen assessment van een team",
                               file=shown, hint="Geef het assessment van een team op; het regiobestand wordt erbij "
                               "gezocht in dezelfde map, of noem het met --regio.", code=Code.VALUE_NOT_ALLOWED)
    assessment_form(root)
    try:  # a wrong version or Kader: any personal data in the file is reported with it
        kader, source = _chosen_kader(root, kader_dir, version, versions, kaders, use_cache)
    except KaderFout as exc:
        refuse_personal_data(root, exc.problems)
        raise
    return build_assessment(root, kader, source), kader


def _chosen_kader(root: Node, kader_dir: Path, version: str | None, versions, kaders, use_cache: bool):
    """The Kader version for an assessment (see assessment_from_tree), loaded, and why it was chosen."""
    versions = available_versions(kader_dir) if versions is None else versions
    available = ", ".join(sorted(versions, key=version_key))
    if version:
        chosen, source = version, "optie"
        if chosen not in versions:
            raise KaderFout.single(f"onbekende Kaderversie {excerpt(version)}", field="--kader",
                                   hint=f"Beschikbaar: {available}.", code=Code.MISSING_REFERENCE)
    elif root.has("kader"):
        chosen, source = root.child("kader").version(), "assessment"
        if chosen not in versions:
            raise root.child("kader").fail(f"onbekende Kaderversie {excerpt(chosen)}",
                                           f"Beschikbaar: {available}. Pas 'kader:' aan of kies met --kader.", code=Code.MISSING_REFERENCE)
    else:
        day = root.child("peildatum").date()
        chosen, source = version_on(kader_dir, day), "peildatum"
        if chosen is None:
            dates = ", ".join(f"{v} vanaf {dutch_date(d)}" for v, d in sorted(
                effective_dates(kader_dir).items(), key=lambda kv: version_key(kv[0])) if d is not None)
            raise root.child("peildatum").fail(
                f"op peildatum {dutch_date(day)} gold nog geen Kaderversie ({dates or 'geen ingangsdatum bekend'})",
                "Noem de versie met 'kader:' in het assessment, of kies er een met --kader.", code=Code.VALUE_NOT_ALLOWED)
    if kaders is None:
        kaders = {}
    if chosen not in kaders:
        kaders[chosen] = validated_kader(kader_dir, chosen, use_cache=use_cache)
    kader = kaders[chosen]
    return kader, source


def load_region_file(path: Path, kader_dir: Path, version: str | None):
    """Parse and validate a regional file against the Kader version it names (or `version`, or the
    one in effect on its peildatum), as an assessment's version is chosen."""
    shown = display_path(path)
    tree = load_yaml_file(path)
    root = Node(tree, shown)
    refuse_team_file(root)
    root.mapping(required=formats.REGION_ASSESSMENT.required, optional=formats.REGION_ASSESSMENT.optional,
                 what="het regiobestand")
    kader, _ = _chosen_kader(root, kader_dir, version, None, None, True)  # as for an assessment
    return build_region(root, kader)


def load_for_assessment(path: Path, kader_dir: Path, version: str | None, kaders: dict | None = None):
    """Parse an assessment file and load the Kader it names (or `version`, when the user forces one).
    `kaders` memoises the loaded Kader versions over many calls (the web page: one per Kader state)."""
    return assessment_from_tree(load_yaml_file(path), display_path(path), kader_dir, version, kaders=kaders)


def check_file(path: str | Path, kader_dir=None, version: str | None = None, as_of: dt.date | None = None,
               engine: str = "python", region: str | Path | None = None, kaders: dict | None = None) -> Evaluation:
    """Evaluate one assessment file; as_of defaults to the assessment's peildatum (reproducible).
    The region's state is `region` (a regional file) or else the one in force among the regional files
    beside the assessment (regio*.yaml); without one, requirements waiting on the region stay onbekend."""
    kdir = kader_dir_or_default(kader_dir)
    backend = get_backend(engine)
    assessment, kader = load_for_assessment(Path(path), kdir, version, kaders)
    state = region_for(Path(path), assessment, kader, region)
    return evaluate(kader, assessment, as_of or assessment.reference_date, backend, region=state)


def region_for(path: Path, assessment: Assessment, kader: Kader, region: str | Path | None = None):
    """The region's state in force on the assessment's peildatum: from `region` when given (it must not
    be dated after the team's peildatum), else from the regional files beside `path`; None when none
    is. Regional files are read with the team's Kader version."""
    if not kader.region_questions:
        return None
    if region is not None:
        state = load_region(Path(region), kader)
        if state.reference_date > assessment.reference_date:
            raise KaderFout.single(
                f"het regiobestand beschrijft de regio op {dutch_date(state.reference_date)}, na de peildatum van het "
                f"team ({dutch_date(assessment.reference_date)})", file=state.file, field="--regio",
                hint="Kies een regiobestand met een peildatum op of voor die van het team.", code=Code.VALUE_NOT_ALLOWED)
        return state
    try:
        own = path.resolve()
    except OSError:
        own = path
    files = [f for f in region_files(path.parent) if f.resolve() != own]
    return in_force([load_region(f, kader) for f in files], assessment.reference_date)


def load_kader_for_listing(kader_dir=None, version: str | None = None) -> Kader:
    """A Kader for the editors' commands (rules, explain, test, schema, migrate): it must load, but a
    norm that cannot be right or a failing example is theirs to see, not a reason to refuse."""
    return load_kader(kader_dir_or_default(kader_dir), version)


def kader_from_spec(spec: str, kader_dir=None) -> tuple[Kader, str]:
    """A Kader named on the command line, and its label: a version of --kader-dir ("1.1"), a Kader
    folder (its highest version) or a folder with a version ("kopie@1.1")."""
    folder, _, version = spec.rpartition("@") if "@" in spec else ("", "", spec)
    if folder:
        return load_kader(_kader_folder(folder, spec), version), spec
    path = Path(spec)
    if VERSION_RE.match(spec) and not (path / "kader").is_dir():
        return load_kader(kader_dir_or_default(kader_dir), spec), spec
    kader = load_kader(_kader_folder(spec, spec), None)
    return kader, f"{spec}@{kader.version}"


def _kader_folder(folder: str, spec: str) -> Path:
    path = Path(folder)
    if not (path / "kader").is_dir():
        raise KaderFout.single(f"{excerpt(spec)} is geen Kaderversie en geen Kader-map", field="versie",
                               hint="Geef een versie (bv. 1.0), een map met 'kader/' en 'rules/', of MAP@VERSIE.", code=Code.UNREADABLE)
    return path


def load_assessments_against(paths, kader: Kader) -> tuple[list[Assessment], list[tuple[str, tuple]]]:
    """Every team's assessment under `paths` validated against `kader` (whatever version it names): the
    valid ones, and (file, problems) for the others. Regional files (regio*.yaml) are not teams: left out."""
    from kadertoets.sweep.discover import discover  # here: `kader check` does not need it at start-up

    files, invalid = discover(paths)
    files = [f for f in files if not is_region_file(f)]
    out, bad = [], [(i.file, i.problems) for i in invalid]
    for path in files:
        shown = display_path(path)
        try:
            root = assessment_form(Node(load_yaml_file(path), shown))
            out.append(build_assessment(root, kader, "optie"))
        except KaderFout as exc:
            bad.append((shown, tuple(exc.problems)))
    return out, bad
