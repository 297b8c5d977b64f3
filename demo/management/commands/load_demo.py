"""Load the Hậu Giang 2023 demo. Idempotent: run it any number of
times; existing rows are kept and nothing is duplicated."""

import datetime
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from clusters import services
from clusters.models import (
    Authority,
    Cluster,
    Handover,
    MemberRole,
    Membership,
    Role,
    Term,
    TermState,
    Unit,
    UnitKind,
    User,
)
from demo import awards as awards_demo
from demo import campaigns as campaigns_demo
from demo import hau_giang as pledges_demo
from demo import sample_block as pledges_demo_block
from demo.clock import on_day

DEMO_PASSWORD = "demo"
AUTHORITY = {
    "name": "UBND tỉnh Hậu Giang",
    "short_name": "UBND tỉnh",
    "place_name": "Hậu Giang",
}
CLUSTER_NAME = "Cụm thi đua các huyện, thị xã, thành phố"
# (username, unit name, short name, kind); the order is the demo's rotation order.
UNITS = [
    ("ngabay", "Thành phố Ngã Bảy", "Ngã Bảy", UnitKind.CITY),
    ("chauthanh", "Huyện Châu Thành", "Châu Thành", UnitKind.DISTRICT),
    ("vithanh", "Thành phố Vị Thanh", "Vị Thanh", UnitKind.CITY),
    ("longmytx", "Thị xã Long Mỹ", "TX Long Mỹ", UnitKind.TOWN),
    ("chauthanha", "Huyện Châu Thành A", "Châu Thành A", UnitKind.DISTRICT),
    ("longmy", "Huyện Long Mỹ", "Long Mỹ", UnitKind.DISTRICT),
    ("phunghiep", "Huyện Phụng Hiệp", "Phụng Hiệp", UnitKind.DISTRICT),
    ("vithuy", "Huyện Vị Thủy", "Vị Thủy", UnitKind.DISTRICT),
]
# The demo does not model when each unit was founded: it uses the province's
# founding (Hậu Giang was established on 01/01/2004).
VALID_FROM = datetime.date(2004, 1, 1)
# What `load` does, in order; each step prints one line as it starts.
STEPS = {
    "units": "units and accounts",
    "cluster": "the cluster of districts, its 2023 and 2024 terms",
    "pledges": "pledges and targets of 2023 and 2024",
    "reports": "the years under way and the members' reports",
    "scores": "peer scores and the published 2023 ranking",
    "block": "the illustrative block of provincial departments",
    "vote": "the 2023 nomination vote",
    "proposal": "the 2023 proposals, their decision and an outside grant",
    "handover": "the handover of 20/01/2024",
    "campaigns": "campaigns and their reports",
}
DEFAULT_URL = "http://127.0.0.1:8000/"


