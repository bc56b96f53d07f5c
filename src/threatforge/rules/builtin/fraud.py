"""Fraud: how money and accounts are abused through flows that work as designed.

Double spending by racing a balance check, a payee added and paid after an account takeover,
promotions farmed by many accounts, support staff talked into resetting a victim's account,
payments let through when the fraud check is down, and staff moving money or changing limits
alone. Each rule reports a finding when the weak value is stated and, where its graph condition
holds and the deciding fact is not stated, an applicable threat with the question that decides
it (``RuleMeta.asks``, docs/applicable-threats.md). The conditions read what a careful user
writes: the data a component handles and how it is named and described, who sends it, where
the money goes (docs/rules/fraud-properties.md).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from threatforge.model import Component, ComponentKind, DataAsset, Model
from threatforge.rules.builtin._facts import (
    EDGE_KINDS,
    PEOPLE_KINDS,
    PROCESS_KINDS,
    E,
    R,
    S,
    T,
    decide_fact,
    exposed,
    exposure_words,
    names,
    reachable,
    staff_route,
    staff_users,
    text_of,
    with_category,
)
from threatforge.rules.builtin.abuse import money_moves
from threatforge.rules.builtin.payments import (
    client_money_sent,
    customers_call,
    payment_partners,
    refund_words,
)
from threatforge.rules.interface import (
    Ask,
    AskFact,
    Confidence,
    ElementSet,
    Fire,
    Rule,
    RuleMeta,
    Skip,
    Target,
    Verdict,
    rule,
)

__all__ = ["RULES"]

DOMAIN = "business-logic"
MONEY = ("financial", "pci.token", "pci.pan")
API6 = (
    "https://owasp.org/API-Security/editions/2023/en/"
    "0xa6-unrestricted-access-to-sensitive-business-flows/"
)
ASVS = "https://owasp.org/www-project-application-security-verification-standard/"

_BALANCE_WORDS = re.compile(
    r"\b(balances?|ledgers?|limits?|wallets?|funds|credit lines?|allowances?)\b"
)
_PAYEE_WORDS = re.compile(
    r"\b(beneficiar(y|ies)|payees?|bank details|bank accounts?|iban|payout (details|accounts?)|"
    r"recipients? accounts?)\b"
)
_PROMOTION_WORDS = re.compile(
    r"\b(promo(tion)?s?|coupons?|vouchers?|discount codes?|referrals?|sign-?up bonus(es)?|"
    r"bonus(es)?|cashback|goodwill|rewards?|loyalty|gift cards?|free trials?|welcome credits?)\b"
)
_RECOVERY_WORDS = re.compile(
    r"\b(password resets?|reset\w* (passwords?|mfa|2fa|devices?|device bindings?|credentials?|"
    r"accounts?)|(unblock|unlock|recover)\w* accounts?|account recovery|device bindings?|"
    r"re-?bind\w* devices?|change\w* (phone numbers?|e-?mail addresses?))\b"
)
_FRAUD_CHECK_WORDS = re.compile(
    r"\b(fraud|risk scor\w*|scoring|aml|anti-money|sanctions?|screening|transaction monitoring)\b"
)
_MOVEMENT_WORDS = re.compile(
    r"\b(pay-?outs?|adjustments?|transfers?|disburse\w*|write-?offs?|credits|limits?|"
    r"top-?ups?|withdrawals?|chargebacks?)\b"
)


def _words_in(pattern: re.Pattern[str], texts: Iterable[str]) -> str:
    """The first phrase the pattern finds in the texts ("" when none)."""
    for text in texts:
        found = pattern.search(text.lower())
        if found:
            return found.group(0)
    return ""


def _asset_texts(found: Iterable[DataAsset]) -> list[str]:
    return [" ".join((a.id, a.name or "", a.description or "")) for a in found]


def _money(model: Model, component: Component) -> list[DataAsset]:
    """The money data (payment instructions, balances, refunds) a process of ours handles."""
    if component.kind not in PROCESS_KINDS:
        return []
    return with_category(model.graph.data_of(component.id), *MONEY)


def _pays_out(model: Model, component: Component) -> str:
    """How the component itself moves money, in words ("" when it does not): it sends money
    data to a payment partner, it is the payment service, or it issues refunds."""
    partners = payment_partners(model)
    onward = sorted({f.target for f in model.graph.flows_out(component.id)
                     if f.target in partners
                     and with_category(model.graph.flow_data(f), *MONEY)})
    if onward:
        return f"sends payments on to {', '.join(onward)}"
    if component.prop("payment_service") is True:
        return "properties.payment_service: true"
    return refund_words(component)


def _customer_money_in(model: Model, component: Component) -> list[str]:
    """Money data customers (people who are not staff) send that reaches the component."""
    sent = client_money_sent(model)
    return sorted({d for f in model.graph.flows_in(component.id) for d in f.data if d in sent})


def _stated(component: Component, key: str) -> bool | None:
    value = component.prop(key)
    return value if isinstance(value, bool) else None


def _decide_where(
    component: Component, key: str, why: tuple[str, ...], elsewhere: str
) -> Verdict:
    """Where the threat applies (``why``), the asked fact decides it; elsewhere only a stated
    ``false`` is a finding, and the rule otherwise skips with ``elsewhere``."""
    if why:
        return decide_fact(component, key, why)
    if _stated(component, key) is False:
        return Fire((f"properties.{key}: false",))
    return Skip(elsewhere)


# --- race conditions on balances and limits ---------------------------------------------------


def _balance_movers(model: Model) -> frozenset[str]:
    return model.graph.memo(("balance-movers",), lambda: frozenset(
        cid for cid, c in model.components.items()
        if c.kind in PROCESS_KINDS and c.kind not in EDGE_KINDS
        and ("balance_updates_atomic" in c.properties or _race_why(model, c))
    ))


def _race_why(model: Model, component: Component) -> tuple[str, ...]:
    if component.kind not in PROCESS_KINDS or component.kind in EDGE_KINDS:
        return ()
    balances = [a for a in _money(model, component)
                if _words_in(_BALANCE_WORDS, _asset_texts([a]))]
    if not balances or not reachable(model, component):
        return ()
    sent = _customer_money_in(model, component)
    moves = _pays_out(model, component)
    if not sent or not moves:
        return ()
    return (f"handles {names(balances)}", f"acts on {', '.join(sent)} that customers send",
            moves)


BALANCE_MOVERS = ElementSet(
    "balance-movers", "services and functions that handle balances, ledgers or limits, act on "
    "money data customers send and move money themselves (or state "
    "properties.balance_updates_atomic)",
    _balance_movers,
)


@rule(RuleMeta(
    id="fraud-balance-race-condition",
    title="Concurrent requests to {element} can spend the same balance twice",
    description="A service that reads a balance or limit, checks it, and then debits it in a "
    "separate step lets two requests sent at the same moment both pass the check: the "
    "customer transfers, withdraws or refunds more than the balance, the limit or the captured "
    "amount allows (a double spend).",
    target=Target.COMPONENT, likelihood=3, impact=4, stride=(T,), cwe=(362, 367),
    capec=(26, 29), asvs=("V11.1.6",), api_top10=("API6:2023",), attack=("T1565",),
    kinds=PROCESS_KINDS, domain=DOMAIN, confidence=Confidence.MEDIUM,
    among=BALANCE_MOVERS,
    mitigations=(
        "Check and debit in one atomic step: a conditional update (`UPDATE accounts SET "
        "balance = balance - :amount WHERE id = :id AND balance >= :amount`), `SELECT ... FOR "
        "UPDATE` in the same transaction, or a DynamoDB conditional write on a version number.",
        "Serialise the money movements of one account (a per-account queue or lock) and test "
        "with parallel requests in CI; reconcile balances against the ledger daily.",
    ),
    detection="Service or function, reachable from an entry point, that handles money data "
    "named or described as a balance, ledger, limit, wallet or funds, receives money data "
    "customers send (not staff), and moves money itself (sends it to a payment partner, is the "
    "payment service, or issues refunds), with `properties.balance_updates_atomic: false`. An "
    "applicable threat when not stated.",
    false_positives="Services whose store enforces the check itself (a ledger with a "
    "non-negative balance constraint): state `balance_updates_atomic: true`.",
    references=("https://owasp.org/www-community/vulnerabilities/"
                "Race_Conditions", API6),
    asks=(Ask(
        "Does {element} check and debit a balance or limit in one atomic step (a conditional "
        "update or a row lock in the same transaction)?",
        (AskFact("properties.balance_updates_atomic", confirms=("false",),
                 rules_out=("true",)),),
        threat="Double spend through {element}: concurrent requests may both pass the balance "
        "or limit check",
    ),),
))
def fraud_balance_race_condition(component: Component, model: Model) -> Verdict:
    """A balance check and its debit that concurrent requests can interleave."""
    why = _race_why(model, component)
    return _decide_where(
        component, "balance_updates_atomic", why, "handles no balance that customers' requests move"
    )


# --- account takeover: a new payee, then a payment --------------------------------------------


def _payee_changes(model: Model) -> frozenset[str]:
    return model.graph.memo(("payee-changes",), lambda: frozenset(
        cid for cid, c in model.components.items()
        if c.kind in PROCESS_KINDS and c.kind not in EDGE_KINDS
        and ("step_up_for_new_payee" in c.properties or _payee_why(model, c))
    ))


def _payee_why(model: Model, component: Component) -> tuple[str, ...]:
    if component.kind not in PROCESS_KINDS or component.kind in EDGE_KINDS:
        return ()
    if not exposed(model, component) or not customers_call(
        model, component, staff_users(model)
    ):
        return ()
    sent = set(_customer_money_in(model, component))
    payees = [a for a in _money(model, component)
              if a.id in sent and _words_in(_PAYEE_WORDS, _asset_texts([a]))]
    if not payees:
        return ()
    said = _words_in(_PAYEE_WORDS, _asset_texts(payees))
    return (exposure_words(model, component),
            f"customers send it {names(payees)}, which names where money goes ('{said}')")


PAYEE_CHANGES = ElementSet(
    "payee-changes", "exposed services and functions that customers send payees, beneficiaries "
    "or bank details to (or that state properties.step_up_for_new_payee)",
    _payee_changes,
)


@rule(RuleMeta(
    id="fraud-new-payee-without-step-up",
    title="A new payee or changed bank details on {element} need no step-up",
    description="After an account takeover (a phished password, a stolen session, a SIM swap) "
    "the fraudster adds their own beneficiary or changes the bank details money is paid to, "
    "and pays out at once. Without a step-up for the change and the first payment (a second "
    "factor on a trusted device, a cooling-off period, a notification to the old contact), "
    "the signed-in session is all it takes.",
    target=Target.COMPONENT, likelihood=3, impact=4, stride=(S, E), cwe=(308, 841),
    capec=(560,), asvs=("V2.8.1", "V11.1.3"), api_top10=("API6:2023",), attack=("T1078",),
    kinds=PROCESS_KINDS, domain=DOMAIN, confidence=Confidence.MEDIUM,
    among=PAYEE_CHANGES,
    mitigations=(
        "Require a step-up (a second factor bound to a registered device, or a passkey) to add "
        "a payee or change bank details, and again for the first payment to it; notify the "
        "customer on every channel they registered.",
        "Hold first payments to new payees (a cooling-off period or a lower limit) and score "
        "them for fraud (a new device, a new payee and a high amount together).",
    ),
    detection="Exposed service or function that customers (people who are not staff) send "
    "money data to that is named or described as payees, beneficiaries, bank details or an "
    "IBAN, with `properties.step_up_for_new_payee: false`. An applicable threat when not "
    "stated.",
    references=("https://www.eba.europa.eu/regulation-and-policy/payment-services-and-"
                "electronic-money/regulatory-technical-standards-on-strong-customer-"
                "authentication-and-secure-communication-under-psd2", ASVS),
    asks=(Ask(
        "Does adding a payee or changing bank details on {element} (and the first payment to "
        "it) require a step-up: a second factor on a trusted device, a cooling-off period?",
        (AskFact("properties.step_up_for_new_payee", confirms=("false",),
                 rules_out=("true",)),),
        threat="After an account takeover, a fraudster may add a payee or change bank details "
        "on {element} and pay out at once",
    ),),
))
def fraud_new_payee_without_step_up(component: Component, model: Model) -> Verdict:
    """A payee change that the signed-in session alone allows."""
    why = _payee_why(model, component)
    return _decide_where(
        component, "step_up_for_new_payee", why, "customers send it no payees or bank details"
    )


# --- promotions, sign-up bonuses, referrals ---------------------------------------------------


def _promotions(model: Model) -> frozenset[str]:
    return model.graph.memo(("promotions",), lambda: frozenset(
        cid for cid, c in model.components.items()
        if c.kind in PROCESS_KINDS and c.kind not in EDGE_KINDS
        and ("promotion_limits_per_customer" in c.properties or _promotion_why(model, c))
    ))


def _promotion_why(model: Model, component: Component) -> tuple[str, ...]:
    if component.kind not in PROCESS_KINDS or component.kind in EDGE_KINDS:
        return ()
    said = _words_in(_PROMOTION_WORDS, [
        text_of(component), *component.routes, *component.paths,
        *_asset_texts(a for a in model.data.values() if a.id in component.stores),
    ])
    if not said or not reachable(model, component):
        return ()
    return (f"grants promotions or credits ('{said}')",
            "customers' requests reach it from an entry point")


PROMOTIONS = ElementSet(
    "promotions", "services and functions, reachable from an entry point, that grant "
    "promotions, bonuses, referrals, vouchers or goodwill credits (in their id, name, "
    "description, routes, code paths or the data they store), or that state "
    "properties.promotion_limits_per_customer",
    _promotions,
)


@rule(RuleMeta(
    id="fraud-promotion-abuse",
    title="Promotions or credits granted by {element} can be farmed by many accounts",
    description="Sign-up bonuses, referral rewards, vouchers and goodwill credits are worth "
    "money: limited per session, per request or per conversation instead of per person, they "
    "are claimed again and again with new accounts, disposable e-mail addresses, scripted "
    "chats or self-referrals.",
    target=Target.COMPONENT, likelihood=3, impact=3, stride=(T, E), cwe=(837, 799),
    capec=(212,), asvs=("V11.1.2", "V11.1.4"), api_top10=("API6:2023",),
    kinds=PROCESS_KINDS, domain=DOMAIN, confidence=Confidence.MEDIUM,
    among=PROMOTIONS,
    mitigations=(
        "Limit each promotion per verified person (payment instrument, phone, device, KYC "
        "identity), not per account, session or conversation; cap totals per day.",
        "Detect multi-accounting (shared devices, cards, addresses, referral loops) and hold "
        "rewards until the qualifying purchase has cleared.",
    ),
    detection="Service or function reachable from an entry point whose id, name, "
    "description, routes, code paths or stored data name promotions, coupons, vouchers, "
    "referrals, bonuses, cashback, rewards or goodwill credits, with "
    "`properties.promotion_limits_per_customer: false`. An applicable threat when not stated.",
    references=(API6,),
    asks=(Ask(
        "Are the promotions or credits {element} grants limited per verified person (not per "
        "account, session or conversation), with multi-accounting detected?",
        (AskFact("properties.promotion_limits_per_customer", confirms=("false",),
                 rules_out=("true",)),),
        threat="Promotion abuse: bonuses, referrals or credits granted by {element} may be "
        "claimed again and again with new accounts or scripted requests",
    ),),
))
def fraud_promotion_abuse(component: Component, model: Model) -> Verdict:
    """Promotions limited per account rather than per person."""
    why = _promotion_why(model, component)
    return _decide_where(
        component, "promotion_limits_per_customer", why,
        "grants no promotions or credits that customers reach",
    )


# --- social engineering of support staff ------------------------------------------------------


def _staff_recoveries(model: Model) -> frozenset[str]:
    return model.graph.memo(("staff-recoveries",), lambda: frozenset(
        cid for cid, c in model.components.items()
        if c.kind in PROCESS_KINDS and c.kind not in EDGE_KINDS
        and ("recovery_caller_verified" in c.properties or _recovery_why(model, c))
    ))


def _customers(model: Model) -> list[str]:
    staff = staff_users(model)
    return sorted(cid for cid, c in model.components.items()
                  if c.kind in PEOPLE_KINDS and cid not in staff)


def _recovery_why(model: Model, component: Component) -> tuple[str, ...]:
    if component.kind not in PROCESS_KINDS or component.kind in EDGE_KINDS:
        return ()
    staff = staff_route(model, component.id, hops=3, edges_only=True)
    if not staff or not _customers(model):
        return ()
    said = _words_in(_RECOVERY_WORDS, [text_of(component), *component.routes,
                                       *component.paths])
    customers = set(_customers(model))
    into_idp = sorted(
        f.target for f in model.graph.flows_out(component.id)
        if model.components[f.target].kind is ComponentKind.IDENTITY_PROVIDER
        and any(g.source in customers for g in model.graph.flows_in(f.target))
    )
    if said:
        how = f"changes customers' account security ('{said}')"
    elif into_idp:
        how = f"changes customer accounts in identity provider {', '.join(into_idp)}"
    else:
        return ()
    return (f"staff use it ({', '.join(staff)})", how)


STAFF_RECOVERIES = ElementSet(
    "staff-recoveries", "services and functions staff use that reset or unblock customers' "
    "credentials, devices or contact details, or that write to an identity provider (or that "
    "state properties.recovery_caller_verified)",
    _staff_recoveries,
)


@rule(RuleMeta(
    id="fraud-support-social-engineering",
    title="Support staff can be talked into resetting a victim's account through {element}",
    description="A caller who knows a victim's name, address and date of birth (all easy to "
    "find or phish) asks support to reset the password, the second factor or the device "
    "binding, or to change the phone number or e-mail address. If staff verify callers only "
    "with what the caller says, they hand the account over.",
    target=Target.COMPONENT, likelihood=3, impact=4, stride=(S,), cwe=(640, 654),
    capec=(407,), asvs=("V2.5.6", "V2.5.7"), attack=("T1656",),
    kinds=PROCESS_KINDS, domain=DOMAIN, confidence=Confidence.MEDIUM,
    among=STAFF_RECOVERIES,
    mitigations=(
        "Verify callers through a channel an impostor does not control before any reset: an "
        "approval in the customer's app on a registered device, a call-back to the number on "
        "file (never one the caller gives), an identity document check for high-risk changes.",
        "Hold resets for a cooling-off period with notifications to the old contact details, "
        "and limit what one agent can reset per day; review resets followed by money movement.",
    ),
    detection="Service or function staff use (directly or through gateways and proxies) in a "
    "system that also has customers, whose id, name, description, routes or code paths say it "
    "resets passwords, second factors or device bindings, unblocks or recovers accounts or "
    "changes phone numbers or e-mail addresses (or that writes to an identity provider "
    "customers sign in with), with `properties.recovery_caller_verified: false`. An applicable "
    "threat when not stated.",
    references=("https://cheatsheetseries.owasp.org/cheatsheets/"
                "Forgot_Password_Cheat_Sheet.html",
                "https://attack.mitre.org/techniques/T1656/"),
    asks=(Ask(
        "Before staff reset credentials, devices or contact details through {element}, is the "
        "caller verified through a channel an impostor does not control (in-app approval, a "
        "call-back to the number on file)?",
        (AskFact("properties.recovery_caller_verified", confirms=("false",),
                 rules_out=("true",)),),
        threat="Social engineering of support: an impostor may get staff to reset a victim's "
        "account through {element}",
    ),),
))
def fraud_support_social_engineering(component: Component, model: Model) -> Verdict:
    """Account resets by staff on the caller's word."""
    why = _recovery_why(model, component)
    return _decide_where(
        component, "recovery_caller_verified", why, "staff reset no customer accounts through it"
    )


