"""What is searched: a summary flattened into weighted fields and landing passages.

Both engines index the same ``BookDocument``: the fields (title, authors, tags,
headings, body, related) carry the weights, and the passages are the places a
result can land on (a chapter, the review, a prose section, the related links).
"""

import hashlib
import html
import json
import math
import re
from dataclasses import asdict, dataclass, field

from books.models import Book
from books.summaries import load_summaries

from .language import WORD_RE, fold
from .query import clean_text, exact_key

# Highlight markers: private-use characters, removed from every indexed text
# (clean_text drops them), so content can never forge a highlight.
MARK_START = "\ue000"
MARK_END = "\ue001"

FIELDS = ("title", "authors", "tags", "headings", "body", "related")
# The prior: how complete a summary is, from 0 (a sentence) to 1 (this many words or more).
COMPLETE_WORDS = 3000


# The HTML was sanitised by nh3 when it was saved, so tags are well formed and a
# pattern is enough to drop them (much faster than a parser over 300,000 chapters).
TAG_RE = re.compile(r"<[^>]*>")


def plain(html_text):
    """Readable text of rendered (sanitised) HTML: no tags, no entities.

    A ``<`` the text itself holds (an editor's ``<style>`` shown as text) is followed by a
    space: PostgreSQL's text-search parser reads ``<style>`` in plain text as a tag and
    drops every word after it.
    """
    text = html.unescape(TAG_RE.sub(" ", html_text or "")).replace("<", "< ")
    return clean_text(text).strip()


def text(value):
    return clean_text(value or "").strip()


# Pieces of text that end without punctuation (a chapter summary written as a
# phrase, a takeaway's title) get a full stop when joined, so that a snippet cut
# across two of them reads as two sentences, not one run-on line.
SENTENCE_END = tuple(".!?…:;")


def sentence(value):
    value = value.strip()
    return value if not value or value.endswith(SENTENCE_END) else f"{value}."


def joined(*values):
    return "\n".join(sentence(value) for value in values if value and value.strip())


@dataclass
class Passage:
    """A place on the summary page a result can land on, with its own text."""

    anchor: str
    label: str
    title: str
    body: str
    kind: str = "chapter"


@dataclass
class BookDocument:
    """One summary as the index sees it."""

    book_id: int
    slug: str = ""
    language: str = ""
    title: str = ""
    authors: str = ""
    tags: str = ""
    headings: str = ""
    body: str = ""
    related: str = ""
    overview: str = ""
    tag_list: list = field(default_factory=list)
    author_list: list = field(default_factory=list)
    passages: list = field(default_factory=list)
    keys: list = field(default_factory=list)
    completeness: float = 0.0

    def fields(self):
        return [getattr(self, name) for name in FIELDS]

    def words(self):
        """Distinct folded words, the vocabulary for "did you mean"."""
        # Each distinct word folded once: a summary repeats its words thousands of times.
        return sorted({fold(word) for word in set(WORD_RE.findall(" ".join(self.fields())))})

    def content_hash(self):
        """A fingerprint of everything indexed, to detect drift between content and index."""
        data = json.dumps(asdict(self), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(data.encode()).hexdigest()


def _related_lines(links):
    return [
        joined(
            f"{link.display_title} ({link.display_authors})"
            if link.display_authors
            else link.display_title,
            link.note,
        )
        for link in links
    ]


def build_document(summary):
    """Flatten one ``Summary`` (loaded with the links a reader may follow) into a document."""
    book = summary.book
    authors = summary.authors
    tag_list = sorted(((tag.name, tag.slug) for tag in summary.tags), key=lambda t: t[0])
    parts = summary.parts
    review = summary.review
    takeaways = summary.takeaways
    links = summary.links

    document = BookDocument(
        book_id=book.pk,
        slug=book.slug,
        language=book.language,
        title=text(book.title),
        authors=text(", ".join(author.name for author in authors)),
        tags=text(", ".join(name for name, _ in tag_list)),
        tag_list=tag_list,
        author_list=[(text(author.name), author.slug) for author in authors],
    )
    headings = [book.subtitle]
    body = [book.lede, plain(book.description_html), plain(book.structure_intro_html)]
    overview = list(body)
    for section in summary.sections:
        headings.append(section.heading)
        body.append(plain(section.body_html))
        document.passages.append(
            Passage(
                anchor=f"section-{section.position}",
                label=text(section.heading),
                title=text(section.heading),
                body=plain(section.body_html),
                kind="section",
            )
        )
    body.extend(item.text for item in summary.audience)
    overview.extend(item.text for item in summary.audience)
    for part in parts:
        headings.append(part.title)
        body.append(plain(part.summary_html))
        overview.append(plain(part.summary_html))
    # The overview is the summary without its passages (chapters, review, sections,
    # related links): the snippet's source when only the title, authors or tags match.
    document.passages.insert(
        0,
        Passage(
            anchor="",
            label="Summary",
            title="",
            body=text(joined(*overview)),
            kind="overview",
        ),
    )
    for part in parts:
        for chapter in part.chapter_list:
            headings.append(chapter.title)
            body.append(plain(chapter.summary_html))
            document.passages.append(
                Passage(
                    anchor=chapter.anchor,
                    label=f"Chapter {chapter.number}",
                    title=text(chapter.title),
                    body=plain(chapter.summary_html),
                )
            )
    if review is not None:
        headings.append(review.title)
        headings.extend(takeaway.title for takeaway in takeaways)
        review_text = joined(
            plain(review.body_html),
            *(joined(takeaway.title, takeaway.text) for takeaway in takeaways),
            f"Reviewed by {review.reviewer}, {review.source}",
        )
        body.append(review_text)
        document.passages.append(
            Passage(
                anchor="review",
                label="Review",
                title=text(review.title),
                body=text(review_text),
                kind="review",
            )
        )
    featured = [link for link in links if link.featured]
    others = [link for link in links if not link.featured]
    for group, anchor, label in (
        (featured, "related-chapter", "Related chapter"),
        (others, "related-chapters", "Related chapters"),
    ):
        if group:
            document.passages.append(
                Passage(
                    anchor=anchor,
                    label=label,
                    title="",
                    body=text("\n".join(_related_lines(group))),
                    kind="related",
                )
            )
    document.headings = text("\n".join(heading for heading in headings if heading))
    document.overview = text(joined(*overview))
    document.body = text(joined(*body))
    words = len(WORD_RE.findall(document.body))
    document.completeness = round(min(1.0, math.log1p(words) / math.log1p(COMPLETE_WORDS)), 4)
    document.related = text("\n".join(_related_lines(links)))
    document.keys = sorted(
        {key for key in [exact_key(book.title), *(exact_key(a.name) for a in authors)] if key}
    )
    return document


def load_documents(book_ids):
    """Documents for the given ids that still exist (all statuses: queries filter drafts)."""
    books = Book.objects.filter(pk__in=list(book_ids)).order_by("pk")
    return [build_document(summary) for summary in load_summaries(books)]
