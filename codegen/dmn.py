"""DMN 1.3 decision tables in and out, with an import report.

A Flowdesk decision table is a DMN decision table with hit policy FIRST,
UNIQUE or COLLECT. Cells translate both ways where FEEL and Flowdesk mean the
same: `-` (any value), comparisons with a value (`< 250`), inclusive ranges
(`[100..250]`), lists of values (`"gold", "platinum"`), a single value, and
FEEL's `not(x)` for our `!= x`. Input expressions and output cells are
translated like BPMN conditions (`codegen.bpmn.foreign`). Everything else is
kept as written and reported, for a person to rewrite.

The export also carries each table's exact Flowdesk settings in
`extensionElements`; on import a cell still showing what Flowdesk wrote takes
the exact value from there, and a cell edited in another tool is translated.

>>> from models.decision_tables import DecisionTable
>>> table = DecisionTable(id="route", inputs=[{"id": "i", "expression": "amount"}], outputs=[{"id": "team"}],
...                       rules=[{"id": "r1", "when": ["[100..250]"], "then": ['"senior"']}])
>>> tables, report = import_dmn(export_dmn([table], "Claims"), "claims.dmn")
>>> tables == [table.model_dump(mode="json", exclude_defaults=True)], report.complete
(True, True)
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

from lxml import etree
from pydantic import ValidationError

from codegen.bpmn.foreign import translate_condition
from codegen.bpmn.names import FLOWDESK, IdAllocator, element_id, file_named, local, xml_id
from codegen.bpmn.report import ImportReport, Outcome
from codegen.bpmn.safe_xml import parse_xml
from models.decision_tables import DecisionTable, HitPolicy
from models.errors import FlowdeskError
from models.phrases import Phrase
from models.serialization import problems_from_validation

__all__ = ["DMN", "DmnImportError", "cell_from_feel", "cell_to_feel", "export_dmn", "import_dmn"]

DMN = "https://www.omg.org/spec/DMN/20191111/MODEL/"
_NSMAP = {None: DMN, "flowdesk": FLOWDESK}
Element = etree._Element
Document = dict[str, Any]

_LITERAL = r'(?:-?\d+(?:\.\d+)?|"(?:[^"\\]|\\.)*"|true|false|null|date\("[^"]*"\))'
_VALUE = re.compile(rf"^(?:{_LITERAL}|[A-Za-z][A-Za-z0-9_]*(?:\.[A-Za-z][A-Za-z0-9_]*)*)$")
_COMPARISON = re.compile(r"^(<=|>=|<|>)\s*(.+)$", re.DOTALL)
_OURS = re.compile(r"^(<=|>=|==|!=|<|>)\s*(.+)$", re.DOTALL)
_RANGE = re.compile(r"^\[\s*(.+?)\s*\.\.\s*(.+?)\s*\]$", re.DOTALL)
_NOT = re.compile(r"^not\(\s*(.+?)\s*\)$", re.DOTALL)
_WORDS = frozenset(("and", "or", "not", "in", "between", "instance", "of", "if", "then", "else", "for", "some",
                    "every", "satisfies", "return", "function"))


class DmnImportError(FlowdeskError):
    """The file is XML but not DMN decision tables Flowdesk can read."""


def _value(text: str) -> bool:
    return bool(_VALUE.match(text)) and text not in _WORDS


def _values(text: str) -> list[str] | None:
    """`a, b, c` as its values when every one is a plain value; None otherwise."""
    parts = [p.strip() for p in re.findall(r'"(?:[^"\\]|\\.)*"|[^,]+', text)]
    return parts if parts and all(_value(p) for p in parts) else None


def cell_to_feel(cell: str) -> str | None:
    """A Flowdesk condition cell as a FEEL unary test; None when FEEL cannot say the same.

    >>> cell_to_feel("!= \\"closed\\""), cell_to_feel("== 3"), cell_to_feel(""), cell_to_feel("size(x) > 2")
    ('not("closed")', '3', '-', None)
    """
    text = cell.strip()
    if text in ("", "-"):
        return "-"
    if (match := _OURS.match(text)) and _value(match.group(2).strip()):
        op, value = match.group(1), match.group(2).strip()
        return {"==": value, "!=": f"not({value})"}.get(op, f"{op} {value}")
    if (match := _RANGE.match(text)) and _value(match.group(1)) and _value(match.group(2)):
        return f"[{match.group(1)}..{match.group(2)}]"
    values = _values(text)
    return ", ".join(values) if values else None


def cell_from_feel(test: str) -> str | None:
    """A FEEL unary test as a Flowdesk condition cell; None when it has no exact counterpart.

    >>> cell_from_feel('not("closed")'), cell_from_feel(">= 18"), cell_from_feel("(1..5)")
    ('!= "closed"', '>= 18', None)
    """
    text = test.strip()
    if text in ("", "-"):
        return "-"
    if (match := _NOT.match(text)) and _value(match.group(1)):
        return f"!= {match.group(1)}"
    if (match := _COMPARISON.match(text)) and _value(match.group(2).strip()):
        return f"{match.group(1)} {match.group(2).strip()}"
    if (match := _RANGE.match(text)) and _value(match.group(1)) and _value(match.group(2)):
        return f"[{match.group(1)}..{match.group(2)}]"
    values = _values(text)
    return ", ".join(values) if values else None


def _expression_from_feel(text: str) -> str | None:
    text = text.strip()
    if _value(text):
        return text
    return translate_condition(text, "feel").cel


# --------------------------------------------------------------------------- out


def export_dmn(tables: Sequence[DecisionTable], name: str = "", key: str = "tables") -> bytes:
    """Decision tables as one DMN 1.3 file, each a decision with its table."""
    ids = IdAllocator({xml_id(t.id) for t in tables})
    definitions = etree.Element(f"{{{DMN}}}definitions", nsmap=_NSMAP)
    definitions.set("id", ids.claim(xml_id(key)))
    definitions.set("name", name or key)
    definitions.set("namespace", "https://flowdesk.example/decisions")
    for table in tables:
        decision = etree.SubElement(definitions, f"{{{DMN}}}decision", id=xml_id(table.id), name=table.name)
        extension = etree.SubElement(decision, f"{{{DMN}}}extensionElements")
        etree.SubElement(extension, f"{{{FLOWDESK}}}table").text = json.dumps(
            table.model_dump(mode="json", exclude_defaults=True), ensure_ascii=True)
        body = etree.SubElement(decision, f"{{{DMN}}}decisionTable", id=ids.claim(f"{xml_id(table.id)}_table"))
        body.set("hitPolicy", table.hit_policy.value)
        for column in table.inputs:
            clause = etree.SubElement(body, f"{{{DMN}}}input", id=ids.claim(f"{xml_id(table.id)}_{column.id}"))
            if column.label:
                clause.set("label", column.label)
            expression = etree.SubElement(clause, f"{{{DMN}}}inputExpression", id=ids.claim(f"{clause.get('id')}_e"))
            etree.SubElement(expression, f"{{{DMN}}}text").text = column.expression
        for output in table.outputs:
            clause = etree.SubElement(body, f"{{{DMN}}}output", id=ids.claim(f"{xml_id(table.id)}_{output.id}"))
            clause.set("name", output.id)
            if output.label:
                clause.set("label", output.label)
        for rule in table.rules:
            row = etree.SubElement(body, f"{{{DMN}}}rule", id=ids.claim(xml_id(f"{table.id}_{rule.id}")))
            if rule.note:
                etree.SubElement(row, f"{{{DMN}}}description").text = rule.note
            for tag, cells in (("inputEntry", [cell_to_feel(c) or c for c in rule.when]), ("outputEntry", rule.then)):
                for cell in cells:
                    entry = etree.SubElement(row, f"{{{DMN}}}{tag}", id=ids.claim(f"{row.get('id')}_{tag}"))
                    etree.SubElement(entry, f"{{{DMN}}}text").text = cell
    return etree.tostring(definitions, xml_declaration=True, encoding="UTF-8", pretty_print=True)


# --------------------------------------------------------------------------- in


_HIT_POLICIES = {"FIRST": HitPolicy.FIRST, "UNIQUE": HitPolicy.UNIQUE, "COLLECT": HitPolicy.COLLECT,
                 "ANY": HitPolicy.FIRST}


def import_dmn(data: bytes, source: str = "") -> tuple[list[Document], ImportReport]:
    """The decision tables of a DMN file (1.1 to 1.5) as table documents, and the report of how."""
    root = parse_xml(data, source)
    if local(root.tag) != "definitions" or "DMN" not in (etree.QName(root).namespace or "").upper():
        raise DmnImportError(Phrase("{file} is not a DMN file: its root element is '{root}'",
                                    file=file_named(source), root=local(root.tag)))
    report = ImportReport(source, Phrase("decisions '{name}'", name=root.get("name") or root.get("id", "")))
    ids = IdAllocator()
    tables = []
    for decision in root:
        if local(decision.tag) != "decision":
            continue
        table = _table(decision, report, ids)
        if table is not None:
            tables.append(table)
    if not tables:
        raise DmnImportError(Phrase("{file} holds no decision table to import", file=file_named(source)))
    return tables, report


def _child(element: Element, name: str) -> Element | None:
    return next((c for c in element if local(c.tag) == name), None)


def _children(element: Element, name: str) -> list[Element]:
    return [c for c in element if local(c.tag) == name]


def _text(element: Element | None) -> str:
    found = _child(element, "text") if element is not None else None
    return (found.text or "") if found is not None else ""


def _table(decision: Element, report: ImportReport, ids: IdAllocator) -> Document | None:
    decision_id, name = decision.get("id", ""), decision.get("name", "")
    body = _child(decision, "decisionTable")
    for requirement in _children(decision, "informationRequirement"):
        report.add(Outcome.NOT_IMPORTED, decision_id, name, "informationRequirement",
                   Phrase("decisions that use other decisions are not chained in Flowdesk: evaluate the tables one "
                          "after the other in automatic steps") if _child(requirement, "requiredDecision") is not None
                   else Phrase("input data requirements are not imported: the table reads case variables"))
    if body is None:
        report.add(Outcome.NOT_IMPORTED, decision_id, name, "decision",
                   Phrase("only decision tables are imported: write a literal expression as an automatic step's "
                          "assignment"))
        return None
    known = _known_table(decision)
    table: Document = {"id": ids.claim(element_id(decision_id, "table"))}
    if name:
        table["name"] = name[:200]
    hit = (body.get("hitPolicy") or "UNIQUE").upper()
    run = _HIT_POLICIES.get(hit) if not body.get("aggregation") else None
    table["hit_policy"] = (run or HitPolicy.FIRST).value
    if run is None:
        what = f"{hit} {body.get('aggregation') or ''}".strip()
        report.add(Outcome.NOT_IMPORTED, decision_id, name, "hitPolicy",
                   Phrase("hit policy {policy} is not run: the table was imported with FIRST; order the rules so the "
                          "first match is the one wanted, or collect the matches and compute the total in an "
                          "assignment", policy=what))
    elif hit == "ANY":
        report.add(Outcome.TRANSLATED, decision_id, name, "hitPolicy",
                   Phrase("hit policy ANY becomes FIRST: matching rules agree, so the first gives the same result"))
    table["inputs"] = [_input(clause, i, known, report, decision_id, name)
                       for i, clause in enumerate(_children(body, "input"))]
    table["outputs"] = [_output(clause, i, known) for i, clause in enumerate(_children(body, "output"))]
    if table["hit_policy"] == "COLLECT":
        table["collect_into"] = (known or {}).get("collect_into") or _variable(decision_id, "matches")
    table["rules"] = [_rule(row, n, known, report, decision_id, name)
                      for n, row in enumerate(_children(body, "rule"))]
    try:
        checked = DecisionTable.model_validate(table)
    except ValidationError as error:
        lines = "; ".join(str(p) for p in problems_from_validation(error))
        report.add(Outcome.NOT_IMPORTED, decision_id, name, "decisionTable",
                   Phrase("cannot become a table: {problems}", problems=lines))
        return None
    report.add(Outcome.IMPORTED, decision_id, name, "decisionTable",
               Phrase("table '{table}' ({hit_policy}, {count} rules)", table=checked.id,
                      hit_policy=checked.hit_policy.value, count=len(checked.rules)))
    return checked.model_dump(mode="json", exclude_defaults=True)


def _known_table(decision: Element) -> Document | None:
    """The exact table Flowdesk wrote into the decision's extension, if any."""
    extension = _child(decision, "extensionElements")
    found = extension.find(f"{{{FLOWDESK}}}table") if extension is not None else None
    try:
        table = json.loads(found.text or "") if found is not None else None
    except ValueError:
        return None
    return table if isinstance(table, dict) else None


