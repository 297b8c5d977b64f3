"""Every uniqueness rule of every model surfaces as a form error.

A ModelForm leaves the fields it does not show (the authority, the pledge, the
cluster…) out of model validation, so a duplicate under a constraint that holds
one of them used to reach the database as an IntegrityError: a 500 on creating
or renaming a unit with a name that exists. The meta-test lists
every (ModelForm, unique rule) pair where the rule holds a field of the form and
fails when one has no case below; each case saves nothing and asserts that a
duplicate — on creation and, where the form edits rows, on renaming — is an
error on the form's field, and that a fresh value clears that error."""

import datetime
import importlib
from dataclasses import dataclass, field

import pytest
from django import forms as django_forms
from django.db import transaction

from clusters.models import Unit
from core.errors import DomainError
from core.form_constraints import unique_sets
from core.views import apply_domain_error
from pledges.models import Section, Subsection
from tests.clusters.factories import UnitFactory
from tests.pledges.conftest import world_pledge

FORM_MODULES = [
    "clusters.forms",
    "pledges.forms",
    "campaigns.forms",
    "awards.forms",
    "awards.views.catalogue",
]
PROJECT_APPS = ("clusters", "pledges", "campaigns", "awards")


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def model_forms():
    """Every ModelForm class of the project with a model."""
    for module in FORM_MODULES:
        importlib.import_module(module)
    found = {
        cls
        for cls in _subclasses(django_forms.ModelForm)
        if cls.__module__.split(".")[0] in PROJECT_APPS
        and getattr(cls._meta, "model", None) is not None
    }
    return sorted(found, key=lambda cls: f"{cls.__module__}.{cls.__name__}")


def covered_rules():
    """(form name, rule fields, the rule's first field on the form) for every
    unique rule holding a field of the form."""
    rules = []
    for form_class in model_forms():
        shown = set(form_class.base_fields)
        for fields, _constraint in unique_sets(form_class._meta.model):
            on_form = [name for name in fields if name in shown]
            if on_form:
                rules.append((form_class.__name__, fields, on_form[0]))
    return rules


@dataclass
class Case:
    """`existing` holds the value a new row (and `other`, renamed) repeats;
    `new` is the unsaved instance of a creation form (None: the form's own);
    `fresh` a value of the field that no row holds. `save(form, target)`, for
    a form that leaves model validation to its service, writes through the
    service as the view does (a DomainError then lands on the form)."""

    existing: object
    fresh: object
    other: object = None
    new: object = None
    kwargs: dict = field(default_factory=dict)
    save: object = None


def _campaign(world):
    from campaigns import services
    from tests.campaigns.conftest import make_campaign

    campaign = make_campaign(world)
    other = make_campaign(world, title="Phong trào khác")
    actor = world.users["staff"]

    def save(form, target):
        if target is None:
            return services.campaign_create(
                authority=world.authority, actor=actor, **form.service_fields()
            )
        return services.campaign_update(
            campaign=target,
            actor=actor,
            version=form.cleaned_data.get("version"),
            reason=form.cleaned_data.get("reason", ""),
            **form.service_fields(),
        )

    return Case(
        campaign,
        "Phong trào mới",
        other=other,
        kwargs={"authority": world.authority},
        save=save,
    )


def _pledge_row(kind):
    def build(world):
        pledge = world_pledge(world)
        if kind == "subsection":
            section = pledge.sections.order_by("position").first()
            for n in (1, 2):
                Subsection.objects.get_or_create(
                    pledge=pledge,
                    section=section,
                    code=f"I.L{n}",
                    defaults={"title": f"Lĩnh vực {n}", "max_points": 0},
                )
        rows = {
            "section": pledge.sections.order_by("position"),
            "subsection": pledge.subsections.order_by("code"),
            "criterion": pledge.criteria.order_by("position"),
            "indicator": pledge.indicators.order_by("position"),
        }[kind]
        existing, other = rows[0], rows[1]
        if kind == "section":
            return Case(existing, "IX", other=other, new=Section(pledge=pledge))
        return Case(existing, "Z.9", other=other, kwargs={"pledge": pledge})

    return build


