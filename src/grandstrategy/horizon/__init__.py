"""Strategic foresight: documents in, passages classified against a threat taxonomy, actors
found, everything searchable with citations."""
