"""``manage.py certificates_ca [--institution PK | --all]``: the signing keys.

Creates the deployment CA on first run, then the named institution's (or every
institution's) PAdES key and certificate and Ed25519 credential key. Existing keys are
left as they are, so the command is safe to run again.
"""

from __future__ import annotations

from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from django.core.management.base import BaseCommand, CommandError

from skillcert.certificates import keys
from skillcert.institutions.models import Institution


class Command(BaseCommand):
    help = "Create the certificate CA and institutions' signing keys (existing keys are kept)."

    def add_arguments(self, parser: Any) -> None:
        which = parser.add_mutually_exclusive_group()
        which.add_argument("--institution", type=int, help="the institution's id")
        which.add_argument("--all", action="store_true", help="every institution")

    def handle(self, *args: Any, **options: Any) -> None:
        ca, created = keys.ensure_ca()
        verb = "Created" if created else "Kept"
        self.stdout.write(f"{verb} CA {_describe(ca)} in {keys.keys_dir()}")
        if options["institution"] is not None:
            institution = Institution.objects.filter(pk=options["institution"]).first()
            if institution is None:
                raise CommandError(f"No institution with id {options['institution']}")
            self._institution(institution)
        elif options["all"]:
            for institution in Institution.objects.select_related("organisation"):
                self._institution(institution)

    def _institution(self, institution: Institution) -> None:
        try:
            certificate, created = keys.ensure_institution_keys(institution)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        verb = "Created" if created else "Kept"
        self.stdout.write(
            f"{verb} keys of {institution.name} ({institution.uscc}): {_describe(certificate)}"
        )


def _describe(certificate: x509.Certificate) -> str:
    return f"SHA-256 {certificate.fingerprint(hashes.SHA256()).hex()[:16]}…"
