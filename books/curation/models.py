"""Collections: ordered lists of summaries with an introduction, curated by editors."""

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from markdownx.models import MarkdownxField

from books.markdown import RenderedMarkdownMixin
from books.models import NUL_FREE, Book, Status, unique_slug


class CollectionQuerySet(models.QuerySet):
    """Queries over collections; ``published()`` is what readers may see."""

    def published(self):
        return self.filter(status=Status.PUBLISHED, published_at__lte=timezone.now())

    def visible_to(self, user):
        """Everything for active staff (drafts shown with a banner), else ``published()``."""
        if user.is_active and user.is_staff:
            return self
        return self.published()


class Collection(RenderedMarkdownMixin, models.Model):
    """An editor's ordered list of summaries with an introduction, e.g. “Start here: LLMs”."""

    title = models.CharField(
        _("title"), max_length=200, validators=[NUL_FREE], help_text=_("E.g. “Start here: LLMs”.")
    )
    slug = models.SlugField(
        _("slug"),
        max_length=220,
        validators=[NUL_FREE],
        allow_unicode=True,
        blank=True,
        help_text=_(
            "The last part of the collection's address (/collections/…/). "
            "Leave empty to derive it from the title."
        ),
    )
    intro = MarkdownxField(
        _("intro"),
        blank=True,
        validators=[NUL_FREE],
        help_text=_("Why these summaries, and in what order to read them, in Markdown."),
    )
    intro_html = models.TextField(blank=True, editable=False)
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.DRAFT)
    published_at = models.DateTimeField(
        _("published at"),
        null=True,
        blank=True,
        help_text=_("When readers may see it. Empty means “now” when published."),
    )
    featured = models.BooleanField(
        _("featured"),
        default=False,
        help_text=_("Show this collection on the home page under “Start here” (one at a time)."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    markdown_fields = {"intro": "intro_html"}

    objects = CollectionQuerySet.as_manager()

    class Meta:
        verbose_name = _("collection")
        verbose_name_plural = _("collections")
        ordering = ["title", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["slug"], name="collection_unique_slug"),
            models.UniqueConstraint(
                fields=["featured"],
                condition=Q(featured=True),
                name="collection_one_featured",
                violation_error_message=_("Only one collection can be featured on the home page."),
            ),
            models.CheckConstraint(
                condition=Q(status=Status.DRAFT) | Q(published_at__isnull=False),
                name="collection_published_has_date",
                violation_error_message=_("A published collection needs a publication date."),
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(Collection, self.title, exclude_pk=self.pk)
        if self.status == Status.PUBLISHED and self.published_at is None:
            self.published_at = timezone.now()
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("curation:detail", kwargs={"slug": self.slug})

    @property
    def is_public(self):
        return (
            self.status == Status.PUBLISHED
            and self.published_at is not None
            and self.published_at <= timezone.now()
        )

    def public_books(self):
        """The collection's published summaries, in the editor's order."""
        return (
            Book.objects.published()
            .filter(collection_items__collection=self)
            .order_by("collection_items__position", "collection_items__pk")
        )


class CollectionItem(models.Model):
    """One summary in a collection, at its place in the order, with an optional note."""

    collection = models.ForeignKey(
        Collection, on_delete=models.CASCADE, related_name="items", verbose_name=_("collection")
    )
    book = models.ForeignKey(
        Book, on_delete=models.CASCADE, related_name="collection_items", verbose_name=_("summary")
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    note = models.CharField(
        _("note"),
        max_length=300,
        blank=True,
        validators=[NUL_FREE],
        help_text=_("Optional: why this one, at this point of the list."),
    )

    class Meta:
        ordering = ["collection", "position"]
        verbose_name = _("summary in the collection")
        verbose_name_plural = _("summaries in the collection")
        constraints = [
            models.UniqueConstraint(
                fields=["collection", "position"], name="collectionitem_unique_position"
            ),
            models.UniqueConstraint(
                fields=["collection", "book"],
                name="collectionitem_unique_book",
                violation_error_message=_("This summary is in the collection already."),
            ),
        ]

    def __str__(self):
        return f"{self.book} in {self.collection}"
