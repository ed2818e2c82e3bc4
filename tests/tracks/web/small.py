"""Parameters of the short web sessions the tests run."""

SMALL = {"app": "shop", "errands": 2, "pages": 2, "page_tokens": 300, "list_pages": 6}
"""4 errands over 6 list pages: 2 reviews of 2 pages, then 2 remembering errands."""