# --- fraud checks that fail open --------------------------------------------------------------


def _fraud_checked(model: Model) -> frozenset[str]:
    return model.graph.memo(("fraud-checked",), lambda: frozenset(
        cid for cid, c in model.components.items()
        if c.kind in PROCESS_KINDS and c.kind not in EDGE_KINDS
        and ("fraud_check_fails_closed" in c.properties or _fail_open_why(model, c))
    ))


_CHECK_KINDS = PROCESS_KINDS | {ComponentKind.EXTERNAL_SERVICE}


def _fail_open_why(model: Model, component: Component) -> tuple[str, ...]:
    if component.kind not in PROCESS_KINDS or component.kind in EDGE_KINDS:
        return ()
    moves = _pays_out(model, component) or money_moves(model, component)
    if not moves:
        return ()
    checks = sorted(f.target for f in model.graph.flows_out(component.id)
                    if f.target != component.id
                    and model.components[f.target].kind in _CHECK_KINDS
                    and _words_in(_FRAUD_CHECK_WORDS, [text_of(model.components[f.target])]))
    if not checks:
        return ()
    return (moves, f"asks {', '.join(checks)} for a fraud or risk decision")


FRAUD_CHECKED = ElementSet(
    "fraud-checked", "services and functions that move money and call a fraud, risk, AML or "
    "sanctions check (or that state properties.fraud_check_fails_closed)",
    _fraud_checked,
)


