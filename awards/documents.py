"""Official documents of the awards app in the layout of Decree 30/2020/NĐ-CP,
laid out by `core.documents` (national motto header, number and italic place
and date line, signature blocks kept with the last paragraph, page numbers):

- `vote_minutes_docx(vote)`: the minutes (biên bản) of a closed secret ballot;
- `term_summary_docx(term)`: the year-end summary report (báo cáo tổng kết) of a
  term, generated from its data.

The content is shaped first (`vote_minutes_document`, `term_summary_document`) and
then written. Document bodies are Vietnamese whatever the UI language."""

import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch, Sum
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from campaigns import scope as campaign_scope
from campaigns.selectors import year_statistics
from clusters import wording
from clusters.models import (
    Handover,
    MemberRole,
    Membership,
    Term,
    lower_first,
    next_period_label,
)
from core.documents import (
    DOCX_CONTENT_TYPE,
    MOTTO,
    SUB_MOTTO,
    TO_BE_FILLED,
    Layout,
    Signer,
    vn_date_line,
    vn_number,
)
from core.errors import DomainError
from pledges.documents import SignatureBlock, signer_lines
from pledges.models import CommendationFigure
from pledges.selectors import cluster_totals, published_ranking

from .models import Nominee, Proposal, Vote, VoteKind
from .selectors import votes as vote_selectors
from .selectors.proposals import proposal_base_salary
from .services import CHAIR, DEPUTY, LEADING
from .services.catalogue import reward_amount

__all__ = [
    "DOCX_CONTENT_TYPE",
    "proposal_docx",
    "proposal_document",
    "term_summary_docx",
    "term_summary_document",
    "vote_minutes_docx",
    "vote_minutes_document",
]

BAND_WORDS = {
    "excellent": "Xuất sắc",
    "good": "Tốt",
    "complete": "Hoàn thành",
    "not_complete": "Không hoàn thành",
}
REPORT_STATES_COUNTED = ("submitted", "accepted")
# Numbers, percentages and growth ("1.234,5", "87,5%", "+12,09%") align right.
NUMERIC = re.compile(r"[+-]?[\d.,]+%?")


def percent(value, places=2):
    """12.0934 → "12,09%" (Vietnamese decimal comma)."""
    return f"{vn_number(value, places)}%"


def fraction_words(share):
    return f"{share.numerator}/{share.denominator}"


def local_day(moment):
    return timezone.localtime(moment).date()


def short_time(moment):
    moment = timezone.localtime(moment)
    return f"{moment.hour:02d} giờ {moment.minute:02d} phút ngày {moment:%d/%m/%Y}"


@dataclass(frozen=True)
class Section:
    """A heading, its paragraphs and an optional table (header, rows, widths in
    mm; the widest column takes what is left)."""

    heading: str
    paragraphs: tuple = ()
    table: tuple = ()
    header: tuple = ()
    widths: tuple = ()
    after: tuple = ()


@dataclass(frozen=True)
class OfficialDocument:
    """What `write_docx` lays out: header, title, sections, signatures."""

    motto = MOTTO
    sub_motto = SUB_MOTTO
    draft = False
    amendment = ""

    issuer: str
    cluster: str
    number: str
    place_date: str
    title: str
    subtitle: str
    opening: tuple
    sections: tuple
    signatures: tuple
    closing: tuple = field(default=())
    recipients: tuple | None = None  # "Nơi nhận"; None: signatures side by side
    addressee: str = ""  # "Kính gửi: …", centred under the title

    @property
    def signature_rows(self):
        blocks = self.signatures
        return tuple(blocks[i : i + 2] for i in range(0, len(blocks), 2))

    @property
    def text(self):
        """Every paragraph and cell as plain text (for tests and search)."""
        parts = [self.title, self.subtitle, *self.opening]
        for section in self.sections:
            parts += [section.heading, *section.paragraphs]
            parts += [" | ".join(row) for row in (section.header, *section.table)]
            parts += list(section.after)
        return "\n".join(part for part in [*parts, *self.closing] if part)


# Minutes of a vote ----------------------------------------------------------------


def _vote_subject(vote):
    period = vote.term.period_phrase
    if vote.kind == VoteKind.NOMINATION:
        return (
            f"Kiểm phiếu bình xét, suy tôn đơn vị dẫn đầu phong trào thi đua {period}"
        )
    if vote.kind == VoteKind.CHAIR_ELECTION:
        chair, deputy = _officer_titles(vote.term)
        return f"Kiểm phiếu bầu {chair}, {deputy} {_next_period(vote.term)}"
    return f"Kiểm phiếu: {vote.title}"


def _next_period(term):
    """The next term's label inside a sentence (“năm học 2025–2026”)."""
    return lower_first(next_period_label(term.period_label))


