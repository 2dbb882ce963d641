"""The domain model shared by loading, evaluation, planning and rendering (one result model)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import field
from enum import Enum
from functools import cached_property
from typing import Any
from kadertoets.infra.records import record


class Status(str, Enum):
    """Status of one requirement for one team."""

    VOLDOET = "voldoet"
    DEELS = "deels"
    VOLDOET_NIET = "voldoet_niet"
    ONBEKEND = "onbekend"
    NVT = "nvt"

    @property
    def is_gap(self) -> bool:
        return self in (Status.DEELS, Status.VOLDOET_NIET)


STATUS_ORDER = [Status.VOLDOET_NIET, Status.DEELS, Status.ONBEKEND, Status.VOLDOET, Status.NVT]

# The words people read for a status (tables, reasons, summaries); the codes stay in JSON.
STATUS_LABEL = {
    Status.VOLDOET: "voldoet",
    Status.DEELS: "deels",
    Status.VOLDOET_NIET: "voldoet niet",
    Status.ONBEKEND: "onbekend",
    Status.NVT: "n.v.t.",
}

RESPONSIBLE = ("lokaal_team", "gemeente", "regio")
RESPONSIBLE_LABEL = {  # as a heading
    "lokaal_team": "Lokaal team",
    "gemeente": "Gemeente",
    "regio": "Regio (regionale afhankelijkheid)",
}
RESPONSIBLE_NAME = {  # in a table cell or a sentence
    "lokaal_team": "lokaal team",
    "gemeente": "gemeente",
    "regio": "regio",
}

REGION_PREFIX = "regio."  # the paths of the questions about the region (regio_vragen), answered in the regional file
WAITS_ON_REGION = "regio"  # Finding.waits_on: the team cannot comply until the region has its product

ACTION_STATUSES = ("gepland", "behaald", "deels_behaald", "niet_behaald")
ACTION_STATUS_LABEL = {
    "gepland": "Gepland",
    "behaald": "Behaald",
    "deels_behaald": "Deels behaald",
    "niet_behaald": "Niet behaald",
}

SOURCE_CODES = {
    "S0": "000_a88dcd15e2653a94.txt",
    "S1": "001_3209eeb7fb7235b9.txt",
    "S2": "002_a67f4668c5db422f.txt",
    "S3": "003_013b88d480223314.txt",
    "S4": "004_9b1f973741248cd4.txt",
}
SOURCE_TITLES = {
    "S0": "Statusrapportage lokale teams aan het BOSD, maart 2023",
    "S1": "Concept plan van aanpak versterking lokale teams 2021-2022",
    "S2": "Regiovisie specialistische jeugdhulp 2021-2026",
    "S3": "Memo experimenten jeugdhulp 2014",
    "S4": "Voortgangsrapportage Q2 2022 (andere gemeente)",
}


@record
class Question:
    """One declared fact: its path, type and the Dutch question, and the words reasons use for it:
    `short` (`kort:`), a noun phrase naming the fact ("de registratie van eigen begeleiding"), and
    `labels` (`labels:`), per answer the Dutch a reader sees instead of the code (a choice:
    "een eigen Excelbestand"; ja/nee: the statement for ja and for nee, "er is een ... aangewezen")."""

    path: str
    type: str  # a name from the question-type registry (evaluate/questiontypes.py)
    question: str
    help: str = ""
    unit: str | None = None
    values: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    theme: str | None = None
    short: str = ""
    labels: tuple[tuple[str, str], ...] = ()  # (value, label); ja/nee as "ja" and "nee"
    # where the question stands in the questions file (lint points there); not part of its meaning
    file: str | None = field(default=None, compare=False)
    line: int | None = field(default=None, compare=False)

    def label(self, value: str) -> str | None:
        """The Dutch label of an answer ("ja"/"nee" for ja/nee), or None when it has none."""
        for key, text in self.labels:
            if key == value:
                return text
        return None


# What a source entry of a rule is for (`rol:` on an item of `bronnen`; default grondslag): the basis of
# the requirement, or only an illustration of it (as S4, another municipality's progress report, can
# illustrate a requirement but never ground one). The words a reader sees; the codes stay in JSON.
SOURCE_ROLES = ("grondslag", "illustratie")
SOURCE_ROLE_LABEL = {"grondslag": "grondslag", "illustratie": "ter illustratie, geen grondslag"}

# Where a requirement's basis lies (`grondslag:` of a rule; default bronnen): in the sources S0..S4, or
# outside them (a law or a public norm), which the rule then explains in `grondslag_toelichting`.
BASES = ("bronnen", "buiten_bronnen")


@record
class Source:
    code: str | None = None
    section: str | None = None
    quote: str | None = None
    url: str | None = None
    role: str = "grondslag"  # SOURCE_ROLES

    def label(self) -> str:
        if self.url:
            return self.url
        text = f"{self.code} {SOURCE_TITLES.get(self.code, '')} ({SOURCE_CODES.get(self.code, '?')})"
        return f"{text}, {self.section}" if self.section else text

    @property
    def illustration(self) -> bool:
        return self.role == "illustratie"

    @property
    def seed_basis(self) -> bool:
        """A source S0..S4 that grounds the requirement (not a url, not an illustration)."""
        return self.code is not None and not self.illustration


@record
class Deadline:
    key: str
    date: dt.date
    label: str
    source: str | None = None
    derived: bool = False


@record
class ActionTemplate:
    """What a rule proposes for the transformatieplan when it is not met."""

    description: str
    owner: str
    deadline: Deadline
    extra_budget_possible: bool
    # (description, unless) pairs from `onderdelen`: the plan proposes only the parts whose `unless`
    # condition is not known to hold for the team (what the team already does is not proposed)
    parts: tuple = ()


@record
class RegionalProduct:
    """What a regional requirement waits for (`regionaal_product`): the product the region makes
    (named as a reader says it) and the condition on the region's facts under which it exists. While
    it does not exist the team cannot comply: voldoet_niet, waiting on the region."""

    name: str
    condition: Any  # a compiled condition over regio.* fields
    expected: str | None = None  # when it is expected, as a reader reads it ("na de gunning in mei/juni 2023")


@record
class Example:
    name: str
    facts: dict
    expected: Status
    tasks: dict
    rule_statuses: dict
    line: int | None = None
    reference_date: "dt.date | None" = None  # peildatum of the example; default: the Kader's ingangsdatum
    column: int | None = None


@record
class Rule:
    id: str
    title: str
    theme: str
    explanation: str
    sources: tuple[Source, ...]
    norm_origin: str  # bron | afgeleid
    norm_note: str | None
    responsible: str
    applies: Any  # condition or None
    meets: Any  # condition
    partly: Any  # condition or None
    action: ActionTemplate
    examples: tuple[Example, ...]
    change_note: str | None
    file: str
    norm_line: int | None = None  # where the norm starts, for errors about it (e.g. a cycle)
    norm_column: int | None = None
    previous_ids: tuple[str, ...] = ()  # `voorheen`: ids of earlier versions this requirement continues
    # where parts of the rule stand in its file, as (field, line, column): the norm and its parts,
    # van_toepassing, norm_herkomst, voorbeelden and each bronnen[i], so that no check parses the file again
    positions: tuple[tuple[str, int | None, int | None], ...] = ()
    region_product: RegionalProduct | None = None  # `regionaal_product`, only for verantwoordelijk: regio
    basis: str = "bronnen"  # `grondslag` (BASES)
    basis_note: str | None = None  # `grondslag_toelichting`: why the requirement stands outside the sources

    @property
    def seed_basis(self) -> bool:
        """Whether a source S0..S4 grounds this requirement: not when the rule says its basis lies outside
        them, nor when every source it cites is a url or an illustration."""
        return self.basis == "bronnen" and any(s.seed_basis for s in self.sources)

    def position(self, field: str) -> tuple[int | None, int | None]:
        """(line, column) of a part of the rule; the norm's when that part was not recorded."""
        for name, line, column in self.positions:
            if name == field:
                return line, column
        return self.norm_line, self.norm_column


