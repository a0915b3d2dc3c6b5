from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from skillcert.archives.demo import seed_archives_demo
from skillcert.batches.demo import seed_batches_demo
from skillcert.catalog.demo import seed_catalog_demo
from skillcert.certificates.demo import seed_certificates_demo
from skillcert.core.choices import Role
from skillcert.core.demo import DEMO_PASSWORD, LOGINS, ORGANISATIONS, seed_demo
from skillcert.enrollment.demo import seed_enrollment_demo
from skillcert.institutions.demo import seed_institutions_demo
from skillcert.results.demo import seed_results_demo
from skillcert.stats.aggregates import rebuild_all
from skillcert.stats.demo_lifelong import seed_lifelong_demo
from skillcert.supervision.demo import seed_supervision_demo


class Command(BaseCommand):
    help = "Load the demo province (idempotent) and print the demo logins."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--logins-only", action="store_true", help="only print the logins")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["logins_only"]:
            seed_demo()
            seed_catalog_demo()
            seed_institutions_demo()
            seed_batches_demo()
            seed_enrollment_demo()
            results = seed_results_demo()
            if results is not None:
                self.stdout.write(
                    f"Results demo: {results.batch.code} {results.batch.title}; candidates "
                    f"{', '.join(results.candidates)}"
                )
            certificates = seed_certificates_demo()
            if certificates is not None:
                self.stdout.write(
                    f"Certificates demo: {certificates.batch.code} {certificates.batch.title}; "
                    f"candidates {', '.join(certificates.candidates)}; verify "
                    f"{certificates.verification_url}"
                )
            for line in seed_supervision_demo():
                self.stdout.write(line)
            self.stdout.write(f"Lifelong demo: {seed_lifelong_demo()} training records added")
            archived = seed_archives_demo()
            if archived is not None:
                self.stdout.write(f"Archives demo: {archived.code} {archived.title} archived")
            self.stdout.write(f"Statistics demo: {rebuild_all()} batch-month rows built")
        org_names = {key: name for key, name, *_ in ORGANISATIONS}
        self.stdout.write(self.style.SUCCESS(f"Demo logins (password for all: {DEMO_PASSWORD})"))
        self.stdout.write(f"  {'admin':<14} 平台管理员 (superuser)")
        for login in LOGINS:
            org = org_names.get(login.organisation or "", "")
            self.stdout.write(
                f"  {login.username:<14} {login.full_name} · {Role(login.role).label} · {org}"
            )
