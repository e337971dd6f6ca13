"""Reviews 0001-0004 in one step: the models as they are now, for a new database.

A database that applied 0001-0004 sees this migration as applied. The backfill of 0002
is left out: this runs only where none of 0001-0004 ran, so the tables are new and empty.
"""

import django.core.validators
import django.db.models.deletion
import markdownx.models
from django.db import migrations, models

import books.markdown

NUL_FREE = django.core.validators.ProhibitNullCharactersValidator()


class Migration(migrations.Migration):
    initial = True

    replaces = [
        ("reviews", "0001_initial"),
        ("reviews", "0002_word_counts"),
        ("reviews", "0003_safe_operations"),
        ("reviews", "0004_translatable_labels"),
    ]

    dependencies = [("books", "0001_initial")]

    operations = [
        migrations.CreateModel(
            name="Review",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("reviewer", models.CharField(help_text="Who wrote the review.", max_length=200, validators=[NUL_FREE], verbose_name="reviewer")),
                ("source", models.CharField(help_text="Where it appeared, e.g. “Telegram: Book Cube”.", max_length=200, validators=[NUL_FREE], verbose_name="source")),
                ("url", models.URLField(blank=True, help_text="Link to the original review.", validators=[NUL_FREE], verbose_name="source URL")),
                ("title", models.CharField(blank=True, max_length=300, validators=[NUL_FREE], verbose_name="title")),
                ("body", markdownx.models.MarkdownxField(blank=True, help_text="The review's text, in Markdown.", max_length=100000, validators=[NUL_FREE], verbose_name="body")),
                ("body_html", models.TextField(blank=True, editable=False)),
                ("published_on", models.DateField(blank=True, help_text="When the review was published at its source.", null=True, verbose_name="published on")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated at")),
                ("book", models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name="review", to="books.book", verbose_name="book")),
                ("word_count", models.PositiveIntegerField(default=0, editable=False)),
            ],
            options={
                "verbose_name": "review",
                "verbose_name_plural": "reviews",
                "ordering": ["book"],
            },
            bases=(books.markdown.RenderedMarkdownMixin, models.Model),
        ),
        migrations.CreateModel(
            name="RelatedLink",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("title", models.CharField(blank=True, help_text="Title of a book not in the library yet. Leave empty when a summary is picked.", max_length=300, validators=[NUL_FREE], verbose_name="title")),
                ("authors", models.CharField(blank=True, help_text="Its authors, for a title not in the library yet.", max_length=300, validators=[NUL_FREE], verbose_name="authors")),
                ("note", models.CharField(help_text="One line: why read this next.", max_length=300, validators=[NUL_FREE], verbose_name="note")),
                ("position", models.PositiveIntegerField(default=0, verbose_name="position")),
                ("featured", models.BooleanField(default=False, help_text="Show this link on its own as “Related chapter” (one per summary).", verbose_name="featured")),
                ("book", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="related_links", to="books.book", verbose_name="book")),
                ("target", models.ForeignKey(blank=True, help_text="Pick a summary from the library, or leave empty and type a title below.", null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="linked_from", to="books.book", verbose_name="summary in the library")),
            ],
            options={
                "verbose_name": "related link",
                "verbose_name_plural": "related links",
                "ordering": ["book", "position"],
                "constraints": [
                    models.UniqueConstraint(fields=("book", "position"), name="related_unique_position"),
                    models.UniqueConstraint(condition=models.Q(("featured", True)), fields=("book",), name="related_one_featured", violation_error_message="Only one related link per summary can be featured."),
                    models.CheckConstraint(condition=models.Q(("target__isnull", False), models.Q(("title", ""), _negated=True), _connector="OR"), name="related_has_target_or_title", violation_error_message="Pick a summary from the library or type a title."),
                    models.CheckConstraint(condition=models.Q(("target", models.F("book")), _negated=True), name="related_not_self", violation_error_message="A summary cannot be related to itself."),
                ],
            },
        ),
        migrations.CreateModel(
            name="Takeaway",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("position", models.PositiveIntegerField(default=0, verbose_name="position")),
                ("title", models.CharField(help_text="E.g. “LLM internals”.", max_length=200, validators=[NUL_FREE], verbose_name="title")),
                ("text", models.TextField(help_text="One or two sentences on why this matters to the reader.", max_length=100000, validators=[NUL_FREE], verbose_name="text")),
                ("review", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="takeaways", to="reviews.review", verbose_name="review")),
                ("word_count", models.PositiveIntegerField(default=0, editable=False)),
            ],
            options={
                "verbose_name": "takeaway",
                "verbose_name_plural": "takeaways",
                "ordering": ["review", "position"],
                "constraints": [models.UniqueConstraint(fields=("review", "position"), name="takeaway_unique_position")],
            },
        ),
    ]