class Command(BaseCommand):
    help = "Load the Hậu Giang demo data and print the demo logins (password 'demo')."

    def add_arguments(self, parser):
        parser.add_argument(
            "--url",
            default=DEFAULT_URL,
            help=f"Address the demo will be served at, printed last ({DEFAULT_URL}).",
        )

    def handle(self, *args, **options):
        if not settings.DEMO_ALLOWED:
            raise CommandError(
                "Demo accounts are refused under these settings (DEMO_ALLOWED is off)."
            )
        self.started = time.monotonic()
        self.steps_done = 0
        self.stdout.write(f"Loading the Hậu Giang demo ({len(STEPS)} steps)…")
        with transaction.atomic():
            self.load()
        seconds = round(time.monotonic() - self.started)
        self.stdout.write(
            self.style.SUCCESS(f"Demo data is ready (loaded in {seconds} s).")
        )
        for line in summary_lines(url=options["url"]):
            self.stdout.write(line)

    def step(self, key):
        """Print the line of step `key` of STEPS, at once (the load is long)."""
        self.steps_done += 1
        seconds = round(time.monotonic() - self.started)
        self.stdout.write(
            f"  [{self.steps_done}/{len(STEPS)}] {STEPS[key]} ({seconds} s)…"
        )
        self.stdout.flush()

    def load(self):
        self.step("units")
        authority, _ = Authority.objects.get_or_create(
            name=AUTHORITY["name"], defaults=AUTHORITY
        )
        admin = self.user(authority, "admin", "Quản trị hệ thống", Role.ADMIN, None)
        self.user(authority, "noivu", "Cán bộ Sở Nội vụ", Role.PROVINCE_STAFF, None)

        units = {}
        for username, name, short_name, kind in UNITS:
            unit = Unit.objects.filter(authority=authority, name=name).first()
            if unit is None:
                unit = services.unit_create(
                    actor=admin,
                    authority=authority,
                    name=name,
                    short_name=short_name,
                    kind=kind,
                    valid_from=VALID_FROM,
                )
            units[username] = unit
            self.user(
                authority,
                username,
                f"Cán bộ thi đua {short_name}",
                Role.UNIT_OFFICER,
                unit,
            )

        self.step("cluster")
        cluster = Cluster.objects.filter(authority=authority, name=CLUSTER_NAME).first()
        if cluster is None:
            cluster = services.cluster_create(
                actor=admin,
                authority=authority,
                name=CLUSTER_NAME,
                description="Các huyện, thị xã, thành phố thuộc tỉnh Hậu Giang.",
            )
            for username, *_ in UNITS:
                services.rotation_add(
                    cluster=cluster, unit=units[username], actor=admin
                )

        members = list(units.values())
        with on_day(datetime.date(2023, 1, 9)):
            term_2023 = self.term(
                cluster, 2023, admin, members, units["ngabay"], units["chauthanh"]
            )
        with on_day(datetime.date(2024, 1, 22)):
            term_2024 = self.term(
                cluster, 2024, admin, members, units["chauthanh"], None
            )
        officers = [
            (unit, User.objects.get(username=username))
            for username, unit in units.items()
        ]
        self.step("pledges")
        pledges_demo.load(
            term_2023=term_2023,
            term_2024=term_2024,
            units_by_name={unit.name: unit for unit in members},
            officers=officers,
            actor=admin,
        )
        # Each act on the day it took place in the seed's years: the
        # year under way from March, reports from mid-November, the 2023
        # ranking published early January 2024, the vote before the proposal
        # and its decision of 17/01/2024, the handover at the conference of
        # 20/01/2024.
        self.step("reports")
        for term, year in ((term_2023, 2023), (term_2024, 2024)):
            with on_day(datetime.date(year, 3, 1)):
                term = self.advance(term, TermState.IN_PROGRESS, admin)
            with on_day(datetime.date(year, 11, 15)):
                term = self.advance(term, TermState.REPORTING, admin)
        term_2023.refresh_from_db()
        term_2024.refresh_from_db()
        pledges_demo.load_reports(
            term_2023=term_2023, term_2024=term_2024, officers=officers, actor=admin
        )
        self.step("scores")
        with on_day(datetime.date(2024, 1, 3)):
            term_2023 = pledges_demo.load_scores(
                term=term_2023,
                officers=officers,
                staff=User.objects.get(username="noivu"),
                advance=lambda term, state: self.advance(term, state, admin),
            )
        self.step("block")
        block = pledges_demo_block.load(
            authority=authority,
            admin=admin,
            staff=User.objects.get(username="noivu"),
            make_user=lambda username, full_name, role, unit: self.user(
                authority, username, full_name, role, unit
            ),
            advance=lambda term, state: self.advance(term, state, admin),
        )
        self.step("vote")
        with on_day(datetime.date(2024, 1, 8)):
            term_2023 = self.advance(term_2023, TermState.VOTING, admin)
            awards_demo.load_nomination(term=term_2023, officers=officers)
        self.step("proposal")
        # The block's 2023 proposal (sample data) is answered by the same
        # provincial decision as the cluster's.
        block_2023 = Term.objects.get(cluster=block, year=2023)
        with on_day(datetime.date(2024, 1, 10)):
            term_2023 = self.advance(term_2023, TermState.PROPOSING, admin)
            if term_2023.state == TermState.PROPOSING:
                block_2023 = self.advance(block_2023, TermState.PROPOSING, admin)
            awards_demo.load_proposal(
                term=term_2023,
                officers=officers,
                staff=User.objects.get(username="noivu"),
                block_term=block_2023,
            )
        with on_day(datetime.date(2024, 1, 17), hour=15):
            term_2023 = self.advance(term_2023, TermState.DECIDED, admin)
            if block_2023.award_proposals.exists():
                self.advance(block_2023, TermState.DECIDED, admin)
        awards_demo.load_external_grant(
            authority=authority, staff=User.objects.get(username="noivu")
        )
        self.step("handover")
        if not Handover.objects.filter(from_term=term_2023).exists():
            with on_day(datetime.date(2024, 1, 20), hour=10):
                services.handover_record(
                    from_term=term_2023,
                    to_term=term_2024,
                    actor=admin,
                    date=datetime.date(2024, 1, 20),
                    place="Thành phố Ngã Bảy",
                    occasion="Hội nghị tổng kết phong trào thi đua năm 2023 của Cụm",
                    note="Thành phố Ngã Bảy trao cờ luân lưu Cụm trưởng năm 2024 "
                    "cho huyện Châu Thành.",
                )

        self.step("campaigns")
        campaigns_demo.load(
            authority=authority,
            cluster=cluster,
            officers=officers,
            staff=User.objects.get(username="noivu"),
        )

    def advance(self, term, state, actor):
        """Walk `term` through the cycle until it reaches `state` (or is past it)."""
        order = list(TermState)
        while order.index(TermState(term.state)) < order.index(state):
            (next_state,) = services.TERM_TRANSITIONS[TermState(term.state)]
            term = services.term_transition(term=term, to_state=next_state, actor=actor)
        return term

    def term(self, cluster, year, actor, members, chair, deputy):
        term = Term.objects.filter(cluster=cluster, year=year).first()
        if term is None:
            term = services.term_create(
                cluster=cluster,
                year=year,
                actor=actor,
                units=members,
                chair=chair,
                deputy=deputy,
            )
        return term

    def user(self, authority, username, full_name, role, unit):
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(
                username=username,
                authority=authority,
                full_name=full_name,
                email=f"{username}@demo.invalid",
                role=role,
                unit=unit,
            )
            user.set_password(DEMO_PASSWORD)
            user.save()
        return user


