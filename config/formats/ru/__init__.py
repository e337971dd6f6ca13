"""Russian formats: Django's, with the time zone on a scheduled time."""
