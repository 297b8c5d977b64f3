"""Ballot secrecy from the first vote: what was voted is kept only as tallies per
candidate and per question, rewritten whole by every ballot, instead of one row
per ballot (rows in casting order). Existing ballots are counted into the
tallies; going back rebuilds ballots with the same counts and abstentions."""

import uuid

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Count, Q


def ballots_to_tallies(apps, schema_editor):
    Vote = apps.get_model("awards", "Vote")
    Ballot = apps.get_model("awards", "Ballot")
    OptionTally = apps.get_model("awards", "OptionTally")
    QuestionTally = apps.get_model("awards", "QuestionTally")
    VoteOption = apps.get_model("awards", "VoteOption")
    VoteQuestion = apps.get_model("awards", "VoteQuestion")
    for vote in Vote.objects.all():
        ballots = Ballot.objects.filter(vote=vote).count()
        for question in VoteQuestion.objects.filter(vote=vote):
            voting = (
                Ballot.objects.filter(vote=vote, marks__option__question=question)
                .distinct()
                .count()
            )
            QuestionTally.objects.create(
                question=question, ballots=ballots, abstentions=ballots - voting
            )
        options = VoteOption.objects.filter(question__vote=vote).annotate(
            votes=Count("marks")
        )
        OptionTally.objects.bulk_create(
            [OptionTally(option=option, votes=option.votes) for option in options]
        )


def tallies_to_ballots(apps, schema_editor):
    """Ballots with the tallies' counts: each question's marks are dealt in turn
    to the ballots that did not abstain on it, which keeps every candidate's
    votes, every question's abstentions and each ballot within its choices."""
    Vote = apps.get_model("awards", "Vote")
    Ballot = apps.get_model("awards", "Ballot")
    BallotMark = apps.get_model("awards", "BallotMark")
    OptionTally = apps.get_model("awards", "OptionTally")
    QuestionTally = apps.get_model("awards", "QuestionTally")
    for vote in Vote.objects.all():
        tallies = list(QuestionTally.objects.filter(question__vote=vote))
        count = max((tally.ballots for tally in tallies), default=0)
        ballots = Ballot.objects.bulk_create(
            [Ballot(id=uuid.uuid4(), vote_id=vote.pk) for _ in range(count)]
        )
        marks = []
        for tally in tallies:
            voting = ballots[: tally.ballots - tally.abstentions]
            dealt = [
                option_tally.option_id
                for option_tally in OptionTally.objects.filter(
                    option__question_id=tally.question_id
                ).order_by("option_id")
                for _ in range(option_tally.votes)
            ]
            marks += [
                BallotMark(
                    id=uuid.uuid4(),
                    ballot_id=voting[index % len(voting)].pk,
                    option_id=option_id,
                )
                for index, option_id in enumerate(dealt)
            ]
        BallotMark.objects.bulk_create(marks)


class Migration(migrations.Migration):
    dependencies = [
        ("awards", "0003_seed_award_catalogue"),
    ]

    operations = [
        migrations.CreateModel(
            name="OptionTally",
            fields=[
                (
                    "option",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="tally",
                        serialize=False,
                        to="awards.voteoption",
                        verbose_name="candidate",
                    ),
                ),
                ("votes", models.PositiveIntegerField(default=0, verbose_name="votes")),
            ],
            options={
                "verbose_name": "candidate tally",
                "verbose_name_plural": "candidate tallies",
            },
        ),
        migrations.CreateModel(
            name="QuestionTally",
            fields=[
                (
                    "question",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="tally",
                        serialize=False,
                        to="awards.votequestion",
                        verbose_name="question",
                    ),
                ),
                (
                    "ballots",
                    models.PositiveIntegerField(default=0, verbose_name="ballots"),
                ),
                (
                    "abstentions",
                    models.PositiveIntegerField(default=0, verbose_name="abstentions"),
                ),
            ],
            options={
                "verbose_name": "question tally",
                "verbose_name_plural": "question tallies",
            },
        ),
        migrations.AddConstraint(
            model_name="questiontally",
            constraint=models.CheckConstraint(
                condition=Q(("abstentions__lte", models.F("ballots"))),
                name="question_tally_abstentions_within_ballots",
            ),
        ),
        migrations.RunPython(ballots_to_tallies, tallies_to_ballots),
        migrations.RemoveField(model_name="ballot", name="vote"),
        migrations.RemoveConstraint(
            model_name="ballotmark", name="ballot_mark_option_once_per_ballot"
        ),
        migrations.RemoveField(model_name="ballotmark", name="ballot"),
        migrations.RemoveField(model_name="ballotmark", name="option"),
        migrations.DeleteModel(name="Ballot"),
        migrations.DeleteModel(name="BallotMark"),
    ]
