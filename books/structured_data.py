"""schema.org JSON-LD for a summary page: the Book with its authors, and the Review."""


def _person(name, url=""):
    person = {"@type": "Person", "name": name}
    if url:
        person["url"] = url
    return person


def summary_json_ld(page, absolute):
    """The JSON-LD object for a ``summaries.SummaryPage``; ``absolute`` makes URLs absolute.

    Makes no query: it reads what the summary page has already loaded.
    """
    book = page.book
    data = {
        "@context": "https://schema.org",
        "@type": "Book",
        "name": book.title,
        "url": absolute(book.get_absolute_url()),
        "author": [
            {**_person(author.name, absolute(author.get_absolute_url())), **(
                {"sameAs": author.website} if author.website else {}
            )}
            for author in page.authors
        ],
    }  # fmt: skip
    optional = {
        "alternativeHeadline": book.subtitle,
        "description": book.lede,
        "isbn": book.isbn,
        "numberOfPages": book.pages,
        "copyrightYear": book.year,
        "image": absolute(book.cover.url) if book.cover else "",
        "keywords": ", ".join(tag.name for tag in page.tags),
        "publisher": {"@type": "Organization", "name": book.publisher} if book.publisher else None,
    }
    data.update({key: value for key, value in optional.items() if value})
    review = page.review
    if review is not None:
        data["review"] = {
            "@type": "Review",
            "author": _person(review.reviewer),
            "publisher": {"@type": "Organization", "name": review.source},
            "url": review.url or absolute(review.get_absolute_url()),
        }
        if review.title:
            data["review"]["name"] = review.title
        if review.published_on:
            data["review"]["datePublished"] = review.published_on.isoformat()
    return data
