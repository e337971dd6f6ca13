"""Create a first editor account when none exists, printing its generated password once."""

import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

EDITORS_GROUP = "Editors"


class Command(BaseCommand):
    """``ensure_editor``: make sure someone can sign in to /admin/."""

    help = "Create an 'editor' account (Editors group) when no staff account exists yet."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="editor")

    def handle(self, *args, username, **options):
        user_model = get_user_model()
        if user_model.objects.filter(is_staff=True, is_active=True).exists():
            self.stdout.write(
                _("An editor account exists. To add another: python manage.py createsuperuser")
            )
            return
        password = secrets.token_urlsafe(12)
        user = user_model.objects.create_user(username=username, password=password, is_staff=True)
        user.groups.add(Group.objects.get(name=EDITORS_GROUP))
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Created the editor account '%(username)s' with password: %(password)s\n"
                    "Sign in at /admin/. This password is shown only once; change it with: "
                    "python manage.py changepassword %(username)s"
                )
                % {"username": username, "password": password}
            )
        )
