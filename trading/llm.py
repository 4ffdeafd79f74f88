"""LLM signal providers: OpenAI, Anthropic and Ollama through their official SDKs, and a
deterministic rules provider when no LLM is configured.

Keys and base URLs come from the environment at call time and are never stored:
OPENAI_API_KEY / OPENAI_BASE_URL, ANTHROPIC_API_KEY / ANTHROPIC_BASE_URL, OLLAMA_BASE_URL.
The answer must be a JSON object {"signal": "bullish"|"bearish"|"neutral", "confidence": 0..1,
"reasoning": "..."}; anything else abstains (neutral, confidence 0) and is logged.

Pure: no database. `trading.services.llm_signal_cached` caches the answers by `cache_key`, so reruns
are reproducible.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import os
from dataclasses import dataclass

import numpy as np

from trading.engine import Candles, rsi, sma

logger = logging.getLogger(__name__)
SIGNALS = ("bullish", "bearish", "neutral")
SYSTEM_PROMPT = (
    "You are a cautious crypto market analyst helping a student's paper-trading bot. You receive a market "
    "snapshot as JSON. Reply with ONLY a JSON object, no prose and no code fences: "
    '{"signal": "bullish" | "bearish" | "neutral", "confidence": a number from 0 to 1, '
    '"reasoning": one or two sentences}. When unsure, answer neutral with low confidence.'
)


@dataclass(frozen=True)
class LLMSignal:
    signal: str
    confidence: float
    reasoning: str
    abstained: bool = False
    problem: str = ""
    cached: bool = False

    @property
    def score(self) -> float:
        """-1..1: direction times confidence (neutral and abstentions are 0)."""
        return {"bullish": 1.0, "bearish": -1.0, "neutral": 0.0}[self.signal] * self.confidence


def abstain(problem: str) -> LLMSignal:
    return LLMSignal("neutral", 0.0, "", abstained=True, problem=problem)


def market_snapshot(candles: Candles, end: int, *, symbol: str, timeframe: str, recent: int = 12) -> dict:
    """What the model sees at bar `end` (inclusive): recent candles and indicators, nothing later."""
    window = slice(max(0, end - 199), end + 1)
    close = candles.close[window]
    sma20, sma50, rsi14 = sma(close, 20)[-1], sma(close, 50)[-1], rsi(close, 14)[-1]
    returns = np.diff(np.log(close[-25:])) if len(close) > 2 else np.array([0.0])

    def clean(value: float) -> float | None:
        return None if not np.isfinite(value) else round(float(value), 4)

    start = max(0, end - recent + 1)
    ohlc = (candles.open, candles.high, candles.low, candles.close)
    return {
        "symbol": symbol,
        "timeframe": timeframe,
        "time": int(candles.timestamp[end]),
        "recent_candles": [
            [int(candles.timestamp[i]), *(round(float(column[i]), 4) for column in ohlc)] for i in range(start, end + 1)
        ],
        "indicators": {
            "sma_20": clean(sma20),
            "sma_50": clean(sma50),
            "rsi_14": clean(rsi14),
            "volatility_24_bars_pct": clean(returns.std() * 100) if len(returns) > 1 else None,
            "change_24_bars_pct": clean((close[-1] / close[max(0, len(close) - 25)] - 1) * 100),
        },
    }


def build_prompt(snapshot: dict) -> str:
    return "Market snapshot:\n" + json.dumps(snapshot, sort_keys=True, separators=(",", ":"))


def parse_answer(text: str) -> LLMSignal:
    """Validate a model's answer; anything but the exact JSON shape abstains, with the reason."""
    if not isinstance(text, str) or not text.strip():
        return abstain("empty answer")
    try:
        data = json.loads(text.strip(), parse_constant=lambda name: float("nan"))
    except ValueError:
        return abstain(f"not JSON: {text.strip()[:80]!r}")
    if not isinstance(data, dict):
        return abstain("the answer is not a JSON object")
    signal, confidence, reasoning = data.get("signal"), data.get("confidence"), data.get("reasoning", "")
    if signal not in SIGNALS:
        return abstain(f"signal must be bullish, bearish or neutral, not {signal!r}")
    if isinstance(confidence, bool) or not isinstance(confidence, int | float) or not math.isfinite(confidence):
        return abstain(f"confidence must be a number, not {confidence!r}")
    if not 0 <= confidence <= 1:
        return abstain(f"confidence must be between 0 and 1, not {confidence}")
    if not isinstance(reasoning, str):
        return abstain("reasoning must be text")
    return LLMSignal(signal, float(confidence), reasoning.strip()[:2000])


