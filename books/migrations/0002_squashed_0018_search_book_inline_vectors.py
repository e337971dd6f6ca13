"""Books 0002-0018 in one step: from 0001's models to today's, the Editors group and search tables.

A database that applied 0002-0018 sees this migration as applied. 0001 stays on its own:
reviews 0001 comes between it and 0002 (docs/architecture.md, "Migrations").
"""

import re

import django.core.validators
import django.db.models.deletion
import django.db.models.functions.text
import markdownx.models
import taggit.managers
from django.conf import settings
from django.contrib.auth.management import create_permissions
from django.db import migrations, models
from django.db.models import F, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce

import books.images
import books.models

NUL_FREE = django.core.validators.ProhibitNullCharactersValidator()
TAGGIT = ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx")

# --- 0002 and 0004: the Editors group, with the permissions those migrations gave it.

EDITORS = "Editors"
CONTENT_APPS = ["books", "reviews", "taggit"]


def _create_permissions(apps, app_label):
    # Permissions are normally created after all migrations have run.
    app_config = apps.get_app_config(app_label)
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None


def create_editors_group(apps, schema_editor):
    # First, while books has 0001's models and labels: the group gets the permissions 0002
    # gave it, named as 0002 named them.
    for app_label in CONTENT_APPS:
        _create_permissions(apps, app_label)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=EDITORS)
    group.permissions.add(*Permission.objects.filter(content_type__app_label__in=CONTENT_APPS))


def remove_editors_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=EDITORS).delete()


def give_editors_tag_redirects(apps, schema_editor):
    _create_permissions(apps, "books")
    Permission = apps.get_model("auth", "Permission")
    for group in apps.get_model("auth", "Group").objects.filter(name=EDITORS):
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="books", content_type__model="tagredirect")
        )


# --- 0003 and 0009: word counts of the rows already there. This migration also runs on a
# database that applied books 0001 but not 0002; on a new one the tables are empty.

_WORD = re.compile(r"\w+(?:['\u2019-]\w+)*")
_TAG = re.compile(r"""<(?:[^>"']|"[^"]*"|'[^']*')*>""")
COUNTED = {
    "book": ("title", "subtitle", "lede", "description_html", "authors_intro", "structure_intro_html"),
    "section": ("heading", "body_html"),
    "audienceitem": ("text",),
    "part": ("title", "summary_html"),
    "chapter": ("title", "summary_html"),
}
# Each counted model and how its rows lead to their book.
READ = [
    ("books", "Section", "book"),
    ("books", "AudienceItem", "book"),
    ("books", "Part", "book"),
    ("books", "Chapter", "part__book"),
    ("reviews", "Review", "book"),
    ("reviews", "Takeaway", "review__book"),
]


def _count_words(*texts):
    return sum(
        len(_WORD.findall(_TAG.sub("", text) if "<" in text else text)) for text in texts if text
    )


def count_existing(apps, schema_editor):
    for model_name, fields in COUNTED.items():
        model = apps.get_model("books", model_name)
        rows = list(model.objects.only("pk", *fields))
        for row in rows:
            row.word_count = _count_words(*(getattr(row, name) for name in fields))
        model.objects.bulk_update(rows, ["word_count"], batch_size=500)
    total = F("word_count")
    for app_label, name, path in READ:
        model = apps.get_model(app_label, name)
        rows = model.objects.filter(**{path: OuterRef("pk")}).order_by().values(path)
        total += Coalesce(Subquery(rows.annotate(total=Sum("word_count")).values("total")), 0)
    apps.get_model("books", "Book").objects.update(reading_words=total)


# --- 0006, 0012 and 0018: the search tables as 0012 and 0018 left them (books.search).

TOKENIZE = "tokenize = 'unicode61 remove_diacritics 0'"
WORDS = "tokenize = 'unicode61 remove_diacritics 2'"

SHARED = [
    "CREATE TABLE search_entry (book_id bigint PRIMARY KEY, content_hash varchar(64) NOT NULL, "
    "language varchar(10) NOT NULL)",
    "CREATE INDEX search_entry_language ON search_entry (language)",
    "CREATE TABLE search_key (key varchar(700) NOT NULL, book_id bigint NOT NULL)",
    "CREATE INDEX search_key_key ON search_key (key)",
    "CREATE INDEX search_key_book ON search_key (book_id)",
]

