"""English formats: day, month, year, as the library has always written its dates."""