CASES = {
    ("UnitForm", ("authority", "name")): lambda w: Case(
        w.unit_a, "Xã Mới", other=w.unit_chair, kwargs={"authority": w.authority}
    ),
    ("ClusterForm", ("authority", "name")): lambda w: Case(
        w.cluster,
        "Cụm Mới",
        other=w.term.cluster.__class__.objects.get(name="Cụm B"),
        kwargs={"authority": w.authority},
    ),
    ("TermCreateForm", ("cluster", "year")): lambda w: Case(
        w.term, 2031, kwargs={"cluster": w.cluster}
    ),
    ("UserCreateForm", ("username",)): lambda w: Case(
        w.users["officer"], "can_bo_moi", kwargs={"authority": w.authority}
    ),
    ("SectionForm", ("pledge", "code")): _pledge_row("section"),
    ("SubsectionForm", ("pledge", "code")): _pledge_row("subsection"),
    ("CriterionForm", ("pledge", "code")): _pledge_row("criterion"),
    ("IndicatorForm", ("pledge", "code")): _pledge_row("indicator"),
    ("CampaignForm", ("authority", "title", "start_date")): _campaign,
}


def test_every_unique_rule_of_a_model_form_has_a_case():
    rules = {(name, fields) for name, fields, _field in covered_rules()}
    assert rules == set(CASES), (
        "add a case for each new ModelForm × unique rule, remove stale ones"
    )


def _data(form_class, instance, kwargs):
    """What the form shows for `instance`, as posted data."""
    unbound = form_class(instance=instance, **kwargs)
    data = {}
    for bound in unbound:
        value = bound.value()
        if value is None:
            continue
        if isinstance(value, list | tuple):
            data[bound.html_name] = [str(v) for v in value]
        elif isinstance(value, datetime.date):
            data[bound.html_name] = value.strftime("%d/%m/%Y")
        elif isinstance(value, bool):
            if value:
                data[bound.html_name] = "on"
        else:
            data[bound.html_name] = str(value)
    return data


def _password(data):
    data["password1"] = data["password2"] = "Mật-khẩu-dài-2024!"
    return data


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("form_name", "fields", "shown"),
    covered_rules(),
    ids=lambda v: v if isinstance(v, str) else "-".join(v),
)
def test_duplicate_is_a_form_error_not_an_exception(world, form_name, fields, shown):
    form_class = next(c for c in model_forms() if c.__name__ == form_name)
    case = CASES[(form_name, fields)](world)
    model = form_class._meta.model
    before = model.objects.count()
    data = _data(form_class, case.existing, case.kwargs)
    if form_class.__name__ == "UserCreateForm":
        data = _password(data)
    targets = [case.new or None]
    if case.other is not None:
        targets.append(case.other)
    for target in targets:
        kwargs = dict(case.kwargs)
        if target is not None:
            kwargs["instance"] = target
        form = form_class(dict(data), **kwargs)
        if form.is_valid() and case.save is not None:
            try:
                with transaction.atomic():
                    case.save(form, target)
            except DomainError as error:
                apply_domain_error(form, error)
        assert shown in form.errors, (target, form.errors)
        fresh = dict(data, **{shown: str(case.fresh)})
        form = form_class(fresh, **kwargs)
        form.is_valid()
        assert shown not in form.errors, (target, form.errors)
    assert model.objects.count() == before


def test_unit_with_a_taken_name_is_refused_on_the_form(world, login):
    """Creating or renaming a unit to a name of the authority
    answered 500 (IntegrityError)."""
    from django.urls import reverse

    client = login(world.users["admin"])
    payload = {"name": "Huyện A", "short_name": "A", "kind": "district"}
    response = client.post(reverse("unit_create"), payload)
    assert response.status_code == 200
    assert "is-invalid" in response.content.decode()
    assert Unit.objects.filter(name="Huyện A").count() == 1
    other = UnitFactory(authority=world.authority, name="Huyện Mới")
    response = client.post(reverse("unit_edit", args=[other.pk]), payload)
    assert response.status_code == 200
    other.refresh_from_db()
    assert other.name == "Huyện Mới"
