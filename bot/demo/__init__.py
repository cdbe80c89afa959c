"""`pioneer demo`: a synthetic organisation runs a whole journey through the real services."""
