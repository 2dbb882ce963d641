"""The codes of `kader lint`, declared once: one per kind of problem, with its severity and a short
Dutch title. Code with a member (`Code.DUPLICATE_KEY`), never with a string, so a typo fails at once.

Problems get their code where they are raised (Node.fail(..., code=...)); lint adds the semantic and
rule-set checks (validate/normcheck.py, editors/lint.py). The values are stable: editors and CI filters
rely on them, JSON and lint output show them. docs/formaat.md's table is held equal to this one
(tests/test_lint.py).
"""

from __future__ import annotations

from enum import StrEnum

ERROR, WARNING = "fout", "waarschuwing"


class Code(StrEnum):
    """A lint code; its value ("KT002") is what files, JSON and filters see."""
    # files and YAML
    YAML_INVALID = "KT001"
    DUPLICATE_KEY = "KT002"
    YAML_ALIAS = "KT003"
    UNREADABLE = "KT004"
    # schema
    REQUIRED_MISSING = "KT101"
    UNKNOWN_KEY = "KT102"
    WRONG_TYPE = "KT103"
    VALUE_NOT_ALLOWED = "KT104"
    EMPTY = "KT105"
    INVALID_CONDITION = "KT107"
    PERSONAL_DATA = "KT108"
    # ids and manifests
    ID_MISMATCH = "KT201"
    DUPLICATE_ID = "KT202"
    MISSING_REFERENCE = "KT203"
    UNLISTED_RULE = "KT204"
    INVALID_RULE_ID = "KT205"
    INVALID_PREVIOUS = "KT206"
    # conditions
    UNDECLARED_FIELD = "KT301"
    UNKNOWN_OPERATOR = "KT302"
    VALUE_OUTSIDE_FIELD = "KT303"
    TYPE_MISMATCH = "KT304"
    RULE_CYCLE = "KT305"
    UNKNOWN_RULE_REF = "KT306"
    # norms that cannot be right (or cannot be checked)
    NEVER_MEETS = "KT401"
    NEVER_PARTLY = "KT402"
    NEVER_APPLIES = "KT403"
    ALWAYS_APPLIES = "KT404"
    TOO_COMPLEX = "KT405"
    # the rule set
    SOURCE_WITHOUT_CITATION = "KT501"
    NORM_SOURCE_WITHOUT_QUOTE = "KT502"
    DERIVED_WITHOUT_NOTE = "KT503"
    NO_ACTION = "KT504"
    STATUS_WITHOUT_EXAMPLE = "KT505"
    EXAMPLE_FAILS = "KT506"
    QUESTION_WITHOUT_WORDING = "KT507"
    NO_SEED_BASIS = "KT508"
    OTHER = "KT000"


CODES: dict[Code, tuple[str, str]] = {  # code -> (severity, Dutch title)
    Code.YAML_INVALID: (ERROR, "geen geldige YAML"),
    Code.DUPLICATE_KEY: (ERROR, "dubbele sleutel"),
    Code.YAML_ALIAS: (ERROR, "YAML-verwijzing (anker/alias)"),
    Code.UNREADABLE: (ERROR, "bestand of map niet te lezen"),
    Code.REQUIRED_MISSING: (ERROR, "verplicht veld ontbreekt"),
    Code.UNKNOWN_KEY: (ERROR, "onbekend veld"),
    Code.WRONG_TYPE: (ERROR, "verkeerd type"),
    Code.VALUE_NOT_ALLOWED: (ERROR, "waarde niet toegestaan"),
    Code.EMPTY: (ERROR, "lege waarde of lijst"),
    Code.INVALID_CONDITION: (ERROR, "ongeldige voorwaarde"),
    Code.PERSONAL_DATA: (ERROR, "persoonsgegevens (BSN, e-mailadres, telefoonnummer, IBAN, geboortedatum)"),
    Code.ID_MISMATCH: (ERROR, "id of versie komt niet overeen met de bestandsnaam"),
    Code.DUPLICATE_ID: (ERROR, "dubbel id of dubbele naam"),
    Code.MISSING_REFERENCE: (ERROR, "verwijzing naar iets dat niet bestaat (regel, vragenbestand, versie, map)"),
    Code.UNLISTED_RULE: (WARNING, "regelbestand dat in geen enkel manifest staat"),
    Code.INVALID_RULE_ID: (ERROR, "ongeldig regel-id"),
    Code.INVALID_PREVIOUS: (ERROR, "ongeldige 'voorheen'"),
    Code.UNDECLARED_FIELD: (ERROR, "veld niet gedeclareerd in de vragen"),
    Code.UNKNOWN_OPERATOR: (ERROR, "operator bestaat niet"),
    Code.VALUE_OUTSIDE_FIELD: (ERROR, "waarde buiten de toegestane waarden van het veld"),
    Code.TYPE_MISMATCH: (ERROR, "type past niet (bv. een getal vergeleken met tekst)"),
    Code.RULE_CYCLE: (ERROR, "regels verwijzen in een kring naar elkaar"),
    Code.UNKNOWN_RULE_REF: (ERROR, "onbekende regel in een voorwaarde of actie"),
    Code.NEVER_MEETS: (ERROR, "'voldoet' kan nooit waar worden"),
    Code.NEVER_PARTLY: (ERROR, "'deels' kan nooit de uitkomst zijn"),
    Code.NEVER_APPLIES: (ERROR, "'van_toepassing' is nooit waar"),
    Code.ALWAYS_APPLIES: (WARNING, "'van_toepassing' is altijd waar"),
    Code.TOO_COMPLEX: (ERROR, "regel te complex om te controleren"),
    Code.SOURCE_WITHOUT_CITATION: (WARNING, "bronverwijzing zonder sectie of citaat"),
    Code.NORM_SOURCE_WITHOUT_QUOTE: (WARNING, "norm 'bron' zonder citaat: afgeleid?"),
    Code.DERIVED_WITHOUT_NOTE: (ERROR, "afgeleide norm zonder toelichting"),
    Code.NO_ACTION: (ERROR, "regel zonder actie voor het transformatieplan"),
    Code.STATUS_WITHOUT_EXAMPLE: (WARNING, "geen voorbeeld voor een status die de regel kan geven"),
    Code.EXAMPLE_FAILS: (ERROR, "voorbeeld geeft een andere status dan verwacht"),
    Code.QUESTION_WITHOUT_WORDING: (WARNING, "vraag die een regel gebruikt zonder 'kort' of 'labels'"),
    Code.NO_SEED_BASIS: (WARNING, "eis zonder grondslag in S0..S4 die dat niet zegt"),
    Code.OTHER: (ERROR, "overig"),
}


def severity(code: str) -> str:
    return CODES.get(code, CODES[Code.OTHER])[0]


def title(code: str) -> str:
    return CODES.get(code, CODES[Code.OTHER])[1]
