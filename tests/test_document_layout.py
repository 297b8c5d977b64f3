"""Every generated Word document, rendered as an official would print it: the
demo's documents of every type are converted to PDF by LibreOffice (one
`soffice --headless --convert-to pdf` call, a private profile) and the word
boxes read with `pdftotext -bbox-layout` (poppler-utils). A document fails when

- two words' boxes overlap (text printed over text);
- its signature block stands alone on a page (the page where the closing table
  of "Nơi nhận" and signatures begins holds nothing of the body);
- a page after the first lacks its number at the top centre, or the first page
  shows one (Decree 30/2020/NĐ-CP, Appendix I: numbered from page 2).

Skipped where `soffice` or `pdftotext` is missing; REQUIRE_DOCUMENTS=1 (CI)
makes that a failure. DOCUMENTS_OUT=<dir> keeps the .docx and .pdf files and
prints the counts (documents, pages, overlaps, lonely signatures, pages
missing a number)."""

import datetime
import io
import os
import re
import shutil
import subprocess
import tempfile
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

import docx
import pytest
from django.urls import reverse
from django.utils import timezone
from docx.oxml.ns import qn
from docx.table import _Cell

from core.documents import TO_BE_FILLED, vn_date_line

pytestmark = pytest.mark.django_db

# Two words overlap when they share more than a point across and more than
# half the lower box's height: pdftotext's boxes run from the font's ascent to
# its descent, so the boxes of consecutive single-spaced lines touch anyway.
OVERLAP_TOLERANCE = 1.0
OVERLAP_HEIGHT = 0.5
XHTML = "{http://www.w3.org/1999/xhtml}"


@dataclass(frozen=True)
class Word:
    page: int
    text: str
    x0: float
    y0: float
    x1: float
    y1: float


@dataclass
class Page:
    number: int
    width: float
    height: float
    words: list = field(default_factory=list)


@dataclass
class Findings:
    name: str
    pages: int = 0
    overlaps: list = field(default_factory=list)
    lonely_signature: bool = False
    unnumbered: list = field(default_factory=list)

    @property
    def faults(self):
        faults = [f"overlap on page {p}: {a!r} / {b!r}" for p, a, b in self.overlaps]
        if self.lonely_signature:
            faults.append("the signature block stands alone on a page")
        faults += [f"page {p}: no number at the top centre" for p in self.unnumbered]
        return faults


def _tools():
    missing = [tool for tool in ("soffice", "pdftotext") if not shutil.which(tool)]
    if missing:
        reason = (
            f"{', '.join(missing)} not installed (Debian: libreoffice-writer-nogui, "
            "poppler-utils; REQUIRE_DOCUMENTS=1 turns this skip into a failure)"
        )
        if os.environ.get("REQUIRE_DOCUMENTS") == "1":
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)


def render_pdfs(files, folder):
    """Convert every .docx of `files` to PDF in `folder` with one soffice call
    and a private user profile."""
    profile = Path(tempfile.mkdtemp(prefix="soffice-profile-"))
    try:
        subprocess.run(  # noqa: S603 - fixed arguments, our own files
            [
                shutil.which("soffice"),
                f"-env:UserInstallation={profile.as_uri()}",
                "--headless",
                "--norestore",
                "--convert-to",
                "pdf",
                "--outdir",
                str(folder),
                *map(str, files),
            ],
            check=True,
            capture_output=True,
            timeout=600,
        )
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    return [folder / f"{Path(f).stem}.pdf" for f in files]


