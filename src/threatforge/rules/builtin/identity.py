"""Identity rules: MFA, identity-provider isolation, break-glass, session management.

The generic rules in :mod:`stride` ask whether an administrative interface requires MFA
(``admin-without-mfa``) and whether exposed services authenticate at all. The rules here ask
about the identity system itself: the policies an identity provider (IdP) enforces for
administrators, how the IdP is isolated from the workloads that trust it, what happens when it
is unavailable (break-glass), and how machines and people authenticate to each other.

Technology facts are read from ``properties:`` of identity providers, administrative
components and account boundaries; every key is documented in
``docs/rules/identity-properties.md``. An unstated property never makes a rule fire; where
the graph shows the threat applies (people signing in with a password or SAML, staff signing
in through an IdP, federation to an IdP others run), it is an applicable threat with the
question that decides it.
"""

from __future__ import annotations

from collections.abc import Sequence

from threatforge.model import (
    Authn,
    Boundary,
    BoundaryKind,
    Component,
    ComponentKind,
    Flow,
    Model,
    TrustLevel,
)
from threatforge.rules.builtin._facts import OWASP_CHEATSHEETS as CHEATSHEETS
from threatforge.rules.builtin._facts import (
    PEOPLE_KINDS,
    PROCESS_KINDS,
    WORKLOAD_KINDS,
    D,
    E,
    R,
    S,
    decide_fact,
    ids,
    names,
    number,
    said,
    sensitive_data,
    show,
    staff_of,
    tech_is,
    with_category,
    word,
    words,
)
from threatforge.rules.builtin.web import (
    browser_session,
    components_where,
    password_login,
    stated_password_login,
)
from threatforge.rules.interface import (
    PASS,
    Ask,
    AskFact,
    Confidence,
    ElementSet,
    Fire,
    Rule,
    RuledOut,
    RuleMeta,
    Skip,
    Supersedes,
    Target,
    Unknown,
    Verdict,
    rule,
)

__all__ = ["RULES"]

DOMAIN = "identity"

IDP = ComponentKind.IDENTITY_PROVIDER
IDP_KINDS = frozenset({IDP})
"""Components that run the system's own business code."""
ACCOUNT_HOLDER_KINDS = PROCESS_KINDS | IDP_KINDS
"""Components that sign users in or recover their accounts."""
MANAGED_IDP_TECH = (
    "aws.cognito*", "aws.iam*", "aws.sso*", "aws.identitycenter*", "okta*", "auth0*", "entra*",
    "azure.ad*", "azure.entra*", "gcp.identity*", "google.workspace*", "onelogin*",
)
"""Identity services run by a provider: they share no hosts or network with the workloads."""
COGNITO_TECH = ("aws.cognito*",)
IAM_ROLE_TECH = ("aws.iam*",)
"""IAM roles and policies: no administrators of their own to sign in."""
SHARED_CONTROL_ZONES = frozenset(
    {BoundaryKind.NAMESPACE, BoundaryKind.CLUSTER, BoundaryKind.ACCOUNT, BoundaryKind.ON_PREMISES,
     BoundaryKind.OTHER}
)
"""Zones whose members share administrators, secrets or hosts (unlike subnets and VPCs)."""
PASSWORD_AUTHN = frozenset({Authn.PASSWORD, Authn.BASIC})
SERVICE_AUTH_TARGET_KINDS = PROCESS_KINDS | IDP_KINDS
"""What a workload authenticates to as a service (a flow scope)."""
WEAK_RECOVERY = frozenset({"email", "email-link", "sms", "security-questions", "helpdesk"})
"""Recovery channels weaker than a second factor."""

MIN_PASSWORD_LENGTH = 12
"""PCI DSS 4.0 8.3.6 and OWASP ASVS 4.0.3 V2.1.1."""
MAX_PRIVILEGED_IDLE_MINUTES = 15
"""PCI DSS 4.0 8.2.8 and OWASP ASVS 4.0.3 V3.3.2 (level 3)."""
MAX_PRIVILEGED_SESSION_HOURS = 12
"""OWASP ASVS 4.0.3 V3.3.2: re-authentication at least every 12 hours."""
# Skips whose reason never varies are built once: a Skip is frozen, so sharing one is safe.
_NEITHER_ADMIN_NOR_IDP = Skip("neither an administrative interface nor an identity provider")
_NOT_IDP_ADMIN = Skip("the target is not an identity provider's admin interface")
_NOT_ORDINARY_WORKLOAD = Skip("the source is not an ordinary workload")


# --- facts ------------------------------------------------------------------------------------


def _same_product(one: Component, other: Component) -> bool:
    """Two components of one product (Keycloak and its admin console)."""
    return one.tech is not None and one.tech == other.tech


def _idp_techs(model: Model) -> set[str]:
    """The technologies of the model's identity providers."""
    return model.graph.memo(
        ("idp-techs",),
        lambda: {c.tech for c in model.components.values() if c.kind is IDP and c.tech},
    )


def _is_idp_admin(component: Component, model: Model) -> bool:
    """An identity provider's administrative interface or API."""
    if component.prop("idp_admin_api") is True:
        return True
    if not component.admin:
        return False
    return component.kind is IDP or (component.tech is not None
                                     and component.tech in _idp_techs(model))


def _idp_admin_ids(model: Model) -> frozenset[str]:
    """The components that are an identity provider's admin interface (found once per model)."""
    return model.graph.memo(("idp-admin-ids",), lambda: frozenset(
        cid for cid, c in model.components.items() if _is_idp_admin(c, model)
    ))


INTO_IDP_ADMIN = ElementSet(
    "into-idp-admin", "flows into an identity provider's administrative interface or API",
    lambda model: _into_idp_admin(model),
)


def _into_idp_admin(model: Model) -> frozenset[str]:
    graph = model.graph
    components = model.components
    return frozenset(
        [f.id for target in _idp_admin_ids(model) for f in graph.flows_in(target)]
        + [f.id for f in graph.flows_stating("idp_admin_api")
           if f.properties["idp_admin_api"] is True and components[f.target].kind is IDP]
    )


