"""Monitoring pages ("where is it stuck, and why"), the public statistics and the survey."""

import csv
from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.models import Region, Role
from agencies.permissions import role_required
from applications.models import Application, Status
from applications.selectors import file_rows
from applications.sla.clock import stage_clock_context
from applications.timeline import history_html
from monitoring import selectors
from monitoring.charts import bar_chart
from monitoring.forms import PeriodForm, SurveyForm
from monitoring.services import survey_check, survey_submit
from oss.selectors import deliveries_of, region_connected
from ptsp.errors import DomainError
from ptsp.workdays import Calendar

MONITOR_ROLES = (Role.MONITOR, Role.SIGNER, Role.HEAD)
PUBLIC_STATS_SECONDS = 600


def _scope(request):
    scope = selectors.monitoring_scope(request.user)
    if scope is None:
        raise PermissionDenied
    return scope


def _period(request, region):
    """The chosen period (default: the last 30 days, in the region's time zone)."""
    today = Calendar(region).local(timezone.now()).date()
    default = {"start": today - timedelta(days=29), "end": today}
    if "start" in request.GET or "end" in request.GET:
        form = PeriodForm(request.GET)
        if form.is_valid():
            return form, form.cleaned_data["start"], form.cleaned_data["end"]
        return form, default["start"], default["end"]
    return PeriodForm(initial=default), default["start"], default["end"]


def _charts(figures):
    used = bar_chart(
        [
            {
                "label": f.agency.name,
                "value": f.median_used,
                "mark": f.budget,
                "alert": bool(f.budget and f.median_used and f.median_used > f.budget),
            }
            for f in figures
        ],
        title=_("Median working days used (line: budget)"),
    )
    overdue = bar_chart(
        [{"label": f.agency.name, "value": f.overdue, "alert": f.overdue > 0} for f in figures],
        title=_("Overdue reviews now"),
    )
    return {"chart_used": used, "chart_overdue": overdue}


@role_required(*MONITOR_ROLES)
def dashboard(request):
    """Per OPD: open and overdue reviews, median and 90th percentile of working days used
    against the budget, share within SLA over a period, IKM; the overdue files; charts."""
    scope = _scope(request)
    form, start, end = _period(request, scope.region)
    now = timezone.now()
    figures = selectors.agency_figures(scope, start=start, end=end, now=now)
    context = {
        "scope": scope,
        "oss_connected": scope.whole_region and region_connected(scope.region),
        "form": form,
        "start": start,
        "end": end,
        "figures": figures,
        "overdue": selectors.overdue_reviews(scope, now=now),
        "legal_at_risk": selectors.legal_at_risk(scope, now=now),
        "legal_months": selectors.legal_report(scope, start=start, end=end),
        "ikm_types": selectors.ikm_by_permit_type(scope.region, start=start, end=end)
        if scope.whole_region
        else [],
        **_charts(figures),
    }
    return render(request, "monitoring/dashboard.html", context)


@role_required(*MONITOR_ROLES)
def agency_detail(request, pk: int):
    """Drill-down to one OPD: its figures and its open reviews with their clocks."""
    scope = _scope(request)
    agency = next((a for a in scope.agencies if a.pk == pk), None)
    if agency is None:
        raise Http404
    form, start, end = _period(request, scope.region)
    now = timezone.now()
    one = selectors.Scope(region=scope.region, agencies=[agency], whole_region=False)
    figures = selectors.agency_figures(one, start=start, end=end, now=now)[0]
    return render(
        request,
        "monitoring/agency.html",
        {
            "agency": agency,
            "form": form,
            "start": start,
            "end": end,
            "f": figures,
            "reviews": selectors.open_reviews_of(agency, now=now),
        },
    )


@role_required(*MONITOR_ROLES)
def file_detail(request, pk: int):
    """Drill-down to one file: its stage clocks and its history. Monitors and signers see
    their region's files; an OPD head those routed to their agency."""
    scope = _scope(request)
    files = Application.objects.filter(region=scope.region).exclude(status=Status.DRAFT)
    if not scope.whole_region:
        files = files.filter(reviews__agency__in=scope.agencies).distinct()
    application = get_object_or_404(
        files.select_related("permit_type", "region", "catalog_version"), pk=pk
    )
    # The history and the clocks read the same rows: the file's events and reviews, once.
    events, reviews = file_rows(application)
    return render(
        request,
        "monitoring/file.html",
        {
            "application": application,
            "events": events,
            # Rendered once per change of the file and language (applications/_history.html).
            "history_html": history_html(application, events),
            "show_assignee": True,
            # What OSS was told about the file (only files that came from OSS have any).
            "oss_deliveries": deliveries_of(application.pk),
            "oss_next": "application",
            **stage_clock_context(application, events=events, reviews=reviews),
        },
    )


