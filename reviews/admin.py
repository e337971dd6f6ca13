"""Admin for reviews and related chapters, added inline to the summary's change page."""

import nested_admin
from django.contrib import admin

from books.admin import MARKDOWN_WIDGETS, BookAdmin
from books.forms import OrderedInlineMixin
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