def _workloads_by_zone(model: Model) -> dict[str, list[Component]]:
    """Zone id -> the workloads placed directly in it."""
    found: dict[str, list[Component]] = {}
    for c in model.components.values():
        if c.zone is not None and c.kind in WORKLOAD_KINDS:
            found.setdefault(c.zone, []).append(c)
    return found


def _account_holders(model: Model) -> list[Component | Boundary]:
    """Where privileged accounts live: identity providers and cloud account boundaries."""
    holders: list[Component | Boundary] = [c for c in model.components.values() if c.kind is IDP]
    holders += [b for b in model.boundaries.values() if b.kind is BoundaryKind.ACCOUNT]
    return holders


# --- identity provider policies ---------------------------------------------------------------


@rule(RuleMeta(
    id="idp-admin-mfa-not-enforced",
    title="Identity provider {element} does not enforce MFA for administrators",
    description="When the identity provider's policy leaves MFA optional for administrators, "
    "one phished or reused password of a realm, tenant or cloud-console administrator hands "
    "over every application that trusts the provider.",
    target=Target.COMPONENT, likelihood=3, impact=5, stride=(S, E), cwe=(308,), capec=(560,),
    asvs=("V2.2.4", "V4.3.1"), attack=("T1078.004", "T1110"), kinds=IDP_KINDS,
    confidence=Confidence.HIGH, domain=DOMAIN, compliance=("pci-dss-4.0:8.4.1",),
    mitigations=(
        "Require phishing-resistant MFA (FIDO2/WebAuthn security keys or passkeys) for every "
        "administrator in the provider's policy: IAM Identity Center 'require MFA' with "
        "security keys, Okta/Entra ID authentication policies or Conditional Access for admin "
        "roles, Keycloak 'Conditional OTP/WebAuthn' required for the master realm.",
        "Protect the AWS root user and every IAM user that can sign in to the console with "
        "hardware MFA, and deny console actions without `aws:MultiFactorAuthPresent`.",
    ),
    detection="Identity provider with `properties.mfa_enforced_for_admins: false` (or "
    "`optional`). Administrative applications with `admin: true` and `mfa: false` are reported "
    "by admin-without-mfa. On an identity provider that something signs in through (a flow to "
    "or from it; IAM roles excluded), an applicable threat (with the question) while it is not "
    "stated.",
    false_positives="Administrators who can only sign in through a federated IdP that itself "
    "enforces MFA; state `mfa_enforced_for_admins: true` for the federation.",
    references=(
        "https://docs.aws.amazon.com/singlesignon/latest/userguide/enable-mfa.html",
        f"{CHEATSHEETS}Multifactor_Authentication_Cheat_Sheet.html",
    ),
    asks=(Ask(
        "Does the policy of {element} require MFA for all its administrators?",
        (AskFact("properties.mfa_enforced_for_admins", confirms=("false",),
                 rules_out=("true",)),),
        threat="One phished administrator password of {element} may hand over every "
        "application that trusts it",
    ),),
))
def idp_admin_mfa_not_enforced(component: Component, model: Model) -> Verdict:
    """Fire on identity providers whose policy does not require MFA for administrators."""
    enforced = component.prop("mfa_enforced_for_admins")
    if enforced is False or word(enforced) == "optional":
        assert enforced is not None  # noqa: S101 - checked above
        return Fire((said("mfa_enforced_for_admins", enforced),))
    if enforced is True:
        return RuledOut(("properties.mfa_enforced_for_admins: true",))
    if tech_is(component, IAM_ROLE_TECH):
        return PASS
    users = sorted({f.source for f in model.graph.flows_in(component.id)}
                   | {f.target for f in model.graph.flows_out(component.id)})
    if not users:
        return PASS
    return Unknown(("properties.mfa_enforced_for_admins",),
                   why=("signs in or serves " + ", ".join(f"'{u}'" for u in users),))


@rule(RuleMeta(
    id="idp-weak-password-policy",
    title="Identity provider {element} accepts weak passwords ({detail})",
    description="Short passwords and passwords already published in breaches fall to "
    "credential stuffing and guessing; the identity provider then hands out valid tokens for "
    "the personal data and credentials it guards.",
    target=Target.COMPONENT, likelihood=3, impact=4, stride=(S,), cwe=(521,), capec=(49, 600),
    asvs=("V2.1.1", "V2.1.7"), attack=("T1110.001", "T1110.004"), kinds=IDP_KINDS,
    domain=DOMAIN, compliance=("pci-dss-4.0:8.3.6",),
    mitigations=(
        f"Require at least {MIN_PASSWORD_LENGTH} characters (Cognito user pool password "
        "policy `MinimumLength`, Keycloak password policy `length(12)`), allow long "
        "passphrases, and drop composition rules and forced periodic changes (NIST SP 800-63B).",
        "Reject passwords found in breach corpora (Cognito threat protection compromised "
        "credentials, Keycloak `passwordBlacklist`, Okta breached-password detection), and "
        "offer passkeys so users need no password at all.",
    ),
    detection="Identity provider holding personal data or credentials with "
    f"`properties.password_min_length` below {MIN_PASSWORD_LENGTH} or "
    "`properties.breached_password_check: false`, unless `properties.passwordless: true`. "
    "The minimum length of Cognito user pools is left to aws-cognito-weak-password-policy. "
    "On an identity provider that people sign in to with a stated password (`authn: password` "
    "or `basic` on it or a person's flow into it), holding such data, an applicable threat "
    "while neither fact is stated.",
    false_positives="Providers where passwords are only a fallback behind passkeys for most "
    "users; accept with the share of password sign-ins as justification.",
    references=(
        "https://pages.nist.gov/800-63-3/sp800-63b.html#memsecret",
        f"{CHEATSHEETS}Authentication_Cheat_Sheet.html",
        "https://www.keycloak.org/docs/latest/server_admin/#_password-policies",
    ),
    asks=(Ask(
        "Does {element} reject new passwords that appear in breach corpora (and require at "
        f"least {MIN_PASSWORD_LENGTH} characters)?",
        (AskFact("properties.breached_password_check", confirms=("false",),
                 rules_out=("true",)),),
        threat="Passwords from breach lists may open accounts at {element}",
    ),),
))
def idp_weak_password_policy(component: Component, model: Model) -> Verdict:
    """Fire on identity providers with short minimum passwords or no breached-password check."""
    if component.prop("passwordless") is True:
        return Skip("passwordless: no passwords to guess")
    length = number(component.prop("password_min_length"))
    if tech_is(component, COGNITO_TECH):
        length = None  # aws-cognito-weak-password-policy reports Cognito's minimum length
    evidence: list[str] = []
    details: list[str] = []
    if length is not None and length < MIN_PASSWORD_LENGTH:
        evidence.append(said("password_min_length", length))
        details.append(f"minimum length {show(length)}")
    if component.prop("breached_password_check") is False:
        evidence.append(said("breached_password_check", False))
        details.append("no breached-password check")
    data = with_category(model.graph.data_of(component.id), "pii", "credentials")
    if not evidence:
        login = stated_password_login(model, component)
        if not login or not data:
            return PASS
        if component.prop("breached_password_check") is True:
            return RuledOut(("properties.breached_password_check: true",))
        if length is not None:
            return RuledOut((said("password_min_length", length),))
        return Unknown(("properties.breached_password_check",),
                       why=(login, f"holds {names(data)}"), data=ids(data))
    if not data:
        return Skip("holds no personal data or credentials")
    return Fire((*evidence, f"holds {names(data)}"),
                data=ids(data), detail=", ".join(details))


