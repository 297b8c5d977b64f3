"""Several award tiers in one nomination sitting: one question
per award form with its seats, threshold and candidates; a unit wins one tier
at most (the higher); the ballot checked per tier; the result page, the minutes
and the proposal drafted after the vote list each tier."""

from fractions import Fraction

import pytest
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from awards import documents, selectors, services
from awards.models import AwardForm, Nominee, Vote, VoteParticipation, VoteQuestion
from clusters.models import Term
from core.errors import DomainError
from tests.awards.factories import (
    add_candidate,
    add_member,
    cast,
    count_ballot,
    tally_state,
    voting_term,
)
from tests.awards.test_nomination_views import docx_text
from tests.clusters.factories import AuthorityFactory, MembershipFactory, UnitFactory
from tests.helpers import assert_queries_stable, examples, fuzz_form

pytestmark = pytest.mark.usefixtures("english_pages")

FLAG, CERTIFICATE, GOVERNMENT = "co-tinh", "bk-tinh", "co-chinh-phu"


def _state():
    return (
        list(Vote.objects.values_list("pk", "state")),
        VoteParticipation.objects.count(),
        tally_state(),
    )


def _forms(world):
    """The world's catalogue (seeded), by code."""
    return {form.code: form for form in services.catalogue_for(world.authority)}


def _six(world):
    """Three more members (six in all), ranked chair, A, deputy, then the new;
    returns the six units in rank order."""
    extra = [add_member(world.term, name=f"Huyện Thêm {i}") for i in range(3)]
    ranked = [world.unit_chair, world.unit_a, world.unit_deputy, *extra]
    voting_term(world, ranked)
    return ranked


def _tier(form, seats, candidates, threshold=None):
    return {
        "award_form": form,
        "seats": seats,
        "candidates": candidates,
        "threshold": threshold,
    }


# Opening --------------------------------------------------------------------------


def test_default_is_the_single_flag_tier_of_the_catalogue(world):
    forms = _forms(world)
    voting_term(world)
    vote = services.nomination_open(term=world.term, actor=world.users["admin"])
    question = vote.questions.get()
    assert (question.code, question.award_form, question.max_choices) == (
        "leading",
        forms[FLAG],
        1,
    )
    assert question.own_threshold is None


def test_tiers_are_put_highest_first_with_their_seats_and_threshold(world):
    forms = _forms(world)
    units = _six(world)
    vote = services.nomination_open(
        term=world.term,
        actor=world.users["admin"],
        tiers=[
            _tier(forms[CERTIFICATE], 2, units[1:5], "2/3"),
            _tier(forms[FLAG], 1, units[:3]),
            _tier(forms[GOVERNMENT], 1, units[:1]),
        ],
    )
    rows = [
        (q.code, q.award_form.code, q.max_choices, q.own_threshold, q.options.count())
        for q in vote.questions.order_by("position")
    ]
    assert rows == [
        (GOVERNMENT, GOVERNMENT, 1, None, 1),
        ("leading", FLAG, 1, None, 3),
        (CERTIFICATE, CERTIFICATE, 2, Fraction(2, 3), 4),
    ]
    assert vote.questions.get(code=CERTIFICATE).title == (
        "Nominees for “Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh”, 2024"
    )


def _other_authority_flag(world):
    return services.catalogue_for(AuthorityFactory()).get(code=FLAG)


@pytest.mark.parametrize(
    ("tiers", "message", "field"),
    [
        (lambda f, u, w: [], "at least one award form", "tiers"),
        (
            lambda f, u, w: [_tier(f[FLAG], 1, u[:2]), _tier(f[FLAG], 1, u[2:4])],
            "voted on once",
            "tiers",
        ),
        (
            lambda f, u, w: [_tier(f["cstd-tinh"], 1, u[:2])],
            "go to collectives",
            "tiers",
        ),
        (
            lambda f, u, w: [_tier(_other_authority_flag(w), 1, u[:2])],
            "go to collectives",
            "tiers",
        ),
        (
            lambda f, u, w: [
                _tier(f[FLAG], 1, u[:2]),
                _tier(f[CERTIFICATE], 3, u[2:4]),
            ],
            "between 1 and 2 units",
            "bk-tinh-seats",
        ),
        (
            lambda f, u, w: [_tier(f[CERTIFICATE], 1, [])],
            "at least one candidate",
            "bk-tinh-candidates",
        ),
        (
            lambda f, u, w: [_tier(f[CERTIFICATE], 1, [w.unit_other])],
            "not a member",
            "bk-tinh-candidates",
        ),
        (
            lambda f, u, w: [_tier(f[FLAG], 1, u[:2], "1")],
            "less than 1",
            "threshold",
        ),
        (
            lambda f, u, w: [_tier(f[CERTIFICATE], 1, u[:2], "x")],
            "fraction such as 2/3",
            "bk-tinh-threshold",
        ),
    ],
)
def test_opening_refuses_impossible_tiers(world, tiers, message, field):
    forms = _forms(world)
    units = _six(world)
    spec = tiers(forms, units, world)
    before = _state()
    with pytest.raises(DomainError, match=message) as error:
        services.nomination_open(
            term=world.term, actor=world.users["admin"], tiers=spec
        )
    assert error.value.field == field
    assert _state() == before


