from django.urls import path

from careloop.people import views

app_name = "people"

urlpatterns = [
    path("teams/", views.teams, name="teams"),
    path("teams/new/", views.team_create, name="team-create"),
    path("people/", views.people_list, name="people"),
    path("people/new/", views.person_add, name="person-add"),
    path("organisation/", views.organisation, name="organisation"),
    path("people/pick/", views.person_picker, name="person-picker"),
]
