"""Desktop and mobile clients the team ships: tampering, interception, token theft, updates.

A *shipped app* is a component of kind ``client`` that the team builds and hands to its users:
its ``tech`` is a client technology of the catalogue (``electron``, ``ios``, ``android``,
``react-native``, ``flutter``, ``tauri``), or its id, name or a tag names a desktop or mobile
app ("electron", "desktop app", "mobile", "ios", "android"), and it does not state
``properties.owned: false``. A browser is not one (the page it shows is the web rules' concern).
The app runs on a device its user controls, so every check it makes can be patched out, its
traffic read through a user-installed CA, its stored tokens copied, and its update channel is
a way to run code on every install. These rules report applicable threats with the question
that decides each (``properties.*`` keys of ``docs/rules/client-properties.md``) and fire once
the weak value is stated. Local helper services on the device are the local rules' concern
(``threatforge.rules.builtin.local``); an update they download is asked here too.
"""

from __future__ import annotations

import re

from threatforge.model import (
    Classification,
    Component,
    ComponentKind,
    EncryptionAtRest,
    Flow,
    Model,
)
from threatforge.rules.builtin._facts import (
    INFO,
    OUTSIDE_KINDS,
    PEOPLE_KINDS,
    E,
    S,
    T,
    assets,
    at_least,
    decide_fact,
    flow_prop,
    tech_is,
    with_category,
)
from threatforge.rules.builtin.local import local_words
from threatforge.rules.interface import (
    Ask,
    AskFact,
    ElementSet,
    Fire,
    Linddun,
    Rule,
    RuledOut,
    RuleMeta,
    Skip,
    Target,
    Unknown,
    Verdict,
    rule,
)

__all__ = ["APP_TECH", "RULES", "app_words"]

DOMAIN = "clients"
MASVS = "https://mas.owasp.org/MASVS/"
DESKTOP_TECH = ("electron", "tauri")
MOBILE_TECH = ("ios", "android", "react-native", "flutter")
APP_TECH = (*DESKTOP_TECH, *MOBILE_TECH)
"""Technologies of apps the team ships to its users' devices."""
CLIENT_KINDS = frozenset({ComponentKind.CLIENT})
TOKEN_CATEGORIES = ("session-tokens", "credentials")
_DESKTOP_WORDS = re.compile(r"\b(electron|tauri|desktop)\b")
_MOBILE_WORDS = re.compile(r"\b(mobile|ios|android|iphone|ipad|react[ -]native|flutter)\b")
_ELECTRON_WORDS = re.compile(r"\belectron\b")
_UPDATE_WORDS = re.compile(
    r"\b(updates|updater|auto[- ]?updates?|update (server|service|feed|channel|cdn))\b"
)
_NOT_AN_APP = Skip("not a desktop or mobile app the team ships")


def _named(component: Component, pattern: re.Pattern[str]) -> str:
    """The first of the component's name, id and tags that matches, in words ("" when none)."""
    for where, values in (
        ("its name", [component.name or ""]),
        ("its id", [component.id]),
        ("a tag", list(component.tags)),
    ):
        for value in values:
            if pattern.search(value.lower().replace("_", " ")):
                return f"'{value}' ({where})"
    return ""


def app_words(component: Component) -> str:
    """Why the component is an app the team ships, in words ("" when it is not)."""
    if component.kind is not ComponentKind.CLIENT or component.prop("owned") is False:
        return ""
    if tech_is(component, APP_TECH):
        return f"an app the team ships (tech: {component.tech})"
    for pattern, what in ((_DESKTOP_WORDS, "a desktop app"), (_MOBILE_WORDS, "a mobile app")):
        named = _named(component, pattern)
        if named:
            return f"{named} names {what}"
    return ""


def _is_mobile(component: Component) -> bool:
    return tech_is(component, MOBILE_TECH) or bool(_named(component, _MOBILE_WORDS))


def _apps(model: Model) -> frozenset[str]:
    return model.graph.memo(("shipped-apps",), lambda: frozenset(
        cid for cid, c in model.components.items() if app_words(c)
    ))