def _question_title(vote, question):
    period = vote.term.period_phrase
    form = question.award_form
    if vote.kind == VoteKind.NOMINATION and form is not None:
        if question.code == LEADING:
            return (
                f"Đơn vị dẫn đầu phong trào thi đua {period}, đề nghị tặng {form.name}"
            )
        return f"Đơn vị đề nghị tặng {form.name} {period}"
    chair, deputy = _officer_titles(vote.term)
    titles = {
        (VoteKind.NOMINATION, LEADING): f"Đơn vị dẫn đầu phong trào thi đua {period}",
        (VoteKind.CHAIR_ELECTION, CHAIR): f"{chair} {_next_period(vote.term)}",
        (VoteKind.CHAIR_ELECTION, DEPUTY): f"{deputy} {_next_period(vote.term)}",
    }
    return titles.get((vote.kind, question.code), question.title)


def _officer_titles(term):
    """The chair's and deputy's titles as the cluster's kind says them."""
    return (
        wording.document_title(MemberRole.CHAIR, term),
        wording.document_title(MemberRole.DEPUTY, term),
    )


def _chosen(vote):
    """The word for a unit the vote chose: an election is won ("trúng cử"), a
    nomination confers ("được suy tôn")."""
    return "trúng cử" if vote.kind == VoteKind.CHAIR_ELECTION else "được suy tôn"


def _outcome_word(vote, row, tied_ids):
    if row.elected:
        return _chosen(vote).capitalize()
    if row.won_higher:
        return "Được suy tôn ở hình thức cao hơn"
    if row.unit.pk in tied_ids:
        return "Bằng phiếu"
    return f"Không {_chosen(vote)}"


def _question_section(number, vote, qresult, result):
    question = qresult.question
    tied_ids = set()
    if qresult.tie:
        open_rows = [
            r
            for r in qresult.rows
            if r.over_threshold and not r.elected and not r.won_higher
        ]
        cut = max((r.votes for r in open_rows), default=None)
        tied_ids = {r.unit.pk for r in open_rows if r.votes == cut}
    table = tuple(
        (
            str(index),
            row.unit.name,
            str(row.votes),
            percent(vote_selectors.share_of_members(row.votes, result.eligible)),
            _outcome_word(vote, row, tied_ids),
        )
        for index, row in enumerate(qresult.rows, start=1)
    )
    title = _question_title(vote, question)
    paragraphs = [
        f"Số đơn vị được chọn tối đa trên mỗi phiếu: {question.max_choices}.",
    ]
    if question.own_threshold is not None:
        paragraphs.append(
            f"Tỷ lệ phiếu tối thiểu để {_chosen(vote)} ở hình thức này: trên "
            f"{fraction_words(question.own_threshold)} tổng số thành viên đồng "
            f"ý, tức ít nhất {qresult.votes_to_win} phiếu."
        )
    after = [f"Số phiếu không chọn đơn vị nào: {qresult.abstentions}."]
    higher = [r.unit.name for r in qresult.rows if r.won_higher]
    if higher:
        after.append(
            f"Đơn vị đã {_chosen(vote)} ở hình thức cao hơn nên không xét ở hình "
            f"thức này: {', '.join(higher)}."
        )
    winners = [unit.name for unit in qresult.winners]
    if not result.quorum_met:
        after.append(
            "Số đơn vị tham gia bỏ phiếu không đạt tỷ lệ tối thiểu: không đơn vị "
            f"nào {_chosen(vote)}."
        )
    elif winners:
        after.append(f"Đơn vị {_chosen(vote)}: {', '.join(winners)}.")
    if qresult.tie:
        tied = [r.unit.name for r in qresult.rows if r.unit.pk in tied_ids]
        undecided = question.max_choices - len(winners)
        after.append(
            f"Các đơn vị {', '.join(tied)} bằng số phiếu nhau ở vị trí cuối cùng "
            f"cần chọn nên không đơn vị nào trong số này {_chosen(vote)}; còn "
            f"{undecided} "
            "vị trí chưa xác định, cần tổ chức bỏ phiếu lại giữa các đơn vị bằng "
            "phiếu."
        )
    elif result.quorum_met and len(winners) < question.max_choices:
        empty = question.max_choices - len(winners)
        after.append(
            f"Còn {empty} vị trí không có đơn vị {_chosen(vote)} do không đủ số "
            "phiếu theo "
            "quy định."
        )
    return Section(
        heading=f"{number}. {title}",
        paragraphs=tuple(paragraphs),
        header=(
            "STT",
            "Đơn vị",
            "Số phiếu đồng ý",
            "Tỷ lệ so với tổng số thành viên",
            "Kết quả",
        ),
        table=table,
        widths=(12, None, 25, 35, 25),
        after=tuple(after),
    )