@rule(RuleMeta(
    id="fraud-check-fail-open",
    title="{element} may let payments through when its fraud check fails",
    description="A payment flow that calls a fraud, risk or sanctions check and goes on when "
    "the check times out, errors or is switched off is unprotected exactly when an attacker "
    "floods or breaks the check: payments that would be blocked are executed.",
    target=Target.COMPONENT, likelihood=2, impact=4, stride=(E, T), cwe=(636,),
    asvs=("V11.1.7",), attack=("T1562",),
    kinds=PROCESS_KINDS, domain=DOMAIN, confidence=Confidence.MEDIUM,
    among=FRAUD_CHECKED,
    mitigations=(
        "Fail closed: when the check errors or times out, hold the payment for review (or "
        "decline it) instead of executing it; make any fallback rule explicit, limited in "
        "amount and alerted on.",
        "Monitor the check's error and timeout rates and alarm when payments go through "
        "unscored.",
    ),
    detection="Service or function that moves money (sends it to a payment partner, is the "
    "payment service, issues refunds, or passes money data on to them) and has a flow to a "
    "service, function or external service named or described as a fraud, risk-scoring, "
    "AML, sanctions or screening check, with `properties.fraud_check_fails_closed: false`. "
    "An applicable threat when not stated.",
    references=("https://cwe.mitre.org/data/definitions/636.html",),
    asks=(Ask(
        "When the fraud or risk check that {element} calls errors or times out, are payments "
        "held or declined (fail closed) rather than executed?",
        (AskFact("properties.fraud_check_fails_closed", confirms=("false",),
                 rules_out=("true",)),),
        threat="Fail open: {element} may execute payments unchecked while its fraud check is "
        "down or slow",
    ),),
))
def fraud_check_fail_open(component: Component, model: Model) -> Verdict:
    """Payments executed when the fraud check does not answer."""
    why = _fail_open_why(model, component)
    return _decide_where(
        component, "fraud_check_fails_closed", why, "moves no money through a fraud check"
    )


