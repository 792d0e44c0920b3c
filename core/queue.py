"""Ringing a worker: `enqueue` sends a task once the current transaction commits. A leaf of
the core (it imports nothing of it), so any module may ring a worker without an import cycle."""

import logging
from typing import Any

from django.db import transaction

log = logging.getLogger(__name__)


def enqueue(task: Any, *args: Any, **kwargs: Any) -> None:
    """Send `task` to a worker once the current transaction commits.

    If the broker is unreachable the work is not lost: it is in the database, and the periodic
    sweep finds it.
    """

    def send() -> None:
        try:
            task.apply_async(args=args, kwargs=kwargs, retry=False)
        except Exception as exc:  # broker down: the sweep will pick the work up
            log.warning("could not enqueue %s (%s); the sweep will pick it up", task.name, exc)

    transaction.on_commit(send)
