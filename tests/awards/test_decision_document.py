"""The decision as a Word file in the Decree 30/2020 layout: open the generated
.docx and read its number line, date line and signature block."""

import datetime
import io

import pytest
from django.urls import reverse
from docx import Document

from awards.decision_document import decision_docx, issuer_lines
from awards.selectors import decision_detail
from tests.awards.proposal_helpers import appraised, decide, draft, nominate


def _decision(world, *, number, day, capacity="tm", issuer_kind="collective"):
    proposal = draft(world)
    flag = nominate(world, proposal, world.unit_a)
    excellent = nominate(world, proposal, world.unit_deputy, code="ttld-xuat-sac")
    person = nominate(
        world,
        proposal,
        code="bk-tinh",
        person_name="Nguyễn Thị Hoa",
        person_position="Phó Chủ tịch UBND",
        person_organisation="Huyện Phó",
    )
    appraised(world, proposal, quota_reason=None)
    decision = decide(
        world,
        proposal,
        [flag, excellent, person],
        number=number,
        date=day,
        capacity=capacity,
        issuer_kind=issuer_kind,
        signer_name="Trương Cảnh Tuyên" if capacity == "tm" else "Đồng Văn Thanh",
    )
    return decision_detail(world.authority.pk, decision.pk)


def _paragraphs(data):
    document = Document(io.BytesIO(data))
    texts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                texts.extend(p.text for p in cell.paragraphs)
    return document, texts


def test_number_line_has_a_leading_zero_below_ten(world):
    decision = _decision(world, number=5, day=datetime.date(2024, 3, 12))
    document, texts = _paragraphs(decision_docx(decision))
    header, below = (row.cells for row in document.tables[0].rows)
    left = [p.text for p in header[0].paragraphs if p.text]
    assert left == ["ỦY BAN NHÂN DÂN", "TỈNH HẬU GIANG THỬ"]
    right = [p for p in header[1].paragraphs if p.text]
    assert [p.text for p in right] == [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
    ]
    # The number and the date are paragraphs of their own, side by side
    # under the two blocks (never inside the 1-pt paragraph of a rule).
    number, date_line = (cell.paragraphs[0] for cell in below)
    assert number.text == "Số: 05/QĐ-UBND"
    assert date_line.text == f"{world.authority.place_name}, ngày 12 tháng 3 năm 2024"
    assert all(run.italic for run in date_line.runs)
    assert "QUYẾT ĐỊNH" in texts
    assert "QUYẾT ĐỊNH:" in texts
    assert document.styles["Normal"].font.name == "Times New Roman"


def test_number_ten_and_above_has_no_padding_and_january_a_leading_zero(world):
    decision = _decision(world, number=125, day=datetime.date(2024, 1, 5))
    _document, texts = _paragraphs(decision_docx(decision))
    assert "Số: 125/QĐ-UBND" in texts
    assert f"{world.authority.place_name}, ngày 05 tháng 01 năm 2024" in texts


@pytest.mark.parametrize(
    ("issuer_kind", "capacity", "deciding", "lines", "signer"),
    [
        (
            "collective",
            "tm",
            "ỦY BAN NHÂN DÂN TỈNH HẬU GIANG THỬ",
            ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"],
            "Trương Cảnh Tuyên",
        ),
        (
            "collective",
            "kt",
            "ỦY BAN NHÂN DÂN TỈNH HẬU GIANG THỬ",
            ["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"],
            "Đồng Văn Thanh",
        ),
        (
            "chairman",
            "tm",
            "CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH HẬU GIANG THỬ",
            ["CHỦ TỊCH"],
            "Trương Cảnh Tuyên",
        ),
        (
            "chairman",
            "kt",
            "CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH HẬU GIANG THỬ",
            ["KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"],
            "Đồng Văn Thanh",
        ),
    ],
)
def test_signature_block_names_the_deciding_authority_capacity_and_signer(
    world, issuer_kind, capacity, deciding, lines, signer
):
    """The committee decides as a collective or its chairman
    decides; the deciding line and the signature block follow."""
    decision = _decision(
        world,
        number=7,
        day=datetime.date(2024, 8, 1),
        capacity=capacity,
        issuer_kind=issuer_kind,
    )
    document, texts = _paragraphs(decision_docx(decision))
    assert deciding in texts
    block = [p.text for p in document.tables[-1].rows[0].cells[1].paragraphs if p.text]
    assert block == [*lines, signer]
    receivers = [p.text for p in document.tables[-1].rows[0].cells[0].paragraphs]
    assert receivers[0] == "Nơi nhận:"


def test_article_one_lists_recipients_with_rewards(world):
    decision = _decision(world, number=7, day=datetime.date(2024, 8, 1))
    _document, texts = _paragraphs(decision_docx(decision))
    body = "\n".join(texts)
    assert "Điều 1." in body
    assert "Điều 2." in body
    assert "1. Huyện Phó." in body
    assert "1. Ông (Bà) Nguyễn Thị Hoa, Phó Chủ tịch UBND, Huyện Phó." in body
    # 2.340.000 × 1,5 = 3.510.000
    assert (
        "Tiền thưởng: 3.510.000 đồng (1,5 lần mức lương cơ sở 2.340.000 đồng)." in body
    )
    assert "Mức tiền thưởng theo quy định của tỉnh." in body
    assert "Căn cứ Luật Thi đua, khen thưởng ngày 15 tháng 6 năm 2022;" in body
    assert "Xét đề nghị của Giám đốc Sở Nội vụ." in body


def test_issuer_lines_split_the_committee():
    assert issuer_lines("Ủy ban nhân dân tỉnh Hậu Giang") == (
        "ỦY BAN NHÂN DÂN",
        "TỈNH HẬU GIANG",
    )
    assert issuer_lines("Sở Nội vụ") == ("SỞ NỘI VỤ",)


def test_docx_download(world, login):
    decision = _decision(world, number=5, day=datetime.date(2024, 3, 12))
    response = login(world.users["officer"]).get(
        reverse("decision_docx", args=[decision.pk])
    )
    assert response.status_code == 200
    assert "quyet-dinh-05-2024.docx" in response["Content-Disposition"]
    _document, texts = _paragraphs(response.content)
    assert "Số: 05/QĐ-UBND" in texts
