"""Transfer services: create, submit (complete), cancel, expire (TR-1..TR-8, TR-10, TR-11,
MCA-4), and ending an orphaned add-on (TR-11).

Every entry point — pages, bulk jobs, the API, the sweep — calls these functions. Each locks the
request rows first, so a submit racing a cancel or the expiry sweep has exactly one outcome. The
`_many` versions behind the bulk jobs apply the same rules to a set of requests in a few
statements.
"""

from .common import TRANSFER_ROLES, max_line_items
from .create import transfer_create, transfer_create_many
from .lifecycle import (
    expire_due,
    remove_sandboxes,
    remove_sandboxes_due,
    transfer_cancel,
    transfer_expire,
)
from .orphans import ORPHAN_ROLES, subscription_end_orphan
from .submit import transfer_submit, transfer_submit_many

__all__ = [
    "ORPHAN_ROLES",
    "TRANSFER_ROLES",
    "expire_due",
    "max_line_items",
    "remove_sandboxes",
    "remove_sandboxes_due",
    "subscription_end_orphan",
    "transfer_cancel",
    "transfer_create",
    "transfer_create_many",
    "transfer_expire",
    "transfer_submit",
    "transfer_submit_many",
]
