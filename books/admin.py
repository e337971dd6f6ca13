"""Admin for editors: one change page edits a whole summary, with nested parts and chapters."""

from urllib.parse import urlsplit

import nested_admin
from django.contrib import admin
from django.db.models import Count
from django.urls import Resolver404, resolve
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from reviews.admin import RelatedLinkInline, ReviewInline, TakeawayInline
from reviews.models import Review

from .admin_tags import TagAdmin  # noqa: F401 (registers the tag admin)
from .admin_workflow import CompletenessFilter, EditorialAdminMixin, VisibilityFilter
from .forms import (
    MARKDOWN_WIDGETS,
    CaseFoldedSearchMixin,
    OrderedInlineForm,
    OrderedInlineFormSet,
    OrderedInlineMixin,
)
from .models import AudienceItem, Author, Book, BookAuthor, Chapter, Part, Section
from .summaries import writing
from .summaries.completeness import with_completeness


class BookAuthorForm(OrderedInlineForm):
    """One author credit; listing an author twice is caught by the formset."""

    handled_constraints = ("bookauthor_unique_author",)


class BookAuthorFormSet(OrderedInlineFormSet):
    """The summary's author credits: each author once, in any order."""

    unique_in_parent = (("author", _("This author is already listed for this summary.")),)


class BookAuthorInline(OrderedInlineMixin, nested_admin.NestedTabularInline):
    """The book's authors, in the order printed on the cover."""

    model = BookAuthor
    form = BookAuthorForm
    formset = BookAuthorFormSet
    autocomplete_fields = ["author"]
    min_num = 0

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "author" and formfield is not None:
            # Authors are shared by summaries: never offer to delete one from here.
            formfield.widget.can_delete_related = False
        return formfield


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
class BookAdmin(CaseFoldedSearchMixin, EditorialAdminMixin, nested_admin.NestedModelAdmin):
    """A whole summary on one page: facts, text, authors, sections, parts and chapters, the
    review with its takeaways, and related chapters."""

    list_display = [
        "title", "author_names", "status", "publication", "is_public", "completeness",
        "updated_at",
    ]  # fmt: skip
    list_filter = [VisibilityFilter, CompletenessFilter, "status", "language", "tags", "publisher"]
    search_fields = [
        "title", "subtitle", "slug", "authors__name", "publisher", "isbn", "tags__name",
    ]  # fmt: skip
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["translation_of"]
    date_hierarchy = "published_at"
    save_on_top = True
    formfield_overrides = MARKDOWN_WIDGETS
    fieldsets = [
        (None, {"fields": ["title", "subtitle", "slug", "language", "translation_of"]}),
        (_("Book facts"), {"fields": ["publisher", "year", "pages", "isbn", "cover"]}),
        (_("Summary"), {"fields": ["lede", "description", "authors_intro", "structure_intro"]}),
        (_("Publishing"), {"fields": ["status", "published_at", "unpublish_at", "tags"]}),
        (
            _("Search engines and sharing"),
            {
                "fields": ["seo_title", "seo_description"],
                "description": _("Optional. Empty fields fall back to the title and the lede."),
            },
        ),
    ]
    inlines = [
        BookAuthorInline,
        SectionInline,
        PartInline,
        AudienceInline,
        ReviewInline,
        RelatedLinkInline,
    ]

    class Media:
        js = ["books/admin/markdownx-inlines.js", "books/admin/editor.js"]

    def get_queryset(self, request):
        books = super().get_queryset(request).with_authors()
        if request.resolver_match and request.resolver_match.url_name.endswith("changelist"):
            books = with_completeness(books)
        return books

    def get_search_results(self, request, queryset, search_term):
        books, duplicates = super().get_search_results(request, queryset, search_term)
        if request.GET.get("field_name") == "target" and request.GET.get("model_name") == (
            "relatedlink"
        ):
            # The related-summary picker: the summary being edited is not a choice.
            editing = _summary_being_edited(request)
            if editing is not None:
                books = books.exclude(pk=editing)
        return books, duplicates

    @admin.display(description=_("Authors"))
    def author_names(self, book):
        return ", ".join(author.name for author in book.ordered_authors)

    @admin.display(description=_("Public"), boolean=True)
    def is_public(self, book):
        return book.is_public


def _summary_being_edited(request):
    """The id of the summary whose change page sent this request (its Referer), or None."""
    try:
        match = resolve(urlsplit(request.headers.get("Referer", "")).path)
    except Resolver404:
        return None
    if match.url_name != "books_book_change":
        return None
    object_id = match.kwargs.get("object_id", "")
    return int(object_id) if object_id.isdigit() and len(object_id) < 19 else None


@admin.register(Author)
class AuthorAdmin(CaseFoldedSearchMixin, admin.ModelAdmin):
    """Authors, searchable for the book page's autocomplete."""

    list_display = ["name", "website", "book_count"]
    ordering = ["name"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    formfield_overrides = MARKDOWN_WIDGETS

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(book_count=Count("books"))

    @admin.display(description=_("Books"), ordering="book_count")
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

        with writing(user=request.user, comment=gettext("Review edited on its own page.")) as write:
            write.save([Book.objects.get(pk=review.book_id)], write_rows=write_rows)

    def delete_model(self, request, obj):
        with writing(
            user=request.user, comment=gettext("Review deleted on its own page.")
        ) as write:
            write.save([Book.objects.get(pk=obj.book_id)], write_rows=obj.delete)
