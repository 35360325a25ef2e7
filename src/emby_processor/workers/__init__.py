"""The threads of the service: lane workers over the pipeline stages, the retry handler, and the
supervisor that drives them (docs/architecture.md)."""
