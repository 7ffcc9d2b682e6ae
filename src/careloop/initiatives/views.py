"""Initiative pages: thin, reading effects and money through the selectors."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from careloop.actions.models import ActionItem
from careloop.care.selectors import care_settings
from careloop.core import calendar
from careloop.core.csv_export import SafeCsvWriter
from careloop.core.permissions import Action, can, may, requires, restrict
from careloop.initiatives import report, selectors, services
from careloop.initiatives.forms import InitiativeForm, MoneySettingsForm
from careloop.initiatives.models import Initiative
from careloop.learning.models import LearningReview
from careloop.people.http import employee


def _initiative(request: HttpRequest, pk: int) -> Initiative:
    found = selectors.initiatives_for(request.user).filter(pk=pk).first()
    if found is None:
        raise Http404("No such initiative.")
    return found


@requires(Action.VIEW_INITIATIVES)
def initiatives(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "initiatives/list.html",
        {
            "initiatives": selectors.initiatives_for(request.user),
            "may_manage": can(request.user, Action.MANAGE_INITIATIVES),
        },
    )


def _readable_review(request: HttpRequest, pk: int | None) -> LearningReview:
    review = LearningReview.objects.filter(pk=pk or 0).first()
    if (
        review is None
        or not review.is_published
        or not may(request.user, Action.READ_LEARNING_REVIEWS, review)
    ):
        raise Http404("No such learning review.")
    return review


def _initial_from_source(request: HttpRequest) -> dict[str, object]:
    """Prefill from a learning review, or an action item (which may come from one)."""
    review_id = request.GET.get("learning_review", "")
    if review_id.isdigit():
        review = _readable_review(request, int(review_id))
        return {
            "name": review.title,
            "kind": Initiative.Kind.PROCESS,
            "teams": [review.team_id] if review.team_id else [],
            "start": calendar.today(),
            "source_kind": Initiative.SourceKind.LEARNING_REVIEW,
            "source_id": review.pk,
            "source_label": f"Learning review: {review.title}",
        }
    item_id = request.GET.get("action_item", "")
    if not item_id.isdigit():
        return {"start": calendar.today()}
    item = ActionItem.objects.filter(pk=int(item_id)).first()
    if item is None or not may(request.user, Action.SEE_ACTION_ITEMS, item):
        raise Http404("No such action item.")
    kind = {"training": "training", "process": "process"}.get(item.kind, "other")
    teams = [item.owner.team_id] if item.owner.team_id else []
    label = f"Action item: {item.title}"
    if item.source_label:
        label += f" ({item.get_source_kind_display()}: {item.source_label})"
    return {
        "name": item.title,
        "kind": kind,
        "teams": teams,
        "start": calendar.today(),
        "source_kind": Initiative.SourceKind.ACTION_ITEM,
        "source_id": item.pk,
        "source_label": label,
    }


@requires(Action.MANAGE_INITIATIVES)
def initiative_create(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = InitiativeForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            source_id = data.get("source_id")
            if data["source_kind"] == Initiative.SourceKind.ACTION_ITEM:
                item = ActionItem.objects.filter(pk=source_id or 0).first()
                if item is None or not may(request.user, Action.SEE_ACTION_ITEMS, item):
                    raise PermissionDenied("That action item is not yours to promote.")
            if data["source_kind"] == Initiative.SourceKind.LEARNING_REVIEW:
                _readable_review(request, source_id)
            try:
                initiative = services.create_initiative(
                    services.InitiativeDraft(
                        name=data["name"],
                        kind=data["kind"],
                        description=data["description"],
                        teams=data["teams"],
                        start=data["start"],
                        end=data["end"],
                        cost_amount=data["cost_amount"],
                        cost_hours=data["cost_hours"],
                        outcomes=data["outcomes"],
                        source_kind=data["source_kind"] or "",
                        source_id=source_id,
                        source_label=data["source_label"] or "",
                    ),
                    created_by=employee(request),
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                return redirect("initiatives:initiative", pk=initiative.pk)
        status = 422
    else:
        form = InitiativeForm(initial=_initial_from_source(request))
        status = 200
    return render(request, "initiatives/form.html", {"form": form}, status=status)


@requires(Action.VIEW_INITIATIVES)
def initiative_detail(request: HttpRequest, pk: int) -> HttpResponse:
    initiative = _initiative(request, pk)
    effects = selectors.effects_of(initiative)
    panels = [
        {
            "effect": effect,
            # The SVG is reportlab's rendering of our own figures and labels (escaped there).
            "before_after": mark_safe(report.svg(report.before_after_chart(effect))),  # noqa: S308
            "interval": mark_safe(report.svg(report.interval_chart(effect))),  # noqa: S308
            "waterfall": (
                mark_safe(report.svg(report.waterfall_chart(steps)))  # noqa: S308
                if (steps := report.money_steps(effect))
                else None
            ),
        }
        for effect in effects
    ]
    return render(
        request,
        "initiatives/detail.html",
        {
            "initiative": initiative,
            "panels": panels,
            "unmeasurable": selectors.unmeasurable(initiative),
            "currency": care_settings().currency,
        },
    )


@requires(Action.VIEW_INITIATIVES)
def initiative_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    initiative = _initiative(request, pk)
    body = report.initiative_pdf(
        initiative, selectors.effects_of(initiative), care_settings().currency
    )
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="initiative-{initiative.pk}.pdf"'
    return response


@requires(Action.VIEW_INITIATIVES)
def initiative_csv(request: HttpRequest, pk: int) -> HttpResponse:
    initiative = _initiative(request, pk)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="initiative-{initiative.pk}.csv"'
    writer = SafeCsvWriter(response)
    effects = selectors.effects_of(initiative)
    writer.writerow(
        ["outcome", "effect", "low", "high", "treated_teams", "comparison_teams",
         "pre_months", "post_months", "pre_trend", "pre_trend_low", "pre_trend_high",
         "net_return", "net_return_low", "net_return_high", "reading"]
    )  # fmt: skip
    for effect in effects:
        estimate, trend, returns = effect.result.effect, effect.result.pre_trend, effect.returns
        writer.writerow(
            [effect.outcome.key, estimate.value, estimate.low, estimate.high,
             estimate.treated_teams, estimate.comparison_teams, estimate.pre_months,
             estimate.post_months, trend.value, trend.low, trend.high,
             returns.net if returns else "", returns.net_low if returns else "",
             returns.net_high if returns else "", effect.reading]
        )  # fmt: skip
    writer.writerow([])
    writer.writerow(["month", "outcome", "with_initiative", "comparison"])
    for effect in effects:
        for month, treated, comparison in effect.result.series:
            writer.writerow([f"{month:%Y-%m}", effect.outcome.key, treated, comparison])
    return response


@requires(Action.VIEW_INITIATIVES)
def money_page(request: HttpRequest) -> HttpResponse:
    overview = selectors.money_overview()
    form = MoneySettingsForm(instance=overview.settings)
    may_manage = can(request.user, Action.MANAGE_INITIATIVES)
    if request.method == "POST":
        if not may_manage:
            raise PermissionDenied("Your role does not allow: manage_initiatives")
        form = MoneySettingsForm(request.POST, instance=selectors.money_settings())
        if form.is_valid():
            data = form.cleaned_data
            services.update_money_settings(form.instance, actor=employee(request), **data)
            return redirect("initiatives:money")
    inaction = overview.inaction
    waterfall = report.waterfall_chart(
        [
            ("Turnover", -inaction.turnover),
            ("Unrecovered", -(inaction.unrecovered_loss or Decimal(0))),
            ("Total", -inaction.total),
        ]
    )
    return render(
        request,
        "initiatives/money.html",
        {
            "overview": overview,
            "form": form,
            "may_manage": may_manage,
            "waterfall": mark_safe(report.svg(waterfall)),  # noqa: S308
            "ideas": selectors.idea_output(),
            "currency": care_settings().currency,
        },
        status=422 if form.errors else 200,
    )


MAX_IMPORT_BYTES = 5 * 1024 * 1024


@requires(Action.MANAGE_INITIATIVES)
@require_POST
def customer_values_import(request: HttpRequest) -> HttpResponse:
    """Per-customer annual values from the shop or CRM, as `email,annual_value` CSV."""
    upload = request.FILES.get("file")
    if upload is None or upload.size is None or upload.size > MAX_IMPORT_BYTES:
        return render(
            request,
            "initiatives/import_result.html",
            {"errors": ["Choose a CSV file of at most 5 MB."], "imported": 0},
            status=400,
        )
    try:
        raw = upload.read().decode("utf-8")
    except UnicodeDecodeError:
        return render(
            request,
            "initiatives/import_result.html",
            {"errors": ["The file is not UTF-8 text."], "imported": 0},
            status=400,
        )
    received = services.import_customer_values(raw, by=employee(request))
    return render(
        request,
        "initiatives/import_result.html",
        {"errors": received.errors, "imported": received.imported},
        status=422 if received.errors else 200,
    )


@requires(Action.VIEW_INITIATIVES)
def quarterly_pdf(request: HttpRequest) -> HttpResponse:
    listed = [
        (initiative, selectors.effects_of(initiative))
        for initiative in restrict(Initiative.objects.all(), request.user, Action.VIEW_INITIATIVES)
    ]
    body = report.quarterly_pdf(
        selectors.money_overview(),
        listed,
        selectors.idea_output(),
        care_settings().currency,
        calendar.today(),
    )
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="quarterly-summary.pdf"'
    return response
