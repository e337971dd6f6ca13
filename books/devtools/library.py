"""A seeded synthetic library for the search benchmark: Zipf-distributed made-up words.

Rows are written with ``bulk_create`` (no signals, no Markdown rendering: the
``*_html`` columns get the text in a paragraph), so the index is built afterwards
by the same ``rebuild()`` the management command uses, and timed.
"""

import random
from collections import Counter
from datetime import timedelta
from itertools import accumulate

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django.utils.html import escape
from taggit.models import Tag, TaggedItem

from books.models import AudienceItem, Author, Book, BookAuthor, Chapter, Part, Section, Status
from books.search.query import STOP_WORDS
from reviews.models import RelatedLink, Review, Takeaway

ONSETS = ["b", "d", "f", "g", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z", "br", "st"]
VOWELS = ["a", "e", "i", "o", "u", "ai", "ou"]
CODAS = ["", "", "n", "r", "l", "s", "x", "m"]
BATCH = 2000


class Vocabulary:
    """``size`` made-up words whose frequencies follow Zipf's law (rank r ~ 1 / r**s)."""

    def __init__(self, rng, size, exponent=1.05):
        self.rng = rng
        words = set()
        while len(words) < size:
            syllables = rng.choice((2, 2, 3, 3, 4))
            word = "".join(
                rng.choice(ONSETS) + rng.choice(VOWELS) + rng.choice(CODAS)
                for _ in range(syllables)
            )
            if word not in STOP_WORDS:
                words.add(word)
        self.words = sorted(words)
        rng.shuffle(self.words)
        self.cumulative = list(accumulate(1 / rank**exponent for rank in range(1, size + 1)))

    def text(self, count):
        return " ".join(self.rng.choices(self.words, cum_weights=self.cumulative, k=count))

    def title(self, count):
        return self.text(count).title()


def html(text):
    return f"<p>{escape(text)}</p>"


class SyntheticLibrary:
    """Builds the corpus and remembers in how many summaries each word occurs."""

    def __init__(self, summaries, chapters, seed=42, parts=3):
        self.rng = random.Random(seed)  # noqa: S311 - a seeded corpus, not a secret
        self.summaries = summaries
        self.parts = max(1, min(parts, chapters))
        self.chapters = chapters
        self.vocabulary = Vocabulary(self.rng, size=max(2000, min(60000, summaries * 6)))
        self.document_frequency = Counter()

    def build(self, progress=None):
        rng, vocabulary = self.rng, self.vocabulary
        now = timezone.now()
        with transaction.atomic():
            authors = Author.objects.bulk_create(
                Author(name=vocabulary.title(2), slug=f"author-{number}")
                for number in range(max(1, self.summaries // 3))
            )
            tags = Tag.objects.bulk_create(
                Tag(name=word, slug=word) for word in rng.sample(vocabulary.words[:3000], 150)
            )
        book_type = ContentType.objects.get_for_model(Book)
        for start in range(0, self.summaries, 500):
            count = min(500, self.summaries - start)
            with transaction.atomic():
                self._build_batch(start, count, authors, tags, book_type, now)
            if progress:
                progress(start + count, self.summaries)

    def _build_batch(self, start, count, authors, tags, book_type, now):
        rng, vocabulary = self.rng, self.vocabulary
        books, texts = [], []
        for number in range(start, start + count):
            draft = rng.random() < 0.05
            book = Book(
                title=vocabulary.title(rng.randint(2, 5)),
                subtitle=vocabulary.title(rng.randint(3, 6)),
                slug=f"summary-{number}",
                lede=vocabulary.text(25),
                description=vocabulary.text(70),
                status=Status.DRAFT if draft else Status.PUBLISHED,
                published_at=None if draft else now - timedelta(minutes=number),
            )
            book.description_html = html(book.description)
            books.append(book)
            texts.append([book.title, book.subtitle, book.lede, book.description])
        books = Book.objects.bulk_create(books)

        links, sections, audience, parts, reviews, items = [], [], [], [], [], []
        for book, text in zip(books, texts, strict=True):
            for position, author in enumerate(rng.sample(authors, rng.randint(1, 2)), 1):
                links.append(BookAuthor(book=book, author=author, position=position))
                text.append(author.name)
            for tag in rng.sample(tags, rng.randint(2, 5)):
                items.append(TaggedItem(content_type=book_type, object_id=book.pk, tag=tag))
                text.append(tag.name)
            body = vocabulary.text(80)
            sections.append(
                Section(
                    book=book, position=1, heading="Philosophy", body=body, body_html=html(body)
                )
            )
            for position in (1, 2):
                audience.append(
                    AudienceItem(book=book, position=position, text=vocabulary.text(12))
                )
            for position in range(1, self.parts + 1):
                summary = vocabulary.text(30)
                parts.append(
                    Part(
                        book=book,
                        position=position,
                        label=str(position),
                        title=vocabulary.title(4),
                        summary=summary,
                        summary_html=html(summary),
                    )
                )
            review_body = vocabulary.text(60)
            reviews.append(
                Review(
                    book=book,
                    reviewer=vocabulary.title(2),
                    source="Synthetic",
                    title=vocabulary.title(5),
                    body=review_body,
                    body_html=html(review_body),
                )
            )
            text += [body, review_body, *(item.text for item in audience[-2:])]
            text += [part.title + " " + part.summary for part in parts[-self.parts :]]
        BookAuthor.objects.bulk_create(links, batch_size=BATCH)
        TaggedItem.objects.bulk_create(items, batch_size=BATCH)
        Section.objects.bulk_create(sections, batch_size=BATCH)
        AudienceItem.objects.bulk_create(audience, batch_size=BATCH)
        parts = Part.objects.bulk_create(parts, batch_size=BATCH)
        reviews = Review.objects.bulk_create(reviews, batch_size=BATCH)

        chapters, takeaways, related = [], [], []
        per_part = [self.chapters // self.parts] * self.parts
        for index in range(self.chapters % self.parts):
            per_part[index] += 1
        by_book = {book.pk: text for book, text in zip(books, texts, strict=True)}
        for index, part in enumerate(parts):
            for position in range(1, per_part[index % self.parts] + 1):
                title, summary = vocabulary.title(4), vocabulary.text(rng.randint(25, 55))
                chapters.append(
                    Chapter(
                        part=part,
                        position=position,
                        title=title,
                        summary=summary,
                        summary_html=html(summary),
                    )
                )
                by_book[part.book_id] += [title, summary]
        for review in reviews:
            for position in (1, 2, 3):
                takeaway = Takeaway(
                    review=review,
                    position=position,
                    title=vocabulary.title(3),
                    text=vocabulary.text(20),
                )
                takeaways.append(takeaway)
                by_book[review.book_id] += [takeaway.title, takeaway.text]
            title = vocabulary.title(3)
            related.append(
                RelatedLink(
                    book_id=review.book_id, title=title, note=vocabulary.text(10), position=1
                )
            )
            by_book[review.book_id] += [title, related[-1].note]
        Chapter.objects.bulk_create(chapters, batch_size=BATCH)
        Takeaway.objects.bulk_create(takeaways, batch_size=BATCH)
        RelatedLink.objects.bulk_create(related, batch_size=BATCH)
        for book in books:
            if book.status == Status.PUBLISHED:
                self.document_frequency.update(set(" ".join(by_book[book.pk]).lower().split()))
