"""The year-end summary is written even when a proposal's title holds a control
character that got in before input hygiene."""

from awards import documents
from awards.models import Proposal
from tests.awards.proposal_helpers import draft
from tests.awards.test_nomination_views import docx_text


def test_summary_is_written_after_a_proposal_title_with_a_vertical_tab(world):
    proposal = draft(world)
    Proposal.objects.filter(pk=proposal.pk).update(
        title="Tờ trình\x0b đề nghị\x1f khen thưởng"
    )  # PostgreSQL stores no NUL at all; other control characters get in
    text = docx_text(documents.term_summary_docx(world.term))
    assert "Tờ trình đề nghị khen thưởng" in text
