"""Reading documents from files, folders, feeds and JSONL into plain text with metadata."""
