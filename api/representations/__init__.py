"""Partner Center resource shapes: DRF serializers that both render the JSON and describe it in
the OpenAPI schema, with Microsoft's camelCase property names. One module per resource
(`customers`, `subscriptions`, `relationships`, `transfers`, `agreements`, `audit`,
`migrations`); the shared pieces in `common`.

Sources (the contract, AP-1):
- Customer resources: https://learn.microsoft.com/en-us/partner-center/developer/customer-resources
- Get a customer by ID: https://learn.microsoft.com/en-us/partner-center/developer/get-a-customer-by-id
- Subscription resources:
  https://learn.microsoft.com/en-us/partner-center/developer/subscription-resources
- TransferEntity resources:
  https://learn.microsoft.com/en-us/partner-center/developer/transfer-entity-resources
- Profile resources (MpnProfile):
  https://learn.microsoft.com/en-us/partner-center/developer/profile-resources
- Partner Center REST error codes: https://learn.microsoft.com/en-us/partner-center/developer/error-codes

Where our model has no value for a documented property, it is present and null/empty.
"""
