"""Account settings pages, by topic: account (the tabs, Partner profile), programs (Programs,
enrollment, direct-bill application and closing, sandbox, Program info), agreements and
support (Contact support and its threads). Thin: each POST calls one service and answers its
refusal with `refusals.refuse` (or `refuse_in_form` on a form page)."""