def read_pages(pdf):
    """The pages of `pdf` with their words' boxes (points, origin top left)."""
    xml = subprocess.run(  # noqa: S603 - fixed arguments, our own file
        [shutil.which("pdftotext"), "-bbox-layout", str(pdf), "-"],
        check=True,
        capture_output=True,
    ).stdout.decode()
    # pdftotext writes an XHTML page; keep what lies between <body> and </body>.
    body = xml[xml.index("<body>") : xml.index("</body>") + len("</body>")]
    root = ET.fromstring(body.replace("&nbsp;", " "))  # noqa: S314 - our own output
    pages = []
    for number, element in enumerate(root.iter("page"), start=1):
        page = Page(number, float(element.get("width")), float(element.get("height")))
        for word in element.iter("word"):
            page.words.append(
                Word(
                    number,
                    word.text or "",
                    *(float(word.get(k)) for k in ("xMin", "yMin", "xMax", "yMax")),
                )
            )
        pages.append(page)
    return pages


def closing_words(data):
    """The words of the document's last table (Nơi nhận and the signatures),
    as pdftotext splits them."""
    document = docx.Document(io.BytesIO(data))
    table = document.tables[-1]
    words = []
    for tr in table._tbl.tr_lst:
        for tc in tr.tc_lst:  # each cell once, merged or not
            words += _Cell(tc, table).text.split()
    return words


def _page_number(page):
    """The page's number word if it is the topmost word and centred."""
    if not page.words:
        return None
    top = min(page.words, key=lambda w: w.y0)
    centre = (top.x0 + top.x1) / 2
    if (
        re.fullmatch(r"\d+", top.text)
        and abs(centre - page.width / 2) < page.width * 0.1
        and top.y1 < page.height * 0.1
    ):
        return top
    return None


def _overlaps(page):
    words = sorted(page.words, key=lambda w: w.y0)
    found = []
    for index, a in enumerate(words):
        for b in words[index + 1 :]:
            if b.y0 >= a.y1:
                break
            wide = min(a.x1, b.x1) - max(a.x0, b.x0)
            high = min(a.y1, b.y1) - max(a.y0, b.y0)
            lower = min(a.y1 - a.y0, b.y1 - b.y0)
            if wide > OVERLAP_TOLERANCE and high > OVERLAP_HEIGHT * lower:
                found.append((page.number, a.text, b.text))
    return found


def check(name, data, pages):
    """What is wrong with the rendering `pages` of the .docx `data`."""
    findings = Findings(name, pages=len(pages))
    numbers = {}
    for page in pages:
        findings.overlaps += _overlaps(page)
        number = _page_number(page)
        if page.number > 1 and (number is None or number.text != str(page.number)):
            findings.unnumbered.append(page.number)
        if page.number == 1 and number is not None and number.text == "1":
            findings.unnumbered.append(1)  # the first page carries no number
        numbers[page.number] = number
    body = [
        word
        for page in pages
        for word in sorted(page.words, key=lambda w: (w.y0, w.x0))
        if word is not numbers[page.number]
    ]
    closing = closing_words(data)
    tail = body[-len(closing) :]
    assert sorted(w.text for w in tail) == sorted(closing), (
        f"{name}: the closing table is not the end of the rendered text"
    )
    start = tail[0].page
    findings.lonely_signature = len(body) == len(closing) or (
        body[-len(closing) - 1].page != start
    )
    return findings


def demo_documents():
    """(file name, .docx bytes) for every document type the product generates,
    from the demo: pledges, vote minutes, year-end summaries, proposals, award
    decisions, campaign mid-term and final reviews."""
    from awards import documents as award_documents
    from awards.decision_document import decision_docx
    from awards.models import Decision, Proposal, Vote
    from awards.selectors import decision_detail, proposal_detail
    from campaigns import documents as campaign_documents
    from campaigns.models import Campaign, ReviewStage
    from clusters.models import Term
    from pledges.documents import pledge_docx
    from pledges.models import Pledge

    out = []
    for pledge in Pledge.objects.select_related("term").order_by("pk"):
        out.append((f"pledge-{pledge.pk}", pledge_docx(pledge)))
    for vote in Vote.objects.filter(closed_at__isnull=False).order_by("pk"):
        out.append((f"minutes-{vote.pk}", award_documents.vote_minutes_docx(vote)))
    terms = Term.objects.filter(votes__closed_at__isnull=False).distinct()
    for term in terms.order_by("pk"):
        out.append((f"summary-{term.pk}", award_documents.term_summary_docx(term)))
    for proposal in Proposal.objects.order_by("pk"):
        detail = proposal_detail(proposal.created_by, proposal.pk)
        out.append((f"proposal-{proposal.pk}", award_documents.proposal_docx(detail)))
    for decision in Decision.objects.order_by("pk"):
        detail = decision_detail(decision.authority_id, decision.pk)
        out.append((f"decision-{decision.pk}", decision_docx(detail)))
    for campaign in Campaign.objects.order_by("pk"):
        for stage in ReviewStage:
            data = campaign_documents.review_docx(campaign, stage)
            out.append((f"review-{stage.value}-{campaign.pk}", data))
    return out


