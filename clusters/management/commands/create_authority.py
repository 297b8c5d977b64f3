"""Create an authority and its first admin on a fresh production database.

The password is asked for interactively, or read from DJANGO_ADMIN_PASSWORD for
automated installs; it must pass the password validators."""

import getpass
import os

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from clusters.models import Authority, AuthorityLevel, Role, User
from clusters.services import authority_create


class Command(BaseCommand):
    help = "Create an authority (tenant) and its first admin account."

    def add_arguments(self, parser):
        parser.add_argument("name", help="e.g. 'UBND tỉnh Hậu Giang'")
        parser.add_argument("--short-name", default="", help="e.g. 'UBND tỉnh'")
        parser.add_argument("--place", required=True, help="e.g. 'Hậu Giang'")
        parser.add_argument(
            "--level",
            choices=[value for value, _label in AuthorityLevel.choices],
            default=AuthorityLevel.PROVINCE,
            help="province (default), city (centrally governed) or ministry",
        )
        parser.add_argument("--admin", required=True, help="username of the admin")
        parser.add_argument("--email", default="")

    def handle(self, *args, name, short_name, place, admin, email, level, **options):
        if Authority.objects.filter(name=name).exists():
            raise CommandError(f"The authority “{name}” already exists.")
        if User.objects.filter(username__iexact=admin).exists():
            raise CommandError(f"The username “{admin}” is taken.")
        password = os.environ.get("DJANGO_ADMIN_PASSWORD") or self._ask_password()
        user = User(username=admin, email=email, role=Role.ADMIN)
        try:
            password_validation.validate_password(password, user)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        with transaction.atomic():
            # The admin exists first so that the authority's setup (the award
            # catalogue of every app, `clusters.services.AUTHORITY_SETUP`) is
            # recorded as theirs.
            user.set_password(password)
            user.save()
            authority = authority_create(
                actor=user,
                name=name,
                short_name=short_name or name,
                place_name=place,
                level=level,
            )
            user.authority = authority
            user.save(update_fields=["authority"])
        self.stdout.write(
            self.style.SUCCESS(f"Created {authority} with admin {admin}.")
        )

    def _ask_password(self):
        first = getpass.getpass("Password for the admin: ")
        if first != getpass.getpass("Password (again): "):
            raise CommandError("The two passwords do not match.")
        return first
