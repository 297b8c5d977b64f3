"""The words officials use, and newcomer polish: a block's pages
and documents call its officers “trưởng khối / phó trưởng khối”, the
nomination vote speaks of “suy tôn”, campaign, proposal and ranking pages use
the administrative terms, developer notes stay with admins, download names
are plain ASCII read as the title reads, and ``load_demo`` tells a newcomer
what it is doing and who chairs which year."""

import io
import re
from html import unescape

import docx
import polib
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from awards.models import Proposal, Vote, VoteKind
from campaigns import documents as campaign_documents
from campaigns.models import Campaign
from clusters import wording
from clusters.models import Cluster, ClusterKind, MemberRole, Membership, Term, User
from core.filenames import download_filename, slug
from demo.management.commands import load_demo
from tests.clusters.factories import ClusterFactory, MembershipFactory, TermFactory

CLUSTER_WORDS = re.compile(r"cụm trưởng|cụm phó|phó cụm", re.IGNORECASE)


def _text(response):
    assert response.status_code == 200, response.status_code
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def _docx_text(data):
    document = docx.Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return " ".join(parts)


def _block():
    return Cluster.objects.get(kind=ClusterKind.BLOCK)


def _cluster():
    return Cluster.objects.get(kind=ClusterKind.CLUSTER)


def _chair_login(term):
    chair = Membership.objects.get(term=term, role=MemberRole.CHAIR)
    return User.objects.filter(unit=chair.unit).order_by("username").first()


# --- a block's officers are trưởng khối / phó trưởng khối ---------------------


def test_titles_follow_the_kind_of_the_cluster(db):
    block = ClusterFactory(kind=ClusterKind.BLOCK)
    cluster = ClusterFactory(kind=ClusterKind.CLUSTER)
    assert str(wording.chair_title(block)) == "trưởng khối"
    assert str(wording.deputy_title(block)) == "phó trưởng khối"
    assert str(wording.chair_title(cluster)) == "cụm trưởng"
    assert str(wording.deputy_title(TermFactory(cluster=cluster))) == "cụm phó"
    assert str(wording.role_title(MemberRole.MEMBER, block)) == "thành viên"
    assert wording.document_title(MemberRole.CHAIR, block, upper=True) == (
        "TRƯỞNG KHỐI"
    )
    assert wording.document_title(MemberRole.DEPUTY, cluster) == "Cụm phó"


def _block_pages():
    """The pages of the demo block: (admin's, its 2024 head's officer's)."""
    block = _block()
    terms = list(Term.objects.filter(cluster=block).order_by("year"))
    shared = [reverse("home"), reverse("cluster_detail", args=[block.pk])]
    for term in terms:
        shared += [
            reverse("term_detail", args=[term.pk]),
            reverse("term_ranking", args=[term.pk]),
            reverse("report_list", args=[term.pk]),
        ]
    admin = [
        *shared,
        reverse("rotation_settings", args=[block.pk]),
        reverse("rotation_preview", args=[block.pk]),
        reverse("term_create", args=[block.pk]),
        reverse("term_rollover", args=[terms[-1].pk]),
        *(reverse("term_edit", args=[term.pk]) for term in terms),
        *(reverse("term_handover", args=[term.pk]) for term in terms),
    ]
    return terms, admin, shared


def test_a_blocks_pages_never_say_cum_truong(demo_db, db, client):
    terms, admin_pages, head_pages = _block_pages()
    seen = {}
    for user, pages in (
        (User.objects.get(username="admin"), admin_pages),
        (_chair_login(terms[-1]), head_pages),
    ):
        client.force_login(user)
        for url in pages:
            found = CLUSTER_WORDS.findall(_text(client.get(url, follow=True)))
            if found:
                seen[(user.username, url)] = found
    assert seen == {}


def test_a_blocks_term_page_names_its_head_and_deputy(demo_db, db, client):
    term = Term.objects.filter(cluster=_block()).latest("year")
    client.force_login(_chair_login(term))
    text = _text(client.get(reverse("term_detail", args=[term.pk])))
    assert f"Trưởng khối {term.chair.name}" in text
    assert f"Phó trưởng khối {term.deputy.name}" in text
    assert "Đơn vị của bạn là trưởng khối năm nay" in text


