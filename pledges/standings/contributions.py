"""What other apps add to a term's standings, registered at start-up.

The pledges app computes standings from its own data; apps above it (see the
layers in pyproject.toml) add theirs by registering providers in their
`AppConfig.ready`, as transition guards are registered
(`clusters.services.TRANSITION_GUARDS`):

- `register_criterion_points(provider)`: ``provider(term)`` returns
  ``{(unit id, criterion id): points}`` for criteria it scores (campaigns:
  points per counted campaign); such a criterion takes these points instead of
  the self, peer and reviewer scores.
- `register_bonus_lines(provider)`: ``provider(term)`` returns
  ``{unit id: [(label, points)]}`` bonus lines (awards: the registry's ranking
  bonus); the term's bonus cap applies to their sum with the pledge's bonuses.
- `register_scored_elsewhere(provider)`: ``provider(pledge)`` returns the ids
  of criteria scored from another app's data, which members do not score
  themselves (a report needs no self-score for them).

A provider runs a constant number of queries whatever the size of the term."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal

from clusters.models import Term

from ..models import Pledge

type CriterionPoints = Callable[[Term], Mapping[tuple[int, int], Decimal]]
type BonusLines = Callable[[Term], Mapping[int, Iterable[tuple[str, Decimal]]]]
type ScoredElsewhere = Callable[[Pledge], Iterable[int]]

CRITERION_POINTS: list[CriterionPoints] = []
BONUS_LINES: list[BonusLines] = []
SCORED_ELSEWHERE: list[ScoredElsewhere] = []


def _register[P](registry: list[P], provider: P) -> P:
    if provider not in registry:
        registry.append(provider)
    return provider


def register_criterion_points(provider: CriterionPoints) -> CriterionPoints:
    return _register(CRITERION_POINTS, provider)


def register_bonus_lines(provider: BonusLines) -> BonusLines:
    return _register(BONUS_LINES, provider)


def register_scored_elsewhere(provider: ScoredElsewhere) -> ScoredElsewhere:
    return _register(SCORED_ELSEWHERE, provider)


def criterion_points(term: Term) -> dict[tuple[int, int], Decimal]:
    """{(unit id, criterion id): points} from every registered provider."""
    points: dict[tuple[int, int], Decimal] = {}
    for provider in CRITERION_POINTS:
        points.update(provider(term))
    return points


def bonus_lines(term: Term) -> dict[int, list[tuple[str, Decimal]]]:
    """{unit id: [(label, points)]} from every registered provider, in
    registration order."""
    lines: dict[int, list[tuple[str, Decimal]]] = {}
    for provider in BONUS_LINES:
        for unit_id, found in provider(term).items():
            lines.setdefault(unit_id, []).extend(found)
    return lines


def criteria_scored_elsewhere(pledge: Pledge) -> set[int]:
    """Ids of `pledge`'s criteria scored from another app's data."""
    found = set()
    for provider in SCORED_ELSEWHERE:
        found |= set(provider(pledge))
    return found
