"""Cross-cutting parts: configuration, database, markings, authorisation, audit, errors."""
