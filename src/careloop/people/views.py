from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from careloop.core.permissions import Action, Role, can, requires
from careloop.core.widgets import picker_results
from careloop.people import selectors, services
from careloop.people.forms import OpeningHoursFormSet, OrganisationForm, PersonForm, TeamForm
from careloop.people.models import BusinessHours, User


def _actor(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


@requires(Action.VIEW_PEOPLE)
def teams(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "people/teams.html",
        {
            "teams": selectors.teams_with_members(),
            "can_manage_teams": can(request.user, Action.MANAGE_TEAMS),
            "can_manage_people": can(request.user, Action.MANAGE_PEOPLE),
        },
    )


@requires(Action.MANAGE_TEAMS)
def team_create(request: HttpRequest) -> HttpResponse:
    form = TeamForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        team = services.create_team(**form.cleaned_data, actor=_actor(request))
        messages.success(request, f"Team “{team.name}” created.")
        return redirect("people:teams")
    return render(request, "people/team_form.html", {"form": form})


@requires(Action.MANAGE_PEOPLE)
def people_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.employees(), 50).get_page(request.GET.get("page"))
    return render(request, "people/people.html", {"page": page})


@requires(Action.MANAGE_PEOPLE)
def person_add(request: HttpRequest) -> HttpResponse:
    form = PersonForm(request.POST or None, granted_by=_actor(request))
    if request.method == "POST" and form.is_valid():
        person = services.add_person(
            email=form.cleaned_data["email"],
            full_name=form.cleaned_data["full_name"],
            role=Role(form.cleaned_data["role"]),
            team=form.cleaned_data["team"],
            actor=_actor(request),
        )
        messages.success(request, f"{person} added; an invitation email is on its way.")
        return redirect("people:people")
    return render(request, "people/person_form.html", {"form": form})


@requires(Action.MANAGE_ORGANISATION)
def organisation(request: HttpRequest) -> HttpResponse:
    current = selectors.current_organisation()
    open_days = {hours.weekday: hours for hours in current.business_hours.all()}
    initial_hours = [
        {
            "weekday": weekday,
            "is_open": weekday in open_days,
            "opens": open_days[weekday].opens if weekday in open_days else None,
            "closes": open_days[weekday].closes if weekday in open_days else None,
        }
        for weekday in BusinessHours.Weekday.values
    ]
    form = OrganisationForm(
        request.POST or None,
        initial={
            "name": current.name,
            "time_zone": current.time_zone,
            "values": "\n".join(value.name for value in current.values.all()),
            "holidays": "\n".join(f"{h.date:%Y-%m-%d} {h.name}" for h in current.holidays.all()),
        },
    )
    hours_formset = OpeningHoursFormSet(request.POST or None, initial=initial_hours, prefix="hours")
    if request.method == "POST" and form.is_valid() and hours_formset.is_valid():
        services.update_organisation(
            current,
            name=form.cleaned_data["name"],
            time_zone=form.cleaned_data["time_zone"],
            values=form.value_names(),
            opening_hours=[
                hours
                for hours_form in hours_formset
                if (hours := hours_form.opening_hours()) is not None
            ],
            actor=_actor(request),
        )
        services.set_holidays(current, form.cleaned_data["holidays"], actor=_actor(request))
        messages.success(request, "Organisation settings saved.")
        return redirect("people:organisation")
    if len(hours_formset.forms) != len(BusinessHours.Weekday.values):
        # A tampered form count: show the whole week again rather than part of it.
        hours_formset = OpeningHoursFormSet(initial=initial_hours, prefix="hours")
    weekday_names = dict(BusinessHours.Weekday.choices)
    return render(
        request,
        "people/organisation.html",
        {
            "form": form,
            "hours_rows": [
                (weekday_names[weekday], hours_form)
                for weekday, hours_form in zip(
                    BusinessHours.Weekday.values, hours_formset, strict=True
                )
            ],
            "hours_formset": hours_formset,
        },
    )


def _person_label(person: User) -> str:
    return f"{person.full_name or person.email} · {person.role_label}" + (
        f" · {person.team}" if person.team else ""
    )


@requires(Action.VIEW_PEOPLE)
def person_picker(request: HttpRequest) -> HttpResponse:
    """Colleagues matching what was typed in a people picker (core/widgets.py)."""
    return picker_results(
        request, selectors.employees_matching(request.GET.get("q", "")), _person_label
    )