@rule(RuleMeta(
    id="idp-no-brute-force-protection",
    title="Identity provider {element} does not slow down password guessing",
    description="Without lockout, throttling or risk-based detection on the sign-in endpoint, "
    "attackers can try breached credential lists and guess passwords at machine speed until "
    "one account opens.",
    target=Target.COMPONENT, likelihood=4, impact=4, stride=(S,), cwe=(307,), capec=(49, 600),
    asvs=("V2.2.1",), attack=("T1110.001", "T1110.003", "T1110.004"), kinds=IDP_KINDS,
    confidence=Confidence.HIGH, domain=DOMAIN, compliance=("pci-dss-4.0:8.3.4",),
    mitigations=(
        "Turn on the provider's protection: Keycloak 'Brute Force Detection' (permanent or "
        "temporary lockout), Cognito threat protection in enforced mode, Okta ThreatInsight, "
        "Entra ID Smart Lockout; add an AWS WAF rate-based rule and the account takeover "
        "prevention (ATP) rule group on the login path.",
    ),
    detection="Identity provider that accepts passwords with `properties.brute_force_detection: "
    "false`, `properties.account_lockout: false` or `properties.advanced_security: off`. On an "
    "identity provider that people sign in to with a stated password (`authn: password` or "
    "`basic` on it or a person's flow into it), an applicable threat while none of them is "
    "stated.",
    false_positives="Protection enforced in front of the IdP (a WAF account-takeover rule group "
    "on the login path); declare it as a control and accept the finding.",
    references=(
        f"{CHEATSHEETS}Authentication_Cheat_Sheet.html#protect-against-automated-attacks",
        "https://www.keycloak.org/docs/latest/server_admin/#password-guess-brute-force-attacks",
        "https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pool-settings-"
        "threat-protection.html",
    ),
    asks=(Ask(
        "Does {element} throttle or lock out repeated failed sign-ins and detect credential "
        "stuffing?",
        (AskFact("properties.brute_force_detection", confirms=("false",), rules_out=("true",)),),
        threat="Credential stuffing and password guessing against {element}",
    ),),
))
def idp_no_brute_force_protection(component: Component, model: Model) -> Verdict:
    """Fire on password-accepting identity providers that state brute-force protection is off."""
    evidence = [said(k, False) for k in ("brute_force_detection", "account_lockout")
                if component.prop(k) is False]
    advanced = component.prop("advanced_security")
    if advanced is False or word(advanced) == "off":  # YAML 1.1 reads a bare OFF as false
        evidence.append("properties.advanced_security: off")
    if not evidence:
        login = stated_password_login(model, component)
        if not login:
            return PASS
        if component.prop("brute_force_detection") is True:
            return RuledOut(("properties.brute_force_detection: true",))
        if component.prop("account_lockout") is True or word(advanced) == "enforced":
            return PASS
        return Unknown(("properties.brute_force_detection",), why=(login,))
    passwords = component.authn in PASSWORD_AUTHN or any(
        f.effective_authn in PASSWORD_AUTHN for f in model.graph.flows_in(component.id)
    )
    if component.authn is not None and not passwords:
        return Skip(f"does not accept passwords (authn: {component.authn.value})")
    return Fire(tuple(evidence))


SAML_PARTIES = components_where(
    "saml-parties", "components that state saml_signed_assertions, and SAML service providers "
    "of ours (authn: saml, people signing in with SAML, SAML federation to an IdP)",
    lambda model, c: "saml_signed_assertions" in c.properties
    or _saml_service_provider(model, c),
)


@rule(RuleMeta(
    id="idp-saml-unsigned-assertions",
    title="SAML assertions for {element} are not signed",
    description="A service provider that accepts unsigned SAML assertions (or only a signed "
    "response wrapping an unsigned assertion) lets anyone who can post to its assertion "
    "consumer service write their own assertion and sign in as any user, including admins.",
    target=Target.COMPONENT, likelihood=3, impact=5, stride=(S, E), cwe=(347,), capec=(475,),
    asvs=("V3.5.3",), attack=("T1606.002",), kinds=ACCOUNT_HOLDER_KINDS,
    confidence=Confidence.HIGH, domain=DOMAIN, among=SAML_PARTIES,
    mitigations=(
        "Sign every assertion at the IdP (Okta/Entra 'sign assertion', Keycloak client "
        "'Sign assertions: ON') and require signed assertions at every service provider "
        "(`WantAssertionsSigned=\"true\"`); validate the signature against the pinned IdP "
        "certificate before reading any attribute, and reject XML signature wrapping.",
    ),
    detection="Identity provider or process with `properties.saml_signed_assertions: false`. "
    "On a SAML service provider of ours (a process with `authn: saml` or taking people's flows "
    "with `authn: saml`, or a component with an `authn: saml` flow to an identity provider it "
    "federates to), an applicable threat while it is not stated.",
    false_positives="Responses that are signed as a whole and validated strictly (no signature "
    "wrapping) by a hardened library; prefer signed assertions anyway and accept "
    "with justification.",
    references=(
        f"{CHEATSHEETS}SAML_Security_Cheat_Sheet.html",
        "https://cwe.mitre.org/data/definitions/347.html",
    ),
    asks=(Ask(
        "Does {element} require every SAML assertion to be signed, and validate the signature "
        "against the pinned IdP certificate before reading any attribute?",
        (AskFact("properties.saml_signed_assertions", confirms=("false",),
                 rules_out=("true",)),),
        threat="SAML assertion forgery: {element} may accept an assertion nobody signed "
        "(signature wrapping, unsigned assertions)",
    ),),
))
def idp_saml_unsigned_assertions(component: Component, model: Model) -> Verdict:
    """Fire on SAML parties that state assertions are not signed."""
    signed = component.prop("saml_signed_assertions")
    if signed is False:
        return Fire((said("saml_signed_assertions", False),))
    why = _saml_service_provider(model, component)
    if not why:
        return PASS
    return decide_fact(component, "saml_signed_assertions", (why,), weak=False)


