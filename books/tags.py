"""Tags as readers see them: counts over published summaries, the cloud, old slugs, merging.

django-taggit owns the ``Tag`` model, so the tag querysets live here rather than
on a manager; every count goes through ``Book.objects.published()``.
"""

import math
from urllib.parse import urlencode

from django.core.validators import slug_unicode_re
from django.db import transaction
from django.db.models import Count, Max, Value
from django.db.models.functions import Lower, Upper
from django.urls import reverse
from django.utils.translation import gettext, pgettext
from taggit.models import Tag, TaggedItem

from .models import Book, TagRedirect

# Combining more tags than this on one page adds a join per tag for no reader's benefit.
MAX_COMBINED_TAGS = 5
CLOUD_SIZE = 40
CLOUD_WEIGHTS = 5


class TagNotFoundError(Exception):
    """A tag slug with no published summary behind it (nor an old slug leading to one)."""

    def __init__(self, slug):
        super().__init__(slug)
        self.slug = slug


def published_tags():
    """Tags on at least one published summary, each with ``count``: how many, and ``lastmod``."""
    return Tag.objects.filter(book__in=Book.objects.published()).annotate(
        count=Count("book"), lastmod=Max("book__updated_at")
    )


def alphabetical(tags):
    return tags.order_by(Lower("name"), "pk")


def by_popularity(tags):
    return tags.order_by("-count", Lower("name"), "pk")


def tag_cloud(size=CLOUD_SIZE):
    """The ``size`` most used published tags, alphabetically, each given a ``weight`` of 1 to 5."""
    tags = list(by_popularity(published_tags())[:size])
    if not tags:
        return []
    low, high = min(t.count for t in tags), max(t.count for t in tags)
    spread = math.log(high) - math.log(low)
    for tag in tags:
        share = (math.log(tag.count) - math.log(low)) / spread if spread else 0
        tag.weight = 1 + round(share * (CLOUD_WEIGHTS - 1))
    return sorted(tags, key=lambda tag: (tag.name.casefold(), tag.pk))


def published_tags_at(slugs):
    """``(tags, moved)``: the published tags at ``slugs``, in order, without repeats.

    ``moved`` is true when a slug was an old one (merged or renamed), so the
    caller can redirect to the tags' current URL. Raises ``TagNotFoundError``
    for a slug that leads to no published tag. One query, two when a slug is old.
    """
    slugs = list(dict.fromkeys(slugs))
    for slug in slugs:
        # Not a slug at all (e.g. a NUL byte, which PostgreSQL refuses in a query): no tag.
        if not slug_unicode_re.match(slug):
            raise TagNotFoundError(slug)
    # Slugs are lower case: /tags/LLM/ is the tag at /tags/llm/ (and redirects there).
    folded = {slug: slug.lower() for slug in slugs}
    found = {tag.slug: tag for tag in published_tags().filter(slug__in={*slugs, *folded.values()})}
    missing = [slug for slug in slugs if slug not in found]
    if not missing:
        return [found[slug] for slug in slugs], False
    moved = {
        redirect.old_slug: redirect.tag_id
        for redirect in TagRedirect.objects.filter(old_slug__in=missing)
    }
    for slug in missing:
        if slug not in moved and folded[slug] in found:
            moved[slug] = found[folded[slug]].pk
    for slug in missing:
        if slug not in moved:
            raise TagNotFoundError(slug)
    current = {tag.pk: tag for tag in published_tags().filter(pk__in=moved.values())}
    tags = []
    for slug in slugs:
        tag = found.get(slug) or current.get(moved.get(slug))
        if tag is None:
            raise TagNotFoundError(slug)
        if tag not in tags:
            tags.append(tag)
    return tags, True


def tags_url(tags):
    """URL of the page listing summaries that carry all of ``tags`` (the first one in the path)."""
    first, *more = tags
    url = reverse("books:tag", kwargs={"slug": first.slug})
    if more:
        url += "?" + urlencode([("and", tag.slug) for tag in more])
    return url


def names_in_line(tags, *, quoted=False, joiner=None):
    """The names of ``tags`` in a line, in the interface's language: "A and B", or with
    ``quoted`` "“A” and “B”" (Russian: «A» и «B»); ``joiner`` replaces " and "."""
    names = [tag.name for tag in tags]
    if quoted:
        # Translators: a tag's name in quotation marks, as the language writes them.
        names = [pgettext("quoted name", "“%s”") % name for name in names]
    # Translators: between the names of tags a page combines: "Habits and Focus".
    return (gettext(" and ") if joiner is None else joiner).join(names)


