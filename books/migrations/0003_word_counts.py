"""Store each summary row's word count (for reading time) and count the rows already there."""

from django.db import migrations, models

from books.reading import count_words

COUNTED = {
    "book": ("title", "subtitle", "lede", "description_html", "authors_intro", "structure_intro_html"),
    "section": ("heading", "body_html"),
    "audienceitem": ("text",),
    "part": ("title", "summary_html"),
    "chapter": ("title", "summary_html"),
}


def count_existing(apps, schema_editor):
    for model_name, fields in COUNTED.items():
        model = apps.get_model("books", model_name)
        rows = list(model.objects.only("pk", *fields))
        for row in rows:
            row.word_count = count_words(*(getattr(row, name) for name in fields))
        model.objects.bulk_update(rows, ["word_count"], batch_size=500)


class Migration(migrations.Migration):

    dependencies = [
        ("books", "0002_editors_group"),
    ]

    operations = [
        *(
            migrations.AddField(
                model_name=model_name,
                name="word_count",
                field=models.PositiveIntegerField(default=0, editable=False),
            )
            for model_name in COUNTED
        ),
        migrations.RunPython(count_existing, migrations.RunPython.noop),
    ]
