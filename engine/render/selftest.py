"""Renderers for `kader test`: the results of the rules' examples as text, JSON and JUnit XML."""

from __future__ import annotations

import re
import textwrap

from rich.text import Text

from kadertoets.validate.selftest import ExampleResult, RuleReport, SelfTestReport, ordered
from kadertoets.infra.textsafe import clean
from kadertoets.render import STATUS_LABEL, STATUS_STYLE, Options, console, console_text, json_text, renderer, status_text

PASSED_TEXT = ("✔ geslaagd", "green")
FAILED_TEXT = ("✘ mislukt", "bold red")


def _examples(n: int) -> str:
    return f"{n} voorbeeld" if n == 1 else f"{n} voorbeelden"


def _rules(n: int) -> str:
    return f"{n} eis" if n == 1 else f"{n} eisen"


def _statuses(statuses) -> str:
    return ", ".join(status_text(s) for s in ordered(statuses))


def coverage_text(report: RuleReport) -> str:
    """'Dekking: ...' for one rule: which reachable statuses passing examples show, and which are missing."""
    covered = report.covered & report.reachable
    if not report.missing:
        return f"Dekking: volledig ({_statuses(covered)})"
    shown = _statuses(covered) if covered else "geen"
    return f"Dekking: {shown}; ontbreekt: {_statuses(report.missing)}"


def _wrapped(con, text: str, width: int, indent: str, style: str = "") -> None:
    for line in textwrap.wrap(clean(text), width=max(20, width), initial_indent=indent,
                              subsequent_indent=indent + "  ", break_on_hyphens=False) or [indent]:
        con.print(Text(line, style=style))


def _failure(con, r: ExampleResult, width: int) -> None:
    _wrapped(con, f"{FAILED_TEXT[0]}: '{r.name}' ({r.location})", width, "  ", FAILED_TEXT[1])
    con.print(Text.assemble("      verwacht: ", (status_text(r.expected), STATUS_STYLE[r.expected])))
    con.print(Text.assemble("      uitkomst: ", (status_text(r.actual), STATUS_STYLE[r.actual])))
    _wrapped(con, "reden: " + r.reason, width, "      ")


@renderer("test", "text")
def selftest_text(report: SelfTestReport, options: Options) -> str:
    con, buf = console(options)
    width = options.width
    con.print(Text("Kadertoets: voorbeelden van de eisen", style="bold"))
    con.print(Text(clean(f"Kader: {report.kader_name} {report.kader_version}")))
    for rule in report.rules:
        con.print()
        _wrapped(con, f"{rule.rule_id}: {rule.title}", width, "", "bold")
        line = f"{rule.passed} van {_examples(len(rule.results))} geslaagd"
        if rule.ok:
            con.print(Text.assemble("  ", ("✔ " + line, PASSED_TEXT[1])))
        else:
            con.print(Text.assemble("  ", (f"✘ {line}, {rule.failed} mislukt", FAILED_TEXT[1])))
        for r in rule.failures:
            _failure(con, r, width)
        _wrapped(con, coverage_text(rule), width, "  ", "" if not rule.missing else "yellow")
    cov = report.coverage
    con.print()
    con.print(Text(f"Samenvatting: {_rules(len(report.rules))}, {_examples(report.total)}: {report.passed} geslaagd, "
                   f"{report.failed} mislukt" + (f" (bij {_rules(report.rules_failed)})" if report.failed else "") + "."))
    line = f"Dekking Kader: {cov.covered} van {cov.reachable} bereikbare statussen ({cov.percent}%)"
    if cov.missing:
        line += "; ontbrekend: " + "; ".join(f"{rid} ({_statuses(miss)})" for rid, miss in cov.missing)
    _wrapped(con, line + ".", width, "")
    if report.failed:
        con.print(Text.assemble("Resultaat: ", (f"✘ {_examples(report.failed)} mislukt", FAILED_TEXT[1]), "."))
    else:
        con.print(Text.assemble("Resultaat: ", ("✔ alle voorbeelden geslaagd", PASSED_TEXT[1]), "."))
    return console_text(buf)


