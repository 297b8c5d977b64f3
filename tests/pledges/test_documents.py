import datetime
import io
from decimal import Decimal

import docx
import pytest
from django.urls import reverse
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn

from clusters.models import Term
from pledges import services
from pledges.documents import (
    DOCX_CONTENT_TYPE,
    MEMBERS_PER_TABLE,
    MOTTO,
    PORTRAIT_MEMBERS,
    SUB_MOTTO,
    TO_BE_FILLED,
    pledge_document,
    pledge_docx,
    rule_words,
    vn_date_line,
    vn_number,
)
from pledges.models import Aggregation, Indicator, ScoringRule
from tests.clusters.factories import MembershipFactory, UnitFactory
from tests.helpers import assert_queries_stable
from tests.pledges.conftest import set_all_targets, sign_all


def _open(pledge):
    return docx.Document(io.BytesIO(pledge_docx(pledge)))


def _cells(table):
    """Each cell once (python-docx repeats a merged cell for every column)."""
    seen = []
    for row in table.rows:
        for cell in row.cells:
            if not any(cell._tc is tc for tc in seen):
                seen.append(cell._tc)
                yield cell


def _text(container):
    """Every paragraph of the document or table cell, tables included."""
    lines = [p.text for p in container.paragraphs]
    for table in container.tables:
        for cell in _cells(table):
            lines.extend(_text(cell))
    return lines


def _text_of_table(table):
    return [line for cell in _cells(table) for line in _text(cell)]


def _table_text(table):
    return "\n".join(_text_of_table(table))


def _add_members(world, count):
    for n in range(count):
        unit = UnitFactory(authority=world.authority, name=f"Xã Thêm {n}")
        MembershipFactory(term=world.term, unit=unit)


@pytest.mark.parametrize(
    ("value", "places", "expected"),
    [
        (Decimal("1234567.5000"), None, "1.234.567,5"),
        (Decimal("1234567.89"), None, "1.234.567,89"),
        (Decimal("30.00"), None, "30"),
        (Decimal("0.25"), None, "0,25"),
        (Decimal("2.3333333"), 2, "2,33"),
        (100, None, "100"),
        (None, None, ""),
    ],
)
def test_vn_number_writes_vietnamese_grouping_and_decimal_comma(
    value, places, expected
):
    assert vn_number(value, places) == expected


def test_date_line_pads_days_below_10_and_months_1_and_2():
    assert (
        vn_date_line("Hậu Giang", datetime.date(2023, 2, 15))
        == "Hậu Giang, ngày 15 tháng 02 năm 2023"
    )
    assert (
        vn_date_line("Hậu Giang", datetime.date(2018, 3, 5))
        == "Hậu Giang, ngày 05 tháng 3 năm 2018"
    )


def test_rule_words_describe_each_scoring_rule():
    def words(rule, params):
        return rule_words(Indicator(rule=rule, params=params))

    assert words(ScoringRule.PROPORTIONAL, {"cap": 100, "floor": 50}) == (
        "tỷ lệ thuận với mức đạt (tính tối đa 100% kế hoạch; "
        "đạt dưới 50% không có điểm)"
    )
    # The rule applied to a cap above 100 %, word for word.
    assert words(ScoringRule.PROPORTIONAL, {"cap": 120, "floor": 50}) == (
        "tỷ lệ thuận với mức đạt; vượt kế hoạch được tính tối đa 120% kế hoạch, "
        "tức chỉ tiêu được tối đa 120% phần điểm của chỉ tiêu, nhưng tổng điểm "
        "của tiêu chí không vượt quá điểm tối đa của tiêu chí; đạt dưới 50% "
        "không có điểm"
    )
    assert words(ScoringRule.THRESHOLD, {}) == "đạt 100% trở lên được điểm tối đa"
    assert words(ScoringRule.BANDS, {"bands": [[90, 80], [100, 100]]}) == (
        "theo khung: đạt từ 100% được 100% số điểm; đạt từ 90% được 80% số điểm"
    )


