"""Persistence and the task rules: models, validation, the owner-scoped task service."""
