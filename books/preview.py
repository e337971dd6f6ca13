"""Share links for unpublished summaries: stored links that work until they expire or are revoked.

A link opens one summary, as it is when opened, to anyone holding it. Saving the
summary does not end it (an editor fixing a typo must not break the link they
sent); an editor revokes it on the summary's admin page, or it expires.
"""

from django.conf import settings
from django.utils import timezone

from .models import ShareLink


def share_expires_at():
    """When a link made now stops working."""
    return timezone.now() + settings.PREVIEW_LINK_MAX_AGE


def create_share_link(book, *, user=None):
    """A new link to ``book``, valid for ``PREVIEW_LINK_MAX_AGE``."""
    return ShareLink.objects.create(
        book=book,
        created_by=user if user is not None and user.is_authenticated else None,
        expires_at=share_expires_at(),
    )


def share_path(book, *, user=None):
    """The path of a new share link to ``book``."""
    return create_share_link(book, user=user).get_absolute_url()


def revoke_share_link(link):
    """End ``link`` now."""
    if link.revoked_at is None:
        link.revoked_at = timezone.now()
        link.save(update_fields=["revoked_at"])


def shared_book(token, books):
    """The summary of ``books`` that ``token`` opens; None if unknown, expired or revoked."""
    if not isinstance(token, str) or not token.isascii() or len(token) > 64:
        return None
    link = ShareLink.objects.live().filter(token=token).values_list("book_id", flat=True).first()
    if link is None:
        return None
    return books.filter(pk=link).first()
