"""Bulk jobs: progress, a result per item, refusals recorded, reruns safe."""

import pytest
from django.urls import reverse

from core import bulk
from core.exceptions import RuleViolation
from core.models import BulkJob, BulkJobItem, JobStatus
from tests import factories as f

pytestmark = pytest.mark.django_db

calls = []


def _job(kind, items, done=None, **fields):
    """A job part-way through: `done` maps items to the result they already have."""
    job = f.BulkJobFactory(kind=kind, total=len(items), **fields)
    done = done or {}
    BulkJobItem.objects.bulk_create(
        BulkJobItem(job=job, seq=k, item=item, **done.get(item, {})) for k, item in enumerate(items)
    )
    return job


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
    job = _job(
        "test.echo",
        ["a", "b"],
        {"a": {"ok": True, "message": "earlier"}},
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
    job = _job(
        "test.batch",
        items,
        {"a": {"ok": True, "message": "earlier"}},
        processed=1,
        status=JobStatus.RUNNING,
    )
    bulk.run(job.pk)
    job.refresh_from_db()
    # "a" was done: not given again; the chunks are the next items still to do
    assert chunks == [["bad1", "c"], ["all-bad", "e"]]
    assert job.status == JobStatus.DONE and job.processed == 5
    assert job.results["a"]["message"] == "earlier"
    assert job.results["bad1"] == {
        "ok": False,
        "message": "bad1 refused.",
        "code": "rule_violation",
    }
    assert job.results["c"] == {"ok": True, "message": "Did c."}
    assert job.results["e"]["message"] == "The whole chunk is refused."  # its chunk was refused
    bulk.run(job.pk)
    assert len(chunks) == 2


def test_big_job_streams_in_chunks_with_progress_after_each(monkeypatch):
    """Issue 18: the runner never reads the whole set: each chunk reads only its own items
    (in order), and progress is committed and reported after every chunk."""
    monkeypatch.setattr(bulk, "CHUNK", 3)
    monkeypatch.setattr(bulk, "WRITE_CHUNK", 4)  # the items are written a few at a time too
    chunks.clear()
    user = f.UserFactory()
    items = [f"i{n:02d}" for n in range(10)]
    job = bulk.start(kind="test.batch", actor=user, items=iter(items))
    assert job.total == 10
    assert list(job.items.order_by("seq").values_list("item", flat=True)) == items
    BulkJobItem.objects.filter(job=job).update(ok=None, message="")  # as if never run
    BulkJob.objects.filter(pk=job.pk).update(processed=0, status=JobStatus.QUEUED)
    chunks.clear()
    seen = []
    bulk.run(job.pk, on_chunk=lambda j: seen.append(BulkJob.objects.get(pk=j.pk).processed))
    assert chunks == [items[0:3], items[3:6], items[6:9], items[9:]]
    assert seen == [3, 6, 9, 10]  # committed progress, visible to the page after each chunk
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.percent == 100
    assert job.results["i07"] == {"ok": True, "message": "Did i07."}


def test_job_killed_mid_run_resumes_without_redoing_a_chunk(monkeypatch):
    """A worker dying after some chunks committed: the rerun does only the rest."""
    monkeypatch.setattr(bulk, "CHUNK", 2)
    chunks.clear()
    items = ["a", "b", "c", "d", "e"]
    job = _job("test.batch", items, status=JobStatus.QUEUED)

    class Killed(Exception):
        pass

    def die_after_second(j):
        if j.processed == 4:
            raise Killed

    with pytest.raises(Killed):
        bulk.run(job.pk, on_chunk=die_after_second)
    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING and job.processed == 4
    bulk.run(job.pk)
    assert chunks == [["a", "b"], ["c", "d"], ["e"]]  # each item handled exactly once
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.processed == 5


def test_job_page_lists_refusals_first_and_at_most_a_page(client, monkeypatch):
    from core import views

    monkeypatch.setattr(views, "BULK_ITEMS_SHOWN", 3)
    user = f.UserFactory()
    job = _job(
        "test.batch",
        ["a", "b", "bad", "d", "e"],
        {"bad": {"ok": False, "message": "bad refused.", "code": "rule_violation"}},
        partner=user.partner,
        created_by=user,
    )
    client.force_login(user)
    page = client.get(reverse("bulk_job", args=[job.pk])).content.decode()
    assert page.index("bad refused.") < page.index("Waiting")
    assert page.count("Waiting") == 2 and "2 more items not listed" in page
