"""factory-boy factories: one per model."""

from datetime import timedelta

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from books.models import AudienceItem, Author, Book, BookAuthor, Chapter, Part, Section, Status
from reviews.models import RelatedLink, Review, Takeaway


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("a-long-test-password")


class AuthorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Author

    name = factory.Faker("name")
    bio = factory.Faker("paragraph")
    website = factory.Faker("url")


class BookFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Book
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Book number {n}")
    lede = factory.Faker("sentence")
    description = factory.Faker("paragraph")
    publisher = "Example Press"
    year = 2024
    pages = 300
    status = Status.PUBLISHED
    published_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))

    class Params:
        draft = factory.Trait(status=Status.DRAFT, published_at=None)
        scheduled = factory.Trait(
            published_at=factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))
        )

    @factory.post_generation
    def tags(self, create, extracted, **kwargs):
        if create and extracted:
            self.tags.add(*extracted)


class BookAuthorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BookAuthor

    book = factory.SubFactory(BookFactory)
    author = factory.SubFactory(AuthorFactory)
    position = factory.Sequence(lambda n: n + 1)


class SectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Section

    book = factory.SubFactory(BookFactory)
    position = factory.Sequence(lambda n: n + 1)
    heading = factory.Faker("sentence", nb_words=3)
    body = factory.Faker("paragraph")


class AudienceItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AudienceItem

    book = factory.SubFactory(BookFactory)
    position = factory.Sequence(lambda n: n + 1)
    text = factory.Faker("sentence")


class PartFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Part

    book = factory.SubFactory(BookFactory)
    position = factory.Sequence(lambda n: n + 1)
    label = factory.Sequence(lambda n: str(n + 1))
    title = factory.Faker("sentence", nb_words=4)
    summary = factory.Faker("paragraph")


class ChapterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Chapter

    part = factory.SubFactory(PartFactory)
    position = factory.Sequence(lambda n: n + 1)
    title = factory.Faker("sentence", nb_words=4)
    summary = factory.Faker("paragraph")


class ReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Review

    book = factory.SubFactory(BookFactory)
    reviewer = factory.Faker("name")
    source = "Telegram: Book Cube"
    url = "https://t.me/book_cube"
    title = factory.Faker("sentence")
    body = factory.Faker("paragraph")


class TakeawayFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Takeaway

    review = factory.SubFactory(ReviewFactory)
    position = factory.Sequence(lambda n: n + 1)
    title = factory.Faker("sentence", nb_words=3)
    text = factory.Faker("sentence")


class RelatedLinkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RelatedLink

    book = factory.SubFactory(BookFactory)
    target = factory.SubFactory(BookFactory)
    note = factory.Faker("sentence")
    position = factory.Sequence(lambda n: n + 1)


def record_revision(book, *, user=None, comment):
    """Record the summary ``book`` as it is now as a revision of its own, as a save would."""
    from books.summaries import ALL_LINKS, load_summaries
    from books.summaries.revisions import record_revisions

    summaries = load_summaries(Book.objects.filter(pk=book.pk), links=ALL_LINKS)
    record_revisions(summaries, user=user, comment=comment)


def build_summary(*, parts=3, chapters_per_part=4, authors=2, tags=("llm", "nlp"), **book_fields):
    """A complete summary: authors, sections, parts with chapters, audience, review, links."""
    book = BookFactory(tags=list(tags), **book_fields)
    for position in range(1, authors + 1):
        BookAuthorFactory(book=book, position=position)
    SectionFactory(book=book, position=1, heading="Philosophy of the book")
    for position in range(1, 3):
        AudienceItemFactory(book=book, position=position)
    for part_position in range(1, parts + 1):
        part = PartFactory(book=book, position=part_position)
        for chapter_position in range(1, chapters_per_part + 1):
            ChapterFactory(part=part, position=chapter_position)
    review = ReviewFactory(book=book)
    for position in range(1, 4):
        TakeawayFactory(review=review, position=position)
    RelatedLinkFactory(book=book, position=1, featured=True)
    RelatedLinkFactory(book=book, position=2, target=None, title="Not in the library yet")
    # What the commit does after rows are saved on their own (books.changes): tests never commit.
    Book.objects.filter(pk=book.pk).recount_reading_time()
    book.refresh_from_db(fields=["reading_words"])
    return book
