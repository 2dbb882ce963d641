"""The keys of every file format, declared once: per block of a file (the manifest, a deadline in it,
a question, a rule and its parts, an assessment, its team, a fact in the long form, an action of the
transformatieplan, ...) which keys it has, in which order they are written, which are required and
what each means, in Dutch.

From these declarations come the loaders' key checks (`Node.mapping(required=block.required,
optional=block.optional)`, with positions and lint codes), the key lists and descriptions of the JSON
Schemas (editors/jsonschema.py), the order in which the YAML writers (`kader plan --format yaml`,
`kader migrate`) write a block (`block.write(...)`), and the key tables in docs/formaat.md
(`docs_tables()`; tests/test_formats.py holds the docs equal to it). What a value may be (its type,
its allowed values) stays with the loader that checks it.
"""

from __future__ import annotations
from kadertoets.infra.records import record



@record
class Key:
    name: str
    required: bool
    description: str


@record
class Block:
    """The keys of one block of a file, in the order a writer writes them."""

    name: str  # how the docs and messages name it, in Dutch
    keys: tuple[Key, ...]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(k.name for k in self.keys)

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(k.name for k in self.keys if k.required)

    @property
    def optional(self) -> tuple[str, ...]:
        return tuple(k.name for k in self.keys if not k.required)

    def description(self, key: str) -> str:
        return next(k.description for k in self.keys if k.name == key)

    def write(self, **values) -> dict:
        """The given keys as a dict in the declared order, for a YAML writer. A key the block does not
        declare is a bug in the writer, not data."""
        unknown = set(values) - set(self.names)
        if unknown:
            raise ValueError(f"{self.name}: niet gedeclareerde sleutels {sorted(unknown)}")
        return {name: values[name] for name in self.names if name in values}


def _block(name: str, *keys: tuple[str, bool, str]) -> Block:
    return Block(name, tuple(Key(*k) for k in keys))


REQUIRED, OPTIONAL = True, False

# ---------------------------------------------------------------- kader/<versie>.yaml
MANIFEST = _block(
    "manifest",
    ("versie", REQUIRED, 'De versie, gelijk aan de bestandsnaam: "1.0" voor kader/1.0.yaml.'),
    ("naam", REQUIRED, "De naam van het Kader."),
    ("status", REQUIRED, "concept of vastgesteld."),
    ("documentdatum", REQUIRED, "Datum van het document (JJJJ-MM-DD)."),
    ("ingangsdatum", REQUIRED, "Datum waarop deze versie ingaat (JJJJ-MM-DD)."),
    ("ingangsdatum_toelichting", OPTIONAL, "Verplicht als de ingangsdatum afgeleid is: waarom deze datum."),
    ("wijzigingen", REQUIRED, "Wat er in deze versie veranderd is (changelog): een tekst of een lijst."),
    ("vragen", REQUIRED, "Het vragenbestand van deze versie, in dezelfde map, bv. vragen-1.0.yaml."),
    ("rollen", REQUIRED, "Eigenaren van acties in het transformatieplan: sleutel en omschrijving."),
    ("deadlines", REQUIRED, "Benoemde deadlines; regels verwijzen ernaar met hun sleutel."),
    ("regels", REQUIRED, "De regel-id's van deze versie."),
    ("toelichting", OPTIONAL, "Toelichting op deze versie (tekst)."),
    ("bron", OPTIONAL, "Waar het Kader zelf beschreven staat (tekst)."),
    ("vorige_versie", OPTIONAL, 'De versie die deze opvolgt, bv. "1.0".'),
    ("regels_map", OPTIONAL, "De map met de regelbestanden van deze versie, naast kader/ (standaard rules)."),
    ("afwijkingen", OPTIONAL, "Hoe lang een goedgekeurde afwijking in een assessment hoogstens geldt; zonder dit "
                              "blok staat deze versie geen afwijkingen toe."),
    ("bewijs", OPTIONAL, "Hoe oud het bewijs van een feit hoogstens mag zijn (standaard, per thema, per vraag); "
                         "zonder dit blok wordt geen bewijs als verouderd gemeld."),
)
DEADLINE = _block(
    "deadline in het manifest",
    ("datum", REQUIRED, "De datum van de deadline."),
    ("label", REQUIRED, "Hoe de deadline in het transformatieplan heet."),
    ("bron", OPTIONAL, "Waar de deadline vandaan komt, bv. S0 §3.1."),
    ("afgeleid", OPTIONAL, "true als geen bron deze datum noemt (afgeleide deadline)."),
    ("toelichting", OPTIONAL, "Toelichting op de datum (tekst)."),
)

