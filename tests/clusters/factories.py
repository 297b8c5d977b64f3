import datetime

import factory

from clusters.models import (
    Authority,
    Cluster,
    MemberRole,
    Membership,
    Role,
    Term,
    Unit,
    UnitKind,
    User,
)


class AuthorityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Authority

    name = factory.Sequence(lambda n: f"UBND tỉnh Thử {n}")
    short_name = "UBND tỉnh"
    place_name = factory.Sequence(lambda n: f"Tỉnh {n}")


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    authority = factory.SubFactory(AuthorityFactory)
    name = factory.Sequence(lambda n: f"Xã Thử Nghiệm {n}")
    short_name = factory.Sequence(lambda n: f"Xã {n}")
    kind = UnitKind.COMMUNE
    valid_from = datetime.date(2004, 1, 1)


class ClusterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cluster

    authority = factory.SubFactory(AuthorityFactory)
    name = factory.Sequence(lambda n: f"Cụm thi đua số {n}")


class TermFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Term

    cluster = factory.SubFactory(ClusterFactory)
    year = 2024


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    term = factory.SubFactory(TermFactory)
    unit = factory.SubFactory(
        UnitFactory, authority=factory.SelfAttribute("..term.cluster.authority")
    )
    role = MemberRole.MEMBER


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"Nguyễn Văn {n}")
    authority = factory.SubFactory(AuthorityFactory)
    role = Role.UNIT_OFFICER
    unit = factory.SubFactory(
        UnitFactory, authority=factory.SelfAttribute("..authority")
    )
    password = factory.django.Password("correct-horse-battery")


def officer(unit, **kwargs):
    return UserFactory(authority=unit.authority, unit=unit, **kwargs)


def staff(authority, role=Role.PROVINCE_STAFF, **kwargs):
    return UserFactory(authority=authority, role=role, unit=None, **kwargs)
