"""The AI and LLM rules on a realistic assistant: which elements each threat lands on, and why."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from threatforge.model import load, load_text
from threatforge.rules import analyze, builtin_rules

FIXTURE = Path(__file__).parents[1] / "fixtures" / "llm-tool-call-abuse" / "applicable.yaml"
TODAY = date(2026, 1, 1)
AI = [r for r in builtin_rules() if r.meta.domain == "ai"]


def test_every_ai_threat_lands_on_the_element_it_is_about() -> None:
    assessment = analyze(load(FIXTURE), AI, today=TODAY)
    assert assessment.findings == ()
    assert sorted(t.fingerprint for t in assessment.applicable_threats) == [
        "llm-context-leakage@chat-svc",
        "llm-denial-of-wallet@chat-svc",
        "llm-indirect-prompt-injection@chat-svc",
        "llm-output-rendered-unsafely@chat-svc",
        "llm-provider-retains-prompts@model-api",
        "llm-retrieval-poisoning@kb-index",
        "llm-tool-actions-not-attributable@chat-svc",
        "llm-tool-call-abuse@chat-svc",
    ]
    why = {t.fingerprint: t.why for t in assessment.applicable_threats}
    assert why["llm-tool-call-abuse@chat-svc"] == (
        "sends prompts to 'model-api' (tech: openai)", "calls tools: 'credits-svc'"
    )
    assert why["llm-retrieval-poisoning@kb-index"] == (
        "read into prompts by 'chat-svc'", "written by 'ingest-fn'"
    )
    assert why["llm-provider-retains-prompts@model-api"] == (
        "tech: openai", "run by a third party", "receives 'chat'"
    )
    assert why["llm-tool-actions-not-attributable@chat-svc"] == (
        "sends prompts to 'model-api' (tech: openai)", "calls tools: 'credits-svc'"
    )
    assert why["llm-denial-of-wallet@chat-svc"] == (
        "sends prompts to 'model-api' (tech: openai)", "exposure: public"
    )


def test_a_model_named_in_words_is_a_language_model() -> None:
    text = FIXTURE.read_text(encoding="utf-8").replace(
        "model-api: {kind: external-service, tech: openai, zone: vendor}",
        "model-api: {kind: external-service, name: Hosted LLM API, zone: vendor}",
    )
    assessment = analyze(load_text(text), AI, today=TODAY)
    threat = next(t for t in assessment.applicable_threats if t.rule == "llm-tool-call-abuse")
    assert threat.why[0] == (
        "sends prompts to 'model-api' ('Hosted LLM API' (its name) names a language model)"
    )



TRAINING = Path(__file__).parents[1] / "fixtures" / "ml-model-theft" / "applicable.yaml"


def test_a_process_whose_description_says_it_trains_a_model_is_asked_about_its_model() -> None:
    assessment = analyze(load(TRAINING), AI, today=TODAY)
    why = {t.fingerprint: t.why for t in assessment.applicable_threats}
    assert sorted(why) == ["ml-model-theft@trainer", "ml-training-data-poisoning@trainer"]
    assert why["ml-training-data-poisoning@trainer"] == (
        "trains a model ('Trains the credit-risk model.', its description)",
        "trains on data from 'lake'",
    )
    assert why["ml-model-theft@trainer"] == (
        "trains a model ('Trains the credit-risk model.', its description)",
        "handles 'records'",
    )


def test_a_word_that_only_contains_train_does_not_make_a_trainer() -> None:
    text = TRAINING.read_text(encoding="utf-8").replace(
        "description: Trains the credit-risk model.", "description: Restrains noisy jobs."
    )
    assessment = analyze(load_text(text), AI, today=TODAY)
    assert [t.fingerprint for t in assessment.applicable_threats] == []
