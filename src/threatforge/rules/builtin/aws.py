"""AWS rules: S3, IAM, KMS, RDS/DynamoDB/OpenSearch, networking, Lambda, API Gateway, CloudFront, logging, EKS."""

from __future__ import annotations

from threatforge.rules.interface import Rule

RULES: tuple[Rule, ...] = ()