SHIPPED_APPS = ElementSet(
    "shipped-apps", "clients that are desktop or mobile apps the team ships (see "
    "threatforge.rules.builtin.clients)", _apps,
)


def _backends(model: Model, component: Component) -> list[str]:
    """The system's own components the app sends requests to, sorted."""
    return sorted({
        f.target for f in model.graph.flows_out(component.id)
        if model.components[f.target].kind not in OUTSIDE_KINDS
    })


def _quoted(items: list[str]) -> str:
    return ", ".join(f"'{i}'" for i in items)


# --- the app's own checks -------------------------------------------------------------------


@rule(RuleMeta(
    id="client-side-enforcement",
    title="Checks that {element} makes are not enforced by the backend",
    description="The app runs on a device its user controls: a repackaged app, a debugger, "
    "Frida on a rooted or jailbroken phone, or a script speaking the API directly skips every "
    "check the app makes (limits, amounts, eligibility, feature flags, game or order state) "
    "unless the backend makes it again.",
    target=Target.COMPONENT, likelihood=3, impact=4, stride=(T, E), cwe=(602,), capec=(207,),
    kinds=CLIENT_KINDS, among=SHIPPED_APPS, domain=DOMAIN,
    mitigations=(
        "Treat every value the app sends as the user's claim: recompute amounts, limits, "
        "eligibility and state transitions on the server from its own records, and keep "
        "feature flags and entitlements server-side.",
        "Verify app and device integrity on the server for sensitive actions (Play Integrity "
        "API, App Attest / DeviceCheck) and bind the result to the session; do not rely on "
        "in-app root or jailbreak detection alone.",
    ),
    detection="A shipped app (see the module) that sends requests to one of the system's own "
    "components. An applicable threat until `properties.server_enforces_client_checks` is "
    "stated; `false` fires.",
    references=(MASVS, "https://cwe.mitre.org/data/definitions/602.html"),
    asks=(Ask(
        "Does the backend make again every check {element} makes (limits, amounts, "
        "eligibility, feature access, state), without trusting what the app decided?",
        (AskFact("properties.server_enforces_client_checks", confirms=("false",),
                 rules_out=("true",)),),
        threat="A modified {element} or a rooted device may skip the app's own checks",
    ),),
))
def client_side_enforcement(component: Component, model: Model) -> Verdict:
    """A shipped app whose own checks may be trusted by the backend."""
    app = app_words(component)
    if not app:
        return _NOT_AN_APP
    backends = _backends(model, component)
    if not backends:
        return Skip("sends no requests to the system's own components")
    return decide_fact(component, "server_enforces_client_checks",
                   (app, "sends requests to " + _quoted(backends)))


# --- interception ---------------------------------------------------------------------------


@rule(RuleMeta(
    id="client-no-certificate-pinning",
    title="{element} accepts any certificate its device trusts for the backend",
    description="An app that trusts the device's certificate store talks through any CA its "
    "user, an employer's TLS-inspecting proxy, malware or a hostile network's captive profile "
    "installed: tokens, credentials and account data are read and requests altered in "
    "transit.",
    target=Target.COMPONENT, likelihood=2, impact=4, stride=(INFO, T), cwe=(295,), capec=(94,),
    kinds=CLIENT_KINDS, among=SHIPPED_APPS, domain=DOMAIN,
    mitigations=(
        "Pin the backend's public keys (a primary and a backup SPKI hash: Android Network "
        "Security Config `<pin-set>`, iOS `NSPinnedDomains`, OkHttp `CertificatePinner`, "
        "Electron `session.setCertificateVerifyProc`), and plan key rotation with the backup "
        "pin.",
        "Never ship a build that disables certificate validation (debug trust managers, "
        "`rejectUnauthorized: false`).",
    ),
    detection="A shipped app that sends confidential or restricted data to one of the "
    "system's own components. An applicable threat until `properties.certificate_pinning` is "
    "stated; `false` fires.",
    references=(MASVS, "https://owasp.org/www-community/controls/Certificate_and_Public_Key_"
                "Pinning"),
    asks=(Ask(
        "Does {element} pin the public keys of the backend it calls, instead of trusting "
        "every CA installed on the device?",
        (AskFact("properties.certificate_pinning", confirms=("false",), rules_out=("true",)),),
        threat="Traffic of {element} may be read or altered through a CA installed on the "
        "device (man in the middle)",
    ),),
))
def client_no_certificate_pinning(component: Component, model: Model) -> Verdict:
    """A shipped app sending sensitive data to the backend."""
    app = app_words(component)
    if not app:
        return _NOT_AN_APP
    own = frozenset(_backends(model, component))
    sent = at_least(assets(model, [d for f in model.graph.flows_out(component.id)
                                   if f.target in own for d in f.data]),
                    Classification.CONFIDENTIAL)
    if not sent:
        return Skip("sends no confidential or restricted data to the system's own components")
    data = tuple(sorted({a.id for a in sent}))
    why = (app, f"sends {_quoted(list(data))} to {_quoted(sorted(own))}")
    return decide_fact(component, "certificate_pinning", why, data=data)