def test_docx_has_the_decree_30_header_title_and_criteria(world, pledge):
    document = _open(pledge)
    text = "\n".join(_text(document))
    header = _table_text(document.tables[0])
    assert MOTTO in header
    assert SUB_MOTTO in header
    assert "UBND TỈNH HẬU GIANG THỬ" in header
    assert "CỤM A" in header
    assert f"{world.authority.place_name}, ngày " in text
    assert "GIAO ƯỚC THI ĐUA NĂM 2024" in text
    criteria = _table_text(document.tables[1])
    for code in ["I", "II", "III", "I.1", "I.2", "II.1", "III.1", "CT1", "CT2"]:
        assert code in _text_of_table(document.tables[1])
    assert "tỷ lệ thuận với mức đạt" in criteria
    assert "đạt 100% trở lên được điểm tối đa" in criteria
    assert "Đơn vị tính: tỷ đồng." in criteria
    assert "Tổng cộng (thang điểm)" in criteria


def test_docx_is_a4_portrait_in_times_new_roman(pledge):
    document = _open(pledge)
    section = document.sections[0]
    assert section.orientation == WD_ORIENT.PORTRAIT
    assert round(section.page_width.mm) == 210
    assert round(section.page_height.mm) == 297
    assert 20 <= round(section.top_margin.mm) <= 25
    assert 20 <= round(section.bottom_margin.mm) <= 25
    assert 30 <= round(section.left_margin.mm) <= 35
    assert 15 <= round(section.right_margin.mm) <= 20
    normal = document.styles["Normal"]
    assert normal.font.name == "Times New Roman"
    assert 13 <= normal.font.size.pt <= 14
    fonts = normal.element.rPr.find(qn("w:rFonts"))
    assert fonts.get(qn("w:eastAsia")) == "Times New Roman"


def test_docx_targets_are_written_vietnamese_style_with_the_cluster_total(
    world, pledge
):
    set_all_targets(pledge, world.users["admin"], Decimal("1234567.5"))
    targets = _text_of_table(_open(pledge).tables[2])
    assert "1.234.567,5" in targets
    assert "3.703.702,5" in targets  # sum of three members
    assert "Tổng cụm" in targets


def test_docx_cluster_total_is_the_mean_or_blank_by_aggregation(world, pledge):
    set_all_targets(pledge, world.users["admin"], Decimal("1234567.5"))
    pledge.indicators.filter(code="CT1").update(aggregation=Aggregation.MEAN)
    pledge.indicators.filter(code="CT2").update(aggregation=Aggregation.NONE)
    table = _open(pledge).tables[2]
    ct1 = [c.text for c in table.rows[1].cells]
    ct2 = [c.text for c in table.rows[2].cells]
    assert ct1[0] == "CT1"
    assert ct1[-1] == "1.234.567,5"
    assert ct2[0] == "CT2"
    assert ct2[-1] == ""


def test_docx_signature_blocks_are_blank_until_signed(world, pledge):
    blocks = _table_text(_open(pledge).tables[-1])
    for unit in [world.unit_a, world.unit_chair, world.unit_deputy]:
        assert unit.name.upper() in blocks
    assert blocks.count("TM. ỦY BAN NHÂN DÂN") == 3
    assert TO_BE_FILLED in blocks
    assert "Nguyễn Văn A" not in blocks


def test_docx_signature_blocks_show_the_signers(world, pledge):
    set_all_targets(pledge, world.users["admin"])
    services.pledge_open_signing(pledge=pledge, actor=world.users["admin"])
    sign_all(pledge)
    pledge.refresh_from_db()
    document = _open(pledge)
    blocks = _table_text(document.tables[-1])
    assert blocks.count("Nguyễn Văn A") == 3
    assert "CHỦ TỊCH UBND" in blocks
    assert TO_BE_FILLED not in blocks
    assert "DỰ THẢO" not in "\n".join(_text(document))


def test_docx_turns_the_targets_page_landscape_for_many_members(world, pledge):
    _add_members(world, PORTRAIT_MEMBERS)
    sections = _open(pledge).sections
    assert [s.orientation for s in sections] == [
        WD_ORIENT.PORTRAIT,
        WD_ORIENT.LANDSCAPE,
        WD_ORIENT.PORTRAIT,
    ]
    assert round(sections[1].page_width.mm) == 297


def test_docx_splits_the_targets_of_a_large_cluster_into_tables(world, pledge):
    _add_members(world, MEMBERS_PER_TABLE + 1)  # 3 + 7 = 10 members
    set_all_targets(pledge, world.users["admin"], Decimal("1234567.5"))
    tables = _open(pledge).tables
    assert len(tables) == 5  # header, criteria, 2 of targets, signatures
    first, second = tables[2], tables[3]
    assert len(first.columns) == 3 + MEMBERS_PER_TABLE
    assert "Tổng cụm" not in _text_of_table(first)
    assert len(second.columns) == 3 + 4 + 1
    assert second.rows[1].cells[-1].text == "12.345.675"


