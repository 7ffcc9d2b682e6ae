"""Pages customers reach without signing in: the survey, unsubscribe, and confidential concerns.

Nothing here records who the visitor is. Responses are marked no-store so a shared computer's
back button does not show someone else's answers or follow-up code.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from careloop.conversations.models import Customer
from careloop.core.permissions import public
from careloop.core.rate_limits import public_form_limit
from careloop.feedback.forms import ConcernFollowUpForm, ConcernForm, MessageForm, SurveyAnswerForm
from careloop.feedback.services import concerns, milestones, surveys
from careloop.feedback.tokens import InvalidLink, customer_id_from_unsubscribe
from careloop.people.selectors import current_organisation

STAFF_SIGNED_IN = (
    "You are signed in to careloop as a member of the team. Surveys are answered by customers "
    "only, so nothing was recorded and the link still works for the customer."
)


def _page(
    request: HttpRequest, template: str, context: dict[str, object], status: int = 200
) -> HttpResponse:
    response = render(
        request, template, {"organisation": current_organisation(), **context}, status=status
    )
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "same-origin"
    return response


def _survey_closed(request: HttpRequest, problem: surveys.SurveyUnavailable) -> HttpResponse:
    """Why this survey link no longer takes answers, with the status that says so."""
    return _page(
        request, "feedback/public/survey_closed.html", {"problem": problem.message}, problem.status
    )


@public
@public_form_limit("survey")
@never_cache
def answer_survey(request: HttpRequest, token: str) -> HttpResponse:
    if request.user.is_authenticated:
        # Only customers answer surveys: a colleague's answer would be scored as the customer's
        # and would use up the customer's link. The link is left untouched for them.
        return _page(
            request,
            "feedback/public/survey_closed.html",
            {"problem": STAFF_SIGNED_IN},
            403,
        )
    try:
        invitation = surveys.invitation_for_link(token)
    except surveys.SurveyUnavailable as problem:
        return _survey_closed(request, problem)
    asked = surveys.asked_questions(invitation)
    form = SurveyAnswerForm(request.POST or None, asked=asked)
    if request.method == "POST" and form.is_valid():
        try:
            surveys.submit_answers(
                invitation,
                csat=form.cleaned_data.get("csat"),
                ces=form.cleaned_data.get("ces"),
                nps=form.cleaned_data.get("nps"),
                comment=form.cleaned_data["comment"],
                answers=form.follow_up_answers(),
            )
        except surveys.SurveyUnavailable as problem:
            return _survey_closed(request, problem)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return _page(request, "feedback/public/survey_thanks.html", {})
    return _page(request, "feedback/public/survey.html", {"form": form, "invitation": invitation})


@public
@public_form_limit("unsubscribe")
@never_cache
@csrf_exempt  # RFC 8058 one-click POSTs come from mail providers, with the signed token only.
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks, POST unsubscribes: mail scanners that follow links do not unsubscribe anyone."""
    try:
        customer = Customer.objects.filter(pk=customer_id_from_unsubscribe(token)).first()
    except InvalidLink:
        customer = None
    if customer is None:
        return _page(request, "feedback/public/unsubscribe.html", {"invalid": True}, 404)
    done = False
    if request.method == "POST":
        milestones.opt_out(customer)
        done = True
    return _page(request, "feedback/public/unsubscribe.html", {"done": done})


@public
@public_form_limit("concern")
@never_cache
def raise_concern(request: HttpRequest) -> HttpResponse:
    form = ConcernForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            concern, code = concerns.raise_concern(
                category=form.cleaned_data["category"],
                body=form.cleaned_data["body"],
                anonymous=form.cleaned_data["identity"] == "anonymous",
                name=form.cleaned_data["name"],
                email=form.cleaned_data["email"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            # The code is shown once, in this response only; it is never stored or logged.
            return _page(
                request, "feedback/public/concern_raised.html", {"concern": concern, "code": code}
            )
    return _page(request, "feedback/public/concern_form.html", {"form": form})


@public
@public_form_limit("concern-follow-up")
@never_cache
def concern_follow_up(request: HttpRequest) -> HttpResponse:
    """The customer's view of their concern; reference and code travel in the POST body only."""
    if request.method != "POST":
        return _page(
            request, "feedback/public/concern_follow_up.html", {"code_form": ConcernFollowUpForm()}
        )
    code_form = ConcernFollowUpForm(request.POST)
    concern = (
        concerns.concern_for_customer(
            code_form.cleaned_data["reference"], code_form.cleaned_data["code"]
        )
        if code_form.is_valid()
        else None
    )
    if concern is None:
        return _page(
            request,
            "feedback/public/concern_follow_up.html",
            {"code_form": code_form, "unknown": code_form.is_valid()},
            status=404 if code_form.is_valid() else 200,
        )
    reply_form = MessageForm(request.POST if "body" in request.POST else None)
    if reply_form.is_bound and reply_form.is_valid():
        try:
            concerns.follow_up_from_customer(concern, reply_form.cleaned_data["body"])
        except ValidationError as error:
            reply_form.add_error(None, error)
        else:
            reply_form = MessageForm()
    return _page(
        request,
        "feedback/public/concern_follow_up.html",
        {
            "concern": concern,
            "reference": concern.reference,
            "code": code_form.cleaned_data["code"],
            "reply_form": reply_form,
        },
    )