# --- tokens on the device -------------------------------------------------------------------


def _unencrypted_token_stores(model: Model, component: Component,
                              tokens: frozenset[str]) -> list[str]:
    """The stores the app writes its tokens to that state no encryption at rest, in words."""
    found = []
    for flow in model.graph.flows_out(component.id):
        store = model.components[flow.target]
        written = sorted(tokens & set(flow.data))
        if (written and store.encryption is not None
                and store.encryption.at_rest is EncryptionAtRest.NONE):
            found.append(f"writes {_quoted(written)} to '{store.id}' "
                         "(encryption.at_rest: none)")
    return found


@rule(RuleMeta(
    id="client-tokens-in-insecure-storage",
    title="{element} keeps its tokens where other programs or a backup can read them",
    description="Refresh tokens, session tokens and credentials kept in plain files, "
    "preferences, SQLite or local storage are copied by malware running as the user, by "
    "another user of a shared machine, from a device backup or a lost phone, and replayed "
    "against the backend from anywhere.",
    target=Target.COMPONENT, likelihood=3, impact=4, stride=(INFO, S), cwe=(922, 522),
    capec=(37,), kinds=CLIENT_KINDS, among=SHIPPED_APPS, domain=DOMAIN,
    mitigations=(
        "Keep tokens in the platform's protected store: iOS Keychain "
        "(`kSecAttrAccessibleWhenUnlockedThisDeviceOnly`), Android Keystore-backed "
        "EncryptedSharedPreferences, Windows DPAPI / Credential Manager, macOS Keychain, "
        "Electron `safeStorage`; exclude them from backups.",
        "Bind refresh tokens to the device (DPoP or a key in the secure enclave) and rotate "
        "them on use, so a copied token is useless elsewhere.",
    ),
    detection="A shipped app that handles data of category session-tokens or credentials. An "
    "applicable threat until `properties.tokens_in_secure_storage` is stated; `false` fires. "
    "Where the app writes its tokens to a store that states `encryption.at_rest: none`, the "
    "model already says where they are: that store's finding (store-unencrypted-at-rest) is "
    "the weakness, and nothing is asked here.",
    references=(MASVS, "https://cheatsheetseries.owasp.org/cheatsheets/"
                "Mobile_Application_Security_Cheat_Sheet.html"),
    asks=(Ask(
        "Does {element} keep its tokens and credentials only in the platform's protected "
        "store (Keychain, Keystore, DPAPI, Electron safeStorage), excluded from backups?",
        (AskFact("properties.tokens_in_secure_storage", confirms=("false",),
                 rules_out=("true",)),),
        threat="Tokens stored by {element} may be copied off the device and replayed",
    ),),
))
def client_tokens_in_insecure_storage(component: Component, model: Model) -> Verdict:
    """A shipped app that holds tokens or credentials on the device."""
    app = app_words(component)
    if not app:
        return _NOT_AN_APP
    held = with_category(model.graph.data_of(component.id), *TOKEN_CATEGORIES)
    if not held:
        return Skip("handles no tokens or credentials")
    tokens = tuple(sorted({a.id for a in held}))
    why = (app, f"holds {_quoted(list(tokens))}")
    stores = _unencrypted_token_stores(model, component, frozenset(tokens))
    if stores and component.prop("tokens_in_secure_storage") is None:
        # the model already says where the tokens are: that store's own finding is the weakness
        return Skip("; ".join(stores))
    return decide_fact(component, "tokens_in_secure_storage", why, data=tokens)


