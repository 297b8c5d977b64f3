from django.urls import path

from . import views

urlpatterns = [
    path(
        "terms/<int:pk>/chair-election/",
        views.chair_election_open,
        name="chair_election_open",
    ),
    path("votes/<int:pk>/", views.vote_detail, name="vote_detail"),
    path("votes/<int:pk>/ballot/", views.ballot_cast, name="ballot_cast"),
    path("votes/<int:pk>/close/", views.vote_close, name="vote_close"),
]
