"""The simulation clock is bounded (AC-6): it only moves forward, never past the real date plus
`CLOCK_MAX_YEARS_AHEAD` years, from every entry point; an offset stored beyond the bound (old
data) reads as the bound; staff can reset it to real time (audited); the clock page's `next=`
stays on this site."""

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from api.services import api_token_create
from core import clock, services, sweep
from core.exceptions import ClockBackwards, ClockBeyondBound
from core.models import AuditEvent, SimulationClock
from core.services import clock_advance
from tests import factories as f

pytestmark = pytest.mark.django_db

FAR_FUTURE = "9999-12-31T00:00"


def bound_named(text: str) -> bool:
    return f"{clock.bound():%d %b %Y}" in text and "10 years" in text


@pytest.mark.rule("AC-6")
def test_ac6_bound_is_ten_years_after_the_real_date():
    real = timezone.now()
    assert clock.bound(real=real) == real.replace(year=real.year + 10)
    leap_day = real.replace(year=2028, month=2, day=29)
    assert clock.bound(real=leap_day) == leap_day.replace(year=2038, day=28)


@pytest.mark.rule("AC-6")
def test_ac6_clock_refuses_a_jump_past_the_bound_naming_it(staff):
    """AC-6: a jump to the bound + 1 day is refused with the bound named; nothing changes."""
    with pytest.raises(ClockBeyondBound) as refused:
        clock_advance(actor=staff, delta=clock.bound() + timedelta(days=1) - clock.now())
    assert refused.value.rule == "AC-6" and bound_named(str(refused.value))
    with pytest.raises(ClockBeyondBound):
        services.clock_advance(actor=staff, delta=timedelta(days=999_999_999))  # no overflow
    assert clock.offset() == timedelta(0)
    assert not AuditEvent.objects.filter(operation="clock.advance", outcome="success").exists()
    assert AuditEvent.objects.filter(operation="clock.advance", outcome="refused").count() == 2


@pytest.mark.rule("AC-6")
def test_ac6_clock_moves_up_to_just_below_the_bound(staff):
    """AC-6: the allowed path: a jump to a day before the bound, then one past it refused."""
    target = clock.bound() - timedelta(days=1)
    new = clock_advance(actor=staff, delta=target - clock.now())
    assert target <= new < target + timedelta(minutes=1)
    offset = clock.offset()
    with pytest.raises(ClockBeyondBound):
        clock_advance(actor=staff, delta=timedelta(days=2))
    assert clock.offset() == offset


@pytest.mark.rule("AC-6")
def test_ac6_backwards_is_refused_as_an_ac6_violation(staff):
    with pytest.raises(ClockBackwards) as refused:
        services.clock_advance(actor=staff, delta=timedelta(seconds=-1))
    assert refused.value.rule == "AC-6"
    assert clock.offset() == timedelta(0)


@pytest.mark.rule("AC-6")
def test_ac6_clock_page_refuses_9999_naming_the_bound(client, staff):
    client.force_login(staff)
    response = client.post(reverse("clock"), {"to": FAR_FUTURE})
    assert response.status_code == 200
    assert bound_named(response.content.decode())
    assert clock.offset() == timedelta(0)


@pytest.mark.rule("AC-6")
def test_ac6_clock_page_refuses_days_past_the_bound(client, staff):
    clock_advance(actor=staff, delta=clock.bound() - timedelta(days=1) - clock.now())
    offset = clock.offset()
    client.force_login(staff)
    response = client.post(reverse("clock"), {"days": "2"})
    assert response.status_code == 200 and bound_named(response.content.decode())
    assert clock.offset() == offset


@pytest.mark.rule("AC-6")
def test_ac6_admin_clock_move_refuses_9999_naming_the_bound(client, staff):
    client.force_login(staff)
    response = client.post(reverse("admin:clock_move"), {"to": FAR_FUTURE})
    assert response.status_code == 302
    assert any(bound_named(str(m)) for m in get_messages(response.wsgi_request))
    assert clock.offset() == timedelta(0)


@pytest.mark.rule("AC-6")
def test_ac6_admin_cannot_edit_the_clock_offset(client, staff):
    """AC-6: the admin's change form would write any offset: it is not there."""
    clock_advance(actor=staff, delta=timedelta(hours=1))
    offset = clock.offset()
    client.force_login(staff)
    url = reverse("admin:partnerportal_simulationclock_change", args=[1])
    response = client.post(url, {"offset": "2920000 00:00:00"})
    assert response.status_code == 403
    assert clock.offset() == offset


@pytest.mark.rule("AC-6")
def test_ac6_offset_stored_beyond_the_bound_reads_as_the_bound(client, staff, caplog):
    """AC-6: a clock row written before the bound existed (9999-12-31) doesn't take sign-in,
    the pages, tokens or the sweep down: business time reads as the bound, and it's logged."""
    SimulationClock.objects.update_or_create(
        pk=1,
        defaults={"offset": timezone.make_aware(timezone.datetime(9999, 12, 30)) - timezone.now()},
    )
    assert clock.bound() - timedelta(seconds=5) <= clock.now() <= clock.bound()
    assert "passes the AC-6 bound" in caplog.text
    user = f.UserFactory()
    response = client.post(reverse("login"), {"username": user.email, "password": f.PASSWORD})
    assert response.status_code == 302 and client.session["_auth_user_id"] == str(user.pk)
    assert client.get(reverse("home")).status_code == 200
    _, raw = api_token_create(actor=user, name="After the jump")
    assert raw
    assert all(fired >= 0 for fired in sweep.run_sweep().values())
    client.force_login(staff)
    assert client.get(reverse("clock")).status_code == 200


@pytest.mark.rule("AC-6")
def test_ac6_staff_reset_the_clock_to_real_time_audited(client, staff):
    """AC-6's one exception: staff reset the clock to real time (confirmed), audited."""
    clock_advance(actor=staff, delta=timedelta(days=40))
    client.force_login(staff)
    response = client.post(reverse("clock"), {"reset": "1"})  # not confirmed
    assert response.status_code == 200 and b"Tick the box to confirm the reset." in response.content
    assert clock.offset() >= timedelta(days=40)
    response = client.post(reverse("clock"), {"reset": "1", "confirm": "on"})
    assert response.status_code == 302
    assert clock.offset() == timedelta(0)
    event = AuditEvent.objects.get(operation="clock.reset")
    assert event.actor == staff and event.outcome == "success"
    assert event.old_state > event.new_state


@pytest.mark.rule("AC-6")
def test_ac6_partner_cannot_reset_the_clock(client, make_user, staff):
    clock_advance(actor=staff, delta=timedelta(days=3))
    offset = clock.offset()
    client.force_login(make_user())
    response = client.post(reverse("clock"), {"reset": "1", "confirm": "on"})
    assert response.status_code == 403
    assert clock.offset() == offset


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)"]
)
def test_clock_page_next_to_another_site_is_ignored(client, staff, target):
    client.force_login(staff)
    response = client.post(reverse("clock"), {"days": "1", "next": target})
    assert response.status_code == 302 and response["Location"] == reverse("clock")


def test_clock_page_next_on_this_site_is_followed(client, staff):
    client.force_login(staff)
    response = client.post(reverse("clock"), {"days": "1", "next": reverse("home")})
    assert response.status_code == 302 and response["Location"] == reverse("home")
