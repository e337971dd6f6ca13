"""Admin form plumbing: Markdown editors, ordered inlines that respect unique positions, and a
search that ignores case in every script."""

from django import forms
from django.contrib.admin.utils import lookup_spawns_duplicates
from django.core.exceptions import ValidationError
from django.db.models import F, Q
from django.utils.text import smart_split, unescape_string_literal
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
    all rows 1..n instead. The position is set by dragging, never typed: its
    input is hidden.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "position" in self.fields:
            self.fields["position"].widget = forms.HiddenInput()
            self.fields["position"].required = False

    # Constraints this form (or its formset) checks itself, with a message next to the field.
    handled_constraints = ()

    def _get_validation_exclusions(self):
        exclude = super()._get_validation_exclusions()
        exclude.add("position")
        return exclude

    def validate_constraints(self):
        exclude = self._get_validation_exclusions()
        for constraint in self.instance._meta.constraints:
            if constraint.name in self.handled_constraints:
                continue
            try:
                constraint.validate(type(self.instance), self.instance, exclude=exclude)
            except ValidationError as error:
                self._update_errors(error)


class OrderedInlineFormSet(NestedInlineFormSet):
    """Numbers the rows 1..n in the order the editor arranged them and saves any reorder.

    The admin's drag-and-drop script numbers rows from 0, the pages from 1: only
    the order of the submitted numbers counts, and a row whose place did not
    change is not recorded as changed.
    """

    def process_forms_pre_save(self, forms):
        def submitted_position(form):
            position = (getattr(form, "cleaned_data", None) or {}).get("position")
            return position if position is not None else form._list_position

        forms.sort(key=lambda form: (submitted_position(form), form._list_position))
        number = 1
        for form in forms:
            if self._should_delete_form(form):
                continue
            if not form._is_initial and not form.has_changed():
                continue
            form.instance.position = number
            form.cleaned_data["position"] = number
            moved = not form._is_initial or form.initial.get("position") != number
            if moved and "position" not in form.changed_data:
                form.changed_data.append("position")
            elif not moved and "position" in form.changed_data:
                form.changed_data.remove("position")
            number += 1
        return forms

    # Fields unique within the summary (e.g. an author listed once): ``(field, message)``.
    # Checked across the submitted rows, so that two rows may swap their values.
    unique_in_parent = ()

    def clean(self):
        for name, message in self.unique_in_parent:
            seen = set()
            for form in self.forms:
                value = (getattr(form, "cleaned_data", None) or {}).get(name)
                if value is None or self._should_delete_form(form):
                    continue
                if value in seen:
                    form.add_error(name, message)
                seen.add(value)
        super().clean()

    def save(self, commit=True):
        if commit and self.unique_in_parent:
            # A row that takes a value another row gives up (a swap) would collide with
            # it row by row: such rows are removed first and written again, same ids.
            names = [name for name, _ in self.unique_in_parent]
            moved = [
                form.instance.pk
                for form in self.initial_forms
                if form.instance.pk
                and not self._should_delete_form(form)
                and any(name in form.changed_data for name in names)
            ]
            self.model._default_manager.filter(pk__in=moved).delete()
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


class CaseFoldedSearchMixin:
    """Admin search that ignores case in every script, on SQLite as on PostgreSQL.

    Django's search uses ``icontains``, which SQLite folds for ASCII letters only:
    "машинное" would not find "Машинное обучение". Each word is matched against
    ``UPPER(field)`` instead (``books.apps`` makes SQLite's UPPER Python's). Upper
    case, not lower: Greek's final sigma lowers differently in Python and PostgreSQL.
    """

    def get_search_results(self, request, queryset, search_term):
        fields = self.get_search_fields(request)
        if not search_term or not fields:
            return super().get_search_results(request, queryset, search_term)
        for word in smart_split(search_term):
            if word[0] in "\"'" and word[0] == word[-1] and len(word) > 1:
                word = unescape_string_literal(word)
            matches = Q()
            for name in fields:
                matches |= Q(**{f"{name}__upper__contains": word.upper()})
            queryset = queryset.filter(matches)
        duplicates = any(lookup_spawns_duplicates(self.opts, name) for name in fields)
        return queryset, duplicates