@pytest.mark.documents
def test_every_document_renders_without_layout_faults(demo_db):
    _tools()
    documents = demo_documents()
    kinds = {name.rsplit("-", 1)[0] for name, _data in documents}
    assert kinds >= {
        "pledge",
        "minutes",
        "summary",
        "decision",
        "proposal",
        "review-midterm",
        "review-final",
    }
    keep = os.environ.get("DOCUMENTS_OUT")
    with tempfile.TemporaryDirectory(prefix="documents-") as scratch:
        folder = Path(keep) if keep else Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        files = []
        for name, data in documents:
            path = folder / f"{name}.docx"
            path.write_bytes(data)
            files.append(path)
        pdfs = render_pdfs(files, folder)
        results = [
            check(name, data, read_pages(pdf))
            for (name, data), pdf in zip(documents, pdfs, strict=True)
        ]
    if keep:
        print(
            f"\ndocuments {len(results)}, pages {sum(r.pages for r in results)}, "
            f"overlaps {sum(len(r.overlaps) for r in results)}, "
            f"lonely signatures {sum(r.lonely_signature for r in results)}, "
            f"pages missing a number {sum(len(r.unnumbered) for r in results)}"
        )
        for result in results:
            print(result.name, result.pages, "; ".join(result.faults) or "ok")
    faults = [f"{r.name}: {fault}" for r in results for fault in r.faults]
    assert not faults, "\n".join(faults)


# The layout as Word holds it (no LibreOffice needed) -----------------------------


def _numbered_from_page_two(data):
    """The first page has a header of its own (empty); the others print a PAGE
    field, centred."""
    document = docx.Document(io.BytesIO(data))
    first = document.sections[0]
    assert first.different_first_page_header_footer
    assert not "".join(p.text for p in first.first_page_header.paragraphs).strip()
    header = first.header.paragraphs[0]
    instructions = [e.text for e in header._p.iter(qn("w:instrText"))]
    assert instructions == [" PAGE "]
    assert header.alignment == 1  # centred
    for later in document.sections[1:]:
        assert not later.different_first_page_header_footer
        assert later.header.is_linked_to_previous


def test_every_demo_document_is_numbered_from_page_two(demo_db):
    for _name, data in demo_documents():
        _numbered_from_page_two(data)


def _closing(data):
    document = docx.Document(io.BytesIO(data))
    table = document.tables[-1]
    rows = [[_Cell(tc, table).text for tc in tr.tc_lst] for tr in table._tbl.tr_lst]
    keeps = [
        tr.trPr is not None and tr.trPr.find(qn("w:cantSplit")) is not None
        for tr in table._tbl.tr_lst
    ]
    return document, rows, keeps


def test_year_end_summary_has_recipients_and_its_signature_on_the_right(demo_db):
    from awards.documents import term_summary_docx
    from clusters.models import Term

    term = Term.objects.filter(votes__closed_at__isnull=False).first()
    _document, rows, keeps = _closing(term_summary_docx(term))
    assert len(rows) == 1
    assert all(keeps)
    recipients, signature = rows[0]
    assert recipients.startswith("Nơi nhận:")
    assert "Lưu: VT." in recipients
    assert signature.startswith("TM. CỤM THI ĐUA")


