"""The one layout of every Word document the product writes, after Decree
30/2020/NĐ-CP on clerical work, Appendix I (layout of administrative documents):

- A4, margins top and bottom 20 mm, left 30 mm, right 15 mm (ranges 20–25,
  20–25, 30–35, 15–20 mm); Times New Roman, body 13 pt, single spacing;
- a header table of two rows: the issuing body top left (its parent body in
  regular capitals, the body itself bold, a short rule under it) beside the
  national motto and its sub-line with a rule; then the number line
  ("Số: 125/QĐ-UBND") beside the italic place and date line
  ("Hậu Giang, ngày 17 tháng 01 năm 2024"), each a paragraph of its own;
- the title (kind of document, bold) and its subject with a short rule under;
- legal bases in italics, articles with a bold label;
- the closing: "Nơi nhận:" on the left and the signature block on the right
  (or signature blocks two by two), each row unbreakable and the paragraph
  before it kept with it, so a signature never stands alone on a page;
- page numbers from page 2, top centre (a different first-page header and a
  PAGE field).

`Layout` writes a document part by part; domain apps shape the content and call
it. Document text is Vietnamese whatever the UI language, and every text goes
through `core.hygiene.strip_control` (Word cannot hold control characters)."""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import translation
from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.section import Section
from docx.shared import Length, Mm, Pt
from docx.table import Table, _Cell, _Row
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from core.formatting import format_number
from core.hygiene import strip_control

FONT = "Times New Roman"
DOCX_CONTENT_TYPE = (
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
)
MOTTO = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
SUB_MOTTO = "Độc lập - Tự do - Hạnh phúc"
TO_BE_FILLED = "……………………………"
RECIPIENTS_LABEL = "Nơi nhận:"

PAGE_WIDTH, PAGE_HEIGHT = Mm(210), Mm(297)
MARGINS = {"top": Mm(20), "bottom": Mm(20), "left": Mm(30), "right": Mm(15)}
HEADER_DISTANCE = Mm(10)
BODY_SIZE = Pt(13)
TABLE_SIZE = Pt(12)
SMALL_SIZE = Pt(11)
ISSUER_WIDTH = Mm(70)
CENTRE = WD_ALIGN_PARAGRAPH.CENTER
RIGHT = WD_ALIGN_PARAGRAPH.RIGHT
JUSTIFY = WD_ALIGN_PARAGRAPH.JUSTIFY
INDENT = Mm(10)
SIGNING_SPACE = 4  # empty lines for the signature and the seal

# Elements that follow w:pBdr inside w:pPr (ECMA-376 order).
_AFTER_PBDR = (
    "w:shd",
    "w:tabs",
    "w:suppressAutoHyphens",
    "w:kinsoku",
    "w:wordWrap",
    "w:overflowPunct",
    "w:topLinePunct",
    "w:autoSpaceDE",
    "w:autoSpaceDN",
    "w:bidi",
    "w:adjustRightInd",
    "w:snapToGrid",
    "w:spacing",
    "w:ind",
    "w:contextualSpacing",
    "w:mirrorIndents",
    "w:suppressOverlap",
    "w:jc",
    "w:textDirection",
    "w:textAlignment",
    "w:textboxTightWrap",
    "w:outlineLvl",
    "w:divId",
    "w:cnfStyle",
    "w:rPr",
    "w:sectPr",
    "w:pPrChange",
)


def vn_number(value: Decimal | int | float | None, places: int | None = None) -> str:
    """`format_number` in Vietnamese whatever the active language."""
    with translation.override("vi"):
        return format_number(value, places)


def vn_date_line(place: str, day: datetime.date | None) -> str:
    """ "Hậu Giang, ngày 05 tháng 02 năm 2023": days below 10 and months 1 and 2
    take a leading zero (Decree 30/2020/NĐ-CP, Appendix I). Without a day (the
    draft of an act not done yet) the date is left for the clerk to fill in:
    "Hậu Giang, ngày … tháng … năm …"."""
    if day is None:
        return f"{place}, ngày … tháng … năm …"
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"{place}, ngày {day.day:02d} tháng {month} năm {day.year}"