def _conclusion(vote, result):
    if not result.quorum_met:
        return (
            "Số đơn vị tham gia bỏ phiếu không đạt tỷ lệ tối thiểu theo quy định nên "
            f"kết quả bỏ phiếu không có giá trị; không đơn vị nào {_chosen(vote)}.",
        )
    if vote.kind == VoteKind.CHAIR_ELECTION:
        chair, deputy = vote_selectors.elected_officers(result)
        chair_title, deputy_title = _officer_titles(vote.term)
        period = _next_period(vote.term)
        return (
            f"{chair_title} {period}: {chair.name if chair else 'chưa xác định'}.",
            f"{deputy_title} {period}: {deputy.name if deputy else 'chưa xác định'}.",
        )
    lines = []
    for qresult in result.questions:
        title = _question_title(vote, qresult.question)
        names = ", ".join(unit.name for unit in qresult.winners)
        lines.append(f"{title}: {names or f'không có đơn vị {_chosen(vote)}'}.")
        if qresult.tie:
            lines.append(
                "Có đơn vị bằng phiếu ở vị trí cuối cùng: vị trí còn lại chưa được "
                "xác định."
            )
    return tuple(lines)


def vote_minutes_document(vote):
    """The content of the minutes of closed `vote`: term, cluster, date, eligible
    voters, how many took part (never who voted what), quorum, every candidate's
    votes and share of all members, the winners and any tie. Raises DomainError
    while the vote is open. Constant queries whatever the number of voters."""
    vote = (
        Vote.objects.select_related("term__cluster__authority")
        .prefetch_related(
            Prefetch(
                "term__memberships",
                queryset=Membership.objects.select_related("unit"),
            )
        )
        .get(pk=vote.pk)
    )
    if vote.is_open:
        raise DomainError(_("The minutes are drawn up once the vote is closed."))
    term = vote.term
    cluster, authority = term.cluster, term.cluster.authority
    result = vote_selectors.vote_result(vote)
    voters = list(vote.voters.order_by("name"))
    voted = set(vote.participations.values_list("unit_id", flat=True))
    absent = [unit.name for unit in voters if unit.pk not in voted]
    chair = term.chair
    opening = (
        f"Thời gian bỏ phiếu: từ {short_time(vote.opened_at)} "
        f"đến {short_time(vote.closed_at)}.",
        f"Đơn vị chủ trì: {chair.name if chair else TO_BE_FILLED} "
        f"({_officer_titles(term)[0]} {term.period_phrase}).",
        "Hình thức: bỏ phiếu kín; mỗi đơn vị thành viên bỏ một phiếu.",
    )
    turnout = vote_selectors.share_of_members(result.participation, result.eligible)
    participation = (
        f"Số đơn vị thành viên có quyền bỏ phiếu: {result.eligible} "
        f"({', '.join(unit.name for unit in voters)}).",
        f"Số đơn vị tham gia bỏ phiếu: {result.participation}/{result.eligible} "
        f"({percent(turnout)}).",
        f"Số phiếu phát ra: {result.participation}; số phiếu thu vào: "
        f"{result.ballots}; số phiếu hợp lệ: {result.ballots}.",
    )
    if absent:
        participation += (f"Đơn vị không tham gia bỏ phiếu: {', '.join(absent)}.",)
    rules = (
        f"Số đơn vị tham gia tối thiểu ({fraction_words(vote.quorum)} tổng số "
        f"thành viên): {result.quorum_required}. Kết quả: "
        + ("đạt." if result.quorum_met else "không đạt."),
        f"Tỷ lệ phiếu tối thiểu để {_chosen(vote)}: trên "
        f"{fraction_words(vote.threshold)} tổng số "
        f"thành viên đồng ý, tức ít nhất {result.votes_to_win} phiếu.",
    )
    if vote.kind == VoteKind.NOMINATION and len(result.questions) > 1:
        # One unit, one tier: `awards.selectors.votes.vote_result`.
        rules += (
            "Mỗi đơn vị chỉ được suy tôn ở một hình thức khen thưởng; các hình "
            "thức được kiểm phiếu theo thứ tự từ cao xuống thấp, đơn vị đã được "
            "suy tôn ở hình thức cao hơn không được xét ở hình thức thấp hơn.",
        )
    sections = [
        Section("I. THÀNH PHẦN THAM GIA", paragraphs=participation),
        Section("II. QUY ĐỊNH VỀ TỶ LỆ", paragraphs=rules),
    ]
    sections.append(Section("III. KẾT QUẢ KIỂM PHIẾU"))
    sections += [
        _question_section(index, vote, qresult, result)
        for index, qresult in enumerate(result.questions, start=1)
    ]
    sections.append(Section("IV. KẾT LUẬN", paragraphs=_conclusion(vote, result)))
    return OfficialDocument(
        issuer=authority.name.upper(),
        cluster=cluster.name.upper(),
        number="Số:      /BB-CTĐ",
        place_date=vn_date_line(authority.place_name, local_day(vote.closed_at)),
        title="BIÊN BẢN",
        subtitle=_vote_subject(vote),
        opening=opening,
        sections=tuple(sections),
        signatures=(
            SignatureBlock("", "THƯ KÝ", "", TO_BE_FILLED, False),
            SignatureBlock(
                "CHỦ TRÌ",
                _officer_titles(term)[0].upper(),
                chair.name.upper() if chair else "",
                TO_BE_FILLED,
                False,
            ),
        ),
        closing=(
            f"Biên bản kết thúc lúc {short_time(vote.closed_at)}, được thông qua "
            "trước các đơn vị thành viên.",
        ),
    )


