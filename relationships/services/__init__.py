"""Relationship services: provider partnerships (PV), customer invitations (CU-2, MV-7, MV-8),
GDAP (GD, CU-6) and the relationship extension (MV-2..MV-5, in `extension.py`).

Every page, API call and task calls these functions; each checks its rule, locks the row,
checks the transition table, changes state, audits and schedules side effects on commit.
"""
