"""The demo world's cast: its organisations and the people who act in the transition journey
(support, Contoso's Global admin and Admin agent, Fabrikam's admin)."""

from dataclasses import dataclass

from core.models import Customer, Partner, RelationshipKind, User


@dataclass
class Cast:
    """The demo world's organisations and the people who act in the journey."""

    contoso: Partner
    fabrikam: Partner
    northwind: Partner
    support: User
    contoso_admin: User  # Grace Global, Global admin
    contoso_agent: User  # Adam Agent, Admin agent
    fabrikam_admin: User  # Fiona Fabrikam, Global admin and Admin agent

    @property
    def customers(self) -> list:
        """Contoso's customers (direct-bill or, later, indirect), in creation order."""
        return list(
            Customer.objects.filter(
                relationships__partner=self.contoso,
                relationships__ended_at__isnull=True,
                relationships__kind__in=[
                    RelationshipKind.DIRECT,
                    RelationshipKind.INDIRECT_RESELLER,
                ],
            ).order_by("id")
        )


def cast() -> Cast | None:
    """The demo world's cast, or None when the demo world isn't there."""
    partners = {
        p.tenant.domain: p
        for p in Partner.objects.select_related("tenant").filter(
            tenant__domain__in=["contoso.example", "fabrikam.example", "northwind.example"]
        )
    }
    emails = [
        "support@portal.example",
        "globaladmin@contoso.example",
        "agent@contoso.example",
        "admin@fabrikam.example",
    ]
    users = {u.email: u for u in User.objects.select_related("partner").filter(email__in=emails)}
    if len(partners) < 3 or len(users) < len(emails):
        return None
    return Cast(
        contoso=partners["contoso.example"],
        fabrikam=partners["fabrikam.example"],
        northwind=partners["northwind.example"],
        support=users[emails[0]],
        contoso_admin=users[emails[1]],
        contoso_agent=users[emails[2]],
        fabrikam_admin=users[emails[3]],
    )
