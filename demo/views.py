"""The staff "Demo world" page: where the demo world is in the journey, and a reset to a stage
that trainers use to start a rehearsal at any step."""

from django.contrib import messages
from django.contrib.auth import login
from django.shortcuts import redirect, render
from django.urls import reverse

from core import refusals
from core.exceptions import RuleViolation
from core.models import User
from core.roles import staff_required

from . import rehearsals as rehearsals_board
from . import services, stages, trainees, world
from .exceptions import StageError
from .forms import ResetForm, TraineeResetForm, TraineesSeedForm


@staff_required
def demo_world(request):
    form = ResetForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        stage = form.cleaned_data["stage"]
        email = request.user.email
        try:
            stages.reset_to(stage, actor_email=email)
        except StageError as error:
            refusals.refuse_in_form(
                form, StageError(f"The demo world was not reset (nothing changed): {error}")
            )
        else:
            _sign_in_again(request, email)
            title = stages.STAGES[stages.index_of(stage)].title
            messages.success(request, f"The demo world was rebuilt at stage “{title}”.")
            return redirect("demo_world")
    current = stages.current_stage()
    reached = stages.index_of(current) if current else -1
    rows = [(stage, index <= reached) for index, stage in enumerate(stages.STAGES)]
    return render(request, "demo/world.html", {"form": form, "rows": rows, "current": current})


def _sign_in_again(request, email):
    """The reset erased every session; the staff member who asked stays signed in (staff
    accounts without an organisation survive the reset)."""
    request.session.flush()
    user = User.objects.filter(email=email, is_active=True).first()
    if user is not None:
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")


# --- Rehearsals: the trainers' board of a class of trainees --------------------------------------


@staff_required
def rehearsals(request):
    """Each trainee's progress through the journey and the refusals it met; adds trainees."""
    form = TraineesSeedForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        count = form.cleaned_data["count"]
        try:
            services.demo_trainees_seed(actor=request.user, count=count)
        except RuleViolation as refusal:
            refusals.refuse_in_form(form, refusal)
        else:
            messages.success(
                request,
                f"The class has trainees 01 to {count:02d}; each signs in as "
                f"traineeNN@contoso.example with the demo password {world.DEMO_PASSWORD}.",
            )
            return redirect("rehearsals")
    rows = rehearsals_board.board()
    return render(
        request,
        "demo/rehearsals.html",
        {
            "form": form,
            "rows": rows,
            "stages": stages.STAGES,
            "password": world.DEMO_PASSWORD,
            "crumbs": [("Rehearsals", None)],
        },
    )


@staff_required
def rehearsal_reset(request):
    """Confirm, then rebuild one trainee's world at a stage (the others are untouched)."""
    keys = [trainees.key(trainees.number_of(p)) for p in trainees.partners()]
    if request.method == "POST":
        form = TraineeResetForm(request.POST, trainees=keys)
    else:
        initial = {"trainee": request.GET.get("trainee", "")[:20]}
        form = TraineeResetForm(initial=initial, trainees=keys)
    if request.method == "POST" and form.is_valid():
        key, stage = form.cleaned_data["trainee"], form.cleaned_data["stage"]
        try:
            services.demo_trainee_reset(
                actor=request.user, number=int(key.removeprefix("trainee")), stage=stage
            )
        except RuleViolation as refusal:
            refusals.refuse_in_form(form, refusal)
        else:
            title = stages.STAGES[stages.index_of(stage)].title
            messages.success(request, f"{key}’s world was rebuilt at stage “{title}”.")
            return redirect("rehearsals")
    return render(
        request,
        "demo/rehearsal_reset.html",
        {
            "form": form,
            "crumbs": [("Rehearsals", reverse("rehearsals")), ("Reset a trainee", None)],
        },
    )
