"""The trainers' Rehearsals board (reads only): each trainee's place in the journey and the
refusals it met. Progress comes from the trainee's data through the same code as the stage
presets (`stages`) and the Transition page (`transfers.readiness`); refusals from its audit
events."""

import re
from dataclasses import dataclass, field

from django.db.models import Q

from api.error_codes import rule_violations
from core.models import AuditEvent, Outcome, Partner
from enrollment.models import DirectBillStatus, IndirectResellerEnrollment, IndirectStatus
from relationships.models import (
    GdapRelationship,
    GdapStatus,
    PartnershipStatus,
    ProviderPartnership,
)
from transfers import readiness

from . import stages, trainees
from .exceptions import StageError

LATEST_REFUSALS = 3
CODE = re.compile(r"^\[([a-z0-9_]+)\] ")


@dataclass
class Step:
    label: str
    done: bool
    detail: str = ""


@dataclass
class Refusal:
    occurred_at: object
    operation: str
    rule: str
    message: str


@dataclass
class TraineeRow:
    number: int
    key: str
    partner: Partner
    login: str
    stage: str | None
    stage_title: str
    steps: list[Step] = field(default_factory=list)
    refusal_count: int = 0
    refusals: list[Refusal] = field(default_factory=list)

    @property
    def steps_done(self) -> int:
        return sum(step.done for step in self.steps)


def _rules() -> dict[str, str]:
    return {cls.code: cls.rule for cls in rule_violations() if cls.rule}


def _count_step(label: str, done: int, whole: int) -> Step:
    return Step(label, bool(whole) and done == whole, f"{done} of {whole} customers")


def steps(trainee: Partner) -> list[Step]:
    """The journey's steps for one trainee, in order: restricted → enrolled as indirect
    reseller → partnership with a provider → relationships with a provider (extended or new) →
    MCA → GDAP → subscriptions transferred → direct bill closed."""
    status = trainee.direct_bill_enrollment.status
    enrolled = IndirectResellerEnrollment.objects.filter(
        partner=trainee, status=IndirectStatus.ACTIVE
    ).exists()
    providers = list(
        ProviderPartnership.objects.filter(reseller=trainee, status=PartnershipStatus.ACCEPTED)
        .order_by("provider__legal_name")
        .values_list("provider__legal_name", flat=True)
    )
    totals = readiness.totals(trainee)
    bars = {label: done for label, done, _percent in readiness.progress(totals)}
    n = totals["customers"]
    gdap = (
        readiness.customers_of_transitioning(trainee)
        .filter(
            pk__in=GdapRelationship.objects.filter(
                partner=trainee, status=GdapStatus.ACTIVE
            ).values("customer_id")
        )
        .count()
    )
    closed = status == DirectBillStatus.CLOSED
    return [
        Step("Direct-bill account restricted", status != DirectBillStatus.ACTIVE),
        Step("Enrolled as indirect reseller", enrolled),
        Step("Partnership with a provider", bool(providers), ", ".join(providers)),
        _count_step("Relationships with a provider", bars["With an indirect provider"], n),
        _count_step("MCA valid for the provider", bars["MCA valid for the provider"], n),
        _count_step("GDAP approved", gdap, n),
        Step(
            "Subscriptions transferred",
            bool(n) and bars["All subscriptions transferred"] == n,
            f"{bars['All subscriptions transferred']} of {n} customers, "
            f"{totals['subscriptions_left']} subscription(s) left",
        ),
        Step("Direct-bill closed", closed),
    ]


def refusals(trainee: Partner, rules: dict[str, str] | None = None) -> tuple[int, list[Refusal]]:
    """How many refusals the trainee met — as its own users, or as the admin of one of its
    customers (`admin@traineeNN-….example`) — and the latest few with their rule IDs."""
    rules = _rules() if rules is None else rules
    own_customers = f"{trainees.key(trainees.number_of(trainee))}-"
    events = AuditEvent.objects.filter(outcome=Outcome.REFUSED).filter(
        Q(actor__partner=trainee) | Q(actor__customer__tenant__domain__startswith=own_customers)
    )
    latest = []
    for event in events.order_by("-occurred_at", "-id")[:LATEST_REFUSALS]:
        match = CODE.match(event.detail)
        code = match.group(1) if match else ""
        latest.append(
            Refusal(
                occurred_at=event.occurred_at,
                operation=event.operation,
                rule=rules.get(code, ""),
                message=event.detail[match.end() :] if match else event.detail,
            )
        )
    return events.count(), latest


def board() -> list[TraineeRow]:
    """A row per trainee, by number."""
    rules = _rules()
    rows = []
    for trainee in trainees.partners().select_related("direct_bill_enrollment"):
        number = trainees.number_of(trainee)
        try:
            stage = stages.stage_of(trainees.cast(trainee))
        except StageError:  # the demo world it shares was erased under it
            stage = None
        count, latest = refusals(trainee, rules)
        rows.append(
            TraineeRow(
                number=number,
                key=trainees.key(number),
                partner=trainee,
                login=trainees.login_email(number),
                stage=stage,
                stage_title=stages.STAGES[stages.index_of(stage)].title if stage else "—",
                steps=steps(trainee),
                refusal_count=count,
                refusals=latest,
            )
        )
    return rows
