"""The customers pages, one module per topic: the list, creating a customer and the customer page
(`customers`), purchases and subscription actions (`subscriptions`), an indirect customer's
actions (`indirect`), the MCA (`mca`), order request lists (`order_requests`), the customer
agreement page (`agreements`) and the CSV export (`export`). Views are thin: a role check, a
form, one service call."""