def _saml_service_provider(model: Model, component: Component) -> str:
    """Why the component consumes SAML assertions ("" when nothing shows it)."""
    if not component.ours:
        return ""
    graph = model.graph
    idps = sorted(f.target for f in graph.flows_out(component.id)
                  if f.effective_authn is Authn.SAML
                  and model.components[f.target].kind is IDP)
    if idps:
        return "federates sign-in to " + ", ".join(f"'{i}'" for i in idps) + " over SAML"
    if component.kind is IDP:
        return ""
    if component.authn is Authn.SAML:
        return "authn: saml (a SAML service provider)"
    people = sorted(f.source for f in graph.flows_in(component.id)
                    if f.effective_authn is Authn.SAML
                    and model.components[f.source].kind in PEOPLE_KINDS)
    if people:
        return ", ".join(f"'{p}'" for p in people) + " sign in to it with SAML"
    return ""


MFA_OR_RECOVERY = components_where(
    "mfa-or-recovery", "components that state recovery_bypasses_mfa, or MFA at sign-in (mfa: "
    "true, or properties.mfa_enforced_for_admins: true)",
    lambda model, c: c.prop("recovery_bypasses_mfa") is True or c.mfa is True
    or c.prop("mfa_enforced_for_admins") is True,
)


@rule(RuleMeta(
    id="identity-recovery-bypasses-mfa",
    title="Account recovery on {element} bypasses MFA",
    description="When an e-mailed link, an SMS code or a help-desk call resets both the "
    "password and the second factor, MFA protects only until the attacker clicks 'forgot "
    "password': the recovery channel becomes the real authentication.",
    target=Target.COMPONENT, likelihood=3, impact=4, stride=(S, E), cwe=(640, 308),
    capec=(50,), asvs=("V2.5.6", "V2.5.7"), attack=("T1556.006", "T1098"),
    kinds=ACCOUNT_HOLDER_KINDS, domain=DOMAIN, among=MFA_OR_RECOVERY,
    mitigations=(
        "Require the enrolled second factor to recover a password, and identity proofing at the "
        "enrolment level to reset the factor itself (Okta/Entra self-service password reset "
        "with MFA, Cognito account recovery without SMS-only, help desk verification through "
        "the manager and a video call).",
        "Notify the user on every recovery and factor change, and hold privileged accounts to "
        "recovery by another administrator only.",
    ),
    detection="Identity provider or process with `properties.recovery_bypasses_mfa: true`, or "
    "with `mfa: true` (or `properties.mfa_enforced_for_admins: true`) and "
    "`properties.account_recovery` email, email-link, sms, security-questions or helpdesk, "
    "unless `properties.recovery_requires_mfa: true`. On such a component that people sign in "
    "to with a password (see login-credential-stuffing), an applicable threat while no "
    "recovery fact is stated.",
    false_positives="Help-desk recovery that performs identity proofing at the enrolment level "
    "(video call, manager approval); state `recovery_requires_mfa: true` only if "
    "a factor is required.",
    references=(
        f"{CHEATSHEETS}Forgot_Password_Cheat_Sheet.html",
        f"{CHEATSHEETS}Multifactor_Authentication_Cheat_Sheet.html#resetting-mfa",
    ),
    asks=(Ask(
        "Can an account on {element} be recovered (password and second factor reset) without "
        "the enrolled second factor?",
        (
            AskFact("properties.recovery_bypasses_mfa", confirms=("true",),
                    rules_out=("false",)),
            AskFact("properties.recovery_requires_mfa", rules_out=("true",)),
        ),
        threat="Account recovery on {element} may reset the password and second factor "
        "without the factor, defeating MFA",
    ),),
))
def identity_recovery_bypasses_mfa(component: Component, model: Model) -> Verdict:
    """Fire when account recovery needs less than the sign-in it recovers."""
    bypass = component.prop("recovery_bypasses_mfa")
    if bypass is True:
        return Fire((said("recovery_bypasses_mfa", True),))
    if component.mfa is True:
        mfa = "mfa: true"
    elif component.prop("mfa_enforced_for_admins") is True:
        mfa = said("mfa_enforced_for_admins", True)
    else:
        return PASS
    if component.prop("recovery_requires_mfa") is True:
        return RuledOut(("properties.recovery_requires_mfa: true",))
    weak = [r for r in words(component.prop("account_recovery")) if r in WEAK_RECOVERY]
    if weak:
        return Fire((mfa, f"properties.account_recovery: {', '.join(weak)}"))
    if bypass is False:
        return RuledOut(("properties.recovery_bypasses_mfa: false",))
    if component.prop("account_recovery") is not None or not component.ours:
        return PASS
    login = password_login(model, component)
    if not login:
        return PASS  # people do not sign in to it with its own credentials: nothing to recover
    return Unknown(("properties.recovery_bypasses_mfa",), why=(mfa, login))


# --- isolation of the identity provider -------------------------------------------------------