def test_an_award_form_out_of_use_is_not_a_tier(world):
    forms = _forms(world)
    units = _six(world)
    AwardForm.objects.filter(pk=forms[CERTIFICATE].pk).update(is_active=False)
    with pytest.raises(DomainError, match="go to collectives"):
        services.nomination_open(
            term=world.term,
            actor=world.users["admin"],
            tiers=[_tier(forms[CERTIFICATE], 1, units[:2])],
        )
    assert not Vote.objects.exists()


# Tally per tier -------------------------------------------------------------------

# Six members (a unit needs 4 votes under the default threshold of 1/2, and 4
# ballots make the quorum); tiers flag (1 seat, candidates 0-2) and certificate
# (2 seats, candidates 0-4), each with its own threshold when given; each
# ballot is (flag picks, certificate picks) as indexes of the ranked units.
# Expected winners by index.
TALLY_CASES = {
    "the flag winner leaves the certificate, whose seats pass on": (
        (None, None),
        [((0,), (0, 1))] * 2 + [((0,), (0, 2))] * 2 + [((0,), (1, 2))] * 2,
        {0},
        {1, 2},
    ),
    "a unit over the threshold in both keeps the flag only": (
        (None, None),
        [((0,), (0, 1))] * 6,
        {0},
        {1},
    ),
    "the certificate's own threshold": (
        (None, "2/3"),
        [((0,), (1, 2))] * 4 + [((0,), (1, 3))] * 2,
        {0},
        {1},
    ),
    "a threshold of zero is the tier's own, not the vote's": (
        (None, "0"),
        [((0,), (1,))] * 4 + [((0,), (1, 2))] * 2,
        {0},
        {1, 2},
    ),
    "units tied at the flag stay candidates below": (
        ("0", None),
        [((0,), (0, 1))] * 3 + [((1,), (0, 1))] * 3,
        set(),
        {0, 1},
    ),
    "a tie at the certificate's cut-off elects none of the tied": (
        (None, None),
        [((0,), (1, 2))] * 2 + [((0,), (1, 3))] * 2 + [((0,), (2, 3))] * 2,
        {0},
        set(),
    ),
    "no quorum: nobody in any tier": (
        (None, None),
        [((0,), (1, 2))] * 3,
        set(),
        set(),
    ),
}


@pytest.mark.parametrize(
    ("thresholds", "ballots", "flag", "certificate"),
    list(TALLY_CASES.values()),
    ids=list(TALLY_CASES),
)
def test_tally_per_tier(world, thresholds, ballots, flag, certificate):
    forms = _forms(world)
    units = _six(world)
    vote = services.nomination_open(
        term=world.term,
        actor=world.users["admin"],
        tiers=[
            _tier(forms[FLAG], 1, units[:3], thresholds[0]),
            _tier(forms[CERTIFICATE], 2, units[:5], thresholds[1]),
        ],
    )
    for unit, (flag_picks, certificate_picks) in zip(units, ballots, strict=False):
        cast(
            vote,
            unit,
            leading=[units[i] for i in flag_picks],
            **{CERTIFICATE: [units[i] for i in certificate_picks]},
        )
    services.vote_close(vote=vote, actor=world.users["admin"])
    tiers = selectors.nomination_results(vote)
    assert [tier.award_form.code for tier in tiers] == [FLAG, CERTIFICATE]
    assert {units.index(u) for u in tiers[0].winners} == flag
    assert {units.index(u) for u in tiers[1].winners} == certificate
    higher = {row.unit for row in tiers[1].rows if row.won_higher}
    assert higher == set(tiers[0].winners)


