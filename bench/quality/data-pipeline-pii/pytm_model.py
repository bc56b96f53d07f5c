"""OWASP pytm model of the bench/quality system "Lending analytics pipeline".

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

tm = TM("Lending analytics pipeline")
tm.isOrdered = False
zones = {}
zones["bureau"] = Boundary("bureau")
zones["corporate"] = Boundary("corporate")
zones["aws-account"] = Boundary("aws-account")
zones["product-vpc"] = Boundary("product-vpc")
zones["data-vpc"] = Boundary("data-vpc")
zones["product-vpc"].inBoundary = zones["aws-account"]
zones["data-vpc"].inBoundary = zones["aws-account"]
data = {}
data["applicant-events"] = Data(
    "applicant-events",
    classification=Classification.SECRET,
)
data["curated-records"] = Data(
    "curated-records",
    classification=Classification.SENSITIVE,
)
data["credit-model"] = Data(
    "credit-model",
    classification=Classification.SENSITIVE,
)
data["bureau-reports"] = Data(
    "bureau-reports",
    classification=Classification.SENSITIVE,
)
data["pipeline-credentials"] = Data(
    "pipeline-credentials",
    classification=Classification.SECRET,
)
data["erasure-requests"] = Data(
    "erasure-requests",
    classification=Classification.SENSITIVE,
)
el = {}
el["product-services"] = Server("product-services")
el["product-services"].inBoundary = zones["product-vpc"]
el["event-stream"] = Datastore("event-stream")
el["event-stream"].inBoundary = zones["data-vpc"]
el["event-stream"].controls.isEncryptedAtRest = True
el["event-stream"].isSQL = False
el["ingest-job"] = Server("ingest-job")
el["ingest-job"].inBoundary = zones["data-vpc"]
el["raw-bucket"] = Datastore("raw-bucket")
el["raw-bucket"].inBoundary = zones["aws-account"]
el["raw-bucket"].controls.isEncryptedAtRest = True
el["raw-bucket"].isSQL = False
el["transform-job"] = Server("transform-job")
el["transform-job"].inBoundary = zones["data-vpc"]
el["curated-bucket"] = Datastore("curated-bucket")
el["curated-bucket"].inBoundary = zones["aws-account"]
el["curated-bucket"].controls.isEncryptedAtRest = True
el["curated-bucket"].isSQL = False
el["athena"] = Server("athena")
el["athena"].inBoundary = zones["aws-account"]
el["analyst"] = Actor("analyst")
el["analyst"].inBoundary = zones["corporate"]
el["data-scientist"] = Actor("data-scientist")
el["data-scientist"].inBoundary = zones["corporate"]
el["notebooks"] = Server("notebooks")
el["notebooks"].inBoundary = zones["data-vpc"]
el["export-job"] = Server("export-job")
el["export-job"].inBoundary = zones["data-vpc"]
el["credit-bureau"] = ExternalEntity("credit-bureau")
el["credit-bureau"].inBoundary = zones["bureau"]
el["orchestrator"] = Server("orchestrator")
el["orchestrator"].inBoundary = zones["data-vpc"]
el["pipeline-secrets"] = Datastore("pipeline-secrets")
el["pipeline-secrets"].inBoundary = zones["aws-account"]
el["pipeline-secrets"].controls.isEncryptedAtRest = True
el["pipeline-secrets"].isSQL = False
el["privacy-team"] = Actor("privacy-team")
el["privacy-team"].inBoundary = zones["corporate"]
f0 = Dataflow(
    el["product-services"],
    el["event-stream"],
    "product-services -> event-stream",
)
f0.protocol = "kafka"
f0.data = [
    data["applicant-events"],
]
f1 = Dataflow(
    el["ingest-job"],
    el["event-stream"],
    "ingest-job -> event-stream",
)
f1.protocol = "kafka"
f1.data = [
    data["applicant-events"],
]
f2 = Dataflow(
    el["ingest-job"],
    el["raw-bucket"],
    "ingest-job -> raw-bucket",
)
f2.protocol = "aws-api"
f2.controls.isEncrypted = True
f2.controls.authenticatesSource = True
f2.data = [
    data["applicant-events"],
]
f3 = Dataflow(
    el["transform-job"],
    el["raw-bucket"],
    "transform-job -> raw-bucket",
)
f3.protocol = "aws-api"
f3.controls.isEncrypted = True
f3.controls.authenticatesSource = True
f3.data = [
    data["applicant-events"],
]
f4 = Dataflow(
    el["transform-job"],
    el["curated-bucket"],
    "transform-job -> curated-bucket",
)
f4.protocol = "aws-api"
f4.controls.isEncrypted = True
f4.controls.authenticatesSource = True
f4.data = [
    data["curated-records"],
]
f5 = Dataflow(
    el["analyst"],
    el["athena"],
    "analyst -> athena",
)
f5.protocol = "https"
f5.controls.isEncrypted = True
f5.data = [
    data["curated-records"],
]
f6 = Dataflow(
    el["athena"],
    el["curated-bucket"],
    "athena -> curated-bucket",
)
f6.protocol = "aws-api"
f6.controls.isEncrypted = True
f6.controls.authenticatesSource = True
f6.data = [
    data["curated-records"],
]
f7 = Dataflow(
    el["data-scientist"],
    el["notebooks"],
    "data-scientist -> notebooks",
)
f7.protocol = "https"
f7.controls.isEncrypted = True
f7.data = [
    data["curated-records"],
    data["credit-model"],
]
f8 = Dataflow(
    el["notebooks"],
    el["curated-bucket"],
    "notebooks -> curated-bucket",
)
f8.protocol = "aws-api"
f8.controls.isEncrypted = True
f8.controls.authenticatesSource = True
f8.data = [
    data["curated-records"],
]
f9 = Dataflow(
    el["export-job"],
    el["curated-bucket"],
    "export-job -> curated-bucket",
)
f9.protocol = "aws-api"
f9.controls.isEncrypted = True
f9.controls.authenticatesSource = True
f9.data = [
    data["curated-records"],
]
f10 = Dataflow(
    el["export-job"],
    el["credit-bureau"],
    "export-job -> credit-bureau",
)
f10.protocol = "sftp"
f10.controls.isEncrypted = True
f10.data = [
    data["bureau-reports"],
]
f11 = Dataflow(
    el["orchestrator"],
    el["pipeline-secrets"],
    "orchestrator -> pipeline-secrets",
)
f11.protocol = "aws-api"
f11.controls.isEncrypted = True
f11.controls.authenticatesSource = True
f11.data = [
    data["pipeline-credentials"],
]
f12 = Dataflow(
    el["orchestrator"],
    el["ingest-job"],
    "orchestrator -> ingest-job",
)
f12.protocol = "aws-api"
f12.controls.isEncrypted = True
f12.controls.authenticatesSource = True
f12.data = [
    data["pipeline-credentials"],
]
f13 = Dataflow(
    el["orchestrator"],
    el["transform-job"],
    "orchestrator -> transform-job",
)
f13.protocol = "aws-api"
f13.controls.isEncrypted = True
f13.controls.authenticatesSource = True
f13.data = [
    data["pipeline-credentials"],
]
f14 = Dataflow(
    el["orchestrator"],
    el["export-job"],
    "orchestrator -> export-job",
)
f14.protocol = "aws-api"
f14.controls.isEncrypted = True
f14.data = [
    data["pipeline-credentials"],
]
f15 = Dataflow(
    el["privacy-team"],
    el["orchestrator"],
    "privacy-team -> orchestrator",
)
f15.protocol = "https"
f15.controls.isEncrypted = True
f15.data = [
    data["erasure-requests"],
]

if __name__ == "__main__":
    tm.process()
