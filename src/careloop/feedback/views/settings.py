"""Leads' settings: survey rules and follow-up questions, milestone email templates."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from careloop.conversations.models import Customer
from careloop.core.audit import record_audit
from careloop.core.permissions import Action, requires
from careloop.feedback.forms import EmailRuleForm, SurveyQuestionForm, SurveySettingsForm
from careloop.feedback.models import EmailRule, SurveyQuestion
from careloop.feedback.services import milestones, surveys
from careloop.people.http import employee


@requires(Action.MANAGE_FEEDBACK)
def survey_settings(request: HttpRequest) -> HttpResponse:
    rules = surveys.survey_settings()
    form = SurveySettingsForm(request.POST or None, instance=rules, prefix="rules")
    question_form = SurveyQuestionForm(prefix="question")
    if request.method == "POST" and "question-text" in request.POST:
        question_form = SurveyQuestionForm(request.POST, prefix="question")
        if question_form.is_valid():
            question = question_form.save()
            record_audit(employee(request), "feedback.question_added", question)
            messages.success(request, "Question added.")
            return redirect("feedback:settings")
        form = SurveySettingsForm(instance=rules, prefix="rules")
    elif request.method == "POST" and form.is_valid():
        form.save()
        record_audit(employee(request), "feedback.settings_changed", rules)
        messages.success(request, "Survey rules saved.")
        return redirect("feedback:settings")
    return render(
        request,
        "feedback/settings.html",
        {"form": form, "question_form": question_form, "questions": SurveyQuestion.objects.all()},
    )


@requires(Action.MANAGE_FEEDBACK)
@require_POST
def question_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    question = get_object_or_404(SurveyQuestion, pk=pk)
    question.active = not question.active
    question.save(update_fields=["active"])
    messages.success(
        request, "Question " + ("switched on." if question.active else "switched off.")
    )
    return redirect("feedback:settings")


@requires(Action.MANAGE_FEEDBACK)
def email_rules(request: HttpRequest) -> HttpResponse:
    milestones.seed_default_rules()
    return render(
        request,
        "feedback/email_rules.html",
        {"rules": EmailRule.objects.all()},
    )


@requires(Action.MANAGE_FEEDBACK)
def email_rule_edit(request: HttpRequest, pk: int) -> HttpResponse:
    rule = get_object_or_404(EmailRule, pk=pk)
    form = EmailRuleForm(request.POST or None, instance=rule)
    if request.method == "POST" and form.is_valid():
        milestones.update_rule(
            rule,
            by=employee(request),
            subject=form.cleaned_data["subject"],
            body=form.cleaned_data["body"],
            enabled=form.cleaned_data["enabled"],
        )
        record_audit(employee(request), "feedback.template_changed", rule)
        messages.success(request, "Template saved.")
        return redirect("feedback:email-rules")
    sample = Customer(pk=0, full_name="Alex Example", email="alex@example.com")
    subject, body = milestones.render_rule(rule, sample, years=2)
    return render(
        request,
        "feedback/email_rule_form.html",
        {
            "rule": rule,
            "form": form,
            "preview_subject": subject,
            "preview_body": body,
            "placeholders": milestones.PLACEHOLDERS,
        },
    )