def test_the_ballot_is_checked_per_tier(world):
    forms = _forms(world)
    units = _six(world)
    vote = services.nomination_open(
        term=world.term,
        actor=world.users["admin"],
        tiers=[
            _tier(forms[FLAG], 1, units[:3]),
            _tier(forms[CERTIFICATE], 2, units[:5]),
        ],
    )
    before = _state()
    with pytest.raises(DomainError, match="at most 1 candidates") as error:
        cast(vote, units[0], leading=units[:2], **{CERTIFICATE: units[:1]})
    assert error.value.field == "leading"
    with pytest.raises(DomainError, match="at most 2 candidates") as error:
        cast(vote, units[0], leading=units[:1], **{CERTIFICATE: units[:3]})
    assert error.value.field == CERTIFICATE
    flag_option = vote.questions.get(code="leading").options.first()
    with pytest.raises(DomainError, match="from its list"):
        services.ballot_cast(
            vote=vote,
            unit=units[0],
            actor=world.users["chair_officer"],
            choices={CERTIFICATE: [flag_option.pk]},
        )
    assert _state() == before


# Random ballots -----------------------------------------------------------------

PICKS = st.tuples(
    st.lists(st.integers(0, 2), max_size=1, unique=True),
    st.lists(st.integers(0, 4), max_size=2, unique=True),
)


def _oracle(counts, seats, needed, excluded):
    """Winners by the plain rule: candidates not `excluded` with at least
    `needed` votes, at most `seats`; a tie at the cut-off elects none of the
    tied."""
    qualified = sorted(
        (u for u, v in counts.items() if v >= needed and u not in excluded),
        key=lambda u: -counts[u],
    )
    if len(qualified) <= seats:
        return set(qualified)
    cut = counts[qualified[seats - 1]]
    if counts[qualified[seats]] == cut:
        return {u for u in qualified if counts[u] > cut}
    return set(qualified[:seats])


@settings(
    max_examples=examples(30),
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    ballots=st.lists(st.none() | PICKS, min_size=6, max_size=6),
    threshold=st.sampled_from([None, "0", "1/3", "2/3"]),
)
def test_tiers_for_random_ballots(world, ballots, threshold):
    """Tallies equal a plain recount; each tier's winners follow the plain rule
    (threshold, seats, ties) among the units not elected in the higher tier; no
    unit wins twice."""
    units, forms = _random_world(world)
    with transaction.atomic():
        vote = services.nomination_open(
            term=world.term,
            actor=world.users["admin"],
            tiers=[
                _tier(forms[FLAG], 1, units[:3]),
                _tier(forms[CERTIFICATE], 2, units[:5], threshold),
            ],
        )
        for unit, picks in zip(units, ballots, strict=True):
            if picks is not None:
                cast(
                    vote,
                    unit,
                    leading=[units[i] for i in picks[0]],
                    **{CERTIFICATE: [units[i] for i in picks[1]]},
                )
        flag, certificate = selectors.nomination_results(vote)
        transaction.set_rollback(True)
    cast_ballots = [b for b in ballots if b is not None]
    quorum_met = len(cast_ballots) >= 4  # 2/3 of 6
    taken = set()
    for tier, index, candidates, share in (
        (flag, 0, 3, Fraction(1, 2)),
        (certificate, 1, 5, Fraction(threshold or "1/2")),
    ):
        counts = {
            i: sum(i in ballot[index] for ballot in cast_ballots)
            for i in range(candidates)
        }
        assert {units.index(r.unit): r.votes for r in tier.rows} == counts
        needed = share.numerator * 6 // share.denominator + 1
        assert tier.votes_to_win == needed
        expected = _oracle(counts, tier.seats, needed, taken) if quorum_met else set()
        winners = {units.index(unit) for unit in tier.winners}
        assert winners == expected
        assert len(winners) + tier.undecided <= tier.seats
        assert {units.index(r.unit) for r in tier.rows if r.won_higher} == (
            taken & set(counts)
        )
        taken |= winners
    assert not set(flag.winners) & set(certificate.winners)
    assert not Vote.objects.exists()  # rolled back


def _random_world(world):
    cached = getattr(world, "_tier_world", None)
    if cached is None:
        cached = (_six(world), _forms(world))
        world._tier_world = cached
    return cached


# Pages ----------------------------------------------------------------------------


def _open_url(world):
    return reverse("nomination_open", args=[world.term.pk])


