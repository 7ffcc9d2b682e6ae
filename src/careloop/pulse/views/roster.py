"""The team roster: joiners and leavers (by hand or CSV) and the turnover they make."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from careloop.core import calendar
from careloop.core.permissions import Action, requires
from careloop.people.http import employee
from careloop.pulse.forms import RosterEventForm, RosterImportForm
from careloop.pulse.selectors import roster as selectors
from careloop.pulse.services import roster as services

MAX_UPLOAD_BYTES = 2 * 1024 * 1024


@requires(Action.MANAGE_ROSTER)
def roster(request: HttpRequest) -> HttpResponse:
    today = calendar.today()
    columns, months = selectors.turnover_table(today)
    form = RosterEventForm(request.POST or None, initial={"on": today})
    if request.method == "POST" and form.is_valid():
        try:
            draft = services.RosterEventDraft(**form.cleaned_data)
            services.record_roster_event(draft, by=employee(request))
        except ValidationError as problem:
            form.add_error(None, problem)
        else:
            messages.success(request, "Roster change recorded.")
            return redirect("pulse:roster")
    return render(
        request,
        "pulse/roster.html",
        {
            "rows": columns,
            "months_table": months,
            "events": selectors.roster_events()[:100],
            "form": form,
            "import_form": RosterImportForm(),
            "import_errors": request.session.pop("pulse_import_errors", []),
        },
    )


@requires(Action.MANAGE_ROSTER)
@require_POST
def roster_import(request: HttpRequest) -> HttpResponse:
    form = RosterImportForm(request.POST, request.FILES)
    errors: list[str] = []
    if not form.is_valid():
        errors = ["Choose a CSV file to import."]
    else:
        upload = form.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            errors = ["The file is larger than 2 MB: split it."]
        else:
            try:
                text = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                errors = ["The file is not UTF-8 text: save it as CSV UTF-8."]
            else:
                result = services.import_roster_csv(text, by=employee(request))
                errors = result.errors
                if not errors:
                    messages.success(request, f"Imported {result.created} roster changes.")
                    return redirect("pulse:roster")
    messages.error(request, "Nothing was imported. Fix the rows below and try again.")
    request.session["pulse_import_errors"] = errors[:50]
    return redirect("pulse:roster")
