from django.core.management import call_command

from clusters.models import (
    Authority,
    Cluster,
    Handover,
    Membership,
    Term,
    TermState,
    Unit,
    User,
)


def _counts():
    return [
        model.objects.count()
        for model in (Authority, Unit, Cluster, Term, Membership, Handover, User)
    ]


def test_demo_loads_hau_giang_and_is_idempotent(db):
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    first = _counts()
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert _counts() == first == [1, 8, 1, 2, 16, 1, 10]
    term_2023 = Term.objects.get(year=2023)
    term_2024 = Term.objects.get(year=2024)
    assert term_2023.chair.name == "Thành phố Ngã Bảy"
    assert term_2024.chair.name == "Huyện Châu Thành"
    assert term_2023.state == TermState.CLOSED
    handover = Handover.objects.get()
    assert handover.date.isoformat() == "2024-01-20"
    assert (handover.from_unit.short_name, handover.to_unit.short_name) == (
        "Ngã Bảy",
        "Châu Thành",
    )


def test_every_demo_login_uses_password_demo(db, client):
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    usernames = [
        "admin", "noivu", "vithanh", "ngabay", "longmytx", "chauthanh",
        "chauthanha", "longmy", "phunghiep", "vithuy",
    ]  # fmt: skip
    assert sorted(User.objects.values_list("username", flat=True)) == sorted(usernames)
    for username in usernames:
        assert User.objects.get(username=username).check_password("demo")


def test_create_authority_makes_tenant_and_admin(db, monkeypatch, client):
    monkeypatch.setenv("DJANGO_ADMIN_PASSWORD", "mot-mat-khau-rat-dai-2026")
    call_command(
        "create_authority",
        "UBND tỉnh Cần Thơ",
        "--place",
        "Cần Thơ",
        "--admin",
        "quantri",
        stdout=open("/dev/null", "w"),  # noqa: SIM115
    )
    user = User.objects.get(username="quantri")
    assert user.role == "admin"
    assert user.authority.name == "UBND tỉnh Cần Thơ"
    response = client.post(
        "/accounts/login/",
        {"username": "quantri", "password": "mot-mat-khau-rat-dai-2026"},
    )
    assert response.status_code == 302


def test_create_authority_refuses_weak_password(db, monkeypatch):
    import pytest
    from django.core.management.base import CommandError

    monkeypatch.setenv("DJANGO_ADMIN_PASSWORD", "123")
    with pytest.raises(CommandError):
        call_command("create_authority", "UBND X", "--place", "X", "--admin", "qt")
    assert not Authority.objects.filter(name="UBND X").exists()


def test_demo_pledges_reproduce_the_seed_plan_figures(db):
    from decimal import Decimal

    from django.db.models import Sum

    from pledges.models import Pledge, PledgeState, Target

    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115

    def total(year, code, field="planned"):
        return Target.objects.filter(
            indicator__pledge__term__year=year, indicator__code=code
        ).aggregate(s=Sum(field))["s"]

    for year in (2023, 2024):
        pledge = Pledge.objects.get(term__year=year)
        assert pledge.state == PledgeState.IN_FORCE
        assert pledge.versions.get().signatures.count() == 8
    # 2023 plans behind the seed's reported achievement of the plan.
    assert round(Decimal(64304) / total(2023, "CT1") * 100, 2) == Decimal("105.03")
    assert round(Decimal("576.449") / total(2023, "CT2") * 100, 2) == Decimal("100.24")
    assert round(Decimal(22700) / total(2023, "CT3") * 100, 2) == Decimal("101.75")
    assert round(Decimal(22700) / total(2023, "CT3", "last_actual") * 100, 2) == (
        Decimal("112.09")
    )
    assert round(Decimal(16200) / total(2023, "CT4") * 100, 2) == Decimal("117.39")
    # 2024 carries the 2023 actuals as the base for growth.
    assert total(2024, "CT1", "last_actual") == Decimal(64304)
    assert total(2024, "CT3", "last_actual") == Decimal(22700)
