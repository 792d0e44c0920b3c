"""Run bulk jobs to the end in a fresh process, as a Celery worker's child does, and report its
wall time and peak memory (`ru_maxrss`): what `scale.worker_peak_rss_mb` measures.

    python -m benchmarks.job_worker DATABASE_URL JOB_ID [JOB_ID ...]
"""

import resource
import sys
import time

from . import common


def main():
    url, *job_ids = sys.argv[1:]
    common.setup_django(url, migrate=False)
    from core import bulk
    from core.models import BulkJob, JobStatus
    from core.progress import Progress

    started = time.perf_counter()
    for job_id in job_ids:
        job = BulkJob.objects.get(pk=job_id)
        bar = Progress(f"  · job {job.kind}", job.total)
        done = [0]

        def progressed(j, bar=bar, done=done):
            bar.advance(j.processed - done[0])
            done[0] = j.processed

        job = bulk.run(int(job_id), on_chunk=progressed)
        bar.close()
        failed = list(job.items.filter(ok=False).values("item", "message")[:3])
        assert job.status == JobStatus.DONE and not failed, failed
    seconds = time.perf_counter() - started
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kilobytes on Linux
    common.emit({"seconds": round(seconds, 3), "peak_rss_mb": round(peak_kb / 1024, 1)})


if __name__ == "__main__":
    main()
