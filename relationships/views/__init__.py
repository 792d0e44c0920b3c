"""The relationships pages, by topic: the provider's resellers (`providers`), the reseller's
providers (`resellers`), customer invitations (`invitations`), the customer admin's Partner
relationships (`customer`), GDAP (`gdap`) and the relationship extension (`extension`). Thin:
each calls a service and answers its refusal."""
