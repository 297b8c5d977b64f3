"""Hostile input in every field of every campaign form never gives a server
error, hidden fields and formset management fields included."""

import pytest
from django.urls import reverse

from campaigns.models import CampaignState
from tests.campaigns.conftest import file_final, make_campaign
from tests.helpers import fuzz_form


def _campaign(world, state=CampaignState.LAUNCHED):
    return make_campaign(world, state)


def test_campaign_create_survives_hostile_input(world, login):
    fuzz_form(login(world.users["staff"]), reverse("campaign_create"))


def test_campaign_edit_survives_hostile_input(world, login):
    campaign = _campaign(world)
    fuzz_form(login(world.users["staff"]), reverse("campaign_edit", args=[campaign.pk]))


def test_report_form_survives_hostile_input(world, login):
    campaign = _campaign(world)
    url = reverse("campaign_report", args=[campaign.pk, world.unit_a.pk, "final"])
    fuzz_form(login(world.users["officer"]), url)


def test_registration_form_survives_hostile_input(world, login):
    campaign = _campaign(world)
    url = reverse(
        "campaign_report", args=[campaign.pk, world.unit_a.pk, "registration"]
    )
    fuzz_form(login(world.users["officer"]), url, examples=100)


def test_review_form_survives_hostile_input(world, login):
    campaign = _campaign(world, CampaignState.FINAL_REVIEW)
    url = reverse("campaign_review", args=[campaign.pk, "final"])
    fuzz_form(login(world.users["staff"]), url)


def test_posted_forms_survive_hostile_input(world, login):
    campaign = _campaign(world)
    file_final(campaign, world.unit_a, world.users["officer"])
    client = login(world.users["staff"])
    fuzz_form(
        client,
        reverse("campaign_transition", args=[campaign.pk]),
        fields=["to_state", "reason"],
    )
    fuzz_form(
        client,
        reverse("campaign_report_review", args=[campaign.pk, world.unit_a.pk, "final"]),
        fields=["action", "reason"],
    )


def test_rule_form_survives_hostile_input(world, login, pledge):
    criterion = pledge.criteria.get(code="II.1")
    url = reverse("criterion_campaigns", args=[world.term.pk, criterion.pk])
    fuzz_form(
        login(world.users["admin"]),
        url,
        fields=["points_per_campaign", "kinds", "action"],
    )


@pytest.mark.parametrize(
    ("name", "fields"),
    [
        ("campaign_list", ["q", "kind", "year", "state", "scope"]),
        ("campaign_statistics", ["year"]),
    ],
)
def test_filters_survive_hostile_input(world, login, name, fields):
    fuzz_form(login(world.users["staff"]), reverse(name), fields=fields, method="get")