def vote_minutes_docx(vote):
    """The minutes of closed `vote` as a .docx file (bytes), Decree 30/2020/NĐ-CP
    layout. Raises DomainError while the vote is open."""
    return write_docx(vote_minutes_document(vote))


# Year-end summary report ------------------------------------------------------------


CAMPAIGN_KIND_WORDS = {
    "regular": "thường xuyên",
    "themed": "theo chuyên đề",
    "ad_hoc": "đột xuất",
}


def _campaign_section(term, members):
    """Campaigns of the year that reached the cluster's members, by kind, with
    the final reports accepted against those expected (campaigns app)."""
    heading = "1. Tổ chức các phong trào thi đua"
    authority_id = term.cluster.authority_id
    statistics = year_statistics(authority_id, term.year)
    rows = campaign_scope.memberships(authority_id, term.year, term.year)
    member_ids = {unit.pk for unit in members}
    campaigns = [
        campaign
        for campaign in statistics["campaigns"]
        if campaign_scope.reached(campaign, rows, years=[term.year]) & member_ids
    ]
    if not campaigns:
        return Section(
            heading,
            paragraphs=(
                f"Trong {term.period_phrase}, chưa có phong trào thi đua nào được ghi "
                "nhận cho các đơn vị của Cụm.",
            ),
        )
    counts = dict.fromkeys(CAMPAIGN_KIND_WORDS, 0)
    for campaign in campaigns:
        counts[campaign.kind] = counts.get(campaign.kind, 0) + 1
    kinds = ", ".join(
        f"{count} phong trào thi đua {CAMPAIGN_KIND_WORDS.get(kind, kind)}"
        for kind, count in counts.items()
        if count
    )
    launchers = sorted({c.launched_by for c in campaigns if c.launched_by})
    by = f" do {', '.join(launchers)} phát động" if launchers else ""
    # The regular emulation runs every year, launched or not as a campaign.
    regular = (
        "" if counts.get("regular") else ", cùng với phong trào thi đua thường xuyên"
    )
    paragraphs = [
        f"Trong {term.period_phrase}, các đơn vị trong Cụm đã triển khai thực hiện "
        f"{len(campaigns)} phong trào thi đua{by}, gồm {kinds}{regular}."
    ]
    row = next(
        (r for r in statistics["clusters"] if r.subject.pk == term.cluster_id), None
    )
    if row is not None and row.expected:
        paragraphs.append(
            "Báo cáo tổng kết phong trào của các đơn vị được chấp nhận: "
            f"{row.accepted}/{row.expected}."
        )
    return Section(
        heading,
        paragraphs=tuple(paragraphs),
        header=("STT", "Phong trào thi đua", "Loại", "Quyết định phát động"),
        table=tuple(
            (
                str(index),
                campaign.title,
                CAMPAIGN_KIND_WORDS.get(campaign.kind, campaign.kind).capitalize(),
                _decision_words(campaign),
            )
            for index, campaign in enumerate(campaigns, start=1)
        ),
        widths=(12, None, 30, 45),
    )


def _decision_words(campaign):
    """ "1234/QĐ-UBND ngày 05/03/2023" (either part may be missing)."""
    day = campaign.decision_date
    parts = [campaign.decision_number, day.strftime("%d/%m/%Y") if day else ""]
    return " ngày ".join(part for part in parts if part)


def _members_paragraphs(term, members):
    names = ", ".join(unit.name for unit in members)
    lines = [f"{term.cluster.name} gồm {len(members)} đơn vị thành viên: {names}."]
    chair, deputy = term.chair, term.deputy
    if chair:
        chair_title, deputy_title = _officer_titles(term)
        officers = f"{term.period_label}, {chair.name} làm {chair_title}"
        officers += f", {deputy.name} làm {deputy_title}." if deputy else "."
        lines.append(officers)
    return tuple(lines)