# --- dual control for staff money movement and limit changes ----------------------------------


def _staff_money(model: Model) -> frozenset[str]:
    return model.graph.memo(("staff-money",), lambda: frozenset(
        cid for cid, c in model.components.items()
        if c.kind in PROCESS_KINDS and c.kind not in EDGE_KINDS and _dual_control_why(model, c)
    ))


def _dual_control_why(model: Model, component: Component) -> tuple[str, ...]:
    if component.kind not in PROCESS_KINDS or component.kind in EDGE_KINDS:
        return ()
    if refund_words(component):
        return ()  # refunds: pay-refund-without-dual-approval asks there
    staff = staff_route(model, component.id, hops=3, edges_only=True)
    money = _money(model, component)
    if not staff or not money:
        return ()
    said = _words_in(_MOVEMENT_WORDS, [text_of(component), *component.routes,
                                       *component.paths, *_asset_texts(money)])
    if not said:
        return ()
    return (f"staff use it ({', '.join(staff)})",
            f"moves money or changes limits ('{said}' in {names(money)} or its description)")


STAFF_MONEY = ElementSet(
    "staff-money", "services and functions staff use (directly or through gateways and "
    "proxies) that handle money data named or described as payouts, adjustments, transfers, "
    "credits, write-offs or limits (refund endpoints are left to "
    "pay-refund-without-dual-approval)",
    _staff_money,
)


