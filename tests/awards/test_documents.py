"""Word documents of the awards app: the minutes of a vote and the year-end
summary report of a term, opened with python-docx and read as text."""

import datetime
import io

import docx
import pytest
from django.urls import reverse
from django.utils import timezone
from docx.oxml.ns import qn

from awards import documents, services
from clusters.models import Handover, Term, TermState
from core.errors import DomainError
from pledges.documents import DOCX_CONTENT_TYPE, MOTTO, SUB_MOTTO, vn_date_line
from tests.awards.factories import add_member, cast, make_elected, voting_term
from tests.awards.test_nomination_views import _grow_members, docx_text
from tests.clusters.factories import TermFactory
from tests.helpers import assert_queries_stable


def _eight(world):
    extra = [add_member(world.term, name=f"Huyện Thêm {i}") for i in range(5)]
    voting_term(world, [world.unit_chair, world.unit_a, world.unit_deputy, *extra])
    return [world.unit_a, world.unit_chair, world.unit_deputy, *extra]


def _closed_nomination(world, ballots):
    """A nomination of the chair unit and unit A (two seats) among eight members;
    `ballots` lists, per member in order, the candidates it ticks (None: it
    does not vote)."""
    units = _eight(world)
    vote = services.nomination_open(term=world.term, actor=world.users["admin"])
    for unit, ticks in zip(units, ballots, strict=False):
        if ticks is not None:
            cast(vote, unit, leading=ticks)
    return services.vote_close(vote=vote, actor=world.users["admin"]), units


def test_minutes_report_participation_quorum_votes_and_winners(world):
    both = [world.unit_chair, world.unit_a]
    vote, _units = _closed_nomination(world, [both] * 6 + [[world.unit_chair], None])
    document = docx.Document(io.BytesIO(documents.vote_minutes_docx(vote)))
    text = docx_text(documents.vote_minutes_docx(vote))
    for expected in (
        MOTTO,
        SUB_MOTTO,
        "UBND TỈNH HẬU GIANG THỬ",
        "CỤM A",
        "Số:      /BB-CTĐ",
        "BIÊN BẢN",
        "Kiểm phiếu bình xét, suy tôn đơn vị dẫn đầu phong trào thi đua năm 2024",
        "Số đơn vị thành viên có quyền bỏ phiếu: 8",
        "Số đơn vị tham gia bỏ phiếu: 7/8 (87,5%)",
        "Số phiếu phát ra: 7; số phiếu thu vào: 7; số phiếu hợp lệ: 7.",
        "Số đơn vị tham gia tối thiểu (2/3 tổng số thành viên): 6. Kết quả: đạt.",
        "Tỷ lệ phiếu tối thiểu để được suy tôn: trên 1/2 tổng số thành viên "
        "đồng ý, tức ít nhất 5 phiếu.",
        "Số phiếu không chọn đơn vị nào: 0.",
        "Đơn vị được suy tôn: Huyện Chủ trì, Huyện A.",
        "THƯ KÝ",
        "CHỦ TRÌ",
        "HUYỆN CHỦ TRÌ",
    ):
        assert expected in text, expected
    assert "Đơn vị không tham gia bỏ phiếu: Huyện Thêm 4." in text
    table = next(t for t in document.tables if t.rows[0].cells[0].text == "STT")
    rows = [[cell.text for cell in row.cells] for row in table.rows]
    assert rows[1:] == [
        ["1", "Huyện Chủ trì", "7", "87,5%", "Được suy tôn"],
        ["2", "Huyện A", "6", "75%", "Được suy tôn"],
    ]


def test_minutes_are_decree_30_layout_in_times_new_roman(world):
    vote, _units = _closed_nomination(world, [[world.unit_chair]] * 8)
    document = docx.Document(io.BytesIO(documents.vote_minutes_docx(vote)))
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    fonts = document.styles["Normal"].element.rPr.find(qn("w:rFonts"))
    assert fonts.get(qn("w:ascii")) == "Times New Roman"
    # The number and the place and date share the header's second row.
    number, date_line = (c.paragraphs[0] for c in document.tables[0].rows[1].cells)
    assert number.text == "Số:      /BB-CTĐ"
    assert date_line.runs[0].italic is True
    day = timezone.localtime(vote.closed_at).date()
    assert date_line.text == vn_date_line(world.authority.place_name, day)


def test_minutes_without_quorum_elect_nobody(world):
    vote, _units = _closed_nomination(
        world, [[world.unit_chair, world.unit_a]] * 5 + [None] * 3
    )
    text = docx_text(documents.vote_minutes_docx(vote))
    assert "Kết quả: không đạt." in text
    assert "kết quả bỏ phiếu không có giá trị; không đơn vị nào được suy tôn." in text
    assert "Không được suy tôn" in text
    assert "Đơn vị được suy tôn:" not in text