def test_campaign_report_has_a_number_and_no_as_above_without_a_to_line(demo_db):
    from campaigns.documents import review_docx
    from campaigns.models import Campaign, ReviewStage

    campaign = Campaign.objects.order_by("pk").first()
    for stage in ReviewStage:
        document, rows, _keeps = _closing(review_docx(campaign, stage))
        header = document.tables[0].rows[1].cells
        assert header[0].text == "Số:      /BC-HĐTĐKT"
        text = "\n".join(p.text for p in document.paragraphs)
        assert "Kính gửi" not in text
        assert "Như trên" not in rows[0][0]
        assert rows[0][0].startswith("Nơi nhận:")


def test_campaign_review_is_dated_the_day_it_was_held_never_the_download(demo_db):
    from campaigns.documents import review_document
    from campaigns.models import Campaign, CampaignReview, ReviewStage

    review = CampaignReview.objects.filter(held_on__isnull=False).first()
    campaign = review.campaign
    doc = review_document(campaign, review.stage)
    place = campaign.authority.place_name
    assert doc.place_date == vn_date_line(place, review.held_on)
    pending = Campaign.objects.exclude(reviews__stage=ReviewStage.MIDTERM).first()
    doc = review_document(pending, ReviewStage.MIDTERM)
    assert doc.place_date == vn_date_line(place, None)


# The pledge signed by each member's leader --------------------------------------


def _pledge_world(world):
    from pledges import services
    from tests.pledges.conftest import CONTENT, set_all_targets

    pledge = services.pledge_create(
        term=world.term, actor=world.users["admin"], content=CONTENT
    )
    set_all_targets(pledge, world.users["admin"])
    services.pledge_open_signing(pledge=pledge, actor=world.users["admin"])
    return pledge


def test_sign_form_never_prefills_the_clerks_account_name(world, login):
    from pledges.forms import SignForm

    pledge = _pledge_world(world)
    client = login(world.users["officer"])
    response = client.get(reverse("pledge_sign", args=[pledge.term_id]))
    form = response.context["form"]
    assert isinstance(form, SignForm)
    assert form.initial.get("signer_name") in (None, "")
    name = world.users["officer"].full_name
    assert f'value="{name}"' not in response.content.decode()


def test_pledge_signature_prints_the_leader_entered_at_signing(world, login):
    from pledges.documents import pledge_docx
    from pledges.models import Signature

    pledge = _pledge_world(world)
    client = login(world.users["officer"])
    response = client.post(
        reverse("pledge_sign", args=[pledge.term_id]),
        {
            "signs_for": "Chủ tịch",
            "signer_title": "Phó Chủ tịch",
            "signer_name": "Lê Văn Tám",
            "signed_on": "15/02/2024",
        },
    )
    assert response.status_code == 302
    signature = Signature.objects.get(unit=world.unit_a)
    assert (signature.signs_for, signature.signer_title, signature.signer_name) == (
        "Chủ tịch",
        "Phó Chủ tịch",
        "Lê Văn Tám",
    )
    _document, rows, keeps = _closing(pledge_docx(pledge))
    assert all(keeps)
    blocks = [cell for row in rows for cell in row]
    block = next(b for b in blocks if world.unit_a.name.upper() in b)
    lines = [line for line in block.split("\n") if line]
    assert lines[lines.index(world.unit_a.name.upper()) + 1 :] == [
        "KT. CHỦ TỊCH",
        "PHÓ CHỦ TỊCH",
        "Lê Văn Tám",
    ]
    assert world.users["officer"].full_name not in "\n".join(blocks)