# --- Electron -------------------------------------------------------------------------------


@rule(RuleMeta(
    id="client-electron-renderer-not-isolated",
    title="Script running in {element}'s windows can reach Node.js and the operating system",
    description="In an Electron app whose renderer has Node integration, no context isolation "
    "or no sandbox, or that loads remote content into a privileged window, one XSS (a message, "
    "a statement, a file name shown unescaped) or a hijacked remote page becomes code "
    "execution on the user's machine with the user's rights.",
    target=Target.COMPONENT, likelihood=3, impact=5, stride=(E, T), cwe=(94, 829), capec=(242,),
    kinds=CLIENT_KINDS, among=SHIPPED_APPS, domain=DOMAIN,
    mitigations=(
        "Create every BrowserWindow with `nodeIntegration: false`, `contextIsolation: true`, "
        "`sandbox: true`; expose only narrow functions through `contextBridge` and validate "
        "the sender of every IPC message.",
        "Load only the app's packaged content (no remote URLs in privileged windows), block "
        "navigation and `window.open` to other origins, set a strict Content-Security-Policy, "
        "and enable the Electron fuses that disable `ELECTRON_RUN_AS_NODE` and inspect flags.",
    ),
    detection="A shipped app that is Electron (`tech: electron`, or 'electron' in its id, "
    "name or a tag). An applicable threat until `properties.electron_renderer_isolated` is "
    "stated; `false` fires.",
    references=("https://www.electronjs.org/docs/latest/tutorial/security",),
    asks=(Ask(
        "Do all of {element}'s windows run with nodeIntegration off, contextIsolation and "
        "sandbox on, loading only the app's own packaged content?",
        (AskFact("properties.electron_renderer_isolated", confirms=("false",),
                 rules_out=("true",)),),
        threat="Script injected into {element}'s windows may run code on the user's machine",
    ),),
))
def client_electron_renderer_not_isolated(component: Component, model: Model) -> Verdict:
    """An Electron app whose renderer may reach Node.js."""
    app = app_words(component)
    if not app:
        return _NOT_AN_APP
    if tech_is(component, ("electron",)):
        electron = "tech: electron"
    else:
        named = _named(component, _ELECTRON_WORDS)
        if not named:
            return Skip("not an Electron app")
        electron = f"{named} names an Electron app"
    return decide_fact(component, "electron_renderer_isolated", (electron,))


# --- updates --------------------------------------------------------------------------------


def _update_sources(model: Model, component: Component) -> list[str]:
    """Where the device-side component gets updates from, in words."""
    graph = model.graph
    found = []
    for flow in (*graph.flows_out(component.id), *graph.flows_in(component.id)):
        other_id = flow.target if flow.source == component.id else flow.source
        other = model.components[other_id]
        if other.kind in PEOPLE_KINDS:
            continue
        code = [a.id for a in assets(model, flow.data) if "source-code" in a.categories]
        if code:
            found.append(f"gets {_quoted(sorted(code))} from '{other_id}'")
        elif _named(other, _UPDATE_WORDS):
            found.append(f"talks to '{other_id}', {_named(other, _UPDATE_WORDS)} names an "
                         "update source")
    return found


def _device_side(model: Model, component: Component) -> str:
    return app_words(component) or local_words(model, component)


def _device_components(model: Model) -> frozenset[str]:
    return model.graph.memo(("device-side-components",), lambda: frozenset(
        cid for cid, c in model.components.items() if _device_side(model, c)
    ))


DEVICE_SIDE = ElementSet(
    "device-side", "shipped apps and local services on a user's device (see "
    "threatforge.rules.builtin.clients and threatforge.rules.builtin.local)",
    _device_components,
)