def summary_lines(*, url):
    """What a newcomer needs once the demo is loaded: the logins, who chairs
    which year of each cluster and block (read from the terms, so it stays true
    when the demo changes), and the address."""
    lines = ["Logins (password 'demo' for all):"]
    lines.append("  admin        authority admin")
    lines.append("  noivu        provincial Home Affairs staff (Sở Nội vụ)")
    for username, name, *_ in UNITS + pledges_demo_block.UNITS:
        lines.append(f"  {username:<12} officer of {name}")
    logins = {}
    for user in User.objects.filter(
        role=Role.UNIT_OFFICER, is_active=True, unit__isnull=False
    ).order_by("username"):
        logins.setdefault(user.unit_id, user.username)
    roles = (MemberRole.CHAIR, MemberRole.DEPUTY)
    memberships = (
        Membership.objects.filter(
            role__in=roles, term__cluster__authority__name=AUTHORITY["name"]
        )
        .select_related("term__cluster", "unit")
        .order_by("-term__cluster__kind", "term__cluster__name", "term__year")
    )
    years = {}
    for membership in memberships:
        term = membership.term
        years.setdefault(term.cluster.name, {}).setdefault(term.year, {})[
            membership.role
        ] = membership.unit
    lines.append(
        "Who chairs which year (log in as the chair's officer to act as chair):"
    )
    for cluster_name, by_year in years.items():
        lines.append(f"  {cluster_name}")
        for year, units in by_year.items():
            text = f"    {year}: {_holder(units.get(MemberRole.CHAIR), logins)} chairs"
            if MemberRole.DEPUTY in units:
                deputy = _holder(units[MemberRole.DEPUTY], logins)
                text += f", {deputy} is deputy"
            lines.append(text)
    lines.append(f"Open {url} and log in.")
    return lines


def _holder(unit, logins):
    if unit is None:
        return "nobody"
    login = logins.get(unit.pk)
    return f"{login} ({unit.name})" if login else unit.name
