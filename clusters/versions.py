"""Which writes change which term's derived values (standings, dashboard rows).

Two scopes of `core.versions` hold the versions the cache keys use:

- ``term:<id>`` — everything derived from one term (one cluster's year): its
  standings, its ranking, its totals;
- ``authority-year:<authority id>:<year>`` — an authority's dashboard of a
  year, raised with every term of that authority and year.

Apps declare, for each model whose rows feed derived values, how to find the
terms a row belongs to (`watch(model, terms_of)`, called from their
`AppConfig.ready`); a save or delete of such a row then raises those terms'
versions in the same transaction (`clusters.models.Term` is watched here,
its memberships, clusters and units too). Writes that send no model signals
(`bulk_create`, `QuerySet.update`) call `bump_terms` themselves.

`term_version(term_id)` and `dashboard_version(authority_id, years)` read the
committed versions (one query each)."""

from django.db import transaction
from django.db.models import CharField, Value
from django.db.models.functions import Cast, Concat
from django.db.models.signals import m2m_changed, post_delete, post_save

from core import versions

from .models import Cluster, Membership, Term, Unit

_WATCHED = {}


def term_key(term_id):
    return f"term:{term_id}"


def term_version_of(term_id):
    """The committed version of the term whose id is the SQL expression
    `term_id` (e.g. ``OuterRef("pk")``), to annotate rows with: the key is
    built in SQL as `term_key` builds it."""
    return versions.committed(
        Concat(Value("term:"), Cast(term_id, CharField()), output_field=CharField())
    )


def authority_year_key(authority_id, year):
    return f"authority-year:{authority_id}:{year}"


def bump_terms(term_ids):
    """Raise the versions of the terms `term_ids` and of their authorities'
    dashboards of their years, in the current transaction (2–4 queries the
    first time in a transaction, 0 after)."""
    term_ids = {int(pk) for pk in term_ids if pk is not None}
    if not term_ids:
        return
    keys = {term_key(pk) for pk in term_ids}
    raised = versions._raised_in_transaction(transaction.get_connection())
    if keys <= raised:
        return
    keys |= {
        authority_year_key(authority_id, year)
        for authority_id, year in Term.objects.filter(pk__in=term_ids).values_list(
            "cluster__authority_id", "year"
        )
    }
    versions.bump(keys)


def term_version(term_id):
    """The committed version of the data behind `term_id`'s derived values."""
    key = term_key(term_id)
    return versions.read([key])[key]


def dashboard_version(authority_id, years):
    """The committed versions of an authority's terms of `years`, as a tuple
    (changes whenever a term of those years changes)."""
    keys = [authority_year_key(authority_id, year) for year in years]
    found = versions.read(keys)
    return tuple(found[key] for key in keys)


def _on_write(sender, instance, **kwargs):
    terms_of = _WATCHED.get(sender)
    if terms_of is not None:
        bump_terms(terms_of(instance))


def _on_m2m(sender, instance, action, **kwargs):
    if action.startswith("post_"):
        _on_write(type(instance), instance)


def watch(model, terms_of, *, m2m=()):
    """Raise the versions of the terms `terms_of(row)` (an iterable of term
    ids) whenever a row of `model` is saved or deleted, or one of its
    many-to-many fields `m2m` changes."""
    _WATCHED[model] = terms_of
    uid = f"clusters.versions:{model._meta.label_lower}"
    post_save.connect(_on_write, sender=model, dispatch_uid=f"{uid}:save")
    post_delete.connect(_on_write, sender=model, dispatch_uid=f"{uid}:delete")
    for field in m2m:
        through = getattr(model, field).through
        m2m_changed.connect(_on_m2m, sender=through, dispatch_uid=f"{uid}:{field}")


def _term_written(sender, instance, **kwargs):
    keys = {term_key(instance.pk)}
    keys.update(
        authority_year_key(authority_id, instance.year)
        for authority_id in Cluster.objects.filter(pk=instance.cluster_id).values_list(
            "authority_id", flat=True
        )
    )
    versions.bump(keys)


def connect():
    """Watch the clusters app's own models (called from `ClustersConfig.ready`)."""
    post_save.connect(_term_written, sender=Term, dispatch_uid="clusters.versions:t")
    post_delete.connect(_term_written, sender=Term, dispatch_uid="clusters.versions:d")
    watch(Membership, lambda m: [m.term_id])
    watch(
        Cluster,
        lambda c: Term.objects.filter(cluster_id=c.pk).values_list("pk", flat=True),
    )
    watch(
        Unit,
        lambda u: Membership.objects.filter(unit_id=u.pk).values_list(
            "term_id", flat=True
        ),
    )