@role_required(*MONITOR_ROLES)
def export_csv(request):
    """The dashboard figures (kind=agencies, default), the overdue files (kind=overdue) or the
    legal-deadline report per OPD and month (kind=legal, issue 18)."""
    scope = _scope(request)
    _form, start, end = _period(request, scope.region)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    kind = request.GET.get("kind", "agencies")
    response["Content-Disposition"] = (
        f'attachment; filename="sla-{kind}-{scope.region.code}-{start}-{end}.csv"'
    )
    writer = csv.writer(response)
    if kind == "legal":
        writer.writerow(
            [
                "agency",
                "month",
                "decided",
                "within_legal_deadline",
                "within_legal_percent",
                "within_internal_budget",
                "within_internal_percent",
                "deemed_approvals",
            ]
        )
        for m in selectors.legal_report(scope, start=start, end=end):
            writer.writerow(
                [
                    m.agency.code,
                    m.month.strftime("%Y-%m"),
                    m.decided,
                    m.within_legal,
                    "" if m.legal_share is None else m.legal_share,
                    m.within_internal,
                    "" if m.internal_share is None else m.internal_share,
                    m.deemed,
                ]
            )
        return response
    if kind == "overdue":
        writer.writerow(
            ["tracking_number", "agency", "assignee", "due_at", "working_days_late", "last_action"]
        )
        for r in selectors.overdue_reviews(scope, limit=5000):
            writer.writerow(
                [
                    r.application.tracking_number,
                    r.agency.code,
                    r.assignee.full_name if r.assignee else "",
                    timezone.localtime(r.due_at).isoformat(),
                    r.days_late,
                    r.last_action or "",
                ]
            )
        return response
    writer.writerow(
        [
            "agency",
            "open",
            "overdue",
            "waiting_for_applicant",
            "finished",
            "within_sla",
            "within_sla_percent",
            "median_working_days",
            "p90_working_days",
            "budget_working_days",
            "ikm",
            "period_start",
            "period_end",
        ]
    )
    for f in selectors.agency_figures(scope, start=start, end=end):
        writer.writerow(
            [
                f.agency.code,
                f.open,
                f.overdue,
                f.waiting,
                f.finished,
                f.on_time,
                "" if f.on_time_share is None else f.on_time_share,
                "" if f.median_used is None else f.median_used,
                "" if f.p90_used is None else f.p90_used,
                "" if f.budget is None else round(f.budget, 1),
                "" if f.ikm is None else f.ikm,
                start.isoformat(),
                end.isoformat(),
            ]
        )
    return response


def public_stats(request):
    """Public service statistics per permit type of a region (no personal data)."""
    regions = list(Region.objects.filter(is_active=True).order_by("name"))
    if not regions:
        return render(request, "monitoring/public_stats.html", {"regions": []})
    code = request.GET.get("region") or regions[0].code
    region = next((r for r in regions if r.code == code), None)
    if region is None:
        raise Http404
    form, start, end = _period(request, region)
    if "start" not in request.GET:
        end = Calendar(region).local(timezone.now()).date()
        start = end - timedelta(days=364)
        form = PeriodForm(initial={"start": start, "end": end})
    # Public figures need not be live: computed at most every ten minutes per region and period.
    key = f"public-stats:{region.pk}:{start}:{end}"
    rows = cache.get(key)
    if rows is None:
        rows = selectors.public_statistics(region, start=start, end=end)
        cache.set(key, rows, PUBLIC_STATS_SECONDS)
    return render(
        request,
        "monitoring/public_stats.html",
        {
            "regions": regions,
            "region": region,
            "rows": rows,
            "form": form,
            "start": start,
            "end": end,
        },
    )


@login_required
def survey(request, pk: int):
    """The applicant's satisfaction survey for one issued file (404 for other people's)."""
    application = get_object_or_404(
        Application.objects.select_related("permit_type"), pk=pk, applicant=request.user
    )
    try:
        survey_check(application=application, actor=request.user)
    except DomainError as error:
        messages.info(request, error.message)
        return redirect("applications:my_applications")
    form = SurveyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        comment = data.pop("comment", "")
        try:
            survey_submit(
                application_id=application.pk, actor=request.user, scores=data, comment=comment
            )
        except DomainError as error:
            messages.error(request, error.message)
            return redirect("applications:my_applications")
        messages.success(request, _("Thank you for rating our service."))
        return redirect("applications:my_applications")
    return render(request, "monitoring/survey.html", {"application": application, "form": form})