@dataclass(frozen=True)
class Signer:
    """One signature block: the capacity lines in bold capitals ("TM. ỦY BAN
    NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"), the signing space, then the
    signer's name (left blank for the signer to write when unknown)."""

    lines: tuple
    name: str = ""


def _set_fonts(rpr: BaseOxmlElement) -> None:
    """Times New Roman for every script and Vietnamese as the language,
    overriding the template's theme fonts."""
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for theme in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
        fonts.attrib.pop(qn(f"w:{theme}"), None)
    for script in ("ascii", "hAnsi", "eastAsia", "cs"):
        fonts.set(qn(f"w:{script}"), FONT)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), "vi-VN")
    lang.set(qn("w:eastAsia"), "vi-VN")


def _row_property(row: _Row, tag: str) -> None:
    row._tr.get_or_add_trPr().append(OxmlElement(tag))


def write(
    paragraph: Paragraph,
    text: str,
    *,
    bold: bool = False,
    italic: bool = False,
    size: Length | None = None,
) -> Run:
    """Every text of the project's Word documents is written here, without the
    control characters Word cannot hold (`core.hygiene.strip_control`)."""
    run = paragraph.add_run(strip_control(text))
    # Only what differs from the styles (neither bold nor italic) is written.
    if bold:
        run.bold = True
    if italic:
        run.italic = True
    if size is not None:
        run.font.size = size
    return run


def _page_field(paragraph: Paragraph) -> None:
    """A PAGE field: Word and LibreOffice print the page's number."""
    run = write(paragraph, "")
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        run._r.append(element)
    write(paragraph, "2")
    element = OxmlElement("w:fldChar")
    element.set(qn("w:fldCharType"), "end")
    write(paragraph, "")._r.append(element)