def _indicator_section(term):
    rows = [row for row in cluster_totals(term).rows if row["show_total"]]
    if not rows:
        return Section(
            "2. Kết quả thực hiện các chỉ tiêu chủ yếu",
            paragraphs=("Giao ước năm không có chỉ tiêu tổng hợp toàn Cụm.",),
        )
    paragraphs = []
    table = []
    for index, row in enumerate(rows, start=1):
        indicator = row["indicator"]
        uom = indicator.unit_of_measure
        words = f"{indicator.title}: thực hiện {vn_number(row['actual'], 3)} {uom}"
        if row["percent_of_plan"] is not None:
            words += f", đạt {percent(row['percent_of_plan'])} kế hoạch"
            if row["lower_is_better"]:
                words += " (chỉ tiêu càng thấp càng tốt)"
        if row["growth"] is not None:
            change = "tăng" if row["growth"] >= 0 else "giảm"
            words += (
                f", {change} {percent(abs(row['growth']))} so với năm {term.year - 1}"
            )
        paragraphs.append(words + ".")
        growth = row["growth"]
        table.append(
            (
                str(index),
                indicator.title,
                uom,
                vn_number(row["plan"], 3),
                vn_number(row["actual"], 3),
                percent(row["percent_of_plan"])
                if row["percent_of_plan"] is not None
                else "",
                (("+" if growth >= 0 else "") + percent(growth))
                if growth is not None
                else "",
            )
        )
    return Section(
        "2. Kết quả thực hiện các chỉ tiêu chủ yếu",
        paragraphs=tuple(paragraphs),
        header=(
            "STT",
            "Chỉ tiêu",
            "Đơn vị tính",
            "Kế hoạch",
            "Thực hiện",
            "% kế hoạch",
            "Tăng trưởng",
        ),
        table=tuple(table),
        widths=(12, None, 18, 24, 24, 20, 20),
    )


def _commendation_section(term):
    figures = list(
        CommendationFigure.objects.filter(
            report__term=term, report__state__in=REPORT_STATES_COUNTED
        )
        .values("form")
        .annotate(collectives=Sum("collectives"), individuals=Sum("individuals"))
        .order_by("form")
    )
    collectives = sum(f["collectives"] or 0 for f in figures)
    individuals = sum(f["individuals"] or 0 for f in figures)
    heading = "3. Công tác khen thưởng"
    if not figures:
        return Section(
            heading, paragraphs=("Các đơn vị chưa báo cáo số liệu khen thưởng.",)
        )
    return Section(
        heading,
        paragraphs=(
            f"Trong {term.period_phrase}, Ủy ban nhân dân các đơn vị thành viên đã "
            f"khen thưởng {vn_number(collectives)} tập thể và {vn_number(individuals)} "
            "cá nhân có thành tích trong phong trào thi đua, cụ thể:",
        ),
        header=("STT", "Hình thức khen thưởng", "Tập thể", "Cá nhân"),
        table=(
            *(
                (
                    str(index),
                    f["form"],
                    vn_number(f["collectives"]),
                    vn_number(f["individuals"]),
                )
                for index, f in enumerate(figures, start=1)
            ),
            ("", "Tổng cộng", vn_number(collectives), vn_number(individuals)),
        ),
        widths=(12, None, 30, 30),
    )


def _ranking_section(term):
    heading = "III. KẾT QUẢ CHẤM ĐIỂM, XẾP HẠNG"
    snapshot = published_ranking(term)
    if snapshot is None:
        return Section(heading, paragraphs=("Kết quả xếp hạng chưa được công bố.",))
    counts = {}
    for row in snapshot.rows:
        counts[row["band"]] = counts.get(row["band"], 0) + 1
    bands = ", ".join(
        f"{counts[band]} đơn vị xếp loại {words.lower()}"
        for band, words in BAND_WORDS.items()
        if counts.get(band)
    )
    published = local_day(snapshot.published_at).strftime("%d/%m/%Y")
    paragraphs = [
        f"Kết quả chấm điểm, xếp hạng được công bố ngày {published} "
        f"(lần {snapshot.number}): {bands}.",
    ]
    leaders = [row["unit"] for row in snapshot.rows if row["rank"] == 1]
    if leaders:
        paragraphs.append(f"Đơn vị xếp thứ nhất: {', '.join(leaders)}.")
    return Section(
        heading,
        paragraphs=tuple(paragraphs),
        header=("Hạng", "Đơn vị", "Tổng điểm", "Xếp loại"),
        table=tuple(
            (
                str(row["rank"]) + (" (đồng hạng)" if row.get("shared") else ""),
                row["unit"],
                vn_number(Decimal(row["total"]), 2),
                BAND_WORDS.get(row["band"], row["band"]),
            )
            for row in snapshot.rows
        ),
        widths=(22, None, 28, 35),
    )