EXCEPTION_POLICY = _block(
    "afwijkingen in het manifest",
    ("max_geldigheid_maanden", REQUIRED, "Hoeveel maanden een afwijking hoogstens geldt, van haar datum tot en "
                                         "met geldig_tot (een geheel getal, minstens 1)."),
    ("bron", OPTIONAL, "Waar deze termijn vandaan komt."),
    ("afgeleid", OPTIONAL, "true als geen bron deze termijn noemt (afgeleide norm); dan is toelichting verplicht."),
    ("toelichting", OPTIONAL, "Waarom deze termijn; verplicht als hij afgeleid is."),
)
EVIDENCE_POLICY = _block(
    "bewijs in het manifest",
    ("max_leeftijd_maanden", REQUIRED, "Hoeveel maanden het bewijs van een feit op de toetsdatum hoogstens oud mag "
                                       "zijn (een geheel getal, minstens 1); ouder is verouderd bewijs."),
    ("per_thema", OPTIONAL, "Per thema van de vragen een eigen maximum in maanden, bv. Veiligheid: 6."),
    ("per_vraag", OPTIONAL, "Per vraagpad een eigen maximum in maanden; gaat voor per_thema."),
    ("bron", OPTIONAL, "Waar deze termijnen vandaan komen."),
    ("afgeleid", OPTIONAL, "true als geen bron deze termijnen noemt (afgeleide norm); dan is toelichting verplicht."),
    ("toelichting", OPTIONAL, "Waarom deze termijnen; verplicht als ze afgeleid zijn."),
)

# ---------------------------------------------------------------- kader/vragen-<versie>.yaml
QUESTIONS_FILE = _block(
    "vragenbestand",
    ("vragen", REQUIRED, "Per vraagpad (kleine letters, cijfers en _ met punten ertussen, bv. "
                         "veiligheid.aandachtsfunctionarissen; team.* is gereserveerd) de vraag."),
    ("regio_vragen", OPTIONAL, "Vragen over de regio (de regionale producten), beantwoord in het regiobestand; "
                               "elk pad begint met regio., bv. regio.escalatiemodel.status."),
)
QUESTION = _block(
    "vraag",
    ("type", REQUIRED, "Het type van het antwoord."),
    ("vraag", REQUIRED, "De vraag zoals de invuller hem leest."),
    ("hulp", OPTIONAL, "Uitleg bij de vraag: wat telt mee, waar vindt u het antwoord."),
    ("eenheid", OPTIONAL, "Eenheid van een getal, bv. fte, personen, procent."),
    ("waarden", OPTIONAL, "De toegestane waarden (alleen en verplicht bij keuze en meerkeuze)."),
    ("minimum", OPTIONAL, "Kleinste toegestane waarde (alleen bij geheel_getal en getal)."),
    ("maximum", OPTIONAL, "Grootste toegestane waarde (alleen bij geheel_getal en getal)."),
    ("thema", OPTIONAL, "Thema, voor groepering."),
    ("kort", OPTIONAL, "Korte omschrijving van het feit voor redenen en overzichten, op één regel, bv. "
                       "'de registratie van eigen begeleiding'."),
    ("labels", OPTIONAL, "Per waarde de tekst die een lezer ziet in plaats van de code, bv. excel: "
                         "'een eigen Excelbestand'; bij ja_nee per ja en nee de uitspraak. Alle waarden of geen."),
)

