"""A second Kader version, for tests only (the shipped Kader stays 1.0: the region never wrote a 1.1).

`make_two_versions(dest)` copies the bundled kader/ and rules/ and adds a 1.1 in its own rule
folder, with one change of each kind. Every edit is a string replacement that must happen, so the
fixture cannot drift silently from the files it is built on.

1.1 against 1.0:
- KLT-VEI-02: voldoet needs 3 aandachtsfunctionarissen instead of 1 (a threshold);
- KLT-VEI-08 is renamed KLT-VEI-09 (`voorheen`);
- KLT-CLI-01 is removed, and with it the question clientervaring.aansluiting_contractpartner;
- KLT-LER-09 is new, on the new question leren.jaarverslag_opgesteld;
- veiligheid.casuistiekbespreking_save_bsa no longer allows `pilot` (Leusden's answer; KLT-VEI-06
  now names `incidenteel` instead);
- veiligheid.gespecialiseerde_medewerkers becomes a `getal` instead of a `geheel_getal`.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _edit(path: Path, *pairs: tuple[str, str]) -> None:
    text = path.read_text(encoding="utf-8")
    for old, new in pairs:
        assert old in text, f"{path.name}: '{old}' niet gevonden"
        text = text.replace(old, new, 1)
    path.write_text(text, encoding="utf-8")


NEW_RULE = """id: KLT-LER-09
titel: "Jaarverslag lerend stelsel"
thema: Leren en verbeteren
uitleg: >
  Testregel van de fixture-versie 1.1: het team stelt jaarlijks een verslag op van wat het leerde.
bronnen:
  - bron: S0
    sectie: "§3.3 Leren en verbeteren"
norm_herkomst: afgeleid
norm_toelichting: "Testnorm: geen bron vraagt een jaarverslag."
verantwoordelijk: lokaal_team
norm:
  voldoet:
    veld: leren.jaarverslag_opgesteld
    is: true
actie:
  omschrijving: "Een jaarverslag opstellen."
  eigenaar: teamleider
  deadline: nieuwe_rol_2024
  extra_middelen_mogelijk: false
voorbeelden:
  - {naam: ja, feiten: {leren.jaarverslag_opgesteld: true}, verwacht: voldoet}
  - {naam: nee, feiten: {leren.jaarverslag_opgesteld: false}, verwacht: voldoet_niet}
  - {naam: onbekend, feiten: {}, verwacht: onbekend}
"""

NEW_QUESTION = """  leren.jaarverslag_opgesteld:
    type: ja_nee
    vraag: "Heeft het team over het afgelopen jaar een jaarverslag opgesteld?"
    thema: Leren en verbeteren
"""


def make_two_versions(dest: Path) -> Path:
    dest = Path(dest)
    shutil.copytree(ROOT / "kader", dest / "kader")
    shutil.copytree(ROOT / "rules", dest / "rules")
    new_rules = dest / "rules-1.1"
    shutil.copytree(ROOT / "rules", new_rules)

    manifest = dest / "kader" / "1.1.yaml"
    shutil.copy(dest / "kader" / "1.0.yaml", manifest)
    _edit(manifest,
          ('versie: "1.0"', 'versie: "1.1"'),
          ("documentdatum: 2023-02-01", "documentdatum: 2023-12-01"),
          ("ingangsdatum: 2023-02-01", "ingangsdatum: 2024-01-01\nvorige_versie: \"1.0\"\nregels_map: rules-1.1"),
          ("vragen: vragen-1.0.yaml", "vragen: vragen-1.1.yaml"),
          ("  - KLT-VEI-08\n", "  - KLT-VEI-09\n"),
          ("  - KLT-CLI-01\n", "  - KLT-LER-09\n"))
    text = manifest.read_text(encoding="utf-8")
    start = text.index("wijzigingen: >-")
    end = text.index("vragen: vragen-1.1.yaml")
    manifest.write_text(text[:start] + "wijzigingen:\n  - \"Testversie: zie tests/kaderversions.py.\"\n" + text[end:],
                        encoding="utf-8")

    questions = dest / "kader" / "vragen-1.1.yaml"
    shutil.copy(dest / "kader" / "vragen-1.0.yaml", questions)
    _edit(questions,
          ("    waarden: [geen, pilot, structureel]", "    waarden: [geen, incidenteel, structureel]"),
          ('      "pilot": "een pilot"', '      "incidenteel": "af en toe"'),
          ("  veiligheid.gespecialiseerde_medewerkers:\n    type: geheel_getal",
           "  veiligheid.gespecialiseerde_medewerkers:\n    type: getal"))
    text = questions.read_text(encoding="utf-8")
    start = text.index("  clientervaring.aansluiting_contractpartner:")
    end = re.compile(r"\n  (?! )").search(text, start).start() + 1  # the next question
    questions.write_text(text[:start] + text[end:].rstrip("\n") + "\n" + NEW_QUESTION, encoding="utf-8")

    vei06 = new_rules / "KLT-VEI-06.yaml"  # its norm and examples use the dropped value
    text = vei06.read_text(encoding="utf-8")
    assert text.count("pilot") >= 3
    vei06.write_text(text.replace("[pilot, structureel]", "[incidenteel, structureel]")
                     .replace("casuistiekbespreking_save_bsa: pilot", "casuistiekbespreking_save_bsa: incidenteel"),
                     encoding="utf-8")
    _edit(new_rules / "KLT-VEI-02.yaml",
          ("    veld: veiligheid.aandachtsfunctionarissen\n    min: 1\n",
           "    veld: veiligheid.aandachtsfunctionarissen\n    min: 3\n"))
    _fix_examples_vei02(new_rules / "KLT-VEI-02.yaml")
    renamed = new_rules / "KLT-VEI-09.yaml"
    (new_rules / "KLT-VEI-08.yaml").rename(renamed)
    _edit(renamed, ("id: KLT-VEI-08\n", "id: KLT-VEI-09\nvoorheen: [KLT-VEI-08]\n"))
    (new_rules / "KLT-CLI-01.yaml").unlink()
    (new_rules / "KLT-LER-09.yaml").write_text(NEW_RULE, encoding="utf-8")
    return dest


def _fix_examples_vei02(path: Path) -> None:
    """With 3 as the new minimum, examples of 1 or 2 aandachtsfunctionarissen no longer comply."""
    text = path.read_text(encoding="utf-8")
    text = text.replace("veiligheid.aandachtsfunctionarissen: 1}", "veiligheid.aandachtsfunctionarissen: 3}")
    text = text.replace("veiligheid.aandachtsfunctionarissen: 2}", "veiligheid.aandachtsfunctionarissen: 3}")
    path.write_text(text, encoding="utf-8")