def test_chair_opens_two_tiers_and_the_result_shows_each(world, login):
    forms = _forms(world)
    units = _six(world)
    chair = login(world.users["chair_officer"])
    page = chair.get(_open_url(world))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Cờ thi đua của Ủy ban nhân dân tỉnh" in html
    assert 'name="bk-tinh-seats"' in html
    assert 'name="cstd-tinh-seats"' not in html  # individuals only
    assert page.context["form"].initial["seats"] == 2  # the flag quota of 6
    before = _state()
    response = chair.post(_open_url(world), {"seats": "", "bk-tinh-seats": ""})
    assert "Choose at least one award form to vote on." in response.content.decode()
    assert _state() == before
    response = chair.post(
        _open_url(world),
        {
            "seats": "1",
            "candidates": [u.pk for u in units[:3]],
            "bk-tinh-seats": "2",
            "bk-tinh-candidates": [u.pk for u in units[:5]],
            "bk-tinh-threshold": "1/3",
        },
    )
    vote = Vote.objects.get()
    assert response["Location"] == reverse("vote_detail", args=[vote.pk])
    assert [
        (q.award_form.code, q.max_choices, q.own_threshold)
        for q in vote.questions.order_by("position")
    ] == [(FLAG, 1, None), (CERTIFICATE, 2, Fraction(1, 3))]
    ballot = login(world.users["officer"]).get(reverse("ballot_cast", args=[vote.pk]))
    assert 'name="leading"' in ballot.content.decode()
    assert 'name="bk-tinh"' in ballot.content.decode()
    for unit in units:
        cast(vote, unit, leading=units[:1], **{CERTIFICATE: units[:2]})
    services.vote_close(vote=vote, actor=world.users["admin"])
    page = login(world.users["officer"]).get(reverse("vote_detail", args=[vote.pk]))
    tiers = page.context["tiers"]
    assert [t.winners for t in tiers] == [[units[0]], [units[1]]]
    html = page.content.decode()
    assert forms[CERTIFICATE].name in html
    assert "Nominated for a higher award" in html
    assert "Threshold of this award: more than 1/3 of all members" in html


def test_open_page_shows_errors_beside_the_tier(world, login):
    _forms(world)
    units = _six(world)
    response = login(world.users["admin"]).post(
        _open_url(world),
        {
            "seats": "1",
            "candidates": [units[0].pk],
            "bk-tinh-seats": "3",
            "bk-tinh-candidates": [units[1].pk],
        },
    )
    errors = response.context["form"].errors
    assert "Nominate at most 1 unit" in str(errors["bk-tinh-seats"])
    response = login(world.users["admin"]).post(
        _open_url(world), {"bk-tinh-candidates": [units[1].pk]}
    )
    assert "Give the number of units" in str(
        response.context["form"].errors["bk-tinh-seats"]
    )
    assert not Vote.objects.exists()


def test_open_form_with_tiers_survives_hostile_input(world, login):
    _forms(world)
    _six(world)
    fuzz_form(
        login(world.users["chair_officer"]),
        _open_url(world),
        fields=[
            "seats",
            "candidates",
            "threshold",
            "bk-tinh-seats",
            "bk-tinh-candidates",
            "bk-tinh-threshold",
        ],
    )
    assert Vote.objects.filter(state="open").count() <= 1


def _two_tier_vote(world):
    forms = _forms(world)
    units = _six(world)
    vote = services.nomination_open(
        term=world.term,
        actor=world.users["admin"],
        tiers=[
            _tier(forms[FLAG], 1, units[:3]),
            _tier(forms[CERTIFICATE], 2, units[:5]),
        ],
    )
    return vote, units


def _grow(world, vote):
    """45 more members, each a voter, a candidate of every tier with one vote,
    and a ballot."""

    def grow():
        questions = list(vote.questions.all())
        for _i in range(45):
            unit = UnitFactory(authority=world.authority)
            MembershipFactory(term=world.term, unit=unit)
            vote.voters.add(unit)
            for question in questions:
                add_candidate(question, unit, votes=1)
            VoteParticipation.objects.create(
                vote=vote, unit=unit, cast_by=world.users["admin"]
            )
            count_ballot(vote)

    return grow


def test_result_page_with_tiers_query_count_is_stable(world, login):
    vote, units = _two_tier_vote(world)
    cast(vote, units[0], leading=units[:1], **{CERTIFICATE: units[:2]})
    services.vote_close(vote=vote, actor=world.users["admin"])
    assert_queries_stable(
        login(world.users["officer"]),
        reverse("vote_detail", args=[vote.pk]),
        _grow(world, vote),
    )


def test_open_page_with_tiers_query_count_is_stable(world, login):
    _forms(world)
    _six(world)

    def grow():
        for _i in range(45):
            MembershipFactory(
                term=world.term, unit=UnitFactory(authority=world.authority)
            )

    assert_queries_stable(login(world.users["chair_officer"]), _open_url(world), grow)


# Minutes and proposal ------------------------------------------------------------