def test_docx_without_indicators_says_so(world, pledge):
    pledge.indicators.all().delete()
    document = _open(pledge)
    assert "Giao ước không có chỉ tiêu định lượng." in _text(document)
    assert len(document.tables) == 3


def test_member_downloads_the_word_file(world, login, pledge):
    response = login(world.users["officer"]).get(
        reverse("pledge_docx", args=[world.term.pk])
    )
    assert response.status_code == 200
    assert response["Content-Type"] == DOCX_CONTENT_TYPE
    assert (
        response["Content-Disposition"]
        == 'attachment; filename="giao-uoc-thi-dua-2024.docx"'
    )
    assert MOTTO in "\n".join(_text(docx.Document(io.BytesIO(response.content))))


def test_officer_of_another_cluster_cannot_download_the_word_file(world, login, pledge):
    response = login(world.users["other_officer"]).get(
        reverse("pledge_docx", args=[world.term.pk])
    )
    assert response.status_code == 404


def test_word_file_of_a_term_without_pledge_is_not_found(world, login):
    response = login(world.users["officer"]).get(
        reverse("pledge_docx", args=[world.term.pk])
    )
    assert response.status_code == 404


def test_print_view_shows_the_document(world, login, pledge):
    set_all_targets(pledge, world.users["admin"], Decimal("1234567.5"))
    response = login(world.users["officer"]).get(
        reverse("pledge_print", args=[world.term.pk])
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert MOTTO in html
    assert "GIAO ƯỚC THI ĐUA NĂM 2024" in html
    assert "1.234.567,5" in html
    assert "HUYỆN CHỦ TRÌ" in html
    assert reverse("pledge_docx", args=[world.term.pk]) in html
    assert " style=" not in html


@pytest.mark.parametrize("signing", [False, True])
def test_print_view_query_count_does_not_grow(world, login, pledge, signing):
    admin = world.users["admin"]
    set_all_targets(pledge, admin)
    if signing:
        services.pledge_open_signing(pledge=pledge, actor=admin)
        sign_all(pledge)
    criterion = pledge.criteria.get(code="I.1")

    def grow():
        _add_members(world, 5)
        for n in range(3):
            indicator = Indicator.objects.create(
                pledge=pledge,
                criterion=criterion,
                code=f"X{n}",
                title=f"Chỉ tiêu thêm {n}",
                unit_of_measure="%",
            )
            for m in world.term.memberships.select_related("unit"):
                indicator.targets.create(unit=m.unit, planned=Decimal(n))

    client = login(world.users["officer"])
    assert_queries_stable(client, reverse("pledge_print", args=[world.term.pk]), grow)


def test_document_prints_caps_and_bands_of_the_term(world, pledge):
    Term.objects.filter(pk=world.term.pk).update(
        total_points=1000,
        bonus_cap=5,
        deduction_cap="2.5",
        late_deduction=1,
        bands=[
            {"band": "excellent", "min_total": 90, "min_criterion": 60},
            {"band": "good", "min_total": 80, "min_criterion": None},
            {"band": "complete", "min_total": "72.5", "min_criterion": None},
        ],
    )
    pledge.term.refresh_from_db()
    rules = pledge_document(pledge).rules
    assert rules[1] == (
        "Điểm thưởng được tính tối đa 5% thang điểm (50 điểm); điểm trừ được "
        "tính tối đa 2,5% thang điểm (25 điểm); đơn vị nộp báo cáo muộn bị trừ "
        "1% thang điểm (10 điểm)."
    )
    assert rules[2] == (
        "Xếp loại: Xuất sắc: tổng điểm đạt từ 90% thang điểm (900 điểm) trở lên "
        "và mỗi tiêu chí đạt từ 60% điểm tối đa của tiêu chí trở lên; Tốt: tổng "
        "điểm đạt từ 80% thang điểm (800 điểm) trở lên; Hoàn thành: tổng điểm "
        "đạt từ 72,5% thang điểm (725 điểm) trở lên; Không hoàn thành: các "
        "trường hợp còn lại."
    )
    text = "\n".join(_text(_open(pledge)))
    assert rules[2] in text