@rule(RuleMeta(
    id="idp-colocated-with-workloads",
    title="Self-hosted identity provider {element} shares its zone with workloads",
    description="An identity provider is tier 0: whoever controls its hosts, database or signing "
    "keys can mint tokens for every application. Running it in the same Kubernetes namespace or "
    "cluster, or directly in the same cloud account, as ordinary workloads means the people and "
    "workloads that administer those share control of it: one compromised workload or "
    "namespace admin is one step away from forging every identity.",
    target=Target.COMPONENT, likelihood=2, impact=5, stride=(E, S), cwe=(653,),
    asvs=("V1.14.1",), attack=("T1606", "T1552"), kinds=IDP_KINDS, domain=DOMAIN,
    mitigations=(
        "Run the IdP in its own zone: a dedicated Kubernetes namespace (better, cluster) with "
        "default-deny NetworkPolicies, its own node pool, database and KMS key, or a dedicated "
        "AWS account for identity; allow only the IdP's public endpoints in from workloads.",
        "Keep its signing keys in an HSM or KMS key that only the IdP's role can use.",
    ),
    detection="Identity provider that is not managed (not Cognito, IAM Identity Center, Okta, "
    "Entra ID, ...) whose own zone is a namespace, cluster, account, on-premises or other "
    "zone (not a subnet, VPC or network, which security groups separate; not a third party) "
    "and directly holds services or functions of another technology.",
    false_positives="Zones that are only logical groupings with strong isolation inside them "
    "(separate node pools and NetworkPolicies): model the isolation as its own "
    "zone.",
    references=(
        "https://learn.microsoft.com/en-us/entra/architecture/protect-m365-from-on-premises-"
        "attacks",
        "https://www.keycloak.org/server/configuration-production",
    ),
))
def idp_colocated_with_workloads(component: Component, model: Model) -> Verdict:
    """Fire on self-hosted IdPs whose zone also runs unrelated workloads."""
    if tech_is(component, MANAGED_IDP_TECH):
        return Skip("a managed identity service shares no hosts with workloads")
    zone = model.boundaries.get(component.zone) if component.zone else None
    if zone is None:
        return Skip("has no zone")
    if zone.kind is BoundaryKind.THIRD_PARTY:
        return Skip("run by a third party")
    if zone.kind not in SHARED_CONTROL_ZONES:
        return Skip(f"a {zone.kind.value} separates workloads by security groups and routes, "
                    "not by who controls them")
    by_zone = model.graph.memo(("workloads-by-zone",), lambda: _workloads_by_zone(model))
    neighbours = sorted(
        c.id for c in by_zone.get(zone.id, ())
        if c.id != component.id and not _same_product(c, component)
    )
    if not neighbours:
        return PASS
    return Fire((f"zone '{zone.id}' ({zone.kind.value}) also runs {', '.join(neighbours)}",),
                data=tuple(a.id for a in sensitive_data(model, component)))


@rule(RuleMeta(
    id="idp-admin-api-reachable-from-workloads",
    title="Workload {element} can call the identity provider's admin API",
    description="A workload that can reach the identity provider's administrative API (and "
    "holds credentials for it) turns any compromise of that workload into control of all "
    "identities: create admins, reset passwords and MFA, register clients, export keys.",
    target=Target.FLOW, likelihood=3, impact=5, stride=(E,), cwe=(653, 269),
    source_kinds=WORKLOAD_KINDS,
    asvs=("V1.14.1", "V4.1.3"), attack=("T1098", "T1136"), domain=DOMAIN,
    among=INTO_IDP_ADMIN,
    mitigations=(
        "Do not route the admin API (Keycloak `/admin`, Okta/Entra management APIs) to workload "
        "networks: block the path at the ingress and allow it only from an admin network.",
        "Where a service must provision users, give it a dedicated client limited to the "
        "`manage-users` role of its own realm (or a SCIM endpoint) instead of realm-admin, and "
        "alert on admin API calls from it.",
    ),
    detection="Flow from a service or function (not administrative, not part of the IdP) to an "
    "identity provider's admin interface: a component with `admin: true` that is an identity "
    "provider or shares an identity provider's technology, a component with "
    "`properties.idp_admin_api: true`, or a flow to an identity provider with "
    "`properties.idp_admin_api: true`.",
    false_positives="User-provisioning services with a narrowly scoped admin client; accept with "
    "the client's roles as justification.",
    references=(
        "https://www.keycloak.org/server/reverseproxy#_exposed_path_recommendations",
        "https://cwe.mitre.org/data/definitions/653.html",
    ),
))
def idp_admin_api_reachable_from_workloads(flow: Flow, model: Model) -> Verdict:
    """Fire on flows from workloads into an identity provider's administrative API."""
    target = model.components[flow.target]
    source = model.components[flow.source]
    admin_api = flow.target in _idp_admin_ids(model) or (
        target.kind is IDP and flow.properties.get("idp_admin_api") is True
    )
    if not admin_api:
        return _NOT_IDP_ADMIN
    if source.admin or _same_product(source, target):
        return _NOT_ORDINARY_WORKLOAD
    return Fire((f"workload '{source.id}' ({source.kind.value}) calls '{target.id}'",
                 "the target is an identity provider's admin interface"),
                data=tuple(a.id for a in sensitive_data(model, target)))


# --- privileged access ------------------------------------------------------------------------


@rule(RuleMeta(
    id="identity-no-break-glass",
    title="No break-glass access for {element}",
    description="When the identity provider or SSO federation fails (an outage, a broken "
    "policy, a lost signing certificate), administrators without an emergency account are "
    "locked out of the systems they need to restore, for the length of the outage.",
    target=Target.MODEL, likelihood=2, impact=4, stride=(D,), cwe=(657,), domain=DOMAIN,
    mitigations=(
        "Keep two emergency accounts outside the federation (AWS root or an IAM user in the "
        "management account, Entra ID cloud-only emergency access accounts) with hardware MFA "
        "kept in a safe, excluded from Conditional Access, and tested quarterly.",
    ),
    detection="No identity provider or account boundary states `properties.break_glass_account: "
    "true`, and at least one states `break_glass_account: false` (one finding for each).",
    false_positives="Break-glass access provided by a system outside the model (an "
    "organisation-wide management account); state `break_glass_account: true` on "
    "the element that provides it.",
    references=(
        "https://docs.aws.amazon.com/whitepapers/latest/organizing-your-aws-environment/break-"
        "glass-access.html",
        "https://learn.microsoft.com/en-us/entra/identity/role-based-access-control/security-"
        "emergency-access",
    ),
))
def identity_no_break_glass(model_: Model, model: Model) -> Sequence[Verdict]:
    """Fire when the model says break-glass access is missing and none exists elsewhere."""
    holders = _account_holders(model)
    stated = [(h, h.properties.get("break_glass_account")) for h in holders]
    if any(value is True for _, value in stated):
        return (PASS,)
    return [Fire((said("break_glass_account", False),
                  "no identity provider or account states a break-glass account"),
                 elements=(h.id,))
            for h, value in stated if value is False]


