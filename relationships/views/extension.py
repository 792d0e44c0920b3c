"""Pages of the reseller relationship extension (MV-2..MV-6): one customer, and the bulk
"Extend reseller relationships to an indirect provider" action. Thin: the services decide."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse

from core import refusals
from core.exceptions import RuleViolation
from core.models import Role
from core.roles import customer_for, customers_of, partner_required
from core.validators import parse_ids
from customers.mca import mca_valid_for

from .. import selectors
from ..forms import BulkExtensionForm, ExtensionForm
from ..services.extension import relationship_extend
from ..services.extension_bulk import relationship_extend_bulk

# One page of checkboxes (a search narrows it); beyond it the page offers "all my direct-bill
# customers", or the selection made on the customers list.
BULK_LIST_LIMIT = 50


def _url(names, *args):
    for name in names:
        try:
            return reverse(name, args=args)
        except NoReverseMatch:
            continue
    return ""


def _refuse_unless_listed(form, error, blockers) -> None:
    """`refuse_in_form`, unless the page already lists the same refusal among the blockers it
    renders above the form, so a refusal is said once."""
    if str(error) not in {str(blocker) for blocker in blockers}:
        refusals.refuse_in_form(form, error)


def _customers_url():
    return _url(["customer_list", "customers", "customers:list"])


def _customer_url(customer):
    return _url(["customer_detail", "customers:detail"], customer.pk)


@partner_required(Role.ADMIN_AGENT)
def extension_create(request, customer_id):
    """Extend the relationship with one direct-bill customer to an indirect provider."""
    partner = request.partner
    customer = customer_for(partner, customer_id)  # AC-2: another partner's customer is a 404
    providers = selectors.extension_providers(reseller=partner)
    form = ExtensionForm(
        request.POST if request.method == "POST" else None,
        providers=providers,
        initial={"consent_given_by": customer.contact_name},
    )
    if request.method == "POST" and form.is_valid():
        try:
            extension = relationship_extend(
                actor=request.user, customer=customer, **form.service_kwargs()
            )
        except RuleViolation as error:
            _refuse_unless_listed(
                form, error, selectors.extension_blockers(partner=partner, customer=customer)
            )
        else:
            provider = extension.provider
            text = (
                f"{provider.legal_name} now has a reseller relationship with "
                f"{customer.company_name}, without admin privileges, and a copy of its bill-to "
                "information."
            )
            if not extension.mca_valid_for_provider:
                text += (
                    " The Microsoft Customer Agreement is not valid for the provider yet: your "
                    "attestation isn't retained, so the provider must attest or the customer "
                    "accept it in the admin center."
                )
            messages.success(request, text)
            return redirect("relationship_extend", customer_id=customer.pk)
    relationships = selectors.relationships_with(partner=partner, customer=customer)
    provider_mca = [(p, mca_valid_for(customer=customer, partner=p)) for p in providers]
    customer_url = _customer_url(customer)
    return render(
        request,
        "relationships/extension_form.html",
        {
            "customer": customer,
            "form": form,
            "bill_to": customer.bill_to(),
            "relationships": relationships,
            "blockers": selectors.extension_blockers(partner=partner, customer=customer),
            "provider_mca": provider_mca,
            "mca_valid_for_you": mca_valid_for(customer=customer, partner=partner),
            "customer_url": customer_url,
            "crumbs": [
                ("Customers", _customers_url()),
                (customer.company_name, customer_url),
                ("Extend relationship", None),
            ],
        },
    )


@partner_required(Role.ADMIN_AGENT)
def extension_bulk(request):
    """Choose customers, provider and consent; start the bulk job and show its progress."""
    partner = request.partner
    providers = selectors.extension_providers(reseller=partner)
    direct = selectors.direct_customers(partner=partner)
    # The customers list posts only its selection ("customer_ids", form #customers-bulk): that
    # opens this page with the customers preselected; the page's own form carries "scope".
    submitted = request.method == "POST" and "scope" in request.POST
    if submitted:
        form = BulkExtensionForm(request.POST, providers=providers, customers=customers_of(partner))
    else:
        source = request.POST if request.method == "POST" else request.GET
        preselected = parse_ids(source.getlist("customer_ids") + source.getlist("customers"))
        form = BulkExtensionForm(
            providers=providers,
            customers=customers_of(partner),
            initial={
                "customers": preselected,
                "scope": BulkExtensionForm.SCOPE_SELECTED
                if preselected
                else BulkExtensionForm.SCOPE_ALL,
            },
        )
    if submitted and form.is_valid():
        data = form.cleaned_data
        if data["scope"] == BulkExtensionForm.SCOPE_ALL:
            ids = list(direct.values_list("pk", flat=True))
        else:
            ids = [c.pk for c in data["customers"]]
        try:
            job = relationship_extend_bulk(
                actor=request.user,
                customer_ids=ids,
                back_url=reverse("relationship_extend_bulk"),
                **form.service_kwargs(),
            )
        except RuleViolation as error:
            _refuse_unless_listed(form, error, selectors.extension_blockers(partner=partner))
        else:
            messages.success(
                request,
                f"Extending the reseller relationships of {job.total} customer(s) to "
                f"{data['provider'].legal_name}. Each customer's result appears below; running "
                "it again is safe.",
            )
            return redirect("bulk_job", job.pk)
    checked = {str(v) for v in (form["customers"].value() or [])}
    direct_count = direct.count()
    q = request.GET.get("q", "").strip()[:100]
    shown = direct.filter(company_name__icontains=q) if q else direct
    listed = list(shown.values("pk", "company_name")[:BULK_LIST_LIMIT])
    listed_ids = {str(row["pk"]) for row in listed}
    # Customers preselected on the customers list but not listed here (e.g. indirect ones):
    # they stay selected, and the job reports why each is refused.
    extra = checked - listed_ids
    if extra:
        listed += list(
            customers_of(partner).filter(pk__in=parse_ids(extra)).values("pk", "company_name")
        )
    return render(
        request,
        "relationships/extension_bulk.html",
        {
            "form": form,
            "direct_count": direct_count,
            "listed": [dict(row, checked=str(row["pk"]) in checked) for row in listed],
            "more": max(0, direct_count - len(listed)) if not q else 0,
            "q": q,
            "blockers": selectors.extension_blockers(partner=partner),
            "crumbs": [
                ("Customers", _customers_url()),
                ("Extend reseller relationships to an indirect provider", None),
            ],
        },
    )
