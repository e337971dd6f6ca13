"""Site-wide safety plumbing: the client's address, sign-in throttling, methods and media."""

import ipaddress
from contextlib import contextmanager
from pathlib import PurePosixPath

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.http import Http404, HttpResponseNotAllowed
from django.utils.csp import CSP
from django.views.decorators.csp import csp_override
from django.views.decorators.http import require_safe
from django.views.static import serve

# Uploaded files are images; anything else under MEDIA_ROOT is offered as a download.
MEDIA_IMAGE_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".webp": "image/webp",
    ".gif": "image/gif",
}
# A media file is never a page: it may show itself and nothing else, and even
# if it were HTML it would run sandboxed, in an opaque origin, without scripts.
MEDIA_CSP = {"default-src": [CSP.NONE], "img-src": [CSP.SELF], "sandbox": True}


def _valid_address(value):
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_ip(request):
    """The address a request came from, as far as it can be trusted.

    Without ``BEHIND_PROXY`` this is REMOTE_ADDR, whatever X-Forwarded-For
    says (anyone can send that header). Behind ``PROXY_COUNT`` proxies, each
    appends the address it saw to X-Forwarded-For, so the client is the entry
    that many places from the right; entries further left are the client's own
    claims and are ignored.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    if settings.BEHIND_PROXY:
        forwarded = [
            item for item in request.headers.get("x-forwarded-for", "").split(",") if item.strip()
        ]
        if len(forwarded) >= settings.PROXY_COUNT >= 1:
            address = _valid_address(forwarded[-settings.PROXY_COUNT])
            if address:
                return address
    return _valid_address(remote) or remote


class RejectNulCharactersMiddleware:
    """Answer 404 to a path holding a NUL character, before any view looks it up.

    No page has such an address, and PostgreSQL cannot compare text containing
    NUL: ``/books/%00/`` would otherwise fail inside the slug query with a 500.
    (Query parameters are each view's to validate.)
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path:
            raise Http404("No page has a NUL character in its address.")
        return self.get_response(request)


class RejectTraceMiddleware:
    """Answer 405 to TRACE (and TRACK): no page of the site echoes a request back."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in {"TRACE", "TRACK"}:
            return HttpResponseNotAllowed(["GET", "HEAD", "POST"])
        return self.get_response(request)


@contextmanager
def sign_in_turn(request, username):
    """Sign-ins for one account, or from one address, take turns: checking the lock-out,
    the password and recording a failure happen as one step.

    Without this, a burst of parallel attempts all pass the lock-out check before any
    failure is counted. The turn is a transaction: on PostgreSQL it holds advisory locks
    on the account's and the address's keys; on SQLite the transaction itself takes the
    database's write lock (``transaction_mode`` IMMEDIATE), so sign-ins take turns there
    anyway.
    """
    keys = sorted({f"sign-in:account:{username or ''}", f"sign-in:address:{client_ip(request)}"})
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                for key in keys:
                    cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [key])
        yield


class SignInForm(AdminAuthenticationForm):
    """The admin's sign-in form, checked in the account's and the address's turn."""

    def clean(self):
        with sign_in_turn(self.request, self.cleaned_data.get("username")):
            try:
                return super().clean()
            except ValidationError as error:
                refused = error  # raised after the commit: the failure counted must stay
        raise refused


class SignInThrottleBackend(AxesStandaloneBackend):
    """django-axes' lock-out check for every sign-in made over HTTP.

    Sign-ins through a web page always carry the request. ``authenticate()``
    called without one (``manage.py`` scripts, the test client's ``login()``)
    has no client address to throttle, so it is passed on to the next backend
    instead of failing.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


@require_safe
@csp_override(MEDIA_CSP)
def serve_media(request, path):
    """Serve an uploaded file from MEDIA_ROOT with headers that stop it acting as a page."""
    if any(part.startswith(".") for part in PurePosixPath(path).parts):
        raise Http404("No such file.")
    try:
        response = serve(request, path, document_root=settings.MEDIA_ROOT)
    except OSError:  # a name the file system cannot hold (too long, say): no such file
        raise Http404("No such file.") from None
    if response.status_code == 200:
        suffix = PurePosixPath(path).suffix.lower()
        if suffix in MEDIA_IMAGE_TYPES:
            response.headers["Content-Type"] = MEDIA_IMAGE_TYPES[suffix]
        else:
            response.headers["Content-Type"] = "application/octet-stream"
            response.headers["Content-Disposition"] = "attachment"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response