# ---------------------------------------------------------------- rules/<ID>.yaml
RULE = _block(
    "regel",
    ("id", REQUIRED, "Het regel-id, gelijk aan de bestandsnaam, bv. KLT-VEI-02."),
    ("titel", REQUIRED, "Korte titel van de eis."),
    ("thema", REQUIRED, "Thema, voor groepering."),
    ("uitleg", REQUIRED, "Uitleg die een teamlid begrijpt."),
    ("bronnen", REQUIRED, "Waar de eis vandaan komt."),
    ("grondslag", OPTIONAL, "bronnen (standaard): een bron uit S0..S4 stelt de eis; buiten_bronnen: geen van "
                            "S0..S4 stelt hem (bv. een wet of publieke norm)."),
    ("grondslag_toelichting", OPTIONAL, "Verplicht (en alleen) bij grondslag: buiten_bronnen: waar de eis dan "
                                        "vandaan komt en wat de bronnen er wel over zeggen."),
    ("norm_herkomst", REQUIRED, "bron: de norm staat in een bron; afgeleid: de drempel noemt geen bron."),
    ("norm_toelichting", OPTIONAL, "Verplicht bij een afgeleide norm: welke drempel geen bron noemt en waarom."),
    ("verantwoordelijk", REQUIRED, "Wie kan handelen: lokaal_team, gemeente of regio "
                                   "(regio = regionale afhankelijkheid)."),
    ("van_toepassing", OPTIONAL, "Voorwaarde; onwaar betekent: niet van toepassing (nvt)."),
    ("norm", REQUIRED, "Wanneer de eis voldoet, en wanneer deels."),
    ("actie", REQUIRED, "De verbeteractie voor het transformatieplan."),
    ("voorbeelden", REQUIRED, "Voorbeelden die als tests draaien; minstens één per status die de "
                              "regel kan geven."),
    ("wijziging", OPTIONAL, "Wat is veranderd ten opzichte van de concept-eisenlijst, en waarom."),
    ("voorheen", OPTIONAL, "Eisen uit eerdere versies die deze eis voortzet (hernoemd, gesplitst of "
                           "samengevoegd); trend en migratie volgen ze."),
    ("regionaal_product", OPTIONAL, "Alleen bij verantwoordelijk: regio: het regionale product waar het team "
                                    "op wacht, en wanneer het er is (een voorwaarde op regio.*-velden)."),
)
REGIONAL_PRODUCT = _block(
    "regionaal product van een regel",
    ("naam", REQUIRED, "Het product zoals een lezer het noemt, bv. 'escalatiemodel'."),
    ("voorwaarde", REQUIRED, "Voorwaarde op velden uit regio_vragen: waar betekent dat de regio het product "
                             "heeft; onwaar geeft het team 'voldoet niet' (wacht op de regio)."),
    ("verwacht", OPTIONAL, "Wanneer het product verwacht wordt, zoals een lezer het leest, bv. "
                           "'na de gunning in mei/juni 2023'."),
)
SOURCE = _block(
    "bronverwijzing",
    ("bron", OPTIONAL, "Een bron uit S0..S4 (of gebruik url)."),
    ("sectie", OPTIONAL, "Sectie of paragraaf in de bron."),
    ("citaat", OPTIONAL, "Kort citaat uit de bron."),
    ("url", OPTIONAL, "Een publieke URL (http:// of https://)."),
    ("rol", OPTIONAL, "grondslag (standaard): de bron stelt de eis; illustratie: de bron laat de eis zien, "
                      "maar is er geen grondslag voor (bv. S4, een andere gemeente)."),
)
NORM = _block(
    "norm",
    ("voldoet", REQUIRED, "Waar: de eis voldoet."),
    ("deels", OPTIONAL, "Waar (en voldoet niet): deels."),
)
RULE_ACTION = _block(
    "actie van een regel",
    ("omschrijving", REQUIRED, "Wat te doen."),
    ("eigenaar", REQUIRED, "Een rol uit het manifest."),
    ("deadline", REQUIRED, "Een benoemde deadline uit het manifest."),
    ("extra_middelen_mogelijk", REQUIRED, "Kan de actie extra middelen vragen?"),
    ("onderdelen", OPTIONAL, "De actie in delen, elk met wanneer het al bereikt is; het plan stelt alleen "
                             "de delen voor die het team nog niet bereikt heeft."),
)
RULE_ACTION_PART = _block(
    "onderdeel van een actie",
    ("omschrijving", REQUIRED, "Wat te doen voor dit deel (een hele zin)."),
    ("tenzij", REQUIRED, "Voorwaarde zoals in de norm: als die voor het team waar is, is dit deel al bereikt "
                         "en wordt het niet voorgesteld (onbekend telt als nog niet bereikt)."),
)
EXAMPLE = _block(
    "voorbeeld",
    ("naam", REQUIRED, "Een unieke naam voor het voorbeeld."),
    ("verwacht", REQUIRED, "De status die de regel voor dit voorbeeld moet geven."),
    ("feiten", OPTIONAL, "De feiten van het voorbeeld, zoals in een assessment."),
    ("team_taken", OPTIONAL, "Taken van het team; standaard beide true."),
    ("regels", OPTIONAL, "De uitkomst van regels waarop deze regel steunt: regel-id en status."),
    ("peildatum", OPTIONAL, "Peildatum van het voorbeeld; standaard de ingangsdatum van het Kader."),
)
EXAMPLE_TASKS = _block(
    "team_taken van een voorbeeld",
    ("jeugd", OPTIONAL, "Heeft het team de taak jeugd? Standaard true."),
    ("wmo", OPTIONAL, "Heeft het team de taak wmo? Standaard true."),
)
EXAMPLE_FILE = _block(
    "voorbeeldbestand (kader test --voorbeelden)",
    ("regel", REQUIRED, "Het regel-id waarvoor de voorbeelden gelden."),
    ("toelichting", OPTIONAL, "Waar de voorbeelden vandaan komen."),
    ("voorbeelden", REQUIRED, "De voorbeelden, zoals in de regel zelf."),
)

