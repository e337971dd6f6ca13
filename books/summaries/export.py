"""Export summaries to the summary-file format."""

from .queries import full_summaries, review_of


def export_summary(book):
    """One summary as a dict in the summary-file format (``book`` from ``full_summaries``)."""
    data = {
        "slug": book.slug,
        "title": book.title,
        "subtitle": book.subtitle,
        "authors": [
            {"name": a.name, "slug": a.slug, "bio": a.bio, "url": a.website}
            for a in book.ordered_authors
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
        "sections": [{"heading": s.heading, "body": s.body} for s in book.sections.all()],
        "audience": [item.text for item in book.audience.all()],
        "tags": sorted(tag.name for tag in book.tags.all()),
        "status": book.status,
        "published_at": book.published_at.isoformat() if book.published_at else None,
        "parts": [
            {
                "label": part.label,
                "title": part.title,
                "summary": part.summary,
                "chapters": [{"title": c.title, "summary": c.summary} for c in part.chapters.all()],
            }
            for part in book.parts.all()
        ],
        "review": None,
        "related": [],
    }
    review = review_of(book)
    if review is not None:
        data["review"] = {
            "reviewer": review.reviewer,
            "source": review.source,
            "url": review.url,
            "title": review.title,
            "body": review.body,
            "published_at": review.published_on.isoformat() if review.published_on else None,
            "takeaways": [{"title": t.title, "text": t.text} for t in review.takeaways.all()],
        }
    for link in book.related_links.all():
        item = (
            {"slug": link.target.slug}
            if link.target_id
            else {"title": link.title, "authors": link.authors}
        )
        item.update(note=link.note, featured=link.featured)
        data["related"].append(item)
    return data


def iter_exports(books):
    """Yield every summary of ``books`` in the file format, loading them in batches."""
    for book in full_summaries(books, public=False).order_by("pk").iterator(chunk_size=200):
        yield export_summary(book)
