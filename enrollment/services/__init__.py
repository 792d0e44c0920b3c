"""Enrollment services: one function per transition (DB-1..DB-6, EN-1..EN-9), by topic.

Each service checks its rule, locks the row, checks the transition against the model's table,
changes state, writes the audit event and schedules side effects on commit. Pages, admin
actions, tasks and the sweep all call these functions; reads are in `enrollment.selectors`.

Microsoft's description of the transition (restrict direct-bill, enroll as indirect reseller,
approval within 5 business days, agreement acceptance):
https://learn.microsoft.com/partner-center/enroll/transition-direct-bill-to-indirect-reseller
"""