@rule(RuleMeta(
    id="client-update-not-verified",
    title="{element} installs updates without verifying the publisher's signature",
    description="An update channel is a way to run code on every install, often with the "
    "rights of an installer or a system service: whoever controls the update server, the CDN, "
    "a DNS record or the network path can push a malicious or an older, vulnerable version "
    "unless the client checks a signature made with a key the server does not hold.",
    target=Target.COMPONENT, likelihood=2, impact=5, stride=(T, E), cwe=(494, 347),
    capec=(187,), among=DEVICE_SIDE, domain=DOMAIN,
    mitigations=(
        "Sign update packages and their manifest with an offline or HSM-held key and verify "
        "the signature and the publisher on the device before installing (Squirrel/"
        "electron-updater with code-signing verification, Sparkle EdDSA signatures, Authenticode "
        "checks); reject versions older than the installed one.",
        "Consider The Update Framework (TUF) for key rotation, expiry and freeze-attack "
        "protection.",
    ),
    detection="A shipped app or a local service (see the modules) with a flow carrying data of "
    "category source-code, or to a component whose id, name or tag names an update source. An "
    "applicable threat until `properties.update_signature_verified` is stated; `false` fires.",
    references=("https://theupdateframework.io/security/",
                "https://www.electronjs.org/docs/latest/tutorial/code-signing"),
    asks=(Ask(
        "Does {element} verify a signature made with the publisher's offline key (and refuse "
        "older versions) before installing an update?",
        (AskFact("properties.update_signature_verified", confirms=("false",),
                 rules_out=("true",)),),
        threat="A tampered or downgraded update may be installed by {element}",
    ),),
))
def client_update_not_verified(component: Component, model: Model) -> Verdict:
    """A device-side component that downloads and installs updates."""
    device = _device_side(model, component)
    if not device:
        return Skip("not an app or a local service on a user's device")
    sources = _update_sources(model, component)
    if not sources:
        return Skip("receives no updates")
    return decide_fact(component, "update_signature_verified", (device, *sources))


# --- deep links ------------------------------------------------------------------------------


@rule(RuleMeta(
    id="client-deep-link-hijack",
    title="Sign-in redirects into {element} can be caught by another app",
    description="A custom URL scheme (`myapp://callback`) can be registered by any app on the "
    "device: a malicious app receives the authorization code or the link's parameters meant "
    "for the real one, and links into the app can trigger actions with attacker-chosen "
    "parameters.",
    target=Target.COMPONENT, likelihood=2, impact=4, stride=(S, INFO), cwe=(939,), capec=(629,),
    kinds=CLIENT_KINDS, among=SHIPPED_APPS, domain=DOMAIN,
    mitigations=(
        "Receive sign-in redirects and links on verified HTTPS links only (iOS Universal "
        "Links, Android App Links with `autoVerify` and assetlinks.json), never on a custom "
        "scheme, and use PKCE so an intercepted code is useless.",
        "Treat every link parameter as untrusted input: no state-changing action from a link "
        "without the user's confirmation in the app.",
    ),
    detection="A shipped mobile app (see the module) with a flow to an identity provider (a "
    "sign-in that redirects back into the app). An applicable threat until "
    "`properties.verified_app_links` is stated; `false` fires.",
    references=("https://www.rfc-editor.org/rfc/rfc8252#section-8.1", MASVS),
    asks=(Ask(
        "Does {element} receive sign-in redirects and links only on verified HTTPS links "
        "(Universal Links, App Links), never on a custom URL scheme?",
        (AskFact("properties.verified_app_links", confirms=("false",), rules_out=("true",)),),
        threat="Another app on the device may catch {element}'s sign-in redirects or links",
    ),),
))
def client_deep_link_hijack(component: Component, model: Model) -> Verdict:
    """A mobile app that signs in through an identity provider's redirect."""
    app = app_words(component)
    if not app or not _is_mobile(component):
        return Skip("not a mobile app the team ships")
    idps = sorted({f.target for f in model.graph.flows_out(component.id)
                   if model.components[f.target].kind is ComponentKind.IDENTITY_PROVIDER})
    if not idps:
        return Skip("signs in through no identity provider")
    return decide_fact(component, "verified_app_links", (app, "signs in through " + _quoted(idps)))