def _known(known: Document | None, collection: str, index: int) -> Document:
    items = (known or {}).get(collection) or []
    return items[index] if index < len(items) and isinstance(items[index], dict) else {}


def _variable(text: str, fallback: str) -> str:
    cleaned = re.sub(r"[^A-Za-z0-9_]+", "_", text).lstrip("_0123456789")[:64]
    return cleaned or fallback


def _input(clause: Element, index: int, known: Document | None, report: ImportReport, decision_id: str,
           name: str) -> Document:
    was = _known(known, "inputs", index)
    text = _text(_child(clause, "inputExpression")).strip()
    column: Document = {"id": was.get("id") or element_id(clause.get("id", ""), f"input{index + 1}")}
    if clause.get("label"):
        column["label"] = clause.get("label")
    if was.get("expression") == text:
        column["expression"] = text
    else:
        column["expression"] = _expression_from_feel(text) or text
        if column["expression"] == text and not _value(text):
            report.add(Outcome.TO_FIX, decision_id, name, "inputExpression",
                       Phrase("input '{text}' is kept as written: rewrite it in Flowdesk's expression language",
                              text=text))
    return column


def _output(clause: Element, index: int, known: Document | None) -> Document:
    was = _known(known, "outputs", index)
    output: Document = {"id": _variable(clause.get("name") or clause.get("label") or clause.get("id", ""),
                                        f"output{index + 1}")}
    if clause.get("label"):
        output["label"] = clause.get("label")
    if was.get("id") == output["id"] and was.get("variable"):
        output["variable"] = was["variable"]
    return output


