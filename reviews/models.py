"""A book's review from an external source, its takeaways, and links to related summaries."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from markdownx.models import MarkdownxField

from books.markdown import RenderedMarkdownMixin
from books.models import NUL_FREE, TEXT_MAX_LENGTH, Book, SummaryRowsMixin
from books.reading import CountedWords


class Review(SummaryRowsMixin, RenderedMarkdownMixin, CountedWords):
    """A review of the book published elsewhere (a blog, a channel), quoted in the summary."""

    book = models.OneToOneField(
        Book, on_delete=models.CASCADE, related_name="review", verbose_name=_("book")
    )
    reviewer = models.CharField(
        _("reviewer"), validators=[NUL_FREE], max_length=200, help_text=_("Who wrote the review.")
    )
    source = models.CharField(
        _("source"),
        validators=[NUL_FREE],
        max_length=200,
        help_text=_("Where it appeared, e.g. “Telegram: Book Cube”."),
    )
    url = models.URLField(
        _("source URL"),
        validators=[NUL_FREE],
        blank=True,
        help_text=_("Link to the original review."),
    )
    title = models.CharField(_("title"), validators=[NUL_FREE], max_length=300, blank=True)
    body = MarkdownxField(
        _("body"),
        validators=[NUL_FREE],
        max_length=TEXT_MAX_LENGTH,
        blank=True,
        help_text=_("The review's text, in Markdown."),
    )
    body_html = models.TextField(blank=True, editable=False)
    published_on = models.DateField(
        _("published on"),
        null=True,
        blank=True,
        help_text=_("When the review was published at its source."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    markdown_fields = {"body": "body_html"}
    counted_fields = ("title", "body_html")

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering = ["book"]

    def __str__(self):
        return f"Review of {self.book} by {self.reviewer}"

    def get_absolute_url(self):
        return self.book.get_absolute_url() + "#review"


class Takeaway(SummaryRowsMixin, CountedWords):
    """One “practical value” point of a review: a short title and its explanation."""

    review = models.ForeignKey(
        Review, on_delete=models.CASCADE, related_name="takeaways", verbose_name=_("review")
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    title = models.CharField(
        _("title"), validators=[NUL_FREE], max_length=200, help_text=_("E.g. “LLM internals”.")
    )
    text = models.TextField(
        _("text"),
        validators=[NUL_FREE],
        max_length=TEXT_MAX_LENGTH,
        help_text=_("One or two sentences on why this matters to the reader."),
    )

    counted_fields = ("title", "text")
    book_path = "review__book"

    class Meta:
        verbose_name = _("takeaway")
        verbose_name_plural = _("takeaways")
        ordering = ["review", "position"]
        constraints = [
            models.UniqueConstraint(fields=["review", "position"], name="takeaway_unique_position"),
        ]

    def __str__(self):
        return self.title

    def summary_ids(self):
        return {self.review.book_id}


class RelatedLinkQuerySet(models.QuerySet):
    """Queries over related links."""

    def public(self):
        """Links readers may see: to a published summary, or to a title not in the library yet."""
        return self.filter(Q(target__isnull=True) | Q(target__in=Book.objects.published()))


class RelatedLink(SummaryRowsMixin, models.Model):
    """A “related chapter”: another book worth reading next, with a one-line reason."""

    book = models.ForeignKey(
        Book, on_delete=models.CASCADE, related_name="related_links", verbose_name=_("book")
    )
    target = models.ForeignKey(
        Book,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="linked_from",
        verbose_name=_("summary in the library"),
        help_text=_("Pick a summary from the library, or leave empty and type a title below."),
    )
    title = models.CharField(
        _("title"),
        validators=[NUL_FREE],
        max_length=300,
        blank=True,
        help_text=_(
            "Title of a book not in the library yet. Leave empty when a summary is picked."
        ),
    )
    authors = models.CharField(
        _("authors"),
        validators=[NUL_FREE],
        max_length=300,
        blank=True,
        help_text=_("Its authors, for a title not in the library yet."),
    )
    note = models.CharField(
        _("note"),
        validators=[NUL_FREE],
        max_length=300,
        help_text=_("One line: why read this next."),
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    featured = models.BooleanField(
        _("featured"),
        default=False,
        help_text=_("Show this link on its own as “Related chapter” (one per summary)."),
    )

    objects = RelatedLinkQuerySet.as_manager()

    class Meta:
        verbose_name = _("related link")
        verbose_name_plural = _("related links")
        ordering = ["book", "position"]
        constraints = [
            models.UniqueConstraint(fields=["book", "position"], name="related_unique_position"),
            models.UniqueConstraint(
                fields=["book"],
                condition=Q(featured=True),
                name="related_one_featured",
                violation_error_message=_("Only one related link per summary can be featured."),
            ),
            models.CheckConstraint(
                condition=Q(target__isnull=False) | ~Q(title=""),
                name="related_has_target_or_title",
                violation_error_message=_("Pick a summary from the library or type a title."),
            ),
            models.CheckConstraint(
                condition=~Q(target=models.F("book")),
                name="related_not_self",
                violation_error_message=_("A summary cannot be related to itself."),
            ),
        ]

    def __str__(self):
        return self.display_title

    @property
    def summary(self):
        """The summary this link leads to: the one picked, or for a typed title the published
        summary the loader found with that title (and author), or None."""
        return self.target if self.target_id else getattr(self, "found", None)

    @property
    def display_title(self):
        return self.target.title if self.target_id else self.title

    @property
    def display_authors(self):
        if self.summary is not None:
            return ", ".join(author.name for author in self.summary.ordered_authors)
        return self.authors