def test_a_clusters_term_page_keeps_cum_truong(demo_db, db, client):
    term = Term.objects.filter(cluster=_cluster()).latest("year")
    client.force_login(User.objects.get(username="admin"))
    text = _text(client.get(reverse("term_detail", args=[term.pk])))
    assert f"Cụm trưởng {term.chair.name}" in text
    assert "Rút " in text
    assert " khỏi cụm" in text


def test_a_blocks_year_end_report_never_says_cum_truong(demo_db, db, client):
    term = Term.objects.filter(cluster=_block()).order_by("year").first()
    client.force_login(User.objects.get(username="admin"))
    response = client.get(reverse("term_summary_docx", args=[term.pk]))
    assert response.status_code == 200
    text = _docx_text(response.content)
    assert CLUSTER_WORDS.findall(text) == []
    assert "TM. KHỐI THI ĐUA" in text


def test_nomination_minutes_say_suy_ton_and_an_election_says_trung_cu(
    demo_db, db, client
):
    client.force_login(User.objects.get(username="admin"))
    words = {}
    for kind in (VoteKind.NOMINATION, VoteKind.CHAIR_ELECTION):
        vote = Vote.objects.filter(kind=kind, closed_at__isnull=False).first()
        if vote is None:
            continue
        response = client.get(reverse("vote_minutes", args=[vote.pk]))
        assert response.status_code == 200
        words[kind] = _docx_text(response.content)
    nomination = words[VoteKind.NOMINATION]
    assert "suy tôn" in nomination.lower()
    assert "trúng" not in nomination.lower()
    if VoteKind.CHAIR_ELECTION in words:
        assert "trúng cử" in words[VoteKind.CHAIR_ELECTION].lower()


def test_block_translations_never_say_cum_truong():
    catalogue = polib.pofile(settings.BASE_DIR / "locale/vi/LC_MESSAGES/django.po")
    wrong = [
        entry.msgid
        for entry in catalogue
        if entry.msgctxt == "block" and CLUSTER_WORDS.search(entry.msgstr)
    ]
    assert wrong == []


# --- the nomination vote, campaigns, proposals, ranking ----------------------


def test_the_nomination_vote_page_speaks_of_suy_ton(demo_db, db, client):
    vote = Vote.objects.filter(kind=VoteKind.NOMINATION).first()
    client.force_login(User.objects.get(username="admin"))
    text = _text(client.get(reverse("vote_detail", args=[vote.pk])))
    assert "Tỷ lệ phiếu tối thiểu để được suy tôn" in text
    assert "Đơn vị được giới thiệu" in text
    assert "Được suy tôn" in text
    assert "trúng cử" not in text.lower()


def test_campaign_pages_show_the_report_status_not_a_vote(demo_db, db, client):
    campaign = Campaign.objects.order_by("pk").first()
    client.force_login(User.objects.get(username="noivu"))
    for url in (
        reverse("campaign_detail", args=[campaign.pk]),
        reverse("campaign_review", args=[campaign.pk, "final"]),
    ):
        text = _text(client.get(url))
        assert "Tình hình gửi báo cáo" in text
        assert "Tham gia bỏ phiếu" not in text


def test_the_proposal_page_uses_the_words_of_a_to_trinh(demo_db, db, client):
    proposal = Proposal.objects.order_by("pk").first()
    client.force_login(User.objects.get(username="noivu"))
    text = _text(client.get(reverse("proposal_detail", args=[proposal.pk])))
    assert "Kính gửi" in text
    assert "Đơn vị trình" in text
    assert "Đối tượng đề nghị khen thưởng" in text
    assert "Nơi nhận" not in text


def test_the_ranking_names_the_tie_break(demo_db, db, client):
    term = Term.objects.filter(cluster=_cluster()).order_by("year").first()
    client.force_login(User.objects.get(username="noivu"))
    text = _text(client.get(reverse("term_ranking", args=[term.pk])))
    assert "Tiêu chí phụ khi bằng điểm" in text
    assert "Phân định khi bằng điểm" not in text


