"""A letter as a PDF for the print street: address block, subject, then the body's HTML.

fpdf2 (pure Python, well kept) lays the cleaned HTML out with its `write_html`:
headings, paragraphs, lists, tables, bold and italic. Text is set in DejaVu
Sans when the machine has it (Debian's fonts-dejavu-core), so any customer
name prints; without it, the PDF's built-in Helvetica is used and characters
it lacks print as "?".

fpdf2 (with Pillow and fontTools) takes a second or more to import, and only
a letter's delivery or a trail report needs it: it is imported then, not when
the web app or the worker starts.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from codegen.letters import LetterRenderError
from codegen.markup import clean_html
from models.phrases import Phrase

if TYPE_CHECKING:
    from fpdf import FPDF

FONT_FOLDERS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"))
_FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf", "I": "DejaVuSans-Oblique.ttf",
               "BI": "DejaVuSans-BoldOblique.ttf"}
_FALLBACK_FONT = "helvetica"
#: Space left above the address block, so it shows in the window of a standard envelope (mm).
_ADDRESS_TOP = 45.0


def _unicode_font_folder() -> Path | None:
    for folder in FONT_FOLDERS:
        if all((folder / name).is_file() for name in _FONT_FILES.values()):
            return folder
    return None


def new_document(title: str) -> tuple[FPDF, str]:
    """A blank A4 document and the font family to write in."""
    from fpdf import FPDF  # slow to import: see the module docstring

    document = FPDF(format="A4", unit="mm")
    document.set_title(title)
    document.set_creator("Flowdesk")
    document.set_margins(25, 20, 20)
    document.set_auto_page_break(True, margin=20)
    folder = _unicode_font_folder()
    if folder is None:
        return document, _FALLBACK_FONT
    for style, name in _FONT_FILES.items():
        document.add_font("dejavu", style, str(folder / name))
    return document, "dejavu"


def printable(text: str, family: str) -> str:
    return text if family != _FALLBACK_FONT else text.encode("latin-1", "replace").decode("latin-1")


def letter_pdf(address: Sequence[str], subject: str, body_html: str, *, title: str = "Letter") -> bytes:
    """The letter as PDF bytes; a body fpdf2 cannot lay out raises LetterRenderError saying why."""
    from fpdf.errors import FPDFException

    document, family = new_document(title)
    document.add_page()
    document.set_font(family, size=11)
    document.set_y(_ADDRESS_TOP)
    for line in address:
        document.cell(0, 5, printable(line, family), new_x="LMARGIN", new_y="NEXT")
    document.ln(15)
    if subject:
        document.set_font(family, "B", 11)
        document.multi_cell(0, 5, printable(subject, family), new_x="LMARGIN", new_y="NEXT")
        document.set_font(family, size=11)
        document.ln(5)
    try:
        document.write_html(printable(clean_html(body_html), family), font_family=family,
                            warn_on_tags_not_matching=False)
        return bytes(document.output())
    except (FPDFException, ValueError, AssertionError) as error:  # fpdf2 asserts on e.g. a table in a table
        reason = str(error) or Phrase("it nests something a PDF page cannot show, such as a table inside a table")
        raise LetterRenderError(Phrase("the letter '{title}' cannot be laid out as a PDF: {reason}", title=title,
                                       reason=reason)) from None
