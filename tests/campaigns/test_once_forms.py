"""A double click on the campaign forms acts once (one-time form tokens,
clusters.idempotency): creating a campaign and attaching a file."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from campaigns.models import Campaign, CampaignAttachment
from tests.campaigns.conftest import make_campaign
from tests.campaigns.test_views import _create_data
from tests.once import assert_same_result, page_token, post_twice

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


def test_create_campaign_twice_with_one_token_creates_one(world, login):
    client = login(world.users["staff"])
    url = reverse("campaign_create")
    token = page_token(client, url)
    first, second = post_twice(client, url, lambda: _create_data(world), token)
    assert_same_result(first, second)
    campaign = Campaign.objects.get()
    assert first["Location"] == reverse("campaign_detail", args=[campaign.pk])


def test_upload_an_attachment_twice_with_one_token_stores_one(world, login):
    campaign = make_campaign(world)
    client = login(world.users["staff"])
    token = page_token(client, reverse("campaign_detail", args=[campaign.pk]))

    def data():
        return {"file": SimpleUploadedFile("ke-hoach.pdf", PDF)}

    url = reverse("campaign_attachment_upload", args=[campaign.pk])
    first, second = post_twice(client, url, data, token)
    assert_same_result(first, second)
    assert CampaignAttachment.objects.filter(campaign=campaign).count() == 1