def _vote_section(term):
    heading = "IV. KẾT QUẢ BÌNH XÉT, SUY TÔN"
    votes = list(vote_selectors.closed_nominations(term))
    if not votes:
        return Section(
            heading,
            paragraphs=(
                f"{wording.for_kind(term, 'Cụm', 'Khối')} chưa tổ chức bỏ phiếu "
                "bình xét, suy tôn.",
            ),
        )
    ranks = vote_selectors.published_ranks(term)
    paragraphs = []
    for vote in votes:
        tiers = vote_selectors.nomination_results(vote, ranks=ranks)
        result = tiers[0].result if tiers else vote_selectors.vote_result(vote)
        words = (
            f"Ngày {local_day(vote.closed_at):%d/%m/%Y}, "
            f"{wording.for_kind(vote.term, 'Cụm', 'Khối')} tổ chức bỏ phiếu kín "
            f"bình xét, suy tôn đơn vị dẫn đầu: {result.participation}/"
            f"{result.eligible} đơn vị tham gia"
        )
        if not result.quorum_met:
            paragraphs.append(
                words + ", không đạt tỷ lệ tối thiểu nên không đơn vị nào được suy tôn."
            )
            continue
        lines = []
        for nomination in tiers:
            elected = [
                f"{row.unit.name} ({row.votes}/{result.eligible} phiếu, "
                f"{percent(row.percent)})"
                for row in nomination.rows
                if row.elected
            ]
            if elected:
                line = "các đơn vị được suy tôn: " + ", ".join(elected)
            else:
                line = "không đơn vị nào đạt số phiếu theo quy định"
            tie = ""
            if nomination.tie:
                tied = ", ".join(unit.name for unit in nomination.tied)
                tie = (
                    f"Các đơn vị {tied} bằng phiếu nhau; còn "
                    f"{nomination.undecided} vị trí chưa xác định."
                )
            lines.append((nomination, line, tie))
        if len(lines) == 1:
            _nomination, line, tie = lines[0]
            paragraphs.append(f"{words}; {line}.")
            if tie:
                paragraphs.append(tie)
            continue
        paragraphs.append(words + ".")
        for nomination, line, tie in lines:
            title = _question_title(vote, nomination.question)
            paragraphs.append(f"– {title}: {line}." + (f" {tie}" if tie else ""))
    return Section(heading, paragraphs=tuple(paragraphs))


def _proposal_section(term):
    """Proposals sent from the term and the decisions answering them."""
    heading = "V. ĐỀ NGHỊ KHEN THƯỞNG VÀ QUYẾT ĐỊNH KHEN THƯỞNG"
    proposals = list(
        Proposal.objects.filter(term=term)
        .select_related("decision")
        .prefetch_related(
            Prefetch(
                "nominees",
                queryset=Nominee.objects.select_related("award_form", "unit"),
            )
        )
        .order_by("created_at", "pk")
    )
    if not proposals:
        return Section(
            heading, paragraphs=("Cụm chưa có tờ trình đề nghị khen thưởng.",)
        )
    paragraphs = []
    for proposal in proposals:
        with translation.override("vi"):
            state = str(proposal.get_state_display())
        number = f" số {proposal.number}" if proposal.number else ""
        paragraphs.append(f"Tờ trình{number}: {proposal.title} ({state}).")
        for nominee in proposal.nominees.all():
            paragraphs.append(f"– {nominee.name}: {nominee.award_form.name}.")
        decision = proposal.decision
        if decision is not None:
            paragraphs.append(
                f"Quyết định số {decision.number_display} ngày "
                f"{decision.date:%d/%m/%Y} của {decision.issuing_body}: "
                f"{decision.subject}."
            )
    return Section(heading, paragraphs=tuple(paragraphs))


