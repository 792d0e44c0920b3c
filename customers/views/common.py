"""What the customer page's actions share: back to the page's section, a form's errors as a
message. Refusals are answered by `core.refusals.refuse` (back to the section)."""

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse

from core.wording import join_clauses


def section_url(customer, anchor=""):
    """The customer page, at one of its sections (`#subscriptions`)."""
    return reverse("customer_detail", args=[customer.pk]) + anchor


def back_to(customer, anchor=""):
    return redirect(section_url(customer, anchor))


def form_errors(request, form, customer, anchor=""):
    errors = join_clauses(str(e) for field_errors in form.errors.values() for e in field_errors)
    messages.error(request, f"{errors}." if errors else "Check the form.")
    return back_to(customer, anchor)