def _rule(row: Element, index: int, known: Document | None, report: ImportReport, decision_id: str,
          name: str) -> Document:
    was = _known(known, "rules", index)
    rule: Document = {"id": was.get("id") or element_id(row.get("id", ""), f"rule{index + 1}")}
    note = _child(row, "description")
    if note is not None and note.text:
        rule["note"] = note.text[:200]
    rule["when"], rule["then"] = [], []
    for position, entry in enumerate(_children(row, "inputEntry")):
        text = _text(entry)
        earlier = (was.get("when") or [None] * (position + 1))[position:position + 1]
        if earlier and isinstance(earlier[0], str) and (cell_to_feel(earlier[0]) or earlier[0]) == text:
            rule["when"].append(earlier[0])
            continue
        cell = cell_from_feel(text)
        if cell is None:
            report.add(Outcome.TO_FIX, row.get("id", ""), name, "inputEntry",
                       Phrase("cell '{text}' of decision '{decision}' is kept as written: Flowdesk cells are '-', a "
                              "comparison ('< 250'), a range with both ends included ('[100..250]'), values separated "
                              "by commas, or one value", text=text, decision=decision_id))
        rule["when"].append(cell if cell is not None else text)
    for position, entry in enumerate(_children(row, "outputEntry")):
        text = _text(entry)
        earlier = (was.get("then") or [None] * (position + 1))[position:position + 1]
        if earlier and earlier[0] == text:
            rule["then"].append(text)
            continue
        value = _expression_from_feel(text) if text.strip() else "null"
        if value is None:
            report.add(Outcome.TO_FIX, row.get("id", ""), name, "outputEntry",
                       Phrase("output '{text}' of decision '{decision}' is kept as written: rewrite it in "
                              "Flowdesk's expression language", text=text, decision=decision_id))
        rule["then"].append(value if value is not None else text)
    return rule
