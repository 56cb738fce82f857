"""A case's audit trail as a readable PDF report for the file: what ran, what happened, and how it verifies.

Pure: it takes the plain data of a case export (`runtime.exports`) and the verification's lines, and lays
them out with fpdf2, in the same fonts as letters (`codegen.pdf`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from codegen.pdf import new_document, printable


def trail_report_pdf(cases: Sequence[Mapping[str, Any]], verdict: Sequence[str], *, title: str) -> bytes:
    """The report: per case its process version (with content hash), status, every event (when, who, what,
    hash) and what was sent (with digests), after the verification's verdict."""
    document, family = new_document(title)
    document.add_page()
    document.set_font(family, "B", 14)
    document.multi_cell(0, 7, printable(title, family), new_x="LMARGIN", new_y="NEXT")
    document.set_font(family, size=9)
    for line in verdict:
        document.multi_cell(0, 5, printable(line, family), new_x="LMARGIN", new_y="NEXT")
    for case in cases:
        document.ln(4)
        document.set_font(family, "B", 11)
        document.multi_cell(0, 6, printable(f"Case {case['case']} — {case['process']}, version {case['version']}",
                                            family), new_x="LMARGIN", new_y="NEXT")
        document.set_font(family, size=8)
        document.multi_cell(0, 4, printable(f"Version content hash {case['hash']}; status {case['status']}; "
                                            f"{len(case['events'])} events", family), new_x="LMARGIN", new_y="NEXT")
        anchor = case.get("anchor")
        if anchor:
            document.multi_cell(0, 4, printable(f"Anchored by checkpoint {anchor['seq']} ({anchor['hash'][:16]}…), "
                                                f"key {anchor.get('key_id') or 'none'}", family),
                                new_x="LMARGIN", new_y="NEXT")
        with document.table(col_widths=(8, 28, 22, 84, 24), text_align="LEFT", line_height=4) as table:
            table.row(["#", "When (UTC)", "Who", "What", "Hash"])
            for event in case["events"]:
                table.row([str(event["seq"]), str(event["at"])[:19].replace("T", " "),
                           printable(str(event["actor"]), family), printable(str(event["summary"]), family),
                           str(event["hash"])[:12] + "…"])
        if case.get("sent"):
            document.ln(2)
            document.set_font(family, "B", 9)
            document.cell(0, 5, "Sent to the customer", new_x="LMARGIN", new_y="NEXT")
            document.set_font(family, size=8)
            for sent in case["sent"]:
                entry = sent["entry"]
                document.multi_cell(0, 4, printable(f"{entry['channel']} '{entry.get('subject') or entry['id']}', "
                                                    f"{entry['status']}; sha256 {sent['sha256'][:16]}…", family),
                                    new_x="LMARGIN", new_y="NEXT")
    return bytes(document.output())
