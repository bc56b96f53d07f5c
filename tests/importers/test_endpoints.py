"""What a setting points at: URLs and ``*_HOST`` variables as the facts of a flow, the password
never kept."""

from __future__ import annotations

import pytest

from threatforge.importers.endpoints import Endpoint, endpoint


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        (
            "DATABASE_URL",
            "postgres://app:pw@DB:5433/app?sslmode=require",
            Endpoint("db", "postgres", 5433, True, "password"),
        ),
        (
            "DATABASE_URL",
            "postgresql://db/app?sslmode=disable",
            Endpoint("db", "postgres", None, False, None),
        ),
        ("JDBC_URL", "jdbc:mysql://db:3306/app?ssl=true", Endpoint("db", "mysql", 3306, True)),
        ("BROKER", "amqps://mq", Endpoint("mq", "amqps")),
        ("PAYMENTS", "https://api.example.com/v1", Endpoint("api.example.com", "https")),
        ("ODD", "weird+scheme://host", Endpoint("host", None)),
        ("REDIS_HOST", "Cache:6380", Endpoint("cache", port=6380, url=False)),
        ("REDIS_HOST", "cache:99999", Endpoint("cache", url=False)),
        ("REDIS_HOSTS", "cache", None),
        ("LOG_LEVEL", "debug", None),
        ("DB_HOST", 5, None),
    ],
)
def test_endpoints_of_settings(name: str, value: object, expected: Endpoint | None) -> None:
    assert endpoint(name, value) == expected


def test_which_hosts_are_outside_the_deployment() -> None:
    assert [
        e.external
        for e in (
            Endpoint("api.example.com"),
            Endpoint("db"),
            Endpoint("127.0.0.1"),
            Endpoint("${API_HOST}.example.com"),
        )
    ] == [True, False, False, False]
    assert "pw" not in repr(endpoint("URL", "postgres://app:pw@db/app"))
