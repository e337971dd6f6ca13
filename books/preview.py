"""Share links for drafts: a signed token that expires, and dies when the summary changes.

The token names one summary at one version (signed with SECRET_KEY), so it
opens that summary and nothing else, and any save, restore or publication
change makes it invalid. Changing SECRET_KEY revokes every link at once.
"""

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import timezone

SALT = "books.preview"


def share_token(book):
    """A token that lets anyone holding it read ``book`` as it is now."""
    return signing.dumps({"book": book.pk, "version": book.version}, salt=SALT)


def share_path(book):
    return reverse("books:preview", kwargs={"token": share_token(book)})


def share_expires_at():
    """When a link made now stops working."""
    return timezone.now() + settings.PREVIEW_LINK_MAX_AGE


def shared_book(token, books):
    """The summary of ``books`` that ``token`` opens, or None if it is invalid, expired or stale."""
    try:
        data = signing.loads(token, salt=SALT, max_age=settings.PREVIEW_LINK_MAX_AGE)
    except signing.BadSignature:  # includes SignatureExpired
        return None
    if not isinstance(data, dict):
        return None
    book_pk, version = data.get("book"), data.get("version")
    if not isinstance(book_pk, int) or not isinstance(version, int):
        return None
    return books.filter(pk=book_pk, version=version).first()
