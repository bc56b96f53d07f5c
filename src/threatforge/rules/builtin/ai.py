"""AI and LLM components: prompt injection, tool abuse, output handling, data leakage, poisoning.

A component is a large language model (LLM) when its ``tech`` is one of the catalogue's model
APIs (``openai``, ``anthropic``, ``aws.bedrock``, ``azure.openai``, ``gcp.vertexai``, ``llm``),
when it states ``properties.llm: true``, or when its id, name or a tag names one ("llm",
"language model", "gpt", "openai", "bedrock"). An *LLM caller* is a service, function or
gateway with a flow to an LLM: it builds the prompts and acts on the answers, so the threats
sit there. These rules report applicable threats: each asks the one fact that decides it
(``properties.*`` keys of ``docs/rules/ai-properties.md``) and fires once the weak value is
stated. They follow the OWASP Top 10 for LLM Applications (2025).

A process *trains a model* when its id, name, description or a tag says it trains one ("trains
the credit-risk model") or its tech is ``aws.sagemaker``: the ``ml-*`` rules ask about the
poisoning of its training data and the theft of the model (MITRE ATLAS).
"""

from __future__ import annotations

import re

from threatforge.model import (
    Classification,
    Component,
    ComponentKind,
    Exposure,
    Model,
    TrustLevel,
)
from threatforge.rules.builtin._facts import (
    INFO,
    PROCESS_KINDS,
    STORE_KINDS,
    D,
    E,
    R,
    T,
    assets,
    at_least,
    decide_fact,
    exposed,
    exposure_words,
    flow_prop,
    sensitive_data,
    tech_is,
)
from threatforge.rules.interface import (
    Ask,
    AskFact,
    Confidence,
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

__all__ = ["LLM_TECH", "RULES", "is_llm"]

DOMAIN = "ai"
LLM_TOP10 = "https://genai.owasp.org/llm-top-10/"
LLM_TECH = ("llm", "openai", "anthropic", "aws.bedrock*", "azure.openai", "gcp.vertexai")
"""Technologies that are large language models (a hosted API or a self-hosted model)."""
_LLM_WORDS = ("llm", "language model", "gpt", "openai", "bedrock")
_READ = ("read", "read-only")
_NOT_A_CALLER = Skip("sends no prompts to a language model")


def _llm_words(component: Component) -> str:
    """Why the component counts as a language model, in words ("" when it does not)."""
    if tech_is(component, LLM_TECH):
        return f"tech: {component.tech}"
    if component.prop("llm") is True:
        return "properties.llm: true"
    for where, values in (
        ("its id", [component.id]),
        ("its name", [component.name or ""]),
        ("a tag", list(component.tags)),
    ):
        for value in values:
            if any(w in value.lower() for w in _LLM_WORDS):
                return f"'{value}' ({where}) names a language model"
    return ""


def is_llm(component: Component) -> bool:
    """A large language model: by its tech, ``properties.llm: true``, or its id, name or tag."""
    return bool(_llm_words(component))


def _llms(model: Model) -> frozenset[str]:
    return model.graph.memo(("llms",), lambda: frozenset(
        cid for cid, c in model.components.items() if is_llm(c)
    ))


def _llm_callers(model: Model) -> frozenset[str]:
    def find() -> frozenset[str]:
        llms = _llms(model)
        return frozenset(
            cid for cid, c in model.components.items()
            if c.kind in PROCESS_KINDS and cid not in llms
            and any(f.target in llms for f in model.graph.flows_out(cid))
        )

    return model.graph.memo(("llm-callers",), find)


LLM_CALLERS = ElementSet(
    "llm-callers", "services, functions and gateways with a flow to a large language model "
    "(see threatforge.rules.builtin.ai.is_llm)",
    _llm_callers,
)
LLMS = ElementSet(
    "llms", "large language models (see threatforge.rules.builtin.ai.is_llm)", _llms
)


def _calls_llm(model: Model, component: Component) -> str:
    """'sends prompts to <llm>' for the first LLM the component calls ("" when none)."""
    if is_llm(component):
        return ""
    for flow in model.graph.flows_out(component.id):
        target = model.components[flow.target]
        why = _llm_words(target)
        if why:
            return f"sends prompts to '{flow.target}' ({why})"
    return ""


# --- excessive agency: tools the model can call --------------------------------------------


def _tools(model: Model, component: Component) -> list[str]:
    """The processes the LLM caller calls for the model (its tools), except read-only calls."""
    llms = _llms(model)
    return [
        f.target for f in model.graph.flows_out(component.id)
        if f.target not in llms and model.components[f.target].kind in PROCESS_KINDS
        and flow_prop(f, "access") not in _READ
    ]


@rule(RuleMeta(
    id="llm-tool-call-abuse",
    title="{element} executes the model's tool calls without checking them against the user's "
    "permissions",
    description="Whatever the model reads can steer it (prompt injection, direct or through "
    "retrieved content): when the code that executes its tool calls trusts the model to choose "
    "the action and the ids, a user or a planted instruction can make it act on other users' "
    "records or beyond policy (excessive agency, a confused deputy).",
    target=Target.COMPONENT, likelihood=4, impact=4, stride=(E, T), cwe=(1427, 862, 441),
    kinds=PROCESS_KINDS, among=LLM_CALLERS, domain=DOMAIN, confidence=Confidence.MEDIUM,
    mitigations=(
        "Execute each tool call with the end user's own identity and permissions (never the "
        "service's), check the object ids against the session, and enforce amount and rate "
        "limits in code outside the model, not in the prompt.",
        "Require a human confirmation for irreversible or money-moving actions, and give the "
        "model only the tools the use case needs.",
    ),
    detection="A process with a flow to a language model (see the module) that also calls "
    "other services or functions (flows not marked `properties.access: read`): its tools. "
    "An applicable threat until `properties.llm_tool_calls_authorized` is stated; `false` "
    "fires.",
    references=(LLM_TOP10, "https://genai.owasp.org/llmrisk/llm062025-excessive-agency/"),
    asks=(Ask(
        "Does {element} check every tool call the model requests against the end user's own "
        "permissions and limits, in code outside the model?",
        (AskFact("properties.llm_tool_calls_authorized", confirms=("false",),
                 rules_out=("true",)),),
        threat="Prompt injection may make {element} call its tools on other users' records or "
        "beyond policy",
    ),),
))
def llm_tool_call_abuse(component: Component, model: Model) -> Verdict:
    """An LLM caller that executes tool calls on other services."""
    calls = _calls_llm(model, component)
    if not calls:
        return _NOT_A_CALLER
    tools = _tools(model, component)
    if not tools:
        return Skip("calls no other service or function for the model (no tools)")
    why = [calls, "calls tools: " + ", ".join(f"'{t}'" for t in tools)]
    return decide_fact(component, "llm_tool_calls_authorized", why)


# --- indirect prompt injection: what the model reads --------------------------------------


def _retrieval(model: Model, component: Component) -> list[str]:
    """Where the LLM caller gets content it did not write for the prompt, in words."""
    found = [
        f"reads '{f.target}'" for f in model.graph.flows_out(component.id)
        if model.components[f.target].kind in STORE_KINDS and flow_prop(f, "access") in _READ
    ]
    found += [
        f"reads '{f.source}'" for f in model.graph.flows_in(component.id)
        if model.components[f.source].kind in STORE_KINDS
    ]
    if component.prop("accepts_uploads") is True:
        found.append("properties.accepts_uploads: true")
    if component.prop("fetches_user_urls") is True:
        found.append("properties.fetches_user_urls: true")
    return found


@rule(RuleMeta(
    id="llm-indirect-prompt-injection",
    title="{element} puts content that others can write into the model's prompts",
    description="Documents, search results, uploaded files and web pages retrieved into a "
    "prompt are instructions to the model as much as data: text planted there by a customer or "
    "a third party can redirect the model, exfiltrate the conversation or trigger tool calls "
    "(indirect prompt injection).",
    target=Target.COMPONENT, likelihood=3, impact=4, stride=(T, E), cwe=(1427, 74),
    kinds=PROCESS_KINDS, among=LLM_CALLERS, domain=DOMAIN,
    mitigations=(
        "Keep retrieved content apart from instructions (delimited, labelled as data), strip "
        "markup and hidden text from uploads and pages, and restrict retrieval to sources the "
        "team reviews.",
        "Treat any model answer that follows retrieval as untrusted: no tool calls or links "
        "without the checks of llm-tool-call-abuse.",
    ),
    detection="A process with a flow to a language model that reads a store "
    "(`properties.access: read` on its flow to it, or a flow from it), or states "
    "`properties.accepts_uploads: true` or `properties.fetches_user_urls: true`. An applicable "
    "threat until `properties.llm_retrieved_content_trusted` is stated; `false` fires.",
    references=(LLM_TOP10, "https://genai.owasp.org/llmrisk/llm01-prompt-injection/"),
    asks=(Ask(
        "Is everything {element} retrieves into the model's prompts (documents, search results, "
        "uploads, web pages) written only by the team's own reviewed staff, never by customers "
        "or third parties?",
        (AskFact("properties.llm_retrieved_content_trusted", confirms=("false",),
                 rules_out=("true",)),),
        threat="Instructions planted in content {element} retrieves may steer the model "
        "(indirect prompt injection)",
    ),),
))
def llm_indirect_prompt_injection(component: Component, model: Model) -> Verdict:
    """An LLM caller that retrieves content into prompts."""
    calls = _calls_llm(model, component)
    if not calls:
        return _NOT_A_CALLER
    retrieval = _retrieval(model, component)
    if not retrieval:
        return Skip("retrieves nothing into the prompts")
    return decide_fact(component, "llm_retrieved_content_trusted", [calls, *retrieval])


# --- improper output handling ---------------------------------------------------------------


@rule(RuleMeta(
    id="llm-output-rendered-unsafely",
    title="{element} passes the model's output to browsers as markup",
    description="A model's answer is attacker-influenced text: rendered as HTML or markdown "
    "with raw HTML, images and links, it runs script in the reader's session or leaks the "
    "conversation through an auto-loaded image URL (improper output handling).",
    target=Target.COMPONENT, likelihood=3, impact=3, stride=(T, INFO), cwe=(79, 116, 1426),
    capec=(63,), kinds=PROCESS_KINDS, among=LLM_CALLERS, domain=DOMAIN,
    mitigations=(
        "Render model output as text: HTML-encode it, render markdown without raw HTML, and "
        "allow images and links only from an allow-list of hosts.",
        "Set a strict Content-Security-Policy on the pages that show model output.",
    ),
    detection="A process with a flow to a language model that is exposed (public, or one flow "
    "from an entry point: its answers go back to a browser or app). An applicable threat until "
    "`properties.llm_output_encoded` is stated; `false` fires.",
    references=(LLM_TOP10, "https://genai.owasp.org/llmrisk/llm052025-improper-output-handling/"),
    asks=(Ask(
        "Is the model's output that {element} returns shown as text (HTML-encoded, markdown "
        "without raw HTML, images and links only from allowed hosts)?",
        (AskFact("properties.llm_output_encoded", confirms=("false",), rules_out=("true",)),),
        threat="Model output from {element} may run as script or leak data in the reader's "
        "browser",
    ),),
))
def llm_output_rendered_unsafely(component: Component, model: Model) -> Verdict:
    """An exposed LLM caller whose answers reach a browser."""
    calls = _calls_llm(model, component)
    if not calls:
        return _NOT_A_CALLER
    if not exposed(model, component):
        return Skip("not exposed: its answers do not go back to an outside caller")
    why = [calls, exposure_words(model, component)]
    return decide_fact(component, "llm_output_encoded", why)


# --- data leakage across users --------------------------------------------------------------


@rule(RuleMeta(
    id="llm-context-leakage",
    title="{element} puts data into prompts that the requesting user may not see",
    description="Anything in the prompt (the system prompt, retrieved records, other "
    "conversations) can be talked out of the model: a context built with the service's access "
    "rather than the user's lets one user extract another's personal or financial data.",
    target=Target.COMPONENT, likelihood=3, impact=4, stride=(INFO,),
    linddun=(Linddun.DATA_DISCLOSURE,), cwe=(200, 359), capec=(116,),
    kinds=PROCESS_KINDS, among=LLM_CALLERS, domain=DOMAIN,
    mitigations=(
        "Build each prompt from the requesting user's own records only, fetched with that "
        "user's identity; keep secrets and other users' data out of system prompts.",
        "Filter answers for identifiers that do not belong to the session (account numbers, "
        "e-mail addresses) before returning them.",
    ),
    detection="An exposed process with a flow to a language model that handles confidential "
    "or restricted data. An applicable threat until `properties.llm_context_scoped_to_user` is "
    "stated; `false` fires.",
    references=(LLM_TOP10,
                "https://genai.owasp.org/llmrisk/llm022025-sensitive-information-disclosure/"),
    asks=(Ask(
        "Does {element} build each prompt only from the requesting user's own data, fetched "
        "with that user's identity, with no secrets or other users' data in the system prompt?",
        (AskFact("properties.llm_context_scoped_to_user", confirms=("false",),
                 rules_out=("true",)),),
        threat="A user may talk the model behind {element} into revealing another user's data "
        "or its system prompt",
    ),),
))
def llm_context_leakage(component: Component, model: Model) -> Verdict:
    """An exposed LLM caller that handles sensitive data."""
    calls = _calls_llm(model, component)
    if not calls:
        return _NOT_A_CALLER
    if not exposed(model, component):
        return Skip("not exposed: only the team's own callers prompt it")
    sensitive = sensitive_data(model, component)
    if not sensitive:
        return Skip("handles no confidential or restricted data")
    why = [calls, exposure_words(model, component),
           "handles " + ", ".join(f"'{a.id}'" for a in sensitive)]
    return decide_fact(component, "llm_context_scoped_to_user", why)


# --- data sent to the model provider --------------------------------------------------------


def _third_party(model: Model, component: Component) -> bool:
    if component.kind is ComponentKind.EXTERNAL_SERVICE:
        return True
    return model.graph.trust_of(component.id) is not TrustLevel.TRUSTED


@rule(RuleMeta(
    id="llm-provider-retains-prompts",
    title="{element} keeps the personal data sent in prompts",
    description="A hosted model provider that logs prompts for abuse monitoring or uses them "
    "for training keeps customers' personal and financial data outside the system's control, "
    "retention and data-subject rights, and possibly in another jurisdiction.",
    target=Target.COMPONENT, likelihood=3, impact=3, stride=(INFO,),
    linddun=(Linddun.DATA_DISCLOSURE, Linddun.NON_COMPLIANCE), cwe=(359, 201),
    among=LLMS, domain=DOMAIN,
    mitigations=(
        "Use the provider's zero-data-retention terms (or a model hosted in the team's own "
        "account), opt out of training, and record the provider in the DPA register.",
        "Redact or pseudonymise identifiers before they enter prompts.",
    ),
    detection="A language model run by a third party (an external service, or in a zone not "
    "trusted) that receives confidential or restricted data on a flow. An applicable threat "
    "until `properties.retains_prompts` is stated; `true` fires.",
    references=(LLM_TOP10,
                "https://genai.owasp.org/llmrisk/llm022025-sensitive-information-disclosure/"),
    asks=(Ask(
        "Does {element} keep prompts and responses after answering (for abuse monitoring, logs "
        "or training)?",
        (AskFact("properties.retains_prompts", confirms=("true",), rules_out=("false",)),),
        threat="Personal data sent in prompts may be kept or trained on by {element}",
    ),),
))
def llm_provider_retains_prompts(component: Component, model: Model) -> Verdict:
    """A third-party LLM that receives sensitive data."""
    what = _llm_words(component)
    if not what:
        return Skip("not a language model")
    if not _third_party(model, component):
        return Skip("run by the team in a trusted zone")
    sensitive = sorted({
        d for f in model.graph.flows_in(component.id) for d in f.data
        if d in model.data and model.data[d].classification.value in ("confidential", "restricted")
    })
    if not sensitive:
        return Skip("receives no confidential or restricted data")
    why = (what, "run by a third party",
           "receives " + ", ".join(f"'{d}'" for d in sensitive))
    value = component.prop("retains_prompts")
    if value is None:
        return Unknown(("properties.retains_prompts",), why=why, data=tuple(sensitive))
    if value is False:
        return RuledOut(("properties.retains_prompts: false",))
    return Fire((*why, "properties.retains_prompts: true"), data=tuple(sensitive))


# --- poisoning of retrieval content ---------------------------------------------------------


def _retrieval_stores(model: Model) -> frozenset[str]:
    def find() -> frozenset[str]:
        callers = _llm_callers(model)
        found = set()
        for cid in callers:
            for f in model.graph.flows_out(cid):
                if model.components[f.target].kind in STORE_KINDS and (
                    flow_prop(f, "access") in _READ
                ):
                    found.add(f.target)
            for f in model.graph.flows_in(cid):
                if model.components[f.source].kind in STORE_KINDS:
                    found.add(f.source)
        return frozenset(found)

    return model.graph.memo(("llm-retrieval-stores",), find)


RETRIEVAL_STORES = ElementSet(
    "llm-retrieval-stores", "stores a process with a flow to a language model reads from",
    _retrieval_stores,
)


@rule(RuleMeta(
    id="llm-retrieval-poisoning",
    title="{element} feeds the model content that is not reviewed before it is retrieved",
    description="A retrieval index or knowledge base written by an ingestion job from a CMS, "
    "tickets or the web carries whatever an insider, a compromised editor account or a third "
    "party put there into every prompt that retrieves it (data poisoning).",
    target=Target.COMPONENT, likelihood=2, impact=4, stride=(T,), cwe=(345, 1039),
    kinds=STORE_KINDS, among=RETRIEVAL_STORES, domain=DOMAIN,
    mitigations=(
        "Ingest only published content that a second person approved, record its source and "
        "version with each chunk, and re-index from the reviewed source after an incident.",
        "Restrict write access to the index to the ingestion job's role and alert on other "
        "writers.",
    ),
    detection="A store that a process with a flow to a language model reads, and that "
    "something other than that process writes (a flow into it from another element). An "
    "applicable threat until `properties.ingested_content_reviewed` is stated; `false` fires.",
    references=(LLM_TOP10, "https://genai.owasp.org/llmrisk/llm042025-data-and-model-poisoning/"),
    asks=(Ask(
        "Is every piece of content written into {element} reviewed and approved by a second "
        "person before the model can retrieve it?",
        (AskFact("properties.ingested_content_reviewed", confirms=("false",),
                 rules_out=("true",)),),
        threat="Content planted in {element} may poison what the model answers",
    ),),
))
def llm_retrieval_poisoning(component: Component, model: Model) -> Verdict:
    """A retrieval store written by something else than the LLM caller reading it."""
    if component.id not in _retrieval_stores(model):
        return Skip("no process that prompts a language model reads it")
    callers = _llm_callers(model)
    writers = sorted({
        f.source for f in model.graph.flows_in(component.id)
        if f.source not in callers and flow_prop(f, "access") not in _READ
    })
    if not writers:
        return Skip("written only by the process that prompts the model")
    readers = sorted(
        {f.source for f in model.graph.flows_in(component.id) if f.source in callers}
        | {f.target for f in model.graph.flows_out(component.id) if f.target in callers}
    )
    why = ["read into prompts by " + ", ".join(f"'{r}'" for r in readers),
           "written by " + ", ".join(f"'{w}'" for w in writers)]
    if component.exposure is Exposure.PUBLIC:
        why.append("exposure: public")
    return decide_fact(component, "ingested_content_reviewed", why)


# --- repudiation of agent actions ------------------------------------------------------------


@rule(RuleMeta(
    id="llm-tool-actions-not-attributable",
    title="Actions {element} takes for the model cannot be traced to a user and a prompt",
    description="When an assistant freezes a card, opens a dispute or grants a credit, the "
    "record must show which user's conversation asked for it, what the model requested and "
    "what was executed: without it a customer disputes the action, an abused prompt cannot be "
    "found, and the team cannot tell a model error from an attack.",
    target=Target.COMPONENT, likelihood=3, impact=3, stride=(R,), cwe=(778,),
    kinds=PROCESS_KINDS, among=LLM_CALLERS, domain=DOMAIN,
    mitigations=(
        "Write an audit record for every tool call: the end user and session, the conversation "
        "and message id, the tool, its arguments as requested by the model and as executed, "
        "and the result; keep it append-only, apart from the conversation store.",
        "Correlate the record with the downstream service's own audit log through a request "
        "id.",
    ),
    detection="A process with a flow to a language model that also calls other services or "
    "functions (its tools, as for llm-tool-call-abuse). An applicable threat until "
    "`properties.llm_tool_calls_logged` is stated; `false` fires.",
    references=(LLM_TOP10, "https://genai.owasp.org/llmrisk/llm062025-excessive-agency/"),
    asks=(Ask(
        "Does {element} write an audit record of every tool call the model requests (the user, "
        "the conversation, the arguments requested and executed, the result)?",
        (AskFact("properties.llm_tool_calls_logged", confirms=("false",),
                 rules_out=("true",)),),
        threat="Actions {element} takes for the model may not be attributable to a user or a "
        "prompt",
    ),),
))
def llm_tool_actions_not_attributable(component: Component, model: Model) -> Verdict:
    """An LLM caller with tools whose actions may not be logged."""
    calls = _calls_llm(model, component)
    if not calls:
        return _NOT_A_CALLER
    tools = _tools(model, component)
    if not tools:
        return Skip("calls no other service or function for the model (no tools)")
    why = [calls, "calls tools: " + ", ".join(f"'{t}'" for t in tools)]
    return decide_fact(component, "llm_tool_calls_logged", why)


# --- unbounded consumption ---------------------------------------------------------------


@rule(RuleMeta(
    id="llm-denial-of-wallet",
    title="Callers of {element} can spend the model budget without a limit",
    description="Every prompt costs tokens: a script sending long prompts, huge attachments or "
    "prompts that make the model loop through tools runs up the provider bill and exhausts "
    "the account's quota for every other user (denial of wallet, unbounded consumption).",
    target=Target.COMPONENT, likelihood=3, impact=3, stride=(D,), cwe=(400, 770),
    kinds=PROCESS_KINDS, among=LLM_CALLERS, domain=DOMAIN,
    mitigations=(
        "Set per-user and per-tenant token budgets, a maximum prompt and attachment size, a "
        "maximum `max_tokens` and a maximum number of tool-call rounds per request, enforced "
        "before the call to the model.",
        "Alert on spend per hour at the provider and cap the account's budget there too.",
    ),
    detection="A process with a flow to a language model that is exposed (public, or one flow "
    "from an entry point). An applicable threat until `properties.llm_usage_limits` is "
    "stated; `false` fires.",
    references=(LLM_TOP10, "https://genai.owasp.org/llmrisk/llm102025-unbounded-consumption/"),
    asks=(Ask(
        "Does {element} enforce per-user token budgets, a maximum prompt size and a maximum "
        "number of tool rounds before it calls the model?",
        (AskFact("properties.llm_usage_limits", confirms=("false",), rules_out=("true",)),),
        threat="Callers of {element} may run up the model bill or exhaust its quota (denial "
        "of wallet)",
    ),),
))
def llm_denial_of_wallet(component: Component, model: Model) -> Verdict:
    """An exposed LLM caller whose model spend may be unbounded."""
    calls = _calls_llm(model, component)
    if not calls:
        return _NOT_A_CALLER
    if not exposed(model, component):
        return Skip("not exposed: only the team's own callers prompt it")
    return decide_fact(component, "llm_usage_limits",
                              [calls, exposure_words(model, component)])


# --- prompts kept: data leakage through logs ------------------------------------------------


def _prompt_data(model: Model, caller: Component) -> frozenset[str]:
    """Data the caller exchanges with a language model that it did not receive from anything
    else: the prompts it builds and the answers it gets (not the raw input it passes on)."""
    llms = _llms(model)
    graph = model.graph
    exchanged = {d for f in graph.flows_out(caller.id) if f.target in llms for d in f.data}
    exchanged |= {d for f in graph.flows_in(caller.id) if f.source in llms for d in f.data}
    received = {d for f in graph.flows_in(caller.id) if f.source not in llms for d in f.data}
    return frozenset(exchanged - received)


def _prompt_stores(model: Model) -> frozenset[str]:
    def find() -> frozenset[str]:
        found = set()
        for cid in _llm_callers(model):
            prompts = _prompt_data(model, model.components[cid])
            for f in model.graph.flows_out(cid):
                target = model.components[f.target]
                if (target.kind in STORE_KINDS | {ComponentKind.MONITORING}
                        and prompts & set(f.data)):
                    found.add(f.target)
        return frozenset(found)

    return model.graph.memo(("llm-prompt-stores",), find)


PROMPT_STORES = ElementSet(
    "llm-prompt-stores", "stores and monitoring a process with a flow to a language model "
    "writes its prompts or the model's answers to", _prompt_stores,
)


@rule(RuleMeta(
    id="llm-prompts-stored-unredacted",
    title="{element} keeps prompts and model answers with the personal data they carried",
    description="Prompts are built from account context, conversation history and retrieved "
    "records, and answers repeat them: a conversation store or a log that keeps them whole "
    "holds every customer's personal and financial data in one place, readable by whoever "
    "reads the logs, for as long as the logs live.",
    target=Target.COMPONENT, likelihood=3, impact=3, stride=(INFO,),
    linddun=(Linddun.DATA_DISCLOSURE,), cwe=(532, 359),
    kinds=STORE_KINDS | {ComponentKind.MONITORING}, among=PROMPT_STORES, domain=DOMAIN,
    mitigations=(
        "Redact or tokenise identifiers, account numbers and secrets before prompts and "
        "answers are written (a redaction step in the logging path, Amazon Comprehend or "
        "Presidio PII detection), and log the prompt template id and the record ids instead "
        "of the filled-in prompt.",
        "Give the store a short retention period and read access only to the roles that "
        "review conversations.",
    ),
    detection="A store or monitoring component that a process with a flow to a language model "
    "writes confidential or restricted data to that it exchanges with the model and did not "
    "receive from anything else (the prompts it builds, the model's answers). An applicable "
    "threat until `properties.prompts_redacted` is stated; `false` fires.",
    references=(LLM_TOP10,
                "https://genai.owasp.org/llmrisk/llm022025-sensitive-information-disclosure/"),
    asks=(Ask(
        "Are personal data and secrets redacted from the prompts and model answers written to "
        "{element}?",
        (AskFact("properties.prompts_redacted", confirms=("false",), rules_out=("true",)),),
        threat="Prompts and answers kept in {element} may expose the personal data they "
        "carried",
    ),),
))
def llm_prompts_stored_unredacted(component: Component, model: Model) -> Verdict:
    """A store or log that keeps the prompts or answers of a language model."""
    writers = []
    kept: set[str] = set()
    for flow in model.graph.flows_in(component.id):
        source = model.components[flow.source]
        if flow.source not in _llm_callers(model):
            continue
        prompts = _prompt_data(model, source) & set(flow.data)
        sensitive = at_least(assets(model, prompts), Classification.CONFIDENTIAL)
        if sensitive:
            writers.append(flow.source)
            kept |= {a.id for a in sensitive}
    if not writers:
        return Skip("keeps no confidential prompts or model answers")
    data = tuple(sorted(kept))
    why = (", ".join(f"'{w}'" for w in sorted(writers)) + " writes "
           + ", ".join(f"'{d}'" for d in data) + " that it exchanges with a language model",)
    value = component.prop("prompts_redacted")
    if value is None:
        return Unknown(("properties.prompts_redacted",), why=why, data=data)
    if value is True:
        return RuledOut(("properties.prompts_redacted: true",))
    return Fire((*why, "properties.prompts_redacted: false"), data=data)


# --- machine learning: training --------------------------------------------------------------


ML_TECH = ("aws.sagemaker*",)
"""Technologies that train machine-learning models."""
_TRAINS = re.compile(r"\btrain(s|ing|ed)?\b")


def _trainer_words(component: Component) -> str:
    """Why the component trains a model, in words ("" when nothing says it does)."""
    if component.kind not in PROCESS_KINDS or is_llm(component):
        return ""
    if tech_is(component, ML_TECH):
        return f"trains models (tech: {component.tech})"
    for where, value in (("its name", component.name or ""), ("its id", component.id),
                         ("its description", component.description or ""),
                         *(("a tag", t) for t in component.tags)):
        if _TRAINS.search(value.lower().replace("-", " ").replace("_", " ")):
            return f"trains a model ('{value}', {where})"
    return ""


def _trainers(model: Model) -> frozenset[str]:
    return model.graph.memo(("ml-trainers",), lambda: frozenset(
        cid for cid, c in model.components.items() if _trainer_words(c)
    ))


ML_TRAINERS = ElementSet(
    "ml-trainers", "processes that train machine-learning models (see "
    "threatforge.rules.builtin.ai)", _trainers,
)


def _training_sources(model: Model, component: Component) -> list[str]:
    """The stores and streams the trainer reads its training data from, sorted."""
    graph = model.graph
    found = {f.target for f in graph.flows_out(component.id)
             if model.components[f.target].kind in STORE_KINDS
             and flow_prop(f, "access") in _READ}
    found |= {f.source for f in graph.flows_in(component.id)
              if model.components[f.source].kind in STORE_KINDS}
    return sorted(found)


@rule(RuleMeta(
    id="ml-training-data-poisoning",
    title="Data that trains {element}'s model can be planted by whoever writes its sources",
    description="A model learns what its training data says: records injected or altered "
    "upstream (forged events, a compromised producer, an insider editing the curated data) "
    "shift its decisions, open a backdoor for chosen inputs or degrade it, and the change "
    "survives until the model is retrained from clean data.",
    target=Target.COMPONENT, likelihood=2, impact=4, stride=(T,), cwe=(345, 1039),
    kinds=PROCESS_KINDS, among=ML_TRAINERS, domain=DOMAIN,
    mitigations=(
        "Train only from versioned, access-controlled datasets with recorded lineage (who "
        "wrote each partition, from which source); validate schemas and distributions and "
        "flag outliers and label shifts before each training run.",
        "Keep a held-out, reviewed evaluation set and block the release of a model whose "
        "metrics or behaviour on it move unexpectedly.",
    ),
    detection="A process that trains a model ('train' in its id, name, description or a tag, "
    "or tech aws.sagemaker) and reads a store or stream (`properties.access: read` on its flow "
    "to it, or a flow from it). An applicable threat until `properties.training_data_validated` "
    "is stated; `false` fires.",
    references=("https://genai.owasp.org/llmrisk/llm042025-data-and-model-poisoning/",
                "https://atlas.mitre.org/techniques/AML.T0020"),
    asks=(Ask(
        "Is the data {element} trains on versioned, traced to its writers and validated "
        "(schema, distribution, outliers) before each training run?",
        (AskFact("properties.training_data_validated", confirms=("false",),
                 rules_out=("true",)),),
        threat="Poisoned training data may skew the model {element} trains",
    ),),
))
def ml_training_data_poisoning(component: Component, model: Model) -> Verdict:
    """A training process that reads data others write."""
    trains = _trainer_words(component)
    if not trains:
        return Skip("trains no model")
    sources = _training_sources(model, component)
    if not sources:
        return Skip("reads no store or stream")
    why = [trains, "trains on data from " + ", ".join(f"'{s}'" for s in sources)]
    return decide_fact(component, "training_data_validated", why)


@rule(RuleMeta(
    id="ml-model-theft",
    title="The model {element} trains, and what it learned, can be taken",
    description="A trained model is the training data in condensed form: copied weights or "
    "notebooks leak the business's scoring logic, and unrestricted queries to it allow model "
    "extraction, membership inference (was this person in the data?) and inversion of the "
    "personal data it was trained on.",
    target=Target.COMPONENT, likelihood=2, impact=4, stride=(INFO,),
    linddun=(Linddun.DATA_DISCLOSURE,), cwe=(200,), kinds=PROCESS_KINDS, among=ML_TRAINERS,
    domain=DOMAIN,
    mitigations=(
        "Keep model artifacts and training notebooks in access-controlled, logged storage "
        "(only the training and serving roles read them) and encrypt them at rest.",
        "Serve scores through an authenticated API with per-caller query limits that returns "
        "only what the use case needs (a decision or a rounded score, not probabilities); "
        "consider differential privacy for models trained on personal data.",
    ),
    detection="A process that trains a model (see ml-training-data-poisoning) and handles "
    "confidential or restricted data. An applicable threat until "
    "`properties.model_access_restricted` is stated; `false` fires.",
    references=("https://atlas.mitre.org/techniques/AML.T0024",
                "https://owasp.org/www-project-machine-learning-security-top-10/"),
    asks=(Ask(
        "Are the model {element} trains, its weights and its notebooks readable only by the "
        "training and serving roles, with its scores served under per-caller query limits?",
        (AskFact("properties.model_access_restricted", confirms=("false",),
                 rules_out=("true",)),),
        threat="The model {element} trains may be copied, extracted or made to reveal its "
        "training data",
    ),),
))
def ml_model_theft(component: Component, model: Model) -> Verdict:
    """A training process handling sensitive data."""
    trains = _trainer_words(component)
    if not trains:
        return Skip("trains no model")
    sensitive = sensitive_data(model, component)
    if not sensitive:
        return Skip("handles no confidential or restricted data")
    why = [trains, "handles " + ", ".join(f"'{a.id}'" for a in sensitive)]
    return decide_fact(component, "model_access_restricted", why)


RULES: tuple[Rule, ...] = (
    llm_tool_call_abuse,
    llm_indirect_prompt_injection,
    llm_output_rendered_unsafely,
    llm_context_leakage,
    llm_provider_retains_prompts,
    llm_retrieval_poisoning,
    llm_tool_actions_not_attributable,
    llm_denial_of_wallet,
    llm_prompts_stored_unredacted,
    ml_training_data_poisoning,
    ml_model_theft,
)
