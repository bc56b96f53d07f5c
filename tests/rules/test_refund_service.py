"""The refund service of issue 15, written with no weakness stated: what can go wrong is named,
at the right elements, as applicable threats with their questions."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from threatforge.assessment import Answer
from threatforge.model import load
from threatforge.rules import analyze

MODEL = Path(__file__).resolve().parents[2] / "examples" / "refund-service" / "threatmodel.yaml"
TODAY = date(2026, 1, 1)


def test_no_weakness_is_stated_so_nothing_is_a_finding() -> None:
    assessment = analyze(load(MODEL), today=TODAY)
    assert assessment.findings == ()
    assert assessment.rule_errors == ()


def test_the_threats_a_practitioner_lists_are_named_at_their_elements() -> None:
    assessment = analyze(load(MODEL), today=TODAY)
    named = {t.fingerprint: t.title for t in assessment.applicable_threats}
    assert named == {
        # domains, DNS and certificates; third-party consoles; rate limits (the families added
        # at the end of item 2's list)
        "dns-dangling-record@api-gateway":
            "A dangling DNS record of api-gateway may let someone else serve its hostname",
        "domain-registrar-account-takeover@api-gateway":
            "A takeover of the registrar or DNS account may redirect api-gateway and every "
            "other name of the domain",
        "missing-rate-limit@api-gateway":
            "One client may flood api-gateway (denial of service, brute force, scraping, "
            "cost)",
        "missing-rate-limit@refund-api":
            "One client may flood Refund API (denial of service, brute force, scraping, cost)",
        "missing-rate-limit@webhook-handler":
            "One client may flood webhook-handler (denial of service, brute force, scraping, "
            "cost)",
        "third-party-console-without-mfa@psp":
            "A stolen password for Payment service provider's console may expose the data it "
            "holds and let someone create keys or change its settings",
        "tls-certificate-expiry@api-gateway":
            "An expired certificate may take api-gateway down or teach users to click through"
            " warnings",
        # the implied surfaces no other rule asks about (#15.3): the gateway's certificate,
        # the PSP's merchant dashboard, the support agent's laptop and sign-in
        "certificate-misissuance@api-gateway":
            "A certificate mis-issued for api-gateway's name may let someone impersonate it",
        "psp-payout-details-change@psp":
            "Someone signed in to Payment service provider's merchant dashboard may redirect "
            "payouts to their own bank account",
        "staff-account-phishing@support-agent":
            "Staff account phishing: whoever phishes support-agent may act with their access",
        "staff-laptop-malware@support-agent":
            "Malware on a staff laptop of support-agent may reach whatever they reach",
        # refund-amount tampering
        "pay-amount-tampering@refund-api":
            "Amount tampering through Refund API: a client may set the refund, payment or "
            "payout amount",
        # duplicate refunds by replay or queue redelivery
        "pay-missing-idempotency@refund-api":
            "Duplicate payments or refunds through Refund API by replay, retry or queue "
            "redelivery",
        "pay-missing-idempotency@refund-worker":
            "Duplicate payments or refunds through refund-worker by replay, retry or queue "
            "redelivery",
        "pay-missing-idempotency@webhook-handler":
            "Duplicate payments or refunds through webhook-handler by replay, retry or queue "
            "redelivery",
        # queue message spoofing
        "svc-consumer-trusts-messages@refund-queue->refund-worker":
            "Queue message spoofing or tampering: the consumer on refund-queue->refund-worker "
            "may act on messages anyone able to write to the queue sends",
        # webhook forgery
        "pay-psp-webhook-not-verified@webhook-handler":
            "Webhook forgery: anyone who finds webhook-handler may send it forged payment "
            "notifications",
        # support-staff abuse
        "insider-staff-abuse@back-office":
            "Support-staff abuse: an insider or a stolen staff account may misuse Support back "
            "office (refunds, customer data)",
        "pay-refund-without-dual-approval@refund-api":
            "One person (an insider or a stolen account) may issue refunds through Refund API "
            "alone",
        # two concurrent refunds of one payment may both pass the "refunded <= captured" check
        # on the ledger (added with the fraud rules: the worker moves money on customers'
        # requests and handles the ledger's balance)
        "fraud-balance-race-condition@refund-worker":
            "Double spend through refund-worker: concurrent requests may both pass the balance "
            "or limit check",
        # the worker sends the refund instructions to the PSP: who asked for which refund must
        # be provable in a dispute (pay-transaction-non-repudiation now asks where it applies)
        "pay-transaction-non-repudiation@refund-worker":
            "Repudiation of payments through refund-worker: a disputed payment or refund may not "
            "be provable (who, what, how much)",
        # the PSP key's scope
        "third-party-api-key-scope@refund-worker->psp":
            "Third-party account key scope on refund-worker->psp: a stolen key may allow "
            "refunds, payouts and account changes",
        # BOLA on refund ids
        "api-bola-coarse-authz@refund-api":
            "BOLA: a caller of Refund API may read or change another user's objects by "
            "changing an id",
        # malicious evidence files (customers and staff upload them to S3)
        "unrestricted-file-upload@refund-api":
            "Malicious file upload through Refund API: files a person sends are stored and "
            "opened later",
        "unrestricted-file-upload@back-office":
            "Malicious file upload through Support back office: files a person sends are "
            "stored and opened later",
        # the back office is private, but the corporate network reaches it (issue 15 item 4)
        "unauthenticated-from-another-zone@back-office":
            "Reachable beyond the internet: anything in the zone of Support back office's users "
            "(a compromised laptop, a web page, a neighbour) may call it unauthenticated",
        # SQL injection into the ledger
        "injection-sql@refund-worker->ledger-db":
            "SQL injection on refund-worker->ledger-db: input from a less trusted zone may "
            "reach the SQL text",
        "injection-sql@webhook-handler->ledger-db":
            "SQL injection on webhook-handler->ledger-db: input from a less trusted zone may "
            "reach the SQL text",
        # API and service-to-service families: mass assignment and excessive data exposure on
        # the public API, who may publish to the refund queue, the gateway's call into the app
        # zone, the role of the Lambda that writes the ledger
        "api-mass-assignment@refund-api":
            "Mass assignment: a caller of Refund API may set fields they must not control "
            "(owner, status, price, role) by adding them to a request",
        "api-excessive-data-exposure@refund-api":
            "Excessive data exposure: Refund API may return more of its objects' sensitive "
            "fields than the caller may see",
        "svc-queue-publish-unrestricted@refund-queue":
            "Message spoofing: anyone who can reach refund-queue may publish messages its "
            "consumers act on",
        "svc-cross-zone-call-unauthenticated@api-gateway->refund-api":
            "Service spoofing on api-gateway->refund-api: anything that can connect from the "
            "caller's side may call the target as if it were the legitimate service",
        "aws-iam-privilege-escalation@webhook-handler":
            "Privilege escalation: code running as webhook-handler's role may grant itself "
            "more AWS permissions, up to the whole account",
        # the support staff's actions without an audit trail (repudiation)
        "missing-audit-logging@back-office":
            "Actions done through Support back office may not be attributable (repudiation: "
            "no audit trail of who did what)",
        # the ledger, a store of record, lost without protected backups
        "data-store-of-record-unrecoverable@ledger-db":
            "Financial records in ledger-db may be lost or corrupted beyond recovery (no "
            "protected backups)",
    }


def test_each_threat_says_why_and_asks_its_question() -> None:
    assessment = analyze(load(MODEL), today=TODAY)
    bola = assessment.threat("api-bola-coarse-authz@refund-api")
    assert bola is not None
    assert bola.why == (
        "object ids in routes GET /refunds/{refund_id}, POST /refunds/{refund_id}/evidence",
        "reachable from entry point 'api-gateway' in 1 hop",
    )
    out, yes = Answer.RULES_OUT, Answer.CONFIRMS
    assert [(f.element, f.path, f.answers) for f in bola.question.facts] == [
        ("refund-api", "authz", (
            ("object-level", out), ("abac", out), ("policy", out), ("rbac", yes), ("scopes", yes),
        )),
    ]
    queue = assessment.threat("svc-consumer-trusts-messages@refund-queue->refund-worker")
    assert queue is not None
    assert [(f.element, f.path) for f in queue.question.facts] == [
        ("refund-queue->refund-worker", "signed"),
        ("refund-worker", "input_validation"),
    ]
