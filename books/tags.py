"""Tags as readers see them: counts over published summaries, the cloud, old slugs, merging.

django-taggit owns the ``Tag`` model, so the tag querysets live here rather than
on a manager; every count goes through ``Book.objects.published()``.
"""

import math
from urllib.parse import urlencode

from django.conf import settings
from django.core.validators import slug_unicode_re
from django.db import transaction
from django.db.models import Count, F, Max, OuterRef, Prefetch, Q, Subquery, Value
from django.db.models.functions import Coalesce, Lower, Upper
from django.urls import reverse
from django.utils.translation import get_language, gettext, pgettext
from taggit.models import Tag, TaggedItem

from .models import Book, TagRedirect, TagTranslation

# Combining more tags than this on one page adds a join per tag for no reader's benefit.
MAX_COMBINED_TAGS = 5
CLOUD_SIZE = 40
CLOUD_WEIGHTS = 5


class TagNotFoundError(Exception):
    """A tag slug with no published summary behind it (nor an old slug leading to one)."""

    def __init__(self, slug):
        super().__init__(slug)
        self.slug = slug


# --- A tag's name and slug in the interface's language ------------------------------------------
# A tag's own name and slug are in the site's default language (English); a TagTranslation
# gives them in another. Readers' pages show the interface language's, read from
# ``local_name`` and ``local_slug`` (set by ``localized``, or by the loader and the cards'
# prefetch): ``name_of`` and ``slug_of`` fall back to the tag's own.


def _translated(language):
    return language and language != settings.LANGUAGE_CODE


def localized(tags, language=None):
    """``tags`` (a Tag queryset) with ``local_name`` and ``local_slug`` in ``language`` (the
    interface's): columns of the same query, no other."""
    language = language or get_language()
    if not _translated(language):
        return tags.annotate(local_name=F("name"), local_slug=F("slug"))
    names = TagTranslation.objects.filter(tag=OuterRef("pk"), language=language)
    return tags.annotate(
        local_name=Coalesce(Subquery(names.values("name")[:1]), F("name")),
        local_slug=Coalesce(Subquery(names.values("slug")[:1]), F("slug")),
    )


def translations_prefetch(lookup="tags", language=None):
    """Prefetch lookups for the tags at ``lookup`` in ``language``: none for the default
    language, else the translations in it (one query), which ``name_of`` reads."""
    language = language or get_language()
    if not _translated(language):
        return []
    rows = TagTranslation.objects.filter(language=language)
    return [Prefetch(f"{lookup}__translations", queryset=rows, to_attr="in_language")]


def _translation(tag):
    rows = getattr(tag, "in_language", None)
    return rows[0] if rows else None


def name_of(tag):
    """The tag's name in the interface's language (its own where it has none)."""
    local = getattr(tag, "local_name", None) or getattr(_translation(tag), "name", None)
    return local or tag.name


def slug_of(tag):
    """The tag's slug in the interface's language (its own where it has none)."""
    local = getattr(tag, "local_slug", None) or getattr(_translation(tag), "slug", None)
    return local or tag.slug


def tag_slug(tag, language):
    """The tag's slug in ``language``, from its prefetched ``translations`` (the sitemap)."""
    if _translated(language):
        for row in tag.translations.all():
            if row.language == language:
                return row.slug
    return tag.slug


def published_tags():
    """Tags on at least one published summary, each with ``count``: how many, and ``lastmod``;
    and their ``local_name`` and ``local_slug`` in the interface's language."""
    return localized(
        Tag.objects.filter(book__in=Book.objects.published()).annotate(
            count=Count("book"), lastmod=Max("book__updated_at")
        )
    )


def alphabetical(tags):
    return tags.order_by(Lower("local_name"), "pk")


def by_popularity(tags):
    return tags.order_by("-count", Lower("local_name"), "pk")


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
    return sorted(tags, key=lambda tag: (name_of(tag).casefold(), tag.pk))


def published_tags_at(slugs):
    """``(tags, moved)``: the published tags at ``slugs``, in order, without repeats.

    ``moved`` is true when a slug was an old one (merged or renamed), or not the
    interface language's (the English slug under /ru/, a Russian one under /), so the
    caller can redirect to the tags' current URL. Raises ``TagNotFoundError``
    for a slug that leads to no published tag. One query, three when a slug is old.
    """
    slugs = list(dict.fromkeys(slugs))
    for slug in slugs:
        # Not a slug at all (e.g. a NUL byte, which PostgreSQL refuses in a query): no tag.
        if not slug_unicode_re.match(slug):
            raise TagNotFoundError(slug)
    # Slugs are lower case: /tags/LLM/ is the tag at /tags/llm/ (and redirects there).
    folded = {slug: slug.lower() for slug in slugs}
    wanted = {*slugs, *folded.values()}
    found, own = {}, {}
    for tag in published_tags().filter(Q(slug__in=wanted) | Q(local_slug__in=wanted)):
        found[tag.local_slug] = tag
        own[tag.slug] = tag
    missing = [slug for slug in slugs if slug not in found]
    if not missing:
        return [found[slug] for slug in slugs], False
    # The tag's own slug where it has another in this language, an old slug, or the tag's
    # slug in another language: each leads to the tag's current page.
    moved = {slug: own[slug].pk for slug in missing if slug in own}
    unknown = [slug for slug in missing if slug not in moved]
    if unknown:
        moved.update(
            TagRedirect.objects.filter(old_slug__in=unknown).values_list("old_slug", "tag")
        )
        moved.update(
            TagTranslation.objects.filter(slug__in=set(unknown) - set(moved)).values_list(
                "slug", "tag"
            )
        )
    either = {**own, **found}
    for slug in missing:
        if slug not in moved and folded[slug] in either:
            moved[slug] = either[folded[slug]].pk
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
    url = reverse("books:tag", kwargs={"slug": slug_of(first)})
    if more:
        url += "?" + urlencode([("and", slug_of(tag)) for tag in more])
    return url


def names_in_line(tags, *, quoted=False, joiner=None):
    """The names of ``tags`` in a line, in the interface's language: "A and B", or with
    ``quoted`` "“A” and “B”" (Russian: «A» и «B»); ``joiner`` replaces " and "."""
    names = [name_of(tag) for tag in tags]
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


def tag_for_import(name, slug=None, redirects=(), translations=()):
    """The tag a summary file names, created if need be, with its old slugs leading to it and
    its names in other languages (``(language, name, slug)``) set.

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
    for language, local_name, local_slug in translations:
        translation = TagTranslation.objects.filter(tag=tag, language=language).first()
        translation = translation or TagTranslation(tag=tag, language=language)
        if (translation.name, translation.slug) != (local_name, local_slug or translation.slug):
            translation.name, translation.slug = local_name, local_slug
            translation.save()  # a changed slug leaves a redirect, as in the admin
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
