"""The staff "Demo world" page: where the demo world is in the journey, and a reset to a stage
that trainers use to start a rehearsal at any step."""

from django.contrib import messages
from django.contrib.auth import login
from django.shortcuts import redirect, render

from partnerportal.models import User
from partnerportal.roles import staff_required

from . import stages
from .forms import ResetForm


@staff_required
def demo_world(request):
    form = ResetForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        stage = form.cleaned_data["stage"]
        email = request.user.email
        try:
            stages.reset_to(stage, actor_email=email)
        except stages.StageError as error:
            form.add_error(None, f"The demo world was not reset (nothing changed): {error}")
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
