"""English dates as the library writes them: "5 December 2026"; Django's own for the rest."""

DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H:i e"
