"""The library: authors, books and the parts and chapters of each summary."""
