"""Synonym sets editors keep in the admin, with a small default set for the library's subjects."""

import django.core.validators
import django.db.models.deletion
from django.contrib.auth.management import create_permissions
from django.db import migrations, models

DEFAULT_SETS = [
    "LLM, LLMs, large language model, большая языковая модель",
    "SRE, site reliability engineering",
    "RAG, retrieval-augmented generation",
    "NLP, natural language processing",
    "ML, machine learning",
    "DDD, domain-driven design",
    "CI, continuous integration",
    "k8s, Kubernetes",
    "БД, база данных",
]


def add_defaults(apps, schema_editor):
    from books.search.language import analysed_keys

    SynonymSet = apps.get_model("search", "SynonymSet")
    SynonymKey = apps.get_model("search", "SynonymKey")
    for terms in DEFAULT_SETS:
        synonym_set = SynonymSet.objects.create(terms=terms)
        keys = sorted({key for term in terms.split(",") for key in analysed_keys(term)})
        SynonymKey.objects.bulk_create(SynonymKey(synonym_set=synonym_set, key=key) for key in keys)


def let_editors_keep_them(apps, schema_editor):
    # Permissions are normally created after all migrations have run (see
    # books/migrations/0002_editors_group.py).
    app_config = apps.get_app_config("search")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="Editors")
    group.permissions.add(*Permission.objects.filter(content_type__app_label="search"))


class Migration(migrations.Migration):
    initial = True

    dependencies = [("books", "0002_editors_group")]

    operations = [
        migrations.CreateModel(
            name="SynonymSet",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("terms", models.TextField(validators=[django.core.validators.ProhibitNullCharactersValidator()], help_text="Two or more words or phrases that mean the same, separated by commas, e.g. “LLM, large language model”. A search for any of them finds the others; a phrase is matched as a phrase. Changes apply to the next search at once.")),
                ("updated_at", models.DateTimeField(auto_now=True)),
            ],
            options={"verbose_name": "synonym set", "ordering": ["terms"]},
        ),
        migrations.CreateModel(
            name="SynonymKey",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("key", models.CharField(editable=False, max_length=300)),
                ("synonym_set", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="keys", to="search.synonymset")),
            ],
            options={"ordering": ["key"], "indexes": [models.Index(fields=["key"], name="search_synonym_key_idx")]},
        ),
        migrations.RunPython(add_defaults, migrations.RunPython.noop),
        migrations.RunPython(let_editors_keep_them, migrations.RunPython.noop),
    ]
