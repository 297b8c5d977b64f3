from django.urls import path

from .views import dashboard, ranking, reports, results_excel, scoring, tree_excel
from .views import pledge as views

urlpatterns = [
    path("terms/<int:pk>/pledge/", views.pledge_overview, name="pledge_overview"),
    path("terms/<int:pk>/pledge/new/", views.pledge_create, name="pledge_create"),
    path("terms/<int:pk>/pledge/state/", views.pledge_action, name="pledge_action"),
    path("terms/<int:pk>/pledge/criteria/", views.pledge_editor, name="pledge_editor"),
    path("terms/<int:pk>/pledge/criteria.xlsx", tree_excel.tree_xlsx, name="tree_xlsx"),
    path(
        "terms/<int:pk>/pledge/criteria/import/",
        tree_excel.tree_import,
        name="tree_import",
    ),
    path("terms/<int:pk>/pledge/targets/", views.targets_grid, name="targets_grid"),
    path("terms/<int:pk>/pledge/targets.xlsx", views.targets_xlsx, name="targets_xlsx"),
    path(
        "terms/<int:pk>/pledge/targets/import/",
        views.targets_import,
        name="targets_import",
    ),
    path("terms/<int:pk>/pledge/sign/", views.pledge_sign, name="pledge_sign"),
    path(
        "terms/<int:pk>/pledge/versions/", views.pledge_versions, name="pledge_versions"
    ),
    path("terms/<int:pk>/pledge.docx", views.pledge_docx, name="pledge_docx"),
    path("terms/<int:pk>/pledge/print/", views.pledge_print, name="pledge_print"),
    path(
        "terms/<int:pk>/reports/results.xlsx",
        results_excel.results_xlsx,
        name="results_xlsx",
    ),
    path(
        "terms/<int:pk>/reports/import/",
        results_excel.results_import,
        name="results_import",
    ),
    path("terms/<int:pk>/reports/", reports.report_list, name="report_list"),
    path(
        "terms/<int:pk>/reports/extend/",
        reports.deadline_extend,
        name="deadline_extend",
    ),
    path(
        "terms/<int:pk>/reports/<int:unit_pk>/",
        reports.report_edit,
        name="report_edit",
    ),
    path(
        "terms/<int:pk>/reports/<int:unit_pk>/preview/",
        reports.report_preview,
        name="report_preview",
    ),
    path(
        "terms/<int:pk>/reports/<int:unit_pk>/evidence/",
        reports.evidence_upload,
        name="evidence_upload",
    ),
    path("evidence/<int:pk>/", reports.evidence_download, name="evidence_download"),
    path("evidence/<int:pk>/delete/", reports.evidence_delete, name="evidence_delete"),
    path("terms/<int:pk>/ranking/", ranking.term_ranking, name="term_ranking"),
    path(
        "terms/<int:pk>/ranking/publish/",
        ranking.ranking_publish,
        name="ranking_publish",
    ),
    path(
        "terms/<int:pk>/ranking/<int:unit_pk>/",
        ranking.rank_detail,
        name="rank_detail",
    ),
    path("terms/<int:pk>/totals/", ranking.cluster_totals, name="cluster_totals"),
    path("terms/<int:pk>/scoring/", scoring.peer_scoring, name="peer_scoring"),
    path("terms/<int:pk>/reply/", scoring.reply, name="reply"),
    path("dashboard/", dashboard.province_dashboard, name="province_dashboard"),
    path("dashboard.xlsx", dashboard.dashboard_xlsx, name="dashboard_xlsx"),
    path("public/rankings/", ranking.public_rankings, name="public_rankings"),
    path("public/rankings/<int:pk>/", ranking.public_ranking, name="public_ranking"),
]
