"""The library's content: authors, books (one summary each), their parts and chapters."""

import secrets
import string
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.validators import (
    MaxValueValidator,
    MinValueValidator,
    ProhibitNullCharactersValidator,
)
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import cached_property
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from markdownx.models import MarkdownxField
from taggit.managers import TaggableManager

from .images import image_extension, reencode_image, validate_cover
from .markdown import RenderedMarkdownMixin
from .reading import CountedWords, reading_minutes, reading_words_sum

# Every text a person types is refused with a NUL character in it: PostgreSQL cannot
# store one, so a library that accepted one on SQLite could not be restored there.
# The admin's forms and the summary-file schema both run the fields' validators.
NUL_FREE = ProhibitNullCharactersValidator()
# The longest Markdown or prose field: far above any summary's, and a bound for the
# import's reader (books/summaries/format.py) before it builds a string.
TEXT_MAX_LENGTH = 100_000

# Positions are parked above this offset while an ordered list is re-saved, so
# that a reorder never collides with the unique position constraint.
POSITION_PARKING_OFFSET = 1_000_000


def unique_slug(model, value, *, exclude_pk=None, max_length=None, taken=()):
    """Return a unicode slug for ``value`` that no other ``model`` row uses yet, nor ``taken``."""
    max_length = max_length or model._meta.get_field("slug").max_length
    base = slugify(value, allow_unicode=True)[:max_length].strip("-") or "item"
    rows = model._default_manager.all()
    if exclude_pk is not None:
        rows = rows.exclude(pk=exclude_pk)
    candidate, number = base, 2
    while candidate in taken or rows.filter(slug=candidate).exists():
        suffix = f"-{number}"
        candidate = f"{base[: max_length - len(suffix)].strip('-')}{suffix}"
        number += 1
    return candidate


def validate_isbn(value):
    """Accept an ISBN-10 or ISBN-13 (hyphens and spaces allowed) with a valid check digit."""
    digits = value.replace("-", "").replace(" ", "").upper()
    if len(digits) == 10 and digits[:9].isdigit() and (digits[9].isdigit() or digits[9] == "X"):
        total = sum((10 - i) * (10 if c == "X" else int(c)) for i, c in enumerate(digits))
        if total % 11 == 0:
            return
    elif len(digits) == 13 and digits.isdigit():
        total = sum((1 if i % 2 == 0 else 3) * int(c) for i, c in enumerate(digits))
        if total % 10 == 0:
            return
    raise ValidationError(
        _("Enter a valid ISBN-10 or ISBN-13; the check digit does not match."), code="invalid_isbn"
    )


def cover_upload_to(instance, filename):
    """Store covers under a random name and the extension of their real format.

    The uploader's file name is never trusted: a PNG named ``page.html`` is stored
    as ``covers/<random>.png``.
    """
    return f"covers/{uuid.uuid4().hex}.{image_extension(instance.cover)}"


def delete_unused_cover(name):
    """Delete the cover file ``name`` unless a summary still shows it."""
    if name and not Book.objects.filter(cover=name).exists():
        Book._meta.get_field("cover").storage.delete(name)


class StaleSummaryError(Exception):
    """Saving a summary that someone else changed since it was loaded (lost-update protection)."""

    def __init__(self, book, current_version):
        self.book = book
        self.current_version = current_version
        super().__init__(
            f"{book} was changed by someone else (version {current_version}, "
            f"this copy was loaded at version {book.version})."
        )


class Status(models.TextChoices):
    """Whether a summary is still being written or meant for readers."""

    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


def default_language():
    """The site's language (``LANGUAGE_CODE``): what a new summary is written in by default."""
    return settings.LANGUAGE_CODE


class SummaryRowsMixin:
    """A model whose rows belong to summaries: ``summary_ids()`` names the summaries showing a row.

    ``books.changes`` marks those summaries changed whenever a row is saved or deleted.
    """

    def summary_ids(self):
        return {self.book_id}


class AuthorQuerySet(models.QuerySet):
    """Queries over authors."""

    def published(self):
        """Authors of at least one published summary, with ``lastmod``: their newest change."""
        return self.filter(books__in=Book.objects.published()).annotate(
            lastmod=models.Max("books__updated_at")
        )


