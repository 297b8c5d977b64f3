"""Derived reads (standings, dashboard rows) cached until business data changes.

Every cached value is stored under a key that includes the current *data
generation*, a random token replaced after every committed write of business
data (any model of the clusters, pledges, campaigns and awards apps except
users, security events and history rows; bulk writes call `data_changed`).
A reader therefore never sees a value computed before the last committed write:
the next read after a commit misses and recomputes. Inside an atomic block the
cache is bypassed, so a service always reads its own uncommitted writes.

The cache must be shared by every app server (production: the database cache
table or Redis); the test settings use a dummy cache."""

import uuid

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.utils.translation import get_language

GENERATION_KEY = "data-generation"
WATCHED_APPS = {"clusters", "pledges", "campaigns", "awards"}
UNWATCHED_MODELS = {"clusters.user", "clusters.securityevent"}


def _new_generation():
    cache.set(GENERATION_KEY, uuid.uuid4().hex, None)


def data_changed():
    """Mark every cached derived value stale once the current transaction
    commits (at once outside a transaction). Bulk writes, which send no model
    signals, must call it."""
    connection = transaction.get_connection()
    pending = getattr(connection, "run_on_commit", [])
    if any(callback is _new_generation for _, callback, _ in pending):
        return
    transaction.on_commit(_new_generation)


def derived(key, compute):
    """`compute()`, cached under `key` for the current data generation and the
    active language (computed values may hold translated labels)."""
    if transaction.get_connection().in_atomic_block:
        return compute()
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        generation = uuid.uuid4().hex
        if not cache.add(GENERATION_KEY, generation, None):
            generation = cache.get(GENERATION_KEY)
    full_key = f"derived:{generation}:{get_language()}:{key}"
    value = cache.get(full_key)
    if value is None:
        value = compute()
        cache.set(full_key, value, 24 * 3600)
    return value


def _on_write(sender, **kwargs):
    meta = sender._meta
    if meta.app_label not in WATCHED_APPS or meta.label_lower in UNWATCHED_MODELS:
        return
    if meta.model_name.startswith("historical"):
        return
    data_changed()


def connect():
    post_save.connect(_on_write, dispatch_uid="core.cache.save")
    post_delete.connect(_on_write, dispatch_uid="core.cache.delete")
