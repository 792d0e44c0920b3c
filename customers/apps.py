from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "customers"

    def ready(self):
        from partnerportal.navigation import NavItem, register

        from . import tasks  # noqa: F401  (sweepers, NC-1/NC-3)

        register(
            NavItem("Customers", "customer_list", 10, personas=frozenset({"partner", "provider"}))
        )
        register(
            NavItem("Customer agreement", "mca_admin_center", 15, personas=frozenset({"customer"}))
        )
