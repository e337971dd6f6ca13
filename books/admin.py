"""Admin for editors: one change page edits a whole summary, with nested parts and chapters."""

import nested_admin
from django.contrib import admin
from django.db.models import Count

from reviews.admin import RelatedLinkInline, ReviewInline, TakeawayInline
from reviews.models import Review

from .admin_tags import TagAdmin  # noqa: F401 (registers the tag admin)
from .admin_workflow import EditorialAdminMixin, VisibilityFilter
from .forms import MARKDOWN_WIDGETS, OrderedInlineMixin
from .models import AudienceItem, Author, Book, BookAuthor, Chapter, Part, Section
from .summaries import writing


class BookAuthorInline(OrderedInlineMixin, nested_admin.NestedTabularInline):
    """The book's authors, in the order printed on the cover."""

    model = BookAuthor
    autocomplete_fields = ["author"]
    min_num = 0


class SectionInline(OrderedInlineMixin, nested_admin.NestedStackedInline):
    """Free prose sections, e.g. “Philosophy of the book”."""

    model = Section
    formfield_overrides = MARKDOWN_WIDGETS


class AudienceInline(OrderedInlineMixin, nested_admin.NestedTabularInline):
    """The “Who is this book for?” list."""

    model = AudienceItem


class ChapterInline(OrderedInlineMixin, nested_admin.NestedStackedInline):
    """Chapters of one part."""

    model = Chapter
    formfield_overrides = MARKDOWN_WIDGETS


class PartInline(OrderedInlineMixin, nested_admin.NestedStackedInline):
    """Parts of the book, each with its chapters."""

    model = Part
    inlines = [ChapterInline]
    formfield_overrides = MARKDOWN_WIDGETS


@admin.register(Book)
class BookAdmin(EditorialAdminMixin, nested_admin.NestedModelAdmin):
    """A whole summary on one page: facts, text, authors, sections, parts and chapters, the
    review with its takeaways, and related chapters."""

    list_display = ["title", "author_names", "status", "publication", "is_public", "updated_at"]
    list_filter = [VisibilityFilter, "status", "language", "tags", "publisher"]
    search_fields = ["title", "subtitle", "slug", "authors__name", "publisher", "isbn"]
    prepopulated_fields = {"slug": ["title"]}
    date_hierarchy = "published_at"
    save_on_top = True
    formfield_overrides = MARKDOWN_WIDGETS
    fieldsets = [
        (None, {"fields": ["title", "subtitle", "slug", "language"]}),
        ("Book facts", {"fields": ["publisher", "year", "pages", "isbn", "cover"]}),
        ("Summary", {"fields": ["lede", "description", "authors_intro", "structure_intro"]}),
        ("Publishing", {"fields": ["status", "published_at", "tags"]}),
    ]
    inlines = [
        BookAuthorInline,
        SectionInline,
        PartInline,
        AudienceInline,
        ReviewInline,
        RelatedLinkInline,
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).with_authors()

    @admin.display(description="Authors")
    def author_names(self, book):
        return ", ".join(author.name for author in book.ordered_authors)

    @admin.display(description="Public", boolean=True)
    def is_public(self, book):
        return book.is_public


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    """Authors, searchable for the book page's autocomplete."""

    list_display = ["name", "website", "book_count"]
    ordering = ["name"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    formfield_overrides = MARKDOWN_WIDGETS

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(book_count=Count("books"))

    @admin.display(description="Books", ordering="book_count")
    def book_count(self, author):
        return author.book_count


@admin.register(Review)
class ReviewAdmin(nested_admin.NestedModelAdmin):
    """Reviews across the library, each editable with its takeaways; a save is its summary's."""

    list_display = ["book", "reviewer", "source", "published_on"]
    list_select_related = ["book"]
    search_fields = ["book__title", "reviewer", "source", "title"]
    autocomplete_fields = ["book"]
    inlines = [TakeawayInline]
    formfield_overrides = MARKDOWN_WIDGETS

    def save_model(self, request, obj, form, change):
        """Saved with its takeaways in ``save_related``, through the summary's write path."""

    def save_related(self, request, form, formsets, change):
        # The review is part of its summary: a save counts the summary's version (so an
        # editor with the summary open cannot overwrite it) and goes into its history.
        save_inlines = super().save_related
        review = form.instance

        def write_rows():
            review.save()
            save_inlines(request, form, formsets, change)

        with writing(user=request.user, comment="Review edited on its own page.") as write:
            write.save([Book.objects.get(pk=review.book_id)], write_rows=write_rows)

    def delete_model(self, request, obj):
        with writing(user=request.user, comment="Review deleted on its own page.") as write:
            write.save([Book.objects.get(pk=obj.book_id)], write_rows=obj.delete)
