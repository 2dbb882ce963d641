"""HTML renderers for `kader sweep` and `kader trend`: ONE self-contained file (inline CSS, a few lines
of inline JS, an inline SVG chart; no external scripts, fonts or images), so it works offline and as an
e-mail attachment. Every value from the input goes through html.escape, after its control characters
are made visible (engine.textsafe.clean: HTML cannot hold most of them, and the page may be printed
to a terminal)."""

from __future__ import annotations

import html
import re

from kadertoets.model import RESPONSIBLE_NAME, Status
from kadertoets.sweep.sweep import Sweep
from kadertoets.sweep.trend import CHANGE_LABEL, Trend
from kadertoets.infra.textsafe import clean
from kadertoets.render import STATUS_LABEL, STATUS_SYMBOL, WAITING_LABEL, WAITING_LEGEND, Options, renderer, safe_text, status_text
from kadertoets.infra.dates import dutch_date
from kadertoets.render.check import extra_lines
from kadertoets.render.sweep import TEAM_NOTES, totals_line
from kadertoets.render.sweep import (COUNT_ORDER, REGION_RULE, cell, cell_symbol, missing_note, region_section, waits, invalid_count, region_notes, rows_by_theme,
                                     sweep_labels, teams_count, trend_labels, about_line, sweep_about, trend_about)

