"""The integration sandbox (DB-2, TX-2)."""

from django.db import transaction

from core import audit, clock
from core.models import Partner, Role, User
from core.roles import require_role

from ..exceptions import SandboxExists
from ..models import Sandbox
from ..selectors import check_sandbox_allowed
from .guards import locked_partner


@audit.refusals("sandbox.create")
def sandbox_create(*, actor: User, partner: Partner) -> Sandbox:
    """DB-2/TX-2: a Global admin creates the integration sandbox; refused while the direct-bill
    account is Restricted (or Closed), and for partners without direct-bill (providers may)."""
    require_role(actor, Role.GLOBAL_ADMIN, Role.ADMIN_AGENT)
    with transaction.atomic():
        locked = locked_partner(partner)
        check_sandbox_allowed(partner=locked)
        if Sandbox.objects.filter(partner=locked, deleted_at__isnull=True).exists():
            raise SandboxExists()
        sandbox = Sandbox.objects.create(
            partner=locked,
            name=f"{locked.legal_name} integration sandbox",
            created_by=actor,
            created_at=clock.now(),
        )
        audit.record(
            actor=actor,
            partner=locked,
            operation="sandbox.create",
            obj=sandbox,
            new_state="created",
        )
    return sandbox
