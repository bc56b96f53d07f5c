"""OWASP pytm model of the bench/quality system "Support assistant".

Written by `bench/quality.py --write-pytm` from threatmodel.yaml: the same elements
(named by their ids) and flows (named `source -> target`), and the facts it states.

    python pytm_model.py --json out.json
"""

from pytm import (
    TM,
    Actor,
    Boundary,
    Classification,
    Data,
    Dataflow,
    Datastore,
    ExternalEntity,
    Lambda,
    Server,
)

tm = TM("Support assistant")
tm.isOrdered = False
zones = {}
zones["internet"] = Boundary("internet")
zones["llm-vendor"] = Boundary("llm-vendor")
zones["corporate"] = Boundary("corporate")
zones["aws-account"] = Boundary("aws-account")
zones["app-vpc"] = Boundary("app-vpc")
zones["app-vpc"].inBoundary = zones["aws-account"]
data = {}
data["chat-messages"] = Data(
    "chat-messages",
    classification=Classification.SENSITIVE,
)
data["account-context"] = Data(
    "account-context",
    classification=Classification.SENSITIVE,
)
data["prompts"] = Data(
    "prompts",
    classification=Classification.SENSITIVE,
)
data["attachments"] = Data(
    "attachments",
    classification=Classification.SENSITIVE,
)
data["articles"] = Data(
    "articles",
    classification=Classification.PUBLIC,
)
data["tool-calls"] = Data(
    "tool-calls",
    classification=Classification.SENSITIVE,
)
data["llm-api-key"] = Data(
    "llm-api-key",
    classification=Classification.SECRET,
)
data["customer-session"] = Data(
    "customer-session",
    classification=Classification.SENSITIVE,
)
el = {}
el["customer"] = Actor("customer")
el["customer"].inBoundary = zones["internet"]
el["chat-web"] = Server("chat-web")
el["chat-web"].inBoundary = zones["aws-account"]
el["chat-service"] = Server("chat-service")
el["chat-service"].inBoundary = zones["app-vpc"]
el["llm-provider"] = ExternalEntity("llm-provider")
el["llm-provider"].inBoundary = zones["llm-vendor"]
el["vector-index"] = Datastore("vector-index")
el["vector-index"].inBoundary = zones["app-vpc"]
el["vector-index"].controls.isEncryptedAtRest = True
el["vector-index"].isSQL = False
el["accounts-api"] = Server("accounts-api")
el["accounts-api"].inBoundary = zones["app-vpc"]
el["disputes-service"] = Server("disputes-service")
el["disputes-service"].inBoundary = zones["app-vpc"]
el["conversation-db"] = Datastore("conversation-db")
el["conversation-db"].inBoundary = zones["aws-account"]
el["conversation-db"].controls.isEncryptedAtRest = True
el["conversation-db"].isSQL = False
el["attachments-bucket"] = Datastore("attachments-bucket")
el["attachments-bucket"].inBoundary = zones["aws-account"]
el["attachments-bucket"].controls.isEncryptedAtRest = True
el["attachments-bucket"].isSQL = False
el["agent"] = Actor("agent")
el["agent"].inBoundary = zones["corporate"]
el["agent-console"] = Server("agent-console")
el["agent-console"].inBoundary = zones["app-vpc"]
el["content-editor"] = Actor("content-editor")
el["content-editor"].inBoundary = zones["corporate"]
el["cms"] = Server("cms")
el["cms"].inBoundary = zones["app-vpc"]
el["ingest-job"] = Lambda("ingest-job")
el["ingest-job"].inBoundary = zones["app-vpc"]
f0 = Dataflow(
    el["customer"],
    el["chat-web"],
    "customer -> chat-web",
)
f0.protocol = "https"
f0.controls.isEncrypted = True
f0.data = [
    data["chat-messages"],
    data["attachments"],
    data["customer-session"],
]
f1 = Dataflow(
    el["chat-web"],
    el["chat-service"],
    "chat-web -> chat-service",
)
f1.protocol = "https"
f1.controls.isEncrypted = True
f1.data = [
    data["chat-messages"],
    data["attachments"],
    data["customer-session"],
]
f2 = Dataflow(
    el["chat-service"],
    el["vector-index"],
    "chat-service -> vector-index",
)
f2.protocol = "https"
f2.controls.isEncrypted = True
f2.data = [
    data["articles"],
]
f3 = Dataflow(
    el["chat-service"],
    el["accounts-api"],
    "chat-service -> accounts-api",
)
f3.protocol = "https"
f3.controls.isEncrypted = True
f3.data = [
    data["account-context"],
    data["tool-calls"],
]
f4 = Dataflow(
    el["chat-service"],
    el["disputes-service"],
    "chat-service -> disputes-service",
)
f4.protocol = "https"
f4.controls.isEncrypted = True
f4.data = [
    data["tool-calls"],
]
f5 = Dataflow(
    el["chat-service"],
    el["llm-provider"],
    "chat-service -> llm-provider",
)
f5.protocol = "https"
f5.controls.isEncrypted = True
f5.controls.authenticatesSource = True
f5.data = [
    data["prompts"],
    data["attachments"],
    data["llm-api-key"],
]
f6 = Dataflow(
    el["chat-service"],
    el["conversation-db"],
    "chat-service -> conversation-db",
)
f6.protocol = "aws-api"
f6.controls.isEncrypted = True
f6.controls.authenticatesSource = True
f6.data = [
    data["chat-messages"],
    data["prompts"],
]
f7 = Dataflow(
    el["chat-service"],
    el["attachments-bucket"],
    "chat-service -> attachments-bucket",
)
f7.protocol = "aws-api"
f7.controls.isEncrypted = True
f7.controls.authenticatesSource = True
f7.data = [
    data["attachments"],
]
f8 = Dataflow(
    el["agent"],
    el["agent-console"],
    "agent -> agent-console",
)
f8.protocol = "https"
f8.controls.isEncrypted = True
f8.data = [
    data["chat-messages"],
    data["prompts"],
    data["account-context"],
]
f9 = Dataflow(
    el["agent-console"],
    el["conversation-db"],
    "agent-console -> conversation-db",
)
f9.protocol = "aws-api"
f9.controls.isEncrypted = True
f9.controls.authenticatesSource = True
f9.data = [
    data["chat-messages"],
    data["prompts"],
]
f10 = Dataflow(
    el["content-editor"],
    el["cms"],
    "content-editor -> cms",
)
f10.protocol = "https"
f10.controls.isEncrypted = True
f10.data = [
    data["articles"],
]
f11 = Dataflow(
    el["ingest-job"],
    el["cms"],
    "ingest-job -> cms",
)
f11.protocol = "https"
f11.controls.isEncrypted = True
f11.data = [
    data["articles"],
]
f12 = Dataflow(
    el["ingest-job"],
    el["vector-index"],
    "ingest-job -> vector-index",
)
f12.protocol = "https"
f12.controls.isEncrypted = True
f12.data = [
    data["articles"],
]

if __name__ == "__main__":
    tm.process()