@record
class Kader:
    """One version of the Kader: manifest, questions and compiled rules, in dependency order."""

    version: str
    name: str
    status: str
    document_date: dt.date
    effective_date: dt.date
    effective_note: str | None
    roles: dict
    deadlines: dict
    questions: dict  # path -> Question
    rules: dict  # id -> Rule, in manifest order
    layers: tuple[tuple[str, ...], ...]  # rule ids in dependency layers, each sorted
    root: str  # folder it was loaded from (display)
    changelog: tuple[str, ...] = ()  # `wijzigingen`: what changed in this version
    previous_version: str | None = None  # `vorige_versie`
    rules_folder: str = "rules"  # `regels_map`: the folder (in the Kader folder) with this version's rules
    region_questions: dict = field(default_factory=dict)  # `regio_vragen`: path -> Question, about the region
    # `afwijkingen.max_geldigheid_maanden`: the longest an approved exception may run (months from its
    # datum to its geldig_tot); None: the manifest sets none, and this version accepts no afwijkingen
    exception_max_months: int | None = None
    # `bewijs`: per question path the maximum age of its evidence in months (the manifest's per_vraag,
    # else per_thema of the question's theme, else its default); a question absent here has no limit
    evidence_max_months: dict = field(default_factory=dict)

    def all_questions(self) -> dict:
        """The questions about the team and about the region together: what conditions may read."""
        return {**self.questions, **self.region_questions} if self.region_questions else self.questions

    def successors(self, rule_id: str) -> tuple[str, ...]:
        """The ids in this version that continue `rule_id` of an earlier version: itself when it still
        exists, else the rules that name it in `voorheen` (one when renamed, several when split)."""
        if rule_id in self.rules:
            return (rule_id,)
        return tuple(r.id for r in self.rules.values() if rule_id in r.previous_ids)