# --- push notifications ------------------------------------------------------------------------


PUSH_TECH = ("firebase.fcm", "apns")
"""Push notification services."""
_PUSH_WORDS = re.compile(r"\b(push|fcm|apns|firebase cloud messaging)\b")


def _push_words(component: Component) -> str:
    """Why the component is a push notification service, in words ("" when it is not)."""
    if component.ours:
        return ""
    if tech_is(component, PUSH_TECH):
        return f"a push notification service (tech: {component.tech})"
    named = _named(component, _PUSH_WORDS)
    return f"{named} names a push notification service" if named else ""


def _push_flows(model: Model) -> frozenset[str]:
    return model.graph.memo(("push-flows",), lambda: frozenset(
        f.id for f in model.flows
        if model.components[f.source].ours and _push_words(model.components[f.target])
    ))


INTO_PUSH_SERVICES = ElementSet(
    "into-push-services", "flows from the system's own components to a push notification "
    "service (see threatforge.rules.builtin.clients)", _push_flows,
)


@rule(RuleMeta(
    id="client-push-payload-sensitive",
    title="Notifications on {element} carry personal or financial data to the push service "
    "and the lock screen",
    description="A push payload passes through the platform's push service (Firebase Cloud "
    "Messaging, APNs), which sees and may log it, and is shown on a locked screen, in "
    "notification history and on paired watches: balances, amounts, names or codes in it "
    "are disclosed to anyone holding the phone.",
    target=Target.FLOW, likelihood=3, impact=3, stride=(INFO,),
    linddun=(Linddun.DATA_DISCLOSURE,), cwe=(359,), among=INTO_PUSH_SERVICES, domain=DOMAIN,
    mitigations=(
        "Send a data-free notification (an event id and a generic text such as 'You have a "
        "new transaction') and let the app fetch the details over its authenticated API, or "
        "encrypt the payload end to end with a key the app holds (iOS Notification Service "
        "Extension, FCM data messages decrypted in the app).",
        "Never put one-time codes, full amounts with counterparties or account numbers in a "
        "notification; mark sensitive ones as hidden on the lock screen.",
    ),
    detection="A flow from one of the system's own components to a push notification service "
    "(tech firebase.fcm or apns, or 'push', 'FCM', 'APNs' or 'Firebase Cloud Messaging' in "
    "its id, name or a tag) carrying confidential or restricted data. An applicable threat "
    "until `properties.push_payload_minimal` is stated on the flow; `false` fires.",
    references=(MASVS, "https://firebase.google.com/docs/cloud-messaging/concept-options"),
    asks=(Ask(
        "Do the notifications sent on {element} carry only an id and a generic text, the app "
        "fetching the details itself (or a payload encrypted end to end)?",
        (AskFact("properties.push_payload_minimal", confirms=("false",), rules_out=("true",)),),
        threat="Notifications on {element} may disclose personal or financial data through "
        "the push service and the lock screen",
    ),),
))
def client_push_payload_sensitive(flow: Flow, model: Model) -> Verdict:
    """A flow of sensitive data to a push notification service."""
    push = _push_words(model.components[flow.target])
    if not push or not model.components[flow.source].ours:
        return Skip("not a flow from the system to a push notification service")
    sensitive = at_least(model.graph.flow_data(flow), Classification.CONFIDENTIAL)
    if not sensitive:
        return Skip("carries no confidential or restricted data")
    data = tuple(a.id for a in sensitive)
    why = (push, "carries " + _quoted(list(data)))
    value = flow_prop(flow, "push_payload_minimal")
    if value is None:
        return Unknown(("properties.push_payload_minimal",), why=why, data=data)
    if value is True:
        return RuledOut(("properties.push_payload_minimal: true",))
    return Fire((*why, "properties.push_payload_minimal: false"), data=data)


RULES: tuple[Rule, ...] = (
    client_side_enforcement,
    client_no_certificate_pinning,
    client_tokens_in_insecure_storage,
    client_electron_renderer_not_isolated,
    client_update_not_verified,
    client_deep_link_hijack,
    client_push_payload_sensitive,
)