# ---------------------------------------------------------------- assessments/*.yaml
ASSESSMENT = _block(
    "assessment",
    ("kader", OPTIONAL, "De Kaderversie van dit assessment; zonder versie geldt de versie van de peildatum."),
    ("peildatum", REQUIRED, "De datum waarop de feiten gelden (dd-mm-jjjj of JJJJ-MM-DD)."),
    ("team", REQUIRED, "Het team: id, naam, gemeente, organisatie en taken."),
    ("ingevuld_door", OPTIONAL, "Wie het assessment invulde, en waar de feiten vandaan komen."),
    ("feiten", REQUIRED, "Per vraagpad het antwoord (korte vorm) of waarde, toelichting en bewijs (lange vorm)."),
    ("transformatieplan", OPTIONAL, "De acties van het team; `kader plan --formaat yaml` maakt dit blok."),
    ("afwijkingen", OPTIONAL, "Goedgekeurde afwijkingen: eisen waaraan het team tijdelijk niet hoeft te voldoen, "
                              "met reden, wie goedkeurde en tot wanneer."),
)
TEAM = _block(
    "team",
    ("id", REQUIRED, "Korte naam van het team: letters, cijfers, '-', '_' en '.', bv. bbs-baarn."),
    ("naam", REQUIRED, "Naam van het team."),
    ("gemeente", REQUIRED, "Gemeente van het team."),
    ("organisatie", REQUIRED, "Organisatie van het team."),
    ("taken", REQUIRED, "Taken van het team: jeugd en wmo (ja of nee)."),
)
TASKS = _block(
    "taken van het team",
    ("jeugd", REQUIRED, "Heeft het team de taak jeugd (ja of nee)?"),
    ("wmo", REQUIRED, "Heeft het team de taak wmo (ja of nee)?"),
)
FILLED_IN = _block(
    "ingevuld_door",
    ("naam", OPTIONAL, "Wie het assessment invulde."),
    ("rol", OPTIONAL, "De rol van de invuller."),
    ("datum", OPTIONAL, "Wanneer het is ingevuld."),
    ("toelichting", OPTIONAL, "Waar de feiten vandaan komen."),
)
FACT = _block(
    "feit in de lange vorm",
    ("waarde", OPTIONAL, "Het antwoord; zonder waarde is het feit onbekend (met toelichting)."),
    ("toelichting", OPTIONAL, "Uitleg bij het antwoord, of waarom het onbekend is."),
    ("bewijs", OPTIONAL, "Waar het antwoord te controleren is."),
    ("bewijs_datum", OPTIONAL, "De datum van het bewijs (dd-mm-jjjj of JJJJ-MM-DD); niet na de peildatum. "
                               "Ouder dan het manifest toestaat: verouderd bewijs."),
    ("bewijs_document", OPTIONAL, "Het document waarin het bewijs staat (naam, kenmerk of vindplaats)."),
    ("herbevestigen", OPTIONAL, "Gezet door kader migrate: de vraag is veranderd, bevestig het antwoord."),
)
PLAN_ACTION = _block(
    "actie in het transformatieplan",
    ("id", OPTIONAL, "Eigen kenmerk van de actie."),
    ("eis", REQUIRED, "Een eis (regel-id) van het Kader."),
    ("omschrijving", REQUIRED, "Wat er gedaan wordt."),
    ("eigenaar", REQUIRED, "Wie de actie uitvoert; meestal een rol uit het Kader."),
    ("deadline", REQUIRED, "De oorspronkelijke deadline (dd-mm-jjjj of JJJJ-MM-DD), of leeg."),
    ("status", REQUIRED, "gepland, behaald, deels_behaald of niet_behaald."),
    ("deadline_verplaatst", OPTIONAL, "Geschiedenis van verplaatste deadlines; nooit overschrijven, alleen "
                                      "toevoegen."),
    ("extra_middelen_nodig", OPTIONAL, "Zijn er extra middelen nodig?"),
    ("toelichting", OPTIONAL, "Toelichting bij de actie."),
)
REGION_ASSESSMENT = _block(
    "regiobestand",
    ("kader", OPTIONAL, "De Kaderversie; zonder versie geldt de versie van de peildatum."),
    ("peildatum", REQUIRED, "De datum waarop de feiten over de regio gelden (dd-mm-jjjj of JJJJ-MM-DD)."),
    ("regio", REQUIRED, "De regio: naam (en eventueel een toelichting)."),
    ("ingevuld_door", OPTIONAL, "Wie het regiobestand invulde, en waar de feiten vandaan komen."),
    ("feiten", REQUIRED, "Per vraagpad uit regio_vragen het antwoord, zoals in een assessment."),
)
REGION = _block(
    "regio",
    ("naam", REQUIRED, "Naam van de regio, bv. Regio Amersfoort."),
    ("toelichting", OPTIONAL, "Toelichting (tekst)."),
)
MOVED = _block(
    "verplaatste deadline",
    ("naar", REQUIRED, "De nieuwe deadline."),
    ("toelichting", OPTIONAL, "Waarom de deadline verschoof."),
)

