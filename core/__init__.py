"""Shared tools of every app, outside the domain: the domain error, audited
saves, Vietnamese formatting and collation, the derived-value cache, input
hygiene, error pages, health check, middleware and view helpers."""
