"""A double click on the awards forms acts once (one-time form tokens,
clusters.idempotency): proposal, decision, ballot and attachment."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from awards import services
from awards.forms import ABSTAIN
from awards.models import Attachment, Decision, Proposal, VoteParticipation
from clusters.models import Term, TermState
from tests.awards.factories import make_elected, option_ids, tally_state
from tests.awards.proposal_helpers import appraised, draft, nominate
from tests.once import assert_same_result, page_token, post_twice

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


def test_create_proposal_twice_with_one_token_creates_one(world, login):
    Term.objects.filter(pk=world.term.pk).update(state=TermState.PROPOSING)
    client = login(world.users["chair_officer"])
    url = reverse("term_proposal_create", args=[world.term.pk])
    token = page_token(client, url)
    data = {"title": "Tờ trình khen thưởng 2024", "number": "12/TTr-CTĐ"}
    first, second = post_twice(client, url, lambda: data, token)
    assert_same_result(first, second)
    proposal = Proposal.objects.get()
    assert first["Location"] == reverse("proposal_detail", args=[proposal.pk])


def test_create_decision_twice_with_one_token_records_one(world, login):
    proposal = draft(world)
    flag = nominate(world, proposal, world.unit_a)
    appraised(world, proposal)
    client = login(world.users["staff"])
    url = reverse("decision_create", args=[proposal.pk])
    token = page_token(client, url)
    data = {
        "number": "5",
        "issuer_code": "UBND",
        "date": "15/01/2025",
        "issuing_body": "Ủy ban nhân dân tỉnh Thử",
        "subject": "Về việc tặng Cờ thi đua",
        "legal_bases": "Căn cứ Luật Thi đua, khen thưởng;",
        "proposed_by": "Giám đốc Sở Nội vụ",
        "signer_name": "Trần Văn Chủ",
        "capacity": "kt",
        "granted": [flag.pk],
    }
    first, second = post_twice(client, url, lambda: data, token)
    assert_same_result(first, second)
    decision = Decision.objects.get()
    assert first["Location"] == reverse("decision_detail", args=[decision.pk])


def test_cast_ballot_twice_with_one_token_counts_one(world, login):
    make_elected(world)
    vote = services.chair_election_open(term=world.term, actor=world.users["admin"])
    client = login(world.users["officer"])
    url = reverse("ballot_cast", args=[vote.pk])
    token = page_token(client, url)
    data = {
        "chair": option_ids(vote, "chair", world.unit_deputy)[0],
        "deputy": ABSTAIN,
    }
    first, second = post_twice(client, url, lambda: data, token)
    assert_same_result(first, second)
    assert VoteParticipation.objects.count() == 1
    assert sum(votes for _pk, votes in tally_state()[0]) == 1


def test_attach_a_file_twice_with_one_token_attaches_one(world, login):
    proposal = draft(world)
    client = login(world.users["chair_officer"])
    url = reverse("attachment_add", args=[proposal.pk])
    token = page_token(client, url)

    def data():
        return {
            "description": "Biên bản họp cụm",
            "file": SimpleUploadedFile("bien-ban.pdf", PDF),
        }

    first, second = post_twice(client, url, data, token)
    assert_same_result(first, second)
    assert Attachment.objects.filter(proposal=proposal).count() == 1
