"""A small Kader for the tests of afwijkingen and dated evidence (issue 12): the mini test Kader
(tests/fixtures/mini, rules T-A-01 and T-B-01) with an `afwijkingen:` and a `bewijs:` block in its
manifest, and a team whose only gaps are easy to choose.

- afwijkingen: at most 12 months;
- bewijs: 12 months by default, 6 months for the question a.keuze.

With `team(...)`: a.aantal 2 makes T-A-01 voldoet; a.keuze geen and b.datum 2020-01-01 make T-B-01
voldoet_niet (its only gap), at peildatum 1 maart 2023.
"""

from __future__ import annotations

import shutil
from pathlib import Path

MINI = Path(__file__).resolve().parent / "fixtures" / "mini"

POLICIES = """
afwijkingen:
  max_geldigheid_maanden: 12
  afgeleid: true
  toelichting: "Test: geen bron."
bewijs:
  max_leeftijd_maanden: 12
  per_vraag:
    a.keuze: 6
"""


def make_kader(dest: Path, policies: str = POLICIES) -> Path:
    """A copy of the mini Kader in `dest` with `policies` added to its manifest."""
    shutil.copytree(MINI, dest, dirs_exist_ok=True)
    manifest = dest / "kader" / "1.0.yaml"
    manifest.write_text(manifest.read_text(encoding="utf-8") + policies, encoding="utf-8")
    return dest


TEAM = """\
kader: "1.0"
peildatum: {peildatum}
team:
  id: proef
  naam: Proefteam
  gemeente: Proefstad
  organisatie: Proef
  taken: {{jeugd: true, wmo: true}}
feiten:
  a.aantal:
    waarde: {aantal}{aantal_bewijs}
  a.keuze:
    waarde: {keuze}{keuze_bewijs}
  b.datum: 2020-01-01
"""


def team(afwijkingen: str = "", peildatum: str = "2023-03-01", aantal: int = 2, keuze: str = "geen",
         aantal_bewijs: str = "", keuze_bewijs: str = "") -> str:
    """The text of an assessment; `afwijkingen` is the YAML block (with its 'afwijkingen:' line), the
    *_bewijs texts are extra lines under the fact (e.g. '\\n    bewijs_datum: 2022-03-01')."""
    text = TEAM.format(peildatum=peildatum, aantal=aantal, keuze=keuze, aantal_bewijs=aantal_bewijs,
                       keuze_bewijs=keuze_bewijs)
    return text + afwijkingen


def afwijking(eis="T-B-01", reden="Wacht op de regio.", rol="implementatieverantwoordelijke", naam="A. de Boer",
              datum="2023-01-01", geldig_tot="2023-12-31", drop=()) -> str:
    """One afwijking as a YAML list item; keys named in `drop` are left out."""
    lines = [("eis", eis), ("reden", f'"{reden}"' if reden is not None else None),
             ("goedgekeurd_door", f"{{rol: {rol}, naam: \"{naam}\"}}"), ("datum", datum), ("geldig_tot", geldig_tot)]
    body = [f"{k}: {v}" for k, v in lines if k not in drop]
    return "  - " + "\n    ".join(body) + "\n"
