"""The codes of `kader lint`: one per kind of problem, with its severity and a short Dutch title.

Problems get their code where they are raised (Node.fail(..., code=...)); lint adds the semantic
and rule-set checks (normcheck.py, lint.py). Codes are stable: editors and CI filters rely on them.
"""

from __future__ import annotations

ERROR, WARNING = "fout", "waarschuwing"

CODES: dict[str, tuple[str, str]] = {
    # files and YAML
    "KT001": (ERROR, "geen geldige YAML"),
    "KT002": (ERROR, "dubbele sleutel"),
    "KT003": (ERROR, "YAML-verwijzing (anker/alias)"),
    "KT004": (ERROR, "bestand of map niet te lezen"),
    # schema
    "KT101": (ERROR, "verplicht veld ontbreekt"),
    "KT102": (ERROR, "onbekend veld"),
    "KT103": (ERROR, "verkeerd type"),
    "KT104": (ERROR, "waarde niet toegestaan"),
    "KT105": (ERROR, "lege waarde of lijst"),
    "KT107": (ERROR, "ongeldige voorwaarde"),
    # ids and manifests
    "KT201": (ERROR, "id of versie komt niet overeen met de bestandsnaam"),
    "KT202": (ERROR, "dubbel id of dubbele naam"),
    "KT203": (ERROR, "verwijzing naar iets dat niet bestaat (regel, vragenbestand, versie, map)"),
    "KT204": (WARNING, "regelbestand dat in geen enkel manifest staat"),
    "KT205": (ERROR, "ongeldig regel-id"),
    "KT206": (ERROR, "ongeldige 'voorheen'"),
    # conditions
    "KT301": (ERROR, "veld niet gedeclareerd in de vragen"),
    "KT302": (ERROR, "operator bestaat niet"),
    "KT303": (ERROR, "waarde buiten de toegestane waarden van het veld"),
    "KT304": (ERROR, "type past niet (bv. een getal vergeleken met tekst)"),
    "KT305": (ERROR, "regels verwijzen in een kring naar elkaar"),
    "KT306": (ERROR, "onbekende regel in een voorwaarde of actie"),
    # norms that cannot be right (or cannot be checked)
    "KT401": (ERROR, "'voldoet' kan nooit waar worden"),
    "KT402": (ERROR, "'deels' kan nooit de uitkomst zijn"),
    "KT403": (ERROR, "'van_toepassing' is nooit waar"),
    "KT404": (WARNING, "'van_toepassing' is altijd waar"),
    "KT405": (ERROR, "regel te complex om te controleren"),
    # the rule set
    "KT501": (WARNING, "bronverwijzing zonder sectie of citaat"),
    "KT502": (WARNING, "norm 'bron' zonder citaat: afgeleid?"),
    "KT503": (ERROR, "afgeleide norm zonder toelichting"),
    "KT504": (ERROR, "regel zonder actie voor het transformatieplan"),
    "KT505": (WARNING, "geen voorbeeld voor een status die de regel kan geven"),
    "KT506": (ERROR, "voorbeeld geeft een andere status dan verwacht"),
    "KT000": (ERROR, "overig"),
}


def severity(code: str) -> str:
    return CODES.get(code, CODES["KT000"])[0]