@rule(RuleMeta(
    id="identity-break-glass-unmonitored",
    title="Break-glass access to {element} raises no alert when used",
    description="Emergency accounts bypass SSO, MFA policies and approvals; if signing in with "
    "one does not page anyone, an attacker who obtains it keeps full control unnoticed.",
    target=Target.MODEL, likelihood=2, impact=5, stride=(R, E), cwe=(778,),
    asvs=("V7.2.1",), attack=("T1078.004",), domain=DOMAIN, confidence=Confidence.HIGH,
    compliance=("pci-dss-4.0:10.2.1.2",),
    mitigations=(
        "Alert on every sign-in of a break-glass account (an EventBridge rule on CloudTrail "
        "`ConsoleLogin` for the root user or the emergency IAM users to the security on-call, "
        "an Entra ID alert rule on the emergency accounts), and review each use.",
    ),
    detection="Identity provider or account boundary with `properties.break_glass_account: "
    "true` and `properties.break_glass_alerting: false`.",
    false_positives="Alerting implemented outside the modelled system (an organisation SIEM "
    "rule); state `break_glass_alerting: true`.",
    references=(
        "https://docs.aws.amazon.com/whitepapers/latest/organizing-your-aws-environment/break-"
        "glass-access.html",
    ),
))
def identity_break_glass_unmonitored(model_: Model, model: Model) -> Sequence[Verdict]:
    """Fire on break-glass accounts whose use raises no alert."""
    return [Fire((said("break_glass_account", True), said("break_glass_alerting", False)),
                 elements=(h.id,))
            for h in _account_holders(model)
            if h.properties.get("break_glass_account") is True
            and h.properties.get("break_glass_alerting") is False]


ADMIN_OR_IDP = components_where(
    "admin-or-idp", "components with admin: true, and identity providers",
    lambda model, c: c.admin or c.kind is IDP,
)


@rule(RuleMeta(
    id="identity-privileged-session-too-long",
    title="Privileged sessions on {element} last too long ({detail})",
    description="Administrative sessions that stay valid through long idle periods or for days "
    "give a stolen session cookie, token or unlocked workstation administrative power long "
    "after the administrator walked away.",
    target=Target.COMPONENT, likelihood=2, impact=4, stride=(S, E), cwe=(613,), capec=(60,),
    asvs=("V3.3.2",), attack=("T1550.004", "T1539"), domain=DOMAIN,
    compliance=("pci-dss-4.0:8.2.8",), among=ADMIN_OR_IDP,
    mitigations=(
        f"Re-authenticate administrators after {MAX_PRIVILEGED_IDLE_MINUTES} minutes idle and "
        f"at most every {MAX_PRIVILEGED_SESSION_HOURS} hours (IAM Identity Center permission "
        "set session duration, IAM role `MaxSessionDuration`, Keycloak master-realm SSO session "
        "idle/max, the admin application's own session timeout).",
    ),
    detection="Component with `admin: true` and `properties.session_timeout_minutes` above "
    f"{MAX_PRIVILEGED_IDLE_MINUTES} or `properties.session_absolute_timeout_hours` above "
    f"{MAX_PRIVILEGED_SESSION_HOURS}; identity provider with "
    f"`properties.admin_session_timeout_minutes` above {MAX_PRIVILEGED_IDLE_MINUTES} or "
    f"`properties.admin_max_session_hours` above {MAX_PRIVILEGED_SESSION_HOURS}. On an "
    "administrative component that keeps people's browser sessions (see "
    "csrf-missing-protection), an applicable threat while `session_timeout_minutes` is not "
    "stated.",
    false_positives="Long sessions on consoles that re-authenticate for every privileged action "
    "(step-up authentication); accept with that justification.",
    references=(
        f"{CHEATSHEETS}Session_Management_Cheat_Sheet.html#session-expiration",
        "https://docs.aws.amazon.com/singlesignon/latest/userguide/howtosessionduration.html",
    ),
    supersedes=(Supersedes("session-excessive-lifetime"),),
    asks=(Ask(
        f"How long may an administrator's session on {{element}} stay idle (minutes; more "
        f"than {MAX_PRIVILEGED_IDLE_MINUTES} confirms it)?",
        (AskFact("properties.session_timeout_minutes", confirms=("60",),
                 rules_out=(str(MAX_PRIVILEGED_IDLE_MINUTES),)),),
        threat="An administrator's browser session on {element} left open or stolen may keep "
        "its privileges for long",
    ),),
))
def identity_privileged_session_too_long(component: Component, model: Model) -> Verdict:
    """Fire on administrative sessions with long idle or absolute lifetimes."""
    keys: list[tuple[str, str]] = []
    if component.admin:
        keys += [("session_timeout_minutes", "idle"), ("session_absolute_timeout_hours", "max")]
    if component.kind is IDP:
        keys += [("admin_session_timeout_minutes", "idle"), ("admin_max_session_hours", "max")]
    if not keys:
        return _NEITHER_ADMIN_NOR_IDP
    limits = {"idle": MAX_PRIVILEGED_IDLE_MINUTES, "max": MAX_PRIVILEGED_SESSION_HOURS}
    units = {"idle": "minutes idle", "max": "hours in total"}
    evidence: list[str] = []
    details: list[str] = []
    for key, kind in keys:
        value = number(component.prop(key))
        if value is not None and value > limits[kind]:
            evidence.append(said(key, value))
            details.append(f"{show(value)} {units[kind]}")
    if not evidence:
        session = browser_session(model, component) if component.admin else ""
        if not session:
            return PASS
        idle = number(component.prop("session_timeout_minutes"))
        if idle is None:
            return Unknown(("properties.session_timeout_minutes",),
                           why=("admin: true", session))
        return RuledOut((said("session_timeout_minutes", idle),))
    return Fire(tuple(evidence), detail=", ".join(details))


