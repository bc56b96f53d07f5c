"""OWASP pytm model of the bench/quality system "Merchant operations tool".

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
    Server,
)

tm = TM("Merchant operations tool")
tm.isOrdered = False
zones = {}
zones["corporate"] = Boundary("corporate")
zones["okta-cloud"] = Boundary("okta-cloud")
zones["aws-account"] = Boundary("aws-account")
zones["ops-vpc"] = Boundary("ops-vpc")
zones["ops-vpc"].inBoundary = zones["aws-account"]
data = {}
data["merchant-records"] = Data(
    "merchant-records",
    classification=Classification.SENSITIVE,
)
data["merchant-transactions"] = Data(
    "merchant-transactions",
    classification=Classification.SENSITIVE,
)
data["adjustments"] = Data(
    "adjustments",
    classification=Classification.SENSITIVE,
)
data["report-exports"] = Data(
    "report-exports",
    classification=Classification.SENSITIVE,
)
data["staff-identity"] = Data(
    "staff-identity",
    classification=Classification.SENSITIVE,
)
data["audit-events"] = Data(
    "audit-events",
    classification=Classification.RESTRICTED,
)
el = {}
el["staff"] = Actor("staff")
el["staff"].inBoundary = zones["corporate"]
el["staff-laptop"] = ExternalEntity("staff-laptop")
el["staff-laptop"].inBoundary = zones["corporate"]
el["okta"] = ExternalEntity("okta")
el["okta"].inBoundary = zones["okta-cloud"]
el["auth-proxy"] = Server("auth-proxy")
el["auth-proxy"].inBoundary = zones["ops-vpc"]
el["auth-proxy"].controls.implementsAuthenticationScheme = True
el["ops-tool"] = Server("ops-tool")
el["ops-tool"].inBoundary = zones["ops-vpc"]
el["ops-tool"].controls.hasAccessControl = True
el["merchant-db"] = Datastore("merchant-db")
el["merchant-db"].inBoundary = zones["ops-vpc"]
el["merchant-db"].controls.isEncryptedAtRest = True
el["merchant-db"].isSQL = True
el["reporting-replica"] = Datastore("reporting-replica")
el["reporting-replica"].inBoundary = zones["ops-vpc"]
el["reporting-replica"].controls.isEncryptedAtRest = True
el["reporting-replica"].isSQL = True
el["ledger-service"] = Server("ledger-service")
el["ledger-service"].inBoundary = zones["ops-vpc"]
el["audit-logs"] = Server("audit-logs")
el["audit-logs"].inBoundary = zones["aws-account"]
f0 = Dataflow(
    el["staff"],
    el["staff-laptop"],
    "staff -> staff-laptop",
)
f0.protocol = "in-process"
f0.data = [
    data["merchant-records"],
    data["adjustments"],
]
f1 = Dataflow(
    el["staff-laptop"],
    el["okta"],
    "staff-laptop -> okta",
)
f1.protocol = "https"
f1.controls.isEncrypted = True
f1.data = [
    data["staff-identity"],
]
f2 = Dataflow(
    el["staff-laptop"],
    el["auth-proxy"],
    "staff-laptop -> auth-proxy",
)
f2.protocol = "https"
f2.controls.isEncrypted = True
f2.controls.authenticatesSource = True
f2.data = [
    data["staff-identity"],
    data["merchant-records"],
    data["merchant-transactions"],
    data["adjustments"],
    data["report-exports"],
]
f3 = Dataflow(
    el["auth-proxy"],
    el["ops-tool"],
    "auth-proxy -> ops-tool",
)
f3.protocol = "https"
f3.controls.isEncrypted = True
f3.data = [
    data["staff-identity"],
    data["merchant-records"],
    data["merchant-transactions"],
    data["adjustments"],
    data["report-exports"],
]
f4 = Dataflow(
    el["ops-tool"],
    el["merchant-db"],
    "ops-tool -> merchant-db",
)
f4.protocol = "postgres"
f4.data = [
    data["merchant-records"],
    data["merchant-transactions"],
]
f5 = Dataflow(
    el["ops-tool"],
    el["reporting-replica"],
    "ops-tool -> reporting-replica",
)
f5.protocol = "postgres"
f5.data = [
    data["merchant-records"],
    data["merchant-transactions"],
    data["report-exports"],
]
f6 = Dataflow(
    el["ops-tool"],
    el["ledger-service"],
    "ops-tool -> ledger-service",
)
f6.protocol = "https"
f6.controls.isEncrypted = True
f6.data = [
    data["adjustments"],
]
f7 = Dataflow(
    el["ops-tool"],
    el["audit-logs"],
    "ops-tool -> audit-logs",
)
f7.protocol = "aws-api"
f7.controls.isEncrypted = True
f7.controls.authenticatesSource = True
f7.data = [
    data["audit-events"],
]

if __name__ == "__main__":
    tm.process()
