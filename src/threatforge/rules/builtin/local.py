"""Local and LAN surfaces: services on a user's machine or LAN that a browser or a process reaches.

A *local service* is a service, function or gateway that runs on a device (a zone of kind
``device``: a laptop, a desktop PC, a phone) or states ``properties.listens_on: loopback`` or
``lan``. Private exposure does not protect it: every web page the user opens can send requests
to ``127.0.0.1`` and to LAN addresses, rebind its own domain name to them (DNS rebinding), and
every other program on the machine can connect to the same port or pipe. These rules report
applicable threats with the question that decides each (``properties.*`` keys of
``docs/rules/local-properties.md``) and fire once the weak value is stated.
"""

from __future__ import annotations

from threatforge.model import BoundaryKind, Component, Model
from threatforge.rules.builtin._facts import (
    INFO,
    PROCESS_KINDS,
    E,
    S,
    T,
    decide_fact,
    enclosing_zones,
    word,
)
from threatforge.rules.interface import (
    Ask,
    AskFact,
    ElementSet,
    Fire,
    Rule,
    RuledOut,
    RuleMeta,
    Skip,
    Target,
    Unknown,
    Verdict,
    rule,
)

__all__ = ["RULES", "local_words"]

DOMAIN = "local"
WEB = frozenset({"http", "https", "ws", "wss", "h2"})
LISTENS = ("loopback", "lan")
_NOT_LOCAL = Skip("not a service on a device, localhost or the LAN")


def local_words(model: Model, component: Component) -> str:
    """Why the component is a local service, in words ("" when it is not)."""
    if component.kind not in PROCESS_KINDS:
        return ""
    listens = word(component.prop("listens_on"))
    if listens in LISTENS:
        return f"properties.listens_on: {listens}"
    for zone in enclosing_zones(model, component.id):
        if zone.kind is BoundaryKind.DEVICE:
            return f"runs on the device '{zone.id}'"
    return ""


def _locals(model: Model) -> frozenset[str]:
    return model.graph.memo(("local-services",), lambda: frozenset(
        cid for cid, c in model.components.items() if local_words(model, c)
    ))


LOCAL_SERVICES = ElementSet(
    "local-services", "services, functions and gateways on a device zone, or stating "
    "properties.listens_on loopback or lan (see threatforge.rules.builtin.local)",
    _locals,
)


def _web_reach(model: Model, component: Component) -> str:
    """How a browser reaches the local service, in words ("" when nothing shows it does)."""
    callers = sorted({f.source for f in model.graph.flows_in(component.id)
                      if (f.protocol or "") in WEB})
    if callers:
        return "takes HTTP from " + ", ".join(f"'{c}'" for c in callers)
    if word(component.prop("listens_on")) in LISTENS:
        return "listens on a port any web page can send requests to"
    return ""


@rule(RuleMeta(
    id="local-dns-rebinding",
    title="{element} answers requests for any host name (DNS rebinding)",
    description="A web page can point its own domain name at 127.0.0.1 or a LAN address "
    "after loading: the browser then treats the local service as the page's own origin, so "
    "the page reads its responses and calls it freely, whatever its exposure says.",
    target=Target.COMPONENT, likelihood=3, impact=4, stride=(S, INFO), cwe=(346,),
    capec=(275,), kinds=PROCESS_KINDS, among=LOCAL_SERVICES, domain=DOMAIN,
    mitigations=(
        "Reject every request whose Host header is not the service's own address "
        "(`127.0.0.1:<port>`, `localhost:<port>`, its LAN name), before any other handling.",
        "Prefer an IPC channel a browser cannot reach (a named pipe or Unix socket with "
        "access control) over a TCP port.",
    ),
    detection="A local service (see the module) that takes HTTP from a component or states "
    "`properties.listens_on`. An applicable threat until `properties.host_header_validated` is "
    "stated; `false` fires.",
    references=(
        "https://en.wikipedia.org/wiki/DNS_rebinding",
        "https://github.com/WICG/private-network-access",
    ),
    asks=(Ask(
        "Does {element} reject requests whose Host header is not its own local address?",
        (AskFact("properties.host_header_validated", confirms=("false",),
                 rules_out=("true",)),),
        threat="A web page may rebind its domain to {element} and read its responses "
        "(DNS rebinding)",
    ),),
))
def local_dns_rebinding(component: Component, model: Model) -> Verdict:
    """A local HTTP service that web pages can rebind a domain to."""
    local = local_words(model, component)
    if not local:
        return _NOT_LOCAL
    reach = _web_reach(model, component)
    if not reach:
        return Skip("takes no HTTP (a browser does not reach it)")
    return decide_fact(component, "host_header_validated", (local, reach))


