"""OWASP pytm model of the bench/quality system "Fashion web shop".

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

tm = TM("Fashion web shop")
tm.isOrdered = False
zones = {}
zones["internet"] = Boundary("internet")
zones["psp-cloud"] = Boundary("psp-cloud")
zones["warehouse"] = Boundary("warehouse")
zones["aws-account"] = Boundary("aws-account")
zones["shop-vpc"] = Boundary("shop-vpc")
zones["shop-vpc"].inBoundary = zones["aws-account"]
data = {}
data["customer-account"] = Data(
    "customer-account",
    classification=Classification.SENSITIVE,
)
data["session-cookie"] = Data(
    "session-cookie",
    classification=Classification.SENSITIVE,
)
data["orders"] = Data(
    "orders",
    classification=Classification.SENSITIVE,
)
data["reviews"] = Data(
    "reviews",
    classification=Classification.PUBLIC,
)
data["catalogue"] = Data(
    "catalogue",
    classification=Classification.PUBLIC,
)
data["product-images"] = Data(
    "product-images",
    classification=Classification.PUBLIC,
)
data["psp-secret-key"] = Data(
    "psp-secret-key",
    classification=Classification.SECRET,
)
data["payment-events"] = Data(
    "payment-events",
    classification=Classification.SENSITIVE,
)
data["warehouse-api-key"] = Data(
    "warehouse-api-key",
    classification=Classification.SECRET,
)
data["staff-credentials"] = Data(
    "staff-credentials",
    classification=Classification.SECRET,
)
el = {}
el["shopper"] = Actor("shopper")
el["shopper"].inBoundary = zones["internet"]
el["staff"] = Actor("staff")
el["staff"].inBoundary = zones["internet"]
el["storefront-spa"] = Server("storefront-spa")
el["storefront-spa"].inBoundary = zones["aws-account"]
el["storefront-api"] = Server("storefront-api")
el["storefront-api"].inBoundary = zones["shop-vpc"]
el["storefront-api"].controls.implementsAuthenticationScheme = True
el["shop-db"] = Datastore("shop-db")
el["shop-db"].inBoundary = zones["shop-vpc"]
el["shop-db"].controls.isEncryptedAtRest = True
el["shop-db"].isSQL = True
el["psp-secrets"] = Datastore("psp-secrets")
el["psp-secrets"].inBoundary = zones["aws-account"]
el["psp-secrets"].controls.isEncryptedAtRest = True
el["psp-secrets"].isSQL = False
el["psp"] = ExternalEntity("psp")
el["psp"].inBoundary = zones["psp-cloud"]
el["order-queue"] = Datastore("order-queue")
el["order-queue"].inBoundary = zones["aws-account"]
el["order-queue"].controls.isEncryptedAtRest = True
el["order-queue"].isSQL = False
el["order-worker"] = Lambda("order-worker")
el["order-worker"].inBoundary = zones["shop-vpc"]
el["warehouse-api"] = ExternalEntity("warehouse-api")
el["warehouse-api"].inBoundary = zones["warehouse"]
el["back-office"] = Server("back-office")
el["back-office"].inBoundary = zones["shop-vpc"]
el["back-office"].controls.implementsAuthenticationScheme = True
el["media-bucket"] = Datastore("media-bucket")
el["media-bucket"].inBoundary = zones["aws-account"]
el["media-bucket"].controls.isEncryptedAtRest = True
el["media-bucket"].isSQL = False
f0 = Dataflow(
    el["shopper"],
    el["storefront-spa"],
    "shopper -> storefront-spa",
)
f0.protocol = "https"
f0.controls.isEncrypted = True
f0.data = [
    data["catalogue"],
    data["reviews"],
    data["orders"],
    data["customer-account"],
    data["session-cookie"],
]
f1 = Dataflow(
    el["storefront-spa"],
    el["storefront-api"],
    "storefront-spa -> storefront-api",
)
f1.protocol = "https"
f1.controls.isEncrypted = True
f1.data = [
    data["catalogue"],
    data["reviews"],
    data["orders"],
    data["customer-account"],
    data["session-cookie"],
]
f2 = Dataflow(
    el["storefront-api"],
    el["shop-db"],
    "storefront-api -> shop-db",
)
f2.protocol = "postgres"
f2.data = [
    data["customer-account"],
    data["orders"],
    data["reviews"],
    data["catalogue"],
]
f3 = Dataflow(
    el["storefront-api"],
    el["psp-secrets"],
    "storefront-api -> psp-secrets",
)
f3.protocol = "aws-api"
f3.controls.isEncrypted = True
f3.controls.authenticatesSource = True
f3.data = [
    data["psp-secret-key"],
]
f4 = Dataflow(
    el["storefront-api"],
    el["psp"],
    "storefront-api -> psp",
)
f4.protocol = "https"
f4.controls.isEncrypted = True
f4.controls.authenticatesSource = True
f4.data = [
    data["orders"],
    data["psp-secret-key"],
]
f5 = Dataflow(
    el["shopper"],
    el["psp"],
    "shopper -> psp",
)
f5.protocol = "https"
f5.controls.isEncrypted = True
f5.data = [
    data["orders"],
]
f6 = Dataflow(
    el["psp"],
    el["storefront-api"],
    "psp -> storefront-api",
)
f6.protocol = "https"
f6.controls.isEncrypted = True
f6.data = [
    data["payment-events"],
]
f7 = Dataflow(
    el["storefront-api"],
    el["order-queue"],
    "storefront-api -> order-queue",
)
f7.protocol = "aws-api"
f7.controls.isEncrypted = True
f7.controls.authenticatesSource = True
f7.data = [
    data["orders"],
]
f8 = Dataflow(
    el["order-queue"],
    el["order-worker"],
    "order-queue -> order-worker",
)
f8.protocol = "aws-invoke"
f8.controls.isEncrypted = True
f8.data = [
    data["orders"],
]
f9 = Dataflow(
    el["order-worker"],
    el["psp-secrets"],
    "order-worker -> psp-secrets",
)
f9.protocol = "aws-api"
f9.controls.isEncrypted = True
f9.controls.authenticatesSource = True
f9.data = [
    data["warehouse-api-key"],
]
f10 = Dataflow(
    el["order-worker"],
    el["warehouse-api"],
    "order-worker -> warehouse-api",
)
f10.protocol = "https"
f10.controls.isEncrypted = True
f10.controls.authenticatesSource = True
f10.data = [
    data["orders"],
    data["warehouse-api-key"],
]
f11 = Dataflow(
    el["staff"],
    el["back-office"],
    "staff -> back-office",
)
f11.protocol = "https"
f11.controls.isEncrypted = True
f11.controls.authenticatesSource = True
f11.data = [
    data["staff-credentials"],
    data["catalogue"],
    data["orders"],
    data["product-images"],
]
f12 = Dataflow(
    el["back-office"],
    el["shop-db"],
    "back-office -> shop-db",
)
f12.protocol = "postgres"
f12.data = [
    data["catalogue"],
    data["orders"],
]
f13 = Dataflow(
    el["back-office"],
    el["media-bucket"],
    "back-office -> media-bucket",
)
f13.protocol = "aws-api"
f13.controls.isEncrypted = True
f13.controls.authenticatesSource = True
f13.data = [
    data["product-images"],
]
f14 = Dataflow(
    el["back-office"],
    el["psp-secrets"],
    "back-office -> psp-secrets",
)
f14.protocol = "aws-api"
f14.controls.isEncrypted = True
f14.controls.authenticatesSource = True
f14.data = [
    data["psp-secret-key"],
]
f15 = Dataflow(
    el["back-office"],
    el["psp"],
    "back-office -> psp",
)
f15.protocol = "https"
f15.controls.isEncrypted = True
f15.controls.authenticatesSource = True
f15.data = [
    data["orders"],
    data["psp-secret-key"],
]
f16 = Dataflow(
    el["storefront-spa"],
    el["media-bucket"],
    "storefront-spa -> media-bucket",
)
f16.protocol = "https"
f16.controls.isEncrypted = True
f16.data = [
    data["product-images"],
]

if __name__ == "__main__":
    tm.process()