SQLITE = [
    "CREATE VIRTUAL TABLE search_book USING fts5("
    f"title, authors, tags, headings, body, related, {TOKENIZE})",
    f"CREATE VIRTUAL TABLE search_title USING fts5(title, authors, {TOKENIZE})",
    f"CREATE VIRTUAL TABLE search_tags USING fts5(tags, {TOKENIZE})",
    f"CREATE VIRTUAL TABLE search_headings USING fts5(headings, {TOKENIZE})",
    "CREATE VIRTUAL TABLE search_passage USING fts5(title, body, anchor UNINDEXED, "
    f"label UNINDEXED, kind UNINDEXED, title_text UNINDEXED, body_text UNINDEXED, {TOKENIZE})",
    f"CREATE VIRTUAL TABLE search_word USING fts5(words, {WORDS}, detail = none)",
    "CREATE VIRTUAL TABLE search_word_vocab USING fts5vocab(search_word, 'row')",
    "CREATE VIRTUAL TABLE search_name USING fts5("
    f"kind UNINDEXED, name, slug UNINDEXED, book_id UNINDEXED, {WORDS}, prefix = '2 3')",
    "CREATE TABLE search_facet (book_id integer PRIMARY KEY, tags text NOT NULL, "
    "language varchar(10) NOT NULL, completeness real NOT NULL, title text NOT NULL, "
    "authors text NOT NULL, slug varchar(320) NOT NULL)",
    *SHARED,
]

POSTGRESQL = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    # Stemming per language with accents folded first (Russian: Latin words in English),
    # and a plain one for names and other languages.
    "CREATE TEXT SEARCH CONFIGURATION library_english (COPY = pg_catalog.english)",
    "ALTER TEXT SEARCH CONFIGURATION library_english "
    "ALTER MAPPING FOR hword, hword_part, word WITH unaccent, english_stem",
    "CREATE TEXT SEARCH CONFIGURATION library_russian (COPY = pg_catalog.russian)",
    "ALTER TEXT SEARCH CONFIGURATION library_russian "
    "ALTER MAPPING FOR hword, hword_part, word WITH unaccent, russian_stem",
    "CREATE TEXT SEARCH CONFIGURATION library_simple (COPY = pg_catalog.simple)",
    "ALTER TEXT SEARCH CONFIGURATION library_simple "
    "ALTER MAPPING FOR hword, hword_part, word WITH unaccent, simple",
    # Rows up to a page keep their short-field vectors inline, not in TOAST (0018).
    "CREATE TABLE search_book (book_id bigint PRIMARY KEY, document tsvector NOT NULL, "
    "title_v tsvector NOT NULL, tags_v tsvector NOT NULL, headings_v tsvector NOT NULL, "
    "language varchar(10) NOT NULL, completeness real NOT NULL, title text NOT NULL, "
    "authors text NOT NULL, tags text NOT NULL, slug varchar(320) NOT NULL, "
    "tag_names text[] NOT NULL, tag_slugs text[] NOT NULL) WITH (toast_tuple_target = 8160)",
    "CREATE INDEX search_book_document ON search_book USING gin (document)",
    "CREATE TABLE search_passage (book_id bigint NOT NULL, seq integer NOT NULL, "
    "anchor varchar(100) NOT NULL, label text NOT NULL, kind varchar(10) NOT NULL, "
    "title text NOT NULL, body text NOT NULL, vector tsvector NOT NULL, "
    "PRIMARY KEY (book_id, seq))",
    "CREATE INDEX search_passage_vector ON search_passage USING gin (vector)",
    "CREATE TABLE search_name (kind varchar(10) NOT NULL, name text NOT NULL, "
    "slug varchar(320) NOT NULL, book_id bigint NOT NULL, vector tsvector NOT NULL)",
    "CREATE INDEX search_name_vector ON search_name USING gin (vector)",
    "CREATE INDEX search_name_book ON search_name (book_id)",
    "CREATE TABLE search_term (word text PRIMARY KEY)",
    "CREATE INDEX search_term_trgm ON search_term USING gin (word gin_trgm_ops)",
    *SHARED,
]

