"""Russian dates are Django's; a date with a time also names its zone, as in English."""

DATETIME_FORMAT = "j E Y г., G:i e"