def _handover_section(term):
    chair_title, deputy_title = _officer_titles(term)
    heading = f"VI. {chair_title.upper()} NĂM SAU VÀ BÀN GIAO"
    year = term.year + 1
    handover = (
        Handover.objects.filter(from_term=term)
        .select_related("from_unit", "to_unit")
        .first()
    )
    next_term = (
        Term.objects.filter(cluster_id=term.cluster_id, year=year)
        .prefetch_related(
            Prefetch("memberships", queryset=Membership.objects.select_related("unit"))
        )
        .first()
    )
    label = (
        next_term.period_label if next_term else next_period_label(term.period_label)
    )
    paragraphs = []
    if handover is not None:
        paragraphs.append(
            f"Ngày {handover.date:%d/%m/%Y} tại {handover.place} "
            f"({handover.occasion}), {handover.from_unit.name} đã bàn giao "
            f"{chair_title} {lower_first(label)} cho {handover.to_unit.name}."
        )
        if handover.note:
            paragraphs.append(handover.note)
    if next_term is not None and next_term.chair is not None:
        deputy = next_term.deputy
        paragraphs.append(
            f"{label}: {next_term.chair.name} làm {chair_title}"
            + (f", {deputy.name} làm {deputy_title}." if deputy else ".")
        )
    if not paragraphs:
        paragraphs.append(f"{chair_title} {lower_first(label)} chưa được xác định.")
    return Section(heading, paragraphs=tuple(paragraphs))


def term_summary_document(term):
    """The content of `term`'s year-end summary report: members and officers,
    campaigns carried out by kind, indicator totals against plan and last year,
    the members' commendation figures, the published ranking, the nomination
    vote, proposals and decisions, and next year's chair with the handover.
    Queries do not grow with the number of members."""
    term = (
        Term.objects.select_related("cluster__authority")
        .prefetch_related(
            Prefetch(
                "memberships",
                queryset=Membership.objects.select_related("unit").order_by(
                    "unit__name"
                ),
            )
        )
        .get(pk=term.pk)
    )
    cluster, authority = term.cluster, term.cluster.authority
    members = [m.unit for m in term.memberships.all()]
    handover = Handover.objects.filter(from_term=term).only("date").first()
    # The report of the year-end conference carries its date (the handover);
    # before it, the date is left blank for the clerk.
    day = handover.date if handover is not None else None
    results = [
        _campaign_section(term, members),
        _indicator_section(term),
        _commendation_section(term),
    ]
    sections = [
        Section(
            "I. ĐẶC ĐIỂM, TÌNH HÌNH", paragraphs=_members_paragraphs(term, members)
        ),
        Section("II. KẾT QUẢ THỰC HIỆN PHONG TRÀO THI ĐUA"),
        *results,
        _ranking_section(term),
        _vote_section(term),
    ]
    sections += [_proposal_section(term), _handover_section(term)]
    chair = term.chair
    return OfficialDocument(
        issuer=authority.name.upper(),
        cluster=cluster.name.upper(),
        number="Số:      /BC-CTĐ",
        place_date=vn_date_line(authority.place_name, day),
        title="BÁO CÁO",
        subtitle=f"Tổng kết phong trào thi đua {term.period_phrase}",
        opening=(f"{cluster.name}, {authority.name}",),
        sections=tuple(sections),
        recipients=(
            "Thường trực Hội đồng Thi đua – Khen thưởng;",
            wording.for_kind(
                cluster, "Các đơn vị thành viên Cụm;", "Các đơn vị thành viên Khối;"
            ),
            "Lưu: VT.",
        ),
        signatures=(
            SignatureBlock(
                wording.for_kind(cluster, "TM. CỤM THI ĐUA", "TM. KHỐI THI ĐUA"),
                _officer_titles(term)[0].upper(),
                chair.name.upper() if chair else "",
                TO_BE_FILLED,
                False,
            ),
        ),
    )


def term_summary_docx(term):
    """`term`'s year-end summary report as a .docx file (bytes)."""
    return write_docx(term_summary_document(term))


# Proposal (tờ trình) ---------------------------------------------------------------


