"""The program rules in plain words: the one source of the *Program rules* help page and of the
*Why?* link every refusal carries (`why_url(rule)`).

Each entry explains a rule of the catalogue (`docs/RULES.md`, the rules the services enforce)
for a trainee, derived from that catalogue and from Microsoft's transition guide
(https://learn.microsoft.com/en-us/partner-center/transition-direct-to-indirect). The ID stays
on the help page, never in the sentence of a refusal.
"""

# size: text data, one catalogue: the explanation of every rule, read as one page.

from dataclasses import dataclass

from django.urls import reverse


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    plain: str

    @property
    def anchor(self) -> str:
        return self.id


@dataclass(frozen=True)
class Section:
    prefix: str
    title: str
    rules: tuple[Rule, ...]


def _section(prefix: str, title: str, *rules: tuple[str, str, str]) -> Section:
    return Section(prefix, title, tuple(Rule(*r) for r in rules))


SECTIONS: tuple[Section, ...] = (
    _section(
        "AC",
        "Accounts, roles and time",
        (
            "AC-1",
            "Roles decide who may act",
            "Every partner user holds one or more roles: Global admin, Admin agent, Sales agent or "
            "Billing admin. Each action names the roles that may do it; anyone else is told which "
            "role is needed. Ask a Global admin of your organisation for the role.",
        ),
        (
            "AC-2",
            "You see only your own",
            "You see your own organisation's data and the customers you have a relationship with. "
            'Anything else does not exist for you, so the portal answers "not found".',
        ),
        (
            "AC-3",
            "One simulated clock",
            "Business time comes from one simulation clock that trainers can move forward. Every "
            "deadline (business days, expiries, invitations) is counted on it and fires when it "
            "passes.",
        ),
        (
            "AC-4",
            "Everything is recorded",
            "Every change records who did it, to what, the state before and after, when and the "
            "outcome, refusals included. Your audit log shows your own records of the last 90 "
            "days.",
        ),
        (
            "AC-5",
            "Support staff follow the same rules",
            "Support staff change states only through the same actions as everyone else, never by "
            "editing a status by hand, and their saves are recorded too.",
        ),
        (
            "AC-6",
            "The clock only moves forward",
            "The simulation clock never goes back, and never further ahead than a fixed bound "
            "(10 years past today), so every date stays representable.",
        ),
        (
            "AC-7",
            "Rules are checked again when a link is used",
            "An invitation, link or pending request is checked again when it is used, not only "
            "when it was made: if the sender has lost the right in between, it is refused and "
            "nothing changes.",
        ),
    ),
    _section(
        "DB",
        "The direct-bill account",
        (
            "DB-1",
            "Only support changes the account status",
            "A direct-bill account is Active, Restricted or Closed. Only Microsoft support moves "
            "it between Active and Restricted, with a reason. Ask for it with Contact support.",
        ),
        (
            "DB-2",
            "A restricted account keeps what it has",
            "While your direct-bill account is Restricted you keep managing your existing direct "
            "customers, but you can't buy new products or add-ons, create customers, send direct "
            "reseller invitations or create a sandbox.",
        ),
        (
            "DB-3",
            "An Active direct-bill tenant can't also enroll",
            "A tenant whose direct-bill account is Active can't enroll as indirect reseller. Ask "
            "support to restrict the account first, or enroll with a new tenant.",
        ),
        (
            "DB-4",
            "A new tenant enrolls directly",
            "A tenant without a direct-bill account can enroll as indirect reseller without any "
            "restriction step.",
        ),
        (
            "DB-5",
            "Direct-bill needs USD 1 million of revenue",
            "Applying for direct-bill needs at least USD 1,000,000 of CSP revenue in the last 12 "
            "months. An indirect reseller that qualifies applies with a new tenant and can then "
            "move its customers to it.",
        ),
        (
            "DB-6",
            "Direct-bill wins on a shared tenant",
            "If an indirect reseller's tenant enrolls as direct-bill, the direct program takes "
            "over: indirect reseller access ends after a 90-day grace period in which you can move "
            "customers. Two tenants are recommended.",
        ),
    ),
    _section(
        "EN",
        "Indirect reseller enrollment",
        (
            "EN-1",
            "Only a Global admin enrolls",
            "Only a Global admin of the tenant can enroll it as indirect reseller "
            "(Account settings › Programs › Get started).",
        ),
        (
            "EN-2",
            "A current profile and a valid PartnerID first",
            "Your partner profile must be complete and confirmed within the last year, and your "
            "PartnerID present and valid; an Active direct-bill account also stops the tenant "
            "(see the direct-bill account rules). The form shows your details for review before "
            "Enroll now.",
        ),
        (
            "EN-3",
            "One enrollment at a time",
            "A tenant has at most one open enrollment. Submitting twice gives you the same "
            "enrollment, never a second one.",
        ),
        (
            "EN-4",
            "Approval can take five business days",
            "Approval is usually immediate but can take up to 5 business days (weekends skipped). "
            "A request that needs review is approved automatically when that time passes unless "
            "staff decided first; a rejection gives a reason.",
        ),
        (
            "EN-5",
            "The outcome is emailed",
            "The outcome goes to the primary contact email you gave on the enrollment form.",
        ),
        (
            "EN-6",
            "Program info shows both programs",
            "Account settings › Legal info › Program info lists each program with its status; "
            "while you transition it shows both direct-bill and indirect reseller.",
        ),
        (
            "EN-7",
            "Accept the agreement to switch on",
            "After approval the Microsoft Partner Agreement appears on the Agreements page. Only "
            "when a Global admin accepts it are the indirect reseller capabilities switched on.",
        ),
        (
            "EN-8",
            "Indirect providers appears after the agreement",
            "Once the agreement is accepted, Indirect providers appears in the left navigation.",
        ),
        (
            "EN-9",
            "Incentives are a separate invitation",
            "Within 30 days of enrollment you are invited to the indirect reseller incentives by "
            "email; direct-bill incentives stay a separate enrollment.",
        ),
    ),
    _section(
        "PV",
        "Indirect providers",
        (
            "PV-1",
            "Find a provider in the directory",
            "Resellers search the directory of indirect providers by name, country or region and "
            "the services they offer (training, marketing help, financing and credit terms).",
        ),
        (
            "PV-2",
            "A provider invites, a Global admin accepts",
            "A provider sends you a partnership invitation with a personal link. Only a Global "
            "admin of an active indirect reseller can accept it; then each of you appears in the "
            "other's list.",
        ),
        (
            "PV-3",
            "Invitation links are single-use and expire",
            "Partnership links are signed, work once and expire after 30 days. A changed, used or "
            "expired link shows a clear page and changes nothing.",
        ),
    ),
    _section(
        "CU",
        "Customers and reseller relationships",
        (
            "CU-1",
            "An indirect customer has two resellers",
            "An indirect reseller's customer has a reseller relationship with the reseller and "
            "with its provider.",
        ),
        (
            "CU-2",
            "Invite new customers with your provider",
            "Indirect providers › Invite new customers gives you a draft email with a personal "
            "link; you may edit it but the link must stay. When the customer's admin accepts, "
            "both relationships are created together.",
        ),
        (
            "CU-3",
            "Providers create customer tenants",
            "Indirect resellers can't create customer tenants. Your provider creates the tenant "
            "and names you; the customer then appears in your list.",
        ),
        (
            "CU-4",
            "Direct-bill tools are for direct-bill customers",
            "Purchasing, order history, direct billing and price lists apply only to customers you "
            "acquired as direct-bill. For an indirect customer you ask your provider to order, and "
            "manage licences, users and service requests.",
        ),
        (
            "CU-5",
            "The customer page follows the customer's kind",
            "A customer page shows subscriptions and add or view products only for a direct-bill "
            "customer; for an indirect customer those options are absent.",
        ),
        (
            "CU-6",
            "Admin rights come from GDAP",
            "Changing a customer's users or licences needs an active GDAP relationship the "
            "customer approved, holding a role that allows it (for example User Administrator or "
            "License Administrator).",
        ),
        (
            "CU-7",
            "The customer's Global Administrator decides",
            "Accepting an invitation, approving GDAP or accepting the MCA needs a customer user "
            "with the Global Administrator role; other users see the request but can't answer.",
        ),
    ),
    _section(
        "MV",
        "Moving direct-bill customers to your provider",
        (
            "MV-1",
            "A provider needs a relationship first",
            "A provider can't order or transfer for a customer until it has a reseller "
            "relationship with that customer.",
        ),
        (
            "MV-2",
            "Who may extend a reseller relationship",
            "The reseller relationship extension is for a direct-bill partner that completed the "
            "indirect reseller enrollment, for its existing direct-bill customers only, toward a "
            "provider whose partnership invitation it accepted. Role: Admin agent.",
        ),
        (
            "MV-3",
            "Inform the customer and record consent",
            "Before the extension you record that you informed the customer and obtained consent "
            "(who, when, how). Without that record the extension is refused.",
        ),
        (
            "MV-4",
            "The provider gets the bill-to information",
            "The extension copies the customer's bill-to information to the provider, and records "
            "that you consented to share it.",
        ),
        (
            "MV-5",
            "An extension gives no admin rights",
            "An extended relationship gives the provider no admin privileges. When the provider "
            "needs them, send an indirect reseller invitation instead.",
        ),
        (
            "MV-6",
            "The customer sees the provider",
            "After an extension or an accepted invitation the provider appears as a CSP partner on "
            "the customer's Partner relationships page.",
        ),
        (
            "MV-7",
            "New relationship by email link",
            "New relationship on an existing customer (Admin agent) makes an email with a unique "
            "link; when the customer accepts, you become its reseller of record.",
        ),
        (
            "MV-8",
            "Existing customers can get the indirect invitation",
            "An indirect reseller invitation can also go to an existing direct-bill customer; once "
            "accepted, the provider can order for it.",
        ),
    ),
    _section(
        "GD",
        "Granular delegated admin privileges (GDAP)",
        (
            "GD-1",
            "Request GDAP with roles and a duration",
            "An Admin agent requests GDAP with named roles for 1 day to 2 years; the customer's "
            "admin approves or rejects it, and an unanswered request expires after 90 days.",
        ),
        (
            "GD-2",
            "GDAP ends at its end date",
            "An active relationship expires at its end. Auto-extend adds 180 days, but not when "
            "the relationship includes Global Administrator. Notices go out 30, 7 and 1 days "
            "before.",
        ),
        (
            "GD-3",
            "Either side can end GDAP",
            "The partner (Admin agent) or the customer's Global Administrator can end an active "
            "relationship; its admin permissions end at once.",
        ),
    ),
    _section(
        "MCA",
        "Microsoft Customer Agreement",
        (
            "MCA-1",
            "Every moving customer needs the MCA",
            "Every customer you transition must have accepted the Microsoft Customer Agreement; "
            "the Transition page shows who has not.",
        ),
        (
            "MCA-2",
            "Attestation or the admin center",
            "The MCA is accepted by partner attestation (Admin agent or Sales agent, with a date "
            "not in the future; indirect resellers can't attest) or by the customer in the admin "
            "center.",
        ),
        (
            "MCA-3",
            "Your attestation doesn't move with the customer",
            "When the customer moves to the provider, an attestation by the direct-bill partner is "
            "not kept: the provider must obtain or attest it again. An admin-center acceptance is "
            "kept.",
        ),
        (
            "MCA-4",
            "No transfer without a valid MCA",
            "A transfer to the provider can't complete for a customer whose MCA acceptance is not "
            "valid for that provider.",
        ),
    ),
    _section(
        "TR",
        "New commerce transfers",
        (
            "TR-1",
            "The provider bills, you stay partner of record",
            "Under the indirect model a reseller has no billing relationship with Microsoft: after "
            "a transfer the provider bills and you are the partner of record.",
        ),
        (
            "TR-2",
            "Move every direct-bill subscription",
            "A transitioning partner moves all its direct-bill subscriptions to the provider; the "
            "Transition page counts what is left.",
        ),
        (
            "TR-3",
            "Relationship before transfer",
            "The customer must have a reseller relationship with the receiving partner before a "
            "transfer request can be created.",
        ),
        (
            "TR-4",
            "The target asks, the source submits",
            "The receiving partner (Admin agent) creates the request with the customer's email and "
            "your PartnerID; you are notified, open it, select subscriptions and submit. Each "
            "subscription is recreated on the target and cancelled on the source at once.",
        ),
        (
            "TR-5",
            "Only new commerce subscriptions transfer",
            "Only new commerce licence-based and Azure subscriptions transfer. Migrate a legacy "
            "subscription to new commerce first; trials can't transfer.",
        ),
        (
            "TR-6",
            "A transfer keeps the terms",
            "Quantity, term, term end and billing frequency don't change; add-ons move with their "
            "base; only active subscriptions can be selected, at most 25 per request.",
        ),
        (
            "TR-7",
            "One open request per subscription",
            "A subscription is in at most one open request. A request unanswered for 30 days "
            "expires and can't be reused; only the target can cancel, and only while pending. "
            "Source and target must differ.",
        ),
        (
            "TR-8",
            "No transfers for sandbox accounts",
            "Transfers are refused for sandbox (integration test) accounts.",
        ),
        (
            "TR-9",
            "Transfers work through the API too",
            "Everything a transfer does is also possible through the Partner Center API.",
        ),
        (
            "TR-10",
            "Only billing partners take subscriptions",
            "Subscriptions move only between partners that bill: a direct-bill partner (Active or "
            "Restricted) or an indirect provider. An indirect reseller, or a partner whose "
            "direct-bill account is Closed, can't receive or bill one.",
        ),
        (
            "TR-11",
            "Add-ons go with their base",
            "An add-on moves with its base subscription whatever its own status, and a base can't "
            "move without its add-ons.",
        ),
    ),
    _section(
        "TX",
        "Completing the transition",
        (
            "TX-1",
            "When the transition is complete",
            "The transition is complete when every direct-bill customer has a relationship with a "
            "provider, a valid MCA and no direct-bill subscription left. Then a Global admin can "
            "close the direct-bill enrollment.",
        ),
        (
            "TX-2",
            "Sandbox and API are for billing partners",
            "The sandbox and the Partner Center API exist only for direct-bill partners and "
            "providers. When the direct-bill enrollment is Closed, your API credentials stop "
            "working and your sandbox is gone.",
        ),
    ),
    _section(
        "IR",
        "Life as an indirect reseller",
        (
            "IR-1",
            "When a customer becomes indirect",
            "A customer extended to a provider, or who accepted an indirect reseller invitation, "
            "becomes your indirect customer once no direct-bill subscription is left (every "
            "customer, once the direct-bill enrollment is Closed). Its page then shows the "
            "indirect options only.",
        ),
        (
            "IR-2",
            "Ask your provider to order",
            "For an indirect customer you see the subscriptions your provider bills, read-only, "
            "and send order requests; the provider fulfils or declines them with a reason, and "
            "both of you are notified.",
        ),
        (
            "IR-3",
            "A moved subscription shows as Transferred",
            "A subscription that moved by transfer shows as Transferred in the source's history "
            "(to whom, when), never as deleted; the new one keeps the same term end.",
        ),
        (
            "IR-4",
            "Several resellers, each sees its own",
            "A customer may have several indirect resellers and providers; each reseller sees only "
            "its own relationship.",
        ),
    ),
    _section(
        "NC",
        "New commerce subscription lifecycle",
        (
            "NC-1",
            "Renew or expire at term end",
            "A new commerce subscription has a term (monthly, yearly, three years). At its end it "
            "renews when auto-renew is on and expires otherwise; an expired subscription can't be "
            "changed.",
        ),
        (
            "NC-2",
            "Seven days to cancel or reduce",
            "In the first 7 days after purchase or renewal you can cancel or reduce seats; after "
            "that seats can only go up until the next renewal, where a reduction can be "
            "scheduled.",
        ),
        (
            "NC-3",
            "A trial lasts one month",
            "A trial lasts one month and then converts to a paid subscription if you chose "
            "conversion, or expires.",
        ),
        (
            "NC-4",
            "Subscription changes are recorded",
            "Suspending, reactivating, cancelling, seat and auto-renew changes are recorded and "
            "notify the billing partner; the API can make the same changes.",
        ),
    ),
    _section(
        "AP",
        "The API",
        (
            "AP-1",
            "The API follows Partner Center",
            "The REST API under /v1/ uses Partner Center's documented paths, property names, "
            "collections and error body.",
        ),
        (
            "AP-2",
            "Too many calls are slowed down",
            "Too many calls get HTTP 429 with a Retry-After header saying when to try again.",
        ),
        (
            "AP-3",
            "Same rules through the API",
            "Each rule gives the same outcome through the API as through the pages, with a stable "
            "error code.",
        ),
    ),
)

RULES: dict[str, Rule] = {rule.id: rule for section in SECTIONS for rule in section.rules}


def why_url(rule_id: str = "") -> str:
    """The Program rules page, at the rule's anchor when `rule_id` is a known rule."""
    url = reverse("program_rules")
    return f"{url}#{rule_id}" if rule_id in RULES else url
