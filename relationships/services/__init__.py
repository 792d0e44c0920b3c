"""Relationship services: provider partnerships (PV, `partnerships`), customer invitations
(CU-2, MV-7, MV-8: the partner's side in `invitation_drafts`, the customer's answer in
`invitations`), GDAP (GD, CU-6: `gdap`, what each side is told in `gdap_notices`, the sweeper
bodies in `gdap_expiry`) and the relationship extension (MV-2..MV-5: `extension`, the bulk
job's start in `extension_bulk`); `actors` names whom a service acts for.
Reads are in `relationships.selectors`.

Every page, API call and task calls these functions; each checks its rule, locks the row,
checks the transition table, changes state, audits and schedules side effects on commit.
"""
