"""Retries with backoff and the shared LLM circuit breaker."""

from engine.resilience.backoff import BackoffPolicy, compute_backoff
from engine.resilience.retry import retry_call

__all__ = ["BackoffPolicy", "compute_backoff", "retry_call"]
