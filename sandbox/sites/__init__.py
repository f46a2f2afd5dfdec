"""One module per platform replica; each exposes routes()."""
