"""Locust scenarios for `load`: one user class per persona, each driving the journey's pages or
the API with a signed-in session (or a bearer token) prepared by `load_bench`, which passes
them in the file named by LOAD_PERSONAS. A response other than 200 counts as a failure
(redirects too: a redirect to sign-in would otherwise pass as a page)."""

import json
import os
import random

from locust import HttpUser, between, task

PERSONAS = json.loads(open(os.environ["LOAD_PERSONAS"]).read())  # noqa: SIM115


class Persona(HttpUser):
    abstract = True
    wait_time = between(0.5, 1.5)
    persona = ""
    pages: list = []

    def on_start(self):
        me = PERSONAS[self.persona]
        self.headers = {}
        if me.get("cookie"):
            self.headers["Cookie"] = me["cookie"]
        if me.get("token"):
            self.headers["Authorization"] = f"Bearer {me['token']}"
            self.headers["Accept"] = "application/json"
        self.customer_ids = me.get("customer_ids") or [0]

    def get(self, path, name=None):
        with self.client.get(
            path,
            headers=self.headers,
            name=name or path,
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")

    @task
    def journey_page(self):
        path = random.choice(self.pages)
        if "{id}" in path:
            self.get(path.format(id=random.choice(self.customer_ids)), name=path)
        else:
            self.get(path)


class PartnerAdmin(Persona):
    persona = "partner_admin"
    pages = ["/", "/customers/", "/transition/", "/audit/", "/indirect-providers/directory/"]


class Agent(Persona):
    persona = "agent"
    pages = ["/customers/", "/customers/{id}/", "/transition/", "/gdap/", "/notifications/"]


class Provider(Persona):
    persona = "provider"
    pages = ["/", "/transfers/", "/providers/resellers/", "/customers/"]


class CustomerAdmin(Persona):
    persona = "customer_admin"
    pages = ["/admin-center/partners/", "/admin-center/gdap/", "/admin-center/agreement/"]


class ApiClient(Persona):
    persona = "api_client"
    pages = [
        "/v1/customers",
        "/v1/customers/{id}",
        "/v1/relationships?relationship_type=IsIndirectResellerOf",
        "/v1/profiles/mpn",
    ]
