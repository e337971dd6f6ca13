"""The admin index's dashboard: what an editor should do next."""

from django import template
from django.contrib.contenttypes.models import ContentType
from django.db.models import Max
from reversion.models import Version

from books.models import Book, Status
from books.summaries.completeness import checklist, incomplete, with_completeness

register = template.Library()

LIST_SIZE = 10


def _your_drafts(user):
    """Drafts this editor has saved, most recently changed first."""
    book_type = ContentType.objects.get_for_model(Book)
    saved = (
        Version.objects.filter(content_type=book_type, revision__user=user)
        .values_list("object_id", flat=True)
        .distinct()
    )
    ids = [int(pk) for pk in saved if pk.isdigit()]
    return Book.objects.filter(status=Status.DRAFT, pk__in=ids).order_by("-updated_at")[:LIST_SIZE]


def _recent_changes_by_others(user):
    """The newest saves of summaries by other editors (or by an import), one line per save."""
    book_type = ContentType.objects.get_for_model(Book)
    versions = (
        Version.objects.filter(content_type=book_type)
        .exclude(revision__user=user)
        .select_related("revision__user")
        .order_by("-revision__date_created", "-pk")[:LIST_SIZE]
    )
    existing = set(
        Book.objects.filter(
            pk__in=[int(v.object_id) for v in versions if v.object_id.isdigit()]
        ).values_list("pk", flat=True)
    )
    return [
        {
            "title": version.object_repr,
            "book_id": int(version.object_id) if version.object_id.isdigit() else None,
            "exists": version.object_id.isdigit() and int(version.object_id) in existing,
            "user": version.revision.user,
            "when": version.revision.date_created,
            "comment": version.revision.get_comment(),
        }
        for version in versions
    ]


@register.inclusion_tag("admin/includes/dashboard.html", takes_context=True)
def editor_dashboard(context):
    """Drafts, what is scheduled, others' recent changes and what is not complete yet."""
    request = context["request"]
    user = request.user
    if not user.has_perm("books.view_book"):
        return {"show": False}
    unfinished = incomplete(with_completeness(Book.objects.all())).order_by("-updated_at")
    return {
        "show": True,
        "drafts": _your_drafts(user),
        "draft_count": Book.objects.filter(status=Status.DRAFT).count(),
        "scheduled": Book.objects.scheduled().order_by("published_at")[:LIST_SIZE],
        "unpublishing": Book.objects.published()
        .filter(unpublish_at__isnull=False)
        .order_by("unpublish_at")[:LIST_SIZE],
        "changes": _recent_changes_by_others(user),
        "incomplete": [(book, checklist(book)) for book in unfinished[:LIST_SIZE]],
        "incomplete_count": unfinished.count(),
        "newest_change": Book.objects.aggregate(newest=Max("updated_at"))["newest"],
    }