def test_a_report_being_written_reads_dang_soan_not_du_thao(demo_db, db, client):
    term = Term.objects.filter(cluster=_cluster()).latest("year")
    client.force_login(User.objects.get(username="noivu"))
    text = _text(client.get(reverse("report_list", args=[term.pk])))
    assert "dự thảo" not in text.lower()


def test_date_fields_show_the_way_to_type_a_date(demo_db, db, client):
    term = Term.objects.filter(cluster=_cluster()).latest("year")
    client.force_login(User.objects.get(username="admin"))
    html = client.get(reverse("term_edit", args=[term.pk])).content.decode()
    assert 'placeholder="ngày/tháng/năm, ví dụ 15/12/2025"' in html


def test_unconfirmed_catalogue_notes_are_for_admins_only(demo_db, db, client):
    client.force_login(User.objects.get(username="chauthanh"))
    officer_text = _text(client.get(reverse("award_form_list"))).lower()
    client.force_login(User.objects.get(username="admin"))
    admin_text = _text(client.get(reverse("award_form_list"))).lower()
    assert "chưa xác nhận" in admin_text
    assert "chưa xác nhận" not in officer_text


# --- download names ----------------------------------------------------------


def test_slug_spells_d_for_the_vietnamese_d():
    assert slug("Tổng kết đợt thi đua Đồng Khởi") == "tong-ket-dot-thi-dua-dong-khoi"
    assert slug("“Quý I/2025” — 100%!") == "quy-i2025-100"
    assert slug("thi đua " * 20, max_length=20) == "thi-dua-thi-dua-thi"
    assert download_filename("Sơ kết", "Đợt 1", 2025, extension="docx") == (
        "so-ket-dot-1-2025.docx"
    )


def test_campaign_review_downloads_keep_the_d(demo_db, db, client):
    campaign = Campaign.objects.filter(title__contains="đ").order_by("pk").first()
    client.force_login(User.objects.get(username="noivu"))
    response = client.get(reverse("campaign_review_docx", args=[campaign.pk, "final"]))
    disposition = response.headers["Content-Disposition"]
    name = campaign_documents.filename(campaign, "final")
    assert name.startswith("tong-ket-")
    assert name.isascii()
    assert slug(campaign.title) in name
    assert name in disposition


# --- load_demo tells a newcomer what is going on -----------------------------


def test_load_demo_ends_with_the_chairs_of_every_year_and_the_address(demo_db, db):
    lines = load_demo.summary_lines(url="http://127.0.0.1:8080/")
    assert lines[-1] == "Open http://127.0.0.1:8080/ and log in."
    assert "    2024: chauthanh (Huyện Châu Thành) chairs" in lines
    block_2024 = Term.objects.get(cluster=_block(), year=2024)
    head = _chair_login(block_2024)
    assert any(
        line.startswith(f"    2024: {head.username} ({head.unit.name}) chairs")
        for line in lines
    )


def test_load_demo_reads_the_chairs_from_the_data(demo_db, db):
    term = Term.objects.get(cluster=_cluster(), year=2024)
    Membership.objects.filter(term=term, role=MemberRole.CHAIR).update(
        role=MemberRole.MEMBER
    )
    new_chair = Membership.objects.filter(term=term, unit__name="Huyện Long Mỹ")
    new_chair.update(role=MemberRole.CHAIR)
    lines = load_demo.summary_lines(url="http://x/")
    assert "    2024: longmy (Huyện Long Mỹ) chairs" in lines


def test_load_demo_prints_each_step_then_the_logins(demo_db, db):
    out = io.StringIO()
    call_command("load_demo", stdout=out, url="http://127.0.0.1:8000/")
    lines = out.getvalue().splitlines()
    steps = [line for line in lines if re.match(r"  \[\d+/\d+\] ", line)]
    assert len(steps) == len(load_demo.STEPS)
    assert lines.index(steps[-1]) < lines.index("Logins (password 'demo' for all):")
    assert lines[-1] == "Open http://127.0.0.1:8000/ and log in."


def test_a_new_member_in_another_cluster_does_not_change_the_demo_summary(demo_db, db):
    before = load_demo.summary_lines(url="http://x/")
    MembershipFactory(term=TermFactory(cluster=ClusterFactory()), role="chair")
    assert load_demo.summary_lines(url="http://x/") == before