@rule(RuleMeta(
    id="identity-shared-admin-accounts",
    title="{element} is administered through shared accounts",
    description="Shared or generic administrator accounts cannot be tied to a person: actions "
    "cannot be attributed, leavers keep the password, and MFA is usually disabled so that the "
    "account stays usable by the whole team.",
    target=Target.COMPONENT, likelihood=3, impact=4, stride=(R, S), cwe=(286, 778),
    attack=("T1078",), confidence=Confidence.HIGH, domain=DOMAIN,
    compliance=("pci-dss-4.0:8.2.2",),
    properties=frozenset({"shared_accounts"}),
    mitigations=(
        "Give every administrator a personal account through SSO (IAM Identity Center "
        "permission sets, Okta/Entra groups) and remove shared logins; where a system supports "
        "one account only, broker it through a privileged access manager that checks it out to "
        "one named person at a time, records the session and rotates the password after use.",
    ),
    detection="Component with `properties.shared_accounts: true`.",
    false_positives="Shared accounts checked out through a privileged access manager that records "
    "the named user and rotates the password after each use; accept with "
    "justification.",
    references=(
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html",
        "https://cwe.mitre.org/data/definitions/286.html",
    ),
))
def identity_shared_admin_accounts(component: Component, model: Model) -> Verdict:
    """Fire on components that state they are administered with shared accounts."""
    if component.prop("shared_accounts") is not True:
        return PASS
    return Fire((said("shared_accounts", True),))


@rule(RuleMeta(
    id="identity-standing-privileged-access",
    title="Privileged access to {element} is standing, not just-in-time",
    description="Administrators who hold their privileges permanently expose them all the time: "
    "any phished session or compromised laptop of theirs is an administrator right now, and "
    "unused privileges are never reviewed away.",
    target=Target.COMPONENT, likelihood=2, impact=4, stride=(E,), cwe=(269,),
    asvs=("V1.4.3",), attack=("T1078", "T1098.003"), domain=DOMAIN,
    compliance=("pci-dss-4.0:7.2.2",),
    properties=frozenset({"jit_access"}),
    mitigations=(
        "Grant privileged roles just in time, for hours, with approval and a ticket "
        "(IAM Identity Center temporary elevated access, Entra ID PIM, Teleport/Okta access "
        "requests), and keep no standing admin assignments besides break-glass accounts.",
    ),
    detection="Component with `properties.jit_access: false`.",
    false_positives="Break-glass accounts are standing by design; they are covered by the "
    "break-glass rules, so do not state `jit_access: false` for them.",
    references=(
        "https://docs.aws.amazon.com/singlesignon/latest/userguide/temporary-elevated-access.html",
        "https://learn.microsoft.com/en-us/entra/id-governance/privileged-identity-management/"
        "pim-configure",
    ),
))
def identity_standing_privileged_access(component: Component, model: Model) -> Verdict:
    """Fire on components that state privileged access is not just-in-time."""
    if component.prop("jit_access") is not False:
        return PASS
    return Fire((said("jit_access", False),))


@rule(RuleMeta(
    id="identity-service-password-auth",
    title="Service-to-service flow {element} authenticates with a password",
    description="A service that signs in to another with a username and password uses a "
    "credential made for people: it is long-lived, shared by every instance, copied into "
    "configuration and rarely rotated, and it proves nothing about which workload uses it.",
    target=Target.FLOW, likelihood=3, impact=3, stride=(S,), cwe=(309, 522),
    source_kinds=WORKLOAD_KINDS, target_kinds=SERVICE_AUTH_TARGET_KINDS,
    asvs=("V2.10.1", "V2.10.2"), attack=("T1078", "T1552.001"), domain=DOMAIN,
    compliance=("pci-dss-4.0:8.6.3",),
    mitigations=(
        "Authenticate workloads with their platform identity: IAM roles and SigV4, Kubernetes "
        "service account tokens exchanged through IRSA/EKS Pod Identity, mTLS with SPIFFE "
        "identities, or OAuth2 client credentials with `private_key_jwt`.",
        "Where a password is unavoidable, issue it dynamically per instance (Vault dynamic "
        "secrets, Secrets Manager rotation) instead of a shared static one.",
    ),
    detection="Flow from a service or function to a process or identity provider with "
    "`authn: password` or `authn: basic`.",
    false_positives="Legacy targets that support nothing but passwords; issue them per instance "
    "from a secrets manager with rotation and accept with justification.",
    references=(
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles.html",
        "https://spiffe.io/docs/latest/spiffe-about/overview/",
    ),
))
def identity_service_password_auth(flow: Flow, model: Model) -> Verdict:
    """Fire on service-to-service flows that use passwords."""
    authn = flow.effective_authn
    if authn not in PASSWORD_AUTHN:
        return PASS
    source = model.components[flow.source]
    target = model.components[flow.target]
    assert authn is not None  # noqa: S101 - checked above
    secrets = [a for a in model.graph.flow_data(flow) if "credentials" in a.categories]
    evidence = [f"'{source.id}' ({source.kind.value}) -> '{target.id}' ({target.kind.value})",
                f"authn: {authn.value}"]
    if secrets:
        evidence.append(f"carries {names(secrets)}")
    return Fire(tuple(evidence))


# --- federation and staff access ---------------------------------------------------------------


def _foreign_idps(model: Model, component: Component) -> list[str]:
    """The identity providers the component federates sign-in to whose users may be confused:
    two or more of them, or one that others run (in an untrusted zone, or ``owned: false``)."""
    graph = model.graph
    idps = sorted({f.target for f in graph.flows_out(component.id)
                   if model.components[f.target].kind is IDP and f.target != component.id})
    if len(idps) > 1:
        return idps  # several issuers: one may assert the users of another
    return [i for i in idps
            if not model.components[i].ours or graph.trust_of(i) is TrustLevel.UNTRUSTED]