def test_pledge_signed_without_a_name_leaves_the_lines_to_fill_in(world):
    from pledges import services
    from pledges.documents import pledge_document

    pledge = _pledge_world(world)
    services.pledge_sign(
        pledge=pledge,
        unit=world.unit_a,
        actor=world.users["officer"],
        signer_name="",
        signer_title="",
        signed_on=datetime.date(2024, 2, 15),
    )
    block = next(
        b
        for b in pledge_document(pledge).signatures
        if b.unit == world.unit_a.name.upper()
    )
    assert (block.signed, block.deputy, block.title, block.name) == (
        True,
        "",
        TO_BE_FILLED,
        TO_BE_FILLED,
    )


# The check itself, on pages made up by hand ---------------------------------------


def _small_document():
    from core.documents import Layout, Signer

    layout = Layout(title="Thử")
    layout.paragraph("Nội dung")
    layout.closing(recipients=("Lưu: VT.",), signers=(Signer(("CHỦ TỊCH",), "A"),))
    return layout.bytes()


def _words(page, *texts, y=100.0):
    return [
        Word(page, text, 100.0 + 60 * index, y, 150.0 + 60 * index, y + 15)
        for index, text in enumerate(texts)
    ]


def test_check_finds_overlaps_lonely_signatures_and_missing_numbers():
    data = _small_document()
    closing = closing_words(data)
    first = Page(1, 595, 842, _words(1, "Nội", "dung"))
    # A word printed over another, 3 pt lower.
    first.words.append(Word(1, "Số:", 110.0, 103.0, 160.0, 118.0))
    second = Page(2, 595, 842, _words(2, *closing, y=200.0))
    findings = check("thử", data, [first, second])
    assert findings.overlaps == [(1, "Nội", "Số:")]
    assert findings.lonely_signature
    assert findings.unnumbered == [2]


def test_check_passes_a_numbered_page_with_body_text_above_the_signature():
    data = _small_document()
    closing = closing_words(data)
    first = Page(1, 595, 842, _words(1, "Nội"))
    second = Page(2, 595, 842, [Word(2, "2", 293.0, 30.0, 302.0, 45.0)])
    second.words += _words(2, "dung") + _words(2, *closing, y=200.0)
    findings = check("thử", data, [first, second])
    assert findings.faults == []


# The proposal (tờ trình) ------------------------------------------------------------


def test_proposal_is_addressed_dated_when_submitted_and_as_above_answers_it(
    demo_db,
):
    from awards.documents import proposal_docx
    from awards.models import Proposal
    from awards.selectors import proposal_detail

    proposal = Proposal.objects.filter(submitted_at__isnull=False).first()
    detail = proposal_detail(proposal.created_by, proposal.pk)
    document, rows, keeps = _closing(proposal_docx(detail))
    number, date_line = (c.text for c in document.tables[0].rows[1].cells)
    assert number == f"Số: {proposal.number}"
    day = timezone.localtime(proposal.submitted_at).date()
    assert date_line == vn_date_line(proposal.authority.place_name, day)
    text = [p.text for p in document.paragraphs]
    assert "TỜ TRÌNH" in text
    addressee = next(p for p in document.paragraphs if p.text.startswith("Kính"))
    assert addressee.text == "Kính gửi: Hội đồng Thi đua – Khen thưởng tỉnh."
    assert addressee.alignment == 1  # centred
    for nominee in detail.nominees.all():
        assert any(f". {nominee.name}: " in line for line in text), nominee.name
    recipients = rows[0][0].split("\n")
    assert recipients[:2] == ["Nơi nhận:", "- Như trên;"]
    assert all(keeps)


def test_proposal_download_query_count_is_stable(world, login):
    from tests.awards.proposal_helpers import draft, nominate
    from tests.helpers import assert_queries_stable

    proposal = draft(world)
    nominate(world, proposal, world.unit_a)

    def grow():
        for index in range(10):
            nominate(
                world,
                proposal,
                code="bk-tinh",
                person_name=f"Nguyễn Văn {index}",
                person_position="Chuyên viên",
                person_organisation="Huyện A",
            )

    assert_queries_stable(
        login(world.users["chair_officer"]),
        reverse("proposal_docx", args=[proposal.pk]),
        grow,
    )