@record
class Fact:
    value: Any  # None when the fact is listed without a value (explicitly unknown)
    note: str | None = None
    evidence: str | None = None
    line: int | None = None
    reconfirm: bool = False  # `herbevestigen: true`: carried over by a migration, still to be confirmed
    evidence_date: dt.date | None = None  # `bewijs_datum`: the date of the evidence (never after the peildatum)
    evidence_document: str | None = None  # `bewijs_document`: which document holds the evidence

    @property
    def empty(self) -> bool:
        """Nothing in it (no value, toelichting, evidence or flag): unknown, as if the fact were absent."""
        return (self.value is None and self.note is None and self.evidence is None and not self.reconfirm
                and self.evidence_date is None and self.evidence_document is None)


@record
class MovedDeadline:
    to: dt.date
    note: str | None = None


@record
class PlanAction:
    """An action in a team's transformatieplan (S4 format)."""

    requirement: str
    description: str
    owner: str
    deadline: dt.date | None
    status: str = "gepland"
    moved: tuple[MovedDeadline, ...] = ()
    extra_budget: bool | None = None
    note: str | None = None
    id: str | None = None

    @property
    def current_deadline(self) -> dt.date | None:
        return self.moved[-1].to if self.moved else self.deadline


@record
class Approver:
    """Who approved an afwijking: a role of the Kader (`rollen`) and the person's name."""

    role: str
    name: str


@record
class ApprovedException:
    """An approved exception (`afwijkingen:` in an assessment): a requirement the team need not meet
    from `date` up to and including `valid_until`, for a reason, approved by someone. It never changes
    a finding's status; while valid, a gap it covers does not count towards exit code 1.

    As loaded, `valid` is None; on a finding (evaluate/annotate.py) it is whether the afwijking holds on
    the as-of date of that evaluation."""

    requirement: str  # `eis`
    reason: str  # `reden`
    approver: Approver  # `goedgekeurd_door`
    date: dt.date  # `datum`: approved on
    valid_until: dt.date  # `geldig_tot`: the last day it holds
    line: int | None = field(default=None, compare=False)
    valid: bool | None = None

    def valid_on(self, day: dt.date) -> bool:
        return self.date <= day <= self.valid_until


@record
class Team:
    id: str
    name: str
    municipality: str
    organisation: str
    tasks: dict  # {"jeugd": bool, "wmo": bool}


VERSION_SOURCE_LABEL = {
    "assessment": "genoemd in het assessment",
    "peildatum": "de versie die op de peildatum gold (het assessment noemt geen versie)",
    "optie": "gekozen met --kader",
}


@record
class Assessment:
    file: str
    kader_version: str
    reference_date: dt.date
    team: Team
    filled_in_by: dict
    facts: dict  # path -> Fact
    plan: tuple[PlanAction, ...]
    kader_version_source: str = "assessment"  # assessment | peildatum | optie (VERSION_SOURCE_LABEL)
    exceptions: tuple[ApprovedException, ...] = ()  # `afwijkingen`: at most one per requirement

    def values(self) -> dict:
        """Known values by path (team fields included); facts without a value are absent."""
        env = {
            "team.taken.jeugd": self.team.tasks.get("jeugd"),
            "team.taken.wmo": self.team.tasks.get("wmo"),
            "team.gemeente": self.team.municipality,
            "team.organisatie": self.team.organisation,
        }
        env.update({p: f.value for p, f in self.facts.items()})
        return {k: v for k, v in env.items() if v is not None}


@record
class RegionAssessment:
    """The state of the region's own products at a peildatum (a regional file: `regio:` instead of
    `team:`); every team's regional requirements read the one in force on the team's peildatum."""

    file: str
    kader_version: str
    reference_date: dt.date
    name: str
    filled_in_by: dict
    facts: dict  # path (regio.*) -> Fact
    note: str | None = None

    def values(self) -> dict:
        """Known values by path; facts without a value are absent."""
        return {p: f.value for p, f in self.facts.items() if f.value is not None}


