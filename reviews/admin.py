"""Admin inlines for the review, its takeaways and the related chapters of a summary.

Only inlines: ``books/admin.py`` composes the summary's change page from them.
"""

import nested_admin

from books.forms import MARKDOWN_WIDGETS, OrderedInlineMixin

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