class Author(RenderedMarkdownMixin, models.Model):
    """A person who wrote one or more books in the library."""

    name = models.CharField(
        _("name"),
        validators=[NUL_FREE],
        max_length=200,
        help_text=_("Full name as printed on the cover."),
    )
    slug = models.SlugField(
        _("slug"),
        validators=[NUL_FREE],
        max_length=220,
        allow_unicode=True,
        blank=True,
        help_text=_("Used in the author's URL. Leave empty to derive it from the name."),
    )
    bio = MarkdownxField(
        _("bio"),
        validators=[NUL_FREE],
        max_length=TEXT_MAX_LENGTH,
        blank=True,
        help_text=_("A short biography in Markdown: who they are and why they matter."),
    )
    bio_html = models.TextField(blank=True, editable=False)
    website = models.URLField(
        _("website"),
        validators=[NUL_FREE],
        blank=True,
        help_text=_("The author's own site, shown as a link."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    markdown_fields = {"bio": "bio_html"}

    objects = AuthorQuerySet.as_manager()

    class Meta:
        verbose_name = _("author")
        verbose_name_plural = _("authors")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["slug"], name="author_unique_slug")]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(Author, self.name, exclude_pk=self.pk)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("books:author", kwargs={"slug": self.slug})

    def summary_ids(self):
        """The author's summaries, and those whose related links show one of them."""
        books = set(self.book_links.values_list("book_id", flat=True))
        return books | Book.objects.linking_to(books)


# SQLite's LOWER() folds A-Z only; PostgreSQL's every letter.
_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)


def lowered_forms(titles):
    """Each of ``titles`` as either database's ``LOWER()`` lowers it: what a ``Lower(...)``
    column is compared with to match a title typed in any case."""
    return {form for title in titles for form in (title.lower(), title.translate(_ASCII_LOWER))}


class BookQuerySet(models.QuerySet):
    """Queries over books; ``published()`` is the one definition of what the public may see."""

    @staticmethod
    def _public():
        now = timezone.now()
        return Q(status=Status.PUBLISHED, published_at__lte=now) & (
            Q(unpublish_at__isnull=True) | Q(unpublish_at__gt=now)
        )

    def published(self):
        """Summaries readers may see: published, their publication time has come, and their
        unpublication time (if any) has not."""
        return self.filter(self._public())

    def hidden(self):
        """Summaries readers may not see: every one that ``published()`` leaves out."""
        return self.exclude(self._public())

    def tagged(self, *tags):
        """Books carrying every one of ``tags`` (one join per tag, so the tags narrow)."""
        books = self
        for tag in tags:
            books = books.filter(tags=tag)
        return books

    def sharing_tags(self, book, tags):
        """Books other than ``book`` (an id) carrying some of ``tags`` (tags, their ids or a
        query of ids), the most shared tags first."""
        return (
            self.filter(tags__in=tags)
            .exclude(pk=book)
            .annotate(shared_tags=models.Count("tags"))
            .order_by("-shared_tags", F("published_at").desc(nulls_last=True), "-id")
        )

    def scheduled(self):
        """Summaries set to publish at a future time: not public yet."""
        return self.filter(status=Status.PUBLISHED, published_at__gt=timezone.now())

    def withdrawn(self):
        """Published summaries whose unpublication time has passed: hidden from readers again."""
        return self.filter(status=Status.PUBLISHED, unpublish_at__lte=timezone.now())

    def visible_to(self, user):
        """What ``user`` may open: everything for active staff (previews), else ``published()``."""
        if user.is_active and user.is_staff:
            return self
        return self.published()

    def with_authors(self):
        """Prefetch the authors in their stated order, for cards and lists."""
        return self.prefetch_related(
            models.Prefetch(
                "book_authors",
                queryset=BookAuthor.objects.select_related("author").order_by("position"),
            )
        )

    def recount_reading_time(self):
        """Store each summary's ``reading_words``: the words of all its rows, added up anew."""
        return self.update(reading_words=reading_words_sum())

    def linking_to(self, book_ids):
        """Ids of the summaries whose related links lead to one of ``book_ids`` (they show its
        title and authors), picked or typed as a title."""
        if not book_ids:
            return set()
        linking = self.filter(related_links__target__in=book_ids).order_by()
        # Links that typed a title: the summary with that title is linked on their pages.
        titles = lowered_forms(Book.objects.filter(pk__in=book_ids).values_list("title", flat=True))
        links = self.model._meta.get_field("related_links").related_model
        typed = (
            links.objects.annotate(typed=Lower("title"))
            .filter(target__isnull=True, typed__in=titles)
            .values_list("book_id", flat=True)
        )
        return set(linking.values_list("pk", flat=True)) | set(typed) | self.translating(book_ids)

    def translating(self, book_ids):
        """Ids of the other summaries in the translation groups of ``book_ids``: their pages
        name one of ``book_ids`` as a translation (hreflang, “Read in English”)."""
        if not book_ids:
            return set()
        roots = set(book_ids) | set(
            Book.objects.filter(pk__in=book_ids, translation_of__isnull=False).values_list(
                "translation_of", flat=True
            )
        )
        group = self.filter(Q(pk__in=roots) | Q(translation_of__in=roots)).order_by()
        return set(group.values_list("pk", flat=True)) - set(book_ids)

    def in_language(self, language):
        """Summaries written in ``language``; all of them when it is None."""
        return self if language is None else self.filter(language=language)


