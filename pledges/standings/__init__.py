"""Standings: every member's points, band and rank in a term, computed once per
change of the term's data and cached.

Public API (the rest of the package is private):

- `term_standings(term)`: the ranked standings (`pledges.ranking.Standing`),
  cached by the term's data version.
- `term_ranking_rows(term)`: the same without the members' lines, cached on
  their own: what a ranking table and its chart show.
- `term_version(term_id)`: the committed version of the data behind the
  term's derived values (one query). It changes in the transaction of every
  write of the term's data — results, self, peer and reviewer scores,
  objections and replies, reports and their states, the pledge, its criteria
  and targets, the term's settings and members, ranking snapshots, and what
  the registered contributions count (campaign points, the award registry's
  bonus). Anything cached per term keys on it.
- `term_cached(term_id, key, compute)`: any other value derived from a term's
  data (cluster totals, the pledge tree), cached by the same version.
- `bump_term_version(term_id)`: raise it by hand, in the current transaction,
  after a write that sends no model signals (`bulk_create`, `update`, COPY).
  Model saves and deletes raise it on their own (`clusters.versions.watch`).
- `dashboard_version(authority_id, years)`: the versions of an authority's
  dashboards of `years` (a tuple; changes with any of their terms).
- `register_criterion_points`, `register_bonus_lines`,
  `register_scored_elsewhere`: how apps above pledges contribute
  (`contributions`); `criteria_scored_elsewhere(pledge)` reads the last.
- `watch(model, terms_of)`: declare that rows of `model` feed terms' derived
  values (`clusters.versions.watch`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from functools import cache

from clusters.models import Term
from clusters.versions import bump_terms, dashboard_version, term_version, watch
from core.cache import derived

from ..ranking import Standing
from .compute import compute_standings
from .contributions import (
    criteria_scored_elsewhere,
    register_bonus_lines,
    register_criterion_points,
    register_scored_elsewhere,
)

__all__ = [
    "bump_term_version",
    "compute_standings",
    "criteria_scored_elsewhere",
    "dashboard_version",
    "register_bonus_lines",
    "register_criterion_points",
    "register_scored_elsewhere",
    "term_cached",
    "term_ranking_rows",
    "term_standings",
    "term_version",
    "watch",
]


def term_standings(term: Term) -> list[Standing]:
    """Every member's standing in `term` (ranked), computed from the pledge,
    targets, results, self-scores, peer and reviewer scores and the registered
    contributions in a constant number of queries, and cached until the next
    committed write of the term's data (one query to read its version). A late
    report loses the term's late deduction."""
    return _standings(term, lambda: term_version(term.pk))


def term_ranking_rows(term: Term) -> list[Standing]:
    """`term_standings(term)` with every member's `lines` left empty: rank,
    totals, band and tie note, as a ranking table and its chart show them.
    Cached on their own under the same version (one query), so that a page
    showing them does not restore every member's points by criterion."""
    version = cache(lambda: term_version(term.pk))
    return derived(
        f"ranking-rows:{term.pk}",
        lambda: [dataclasses.replace(s, lines=[]) for s in _standings(term, version)],
        version=version,
    )


def _standings(term: Term, version: Callable[[], int]) -> list[Standing]:
    return derived(
        f"standings:{term.pk}", lambda: compute_standings(term), version=version
    )


def term_cached[T](term_id: int, key: str, compute: Callable[[], T]) -> T:
    """`compute()`, cached under `key` by the data version of the term
    `term_id` (`core.cache.derived`): computed again after any committed write
    of the term's data, and each call returns objects of its own."""
    return derived(key, compute, version=lambda: term_version(term_id))


def bump_term_version(term_id: int) -> None:
    """Raise `term_id`'s data version (and its authority's dashboard of its
    year) in the current transaction."""
    bump_terms([term_id])