DROP_SQLITE = [
    f"DROP TABLE IF EXISTS {table}"
    for table in (
        "search_word_vocab", "search_book", "search_title", "search_tags", "search_headings",
        "search_passage", "search_word", "search_name", "search_facet", "search_entry",
        "search_key",
    )
]  # fmt: skip

DROP_POSTGRESQL = [
    "DROP TABLE IF EXISTS search_book, search_passage, search_name, search_term, "
    "search_entry, search_key",
    *(
        f"DROP TEXT SEARCH CONFIGURATION IF EXISTS library_{name}"
        for name in ("english", "russian", "simple")
    ),
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        statements = statements_by_vendor.get(schema_editor.connection.vendor)
        if statements is None:
            raise RuntimeError(
                f"Search needs SQLite or PostgreSQL, not {schema_editor.connection.vendor}."
            )
        for statement in statements:
            schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):
    replaces = [
        ("books", "0002_editors_group"),
        ("books", "0003_word_counts"),
        ("books", "0004_tag_redirects"),
        ("books", "0005_book_version"),
        ("books", "0006_search_index"),
        ("books", "0007_page_cache_versions"),
        ("books", "0008_slug_help_text"),
        ("books", "0009_reading_words"),
        ("books", "0010_next_publication"),
        ("books", "0011_editors_workflow"),
        ("books", "0012_search_languages"),
        ("books", "0013_safe_operations"),
        ("books", "0014_reading_product"),
        ("books", "0015_translations"),
        ("books", "0016_translatable_labels"),
        ("books", "0017_reader_query_indexes"),
        ("books", "0018_search_book_inline_vectors"),
    ]

    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("books", "0001_initial"),
        ("reviews", "0002_word_counts"),  # reviews' models: the Editors group, reading words
        TAGGIT,
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(create_editors_group, remove_editors_group),
        # 0001's models as they are now (0008, 0013, 0016): labels, help texts, validators,
        # text limits. No column changes on either engine.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterModelOptions(
                    name="author",
                    options={"ordering": ["name"], "verbose_name": "author", "verbose_name_plural": "authors"},
                ),
                migrations.AlterModelOptions(
                    name="book",
                    options={"ordering": [models.OrderBy(models.F("published_at"), descending=True, nulls_last=True), "-id"], "verbose_name": "book", "verbose_name_plural": "books"},
                ),
                migrations.AlterModelOptions(
                    name="bookauthor",
                    options={"ordering": ["book", "position"], "verbose_name": "author credit", "verbose_name_plural": "author credits"},
                ),
                migrations.AlterModelOptions(
                    name="chapter",
                    options={"ordering": ["part", "position"], "verbose_name": "chapter", "verbose_name_plural": "chapters"},
                ),
                migrations.AlterModelOptions(
                    name="part",
                    options={"ordering": ["book", "position"], "verbose_name": "part", "verbose_name_plural": "parts"},
                ),
                migrations.AlterModelOptions(
                    name="section",
                    options={"ordering": ["book", "position"], "verbose_name": "section", "verbose_name_plural": "sections"},
                ),
                migrations.AlterField(
                    model_name="audienceitem",
                    name="book",
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="audience", to="books.book", verbose_name="book"),
                ),
                migrations.AlterField(
                    model_name="audienceitem",
                    name="position",
                    field=models.PositiveIntegerField(default=0, verbose_name="position"),
                ),
                migrations.AlterField(
                    model_name="audienceitem",
                    name="text",
                    field=models.CharField(help_text="One kind of reader, e.g. “Engineers who…”.", max_length=300, validators=[NUL_FREE], verbose_name="text"),
                ),
                migrations.AlterField(
                    model_name="author",
                    name="bio",
                    field=markdownx.models.MarkdownxField(blank=True, help_text="A short biography in Markdown: who they are and why they matter.", max_length=100000, validators=[NUL_FREE], verbose_name="bio"),
                ),
                migrations.AlterField(
                    model_name="author",
                    name="created_at",
                    field=models.DateTimeField(auto_now_add=True, verbose_name="created at"),
                ),
                migrations.AlterField(
                    model_name="author",
                    name="name",
                    field=models.CharField(help_text="Full name as printed on the cover.", max_length=200, validators=[NUL_FREE], verbose_name="name"),
                ),
                migrations.AlterField(
                    model_name="author",
                    name="slug",
                    field=models.SlugField(allow_unicode=True, blank=True, help_text="Used in the author's URL. Leave empty to derive it from the name.", max_length=220, validators=[NUL_FREE], verbose_name="slug"),
                ),
                migrations.AlterField(
                    model_name="author",
                    name="updated_at",
                    field=models.DateTimeField(auto_now=True, verbose_name="updated at"),
                ),
                migrations.AlterField(
                    model_name="author",
                    name="website",
                    field=models.URLField(blank=True, help_text="The author's own site, shown as a link.", validators=[NUL_FREE], verbose_name="website"),
                ),
                migrations.AlterField(
                    model_name="book",
                    name="authors",
                    field=models.ManyToManyField(related_name="books", through="books.BookAuthor", to="books.author", verbose_name="authors"),
                ),
                migrations.AlterField(
                    model_name="book",
                    name="authors_intro",
                    field=models.TextField(blank=True, help_text="Optional sentence shown above the author bios under “About the authors”.", max_length=100000, validators=[NUL_FREE], verbose_name="authors intro"),
                ),
                migrations.AlterField(
                    model_name="book",
                    name="cover",
                    field=models.ImageField(blank=True, help_text="Optional cover image (PNG, JPEG, WebP or GIF).", upload_to=books.models.cover_upload_to, validators=[books.images.validate_cover], verbose_name="cover"),
                ),
                migrations.AlterField(
                    model_name="book",
                    name="created_at",
                    field=models.DateTimeField(auto_now_add=True, verbose_name="created at"),
                ),
                migrations.AlterField(
                    model_name="book",
                    name="description",
                    field=markdownx.models.MarkdownxField(blank=True, help_text="What the book is and covers, in Markdown. Shown under the book facts.", max_length=100000, validators=[NUL_FREE], verbose_name="description"),
                ),
                migrations.AlterField(
                    model_name="book",
                    name="isbn",
                    field=models.CharField(blank=True, help_text="Optional ISBN-10 or ISBN-13; hyphens are fine.", max_length=17, validators=[books.models.validate_isbn, NUL_FREE], verbose_name="ISBN"),
                ),
                migrations.AlterField(
                    model_name="book",
                    name="lede",
                    field=models.TextField(blank=True, help_text="The opening hook: one to three sentences that make a reader want more. Plain text.", max_length=600, validators=[NUL_FREE], verbose_name="lede"),
                ),
                migrations.AlterField(
                    model_name="book",
                    name="pages",
                    field=models.PositiveIntegerField(blank=True, help_text="Length of the printed book in pages.", null=True, validators=[django.core.validators.MinValueValidator(1)], verbose_name="pages"),
                ),
                migrations.AlterField(
                    model_name="book",
                    name="published_at",
                    field=models.DateTimeField(blank=True, help_text="When readers may see it. Empty means “now” when published; a future time schedules the summary.", null=True, verbose_name="published at"),
                ),
                migrations.AlterField(
                    model_name="book",
                    name="publisher",
                    field=models.CharField(blank=True, help_text="E.g. O'Reilly Media, Inc.", max_length=200, validators=[NUL_FREE], verbose_name="publisher"),
                ),
                migrations.AlterField(
                    model_name="book",
                    name="slug",
                    field=models.SlugField(allow_unicode=True, help_text="The last part of the summary's address (/books/…/). Filled in from the title.", max_length=320, validators=[NUL_FREE], verbose_name="slug"),
                ),
                migrations.AlterField(
                    model_name="book",
                    name="status",
                    field=models.CharField(choices=[("draft", "Draft"), ("published", "Published")], default="draft", max_length=10, verbose_name="status"),
                ),
                migrations.AlterField(
                    model_name="book",
                    name="structure_intro",
                    field=markdownx.models.MarkdownxField(blank=True, help_text="Optional overview shown under “Book structure”, above the parts and chapters.", max_length=100000, validators=[NUL_FREE], verbose_name="structure intro"),
                ),
                migrations.AlterField(
                    model_name="book",
                    name="subtitle",
                    field=models.CharField(blank=True, max_length=300, validators=[NUL_FREE], verbose_name="subtitle"),
                ),
                migrations.AlterField(
                    model_name="book",
                    name="tags",
                    field=taggit.managers.TaggableManager(blank=True, help_text="Topics readers browse by, separated by commas.", through="taggit.TaggedItem", to="taggit.Tag", verbose_name="tags"),
                ),
                migrations.AlterField(
                    model_name="book",
                    name="title",
                    field=models.CharField(max_length=300, validators=[NUL_FREE], verbose_name="title"),
                ),
                migrations.AlterField(
                    model_name="book",
                    name="updated_at",
                    field=models.DateTimeField(auto_now=True, verbose_name="updated at"),
                ),
                migrations.AlterField(
                    model_name="book",
                    name="year",
                    field=models.PositiveSmallIntegerField(blank=True, help_text="Year of publication of the edition summarised.", null=True, validators=[django.core.validators.MinValueValidator(1450), django.core.validators.MaxValueValidator(2100)], verbose_name="year"),
                ),
                migrations.AlterField(
                    model_name="bookauthor",
                    name="author",
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="book_links", to="books.author", verbose_name="author"),
                ),
                migrations.AlterField(
                    model_name="bookauthor",
                    name="book",
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="book_authors", to="books.book", verbose_name="book"),
                ),
                migrations.AlterField(
                    model_name="bookauthor",
                    name="position",
                    field=models.PositiveIntegerField(default=0, verbose_name="position"),
                ),
                migrations.AlterField(
                    model_name="chapter",
                    name="part",
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="chapters", to="books.part", verbose_name="part"),
                ),
                migrations.AlterField(
                    model_name="chapter",
                    name="position",
                    field=models.PositiveIntegerField(default=0, verbose_name="position"),
                ),
                migrations.AlterField(
                    model_name="chapter",
                    name="summary",
                    field=markdownx.models.MarkdownxField(blank=True, help_text="A short summary of the chapter in Markdown.", max_length=100000, validators=[NUL_FREE], verbose_name="summary"),
                ),
                migrations.AlterField(
                    model_name="chapter",
                    name="title",
                    field=models.CharField(max_length=300, validators=[NUL_FREE], verbose_name="title"),
                ),
                migrations.AlterField(
                    model_name="part",
                    name="book",
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="parts", to="books.book", verbose_name="book"),
                ),
                migrations.AlterField(
                    model_name="part",
                    name="label",
                    field=models.CharField(blank=True, help_text="Numbering as printed: “I”, “2”…", max_length=20, validators=[NUL_FREE], verbose_name="label"),
                ),
                migrations.AlterField(
                    model_name="part",
                    name="position",
                    field=models.PositiveIntegerField(default=0, verbose_name="position"),
                ),
                migrations.AlterField(
                    model_name="part",
                    name="summary",
                    field=markdownx.models.MarkdownxField(blank=True, help_text="What this part covers, in Markdown.", max_length=100000, validators=[NUL_FREE], verbose_name="summary"),
                ),
                migrations.AlterField(
                    model_name="part",
                    name="title",
                    field=models.CharField(max_length=300, validators=[NUL_FREE], verbose_name="title"),
                ),
                migrations.AlterField(
                    model_name="section",
                    name="body",
                    field=markdownx.models.MarkdownxField(help_text="The section's text in Markdown.", max_length=100000, validators=[NUL_FREE], verbose_name="body"),
                ),
                migrations.AlterField(
                    model_name="section",
                    name="book",
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="sections", to="books.book", verbose_name="book"),
                ),
                migrations.AlterField(
                    model_name="section",
                    name="heading",
                    field=models.CharField(help_text="E.g. “Philosophy of the book”.", max_length=200, validators=[NUL_FREE], verbose_name="heading"),
                ),
                migrations.AlterField(
                    model_name="section",
                    name="position",
                    field=models.PositiveIntegerField(default=0, verbose_name="position"),
                ),
            ]
        ),
        # 0003
        *(
            migrations.AddField(
                model_name=model_name,
                name="word_count",
                field=models.PositiveIntegerField(default=0, editable=False),
            )
            for model_name in COUNTED
        ),
        # 0004
        migrations.CreateModel(
            name="TagRedirect",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("old_slug", models.SlugField(allow_unicode=True, max_length=100, validators=[NUL_FREE], verbose_name="old slug")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
                ("tag", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="redirects", to="taggit.tag", verbose_name="tag")),
                ("old_tag_id", models.BigIntegerField(blank=True, editable=False, help_text="The id of the merged tag that had this slug: older versions of a summary refer to it, and a restore follows it here.", null=True)),
            ],
            options={
                "verbose_name": "tag redirect",
                "verbose_name_plural": "tag redirects",
                "ordering": ["old_slug"],
                "constraints": [models.UniqueConstraint(fields=("old_slug",), name="tagredirect_unique_old_slug")],
            },
        ),
        migrations.RunPython(give_editors_tag_redirects, migrations.RunPython.noop),
        # 0005
        migrations.AddField(
            model_name="book",
            name="version",
            field=models.PositiveIntegerField(default=1, editable=False, help_text="Goes up by one on every save; a save from an older version is refused."),
        ),
        # 0007 and 0010 (its backfill finds no row: the table is new)
        migrations.CreateModel(
            name="LibraryVersion",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("token", models.BigIntegerField()),
                ("changed_at", models.DateTimeField(auto_now=True)),
                ("next_publication", models.DateTimeField(help_text="When the next scheduled summary becomes public: pages change then.", null=True)),
            ],
        ),
        migrations.CreateModel(
            name="SummaryVersion",
            fields=[
                ("book_id", models.BigIntegerField(primary_key=True, serialize=False)),
                ("token", models.BigIntegerField()),
                ("tag_ids", models.JSONField(default=list)),
                ("slug", models.CharField(blank=True, help_text="The summary's slug at the last change: its token in a shared cache is under it.", max_length=320)),
            ],
        ),
        # 0009
        migrations.AddField(
            model_name="book",
            name="reading_words",
            field=models.PositiveIntegerField(default=0, editable=False, help_text="Words in the whole summary, every row included: its reading time."),
        ),
        migrations.RunPython(count_existing, migrations.RunPython.noop),
        # 0011
        migrations.CreateModel(
            name="ShareLink",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("token", models.CharField(default=books.models.new_share_token, editable=False, max_length=64)),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
                ("expires_at", models.DateTimeField(verbose_name="expires at")),
                ("revoked_at", models.DateTimeField(blank=True, null=True, verbose_name="revoked at")),
                ("book", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="share_links", to="books.book", verbose_name="book")),
                ("created_by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, to=settings.AUTH_USER_MODEL, verbose_name="created by")),
            ],
            options={
                "verbose_name": "share link",
                "verbose_name_plural": "share links",
                "ordering": ["-created_at", "-id"],
                "constraints": [models.UniqueConstraint(fields=("token",), name="sharelink_unique_token")],
            },
        ),
        migrations.AddField(
            model_name="book",
            name="seo_description",
            field=models.CharField(blank=True, help_text="Optional: the description search engines and social cards show (about 155 characters). Empty means the lede.", max_length=300, validators=[NUL_FREE], verbose_name="SEO description"),
        ),
        migrations.AddField(
            model_name="book",
            name="seo_title",
            field=models.CharField(blank=True, help_text="Optional: the title search engines and social cards show (about 60 characters). Empty means the book's title.", max_length=120, validators=[NUL_FREE], verbose_name="SEO title"),
        ),
        migrations.AddField(
            model_name="book",
            name="unpublish_at",
            field=models.DateTimeField(blank=True, help_text="Optional: when readers stop seeing it (e.g. the end of an offer). Empty means it stays public.", null=True, verbose_name="unpublish at"),
        ),
        migrations.AddConstraint(
            model_name="book",
            constraint=models.CheckConstraint(condition=models.Q(("unpublish_at__isnull", True), ("published_at__isnull", True), ("unpublish_at__gt", models.F("published_at")), _connector="OR"), name="book_unpublish_after_publish", violation_error_message="The unpublication time must come after the publication time."),
        ),
        # 0006, 0012 and 0018 (0012 dropped 0006's tables, kept its text search configurations)
        migrations.AddField(
            model_name="book",
            name="language",
            field=models.CharField(choices=[("en", "English"), ("ru", "Russian")], default=books.models.default_language, help_text="The language the summary is written in: search analyses its words in it.", max_length=10, verbose_name="language"),
        ),
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": POSTGRESQL}),
            _run({"sqlite": DROP_SQLITE, "postgresql": DROP_POSTGRESQL}),
        ),
        # 0014
        migrations.AddField(
            model_name="book",
            name="content_digest",
            field=models.CharField(blank=True, editable=False, help_text="A digest of everything an editor wrote: tells a real edit from a re-save.", max_length=64),
        ),
        migrations.AddField(
            model_name="book",
            name="edited_at",
            field=models.DateTimeField(blank=True, editable=False, help_text="When an editor last changed what the summary says (feeds' <updated>); a save or re-import that changes nothing leaves it.", null=True),
        ),
        migrations.AddField(
            model_name="book",
            name="share_card",
            field=models.ImageField(blank=True, editable=False, help_text="The 1200 x 630 picture shown when the summary is shared; drawn on save.", upload_to="share-cards/"),
        ),
        migrations.AddField(
            model_name="book",
            name="share_card_digest",
            field=models.CharField(blank=True, editable=False, max_length=64),
        ),
        # 0015
        migrations.CreateModel(
            name="TagTranslation",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("language", models.CharField(choices=books.models.other_languages, max_length=10)),
                ("name", models.CharField(help_text="The tag's name as readers of this language see it, e.g. “Машинное обучение”.", max_length=100, validators=[NUL_FREE])),
                ("slug", models.SlugField(allow_unicode=True, blank=True, help_text="The tag's address in this language (/ru/tags/…/). Leave empty to derive it from the name.", max_length=100, validators=[NUL_FREE])),
                ("tag", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="translations", to="taggit.tag")),
            ],
            options={
                "ordering": ["tag", "language"],
                "constraints": [
                    models.UniqueConstraint(fields=("tag", "language"), name="tagtranslation_one_per_language", violation_error_message="This tag already has a name in this language."),
                    models.UniqueConstraint(fields=("language", "slug"), name="tagtranslation_unique_slug", violation_error_message="Another tag already has this slug in this language."),
                ],
            },
        ),
        migrations.AddField(
            model_name="book",
            name="translation_of",
            field=models.ForeignKey(blank=True, help_text="The summary of the same book in another language, if the library has one. Each page then links to the other, for readers and search engines. A third language names the same summary.", null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="translations", to="books.book", verbose_name="translation of"),
        ),
        migrations.AddConstraint(
            model_name="book",
            constraint=models.CheckConstraint(condition=models.Q(("translation_of__isnull", True), models.Q(("translation_of", models.F("pk")), _negated=True), _connector="OR"), name="book_translation_not_self", violation_error_message="A summary cannot be its own translation."),
        ),
        migrations.AddConstraint(
            model_name="book",
            constraint=models.UniqueConstraint(fields=("translation_of", "language"), name="book_one_translation_per_language", violation_error_message="That summary already has a translation in this language."),
        ),
        # 0017
        migrations.RemoveIndex(model_name="book", name="book_status_pub_idx"),
        migrations.AddIndex(
            model_name="book",
            index=models.Index(fields=["status", "published_at", "unpublish_at"], name="book_published_idx"),
        ),
        migrations.AddIndex(
            model_name="book",
            index=models.Index(django.db.models.functions.text.Lower("title"), name="book_title_lower_idx"),
        ),
    ]
