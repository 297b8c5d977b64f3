"""Awards: secret-ballot votes (bình xét, suy tôn; chair elections).

Who voted (`VoteParticipation`) is stored apart from what was voted. What was
voted is never stored ballot by ballot: each ballot only adds to running tallies
per candidate (`OptionTally`) and per question (`QuestionTally`), created at zero
when the vote opens and rewritten whole by every ballot. They carry no unit, user
or time and no change history, so nobody — a database reader or a backup taken
during the vote included — can link what was voted to the unit that cast it."""

from fractions import Fraction

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clusters.models import Term, Unit
from core.audit import HistoricalRecords

from .catalogue import AwardForm


class VoteKind(models.TextChoices):
    CHAIR_ELECTION = "chair_election", _("chair election")
    NOMINATION = "nomination", _("nomination of leading units")


class VoteState(models.TextChoices):
    OPEN = "open", _("open")
    CLOSED = "closed", _("closed")


class Vote(models.Model):
    """A secret ballot of a term's members; the eligible voters are fixed at opening.

    Quorum: at least ceil(quorum × eligible) units take part. Threshold: a candidate
    wins with more than threshold × eligible votes. Both are stored as fractions."""

    term = models.ForeignKey(
        Term, on_delete=models.PROTECT, related_name="votes", verbose_name=_("term")
    )
    kind = models.CharField(_("kind"), max_length=32, choices=VoteKind.choices)
    title = models.CharField(_("title"), max_length=300)
    state = models.CharField(
        _("state"), max_length=16, choices=VoteState.choices, default=VoteState.OPEN
    )
    quorum_numerator = models.PositiveSmallIntegerField(
        _("quorum numerator"), default=2
    )
    quorum_denominator = models.PositiveSmallIntegerField(
        _("quorum denominator"), default=3
    )
    threshold_numerator = models.PositiveSmallIntegerField(
        _("threshold numerator"), default=1
    )
    threshold_denominator = models.PositiveSmallIntegerField(
        _("threshold denominator"), default=2
    )
    voters = models.ManyToManyField(
        Unit, related_name="eligible_votes", verbose_name=_("eligible voters")
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("opened by"),
    )
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        ordering = ["term", "-opened_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["term", "kind"],
                condition=Q(state="open"),
                name="vote_one_open_per_term_and_kind",
                violation_error_message=_(
                    "A vote of this kind is already open for the term."
                ),
            ),
            models.CheckConstraint(
                condition=Q(state="open", closed_at__isnull=True)
                | Q(state="closed", closed_at__isnull=False),
                name="vote_closed_at_iff_closed",
            ),
            models.CheckConstraint(
                condition=Q(quorum_numerator__gt=0)
                & Q(quorum_numerator__lte=F("quorum_denominator")),
                name="vote_quorum_between_0_and_1",
            ),
            models.CheckConstraint(
                condition=Q(threshold_denominator__gt=0)
                & Q(threshold_numerator__lt=F("threshold_denominator")),
                name="vote_threshold_below_1",
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def quorum(self):
        return Fraction(self.quorum_numerator, self.quorum_denominator)

    @property
    def threshold(self):
        return Fraction(self.threshold_numerator, self.threshold_denominator)

    @property
    def is_open(self):
        return self.state == VoteState.OPEN


class VoteQuestion(models.Model):
    """One question of a vote, e.g. "chair" or "deputy", with its candidates.

    In a nomination each question is one award tier (`award_form`: the flag,
    Bằng khen…) with its seats (`max_choices`) and, when set, its own threshold
    (else the vote's); `position` orders the tiers, highest first."""

    vote = models.ForeignKey(
        Vote, on_delete=models.CASCADE, related_name="questions", verbose_name=_("vote")
    )
    code = models.SlugField(_("code"), max_length=50)
    title = models.CharField(_("title"), max_length=300)
    max_choices = models.PositiveSmallIntegerField(_("maximum choices"), default=1)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    award_form = models.ForeignKey(
        AwardForm,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("award form"),
    )
    threshold_numerator = models.PositiveSmallIntegerField(
        _("threshold numerator"), null=True, blank=True
    )
    threshold_denominator = models.PositiveSmallIntegerField(
        _("threshold denominator"), null=True, blank=True
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("vote question")
        verbose_name_plural = _("vote questions")
        ordering = ["vote", "position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["vote", "code"], name="vote_question_code_unique"
            ),
            models.CheckConstraint(
                condition=Q(max_choices__gte=1), name="vote_question_max_choices_min_1"
            ),
            models.UniqueConstraint(
                fields=["vote", "award_form"],
                condition=Q(award_form__isnull=False),
                name="vote_question_award_form_once",
            ),
            models.CheckConstraint(
                condition=Q(
                    threshold_numerator__isnull=True,
                    threshold_denominator__isnull=True,
                )
                | Q(
                    threshold_numerator__isnull=False,
                    threshold_denominator__gt=0,
                    threshold_numerator__lt=F("threshold_denominator"),
                ),
                name="vote_question_threshold_below_1",
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def own_threshold(self):
        """The tier's own threshold, or None when it follows the vote's."""
        if self.threshold_denominator is None:
            return None
        return Fraction(self.threshold_numerator, self.threshold_denominator)


class VoteOption(models.Model):
    """A candidate unit of a question."""

    question = models.ForeignKey(
        VoteQuestion,
        on_delete=models.CASCADE,
        related_name="options",
        verbose_name=_("question"),
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("candidate")
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("candidate")
        verbose_name_plural = _("candidates")
        ordering = ["question", "unit__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["question", "unit"], name="vote_option_unit_once_per_question"
            ),
        ]

    def __str__(self):
        return str(self.unit)


class VoteParticipation(models.Model):
    """That a unit has voted, by whom and when; never what it voted."""

    vote = models.ForeignKey(
        Vote,
        on_delete=models.CASCADE,
        related_name="participations",
        verbose_name=_("vote"),
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit")
    )
    cast_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("cast by"),
    )
    cast_at = models.DateTimeField(_("cast at"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("participation")
        verbose_name_plural = _("participations")
        ordering = ["vote", "unit__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["vote", "unit"],
                name="vote_participation_once_per_unit",
                violation_error_message=_("This unit has already voted."),
            ),
        ]

    def __str__(self):
        return f"{self.unit} – {self.vote}"


class OptionTally(models.Model):
    """The votes a candidate has received: one row per candidate, created with the
    vote at zero. A ballot adds to the tallies in the transaction that records the
    unit's participation and rewrites every tally row of the vote in one statement
    (unmarked candidates by zero), so neither the rows, their order, their ids nor
    the database's row versions say in which order ballots were cast or what a
    given ballot held. No history."""

    option = models.OneToOneField(
        VoteOption,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="tally",
        verbose_name=_("candidate"),
    )
    votes = models.PositiveIntegerField(_("votes"), default=0)

    class Meta:
        verbose_name = _("candidate tally")
        verbose_name_plural = _("candidate tallies")

    def __str__(self):
        return f"{self.option}: {self.votes}"


class QuestionTally(models.Model):
    """The ballots received on a question and how many of them marked nobody
    (abstentions); same storage rules as `OptionTally`. No history."""

    question = models.OneToOneField(
        VoteQuestion,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="tally",
        verbose_name=_("question"),
    )
    ballots = models.PositiveIntegerField(_("ballots"), default=0)
    abstentions = models.PositiveIntegerField(_("abstentions"), default=0)

    class Meta:
        verbose_name = _("question tally")
        verbose_name_plural = _("question tallies")
        constraints = [
            models.CheckConstraint(
                condition=Q(abstentions__lte=F("ballots")),
                name="question_tally_abstentions_within_ballots",
            ),
        ]

    def __str__(self):
        return f"{self.question}: {self.ballots}"
