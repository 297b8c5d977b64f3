from django.urls import path

from . import views

urlpatterns = [
    path("campaigns/", views.campaign_list, name="campaign_list"),
    path("campaigns/new/", views.campaign_create, name="campaign_create"),
    path(
        "campaigns/statistics/",
        views.campaign_statistics,
        name="campaign_statistics",
    ),
    path(
        "campaigns/statistics.xlsx",
        views.campaign_statistics_xlsx,
        name="campaign_statistics_xlsx",
    ),
    path("campaigns/<int:pk>/", views.campaign_detail, name="campaign_detail"),
    path("campaigns/<int:pk>/edit/", views.campaign_edit, name="campaign_edit"),
    path(
        "campaigns/<int:pk>/state/",
        views.campaign_transition,
        name="campaign_transition",
    ),
    path(
        "campaigns/<int:pk>/attachments/",
        views.attachment_upload,
        name="campaign_attachment_upload",
    ),
    path(
        "campaign-attachments/<int:pk>/",
        views.attachment_download,
        name="campaign_attachment_download",
    ),
    path(
        "campaign-attachments/<int:pk>/delete/",
        views.attachment_delete,
        name="campaign_attachment_delete",
    ),
    path(
        "campaigns/<int:pk>/reports/<int:unit_pk>/<slug:kind>/",
        views.campaign_report,
        name="campaign_report",
    ),
    path(
        "campaigns/<int:pk>/reports/<int:unit_pk>/<slug:kind>/review/",
        views.campaign_report_review,
        name="campaign_report_review",
    ),
    path(
        "campaign-evidence/<int:pk>/",
        views.report_evidence_download,
        name="campaign_evidence_download",
    ),
    path(
        "campaign-evidence/<int:pk>/delete/",
        views.report_evidence_delete,
        name="campaign_evidence_delete",
    ),
    path(
        "campaigns/<int:pk>/review/<slug:stage>/",
        views.campaign_review,
        name="campaign_review",
    ),
    path(
        "campaigns/<int:pk>/review/<slug:stage>.docx",
        views.campaign_review_docx,
        name="campaign_review_docx",
    ),
    path(
        "terms/<int:pk>/pledge/criteria/<int:criterion_pk>/campaigns/",
        views.criterion_campaigns,
        name="criterion_campaigns",
    ),
]