EXCEPTION = _block(
    "afwijking",
    ("eis", REQUIRED, "De eis (regel-id) van het Kader waarvoor de afwijking geldt; hoogstens één per eis."),
    ("reden", REQUIRED, "Waarom het team tijdelijk niet aan de eis hoeft te voldoen."),
    ("goedgekeurd_door", REQUIRED, "Wie de afwijking goedkeurde: rol en naam."),
    ("datum", REQUIRED, "Wanneer de afwijking is goedgekeurd en ingaat; niet na de peildatum."),
    ("geldig_tot", REQUIRED, "De laatste dag waarop de afwijking geldt; niet vóór de datum en niet verder "
                             "daarna dan het manifest toestaat."),
)
APPROVER = _block(
    "goedgekeurd_door",
    ("rol", REQUIRED, "Een rol uit het manifest (rollen), bv. gemeente_opdrachtgever."),
    ("naam", REQUIRED, "De naam van wie goedkeurde."),
)

ACCOUNTS_FILE = _block(
    "gebruikersbestand",
    ("gebruikers", REQUIRED, "De gebruikers van `kader serve`, één per onderdeel; aanmaken en wijzigen met "
                             "`kader gebruiker toevoegen`."),
)
ACCOUNT = _block(
    "gebruiker",
    ("naam", REQUIRED, "De inlognaam: letters, cijfers, '.', '-' en '_' (hoogstens 64 tekens), beginnend met een "
                       "letter of cijfer; hoofdletters tellen niet mee."),
    ("rol", REQUIRED, "team (leest en bewerkt de eigen teams), regio (leest alle teams en het regionale "
                      "overzicht) of redacteur (ook het Kader)."),
    ("teams", OPTIONAL, "Alleen en verplicht bij rol team: de team-id's die de gebruiker leest en bewerkt."),
    ("wachtwoord", REQUIRED, "De scrypt-hash van het wachtwoord (scrypt$N$r$p$zout$hash), nooit het wachtwoord "
                             "zelf."),
)