def proposal_document(proposal):
    """The content of `proposal` as the tờ trình sent up: the cluster (or, for a
    campaign's proposal, the emulation council) as issuer, its number, dated
    the day it was submitted (blank before), "Kính gửi" the emulation council,
    the summary of achievements, the nominees grouped by award form, then
    "Nơi nhận" ("Như trên" answering the "Kính gửi") beside the signature.
    `proposal` comes from `selectors.proposal_detail` (nominees prefetched)."""
    authority = proposal.authority
    council = f"Hội đồng Thi đua – Khen thưởng {authority.place_word_vi}"
    term = proposal.term
    if term is not None:
        cluster = term.cluster
        issuer, chair = cluster.name.upper(), term.chair
        signer = SignatureBlock(
            wording.for_kind(cluster, "TM. CỤM THI ĐUA", "TM. KHỐI THI ĐUA"),
            wording.for_kind(cluster, "CỤM TRƯỞNG", "TRƯỞNG KHỐI"),
            chair.name.upper() if chair else "",
            TO_BE_FILLED,
            False,
        )
        members = wording.for_kind(
            cluster, "Các đơn vị thành viên Cụm;", "Các đơn vị thành viên Khối;"
        )
        recipients = ("Như trên;", members, "Lưu: VT.")
    else:
        issuer = "HỘI ĐỒNG THI ĐUA – KHEN THƯỞNG"
        signer = SignatureBlock("TM. HỘI ĐỒNG", "CHỦ TỊCH", "", TO_BE_FILLED, False)
        recipients = ("Như trên;", "Lưu: VT.")
    groups = {}
    for nominee in proposal.nominees.all():
        groups.setdefault(nominee.award_form, []).append(nominee)
    salary = proposal_base_salary(proposal)
    sections = [
        Section(
            f"{index}. {form.name}",
            paragraphs=(
                *(
                    f"{number}. {nominee.name}: {nominee.achievements.strip()}"
                    for number, nominee in enumerate(nominees, start=1)
                ),
                reward_words(form.multiplier, salary, authority),
            ),
        )
        for index, (form, nominees) in enumerate(groups.items(), start=1)
    ]
    opening = [
        line.strip() for line in (proposal.summary or "").splitlines() if line.strip()
    ]
    opening.append(
        f"Đề nghị {council} xem xét, trình cấp có thẩm quyền khen thưởng cho các "
        "tập thể, cá nhân sau:"
    )
    submitted = proposal.submitted_at
    return OfficialDocument(
        issuer=authority.name.upper(),
        cluster=issuer,
        number=f"Số: {proposal.number}" if proposal.number else "Số:      /TTr",
        place_date=vn_date_line(
            authority.place_name, local_day(submitted) if submitted else None
        ),
        title="TỜ TRÌNH",
        subtitle=_subject(proposal.title),
        addressee=f"Kính gửi: {council}.",
        opening=tuple(opening),
        sections=tuple(sections),
        signatures=(signer,),
        closing=(f"Kính trình {council} xem xét, quyết định./.",),
        recipients=recipients,
    )


def reward_words(multiplier, salary, authority):
    """The reward of one award form as a tờ trình or a decision says it:
    “Mức tiền thưởng: 5.620.000 đồng (2,4 lần mức lương cơ sở).”, or the
    provincial rule that sets it when the catalogue has no multiplier (or no
    base salary is recorded)."""
    amount = reward_amount(salary.amount if salary else None, multiplier)
    if amount is None:
        if multiplier is not None:
            return f"Mức tiền thưởng: {vn_number(multiplier)} lần mức lương cơ sở."
        return f"Mức tiền thưởng theo quy định của {authority.place_word_vi}."
    return (
        f"Mức tiền thưởng: {vn_number(amount)} đồng ({vn_number(multiplier)} lần "
        f"mức lương cơ sở)."
    )


def _subject(title):
    """ "Tờ trình đề nghị tặng …" → "Đề nghị tặng …": the kind of document is
    the title line already."""
    title = title.strip()
    if title.lower().startswith("tờ trình "):
        rest = title[len("tờ trình ") :].strip()
        return rest[:1].upper() + rest[1:]
    return title


def proposal_docx(proposal):
    """`proposal` as a .docx file (bytes)."""
    return write_docx(proposal_document(proposal))


def proposal_filename(proposal):
    return f"to-trinh-{proposal.year}-{proposal.pk}.docx"


# Word ------------------------------------------------------------------------------


def write_docx(doc):
    """Lay out an `OfficialDocument` with `core.documents`: header with the
    number and the place and date, the title, the sections (tables with a
    header row repeated on every page), then the closing: "Nơi nhận" beside
    the signature, or the signatures two by two."""
    layout = Layout(title=f"{doc.title} – {doc.subtitle}")
    layout.header(
        parent=doc.issuer,
        issuer=(doc.cluster,),
        number=doc.number,
        place_date=doc.place_date,
    )
    layout.title(doc.title, (doc.subtitle,))
    if doc.addressee:
        layout.centred(doc.addressee, bold=False, after=12, keep=False)
    for line in doc.opening:
        layout.paragraph(line)
    for section in doc.sections:
        layout.heading(section.heading)
        for line in section.paragraphs:
            layout.paragraph(line)
        if section.header:
            numbers = {
                index
                for index in range(1, len(section.header))
                if section.table
                and all(NUMERIC.fullmatch(row[index]) for row in section.table)
            }
            layout.grid(section.widths, section.header, section.table, numbers=numbers)
        for line in section.after:
            layout.paragraph(line)
    layout.closing(
        signers=tuple(
            Signer(lines=signer_lines(block), name=block.name)
            for block in doc.signatures
        ),
        recipients=doc.recipients,
        note=" ".join(doc.closing),
    )
    return layout.bytes()


def minutes_filename(vote):
    return f"bien-ban-kiem-phieu-{vote.term.year}-{vote.pk}.docx"


def summary_filename(term):
    return f"bao-cao-tong-ket-{term.year}.docx"
