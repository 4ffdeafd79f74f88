import json

import pytest

from trading import llm
from trading.market_data import synthetic_candles
from trading.models import LLMAnswer
from trading.services import llm_signal_cached

pytestmark = pytest.mark.django_db
CANDLES = synthetic_candles(bars=400, seed=4)
SNAPSHOT = llm.market_snapshot(CANDLES, 300, symbol="BTC/USDT", timeframe="1h")


def test_the_snapshot_holds_recent_candles_and_indicators_and_nothing_later():
    assert SNAPSHOT["time"] == int(CANDLES.timestamp[300])
    assert len(SNAPSHOT["recent_candles"]) == 12
    assert SNAPSHOT["recent_candles"][-1][0] == int(CANDLES.timestamp[300])
    assert set(SNAPSHOT["indicators"]) >= {"sma_20", "sma_50", "rsi_14"}


@pytest.mark.parametrize("provider", ["openai", "anthropic", "ollama"])
def test_each_provider_through_its_official_sdk(fake, provider):
    signal, source = llm_signal_cached(provider=provider, model="test-model", snapshot=SNAPSHOT)
    assert source == provider
    assert (signal.signal, signal.confidence, signal.abstained) == ("bullish", 0.8, False)
    request = fake.requests[-1]
    assert request["body"]["model"] == "test-model"
    assert "Market snapshot" in json.dumps(request["body"]) and "rsi_14" in json.dumps(request["body"])
    if provider == "openai":
        assert request["headers"]["authorization"] == "Bearer sk-test"
    if provider == "anthropic":
        headers = request["headers"]
        assert "sk-ant-test" in (headers.get("x-api-key", "") + headers.get("authorization", ""))


@pytest.mark.parametrize("behaviour", ["prose", "fenced", "bad_signal", "confidence_out", "confidence_nan", "list"])
@pytest.mark.parametrize("provider", ["openai", "anthropic", "ollama"])
def test_malformed_answers_abstain_and_are_logged(fake, provider, behaviour, caplog):
    fake.behaviour = behaviour
    signal, _ = llm_signal_cached(provider=provider, model="m", snapshot=SNAPSHOT)
    assert signal.abstained and signal.signal == "neutral" and signal.score == 0
    assert "LLM answer rejected" in caplog.text


@pytest.mark.parametrize("behaviour", ["slow", "error500"])
@pytest.mark.parametrize("provider", ["openai", "anthropic", "ollama"])
def test_timeouts_and_server_errors_abstain_and_are_not_cached(fake, provider, behaviour, caplog):
    fake.behaviour = behaviour
    signal, _ = llm_signal_cached(provider=provider, model="m", snapshot=SNAPSHOT)
    assert signal.abstained and "LLM provider failed" in caplog.text
    assert not LLMAnswer.objects.exists()


def test_answers_are_cached_by_prompt_and_model_so_reruns_repeat(fake):
    first, _ = llm_signal_cached(provider="openai", model="m", snapshot=SNAPSHOT)
    fake.behaviour = "confidence_out"  # the provider would now answer differently
    again, _ = llm_signal_cached(provider="openai", model="m", snapshot=SNAPSHOT)
    assert (again.signal, again.confidence, again.cached) == (first.signal, first.confidence, True)
    assert len(fake.requests) == 1
    other, _ = llm_signal_cached(provider="openai", model="another-model", snapshot=SNAPSHOT)
    assert other.abstained and len(fake.requests) == 2


def test_without_configuration_the_rules_provider_serves(monkeypatch):
    for name in ("OPENAI_API_KEY", "ANTHROPIC_API_KEY", "OLLAMA_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    signal, source = llm_signal_cached(provider="openai", model="gpt", snapshot=SNAPSHOT)
    assert source == "rules"
    assert signal == llm.rules_signal(SNAPSHOT)  # deterministic
    assert signal.signal in ("bullish", "bearish", "neutral") and 0 <= signal.confidence <= 1


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ('{"signal": "bearish", "confidence": 0.25, "reasoning": "Falling."}', True),
        ('{"signal": "neutral", "confidence": 0, "reasoning": ""}', True),
        ('{"signal": "bearish", "confidence": true, "reasoning": "x"}', False),
        ('{"signal": "bearish", "confidence": "0.5", "reasoning": "x"}', False),
        ('{"signal": "bearish", "confidence": -0.1, "reasoning": "x"}', False),
        ('{"signal": "bearish", "confidence": 0.5, "reasoning": 5}', False),
        ("", False),
    ],
)
def test_parse_answer(text, ok):
    assert llm.parse_answer(text).abstained is (not ok)
