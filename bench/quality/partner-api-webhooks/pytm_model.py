"""OWASP pytm model of the bench/quality system "Partner invoicing API".

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

tm = TM("Partner invoicing API")
tm.isOrdered = False
zones = {}
zones["internet"] = Boundary("internet")
zones["partners"] = Boundary("partners")
zones["aws-account"] = Boundary("aws-account")
zones["app-vpc"] = Boundary("app-vpc")
zones["app-vpc"].inBoundary = zones["aws-account"]
data = {}
data["api-keys"] = Data(
    "api-keys",
    classification=Classification.SECRET,
)
data["partner-accounts"] = Data(
    "partner-accounts",
    classification=Classification.SENSITIVE,
)
data["portal-credentials"] = Data(
    "portal-credentials",
    classification=Classification.SECRET,
)
data["invoices"] = Data(
    "invoices",
    classification=Classification.SENSITIVE,
)
data["invoice-pdfs"] = Data(
    "invoice-pdfs",
    classification=Classification.SENSITIVE,
)
data["templates"] = Data(
    "templates",
    classification=Classification.RESTRICTED,
)
data["csv-imports"] = Data(
    "csv-imports",
    classification=Classification.SENSITIVE,
)
data["webhook-events"] = Data(
    "webhook-events",
    classification=Classification.SENSITIVE,
)
data["hmac-secrets"] = Data(
    "hmac-secrets",
    classification=Classification.SECRET,
)
el = {}
el["partner-admin"] = Actor("partner-admin")
el["partner-admin"].inBoundary = zones["internet"]
el["partner-system"] = ExternalEntity("partner-system")
el["partner-system"].inBoundary = zones["partners"]
el["partner-receiver"] = ExternalEntity("partner-receiver")
el["partner-receiver"].inBoundary = zones["partners"]
el["partner-portal"] = Server("partner-portal")
el["partner-portal"].inBoundary = zones["app-vpc"]
el["partner-portal"].controls.implementsAuthenticationScheme = True
el["portal-db"] = Datastore("portal-db")
el["portal-db"].inBoundary = zones["app-vpc"]
el["portal-db"].controls.isEncryptedAtRest = True
el["portal-db"].isSQL = True
el["api-gateway"] = Server("api-gateway")
el["api-gateway"].inBoundary = zones["aws-account"]
el["api-gateway"].controls.implementsAuthenticationScheme = True
el["partner-api"] = Server("partner-api")
el["partner-api"].inBoundary = zones["app-vpc"]
el["partner-api"].controls.implementsAuthenticationScheme = True
el["invoice-db"] = Datastore("invoice-db")
el["invoice-db"].inBoundary = zones["aws-account"]
el["invoice-db"].controls.isEncryptedAtRest = True
el["invoice-db"].isSQL = False
el["import-worker"] = Lambda("import-worker")
el["import-worker"].inBoundary = zones["app-vpc"]
el["pdf-renderer"] = Server("pdf-renderer")
el["pdf-renderer"].inBoundary = zones["app-vpc"]
el["invoice-bucket"] = Datastore("invoice-bucket")
el["invoice-bucket"].inBoundary = zones["aws-account"]
el["invoice-bucket"].controls.isEncryptedAtRest = True
el["invoice-bucket"].isSQL = False
el["event-queue"] = Datastore("event-queue")
el["event-queue"].inBoundary = zones["aws-account"]
el["event-queue"].controls.isEncryptedAtRest = True
el["event-queue"].isSQL = False
el["webhook-dispatcher"] = Lambda("webhook-dispatcher")
el["webhook-dispatcher"].inBoundary = zones["app-vpc"]
el["webhook-secrets"] = Datastore("webhook-secrets")
el["webhook-secrets"].inBoundary = zones["aws-account"]
el["webhook-secrets"].controls.isEncryptedAtRest = True
el["webhook-secrets"].isSQL = False
f0 = Dataflow(
    el["partner-admin"],
    el["partner-portal"],
    "partner-admin -> partner-portal",
)
f0.protocol = "https"
f0.controls.isEncrypted = True
f0.controls.authenticatesSource = True
f0.data = [
    data["portal-credentials"],
    data["api-keys"],
    data["partner-accounts"],
    data["templates"],
]
f1 = Dataflow(
    el["partner-portal"],
    el["portal-db"],
    "partner-portal -> portal-db",
)
f1.protocol = "postgres"
f1.data = [
    data["partner-accounts"],
    data["api-keys"],
    data["portal-credentials"],
    data["templates"],
]
f2 = Dataflow(
    el["partner-portal"],
    el["webhook-secrets"],
    "partner-portal -> webhook-secrets",
)
f2.protocol = "aws-api"
f2.controls.isEncrypted = True
f2.controls.authenticatesSource = True
f2.data = [
    data["hmac-secrets"],
]
f3 = Dataflow(
    el["partner-system"],
    el["api-gateway"],
    "partner-system -> api-gateway",
)
f3.protocol = "https"
f3.controls.isEncrypted = True
f3.controls.authenticatesSource = True
f3.data = [
    data["api-keys"],
    data["invoices"],
    data["invoice-pdfs"],
    data["csv-imports"],
]
f4 = Dataflow(
    el["api-gateway"],
    el["partner-api"],
    "api-gateway -> partner-api",
)
f4.protocol = "https"
f4.controls.isEncrypted = True
f4.controls.authenticatesSource = True
f4.data = [
    data["api-keys"],
    data["invoices"],
    data["invoice-pdfs"],
]
f5 = Dataflow(
    el["api-gateway"],
    el["import-worker"],
    "api-gateway -> import-worker",
)
f5.protocol = "aws-invoke"
f5.controls.isEncrypted = True
f5.data = [
    data["csv-imports"],
]
f6 = Dataflow(
    el["partner-api"],
    el["portal-db"],
    "partner-api -> portal-db",
)
f6.protocol = "postgres"
f6.data = [
    data["api-keys"],
]
f7 = Dataflow(
    el["partner-api"],
    el["invoice-db"],
    "partner-api -> invoice-db",
)
f7.protocol = "aws-api"
f7.controls.isEncrypted = True
f7.controls.authenticatesSource = True
f7.data = [
    data["invoices"],
]
f8 = Dataflow(
    el["partner-api"],
    el["invoice-bucket"],
    "partner-api -> invoice-bucket",
)
f8.protocol = "aws-api"
f8.controls.isEncrypted = True
f8.controls.authenticatesSource = True
f8.data = [
    data["invoice-pdfs"],
]
f9 = Dataflow(
    el["partner-api"],
    el["event-queue"],
    "partner-api -> event-queue",
)
f9.protocol = "aws-api"
f9.controls.isEncrypted = True
f9.controls.authenticatesSource = True
f9.data = [
    data["webhook-events"],
]
f10 = Dataflow(
    el["import-worker"],
    el["invoice-db"],
    "import-worker -> invoice-db",
)
f10.protocol = "aws-api"
f10.controls.isEncrypted = True
f10.controls.authenticatesSource = True
f10.data = [
    data["invoices"],
]
f11 = Dataflow(
    el["partner-api"],
    el["pdf-renderer"],
    "partner-api -> pdf-renderer",
)
f11.protocol = "https"
f11.controls.isEncrypted = True
f11.data = [
    data["invoices"],
]
f12 = Dataflow(
    el["pdf-renderer"],
    el["portal-db"],
    "pdf-renderer -> portal-db",
)
f12.protocol = "postgres"
f12.data = [
    data["templates"],
]
f13 = Dataflow(
    el["pdf-renderer"],
    el["invoice-bucket"],
    "pdf-renderer -> invoice-bucket",
)
f13.protocol = "aws-api"
f13.controls.isEncrypted = True
f13.controls.authenticatesSource = True
f13.data = [
    data["invoice-pdfs"],
]
f14 = Dataflow(
    el["partner-system"],
    el["invoice-bucket"],
    "partner-system -> invoice-bucket",
)
f14.protocol = "https"
f14.controls.isEncrypted = True
f14.data = [
    data["invoice-pdfs"],
]
f15 = Dataflow(
    el["event-queue"],
    el["webhook-dispatcher"],
    "event-queue -> webhook-dispatcher",
)
f15.protocol = "aws-invoke"
f15.controls.isEncrypted = True
f15.data = [
    data["webhook-events"],
]
f16 = Dataflow(
    el["webhook-dispatcher"],
    el["webhook-secrets"],
    "webhook-dispatcher -> webhook-secrets",
)
f16.protocol = "aws-api"
f16.controls.isEncrypted = True
f16.controls.authenticatesSource = True
f16.data = [
    data["hmac-secrets"],
]
f17 = Dataflow(
    el["webhook-dispatcher"],
    el["portal-db"],
    "webhook-dispatcher -> portal-db",
)
f17.protocol = "postgres"
f17.data = [
    data["partner-accounts"],
]
f18 = Dataflow(
    el["webhook-dispatcher"],
    el["partner-receiver"],
    "webhook-dispatcher -> partner-receiver",
)
f18.protocol = "https"
f18.controls.isEncrypted = True
f18.controls.authenticatesSource = True
f18.controls.providesIntegrity = True
f18.data = [
    data["webhook-events"],
]

if __name__ == "__main__":
    tm.process()