class Layout:
    """A Word document in the Decree 30/2020 layout, written top to bottom:
    `header`, `title`, body parts, `closing`, then `bytes()`."""

    def __init__(self, *, title: str) -> None:
        self.document = Document()
        self._styles()
        self.document.core_properties.title = strip_control(title)
        self.document.core_properties.language = "vi-VN"
        self.section = self.document.sections[0]
        self.width = self._lay_out_page(self.section, first=True)
        # the last body paragraph, kept with the closing
        self.last: Paragraph | None = None

    # Page ------------------------------------------------------------------

    def _styles(self) -> None:
        styles = self.document.styles
        defaults = styles.element.find(qn("w:docDefaults"))
        if defaults is not None:
            rpr = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}")
            if rpr is not None:
                _set_fonts(rpr)
        normal = styles["Normal"]
        normal.font.name = FONT
        normal.font.size = BODY_SIZE
        _set_fonts(normal.element.get_or_add_rPr())
        fmt = normal.paragraph_format
        fmt.space_before = fmt.space_after = Pt(0)
        fmt.line_spacing = 1.0
        fmt.widow_control = True

    def _lay_out_page(
        self, section: Section, *, landscape: bool = False, first: bool = False
    ) -> int:
        section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = (
            (PAGE_HEIGHT, PAGE_WIDTH) if landscape else (PAGE_WIDTH, PAGE_HEIGHT)
        )
        section.top_margin = MARGINS["top"]
        section.bottom_margin = MARGINS["bottom"]
        section.left_margin = MARGINS["left"]
        section.right_margin = MARGINS["right"]
        section.header_distance = HEADER_DISTANCE
        # The number is printed from page 2: the document's first page has a
        # header of its own, left empty; later sections number every page.
        section.different_first_page_header_footer = first
        if first:
            header = section.header.paragraphs[0]
            header.alignment = CENTRE
            _page_field(header)
        return section.page_width - section.left_margin - section.right_margin

    def new_page(self, *, landscape: bool = False) -> None:
        """Continue on a new page, in landscape or portrait."""
        self.section = self.document.add_section(WD_SECTION.NEW_PAGE)
        self.width = self._lay_out_page(self.section, landscape=landscape)
        self.last = None

    # Text ------------------------------------------------------------------

    write = staticmethod(write)

    def _new(
        self,
        container: DocumentObject | _Cell,
        *,
        align: WD_ALIGN_PARAGRAPH | None = None,
        before: float = 0,
        after: float = 0,
    ) -> Paragraph:
        paragraph = container.add_paragraph()
        fmt = paragraph.paragraph_format
        fmt.space_before, fmt.space_after = Pt(before), Pt(after)
        if align is not None:
            paragraph.alignment = align
        return paragraph

    def line(
        self,
        container: DocumentObject | _Cell,
        text: str,
        *,
        align: WD_ALIGN_PARAGRAPH | None = CENTRE,
        before: float = 0,
        after: float = 0,
        **style: Any,
    ) -> Paragraph:
        """One paragraph of `text` in `container` (the body or a cell)."""
        paragraph = self._new(container, align=align, before=before, after=after)
        self.write(paragraph, text, **style)
        return paragraph

    def rule(self, container: DocumentObject | _Cell, width: int) -> Paragraph:
        """A short centred horizontal line of `width` under the text above:
        an empty 1-pt paragraph with a bottom border, never holding text."""
        paragraph = self._new(container)
        fmt = paragraph.paragraph_format
        fmt.alignment = CENTRE
        fmt.line_spacing = Pt(1)
        fmt.space_before = Pt(2)
        column = container.width if hasattr(container, "width") else self.width
        indent = max(((column or self.width) - width) // 2, 0)
        fmt.left_indent = fmt.right_indent = indent
        mark = OxmlElement("w:rPr")
        size = OxmlElement("w:sz")
        size.set(qn("w:val"), "2")
        mark.append(size)
        border = OxmlElement("w:pBdr")
        bottom = OxmlElement("w:bottom")
        for key, value in {
            "val": "single",
            "sz": "6",
            "space": "1",
            "color": "auto",
        }.items():
            bottom.set(qn(f"w:{key}"), value)
        border.append(bottom)
        ppr = paragraph._p.get_or_add_pPr()
        ppr.insert_element_before(border, *_AFTER_PBDR)
        ppr.append(mark)
        return paragraph

    def _first(self, cell: _Cell) -> Paragraph:
        """The cell's own empty first paragraph, set up like a new one."""
        paragraph = cell.paragraphs[0]
        paragraph.paragraph_format.space_before = Pt(0)
        return paragraph

    # Parts -----------------------------------------------------------------

    def header(
        self,
        *,
        parent: str = "",
        issuer: Iterable[str] = (),
        number: str = "",
        place_date: str = "",
    ) -> Table:
        """The two-block header: `parent` (regular capitals) and the `issuer`
        lines (bold) with a short rule under them, beside the national motto;
        below, the `number` line ("Số: …") beside the italic place and date."""
        left = ISSUER_WIDTH
        right = self.width - left
        table = self.table((left, right))
        top = self.row(table, (left, right))
        issuer_cell, motto_cell = top.cells
        cell_paragraph = self._first(issuer_cell)
        lines = [(parent, False)] if parent else []
        lines += [(line, True) for line in issuer]
        for index, (text, bold) in enumerate(lines):
            paragraph = (
                cell_paragraph if index == 0 else self._new(issuer_cell, align=CENTRE)
            )
            paragraph.alignment = CENTRE
            self.write(paragraph, text, bold=bold, size=Pt(12 if not bold else 13))
        self.rule(issuer_cell, Mm(22))
        paragraph = self._first(motto_cell)
        paragraph.alignment = CENTRE
        self.write(paragraph, MOTTO, bold=True, size=Pt(12))
        self.line(motto_cell, SUB_MOTTO, bold=True, size=Pt(13))
        self.rule(motto_cell, Mm(58))
        if number or place_date:
            below = self.row(table, (left, right))
            paragraph = self._first(below.cells[0])
            paragraph.paragraph_format.space_before = Pt(6)
            paragraph.alignment = CENTRE
            self.write(paragraph, number, size=Pt(13))
            paragraph = self._first(below.cells[1])
            paragraph.paragraph_format.space_before = Pt(6)
            paragraph.alignment = CENTRE
            self.write(paragraph, place_date, italic=True, size=Pt(13))
        return table

    def title(
        self,
        title: str,
        subject_lines: Iterable[str] = (),
        *,
        draft: bool = False,
        note: str = "",
    ) -> None:
        """The kind of document in bold ("QUYẾT ĐỊNH", "BÁO CÁO"), its subject
        and a short rule under it; "DỰ THẢO" above a draft."""
        if draft:
            self.line(self.document, "DỰ THẢO", bold=True, before=12)
        self.line(self.document, title, bold=True, size=Pt(14), before=18)
        for subject in subject_lines:
            self.line(self.document, subject, bold=True, size=Pt(14))
        if note:
            self.line(self.document, note, italic=True)
        self.rule(self.document, Mm(30))
        self.line(self.document, "", before=0, after=6)

    def centred(
        self,
        text: str,
        *,
        bold: bool = True,
        before: float = 6,
        after: float = 6,
        keep: bool = True,
    ) -> Paragraph:
        paragraph = self.line(
            self.document, text, bold=bold, before=before, after=after
        )
        paragraph.paragraph_format.keep_with_next = keep
        return paragraph

    def paragraph(
        self,
        text: str,
        *,
        bold: bool = False,
        italic: bool = False,
        indent: bool = True,
        after: float = 6,
    ) -> Paragraph:
        """A justified body paragraph, its first line indented."""
        paragraph = self._new(self.document, align=JUSTIFY, after=after)
        if indent:
            paragraph.paragraph_format.first_line_indent = INDENT
        self.write(paragraph, text, bold=bold, italic=italic)
        self.last = paragraph
        return paragraph

    def basis(self, text: str) -> Paragraph:
        """A legal basis ("Căn cứ …"), in italics."""
        return self.paragraph(text, italic=True)

    def heading(self, text: str, *, centred: bool = False) -> Paragraph:
        """A bold heading kept with what follows."""
        paragraph = self._new(
            self.document, align=CENTRE if centred else None, before=6, after=6
        )
        if not centred:
            paragraph.paragraph_format.first_line_indent = INDENT
        paragraph.paragraph_format.keep_with_next = True
        self.write(paragraph, text, bold=True)
        return paragraph

    def article(self, label: str, text: str) -> Paragraph:
        """ "Điều 1. …": the label bold, the text regular."""
        paragraph = self._new(self.document, align=JUSTIFY, after=6)
        paragraph.paragraph_format.first_line_indent = INDENT
        self.write(paragraph, label, bold=True)
        self.write(paragraph, f" {text}")
        self.last = paragraph
        return paragraph

    def table(self, widths: Sequence[int], *, grid: bool = False) -> Table:
        table = self.document.add_table(rows=0, cols=len(widths))
        if grid:
            table.style = self.document.styles["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        for column, width in zip(table.columns, widths, strict=True):
            column.width = width
        return table

    def row(
        self,
        table: Table,
        widths: Sequence[int],
        texts: Iterable[str] = (),
        *,
        align: WD_ALIGN_PARAGRAPH | None = None,
        **style: Any,
    ) -> _Row:
        row = table.add_row()
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = width
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.TOP
        for cell, text in zip(row.cells, texts, strict=False):
            if text:
                self.cell_text(cell, text, align=align, **style)
        return row

    def cell_text(
        self,
        cell: _Cell,
        text: str,
        *,
        align: WD_ALIGN_PARAGRAPH | None = None,
        **style: Any,
    ) -> Paragraph:
        """Text in `cell`: its first paragraph while empty, a new one after."""
        paragraph = cell.paragraphs[-1]
        if paragraph.runs or paragraph.text:
            paragraph = self._new(cell)
        if align is not None:
            paragraph.alignment = align
        self.write(paragraph, text, **style)
        return paragraph

    def grid(
        self,
        widths: Sequence[float | None],
        header: Sequence[str],
        rows: Iterable[Sequence[str]],
        *,
        numbers: Iterable[int] = (),
        size: Length = TABLE_SIZE,
    ) -> Table:
        """A bordered table: a header row repeated on every page, then `rows`;
        columns in `numbers` align right. Widths in millimetres; None takes
        what the others leave."""
        fixed = sum(Mm(w) for w in widths if w is not None)
        lengths = tuple(Mm(w) if w is not None else self.width - fixed for w in widths)
        table = self.table(lengths, grid=True)
        head = self.row(table, lengths, header, align=CENTRE, bold=True, size=size)
        _row_property(head, "w:tblHeader")
        _row_property(head, "w:cantSplit")
        for values in rows:
            row = self.row(table, lengths)
            _row_property(row, "w:cantSplit")
            for index, (cell, value) in enumerate(zip(row.cells, values, strict=False)):
                align = CENTRE if index == 0 else (RIGHT if index in numbers else None)
                self.cell_text(cell, value, align=align, size=size)
        self.line(self.document, "", after=6)
        return table

    def closing(
        self,
        *,
        signers: Sequence[Signer],
        recipients: Iterable[str] | None = None,
        note: str = "",
    ) -> Table:
        """The end of the document: with `recipients`, "Nơi nhận:" and the list
        on the left and the single signature block on the right; without,
        the signature blocks two by two (a lone one on the right). Every row
        is unbreakable and the last body paragraph stays on its page."""
        if self.last is not None:
            self.last.paragraph_format.keep_with_next = True
        if note:
            paragraph = self.paragraph(note, italic=True)
            paragraph.paragraph_format.keep_with_next = True
        half = self.width // 2
        widths = (half, self.width - half)
        table = self.table(widths)
        pairs: list[tuple[Signer | None, ...]]
        if recipients is not None or len(signers) == 1:
            pairs = [(None, signers[0])]
        else:
            pairs = [tuple(signers[i : i + 2]) for i in range(0, len(signers), 2)]
        for index, pair in enumerate(pairs):
            row = self.row(table, widths)
            _row_property(row, "w:cantSplit")
            left, right = row.cells
            if index == 0 and recipients is not None:
                self._recipients(left, recipients)
            if len(pair) == 1:
                pair = (None, pair[0])
            for cell, signer in zip((left, right), pair, strict=True):
                if signer is not None:
                    self._signer(cell, signer)
        return table

    def _recipients(self, cell: _Cell, recipients: Iterable[str]) -> None:
        paragraph = self._first(cell)
        paragraph.paragraph_format.space_before = Pt(12)
        self.write(paragraph, RECIPIENTS_LABEL, bold=True, italic=True, size=Pt(12))
        for line in recipients:
            self.cell_text(cell, f"- {line}", size=SMALL_SIZE)

    def _signer(self, cell: _Cell, signer: Signer) -> None:
        paragraph = self._first(cell)
        if paragraph.runs:
            paragraph = self._new(cell)
        paragraph.paragraph_format.space_before = Pt(12)
        paragraph.alignment = CENTRE
        for index, text in enumerate(signer.lines):
            if index:
                paragraph = self._new(cell, align=CENTRE)
            self.write(paragraph, text, bold=True)
        for _blank in range(SIGNING_SPACE):
            self._new(cell)
        self.line(cell, signer.name, bold=True)

    def bytes(self) -> bytes:
        buffer = io.BytesIO()
        self.document.save(buffer)
        return buffer.getvalue()
