"""The benchmark: our service against a hand-written reference, driven by wrk (see README.md)."""