@rule(RuleMeta(
    id="fraud-staff-money-movement-single-approval",
    title="Staff can move money or change limits through {element} with one person's approval",
    description="Manual adjustments, payouts, credits and limit changes made by staff move "
    "money or raise what an account may move. If one person can make and approve them, one "
    "insider (or one phished staff account) pays out to themselves or to an accomplice.",
    target=Target.COMPONENT, likelihood=3, impact=4, stride=(E, R), cwe=(654,),
    capec=(212,), asvs=("V11.1.3", "V4.1.3"), api_top10=("API6:2023",), attack=("T1657",),
    kinds=PROCESS_KINDS, domain=DOMAIN, confidence=Confidence.MEDIUM,
    among=STAFF_MONEY,
    mitigations=(
        "Require maker-checker approval by a second person (never the maker) for adjustments, "
        "payouts, credits and limit changes above a small threshold, enforced server-side with "
        "the two identities recorded.",
        "Block self-approval and approvals for accounts the approver is linked to; cap "
        "per-person daily totals and review outliers.",
    ),
    detection="Service or function that staff use (directly, or through gateways and proxies "
    "only) and that handles money data named or described as payouts, adjustments, transfers, "
    "credits, write-offs or limits (in its id, name, description, routes, code paths or that "
    "data), not a refund endpoint, with `properties.dual_approval: false`. An applicable "
    "threat when not stated.",
    references=(API6, ASVS),
    asks=(Ask(
        "Do money movements and limit changes through {element} need a second person's "
        "approval (maker-checker, no self-approval)?",
        (AskFact("properties.dual_approval", confirms=("false",), rules_out=("true",)),),
        threat="Dual control: one person (an insider or a stolen staff account) may move money "
        "or change limits through {element} alone",
    ),),
))
def fraud_staff_money_movement_single_approval(component: Component, model: Model) -> Verdict:
    """Staff money movements on one person's approval."""
    why = _dual_control_why(model, component)
    if not why:
        return Skip("staff move no money and change no limits through it")
    return decide_fact(component, "dual_approval", why)


RULES: tuple[Rule, ...] = (
    fraud_balance_race_condition,
    fraud_new_payee_without_step_up,
    fraud_promotion_abuse,
    fraud_support_social_engineering,
    fraud_check_fail_open,
    fraud_staff_money_movement_single_approval,
)
"""The fraud rules, in the order they are documented."""

