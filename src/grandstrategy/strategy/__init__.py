"""The National Security Strategy as structured, linked, versioned data."""
