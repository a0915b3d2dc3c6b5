from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from skillcert.core.actors import Actor
from skillcert.core.models import Membership
from skillcert.core.services import api_token_create


class Command(BaseCommand):
    help = "Issue an API token acting as one of a user's memberships; prints the secret once."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", required=True, help="what the token is for")
        parser.add_argument("--role", help="which membership, when the user has several")

    def handle(self, *args: Any, **options: Any) -> None:
        memberships = Membership.objects.filter(
            user__username=options["username"], is_active=True
        ).select_related("user", "organisation")
        if options["role"]:
            memberships = memberships.filter(role=options["role"])
        found = list(memberships[:2])
        if len(found) != 1:
            raise CommandError("Name exactly one active membership (use --role).")
        with transaction.atomic():
            token, secret = api_token_create(
                actor=Actor.system("create_api_token"), membership=found[0], name=options["name"]
            )
        self.stdout.write(f"Token {token.prefix}… for {found[0]}")
        self.stdout.write(secret)