class Book(SummaryRowsMixin, RenderedMarkdownMixin, CountedWords):
    """A book and its summary: the facts, the opening hook, the description and the structure."""

    title = models.CharField(_("title"), validators=[NUL_FREE], max_length=300)
    subtitle = models.CharField(_("subtitle"), validators=[NUL_FREE], max_length=300, blank=True)
    slug = models.SlugField(
        _("slug"),
        validators=[NUL_FREE],
        max_length=320,
        allow_unicode=True,
        help_text=_(
            "The last part of the summary's address (/books/…/). Filled in from the title."
        ),
    )
    authors = models.ManyToManyField(
        Author, through="BookAuthor", related_name="books", verbose_name=_("authors")
    )
    publisher = models.CharField(
        _("publisher"),
        validators=[NUL_FREE],
        max_length=200,
        blank=True,
        help_text=_("E.g. O'Reilly Media, Inc."),
    )
    year = models.PositiveSmallIntegerField(
        _("year"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1450), MaxValueValidator(2100)],
        help_text=_("Year of publication of the edition summarised."),
    )
    pages = models.PositiveIntegerField(
        _("pages"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Length of the printed book in pages."),
    )
    isbn = models.CharField(
        _("ISBN"),
        max_length=17,
        blank=True,
        validators=[validate_isbn, NUL_FREE],
        help_text=_("Optional ISBN-10 or ISBN-13; hyphens are fine."),
    )
    cover = models.ImageField(
        _("cover"),
        upload_to=cover_upload_to,
        blank=True,
        validators=[validate_cover],
        help_text=_("Optional cover image (PNG, JPEG, WebP or GIF)."),
    )
    lede = models.TextField(
        _("lede"),
        validators=[NUL_FREE],
        max_length=600,
        blank=True,
        help_text=_(
            "The opening hook: one to three sentences that make a reader want more. Plain text."
        ),
    )
    description = MarkdownxField(
        _("description"),
        validators=[NUL_FREE],
        max_length=TEXT_MAX_LENGTH,
        blank=True,
        help_text=_("What the book is and covers, in Markdown. Shown under the book facts."),
    )
    description_html = models.TextField(blank=True, editable=False)
    authors_intro = models.TextField(
        _("authors intro"),
        validators=[NUL_FREE],
        max_length=TEXT_MAX_LENGTH,
        blank=True,
        help_text=_("Optional sentence shown above the author bios under “About the authors”."),
    )
    structure_intro = MarkdownxField(
        _("structure intro"),
        validators=[NUL_FREE],
        max_length=TEXT_MAX_LENGTH,
        blank=True,
        help_text=_(
            "Optional overview shown under “Book structure”, above the parts and chapters."
        ),
    )
    structure_intro_html = models.TextField(blank=True, editable=False)
    tags = TaggableManager(
        blank=True,
        help_text=_("Topics readers browse by, separated by commas."),
        verbose_name=_("tags"),
    )
    language = models.CharField(
        _("language"),
        max_length=10,
        choices=settings.LANGUAGES,
        default=default_language,
        help_text=_("The language the summary is written in: search analyses its words in it."),
    )
    translation_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="translations",
        verbose_name="translation of",
        help_text="The summary of the same book in another language, if the library has one. "
        "Each page then links to the other, for readers and search engines. A third "
        "language names the same summary.",
    )
    seo_title = models.CharField(
        _("SEO title"),
        validators=[NUL_FREE],
        max_length=120,
        blank=True,
        help_text=_(
            "Optional: the title search engines and social cards show (about 60 "
            "characters). Empty means the book's title."
        ),
    )
    seo_description = models.CharField(
        _("SEO description"),
        validators=[NUL_FREE],
        max_length=300,
        blank=True,
        help_text=_(
            "Optional: the description search engines and social cards show (about 155 "
            "characters). Empty means the lede."
        ),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.DRAFT)
    published_at = models.DateTimeField(
        _("published at"),
        null=True,
        blank=True,
        help_text=_(
            "When readers may see it. Empty means “now” when published; "
            "a future time schedules the summary."
        ),
    )
    unpublish_at = models.DateTimeField(
        _("unpublish at"),
        null=True,
        blank=True,
        help_text=_(
            "Optional: when readers stop seeing it (e.g. the end of an offer). "
            "Empty means it stays public."
        ),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    version = models.PositiveIntegerField(
        default=1,
        editable=False,
        help_text="Goes up by one on every save; a save from an older version is refused.",
    )
    reading_words = models.PositiveIntegerField(
        default=0,
        editable=False,
        help_text="Words in the whole summary, every row included: its reading time.",
    )
    edited_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text=(
            "When an editor last changed what the summary says (feeds' <updated>); "
            "a save or re-import that changes nothing leaves it."
        ),
    )
    content_digest = models.CharField(
        max_length=64,
        blank=True,
        editable=False,
        help_text="A digest of everything an editor wrote: tells a real edit from a re-save.",
    )
    share_card = models.ImageField(
        upload_to="share-cards/",
        blank=True,
        editable=False,
        help_text="The 1200 x 630 picture shown when the summary is shared; drawn on save.",
    )
    share_card_digest = models.CharField(max_length=64, blank=True, editable=False)

    markdown_fields = {"description": "description_html", "structure_intro": "structure_intro_html"}
    counted_fields = (
        "title", "subtitle", "lede", "description_html", "authors_intro", "structure_intro_html",
    )  # fmt: skip
    book_path = None  # the summary itself

    objects = BookQuerySet.as_manager()

    class Meta:
        verbose_name = _("book")
        verbose_name_plural = _("books")
        ordering = [F("published_at").desc(nulls_last=True), "-id"]
        constraints = [
            models.UniqueConstraint(fields=["slug"], name="book_unique_slug"),
            models.CheckConstraint(
                condition=Q(status=Status.DRAFT) | Q(published_at__isnull=False),
                name="book_published_has_date",
                violation_error_message=_("A published summary needs a publication date."),
            ),
            models.CheckConstraint(
                condition=Q(unpublish_at__isnull=True)
                | Q(published_at__isnull=True)
                | Q(unpublish_at__gt=F("published_at")),
                name="book_unpublish_after_publish",
                violation_error_message=_(
                    "The unpublication time must come after the publication time."
                ),
            ),
            models.CheckConstraint(
                condition=Q(translation_of__isnull=True) | ~Q(translation_of=F("pk")),
                name="book_translation_not_self",
                violation_error_message=_("A summary cannot be its own translation."),
            ),
            models.UniqueConstraint(
                fields=["translation_of", "language"],
                name="book_one_translation_per_language",
                violation_error_message=_(
                    "That summary already has a translation in this language."
                ),
            ),
        ]
        # Every column of ``published()``: a reader's query tells public summaries apart in the
        # index alone, without reading each row (on SQLite ``unpublish_at``, a late column,
        # sits past the long texts in each row's overflow pages).
        indexes = [
            models.Index(
                fields=["status", "published_at", "unpublish_at"], name="book_published_idx"
            ),
            # Related links that type a title find their summary in any case.
            models.Index(Lower("title"), name="book_title_lower_idx"),
        ]

    def __str__(self):
        return self.title

    def clean(self):
        super().clean()
        self.clean_translation()

    def clean_translation(self):
        """A translation names the group's first summary, in another language than the rest.

        Naming a summary that is itself a translation names the one it translates
        instead, so that a group has one centre: en ← ru, en ← de.
        """
        target = self.translation_of
        if target is None:
            return
        if target.translation_of_id is not None:
            target = self.translation_of = target.translation_of
        if self.pk is not None and target.pk == self.pk:
            raise ValidationError(
                {
                    "translation_of": _(
                        "This summary is already linked to that one as its translation."
                    )
                }
            )
        if self.pk is not None and Book.objects.filter(translation_of=self.pk).exists():
            raise ValidationError(
                {
                    "translation_of": _(
                        "Other summaries name this one as their translation: "
                        "link this one from them instead (leave this field empty)."
                    )
                }
            )
        group = Book.objects.filter(Q(pk=target.pk) | Q(translation_of=target.pk))
        same = group.exclude(pk=self.pk).filter(language=self.language).first()
        if same is not None:
            raise ValidationError(
                {
                    "translation_of": _(
                        "“%(summary)s” is already the summary in %(language)s: "
                        "a book has one summary per language."
                    )
                    % {"summary": same, "language": self.get_language_display()}
                }
            )

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(Book, self.title, exclude_pk=self.pk)
        if self.status == Status.PUBLISHED and self.published_at is None:
            self.published_at = timezone.now()
        self._reencode_new_cover()
        if self._state.adding:
            super().save(*args, **kwargs)
            return
        with transaction.atomic(using=kwargs.get("using")):
            self.version = (self.check_version() or 0) + 1
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "version", "updated_at"}
            replaced, self._former_translation_of = Book.objects.filter(pk=self.pk).values_list(
                "cover", "translation_of"
            ).first() or (None, None)
            super().save(*args, **kwargs)
            if replaced and replaced != self.cover.name:
                transaction.on_commit(
                    lambda: delete_unused_cover(replaced), using=kwargs.get("using")
                )

    def _reencode_new_cover(self):
        """An uploaded cover is stored re-encoded, as Markdown images are: what the editor's file
        carried besides the picture (metadata, appended bytes) is dropped."""
        if self.cover and not getattr(self.cover, "_committed", True):
            data, extension = reencode_image(self.cover)
            self.cover = ContentFile(data, name=f"cover.{extension}")

    def check_version(self):
        """Lost-update protection, the one check: lock the row and refuse a stale copy.

        Returns the version in the database (None when the summary is not there).
        ``version`` must be the one this copy was loaded (or opened in a form) at;
        when another save came since, ``StaleSummaryError`` is raised. The lock
        holds until the transaction commits, so two concurrent saves cannot both pass.
        """
        current = (
            Book.objects.select_for_update()
            .filter(pk=self.pk)
            .values_list("version", flat=True)
            .first()
        )
        if current is not None and current != self.version:
            raise StaleSummaryError(self, current)
        return current

    def summary_ids(self):
        """This summary, those whose related links show its title, its translations, and
        those it was a translation of until this save."""
        former = getattr(self, "_former_translation_of", None)
        # The write path marks the summaries linking to all it saved at once, when it ends.
        in_write = getattr(self, "saved_by_write_path", False)
        ids = {self.pk} | (set() if in_write else Book.objects.linking_to([self.pk]))
        return ids | ({former} | Book.objects.translating([former]) if former else set())

    def get_absolute_url(self):
        return reverse("books:detail", kwargs={"slug": self.slug})

    def url_in_own_language(self):
        """The summary's address in the interface of its own language (/…, /ru/…)."""
        with translation.override(self.language):
            return self.get_absolute_url()

    def translations_shown(self):
        """Its published translations (the other languages' summaries of the same book)."""
        root = self.translation_of_id or self.pk
        group = Book.objects.filter(Q(pk=root) | Q(translation_of=root)).values("pk")
        return (
            Book.objects.published()
            .filter(pk__in=group)  # found through the keys first, then checked to be public
            .exclude(pk=self.pk)
            .only("slug", "title", "language")
            .order_by("language")
        )

    @property
    def last_edited(self):
        """When the summary last changed for readers: its last edit, or its publication if later."""
        moments = [moment for moment in (self.edited_at, self.published_at) if moment]
        return max(moments) if moments else self.updated_at

    @property
    def reading_minutes(self):
        """Minutes to read the whole summary."""
        return reading_minutes(self.reading_words)

    @property
    def is_scheduled(self):
        """True when the summary is published for a time that has not come yet."""
        return (
            self.status == Status.PUBLISHED
            and self.published_at is not None
            and self.published_at > timezone.now()
        )

    @property
    def is_public(self):
        """True when readers can see this summary now (the instance twin of ``published()``)."""
        now = timezone.now()
        return (
            self.status == Status.PUBLISHED
            and self.published_at is not None
            and self.published_at <= now
            and (self.unpublish_at is None or self.unpublish_at > now)
        )

    @property
    def is_withdrawn(self):
        """True when the summary was published and its unpublication time has passed."""
        return (
            self.status == Status.PUBLISHED
            and self.unpublish_at is not None
            and self.unpublish_at <= timezone.now()
        )

    @property
    def seo_title_text(self):
        """The title search engines and social cards show."""
        return self.seo_title or self.title

    @property
    def seo_description_text(self):
        """The description search engines and social cards show."""
        return self.seo_description or self.lede or self.subtitle

    @cached_property
    def ordered_authors(self):
        """Authors in their stated order (uses the prefetch from ``with_authors()``).

        A page that loads the authors of several summaries in one query sets it.
        """
        return [link.author for link in self.book_authors.all()]


