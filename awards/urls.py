from django.urls import path

from . import views
from .views import documents as document_views

urlpatterns = [
    # Catalogue, proposals, decisions and the registry.
    path("awards/", views.proposal_list, name="proposal_list"),
    path("awards/forms/", views.award_form_list, name="award_form_list"),
    path("awards/forms/<int:pk>/edit/", views.award_form_edit, name="award_form_edit"),
    path("awards/base-salary/", views.base_salaries, name="base_salaries"),
    path(
        "terms/<int:pk>/proposals/new/",
        views.term_proposal_create,
        name="term_proposal_create",
    ),
    path(
        "awards/campaigns/<int:pk>/proposals/new/",
        views.campaign_proposal_create,
        name="campaign_proposal_create",
    ),
    path("awards/proposals/<int:pk>/", views.proposal_detail, name="proposal_detail"),
    path(
        "awards/proposals/<int:pk>/proposal.docx",
        document_views.proposal_docx,
        name="proposal_docx",
    ),
    path("awards/proposals/<int:pk>/edit/", views.proposal_edit, name="proposal_edit"),
    path(
        "awards/proposals/<int:pk>/nominees/new/",
        views.nominee_add,
        name="nominee_add",
    ),
    path("awards/nominees/<int:pk>/edit/", views.nominee_edit, name="nominee_edit"),
    path(
        "awards/nominees/<int:pk>/delete/",
        views.nominee_delete,
        name="nominee_delete",
    ),
    path(
        "awards/proposals/<int:pk>/attachments/new/",
        views.attachment_add,
        name="attachment_add",
    ),
    path(
        "awards/attachments/<int:pk>/",
        views.attachment_download,
        name="attachment_download",
    ),
    path(
        "awards/attachments/<int:pk>/delete/",
        views.attachment_delete,
        name="attachment_delete",
    ),
    path(
        "awards/proposals/<int:pk>/action/",
        views.proposal_action,
        name="proposal_action",
    ),
    path(
        "awards/proposals/<int:pk>/comments/",
        views.proposal_comments,
        name="proposal_comments",
    ),
    path(
        "awards/comments/<int:pk>/moderate/",
        views.comment_moderate,
        name="comment_moderate",
    ),
    path(
        "awards/proposals/<int:pk>/decision/",
        views.decision_create,
        name="decision_create",
    ),
    path("awards/decisions/", views.decision_list, name="decision_list"),
    path("awards/decisions/<int:pk>/", views.decision_detail, name="decision_detail"),
    path(
        "awards/decisions/<int:pk>/decision.docx",
        views.decision_docx_download,
        name="decision_docx",
    ),
    path("awards/registry/", views.award_registry, name="award_registry"),
    path(
        "awards/registry/external/new/",
        views.external_grant_create,
        name="external_grant_create",
    ),
    path(
        "awards/registry/external/<int:pk>/remove/",
        views.external_grant_remove,
        name="external_grant_remove",
    ),
    path(
        "awards/external-decisions/<int:pk>/file/",
        views.external_decision_file,
        name="external_decision_file",
    ),
    path("awards/statistics/", views.award_statistics, name="award_statistics"),
    path(
        "awards/statistics.xlsx",
        views.award_statistics_xlsx,
        name="award_statistics_xlsx",
    ),
    path("public/proposals/<int:pk>/", views.public_proposal, name="public_proposal"),
    path(
        "public/authorities/<int:authority_pk>/awards/",
        views.public_awards,
        name="public_awards",
    ),
    path(
        "terms/<int:pk>/chair-election/",
        views.chair_election_open,
        name="chair_election_open",
    ),
    path("votes/<int:pk>/", views.vote_detail, name="vote_detail"),
    path("votes/<int:pk>/ballot/", views.ballot_cast, name="ballot_cast"),
    path("votes/<int:pk>/close/", views.vote_close, name="vote_close"),
    path("terms/<int:pk>/nomination/", views.nomination_open, name="nomination_open"),
    path(
        "votes/<int:pk>/minutes.docx",
        document_views.vote_minutes,
        name="vote_minutes",
    ),
    path(
        "terms/<int:pk>/summary.docx",
        document_views.term_summary_docx,
        name="term_summary_docx",
    ),
]
