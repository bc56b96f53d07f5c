"""Shared models for the exporter tests: a generated estate large enough for the fast paths."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench_models import generated_model as generate_model


@pytest.fixture(scope="session")
def estate(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 400-component generated model (hundreds of findings, 1,200 flows)."""
    return generate_model(tmp_path_factory.mktemp("estate") / "threatmodel.yaml", 400)


@pytest.fixture(scope="session")
def card_checkout() -> tuple[object, object]:
    """The card-checkout example, analysed as of a fixed date: (assessment, model)."""
    from datetime import date

    import threatforge

    example = Path(__file__).resolve().parents[2] / "examples" / "card-checkout"
    model = threatforge.load(example / "threatmodel.yaml")
    return threatforge.analyze(model, today=date(2026, 12, 1)), model
