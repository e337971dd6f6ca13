"""Export summaries to the summary-file format."""

from collections import defaultdict
from itertools import batched

from taggit.models import Tag

from books.models import Book, TagRedirect, TagTranslation

from .loader import ALL_LINKS, load_summaries

EXPORT_BATCH = 200


def tag_redirects(tag_ids):
    """``{tag id: {"redirects": [old slugs], "translations": {language: {name, slug}}}}``: what
    a tag carries beyond its name and slug, for each of ``tag_ids`` that carries any."""
    extras = defaultdict(dict)
    for tag_id, old_slug in (
        TagRedirect.objects.filter(tag__in=tag_ids)
        .order_by("old_slug")
        .values_list("tag_id", "old_slug")
    ):
        extras[tag_id].setdefault("redirects", []).append(old_slug)
    for tag_id, language, name, slug in (
        TagTranslation.objects.filter(tag__in=tag_ids)
        .order_by("language")
        .values_list("tag_id", "language", "name", "slug")
    ):
        extras[tag_id].setdefault("translations", {})[language] = {"name": name, "slug": slug}
    return extras


def export_tag(tag, extras):
    """A tag as a name, or as an object when its slug is not its name's, old slugs lead to it or
    it has names in other languages (``extras``, from ``tag_redirects``)."""
    if tag.slug == Tag().slugify(tag.name) and not extras:
        return tag.name
    return {"name": tag.name, "slug": tag.slug, **extras}


def translated_slugs(summaries):
    """``{book id: slug}`` of the summaries that ``summaries`` are translations of."""
    ids = {summary.book.translation_of_id for summary in summaries} - {None}
    return dict(Book.objects.filter(pk__in=ids).values_list("pk", "slug")) if ids else {}


def export_summary(summary, redirects=None, translated=None):
    """One ``Summary`` (from the loader) as a dict in the summary-file format.

    ``redirects`` (from ``tag_redirects``) and ``translated`` (from ``translated_slugs``)
    save queries per summary when many are exported.
    """
    book = summary.book
    if redirects is None:
        redirects = tag_redirects([tag.pk for tag in summary.tags])
    if translated is None:
        translated = translated_slugs([summary])
    data = {
        "slug": book.slug,
        "title": book.title,
        "subtitle": book.subtitle,
        "authors": [
            {"name": a.name, "slug": a.slug, "bio": a.bio, "url": a.website}
            for a in summary.authors
        ],
        "publisher": book.publisher,
        "year": book.year,
        "pages": book.pages,
        "isbn": book.isbn,
        "cover": book.cover.name or "",
        "lede": book.lede,
        "description": book.description,
        "authors_intro": book.authors_intro,
        "structure_intro": book.structure_intro,
        "sections": [{"heading": s.heading, "body": s.body} for s in summary.sections],
        "audience": [item.text for item in summary.audience],
        "tags": [
            export_tag(tag, redirects.get(tag.pk, {}))
            for tag in sorted(summary.tags, key=lambda tag: (tag.name, tag.pk))
        ],
        "language": book.language,
        "translation_of": translated.get(book.translation_of_id),
        "status": book.status,
        "published_at": book.published_at.isoformat() if book.published_at else None,
        "unpublish_at": book.unpublish_at.isoformat() if book.unpublish_at else None,
        "seo_title": book.seo_title,
        "seo_description": book.seo_description,
        "parts": [
            {
                "label": part.label,
                "title": part.title,
                "summary": part.summary,
                "chapters": [{"title": c.title, "summary": c.summary} for c in part.chapter_list],
            }
            for part in summary.parts
        ],
        "review": None,
        "related": [],
    }
    review = summary.review
    if review is not None:
        data["review"] = {
            "reviewer": review.reviewer,
            "source": review.source,
            "url": review.url,
            "title": review.title,
            "body": review.body,
            "published_at": review.published_on.isoformat() if review.published_on else None,
            "takeaways": [{"title": t.title, "text": t.text} for t in summary.takeaways],
        }
    for link in summary.links:
        item = (
            {"slug": link.target.slug}
            if link.target_id
            else {"title": link.title, "authors": link.authors}
        )
        item.update(note=link.note, featured=link.featured)
        data["related"].append(item)
    return data


def iter_exports(books):
    """Yield every summary of ``books`` (a queryset) in the file format, loaded in batches."""
    ids = list(books.order_by("pk").values_list("pk", flat=True))
    for batch in batched(ids, EXPORT_BATCH):
        books_in_batch = books.model.objects.filter(pk__in=batch).order_by("pk")
        summaries = load_summaries(books_in_batch, links=ALL_LINKS)
        redirects = tag_redirects({tag.pk for summary in summaries for tag in summary.tags})
        slugs = translated_slugs(summaries)
        for summary in summaries:
            yield export_summary(summary, redirects, slugs)