def test_minutes_say_which_units_tie_and_how_many_seats_remain(world):
    units = _eight(world)
    vote = services.nomination_open(
        term=world.term,
        actor=world.users["admin"],
        candidates=[world.unit_chair, world.unit_a, world.unit_deputy],
        seats=2,
    )
    for unit in units[:3]:
        cast(vote, unit, leading=[world.unit_chair, world.unit_a])
    for unit in units[3:6]:
        cast(vote, unit, leading=[world.unit_chair, world.unit_deputy])
    for unit in units[6:]:
        cast(vote, unit, leading=[world.unit_a, world.unit_deputy])
    services.vote_close(vote=vote, actor=world.users["admin"])
    text = docx_text(documents.vote_minutes_docx(vote))
    assert "Các đơn vị Huyện A, Huyện Phó bằng số phiếu nhau ở vị trí cuối cùng" in text
    assert "còn 1 vị trí chưa xác định" in text
    assert "Bằng phiếu" in text


def test_minutes_of_a_chair_election_name_the_chair_and_deputy(world):
    make_elected(world)
    vote = services.chair_election_open(term=world.term, actor=world.users["admin"])
    for unit in (world.unit_a, world.unit_chair, world.unit_deputy):
        cast(vote, unit, chair=[world.unit_deputy], deputy=[world.unit_a])
    services.vote_close(vote=vote, actor=world.users["admin"])
    text = docx_text(documents.vote_minutes_docx(vote))
    assert "Kiểm phiếu bầu Cụm trưởng, Cụm phó năm 2025" in text
    assert "Cụm trưởng năm 2025: Huyện Phó." in text
    assert "Cụm phó năm 2025: Huyện A." in text


def test_minutes_of_an_open_vote_are_refused(world):
    voting_term(world)
    vote = services.nomination_open(term=world.term, actor=world.users["admin"])
    with pytest.raises(DomainError):
        documents.vote_minutes_docx(vote)


def test_minutes_download_for_members_with_a_filename(world, login):
    vote, _units = _closed_nomination(world, [[world.unit_chair]] * 8)
    response = login(world.users["officer"]).get(
        reverse("vote_minutes", args=[vote.pk])
    )
    assert response.status_code == 200
    assert response["Content-Type"] == DOCX_CONTENT_TYPE
    assert f"bien-ban-kiem-phieu-2024-{vote.pk}.docx" in response["Content-Disposition"]
    assert "BIÊN BẢN" in docx_text(response.content)


def test_minutes_download_query_count_is_stable(world, login):
    vote, _units = _closed_nomination(world, [[world.unit_chair]] * 8)
    assert_queries_stable(
        login(world.users["staff"]),
        reverse("vote_minutes", args=[vote.pk]),
        _grow_members(world, vote),
    )


# Year-end summary ---------------------------------------------------------------


def test_summary_of_a_term_without_data_says_what_is_missing(world):
    text = docx_text(documents.term_summary_docx(world.term))
    for expected in (
        MOTTO,
        "BÁO CÁO",
        "Tổng kết phong trào thi đua năm 2024",
        "Số:      /BC-CTĐ",
        "Cụm A gồm 3 đơn vị thành viên: Huyện A, Huyện Chủ trì, Huyện Phó.",
        "Năm 2024, Huyện Chủ trì làm Cụm trưởng, Huyện Phó làm Cụm phó.",
        "Giao ước năm không có chỉ tiêu tổng hợp toàn Cụm.",
        "Các đơn vị chưa báo cáo số liệu khen thưởng.",
        "Kết quả xếp hạng chưa được công bố.",
        "Cụm chưa tổ chức bỏ phiếu bình xét, suy tôn.",
        "Cụm chưa có tờ trình đề nghị khen thưởng.",
        "Cụm trưởng năm 2025 chưa được xác định.",
        "TM. CỤM THI ĐUA",
        "CỤM TRƯỞNG",
    ):
        assert expected in text, expected


def test_summary_reports_the_ranking_the_vote_and_the_handover(world):
    both = [world.unit_chair, world.unit_a]
    _closed_nomination(world, [both] * 8)
    next_term = TermFactory(cluster=world.cluster, year=2025)
    next_term.memberships.create(unit=world.unit_deputy, role="chair")
    Term.objects.filter(pk=world.term.pk).update(state=TermState.DECIDED)
    Handover.objects.create(
        from_term=world.term,
        to_term=next_term,
        from_unit=world.unit_chair,
        to_unit=world.unit_deputy,
        date=datetime.date(2025, 1, 18),
        place="Huyện Chủ trì",
        occasion="Hội nghị tổng kết",
    )
    text = docx_text(documents.term_summary_docx(world.term))
    assert f"{world.authority.place_name}, ngày 18 tháng 01 năm 2025" in text
    assert "1 đơn vị xếp loại xuất sắc, 7 đơn vị xếp loại tốt" in text
    assert "Đơn vị xếp thứ nhất: Huyện Chủ trì." in text
    assert (
        "8/8 đơn vị tham gia; các đơn vị được suy tôn: Huyện A (8/8 phiếu, "
        "100%), Huyện Chủ trì (8/8 phiếu, 100%)." in text
    )
    assert (
        "Ngày 18/01/2025 tại Huyện Chủ trì (Hội nghị tổng kết), Huyện Chủ trì đã "
        "bàn giao Cụm trưởng năm 2025 cho Huyện Phó." in text
    )
    assert "Năm 2025: Huyện Phó làm Cụm trưởng." in text


def test_summary_download_query_count_is_stable(world, login):
    _closed_nomination(world, [[world.unit_chair]] * 8)
    assert_queries_stable(
        login(world.users["chair_officer"]),
        reverse("term_summary_docx", args=[world.term.pk]),
        _grow_members(world),
    )
