"""Contact support (DB-1): partners ask support, e.g. to restrict direct-bill, and follow each
request as a thread."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect

from core import keyset, refusals
from core.exceptions import RoleRequired, RuleViolation
from core.roles import partner_required

from ..forms import SupportReplyForm, SupportRequestForm
from ..models import SupportRequest, SupportRequestStatus, SupportTopic
from ..services import support, support_threads
from .account import account_page


@partner_required()
def contact_support(request):
    """Contact support (DB-1): partners ask support, e.g. to restrict direct-bill."""
    partner = request.partner
    initial = {}
    if request.GET.get("topic") == SupportTopic.RESTRICT_DIRECT_BILL:
        initial = {
            "topic": SupportTopic.RESTRICT_DIRECT_BILL,
            "message": "Please restrict our direct-bill account: we are moving to the indirect "
            "reseller model.",
        }
    form = SupportRequestForm(request.POST if request.method == "POST" else None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                request_row = support.support_request_create(
                    actor=request.user, partner=partner, **form.cleaned_data
                )
            except RuleViolation as error:
                refusals.refuse_in_form(form, error)
            else:
                messages.success(
                    request,
                    f"Support request #{request_row.pk} is sent. Support will act on it and "
                    "close it; you'll see the result here and in your notifications.",
                )
                return redirect("contact_support")
        else:
            status = 400
    requests_page = keyset.paginate(
        request,
        SupportRequest.objects.filter(partner=partner).select_related("created_by"),
        size=20,
        salt="support_requests",
    )
    return account_page(
        request,
        "enrollment/contact_support.html",
        "contact_support",
        {"form": form, "page": requests_page},
        status=status,
    )


@partner_required()
def support_request_detail(request, pk):
    """One support request as a thread: the first message, the replies and support's answers,
    the resolution once closed; a Global admin or Admin agent replies while it is open."""
    can_reply = request.user.has_role(*support_threads.REPLY_ROLES)
    posting = request.method == "POST"
    if posting and not can_reply:
        raise PermissionDenied(str(RoleRequired(support_threads.REPLY_ROLES)))
    support_request = get_object_or_404(
        SupportRequest.objects.select_related("created_by"), pk=pk, partner=request.partner
    )
    form = SupportReplyForm(request.POST if posting else None)
    status = 200
    if posting:
        if form.is_valid():
            try:
                support_threads.support_request_reply(
                    actor=request.user,
                    request_id=support_request.pk,
                    body=form.cleaned_data["body"],
                )
            except RuleViolation as error:
                refusals.refuse_in_form(form, error)
                status = error.http_status if error.http_status in (400, 409) else 200
            else:
                messages.success(request, "Your message is sent to support.")
                return redirect("support_request_detail", pk=support_request.pk)
        else:
            status = 400
    return account_page(
        request,
        "enrollment/support_request.html",
        "contact_support",
        {
            "support_request": support_request,
            "thread": support_request.thread.select_related("author"),
            "form": form,
            "can_reply": can_reply and support_request.status == SupportRequestStatus.OPEN,
        },
        crumb=f"Request #{support_request.pk}",
        status=status,
    )
