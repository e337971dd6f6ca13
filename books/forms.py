"""Admin form plumbing: Markdown editors, and ordered inlines that respect unique positions."""

from django import forms
from django.db.models import F
from markdownx.models import MarkdownxField
from markdownx.widgets import AdminMarkdownxWidget
from nested_admin.formsets import NestedInlineFormSet

from .models import POSITION_PARKING_OFFSET

# Every Markdown field in the admin gets the editor with a live preview.
MARKDOWN_WIDGETS = {MarkdownxField: {"widget": AdminMarkdownxWidget}}


class OrderedInlineForm(forms.ModelForm):
    """An inline row whose position is numbered by its formset, not checked row by row.

    Checking each row's position against the database would reject every swap
    (row A takes B's old place while B still holds it); the formset renumbers
    all rows 1..n instead.
    """

    def _get_validation_exclusions(self):
        exclude = super()._get_validation_exclusions()
        exclude.add("position")
        return exclude


class OrderedInlineFormSet(NestedInlineFormSet):
    """Numbers the rows 1..n in the order the editor arranged them and saves any reorder."""

    def process_forms_pre_save(self, forms):
        def submitted_position(form):
            return (getattr(form, "cleaned_data", None) or {}).get("position") or 0

        forms.sort(key=lambda form: (submitted_position(form), form._list_position))
        number = 1
        for form in forms:
            if self._should_delete_form(form):
                continue
            if not form._is_initial and not form.has_changed():
                continue
            if form.instance.position != number or submitted_position(form) != number:
                form.instance.position = number
                form.cleaned_data["position"] = number
                if "position" not in form.changed_data:
                    form.changed_data.append("position")
            number += 1
        return forms

    def save(self, commit=True):
        # Park the existing rows above the offset first, so that no row's new
        # position can collide with a sibling's old one; rows that were not
        # re-saved are put back afterwards.
        parked = [form.instance.pk for form in self.initial_forms if form.instance.pk]
        rows = self.model._default_manager.filter(pk__in=parked)
        if commit and parked:
            rows.update(position=F("position") + POSITION_PARKING_OFFSET)
        saved = super().save(commit)
        if commit and parked:
            rows.filter(position__gte=POSITION_PARKING_OFFSET).update(
                position=F("position") - POSITION_PARKING_OFFSET
            )
        return saved


class OrderedInlineMixin:
    """Inline options for models with a ``position``: drag to reorder, numbered 1..n on save."""

    form = OrderedInlineForm
    formset = OrderedInlineFormSet
    sortable_field_name = "position"
    extra = 0