@record
class Check:
    """One comparison that decided a finding, for tools (JSON `voorwaarden`): which part of the rule,
    the field or the rule it reads, the operator, what it requires and what the team has, and whether
    it holds (None: not filled in). Values as JSON has them: dates as JJJJ-MM-DD, lists as tuples."""

    part: str  # van_toepassing | voldoet | deels
    field: str | None  # a question path (team.* included), or None for a rule reference
    rule: str | None  # the rule id of a rule reference
    op: str  # an operator name, or "status" for a rule reference
    required: object
    value: object  # None: not filled in
    met: bool | None


@record
class Finding:
    """The result for one requirement for one team: the one result model every output uses."""

    rule_id: str
    title: str
    theme: str
    status: Status
    reason: str
    responsible: str
    missing: tuple[str, ...] = ()
    action: ActionTemplate | None = None
    norm_origin: str = "bron"
    notes: tuple[tuple[str, str], ...] = ()  # (field, toelichting) for missing fields the assessment explains
    checks: tuple[Check, ...] = ()  # the comparisons that decided the status (JSON `voorwaarden`)
    waits_on: str | None = None  # WAITS_ON_REGION: voldoet_niet because the region's product does not exist yet
    # evaluate/annotate.py adds these two after the status is decided (they never change it):
    exception: ApprovedException | None = None  # the team's afwijking for this requirement, `valid` on the as-of date
    stale_evidence: tuple[str, ...] = ()  # question paths the rule reads whose bewijs_datum is older than allowed

    @property
    def regional_dependency(self) -> bool:
        return self.responsible == "regio" and self.status.is_gap

    @property
    def excused(self) -> bool:
        """A gap covered by an afwijking that is valid on the as-of date: it keeps its status, but does
        not count towards exit code 1 and is counted apart."""
        return self.status.is_gap and self.exception is not None and self.exception.valid is True

    @property
    def exception_expired(self) -> bool:
        """A gap whose afwijking no longer (or not yet) holds on the as-of date: it counts again."""
        return self.status.is_gap and self.exception is not None and self.exception.valid is False


@record
class Evaluation:
    """All findings for one assessment at one as-of date."""

    assessment: Assessment
    kader: Kader
    as_of: dt.date
    engine: str
    findings: tuple[Finding, ...] = field(default_factory=tuple)
    region: RegionAssessment | None = None  # the region's state the regional requirements read (None: missing)

    @cached_property
    def waiting_on_region(self) -> tuple[Finding, ...]:
        """The findings that are voldoet_niet only because the region's product does not exist yet."""
        return tuple(f for f in self.findings if f.waits_on)

    @property
    def region_missing(self) -> bool:
        """True when some requirement reads the region's state and none was given."""
        return self.region is None and any(r.region_product is not None for r in self.kader.rules.values())

    def counts(self) -> dict[str, int]:
        return dict(self._counts)

    @cached_property
    def _counts(self) -> dict[str, int]:
        counted = Counter(f.status for f in self.findings)
        return {s.value: counted[s] for s in Status}

    @property
    def fully_compliant(self) -> bool:
        return all(f.status in (Status.VOLDOET, Status.NVT) for f in self.findings)

    @cached_property
    def _with_exception(self) -> tuple[Finding, ...]:
        """The findings with an afwijking (most teams have none: the sweep asks per team, many times)."""
        return tuple(f for f in self.findings if f.exception is not None)

    def excused(self) -> tuple[Finding, ...]:
        """The gaps covered by an afwijking valid on the as-of date (counted apart, not towards exit 1)."""
        return tuple(f for f in self._with_exception if f.excused)

    def expired_exceptions(self) -> tuple[Finding, ...]:
        """The gaps whose afwijking does not hold on the as-of date (they count again)."""
        return tuple(f for f in self._with_exception if f.exception_expired)

    def stale_evidence(self) -> tuple[str, ...]:
        """Every question path with evidence older than allowed that some requirement reads, sorted."""
        return self._stale_evidence

    @cached_property
    def _stale_evidence(self) -> tuple[str, ...]:
        return tuple(sorted({p for f in self.findings for p in f.stale_evidence}))

    @cached_property
    def compliant_or_excused(self) -> bool:
        """Every requirement complies, does not apply, or is a gap covered by a valid afwijking."""
        return all(f.status in (Status.VOLDOET, Status.NVT) or f.excused for f in self.findings)

    @property
    def exit_code(self) -> int:
        """The exit code of `kader check` (kadertoets.infra.exitcodes): 0 when every requirement complies,
        does not apply or is a gap covered by a valid afwijking; 1 for other gaps or requirements that are
        onbekend (unknown never counts as compliant, and no afwijking excuses it)."""
        from kadertoets.infra.exitcodes import ExitCode

        return ExitCode.OK if self.compliant_or_excused else ExitCode.GAPS
