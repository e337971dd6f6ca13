"""Admin inlines for the review, its takeaways and the related chapters of a summary.

Only inlines: ``books/admin.py`` composes the summary's change page from them.
"""

import nested_admin
from django.core.exceptions import ValidationError

from books.forms import (
    MARKDOWN_WIDGETS,
    OrderedInlineForm,
    OrderedInlineFormSet,
    OrderedInlineMixin,
)

from .models import RelatedLink, Review, Takeaway


def constraint_message(model, name):
    """The message a model's named constraint gives editors: one wording, in the model."""
    constraint = next(c for c in model._meta.constraints if c.name == name)
    return constraint.violation_error_message


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


class RelatedLinkForm(OrderedInlineForm):
    """One related link: a summary of the library or a title, never the summary itself.

    The database's check constraints, checked here so that a mistake is a message
    next to the field, on a new summary as on an existing one.
    """

    handled_constraints = (
        "related_one_featured",
        "related_has_target_or_title",
        "related_not_self",
    )

    def clean(self):
        cleaned_data = super().clean()
        target, title = cleaned_data.get("target"), (cleaned_data.get("title") or "").strip()
        if target is None and not title and "title" not in self.errors:
            self.add_error("title", constraint_message(RelatedLink, "related_has_target_or_title"))
        book = getattr(self, "parent_book", None)
        if target is not None and book is not None and book.pk and target.pk == book.pk:
            self.add_error("target", constraint_message(RelatedLink, "related_not_self"))
        return cleaned_data


class RelatedLinkFormSet(OrderedInlineFormSet):
    """The summary's related links: at most one featured."""

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        form.parent_book = self.instance
        return form

    def clean(self):
        super().clean()
        featured = [
            form
            for form in self.forms
            if getattr(form, "cleaned_data", None)
            and form.cleaned_data.get("featured")
            and not self._should_delete_form(form)
        ]
        for form in featured[1:]:
            form.add_error("featured", constraint_message(RelatedLink, "related_one_featured"))
        if len(featured) > 1:
            raise ValidationError(constraint_message(RelatedLink, "related_one_featured"))

    def save(self, commit=True):
        if commit:
            # Un-feature first, so that the newly featured link never meets the old one.
            unfeatured = [
                form.instance.pk
                for form in self.initial_forms
                if form.instance.pk
                and (
                    self._should_delete_form(form)
                    or ("featured" in form.changed_data and not form.cleaned_data.get("featured"))
                )
            ]
            RelatedLink.objects.filter(pk__in=unfeatured).update(featured=False)
        return super().save(commit)


class RelatedLinkInline(OrderedInlineMixin, nested_admin.NestedStackedInline):
    """“Related chapters”: other summaries (or titles not in the library yet) to read next."""

    model = RelatedLink
    form = RelatedLinkForm
    formset = RelatedLinkFormSet
    fk_name = "book"
    autocomplete_fields = ["target"]
    fields = [("target", "featured"), ("title", "authors"), "note", "position"]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "target" and formfield is not None:
            # The picker's delete button would offer to delete the *other* summary.
            formfield.widget.can_delete_related = False
        return formfield