@transaction.atomic
def merge_tags(survivor, duplicates):
    """Move every use of ``duplicates`` onto ``survivor`` and delete them.

    Their slugs are kept as redirects to ``survivor``, and redirects that led
    to them lead to ``survivor`` now, so no old tag URL breaks.
    """
    duplicates = [tag for tag in duplicates if tag.pk != survivor.pk]
    duplicate_ids = [tag.pk for tag in duplicates]
    taken = set(TaggedItem.objects.filter(tag=survivor).values_list("content_type", "object_id"))
    for item in TaggedItem.objects.filter(tag__in=duplicate_ids).order_by("pk"):
        key = (item.content_type_id, item.object_id)
        if key in taken:
            item.delete()
        else:
            item.tag = survivor
            item.save(update_fields=["tag"])
            taken.add(key)
    TagRedirect.objects.filter(tag__in=duplicate_ids).update(tag=survivor)
    TagRedirect.objects.filter(old_slug=survivor.slug).delete()
    TagRedirect.objects.bulk_create(
        TagRedirect(old_slug=tag.slug, tag=survivor, old_tag_id=tag.pk) for tag in duplicates
    )
    Tag.objects.filter(pk__in=duplicate_ids).delete()
    return survivor


def record_slug_change(tag, old_slug):
    """Keep ``old_slug`` leading to ``tag`` after an editor changed its slug."""
    if old_slug and old_slug != tag.slug:
        TagRedirect.objects.filter(old_slug=tag.slug).delete()
        TagRedirect.objects.update_or_create(old_slug=old_slug, defaults={"tag": tag})


def fold(name):
    """A tag name as compared within one list of names: case ignored in every script."""
    return name.strip().casefold()


def _same_name(name):
    """Tags whose name is ``name`` ignoring case, compared by the database's UPPER() on both
    sides (SQLite's is Python's, see ``books.apps``), oldest first."""
    return (
        Tag.objects.annotate(folded=Upper("name"))
        .filter(folded=Upper(Value(name.strip())))
        .order_by("pk")
    )


def canonical_tag_names(names):
    """``names`` with each one spelled as the existing tag it matches ignoring case, repeats
    dropped: "машинное обучение" becomes "Машинное Обучение" when that tag exists."""
    wanted = {}
    for name in names:
        wanted.setdefault(fold(name), name.strip())
    canonical = []
    for name in wanted.values():
        existing = _same_name(name).values_list("name", flat=True).first()
        canonical.append(existing or name)
    return canonical


def tags_named(names):
    """The tags for ``names`` (matched ignoring case in every script), created when missing;
    keyed by ``fold(name)``."""
    tags = {}
    for name in dict.fromkeys(names):
        if fold(name) in tags:
            continue
        tags[fold(name)] = _same_name(name).first() or Tag.objects.create(name=name.strip())
    return tags


def tag_for_import(name, slug=None, redirects=()):
    """The tag a summary file names, created if need be, with its old slugs leading to it.

    Found by ``slug`` when the file gives one, else by name ignoring case in every script;
    a new tag gets the file's slug, or taggit's from its name. An old slug becomes a
    redirect unless a tag uses it now: a live tag's URL wins.
    """
    tag = Tag.objects.filter(slug=slug).first() if slug else None
    if tag is None:
        tag = _same_name(name).first()
    if tag is None:
        tag = Tag.objects.create(name=name.strip(), slug=slug or "")
    live = set(Tag.objects.filter(slug__in=redirects).values_list("slug", flat=True))
    for old_slug in redirects:
        if old_slug not in live:
            TagRedirect.objects.update_or_create(old_slug=old_slug, defaults={"tag": tag})
    return tag


def same_name_exists(name, *, exclude_pk=None):
    """Another tag with ``name`` in other capitals, or None."""
    return _same_name(name).exclude(pk=exclude_pk).first()


def case_duplicate_names():
    """Upper-cased names that more than one tag shares (e.g. “LLM” and “llm”)."""
    return (
        Tag.objects.annotate(folded=Upper("name"))
        .values("folded")
        .annotate(uses=Count("pk"))
        .filter(uses__gt=1)
        .values("folded")
    )
