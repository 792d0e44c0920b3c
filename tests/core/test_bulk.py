"""Bulk jobs: progress, a result per item, refusals recorded, reruns safe."""

import pytest
from django.urls import reverse

from partnerportal import bulk
from partnerportal.exceptions import RuleViolation
from partnerportal.models import BulkJob, JobStatus
from tests import factories as f

pytestmark = pytest.mark.django_db

calls = []


@bulk.handler("test.echo", labels=lambda ids: {i: f"Item {i}" for i in ids})
def echo(job, item):
    calls.append(item)
    if item == "bad":
        raise RuleViolation("Bad item refused.")
    return f"Processed {item}."


def test_bulk_job_runs_each_item_once_and_records_refusals(client):
    calls.clear()
    user = f.UserFactory()
    job = bulk.start(
        kind="test.echo", actor=user, items=["a", "bad", "c"], params={"title": "Echo"}
    )
    bulk.run(job.pk)  # eager mode ran it on commit already, or this runs it now
    bulk.run(job.pk)  # a rerun does nothing more
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.processed == 3 and job.percent == 100
    assert sorted(calls) == ["a", "bad", "c"]
    assert job.results["a"] == {"ok": True, "message": "Processed a."}
    assert (
        job.results["bad"]["ok"] is False and job.results["bad"]["message"] == "Bad item refused."
    )
    client.force_login(user)
    page = client.get(reverse("bulk_job", args=[job.pk])).content.decode()
    assert (
        "Item bad" in page and "Bad item refused." in page and 'data-testid="job-progress"' in page
    )
    assert (
        client.get(reverse("bulk_job", args=[job.pk]), {"format": "json"}).json()["percent"] == 100
    )


def test_resumed_job_skips_items_already_done():
    calls.clear()
    job = f.BulkJobFactory(
        kind="test.echo",
        params={"items": ["a", "b"]},
        total=2,
        results={"a": {"ok": True, "message": "earlier"}},
        processed=1,
        status=JobStatus.RUNNING,
    )
    bulk.run(job.pk)
    job.refresh_from_db()
    assert calls == ["b"] and job.results["a"]["message"] == "earlier" and job.processed == 2


def test_another_partners_job_is_not_found(client):
    job = f.BulkJobFactory(kind="test.echo")
    client.force_login(f.UserFactory())
    assert client.get(reverse("bulk_job", args=[job.pk])).status_code == 404
    assert BulkJob.objects.count() == 1


chunks = []


@bulk.handler("test.batch", batch=True)
def echo_chunk(job, items):
    chunks.append(list(items))
    if "all-bad" in items:
        raise RuleViolation("The whole chunk is refused.")
    return {
        i: RuleViolation(f"{i} refused.") if i.startswith("bad") else f"Did {i}." for i in items
    }


def test_batch_handler_runs_chunks_and_records_each_items_outcome(monkeypatch):
    """A set-based handler gets the items a chunk at a time; each item gets its own result; a
    rerun after a partial run does only the rest."""
    monkeypatch.setattr(bulk, "CHUNK", 2)
    chunks.clear()
    items = ["a", "bad1", "c", "all-bad", "e"]
    job = f.BulkJobFactory(
        kind="test.batch",
        params={"items": items},
        total=5,
        results={"a": {"ok": True, "message": "earlier"}},
        processed=1,
        status=JobStatus.RUNNING,
    )
    bulk.run(job.pk)
    job.refresh_from_db()
    assert chunks == [["bad1"], ["c", "all-bad"], ["e"]]  # "a" was done: not given again
    assert job.status == JobStatus.DONE and job.processed == 5
    assert job.results["a"]["message"] == "earlier"
    assert job.results["bad1"] == {
        "ok": False,
        "message": "bad1 refused.",
        "code": "rule_violation",
    }
    assert job.results["c"]["message"] == "The whole chunk is refused."  # its chunk was refused
    assert job.results["e"] == {"ok": True, "message": "Did e."}
    bulk.run(job.pk)
    assert len(chunks) == 3