# Background colours for the heatmap (text stays black); the symbol carries the meaning without colour.
STATUS_BG = {
    Status.VOLDOET: "#c6efce",
    Status.DEELS: "#ffeb9c",
    Status.VOLDOET_NIET: "#ffc7ce",
    Status.ONBEKEND: "#e4d7f5",
    Status.NVT: "#ededed",
}
# Line colours for the trend chart.
STATUS_LINE = {
    Status.VOLDOET: "#2e7d32",
    Status.DEELS: "#b8860b",
    Status.VOLDOET_NIET: "#c62828",
    Status.ONBEKEND: "#6a1b9a",
    Status.NVT: "#757575",
}

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;margin:1.5rem;color:#111;line-height:1.4}
h1{font-size:1.5rem;margin:0 0 .3rem}h2{font-size:1.2rem;margin:1.8rem 0 .5rem;border-bottom:1px solid #ccc}
h3{font-size:1.05rem;margin:1.2rem 0 .4rem}
table{border-collapse:collapse;margin:.4rem 0 1rem;font-size:.9rem}
th,td{border:1px solid #bbb;padding:.2rem .45rem;vertical-align:top;text-align:left}
th{background:#ddebf7}
td.num{text-align:right}
.heatmap td.st{text-align:center;white-space:nowrap;min-width:2.2rem}
.heatmap td:first-child{white-space:nowrap}
.heatmap td.st a{color:inherit;text-decoration:none;display:block}
.heatmap th.team{text-align:center;vertical-align:bottom;max-width:9rem;font-size:.85rem}
.heatmap th.theme{background:#f3f3f3;text-align:left}
.invalid{border:3px solid #c62828;background:#fff0f0;padding:.6rem 1rem;margin:1rem 0}
.invalid h2{color:#c62828;border:0;margin-top:0}
.legend span{display:inline-block;border:1px solid #bbb;padding:.1rem .4rem;margin:.1rem .3rem .1rem 0}
.team-detail{margin-top:1.5rem;padding-top:.3rem}
:target{outline:3px solid #1565c0;outline-offset:2px}
tr:target td{background:#fff59d}
.muted{color:#555}
.only-gaps tr.ok{display:none}
button{font:inherit;padding:.2rem .6rem;margin:.4rem 0}
@media print{button{display:none}}
"""
CSS += "".join(f".st-{s.value}{{background:{STATUS_BG[s]}}}" for s in Status)

SCRIPT = """
document.getElementById('toggle-gaps').addEventListener('click', function () {
  var on = document.body.classList.toggle('only-gaps');
  this.textContent = on ? 'Toon alle bevindingen' : 'Toon alleen tekorten en onbekend';
});
"""


def e(value) -> str:
    """Escape any value from the input for HTML text and attribute values (control characters made
    visible first)."""
    return html.escape("" if value is None else clean(value), quote=True)


def _page(title: str, body: list[str], script: str = "") -> str:
    parts = ["<!DOCTYPE html>", '<html lang="nl">', "<head>", '<meta charset="utf-8">',
             '<meta name="viewport" content="width=device-width, initial-scale=1">',
             f"<title>{e(title)}</title>", f"<style>{CSS}</style>", "</head>", "<body>"]
    parts += body
    if script:
        parts.append(f"<script>{script}</script>")
    parts += ["</body>", "</html>", ""]
    return safe_text("\n".join(parts))


def anchors(team_ids) -> dict[str, str]:
    """A safe, unique HTML id per team id (the team id itself may contain anything)."""
    out: dict[str, str] = {}
    used: set[str] = set()
    for tid in team_ids:
        base = "team-" + (re.sub(r"[^a-z0-9_-]+", "-", tid.casefold()).strip("-") or "x")
        anchor, n = base, 2
        while anchor in used:
            anchor, n = f"{base}-{n}", n + 1
        used.add(anchor)
        out[tid] = anchor
    return out


def _rule_anchor(team_anchor: str, rule_id: str) -> str:
    return f"{team_anchor}--{re.sub(r'[^A-Za-z0-9_-]+', '-', rule_id)}"


def _invalid_block(invalid, note: str) -> list[str]:
    if not invalid:
        return []
    out = ['<section class="invalid" id="ongeldig" role="alert">',
           f"<h2>⚠ {e(invalid_count(invalid))}: {e(note)}</h2>", "<ul>"]
    for item in invalid:
        for p in item.problems:
            out.append(f"<li><code>{e(item.file)}</code>: {e(p.render())}</li>")
    out += ["</ul>", "</section>"]
    return out


def team_place(team) -> str:
    """Where a team belongs, beside its label (which is its name only): 'gemeente Baarn, organisatie BBS'."""
    return f"gemeente {team.municipality}, organisatie {team.organisation}"


def _teams(n: int) -> str:
    return "1 team" if n == 1 else f"{n} teams"


def _legend(extra: str, waiting: bool = False) -> str:
    spans = "".join(f'<span class="st-{s.value}">{e(status_text(s))}</span>' for s in COUNT_ORDER)
    if waiting:  # the sweep's matrix marks a requirement waiting on the region with R
        spans += f'<span class="st-voldoet_niet">{e(WAITING_LEGEND)}</span>'
    return f'<p class="legend">Legenda: {spans}<span>· {e(extra)}</span></p>'


def _count_cells(counts) -> str:
    return "".join(f'<td class="num">{counts[s.value]}</td>' for s in COUNT_ORDER)


def _count_headers() -> str:
    return "".join(f"<th>{e(status_text(s))}</th>" for s in COUNT_ORDER)


# ------------------------------------------------------------------ sweep --------------------
@renderer("sweep", "html")
def sweep_html(sweep: Sweep, options: Options) -> str:
    labels = sweep_labels(sweep)
    evs = list(sweep.evaluations)
    ids = anchors(ev.assessment.team.id for ev in evs)
    scope = (f"peildatum tot en met {dutch_date(sweep.reference_date_until)}" if sweep.reference_date_until else "laatste peildatum per team")
    body = ["<h1>Regionaal overzicht lokale teams</h1>", f'<p class="muted">{_teams(len(evs))}, {e(scope)}</p>',
            f'<p class="muted about">{e(about_line(sweep_about(sweep, options)))}</p>']
    body += _invalid_block(sweep.invalid, missing_note(sweep.invalid))
    body.append('<nav><a href="#matrix">Matrix</a> · <a href="#per-eis">Per eis</a> · '
                '<a href="#regionaal">Regionale afhankelijkheden</a> · <a href="#per-team">Per team</a></nav>')
    # matrix (heatmap): requirements grouped by theme × teams grouped by gemeente/organisatie
    if evs:
        body += ['<h2 id="matrix">Matrix</h2>', _legend("niet in de Kaderversie van dit team", waiting=True),
                 '<table class="heatmap">', "<thead><tr><th>Eis</th><th>Titel</th>"]
        body += [f'<th class="team" scope="col"><a href="#{ids[ev.assessment.team.id]}" '
                 f'title="{e(ev.assessment.team.name)}">{e(labels[ev.assessment.team.id])}</a></th>' for ev in evs]
        body.append("</tr></thead><tbody>")
        last_theme = None
        for req in rows_by_theme(sweep):
            if req.theme != last_theme:
                body.append(f'<tr><th class="theme" colspan="{len(evs) + 2}">{e(req.theme)}</th></tr>')
                last_theme = req.theme
            row = [f"<tr><td>{e(req.rule_id)}</td><td>{e(req.title)}</td>"]
            for ev in evs:
                st = cell(ev, req.rule_id)
                if st is None:
                    row.append('<td class="st" title="niet in de Kaderversie van dit team">·</td>')
                    continue
                target = _rule_anchor(ids[ev.assessment.team.id], req.rule_id)
                word = f"{STATUS_LABEL[st]}, {WAITING_LABEL}" if waits(ev, req.rule_id) else STATUS_LABEL[st]
                tip = f"{labels[ev.assessment.team.id]} – {req.rule_id}: {word}"
                row.append(f'<td class="st st-{st.value}" title="{e(tip)}"><a href="#{target}">'
                           f'{e(cell_symbol(ev, req.rule_id))}<span class="word"> {e(word)}</span></a></td>')
            body.append("".join(row) + "</tr>")
        body.append("</tbody></table>")
    region = region_section(sweep)
    if region:  # the region's own gap: which products the teams wait for, or that its state is missing
        items = [line[2:] for line in region if line.startswith("- ")]
        body += ['<h2 id="de-regio">De regio</h2>'] + [f"<p>{e(line)}</p>" for line in region if not line.startswith("- ")]
        body += ["<ul>"] + [f"<li>{e(item)}</li>" for item in items] + ["</ul>"] if items else []
    # per requirement, regional dependencies apart
    for anchor, title, regional in (("per-eis", "Per eis (zwakste eerst)", False),
                                    ("regionaal", "Regionale afhankelijkheden (alleen de regio kan deze tekorten "
                                                  "oplossen)", True)):
        reqs = [r for r in sweep.requirements() if (r.responsible == "regio") == regional]
        body.append(f'<h2 id="{anchor}">{e(title)}</h2>')
        if not reqs:
            body.append('<p class="muted">Geen.</p>')
            continue
        body.append(f"<table><thead><tr><th>Eis</th><th>Titel</th><th>Thema</th>{_count_headers()}</tr></thead><tbody>")
        body += [f"<tr><td>{e(r.rule_id)}</td><td>{e(r.title)}</td><td>{e(r.theme)}</td>{_count_cells(r.counts)}</tr>"
                 for r in reqs]
        body.append("</tbody></table>")
    # per team: summary, then each team's findings with reasons
    if evs:
        body += ['<h2 id="per-team">Per team</h2>',
                 f"<table><thead><tr><th>Team</th><th>Peildatum</th>{_count_headers()}<th>Compleet</th>"
                 '<th title="tekorten met een geldige afwijking">Afwijking</th>'
                 '<th title="feiten waarvan het bewijs ouder is dan het Kader toestaat">Oud bewijs</th></tr></thead>'
                 "<tbody>"]
        for t in sweep.teams():
            ev = t.evaluation
            body.append(f'<tr><td><a href="#{ids[ev.assessment.team.id]}">{e(labels[ev.assessment.team.id])}</a></td>'
                        f"<td>{dutch_date(ev.assessment.reference_date)}</td>{_count_cells(t.counts)}"
                        f'<td class="num">{t.completeness:.0%}</td><td class="num">{t.excused}</td>'
                        f'<td class="num">{t.stale_evidence}</td></tr>')
        body += ["</tbody></table>", *(f'<p class="muted">{e(line)}</p>' for line in TEAM_NOTES),
                 *([f"<p>{e(totals)}</p>"] if (totals := totals_line(sweep)) else []), '<button type="button" id="toggle-gaps">Toon alleen tekorten en onbekend</button>']
        for ev in evs:
            a = ev.assessment
            anchor = ids[a.team.id]
            body += [f'<section class="team-detail" id="{anchor}">',
                     f"<h3>{e(labels[ev.assessment.team.id])}</h3>",
                     f'<p class="muted">Team-id {e(a.team.id)}; {e(team_place(a.team))}; '
                     f'peildatum {dutch_date(a.reference_date)}; '
                     f"Kader {e(ev.kader.version)}; bestand <code>{e(a.file)}</code></p>",
                     "<table><thead><tr><th>Eis</th><th>Titel</th><th>Thema</th><th>Verantwoordelijk</th>"
                     "<th>Status</th><th>Reden</th></tr></thead><tbody>"]
            for f in ev.findings:
                ok = " ok" if f.status in (Status.VOLDOET, Status.NVT) else ""
                body.append(f'<tr id="{_rule_anchor(anchor, f.rule_id)}" class="finding{ok}"><td>{e(f.rule_id)}</td>'
                            f"<td>{e(f.title)}</td><td>{e(f.theme)}</td><td>{e(RESPONSIBLE_NAME.get(f.responsible, f.responsible))}</td>"
                            f'<td class="st-{f.status.value}">{e(status_text(f.status))}</td><td>{e(f.reason)}'
                            + "".join(f'<br><em>{e(line)}</em>' for line in extra_lines(f, ev)) + "</td></tr>")
            body += ["</tbody></table>", '<p><a href="#matrix">↑ naar de matrix</a></p>', "</section>"]
    return _page("Regionaal overzicht lokale teams", body, SCRIPT if evs else "")


# ------------------------------------------------------------------ trend --------------------
def counted_text(r) -> str:
    """'7 teams, waarvan 6 overgenomen': who the totals of a peildatum stand on."""
    return teams_count(r.teams) + (f", waarvan {r.carried} overgenomen" if r.carried else "")


def trend_svg(region) -> str:
    """An inline SVG line chart of the region's counts per status over the peildata (no JS); under
    each peildatum how many teams count there with an earlier assessment (overgenomen)."""
    width, height, left, right, top, bottom = 760, 320, 50, 170, 20, 50
    plot_w, plot_h = width - left - right, height - top - bottom
    days = [r.day for r in region]
    peak = max([r.counts[s.value] for r in region for s in COUNT_ORDER] + [1])
    ymax = -(-peak // 4) * 4  # a multiple of 4: whole numbers on the 5 grid lines

    def x(i):
        return left + (plot_w / 2 if len(days) == 1 else plot_w * i / (len(days) - 1))

    def y(v):
        return top + plot_h - plot_h * v / ymax

    label = "Regio: aantal eisen per status per peildatum"
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" id="trend-chart" role="img" aria-label="{e(label)}" '
           f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">',
           f"<title>{e(label)}</title>",
           f'<rect x="{left}" y="{top}" width="{plot_w}" height="{plot_h}" fill="#fff" stroke="#999"/>']
    for k in range(5):
        v = ymax * k / 4
        out.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{y(v):.1f}" y2="{y(v):.1f}" stroke="#e0e0e0"/>'
                   f'<text x="{left - 6}" y="{y(v) + 4:.1f}" text-anchor="end">{v:g}</text>')
    for i, r in enumerate(region):
        out.append(f'<text x="{x(i):.1f}" y="{top + plot_h + 18}" text-anchor="middle">{e(dutch_date(r.day))}</text>')
        if r.carried:
            out.append(f'<text class="carried" x="{x(i):.1f}" y="{top + plot_h + 34}" text-anchor="middle" '
                       f'fill="#555" font-size="11">{r.carried} overgenomen</text>')
    for n, s in enumerate(COUNT_ORDER):
        pts = [(x(i), y(r.counts[s.value])) for i, r in enumerate(region)]
        color = STATUS_LINE[s]
        if len(pts) > 1:
            out.append(f'<polyline fill="none" stroke="{color}" stroke-width="2" '
                       f'points="{" ".join(f"{px:.1f},{py:.1f}" for px, py in pts)}"/>')
        for (px, py), r in zip(pts, region):
            tip = f"{dutch_date(r.day)}: {r.counts[s.value]} {STATUS_LABEL[s]} ({counted_text(r)})"
            out.append(f'<text x="{px:.1f}" y="{py + 4:.1f}" text-anchor="middle" fill="{color}" font-size="14">'
                       f'{e(STATUS_SYMBOL[s])}<title>{e(tip)}</title></text>')
        ly = top + 10 + n * 20
        out.append(f'<line x1="{width - right + 15}" x2="{width - right + 35}" y1="{ly}" y2="{ly}" stroke="{color}" '
                   f'stroke-width="2"/><text x="{width - right + 40}" y="{ly + 4}">{e(status_text(s))}</text>')
    out.append("</svg>")
    return "".join(out)


@renderer("trend", "html")
def trend_html(trend: Trend, options: Options) -> str:
    labels = trend_labels(trend)
    region = trend.region()
    ids = anchors(t.team_id for t in trend.teams)
    body = ["<h1>Voortgang lokale teams</h1>",
            f'<p class="muted">{_teams(len(trend.teams))}, {len(region)} peildata</p>',
            f'<p class="muted about">{e(about_line(trend_about(trend, options)))}</p>']
    body += _invalid_block(trend.invalid, "niet meegeteld")
    body.append('<h2 id="regio">Regio: aantallen per status per peildatum</h2>')
    body.append(f'<p class="muted">{e(REGION_RULE)}</p>')
    if region:
        body.append(trend_svg(region))
    body.append(f"<table><thead><tr><th>Peildatum</th><th>Teams</th><th>Overgenomen</th>{_count_headers()}</tr></thead>"
                "<tbody>")
    body += [f'<tr><td>{dutch_date(r.day)}</td><td class="num">{r.teams}</td><td class="num">{r.carried}</td>'
             f"{_count_cells(r.counts)}</tr>" for r in region]
    body.append("</tbody></table>")
    notes = region_notes(trend, labels)
    if notes:
        body.append('<ul class="region-notes">')
        for day, sentence, items in notes:
            sub = "<ul>" + "".join(f"<li>{e(item)}</li>" for item in items) + "</ul>" if items else ""
            body.append(f"<li>{dutch_date(day)}: {e(sentence)}{':' if items else '.'}{sub}</li>")
        body.append("</ul>")
    if trend.teams:
        body.append("<nav>Teams: " + " · ".join(f'<a href="#{ids[t.team_id]}">{e(labels[t.team_id])}</a>'
                                                for t in trend.teams) + "</nav>")
        body.append(_legend("niet in de Kaderversie van die peildatum"))
    for team in trend.teams:
        last = team.evaluations[-1]
        body += [f'<section class="team-detail" id="{ids[team.team_id]}">',
                 f"<h2>{e(labels[last.assessment.team.id])}</h2>",
                 f'<p class="muted">Team-id {e(team.team_id)}; {e(team_place(last.assessment.team))}</p>',
                 '<table class="heatmap"><thead><tr><th>Eis</th>'
                 + "".join(f"<th>{dutch_date(d)}</th>" for d in team.dates) + "</tr></thead><tbody>"]
        for rid in team.rule_ids():
            cells = []
            for s, c in zip(team.statuses(rid), team.changes(rid)):
                cls = f' class="st st-{s.value}"' if s else ' class="st"'
                word = STATUS_LABEL[s] if s else "niet in Kaderversie"
                cells.append(f"<td{cls}>{e(STATUS_SYMBOL[s] if s else '·')} {e(word)}<br>"
                             f'<span class="muted">{e(CHANGE_LABEL[c])}</span></td>')
            body.append(f"<tr><td>{e(rid)}</td>{''.join(cells)}</tr>")
        body += ["</tbody></table>", "<h3>Transformatieplan</h3>",
                 "<table><thead><tr><th>Peildatum</th><th>Acties</th><th>Behaald</th><th>Verlopen</th>"
                 "<th>Verplaatst</th></tr></thead><tbody>"]
        body += [f'<tr><td>{dutch_date(p["peildatum"])}</td><td class="num">{p["acties"]}</td>'
                 f'<td class="num">{p["behaald"]}</td><td class="num">{p["verlopen"]}</td>'
                 f'<td class="num">{p["verplaatst"]}</td></tr>' for p in team.plan_progress()]
        body += ["</tbody></table>", "</section>"]
    return _page("Voortgang lokale teams", body)