class ProviderError(Exception):
    """The provider could not be reached or refused the request (not cached: may be transient)."""


def _timeout() -> float:
    return float(os.environ.get("LLM_TIMEOUT_SECONDS", "20"))


def ask_openai(model: str, prompt: str) -> str:
    import openai

    client = openai.OpenAI(
        api_key=os.environ.get("OPENAI_API_KEY", ""),
        base_url=os.environ.get("OPENAI_BASE_URL") or None,
        timeout=_timeout(),
        max_retries=0,
    )
    try:
        response = client.chat.completions.create(
            model=model,
            messages=[{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": prompt}],
            temperature=0,
            response_format={"type": "json_object"},
        )
    except openai.OpenAIError as error:
        raise ProviderError(f"OpenAI: {type(error).__name__}: {error}") from error
    return response.choices[0].message.content or ""


def ask_anthropic(model: str, prompt: str) -> str:
    import anthropic

    client = anthropic.Anthropic(
        api_key=os.environ.get("ANTHROPIC_API_KEY", ""),
        base_url=os.environ.get("ANTHROPIC_BASE_URL") or None,
        timeout=_timeout(),
        max_retries=0,
    )
    try:
        response = client.messages.create(
            model=model,
            max_tokens=400,
            system=SYSTEM_PROMPT,
            messages=[{"role": "user", "content": prompt}],
        )
    except anthropic.AnthropicError as error:
        raise ProviderError(f"Anthropic: {type(error).__name__}: {error}") from error
    return "".join(block.text for block in response.content if block.type == "text")


def ask_ollama(model: str, prompt: str) -> str:
    import httpx
    import ollama

    client = ollama.Client(host=os.environ.get("OLLAMA_BASE_URL") or "http://127.0.0.1:11434", timeout=_timeout())
    try:
        response = client.chat(
            model=model,
            messages=[{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": prompt}],
            format="json",
            options={"temperature": 0},
        )
    except (ollama.ResponseError, httpx.HTTPError, ConnectionError) as error:
        raise ProviderError(f"Ollama: {type(error).__name__}: {error}") from error
    return response["message"]["content"] or ""


PROVIDERS = {"openai": ask_openai, "anthropic": ask_anthropic, "ollama": ask_ollama}


def is_configured(provider: str) -> bool:
    """A provider is used only when the server has what it needs; otherwise the rules provider serves."""
    if provider == "openai":
        return bool(os.environ.get("OPENAI_API_KEY"))
    if provider == "anthropic":
        return bool(os.environ.get("ANTHROPIC_API_KEY"))
    if provider == "ollama":
        return bool(os.environ.get("OLLAMA_BASE_URL"))
    return False


def rules_signal(snapshot: dict) -> LLMSignal:
    """The deterministic stand-in: trend from the SMAs, tempered by RSI."""
    ind = snapshot["indicators"]
    fast, slow, strength = ind["sma_20"], ind["sma_50"], ind["rsi_14"]
    if fast is None or slow is None or strength is None:
        return LLMSignal("neutral", 0.0, "Not enough history for the indicators yet.")
    gap = fast / slow - 1
    confidence = round(min(1.0, abs(gap) * 20), 4)
    if gap > 0 and strength < 70:
        return LLMSignal(
            "bullish", confidence, f"SMA20 is {gap:.2%} above SMA50 and RSI {strength:.0f} is not overbought."
        )
    if gap < 0 and strength > 30:
        return LLMSignal(
            "bearish", confidence, f"SMA20 is {-gap:.2%} below SMA50 and RSI {strength:.0f} is not oversold."
        )
    return LLMSignal("neutral", 0.0, f"Trend and RSI {strength:.0f} disagree; staying out.")


def cache_key(provider: str, model: str, prompt: str) -> str:
    return hashlib.sha256(f"{provider}\n{model}\n{SYSTEM_PROMPT}\n{prompt}".encode()).hexdigest()


def ask(*, provider: str, model: str, prompt: str) -> tuple[LLMSignal, str | None]:
    """Ask a configured provider and validate its answer. Returns the signal and the raw answer, or
    None instead of the raw answer when the provider failed (a transient failure is not cached)."""
    try:
        raw = PROVIDERS[provider](model, prompt)
    except ProviderError as error:
        logger.warning("LLM provider failed, abstaining: %s", error)
        return abstain(str(error)), None
    signal = parse_answer(raw)
    if signal.abstained:
        logger.warning("LLM answer rejected (%s/%s), abstaining: %s", provider, model, signal.problem)
    return signal, raw
