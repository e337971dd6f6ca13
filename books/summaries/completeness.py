"""What a summary still lacks: one checklist, computed by the database for any number of summaries.

``with_completeness(books)`` is the one definition: the admin's dashboard, the
summary's change form and the list of summaries (its column and its filter) all
read the same annotations, through ``checklist(book)``.
"""

from dataclasses import dataclass

from django.db.models import BooleanField, Case, Exists, OuterRef, Q, Value, When
from django.utils.translation import gettext_lazy as _
from taggit.models import TaggedItem

from books.models import AudienceItem, Book, BookAuthor, Chapter, Part, Section
from reviews.models import RelatedLink, Review, Takeaway

# An <img> whose alt text is missing or blank, in stored (sanitised) HTML. Written so that
# Python's re (SQLite's REGEXP) and PostgreSQL's regular expressions read it alike.
IMAGE_WITHOUT_ALT = r'<img(?![^>]*alt="[^"]*[^" ][^"]*")'


def _rows(model, **filters):
    return Exists(model.objects.filter(**filters))


def _images_without_alt():
    book = OuterRef("pk")
    return (
        Q(description_html__regex=IMAGE_WITHOUT_ALT)
        | Q(structure_intro_html__regex=IMAGE_WITHOUT_ALT)
        | _rows(Section, book=book, body_html__regex=IMAGE_WITHOUT_ALT)
        | _rows(Part, book=book, summary_html__regex=IMAGE_WITHOUT_ALT)
        | _rows(Chapter, part__book=book, summary_html__regex=IMAGE_WITHOUT_ALT)
        | _rows(Review, book=book, body_html__regex=IMAGE_WITHOUT_ALT)
    )


def _checks():
    """``(name, label, condition)`` for each item of the checklist; the condition means done."""
    book = OuterRef("pk")
    return [
        ("cover", _("A cover"), ~Q(cover="")),
        ("lede", _("A lede"), ~Q(lede="")),
        ("author_bio", _("An author with a bio"), _rows(BookAuthor, book=book, author__bio__gt="")),
        (
            "chapter_summaries",
            _("Every chapter with a summary"),
            _rows(Chapter, part__book=book) & ~_rows(Chapter, part__book=book, summary=""),
        ),
        ("takeaways", _("A review with takeaways"), _rows(Takeaway, review__book=book)),
        (
            "tags",
            _("Tags"),
            _rows(
                TaggedItem,
                object_id=book,
                content_type__app_label="books",
                content_type__model="book",
            ),
        ),
        ("audience", _("Who the book is for"), _rows(AudienceItem, book=book)),
        (
            "featured_link",
            _("A featured related chapter"),
            _rows(RelatedLink, book=book, featured=True),
        ),
        ("image_alt", _("Alt text on every image"), ~_images_without_alt()),
    ]


CHECK_NAMES = [check[0] for check in _checks()]


def with_completeness(books):
    """``books`` annotated with ``done_<name>`` for each check of the checklist."""
    return books.annotate(
        **{
            f"done_{name}": Case(
                When(condition, then=Value(True)), default=Value(False), output_field=BooleanField()
            )
            for name, _label, condition in _checks()
        }
    )


def complete(books):
    """Of ``books`` (annotated by ``with_completeness``), those with every check done."""
    return books.filter(**{f"done_{name}": True for name in CHECK_NAMES})


def incomplete(books):
    """Of ``books`` (annotated by ``with_completeness``), those missing something."""
    missing = Q()
    for name in CHECK_NAMES:
        missing |= Q(**{f"done_{name}": False})
    return books.filter(missing)


@dataclass
class Check:
    """One item of the checklist, done or not."""

    name: str
    label: str
    done: bool


@dataclass
class Checklist:
    """What a summary has and lacks."""

    checks: list

    @property
    def complete(self):
        return all(check.done for check in self.checks)

    @property
    def missing(self):
        return [check for check in self.checks if not check.done]

    @property
    def done_count(self):
        return sum(check.done for check in self.checks)


def checklist(book):
    """The checklist of ``book``, a row of ``with_completeness()``."""
    return Checklist(
        [Check(name, label, getattr(book, f"done_{name}")) for name, label, _condition in _checks()]
    )


def section_word_counts(book_id):
    """``(label, words)`` for each block of a summary, in page order, from the stored counts."""

    book = Book.objects.filter(pk=book_id).values("word_count").first() or {"word_count": 0}
    counts = [(_("Book facts and introduction"), book["word_count"])]
    counts += [
        (_("Section: %s") % heading, words)
        for heading, words in Section.objects.filter(book_id=book_id).values_list(
            "heading", "word_count"
        )
    ]
    chapter_words = {}
    for part_id, words in Chapter.objects.filter(part__book_id=book_id).values_list(
        "part_id", "word_count"
    ):
        chapter_words[part_id] = chapter_words.get(part_id, 0) + words
    counts += [
        (_("Part: %s") % title, words + chapter_words.get(pk, 0))
        for pk, title, words in Part.objects.filter(book_id=book_id).values_list(
            "pk", "title", "word_count"
        )
    ]
    audience = sum(
        AudienceItem.objects.filter(book_id=book_id).values_list("word_count", flat=True)
    )
    if audience:
        counts.append((_("Who the book is for"), audience))
    review = Review.objects.filter(book_id=book_id).values_list("word_count", flat=True).first()
    if review is not None:
        takeaways = Takeaway.objects.filter(review__book_id=book_id).values_list(
            "word_count", flat=True
        )
        counts.append((_("Review and takeaways"), review + sum(takeaways)))
    return counts
