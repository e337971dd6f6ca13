"""Reviews of books from external sources, and the related-chapter links between summaries."""
