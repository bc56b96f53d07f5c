"""OWASP pytm model of the bench/quality system "Business banking desktop client".

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

tm = TM("Business banking desktop client")
tm.isOrdered = False
zones = {}
zones["internet"] = Boundary("internet")
zones["workstation"] = Boundary("workstation")
zones["vendor-cloud"] = Boundary("vendor-cloud")
data = {}
data["refresh-token"] = Data(
    "refresh-token",
    classification=Classification.SECRET,
)
data["statements"] = Data(
    "statements",
    classification=Classification.SENSITIVE,
)
data["payment-batches"] = Data(
    "payment-batches",
    classification=Classification.SENSITIVE,
)
data["local-files"] = Data(
    "local-files",
    classification=Classification.SENSITIVE,
)
data["updates"] = Data(
    "updates",
    classification=Classification.RESTRICTED,
)
el = {}
el["finance-user"] = Actor("finance-user")
el["finance-user"].inBoundary = zones["workstation"]
el["desktop-app"] = ExternalEntity("desktop-app")
el["desktop-app"].inBoundary = zones["workstation"]
el["browser"] = ExternalEntity("browser")
el["browser"].inBoundary = zones["workstation"]
el["local-helper"] = Server("local-helper")
el["local-helper"].inBoundary = zones["workstation"]
el["smartcard"] = Server("smartcard")
el["smartcard"].inBoundary = zones["workstation"]
el["local-cache"] = Datastore("local-cache")
el["local-cache"].inBoundary = zones["workstation"]
el["local-cache"].isSQL = True
el["update-server"] = Server("update-server")
el["update-server"].inBoundary = zones["vendor-cloud"]
el["web-portal"] = Server("web-portal")
el["web-portal"].inBoundary = zones["vendor-cloud"]
el["cloud-api"] = Server("cloud-api")
el["cloud-api"].inBoundary = zones["vendor-cloud"]
el["cloud-api"].controls.implementsAuthenticationScheme = True
f0 = Dataflow(
    el["finance-user"],
    el["desktop-app"],
    "finance-user -> desktop-app",
)
f0.protocol = "in-process"
f0.data = [
    data["payment-batches"],
]
f1 = Dataflow(
    el["finance-user"],
    el["browser"],
    "finance-user -> browser",
)
f1.protocol = "in-process"
f1.data = [
    data["payment-batches"],
]
f2 = Dataflow(
    el["desktop-app"],
    el["local-cache"],
    "desktop-app -> local-cache",
)
f2.protocol = "file"
f2.data = [
    data["refresh-token"],
    data["statements"],
]
f3 = Dataflow(
    el["desktop-app"],
    el["cloud-api"],
    "desktop-app -> cloud-api",
)
f3.protocol = "https"
f3.controls.isEncrypted = True
f3.controls.authenticatesSource = True
f3.data = [
    data["refresh-token"],
    data["statements"],
    data["payment-batches"],
]
f4 = Dataflow(
    el["browser"],
    el["web-portal"],
    "browser -> web-portal",
)
f4.protocol = "https"
f4.controls.isEncrypted = True
f4.data = [
    data["payment-batches"],
    data["statements"],
    data["local-files"],
]
f5 = Dataflow(
    el["browser"],
    el["local-helper"],
    "browser -> local-helper",
)
f5.protocol = "http"
f5.dstPort = 17325
f5.data = [
    data["payment-batches"],
    data["local-files"],
]
f6 = Dataflow(
    el["local-helper"],
    el["smartcard"],
    "local-helper -> smartcard",
)
f6.protocol = "in-process"
f6.data = [
    data["payment-batches"],
]
f7 = Dataflow(
    el["local-helper"],
    el["update-server"],
    "local-helper -> update-server",
)
f7.protocol = "https"
f7.controls.isEncrypted = True
f7.data = [
    data["updates"],
]

if __name__ == "__main__":
    tm.process()
