"""App configuration for the developer tools (benchmark and evaluation commands)."""

from django.apps import AppConfig


class DevtoolsConfig(AppConfig):
    """Benchmarks, search evaluation and their data: imports the product, never imported by it."""

    name = "books.devtools"
    label = "devtools"
    verbose_name = "Developer tools"
