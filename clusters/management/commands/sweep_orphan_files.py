"""Remove stored files that no row references (see clusters.stored_files)."""

import datetime

from django.core.management.base import BaseCommand, CommandError

from clusters.stored_files import sweep_orphan_files


class Command(BaseCommand):
    help = (
        "Remove uploaded files that no evidence, attachment or proposal row "
        "references and that are older than a grace period (a crashed upload, "
        "a rolled-back transaction). --dry-run lists them only."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--grace-hours",
            type=float,
            default=24.0,
            help="Keep files younger than this many hours (default 24).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="List the files, remove nothing."
        )

    def handle(self, *args, grace_hours, dry_run, **options):
        if grace_hours < 1:
            raise CommandError("The grace period must be at least one hour.")
        files = sweep_orphan_files(
            grace=datetime.timedelta(hours=grace_hours), dry_run=dry_run
        )
        verb = "Would remove" if dry_run else "Removed"
        for orphan in files:
            self.stdout.write(
                f"{verb} {orphan.name} ({orphan.modified:%Y-%m-%d %H:%M})"
            )
        self.stdout.write(f"{verb} {len(files)} orphan file(s).")
