"""OWASP pytm model of the bench/quality system "Payroll SaaS".

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

tm = TM("Payroll SaaS")
tm.isOrdered = False
zones = {}
zones["internet"] = Boundary("internet")
zones["tenant-networks"] = Boundary("tenant-networks")
zones["auth0-cloud"] = Boundary("auth0-cloud")
zones["github"] = Boundary("github")
zones["aws-account"] = Boundary("aws-account")
zones["vpc"] = Boundary("vpc")
zones["cluster"] = Boundary("cluster")
zones["vpc"].inBoundary = zones["aws-account"]
zones["cluster"].inBoundary = zones["vpc"]
data = {}
data["employee-records"] = Data(
    "employee-records",
    classification=Classification.SECRET,
)
data["payslips"] = Data(
    "payslips",
    classification=Classification.SECRET,
)
data["tenant-users"] = Data(
    "tenant-users",
    classification=Classification.SENSITIVE,
)
data["id-tokens"] = Data(
    "id-tokens",
    classification=Classification.SENSITIVE,
)
data["employee-imports"] = Data(
    "employee-imports",
    classification=Classification.SECRET,
)
data["payroll-jobs"] = Data(
    "payroll-jobs",
    classification=Classification.SENSITIVE,
)
data["webhook-events"] = Data(
    "webhook-events",
    classification=Classification.RESTRICTED,
)
data["app-secrets"] = Data(
    "app-secrets",
    classification=Classification.SECRET,
)
data["images"] = Data(
    "images",
    classification=Classification.RESTRICTED,
)
el = {}
el["tenant-user"] = Actor("tenant-user")
el["tenant-user"].inBoundary = zones["internet"]
el["tenant-idp"] = ExternalEntity("tenant-idp")
el["tenant-idp"].inBoundary = zones["tenant-networks"]
el["auth0"] = ExternalEntity("auth0")
el["auth0"].inBoundary = zones["auth0-cloud"]
el["tenant-webhook"] = ExternalEntity("tenant-webhook")
el["tenant-webhook"].inBoundary = zones["tenant-networks"]
el["ingress"] = Server("ingress")
el["ingress"].inBoundary = zones["cluster"]
el["payroll-api"] = Server("payroll-api")
el["payroll-api"].inBoundary = zones["cluster"]
el["payroll-api"].controls.implementsAuthenticationScheme = True
el["payroll-db"] = Datastore("payroll-db")
el["payroll-db"].inBoundary = zones["vpc"]
el["payroll-db"].controls.isEncryptedAtRest = True
el["payroll-db"].isSQL = True
el["payslip-bucket"] = Datastore("payslip-bucket")
el["payslip-bucket"].inBoundary = zones["aws-account"]
el["payslip-bucket"].controls.isEncryptedAtRest = True
el["payslip-bucket"].isSQL = False
el["job-queue"] = Datastore("job-queue")
el["job-queue"].inBoundary = zones["cluster"]
el["job-queue"].isSQL = False
el["payroll-worker"] = Server("payroll-worker")
el["payroll-worker"].inBoundary = zones["cluster"]
el["app-secrets-store"] = Datastore("app-secrets-store")
el["app-secrets-store"].inBoundary = zones["aws-account"]
el["app-secrets-store"].controls.isEncryptedAtRest = True
el["app-secrets-store"].isSQL = False
el["ci"] = Server("ci")
el["ci"].inBoundary = zones["github"]
el["registry"] = Datastore("registry")
el["registry"].inBoundary = zones["aws-account"]
el["registry"].isSQL = False
el["k8s-api"] = Server("k8s-api")
el["k8s-api"].inBoundary = zones["aws-account"]
f0 = Dataflow(
    el["tenant-user"],
    el["auth0"],
    "tenant-user -> auth0",
)
f0.protocol = "https"
f0.controls.isEncrypted = True
f0.data = [
    data["tenant-users"],
    data["id-tokens"],
]
f1 = Dataflow(
    el["auth0"],
    el["tenant-idp"],
    "auth0 -> tenant-idp",
)
f1.protocol = "https"
f1.controls.isEncrypted = True
f1.controls.authenticatesSource = True
f1.data = [
    data["tenant-users"],
]
f2 = Dataflow(
    el["tenant-user"],
    el["ingress"],
    "tenant-user -> ingress",
)
f2.protocol = "https"
f2.controls.isEncrypted = True
f2.controls.authenticatesSource = True
f2.data = [
    data["id-tokens"],
    data["employee-records"],
    data["payslips"],
    data["employee-imports"],
]
f3 = Dataflow(
    el["ingress"],
    el["payroll-api"],
    "ingress -> payroll-api",
)
f3.protocol = "http"
f3.data = [
    data["id-tokens"],
    data["employee-records"],
    data["payslips"],
    data["employee-imports"],
]
f4 = Dataflow(
    el["payroll-api"],
    el["payroll-db"],
    "payroll-api -> payroll-db",
)
f4.protocol = "postgres"
f4.data = [
    data["employee-records"],
    data["tenant-users"],
]
f5 = Dataflow(
    el["payroll-api"],
    el["payslip-bucket"],
    "payroll-api -> payslip-bucket",
)
f5.protocol = "aws-api"
f5.controls.isEncrypted = True
f5.controls.authenticatesSource = True
f5.data = [
    data["payslips"],
]
f6 = Dataflow(
    el["payroll-api"],
    el["job-queue"],
    "payroll-api -> job-queue",
)
f6.protocol = "redis"
f6.data = [
    data["payroll-jobs"],
]
f7 = Dataflow(
    el["payroll-worker"],
    el["job-queue"],
    "payroll-worker -> job-queue",
)
f7.protocol = "redis"
f7.data = [
    data["payroll-jobs"],
]
f8 = Dataflow(
    el["payroll-worker"],
    el["payroll-db"],
    "payroll-worker -> payroll-db",
)
f8.protocol = "postgres"
f8.data = [
    data["employee-records"],
]
f9 = Dataflow(
    el["payroll-worker"],
    el["payslip-bucket"],
    "payroll-worker -> payslip-bucket",
)
f9.protocol = "aws-api"
f9.controls.isEncrypted = True
f9.controls.authenticatesSource = True
f9.data = [
    data["payslips"],
]
f10 = Dataflow(
    el["payroll-worker"],
    el["tenant-webhook"],
    "payroll-worker -> tenant-webhook",
)
f10.protocol = "https"
f10.controls.isEncrypted = True
f10.data = [
    data["webhook-events"],
]
f11 = Dataflow(
    el["payroll-api"],
    el["app-secrets-store"],
    "payroll-api -> app-secrets-store",
)
f11.protocol = "aws-api"
f11.controls.isEncrypted = True
f11.controls.authenticatesSource = True
f11.data = [
    data["app-secrets"],
]
f12 = Dataflow(
    el["payroll-worker"],
    el["app-secrets-store"],
    "payroll-worker -> app-secrets-store",
)
f12.protocol = "aws-api"
f12.controls.isEncrypted = True
f12.controls.authenticatesSource = True
f12.data = [
    data["app-secrets"],
]
f13 = Dataflow(
    el["ci"],
    el["registry"],
    "ci -> registry",
)
f13.protocol = "aws-api"
f13.controls.isEncrypted = True
f13.controls.authenticatesSource = True
f13.data = [
    data["images"],
]
f14 = Dataflow(
    el["ci"],
    el["k8s-api"],
    "ci -> k8s-api",
)
f14.protocol = "https"
f14.controls.isEncrypted = True
f14.controls.authenticatesSource = True
f14.data = [
    data["images"],
]
f15 = Dataflow(
    el["k8s-api"],
    el["registry"],
    "k8s-api -> registry",
)
f15.protocol = "aws-api"
f15.controls.isEncrypted = True
f15.controls.authenticatesSource = True
f15.data = [
    data["images"],
]

if __name__ == "__main__":
    tm.process()