@rule(RuleMeta(
    id="local-cross-site-request",
    title="{element} accepts requests from any web page the user opens",
    description="A browser sends requests to localhost and LAN addresses for every page it "
    "shows: unless the local service checks the Origin and requires a secret only the real "
    "client holds, any site can make it act (sign, install, read files) on the user's behalf.",
    target=Target.COMPONENT, likelihood=3, impact=4, stride=(S, E), cwe=(352, 346),
    capec=(62,), kinds=PROCESS_KINDS, among=LOCAL_SERVICES, domain=DOMAIN,
    mitigations=(
        "Accept only requests whose Origin is on an exact allow-list, answer CORS preflights "
        "only for it, and require a per-install secret (pairing token) the client stores and "
        "web pages cannot read.",
        "Ask the user to confirm sensitive actions in the service's own native dialog, not in "
        "the page.",
    ),
    detection="A local service (see the module) that takes HTTP from a component or states "
    "`properties.listens_on`. An applicable threat until `properties.caller_origin_verified` is "
    "stated; `false` fires.",
    references=(
        "https://owasp.org/www-community/attacks/csrf",
        "https://github.com/WICG/private-network-access",
    ),
    asks=(Ask(
        "Does {element} accept requests only from an allow-listed Origin that also presents "
        "a per-install secret web pages cannot read?",
        (AskFact("properties.caller_origin_verified", confirms=("false",),
                 rules_out=("true",)),),
        threat="Any web page the user opens may make {element} act on the user's behalf",
    ),),
))
def local_cross_site_request(component: Component, model: Model) -> Verdict:
    """A local HTTP service that any web page can send requests to."""
    local = local_words(model, component)
    if not local:
        return _NOT_LOCAL
    reach = _web_reach(model, component)
    if not reach:
        return Skip("takes no HTTP (a browser does not reach it)")
    return decide_fact(component, "caller_origin_verified", (local, reach))


@rule(RuleMeta(
    id="local-ipc-spoofing",
    title="{element} trusts any local program that connects to it",
    description="Every program on the machine, including malware running as the user, can "
    "connect to a local port, pipe or socket: a local service that does not authenticate its "
    "callers lets them impersonate the real client, and a service running with more rights "
    "than the user hands those rights over.",
    target=Target.COMPONENT, likelihood=3, impact=4, stride=(S, E, T), cwe=(306, 287),
    capec=(151,), kinds=PROCESS_KINDS, among=LOCAL_SERVICES, domain=DOMAIN,
    mitigations=(
        "Authenticate local callers: check the peer's process and code signature (named pipe "
        "client PID, SO_PEERCRED, XPC audit token) or require a secret exchanged at install, "
        "readable only by the client's user.",
        "Run the service with the least rights it needs, and restrict the pipe or socket ACL "
        "to the client's user.",
    ),
    detection="A local service (see the module) that something has a flow to. An applicable "
    "threat until `properties.local_callers_authenticated` is stated; `false` fires.",
    references=(
        "https://learn.microsoft.com/en-us/windows/win32/ipc/named-pipe-security-and-access-"
        "rights",
    ),
    asks=(Ask(
        "Does {element} authenticate the local programs that connect to it (peer process "
        "and signature, or a secret only the real client can read)?",
        (AskFact("properties.local_callers_authenticated", confirms=("false",),
                 rules_out=("true",)),),
        threat="Another program on the machine may impersonate {element}'s client",
    ),),
))
def local_ipc_spoofing(component: Component, model: Model) -> Verdict:
    """A local service that other programs on the machine can connect to."""
    local = local_words(model, component)
    if not local:
        return _NOT_LOCAL
    callers = sorted({f.source for f in model.graph.flows_in(component.id)})
    if not callers:
        return Skip("nothing connects to it")
    why = (local, "called by " + ", ".join(f"'{c}'" for c in callers))
    return decide_fact(component, "local_callers_authenticated", why)


@rule(RuleMeta(
    id="local-service-runs-elevated",
    title="{element} runs with more rights than the programs that call it",
    description="A local service running as SYSTEM, root or an administrator that takes "
    "requests from the user's programs or browser is a way up: a command built from a "
    "request, a file path it opens or writes, a DLL or script it loads from a folder the user "
    "can write, or an install folder with weak permissions gives the caller the service's "
    "rights (local privilege escalation).",
    target=Target.COMPONENT, likelihood=3, impact=4, stride=(E,), cwe=(250, 269),
    capec=(233,), kinds=PROCESS_KINDS, among=LOCAL_SERVICES, domain=DOMAIN,
    mitigations=(
        "Run the service as the signed-in user, or as a dedicated low-privilege account; split "
        "the few actions that need elevation into a separate, minimal broker that accepts a "
        "fixed set of typed requests.",
        "Install into a folder only administrators can write (Program Files, /usr/local with "
        "root ownership), load libraries only by absolute path, and never pass request data "
        "to a shell or to file paths without canonicalising them against an allow-list.",
    ),
    detection="A local service (see the module) that something has a flow to. An applicable "
    "threat until `properties.runs_elevated` is stated; `true` fires.",
    references=(
        "https://learn.microsoft.com/en-us/windows/win32/services/service-user-accounts",
        "https://cwe.mitre.org/data/definitions/250.html",
    ),
    asks=(Ask(
        "Does {element} run with more rights than the user who calls it (as SYSTEM, root or "
        "an administrator)?",
        (AskFact("properties.runs_elevated", confirms=("true",), rules_out=("false",)),),
        threat="A caller of {element} may gain its system rights (local privilege "
        "escalation)",
    ),),
))
def local_service_runs_elevated(component: Component, model: Model) -> Verdict:
    """A local service that other programs on the machine call, maybe with higher rights."""
    local = local_words(model, component)
    if not local:
        return _NOT_LOCAL
    callers = sorted({f.source for f in model.graph.flows_in(component.id)})
    if not callers:
        return Skip("nothing connects to it")
    why = (local, "called by " + ", ".join(f"'{c}'" for c in callers))
    value = component.prop("runs_elevated")
    if value is None:
        return Unknown(("properties.runs_elevated",), why=why)
    if value is False:
        return RuledOut(("properties.runs_elevated: false",))
    return Fire((*why, "properties.runs_elevated: true"))


RULES: tuple[Rule, ...] = (
    local_dns_rebinding,
    local_cross_site_request,
    local_ipc_spoofing,
    local_service_runs_elevated,
)