# the blocks per file, in the order docs/formaat.md shows them
FILES: dict[str, tuple[Block, ...]] = {
    "Manifest (`kader/<versie>.yaml`)": (MANIFEST, DEADLINE, EXCEPTION_POLICY, EVIDENCE_POLICY),
    "Vragen (`kader/vragen-<versie>.yaml`)": (QUESTIONS_FILE, QUESTION),
    "Regel (`rules/<ID>.yaml`)": (RULE, SOURCE, NORM, REGIONAL_PRODUCT, RULE_ACTION, RULE_ACTION_PART, EXAMPLE,
                                  EXAMPLE_TASKS),
    "Voorbeeldbestand (`kader test --voorbeelden`)": (EXAMPLE_FILE,),
    "Assessment (`assessments/*.yaml`)": (ASSESSMENT, TEAM, TASKS, FILLED_IN, FACT, PLAN_ACTION, MOVED, EXCEPTION,
                                          APPROVER),
    "Regiobestand (`assessments/regio-*.yaml`)": (REGION_ASSESSMENT, REGION),
    "Gebruikersbestand (`kader serve`)": (ACCOUNTS_FILE, ACCOUNT),
}


def docs_tables() -> str:
    """The key tables of docs/formaat.md ("## Sleutels per bestand"), generated from the blocks."""
    out = []
    for title, blocks in FILES.items():
        out.append(f"### {title}\n")
        for block in blocks:
            out.append(f"**{block.name[0].upper() + block.name[1:]}**\n")
            out.append("| sleutel | verplicht | wat |\n|---|---|---|")
            out.extend(f"| `{k.name}` | {'ja' if k.required else 'nee'} | {k.description} |" for k in block.keys)
            out.append("")
    return "\n".join(out).rstrip() + "\n"


def plan_action_yaml(*, id, requirement, description, owner, deadline, status, moved=(), extra_budget=None,
                     note=None) -> dict:
    """One action of a transformatieplan as the YAML writers write it (`kader plan --format yaml` and
    `kader migrate`): the declared order, optional keys only when they hold something. `moved` holds
    (to, note) pairs."""
    values = {"eis": requirement, "omschrijving": description, "eigenaar": owner, "deadline": deadline,
              "status": status}
    if id:
        values["id"] = id
    if moved:
        values["deadline_verplaatst"] = [MOVED.write(naar=to, **({"toelichting": why} if why else {}))
                                         for to, why in moved]
    if extra_budget is not None:
        values["extra_middelen_nodig"] = extra_budget
    if note:
        values["toelichting"] = note
    return PLAN_ACTION.write(**values)