FEDERATING = components_where(
    "federating", "components of ours with flows to two or more identity providers, or to one "
    "others run", lambda model, c: c.ours and _foreign_idps(model, c),
)


@rule(RuleMeta(
    id="idp-federation-confusion",
    title="{element} lets one federated identity provider assert another's users",
    description="A broker that federates sign-in to identity providers others run (each "
    "customer tenant's own SAML or OIDC IdP) must bind every IdP to the users and tenant it "
    "may speak for: an IdP whose assertions are linked to accounts by e-mail address, or "
    "whose issuer is not checked per tenant, signs in as any user of any tenant.",
    target=Target.COMPONENT, likelihood=3, impact=5, stride=(S, E), cwe=(290, 346),
    capec=(89,), asvs=("V3.5.3",), attack=("T1606.002", "T1199"),
    kinds=ACCOUNT_HOLDER_KINDS, domain=DOMAIN, among=FEDERATING,
    mitigations=(
        "Bind each federated connection to its tenant and verified domains (Auth0 "
        "organizations with home realm discovery, Okta/Entra per-IdP routing rules), check "
        "the issuer and audience of every assertion against that connection, and never link "
        "accounts across IdPs by an unverified e-mail claim.",
        "Reject assertions for users or groups outside the connection's tenant, and log the "
        "issuing connection with every sign-in.",
    ),
    detection="An identity provider or process of ours with flows to two or more identity "
    "providers, or to one that others run (in an untrusted zone, or `owned: false`). An "
    "applicable threat until `properties.federated_identities_scoped` is stated; `false` "
    "fires.",
    false_positives="Federation to one corporate IdP that is the only source of users: state "
    "`federated_identities_scoped: true`.",
    references=(
        "https://auth0.com/docs/manage-users/organizations",
        f"{CHEATSHEETS}SAML_Security_Cheat_Sheet.html",
        "https://cwe.mitre.org/data/definitions/346.html",
    ),
    asks=(Ask(
        "Is every identity provider {element} federates to bound to its own tenant and domains "
        "(issuer checked per connection, no account linking by e-mail across IdPs)?",
        (AskFact("properties.federated_identities_scoped", confirms=("false",),
                 rules_out=("true",)),),
        threat="IdP confusion at {element}: a federated identity provider may assert users of "
        "another tenant",
    ),),
))
def idp_federation_confusion(component: Component, model: Model) -> Verdict:
    """A sign-in broker that trusts identity providers others run."""
    if not component.ours:
        return Skip("not a component of ours")
    idps = _foreign_idps(model, component)
    if not idps:
        return Skip("federates to no identity provider that others run")
    why = ("federates sign-in to " + ", ".join(f"'{i}'" for i in idps)
           + (" (several identity providers)" if len(idps) > 1
              else " (an identity provider others run: untrusted zone or owned: false)"))
    return decide_fact(component, "federated_identities_scoped", (why,), weak=False)


@rule(RuleMeta(
    id="identity-stale-access",
    title="Access through {element} is not reviewed: leavers and movers keep it",
    description="Staff who change teams or leave keep the groups and application assignments "
    "of their SSO account when nobody reviews them: a leaver's account (or its session) still "
    "opens the back office, and a mover accumulates rights no role needs.",
    target=Target.COMPONENT, likelihood=3, impact=4, stride=(E,), cwe=(269,),
    asvs=("V1.4.3",), attack=("T1078",), kinds=IDP_KINDS, domain=DOMAIN,
    compliance=("pci-dss-4.0:7.2.4",),
    mitigations=(
        "Drive joiners, movers and leavers from the HR system (Okta/Entra lifecycle management, "
        "SCIM deprovisioning into every application) so access ends the day someone leaves, and "
        "revoke their sessions and tokens.",
        "Review group and application assignments every quarter with the owners (Okta Access "
        "Certifications, Entra access reviews, IAM Identity Center reports), and expire "
        "temporary grants on their own.",
    ),
    detection="An identity provider that staff (people in a corporate zone) sign in through. "
    "An applicable threat until `properties.access_reviews` is stated; `false` fires.",
    false_positives="Identity providers of customers only (no staff): staff are people in a "
    "corporate zone; an IdP they do not reach is not asked.",
    references=(
        "https://help.okta.com/oie/en-us/content/topics/identity-governance/access-"
        "certification/iga-ac-overview.htm",
        "https://learn.microsoft.com/en-us/entra/id-governance/access-reviews-overview",
        "https://cwe.mitre.org/data/definitions/269.html",
    ),
    asks=(Ask(
        "Is access granted through {element} reviewed periodically and removed when staff "
        "leave or change roles (deprovisioning from HR, access certifications)?",
        (AskFact("properties.access_reviews", confirms=("false",), rules_out=("true",)),),
        threat="Stale access through {element}: leavers and movers may keep access to staff "
        "applications",
    ),),
))
def identity_stale_access(component: Component, model: Model) -> Verdict:
    """A staff SSO provider with no stated access reviews."""
    if not component.ours:
        return Skip("not a component of ours")
    staff = staff_of(model)
    users = sorted({f.source for f in model.graph.flows_in(component.id) if f.source in staff})
    if not users:
        return Skip("no staff sign in through it")
    why = ("staff sign in through it (" + ", ".join(f"'{u}'" for u in users) + ")",)
    return decide_fact(component, "access_reviews", why, weak=False)


RULES: tuple[Rule, ...] = (
    idp_admin_mfa_not_enforced,
    idp_weak_password_policy,
    idp_no_brute_force_protection,
    idp_saml_unsigned_assertions,
    identity_recovery_bypasses_mfa,
    idp_colocated_with_workloads,
    idp_admin_api_reachable_from_workloads,
    identity_no_break_glass,
    identity_break_glass_unmonitored,
    identity_privileged_session_too_long,
    identity_shared_admin_accounts,
    identity_standing_privileged_access,
    identity_service_password_auth,
    idp_federation_confusion,
    identity_stale_access,
)