class BookAuthor(SummaryRowsMixin, models.Model):
    """Links a book to one of its authors, in the order printed on the cover."""

    book = models.ForeignKey(
        Book, on_delete=models.CASCADE, related_name="book_authors", verbose_name=_("book")
    )
    author = models.ForeignKey(
        Author, on_delete=models.PROTECT, related_name="book_links", verbose_name=_("author")
    )
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        verbose_name_plural = _("author credits")
        ordering = ["book", "position"]
        # Not "author": deleting a summary deletes its credits, never the authors themselves.
        verbose_name = _("author credit")
        constraints = [
            models.UniqueConstraint(fields=["book", "position"], name="bookauthor_unique_position"),
            models.UniqueConstraint(fields=["book", "author"], name="bookauthor_unique_author"),
        ]

    def __str__(self):
        return f"{self.author}, credited on “{self.book}”"


class Section(SummaryRowsMixin, RenderedMarkdownMixin, CountedWords):
    """A free prose section of a summary, such as “Philosophy of the book”."""

    book = models.ForeignKey(
        Book, on_delete=models.CASCADE, related_name="sections", verbose_name=_("book")
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    heading = models.CharField(
        _("heading"),
        validators=[NUL_FREE],
        max_length=200,
        help_text=_("E.g. “Philosophy of the book”."),
    )
    body = MarkdownxField(
        _("body"),
        validators=[NUL_FREE],
        max_length=TEXT_MAX_LENGTH,
        help_text=_("The section's text in Markdown."),
    )
    body_html = models.TextField(blank=True, editable=False)

    markdown_fields = {"body": "body_html"}
    counted_fields = ("heading", "body_html")

    class Meta:
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        ordering = ["book", "position"]
        constraints = [
            models.UniqueConstraint(fields=["book", "position"], name="section_unique_position"),
        ]

    def __str__(self):
        return self.heading


class AudienceItem(SummaryRowsMixin, CountedWords):
    """One entry of the “Who is this book for?” list."""

    book = models.ForeignKey(
        Book, on_delete=models.CASCADE, related_name="audience", verbose_name=_("book")
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    text = models.CharField(
        _("text"),
        validators=[NUL_FREE],
        max_length=300,
        help_text=_("One kind of reader, e.g. “Engineers who…”."),
    )

    counted_fields = ("text",)

    class Meta:
        ordering = ["book", "position"]
        verbose_name = _("reader this book is for")
        verbose_name_plural = _("who this book is for")
        constraints = [
            models.UniqueConstraint(fields=["book", "position"], name="audience_unique_position"),
        ]

    def __str__(self):
        return self.text


class Part(SummaryRowsMixin, RenderedMarkdownMixin, CountedWords):
    """A part of a book, grouping its chapters (e.g. “I. Understanding language models”)."""

    book = models.ForeignKey(
        Book, on_delete=models.CASCADE, related_name="parts", verbose_name=_("book")
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    label = models.CharField(
        _("label"),
        validators=[NUL_FREE],
        max_length=20,
        blank=True,
        help_text=_("Numbering as printed: “I”, “2”…"),
    )
    title = models.CharField(_("title"), validators=[NUL_FREE], max_length=300)
    summary = MarkdownxField(
        pgettext_lazy("the text of a part or chapter", "summary"),
        validators=[NUL_FREE],
        max_length=TEXT_MAX_LENGTH,
        blank=True,
        help_text=_("What this part covers, in Markdown."),
    )
    summary_html = models.TextField(blank=True, editable=False)

    markdown_fields = {"summary": "summary_html"}
    counted_fields = ("title", "summary_html")

    class Meta:
        verbose_name = _("part")
        verbose_name_plural = _("parts")
        ordering = ["book", "position"]
        constraints = [
            models.UniqueConstraint(fields=["book", "position"], name="part_unique_position"),
        ]

    def __str__(self):
        return f"{self.label}. {self.title}" if self.label else self.title


class Chapter(SummaryRowsMixin, RenderedMarkdownMixin, CountedWords):
    """A chapter of a part, with its short summary."""

    part = models.ForeignKey(
        Part, on_delete=models.CASCADE, related_name="chapters", verbose_name=_("part")
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    title = models.CharField(_("title"), validators=[NUL_FREE], max_length=300)
    summary = MarkdownxField(
        pgettext_lazy("the text of a part or chapter", "summary"),
        validators=[NUL_FREE],
        max_length=TEXT_MAX_LENGTH,
        blank=True,
        help_text=_("A short summary of the chapter in Markdown."),
    )
    summary_html = models.TextField(blank=True, editable=False)

    markdown_fields = {"summary": "summary_html"}
    counted_fields = ("title", "summary_html")
    book_path = "part__book"

    class Meta:
        verbose_name = _("chapter")
        verbose_name_plural = _("chapters")
        ordering = ["part", "position"]
        constraints = [
            models.UniqueConstraint(fields=["part", "position"], name="chapter_unique_position"),
        ]

    def __str__(self):
        return self.title

    @property
    def anchor(self):
        """The chapter's fragment id on the summary page: ``chapter-<part>-<chapter>``."""
        return chapter_anchor(self.part.position, self.position)

    def summary_ids(self):
        return {self.part.book_id}


def chapter_anchor(part_position, chapter_position):
    """Fragment id of a chapter on its summary page, shared by the page and search results."""
    return f"chapter-{part_position}-{chapter_position}"


class TagRedirect(models.Model):
    """A tag slug that is no longer in use, and the tag its old URLs now lead to (301).

    Created when tags are merged or a tag's slug is changed in the admin.
    """

    old_slug = models.SlugField(
        _("old slug"), validators=[NUL_FREE], max_length=100, allow_unicode=True
    )
    tag = models.ForeignKey(
        "taggit.Tag", on_delete=models.CASCADE, related_name="redirects", verbose_name=_("tag")
    )
    old_tag_id = models.BigIntegerField(
        null=True,
        blank=True,
        editable=False,
        help_text=(
            "The id of the merged tag that had this slug: older versions of a summary "
            "refer to it, and a restore follows it here."
        ),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("tag redirect")
        verbose_name_plural = _("tag redirects")
        ordering = ["old_slug"]
        constraints = [
            models.UniqueConstraint(fields=["old_slug"], name="tagredirect_unique_old_slug"),
        ]

    def __str__(self):
        return f"{self.old_slug} → {self.tag.slug}"


def other_languages():
    """The site's languages other than its default: a tag's own name is in the default one."""
    return [(code, name) for code, name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]


class TagTranslation(models.Model):
    """A tag's name and slug in another language than the site's default (its own name's).

    Readers of that language see this name, and the tag's page at this slug
    (/ru/tags/<slug>/); the tag's own slug still leads there (301).
    """

    tag = models.ForeignKey("taggit.Tag", on_delete=models.CASCADE, related_name="translations")
    language = models.CharField(max_length=10, choices=other_languages)
    name = models.CharField(
        validators=[NUL_FREE],
        max_length=100,
        help_text=_("The tag's name as readers of this language see it, e.g. “Машинное обучение”."),
    )
    slug = models.SlugField(
        validators=[NUL_FREE],
        max_length=100,
        allow_unicode=True,
        blank=True,
        help_text=_(
            "The tag's address in this language (/ru/tags/…/). Leave empty to derive it "
            "from the name."
        ),
    )

    class Meta:
        ordering = ["tag", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["tag", "language"],
                name="tagtranslation_one_per_language",
                violation_error_message=_("This tag already has a name in this language."),
            ),
            models.UniqueConstraint(
                fields=["language", "slug"],
                name="tagtranslation_unique_slug",
                violation_error_message=_("Another tag already has this slug in this language."),
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.language})"

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = self.derived_slug()
        old_slug = None
        if self.pk is not None:
            old_slug = (
                TagTranslation.objects.filter(pk=self.pk).values_list("slug", flat=True).first()
            )
        super().save(*args, **kwargs)
        if old_slug and old_slug != self.slug:
            # The old address keeps leading to the tag, as a tag's own slug change does.
            TagRedirect.objects.filter(old_slug=self.slug).delete()
            TagRedirect.objects.update_or_create(
                old_slug=old_slug, defaults={"tag_id": self.tag_id}
            )

    def derived_slug(self):
        """The slug of the name, when an editor or a file gives none."""
        return slugify(self.name, allow_unicode=True)[:100].strip("-") or "tag"

    def summary_ids(self):
        """The summaries carrying the tag: their pages and cards show its name."""
        return set(Book.objects.filter(tags=self.tag_id).values_list("pk", flat=True))


class LibraryVersion(models.Model):
    """A random token that changes whenever any summary changes: part of every cached list's key.

    One row. Home, tag, author pages, feeds and the sitemap are cached under the
    token that was current when they were rendered; replacing it (``books.cache``)
    retires them all at once, in every process, without deleting anything.
    """

    token = models.BigIntegerField()
    changed_at = models.DateTimeField(auto_now=True)
    next_publication = models.DateTimeField(
        null=True, help_text="When the next scheduled summary becomes public: pages change then."
    )

    def __str__(self):
        return f"library version {self.token:x}"


class SummaryVersion(models.Model):
    """A random token per summary page, replaced whenever something that page shows changes.

    ``book_id`` is a plain number, not a foreign key, so the row outlives a
    deleted summary until its neighbours' pages are retired. ``tag_ids`` are the
    tags the summary had at the last change: the pages whose “more like this”
    may have shown it through a tag it has since lost.
    """

    book_id = models.BigIntegerField(primary_key=True)
    token = models.BigIntegerField()
    tag_ids = models.JSONField(default=list)
    slug = models.CharField(
        max_length=320,
        blank=True,
        help_text=(
            "The summary's slug at the last change: its token in a shared cache is under it."
        ),
    )

    def __str__(self):
        return f"summary {self.book_id} version {self.token:x}"


def new_share_token():
    return secrets.token_urlsafe(24)


class ShareLinkQuerySet(models.QuerySet):
    """Queries over share links."""

    def live(self):
        """Links that still open their summary: not revoked, not expired."""
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())


class ShareLink(models.Model):
    """A link that lets someone without an account read one unpublished summary.

    It shows the summary as it is when opened, and works until it expires or an
    editor revokes it: saving the summary does not end it.
    """

    book = models.ForeignKey(
        Book, on_delete=models.CASCADE, related_name="share_links", verbose_name=_("book")
    )
    token = models.CharField(max_length=64, default=new_share_token, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    objects = ShareLinkQuerySet.as_manager()

    class Meta:
        verbose_name = _("share link")
        verbose_name_plural = _("share links")
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["token"], name="sharelink_unique_token")]

    def __str__(self):
        return f"share link to {self.book} until {self.expires_at:%Y-%m-%d %H:%M}"

    def get_absolute_url(self):
        return reverse("books:preview", kwargs={"token": self.token})


def refresh_statistics(using=DEFAULT_DB_ALIAS):
    """Give the query planner fresh statistics after a bulk write (an import, a re-index).

    SQLite keeps none until ``ANALYZE`` runs, and without them it reads the readers' queries
    on a large library the slow way (docs/operations.md, "SQLite"); PostgreSQL's autovacuum
    keeps its own, so there this does nothing.
    """
    connection = connections[using]
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