def _closed_two_tier_vote(world):
    vote, units = _two_tier_vote(world)
    for unit in units[:4]:
        cast(vote, unit, leading=units[:1], **{CERTIFICATE: units[:2]})
    for unit in units[4:]:
        cast(vote, unit, leading=units[:1], **{CERTIFICATE: [units[0], units[2]]})
    services.vote_close(vote=vote, actor=world.users["admin"])
    return vote, units


def test_minutes_list_each_tier_with_its_votes_and_winners(world):
    vote, _units = _closed_two_tier_vote(world)
    text = docx_text(documents.vote_minutes_docx(vote))
    for expected in (
        "1. Đơn vị dẫn đầu phong trào thi đua năm 2024, đề nghị tặng Cờ thi đua "
        "của Ủy ban nhân dân tỉnh",
        "2. Đơn vị đề nghị tặng Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh năm 2024",
        "Mỗi đơn vị chỉ được suy tôn ở một hình thức khen thưởng",
        "Đơn vị được suy tôn: Huyện Chủ trì.",
        "Đơn vị được suy tôn: Huyện A.",
        "Đơn vị đã được suy tôn ở hình thức cao hơn nên không xét ở hình thức "
        "này: Huyện Chủ trì.",
        "Được suy tôn ở hình thức cao hơn",
    ):
        assert expected in text, expected
    document = documents.vote_minutes_document(vote)
    tables = [section.table for section in document.sections if section.table]
    assert [[row[1:3] for row in table] for table in tables] == [
        [("Huyện Chủ trì", "6"), ("Huyện A", "0"), ("Huyện Phó", "0")],
        [
            ("Huyện Chủ trì", "6"),
            ("Huyện A", "4"),
            ("Huyện Phó", "2"),
            ("Huyện Thêm 0", "0"),
            ("Huyện Thêm 1", "0"),
        ],
    ]


def test_summary_lists_each_tier(world):
    _closed_two_tier_vote(world)
    text = docx_text(documents.term_summary_docx(world.term))
    assert (
        "– Đơn vị dẫn đầu phong trào thi đua năm 2024, đề nghị tặng Cờ thi đua của "
        "Ủy ban nhân dân tỉnh: các đơn vị được suy tôn: Huyện Chủ trì (6/6 phiếu, "
        "100%)."
    ) in text
    assert (
        "– Đơn vị đề nghị tặng Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh năm "
        "2024: các đơn vị được suy tôn: Huyện A (4/6 phiếu, 66,67%)."
    ) in text


def test_the_proposal_is_prefilled_with_each_tiers_winners(world):
    vote, units = _closed_two_tier_vote(world)
    forms = _forms(world)
    proposal = services.proposal_create_for_term(
        term=world.term, actor=world.users["chair_officer"], title="TTr", prefill=True
    )
    nominees = [
        (n.award_form, n.unit)
        for n in proposal.nominees.order_by("award_form__position", "pk")
    ]
    assert nominees == [(forms[FLAG], units[0]), (forms[CERTIFICATE], units[1])]
    flag_nominee = proposal.nominees.get(unit=units[0])
    assert flag_nominee.achievements.startswith(
        "Chosen for Cờ thi đua của Ủy ban nhân dân tỉnh by the members' secret "
        "ballot of "
    )
    assert "6 of 6 votes (100%); rank 1 in the published ranking of 2024." in (
        flag_nominee.achievements
    )
    plain = services.proposal_create_for_term(
        term=world.term, actor=world.users["chair_officer"], title="TTr 2"
    )
    assert not plain.nominees.exists()


def test_proposal_page_prefills_unless_unticked(world, login):
    _closed_two_tier_vote(world)
    from clusters.models import TermState

    Term.objects.filter(pk=world.term.pk).update(state=TermState.PROPOSING)
    client = login(world.users["chair_officer"])
    url = reverse("term_proposal_create", args=[world.term.pk])
    page = client.get(url)
    assert 'name="prefill"' in page.content.decode()
    assert page.context["form"]["prefill"].value() is True
    client.post(url, {"title": "Ticked", "prefill": "on"})
    client.post(url, {"title": "Unticked"})
    counts = {
        title: Nominee.objects.filter(proposal__title=title).count()
        for title in ("Ticked", "Unticked")
    }
    assert counts == {"Ticked": 2, "Unticked": 0}


def test_a_vote_without_award_forms_keeps_its_single_question(world):
    """Catalogue without forms: the single tier of earlier votes, no form."""
    voting_term(world)
    vote = services.nomination_open(term=world.term, actor=world.users["admin"])
    assert list(
        VoteQuestion.objects.filter(vote=vote).values_list("code", "award_form")
    ) == [("leading", None)]
    assert [t.code for t in selectors.nomination_setup(world.term).tiers] == ["leading"]
