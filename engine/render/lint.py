"""Renderers for `kader lint`: text (file:line:column: code: message), JSON, and GitHub Actions
workflow commands (annotations on the pull request)."""

from __future__ import annotations

from kadertoets.editors.lint import LintReport
from kadertoets.infra.lintcodes import Code, CODES, ERROR
from kadertoets.infra.textsafe import excerpt as one_line
from kadertoets.render import Options, json_text, renderer, safe_text


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _summary(report: LintReport) -> str:
    if not report.findings:
        return "Geen problemen gevonden."
    return f"{_count(report.errors, 'fout', 'fouten')}, {_count(report.warnings, 'waarschuwing', 'waarschuwingen')}."


@renderer("lint", "text")
def lint_text(report: LintReport, options: Options) -> str:
    lines = []
    for f in report.findings:  # each part on one line: a key or file name cannot forge a line of output
        where = f"veld '{one_line(f.field, 160)}': " if f.field else ""
        lines.append(f"{one_line(f.location(), 300)}: {f.code}: {where}{one_line(f.message, 1000)}"
                     + (" (waarschuwing)" if f.severity != ERROR else ""))
        if f.hint:
            lines.append(f"  Oplossing: {one_line(f.hint, 600)}")
    folder = "de werkmap (.)" if report.folder == "." else report.folder
    checked = f"Gecontroleerd: Kader-map {folder}, versies {', '.join(report.versions) or '(geen)'}"
    if report.assessments:
        checked += f"; assessments: {report.assessments}"
    lines += ["", checked + ".", _summary(report)]
    return safe_text("\n".join(lines) + "\n")


@renderer("lint", "json")
def lint_json(report: LintReport, options: Options) -> str:
    data = {
        "kader_map": report.folder,
        "kaderversies": list(report.versions),
        "assessments": report.assessments,
        "fouten": report.errors,
        "waarschuwingen": report.warnings,
        "problemen": [{"code": f.code, "ernst": f.severity, "titel": CODES.get(f.code, CODES[Code.OTHER])[1],
                       "bestand": f.file, "regel": f.line, "kolom": f.column, "veld": f.field,
                       "melding": f.message, "oplossing": f.hint} for f in report.findings],
    }
    return json_text(data)


def _escape(text: str, prop: bool = False) -> str:
    """GitHub workflow-command escaping (%, CR, LF; and : , in properties)."""
    text = str(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if prop else text


@renderer("lint", "github")
def lint_github(report: LintReport, options: Options) -> str:
    lines = []
    for f in report.findings:
        kind = "error" if f.severity == ERROR else "warning"
        props = [f"file={_escape(f.file or '', True)}"]
        if f.line is not None:
            props.append(f"line={f.line}")
        if f.column is not None:
            props.append(f"col={f.column}")
        props.append(f"title={_escape(f.code + ' ' + CODES.get(f.code, CODES[Code.OTHER])[1], True)}")
        message = f.message + (f" Oplossing: {f.hint}" if f.hint else "")
        lines.append(f"::{kind} {','.join(props)}::{_escape(message)}")
    lines.append(_summary(report))
    # the one output whose lines are workflow commands on purpose; every value in them is escaped above
    return safe_text("\n".join(lines) + "\n", commands=True)
