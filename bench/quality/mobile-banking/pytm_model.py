"""OWASP pytm model of the bench/quality system "Neobank mobile banking".

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

tm = TM("Neobank mobile banking")
tm.isOrdered = False
zones = {}
zones["internet"] = Boundary("internet")
zones["third-parties"] = Boundary("third-parties")
zones["corporate"] = Boundary("corporate")
zones["on-prem"] = Boundary("on-prem")
zones["aws-account"] = Boundary("aws-account")
zones["bank-vpc"] = Boundary("bank-vpc")
zones["eks-cluster"] = Boundary("eks-cluster")
zones["bank-vpc"].inBoundary = zones["aws-account"]
zones["eks-cluster"].inBoundary = zones["bank-vpc"]
data = {}
data["customer-credentials"] = Data(
    "customer-credentials",
    classification=Classification.SECRET,
)
data["tokens"] = Data(
    "tokens",
    classification=Classification.SECRET,
)
data["customer-profile"] = Data(
    "customer-profile",
    classification=Classification.SENSITIVE,
)
data["transactions"] = Data(
    "transactions",
    classification=Classification.SENSITIVE,
)
data["transfers"] = Data(
    "transfers",
    classification=Classification.SENSITIVE,
)
data["notifications"] = Data(
    "notifications",
    classification=Classification.SENSITIVE,
)
data["staff-credentials"] = Data(
    "staff-credentials",
    classification=Classification.SECRET,
)
el = {}
el["customer"] = Actor("customer")
el["customer"].inBoundary = zones["internet"]
el["mobile-app"] = ExternalEntity("mobile-app")
el["mobile-app"].inBoundary = zones["internet"]
el["api-gateway"] = Server("api-gateway")
el["api-gateway"].inBoundary = zones["aws-account"]
el["api-gateway"].controls.implementsAuthenticationScheme = True
el["auth-server"] = Server("auth-server")
el["auth-server"].inBoundary = zones["eks-cluster"]
el["auth-server"].controls.implementsAuthenticationScheme = True
el["auth-server"].controls.usesMFA = True
el["sms-provider"] = ExternalEntity("sms-provider")
el["sms-provider"].inBoundary = zones["third-parties"]
el["banking-api"] = Server("banking-api")
el["banking-api"].inBoundary = zones["eks-cluster"]
el["banking-api"].controls.implementsAuthenticationScheme = True
el["customer-db"] = Datastore("customer-db")
el["customer-db"].inBoundary = zones["bank-vpc"]
el["customer-db"].controls.isEncryptedAtRest = True
el["customer-db"].isSQL = True
el["tx-cache"] = Datastore("tx-cache")
el["tx-cache"].inBoundary = zones["bank-vpc"]
el["tx-cache"].controls.isEncryptedAtRest = True
el["tx-cache"].isSQL = False
el["payments-service"] = Server("payments-service")
el["payments-service"].inBoundary = zones["eks-cluster"]
el["fraud-service"] = Server("fraud-service")
el["fraud-service"].inBoundary = zones["eks-cluster"]
el["core-banking"] = Server("core-banking")
el["core-banking"].inBoundary = zones["on-prem"]
el["payment-scheme"] = ExternalEntity("payment-scheme")
el["payment-scheme"].inBoundary = zones["third-parties"]
el["push-provider"] = ExternalEntity("push-provider")
el["push-provider"].inBoundary = zones["third-parties"]
el["support-agent"] = Actor("support-agent")
el["support-agent"].inBoundary = zones["corporate"]
el["corporate-sso"] = ExternalEntity("corporate-sso")
el["corporate-sso"].inBoundary = zones["third-parties"]
el["support-console"] = Server("support-console")
el["support-console"].inBoundary = zones["bank-vpc"]
el["support-console"].controls.implementsAuthenticationScheme = True
f0 = Dataflow(
    el["customer"],
    el["mobile-app"],
    "customer -> mobile-app",
)
f0.protocol = "in-process"
f0.data = [
    data["customer-credentials"],
    data["transfers"],
]
f1 = Dataflow(
    el["mobile-app"],
    el["auth-server"],
    "mobile-app -> auth-server",
)
f1.protocol = "https"
f1.controls.isEncrypted = True
f1.controls.authenticatesSource = True
f1.data = [
    data["customer-credentials"],
    data["tokens"],
]
f2 = Dataflow(
    el["auth-server"],
    el["sms-provider"],
    "auth-server -> sms-provider",
)
f2.protocol = "https"
f2.controls.isEncrypted = True
f2.data = [
    data["customer-credentials"],
    data["customer-profile"],
]
f3 = Dataflow(
    el["mobile-app"],
    el["api-gateway"],
    "mobile-app -> api-gateway",
)
f3.protocol = "https"
f3.controls.isEncrypted = True
f3.controls.authenticatesSource = True
f3.data = [
    data["tokens"],
    data["customer-profile"],
    data["transactions"],
    data["transfers"],
]
f4 = Dataflow(
    el["api-gateway"],
    el["banking-api"],
    "api-gateway -> banking-api",
)
f4.protocol = "https"
f4.controls.isEncrypted = True
f4.controls.authenticatesSource = True
f4.data = [
    data["tokens"],
    data["customer-profile"],
    data["transactions"],
    data["transfers"],
]
f5 = Dataflow(
    el["banking-api"],
    el["customer-db"],
    "banking-api -> customer-db",
)
f5.protocol = "postgres"
f5.data = [
    data["customer-profile"],
]
f6 = Dataflow(
    el["banking-api"],
    el["tx-cache"],
    "banking-api -> tx-cache",
)
f6.protocol = "redis"
f6.data = [
    data["transactions"],
]
f7 = Dataflow(
    el["banking-api"],
    el["core-banking"],
    "banking-api -> core-banking",
)
f7.protocol = "https"
f7.controls.isEncrypted = True
f7.data = [
    data["transactions"],
    data["customer-profile"],
]
f8 = Dataflow(
    el["banking-api"],
    el["payments-service"],
    "banking-api -> payments-service",
)
f8.protocol = "https"
f8.controls.isEncrypted = True
f8.data = [
    data["transfers"],
]
f9 = Dataflow(
    el["payments-service"],
    el["fraud-service"],
    "payments-service -> fraud-service",
)
f9.protocol = "https"
f9.controls.isEncrypted = True
f9.data = [
    data["transfers"],
]
f10 = Dataflow(
    el["payments-service"],
    el["core-banking"],
    "payments-service -> core-banking",
)
f10.protocol = "https"
f10.controls.isEncrypted = True
f10.data = [
    data["transfers"],
    data["transactions"],
]
f11 = Dataflow(
    el["payments-service"],
    el["payment-scheme"],
    "payments-service -> payment-scheme",
)
f11.protocol = "https"
f11.controls.isEncrypted = True
f11.data = [
    data["transfers"],
]
f12 = Dataflow(
    el["banking-api"],
    el["push-provider"],
    "banking-api -> push-provider",
)
f12.protocol = "https"
f12.controls.isEncrypted = True
f12.data = [
    data["notifications"],
]
f13 = Dataflow(
    el["push-provider"],
    el["mobile-app"],
    "push-provider -> mobile-app",
)
f13.protocol = "https"
f13.controls.isEncrypted = True
f13.data = [
    data["notifications"],
]
f14 = Dataflow(
    el["support-agent"],
    el["corporate-sso"],
    "support-agent -> corporate-sso",
)
f14.protocol = "https"
f14.controls.isEncrypted = True
f14.data = [
    data["staff-credentials"],
]
f15 = Dataflow(
    el["support-agent"],
    el["support-console"],
    "support-agent -> support-console",
)
f15.protocol = "https"
f15.controls.isEncrypted = True
f15.controls.authenticatesSource = True
f15.data = [
    data["customer-profile"],
    data["transactions"],
]
f16 = Dataflow(
    el["support-console"],
    el["customer-db"],
    "support-console -> customer-db",
)
f16.protocol = "postgres"
f16.data = [
    data["customer-profile"],
]
f17 = Dataflow(
    el["support-console"],
    el["core-banking"],
    "support-console -> core-banking",
)
f17.protocol = "https"
f17.controls.isEncrypted = True
f17.data = [
    data["customer-profile"],
    data["transactions"],
]

if __name__ == "__main__":
    tm.process()