def _status_list(statuses) -> list[str]:
    return [s.value for s in ordered(statuses)]


def result_json(r: ExampleResult) -> dict:
    return {
        "naam": r.name,
        "bestand": r.file,
        "regelnummer": r.line,
        "verwacht": r.expected.value,
        "uitkomst": r.actual.value,
        "geslaagd": r.passed,
        "reden": r.reason,
    }


def selftest_json_data(report: SelfTestReport) -> dict:
    cov = report.coverage
    return {
        "kader": {"naam": report.kader_name, "versie": report.kader_version},
        "eisen": [
            {
                "eis": rule.rule_id,
                "titel": rule.title,
                "geslaagd": rule.passed,
                "mislukt": rule.failed,
                "voorbeelden": [result_json(r) for r in rule.results],
                "dekking": {
                    "bereikbaar": _status_list(rule.reachable),
                    "bereikt": _status_list(rule.covered & rule.reachable),
                    "ontbrekend": _status_list(rule.missing),
                },
            }
            for rule in report.rules
        ],
        "samenvatting": {
            "eisen": len(report.rules),
            "voorbeelden": report.total,
            "geslaagd": report.passed,
            "mislukt": report.failed,
            "eisen_mislukt": report.rules_failed,
        },
        "dekking": {
            "bereikt": cov.covered,
            "bereikbaar": cov.reachable,
            "procent": cov.percent,
            "ontbrekend": [{"eis": rid, "statussen": _status_list(miss)} for rid, miss in cov.missing],
        },
        "exitcode": report.exit_code,
    }


@renderer("test", "json")
def selftest_json(report: SelfTestReport, options: Options) -> str:
    return json_text(selftest_json_data(report))


# Characters XML 1.0 cannot contain at all, even escaped (ElementTree escapes <, >, &, quotes and
# newlines in attributes, but writes these as they are, which makes the document invalid).
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _x(value) -> str:
    """A value from a file for XML: what XML cannot hold at all replaced by U+FFFD, then the other
    control characters made visible (engine.textsafe.clean)."""
    return clean(_XML_ILLEGAL.sub("\ufffd", str(value)))


def _failure_message(r: ExampleResult) -> str:
    return f"verwacht {STATUS_LABEL[r.expected]}, kreeg {STATUS_LABEL[r.actual]}"


@renderer("test", "junit")
def selftest_junit(report: SelfTestReport, options: Options) -> str:
    """JUnit XML: one testsuite per rule, one testcase per example, a <failure> per failed example."""
    import xml.etree.ElementTree as ET  # only for this format

    root = ET.Element("testsuites", {
        "name": _x(f"kader test: {report.kader_name} {report.kader_version}"),
        "tests": str(report.total),
        "failures": str(report.failed),
        "errors": "0",
    })
    for rule in report.rules:
        suite = ET.SubElement(root, "testsuite", {
            "name": _x(rule.rule_id),
            "tests": str(len(rule.results)),
            "failures": str(rule.failed),
            "errors": "0",
            "skipped": "0",
        })
        props = ET.SubElement(suite, "properties")
        ET.SubElement(props, "property", {"name": "titel", "value": _x(rule.title)})
        ET.SubElement(props, "property", {"name": "dekking_bereikt",
                                          "value": " ".join(_status_list(rule.covered & rule.reachable))})
        ET.SubElement(props, "property", {"name": "dekking_ontbrekend", "value": " ".join(_status_list(rule.missing))})
        for r in rule.results:
            attrs = {"name": _x(r.name), "classname": _x(f"kader-{report.kader_version}.{rule.rule_id}"),
                     "file": _x(r.file)}
            if r.line is not None:
                attrs["line"] = str(r.line)
            case = ET.SubElement(suite, "testcase", attrs)
            if not r.passed:
                failure = ET.SubElement(case, "failure", {"message": _x(_failure_message(r)), "type": "voorbeeld"})
                failure.text = _x(f"{r.location}: voorbeeld '{r.name}' verwacht {r.expected.value}, "
                                  f"kreeg {r.actual.value}.\nReden: {r.reason}")
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"

