"""Admin for reviews and related chapters, added inline to the summary's change page."""

import nested_admin
from django.contrib import admin

from books.admin import MARKDOWN_WIDGETS, BookAdmin
from books.forms import OrderedInlineMixin
from books.history import record_save
from books.models import Book

from .models import RelatedLink, Review, Takeaway


class TakeawayInline(OrderedInlineMixin, nested_admin.NestedStackedInline):
    """The review's “practical value” points."""

    model = Takeaway


class ReviewInline(nested_admin.NestedStackedInline):
    """The summary's review, with its takeaways."""

    model = Review
    max_num = 1
    extra = 0
    inlines = [TakeawayInline]
    formfield_overrides = MARKDOWN_WIDGETS


class RelatedLinkInline(OrderedInlineMixin, nested_admin.NestedStackedInline):
    """“Related chapters”: other summaries (or titles not in the library yet) to read next."""

    model = RelatedLink
    fk_name = "book"
    autocomplete_fields = ["target"]
    fields = [("target", "featured"), ("title", "authors"), "note", "position"]


admin.site.unregister(Book)


@admin.register(Book)
class SummaryAdmin(BookAdmin):
    """The summary page, completed with its review and related chapters."""

    inlines = [*BookAdmin.inlines, ReviewInline, RelatedLinkInline]


@admin.register(Review)
class ReviewAdmin(nested_admin.NestedModelAdmin):
    """Reviews across the library, each editable with its takeaways."""

    list_display = ["book", "reviewer", "source", "published_on"]
    list_select_related = ["book"]
    search_fields = ["book__title", "reviewer", "source", "title"]
    autocomplete_fields = ["book"]
    inlines = [TakeawayInline]
    formfield_overrides = MARKDOWN_WIDGETS

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        self._record_summary(request, form.instance.book_id, "Review edited on its own page.")

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        self._record_summary(request, obj.book_id, "Review deleted on its own page.")

    @staticmethod
    def _record_summary(request, book_id, comment):
        # The review is part of its summary: count a new version (so an editor
        # with the summary open cannot overwrite this) and record it in its history.
        book = Book.objects.filter(pk=book_id).first()
        if book is not None:
            record_save(book, user=request.user, comment=comment)
