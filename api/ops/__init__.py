"""What operators look at: liveness and readiness probes, Prometheus metrics, logging setup."""
