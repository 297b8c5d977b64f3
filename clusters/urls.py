from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("todo/", views.todo_list, name="todo_list"),
    path("healthz/", views.healthz, name="healthz"),
    path("clusters/", views.cluster_list, name="cluster_list"),
    path("clusters/new/", views.cluster_create, name="cluster_create"),
    path("clusters/<int:pk>/", views.cluster_detail, name="cluster_detail"),
    path("clusters/<int:pk>/edit/", views.cluster_edit, name="cluster_edit"),
    path("clusters/<int:cluster_pk>/terms/new/", views.term_create, name="term_create"),
    path(
        "clusters/<int:pk>/rotation/", views.rotation_settings, name="rotation_settings"
    ),
    path(
        "clusters/<int:pk>/rotation/preview/",
        views.rotation_preview,
        name="rotation_preview",
    ),
    path("terms/<int:pk>/rollover/", views.term_rollover, name="term_rollover"),
    path("terms/<int:pk>/handover/", views.term_handover, name="term_handover"),
    path("terms/<int:pk>/", views.term_detail, name="term_detail"),
    path("terms/<int:pk>/edit/", views.term_edit, name="term_edit"),
    path("terms/<int:pk>/state/", views.term_transition, name="term_transition"),
    path("terms/<int:pk>/reopen/", views.term_reopen, name="term_reopen"),
    path("terms/<int:pk>/members/add/", views.membership_add, name="membership_add"),
    path(
        "memberships/<int:pk>/remove/",
        views.membership_remove,
        name="membership_remove",
    ),
    path("units/", views.unit_list, name="unit_list"),
    path("units/new/", views.unit_create, name="unit_create"),
    path("units/<int:pk>/", views.unit_detail, name="unit_detail"),
    path("units/<int:pk>/edit/", views.unit_edit, name="unit_edit"),
    path("units/<int:pk>/deactivate/", views.unit_deactivate, name="unit_deactivate"),
    path("units/<int:pk>/delete/", views.unit_delete, name="unit_delete"),
    path("users/", views.user_list, name="user_list"),
    path("users/new/", views.user_create, name="user_create"),
    path("users/<int:pk>/edit/", views.user_edit, name="user_edit"),
    path("users/<int:pk>/password/", views.user_password, name="user_password"),
]
